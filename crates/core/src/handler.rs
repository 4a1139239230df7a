//! Handlers: the code that answers an update.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;

use crate::ctx::Ctx;

/// The error a handler returns: any error, with its chain kept for the log.
///
/// Like `anyhow::Error`, it converts from every `std::error::Error` with `?`
/// and deliberately does not implement `Error` itself.
pub struct HandlerError(Box<dyn StdError + Send + Sync + 'static>);

impl HandlerError {
    /// An error with a message of its own.
    pub fn msg(message: impl fmt::Display) -> Self {
        Self(message.to_string().into())
    }

    /// The underlying error.
    pub fn inner(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.0
    }

    /// The error, if it is of type `E`.
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref()
    }
}

impl<E> From<E> for HandlerError
where
    E: StdError + Send + Sync + 'static,
{
    fn from(e: E) -> Self {
        Self(Box::new(e))
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

// Shows the whole chain on one line: "storage failed: io error: disk full".
impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// What handlers return.
pub type HandlerResult = Result<(), HandlerError>;

/// Answers updates.
///
/// The router, the privacy layer and every command of a bot implement it.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Handles the update in `ctx`.
    ///
    /// # Errors
    /// Any error: the runtime logs its chain (never the message text) and tells
    /// the user that something went wrong.
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult;

    /// The commands this handler answers, for `/help` and for registration with
    /// the platforms.
    fn commands(&self) -> Vec<crate::CommandSpec> {
        Vec::new()
    }
}

/// A boxed future borrowing the context, as returned by [`handler_fn`] closures.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A handler made from a function: `handler_fn(|ctx| Box::pin(help(ctx)))`.
pub fn handler_fn<F>(f: F) -> impl Handler
where
    F: for<'a> Fn(&'a mut Ctx) -> BoxFuture<'a, HandlerResult> + Send + Sync + 'static,
{
    FnHandler(f)
}

struct FnHandler<F>(F);

#[async_trait]
impl<F> Handler for FnHandler<F>
where
    F: for<'a> Fn(&'a mut Ctx) -> BoxFuture<'a, HandlerResult> + Send + Sync + 'static,
{
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        (self.0)(ctx).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn display_shows_the_chain() {
        let e = HandlerError::from(Outer(std::io::Error::other("disk full")));
        assert_eq!(e.to_string(), "outer: disk full");
        assert!(e.downcast_ref::<Outer>().is_some());
    }
}
