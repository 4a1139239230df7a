//! A fake Discord for tests: the REST API and the gateway on one port.
//!
//! [`FakeDiscord::start`] serves both on `127.0.0.1:0`, one fake per test and no state
//! shared between fakes, so tests run in parallel. The real serenity client (0.12, features
//! `client`, `gateway`, `model`, `rustls_backend`) talks to it through an `Http` built with
//! `HttpBuilder::new(TOKEN).proxy(fake.api_url()).ratelimiter_disabled(true)` and
//! `ClientBuilder::new_with_http`: awaiting the builder asks `GET /api/v10/gateway` for
//! [`FakeDiscord::gateway_url`], and the shard connects there.
//!
//! Tests push interactions and messages ([`FakeDiscord::push_command`],
//! [`FakeDiscord::push_button`], [`FakeDiscord::push_dm`]), which the gateway dispatches as
//! soon as a client is READY, and read back what the bot said ([`FakeDiscord::replies`],
//! [`FakeDiscord::replies_to`], [`FakeDiscord::wait_for_replies`]). Every payload the fake
//! sends carries the fields serenity requires: serenity drops an event it cannot parse
//! without calling the handler, so the payloads were checked against serenity's own types.
//!
//! Every REST request body is checked against Discord's OpenAPI specification in
//! `specs/discord-openapi.json` (the `schema` module says what is checked and how strictly).
//! Unlike Discord, the fake answers a request that breaks the specification normally, so
//! that a test fails on [`FakeDiscord::violations`] with a readable list rather than on an
//! error deep in the bot. Mistakes Discord refuses for other reasons (a second callback, a
//! followup before the callback, a wrong token, an unknown channel) get Discord's error
//! code and are violations too. Tests assert that the list is empty.
//!
//! # Layout
//! - `model`: [`DcUser`], [`DcPlace`], [`Interaction`] and the records [`Reply`] and
//!   [`Recorded`]
//! - `payload`: the Discord objects the fake sends
//! - `spec`: the specification, its routes and the body checks
//! - `schema`: the JSON Schema subset the checks use, and how strict it is
//! - `state`: what one fake remembers
//! - `rest`: the answer of each REST route
//! - `gateway`: the websocket sessions
//! - `server`: routing, authorization and body decoding

mod gateway;
mod model;
mod payload;
mod rest;
mod schema;
mod server;
mod spec;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use model::{DcPlace, DcUser, Interaction, Recorded, Reply, ReplyKind, DM_CHANNEL_BASE};
use state::Shared;

/// The bot token the fake accepts; serenity sends it as `Authorization: Bot <TOKEN>`.
pub const TOKEN: &str = "fake-discord-token";
/// The application id, as READY and the command routes report it.
pub const APPLICATION_ID: u64 = 2000;
/// The user id of the bot.
pub const BOT_USER_ID: u64 = 1000;
/// The username of the bot.
pub const BOT_USERNAME: &str = "botwerk_test";

/// How long [`FakeDiscord::dispatch_raw`] waits for a READY client to receive its dispatch.
const DISPATCH_WAIT: Duration = Duration::from_secs(5);

/// A running fake Discord; it stops when dropped or with [`FakeDiscord::stop`].
pub struct FakeDiscord {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: Option<JoinHandle<()>>,
}

impl FakeDiscord {
    /// Binds `127.0.0.1:0` and serves REST and the gateway in a spawned task.
    ///
    /// # Panics
    /// When no local port can be bound.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0 for the fake Discord");
        let addr = listener.local_addr().expect("local address of the fake");
        let shared = Arc::new(Shared::new(format!("ws://{addr}/gateway")));
        let app = server::router(Arc::clone(&shared));
        let stopped = shared.shutdown.clone().cancelled_owned();
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(stopped);
            if let Err(error) = served.await {
                tracing::warn!(%error, "fake discord server failed");
            }
        });
        tracing::debug!(%addr, "fake discord listening");
        Self {
            shared,
            addr,
            server: Some(server),
        }
    }

    /// The base URL for serenity's `HttpBuilder::proxy`, such as `http://127.0.0.1:40123`;
    /// requests arrive under `/api/v10`.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The gateway URL, such as `ws://127.0.0.1:40123/gateway`, as `GET /gateway` reports it.
    pub fn gateway_url(&self) -> String {
        self.shared.gateway_url.clone()
    }

    /// Waits until a client identified with the right token, got READY and is still connected.
    ///
    /// # Panics
    /// After `timeout`, listing the violations seen.
    pub async fn wait_ready(&self, timeout: Duration) {
        let ready = || (self.shared.lock().gateway.ready > 0).then_some(());
        if self.wait_until(timeout, ready).await.is_none() {
            panic!("{}", self.report("a READY gateway client", timeout));
        }
    }

    /// The `d` of the last IDENTIFY, such as `{"token": .., "intents": 37377, ..}`.
    pub fn identify(&self) -> Option<Value> {
        self.shared.lock().gateway.identify.clone()
    }

    /// Dispatches a chat input command `/name` by `user` in `place` (INTERACTION_CREATE,
    /// type 2); `text` fills a string option named `text`.
    pub fn push_command(
        &self,
        user: &DcUser,
        place: &DcPlace,
        name: &str,
        text: Option<&str>,
    ) -> Interaction {
        let interaction = {
            let mut inner = self.shared.lock();
            let channel_id = inner.remember(user, place);
            let command_id = inner.command_id(name);
            let interaction = inner.new_interaction(user, place.clone(), channel_id, None);
            let data = payload::command_data(command_id, name, text);
            let payload = payload::interaction(&interaction, 2, data, None);
            inner.queue_dispatch("INTERACTION_CREATE", payload);
            interaction
        };
        self.shared.dispatches.notify_waiters();
        interaction
    }

    /// Dispatches a press by `user` on the button `custom_id` of the bot message `on`
    /// (INTERACTION_CREATE, type 3), in the channel of that message.
    ///
    /// # Panics
    /// When the bot message is gone or has no button with `custom_id`: Discord shows no
    /// such button, so no user could press it.
    pub fn push_button(&self, user: &DcUser, on: &Reply, custom_id: &str) -> Interaction {
        let interaction = {
            let mut inner = self.shared.lock();
            let Some(message) = inner.messages.get(&on.message_id).cloned() else {
                panic!(
                    "push_button: the bot message {} does not exist",
                    on.message_id
                );
            };
            let buttons = model::buttons(&message.components);
            if !buttons.iter().any(|(_, id)| id == custom_id) {
                panic!(
                    "push_button: message {} has no button {custom_id:?}, only {buttons:?}",
                    message.id
                );
            }
            let place = match message.guild_id {
                Some(guild_id) => DcPlace::guild(guild_id, message.channel_id),
                None => DcPlace::Dm,
            };
            inner.users.insert(user.id, user.clone());
            let channel_id = message.channel_id;
            let interaction = inner.new_interaction(user, place, channel_id, Some(message.id));
            let data = json!({"custom_id": custom_id, "component_type": 2});
            let shown = payload::bot_message(&message);
            let payload = payload::interaction(&interaction, 3, data, Some(shown));
            inner.queue_dispatch("INTERACTION_CREATE", payload);
            interaction
        };
        self.shared.dispatches.notify_waiters();
        interaction
    }

    /// Dispatches a message `user` writes in their DM channel with the bot (MESSAGE_CREATE)
    /// and returns its id.
    pub fn push_dm(&self, user: &DcUser, content: &str) -> u64 {
        self.push_message(user, &DcPlace::Dm, content)
    }

    /// Dispatches a message `user` writes in `place` (MESSAGE_CREATE) and returns its id.
    pub fn push_message(&self, user: &DcUser, place: &DcPlace, content: &str) -> u64 {
        let id = {
            let mut inner = self.shared.lock();
            inner.remember(user, place);
            let id = inner.next_id();
            let message = payload::user_message(id, user, place, content);
            inner.queue_dispatch("MESSAGE_CREATE", message);
            id
        };
        self.shared.dispatches.notify_waiters();
        id
    }

    /// Closes every gateway connection with code 4000, as Discord does when it moves a
    /// session, and waits (up to five seconds) until they are gone. serenity reconnects and
    /// RESUMEs; dispatches pushed meanwhile follow RESUMED.
    pub async fn disconnect_gateway(&self) {
        self.shared.lock().gateway.kicks += 1;
        self.shared.dispatches.notify_waiters();
        let gone = || (self.shared.lock().gateway.ready == 0).then_some(());
        let _ = self.wait_until(DISPATCH_WAIT, gone).await;
    }

    /// How many gateway sessions clients started with IDENTIFY (a RESUME starts none).
    pub fn sessions(&self) -> u64 {
        self.shared.lock().gateway.sessions
    }

    /// Lets the bot write to a guild channel no push has used yet.
    pub fn add_guild_channel(&self, guild_id: u64, channel_id: u64) {
        self.shared
            .lock()
            .channels
            .insert(channel_id, Some(guild_id));
    }

    /// Queues any dispatch, such as `("GUILD_CREATE", {..})`; when a client is READY, waits
    /// (up to five seconds) until it was sent.
    pub async fn dispatch_raw(&self, event_name: &str, data: Value) {
        let number = self.shared.lock().queue_dispatch(event_name, data);
        self.shared.dispatches.notify_waiters();
        let sent = || {
            let inner = self.shared.lock();
            let gateway = &inner.gateway;
            (gateway.sent >= number || gateway.ready == 0).then_some(())
        };
        let _ = self.wait_until(DISPATCH_WAIT, sent).await;
    }

    /// Everything the bot said or changed, in order.
    pub fn replies(&self) -> Vec<Reply> {
        self.shared.lock().replies.clone()
    }

    /// The callback, followups and edits answering `interaction`, in order.
    pub fn replies_to(&self, interaction: &Interaction) -> Vec<Reply> {
        let inner = self.shared.lock();
        let replies = inner.replies.iter();
        let answering = replies.filter(|r| r.interaction == Some(interaction.id));
        answering.cloned().collect()
    }

    /// Waits until the bot said at least `n` things and returns all of them.
    ///
    /// # Panics
    /// After `timeout`, listing what the bot said and the violations seen.
    pub async fn wait_for_replies(&self, n: usize, timeout: Duration) -> Vec<Reply> {
        let replies = || Some(self.replies()).filter(|r| r.len() >= n);
        match self.wait_until(timeout, replies).await {
            Some(replies) => replies,
            None => panic!("{}", self.report(&format!("{n} replies"), timeout)),
        }
    }

    /// Waits until `interaction` got its callback, of any type.
    ///
    /// # Panics
    /// After `timeout`, listing what the bot said and the violations seen.
    pub async fn wait_answered(&self, interaction: &Interaction, timeout: Duration) {
        let answered = || {
            let inner = self.shared.lock();
            let state = inner.interactions.get(&interaction.id);
            state.and_then(|s| s.callback).map(drop)
        };
        if self.wait_until(timeout, answered).await.is_none() {
            let expected = format!("a callback for interaction {}", interaction.id);
            panic!("{}", self.report(&expected, timeout));
        }
    }

    /// The body of the last `PUT /applications/{id}/commands`: the global commands as the
    /// bot declared them. Empty before the first.
    pub fn commands(&self) -> Vec<Value> {
        self.shared.lock().commands.clone()
    }

    /// Waits until the bot declared its global commands and returns them.
    ///
    /// # Panics
    /// After `timeout`, listing the requests and the violations seen.
    pub async fn wait_for_commands(&self, timeout: Duration) -> Vec<Value> {
        let declared = || {
            let inner = self.shared.lock();
            let put = inner
                .requests
                .iter()
                .any(|r| r.method == "PUT" && r.path.ends_with("/commands") && r.status == 200);
            put.then(|| inner.commands.clone())
        };
        match self.wait_until(timeout, declared).await {
            Some(commands) => commands,
            None => panic!("{}", self.report("PUT commands", timeout)),
        }
    }

    /// Every REST request received so far, in order, including refused ones.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// The violations seen so far (specification, protocol and authorization), one
    /// readable line each.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// Stops the fake: gateway sessions close with 1001 and the port closes.
    pub async fn stop(mut self) {
        self.shared.shutdown.cancel();
        if let Some(server) = self.server.take() {
            // Graceful shutdown waits for open connections; do not let one hang the test.
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }

    /// Polls `done` after every request and gateway step until it returns something or
    /// `timeout` passes.
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
        let mut report = format!("expected {expected} within {timeout:?}; the bot said:");
        for r in &inner.replies {
            let content = r.content.as_deref().unwrap_or_default();
            report += &format!(
                "\n  {:?} in {} (#{}): {content:?}",
                r.kind, r.channel_id, r.message_id
            );
            if !r.buttons.is_empty() {
                report += &format!(" buttons {:?}", r.buttons);
            }
        }
        let requests = inner.requests.iter();
        let requests = requests.map(|r| format!("{} {} {}", r.method, r.path, r.status));
        report += &format!("\n  requests: {}", requests.collect::<Vec<_>>().join(", "));
        let gateway = &inner.gateway;
        report += &format!(
            "\n  gateway: {} ready, {} of {} dispatches sent",
            gateway.ready, gateway.sent, gateway.queued
        );
        for violation in &inner.violations {
            report += &format!("\n  violation: {violation}");
        }
        report
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.shared.shutdown.cancel();
    }
}
