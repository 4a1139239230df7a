//! What one fake remembers, and how it answers each method.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::model::{self, Recorded, Sent};

/// A file uploaded in a multipart body: its file name and bytes.
pub(crate) type Upload = (String, Vec<u8>);

/// The state one fake shares between its handle and its server task.
#[derive(Default)]
pub(crate) struct Shared {
    inner: Mutex<Inner>,
    /// Woken when an update is queued or a newer `getUpdates` supersedes a waiting one.
    pub(crate) updates: Notify,
    /// Woken after every recorded request, so tests can wait for calls and sends.
    pub(crate) activity: Notify,
    /// Cancelled when the fake stops.
    pub(crate) shutdown: CancellationToken,
}

impl Shared {
    /// The state, even if a panicking test poisoned the lock.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A request after its body was read and checked against the specification.
pub(crate) struct Incoming {
    /// Whether the URL carried the fake's token.
    pub(crate) authorized: bool,
    /// The canonical method name, or `None` when the specification has no such method.
    pub(crate) method: Option<String>,
    /// The name as it appeared in the URL.
    pub(crate) raw_method: String,
    pub(crate) body: Map<String, Value>,
    /// Uploaded files by the top-level field they fill.
    pub(crate) uploads: BTreeMap<String, Upload>,
    /// Specification violations and unreadable bodies.
    pub(crate) violations: Vec<String>,
}

/// How the server should answer.
pub(crate) enum Outcome {
    /// Reply at once with this status and JSON body.
    Reply(u16, Value),
    /// A `getUpdates` that may wait for updates.
    Poll {
        limit: usize,
        timeout: Duration,
        generation: u64,
    },
}

#[derive(Default)]
pub(crate) struct Inner {
    last_update_id: u32,
    /// Unconfirmed updates, oldest first, as `(update_id, update)`.
    queue: VecDeque<(u32, Value)>,
    pub(crate) confirmed: u32,
    last_message_id: i64,
    last_callback: u32,
    /// Counts `getUpdates` calls; a waiting poll whose number is no longer current gives up.
    pub(crate) poll_generation: u64,
    pub(crate) requests: Vec<Recorded>,
    pub(crate) sent: Vec<Sent>,
    pub(crate) violations: Vec<String>,
    pub(crate) refused: HashSet<i64>,
    /// `(sends left to refuse, retry_after seconds)`.
    pub(crate) rate_limit: (u32, u32),
    /// Chats seen in pushed updates, reused in the messages the fake returns.
    chats: HashMap<i64, Value>,
}

impl Inner {
    /// Queues an update under the next id and returns that id.
    pub(crate) fn push_update(&mut self, mut update: Value) -> u32 {
        let Some(fields) = update.as_object_mut() else {
            panic!("an update must be a JSON object, got {update}");
        };
        self.last_update_id += 1;
        let id = self.last_update_id;
        fields.insert("update_id".to_owned(), json!(id));
        self.chats.extend(model::chats_in(&update));
        self.queue.push_back((id, update));
        id
    }

    pub(crate) fn next_message_id(&mut self) -> i64 {
        self.last_message_id += 1;
        self.last_message_id
    }

    pub(crate) fn next_callback_id(&mut self) -> String {
        self.last_callback += 1;
        format!("cbq-{}", self.last_callback)
    }

    /// The text of a message the bot sent to `chat_id`, for callback queries that point at it.
    pub(crate) fn sent_text(&self, chat_id: i64, message_id: i64) -> Option<String> {
        let sent = self.sent.iter().rev();
        let mut matching = sent.filter(|s| s.chat_id == chat_id && s.message_id == message_id);
        matching.find_map(|s| s.text.clone())
    }

    pub(crate) fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Up to `limit` unconfirmed updates.
    pub(crate) fn batch(&self, limit: usize) -> Vec<Value> {
        self.queue
            .iter()
            .take(limit)
            .map(|(_, u)| u.clone())
            .collect()
    }

    /// Answers a request and records it.
    pub(crate) fn answer(&mut self, request: Incoming) -> Outcome {
        let (status, reply) = match self.decide(&request) {
            Outcome::Reply(status, reply) => (status, Outcome::Reply(status, reply)),
            poll => (200, poll),
        };
        let mut body = request.body;
        for (field, (file_name, bytes)) in &request.uploads {
            body.insert(
                field.clone(),
                json!({"file_name": file_name, "bytes": bytes.len()}),
            );
        }
        self.requests.push(Recorded {
            method: request.method.unwrap_or(request.raw_method),
            body: Value::Object(body),
            status,
        });
        reply
    }

    fn decide(&mut self, request: &Incoming) -> Outcome {
        if !request.authorized {
            return error(401, "Unauthorized");
        }
        let Some(method) = &request.method else {
            let name = &request.raw_method;
            self.violations.push(format!("unknown method \"{name}\""));
            return error(404, "Not Found: method not found");
        };
        if !request.violations.is_empty() {
            self.violations.extend(request.violations.iter().cloned());
            return error(
                400,
                &format!("Bad Request: {}", request.violations.join("; ")),
            );
        }
        let body = &request.body;
        match method.as_str() {
            "getMe" => ok(model::me()),
            "getUpdates" => self.get_updates(body),
            "sendMessage" | "sendDocument" | "editMessageText" => {
                self.send(method, body, &request.uploads)
            }
            _ => ok(json!(true)),
        }
    }

    fn get_updates(&mut self, body: &Map<String, Value>) -> Outcome {
        // A negative offset asks for the tail of the queue; the fake treats it as no offset.
        if let Some(offset) = int(body.get("offset")).filter(|o| *o > 0) {
            self.confirmed = self
                .confirmed
                .max(u32::try_from(offset).unwrap_or(u32::MAX));
            let confirmed = self.confirmed;
            self.queue.retain(|(id, _)| *id >= confirmed);
        }
        let limit = int(body.get("limit")).unwrap_or(100).clamp(1, 100);
        let timeout = int(body.get("timeout")).unwrap_or(0).max(0);
        self.poll_generation += 1;
        Outcome::Poll {
            limit: usize::try_from(limit).unwrap_or(100),
            timeout: Duration::from_secs(timeout.unsigned_abs()),
            generation: self.poll_generation,
        }
    }

    fn send(
        &mut self,
        method: &str,
        body: &Map<String, Value>,
        uploads: &BTreeMap<String, Upload>,
    ) -> Outcome {
        if self.rate_limit.0 > 0 {
            self.rate_limit.0 -= 1;
            let secs = self.rate_limit.1;
            let reply = json!({"ok": false, "error_code": 429,
                "description": format!("Too Many Requests: retry after {secs}"),
                "parameters": {"retry_after": secs}});
            return Outcome::Reply(429, reply);
        }
        let edit = method == "editMessageText";
        let chat_id = int(body.get("chat_id")).unwrap_or(0);
        if !edit && self.refused.contains(&chat_id) {
            return error(
                403,
                "Forbidden: bot can't initiate conversation with a user",
            );
        }
        if edit && !body.contains_key("chat_id") {
            // Inline messages have no chat; the Bot API answers `true` for them.
            return ok(json!(true));
        }
        let message_id = match edit {
            true => int(body.get("message_id")).unwrap_or(0),
            false => self.next_message_id(),
        };
        let text = body.get("text").or_else(|| body.get("caption"));
        let text = text.and_then(Value::as_str).map(str::to_owned);
        let chat = self.chats.get(&chat_id).cloned();
        let mut message = json!({"message_id": message_id, "date": now(), "from": model::bot_user(),
            "chat": chat.unwrap_or_else(|| model::guessed_chat(chat_id))});
        if method == "sendDocument" {
            let (file_name, size) = match uploads.get("document") {
                Some((name, bytes)) => (name.clone(), bytes.len()),
                None => (String::new(), 0),
            };
            message["document"] = json!({"file_id": format!("doc-{message_id}"),
                "file_unique_id": format!("udoc-{message_id}"), "file_name": file_name,
                "file_size": size});
            message["caption"] = json!(text);
        } else {
            message["text"] = json!(text);
        }
        if edit {
            message["edit_date"] = json!(now());
        }
        let markup = body.get("reply_markup");
        if markup.is_some_and(|m| m.get("inline_keyboard").is_some()) {
            message["reply_markup"] = markup.cloned().unwrap_or_default();
        }
        self.sent.push(Sent {
            method: method.to_owned(),
            chat_id,
            message_id,
            text,
            buttons: model::buttons(markup),
            document: uploads.get("document").cloned(),
        });
        ok(message)
    }
}

/// The current Unix time in seconds.
pub(crate) fn now() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}

/// An integer field, sent as a JSON number or (in forms) as decimal text.
fn int(value: Option<&Value>) -> Option<i64> {
    let value = value?;
    value.as_i64().or_else(|| value.as_str()?.parse().ok())
}

fn ok(result: Value) -> Outcome {
    Outcome::Reply(200, json!({"ok": true, "result": result}))
}

fn error(code: u16, description: &str) -> Outcome {
    let body = json!({"ok": false, "error_code": code, "description": description});
    Outcome::Reply(code, body)
}
