//! `/privacy` states every element of GDPR Art. 13: one test per element.

use std::path::Path;
use std::sync::Arc;

use botwerk_core::Catalog;
use botwerk_privacy::{add_texts, declare, notice, Policy, Privacy, PrivacyConfig};
use botwerk_vault::{Category, Inventory, LegalBasis, MemoryBackend, Purpose, Vault, VaultOptions};

const POLICY: &str = r#"
effective = 2026-10-15

[controller]
name = "Kaffeerösterei Beispiel GmbH"
address = "Hafenstraße 5, 20457 Hamburg"
email = "datenschutz@roesterei.example"
phone = "+49 40 123456"

[dpo]
name = "Max Datenschutz"
email = "dpo@roesterei.example"

[authority]
name = "Der Hamburgische Beauftragte für Datenschutz"
url = "https://datenschutz-hamburg.de"

[[recipients]]
name = "Telegram Messenger Inc."
role = "independent controller"
description = "delivers the messages."
policy_url = "https://telegram.org/privacy"

[[recipients]]
name = "Paketdienst AG"
role = "processor"
description = "ships your parcel."

[[transfers]]
country = "United Kingdom"
recipient = "Telegram Messenger Inc."
safeguard = "adequacy decision"
"#;

const TEXTS_EN: &str = "\
t-order = Processing your orders
t-orders = Your orders and shipping address
t-news = Sending you our newsletter
t-sub-categories = unused
";

const TEXTS_DE: &str = "\
t-order = Deine Bestellungen bearbeiten
t-orders = Deine Bestellungen und Lieferadresse
t-news = Dir unseren Newsletter schicken
t-sub-categories = unbenutzt
";

struct Fixture {
    privacy: Privacy,
    _dir: tempfile::TempDir,
}

async fn fixture(policy_text: &str, order_text: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let builder = Inventory::builder()
        .purpose(Purpose::new("order", LegalBasis::Contract, "t-order"))
        .purpose(Purpose::new("news", LegalBasis::Consent, "t-news"))
        .category(Category::new("orders", "order", "t-orders").retain_days(730));
    let inventory = declare(builder, Some("news")).build().unwrap();
    let vault = Vault::open(
        Arc::new(MemoryBackend::new()),
        inventory,
        VaultOptions::in_dir(dir.path()),
    )
    .await
    .unwrap();
    let mut catalog = Catalog::new();
    add_texts(&mut catalog).unwrap();
    catalog
        .add(
            "en",
            &TEXTS_EN.replace("Processing your orders", order_text),
        )
        .unwrap();
    catalog.add("de", TEXTS_DE).unwrap();
    catalog.add("en", "botwerk-purpose-conversation = Conversation\nbotwerk-category-dialog-state = Dialog state\n").unwrap();
    let policy = Policy::parse(policy_text, Path::new("policy.toml")).unwrap();
    let mut config = PrivacyConfig::new("roastbot");
    config.marketing = Some("news".into());
    let privacy = Privacy::new(Arc::new(vault), policy, config, catalog).unwrap();
    Fixture { privacy, _dir: dir }
}

async fn english() -> (String, Fixture) {
    let f = fixture(POLICY, "Processing your orders").await;
    (notice::notice(f.privacy.texts(), "en", &f.privacy), f)
}

#[tokio::test]
async fn names_the_controller_and_how_to_reach_it() {
    let (text, _) = english().await;
    assert!(text.contains("controller): Kaffeerösterei Beispiel GmbH, Hafenstraße 5, 20457 Hamburg. Contact: datenschutz@roesterei.example"), "{text}");
    assert!(text.contains("Phone: +49 40 123456"));
}

#[tokio::test]
async fn names_the_data_protection_officer_if_there_is_one() {
    let (text, _) = english().await;
    assert!(text.contains("Data protection officer: Max Datenschutz, dpo@roesterei.example"));
    let without = POLICY.replace(
        "[dpo]\nname = \"Max Datenschutz\"\nemail = \"dpo@roesterei.example\"\n",
        "",
    );
    let f = fixture(&without, "Processing your orders").await;
    let text = notice::notice(f.privacy.texts(), "en", &f.privacy);
    assert!(!text.contains("Data protection officer"));
}

#[tokio::test]
async fn states_each_purpose_with_its_legal_basis() {
    let (text, _) = english().await;
    assert!(text.contains("• Processing your orders — legal basis: a contract with you, or steps you asked for before one (Art. 6(1)(b) GDPR)"), "{text}");
    assert!(text
        .contains("• Sending you our newsletter — legal basis: your consent (Art. 6(1)(a) GDPR)"));
    assert!(text.contains("legal basis: a legal obligation (Art. 6(1)(c) GDPR)"));
    assert!(text.contains("legal basis: our legitimate interest (Art. 6(1)(f) GDPR)"));
}

#[tokio::test]
async fn lists_the_data_categories() {
    let (text, _) = english().await;
    assert!(text.contains("– Your orders and shipping address:"));
    assert!(text.contains("– Your subscription: the account and chat the newsletter goes to"));
    assert!(text.contains("– Dialog state:"));
}

#[tokio::test]
async fn names_the_recipients() {
    let (text, _) = english().await;
    assert!(text.contains("• Telegram Messenger Inc. (independent controller): delivers the messages. Their privacy policy: https://telegram.org/privacy"));
    assert!(text.contains("• Paketdienst AG (processor): ships your parcel."));
}

#[tokio::test]
async fn recipients_and_transfers_speak_the_readers_language() {
    let policy = POLICY
        .replace(
            r#"role = "processor""#,
            r#"role = { en = "processor", de = "Auftragsverarbeiter" }"#,
        )
        .replace(
            r#"description = "ships your parcel.""#,
            r#"description = { en = "ships your parcel.", de = "liefert dein Paket." }"#,
        )
        .replace(
            r#"country = "United Kingdom""#,
            r#"country = { en = "United Kingdom", de = "Vereinigtes Königreich" }"#,
        );
    let f = fixture(&policy, "Processing your orders").await;
    let german = notice::notice(f.privacy.texts(), "de-AT", &f.privacy);
    assert!(
        german.contains("Paketdienst AG (Auftragsverarbeiter): liefert dein Paket."),
        "{german}"
    );
    assert!(german.contains("Vereinigtes Königreich"), "{german}");
    assert!(!german.contains("ships your parcel"), "{german}");
    // A language the policy does not name gets English; one string serves all.
    let english = notice::notice(f.privacy.texts(), "fr", &f.privacy);
    assert!(
        english.contains("Paketdienst AG (processor): ships your parcel."),
        "{english}"
    );
    assert!(
        german.contains("(independent controller)"),
        "a plain string is for everyone"
    );
}

#[tokio::test]
async fn states_transfers_to_third_countries() {
    let (text, _) = english().await;
    assert!(text.contains("Transfers outside the EU/EEA:\n• United Kingdom: to Telegram Messenger Inc., safeguard: adequacy decision"));
    let none = POLICY[..POLICY.find("[[transfers]]").unwrap()].to_owned();
    let f = fixture(&none, "Processing your orders").await;
    let text = notice::notice(f.privacy.texts(), "en", &f.privacy);
    assert!(text.contains("Your data is not transferred outside the EU/EEA by us."));
}

#[tokio::test]
async fn states_the_retention_of_each_category() {
    let (text, _) = english().await;
    assert!(text.contains("Your orders and shipping address: kept for 730 days"));
    assert!(text.contains("Dialog state: kept for 30 days"));
    assert!(text.contains("when you last asked for your data: kept for 3 days"));
}

#[tokio::test]
async fn names_each_right_with_the_command_that_exercises_it() {
    let (text, _) = english().await;
    assert!(text.contains("(Art. 15 and 20 GDPR): /mydata"));
    assert!(text.contains("Erasure of your data (Art. 17 GDPR): /forgetme"));
    assert!(text.contains("(Art. 7(3) GDPR): /consent or /stop"));
    assert!(text.contains("Ending the newsletter at any time: /unsubscribe"));
    assert!(text.contains("(Art. 16, 18 and 21 GDPR): write to datenschutz@roesterei.example"));
}

#[tokio::test]
async fn states_the_right_to_complain_and_the_authority() {
    let (text, _) = english().await;
    assert!(text.contains("right to lodge a complaint with a supervisory authority (Art. 77 GDPR), for example Der Hamburgische Beauftragte für Datenschutz: https://datenschutz-hamburg.de"));
}

#[tokio::test]
async fn states_whether_providing_the_data_is_required() {
    let (text, _) = english().await;
    let order =
        &text[text.find("• Processing your orders").unwrap()..text.find("• Sending you").unwrap()];
    assert!(
        order.contains("Providing this data is required for this service"),
        "{order}"
    );
    let news = &text[text.find("• Sending you").unwrap()..];
    assert!(news.contains("Providing this data is voluntary"));
}

#[tokio::test]
async fn states_version_and_date() {
    let (text, f) = english().await;
    let version = f.privacy.version();
    assert!(version.starts_with('v') && version.len() == 13, "{version}");
    assert!(
        text.contains(&format!("Version {version}, in force since 2026-10-15.")),
        "{text}"
    );
    assert!(text.starts_with("Privacy notice: roastbot"));
}

#[tokio::test]
async fn the_version_follows_policy_and_inventory_texts() {
    let (_, a) = english().await;
    let (_, b) = english().await;
    assert_eq!(a.privacy.version(), b.privacy.version(), "stable");
    let changed_text = fixture(POLICY, "Processing and selling your orders").await;
    assert_ne!(a.privacy.version(), changed_text.privacy.version());
    let changed_policy = fixture(
        &POLICY.replace("+49 40 123456", "+49 40 654321"),
        "Processing your orders",
    )
    .await;
    assert_ne!(a.privacy.version(), changed_policy.privacy.version());
}

#[tokio::test]
async fn speaks_german() {
    let f = fixture(POLICY, "Processing your orders").await;
    let text = notice::notice(f.privacy.texts(), "de", &f.privacy);
    assert!(text.starts_with("Datenschutzhinweise: roastbot"), "{text}");
    assert!(text.contains("Verantwortlich für deine Daten: Kaffeerösterei Beispiel GmbH"));
    assert!(text.contains("• Deine Bestellungen bearbeiten — Rechtsgrundlage: ein Vertrag mit dir"));
    assert!(text.contains("gespeichert für 730 Tage"));
    assert!(text.contains("Löschung deiner Daten (Art. 17 DSGVO): /forgetme"));
    assert!(text.contains("Aufsichtsbehörde zu beschweren (Art. 77 DSGVO)"));
}

#[test]
fn every_privacy_text_exists_in_german() {
    let mut catalog = Catalog::new();
    add_texts(&mut catalog).unwrap();
    assert_eq!(
        catalog.missing("de"),
        Vec::<String>::new(),
        "texts missing in German"
    );
}
