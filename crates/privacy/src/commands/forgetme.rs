//! `/forgetme`: erasure after a confirmation whose button is bound to the
//! person and to a nonce that expires.

use botwerk_core::{Body, Button, Buttons, ChatKind, Content, Ctx, HandlerResult};
use botwerk_vault::Actor;

use crate::privacy::Privacy;
use crate::{buttons, reply, requests};

const KIND: &str = "forgetme";

/// `/forgetme`: asks for confirmation.
pub(crate) async fn run(ctx: &mut Ctx, privacy: &Privacy) -> HandlerResult {
    let Some(subject) = ctx.existing_subject().await? else {
        let text = ctx.t("privacy-forget-nothing");
        return reply::private_text(ctx, text, "forgetme").await;
    };
    let nonce = requests::issue(&privacy.vault, subject, KIND, privacy.config.forget_ttl).await?;
    let text = ctx.t("privacy-forget-confirm");
    let buttons = Buttons::row([
        Button::new(
            ctx.t("privacy-button-forget"),
            buttons::forget(Some(&nonce)),
        ),
        Button::new(ctx.t("privacy-button-keep"), buttons::forget(None)),
    ]);
    reply::private(ctx, Body::Text { text, buttons }, "forgetme").await
}

/// A press of the confirm (`Some(nonce)`) or keep (`None`) button. Only the
/// person who asked, within ten minutes, once, with the nonce they were
/// given, erases anything.
pub(crate) async fn press(ctx: &mut Ctx, privacy: &Privacy, nonce: Option<&str>) -> HandlerResult {
    let subject = ctx.existing_subject().await?;
    let Some(nonce) = nonce else {
        if let Some(subject) = subject {
            requests::cancel(&privacy.vault, subject, KIND).await?;
        }
        let text = ctx.t("privacy-forget-kept");
        return answer(ctx, text).await;
    };
    let valid = match subject {
        Some(subject) => requests::redeem(&privacy.vault, subject, KIND, nonce).await?,
        None => false,
    };
    let (true, Some(subject)) = (valid, subject) else {
        let text = ctx.t("privacy-forget-invalid");
        return answer(ctx, text).await;
    };
    // Durable when it returns: only then is the person told.
    let receipt = privacy.vault.erase(subject, Actor::Subject).await?;
    ctx.forget_subject();
    let adapter = std::sync::Arc::clone(ctx.adapter());
    adapter.erased(&ctx.sender().identity).await;
    let text = ctx.t_with("privacy-forget-done", &[("receipt", receipt.id.into())]);
    answer(ctx, text).await
}

/// Answers a press in a private chat by replacing the question it answers
/// (its buttons go with it, so it cannot be pressed again; on Discord an
/// update of the message); elsewhere, or when the platform cannot edit it,
/// with a private message.
async fn answer(ctx: &mut Ctx, text: String) -> HandlerResult {
    let question = match &ctx.incoming().content {
        Content::Button {
            message: Some(message),
            ..
        } if ctx.chat().kind == ChatKind::Private => Some(message.clone()),
        _ => None,
    };
    if let Some(question) = question {
        match ctx.edit(question, text.clone(), Buttons::none()).await {
            Ok(_) => return Ok(()),
            Err(e) => {
                tracing::debug!(error = %e, "the confirmation could not be replaced; answering anew");
            }
        }
    }
    reply::private_text(ctx, text, "forgetme").await
}
