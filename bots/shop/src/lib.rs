//! # botwerk-shop
//!
//! The demo bot of Botwerk: a small shop selling coffee, tea and mugs.
//! `/order` walks through product, quantity, shipping address and a final
//! confirmation; `/cancel` leaves the order at any point; anything else gets
//! a friendly pointer to `/order` and `/help`.
//!
//! ```
//! let bot = botwerk_shop::bot();
//! assert_eq!(bot.name(), "shop");
//! ```
//!
//! # Layout
//! - `products`: the catalogue
//! - `order`: the order dialog
//! - `welcome`: `/start` and the reply to anything unexpected

mod order;
mod products;
mod welcome;

use botwerk::prelude::*;

pub use order::{Order, OrderDialog, OrderState};
pub use products::{Product, PRODUCTS};

/// The data category orders are kept in.
pub const ORDERS: &str = "orders";
/// The purpose orders are processed for.
pub const ORDER: &str = "order";

/// The demo shop.
pub fn bot() -> Bot {
    Bot::new("shop")
        .texts("en", include_str!("../texts/en.ftl"))
        .texts("de", include_str!("../texts/de.ftl"))
        .purpose(Purpose::new(
            ORDER,
            LegalBasis::Contract,
            "shop-purpose-order",
        ))
        // Two years: the statutory warranty period for consumer goods in the EU.
        .category(Category::new(ORDERS, ORDER, "shop-category-orders").retain_days(730))
        .command(CommandSpec::new("start", "shop-cmd-start"), welcome::Start)
        .dialog(
            CommandSpec::new("order", "shop-cmd-order").purpose(ORDER),
            OrderDialog,
        )
        .fallback(welcome::Unexpected)
}
