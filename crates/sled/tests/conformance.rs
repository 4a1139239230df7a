//! The backend conformance suite on sled, and on the memory backend for comparison.

use std::sync::Arc;

use botwerk_sled::{SledBackend, SledOptions};
use botwerk_testkit::conformance;
use botwerk_vault::{Backend, MemoryBackend};

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
