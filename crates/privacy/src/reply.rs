//! Replies that must stay private: a data request typed in a group gets its
//! answer privately, or a pointer without data.

use botwerk_core::{AdapterError, Body, Ctx, HandlerResult, Sent};

/// Sends `body` to the sender only. When the platform refuses (no private
/// chat yet) and the request came from a group, the group gets a short
/// pointer that holds no data.
pub(crate) async fn private(ctx: &mut Ctx, body: Body, command: &str) -> HandlerResult {
    if ctx.private_blocked() {
        return Ok(());
    }
    let target = ctx.private_target();
    let error = match ctx.send(target, body).await {
        Ok(Sent { .. }) => return Ok(()),
        Err(e) if ctx.chat().is_private() => return Err(e),
        Err(e) => e,
    };
    let text = match error.downcast_ref::<AdapterError>() {
        Some(AdapterError::Refused(_)) => {
            ctx.t_with("privacy-private-refused", &[("command", command.into())])
        }
        Some(AdapterError::NeedsPrivateChat { link }) => {
            let link = link.clone();
            ctx.t_with("privacy-private-link", &[("link", link.into())])
        }
        _ => return Err(error),
    };
    // One pointer per request, however many private messages it had.
    ctx.block_private();
    ctx.reply(text).await?;
    Ok(())
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
