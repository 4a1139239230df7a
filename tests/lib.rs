//! Shared helpers of Botwerk's end-to-end tests.

use std::io::Write;
use std::sync::{Arc, Mutex};

use botwerk::core::{CancellationToken, ManualClock, Outcome};
use botwerk::privacy::Policy;
use botwerk::vault::Vault;
use botwerk::{Bot, Instance, InstanceBuilder};
use botwerk_testkit::{MemoryAdapter, Person, SentMessage, Users};
use chrono::{DateTime, Utc};

/// A `Write` whose bytes a test reads afterwards: the console's output.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The sample policy of the demo shop.
pub fn shop_policy() -> Policy {
    Policy::parse(
        botwerk_shop::SAMPLE_POLICY,
        std::path::Path::new("policy.toml"),
    )
    .expect("the sample policy parses")
}

/// The start of every test's clock: 2026-03-01, noon UTC.
pub fn start_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_772_366_400, 0).expect("a valid time")
}

/// A bot running on the memory adapter with a sled data directory and a
/// clock the test controls.
pub struct Harness {
    /// The people's side of the adapter.
    pub users: Users,
    /// The instance's vault.
    pub vault: Arc<Vault>,
    /// The instance's privacy layer.
    pub privacy: Arc<botwerk::privacy::Privacy>,
    /// The clock.
    pub clock: Arc<ManualClock>,
    /// The data directory (removed at the end).
    pub dir: tempfile::TempDir,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), botwerk::InstanceError>>,
}

impl Harness {
    /// Starts `bot` under `policy`.
    pub async fn start(bot: Bot, policy: Policy) -> Self {
        Self::start_with(bot, policy, |builder| builder).await
    }

    /// Starts `bot` under `policy`, with more settings made by `configure`.
    pub async fn start_with(
        bot: Bot,
        policy: Policy,
        configure: impl FnOnce(InstanceBuilder) -> InstanceBuilder,
    ) -> Self {
        let (adapter, users) = MemoryAdapter::new();
        let dir = tempfile::tempdir().expect("a temp dir");
        let clock = Arc::new(ManualClock::new(start_time()));
        let builder = Instance::builder(bot)
            .data_dir(dir.path().join("data"))
            .key_file(dir.path().join("instance.key"))
            .policy(policy)
            .clock(clock.clone())
            .adapter(adapter);
        let instance = configure(builder)
            .build()
            .await
            .expect("the instance builds");
        let vault = Arc::clone(instance.vault());
        let privacy = Arc::clone(instance.privacy());
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(instance.run(shutdown.clone()));
        Self {
            users,
            vault,
            privacy,
            clock,
            dir,
            shutdown,
            task,
        }
    }

    /// The demo shop under its sample policy.
    pub async fn shop() -> Self {
        Self::start(botwerk_shop::bot(), shop_policy()).await
    }

    /// Sends a line as `person`, waits until it is handled, returns the replies.
    pub async fn say(&self, person: &Person, line: &str) -> Vec<SentMessage> {
        let before = self.users.sent().len();
        assert_eq!(
            self.users.send(person.says(line)).await,
            Outcome::Handled,
            "{line}"
        );
        self.users.sent_since(before)
    }

    /// Presses a button as `person`, returns the replies.
    pub async fn press(&self, person: &Person, data: &str) -> Vec<SentMessage> {
        let before = self.users.sent().len();
        assert_eq!(
            self.users.send(person.presses(data)).await,
            Outcome::Handled,
            "{data}"
        );
        self.users.sent_since(before)
    }

    /// The data of the newest button whose label contains `label`.
    pub fn button(&self, label: &str) -> String {
        self.users
            .sent()
            .into_iter()
            .rev()
            .find_map(|m| {
                m.buttons()
                    .into_iter()
                    .find(|(l, _)| l.contains(label))
                    .map(|(_, d)| d)
            })
            .unwrap_or_else(|| panic!("no button labelled {label:?}"))
    }

    /// Presses the newest button whose label contains `label`.
    pub async fn tap(&self, person: &Person, label: &str) -> Vec<SentMessage> {
        let data = self.button(label);
        self.press(person, &data).await
    }

    /// The root of the data directory.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// Stops the instance (drain, flush) and closes its store; returns the
    /// data directory for inspection.
    pub async fn stop(self) -> tempfile::TempDir {
        self.shutdown.cancel();
        drop(self.users);
        self.task
            .await
            .expect("the instance does not panic")
            .expect("the instance stops cleanly");
        // The store closes with the last handle on the vault.
        drop(self.privacy);
        drop(self.vault);
        self.dir
    }
}

/// Counts handled updates, so that a test can wait for the bot to be done
/// with what it pushed through a fake server.
#[derive(Default)]
pub struct Handled {
    count: std::sync::atomic::AtomicUsize,
    changed: tokio::sync::Notify,
}

impl Handled {
    /// How many updates were handled so far.
    pub fn count(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits until `n` updates were handled in all.
    ///
    /// # Panics
    /// After `timeout`.
    pub async fn wait(&self, n: usize, timeout: std::time::Duration) {
        let wait = async {
            loop {
                let changed = self.changed.notified();
                if self.count() >= n {
                    return;
                }
                changed.await;
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{n} updates were not handled in time ({} were)",
                    self.count()
                )
            });
    }
}

impl botwerk::core::Observer for Handled {
    fn update_handled(
        &self,
        _: botwerk::core::Platform,
        _: botwerk::core::Outcome,
        _: std::time::Duration,
    ) {
        self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.changed.notify_waiters();
    }
}

/// All the text of a batch of replies, joined.
pub fn texts(replies: &[SentMessage]) -> String {
    replies
        .iter()
        .map(|m| m.text().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}
