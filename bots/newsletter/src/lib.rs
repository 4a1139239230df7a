//! # botwerk-newsletter
//!
//! A newsletter bot: people subscribe with double opt-in (`/subscribe`, then
//! a confirmation button), choose topics with `/topics`, read the latest
//! issue with `/latest`, and leave with `/unsubscribe` or the button under
//! every issue. Operators send issues with `botwerk broadcast`, which reaches
//! confirmed subscribers only and checks consent again at send time.
//!
//! ```
//! let bot = botwerk_newsletter::bot();
//! assert_eq!(bot.marketing_purpose(), Some("newsletter"));
//! ```
//!
//! # Layout
//! - `topics`: `/topics` and the topic category
//! - `latest`: `/latest` and the reply to anything unexpected

mod latest;
mod topics;

use botwerk::prelude::*;

pub use topics::{Topics, TOPICS, TOPIC_CATEGORY};

/// The marketing purpose.
pub const NEWSLETTER: &str = "newsletter";
/// The sample privacy policy of the newsletter bot.
pub const SAMPLE_POLICY: &str = include_str!("../policy.toml");

/// The newsletter bot.
pub fn bot() -> Bot {
    Bot::new("newsletter")
        .texts("en", include_str!("../texts/en.ftl"))
        .texts("de", include_str!("../texts/de.ftl"))
        .purpose(Purpose::new(
            NEWSLETTER,
            LegalBasis::Consent,
            "newsletter-purpose",
        ))
        .category(
            Category::new(TOPIC_CATEGORY, NEWSLETTER, "newsletter-category-topics")
                .retain_days(3 * 365),
        )
        .marketing(NEWSLETTER)
        .command(
            CommandSpec::new("topics", "newsletter-cmd-topics").purpose(NEWSLETTER),
            Topics,
        )
        .command(
            CommandSpec::new("latest", "newsletter-cmd-latest"),
            latest::Latest,
        )
        .fallback(latest::Unexpected)
}
