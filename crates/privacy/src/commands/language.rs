//! `/language`: shows the language replies are written in, or sets it.

use botwerk_core::{Body, Button, Buttons, Ctx, HandlerResult};

use crate::privacy::{Privacy, PREFERENCES};
use crate::{buttons, reply};

/// The language `subject` chose with `/language`, if any.
pub(crate) async fn stored(privacy: &Privacy, subject: botwerk_core::SubjectId) -> Option<String> {
    let record = privacy
        .vault
        .get(subject, PREFERENCES, "language")
        .await
        .ok()??;
    String::from_utf8(record.value).ok()
}

/// `/language` with an optional language tag.
pub(crate) async fn run(ctx: &mut Ctx, privacy: &Privacy, args: &str) -> HandlerResult {
    if privacy.policy.language.is_some() {
        let text = ctx.t("privacy-language-forced");
        return reply::private_text(ctx, text, "language").await;
    }
    if !args.trim().is_empty() {
        return set(ctx, privacy, args.trim()).await;
    }
    let texts = std::sync::Arc::clone(&privacy.texts);
    let choices = texts.languages().into_iter().map(|lang| {
        Button::new(
            texts.text(lang, "language-name", &[]),
            buttons::language(lang),
        )
    });
    let body = Body::Text {
        text: ctx.t("privacy-language-current"),
        buttons: Buttons::row(choices),
    };
    reply::private(ctx, body, "language").await
}

/// Sets the language to `requested`, if the bot speaks it.
pub(crate) async fn set(ctx: &mut Ctx, privacy: &Privacy, requested: &str) -> HandlerResult {
    let texts = std::sync::Arc::clone(&privacy.texts);
    let chosen = texts.negotiate(Some(requested)).to_owned();
    let wanted = requested
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !chosen.eq_ignore_ascii_case(&wanted) && !chosen.eq_ignore_ascii_case(requested) {
        let available = texts.languages().join(", ");
        let text = ctx.t_with(
            "privacy-language-unknown",
            &[
                ("requested", requested.into()),
                ("available", available.into()),
            ],
        );
        return reply::private_text(ctx, text, "language").await;
    }
    let subject = ctx.subject().await?;
    privacy
        .vault
        .put(subject, PREFERENCES, "language", chosen.as_bytes())
        .await?;
    ctx.set_language(&chosen);
    let text = ctx.t("privacy-language-set");
    reply::private_text(ctx, text, "language").await
}
