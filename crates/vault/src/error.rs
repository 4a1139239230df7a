//! The vault's error type.

use std::path::PathBuf;

use crate::backend::BackendError;
use crate::inventory::InventoryError;

/// The error of a vault operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The instance key file is missing, unreadable, too open or malformed.
    #[error("key file {}: {problem}", path.display())]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// The keystore file cannot be read or written.
    #[error("keystore {}", path.display())]
    Keystore {
        /// The keystore file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The data inventory does not hold together.
    #[error("the data inventory is invalid")]
    Inventory(#[from] InventoryError),
    /// The backend failed.
    #[error("the storage backend failed")]
    Backend(#[from] BackendError),
    /// The category is not declared in the inventory.
    #[error("data category `{0}` is not declared in the data inventory")]
    UnknownCategory(String),
    /// The category's purpose needs consent that is not in force.
    #[error("data category `{category}` needs consent for purpose `{purpose}`")]
    NoConsent {
        /// The category.
        category: String,
        /// Its purpose.
        purpose: String,
    },
    /// The subject does not exist or has been erased.
    #[error("the subject does not exist or has been erased")]
    Erased,
    /// Stored data failed its integrity check: tampered with, moved or corrupt.
    #[error("stored data failed its integrity check: {0}")]
    Integrity(&'static str),
    /// An argument is not acceptable.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// As many batches of input as the inbox holds at once are kept
    /// already (see [`crate::Vault::keep_input`]).
    #[error("the inbox keeps as many batches as it can")]
    InboxFull,
    /// Writing an export failed.
    #[error("writing the export failed")]
    Export(#[source] std::io::Error),
}
