//! `Instance`: a bot running on its vault and adapters.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use botwerk_console::{ConsoleAdapter, ConsoleOptions};
use botwerk_core::{
    Adapter, CancellationToken, Clock, Identity, Observer, Runtime, RuntimeError, Services,
    SystemClock,
};
use botwerk_privacy::{
    GatedStore, Policy, PolicyError, Privacy, PrivacyConfig, PrivacyGate, PrivacyLayer, SetupError,
};
use botwerk_sled::{SledBackend, SledOptions};
use botwerk_vault::{Backend, MemoryBackend, Vault, VaultError, VaultOptions};

use crate::bot::{with_help, Bot, BotError};

/// The error of starting or running an instance.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstanceError {
    /// The bot is not well-formed.
    #[error(transparent)]
    Bot(#[from] BotError),
    /// The data directory cannot be used.
    #[error("cannot use the data directory {}: {why}", path.display())]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// The vault does not open: key file, keystore or store.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The policy file cannot be used.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The privacy layer cannot be put together.
    #[error(transparent)]
    Privacy(#[from] SetupError),
    /// The runtime failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Where an instance keeps its data.
#[derive(Clone, Debug)]
enum Storage {
    /// sled in `data_dir/store`, keystore and (by default) key file beside it.
    Disk(PathBuf),
    /// A memory backend; keystore and key file still in a directory (tests).
    Memory(PathBuf),
}

/// Puts an [`Instance`] together.
pub struct InstanceBuilder {
    admin_socket: Option<PathBuf>,
    admins: HashSet<Identity>,
    observer: Option<Arc<dyn Observer>>,
    purge_every: Option<Duration>,
    bot: Bot,
    policy: Option<Policy>,
    config: Option<PrivacyConfig>,
    storage: Storage,
    key_file: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    sled: SledOptions,
    adapters: Vec<Arc<dyn Adapter>>,
}

impl InstanceBuilder {
    /// Keeps the data in `dir` (sled store, keystore, and the key file unless
    /// [`InstanceBuilder::key_file`] moves it). The default is `./botwerk-data`.
    #[must_use]
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.storage = Storage::Disk(dir.into());
        self
    }

    /// Keeps records in memory (tests, trials); keystore and key file go to `dir`.
    #[must_use]
    pub fn in_memory(mut self, dir: impl Into<PathBuf>) -> Self {
        self.storage = Storage::Memory(dir.into());
        self
    }

    /// Uses the operator's privacy policy. Without one the instance runs with
    /// [`Policy::unconfigured`] and warns: fine for a trial, not for production.
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Changes the privacy layer's settings (limits, lifetimes of confirmations).
    #[must_use]
    pub fn privacy(mut self, config: PrivacyConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// Reads the instance key from `path`, which production keeps apart from
    /// the data directory.
    #[must_use]
    pub fn key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.key_file = Some(path.into());
        self
    }

    /// Serves operator requests on a Unix socket at `path` while running
    /// (`admin::socket_path` of the data directory, usually).
    #[must_use]
    pub fn admin_socket(mut self, path: impl Into<PathBuf>) -> Self {
        self.admin_socket = Some(path.into());
        self
    }

    /// Lets these accounts use `/admin` in a private chat: the audit check,
    /// the key check, the purge and the record of processing (see the
    /// crate's front page). Nobody else learns that the command exists.
    #[must_use]
    pub fn admins(mut self, admins: impl IntoIterator<Item = Identity>) -> Self {
        self.admins.extend(admins);
        self
    }

    /// Tells `observer` about every handled update and privacy request (metrics).
    #[must_use]
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// How often the retention purge runs while the instance runs (once at
    /// start, then every hour by default); `None` turns it off.
    #[must_use]
    pub fn purge_every(mut self, every: Option<Duration>) -> Self {
        self.purge_every = every;
        self
    }

    /// Replaces the system clock (tests of expiry and retention).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets sled's options.
    #[must_use]
    pub fn sled(mut self, options: SledOptions) -> Self {
        self.sled = options;
        self
    }

    /// Adds a messenger.
    #[must_use]
    pub fn adapter(mut self, adapter: Arc<dyn Adapter>) -> Self {
        self.adapters.push(adapter);
        self
    }

    /// Checks the bot and opens its vault.
    ///
    /// # Errors
    /// An invalid inventory or texts, a key file that is too open or
    /// malformed, or a data directory that cannot be used (another process
    /// holds it, say).
    pub async fn build(self) -> Result<Instance, InstanceError> {
        let inventory = self.bot.inventory()?;
        let catalog = self.bot.catalog()?;
        let (dir, backend): (PathBuf, Arc<dyn Backend>) = match self.storage {
            Storage::Disk(dir) => {
                create_dir(&dir)?;
                let backend = SledBackend::open(&dir.join("store"), self.sled).map_err(|e| {
                    InstanceError::DataDir {
                        path: dir.clone(),
                        why: format!(
                            "{} (is another botwerk process using it?)",
                            botwerk_core::HandlerError::from(e)
                        ),
                    }
                })?;
                (dir, Arc::new(backend))
            }
            Storage::Memory(dir) => {
                create_dir(&dir)?;
                (dir, Arc::new(MemoryBackend::new()))
            }
        };
        let mut options = VaultOptions::in_dir(&dir).clock(Arc::clone(&self.clock));
        if let Some(key_file) = self.key_file {
            options = options.key_file(key_file);
        }
        let vault = Arc::new(Vault::open(backend, inventory, options).await?);
        let policy = self.policy.unwrap_or_else(|| {
            tracing::warn!(
                bot = self.bot.name(),
                "no privacy policy configured: /privacy names no controller; configure one before production"
            );
            Policy::unconfigured()
        });
        let mut config = self
            .config
            .unwrap_or_else(|| PrivacyConfig::new(self.bot.name()));
        config.marketing = self.bot.marketing_purpose().map(str::to_owned);
        let privacy = Arc::new(Privacy::new(Arc::clone(&vault), policy, config, catalog)?);
        let name = self.bot.name().to_owned();
        let layer = PrivacyLayer::new(Arc::clone(&privacy), self.bot.into_router());
        Ok(Instance {
            admin_socket: self.admin_socket,
            admins: self.admins,
            observer: self.observer,
            purge_every: self.purge_every,
            name,
            handler: with_help(Arc::new(layer)),
            privacy,
            vault,
            clock: self.clock,
            adapters: self.adapters,
        })
    }
}

fn create_dir(dir: &Path) -> Result<(), InstanceError> {
    std::fs::create_dir_all(dir).map_err(|e| InstanceError::DataDir {
        path: dir.to_owned(),
        why: e.to_string(),
    })
}

/// A bot with its vault and adapters, ready to run.
pub struct Instance {
    admin_socket: Option<PathBuf>,
    admins: HashSet<Identity>,
    observer: Option<Arc<dyn Observer>>,
    purge_every: Option<Duration>,
    name: String,
    handler: Arc<dyn botwerk_core::Handler>,
    privacy: Arc<Privacy>,
    vault: Arc<Vault>,
    clock: Arc<dyn Clock>,
    adapters: Vec<Arc<dyn Adapter>>,
}

impl Instance {
    /// Starts putting together an instance of `bot`.
    pub fn builder(bot: Bot) -> InstanceBuilder {
        InstanceBuilder {
            admin_socket: None,
            admins: HashSet::new(),
            observer: None,
            purge_every: Some(Duration::from_secs(3600)),
            bot,
            policy: None,
            config: None,
            storage: Storage::Disk(PathBuf::from("botwerk-data")),
            key_file: None,
            clock: Arc::new(SystemClock),
            sled: SledOptions::default(),
            adapters: Vec::new(),
        }
    }

    /// The bot's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instance's vault, for operator work and tests.
    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    /// What operator requests act on, with the adapters added so far.
    pub fn operator(&self) -> crate::Operator {
        crate::Operator {
            vault: Arc::clone(&self.vault),
            privacy: Arc::clone(&self.privacy),
            adapters: self.adapters.clone(),
            observer: self
                .observer
                .clone()
                .unwrap_or_else(|| Arc::new(botwerk_core::NoObserver)),
        }
    }

    /// The adapters added so far.
    pub fn adapters(&self) -> Vec<Arc<dyn Adapter>> {
        self.adapters.clone()
    }

    /// The instance's privacy layer: policy, consent, the marketing check.
    pub fn privacy(&self) -> &Arc<Privacy> {
        &self.privacy
    }

    /// Adds a messenger.
    #[must_use]
    pub fn adapter(mut self, adapter: Arc<dyn Adapter>) -> Self {
        self.adapters.push(adapter);
        self
    }

    /// Runs until `shutdown` is cancelled or all input has ended, then drains
    /// the handlers and flushes the vault.
    ///
    /// # Errors
    /// When the vault cannot be flushed at the end.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), InstanceError> {
        let operator = self.operator();
        let store = Arc::new(GatedStore::new(Arc::clone(&self.privacy)));
        let mut services = Services::new(store)
            .with_clock(self.clock)
            .with_gate(Arc::new(PrivacyGate::new(Arc::clone(&self.privacy))));
        services.texts = Arc::clone(self.privacy.texts());
        if let Some(observer) = self.observer {
            services = services.with_observer(observer);
        }
        let handler = if self.admins.is_empty() {
            self.handler
        } else {
            Arc::new(crate::admin_chat::AdminCommands::new(
                self.admins,
                operator.clone(),
                self.handler,
            ))
        };
        let mut runtime = Runtime::new(handler, Arc::new(services));
        for adapter in self.adapters {
            runtime = runtime.adapter(adapter);
        }
        let admin = match self.admin_socket.clone() {
            Some(path) => {
                let stop = shutdown.child_token();
                let task = tokio::spawn({
                    let stop = stop.clone();
                    async move {
                        if let Err(e) = crate::admin::serve(path, operator, stop).await {
                            tracing::error!(error = %e, "the admin socket could not be served");
                        }
                    }
                });
                Some((stop, task))
            }
            None => None,
        };
        let span = tracing::info_span!("bot", bot = %self.name);
        let purging = shutdown.child_token();
        let purger = self
            .purge_every
            .map(|every| tokio::spawn(purge_loop(Arc::clone(&self.vault), every, purging.clone())));
        let result = tracing::Instrument::instrument(runtime.run(shutdown), span).await;
        purging.cancel();
        if let Some(purger) = purger {
            let _ = purger.await;
        }
        if let Some((stop, task)) = admin {
            stop.cancel();
            let _ = task.await;
        }
        result?;
        Ok(())
    }
}

/// Runs the retention purge at start and then every `every`, until cancelled.
async fn purge_loop(vault: Arc<Vault>, every: Duration, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        match vault.purge().await {
            Ok(report) if report.records > 0 => {
                tracing::info!(
                    records = report.records,
                    "retention purge deleted expired records"
                );
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %botwerk_core::HandlerError::from(e), "retention purge failed")
            }
        }
    }
}

impl Bot {
    /// Runs the bot on the console with its data in `./botwerk-data`, until
    /// end of input, Ctrl-C or SIGTERM.
    ///
    /// # Errors
    /// When the bot is not well-formed or its data directory cannot be used.
    pub async fn run_console(self) -> Result<(), InstanceError> {
        Instance::builder(self)
            .adapter(ConsoleAdapter::stdio(ConsoleOptions::default()))
            .build()
            .await?
            .run(botwerk_core::shutdown::on_signals())
            .await
    }
}
