//! Records of declared categories, sealed under their subject's key.

use chrono::{DateTime, Utc};

use botwerk_core::{Chat, SubjectId};

use crate::backend::Batch;
use crate::error::VaultError;
use crate::inventory::DIALOG_CATEGORY;
use crate::layout::{self, Header, EXPIRY, HEADER, RECORDS};
use crate::vault::Vault;

/// The longest record key, in bytes.
pub const MAX_KEY: usize = 512;
/// The largest record value, in bytes.
pub const MAX_VALUE: usize = 1024 * 1024;

/// A record as read back, with its times.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// The record key of the dialog state of a chat.
pub(crate) fn state_key(chat: &Chat) -> String {
    format!("chat:{}:{}", chat.platform, chat.id.as_str())
}

impl Vault {
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
        let data_key = self.key(subject).await?;
        let storage_key = layout::record_key(subject, category, &data_key, key);
        let now = self.clock.now();
        let header = Header::new(now, now + retention).encode();
        let sealed = data_key.seal(
            &layout::ad(RECORDS, &storage_key, &header),
            &layout::record_plaintext(key, value),
        );
        let mut stored = Vec::with_capacity(HEADER + sealed.len());
        stored.extend_from_slice(&header);
        stored.extend_from_slice(&sealed);

        let mut batch = Batch::new();
        if let Some(old) = self.backend.get(RECORDS, &storage_key).await? {
            let old = Header::decode(&old)?;
            batch.delete(EXPIRY, layout::expiry_key(old.expires, &storage_key));
        }
        let expires = Header::decode(&header)?.expires;
        batch.put(
            EXPIRY,
            layout::expiry_key(expires, &storage_key),
            Vec::new(),
        );
        batch.put(RECORDS, storage_key, stored);
        self.backend.apply(batch).await?;
        Ok(())
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
        let Some(stored) = self.backend.get(RECORDS, &storage_key).await? else {
            return Ok(None);
        };
        let record = self.open_record(&data_key, &storage_key, &stored)?;
        if record.key != key {
            return Err(VaultError::Integrity("record key does not match"));
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
            expires_at: header.expires_at(),
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
        let after = after.map(|k| layout::record_key(subject, category, &data_key, k));
        let page = self
            .backend
            .scan(RECORDS, &prefix, after.as_deref(), limit)
            .await?;
        page.into_iter()
            .map(|(storage_key, stored)| self.open_record(&data_key, &storage_key, &stored))
            .collect()
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
        let Some(old) = self.backend.get(RECORDS, &storage_key).await? else {
            return Ok(false);
        };
        let old = Header::decode(&old)?;
        let mut batch = Batch::new();
        batch.delete(EXPIRY, layout::expiry_key(old.expires, &storage_key));
        batch.delete(RECORDS, storage_key);
        self.backend.apply(batch).await?;
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
        Ok(self
            .get(subject, DIALOG_CATEGORY, &state_key(chat))
            .await?
            .map(|r| r.value))
    }

    /// Stores the dialog state of `subject` in `chat`, sealed like any record.
    ///
    /// # Errors
    /// See [`Vault::put`].
    pub async fn save_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
        state: &[u8],
    ) -> Result<(), VaultError> {
        self.put(subject, DIALOG_CATEGORY, &state_key(chat), state)
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
