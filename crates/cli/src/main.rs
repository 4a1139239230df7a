//! `botwerk`: runs the demo shop on the console, and (as they land) many bot
//! instances from one configuration file and the operator's commands.

use std::path::PathBuf;
use std::process::ExitCode;

use botwerk::console::{ConsoleAdapter, ConsoleOptions};
use botwerk::privacy::Policy;
use botwerk::Instance;
use clap::{Parser, Subcommand};

/// Chat bots for Telegram, Discord and the console with EU data protection built in.
///
/// Without a subcommand, runs the demo shop bot on this console: type a
/// message and press Enter, or pipe a script of messages in, one per line.
#[derive(Debug, Parser)]
#[command(name = "botwerk", version)]
struct Cli {
    /// Where the demo keeps its data.
    #[arg(
        long,
        env = "BOTWERK_DATA",
        default_value = "botwerk-data",
        global = true
    )]
    data_dir: PathBuf,

    /// The instance key file (created on first start, mode 0600); by default
    /// inside the data directory, which production avoids.
    #[arg(long, env = "BOTWERK_KEY_FILE", global = true)]
    key_file: Option<PathBuf>,

    /// The privacy policy file (TOML); the demo uses its sample policy
    /// (bots/shop/policy.toml) without it.
    #[arg(long, env = "BOTWERK_POLICY", global = true)]
    policy: Option<PathBuf>,

    /// Where files the bot sends on the console are saved.
    #[arg(long, default_value = "botwerk-downloads", global = true)]
    downloads: PathBuf,

    /// The language you speak to the demo (`en`, `de`); by default from LANG.
    #[arg(long)]
    lang: Option<String>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the demo shop bot on the console (what `botwerk` alone does).
    Demo,
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOTWERK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

async fn demo(cli: &Cli) -> anyhow::Result<()> {
    let mut options = ConsoleOptions {
        downloads: cli.downloads.clone(),
        ..ConsoleOptions::default()
    };
    if let Some(lang) = &cli.lang {
        options.locale = Some(lang.clone());
    }
    let policy = match &cli.policy {
        Some(path) => Policy::load(path)?,
        None => Policy::parse(
            botwerk_shop::SAMPLE_POLICY,
            std::path::Path::new("bots/shop/policy.toml"),
        )?,
    };
    let mut builder = Instance::builder(botwerk_shop::bot())
        .data_dir(&cli.data_dir)
        .policy(policy);
    if let Some(key_file) = &cli.key_file {
        builder = builder.key_file(key_file);
    }
    let instance = builder.build().await?;
    instance
        .adapter(ConsoleAdapter::stdio(options))
        .run(botwerk::core::shutdown::on_signals())
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        None | Some(Command::Demo) => demo(&cli).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("botwerk: {e:#}");
            ExitCode::FAILURE
        }
    }
}
