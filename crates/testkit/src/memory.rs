//! An adapter in memory: tests submit updates as people and read what the bot sent.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use botwerk_core::{
    Adapter, AdapterError, Body, Chat, ChatKind, Content, Identity, Incoming, Intake, Locale,
    MessageId, Origin, Outcome, Outgoing, Platform, Sender, Sent, Target,
};
use tokio::sync::{mpsc, oneshot, Notify};

/// A message the bot sent through the memory adapter.
#[derive(Clone, Debug)]
pub struct SentMessage {
    /// The id the adapter gave it.
    pub id: MessageId,
    /// What the bot sent.
    pub out: Outgoing,
}

impl SentMessage {
    /// The text of a text message or edit, or the caption of a file.
    pub fn text(&self) -> &str {
        match &self.out.body {
            Body::Text { text, .. } | Body::Edit { text, .. } => text,
            Body::File { caption, .. } => caption.as_deref().unwrap_or(""),
        }
    }

    /// The data of the button labelled `label`, if the message has one.
    pub fn button(&self, label: &str) -> Option<String> {
        let buttons = match &self.out.body {
            Body::Text { buttons, .. } | Body::Edit { buttons, .. } => buttons,
            Body::File { .. } => return None,
        };
        buttons
            .iter()
            .find(|b| b.label == label)
            .map(|b| b.data.clone())
    }

    /// The data of every button, in order.
    pub fn buttons(&self) -> Vec<(String, String)> {
        match &self.out.body {
            Body::Text { buttons, .. } | Body::Edit { buttons, .. } => buttons
                .iter()
                .map(|b| (b.label.clone(), b.data.clone()))
                .collect(),
            Body::File { .. } => Vec::new(),
        }
    }

    /// Whether the message went into the chat `chat` for everyone to see.
    pub fn is_public_in(&self, chat: &Chat) -> bool {
        matches!(&self.out.target, Target::Chat(c) if c == chat)
    }

    /// Whether the message went to `identity` privately.
    pub fn is_private_to(&self, identity: &Identity) -> bool {
        matches!(&self.out.target, Target::Private { user, .. } if user == identity)
    }

    /// The attached file's name and bytes, if this is a file.
    pub fn file(&self) -> Option<(&str, &[u8])> {
        match &self.out.body {
            Body::File { file, .. } => Some((&file.name, &file.bytes)),
            _ => None,
        }
    }
}

struct Shared {
    platform: Platform,
    sent: Mutex<Vec<SentMessage>>,
    next_id: AtomicU64,
    refuse_private: Mutex<HashSet<Identity>>,
    changed: Notify,
}

type Submission = (Incoming, oneshot::Sender<Outcome>);

/// An [`Adapter`] fed by a test through [`Users`].
pub struct MemoryAdapter {
    shared: Arc<Shared>,
    inbox: Mutex<Option<mpsc::Receiver<Submission>>>,
}

/// The test's side of a [`MemoryAdapter`]: submits updates, reads replies.
///
/// The adapter's input ends when every clone of `Users` is dropped.
#[derive(Clone)]
pub struct Users {
    shared: Arc<Shared>,
    tx: mpsc::Sender<Submission>,
}

impl MemoryAdapter {
    /// An adapter for [`Platform::Memory`] and its test handle.
    pub fn new() -> (Arc<Self>, Users) {
        Self::for_platform(Platform::Memory)
    }

    /// An adapter that claims to serve `platform`.
    pub fn for_platform(platform: Platform) -> (Arc<Self>, Users) {
        let (tx, rx) = mpsc::channel(1024);
        let shared = Arc::new(Shared {
            platform,
            sent: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            refuse_private: Mutex::new(HashSet::new()),
            changed: Notify::new(),
        });
        let adapter = Arc::new(Self {
            shared: Arc::clone(&shared),
            inbox: Mutex::new(Some(rx)),
        });
        (adapter, Users { shared, tx })
    }
}

#[async_trait]
impl Adapter for MemoryAdapter {
    fn platform(&self) -> Platform {
        self.shared.platform
    }

    async fn run(&self, intake: Intake) -> Result<(), AdapterError> {
        let Some(mut inbox) = self.inbox.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return Err(AdapterError::Unsupported(
                "the memory adapter runs once".into(),
            ));
        };
        loop {
            let next = tokio::select! {
                () = intake.stopped() => return Ok(()),
                next = inbox.recv() => next,
            };
            let Some((incoming, reply)) = next else {
                return Ok(());
            };
            match intake.submit(incoming).await {
                Ok(ticket) => {
                    tokio::spawn(async move {
                        let _ = reply.send(ticket.outcome().await);
                    });
                }
                Err(_) => {
                    let _ = reply.send(Outcome::Dropped);
                    return Ok(());
                }
            }
        }
    }

    async fn send(&self, out: Outgoing) -> Result<Sent, AdapterError> {
        if let Target::Private { user, .. } = &out.target {
            let refused = self
                .shared
                .refuse_private
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(user);
            if refused {
                return Err(AdapterError::Refused(
                    "the user has no private chat with the bot".into(),
                ));
            }
        }
        let id = MessageId::from(self.shared.next_id.fetch_add(1, Ordering::Relaxed));
        self.shared
            .sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(SentMessage {
                id: id.clone(),
                out,
            });
        self.shared.changed.notify_waiters();
        Ok(Sent { message: Some(id) })
    }
}

impl Users {
    /// Submits `incoming` and waits until the runtime is done with it.
    ///
    /// # Panics
    /// When the adapter is no longer running.
    pub async fn send(&self, incoming: Incoming) -> Outcome {
        let ticket = self.submit(incoming).await;
        ticket.await.unwrap_or(Outcome::Dropped)
    }

    /// Submits `incoming` without waiting for it to be handled.
    ///
    /// # Panics
    /// When the adapter is no longer running.
    pub async fn submit(&self, incoming: Incoming) -> oneshot::Receiver<Outcome> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send((incoming, tx))
            .await
            .expect("the memory adapter is running");
        rx
    }

    /// Everything the bot sent so far.
    pub fn sent(&self) -> Vec<SentMessage> {
        self.shared
            .sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Everything sent since the first `skip` messages.
    pub fn sent_since(&self, skip: usize) -> Vec<SentMessage> {
        self.sent().into_iter().skip(skip).collect()
    }

    /// The last message the bot sent.
    ///
    /// # Panics
    /// When the bot sent nothing.
    pub fn last(&self) -> SentMessage {
        self.sent().pop().expect("the bot sent something")
    }

    /// Makes private messages to `identity` fail as Telegram does for a user
    /// who never opened a private chat with the bot.
    pub fn refuse_private(&self, identity: &Identity) {
        self.shared
            .refuse_private
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(identity.clone());
    }

    /// Waits until the bot has sent at least `n` messages in all.
    pub async fn wait_for(&self, n: usize) {
        loop {
            let changed = self.shared.changed.notified();
            if self.sent().len() >= n {
                return;
            }
            changed.await;
        }
    }
}

/// Builds updates as one person in one chat.
#[derive(Clone, Debug)]
pub struct Person {
    identity: Identity,
    chat: Chat,
    locale: Option<Locale>,
    anonymous: bool,
}

impl Person {
    /// A person with user id `id` on [`Platform::Memory`] in their private chat.
    pub fn new(id: &str) -> Self {
        Self::on(Platform::Memory, id)
    }

    /// A person with user id `id` on `platform` in their private chat.
    pub fn on(platform: Platform, id: &str) -> Self {
        Self {
            identity: Identity::new(platform, id),
            chat: Chat::new(platform, format!("dm-{id}").as_str(), ChatKind::Private),
            locale: None,
            anonymous: false,
        }
    }

    /// The same person writing in the group `group`.
    #[must_use]
    pub fn in_group(&self, group: &str) -> Self {
        Self {
            chat: Chat::new(self.identity.platform, group, ChatKind::Group),
            ..self.clone()
        }
    }

    /// The same person with the platform reporting language `tag`.
    #[must_use]
    pub fn speaking(&self, tag: &str) -> Self {
        Self {
            locale: Some(Locale::new(tag)),
            ..self.clone()
        }
    }

    /// The same person hidden behind the group (an anonymous group admin).
    #[must_use]
    pub fn anonymous(&self) -> Self {
        Self {
            anonymous: true,
            ..self.clone()
        }
    }

    /// The person's identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The chat the person writes in.
    pub fn chat(&self) -> &Chat {
        &self.chat
    }

    /// An update with a typed line: a command if it starts with `/`, text otherwise.
    pub fn says(&self, line: &str) -> Incoming {
        let content = Content::parse(line, None).unwrap_or_else(|| Content::Text(line.into()));
        self.update(content)
    }

    /// An update pressing a button with `data`.
    pub fn presses(&self, data: &str) -> Incoming {
        self.update(Content::Button {
            data: data.into(),
            message: None,
        })
    }

    /// An update with any content.
    pub fn update(&self, content: Content) -> Incoming {
        Incoming {
            chat: self.chat.clone(),
            sender: Sender {
                identity: self.identity.clone(),
                display_name: None,
                anonymous: self.anonymous,
            },
            locale: self.locale.clone(),
            content,
            origin: Origin::none(),
        }
    }
}
