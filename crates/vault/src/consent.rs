//! The consent ledger: append-only per subject, sealed under the subject's key.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use botwerk_core::SubjectId;

use crate::audit::AuditEvent;
use crate::backend::Batch;
use crate::error::VaultError;
use crate::layout::{self, CONSENT};
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
        let _guard = self.lock(subject).read().await;
        let key = self.key(subject).await?;
        let history = self.consent_history(subject).await?;
        let entry = ConsentEntry {
            seq: history.last().map_or(0, |e| e.seq + 1),
            at: self.clock.now(),
            event,
        };
        let mut storage_key = layout::subject_prefix(subject);
        storage_key.extend_from_slice(&entry.seq.to_be_bytes());
        let plain = serde_json::to_vec(&entry).map_err(|e| VaultError::Invalid(e.to_string()))?;
        let sealed = key.seal(&layout::ad(CONSENT, &storage_key, &[]), &plain);
        let mut batch = Batch::new();
        batch.expect(CONSENT, storage_key.clone(), None);
        batch.put(CONSENT, storage_key, sealed);
        let audit = match entry.event.action {
            ConsentAction::Requested => AuditEvent::ConsentRequested {
                subject,
                purpose: entry.event.purpose.clone(),
            },
            ConsentAction::Granted => AuditEvent::ConsentGranted {
                subject,
                purpose: entry.event.purpose.clone(),
            },
            ConsentAction::Withdrawn => AuditEvent::ConsentWithdrawn {
                subject,
                purpose: entry.event.purpose.clone(),
            },
        };
        self.apply_audited(batch, audit).await?;
        self.backend.flush().await?;
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
        for entry in self.consent_history(subject).await? {
            if entry.event.action != ConsentAction::Requested {
                state.insert(entry.event.purpose.clone(), entry);
            }
        }
        Ok(state)
    }

    /// Whether `subject` has consent for `purpose` in force.
    ///
    /// # Errors
    /// A backend failure or a failed integrity check.
    pub async fn has_consent(&self, subject: SubjectId, purpose: &str) -> Result<bool, VaultError> {
        Ok(self
            .consent_state(subject)
            .await?
            .get(purpose)
            .is_some_and(|e| e.event.action == ConsentAction::Granted))
    }
}
