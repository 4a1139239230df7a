//! Operators: three instances in one process, isolation when a messenger
//! goes down, the HTTP endpoint, and the operator commands against a running
//! and a stopped instance.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use botwerk_testkit::discord::{self, DcPlace, DcUser, FakeDiscord};
use botwerk_testkit::telegram::{Sent, TOKEN};
use botwerk_testkit::{FakeTelegram, TgChat, TgUser};

const WAIT: Duration = Duration::from_secs(30);

/// A running `botwerk` process with its stdout and stderr read line by line.
struct Botwerk {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stderr_lines: mpsc::Receiver<String>,
}

impl Botwerk {
    fn spawn(dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_botwerk"))
            .args(args)
            .current_dir(dir)
            .env("BOTWERK_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (out_tx, stdout) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = out_tx.send(line);
            }
        });
        let (err_tx, stderr_lines) = mpsc::channel();
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let err = child.stderr.take().unwrap();
        let keep = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                keep.lock().unwrap().push(line.clone());
                let _ = err_tx.send(line);
            }
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            stdout,
            stderr,
            stderr_lines,
        }
    }

    /// Waits for a stderr line containing `needle`.
    fn wait_log(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!(
                    "no log line with {needle:?}: {:?}",
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// Types a line on the console and waits for a reply line containing `needle`.
    fn console(&mut self, line: &str, needle: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(out) if out.contains(needle) => return,
                Ok(_) => {}
                Err(_) => panic!("the console did not answer {line:?} with {needle:?}"),
            }
        }
    }

    fn stop(mut self) -> String {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let status = self.child.wait().unwrap();
        let log = self.stderr.lock().unwrap().join("\n");
        assert!(status.success(), "a clean stop: {log}");
        log
    }
}

fn botwerk(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_botwerk"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn address(log_line: &str) -> String {
    let at = log_line.find("address=").expect("an address field") + "address=".len();
    log_line[at..].split_whitespace().next().unwrap().to_owned()
}

/// Every line of Prometheus text is a comment or `name{labels} value`.
fn assert_prometheus_text(text: &str) {
    let sample = regex::Regex::new(
        r#"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? [-+0-9.eEinfaNI]+$"#,
    )
    .unwrap();
    assert!(
        text.ends_with("# EOF\n"),
        "OpenMetrics text ends with # EOF"
    );
    for line in text.lines() {
        assert!(
            line.starts_with('#') || sample.is_match(line),
            "not Prometheus text: {line:?}"
        );
    }
}

async fn tap(fake: &FakeTelegram, user: &TgUser, label: &str) {
    let chat = TgChat::private(user);
    let (message_id, data) = fake
        .messages_to(chat.id)
        .into_iter()
        .rev()
        .find_map(|m: Sent| {
            let found = m
                .buttons
                .iter()
                .flatten()
                .find(|(t, _)| t.contains(label))
                .map(|(_, d)| d.clone());
            found.map(|d| (m.message_id, d))
        })
        .unwrap_or_else(|| panic!("no button {label}"));
    let id = fake.push_callback(user, &chat, message_id, &data);
    fake.wait_confirmed(id, WAIT).await;
}

async fn say(fake: &FakeTelegram, user: &TgUser, text: &str) {
    let id = fake.push_text(user, &TgChat::private(user), text);
    fake.wait_confirmed(id, WAIT).await;
}

fn config(telegram: &FakeTelegram, discord: &FakeDiscord) -> String {
    format!(
        r#"
[http]
listen = "127.0.0.1:0"

[[instance]]
name = "shop"
bot = "shop"
data_dir = "data/shop"
key_file = "keys/shop.key"
console = true

[[instance]]
name = "newsletter"
bot = "newsletter"
data_dir = "data/newsletter"
key_file = "keys/newsletter.key"
admins = ["telegram:515151"]

[instance.telegram]
token = "{TOKEN}"
api_url = "{}"

[[instance]]
name = "support"
bot = "support"
data_dir = "data/support"
key_file = "keys/support.key"

[instance.discord]
token = "{}"
application_id = {}
api_url = "{}"
gateway_url = "{}"
"#,
        telegram.api_url(),
        discord::TOKEN,
        discord::APPLICATION_ID,
        discord.api_url(),
        discord.gateway_url()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_serve_and_one_messenger_down_stops_none_of_the_others() {
    let telegram = FakeTelegram::start().await;
    let discord_fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("botwerk.toml"),
        config(&telegram, &discord_fake),
    )
    .unwrap();
    let mut bot = Botwerk::spawn(dir.path(), &["run", "--config", "botwerk.toml"]);
    let http = address(&bot.wait_log("HTTP endpoint"));
    discord_fake.wait_ready(WAIT).await;

    // Each instance answers on its messenger.
    bot.console("/privacy", "Privacy notice: Botwerk demo shop");
    let ann = TgUser::new(424_242, "Ann");
    say(&telegram, &ann, "/latest").await;
    assert!(telegram.messages_to(ann.id).iter().any(|m| m
        .text
        .as_deref()
        .unwrap_or_default()
        .contains("latest issue")));
    let kim = DcUser::new(7301, "kim");
    let i = discord_fake.push_command(&kim, &DcPlace::Dm, "privacy", None);
    discord_fake.wait_answered(&i, WAIT).await;

    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("http://{http}{path}")).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    assert_eq!(
        get("/readyz").await.unwrap().status(),
        200,
        "all adapters connected"
    );
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert_prometheus_text(&metrics);
    assert!(metrics.contains(r#"botwerk_updates_total{instance="newsletter",platform="telegram",outcome="handled"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"botwerk_privacy_requests_total{instance="support",platform="discord",kind="privacy"} 1"#), "{metrics}");
    assert!(
        !metrics.contains("424242") && !metrics.contains("7301"),
        "no personal data in labels"
    );

    // The newsletter's admin checks its audit log from Telegram.
    let admin = TgUser::new(515_151, "Ada");
    say(&telegram, &admin, "/admin audit").await;
    assert!(
        telegram.messages_to(admin.id).iter().any(|m| m
            .text
            .as_deref()
            .unwrap_or_default()
            .contains("The audit log is intact")),
        "{:?}",
        telegram.messages_to(admin.id)
    );
    say(&telegram, &ann, "/admin audit").await;
    assert!(!telegram.messages_to(ann.id).iter().any(|m| m
        .text
        .as_deref()
        .unwrap_or_default()
        .contains("audit log")));

    // Telegram goes down: the newsletter waits, the others go on.
    telegram.stop().await;
    bot.wait_log("getUpdates failed");
    bot.console("/help", "/order");
    let j = discord_fake.push_command(&kim, &DcPlace::Dm, "help", None);
    discord_fake.wait_answered(&j, WAIT).await;
    assert_eq!(
        get("/readyz").await.unwrap().status(),
        503,
        "not all connected"
    );
    assert_eq!(get("/healthz").await.unwrap().status(), 200, "but alive");

    let log = bot.stop();
    assert!(
        !log.contains(TOKEN) && !log.contains(discord::TOKEN),
        "no tokens in the log"
    );
    assert!(
        !log.contains("424242") && !log.contains("515151"),
        "no raw ids in the log"
    );
    assert_eq!(discord_fake.violations(), Vec::<String>::new());
}

fn telegram_config(fake: &FakeTelegram, bot: &str) -> String {
    format!(
        "[http]\nenabled = false\n\n[[instance]]\nname = \"{bot}\"\nbot = \"{bot}\"\ndata_dir = \"data\"\nkey_file = \"instance.key\"\n\n[instance.telegram]\ntoken = \"{TOKEN}\"\napi_url = \"{}\"\n",
        fake.api_url()
    )
}

async fn order(fake: &FakeTelegram, user: &TgUser, address: &str) {
    say(fake, user, "/order").await;
    tap(fake, user, "Coffee").await;
    say(fake, user, "1").await;
    say(fake, user, address).await;
    tap(fake, user, "Place order").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_erase_act_on_the_named_subject_only_running_or_not() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("botwerk.toml"),
        telegram_config(&fake, "shop"),
    )
    .unwrap();
    let bot = Botwerk::spawn(dir.path(), &["run", "--config", "botwerk.toml"]);
    let (ann, ben) = (TgUser::new(111_111, "Ann"), TgUser::new(222_222, "Ben"));
    order(&fake, &ann, "Annastraße 1, 10115 Berlin").await;
    order(&fake, &ben, "Benweg 2, 20095 Hamburg").await;

    // While it runs: over the admin socket.
    let out = botwerk(
        dir.path(),
        &[
            "export",
            "--config",
            "botwerk.toml",
            "--platform",
            "telegram",
            "--user",
            "111111",
            "--out",
            "ann.json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ann_export = std::fs::read_to_string(dir.path().join("ann.json")).unwrap();
    assert!(ann_export.contains("Annastraße 1") && !ann_export.contains("Benweg"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("ann.json"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "an export is only the operator's to read");
    }
    let refused = botwerk(
        dir.path(),
        &[
            "erase",
            "--config",
            "botwerk.toml",
            "--platform",
            "telegram",
            "--user",
            "111111",
        ],
    );
    assert!(!refused.status.success(), "no erasure without confirmation");
    let erased = botwerk(
        dir.path(),
        &[
            "erase",
            "--config",
            "botwerk.toml",
            "--platform",
            "telegram",
            "--user",
            "111111",
            "--yes",
        ],
    );
    assert!(
        stdout(&erased).contains("receipt ER-"),
        "{}",
        stdout(&erased)
    );
    bot.stop();

    // Stopped: on the data directory itself.
    let gone = botwerk(
        dir.path(),
        &[
            "export",
            "--config",
            "botwerk.toml",
            "--platform",
            "telegram",
            "--user",
            "111111",
        ],
    );
    assert!(String::from_utf8_lossy(&gone.stderr).contains("nothing is kept about telegram:111111"));
    assert!(!stdout(&gone).contains("Annastraße"));
    let ben_export = stdout(&botwerk(
        dir.path(),
        &[
            "export",
            "--config",
            "botwerk.toml",
            "--platform",
            "telegram",
            "--user",
            "222222",
        ],
    ));
    assert!(
        ben_export.contains("Benweg 2, 20095 Hamburg"),
        "Ben is untouched"
    );

    let audit = botwerk(dir.path(), &["audit", "verify", "--config", "botwerk.toml"]);
    assert!(
        stdout(&audit).contains("audit log intact"),
        "{}",
        stdout(&audit)
    );
    let purge = botwerk(dir.path(), &["purge", "--config", "botwerk.toml"]);
    assert!(stdout(&purge).contains("purged 0 expired records"));
    let keys = botwerk(dir.path(), &["keys", "check", "--config", "botwerk.toml"]);
    assert!(
        keys.status.success() && stdout(&keys).contains("subjects: 1, keys that unwrap: 1"),
        "{}",
        stdout(&keys)
    );
    let record = stdout(&botwerk(
        dir.path(),
        &["record", "--config", "botwerk.toml"],
    ));
    assert!(record.contains("# Record of processing activities: shop"));
    assert!(record.contains("`orders`: Your orders") && record.contains("erased 730 days after"));
    let json = stdout(&botwerk(
        dir.path(),
        &["record", "--config", "botwerk.toml", "--format", "json"],
    ));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["controller"]["name"], "Botwerk Demo Shop GmbH");

    // An edited audit entry is named.
    tamper_with_audit(&dir.path().join("data")).await;
    let audit = botwerk(dir.path(), &["audit", "verify", "--config", "botwerk.toml"]);
    assert!(!audit.status.success());
    assert!(
        stdout(&audit)
            .contains("audit log broken at entry 1: its content does not match its hash (edited)"),
        "{}",
        stdout(&audit)
    );
}

/// Changes one entry of the audit log behind the vault's back.
async fn tamper_with_audit(data: &Path) {
    use botwerk_vault::Backend;
    let store = botwerk_sled::SledBackend::open(&data.join("store"), Default::default()).unwrap();
    let entries = store.scan("audit", b"", None, 10).await.unwrap();
    let (key, value) = entries[1].clone();
    let mut edited = value.clone();
    let at = edited.len() - 3;
    edited[at] ^= 0x01;
    store.put("audit", &key, &edited).await.unwrap();
    store.flush().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_reaches_confirmed_subscribers_only() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("botwerk.toml"),
        telegram_config(&fake, "newsletter"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("issue.txt"),
        "Issue 7: Botwerk speaks Discord now.",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("issue.de.txt"),
        "Ausgabe 7: Botwerk spricht jetzt Discord.",
    )
    .unwrap();
    let bot = Botwerk::spawn(dir.path(), &["run", "--config", "botwerk.toml"]);
    let confirmed = TgUser::new(310_001, "Confirmed");
    let german = TgUser::new(310_002, "Bestätigt").lang("de");
    let unconfirmed = TgUser::new(310_003, "Unconfirmed");
    let left = TgUser::new(310_004, "Left");
    let bystander = TgUser::new(310_005, "Bystander");
    for user in [&confirmed, &german, &unconfirmed, &left] {
        say(&fake, user, "/subscribe").await;
        let yes = if user.language_code.is_some() {
            "Ja, 16 oder älter"
        } else {
            "Yes, 16 or older"
        };
        tap(&fake, user, yes).await;
    }
    for (user, label) in [
        (&confirmed, "Yes, subscribe me"),
        (&german, "Ja, abonnieren"),
        (&left, "Yes, subscribe me"),
    ] {
        tap(&fake, user, label).await;
    }
    say(&fake, &left, "/unsubscribe").await;
    say(&fake, &bystander, "/latest").await;
    let before = fake.sent().len();

    let out = botwerk(
        dir.path(),
        &[
            "broadcast",
            "--config",
            "botwerk.toml",
            "--message",
            "issue.txt",
            "--message-lang",
            "de=issue.de.txt",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("sent 2 of"), "{}", stdout(&out));
    let sent: Vec<Sent> = fake.sent().into_iter().skip(before).collect();
    let mut to: Vec<i64> = sent.iter().map(|s| s.chat_id).collect();
    to.sort();
    assert_eq!(
        to,
        vec![confirmed.id, german.id],
        "confirmed subscribers only"
    );
    for message in &sent {
        assert!(
            message
                .buttons
                .iter()
                .flatten()
                .any(|(_, data)| data == "bw:u"),
            "one-tap unsubscribe"
        );
    }
    let german_issue = sent.iter().find(|s| s.chat_id == german.id).unwrap();
    assert_eq!(
        german_issue.text.as_deref(),
        Some("Ausgabe 7: Botwerk spricht jetzt Discord.")
    );
    bot.stop();
    assert_eq!(fake.violations(), Vec::<String>::new());
}

#[test]
fn each_bad_config_gives_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let instance = |name: &str, dir: &str| {
        format!("[[instance]]\nname = \"{name}\"\nbot = \"shop\"\ndata_dir = \"{dir}\"\n")
    };
    let cases = [
        (
            format!("{}colour = \"blue\"\n", instance("a", "d1")),
            "unknown field `colour`",
        ),
        (
            format!(
                "{}[instance.telegram]\ntoken = \"env:BOTWERK_NO_SUCH_TOKEN\"\n",
                instance("a", "d1")
            ),
            "the environment variable BOTWERK_NO_SUCH_TOKEN is not set",
        ),
        (
            format!(
                "{}[instance.telegram]\ntoken = \"file:missing.token\"\n",
                instance("a", "d1")
            ),
            "the file missing.token cannot be read",
        ),
        (
            format!("{}{}", instance("a", "d1"), instance("a", "d2")),
            "`name = \"a\"` is used twice",
        ),
        (
            format!("{}{}", instance("a", "d1"), instance("b", "./d1")),
            "share the data directory",
        ),
        (
            format!(
                "{}console = true\n{}console = true\n",
                instance("a", "d1"),
                instance("b", "d2")
            ),
            "all want the console",
        ),
        (
            "[[instance]]\nname = \"a\"\nbot = \"shop\"\n".to_owned(),
            "missing field `data_dir`",
        ),
    ];
    for (text, message) in cases {
        std::fs::write(dir.path().join("bad.toml"), &text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_botwerk"))
            .args(["run", "--config", "bad.toml"])
            .current_dir(dir.path())
            .env_remove("BOTWERK_NO_SUCH_TOKEN")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{text}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("config file bad.toml"), "{stderr}");
        assert!(stderr.contains(message), "expected {message:?} in {stderr}");
    }
}
