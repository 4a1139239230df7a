//! `/topics`: which topics a subscriber wants; kept only with consent.

use botwerk::prelude::*;

/// The category of chosen topics.
pub const TOPIC_CATEGORY: &str = "newsletter-topics";
/// The topics: id and text id.
pub const TOPICS: [(&str, &str); 3] = [
    ("releases", "newsletter-topic-releases"),
    ("events", "newsletter-topic-events"),
    ("tips", "newsletter-topic-tips"),
];

/// Shows the topics; a press toggles one.
pub struct Topics;

#[async_trait]
impl Handler for Topics {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let mut chosen: Vec<String> = ctx
            .data(TOPIC_CATEGORY)
            .get("chosen")
            .await?
            .unwrap_or_default();
        if let Some(topic) = ctx
            .incoming()
            .button()
            .and_then(|d| d.strip_prefix("/topics "))
        {
            let topic = topic.to_owned();
            if TOPICS.iter().any(|(id, _)| *id == topic) {
                if let Some(i) = chosen.iter().position(|t| *t == topic) {
                    chosen.remove(i);
                } else {
                    chosen.push(topic);
                }
                ctx.data(TOPIC_CATEGORY).put("chosen", &chosen).await?;
            }
        }
        let mut text = ctx.t("newsletter-topics-title");
        let buttons = Buttons::column(TOPICS.iter().map(|(id, name)| {
            let mark = if chosen.iter().any(|c| c == id) {
                "✓"
            } else {
                "✗"
            };
            Button::new(format!("{mark} {}", ctx.t(name)), format!("/topics {id}"))
        }));
        if chosen.is_empty() {
            text.push('\n');
            text.push_str(&ctx.t("newsletter-topics-all"));
        }
        ctx.ask(text, buttons).await?;
        Ok(())
    }
}
