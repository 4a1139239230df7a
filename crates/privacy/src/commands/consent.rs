//! `/consent`: each purpose and its state, with a button to toggle it; and
//! the press of every consent button.

use botwerk_core::{Body, Button, Buttons, Ctx, HandlerResult};

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
                toggles.push(Button::new(
                    label,
                    buttons::consent(&purpose.name, false, false),
                ));
            }
            ConsentStatus::Changed | ConsentStatus::Missing => {
                lines.push(ctx.t_with("privacy-consent-off", &[("purpose", name.clone().into())]));
                let label = ctx.t_with("privacy-button-give", &[("purpose", name.into())]);
                toggles.push(Button::new(
                    label,
                    buttons::consent(&purpose.name, true, false),
                ));
            }
        }
    }
    let body = Body::Text {
        text: lines.join("\n"),
        buttons: Buttons::column(toggles),
    };
    reply::private(ctx, body, "consent").await
}

/// A press of a consent button: give, refuse or withdraw.
pub(crate) async fn press(
    ctx: &mut Ctx,
    privacy: &Privacy,
    purpose: &str,
    agree: bool,
    after_age: bool,
) -> HandlerResult {
    let Some(declared) = privacy
        .purpose(purpose)
        .filter(|p| p.basis.needs_consent())
        .cloned()
    else {
        let text = ctx.t("privacy-button-invalid");
        return reply::private_text(ctx, text, "consent").await;
    };
    if privacy.config.marketing.as_deref() == Some(purpose) {
        return if agree {
            subscribe::run(ctx, privacy).await
        } else {
            subscribe::unsubscribe(ctx, privacy).await
        };
    }
    let name = ctx.t(&declared.description);
    if agree {
        if !start::age_ok(ctx, privacy, after_age).await? {
            return start::ask_consent(ctx, privacy, purpose, "privacy-consent-needed").await;
        }
        let subject = ctx.subject().await?;
        let age = privacy.policy.minimum_age.map(|_| true);
        let lang = ctx.language().to_owned();
        // Durable before the person is told.
        privacy
            .grant(subject, &declared, &lang, mechanism(ctx, "button"), age)
            .await?;
        let text = ctx.t_with("privacy-consent-granted", &[("purpose", name.into())]);
        return reply::private_text(ctx, text, "consent").await;
    }
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
