//! The keystore: every subject's data key, wrapped under the instance's
//! key-encryption key, in fixed-size slots of one file. Erasing a key
//! overwrites its slot in place and syncs — unlike a log-structured store,
//! which keeps old bytes in old segments.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use zeroize::Zeroizing;

use botwerk_core::SubjectId;

use crate::crypto::{self, NONCE, TAG};
use crate::error::VaultError;

const MAGIC: &[u8; 16] = b"botwerk-keys-v1\n";
/// subject (16) + nonce (24) + wrapped key (32) + tag (16) + reserved (8).
pub(crate) const SLOT: usize = 16 + NONCE + 32 + TAG + 8;

/// Where a subject's key lives in the keystore.
pub(crate) type Slot = u64;

/// A new key: its slot and the raw key.
pub(crate) type NewKey = (Slot, Zeroizing<[u8; 32]>);

/// The keystore file.
pub(crate) struct Keystore {
    path: PathBuf,
    file: Mutex<File>,
    next: Mutex<Slot>,
    kek: Zeroizing<[u8; 32]>,
    syncs: Syncs,
}

/// Group commit of the keystore's syncs: writers that arrive while a sync
/// runs share the next one, so a thousand people writing to the bot for the
/// first time at once cost a few syncs, not a thousand in a row.
struct Syncs {
    /// A second handle on the file, so that a sync does not hold up writes.
    file: Mutex<File>,
    /// Writes finished so far (each takes the next number).
    written: AtomicU64,
    /// The number of the last write a finished sync covers.
    synced: AtomicU64,
}

impl Syncs {
    /// Makes write number `write` durable, with a sync of its own or one
    /// that another writer runs.
    fn through(&self, write: u64) -> std::io::Result<()> {
        let file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if self.synced.load(Ordering::SeqCst) >= write {
            return Ok(());
        }
        // Every write up to this number is in the file already.
        let covers = self.written.load(Ordering::SeqCst);
        file.sync_data()?;
        self.synced.store(covers, Ordering::SeqCst);
        Ok(())
    }
}

impl Keystore {
    /// Opens the keystore at `path`, creating it if needed.
    pub(crate) fn open(path: &Path, kek: &[u8; 32]) -> Result<Self, VaultError> {
        let io = |e: std::io::Error| VaultError::Keystore {
            path: path.to_owned(),
            source: e,
        };
        let mut open = OpenOptions::new();
        open.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let mut file = open.open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len == 0 {
            file.write_all(MAGIC).map_err(io)?;
            file.sync_all().map_err(io)?;
        } else {
            let mut magic = [0u8; 16];
            file.read_exact(&mut magic).map_err(io)?;
            if &magic != MAGIC {
                return Err(VaultError::Keystore {
                    path: path.to_owned(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "not a Botwerk keystore",
                    ),
                });
            }
        }
        // A slot cut short by a crash during its first write never held a key
        // that anything refers to: the next slot overwrites it.
        let slots = len.saturating_sub(MAGIC.len() as u64) / SLOT as u64;
        let syncs = Syncs {
            file: Mutex::new(file.try_clone().map_err(io)?),
            written: AtomicU64::new(0),
            synced: AtomicU64::new(0),
        };
        Ok(Self {
            path: path.to_owned(),
            file: Mutex::new(file),
            next: Mutex::new(slots),
            kek: Zeroizing::new(*kek),
            syncs,
        })
    }

    fn offset(slot: Slot) -> u64 {
        MAGIC.len() as u64 + slot * SLOT as u64
    }

    fn ad(subject: SubjectId, slot: Slot) -> Vec<u8> {
        let mut ad = b"botwerk-key".to_vec();
        ad.extend_from_slice(subject.as_bytes());
        ad.extend_from_slice(&slot.to_be_bytes());
        ad
    }

    fn io_error(&self, e: std::io::Error) -> VaultError {
        VaultError::Keystore {
            path: self.path.clone(),
            source: e,
        }
    }

    /// Writes `bytes` at `first` (one slot or several in a row) and returns
    /// once they are durable.
    fn write_slots(&self, first: Slot, bytes: &[u8]) -> Result<(), VaultError> {
        let write = {
            let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
            file.seek(SeekFrom::Start(Self::offset(first)))
                .and_then(|_| file.write_all(bytes))
                .map_err(|e| self.io_error(e))?;
            self.syncs.written.fetch_add(1, Ordering::SeqCst) + 1
        };
        self.syncs.through(write).map_err(|e| self.io_error(e))
    }

    fn write_slot(&self, slot: Slot, bytes: &[u8; SLOT]) -> Result<(), VaultError> {
        self.write_slots(slot, bytes)
    }

    fn read_slot(&self, slot: Slot) -> Result<Zeroizing<[u8; SLOT]>, VaultError> {
        let mut out = Zeroizing::new([0u8; SLOT]);
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.seek(SeekFrom::Start(Self::offset(slot)))
            .and_then(|_| file.read_exact(out.as_mut()))
            .map_err(|e| self.io_error(e))?;
        Ok(out)
    }

    /// Makes a new random data key for `subject`, stores it durably and
    /// returns its slot and the raw key.
    pub(crate) fn create(&self, subject: SubjectId) -> Result<NewKey, VaultError> {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let slot = *next;
            *next += 1;
            slot
        };
        let (raw, bytes) = self.new_key(subject, slot);
        self.write_slot(slot, &bytes)?;
        Ok((slot, raw))
    }

    /// Puts a new random key for `subject` into its `slot`, in place and
    /// durably: the key the slot held is gone. Returns the raw new key.
    pub(crate) fn renew(
        &self,
        subject: SubjectId,
        slot: Slot,
    ) -> Result<Zeroizing<[u8; 32]>, VaultError> {
        let (raw, bytes) = self.new_key(subject, slot);
        self.write_slot(slot, &bytes)?;
        Ok(raw)
    }

    /// Makes keys for many subjects at once, with one sync at the end: for
    /// imports, where a sync per subject would dominate.
    pub(crate) fn create_many(&self, subjects: &[SubjectId]) -> Result<Vec<NewKey>, VaultError> {
        let first = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let first = *next;
            *next += subjects.len() as u64;
            first
        };
        let mut out = Vec::with_capacity(subjects.len());
        let mut bytes = Vec::with_capacity(subjects.len() * SLOT);
        for (i, subject) in subjects.iter().enumerate() {
            let slot = first + i as u64;
            let (raw, slot_bytes) = self.new_key(*subject, slot);
            bytes.extend_from_slice(slot_bytes.as_ref());
            out.push((slot, raw));
        }
        self.write_slots(first, &bytes)?;
        Ok(out)
    }

    /// A new random key for `subject` in `slot`: the raw key, and the slot's
    /// bytes with it wrapped under the key-encryption key.
    fn new_key(
        &self,
        subject: SubjectId,
        slot: Slot,
    ) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; SLOT]>) {
        let raw = crypto::random32();
        let wrapped = crypto::seal(&self.kek, &Self::ad(subject, slot), raw.as_ref());
        let mut bytes = Zeroizing::new([0u8; SLOT]);
        bytes[..16].copy_from_slice(subject.as_bytes());
        bytes[16..16 + wrapped.len()].copy_from_slice(&wrapped);
        (raw, bytes)
    }

    /// The raw data key of `subject` in `slot`.
    ///
    /// # Errors
    /// [`VaultError::Erased`] when the slot was erased, an integrity error when
    /// it belongs to another subject or was tampered with.
    pub(crate) fn load(
        &self,
        subject: SubjectId,
        slot: Slot,
    ) -> Result<Zeroizing<[u8; 32]>, VaultError> {
        let bytes = self.read_slot(slot)?;
        if bytes.iter().all(|&b| b == 0) {
            return Err(VaultError::Erased);
        }
        if &bytes[..16] != subject.as_bytes() {
            return Err(VaultError::Integrity("key slot belongs to another subject"));
        }
        let wrapped = &bytes[16..16 + NONCE + 32 + TAG];
        let raw = crypto::open(&self.kek, &Self::ad(subject, slot), wrapped)?;
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&raw);
        Ok(key)
    }

    /// Destroys the key in `slot`: overwrites it with zeros in place and syncs.
    /// A slot that is already zero, or that holds another subject's key, is
    /// left alone.
    pub(crate) fn erase(&self, subject: SubjectId, slot: Slot) -> Result<(), VaultError> {
        let current = match self.read_slot(slot) {
            Ok(bytes) => bytes,
            // A slot past the end was never written: nothing to erase.
            Err(VaultError::Keystore { source, .. })
                if source.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                return Ok(())
            }
            Err(e) => return Err(e),
        };
        if &current[..16] != subject.as_bytes() {
            return Ok(());
        }
        self.write_slot(slot, &[0u8; SLOT])
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn keys_survive_reopening_and_erase_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.bin");
        let a = SubjectId::from_bytes([1; 16]);
        let b = SubjectId::from_bytes([2; 16]);
        let (slot_a, key_a, slot_b) = {
            let store = Arc::new(Keystore::open(&path, &[9; 32]).unwrap());
            let (slot_a, key_a) = store.create(a).unwrap();
            let (slot_b, _) = store.create(b).unwrap();
            (slot_a, key_a, slot_b)
        };
        let store = Arc::new(Keystore::open(&path, &[9; 32]).unwrap());
        assert_eq!(*store.load(a, slot_a).unwrap(), *key_a);
        assert!(matches!(
            store.load(a, slot_b),
            Err(VaultError::Integrity(_))
        ));
        let wrong_kek = Keystore::open(&path, &[8; 32]).unwrap();
        assert!(wrong_kek.load(a, slot_a).is_err());

        let size = std::fs::metadata(&path).unwrap().len();
        store.erase(a, slot_a).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), size, "in place");
        assert!(matches!(store.load(a, slot_a), Err(VaultError::Erased)));
        assert!(store.load(b, slot_b).is_ok(), "the neighbour is intact");
        store.erase(a, slot_a).unwrap();
        store.erase(a, 99).unwrap();
        let (slot_c, _) = store.create(SubjectId::from_bytes([3; 16])).unwrap();
        assert_eq!(slot_c, 2, "slots are not reused");
    }

    #[test]
    fn concurrent_creations_share_syncs_and_every_key_lands() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.bin");
        let store = Arc::new(Keystore::open(&path, &[9; 32]).unwrap());
        let created: Vec<(SubjectId, Slot, [u8; 32])> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8u8)
                .map(|t| {
                    let store = Arc::clone(&store);
                    scope.spawn(move || {
                        (0..25u8)
                            .map(|i| {
                                let subject = SubjectId::from_bytes([
                                    t, i, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                ]);
                                let (slot, key) = store.create(subject).unwrap();
                                (subject, slot, *key)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        assert!(
            store.syncs.synced.load(Ordering::SeqCst) >= 200,
            "every write is covered"
        );
        drop(store);
        let store = Keystore::open(&path, &[9; 32]).unwrap();
        let mut slots: Vec<Slot> = created.iter().map(|(_, slot, _)| *slot).collect();
        slots.sort_unstable();
        slots.dedup();
        assert_eq!(slots.len(), 200, "no slot given twice");
        for (subject, slot, key) in created {
            assert_eq!(*store.load(subject, slot).unwrap(), key);
        }
    }
}
