//! `/privacy`: the full notice, in the chat, before any consent.

use botwerk_core::{Ctx, HandlerResult};

use crate::notice;
use crate::privacy::Privacy;

/// `/privacy`. The notice holds no personal data, so it may go into a group.
pub(crate) async fn run(ctx: &mut Ctx, privacy: &Privacy) -> HandlerResult {
    let text = notice::notice(&privacy.texts, ctx.language(), privacy);
    ctx.reply(text).await?;
    Ok(())
}
