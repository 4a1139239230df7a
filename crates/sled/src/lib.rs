//! # botwerk-sled
//!
//! The embedded storage [`Backend`] of Botwerk on [sled](https://docs.rs/sled)
//! 0.34: one sled database per data directory, one sled tree per backend
//! tree. Writes are staged in memory and made durable by a redo log beside
//! sled (one synced append per flush); a background fold writes them into
//! sled's trees every few seconds, so a key written many times between
//! two folds reaches sled once. The only crate of Botwerk that names sled.
//!
//! ```
//! use botwerk_sled::{SledBackend, SledOptions};
//! use botwerk_vault::Backend;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let backend = SledBackend::open(&dir.path().join("store"), SledOptions::default())?;
//! backend.put("notes", b"k", b"v").await?;
//! assert_eq!(backend.get("notes", b"k").await?, Some(b"v".to_vec()));
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - `backend`: [`SledBackend`] and [`SledOptions`]; the fold, the replay
//!   on opening, and why the contract of [`Backend`] still holds
//! - `staged`: the writes since the last fold, in front of sled's trees
//! - `redo`: the log files, their frames and checksums

mod backend;
mod redo;
mod staged;

pub use backend::{SledBackend, SledOptions};
