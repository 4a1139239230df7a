//! The consent gate: a handler whose purpose needs consent does not run, and
//! nothing of its categories is written, before that consent is in the ledger.

use std::sync::Arc;

use async_trait::async_trait;
use botwerk_core::{
    Chat, Ctx, Gate, HandlerError, Identity, RecordPage, Store, StoreError, SubjectId,
};
use botwerk_vault::{Vault, VaultError, WriteCheck};

use crate::commands::start;
use crate::consent::ConsentStatus;
use crate::privacy::Privacy;

/// The runtime's gate: asks for consent where a purpose needs it.
pub struct PrivacyGate {
    privacy: Arc<Privacy>,
}

impl PrivacyGate {
    /// A gate deciding by `privacy`'s ledger.
    pub fn new(privacy: Arc<Privacy>) -> Self {
        Self { privacy }
    }

    async fn status(
        &self,
        ctx: &mut Ctx,
        purpose: &str,
    ) -> Result<Option<ConsentStatus>, HandlerError> {
        let Some(declared) = self.privacy.purpose(purpose) else {
            return Err(HandlerError::msg(format!(
                "purpose `{purpose}` is not declared"
            )));
        };
        if !declared.basis.needs_consent() {
            return Ok(None);
        }
        if ctx.sender().anonymous {
            return Ok(Some(ConsentStatus::Missing));
        }
        let Some(subject) = ctx.existing_subject().await? else {
            return Ok(Some(ConsentStatus::Missing));
        };
        Ok(Some(self.privacy.status(subject, declared).await?))
    }
}

#[async_trait]
impl Gate for PrivacyGate {
    async fn allows(&self, ctx: &mut Ctx, purpose: &str) -> Result<bool, HandlerError> {
        Ok(self
            .status(ctx, purpose)
            .await?
            .is_none_or(|s| s.is_given()))
    }

    async fn admit(&self, ctx: &mut Ctx, purpose: &str) -> Result<bool, HandlerError> {
        let status = match self.status(ctx, purpose).await? {
            None => return Ok(true),
            Some(status) if status.is_given() => return Ok(true),
            Some(status) => status,
        };
        if ctx.sender().anonymous {
            let text = ctx.t("privacy-anonymous");
            ctx.reply(text).await?;
            return Ok(false);
        }
        let header = if status == ConsentStatus::Changed {
            "privacy-consent-changed"
        } else {
            "privacy-consent-needed"
        };
        start::ask_consent(ctx, &self.privacy, purpose, header).await?;
        Ok(false)
    }
}

/// The vault as the runtime's store, refusing to write a record whose
/// purpose needs consent that is not in force. Everything else passes.
pub struct GatedStore {
    vault: Arc<Vault>,
    privacy: Arc<Privacy>,
}

impl GatedStore {
    /// Gates writes to `privacy`'s vault.
    pub fn new(privacy: Arc<Privacy>) -> Self {
        Self {
            vault: Arc::clone(privacy.vault()),
            privacy,
        }
    }
}

fn store_error(e: VaultError) -> StoreError {
    e.into()
}

/// The consent check the vault runs under the subject's lock.
struct ConsentCheck<'a>(&'a Privacy);

#[async_trait]
impl WriteCheck for ConsentCheck<'_> {
    async fn check(
        &self,
        vault: &Vault,
        subject: SubjectId,
        category: &str,
    ) -> Result<(), VaultError> {
        let Some(purpose) = vault.inventory().purpose_of(category) else {
            return Err(VaultError::UnknownCategory(category.to_owned()));
        };
        if !purpose.basis.needs_consent() || self.0.status(subject, purpose).await?.is_given() {
            return Ok(());
        }
        Err(VaultError::NoConsent {
            category: category.to_owned(),
            purpose: purpose.name.clone(),
        })
    }
}

#[async_trait]
impl Store for GatedStore {
    async fn subject(
        &self,
        identity: &Identity,
        create: bool,
    ) -> Result<Option<SubjectId>, StoreError> {
        Store::subject(&*self.vault, identity, create).await
    }

    async fn load_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Store::load_state(&*self.vault, subject, chat).await
    }

    async fn save_state(
        &self,
        subject: SubjectId,
        chat: &Chat,
        purpose: Option<&str>,
        state: &[u8],
    ) -> Result<(), StoreError> {
        Store::save_state(&*self.vault, subject, chat, purpose, state).await
    }

    async fn clear_state(&self, subject: SubjectId, chat: &Chat) -> Result<(), StoreError> {
        Store::clear_state(&*self.vault, subject, chat).await
    }

    async fn check_write(
        &self,
        subject: Option<SubjectId>,
        category: &str,
    ) -> Result<(), StoreError> {
        let inventory = self.vault.inventory();
        let purpose = inventory
            .purpose_of(category)
            .ok_or_else(|| StoreError::UnknownCategory(category.to_owned()))?;
        if !purpose.basis.needs_consent() {
            return Ok(());
        }
        let given = match subject {
            Some(subject) => self
                .privacy
                .status(subject, purpose)
                .await
                .map_err(store_error)?
                .is_given(),
            None => false,
        };
        if given {
            Ok(())
        } else {
            Err(StoreError::NoConsent {
                category: category.to_owned(),
                purpose: purpose.name.clone(),
            })
        }
    }

    async fn put_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
        value: &[u8],
    ) -> Result<(), StoreError> {
        // Checked again under the subject's lock, right before the write: a
        // withdrawal in another chat cannot slip in between.
        let check = ConsentCheck(&self.privacy);
        Ok(self
            .vault
            .put_checked(subject, category, key, value, Some(&check))
            .await?)
    }

    async fn get_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Store::get_record(&*self.vault, subject, category, key).await
    }

    async fn list_records(
        &self,
        subject: SubjectId,
        category: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<RecordPage, StoreError> {
        Store::list_records(&*self.vault, subject, category, after, limit).await
    }

    async fn delete_record(
        &self,
        subject: SubjectId,
        category: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        Store::delete_record(&*self.vault, subject, category, key).await
    }

    async fn next_number(&self, name: &str) -> Result<u64, StoreError> {
        Store::next_number(&*self.vault, name).await
    }

    async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Store::get_meta(&*self.vault, key).await
    }

    async fn put_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        Store::put_meta(&*self.vault, key, value).await
    }

    async fn flush(&self) -> Result<(), StoreError> {
        Store::flush(&*self.vault).await
    }

    async fn keep_input(
        &self,
        adapter: &str,
        batch: u64,
        input: &[u8],
    ) -> Result<bool, StoreError> {
        Store::keep_input(&*self.vault, adapter, batch, input).await
    }

    async fn drop_input(&self, adapter: &str, batch: u64) -> Result<(), StoreError> {
        Store::drop_input(&*self.vault, adapter, batch).await
    }

    async fn kept_input(&self, adapter: &str) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        Store::kept_input(&*self.vault, adapter).await
    }
}
