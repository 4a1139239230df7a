//! The demo shop through the console adapter: a scripted session end to end.

use std::io::Cursor;

use botwerk::console::{ConsoleAdapter, ConsoleOptions};
use botwerk::core::CancellationToken;
use botwerk::Instance;
use botwerk_tests::Captured;

async fn session(script: &str, lang: Option<&str>) -> String {
    let out = Captured::default();
    let dir = tempfile::tempdir().unwrap();
    let options = ConsoleOptions {
        locale: lang.map(str::to_owned),
        downloads: dir.path().to_owned(),
        ..ConsoleOptions::default()
    };
    let adapter = ConsoleAdapter::new(
        Cursor::new(script.as_bytes().to_vec()),
        out.clone(),
        options,
    );
    Instance::builder(botwerk_shop::bot())
        .data_dir(dir.path().join("data"))
        .adapter(adapter)
        .build()
        .await
        .unwrap()
        .run(CancellationToken::new())
        .await
        .unwrap();
    out.text()
}

#[tokio::test]
async fn an_order_through_the_console() {
    let out = session("/order\n#2\n#1\nLindenweg 3, 80331 München\n#1\n", None).await;
    assert!(
        out.contains(
            "1 × Green tea, 250 g for 8.90 EUR, shipped to:\n     Lindenweg 3, 80331 München"
        ),
        "{out}"
    );
    assert!(out.ends_with("bot: Order #1 placed. Thank you!\n"), "{out}");
}

#[tokio::test]
async fn a_german_session_with_a_mistyped_button() {
    let out = session("/order\n#7\n#3\nviele\n4\n/cancel\n", Some("de")).await;
    assert!(
        out.contains("Hinweis: es gibt keinen Knopf #7; die letzten Antworten hatten 3 Knöpfe"),
        "{out}"
    );
    assert!(out.contains("Wie viele „Botwerk-Tasse“?"), "{out}");
    assert!(
        out.contains("Bitte schicke eine Zahl von 1 bis 99"),
        "{out}"
    );
    assert!(
        out.ends_with("bot: Bestellung abgebrochen. Es wurde nichts bestellt.\n"),
        "{out}"
    );
}
