//! The running vault answers reads of small records from memory: what it
//! answers must follow every change of the store it makes, one record at a
//! time or in bulk.

mod common;

use botwerk_core::{Chat, ChatKind, Platform};
use botwerk_vault::{
    Actor, Backend, BackendError, Batch, Entry, MemoryBackend, Vault, VaultError, VaultOptions,
};
use chrono::Duration;
use common::{fixture, inventory, start_time, telegram, Fixture};
use std::sync::Arc;

async fn value(vault: &Vault, subject: botwerk_core::SubjectId, key: &str) -> Option<Vec<u8>> {
    vault
        .get(subject, "orders", key)
        .await
        .unwrap()
        .map(|r| r.value)
}

/// One sequence of writes, deletes and bulk changes, each followed by the
/// read that must see it.
async fn every_change_is_seen(f: &Fixture) {
    let v = &f.vault;
    let a = v.subject_for(&telegram(1)).await.unwrap();
    let b = v.subject_for(&telegram(2)).await.unwrap();

    assert_eq!(value(v, a, "1").await, None, "nothing yet, and now known");
    v.put(a, "orders", "1", b"first").await.unwrap();
    assert_eq!(value(v, a, "1").await.as_deref(), Some(&b"first"[..]));
    v.put(a, "orders", "1", b"second").await.unwrap();
    assert_eq!(value(v, a, "1").await.as_deref(), Some(&b"second"[..]));
    assert!(v.delete(a, "orders", "1").await.unwrap());
    assert_eq!(value(v, a, "1").await, None);
    assert!(!v.delete(a, "orders", "1").await.unwrap(), "deleted once");
    v.put(a, "orders", "1", b"third").await.unwrap();
    assert_eq!(value(v, a, "1").await.as_deref(), Some(&b"third"[..]));

    // A category erased in bulk.
    v.put(b, "orders", "1", b"bob's").await.unwrap();
    assert_eq!(v.erase_category(a, "orders").await.unwrap(), 1);
    assert_eq!(value(v, a, "1").await, None, "erased with its category");
    assert_eq!(
        value(v, b, "1").await.as_deref(),
        Some(&b"bob's"[..]),
        "another subject's record stays"
    );

    // A dialog state, and the whole subject erased.
    let chat = Chat::new(Platform::Telegram, 1_i64, ChatKind::Private);
    v.save_state(a, &chat, None, b"step 2").await.unwrap();
    assert_eq!(
        v.load_state(a, &chat).await.unwrap().as_deref(),
        Some(&b"step 2"[..])
    );
    v.put(a, "orders", "2", b"fourth").await.unwrap();
    v.erase(a, Actor::Subject).await.unwrap();
    assert_eq!(v.load_state(a, &chat).await.unwrap(), None);
    assert_eq!(value(v, a, "2").await, None);
    assert!(
        matches!(
            v.put(a, "orders", "3", b"too late").await,
            Err(VaultError::Erased)
        ),
        "nothing is written for an erased subject"
    );
    assert_eq!(value(v, b, "1").await.as_deref(), Some(&b"bob's"[..]));

    // Past its retention a record reads as gone; the purge deletes it, and
    // the same key written again gets an expiry entry of its own: the next
    // purge deletes it too.
    v.put(b, "address", "home", b"street 1").await.unwrap();
    assert!(v.get(b, "address", "home").await.unwrap().is_some());
    f.clock.advance(Duration::days(2));
    assert!(v.get(b, "address", "home").await.unwrap().is_none());
    assert_eq!(v.purge().await.unwrap().records, 1);
    v.put(b, "address", "home", b"street 2").await.unwrap();
    assert_eq!(
        v.get(b, "address", "home").await.unwrap().unwrap().value,
        b"street 2"
    );
    f.clock.advance(Duration::days(2));
    assert_eq!(v.purge().await.unwrap().records, 1, "purged again");
    assert!(v.get(b, "address", "home").await.unwrap().is_none());
}

#[tokio::test]
async fn what_a_running_vault_remembers_follows_every_change() {
    let f = fixture().await;
    every_change_is_seen(&f).await;
    // And a reopened vault, starting from the store alone, agrees.
    let reopened = f.reopen().await;
    let b = reopened.subject_for(&telegram(2)).await.unwrap();
    assert_eq!(
        value(&reopened, b, "1").await.as_deref(),
        Some(&b"bob's"[..])
    );
}

#[tokio::test]
async fn without_the_record_cache_the_same_holds() {
    let dir = tempfile::tempdir().unwrap();
    let backend = Arc::new(MemoryBackend::new());
    let clock = Arc::new(botwerk_core::ManualClock::new(start_time()));
    let mut options = VaultOptions::in_dir(dir.path()).clock(clock.clone());
    options.record_cache = 0;
    let vault = Vault::open(backend.clone(), inventory(), options)
        .await
        .unwrap();
    let f = Fixture {
        vault,
        backend,
        clock,
        dir,
    };
    every_change_is_seen(&f).await;
}

/// A backend that stops after the next atomic batch has landed, until told
/// to go on: the moment between a subject's creation and the creating task
/// going on, in which someone else may already find and erase the subject.
struct Pausing {
    inner: MemoryBackend,
    armed: std::sync::atomic::AtomicBool,
    landed: tokio::sync::Notify,
    resume: tokio::sync::Notify,
}

#[async_trait::async_trait]
impl Backend for Pausing {
    async fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        self.inner.get(tree, key).await
    }
    async fn put(&self, tree: &str, key: &[u8], value: &[u8]) -> Result<(), BackendError> {
        self.inner.put(tree, key, value).await
    }
    async fn delete(&self, tree: &str, key: &[u8]) -> Result<(), BackendError> {
        self.inner.delete(tree, key).await
    }
    async fn scan(
        &self,
        tree: &str,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Entry>, BackendError> {
        self.inner.scan(tree, prefix, after, limit).await
    }
    async fn apply(&self, batch: Batch) -> Result<(), BackendError> {
        self.inner.apply(batch).await?;
        if self.armed.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.landed.notify_one();
            self.resume.notified().await;
        }
        Ok(())
    }
    async fn flush(&self) -> Result<(), BackendError> {
        self.inner.flush().await
    }
}

#[tokio::test]
async fn a_subject_erased_while_it_was_being_created_stays_erased() {
    let dir = tempfile::tempdir().unwrap();
    let backend = Arc::new(Pausing {
        inner: MemoryBackend::new(),
        armed: std::sync::atomic::AtomicBool::new(false),
        landed: tokio::sync::Notify::new(),
        resume: tokio::sync::Notify::new(),
    });
    let vault = Arc::new(
        Vault::open(
            backend.clone(),
            inventory(),
            VaultOptions::in_dir(dir.path()),
        )
        .await
        .unwrap(),
    );
    backend
        .armed
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let creating = tokio::spawn({
        let vault = Arc::clone(&vault);
        async move { vault.subject_for(&telegram(1)).await }
    });
    backend.landed.notified().await;
    // The subject is in the store; its creator has not gone on yet.
    let a = vault.find_subject(&telegram(1)).await.unwrap().unwrap();
    vault.erase(a, Actor::Subject).await.unwrap();
    backend.resume.notify_one();
    assert_eq!(creating.await.unwrap().unwrap(), a);

    assert!(
        matches!(
            vault.put(a, "orders", "1", b"after the erasure").await,
            Err(VaultError::Erased)
        ),
        "the creator's key in memory must not let a write through"
    );
    assert_eq!(value(&vault, a, "1").await, None);
}
