//! The consent gate: before consent a consent-purpose handler does not run
//! and nothing of its categories is stored; after `/stop` the next message is
//! not processed and consent-only data is erased; a changed consent text asks
//! again.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use botwerk::prelude::*;
use botwerk::privacy::Policy;
use botwerk_testkit::Person;
use botwerk_tests::{texts, Harness};

const MEMOS: &str = "memos";

/// `/remember TEXT` keeps a memo; runs only with consent to "memo".
struct Remember(Arc<AtomicUsize>);

#[async_trait]
impl Handler for Remember {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        self.0.fetch_add(1, Ordering::SeqCst);
        let Content::Command { args, .. } = ctx.incoming().content.clone() else {
            return Ok(());
        };
        ctx.data(MEMOS).put("memo", &args).await?;
        ctx.reply("remembered").await?;
        Ok(())
    }
}

/// `/sneak TEXT` tries to write a memo without declaring the purpose.
struct Sneak;

#[async_trait]
impl Handler for Sneak {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let result = ctx.data(MEMOS).put("memo", "sneaked").await;
        ctx.reply(if result.is_ok() { "stored" } else { "refused" })
            .await?;
        Ok(())
    }
}

fn bot(runs: Arc<AtomicUsize>, description: &'static str) -> Bot {
    Bot::new("memo")
        .texts("en", &format!("memo-purpose = {description}\nmemo-category = Your memo\nmemo-cmd = Remember a memo\n"))
        .purpose(Purpose::new("memo", LegalBasis::Consent, "memo-purpose"))
        .category(Category::new(MEMOS, "memo", "memo-category").retain_days(30))
        .command(CommandSpec::new("remember", "memo-cmd").purpose("memo"), Remember(runs))
        .command(CommandSpec::new("sneak", "memo-cmd"), Sneak)
}

async fn memo_count(h: &Harness, person: &Person) -> usize {
    let Some(subject) = h.vault.find_subject(person.identity()).await.unwrap() else {
        return 0;
    };
    h.vault.list(subject, MEMOS, None, 10).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_consent_the_handler_does_not_run_and_nothing_is_stored() {
    let runs = Arc::new(AtomicUsize::new(0));
    let h = Harness::start(
        bot(runs.clone(), "Remembering a memo for you"),
        Policy::unconfigured(),
    )
    .await;
    let ada = Person::new("ada");

    let replies = texts(&h.say(&ada, "/remember buy milk").await);
    assert!(
        replies.contains("For this I need your consent first"),
        "{replies}"
    );
    assert!(replies.contains("Remembering a memo for you"), "{replies}");
    assert_eq!(runs.load(Ordering::SeqCst), 0, "the handler did not run");
    assert_eq!(memo_count(&h, &ada).await, 0);
    assert!(
        h.vault
            .find_subject(ada.identity())
            .await
            .unwrap()
            .is_none(),
        "not even a subject"
    );

    // A handler that writes the category without declaring its purpose is refused too.
    assert_eq!(texts(&h.say(&ada, "/sneak").await), "refused");
    assert_eq!(memo_count(&h, &ada).await, 0);

    // Declining keeps nothing.
    let declined = texts(&h.tap(&ada, "No, thanks").await);
    assert!(declined.contains("I keep nothing"), "{declined}");
    assert!(h
        .vault
        .find_subject(ada.identity())
        .await
        .unwrap()
        .is_none());

    // With consent it runs.
    h.say(&ada, "/remember buy milk").await;
    h.tap(&ada, "Yes, I agree").await;
    assert_eq!(
        texts(&h.say(&ada, "/remember buy milk").await),
        "remembered"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(memo_count(&h, &ada).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_stop_nothing_runs_and_consent_only_data_is_erased() {
    let runs = Arc::new(AtomicUsize::new(0));
    let h = Harness::start(
        bot(runs.clone(), "Remembering a memo for you"),
        Policy::unconfigured(),
    )
    .await;
    let ben = Person::new("ben");
    h.say(&ben, "/remember x").await;
    h.tap(&ben, "Yes, I agree").await;
    h.say(&ben, "/remember call mum").await;
    assert_eq!(memo_count(&h, &ben).await, 1);

    let stopped = texts(&h.say(&ben, "/stop").await);
    assert!(stopped.contains("I withdrew your consent"), "{stopped}");
    assert_eq!(memo_count(&h, &ben).await, 0, "consent-only data is erased");

    let before = runs.load(Ordering::SeqCst);
    let replies = texts(&h.say(&ben, "/remember again").await);
    assert!(replies.contains("need your consent"), "{replies}");
    assert_eq!(
        runs.load(Ordering::SeqCst),
        before,
        "the next message is not processed"
    );
    assert_eq!(memo_count(&h, &ben).await, 0);

    let subject = h.vault.find_subject(ben.identity()).await.unwrap().unwrap();
    let history = h.vault.consent_history(subject).await.unwrap();
    assert_eq!(history.len(), 2, "granted, then withdrawn");
    assert_eq!(history[1].event.mechanism, "command-stop:memory");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_consent_text_asks_again() {
    let runs = Arc::new(AtomicUsize::new(0));
    let dir;
    {
        let h = Harness::start(
            bot(runs.clone(), "Remembering a memo for you"),
            Policy::unconfigured(),
        )
        .await;
        let cleo = Person::new("cleo");
        h.say(&cleo, "/remember x").await;
        h.tap(&cleo, "Yes, I agree").await;
        assert_eq!(texts(&h.say(&cleo, "/remember y").await), "remembered");
        dir = h.stop().await;
    }
    // The operator changes what the purpose says: a material change.
    let (adapter, users) = botwerk_testkit::MemoryAdapter::new();
    let instance = Instance::builder(bot(
        runs.clone(),
        "Remembering a memo and selling it to advertisers",
    ))
    .data_dir(dir.path().join("data"))
    .key_file(dir.path().join("instance.key"))
    .policy(Policy::unconfigured())
    .adapter(adapter)
    .build()
    .await
    .unwrap();
    tokio::spawn(instance.run(botwerk::core::CancellationToken::new()));
    let cleo = Person::new("cleo");
    let before = runs.load(Ordering::SeqCst);
    users.send(cleo.says("/remember z")).await;
    let reply = users.last().text().to_owned();
    assert!(reply.contains("What you agreed to has changed"), "{reply}");
    assert!(reply.contains("selling it to advertisers"), "{reply}");
    assert_eq!(runs.load(Ordering::SeqCst), before);
}
