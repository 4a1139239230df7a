//! `/forgetme`: erasure after a confirmation whose button is bound to the
//! person and to a nonce that expires.

use botwerk_core::{Body, Button, Buttons, Ctx, HandlerResult};
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
        return reply::private_text(ctx, text, "forgetme").await;
    };
    let valid = match subject {
        Some(subject) => requests::redeem(&privacy.vault, subject, KIND, nonce).await?,
        None => false,
    };
    let (true, Some(subject)) = (valid, subject) else {
        let text = ctx.t("privacy-forget-invalid");
        return reply::private_text(ctx, text, "forgetme").await;
    };
    // Durable when it returns: only then is the person told.
    let receipt = privacy.vault.erase(subject, Actor::Subject).await?;
    ctx.forget_subject();
    let adapter = std::sync::Arc::clone(ctx.adapter());
    adapter.erased(&ctx.sender().identity).await;
    let text = ctx.t_with("privacy-forget-done", &[("receipt", receipt.id.into())]);
    reply::private_text(ctx, text, "forgetme").await
}
