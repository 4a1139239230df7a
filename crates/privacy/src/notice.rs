//! Texts generated from the inventory and the policy: the `/privacy` notice
//! (every element of GDPR Art. 13), the consent texts that are hashed into
//! the ledger, the export's notice metadata and the policy version.

use botwerk_core::{Catalog, TextArg};
use botwerk_vault::{Inventory, LegalBasis, Purpose};
use chrono::Duration;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::policy::Policy;
use crate::privacy::Privacy;

/// A retention period in words: `30 days`, `12 hours`.
pub fn retention(texts: &Catalog, lang: &str, period: Option<Duration>) -> String {
    let Some(period) = period else {
        return texts.text(lang, "privacy-retention-none", &[]);
    };
    if period.num_days() >= 1 {
        texts.text(
            lang,
            "privacy-retention-days",
            &[("days", period.num_days().into())],
        )
    } else {
        let hours = period.num_hours().max(1);
        texts.text(lang, "privacy-retention-hours", &[("hours", hours.into())])
    }
}

fn basis_key(basis: LegalBasis) -> &'static str {
    match basis {
        LegalBasis::Consent => "privacy-basis-consent",
        LegalBasis::Contract => "privacy-basis-contract",
        LegalBasis::LegitimateInterest => "privacy-basis-legitimate-interest",
        LegalBasis::LegalObligation => "privacy-basis-legal-obligation",
    }
}

fn required_key(basis: LegalBasis) -> &'static str {
    match basis {
        LegalBasis::Consent => "privacy-required-consent",
        LegalBasis::Contract => "privacy-required-contract",
        LegalBasis::LegitimateInterest => "privacy-required-legitimate-interest",
        LegalBasis::LegalObligation => "privacy-required-legal-obligation",
    }
}

/// The recipients as one line, or the text that there are none.
fn recipients_line(texts: &Catalog, lang: &str, policy: &Policy) -> String {
    if policy.recipients.is_empty() {
        return texts.text(lang, "privacy-consent-no-recipients", &[]);
    }
    policy
        .recipients
        .iter()
        .map(|r| format!("{} ({})", r.name, r.role.text(lang)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text a person agrees to when they give consent for `purpose`: what,
/// which data, how long, shared with whom, and how to withdraw. Its hash goes
/// into the ledger; when it changes, consent is asked for again.
pub fn consent_text(texts: &Catalog, lang: &str, privacy: &Privacy, purpose: &Purpose) -> String {
    let inventory = privacy.vault.inventory();
    let categories: Vec<String> = inventory
        .categories_of(&purpose.name)
        .map(|c| {
            texts.text(
                lang,
                "privacy-consent-category",
                &[
                    ("category", texts.text(lang, &c.description, &[]).into()),
                    ("retention", retention(texts, lang, c.retention).into()),
                ],
            )
        })
        .collect();
    let transfers = if privacy.policy.transfers.is_empty() {
        texts.text(lang, "privacy-consent-no-transfers", &[])
    } else {
        let list = privacy
            .policy
            .transfers
            .iter()
            .map(|t| format!("{} ({})", t.country.text(lang), t.safeguard.text(lang)))
            .collect::<Vec<_>>()
            .join(", ");
        texts.text(
            lang,
            "privacy-consent-transfers",
            &[("transfers", list.into())],
        )
    };
    texts.text(
        lang,
        "privacy-consent-text",
        &[
            (
                "purpose",
                texts.text(lang, &purpose.description, &[]).into(),
            ),
            ("categories", categories.join("; ").into()),
            ("controller", privacy.policy.controller.name.clone().into()),
            (
                "recipients",
                recipients_line(texts, lang, &privacy.policy).into(),
            ),
            ("transfers", transfers.into()),
        ],
    )
}

/// SHA-256 of a text, hex.
pub fn text_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The policy version: a hash of the policy and of every text the inventory
/// shows people, in every language.
pub fn version(policy: &Policy, inventory: &Inventory, texts: &Catalog) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(policy).expect("policies serialise"));
    for lang in texts.languages() {
        for purpose in inventory.purposes() {
            hasher.update(purpose.name.as_bytes());
            hasher.update(purpose.basis.as_str().as_bytes());
            hasher.update(texts.text(lang, &purpose.description, &[]).as_bytes());
        }
        for category in inventory.categories() {
            hasher.update(category.name.as_bytes());
            hasher.update(category.purpose.as_bytes());
            hasher.update(
                category
                    .retention
                    .map_or(0, |d| d.num_seconds())
                    .to_be_bytes(),
            );
            hasher.update(texts.text(lang, &category.description, &[]).as_bytes());
        }
    }
    format!("v{}", &hex::encode(hasher.finalize())[..12])
}

fn line(texts: &Catalog, lang: &str, key: &str, args: &[(&str, TextArg)], out: &mut Vec<String>) {
    out.push(texts.text(lang, key, args));
}

/// The full privacy notice in `lang`: every element of GDPR Art. 13.
pub fn notice(texts: &Catalog, lang: &str, privacy: &Privacy) -> String {
    let policy = &privacy.policy;
    let inventory = privacy.vault.inventory();
    let mut out = Vec::new();
    // A bot may name itself in its texts (`bot-title`); else its name.
    let title = if texts.has(lang, "bot-title") || texts.has("en", "bot-title") {
        texts.text(lang, "bot-title", &[])
    } else {
        privacy.config.bot_name.clone()
    };
    line(
        texts,
        lang,
        "privacy-notice-title",
        &[("bot", title.into())],
        &mut out,
    );
    line(
        texts,
        lang,
        "privacy-notice-version",
        &[
            ("version", privacy.version.clone().into()),
            ("date", policy.effective_date().into()),
        ],
        &mut out,
    );
    out.push(String::new());
    let c = &policy.controller;
    line(
        texts,
        lang,
        "privacy-notice-controller",
        &[
            ("name", c.name.clone().into()),
            ("address", c.address.clone().into()),
            ("email", c.email.clone().into()),
        ],
        &mut out,
    );
    if let Some(phone) = &c.phone {
        line(
            texts,
            lang,
            "privacy-notice-phone",
            &[("phone", phone.clone().into())],
            &mut out,
        );
    }
    if let Some(dpo) = &policy.dpo {
        line(
            texts,
            lang,
            "privacy-notice-dpo",
            &[
                ("name", dpo.name.clone().into()),
                ("email", dpo.email.clone().into()),
            ],
            &mut out,
        );
    }
    out.push(String::new());
    line(texts, lang, "privacy-notice-purposes", &[], &mut out);
    for purpose in inventory.purposes() {
        line(
            texts,
            lang,
            "privacy-notice-purpose",
            &[
                (
                    "purpose",
                    texts.text(lang, &purpose.description, &[]).into(),
                ),
                (
                    "basis",
                    texts.text(lang, basis_key(purpose.basis), &[]).into(),
                ),
                ("article", purpose.basis.article().into()),
            ],
            &mut out,
        );
        for category in inventory.categories_of(&purpose.name) {
            line(
                texts,
                lang,
                "privacy-notice-category",
                &[
                    (
                        "category",
                        texts.text(lang, &category.description, &[]).into(),
                    ),
                    (
                        "retention",
                        retention(texts, lang, category.retention).into(),
                    ),
                ],
                &mut out,
            );
        }
        line(
            texts,
            lang,
            required_key(purpose.basis),
            &[("email", c.email.clone().into())],
            &mut out,
        );
    }
    out.push(String::new());
    if policy.recipients.is_empty() {
        line(texts, lang, "privacy-notice-no-recipients", &[], &mut out);
    } else {
        line(texts, lang, "privacy-notice-recipients", &[], &mut out);
        for r in &policy.recipients {
            let key = if r.policy_url.is_some() {
                "privacy-notice-recipient-url"
            } else {
                "privacy-notice-recipient"
            };
            line(
                texts,
                lang,
                key,
                &[
                    ("name", r.name.clone().into()),
                    ("role", r.role.text(lang).into()),
                    ("description", r.description.text(lang).into()),
                    ("url", r.policy_url.clone().unwrap_or_default().into()),
                ],
                &mut out,
            );
        }
    }
    if policy.transfers.is_empty() {
        line(texts, lang, "privacy-notice-no-transfers", &[], &mut out);
    } else {
        line(texts, lang, "privacy-notice-transfers", &[], &mut out);
        for t in &policy.transfers {
            line(
                texts,
                lang,
                "privacy-notice-transfer",
                &[
                    ("country", t.country.text(lang).into()),
                    ("recipient", t.recipient.clone().into()),
                    ("safeguard", t.safeguard.text(lang).into()),
                ],
                &mut out,
            );
        }
    }
    out.push(String::new());
    line(texts, lang, "privacy-notice-rights", &[], &mut out);
    for key in [
        "privacy-right-access",
        "privacy-right-erasure",
        "privacy-right-withdraw",
    ] {
        line(texts, lang, key, &[], &mut out);
    }
    if privacy.config.marketing.is_some() {
        line(texts, lang, "privacy-right-unsubscribe", &[], &mut out);
    }
    line(
        texts,
        lang,
        "privacy-right-other",
        &[("email", c.email.clone().into())],
        &mut out,
    );
    line(
        texts,
        lang,
        "privacy-notice-complaint",
        &[
            ("authority", policy.authority.name.clone().into()),
            ("url", policy.authority.url.clone().into()),
        ],
        &mut out,
    );
    if let Some(age) = policy.minimum_age {
        line(
            texts,
            lang,
            "privacy-notice-age",
            &[("age", u32::from(age).into())],
            &mut out,
        );
    }
    line(texts, lang, "privacy-notice-automated", &[], &mut out);
    out.join("\n")
}

/// The notice's metadata for the export: who, which version, which recipients.
pub fn metadata(privacy: &Privacy) -> Value {
    let policy = &privacy.policy;
    json!({
        "bot": privacy.config.bot_name,
        "policy_version": privacy.version,
        "effective": policy.effective_date(),
        "controller": policy.controller,
        "dpo": policy.dpo,
        "authority": policy.authority,
        "recipients": policy.recipients,
        "transfers": policy.transfers,
        "purposes": privacy.vault.inventory().purposes().map(|p| json!({
            "name": p.name,
            "legal_basis": p.basis.as_str(),
            "article": p.basis.article(),
        })).collect::<Vec<_>>(),
    })
}
