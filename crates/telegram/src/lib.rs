//! # botwerk-telegram
//!
//! The Telegram adapter of Botwerk, on [teloxide](https://docs.rs/teloxide)
//! 0.17: the only crate of Botwerk that names teloxide.
//!
//! - Updates (text, commands including `/cmd@botname`, button presses, the
//!   chat's kind, the user's `language_code`) become `Incoming` through the
//!   pure [`convert`] function; other updates are skipped with a debug log.
//! - `Outgoing` becomes `sendMessage` with inline keyboards (split past 4096
//!   characters), `sendDocument`, `editMessageText`; button presses are
//!   answered with `answerCallbackQuery`; commands are registered with
//!   `setMyCommands` in every language of the bot.
//! - Long polling loses no update and handles none twice across a crash.
//!   An update is confirmed to Telegram (by the next poll's offset) once it
//!   is handled and journaled: the journal of handled ids is written into
//!   the instance's store after the handlers' writes, and one flush makes
//!   both durable, so a crash keeps both or neither. A quiet bot polls
//!   again when the updates in hand are finished (or after 50 ms, when one
//!   takes long), since Telegram resends every unconfirmed update.
//! - A busy bot does not wait: when a poll brings a full answer (100
//!   updates, so more are waiting), the round is kept in the store's inbox,
//!   sealed under a key of its own, and the next poll confirms it and
//!   fetches the next round while this one is handled (it polls again
//!   while fewer than 200 updates are in hand). After a crash the inbox
//!   hands back what was confirmed but not handled; once a round is handled
//!   and journaled, its key is destroyed and the round deleted. A bot that
//!   is never busy writes no message to disk. (An earlier version's journal
//!   file is moved into the store at the first start.)
//! - Private answers go to the person's private chat; when Telegram refuses
//!   (the person never started the bot), the caller gets a deep link to post
//!   in the group, and the request is answered once the person opens it.
//! - Sending keeps to Telegram's limits and waits out every 429.
//!
//! ```no_run
//! use botwerk_core::Secret;
//! use botwerk_telegram::{TelegramAdapter, TelegramConfig};
//!
//! let config = TelegramConfig::new(Secret::new("123:token"), "botwerk-data");
//! let adapter = TelegramAdapter::new(config)?;
//! # Ok::<(), botwerk_telegram::TelegramError>(())
//! ```
//!
//! # Layout
//! - `wire`: [`Update`], what the adapter reads of an update; `getUpdates`
//!   sent on teloxide's HTTP client and its answer read straight from the
//!   bytes
//! - `convert`: [`convert`], update to `Incoming`
//! - `adapter`: [`TelegramAdapter`] and [`TelegramConfig`]
//! - `send`: messages as API calls, retries after 429
//! - `limits`: [`Limits`] and the send limiter
//! - `journal`: handled update ids, kept in the store
//! - `inbox`: a round of updates as the store's inbox keeps it

mod adapter;
mod convert;
mod inbox;
mod journal;
mod limits;
mod send;
mod wire;

pub use adapter::{TelegramAdapter, TelegramConfig, TelegramError};
pub use convert::{convert, BotInfo, Converted};
pub use limits::Limits;
pub use wire::{CallbackQuery, Chat, Message, MessageRef, Update, UpdateKind, User};
