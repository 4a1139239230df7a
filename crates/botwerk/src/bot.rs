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
}

impl Bot {
    /// An empty bot called `name` (used in logs and configuration).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            router: Router::new(),
            texts: Vec::new(),
            inventory: Inventory::builder(),
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

    /// The bot's data inventory, checked: every category has a declared
    /// purpose and a retention period.
    ///
    /// # Errors
    /// The first problem found, naming the category or purpose.
    pub fn inventory(&self) -> Result<Inventory, BotError> {
        self.inventory
            .clone()
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

    /// The bot as one handler: `/help` in front of the router.
    pub fn into_handler(self) -> Arc<dyn Handler> {
        Arc::new(Help::new(Arc::new(self.router)))
    }
}
