//! The redo log keeps the backend's promises across a crash: what a flush
//! returned for is there after it, what came after the last flush is not
//! (a prefix), a log file a fold covered never turns back the clock, and a
//! corrupt log refuses to open rather than lose anything.
//!
//! A crash is a copy of the data directory taken while the backend runs:
//! the files as they stand at that moment, as a power cut would leave them.

use std::path::Path;

use botwerk_sled::{SledBackend, SledOptions};
use botwerk_testkit::conformance::crash_copy;
use botwerk_vault::Backend;

/// No folds and no flushes of its own: only what a test asks for happens.
fn still() -> SledOptions {
    SledOptions {
        flush_every_ms: None,
        fold_keys: 1 << 30,
        fold_bytes: 1 << 40,
        fold_every_ms: 3_600_000,
        ..SledOptions::default()
    }
}

fn redo_files(store: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(store.join("redo"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_keeps_what_was_flushed_and_nothing_after() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let crashed = dir.path().join("crashed");
    let backend = SledBackend::open(&store, still()).unwrap();
    backend.put("t", b"kept", b"1").await.unwrap();
    backend.put("t", b"replaced", b"old").await.unwrap();
    backend.put("t", b"deleted", b"x").await.unwrap();
    backend.flush().await.unwrap();
    backend.put("t", b"replaced", b"new").await.unwrap();
    backend.delete("t", b"deleted").await.unwrap();
    backend.flush().await.unwrap();
    // After the last flush: lost in the crash.
    backend.put("t", b"late", b"2").await.unwrap();
    backend.put("t", b"kept", b"changed late").await.unwrap();
    crash_copy(&store, &crashed);
    // Nothing was folded: all of it is in the log.
    assert!(!redo_files(&crashed).is_empty());

    let reopened = SledBackend::open(&crashed, still()).unwrap();
    let scan = reopened.scan("t", b"", None, 10).await.unwrap();
    assert_eq!(
        scan,
        vec![
            (b"kept".to_vec(), b"1".to_vec()),
            (b"replaced".to_vec(), b"new".to_vec()),
        ]
    );
    drop(reopened);
    // The running backend still has everything.
    assert_eq!(
        backend.get("t", b"late").await.unwrap(),
        Some(b"2".to_vec())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_close_folds_everything_and_leaves_no_log_to_replay() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    {
        let backend = SledBackend::open(&store, still()).unwrap();
        for i in 0..100_u32 {
            backend.put("t", &i.to_be_bytes(), b"v").await.unwrap();
        }
        // No flush: closing makes it durable, as closing sled did.
    }
    let files = redo_files(&store);
    assert_eq!(files.len(), 1, "only the next, empty log file");
    assert_eq!(std::fs::metadata(&files[0]).unwrap().len(), 0);
    let reopened = SledBackend::open(&store, still()).unwrap();
    assert_eq!(
        reopened.scan("t", b"", None, 1000).await.unwrap().len(),
        100
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_file_a_fold_covered_does_not_turn_back_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let saved = dir.path().join("saved.redo");
    let old_name = {
        let backend = SledBackend::open(&store, still()).unwrap();
        backend.put("t", b"k", b"first").await.unwrap();
        backend.flush().await.unwrap();
        let files = redo_files(&store);
        assert_eq!(files.len(), 1);
        std::fs::copy(&files[0], &saved).unwrap();
        // Closing folds "first" into sled and deletes the file.
        files[0].clone()
    };
    {
        let backend = SledBackend::open(&store, still()).unwrap();
        backend.put("t", b"k", b"second").await.unwrap();
        backend.flush().await.unwrap();
    }
    // As if the first fold's delete had been lost in a crash: the old file
    // is back, holding "first".
    std::fs::copy(&saved, &old_name).unwrap();
    let backend = SledBackend::open(&store, still()).unwrap();
    assert_eq!(
        backend.get("t", b"k").await.unwrap(),
        Some(b"second".to_vec())
    );
    assert!(!old_name.exists(), "the covered file is deleted on opening");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_last_frame_is_dropped_and_a_corrupt_log_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let backend = SledBackend::open(&store, still()).unwrap();
    backend.put("t", b"a", b"1").await.unwrap();
    backend.flush().await.unwrap();
    backend.put("t", b"b", b"2").await.unwrap();
    backend.flush().await.unwrap();
    let log = redo_files(&store).pop().unwrap();
    let bytes = std::fs::read(&log).unwrap();
    let first_frame = 8 + u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize;

    // Torn: the second frame cut short, as a crash during its write leaves it.
    let torn = dir.path().join("torn");
    crash_copy(&store, &torn);
    let torn_log = redo_files(&torn).pop().unwrap();
    std::fs::write(&torn_log, &bytes[..bytes.len() - 1]).unwrap();
    let reopened = SledBackend::open(&torn, still()).unwrap();
    assert_eq!(reopened.get("t", b"a").await.unwrap(), Some(b"1".to_vec()));
    assert_eq!(reopened.get("t", b"b").await.unwrap(), None);
    drop(reopened);

    // Corrupt: a bit flipped in the first frame, with a frame behind it.
    let corrupt = dir.path().join("corrupt");
    crash_copy(&store, &corrupt);
    let corrupt_log = redo_files(&corrupt).pop().unwrap();
    let mut flipped = bytes.clone();
    flipped[first_frame - 1] ^= 1;
    std::fs::write(&corrupt_log, &flipped).unwrap();
    let error = SledBackend::open(&corrupt, still())
        .err()
        .expect("a corrupt log is refused");
    let chain = format!("{:?}", error);
    assert!(chain.contains("corrupt"), "{chain}");
    assert_eq!(
        std::fs::read(&corrupt_log).unwrap(),
        flipped,
        "the log is left as it was"
    );
}

/// Folding all the time, under the whole conformance suite: the staged
/// writes and sled's trees together always read as one store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conformance_suite_passes_while_folds_run_constantly() {
    let dir = tempfile::tempdir().unwrap();
    let options = SledOptions {
        fold_keys: 1,
        fold_every_ms: 1,
        flush_every_ms: Some(1),
        ..SledOptions::default()
    };
    let backend = SledBackend::open(&dir.path().join("store"), options).unwrap();
    botwerk_testkit::conformance::run(std::sync::Arc::new(backend)).await;
}
