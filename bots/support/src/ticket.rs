//! The ticket dialog: topic, description, confirmation.

use botwerk::prelude::*;
use serde::{Deserialize, Serialize};

use crate::TICKETS;

/// The topics a ticket can have: id and text id.
pub const TOPICS: [(&str, &str); 3] = [
    ("order", "support-topic-order"),
    ("payment", "support-topic-payment"),
    ("other", "support-topic-other"),
];
const DESCRIPTION: std::ops::RangeInclusive<usize> = 10..=2000;

/// Where a ticket stands between two messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketState {
    /// Not begun.
    #[default]
    Start,
    /// Waiting for a topic button.
    Topic,
    /// Waiting for the description.
    Description {
        /// The topic's id.
        topic: String,
    },
    /// Waiting for confirmation.
    Confirm {
        /// The topic's id.
        topic: String,
        /// What the person wrote.
        description: String,
    },
}

/// A ticket as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The number the person was told.
    pub number: u64,
    /// The topic's id.
    pub topic: String,
    /// What the person wrote.
    pub description: String,
    /// When it was opened (RFC 3339).
    pub opened_at: String,
}

/// The dialog behind `/ticket`.
pub struct TicketDialog;

fn topic_name(ctx: &Ctx, id: &str) -> String {
    TOPICS
        .iter()
        .find(|(t, _)| *t == id)
        .map(|(_, text)| ctx.t(text))
        .unwrap_or_else(|| id.to_owned())
}

#[async_trait]
impl Dialog for TicketDialog {
    type State = TicketState;

    async fn step(
        &self,
        ctx: &mut Ctx,
        state: TicketState,
    ) -> Result<Step<TicketState>, HandlerError> {
        match state {
            TicketState::Start => {
                let buttons = Buttons::column(
                    TOPICS
                        .iter()
                        .map(|(id, text)| Button::new(ctx.t(text), format!("t:{id}"))),
                );
                let text = ctx.t("support-ask-topic");
                ctx.ask(text, buttons).await?;
                Ok(Step::Next(TicketState::Topic))
            }
            TicketState::Topic => {
                let chosen = ctx
                    .incoming()
                    .button()
                    .and_then(|d| d.strip_prefix("t:"))
                    .filter(|t| TOPICS.iter().any(|(id, _)| id == t))
                    .map(str::to_owned);
                let Some(topic) = chosen else {
                    let text = ctx.t("support-pick-topic");
                    ctx.reply(text).await?;
                    return Ok(Step::Next(TicketState::Topic));
                };
                let text = ctx.t("support-ask-description");
                ctx.reply(text).await?;
                Ok(Step::Next(TicketState::Description { topic }))
            }
            TicketState::Description { topic } => {
                let description = ctx
                    .incoming()
                    .text()
                    .map(str::trim)
                    .unwrap_or_default()
                    .to_owned();
                if !DESCRIPTION.contains(&description.chars().count()) {
                    let text = ctx.t("support-bad-description");
                    ctx.reply(text).await?;
                    return Ok(Step::Next(TicketState::Description { topic }));
                }
                let text = ctx.t_with(
                    "support-confirm",
                    &[
                        ("topic", topic_name(ctx, &topic).into()),
                        ("description", description.clone().into()),
                    ],
                );
                let buttons = Buttons::row([
                    Button::new(ctx.t("support-button-send"), "k:send"),
                    Button::new(ctx.t("support-button-cancel"), "k:cancel"),
                ]);
                ctx.ask(text, buttons).await?;
                Ok(Step::Next(TicketState::Confirm { topic, description }))
            }
            TicketState::Confirm { topic, description } => match ctx.incoming().button() {
                Some("k:send") => {
                    let store = std::sync::Arc::clone(&ctx.services().store);
                    let number = store.next_number("ticket").await?;
                    let ticket = Ticket {
                        number,
                        topic,
                        description,
                        opened_at: ctx.now().to_rfc3339(),
                    };
                    ctx.data(TICKETS).put(&number.to_string(), &ticket).await?;
                    let text = ctx.t_with("support-opened", &[("number", number.into())]);
                    ctx.reply(text).await?;
                    Ok(Step::Done)
                }
                Some("k:cancel") => {
                    let text = ctx.t("support-cancelled");
                    ctx.reply(text).await?;
                    Ok(Step::Done)
                }
                _ => {
                    let text = ctx.t("support-use-buttons");
                    ctx.reply(text).await?;
                    Ok(Step::Next(TicketState::Confirm { topic, description }))
                }
            },
        }
    }

    async fn cancelled(&self, ctx: &mut Ctx, _state: TicketState) -> HandlerResult {
        let text = ctx.t("support-cancelled");
        ctx.reply(text).await?;
        Ok(())
    }
}
