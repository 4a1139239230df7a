//! The console adapter in script mode: piped input, printed replies, malformed lines.

use std::io::{Cursor, Write};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use botwerk_console::{ConsoleAdapter, ConsoleOptions};
use botwerk_core::{
    Attachment, Button, Buttons, CancellationToken, Ctx, Handler, HandlerResult, MemoryStore,
    Runtime, Services,
};

/// Shows what it got: text, command or button data; offers buttons on `menu`
/// and a file on `file`.
struct Show;

#[async_trait]
impl Handler for Show {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let incoming = ctx.incoming().clone();
        if let Some(data) = incoming.button() {
            ctx.reply(format!("pressed {data}")).await?;
        } else if incoming.command() == Some("menu") {
            let buttons =
                Buttons::row([Button::new("Tea", "tea"), Button::new("Coffee", "coffee")]);
            ctx.ask("Pick one:", buttons).await?;
        } else if incoming.command() == Some("two") {
            ctx.ask(
                "First:",
                Buttons::row([Button::new("A", "a"), Button::new("B", "b")]),
            )
            .await?;
            ctx.reply("no buttons here").await?;
            ctx.ask("Second:", Buttons::row([Button::new("C", "c")]))
                .await?;
        } else if incoming.command() == Some("file") {
            let file = Attachment {
                name: "../../etc/notes.txt".into(),
                mime: "text/plain".into(),
                bytes: b"content".to_vec(),
            };
            ctx.send_file(file, Some("here".into())).await?;
        } else if let Some(command) = incoming.command() {
            ctx.reply(format!("command {command}\nsecond line")).await?;
        } else {
            ctx.reply(format!("text {}", incoming.text().unwrap_or_default()))
                .await?;
        }
        Ok(())
    }
}

#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn run_script(input: Vec<u8>, downloads: &std::path::Path) -> String {
    let output = Output::default();
    let options = ConsoleOptions {
        downloads: downloads.to_owned(),
        locale: None,
        ..ConsoleOptions::default()
    };
    let adapter = ConsoleAdapter::new(Cursor::new(input), output.clone(), options);
    let services = Arc::new(Services::new(Arc::new(MemoryStore::new())));
    let runtime = Runtime::new(Arc::new(Show), services).adapter(adapter);
    // Ends by itself at end of input.
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        runtime.run(CancellationToken::new()),
    )
    .await
    .expect("the runtime ends at end of input")
    .unwrap();
    let bytes = output.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn prints_every_reply_in_order_and_ends_with_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_script(b"hello\n/help me\n/menu\n#2\n#9\n#x\n".to_vec(), dir.path()).await;
    assert_eq!(
        out,
        "> hello\n\
         bot: text hello\n\
         > /help me\n\
         bot: command help\n     second line\n\
         > /menu\n\
         bot: Pick one:\n     [#1 Tea] [#2 Coffee]\n\
         > #2\n\
         bot: pressed coffee\n\
         > #9\n\
         note: there is no button #9; the last replies had 2 buttons\n\
         > #x\n\
         bot: text #x\n"
    );
}

#[tokio::test]
async fn button_numbers_run_through_all_replies_to_one_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_script(b"/two\n#3\nhello\n#1\n/menu\n#3\n".to_vec(), dir.path()).await;
    assert_eq!(
        out,
        "> /two\n\
         bot: First:\n     [#1 A] [#2 B]\n\
         bot: no buttons here\n\
         bot: Second:\n     [#3 C]\n\
         > #3\n\
         bot: pressed c\n\
         > hello\n\
         bot: text hello\n\
         > #1\n\
         bot: pressed a\n\
         > /menu\n\
         bot: Pick one:\n     [#1 Tea] [#2 Coffee]\n\
         > #3\n\
         note: there is no button #3; the last replies had 2 buttons\n"
    );
}

#[tokio::test]
async fn malformed_lines_get_a_note_and_reach_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = b"before\n\n   \n".to_vec();
    input.extend_from_slice(b"\xc3\x28 broken\n");
    input.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    input.extend_from_slice(b"\nafter");
    let out = run_script(input, dir.path()).await;
    assert_eq!(
        out,
        "> before\n\
         bot: text before\n\
         note: empty line skipped\n\
         note: empty line skipped\n\
         note: line skipped: it is not valid UTF-8 text\n\
         note: line of 3145728 bytes skipped: the limit is 65536 bytes\n\
         > after\n\
         bot: text after\n"
    );
}

#[tokio::test]
async fn files_are_saved_in_the_downloads_folder_only() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    let out = run_script(b"/file\n/file\n".to_vec(), &downloads).await;
    let first = downloads.join(".._.._etc_notes.txt");
    let second = downloads.join(".._.._etc_notes-2.txt");
    assert_eq!(std::fs::read(&first).unwrap(), b"content");
    assert_eq!(std::fs::read(&second).unwrap(), b"content");
    assert!(
        out.contains(&format!("saved to {}, ", first.display()))
            || out.contains(&format!("saved to {}]", first.display())),
        "{out}"
    );
    assert!(out.contains("     here\n"));
}

#[tokio::test]
async fn empty_input_ends_at_once() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_script(Vec::new(), dir.path()).await, "");
}
