//! `botwerk`: runs the demo shop on the console, many bot instances from one
//! configuration file, and (as they land) the operator's commands.

mod bots;
mod config;
mod metrics;
mod ops;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use botwerk::console::{ConsoleAdapter, ConsoleOptions};
use botwerk::Instance;
use clap::{Parser, Subcommand};

/// Chat bots for Telegram, Discord and the console with EU data protection built in.
///
/// Without a subcommand, runs the demo shop bot on this console: type a
/// message and press Enter, or pipe a script of messages in, one per line.
/// With BOTWERK_TELEGRAM_TOKEN set, the demo also serves Telegram.
#[derive(Debug, Parser)]
#[command(name = "botwerk", version)]
struct Cli {
    /// Where the demo keeps its data.
    #[arg(long, env = "BOTWERK_DATA", default_value = "botwerk-data")]
    data_dir: PathBuf,

    /// The instance key file (created on first start, mode 0600); by default
    /// inside the data directory, which production avoids.
    #[arg(long, env = "BOTWERK_KEY_FILE")]
    key_file: Option<PathBuf>,

    /// The privacy policy file (TOML); the demo uses its sample policy
    /// (bots/shop/policy.toml) without it.
    #[arg(long, env = "BOTWERK_POLICY")]
    policy: Option<PathBuf>,

    /// Where files the bot sends on the console are saved.
    #[arg(long, default_value = "botwerk-downloads")]
    downloads: PathBuf,

    /// The language you speak to the demo (`en`, `de`); by default from LANG.
    #[arg(long)]
    lang: Option<String>,

    /// Also serve Telegram with this bot token (`env:NAME` and `file:PATH` work too).
    #[arg(long, env = "BOTWERK_TELEGRAM_TOKEN", hide_env_values = true)]
    telegram_token: Option<String>,

    /// The Bot API server for --telegram-token (a self-hosted one).
    #[arg(long, env = "BOTWERK_TELEGRAM_API_URL")]
    telegram_api_url: Option<String>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the demo shop bot on the console (what `botwerk` alone does).
    Demo,
    /// Run every instance of a configuration file (see botwerk.example.toml).
    Run {
        /// The configuration file.
        #[arg(long, short, env = "BOTWERK_CONFIG")]
        config: PathBuf,
    },
    #[command(flatten)]
    Operation(ops::Operation),
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOTWERK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // BOTWERK_LOG_FORMAT=json: one JSON object per line, with the spans
    // (instance, platform) as fields.
    if std::env::var("BOTWERK_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init();
    } else {
        builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
}

async fn demo(cli: &Cli) -> anyhow::Result<()> {
    let mut options = ConsoleOptions {
        downloads: cli.downloads.clone(),
        ..ConsoleOptions::default()
    };
    if let Some(lang) = &cli.lang {
        options.locale = Some(lang.clone());
    }
    let (bot, sample, sample_name) = bots::bot("shop").expect("the shop is built in");
    let policy = bots::policy(cli.policy.as_deref(), sample, sample_name)?;
    let mut builder = Instance::builder(bot)
        .data_dir(&cli.data_dir)
        .policy(policy);
    if let Some(key_file) = &cli.key_file {
        builder = builder.key_file(key_file);
    }
    if let Some(token) = &cli.telegram_token {
        let section = config::TelegramSection {
            token: token.clone(),
            api_url: cli.telegram_api_url.clone(),
        };
        if let Some(adapter) = run::telegram(Some(&section), &cli.data_dir)? {
            builder = builder.adapter(adapter);
        }
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
    let mut cli = Cli::parse();
    init_logging();
    let result = match cli.command.take() {
        None | Some(Command::Demo) => demo(&cli).await.map(|()| true),
        Some(Command::Run { config }) => run::run(&config).await.map(|()| true),
        Some(Command::Operation(operation)) => ops::operate(operation).await,
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("botwerk: {e:#}");
            ExitCode::FAILURE
        }
    }
}
