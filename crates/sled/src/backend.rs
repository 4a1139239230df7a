//! `SledBackend`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use botwerk_vault::backend::{check_tree, prefix_end, Entry};
use botwerk_vault::{Backend, BackendError, Batch, Op};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

/// Settings of a sled database.
#[derive(Clone, Debug)]
pub struct SledOptions {
    /// The page cache, in bytes (sled's default is 1 GiB; ours is 8 MiB, so
    /// that many instances fit in one process).
    pub cache_bytes: u64,
    /// How often sled flushes on its own, in milliseconds (`None`: only on
    /// explicit flushes).
    pub flush_every_ms: Option<u64>,
}

impl Default for SledOptions {
    fn default() -> Self {
        Self {
            cache_bytes: 8 * 1024 * 1024,
            flush_every_ms: Some(500),
        }
    }
}

/// A [`Backend`] on a sled database.
pub struct SledBackend {
    db: sled::Db,
    trees: Mutex<HashMap<String, sled::Tree>>,
    flushes: Arc<Flushes>,
}

/// Group commit of flushes: callers that arrive while a flush runs share the
/// next one, so a burst of consents costs a few syncs, not one each.
#[derive(Default)]
struct Flushes {
    /// Tickets handed out; a caller takes one after its writes.
    requested: AtomicU64,
    /// The highest ticket whose writes a finished flush covers.
    done: tokio::sync::Mutex<u64>,
}

/// How long `open` waits for sled's lock to be released by a handle of this
/// process that is going away.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

fn storage(e: sled::Error) -> BackendError {
    BackendError::storage(e)
}

impl SledBackend {
    /// Opens (or creates) the database in the directory `path`.
    ///
    /// # Errors
    /// When sled cannot open it: another process holds it, or it is corrupt.
    pub fn open(path: &Path, options: SledOptions) -> Result<Self, BackendError> {
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(options.cache_bytes)
            .flush_every_ms(options.flush_every_ms);
        // sled releases its file lock only when its last IO job is done,
        // which can be a moment after the previous handle in this process
        // was dropped: wait for that briefly. Another process holding the
        // directory is still refused, a little later.
        let started = std::time::Instant::now();
        let db = loop {
            match config.open() {
                Err(sled::Error::Io(e))
                    if e.to_string().contains("could not acquire lock")
                        && started.elapsed() < LOCK_WAIT =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other.map_err(storage)?,
            }
        };
        Ok(Self {
            db,
            trees: Mutex::new(HashMap::new()),
            flushes: Arc::default(),
        })
    }

    /// A page of `tree` under `prefix` after `after`, each value copied up to
    /// its first `head` bytes (sled hands values out shared, so the rest is
    /// never copied).
    fn range(
        &self,
        tree: &str,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        head: usize,
    ) -> Result<Vec<Entry>, BackendError> {
        use std::ops::Bound;
        let tree = self.tree(tree)?;
        let start = match after {
            Some(after) if after >= prefix => Bound::Excluded(after.to_vec()),
            _ => Bound::Included(prefix.to_vec()),
        };
        let end = prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded);
        tree.range::<Vec<u8>, _>((start, end))
            .take(limit)
            .map(|item| {
                item.map(|(k, v)| (k.to_vec(), v[..v.len().min(head)].to_vec()))
                    .map_err(storage)
            })
            .collect()
    }

    fn tree(&self, name: &str) -> Result<sled::Tree, BackendError> {
        check_tree(name)?;
        let mut trees = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tree) = trees.get(name) {
            return Ok(tree.clone());
        }
        let tree = self.db.open_tree(name).map_err(storage)?;
        trees.insert(name.to_owned(), tree.clone());
        Ok(tree)
    }

    /// The bytes sled occupies on disk.
    ///
    /// # Errors
    /// When sled cannot tell.
    pub fn size_on_disk(&self) -> Result<u64, BackendError> {
        self.db.size_on_disk().map_err(storage)
    }
}

enum Abort {
    Conflict(usize),
}

#[async_trait]
impl Backend for SledBackend {
    async fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(self
            .tree(tree)?
            .get(key)
            .map_err(storage)?
            .map(|v| v.to_vec()))
    }

    async fn put(&self, tree: &str, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
        self.tree(tree)?.insert(key, value).map_err(storage)?;
        Ok(())
    }

    async fn delete(&self, tree: &str, key: &[u8]) -> Result<(), BackendError> {
        self.tree(tree)?.remove(key).map_err(storage)?;
        Ok(())
    }

    async fn scan(
        &self,
        tree: &str,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, BackendError> {
        self.range(tree, prefix, after, limit, usize::MAX)
    }

    async fn scan_heads(
        &self,
        tree: &str,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        head: usize,
    ) -> Result<Vec<Entry>, BackendError> {
        self.range(tree, prefix, after, limit, head)
    }

    async fn apply(&self, batch: Batch) -> Result<(), BackendError> {
        if batch.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = batch.trees().into_iter().map(str::to_owned).collect();
        let trees = names
            .iter()
            .map(|name| self.tree(name))
            .collect::<Result<Vec<_>, _>>()?;
        let index: HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let ops = batch.into_ops();
        let result = trees.as_slice().transaction(|txs| {
            // Preconditions first, against the state before the batch.
            for op in &ops {
                if let Op::Expect { tree, key, value } = op {
                    let i = index[tree.as_str()];
                    let current = txs[i].get(key.as_slice())?;
                    if current.as_deref() != value.as_deref() {
                        return Err(ConflictableTransactionError::Abort(Abort::Conflict(i)));
                    }
                }
            }
            for op in &ops {
                match op {
                    Op::Put { tree, key, value } => {
                        txs[index[tree.as_str()]].insert(key.as_slice(), value.as_slice())?;
                    }
                    Op::Delete { tree, key } => {
                        txs[index[tree.as_str()]].remove(key.as_slice())?;
                    }
                    Op::Expect { .. } => {}
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(Abort::Conflict(i))) => Err(BackendError::Conflict {
                tree: names[i].clone(),
            }),
            Err(TransactionError::Storage(e)) => Err(storage(e)),
        }
    }

    async fn flush(&self) -> Result<(), BackendError> {
        // Not sled's `flush_async`: in 0.34 concurrent calls of it can wait
        // forever (spacejam/sled#1308). The blocking flush runs on tokio's
        // blocking pool instead, one at a time, shared by every caller whose
        // writes came before it started.
        let ticket = self.flushes.requested.fetch_add(1, Ordering::SeqCst) + 1;
        let mut done = self.flushes.done.lock().await;
        if *done >= ticket {
            return Ok(());
        }
        let covers = self.flushes.requested.load(Ordering::SeqCst);
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let flushed = db.flush();
            // sled retires the log buffers a flush seals (512 KiB each)
            // through crossbeam's epoch collector, which keeps them in this
            // thread's local bag until 64 pile up. The blocking pool has
            // many threads that do little else, so their bags would hold
            // them for good: hand them to the collector now.
            crossbeam_epoch::pin().flush();
            flushed
        })
        .await
        .map_err(|e| BackendError::storage(std::io::Error::other(e.to_string())))?
        .map_err(storage)?;
        *done = covers;
        Ok(())
    }
}
