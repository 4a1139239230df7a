//! Command declarations: what `/help` lists and what adapters register.

use std::collections::BTreeMap;

/// A command a bot answers, declared once and registered on every platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandSpec {
    /// The name without slash, lowercase: `order`.
    pub name: String,
    /// The id of the description in the bot's text catalog.
    pub description: String,
    /// The purpose the command processes data for; the gate checks its consent.
    pub purpose: Option<String>,
    /// Whether the command runs only in a private chat: one that collects or
    /// shows personal data does, so that a group never sees it.
    pub private_only: bool,
}

impl CommandSpec {
    /// A command `/name` described by the catalog text `description`.
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            purpose: None,
            private_only: false,
        }
    }

    /// Runs the command only in private chats; typed in a group, it gets a
    /// pointer to the private chat instead.
    #[must_use]
    pub fn private_only(mut self) -> Self {
        self.private_only = true;
        self
    }

    /// Marks the command as processing data for `purpose`.
    #[must_use]
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }
}

/// A command with its description resolved in every language of the bot, as
/// adapters register it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandInfo {
    /// The name without slash.
    pub name: String,
    /// Language tag to description; always has the fallback language.
    pub descriptions: BTreeMap<String, String>,
}
