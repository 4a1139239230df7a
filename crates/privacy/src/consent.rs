//! Consent as the privacy layer sees it: in force, changed since, or missing;
//! giving and withdrawing it, with the data of a withdrawn purpose erased.

use botwerk_core::SubjectId;
use botwerk_vault::{ConsentAction, ConsentEntry, ConsentEvent, Purpose, VaultError};

use crate::privacy::{Privacy, SUBSCRIPTIONS};

/// The state of one person's consent to one purpose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsentStatus {
    /// Given, and the text agreed to is still the text in force.
    Given(ConsentEntry),
    /// Given, but the text agreed to has changed since: ask again.
    Changed,
    /// Never given, or withdrawn.
    Missing,
}

impl ConsentStatus {
    /// Whether processing may rely on it.
    pub fn is_given(&self) -> bool {
        matches!(self, Self::Given(_))
    }
}

impl Privacy {
    /// The declared purpose `name`.
    pub fn purpose(&self, name: &str) -> Option<&Purpose> {
        self.vault.inventory().purpose(name)
    }

    /// The status of `subject`'s consent to `purpose`. Consent counts only
    /// while the text it was given to is unchanged, in the language it was
    /// given in: a material change of the terms asks for it again.
    ///
    /// # Errors
    /// A vault failure.
    pub async fn status(
        &self,
        subject: SubjectId,
        purpose: &Purpose,
    ) -> Result<ConsentStatus, VaultError> {
        let Some(entry) = self.vault.consent_for(subject, &purpose.name).await? else {
            return Ok(ConsentStatus::Missing);
        };
        if entry.event.action != ConsentAction::Granted {
            return Ok(ConsentStatus::Missing);
        }
        let current = self.consent_hash(&entry.event.language, purpose);
        if *current == *entry.event.text_hash {
            Ok(ConsentStatus::Given(entry))
        } else {
            Ok(ConsentStatus::Changed)
        }
    }

    fn event(
        &self,
        purpose: &Purpose,
        action: ConsentAction,
        lang: &str,
        mechanism: String,
        age: Option<bool>,
    ) -> ConsentEvent {
        ConsentEvent {
            purpose: purpose.name.clone(),
            action,
            policy_version: self.version.clone(),
            text_hash: self.consent_hash(lang, purpose).to_string(),
            language: lang.to_owned(),
            mechanism,
            age_confirmed: age,
        }
    }

    /// Records `subject`'s consent to `purpose`, given to the consent text in
    /// `lang`, durably.
    ///
    /// # Errors
    /// A vault failure.
    pub async fn grant(
        &self,
        subject: SubjectId,
        purpose: &Purpose,
        lang: &str,
        mechanism: String,
        age: Option<bool>,
    ) -> Result<ConsentEntry, VaultError> {
        let event = self.event(purpose, ConsentAction::Granted, lang, mechanism, age);
        self.vault.record_consent(subject, event).await
    }

    /// Records the first step of a double opt-in for `purpose`, durably.
    ///
    /// # Errors
    /// A vault failure.
    pub async fn request(
        &self,
        subject: SubjectId,
        purpose: &Purpose,
        lang: &str,
        mechanism: String,
        age: Option<bool>,
    ) -> Result<ConsentEntry, VaultError> {
        let event = self.event(purpose, ConsentAction::Requested, lang, mechanism, age);
        self.vault.record_consent(subject, event).await
    }

    /// Records the withdrawal of `subject`'s consent to `purpose` and erases
    /// every record and dialog state kept for it, atomically; returns how
    /// many were erased.
    ///
    /// # Errors
    /// A vault failure.
    pub async fn withdraw(
        &self,
        subject: SubjectId,
        purpose: &Purpose,
        lang: &str,
        mechanism: String,
    ) -> Result<u64, VaultError> {
        let event = self.event(purpose, ConsentAction::Withdrawn, lang, mechanism, None);
        let categories: Vec<String> = self
            .vault
            .inventory()
            .categories_of(&purpose.name)
            .map(|c| c.name.clone())
            .collect();
        // One atomic, durable batch: the withdrawal and the erasure of what
        // was kept only for it, dialog states included.
        self.vault.withdraw(subject, event, &categories).await
    }

    /// The send-time check of a marketing message: whether `subject` has
    /// confirmed the newsletter and not withdrawn since, under the terms in
    /// force. Call it right before every send.
    ///
    /// # Errors
    /// A vault failure.
    pub async fn marketing_allowed(&self, subject: SubjectId) -> Result<bool, VaultError> {
        let Some(purpose) = self
            .config
            .marketing
            .as_deref()
            .and_then(|m| self.purpose(m))
        else {
            return Ok(false);
        };
        if !self.status(subject, purpose).await?.is_given() {
            return Ok(false);
        }
        Ok(self
            .vault
            .get(subject, SUBSCRIPTIONS, "subscription")
            .await?
            .is_some())
    }
}
