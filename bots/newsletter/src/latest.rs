//! `/latest` and the reply to anything unexpected: no personal data involved.

use botwerk::prelude::*;

/// Shows the latest issue.
pub(crate) struct Latest;

#[async_trait]
impl Handler for Latest {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let text = ctx.t("newsletter-latest");
        ctx.reply(text).await?;
        Ok(())
    }
}

/// Points to `/subscribe`.
pub(crate) struct Unexpected;

#[async_trait]
impl Handler for Unexpected {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let text = ctx.t("newsletter-unexpected");
        let buttons = Buttons::row([Button::new(
            ctx.t("newsletter-button-subscribe"),
            "/subscribe",
        )]);
        ctx.ask(text, buttons).await?;
        Ok(())
    }
}
