//! A dialog that collects a support request into a declared category: a typed
//! state machine whose state the vault keeps encrypted between messages.
//! Run it with `cargo run --example dialog` and type `/ticket`.

use botwerk::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
enum Ticket {
    #[default]
    Start,
    Topic,
    Details {
        topic: String,
    },
}

struct TicketDialog;

#[async_trait]
impl Dialog for TicketDialog {
    type State = Ticket;

    async fn step(&self, ctx: &mut Ctx, state: Ticket) -> Result<Step<Ticket>, HandlerError> {
        let text = ctx.incoming().text().unwrap_or_default().trim().to_owned();
        match state {
            Ticket::Start => {
                ctx.reply("What is it about, in a few words?").await?;
                Ok(Step::Next(Ticket::Topic))
            }
            Ticket::Topic if text.is_empty() => {
                ctx.reply("Please name the topic, or /cancel.").await?;
                Ok(Step::Next(Ticket::Topic))
            }
            Ticket::Topic => {
                ctx.reply("Describe the problem in one message.").await?;
                Ok(Step::Next(Ticket::Details { topic: text }))
            }
            Ticket::Details { topic } => {
                let store = std::sync::Arc::clone(&ctx.services().store);
                let number = store.next_number("ticket").await?;
                let ticket = serde_json::json!({ "topic": topic, "details": text });
                ctx.data("tickets")
                    .put(&number.to_string(), &ticket)
                    .await?;
                ctx.reply(format!("Ticket #{number} is open. We answer within a day."))
                    .await?;
                Ok(Step::Done)
            }
        }
    }
}

const TEXTS: &str = "
ticket-purpose = Answering your support requests
ticket-category = Your support tickets: topic and description
ticket-command = Open a support ticket
";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    Bot::new("support-example")
        .texts("en", TEXTS)
        .purpose(Purpose::new(
            "support",
            LegalBasis::Contract,
            "ticket-purpose",
        ))
        .category(Category::new("tickets", "support", "ticket-category").retain_days(30))
        .dialog(
            CommandSpec::new("ticket", "ticket-command").purpose("support"),
            TicketDialog,
        )
        .run_console()
        .await?;
    Ok(())
}
