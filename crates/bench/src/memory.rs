//! Memory per idle instance: a child process opens N instances of the demo
//! shop, each with its own sled vault and a Telegram adapter long-polling a
//! fake Bot API that has nothing to say, and reports its resident memory
//! before and after.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use botwerk::core::Secret;
use botwerk::privacy::Policy;
use botwerk::Instance;
use botwerk_telegram::{TelegramAdapter, TelegramConfig};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::fake::LoadFake;
use crate::rss;

/// What the memory run measured.
#[derive(Clone, Debug)]
pub struct MemoryResult {
    /// How many instances ran.
    pub instances: usize,
    /// Resident memory of the process before the instances opened.
    pub baseline_mb: f64,
    /// Resident memory with every instance running idle.
    pub loaded_mb: f64,
}

impl MemoryResult {
    /// Resident memory per idle instance, in MiB.
    pub fn per_instance_mb(&self) -> f64 {
        (self.loaded_mb - self.baseline_mb) / self.instances as f64
    }
}

const MB: f64 = 1024.0 * 1024.0;

/// Runs the child and reads its report.
pub async fn run(instances: usize) -> anyhow::Result<MemoryResult> {
    let data = tempfile::tempdir()?;
    let command = crate::child(
        &["idle", "--instances", &instances.to_string()],
        data.path(),
    )?;
    let mut child = tokio::process::Command::from(command)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout of the child"))?;
    let mut lines = BufReader::new(stdout).lines();
    let mut baseline = None;
    let mut loaded = None;
    while let Some(line) =
        tokio::time::timeout(Duration::from_secs(300), lines.next_line()).await??
    {
        match line.split_once(' ') {
            Some(("baseline", bytes)) => baseline = Some(bytes.parse::<u64>()?),
            Some(("loaded", bytes)) => {
                loaded = Some(bytes.parse::<u64>()?);
                break;
            }
            _ => {}
        }
    }
    let _ = child.kill().await;
    match (baseline, loaded) {
        (Some(baseline), Some(loaded)) => Ok(MemoryResult {
            instances,
            baseline_mb: baseline as f64 / MB,
            loaded_mb: loaded as f64 / MB,
        }),
        _ => anyhow::bail!("the idle child ended without a report"),
    }
}

fn own_rss() -> u64 {
    rss::status_bytes(std::process::id(), "VmRSS:").unwrap_or_default()
}

/// The child: opens `instances` idle instances under `data`, prints
/// `baseline <bytes>` and `loaded <bytes>`, then idles until killed.
pub async fn idle(instances: usize, data: &Path) -> anyhow::Result<()> {
    let fake = LoadFake::start().await?;
    let policy = Policy::parse(botwerk_shop::SAMPLE_POLICY, Path::new("policy.toml"))?;
    // Let the runtime and the fake settle before the baseline.
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("baseline {}", own_rss());
    let mut running = tokio::task::JoinSet::new();
    for i in 0..instances {
        let dir = data.join(format!("instance-{i}"));
        let mut config = TelegramConfig::new(Secret::new(format!("{i}:idle")), &dir);
        config.api_url = Some(fake.url().parse()?);
        config.poll_timeout = Duration::from_secs(25);
        let instance = Instance::builder(botwerk_shop::bot())
            .data_dir(&dir)
            .key_file(dir.join("instance.key"))
            .policy(policy.clone())
            .adapter(TelegramAdapter::new(config)?)
            .build()
            .await?;
        running.spawn(instance.run(botwerk::core::CancellationToken::new()));
    }
    // Every instance polls at least once, then the process settles.
    fake.wait_polls(instances as u32).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    println!("loaded {}", own_rss());
    if let Some(done) = running.join_next().await {
        done??;
        anyhow::bail!("an idle instance stopped");
    }
    Ok(())
}
