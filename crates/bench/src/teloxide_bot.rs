//! The baseline: the same shop conversation written with plain teloxide, a
//! dialogue on `InMemStorage` or on `SqliteStorage` — the equivalent work of
//! the Botwerk demo without its privacy layer and vault: the same messages
//! and buttons at every step (23 messages for a user's 20 updates), the
//! dialogue state saved after every update.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use teloxide::dispatching::dialogue::{
    self, serializer::Json, ErasedStorage, InMemStorage, SqliteStorage, Storage,
};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, UpdateKind};

#[derive(Clone, Default, Serialize, Deserialize)]
enum State {
    #[default]
    Start,
    Age,
    Consent,
    Idle,
    Product,
    Quantity {
        product: String,
    },
    Address {
        product: String,
        quantity: u32,
    },
    Confirm {
        product: String,
        quantity: u32,
        address: String,
    },
}

type Dlg = Dialogue<State, ErasedStorage<State>>;
type Res = Result<(), Box<dyn std::error::Error + Send + Sync>>;

static ORDERS: AtomicU64 = AtomicU64::new(0);

fn keyboard(buttons: &[(&str, &str)]) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(
        buttons
            .iter()
            .map(|(label, data)| vec![InlineKeyboardButton::callback(*label, *data)]),
    )
}

/// Runs the baseline bot until killed; `sqlite`: the database file, else in memory.
pub async fn run(api_url: &str, sqlite: Option<&Path>) -> anyhow::Result<()> {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()?;
    let bot = Bot::with_client("1:bench", client).set_api_url(api_url.parse()?);
    let storage: Arc<ErasedStorage<State>> = match sqlite {
        Some(path) => SqliteStorage::open(&path.display().to_string(), Json)
            .await?
            .erase(),
        None => InMemStorage::<State>::new().erase(),
    };
    let handler = dialogue::enter::<Update, ErasedStorage<State>, State, _>().endpoint(step);
    Dispatcher::builder(bot, handler)
        .dependencies(dptree::deps![storage])
        .build()
        .dispatch()
        .await;
    Ok(())
}

async fn step(bot: Bot, dialogue: Dlg, state: State, update: Update) -> Res {
    let chat = dialogue.chat_id();
    let (text, press) = match &update.kind {
        UpdateKind::Message(m) => (m.text().map(str::to_owned), None),
        UpdateKind::CallbackQuery(q) => {
            bot.answer_callback_query(q.id.clone()).await?;
            (None, q.data.clone())
        }
        _ => return Ok(()),
    };
    let text = text.as_deref();
    let press = press.as_deref();
    let next = match (state, text, press) {
        (_, Some("/start"), _) => {
            bot.send_message(
                chat,
                "Hello! The demo shop keeps only what it needs; /privacy tells you everything.",
            )
            .await?;
            bot.send_message(
                chat,
                "Before I ask for your consent: are you 16 years or older?",
            )
            .reply_markup(keyboard(&[("Yes, 16 or older", "age:y"), ("No", "age:n")]))
            .await?;
            bot.send_message(
                chat,
                "Welcome to the demo shop! Tap the button or type /order to order.",
            )
            .reply_markup(keyboard(&[("Order now", "order")]))
            .await?;
            State::Age
        }
        (State::Age, _, Some("age:y")) => {
            bot.send_message(
                chat,
                "For the following I would like your consent. It is voluntary.",
            )
            .await?;
            bot.send_message(
                chat,
                "Remembering your shipping address for your next order.",
            )
            .reply_markup(keyboard(&[("Yes, I agree", "c:y"), ("No, thanks", "c:n")]))
            .await?;
            State::Consent
        }
        (State::Consent, _, Some("c:y")) => {
            bot.send_message(chat, "Thank you: I noted your consent.")
                .await?;
            State::Idle
        }
        (_, Some("/order"), _) => {
            bot.send_message(chat, "What would you like to order?")
                .reply_markup(keyboard(&[
                    ("Coffee beans, 1 kg – 12.50 EUR", "p:coffee"),
                    ("Green tea, 250 g – 8.90 EUR", "p:tea"),
                    ("Botwerk mug – 15.00 EUR", "p:mug"),
                ]))
                .await?;
            State::Product
        }
        (State::Product, _, Some(data)) if data.starts_with("p:") => {
            bot.send_message(
                chat,
                "How many? Tap a button or send a number from 1 to 99.",
            )
            .reply_markup(keyboard(&[("1", "q:1"), ("2", "q:2"), ("3", "q:3")]))
            .await?;
            State::Quantity {
                product: data[2..].to_owned(),
            }
        }
        (State::Quantity { product }, Some(n), _) => match n.trim().parse::<u32>() {
            Ok(quantity) if (1..=99).contains(&quantity) => {
                bot.send_message(chat, "Where should we ship it?").await?;
                State::Address { product, quantity }
            }
            _ => {
                bot.send_message(chat, "Please send a number from 1 to 99.")
                    .await?;
                State::Quantity { product }
            }
        },
        (State::Address { product, quantity }, Some(address), _) => {
            bot.send_message(
                chat,
                format!("{quantity} × {product}, shipped to:\n{address}\nShall I place the order?"),
            )
            .reply_markup(keyboard(&[
                ("Place order", "o:confirm"),
                ("Cancel", "o:cancel"),
            ]))
            .await?;
            State::Confirm {
                product,
                quantity,
                address: address.to_owned(),
            }
        }
        (State::Confirm { .. }, _, Some("o:confirm")) => {
            let number = ORDERS.fetch_add(1, Ordering::Relaxed) + 1;
            bot.send_message(chat, format!("Order #{number} placed. Thank you!"))
                .await?;
            State::Idle
        }
        (state, _, _) => {
            bot.send_message(chat, "I did not understand that.").await?;
            state
        }
    };
    dialogue.update(next).await?;
    Ok(())
}
