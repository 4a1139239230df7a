#![allow(missing_docs)] // criterion_group! makes undocumented functions
//! Vault benchmarks on sled: record put and get, a dialog step's load and
//! save of its state (with the record cache and without), export and erasure of a
//! subject with 10k records (erasure in a store of 10k and of 1M records),
//! and a purge of 100k expired records.
//!
//! `cargo bench -p botwerk-vault` runs them; results are in the crate's README.

use std::sync::Arc;
use std::time::{Duration, Instant};

use botwerk_core::{Chat, ChatKind, Identity, ManualClock, Platform, SubjectId};
use botwerk_sled::{SledBackend, SledOptions};
use botwerk_vault::{Actor, Category, Inventory, LegalBasis, Purpose, Vault, VaultOptions};
use chrono::DateTime;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use tokio::runtime::Runtime;

const VALUE: &[u8] =
    br#"{"product":"coffee","quantity":2,"address":"Musterstrasse 1, 12345 Berlin"}"#;

fn inventory() -> Inventory {
    Inventory::builder()
        .purpose(Purpose::new("order", LegalBasis::Contract, "t"))
        .category(Category::new("orders", "order", "t").retain_days(730))
        .category(Category::new("short", "order", "t").retain_days(1))
        .build()
        .expect("valid inventory")
}

struct Bench {
    vault: Arc<Vault>,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

fn open(rt: &Runtime) -> Bench {
    open_with(rt, VaultOptions::in_dir)
}

fn open_with(rt: &Runtime, options: impl FnOnce(&std::path::Path) -> VaultOptions) -> Bench {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::new(
        DateTime::from_timestamp(1_767_225_600, 0).expect("time"),
    ));
    let vault = rt.block_on(async {
        let backend =
            SledBackend::open(&dir.path().join("store"), SledOptions::default()).expect("sled");
        Vault::open(
            Arc::new(backend),
            inventory(),
            options(dir.path()).clock(clock.clone()),
        )
        .await
        .expect("vault")
    });
    Bench {
        vault: Arc::new(vault),
        clock,
        _dir: dir,
    }
}

static NEXT_USER: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);

async fn subject_with(vault: &Vault, category: &str, records: usize) -> SubjectId {
    let user = NEXT_USER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let subject = vault
        .subject_for(&Identity::new(Platform::Telegram, user))
        .await
        .expect("subject");
    for i in 0..records {
        vault
            .put(subject, category, &i.to_string(), VALUE)
            .await
            .expect("put");
    }
    subject
}

/// Fills the store with `total` records spread over subjects of 1000 each.
async fn fill(vault: &Vault, total: usize) {
    for _ in 0..total / 1000 {
        subject_with(vault, "orders", 1000).await;
    }
    vault.flush().await.expect("flush");
}

fn records(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    let b = open(&rt);
    let subject = rt.block_on(subject_with(&b.vault, "orders", 0));
    let mut group = c.benchmark_group("record");
    let mut i = 0u64;
    group.bench_function("put", |bench| {
        bench.iter(|| {
            i += 1;
            rt.block_on(
                b.vault
                    .put(subject, "orders", &(i % 1000).to_string(), VALUE),
            )
            .expect("put");
        })
    });
    group.bench_function("get", |bench| {
        bench.iter(|| {
            i += 1;
            rt.block_on(b.vault.get(subject, "orders", &(i % 1000).to_string()))
                .expect("get")
        })
    });
    group.finish();
}

/// What a dialog step asks of the vault: the chat's state read, and
/// written back changed; 1000 chats take turns, as in a busy bot.
fn dialog_step(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("dialog step");
    for (name, cache) in [
        ("load and save", 4096),
        ("load and save, record cache off", 0),
    ] {
        let b = open_with(&rt, |dir| {
            let mut options = VaultOptions::in_dir(dir);
            options.record_cache = cache;
            options
        });
        let chats: Vec<(SubjectId, Chat)> = rt.block_on(async {
            let mut chats = Vec::new();
            for user in 0..1000_i64 {
                let subject = subject_with(&b.vault, "orders", 0).await;
                let chat = Chat::new(Platform::Telegram, user, ChatKind::Private);
                b.vault
                    .save_state(subject, &chat, Some("order"), VALUE)
                    .await
                    .expect("save");
                chats.push((subject, chat));
            }
            chats
        });
        let mut i = 0usize;
        group.bench_function(name, |bench| {
            bench.iter(|| {
                i += 1;
                let (subject, chat) = &chats[i % chats.len()];
                rt.block_on(async {
                    let state = b.vault.load_state(*subject, chat).await.expect("load");
                    let state = state.expect("a state");
                    b.vault
                        .save_state(*subject, chat, Some("order"), &state)
                        .await
                        .expect("save");
                })
            })
        });
    }
    group.finish();
}

fn export(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    let b = open(&rt);
    let subject = rt.block_on(subject_with(&b.vault, "orders", 10_000));
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    group.bench_function("subject with 10k records", |bench| {
        bench.iter(|| {
            let mut sink = std::io::sink();
            rt.block_on(
                b.vault
                    .export_to(Some(subject), None, Actor::Operator, &mut sink),
            )
            .expect("export")
        })
    });
    group.finish();
}

/// Times erasing a fresh subject with 10k records in a store of `store` records.
fn erase_in(c: &mut Criterion, rt: &Runtime, store: usize, name: &str) {
    let b = open(rt);
    rt.block_on(fill(&b.vault, store.saturating_sub(10_000)));
    let mut group = c.benchmark_group("erase");
    // Every iteration needs a fresh subject with 10k records, which takes far
    // longer to write than to erase: flat sampling with one iteration per
    // sample keeps the run to ten subjects.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_millis(1));
    group.bench_function(name, |bench| {
        bench.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let subject = rt.block_on(subject_with(&b.vault, "orders", 10_000));
                let start = Instant::now();
                rt.block_on(b.vault.erase(subject, Actor::Operator))
                    .expect("erase");
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
}

fn erase(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    erase_in(c, &rt, 10_000, "10k records of 10k in the store");
    erase_in(c, &rt, 1_000_000, "10k records of 1M in the store");
}

fn purge(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    let b = open(&rt);
    let mut group = c.benchmark_group("purge");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_millis(1));
    group.bench_function("100k expired records", |bench| {
        bench.iter_batched(
            || {
                rt.block_on(async {
                    for _ in 0..100 {
                        subject_with(&b.vault, "short", 1000).await;
                    }
                });
                b.clock.advance(chrono::Duration::days(2));
            },
            |()| {
                let report = rt.block_on(b.vault.purge()).expect("purge");
                assert_eq!(report.records, 100_000);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, records, dialog_step, export, erase, purge);
criterion_main!(benches);
