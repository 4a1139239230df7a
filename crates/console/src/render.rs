//! How the console shows the bot's messages.

use botwerk_core::{Body, Buttons};

/// The prefix of the bot's lines.
pub const BOT: &str = "bot: ";
const INDENT: &str = "     ";

/// Renders text: the first line after `bot: `, the others indented below it.
pub fn text(prefix: &str, text: &str, out: &mut String) {
    for (i, line) in text.lines().enumerate() {
        // Blank lines stay blank: no trailing spaces in transcripts.
        if i > 0 && line.is_empty() {
            out.push('\n');
            continue;
        }
        out.push_str(if i == 0 { prefix } else { INDENT });
        out.push_str(line);
        out.push('\n');
    }
    if text.is_empty() {
        out.push_str(prefix);
        out.push('\n');
    }
}

/// Renders buttons, a row per indented line, numbered through all rows
/// after the `first - 1` buttons shown before: `[#1 Coffee] [#2 Tea]`.
pub fn buttons(buttons: &Buttons, first: usize, out: &mut String) {
    let mut number = first - 1;
    for row in buttons.rows().iter().filter(|row| !row.is_empty()) {
        let labels: Vec<String> = row
            .iter()
            .map(|b| {
                number += 1;
                format!("[#{number} {}]", b.label)
            })
            .collect();
        out.push_str(INDENT);
        out.push_str(&labels.join(" "));
        out.push('\n');
    }
}

/// A file announcement: `announcement` says what was saved where.
pub fn file(announcement: &str, caption: Option<&str>, out: &mut String) {
    text(BOT, announcement, out);
    if let Some(caption) = caption {
        text(INDENT, caption, out);
    }
}

/// The buttons of a body, if it has any.
pub fn buttons_of(body: &Body) -> Option<&Buttons> {
    match body {
        Body::Text { buttons, .. } | Body::Edit { buttons, .. } if !buttons.is_empty() => {
            Some(buttons)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use botwerk_core::Button;

    #[test]
    fn renders_multiline_text_and_buttons() {
        let mut out = String::new();
        text(BOT, "one\ntwo", &mut out);
        buttons(
            &Buttons::row([Button::new("Yes", "y"), Button::new("No", "n")])
                .with_row([Button::new("Later", "l")]),
            4,
            &mut out,
        );
        assert_eq!(
            out,
            "bot: one\n     two\n     [#4 Yes] [#5 No]\n     [#6 Later]\n"
        );
    }
}
