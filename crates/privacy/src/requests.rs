//! Pending confirmations (nonces) and recent data requests, kept as records
//! of the `privacy-requests` category of the person they belong to.

use botwerk_core::SubjectId;
use botwerk_vault::{Vault, VaultError};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::privacy::REQUESTS;

/// A confirmation the person has not answered yet.
#[derive(Serialize, Deserialize)]
struct Pending {
    nonce: String,
    expires: DateTime<Utc>,
}

/// The nonce of a new confirmation of `kind` (`forgetme`, `subscribe`) for
/// `subject`, valid for `ttl`; it replaces any earlier one of that kind.
pub(crate) async fn issue(
    vault: &Vault,
    subject: SubjectId,
    kind: &str,
    ttl: Duration,
) -> Result<String, VaultError> {
    let nonce = botwerk_vault::random_token();
    let pending = Pending {
        nonce: nonce.clone(),
        expires: vault.clock().now() + ttl,
    };
    let value = serde_json::to_vec(&pending).map_err(|e| VaultError::Invalid(e.to_string()))?;
    vault.put(subject, REQUESTS, kind, &value).await?;
    Ok(nonce)
}

/// Checks `nonce` against the pending confirmation of `kind` of `subject`
/// and uses it up: `true` once, for the right nonce within its time.
pub(crate) async fn redeem(
    vault: &Vault,
    subject: SubjectId,
    kind: &str,
    nonce: &str,
) -> Result<bool, VaultError> {
    let Some(record) = vault.get(subject, REQUESTS, kind).await? else {
        return Ok(false);
    };
    let Ok(pending) = serde_json::from_slice::<Pending>(&record.value) else {
        return Ok(false);
    };
    if !same(pending.nonce.as_bytes(), nonce.as_bytes()) {
        return Ok(false);
    }
    vault.delete(subject, REQUESTS, kind).await?;
    Ok(vault.clock().now() <= pending.expires)
}

/// Drops a pending confirmation of `kind`.
pub(crate) async fn cancel(
    vault: &Vault,
    subject: SubjectId,
    kind: &str,
) -> Result<(), VaultError> {
    vault.delete(subject, REQUESTS, kind).await.map(|_| ())
}

/// Compares without an early exit, so that timing tells nothing about a nonce.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Serialize, Deserialize, Default)]
struct Recent {
    times: Vec<DateTime<Utc>>,
}

/// Counts an export of `subject` against `per_day`: `Ok(())` and noted, or
/// `Err(time)` when the limit is reached, with the time it frees up.
pub(crate) async fn count_export(
    vault: &Vault,
    subject: SubjectId,
    per_day: usize,
) -> Result<Result<(), DateTime<Utc>>, VaultError> {
    let now = vault.clock().now();
    let mut recent = match vault.get(subject, REQUESTS, "exports").await? {
        Some(record) => serde_json::from_slice(&record.value).unwrap_or_default(),
        None => Recent::default(),
    };
    recent.times.retain(|t| now - *t < Duration::days(1));
    if recent.times.len() >= per_day {
        let oldest = recent.times.iter().min().copied().unwrap_or(now);
        return Ok(Err(oldest + Duration::days(1)));
    }
    recent.times.push(now);
    let value = serde_json::to_vec(&recent).map_err(|e| VaultError::Invalid(e.to_string()))?;
    vault.put(subject, REQUESTS, "exports", &value).await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn compares_exactly() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
