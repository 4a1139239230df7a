//! Translated texts with [Fluent](https://projectfluent.org): one bundle per
//! language, English as the fallback for every missing message.

use std::collections::BTreeSet;
use std::fmt;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The language every text exists in, and the fallback for all others.
pub const FALLBACK_LANGUAGE: &str = "en";

const CORE_EN: &str = include_str!("../texts/en.ftl");
const CORE_DE: &str = include_str!("../texts/de.ftl");

/// The error of adding a text resource.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum I18nError {
    /// The language tag is not a valid BCP 47 tag.
    #[error("`{0}` is not a language tag")]
    BadLanguage(String),
    /// The Fluent source does not parse.
    #[error("texts for `{lang}` do not parse: {detail}")]
    Syntax {
        /// The language of the resource.
        lang: String,
        /// The parser's complaint, with the line.
        detail: String,
    },
    /// The resource defines a message that another resource already defines.
    #[error("texts for `{lang}` define `{id}` twice")]
    Duplicate {
        /// The language of the resource.
        lang: String,
        /// The message id defined twice.
        id: String,
    },
}

/// An argument of a translated text.
#[derive(Clone, Debug)]
pub enum TextArg {
    /// Text, inserted as it is.
    Str(String),
    /// A number, formatted for the language.
    Num(f64),
}

impl From<&str> for TextArg {
    fn from(v: &str) -> Self {
        Self::Str(v.to_owned())
    }
}

impl From<String> for TextArg {
    fn from(v: String) -> Self {
        Self::Str(v)
    }
}

macro_rules! num_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for TextArg {
            fn from(v: $t) -> Self {
                #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
                Self::Num(v as f64)
            }
        }
    )*};
}
num_arg!(i32, i64, u32, u64, usize, f64);

struct Language {
    id: LanguageIdentifier,
    tag: String,
    bundle: FluentBundle<FluentResource>,
    /// The bundle cannot list its messages, so the ids are kept beside it.
    ids: BTreeSet<String>,
}

/// All texts of a bot in every language it speaks.
///
/// Starts with the core's own texts in English and German; the privacy layer
/// and the bot add theirs with [`Catalog::add`], the operator's policy file
/// overrides single messages with [`Catalog::override_text`].
pub struct Catalog {
    languages: Vec<Language>,
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.languages.iter().map(|l| &l.tag))
            .finish()
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Self::new()
    }
}

impl Catalog {
    /// A catalog holding the core's texts in English and German.
    pub fn new() -> Self {
        let mut catalog = Self {
            languages: Vec::new(),
        };
        catalog
            .add(FALLBACK_LANGUAGE, CORE_EN)
            .and_then(|()| catalog.add("de", CORE_DE))
            .expect("the core's own texts parse");
        catalog
    }

    /// Adds Fluent source for `lang`, creating the language if it is new.
    ///
    /// # Errors
    /// A bad tag, a syntax error or a message defined twice.
    pub fn add(&mut self, lang: &str, ftl: &str) -> Result<(), I18nError> {
        self.add_inner(lang, ftl, false)
    }

    /// Adds Fluent source for `lang` whose messages replace existing ones: the
    /// policy file's text overrides.
    ///
    /// # Errors
    /// A bad tag or a syntax error.
    pub fn override_text(&mut self, lang: &str, ftl: &str) -> Result<(), I18nError> {
        self.add_inner(lang, ftl, true)
    }

    fn add_inner(&mut self, lang: &str, ftl: &str, overriding: bool) -> Result<(), I18nError> {
        let id: LanguageIdentifier = lang
            .parse()
            .map_err(|_| I18nError::BadLanguage(lang.to_owned()))?;
        let resource = FluentResource::try_new(ftl.to_owned()).map_err(|(_, errors)| {
            let detail = errors
                .first()
                .map(|e| {
                    let line = ftl[..e.pos.start.min(ftl.len())].lines().count().max(1);
                    format!("line {line}: {:?}", e.kind)
                })
                .unwrap_or_default();
            I18nError::Syntax {
                lang: lang.to_owned(),
                detail,
            }
        })?;
        let index = match self.languages.iter().position(|l| l.id == id) {
            Some(i) => i,
            None => {
                let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
                // Unicode isolation marks would end up in console output and tests.
                bundle.set_use_isolating(false);
                self.languages.push(Language {
                    tag: id.to_string(),
                    id,
                    bundle,
                    ids: BTreeSet::new(),
                });
                self.languages.len() - 1
            }
        };
        let ids: Vec<String> = resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        let language = &mut self.languages[index];
        let bundle = &mut language.bundle;
        language.ids.extend(ids);
        if overriding {
            bundle.add_resource_overriding(resource);
            return Ok(());
        }
        bundle.add_resource(resource).map_err(|errors| {
            let id = errors
                .iter()
                .find_map(|e| match e {
                    fluent_bundle::FluentError::Overriding { id, .. } => Some(id.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            I18nError::Duplicate {
                lang: lang.to_owned(),
                id,
            }
        })
    }

    /// The tags of all languages, the fallback first.
    pub fn languages(&self) -> Vec<&str> {
        self.languages.iter().map(|l| l.tag.as_str()).collect()
    }

    /// Picks the best language for a requested tag: an exact match, then the
    /// same primary language, then the fallback.
    pub fn negotiate(&self, requested: Option<&str>) -> &str {
        let Some(requested) = requested else {
            return FALLBACK_LANGUAGE;
        };
        let Ok(want) = requested.replace('_', "-").parse::<LanguageIdentifier>() else {
            return FALLBACK_LANGUAGE;
        };
        self.languages
            .iter()
            .find(|l| l.id == want)
            .or_else(|| {
                self.languages
                    .iter()
                    .find(|l| l.id.language == want.language)
            })
            .map_or(FALLBACK_LANGUAGE, |l| l.tag.as_str())
    }

    /// Whether `key` exists in `lang` itself, without falling back.
    pub fn has(&self, lang: &str, key: &str) -> bool {
        self.language(lang)
            .is_some_and(|l| l.bundle.has_message(key))
    }

    /// The text `key` in `lang` (falling back to English), with `args` filled in.
    ///
    /// A key missing everywhere yields the key itself, so that a typo shows up
    /// in the chat instead of an empty message.
    pub fn text(&self, lang: &str, key: &str, args: &[(&str, TextArg)]) -> String {
        let chosen = self
            .language(lang)
            .filter(|l| l.bundle.has_message(key))
            .or_else(|| self.language(FALLBACK_LANGUAGE));
        let Some(language) = chosen else {
            return key.to_owned();
        };
        let Some(pattern) = language.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                TextArg::Str(s) => FluentValue::from(s.clone()),
                TextArg::Num(n) => FluentValue::from(*n),
            };
            fluent_args.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = language
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                key,
                lang,
                errors = errors.len(),
                "text formatted with errors"
            );
        }
        text.into_owned()
    }

    /// The ids of messages the fallback language has and `lang` lacks.
    pub fn missing(&self, lang: &str) -> Vec<String> {
        let Some(fallback) = self.language(FALLBACK_LANGUAGE) else {
            return Vec::new();
        };
        fallback
            .ids
            .iter()
            .filter(|id| !self.has(lang, id))
            .cloned()
            .collect()
    }

    fn language(&self, tag: &str) -> Option<&Language> {
        let id: LanguageIdentifier = tag.parse().ok()?;
        self.languages.iter().find(|l| l.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_english_and_lists_missing_keys() {
        let mut c = Catalog::new();
        c.add("en", "only-en = Hello { $name }\nboth = Yes")
            .unwrap();
        c.add("de", "both = Ja").unwrap();
        assert_eq!(c.text("de", "both", &[]), "Ja");
        assert_eq!(
            c.text("de", "only-en", &[("name", "Ada".into())]),
            "Hello Ada"
        );
        assert_eq!(c.missing("de"), vec!["only-en".to_owned()]);
        assert_eq!(c.text("en", "no-such-key", &[]), "no-such-key");
    }

    #[test]
    fn negotiates_languages() {
        let c = Catalog::new();
        assert_eq!(c.negotiate(Some("de-AT")), "de");
        assert_eq!(c.negotiate(Some("de_DE")), "de");
        assert_eq!(c.negotiate(Some("fr")), "en");
        assert_eq!(c.negotiate(Some("??")), "en");
        assert_eq!(c.negotiate(None), "en");
    }

    #[test]
    fn rejects_bad_sources() {
        let mut c = Catalog::new();
        assert!(matches!(
            c.add("en", "= broken"),
            Err(I18nError::Syntax { .. })
        ));
        c.add("en", "twice = a").unwrap();
        assert!(matches!(
            c.add("en", "twice = b"),
            Err(I18nError::Duplicate { id, .. }) if id == "twice"
        ));
        c.override_text("en", "twice = c").unwrap();
        assert_eq!(c.text("en", "twice", &[]), "c");
    }

    #[test]
    fn core_texts_are_complete_in_german() {
        assert!(Catalog::new().missing("de").is_empty());
    }
}
