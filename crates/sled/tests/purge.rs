//! Retention reaches memory: what the purge deletes from the store, the
//! running vault no longer holds opened in its record cache either.

use std::sync::Arc;

use botwerk_core::{Identity, ManualClock, Platform};
use botwerk_sled::{SledBackend, SledOptions};
use botwerk_vault::{Category, Inventory, LegalBasis, Purpose, Vault, VaultOptions};
use chrono::{Duration, TimeZone, Utc};

fn inventory() -> Inventory {
    Inventory::builder()
        .purpose(Purpose::new("order", LegalBasis::Contract, "t"))
        .category(Category::new("address", "order", "t").retain_days(1))
        .category(Category::new("orders", "order", "t").retain_days(30))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_purge_leaves_nothing_it_deleted_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
    ));
    let backend = SledBackend::open(&dir.path().join("store"), SledOptions::default()).unwrap();
    let vault = Vault::open(
        Arc::new(backend),
        inventory(),
        VaultOptions::in_dir(dir.path()).clock(clock.clone()),
    )
    .await
    .unwrap();
    let subject = vault
        .subject_for(&Identity::new(Platform::Telegram, 7_i64))
        .await
        .unwrap();
    vault
        .put(subject, "address", "home", b"Lasttestweg 1")
        .await
        .unwrap();
    vault.put(subject, "orders", "1", b"coffee").await.unwrap();
    // Read back, so that the running vault holds both opened.
    assert!(vault
        .get(subject, "address", "home")
        .await
        .unwrap()
        .is_some());
    assert!(vault.get(subject, "orders", "1").await.unwrap().is_some());
    assert_eq!(vault.cached_records_for_tests(subject), 2);

    // The address is past its day, the order is not.
    clock.advance(Duration::days(2));
    assert_eq!(vault.purge().await.unwrap().records, 1);
    assert_eq!(
        vault.cached_records_for_tests(subject),
        1,
        "the purged address is gone from memory, the live order stays"
    );
    assert!(vault
        .get(subject, "address", "home")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        vault
            .get(subject, "orders", "1")
            .await
            .unwrap()
            .unwrap()
            .value,
        b"coffee"
    );
}
