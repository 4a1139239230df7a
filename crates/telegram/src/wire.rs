//! Updates as `getUpdates` brings them, read for what the adapter uses.
//!
//! teloxide reads every update into its whole model: a text message is tried
//! as an animation, an audio, a contact, a document and a dozen other kinds
//! first, each failed try formatting an error, and that cost more CPU per
//! update under load than the rest of the adapter together. The adapter
//! asks for messages and button presses only, and reads of them the few
//! fields it converts. Each update is read on its own: one that does not
//! read is skipped with its id kept, so that it is confirmed and never holds
//! up the others.
//!
//! The request goes out on teloxide's HTTP client, but its answer is read
//! here, straight from the bytes: teloxide first copies every answer into
//! serde's buffer (its answer type is an untagged enum) and then into the
//! payload's output, and for a round of 100 updates that took 5 % of the
//! bot's CPU, all of it in the poll loop, where nothing else runs meanwhile
//! (see BENCHMARKS.md, fix 13).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use teloxide::Bot;

/// `getUpdates` with the fields Botwerk sets.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PollUpdates {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) offset: Option<i32>,
    pub(crate) limit: u8,
    /// The long poll, in seconds.
    pub(crate) timeout: u32,
    pub(crate) allowed_updates: [&'static str; 2],
}

/// The most updates one poll asks for (Telegram's largest answer).
pub(crate) const LIMIT: u8 = 100;

impl PollUpdates {
    /// Messages and button presses from `offset` on, waiting up to
    /// `timeout` seconds for the first.
    pub(crate) fn new(offset: Option<i32>, timeout: u32) -> Self {
        Self {
            offset,
            limit: LIMIT,
            timeout,
            allowed_updates: ["message", "callback_query"],
        }
    }

    /// Sends the poll with `bot`'s client to `bot`'s server, and reads the
    /// answer with [`read_answer`].
    ///
    /// # Errors
    /// When the request fails, Telegram refuses it, or its answer does not
    /// read; no error carries the token.
    pub(crate) async fn send(&self, bot: &Bot) -> Result<Vec<Fetched>, PollError> {
        // The address as teloxide builds it for its own requests.
        let mut url = bot.api_url();
        url.path_segments_mut()
            .map_err(|()| PollError::Address)?
            .push(&format!("bot{}", bot.token()))
            .push("getUpdates");
        let body = serde_json::to_vec(self).map_err(PollError::Unreadable)?;
        let response = bot
            .client()
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| PollError::Http(e.without_url()))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| PollError::Http(e.without_url()))?;
        read_answer(&bytes).map_err(|e| match e {
            PollError::Unreadable(e) => PollError::Status(status, e),
            e => e,
        })
    }
}

/// Why a poll brought no updates.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PollError {
    /// Telegram asks to wait before the next request.
    #[error("Telegram asks to wait {0:?}")]
    RetryAfter(Duration),
    /// Telegram refused the request.
    #[error("Telegram refused getUpdates (error {code}): {description}")]
    Refused { code: u16, description: String },
    /// The request did not reach Telegram, or its answer did not arrive.
    #[error("getUpdates failed: {0}")]
    Http(reqwest::Error),
    /// The answer is not Telegram's JSON.
    #[error("the answer to getUpdates does not read: {0}")]
    Unreadable(serde_json::Error),
    /// The same, with the answer's HTTP status.
    #[error("the answer to getUpdates (HTTP {0}) does not read: {1}")]
    Status(u16, serde_json::Error),
    /// The server's address cannot take a path.
    #[error("the Bot API address cannot take a method's path")]
    Address,
}

/// Telegram's answer, with the updates left unread.
#[derive(Deserialize)]
struct Answer<'a> {
    ok: bool,
    #[serde(borrow, default)]
    result: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    error_code: Option<u16>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    #[serde(default)]
    retry_after: Option<u64>,
}

/// An update as fetched: read, and its JSON text as Telegram sent it (what
/// the adapter keeps until it is handled).
#[derive(Debug)]
pub(crate) struct Fetched {
    pub(crate) update: Update,
    pub(crate) json: String,
}

/// Reads the answer to `getUpdates`: the updates in it, each read on its own
/// (see [`Update::parse`]; one without an id is left out with a warning), or
/// why there are none.
///
/// # Errors
/// When Telegram refused the request or asks to wait, or the answer is not
/// Telegram's JSON.
pub(crate) fn read_answer(bytes: &[u8]) -> Result<Vec<Fetched>, PollError> {
    let answer: Answer<'_> = serde_json::from_slice(bytes).map_err(PollError::Unreadable)?;
    if !answer.ok {
        if let Some(secs) = answer.parameters.and_then(|p| p.retry_after) {
            return Err(PollError::RetryAfter(Duration::from_secs(secs)));
        }
        return Err(PollError::Refused {
            code: answer.error_code.unwrap_or_default(),
            description: answer.description.unwrap_or_default(),
        });
    }
    let raw = answer.result.unwrap_or_default();
    let mut updates = Vec::with_capacity(raw.len());
    for one in raw {
        match Update::parse(one.get()) {
            Some(update) => updates.push(Fetched {
                update,
                json: one.get().to_owned(),
            }),
            None => tracing::warn!("an update without an id; skipped"),
        }
    }
    Ok(updates)
}

/// One update, with what Botwerk reads of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// The update's id.
    pub id: u32,
    /// What it brings.
    pub kind: UpdateKind,
}

/// What an update brings.
#[derive(Clone, Debug, PartialEq)]
pub enum UpdateKind {
    /// A new message.
    Message(Message),
    /// A button press.
    CallbackQuery(CallbackQuery),
    /// An edit of an earlier message.
    EditedMessage,
    /// Something else (a channel post, a poll answer, ...).
    Other,
    /// An update whose message or button press does not read.
    Unreadable,
}

/// A message.
#[derive(Clone, Deserialize, PartialEq)]
pub struct Message {
    /// Its id in the chat.
    pub message_id: i64,
    /// The chat it was sent in.
    pub chat: Chat,
    /// Who sent it (absent in channels).
    #[serde(default)]
    pub from: Option<User>,
    /// The chat it was sent on behalf of: an anonymous group admin's group.
    #[serde(default)]
    pub sender_chat: Option<Chat>,
    /// Its text, if it has one.
    #[serde(default)]
    pub text: Option<String>,
}

/// Not the text, nor the ids: a message is personal data.
impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("chat", &self.chat.kind)
            .field("text", &self.text.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// A chat.
#[derive(Clone, Deserialize, PartialEq)]
pub struct Chat {
    /// The chat's id.
    pub id: i64,
    /// `private`, `group`, `supergroup` or `channel`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl std::fmt::Debug for Chat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chat")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A Telegram user.
#[derive(Clone, Deserialize, PartialEq)]
pub struct User {
    /// The user's id.
    pub id: u64,
    /// Whether the user is a bot.
    #[serde(default)]
    pub is_bot: bool,
    /// The language of the user's Telegram app.
    #[serde(default)]
    pub language_code: Option<String>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("is_bot", &self.is_bot)
            .finish_non_exhaustive()
    }
}

/// A button press.
#[derive(Clone, Deserialize, PartialEq)]
pub struct CallbackQuery {
    /// The id to answer it with.
    pub id: String,
    /// Who pressed.
    pub from: User,
    /// The message with the button (absent for inline messages); an old
    /// message Telegram no longer shows still has its chat and id.
    #[serde(default)]
    pub message: Option<MessageRef>,
    /// The button's data.
    #[serde(default)]
    pub data: Option<String>,
}

impl std::fmt::Debug for CallbackQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackQuery")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

/// The message a button belongs to.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct MessageRef {
    /// Its id in the chat.
    pub message_id: i64,
    /// Its chat.
    pub chat: Chat,
}

/// An update, with its parts left unread.
#[derive(Deserialize)]
struct RawUpdate<'a> {
    update_id: u64,
    #[serde(borrow, default)]
    message: Option<&'a RawValue>,
    #[serde(borrow, default)]
    callback_query: Option<&'a RawValue>,
    #[serde(borrow, default)]
    edited_message: Option<&'a RawValue>,
}

impl Update {
    /// Reads one update from its JSON text; `None` if it has no id (then
    /// nothing can confirm it either, and Telegram has never sent such a
    /// thing). A message or button press that does not read gives
    /// [`UpdateKind::Unreadable`], with the id kept.
    #[must_use]
    pub fn parse(json: &str) -> Option<Self> {
        let raw: RawUpdate<'_> = serde_json::from_str(json).ok()?;
        let id = u32::try_from(raw.update_id).ok()?;
        let kind = if let Some(message) = raw.message {
            serde_json::from_str(message.get()).map_or(UpdateKind::Unreadable, UpdateKind::Message)
        } else if let Some(query) = raw.callback_query {
            serde_json::from_str(query.get())
                .map_or(UpdateKind::Unreadable, UpdateKind::CallbackQuery)
        } else if raw.edited_message.is_some() {
            UpdateKind::EditedMessage
        } else {
            UpdateKind::Other
        };
        Some(Self { id, kind })
    }

    /// [`Update::parse`] of an update already read as JSON.
    #[must_use]
    pub fn read(value: &serde_json::Value) -> Option<Self> {
        Self::parse(&value.to_string())
    }
}

impl Chat {
    /// A chat with one person.
    #[must_use]
    pub fn is_private(&self) -> bool {
        self.kind == "private"
    }

    /// A group or supergroup.
    #[must_use]
    pub fn is_group(&self) -> bool {
        self.kind == "group" || self.kind == "supergroup"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_gives_every_update_with_an_id_each_read_on_its_own() {
        let answer = br#"{"ok":true,"result":[
            {"update_id":7,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},
             "from":{"id":5,"is_bot":false,"first_name":"A"},"text":"hi \"there\" \u00e4"}},
            {"update_id":8,"message":{"message_id":2,"chat":"not a chat"}},
            {"message":{"message_id":3}},
            {"update_id":9,"callback_query":{"id":"c","from":{"id":5,"is_bot":false},"data":"x"}},
            {"update_id":10,"edited_message":{}},
            {"update_id":11,"channel_post":{}}
        ]}"#;
        let fetched = read_answer(answer).unwrap();
        assert!(fetched[0].json.starts_with(r#"{"update_id":7,"#));
        let updates: Vec<Update> = fetched.into_iter().map(|f| f.update).collect();
        let ids: Vec<u32> = updates.iter().map(|u| u.id).collect();
        assert_eq!(ids, vec![7, 8, 9, 10, 11]);
        let UpdateKind::Message(message) = &updates[0].kind else {
            panic!("a message: {:?}", updates[0].kind);
        };
        assert_eq!(message.text.as_deref(), Some("hi \"there\" ä"));
        assert_eq!(message.from.as_ref().map(|u| u.id), Some(5));
        assert_eq!(updates[1].kind, UpdateKind::Unreadable);
        assert!(
            matches!(&updates[2].kind, UpdateKind::CallbackQuery(q) if q.data.as_deref() == Some("x"))
        );
        assert_eq!(updates[3].kind, UpdateKind::EditedMessage);
        assert_eq!(updates[4].kind, UpdateKind::Other);
        assert!(read_answer(br#"{"ok":true,"result":[]}"#)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_refusal_says_why_and_a_flood_wait_says_how_long() {
        let wait = read_answer(
            br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}"#,
        );
        assert!(matches!(wait, Err(PollError::RetryAfter(d)) if d == Duration::from_secs(3)));
        let refused = read_answer(
            br#"{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}"#,
        );
        let Err(PollError::Refused { code, description }) = refused else {
            panic!("a refusal: {refused:?}");
        };
        assert_eq!(code, 409);
        assert!(description.starts_with("Conflict"));
    }

    #[test]
    fn an_answer_that_is_not_telegrams_json_is_an_error() {
        for body in [
            &b"<html>502 Bad Gateway</html>"[..],
            b"",
            br#"{"result":[]}"#,
            br#"{"ok":true,"result":{"update_id":1}}"#,
        ] {
            assert!(
                matches!(read_answer(body), Err(PollError::Unreadable(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn an_update_read_from_json_text_or_a_value_is_the_same() {
        let value = serde_json::json!({"update_id": 3, "callback_query":
            {"id": "q", "from": {"id": 1}, "message": {"message_id": 4, "chat": {"id": 1, "type": "private"}}}});
        let parsed = Update::parse(&value.to_string()).unwrap();
        assert_eq!(Update::read(&value), Some(parsed.clone()));
        assert_eq!(parsed.id, 3);
        assert!(
            Update::parse(r#"{"update_id": 4294967296}"#).is_none(),
            "beyond u32"
        );
        assert!(Update::parse("[]").is_none());
    }
}
