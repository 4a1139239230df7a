//! `botwerk run --config`: instances from a file, here the shop on a fake
//! Telegram, stopped by SIGTERM or killed and restarted; its JSON logs; and
//! a bad file stops startup.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use botwerk_testkit::telegram::TOKEN;
use botwerk_testkit::{FakeTelegram, TgChat, TgUser};

/// The shop on `fake` from a config file in a new directory, with `env` set;
/// its output piped.
fn spawn_shop(fake: &FakeTelegram, env: &[(&str, &str)]) -> (tempfile::TempDir, Child) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token"), format!("{TOKEN}\n")).unwrap();
    let config = format!(
        r#"
[http]
listen = "127.0.0.1:0"

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
    let child = start_in(dir.path(), env);
    (dir, child)
}

/// `botwerk run` on the config file in `dir`, with `env` set.
fn start_in(dir: &std::path::Path, env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_botwerk"))
        .args(["run", "--config", "botwerk.toml"])
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Stops `child` with SIGTERM; its status and standard error.
async fn terminate(child: Child) -> (std::process::ExitStatus, String) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_the_instances_of_a_config_file_until_sigterm() {
    let fake = FakeTelegram::start().await;
    let (dir, child) = spawn_shop(&fake, &[("BOTWERK_LOG", "info")]);

    let ann = TgUser::new(424_242, "Ann");
    fake.push_text(&ann, &TgChat::private(&ann), "/privacy");
    let sent = fake.wait_for_sent(1, Duration::from_secs(30)).await;
    assert!(sent[0]
        .text
        .as_deref()
        .unwrap_or_default()
        .contains("Botwerk Demo Shop GmbH"));

    let (status, stderr) = terminate(child).await;
    assert!(status.success(), "a clean stop: {stderr}");
    assert!(stderr.contains("stopped cleanly"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "the token is never logged");
    assert!(!stderr.contains("424242"), "no raw ids in the log");
    assert!(dir.path().join("keys/shop.key").exists());
    assert_eq!(fake.violations(), Vec::<String>::new());
}

/// JSON logs at the most talkative level Botwerk has: every line an object
/// with the instance and platform spans, and none with the token, a raw
/// platform id or anything a user typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_at_debug_level_carry_spans_and_no_personal_data() {
    const TYPED: &str = "Canary Lane 7, 12345 Nowhere";
    let fake = FakeTelegram::start().await;
    let (_dir, child) = spawn_shop(
        &fake,
        &[
            ("BOTWERK_LOG", "botwerk=trace,botwerk_core=trace,botwerk_telegram=trace,botwerk_privacy=trace,botwerk_vault=trace,botwerk_sled=trace,botwerk_shop=trace,info"),
            ("BOTWERK_LOG_FORMAT", "json"),
        ],
    );
    let bea = TgUser::new(737_373_737, "Bea");
    let chat = TgChat::private(&bea);
    fake.push_text(&bea, &chat, "/start");
    fake.wait_for_sent(1, Duration::from_secs(30)).await;
    fake.push_text(&bea, &chat, TYPED);
    fake.push_text(&bea, &chat, "/nosuchcommand canary-argument");
    fake.wait_for_sent(3, Duration::from_secs(30)).await;

    let (status, stderr) = terminate(child).await;
    assert!(status.success(), "a clean stop: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines.iter().any(|l| l.contains("stopped cleanly")),
        "{stderr}"
    );
    let mut with_spans = 0;
    for line in &lines {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(entry["level"].is_string(), "{line}");
        let spans = entry["spans"].as_array().cloned().unwrap_or_default();
        if spans
            .iter()
            .any(|s| s["name"] == "instance" && s["instance"] == "shop-telegram")
            && spans
                .iter()
                .any(|s| s["name"] == "bot" && s["bot"] == "shop")
            && spans.iter().any(|s| s["platform"] == "telegram")
        {
            with_spans += 1;
        }
    }
    assert!(
        with_spans > 0,
        "lines name their instance and platform: {stderr}"
    );
    for secret in [TOKEN, "737373737", "Canary Lane", "canary-argument", "Bea"] {
        assert!(!stderr.contains(secret), "`{secret}` is logged: {stderr}");
    }
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

/// SIGKILL in the middle of a stream of updates, then a restart on the same
/// files: the store, the keys and the journal come back, every update is
/// answered, and none more than once again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_sigkill_a_restart_loses_no_update() {
    const WAIT: Duration = Duration::from_secs(30);
    let fake = FakeTelegram::start().await;
    let (dir, mut child) = spawn_shop(&fake, &[]);
    let chats: Vec<TgChat> = (0..40)
        .map(|i| TgChat::private(&TgUser::new(990_000 + i, "User")))
        .collect();
    let mut last = 0;
    for (i, chat) in chats.iter().enumerate() {
        let user = TgUser::new(990_000 + i64::try_from(i).unwrap(), "User");
        last = fake.push_text(&user, chat, "/privacy");
    }
    fake.wait_for_sent(10, WAIT).await;
    let status = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait().unwrap();

    let child = start_in(dir.path(), &[]);
    fake.wait_confirmed(last, WAIT).await;
    for chat in &chats {
        let answers = fake.messages_to(chat.id).len();
        assert!(
            (1..=2).contains(&answers),
            "every update answered, at most once more: {answers}"
        );
    }
    let (status, stderr) = terminate(child).await;
    assert!(status.success(), "a clean stop after the restart: {stderr}");
    assert_eq!(fake.violations(), Vec::<String>::new());
}
