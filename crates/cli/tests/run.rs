//! `botwerk run --config`: instances from a file, here the shop on a fake
//! Telegram, stopped by SIGTERM; and a bad file stops startup.

use std::process::{Command, Stdio};
use std::time::Duration;

use botwerk_testkit::telegram::TOKEN;
use botwerk_testkit::{FakeTelegram, TgChat, TgUser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_the_instances_of_a_config_file_until_sigterm() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token"), format!("{TOKEN}\n")).unwrap();
    let config = format!(
        r#"
[[instance]]
name = "shop-telegram"
bot = "shop"
data_dir = "data/shop"
key_file = "keys/shop.key"

[instance.telegram]
token = "file:token"
api_url = "{}"
"#,
        fake.api_url()
    );
    std::fs::write(dir.path().join("botwerk.toml"), config).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_botwerk"))
        .args(["run", "--config", "botwerk.toml"])
        .current_dir(dir.path())
        .env("BOTWERK_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let ann = TgUser::new(424_242, "Ann");
    fake.push_text(&ann, &TgChat::private(&ann), "/privacy");
    let sent = fake.wait_for_sent(1, Duration::from_secs(30)).await;
    assert!(sent[0]
        .text
        .as_deref()
        .unwrap_or_default()
        .contains("Botwerk Demo Shop GmbH"));

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "a clean stop: {stderr}");
    assert!(stderr.contains("stopped cleanly"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "the token is never logged");
    assert!(!stderr.contains("424242"), "no raw ids in the log");
    assert!(dir.path().join("keys/shop.key").exists());
    assert_eq!(fake.violations(), Vec::<String>::new());
}

#[test]
fn a_bad_config_stops_startup_naming_file_key_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("botwerk.toml"),
        "[[instance]]\nname = \"a\"\nbot = \"shop\"\ndata_dir = \"d\"\n[instance.telegram]\ntoken = \"env:BOTWERK_SURELY_UNSET_TOKEN\"\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_botwerk"))
        .args(["run", "--config", "botwerk.toml"])
        .current_dir(dir.path())
        .env_remove("BOTWERK_SURELY_UNSET_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("config file botwerk.toml, line 6"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "`telegram.token`: the environment variable BOTWERK_SURELY_UNSET_TOKEN is not set"
        ),
        "{stderr}"
    );
}
