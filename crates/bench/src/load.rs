//! The load test: U users, each going through M updates as a real
//! conversation (the next update only after the bot's reply to the last),
//! all users at once, against a bot in a child process.
//!
//! Two ways to play it. Without pauses every user answers at once, so the
//! bot is saturated: that measures throughput, and latency is then mostly
//! time in the queue (with U users always waiting, the mean latency is
//! U ÷ throughput: Little's law). With pauses each user thinks before every
//! message, as people do, so the bot gets a steady load it can keep up with:
//! that measures the latency a person sees.

use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::fake::{LoadFake, Reply};
use crate::rss;

/// Which bot serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BotKind {
    /// The demo shop on Botwerk, its data sealed in a sled vault.
    Botwerk,
    /// The same shop with its sealed records kept in memory: nothing
    /// persisted, so that the cost of persistence shows.
    BotwerkMemory,
    /// A plain teloxide bot with a dialogue on `InMemStorage`.
    TeloxideMem,
    /// The same on teloxide's `SqliteStorage`.
    TeloxideSqlite,
}

impl BotKind {
    /// The name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Botwerk => "Botwerk (sled vault, encrypted)",
            Self::BotwerkMemory => "Botwerk, records in memory (not durable)",
            Self::TeloxideMem => "teloxide, InMemStorage",
            Self::TeloxideSqlite => "teloxide, SqliteStorage",
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Self::Botwerk => "botwerk",
            Self::BotwerkMemory => "botwerk-memory",
            Self::TeloxideMem => "teloxide-mem",
            Self::TeloxideSqlite => "teloxide-sqlite",
        }
    }
}

/// What one load run measured.
#[derive(Clone, Debug)]
pub struct LoadResult {
    /// Updates per second.
    pub per_second: f64,
    /// Median reply latency.
    pub p50_ms: f64,
    /// 99th percentile reply latency.
    pub p99_ms: f64,
    /// The bot process's peak resident memory.
    pub peak_rss_mb: f64,
    /// CPU time the bot process spent per update (user and system).
    pub cpu_ms_per_update: f64,
    /// How much the bot's resident memory grew over the second half of the
    /// run: caches are warm by then, so steady growth is a leak.
    pub rss_growth_mb: f64,
}

/// One step of a conversation: what the user does, and what reply it waits for.
enum Action {
    Text(&'static str),
    Press(&'static str),
}

/// The conversation: consent first, then orders, in a loop.
fn script(messages: usize) -> Vec<(Action, &'static str)> {
    let consent = [
        (Action::Text("/start"), "16 or older"),
        (Action::Press("16 or older"), "I agree"),
        (Action::Press("I agree"), "consent"),
    ];
    let order = [
        (Action::Text("/order"), "Coffee"),
        (Action::Press("Coffee"), "How many"),
        (Action::Text("2"), "Where should we ship"),
        (Action::Text("Lasttestweg 1, 10115 Berlin"), "Place order"),
        (Action::Press("Place order"), "placed"),
    ];
    consent
        .into_iter()
        .chain(
            std::iter::repeat_with(|| {
                order.iter().map(|(a, e)| {
                    let a = match a {
                        Action::Text(t) => Action::Text(t),
                        Action::Press(p) => Action::Press(p),
                    };
                    (a, *e)
                })
            })
            .flatten(),
        )
        .take(messages)
        .collect()
}

fn matches(reply: &Reply, expect: &str) -> bool {
    reply.text.contains(expect)
        || reply
            .buttons
            .iter()
            .any(|(label, _)| label.contains(expect))
}

/// How users pace their messages.
#[derive(Clone, Copy, Debug)]
pub enum Pace {
    /// Every user sends the next message as soon as the reply is there.
    Flat,
    /// Every user pauses before each message, evenly between half and one
    /// and a half times this.
    Think(Duration),
}

/// A small xorshift generator: the pauses need spread, not secrecy.
struct Jitter(u64);

impl Jitter {
    /// Seeds through splitmix64, so that users with neighbouring ids do not
    /// pause alike (xorshift's first outputs follow its seed closely).
    fn seeded(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Self((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One user's conversation; returns the latency of every step.
async fn converse(
    fake: Arc<LoadFake>,
    user: i64,
    mut replies: mpsc::UnboundedReceiver<Reply>,
    messages: usize,
    pace: Pace,
) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(messages);
    let mut last_buttons: Vec<(i64, Vec<(String, String)>)> = Vec::new();
    let mut jitter = Jitter::seeded(user as u64);
    for (action, expect) in script(messages) {
        if let Pace::Think(mean) = pace {
            tokio::time::sleep(mean.mul_f64(0.5 + jitter.next())).await;
        }
        let started = Instant::now();
        match action {
            Action::Text(text) => fake.text(user, text),
            Action::Press(label) => {
                let (message, data) = last_buttons
                    .iter()
                    .rev()
                    .find_map(|(id, buttons)| {
                        buttons
                            .iter()
                            .find(|(l, _)| l.contains(label))
                            .map(|(_, d)| (*id, d.clone()))
                    })
                    .ok_or_else(|| anyhow::anyhow!("user {user}: no button {label:?}"))?;
                fake.press(user, message, &data);
            }
        }
        let mut seen = Vec::new();
        loop {
            let reply = tokio::time::timeout(Duration::from_secs(60), replies.recv())
                .await
                .map_err(|_| {
                    anyhow::anyhow!(
                        "user {user}: no reply {expect:?} within a minute; got {seen:?}"
                    )
                })?
                .ok_or_else(|| anyhow::anyhow!("the fake stopped"))?;
            if !reply.buttons.is_empty() {
                last_buttons.push((reply.message_id, reply.buttons.clone()));
                if last_buttons.len() > 4 {
                    last_buttons.remove(0);
                }
            }
            if matches(&reply, expect) {
                break;
            }
            seen.push(reply.text);
        }
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}

/// The bot's process, killed when dropped (also when the run fails). Under
/// a wrapper (`BOTWERK_BENCH_WRAP`) it is asked to stop instead (SIGTERM,
/// by `kill`), so that the wrapper can write its report; killed after a
/// minute.
struct BotProcess(Child);

impl Drop for BotProcess {
    fn drop(&mut self) {
        if std::env::var_os("BOTWERK_BENCH_WRAP").is_some() {
            let asked = std::process::Command::new("kill")
                .args(["-TERM", &self.0.id().to_string()])
                .status()
                .is_ok_and(|s| s.success());
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while asked && std::time::Instant::now() < deadline {
                if let Ok(Some(_)) = self.0.try_wait() {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_bot(kind: BotKind, api_url: &str, data: &Path) -> anyhow::Result<BotProcess> {
    Ok(BotProcess(
        crate::child(&["serve", "--bot", kind.arg(), "--api-url", api_url], data)?
            .stdout(Stdio::null())
            .spawn()?,
    ))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// Runs the load against one bot.
pub async fn run(
    kind: BotKind,
    users: usize,
    messages: usize,
    pace: Pace,
) -> anyhow::Result<LoadResult> {
    let fake = Arc::new(LoadFake::start().await?);
    let data = tempfile::tempdir()?;
    let child = spawn_bot(kind, fake.url(), data.path())?;
    tokio::time::timeout(Duration::from_secs(60), fake.wait_polling())
        .await
        .map_err(|_| anyhow::anyhow!("{} did not start polling", kind.label()))?;
    let cpu_before = rss::cpu_seconds(child.0.id()).unwrap_or_default();
    let own_before = rss::cpu_seconds(std::process::id()).unwrap_or_default();
    let started = Instant::now();
    // The bot's resident memory, every 100 ms.
    let pid = child.0.id();
    let samples = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sampler = tokio::spawn({
        let samples = Arc::clone(&samples);
        async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tick.tick().await;
                let Some(bytes) = rss::status_bytes(pid, "VmRSS:") else {
                    return;
                };
                if let Ok(mut samples) = samples.lock() {
                    samples.push((started.elapsed(), bytes));
                }
            }
        }
    });
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..users {
        let user = 1_000_000 + i as i64;
        let replies = fake.user(user);
        tasks.spawn(converse(Arc::clone(&fake), user, replies, messages, pace));
    }
    let mut latencies = Vec::with_capacity(users * messages);
    let mut by_step: Vec<Vec<Duration>> = vec![Vec::new(); messages];
    while let Some(done) = tasks.join_next().await {
        let steps = done??;
        for (i, l) in steps.iter().enumerate() {
            by_step[i].push(*l);
        }
        latencies.extend(steps);
    }
    if std::env::var_os("BOTWERK_BENCH_STEPS").is_some() {
        for (i, step) in by_step.iter_mut().enumerate() {
            step.sort();
            eprintln!(
                "step {i}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                percentile(step, 50.0),
                percentile(step, 99.0),
                percentile(step, 100.0)
            );
        }
    }
    let elapsed = started.elapsed();
    if std::env::var_os("BOTWERK_BENCH_CALLS").is_some() {
        // The benchmark's own CPU: the fake Bot API and the simulated users,
        // which share the machine with the bot.
        let own = rss::cpu_seconds(std::process::id()).unwrap_or_default() - own_before;
        eprintln!(
            "{}: {} polls, calls {:?}, the benchmark's own CPU {:.3} ms per update",
            kind.label(),
            fake.polls(),
            fake.calls(),
            own * 1000.0 / latencies.len().max(1) as f64
        );
    }
    let peak = rss::status_bytes(child.0.id(), "VmHWM:").unwrap_or_default();
    let cpu = rss::cpu_seconds(child.0.id()).unwrap_or_default() - cpu_before;
    let now = rss::status_bytes(child.0.id(), "VmRSS:").unwrap_or_default();
    sampler.abort();
    let halfway = samples
        .lock()
        .map_err(|_| anyhow::anyhow!("the memory sampler failed"))?
        .iter()
        .find(|(at, _)| *at >= elapsed / 2)
        .map_or(now, |(_, bytes)| *bytes);
    drop(child);
    if let Ok(fake) = Arc::try_unwrap(fake) {
        fake.stop();
    }
    latencies.sort();
    Ok(LoadResult {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(&latencies, 50.0),
        p99_ms: percentile(&latencies, 99.0),
        peak_rss_mb: peak as f64 / (1024.0 * 1024.0),
        cpu_ms_per_update: cpu * 1000.0 / latencies.len().max(1) as f64,
        rss_growth_mb: (now as f64 - halfway as f64) / (1024.0 * 1024.0),
    })
}
