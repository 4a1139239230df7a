//! `/start` and the kind reply to anything the shop does not expect.

use botwerk::prelude::*;

fn order_button(ctx: &Ctx) -> Buttons {
    Buttons::row([Button::new(ctx.t("shop-button-order"), "/order")])
}

/// Greets and offers to order.
pub(crate) struct Start;

#[async_trait]
impl Handler for Start {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let buttons = order_button(ctx);
        let text = ctx.t("shop-welcome");
        ctx.ask(text, buttons).await?;
        Ok(())
    }
}

/// Answers whatever no command or dialog takes.
pub(crate) struct Unexpected;

#[async_trait]
impl Handler for Unexpected {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let text = match ctx.incoming().command() {
            Some(command) => {
                let command = command.to_owned();
                ctx.t_with("shop-unknown-command", &[("command", command.into())])
            }
            None if ctx.incoming().button().is_some() => ctx.t("shop-stale-button"),
            None => ctx.t("shop-unexpected"),
        };
        let buttons = order_button(ctx);
        ctx.ask(text, buttons).await?;
        Ok(())
    }
}
