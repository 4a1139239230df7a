//! Outgoing messages as Bot API calls: long texts split, buttons as inline
//! keyboards, files as documents, and 429 answered by waiting and retrying.

use std::future::Future;

use botwerk_core::{AdapterError, Buttons};
use serde::{Deserialize, Serialize};
use teloxide::requests::Payload;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::{ApiError, RequestError};

/// The longest text of one message, in UTF-16 code units.
pub(crate) const MAX_TEXT: usize = 4096;
/// The longest caption of a file.
pub(crate) const MAX_CAPTION: usize = 1024;
/// How long a request waits in all for Telegram's rate limit before it is
/// given up: Telegram's `retry_after` is honoured as often as it comes, but a
/// bot flood-limited for this long has a bigger problem than one message.
const RATE_WAIT: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// `sendMessage` with the fields Botwerk sets, sent through teloxide like its
/// own `SendMessage`. Only the answer differs: Botwerk needs nothing of the
/// sent message but its id, and parsing the whole `Message` Telegram returns
/// (teloxide's message kinds are tried one after the other) cost about a
/// twentieth of the bot's CPU under load.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SendText {
    pub(crate) chat_id: i64,
    pub(crate) text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reply_markup: Option<InlineKeyboardMarkup>,
}

/// What Botwerk reads of a sent message.
#[derive(Debug, Deserialize)]
pub(crate) struct SentId {
    pub(crate) message_id: i32,
}

impl Payload for SendText {
    type Output = SentId;
    const NAME: &'static str = "SendMessage";
}

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
    let finish = |part: &str| {
        let part = part.trim_end_matches('\n');
        (!part.trim().is_empty()).then(|| part.to_owned())
    };
    // Nearly every text fits in one message.
    if utf16_len(text) <= max {
        return finish(text).into_iter().collect();
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut len = 0;
    for line in text.split_inclusive('\n') {
        let line_len = utf16_len(line);
        if len + line_len <= max {
            current.push_str(line);
            len += line_len;
            continue;
        }
        if !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            len = 0;
        }
        for c in line.chars() {
            if len + c.len_utf16() > max {
                parts.push(std::mem::take(&mut current));
                len = 0;
            }
            current.push(c);
            len += c.len_utf16();
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts.iter().filter_map(|part| finish(part)).collect()
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
/// 429 it waits as long as Telegram asks and tries again, as often as it
/// comes, so no message is dropped for a rate limit unless Telegram keeps
/// refusing for [`RATE_WAIT`] in all. `before` runs before every attempt
/// (the limiter).
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
    let mut attempt = 0u32;
    let mut waited = std::time::Duration::ZERO;
    loop {
        before().await;
        match call().await {
            Err(RequestError::RetryAfter(secs)) if waited < RATE_WAIT => {
                attempt += 1;
                waited += secs.duration();
                tracing::info!(
                    wait_secs = secs.seconds(),
                    attempt,
                    "rate limited by Telegram; waiting"
                );
                tokio::time::sleep(secs.duration()).await;
            }
            other => {
                if matches!(other, Err(RequestError::RetryAfter(_))) {
                    tracing::error!(
                        waited_secs = waited.as_secs(),
                        "still rate limited by Telegram; giving this message up"
                    );
                }
                return other;
            }
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

    /// A call that answers 429 (`retry_after` 30 s) `refusals` times, then works.
    async fn limited(refusals: u32) -> (Result<u32, RequestError>, u32) {
        let calls = std::cell::Cell::new(0u32);
        let result = with_retry(
            || async {},
            || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move {
                    if n <= refusals {
                        Err(RequestError::RetryAfter(
                            teloxide::types::Seconds::from_seconds(30),
                        ))
                    } else {
                        Ok(n)
                    }
                }
            },
        )
        .await;
        (result, calls.get())
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_is_waited_out_as_often_as_it_comes() {
        let started = tokio::time::Instant::now();
        let (result, calls) = limited(12).await;
        assert_eq!(result.unwrap(), 13);
        assert_eq!(calls, 13);
        assert_eq!(started.elapsed(), std::time::Duration::from_secs(12 * 30));
    }

    #[tokio::test(start_paused = true)]
    async fn a_message_is_given_up_only_after_the_whole_wait() {
        let (result, calls) = limited(u32::MAX).await;
        assert!(matches!(result, Err(RequestError::RetryAfter(_))));
        assert_eq!(calls, 31, "30 waits of 30 s make the 15 minutes");
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
