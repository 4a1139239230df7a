//! `Bot`: what a bot is, independent of where it runs.

use std::sync::Arc;

use botwerk_core::{Catalog, CommandSpec, Dialog, Handler, I18nError, Router};
use botwerk_vault::{Category, Inventory, InventoryBuilder, InventoryError, Purpose};

use crate::help::Help;

/// The error of putting a bot together.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BotError {
    /// A text resource of the bot does not load.
    #[error("the texts of bot `{bot}` do not load")]
    Texts {
        /// The bot's name.
        bot: String,
        /// What is wrong.
        #[source]
        source: I18nError,
    },
    /// The data inventory of the bot does not hold together.
    #[error("the data inventory of bot `{bot}` is invalid")]
    Inventory {
        /// The bot's name.
        bot: String,
        /// What is wrong.
        #[source]
        source: InventoryError,
    },
}

/// A bot: its name, texts, data inventory, commands, dialogs and fallback.
///
/// `/help`, listing every command in the reader's language, and `/cancel`,
/// ending the running dialog, come with every bot.
pub struct Bot {
    name: String,
    router: Router,
    texts: Vec<(String, String)>,
    inventory: InventoryBuilder,
    marketing: Option<String>,
}

impl Bot {
    /// An empty bot called `name` (used in logs and configuration).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            router: Router::new(),
            texts: Vec::new(),
            inventory: Inventory::builder(),
            marketing: None,
        }
    }

    /// The bot's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds Fluent texts in language `lang`.
    #[must_use]
    pub fn texts(mut self, lang: &str, ftl: &str) -> Self {
        self.texts.push((lang.to_owned(), ftl.to_owned()));
        self
    }

    /// Declares a purpose the bot processes personal data for.
    #[must_use]
    pub fn purpose(mut self, purpose: Purpose) -> Self {
        self.inventory = self.inventory.purpose(purpose);
        self
    }

    /// Declares a category of personal data the bot keeps; handlers can only
    /// write declared categories.
    #[must_use]
    pub fn category(mut self, category: Category) -> Self {
        self.inventory = self.inventory.category(category);
        self
    }

    /// Names the purpose of the bot's marketing messages (declared with the
    /// legal basis consent): `/subscribe` then asks for it with double
    /// opt-in, and every broadcast checks it at send time.
    #[must_use]
    pub fn marketing(mut self, purpose: impl Into<String>) -> Self {
        self.marketing = Some(purpose.into());
        self
    }

    /// The purpose of the bot's marketing messages, if any.
    pub fn marketing_purpose(&self) -> Option<&str> {
        self.marketing.as_deref()
    }

    /// The bot's data inventory with the privacy layer's own categories,
    /// checked: every category has a declared purpose and a retention period.
    ///
    /// # Errors
    /// The first problem found, naming the category or purpose.
    pub fn inventory(&self) -> Result<Inventory, BotError> {
        botwerk_privacy::declare(self.inventory.clone(), self.marketing.as_deref())
            .build()
            .map_err(|source| BotError::Inventory {
                bot: self.name.clone(),
                source,
            })
    }

    /// Adds a command.
    ///
    /// # Panics
    /// When the command name is taken.
    #[must_use]
    pub fn command(mut self, spec: CommandSpec, handler: impl Handler) -> Self {
        self.router = self.router.command(spec, handler);
        self
    }

    /// Adds a dialog started by a command.
    ///
    /// # Panics
    /// When the command name is taken.
    #[must_use]
    pub fn dialog(mut self, spec: CommandSpec, dialog: impl Dialog) -> Self {
        self.router = self.router.dialog(spec, dialog);
        self
    }

    /// Sets the handler for whatever no command or dialog takes.
    #[must_use]
    pub fn fallback(mut self, handler: impl Handler) -> Self {
        self.router = self.router.fallback(handler);
        self
    }

    /// The bot's text catalog: the core's texts plus the bot's.
    ///
    /// # Errors
    /// When a text resource does not parse or defines a message twice.
    pub fn catalog(&self) -> Result<Catalog, BotError> {
        let mut catalog = Catalog::new();
        crate::help::add_texts(&mut catalog).map_err(|source| self.texts_error(source))?;
        botwerk_privacy::add_texts(&mut catalog).map_err(|source| self.texts_error(source))?;
        for (lang, ftl) in &self.texts {
            catalog
                .add(lang, ftl)
                .map_err(|source| self.texts_error(source))?;
        }
        Ok(catalog)
    }

    fn texts_error(&self, source: I18nError) -> BotError {
        BotError::Texts {
            bot: self.name.clone(),
            source,
        }
    }

    /// The bot's own handler: its router, without the privacy layer.
    pub(crate) fn into_router(self) -> Arc<dyn Handler> {
        Arc::new(self.router)
    }
}

/// `/help` in front of `handler`.
pub(crate) fn with_help(handler: Arc<dyn Handler>) -> Arc<dyn Handler> {
    Arc::new(Help::new(handler))
}

impl Bot {
    /// Whether the bot has a command `name` (its own, not the built-in ones).
    pub fn has_command(&self, name: &str) -> bool {
        self.router.commands().iter().any(|c| c.name == name)
    }
}
