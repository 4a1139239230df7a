//! A bot with one purpose that needs consent: it remembers your favourite
//! colour, but only after you agreed. Run it with `cargo run --example consent`
//! and type `/colour blue`: the bot asks for consent first, and `/mydata`,
//! `/consent`, `/stop` and `/forgetme` work without a line of code here.

use botwerk::prelude::*;

struct RememberColour;

#[async_trait]
impl Handler for RememberColour {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let Content::Command { args, .. } = ctx.incoming().content.clone() else {
            return Ok(());
        };
        if args.is_empty() {
            let saved: Option<String> = ctx.data("colour").get("favourite").await?;
            let text = match saved {
                Some(colour) => format!("Your favourite colour is {colour}."),
                None => "Tell me with /colour <name>.".to_owned(),
            };
            ctx.reply(text).await?;
            return Ok(());
        }
        // The consent gate ran before this handler: writing is allowed here.
        ctx.data("colour").put("favourite", &args).await?;
        ctx.reply(format!("I will remember {args}.")).await?;
        Ok(())
    }
}

const TEXTS: &str = "
colour-purpose = Remembering your favourite colour
colour-category = Your favourite colour
colour-command = Tell me your favourite colour
";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    Bot::new("colours")
        .texts("en", TEXTS)
        .purpose(Purpose::new(
            "colour",
            LegalBasis::Consent,
            "colour-purpose",
        ))
        .category(Category::new("colour", "colour", "colour-category").retain_days(90))
        .command(
            CommandSpec::new("colour", "colour-command").purpose("colour"),
            RememberColour,
        )
        .run_console()
        .await?;
    Ok(())
}
