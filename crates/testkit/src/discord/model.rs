//! The people, places and records of the fake: what tests push events as and read back.

use serde_json::Value;

/// The DM channel of user `id` is `DM_CHANNEL_BASE + id`, so tests can predict it.
pub const DM_CHANNEL_BASE: u64 = 900_000;

/// A Discord user to push interactions and messages as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DcUser {
    /// The user id (a snowflake; must not be 0).
    pub id: u64,
    /// The username, also shown as the global display name.
    pub name: String,
    /// The client locale sent with interactions, such as `en-US` or `de`.
    pub locale: String,
}

impl DcUser {
    /// A user with an id and a name, whose client speaks `en-US`.
    pub fn new(id: u64, name: &str) -> Self {
        Self {
            id,
            name: name.to_owned(),
            locale: "en-US".to_owned(),
        }
    }

    /// The same user with another client locale, such as `"de"`.
    pub fn locale(mut self, locale: &str) -> Self {
        self.locale = locale.to_owned();
        self
    }

    /// The id of the DM channel between this user and the bot.
    pub fn dm_channel_id(&self) -> u64 {
        DM_CHANNEL_BASE + self.id
    }
}

/// Where an interaction or a message happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DcPlace {
    /// The DM channel between the acting user and the bot.
    Dm,
    /// A text channel of a guild (server).
    Guild {
        /// The guild id.
        guild_id: u64,
        /// The text channel id.
        channel_id: u64,
    },
}

impl DcPlace {
    /// A text channel of a guild.
    pub fn guild(guild_id: u64, channel_id: u64) -> Self {
        Self::Guild {
            guild_id,
            channel_id,
        }
    }

    /// The channel this place is for `user`: their DM channel, or the guild channel.
    pub fn channel_id(&self, user: &DcUser) -> u64 {
        match self {
            Self::Dm => user.dm_channel_id(),
            Self::Guild { channel_id, .. } => *channel_id,
        }
    }

    /// The guild id, or `None` in a DM.
    pub fn guild_id(&self) -> Option<u64> {
        match self {
            Self::Dm => None,
            Self::Guild { guild_id, .. } => Some(*guild_id),
        }
    }
}

/// An interaction the fake dispatched: what a test needs to find its replies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interaction {
    /// The interaction id, as in `POST /interactions/{id}/{token}/callback`.
    pub id: u64,
    /// The interaction token, as in the callback and webhook routes.
    pub token: String,
    /// Who used the command or pressed the button.
    pub user: DcUser,
    /// Where it happened.
    pub place: DcPlace,
    /// The channel it happened in.
    pub channel_id: u64,
}

/// How the bot said something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyKind {
    /// `POST /interactions/{id}/{token}/callback` with this callback type: 4 message,
    /// 5 deferred message, 6 deferred update, 7 update of the clicked message, 9 modal.
    Callback(u8),
    /// `POST /webhooks/{application_id}/{token}`, a followup message.
    Followup,
    /// `PATCH /webhooks/{application_id}/{token}/messages/@original`.
    EditOriginal,
    /// `PATCH /webhooks/{application_id}/{token}/messages/{id}` (a followup) or
    /// `PATCH /channels/{id}/messages/{id}`.
    Edit,
    /// `POST /channels/{id}/messages`.
    ChannelMessage,
}

/// Something the bot said or changed, as the user sees it afterwards.
///
/// For edits and updates, `content` and `buttons` describe the message after the change and
/// `files` the files uploaded with this request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// Which request said it.
    pub kind: ReplyKind,
    /// The interaction it answers, if any.
    pub interaction: Option<u64>,
    /// The channel it appeared in.
    pub channel_id: u64,
    /// The message it created or changed; 0 for callbacks that touch no message (type 9).
    pub message_id: u64,
    /// The text, or `None` when the message has none (such as a deferred "thinking" message).
    pub content: Option<String>,
    /// Whether only the interacting user sees it (message flag 64).
    pub ephemeral: bool,
    /// The buttons of every action row as `(label, custom_id)`; link buttons carry their url.
    pub buttons: Vec<(String, String)>,
    /// The files uploaded with this request as `(file name, bytes)`.
    pub files: Vec<(String, Vec<u8>)>,
    /// Whether it appeared in a guild channel rather than a DM.
    pub guild: bool,
}

impl Reply {
    /// The `custom_id` of the button labelled `label`, if the message has one.
    pub fn button(&self, label: &str) -> Option<&str> {
        let mut buttons = self.buttons.iter();
        let found = buttons.find(|(l, _)| l == label);
        found.map(|(_, id)| id.as_str())
    }
}

/// One REST request the fake received, valid or not.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// The HTTP method, such as `POST`.
    pub method: String,
    /// The path after `/api/v10`, such as `/interactions/5000001/itok-5000001/callback`.
    pub path: String,
    /// The JSON body (`null` when there was none); for multipart bodies `payload_json`.
    pub body: Value,
    /// The files of a multipart body as `(part name, file name, size in bytes)`.
    pub files: Vec<(String, String, usize)>,
    /// The HTTP status the fake answered with.
    pub status: u16,
}

/// The buttons in `components` (action rows) as `(label, custom_id or url)`.
pub(crate) fn buttons(components: &Value) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let rows = components.as_array().map(Vec::as_slice).unwrap_or_default();
    let items = rows.iter().flat_map(|row| {
        let items = row["components"].as_array();
        items.map(Vec::as_slice).unwrap_or_default()
    });
    items
        .filter(|c| c["type"] == 2)
        .map(|b| {
            let id = b.get("custom_id").or_else(|| b.get("url"));
            (text(&b["label"]), id.map(text).unwrap_or_default())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn buttons_are_flattened_from_action_rows() {
        let rows = json!([{"type": 1, "components": [
            {"type": 2, "style": 1, "custom_id": "a", "label": "A"},
            {"type": 2, "style": 5, "url": "https://x.invalid", "label": "Link"}]},
            {"type": 1, "components": [{"type": 3, "custom_id": "menu"}]}]);
        let found = buttons(&rows);
        assert_eq!(
            found,
            [
                ("A".to_owned(), "a".to_owned()),
                ("Link".to_owned(), "https://x.invalid".to_owned())
            ]
        );
    }

    #[test]
    fn places_know_their_channel() {
        let ann = DcUser::new(7, "ann").locale("de");
        assert_eq!(DcPlace::Dm.channel_id(&ann), 900_007);
        assert_eq!(DcPlace::guild(5, 6).channel_id(&ann), 6);
        assert_eq!(DcPlace::guild(5, 6).guild_id(), Some(5));
        assert_eq!(ann.locale, "de");
    }
}
