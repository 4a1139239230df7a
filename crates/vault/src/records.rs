//! Records of declared categories, sealed under their subject's key.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use botwerk_core::{Chat, SubjectId};

use crate::cache::Cache;
use crate::error::VaultError;
use crate::inventory::DIALOG_CATEGORY;
use crate::layout::{self, Header, EXPIRY, HEADER, RECORDS};
use crate::vault::Vault;

/// The longest record key, in bytes.
pub const MAX_KEY: usize = 512;
/// The largest record value, in bytes.
pub const MAX_VALUE: usize = 1024 * 1024;
/// The largest value the record cache keeps opened.
const CACHED_VALUE: usize = 4096;

/// What the record cache knows of a storage key.
///
/// It stays true because every change of a record goes through one of
/// these, each at the right moment:
/// - [`Vault::put`] and [`Vault::delete`] hold the key's record lock and
///   forget the entry before they write; once the writes are done, a put
///   sets it again if the cache held it (a write makes no room, so records
///   written once do not push out those read on every update), and a
///   delete marks the key absent;
/// - a read that missed fills the entry under the same lock, and only if no
///   bulk change (erasure, category erasure, withdrawal, purge) has
///   invalidated the cache since its read began;
/// - those bulk changes invalidate the keys they touched after they applied
///   (erasure also right after the key is destroyed).
///
/// It holds plaintext, like the unwrapped keys next to it, zeroed when
/// dropped; what it saves is the store read and the decryption of the state
/// every dialog step loads, and the read of the old record every write
/// needs for its expiry entry.
#[derive(Clone)]
pub(crate) enum Cached {
    /// The store has no record under the key.
    Absent,
    /// The record as stored.
    Present(Arc<Opened>),
}

pub(crate) struct Opened {
    header: Header,
    value: Zeroizing<Vec<u8>>,
}

/// A record as read back, with its times.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    /// The key it was written under.
    pub key: String,
    /// Its value.
    pub value: Vec<u8>,
    /// When it was written.
    pub written_at: DateTime<Utc>,
    /// When the retention purge deletes it.
    pub expires_at: DateTime<Utc>,
}

// Key and value are personal data: Debug shows their sizes and the times.
impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("key", &format_args!("<{} bytes>", self.key.len()))
            .field("value", &format_args!("<{} bytes>", self.value.len()))
            .field("written_at", &self.written_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A check run under the subject's lock right before a write (the consent
/// gate), so that nothing can change its answer before the write lands.
#[async_trait::async_trait]
pub trait WriteCheck: Send + Sync {
    /// `Ok` when `subject` may get a record of `category`.
    ///
    /// # Errors
    /// The reason the write is refused.
    async fn check(
        &self,
        vault: &Vault,
        subject: SubjectId,
        category: &str,
    ) -> Result<(), VaultError>;
}

/// The record key of the dialog state of a chat.
pub(crate) fn state_key(chat: &Chat) -> String {
    format!("chat:{}:{}", chat.platform, chat.id.as_str())
}

impl Vault {
    /// When the record stored under `storage_key` expires: as written, but
    /// never later than its category's retention allows today, so that a
    /// retention the operator shortened applies to what is already stored.
    pub(crate) fn expires(&self, storage_key: &[u8], header: Header) -> i64 {
        expiry_under(
            header,
            layout::category_of(storage_key).and_then(|c| self.inventory.retention(c)),
        )
    }

    /// The record's entry in the expiry index.
    pub(crate) fn index_key(&self, storage_key: &[u8], header: Header) -> Vec<u8> {
        layout::expiry_key(self.expires(storage_key, header), storage_key)
    }

    fn check_category(&self, category: &str) -> Result<chrono::Duration, VaultError> {
        self.inventory
            .retention(category)
            .ok_or_else(|| VaultError::UnknownCategory(category.to_owned()))
    }

    /// Writes `value` under `key` in `category` for `subject`, replacing what
    /// was there; it expires after the category's retention period.
    ///
    /// # Errors
    /// An undeclared category, a key or value over the limits, an erased
    /// subject, or a backend failure.
    pub async fn put(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
        value: &[u8],
    ) -> Result<(), VaultError> {
        self.put_checked(subject, category, key, value, None).await
    }

    /// [`Vault::put`], with `check` run under the subject's lock right before
    /// the write: a consent withdrawal or an erasure cannot slip in between
    /// the check and the write.
    ///
    /// # Errors
    /// What `check` returns, and the errors of [`Vault::put`].
    pub async fn put_checked(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
        value: &[u8],
        check: Option<&dyn WriteCheck>,
    ) -> Result<(), VaultError> {
        let retention = self.check_category(category)?;
        if key.is_empty() || key.len() > MAX_KEY {
            return Err(VaultError::Invalid(format!(
                "a record key has 1 to {MAX_KEY} bytes"
            )));
        }
        if value.len() > MAX_VALUE {
            return Err(VaultError::Invalid(format!(
                "a record value has at most {MAX_VALUE} bytes"
            )));
        }
        let _guard = self.lock(subject).read().await;
        // Under the lock an erasure cannot run: a subject that exists now
        // still exists when the writes land. Its key in memory proves it
        // exists (see `Vault::keys`).
        let known = self.cached(subject);
        if known.is_none() && !self.exists(subject).await? {
            return Err(VaultError::Erased);
        }
        if let Some(check) = check {
            check.check(self, subject, category).await?;
        }
        let data_key = match known {
            Some(key) => key,
            None => self.key(subject).await?,
        };
        let storage_key = layout::record_key(subject, category, &data_key, key);
        // The time is taken under the key's lock, so that writes of one key
        // are stamped in the order they land.
        let _writer = self.record_lock(&storage_key).lock().await;
        let now = self.clock.now();
        let expires = now
            .checked_add_signed(retention)
            .ok_or_else(|| VaultError::Invalid("retention period too long".into()))?;
        let head = Header::new(now, expires);
        let header = head.encode();
        let sealed = data_key.seal(
            &layout::ad(RECORDS, &storage_key, &header),
            &layout::record_plaintext(key, value),
        );
        let mut stored = Vec::with_capacity(HEADER + sealed.len());
        stored.extend_from_slice(&header);
        stored.extend_from_slice(&sealed);

        // Single writes in an order that is safe wherever a crash cuts it
        // (the store keeps a prefix of them): the new index entry first, so
        // that no record is ever without one; the old entry last. An entry
        // left behind points to a record that expires in another hour, and
        // the purge drops it without touching the record. A transaction
        // would cost a log sync in sled for every dialog step.
        let index = self.index_key(&storage_key, head);
        let old = self
            .stored_header(&storage_key, now.timestamp_millis())
            .await?
            .map(|old| self.index_key(&storage_key, old));
        // A write refreshes what the cache holds of the key but makes no
        // room for a key it does not hold: records written once and not read
        // on every update (orders, say) must not push out the dialog states
        // that are. A read of the key fills it.
        let known = self.forget_record(&storage_key);
        if old.as_ref() != Some(&index) {
            self.backend.put(EXPIRY, &index, &[]).await?;
        }
        self.backend.put(RECORDS, &storage_key, &stored).await?;
        if let Some(old) = old.filter(|old| *old != index) {
            self.backend.delete(EXPIRY, &old).await?;
        }
        if known && value.len() <= CACHED_VALUE {
            self.remember_record(
                storage_key,
                Cached::Present(Arc::new(Opened {
                    header: head,
                    value: Zeroizing::new(value.to_vec()),
                })),
            );
        }
        Ok(())
    }

    /// The header of the record stored under `storage_key`, if any: from
    /// the cache while the record it knows is live, else from the store.
    /// The caller holds the key's record lock.
    async fn stored_header(
        &self,
        storage_key: &[u8],
        now: i64,
    ) -> Result<Option<Header>, VaultError> {
        match self.cached_record(storage_key) {
            Some(Cached::Absent) => return Ok(None),
            // An expired record may be purged any moment: ask the store.
            Some(Cached::Present(opened)) if self.expires(storage_key, opened.header) > now => {
                return Ok(Some(opened.header));
            }
            _ => {}
        }
        match self.backend.get(RECORDS, storage_key).await? {
            Some(old) => Ok(Some(Header::decode(&old)?)),
            None => Ok(None),
        }
    }

    fn cached_record(&self, storage_key: &[u8]) -> Option<Cached> {
        self.records.as_ref()?.get(storage_key)
    }

    fn remember_record(&self, storage_key: Vec<u8>, entry: Cached) {
        if let Some(cache) = &self.records {
            cache.put(storage_key, entry);
        }
    }

    /// Forgets `storage_key`; returns whether the cache held it.
    fn forget_record(&self, storage_key: &[u8]) -> bool {
        self.records
            .as_ref()
            .is_some_and(|cache| cache.take(storage_key))
    }

    /// How many records of `subject` the running vault holds in memory,
    /// for tests that prove erasure leaves none.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn cached_records_for_tests(&self, subject: SubjectId) -> usize {
        let prefix = layout::subject_prefix(subject);
        self.records
            .as_ref()
            .map_or(0, |cache| cache.count(|key| key.starts_with(&prefix)))
    }

    /// Drops every cached record of `subject`, and every fill in flight.
    pub(crate) fn forget_subject_records(&self, subject: SubjectId) {
        let prefix = layout::subject_prefix(subject);
        self.forget_records(|key| key.starts_with(&prefix));
    }

    /// Drops every cached record whose storage key `stale` picks, and every
    /// fill still in flight: after a bulk change of the store.
    pub(crate) fn forget_records(&self, mut stale: impl FnMut(&[u8]) -> bool) {
        if let Some(cache) = &self.records {
            cache.invalidate(|key, _| stale(key));
        }
    }

    /// Reads the record under `key` in `category` of `subject`.
    ///
    /// # Errors
    /// An undeclared category, an erased subject, a backend failure, or a
    /// record that fails its integrity check (tampered, or moved from
    /// another subject or key).
    pub async fn get(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<Option<Record>, VaultError> {
        self.check_category(category)?;
        let data_key = match self.key(subject).await {
            Ok(k) => k,
            Err(VaultError::Erased) => return Ok(None),
            Err(e) => return Err(e),
        };
        let storage_key = layout::record_key(subject, category, &data_key, key);
        let now = self.clock.now();
        match self.cached_record(&storage_key) {
            Some(Cached::Absent) => return Ok(None),
            Some(Cached::Present(opened)) => {
                let expires = self.expires(&storage_key, opened.header);
                // Past its retention a record is gone, whether or not the purge ran.
                if expires <= now.timestamp_millis() {
                    return Ok(None);
                }
                return Ok(Some(Record {
                    key: key.to_owned(),
                    value: opened.value.to_vec(),
                    written_at: opened.header.written_at(),
                    expires_at: DateTime::from_timestamp_millis(expires).unwrap_or_default(),
                }));
            }
            None => {}
        }
        // A miss fills the cache; writers of the key wait meanwhile.
        let _reader = match &self.records {
            Some(_) => Some(self.record_lock(&storage_key).lock().await),
            None => None,
        };
        let generation = self.records.as_ref().map(Cache::generation);
        let fill = |entry| {
            if let (Some(cache), Some(generation)) = (&self.records, generation) {
                cache.fill(storage_key.clone(), entry, generation);
            }
        };
        let Some(stored) = self.backend.get(RECORDS, &storage_key).await? else {
            fill(Cached::Absent);
            return Ok(None);
        };
        let record = self.open_record(&data_key, &storage_key, &stored)?;
        if record.key != key {
            return Err(VaultError::Integrity("record key does not match"));
        }
        // Past its retention a record is gone, whether or not the purge ran.
        if record.expires_at <= now {
            return Ok(None);
        }
        if record.value.len() <= CACHED_VALUE {
            fill(Cached::Present(Arc::new(Opened {
                header: Header::decode(&stored)?,
                value: Zeroizing::new(record.value.clone()),
            })));
        }
        Ok(Some(record))
    }

    pub(crate) fn open_record(
        &self,
        data_key: &crate::crypto::DataKey,
        storage_key: &[u8],
        stored: &[u8],
    ) -> Result<Record, VaultError> {
        let header = Header::decode(stored)?;
        let plain = data_key.open(
            &layout::ad(RECORDS, storage_key, &stored[..HEADER]),
            &stored[HEADER..],
        )?;
        let (key, value) = layout::split_plaintext(&plain)?;
        Ok(Record {
            key,
            value: value.to_vec(),
            written_at: header.written_at(),
            expires_at: DateTime::from_timestamp_millis(self.expires(storage_key, header))
                .unwrap_or_default(),
        })
    }

    /// One page of the records of `category` of `subject`, at most `limit`,
    /// after the record with key `after`. The order is the store's (stable,
    /// not alphabetical): page on with the last key of a page.
    ///
    /// # Errors
    /// An undeclared category, a backend failure or a failed integrity check.
    pub async fn list(
        &self,
        subject: SubjectId,
        category: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, VaultError> {
        self.check_category(category)?;
        let data_key = match self.key(subject).await {
            Ok(k) => k,
            Err(VaultError::Erased) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let prefix = layout::category_prefix(subject, category);
        let mut cursor = after.map(|k| layout::record_key(subject, category, &data_key, k));
        let now = self.clock.now();
        let mut live = Vec::with_capacity(limit.min(1024));
        // Expired records (not yet purged) are skipped; scan on until the
        // page is full, so that a short page still means the end.
        loop {
            let page = self
                .backend
                .scan(RECORDS, &prefix, cursor.as_deref(), limit)
                .await?;
            let full = page.len() == limit;
            for (storage_key, stored) in page {
                let record = self.open_record(&data_key, &storage_key, &stored)?;
                cursor = Some(storage_key);
                if record.expires_at > now {
                    live.push(record);
                    if live.len() == limit {
                        return Ok(live);
                    }
                }
            }
            if !full {
                return Ok(live);
            }
        }
    }

    /// Deletes the record under `key`; returns whether it existed.
    ///
    /// # Errors
    /// An undeclared category or a backend failure.
    pub async fn delete(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<bool, VaultError> {
        self.check_category(category)?;
        let _guard = self.lock(subject).read().await;
        let data_key = match self.key(subject).await {
            Ok(k) => k,
            Err(VaultError::Erased) => return Ok(false),
            Err(e) => return Err(e),
        };
        let storage_key = layout::record_key(subject, category, &data_key, key);
        let _writer = self.record_lock(&storage_key).lock().await;
        let now = self.clock.now().timestamp_millis();
        let Some(old) = self.stored_header(&storage_key, now).await? else {
            return Ok(false);
        };
        self.forget_record(&storage_key);
        // The record first: an index entry left behind by a crash is
        // dropped by the purge.
        self.backend.delete(RECORDS, &storage_key).await?;
        self.backend
            .delete(EXPIRY, &self.index_key(&storage_key, old))
            .await?;
        self.remember_record(storage_key, Cached::Absent);
        Ok(true)
    }

    /// The dialog state of `subject` in `chat`.
    ///
    /// # Errors
    /// See [`Vault::get`].
    pub async fn load_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
    ) -> Result<Option<Vec<u8>>, VaultError> {
        let Some(record) = self.get(subject, DIALOG_CATEGORY, &state_key(chat)).await? else {
            return Ok(None);
        };
        let (_, state) = split_state(&record.value)?;
        Ok(Some(state.to_vec()))
    }

    /// Stores the dialog state of `subject` in `chat`, sealed like any record,
    /// together with the dialog's purpose: withdrawing that purpose's consent
    /// removes the state too.
    ///
    /// # Errors
    /// See [`Vault::put`].
    pub async fn save_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
        purpose: Option<&str>,
        state: &[u8],
    ) -> Result<(), VaultError> {
        let purpose = purpose.unwrap_or_default();
        let mut value = Vec::with_capacity(1 + purpose.len() + state.len());
        value.push(
            u8::try_from(purpose.len())
                .map_err(|_| VaultError::Invalid("purpose name too long".into()))?,
        );
        value.extend_from_slice(purpose.as_bytes());
        value.extend_from_slice(state);
        self.put(subject, DIALOG_CATEGORY, &state_key(chat), &value)
            .await
    }

    /// Removes the dialog state of `subject` in `chat`.
    ///
    /// # Errors
    /// See [`Vault::delete`].
    pub async fn clear_state(&self, subject: SubjectId, chat: &Chat) -> Result<(), VaultError> {
        self.delete(subject, DIALOG_CATEGORY, &state_key(chat))
            .await
            .map(|_| ())
    }
}

/// Splits a stored dialog state into its purpose (empty: none) and the state.
pub(crate) fn split_state(value: &[u8]) -> Result<(&str, &[u8]), VaultError> {
    let bad = || VaultError::Integrity("dialog state malformed");
    let len = usize::from(*value.first().ok_or_else(bad)?);
    let purpose = value.get(1..1 + len).ok_or_else(bad)?;
    let purpose = std::str::from_utf8(purpose).map_err(|_| bad())?;
    Ok((purpose, &value[1 + len..]))
}

/// The expiry of a record with `header` under a category retention of
/// `retention` (none: the category is no longer declared).
pub(crate) fn expiry_under(header: Header, retention: Option<chrono::Duration>) -> i64 {
    match retention {
        Some(retention) => header
            .expires
            .min(header.written.saturating_add(retention.num_milliseconds())),
        None => header.expires,
    }
}
