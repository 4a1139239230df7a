//! The journal of handled update ids: with it, a restart after a crash
//! neither skips an update (Telegram resends what was not confirmed) nor
//! handles one twice (what was handled but not yet confirmed is skipped).

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// How many ids the journal keeps after compaction: far more than Telegram
/// can resend unconfirmed (at most the last batches of 100).
const KEEP: usize = 4096;
/// How many lines the file may grow to before it is compacted.
const COMPACT_AT: usize = 4 * KEEP;

/// Handled update ids, in memory and in an append-only file synced on every
/// record. Holds no personal data: update ids only.
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
    handled: BTreeSet<u32>,
    lines: usize,
    keep: usize,
    /// A write failed and may have left a torn line: start on a fresh one.
    torn: bool,
}

impl Journal {
    /// Opens the journal at `path`, creating it; a torn last line from a
    /// crash is ignored.
    pub(crate) fn open(path: &Path) -> io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut handled = BTreeSet::new();
        let mut lines = 0;
        if let Ok(file) = File::open(path) {
            for line in BufReader::new(file).split(b'\n') {
                lines += 1;
                if let Some(id) = std::str::from_utf8(&line?)
                    .ok()
                    .and_then(|l| l.trim().parse().ok())
                {
                    handled.insert(id);
                }
            }
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let mut journal = Self {
            path: path.to_owned(),
            file,
            handled,
            lines,
            keep: KEEP,
            torn: false,
        };
        // A torn line has no newline: start the next record on a fresh line.
        journal.file.write_all(b"\n")?;
        Ok(journal)
    }

    /// Whether `id` was handled.
    pub(crate) fn contains(&self, id: u32) -> bool {
        self.handled.contains(&id)
    }

    /// Records `id` as handled, durably.
    #[cfg(test)]
    pub(crate) fn record(&mut self, id: u32) -> io::Result<()> {
        self.record_all(&[id])
    }

    /// Records every id of `ids` as handled, durably, with one sync for all
    /// of them (group commit). An id counts as handled only once its sync
    /// succeeded, so a failed call can simply be repeated.
    pub(crate) fn record_all(&mut self, ids: &[u32]) -> io::Result<()> {
        let fresh: BTreeSet<u32> = ids
            .iter()
            .copied()
            .filter(|id| !self.handled.contains(id))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let mut lines = String::new();
        if self.torn {
            lines.push('\n');
        }
        for id in &fresh {
            lines.push_str(&format!("{id}\n"));
        }
        self.torn = true;
        self.file.write_all(lines.as_bytes())?;
        self.file.sync_data()?;
        self.torn = false;
        self.lines += fresh.len();
        self.handled.extend(fresh);
        if self.lines >= COMPACT_AT / KEEP * self.keep {
            // The ids are durable already; a failed compaction only leaves
            // the file longer, and is tried again with the next record.
            if let Err(e) = self.compact() {
                tracing::warn!(error = %e, "the journal of handled updates could not be compacted");
            }
        }
        Ok(())
    }

    /// Rewrites the file with the newest ids only: to a temporary file, synced,
    /// then renamed over the old one.
    fn compact(&mut self) -> io::Result<()> {
        while self.handled.len() > self.keep {
            self.handled.pop_first();
        }
        let tmp = self.path.with_extension("journal-new");
        {
            let mut out = File::create(&tmp)?;
            for id in &self.handled {
                writeln!(out, "{id}")?;
            }
            out.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        // The rename itself must be durable before anything is appended to
        // the new file, or a crash could bring back the old one without it.
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        File::open(dir)?.sync_all()?;
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        self.lines = self.handled.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopening_and_torn_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("telegram.journal");
        {
            let mut j = Journal::open(&path).unwrap();
            j.record(5).unwrap();
            j.record(7).unwrap();
            j.record(7).unwrap();
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"12")
            .unwrap();
        let mut j = Journal::open(&path).unwrap();
        assert!(j.contains(5) && j.contains(7));
        assert!(
            j.contains(12),
            "a complete number without newline still counts"
        );
        j.record(13).unwrap();
        let j = Journal::open(&path).unwrap();
        assert!(j.contains(13));
    }

    #[test]
    fn compaction_keeps_the_newest_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut j = Journal::open(&path).unwrap();
        j.keep = 8;
        for id in 0..40 {
            j.record(id).unwrap();
        }
        let j = Journal::open(&path).unwrap();
        assert!(!j.contains(0));
        assert!(j.contains(39));
        assert!(j.handled.len() <= 8 + 32, "{}", j.handled.len());
        let lines = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .count();
        assert!(lines < 40, "the file was compacted: {lines} lines");
    }
}
