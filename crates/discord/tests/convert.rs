//! The pure conversion of Discord events, one JSON fixture per kind.

use botwerk_core::{ChatKind, Content, Incoming, MessageId, Platform};
use botwerk_discord::{convert, Converted, Event};
use serenity::model::application::Interaction;
use serenity::model::channel::Message;

fn read(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("the fixture exists")
}

fn interaction(name: &str) -> Incoming {
    let event: Interaction = serde_json::from_str(&read(name)).expect("serenity reads the fixture");
    match convert(Event::Interaction(&event)) {
        Converted::Incoming(incoming) => incoming,
        Converted::Skip(reason) => panic!("{name} was skipped: {reason}"),
    }
}

fn message(name: &str) -> Converted {
    let event: Message = serde_json::from_str(&read(name)).expect("serenity reads the fixture");
    convert(Event::Message(&event))
}

#[test]
fn a_slash_command_in_a_guild() {
    let i = interaction("guild_command");
    assert_eq!(i.chat.platform, Platform::Discord);
    assert_eq!(i.chat.kind, ChatKind::Group);
    assert_eq!(i.chat.id.as_str(), "6001");
    assert_eq!(i.sender.identity.user.as_str(), "7001", "the member's user");
    assert_eq!(i.command(), Some("mydata"));
    assert_eq!(
        i.locale.unwrap().language(),
        "de",
        "the user's locale, not the guild's"
    );
}

#[test]
fn a_slash_command_in_a_dm_with_text() {
    let i = interaction("dm_command_with_text");
    assert_eq!(i.chat.kind, ChatKind::Private);
    assert_eq!(
        i.content,
        Content::Command {
            name: "language".into(),
            args: "de".into()
        }
    );
}

#[test]
fn a_button_press() {
    let i = interaction("dm_button");
    assert_eq!(
        i.content,
        Content::Button {
            data: "bw:f:0123456789abcdef0123456789abcdef".into(),
            message: Some(MessageId::from(8001_u64))
        }
    );
    assert_eq!(i.sender.identity.user.as_str(), "7001");
    assert_eq!(i.locale.unwrap().as_str(), "en-GB");
}

#[test]
fn a_direct_message() {
    let Converted::Incoming(i) = message("dm_message") else {
        panic!("a DM is handled");
    };
    assert_eq!(i.chat.kind, ChatKind::Private);
    assert_eq!(i.command(), Some("order"));
    assert_eq!(i.locale, None, "messages carry no locale");
}

#[test]
fn guild_messages_and_bots_are_skipped() {
    assert!(
        matches!(message("guild_message"), Converted::Skip(_)),
        "no message content in guilds"
    );
    assert!(matches!(
        message("bot_dm_message"),
        Converted::Skip("message from a bot")
    ));
}
