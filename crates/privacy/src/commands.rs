//! The built-in commands, one file each, and the press of their buttons.

pub(crate) mod consent;
pub(crate) mod forgetme;
pub(crate) mod language;
pub(crate) mod mydata;
pub(crate) mod privacy;
pub(crate) mod start;
pub(crate) mod stop;
pub(crate) mod subscribe;

use botwerk_core::CommandSpec;

/// The names of the built-in commands.
pub const BUILT_IN: [&str; 9] = [
    "start",
    "privacy",
    "mydata",
    "forgetme",
    "consent",
    "stop",
    "language",
    "subscribe",
    "unsubscribe",
];

/// The built-in commands as `/help` lists them; the newsletter commands only
/// when the bot has a marketing purpose.
pub(crate) fn specs(marketing: bool) -> Vec<CommandSpec> {
    BUILT_IN
        .iter()
        .filter(|name| marketing || !name.contains("subscribe"))
        .map(|name| CommandSpec::new(*name, format!("privacy-cmd-{name}")))
        .collect()
}

/// How a consent was given or withdrawn, for the ledger.
pub(crate) fn mechanism(ctx: &botwerk_core::Ctx, how: &str) -> String {
    format!("{how}:{}", ctx.chat().platform)
}
