//! The consent gate seam: the privacy layer decides whether processing for a
//! purpose may run.

use async_trait::async_trait;

use crate::ctx::Ctx;
use crate::handler::HandlerError;

/// Decides whether a handler processing data for a purpose may run.
#[async_trait]
pub trait Gate: Send + Sync + 'static {
    /// Returns `true` when processing for `purpose` may go ahead; otherwise it
    /// has told the user what is missing (a consent button, say).
    ///
    /// # Errors
    /// When the consent state cannot be read.
    async fn admit(&self, ctx: &mut Ctx, purpose: &str) -> Result<bool, HandlerError>;

    /// Whether processing for `purpose` may go ahead, without telling the
    /// user anything: for handlers that offer an optional feature.
    ///
    /// # Errors
    /// When the consent state cannot be read.
    async fn allows(&self, ctx: &mut Ctx, purpose: &str) -> Result<bool, HandlerError>;
}
