//! Export: everything of a subject as one JSON document, written as it is
//! read, page by page, so that memory stays bounded however much there is.

use std::io::Write;

use serde::Serialize;
use serde_json::{json, Value};

use botwerk_core::SubjectId;

use crate::audit::{Actor, AuditEvent};
use crate::error::VaultError;
use crate::inventory::iso_duration;
use crate::vault::Vault;

/// The schema of the export document.
pub const EXPORT_SCHEMA: &str = "botwerk.export.v1";
const PAGE: usize = 256;

/// What an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// How many records it holds.
    pub records: u64,
    /// How many consent entries it holds.
    pub consent_entries: u64,
}

impl ExportSummary {
    /// Whether nothing about the person is stored.
    pub fn is_empty(&self) -> bool {
        self.records == 0 && self.consent_entries == 0
    }
}

fn io(e: std::io::Error) -> VaultError {
    VaultError::Export(e)
}

fn write_json(out: &mut impl Write, value: &impl Serialize) -> Result<(), VaultError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| io(e.into()))
}

/// A record's value as JSON: itself if it is JSON, else text, else hex.
fn value_json(bytes: &[u8]) -> Value {
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        return value;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::String(text.to_owned()),
        Err(_) => json!({ "bytes_hex": hex::encode(bytes) }),
    }
}

impl Vault {
    /// Writes everything of `subject` — identities, every category with its
    /// purpose, legal basis, retention and recipients, every record, and the
    /// consent history — as JSON to `out`. `notice` (the privacy notice's
    /// metadata) is embedded as it is. A subject that is `None` or erased
    /// gives a document with no personal data. Exports of a subject are
    /// recorded in the audit log.
    ///
    /// # Errors
    /// A backend failure, a failed integrity check, or a failed write.
    pub async fn export_to<W: Write + Send>(
        &self,
        subject: Option<SubjectId>,
        notice: Option<&Value>,
        by: Actor,
        out: &mut W,
    ) -> Result<ExportSummary, VaultError> {
        let subject = match subject {
            Some(s) if self.exists(s).await? => Some(s),
            _ => None,
        };
        let mut summary = ExportSummary::default();
        write!(out, "{{\n\"schema\": ").map_err(io)?;
        write_json(out, &EXPORT_SCHEMA)?;
        write!(out, ",\n\"generated_at\": ").map_err(io)?;
        write_json(out, &self.clock.now())?;
        write!(out, ",\n\"subject\": ").map_err(io)?;
        write_json(out, &subject)?;
        write!(out, ",\n\"notice\": ").map_err(io)?;
        write_json(out, &notice)?;
        write!(out, ",\n\"identities\": ").map_err(io)?;
        let identities = match subject {
            Some(s) => self.identities(s).await?,
            None => Vec::new(),
        };
        write_json(out, &identities)?;
        write!(out, ",\n\"categories\": [").map_err(io)?;
        for (i, category) in self.inventory.categories().enumerate() {
            let purpose = self.inventory.purpose(&category.purpose);
            let meta = json!({
                "name": category.name,
                "description": category.description,
                "purpose": category.purpose,
                "legal_basis": purpose.map(|p| p.basis.as_str()),
                "retention": category.retention.map(iso_duration),
                "recipients": self.inventory.recipients(),
            });
            let Value::Object(meta) = meta else {
                unreachable!("json! of an object")
            };
            write!(out, "{}\n  {{", if i == 0 { "" } else { "," }).map_err(io)?;
            for (key, value) in &meta {
                write_json(out, key)?;
                write!(out, ": ").map_err(io)?;
                write_json(out, value)?;
                write!(out, ", ").map_err(io)?;
            }
            write!(out, "\"records\": [").map_err(io)?;
            if let Some(subject) = subject {
                summary.records += self.export_records(subject, &category.name, out).await?;
            }
            write!(out, "]}}").map_err(io)?;
        }
        write!(out, "\n],\n\"consent\": ").map_err(io)?;
        let history = match subject {
            Some(s) => self.consent_history(s).await?,
            None => Vec::new(),
        };
        summary.consent_entries = history.len() as u64;
        write_json(out, &history)?;
        writeln!(out, "\n}}").map_err(io)?;
        out.flush().map_err(io)?;
        if let Some(subject) = subject {
            self.audit(AuditEvent::Export { subject, by }).await?;
        }
        Ok(summary)
    }

    async fn export_records<W: Write + Send>(
        &self,
        subject: SubjectId,
        category: &str,
        out: &mut W,
    ) -> Result<u64, VaultError> {
        let mut written = 0u64;
        let mut after: Option<String> = None;
        loop {
            let page = self.list(subject, category, after.as_deref(), PAGE).await?;
            let full = page.len() == PAGE;
            for record in &page {
                let entry = json!({
                    "key": record.key,
                    "written_at": record.written_at,
                    "expires_at": record.expires_at,
                    "value": value_json(&record.value),
                });
                write!(out, "{}\n    ", if written == 0 { "" } else { "," }).map_err(io)?;
                write_json(out, &entry)?;
                written += 1;
            }
            after = page.last().map(|r| r.key.clone());
            if !full {
                return Ok(written);
            }
        }
    }

    /// [`Vault::export_to`] into memory.
    ///
    /// # Errors
    /// See [`Vault::export_to`].
    pub async fn export(
        &self,
        subject: Option<SubjectId>,
        notice: Option<&Value>,
        by: Actor,
    ) -> Result<(Vec<u8>, ExportSummary), VaultError> {
        let mut out = Vec::new();
        let summary = self.export_to(subject, notice, by, &mut out).await?;
        Ok((out, summary))
    }
}
