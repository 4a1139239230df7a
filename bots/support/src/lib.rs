//! # botwerk-support
//!
//! A customer-service bot: `/ticket` opens a support ticket through a short
//! dialog (topic, description, confirmation), `/tickets` lists the person's
//! own tickets. Tickets are kept 30 days, on the legal basis of the contract
//! the request is about; the dialog runs in private chats only.
//!
//! ```
//! let bot = botwerk_support::bot();
//! assert_eq!(bot.name(), "support");
//! ```
//!
//! # Layout
//! - `ticket`: the ticket dialog and the ticket record
//! - `list`: `/tickets`

mod list;
mod ticket;

use botwerk::prelude::*;

pub use ticket::{Ticket, TicketDialog, TicketState};

/// The category tickets are kept in.
pub const TICKETS: &str = "tickets";
/// The purpose of tickets.
pub const SUPPORT: &str = "support";
/// The sample privacy policy of the support bot.
pub const SAMPLE_POLICY: &str = include_str!("../policy.toml");

/// The support bot.
pub fn bot() -> Bot {
    Bot::new("support")
        .texts("en", include_str!("../texts/en.ftl"))
        .texts("de", include_str!("../texts/de.ftl"))
        .purpose(Purpose::new(
            SUPPORT,
            LegalBasis::Contract,
            "support-purpose",
        ))
        .category(Category::new(TICKETS, SUPPORT, "support-category-tickets").retain_days(30))
        .dialog(
            CommandSpec::new("ticket", "support-cmd-ticket")
                .purpose(SUPPORT)
                .private_only(),
            TicketDialog,
        )
        .command(
            CommandSpec::new("tickets", "support-cmd-tickets")
                .purpose(SUPPORT)
                .private_only(),
            list::Tickets,
        )
        .fallback(list::Unexpected)
}
