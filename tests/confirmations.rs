//! The `/forgetme` confirmation: a foreign, stale, replayed or forged press
//! erases nothing; the right press within ten minutes erases and gives a
//! receipt. And the newsletter's double opt-in.

use botwerk_testkit::Person;
use botwerk_tests::{texts, Harness};
use chrono::Duration;

async fn with_order(h: &Harness, person: &Person) {
    h.say(person, "/order").await;
    h.tap(person, "Coffee").await;
    h.say(person, "1").await;
    h.say(person, "Lindenweg 3, 80331 München").await;
    h.tap(person, "Place order").await;
}

async fn exists(h: &Harness, person: &Person) -> bool {
    h.vault
        .find_subject(person.identity())
        .await
        .unwrap()
        .is_some()
}

const INVALID: &str = "This confirmation is not valid";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_right_press_in_time_erases() {
    let h = Harness::shop().await;
    let alice = Person::new("alice");
    let mallory = Person::new("mallory");
    with_order(&h, &alice).await;
    with_order(&h, &mallory).await;

    h.say(&alice, "/forgetme").await;
    let confirm = h.button("Yes, erase everything");
    assert!(confirm.starts_with("bw:f:"));

    // Someone else presses Alice's button.
    assert!(texts(&h.press(&mallory, &confirm).await).contains(INVALID));
    assert!(exists(&h, &alice).await && exists(&h, &mallory).await);

    // Forged data: a nonce that was never issued, and garbage.
    let forged = format!("bw:f:{}", "0".repeat(32));
    assert!(texts(&h.press(&alice, &forged).await).contains(INVALID));
    assert!(texts(&h.press(&alice, "bw:f:../../etc").await).contains("no longer valid"));
    assert!(exists(&h, &alice).await);

    // Stale: eleven minutes later.
    h.clock.advance(Duration::minutes(11));
    assert!(texts(&h.press(&alice, &confirm).await).contains(INVALID));
    assert!(exists(&h, &alice).await);

    // A fresh confirmation works once.
    h.say(&alice, "/forgetme").await;
    let fresh = h.button("Yes, erase everything");
    assert_ne!(fresh, confirm);
    let done = texts(&h.press(&alice, &fresh).await);
    assert!(done.contains("Your receipt: ER-"), "{done}");
    assert!(!exists(&h, &alice).await);

    // Replayed: nothing more happens, and the other person is untouched.
    assert!(texts(&h.press(&alice, &fresh).await).contains(INVALID));
    assert!(exists(&h, &mallory).await);

    // "Keep my data" keeps it.
    h.say(&mallory, "/forgetme").await;
    assert!(texts(&h.tap(&mallory, "No, keep my data").await).contains("nothing was erased"));
    assert!(exists(&h, &mallory).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newsletter_needs_a_confirmed_double_opt_in() {
    let h = Harness::shop().await;
    let nina = Person::new("nina");

    let age = texts(&h.say(&nina, "/subscribe").await);
    assert!(
        age.contains("are you 16 years or older?"),
        "the age comes first: {age}"
    );
    let asked = texts(&h.tap(&nina, "Yes, 16 or older").await);
    assert!(asked.contains("Please confirm"), "{asked}");
    assert!(
        !asked.to_lowercase().contains("offer:"),
        "no advertising in the confirmation"
    );
    let subject = h
        .vault
        .find_subject(nina.identity())
        .await
        .unwrap()
        .unwrap();
    assert!(
        !h.privacy.marketing_allowed(subject).await.unwrap(),
        "not before the press"
    );
    let ledger = h.vault.consent_history(subject).await.unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        ledger[0].event.action,
        botwerk::vault::ConsentAction::Requested
    );

    assert!(texts(&h.tap(&nina, "Yes, subscribe me").await).contains("you are subscribed"));
    assert!(h.privacy.marketing_allowed(subject).await.unwrap());
    let ledger = h.vault.consent_history(subject).await.unwrap();
    assert_eq!(
        ledger[1].event.action,
        botwerk::vault::ConsentAction::Granted
    );
    assert_eq!(ledger[1].event.mechanism, "double-opt-in:memory");
    assert!(texts(&h.say(&nina, "/subscribe").await).contains("already subscribed"));

    // One tap ends it, at once.
    let gone = texts(
        &h.press(&nina, &botwerk::privacy::unsubscribe_button_data())
            .await,
    );
    assert!(gone.contains("Unsubscribed"), "{gone}");
    assert!(
        !h.privacy.marketing_allowed(subject).await.unwrap(),
        "checked at send time"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_subscription_expires_after_72_hours() {
    let h = Harness::shop().await;
    let otto = Person::new("otto");
    h.say(&otto, "/subscribe").await;
    h.tap(&otto, "Yes, 16 or older").await;
    h.clock.advance(Duration::hours(73));
    assert!(texts(&h.tap(&otto, "Yes, subscribe me").await).contains("has expired"));
    let subject = h
        .vault
        .find_subject(otto.identity())
        .await
        .unwrap()
        .unwrap();
    assert!(!h.privacy.marketing_allowed(subject).await.unwrap());
    assert!(texts(&h.say(&otto, "/unsubscribe").await).contains("were not subscribed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mydata_is_limited_to_three_a_day() {
    let h = Harness::shop().await;
    let paul = Person::new("paul");
    with_order(&h, &paul).await;
    for _ in 0..3 {
        assert!(h
            .say(&paul, "/mydata")
            .await
            .iter()
            .any(|m| m.file().is_some()));
    }
    let limited = h.say(&paul, "/mydata").await;
    assert!(limited.iter().all(|m| m.file().is_none()));
    assert!(
        texts(&limited).contains("3 times a day. Please try again after 2026-03-02 12:00"),
        "{}",
        texts(&limited)
    );
    h.clock.advance(Duration::hours(24) + Duration::minutes(1));
    assert!(h
        .say(&paul, "/mydata")
        .await
        .iter()
        .any(|m| m.file().is_some()));
}
