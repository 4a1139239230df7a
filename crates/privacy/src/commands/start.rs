//! `/start`: first contact. A short notice, the age question when the policy
//! sets a minimum age, and one consent offer per purpose that needs consent.

use botwerk_core::{Button, Buttons, Ctx, HandlerError, HandlerResult};

use crate::buttons;
use crate::notice::{consent_text, text_hash};
use crate::privacy::Privacy;
use crate::reply;

/// Whether the person answered the age question with yes before (it is
/// recorded with every consent they gave).
async fn age_confirmed(ctx: &mut Ctx, privacy: &Privacy) -> Result<bool, HandlerError> {
    if privacy.policy.minimum_age.is_none() {
        return Ok(true);
    }
    let Some(subject) = ctx.existing_subject().await? else {
        return Ok(false);
    };
    let history = privacy.vault.consent_history(subject).await?;
    Ok(history.iter().any(|e| e.event.age_confirmed == Some(true)))
}

/// Asks the age question; a yes goes on with `then` (or every purpose).
pub(crate) async fn ask_age(ctx: &mut Ctx, privacy: &Privacy, then: Option<&str>) -> HandlerResult {
    let age = u32::from(privacy.policy.minimum_age.unwrap_or_default());
    let text = ctx.t_with("privacy-age-question", &[("age", age.into())]);
    let buttons = Buttons::row([
        Button::new(
            ctx.t_with("privacy-button-age-yes", &[("age", age.into())]),
            buttons::age(true, then),
        ),
        Button::new(ctx.t("privacy-button-age-no"), buttons::age(false, None)),
    ]);
    reply::private(ctx, botwerk_core::Body::Text { text, buttons }, "start").await
}

/// Offers consent to one purpose: the consent text, with an agree button
/// bound to the text's hash, and a decline button.
pub(crate) async fn offer(
    ctx: &mut Ctx,
    privacy: &Privacy,
    purpose: &str,
    header: Option<&str>,
    age: bool,
) -> HandlerResult {
    let Some(declared) = privacy.purpose(purpose) else {
        return Ok(());
    };
    let body = consent_text(&privacy.texts, ctx.language(), privacy, declared);
    let hash = text_hash(&body);
    let text = match header {
        Some(key) => format!("{}\n{body}", ctx.t(key)),
        None => body,
    };
    let buttons = Buttons::row([
        Button::new(
            ctx.t("privacy-button-agree"),
            buttons::agree(purpose, &hash, age),
        ),
        Button::new(ctx.t("privacy-button-decline"), buttons::decline(purpose)),
    ]);
    reply::private(ctx, botwerk_core::Body::Text { text, buttons }, "start").await
}

/// The purposes (offered on `/start`) whose consent is not in force.
async fn pending(ctx: &mut Ctx, privacy: &Privacy) -> Result<Vec<String>, HandlerError> {
    let subject = ctx.existing_subject().await?;
    let mut out = Vec::new();
    for purpose in privacy.consent_purposes() {
        let given = match subject {
            Some(s) => privacy.status(s, purpose).await?.is_given(),
            None => false,
        };
        if !given {
            out.push(purpose.name.clone());
        }
    }
    Ok(out)
}

/// `/start`.
pub(crate) async fn run(ctx: &mut Ctx, privacy: &Privacy) -> HandlerResult {
    let intro = ctx.t_with(
        "privacy-start-intro",
        &[("controller", privacy.policy.controller.name.clone().into())],
    );
    reply::private_text(ctx, intro, "start").await?;
    let pending = pending(ctx, privacy).await?;
    if pending.is_empty() {
        if !privacy.consent_purposes().is_empty() {
            let text = ctx.t("privacy-start-all-given");
            reply::private_text(ctx, text, "start").await?;
        }
        return Ok(());
    }
    if !age_confirmed(ctx, privacy).await? {
        return ask_age(ctx, privacy, None).await;
    }
    offer_all(ctx, privacy, pending, privacy.policy.minimum_age.is_some()).await
}

async fn offer_all(
    ctx: &mut Ctx,
    privacy: &Privacy,
    purposes: Vec<String>,
    age: bool,
) -> HandlerResult {
    let text = ctx.t("privacy-start-consent");
    reply::private_text(ctx, text, "start").await?;
    for purpose in purposes {
        offer(ctx, privacy, &purpose, None, age).await?;
    }
    Ok(())
}

/// The answer to the age question.
pub(crate) async fn age_answer(
    ctx: &mut Ctx,
    privacy: &Privacy,
    old_enough: bool,
    then: Option<&str>,
) -> HandlerResult {
    if !old_enough {
        let text = ctx.t("privacy-age-too-young");
        return reply::private_text(ctx, text, "start").await;
    }
    match then {
        Some(purpose) if privacy.config.marketing.as_deref() == Some(purpose) => {
            super::subscribe::run(ctx, privacy, true).await
        }
        Some(purpose) => offer(ctx, privacy, purpose, None, true).await,
        None => {
            let pending = pending(ctx, privacy).await?;
            offer_all(ctx, privacy, pending, true).await
        }
    }
}

/// Asks for consent to `purpose` (the gate, `/consent`), with the age
/// question first where the policy needs it.
pub(crate) async fn ask_consent(
    ctx: &mut Ctx,
    privacy: &Privacy,
    purpose: &str,
    header: &str,
) -> HandlerResult {
    if !age_confirmed(ctx, privacy).await? {
        return ask_age(ctx, privacy, Some(purpose)).await;
    }
    let age = privacy.policy.minimum_age.is_some();
    offer(ctx, privacy, purpose, Some(header), age).await
}

/// Whether the person confirmed the minimum age: just now (`pressed_after_age`)
/// or with an earlier consent.
pub(crate) async fn age_ok(
    ctx: &mut Ctx,
    privacy: &Privacy,
    pressed_after_age: bool,
) -> Result<bool, HandlerError> {
    if pressed_after_age {
        return Ok(true);
    }
    age_confirmed(ctx, privacy).await
}
