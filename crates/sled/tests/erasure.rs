//! Erasure reaches the disk: after erasing A and reopening the data
//! directory, no file holds A's canaries, A's platform id or A's data key,
//! while B is intact.

use std::path::Path;
use std::sync::Arc;

use botwerk_core::{Identity, Platform, SubjectId};
use botwerk_sled::{SledBackend, SledOptions};
use botwerk_testkit::canaries;
use botwerk_vault::{
    Actor, Category, ConsentAction, ConsentEvent, Inventory, LegalBasis, Purpose, Vault,
    VaultOptions,
};

const A_ID: i64 = 4_242_424_242;
const B_ID: i64 = 5_353_535_353;

fn inventory() -> Inventory {
    Inventory::builder()
        .purpose(Purpose::new("order", LegalBasis::Contract, "t"))
        .category(Category::new("address", "order", "t").retain_days(30))
        .category(Category::new("orders", "order", "t").retain_days(30))
        .build()
        .unwrap()
}

async fn open(dir: &Path) -> Vault {
    let backend = SledBackend::open(&dir.join("store"), SledOptions::default()).unwrap();
    Vault::open(Arc::new(backend), inventory(), VaultOptions::in_dir(dir))
        .await
        .unwrap()
}

/// The wrapped key bytes of `subject` as they stand in the keystore file.
fn wrapped_key(dir: &Path, subject: SubjectId) -> Vec<u8> {
    let file = std::fs::read(dir.join("keys.bin")).unwrap();
    let slots = &file[16..];
    let slot = slots
        .chunks(96)
        .find(|slot| &slot[..16] == subject.as_bytes())
        .expect("the subject has a slot");
    slot[16 + 24..16 + 24 + 48].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_leaves_none_of_a_on_disk_and_b_intact() {
    let dir = tempfile::tempdir().unwrap();
    let alice = Identity::new(Platform::Telegram, A_ID);
    let bob = Identity::new(Platform::Telegram, B_ID);
    let (a, a_raw_key, a_wrapped, b_wrapped) = {
        let vault = open(dir.path()).await;
        let a = vault.subject_for(&alice).await.unwrap();
        let b = vault.subject_for(&bob).await.unwrap();
        for i in 0..200 {
            vault
                .put(
                    a,
                    "orders",
                    &format!("CANARY-KEY-ALICE-{i}"),
                    format!("CANARY-ALICE-ORDER-{i}").as_bytes(),
                )
                .await
                .unwrap();
        }
        vault
            .put(
                a,
                "address",
                "home",
                "CANARY-ALICE-ADDRESS Lindenstraße 7".as_bytes(),
            )
            .await
            .unwrap();
        vault
            .put(b, "address", "home", b"CANARY-BOB-ADDRESS")
            .await
            .unwrap();
        let grant = ConsentEvent {
            purpose: "order".into(),
            action: ConsentAction::Granted,
            policy_version: "v1".into(),
            text_hash: "00".repeat(32),
            language: "en".into(),
            mechanism: "button:telegram".into(),
            age_confirmed: None,
        };
        vault.record_consent(a, grant).await.unwrap();
        vault.flush().await.unwrap();
        let a_raw_key = vault.raw_data_key_for_tests(a).await.unwrap();
        let (a_wrapped, b_wrapped) = (wrapped_key(dir.path(), a), wrapped_key(dir.path(), b));

        // Positive control: the scan finds what is there.
        let before = canaries::find(dir.path(), &[&a_wrapped, &b_wrapped]);
        assert_eq!(
            before.len(),
            2,
            "both wrapped keys are in the keystore before"
        );

        // Read back, so that the running vault holds A's records opened.
        assert!(vault.get(a, "address", "home").await.unwrap().is_some());
        assert!(vault.cached_records_for_tests(a) > 0);
        let receipt = vault.erase(a, Actor::Subject).await.unwrap();
        assert!(receipt.deleted >= 202);
        assert_eq!(
            vault.cached_records_for_tests(a),
            0,
            "no plaintext of A stays in the running vault's memory"
        );
        (a, a_raw_key, a_wrapped, b_wrapped)
    };

    // Close and reopen.
    let vault = open(dir.path()).await;
    let (_, summary) = vault.export(Some(a), None, Actor::Subject).await.unwrap();
    assert!(summary.is_empty(), "A's export is empty");
    assert_eq!(vault.find_subject(&alice).await.unwrap(), None);
    let b = vault
        .find_subject(&bob)
        .await
        .unwrap()
        .expect("B is still known");
    let b_address = vault.get(b, "address", "home").await.unwrap().unwrap();
    assert_eq!(b_address.value, b"CANARY-BOB-ADDRESS", "B is intact");
    let (document, summary) = vault.export(Some(b), None, Actor::Subject).await.unwrap();
    assert!(!summary.is_empty(), "B's export holds B's data");
    let document = String::from_utf8(document).unwrap();
    assert!(
        document.contains("CANARY-BOB-ADDRESS"),
        "B's export is intact"
    );
    assert!(!document.contains("CANARY-ALICE"), "and holds nothing of A");
    drop(vault);

    // The plaintext canaries were never written: the vault seals everything,
    // so their absence proves that, not the erasure. What proves the erasure
    // is A's data key — raw, and as wrapped in the keystore, where it was
    // found before (the positive control above) — being gone: sled may still
    // hold A's sealed bytes in old segments, and without the key they are noise.
    let id_decimal = A_ID.to_string();
    let a_canaries: Vec<&[u8]> = vec![
        b"CANARY-ALICE",
        b"CANARY-KEY-ALICE",
        "Lindenstraße".as_bytes(),
        id_decimal.as_bytes(),
        &a_raw_key,
        &a_wrapped,
    ];
    canaries::assert_absent(dir.path(), &a_canaries);
    assert_eq!(
        canaries::find(dir.path(), &[&b_wrapped]).len(),
        1,
        "B's key is still there"
    );
}
