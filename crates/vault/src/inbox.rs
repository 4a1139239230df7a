//! The inbox: input that an adapter took from its platform and confirmed
//! there, but has not handled yet. Telegram, for one, never sends an update
//! again once a poll confirmed it; with the update kept here first, the
//! adapter can confirm a round at once and fetch the next one while the
//! round is handled, and a crash loses nothing.
//!
//! Input is personal data (message texts), so it is kept the way the vault
//! keeps everything: sealed, and never where its key is. Each batch is
//! sealed under a random key of its own, kept in the keystore. Dropping a
//! handled batch overwrites that key in place and syncs, and then deletes
//! the batch: what sled's log may still hold of it can never be opened
//! again, just like an erased subject's records.
//!
//! The keys live in a small pool of keystore slots (the keystore never
//! frees a slot, so a slot per batch would grow it for good): a batch takes
//! a free slot and writes a new key into it, which also destroys whatever
//! key the slot held before. The pool grows to the number of batches alive
//! at once, at most [`MAX_POOL`].

use std::collections::HashMap;

use botwerk_core::SubjectId;
use zeroize::Zeroizing;

use crate::backend::Backend;
use crate::crypto;
use crate::error::VaultError;
use crate::keystore::{Keystore, Slot};
use crate::layout::META;
use crate::vault::Vault;

/// The entry of `META` with the pool's slots.
const POOL: &[u8] = b"inbox-pool";
/// The prefix of the kept batches in `META`.
const PREFIX: &[u8] = b"inbox:";
/// At most this many batches are kept at once (per vault, over all
/// adapters); an adapter that asks for more is told to handle its input
/// the slow way, confirming only what it handled.
pub(crate) const MAX_POOL: usize = 64;
/// One pool slot as stored: its owner (a random id that is no subject's)
/// and its place in the keystore.
const ENTRY: usize = 16 + 8;

/// Which pool slots hold the keys of which kept batches.
#[derive(Default)]
pub(crate) struct Inbox {
    pool: Vec<(SubjectId, Slot)>,
    /// How many stored batches name each pool slot (0 or 1, see
    /// [`Vault::release`]).
    holders: Vec<usize>,
    /// The pool slot of each kept batch, by its key in `META`.
    held: HashMap<Vec<u8>, usize>,
}

impl Inbox {
    /// Reads the pool and the kept batches, and destroys the keys of pool
    /// slots that no batch names (a crash between writing a batch's key and
    /// the batch, say).
    pub(crate) async fn load(
        backend: &dyn Backend,
        keystore: &Keystore,
    ) -> Result<Self, VaultError> {
        let mut inbox = Self::default();
        if let Some(bytes) = backend.get(META, POOL).await? {
            if bytes.len() % ENTRY != 0 {
                return Err(VaultError::Integrity("the inbox's key pool is malformed"));
            }
            for entry in bytes.chunks_exact(ENTRY) {
                let mut subject = [0u8; 16];
                subject.copy_from_slice(&entry[..16]);
                let mut slot = [0u8; 8];
                slot.copy_from_slice(&entry[16..]);
                inbox
                    .pool
                    .push((SubjectId::from_bytes(subject), Slot::from_be_bytes(slot)));
            }
        }
        inbox.holders = vec![0; inbox.pool.len()];
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = backend
                .scan_heads(META, PREFIX, after.as_deref(), 256, 2)
                .await?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            for (key, head) in page {
                let index = head
                    .get(..2)
                    .map(|h| usize::from(u16::from_be_bytes([h[0], h[1]])));
                match index {
                    Some(index) if index < inbox.pool.len() => {
                        inbox.holders[index] += 1;
                        inbox.held.insert(key, index);
                    }
                    // Names no slot: it can never be opened.
                    _ => backend.delete(META, &key).await?,
                }
            }
        }
        // A batch whose key is gone was dropped, and a crash lost its
        // deletion; a slot no batch names holds a key nothing needs.
        let mut gone = Vec::new();
        for (key, &index) in &inbox.held {
            let (owner, slot) = inbox.pool[index];
            if matches!(keystore.load(owner, slot), Err(VaultError::Erased)) {
                gone.push(key.clone());
            }
        }
        for key in gone {
            backend.delete(META, &key).await?;
            if let Some(index) = inbox.held.remove(&key) {
                inbox.holders[index] -= 1;
            }
        }
        for (index, &(owner, slot)) in inbox.pool.iter().enumerate() {
            if inbox.holders[index] == 0 {
                keystore.erase(owner, slot)?;
            }
        }
        Ok(inbox)
    }
}

/// The key of a kept batch in `META`.
fn batch_key(adapter: &str, batch: u64) -> Vec<u8> {
    let mut key = PREFIX.to_vec();
    key.extend_from_slice(adapter.as_bytes());
    key.push(b':');
    key.extend_from_slice(&batch.to_be_bytes());
    key
}

/// What a batch's seal is bound to: it cannot be moved to another adapter's
/// or batch's place.
fn ad(key: &[u8]) -> Vec<u8> {
    let mut ad = b"botwerk-inbox".to_vec();
    ad.extend_from_slice(key);
    ad
}

impl Vault {
    /// Keeps `input`, an adapter's batch of unhandled input, sealed under a
    /// key of its own, until [`Vault::drop_input`]; durable with the next
    /// flush. Keeping a batch again replaces it.
    ///
    /// # Errors
    /// [`VaultError::InboxFull`] when [`MAX_POOL`] batches are kept already;
    /// a keystore or backend failure.
    pub async fn keep_input(
        &self,
        adapter: &str,
        batch: u64,
        input: &[u8],
    ) -> Result<(), VaultError> {
        let key = batch_key(adapter, batch);
        let mut inbox = self.inbox.lock().await;
        if inbox.held.contains_key(&key) {
            self.release(&mut inbox, &key).await?;
        }
        let index = match inbox.holders.iter().position(|&h| h == 0) {
            Some(index) => index,
            None if inbox.pool.len() >= MAX_POOL => return Err(VaultError::InboxFull),
            None => {
                let owner = SubjectId::from_bytes(crypto::random16());
                let (slot, _) = self
                    .on_keystore("key creation", move |keys| keys.create(owner))
                    .await?;
                let mut stored = Vec::with_capacity((inbox.pool.len() + 1) * ENTRY);
                for (owner, slot) in inbox.pool.iter().chain([&(owner, slot)]) {
                    stored.extend_from_slice(owner.as_bytes());
                    stored.extend_from_slice(&slot.to_be_bytes());
                }
                // Durable before any batch names the new slot, and before
                // the slot holds a key that only the pool can find (the
                // pool grows at most `MAX_POOL` times). If this fails, the
                // pool stays as it was, and the new slot's key, which
                // nothing was sealed under, is never used.
                self.backend.put(META, POOL, &stored).await?;
                self.backend.flush().await?;
                inbox.pool.push((owner, slot));
                inbox.holders.push(0);
                inbox.pool.len() - 1
            }
        };
        let (owner, slot) = inbox.pool[index];
        let raw = self
            .on_keystore("key creation", move |keys| keys.renew(owner, slot))
            .await?;
        let index_bytes = u16::try_from(index)
            .map_err(|_| VaultError::InboxFull)?
            .to_be_bytes();
        let mut value = index_bytes.to_vec();
        value.extend_from_slice(&crypto::seal(&raw, &ad(&key), input));
        self.backend.put(META, &key, &value).await?;
        inbox.holders[index] += 1;
        inbox.held.insert(key, index);
        Ok(())
    }

    /// Forgets a kept batch for good: destroys its key, then deletes it.
    /// Call it only once what handling the batch wrote is durable. A batch
    /// that is not kept is no error.
    ///
    /// # Errors
    /// A keystore or backend failure; the batch may then still be kept.
    pub async fn drop_input(&self, adapter: &str, batch: u64) -> Result<(), VaultError> {
        let key = batch_key(adapter, batch);
        let mut inbox = self.inbox.lock().await;
        self.release(&mut inbox, &key).await
    }

    /// The batches `adapter` keeps, oldest batch number first, opened. A
    /// batch whose key is gone (dropped, and a crash lost its deletion) is
    /// deleted on the way.
    ///
    /// # Errors
    /// A keystore or backend failure.
    pub async fn kept_input(&self, adapter: &str) -> Result<Vec<(u64, Vec<u8>)>, VaultError> {
        let mut prefix = PREFIX.to_vec();
        prefix.extend_from_slice(adapter.as_bytes());
        prefix.push(b':');
        let mut inbox = self.inbox.lock().await;
        let mut kept = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .backend
                .scan(META, &prefix, after.as_deref(), 64)
                .await?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            for (key, value) in page {
                let Some(batch) = key
                    .get(prefix.len()..)
                    .and_then(|n| <[u8; 8]>::try_from(n).ok())
                    .map(u64::from_be_bytes)
                else {
                    continue;
                };
                match self.open_batch(&inbox, &key, &value)? {
                    Some(input) => kept.push((batch, input.to_vec())),
                    None => {
                        tracing::debug!("a kept batch whose key is gone is deleted");
                        self.release(&mut inbox, &key).await?;
                    }
                }
            }
        }
        Ok(kept)
    }

    /// The batch at `key` opened, or `None` when it can never be opened:
    /// its key was destroyed, or its slot holds a newer batch's key.
    fn open_batch(
        &self,
        inbox: &Inbox,
        key: &[u8],
        value: &[u8],
    ) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        let Some(&index) = inbox.held.get(key) else {
            return Ok(None);
        };
        let (owner, slot) = inbox.pool[index];
        let raw = match self.keystore.load(owner, slot) {
            Ok(raw) => raw,
            Err(VaultError::Erased) => return Ok(None),
            // Unreadable now is not gone: the batch stays for the next try.
            Err(e) => return Err(e),
        };
        let Some(sealed) = value.get(2..) else {
            return Ok(None);
        };
        Ok(crypto::open(&raw, &ad(key), sealed).ok())
    }

    /// Destroys the key of the batch at `key`, then deletes the batch.
    ///
    /// A slot is taken again only once its batch is released, and in the
    /// backend the deletion comes before the next batch that names the
    /// slot: a crash keeps a prefix of the backend's writes, so no two
    /// stored batches name one slot. If two ever do (a stored copy put
    /// back), the slot holds the newer one's key, and the older one, which
    /// cannot open, goes without destroying it.
    async fn release(&self, inbox: &mut Inbox, key: &[u8]) -> Result<(), VaultError> {
        let Some(&index) = inbox.held.get(key) else {
            return Ok(());
        };
        if inbox.holders[index] == 1 {
            let (owner, slot) = inbox.pool[index];
            self.on_keystore("key erasure", move |keys| keys.erase(owner, slot))
                .await?;
        }
        self.backend.delete(META, key).await?;
        inbox.held.remove(key);
        inbox.holders[index] -= 1;
        Ok(())
    }
}
