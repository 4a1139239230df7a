//! # botwerk
//!
//! Chat bots for several messengers at once — Telegram, Discord and always a
//! local console — with EU data protection built in.
//!
//! This crate is the front door: it re-exports the pieces a bot needs and
//! puts them together. A bot is a [`Bot`]: a name, its texts, its data
//! inventory, its commands and dialogs. An [`Instance`] runs a bot on its
//! vault (encrypted, pseudonymised storage) and one or more adapters.
//!
//! ```no_run
//! use botwerk::prelude::*;
//!
//! struct Echo;
//!
//! #[async_trait]
//! impl Handler for Echo {
//!     async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
//!         let text = ctx.incoming().text().unwrap_or_default().to_owned();
//!         ctx.reply(format!("You said: {text}")).await?;
//!         Ok(())
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> anyhow::Result<()> {
//!     let bot = Bot::new("echo").fallback(Echo);
//!     bot.run_console().await?;
//!     Ok(())
//! }
//! ```
//!
//! # Layout
//! - `bot`: [`Bot`], the description of a bot
//! - `help`: the built-in `/help`
//! - `instance`: [`Instance`], a bot running on its vault and adapters
//! - `operator`: operator requests (export, erase, audit, record, purge,
//!   keys, broadcast); `admin`: the socket a running instance serves them on;
//!   `admin_chat`: `/admin` in a private chat, for the accounts an instance
//!   names with [`InstanceBuilder::admins`] (audit check, key check, purge,
//!   record of processing; never anyone's personal data)

pub mod admin;
mod admin_chat;
mod bot;
mod help;
mod instance;
pub mod operator;

pub use bot::{Bot, BotError};
pub use instance::{Instance, InstanceBuilder, InstanceError};
pub use operator::Operator;

pub use botwerk_console as console;
pub use botwerk_core as core;
pub use botwerk_privacy as privacy;
pub use botwerk_sled as sled;
pub use botwerk_vault as vault;

/// What most bots import.
pub mod prelude {
    pub use crate::{Bot, Instance};
    pub use botwerk_core::{
        async_trait, Attachment, Button, Buttons, CommandSpec, Content, Ctx, Dialog, Handler,
        HandlerError, HandlerResult, Incoming, Step,
    };
    pub use botwerk_vault::{Category, LegalBasis, Purpose};
}
