//! The data of the privacy layer's buttons: `bw:` and a short code. Never
//! trusted: every press is checked against the presser and the store.

/// The prefix of every button of the privacy layer.
pub const PREFIX: &str = "bw:";

/// What a press of one of the privacy layer's buttons asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Press<'a> {
    /// Give (`agree`) or refuse/withdraw consent to a purpose; `age` when the
    /// person confirmed the minimum age before.
    Consent {
        purpose: &'a str,
        agree: bool,
        age: bool,
    },
    /// The answer to the age question.
    Age(bool),
    /// Confirm an erasure with its nonce, or (`None`) keep the data.
    Forget(Option<&'a str>),
    /// Confirm a subscription with its nonce.
    Subscribe(&'a str),
    /// Unsubscribe at once.
    Unsubscribe,
    /// Switch to a language.
    Language(&'a str),
    /// Something else behind the prefix: forged or from an older version.
    Invalid,
}

/// Reads button data; `None` when it is not the privacy layer's.
pub(crate) fn parse(data: &str) -> Option<Press<'_>> {
    let rest = data.strip_prefix(PREFIX)?;
    let parts: Vec<&str> = rest.split(':').collect();
    Some(match parts.as_slice() {
        ["c", purpose, "y"] => Press::Consent {
            purpose,
            agree: true,
            age: false,
        },
        ["c", purpose, "y", "a"] => Press::Consent {
            purpose,
            agree: true,
            age: true,
        },
        ["c", purpose, "n"] => Press::Consent {
            purpose,
            agree: false,
            age: false,
        },
        ["age", "y"] => Press::Age(true),
        ["age", "n"] => Press::Age(false),
        ["f", "-"] => Press::Forget(None),
        ["f", nonce] if is_nonce(nonce) => Press::Forget(Some(nonce)),
        ["s", nonce] if is_nonce(nonce) => Press::Subscribe(nonce),
        ["u"] => Press::Unsubscribe,
        ["l", lang] if !lang.is_empty() && lang.len() <= 16 => Press::Language(lang),
        _ => Press::Invalid,
    })
}

fn is_nonce(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) fn consent(purpose: &str, agree: bool, age: bool) -> String {
    match (agree, age) {
        (true, true) => format!("{PREFIX}c:{purpose}:y:a"),
        (true, false) => format!("{PREFIX}c:{purpose}:y"),
        (false, _) => format!("{PREFIX}c:{purpose}:n"),
    }
}

pub(crate) fn age(yes: bool) -> String {
    format!("{PREFIX}age:{}", if yes { "y" } else { "n" })
}

pub(crate) fn forget(nonce: Option<&str>) -> String {
    format!("{PREFIX}f:{}", nonce.unwrap_or("-"))
}

pub(crate) fn subscribe(nonce: &str) -> String {
    format!("{PREFIX}s:{nonce}")
}

/// The one-tap unsubscribe button's data, for every marketing message.
pub fn unsubscribe() -> String {
    format!("{PREFIX}u")
}

pub(crate) fn language(lang: &str) -> String {
    format!("{PREFIX}l:{lang}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_forgeries() {
        assert_eq!(
            parse(&consent("newsletter", true, true)),
            Some(Press::Consent {
                purpose: "newsletter",
                agree: true,
                age: true
            })
        );
        let nonce = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            parse(&forget(Some(nonce))),
            Some(Press::Forget(Some(nonce)))
        );
        assert_eq!(parse(&forget(None)), Some(Press::Forget(None)));
        assert_eq!(parse(&subscribe(nonce)), Some(Press::Subscribe(nonce)));
        assert_eq!(parse(&unsubscribe()), Some(Press::Unsubscribe));
        assert_eq!(parse("bw:f:not-a-nonce"), Some(Press::Invalid));
        assert_eq!(parse("bw:f:0123"), Some(Press::Invalid));
        assert_eq!(parse("bw:zz"), Some(Press::Invalid));
        assert_eq!(parse("p:coffee"), None);
        assert!(consent(&"x".repeat(40), true, true).len() <= 64);
        assert!(forget(Some(nonce)).len() <= 64);
    }
}
