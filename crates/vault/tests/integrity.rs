//! Tampering: a flipped byte, a record moved to another subject, an edited
//! audit entry, and a key file that is too open.

mod common;

use std::sync::Arc;

use botwerk_vault::{
    Actor, AuditReport, Backend, ConsentAction, ConsentEvent, MemoryBackend, Vault, VaultError,
    VaultOptions,
};
use common::{fixture, inventory, telegram};

#[tokio::test]
async fn a_flipped_byte_in_a_sealed_record_is_an_error() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    f.vault.put(a, "orders", "1", b"original").await.unwrap();
    let (key, mut value) = f
        .backend
        .scan("records", b"", None, 1)
        .await
        .unwrap()
        .remove(0);
    let last = value.len() - 1;
    value[last] ^= 0x01;
    f.backend.put("records", &key, &value).await.unwrap();
    assert!(matches!(
        f.reopen().await.get(a, "orders", "1").await,
        Err(VaultError::Integrity(_))
    ));

    // The cleartext header is bound too: moving the expiry is tampering.
    value[last] ^= 0x01;
    value[12] ^= 0x01;
    f.backend.put("records", &key, &value).await.unwrap();
    assert!(matches!(
        f.reopen().await.get(a, "orders", "1").await,
        Err(VaultError::Integrity(_))
    ));
}

#[tokio::test]
async fn a_record_moved_to_another_key_of_the_same_subject_is_an_error() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    f.vault.put(a, "orders", "1", b"first").await.unwrap();
    f.vault.put(a, "orders", "2", b"second").await.unwrap();
    f.vault.put(a, "address", "home", b"third").await.unwrap();
    let records = f
        .backend
        .scan("records", a.as_bytes(), None, 10)
        .await
        .unwrap();
    // Same subject, same data key: only the associated data tells them apart.
    let (order_keys, others): (Vec<_>, Vec<_>) = records
        .iter()
        .partition(|(k, _)| k[17..].starts_with(b"orders"));
    let (k1, v1) = &order_keys[0];
    let (k2, _) = &order_keys[1];
    f.backend.put("records", k2, v1).await.unwrap();
    let _ = k1;
    let results = [
        f.reopen().await.get(a, "orders", "1").await,
        f.reopen().await.get(a, "orders", "2").await,
    ];
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(VaultError::Integrity(_)))),
        "a moved record fails"
    );
    // Across categories, too.
    let (k3, _) = &others[0];
    f.backend.put("records", k3, v1).await.unwrap();
    assert!(matches!(
        f.reopen().await.get(a, "address", "home").await,
        Err(VaultError::Integrity(_))
    ));
}

#[tokio::test]
async fn a_record_copied_under_another_subjects_key_is_an_error() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    let b = f.vault.subject_for(&telegram(2)).await.unwrap();
    f.vault.put(a, "orders", "1", b"alice").await.unwrap();
    f.vault.put(b, "orders", "1", b"bob").await.unwrap();
    let a_value = f
        .backend
        .scan("records", a.as_bytes(), None, 1)
        .await
        .unwrap()
        .remove(0)
        .1;
    let b_key = f
        .backend
        .scan("records", b.as_bytes(), None, 1)
        .await
        .unwrap()
        .remove(0)
        .0;
    f.backend.put("records", &b_key, &a_value).await.unwrap();
    assert!(matches!(
        f.reopen().await.get(b, "orders", "1").await,
        Err(VaultError::Integrity(_))
    ));
    assert_eq!(
        f.reopen()
            .await
            .get(a, "orders", "1")
            .await
            .unwrap()
            .unwrap()
            .value,
        b"alice"
    );
}

fn consent(purpose: &str, action: ConsentAction) -> ConsentEvent {
    ConsentEvent {
        purpose: purpose.into(),
        action,
        policy_version: "v1".into(),
        text_hash: "00".repeat(32),
        language: "en".into(),
        mechanism: "button:telegram".into(),
        age_confirmed: None,
    }
}

#[tokio::test]
async fn verify_names_an_edited_audit_entry() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    f.vault
        .record_consent(a, consent("newsletter", ConsentAction::Granted))
        .await
        .unwrap();
    f.vault
        .record_consent(a, consent("newsletter", ConsentAction::Withdrawn))
        .await
        .unwrap();
    f.vault.erase(a, Actor::Subject).await.unwrap();
    assert_eq!(
        f.vault.verify_audit().await.unwrap(),
        AuditReport::Intact { entries: 3 }
    );

    let entries = f.backend.scan("audit", b"", None, 10).await.unwrap();
    let (key, value) = entries[1].clone();
    let edited =
        String::from_utf8_lossy(&value[32..]).replace("consent_withdrawn", "consent_granted");
    let mut forged = value[..32].to_vec();
    forged.extend_from_slice(edited.as_bytes());
    f.backend.put("audit", &key, &forged).await.unwrap();
    match f.vault.verify_audit().await.unwrap() {
        AuditReport::Broken { seq, problem } => {
            assert_eq!(seq, 1);
            assert!(problem.contains("edited"), "{problem}");
        }
        intact => panic!("the edit went unnoticed: {intact:?}"),
    }
}

#[tokio::test]
async fn verify_names_a_removed_or_replaced_entry() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    for _ in 0..3 {
        f.vault
            .record_consent(a, consent("newsletter", ConsentAction::Granted))
            .await
            .unwrap();
    }
    let entries = f.backend.scan("audit", b"", None, 10).await.unwrap();
    // Entry 2 replaced by entry 1 (a consistent entry, but not linked).
    f.backend
        .put("audit", &entries[2].0, &entries[1].1)
        .await
        .unwrap();
    assert!(matches!(
        f.vault.verify_audit().await.unwrap(),
        AuditReport::Broken { seq: 2, .. }
    ));
    f.backend
        .put("audit", &entries[2].0, &entries[2].1)
        .await
        .unwrap();
    f.backend.delete("audit", &entries[2].0).await.unwrap();
    assert!(matches!(
        f.vault.verify_audit().await.unwrap(),
        AuditReport::Broken { seq: 2, .. }
    ));
}

#[cfg(unix)]
#[tokio::test]
async fn a_key_file_readable_by_others_stops_startup() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let options = VaultOptions::in_dir(dir.path());
    drop(
        Vault::open(Arc::new(MemoryBackend::new()), inventory(), options.clone())
            .await
            .unwrap(),
    );
    std::fs::set_permissions(&options.key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Vault::open(Arc::new(MemoryBackend::new()), inventory(), options.clone())
        .await
        .err()
        .expect("startup refuses");
    let message = err.to_string();
    assert!(
        message.contains(&options.key_file.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("readable by group or others (mode 0644)"),
        "{message}"
    );
    assert!(
        message.contains(&format!("chmod 600 {}", options.key_file.display())),
        "{message}"
    );
}
