//! `botwerk-bench`: the load, memory and scaling benchmarks of Botwerk.
//!
//! Without a subcommand it runs everything and prints the tables that
//! BENCHMARKS.md and the README show:
//!
//! ```text
//! cargo run --release -p botwerk-bench
//! ```
//!
//! The bots under load and the idle instances run in child processes (the
//! hidden `serve` and `idle` subcommands), so that their memory is their own.

mod fake;
mod load;
mod memory;
mod rss;
mod scaling;
mod serve;
mod teloxide_bot;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::load::{BotKind, LoadResult, Pace};

/// This binary again, as a child running the hidden subcommand `args` on the
/// data directory `data`: its logs quiet unless `BOTWERK_BENCH_LOG` says
/// otherwise, no input, its errors on ours. `BOTWERK_BENCH_WRAP` names a
/// command to run it under, split at spaces (`heaptrack`, or
/// `valgrind --tool=callgrind`, say); its figures are then the wrapper's too.
fn child(args: &[&str], data: &std::path::Path) -> anyhow::Result<std::process::Command> {
    let exe = std::env::current_exe()?;
    let wrap = std::env::var("BOTWERK_BENCH_WRAP").unwrap_or_default();
    let mut wrapper = wrap.split_whitespace();
    let mut command = match wrapper.next() {
        Some(program) => {
            let mut command = std::process::Command::new(program);
            command.args(wrapper).arg(exe);
            command
        }
        None => std::process::Command::new(exe),
    };
    command
        .args(args)
        .arg("--data")
        .arg(data)
        .env(
            "BOTWERK_LOG",
            std::env::var("BOTWERK_BENCH_LOG").unwrap_or_else(|_| "error".into()),
        )
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit());
    Ok(command)
}

#[derive(Parser)]
#[command(
    name = "botwerk-bench",
    version,
    about = "Load, memory and scaling benchmarks of Botwerk"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Simulated users, all at once.
    #[arg(long, default_value_t = 1000)]
    users: usize,
    /// Updates per user, each sent after the bot's reply to the last.
    #[arg(long, default_value_t = 20)]
    messages: usize,
    /// The mean pause of a user before each message in the latency run, in
    /// milliseconds (each pause is drawn between half and 1.5 times it).
    #[arg(long, default_value_t = 1000)]
    think_ms: u64,
    /// Throughput runs per bot; the table shows the median.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Idle instances in one process.
    #[arg(long, default_value_t = 100)]
    instances: usize,
    /// The large store: subjects in it, and expired records purged; a
    /// subject's record counts are a thousandth, a hundredth and a tenth of it.
    #[arg(long, default_value_t = 1_000_000)]
    big: usize,
    /// Which bots the load runs against (all four by default).
    #[arg(long, value_enum, value_delimiter = ',')]
    bots: Vec<BotKind>,
    /// Which parts to run (all by default).
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Part>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Part {
    Load,
    Memory,
    Scaling,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serves one bot against a Bot API until killed (a child of the load run).
    #[command(hide = true)]
    Serve {
        #[arg(long, value_enum)]
        bot: BotKind,
        #[arg(long)]
        api_url: String,
        #[arg(long)]
        data: PathBuf,
    },
    /// Runs idle instances and reports memory (a child of the memory run).
    #[command(hide = true)]
    Idle {
        #[arg(long)]
        instances: usize,
        #[arg(long)]
        data: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Some(Cmd::Serve { bot, api_url, data }) => {
            init_logs();
            runtime.block_on(serve::serve(bot, &api_url, &data))
        }
        Some(Cmd::Idle { instances, data }) => {
            init_logs();
            runtime.block_on(memory::idle(instances, &data))
        }
        None => runtime.block_on(everything(&cli)),
    }
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOTWERK_LOG")
        .unwrap_or_else(|_| "error".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn wants(cli: &Cli, part: Part) -> bool {
    cli.only.is_empty() || cli.only.contains(&part)
}

async fn everything(cli: &Cli) -> anyhow::Result<()> {
    println!("# botwerk-bench\n");
    println!("{}\n", machine());
    let mut missed = Vec::new();
    if wants(cli, Part::Load) {
        missed.extend(load_part(cli).await?);
    }
    if wants(cli, Part::Memory) {
        println!(
            "## Memory: {} idle instances in one process\n",
            cli.instances
        );
        eprintln!("memory: {} idle instances …", cli.instances);
        let m = memory::run(cli.instances).await?;
        println!("| | RSS |");
        println!("|---|---:|");
        println!(
            "| process before the instances | {:.1} MiB |",
            m.baseline_mb
        );
        println!(
            "| with {} idle instances | {:.1} MiB |",
            m.instances, m.loaded_mb
        );
        println!(
            "| **per idle instance** | **{:.2} MiB** |\n",
            m.per_instance_mb()
        );
        if m.per_instance_mb() >= 2.0 {
            missed.push(format!(
                "an idle instance takes {:.2} MiB (target: under 2)",
                m.per_instance_mb()
            ));
        }
    }
    if wants(cli, Part::Scaling) {
        println!("## Scaling of privacy operations (sled vault)\n");
        eprintln!("scaling: up to {} subjects and records …", cli.big);
        let measures = scaling::run(cli.big).await?;
        println!("| Operation | Time |");
        println!("|---|---:|");
        for m in &measures {
            println!("| {} | {} |", m.what, human(m.time));
        }
        println!();
    }
    if missed.is_empty() {
        println!("Every target met.");
    } else {
        println!("Targets missed:");
        for m in &missed {
            println!("- {m}");
        }
    }
    Ok(())
}

/// A bot's results: the median of its throughput runs, and its paced run.
struct BotResults {
    kind: BotKind,
    flat: LoadResult,
    /// Updates per second of every throughput run, in the order they ran.
    runs: Vec<f64>,
    paced: LoadResult,
}

async fn load_part(cli: &Cli) -> anyhow::Result<Vec<String>> {
    let all = [
        BotKind::Botwerk,
        BotKind::BotwerkMemory,
        BotKind::TeloxideMem,
        BotKind::TeloxideSqlite,
    ];
    let kinds: Vec<BotKind> = all
        .into_iter()
        .filter(|k| cli.bots.is_empty() || cli.bots.contains(k))
        .collect();
    // The bots take turns, run by run, so that a machine getting slower or
    // faster over the minutes of the benchmark weighs on each of them alike.
    let mut flats: Vec<Vec<LoadResult>> = kinds.iter().map(|_| Vec::new()).collect();
    for run in 1..=cli.runs.max(1) {
        for (kind, flat) in kinds.iter().zip(&mut flats) {
            eprintln!("load: {}, throughput run {run} …", kind.label());
            flat.push(load::run(*kind, cli.users, cli.messages, Pace::Flat).await?);
        }
    }
    let think = Duration::from_millis(cli.think_ms);
    let mut results = Vec::new();
    for (kind, mut flat) in kinds.into_iter().zip(flats) {
        let runs = flat.iter().map(|r| r.per_second).collect();
        flat.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        let flat = flat.swap_remove(flat.len() / 2);
        eprintln!("load: {}, paced run …", kind.label());
        let paced = load::run(kind, cli.users, cli.messages, Pace::Think(think)).await?;
        results.push(BotResults {
            kind,
            flat,
            runs,
            paced,
        });
    }
    print_load(cli, &results);
    Ok(load_targets(&results))
}

fn print_load(cli: &Cli, results: &[BotResults]) {
    let botwerk = results
        .iter()
        .find(|r| r.kind == BotKind::Botwerk)
        .map_or(0.0, |r| r.flat.per_second);
    println!(
        "## Throughput: {} users × {} updates, each sent as soon as the reply is there\n",
        cli.users, cli.messages
    );
    println!(
        "The bots took turns; each row is the median of {} runs, all of which are listed.\n",
        cli.runs.max(1)
    );
    println!("| Bot | updates/s | Botwerk's throughput ÷ this | bot CPU per update | p50 | p99 | every run, updates/s |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for r in results {
        let runs: Vec<String> = r.runs.iter().map(|x| format!("{x:.0}")).collect();
        println!(
            "| {} | {:.0} | {:.2} | {:.3} ms | {:.0} ms | {:.0} ms | {} |",
            r.kind.label(),
            r.flat.per_second,
            botwerk / r.flat.per_second,
            r.flat.cpu_ms_per_update,
            r.flat.p50_ms,
            r.flat.p99_ms,
            runs.join(", "),
        );
    }
    println!(
        "\n## Latency: {} users × {} updates, each user pausing {:.1}–{:.1} s before each message\n",
        cli.users,
        cli.messages,
        cli.think_ms as f64 / 2000.0,
        cli.think_ms as f64 * 1.5 / 1000.0
    );
    println!(
        "| Bot | updates/s | p50 | p99 | peak RSS (both runs) | RSS growth in the 2nd half, throughput / latency run |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for r in results {
        println!(
            "| {} | {:.0} | {:.1} ms | {:.1} ms | {:.1} MiB | {:+.1} / {:+.1} MiB |",
            r.kind.label(),
            r.paced.per_second,
            r.paced.p50_ms,
            r.paced.p99_ms,
            r.flat.peak_rss_mb.max(r.paced.peak_rss_mb),
            r.flat.rss_growth_mb,
            r.paced.rss_growth_mb,
        );
    }
    println!();
}

fn load_targets(results: &[BotResults]) -> Vec<String> {
    let get = |kind| results.iter().find(|r| r.kind == kind);
    let mut missed = Vec::new();
    let Some(b) = get(BotKind::Botwerk) else {
        return missed;
    };
    if let Some(mem) = get(BotKind::TeloxideMem) {
        if b.flat.per_second < mem.flat.per_second {
            missed.push(format!(
                "Botwerk's throughput is {:.2}× teloxide's on InMemStorage (target: at least 1)",
                b.flat.per_second / mem.flat.per_second
            ));
        }
    }
    if let Some(sql) = get(BotKind::TeloxideSqlite) {
        if b.flat.per_second <= sql.flat.per_second {
            missed.push("Botwerk does not beat teloxide on SqliteStorage".into());
        }
    }
    if b.paced.p99_ms >= 50.0 {
        missed.push(format!(
            "Botwerk's p99 latency is {:.1} ms (target: under 50)",
            b.paced.p99_ms
        ));
    }
    let peak = b.flat.peak_rss_mb.max(b.paced.peak_rss_mb);
    if peak >= 100.0 {
        missed.push(format!(
            "Botwerk's peak RSS is {peak:.1} MiB (target: under 100)"
        ));
    }
    missed
}

fn human(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{:.0} µs", ms * 1000.0)
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "Machine: {cores} cores ({cpu}), {} {}; release build.",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
