//! How the vault lays out its data in the backend's trees. Nothing here holds
//! a raw platform id: identities appear as pseudonyms, record keys and chat
//! ids as names keyed by the subject's data key.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use botwerk_core::SubjectId;

use crate::crypto::DataKey;
use crate::error::VaultError;

/// pseudonym → subject id.
pub(crate) const PSEUDONYMS: &str = "pseudonyms";
/// subject id → [`SubjectMeta`].
pub(crate) const SUBJECTS: &str = "subjects";
/// subject id ‖ pseudonym → sealed identity.
pub(crate) const IDENTITIES: &str = "identities";
/// subject id ‖ category ‖ keyed name → header ‖ sealed record.
pub(crate) const RECORDS: &str = "records";
/// hour slot of the expiry (its end) ‖ record key → nothing: the retention
/// purge's index (see [`expiry_slot`]).
pub(crate) const EXPIRY: &str = "expiry";
/// subject id ‖ sequence → sealed consent entry.
pub(crate) const CONSENT: &str = "consent";
/// sequence → hash ‖ audit entry.
pub(crate) const AUDIT: &str = "audit";
/// counters and the audit head.
pub(crate) const META: &str = "meta";
/// subject id → receipt: erasures begun and not yet finished.
pub(crate) const ERASING: &str = "erasing";

/// What the vault knows of a subject in the clear: where its key lives.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct SubjectMeta {
    pub(crate) slot: u64,
}

/// The prefix of everything of `subject` in a tree keyed by subject.
pub(crate) fn subject_prefix(subject: SubjectId) -> Vec<u8> {
    subject.as_bytes().to_vec()
}

/// The prefix of a subject's records of `category`.
pub(crate) fn category_prefix(subject: SubjectId, category: &str) -> Vec<u8> {
    // Room for the name a record key appends, so that it is built in one
    // allocation.
    let mut key = Vec::with_capacity(16 + 1 + category.len() + 16);
    key.extend_from_slice(subject.as_bytes());
    key.push(u8::try_from(category.len()).expect("category names are at most 64 bytes"));
    key.extend_from_slice(category.as_bytes());
    key
}

/// The category named in a record's storage key.
pub(crate) fn category_of(record_key: &[u8]) -> Option<&str> {
    let len = usize::from(*record_key.get(16)?);
    std::str::from_utf8(record_key.get(17..17 + len)?).ok()
}

/// The storage key of a record.
pub(crate) fn record_key(
    subject: SubjectId,
    category: &str,
    data_key: &DataKey,
    key: &str,
) -> Vec<u8> {
    let mut out = category_prefix(subject, category);
    out.extend_from_slice(&data_key.name(&[category.as_bytes(), key.as_bytes()]));
    out
}

/// The subject of a key in a tree keyed by subject.
pub(crate) fn subject_of(key: &[u8]) -> Option<SubjectId> {
    let bytes: [u8; 16] = key.get(..16)?.try_into().ok()?;
    Some(SubjectId::from_bytes(bytes))
}

/// The cleartext header of a stored record, bound to it as associated data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) written: i64,
    pub(crate) expires: i64,
}

pub(crate) const HEADER: usize = 17;
const HEADER_VERSION: u8 = 1;

impl Header {
    pub(crate) fn new(written: DateTime<Utc>, expires: DateTime<Utc>) -> Self {
        Self {
            written: written.timestamp_millis(),
            expires: expires.timestamp_millis(),
        }
    }

    pub(crate) fn encode(self) -> [u8; HEADER] {
        let mut out = [0u8; HEADER];
        out[0] = HEADER_VERSION;
        out[1..9].copy_from_slice(&self.written.to_be_bytes());
        out[9..17].copy_from_slice(&self.expires.to_be_bytes());
        out
    }

    pub(crate) fn decode(value: &[u8]) -> Result<Self, VaultError> {
        if value.len() < HEADER || value[0] != HEADER_VERSION {
            return Err(VaultError::Integrity("record header malformed"));
        }
        let int = |range: std::ops::Range<usize>| {
            i64::from_be_bytes(value[range].try_into().expect("8 bytes"))
        };
        Ok(Self {
            written: int(1..9),
            expires: int(9..17),
        })
    }

    pub(crate) fn written_at(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.written).unwrap_or_default()
    }
}

/// The width of a slot of the expiry index, in milliseconds: an hour.
pub(crate) const EXPIRY_SLOT: i64 = 3_600_000;

/// The slot of the expiry index a record expiring at `expires` (ms) goes
/// into: the end of its hour. A record rewritten within the same hour keeps
/// its index entry, so the rewrite is a single write; the purge, which runs
/// hourly, deletes it at most an hour after it expired, and reads hide it
/// from the exact moment.
pub(crate) fn expiry_slot(expires: i64) -> i64 {
    let slot = expires.div_euclid(EXPIRY_SLOT);
    let rounded = if expires.rem_euclid(EXPIRY_SLOT) == 0 {
        slot
    } else {
        slot.saturating_add(1)
    };
    rounded.saturating_mul(EXPIRY_SLOT)
}

/// The key of a record's entry in the expiry index: the slot of its expiry
/// first, so that a scan from the start finds the records due first.
pub(crate) fn expiry_key(expires: i64, record_key: &[u8]) -> Vec<u8> {
    // Flipping the sign bit orders negative times before positive ones.
    let ordered = (expiry_slot(expires) as u64) ^ (1 << 63);
    let mut out = Vec::with_capacity(8 + record_key.len());
    out.extend_from_slice(&ordered.to_be_bytes());
    out.extend_from_slice(record_key);
    out
}

/// The slot (end of the hour, ms) and record key of an expiry entry.
pub(crate) fn split_expiry(key: &[u8]) -> Option<(i64, &[u8])> {
    let time: [u8; 8] = key.get(..8)?.try_into().ok()?;
    let expires = (u64::from_be_bytes(time) ^ (1 << 63)) as i64;
    Some((expires, &key[8..]))
}

/// Associated data binding a sealed value to its tree, key and header.
pub(crate) fn ad(tree: &str, key: &[u8], header: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tree.len() + key.len() + header.len() + 2);
    out.extend_from_slice(tree.as_bytes());
    out.push(0);
    out.extend_from_slice(key);
    out.push(0);
    out.extend_from_slice(header);
    out
}

/// A record's plaintext: its key (length-prefixed) and value.
pub(crate) fn record_plaintext(key: &str, value: &[u8]) -> Vec<u8> {
    let len = u16::try_from(key.len()).expect("record keys are checked to be short");
    let mut out = Vec::with_capacity(2 + key.len() + value.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(value);
    out
}

/// Splits a record's plaintext into key and value.
pub(crate) fn split_plaintext(plain: &[u8]) -> Result<(String, &[u8]), VaultError> {
    let bad = || VaultError::Integrity("record plaintext malformed");
    let len = usize::from(u16::from_be_bytes(
        plain
            .get(..2)
            .ok_or_else(bad)?
            .try_into()
            .map_err(|_| bad())?,
    ));
    let key = std::str::from_utf8(plain.get(2..2 + len).ok_or_else(bad)?).map_err(|_| bad())?;
    Ok((key.to_owned(), &plain[2 + len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_keys_sort_by_the_end_of_the_hour() {
        let h = EXPIRY_SLOT;
        let a = expiry_key(-5 * h - 1, b"x");
        let b = expiry_key(3, b"a");
        let c = expiry_key(1_000 * h + 1, b"a");
        assert!(a < b && b < c);
        assert_eq!(split_expiry(&b), Some((h, &b"a"[..])));
        assert_eq!(split_expiry(&a), Some((-5 * h, &b"x"[..])));
        assert_eq!(split_expiry(&c), Some((1_001 * h, &b"a"[..])));
        assert_eq!(expiry_slot(2 * h), 2 * h, "a whole hour stays");
        assert_eq!(
            expiry_key(h + 1, b"k"),
            expiry_key(2 * h, b"k"),
            "one slot per hour"
        );
        assert_eq!(
            expiry_slot(i64::MAX),
            i64::MAX,
            "saturates, never overflows"
        );
    }

    #[test]
    fn headers_round_trip() {
        let h = Header {
            written: 5,
            expires: -7,
        };
        assert_eq!(Header::decode(&h.encode()).unwrap(), h);
        assert!(Header::decode(&[2; 17]).is_err());
    }

    #[test]
    fn plaintexts_round_trip() {
        let plain = record_plaintext("k1", b"value");
        let (key, value) = split_plaintext(&plain).unwrap();
        assert_eq!((key.as_str(), value), ("k1", &b"value"[..]));
        assert!(split_plaintext(&[0, 9, b'a']).is_err());
    }

    #[test]
    fn subjects_are_read_back_from_keys() {
        let s = SubjectId::from_bytes([3; 16]);
        let mut key = category_prefix(s, "orders");
        key.extend_from_slice(&[0; 16]);
        assert_eq!(subject_of(&key), Some(s));
        assert_eq!(key[16] as usize, "orders".len());
    }
}
