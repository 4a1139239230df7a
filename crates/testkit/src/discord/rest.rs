//! The REST API of the fake: one method per route, on the state of one fake.
//!
//! Mistakes a real Discord would refuse (a second callback, a followup before the callback,
//! a message to a channel the bot cannot know) are answered with Discord's error code and
//! recorded as violations.

use std::fmt::Display;

use serde_json::{json, Value};

use super::model::{Recorded, ReplyKind};
use super::payload;
use super::state::{Inner, StoredMessage, Upload};
use super::{APPLICATION_ID, BOT_USER_ID, TOKEN};

/// Message flag 64: only the interacting user sees the message.
const EPHEMERAL: u64 = 64;
/// The most characters a bot message may have.
const MAX_CONTENT: usize = 2000;

/// A REST request after its body was read and checked against the specification.
pub(crate) struct Incoming {
    pub(crate) method: String,
    /// The path after `/api/v10`.
    pub(crate) path: String,
    /// Whether `Authorization` was `Bot <TOKEN>`.
    pub(crate) authorized: bool,
    /// The JSON body (for multipart bodies `payload_json`), `null` when there was none.
    pub(crate) body: Value,
    pub(crate) files: Vec<Upload>,
    /// Specification violations and unreadable bodies.
    pub(crate) violations: Vec<String>,
}

/// How the server answers: a status and a JSON body, or no body (`204 No Content`).
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

impl Inner {
    /// Answers a request and records it.
    pub(crate) fn answer(&mut self, request: Incoming, gateway_url: &str) -> Answer {
        for violation in &request.violations {
            self.violation(violation.clone());
        }
        let label = format!("{} {}", request.method, request.path);
        let answer = if request.authorized {
            self.route(&label, &request, gateway_url)
        } else {
            let why = format!("missing or wrong Authorization header, expected \"Bot {TOKEN}\"");
            self.refuse(&label, why, 401, 0, "401: Unauthorized")
        };
        let files = request.files.iter();
        let files = files.map(|(part, name, bytes)| (part.clone(), name.clone(), bytes.len()));
        self.requests.push(Recorded {
            method: request.method,
            path: request.path,
            body: request.body,
            files: files.collect(),
            status: answer.status,
        });
        answer
    }

    fn route(&mut self, label: &str, request: &Incoming, gateway_url: &str) -> Answer {
        let segments: Vec<&str> = request.path.trim_start_matches('/').split('/').collect();
        let body = &request.body;
        match (request.method.as_str(), segments.as_slice()) {
            ("GET", ["gateway"]) => ok(json!({ "url": gateway_url })),
            ("GET", ["gateway", "bot"]) => ok(json!({"url": gateway_url, "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0,
                    "max_concurrency": 1}})),
            ("GET", ["users", "@me"]) => ok(payload::bot_user()),
            ("POST", ["users", "@me", "channels"]) => self.create_dm(label, body),
            ("POST", ["interactions", id, token, "callback"]) => {
                self.callback(label, id, token, request)
            }
            ("POST", ["webhooks", app, token]) => self.followup(label, app, token, request),
            (method, ["webhooks", app, token, "messages", message]) => {
                self.webhook_message(label, method, (app, token, message), request)
            }
            ("POST", ["channels", channel, "messages"]) => self.send(label, channel, request),
            (method @ ("PATCH" | "DELETE"), ["channels", channel, "messages", message]) => {
                self.change(label, method, channel, message, request)
            }
            ("PUT", ["applications", app, "commands"]) => self.set_commands(label, app, body),
            ("GET", ["applications", app, "commands"]) => match self.application(label, app) {
                Ok(()) => ok(Value::Array(self.registered.clone())),
                Err(refused) => refused,
            },
            _ => self.refuse(
                label,
                "the fake does not serve this route",
                404,
                0,
                "404: Not Found",
            ),
        }
    }

    /// `POST /users/@me/channels`: opens (or reopens) the DM channel with a user.
    fn create_dm(&mut self, label: &str, body: &Value) -> Answer {
        let Some(user_id) = snowflake(&body["recipient_id"]) else {
            return self.refuse(label, "no recipient_id", 400, 50035, "Invalid Form Body");
        };
        if user_id == BOT_USER_ID {
            let why = "the bot cannot open a DM with itself";
            return self.refuse(label, why, 400, 50007, "Cannot send messages to this user");
        }
        let user = self.user(user_id);
        self.channels.insert(user.dm_channel_id(), None);
        ok(payload::private_channel(&user))
    }

    /// `POST /interactions/{id}/{token}/callback`: the one response every interaction gets.
    fn callback(&mut self, label: &str, id: &str, token: &str, request: &Incoming) -> Answer {
        let id = id.parse().unwrap_or(0);
        let Some(state) = self
            .interactions
            .get(&id)
            .filter(|s| s.public.token == token)
        else {
            let why = "unknown interaction id or wrong token";
            return self.refuse(label, why, 404, 10062, "Unknown interaction");
        };
        if let Some(previous) = state.callback {
            let why = format!("interaction {id} was already answered with type {previous}");
            let message = "Interaction has already been acknowledged.";
            return self.refuse(label, why, 400, 40060, message);
        }
        let (source, channel_id) = (state.source, state.public.channel_id);
        let guild_id = state.public.place.guild_id();
        let kind = request.body["type"].as_u64().unwrap_or(0);
        let data = &request.body["data"];
        let (message_id, loading) = match (kind, source) {
            (4, _) if is_empty(data, &request.files) => {
                let why = "callback type 4 without content, components, embeds or files";
                return self.refuse(label, why, 400, 50006, "Cannot send an empty message");
            }
            (4 | 5, _) => {
                let message_kind = if source.is_some() { 0 } else { 20 };
                let new = (channel_id, guild_id, Some(id), message_kind);
                let message_id = self.create_message(new, data, &request.files);
                (message_id, kind == 5)
            }
            (6 | 7, Some(source)) => {
                if kind == 7 {
                    self.edit_message(source, data, &request.files);
                }
                (source, false)
            }
            (9, _) => (0, false),
            _ => {
                let why = format!("callback type {kind} does not answer this interaction");
                return self.refuse(label, why, 400, 50035, "Invalid Form Body");
            }
        };
        if let Some(state) = self.interactions.get_mut(&id) {
            state.callback = u8::try_from(kind).ok();
            state.original = Some(message_id).filter(|m| *m != 0);
            state.loading = loading;
        }
        let kind = ReplyKind::Callback(u8::try_from(kind).unwrap_or_default());
        self.reply(kind, Some(id), message_id, &request.files);
        Answer {
            status: 204,
            body: None,
        }
    }

    /// `POST /webhooks/{application_id}/{token}`: a followup message, after the callback.
    fn followup(&mut self, label: &str, app: &str, token: &str, request: &Incoming) -> Answer {
        let id = match self.webhook(label, app, token) {
            Ok(id) => id,
            Err(refused) => return refused,
        };
        let state = &self.interactions[&id];
        if state.callback.is_none() {
            let why = format!("followup before the callback of interaction {id}");
            return self.refuse(label, why, 404, 10015, "Unknown Webhook");
        }
        if is_empty(&request.body, &request.files) {
            let why = "followup without content, components, embeds or files";
            return self.refuse(label, why, 400, 50006, "Cannot send an empty message");
        }
        let message_id = match (state.loading, state.original) {
            // The first followup after a deferred response replaces its "thinking" message.
            (true, Some(original)) => {
                self.edit_message(original, &request.body, &request.files);
                original
            }
            _ => {
                let (channel_id, place) = (state.public.channel_id, &state.public.place);
                let new = (channel_id, place.guild_id(), Some(id), 0);
                self.create_message(new, &request.body, &request.files)
            }
        };
        if let Some(state) = self.interactions.get_mut(&id) {
            state.loading = false;
        }
        self.reply(ReplyKind::Followup, Some(id), message_id, &request.files);
        ok(self.message_json(message_id))
    }

    /// `GET`, `PATCH` and `DELETE /webhooks/{app}/{token}/messages/{@original or id}`.
    fn webhook_message(
        &mut self,
        label: &str,
        method: &str,
        (app, token, message): (&str, &str, &str),
        request: &Incoming,
    ) -> Answer {
        let id = match self.webhook(label, app, token) {
            Ok(id) => id,
            Err(refused) => return refused,
        };
        let original = self.interactions[&id].original;
        let target = match message {
            "@original" => original,
            id_text => id_text.parse().ok(),
        };
        let owned = |m: &StoredMessage| m.interaction == Some(id) || Some(m.id) == original;
        let Some(message_id) = target.filter(|m| self.messages.get(m).is_some_and(owned)) else {
            let why = format!("interaction {id} has no message {message}");
            return self.refuse(label, why, 404, 10008, "Unknown Message");
        };
        match method {
            "GET" => ok(self.message_json(message_id)),
            "PATCH" => {
                self.edit_message(message_id, &request.body, &request.files);
                if let Some(state) = self.interactions.get_mut(&id) {
                    state.loading &= Some(message_id) != state.original;
                }
                let kind = match Some(message_id) == original {
                    true => ReplyKind::EditOriginal,
                    false => ReplyKind::Edit,
                };
                self.reply(kind, Some(id), message_id, &request.files);
                ok(self.message_json(message_id))
            }
            "DELETE" => {
                self.messages.remove(&message_id);
                if let Some(state) = self.interactions.get_mut(&id) {
                    state.original = state.original.filter(|o| *o != message_id);
                }
                no_content()
            }
            _ => self.refuse(
                label,
                "the fake does not serve this route",
                404,
                0,
                "404: Not Found",
            ),
        }
    }

    /// `POST /channels/{id}/messages`: a message in a channel the bot knows.
    fn send(&mut self, label: &str, channel: &str, request: &Incoming) -> Answer {
        let channel_id = channel.parse().unwrap_or(0);
        let Some(&guild_id) = self.channels.get(&channel_id) else {
            let why =
                format!("channel {channel} is unknown: no push used it and no DM was opened to it");
            return self.refuse(label, why, 404, 10003, "Unknown Channel");
        };
        if is_empty(&request.body, &request.files) {
            let why = "message without content, components, embeds or files";
            return self.refuse(label, why, 400, 50006, "Cannot send an empty message");
        }
        if let Some(refused) = self.too_long(label, &request.body) {
            return refused;
        }
        let new = (channel_id, guild_id, None, 0);
        let message_id = self.create_message(new, &request.body, &request.files);
        self.reply(ReplyKind::ChannelMessage, None, message_id, &request.files);
        ok(self.message_json(message_id))
    }

    /// `PATCH` and `DELETE /channels/{id}/messages/{id}` on a non-ephemeral bot message.
    fn change(
        &mut self,
        label: &str,
        method: &str,
        channel: &str,
        message: &str,
        request: &Incoming,
    ) -> Answer {
        let (channel_id, message_id) = (channel.parse().ok(), message.parse().unwrap_or(0));
        let found = self.messages.get(&message_id);
        let found = found.filter(|m| Some(m.channel_id) == channel_id && m.flags & EPHEMERAL == 0);
        let Some(found) = found else {
            let why = format!("no bot message {message} in channel {channel}");
            return self.refuse(label, why, 404, 10008, "Unknown Message");
        };
        let interaction = found.interaction;
        if method == "DELETE" {
            self.messages.remove(&message_id);
            return no_content();
        }
        if let Some(refused) = self.too_long(label, &request.body) {
            return refused;
        }
        self.edit_message(message_id, &request.body, &request.files);
        self.reply(ReplyKind::Edit, interaction, message_id, &request.files);
        ok(self.message_json(message_id))
    }

    /// `PUT /applications/{id}/commands`: replaces the global commands; a command keeps its
    /// id when a command of the same name existed.
    fn set_commands(&mut self, label: &str, app: &str, body: &Value) -> Answer {
        if let Err(refused) = self.application(label, app) {
            return refused;
        }
        let Some(commands) = body.as_array() else {
            let why = "the body is not an array of commands";
            return self.refuse(label, why, 400, 50035, "Invalid Form Body");
        };
        let registered = commands
            .iter()
            .map(|command| {
                let name = command["name"].as_str().unwrap_or_default();
                let id = self.command_id(name);
                payload::command(id, command)
            })
            .collect();
        self.commands.clone_from(commands);
        self.registered = registered;
        ok(Value::Array(self.registered.clone()))
    }

    /// The interaction a webhook route's token belongs to.
    fn webhook(&mut self, label: &str, app: &str, token: &str) -> Result<u64, Answer> {
        if app.parse() != Ok(APPLICATION_ID) {
            let why = format!("{app} is not the application id {APPLICATION_ID}");
            return Err(self.refuse(label, why, 404, 10015, "Unknown Webhook"));
        }
        let mut states = self.interactions.values();
        match states.find(|s| s.public.token == token) {
            Some(state) => Ok(state.public.id),
            None => {
                let why = "unknown interaction token";
                Err(self.refuse(label, why, 404, 10015, "Unknown Webhook"))
            }
        }
    }

    fn application(&mut self, label: &str, app: &str) -> Result<(), Answer> {
        if app.parse() == Ok(APPLICATION_ID) {
            return Ok(());
        }
        let why = format!("{app} is not the application id {APPLICATION_ID}");
        Err(self.refuse(label, why, 403, 50001, "Missing Access"))
    }

    /// Stores a new bot message `(channel, guild, interaction, type)` built from `data`, and
    /// dispatches it as MESSAGE_CREATE unless it is ephemeral, as Discord does.
    fn create_message(
        &mut self,
        (channel_id, guild_id, interaction, kind): (u64, Option<u64>, Option<u64>, u8),
        data: &Value,
        files: &[Upload],
    ) -> u64 {
        let id = self.next_id();
        let attachments = self.uploaded(files);
        let mut flags = data["flags"].as_u64().unwrap_or(0);
        if interaction.is_none() {
            // Only interaction responses can be ephemeral.
            flags &= !EPHEMERAL;
        }
        let message = StoredMessage {
            id,
            channel_id,
            guild_id,
            content: data["content"].as_str().unwrap_or_default().to_owned(),
            components: components(&data["components"]),
            flags,
            kind,
            attachments,
            interaction,
            timestamp: payload::now(),
            edited_timestamp: None,
        };
        if flags & EPHEMERAL == 0 {
            self.queue_dispatch("MESSAGE_CREATE", payload::bot_message(&message));
        }
        self.messages.insert(id, message);
        id
    }

    /// Applies an edit: given content and components replace the old ones, `attachments`
    /// lists the old attachments to keep, and uploaded files are added.
    fn edit_message(&mut self, id: u64, data: &Value, files: &[Upload]) {
        let uploaded = self.uploaded(files);
        let Some(message) = self.messages.get_mut(&id) else {
            return;
        };
        if let Some(content) = data.get("content") {
            message.content = content.as_str().unwrap_or_default().to_owned();
        }
        if let Some(rows) = data.get("components") {
            message.components = components(rows);
        }
        if let Some(kept) = data.get("attachments").and_then(Value::as_array) {
            let kept: Vec<u64> = kept.iter().filter_map(|a| snowflake(&a["id"])).collect();
            message.attachments.retain(|(id, _, _)| kept.contains(id));
        }
        message.attachments.extend(uploaded);
        message.edited_timestamp = Some(payload::now());
    }

    /// Attachments for uploaded files, under fresh ids.
    fn uploaded(&mut self, files: &[Upload]) -> Vec<(u64, String, usize)> {
        let files = files.iter();
        let files = files.map(|(_, name, bytes)| (self.next_id(), name.clone(), bytes.len()));
        files.collect()
    }

    /// Refuses content over 2000 characters. The specification allows 4000 in channel
    /// messages, but that is the limit of Nitro users; bots get 2000.
    fn too_long(&mut self, label: &str, body: &Value) -> Option<Answer> {
        let length = body["content"].as_str()?.chars().count();
        let why = format!("content has {length} characters, bots may send at most 2000");
        (length > MAX_CONTENT).then(|| self.refuse(label, why, 400, 50035, "Invalid Form Body"))
    }

    fn refuse(
        &mut self,
        label: &str,
        why: impl Display,
        status: u16,
        code: u32,
        message: &str,
    ) -> Answer {
        self.violation(format!("{label}: {why}"));
        Answer {
            status,
            body: Some(json!({ "code": code, "message": message })),
        }
    }
}

/// Whether a message body would create a message with nothing in it.
fn is_empty(data: &Value, files: &[Upload]) -> bool {
    let blank = |key: &str| match &data[key] {
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        other => other.is_null(),
    };
    files.is_empty()
        && ["content", "components", "embeds", "poll", "sticker_ids"].map(blank) == [true; 5]
}

/// The action rows of a message; `null` means none.
fn components(rows: &Value) -> Value {
    match rows {
        Value::Array(_) => rows.clone(),
        _ => json!([]),
    }
}

/// A snowflake sent as a string (as serenity does) or as a number.
fn snowflake(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_str()?.parse().ok())
}

fn ok(body: Value) -> Answer {
    Answer {
        status: 200,
        body: Some(body),
    }
}

fn no_content() -> Answer {
    Answer {
        status: 204,
        body: None,
    }
}
