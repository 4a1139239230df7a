//! The runtime's ordering, parallelism, failure handling and shutdown.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use botwerk_core::{
    CancellationToken, Ctx, Handler, HandlerResult, MemoryStore, Outcome, Runtime, Services,
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

/// Blocks until released, then replies.
struct Blocking {
    entered: Notify,
    release: Notify,
}

#[async_trait]
impl Handler for Blocking {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        self.entered.notify_one();
        self.release.notified().await;
        ctx.reply("finished").await?;
        Ok(())
    }
}

#[tokio::test]
async fn shutdown_drains_a_handler_in_flight() {
    let handler = Arc::new(Blocking {
        entered: Notify::new(),
        release: Notify::new(),
    });
    let (users, shutdown, task) = start(handler.clone());
    let ticket = users.submit(Person::new("alice").says("work")).await;
    handler.entered.notified().await;

    shutdown.cancel();
    tokio::task::yield_now().await;
    assert!(!task.is_finished(), "the runtime waits for the handler");
    handler.release.notify_one();

    assert_eq!(ticket.await.unwrap(), Outcome::Handled);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the runtime stops once drained")
        .unwrap();
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
