//! Replies that must stay private: a data request typed in a group gets its
//! answer privately, or a pointer without data.

use botwerk_core::{AdapterError, Body, Ctx, HandlerResult, Sent};

/// Sends `body` to the sender only. When the platform refuses (no private
/// chat yet) and the request came from a group, the group gets a short
/// pointer that holds no data.
pub(crate) async fn private(ctx: &mut Ctx, body: Body, command: &str) -> HandlerResult {
    let target = ctx.private_target();
    match ctx.send(target, body).await {
        Ok(Sent { .. }) => Ok(()),
        Err(e) if is_refused(&e) && !ctx.chat().is_private() => {
            let text = ctx.t_with("privacy-private-refused", &[("command", command.into())]);
            ctx.reply(text).await?;
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Private text, with the same fallback.
pub(crate) async fn private_text(ctx: &mut Ctx, text: String, command: &str) -> HandlerResult {
    private(
        ctx,
        Body::Text {
            text,
            buttons: botwerk_core::Buttons::none(),
        },
        command,
    )
    .await
}

fn is_refused(e: &botwerk_core::HandlerError) -> bool {
    matches!(
        e.downcast_ref::<AdapterError>(),
        Some(AdapterError::Refused(_))
    )
}
