//! The inbox: an adapter's unhandled input, kept sealed until it is handled,
//! and unrecoverable once dropped.

mod common;

use botwerk_vault::{Backend, VaultError};
use common::fixture;

/// The stored batches: their keys in the store and their sealed bytes.
async fn stored(backend: &dyn Backend) -> Vec<(Vec<u8>, Vec<u8>)> {
    backend.scan("meta", b"inbox:", None, 1000).await.unwrap()
}

#[tokio::test]
async fn kept_input_survives_a_restart_until_it_is_dropped() {
    let f = fixture().await;
    f.vault.keep_input("telegram", 7, b"first").await.unwrap();
    f.vault.keep_input("telegram", 9, b"second").await.unwrap();
    f.vault.keep_input("discord", 7, b"other").await.unwrap();
    f.vault.flush().await.unwrap();

    let reopened = f.reopen().await;
    assert_eq!(
        reopened.kept_input("telegram").await.unwrap(),
        vec![(7, b"first".to_vec()), (9, b"second".to_vec())]
    );
    reopened.drop_input("telegram", 7).await.unwrap();
    reopened.drop_input("telegram", 8).await.unwrap(); // never kept: no error
    drop(reopened);

    let reopened = f.reopen().await;
    assert_eq!(
        reopened.kept_input("telegram").await.unwrap(),
        vec![(9, b"second".to_vec())]
    );
    assert_eq!(
        reopened.kept_input("discord").await.unwrap(),
        vec![(7, b"other".to_vec())]
    );
}

#[tokio::test]
async fn kept_input_is_sealed() {
    let f = fixture().await;
    f.vault
        .keep_input("telegram", 1, b"my address is Hauptstrasse 1")
        .await
        .unwrap();
    let batches = stored(f.backend.as_ref()).await;
    assert_eq!(batches.len(), 1);
    let (_, sealed) = &batches[0];
    assert!(!sealed.windows(12).any(|w| w == b"Hauptstrasse"));
}

#[tokio::test]
async fn a_dropped_batch_cannot_be_opened_from_a_copy_the_store_kept() {
    let f = fixture().await;
    f.vault
        .keep_input("telegram", 1, b"to be forgotten")
        .await
        .unwrap();
    // What a log-structured store may still hold after the batch is gone.
    let copy = stored(f.backend.as_ref()).await.remove(0);
    f.vault.drop_input("telegram", 1).await.unwrap();
    assert!(stored(f.backend.as_ref()).await.is_empty());

    f.backend.put("meta", &copy.0, &copy.1).await.unwrap();
    let reopened = f.reopen().await;
    assert!(
        reopened.kept_input("telegram").await.unwrap().is_empty(),
        "its key was destroyed"
    );
    assert!(
        stored(f.backend.as_ref()).await.is_empty(),
        "and it is deleted"
    );

    // The same while a newer batch holds the slot, with a key of its own.
    reopened.keep_input("telegram", 2, b"next").await.unwrap();
    f.backend.put("meta", &copy.0, &copy.1).await.unwrap();
    drop(reopened);
    let reopened = f.reopen().await;
    assert_eq!(
        reopened.kept_input("telegram").await.unwrap(),
        vec![(2, b"next".to_vec())],
        "the copy does not open, and the batch kept since is untouched"
    );
    reopened.drop_input("telegram", 2).await.unwrap();
    assert!(stored(f.backend.as_ref()).await.is_empty());
}

#[tokio::test]
async fn batches_reuse_their_key_slots() {
    let f = fixture().await;
    let keystore = f.vault.keystore_path().to_owned();
    for batch in 0..3 {
        f.vault.keep_input("telegram", batch, b"x").await.unwrap();
    }
    let size = std::fs::metadata(&keystore).unwrap().len();
    for batch in 0..3 {
        f.vault.drop_input("telegram", batch).await.unwrap();
    }
    for batch in 3..50 {
        f.vault.keep_input("telegram", batch, b"x").await.unwrap();
        f.vault.drop_input("telegram", batch).await.unwrap();
    }
    assert_eq!(
        std::fs::metadata(&keystore).unwrap().len(),
        size,
        "no slot beyond the three batches kept at once"
    );
}

#[tokio::test]
async fn a_full_inbox_says_so_and_keeps_what_it_has() {
    let f = fixture().await;
    let mut batch = 0;
    let full = loop {
        match f.vault.keep_input("telegram", batch, b"x").await {
            Ok(()) => batch += 1,
            Err(e) => break e,
        }
        assert!(batch <= 1000, "the inbox never fills");
    };
    assert!(matches!(full, VaultError::InboxFull), "{full}");
    assert_eq!(
        f.vault.kept_input("telegram").await.unwrap().len() as u64,
        batch
    );
    f.vault.drop_input("telegram", 0).await.unwrap();
    f.vault.keep_input("telegram", batch, b"x").await.unwrap();
}

#[tokio::test]
async fn a_batch_kept_again_is_replaced() {
    let f = fixture().await;
    f.vault.keep_input("telegram", 1, b"old").await.unwrap();
    f.vault.keep_input("telegram", 1, b"new").await.unwrap();
    assert_eq!(
        f.vault.kept_input("telegram").await.unwrap(),
        vec![(1, b"new".to_vec())]
    );
    assert_eq!(stored(f.backend.as_ref()).await.len(), 1);
}

#[tokio::test]
async fn a_key_whose_batch_a_crash_lost_is_destroyed_at_the_next_start() {
    let f = fixture().await;
    f.vault.keep_input("telegram", 1, b"x").await.unwrap();
    let keystore = f.vault.keystore_path().to_owned();
    let last_slot = |bytes: &[u8]| bytes[bytes.len() - 96..].to_vec();
    assert!(last_slot(&std::fs::read(&keystore).unwrap())
        .iter()
        .any(|&b| b != 0));
    // The crash came after the key was written and before the batch was.
    let (key, _) = stored(f.backend.as_ref()).await.remove(0);
    f.backend.delete("meta", &key).await.unwrap();

    let reopened = f.reopen().await;
    assert!(last_slot(&std::fs::read(&keystore).unwrap())
        .iter()
        .all(|&b| b == 0));
    assert!(reopened.kept_input("telegram").await.unwrap().is_empty());
}
