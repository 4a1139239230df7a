//! Dialog transitions through the router, including `/cancel`.

use std::sync::Arc;

use async_trait::async_trait;
use botwerk_core::{
    CancellationToken, CommandSpec, Ctx, Dialog, Handler, HandlerError, HandlerResult, MemoryStore,
    Outcome, Router, Runtime, Services, Step,
};
use botwerk_testkit::{MemoryAdapter, Person, Users};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
enum Pizza {
    #[default]
    Start,
    Size,
    Topping {
        size: String,
    },
}

struct PizzaDialog;

#[async_trait]
impl Dialog for PizzaDialog {
    type State = Pizza;

    async fn step(&self, ctx: &mut Ctx, state: Pizza) -> Result<Step<Pizza>, HandlerError> {
        let input = ctx.incoming().text().unwrap_or_default().to_owned();
        match state {
            Pizza::Start => {
                ctx.reply("size?").await?;
                Ok(Step::Next(Pizza::Size))
            }
            Pizza::Size if input == "small" || input == "large" => {
                ctx.reply("topping?").await?;
                Ok(Step::Next(Pizza::Topping { size: input }))
            }
            Pizza::Size => {
                ctx.reply("small or large?").await?;
                Ok(Step::Next(Pizza::Size))
            }
            Pizza::Topping { size } => {
                ctx.reply(format!("{size} pizza with {input}")).await?;
                Ok(Step::Done)
            }
        }
    }
}

struct Fallback;

#[async_trait]
impl Handler for Fallback {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        ctx.reply("fallback").await?;
        Ok(())
    }
}

fn start() -> (Users, Arc<MemoryStore>) {
    let router = Router::new()
        .dialog(CommandSpec::new("pizza", "pizza-help"), PizzaDialog)
        .fallback(Fallback);
    let (adapter, users) = MemoryAdapter::new();
    let store = Arc::new(MemoryStore::new());
    let services = Arc::new(Services::new(store.clone()));
    let runtime = Runtime::new(Arc::new(router), services).adapter(adapter);
    tokio::spawn(async move { runtime.run(CancellationToken::new()).await });
    (users, store)
}

async fn say(users: &Users, person: &Person, line: &str) -> String {
    assert_eq!(users.send(person.says(line)).await, Outcome::Handled);
    users.last().text().to_owned()
}

#[tokio::test]
async fn a_dialog_walks_its_states_and_ends() {
    let (users, _store) = start();
    let alice = Person::new("alice");
    assert_eq!(say(&users, &alice, "hello").await, "fallback");
    assert_eq!(say(&users, &alice, "/pizza").await, "size?");
    assert_eq!(say(&users, &alice, "medium").await, "small or large?");
    assert_eq!(say(&users, &alice, "large").await, "topping?");
    assert_eq!(
        say(&users, &alice, "olives").await,
        "large pizza with olives"
    );
    assert_eq!(
        say(&users, &alice, "more").await,
        "fallback",
        "the dialog has ended"
    );
}

#[tokio::test]
async fn cancel_ends_the_dialog() {
    let (users, _store) = start();
    let alice = Person::new("alice");
    say(&users, &alice, "/pizza").await;
    say(&users, &alice, "small").await;
    assert_eq!(say(&users, &alice, "/cancel").await, "Cancelled.");
    assert_eq!(say(&users, &alice, "olives").await, "fallback");
    assert_eq!(
        say(&users, &alice, "/cancel").await,
        "There is nothing to cancel."
    );
}

#[tokio::test]
async fn states_are_per_person_and_per_chat() {
    let (users, _store) = start();
    let alice = Person::new("alice");
    let bob = Person::new("bob");
    let alice_in_group = alice.in_group("g1");
    say(&users, &alice, "/pizza").await;
    say(&users, &alice, "small").await;
    assert_eq!(
        say(&users, &bob, "small").await,
        "fallback",
        "bob has no dialog"
    );
    assert_eq!(
        say(&users, &alice_in_group, "small").await,
        "fallback",
        "nor has alice in the group"
    );
    assert_eq!(say(&users, &alice, "ham").await, "small pizza with ham");
}

#[tokio::test]
async fn restarting_a_dialog_starts_it_afresh() {
    let (users, _store) = start();
    let alice = Person::new("alice");
    say(&users, &alice, "/pizza").await;
    say(&users, &alice, "large").await;
    assert_eq!(say(&users, &alice, "/pizza").await, "size?");
    assert_eq!(say(&users, &alice, "ham").await, "small or large?");
}

#[tokio::test]
async fn unknown_commands_and_text_without_a_fallback_get_a_hint() {
    let router = Router::new().dialog(CommandSpec::new("pizza", "pizza-help"), PizzaDialog);
    let (adapter, users) = MemoryAdapter::new();
    let services = Arc::new(Services::new(Arc::new(MemoryStore::new())));
    let runtime = Runtime::new(Arc::new(router), services).adapter(adapter);
    tokio::spawn(async move { runtime.run(CancellationToken::new()).await });
    let alice = Person::new("alice").speaking("de-DE");
    let reply = say(&users, &alice, "/teleport").await;
    assert!(reply.contains("/teleport kenne ich nicht"), "{reply}");
    let reply = say(&users, &Person::new("bob"), "hm").await;
    assert!(reply.contains("did not understand"), "{reply}");
}

#[tokio::test]
async fn a_state_that_no_longer_fits_is_discarded() {
    let (users, store) = start();
    let alice = Person::new("alice");
    say(&users, &alice, "/pizza").await;
    // An older version of the bot left a state this version cannot read.
    let subject = botwerk_core::Store::subject(&*store, alice.identity(), false)
        .await
        .unwrap()
        .unwrap();
    botwerk_core::Store::save_state(
        &*store,
        subject,
        alice.chat(),
        None,
        br#"{"dialog":"pizza","state":{"Unknown":1}}"#,
    )
    .await
    .unwrap();
    assert_eq!(
        say(&users, &alice, "small").await,
        "size?",
        "the dialog starts afresh"
    );
    assert_eq!(say(&users, &alice, "small").await, "topping?");
}
