//! Operator work on an instance: requests that arrive outside the chat
//! (export and erasure by platform identity), the audit check, the record of
//! processing, the purge, the key check and broadcasts.

use std::collections::BTreeMap;
use std::sync::Arc;

use botwerk_core::{Adapter, Body, Button, Buttons, Identity, Origin, Outgoing, Platform, Target};
use botwerk_privacy::{record, Privacy, SUBSCRIPTIONS};
use botwerk_vault::{Actor, AuditEvent, AuditReport, KeysReport, Vault, VaultError};
use serde::{Deserialize, Serialize};

/// A request of an operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Everything kept about one platform account, as the export document.
    Export {
        /// The platform of the account.
        platform: Platform,
        /// The account's id on it.
        user: String,
    },
    /// Erase everything of one platform account (and its linked accounts).
    Erase {
        /// The platform of the account.
        platform: Platform,
        /// The account's id on it.
        user: String,
    },
    /// Walk the audit chain.
    AuditVerify,
    /// The record of processing activities.
    Record {
        /// `markdown` or `json`.
        format: RecordFormat,
    },
    /// Delete what is past its retention, now.
    Purge,
    /// Check that every data key unwraps.
    KeysCheck,
    /// Send a message to confirmed newsletter subscribers.
    Broadcast {
        /// The message per language tag; `en` is the fallback.
        messages: BTreeMap<String, String>,
    },
}

/// The form of the record of processing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordFormat {
    /// For people.
    #[default]
    Markdown,
    /// For tools.
    Json,
}

/// What a broadcast did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastReport {
    /// Subjects looked at.
    pub subjects: u64,
    /// Messages sent.
    pub sent: u64,
    /// Subscribers whose consent did not hold at send time.
    pub no_consent: u64,
    /// Subscribers on a platform the instance does not serve or where
    /// marketing is off (Discord, by default).
    pub platform_off: u64,
    /// Sends that failed (the person blocked the bot, say).
    pub failed: u64,
}

/// The answer to a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Response {
    /// The export document; `found` is false when nothing is kept.
    Export {
        /// Whether anything is kept about the account.
        found: bool,
        /// The JSON document.
        document: String,
    },
    /// The erasure's receipt, if there was anything to erase.
    Erased {
        /// The receipt id.
        receipt: Option<String>,
    },
    /// The audit chain's state.
    Audit {
        /// How many entries were checked.
        entries: u64,
        /// The first broken entry and what is wrong, if any.
        broken: Option<(u64, String)>,
    },
    /// The record of processing.
    Record {
        /// Markdown or JSON.
        text: String,
    },
    /// The purge's result.
    Purged {
        /// Records deleted.
        records: u64,
    },
    /// The key check's result.
    Keys(KeysReport),
    /// The broadcast's result.
    Broadcast(BroadcastReport),
    /// Progress of a long request.
    Progress {
        /// Done so far.
        done: u64,
        /// In all.
        total: u64,
    },
    /// The request failed.
    Error {
        /// What went wrong (never personal data).
        message: String,
    },
}

/// What operator requests act on: an instance's vault, privacy layer and
/// adapters. Cheap to clone; usable while the instance runs.
#[derive(Clone)]
pub struct Operator {
    pub(crate) vault: Arc<Vault>,
    pub(crate) privacy: Arc<Privacy>,
    pub(crate) adapters: Vec<Arc<dyn Adapter>>,
    pub(crate) observer: Arc<dyn botwerk_core::Observer>,
}

fn error(e: impl std::fmt::Display) -> Response {
    Response::Error {
        message: e.to_string(),
    }
}

impl Operator {
    /// Carries out `request`; long requests report progress to `progress`.
    pub async fn execute(
        &self,
        request: Request,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Response {
        let result = match request {
            Request::Export { platform, user } => {
                self.export(Identity::new(platform, user.as_str())).await
            }
            Request::Erase { platform, user } => {
                self.erase(Identity::new(platform, user.as_str())).await
            }
            Request::AuditVerify => self.audit().await,
            Request::Record { format } => Ok(Response::Record {
                text: match format {
                    RecordFormat::Markdown => record::markdown(&self.privacy),
                    RecordFormat::Json => {
                        serde_json::to_string_pretty(&record::json(&self.privacy))
                            .unwrap_or_default()
                    }
                },
            }),
            Request::Purge => self.vault.purge().await.map(|report| Response::Purged {
                records: report.records,
            }),
            Request::KeysCheck => self.vault.check_keys().await.map(Response::Keys),
            Request::Broadcast { messages } => self.broadcast(&messages, progress).await,
        };
        result.unwrap_or_else(error)
    }

    async fn export(&self, identity: Identity) -> Result<Response, VaultError> {
        let subject = self.vault.find_subject(&identity).await?;
        if let Some(subject) = subject {
            self.vault
                .audit(AuditEvent::OperatorAccess {
                    subject: Some(subject),
                    action: "export".into(),
                })
                .await?;
        }
        let notice = botwerk_privacy::notice::metadata(&self.privacy);
        let (bytes, summary) = self
            .vault
            .export(subject, Some(&notice), Actor::Operator)
            .await?;
        Ok(Response::Export {
            found: subject.is_some() && !summary.is_empty(),
            document: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    async fn erase(&self, identity: Identity) -> Result<Response, VaultError> {
        let Some(subject) = self.vault.find_subject(&identity).await? else {
            return Ok(Response::Erased { receipt: None });
        };
        let receipt = self.vault.erase(subject, Actor::Operator).await?;
        for adapter in self
            .adapters
            .iter()
            .filter(|a| a.platform() == identity.platform)
        {
            adapter.erased(&identity).await;
        }
        Ok(Response::Erased {
            receipt: Some(receipt.id),
        })
    }

    async fn audit(&self) -> Result<Response, VaultError> {
        Ok(match self.vault.verify_audit().await? {
            AuditReport::Intact { entries } => Response::Audit {
                entries,
                broken: None,
            },
            AuditReport::Broken { seq, problem } => Response::Audit {
                entries: seq,
                broken: Some((seq, problem)),
            },
        })
    }

    /// Sends to every confirmed subscriber, checking consent again right
    /// before each message, with a one-tap unsubscribe under it.
    async fn broadcast(
        &self,
        messages: &BTreeMap<String, String>,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<Response, VaultError> {
        let Some(fallback) = messages.get("en").or_else(|| messages.values().next()) else {
            return Ok(error("the broadcast has no message"));
        };
        if self.privacy.config().marketing.is_none() {
            return Ok(error(
                "this bot has no marketing purpose: nobody can be subscribed",
            ));
        }
        self.vault
            .audit(AuditEvent::OperatorAccess {
                subject: None,
                action: "broadcast".into(),
            })
            .await?;
        let mut total = 0u64;
        let mut after = None;
        loop {
            let page = self.vault.list_subjects(after, 1024).await?;
            total += page.len() as u64;
            after = page.last().copied();
            if page.len() < 1024 {
                break;
            }
        }
        let mut report = BroadcastReport::default();
        let mut after = None;
        loop {
            let page = self.vault.list_subjects(after, 256).await?;
            for subject in &page {
                report.subjects += 1;
                progress(report.subjects, total);
                // The send-time check: consent in force, under today's terms.
                if !self.privacy.marketing_allowed(*subject).await? {
                    report.no_consent += 1;
                    continue;
                }
                let Some(record) = self
                    .vault
                    .get(*subject, SUBSCRIPTIONS, "subscription")
                    .await?
                else {
                    report.no_consent += 1;
                    continue;
                };
                let Ok(subscription) = serde_json::from_slice::<Subscription>(&record.value) else {
                    report.failed += 1;
                    continue;
                };
                let adapter = self.adapters.iter().find(|a| {
                    a.platform() == subscription.identity.platform && a.allows_marketing()
                });
                let Some(adapter) = adapter else {
                    report.platform_off += 1;
                    continue;
                };
                let lang = subscription.language.as_deref().unwrap_or("en");
                let text = messages.get(lang).unwrap_or(fallback).clone();
                let label = self
                    .privacy
                    .texts()
                    .text(lang, "privacy-button-unsubscribe", &[]);
                let out = Outgoing {
                    target: Target::Private {
                        user: subscription.identity.clone(),
                        from: None,
                    },
                    body: Body::Text {
                        text,
                        buttons: Buttons::row([Button::new(
                            label,
                            botwerk_privacy::unsubscribe_button_data(),
                        )]),
                    },
                    origin: Origin::none(),
                };
                match adapter.send(out).await {
                    Ok(_) => report.sent += 1,
                    Err(e) => {
                        report.failed += 1;
                        self.observer
                            .error(adapter.platform(), botwerk_core::ErrorKind::Send);
                        tracing::warn!(error = %botwerk_core::HandlerError::from(e), "a broadcast message failed");
                    }
                }
            }
            after = page.last().copied();
            if page.len() < 256 {
                break;
            }
        }
        Ok(Response::Broadcast(report))
    }
}

#[derive(Deserialize)]
struct Subscription {
    identity: Identity,
    language: Option<String>,
}
