//! The demo shop on Discord: the real serenity client against the fake
//! Discord (REST and gateway), with request bodies checked against
//! Discord's OpenAPI specification.

use std::sync::Arc;
use std::time::Duration;

use botwerk::core::{Adapter, CancellationToken, Identity, Platform, Secret};
use botwerk::prelude::*;
use botwerk::privacy::Policy;
use botwerk_discord::{DiscordAdapter, DiscordConfig};
use botwerk_testkit::discord::{
    DcPlace, DcUser, FakeDiscord, Interaction, Reply, ReplyKind, APPLICATION_ID, TOKEN,
};
use botwerk_tests::{shop_policy, Handled};

const WAIT: Duration = Duration::from_secs(20);

struct Dc {
    fake: FakeDiscord,
    adapter: Arc<DiscordAdapter>,
    handled: Arc<Handled>,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), botwerk::InstanceError>>,
    _dir: tempfile::TempDir,
}

impl Dc {
    async fn shop() -> Self {
        Self::with(botwerk_shop::bot(), shop_policy()).await
    }

    async fn with(bot: Bot, policy: Policy) -> Self {
        Self::with_admins(bot, policy, Vec::new()).await
    }

    async fn with_admins(bot: Bot, policy: Policy, admins: Vec<Identity>) -> Self {
        let fake = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = DiscordConfig::new(Secret::new(TOKEN));
        config.api_url = Some(fake.api_url());
        config.gateway_url = Some(fake.gateway_url());
        config.application_id = Some(APPLICATION_ID);
        let handled = Arc::new(Handled::default());
        let adapter = DiscordAdapter::new(config);
        let instance = Instance::builder(bot)
            .data_dir(dir.path().join("data"))
            .key_file(dir.path().join("instance.key"))
            .policy(policy)
            .admins(admins)
            .observer(handled.clone())
            .adapter(adapter.clone())
            .build()
            .await
            .unwrap();
        assert!(!adapter.is_ready(), "not before the gateway said READY");
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(instance.run(shutdown.clone()));
        fake.wait_ready(WAIT).await;
        Self {
            fake,
            adapter,
            handled,
            shutdown,
            task,
            _dir: dir,
        }
    }

    async fn done(&self, interaction: &Interaction, before: usize) -> Vec<Reply> {
        self.handled.wait(before + 1, WAIT).await;
        self.fake.replies_to(interaction)
    }

    async fn command(
        &self,
        user: &DcUser,
        place: &DcPlace,
        name: &str,
        text: Option<&str>,
    ) -> Vec<Reply> {
        let before = self.handled.count();
        let interaction = self.fake.push_command(user, place, name, text);
        self.done(&interaction, before).await
    }

    /// Presses the button labelled like `label` on the newest reply that has it.
    async fn press(&self, user: &DcUser, label: &str) -> Vec<Reply> {
        let (on, custom_id) = self
            .fake
            .replies()
            .into_iter()
            .rev()
            .find_map(|r| {
                let id = r
                    .buttons
                    .iter()
                    .find(|(l, _)| l.contains(label))
                    .map(|(_, id)| id.clone());
                id.map(|id| (r, id))
            })
            .unwrap_or_else(|| panic!("no button {label:?}"));
        let before = self.handled.count();
        let interaction = self.fake.push_button(user, &on, &custom_id);
        self.done(&interaction, before).await
    }

    async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.unwrap().unwrap();
        assert_eq!(
            self.fake.violations(),
            Vec::<String>::new(),
            "requests Discord would refuse"
        );
        self.fake.stop().await;
    }
}

fn text(replies: &[Reply]) -> String {
    replies
        .iter()
        .filter_map(|r| r.content.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_privacy_flow_with_ephemeral_replies() {
    let dc = Dc::shop().await;
    let alice = DcUser::new(7001, "alice");
    let dm = DcPlace::Dm;

    // The commands were registered, with German descriptions, for guilds and DMs.
    let commands = dc.fake.wait_for_commands(WAIT).await;
    let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    for name in [
        "start", "privacy", "mydata", "forgetme", "consent", "stop", "order", "help",
    ] {
        assert!(names.contains(&name), "/{name} registered: {names:?}");
    }
    let mydata = commands.iter().find(|c| c["name"] == "mydata").unwrap();
    assert_eq!(
        mydata["description_localizations"]["de"],
        "Alles erhalten, was ich über dich speichere"
    );
    assert_eq!(mydata["contexts"], serde_json::json!([0, 1]));
    // Only non-privileged intents: GUILDS (1) and DIRECT_MESSAGES (1 << 12).
    assert_eq!(dc.fake.identify().unwrap()["intents"], 1 | (1 << 12));

    let start = dc.command(&alice, &dm, "start", None).await;
    let privacy: Vec<&Reply> = start
        .iter()
        .filter(|r| !text(std::slice::from_ref(r)).contains("Welcome"))
        .collect();
    assert!(
        privacy.len() >= 2 && privacy.iter().all(|r| r.ephemeral),
        "the privacy part is ephemeral: {start:?}"
    );
    dc.press(&alice, "Yes, 16 or older").await;
    assert!(text(&dc.press(&alice, "Yes, I agree").await).contains("I noted your consent"));

    dc.command(&alice, &dm, "order", None).await;
    dc.press(&alice, "Coffee").await;
    dc.press(&alice, "2").await;
    // Text input goes as a direct message.
    let before = dc.handled.count();
    dc.fake.push_dm(&alice, "Discordstraße 3, 10115 Berlin");
    dc.handled.wait(before + 1, WAIT).await;
    assert!(text(&dc.press(&alice, "Place order").await).contains("placed"));

    let mydata = dc.command(&alice, &dm, "mydata", None).await;
    let reply = mydata.iter().find(|r| !r.files.is_empty()).expect("a file");
    assert!(
        reply.ephemeral,
        "/mydata arrives as an ephemeral attachment"
    );
    let (name, bytes) = &reply.files[0];
    assert!(name.starts_with("botwerk-mydata-"), "{name}");
    let export: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    assert!(export.to_string().contains("Discordstraße 3"));
    assert_eq!(export["identities"][0]["platform"], "discord");

    dc.command(&alice, &dm, "forgetme", None).await;
    let done = dc.press(&alice, "Yes, erase everything").await;
    assert!(text(&done).contains("Your receipt: ER-"), "{}", text(&done));
    // The answer updates the question (type 7), taking its buttons away.
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].kind, ReplyKind::Callback(7));
    assert!(done[0].buttons.is_empty() && done[0].ephemeral);
    assert_eq!(
        text(&dc.command(&alice, &dm, "mydata", None).await),
        "I keep nothing about you."
    );
    dc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_by_another_user_erases_nothing() {
    let dc = Dc::shop().await;
    let alice = DcUser::new(7101, "alice");
    let mallory = DcUser::new(7102, "mallory");
    let guild = DcPlace::guild(5001, 6001);
    dc.command(&alice, &DcPlace::Dm, "language", Some("en"))
        .await;

    let asked = dc.command(&alice, &guild, "forgetme", None).await;
    assert!(
        asked.iter().all(|r| r.ephemeral),
        "the confirmation is ephemeral in the guild"
    );
    let confirm = asked
        .iter()
        .find(|r| !r.buttons.is_empty())
        .unwrap()
        .clone();
    let custom_id = confirm.button("Yes, erase everything").unwrap().to_owned();
    let before = dc.handled.count();
    let foreign = dc.fake.push_button(&mallory, &confirm, &custom_id);
    let replies = dc.done(&foreign, before).await;
    assert!(
        text(&replies).contains("This confirmation is not valid"),
        "{}",
        text(&replies)
    );

    // Alice is still there: her own press erases.
    let before = dc.handled.count();
    let own = dc.fake.push_button(&alice, &confirm, &custom_id);
    assert!(text(&dc.done(&own, before).await).contains("Your receipt: ER-"));
    dc.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mydata_in_a_guild_never_posts_data_publicly() {
    let dc = Dc::shop().await;
    let bob = DcUser::new(7201, "bob").locale("de");
    let guild = DcPlace::guild(5002, 6002);
    dc.command(&bob, &DcPlace::Dm, "language", Some("de")).await;
    let replies = dc.command(&bob, &guild, "mydata", None).await;
    assert!(!replies.is_empty());
    for reply in &replies {
        assert!(reply.ephemeral, "only Bob sees it: {reply:?}");
    }
    assert!(
        dc.fake
            .replies()
            .iter()
            .filter(|r| r.guild)
            .all(|r| r.ephemeral),
        "nothing public in the guild"
    );

    // The newsletter is not offered on Discord unless the operator allows it.
    let refused = dc.command(&bob, &DcPlace::Dm, "subscribe", None).await;
    assert!(
        text(&refused).contains("Den Newsletter gibt es auf diesem Messenger nicht"),
        "{}",
        text(&refused)
    );
    dc.stop().await;
}

/// Waits until `ready()` says `want`, or panics after `WAIT`.
async fn wait_ready_is(adapter: &dyn Adapter, want: bool) {
    let until = tokio::time::Instant::now() + WAIT;
    while adapter.is_ready() != want {
        assert!(
            tokio::time::Instant::now() < until,
            "readiness never became {want}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_gateway_connection() {
    let dc = Dc::shop().await;
    wait_ready_is(dc.adapter.as_ref(), true).await;

    // A moved session: serenity resumes, and is ready again.
    dc.fake.disconnect_gateway().await;
    wait_ready_is(dc.adapter.as_ref(), true).await;

    // Discord is gone: not ready, while serenity keeps trying.
    let Dc {
        fake,
        adapter,
        shutdown,
        task,
        ..
    } = dc;
    fake.stop().await;
    wait_ready_is(adapter.as_ref(), false).await;

    shutdown.cancel();
    task.await.unwrap().unwrap();
}

/// Answers after 2.5 s, longer than the adapter waits before it defers:
/// publicly to `/slow`, privately to `/slowsecret`.
struct Slow;

#[async_trait]
impl Handler for Slow {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let secret = matches!(&ctx.incoming().content, Content::Command { name, .. } if name == "slowsecret");
        if secret {
            ctx.reply_private("only for you").await?;
        } else {
            ctx.reply("slow but here").await?;
        }
        Ok(())
    }
}

fn slow_bot() -> Bot {
    Bot::new("slow")
        .texts("en", "slow-command = Answers slowly\n")
        .command(CommandSpec::new("slow", "slow-command"), Slow)
        .command(CommandSpec::new("slowsecret", "slow-command"), Slow)
}

/// Work past Discord's three seconds: the adapter defers (an ephemeral
/// "thinking" response), then a public answer follows as a followup and the
/// deferral goes, a private one takes the deferral's place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_answers_are_deferred_first() {
    let dc = Dc::with(slow_bot(), Policy::unconfigured()).await;
    let ann = DcUser::new(7301, "ann");
    let guild = DcPlace::guild(5003, 6003);

    let public = dc.command(&ann, &guild, "slow", None).await;
    assert_eq!(public[0].kind, ReplyKind::Callback(5), "{public:?}");
    assert!(
        public[0].ephemeral && public[0].content.is_none(),
        "{public:?}"
    );
    let answer = public
        .iter()
        .find(|r| r.content.as_deref() == Some("slow but here"))
        .unwrap_or_else(|| panic!("the answer: {public:?}"));
    assert_eq!(answer.kind, ReplyKind::Followup);
    assert!(
        !answer.ephemeral,
        "everyone sees a public answer: {public:?}"
    );
    assert_ne!(
        answer.message_id, public[0].message_id,
        "a message of its own, not the deferral"
    );
    assert!(
        dc.fake
            .requests()
            .iter()
            .any(|r| r.method == "DELETE" && r.path.ends_with("/messages/@original")),
        "the deferral is removed once the public answer is there"
    );

    let private = dc.command(&ann, &guild, "slowsecret", None).await;
    let kinds: Vec<&ReplyKind> = private.iter().map(|r| &r.kind).collect();
    assert_eq!(
        kinds,
        vec![&ReplyKind::Callback(5), &ReplyKind::EditOriginal],
        "{private:?}"
    );
    assert!(private.iter().all(|r| r.ephemeral), "{private:?}");
    assert_eq!(private[1].content.as_deref(), Some("only for you"));
    dc.stop().await;
}

/// `/admin` typed in a DM with the bot: the admin gets the audit check,
/// anyone else the ordinary answer to an unknown command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_uses_admin_in_a_dm() {
    let ada = DcUser::new(7401, "ada");
    let bob = DcUser::new(7402, "bob");
    let dc = Dc::with_admins(
        botwerk_shop::bot(),
        shop_policy(),
        vec![Identity::new(Platform::Discord, "7401")],
    )
    .await;
    let dm_texts = |user: &DcUser| -> String {
        let channel = DcPlace::Dm.channel_id(user);
        text(
            &dc.fake
                .replies()
                .into_iter()
                .filter(|r| r.channel_id == channel)
                .collect::<Vec<_>>(),
        )
    };

    let before = dc.handled.count();
    dc.fake.push_dm(&ada, "/admin audit");
    dc.handled.wait(before + 1, WAIT).await;
    let ada_sees = dm_texts(&ada);
    assert!(ada_sees.contains("The audit log is intact"), "{ada_sees}");

    let before = dc.handled.count();
    dc.fake.push_dm(&bob, "/admin audit");
    dc.handled.wait(before + 1, WAIT).await;
    let bob_sees = dm_texts(&bob);
    assert!(!bob_sees.is_empty(), "Bob gets an answer");
    assert!(!bob_sees.contains("audit log"), "{bob_sees}");
    dc.stop().await;
}
