//! `/admin` in a private chat: the instance's admins get the audit check,
//! the key check, the purge and the record of processing; everyone else gets
//! an ordinary unknown command, and nothing of it reaches a group.

use botwerk::vault::AuditEvent;
use botwerk_testkit::Person;
use botwerk_tests::{shop_policy, texts, Harness};

async fn shop_with_admin(admin: &Person) -> Harness {
    let identity = admin.identity().clone();
    Harness::start_with(botwerk_shop::bot(), shop_policy(), move |builder| {
        builder.admins([identity])
    })
    .await
}

async fn chat_accesses(h: &Harness) -> Vec<String> {
    h.vault
        .audit_entries(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|entry| match entry.event {
            AuditEvent::OperatorAccess { action, .. } if action.starts_with("chat:") => {
                Some(action)
            }
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_checks_the_audit_log_and_the_keys_and_each_use_is_audited() {
    let ada = Person::new("ada");
    let h = shop_with_admin(&ada).await;

    let help = texts(&h.say(&ada, "/admin").await);
    assert!(help.contains("/admin audit"), "{help}");
    assert!(help.contains("/admin record"), "{help}");

    let audit = texts(&h.say(&ada, "/admin audit").await);
    assert!(audit.contains("The audit log is intact"), "{audit}");
    let keys = texts(&h.say(&ada, "/admin keys").await);
    assert!(keys.contains("Key check:"), "{keys}");
    assert!(keys.contains(", 0 do not."), "{keys}");

    assert_eq!(chat_accesses(&h).await, ["chat:audit", "chat:keys"]);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_of_processing_comes_as_a_file_and_the_purge_reports() {
    let ada = Person::new("ada").speaking("de");
    let h = shop_with_admin(&ada).await;

    let replies = h.say(&ada, "/admin record").await;
    let (name, bytes) = replies
        .iter()
        .find_map(|m| m.file())
        .expect("the record comes as a file");
    assert_eq!(name, "record-of-processing.md");
    let record = String::from_utf8_lossy(bytes);
    assert!(record.contains("order"), "the shop's purposes are in it");
    assert!(
        replies.iter().all(|m| m.is_public_in(ada.chat())),
        "into the admin's private chat"
    );

    let purge = texts(&h.say(&ada, "/admin purge").await);
    assert!(purge.contains("Bereinigung fertig"), "in German: {purge}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn others_get_an_unknown_command_and_a_group_cannot_tell_who_is_admin() {
    let ada = Person::new("ada");
    let h = shop_with_admin(&ada).await;

    let bob = Person::new("bob");
    let reply = texts(&h.say(&bob, "/admin audit").await);
    let unknown = texts(&h.say(&bob, "/frobnicate").await);
    assert_eq!(
        reply,
        unknown.replace("/frobnicate", "/admin"),
        "the same answer as to any unknown command"
    );

    let help = texts(&h.say(&ada, "/help").await);
    assert!(!help.contains("/admin"), "/help is for everyone: {help}");

    // In a group the admin's /admin looks like anyone's unknown command;
    // only the admin hears, privately, where it works.
    let in_group = ada.in_group("team");
    let replies = h.say(&in_group, "/admin audit").await;
    let bob_in_group = bob.in_group("team");
    let others = h.say(&bob_in_group, "/admin audit").await;
    let public = |replies: &[botwerk_testkit::SentMessage]| {
        replies
            .iter()
            .filter(|m| m.is_public_in(in_group.chat()))
            .map(|m| m.text().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(public(&replies), public(&others), "the group cannot tell");
    let private: Vec<_> = replies
        .iter()
        .filter(|m| m.is_private_to(ada.identity()))
        .collect();
    assert_eq!(private.len(), 1, "{replies:?}");
    assert!(
        private[0].text().contains("private chat with me only"),
        "{}",
        private[0].text()
    );
    assert!(!texts(&replies).contains("intact"));

    let anonymous = ada.anonymous();
    let reply = texts(&h.say(&anonymous, "/admin audit").await);
    assert!(!reply.contains("audit log"), "{reply}");

    assert!(chat_accesses(&h).await.is_empty(), "nothing was accessed");
    h.stop().await;
}
