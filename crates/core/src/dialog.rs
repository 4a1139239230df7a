//! Dialogs: typed state machines, one state per (subject, chat).

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::ctx::Ctx;
use crate::handler::{HandlerError, HandlerResult};

/// What a dialog step returns: the next state, or the end of the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<S> {
    /// Stay in the dialog with this state; the next update comes back to it.
    Next(S),
    /// The dialog is over; its state is removed.
    Done,
}

/// A conversation as a typed state machine.
///
/// The state is serialised with serde and stored per (subject, chat) between
/// updates: encrypted in the vault, in memory in tests. `State::default()` is
/// the state a dialog starts in.
///
/// ```
/// use botwerk_core::{async_trait, Ctx, Dialog, HandlerError, Step};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Default, Serialize, Deserialize)]
/// enum Greeting { #[default] Start, AskedName }
///
/// struct Greet;
///
/// #[async_trait]
/// impl Dialog for Greet {
///     type State = Greeting;
///     async fn step(&self, ctx: &mut Ctx, state: Greeting) -> Result<Step<Greeting>, HandlerError> {
///         match state {
///             Greeting::Start => {
///                 ctx.reply("What is your name?").await?;
///                 Ok(Step::Next(Greeting::AskedName))
///             }
///             Greeting::AskedName => {
///                 let name = ctx.incoming().text().unwrap_or("stranger").to_owned();
///                 ctx.reply(format!("Hello, {name}!")).await?;
///                 Ok(Step::Done)
///             }
///         }
///     }
/// }
/// ```
#[async_trait]
pub trait Dialog: Send + Sync + 'static {
    /// The dialog's state between updates.
    type State: Serialize + DeserializeOwned + Default + Send + Sync + 'static;

    /// Handles the current update in `state` and returns what comes next.
    ///
    /// # Errors
    /// Any error: the state stays as it was before the update.
    async fn step(
        &self,
        ctx: &mut Ctx,
        state: Self::State,
    ) -> Result<Step<Self::State>, HandlerError>;

    /// Called on `/cancel` while the dialog runs; the state is removed after.
    ///
    /// # Errors
    /// When the reply cannot be sent.
    async fn cancelled(&self, ctx: &mut Ctx, _state: Self::State) -> HandlerResult {
        let text = ctx.t("botwerk-cancelled");
        ctx.reply(text).await?;
        Ok(())
    }
}

/// A dialog with its state type erased to JSON, as the router holds it.
#[async_trait]
pub(crate) trait ErasedDialog: Send + Sync {
    async fn step(
        &self,
        ctx: &mut Ctx,
        state: Option<serde_json::Value>,
    ) -> Result<Option<serde_json::Value>, HandlerError>;

    async fn cancel(&self, ctx: &mut Ctx, state: serde_json::Value) -> HandlerResult;
}

pub(crate) struct Erased<D>(pub(crate) D);

#[async_trait]
impl<D: Dialog> ErasedDialog for Erased<D> {
    async fn step(
        &self,
        ctx: &mut Ctx,
        state: Option<serde_json::Value>,
    ) -> Result<Option<serde_json::Value>, HandlerError> {
        let state = match state.map(serde_json::from_value) {
            Some(Ok(state)) => state,
            Some(Err(_)) => {
                // Left by an older version of the bot: start over rather than
                // fail every update of this person. The error may quote
                // stored data, so it is not logged.
                tracing::warn!("dialog state does not fit the dialog; starting afresh");
                D::State::default()
            }
            None => D::State::default(),
        };
        match self.0.step(ctx, state).await? {
            Step::Next(next) => {
                Ok(Some(serde_json::to_value(next).map_err(|_| {
                    HandlerError::msg("dialog state does not serialise")
                })?))
            }
            Step::Done => Ok(None),
        }
    }

    async fn cancel(&self, ctx: &mut Ctx, state: serde_json::Value) -> HandlerResult {
        let state = serde_json::from_value(state).unwrap_or_default();
        self.0.cancelled(ctx, state).await
    }
}
