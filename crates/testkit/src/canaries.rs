//! Erasure assertions: every file under a directory, byte by byte, searched
//! for canaries — strings a test stored and expects to be gone.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A canary found in a file: which canary (by index) and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    /// The index of the canary in the list searched for.
    pub canary: usize,
    /// The file it was found in.
    pub file: PathBuf,
    /// The byte offset of the first occurrence.
    pub offset: u64,
}

/// Every regular file under `dir`, recursively (symlinks are not followed).
///
/// # Panics
/// When the directory cannot be read.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).expect("the directory is readable") {
            let entry = entry.expect("the directory entry is readable");
            let kind = entry.file_type().expect("the file type is readable");
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

/// Searches every file under `dir` for every canary, reading in chunks that
/// overlap by the longest canary, so that a canary across a chunk border is
/// found too.
///
/// # Panics
/// When a file cannot be read, or a canary is empty.
pub fn find(dir: &Path, canaries: &[&[u8]]) -> Vec<Sighting> {
    assert!(
        canaries.iter().all(|c| !c.is_empty()),
        "canaries are not empty"
    );
    let longest = canaries.iter().map(|c| c.len()).max().unwrap_or(1);
    let mut sightings = Vec::new();
    for file in files_under(dir) {
        let mut handle = fs::File::open(&file).expect("the file is readable");
        let mut found = vec![false; canaries.len()];
        let mut window: Vec<u8> = Vec::new();
        let mut window_start = 0u64;
        let mut chunk = vec![0u8; 1 << 20];
        loop {
            let n = handle.read(&mut chunk).expect("the file is readable");
            if n == 0 {
                break;
            }
            window.extend_from_slice(&chunk[..n]);
            for (i, canary) in canaries.iter().enumerate() {
                if found[i] {
                    continue;
                }
                if let Some(pos) = window.windows(canary.len()).position(|w| w == *canary) {
                    found[i] = true;
                    sightings.push(Sighting {
                        canary: i,
                        file: file.clone(),
                        offset: window_start + pos as u64,
                    });
                }
            }
            let keep = window.len().min(longest.saturating_sub(1));
            window_start += (window.len() - keep) as u64;
            window.drain(..window.len() - keep);
        }
    }
    sightings
}

/// Asserts that no canary appears in any file under `dir`.
///
/// # Panics
/// Naming the canary and the file, when one is found.
pub fn assert_absent(dir: &Path, canaries: &[&[u8]]) {
    let sightings = find(dir, canaries);
    assert!(
        sightings.is_empty(),
        "erased data is still on disk: {}",
        sightings
            .iter()
            .map(|s| format!(
                "canary #{} ({}) in {} at byte {}",
                s.canary,
                String::from_utf8_lossy(canaries[s.canary]),
                s.file.display(),
                s.offset
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_canaries_across_chunk_borders_and_in_subfolders() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        let mut big = vec![b'x'; (1 << 20) - 3];
        big.extend_from_slice(b"CANARY-1");
        fs::write(dir.path().join("a/b/big"), &big).unwrap();
        fs::write(dir.path().join("small"), b"..CANARY-2..").unwrap();
        let found = find(dir.path(), &[b"CANARY-1", b"CANARY-2", b"CANARY-3"]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].offset, (1 << 20) - 3);
        assert_eq!(found[0].canary, 0);
        assert_eq!(found[1].offset, 2);
        let result = std::panic::catch_unwind(|| assert_absent(dir.path(), &[b"CANARY-2"]));
        assert!(result.is_err());
        assert_absent(dir.path(), &[b"CANARY-3"]);
    }
}
