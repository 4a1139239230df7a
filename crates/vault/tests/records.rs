//! Subjects, pseudonyms and sealed records.

mod common;

use botwerk_core::{Identity, Platform};
use botwerk_vault::{Backend, VaultError};
use common::{fixture, telegram};

#[tokio::test]
async fn identities_map_to_stable_subjects_without_raw_ids_in_keys() {
    let f = fixture().await;
    assert_eq!(
        f.vault.find_subject(&telegram(4711)).await.unwrap(),
        None,
        "looking creates nothing"
    );
    let a = f.vault.subject_for(&telegram(4711)).await.unwrap();
    assert_eq!(f.vault.subject_for(&telegram(4711)).await.unwrap(), a);
    assert_eq!(
        f.vault.find_subject(&telegram(4711)).await.unwrap(),
        Some(a)
    );
    let b = f
        .vault
        .subject_for(&Identity::new(Platform::Discord, 4711_i64))
        .await
        .unwrap();
    assert_ne!(
        a, b,
        "the same number on another platform is another person"
    );
    for tree in ["pseudonyms", "subjects", "identities"] {
        for (key, _) in f.backend.scan(tree, b"", None, 100).await.unwrap() {
            let text = String::from_utf8_lossy(&key);
            assert!(!text.contains("4711"), "no raw id in a key of `{tree}`");
        }
    }
}

#[tokio::test]
async fn a_subject_may_own_several_identities() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    let discord = Identity::new(Platform::Discord, 99_u64);
    f.vault.link(a, &discord).await.unwrap();
    assert_eq!(f.vault.find_subject(&discord).await.unwrap(), Some(a));
    let mut ids = f.vault.identities(a).await.unwrap();
    ids.sort();
    assert_eq!(ids, vec![telegram(1), discord.clone()]);
    let b = f.vault.subject_for(&telegram(2)).await.unwrap();
    assert!(matches!(
        f.vault.link(b, &discord).await,
        Err(VaultError::Invalid(_))
    ));
}

#[tokio::test]
async fn subjects_are_created_in_bulk_like_one_by_one() {
    let f = fixture().await;
    let existing = f.vault.subject_for(&telegram(1)).await.unwrap();
    let ids = [telegram(1), telegram(2), telegram(3), telegram(2)];
    let subjects = f.vault.create_subjects(&ids).await.unwrap();
    assert_eq!(subjects[0], existing, "an existing subject is kept");
    assert_eq!(
        subjects[1], subjects[3],
        "an identity listed twice gets one subject"
    );
    assert_ne!(subjects[1], subjects[2]);
    assert_ne!(subjects[1], existing);
    for (identity, subject) in ids.iter().zip(&subjects) {
        assert_eq!(f.vault.subject_for(identity).await.unwrap(), *subject);
        assert_eq!(
            f.vault.identities(*subject).await.unwrap(),
            vec![identity.clone()]
        );
    }
    f.vault
        .put(subjects[2], "orders", "1", b"bulk")
        .await
        .unwrap();
    assert_eq!(
        f.vault
            .get(subjects[2], "orders", "1")
            .await
            .unwrap()
            .unwrap()
            .value,
        b"bulk"
    );
    assert_eq!(f.vault.list_subjects(None, 100).await.unwrap().len(), 3);
}

#[tokio::test]
async fn records_round_trip_and_stay_with_their_subject() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    let b = f.vault.subject_for(&telegram(2)).await.unwrap();
    f.vault.put(a, "orders", "1", b"alice order").await.unwrap();
    f.vault
        .put(a, "orders", "1", b"alice order v2")
        .await
        .unwrap();
    f.vault.put(b, "orders", "1", b"bob order").await.unwrap();
    assert_eq!(
        f.vault.get(a, "orders", "1").await.unwrap().unwrap().value,
        b"alice order v2"
    );
    assert_eq!(
        f.vault.get(b, "orders", "1").await.unwrap().unwrap().value,
        b"bob order"
    );
    assert!(f.vault.get(a, "orders", "2").await.unwrap().is_none());
    assert!(f.vault.delete(a, "orders", "1").await.unwrap());
    assert!(!f.vault.delete(a, "orders", "1").await.unwrap());
    assert!(f.vault.get(a, "orders", "1").await.unwrap().is_none());
    assert_eq!(
        f.vault.get(b, "orders", "1").await.unwrap().unwrap().value,
        b"bob order"
    );
    let expiry = f.backend.scan("expiry", b"", None, 100).await.unwrap();
    assert_eq!(expiry.len(), 1, "one expiry entry per live record");
}

#[tokio::test]
async fn values_and_keys_are_not_stored_in_the_clear() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    f.vault
        .put(a, "orders", "key-CANARY", b"value-CANARY")
        .await
        .unwrap();
    for tree in ["records", "expiry"] {
        for (key, value) in f.backend.scan(tree, b"", None, 100).await.unwrap() {
            for bytes in [&key, &value] {
                assert!(!String::from_utf8_lossy(bytes).contains("CANARY"), "{tree}");
            }
        }
    }
}

#[tokio::test]
async fn lists_page_through_a_category() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    for i in 0..25 {
        f.vault
            .put(a, "orders", &format!("o{i}"), i.to_string().as_bytes())
            .await
            .unwrap();
    }
    f.vault.put(a, "address", "home", b"x").await.unwrap();
    let mut keys = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = f
            .vault
            .list(a, "orders", after.as_deref(), 10)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|r| r.key.clone());
        keys.extend(page.into_iter().map(|r| r.key));
    }
    keys.sort();
    let mut expected: Vec<String> = (0..25).map(|i| format!("o{i}")).collect();
    expected.sort();
    assert_eq!(keys, expected);
}

#[tokio::test]
async fn undeclared_categories_and_oversized_input_are_refused() {
    let f = fixture().await;
    let a = f.vault.subject_for(&telegram(1)).await.unwrap();
    assert!(matches!(
        f.vault.put(a, "shoe-size", "k", b"44").await,
        Err(VaultError::UnknownCategory(c)) if c == "shoe-size"
    ));
    assert!(matches!(
        f.vault.put(a, "orders", "", b"v").await,
        Err(VaultError::Invalid(_))
    ));
    let long_key = "k".repeat(botwerk_vault::MAX_KEY + 1);
    assert!(f.vault.put(a, "orders", &long_key, b"v").await.is_err());
    let big = vec![0u8; botwerk_vault::MAX_VALUE + 1];
    assert!(f.vault.put(a, "orders", "k", &big).await.is_err());
    assert!(
        f.backend
            .scan("records", b"", None, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing written"
    );
}

#[tokio::test]
async fn counters_count_from_one() {
    let f = fixture().await;
    assert_eq!(f.vault.next_number("order").await.unwrap(), 1);
    assert_eq!(f.vault.next_number("order").await.unwrap(), 2);
    assert_eq!(f.vault.next_number("ticket").await.unwrap(), 1);
}
