//! The pure conversion of a Telegram update into an `Incoming`.

use crate::wire::{Update, UpdateKind, User};
use botwerk_core::{
    Chat, ChatKind, Content, Identity, Incoming, Locale, MessageId, Origin, Platform, Sender,
};

/// What the adapter knows about its own bot account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotInfo {
    /// The bot's user id.
    pub id: u64,
    /// The bot's username, without `@`: commands addressed `/cmd@name` to
    /// another bot are ignored.
    pub username: String,
}

/// The adapter's data about an update, carried to the replies and to
/// `finished` in the `Origin`.
#[derive(Clone, Debug)]
pub(crate) struct TelegramOrigin {
    /// The update's id, journaled once it is handled.
    pub(crate) update_id: u32,
    /// The callback query to answer, for button presses.
    pub(crate) callback: Option<String>,
    /// The sender's user id.
    pub(crate) user_id: i64,
    /// What the update asked for, to answer later in a private chat.
    pub(crate) content: Content,
}

/// The result of converting an update.
#[derive(Debug)]
pub enum Converted {
    /// An update the bot handles.
    Incoming(Incoming),
    /// An update the bot does not handle, and why (for a debug log).
    Skip(&'static str),
}

fn chat(platform_chat: &crate::wire::Chat) -> Option<Chat> {
    let kind = if platform_chat.is_private() {
        ChatKind::Private
    } else if platform_chat.is_group() {
        ChatKind::Group
    } else {
        return None;
    };
    Some(Chat::new(Platform::Telegram, platform_chat.id, kind))
}

fn user_id(user: &User) -> i64 {
    i64::try_from(user.id).unwrap_or(i64::MAX)
}

fn origin(update_id: u32, callback: Option<String>, user_id: i64, content: &Content) -> Origin {
    Origin::new(TelegramOrigin {
        update_id,
        callback,
        user_id,
        content: content.clone(),
    })
}

/// Converts a Telegram update into an `Incoming`, or says why it is skipped:
/// messages with text (commands included, `/cmd@botname` as well) and button
/// presses in private chats and groups are handled; channel posts, edits,
/// media without text, messages from bots and commands for other bots are not.
pub fn convert(update: &Update, me: &BotInfo) -> Converted {
    let update_id = update.id;
    match &update.kind {
        UpdateKind::Message(message) => {
            let Some(chat) = chat(&message.chat) else {
                return Converted::Skip("message in a channel");
            };
            let Some(text) = message.text.as_deref() else {
                return Converted::Skip("message without text");
            };
            // An anonymous group admin writes as the group: no person to know.
            let (identity, anonymous, locale) = match (&message.sender_chat, &message.from) {
                (Some(sender_chat), _) => (
                    Identity::new(Platform::Telegram, sender_chat.id),
                    true,
                    None,
                ),
                (None, Some(user)) if !user.is_bot => (
                    Identity::new(Platform::Telegram, user_id(user)),
                    false,
                    user.language_code.as_deref().map(Locale::new),
                ),
                (None, Some(_)) => return Converted::Skip("message from a bot"),
                (None, None) => return Converted::Skip("message without sender"),
            };
            let Some(content) = Content::parse(text, Some(&me.username)) else {
                return Converted::Skip("command for another bot");
            };
            let user = identity.user.as_str().parse().unwrap_or_default();
            Converted::Incoming(Incoming {
                origin: origin(update_id, None, user, &content),
                chat,
                sender: Sender {
                    identity,
                    display_name: None,
                    anonymous,
                },
                locale,
                content,
            })
        }
        UpdateKind::CallbackQuery(query) => {
            let Some(data) = query.data.clone() else {
                return Converted::Skip("callback query without data");
            };
            if query.from.is_bot {
                return Converted::Skip("callback query from a bot");
            }
            let user = user_id(&query.from);
            let (chat, message) = match &query.message {
                Some(message) => match chat(&message.chat) {
                    Some(chat) => (chat, Some(MessageId::from(message.message_id))),
                    None => return Converted::Skip("callback query in a channel"),
                },
                // A button of an inline message: answer in the private chat.
                None => (Chat::new(Platform::Telegram, user, ChatKind::Private), None),
            };
            let content = Content::Button { data, message };
            Converted::Incoming(Incoming {
                origin: origin(update_id, Some(query.id.clone()), user, &content),
                chat,
                sender: Sender::new(Identity::new(Platform::Telegram, user)),
                locale: query.from.language_code.as_deref().map(Locale::new),
                content,
            })
        }
        UpdateKind::EditedMessage => Converted::Skip("edited message"),
        UpdateKind::Unreadable => Converted::Skip("update that does not read"),
        UpdateKind::Other => Converted::Skip("update kind the bot does not handle"),
    }
}
