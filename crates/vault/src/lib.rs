//! # botwerk-vault
//!
//! The personal-data layer of Botwerk. Everything a bot keeps about a person
//! goes through the [`Vault`]:
//!
//! - **Pseudonyms.** An identity (`telegram:123`) appears in the store only as
//!   `HMAC-SHA256(pepper, "telegram:123")`, mapped to a random 128-bit
//!   subject id. A subject may own several identities.
//! - **Per-subject keys.** Every subject has its own 256-bit data key, wrapped
//!   under the instance key in a keystore file whose erase
//!   overwrites the key in place. Records are sealed with XChaCha20-Poly1305,
//!   bound to their tree, key and header as associated data.
//! - **Inventory.** Every record belongs to a declared [`Category`] with a
//!   purpose, a legal basis and a retention period; an expiry index
//!   lets [`Vault::purge`] delete what is due without decrypting anything.
//! - **Consent ledger, audit chain, export, erasure** — durable before they
//!   return.
//! - **Inbox.** An adapter's input that it confirmed to its platform but has
//!   not handled yet ([`Vault::keep_input`]) is sealed per batch under a key
//!   of its own in the keystore; dropping the handled batch destroys the key
//!   first, so no copy the store's log still holds can be opened.
//! - **Memory.** What every update reads (who an identity is, the consent
//!   ledger, unwrapped keys, small records such as dialog states) is cached,
//!   bounded, and kept true through every write and bulk change; a read
//!   racing an invalidation cannot put stale data back. The record cache
//!   holds plaintext (zeroed on drop), as the unwrapped keys beside it make
//!   readable anyway: protection at rest is unchanged.
//!
//! The vault runs on any [`Backend`]: `botwerk-sled` in production,
//! [`MemoryBackend`] in tests.
//!
//! ```
//! use std::sync::Arc;
//! use botwerk_core::{Identity, Platform};
//! use botwerk_vault::{Actor, Category, Inventory, LegalBasis, MemoryBackend, Purpose, Vault, VaultOptions};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let inventory = Inventory::builder()
//!     .purpose(Purpose::new("order", LegalBasis::Contract, "text-order"))
//!     .category(Category::new("orders", "order", "text-orders").retain_days(90))
//!     .build()?;
//! let vault = Vault::open(Arc::new(MemoryBackend::new()), inventory, VaultOptions::in_dir(dir.path())).await?;
//!
//! let alice = vault.subject_for(&Identity::new(Platform::Telegram, 42_i64)).await?;
//! vault.put(alice, "orders", "1", br#"{"item":"tea"}"#).await?;
//! let receipt = vault.erase(alice, Actor::Subject).await?;
//! assert!(receipt.id.starts_with("ER-"));
//! assert!(vault.get(alice, "orders", "1").await?.is_none());
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - `backend`: the [`Backend`] seam, [`Batch`], [`MemoryBackend`]
//! - `secret`: the instance key file
//! - `keystore`: per-subject data keys, and the inbox's batch keys
//! - `inbox`: adapters' kept input
//! - `crypto`: pseudonyms, sealing, key derivation
//! - `layout`: trees and key formats
//! - `inventory`: purposes, categories, legal bases, retention
//! - `vault`: opening, subjects, keys; `records`, `consent`, `audit`,
//!   `export`, `erase`: what the vault does
//! - `cache`: the bounded, invalidation-safe cache behind the vault's memory
//! - `store`: the vault as the runtime's `Store`

pub mod audit;
pub mod backend;
mod cache;
pub mod consent;
mod crypto;
mod erase;
pub mod error;
mod export;
mod inbox;
pub mod inventory;
mod keystore;
mod layout;
mod records;
pub mod secret;
mod store;
mod vault;

pub use audit::{Actor, AuditEntry, AuditEvent, AuditReport};
pub use backend::{Backend, BackendError, Batch, Entry, MemoryBackend, Op};
pub use consent::{ConsentAction, ConsentEntry, ConsentEvent};
pub use erase::{ErasureReceipt, PurgeReport};
pub use error::VaultError;
pub use export::{ExportSummary, EXPORT_SCHEMA};
pub use inventory::{Category, Inventory, InventoryBuilder, InventoryError, LegalBasis, Purpose};
pub use records::{Record, WriteCheck, MAX_KEY, MAX_VALUE};
pub use vault::{KeysReport, Vault, VaultOptions};

/// A fresh random token of 128 bits as 32 hex digits: for nonces of
/// confirmation buttons and the like.
pub fn random_token() -> String {
    hex::encode(crypto::random16())
}
