//! The pure conversion of Discord events into `Incoming`.

use botwerk_core::{
    Chat, ChatKind, Content, Identity, Incoming, Locale, MessageId, Origin, Platform, Sender,
};
use serenity::model::application::{CommandDataOptionValue, Interaction};
use serenity::model::channel::Message;

use crate::reply::{DiscordOrigin, InteractionRef};

/// A Discord event the adapter may handle.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// An interaction: a slash command or a button press.
    Interaction(&'a Interaction),
    /// A message; only direct messages to the bot are handled.
    Message(&'a Message),
}

/// The result of converting an event.
#[derive(Debug)]
pub enum Converted {
    /// An update the bot handles.
    Incoming(Incoming),
    /// An event the bot does not handle, and why.
    Skip(&'static str),
}

fn chat(channel: u64, in_guild: bool) -> Chat {
    let kind = if in_guild {
        ChatKind::Group
    } else {
        ChatKind::Private
    };
    Chat::new(Platform::Discord, channel, kind)
}

fn incoming(
    chat: Chat,
    user: u64,
    locale: Option<&str>,
    content: Content,
    origin: DiscordOrigin,
) -> Incoming {
    Incoming {
        chat,
        sender: Sender::new(Identity::new(Platform::Discord, user)),
        locale: locale.filter(|l| !l.is_empty()).map(Locale::new),
        content,
        origin: Origin::new(origin),
    }
}

/// The text of a command's options: string options joined, others ignored.
fn command_args(options: &[serenity::model::application::CommandDataOption]) -> String {
    options
        .iter()
        .filter_map(|o| match &o.value {
            CommandDataOptionValue::String(s) => Some(s.trim().to_owned()),
            CommandDataOptionValue::Integer(n) => Some(n.to_string()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Converts a Discord event: slash commands and button presses (in guilds and
/// direct messages) and direct messages to the bot become `Incoming`; the
/// rest is skipped with the reason.
pub fn convert(event: Event<'_>) -> Converted {
    match event {
        Event::Interaction(Interaction::Command(command)) => {
            if command.user.bot {
                return Converted::Skip("command from a bot");
            }
            let user = command.user.id.get();
            let in_guild = command.guild_id.is_some();
            let content = Content::Command {
                name: command.data.name.to_ascii_lowercase(),
                args: command_args(&command.data.options),
            };
            let origin = DiscordOrigin::new(
                Some(InteractionRef {
                    id: command.id.get(),
                    token: command.token.clone(),
                    component: false,
                }),
                command.channel_id.get(),
                user,
            );
            Converted::Incoming(incoming(
                chat(command.channel_id.get(), in_guild),
                user,
                Some(&command.locale),
                content,
                origin,
            ))
        }
        Event::Interaction(Interaction::Component(press)) => {
            if press.user.bot {
                return Converted::Skip("button press from a bot");
            }
            let user = press.user.id.get();
            let content = Content::Button {
                data: press.data.custom_id.clone(),
                message: Some(MessageId::from(press.message.id.get())),
            };
            let origin = DiscordOrigin::new(
                Some(InteractionRef {
                    id: press.id.get(),
                    token: press.token.clone(),
                    component: true,
                }),
                press.channel_id.get(),
                user,
            );
            Converted::Incoming(incoming(
                chat(press.channel_id.get(), press.guild_id.is_some()),
                user,
                Some(&press.locale),
                content,
                origin,
            ))
        }
        Event::Interaction(_) => Converted::Skip("interaction kind the bot does not handle"),
        Event::Message(message) => {
            if message.guild_id.is_some() {
                return Converted::Skip(
                    "message in a guild (the bot answers slash commands there)",
                );
            }
            if message.author.bot {
                return Converted::Skip("message from a bot");
            }
            let text = message.content.trim();
            if text.is_empty() {
                return Converted::Skip("message without text");
            }
            let content =
                Content::parse(text, None).unwrap_or_else(|| Content::Text(text.to_owned()));
            let user = message.author.id.get();
            let origin = DiscordOrigin::new(None, message.channel_id.get(), user);
            Converted::Incoming(incoming(
                chat(message.channel_id.get(), false),
                user,
                None,
                content,
                origin,
            ))
        }
    }
}
