//! The Discord objects the fake sends: users, members, messages, interactions, commands.
//!
//! Every object carries each field serenity 0.12 requires; serenity drops a dispatch whose
//! payload misses one without calling the handler, so these builders are checked against
//! serenity's own types (see the module documentation of `discord`).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::model::{DcPlace, DcUser, Interaction};
use super::state::StoredMessage;
use super::{APPLICATION_ID, BOT_USERNAME, BOT_USER_ID};

/// The largest upload an interaction allows, as Discord reports it for unboosted guilds.
const ATTACHMENT_SIZE_LIMIT: u64 = 25 * 1024 * 1024;
/// The permissions the bot and members have: everything up to bit 30.
const PERMISSIONS: &str = "2147483647";
/// The locale of every guild the fake invents.
const GUILD_LOCALE: &str = "en-US";

/// A user object.
pub(crate) fn user(user: &DcUser) -> Value {
    json!({"id": user.id.to_string(), "username": user.name, "global_name": user.name,
        "discriminator": "0", "avatar": null, "bot": false})
}

/// The bot as a user object, as READY, `GET /users/@me` and message authors show it.
pub(crate) fn bot_user() -> Value {
    json!({"id": BOT_USER_ID.to_string(), "username": BOT_USERNAME, "global_name": null,
        "discriminator": "0", "avatar": null, "bot": true})
}

/// A guild member object with the user inside, as interactions carry it.
fn member(user: &DcUser, joined_at: &str) -> Value {
    json!({"user": self::user(user), "roles": [], "joined_at": joined_at, "deaf": false,
        "mute": false, "flags": 0, "pending": false, "permissions": PERMISSIONS})
}

/// The DM channel between `user` and the bot.
pub(crate) fn private_channel(user: &DcUser) -> Value {
    json!({"id": user.dm_channel_id().to_string(), "type": 1, "last_message_id": null,
        "recipients": [self::user(user)]})
}

/// An application command (type 2) or message component (type 3) interaction; `message` is
/// the bot message a component sits on.
pub(crate) fn interaction(
    interaction: &Interaction,
    kind: u8,
    data: Value,
    message: Option<Value>,
) -> Value {
    let channel_id = interaction.channel_id.to_string();
    let mut payload = json!({"id": interaction.id.to_string(),
        "application_id": APPLICATION_ID.to_string(), "type": kind, "token": interaction.token,
        "version": 1, "data": data, "channel_id": channel_id,
        "app_permissions": PERMISSIONS, "locale": interaction.user.locale, "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT});
    match interaction.place {
        DcPlace::Guild { guild_id, .. } => {
            let guild_id = guild_id.to_string();
            payload["guild_id"] = json!(guild_id);
            payload["guild_locale"] = json!(GUILD_LOCALE);
            payload["member"] = member(&interaction.user, &now());
            payload["channel"] = json!({"id": channel_id, "type": 0, "name": "general",
                "guild_id": guild_id});
            payload["authorizing_integration_owners"] = json!({"0": guild_id});
            payload["context"] = json!(0);
        }
        DcPlace::Dm => {
            payload["user"] = user(&interaction.user);
            payload["channel"] = json!({"id": channel_id, "type": 1,
                "recipients": [user(&interaction.user)]});
            // "0" is what Discord sends for a guild-installed app used in its bot DM.
            payload["authorizing_integration_owners"] = json!({"0": "0"});
            payload["context"] = json!(1);
        }
    }
    if let Some(message) = message {
        payload["message"] = message;
    }
    payload
}

/// The `data` of a chat input command; `text` fills a string option named `text`.
pub(crate) fn command_data(command_id: u64, name: &str, text: Option<&str>) -> Value {
    let mut data = json!({"id": command_id.to_string(), "name": name, "type": 1});
    if let Some(text) = text {
        data["options"] = json!([{"name": "text", "type": 3, "value": text}]);
    }
    data
}

/// A message a user wrote, as `MESSAGE_CREATE` carries it.
pub(crate) fn user_message(id: u64, user: &DcUser, place: &DcPlace, content: &str) -> Value {
    let timestamp = now();
    let mut message = json!({"id": id.to_string(),
        "channel_id": place.channel_id(user).to_string(), "author": self::user(user),
        "content": content, "timestamp": timestamp, "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": [], "pinned": false, "type": 0, "flags": 0, "components": []});
    if let Some(guild_id) = place.guild_id() {
        message["guild_id"] = json!(guild_id.to_string());
        message["member"] = json!({"roles": [], "joined_at": timestamp, "deaf": false,
            "mute": false, "flags": 0, "pending": false});
    }
    message
}

/// A message the bot sent, as REST answers and component interactions carry it.
pub(crate) fn bot_message(message: &StoredMessage) -> Value {
    let channel_id = message.channel_id.to_string();
    let attachments: Vec<Value> = message
        .attachments
        .iter()
        .map(|(id, filename, size)| {
            let url = format!("https://cdn.fake.invalid/attachments/{channel_id}/{id}/{filename}");
            json!({"id": id.to_string(), "filename": filename, "size": size, "url": url,
                "proxy_url": url})
        })
        .collect();
    let mut json = json!({"id": message.id.to_string(), "channel_id": channel_id,
        "author": bot_user(), "content": message.content, "timestamp": message.timestamp,
        "edited_timestamp": message.edited_timestamp, "tts": false, "mention_everyone": false,
        "mentions": [], "mention_roles": [], "attachments": attachments, "embeds": [],
        "pinned": false, "type": message.kind, "flags": message.flags,
        "components": message.components});
    if let Some(guild_id) = message.guild_id {
        json["guild_id"] = json!(guild_id.to_string());
    }
    if message.interaction.is_some() {
        json["application_id"] = json!(APPLICATION_ID.to_string());
        json["webhook_id"] = json!(APPLICATION_ID.to_string());
    }
    json
}

/// The command object Discord answers for one command of a bulk overwrite.
pub(crate) fn command(id: u64, request: &Value) -> Value {
    let mut command = json!({"id": id.to_string(), "application_id": APPLICATION_ID.to_string(),
        "version": id.to_string(), "type": 1, "description": "", "name_localizations": null,
        "description_localizations": null, "options": [], "default_member_permissions": null,
        "dm_permission": true, "nsfw": false, "integration_types": [0], "contexts": null});
    for (key, value) in request.as_object().into_iter().flatten() {
        if !value.is_null() && key != "id" {
            command[key] = value.clone();
        }
    }
    command
}

/// The `READY` dispatch data for a new session.
pub(crate) fn ready(session_id: &str, gateway_url: &str) -> Value {
    json!({"v": 10, "user": bot_user(), "guilds": [], "session_id": session_id,
        "resume_gateway_url": gateway_url, "shard": [0, 1],
        "application": {"id": APPLICATION_ID.to_string(), "flags": 0}})
}

/// The current time as Discord writes timestamps: RFC 3339 with microseconds, in UTC.
pub(crate) fn now() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days(secs / 86_400);
    let (hour, minute, second) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    let micros = since.subsec_micros();
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{micros:06}+00:00")
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_gregorian() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(now().len(), "2024-01-01T00:00:00.000000+00:00".len());
    }

    #[test]
    fn commands_echo_the_request_with_discord_fields() {
        let request = json!({"name": "ask", "description": "Ask", "options": [],
            "contexts": [0, 1], "type": null});
        let command = command(42, &request);
        assert_eq!(command["id"], "42");
        assert_eq!(command["type"], 1);
        assert_eq!(command["contexts"], json!([0, 1]));
        assert_eq!(command["application_id"], APPLICATION_ID.to_string());
    }
}
