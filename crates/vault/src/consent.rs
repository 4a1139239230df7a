//! The consent ledger: append-only per subject, sealed under the subject's key.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use botwerk_core::SubjectId;

use crate::audit::AuditEvent;
use crate::backend::Batch;
use crate::error::VaultError;
use crate::inventory::DIALOG_CATEGORY;
use crate::layout::{self, Header, CONSENT, EXPIRY, RECORDS};
use crate::records::split_state;
use crate::vault::Vault;

/// Asked for, given or taken back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentAction {
    /// The first step of a double opt-in: asked for, not yet confirmed. Not
    /// consent.
    Requested,
    /// Consent given.
    Granted,
    /// Consent withdrawn.
    Withdrawn,
}

/// What is recorded when consent is given or withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    /// The purpose.
    pub purpose: String,
    /// Given or withdrawn.
    pub action: ConsentAction,
    /// The version of the privacy policy in force.
    pub policy_version: String,
    /// SHA-256 (hex) of the exact text the person saw.
    pub text_hash: String,
    /// The language of that text.
    pub language: String,
    /// How it was given: `button:telegram`, `command:/stop`, `operator`, ...
    pub mechanism: String,
    /// The answer to the age question, when the policy asks one.
    pub age_confirmed: Option<bool>,
}

/// An entry of the ledger: the event, its time and its position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEntry {
    /// Position in the subject's ledger, from 0.
    pub seq: u64,
    /// When it was recorded (UTC).
    pub at: DateTime<Utc>,
    /// What was recorded.
    #[serde(flatten)]
    pub event: ConsentEvent,
}

impl Vault {
    /// Appends `event` to the ledger of `subject` and the audit log, durably:
    /// when this returns, the change survives a crash.
    ///
    /// # Errors
    /// An erased subject or a backend failure.
    pub async fn record_consent(
        &self,
        subject: SubjectId,
        event: ConsentEvent,
    ) -> Result<ConsentEntry, VaultError> {
        // Ledger changes take the subject's write lock: no record can be
        // written on the strength of a consent that is changing, and two
        // appends never race for the same position.
        let _guard = self.lock(subject).write().await;
        let mut batch = Batch::new();
        let entry = self.append_consent(&mut batch, subject, event).await?;
        let applied = self
            .apply_audited(batch, audit_event(subject, &entry))
            .await;
        self.ledgers.invalidate(|s, _| *s == subject);
        applied?;
        self.backend.flush().await?;
        Ok(entry)
    }

    /// Records the withdrawal `event` and, in the same atomic batch, erases
    /// every record of `categories` and every dialog state kept for the
    /// withdrawn purpose; durable when it returns. Returns how many records
    /// were erased.
    ///
    /// # Errors
    /// An erased subject, a backend failure or a failed integrity check.
    pub async fn withdraw(
        &self,
        subject: SubjectId,
        event: ConsentEvent,
        categories: &[String],
    ) -> Result<u64, VaultError> {
        let _guard = self.lock(subject).write().await;
        let mut batch = Batch::new();
        let purpose = event.purpose.clone();
        let entry = self.append_consent(&mut batch, subject, event).await?;
        let mut erased = 0u64;
        for category in categories {
            let prefix = layout::category_prefix(subject, category);
            self.for_each_head(RECORDS, &prefix, |key, value| {
                if let Ok(header) = Header::decode(value) {
                    batch.delete(EXPIRY, self.index_key(key, header));
                }
                batch.delete(RECORDS, key.to_vec());
                erased += 1;
            })
            .await?;
        }
        let data_key = self.key(subject).await?;
        let states = layout::category_prefix(subject, DIALOG_CATEGORY);
        let mut unreadable = false;
        self.for_each_key(RECORDS, &states, |key, value| {
            let of_purpose = self
                .open_record(&data_key, key, value)
                .and_then(|record| Ok(split_state(&record.value)?.0 == purpose));
            match of_purpose {
                Ok(true) => {
                    if let Ok(header) = Header::decode(value) {
                        batch.delete(EXPIRY, self.index_key(key, header));
                    }
                    batch.delete(RECORDS, key.to_vec());
                    erased += 1;
                }
                Ok(false) => {}
                Err(_) => unreadable = true,
            }
        })
        .await?;
        if unreadable {
            return Err(VaultError::Integrity(
                "a dialog state failed its integrity check",
            ));
        }
        let applied = self
            .apply_audited(batch, audit_event(subject, &entry))
            .await;
        self.ledgers.invalidate(|s, _| *s == subject);
        self.forget_subject_records(subject);
        applied?;
        self.backend.flush().await?;
        Ok(erased)
    }

    /// Adds the next ledger entry for `event` to `batch`. The caller holds the
    /// subject's write lock.
    async fn append_consent(
        &self,
        batch: &mut Batch,
        subject: SubjectId,
        event: ConsentEvent,
    ) -> Result<ConsentEntry, VaultError> {
        if !self.exists(subject).await? {
            return Err(VaultError::Erased);
        }
        let key = self.key(subject).await?;
        let history = self.ledger(subject).await?;
        let entry = ConsentEntry {
            seq: history.last().map_or(0, |e| e.seq + 1),
            at: self.clock.now(),
            event,
        };
        let mut storage_key = layout::subject_prefix(subject);
        storage_key.extend_from_slice(&entry.seq.to_be_bytes());
        let plain = serde_json::to_vec(&entry).map_err(|e| VaultError::Invalid(e.to_string()))?;
        let sealed = key.seal(&layout::ad(CONSENT, &storage_key, &[]), &plain);
        batch.expect(CONSENT, storage_key.clone(), None);
        batch.put(CONSENT, storage_key, sealed);
        Ok(entry)
    }

    /// The whole ledger of `subject`, oldest first; empty for an unknown subject.
    ///
    /// # Errors
    /// A backend failure or a failed integrity check.
    pub async fn consent_history(
        &self,
        subject: SubjectId,
    ) -> Result<Vec<ConsentEntry>, VaultError> {
        Ok(self.ledger(subject).await?.as_ref().clone())
    }

    /// The ledger of `subject`, from the cache or the store.
    async fn ledger(&self, subject: SubjectId) -> Result<Arc<Vec<ConsentEntry>>, VaultError> {
        if let Some(ledger) = self.ledgers.get(&subject) {
            return Ok(ledger);
        }
        let generation = self.ledgers.generation();
        let ledger = Arc::new(self.read_ledger(subject).await?);
        self.ledgers.fill(subject, Arc::clone(&ledger), generation);
        Ok(ledger)
    }

    async fn read_ledger(&self, subject: SubjectId) -> Result<Vec<ConsentEntry>, VaultError> {
        let key = match self.key(subject).await {
            Ok(k) => k,
            Err(VaultError::Erased) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let prefix = layout::subject_prefix(subject);
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .backend
                .scan(CONSENT, &prefix, after.as_deref(), 256)
                .await?;
            let full = page.len() == 256;
            for (storage_key, sealed) in page {
                let plain = key.open(&layout::ad(CONSENT, &storage_key, &[]), &sealed)?;
                out.push(
                    serde_json::from_slice(&plain)
                        .map_err(|_| VaultError::Integrity("consent entry malformed"))?,
                );
                after = Some(storage_key);
            }
            if !full {
                return Ok(out);
            }
        }
    }

    /// The latest entry per purpose that gives or withdraws consent (requests
    /// of a double opt-in do neither): the current state of each consent.
    ///
    /// # Errors
    /// A backend failure or a failed integrity check.
    pub async fn consent_state(
        &self,
        subject: SubjectId,
    ) -> Result<BTreeMap<String, ConsentEntry>, VaultError> {
        let mut state = BTreeMap::new();
        for entry in self.ledger(subject).await?.iter() {
            if entry.event.action != ConsentAction::Requested {
                state.insert(entry.event.purpose.clone(), entry.clone());
            }
        }
        Ok(state)
    }

    /// The latest grant or withdrawal of `subject` for `purpose`: what
    /// [`Vault::consent_state`] holds for it, without copying the rest of the
    /// ledger (checked on every update).
    ///
    /// # Errors
    /// A backend failure or a failed integrity check.
    pub async fn consent_for(
        &self,
        subject: SubjectId,
        purpose: &str,
    ) -> Result<Option<ConsentEntry>, VaultError> {
        Ok(self
            .ledger(subject)
            .await?
            .iter()
            .rev()
            .find(|e| e.event.purpose == purpose && e.event.action != ConsentAction::Requested)
            .cloned())
    }

    /// Whether `subject` has consent for `purpose` in force.
    ///
    /// # Errors
    /// A backend failure or a failed integrity check.
    pub async fn has_consent(&self, subject: SubjectId, purpose: &str) -> Result<bool, VaultError> {
        Ok(self
            .consent_for(subject, purpose)
            .await?
            .is_some_and(|e| e.event.action == ConsentAction::Granted))
    }
}

fn audit_event(subject: SubjectId, entry: &ConsentEntry) -> AuditEvent {
    let purpose = entry.event.purpose.clone();
    match entry.event.action {
        ConsentAction::Requested => AuditEvent::ConsentRequested { subject, purpose },
        ConsentAction::Granted => AuditEvent::ConsentGranted { subject, purpose },
        ConsentAction::Withdrawn => AuditEvent::ConsentWithdrawn { subject, purpose },
    }
}
