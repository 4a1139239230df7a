//! `Ctx`: what a handler gets to answer one update.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::adapter::{Adapter, AdapterError};
use crate::clock::{Clock, SystemClock};
use crate::gate::Gate;
use crate::handler::HandlerError;
use crate::i18n::{Catalog, TextArg};
use crate::incoming::{Incoming, Origin, Sender};
use crate::observe::{ErrorKind, NoObserver, Observer};
use crate::outgoing::{Attachment, Body, Buttons, Outgoing, Sent, Target};
use crate::platform::{Chat, MessageId, SubjectId};
use crate::store::{Store, StoreError};

/// Shared services of one bot instance: store, texts, clock, consent gate.
#[derive(Clone)]
pub struct Services {
    /// Subjects, dialog state and records.
    pub store: Arc<dyn Store>,
    /// Every text the bot says, in every language.
    pub texts: Arc<Catalog>,
    /// The current time.
    pub clock: Arc<dyn Clock>,
    /// The consent gate; without one every purpose is admitted.
    pub gate: Option<Arc<dyn Gate>>,
    /// Told about handled updates and privacy requests (metrics).
    pub observer: Arc<dyn Observer>,
}

impl Services {
    /// Services on `store` with the core's texts, the system clock and no gate.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            texts: Arc::new(Catalog::new()),
            clock: Arc::new(SystemClock),
            gate: None,
            observer: Arc::new(NoObserver),
        }
    }

    /// Installs an observer (metrics).
    #[must_use]
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = observer;
        self
    }

    /// Replaces the text catalog.
    #[must_use]
    pub fn with_texts(mut self, texts: Catalog) -> Self {
        self.texts = Arc::new(texts);
        self
    }

    /// Replaces the clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Installs a consent gate.
    #[must_use]
    pub fn with_gate(mut self, gate: Arc<dyn Gate>) -> Self {
        self.gate = Some(gate);
        self
    }
}

/// The context of one update: who sent what where, and how to answer.
pub struct Ctx {
    incoming: Arc<Incoming>,
    adapter: Arc<dyn Adapter>,
    services: Arc<Services>,
    language: String,
    subject: Option<SubjectId>,
    private_blocked: bool,
}

impl Ctx {
    /// A context for `incoming`, answering through `adapter`.
    pub fn new(incoming: Incoming, adapter: Arc<dyn Adapter>, services: Arc<Services>) -> Self {
        Self::shared(Arc::new(incoming), adapter, services)
    }

    /// [`Ctx::new`] for an update the caller keeps too (the runtime hands
    /// it back to the adapter once the handler is done).
    pub fn shared(
        incoming: Arc<Incoming>,
        adapter: Arc<dyn Adapter>,
        services: Arc<Services>,
    ) -> Self {
        let language = services
            .texts
            .negotiate(incoming.locale.as_ref().map(|l| l.as_str()))
            .to_owned();
        Self {
            incoming,
            adapter,
            services,
            language,
            subject: None,
            private_blocked: false,
        }
    }

    /// The update being handled.
    pub fn incoming(&self) -> &Incoming {
        &self.incoming
    }

    /// The chat it came from.
    pub fn chat(&self) -> &Chat {
        &self.incoming.chat
    }

    /// Who sent it.
    pub fn sender(&self) -> &Sender {
        &self.incoming.sender
    }

    /// The instance's services.
    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// The adapter the update came through.
    pub fn adapter(&self) -> &Arc<dyn Adapter> {
        &self.adapter
    }

    /// The current time of the instance's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.services.clock.now()
    }

    /// The language replies are written in: the subject's choice, else the
    /// platform's locale, else English.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// Switches the language of this context's replies (the best match among
    /// the catalog's languages is used).
    pub fn set_language(&mut self, requested: &str) {
        self.language = self.services.texts.negotiate(Some(requested)).to_owned();
    }

    /// The text `key` in the reply language.
    pub fn t(&self, key: &str) -> String {
        self.services.texts.text(&self.language, key, &[])
    }

    /// The text `key` in the reply language, with arguments.
    pub fn t_with(&self, key: &str, args: &[(&str, TextArg)]) -> String {
        self.services.texts.text(&self.language, key, args)
    }

    /// The sender's subject, created on first use.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn subject(&mut self) -> Result<SubjectId, StoreError> {
        if let Some(subject) = self.subject {
            return Ok(subject);
        }
        let found = self
            .services
            .store
            .subject(&self.incoming.sender.identity, true)
            .await?;
        let subject =
            found.ok_or_else(|| StoreError::Invalid("the store made no subject".into()))?;
        self.subject = Some(subject);
        Ok(subject)
    }

    /// The sender's subject if one exists; never creates one, so that looking
    /// does not store anything about a person.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn existing_subject(&mut self) -> Result<Option<SubjectId>, StoreError> {
        if self.subject.is_some() {
            return Ok(self.subject);
        }
        self.subject = self
            .services
            .store
            .subject(&self.incoming.sender.identity, false)
            .await?;
        Ok(self.subject)
    }

    /// Forgets the cached subject, after an erasure say.
    pub fn forget_subject(&mut self) {
        self.subject = None;
    }

    /// Records of the declared `category` for the sender's subject.
    pub fn data<'a>(&'a mut self, category: &'a str) -> Records<'a> {
        Records {
            ctx: self,
            category,
        }
    }

    /// Sends text into the chat.
    ///
    /// # Errors
    /// When the adapter cannot send it.
    pub async fn reply(&mut self, text: impl Into<String>) -> Result<Sent, HandlerError> {
        self.ask(text, Buttons::none()).await
    }

    /// Sends text with buttons into the chat.
    ///
    /// # Errors
    /// When the adapter cannot send it.
    pub async fn ask(
        &mut self,
        text: impl Into<String>,
        buttons: Buttons,
    ) -> Result<Sent, HandlerError> {
        let body = Body::Text {
            text: text.into(),
            buttons,
        };
        self.send(self.public_target(), body).await
    }

    /// Sends text only the sender sees: in their private chat, or ephemeral.
    ///
    /// # Errors
    /// When the adapter cannot send it.
    pub async fn reply_private(&mut self, text: impl Into<String>) -> Result<Sent, HandlerError> {
        self.ask_private(text, Buttons::none()).await
    }

    /// Sends text with buttons only the sender sees.
    ///
    /// # Errors
    /// When the adapter cannot send it.
    pub async fn ask_private(
        &mut self,
        text: impl Into<String>,
        buttons: Buttons,
    ) -> Result<Sent, HandlerError> {
        let body = Body::Text {
            text: text.into(),
            buttons,
        };
        self.send(self.private_target(), body).await
    }

    /// Sends a file into the chat.
    ///
    /// # Errors
    /// When the adapter cannot send it.
    pub async fn send_file(
        &mut self,
        file: Attachment,
        caption: Option<String>,
    ) -> Result<Sent, HandlerError> {
        self.send(self.public_target(), Body::File { file, caption })
            .await
    }

    /// Sends a file only the sender sees.
    ///
    /// # Errors
    /// When the adapter cannot send it.
    pub async fn send_file_private(
        &mut self,
        file: Attachment,
        caption: Option<String>,
    ) -> Result<Sent, HandlerError> {
        self.send(self.private_target(), Body::File { file, caption })
            .await
    }

    /// Replaces the text and buttons of a message the bot sent earlier.
    ///
    /// # Errors
    /// When the adapter cannot edit it.
    pub async fn edit(
        &mut self,
        message: MessageId,
        text: impl Into<String>,
        buttons: Buttons,
    ) -> Result<Sent, HandlerError> {
        let body = Body::Edit {
            message,
            text: text.into(),
            buttons,
        };
        self.send(self.public_target(), body).await
    }

    /// Sends a message with an explicit target.
    ///
    /// # Errors
    /// When the message breaks a shared limit or the adapter cannot send it.
    pub async fn send(&mut self, target: Target, body: Body) -> Result<Sent, HandlerError> {
        let private_from_group = matches!(
            &target,
            Target::Private { from: Some(chat), .. } if !chat.is_private()
        );
        let out = Outgoing {
            target,
            body,
            origin: self.incoming.origin.clone(),
        };
        out.validate().map_err(HandlerError::msg)?;
        match self.adapter.send(out).await {
            Ok(sent) => Ok(sent),
            Err(e) => {
                // Not failures: a private chat still to be opened, or refused
                // to a request from a group (both steps of the flow: the
                // group gets a pointer), and a shutdown.
                let expected = match &e {
                    AdapterError::NeedsPrivateChat { .. } | AdapterError::Closed => true,
                    AdapterError::Refused(_) => private_from_group,
                    _ => false,
                };
                if !expected {
                    self.services
                        .observer
                        .error(self.incoming.chat.platform, ErrorKind::Send);
                }
                Err(e.into())
            }
        }
    }

    /// The target "this chat, for everyone".
    pub fn public_target(&self) -> Target {
        Target::Chat(self.incoming.chat.clone())
    }

    /// The target "the sender only".
    pub fn private_target(&self) -> Target {
        Target::Private {
            user: self.incoming.sender.identity.clone(),
            from: Some(self.incoming.chat.clone()),
        }
    }

    /// Notes that private messages to the sender cannot be delivered while
    /// this update is handled (the group already got a pointer), so that
    /// later private replies are dropped instead of pointing again.
    pub fn block_private(&mut self) {
        self.private_blocked = true;
    }

    /// Whether [`Ctx::block_private`] was called.
    pub fn private_blocked(&self) -> bool {
        self.private_blocked
    }

    /// The adapter data of the update, for replies built by hand.
    pub fn origin(&self) -> &Origin {
        &self.incoming.origin
    }

    /// Whether processing for `purpose` may go ahead, asking the gate quietly:
    /// for optional features such as "remember my address".
    ///
    /// # Errors
    /// When the consent state cannot be read.
    pub async fn consented(&mut self, purpose: &str) -> Result<bool, HandlerError> {
        match self.services.gate.clone() {
            Some(gate) => gate.allows(self, purpose).await,
            None => Ok(true),
        }
    }

    /// Runs the consent gate for `purpose`; `true` when processing may go ahead.
    ///
    /// # Errors
    /// When the consent state cannot be read.
    pub async fn admit(&mut self, purpose: &str) -> Result<bool, HandlerError> {
        match self.services.gate.clone() {
            Some(gate) => gate.admit(self, purpose).await,
            None => Ok(true),
        }
    }
}

/// Typed access to the sender's records of one declared category.
pub struct Records<'a> {
    ctx: &'a mut Ctx,
    category: &'a str,
}

impl Records<'_> {
    /// Stores `value` under `key`.
    ///
    /// # Errors
    /// An undeclared category, missing consent, or a storage failure.
    pub async fn put<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> Result<(), HandlerError> {
        let bytes = serde_json::to_vec(value)?;
        let store = Arc::clone(&self.ctx.services.store);
        let existing = self.ctx.existing_subject().await?;
        store.check_write(existing, self.category).await?;
        let subject = self.ctx.subject().await?;
        store
            .put_record(subject, self.category, key, &bytes)
            .await?;
        Ok(())
    }

    /// Reads the value under `key`.
    ///
    /// # Errors
    /// A storage failure, or a value that is not a `T`.
    pub async fn get<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, HandlerError> {
        let Some(subject) = self.ctx.existing_subject().await? else {
            return Ok(None);
        };
        let store = Arc::clone(&self.ctx.services.store);
        match store.get_record(subject, self.category, key).await? {
            Some(bytes) => Ok(Some(decode(self.category, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Every record of the category, in key order. Meant for categories that
    /// hold a handful of records per person.
    ///
    /// # Errors
    /// A storage failure, or a value that is not a `T`.
    pub async fn list<T: DeserializeOwned>(&mut self) -> Result<Vec<(String, T)>, HandlerError> {
        const PAGE: usize = 256;
        let Some(subject) = self.ctx.existing_subject().await? else {
            return Ok(Vec::new());
        };
        let store = Arc::clone(&self.ctx.services.store);
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = store
                .list_records(subject, self.category, after.as_deref(), PAGE)
                .await?;
            let full = page.len() == PAGE;
            for (key, bytes) in page {
                out.push((key.clone(), decode(self.category, &bytes)?));
                after = Some(key);
            }
            if !full {
                return Ok(out);
            }
        }
    }

    /// Deletes the record under `key`; returns whether it existed.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn delete(&mut self, key: &str) -> Result<bool, HandlerError> {
        let Some(subject) = self.ctx.existing_subject().await? else {
            return Ok(false);
        };
        let store = Arc::clone(&self.ctx.services.store);
        Ok(store.delete_record(subject, self.category, key).await?)
    }
}

/// Decodes a stored record. The error names the category, never the value:
/// serde's messages quote what they could not read, which is personal data.
fn decode<T: DeserializeOwned>(category: &str, bytes: &[u8]) -> Result<T, HandlerError> {
    serde_json::from_slice(bytes).map_err(|_| {
        HandlerError::msg(format!(
            "a record of category `{category}` does not decode into the requested type"
        ))
    })
}
