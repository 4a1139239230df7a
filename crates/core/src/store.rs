//! The seam between the runtime and the personal-data layer: subjects, dialog
//! state and records of declared categories.
//!
//! `botwerk-vault` implements [`Store`] with encryption and a real backend;
//! [`MemoryStore`] keeps everything in memory for tests and examples.

use std::collections::{BTreeMap, HashMap};
use std::error::Error as StdError;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::platform::{Chat, Identity, SubjectId};

/// The error of a store operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The category is not declared in the bot's data inventory.
    #[error("category `{0}` is not declared in the data inventory")]
    UnknownCategory(String),
    /// The category's purpose needs consent that the subject has not given.
    #[error("category `{category}` needs consent for purpose `{purpose}`")]
    NoConsent {
        /// The category written.
        category: String,
        /// Its purpose.
        purpose: String,
    },
    /// A key or value is not acceptable (too long, empty, ...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The subject's data has been erased.
    #[error("the subject's data has been erased")]
    Erased,
    /// Stored data failed its integrity check: tampered, moved or corrupt.
    #[error("stored data failed its integrity check")]
    Integrity,
    /// The storage below failed.
    #[error("storage failed")]
    Backend(#[source] Box<dyn StdError + Send + Sync>),
}

impl StoreError {
    /// Wraps a backend error.
    pub fn backend(e: impl StdError + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(e))
    }
}

/// A page of records: `(key, value)` pairs in key order.
pub type RecordPage = Vec<(String, Vec<u8>)>;

/// What the runtime and handlers need from the personal-data layer.
///
/// Values are opaque bytes here: typing is done in [`crate::Ctx`], sealing in
/// the implementation.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The subject owning `identity`; with `create`, makes one if there is none.
    ///
    /// # Errors
    /// When the storage fails.
    async fn subject(
        &self,
        identity: &Identity,
        create: bool,
    ) -> Result<Option<SubjectId>, StoreError>;

    /// The dialog state of `subject` in `chat`.
    ///
    /// # Errors
    /// When the storage fails or the state fails its integrity check.
    async fn load_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// Replaces the dialog state of `subject` in `chat`. `purpose` is the
    /// purpose of the dialog, so that withdrawing its consent can remove the
    /// state with everything else kept for it.
    ///
    /// # Errors
    /// When the storage fails.
    async fn save_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
        purpose: Option<&str>,
        state: &[u8],
    ) -> Result<(), StoreError>;

    /// Removes the dialog state of `subject` in `chat`.
    ///
    /// # Errors
    /// When the storage fails.
    async fn clear_state(&self, subject: SubjectId, chat: &Chat) -> Result<(), StoreError>;

    /// Whether a record of `category` may be written for `subject` (`None`:
    /// the person has no subject yet). Asked before a subject is created for
    /// a write, so that a refused write leaves nothing behind. The default
    /// allows everything; a consent gate refuses categories whose consent is
    /// missing.
    ///
    /// # Errors
    /// The reason the write would be refused.
    async fn check_write(
        &self,
        _subject: Option<SubjectId>,
        _category: &str,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Writes a record of `category` under `key` for `subject`.
    ///
    /// # Errors
    /// An undeclared category, missing consent, or a storage failure.
    async fn put_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
        value: &[u8],
    ) -> Result<(), StoreError>;

    /// Reads a record.
    ///
    /// # Errors
    /// An undeclared category, a storage failure or a failed integrity check.
    async fn get_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// Lists up to `limit` records of `category` with keys after `after`.
    ///
    /// # Errors
    /// An undeclared category, a storage failure or a failed integrity check.
    async fn list_records(
        &self,
        subject: SubjectId,
        category: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<RecordPage, StoreError>;

    /// Deletes a record; returns whether it existed.
    ///
    /// # Errors
    /// An undeclared category or a storage failure.
    async fn delete_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<bool, StoreError>;

    /// Draws the next number of the bot-wide counter `name` (1, 2, 3, ...):
    /// order numbers, ticket numbers. Not personal data.
    ///
    /// # Errors
    /// When the storage fails.
    async fn next_number(&self, name: &str) -> Result<u64, StoreError>;

    /// Reads the bookkeeping value `key` of an adapter, such as the ids of
    /// the updates it handled. Never personal data.
    ///
    /// # Errors
    /// When the storage fails.
    async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Writes the bookkeeping value `key` of an adapter. Like everything
    /// else it becomes durable with the next [`Store::flush`], and a crash
    /// never keeps it without the writes that completed before it: an
    /// adapter that writes "these updates are handled" after their handlers
    /// finished, then flushes once, can trust it after a restart.
    ///
    /// # Errors
    /// When the storage fails.
    async fn put_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;

    /// Makes every change so far durable.
    ///
    /// # Errors
    /// When the storage fails.
    async fn flush(&self) -> Result<(), StoreError>;

    /// Keeps `input`, a batch of input that `adapter` took from its platform
    /// and has not handled yet, until [`Store::drop_input`]; durable with the
    /// next [`Store::flush`]. Input is personal data: a store that keeps it
    /// seals it, and makes it unrecoverable once dropped. Keeping a batch
    /// number again replaces the batch. `false`: the store does not keep it
    /// (the default, and a full inbox), and the adapter must not tell its
    /// platform the input arrived before it is handled.
    ///
    /// # Errors
    /// When the storage fails.
    async fn keep_input(
        &self,
        _adapter: &str,
        _batch: u64,
        _input: &[u8],
    ) -> Result<bool, StoreError> {
        Ok(false)
    }

    /// Forgets a batch kept with [`Store::keep_input`] for good. Call it
    /// only once what handling it wrote is durable. A batch that is not kept
    /// is no error.
    ///
    /// # Errors
    /// When the storage fails.
    async fn drop_input(&self, _adapter: &str, _batch: u64) -> Result<(), StoreError> {
        Ok(())
    }

    /// The batches `adapter` keeps, by batch number, oldest first: after a
    /// restart, the input it confirmed but did not finish handling.
    ///
    /// # Errors
    /// When the storage fails.
    async fn kept_input(&self, _adapter: &str) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        Ok(Vec::new())
    }
}

#[derive(Default)]
struct Memory {
    subjects: HashMap<Identity, SubjectId>,
    states: HashMap<(SubjectId, Chat), Vec<u8>>,
    records: BTreeMap<(SubjectId, String, String), Vec<u8>>,
    counters: HashMap<String, u64>,
    meta: HashMap<String, Vec<u8>>,
    next_subject: u128,
}

/// A [`Store`] in memory: nothing is encrypted and nothing survives the
/// process. For tests and examples; production uses `botwerk-vault`.
#[derive(Default)]
pub struct MemoryStore(Mutex<Memory>);

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Memory) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// How many records the store holds, over all subjects.
    pub fn record_count(&self) -> usize {
        self.with(|m| m.records.len())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn subject(
        &self,
        identity: &Identity,
        create: bool,
    ) -> Result<Option<SubjectId>, StoreError> {
        Ok(self.with(|m| {
            if let Some(id) = m.subjects.get(identity) {
                return Some(*id);
            }
            if !create {
                return None;
            }
            m.next_subject += 1;
            let id = SubjectId::from_bytes(m.next_subject.to_be_bytes());
            m.subjects.insert(identity.clone(), id);
            Some(id)
        }))
    }

    async fn load_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.with(|m| m.states.get(&(subject, chat.clone())).cloned()))
    }

    async fn save_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
        _purpose: Option<&str>,
        state: &[u8],
    ) -> Result<(), StoreError> {
        self.with(|m| m.states.insert((subject, chat.clone()), state.to_vec()));
        Ok(())
    }

    async fn clear_state(&self, subject: SubjectId, chat: &Chat) -> Result<(), StoreError> {
        self.with(|m| m.states.remove(&(subject, chat.clone())));
        Ok(())
    }

    async fn put_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
        value: &[u8],
    ) -> Result<(), StoreError> {
        self.with(|m| {
            m.records
                .insert((subject, category.into(), key.into()), value.to_vec())
        });
        Ok(())
    }

    async fn get_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.with(|m| {
            m.records
                .get(&(subject, category.into(), key.into()))
                .cloned()
        }))
    }

    async fn list_records(
        &self,
        subject: SubjectId,
        category: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<RecordPage, StoreError> {
        Ok(self.with(|m| {
            m.records
                .iter()
                .filter(|((s, c, k), _)| {
                    *s == subject && c == category && after.is_none_or(|a| k.as_str() > a)
                })
                .take(limit)
                .map(|((_, _, k), v)| (k.clone(), v.clone()))
                .collect()
        }))
    }

    async fn delete_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        Ok(self.with(|m| {
            m.records
                .remove(&(subject, category.into(), key.into()))
                .is_some()
        }))
    }

    async fn next_number(&self, name: &str) -> Result<u64, StoreError> {
        Ok(self.with(|m| {
            let n = m.counters.entry(name.to_owned()).or_default();
            *n += 1;
            *n
        }))
    }

    async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.with(|m| m.meta.get(key).cloned()))
    }

    async fn put_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.with(|m| m.meta.insert(key.to_owned(), value.to_vec()));
        Ok(())
    }

    async fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
