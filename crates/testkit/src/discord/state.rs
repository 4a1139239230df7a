//! What one fake remembers: users, channels, interactions, the bot's messages, the records
//! tests read back and the dispatches waiting for the gateway.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde_json::{json, Value};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::model::{self, DcPlace, DcUser, Interaction, Recorded, Reply, ReplyKind};
use super::payload;
use super::BOT_USER_ID;

/// The first snowflake the fake hands out for interactions, messages and commands; far
/// from the small ids tests pick for users, guilds and channels.
const FIRST_ID: u64 = 5_000_000;
/// Gateway intent bits that decide which messages a client receives.
const GUILD_MESSAGES: u64 = 1 << 9;
const DIRECT_MESSAGES: u64 = 1 << 12;
const MESSAGE_CONTENT: u64 = 1 << 15;

/// A file part of a multipart body: the part name (`files[0]`), the file name and the bytes.
pub(crate) type Upload = (String, String, Vec<u8>);

/// The state one fake shares between its handle, its REST handlers and its gateway sessions.
pub(crate) struct Shared {
    inner: Mutex<Inner>,
    /// Woken after every REST request and every gateway step, so tests can wait for them.
    pub(crate) activity: Notify,
    /// Woken when a dispatch is queued, so READY sessions send it.
    pub(crate) dispatches: Notify,
    /// Cancelled when the fake stops.
    pub(crate) shutdown: CancellationToken,
    /// `ws://127.0.0.1:PORT/gateway`, as `GET /gateway` and READY report it.
    pub(crate) gateway_url: String,
}

impl Shared {
    pub(crate) fn new(gateway_url: String) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            activity: Notify::new(),
            dispatches: Notify::new(),
            shutdown: CancellationToken::new(),
            gateway_url,
        }
    }

    /// The state, even if a panicking test poisoned the lock.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A message the bot created, kept so that edits apply to it and button presses can show it.
#[derive(Clone, Debug)]
pub(crate) struct StoredMessage {
    pub(crate) id: u64,
    pub(crate) channel_id: u64,
    pub(crate) guild_id: Option<u64>,
    pub(crate) content: String,
    /// The action rows as the bot sent them.
    pub(crate) components: Value,
    pub(crate) flags: u64,
    /// The message type: 0 default, 20 a reply to a chat input command.
    pub(crate) kind: u8,
    /// `(attachment id, file name, size)`.
    pub(crate) attachments: Vec<(u64, String, usize)>,
    /// The interaction whose token created it, for followups and responses.
    pub(crate) interaction: Option<u64>,
    pub(crate) timestamp: String,
    pub(crate) edited_timestamp: Option<String>,
}

/// An interaction and how far the bot got answering it.
pub(crate) struct InteractionState {
    pub(crate) public: Interaction,
    /// The bot message a component interaction was clicked on.
    pub(crate) source: Option<u64>,
    /// The callback type, once the bot answered.
    pub(crate) callback: Option<u8>,
    /// The message `@original` means, once there is one.
    pub(crate) original: Option<u64>,
    /// A deferred (type 5) response still shows "thinking"; the first followup fills it.
    pub(crate) loading: bool,
}

/// The gateway side: the last IDENTIFY, the session and the dispatch queue.
#[derive(Default)]
pub(crate) struct Gateway {
    pub(crate) identify: Option<Value>,
    pub(crate) session_id: Option<String>,
    pub(crate) sessions: u64,
    /// The sequence number of the last dispatch of the current session.
    pub(crate) seq: u64,
    /// How many times tests asked to close every connection; a session closes when this
    /// moves past the number it started with.
    pub(crate) kicks: u64,
    /// How many connections have received READY (or RESUMED) and are still open.
    pub(crate) ready: usize,
    /// Dispatches waiting for a READY connection, as `(event name, data)`.
    pub(crate) outbox: VecDeque<(String, Value)>,
    /// How many dispatches were ever queued, and how many of them were sent (or dropped for
    /// lack of intents).
    pub(crate) queued: u64,
    pub(crate) sent: u64,
}

/// The next queued dispatch, as the connected client may see it.
pub(crate) enum Next {
    /// Send `frame`; `(event, data)` goes back in the queue if sending fails.
    Send {
        event: String,
        data: Value,
        frame: Value,
    },
    /// The client's intents do not cover it; a reason when a test pushed it on purpose.
    Dropped(Option<String>),
}

impl Gateway {
    /// A dispatch frame under the next sequence number.
    pub(crate) fn frame(&mut self, event: &str, data: Value) -> Value {
        self.seq += 1;
        json!({"op": 0, "s": self.seq, "t": event, "d": data})
    }

    /// Takes the next dispatch and applies the intents of the last IDENTIFY to it, as
    /// Discord does: messages need `GUILD_MESSAGES` or `DIRECT_MESSAGES`, and guild messages
    /// of others lose their content without `MESSAGE_CONTENT`.
    pub(crate) fn next(&mut self) -> Option<Next> {
        let (event, mut data) = self.outbox.pop_front()?;
        if event != "MESSAGE_CREATE" {
            let frame = self.frame(&event, data.clone());
            return Some(Next::Send { event, data, frame });
        }
        let intents = self.identify.as_ref().and_then(|d| d["intents"].as_u64());
        let intents = intents.unwrap_or(0);
        let in_guild = data.get("guild_id").is_some();
        let needed = if in_guild {
            GUILD_MESSAGES
        } else {
            DIRECT_MESSAGES
        };
        let author = data["author"]["id"].as_str().and_then(|id| id.parse().ok());
        let from_bot = author == Some(BOT_USER_ID);
        if intents & needed == 0 {
            let name = if in_guild {
                "GUILD_MESSAGES"
            } else {
                "DIRECT_MESSAGES"
            };
            let why = format!(
                "gateway: MESSAGE_CREATE not sent: the client did not ask for the {name} intent"
            );
            return Some(Next::Dropped((!from_bot).then_some(why)));
        }
        if in_guild && !from_bot && intents & MESSAGE_CONTENT == 0 {
            data["content"] = json!("");
        }
        let frame = self.frame(&event, data.clone());
        Some(Next::Send { event, data, frame })
    }
}

#[derive(Default)]
pub(crate) struct Inner {
    last_id: u64,
    pub(crate) users: HashMap<u64, DcUser>,
    /// Channels the bot may write to, with their guild (`None` for DM channels).
    pub(crate) channels: HashMap<u64, Option<u64>>,
    pub(crate) interactions: HashMap<u64, InteractionState>,
    pub(crate) messages: HashMap<u64, StoredMessage>,
    pub(crate) replies: Vec<Reply>,
    pub(crate) requests: Vec<Recorded>,
    pub(crate) violations: Vec<String>,
    /// The body of the last `PUT /applications/{id}/commands`, and the commands it created.
    pub(crate) commands: Vec<Value>,
    pub(crate) registered: Vec<Value>,
    pub(crate) gateway: Gateway,
}

impl Inner {
    /// A fresh snowflake, larger than every one before.
    pub(crate) fn next_id(&mut self) -> u64 {
        self.last_id = self.last_id.max(FIRST_ID - 1) + 1;
        self.last_id
    }

    /// Remembers `user` and the channel of `place`, and returns that channel's id.
    pub(crate) fn remember(&mut self, user: &DcUser, place: &DcPlace) -> u64 {
        self.users.insert(user.id, user.clone());
        let channel_id = place.channel_id(user);
        self.channels.insert(channel_id, place.guild_id());
        channel_id
    }

    /// The user with `id`, or a made-up one when no push introduced them.
    pub(crate) fn user(&self, id: u64) -> DcUser {
        let known = self.users.get(&id).cloned();
        known.unwrap_or_else(|| DcUser::new(id, &format!("user{id}")))
    }

    /// Registers a new interaction by `user` in `channel_id` of `place`.
    pub(crate) fn new_interaction(
        &mut self,
        user: &DcUser,
        place: DcPlace,
        channel_id: u64,
        source: Option<u64>,
    ) -> Interaction {
        let id = self.next_id();
        let public = Interaction {
            id,
            token: format!("itok-{id}"),
            user: user.clone(),
            place,
            channel_id,
        };
        let state = InteractionState {
            public: public.clone(),
            source,
            callback: None,
            original: None,
            loading: false,
        };
        self.interactions.insert(id, state);
        public
    }

    /// The id of the command registered as `name`, or a fresh id for an unregistered one.
    pub(crate) fn command_id(&mut self, name: &str) -> u64 {
        let registered = self.registered.iter().find(|c| c["name"] == name);
        let id = registered.and_then(|c| c["id"].as_str()?.parse().ok());
        id.unwrap_or_else(|| self.next_id())
    }

    /// Queues a dispatch for the gateway and returns how many were ever queued.
    pub(crate) fn queue_dispatch(&mut self, event: &str, data: Value) -> u64 {
        self.gateway.outbox.push_back((event.to_owned(), data));
        self.gateway.queued += 1;
        self.gateway.queued
    }

    pub(crate) fn violation(&mut self, violation: String) {
        tracing::debug!(%violation, "fake discord saw a violation");
        self.violations.push(violation);
    }

    /// Records what the bot said, as message `message_id` reads now.
    pub(crate) fn reply(
        &mut self,
        kind: ReplyKind,
        interaction: Option<u64>,
        message_id: u64,
        files: &[Upload],
    ) {
        let files = files
            .iter()
            .map(|(_, name, bytes)| (name.clone(), bytes.clone()));
        let files = files.collect();
        let reply = match self.messages.get(&message_id) {
            Some(message) => Reply {
                kind,
                interaction,
                channel_id: message.channel_id,
                message_id,
                content: Some(message.content.clone()).filter(|c| !c.is_empty()),
                ephemeral: message.flags & 64 != 0,
                buttons: model::buttons(&message.components),
                files,
                guild: message.guild_id.is_some(),
            },
            None => {
                let state = interaction.and_then(|id| self.interactions.get(&id));
                let place = state.map(|s| (s.public.channel_id, s.public.place.guild_id()));
                let (channel_id, guild_id) = place.unwrap_or_default();
                Reply {
                    kind,
                    interaction,
                    channel_id,
                    message_id,
                    content: None,
                    ephemeral: false,
                    buttons: Vec::new(),
                    files,
                    guild: guild_id.is_some(),
                }
            }
        };
        self.replies.push(reply);
    }

    /// The bot message `id` as a Discord message object.
    pub(crate) fn message_json(&self, id: u64) -> Value {
        self.messages
            .get(&id)
            .map_or(Value::Null, payload::bot_message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway(intents: u64) -> Gateway {
        Gateway {
            identify: Some(json!({ "intents": intents })),
            ..Gateway::default()
        }
    }

    fn message(author: u64, guild: bool) -> Value {
        let mut message = json!({"author": {"id": author.to_string()}, "content": "hi"});
        if guild {
            message["guild_id"] = json!("5001");
        }
        message
    }

    fn sent_content(next: Option<Next>) -> Value {
        match next {
            Some(Next::Send { frame, .. }) => frame["d"]["content"].clone(),
            _ => panic!("expected a frame"),
        }
    }

    #[test]
    fn message_intents_decide_what_is_sent() {
        let mut dm_only = gateway(DIRECT_MESSAGES);
        dm_only
            .outbox
            .push_back(("MESSAGE_CREATE".into(), message(7, false)));
        dm_only
            .outbox
            .push_back(("MESSAGE_CREATE".into(), message(7, true)));
        dm_only
            .outbox
            .push_back(("MESSAGE_CREATE".into(), message(BOT_USER_ID, true)));
        dm_only
            .outbox
            .push_back(("INTERACTION_CREATE".into(), json!({})));
        assert_eq!(sent_content(dm_only.next()), "hi");
        let Some(Next::Dropped(Some(why))) = dm_only.next() else {
            panic!("a pushed guild message without GUILD_MESSAGES is dropped loudly");
        };
        assert!(why.contains("GUILD_MESSAGES"));
        assert!(matches!(dm_only.next(), Some(Next::Dropped(None))));
        assert!(matches!(dm_only.next(), Some(Next::Send { .. })));
        assert!(dm_only.next().is_none());
        assert_eq!(dm_only.seq, 2);
    }

    #[test]
    fn guild_content_needs_the_message_content_intent() {
        let mut blind = gateway(GUILD_MESSAGES);
        blind
            .outbox
            .push_back(("MESSAGE_CREATE".into(), message(7, true)));
        blind
            .outbox
            .push_back(("MESSAGE_CREATE".into(), message(BOT_USER_ID, true)));
        assert_eq!(sent_content(blind.next()), "");
        assert_eq!(sent_content(blind.next()), "hi");
        let mut seeing = gateway(GUILD_MESSAGES | MESSAGE_CONTENT);
        seeing
            .outbox
            .push_back(("MESSAGE_CREATE".into(), message(7, true)));
        assert_eq!(sent_content(seeing.next()), "hi");
    }
}
