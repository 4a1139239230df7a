//! The data inventory: what a bot keeps, why, on what legal basis, how long.
//!
//! Declared in code by the bot and checked at startup: a category without a
//! purpose or a retention period stops the bot before it stores anything.

use std::collections::BTreeMap;
use std::fmt;

use chrono::Duration;
use serde::{Deserialize, Serialize};

/// The longest retention period a category may declare: 100 years.
pub const MAX_RETENTION_DAYS: i64 = 36_525;

/// The category of dialog states, which the vault declares for every bot.
pub const DIALOG_CATEGORY: &str = "dialog-state";
/// The purpose of dialog states.
pub const DIALOG_PURPOSE: &str = "conversation";

/// The legal basis of a purpose (GDPR Art. 6(1)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Art. 6(1)(a): the person's consent.
    Consent,
    /// Art. 6(1)(b): performing a contract with the person, or steps they asked for.
    Contract,
    /// Art. 6(1)(f): the controller's legitimate interest.
    LegitimateInterest,
    /// Art. 6(1)(c): a legal obligation of the controller.
    LegalObligation,
}

impl LegalBasis {
    /// Whether processing on this basis must wait for consent.
    pub fn needs_consent(self) -> bool {
        self == Self::Consent
    }

    /// The name used in files and exports: `consent`, `contract`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::Contract => "contract",
            Self::LegitimateInterest => "legitimate_interest",
            Self::LegalObligation => "legal_obligation",
        }
    }

    /// The provision: `Art. 6(1)(a) GDPR`, ...
    pub fn article(self) -> &'static str {
        match self {
            Self::Consent => "Art. 6(1)(a) GDPR",
            Self::Contract => "Art. 6(1)(b) GDPR",
            Self::LegalObligation => "Art. 6(1)(c) GDPR",
            Self::LegitimateInterest => "Art. 6(1)(f) GDPR",
        }
    }
}

impl fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why data is processed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purpose {
    /// A short stable name: `order`, `newsletter`.
    pub name: String,
    /// The legal basis.
    pub basis: LegalBasis,
    /// The id of the text that explains the purpose to people.
    pub description: String,
}

impl Purpose {
    /// A purpose `name` on `basis`, explained by the text `description`.
    pub fn new(name: impl Into<String>, basis: LegalBasis, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            basis,
            description: description.into(),
        }
    }
}

/// A kind of personal data a bot keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// A short stable name: `orders`, `address`.
    pub name: String,
    /// The purpose it is kept for.
    pub purpose: String,
    /// How long a record is kept after it was written.
    pub retention: Option<Duration>,
    /// The id of the text that describes the data to people.
    pub description: String,
}

impl Category {
    /// A category `name` kept for `purpose`, described by the text
    /// `description`. Needs a retention period before it is valid.
    pub fn new(
        name: impl Into<String>,
        purpose: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            purpose: purpose.into(),
            retention: None,
            description: description.into(),
        }
    }

    /// Keeps records for `days` days after they were written.
    #[must_use]
    pub fn retain_days(self, days: i64) -> Self {
        self.retain(Duration::days(days))
    }

    /// Keeps records for `period` after they were written.
    #[must_use]
    pub fn retain(mut self, period: Duration) -> Self {
        self.retention = Some(period);
        self
    }
}

/// Formats a duration as ISO 8601: `P30D`, `PT600S`.
pub fn iso_duration(d: Duration) -> String {
    if d.num_seconds() % 86_400 == 0 {
        format!("P{}D", d.num_days())
    } else {
        format!("PT{}S", d.num_seconds())
    }
}

/// The error of an inventory that does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InventoryError {
    /// A category names no purpose.
    #[error("data category `{0}` has no purpose: declare why it is kept")]
    NoPurpose(String),
    /// A category names a purpose that is not declared.
    #[error("data category `{category}` names the purpose `{purpose}`, which is not declared")]
    UnknownPurpose {
        /// The category.
        category: String,
        /// The missing purpose.
        purpose: String,
    },
    /// A category has no retention period.
    #[error("data category `{0}` has no retention period: declare how long its records are kept")]
    NoRetention(String),
    /// A category's retention period is zero or negative.
    #[error(
        "data category `{0}` has a retention period that is not between one second and 100 years"
    )]
    BadRetention(String),
    /// A name is declared twice.
    #[error("`{0}` is declared twice")]
    Duplicate(String),
    /// A name is empty, too long, or has characters other than `[a-z0-9_.-]`.
    #[error("`{0}` is not a valid name: use 1 to 64 characters of a-z, 0-9, `_`, `.` and `-`")]
    BadName(String),
}

/// Every purpose and category of a bot, validated. Iterates in the order
/// of declaration: the bot's own first, then the framework's.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    purposes: BTreeMap<String, Purpose>,
    categories: BTreeMap<String, Category>,
    purpose_order: Vec<String>,
    category_order: Vec<String>,
    recipients: Vec<String>,
}

/// Builds an [`Inventory`]; `build` checks it.
#[derive(Clone, Debug)]
pub struct InventoryBuilder {
    purposes: Vec<Purpose>,
    categories: Vec<Category>,
    recipients: Vec<String>,
    dialog_retention: Duration,
}

impl Default for InventoryBuilder {
    fn default() -> Self {
        Self {
            purposes: Vec::new(),
            categories: Vec::new(),
            recipients: Vec::new(),
            dialog_retention: Duration::days(30),
        }
    }
}

fn check_name(name: &str) -> Result<(), InventoryError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(InventoryError::BadName(name.to_owned()))
    }
}

impl InventoryBuilder {
    /// Declares a purpose.
    #[must_use]
    pub fn purpose(mut self, purpose: Purpose) -> Self {
        self.purposes.push(purpose);
        self
    }

    /// Declares a category.
    #[must_use]
    pub fn category(mut self, category: Category) -> Self {
        self.categories.push(category);
        self
    }

    /// Names who receives the data (shown in exports and the privacy notice).
    #[must_use]
    pub fn recipient(mut self, recipient: impl Into<String>) -> Self {
        self.recipients.push(recipient.into());
        self
    }

    /// How long an unfinished dialog's state is kept (30 days by default).
    #[must_use]
    pub fn dialog_retention(mut self, period: Duration) -> Self {
        self.dialog_retention = period;
        self
    }

    /// Checks and builds the inventory. The vault's own purpose and category
    /// for dialog states are added.
    ///
    /// # Errors
    /// The first problem found, with the category or purpose it concerns.
    pub fn build(self) -> Result<Inventory, InventoryError> {
        let mut inventory = Inventory {
            recipients: self.recipients,
            ..Inventory::default()
        };
        let own_purpose = Purpose::new(
            DIALOG_PURPOSE,
            LegalBasis::Contract,
            "botwerk-purpose-conversation",
        );
        let own_category = Category::new(
            DIALOG_CATEGORY,
            DIALOG_PURPOSE,
            "botwerk-category-dialog-state",
        )
        .retain(self.dialog_retention);
        for purpose in self
            .purposes
            .into_iter()
            .chain(std::iter::once(own_purpose))
        {
            check_name(&purpose.name)?;
            if inventory.purposes.contains_key(&purpose.name) {
                return Err(InventoryError::Duplicate(purpose.name));
            }
            inventory.purpose_order.push(purpose.name.clone());
            inventory.purposes.insert(purpose.name.clone(), purpose);
        }
        for category in self
            .categories
            .into_iter()
            .chain(std::iter::once(own_category))
        {
            check_name(&category.name)?;
            if category.purpose.trim().is_empty() {
                return Err(InventoryError::NoPurpose(category.name));
            }
            if !inventory.purposes.contains_key(&category.purpose) {
                return Err(InventoryError::UnknownPurpose {
                    purpose: category.purpose.clone(),
                    category: category.name,
                });
            }
            match category.retention {
                None => return Err(InventoryError::NoRetention(category.name)),
                Some(d) if d <= Duration::zero() || d > Duration::days(MAX_RETENTION_DAYS) => {
                    return Err(InventoryError::BadRetention(category.name))
                }
                Some(_) => {}
            }
            if inventory.categories.contains_key(&category.name) {
                return Err(InventoryError::Duplicate(category.name));
            }
            inventory.category_order.push(category.name.clone());
            inventory.categories.insert(category.name.clone(), category);
        }
        Ok(inventory)
    }
}

impl Inventory {
    /// A builder.
    pub fn builder() -> InventoryBuilder {
        InventoryBuilder::default()
    }

    /// The category `name`.
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.categories.get(name)
    }

    /// The purpose `name`.
    pub fn purpose(&self, name: &str) -> Option<&Purpose> {
        self.purposes.get(name)
    }

    /// The purpose of the category `name`.
    pub fn purpose_of(&self, category: &str) -> Option<&Purpose> {
        self.category(category)
            .and_then(|c| self.purpose(&c.purpose))
    }

    /// Every category, in the order of declaration.
    pub fn categories(&self) -> impl Iterator<Item = &Category> {
        self.category_order
            .iter()
            .filter_map(|n| self.categories.get(n))
    }

    /// Every purpose, in the order of declaration.
    pub fn purposes(&self) -> impl Iterator<Item = &Purpose> {
        self.purpose_order
            .iter()
            .filter_map(|n| self.purposes.get(n))
    }

    /// The categories kept for `purpose`.
    pub fn categories_of<'a>(
        &'a self,
        purpose: &'a str,
    ) -> impl Iterator<Item = &'a Category> + 'a {
        self.categories().filter(move |c| c.purpose == purpose)
    }

    /// Who receives the data.
    pub fn recipients(&self) -> &[String] {
        &self.recipients
    }

    /// The retention period of the category `name`.
    pub fn retention(&self, category: &str) -> Option<Duration> {
        self.category(category).and_then(|c| c.retention)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Purpose {
        Purpose::new("order", LegalBasis::Contract, "t-order")
    }

    #[test]
    fn a_valid_inventory_includes_the_dialog_category() {
        let inv = Inventory::builder()
            .purpose(order())
            .category(Category::new("orders", "order", "t-orders").retain_days(90))
            .build()
            .unwrap();
        assert_eq!(inv.retention("orders"), Some(Duration::days(90)));
        assert_eq!(
            inv.purpose_of("orders").unwrap().basis,
            LegalBasis::Contract
        );
        assert!(inv.category(DIALOG_CATEGORY).is_some());
    }

    #[test]
    fn rejects_categories_without_purpose_or_retention() {
        let no_retention = Inventory::builder()
            .purpose(order())
            .category(Category::new("orders", "order", "t"))
            .build();
        assert_eq!(
            no_retention.unwrap_err(),
            InventoryError::NoRetention("orders".into())
        );
        let no_purpose = Inventory::builder()
            .category(Category::new("orders", "", "t").retain_days(1))
            .build();
        assert_eq!(
            no_purpose.unwrap_err(),
            InventoryError::NoPurpose("orders".into())
        );
        let unknown = Inventory::builder()
            .category(Category::new("orders", "sales", "t").retain_days(1))
            .build()
            .unwrap_err();
        assert!(unknown.to_string().contains("`sales`"));
        let zero = Inventory::builder()
            .purpose(order())
            .category(Category::new("orders", "order", "t").retain(Duration::zero()))
            .build();
        assert_eq!(
            zero.unwrap_err(),
            InventoryError::BadRetention("orders".into())
        );
        let dup = Inventory::builder()
            .purpose(order())
            .purpose(order())
            .build();
        assert_eq!(dup.unwrap_err(), InventoryError::Duplicate("order".into()));
        let bad = Inventory::builder()
            .purpose(Purpose::new("Order!", LegalBasis::Consent, "t"))
            .build();
        assert!(matches!(bad, Err(InventoryError::BadName(_))));
    }

    #[test]
    fn iso_durations() {
        assert_eq!(iso_duration(Duration::days(30)), "P30D");
        assert_eq!(iso_duration(Duration::minutes(10)), "PT600S");
    }
}
