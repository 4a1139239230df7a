//! `TelegramAdapter`: long polling that confirms only what was handled or
//! kept in the store's inbox, and sending within Telegram's limits.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use botwerk_core::{
    Adapter, AdapterError, Body, ChatKind, CommandInfo, Content, ErrorKind, Incoming, Intake,
    MessageId, Outcome, Outgoing, Platform, Secret, Sent, Target,
};
use teloxide::payloads::setters::*;
use teloxide::requests::{JsonRequest, Request, Requester};
use teloxide::types::{BotCommand, ChatId, InputFile, MessageId as TgMessageId};
use teloxide::{Bot, RequestError};
use tokio::time::Instant;

use crate::convert::{convert, BotInfo, Converted, TelegramOrigin};
use crate::inbox;
use crate::journal::{legacy_ids, Journal, LEGACY_FILE, META_KEY};
use crate::limits::{Limiter, Limits};
use crate::send::{
    self, adapter_error, keyboard, redact, with_retry, SendText, MAX_CAPTION, MAX_TEXT,
};
use crate::wire::{Fetched, PollError, PollUpdates, Update, LIMIT};

/// How long a deep link for a refused private answer stays valid.
const DEEP_LINK_TTL: Duration = Duration::from_secs(3600);

/// How long the poll loop waits for the updates in hand to finish before it
/// polls anyway (see `TelegramAdapter::settle`).
const STRAGGLER_WAIT: Duration = Duration::from_millis(50);

/// How long the poll loop lets finished updates gather before it commits
/// them while others are still being handled: under load a commit per
/// finished update would be a sync per update (measured: about a tenth of
/// the throughput). When none is left, it commits at once.
const GATHER: Duration = Duration::from_millis(2);

/// How many updates may be in hand (handed to the runtime, not finished)
/// for the poll loop to poll again: about two rounds of Telegram's largest
/// answer (a poll adds up to 100, and a restart hands back whatever the
/// inbox kept).
const MAX_IN_HAND: usize = 200;

/// How long a finished update waits for the journal before its button press
/// is answered anyway (the journal is failing, say).
const COMMIT_WAIT: Duration = Duration::from_secs(5);

/// How long `run` goes on journaling, after the runtime stopped, the updates
/// still being handled.
const DRAIN_WAIT: Duration = Duration::from_secs(8);

/// How the Telegram adapter connects.
#[derive(Clone, Debug)]
pub struct TelegramConfig {
    /// The bot token from @BotFather.
    pub token: Secret,
    /// The Bot API server (`https://api.telegram.org` when `None`): a
    /// self-hosted Bot API server, or a fake in tests.
    pub api_url: Option<url::Url>,
    /// How long one `getUpdates` long poll waits.
    pub poll_timeout: Duration,
    /// How fast the adapter sends.
    pub limits: Limits,
    /// The instance's data directory. The journal of handled updates lives
    /// in the instance's store; an earlier version's journal file here is
    /// moved into the store and removed at the first start.
    pub state_dir: PathBuf,
}

impl TelegramConfig {
    /// A configuration with the token, Telegram's own server, a 25-second
    /// long poll, Telegram's limits and the journal in `state_dir`.
    pub fn new(token: Secret, state_dir: impl Into<PathBuf>) -> Self {
        Self {
            token,
            api_url: None,
            poll_timeout: Duration::from_secs(25),
            limits: Limits::default(),
            state_dir: state_dir.into(),
        }
    }
}

/// The error of setting up the adapter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TelegramError {
    /// The HTTP client cannot be built.
    #[error("the HTTP client cannot be built: {0}")]
    Client(String),
}

/// Where the updates fetched from Telegram stand.
#[derive(Default)]
struct Progress {
    /// Handed to the runtime and not finished.
    pending: BTreeSet<u32>,
    /// Finished, and not journaled yet.
    done: BTreeSet<u32>,
    /// Dropped by a stopping runtime: never confirmed unless kept, so the
    /// next run gets them again, from Telegram or from the inbox.
    dropped: BTreeSet<u32>,
    /// The highest id seen.
    last_seen: Option<u32>,
    /// In hand, and durable in the store's inbox: Telegram may be told they
    /// arrived before they are finished.
    kept: BTreeSet<u32>,
    /// In hand, written to the inbox, and durable with the next flush.
    keeping: BTreeSet<u32>,
    /// The batches in the store's inbox, by number (the first id in them).
    batches: BTreeMap<u64, Batch>,
    /// The batch of each update in [`Progress::batches`], handled or not:
    /// the journal keeps the handled ones while their batch is kept, so
    /// that a restart does not hand them out again.
    batch_of: HashMap<u32, u64>,
}

/// A batch in the store's inbox.
#[derive(Default)]
struct Batch {
    /// Its updates.
    ids: Vec<u32>,
    /// Those not journaled yet; once none is left, the batch is dropped
    /// from the store at the next commit.
    open: BTreeSet<u32>,
}

impl Progress {
    /// The offset that confirms exactly the updates that are journaled or
    /// kept in the inbox: all below the first one in hand that is neither.
    fn offset(&self) -> Option<u32> {
        let first = [&self.pending, &self.done, &self.dropped]
            .into_iter()
            .filter_map(|ids| ids.iter().find(|id| !self.kept.contains(id)))
            .min()
            .copied();
        match (first, self.last_seen) {
            (Some(first), _) => Some(first),
            (None, Some(last)) => Some(last + 1),
            (None, None) => None,
        }
    }

    fn in_hand(&self, id: u32) -> bool {
        self.pending.contains(&id) || self.done.contains(&id) || self.dropped.contains(&id)
    }

    /// Whether an update being handled holds the offset back, so that a
    /// poll would bring it again.
    fn holds_back(&self) -> bool {
        self.pending
            .iter()
            .any(|id| !self.kept.contains(id) && !self.keeping.contains(id))
    }

    /// Whether the journal must go on knowing `id` after Telegram confirmed
    /// it: it is in a batch the inbox still keeps.
    fn pinned(&self, id: u32) -> bool {
        self.batch_of.contains_key(&id)
    }

    /// Takes the updates of `batch` as kept: now when it is `durable`, else
    /// once the next flush succeeds. `open` are the ones to handle, `ids`
    /// all of them.
    fn keep(&mut self, batch: u64, ids: &[u32], open: &[u32], durable: bool) {
        if durable {
            self.kept.extend(open.iter().copied());
        } else {
            self.keeping.extend(open.iter().copied());
        }
        let entry = self.batches.entry(batch).or_default();
        entry.ids.extend(ids.iter().copied());
        entry.open.extend(open.iter().copied());
        for &id in ids {
            self.batch_of.insert(id, batch);
        }
    }

    /// A batch has left the store.
    fn dropped_batch(&mut self, batch: u64) {
        if let Some(gone) = self.batches.remove(&batch) {
            for id in gone.ids {
                self.batch_of.remove(&id);
            }
        }
    }

    /// After a flush: what was being kept is kept, and the journaled
    /// updates leave their batches. Returns the batches that are empty now.
    fn flushed(&mut self, journaled: &[u32]) -> Vec<u64> {
        let keeping = std::mem::take(&mut self.keeping);
        self.kept.extend(keeping);
        for id in journaled {
            self.done.remove(id);
            self.kept.remove(id);
            if let Some(batch) = self.batch_of.get(id) {
                if let Some(batch) = self.batches.get_mut(batch) {
                    batch.open.remove(id);
                }
            }
        }
        self.batches
            .iter()
            .filter(|(_, batch)| batch.open.is_empty())
            .map(|(&number, _)| number)
            .collect()
    }
}

/// A request from a group whose private answer waits for the person to open
/// a private chat with the bot.
struct Waiting {
    user_id: i64,
    content: Content,
    until: Instant,
}

/// A messenger connection to Telegram.
pub struct TelegramAdapter {
    bot: Bot,
    config: TelegramConfig,
    me: OnceLock<BotInfo>,
    limiter: Limiter,
    journal: Mutex<Journal>,
    progress: Mutex<Progress>,
    waiting: Mutex<HashMap<String, Waiting>>,
    links_by_update: Mutex<HashMap<u32, String>>,
    /// Woken when an update finishes, so that the poll loop can confirm the
    /// updates in hand once they are all done.
    finished_one: tokio::sync::Notify,
    /// Woken after every journal commit.
    committed: tokio::sync::Notify,
    /// Whether the last poll reached Telegram (for `/readyz`).
    connected: std::sync::atomic::AtomicBool,
    /// Whether the last commit failed (an outage is counted once).
    store_failing: std::sync::atomic::AtomicBool,
    /// Held by the one task that writes the journal.
    journal_writer: tokio::sync::Mutex<()>,
}

impl TelegramAdapter {
    /// An adapter for `config`; nothing is contacted before `run`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(config: TelegramConfig) -> Result<Arc<Self>, TelegramError> {
        let mut client = teloxide::net::default_reqwest_settings()
            .timeout(config.poll_timeout + Duration::from_secs(15));
        let loopback = config
            .api_url
            .as_ref()
            .and_then(|u| u.host_str())
            .is_some_and(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]");
        if loopback {
            client = client.no_proxy();
        }
        let client = client
            .build()
            .map_err(|e| TelegramError::Client(redact(&e, config.token.expose())))?;
        let mut bot = Bot::with_client(config.token.expose(), client);
        if let Some(url) = &config.api_url {
            bot = bot.set_api_url(url.clone());
        }
        Ok(Arc::new(Self {
            bot,
            limiter: Limiter::new(config.limits),
            config,
            me: OnceLock::new(),
            // Loaded from the store when `run` starts.
            journal: Mutex::new(Journal::default()),
            // No offset at first: Telegram then resends every update not yet
            // confirmed, and the journal tells which of them were handled.
            progress: Mutex::new(Progress::default()),
            waiting: Mutex::new(HashMap::new()),
            links_by_update: Mutex::new(HashMap::new()),
            finished_one: tokio::sync::Notify::new(),
            committed: tokio::sync::Notify::new(),
            connected: std::sync::atomic::AtomicBool::new(false),
            store_failing: std::sync::atomic::AtomicBool::new(false),
            journal_writer: tokio::sync::Mutex::new(()),
        }))
    }

    fn token(&self) -> &str {
        self.config.token.expose()
    }

    /// Asks Telegram who the bot is, retrying with backoff until it answers
    /// or the intake stops.
    async fn connect(&self, intake: &Intake) -> Option<BotInfo> {
        let mut backoff = Duration::from_millis(500);
        loop {
            let result = tokio::select! {
                () = intake.stopped() => return None,
                result = self.bot.get_me().send() => result,
            };
            match result {
                Ok(me) => {
                    return Some(BotInfo {
                        id: me.user.id.0,
                        username: me.user.username.clone().unwrap_or_default(),
                    })
                }
                Err(e) => {
                    intake.report(ErrorKind::Receive);
                    tracing::warn!(error = %redact(&e, self.token()), "Telegram does not answer getMe; retrying");
                    tokio::select! {
                        () = intake.stopped() => return None,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                }
            }
        }
    }

    /// Registers the commands, in the default language and in every other.
    async fn register(&self, commands: &[CommandInfo]) {
        let mut languages: BTreeSet<&str> = BTreeSet::new();
        for info in commands {
            languages.extend(info.descriptions.keys().map(String::as_str));
        }
        for lang in languages {
            let list: Vec<BotCommand> = commands
                .iter()
                .map(|c| {
                    let text = c
                        .descriptions
                        .get(lang)
                        .or_else(|| c.descriptions.get("en"))
                        .cloned()
                        .unwrap_or_else(|| c.name.clone());
                    BotCommand::new(c.name.clone(), text.chars().take(256).collect::<String>())
                })
                .collect();
            let request = self.bot.set_my_commands(list);
            let result = if lang == "en" {
                request.send().await
            } else {
                request.language_code(lang).send().await
            };
            if let Err(e) = result {
                tracing::warn!(lang, error = %redact(&e, self.token()), "could not register the commands");
            }
        }
    }

    /// Turns a `/start <payload>` from a deep link back into the request that
    /// could not be answered in the group.
    fn resume(&self, mut incoming: Incoming) -> Incoming {
        let Content::Command { name, args } = &incoming.content else {
            return incoming;
        };
        if name != "start" || args.is_empty() || !incoming.chat.is_private() {
            return incoming;
        }
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        waiting.retain(|_, w| w.until > now);
        let user: i64 = incoming
            .sender
            .identity
            .user
            .as_str()
            .parse()
            .unwrap_or_default();
        if waiting.get(args).is_some_and(|w| w.user_id == user) {
            if let Some(w) = waiting.remove(args) {
                incoming.content = w.content;
            }
        }
        incoming
    }

    /// Takes one update: skips what was handled or is in hand, hands the rest
    /// to the runtime.
    async fn take(&self, update: Update, intake: &Intake, me: &BotInfo) -> bool {
        let id = update.id;
        {
            let journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
            let mut progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
            progress.last_seen = Some(progress.last_seen.map_or(id, |l| l.max(id)));
            if journal.contains(id) || progress.in_hand(id) {
                return true;
            }
        }
        let incoming = match convert(&update, me) {
            Converted::Incoming(incoming) => self.resume(incoming),
            Converted::Skip(reason) => {
                tracing::debug!(reason, "update skipped");
                self.progress
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .done
                    .insert(id);
                return true;
            }
        };
        self.progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pending
            .insert(id);
        if self
            .committing(intake, intake.submit(incoming))
            .await
            .is_err()
        {
            self.progress
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pending
                .remove(&id);
            return false;
        }
        true
    }

    /// Marks `id` as finished, and returns once the poll loop has journaled
    /// it (at most [`COMMIT_WAIT`] later).
    async fn finish(&self, id: u32) {
        {
            let mut progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
            progress.pending.remove(&id);
            progress.done.insert(id);
        }
        self.finished_one.notify_one();
        let deadline = tokio::time::Instant::now() + COMMIT_WAIT;
        loop {
            let committed = self.committed.notified();
            if !self
                .progress
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .done
                .contains(&id)
            {
                return;
            }
            tokio::select! {
                () = committed => {}
                () = tokio::time::sleep_until(deadline) => {
                    tracing::warn!("a handled update is not journaled yet; answering anyway");
                    return;
                }
            }
        }
    }

    /// Makes the finished updates durable: the journal entry that says they
    /// were handled goes into the store after everything their handlers
    /// wrote, and one flush makes both durable, so that a crash keeps both
    /// or neither. The same flush makes the batches written to the inbox
    /// since durable. The next poll then confirms what is journaled or kept,
    /// up to the first update in hand that is neither.
    /// What cannot be journaled stays unconfirmed (or in the inbox), is
    /// tried again with the next commit, and comes again after a restart.
    /// Last, batches whose updates are all journaled leave the inbox.
    async fn commit(&self, intake: &Intake) {
        let _writer = self.journal_writer.lock().await;
        let (ids, keeping, empty) = {
            let progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
            (
                progress.done.iter().copied().collect::<Vec<u32>>(),
                !progress.keeping.is_empty(),
                progress.batches.values().any(|b| b.open.is_empty()),
            )
        };
        if ids.is_empty() && !keeping && !empty {
            return;
        }
        let handled = self
            .journal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .with(&ids);
        let written = if ids.is_empty() {
            intake.flush_store().await
        } else {
            match intake.set_meta(META_KEY, &Journal::encode(&handled)).await {
                Ok(()) => intake.flush_store().await,
                Err(e) => Err(e),
            }
        };
        let handled_batches = match written {
            Ok(()) => {
                self.store_failing
                    .store(false, std::sync::atomic::Ordering::Relaxed);
                if !ids.is_empty() {
                    self.journal
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .adopt(handled);
                }
                self.progress
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .flushed(&ids)
            }
            Err(e) => {
                // One count per outage, not per retry of it.
                if !self
                    .store_failing
                    .swap(true, std::sync::atomic::Ordering::Relaxed)
                {
                    intake.report(ErrorKind::Store);
                }
                tracing::error!(
                    error = %e,
                    "the store cannot take the journal of handled updates; they stay unconfirmed"
                );
                Vec::new()
            }
        };
        self.committed.notify_waiters();
        // Handled, and what handling them wrote is durable: the batches'
        // keys are destroyed and the batches deleted. One that cannot be
        // dropped now is tried again at the next commit.
        for batch in handled_batches {
            match intake.drop_input(inbox::NAME, batch).await {
                Ok(()) => {
                    self.progress
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .dropped_batch(batch);
                }
                Err(e) => {
                    tracing::error!(error = %e, "a handled batch of updates cannot leave the inbox yet");
                }
            }
        }
    }

    /// Takes the batches of updates that the store's inbox kept from an
    /// earlier run (confirmed to Telegram, not all handled): hands their
    /// updates that the journal does not know to the runtime, before the
    /// first poll. `Ok(false)`: the intake stopped.
    ///
    /// # Errors
    /// When the inbox cannot be read: polling without it would let the
    /// journal forget what its batches need; the adapter is started again.
    async fn restore(&self, intake: &Intake, me: &BotInfo) -> Result<bool, AdapterError> {
        let kept = intake.kept_input(inbox::NAME).await.map_err(|e| {
            tracing::error!(error = %e, "the kept updates cannot be read from the store");
            AdapterError::Transport(e.into())
        })?;
        let mut restored = 0usize;
        for (batch, bytes) in kept {
            let texts = inbox::decode(&bytes).unwrap_or_default();
            let updates: Vec<Update> = texts.iter().filter_map(|t| Update::parse(t)).collect();
            if updates.len() < texts.len() || (texts.is_empty() && !bytes.is_empty()) {
                // Nothing can be done with them: they are dropped with the batch.
                tracing::error!(
                    lost = texts.len().saturating_sub(updates.len()).max(1),
                    "kept updates that do not read are dropped"
                );
            }
            let ids: Vec<u32> = updates.iter().map(|u| u.id).collect();
            let open: Vec<Update> = {
                let journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
                updates
                    .into_iter()
                    .filter(|u| !journal.contains(u.id))
                    .collect()
            };
            let open_ids: Vec<u32> = open.iter().map(|u| u.id).collect();
            self.progress
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .keep(batch, &ids, &open_ids, true);
            for update in open {
                restored += 1;
                if !self.take(update, intake, me).await {
                    return Ok(false);
                }
            }
        }
        // The restored ids say nothing about what Telegram confirmed: the
        // first poll asks for everything unconfirmed.
        self.progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .last_seen = None;
        if restored > 0 {
            tracing::info!(restored, "handling the updates kept from the last run");
        }
        Ok(true)
    }

    /// Reads the journal from the store, and moves an earlier version's
    /// journal file into it.
    async fn load_journal(&self, intake: &Intake) -> Result<(), AdapterError> {
        // A store that cannot be read may recover: the adapter is started
        // again. What is there but unusable never will: it is reported, and
        // the bot goes on without it, at the risk of handling the updates
        // of one unconfirmed round again, rather than stopping for good.
        let stored = intake.meta(META_KEY).await.map_err(|e| {
            tracing::error!(error = %e, "the journal of handled updates cannot be read from the store");
            AdapterError::Transport(e.into())
        })?;
        let path = self.config.state_dir.join(LEGACY_FILE);
        let legacy = {
            let file = path.clone();
            match tokio::task::spawn_blocking(move || legacy_ids(&file)).await {
                Ok(Ok(ids)) => ids,
                Ok(Err(e)) => {
                    tracing::error!(
                        error = %e,
                        file = %path.display(),
                        "an old journal file of handled updates cannot be read; going on without it"
                    );
                    None
                }
                Err(e) => return Err(AdapterError::Transport(e.into())),
            }
        };
        let handled = {
            let mut journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(stored) = stored {
                if let Err(e) = journal.load(&stored) {
                    tracing::error!(
                        error = %e,
                        "the journal of handled updates is unusable; going on without it"
                    );
                }
            }
            let Some(legacy) = legacy else {
                return Ok(());
            };
            journal.extend(legacy);
            journal.with(&[])
        };
        let moved = match intake.set_meta(META_KEY, &Journal::encode(&handled)).await {
            Ok(()) => intake.flush_store().await,
            Err(e) => Err(e),
        };
        if let Err(e) = moved {
            // The file stays and is read again at the next start.
            tracing::error!(error = %e, "the old journal file could not be moved into the store");
            return Err(AdapterError::Transport(e.into()));
        }
        match std::fs::remove_file(&path) {
            Ok(()) => tracing::info!("moved the journal of handled updates into the store"),
            Err(e) => tracing::warn!(
                error = %e,
                "the old journal file, now in the store, could not be removed"
            ),
        }
        Ok(())
    }

    /// After the runtime stopped: journals the updates it still finishes,
    /// until none is left in hand or [`DRAIN_WAIT`] has passed.
    async fn drain(&self, intake: &Intake) {
        let deadline = tokio::time::Instant::now() + DRAIN_WAIT;
        loop {
            let finished = self.finished_one.notified();
            self.commit(intake).await;
            {
                let progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
                if progress.pending.is_empty() && progress.done.is_empty() {
                    return;
                }
            }
            tokio::select! {
                () = finished => {}
                () = tokio::time::sleep(STRAGGLER_WAIT) => {}
                () = tokio::time::sleep_until(deadline) => return,
            }
        }
    }

    /// Of the fetched updates, the ones not seen before. When the answer was
    /// full, more updates are waiting: then the new ones are written to the
    /// store's inbox as one batch (durable with the next commit's flush), so
    /// that the next poll may confirm them and fetch more while they are
    /// handled. Otherwise, or when the store does not keep them, they are
    /// confirmed once handled, and a bot that is not busy writes no message
    /// to disk.
    async fn keep(&self, intake: &Intake, fetched: Vec<Fetched>) -> Vec<Update> {
        let full = fetched.len() >= usize::from(LIMIT);
        let fresh: Vec<Fetched> = {
            let journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
            let mut progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(last) = fetched.iter().map(|f| f.update.id).max() {
                progress.last_seen = Some(progress.last_seen.map_or(last, |l| l.max(last)));
            }
            fetched
                .into_iter()
                .filter(|f| !journal.contains(f.update.id) && !progress.in_hand(f.update.id))
                .collect()
        };
        let Some(first) = fresh.first().map(|f| u64::from(f.update.id)) else {
            return Vec::new();
        };
        // A batch number is its first update's id, never fresh twice; the
        // check keeps the inbox and the progress from ever disagreeing.
        let taken = self
            .progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .batches
            .contains_key(&first);
        if !full || taken {
            return fresh.into_iter().map(|f| f.update).collect();
        }
        let batch = inbox::encode(fresh.iter().map(|f| f.json.as_str()));
        match intake.keep_input(inbox::NAME, first, &batch).await {
            Ok(true) => {
                let ids: Vec<u32> = fresh.iter().map(|f| f.update.id).collect();
                self.progress
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .keep(first, &ids, &ids, false);
            }
            Ok(false) => {
                tracing::debug!(
                    "the store keeps no more updates; these are confirmed once handled"
                );
            }
            Err(e) => {
                tracing::warn!(error = %e, "the store cannot keep fetched updates; they are confirmed once handled");
            }
        }
        fresh.into_iter().map(|f| f.update).collect()
    }

    /// Waits until the next poll may go out. Updates in hand that are kept
    /// in the inbox (or being kept) need only room: at most [`MAX_IN_HAND`]
    /// in hand. One that is not kept holds the offset back, and polling
    /// would only bring it again (Telegram resends every update below the
    /// offset it was given): then the poll waits for it to finish, or at
    /// most [`STRAGGLER_WAIT`] when it takes long, so that a straggler costs
    /// a poll per `STRAGGLER_WAIT`, not one per finished update. The same
    /// wait follows a poll that brought nothing new while updates are in
    /// hand. Meanwhile what finishes is committed, gathered for [`GATHER`],
    /// since handlers wait for that. False: the intake stopped.
    async fn settle(&self, intake: &Intake, fresh: bool) -> bool {
        let deadline = tokio::time::Instant::now() + STRAGGLER_WAIT;
        loop {
            let finished = self.finished_one.notified();
            let (busy, full) = {
                let progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
                let busy = progress.holds_back() || (!fresh && !progress.pending.is_empty());
                (busy, progress.pending.len() >= MAX_IN_HAND)
            };
            if !busy && !full {
                return true;
            }
            tokio::select! {
                () = intake.stopped() => return false,
                () = finished => {
                    // A handler waits for its commit before its chat goes
                    // on: without one, a busy chat would move one update
                    // per wait, and at the limit there would be no room.
                    self.gather().await;
                    self.commit(intake).await;
                }
                () = tokio::time::sleep_until(deadline), if !full => return true,
            }
        }
    }

    async fn poll(&self, intake: &Intake, me: &BotInfo) -> Result<(), AdapterError> {
        let mut backoff = Duration::from_millis(500);
        let timeout = u32::try_from(self.config.poll_timeout.as_secs()).unwrap_or(25);
        let mut fresh = true;
        loop {
            if !self.settle(intake, fresh).await {
                return Ok(());
            }
            self.commit(intake).await;
            let offset = self
                .progress
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .offset();
            let request = PollUpdates::new(
                offset.map(|offset| i32::try_from(offset).unwrap_or(i32::MAX)),
                timeout,
            );
            // Updates finishing during a long poll are journaled meanwhile.
            let result = tokio::select! {
                () = intake.stopped() => return Ok(()),
                result = self.committing(intake, request.send(&self.bot)) => result,
            };
            let wait = match result {
                Ok(fetched) => {
                    self.connected
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    if let Some(offset) = offset {
                        // The journal before the progress, as everywhere.
                        let mut journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
                        let progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
                        journal.confirmed(offset, |id| progress.pinned(id));
                    }
                    backoff = Duration::from_millis(500);
                    let new = self.keep(intake, fetched).await;
                    fresh = !new.is_empty();
                    for update in new {
                        if !self.take(update, intake, me).await {
                            return Ok(());
                        }
                    }
                    continue;
                }
                Err(PollError::RetryAfter(wait)) => wait,
                Err(e) => {
                    self.connected
                        .store(false, std::sync::atomic::Ordering::Relaxed);
                    intake.report(ErrorKind::Receive);
                    tracing::warn!(error = %redact(&e, self.token()), "getUpdates failed; retrying");
                    let wait = backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                    wait
                }
            };
            tokio::select! {
                () = intake.stopped() => return Ok(()),
                () = self.committing(intake, tokio::time::sleep(wait)) => {}
            }
        }
    }

    /// Awaits `work` (a full intake, a poll, a pause before the next poll)
    /// while committing what finishes meanwhile, [`GATHER`] after the first
    /// of them, so that handlers waiting for their commit are not held up
    /// by the poll loop waiting too (for longer than one round's hand-over).
    async fn committing<F: std::future::Future>(&self, intake: &Intake, work: F) -> F::Output {
        tokio::pin!(work);
        loop {
            let finished = self.finished_one.notified();
            tokio::select! {
                biased;
                output = &mut work => return output,
                () = finished => {
                    // Others finish meanwhile, or the work ends (the poll
                    // loop commits after a poll, and after the last
                    // hand-over of a round): one sync for many.
                    tokio::select! {
                        biased;
                        output = &mut work => return output,
                        () = self.gather() => {}
                    }
                    self.commit(intake).await;
                }
            }
        }
    }

    /// Waits up to [`GATHER`] for more updates to finish before a commit,
    /// and no longer once none is left to finish: the last update of a
    /// round, or an idle bot's only one, is committed at once.
    async fn gather(&self) {
        let deadline = tokio::time::Instant::now() + GATHER;
        loop {
            let finished = self.finished_one.notified();
            if self
                .progress
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pending
                .is_empty()
            {
                return;
            }
            tokio::select! {
                () = finished => {}
                () = tokio::time::sleep_until(deadline) => return,
            }
        }
    }

    fn chat_id(id: &str) -> Result<i64, AdapterError> {
        id.parse()
            .map_err(|_| AdapterError::Invalid("a Telegram chat id is a number".into()))
    }

    async fn deliver(&self, chat: i64, group: bool, body: &Body) -> Result<Sent, RequestError> {
        let limiter = || self.limiter.acquire(chat, group);
        match body {
            Body::Text { text, buttons } => {
                let parts = send::split(text, MAX_TEXT);
                let count = parts.len();
                let mut last = None;
                for (i, part) in parts.into_iter().enumerate() {
                    let markup = if i + 1 == count {
                        keyboard(buttons)
                    } else {
                        None
                    };
                    let payload = SendText {
                        chat_id: chat,
                        text: part,
                        reply_markup: markup,
                    };
                    let sent = with_retry(limiter, || {
                        JsonRequest::new(self.bot.clone(), payload.clone()).send()
                    })
                    .await?;
                    last = Some(sent.message_id);
                }
                Ok(Sent {
                    message: last.map(|id| MessageId::from(i64::from(id))),
                })
            }
            Body::File { file, caption } => {
                let fits = caption
                    .as_ref()
                    .is_none_or(|c| c.encode_utf16().count() <= MAX_CAPTION);
                let message = with_retry(limiter, || {
                    let input = InputFile::memory(file.bytes.clone()).file_name(file.name.clone());
                    let mut request = self.bot.send_document(ChatId(chat), input);
                    if let (Some(caption), true) = (caption, fits) {
                        request = request.caption(caption.clone());
                    }
                    request.send()
                })
                .await?;
                if let (Some(caption), false) = (caption, fits) {
                    let text = Body::Text {
                        text: caption.clone(),
                        buttons: botwerk_core::Buttons::none(),
                    };
                    Box::pin(self.deliver(chat, group, &text)).await?;
                }
                Ok(Sent {
                    message: Some(MessageId::from(i64::from(message.id.0))),
                })
            }
            Body::Edit {
                message,
                text,
                buttons,
            } => {
                let id: i32 = message
                    .as_str()
                    .parse()
                    .map_err(|_| RequestError::Api(teloxide::ApiError::MessageToEditNotFound))?;
                let text: String = send::split(text, MAX_TEXT)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                let edited = with_retry(limiter, || {
                    let mut request =
                        self.bot
                            .edit_message_text(ChatId(chat), TgMessageId(id), text.clone());
                    if let Some(markup) = keyboard(buttons) {
                        request = request.reply_markup(markup);
                    }
                    request.send()
                })
                .await?;
                Ok(Sent {
                    message: Some(MessageId::from(i64::from(edited.id.0))),
                })
            }
        }
    }

    /// Keeps the request of a refused private answer for a deep link; one
    /// link per update.
    fn deep_link(&self, origin: &TelegramOrigin) -> String {
        let me = self
            .me
            .get()
            .map(|m| m.username.clone())
            .unwrap_or_default();
        let mut links = self
            .links_by_update
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if links.len() > 10_000 {
            links.clear();
        }
        let token = links
            .entry(origin.update_id)
            .or_insert_with(|| {
                let token = botwerk_core::SubjectId::from_bytes(random_bytes()).to_string();
                self.waiting
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(
                        token.clone(),
                        Waiting {
                            user_id: origin.user_id,
                            content: origin.content.clone(),
                            until: Instant::now() + DEEP_LINK_TTL,
                        },
                    );
                token
            })
            .clone();
        format!("https://t.me/{me}?start={token}")
    }
}

/// 16 random bytes for a deep-link payload (it carries no personal data).
fn random_bytes() -> [u8; 16] {
    let mut out = [0u8; 16];
    for chunk in out.chunks_mut(8) {
        let n = std::collections::hash_map::RandomState::new();
        let v = std::hash::BuildHasher::hash_one(&n, Instant::now());
        chunk.copy_from_slice(&v.to_le_bytes()[..chunk.len()]);
    }
    out
}

#[async_trait]
impl Adapter for TelegramAdapter {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn is_ready(&self) -> bool {
        self.connected.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn run(&self, intake: Intake) -> Result<(), AdapterError> {
        let Some(me) = self.connect(&intake).await else {
            return Ok(());
        };
        let me = self.me.get_or_init(|| me).clone();
        self.load_journal(&intake).await?;
        if let Err(e) = self.bot.delete_webhook().send().await {
            tracing::warn!(error = %redact(&e, self.token()), "could not remove a webhook");
        }
        self.register(intake.commands()).await;
        if !self.restore(&intake, &me).await? {
            self.drain(&intake).await;
            return Ok(());
        }
        tracing::info!("connected to Telegram; polling for updates");
        let result = self.poll(&intake, &me).await;
        self.drain(&intake).await;
        result
    }

    async fn send(&self, out: Outgoing) -> Result<Sent, AdapterError> {
        let (chat, group, from_group) = match &out.target {
            Target::Chat(chat) => (
                Self::chat_id(chat.id.as_str())?,
                chat.kind == ChatKind::Group,
                false,
            ),
            Target::Private { user, from } => {
                let from_group = from.as_ref().is_some_and(|c| c.kind == ChatKind::Group);
                // A private chat's id on Telegram is the user's id.
                (Self::chat_id(user.user.as_str())?, false, from_group)
            }
        };
        match self.deliver(chat, group, &out.body).await {
            Ok(sent) => Ok(sent),
            Err(e) if from_group && send::is_forbidden(&e) => {
                match out.origin.get::<TelegramOrigin>() {
                    Some(origin) => Err(AdapterError::NeedsPrivateChat {
                        link: self.deep_link(origin),
                    }),
                    None => Err(adapter_error(e, self.token())),
                }
            }
            Err(e) => Err(adapter_error(e, self.token())),
        }
    }

    async fn finished(&self, incoming: &Incoming, outcome: Outcome) {
        let Some(origin) = incoming.origin.get::<TelegramOrigin>() else {
            return;
        };
        // Journaled first: once the person sees the answer, the update counts
        // as handled for good. A dropped one is not journaled: Telegram, or
        // the inbox for a kept one, hands it to the next run.
        if outcome == Outcome::Dropped {
            let mut progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
            progress.pending.remove(&origin.update_id);
            progress.dropped.insert(origin.update_id);
            drop(progress);
            self.finished_one.notify_one();
        } else {
            self.finish(origin.update_id).await;
        }
        if let Some(callback) = &origin.callback {
            let answer = self
                .bot
                .answer_callback_query(callback.clone().into())
                .send()
                .await;
            if let Err(e) = answer {
                tracing::debug!(error = %redact(&e, self.token()), "could not answer a callback query");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_batch_is_confirmed_before_it_is_handled_and_pins_its_handled_ids() {
        let mut progress = Progress {
            last_seen: Some(12),
            ..Progress::default()
        };
        progress.pending.extend([10, 11, 12]);
        progress.keep(10, &[10, 11, 12], &[10, 11, 12], false);
        assert_eq!(progress.offset(), Some(10), "not durable yet");
        assert!(!progress.holds_back(), "but the next poll need not wait");
        assert!(progress.flushed(&[]).is_empty());
        assert_eq!(progress.offset(), Some(13), "durable: confirmed unhandled");

        for id in [10, 11] {
            progress.pending.remove(&id);
            progress.done.insert(id);
        }
        assert!(progress.flushed(&[10, 11]).is_empty(), "12 is still open");
        assert!(progress.pinned(10) && progress.pinned(11));
        progress.pending.remove(&12);
        progress.done.insert(12);
        assert_eq!(progress.flushed(&[12]), vec![10], "all handled: drop it");
        progress.dropped_batch(10);
        assert!(!progress.pinned(10) && !progress.pinned(12));
        assert!(progress.batches.is_empty());
    }

    #[test]
    fn an_update_that_is_not_kept_holds_the_offset_back() {
        let mut progress = Progress {
            last_seen: Some(21),
            ..Progress::default()
        };
        progress.pending.extend([20, 21]);
        progress.keep(21, &[21], &[21], true);
        assert!(progress.holds_back());
        assert_eq!(progress.offset(), Some(20));
        progress.pending.remove(&20);
        progress.done.insert(20);
        assert_eq!(progress.offset(), Some(20), "finished, not journaled");
        progress.flushed(&[20]);
        assert_eq!(progress.offset(), Some(22));
    }
}
