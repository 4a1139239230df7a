//! The vault as the runtime's [`Store`]: dialog states and records, sealed.

use async_trait::async_trait;
use botwerk_core::{Chat, Identity, RecordPage, Store, StoreError, SubjectId};

use crate::error::VaultError;
use crate::vault::Vault;

impl From<VaultError> for StoreError {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::UnknownCategory(category) => Self::UnknownCategory(category),
            VaultError::Integrity(_) => Self::Integrity,
            VaultError::Invalid(why) => Self::Invalid(why),
            VaultError::Erased => Self::Erased,
            VaultError::NoConsent { category, purpose } => Self::NoConsent { category, purpose },
            other => Self::backend(other),
        }
    }
}

#[async_trait]
impl Store for Vault {
    async fn subject(
        &self,
        identity: &Identity,
        create: bool,
    ) -> Result<Option<SubjectId>, StoreError> {
        if create {
            return Ok(Some(self.subject_for(identity).await?));
        }
        Ok(self.find_subject(identity).await?)
    }

    async fn load_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(Vault::load_state(self, subject, chat).await?)
    }

    async fn save_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
        purpose: Option<&str>,
        state: &[u8],
    ) -> Result<(), StoreError> {
        Ok(Vault::save_state(self, subject, chat, purpose, state).await?)
    }

    async fn clear_state(&self, subject: SubjectId, chat: &Chat) -> Result<(), StoreError> {
        Ok(Vault::clear_state(self, subject, chat).await?)
    }

    async fn put_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
        value: &[u8],
    ) -> Result<(), StoreError> {
        Ok(self.put(subject, category, key, value).await?)
    }

    async fn get_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.get(subject, category, key).await?.map(|r| r.value))
    }

    async fn list_records(
        &self,
        subject: SubjectId,
        category: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<RecordPage, StoreError> {
        Ok(self
            .list(subject, category, after, limit)
            .await?
            .into_iter()
            .map(|r| (r.key, r.value))
            .collect())
    }

    async fn delete_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        Ok(self.delete(subject, category, key).await?)
    }

    async fn next_number(&self, name: &str) -> Result<u64, StoreError> {
        Ok(Vault::next_number(self, name).await?)
    }

    async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(Vault::adapter_meta(self, key).await?)
    }

    async fn put_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        Ok(Vault::set_adapter_meta(self, key, value).await?)
    }

    async fn flush(&self) -> Result<(), StoreError> {
        Ok(Vault::flush(self).await?)
    }

    async fn keep_input(
        &self,
        adapter: &str,
        batch: u64,
        input: &[u8],
    ) -> Result<bool, StoreError> {
        match Vault::keep_input(self, adapter, batch, input).await {
            Ok(()) => Ok(true),
            Err(VaultError::InboxFull) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn drop_input(&self, adapter: &str, batch: u64) -> Result<(), StoreError> {
        Ok(Vault::drop_input(self, adapter, batch).await?)
    }

    async fn kept_input(&self, adapter: &str) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        Ok(Vault::kept_input(self, adapter).await?)
    }
}
