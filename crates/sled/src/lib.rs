//! # botwerk-sled
//!
//! The embedded storage [`Backend`] of Botwerk on [sled](https://docs.rs/sled)
//! 0.34: one sled database per data directory, one sled tree per backend
//! tree, multi-tree transactions for atomic batches. The only crate of
//! Botwerk that names sled.
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
//! - `backend`: [`SledBackend`] and [`SledOptions`]

mod backend;

pub use backend::{SledBackend, SledOptions};
