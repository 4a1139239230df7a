//! The shop's catalogue.

/// Something the shop sells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Product {
    /// Stable id, used in button data and stored orders.
    pub id: &'static str,
    /// The text id of its name.
    pub name: &'static str,
    /// Price in euro cents.
    pub cents: u32,
}

/// Everything on sale.
pub const PRODUCTS: [Product; 3] = [
    Product {
        id: "coffee",
        name: "shop-product-coffee",
        cents: 1250,
    },
    Product {
        id: "tea",
        name: "shop-product-tea",
        cents: 890,
    },
    Product {
        id: "mug",
        name: "shop-product-mug",
        cents: 1500,
    },
];

impl Product {
    /// The product with id `id`.
    pub fn find(id: &str) -> Option<Self> {
        PRODUCTS.into_iter().find(|p| p.id == id)
    }
}

/// Euro cents as `12.50 EUR`.
pub fn euros(cents: u64) -> String {
    format!("{}.{:02} EUR", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_prices() {
        assert_eq!(euros(1250), "12.50 EUR");
        assert_eq!(euros(5), "0.05 EUR");
    }

    #[test]
    fn finds_products() {
        assert_eq!(Product::find("tea").map(|p| p.cents), Some(890));
        assert!(Product::find("whisky").is_none());
    }
}
