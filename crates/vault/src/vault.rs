//! `Vault`: opening, subjects and their keys, locking.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use botwerk_core::{Clock, Identity, SubjectId, SystemClock};
use tokio::sync::RwLock;

use crate::audit::{AuditEntry, AuditEvent, AuditReport, Head, Verifier};
use crate::backend::{Backend, BackendError, Batch};
use crate::cache::Cache;
use crate::consent::ConsentEntry;
use crate::crypto::{self, DataKey};
use crate::error::VaultError;
use crate::inbox::Inbox;
use crate::inventory::Inventory;
use crate::keystore::{Keystore, Slot};
use crate::layout::{
    self, SubjectMeta, AUDIT, ERASING, EXPIRY, IDENTITIES, META, PSEUDONYMS, RECORDS, SUBJECTS,
};
use crate::records::Cached;
use crate::secret::{self, InstanceSecret};

/// The number of lock shards: operations on one subject are serialised
/// against its erasure, different subjects rarely contend.
const SHARDS: usize = 64;

/// The entry of `META` that identifies the instance key the data belongs to.
const KEY_CHECK: &[u8] = b"key-check";
/// Which layout the store's trees have; see [`migrate`].
const LAYOUT: &[u8] = b"layout";
/// 2: the expiry index has one slot per hour instead of exact times.
const LAYOUT_VERSION: u8 = 2;
/// Each category's retention (ms) as of the last open; see [`follow_retentions`].
const RETENTIONS: &[u8] = b"retentions";

/// Where a vault keeps what is not in the backend.
#[derive(Clone, Debug)]
pub struct VaultOptions {
    /// The instance key file (created on first start, mode 0600).
    pub key_file: PathBuf,
    /// The keystore file of the subjects' data keys.
    pub keystore: PathBuf,
    /// How many subjects' unwrapped keys are kept in memory.
    pub key_cache: usize,
    /// How many opened records (of at most 4 KiB each: dialog states,
    /// preferences) are kept in memory, and which keys are known to hold
    /// none; 0 turns the cache off.
    pub record_cache: usize,
    /// The clock for record times, expiry and the logs.
    pub clock: Arc<dyn Clock>,
}

impl VaultOptions {
    /// Key file and keystore inside `data_dir` (production moves the key file
    /// out with [`VaultOptions::key_file`]).
    pub fn in_dir(data_dir: &Path) -> Self {
        Self {
            key_file: data_dir.join("instance.key"),
            keystore: data_dir.join("keys.bin"),
            key_cache: 1024,
            record_cache: 4096,
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses the key file at `path`.
    #[must_use]
    pub fn key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.key_file = path.into();
        self
    }

    /// Uses `clock`.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// What a key check found.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeysReport {
    /// The instance key file (its mode was checked when the vault opened).
    pub key_file: PathBuf,
    /// The keystore file.
    pub keystore: PathBuf,
    /// How many subjects the store holds.
    pub subjects: u64,
    /// How many of their data keys unwrap under the instance key.
    pub keys_ok: u64,
    /// Log tags of subjects whose key does not (never ids).
    pub keys_bad: Vec<String>,
}

impl KeysReport {
    /// Whether every key is in order.
    pub fn is_ok(&self) -> bool {
        self.keys_bad.is_empty() && self.keys_ok == self.subjects
    }
}

/// The personal data of one bot instance: pseudonymised, encrypted per
/// subject, with consent ledger, audit log, export, erasure and purge.
pub struct Vault {
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) keystore: Arc<Keystore>,
    pub(crate) secret: InstanceSecret,
    pub(crate) inventory: Arc<Inventory>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Unwrapped data keys. Erasure forgets a subject's key under the
    /// subject's write lock, and a read racing it cannot put the key back:
    /// so a key found here under the subject's lock proves the subject
    /// exists.
    keys: Cache<SubjectId, Arc<DataKey>>,
    /// Identities known to own a subject (lookups happen on every update).
    pub(crate) subjects: Cache<Identity, SubjectId>,
    /// Each subject's consent ledger (checked on every update).
    pub(crate) ledgers: Cache<SubjectId, Arc<Vec<ConsentEntry>>>,
    /// Small records by storage key, opened (a dialog step reads its state
    /// and writes it back; see `records.rs` for the rules that keep it true).
    pub(crate) records: Option<Cache<Vec<u8>, Cached>>,
    locks: Vec<RwLock<()>>,
    /// Writers of one record key take turns: a write reads the old record
    /// to find its index entry, and two writers interleaving could each
    /// drop the entry the other relies on.
    record_locks: Vec<tokio::sync::Mutex<()>>,
    pub(crate) audit: tokio::sync::Mutex<Head>,
    key_file: PathBuf,
    pub(crate) counters: tokio::sync::Mutex<()>,
    /// Which keystore slots hold the keys of the adapters' kept input.
    pub(crate) inbox: tokio::sync::Mutex<Inbox>,
}

impl Vault {
    /// Opens the vault on `backend`: loads (or creates) the key file, opens the
    /// keystore, and finishes erasures a crash interrupted.
    ///
    /// # Errors
    /// A key file that is too open or malformed, an unreadable keystore, or a
    /// backend failure.
    pub async fn open(
        backend: Arc<dyn Backend>,
        inventory: Inventory,
        options: VaultOptions,
    ) -> Result<Self, VaultError> {
        let stored_check = backend.get(META, KEY_CHECK).await?;
        let key_missing = std::fs::symlink_metadata(&options.key_file).is_err();
        if stored_check.is_some() && key_missing {
            return Err(VaultError::KeyFile {
                path: options.key_file.clone(),
                problem: "is missing, but the data directory holds data sealed under an instance key; restore the key file from your backup (a new key could not read the data)".into(),
            });
        }
        let secret = InstanceSecret::load_or_create(&options.key_file)?;
        let check = secret.check_value();
        match stored_check {
            Some(stored) if stored != check => {
                return Err(VaultError::KeyFile {
                    path: options.key_file.clone(),
                    problem: "does not belong to this data directory: its data is sealed under another instance key; use the key file that came with the data".into(),
                })
            }
            Some(_) => {}
            None => {
                backend.put(META, KEY_CHECK, &check).await?;
                backend.flush().await?;
            }
        }
        let keystore = Arc::new(Keystore::open(&options.keystore, secret.kek())?);
        if let Some(dir) = options.keystore.parent() {
            if secret::inside(&options.key_file, dir) {
                tracing::warn!(
                    key_file = %options.key_file.display(),
                    "the instance key file lies inside the data directory; production keeps it elsewhere, so that a copy of the data cannot be read"
                );
            }
        }
        migrate(backend.as_ref()).await?;
        follow_retentions(backend.as_ref(), &inventory).await?;
        let inbox = Inbox::load(backend.as_ref(), &keystore).await?;
        let head = match backend.get(META, Head::key()).await? {
            Some(bytes) => Head::decode(&bytes)?,
            None => Head::genesis(),
        };
        let vault = Self {
            backend,
            keystore,
            secret,
            inventory: Arc::new(inventory),
            clock: options.clock,
            keys: Cache::new(options.key_cache),
            subjects: Cache::new(options.key_cache),
            ledgers: Cache::new(options.key_cache),
            records: (options.record_cache > 0).then(|| Cache::new(options.record_cache)),
            locks: (0..SHARDS).map(|_| RwLock::new(())).collect(),
            record_locks: (0..SHARDS).map(|_| tokio::sync::Mutex::new(())).collect(),
            audit: tokio::sync::Mutex::new(head),
            key_file: options.key_file.clone(),
            counters: tokio::sync::Mutex::new(()),
            inbox: tokio::sync::Mutex::new(inbox),
        };
        vault.finish_erasures().await?;
        Ok(vault)
    }

    /// The data inventory.
    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The keystore file, for checks.
    pub fn keystore_path(&self) -> &Path {
        self.keystore.path()
    }

    /// Runs `f` on the keystore on tokio's blocking pool: its writes sync.
    /// `what` names the operation in the error if the task is cancelled.
    pub(crate) async fn on_keystore<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce(&Keystore) -> Result<T, VaultError> + Send + 'static,
    ) -> Result<T, VaultError> {
        let keystore = Arc::clone(&self.keystore);
        tokio::task::spawn_blocking(move || f(&keystore))
            .await
            .map_err(|_| VaultError::Invalid(format!("{what} was cancelled")))?
    }

    pub(crate) fn lock(&self, subject: SubjectId) -> &RwLock<()> {
        let shard = usize::from(subject.as_bytes()[0]) % SHARDS;
        &self.locks[shard]
    }

    /// The lock writers of the record stored under `storage_key` share.
    pub(crate) fn record_lock(&self, storage_key: &[u8]) -> &tokio::sync::Mutex<()> {
        // The key ends in an HMAC of the record's name: well spread.
        let last = storage_key.last().copied().unwrap_or_default();
        &self.record_locks[usize::from(last) % SHARDS]
    }

    /// The subject owning `identity`, if any. Creates nothing.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn find_subject(&self, identity: &Identity) -> Result<Option<SubjectId>, VaultError> {
        if let Some(subject) = self.subjects.get(identity) {
            return Ok(Some(subject));
        }
        let generation = self.subjects.generation();
        let pseudonym = crypto::pseudonym(self.secret.pepper(), identity);
        let found = self.backend.get(PSEUDONYMS, &pseudonym).await?;
        let subject = found
            .map(|bytes| {
                layout::subject_of(&bytes).ok_or(VaultError::Integrity("pseudonym index malformed"))
            })
            .transpose()?;
        if let Some(subject) = subject {
            self.subjects.fill(identity.clone(), subject, generation);
        }
        Ok(subject)
    }

    /// The subject owning `identity`, created with a fresh data key if there is none.
    ///
    /// # Errors
    /// A backend or keystore failure.
    pub async fn subject_for(&self, identity: &Identity) -> Result<SubjectId, VaultError> {
        if let Some(subject) = self.find_subject(identity).await? {
            return Ok(subject);
        }
        let subject = SubjectId::from_bytes(crypto::random16());
        let (slot, raw) = self
            .on_keystore("key creation", move |keys| keys.create(subject))
            .await?;
        let key = Arc::new(DataKey::derive(&raw));
        drop(raw);
        let pseudonym = crypto::pseudonym(self.secret.pepper(), identity);
        let mut batch = Batch::new();
        batch.expect(PSEUDONYMS, pseudonym.to_vec(), None);
        batch.put(PSEUDONYMS, pseudonym.to_vec(), subject.as_bytes().to_vec());
        batch.put(SUBJECTS, layout::subject_prefix(subject), meta_bytes(slot));
        self.seal_identity(&mut batch, subject, &key, &pseudonym, identity)?;
        // Once the batch lands the subject can be found, and erased, before
        // this task goes on: the key is remembered only if no erasure
        // forgot a key meanwhile.
        let generation = self.keys.generation();
        match self.backend.apply(batch).await {
            Ok(()) => {
                self.keys.fill(subject, key, generation);
                Ok(subject)
            }
            Err(BackendError::Conflict { .. }) => {
                // Another update of the same person created the subject first.
                self.keystore.erase(subject, slot)?;
                self.find_subject(identity)
                    .await?
                    .ok_or(VaultError::Integrity("pseudonym vanished during creation"))
            }
            Err(e) => {
                self.keystore.erase(subject, slot)?;
                Err(e.into())
            }
        }
    }

    /// Creates subjects for many new identities at once (imports, tests of
    /// scale): the keys are synced once per call, the store written in one
    /// batch. Identities that already have a subject keep it; an identity
    /// listed twice gets one subject. Returns the subjects in the order of
    /// `identities`.
    ///
    /// # Errors
    /// A backend or keystore failure, or a concurrent creation of one of the
    /// subjects ([`VaultError::Backend`] with a conflict); nothing of the
    /// batch is kept then, and its new keys are shredded.
    pub async fn create_subjects(
        &self,
        identities: &[Identity],
    ) -> Result<Vec<SubjectId>, VaultError> {
        let mut fresh: Vec<(&Identity, SubjectId)> = Vec::new();
        let mut seen: HashMap<&Identity, SubjectId> = HashMap::new();
        let mut out = Vec::with_capacity(identities.len());
        for identity in identities {
            if let Some(subject) = seen.get(identity) {
                out.push(*subject);
                continue;
            }
            let subject = match self.find_subject(identity).await? {
                Some(subject) => subject,
                None => {
                    let subject = SubjectId::from_bytes(crypto::random16());
                    fresh.push((identity, subject));
                    subject
                }
            };
            seen.insert(identity, subject);
            out.push(subject);
        }
        if fresh.is_empty() {
            return Ok(out);
        }
        let subjects: Vec<SubjectId> = fresh.iter().map(|(_, s)| *s).collect();
        let keys = self
            .on_keystore("key creation", move |keys| keys.create_many(&subjects))
            .await?;
        let slots: Vec<(SubjectId, Slot)> = fresh
            .iter()
            .zip(&keys)
            .map(|((_, s), (slot, _))| (*s, *slot))
            .collect();
        let shred = |vault: &Self| {
            for (subject, slot) in &slots {
                // Best effort: a key left behind seals nothing.
                let _ = vault.keystore.erase(*subject, *slot);
            }
        };
        let mut batch = Batch::new();
        for ((identity, subject), (slot, raw)) in fresh.iter().zip(keys) {
            let key = DataKey::derive(&raw);
            let pseudonym = crypto::pseudonym(self.secret.pepper(), identity);
            batch.expect(PSEUDONYMS, pseudonym.to_vec(), None);
            batch.put(PSEUDONYMS, pseudonym.to_vec(), subject.as_bytes().to_vec());
            batch.put(SUBJECTS, layout::subject_prefix(*subject), meta_bytes(slot));
            if let Err(e) = self.seal_identity(&mut batch, *subject, &key, &pseudonym, identity) {
                shred(self);
                return Err(e);
            }
        }
        if let Err(e) = self.backend.apply(batch).await {
            shred(self);
            return Err(e.into());
        }
        Ok(out)
    }

    /// Adds `identity` to `subject`, so that export and erasure cover both
    /// accounts (account linking).
    ///
    /// # Errors
    /// [`VaultError::Invalid`] when the identity already belongs to another
    /// subject; a backend failure.
    pub async fn link(&self, subject: SubjectId, identity: &Identity) -> Result<(), VaultError> {
        let _guard = self.lock(subject).read().await;
        let key = self.key(subject).await?;
        let pseudonym = crypto::pseudonym(self.secret.pepper(), identity);
        let mut batch = Batch::new();
        batch.expect(PSEUDONYMS, pseudonym.to_vec(), None);
        batch.put(PSEUDONYMS, pseudonym.to_vec(), subject.as_bytes().to_vec());
        self.seal_identity(&mut batch, subject, &key, &pseudonym, identity)?;
        match self.backend.apply(batch).await {
            Ok(()) => Ok(()),
            Err(BackendError::Conflict { .. }) => match self.find_subject(identity).await? {
                Some(owner) if owner == subject => Ok(()),
                _ => Err(VaultError::Invalid(
                    "the identity belongs to another subject".into(),
                )),
            },
            Err(e) => Err(e.into()),
        }
    }

    fn seal_identity(
        &self,
        batch: &mut Batch,
        subject: SubjectId,
        key: &DataKey,
        pseudonym: &[u8; 32],
        identity: &Identity,
    ) -> Result<(), VaultError> {
        let mut storage_key = layout::subject_prefix(subject);
        storage_key.extend_from_slice(pseudonym);
        let plain = serde_json::to_vec(identity).map_err(|e| VaultError::Invalid(e.to_string()))?;
        let sealed = key.seal(&layout::ad(IDENTITIES, &storage_key, &[]), &plain);
        batch.put(IDENTITIES, storage_key, sealed);
        Ok(())
    }

    /// Every identity of `subject`.
    ///
    /// # Errors
    /// [`VaultError::Erased`] for an unknown subject, a backend failure or a
    /// failed integrity check.
    pub async fn identities(&self, subject: SubjectId) -> Result<Vec<Identity>, VaultError> {
        let key = self.key(subject).await?;
        let prefix = layout::subject_prefix(subject);
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .backend
                .scan(IDENTITIES, &prefix, after.as_deref(), 64)
                .await?;
            let full = page.len() == 64;
            for (storage_key, sealed) in page {
                let plain = key.open(&layout::ad(IDENTITIES, &storage_key, &[]), &sealed)?;
                let identity = serde_json::from_slice(&plain)
                    .map_err(|_| VaultError::Integrity("identity malformed"))?;
                out.push(identity);
                after = Some(storage_key);
            }
            if !full {
                return Ok(out);
            }
        }
    }

    /// One page of subject ids, in store order, after `after`: for operator
    /// work over everyone (a broadcast, a key check).
    ///
    /// # Errors
    /// A backend failure.
    pub async fn list_subjects(
        &self,
        after: Option<SubjectId>,
        limit: usize,
    ) -> Result<Vec<SubjectId>, VaultError> {
        let after = after.map(layout::subject_prefix);
        let page = self
            .backend
            .scan(SUBJECTS, &[], after.as_deref(), limit)
            .await?;
        Ok(page
            .iter()
            .filter_map(|(k, _)| layout::subject_of(k))
            .collect())
    }

    /// Checks the keys: that every subject's data key unwraps under the
    /// instance key. Reports, never fails on a bad key.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn check_keys(&self) -> Result<KeysReport, VaultError> {
        let mut report = KeysReport {
            key_file: self.key_file.clone(),
            keystore: self.keystore.path().to_owned(),
            ..KeysReport::default()
        };
        let mut after = None;
        loop {
            let page = self.list_subjects(after, 1024).await?;
            let full = page.len() == 1024;
            for subject in &page {
                report.subjects += 1;
                let Some(meta) = self.meta(*subject).await? else {
                    continue;
                };
                match self.keystore.load(*subject, meta.slot) {
                    Ok(_) => report.keys_ok += 1,
                    Err(_) => report.keys_bad.push(subject.log_tag()),
                }
            }
            after = page.last().copied();
            if !full {
                return Ok(report);
            }
        }
    }

    /// Whether `subject` exists (has not been erased).
    ///
    /// # Errors
    /// A backend failure.
    pub async fn exists(&self, subject: SubjectId) -> Result<bool, VaultError> {
        Ok(self
            .backend
            .get(SUBJECTS, &layout::subject_prefix(subject))
            .await?
            .is_some())
    }

    /// The raw data key of `subject`, for tests that prove it is gone from disk.
    ///
    /// # Errors
    /// [`VaultError::Erased`] for an erased subject.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub async fn raw_data_key_for_tests(&self, subject: SubjectId) -> Result<[u8; 32], VaultError> {
        let meta = self.meta(subject).await?.ok_or(VaultError::Erased)?;
        Ok(*self.keystore.load(subject, meta.slot)?)
    }

    /// The subject's derived keys, from the cache or the keystore.
    pub(crate) async fn key(&self, subject: SubjectId) -> Result<Arc<DataKey>, VaultError> {
        if let Some(key) = self.cached(subject) {
            return Ok(key);
        }
        let generation = self.keys.generation();
        let meta = self
            .backend
            .get(SUBJECTS, &layout::subject_prefix(subject))
            .await?
            .ok_or(VaultError::Erased)?;
        let meta: SubjectMeta = serde_json::from_slice(&meta)
            .map_err(|_| VaultError::Integrity("subject entry malformed"))?;
        let raw = self.keystore.load(subject, meta.slot)?;
        let key = Arc::new(DataKey::derive(&raw));
        self.keys.fill(subject, Arc::clone(&key), generation);
        Ok(key)
    }

    pub(crate) async fn meta(&self, subject: SubjectId) -> Result<Option<SubjectMeta>, VaultError> {
        self.backend
            .get(SUBJECTS, &layout::subject_prefix(subject))
            .await?
            .map(|bytes| {
                serde_json::from_slice(&bytes)
                    .map_err(|_| VaultError::Integrity("subject entry malformed"))
            })
            .transpose()
    }

    /// The subject's key if it is in memory.
    pub(crate) fn cached(&self, subject: SubjectId) -> Option<Arc<DataKey>> {
        self.keys.get(&subject)
    }

    /// Forgets the subject's key, and any read of it still in flight.
    pub(crate) fn uncache(&self, subject: SubjectId) {
        self.keys.invalidate(|s, _| *s == subject);
    }

    /// Appends `event` to the audit log on its own, durably.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn audit(&self, event: AuditEvent) -> Result<(), VaultError> {
        self.apply_audited(Batch::new(), event).await?;
        self.backend.flush().await?;
        Ok(())
    }

    /// Applies `batch` together with an audit entry for `event`.
    pub(crate) async fn apply_audited(
        &self,
        mut batch: Batch,
        event: AuditEvent,
    ) -> Result<(), VaultError> {
        let mut head = self.audit.lock().await;
        let next = head.append(&mut batch, self.clock.now(), event);
        self.backend.apply(batch).await?;
        *head = next;
        Ok(())
    }

    /// Walks the audit chain and names the first broken link. Entries
    /// appended while it runs are not checked.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn verify_audit(&self) -> Result<AuditReport, VaultError> {
        let head = self.audit.lock().await.clone();
        let mut verifier = Verifier::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .backend
                .scan(AUDIT, &[], after.as_deref(), 1024)
                .await?;
            let full = page.len() == 1024;
            for (key, value) in &page {
                if verifier.checked() >= head.next {
                    return Ok(verifier.finish(&head));
                }
                if let Err((seq, problem)) = verifier.check(key, value) {
                    return Ok(AuditReport::Broken { seq, problem });
                }
            }
            after = page.into_iter().last().map(|(k, _)| k);
            if !full {
                return Ok(verifier.finish(&head));
            }
        }
    }

    /// One page of the audit log: up to `limit` entries from `from` on.
    ///
    /// # Errors
    /// A backend failure or an entry that does not parse.
    pub async fn audit_entries(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, VaultError> {
        let start = from.checked_sub(1).map(u64::to_be_bytes);
        let page = self
            .backend
            .scan(AUDIT, &[], start.as_ref().map(|s| &s[..]), limit)
            .await?;
        page.iter()
            .map(|(_, value)| {
                value
                    .get(32..)
                    .and_then(|body| serde_json::from_slice(body).ok())
                    .ok_or(VaultError::Integrity("audit entry malformed"))
            })
            .collect()
    }

    /// Draws the next number of the counter `name`: 1, 2, 3, ...
    ///
    /// # Errors
    /// A backend failure.
    pub async fn next_number(&self, name: &str) -> Result<u64, VaultError> {
        let _guard = self.counters.lock().await;
        let key = format!("counter:{name}");
        let current = match self.backend.get(META, key.as_bytes()).await? {
            Some(bytes) => u64::from_be_bytes(
                bytes
                    .try_into()
                    .map_err(|_| VaultError::Integrity("counter malformed"))?,
            ),
            None => 0,
        };
        let next = current + 1;
        self.backend
            .put(META, key.as_bytes(), &next.to_be_bytes())
            .await?;
        Ok(next)
    }

    /// An adapter's bookkeeping value `key` (never personal data: the ids
    /// of handled updates, say), kept in plain text beside the counters.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn adapter_meta(&self, key: &str) -> Result<Option<Vec<u8>>, VaultError> {
        Ok(self.backend.get(META, &adapter_meta_key(key)).await?)
    }

    /// Writes an adapter's bookkeeping value `key` with one single write:
    /// durable with the next flush, and (the backend keeping a prefix of
    /// single writes) never without what was written before it.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn set_adapter_meta(&self, key: &str, value: &[u8]) -> Result<(), VaultError> {
        Ok(self
            .backend
            .put(META, &adapter_meta_key(key), value)
            .await?)
    }

    /// Makes every change so far durable.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn flush(&self) -> Result<(), VaultError> {
        Ok(self.backend.flush().await?)
    }

    /// Finishes erasures that a crash interrupted after the key was destroyed.
    pub(crate) async fn finish_erasures(&self) -> Result<(), VaultError> {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .backend
                .scan(ERASING, &[], after.as_deref(), 256)
                .await?;
            let full = page.len() == 256;
            for (key, receipt) in &page {
                let Some(subject) = layout::subject_of(key) else {
                    continue;
                };
                // An erasure running right now holds the lock: leave it be.
                if self.lock(subject).try_write().is_err() {
                    continue;
                }
                let receipt = String::from_utf8_lossy(receipt).into_owned();
                tracing::warn!(subject = %subject.log_tag(), "finishing an interrupted erasure");
                self.erase_with_receipt(subject, receipt, crate::audit::Actor::System)
                    .await?;
            }
            after = page.into_iter().last().map(|(k, _)| k);
            if !full {
                return Ok(());
            }
        }
    }
}

pub(crate) fn meta_bytes(slot: u64) -> Vec<u8> {
    serde_json::to_vec(&SubjectMeta { slot }).expect("subject entries serialise")
}

/// Brings a store written by an earlier Botwerk to the current layout,
/// before anything else reads it. Idempotent, so a crash in the middle only
/// means it runs again.
async fn migrate(backend: &dyn Backend) -> Result<(), VaultError> {
    let version = backend.get(META, LAYOUT).await?;
    match version.as_deref() {
        Some([v]) if *v == LAYOUT_VERSION => return Ok(()),
        Some([v]) if *v > LAYOUT_VERSION => {
            return Err(VaultError::Invalid(format!(
                "the store has layout {v}, written by a newer Botwerk; this one reads layout {LAYOUT_VERSION}: upgrade Botwerk"
            )))
        }
        Some([_]) | None => {}
        Some(_) => {
            return Err(VaultError::Invalid(
                "the store's layout marker is damaged".into(),
            ))
        }
    }
    // Layout 1 keyed the expiry index by the exact expiry: move every entry
    // to its hour slot, or the purge would never find the records again.
    let moved = rewrite_tree(backend, EXPIRY, |key, _, batch| {
        let Some((expires, record)) = layout::split_expiry(key) else {
            return false;
        };
        let slotted = layout::expiry_key(expires, record);
        if slotted == key {
            return false;
        }
        batch.delete(EXPIRY, key.to_vec());
        batch.put(EXPIRY, slotted, Vec::new());
        true
    })
    .await?;
    if moved > 0 {
        tracing::info!(entries = moved, "expiry index moved to hourly slots");
    }
    backend.put(META, LAYOUT, &[LAYOUT_VERSION]).await?;
    backend.flush().await?;
    Ok(())
}

/// When the operator changed a category's retention since the last open,
/// moves the expiry index entries of its records, so that the purge finds
/// them when the new retention ends (reads already apply it). A record never
/// outlives the retention in force; a longer one does not lengthen what was
/// written under the shorter. Scans every record, once per change.
async fn follow_retentions(backend: &dyn Backend, inventory: &Inventory) -> Result<(), VaultError> {
    use std::collections::BTreeMap;
    let current: BTreeMap<String, i64> = inventory
        .categories()
        .filter_map(|c| Some((c.name.clone(), c.retention?.num_milliseconds())))
        .collect();
    let stored: BTreeMap<String, i64> = match backend.get(META, RETENTIONS).await? {
        Some(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        None => BTreeMap::new(),
    };
    if stored == current {
        return Ok(());
    }
    let changed: std::collections::HashSet<&str> = current
        .keys()
        .chain(stored.keys())
        .filter(|c| current.get(*c) != stored.get(*c))
        .map(String::as_str)
        .collect();
    let under = |ms: Option<&i64>| ms.map(|ms| chrono::Duration::milliseconds(*ms));
    let moved = rewrite_tree(backend, RECORDS, |key, value, batch| {
        let Some(category) = layout::category_of(key).filter(|c| changed.contains(c)) else {
            return false;
        };
        let Ok(header) = layout::Header::decode(value) else {
            return false;
        };
        let entry = |retention: Option<&i64>| {
            layout::expiry_key(crate::records::expiry_under(header, under(retention)), key)
        };
        let (was, now) = (entry(stored.get(category)), entry(current.get(category)));
        if was == now {
            return false;
        }
        batch.put(EXPIRY, now, Vec::new());
        batch.delete(EXPIRY, was);
        true
    })
    .await?;
    if moved > 0 {
        tracing::info!(records = moved, "retention changed: expiry index updated");
    }
    let bytes = serde_json::to_vec(&current)
        .map_err(|e| VaultError::Invalid(format!("retentions cannot be recorded: {e}")))?;
    backend.put(META, RETENTIONS, &bytes).await?;
    backend.flush().await?;
    Ok(())
}

/// Goes through every entry of `tree`, a page at a time; `f` adds what an
/// entry needs changed to the page's batch and says whether it did. Each
/// page's batch is applied before the next page is read. Returns how many
/// entries `f` changed.
async fn rewrite_tree(
    backend: &dyn Backend,
    tree: &str,
    mut f: impl FnMut(&[u8], &[u8], &mut Batch) -> bool,
) -> Result<u64, VaultError> {
    const PAGE: usize = 1024;
    let mut changed = 0u64;
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = backend.scan(tree, &[], after.as_deref(), PAGE).await?;
        let full = page.len() == PAGE;
        let mut batch = Batch::new();
        for (key, value) in &page {
            if f(key, value, &mut batch) {
                changed += 1;
            }
        }
        if !batch.is_empty() {
            backend.apply(batch).await?;
        }
        after = page.into_iter().last().map(|(k, _)| k);
        if !full {
            return Ok(changed);
        }
    }
}

/// The `META` key of an adapter's bookkeeping value `key`.
fn adapter_meta_key(key: &str) -> Vec<u8> {
    format!("adapter:{key}").into_bytes()
}
