//! Shared setup of the vault's tests.

#![allow(dead_code)]

use std::sync::Arc;

use botwerk_core::{Identity, ManualClock, Platform};
use botwerk_vault::{Category, Inventory, LegalBasis, MemoryBackend, Purpose, Vault, VaultOptions};
use chrono::{DateTime, Utc};

pub struct Fixture {
    pub vault: Vault,
    pub backend: Arc<MemoryBackend>,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
}

pub fn start_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).unwrap() // 2026-01-01
}

pub fn inventory() -> Inventory {
    Inventory::builder()
        .purpose(Purpose::new("order", LegalBasis::Contract, "t-order"))
        .purpose(Purpose::new(
            "newsletter",
            LegalBasis::Consent,
            "t-newsletter",
        ))
        .category(Category::new("orders", "order", "t-orders").retain_days(90))
        .category(Category::new("address", "order", "t-address").retain_days(1))
        .category(Category::new("subscription", "newsletter", "t-sub").retain_days(365))
        .recipient("Telegram (independent controller)")
        .build()
        .unwrap()
}

pub async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let backend = Arc::new(MemoryBackend::new());
    let clock = Arc::new(ManualClock::new(start_time()));
    let options = VaultOptions::in_dir(dir.path()).clock(clock.clone());
    let vault = Vault::open(backend.clone(), inventory(), options)
        .await
        .unwrap();
    Fixture {
        vault,
        backend,
        clock,
        dir,
    }
}

impl Fixture {
    /// The vault opened anew on the same store, as after a restart: what
    /// was changed in the store behind the running vault's back (tampering
    /// at rest) is read from the store, not from the running vault's cache.
    pub async fn reopen(&self) -> Vault {
        let options = VaultOptions::in_dir(self.dir.path()).clock(self.clock.clone());
        Vault::open(self.backend.clone(), inventory(), options)
            .await
            .unwrap()
    }
}

pub fn telegram(id: i64) -> Identity {
    Identity::new(Platform::Telegram, id)
}
