//! # botwerk-privacy
//!
//! The privacy layer of Botwerk: what makes a bot built with it keep to the
//! GDPR without its developer writing any of it.
//!
//! - [`Policy`]: the operator's policy file (controller, data protection
//!   officer, authority, recipients, transfers, minimum age, text overrides),
//!   parsed strictly.
//! - [`PrivacyGate`] and [`GatedStore`]: a handler whose purpose needs consent
//!   does not run, and no record of its categories is written, before that
//!   consent is in the ledger — and the terms agreed to are still in force.
//! - [`PrivacyLayer`]: the built-in commands `/start`, `/privacy`, `/mydata`,
//!   `/forgetme`, `/consent`, `/stop`, `/language`, `/subscribe` and
//!   `/unsubscribe`, private where they show personal data.
//! - Texts in English and German (Fluent), overridable by the policy.
//!
//! ```
//! use botwerk_privacy::Policy;
//!
//! let policy = Policy::parse(r#"
//!     effective = 2026-11-01
//!     [controller]
//!     name = "Shop GmbH"
//!     address = "Musterstraße 1, 10115 Berlin"
//!     email = "privacy@shop.example"
//!     [authority]
//!     name = "Berliner Beauftragte für Datenschutz und Informationsfreiheit"
//!     url = "https://www.datenschutz-berlin.de"
//! "#, "policy.toml".as_ref())?;
//! assert_eq!(policy.controller.name, "Shop GmbH");
//! # Ok::<(), botwerk_privacy::PolicyError>(())
//! ```
//!
//! # Layout
//! - `policy`: the policy file; `notice`: texts generated from it and the inventory
//! - `privacy`: [`Privacy`], shared by everything below, and the layer's own inventory
//! - `consent`: consent status, grant, withdraw, the send-time marketing check
//! - `gate`: [`PrivacyGate`], [`GatedStore`]
//! - `layer`: [`PrivacyLayer`]; `commands/`: one file per command
//! - `record`: the record of processing activities (Art. 30)
//! - `buttons`, `requests`, `reply`: button data, pending confirmations, private replies

mod buttons;
mod commands;
mod consent;
mod gate;
mod layer;
pub mod notice;
mod policy;
mod privacy;
pub mod record;
mod reply;
mod requests;

pub use buttons::{unsubscribe as unsubscribe_button_data, PREFIX as BUTTON_PREFIX};
pub use commands::BUILT_IN;
pub use consent::ConsentStatus;
pub use gate::{GatedStore, PrivacyGate};
pub use layer::PrivacyLayer;
pub use policy::{Authority, Controller, Dpo, Localized, Policy, PolicyError, Recipient, Transfer};
pub use privacy::{
    add_texts, declare, Privacy, PrivacyConfig, SetupError, PREFERENCES, PREFERENCES_PURPOSE,
    REQUESTS, RIGHTS_PURPOSE, SUBSCRIPTIONS,
};
