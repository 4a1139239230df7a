//! # botwerk-shop
//!
//! The demo bot of Botwerk: a small shop selling coffee, tea and mugs.
//! `/order` walks through product, quantity, shipping address and a final
//! confirmation; `/cancel` leaves the order at any point; anything else gets
//! a friendly pointer to `/order` and `/help`.
//!
//! Its data inventory shows the three kinds of processing a shop has: orders
//! (legal basis: contract), an optional remembered address (consent), and a
//! newsletter (consent with double opt-in through `/subscribe`).
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
/// The purpose orders are processed for (legal basis: contract).
pub const ORDER: &str = "order";
/// The purpose of remembering the shipping address (legal basis: consent).
pub const REMEMBER: &str = "remember-address";
/// The category of the remembered address.
pub const SAVED_ADDRESS: &str = "saved-address";
/// The purpose of the newsletter (consent, double opt-in).
pub const NEWSLETTER: &str = "newsletter";

/// The sample privacy policy of the demo (`bots/shop/policy.toml`).
pub const SAMPLE_POLICY: &str = include_str!("../policy.toml");

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
        .purpose(Purpose::new(
            REMEMBER,
            LegalBasis::Consent,
            "shop-purpose-remember",
        ))
        .category(
            Category::new(SAVED_ADDRESS, REMEMBER, "shop-category-saved-address").retain_days(365),
        )
        .purpose(Purpose::new(
            NEWSLETTER,
            LegalBasis::Consent,
            "shop-purpose-newsletter",
        ))
        .marketing(NEWSLETTER)
        .command(CommandSpec::new("start", "shop-cmd-start"), welcome::Start)
        .dialog(
            // Addresses stay out of groups: the order dialog runs in private.
            CommandSpec::new("order", "shop-cmd-order")
                .purpose(ORDER)
                .private_only(),
            OrderDialog,
        )
        .fallback(welcome::Unexpected)
}
