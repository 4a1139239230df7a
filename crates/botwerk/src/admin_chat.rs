//! `/admin`: operator work from a private chat, for the accounts an instance
//! names as its admins.
//!
//! Only what carries no one's personal data is offered here: checking the
//! audit chain and the data keys, purging expired data now, and the record of
//! processing. Exports and erasures of other people stay with the operator
//! commands of the CLI, so that nobody's data lands in a messenger chat.
//! Every use is written to the audit log as operator access.
//!
//! For everyone else `/admin` is an ordinary unknown command: the bot does not
//! reveal that it has admins, nor who they are.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use botwerk_core::{
    Attachment, Body, Buttons, ChatKind, CommandSpec, Content, Ctx, Handler, HandlerResult,
    Identity, TextArg,
};
use botwerk_vault::AuditEvent;

use crate::operator::{Operator, RecordFormat, Request, Response};

/// Answers `/admin …` for admins in private chats and passes everything else on.
pub(crate) struct AdminCommands {
    admins: HashSet<Identity>,
    operator: Operator,
    inner: Arc<dyn Handler>,
}

impl AdminCommands {
    pub(crate) fn new(
        admins: HashSet<Identity>,
        operator: Operator,
        inner: Arc<dyn Handler>,
    ) -> Self {
        Self {
            admins,
            operator,
            inner,
        }
    }

    /// The words after `/admin`, when the update is an admin's `/admin`.
    fn admin_args<'a>(&self, ctx: &'a Ctx) -> Option<&'a str> {
        let incoming = ctx.incoming();
        match &incoming.content {
            Content::Command { name, args }
                if name == "admin"
                    && !incoming.sender.anonymous
                    && self.admins.contains(&incoming.sender.identity) =>
            {
                Some(args.as_str())
            }
            _ => None,
        }
    }
}

#[async_trait]
impl Handler for AdminCommands {
    async fn handle(&self, ctx: &mut Ctx) -> HandlerResult {
        let Some(args) = self.admin_args(ctx).map(str::to_owned) else {
            return self.inner.handle(ctx).await;
        };
        if ctx.chat().kind != ChatKind::Private {
            // The group sees what it sees for anyone's unknown command, so
            // that nobody learns who the admins are; the hint goes privately.
            self.inner.handle(ctx).await?;
            let hint = Body::Text {
                text: ctx.t("botwerk-admin-private-only"),
                buttons: Buttons::none(),
            };
            if let Err(e) = ctx.send(ctx.private_target(), hint).await {
                tracing::debug!(error = %e, "the private hint on /admin could not be sent");
            }
            return Ok(());
        }
        let word = args.split_whitespace().next().unwrap_or("").to_lowercase();
        let request = match word.as_str() {
            "audit" => Request::AuditVerify,
            "purge" => Request::Purge,
            "keys" => Request::KeysCheck,
            "record" => Request::Record {
                format: RecordFormat::Markdown,
            },
            _ => {
                ctx.reply(ctx.t("botwerk-admin-help")).await?;
                return Ok(());
            }
        };
        // Accountability first: the access is on record before it happens.
        self.operator
            .vault
            .audit(AuditEvent::OperatorAccess {
                subject: None,
                action: format!("chat:{word}"),
            })
            .await?;
        tracing::info!(action = %word, "an admin used an operator command in chat");
        let response = self.operator.execute(request, &mut |_, _| {}).await;
        match response {
            Response::Audit { entries, broken } => {
                let text = match broken {
                    None => ctx.t_with(
                        "botwerk-admin-audit-intact",
                        &[("entries", TextArg::from(entries))],
                    ),
                    Some((seq, problem)) => ctx.t_with(
                        "botwerk-admin-audit-broken",
                        &[("seq", TextArg::from(seq)), ("problem", problem.into())],
                    ),
                };
                ctx.reply(text).await?;
            }
            Response::Purged { records } => {
                let text = ctx.t_with(
                    "botwerk-admin-purged",
                    &[("records", TextArg::from(records))],
                );
                ctx.reply(text).await?;
            }
            Response::Keys(report) => {
                let text = ctx.t_with(
                    "botwerk-admin-keys",
                    &[
                        ("subjects", TextArg::from(report.subjects)),
                        ("ok", TextArg::from(report.keys_ok)),
                        ("bad", TextArg::from(report.keys_bad.len() as u64)),
                    ],
                );
                ctx.reply(text).await?;
            }
            Response::Record { text } => {
                let file = Attachment {
                    name: "record-of-processing.md".into(),
                    mime: "text/markdown".into(),
                    bytes: text.into_bytes(),
                };
                let caption = ctx.t("botwerk-admin-record");
                ctx.send_file(file, Some(caption)).await?;
            }
            Response::Error { message } => {
                let text = ctx.t_with("botwerk-admin-failed", &[("message", message.into())]);
                ctx.reply(text).await?;
            }
            _ => {
                tracing::error!("an admin command got an answer it does not expect");
            }
        }
        Ok(())
    }

    fn commands(&self) -> Vec<CommandSpec> {
        // Not listed: `/help` and the platforms' command menus are for everyone.
        self.inner.commands()
    }
}
