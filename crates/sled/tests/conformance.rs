//! The backend conformance suite on sled, and on the memory backend for comparison.

use std::sync::Arc;

use botwerk_sled::{SledBackend, SledOptions};
use botwerk_testkit::conformance;
use botwerk_vault::{Backend, Batch, MemoryBackend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sled_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let backend = SledBackend::open(&dir.path().join("store"), SledOptions::default()).unwrap();
    conformance::run(Arc::new(backend)).await;
}

#[tokio::test]
async fn sled_keeps_flushed_data_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    conformance::durability(|| -> Arc<dyn Backend> {
        Arc::new(SledBackend::open(&path, SledOptions::default()).unwrap())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_backend_passes_too() {
    conformance::run(Arc::new(MemoryBackend::new())).await;
}

/// sled 0.34's own `flush_async` can hang when called concurrently
/// (spacejam/sled#1308); ours must not, and every caller's writes must be
/// durable once its flush returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_flushes_all_return_and_keep_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let backend = Arc::new(SledBackend::open(&path, SledOptions::default()).unwrap());
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200_u32 {
        let backend = Arc::clone(&backend);
        tasks.spawn(async move {
            let mut batch = Batch::new();
            batch.put("flushed", i.to_be_bytes().to_vec(), b"v".to_vec());
            backend.apply(batch).await.unwrap();
            backend.flush().await.unwrap();
        });
    }
    let all = async {
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(120), all)
        .await
        .expect("a flush never returned");
    drop(backend);
    let reopened = SledBackend::open(&path, SledOptions::default()).unwrap();
    let entries = reopened.scan("flushed", b"", None, 1000).await.unwrap();
    assert_eq!(entries.len(), 200);
}
