//! The built-in `/help`: every command the bot answers, in the reader's language.

use std::sync::Arc;

use async_trait::async_trait;
use botwerk_core::{Catalog, CommandSpec, Ctx, Handler, HandlerResult, I18nError};

/// Adds the facade's texts (`/help`, the vault's own purpose and category)
/// to a catalog.
pub(crate) fn add_texts(catalog: &mut Catalog) -> Result<(), I18nError> {
    catalog.add("en", include_str!("../texts/en.ftl"))?;
    catalog.add("de", include_str!("../texts/de.ftl"))
}

/// Answers `/help` and passes everything else on.
pub(crate) struct Help {
    inner: Arc<dyn Handler>,
}

impl Help {
    pub(crate) fn new(inner: Arc<dyn Handler>) -> Self {
        Self { inner }
    }
}

#[async_trait]
impl Handler for Help {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        if ctx.incoming().command() != Some("help") {
            return self.inner.handle(ctx).await;
        }
        let mut text = ctx.t("botwerk-help-title");
        for spec in self.commands() {
            text.push_str(&format!("\n/{} – {}", spec.name, ctx.t(&spec.description)));
        }
        ctx.reply(text).await?;
        Ok(())
    }

    fn commands(&self) -> Vec<CommandSpec> {
        let mut specs = self.inner.commands();
        specs.push(CommandSpec::new("help", "botwerk-cmd-help"));
        specs
    }
}
