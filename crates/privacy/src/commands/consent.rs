//! `/consent`: each purpose and its state, with a button to toggle it; and
//! the press of every consent button.

use botwerk_core::{Body, Button, Buttons, Ctx, HandlerError, HandlerResult};
use botwerk_vault::Purpose;

use crate::buttons;
use crate::commands::{mechanism, start, subscribe};
use crate::consent::ConsentStatus;
use crate::privacy::Privacy;
use crate::reply;

/// `/consent`.
pub(crate) async fn run(ctx: &mut Ctx, privacy: &Privacy) -> HandlerResult {
    let mut purposes: Vec<_> = privacy.consent_purposes();
    if let Some(marketing) = privacy
        .config
        .marketing
        .as_deref()
        .and_then(|m| privacy.purpose(m))
    {
        purposes.push(marketing);
    }
    if purposes.is_empty() {
        let text = ctx.t("privacy-consent-none");
        return reply::private_text(ctx, text, "consent").await;
    }
    let subject = ctx.existing_subject().await?;
    let mut lines = vec![ctx.t("privacy-consent-title")];
    let mut toggles = Vec::new();
    for purpose in purposes {
        let name = ctx.t(&purpose.description);
        let status = match subject {
            Some(s) => privacy.status(s, purpose).await?,
            None => ConsentStatus::Missing,
        };
        match status {
            ConsentStatus::Given(entry) => {
                let date = entry.at.format("%Y-%m-%d").to_string();
                lines.push(ctx.t_with(
                    "privacy-consent-on",
                    &[("purpose", name.clone().into()), ("date", date.into())],
                ));
                let label = ctx.t_with("privacy-button-withdraw", &[("purpose", name.into())]);
                toggles.push(Button::new(label, buttons::decline(&purpose.name)));
            }
            ConsentStatus::Changed | ConsentStatus::Missing => {
                lines.push(ctx.t_with("privacy-consent-off", &[("purpose", name.clone().into())]));
                let label = ctx.t_with("privacy-button-give", &[("purpose", name.into())]);
                toggles.push(Button::new(label, buttons::offer(&purpose.name)));
            }
        }
    }
    let body = Body::Text {
        text: lines.join("\n"),
        buttons: Buttons::column(toggles),
    };
    reply::private(ctx, body, "consent").await
}

/// The declared consent purpose `purpose`, or a reply that the button is invalid.
async fn consent_purpose(
    ctx: &mut Ctx,
    privacy: &Privacy,
    purpose: &str,
) -> Result<Option<Purpose>, HandlerError> {
    let declared = privacy
        .purpose(purpose)
        .filter(|p| p.basis.needs_consent())
        .cloned();
    if declared.is_none() {
        let text = ctx.t("privacy-button-invalid");
        reply::private_text(ctx, text, "consent").await?;
    }
    Ok(declared)
}

/// A press of "give" in `/consent`: shows the consent text to agree to.
pub(crate) async fn offer(ctx: &mut Ctx, privacy: &Privacy, purpose: &str) -> HandlerResult {
    let Some(declared) = consent_purpose(ctx, privacy, purpose).await? else {
        return Ok(());
    };
    if privacy.config.marketing.as_deref() == Some(declared.name.as_str()) {
        return subscribe::run(ctx, privacy, false).await;
    }
    start::ask_consent(ctx, privacy, purpose, "privacy-consent-needed").await
}

/// A press of "agree": consent to the text whose hash starts with `shown`.
/// A text that changed since it was shown is offered again instead.
pub(crate) async fn agree(
    ctx: &mut Ctx,
    privacy: &Privacy,
    purpose: &str,
    shown: &str,
    after_age: bool,
) -> HandlerResult {
    let Some(declared) = consent_purpose(ctx, privacy, purpose).await? else {
        return Ok(());
    };
    if privacy.config.marketing.as_deref() == Some(declared.name.as_str()) {
        return subscribe::run(ctx, privacy, after_age).await;
    }
    if !start::age_ok(ctx, privacy, after_age).await? {
        return start::ask_consent(ctx, privacy, purpose, "privacy-consent-needed").await;
    }
    let current = privacy.consent_hash(ctx.language(), &declared);
    if !current.starts_with(shown) {
        let age = privacy.policy.minimum_age.is_some();
        return start::offer(ctx, privacy, purpose, Some("privacy-consent-changed"), age).await;
    }
    let subject = ctx.subject().await?;
    let age = privacy.policy.minimum_age.map(|_| true);
    let lang = ctx.language().to_owned();
    // Durable before the person is told.
    privacy
        .grant(subject, &declared, &lang, mechanism(ctx, "button"), age)
        .await?;
    let name = ctx.t(&declared.description);
    let text = ctx.t_with("privacy-consent-granted", &[("purpose", name.into())]);
    reply::private_text(ctx, text, "consent").await
}

/// A press of "decline" or "withdraw".
pub(crate) async fn decline(ctx: &mut Ctx, privacy: &Privacy, purpose: &str) -> HandlerResult {
    let Some(declared) = consent_purpose(ctx, privacy, purpose).await? else {
        return Ok(());
    };
    if privacy.config.marketing.as_deref() == Some(declared.name.as_str()) {
        return subscribe::unsubscribe(ctx, privacy).await;
    }
    let name = ctx.t(&declared.description);
    let given = match ctx.existing_subject().await? {
        Some(subject) => match privacy.status(subject, &declared).await? {
            ConsentStatus::Missing => None,
            _ => Some(subject),
        },
        None => None,
    };
    let Some(subject) = given else {
        let text = ctx.t_with("privacy-consent-declined", &[("purpose", name.into())]);
        return reply::private_text(ctx, text, "consent").await;
    };
    let lang = ctx.language().to_owned();
    let erased = privacy
        .withdraw(subject, &declared, &lang, mechanism(ctx, "button"))
        .await?;
    let text = ctx.t_with(
        "privacy-consent-withdrawn",
        &[("purpose", name.into()), ("count", erased.into())],
    );
    reply::private_text(ctx, text, "consent").await
}
