//! # botwerk-core
//!
//! The platform-neutral heart of Botwerk: the model every adapter speaks
//! ([`Incoming`], [`Outgoing`], typed ids), the [`Adapter`] seam, and the
//! [`Runtime`] that runs a [`Handler`] over updates — one chat's updates in
//! order, different chats in parallel, with a clean shutdown.
//!
//! Bots are written as a [`Router`] of commands and [`Dialog`]s. A dialog is a
//! typed state machine whose serde state is kept per (subject, chat) by the
//! [`Store`]; handlers answer through [`Ctx`].
//!
//! ```
//! use std::sync::Arc;
//! use botwerk_core::{async_trait, CommandSpec, Ctx, Handler, HandlerResult, MemoryStore, Router, Services};
//!
//! struct Help;
//!
//! #[async_trait]
//! impl Handler for Help {
//!     async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
//!         ctx.reply("Type /order to order something.").await?;
//!         Ok(())
//!     }
//! }
//!
//! let router = Router::new().command(CommandSpec::new("help", "my-help-text"), Help);
//! let services = Arc::new(Services::new(Arc::new(MemoryStore::new())));
//! let runtime = botwerk_core::Runtime::new(Arc::new(router), services);
//! # let _ = runtime;
//! ```
//!
//! # Layout
//! - `platform`: [`Platform`], [`UserId`], [`ChatId`], [`SubjectId`], [`Identity`], [`Chat`]
//! - `incoming`, `outgoing`: the update and message model
//! - `adapter`: the [`Adapter`] trait and the runtime's [`Intake`]
//! - `handler`, `command`, `dialog`, `router`: how bots answer
//! - `ctx`: [`Ctx`] and the instance's [`Services`]
//! - `store`: the [`Store`] seam and [`MemoryStore`]
//! - `gate`: the consent [`Gate`] seam
//! - `i18n`: the Fluent text [`Catalog`]
//! - `clock`: [`Clock`], for time a test controls
//! - `runtime`, `shutdown`: running and stopping

pub mod adapter;
pub mod clock;
pub mod command;
pub mod ctx;
pub mod dialog;
pub mod gate;
pub mod handler;
pub mod i18n;
pub mod incoming;
pub mod observe;
pub mod outgoing;
pub mod platform;
pub mod router;
pub mod runtime;
pub mod secret;
pub mod shutdown;
pub mod store;

pub use adapter::{Adapter, AdapterError, Intake, IntakeClosed, Outcome, Ticket};
pub use async_trait::async_trait;
pub use clock::{Clock, ManualClock, SystemClock};
pub use command::{CommandInfo, CommandSpec};
pub use ctx::{Ctx, Records, Services};
pub use dialog::{Dialog, Step};
pub use gate::Gate;
pub use handler::{handler_fn, BoxFuture, Handler, HandlerError, HandlerResult};
pub use i18n::{Catalog, I18nError, TextArg};
pub use incoming::{Content, Incoming, Locale, Origin, Sender};
pub use observe::{ErrorKind, NoObserver, Observer};
pub use outgoing::{Attachment, Body, Button, Buttons, Outgoing, Sent, Target, Visibility};
pub use platform::{Chat, ChatId, ChatKind, Identity, MessageId, Platform, SubjectId, UserId};
pub use router::Router;
pub use runtime::{Runtime, RuntimeError};
pub use secret::Secret;
pub use store::{MemoryStore, RecordPage, Store, StoreError};
pub use tokio_util::sync::CancellationToken;
