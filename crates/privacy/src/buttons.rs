//! The data of the privacy layer's buttons: `bw:` and a short code. Never
//! trusted: every press is checked against the presser and the store.

/// The prefix of every button of the privacy layer.
pub const PREFIX: &str = "bw:";

/// What a press of one of the privacy layer's buttons asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Press<'a> {
    /// Agree to the consent text of a purpose whose hash starts with `text`;
    /// `age` when the person confirmed the minimum age just before.
    Agree {
        purpose: &'a str,
        text: &'a str,
        age: bool,
    },
    /// Refuse or withdraw consent to a purpose.
    Decline { purpose: &'a str },
    /// Show the consent text of a purpose, with agree and decline.
    Offer { purpose: &'a str },
    /// The answer to the age question, and the purpose to offer next
    /// (`None`: every purpose `/start` offers).
    Age { yes: bool, then: Option<&'a str> },
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
        ["c", purpose, "y", text] if is_hash(text) => Press::Agree {
            purpose,
            text,
            age: false,
        },
        ["c", purpose, "y", text, "a"] if is_hash(text) => Press::Agree {
            purpose,
            text,
            age: true,
        },
        ["c", purpose, "n"] => Press::Decline { purpose },
        ["c", purpose, "o"] => Press::Offer { purpose },
        ["age", "y"] => Press::Age {
            yes: true,
            then: None,
        },
        ["age", "y", purpose] => Press::Age {
            yes: true,
            then: Some(purpose),
        },
        ["age", "n"] => Press::Age {
            yes: false,
            then: None,
        },
        ["f", "-"] => Press::Forget(None),
        ["f", nonce] if is_nonce(nonce) => Press::Forget(Some(nonce)),
        ["s", nonce] if is_nonce(nonce) => Press::Subscribe(nonce),
        ["u"] => Press::Unsubscribe,
        ["l", lang] if !lang.is_empty() && lang.len() <= 16 => Press::Language(lang),
        _ => Press::Invalid,
    })
}

/// The length of the text-hash prefix in an agree button.
pub(crate) const HASH_PREFIX: usize = 8;

fn is_hash(s: &str) -> bool {
    s.len() == HASH_PREFIX && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_nonce(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Agreeing to `purpose`'s consent text, whose SHA-256 (hex) is `text_hash`.
pub(crate) fn agree(purpose: &str, text_hash: &str, age: bool) -> String {
    let text = &text_hash[..HASH_PREFIX.min(text_hash.len())];
    if age {
        format!("{PREFIX}c:{purpose}:y:{text}:a")
    } else {
        format!("{PREFIX}c:{purpose}:y:{text}")
    }
}

pub(crate) fn decline(purpose: &str) -> String {
    format!("{PREFIX}c:{purpose}:n")
}

pub(crate) fn offer(purpose: &str) -> String {
    format!("{PREFIX}c:{purpose}:o")
}

pub(crate) fn age(yes: bool, then: Option<&str>) -> String {
    match (yes, then) {
        (true, Some(purpose)) => format!("{PREFIX}age:y:{purpose}"),
        (true, None) => format!("{PREFIX}age:y"),
        (false, _) => format!("{PREFIX}age:n"),
    }
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
        let hash = "0a1b2c3d4e5f".repeat(5);
        assert_eq!(
            parse(&agree("newsletter", &hash, true)),
            Some(Press::Agree {
                purpose: "newsletter",
                text: "0a1b2c3d",
                age: true
            })
        );
        assert_eq!(
            parse(&decline("news")),
            Some(Press::Decline { purpose: "news" })
        );
        assert_eq!(
            parse(&offer("news")),
            Some(Press::Offer { purpose: "news" })
        );
        assert_eq!(
            parse("bw:c:news:y"),
            Some(Press::Invalid),
            "agreeing needs the text hash"
        );
        assert_eq!(
            parse(&age(true, Some("news"))),
            Some(Press::Age {
                yes: true,
                then: Some("news")
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
        assert!(agree(&"x".repeat(40), &hash, true).len() <= 64);
        assert!(age(true, Some(&"x".repeat(40))).len() <= 64);
        assert!(forget(Some(nonce)).len() <= 64);
    }
}
