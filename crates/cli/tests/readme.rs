//! Keeps the README true: its piped demo sessions and its example are checked
//! against the real binary and the real example file.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    std::fs::read_to_string(path).expect("README.md is readable")
}

/// The text between `<!-- name:begin -->` and `<!-- name:end -->`.
fn section<'a>(readme: &'a str, name: &str) -> &'a str {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let start = readme.find(&begin).expect("begin marker") + begin.len();
    let stop = readme[start..].find(&end).expect("end marker") + start;
    &readme[start..stop]
}

/// The fenced code blocks of a section, without their fences.
fn blocks(section: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        if line.starts_with("```") {
            match current.take() {
                Some(block) => out.push(block),
                None => current = Some(String::new()),
            }
        } else if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    out
}

/// Replaces what differs from run to run: dates, file sizes, receipt ids.
fn normalise(text: &str) -> String {
    let text = regex::Regex::new(r"\d{4}-\d{2}-\d{2}")
        .unwrap()
        .replace_all(text, "<date>");
    let text = regex::Regex::new(r"\d+ bytes")
        .unwrap()
        .replace_all(&text, "<n> bytes");
    let text = regex::Regex::new(r"ER(-[0-9A-F]{4}){4}")
        .unwrap()
        .replace_all(&text, "<receipt>");
    text.into_owned()
}

fn check_transcript(name: &str) {
    let readme = readme();
    let blocks = blocks(section(&readme, name));
    let [command, transcript] = &blocks[..] else {
        panic!("the section {name} holds a command and a transcript");
    };
    let inputs: Vec<&str> = transcript
        .lines()
        .filter_map(|l| l.strip_prefix("> "))
        .collect();
    let expected_command = format!("printf '{}\\n' | cargo run -q\n", inputs.join("\\n"));
    assert_eq!(
        command, &expected_command,
        "the command pipes the transcript's input"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_botwerk"))
        .current_dir(dir.path())
        .env_remove("BOTWERK_DATA")
        .env_remove("BOTWERK_KEY_FILE")
        .env_remove("BOTWERK_POLICY")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the botwerk binary starts");
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{}\n", inputs.join("\n")).as_bytes())
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(normalise(&printed), normalise(transcript), "{name}");
    assert!(
        dir.path().join("botwerk-data").is_dir(),
        "data lands in ./botwerk-data"
    );
}

#[test]
fn the_piped_order_session_prints_the_readme_transcript() {
    check_transcript("transcript-order");
}

#[test]
fn the_piped_privacy_notice_prints_the_readme_transcript() {
    check_transcript("transcript-privacy");
}

#[test]
fn the_readme_example_is_the_example_file() {
    let readme = readme();
    let blocks = blocks(section(&readme, "example"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/echo.rs");
    let file = std::fs::read_to_string(path).unwrap();
    assert_eq!(blocks, vec![file]);
}

#[test]
fn normalising_keeps_everything_but_the_volatile_parts() {
    assert_eq!(
        normalise("file x-2026-11-29.json, 3847 bytes; receipt ER-CBBD-929B-3B48-60BF."),
        "file x-<date>.json, <n> bytes; receipt <receipt>."
    );
}
