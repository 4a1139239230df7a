//! Messengers, identities and chats: the typed ids that cross crate boundaries.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A messenger Botwerk can serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Platform {
    /// The local console adapter (stdin/stdout).
    Console,
    /// Telegram, through the Bot API.
    Telegram,
    /// Discord, through the gateway and REST API.
    Discord,
    /// The in-memory test adapter of `botwerk-testkit`.
    Memory,
}

impl Platform {
    /// All platforms, in a stable order.
    pub const ALL: [Self; 4] = [Self::Console, Self::Telegram, Self::Discord, Self::Memory];

    /// The lowercase name used in configuration, pseudonym input and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Console => "console",
            Self::Telegram => "telegram",
            Self::Discord => "discord",
            Self::Memory => "memory",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown platform name.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown platform `{0}` (expected one of: console, telegram, discord, memory)")]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownPlatform(s.to_owned()))
    }
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a platform's id, given in its canonical text form.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id in its canonical text form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id.to_string())
            }
        }

        impl From<u64> for $name {
            fn from(id: u64) -> Self {
                Self(id.to_string())
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        // Raw platform ids are personal data: Debug shows only their length so
        // that a stray `{:?}` in a log line leaks nothing.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(<{} chars>)", stringify!($name), self.0.len())
            }
        }
    };
}

string_id!(
    /// A user's id on one platform (a Telegram user id, a Discord snowflake, ...).
    ///
    /// Personal data: never logged, never a key in the store.
    UserId
);

string_id!(
    /// A chat's id on one platform (a Telegram chat id, a Discord channel id, ...).
    ChatId
);

string_id!(
    /// A message's id on one platform, used to edit a message the bot sent.
    MessageId
);

/// A person's account on one platform: `(platform, platform user id)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identity {
    /// The platform of the account.
    pub platform: Platform,
    /// The account's id on that platform.
    pub user: UserId,
}

impl Identity {
    /// An identity on `platform` with user id `user`.
    pub fn new(platform: Platform, user: impl Into<UserId>) -> Self {
        Self {
            platform,
            user: user.into(),
        }
    }

    /// The canonical `platform:id` form, the input of the pseudonym HMAC.
    ///
    /// Personal data: for hashing and export only, never for logs.
    pub fn canonical(&self) -> String {
        format!("{}:{}", self.platform, self.user.as_str())
    }
}

/// Whether a chat is private (the bot and one user) or shared by several people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatKind {
    /// One user and the bot: a Telegram private chat, a Discord DM, the console.
    Private,
    /// Several people: a Telegram group or channel, a Discord guild channel.
    Group,
}

/// A chat on one platform.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Chat {
    /// The platform the chat lives on.
    pub platform: Platform,
    /// The chat's id on that platform.
    pub id: ChatId,
    /// Private or group.
    pub kind: ChatKind,
}

impl Chat {
    /// A chat on `platform` with id `id` and kind `kind`.
    pub fn new(platform: Platform, id: impl Into<ChatId>, kind: ChatKind) -> Self {
        Self {
            platform,
            id: id.into(),
            kind,
        }
    }

    /// Whether only the bot and one user see this chat.
    pub fn is_private(&self) -> bool {
        self.kind == ChatKind::Private
    }
}

/// The id of a data subject: random 128 bits, the key of everything the vault
/// keeps about one person across all linked identities.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectId([u8; 16]);

impl SubjectId {
    /// Wraps 16 bytes; the vault draws them from the OS's random source.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The raw 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// A short, stable hash of the id, safe for logs (the design allows
    /// subject hashes in logs, never the id itself).
    pub fn log_tag(&self) -> String {
        // FNV-1a over the bytes: not a security boundary, only a correlation tag.
        let mut h: u32 = 0x811c_9dc5;
        for b in self.0 {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        format!("{h:08x}")
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubjectId({})", self.log_tag())
    }
}

/// The error of parsing a subject id that is not 32 hex digits.
#[derive(Debug, Clone, thiserror::Error)]
#[error("a subject id is 32 hexadecimal digits")]
pub struct BadSubjectId;

impl FromStr for SubjectId {
    type Err = BadSubjectId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 32 || !s.is_ascii() {
            return Err(BadSubjectId);
        }
        let mut out = [0u8; 16];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| BadSubjectId)?;
        }
        Ok(Self(out))
    }
}

impl Serialize for SubjectId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SubjectId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names_round_trip() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>().unwrap(), p);
        }
        assert!("icq".parse::<Platform>().is_err());
    }

    #[test]
    fn subject_id_hex_round_trip() {
        let id = SubjectId::from_bytes([0xab; 16]);
        let text = id.to_string();
        assert_eq!(text.len(), 32);
        assert_eq!(text.parse::<SubjectId>().unwrap(), id);
        assert!("xyz".parse::<SubjectId>().is_err());
        assert!("zz".repeat(16).parse::<SubjectId>().is_err());
    }

    #[test]
    fn debug_of_ids_hides_the_raw_value() {
        let user = UserId::from(123_456_789_i64);
        assert!(!format!("{user:?}").contains("123456789"));
        let subject = SubjectId::from_bytes([7; 16]);
        assert!(!format!("{subject:?}").contains(&subject.to_string()));
    }

    #[test]
    fn canonical_identity() {
        assert_eq!(
            Identity::new(Platform::Telegram, 42_i64).canonical(),
            "telegram:42"
        );
    }
}
