//! The whole privacy flow of the demo shop, in English and in German: first
//! contact, consent, an order, `/mydata` with the address and the consent,
//! `/forgetme`, confirmation, `/mydata` with nothing — and no trace on disk.

use botwerk_testkit::{canaries, Person};
use botwerk_tests::{texts, Harness};
use serde_json::Value;

struct Words {
    age_yes: &'static str,
    agree: &'static str,
    coffee: &'static str,
    place: &'static str,
    granted: &'static str,
    placed: &'static str,
    forget: &'static str,
    done: &'static str,
    nothing: &'static str,
}

const EN: Words = Words {
    age_yes: "Yes, 16 or older",
    agree: "Yes, I agree",
    coffee: "Coffee beans",
    place: "Place order",
    granted: "I noted your consent",
    placed: "Order #1 placed",
    forget: "Yes, erase everything",
    done: "everything I kept about you is erased. Your receipt: ER-",
    nothing: "I keep nothing about you.",
};

const DE: Words = Words {
    age_yes: "Ja, 16 oder älter",
    agree: "Ja, ich willige ein",
    coffee: "Kaffeebohnen",
    place: "Bestellen",
    granted: "Ich habe deine Einwilligung",
    placed: "Bestellung Nr. 1 ist aufgegeben",
    forget: "Ja, alles löschen",
    done: "ist gelöscht. Deine Quittung: ER-",
    nothing: "Ich speichere nichts über dich.",
};

async fn whole_flow(person: Person, w: Words, address: &str) {
    let shop = Harness::shop().await;
    let bystander = Person::new("4004004004");

    // First contact: notice, age question, consent offer.
    let replies = shop.say(&person, "/start").await;
    assert!(replies
        .iter()
        .all(|m| m.is_private_to(person.identity()) || m.is_public_in(person.chat())));
    shop.tap(&person, w.age_yes).await;
    assert!(texts(&shop.tap(&person, w.agree).await).contains(w.granted));

    // An order, whose address is remembered with the consent given.
    shop.say(&person, "/order").await;
    shop.tap(&person, w.coffee).await;
    shop.say(&person, "2").await;
    shop.say(&person, address).await;
    assert!(texts(&shop.tap(&person, w.place).await).contains(w.placed));

    // Someone else's data, which must survive.
    shop.say(&bystander, "/order").await;
    shop.tap(&bystander, "Coffee").await;
    shop.say(&bystander, "1").await;
    shop.say(&bystander, "Bystander-Allee 99, 99999 Irgendwo")
        .await;
    shop.tap(&bystander, "Place order").await;

    // /mydata: a private JSON file with the address and the consent record.
    let replies = shop.say(&person, "/mydata").await;
    let file = replies.iter().find_map(|m| m.file()).expect("a file");
    assert!(
        file.0.starts_with("botwerk-mydata-2026-03-01"),
        "{}",
        file.0
    );
    assert!(replies.iter().all(|m| m.is_private_to(person.identity())));
    let export: Value = serde_json::from_slice(file.1).expect("JSON");
    let dump = export.to_string();
    assert!(dump.contains(address), "the order's address");
    let saved = export["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "saved-address")
        .unwrap();
    assert_eq!(
        saved["records"][0]["value"], address,
        "the remembered address"
    );
    assert_eq!(saved["legal_basis"], "consent");
    assert_eq!(export["consent"][0]["purpose"], "remember-address");
    assert_eq!(export["consent"][0]["action"], "granted");
    assert_eq!(export["consent"][0]["age_confirmed"], true);
    assert_eq!(
        export["notice"]["controller"]["name"],
        "Botwerk Demo Shop GmbH"
    );
    assert!(!dump.contains("Bystander"), "nobody else's data");

    // The person's data key, wrapped, stands in the keystore before erasure.
    let subject = shop
        .vault
        .find_subject(person.identity())
        .await
        .unwrap()
        .unwrap();
    let raw_key = shop.vault.raw_data_key_for_tests(subject).await.unwrap();
    let wrapped = wrapped_key(&shop.data_dir(), subject);
    assert_eq!(
        canaries::find(&shop.data_dir(), &[&wrapped]).len(),
        1,
        "positive control"
    );

    // /forgetme with confirmation, then nothing is left.
    shop.say(&person, "/forgetme").await;
    let done = texts(&shop.tap(&person, w.forget).await);
    assert!(done.contains(w.done), "{done}");
    let after = shop.say(&person, "/mydata").await;
    assert_eq!(texts(&after), w.nothing);
    assert!(after.iter().all(|m| m.file().is_none()));

    // The bystander is intact.
    let other = shop
        .vault
        .find_subject(bystander.identity())
        .await
        .unwrap()
        .expect("bystander kept");
    assert_eq!(
        shop.vault
            .list(other, "orders", None, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // And the disk holds nothing of the erased person: neither the key that
    // sealed their records (so the sealed bytes sled may still keep in old
    // segments are noise), nor plaintext, which was never written at all.
    let dir = shop.stop().await;
    let user_id = person.identity().user.as_str().to_owned();
    canaries::assert_absent(
        dir.path(),
        &[&wrapped, &raw_key, address.as_bytes(), user_id.as_bytes()],
    );
}

/// The wrapped data key of `subject` as it stands in the keystore file.
fn wrapped_key(data_dir: &std::path::Path, subject: botwerk::core::SubjectId) -> Vec<u8> {
    let file = std::fs::read(data_dir.join("keys.bin")).unwrap();
    let slot = file[16..]
        .chunks(96)
        .find(|slot| &slot[..16] == subject.as_bytes())
        .expect("the subject has a key slot");
    slot[40..88].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_in_english() {
    whole_flow(
        Person::new("1717171717"),
        EN,
        "CANARY Street 1, 10115 Berlin",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_in_german() {
    whole_flow(
        Person::new("2727272727").speaking("de-DE"),
        DE,
        "Kanarienweg 7, 80331 München",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_can_be_chosen_and_is_remembered() {
    let shop = Harness::shop().await;
    let anna = Person::new("anna");
    let replies = shop.say(&anna, "/language de").await;
    assert_eq!(texts(&replies), "Ab jetzt schreibe ich dir auf Deutsch.");
    assert!(texts(&shop.say(&anna, "/order").await).contains("Was möchtest du bestellen?"));
    let replies = shop.say(&anna, "/language xx").await;
    assert!(
        texts(&replies).contains("„xx“ spreche ich nicht. Ich spreche: en, de."),
        "{}",
        texts(&replies)
    );
    shop.say(&anna, "/language").await;
    shop.tap(&anna, "English").await;
    assert!(texts(&shop.say(&anna, "/order").await).contains("What would you like"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_lists_the_privacy_commands_first() {
    let shop = Harness::shop().await;
    let help = texts(&shop.say(&Person::new("h"), "/help").await);
    for command in [
        "/start",
        "/privacy",
        "/mydata",
        "/forgetme",
        "/consent",
        "/stop",
        "/language",
        "/subscribe",
        "/unsubscribe",
        "/order",
        "/cancel",
        "/help",
    ] {
        assert!(
            help.contains(&format!("{command} – ")),
            "{command} in {help}"
        );
    }
    assert!(help.find("/privacy").unwrap() < help.find("/order").unwrap());
    assert_eq!(help.matches("/start").count(), 1, "one /start");
}
