//! Consent ledger, export, erasure and the retention purge.

mod common;

use botwerk_vault::{Actor, AuditEvent, Backend, ConsentAction, ConsentEvent, EXPORT_SCHEMA};
use chrono::Duration;
use common::{fixture, telegram};
use serde_json::Value;

fn consent(purpose: &str, action: ConsentAction) -> ConsentEvent {
    ConsentEvent {
        purpose: purpose.into(),
        action,
        policy_version: "v1".into(),
        text_hash: "ab".repeat(32),
        language: "de".into(),
        mechanism: "button:telegram".into(),
        age_confirmed: Some(true),
    }
}

#[tokio::test]
async fn the_ledger_is_append_only_and_knows_the_current_state() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    assert!(!f.vault.has_consent(a, "newsletter").await.unwrap());
    f.vault
        .record_consent(a, consent("newsletter", ConsentAction::Granted))
        .await
        .unwrap();
    assert!(f.vault.has_consent(a, "newsletter").await.unwrap());
    f.clock.advance(Duration::hours(1));
    f.vault
        .record_consent(a, consent("newsletter", ConsentAction::Withdrawn))
        .await
        .unwrap();
    assert!(!f.vault.has_consent(a, "newsletter").await.unwrap());
    let history = f.vault.consent_history(a).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[0].seq, history[1].seq), (0, 1));
    assert_eq!(history[1].at - history[0].at, Duration::hours(1));
    assert_eq!(history[0].event.mechanism, "button:telegram");
    assert_eq!(history[0].event.age_confirmed, Some(true));
}

#[tokio::test]
async fn export_holds_everything_of_the_subject_and_nothing_else() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    let b = f.vault.subject_for(&telegram(2)).await.unwrap();
    for i in 0..600 {
        f.vault
            .put(
                a,
                "orders",
                &format!("{i}"),
                format!("{{\"n\":{i}}}").as_bytes(),
            )
            .await
            .unwrap();
    }
    f.vault
        .put(a, "address", "home", b"Alice Street 1")
        .await
        .unwrap();
    f.vault
        .put(b, "address", "home", b"Bob Street 2")
        .await
        .unwrap();
    f.vault
        .record_consent(a, consent("newsletter", ConsentAction::Granted))
        .await
        .unwrap();

    let (bytes, summary) = f
        .vault
        .export(
            Some(a),
            Some(&serde_json::json!({"policy": "v1"})),
            Actor::Subject,
        )
        .await
        .unwrap();
    assert_eq!((summary.records, summary.consent_entries), (601, 1));
    let doc: Value = serde_json::from_slice(&bytes).expect("the export is JSON");
    assert_eq!(doc["schema"], EXPORT_SCHEMA);
    assert_eq!(doc["subject"], a.to_string());
    assert_eq!(doc["notice"]["policy"], "v1");
    assert_eq!(doc["identities"][0]["platform"], "telegram");
    assert_eq!(doc["identities"][0]["user"], "1");
    let categories = doc["categories"].as_array().unwrap();
    let orders = categories.iter().find(|c| c["name"] == "orders").unwrap();
    assert_eq!(orders["legal_basis"], "contract");
    assert_eq!(orders["retention"], "P90D");
    assert_eq!(orders["recipients"][0], "Telegram (independent controller)");
    assert_eq!(orders["records"].as_array().unwrap().len(), 600);
    assert!(orders["records"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["value"]["n"] == 599));
    let address = categories.iter().find(|c| c["name"] == "address").unwrap();
    assert_eq!(address["records"][0]["value"], "Alice Street 1");
    assert!(!String::from_utf8_lossy(&bytes).contains("Bob Street"));
    assert_eq!(doc["consent"][0]["purpose"], "newsletter");
    assert_eq!(doc["consent"][0]["action"], "granted");

    let (_, nobody) = f.vault.export(None, None, Actor::Subject).await.unwrap();
    assert!(nobody.is_empty());
}

#[tokio::test]
async fn erasure_removes_the_subject_and_only_it_and_twice_is_harmless() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    let b = f.vault.subject_for(&telegram(2)).await.unwrap();
    f.vault.put(a, "orders", "1", b"a").await.unwrap();
    f.vault.put(b, "orders", "1", b"b").await.unwrap();
    f.vault
        .record_consent(a, consent("newsletter", ConsentAction::Granted))
        .await
        .unwrap();

    let receipt = f.vault.erase(a, Actor::Subject).await.unwrap();
    assert!(
        receipt.id.starts_with("ER-") && receipt.id.len() == 22,
        "{}",
        receipt.id
    );
    assert_eq!(receipt.deleted, 3, "a record, a consent entry, an identity");
    assert_eq!(f.vault.find_subject(&telegram(1)).await.unwrap(), None);
    assert!(f.vault.get(a, "orders", "1").await.unwrap().is_none());
    assert!(f.vault.consent_history(a).await.unwrap().is_empty());
    let (_, summary) = f.vault.export(Some(a), None, Actor::Subject).await.unwrap();
    assert!(summary.is_empty());
    assert_eq!(
        f.vault.get(b, "orders", "1").await.unwrap().unwrap().value,
        b"b"
    );

    let again = f.vault.erase(a, Actor::Subject).await.unwrap();
    assert_eq!(again.deleted, 0);
    assert_ne!(again.id, receipt.id);
    let fresh = f.vault.subject_for(&telegram(1)).await.unwrap();
    assert_ne!(fresh, a, "coming back makes a new subject");

    let log = f.vault.audit_entries(0, 100).await.unwrap();
    assert!(log.iter().any(|e| e.event
        == AuditEvent::Erasure {
            subject: a,
            receipt: receipt.id.clone(),
            by: Actor::Subject
        }));
}

#[tokio::test]
async fn the_purge_deletes_what_is_past_its_retention_once() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    for i in 0..1500 {
        f.vault
            .put(a, "address", &format!("old{i}"), b"short-lived")
            .await
            .unwrap();
    }
    f.vault.put(a, "orders", "1", b"long-lived").await.unwrap();
    f.clock.advance(Duration::hours(12));
    f.vault
        .put(a, "address", "fresh", b"written later")
        .await
        .unwrap();

    assert_eq!(
        f.vault.purge().await.unwrap().records,
        0,
        "nothing is due yet"
    );
    f.clock.advance(Duration::hours(13));
    assert_eq!(f.vault.purge().await.unwrap().records, 1500);
    assert_eq!(f.vault.purge().await.unwrap().records, 0, "idempotent");
    assert!(f.vault.get(a, "address", "old0").await.unwrap().is_none());
    assert!(f.vault.get(a, "address", "fresh").await.unwrap().is_some());
    assert!(f.vault.get(a, "orders", "1").await.unwrap().is_some());

    // A record rewritten before its old expiry lives on under the new one.
    f.vault
        .put(a, "address", "fresh", b"rewritten")
        .await
        .unwrap();
    f.clock.advance(Duration::hours(12));
    assert_eq!(f.vault.purge().await.unwrap().records, 0);
    assert!(f.vault.get(a, "address", "fresh").await.unwrap().is_some());
    f.clock.advance(Duration::hours(13));
    assert_eq!(f.vault.purge().await.unwrap().records, 1);

    let purges = f
        .vault
        .audit_entries(0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.event, AuditEvent::Purge { .. }))
        .count();
    assert_eq!(purges, 5, "every run is in the audit log");
}

/// Large records are purged in batches of bounded size, all of them.
#[tokio::test]
async fn a_purge_of_large_records_deletes_them_all() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    let big = vec![b'x'; botwerk_vault::MAX_VALUE];
    // 20 MiB: more than one batch holds.
    for i in 0..20 {
        f.vault
            .put(a, "address", &format!("big{i}"), &big)
            .await
            .unwrap();
    }
    f.clock.advance(Duration::hours(25));
    assert_eq!(f.vault.purge().await.unwrap().records, 20);
    assert_eq!(f.vault.purge().await.unwrap().records, 0);
    assert!(f.vault.get(a, "address", "big19").await.unwrap().is_none());
}

#[tokio::test]
async fn rewrites_within_an_hour_keep_one_index_entry_and_the_purge_is_at_most_an_hour_late() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    let index = || async {
        f.backend
            .scan("expiry", b"", None, 100)
            .await
            .unwrap()
            .len()
    };
    // "address" is kept for a day; the index has a slot per hour.
    f.clock.advance(Duration::minutes(10));
    f.vault.put(a, "address", "k", b"v1").await.unwrap();
    f.clock.advance(Duration::minutes(20));
    f.vault.put(a, "address", "k", b"v2").await.unwrap();
    assert_eq!(index().await, 1, "same hour: the entry stays");
    f.clock.advance(Duration::minutes(40));
    f.vault.put(a, "address", "k", b"v3").await.unwrap();
    assert_eq!(index().await, 1, "next hour: the entry moves");
    // Now 1h10m after the start; the record expires a day later, exactly.
    f.clock.advance(Duration::days(1) + Duration::minutes(5));
    assert!(
        f.vault.get(a, "address", "k").await.unwrap().is_none(),
        "hidden from the exact moment it expires"
    );
    assert_eq!(
        f.vault.purge().await.unwrap().records,
        0,
        "its hour has not ended"
    );
    f.clock.advance(Duration::minutes(45));
    assert_eq!(f.vault.purge().await.unwrap().records, 1);
    assert_eq!(index().await, 0);
}

/// A crash between the single writes of a rewrite can leave the old index
/// entry behind; the purge must drop it and keep the record.
#[tokio::test]
async fn an_index_entry_left_behind_never_purges_a_live_record() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    f.vault.put(a, "address", "k", b"live").await.unwrap();
    let entries = f.backend.scan("expiry", b"", None, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    // The entry's layout: the slot (ms, sign bit flipped, big-endian), then
    // the record's storage key.
    let record_key = &entries[0].0[8..];
    let an_hour_in = (common::start_time().timestamp_millis() + 3_600_000) as u64 ^ (1 << 63);
    let mut stale = an_hour_in.to_be_bytes().to_vec();
    stale.extend_from_slice(record_key);
    f.backend.put("expiry", &stale, b"").await.unwrap();

    f.clock.advance(Duration::hours(2));
    assert_eq!(f.vault.purge().await.unwrap().records, 0);
    assert_eq!(
        f.vault.get(a, "address", "k").await.unwrap().unwrap().value,
        b"live"
    );
    let entries = f.backend.scan("expiry", b"", None, 10).await.unwrap();
    assert_eq!(
        entries.len(),
        1,
        "the stale entry is gone, the live one stays"
    );
    assert_ne!(entries[0].0, stale);
}

#[tokio::test]
async fn records_past_their_retention_are_gone_before_the_purge_runs() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    for i in 0..30 {
        f.vault
            .put(a, "address", &format!("a{i}"), b"x")
            .await
            .unwrap();
    }
    f.clock.advance(Duration::hours(12));
    f.vault.put(a, "address", "late", b"y").await.unwrap();
    f.clock.advance(Duration::hours(13));
    assert!(f.vault.get(a, "address", "a0").await.unwrap().is_none());
    let page = f.vault.list(a, "address", None, 10).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        vec!["late"],
        "a short page means the end"
    );
    let (bytes, summary) = f.vault.export(Some(a), None, Actor::Subject).await.unwrap();
    assert_eq!(summary.records, 1);
    assert!(String::from_utf8_lossy(&bytes).contains("\"late\""));
}

#[tokio::test]
async fn withdrawing_erases_the_purposes_records_and_dialog_states_at_once() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    let chat = botwerk_core::Chat::new(
        botwerk_core::Platform::Telegram,
        1_i64,
        botwerk_core::ChatKind::Private,
    );
    let group = botwerk_core::Chat::new(
        botwerk_core::Platform::Telegram,
        -5_i64,
        botwerk_core::ChatKind::Group,
    );
    f.vault.put(a, "subscription", "s", b"yes").await.unwrap();
    f.vault
        .save_state(a, &chat, Some("newsletter"), b"{\"email\":1}")
        .await
        .unwrap();
    f.vault
        .save_state(a, &group, Some("order"), b"{\"cart\":2}")
        .await
        .unwrap();
    let withdrawal = ConsentEvent {
        action: ConsentAction::Withdrawn,
        ..consent("newsletter", ConsentAction::Withdrawn)
    };
    let erased = f
        .vault
        .withdraw(a, withdrawal, &["subscription".to_owned()])
        .await
        .unwrap();
    assert_eq!(erased, 2, "the record and the newsletter dialog's state");
    assert!(f.vault.get(a, "subscription", "s").await.unwrap().is_none());
    assert!(f.vault.load_state(a, &chat).await.unwrap().is_none());
    assert_eq!(
        f.vault.load_state(a, &group).await.unwrap().unwrap(),
        b"{\"cart\":2}",
        "the order dialog stays"
    );
    assert_eq!(f.vault.consent_history(a).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_key_file_that_does_not_belong_to_the_data_is_refused() {
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let backend = Arc::new(botwerk_vault::MemoryBackend::new());
    let options = botwerk_vault::VaultOptions::in_dir(dir.path());
    let vault = botwerk_vault::Vault::open(backend.clone(), common::inventory(), options.clone())
        .await
        .unwrap();
    vault.subject_for(&telegram(1)).await.unwrap();
    drop(vault);

    // A lost key file is not silently replaced.
    std::fs::rename(&options.key_file, dir.path().join("moved.key")).unwrap();
    let err = botwerk_vault::Vault::open(backend.clone(), common::inventory(), options.clone())
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("is missing, but the data directory holds data"),
        "{err}"
    );
    assert!(!options.key_file.exists(), "no new key was made");

    // Another instance's key file is refused.
    let other = tempfile::tempdir().unwrap();
    let other_key = other.path().join("instance.key");
    drop(
        botwerk_vault::Vault::open(
            Arc::new(botwerk_vault::MemoryBackend::new()),
            common::inventory(),
            botwerk_vault::VaultOptions::in_dir(other.path()),
        )
        .await
        .unwrap(),
    );
    let err = botwerk_vault::Vault::open(
        backend.clone(),
        common::inventory(),
        options.clone().key_file(&other_key),
    )
    .await
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .contains("does not belong to this data directory"),
        "{err}"
    );

    // The right one opens.
    std::fs::rename(dir.path().join("moved.key"), &options.key_file).unwrap();
    let vault = botwerk_vault::Vault::open(backend, common::inventory(), options)
        .await
        .unwrap();
    assert!(vault.find_subject(&telegram(1)).await.unwrap().is_some());
}

#[tokio::test]
async fn withdrawing_consent_can_erase_one_category() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    f.vault.put(a, "subscription", "s", b"yes").await.unwrap();
    f.vault.put(a, "orders", "1", b"o").await.unwrap();
    assert_eq!(f.vault.erase_category(a, "subscription").await.unwrap(), 1);
    assert!(f.vault.get(a, "subscription", "s").await.unwrap().is_none());
    assert!(f.vault.get(a, "orders", "1").await.unwrap().is_some());
}

/// A backend whose atomic batches start failing on demand, as a disk that
/// fills up or a process that dies halfway through an erasure would.
struct Failing {
    inner: std::sync::Arc<botwerk_vault::MemoryBackend>,
    /// How many more batches may pass; `usize::MAX` is every one.
    batches_left: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl Backend for Failing {
    async fn get(
        &self,
        tree: &str,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, botwerk_vault::BackendError> {
        self.inner.get(tree, key).await
    }
    async fn put(
        &self,
        tree: &str,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), botwerk_vault::BackendError> {
        self.inner.put(tree, key, value).await
    }
    async fn delete(&self, tree: &str, key: &[u8]) -> Result<(), botwerk_vault::BackendError> {
        self.inner.delete(tree, key).await
    }
    async fn scan(
        &self,
        tree: &str,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<botwerk_vault::Entry>, botwerk_vault::BackendError> {
        self.inner.scan(tree, prefix, after, limit).await
    }
    async fn apply(&self, batch: botwerk_vault::Batch) -> Result<(), botwerk_vault::BackendError> {
        use std::sync::atomic::Ordering;
        let passed = self
            .batches_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            });
        if passed.is_err() {
            return Err(botwerk_vault::BackendError::storage(std::io::Error::other(
                "disk full",
            )));
        }
        self.inner.apply(batch).await
    }
    async fn flush(&self) -> Result<(), botwerk_vault::BackendError> {
        self.inner.flush().await
    }
}

#[tokio::test]
async fn an_erasure_cut_off_halfway_is_finished_at_the_next_start() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let memory = Arc::new(botwerk_vault::MemoryBackend::new());
    let failing = Arc::new(Failing {
        inner: memory.clone(),
        batches_left: AtomicUsize::new(usize::MAX),
    });
    let options = botwerk_vault::VaultOptions::in_dir(dir.path());
    let vault = botwerk_vault::Vault::open(failing.clone(), common::inventory(), options.clone())
        .await
        .unwrap();
    let a = vault.subject_for(&telegram(1)).await.unwrap();
    let b = vault.subject_for(&telegram(2)).await.unwrap();
    // Enough records for several pages of the erasure.
    for n in 0..2500 {
        vault
            .put(a, "orders", &n.to_string(), b"a-secret")
            .await
            .unwrap();
    }
    vault.put(b, "orders", "1", b"b").await.unwrap();

    // The identities and the first page of records go; the next page fails.
    failing.batches_left.store(2, Ordering::SeqCst);
    assert!(vault.erase(a, Actor::Subject).await.is_err());
    failing.batches_left.store(usize::MAX, Ordering::SeqCst);
    let left = memory
        .scan("records", a.as_bytes(), None, 5000)
        .await
        .unwrap();
    assert!(
        !left.is_empty() && left.len() < 2500,
        "the erasure stopped halfway: {} records left",
        left.len()
    );
    assert!(
        vault.get(a, "orders", "2499").await.unwrap().is_none(),
        "with the key gone, what is left is unreadable"
    );
    drop(vault);

    let vault = botwerk_vault::Vault::open(memory.clone(), common::inventory(), options)
        .await
        .unwrap();
    assert_eq!(vault.find_subject(&telegram(1)).await.unwrap(), None);
    assert!(vault.get(a, "orders", "7").await.unwrap().is_none());
    let (_, summary) = vault.export(Some(a), None, Actor::Subject).await.unwrap();
    assert!(summary.is_empty());
    assert_eq!(
        vault.get(b, "orders", "1").await.unwrap().unwrap().value,
        b"b"
    );
    let log = vault.audit_entries(0, 100).await.unwrap();
    let erasures = log
        .iter()
        .filter(|e| matches!(&e.event, AuditEvent::Erasure { subject, .. } if *subject == a))
        .count();
    assert_eq!(erasures, 1, "the finished erasure is audited once");
    assert!(matches!(
        vault.verify_audit().await.unwrap(),
        botwerk_vault::AuditReport::Intact { .. }
    ));
    // Nothing of A is left in any tree, sealed or not.
    let holds_a = |bytes: &[u8]| bytes.windows(16).any(|w| w == a.as_bytes());
    for tree in [
        "records",
        "expiry",
        "identities",
        "pseudonyms",
        "consent",
        "subjects",
        "erasing",
    ] {
        let entries = memory.scan(tree, b"", None, 10_000).await.unwrap();
        let of_a = entries
            .iter()
            .filter(|(k, v)| holds_a(k) || holds_a(v))
            .count();
        assert_eq!(of_a, 0, "{tree} still holds entries of the erased subject");
    }
}

#[tokio::test]
async fn a_store_with_exact_expiry_entries_is_moved_to_hour_slots_at_open() {
    use std::sync::Arc;
    let f = fixture().await;
    f.clock.advance(Duration::minutes(17));
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    f.vault.put(a, "address", "home", b"A-1").await.unwrap();
    f.vault.put(a, "address", "work", b"A-2").await.unwrap();
    drop(f.vault);

    // What an earlier Botwerk wrote: index entries at the exact expiry (ms),
    // and no layout marker.
    let flip = |ms: i64| ((ms as u64) ^ (1 << 63)).to_be_bytes();
    let slotted = f.backend.scan("expiry", b"", None, 100).await.unwrap();
    assert_eq!(slotted.len(), 2, "an entry per record");
    for (record_key, value) in f.backend.scan("records", b"", None, 100).await.unwrap() {
        let expires = i64::from_be_bytes(value[9..17].try_into().unwrap());
        assert_ne!(
            expires % 3_600_000,
            0,
            "a time off the hour, as in a real store"
        );
        let slot = (expires / 3_600_000 + 1) * 3_600_000;
        let mut slot_key = flip(slot).to_vec();
        slot_key.extend_from_slice(&record_key);
        assert!(slotted.iter().any(|(k, _)| *k == slot_key));
        f.backend.delete("expiry", &slot_key).await.unwrap();
        let mut exact = flip(expires).to_vec();
        exact.extend_from_slice(&record_key);
        f.backend.put("expiry", &exact, b"").await.unwrap();
    }
    f.backend.delete("meta", b"layout").await.unwrap();

    let options = botwerk_vault::VaultOptions::in_dir(f.dir.path()).clock(f.clock.clone());
    let vault = botwerk_vault::Vault::open(
        f.backend.clone() as Arc<dyn Backend>,
        common::inventory(),
        options,
    )
    .await
    .unwrap();
    let entries = f.backend.scan("expiry", b"", None, 100).await.unwrap();
    assert_eq!(entries.len(), 2);
    for (key, _) in &entries {
        let slot = (u64::from_be_bytes(key[..8].try_into().unwrap()) ^ (1 << 63)) as i64;
        assert_eq!(slot % 3_600_000, 0, "every entry on an hour slot");
    }

    f.clock.advance(Duration::hours(26));
    assert_eq!(vault.purge().await.unwrap().records, 2);
    assert!(vault.get(a, "address", "home").await.unwrap().is_none());
    assert!(f
        .backend
        .scan("records", b"", None, 100)
        .await
        .unwrap()
        .is_empty());
    assert!(f
        .backend
        .scan("expiry", b"", None, 100)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_shortened_retention_applies_to_what_is_already_stored() {
    use std::sync::Arc;
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    f.vault
        .put(a, "orders", "1", b"kept 90 days")
        .await
        .unwrap();
    f.vault
        .put(a, "subscription", "s", b"kept 365 days")
        .await
        .unwrap();
    drop(f.vault);

    // The operator cuts the orders' retention from 90 days to 10.
    let shorter = botwerk_vault::Inventory::builder()
        .purpose(botwerk_vault::Purpose::new(
            "order",
            botwerk_vault::LegalBasis::Contract,
            "t-order",
        ))
        .purpose(botwerk_vault::Purpose::new(
            "newsletter",
            botwerk_vault::LegalBasis::Consent,
            "t-newsletter",
        ))
        .category(botwerk_vault::Category::new("orders", "order", "t-orders").retain_days(10))
        .category(botwerk_vault::Category::new("address", "order", "t-address").retain_days(1))
        .category(
            botwerk_vault::Category::new("subscription", "newsletter", "t-sub").retain_days(365),
        )
        .build()
        .unwrap();
    let options = botwerk_vault::VaultOptions::in_dir(f.dir.path()).clock(f.clock.clone());
    let vault = botwerk_vault::Vault::open(f.backend.clone() as Arc<dyn Backend>, shorter, options)
        .await
        .unwrap();

    f.clock.advance(Duration::days(9));
    assert!(vault.get(a, "orders", "1").await.unwrap().is_some());
    assert_eq!(vault.purge().await.unwrap().records, 0);

    f.clock.advance(Duration::days(2));
    assert!(
        vault.get(a, "orders", "1").await.unwrap().is_none(),
        "past the new retention, reads no longer see it"
    );
    assert_eq!(
        vault.purge().await.unwrap().records,
        1,
        "and the purge finds it at the new time"
    );
    assert!(vault.get(a, "subscription", "s").await.unwrap().is_some());
    assert_eq!(
        f.backend
            .scan("expiry", b"", None, 100)
            .await
            .unwrap()
            .len(),
        1,
        "one entry left: the subscription's"
    );
}
