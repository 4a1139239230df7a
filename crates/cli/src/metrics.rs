//! The process's HTTP endpoint: `/healthz`, `/readyz` (every adapter
//! connected) and `/metrics` in the Prometheus text format. No label holds
//! personal data: instance names, platforms, outcomes and request kinds only.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use botwerk::core::{Adapter, CancellationToken, ErrorKind, Observer, Outcome, Platform};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpdateLabels {
    instance: String,
    platform: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PlatformLabels {
    instance: String,
    platform: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    instance: String,
    platform: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PrivacyLabels {
    instance: String,
    platform: String,
    kind: String,
}

/// The metrics of the process.
pub struct Metrics {
    registry: Registry,
    updates: Family<UpdateLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    latency: Family<PlatformLabels, Histogram>,
    privacy: Family<PrivacyLabels, Counter>,
}

impl Metrics {
    /// Empty metrics, registered.
    pub fn new() -> Arc<Self> {
        let mut registry = Registry::with_prefix("botwerk");
        let updates = Family::<UpdateLabels, Counter>::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        let latency = Family::<PlatformLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 14))
        });
        let privacy = Family::<PrivacyLabels, Counter>::default();
        registry.register("updates", "Updates handled, by outcome", updates.clone());
        registry.register(
            "errors",
            "Errors by kind: handler (an update's handler failed), send (a message \
             was not delivered), receive (updates could not be fetched), store \
             (handled updates could not be made durable; once per outage), \
             adapter (an adapter stopped and is restarted)",
            errors.clone(),
        );
        registry.register(
            "handler_seconds",
            "Time to handle an update",
            latency.clone(),
        );
        registry.register(
            "privacy_requests",
            "Privacy commands and buttons, by kind",
            privacy.clone(),
        );
        Arc::new(Self {
            registry,
            updates,
            errors,
            latency,
            privacy,
        })
    }

    /// An observer that counts for the instance `name`.
    pub fn observer(self: &Arc<Self>, name: &str) -> Arc<dyn Observer> {
        Arc::new(InstanceObserver {
            metrics: Arc::clone(self),
            instance: name.to_owned(),
        })
    }

    /// The metrics in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

struct InstanceObserver {
    metrics: Arc<Metrics>,
    instance: String,
}

impl InstanceObserver {
    fn count_error(&self, platform: Platform, kind: &str) {
        self.metrics
            .errors
            .get_or_create(&ErrorLabels {
                instance: self.instance.clone(),
                platform: platform.to_string(),
                kind: kind.to_owned(),
            })
            .inc();
    }
}

impl Observer for InstanceObserver {
    fn update_handled(&self, platform: Platform, outcome: Outcome, elapsed: Duration) {
        let outcome = match outcome {
            Outcome::Handled => "handled",
            Outcome::Failed => "failed",
            Outcome::Dropped => "dropped",
        };
        let labels = PlatformLabels {
            instance: self.instance.clone(),
            platform: platform.to_string(),
        };
        self.metrics
            .updates
            .get_or_create(&UpdateLabels {
                instance: self.instance.clone(),
                platform: platform.to_string(),
                outcome: outcome.to_owned(),
            })
            .inc();
        if outcome == "failed" {
            self.count_error(platform, "handler");
        }
        self.metrics
            .latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    fn error(&self, platform: Platform, kind: ErrorKind) {
        self.count_error(platform, kind.as_str());
    }

    fn privacy_request(&self, platform: Platform, kind: &str) {
        self.metrics
            .privacy
            .get_or_create(&PrivacyLabels {
                instance: self.instance.clone(),
                platform: platform.to_string(),
                kind: kind.to_owned(),
            })
            .inc();
    }
}

#[derive(Clone)]
struct Endpoint {
    metrics: Arc<Metrics>,
    adapters: Arc<Vec<Arc<dyn Adapter>>>,
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(endpoint): State<Endpoint>) -> impl IntoResponse {
    let waiting: Vec<String> = endpoint
        .adapters
        .iter()
        .filter(|a| !a.is_ready())
        .map(|a| a.platform().to_string())
        .collect();
    if waiting.is_empty() {
        (StatusCode::OK, "ready\n".to_owned())
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not connected: {}\n", waiting.join(", ")),
        )
    }
}

async fn metrics(State(endpoint): State<Endpoint>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        endpoint.metrics.encode(),
    )
}

/// Serves the endpoint on `listen` until `stop`; returns the bound address.
///
/// # Errors
/// When the address cannot be bound.
pub async fn serve(
    listen: SocketAddr,
    metrics: Arc<Metrics>,
    adapters: Vec<Arc<dyn Adapter>>,
    stop: CancellationToken,
) -> std::io::Result<SocketAddr> {
    let endpoint = Endpoint {
        metrics,
        adapters: Arc::new(adapters),
    };
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(self::metrics))
        .with_state(endpoint);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the HTTP endpoint stopped");
        }
    });
    Ok(bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_counted_by_instance_platform_and_kind() {
        let metrics = Metrics::new();
        let shop = metrics.observer("shop");
        shop.update_handled(
            Platform::Telegram,
            Outcome::Failed,
            Duration::from_millis(1),
        );
        shop.update_handled(
            Platform::Telegram,
            Outcome::Handled,
            Duration::from_millis(1),
        );
        shop.error(Platform::Telegram, ErrorKind::Receive);
        shop.error(Platform::Telegram, ErrorKind::Receive);
        shop.error(Platform::Discord, ErrorKind::Send);
        metrics
            .observer("news")
            .error(Platform::Telegram, ErrorKind::Store);
        let text = metrics.encode();
        for line in [
            r#"botwerk_errors_total{instance="shop",platform="telegram",kind="handler"} 1"#,
            r#"botwerk_errors_total{instance="shop",platform="telegram",kind="receive"} 2"#,
            r#"botwerk_errors_total{instance="shop",platform="discord",kind="send"} 1"#,
            r#"botwerk_errors_total{instance="news",platform="telegram",kind="store"} 1"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
        }
        assert!(!text.contains(r#"kind="adapter""#), "{text}");
    }
}
