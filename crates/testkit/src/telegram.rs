//! A fake Telegram Bot API server for tests.
//!
//! [`FakeTelegram::start`] serves the Bot API on `127.0.0.1:0`, one server per test and no
//! state shared between fakes, so tests run in parallel. The real teloxide client talks to
//! it through `Bot::with_client(TOKEN, client).set_api_url(fake.api_url().parse()?)`.
//!
//! Tests push updates ([`FakeTelegram::push_text`], [`FakeTelegram::push_callback`]), which
//! `getUpdates` long polls deliver, and read back what the bot sent
//! ([`FakeTelegram::wait_for_sent`], [`FakeTelegram::messages_to`]). Every request is checked
//! against the Bot API specification in `specs/telegram-api.json`; a request that breaks it
//! is answered `400` and listed in [`FakeTelegram::violations`], which tests assert is empty.
//!
//! When a second `getUpdates` arrives while an earlier one still waits, the earlier one
//! answers `[]` at once: only one poller is realistic, and the newest one wins.
//!
//! # Layout
//! - `model`: [`TgUser`], [`TgChat`] and the records [`Recorded`] and [`Sent`]
//! - `spec`: the specification and the request checks
//! - `state`: the update queue, the records and the answer of each method
//! - `server`: routes, body decoding (JSON, form, multipart) and long polling

mod model;
mod server;
mod spec;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use model::{ChatType, Recorded, Sent, TgChat, TgUser, ANONYMOUS_ADMIN_ID};
use state::Shared;

/// The bot token the fake accepts; any other token is answered `401 Unauthorized`.
pub const TOKEN: &str = "123456789:TEST-token_for-the-fake";
/// The user id of the bot, as `getMe` reports it.
pub const BOT_ID: i64 = 123_456_789;
/// The username of the bot, as `getMe` reports it.
pub const BOT_USERNAME: &str = "botwerk_test_bot";

/// A running fake Bot API server; it stops when dropped or with [`FakeTelegram::stop`].
pub struct FakeTelegram {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: Option<JoinHandle<()>>,
}

impl FakeTelegram {
    /// Binds `127.0.0.1:0` and serves the fake in a spawned task.
    ///
    /// # Panics
    /// When no local port can be bound.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0 for the fake Telegram");
        let addr = listener.local_addr().expect("local address of the fake");
        let shared = Arc::new(Shared::default());
        let app = server::router(Arc::clone(&shared));
        let stopped = shared.shutdown.clone().cancelled_owned();
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(stopped);
            if let Err(error) = served.await {
                tracing::warn!(%error, "fake telegram server failed");
            }
        });
        tracing::debug!(%addr, "fake telegram listening");
        Self {
            shared,
            addr,
            server: Some(server),
        }
    }

    /// The base URL to give teloxide's `set_api_url`, such as `http://127.0.0.1:40123`.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues an update under the next `update_id` (1, 2, 3, ...), wakes waiting long polls,
    /// and returns the id.
    ///
    /// # Panics
    /// When `update` is not a JSON object.
    pub fn push_update(&self, update: Value) -> u32 {
        let id = self.shared.lock().push_update(update);
        self.shared.updates.notify_waiters();
        id
    }

    /// Queues a text message from `user` in `chat`; a leading `/command` gets its
    /// `bot_command` entity.
    pub fn push_text(&self, user: &TgUser, chat: &TgChat, text: &str) -> u32 {
        let chat = chat.to_json(Some(user));
        self.push_message(chat, user.to_json(), None, text)
    }

    /// Queues a text message that an anonymous admin writes in a group: `from` is the
    /// `GroupAnonymousBot` and `sender_chat` the group itself.
    pub fn push_anonymous_text(&self, chat: &TgChat, text: &str) -> u32 {
        let chat = chat.to_json(None);
        let sender_chat = Some(chat.clone());
        self.push_message(chat, model::anonymous_admin(), sender_chat, text)
    }

    /// Queues a press by `user` on a button with callback `data` under message `message_id`.
    /// The query id is `cbq-<n>`; the message carries the text the bot sent, if it did.
    pub fn push_callback(&self, user: &TgUser, chat: &TgChat, message_id: i64, data: &str) -> u32 {
        let (id, text) = {
            let mut inner = self.shared.lock();
            let text = inner.sent_text(chat.id, message_id);
            (inner.next_callback_id(), text)
        };
        let message = json!({"message_id": message_id, "date": state::now(),
            "chat": chat.to_json(Some(user)), "from": model::bot_user(),
            "text": text.unwrap_or_else(|| "…".to_owned())});
        self.push_update(json!({"callback_query": {"id": id, "from": user.to_json(),
            "chat_instance": format!("ci-{}", chat.id), "data": data, "message": message}}))
    }

    /// Every request received so far, in order, including refused ones.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// The requests to `method` (such as `"sendMessage"`), compared case-insensitively.
    pub fn calls(&self, method: &str) -> Vec<Recorded> {
        let inner = self.shared.lock();
        let calls = inner.requests.iter();
        calls
            .filter(|r| r.method.eq_ignore_ascii_case(method))
            .cloned()
            .collect()
    }

    /// The successful sends and edits to the chat `chat_id`, in order.
    pub fn messages_to(&self, chat_id: i64) -> Vec<Sent> {
        let inner = self.shared.lock();
        let sent = inner.sent.iter().filter(|s| s.chat_id == chat_id);
        sent.cloned().collect()
    }

    /// Every successful `sendMessage`, `sendDocument` and `editMessageText`, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.shared.lock().sent.clone()
    }

    /// Waits until at least `n` sends succeeded and returns all of them.
    ///
    /// # Panics
    /// After `timeout`, listing what was sent and the violations seen.
    pub async fn wait_for_sent(&self, n: usize, timeout: Duration) -> Vec<Sent> {
        match self
            .wait_until(timeout, || Some(self.sent()).filter(|s| s.len() >= n))
            .await
        {
            Some(sent) => sent,
            None => panic!("{}", self.report(&format!("{n} sends"), timeout)),
        }
    }

    /// Waits until `method` was called at least `n` times (answered or, for a long poll,
    /// accepted) and returns those calls.
    ///
    /// # Panics
    /// After `timeout`, listing what was sent and the violations seen.
    pub async fn wait_for_calls(&self, method: &str, n: usize, timeout: Duration) -> Vec<Recorded> {
        let calls = || Some(self.calls(method)).filter(|c| c.len() >= n);
        match self.wait_until(timeout, calls).await {
            Some(calls) => calls,
            None => panic!("{}", self.report(&format!("{n} {method} calls"), timeout)),
        }
    }

    /// The specification violations seen so far, one readable line each.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// Makes sends to the private chat of `user_id` fail with `403 Forbidden`, as if the user
    /// never started the bot.
    pub fn refuse_private(&self, user_id: i64) {
        self.shared.lock().refused.insert(user_id);
    }

    /// Undoes [`FakeTelegram::refuse_private`].
    pub fn allow_private(&self, user_id: i64) {
        self.shared.lock().refused.remove(&user_id);
    }

    /// Answers the next `next_sends` sends and edits with `429 Too Many Requests` and
    /// `retry_after` set to `retry_after_secs`.
    pub fn rate_limit(&self, next_sends: u32, retry_after_secs: u32) {
        self.shared.lock().rate_limit = (next_sends, retry_after_secs);
    }

    /// The highest offset a `getUpdates` call confirmed; updates below it are gone.
    pub fn confirmed_offset(&self) -> u32 {
        self.shared.lock().confirmed
    }

    /// Waits until a `getUpdates` call confirmed the update `update_id`: the bot
    /// handled it (a bot that confirms only handled updates, that is).
    ///
    /// # Panics
    /// After `timeout`, listing what was sent and the violations seen.
    pub async fn wait_confirmed(&self, update_id: u32, timeout: Duration) {
        let confirmed = || (self.confirmed_offset() > update_id).then_some(());
        if self.wait_until(timeout, confirmed).await.is_none() {
            panic!(
                "{}",
                self.report(&format!("update {update_id} confirmed"), timeout)
            );
        }
    }

    /// How many updates are queued and not yet confirmed.
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().pending()
    }

    /// Stops the server: waiting long polls answer `[]` and the port closes.
    pub async fn stop(mut self) {
        self.shared.shutdown.cancel();
        if let Some(server) = self.server.take() {
            // Graceful shutdown waits for open connections; do not let one hang the test.
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }

    fn push_message(
        &self,
        chat: Value,
        from: Value,
        sender_chat: Option<Value>,
        text: &str,
    ) -> u32 {
        let message_id = self.shared.lock().next_message_id();
        let mut message = model::text_message(message_id, state::now(), chat, text);
        message["from"] = from;
        if let Some(sender_chat) = sender_chat {
            message["sender_chat"] = sender_chat;
        }
        self.push_update(json!({ "message": message }))
    }

    /// Polls `done` after every request until it returns something or `timeout` passes.
    async fn wait_until<T>(&self, timeout: Duration, done: impl Fn() -> Option<T>) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let woken = self.shared.activity.notified();
            tokio::pin!(woken);
            // Registers before looking, so a request between the look and the wait still wakes us.
            woken.as_mut().enable();
            if let Some(found) = done() {
                return Some(found);
            }
            tokio::time::timeout_at(deadline, woken).await.ok()?;
        }
    }

    fn report(&self, expected: &str, timeout: Duration) -> String {
        let inner = self.shared.lock();
        let mut report = format!("expected {expected} within {timeout:?}; sent:");
        for s in &inner.sent {
            let text = s.text.as_deref().unwrap_or_default();
            report += &format!(
                "\n  {} to {} (#{}): {text:?}",
                s.method, s.chat_id, s.message_id
            );
            if !s.buttons.is_empty() {
                report += &format!(" buttons {:?}", s.buttons);
            }
        }
        let calls = inner
            .requests
            .iter()
            .map(|r| format!("{} {}", r.method, r.status));
        report += &format!("\n  requests: {}", calls.collect::<Vec<_>>().join(", "));
        for violation in &inner.violations {
            report += &format!("\n  violation: {violation}");
        }
        report
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.shared.shutdown.cancel();
    }
}
