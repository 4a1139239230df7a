//! # botwerk-discord
//!
//! The Discord adapter of Botwerk, on [serenity](https://docs.rs/serenity)
//! 0.12 with its plain event handler: the only crate of Botwerk that names
//! serenity.
//!
//! - The bot's commands, the built-in privacy commands included, are slash
//!   commands, registered globally for guilds and the bot's DMs; presses of
//!   buttons arrive with their `custom_id`; direct messages work too. Only
//!   non-privileged intents are used.
//! - Answers to an interaction are its response — ephemeral (flag 64) when
//!   private — and follow-ups; a button press can update its message; files
//!   are attachments; an answer that takes longer than Discord's three
//!   seconds is deferred first. Private messages without an interaction are
//!   direct messages.
//! - The language comes from the interaction's locale.
//! - REST base and gateway URL are configurable; serenity honours a REST
//!   base only with its rate limiter off, and the client is built with
//!   `ClientBuilder::new_with_http` so that the configured `Http` is kept.
//! - Marketing stays off on Discord unless the operator turns it on.
//!
//! ```no_run
//! use botwerk_core::Secret;
//! use botwerk_discord::{DiscordAdapter, DiscordConfig};
//!
//! let adapter = DiscordAdapter::new(DiscordConfig::new(Secret::new("token")));
//! # let _ = adapter;
//! ```
//!
//! # Layout
//! - `convert`: [`convert`], events to `Incoming`
//! - `adapter`: [`DiscordAdapter`], [`DiscordConfig`], slash command registration
//! - `reply`: answers as REST calls

mod adapter;
mod convert;
mod reply;

pub use adapter::{intents, slash_commands, DiscordAdapter, DiscordConfig};
pub use convert::{convert, Converted, Event};
