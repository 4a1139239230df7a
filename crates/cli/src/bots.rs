//! The bots this binary runs, by name.

use botwerk::privacy::{Policy, PolicyError};
use botwerk::Bot;

/// The bot called `name`, with its sample policy.
pub fn bot(name: &str) -> Option<(Bot, &'static str, &'static str)> {
    match name {
        "shop" => Some((
            botwerk_shop::bot(),
            botwerk_shop::SAMPLE_POLICY,
            "bots/shop/policy.toml",
        )),
        "newsletter" => Some((
            botwerk_newsletter::bot(),
            botwerk_newsletter::SAMPLE_POLICY,
            "bots/newsletter/policy.toml",
        )),
        "support" => Some((
            botwerk_support::bot(),
            botwerk_support::SAMPLE_POLICY,
            "bots/support/policy.toml",
        )),
        _ => None,
    }
}

/// The policy at `path`, or the bot's sample policy.
///
/// # Errors
/// A policy file that cannot be read or does not check.
pub fn policy(
    path: Option<&std::path::Path>,
    sample: &str,
    sample_name: &str,
) -> Result<Policy, PolicyError> {
    match path {
        Some(path) => Policy::load(path),
        None => Policy::parse(sample, std::path::Path::new(sample_name)),
    }
}
