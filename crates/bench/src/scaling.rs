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

/// Times `f` on each of `subjects` and keeps the median.
async fn median<'a, F, Fut>(
    what: String,
    subjects: &'a [SubjectId],
    mut f: F,
) -> anyhow::Result<Measure>
where
    F: FnMut(SubjectId) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>> + 'a,
{
    let mut times = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let started = Instant::now();
        f(*subject).await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(Measure {
        what,
        time: times[times.len() / 2],
    })
}

/// Subjects measured per row; the table shows the median.
const REPEAT: i64 = 3;

/// Runs every scaling measurement; `big` is the large store (1M subjects and
/// 1M expired records in the full run), and a thousandth, a hundredth and a
/// tenth of it the record counts of one subject.
pub async fn run(big: usize) -> anyhow::Result<Vec<Measure>> {
    let mut out = Vec::new();
    for records in [big / 1000, big / 100, big / 10] {
        let records = records.max(1);
        let b = open().await?;
        let mut subjects = Vec::new();
        for user in 0..REPEAT {
            subjects.push(subject_with(&b.vault, user, "orders", records).await?);
        }
        b.vault.flush().await?;
        let vault = &b.vault;
        out.push(
            median(
                format!("export a subject with {} records", label(records)),
                &subjects,
                |s| async move {
                    vault
                        .export_to(Some(s), None, Actor::Operator, &mut std::io::sink())
                        .await?;
                    Ok(())
                },
            )
            .await?,
        );
        out.push(
            median(
                format!("erase a subject with {} records", label(records)),
                &subjects,
                |s| async move {
                    vault.erase(s, Actor::Operator).await?;
                    Ok(())
                },
            )
            .await?,
        );
    }
    for store in [10_000, big] {
        let b = open().await?;
        fill(&b.vault, store).await?;
        let mut subjects = Vec::new();
        for user in 0..REPEAT {
            subjects.push(subject_with(&b.vault, user, "orders", 1_000).await?);
        }
        b.vault.flush().await?;
        let vault = &b.vault;
        out.push(
            median(
                format!(
                    "erase a subject with 1k records, in a store of {} subjects",
                    label(store)
                ),
                &subjects,
                |s| async move {
                    vault.erase(s, Actor::Operator).await?;
                    Ok(())
                },
            )
            .await?,
        );
    }
    let b = open().await?;
    let per_subject = 1_000.min(big);
    for user in 0..(big / per_subject) as i64 {
        subject_with(&b.vault, user, "short", per_subject).await?;
    }
    b.vault.flush().await?;
    b.clock.advance(chrono::Duration::days(2));
    let started = Instant::now();
    let purged = b.vault.purge().await?.records;
    let time = started.elapsed();
    let expired = big / per_subject * per_subject;
    anyhow::ensure!(
        purged as usize == expired,
        "the purge deleted {purged} of {expired}"
    );
    out.push(Measure {
        what: format!("purge {} expired records", label(expired)),
        time,
    });
    Ok(out)
}

fn label(n: usize) -> String {
    if n >= 1_000_000 && n % 1_000_000 == 0 {
        format!("{}M", n / 1_000_000)
    } else if n >= 1000 && n % 1000 == 0 {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}
