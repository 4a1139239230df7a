//! `botwerk run`: every instance of the configuration file in one process.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use botwerk::console::{ConsoleAdapter, ConsoleOptions};
use botwerk::core::CancellationToken;
use botwerk::Instance;

use crate::metrics::Metrics;
use botwerk_discord::{DiscordAdapter, DiscordConfig};
use botwerk_telegram::{TelegramAdapter, TelegramConfig};

use crate::bots;
use crate::config::{resolve_secret, Config, InstanceConfig};

/// The Telegram adapter of an instance, if it has one.
pub fn telegram(
    section: Option<&crate::config::TelegramSection>,
    data_dir: &Path,
) -> anyhow::Result<Option<Arc<TelegramAdapter>>> {
    let Some(section) = section else {
        return Ok(None);
    };
    let token =
        resolve_secret(&section.token).map_err(|why| anyhow::anyhow!("telegram.token: {why}"))?;
    let mut config = TelegramConfig::new(token, data_dir);
    if let Some(url) = &section.api_url {
        config.api_url = Some(url.parse().context("telegram.api_url")?);
    }
    Ok(Some(TelegramAdapter::new(config)?))
}

/// The Discord adapter of an instance, if it has one.
pub fn discord(
    section: Option<&crate::config::DiscordSection>,
) -> anyhow::Result<Option<Arc<DiscordAdapter>>> {
    let Some(section) = section else {
        return Ok(None);
    };
    let token =
        resolve_secret(&section.token).map_err(|why| anyhow::anyhow!("discord.token: {why}"))?;
    let mut config = DiscordConfig::new(token);
    config.application_id = section.application_id;
    config.api_url = section.api_url.clone();
    config.gateway_url = section.gateway_url.clone();
    config.allow_marketing = section.marketing;
    Ok(Some(DiscordAdapter::new(config)))
}

/// Builds the instance of `instance`; `serve_admin`: with its admin socket.
pub async fn build(instance: &InstanceConfig, serve_admin: bool) -> anyhow::Result<Instance> {
    build_observed(instance, serve_admin, None).await
}

async fn build_observed(
    instance: &InstanceConfig,
    serve_admin: bool,
    observer: Option<Arc<dyn botwerk::core::Observer>>,
) -> anyhow::Result<Instance> {
    let (bot, sample, sample_name) = bots::bot(&instance.bot)
        .ok_or_else(|| anyhow::anyhow!("unknown bot `{}`", instance.bot))?;
    let policy = bots::policy(instance.policy.as_deref(), sample, sample_name)?;
    let mut builder = Instance::builder(bot)
        .data_dir(&instance.data_dir)
        .policy(policy)
        .admins(instance.admin_identities());
    if serve_admin {
        builder = builder.admin_socket(botwerk::admin::socket_path(&instance.data_dir));
    }
    if let Some(observer) = observer {
        builder = builder.observer(observer);
    }
    if serve_admin && instance.console {
        builder = builder.adapter(ConsoleAdapter::stdio(ConsoleOptions::default()));
    }
    if let Some(key_file) = &instance.key_file {
        builder = builder.key_file(key_file);
    }
    let telegram = telegram(instance.telegram.as_ref(), &instance.data_dir)?;
    if let Some(adapter) = telegram {
        builder = builder.adapter(adapter);
    }
    if let Some(adapter) = discord(instance.discord.as_ref())? {
        builder = builder.adapter(adapter);
    }
    Ok(builder.build().await?)
}

/// Runs every instance of the file at `path` until Ctrl-C or SIGTERM.
///
/// # Errors
/// A configuration that does not check, or an instance that does not start.
pub async fn run(path: &Path) -> anyhow::Result<()> {
    let config = Config::load(path)?;
    let metrics = Metrics::new();
    let mut instances = Vec::new();
    for instance in &config.instances {
        let observer = metrics.observer(&instance.name);
        let built = build_observed(instance, true, Some(observer))
            .await
            .with_context(|| format!("instance `{}` does not start", instance.name))?;
        instances.push((instance.name.clone(), built));
    }
    let shutdown = botwerk::core::shutdown::on_signals();
    if config.http.enabled {
        let adapters = instances.iter().flat_map(|(_, i)| i.adapters()).collect();
        let bound = crate::metrics::serve(config.http.listen, metrics, adapters, shutdown.clone())
            .await
            .with_context(|| {
                format!("the HTTP endpoint cannot listen on {}", config.http.listen)
            })?;
        tracing::info!(address = %bound, "HTTP endpoint: /healthz, /readyz, /metrics");
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (name, instance) in instances {
        let token: CancellationToken = shutdown.clone();
        let span = tracing::info_span!("instance", instance = %name);
        tasks.spawn(tracing::Instrument::instrument(
            async move { (name, instance.run(token).await) },
            span,
        ));
    }
    tracing::info!(instances = tasks.len(), "running");
    let mut failed = false;
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((name, Ok(()))) => tracing::info!(instance = %name, "stopped"),
            Ok((name, Err(e))) => {
                failed = true;
                tracing::error!(instance = %name, error = %e, "stopped with an error");
            }
            Err(e) => {
                failed = true;
                tracing::error!(error = %e, "an instance panicked");
            }
        }
    }
    anyhow::ensure!(!failed, "an instance stopped with an error");
    Ok(())
}
