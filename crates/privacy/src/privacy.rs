//! `Privacy`: what every part of the privacy layer shares.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use botwerk_core::Catalog;
use botwerk_vault::{Category, InventoryBuilder, LegalBasis, Purpose, Vault};
use chrono::Duration;

use crate::notice;
use crate::policy::Policy;

/// How many consent text hashes [`Privacy`] keeps per purpose at most.
const CONSENT_HASHES_KEPT: usize = 256;

/// The purpose of handling data protection requests.
pub const RIGHTS_PURPOSE: &str = "privacy-rights";
/// Pending confirmations and recent data requests.
pub const REQUESTS: &str = "privacy-requests";
/// The purpose of remembering settings.
pub const PREFERENCES_PURPOSE: &str = "preferences";
/// The person's settings (language).
pub const PREFERENCES: &str = "preferences";

/// The category of newsletter subscriptions: who to send to.
pub const SUBSCRIPTIONS: &str = "marketing-subscription";

/// Adds the privacy layer's own purposes and categories to an inventory;
/// with a marketing purpose, also the category of its subscriptions.
pub fn declare(builder: InventoryBuilder, marketing: Option<&str>) -> InventoryBuilder {
    let builder = match marketing {
        Some(purpose) => builder.category(
            Category::new(SUBSCRIPTIONS, purpose, "privacy-category-subscription")
                .retain_days(3 * 365),
        ),
        None => builder,
    };
    builder
        .purpose(Purpose::new(
            RIGHTS_PURPOSE,
            LegalBasis::LegalObligation,
            "privacy-purpose-rights",
        ))
        .purpose(Purpose::new(
            PREFERENCES_PURPOSE,
            LegalBasis::LegitimateInterest,
            "privacy-purpose-preferences",
        ))
        .category(
            Category::new(REQUESTS, RIGHTS_PURPOSE, "privacy-category-requests").retain_days(3),
        )
        .category(
            Category::new(
                PREFERENCES,
                PREFERENCES_PURPOSE,
                "privacy-category-preferences",
            )
            .retain_days(365),
        )
}

/// Adds the privacy layer's texts (English and German) to a catalog.
///
/// # Errors
/// When a text is defined twice.
pub fn add_texts(catalog: &mut Catalog) -> Result<(), botwerk_core::I18nError> {
    catalog.add("en", include_str!("../texts/en.ftl"))?;
    catalog.add("de", include_str!("../texts/de.ftl"))
}

/// Settings of the privacy layer.
#[derive(Clone, Debug)]
pub struct PrivacyConfig {
    /// The bot's name, shown in the notice.
    pub bot_name: String,
    /// The purpose of marketing messages, which need double opt-in; `None`:
    /// the bot sends none, and `/subscribe` says so.
    pub marketing: Option<String>,
    /// How many `/mydata` a day one person gets.
    pub mydata_per_day: usize,
    /// How long a `/forgetme` confirmation button is valid.
    pub forget_ttl: Duration,
    /// How long an unconfirmed `/subscribe` is valid.
    pub subscribe_ttl: Duration,
}

impl PrivacyConfig {
    /// The defaults for the bot `bot_name`: three `/mydata` a day, ten
    /// minutes to confirm `/forgetme`, 72 hours to confirm `/subscribe`.
    pub fn new(bot_name: impl Into<String>) -> Self {
        Self {
            bot_name: bot_name.into(),
            marketing: None,
            mydata_per_day: 3,
            forget_ttl: Duration::minutes(10),
            subscribe_ttl: Duration::hours(72),
        }
    }
}

/// The error of putting the privacy layer together.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The marketing purpose is not declared, or not based on consent.
    #[error("the marketing purpose `{0}` must be declared with the legal basis consent")]
    Marketing(String),
    /// A consent purpose's name does not fit into button data.
    #[error("the purpose name `{0}` is too long for a consent button: use at most 40 bytes")]
    LongPurpose(String),
    /// A text override of the policy file does not load.
    #[error("the policy file's texts for `{lang}` do not load")]
    Texts {
        /// The language.
        lang: String,
        /// What is wrong.
        #[source]
        source: botwerk_core::I18nError,
    },
    /// The policy forces a language the bot does not speak.
    #[error("the policy file sets the language `{0}`, which the bot does not speak")]
    Language(String),
}

/// What the privacy layer's parts share: the vault, the policy, the settings
/// and the policy version.
pub struct Privacy {
    pub(crate) vault: Arc<Vault>,
    pub(crate) policy: Arc<Policy>,
    pub(crate) config: PrivacyConfig,
    pub(crate) version: String,
    pub(crate) texts: Arc<Catalog>,
    /// The hash of each consent text, by purpose and language: the texts are
    /// fixed once the layer is put together, and every consent check needs
    /// one.
    consent_hashes: RwLock<HashMap<String, HashMap<String, Arc<str>>>>,
}

impl Privacy {
    /// Puts the layer together. `catalog` holds every text of the bot; the
    /// policy's overrides are applied to it here, and the result is what
    /// [`Privacy::texts`] returns for the runtime to use.
    ///
    /// # Errors
    /// A marketing purpose that is not a declared consent purpose, a consent
    /// purpose with a name too long for a button, or text overrides that do
    /// not load.
    pub fn new(
        vault: Arc<Vault>,
        policy: Policy,
        config: PrivacyConfig,
        mut catalog: Catalog,
    ) -> Result<Self, SetupError> {
        let inventory = vault.inventory();
        if let Some(marketing) = &config.marketing {
            let ok = inventory
                .purpose(marketing)
                .is_some_and(|p| p.basis == LegalBasis::Consent);
            if !ok {
                return Err(SetupError::Marketing(marketing.clone()));
            }
        }
        for purpose in inventory.purposes().filter(|p| p.basis.needs_consent()) {
            if purpose.name.len() > 40 {
                return Err(SetupError::LongPurpose(purpose.name.clone()));
            }
        }
        for (lang, ftl) in policy.overrides() {
            catalog
                .override_text(lang, &ftl)
                .map_err(|source| SetupError::Texts {
                    lang: lang.to_owned(),
                    source,
                })?;
        }
        if let Some(lang) = &policy.language {
            if catalog.negotiate(Some(lang)) != lang.as_str() {
                return Err(SetupError::Language(lang.clone()));
            }
        }
        let version = notice::version(&policy, inventory, &catalog);
        Ok(Self {
            vault,
            policy: Arc::new(policy),
            config,
            version,
            texts: Arc::new(catalog),
            consent_hashes: RwLock::new(HashMap::new()),
        })
    }

    /// The hash of the consent text for `purpose` in `lang`, what the ledger
    /// keeps of the text a person agreed to.
    pub(crate) fn consent_hash(&self, lang: &str, purpose: &Purpose) -> Arc<str> {
        // Looked up by borrowed names: a hit (every consent check) allocates
        // nothing.
        if let Some(hash) = self
            .consent_hashes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(purpose.name.as_str())
            .and_then(|by_lang| by_lang.get(lang))
        {
            return Arc::clone(hash);
        }
        let hash: Arc<str> =
            notice::text_hash(&notice::consent_text(&self.texts, lang, self, purpose)).into();
        let mut hashes = self
            .consent_hashes
            .write()
            .unwrap_or_else(|e| e.into_inner());
        let by_lang = hashes.entry(purpose.name.clone()).or_default();
        // Purposes are the inventory's; languages come from the catalogue and
        // the ledger, a handful: the bound only keeps a store of odd language
        // tags from growing it.
        if by_lang.len() < CONSENT_HASHES_KEPT {
            by_lang.insert(lang.to_owned(), Arc::clone(&hash));
        }
        hash
    }

    /// Every text of the bot, with the policy's overrides.
    pub fn texts(&self) -> &Arc<Catalog> {
        &self.texts
    }

    /// The vault.
    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The policy version: a hash of the policy and the inventory's texts.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The settings.
    pub fn config(&self) -> &PrivacyConfig {
        &self.config
    }

    /// The purposes that need consent and are asked for on `/start` and
    /// `/consent` (the marketing purpose goes through `/subscribe`).
    pub fn consent_purposes(&self) -> Vec<&Purpose> {
        self.vault
            .inventory()
            .purposes()
            .filter(|p| p.basis.needs_consent())
            .filter(|p| Some(&p.name) != self.config.marketing.as_ref())
            .collect()
    }
}
