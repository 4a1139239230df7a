//! `Outgoing` as Discord REST calls: the first answer to an interaction is its
//! response (ephemeral, flag 64, when private), later ones are follow-ups;
//! work that takes longer than Discord's three seconds is deferred.

use std::sync::Arc;
use std::time::Duration;

use botwerk_core::{AdapterError, Attachment, Body, Buttons};
use serenity::builder::{
    Builder, CreateActionRow, CreateAttachment, CreateButton, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    EditInteractionResponse,
};
use serenity::http::Http;
use serenity::model::id::{ChannelId, InteractionId, UserId};
use tokio::sync::Mutex;

/// The longest message content Discord accepts.
pub(crate) const MAX_CONTENT: usize = 2000;
/// Buttons per row and rows per message.
const ROW: usize = 5;
const ROWS: usize = 5;
/// When an interaction gets a deferred response if nothing was said yet:
/// inside Discord's three seconds.
pub(crate) const DEFER_AFTER: Duration = Duration::from_millis(2000);

/// The interaction an update came from.
#[derive(Clone, Debug)]
pub(crate) struct InteractionRef {
    pub(crate) id: u64,
    pub(crate) token: String,
    /// A button press (answered by updating the message) or a command.
    pub(crate) component: bool,
}

/// How far the answer to an interaction has come.
#[derive(Debug, Default)]
pub(crate) struct ReplyState {
    /// The interaction got its one response.
    pub(crate) responded: bool,
    /// That response was a deferral: the first real answer replaces it.
    pub(crate) deferred: bool,
}

/// The adapter's data about an update, shared by its replies.
#[derive(Debug)]
pub(crate) struct DiscordOrigin {
    pub(crate) interaction: Option<InteractionRef>,
    pub(crate) channel_id: u64,
    pub(crate) user_id: u64,
    pub(crate) state: Mutex<ReplyState>,
}

impl DiscordOrigin {
    pub(crate) fn new(interaction: Option<InteractionRef>, channel_id: u64, user_id: u64) -> Self {
        Self {
            interaction,
            channel_id,
            user_id,
            state: Mutex::new(ReplyState::default()),
        }
    }
}

fn transport(e: serenity::Error) -> AdapterError {
    AdapterError::transport(e)
}

/// Splits content into parts Discord accepts, at line ends where possible.
pub(crate) fn split(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() <= MAX_CONTENT {
            current.push_str(line);
            continue;
        }
        if !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        for c in line.chars() {
            if current.chars().count() + 1 > MAX_CONTENT {
                parts.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
        .into_iter()
        .map(|p| p.trim_end_matches('\n').to_owned())
        .filter(|p| !p.trim().is_empty())
        .collect()
}

/// Buttons as action rows of at most five, at most five rows.
pub(crate) fn rows(buttons: &Buttons) -> Vec<CreateActionRow> {
    let all: Vec<_> = buttons
        .rows()
        .iter()
        .flat_map(|row| row.chunks(ROW).map(<[_]>::to_vec))
        .filter(|row| !row.is_empty())
        .take(ROWS)
        .collect();
    all.into_iter()
        .map(|row| {
            CreateActionRow::Buttons(
                row.into_iter()
                    .map(|b| {
                        CreateButton::new(b.data)
                            .label(b.label.chars().take(80).collect::<String>())
                    })
                    .collect(),
            )
        })
        .collect()
}

/// One message to send: content, buttons, a file.
pub(crate) struct Piece {
    pub(crate) content: Option<String>,
    pub(crate) buttons: Buttons,
    pub(crate) file: Option<Attachment>,
}

/// The pieces of a body: long text split, buttons on the last piece.
pub(crate) fn pieces(body: &Body) -> Vec<Piece> {
    let (text, buttons, file) = match body {
        Body::Text { text, buttons } | Body::Edit { text, buttons, .. } => {
            (Some(text.as_str()), buttons.clone(), None)
        }
        Body::File { file, caption } => (caption.as_deref(), Buttons::none(), Some(file.clone())),
    };
    let parts = text.map(split).unwrap_or_default();
    if parts.is_empty() {
        return vec![Piece {
            content: None,
            buttons,
            file,
        }];
    }
    let count = parts.len();
    let mut file = file;
    parts
        .into_iter()
        .enumerate()
        .map(|(i, content)| Piece {
            content: Some(content),
            buttons: if i + 1 == count {
                buttons.clone()
            } else {
                Buttons::none()
            },
            file: if i == 0 { file.take() } else { None },
        })
        .collect()
}

fn attachment(file: &Attachment) -> CreateAttachment {
    CreateAttachment::bytes(file.bytes.clone(), file.name.clone())
}

fn response_message(piece: &Piece, ephemeral: bool) -> CreateInteractionResponseMessage {
    let mut message = CreateInteractionResponseMessage::new()
        .ephemeral(ephemeral)
        .components(rows(&piece.buttons));
    if let Some(content) = &piece.content {
        message = message.content(content.clone());
    }
    if let Some(file) = &piece.file {
        message = message.add_file(attachment(file));
    }
    message
}

fn followup(piece: &Piece, ephemeral: bool) -> CreateInteractionResponseFollowup {
    let mut message = CreateInteractionResponseFollowup::new()
        .ephemeral(ephemeral)
        .components(rows(&piece.buttons));
    if let Some(content) = &piece.content {
        message = message.content(content.clone());
    }
    if let Some(file) = &piece.file {
        message = message.add_file(attachment(file));
    }
    message
}

fn channel_message(piece: &Piece) -> CreateMessage {
    let mut message = CreateMessage::new().components(rows(&piece.buttons));
    if let Some(content) = &piece.content {
        message = message.content(content.clone());
    }
    if let Some(file) = &piece.file {
        message = message.add_file(attachment(file));
    }
    message
}

/// Answers an interaction with `body`: the response first (an update of the
/// pressed message for an edit after a button press), follow-ups after.
pub(crate) async fn via_interaction(
    http: &Arc<Http>,
    interaction: &InteractionRef,
    state: &Mutex<ReplyState>,
    body: &Body,
    ephemeral: bool,
) -> Result<Option<u64>, AdapterError> {
    let mut state = state.lock().await;
    let id = InteractionId::new(interaction.id);
    let token = interaction.token.as_str();
    let mut last = None;
    for piece in pieces(body) {
        if !state.responded {
            let response = if interaction.component && matches!(body, Body::Edit { .. }) {
                CreateInteractionResponse::UpdateMessage(response_message(&piece, false))
            } else {
                CreateInteractionResponse::Message(response_message(&piece, ephemeral))
            };
            response
                .execute(&**http, (id, token))
                .await
                .map_err(transport)?;
            state.responded = true;
            continue;
        }
        if state.deferred && !interaction.component {
            // The deferral left an ephemeral "thinking" response: a private
            // answer takes its place, a public one follows it and removes it.
            state.deferred = false;
            if ephemeral {
                let mut edit = EditInteractionResponse::new().components(rows(&piece.buttons));
                if let Some(content) = &piece.content {
                    edit = edit.content(content.clone());
                }
                if let Some(file) = &piece.file {
                    edit = edit.new_attachment(attachment(file));
                }
                let message = edit.execute(&**http, token).await.map_err(transport)?;
                last = Some(message.id.get());
                continue;
            }
            // Discord makes the first followup after a deferral take the
            // deferral's place, ephemeral as it is: the deferral is settled
            // by an edit first, so that the answer is a message of its own
            // that everyone sees; then the settled deferral goes.
            EditInteractionResponse::new()
                .content("…")
                .execute(&**http, token)
                .await
                .map_err(transport)?;
            let message = followup(&piece, false)
                .execute(&**http, (None, token))
                .await
                .map_err(transport)?;
            last = Some(message.id.get());
            http.delete_original_interaction_response(token)
                .await
                .map_err(transport)?;
            continue;
        }
        let message = followup(&piece, ephemeral)
            .execute(&**http, (None, token))
            .await
            .map_err(transport)?;
        last = Some(message.id.get());
    }
    Ok(last)
}

/// Sends `body` into a channel (a DM channel for private messages).
pub(crate) async fn to_channel(
    http: &Arc<Http>,
    channel: u64,
    body: &Body,
) -> Result<Option<u64>, AdapterError> {
    let mut last = None;
    for piece in pieces(body) {
        let message = channel_message(&piece)
            .execute(&**http, (ChannelId::new(channel), None))
            .await
            .map_err(refused_or_transport)?;
        last = Some(message.id.get());
    }
    Ok(last)
}

/// Sends `body` to a person's direct messages.
pub(crate) async fn to_user(
    http: &Arc<Http>,
    user: u64,
    body: &Body,
) -> Result<Option<u64>, AdapterError> {
    let channel = UserId::new(user)
        .create_dm_channel(&**http)
        .await
        .map_err(refused_or_transport)?;
    to_channel(http, channel.id.get(), body).await
}

/// 403 (the person does not accept direct messages from the bot) is a refusal.
fn refused_or_transport(e: serenity::Error) -> AdapterError {
    use serenity::http::HttpError;
    if let serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) = &e {
        if response.status_code.as_u16() == 403 {
            return AdapterError::Refused(
                "Discord does not let the bot write to this person".into(),
            );
        }
    }
    transport(e)
}

/// Gives the interaction a deferred response if it has none yet: Discord
/// drops interactions that stay unanswered for three seconds.
pub(crate) async fn defer(
    http: &Arc<Http>,
    interaction: &InteractionRef,
    state: &Mutex<ReplyState>,
) {
    let mut state = state.lock().await;
    if state.responded {
        return;
    }
    let id = InteractionId::new(interaction.id);
    let response = if interaction.component {
        CreateInteractionResponse::Acknowledge
    } else {
        // Ephemeral: what it turns into may be private.
        CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(true))
    };
    match response
        .execute(&**http, (id, interaction.token.as_str()))
        .await
    {
        Ok(()) => {
            state.responded = true;
            state.deferred = true;
        }
        Err(e) => tracing::warn!(error = %e, "could not defer an interaction"),
    }
}

/// Acknowledges an interaction that got no answer at all.
pub(crate) async fn acknowledge(
    http: &Arc<Http>,
    interaction: &InteractionRef,
    state: &Mutex<ReplyState>,
) {
    if interaction.component {
        defer(http, interaction, state).await;
        return;
    }
    let deferred_now = {
        let guard = state.lock().await;
        !guard.responded
    };
    if deferred_now {
        defer(http, interaction, state).await;
    }
    let guard = state.lock().await;
    if guard.deferred {
        // Nothing to say: the "thinking" response goes away.
        if let Err(e) = http
            .delete_original_interaction_response(&interaction.token)
            .await
        {
            tracing::debug!(error = %e, "could not remove a deferred response");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use botwerk_core::Button;

    #[test]
    fn splits_long_content() {
        let text = format!("{}\n{}", "a".repeat(1500), "b".repeat(1500));
        assert_eq!(split(&text), vec!["a".repeat(1500), "b".repeat(1500)]);
        assert!(split(&"x".repeat(4500))
            .iter()
            .all(|p| p.chars().count() <= MAX_CONTENT));
    }

    #[test]
    fn buttons_fit_discords_rows() {
        let many = Buttons::row((0..12).map(|i| Button::new(format!("b{i}"), format!("d{i}"))));
        assert_eq!(rows(&many).len(), 3, "rows of five");
        let body = Body::Text {
            text: "x".repeat(2500),
            buttons: Buttons::row([Button::new("ok", "ok")]),
        };
        let pieces = pieces(&body);
        assert_eq!(pieces.len(), 2);
        assert!(
            pieces[0].buttons.is_empty() && !pieces[1].buttons.is_empty(),
            "buttons on the last piece"
        );
    }
}
