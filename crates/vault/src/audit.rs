//! The audit log: append-only and hash-chained. It holds subject ids and what
//! happened, never plaintext personal data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use botwerk_core::SubjectId;

use crate::backend::Batch;
use crate::error::VaultError;
use crate::layout::{AUDIT, META};

const HEAD: &[u8] = b"audit-head";

/// Who asked for an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The person themselves, through a chat command.
    Subject,
    /// An operator, through an operator command.
    Operator,
    /// The framework on its own (retention, a finished double opt-in, ...).
    System,
}

/// Something the audit log records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditEvent {
    /// Consent for a purpose was asked for (first step of a double opt-in).
    ConsentRequested {
        /// Whose.
        subject: SubjectId,
        /// For what.
        purpose: String,
    },
    /// Consent for a purpose was given.
    ConsentGranted {
        /// Whose.
        subject: SubjectId,
        /// For what.
        purpose: String,
    },
    /// Consent for a purpose was withdrawn.
    ConsentWithdrawn {
        /// Whose.
        subject: SubjectId,
        /// For what.
        purpose: String,
    },
    /// A subject's data was exported.
    Export {
        /// Whose.
        subject: SubjectId,
        /// Who asked.
        by: Actor,
    },
    /// A subject was erased.
    Erasure {
        /// Whose data.
        subject: SubjectId,
        /// The receipt given to the person.
        receipt: String,
        /// Who asked.
        by: Actor,
    },
    /// The data of one category of a subject was erased (consent withdrawn).
    CategoryErased {
        /// Whose data.
        subject: SubjectId,
        /// Which category.
        category: String,
        /// How many records.
        records: u64,
    },
    /// A retention purge ran.
    Purge {
        /// How many records it deleted.
        records: u64,
    },
    /// An operator looked at or acted on stored data.
    OperatorAccess {
        /// Whose data, if one subject's.
        subject: Option<SubjectId>,
        /// What the operator did.
        action: String,
    },
}

/// One entry of the log, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The hash of the previous entry (zeros for the first), hex.
    pub prev: String,
    /// What happened.
    pub event: AuditEvent,
}

/// Where the log ends: the next sequence number and the last hash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Head {
    pub(crate) next: u64,
    pub(crate) last: String,
}

impl Head {
    pub(crate) fn genesis() -> Self {
        Self {
            next: 0,
            last: hex::encode([0u8; 32]),
        }
    }

    pub(crate) fn key() -> &'static [u8] {
        HEAD
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, VaultError> {
        serde_json::from_slice(bytes).map_err(|_| VaultError::Integrity("audit head malformed"))
    }

    /// Adds the entry for `event` and the new head to `batch`; returns the
    /// head after it. The caller holds the audit lock until the batch is
    /// applied, and keeps the old head if it fails.
    pub(crate) fn append(&self, batch: &mut Batch, at: DateTime<Utc>, event: AuditEvent) -> Self {
        let entry = AuditEntry {
            seq: self.next,
            at,
            prev: self.last.clone(),
            event,
        };
        let body = serde_json::to_vec(&entry).expect("audit entries serialise");
        let hash = chain_hash(&body);
        let mut value = hash.to_vec();
        value.extend_from_slice(&body);
        batch.put(AUDIT, self.next.to_be_bytes().to_vec(), value);
        let head = Self {
            next: self.next + 1,
            last: hex::encode(hash),
        };
        batch.put(
            META,
            HEAD.to_vec(),
            serde_json::to_vec(&head).expect("heads serialise"),
        );
        head
    }
}

fn chain_hash(body: &[u8]) -> [u8; 32] {
    Sha256::digest(body).into()
}

/// The result of walking the audit chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditReport {
    /// Every entry is intact and linked to the one before.
    Intact {
        /// How many entries the log holds.
        entries: u64,
    },
    /// The first broken link.
    Broken {
        /// The sequence number of the first entry that fails.
        seq: u64,
        /// What is wrong with it.
        problem: String,
    },
}

/// Walks the chain entry by entry, in pages.
pub(crate) struct Verifier {
    expected_seq: u64,
    expected_prev: String,
}

impl Verifier {
    pub(crate) fn new() -> Self {
        let genesis = Head::genesis();
        Self {
            expected_seq: genesis.next,
            expected_prev: genesis.last,
        }
    }

    /// How many entries were checked so far.
    pub(crate) fn checked(&self) -> u64 {
        self.expected_seq
    }

    /// Checks the next stored entry; `Err` names the problem.
    pub(crate) fn check(&mut self, key: &[u8], value: &[u8]) -> Result<AuditEntry, (u64, String)> {
        let seq = key
            .try_into()
            .map(u64::from_be_bytes)
            .map_err(|_| (self.expected_seq, "entry key is malformed".to_owned()))?;
        if seq != self.expected_seq {
            return Err((
                self.expected_seq,
                format!("entry is missing (the next one found is {seq})"),
            ));
        }
        if value.len() < 32 {
            return Err((seq, "entry is truncated".into()));
        }
        let (stored_hash, body) = value.split_at(32);
        if chain_hash(body) != stored_hash {
            return Err((seq, "its content does not match its hash (edited)".into()));
        }
        let entry: AuditEntry = serde_json::from_slice(body)
            .map_err(|_| (seq, "its content is not an audit entry".to_owned()))?;
        if entry.seq != seq {
            return Err((seq, "its sequence number was changed".into()));
        }
        if entry.prev != self.expected_prev {
            return Err((
                seq,
                "it does not link to the entry before (replaced or reordered)".into(),
            ));
        }
        self.expected_seq = seq + 1;
        self.expected_prev = hex::encode(stored_hash);
        Ok(entry)
    }

    /// Checks that the chain ends where the head says.
    pub(crate) fn finish(self, head: &Head) -> AuditReport {
        if head.next != self.expected_seq {
            return AuditReport::Broken {
                seq: self.expected_seq,
                problem: format!(
                    "the log ends before entry {}, but {} entries were written (entries removed from the end)",
                    self.expected_seq, head.next
                ),
            };
        }
        if head.last != self.expected_prev {
            return AuditReport::Broken {
                seq: self.expected_seq.saturating_sub(1),
                problem: "the last entry is not the one the log head recorded".into(),
            };
        }
        AuditReport::Intact {
            entries: self.expected_seq,
        }
    }
}
