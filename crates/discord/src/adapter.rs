//! `DiscordAdapter`: the gateway for interactions and direct messages, REST
//! for answers, and the bot's commands registered as slash commands.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use botwerk_core::{
    Adapter, AdapterError, CommandInfo, Incoming, Intake, MessageId, Outcome, Outgoing, Platform,
    Secret, Sent, Target,
};
use serenity::builder::{CreateCommand, CreateCommandOption};
use serenity::client::{ClientBuilder, Context, EventHandler};
use serenity::gateway::ConnectionStage;
use serenity::http::{Http, HttpBuilder};
use serenity::model::application::{
    Command, CommandOptionType, InstallationContext, Interaction, InteractionContext,
};
use serenity::model::channel::Message;
use serenity::model::gateway::{GatewayIntents, Ready};
use serenity::model::id::ApplicationId;

use crate::convert::{convert, Converted, Event};
use crate::reply::{self, DiscordOrigin, DEFER_AFTER};

/// How often `/readyz` asks the shard manager whether the gateway is connected.
const READY_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// How the Discord adapter connects.
#[derive(Clone, Debug)]
pub struct DiscordConfig {
    /// The bot token from the developer portal.
    pub token: Secret,
    /// The application id (READY tells it too).
    pub application_id: Option<u64>,
    /// A REST base other than `https://discord.com` (an HTTP proxy in
    /// production, a fake in tests). serenity honours it only with its own
    /// rate limiter off, which this adapter then does.
    pub api_url: Option<String>,
    /// A gateway other than the one Discord names.
    pub gateway_url: Option<String>,
    /// Whether broadcasts (marketing) may reach people on Discord. Discord's
    /// developer policy forbids unsolicited advertising: off unless the
    /// operator turns it on.
    pub allow_marketing: bool,
}

impl DiscordConfig {
    /// A configuration with the token and Discord's own servers.
    pub fn new(token: Secret) -> Self {
        Self {
            token,
            application_id: None,
            api_url: None,
            gateway_url: None,
            allow_marketing: false,
        }
    }
}

/// The intents the adapter asks for: none of them privileged. Slash commands
/// and buttons need none; direct messages bring their content without the
/// message content intent.
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS | GatewayIntents::DIRECT_MESSAGES
}

/// A messenger connection to Discord.
pub struct DiscordAdapter {
    config: DiscordConfig,
    http: OnceLock<Arc<Http>>,
    /// Set once the gateway said READY (for `/readyz`).
    ready: Arc<std::sync::atomic::AtomicBool>,
}

impl DiscordAdapter {
    /// An adapter for `config`; nothing is contacted before `run`.
    pub fn new(config: DiscordConfig) -> Arc<Self> {
        Arc::new(Self {
            config,
            http: OnceLock::new(),
            ready: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        })
    }

    fn build_http(&self) -> Http {
        let mut builder = HttpBuilder::new(self.config.token.expose());
        if let Some(url) = &self.config.api_url {
            builder = builder
                .proxy(url.trim_end_matches('/'))
                .ratelimiter_disabled(true);
        }
        if let Some(id) = self.config.application_id.filter(|id| *id != 0) {
            builder = builder.application_id(ApplicationId::new(id));
        }
        builder.build()
    }

    /// The REST client: the running client's, or (for sending without the
    /// gateway, as operator commands do) one of its own.
    fn http(&self) -> Result<&Arc<Http>, AdapterError> {
        Ok(self.http.get_or_init(|| Arc::new(self.build_http())))
    }
}

/// The bot's commands as slash commands, in English with German descriptions,
/// each with an optional text input, usable in guilds and the bot's DMs.
pub fn slash_commands(commands: &[CommandInfo]) -> Vec<CreateCommand> {
    commands
        .iter()
        .map(|info| {
            let text = |lang: &str| {
                info.descriptions
                    .get(lang)
                    .or_else(|| info.descriptions.get("en"))
                    .cloned()
                    .unwrap_or_else(|| info.name.clone())
                    .chars()
                    .take(100)
                    .collect::<String>()
            };
            let mut command = CreateCommand::new(info.name.clone()).description(text("en"));
            let mut input =
                CreateCommandOption::new(CommandOptionType::String, "text", "Optional input")
                    .required(false);
            for lang in info.descriptions.keys().filter(|l| l.as_str() != "en") {
                command = command.description_localized(lang.clone(), text(lang));
                if lang == "de" {
                    input = input.description_localized("de", "Optionale Eingabe");
                }
            }
            command
                .add_option(input)
                .integration_types(vec![InstallationContext::Guild])
                .contexts(vec![InteractionContext::Guild, InteractionContext::BotDm])
        })
        .collect()
}

struct Handler {
    intake: Arc<Intake>,
    commands: Vec<CommandInfo>,
    ready: Arc<std::sync::atomic::AtomicBool>,
}

impl Handler {
    async fn take(&self, ctx: &Context, event: Event<'_>) {
        let incoming = match convert(event) {
            Converted::Incoming(incoming) => incoming,
            Converted::Skip(reason) => {
                tracing::debug!(reason, "event skipped");
                return;
            }
        };
        // Discord wants an answer to an interaction within three seconds:
        // if the bot is slower, a deferred response holds the place.
        if let Some(origin) = incoming.origin.get::<DiscordOrigin>() {
            if let Some(interaction) = origin.interaction.clone() {
                let http = Arc::clone(&ctx.http);
                let origin_handle = incoming.origin.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(DEFER_AFTER).await;
                    if let Some(origin) = origin_handle.get::<DiscordOrigin>() {
                        reply::defer(&http, &interaction, &origin.state).await;
                    }
                });
            }
        }
        if self.intake.submit(incoming).await.is_err() {
            tracing::debug!("the runtime stopped taking updates");
        }
    }
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, _ready: Ready) {
        let commands = slash_commands(&self.commands);
        if let Err(e) = Command::set_global_commands(&ctx.http, commands).await {
            tracing::warn!(error = %e, "could not register the slash commands");
        }
        tracing::info!("connected to Discord");
        self.ready.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        self.take(&ctx, Event::Interaction(&interaction)).await;
    }

    async fn message(&self, ctx: Context, message: Message) {
        self.take(&ctx, Event::Message(&message)).await;
    }
}

#[async_trait]
impl Adapter for DiscordAdapter {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    fn allows_marketing(&self) -> bool {
        self.config.allow_marketing
    }

    fn is_ready(&self) -> bool {
        self.ready.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn run(&self, intake: Intake) -> Result<(), AdapterError> {
        let intake = Arc::new(intake);
        let handler = Handler {
            commands: intake.commands().to_vec(),
            intake: Arc::clone(&intake),
            ready: Arc::clone(&self.ready),
        };
        // `ClientBuilder::token` would replace this Http (and its proxy).
        let client =
            ClientBuilder::new_with_http(self.build_http(), intents()).event_handler(handler);
        let mut client = tokio::select! {
            () = intake.stopped() => return Ok(()),
            client = client => client.map_err(AdapterError::transport)?,
        };
        if let Some(url) = &self.config.gateway_url {
            *client.ws_url.lock().await = url.clone();
        }
        let _ = self.http.set(Arc::clone(&client.http));
        let manager = Arc::clone(&client.shard_manager);
        // READY comes once per session; whether the gateway is still there
        // (or back after a resume) only the shard manager knows.
        let watch = tokio::spawn({
            let manager = Arc::clone(&manager);
            let ready = Arc::clone(&self.ready);
            async move {
                loop {
                    tokio::time::sleep(READY_POLL).await;
                    let runners = manager.runners.lock().await;
                    let connected = !runners.is_empty()
                        && runners
                            .values()
                            .all(|r| r.stage == ConnectionStage::Connected);
                    drop(runners);
                    ready.store(connected, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
        let mut start = Box::pin(client.start());
        tokio::select! {
            result = &mut start => {
                watch.abort();
                self.ready.store(false, std::sync::atomic::Ordering::Relaxed);
                return result.map_err(AdapterError::transport);
            }
            () = intake.stopped() => {}
        }
        watch.abort();
        self.ready
            .store(false, std::sync::atomic::Ordering::Relaxed);
        // A shard that never connected ignores shutdown_all: give it a
        // moment, then drop the client.
        let stop = async {
            manager.shutdown_all().await;
            let _ = (&mut start).await;
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(6), stop).await;
        Ok(())
    }

    async fn send(&self, out: Outgoing) -> Result<Sent, AdapterError> {
        let http = self.http()?;
        let origin = out.origin.get::<DiscordOrigin>();
        let parse = |id: &str| -> Result<u64, AdapterError> {
            id.parse::<u64>()
                .ok()
                .filter(|id| *id != 0)
                .ok_or_else(|| AdapterError::Invalid("a Discord id is a non-zero number".into()))
        };
        let message = match (&out.target, origin) {
            // Private to the person who used the interaction: an ephemeral answer.
            (Target::Private { user, .. }, Some(origin))
                if origin.interaction.is_some() && parse(user.user.as_str())? == origin.user_id =>
            {
                let interaction = origin.interaction.as_ref().expect("checked above");
                reply::via_interaction(http, interaction, &origin.state, &out.body, true).await?
            }
            // Into the interaction's channel, for everyone.
            (Target::Chat(chat), Some(origin))
                if origin.interaction.is_some()
                    && parse(chat.id.as_str())? == origin.channel_id =>
            {
                let interaction = origin.interaction.as_ref().expect("checked above");
                reply::via_interaction(http, interaction, &origin.state, &out.body, false).await?
            }
            (Target::Chat(chat), _) => {
                reply::to_channel(http, parse(chat.id.as_str())?, &out.body).await?
            }
            (Target::Private { user, .. }, _) => {
                reply::to_user(http, parse(user.user.as_str())?, &out.body).await?
            }
        };
        Ok(Sent {
            message: message.map(MessageId::from),
        })
    }

    async fn finished(&self, incoming: &Incoming, _outcome: Outcome) {
        let (Some(origin), Ok(http)) = (incoming.origin.get::<DiscordOrigin>(), self.http()) else {
            return;
        };
        if let Some(interaction) = &origin.interaction {
            reply::acknowledge(http, interaction, &origin.state).await;
        }
    }
}
