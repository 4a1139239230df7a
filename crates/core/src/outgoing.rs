//! What the bot sends: `Outgoing`, turned into platform calls by an adapter.

use std::fmt;

use crate::incoming::Origin;
use crate::platform::{Chat, Identity, MessageId};

/// The longest button data every platform accepts (Telegram's callback data: 64 bytes).
pub const MAX_BUTTON_DATA: usize = 64;

/// One message from the bot.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Where it goes, and who may see it.
    pub target: Target,
    /// What it says.
    pub body: Body,
    /// The update this answers, if any, with the adapter's data for answering it.
    pub origin: Origin,
}

impl Outgoing {
    /// Whether everyone in the chat sees it or only one person.
    pub fn visibility(&self) -> Visibility {
        match self.target {
            Target::Chat(_) => Visibility::Public,
            Target::Private { .. } => Visibility::Private,
        }
    }

    /// Checks limits every platform shares: button data length, non-empty text.
    ///
    /// # Errors
    /// Returns a description of the first limit broken.
    pub fn validate(&self) -> Result<(), String> {
        let (text, buttons) = match &self.body {
            Body::Text { text, buttons } | Body::Edit { text, buttons, .. } => (text, buttons),
            Body::File { file, .. } => {
                if file.name.is_empty() {
                    return Err("an attachment needs a file name".into());
                }
                return Ok(());
            }
        };
        if text.trim().is_empty() {
            return Err("a message needs text".into());
        }
        for button in buttons.iter() {
            if button.data.len() > MAX_BUTTON_DATA {
                return Err(format!(
                    "button data of {} bytes is over the limit of {MAX_BUTTON_DATA}",
                    button.data.len()
                ));
            }
            if button.label.trim().is_empty() {
                return Err("a button needs a label".into());
            }
        }
        Ok(())
    }
}

/// Who sees a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Everyone in the chat.
    Public,
    /// Only the person it is for: a Telegram private chat, a Discord ephemeral
    /// reply or DM.
    Private,
}

/// Where a message goes.
#[derive(Clone, Debug)]
pub enum Target {
    /// Into a chat, for everyone in it.
    Chat(Chat),
    /// To one person only.
    Private {
        /// The person.
        user: Identity,
        /// The chat the request came from, if any: a private chat is answered
        /// in place, a group may get a pointer to the private chat.
        from: Option<Chat>,
    },
}

/// The content of a message.
#[derive(Clone)]
pub enum Body {
    /// Text, optionally with inline buttons.
    Text {
        /// The text.
        text: String,
        /// Buttons below the text.
        buttons: Buttons,
    },
    /// A file.
    File {
        /// The file.
        file: Attachment,
        /// Text shown with the file.
        caption: Option<String>,
    },
    /// A new text (and buttons) for a message the bot sent earlier.
    Edit {
        /// The message to change.
        message: MessageId,
        /// Its new text.
        text: String,
        /// Its new buttons (empty removes them).
        buttons: Buttons,
    },
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text { text, buttons } => {
                write!(f, "Text(<{} bytes>, {} buttons)", text.len(), buttons.len())
            }
            Self::File { file, .. } => write!(f, "File(<{} bytes>)", file.bytes.len()),
            Self::Edit { text, .. } => write!(f, "Edit(<{} bytes>)", text.len()),
        }
    }
}

/// An inline button.
#[derive(Clone, PartialEq, Eq)]
pub struct Button {
    /// What the button says.
    pub label: String,
    /// What comes back in `Content::Button` when it is pressed (at most 64 bytes).
    pub data: String,
}

// Labels may hold personal data and data may hold nonces: Debug shows sizes.
impl fmt::Debug for Button {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Button(<{} bytes>, <{} bytes>)",
            self.label.len(),
            self.data.len()
        )
    }
}

impl Button {
    /// A button labelled `label` that sends back `data`.
    pub fn new(label: impl Into<String>, data: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            data: data.into(),
        }
    }
}

/// Rows of inline buttons.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Buttons(Vec<Vec<Button>>);

impl Buttons {
    /// No buttons.
    pub fn none() -> Self {
        Self::default()
    }

    /// One row holding all `buttons`.
    pub fn row(buttons: impl IntoIterator<Item = Button>) -> Self {
        Self(vec![buttons.into_iter().collect()])
    }

    /// One button per row.
    pub fn column(buttons: impl IntoIterator<Item = Button>) -> Self {
        Self(buttons.into_iter().map(|b| vec![b]).collect())
    }

    /// Adds a row.
    #[must_use]
    pub fn with_row(mut self, buttons: impl IntoIterator<Item = Button>) -> Self {
        self.0.push(buttons.into_iter().collect());
        self
    }

    /// The rows.
    pub fn rows(&self) -> &[Vec<Button>] {
        &self.0
    }

    /// Every button, row by row.
    pub fn iter(&self) -> impl Iterator<Item = &Button> {
        self.0.iter().flatten()
    }

    /// The number of buttons.
    pub fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    /// Whether there are no buttons.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A file the bot sends.
#[derive(Clone)]
pub struct Attachment {
    /// The file name the recipient sees.
    pub name: String,
    /// Its media type, `application/json` say.
    pub mime: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Attachment({}, <{} bytes>)", self.mime, self.bytes.len())
    }
}

/// What the adapter reports about a message it sent.
#[derive(Clone, Debug, Default)]
pub struct Sent {
    /// The platform's id of the new message, when there is one to edit later.
    pub message: Option<MessageId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{ChatKind, Platform};

    fn text(text: &str, buttons: Buttons) -> Outgoing {
        Outgoing {
            target: Target::Chat(Chat::new(Platform::Memory, "c", ChatKind::Private)),
            body: Body::Text {
                text: text.into(),
                buttons,
            },
            origin: Origin::none(),
        }
    }

    #[test]
    fn validates_button_data_length() {
        let ok = Buttons::row([Button::new("ok", "x".repeat(64))]);
        assert!(text("hi", ok).validate().is_ok());
        let long = Buttons::row([Button::new("long", "x".repeat(65))]);
        assert!(text("hi", long)
            .validate()
            .unwrap_err()
            .contains("65 bytes"));
        assert!(text("  ", Buttons::none()).validate().is_err());
    }

    #[test]
    fn buttons_count_rows() {
        let b = Buttons::row([Button::new("a", "1"), Button::new("b", "2")])
            .with_row([Button::new("c", "3")]);
        assert_eq!(b.len(), 3);
        assert_eq!(b.rows().len(), 2);
        assert!(Buttons::none().is_empty());
    }
}
