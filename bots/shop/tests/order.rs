//! The demo shop's order dialog, played through the memory adapter.

use std::sync::Arc;

use botwerk::core::{CancellationToken, Outcome};
use botwerk::vault::Vault;
use botwerk::Instance;
use botwerk_testkit::{MemoryAdapter, Person, Users};

struct Shop {
    users: Users,
    vault: Arc<Vault>,
    _dir: tempfile::TempDir,
}

impl Shop {
    async fn orders_of(&self, person: &Person) -> usize {
        let Some(subject) = self.vault.find_subject(person.identity()).await.unwrap() else {
            return 0;
        };
        self.vault
            .list(subject, botwerk_shop::ORDERS, None, 100)
            .await
            .unwrap()
            .len()
    }
}

async fn start() -> Shop {
    let (adapter, users) = MemoryAdapter::new();
    let dir = tempfile::tempdir().unwrap();
    let instance = Instance::builder(botwerk_shop::bot())
        .in_memory(dir.path())
        .adapter(adapter)
        .build()
        .await
        .unwrap();
    let vault = Arc::clone(instance.vault());
    tokio::spawn(instance.run(CancellationToken::new()));
    Shop {
        users,
        vault,
        _dir: dir,
    }
}

async fn say(users: &Users, person: &Person, line: &str) -> String {
    assert_eq!(users.send(person.says(line)).await, Outcome::Handled);
    users.last().text().to_owned()
}

async fn press(users: &Users, person: &Person, label_part: &str) -> String {
    // Like a person scrolling up: the newest message that has buttons.
    let with_buttons = users
        .sent()
        .into_iter()
        .rev()
        .find(|m| !m.buttons().is_empty())
        .expect("a message with buttons");
    let data = with_buttons
        .buttons()
        .into_iter()
        .find(|(label, _)| label.contains(label_part))
        .map(|(_, data)| data)
        .unwrap_or_else(|| panic!("a button labelled {label_part}"));
    assert_eq!(users.send(person.presses(&data)).await, Outcome::Handled);
    users.last().text().to_owned()
}

#[tokio::test]
async fn an_order_from_start_to_number() {
    let shop = start().await;
    let users = &shop.users;
    let alice = Person::new("alice");
    assert!(say(users, &alice, "/start").await.contains("demo shop"));
    assert!(press(users, &alice, "Order now")
        .await
        .contains("What would you like"));
    assert!(press(users, &alice, "Green tea").await.contains("How many"));
    assert!(say(users, &alice, "0").await.contains("1 to 99"));
    assert!(say(users, &alice, "many").await.contains("1 to 99"));
    assert!(say(users, &alice, "3")
        .await
        .contains("Where should we ship"));
    assert!(say(users, &alice, "short")
        .await
        .contains("does not look like an address"));
    let confirm = say(users, &alice, "Hauptstraße 5, 10115 Berlin").await;
    assert!(
        confirm.contains("3 × Green tea, 250 g for 26.70 EUR"),
        "{confirm}"
    );
    assert!(confirm.contains("Hauptstraße 5, 10115 Berlin"));
    assert!(say(users, &alice, "yes").await.contains("with the buttons"));
    assert_eq!(
        press(users, &alice, "Place order").await,
        "Order #1 placed. Thank you!"
    );
    assert_eq!(shop.orders_of(&alice).await, 1, "the order is kept");

    // The next order gets the next number.
    say(users, &alice, "/order").await;
    press(users, &alice, "mug").await;
    press(users, &alice, "2").await;
    say(users, &alice, "Hauptstraße 5, 10115 Berlin").await;
    assert_eq!(
        press(users, &alice, "Place order").await,
        "Order #2 placed. Thank you!"
    );
}

#[tokio::test]
async fn cancel_at_any_step_orders_nothing() {
    let shop = start().await;
    let users = &shop.users;
    let bob = Person::new("bob");
    say(users, &bob, "/order").await;
    press(users, &bob, "Coffee").await;
    assert_eq!(
        say(users, &bob, "/cancel").await,
        "Order cancelled. Nothing was ordered."
    );
    say(users, &bob, "/order").await;
    press(users, &bob, "Coffee").await;
    say(users, &bob, "1").await;
    say(users, &bob, "Am Markt 1, 04109 Leipzig").await;
    assert_eq!(
        press(users, &bob, "Cancel").await,
        "Order cancelled. Nothing was ordered."
    );
    assert_eq!(shop.orders_of(&bob).await, 0);
    assert!(
        say(users, &bob, "hello?").await.contains("/order"),
        "a kind pointer"
    );
}

#[tokio::test]
async fn text_where_a_button_is_expected_gets_a_hint() {
    let shop = start().await;
    let users = &shop.users;
    let carol = Person::new("carol");
    say(users, &carol, "/order").await;
    assert!(say(users, &carol, "coffee please")
        .await
        .contains("buttons"));
    assert!(press(users, &carol, "Coffee").await.contains("How many"));
}

#[tokio::test]
async fn german_speakers_order_in_german() {
    let shop = start().await;
    let users = &shop.users;
    let dora = Person::new("dora").speaking("de-DE");
    assert!(say(users, &dora, "/order")
        .await
        .contains("Was möchtest du bestellen?"));
    assert!(press(users, &dora, "Kaffeebohnen")
        .await
        .contains("Wie viele"));
    say(users, &dora, "1").await;
    say(users, &dora, "Hauptstraße 5, 10115 Berlin").await;
    assert_eq!(
        press(users, &dora, "Bestellen").await,
        "Bestellung Nr. 1 ist aufgegeben. Danke!"
    );
}

#[tokio::test]
async fn a_stale_button_outside_the_dialog_gets_a_kind_reply() {
    let shop = start().await;
    let users = &shop.users;
    let erin = Person::new("erin");
    assert_eq!(
        users.send(erin.presses("o:confirm")).await,
        Outcome::Handled
    );
    assert!(users.last().text().contains("earlier conversation"));
}
