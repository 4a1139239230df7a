//! The pure conversion of Telegram updates, one JSON fixture per kind.

use botwerk_core::{ChatKind, Content, Incoming, MessageId, Platform};
use botwerk_telegram::{convert, BotInfo, Converted, Update, UpdateKind};

fn me() -> BotInfo {
    BotInfo {
        id: 123_456_789,
        username: "botwerk_test_bot".into(),
    }
}

fn json(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the fixture exists");
    serde_json::from_str(&text).expect("the fixture is JSON")
}

fn fixture(name: &str) -> Update {
    Update::read(&json(name)).expect("the fixture has an update id")
}

fn incoming(name: &str) -> Incoming {
    match convert(&fixture(name), &me()) {
        Converted::Incoming(incoming) => incoming,
        Converted::Skip(reason) => panic!("{name} was skipped: {reason}"),
    }
}

fn skipped(name: &str) -> &'static str {
    match convert(&fixture(name), &me()) {
        Converted::Skip(reason) => reason,
        Converted::Incoming(i) => panic!("{name} was not skipped: {i:?}"),
    }
}

#[test]
fn a_private_text_message() {
    let i = incoming("private_text");
    assert_eq!(i.chat.platform, Platform::Telegram);
    assert_eq!(i.chat.id.as_str(), "424242");
    assert_eq!(i.chat.kind, ChatKind::Private);
    assert_eq!(i.sender.identity.user.as_str(), "424242");
    assert!(!i.sender.anonymous);
    assert_eq!(i.locale.as_ref().map(|l| l.language()), Some("de".into()));
    assert_eq!(
        i.content,
        Content::Text("Hauptstraße 5, 10115 Berlin".into())
    );
}

#[test]
fn a_command_with_arguments() {
    let i = incoming("private_command");
    assert_eq!(
        i.content,
        Content::Command {
            name: "start".into(),
            args: "deep-link-payload".into()
        }
    );
    assert_eq!(i.locale.unwrap().as_str(), "en-GB");
}

#[test]
fn a_group_command_addressed_to_this_bot() {
    let i = incoming("group_command_for_us");
    assert_eq!(i.chat.kind, ChatKind::Group);
    assert_eq!(i.chat.id.as_str(), "-1001234567890");
    assert_eq!(
        i.command(),
        Some("mydata"),
        "the @name is stripped, case-insensitively"
    );
}

#[test]
fn a_group_command_addressed_to_another_bot_is_skipped() {
    assert_eq!(
        skipped("group_command_for_another_bot"),
        "command for another bot"
    );
}

#[test]
fn a_button_press() {
    let i = incoming("callback_query");
    assert_eq!(
        i.content,
        Content::Button {
            data: "p:coffee".into(),
            message: Some(MessageId::from(14_i64))
        }
    );
    assert_eq!(i.chat.kind, ChatKind::Private);
    assert_eq!(i.sender.identity.user.as_str(), "424242");
}

#[test]
fn a_press_on_an_inline_message_is_answered_privately() {
    let i = incoming("inline_callback");
    assert_eq!(i.chat.kind, ChatKind::Private);
    assert_eq!(i.chat.id.as_str(), "424242");
    assert_eq!(i.button(), Some("bw:u"));
}

#[test]
fn an_anonymous_group_admin_is_anonymous() {
    let i = incoming("anonymous_admin");
    assert!(i.sender.anonymous);
    assert_eq!(
        i.sender.identity.user.as_str(),
        "-1001234567890",
        "the group, not the GroupAnonymousBot"
    );
    assert_eq!(i.locale, None);
}

#[test]
fn what_the_bot_does_not_handle_is_skipped() {
    assert_eq!(
        skipped("channel_post"),
        "update kind the bot does not handle"
    );
    assert_eq!(skipped("edited_message"), "edited message");
    assert_eq!(skipped("photo_without_text"), "message without text");
    assert_eq!(skipped("from_a_bot"), "message from a bot");
}

#[test]
fn the_debug_form_of_an_update_holds_no_message_text() {
    let i = incoming("private_text");
    let shown = format!("{i:?}");
    assert!(!shown.contains("Hauptstraße"), "{shown}");
    assert!(!shown.contains("424242"), "{shown}");
}

#[test]
fn every_fixture_reads_as_teloxide_reads_it() {
    // The adapter reads updates itself, for speed; teloxide's model is the
    // reference for what they mean.
    for name in [
        "anonymous_admin",
        "callback_query",
        "channel_post",
        "edited_message",
        "from_a_bot",
        "group_command_for_another_bot",
        "group_command_for_us",
        "inline_callback",
        "photo_without_text",
        "private_command",
        "private_text",
    ] {
        let ours = fixture(name);
        let theirs: teloxide::types::Update =
            serde_json::from_str(&json(name).to_string()).unwrap();
        assert_eq!(ours.id, theirs.id.0, "{name}");
        match (&ours.kind, &theirs.kind) {
            (UpdateKind::Message(m), teloxide::types::UpdateKind::Message(t)) => {
                assert_eq!(m.chat.id, t.chat.id.0, "{name}");
                assert_eq!(m.chat.is_private(), t.chat.is_private(), "{name}");
                assert_eq!(m.text.as_deref(), t.text(), "{name}");
                assert_eq!(
                    m.from.as_ref().map(|u| u.id),
                    t.from.as_ref().map(|u| u.id.0)
                );
                assert_eq!(
                    m.from.as_ref().map(|u| u.is_bot),
                    t.from.as_ref().map(|u| u.is_bot)
                );
                assert_eq!(
                    m.sender_chat.as_ref().map(|c| c.id),
                    t.sender_chat.as_ref().map(|c| c.id.0)
                );
            }
            (UpdateKind::CallbackQuery(q), teloxide::types::UpdateKind::CallbackQuery(t)) => {
                assert_eq!(q.id, t.id.0, "{name}");
                assert_eq!(q.data, t.data, "{name}");
                assert_eq!(q.from.id, t.from.id.0, "{name}");
                assert_eq!(
                    q.message.as_ref().map(|m| (m.chat.id, m.message_id)),
                    t.message
                        .as_ref()
                        .map(|m| (m.chat().id.0, i64::from(m.id().0))),
                    "{name}"
                );
            }
            (UpdateKind::EditedMessage, teloxide::types::UpdateKind::EditedMessage(_))
            | (UpdateKind::Other, teloxide::types::UpdateKind::ChannelPost(_)) => {}
            (ours, theirs) => panic!("{name}: {ours:?} against {theirs:?}"),
        }
    }
}

#[test]
fn an_update_that_does_not_read_is_skipped_and_keeps_its_id() {
    let mut value = json("private_text");
    value["message"]["chat"] = serde_json::json!("not a chat");
    let update = Update::read(&value).unwrap();
    assert_eq!(update.id, 101);
    assert_eq!(update.kind, UpdateKind::Unreadable);
    assert!(matches!(convert(&update, &me()), Converted::Skip(_)));

    let mut value = json("callback_query");
    value["callback_query"]["from"] = serde_json::Value::Null;
    assert_eq!(Update::read(&value).unwrap().kind, UpdateKind::Unreadable);

    assert_eq!(
        Update::read(&serde_json::json!({"message": {}})),
        None,
        "no id"
    );
}

#[test]
fn the_debug_form_of_a_read_update_holds_no_text_and_no_ids() {
    let shown = format!("{:?}", fixture("private_text"));
    assert!(!shown.contains("Hauptstraße"), "{shown}");
    assert!(!shown.contains("424242"), "{shown}");
    let shown = format!("{:?}", fixture("callback_query"));
    assert!(!shown.contains("424242"), "{shown}");
}
