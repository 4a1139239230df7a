//! Outgoing messages as Bot API calls: long texts split, buttons as inline
//! keyboards, files as documents, and 429 answered by waiting and retrying.

use std::future::Future;

use botwerk_core::{AdapterError, Buttons};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::{ApiError, RequestError};

/// The longest text of one message, in UTF-16 code units.
pub(crate) const MAX_TEXT: usize = 4096;
/// The longest caption of a file.
pub(crate) const MAX_CAPTION: usize = 1024;
/// How often a request is retried after a 429.
const RETRIES: usize = 5;

/// An inline keyboard for `buttons`, or `None` for no buttons.
pub(crate) fn keyboard(buttons: &Buttons) -> Option<InlineKeyboardMarkup> {
    if buttons.is_empty() {
        return None;
    }
    let rows = buttons
        .rows()
        .iter()
        .filter(|row| !row.is_empty())
        .map(|row| {
            row.iter()
                .map(|b| InlineKeyboardButton::callback(b.label.clone(), b.data.clone()))
                .collect::<Vec<_>>()
        });
    Some(InlineKeyboardMarkup::new(rows))
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Splits `text` into parts of at most `max` UTF-16 units, at line ends where
/// possible, else at character boundaries.
pub(crate) fn split(text: &str, max: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if utf16_len(&current) + utf16_len(line) <= max {
            current.push_str(line);
            continue;
        }
        if !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        for c in line.chars() {
            if utf16_len(&current) + c.len_utf16() > max {
                parts.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
        .into_iter()
        .map(|p| p.trim_end_matches('\n').to_owned())
        .filter(|p| !p.trim().is_empty())
        .collect()
}

/// Whether Telegram refused for good: the bot was blocked or kicked, or may
/// not start a conversation with the person.
pub(crate) fn is_forbidden(e: &RequestError) -> bool {
    let RequestError::Api(api) = e else {
        return false;
    };
    match api {
        ApiError::BotBlocked
        | ApiError::BotKickedFromSupergroup
        | ApiError::BotKickedFromChannel
        | ApiError::UserDeactivated
        | ApiError::CantInitiateConversation
        | ApiError::CantTalkWithBots
        | ApiError::BotKicked => true,
        // Current Bot API texts start with "Forbidden:", which teloxide does
        // not map to the variants above.
        ApiError::Unknown(text) => text.starts_with("Forbidden:"),
        _ => false,
    }
}

/// An error's text with the bot token removed: reqwest names the URL, and the
/// URL holds the token.
pub(crate) fn redact(e: &impl std::fmt::Display, token: &str) -> String {
    let text = e.to_string();
    if token.is_empty() {
        return text;
    }
    text.replace(token, "<token>")
}

/// Maps a failed request to the adapter's error.
pub(crate) fn adapter_error(e: RequestError, token: &str) -> AdapterError {
    match e {
        RequestError::RetryAfter(secs) => AdapterError::RateLimited(secs.duration()),
        e if is_forbidden(&e) => AdapterError::Refused(redact(&e, token)),
        RequestError::Api(api) => AdapterError::Invalid(api.to_string()),
        e => AdapterError::Transport(redact(&e, token).into()),
    }
}

/// Runs `call` until it succeeds or fails with anything but a 429; after a
/// 429 it waits as long as Telegram asks and tries again, so no message is
/// dropped for a rate limit. `before` runs before every attempt (the limiter).
pub(crate) async fn with_retry<T, F, Fut, B, BFut>(
    mut before: B,
    mut call: F,
) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
    B: FnMut() -> BFut,
    BFut: Future<Output = ()>,
{
    let mut attempt = 0;
    loop {
        before().await;
        match call().await {
            Err(RequestError::RetryAfter(secs)) if attempt < RETRIES => {
                attempt += 1;
                tracing::info!(
                    wait_secs = secs.seconds(),
                    attempt,
                    "rate limited by Telegram; waiting"
                );
                tokio::time::sleep(secs.duration()).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_long_texts_at_lines_and_limits() {
        assert_eq!(split("short", 4096), vec!["short"]);
        let text = format!("{}\n{}", "a".repeat(3000), "b".repeat(3000));
        let parts = split(&text, 4096);
        assert_eq!(parts, vec!["a".repeat(3000), "b".repeat(3000)]);
        let one_line = "c".repeat(10_000);
        let parts = split(&one_line, 4096);
        assert_eq!(
            parts.iter().map(String::len).collect::<Vec<_>>(),
            vec![4096, 4096, 1808]
        );
        let emoji = "😀".repeat(3000);
        assert!(split(&emoji, 4096)
            .iter()
            .all(|p| p.encode_utf16().count() <= 4096));
    }

    #[test]
    fn redacts_the_token() {
        let e = "error sending request for url (http://x/bot123:SECRET/GetMe)";
        assert_eq!(
            redact(&e, "123:SECRET"),
            "error sending request for url (http://x/bot<token>/GetMe)"
        );
    }

    #[test]
    fn recognises_forbidden() {
        let e = RequestError::Api(ApiError::Unknown(
            "Forbidden: bot can't initiate conversation with a user".into(),
        ));
        assert!(is_forbidden(&e));
        assert!(is_forbidden(&RequestError::Api(ApiError::BotBlocked)));
        assert!(!is_forbidden(&RequestError::Api(ApiError::ChatNotFound)));
    }
}
