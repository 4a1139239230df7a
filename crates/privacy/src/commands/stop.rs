//! `/stop`: withdraws every consent at once — as easy as giving it.

use botwerk_core::{Ctx, HandlerResult};
use botwerk_vault::ConsentAction;

use crate::commands::mechanism;
use crate::privacy::Privacy;
use crate::{reply, requests};

/// `/stop`.
pub(crate) async fn run(ctx: &mut Ctx, privacy: &Privacy) -> HandlerResult {
    let Some(subject) = ctx.existing_subject().await? else {
        let text = ctx.t("privacy-stop-nothing");
        return reply::private_text(ctx, text, "stop").await;
    };
    let state = privacy.vault.consent_state(subject).await?;
    let lang = ctx.language().to_owned();
    let mut withdrawn = 0u64;
    for (name, entry) in state {
        if entry.event.action != ConsentAction::Granted {
            continue;
        }
        let Some(purpose) = privacy.purpose(&name).cloned() else {
            continue;
        };
        privacy
            .withdraw(subject, &purpose, &lang, mechanism(ctx, "command-stop"))
            .await?;
        withdrawn += 1;
    }
    requests::cancel(&privacy.vault, subject, "subscribe").await?;
    let text = if withdrawn == 0 {
        ctx.t("privacy-stop-nothing")
    } else {
        ctx.t_with("privacy-stop-done", &[("count", withdrawn.into())])
    };
    reply::private_text(ctx, text, "stop").await
}
