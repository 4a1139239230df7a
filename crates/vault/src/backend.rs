//! The storage seam: a small async key-value interface that every backend
//! (sled, a database server, memory) implements, and that the vault builds on.

use std::collections::{BTreeMap, HashMap};
use std::error::Error as StdError;
use std::ops::Bound;
use std::sync::Mutex;

use async_trait::async_trait;

/// The error of a backend operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// A batch's precondition did not hold; nothing of the batch was applied.
    #[error("a precondition of the batch failed on tree `{tree}`; nothing was applied")]
    Conflict {
        /// The tree of the failed precondition.
        tree: String,
    },
    /// A tree name is not acceptable (empty, too long, or not `[a-z0-9_-]`).
    #[error("`{0}` is not a valid tree name")]
    BadTree(String),
    /// The storage below failed.
    #[error("storage failed")]
    Storage(#[source] Box<dyn StdError + Send + Sync>),
}

impl BackendError {
    /// Wraps a storage error.
    pub fn storage(e: impl StdError + Send + Sync + 'static) -> Self {
        Self::Storage(Box::new(e))
    }
}

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// One operation of a [`Batch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Sets `key` in `tree` to `value`.
    Put {
        /// The tree.
        tree: String,
        /// The key.
        key: Vec<u8>,
        /// The value.
        value: Vec<u8>,
    },
    /// Removes `key` from `tree` (no error if absent).
    Delete {
        /// The tree.
        tree: String,
        /// The key.
        key: Vec<u8>,
    },
    /// A precondition: `key` in `tree` holds `value` (`None`: is absent) when
    /// the batch applies; otherwise the whole batch fails with
    /// [`BackendError::Conflict`].
    Expect {
        /// The tree.
        tree: String,
        /// The key.
        key: Vec<u8>,
        /// The value it must have, or `None` for absent.
        value: Option<Vec<u8>>,
    },
}

/// Operations applied all together or not at all, across trees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    ops: Vec<Op>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a put.
    pub fn put(&mut self, tree: &str, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push(Op::Put {
            tree: tree.to_owned(),
            key: key.into(),
            value: value.into(),
        });
    }

    /// Adds a delete.
    pub fn delete(&mut self, tree: &str, key: impl Into<Vec<u8>>) {
        self.ops.push(Op::Delete {
            tree: tree.to_owned(),
            key: key.into(),
        });
    }

    /// Adds a precondition (see [`Op::Expect`]).
    pub fn expect(&mut self, tree: &str, key: impl Into<Vec<u8>>, value: Option<Vec<u8>>) {
        self.ops.push(Op::Expect {
            tree: tree.to_owned(),
            key: key.into(),
            value,
        });
    }

    /// The operations, in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Takes the operations.
    pub fn into_ops(self) -> Vec<Op> {
        self.ops
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the batch has no operations.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The names of the trees the batch touches, each once, in first-use order.
    pub fn trees(&self) -> Vec<&str> {
        let mut trees: Vec<&str> = Vec::new();
        for op in &self.ops {
            let tree = match op {
                Op::Put { tree, .. } | Op::Delete { tree, .. } | Op::Expect { tree, .. } => tree,
            };
            if !trees.contains(&tree.as_str()) {
                trees.push(tree);
            }
        }
        trees
    }
}

/// Checks a tree name: 1 to 64 characters of `[a-z0-9_-]`.
///
/// # Errors
/// [`BackendError::BadTree`] for anything else.
pub fn check_tree(name: &str) -> Result<(), BackendError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(BackendError::BadTree(name.to_owned()))
    }
}

/// A key-value store with named trees: the seam between the vault and a
/// database. Held as `Arc<dyn Backend>`.
///
/// Keys are ordered bytewise. Every backend passes the conformance suite in
/// `botwerk-testkit`.
///
/// Single writes ([`Backend::put`], [`Backend::delete`]) are atomic each, and
/// a crash keeps a prefix of them: when one write has returned before another
/// began, the second never survives without the first. The vault relies on
/// this to keep its expiry index ahead of the records without a transaction
/// (a log-structured store such as sled gives it; so does any store that
/// applies writes in order).
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The value of `key` in `tree`.
    ///
    /// # Errors
    /// A bad tree name or a storage failure.
    async fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError>;

    /// Sets `key` in `tree` to `value`.
    ///
    /// # Errors
    /// A bad tree name or a storage failure.
    async fn put(&self, tree: &str, key: &[u8], value: &[u8]) -> Result<(), BackendError>;

    /// Removes `key` from `tree`; absent keys are no error.
    ///
    /// # Errors
    /// A bad tree name or a storage failure.
    async fn delete(&self, tree: &str, key: &[u8]) -> Result<(), BackendError>;

    /// One page of the entries of `tree` whose keys start with `prefix`, in key
    /// order, starting after the key `after` (or at the first), at most `limit`.
    /// Callers page through a prefix by passing the last key they got.
    ///
    /// # Errors
    /// A bad tree name or a storage failure.
    async fn scan(
        &self,
        tree: &str,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, BackendError>;

    /// Like [`Backend::scan`], with every value cut to its first `head`
    /// bytes: for walks that need a value's header only (erasure, for one),
    /// so that a page of large values is never held at once. The default
    /// scans and cuts; a backend that can copy only the head overrides it.
    ///
    /// # Errors
    /// A bad tree name or a storage failure.
    async fn scan_heads(
        &self,
        tree: &str,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
        head: usize,
    ) -> Result<Vec<Entry>, BackendError> {
        let mut page = self.scan(tree, prefix, after, limit).await?;
        for (_, value) in &mut page {
            value.truncate(head);
            value.shrink_to_fit();
        }
        Ok(page)
    }

    /// Applies every operation of `batch` atomically: all or nothing, also
    /// across trees and across a crash. Preconditions ([`Op::Expect`]) are
    /// checked against the state before the batch, wherever they stand in it.
    ///
    /// # Errors
    /// [`BackendError::Conflict`] when a precondition fails, a bad tree name,
    /// or a storage failure; in every case nothing was applied.
    async fn apply(&self, batch: Batch) -> Result<(), BackendError>;

    /// Makes everything applied so far durable.
    ///
    /// # Errors
    /// A storage failure.
    async fn flush(&self) -> Result<(), BackendError>;
}

/// The first key after every key that starts with `prefix`, if there is one.
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

type Trees = HashMap<String, BTreeMap<Vec<u8>, Vec<u8>>>;

/// A [`Backend`] in memory, for tests: nothing survives the process.
#[derive(Default)]
pub struct MemoryBackend(Mutex<Trees>);

impl MemoryBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Trees) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[async_trait]
impl Backend for MemoryBackend {
    async fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        check_tree(tree)?;
        Ok(self.with(|t| t.get(tree).and_then(|t| t.get(key).cloned())))
    }

    async fn put(&self, tree: &str, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
        check_tree(tree)?;
        self.with(|t| {
            t.entry(tree.to_owned())
                .or_default()
                .insert(key.to_vec(), value.to_vec())
        });
        Ok(())
    }

    async fn delete(&self, tree: &str, key: &[u8]) -> Result<(), BackendError> {
        check_tree(tree)?;
        self.with(|t| t.get_mut(tree).map(|t| t.remove(key)));
        Ok(())
    }

    async fn scan(
        &self,
        tree: &str,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, BackendError> {
        check_tree(tree)?;
        Ok(self.with(|t| {
            let Some(tree) = t.get(tree) else {
                return Vec::new();
            };
            let start = match after {
                Some(after) if after >= prefix => Bound::Excluded(after.to_vec()),
                _ => Bound::Included(prefix.to_vec()),
            };
            tree.range((start, Bound::Unbounded))
                .take_while(|(k, _)| k.starts_with(prefix))
                .take(limit)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }))
    }

    async fn apply(&self, batch: Batch) -> Result<(), BackendError> {
        for tree in batch.trees() {
            check_tree(tree)?;
        }
        self.with(|trees| {
            for op in batch.ops() {
                if let Op::Expect { tree, key, value } = op {
                    let current = trees.get(tree).and_then(|t| t.get(key));
                    if current != value.as_ref() {
                        return Err(BackendError::Conflict { tree: tree.clone() });
                    }
                }
            }
            for op in batch.into_ops() {
                match op {
                    Op::Put { tree, key, value } => {
                        trees.entry(tree).or_default().insert(key, value);
                    }
                    Op::Delete { tree, key } => {
                        if let Some(t) = trees.get_mut(&tree) {
                            t.remove(&key);
                        }
                    }
                    Op::Expect { .. } => {}
                }
            }
            Ok(())
        })
    }

    async fn flush(&self) -> Result<(), BackendError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xff]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xff, 0xff]), None);
        assert_eq!(prefix_end(b""), None);
    }

    #[test]
    fn tree_names() {
        assert!(check_tree("records").is_ok());
        assert!(check_tree("a-b_1").is_ok());
        assert!(check_tree("").is_err());
        assert!(check_tree("Records").is_err());
        assert!(check_tree("a/b").is_err());
    }
}
