//! # botwerk-testkit
//!
//! Everything a Botwerk test needs and no production code should: a
//! [`MemoryAdapter`] that plays users and records what the bot sends, fake
//! Telegram and Discord servers for the real clients, the
//! [`conformance`] suite every storage backend must pass, and the
//! [`canaries`] scan that proves an erasure reached the disk.
//!
//! ```
//! use botwerk_testkit::{MemoryAdapter, Person};
//!
//! let (adapter, users) = MemoryAdapter::new();
//! let alice = Person::new("alice");
//! let update = alice.says("/start");
//! # let _ = (adapter, users, update);
//! ```
//!
//! # Layout
//! - `memory`: [`MemoryAdapter`], [`Users`] and the [`Person`] update builder
//! - `conformance`: the backend conformance suite, and crash copies of a
//!   backend's directory
//! - `canaries`: byte-by-byte scans of a data directory
//! - `telegram`: [`FakeTelegram`], a fake Telegram Bot API server that checks
//!   every request against the Bot API specification
//! - `discord`: [`FakeDiscord`], a fake Discord (REST and gateway) that checks
//!   request bodies against Discord's OpenAPI specification

pub mod canaries;
pub mod conformance;
pub mod discord;
pub mod memory;
pub mod telegram;

pub use discord::FakeDiscord;
pub use memory::{MemoryAdapter, Person, SentMessage, Users};
pub use telegram::{FakeTelegram, TgChat, TgUser};
