//! `PrivacyLayer`: the built-in commands in front of the bot's own handler.

use std::sync::Arc;

use async_trait::async_trait;
use botwerk_core::{CommandSpec, Content, Ctx, Handler, HandlerResult};

use crate::buttons::{self, Press};
use crate::commands::{self, consent, forgetme, language, mydata, privacy, start, stop, subscribe};
use crate::privacy::Privacy;

/// Answers the built-in privacy commands and their buttons, sets the reply
/// language, and passes everything else to the bot.
pub struct PrivacyLayer {
    privacy: Arc<Privacy>,
    inner: Arc<dyn Handler>,
}

impl PrivacyLayer {
    /// The layer in front of `inner`.
    pub fn new(privacy: Arc<Privacy>, inner: Arc<dyn Handler>) -> Self {
        Self { privacy, inner }
    }

    /// Language: the policy's, else the person's choice, else the platform's.
    async fn set_language(&self, ctx: &mut Ctx) -> HandlerResult {
        if let Some(forced) = &self.privacy.policy.language {
            ctx.set_language(forced);
            return Ok(());
        }
        if ctx.sender().anonymous {
            return Ok(());
        }
        if let Some(subject) = ctx.existing_subject().await? {
            if let Some(chosen) = language::stored(&self.privacy, subject).await {
                ctx.set_language(&chosen);
            }
        }
        Ok(())
    }

    fn inner_has(&self, command: &str) -> bool {
        self.inner.commands().iter().any(|c| c.name == command)
    }

    async fn command(&self, ctx: &mut Ctx, name: &str, args: &str) -> HandlerResult {
        let p = &*self.privacy;
        let observer = std::sync::Arc::clone(&ctx.services().observer);
        observer.privacy_request(ctx.chat().platform, name);
        if ctx.sender().anonymous && name != "privacy" {
            let text = ctx.t("privacy-anonymous");
            ctx.reply(text).await?;
            return Ok(());
        }
        match name {
            "start" => {
                start::run(ctx, p).await?;
                if self.inner_has("start") {
                    return self.inner.handle(ctx).await;
                }
                Ok(())
            }
            "privacy" => privacy::run(ctx, p).await,
            "mydata" => mydata::run(ctx, p).await,
            "forgetme" => forgetme::run(ctx, p).await,
            "consent" => consent::run(ctx, p).await,
            "stop" => stop::run(ctx, p).await,
            "language" => language::run(ctx, p, args).await,
            "subscribe" => subscribe::run(ctx, p, false).await,
            "unsubscribe" => subscribe::unsubscribe(ctx, p).await,
            _ => self.inner.handle(ctx).await,
        }
    }

    async fn press(&self, ctx: &mut Ctx, press: Press<'_>) -> HandlerResult {
        let p = &*self.privacy;
        let kind = match &press {
            Press::Agree { .. } | Press::Offer { .. } => "consent-give",
            Press::Decline { .. } => "consent-withdraw",
            Press::Age { .. } => "age",
            Press::Forget(Some(_)) => "forgetme-confirm",
            Press::Forget(None) => "forgetme-keep",
            Press::Subscribe(_) => "subscribe-confirm",
            Press::Unsubscribe => "unsubscribe",
            Press::Language(_) => "language",
            Press::Invalid => "invalid-button",
        };
        let observer = std::sync::Arc::clone(&ctx.services().observer);
        observer.privacy_request(ctx.chat().platform, kind);
        if ctx.sender().anonymous {
            let text = ctx.t("privacy-anonymous");
            ctx.reply(text).await?;
            return Ok(());
        }
        match press {
            Press::Agree { purpose, text, age } => consent::agree(ctx, p, purpose, text, age).await,
            Press::Decline { purpose } => consent::decline(ctx, p, purpose).await,
            Press::Offer { purpose } => consent::offer(ctx, p, purpose).await,
            Press::Age { yes, then } => start::age_answer(ctx, p, yes, then).await,
            Press::Forget(nonce) => forgetme::press(ctx, p, nonce).await,
            Press::Subscribe(nonce) => subscribe::confirm(ctx, p, nonce).await,
            Press::Unsubscribe => subscribe::unsubscribe(ctx, p).await,
            Press::Language(lang) => language::set(ctx, p, lang).await,
            Press::Invalid => {
                let text = ctx.t("privacy-button-invalid");
                ctx.reply_private(text).await?;
                Ok(())
            }
        }
    }
}

#[async_trait]
impl Handler for PrivacyLayer {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        self.set_language(ctx).await?;
        let content = &ctx.incoming().content;
        // Someone writing anonymously as a group (a Telegram anonymous admin)
        // is nobody the bot can keep data for, show data to, or erase data
        // of: only the notice is for them.
        if ctx.sender().anonymous
            && !matches!(content, Content::Command { name, .. } if name == "privacy")
        {
            let text = ctx.t("privacy-anonymous");
            ctx.reply(text).await?;
            return Ok(());
        }
        // Only what is for the layer is copied out of the update; all else
        // goes to the bot as it is.
        let ours = match content {
            Content::Command { name, .. } if commands::BUILT_IN.contains(&name.as_str()) => {
                Some(content.clone())
            }
            Content::Button { data, .. } if buttons::parse(data).is_some() => Some(content.clone()),
            _ => None,
        };
        match ours {
            Some(Content::Command { name, args }) => self.command(ctx, &name, &args).await,
            Some(Content::Button { data, .. }) => match buttons::parse(&data) {
                Some(press) => self.press(ctx, press).await,
                None => self.inner.handle(ctx).await,
            },
            _ => self.inner.handle(ctx).await,
        }
    }

    fn commands(&self) -> Vec<CommandSpec> {
        let builtin = commands::specs(self.privacy.config.marketing.is_some());
        let mut specs: Vec<CommandSpec> = builtin.clone();
        specs.extend(
            self.inner
                .commands()
                .into_iter()
                .filter(|c| !builtin.iter().any(|b| b.name == c.name)),
        );
        specs
    }
}
