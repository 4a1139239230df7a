//! The redo log: the writes a flush makes durable, as one checksummed frame
//! appended to a file and synced, so that a flush costs one `fdatasync` of a
//! few kilobytes instead of a sync of sled's log. Files are numbered; a fold
//! starts the next file, writes the staged state into sled's trees, and then
//! deletes the files it covered.
//!
//! A frame is `length (u32 LE) | CRC-32 of the payload (u32 LE) | payload`;
//! the payload is a sequence of changes, each `tree length (u8) | tree |
//! key length (u32 LE) | key | 0 (delete) or 1 (put) [| value length (u32 LE)
//! | value]`. Each frame holds the latest value of every key written since the
//! frame before, so replaying frames in order gives the state as of the last
//! one, and a crash keeps a prefix of the flushes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// One change in a frame: `value` `None` deletes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub tree: String,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// Why the redo log cannot be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RedoError {
    #[error("the redo log could not be read or written")]
    Io(#[from] io::Error),
    #[error("the redo log file `{file}` is corrupt at byte {offset}")]
    Corrupt { file: String, offset: u64 },
}

const HEADER: usize = 8;

/// Appends the encoding of one change to `frame` (a payload being built).
pub(crate) fn encode_change(frame: &mut Vec<u8>, tree: &str, key: &[u8], value: Option<&[u8]>) {
    // Tree names are checked to be at most 64 bytes, keys and values are
    // bounded by sled far below 4 GiB.
    frame.push(tree.len() as u8);
    frame.extend_from_slice(tree.as_bytes());
    frame.extend_from_slice(&(key.len() as u32).to_le_bytes());
    frame.extend_from_slice(key);
    match value {
        None => frame.push(0),
        Some(value) => {
            frame.push(1);
            frame.extend_from_slice(&(value.len() as u32).to_le_bytes());
            frame.extend_from_slice(value);
        }
    }
}

/// Wraps a payload into a frame.
///
/// # Errors
/// A payload of 4 GiB or more, which the length field cannot say (the
/// backend's fold thresholds keep frames far smaller).
pub(crate) fn seal(payload: &[u8]) -> io::Result<Vec<u8>> {
    let len = u32::try_from(payload.len()).map_err(|_| {
        io::Error::new(io::ErrorKind::InvalidInput, "a redo frame of 4 GiB or more")
    })?;
    let mut frame = Vec::with_capacity(HEADER + payload.len());
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    frame.extend_from_slice(payload);
    Ok(frame)
}

fn decode(mut payload: &[u8]) -> Option<Vec<Change>> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if bytes.len() < n {
            return None;
        }
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        Some(head)
    }
    fn length(bytes: &mut &[u8]) -> Option<usize> {
        let raw: [u8; 4] = take(bytes, 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(raw) as usize)
    }
    let mut changes = Vec::new();
    while !payload.is_empty() {
        let tree_len = take(&mut payload, 1)?[0] as usize;
        let tree = String::from_utf8(take(&mut payload, tree_len)?.to_vec()).ok()?;
        let key_len = length(&mut payload)?;
        let key = take(&mut payload, key_len)?.to_vec();
        let value = match take(&mut payload, 1)?[0] {
            0 => None,
            1 => {
                let value_len = length(&mut payload)?;
                Some(take(&mut payload, value_len)?.to_vec())
            }
            _ => return None,
        };
        changes.push(Change { tree, key, value });
    }
    Some(changes)
}

/// The frames of one file, in order.
///
/// Only the newest file can end in a write a crash interrupted before its
/// sync (the flushes append to it; a file is left only after a synced
/// append). There a frame cut short, a last frame failing its checksum, or
/// a header of zeros (never written: frames are not empty) ends the log.
/// Anything else that does not read is corruption.
pub(crate) fn read_file(path: &Path, newest: bool) -> Result<Vec<Vec<Change>>, RedoError> {
    let bytes = fs::read(path)?;
    let corrupt = |offset: usize| RedoError::Corrupt {
        file: path.display().to_string(),
        offset: offset as u64,
    };
    let mut frames = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let torn = || if newest { Ok(()) } else { Err(corrupt(at)) };
        let Some(header) = bytes.get(at..at + HEADER) else {
            torn()?; // cut short inside the header
            break;
        };
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if len == 0 {
            torn()?; // zeros where the file was extended but not written
            break;
        }
        let Some(payload) = bytes.get(at + HEADER..at + HEADER + len) else {
            torn()?; // cut short inside the payload
            break;
        };
        if crc32fast::hash(payload) != crc {
            if at + HEADER + len == bytes.len() {
                torn()?; // the last frame, torn inside
                break;
            }
            return Err(corrupt(at));
        }
        frames.push(decode(payload).ok_or_else(|| corrupt(at))?);
        at += HEADER + len;
    }
    Ok(frames)
}

fn file_name(number: u64) -> String {
    format!("{number:020}.redo")
}

/// The log files in `dir`, by number.
pub(crate) fn files(dir: &Path) -> io::Result<Vec<(u64, PathBuf)>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let number = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".redo"))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(number) = number {
            files.push((number, path));
        }
    }
    files.sort();
    Ok(files)
}

/// Deletes every log file numbered `through` or lower, and syncs the
/// directory so that none comes back after a crash.
pub(crate) fn remove_through(dir: &Path, through: u64) -> io::Result<()> {
    for (number, path) in files(dir)? {
        if number <= through {
            fs::remove_file(path)?;
        }
    }
    sync_dir(dir)
}

/// Syncs a directory, so that files created or deleted in it stay so.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The file flushes append to.
pub(crate) struct RedoLog {
    dir: PathBuf,
    number: u64,
    file: File,
    len: u64,
    /// A failed write could not be cut off again: the next append starts a
    /// new file rather than write behind the broken frame.
    broken: bool,
}

impl RedoLog {
    /// Starts the file `number` in `dir`.
    pub(crate) fn create(dir: &Path, number: u64) -> io::Result<Self> {
        let path = dir.join(file_name(number));
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)?;
        if let Err(e) = sync_dir(dir) {
            // Not left behind to block the next try.
            let _ = fs::remove_file(&path);
            return Err(e);
        }
        Ok(Self {
            dir: dir.to_owned(),
            number,
            file,
            len: 0,
            broken: false,
        })
    }

    /// Appends `frame` and syncs it. On failure the file is cut back to
    /// where it was, so the frames before stay readable.
    pub(crate) fn append(&mut self, frame: &[u8]) -> io::Result<()> {
        if self.broken {
            self.rotate()?;
        }
        let written = self
            .file
            .write_all(frame)
            .and_then(|()| self.file.sync_data());
        match written {
            Ok(()) => {
                self.len += frame.len() as u64;
                Ok(())
            }
            Err(e) => {
                if self.file.set_len(self.len).is_err() {
                    self.broken = true;
                }
                Err(e)
            }
        }
    }

    /// Goes on in the next file; returns the number of the one it left.
    pub(crate) fn rotate(&mut self) -> io::Result<u64> {
        let next = Self::create(&self.dir, self.number + 1)?;
        let left = self.number;
        *self = next;
        Ok(left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(changes: &[Change]) -> Vec<u8> {
        let mut payload = Vec::new();
        for c in changes {
            encode_change(&mut payload, &c.tree, &c.key, c.value.as_deref());
        }
        seal(&payload).unwrap()
    }

    fn change(tree: &str, key: &[u8], value: Option<&[u8]>) -> Change {
        Change {
            tree: tree.into(),
            key: key.to_vec(),
            value: value.map(<[u8]>::to_vec),
        }
    }

    #[test]
    fn frames_come_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RedoLog::create(dir.path(), 7).unwrap();
        log.append(&frame(&[
            change("a", b"k", Some(b"v")),
            change("b", b"", None),
        ]))
        .unwrap();
        log.append(&frame(&[change("a", b"k", Some(b""))])).unwrap();
        let files = files(dir.path()).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, 7);
        assert_eq!(
            read_file(&files[0].1, true).unwrap(),
            vec![
                vec![change("a", b"k", Some(b"v")), change("b", b"", None)],
                vec![change("a", b"k", Some(b""))],
            ]
        );
    }

    #[test]
    fn a_torn_last_frame_is_dropped_and_corruption_before_it_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file_name(1));
        let first = frame(&[change("t", b"one", Some(b"1"))]);
        let second = frame(&[change("t", b"two", Some(b"2"))]);
        // Cut inside the second frame's payload, and inside its header.
        for cut in [second.len() - 1, 5] {
            let mut bytes = first.clone();
            bytes.extend_from_slice(&second[..cut]);
            fs::write(&path, &bytes).unwrap();
            assert_eq!(read_file(&path, true).unwrap().len(), 1, "cut at {cut}");
            assert!(
                matches!(read_file(&path, false), Err(RedoError::Corrupt { .. })),
                "only the newest file may end torn"
            );
        }
        // Zeros behind the first frame, as an extended file can show them.
        let mut bytes = first.clone();
        bytes.extend_from_slice(&[0; 64]);
        fs::write(&path, &bytes).unwrap();
        assert_eq!(read_file(&path, true).unwrap().len(), 1);
        assert!(read_file(&path, false).is_err());
        // A whole last frame with a flipped bit: torn, dropped.
        let mut bytes = first.clone();
        let mut bad = second.clone();
        *bad.last_mut().unwrap() ^= 1;
        bytes.extend_from_slice(&bad);
        fs::write(&path, &bytes).unwrap();
        assert_eq!(read_file(&path, true).unwrap().len(), 1);
        // The same flip with a frame behind it: corruption, not a torn tail.
        bytes.extend_from_slice(&first);
        fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            read_file(&path, true),
            Err(RedoError::Corrupt { offset, .. }) if offset == first.len() as u64
        ));
    }

    #[test]
    fn rotation_and_removal_keep_the_newer_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RedoLog::create(dir.path(), 1).unwrap();
        assert_eq!(log.rotate().unwrap(), 1);
        assert_eq!(log.rotate().unwrap(), 2);
        remove_through(dir.path(), 2).unwrap();
        let left: Vec<u64> = files(dir.path()).unwrap().iter().map(|f| f.0).collect();
        assert_eq!(left, vec![3]);
    }
}
