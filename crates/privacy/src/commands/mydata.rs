//! `/mydata`: everything the vault holds about the person, as a JSON file,
//! privately, a few times a day.

use botwerk_core::{Attachment, Body, Ctx, HandlerResult};
use botwerk_vault::Actor;

use crate::notice;
use crate::privacy::Privacy;
use crate::{reply, requests};

/// `/mydata`.
pub(crate) async fn run(ctx: &mut Ctx, privacy: &Privacy) -> HandlerResult {
    let Some(subject) = ctx.existing_subject().await? else {
        let text = ctx.t("privacy-mydata-nothing");
        return reply::private_text(ctx, text, "mydata").await;
    };
    let limit = privacy.config.mydata_per_day;
    if let Err(free_at) = requests::count_export(&privacy.vault, subject, limit).await? {
        let time = free_at.format("%Y-%m-%d %H:%M").to_string();
        let text = ctx.t_with(
            "privacy-mydata-limit",
            &[("limit", limit.into()), ("time", time.into())],
        );
        return reply::private_text(ctx, text, "mydata").await;
    }
    let meta = notice::metadata(privacy);
    let (bytes, _) = privacy
        .vault
        .export(Some(subject), Some(&meta), Actor::Subject)
        .await?;
    let file = Attachment {
        name: format!("botwerk-mydata-{}.json", ctx.now().format("%Y-%m-%d")),
        mime: "application/json".into(),
        bytes,
    };
    let caption = Some(ctx.t("privacy-mydata-caption"));
    reply::private(ctx, Body::File { file, caption }, "mydata").await
}
