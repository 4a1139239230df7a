//! Observing the runtime: what metrics (and tests) hook into.

use std::time::Duration;

use crate::adapter::Outcome;
use crate::platform::Platform;

/// What went wrong, for [`Observer::error`]. (A handler that fails shows as
/// an update handled with [`Outcome::Failed`] instead.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A message could not be delivered.
    Send,
    /// Updates could not be fetched from the platform.
    Receive,
    /// Handled updates could not be made durable, so they stay unconfirmed.
    Store,
    /// An adapter stopped with an error; it is started again.
    Adapter,
}

impl ErrorKind {
    /// The kind as a metric label: `send`, `receive`, `store`, `adapter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Receive => "receive",
            Self::Store => "store",
            Self::Adapter => "adapter",
        }
    }
}

/// Told about every handled update, every privacy request and every error.
/// Implement it for metrics; it must return quickly and never holds
/// personal data.
pub trait Observer: Send + Sync + 'static {
    /// An update of `platform` was handled, with `outcome`, in `elapsed`
    /// (handler and adapter's wrap-up together).
    fn update_handled(&self, _platform: Platform, _outcome: Outcome, _elapsed: Duration) {}

    /// A privacy request of `kind` (`mydata`, `forgetme`, `consent`, ...)
    /// arrived on `platform`.
    fn privacy_request(&self, _platform: Platform, _kind: &str) {}

    /// Something of `kind` went wrong on `platform`.
    fn error(&self, _platform: Platform, _kind: ErrorKind) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObserver;

impl Observer for NoObserver {}
