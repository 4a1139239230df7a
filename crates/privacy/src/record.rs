//! The record of processing activities (GDPR Art. 30), generated from the
//! inventory and the policy: as Markdown for people, as JSON for tools.

use serde_json::{json, Value};

use crate::privacy::Privacy;

/// The technical and organisational measures every Botwerk instance takes.
const MEASURES: [&str; 7] = [
    "Pseudonymisation: accounts appear in the store only as HMAC-SHA256 pseudonyms under a secret pepper.",
    "Encryption at rest: every person's records are sealed with XChaCha20-Poly1305 under a key of their own, bound to where they are stored.",
    "Key separation: data keys are wrapped under an instance key kept in a separate file of mode 0600.",
    "Erasure: a person's key is destroyed first (crypto-shredding), then every record is deleted; an interrupted erasure is finished at the next start.",
    "Retention: every record expires with its category's retention period and is purged on a schedule.",
    "Accountability: consent changes, exports, erasures and purges are written to a hash-chained audit log.",
    "Data minimisation in logs: no message text, tokens, keys or platform ids are logged.",
];

/// The record as JSON.
pub fn json(privacy: &Privacy) -> Value {
    let texts = &privacy.texts;
    let policy = &privacy.policy;
    let inventory = privacy.vault.inventory();
    let activities: Vec<Value> = inventory
        .purposes()
        .map(|purpose| {
            json!({
                "purpose": purpose.name,
                "description": texts.text("en", &purpose.description, &[]),
                "legal_basis": purpose.basis.as_str(),
                "article": purpose.basis.article(),
                "data_subjects": "people who use the bot on the messengers it serves",
                "categories": inventory.categories_of(&purpose.name).map(|c| json!({
                    "name": c.name,
                    "description": texts.text("en", &c.description, &[]),
                    "retention": c.retention.map(botwerk_vault::inventory::iso_duration),
                    "retention_days": c.retention.map(|d| d.num_days()),
                })).collect::<Vec<_>>(),
                "recipients": policy.recipients.iter().map(|r| &r.name).collect::<Vec<_>>(),
                "transfers": policy.transfers,
            })
        })
        .collect();
    json!({
        "schema": "botwerk.record-of-processing.v1",
        "bot": privacy.config.bot_name,
        "policy_version": privacy.version,
        "effective": policy.effective_date(),
        "controller": policy.controller,
        "dpo": policy.dpo,
        "activities": activities,
        "recipients": policy.recipients,
        "transfers": policy.transfers,
        "technical_and_organisational_measures": MEASURES,
    })
}

/// The record as Markdown.
pub fn markdown(privacy: &Privacy) -> String {
    let texts = &privacy.texts;
    let policy = &privacy.policy;
    let inventory = privacy.vault.inventory();
    let c = &policy.controller;
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "# Record of processing activities: {}",
        privacy.config.bot_name
    ));
    line(String::new());
    line(format!(
        "Generated from the data inventory and policy version {} (in force since {}), GDPR Art. 30(1).",
        privacy.version,
        policy.effective_date()
    ));
    line(String::new());
    line("## Controller".into());
    line(String::new());
    line(format!("- {}, {}", c.name, c.address));
    line(format!("- Contact: {}", c.email));
    if let Some(phone) = &c.phone {
        line(format!("- Phone: {phone}"));
    }
    match &policy.dpo {
        Some(dpo) => line(format!(
            "- Data protection officer: {}, {}",
            dpo.name, dpo.email
        )),
        None => line("- Data protection officer: none designated".into()),
    }
    line(String::new());
    line("## Processing activities".into());
    for purpose in inventory.purposes() {
        line(String::new());
        line(format!(
            "### {}",
            texts.text("en", &purpose.description, &[])
        ));
        line(String::new());
        line(format!("- Purpose id: `{}`", purpose.name));
        line(format!(
            "- Legal basis: {} ({})",
            purpose.basis.as_str().replace('_', " "),
            purpose.basis.article()
        ));
        line("- Data subjects: people who use the bot on the messengers it serves".into());
        line("- Categories of personal data:".into());
        for category in inventory.categories_of(&purpose.name) {
            let retention = category
                .retention
                .map(|d| format!("{} days", d.num_days()))
                .unwrap_or_else(|| "not set".into());
            line(format!(
                "  - `{}`: {} — erased {retention} after it was written",
                category.name,
                texts.text("en", &category.description, &[])
            ));
        }
    }
    line(String::new());
    line("## Recipients".into());
    line(String::new());
    if policy.recipients.is_empty() {
        line("- none outside the controller".into());
    }
    for r in &policy.recipients {
        line(format!(
            "- {} ({}): {}",
            r.name,
            r.role.text("en"),
            r.description.text("en")
        ));
    }
    line(String::new());
    line("## Transfers to third countries".into());
    line(String::new());
    if policy.transfers.is_empty() {
        line("- none".into());
    }
    for t in &policy.transfers {
        line(format!(
            "- {}: to {}, safeguard: {}",
            t.country.text("en"),
            t.recipient,
            t.safeguard.text("en")
        ));
    }
    line(String::new());
    line("## Technical and organisational measures (Art. 32)".into());
    line(String::new());
    for measure in MEASURES {
        line(format!("- {measure}"));
    }
    out
}
