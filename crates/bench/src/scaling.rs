//! How privacy operations scale: erasure and export against a subject's
//! record count and against the size of the store, and a purge of a million
//! expired records.

use std::sync::Arc;
use std::time::{Duration, Instant};

use botwerk::core::{Identity, ManualClock, Platform, SubjectId};
use botwerk_sled::{SledBackend, SledOptions};
use botwerk_vault::{Actor, Category, Inventory, LegalBasis, Purpose, Vault, VaultOptions};

const VALUE: &[u8] =
    br#"{"product":"coffee","quantity":2,"address":"Lasttestweg 1, 10115 Berlin"}"#;

/// One measured operation.
#[derive(Clone, Debug)]
pub struct Measure {
    /// What was measured.
    pub what: String,
    /// How long it took.
    pub time: Duration,
}

struct Bench {
    vault: Vault,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

async fn open() -> anyhow::Result<Bench> {
    let dir = tempfile::tempdir()?;
    let clock = Arc::new(ManualClock::new(
        chrono::DateTime::from_timestamp(1_772_366_400, 0).unwrap_or_default(),
    ));
    let inventory = Inventory::builder()
        .purpose(Purpose::new("order", LegalBasis::Contract, "t"))
        .category(Category::new("orders", "order", "t").retain_days(730))
        .category(Category::new("short", "order", "t").retain_days(1))
        .build()?;
    let backend = SledBackend::open(&dir.path().join("store"), SledOptions::default())?;
    let vault = Vault::open(
        Arc::new(backend),
        inventory,
        VaultOptions::in_dir(dir.path()).clock(clock.clone()),
    )
    .await?;
    Ok(Bench {
        vault,
        clock,
        _dir: dir,
    })
}

async fn subject_with(
    vault: &Vault,
    user: i64,
    category: &str,
    records: usize,
) -> anyhow::Result<SubjectId> {
    let subject = vault
        .subject_for(&Identity::new(Platform::Telegram, user))
        .await?;
    for i in 0..records {
        vault.put(subject, category, &i.to_string(), VALUE).await?;
    }
    Ok(subject)
}

/// Fills the store with `subjects` subjects of one record each.
async fn fill(vault: &Vault, subjects: usize) -> anyhow::Result<()> {
    let mut next = 10_000_000_i64;
    let mut left = subjects;
    while left > 0 {
        let chunk = left.min(10_000);
        let identities: Vec<Identity> = (0..chunk)
            .map(|i| Identity::new(Platform::Telegram, next + i as i64))
            .collect();
        next += chunk as i64;
        for subject in vault.create_subjects(&identities).await? {
            vault.put(subject, "orders", "1", VALUE).await?;
        }
        left -= chunk;
    }
    vault.flush().await?;
    Ok(())
}

async fn timed<F: std::future::Future<Output = anyhow::Result<()>>>(
    what: String,
    f: F,
) -> anyhow::Result<Measure> {
    let started = Instant::now();
    f.await?;
    Ok(Measure {
        what,
        time: started.elapsed(),
    })
}

/// Runs every scaling measurement; `big` is the large store (1M subjects and
/// 1M expired records in the full run).
pub async fn run(big: usize) -> anyhow::Result<Vec<Measure>> {
    let mut out = Vec::new();
    for records in [1_000, 10_000, 100_000] {
        let b = open().await?;
        let subject = subject_with(&b.vault, 1, "orders", records).await?;
        b.vault.flush().await?;
        out.push(
            timed(
                format!("export a subject with {}k records", records / 1000),
                async {
                    b.vault
                        .export_to(Some(subject), None, Actor::Operator, &mut std::io::sink())
                        .await?;
                    Ok(())
                },
            )
            .await?,
        );
        out.push(
            timed(
                format!("erase a subject with {}k records", records / 1000),
                async {
                    b.vault.erase(subject, Actor::Operator).await?;
                    Ok(())
                },
            )
            .await?,
        );
    }
    for store in [10_000, big] {
        let b = open().await?;
        fill(&b.vault, store).await?;
        let subject = subject_with(&b.vault, 1, "orders", 1_000).await?;
        b.vault.flush().await?;
        out.push(
            timed(
                format!(
                    "erase a subject with 1k records, store of {} subjects",
                    label(store)
                ),
                async {
                    b.vault.erase(subject, Actor::Operator).await?;
                    Ok(())
                },
            )
            .await?,
        );
    }
    let b = open().await?;
    let per_subject = 1_000;
    for user in 0..(big / per_subject) as i64 {
        subject_with(&b.vault, user, "short", per_subject).await?;
    }
    b.vault.flush().await?;
    b.clock.advance(chrono::Duration::days(2));
    let mut purged = 0;
    let mut measure = timed(format!("purge {} expired records", label(big)), async {
        purged = b.vault.purge().await?.records;
        Ok(())
    })
    .await?;
    anyhow::ensure!(
        purged as usize == big,
        "the purge deleted {purged} of {big}"
    );
    measure.what = format!("purge {} expired records", label(big));
    out.push(measure);
    Ok(out)
}

fn label(n: usize) -> String {
    if n >= 1_000_000 {
        format!("{}M", n / 1_000_000)
    } else {
        format!("{}k", n / 1000)
    }
}
