//! `/subscribe` and `/unsubscribe`: marketing with double opt-in. The first
//! step asks, without advertising; only the press of its button subscribes.

use botwerk_core::{Body, Button, Buttons, Ctx, HandlerResult};
use serde_json::json;

use crate::commands::{mechanism, start};
use crate::consent::ConsentStatus;
use crate::notice::consent_text;
use crate::privacy::{Privacy, SUBSCRIPTIONS};
use crate::{buttons, reply, requests};

const KIND: &str = "subscribe";

/// `/subscribe`: records the request and asks for confirmation; asks the age
/// first where the policy sets a minimum (`age_confirmed`: just answered).
pub(crate) async fn run(ctx: &mut Ctx, privacy: &Privacy, age_confirmed: bool) -> HandlerResult {
    let Some(purpose) = privacy
        .config
        .marketing
        .as_deref()
        .and_then(|m| privacy.purpose(m))
        .cloned()
    else {
        let text = ctx.t("privacy-no-marketing");
        return reply::private_text(ctx, text, "subscribe").await;
    };
    if !ctx.adapter().allows_marketing() {
        let text = ctx.t("privacy-no-marketing-here");
        return reply::private_text(ctx, text, "subscribe").await;
    }
    if let Some(subject) = ctx.existing_subject().await? {
        if privacy.status(subject, &purpose).await?.is_given() {
            let text = ctx.t("privacy-subscribe-already");
            return reply::private_text(ctx, text, "subscribe").await;
        }
    }
    if !start::age_ok(ctx, privacy, age_confirmed).await? {
        return start::ask_age(ctx, privacy, Some(&purpose.name)).await;
    }
    let subject = ctx.subject().await?;
    let lang = ctx.language().to_owned();
    let age = privacy.policy.minimum_age.map(|_| true);
    privacy
        .request(
            subject,
            &purpose,
            &lang,
            mechanism(ctx, "command-subscribe"),
            age,
        )
        .await?;
    let nonce =
        requests::issue(&privacy.vault, subject, KIND, privacy.config.subscribe_ttl).await?;
    let terms = consent_text(&privacy.texts, &lang, privacy, &purpose);
    let text = ctx.t_with("privacy-subscribe-confirm", &[("text", terms.into())]);
    let buttons = Buttons::row([Button::new(
        ctx.t("privacy-button-subscribe"),
        buttons::subscribe(&nonce),
    )]);
    reply::private(ctx, Body::Text { text, buttons }, "subscribe").await
}

/// The press of the confirmation button: the second step.
pub(crate) async fn confirm(ctx: &mut Ctx, privacy: &Privacy, nonce: &str) -> HandlerResult {
    let purpose = privacy
        .config
        .marketing
        .as_deref()
        .and_then(|m| privacy.purpose(m))
        .cloned();
    let subject = ctx.existing_subject().await?;
    let (Some(purpose), Some(subject)) = (purpose, subject) else {
        let text = ctx.t("privacy-subscribe-invalid");
        return reply::private_text(ctx, text, "subscribe").await;
    };
    if !requests::redeem(&privacy.vault, subject, KIND, nonce).await? {
        let text = ctx.t("privacy-subscribe-invalid");
        return reply::private_text(ctx, text, "subscribe").await;
    }
    let lang = ctx.language().to_owned();
    let age = privacy.policy.minimum_age.map(|_| true);
    privacy
        .grant(
            subject,
            &purpose,
            &lang,
            mechanism(ctx, "double-opt-in"),
            age,
        )
        .await?;
    // Whom to write to later: the raw ids, sealed in the person's records.
    // The identity only: marketing goes to the person privately, never
    // into the chat (a group, say) where the button was pressed.
    let subscription = json!({
        "identity": ctx.sender().identity,
        "language": lang,
        "since": ctx.now(),
    });
    privacy
        .vault
        .put(
            subject,
            SUBSCRIPTIONS,
            "subscription",
            subscription.to_string().as_bytes(),
        )
        .await?;
    let text = ctx.t("privacy-subscribe-done");
    reply::private_text(ctx, text, "subscribe").await
}

/// `/unsubscribe` and the one-tap button: at once, no questions.
pub(crate) async fn unsubscribe(ctx: &mut Ctx, privacy: &Privacy) -> HandlerResult {
    let purpose = privacy
        .config
        .marketing
        .as_deref()
        .and_then(|m| privacy.purpose(m))
        .cloned();
    let Some(purpose) = purpose else {
        let text = ctx.t("privacy-no-marketing");
        return reply::private_text(ctx, text, "unsubscribe").await;
    };
    let Some(subject) = ctx.existing_subject().await? else {
        let text = ctx.t("privacy-unsubscribe-not");
        return reply::private_text(ctx, text, "unsubscribe").await;
    };
    requests::cancel(&privacy.vault, subject, KIND).await?;
    let text = match privacy.status(subject, &purpose).await? {
        ConsentStatus::Missing => ctx.t("privacy-unsubscribe-not"),
        _ => {
            let lang = ctx.language().to_owned();
            privacy
                .withdraw(subject, &purpose, &lang, mechanism(ctx, "unsubscribe"))
                .await?;
            ctx.t("privacy-unsubscribe-done")
        }
    };
    reply::private_text(ctx, text, "unsubscribe").await
}
