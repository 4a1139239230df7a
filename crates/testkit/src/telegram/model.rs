//! The people, chats and records of the fake: what tests build updates from and read back.

use serde_json::{json, Map, Value};

use super::{BOT_ID, BOT_USERNAME};

/// The user id Telegram gives the `GroupAnonymousBot`, the sender of anonymous admins.
pub const ANONYMOUS_ADMIN_ID: i64 = 1_087_968_824;

/// A Telegram user to send updates as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TgUser {
    /// The user id, which is also the id of the private chat with the bot.
    pub id: i64,
    /// The first name shown in Telegram.
    pub first_name: String,
    /// The IETF language tag of the user's client, such as `de`.
    pub language_code: Option<String>,
    /// The `@username` without the `@`.
    pub username: Option<String>,
}

impl TgUser {
    /// A user with an id and a first name, no language and no username.
    pub fn new(id: i64, first_name: &str) -> Self {
        Self {
            id,
            first_name: first_name.to_owned(),
            language_code: None,
            username: None,
        }
    }

    /// The same user with a client language, such as `"de"`.
    pub fn lang(mut self, code: &str) -> Self {
        self.language_code = Some(code.to_owned());
        self
    }

    /// The same user with a `@username` (given without the `@`).
    pub fn username(mut self, username: &str) -> Self {
        self.username = Some(username.to_owned());
        self
    }

    /// The user as a Bot API `User` object.
    pub fn to_json(&self) -> Value {
        let mut user = json!({"id": self.id, "is_bot": false, "first_name": self.first_name});
        if let Some(code) = &self.language_code {
            user["language_code"] = json!(code);
        }
        if let Some(name) = &self.username {
            user["username"] = json!(name);
        }
        user
    }
}

/// The kind of a Telegram chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatType {
    /// A one-to-one chat between a user and the bot.
    Private,
    /// A legacy basic group.
    Group,
    /// A supergroup.
    Supergroup,
}

/// A Telegram chat to send updates in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TgChat {
    /// The chat id: the user id for private chats, negative for groups.
    pub id: i64,
    /// Private chat, group or supergroup.
    pub kind: ChatType,
    /// The title of a group.
    pub title: Option<String>,
}

impl TgChat {
    /// The private chat between `user` and the bot; its id is the user id.
    pub fn private(user: &TgUser) -> Self {
        Self {
            id: user.id,
            kind: ChatType::Private,
            title: None,
        }
    }

    /// A supergroup; realistic ids lie in `-1_997_852_516_352..=-1_000_000_000_000`.
    pub fn supergroup(id: i64, title: &str) -> Self {
        Self::public(id, ChatType::Supergroup, title)
    }

    /// A legacy group; realistic ids lie in `-999_999_999_999..=-1`.
    pub fn group(id: i64, title: &str) -> Self {
        Self::public(id, ChatType::Group, title)
    }

    /// The chat as a Bot API `Chat` object; a private chat shows `user`'s names when given.
    pub fn to_json(&self, user: Option<&TgUser>) -> Value {
        let kind = match self.kind {
            ChatType::Private => "private",
            ChatType::Group => "group",
            ChatType::Supergroup => "supergroup",
        };
        let mut chat = json!({"id": self.id, "type": kind});
        if let Some(title) = &self.title {
            chat["title"] = json!(title);
        }
        if let Some(user) = user.filter(|u| self.kind == ChatType::Private && u.id == self.id) {
            chat["first_name"] = json!(user.first_name);
            if let Some(name) = &user.username {
                chat["username"] = json!(name);
            }
        }
        chat
    }

    fn public(id: i64, kind: ChatType, title: &str) -> Self {
        Self {
            id,
            kind,
            title: Some(title.to_owned()),
        }
    }
}

/// One request the fake received, valid or not.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// The method name as the specification spells it (`getUpdates`), or as sent if unknown.
    pub method: String,
    /// The JSON body; for multipart and form bodies the text fields (structured ones parsed
    /// back into JSON) and uploaded files as `{"file_name": .., "bytes": n}`.
    pub body: Value,
    /// The HTTP status the fake answered with.
    pub status: u16,
}

/// A message the bot successfully sent or edited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// `sendMessage`, `sendDocument` or `editMessageText`.
    pub method: String,
    /// The target chat, or 0 when it was addressed by `@username`.
    pub chat_id: i64,
    /// The id of the new message, or of the edited one.
    pub message_id: i64,
    /// The text, or the caption of a document.
    pub text: Option<String>,
    /// The inline keyboard as rows of `(text, callback_data)`; `url` buttons carry the url.
    pub buttons: Vec<Vec<(String, String)>>,
    /// An uploaded document: its file name and bytes.
    pub document: Option<(String, Vec<u8>)>,
}

impl Sent {
    /// The callback data of the button labelled `text`, if the message has one.
    pub fn button(&self, text: &str) -> Option<&str> {
        self.buttons
            .iter()
            .flatten()
            .find(|(label, _)| label == text)
            .map(|(_, data)| data.as_str())
    }
}

/// The bot itself as a Bot API `User`.
pub(crate) fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "Botwerk Test", "username": BOT_USERNAME})
}

/// The `getMe` answer: the bot user and its capabilities.
pub(crate) fn me() -> Value {
    let mut me = bot_user();
    for (flag, value) in [
        ("can_join_groups", true),
        ("can_read_all_group_messages", false),
        ("supports_inline_queries", false),
        ("can_connect_to_business", false),
        ("has_main_web_app", false),
    ] {
        me[flag] = json!(value);
    }
    me
}

/// The sender of messages that anonymous group admins write.
pub(crate) fn anonymous_admin() -> Value {
    json!({"id": ANONYMOUS_ADMIN_ID, "is_bot": true, "first_name": "Group",
        "username": "GroupAnonymousBot"})
}

/// A text message; a leading `/word` becomes a `bot_command` entity, measured in UTF-16 units.
pub(crate) fn text_message(message_id: i64, date: i64, chat: Value, text: &str) -> Value {
    let mut message = json!({"message_id": message_id, "date": date, "chat": chat, "text": text});
    if text.starts_with('/') {
        let command = text.split_whitespace().next().unwrap_or(text);
        message["entities"] = json!([{"type": "bot_command", "offset": 0,
            "length": command.encode_utf16().count()}]);
    }
    message
}

/// The chats an update mentions, as `(id, Chat object)`, so that answers can reuse them.
pub(crate) fn chats_in(update: &Value) -> Vec<(i64, Value)> {
    let mut found = Vec::new();
    for part in update.as_object().into_iter().flat_map(Map::values) {
        for chat in [
            &part["chat"],
            &part["message"]["chat"],
            &part["sender_chat"],
        ] {
            if let Some(id) = chat["id"].as_i64() {
                found.push((id, chat.clone()));
            }
        }
    }
    found
}

/// A `Chat` object for a chat the fake has not seen in any update, guessed from the id range.
pub(crate) fn guessed_chat(id: i64) -> Value {
    match id {
        1.. => json!({"id": id, "type": "private", "first_name": "Fake"}),
        ..=-1_000_000_000_000 => {
            json!({"id": id, "type": "supergroup", "title": "Fake supergroup"})
        }
        _ => json!({"id": id, "type": "group", "title": "Fake group"}),
    }
}

/// The rows of an `inline_keyboard` as `(text, callback_data or url)`.
pub(crate) fn buttons(markup: Option<&Value>) -> Vec<Vec<(String, String)>> {
    let Some(rows) = markup.and_then(|m| m["inline_keyboard"].as_array()) else {
        return Vec::new();
    };
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    rows.iter()
        .map(|row| {
            let row = row.as_array().map(Vec::as_slice).unwrap_or_default();
            row.iter()
                .map(|b| {
                    let data = b.get("callback_data").or_else(|| b.get("url"));
                    (text(&b["text"]), data.map(text).unwrap_or_default())
                })
                .collect()
        })
        .collect()
}
