//! `botwerk run`: every instance of the configuration file in one process.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use botwerk::core::CancellationToken;
use botwerk::Instance;
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

async fn build(instance: &InstanceConfig) -> anyhow::Result<Instance> {
    let (bot, sample, sample_name) = bots::bot(&instance.bot)
        .ok_or_else(|| anyhow::anyhow!("unknown bot `{}`", instance.bot))?;
    let policy = bots::policy(instance.policy.as_deref(), sample, sample_name)?;
    let mut builder = Instance::builder(bot)
        .data_dir(&instance.data_dir)
        .policy(policy);
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
    let mut instances = Vec::new();
    for instance in &config.instances {
        let built = build(instance)
            .await
            .with_context(|| format!("instance `{}` does not start", instance.name))?;
        instances.push((instance.name.clone(), built));
    }
    let shutdown = botwerk::core::shutdown::on_signals();
    let mut tasks = tokio::task::JoinSet::new();
    for (name, instance) in instances {
        let token: CancellationToken = shutdown.clone();
        tasks.spawn(async move { (name, instance.run(token).await) });
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
