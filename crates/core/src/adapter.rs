//! The adapter seam: one implementation per messenger.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::command::CommandInfo;
use crate::incoming::Incoming;
use crate::observe::{ErrorKind, Observer};
use crate::outgoing::{Outgoing, Sent};
use crate::platform::Platform;
use crate::store::{Store, StoreError};

/// The error of an adapter: connecting, receiving or sending.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// The platform refused the message for good (the user blocked the bot,
    /// never opened a private chat with it, left the group, ...).
    #[error("the platform refused the message: {0}")]
    Refused(String),
    /// A private message cannot be delivered until the person opens a private
    /// chat with the bot at `link`; the adapter answers the request there once
    /// they do. The caller posts the link where the request came from.
    #[error("the person has no private chat with the bot yet")]
    NeedsPrivateChat {
        /// Where the person opens the private chat (a Telegram deep link).
        link: String,
    },
    /// The platform asks to wait before sending again.
    #[error("rate limited by the platform for {0:?}")]
    RateLimited(Duration),
    /// The message cannot be expressed on this platform.
    #[error("not supported on this platform: {0}")]
    Unsupported(String),
    /// The message breaks a limit (length, button data, ...).
    #[error("invalid message: {0}")]
    Invalid(String),
    /// The connection to the platform failed.
    #[error("the connection to the platform failed")]
    Transport(#[source] Box<dyn StdError + Send + Sync>),
    /// The adapter is shutting down.
    #[error("the adapter is shut down")]
    Closed,
}

impl AdapterError {
    /// Wraps a transport error.
    pub fn transport(e: impl StdError + Send + Sync + 'static) -> Self {
        Self::Transport(Box::new(e))
    }
}

/// How the handling of one update ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The handler ran to the end.
    Handled,
    /// The handler failed or panicked; the user was told, the error logged.
    Failed,
    /// The update was accepted but the runtime stopped before handling it.
    Dropped,
}

/// A messenger connection.
///
/// `run` receives updates and hands them to the runtime through the
/// [`Intake`]; `send` delivers the bot's messages. Held as `Arc<dyn Adapter>`.
#[async_trait]
pub trait Adapter: Send + Sync + 'static {
    /// The platform this adapter serves.
    fn platform(&self) -> Platform;

    /// Whether the adapter is connected to its platform (for `/readyz`).
    fn is_ready(&self) -> bool {
        true
    }

    /// Whether marketing messages (broadcasts) may go to people on this
    /// platform. Discord's policy forbids unsolicited advertising, so its
    /// adapter says no unless the operator allows it.
    fn allows_marketing(&self) -> bool {
        true
    }

    /// Receives updates until the intake stops (shutdown) or the source ends
    /// (end of input on the console).
    ///
    /// # Errors
    /// When the connection fails for good.
    async fn run(&self, intake: Intake) -> Result<(), AdapterError>;

    /// Sends one message.
    ///
    /// # Errors
    /// When the platform refuses it or cannot be reached.
    async fn send(&self, out: Outgoing) -> Result<Sent, AdapterError>;

    /// Called once the runtime is done with an update, however it ended: the
    /// place to answer a Telegram callback query or a Discord interaction that
    /// got no reply.
    async fn finished(&self, _incoming: &Incoming, _outcome: Outcome) {}

    /// Called after the data of `identity` was erased: the place to delete
    /// what the adapter itself keeps about the person (files the console
    /// saved, say).
    async fn erased(&self, _identity: &crate::platform::Identity) {}
}

pub(crate) struct Envelope {
    pub(crate) incoming: Incoming,
    pub(crate) adapter: Arc<dyn Adapter>,
    pub(crate) done: oneshot::Sender<Outcome>,
    /// A place in the runtime's bounded queue, given back once the update is
    /// handled: what makes `submit` wait when the runtime is behind.
    pub(crate) _place: OwnedSemaphorePermit,
}

/// The error of submitting to an intake that has stopped.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the runtime no longer accepts updates")]
pub struct IntakeClosed;

/// An adapter's door into the runtime.
#[derive(Clone)]
pub struct Intake {
    pub(crate) tx: mpsc::Sender<Envelope>,
    pub(crate) stop: CancellationToken,
    pub(crate) adapter: Arc<dyn Adapter>,
    pub(crate) commands: Arc<Vec<CommandInfo>>,
    pub(crate) places: Arc<Semaphore>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) observer: Arc<dyn Observer>,
}

impl Intake {
    /// Hands an update to the runtime. Waits while the runtime's queue is full
    /// (backpressure), and returns a ticket that resolves once it is handled.
    ///
    /// # Errors
    /// When the runtime has stopped taking updates; the update was not accepted.
    pub async fn submit(&self, incoming: Incoming) -> Result<Ticket, IntakeClosed> {
        if self.stop.is_cancelled() {
            return Err(IntakeClosed);
        }
        let place = tokio::select! {
            biased;
            () = self.stop.cancelled() => return Err(IntakeClosed),
            place = Arc::clone(&self.places).acquire_owned() => place.map_err(|_| IntakeClosed)?,
        };
        let (done, rx) = oneshot::channel();
        let envelope = Envelope {
            incoming,
            adapter: Arc::clone(&self.adapter),
            done,
            _place: place,
        };
        tokio::select! {
            biased;
            () = self.stop.cancelled() => Err(IntakeClosed),
            sent = self.tx.send(envelope) => sent.map(|()| Ticket(rx)).map_err(|_| IntakeClosed),
        }
    }

    /// The bot's commands with descriptions in every language, to register.
    pub fn commands(&self) -> &[CommandInfo] {
        &self.commands
    }

    /// Resolves when the runtime stops taking updates: return from `run` then.
    pub async fn stopped(&self) {
        self.stop.cancelled().await;
    }

    /// Whether the runtime has stopped taking updates.
    pub fn is_stopped(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// Reports an error of `kind` on the adapter's platform to the
    /// instance's observer (the `botwerk_errors_total` metric).
    pub fn report(&self, kind: ErrorKind) {
        self.observer.error(self.adapter.platform(), kind);
    }

    /// Makes what the handlers wrote so far durable. An adapter that tells
    /// its platform an update is handled (and will not come again) calls it
    /// first, so that a crash never keeps the confirmation and loses the
    /// state it stands for. Concurrent calls share one sync.
    ///
    /// # Errors
    /// When the store cannot sync.
    pub async fn flush_store(&self) -> Result<(), StoreError> {
        self.store.flush().await
    }

    /// Reads the adapter's bookkeeping value `key` from the store (see
    /// [`Store::get_meta`]).
    ///
    /// # Errors
    /// When the storage fails.
    pub async fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store.get_meta(key).await
    }

    /// Writes the adapter's bookkeeping value `key` to the store, durable
    /// with the next [`Intake::flush_store`] (see [`Store::put_meta`]).
    ///
    /// # Errors
    /// When the storage fails.
    pub async fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.store.put_meta(key, value).await
    }

    /// Keeps a batch of input the adapter `name` took from its platform
    /// until it is handled, sealed (see [`Store::keep_input`]); `false` when
    /// the store does not keep it.
    ///
    /// # Errors
    /// When the storage fails.
    pub async fn keep_input(
        &self,
        name: &str,
        batch: u64,
        input: &[u8],
    ) -> Result<bool, StoreError> {
        self.store.keep_input(name, batch, input).await
    }

    /// Forgets a kept batch for good, once what handling it wrote is durable
    /// (see [`Store::drop_input`]).
    ///
    /// # Errors
    /// When the storage fails.
    pub async fn drop_input(&self, name: &str, batch: u64) -> Result<(), StoreError> {
        self.store.drop_input(name, batch).await
    }

    /// The batches the adapter `name` keeps (see [`Store::kept_input`]).
    ///
    /// # Errors
    /// When the storage fails.
    pub async fn kept_input(&self, name: &str) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        self.store.kept_input(name).await
    }
}

/// Resolves when the runtime is done with a submitted update.
#[derive(Debug)]
pub struct Ticket(oneshot::Receiver<Outcome>);

impl Ticket {
    /// Waits for the outcome.
    pub async fn outcome(self) -> Outcome {
        self.0.await.unwrap_or(Outcome::Dropped)
    }
}
