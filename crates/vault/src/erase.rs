//! Erasure (crypto-shredding plus deletion) and the retention purge.

use serde::Serialize;

use botwerk_core::SubjectId;

use crate::audit::{Actor, AuditEvent};
use crate::backend::{BackendError, Batch};
use crate::crypto;
use crate::error::VaultError;
use crate::layout::{
    self, Header, CONSENT, ERASING, EXPIRY, HEADER, IDENTITIES, PSEUDONYMS, RECORDS, SUBJECTS,
};
use crate::vault::Vault;

const PAGE: usize = 1024;
/// How many bytes of record values one purge batch holds at most (about):
/// a page of 1024 large records would otherwise be held at once.
const PURGE_BYTES: usize = 16 * 1024 * 1024;

/// What an erasure returns: the receipt the person is given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErasureReceipt {
    /// The receipt id, also in the audit log: `ER-1A2B-3C4D-5E6F-7A8B`.
    pub id: String,
    /// Whose data was erased.
    pub subject: SubjectId,
    /// How many records, consent entries and identities were deleted.
    pub deleted: u64,
}

/// What a purge did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// How many expired records were deleted.
    pub records: u64,
}

fn receipt_id() -> String {
    let hex = hex::encode_upper(&crypto::random16()[..8]);
    format!(
        "ER-{}-{}-{}-{}",
        &hex[0..4],
        &hex[4..8],
        &hex[8..12],
        &hex[12..16]
    )
}

impl Vault {
    /// Erases everything of `subject`: destroys its data key, deletes every
    /// identity, pseudonym, record and consent entry (a page at a time, each
    /// page atomic), then the subject itself together with the audit entry,
    /// and flushes. Erasing an erased subject is harmless.
    ///
    /// # Errors
    /// A backend or keystore failure; the erasure then finishes at the next
    /// start, since the key is already gone or the marker is durable.
    pub async fn erase(&self, subject: SubjectId, by: Actor) -> Result<ErasureReceipt, VaultError> {
        self.erase_with_receipt(subject, receipt_id(), by).await
    }

    pub(crate) async fn erase_with_receipt(
        &self,
        subject: SubjectId,
        receipt: String,
        by: Actor,
    ) -> Result<ErasureReceipt, VaultError> {
        let _guard = self.lock(subject).write().await;
        let meta = self.meta(subject).await?;
        let prefix = layout::subject_prefix(subject);
        // A durable marker first: if the process dies after the key is
        // destroyed, the next start finishes the deletion.
        self.backend
            .put(ERASING, &prefix, receipt.as_bytes())
            .await?;
        self.backend.flush().await?;
        if let Some(meta) = meta {
            self.on_keystore("key erasure", move |keys| keys.erase(subject, meta.slot))
                .await?;
        }
        self.uncache(subject);
        self.subjects.invalidate(|_, s| *s == subject);
        self.forget_subject_records(subject);

        // The key is gone, so what is left is unreadable; it is deleted a
        // page at a time (each page atomic), which keeps the time linear in
        // the subject's size. The marker makes the whole resumable: a crash
        // in between is finished at the next start or purge.
        let mut bad_header = false;
        let pages = async {
            let mut deleted = self
                .delete_pages(IDENTITIES, &prefix, |batch, key, _| {
                    batch.delete(PSEUDONYMS, key[16..].to_vec());
                    batch.delete(IDENTITIES, key.to_vec());
                })
                .await?;
            deleted += self
                .delete_pages(RECORDS, &prefix, |batch, key, value| {
                    match Header::decode(value) {
                        Ok(header) => batch.delete(EXPIRY, self.index_key(key, header)),
                        Err(_) => bad_header = true,
                    }
                    batch.delete(RECORDS, key.to_vec());
                })
                .await?;
            deleted += self
                .delete_pages(CONSENT, &prefix, |batch, key, _| {
                    batch.delete(CONSENT, key.to_vec());
                })
                .await?;
            Ok::<u64, VaultError>(deleted)
        }
        .await;
        // Whatever a read filled in while the pages went is forgotten, even
        // if a page failed: no plaintext of the subject stays in memory.
        self.forget_subject_records(subject);
        let deleted = pages?;
        if bad_header {
            tracing::warn!(subject = %subject.log_tag(), "a record with a damaged header was erased; its expiry entry stays until the purge");
        }
        let mut batch = Batch::new();
        batch.delete(SUBJECTS, prefix.clone());
        batch.delete(ERASING, prefix);
        let event = AuditEvent::Erasure {
            subject,
            receipt: receipt.clone(),
            by,
        };
        let applied = self.apply_audited(batch, event).await;
        self.subjects.invalidate(|_, s| *s == subject);
        self.ledgers.invalidate(|s, _| *s == subject);
        self.forget_subject_records(subject);
        applied?;
        self.backend.flush().await?;
        tracing::info!(subject = %subject.log_tag(), deleted, "subject erased");
        Ok(ErasureReceipt {
            id: receipt,
            subject,
            deleted,
        })
    }

    /// Deletes every record of `category` of `subject` (its consent was
    /// withdrawn, say), atomically and durably; returns how many.
    ///
    /// # Errors
    /// An undeclared category or a backend failure.
    pub async fn erase_category(
        &self,
        subject: SubjectId,
        category: &str,
    ) -> Result<u64, VaultError> {
        if self.inventory.category(category).is_none() {
            return Err(VaultError::UnknownCategory(category.to_owned()));
        }
        let _guard = self.lock(subject).write().await;
        let prefix = layout::category_prefix(subject, category);
        let mut batch = Batch::new();
        let mut records = 0u64;
        self.for_each_head(RECORDS, &prefix, |key, value| {
            if let Ok(header) = Header::decode(value) {
                batch.delete(EXPIRY, self.index_key(key, header));
            }
            batch.delete(RECORDS, key.to_vec());
            records += 1;
        })
        .await?;
        if records == 0 {
            return Ok(0);
        }
        let event = AuditEvent::CategoryErased {
            subject,
            category: category.to_owned(),
            records,
        };
        let applied = self.apply_audited(batch, event).await;
        self.forget_records(|key| key.starts_with(&prefix));
        applied?;
        self.backend.flush().await?;
        Ok(records)
    }

    /// Deletes every entry of `tree` under `prefix`, a page at a time: `f`
    /// gets each key with the first [`HEADER`] bytes of its value and adds
    /// to the page's batch what goes with the entry (the entry itself
    /// included). Returns how many entries there were.
    async fn delete_pages(
        &self,
        tree: &str,
        prefix: &[u8],
        mut f: impl FnMut(&mut Batch, &[u8], &[u8]),
    ) -> Result<u64, VaultError> {
        let mut deleted = 0u64;
        loop {
            // What a page deletes is gone, so the next scan starts at the front.
            let page = self
                .backend
                .scan_heads(tree, prefix, None, PAGE, HEADER)
                .await?;
            if page.is_empty() {
                return Ok(deleted);
            }
            let mut batch = Batch::new();
            for (key, value) in &page {
                f(&mut batch, key, value);
            }
            deleted += page.len() as u64;
            self.backend.apply(batch).await?;
        }
    }

    /// Calls `f` with every key and value of `tree` under `prefix`, page by page.
    pub(crate) async fn for_each_key(
        &self,
        tree: &str,
        prefix: &[u8],
        f: impl FnMut(&[u8], &[u8]),
    ) -> Result<(), VaultError> {
        self.walk(tree, prefix, None, f).await
    }

    /// Calls `f` with every key of `tree` under `prefix` and the first
    /// [`HEADER`] bytes of its value (a record's header), page by page:
    /// however large the values, a page holds their headers only.
    pub(crate) async fn for_each_head(
        &self,
        tree: &str,
        prefix: &[u8],
        f: impl FnMut(&[u8], &[u8]),
    ) -> Result<(), VaultError> {
        self.walk(tree, prefix, Some(HEADER), f).await
    }

    async fn walk(
        &self,
        tree: &str,
        prefix: &[u8],
        head: Option<usize>,
        mut f: impl FnMut(&[u8], &[u8]),
    ) -> Result<(), VaultError> {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = match head {
                None => {
                    self.backend
                        .scan(tree, prefix, after.as_deref(), PAGE)
                        .await?
                }
                Some(head) => {
                    self.backend
                        .scan_heads(tree, prefix, after.as_deref(), PAGE, head)
                        .await?
                }
            };
            let full = page.len() == PAGE;
            for (key, value) in &page {
                f(key, value);
            }
            after = page.into_iter().last().map(|(k, _)| k);
            if !full {
                return Ok(());
            }
        }
    }

    /// Deletes every record past its retention period, using the expiry
    /// index (nothing is decrypted), and records the run in the audit log.
    /// Also finishes erasures that a crash interrupted. Idempotent.
    ///
    /// # Errors
    /// A backend failure; what was deleted until then stays deleted.
    pub async fn purge(&self) -> Result<PurgeReport, VaultError> {
        self.finish_erasures().await?;
        let now = self.clock.now().timestamp_millis();
        let mut report = PurgeReport::default();
        loop {
            // Each round takes the first page of due entries; what a round
            // deletes is gone from the index, so the next starts at the front.
            let page = self.backend.scan(EXPIRY, &[], None, PAGE).await?;
            let due: Vec<(Vec<u8>, Vec<u8>)> = page
                .into_iter()
                .filter_map(|(key, _)| {
                    let (expires, record) = layout::split_expiry(&key)?;
                    (expires <= now).then(|| (key.clone(), record.to_vec()))
                })
                .collect();
            if due.is_empty() {
                break;
            }
            report.records += self.purge_page(&due, now).await?;
        }
        self.audit(AuditEvent::Purge {
            records: report.records,
        })
        .await?;
        Ok(report)
    }

    /// Deletes the records of one page of due expiry entries, and the
    /// entries. A record that was rewritten since (it expires later now) is
    /// left alone; one that is due is deleted whichever of its entries led
    /// here, so an entry out of step with its record never keeps it alive.
    /// The batch holds each deleted record's value (its precondition); past
    /// [`PURGE_BYTES`] of them the page ends early, and the next round
    /// starts with what is left.
    async fn purge_page(&self, due: &[(Vec<u8>, Vec<u8>)], now: i64) -> Result<u64, VaultError> {
        let mut batch = Batch::new();
        let mut deleted = std::collections::HashSet::new();
        let mut held = 0usize;
        for (expiry_key, record_key) in due {
            if held >= PURGE_BYTES {
                break;
            }
            batch.delete(EXPIRY, expiry_key.clone());
            if deleted.contains(record_key) {
                continue;
            }
            let Some(value) = self.backend.get(RECORDS, record_key).await? else {
                continue;
            };
            let Ok(header) = Header::decode(&value) else {
                continue;
            };
            let expires = self.expires(record_key, header);
            if expires <= now {
                held += value.len();
                batch.expect(RECORDS, record_key.clone(), Some(value));
                batch.delete(RECORDS, record_key.clone());
                let current = layout::expiry_key(expires, record_key);
                if current != *expiry_key {
                    batch.delete(EXPIRY, current);
                }
                deleted.insert(record_key.clone());
            }
        }
        let applied = self.backend.apply(batch).await;
        self.forget_records(|key| deleted.contains(key));
        let deleted = deleted.len() as u64;
        match applied {
            Ok(()) => Ok(deleted),
            // A record changed under us: the next round sees the new state.
            Err(BackendError::Conflict { .. }) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }
}
