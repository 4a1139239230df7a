//! The console adapter.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use botwerk_core::{
    Adapter, AdapterError, Body, Button, Catalog, Chat, ChatKind, Content, Identity, Incoming,
    Intake, Locale, MessageId, Origin, Outgoing, Platform, Sender, Sent, TextArg,
};
use tokio::sync::mpsc;

use crate::lines::{read_line, Line, MAX_LINE};
use crate::render;

/// How the console adapter behaves.
#[derive(Clone, Debug)]
pub struct ConsoleOptions {
    /// The user id of the person at the console (`local` by default).
    pub user: String,
    /// The language the person speaks, as a tag (`de`, `en-GB`); by default
    /// taken from `LC_ALL`, `LC_MESSAGES` or `LANG`.
    pub locale: Option<String>,
    /// Where files the bot sends are saved (`botwerk-downloads` by default).
    pub downloads: PathBuf,
    /// Prompt and no echo (a terminal) or echo and no prompt (a pipe); by
    /// default detected from standard input.
    pub interactive: Option<bool>,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        Self {
            user: "local".into(),
            locale: locale_from_env(),
            downloads: PathBuf::from("botwerk-downloads"),
            interactive: None,
        }
    }
}

/// The language of the POSIX locale environment, if it names one.
fn locale_from_env() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|value| !value.is_empty())
        .and_then(|value| {
            let tag = value
                .split(['.', '@'])
                .next()
                .unwrap_or_default()
                .to_owned();
            (tag != "C" && tag != "POSIX" && !tag.is_empty()).then_some(tag)
        })
}

/// An adapter on a line-based input and a text output, normally stdin and stdout.
pub struct ConsoleAdapter {
    input: Mutex<Option<Box<dyn BufRead + Send>>>,
    output: Mutex<Box<dyn Write + Send>>,
    interactive: bool,
    options: ConsoleOptions,
    chat: Chat,
    /// The buttons `#N` presses: all buttons of the replies to the latest
    /// input that had any, numbered through.
    buttons: Mutex<Pressable>,
    next_id: AtomicU64,
    /// Files saved in this session: removed when the person's data is erased.
    saved: Mutex<Vec<PathBuf>>,
    /// What the adapter itself says (notes, saved files), in English and German.
    texts: Catalog,
    /// The language of those texts: the console's locale, negotiated.
    lang: String,
}

/// The adapter's own texts.
fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    catalog
        .add("en", include_str!("../texts/en.ftl"))
        .expect("the console's English texts parse");
    catalog
        .add("de", include_str!("../texts/de.ftl"))
        .expect("the console's German texts parse");
    catalog
}

impl ConsoleAdapter {
    /// An adapter on the process's standard input and output.
    pub fn stdio(options: ConsoleOptions) -> Arc<Self> {
        let interactive = options
            .interactive
            .unwrap_or_else(|| io::stdin().is_terminal());
        Self::build(
            Box::new(io::BufReader::new(io::stdin())),
            Box::new(io::stdout()),
            interactive,
            options,
        )
    }

    /// An adapter on any input and output; `interactive` defaults to false.
    pub fn new(
        input: impl BufRead + Send + 'static,
        output: impl Write + Send + 'static,
        options: ConsoleOptions,
    ) -> Arc<Self> {
        let interactive = options.interactive.unwrap_or(false);
        Self::build(Box::new(input), Box::new(output), interactive, options)
    }

    fn build(
        input: Box<dyn BufRead + Send>,
        output: Box<dyn Write + Send>,
        interactive: bool,
        options: ConsoleOptions,
    ) -> Arc<Self> {
        let texts = catalog();
        let lang = texts.negotiate(options.locale.as_deref()).to_owned();
        Arc::new(Self {
            texts,
            lang,
            input: Mutex::new(Some(input)),
            output: Mutex::new(output),
            interactive,
            chat: Chat::new(Platform::Console, "console", ChatKind::Private),
            options,
            buttons: Mutex::new(Pressable::default()),
            next_id: AtomicU64::new(1),
            saved: Mutex::new(Vec::new()),
        })
    }

    fn write(&self, text: &str) -> io::Result<()> {
        let mut out = self.output.lock().unwrap_or_else(|e| e.into_inner());
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    /// One of the adapter's own texts, in the console's language. Numbers
    /// go in as they are, without the language's digit grouping.
    fn t(&self, key: &str, args: &[(&str, String)]) -> String {
        let args: Vec<(&str, TextArg)> = args
            .iter()
            .map(|(name, value)| (*name, TextArg::from(value.as_str())))
            .collect();
        self.texts.text(&self.lang, key, &args)
    }

    fn note(&self, text: &str) -> Result<(), AdapterError> {
        let line = self.t("console-note", &[("text", text.to_owned())]);
        self.write(&format!("{line}\n"))
            .map_err(AdapterError::transport)
    }

    /// What a typed line means: `#N` presses a button, the rest is parsed as
    /// command or text. `Err` carries a note for the person instead.
    fn content(&self, line: &str) -> Result<Content, String> {
        let trimmed = line.trim();
        if let Some(number) = trimmed.strip_prefix('#') {
            let pressable = self.buttons.lock().unwrap_or_else(|e| e.into_inner());
            let buttons = &pressable.buttons;
            if let (Ok(n), false) = (number.parse::<usize>(), buttons.is_empty()) {
                return match n.checked_sub(1).and_then(|i| buttons.get(i)) {
                    Some(button) => Ok(Content::Button {
                        data: button.data.clone(),
                        message: None,
                    }),
                    None => Err(self.t(
                        "console-no-button",
                        &[
                            ("number", n.to_string()),
                            ("count", buttons.len().to_string()),
                        ],
                    )),
                };
            }
        }
        Ok(Content::parse(trimmed, None).unwrap_or_else(|| Content::Text(trimmed.to_owned())))
    }

    fn incoming(&self, content: Content) -> Incoming {
        Incoming {
            chat: self.chat.clone(),
            sender: Sender::new(Identity::new(Platform::Console, self.options.user.as_str())),
            locale: self.options.locale.as_deref().map(Locale::new),
            content,
            origin: Origin::none(),
        }
    }

    fn save(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        std::fs::create_dir_all(&self.options.downloads)?;
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let safe = if safe.trim_matches('.').is_empty() {
            "file".to_owned()
        } else {
            safe
        };
        let path = unused_path(&self.options.downloads, &safe);
        write_private(&path, bytes)?;
        self.saved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.clone());
        Ok(path)
    }
}

/// Writes a file only its owner can read: a data export is personal data.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut file = open.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// The buttons `#N` refers to.
#[derive(Default)]
struct Pressable {
    buttons: Vec<Button>,
    /// True once an input was sent and no reply with buttons came yet: the
    /// next buttons replace the old ones instead of adding to them.
    fresh: bool,
}

impl Pressable {
    fn new_input(&mut self) {
        self.fresh = true;
    }

    /// Takes the buttons of a new message; returns the number of its first.
    fn add(&mut self, buttons: &botwerk_core::Buttons) -> usize {
        if self.fresh {
            self.buttons.clear();
            self.fresh = false;
        }
        let first = self.buttons.len() + 1;
        self.buttons.extend(buttons.iter().cloned());
        first
    }
}

/// `dir/name`, or `dir/stem-2.ext`, `dir/stem-3.ext`, ... if taken.
fn unused_path(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|n| dir.join(format!("{stem}-{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

#[async_trait]
impl Adapter for ConsoleAdapter {
    fn platform(&self) -> Platform {
        Platform::Console
    }

    async fn run(&self, intake: Intake) -> Result<(), AdapterError> {
        let Some(mut input) = self.input.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return Err(AdapterError::Unsupported(
                "the console adapter runs once".into(),
            ));
        };
        // Reading blocks; a plain thread does it so that shutdown never waits
        // for a line that may not come. It ends with the process.
        let (tx, mut lines) = mpsc::channel(1);
        std::thread::Builder::new()
            .name("console-input".into())
            .spawn(move || loop {
                let line = read_line(&mut input, MAX_LINE);
                let last = !matches!(line, Ok(Some(_)));
                if tx.blocking_send(line).is_err() || last {
                    return;
                }
            })
            .map_err(AdapterError::transport)?;

        loop {
            if self.interactive {
                self.write("> ").map_err(AdapterError::transport)?;
            }
            let line = tokio::select! {
                () = intake.stopped() => return Ok(()),
                line = lines.recv() => line,
            };
            let line = match line {
                None | Some(Ok(None)) => return Ok(()),
                Some(Err(e)) => return Err(AdapterError::transport(e)),
                Some(Ok(Some(line))) => line,
            };
            let text = match line {
                Line::Text(text) => text,
                Line::Empty => {
                    self.note(&self.t("console-empty-line", &[]))?;
                    continue;
                }
                Line::TooLong(len) => {
                    self.note(&self.t(
                        "console-line-too-long",
                        &[("bytes", len.to_string()), ("limit", MAX_LINE.to_string())],
                    ))?;
                    continue;
                }
                Line::NotUtf8 => {
                    self.note(&self.t("console-not-utf8", &[]))?;
                    continue;
                }
            };
            if !self.interactive {
                self.write(&format!("> {text}\n"))
                    .map_err(AdapterError::transport)?;
            }
            let content = match self.content(&text) {
                Ok(content) => content,
                Err(note) => {
                    self.note(&note)?;
                    continue;
                }
            };
            self.buttons
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .new_input();
            let Ok(ticket) = intake.submit(self.incoming(content)).await else {
                return Ok(());
            };
            // One line at a time: the next line is read after every reply to
            // this one is printed, so the transcript reads in order.
            ticket.outcome().await;
        }
    }

    async fn send(&self, out: Outgoing) -> Result<Sent, AdapterError> {
        let mut rendered = String::new();
        // Numbering and rendering under one lock, so that the numbers shown
        // are the numbers `#N` presses.
        let mut pressable = self.buttons.lock().unwrap_or_else(|e| e.into_inner());
        let first = match render::buttons_of(&out.body) {
            Some(buttons) => pressable.add(buttons),
            None => 1,
        };
        match &out.body {
            Body::Text { text, buttons } => {
                render::text(render::BOT, text, &mut rendered);
                render::buttons(buttons, first, &mut rendered);
            }
            Body::Edit { text, buttons, .. } => {
                render::text("bot (edited): ", text, &mut rendered);
                render::buttons(buttons, first, &mut rendered);
            }
            Body::File { file, caption } => {
                let path = self
                    .save(&file.name, &file.bytes)
                    .map_err(AdapterError::transport)?;
                let announcement = self.t(
                    "console-file-saved",
                    &[
                        ("name", file.name.clone()),
                        ("bytes", file.bytes.len().to_string()),
                        ("path", path.display().to_string()),
                    ],
                );
                render::file(&announcement, caption.as_deref(), &mut rendered);
            }
        }
        self.write(&rendered).map_err(AdapterError::transport)?;
        drop(pressable);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        Ok(Sent {
            message: Some(MessageId::from(id)),
        })
    }

    async fn erased(&self, identity: &Identity) {
        if identity.platform != Platform::Console || identity.user.as_str() != self.options.user {
            return;
        }
        // The exports saved for the person are their data too.
        let saved = std::mem::take(&mut *self.saved.lock().unwrap_or_else(|e| e.into_inner()));
        for path in saved {
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!(error = %e, "could not remove a saved file after an erasure");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_there_in_english_and_german() {
        let texts = catalog();
        assert_eq!(texts.missing("de"), Vec::<String>::new());
        assert_eq!(
            texts.text("de", "console-empty-line", &[]),
            "leere Zeile übersprungen"
        );
    }
}
