//! The newsletter bot: topics need the subscription's consent.

use botwerk::core::{CancellationToken, Outcome};
use botwerk::privacy::Policy;
use botwerk::Instance;
use botwerk_testkit::{MemoryAdapter, Person};

#[tokio::test]
async fn topics_need_a_confirmed_subscription() {
    let (adapter, users) = MemoryAdapter::new();
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy::parse(botwerk_newsletter::SAMPLE_POLICY, "policy.toml".as_ref()).unwrap();
    let instance = Instance::builder(botwerk_newsletter::bot())
        .in_memory(dir.path())
        .policy(policy)
        .adapter(adapter)
        .build()
        .await
        .unwrap();
    let privacy = std::sync::Arc::clone(instance.privacy());
    let vault = std::sync::Arc::clone(instance.vault());
    tokio::spawn(instance.run(CancellationToken::new()));
    let mia = Person::new("mia");
    let send = |line: &'static str| users.send(mia.says(line));

    assert_eq!(send("/topics").await, Outcome::Handled);
    assert!(
        users.last().text().contains("are you 16 years or older?"),
        "{}",
        users.last().text()
    );
    assert!(vault.find_subject(mia.identity()).await.unwrap().is_none());

    send("/subscribe").await;
    let age_yes = users.last().button("Yes, 16 or older").unwrap();
    users.send(mia.presses(&age_yes)).await;
    let confirm = users.last().button("Yes, subscribe me").unwrap();
    users.send(mia.presses(&confirm)).await;
    let subject = vault.find_subject(mia.identity()).await.unwrap().unwrap();
    assert!(privacy.marketing_allowed(subject).await.unwrap());

    send("/topics").await;
    users.send(mia.presses("/topics events")).await;
    assert!(users.last().text().contains("Your topics"));
    assert!(users
        .last()
        .buttons()
        .iter()
        .any(|(label, _)| label == "✓ Events"));

    users
        .send(mia.presses(&botwerk::privacy::unsubscribe_button_data()))
        .await;
    assert!(
        vault
            .get(subject, "newsletter-topics", "chosen")
            .await
            .unwrap()
            .is_none(),
        "topics go with the consent"
    );
}

#[test]
fn every_text_exists_in_german() {
    assert_eq!(
        botwerk_newsletter::bot().catalog().unwrap().missing("de"),
        Vec::<String>::new()
    );
}
