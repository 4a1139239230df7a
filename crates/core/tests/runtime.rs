//! The runtime's ordering, parallelism, failure handling and shutdown.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use botwerk_core::{
    CancellationToken, Chat, Ctx, ErrorKind, Handler, HandlerResult, Identity, MemoryStore,
    Observer, Outcome, Platform, RecordPage, Runtime, Services, Store, StoreError, SubjectId,
};
use botwerk_testkit::{MemoryAdapter, Person, Users};
use tokio::sync::Notify;

/// Echoes the text after a delay that differs per message, so that a runtime
/// that does not keep order would reorder the replies.
struct SlowEcho {
    running: AtomicUsize,
    most_parallel: AtomicUsize,
}

#[async_trait]
impl Handler for SlowEcho {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_parallel.fetch_max(now, Ordering::SeqCst);
        let text = ctx.incoming().text().unwrap_or_default().to_owned();
        let n: u64 = text
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        // Earlier messages sleep longer: reordering would show.
        tokio::time::sleep(Duration::from_millis(50 - n * 4)).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        ctx.reply(text).await?;
        Ok(())
    }
}

fn start(handler: Arc<dyn Handler>) -> (Users, CancellationToken, tokio::task::JoinHandle<()>) {
    let (adapter, users) = MemoryAdapter::new();
    let services = Arc::new(Services::new(Arc::new(MemoryStore::new())));
    let shutdown = CancellationToken::new();
    let runtime = Runtime::new(handler, services).adapter(adapter);
    let token = shutdown.clone();
    let task = tokio::spawn(async move { runtime.run(token).await.expect("clean stop") });
    (users, shutdown, task)
}

#[tokio::test(start_paused = true)]
async fn interleaved_chats_keep_their_order_and_run_in_parallel() {
    let echo = Arc::new(SlowEcho {
        running: AtomicUsize::new(0),
        most_parallel: AtomicUsize::new(0),
    });
    let (users, _shutdown, _task) = start(echo.clone());
    let alice = Person::new("alice");
    let bob = Person::new("bob");

    let mut tickets = Vec::new();
    for i in 0..10 {
        tickets.push(users.submit(alice.says(&format!("alice-{i}"))).await);
        tickets.push(users.submit(bob.says(&format!("bob-{i}"))).await);
    }
    for ticket in tickets {
        assert_eq!(ticket.await.unwrap(), Outcome::Handled);
    }

    for (person, name) in [(&alice, "alice"), (&bob, "bob")] {
        let replies: Vec<String> = users
            .sent()
            .into_iter()
            .filter(|m| m.is_public_in(person.chat()))
            .map(|m| m.text().to_owned())
            .collect();
        let expected: Vec<String> = (0..10).map(|i| format!("{name}-{i}")).collect();
        assert_eq!(replies, expected, "{name}'s replies are in order");
    }
    assert_eq!(
        echo.most_parallel.load(Ordering::SeqCst),
        2,
        "the two chats ran at once"
    );
}

/// Blocks until released, then replies and notes it.
struct Blocking {
    entered: Notify,
    release: Notify,
    log: Arc<Mutex<Vec<&'static str>>>,
}

#[async_trait]
impl Handler for Blocking {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        self.entered.notify_one();
        self.release.notified().await;
        ctx.reply("finished").await?;
        self.log.lock().unwrap().push("replied");
        Ok(())
    }
}

/// A memory store that notes when it is flushed.
struct FlushLog {
    inner: MemoryStore,
    log: Arc<Mutex<Vec<&'static str>>>,
}

#[async_trait]
impl Store for FlushLog {
    async fn subject(
        &self,
        identity: &Identity,
        create: bool,
    ) -> Result<Option<SubjectId>, StoreError> {
        self.inner.subject(identity, create).await
    }
    async fn load_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.load_state(subject, chat).await
    }
    async fn save_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
        purpose: Option<&str>,
        state: &[u8],
    ) -> Result<(), StoreError> {
        self.inner.save_state(subject, chat, purpose, state).await
    }
    async fn clear_state(&self, subject: SubjectId, chat: &Chat) -> Result<(), StoreError> {
        self.inner.clear_state(subject, chat).await
    }
    async fn put_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.inner.put_record(subject, category, key, value).await
    }
    async fn get_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get_record(subject, category, key).await
    }
    async fn list_records(
        &self,
        subject: SubjectId,
        category: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<RecordPage, StoreError> {
        self.inner
            .list_records(subject, category, after, limit)
            .await
    }
    async fn delete_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        self.inner.delete_record(subject, category, key).await
    }
    async fn next_number(&self, name: &str) -> Result<u64, StoreError> {
        self.inner.next_number(name).await
    }
    async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get_meta(key).await
    }
    async fn put_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.inner.put_meta(key, value).await
    }
    async fn flush(&self) -> Result<(), StoreError> {
        self.log.lock().unwrap().push("flushed");
        Ok(())
    }
}

#[tokio::test]
async fn shutdown_drains_a_handler_in_flight_before_it_flushes() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let handler = Arc::new(Blocking {
        entered: Notify::new(),
        release: Notify::new(),
        log: log.clone(),
    });
    let (adapter, users) = MemoryAdapter::new();
    let store = Arc::new(FlushLog {
        inner: MemoryStore::new(),
        log: log.clone(),
    });
    let shutdown = CancellationToken::new();
    let runtime = Runtime::new(handler.clone(), Arc::new(Services::new(store))).adapter(adapter);
    let token = shutdown.clone();
    let task = tokio::spawn(async move { runtime.run(token).await });
    let ticket = users.submit(Person::new("alice").says("work")).await;
    handler.entered.notified().await;

    shutdown.cancel();
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    assert!(
        log.lock().unwrap().is_empty(),
        "no flush while the handler runs"
    );
    assert!(!task.is_finished(), "the runtime waits for the handler");
    handler.release.notify_one();

    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the runtime stops once drained")
        .unwrap()
        .expect("a clean stop");
    assert_eq!(
        *log.lock().unwrap(),
        vec!["replied", "flushed"],
        "drained, then flushed"
    );
    assert_eq!(ticket.await.unwrap(), Outcome::Handled);
    assert_eq!(users.last().text(), "finished");
}

struct Panics;

#[async_trait]
impl Handler for Panics {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        if ctx.incoming().text() == Some("boom") {
            panic!("handler bug");
        }
        ctx.reply("fine").await?;
        Ok(())
    }
}

#[tokio::test]
async fn a_panicking_handler_fails_one_update_not_the_chat() {
    let (users, _shutdown, _task) = start(Arc::new(Panics));
    let alice = Person::new("alice");
    assert_eq!(users.send(alice.says("boom")).await, Outcome::Failed);
    assert!(users.last().text().contains("went wrong"));
    assert_eq!(users.send(alice.says("again")).await, Outcome::Handled);
    assert_eq!(users.last().text(), "fine");
}

#[tokio::test]
async fn the_runtime_stops_when_input_ends() {
    let (users, _shutdown, task) = start(Arc::new(Panics));
    assert_eq!(
        users.send(Person::new("a").says("hi")).await,
        Outcome::Handled
    );
    drop(users);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the runtime ends with its input")
        .unwrap();
}

/// An adapter whose platform is unreachable for its first `failures` runs;
/// then it delivers one update and its input ends.
struct Flaky {
    failures: usize,
    runs: Mutex<Vec<tokio::time::Instant>>,
    outcome: Mutex<Option<Outcome>>,
}

#[async_trait]
impl botwerk_core::Adapter for Flaky {
    fn platform(&self) -> botwerk_core::Platform {
        botwerk_core::Platform::Memory
    }

    async fn run(&self, intake: botwerk_core::Intake) -> Result<(), botwerk_core::AdapterError> {
        let run = {
            let mut runs = self.runs.lock().unwrap();
            runs.push(tokio::time::Instant::now());
            runs.len()
        };
        if run <= self.failures {
            return Err(botwerk_core::AdapterError::transport(
                std::io::Error::other("unreachable"),
            ));
        }
        let person = Person::new("flaky");
        if let Ok(ticket) = intake.submit(person.says("hello")).await {
            *self.outcome.lock().unwrap() = Some(ticket.outcome().await);
        }
        Ok(())
    }

    async fn send(
        &self,
        _: botwerk_core::Outgoing,
    ) -> Result<botwerk_core::Sent, botwerk_core::AdapterError> {
        Ok(botwerk_core::Sent { message: None })
    }
}

/// Notes the errors reported to it.
#[derive(Default)]
struct Errors(Mutex<Vec<ErrorKind>>);

impl Observer for Errors {
    fn error(&self, _platform: Platform, kind: ErrorKind) {
        self.0.lock().unwrap().push(kind);
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_adapter_is_restarted_with_growing_pauses() {
    let adapter = Arc::new(Flaky {
        failures: 4,
        runs: Mutex::new(Vec::new()),
        outcome: Mutex::new(None),
    });
    let handler: Arc<dyn Handler> = Arc::new(botwerk_core::handler_fn(|ctx| {
        Box::pin(async move {
            ctx.reply("hi").await?;
            Ok(())
        })
    }));
    let errors = Arc::new(Errors::default());
    let services =
        Arc::new(Services::new(Arc::new(MemoryStore::new())).with_observer(errors.clone()));
    let runtime = Runtime::new(handler, services).adapter(adapter.clone());
    // The runtime ends by itself once the adapter's input has ended.
    runtime.run(CancellationToken::new()).await.unwrap();

    let runs = adapter.runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 5, "four failures, then a run that works");
    assert_eq!(
        *errors.0.lock().unwrap(),
        vec![ErrorKind::Adapter; 4],
        "each failure is reported to the observer"
    );
    let pauses: Vec<u64> = runs.windows(2).map(|w| (w[1] - w[0]).as_secs()).collect();
    assert_eq!(pauses, [1, 2, 4, 8]);
    assert_eq!(
        *adapter.outcome.lock().unwrap(),
        Some(Outcome::Handled),
        "the run that worked got its update handled"
    );
}

#[tokio::test]
async fn a_message_that_cannot_be_delivered_is_reported() {
    let errors = Arc::new(Errors::default());
    let (adapter, users) = MemoryAdapter::new();
    let handler: Arc<dyn Handler> = Arc::new(botwerk_core::handler_fn(|ctx| {
        Box::pin(async move {
            // The handler goes on without the private message.
            let refused = ctx.reply_private("psst").await;
            assert!(refused.is_err());
            ctx.reply("done").await?;
            Ok(())
        })
    }));
    let services =
        Arc::new(Services::new(Arc::new(MemoryStore::new())).with_observer(errors.clone()));
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(
        Runtime::new(handler, services)
            .adapter(adapter)
            .run(shutdown.clone()),
    );
    let ann = Person::new("ann");
    users.refuse_private(ann.identity());
    let ticket = users.submit(ann.says("hi")).await;
    assert_eq!(ticket.await.unwrap(), Outcome::Handled);
    assert_eq!(*errors.0.lock().unwrap(), vec![ErrorKind::Send]);
    // Refused to a request from a group, a private answer is a step of the
    // flow (the group gets a pointer), not an error.
    let ticket = users.submit(ann.in_group("g").says("hi")).await;
    assert_eq!(ticket.await.unwrap(), Outcome::Handled);
    assert_eq!(*errors.0.lock().unwrap(), vec![ErrorKind::Send]);
    shutdown.cancel();
    task.await.unwrap().unwrap();
}
