//! The operator's policy file: who is responsible, who receives data, where
//! it goes, and text overrides. Parsed strictly: an unknown or missing field
//! stops startup with the file, line and field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The error of a policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file cannot be read.
    #[error("policy file {}: cannot be read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file does not parse or a field is missing, unknown or wrong.
    #[error("policy file {}, line {line}, column {column}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The line of the problem (from 1).
        line: usize,
        /// The column of the problem (from 1).
        column: usize,
        /// What is wrong, naming the field.
        message: String,
    },
}

/// Who is responsible for the processing, and how to reach them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    /// The legal name.
    pub name: String,
    /// The postal address.
    pub address: String,
    /// The e-mail address for data protection matters.
    pub email: String,
    /// A phone number.
    pub phone: Option<String>,
}

/// The data protection officer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dpo {
    /// Name (or function).
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// The supervisory authority people can complain to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    /// Its name.
    pub name: String,
    /// Its web site.
    pub url: String,
}

/// A text of the policy file: one string for every language, or one per
/// language (`{ en = "processor", de = "Auftragsverarbeiter" }`), English
/// being the fallback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Localized {
    /// The same text in every language.
    One(String),
    /// A text per language tag.
    PerLanguage(BTreeMap<String, String>),
}

impl Localized {
    /// The text in `lang` (`de`, or `de-AT` falling back to `de`), else in
    /// English, else in any language there is.
    pub fn text(&self, lang: &str) -> &str {
        match self {
            Self::One(text) => text,
            Self::PerLanguage(texts) => {
                let base = lang.split(['-', '_']).next().unwrap_or(lang);
                [lang, base, "en"]
                    .iter()
                    .find_map(|l| texts.get(*l))
                    .or_else(|| texts.values().next())
                    .map_or("", String::as_str)
            }
        }
    }
}

impl From<&str> for Localized {
    fn from(text: &str) -> Self {
        Self::One(text.to_owned())
    }
}

/// Someone who receives personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Its name.
    pub name: String,
    /// Its role: `independent controller`, `processor`, ...
    pub role: Localized,
    /// What it receives and why.
    pub description: Localized,
    /// Its own privacy policy.
    pub policy_url: Option<String>,
}

/// A transfer of personal data to a country outside the EU/EEA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The country.
    pub country: Localized,
    /// Who receives the data there.
    pub recipient: String,
    /// The safeguard (adequacy decision, standard contractual clauses, ...).
    pub safeguard: Localized,
}

/// The policy file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The day the notice takes effect (`2026-11-01`).
    pub effective: toml::value::Datetime,
    /// The controller.
    pub controller: Controller,
    /// The data protection officer, if there is one.
    pub dpo: Option<Dpo>,
    /// The supervisory authority.
    pub authority: Authority,
    /// Who receives data (messenger platforms, processors, ...).
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    /// Transfers outside the EU/EEA.
    #[serde(default)]
    pub transfers: Vec<Transfer>,
    /// The minimum age for consent; people below it are not asked.
    pub minimum_age: Option<u8>,
    /// Forces every reply into one language (`de`).
    pub language: Option<String>,
    /// Per language, Fluent messages that replace the built-in texts.
    #[serde(default)]
    pub texts: BTreeMap<String, BTreeMap<String, String>>,
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl Policy {
    /// Reads and checks the policy file at `path`.
    ///
    /// # Errors
    /// An unreadable file, or one that does not parse or check, with line,
    /// column and field.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and checks policy text; `path` names it in errors.
    ///
    /// # Errors
    /// Text that does not parse or check, with line, column and field.
    pub fn parse(text: &str, path: &Path) -> Result<Self, PolicyError> {
        let invalid = |offset: usize, message: String| {
            let (line, column) = position(text, offset);
            PolicyError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message,
            }
        };
        let policy: Self = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            invalid(offset, e.message().trim().to_owned())
        })?;
        // Checks serde cannot express, each pointing at its field.
        let at = |needle: &str| text.find(needle).unwrap_or(0);
        if policy.effective.date.is_none() || policy.effective.time.is_some() {
            return Err(invalid(
                at("effective"),
                "`effective` must be a date such as 2026-11-01".into(),
            ));
        }
        for (field, email) in [
            ("controller.email", Some(&policy.controller.email)),
            ("dpo.email", policy.dpo.as_ref().map(|d| &d.email)),
        ] {
            if let Some(email) = email {
                if !email.contains('@') {
                    return Err(invalid(
                        at(email),
                        format!("`{field}` must be an e-mail address"),
                    ));
                }
            }
        }
        let urls = std::iter::once(("authority.url", Some(&policy.authority.url))).chain(
            policy
                .recipients
                .iter()
                .map(|r| ("recipients.policy_url", r.policy_url.as_ref())),
        );
        for (field, url) in urls {
            if let Some(url) = url {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(invalid(
                        at(url),
                        format!("`{field}` must be a web address starting with https://"),
                    ));
                }
            }
        }
        if let Some(age) = policy.minimum_age {
            if !(1..=21).contains(&age) {
                return Err(invalid(
                    at("minimum_age"),
                    "`minimum_age` must be between 1 and 21".into(),
                ));
            }
        }
        Ok(policy)
    }

    /// A stand-in for bots run without a policy file (examples, first
    /// trials): it says that the operator has not configured one.
    pub fn unconfigured() -> Self {
        Self {
            effective: "2026-01-01".parse().expect("a valid TOML date"),
            controller: Controller {
                name: "the operator of this bot (no privacy policy configured yet)".into(),
                address: "not configured".into(),
                email: "not-configured@invalid".into(),
                phone: None,
            },
            dpo: None,
            authority: Authority {
                name: "your national data protection authority".into(),
                url: "https://edpb.europa.eu/about-edpb/about-edpb/members_en".into(),
            },
            recipients: Vec::new(),
            transfers: Vec::new(),
            minimum_age: None,
            language: None,
            texts: BTreeMap::new(),
        }
    }

    /// The effective date as text (`2026-11-01`).
    pub fn effective_date(&self) -> String {
        self.effective
            .date
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    /// The text overrides as Fluent source per language.
    pub fn overrides(&self) -> impl Iterator<Item = (&str, String)> {
        self.texts.iter().map(|(lang, messages)| {
            let ftl = messages
                .iter()
                .map(|(id, value)| {
                    // Continuation lines of a Fluent message are indented.
                    format!("{id} = {}\n", value.replace('\n', "\n    "))
                })
                .collect::<String>();
            (lang.as_str(), ftl)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
effective = 2026-11-01
minimum_age = 16

[controller]
name = "Shop GmbH"
address = "Musterstraße 1, 10115 Berlin"
email = "privacy@shop.example"

[authority]
name = "Berliner Beauftragte für Datenschutz"
url = "https://www.datenschutz-berlin.de"

[[recipients]]
name = "Telegram"
role = "independent controller"
description = "delivers messages"
policy_url = "https://telegram.org/privacy"

[texts.de]
privacy-start-intro = "Hallo!"
"#;

    fn parse(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse(text, Path::new("policy.toml"))
    }

    #[test]
    fn parses_a_complete_policy() {
        let p = parse(GOOD).unwrap();
        assert_eq!(p.controller.name, "Shop GmbH");
        assert_eq!(p.minimum_age, Some(16));
        assert_eq!(p.effective_date(), "2026-11-01");
        assert_eq!(p.recipients.len(), 1);
        let overrides: Vec<_> = p.overrides().collect();
        assert_eq!(
            overrides,
            vec![("de", "privacy-start-intro = Hallo!\n".to_owned())]
        );
    }

    #[test]
    fn names_file_line_and_field_of_an_unknown_field() {
        let bad = GOOD.replace("email = \"privacy@", "e_mail = \"privacy@");
        let err = parse(&bad).unwrap_err().to_string();
        assert!(err.starts_with("policy file policy.toml, line "), "{err}");
        assert!(err.contains("e_mail"), "{err}");
    }

    #[test]
    fn names_a_missing_field() {
        let bad = GOOD.replace("name = \"Shop GmbH\"\n", "");
        let err = parse(&bad).unwrap_err().to_string();
        assert!(err.contains("missing field `name`"), "{err}");
        assert!(err.contains("line 5"), "{err}");
    }

    #[test]
    fn checks_values() {
        let err = parse(&GOOD.replace("privacy@shop.example", "nobody"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`controller.email` must be an e-mail address"),
            "{err}"
        );
        assert!(err.contains("line 8"), "{err}");
        let err = parse(&GOOD.replace("https://www.datenschutz", "www.datenschutz"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`authority.url`"), "{err}");
        let err = parse(&GOOD.replace("minimum_age = 16", "minimum_age = 99"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("minimum_age"), "{err}");
        let err = parse(&GOOD.replace("effective = 2026-11-01", "effective = \"soon\""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
