//! `Instance`: a bot running on a store and adapters.

use std::sync::Arc;

use botwerk_console::{ConsoleAdapter, ConsoleOptions};
use botwerk_core::{
    Adapter, CancellationToken, Clock, MemoryStore, Runtime, RuntimeError, Services, Store,
};

use crate::bot::{Bot, BotError};

/// The error of starting or running an instance.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstanceError {
    /// The bot is not well-formed.
    #[error(transparent)]
    Bot(#[from] BotError),
    /// The runtime failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// A bot with its store and adapters, ready to run.
pub struct Instance {
    bot: Bot,
    store: Arc<dyn Store>,
    clock: Option<Arc<dyn Clock>>,
    adapters: Vec<Arc<dyn Adapter>>,
}

impl Instance {
    /// An instance of `bot` on `store`, without adapters yet.
    pub fn new(bot: Bot, store: Arc<dyn Store>) -> Self {
        Self {
            bot,
            store,
            clock: None,
            adapters: Vec::new(),
        }
    }

    /// Adds a messenger.
    #[must_use]
    pub fn adapter(mut self, adapter: Arc<dyn Adapter>) -> Self {
        self.adapters.push(adapter);
        self
    }

    /// Replaces the system clock (tests).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Runs until `shutdown` is cancelled or all input has ended, then drains
    /// and flushes.
    ///
    /// # Errors
    /// When the bot's texts do not load or the store cannot be flushed.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), InstanceError> {
        let catalog = self.bot.catalog()?;
        let mut services = Services::new(self.store).with_texts(catalog);
        if let Some(clock) = self.clock {
            services = services.with_clock(clock);
        }
        let mut runtime = Runtime::new(self.bot.into_handler(), Arc::new(services));
        for adapter in self.adapters {
            runtime = runtime.adapter(adapter);
        }
        runtime.run(shutdown).await?;
        Ok(())
    }
}

impl Bot {
    /// Runs the bot on the console with an in-memory store, until end of
    /// input, Ctrl-C or SIGTERM.
    ///
    /// # Errors
    /// When the bot's texts do not load.
    pub async fn run_console(self) -> Result<(), InstanceError> {
        Instance::new(self, Arc::new(MemoryStore::new()))
            .adapter(ConsoleAdapter::stdio(ConsoleOptions::default()))
            .run(botwerk_core::shutdown::on_signals())
            .await
    }
}
