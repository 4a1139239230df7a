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

use std::time::Duration;

use serde::{Deserialize, Serialize};
use teloxide::requests::Payload;

/// `getUpdates` with the fields Botwerk sets, sent through teloxide like its
/// own `GetUpdates`; only the answer is read differently.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PollUpdates {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) offset: Option<i32>,
    pub(crate) limit: u8,
    /// The long poll, in seconds.
    pub(crate) timeout: u32,
    pub(crate) allowed_updates: [&'static str; 2],
}

impl PollUpdates {
    /// Messages and button presses from `offset` on, waiting up to
    /// `timeout` seconds for the first.
    pub(crate) fn new(offset: Option<i32>, timeout: u32) -> Self {
        Self {
            offset,
            limit: 100,
            timeout,
            allowed_updates: ["message", "callback_query"],
        }
    }
}

impl Payload for PollUpdates {
    type Output = Vec<serde_json::Value>;
    const NAME: &'static str = "GetUpdates";

    /// The HTTP request waits for the long poll too.
    fn timeout_hint(&self) -> Option<Duration> {
        Some(Duration::from_secs(self.timeout.into()))
    }
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

impl Update {
    /// Reads one update; `None` if it has no id (then nothing can confirm it
    /// either, and Telegram has never sent such a thing).
    #[must_use]
    pub fn read(value: &serde_json::Value) -> Option<Self> {
        let id = u32::try_from(value.get("update_id")?.as_u64()?).ok()?;
        let kind = if let Some(message) = value.get("message") {
            Message::deserialize(message).map_or(UpdateKind::Unreadable, UpdateKind::Message)
        } else if let Some(query) = value.get("callback_query") {
            CallbackQuery::deserialize(query)
                .map_or(UpdateKind::Unreadable, UpdateKind::CallbackQuery)
        } else if value.get("edited_message").is_some() {
            UpdateKind::EditedMessage
        } else {
            UpdateKind::Other
        };
        Some(Self { id, kind })
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
