//! What a person sent: `Incoming`, built by an adapter from a platform update.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::platform::{Chat, Identity, MessageId};

/// One update from a messenger, in platform-neutral form.
#[derive(Clone, Debug)]
pub struct Incoming {
    /// The chat the update arrived in.
    pub chat: Chat,
    /// Who sent it.
    pub sender: Sender,
    /// The sender's language as the platform reports it (`de`, `en-US`, ...).
    pub locale: Option<Locale>,
    /// Text, command or button press.
    pub content: Content,
    /// Adapter-private data needed to answer this update (a Discord interaction
    /// token, say). Opaque to everything but the adapter that made it.
    pub origin: Origin,
}

impl Incoming {
    /// The text of a text message, if this is one.
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            Content::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The command name (lowercase, without `/`), if this is a command.
    pub fn command(&self) -> Option<&str> {
        match &self.content {
            Content::Command { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The data of a pressed button, if this is a button press.
    pub fn button(&self) -> Option<&str> {
        match &self.content {
            Content::Button { data, .. } => Some(data),
            _ => None,
        }
    }
}

/// The person behind an update.
#[derive(Clone)]
pub struct Sender {
    /// The account that sent the update.
    pub identity: Identity,
    /// The name the platform shows for the account, if any. Personal data.
    pub display_name: Option<String>,
    /// True when the platform hides the person behind a group or channel (a
    /// Telegram anonymous group admin): such a sender gets no personal data.
    pub anonymous: bool,
}

// The display name is personal data: Debug shows only whether there is one.
impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("identity", &self.identity)
            .field(
                "display_name",
                &self.display_name.as_ref().map(|_| "<redacted>"),
            )
            .field("anonymous", &self.anonymous)
            .finish()
    }
}

impl Sender {
    /// A named, non-anonymous sender.
    pub fn new(identity: Identity) -> Self {
        Self {
            identity,
            display_name: None,
            anonymous: false,
        }
    }
}

/// What an update carries.
#[derive(Clone, PartialEq, Eq)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// A command such as `/order 2`: name lowercase without the slash, and the
    /// rest of the line (trimmed, possibly empty).
    Command {
        /// The command's name, `order` for `/order`.
        name: String,
        /// Everything after the name, trimmed.
        args: String,
    },
    /// A press of an inline button the bot sent.
    Button {
        /// The data the bot attached to the button.
        data: String,
        /// The message that carried the button, when the platform says.
        message: Option<MessageId>,
    },
}

// Message text is personal data: Debug shows the kind and size, not the words.
impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => write!(f, "Text(<{} bytes>)", text.len()),
            Self::Command { name, args } => {
                write!(f, "Command({name}, <{} bytes>)", args.len())
            }
            Self::Button { data, .. } => write!(f, "Button(<{} bytes>)", data.len()),
        }
    }
}

/// The longest command name platforms accept (Telegram: 32, Discord: 32).
pub const MAX_COMMAND_LEN: usize = 32;

impl Content {
    /// Parses a typed line: `/name args` or `/name@bot args` becomes a
    /// command, anything else text.
    ///
    /// `me` is the bot's own username: a command addressed to another bot
    /// (`/start@otherbot`) returns `None`, so that the bot ignores it.
    pub fn parse(text: &str, me: Option<&str>) -> Option<Self> {
        let Some(rest) = text.strip_prefix('/') else {
            return Some(Self::Text(text.to_owned()));
        };
        let (word, args) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        let (name, addressee) = match word.split_once('@') {
            Some((name, bot)) => (name, Some(bot)),
            None => (word, None),
        };
        if let (Some(bot), Some(me)) = (addressee, me) {
            if !bot.eq_ignore_ascii_case(me) {
                return None;
            }
        }
        let valid = !name.is_empty()
            && name.len() <= MAX_COMMAND_LEN
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Some(Self::Text(text.to_owned()));
        }
        Some(Self::Command {
            name: name.to_ascii_lowercase(),
            args: args.to_owned(),
        })
    }
}

/// A BCP 47 language tag as a platform reports it (`de`, `en-US`, `pt-BR`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Locale(String);

impl Locale {
    /// Wraps a tag; underscores (`de_DE`, as POSIX locales write it) become hyphens.
    pub fn new(tag: impl Into<String>) -> Self {
        Self(tag.into().replace('_', "-"))
    }

    /// The tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag, lowercase: `de` for `de-AT`.
    pub fn language(&self) -> String {
        self.0
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }
}

/// Adapter-private data that travels from an `Incoming` to the `Outgoing`
/// replies to it, such as the interaction a Discord reply must answer.
#[derive(Clone, Default)]
pub struct Origin(Option<Arc<dyn Any + Send + Sync>>);

impl Origin {
    /// Wraps adapter data.
    pub fn new<T: Any + Send + Sync>(value: T) -> Self {
        Self(Some(Arc::new(value)))
    }

    /// No origin: an unsolicited message such as a broadcast.
    pub fn none() -> Self {
        Self(None)
    }

    /// The adapter data, if it is of type `T`.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.as_deref().and_then(|v| v.downcast_ref())
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Origin(..)"
        } else {
            "Origin(none)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(name: &str, args: &str) -> Option<Content> {
        Some(Content::Command {
            name: name.into(),
            args: args.into(),
        })
    }

    #[test]
    fn parses_commands_and_text() {
        assert_eq!(Content::parse("/order", None), command("order", ""));
        assert_eq!(
            Content::parse("/Order  2 cups ", None),
            command("order", "2 cups")
        );
        assert_eq!(
            Content::parse("hello", None),
            Some(Content::Text("hello".into()))
        );
        assert_eq!(Content::parse("/", None), Some(Content::Text("/".into())));
        assert_eq!(Content::parse("/ä", None), Some(Content::Text("/ä".into())));
    }

    #[test]
    fn commands_addressed_to_bots() {
        assert_eq!(
            Content::parse("/mydata@ShopBot", Some("shopbot")),
            command("mydata", "")
        );
        assert_eq!(Content::parse("/mydata@other_bot", Some("shopbot")), None);
        assert_eq!(Content::parse("/mydata@any", None), command("mydata", ""));
    }

    #[test]
    fn debug_hides_text() {
        let c = Content::Text("my secret address".into());
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn locale_language() {
        assert_eq!(Locale::new("de_AT").language(), "de");
        assert_eq!(Locale::new("EN-us").language(), "en");
    }

    #[test]
    fn origin_downcasts() {
        let o = Origin::new(42_u32);
        assert_eq!(o.get::<u32>(), Some(&42));
        assert_eq!(o.get::<u64>(), None);
        assert_eq!(Origin::none().get::<u32>(), None);
    }
}
