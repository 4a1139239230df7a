//! Observing the runtime: what metrics (and tests) hook into.

use std::time::Duration;

use crate::adapter::Outcome;
use crate::platform::Platform;

/// Told about every handled update and every privacy request. Implement it
/// for metrics; it must return quickly and never holds personal data.
pub trait Observer: Send + Sync + 'static {
    /// An update of `platform` was handled, with `outcome`, in `elapsed`
    /// (handler and adapter's wrap-up together).
    fn update_handled(&self, _platform: Platform, _outcome: Outcome, _elapsed: Duration) {}

    /// A privacy request of `kind` (`mydata`, `forgetme`, `consent`, ...)
    /// arrived on `platform`.
    fn privacy_request(&self, _platform: Platform, _kind: &str) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObserver;

impl Observer for NoObserver {}
