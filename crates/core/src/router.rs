//! The router: commands, dialogs and a fallback, behind one [`Handler`].

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::command::CommandSpec;
use crate::ctx::Ctx;
use crate::dialog::{Dialog, Erased, ErasedDialog};
use crate::handler::{Handler, HandlerError, HandlerResult};
use crate::incoming::Content;

/// The command that ends the running dialog.
pub const CANCEL: &str = "cancel";

enum Action {
    Run(Arc<dyn Handler>),
    Start(Arc<dyn ErasedDialog>),
}

struct Route {
    spec: CommandSpec,
    action: Action,
}

/// The state of the running dialog as stored: which dialog, and its state.
#[derive(Serialize, Deserialize)]
struct Active {
    dialog: String,
    state: serde_json::Value,
}

/// Routes updates to commands, the running dialog, or a fallback.
///
/// - `/name` runs the command `name`, or starts the dialog `name` afresh;
/// - `/cancel` ends the running dialog;
/// - anything else goes to the running dialog of the sender in this chat, or
///   to the fallback;
/// - a button whose data starts with `/` acts as that command.
///
/// Before a command or dialog tagged with a purpose runs, the consent gate of
/// the instance is asked.
#[derive(Default)]
pub struct Router {
    /// Routes by command name; `order` keeps the declaration order for `/help`.
    routes: HashMap<String, Route>,
    order: Vec<String>,
    fallback: Option<Arc<dyn Handler>>,
}

impl Router {
    /// An empty router.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the command `spec.name`, answered by `handler`.
    ///
    /// # Panics
    /// When the name is taken: a programming error found at startup.
    #[must_use]
    pub fn command(self, spec: CommandSpec, handler: impl Handler) -> Self {
        self.route(spec, Action::Run(Arc::new(handler)))
    }

    /// Adds the dialog `dialog`, started by the command `spec.name`.
    ///
    /// # Panics
    /// When the name is taken: a programming error found at startup.
    #[must_use]
    pub fn dialog(self, spec: CommandSpec, dialog: impl Dialog) -> Self {
        self.route(spec, Action::Start(Arc::new(Erased(dialog))))
    }

    /// Sets the handler for everything no command or dialog takes.
    #[must_use]
    pub fn fallback(mut self, handler: impl Handler) -> Self {
        self.fallback = Some(Arc::new(handler));
        self
    }

    fn route(mut self, spec: CommandSpec, action: Action) -> Self {
        assert!(
            spec.name != CANCEL && !self.routes.contains_key(&spec.name),
            "the command /{} is declared twice",
            spec.name
        );
        self.order.push(spec.name.clone());
        self.routes
            .insert(spec.name.clone(), Route { spec, action });
        self
    }

    fn has_dialogs(&self) -> bool {
        self.routes
            .values()
            .any(|r| matches!(r.action, Action::Start(_)))
    }

    async fn active(&self, ctx: &mut Ctx) -> Result<Option<(String, Active)>, HandlerError> {
        let Some(subject) = ctx.existing_subject().await? else {
            return Ok(None);
        };
        let store = Arc::clone(&ctx.services().store);
        let Some(bytes) = store.load_state(subject, ctx.chat()).await? else {
            return Ok(None);
        };
        match serde_json::from_slice::<Active>(&bytes) {
            Ok(active) if self.routes.contains_key(&active.dialog) => {
                Ok(Some((active.dialog.clone(), active)))
            }
            _ => {
                // A state from an older version of the bot, or of a dialog that
                // no longer exists: start over rather than fail every update.
                tracing::warn!(subject = %subject.log_tag(), "discarding unreadable dialog state");
                store.clear_state(subject, ctx.chat()).await?;
                Ok(None)
            }
        }
    }

    async fn run_dialog(
        &self,
        ctx: &mut Ctx,
        name: &str,
        dialog: &Arc<dyn ErasedDialog>,
        state: Option<serde_json::Value>,
        had_state: bool,
    ) -> HandlerResult {
        let next = dialog.step(ctx, state).await?;
        let store = Arc::clone(&ctx.services().store);
        match next {
            Some(state) => {
                let bytes = serde_json::to_vec(&Active {
                    dialog: name.to_owned(),
                    state,
                })?;
                let subject = ctx.subject().await?;
                let purpose = self
                    .routes
                    .get(name)
                    .and_then(|r| r.spec.purpose.as_deref());
                store
                    .save_state(subject, ctx.chat(), purpose, &bytes)
                    .await?;
            }
            None if had_state => {
                if let Some(subject) = ctx.existing_subject().await? {
                    store.clear_state(subject, ctx.chat()).await?;
                }
            }
            None => {}
        }
        Ok(())
    }

    async fn cancel(&self, ctx: &mut Ctx) -> HandlerResult {
        let Some((name, active)) = self.active(ctx).await? else {
            let text = ctx.t("botwerk-nothing-to-cancel");
            ctx.reply(text).await?;
            return Ok(());
        };
        if let Some(Route {
            action: Action::Start(dialog),
            ..
        }) = self.routes.get(&name)
        {
            dialog.cancel(ctx, active.state).await?;
        }
        if let Some(subject) = ctx.existing_subject().await? {
            let store = Arc::clone(&ctx.services().store);
            store.clear_state(subject, ctx.chat()).await?;
        }
        Ok(())
    }

    async fn command_route(&self, ctx: &mut Ctx, name: &str) -> HandlerResult {
        if name == CANCEL {
            return self.cancel(ctx).await;
        }
        let Some(route) = self.routes.get(name) else {
            return self.unexpected(ctx).await;
        };
        if route.spec.private_only && !ctx.chat().is_private() {
            let text = ctx.t_with(
                "botwerk-private-only",
                &[("command", name.to_owned().into())],
            );
            ctx.reply(text).await?;
            return Ok(());
        }
        if let Some(purpose) = &route.spec.purpose {
            if !ctx.admit(purpose).await? {
                return Ok(());
            }
        }
        match &route.action {
            Action::Run(handler) => handler.handle(ctx).await,
            Action::Start(dialog) => {
                let had_state = self.active(ctx).await?.is_some();
                self.run_dialog(ctx, name, dialog, None, had_state).await
            }
        }
    }

    async fn unexpected(&self, ctx: &mut Ctx) -> HandlerResult {
        if let Some(fallback) = &self.fallback {
            return fallback.handle(ctx).await;
        }
        let text = match ctx.incoming().command() {
            Some(command) => {
                let command = command.to_owned();
                ctx.t_with("botwerk-unknown-command", &[("command", command.into())])
            }
            None => ctx.t("botwerk-not-understood"),
        };
        ctx.reply(text).await?;
        Ok(())
    }
}

#[async_trait]
impl Handler for Router {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let command = match &ctx.incoming().content {
            Content::Command { name, .. } => Some(name.clone()),
            Content::Button { data, .. } if data.starts_with('/') => {
                match Content::parse(data, None) {
                    Some(Content::Command { name, .. }) => Some(name),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(name) = command {
            return self.command_route(ctx, &name).await;
        }
        let Some((name, active)) = self.active(ctx).await? else {
            return self.unexpected(ctx).await;
        };
        let Some(route) = self.routes.get(&name) else {
            return self.unexpected(ctx).await;
        };
        if let Some(purpose) = &route.spec.purpose {
            if !ctx.admit(purpose).await? {
                return Ok(());
            }
        }
        let Action::Start(dialog) = &route.action else {
            return self.unexpected(ctx).await;
        };
        self.run_dialog(ctx, &name, dialog, Some(active.state), true)
            .await
    }

    fn commands(&self) -> Vec<CommandSpec> {
        let mut specs: Vec<CommandSpec> = self
            .order
            .iter()
            .filter_map(|name| self.routes.get(name))
            .map(|r| r.spec.clone())
            .collect();
        if self.has_dialogs() {
            specs.push(CommandSpec::new(CANCEL, "botwerk-cmd-cancel"));
        }
        specs
    }
}
