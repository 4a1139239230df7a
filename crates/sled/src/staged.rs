//! The staged writes: every write since the last fold, in memory, in front
//! of sled's trees. Reads look here first; a flush writes what changed since
//! the last flush to the redo log; a fold writes all of it into sled's
//! trees and forgets what did not change meanwhile.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use sled::IVec;

use crate::redo::encode_change;

/// A staged value: `None` is a delete.
#[derive(Clone)]
pub(crate) struct Slot {
    pub value: Option<IVec>,
    /// Which write put it there: a fold forgets the slot only if no later
    /// write replaced it meanwhile.
    seq: u64,
    /// Whether its value is in a frame already (else its key is dirty).
    framed: bool,
}

/// A tree name and a key in it.
pub(crate) type TreeKey = (String, Vec<u8>);

/// A write taken for a fold.
pub(crate) struct Folded {
    pub tree: String,
    pub key: Vec<u8>,
    pub value: Option<IVec>,
    seq: u64,
}

/// What a slot costs in memory, roughly: its key (twice while it waits for
/// a frame), its value, and the bookkeeping of the map and the allocator.
fn weight(key: &[u8], slot: &Slot) -> usize {
    96 + 2 * key.len() + slot.value.as_ref().map_or(0, |v| v.len())
}

#[derive(Default)]
pub(crate) struct Staged {
    trees: HashMap<String, BTreeMap<Vec<u8>, Slot>>,
    /// Keys written since the last frame, each once.
    dirty: Vec<TreeKey>,
    seq: u64,
    len: usize,
    bytes: usize,
}

impl Staged {
    /// The staged slot of `key`, if the key was written since the last fold.
    pub(crate) fn get(&self, tree: &str, key: &[u8]) -> Option<&Slot> {
        self.trees.get(tree)?.get(key)
    }

    /// Stages a put (`Some`) or a delete (`None`).
    pub(crate) fn write(&mut self, tree: &str, key: &[u8], value: Option<IVec>) {
        self.seq += 1;
        let slot = Slot {
            value,
            seq: self.seq,
            framed: false,
        };
        self.bytes += weight(key, &slot);
        let slots = match self.trees.get_mut(tree) {
            Some(slots) => slots,
            None => self.trees.entry(tree.to_owned()).or_default(),
        };
        let waiting = match slots.insert(key.to_vec(), slot) {
            Some(old) => {
                self.bytes -= weight(key, &old);
                !old.framed
            }
            None => {
                self.len += 1;
                false
            }
        };
        // A key written again before its frame is listed once.
        if !waiting {
            self.dirty.push((tree.to_owned(), key.to_vec()));
        }
    }

    /// How many keys are staged.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// About how many bytes the staged keys and values take.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether anything was written since the last frame.
    pub(crate) fn is_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// The payload of a frame with the current value of every key written
    /// since the last frame, and the keys it covers (to give back with
    /// [`Staged::requeue`] if the frame cannot be written). `None` when
    /// nothing was written.
    pub(crate) fn take_frame(&mut self) -> Option<(Vec<u8>, Vec<TreeKey>)> {
        if self.dirty.is_empty() {
            return None;
        }
        let keys = std::mem::take(&mut self.dirty);
        let mut payload = Vec::new();
        for (tree, key) in &keys {
            // A dirty key is always staged: a fold forgets only keys that
            // were in a frame before it.
            if let Some(slot) = self.trees.get_mut(tree).and_then(|t| t.get_mut(key)) {
                encode_change(&mut payload, tree, key, slot.value.as_deref());
                slot.framed = true;
            }
        }
        Some((payload, keys))
    }

    /// Gives back the keys of a frame that could not be written.
    pub(crate) fn requeue(&mut self, keys: Vec<TreeKey>) {
        for (tree, key) in keys {
            let Some(slot) = self.trees.get_mut(&tree).and_then(|t| t.get_mut(&key)) else {
                continue;
            };
            // Written again since, it is dirty already.
            if slot.framed {
                slot.framed = false;
                self.dirty.push((tree, key));
            }
        }
    }

    /// Every staged write, for a fold. Call it with the redo log locked and
    /// right after [`Staged::take_frame`], so that all of it is in frames.
    pub(crate) fn snapshot(&self) -> Vec<Folded> {
        let mut all = Vec::with_capacity(self.len);
        for (tree, slots) in &self.trees {
            for (key, slot) in slots {
                all.push(Folded {
                    tree: tree.clone(),
                    key: key.clone(),
                    value: slot.value.clone(),
                    seq: slot.seq,
                });
            }
        }
        all
    }

    /// Forgets the folded writes that no later write replaced.
    pub(crate) fn forget(&mut self, folded: &[Folded]) {
        for f in folded {
            let Some(slots) = self.trees.get_mut(&f.tree) else {
                continue;
            };
            if slots.get(&f.key).is_some_and(|slot| slot.seq == f.seq) {
                if let Some(slot) = slots.remove(&f.key) {
                    self.bytes -= weight(&f.key, &slot);
                    self.len -= 1;
                }
            }
        }
        self.trees.retain(|_, slots| !slots.is_empty());
    }

    /// The staged slots of `tree` between `start` and `end`, in key order.
    pub(crate) fn range<'a>(
        &'a self,
        tree: &str,
        start: Bound<&'a [u8]>,
        end: Bound<&'a [u8]>,
    ) -> impl Iterator<Item = (&'a Vec<u8>, &'a Slot)> + 'a {
        self.trees
            .get(tree)
            .into_iter()
            .flat_map(move |slots| slots.range::<[u8], _>((start, end)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fold_forgets_only_what_was_not_written_again() {
        let mut staged = Staged::default();
        staged.write("t", b"a", Some(IVec::from(b"1")));
        staged.write("t", b"b", None);
        let (_, keys) = staged.take_frame().unwrap();
        assert_eq!(keys.len(), 2);
        let folded = staged.snapshot();
        staged.write("t", b"a", Some(IVec::from(b"2")));
        staged.forget(&folded);
        assert_eq!(staged.len(), 1);
        assert_eq!(staged.bytes(), 96 + 2 + 1);
        assert!(staged.get("t", b"b").is_none());
        assert_eq!(
            staged.get("t", b"a").unwrap().value.as_deref(),
            Some(&b"2"[..])
        );
        assert!(staged.is_dirty(), "the second write still needs a frame");
    }

    #[test]
    fn a_frame_holds_each_key_once_with_its_last_value() {
        let mut staged = Staged::default();
        staged.write("t", b"k", Some(IVec::from(b"old")));
        staged.write("t", b"k", Some(IVec::from(b"new")));
        let (payload, keys) = staged.take_frame().unwrap();
        assert_eq!(keys, vec![("t".to_owned(), b"k".to_vec())]);
        let mut expected = Vec::new();
        encode_change(&mut expected, "t", b"k", Some(b"new"));
        assert_eq!(payload, expected);
        assert!(staged.take_frame().is_none());
        // The frame failed; the key was written again meanwhile.
        staged.write("t", b"k", Some(IVec::from(b"newer")));
        staged.requeue(keys);
        let (payload, keys) = staged.take_frame().unwrap();
        assert_eq!(keys.len(), 1, "listed once");
        let mut expected = Vec::new();
        encode_change(&mut expected, "t", b"k", Some(b"newer"));
        assert_eq!(payload, expected);
        staged.requeue(keys);
        assert!(staged.take_frame().is_some(), "requeued keys come again");
    }
}
