//! Data requests typed in a group put no data into the group; anonymous
//! group admins get no personal data.

use botwerk_testkit::Person;
use botwerk_tests::{texts, Harness};

async fn with_order(h: &Harness, person: &Person) {
    h.say(person, "/order").await;
    h.tap(person, "Coffee").await;
    h.say(person, "1").await;
    h.say(person, "GROUPCANARY-Weg 1, 10115 Berlin").await;
    h.tap(person, "Place order").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mydata_in_a_group_goes_to_the_person_privately() {
    let h = Harness::shop().await;
    let gina = Person::new("gina");
    with_order(&h, &gina).await;
    let in_group = gina.in_group("group-1");

    let replies = h.say(&in_group, "/mydata@shopbot").await;
    assert!(!replies.is_empty());
    for m in &replies {
        assert!(
            !m.is_public_in(in_group.chat()),
            "nothing public in the group: {:?}",
            m.out.target
        );
        assert!(m.is_private_to(gina.identity()));
    }
    assert!(replies.iter().any(|m| m.file().is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_private_messages_are_refused_the_group_gets_a_pointer_without_data() {
    let h = Harness::shop().await;
    let hans = Person::new("hans");
    with_order(&h, &hans).await;
    h.users.refuse_private(hans.identity());
    let in_group = hans.in_group("group-2");
    for command in ["/mydata", "/forgetme", "/consent"] {
        let replies = h.say(&in_group, command).await;
        assert_eq!(replies.len(), 1, "{command}");
        let pointer = &replies[0];
        assert!(pointer.is_public_in(in_group.chat()));
        assert!(pointer.file().is_none());
        assert!(
            pointer.buttons().is_empty(),
            "no confirmation button in the group"
        );
        assert!(
            pointer.text().contains("open a private chat with me"),
            "{}",
            pointer.text()
        );
        assert!(!pointer.text().contains("GROUPCANARY"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordering_in_a_group_is_sent_to_the_private_chat() {
    let h = Harness::shop().await;
    let ida = Person::new("ida");
    let in_group = ida.in_group("group-4");
    let replies = h.say(&in_group, "/order").await;
    assert_eq!(replies.len(), 1);
    assert!(
        replies[0]
            .text()
            .contains("Please send /order to me privately"),
        "{}",
        replies[0].text()
    );
    assert!(replies[0].buttons().is_empty());
    // The welcome's "Order now" button, pressed in the group, too.
    let pressed = h.press(&in_group, "/order").await;
    assert!(pressed[0].text().contains("privately"));
    assert!(
        h.vault
            .find_subject(ida.identity())
            .await
            .unwrap()
            .is_none(),
        "nothing stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_group_admins_get_no_personal_data() {
    let h = Harness::shop().await;
    let admin = Person::new("group-3").in_group("group-3").anonymous();
    for command in [
        "/mydata",
        "/forgetme",
        "/start",
        "/consent",
        "/order",
        "Hauptstraße 1, 10115 Berlin",
    ] {
        let replies = texts(&h.say(&admin, command).await);
        assert!(
            replies.contains("writing anonymously"),
            "{command}: {replies}"
        );
    }
    assert!(texts(&h.say(&admin, "/privacy").await).contains("Privacy notice"));
    assert!(h
        .vault
        .find_subject(admin.identity())
        .await
        .unwrap()
        .is_none());
}
