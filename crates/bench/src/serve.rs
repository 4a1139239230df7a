//! The bots under load, each in a child process of the benchmark.

use std::path::Path;
use std::time::Duration;

use botwerk::core::Secret;
use botwerk::privacy::Policy;
use botwerk::Instance;
use botwerk_telegram::{Limits, TelegramAdapter, TelegramConfig};

use crate::load::BotKind;

/// Runs `kind` against the Bot API at `api_url` until killed.
pub async fn serve(kind: BotKind, api_url: &str, data: &Path) -> anyhow::Result<()> {
    match kind {
        BotKind::Botwerk => botwerk(api_url, data, Records::Sled).await,
        BotKind::BotwerkMemory => botwerk(api_url, data, Records::Memory).await,
        BotKind::TeloxideMem => crate::teloxide_bot::run(api_url, None).await,
        BotKind::TeloxideSqlite => {
            crate::teloxide_bot::run(api_url, Some(&data.join("dialogues.sqlite"))).await
        }
    }
}

/// Where the shop keeps its records.
enum Records {
    /// In the sled vault on disk, as `botwerk run` does.
    Sled,
    /// In memory: sealed as ever, but neither written to disk nor flushed.
    Memory,
}

/// The demo shop, as `botwerk run` would run it, without Telegram's send
/// limits (the fake does not limit, and the baselines do not either).
async fn botwerk(api_url: &str, data: &Path, records: Records) -> anyhow::Result<()> {
    let mut config = TelegramConfig::new(Secret::new("1:bench"), data);
    config.api_url = Some(api_url.parse()?);
    config.poll_timeout = Duration::from_secs(10);
    config.limits = Limits::none();
    let policy = Policy::parse(botwerk_shop::SAMPLE_POLICY, Path::new("policy.toml"))?;
    let builder = Instance::builder(botwerk_shop::bot());
    let builder = match records {
        Records::Sled => builder.data_dir(data),
        Records::Memory => builder.in_memory(data),
    };
    builder
        .key_file(data.join("instance.key"))
        .policy(policy)
        .adapter(TelegramAdapter::new(config)?)
        .build()
        .await?
        .run(botwerk::core::shutdown::on_signals())
        .await?;
    Ok(())
}
