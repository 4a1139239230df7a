//! The support bot's ticket dialog through the memory adapter.

use std::sync::Arc;

use botwerk::core::{CancellationToken, Outcome};
use botwerk::privacy::Policy;
use botwerk::vault::Vault;
use botwerk::Instance;
use botwerk_testkit::{MemoryAdapter, Person, Users};

struct Support {
    users: Users,
    vault: Arc<Vault>,
    _dir: tempfile::TempDir,
}

async fn start() -> Support {
    let (adapter, users) = MemoryAdapter::new();
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy::parse(botwerk_support::SAMPLE_POLICY, "policy.toml".as_ref()).unwrap();
    let instance = Instance::builder(botwerk_support::bot())
        .in_memory(dir.path())
        .policy(policy)
        .adapter(adapter)
        .build()
        .await
        .unwrap();
    let vault = Arc::clone(instance.vault());
    tokio::spawn(instance.run(CancellationToken::new()));
    Support {
        users,
        vault,
        _dir: dir,
    }
}

async fn say(s: &Support, p: &Person, line: &str) -> String {
    assert_eq!(s.users.send(p.says(line)).await, Outcome::Handled);
    s.users.last().text().to_owned()
}

async fn press(s: &Support, p: &Person, data: &str) -> String {
    assert_eq!(s.users.send(p.presses(data)).await, Outcome::Handled);
    s.users.last().text().to_owned()
}

#[tokio::test]
async fn a_ticket_is_opened_listed_and_kept_30_days() {
    let s = start().await;
    let kim = Person::new("kim");
    assert!(say(&s, &kim, "/ticket")
        .await
        .contains("What is your request about?"));
    assert!(say(&s, &kim, "payment").await.contains("choose a topic"));
    assert!(press(&s, &kim, "t:payment")
        .await
        .contains("describe your request"));
    assert!(say(&s, &kim, "too short").await.contains("10 to 2000"));
    let confirm = say(&s, &kim, "My payment was taken twice for order 42.").await;
    assert!(
        confirm.contains("Topic: A payment") && confirm.contains("taken twice"),
        "{confirm}"
    );
    assert_eq!(
        press(&s, &kim, "k:send").await,
        "Ticket #1 is open. We answer you here."
    );
    assert_eq!(say(&s, &kim, "/tickets").await.lines().count(), 2);

    let subject = s.vault.find_subject(kim.identity()).await.unwrap().unwrap();
    let ticket = s.vault.get(subject, "tickets", "1").await.unwrap().unwrap();
    assert_eq!((ticket.expires_at - ticket.written_at).num_days(), 30);
}

#[tokio::test]
async fn cancelling_opens_nothing_and_groups_get_a_pointer() {
    let s = start().await;
    let lou = Person::new("lou").speaking("de");
    say(&s, &lou, "/ticket").await;
    press(&s, &lou, "t:order").await;
    say(&s, &lou, "Meine Bestellung ist nicht angekommen.").await;
    assert_eq!(
        press(&s, &lou, "k:cancel").await,
        "Es wurde kein Ticket eröffnet."
    );
    assert!(say(&s, &lou, "/tickets")
        .await
        .contains("keine offenen Tickets"));
    let reply = say(&s, &lou.in_group("g"), "/ticket").await;
    assert!(reply.contains("privat"), "{reply}");
}

#[test]
fn every_text_exists_in_german() {
    let catalog = botwerk_support::bot().catalog().unwrap();
    assert_eq!(catalog.missing("de"), Vec::<String>::new());
}
