//! `/tickets` and the reply to anything unexpected.

use botwerk::prelude::*;

use crate::{Ticket, TICKETS};

/// Lists the person's own tickets.
pub(crate) struct Tickets;

#[async_trait]
impl Handler for Tickets {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let mut tickets: Vec<Ticket> = ctx
            .data(TICKETS)
            .list::<Ticket>()
            .await?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        if tickets.is_empty() {
            let text = ctx.t("support-no-tickets");
            ctx.reply(text).await?;
            return Ok(());
        }
        tickets.sort_by_key(|t| t.number);
        let mut text = ctx.t("support-tickets-title");
        for t in tickets {
            let date = t.opened_at.get(..10).unwrap_or_default().to_owned();
            text.push('\n');
            text.push_str(&ctx.t_with(
                "support-ticket-line",
                &[("number", t.number.into()), ("date", date.into())],
            ));
        }
        ctx.reply(text).await?;
        Ok(())
    }
}

/// Points to `/ticket` and `/help`.
pub(crate) struct Unexpected;

#[async_trait]
impl Handler for Unexpected {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let text = ctx.t("support-unexpected");
        let buttons = Buttons::row([Button::new(ctx.t("support-button-new"), "/ticket")]);
        ctx.ask(text, buttons).await?;
        Ok(())
    }
}
