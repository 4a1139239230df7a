//! The demo shop on Telegram: the real teloxide client against the fake Bot
//! API, with every request checked against the Bot API specification.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use botwerk::core::{CancellationToken, Secret};
use botwerk::prelude::*;
use botwerk::privacy::Policy;
use botwerk::Instance;
use botwerk_telegram::{Limits, TelegramAdapter, TelegramConfig};
use botwerk_testkit::telegram::{Sent, TOKEN};
use botwerk_testkit::{FakeTelegram, TgChat, TgUser};
use botwerk_tests::shop_policy;

const WAIT: Duration = Duration::from_secs(20);

struct Tg {
    fake: FakeTelegram,
    _dir: tempfile::TempDir,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), botwerk::InstanceError>>,
}

fn adapter(fake: &FakeTelegram, data: &std::path::Path) -> Arc<TelegramAdapter> {
    let mut config = TelegramConfig::new(Secret::new(TOKEN), data);
    config.api_url = Some(fake.api_url().parse().expect("a URL"));
    config.poll_timeout = Duration::from_secs(5);
    config.limits = Limits::none();
    TelegramAdapter::new(config).expect("the adapter builds")
}

async fn open(bot: Bot, policy: Policy, fake: &FakeTelegram, dir: &std::path::Path) -> Instance {
    Instance::builder(bot)
        .data_dir(dir.join("data"))
        .key_file(dir.join("instance.key"))
        .policy(policy)
        .adapter(adapter(fake, &dir.join("data")))
        .build()
        .await
        .expect("the instance builds")
}

impl Tg {
    async fn shop() -> Self {
        let fake = FakeTelegram::start().await;
        let dir = tempfile::tempdir().unwrap();
        let instance = open(botwerk_shop::bot(), shop_policy(), &fake, dir.path()).await;
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(instance.run(shutdown.clone()));
        Self {
            fake,
            _dir: dir,
            shutdown,
            task,
        }
    }

    /// Waits until the bot handled update `id` and returns what it sent meanwhile.
    async fn handled(&self, id: u32, before: usize) -> Vec<Sent> {
        self.fake.wait_confirmed(id, WAIT).await;
        self.fake.sent().into_iter().skip(before).collect()
    }

    async fn say(&self, user: &TgUser, chat: &TgChat, text: &str) -> Vec<Sent> {
        let before = self.fake.sent().len();
        let id = self.fake.push_text(user, chat, text);
        self.handled(id, before).await
    }

    /// Presses the newest button labelled like `label` in `chat`.
    async fn tap(&self, user: &TgUser, chat: &TgChat, label: &str) -> Vec<Sent> {
        let (message_id, data) = self
            .fake
            .messages_to(chat.id)
            .into_iter()
            .rev()
            .find_map(|m| {
                m.buttons
                    .iter()
                    .flatten()
                    .find(|(text, _)| text.contains(label))
                    .map(|(_, data)| (m.message_id, data.clone()))
            })
            .unwrap_or_else(|| panic!("no button {label:?} in chat {}", chat.id));
        let before = self.fake.sent().len();
        let id = self.fake.push_callback(user, chat, message_id, &data);
        self.handled(id, before).await
    }

    async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.unwrap().unwrap();
        assert_eq!(
            self.fake.violations(),
            Vec::<String>::new(),
            "requests the Bot API would refuse"
        );
        self.fake.stop().await;
    }
}

fn texts(sent: &[Sent]) -> String {
    sent.iter()
        .filter_map(|s| s.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn order(tg: &Tg, user: &TgUser, address: &str) {
    let chat = TgChat::private(user);
    tg.say(user, &chat, "/order").await;
    tg.tap(user, &chat, "Coffee").await;
    tg.say(user, &chat, "2").await;
    tg.say(user, &chat, address).await;
    assert!(texts(&tg.tap(user, &chat, "Place order").await).contains("placed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_privacy_flow_in_a_private_chat() {
    let tg = Tg::shop().await;
    let ann = TgUser::new(424_242, "Ann");
    let chat = TgChat::private(&ann);

    let start = tg.say(&ann, &chat, "/start").await;
    assert!(texts(&start).contains("Botwerk Demo Shop GmbH runs this demo shop"));
    tg.tap(&ann, &chat, "Yes, 16 or older").await;
    assert!(texts(&tg.tap(&ann, &chat, "Yes, I agree").await).contains("I noted your consent"));
    order(&tg, &ann, "Telegramweg 1, 10115 Berlin").await;

    let mydata = tg.say(&ann, &chat, "/mydata").await;
    let (name, bytes) = mydata
        .iter()
        .find_map(|s| s.document.clone())
        .expect("a document");
    assert!(
        name.starts_with("botwerk-mydata-") && name.ends_with(".json"),
        "{name}"
    );
    let export: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert!(export.to_string().contains("Telegramweg 1, 10115 Berlin"));
    assert_eq!(export["identities"][0]["platform"], "telegram");
    assert_eq!(export["identities"][0]["user"], "424242");
    assert_eq!(export["consent"][0]["mechanism"], "button:telegram");

    let asked = tg.say(&ann, &chat, "/forgetme").await;
    let done = tg.tap(&ann, &chat, "Yes, erase everything").await;
    assert!(texts(&done).contains("Your receipt: ER-"), "{done:?}");
    // The answer replaces the question, buttons and all: it cannot be pressed again.
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].method, "editMessageText");
    assert_eq!(done[0].message_id, asked.last().unwrap().message_id);
    assert!(done[0].buttons.iter().flatten().next().is_none());
    assert_eq!(
        texts(&tg.say(&ann, &chat, "/mydata").await),
        "I keep nothing about you."
    );

    // Every button press was answered; the commands were registered in both languages.
    let presses = tg
        .fake
        .requests()
        .iter()
        .filter(|r| r.body.get("callback_query_id").is_some())
        .count();
    assert_eq!(presses, 5, "answerCallbackQuery for each press");
    let registrations = tg.fake.calls("setMyCommands");
    assert!(registrations
        .iter()
        .any(|r| r.body.get("language_code").is_none()));
    assert!(registrations
        .iter()
        .any(|r| r.body["language_code"] == "de"));
    let de = registrations
        .iter()
        .find(|r| r.body["language_code"] == "de")
        .unwrap();
    assert!(de.body["commands"]
        .to_string()
        .contains("Alles löschen, was ich über dich speichere"));
    tg.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mydata_in_a_group_never_puts_data_into_the_group() {
    let tg = Tg::shop().await;
    let ben = TgUser::new(515_151, "Ben");
    let group = TgChat::supergroup(-1_001_234_567_890, "Shop fans");
    order(&tg, &ben, "Gruppenweg 2, 20095 Hamburg").await;

    let sent = tg.say(&ben, &group, "/mydata@botwerk_test_bot").await;
    assert!(
        sent.iter().all(|s| s.chat_id != group.id),
        "nothing in the group: {sent:?}"
    );
    assert!(
        sent.iter()
            .any(|s| s.chat_id == ben.id && s.document.is_some()),
        "the file went privately"
    );

    // Ben never started the bot privately (Telegram refuses): a deep link.
    tg.fake.refuse_private(ben.id);
    let sent = tg.say(&ben, &group, "/mydata@botwerk_test_bot").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let pointer = &sent[0];
    assert_eq!(pointer.chat_id, group.id);
    assert!(pointer.document.is_none());
    let text = pointer.text.clone().unwrap();
    assert!(!text.contains("Gruppenweg"));
    let link = text
        .split_whitespace()
        .find(|w| w.starts_with("https://t.me/botwerk_test_bot?start="))
        .unwrap_or_else(|| panic!("a deep link in {text:?}"));
    let payload = link.trim_start_matches("https://t.me/botwerk_test_bot?start=");
    assert!(
        payload.len() >= 16 && payload.chars().all(|c| c.is_ascii_hexdigit()),
        "no personal data in {payload}"
    );

    // He opens the link: the request is answered in the private chat.
    tg.fake.allow_private(ben.id);
    let answered = tg
        .say(&ben, &TgChat::private(&ben), &format!("/start {payload}"))
        .await;
    assert!(
        answered
            .iter()
            .any(|s| s.chat_id == ben.id && s.document.is_some()),
        "{answered:?}"
    );
    // The link works once, and only for him.
    let again = tg
        .say(&ben, &TgChat::private(&ben), &format!("/start {payload}"))
        .await;
    assert!(again.iter().all(|s| s.document.is_none()));
    tg.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_group_admins_get_no_personal_data() {
    let tg = Tg::shop().await;
    let group = TgChat::supergroup(-1_001_234_567_891, "Admins");
    let before = tg.fake.sent().len();
    let id = tg.fake.push_anonymous_text(&group, "/mydata");
    let sent = tg.handled(id, before).await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0]
        .text
        .as_deref()
        .unwrap_or_default()
        .contains("writing anonymously"));
    tg.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_waited_out_and_nothing_is_dropped() {
    let tg = Tg::shop().await;
    let cleo = TgUser::new(616_161, "Cleo");
    let chat = TgChat::private(&cleo);
    tg.fake.rate_limit(2, 1);
    let started = std::time::Instant::now();
    let sent = tg.say(&cleo, &chat, "/privacy").await;
    assert!(texts(&sent).contains("Privacy notice: Botwerk demo shop"));
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Telegram's retry_after was honoured"
    );
    let statuses: Vec<u16> = tg
        .fake
        .calls("sendMessage")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![429, 429, 200]);
    tg.stop().await;
}

/// Echoes button presses; "hang" blocks forever while `hang` is set.
struct Echo {
    hang: Arc<AtomicBool>,
}

#[async_trait]
impl Handler for Echo {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let data = ctx.incoming().button().unwrap_or_default().to_owned();
        if data == "hang" && self.hang.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        ctx.reply(format!("echo {data}")).await?;
        Ok(())
    }
}

fn echo_bot(hang: bool) -> Bot {
    Bot::new("echo").fallback(Echo {
        hang: Arc::new(AtomicBool::new(hang)),
    })
}

/// The echo bot on the data directory of a run that crashed, once the dead
/// run's store lock is gone (with its last thread; with its process, in a
/// real crash).
async fn reopen_after_crash(fake: &FakeTelegram, dir: &std::path::Path) -> Instance {
    for _ in 0..100 {
        let builder = Instance::builder(echo_bot(false))
            .data_dir(dir.join("data"))
            .key_file(dir.join("instance.key"))
            .policy(Policy::unconfigured())
            .adapter(adapter(fake, &dir.join("data")));
        match builder.build().await {
            Ok(instance) => return instance,
            Err(botwerk::InstanceError::DataDir { .. }) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("the crashed run's store lock was never released");
}

#[test]
fn after_a_crash_no_update_is_lost_or_handled_twice() {
    let outer = tokio::runtime::Runtime::new().unwrap();
    let fake = outer.block_on(FakeTelegram::start());
    let dir = tempfile::tempdir().unwrap();
    let users: Vec<TgUser> = (1..=3).map(|i| TgUser::new(700 + i, "User")).collect();
    let chats: Vec<TgChat> = users.iter().map(TgChat::private).collect();

    // The first run: handles some presses, hangs on one, and crashes.
    let first = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let instance = first.block_on(open(
        echo_bot(true),
        Policy::unconfigured(),
        &fake,
        dir.path(),
    ));
    first.spawn(instance.run(CancellationToken::new()));
    for data in ["a1", "a2", "a3"] {
        fake.push_callback(&users[0], &chats[0], 1, data);
    }
    fake.push_callback(&users[1], &chats[1], 1, "hang");
    fake.push_callback(&users[1], &chats[1], 1, "b2");
    fake.push_callback(&users[2], &chats[2], 1, "c1");
    // Four presses answered means four handled and journaled.
    outer.block_on(fake.wait_for_calls("answerCallbackQuery", 4, WAIT));
    first.shutdown_background();

    // The second run, on the same data directory. The dead run's store lock
    // goes with its last thread (with its process, in a real crash).
    let second = tokio::runtime::Runtime::new().unwrap();
    let instance = second.block_on(reopen_after_crash(&fake, dir.path()));
    let shutdown = CancellationToken::new();
    let task = second.spawn(instance.run(shutdown.clone()));
    outer.block_on(fake.wait_for_calls("answerCallbackQuery", 6, WAIT));

    let echoes: Vec<String> = fake.sent().into_iter().filter_map(|s| s.text).collect();
    let mut sorted = echoes.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            "echo a1",
            "echo a2",
            "echo a3",
            "echo b2",
            "echo c1",
            "echo hang"
        ],
        "each update handled exactly once: {echoes:?}"
    );
    let a: Vec<&String> = echoes.iter().filter(|e| e.contains(" a")).collect();
    assert_eq!(a, vec!["echo a1", "echo a2", "echo a3"], "in order");
    let b: Vec<&String> = echoes
        .iter()
        .filter(|e| e.contains("hang") || e.contains("b2"))
        .collect();
    assert_eq!(
        b,
        vec!["echo hang", "echo b2"],
        "in order across the restart"
    );
    shutdown.cancel();
    second.block_on(task).unwrap().unwrap();
    assert_eq!(fake.violations(), Vec::<String>::new());
}

/// A busy bot (a full answer of 100 updates) keeps the round in the
/// store's inbox and confirms it to Telegram before it is handled, so that
/// the next round is fetched meanwhile; after a crash, what was confirmed
/// but not handled comes from the inbox, since Telegram never sends it again.
#[test]
fn a_confirmed_round_that_a_crash_cut_short_is_handled_from_the_inbox() {
    let outer = tokio::runtime::Runtime::new().unwrap();
    let fake = outer.block_on(FakeTelegram::start());
    let dir = tempfile::tempdir().unwrap();
    let users: Vec<TgUser> = (1..=100).map(|i| TgUser::new(900 + i, "User")).collect();

    let first = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let instance = first.block_on(open(
        echo_bot(true),
        Policy::unconfigured(),
        &fake,
        dir.path(),
    ));
    let mut hang = 0;
    for (i, user) in users.iter().enumerate() {
        let data = if i == 50 {
            "hang".to_owned()
        } else {
            format!("p{i}")
        };
        let id = fake.push_callback(user, &TgChat::private(user), 1, &data);
        if i == 50 {
            hang = id;
        }
    }
    first.spawn(instance.run(CancellationToken::new()));
    // Confirmed while its handler still hangs: kept, not handled.
    outer.block_on(fake.wait_confirmed(hang, WAIT));
    outer.block_on(fake.wait_for_calls("answerCallbackQuery", 99, WAIT));
    assert!(
        !fake
            .sent()
            .iter()
            .any(|s| s.text.as_deref() == Some("echo hang")),
        "not handled before the crash"
    );
    first.shutdown_background();

    let second = tokio::runtime::Runtime::new().unwrap();
    let instance = second.block_on(reopen_after_crash(&fake, dir.path()));
    let shutdown = CancellationToken::new();
    let task = second.spawn(instance.run(shutdown.clone()));
    outer.block_on(fake.wait_for_calls("answerCallbackQuery", 100, WAIT));

    let mut echoes: Vec<String> = fake.sent().into_iter().filter_map(|s| s.text).collect();
    echoes.sort();
    let mut expected: Vec<String> = (0..100)
        .map(|i| {
            if i == 50 {
                "echo hang".to_owned()
            } else {
                format!("echo p{i}")
            }
        })
        .collect();
    expected.sort();
    assert_eq!(echoes, expected, "each update handled exactly once");
    shutdown.cancel();
    second.block_on(task).unwrap().unwrap();
    assert_eq!(fake.violations(), Vec::<String>::new());
}

/// One chat sends far more than the poll loop keeps in hand: its updates are
/// handled one after another, each waiting for its commit, and the loop,
/// waiting for room, commits them, so that the chat keeps moving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_busy_chat_keeps_moving_past_the_in_hand_limit() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let user = TgUser::new(955, "User");
    let chat = TgChat::private(&user);
    for i in 0..250 {
        fake.push_callback(&user, &chat, 1, &format!("q{i}"));
    }
    let instance = open(echo_bot(false), Policy::unconfigured(), &fake, dir.path()).await;
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(instance.run(shutdown.clone()));
    fake.wait_for_calls("answerCallbackQuery", 250, WAIT).await;
    let echoes: Vec<String> = fake.sent().into_iter().filter_map(|s| s.text).collect();
    let expected: Vec<String> = (0..250).map(|i| format!("echo q{i}")).collect();
    assert_eq!(echoes, expected, "each once, in order");
    shutdown.cancel();
    task.await.unwrap().unwrap();
    assert_eq!(fake.violations(), Vec::<String>::new());
}

/// A data directory of an earlier version keeps its journal in a file: its
/// handled updates are not handled again, and the file moves into the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_journal_file_is_honoured_and_moved_into_the_store() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let user = TgUser::new(811, "User");
    let chat = TgChat::private(&user);
    let old_a = fake.push_callback(&user, &chat, 1, "old-a");
    let old_b = fake.push_callback(&user, &chat, 1, "old-b");
    fake.push_callback(&user, &chat, 1, "new");
    let file = dir.path().join("data").join("telegram.journal");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    // As the old version wrote it, with a torn last line from a crash.
    std::fs::write(&file, format!("\n{old_a}\n{old_b}")).unwrap();

    let instance = open(echo_bot(false), Policy::unconfigured(), &fake, dir.path()).await;
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(instance.run(shutdown.clone()));
    fake.wait_for_calls("answerCallbackQuery", 1, WAIT).await;
    shutdown.cancel();
    task.await.unwrap().unwrap();

    let echoes: Vec<String> = fake.sent().into_iter().filter_map(|s| s.text).collect();
    assert_eq!(
        echoes,
        vec!["echo new"],
        "the journaled updates are skipped"
    );
    assert!(!file.exists(), "the old journal file is gone");
    assert_eq!(fake.violations(), Vec::<String>::new());
}
