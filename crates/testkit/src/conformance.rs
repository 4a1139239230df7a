//! The conformance suite every [`Backend`] runs: the vault relies on exactly
//! these behaviours, whatever database is below.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use std::sync::Arc;
//! botwerk_testkit::conformance::run(Arc::new(botwerk_vault::MemoryBackend::new())).await;
//! # }
//! ```

use std::path::Path;
use std::sync::Arc;

use botwerk_vault::{Backend, BackendError, Batch};

fn kv(k: &[u8], v: &[u8]) -> (Vec<u8>, Vec<u8>) {
    (k.to_vec(), v.to_vec())
}

/// Runs every check on an empty backend.
///
/// # Panics
/// On the first behaviour that differs from the contract.
pub async fn run(backend: Arc<dyn Backend>) {
    basics(&*backend).await;
    scans(&*backend).await;
    heads(&*backend).await;
    paging(&*backend).await;
    batches(&*backend).await;
    failing_batches(&*backend).await;
    bad_tree_names(&*backend).await;
    large_batch(&*backend).await;
    racing_preconditions(Arc::clone(&backend)).await;
    backend.flush().await.expect("flush succeeds");
}

/// Scans of value heads: the same entries as a scan, each value cut to its
/// head, shorter values whole.
///
/// # Panics
/// On a deviation.
pub async fn heads(b: &dyn Backend) {
    let big = vec![9u8; 1 << 20];
    b.put("heads", b"a-big", &big).await.unwrap();
    b.put("heads", b"a-empty", b"").await.unwrap();
    b.put("heads", b"a-short", b"xyz").await.unwrap();
    b.put("heads", b"b-other", b"other").await.unwrap();
    let page = b.scan_heads("heads", b"a-", None, 10, 4).await.unwrap();
    assert_eq!(
        page,
        vec![
            kv(b"a-big", &[9, 9, 9, 9]),
            kv(b"a-empty", b""),
            kv(b"a-short", b"xyz"),
        ],
        "heads of the prefix, in key order"
    );
    let next = b
        .scan_heads("heads", b"a-", Some(b"a-big"), 1, 4)
        .await
        .unwrap();
    assert_eq!(next, vec![kv(b"a-empty", b"")], "paged like a scan");
    assert_eq!(
        b.get("heads", b"a-big").await.unwrap(),
        Some(big),
        "the values are untouched"
    );
}

/// Get, put, overwrite, delete, and trees that do not see each other.
///
/// # Panics
/// On a deviation.
pub async fn basics(b: &dyn Backend) {
    assert_eq!(b.get("basics", b"k").await.unwrap(), None, "absent key");
    b.put("basics", b"k", b"v1").await.unwrap();
    assert_eq!(b.get("basics", b"k").await.unwrap(), Some(b"v1".to_vec()));
    b.put("basics", b"k", b"v2").await.unwrap();
    assert_eq!(
        b.get("basics", b"k").await.unwrap(),
        Some(b"v2".to_vec()),
        "overwrite"
    );
    assert_eq!(
        b.get("basics-other", b"k").await.unwrap(),
        None,
        "trees are separate"
    );
    b.put("basics", b"", b"empty key").await.unwrap();
    assert_eq!(
        b.get("basics", b"").await.unwrap(),
        Some(b"empty key".to_vec())
    );
    b.put("basics", b"big", &vec![7u8; 1 << 20]).await.unwrap();
    assert_eq!(
        b.get("basics", b"big").await.unwrap().map(|v| v.len()),
        Some(1 << 20)
    );
    b.delete("basics", b"k").await.unwrap();
    assert_eq!(b.get("basics", b"k").await.unwrap(), None, "deleted");
    b.delete("basics", b"never-there").await.unwrap();
}

/// Prefix scans: only the prefix, in byte order, bounded by the limit.
///
/// # Panics
/// On a deviation.
pub async fn scans(b: &dyn Backend) {
    for key in [
        &b"a"[..],
        b"ab",
        b"ab\x00",
        b"ab\xff",
        b"ac",
        b"b",
        b"\xff",
        b"\xff\xff",
    ] {
        b.put("scans", key, key).await.unwrap();
    }
    let ab = b.scan("scans", b"ab", None, 100).await.unwrap();
    assert_eq!(
        ab,
        vec![
            kv(b"ab", b"ab"),
            kv(b"ab\x00", b"ab\x00"),
            kv(b"ab\xff", b"ab\xff")
        ],
        "prefix `ab` in byte order"
    );
    let all = b.scan("scans", b"", None, 100).await.unwrap();
    assert_eq!(all.len(), 8, "the empty prefix scans the tree");
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "byte order");
    let ff = b.scan("scans", b"\xff", None, 100).await.unwrap();
    assert_eq!(ff.len(), 2, "a prefix of 0xff bytes");
    let limited = b.scan("scans", b"", None, 3).await.unwrap();
    assert_eq!(limited.len(), 3, "the limit");
    assert!(b.scan("scans", b"zz", None, 10).await.unwrap().is_empty());
    // A cursor at or past the end of the prefix: nothing, not a panic.
    assert!(b
        .scan("scans", b"a", Some(b"b"), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(b
        .scan("scans", b"a", Some(b"c"), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(b
        .scan_heads("scans", b"ab", Some(b"ac"), 10, 1)
        .await
        .unwrap()
        .is_empty());
    assert!(
        b.scan("scans-none", b"", None, 10)
            .await
            .unwrap()
            .is_empty(),
        "an unused tree"
    );
    let after = b.scan("scans", b"ab", Some(b"ab\x00"), 100).await.unwrap();
    assert_eq!(after, vec![kv(b"ab\xff", b"ab\xff")], "after a key");
    let before_prefix = b.scan("scans", b"ab", Some(b"a"), 100).await.unwrap();
    assert_eq!(
        before_prefix.len(),
        3,
        "a cursor before the prefix starts at the prefix"
    );
}

/// Paging through a prefix with the last key of each page finds every entry once.
///
/// # Panics
/// On a deviation.
pub async fn paging(b: &dyn Backend) {
    for i in 0u32..1000 {
        b.put(
            "paging",
            &[b"p".as_slice(), &i.to_be_bytes()].concat(),
            &i.to_be_bytes(),
        )
        .await
        .unwrap();
    }
    b.put("paging", b"q", b"outside").await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = b.scan("paging", b"p", after.as_deref(), 64).await.unwrap();
        assert!(page.len() <= 64);
        let Some(last) = page.last() else { break };
        after = Some(last.0.clone());
        seen.extend(
            page.into_iter()
                .map(|(_, v)| u32::from_be_bytes(v.try_into().unwrap())),
        );
    }
    assert_eq!(
        seen,
        (0..1000).collect::<Vec<_>>(),
        "every entry once, in order"
    );
}

/// A batch across trees applies completely.
///
/// # Panics
/// On a deviation.
pub async fn batches(b: &dyn Backend) {
    b.put("batch-a", b"old", b"x").await.unwrap();
    let mut batch = Batch::new();
    batch.expect("batch-a", b"old".to_vec(), Some(b"x".to_vec()));
    batch.expect("batch-b", b"new".to_vec(), None);
    batch.put("batch-a", b"k1".to_vec(), b"1".to_vec());
    batch.put("batch-b", b"new".to_vec(), b"2".to_vec());
    batch.delete("batch-a", b"old".to_vec());
    b.apply(batch).await.expect("the batch applies");
    assert_eq!(b.get("batch-a", b"k1").await.unwrap(), Some(b"1".to_vec()));
    assert_eq!(b.get("batch-b", b"new").await.unwrap(), Some(b"2".to_vec()));
    assert_eq!(b.get("batch-a", b"old").await.unwrap(), None);
    b.apply(Batch::new()).await.expect("an empty batch is fine");

    // Preconditions see the state before the batch, wherever they stand.
    let mut batch = Batch::new();
    batch.put("batch-c", b"k".to_vec(), b"new".to_vec());
    batch.expect("batch-c", b"k".to_vec(), None);
    b.apply(batch)
        .await
        .expect("the precondition holds before the batch");
    assert_eq!(b.get("batch-c", b"k").await.unwrap(), Some(b"new".to_vec()));
}

/// A batch whose precondition fails leaves nothing behind, in any tree.
///
/// # Panics
/// On a deviation.
pub async fn failing_batches(b: &dyn Backend) {
    b.put("fail-a", b"guard", b"present").await.unwrap();
    b.put("fail-b", b"keep", b"original").await.unwrap();
    let mut batch = Batch::new();
    batch.put("fail-a", b"x".to_vec(), b"1".to_vec());
    batch.delete("fail-b", b"keep".to_vec());
    batch.put("fail-c", b"y".to_vec(), b"2".to_vec());
    batch.expect("fail-a", b"guard".to_vec(), None);
    let err = b.apply(batch).await.expect_err("the precondition fails");
    assert!(
        matches!(err, BackendError::Conflict { ref tree } if tree == "fail-a"),
        "{err}"
    );
    assert_eq!(b.get("fail-a", b"x").await.unwrap(), None, "no put applied");
    assert_eq!(
        b.get("fail-b", b"keep").await.unwrap(),
        Some(b"original".to_vec()),
        "no delete applied"
    );
    assert_eq!(
        b.get("fail-c", b"y").await.unwrap(),
        None,
        "nothing in a third tree"
    );

    let mut wrong_value = Batch::new();
    wrong_value.put("fail-a", b"z".to_vec(), b"1".to_vec());
    wrong_value.expect("fail-a", b"guard".to_vec(), Some(b"other".to_vec()));
    assert!(b.apply(wrong_value).await.is_err());
    assert_eq!(b.get("fail-a", b"z").await.unwrap(), None);
}

/// Bad tree names are refused, also inside a batch, which then applies nothing.
///
/// # Panics
/// On a deviation.
pub async fn bad_tree_names(b: &dyn Backend) {
    for bad in ["", "Upper", "a/b", "white space", &"x".repeat(65)] {
        assert!(
            matches!(b.get(bad, b"k").await, Err(BackendError::BadTree(_))),
            "{bad:?}"
        );
        assert!(b.put(bad, b"k", b"v").await.is_err(), "{bad:?}");
    }
    let mut batch = Batch::new();
    batch.put("bad-ok", b"k".to_vec(), b"v".to_vec());
    batch.put("Bad Tree", b"k".to_vec(), b"v".to_vec());
    assert!(b.apply(batch).await.is_err());
    assert_eq!(
        b.get("bad-ok", b"k").await.unwrap(),
        None,
        "nothing applied"
    );
}

/// A batch of twenty thousand operations applies.
///
/// # Panics
/// On a deviation.
pub async fn large_batch(b: &dyn Backend) {
    let mut batch = Batch::new();
    for i in 0u32..10_000 {
        batch.put("large-a", i.to_be_bytes().to_vec(), vec![1u8; 32]);
        batch.put("large-b", i.to_be_bytes().to_vec(), vec![2u8; 32]);
    }
    b.apply(batch).await.expect("a large batch applies");
    assert_eq!(
        b.scan("large-b", b"", None, 20_000).await.unwrap().len(),
        10_000
    );
}

/// Of many batches expecting the same key absent, exactly one applies.
///
/// # Panics
/// On a deviation.
pub async fn racing_preconditions(b: Arc<dyn Backend>) {
    let mut tasks = Vec::new();
    for i in 0u8..16 {
        let b = Arc::clone(&b);
        tasks.push(tokio::spawn(async move {
            let mut batch = Batch::new();
            batch.expect("race", b"winner".to_vec(), None);
            batch.put("race", b"winner".to_vec(), vec![i]);
            batch.put("race-log", vec![i], vec![i]);
            b.apply(batch).await.is_ok()
        }));
    }
    let mut wins = 0;
    for task in tasks {
        if task.await.expect("no panic") {
            wins += 1;
        }
    }
    assert_eq!(wins, 1, "exactly one batch wins");
    assert_eq!(
        b.scan("race-log", b"", None, 100).await.unwrap().len(),
        1,
        "losers left nothing"
    );
}

/// Flushed data survives closing and reopening.
///
/// # Panics
/// On a deviation.
pub async fn durability(open: impl Fn() -> Arc<dyn Backend>) {
    {
        let b = open();
        b.put("durable", b"k", b"v").await.unwrap();
        let mut batch = Batch::new();
        batch.put("durable", b"batch".to_vec(), b"w".to_vec());
        b.apply(batch).await.unwrap();
        b.flush().await.unwrap();
    }
    let b = open();
    assert_eq!(b.get("durable", b"k").await.unwrap(), Some(b"v".to_vec()));
    assert_eq!(
        b.get("durable", b"batch").await.unwrap(),
        Some(b"w".to_vec())
    );
}

/// A crash image of a backend's directory: its files copied to `to` as they
/// stand now, as a power cut would leave them, while the backend runs on.
/// Open the copy to see what a crash at this moment would keep.
///
/// # Panics
/// When a file cannot be read or written.
pub fn crash_copy(dir: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("the copy's directory");
    for entry in std::fs::read_dir(dir).expect("the directory reads") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            crash_copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("a file copies");
        }
    }
}
