//! A lean fake Bot API for the load test: long polling, replies routed to
//! the simulated users, nothing checked (the checking fake of the testkit
//! would compete with the bot for the same two cores).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

/// A message the bot sent to a user.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Its id.
    pub message_id: i64,
    /// Its text.
    pub text: String,
    /// Its buttons: label and callback data.
    pub buttons: Vec<(String, String)>,
}

#[derive(Default)]
struct Queue {
    updates: VecDeque<(u32, Value)>,
}

struct Shared {
    queue: Mutex<Queue>,
    arrived: Notify,
    next_update: AtomicU32,
    next_callback: AtomicU32,
    next_message: AtomicI64,
    users: Mutex<HashMap<i64, mpsc::UnboundedSender<Reply>>>,
    polls: AtomicU32,
    polled: Notify,
    /// Requests per method, but for getUpdates.
    calls: Mutex<HashMap<String, u64>>,
}

/// The fake server.
pub struct LoadFake {
    shared: Arc<Shared>,
    url: String,
    server: tokio::task::JoinHandle<()>,
}

fn ok(result: Value) -> Json<Value> {
    Json(json!({"ok": true, "result": result}))
}

fn body_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

fn buttons(markup: &Value) -> Vec<(String, String)> {
    markup["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .map(|b| {
            (
                b["text"].as_str().unwrap_or_default().to_owned(),
                b["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn method(
    State(shared): State<Arc<Shared>>,
    Path((_token, method)): Path<(String, String)>,
    body: Bytes,
) -> Json<Value> {
    let method = method.to_ascii_lowercase();
    if method != "getupdates" {
        *shared
            .calls
            .lock()
            .unwrap()
            .entry(method.clone())
            .or_default() += 1;
    }
    match method.as_str() {
        "getme" => ok(json!({
            "id": 777, "is_bot": true, "first_name": "Load", "username": "load_bot",
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false
        })),
        "getupdates" => {
            let body = body_json(&body);
            let offset = body["offset"].as_i64().unwrap_or(0);
            let limit = body["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
            let timeout = body["timeout"].as_u64().unwrap_or(0).min(30);
            shared.polls.fetch_add(1, Ordering::Relaxed);
            shared.polled.notify_waiters();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
            loop {
                let arrived = shared.arrived.notified();
                let batch: Vec<Value> = {
                    let mut queue = shared.queue.lock().unwrap();
                    if offset > 0 {
                        while queue
                            .updates
                            .front()
                            .is_some_and(|(id, _)| i64::from(*id) < offset)
                        {
                            queue.updates.pop_front();
                        }
                    }
                    queue
                        .updates
                        .iter()
                        .take(limit)
                        .map(|(_, u)| u.clone())
                        .collect()
                };
                if !batch.is_empty() || tokio::time::Instant::now() >= deadline {
                    return ok(Value::Array(batch));
                }
                let _ = tokio::time::timeout_at(deadline, arrived).await;
            }
        }
        "answercallbackquery" => {
            // A toast goes to the user as a reply, so that a script waiting
            // for something else sees what happened.
            let body = body_json(&body);
            let user = body["callback_query_id"]
                .as_str()
                .and_then(|id| id.strip_prefix("cb-"))
                .and_then(|id| id.split_once('-'))
                .and_then(|(user, _)| user.parse::<i64>().ok());
            if let (Some(user), Some(text)) = (user, body["text"].as_str()) {
                if let Some(tx) = shared.users.lock().unwrap().get(&user) {
                    let _ = tx.send(Reply {
                        message_id: 0,
                        text: format!("(toast) {text}"),
                        buttons: Vec::new(),
                    });
                }
            }
            ok(json!(true))
        }
        "getwebhookinfo" => {
            ok(json!({"url": "", "has_custom_certificate": false, "pending_update_count": 0}))
        }
        "sendmessage" | "editmessagetext" => {
            let body = body_json(&body);
            let chat = body["chat_id"].as_i64().unwrap_or_default();
            let id = shared.next_message.fetch_add(1, Ordering::Relaxed);
            let text = body["text"].as_str().unwrap_or_default().to_owned();
            let reply = Reply {
                message_id: id,
                buttons: buttons(&body["reply_markup"]),
                text: text.clone(),
            };
            if let Some(user) = shared.users.lock().unwrap().get(&chat) {
                let _ = user.send(reply);
            }
            ok(
                json!({"message_id": id, "date": 1_772_366_400, "chat": {"id": chat, "type": "private"}, "text": text}),
            )
        }
        "senddocument" => {
            let id = shared.next_message.fetch_add(1, Ordering::Relaxed);
            ok(
                json!({"message_id": id, "date": 1_772_366_400, "chat": {"id": 1, "type": "private"}}),
            )
        }
        _ => ok(json!(true)),
    }
}

impl LoadFake {
    /// Starts the server on 127.0.0.1:0.
    pub async fn start() -> anyhow::Result<Self> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            arrived: Notify::new(),
            next_update: AtomicU32::new(1),
            next_callback: AtomicU32::new(1),
            next_message: AtomicI64::new(1),
            users: Mutex::new(HashMap::new()),
            polls: AtomicU32::new(0),
            polled: Notify::new(),
            calls: Mutex::new(HashMap::new()),
        });
        let app = Router::new()
            .route("/{token}/{method}", post(method).get(method))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        // As Telegram's servers do: without it, Nagle's algorithm and delayed
        // acknowledgements hold small responses back by tens of milliseconds.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            shared,
            url,
            server,
        })
    }

    /// The Bot API base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Waits until the bot polls for the first time: it is up.
    pub async fn wait_polling(&self) {
        self.wait_polls(1).await;
    }

    /// Waits until `n` polls arrived (from `n` idle bots, say).
    pub async fn wait_polls(&self, n: u32) {
        loop {
            let polled = self.shared.polled.notified();
            if self.shared.polls.load(Ordering::Relaxed) >= n {
                return;
            }
            polled.await;
        }
    }

    /// Registers a user; what the bot sends to them arrives on the receiver.
    pub fn user(&self, id: i64) -> mpsc::UnboundedReceiver<Reply> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.users.lock().unwrap().insert(id, tx);
        rx
    }

    fn push(&self, kind: &str, payload: Value) {
        {
            // Ids in queue order, as Telegram's are.
            let mut queue = self.shared.queue.lock().unwrap();
            let id = self.shared.next_update.fetch_add(1, Ordering::Relaxed);
            queue
                .updates
                .push_back((id, json!({"update_id": id, kind: payload})));
        }
        self.shared.arrived.notify_waiters();
    }

    fn user_json(id: i64) -> Value {
        json!({"id": id, "is_bot": false, "first_name": "User", "language_code": "en"})
    }

    /// The user writes `text` in their private chat.
    pub fn text(&self, user: i64, text: &str) {
        let mut message = json!({
            "message_id": 1, "date": 1_772_366_400,
            "chat": {"id": user, "type": "private", "first_name": "User"},
            "from": Self::user_json(user), "text": text
        });
        if text.starts_with('/') {
            let length = text
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .encode_utf16()
                .count();
            message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": length}]);
        }
        self.push("message", message);
    }

    /// The user presses a button with `data` on message `message_id`.
    pub fn press(&self, user: i64, message_id: i64, data: &str) {
        let id = self.shared.next_callback.fetch_add(1, Ordering::Relaxed);
        self.push(
            "callback_query",
            json!({
                "id": format!("cb-{user}-{id}"), "from": Self::user_json(user), "chat_instance": "ci",
                "data": data,
                "message": {"message_id": message_id, "date": 1_772_366_400,
                            "chat": {"id": user, "type": "private"}, "text": "…"}
            }),
        );
    }

    /// Requests the bot made so far, per method, but for getUpdates.
    pub fn calls(&self) -> HashMap<String, u64> {
        self.shared.calls.lock().unwrap().clone()
    }

    /// getUpdates requests so far.
    pub fn polls(&self) -> u32 {
        self.shared.polls.load(Ordering::Relaxed)
    }

    /// Stops the server.
    pub fn stop(self) {
        self.server.abort();
    }
}
