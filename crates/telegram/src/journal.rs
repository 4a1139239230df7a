//! The journal of handled update ids: with it, a restart after a crash
//! neither skips an update (Telegram resends what was not confirmed, the
//! store's inbox hands back what was kept) nor handles one twice (what was
//! handled but not yet confirmed, or is in a kept batch, is skipped).
//!
//! It lives in the instance's store, as adapter bookkeeping (update ids, no
//! personal data), and is written there after the handlers' own writes and
//! before the one flush that makes both durable: a crash keeps either both
//! or neither, so the journal never claims an update whose state was lost,
//! and a handled update whose state survived is never handled again.
//! Earlier versions kept it in a file of its own, synced after the store;
//! such a file is read once and removed (see [`legacy_ids`]).

use std::collections::BTreeSet;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// The store key of the journal.
pub(crate) const META_KEY: &str = "telegram.handled";
/// The file name of the journal of earlier versions, in the state directory.
pub(crate) const LEGACY_FILE: &str = "telegram.journal";

/// How many handled ids the journal keeps at most. Ids leave it as soon as
/// Telegram confirmed them and no batch in the store's inbox holds them, so
/// it holds about a round or two (100 updates each), and a batch that waits
/// for a hanging update pins at most its own 100 (64 batches at most). The
/// bound is a guard: with the offset held back, Telegram hands out only 100
/// updates from it, so it is not reached. Were it, the oldest would be
/// dropped, and only a crash in that state could bring one of them back.
const KEEP: usize = 16_384;

/// A stored journal that is not a list of update ids.
#[derive(Debug, thiserror::Error)]
#[error("the journal of handled updates in the store is malformed ({0} bytes)")]
pub(crate) struct Malformed(usize);

/// The ids of handled updates that Telegram may still resend.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    handled: BTreeSet<u32>,
}

impl Journal {
    /// Adds the ids of a stored journal (see [`Journal::encode`]).
    pub(crate) fn load(&mut self, stored: &[u8]) -> Result<(), Malformed> {
        if stored.len() % 4 != 0 {
            return Err(Malformed(stored.len()));
        }
        self.handled.extend(
            stored
                .chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])),
        );
        self.trim();
        Ok(())
    }

    /// Adds ids (of an earlier version's file).
    pub(crate) fn extend(&mut self, ids: impl IntoIterator<Item = u32>) {
        self.handled.extend(ids);
        self.trim();
    }

    /// Whether `id` was handled.
    pub(crate) fn contains(&self, id: u32) -> bool {
        self.handled.contains(&id)
    }

    /// The journal with `ids` handled too, as the store keeps it; it counts
    /// only once [`Journal::adopt`] is called after the store has synced it.
    pub(crate) fn with(&self, ids: &[u32]) -> BTreeSet<u32> {
        let mut next = self.handled.clone();
        next.extend(ids.iter().copied());
        trim(&mut next);
        next
    }

    /// Takes `handled` (from [`Journal::with`]) as the durable journal.
    pub(crate) fn adopt(&mut self, handled: BTreeSet<u32>) {
        self.handled = handled;
    }

    /// Telegram confirmed every update below `offset`: it never resends them,
    /// so the journal need not remember them, but for the `pinned` ones (in
    /// a batch the store's inbox still keeps, which a restart reads again).
    pub(crate) fn confirmed(&mut self, offset: u32, pinned: impl Fn(u32) -> bool) {
        let newer = self.handled.split_off(&offset);
        let older = std::mem::replace(&mut self.handled, newer);
        self.handled
            .extend(older.into_iter().filter(|&id| pinned(id)));
    }

    /// The stored form of `handled`: the ids as 4-byte big-endian numbers.
    pub(crate) fn encode(handled: &BTreeSet<u32>) -> Vec<u8> {
        handled.iter().flat_map(|id| id.to_be_bytes()).collect()
    }

    fn trim(&mut self) {
        trim(&mut self.handled);
    }
}

fn trim(handled: &mut BTreeSet<u32>) {
    while handled.len() > KEEP {
        handled.pop_first();
    }
}

/// The ids in the journal file of an earlier version (one id per line; a
/// torn last line from a crash is read as far as it is a number), or none
/// when there is no such file.
///
/// # Errors
/// When the file exists but cannot be read.
pub(crate) fn legacy_ids(path: &Path) -> io::Result<Option<BTreeSet<u32>>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut ids = BTreeSet::new();
    for line in BufReader::new(file).split(b'\n') {
        if let Some(id) = std::str::from_utf8(&line?)
            .ok()
            .and_then(|l| l.trim().parse().ok())
        {
            ids.insert(id);
        }
    }
    Ok(Some(ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_stored_loads_back() {
        let mut journal = Journal::default();
        let next = journal.with(&[7, 5, 7, 1_000_000]);
        journal.adopt(next.clone());
        let mut loaded = Journal::default();
        loaded.load(&Journal::encode(&next)).unwrap();
        assert!(loaded.contains(5) && loaded.contains(7) && loaded.contains(1_000_000));
        assert!(!loaded.contains(6));
    }

    #[test]
    fn ids_count_only_once_adopted() {
        let journal = Journal::default();
        let next = journal.with(&[3]);
        assert!(next.contains(&3));
        assert!(!journal.contains(3), "not before the store has synced it");
    }

    #[test]
    fn a_malformed_value_is_refused() {
        let mut journal = Journal::default();
        assert!(journal.load(&[0, 0, 1]).is_err());
        assert!(journal.load(&[0, 0, 0, 1]).is_ok());
        assert!(journal.contains(1));
    }

    #[test]
    fn confirmed_ids_are_forgotten_and_the_rest_kept() {
        let mut journal = Journal::default();
        journal.extend([1, 2, 3, 10, 11]);
        journal.confirmed(10, |id| id == 2);
        assert!(!journal.contains(3) && !journal.contains(1));
        assert!(journal.contains(2), "pinned");
        assert!(journal.contains(10) && journal.contains(11));
    }

    #[test]
    fn the_journal_is_bounded_and_keeps_the_newest() {
        let mut journal = Journal::default();
        let many: Vec<u32> = (0..u32::try_from(KEEP).unwrap() + 10).collect();
        let next = journal.with(&many);
        assert_eq!(next.len(), KEEP);
        journal.adopt(next);
        assert!(!journal.contains(0));
        assert!(journal.contains(u32::try_from(KEEP).unwrap() + 9));
    }

    #[test]
    fn an_old_journal_file_is_read_with_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LEGACY_FILE);
        assert!(legacy_ids(&path).unwrap().is_none());
        std::fs::write(&path, "\n5\n7\n\n7\n1x\n12").unwrap();
        let ids = legacy_ids(&path).unwrap().unwrap();
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), vec![5, 7, 12]);
    }
}
