//! The smallest bot: answers every message with its own text.
//! Run it with `cargo run --example echo`.

use botwerk::prelude::*;

struct Echo;

#[async_trait]
impl Handler for Echo {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let text = ctx.incoming().text().unwrap_or("(not text)").to_owned();
        ctx.reply(format!("You said: {text}")).await?;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    Bot::new("echo").fallback(Echo).run_console().await?;
    Ok(())
}
