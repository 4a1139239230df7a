//! Behaviour of the fake Bot API server, driven over HTTP with reqwest.

use std::time::{Duration, Instant};

use botwerk_testkit::telegram::{FakeTelegram, TgChat, TgUser, BOT_ID, BOT_USERNAME, TOKEN};
use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(2);

/// POSTs `body` as JSON to `method` and returns the status and the JSON answer.
async fn call(fake: &FakeTelegram, method: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/bot{TOKEN}/{method}", fake.api_url());
    answer(reqwest::Client::new().post(url).json(&body)).await
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

fn ann() -> TgUser {
    TgUser::new(42, "Ann").lang("de")
}

#[tokio::test]
async fn get_me_describes_the_bot() {
    let fake = FakeTelegram::start().await;
    let (status, body) = call(&fake, "getMe", json!({})).await;
    assert_eq!(status, 200);
    let me = &body["result"];
    assert_eq!(
        (me["id"].as_i64(), me["is_bot"].as_bool()),
        (Some(BOT_ID), Some(true))
    );
    assert_eq!(me["username"], BOT_USERNAME);
    assert_eq!(me["can_join_groups"], true);
    assert_eq!(me["has_main_web_app"], false);
    let url = format!("{}/bot{TOKEN}/getMe", fake.api_url());
    let (status, _) = answer(reqwest::Client::new().get(url)).await;
    assert_eq!(status, 200);
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn get_updates_delivers_pushed_updates_until_an_offset_confirms_them() {
    let fake = FakeTelegram::start().await;
    let group = TgChat::supergroup(-1_001_234_567_890, "Shop");
    assert_eq!(fake.push_text(&ann(), &TgChat::private(&ann()), "hello"), 1);
    assert_eq!(
        fake.push_text(&ann(), &group, "/start@botwerk_test_bot x"),
        2
    );

    let (status, body) = call(&fake, "getUpdates", json!({})).await;
    assert_eq!(status, 200);
    let updates = body["result"].as_array().unwrap();
    assert_eq!(updates.len(), 2);
    let first = &updates[0]["message"];
    assert_eq!(updates[0]["update_id"], 1);
    assert_eq!(
        first["chat"],
        json!({"id": 42, "type": "private", "first_name": "Ann"})
    );
    assert_eq!(first["from"]["language_code"], "de");
    let command = &updates[1]["message"];
    assert_eq!(command["chat"]["type"], "supergroup");
    let entity = json!([{"type": "bot_command", "offset": 0, "length": 23}]);
    assert_eq!(command["entities"], entity);

    let (_, body) = call(&fake, "getUpdates", json!({"offset": 2})).await;
    assert_eq!(body["result"][0]["update_id"], 2);
    assert_eq!((fake.confirmed_offset(), fake.pending_updates()), (2, 1));
    let (_, body) = call(&fake, "getUpdates", json!({"offset": 3, "timeout": 0})).await;
    assert_eq!(body["result"], json!([]));
    assert_eq!((fake.confirmed_offset(), fake.pending_updates()), (3, 0));
}

#[tokio::test]
async fn a_long_poll_waits_and_is_woken_by_a_push() {
    let fake = FakeTelegram::start().await;
    let url = format!("{}/bot{TOKEN}/getUpdates", fake.api_url());
    let started = Instant::now();
    let poll = tokio::spawn(answer(
        reqwest::Client::new()
            .post(url)
            .json(&json!({"timeout": 2})),
    ));
    fake.wait_for_calls("getUpdates", 1, WAIT).await;
    let id = fake.push_update(json!({"message": {"message_id": 1, "date": 1,
        "chat": {"id": 42, "type": "private"}, "text": "late"}}));
    let (status, body) = poll.await.unwrap();
    assert_eq!(
        (status, body["result"][0]["update_id"].as_u64()),
        (200, Some(u64::from(id)))
    );
    assert!(started.elapsed() < Duration::from_millis(1900));
}

#[tokio::test]
async fn a_long_poll_without_updates_times_out_empty() {
    let fake = FakeTelegram::start().await;
    let started = Instant::now();
    let (_, body) = call(&fake, "getUpdates", json!({"timeout": 1})).await;
    assert_eq!(body["result"], json!([]));
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn limit_caps_the_batch() {
    let fake = FakeTelegram::start().await;
    for text in ["a", "b", "c"] {
        fake.push_text(&ann(), &TgChat::private(&ann()), text);
    }
    let (_, body) = call(&fake, "getUpdates", json!({"limit": 2})).await;
    assert_eq!(body["result"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn method_names_are_matched_case_insensitively() {
    let fake = FakeTelegram::start().await;
    let (status, _) = call(&fake, "GetUpdates", json!({"offset": 1, "limit": 5})).await;
    assert_eq!(status, 200);
    assert_eq!(fake.calls("GETUPDATES")[0].method, "getUpdates");
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let fake = FakeTelegram::start().await;
    let url = format!("{}/bot1:wrong/getMe", fake.api_url());
    let (status, body) = answer(reqwest::Client::new().post(url).json(&json!({}))).await;
    assert_eq!(status, 401);
    let expected = json!({"ok": false, "error_code": 401, "description": "Unauthorized"});
    assert_eq!(body, expected);
    assert_eq!(fake.requests()[0].status, 401);
}

#[tokio::test]
async fn an_unknown_method_is_a_violation() {
    let fake = FakeTelegram::start().await;
    let (status, body) = call(&fake, "sendTelepathy", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(body["description"], "Not Found: method not found");
    assert_eq!(fake.violations(), ["unknown method \"sendTelepathy\""]);
}

#[tokio::test]
async fn missing_and_unknown_fields_are_violations() {
    let fake = FakeTelegram::start().await;
    let (status, body) = call(&fake, "sendMessage", json!({"chat_id": 42})).await;
    assert_eq!(status, 400);
    let missing = "sendMessage: missing required field \"text\"";
    assert_eq!(body["description"], format!("Bad Request: {missing}"));
    call(
        &fake,
        "SendMessage",
        json!({"chat_id": 42, "text": "hi", "foo": 1}),
    )
    .await;
    assert_eq!(
        fake.violations(),
        [missing, "sendMessage: unknown field \"foo\""]
    );
    assert!(fake.sent().is_empty());
}

#[tokio::test]
async fn a_button_without_text_is_a_violation() {
    let fake = FakeTelegram::start().await;
    let keyboard = json!({"inline_keyboard": [[{"callback_data": "yes"}]]});
    let body = json!({"chat_id": 42, "text": "Pick", "reply_markup": keyboard});
    let (status, _) = call(&fake, "sendMessage", body).await;
    assert_eq!(status, 400);
    let expected =
        "sendMessage.reply_markup.inline_keyboard[0][0]: missing required field \"text\"";
    assert_eq!(fake.violations(), [expected]);
}

#[tokio::test]
async fn a_multipart_document_is_recorded_with_its_file() {
    let fake = FakeTelegram::start().await;
    let keyboard = r#"{"inline_keyboard":[[{"text":"Again","callback_data":"again"}]]}"#;
    let form = Form::new()
        .text("chat_id", "42")
        .text("document", "attach://0123abcd")
        .text("caption", "Your data")
        .text("reply_markup", keyboard)
        .part(
            "0123abcd",
            Part::bytes(b"a,b\n1,2\n".to_vec()).file_name("export.csv"),
        );
    let url = format!("{}/bot{TOKEN}/SendDocument", fake.api_url());
    let (status, body) = answer(reqwest::Client::new().post(url).multipart(form)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["document"]["file_name"], "export.csv");
    assert_eq!(body["result"]["caption"], "Your data");

    let recorded = &fake.calls("sendDocument")[0].body;
    assert_eq!(
        recorded["document"],
        json!({"file_name": "export.csv", "bytes": 8})
    );
    assert_eq!(recorded["chat_id"], "42");
    assert_eq!(
        recorded["reply_markup"]["inline_keyboard"][0][0]["text"],
        "Again"
    );
    let sent = fake.wait_for_sent(1, WAIT).await;
    assert_eq!(sent[0].chat_id, 42);
    assert_eq!(
        sent[0].document,
        Some(("export.csv".into(), b"a,b\n1,2\n".to_vec()))
    );
    assert_eq!(sent[0].button("Again"), Some("again"));
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn refused_private_chats_answer_forbidden() {
    let fake = FakeTelegram::start().await;
    fake.refuse_private(42);
    let (status, body) = call(&fake, "sendMessage", json!({"chat_id": 42, "text": "hi"})).await;
    assert_eq!(status, 403);
    let description = "Forbidden: bot can't initiate conversation with a user";
    let expected = json!({"ok": false, "error_code": 403, "description": description});
    assert_eq!(body, expected);
    fake.allow_private(42);
    let (status, _) = call(&fake, "sendMessage", json!({"chat_id": 42, "text": "hi"})).await;
    assert_eq!(status, 200);
    assert_eq!(fake.messages_to(42).len(), 1);
}

#[tokio::test]
async fn rate_limited_sends_answer_retry_after() {
    let fake = FakeTelegram::start().await;
    fake.rate_limit(1, 7);
    let (status, body) = call(&fake, "sendMessage", json!({"chat_id": 42, "text": "hi"})).await;
    assert_eq!(status, 429);
    assert_eq!(body["description"], "Too Many Requests: retry after 7");
    assert_eq!(body["parameters"], json!({"retry_after": 7}));
    let (status, _) = call(&fake, "sendMessage", json!({"chat_id": 42, "text": "hi"})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn edits_return_the_message_and_callbacks_point_at_it() {
    let fake = FakeTelegram::start().await;
    let keyboard = json!({"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]});
    let body = json!({"chat_id": 42, "text": "Sure?", "reply_markup": keyboard});
    let (_, sent) = call(&fake, "sendMessage", body).await;
    let message_id = sent["result"]["message_id"].as_i64().unwrap();

    fake.push_callback(&ann(), &TgChat::private(&ann()), message_id, "yes");
    let (_, updates) = call(&fake, "getUpdates", json!({})).await;
    let query = &updates["result"][0]["callback_query"];
    assert_eq!(
        (query["id"].as_str(), query["data"].as_str()),
        (Some("cbq-1"), Some("yes"))
    );
    assert_eq!(query["message"]["text"], "Sure?");

    let edit = json!({"chat_id": 42, "message_id": message_id, "text": "Done"});
    let (status, body) = call(&fake, "editMessageText", edit).await;
    assert_eq!(status, 200);
    let result = &body["result"];
    assert_eq!(
        (result["message_id"].as_i64(), result["text"].as_str()),
        (Some(message_id), Some("Done"))
    );
    assert_eq!(result["chat"]["id"], 42);
    let texts: Vec<_> = fake.messages_to(42).into_iter().map(|s| s.text).collect();
    assert_eq!(texts, [Some("Sure?".to_owned()), Some("Done".to_owned())]);
    assert!(fake.violations().is_empty());
}

#[tokio::test]
async fn anonymous_admins_write_as_the_group() {
    let fake = FakeTelegram::start().await;
    let group = TgChat::group(-4_000_123, "Team");
    fake.push_anonymous_text(&group, "/ban");
    let (_, updates) = call(&fake, "getUpdates", json!({})).await;
    let message = &updates["result"][0]["message"];
    assert_eq!(message["from"]["id"], 1_087_968_824);
    assert_eq!(message["from"]["username"], "GroupAnonymousBot");
    assert_eq!(
        message["sender_chat"],
        json!({"id": -4_000_123, "type": "group", "title": "Team"})
    );
    fake.stop().await;
}
