//! Behaviour of the fake Discord's REST API, driven with reqwest.
//!
//! The gateway is exercised by the real serenity client; see the module documentation of
//! `botwerk_testkit::discord`.

use std::time::Duration;

use botwerk_testkit::discord::{
    DcPlace, DcUser, FakeDiscord, Interaction, ReplyKind, APPLICATION_ID, BOT_USER_ID, TOKEN,
};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(2);

fn ann() -> DcUser {
    DcUser::new(7001, "ann").locale("de")
}

fn guild() -> DcPlace {
    DcPlace::guild(5001, 6001)
}

/// Sends `body` as JSON with the bot's token and returns the status and the JSON answer
/// (`null` for an empty one).
async fn call(fake: &FakeDiscord, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}/api/v10{path}", fake.api_url());
    let mut request = reqwest::Client::new()
        .request(method, url)
        .header("Authorization", format!("Bot {TOKEN}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    answer(request).await
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a readable answer");
    let body = match text.is_empty() {
        true => Value::Null,
        false => serde_json::from_str(&text).expect("a JSON answer"),
    };
    (status, body)
}

fn callback_path(interaction: &Interaction) -> String {
    let Interaction { id, token, .. } = interaction;
    format!("/interactions/{id}/{token}/callback")
}

async fn respond(fake: &FakeDiscord, interaction: &Interaction, body: Value) -> (u16, Value) {
    call(fake, Method::POST, &callback_path(interaction), Some(body)).await
}

fn followup_path(interaction: &Interaction) -> String {
    format!("/webhooks/{APPLICATION_ID}/{}", interaction.token)
}

fn yes_no() -> Value {
    json!([{"type": 1, "components": [
        {"type": 2, "style": 3, "custom_id": "confirm:yes", "label": "Yes", "disabled": false},
        {"type": 2, "style": 1, "custom_id": "confirm:no", "label": "No", "disabled": false}]}])
}

#[tokio::test]
async fn gateway_endpoints_report_the_websocket_url() {
    let fake = FakeDiscord::start().await;
    assert!(fake.gateway_url().starts_with("ws://127.0.0.1:"));
    assert!(fake.gateway_url().ends_with("/gateway"));
    let (status, body) = call(&fake, Method::GET, "/gateway", None).await;
    assert_eq!((status, body), (200, json!({"url": fake.gateway_url()})));
    let (status, body) = call(&fake, Method::GET, "/gateway/bot", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["url"], fake.gateway_url());
    assert_eq!(body["shards"], 1);
    assert_eq!(body["session_start_limit"]["max_concurrency"], 1);
    let (_, me) = call(&fake, Method::GET, "/users/@me", None).await;
    assert_eq!(
        (me["id"].as_str(), me["bot"].as_bool()),
        (Some("1000"), Some(true))
    );
    assert_eq!(fake.identify(), None);
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn an_ephemeral_callback_is_recorded_with_its_buttons() {
    let fake = FakeDiscord::start().await;
    let ask = fake.push_command(&ann(), &guild(), "ask", Some("hello"));
    assert_eq!((ask.channel_id, ask.place.clone()), (6001, guild()));
    let body = json!({"type": 4, "data": {"content": "Sure?", "flags": 64,
        "components": yes_no(), "attachments": []}});
    assert_eq!(respond(&fake, &ask, body).await, (204, Value::Null));
    fake.wait_answered(&ask, WAIT).await;

    let replies = fake.replies_to(&ask);
    assert_eq!(replies.len(), 1);
    let reply = &replies[0];
    assert_eq!(reply.kind, ReplyKind::Callback(4));
    assert_eq!(reply.content.as_deref(), Some("Sure?"));
    assert!(reply.ephemeral && reply.guild);
    assert_eq!((reply.channel_id, reply.interaction), (6001, Some(ask.id)));
    assert_eq!(reply.button("Yes"), Some("confirm:yes"));
    assert_eq!(reply.buttons.len(), 2);
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn a_multipart_callback_records_its_files() {
    let fake = FakeDiscord::start().await;
    let ask = fake.push_command(&ann(), &DcPlace::Dm, "chart", None);
    let payload = json!({"type": 4, "data": {"content": "Your chart",
        "attachments": [{"id": 0, "filename": "chart.png", "description": null}]}});
    let file = Part::bytes(b"PNG bytes".to_vec())
        .file_name("chart.png")
        .mime_str("image/png")
        .unwrap();
    let form = Form::new()
        .part("files[0]", file)
        .text("payload_json", payload.to_string());
    let url = format!("{}/api/v10{}", fake.api_url(), callback_path(&ask));
    let request = reqwest::Client::new()
        .post(url)
        .header("Authorization", format!("Bot {TOKEN}"))
        .multipart(form);
    assert_eq!(answer(request).await.0, 204);

    let reply = &fake.replies_to(&ask)[0];
    assert_eq!(
        reply.files,
        [("chart.png".to_owned(), b"PNG bytes".to_vec())]
    );
    assert_eq!((reply.guild, reply.ephemeral), (false, false));
    assert_eq!(reply.channel_id, ann().dm_channel_id());
    let recorded = fake.requests().pop().unwrap();
    assert_eq!(recorded.body, payload);
    assert_eq!(
        recorded.files,
        [("files[0]".to_owned(), "chart.png".to_owned(), 9)]
    );
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn a_followup_needs_the_callback_first() {
    let fake = FakeDiscord::start().await;
    let ask = fake.push_command(&ann(), &guild(), "ask", None);
    let more = json!({"content": "more", "flags": 64, "embeds": [], "attachments": []});
    let (status, body) = call(
        &fake,
        Method::POST,
        &followup_path(&ask),
        Some(more.clone()),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (404, Some(10015)));
    assert_eq!(fake.violations().len(), 1);

    respond(
        &fake,
        &ask,
        json!({"type": 4, "data": {"content": "first"}}),
    )
    .await;
    let (status, message) = call(&fake, Method::POST, &followup_path(&ask), Some(more)).await;
    assert_eq!(status, 200);
    assert_eq!(
        (message["content"].as_str(), message["flags"].as_u64()),
        (Some("more"), Some(64))
    );
    assert_eq!(message["author"]["id"], BOT_USER_ID.to_string());
    assert_eq!(message["channel_id"], "6001");
    let kinds: Vec<ReplyKind> = fake.replies_to(&ask).iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ReplyKind::Callback(4), ReplyKind::Followup]);
    assert!(fake.replies_to(&ask)[1].ephemeral);
}

#[tokio::test]
async fn a_deferred_response_is_filled_by_an_edit_or_the_first_followup() {
    let fake = FakeDiscord::start().await;
    let slow = fake.push_command(&ann(), &DcPlace::Dm, "slow", None);
    respond(&fake, &slow, json!({"type": 5, "data": {"flags": 64}})).await;
    let original = format!("{}/messages/@original", followup_path(&slow));
    let edit = json!({"content": "done"});
    let (status, edited) = call(&fake, Method::PATCH, &original, Some(edit)).await;
    assert_eq!((status, edited["content"].as_str()), (200, Some("done")));

    let other = fake.push_command(&ann(), &DcPlace::Dm, "slow", None);
    respond(&fake, &other, json!({"type": 5})).await;
    let first = json!({"content": "late answer"});
    call(&fake, Method::POST, &followup_path(&other), Some(first)).await;

    let replies = fake.replies();
    let seen: Vec<_> = replies
        .iter()
        .map(|r| (r.kind, r.content.as_deref(), r.ephemeral))
        .collect();
    assert_eq!(
        seen,
        [
            (ReplyKind::Callback(5), None, true),
            (ReplyKind::EditOriginal, Some("done"), true),
            (ReplyKind::Callback(5), None, false),
            (ReplyKind::Followup, Some("late answer"), false),
        ]
    );
    // The first followup replaced the "thinking" message rather than adding one.
    assert_eq!(replies[2].message_id, replies[3].message_id);
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn a_second_callback_and_an_unknown_interaction_are_refused() {
    let fake = FakeDiscord::start().await;
    let ask = fake.push_command(&ann(), &guild(), "ask", None);
    let body = json!({"type": 4, "data": {"content": "once"}});
    assert_eq!(respond(&fake, &ask, body.clone()).await.0, 204);
    let (status, error) = respond(&fake, &ask, body.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(
        error,
        json!({"code": 40060,
        "message": "Interaction has already been acknowledged."})
    );
    let forged = Interaction {
        token: "itok-forged".to_owned(),
        ..ask.clone()
    };
    let (status, error) = respond(&fake, &forged, body).await;
    assert_eq!((status, error["code"].as_u64()), (404, Some(10062)));

    let violations = fake.violations();
    assert_eq!(violations.len(), 2, "{violations:?}");
    assert!(violations[0].contains("already answered"));
    assert!(violations[1].contains("unknown interaction"));
    assert_eq!(fake.replies_to(&ask).len(), 1);
}

#[tokio::test]
async fn bodies_are_checked_against_the_specification() {
    let fake = FakeDiscord::start().await;
    let ask = fake.push_command(&ann(), &guild(), "ask", None);
    let body = json!({"type": 4, "data": {"content": "hi", "flags": "64", "colour": 3}});
    // Answered normally, so that the test fails on the violations, not in the bot.
    assert_eq!(respond(&fake, &ask, body).await.0, 204);
    let callback = "POST /interactions/{interaction_id}/{interaction_token}/callback";
    let mut violations = fake.violations();
    violations.sort();
    assert_eq!(
        violations,
        [
            format!("{callback}: body.data.colour: unknown property"),
            format!("{callback}: body.data.flags: expected integer or null, got a string"),
        ]
    );

    let fake = FakeDiscord::start().await;
    let dm = json!({"recipient_id": 7001, "recipient": "ann"});
    call(&fake, Method::POST, "/users/@me/channels", Some(dm)).await;
    assert_eq!(
        fake.violations(),
        ["POST /users/@me/channels: body.recipient: unknown property"]
    );
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_unauthorized() {
    let fake = FakeDiscord::start().await;
    let url = format!("{}/api/v10/users/@me", fake.api_url());
    let client = reqwest::Client::new();
    let wrong = client.get(&url).header("Authorization", "Bot other-token");
    let (status, body) = answer(wrong).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("401: Unauthorized"))
    );
    let (status, _) = answer(client.get(&url)).await;
    assert_eq!(status, 401);
    let violations = fake.violations();
    assert_eq!(violations.len(), 2);
    assert!(violations[0].starts_with("GET /users/@me: missing or wrong Authorization"));
    assert!(!violations[0].contains("other-token"));
    assert_eq!(fake.requests()[0].status, 401);
}

#[tokio::test]
async fn the_bot_opens_a_dm_and_writes_to_it() {
    let fake = FakeDiscord::start().await;
    let open = json!({"recipient_id": "7001"});
    let (status, channel) = call(&fake, Method::POST, "/users/@me/channels", Some(open)).await;
    assert_eq!(status, 200);
    assert_eq!(channel["id"], "907001");
    assert_eq!(channel["type"], 1);
    assert_eq!(channel["recipients"][0]["id"], "7001");

    let hello = json!({"content": "hello", "tts": false, "embeds": [], "sticker_ids": [],
        "attachments": [], "enforce_nonce": false});
    let (status, message) = call(
        &fake,
        Method::POST,
        "/channels/907001/messages",
        Some(hello),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(message["channel_id"], "907001");
    let id = message["id"].as_str().unwrap().to_owned();
    let edit = json!({"content": "hello again", "components": yes_no()});
    let path = format!("/channels/907001/messages/{id}");
    let (status, edited) = call(&fake, Method::PATCH, &path, Some(edit)).await;
    assert_eq!(
        (status, edited["content"].as_str()),
        (200, Some("hello again"))
    );
    assert!(edited["edited_timestamp"].is_string());

    let replies = fake.replies();
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0].kind, ReplyKind::ChannelMessage);
    assert_eq!((replies[0].channel_id, replies[0].guild), (907_001, false));
    assert_eq!(replies[1].kind, ReplyKind::Edit);
    assert_eq!(replies[1].button("No"), Some("confirm:no"));
    assert_eq!(replies[1].message_id.to_string(), id);
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn messages_to_unknown_channels_and_empty_or_long_messages_are_refused() {
    let fake = FakeDiscord::start().await;
    // A user id is not a channel id: a classic mistake.
    let hi = json!({"content": "hi"});
    let (status, error) = call(&fake, Method::POST, "/channels/7001/messages", Some(hi)).await;
    assert_eq!((status, error["code"].as_u64()), (404, Some(10003)));
    fake.add_guild_channel(5001, 6002);
    let empty = json!({"content": ""});
    let (status, error) = call(&fake, Method::POST, "/channels/6002/messages", Some(empty)).await;
    assert_eq!((status, error["code"].as_u64()), (400, Some(50006)));
    let long = json!({"content": "x".repeat(2001)});
    let (status, error) = call(&fake, Method::POST, "/channels/6002/messages", Some(long)).await;
    assert_eq!((status, error["code"].as_u64()), (400, Some(50035)));
    let violations = fake.violations();
    assert_eq!(violations.len(), 3, "{violations:?}");
    assert!(violations[2].ends_with("content has 2001 characters, bots may send at most 2000"));
    assert!(fake.replies().is_empty());
}

#[tokio::test]
async fn global_commands_are_echoed_with_ids() {
    let fake = FakeDiscord::start().await;
    let commands = json!([{"name": "ask", "name_localizations": {"de": "frage"},
        "description": "Ask the bot", "description_localizations": {}, "nsfw": false,
        "options": [{"type": 3, "name": "text", "description": "What", "required": true,
            "choices": [], "options": [], "channel_types": [], "min_length": null,
            "autocomplete": false}], "contexts": [0, 1]}]);
    let path = format!("/applications/{APPLICATION_ID}/commands");
    let (status, created) = call(&fake, Method::PUT, &path, Some(commands.clone())).await;
    assert_eq!(status, 200);
    let ask = &created[0];
    assert_eq!(
        (ask["name"].as_str(), ask["type"].as_u64()),
        (Some("ask"), Some(1))
    );
    assert_eq!(ask["application_id"], APPLICATION_ID.to_string());
    assert!(ask["id"].is_string() && ask["version"].is_string());
    assert_eq!(ask["contexts"], json!([0, 1]));
    assert_eq!(fake.commands(), commands.as_array().unwrap().clone());
    assert_eq!(fake.wait_for_commands(WAIT).await.len(), 1);

    // Overwriting keeps the id of a command with the same name.
    let (_, again) = call(&fake, Method::PUT, &path, Some(commands)).await;
    assert_eq!(again[0]["id"], ask["id"]);
    let (_, listed) = call(&fake, Method::GET, &path, None).await;
    assert_eq!(listed, again);
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn a_button_press_updates_the_message_it_was_on() {
    let fake = FakeDiscord::start().await;
    let ask = fake.push_command(&ann(), &guild(), "ask", None);
    let body = json!({"type": 4, "data": {"content": "Sure?", "components": yes_no()}});
    respond(&fake, &ask, body).await;
    let question = fake.replies_to(&ask).remove(0);

    let bob = DcUser::new(7002, "bob");
    let press = fake.push_button(&bob, &question, "confirm:yes");
    assert_eq!((press.place.clone(), press.channel_id), (guild(), 6001));
    assert_ne!(press.id, ask.id);
    let update = json!({"type": 7, "data": {"content": "Confirmed", "components": []}});
    assert_eq!(respond(&fake, &press, update).await.0, 204);

    let reply = &fake.replies_to(&press)[0];
    assert_eq!(reply.kind, ReplyKind::Callback(7));
    assert_eq!(reply.message_id, question.message_id);
    assert_eq!(reply.content.as_deref(), Some("Confirmed"));
    assert!(reply.buttons.is_empty());
    assert!(fake.violations().is_empty());
}

#[tokio::test]
#[should_panic(expected = "has no button")]
async fn pressing_a_button_the_message_lacks_is_a_test_bug() {
    let fake = FakeDiscord::start().await;
    let ask = fake.push_command(&ann(), &guild(), "ask", None);
    respond(
        &fake,
        &ask,
        json!({"type": 4, "data": {"content": "No buttons"}}),
    )
    .await;
    let reply = fake.replies_to(&ask).remove(0);
    fake.push_button(&ann(), &reply, "confirm:yes");
}

#[tokio::test]
async fn wait_for_replies_waits_for_the_bot() {
    let fake = FakeDiscord::start().await;
    let first = fake.push_command(&ann(), &guild(), "a", None);
    let second = fake.push_command(&ann(), &DcPlace::Dm, "b", None);
    let api_url = fake.api_url();
    let (one, two) = (callback_path(&first), callback_path(&second));
    let bot = tokio::spawn(async move {
        let client = reqwest::Client::new();
        for (path, text) in [(two, "to b"), (one, "to a")] {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let body = json!({"type": 4, "data": {"content": text}});
            let url = format!("{api_url}/api/v10{path}");
            let request = client
                .post(url)
                .header("Authorization", format!("Bot {TOKEN}"));
            request.json(&body).send().await.unwrap();
        }
    });
    let replies = fake.wait_for_replies(2, WAIT).await;
    bot.await.unwrap();
    let texts: Vec<_> = replies.iter().map(|r| r.content.as_deref()).collect();
    assert_eq!(texts, [Some("to b"), Some("to a")]);
    assert_eq!(fake.replies_to(&first)[0].content.as_deref(), Some("to a"));
    assert_eq!(fake.replies_to(&second)[0].content.as_deref(), Some("to b"));
}

#[tokio::test]
#[should_panic(expected = "expected 1 replies")]
async fn wait_for_replies_panics_with_a_report() {
    let fake = FakeDiscord::start().await;
    fake.wait_for_replies(1, Duration::from_millis(50)).await;
}

#[tokio::test]
async fn unserved_routes_are_violations() {
    let fake = FakeDiscord::start().await;
    let (status, _) = call(&fake, Method::GET, "/guilds/5001/roles", None).await;
    assert_eq!(status, 404);
    assert_eq!(
        fake.violations(),
        ["GET /guilds/5001/roles: the fake does not serve this route"]
    );
    fake.stop().await;
}
