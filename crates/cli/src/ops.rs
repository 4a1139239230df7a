//! The operator commands: export, erase, audit verify, record, purge,
//! broadcast, keys check. Each works whether the instance runs or not: a
//! running instance answers on its admin socket (sled admits one process
//! per data directory); otherwise the command opens the data directory
//! itself.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use botwerk::admin;
use botwerk::core::Platform;
use botwerk::operator::{RecordFormat, Request, Response};
use clap::{Args, Subcommand, ValueEnum};

use crate::config::{Config, InstanceConfig};
use crate::run;

/// Which instance of which configuration file.
#[derive(Debug, Args)]
pub struct Target {
    /// The configuration file.
    #[arg(long, short, env = "BOTWERK_CONFIG")]
    config: PathBuf,
    /// The instance's name (may be left out when the file has one instance).
    #[arg(long, short)]
    instance: Option<String>,
}

/// The form of the record of processing.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Markdown, for people.
    Markdown,
    /// JSON, for tools.
    Json,
}

/// `botwerk audit ...`.
#[derive(Debug, Subcommand)]
pub enum Audit {
    /// Walk the audit chain and name the first broken link.
    Verify {
        #[command(flatten)]
        target: Target,
    },
}

/// `botwerk keys ...`.
#[derive(Debug, Subcommand)]
pub enum Keys {
    /// Check the key file and that every data key unwraps.
    Check {
        #[command(flatten)]
        target: Target,
    },
}

/// An operator command.
#[derive(Debug, Subcommand)]
pub enum Operation {
    /// Everything kept about one account, as JSON (an access request that came by mail).
    Export {
        #[command(flatten)]
        target: Target,
        /// The platform: telegram, discord, console.
        #[arg(long)]
        platform: Platform,
        /// The account's id on the platform.
        #[arg(long)]
        user: String,
        /// Write the document here (mode 0600) instead of to standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Erase everything of one account (an erasure request that came by mail).
    Erase {
        #[command(flatten)]
        target: Target,
        /// The platform: telegram, discord, console.
        #[arg(long)]
        platform: Platform,
        /// The account's id on the platform.
        #[arg(long)]
        user: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// The audit log.
    #[command(subcommand)]
    Audit(Audit),
    /// The record of processing activities (GDPR Art. 30).
    Record {
        #[command(flatten)]
        target: Target,
        /// Markdown or JSON.
        #[arg(long, value_enum, default_value = "markdown")]
        format: Format,
    },
    /// Delete everything past its retention period, now.
    Purge {
        #[command(flatten)]
        target: Target,
    },
    /// Send a message to confirmed newsletter subscribers only.
    Broadcast {
        #[command(flatten)]
        target: Target,
        /// The message (English, and the fallback for every language).
        #[arg(long)]
        message: PathBuf,
        /// The message in another language: `de=issue.de.txt`. Repeatable.
        #[arg(long = "message-lang", value_name = "LANG=FILE")]
        translations: Vec<String>,
    },
    /// The instance keys.
    #[command(subcommand)]
    Keys(Keys),
}

fn pick<'a>(config: &'a Config, name: Option<&str>) -> anyhow::Result<&'a InstanceConfig> {
    let names = || {
        config
            .instances
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => config
            .instances
            .iter()
            .find(|i| i.name == name)
            .with_context(|| format!("there is no instance `{name}`; the file has: {}", names())),
        None if config.instances.len() == 1 => Ok(&config.instances[0]),
        None => bail!(
            "the file has several instances ({}): name one with --instance",
            names()
        ),
    }
}

/// Sends `request` to the instance: over its admin socket when it runs,
/// else on its data directory directly.
async fn execute(
    target: &Target,
    request: Request,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> anyhow::Result<Response> {
    let config = Config::load(&target.config)?;
    let instance = pick(&config, target.instance.as_deref())?;
    let socket = admin::socket_path(&instance.data_dir);
    if let Some(response) = admin::call(&socket, &request, progress)
        .await
        .with_context(|| format!("the running instance `{}` did not answer", instance.name))?
    {
        return Ok(response);
    }
    let local = run::build(instance, false)
        .await
        .with_context(|| format!("instance `{}` cannot be opened", instance.name))?;
    Ok(local.operator().execute(request, progress).await)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    open.open(path)?.write_all(text.as_bytes())
}

fn confirm(question: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("{question}: confirm with --yes when not at a terminal");
    }
    eprint!("{question} Type `erase` to confirm: ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(answer.trim() == "erase")
}

fn unexpected(response: Response) -> anyhow::Error {
    match response {
        Response::Error { message } => anyhow::anyhow!("{message}"),
        other => anyhow::anyhow!("unexpected answer: {other:?}"),
    }
}

/// Runs an operator command; `Ok(false)` when it found a problem (exit 1).
pub async fn operate(operation: Operation) -> anyhow::Result<bool> {
    let mut quiet = |_, _| {};
    match operation {
        Operation::Export {
            target,
            platform,
            user,
            out,
        } => {
            match execute(
                &target,
                Request::Export {
                    platform,
                    user: user.clone(),
                },
                &mut quiet,
            )
            .await?
            {
                Response::Export { found, document } => {
                    if !found {
                        eprintln!("nothing is kept about {platform}:{user}");
                    }
                    match out {
                        Some(path) => {
                            write_private(&path, &document)
                                .with_context(|| format!("cannot write {}", path.display()))?;
                            eprintln!("export written to {}", path.display());
                        }
                        None => print!("{document}"),
                    }
                    Ok(true)
                }
                other => Err(unexpected(other)),
            }
        }
        Operation::Erase {
            target,
            platform,
            user,
            yes,
        } => {
            if !yes && !confirm(&format!("Erase everything kept about {platform}:{user}?"))? {
                eprintln!("nothing was erased");
                return Ok(false);
            }
            match execute(
                &target,
                Request::Erase {
                    platform,
                    user: user.clone(),
                },
                &mut quiet,
            )
            .await?
            {
                Response::Erased {
                    receipt: Some(receipt),
                } => {
                    println!("erased everything kept about {platform}:{user}; receipt {receipt}");
                    Ok(true)
                }
                Response::Erased { receipt: None } => {
                    println!("nothing is kept about {platform}:{user}; nothing to erase");
                    Ok(true)
                }
                other => Err(unexpected(other)),
            }
        }
        Operation::Audit(Audit::Verify { target }) => {
            match execute(&target, Request::AuditVerify, &mut quiet).await? {
                Response::Audit {
                    entries,
                    broken: None,
                } => {
                    println!("audit log intact: {entries} entries");
                    Ok(true)
                }
                Response::Audit {
                    broken: Some((seq, problem)),
                    ..
                } => {
                    println!("audit log broken at entry {seq}: {problem}");
                    Ok(false)
                }
                other => Err(unexpected(other)),
            }
        }
        Operation::Record { target, format } => {
            let format = match format {
                Format::Markdown => RecordFormat::Markdown,
                Format::Json => RecordFormat::Json,
            };
            match execute(&target, Request::Record { format }, &mut quiet).await? {
                Response::Record { text } => {
                    println!("{text}");
                    Ok(true)
                }
                other => Err(unexpected(other)),
            }
        }
        Operation::Purge { target } => match execute(&target, Request::Purge, &mut quiet).await? {
            Response::Purged { records } => {
                println!("purged {records} expired records");
                Ok(true)
            }
            other => Err(unexpected(other)),
        },
        Operation::Keys(Keys::Check { target }) => {
            match execute(&target, Request::KeysCheck, &mut quiet).await? {
                Response::Keys(report) => {
                    println!("key file: {} (mode checked)", report.key_file.display());
                    println!("keystore: {}", report.keystore.display());
                    println!(
                        "subjects: {}, keys that unwrap: {}",
                        report.subjects, report.keys_ok
                    );
                    for tag in &report.keys_bad {
                        println!("key does not unwrap: subject {tag}");
                    }
                    Ok(report.is_ok())
                }
                other => Err(unexpected(other)),
            }
        }
        Operation::Broadcast {
            target,
            message,
            translations,
        } => {
            let mut messages = BTreeMap::new();
            let read = |path: &Path| {
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the message {}", path.display()))
            };
            messages.insert("en".to_owned(), read(&message)?);
            for translation in translations {
                let Some((lang, path)) = translation.split_once('=') else {
                    bail!("`--message-lang {translation}`: write it as LANG=FILE, e.g. de=issue.de.txt");
                };
                messages.insert(lang.to_owned(), read(Path::new(path))?);
            }
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} subjects")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let mut progress = |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let response = execute(&target, Request::Broadcast { messages }, &mut progress).await?;
            bar.finish_and_clear();
            match response {
                Response::Broadcast(report) => {
                    println!(
                        "sent {} of {} subjects; {} without consent, {} on platforms where marketing is off, {} failed",
                        report.sent, report.subjects, report.no_consent, report.platform_off, report.failed
                    );
                    Ok(report.failed == 0)
                }
                other => Err(unexpected(other)),
            }
        }
    }
}
