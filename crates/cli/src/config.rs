//! The configuration file of `botwerk run`: one `[[instance]]` per bot
//! instance, checked strictly, with errors that name the file, the key and
//! the fix.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The error of a configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("config file {}{}: {message}", file.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// The line of the problem, when known.
    pub line: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The process's HTTP endpoint (health, readiness, metrics).
    #[serde(default)]
    pub http: HttpSection,
    /// The instances to run.
    #[serde(default, rename = "instance")]
    pub instances: Vec<InstanceConfig>,
}

/// `[http]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSection {
    /// Where `/healthz`, `/readyz` and `/metrics` are served
    /// (`127.0.0.1:9464` by default; port 0 picks a free one).
    #[serde(default = "default_listen")]
    pub listen: std::net::SocketAddr,
    /// Whether to serve it at all.
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Default for HttpSection {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            enabled: true,
        }
    }
}

fn default_listen() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 9464))
}

fn yes() -> bool {
    true
}

/// One `[[instance]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceConfig {
    /// A name unique in the file, for logs and operator commands.
    pub name: String,
    /// Which bot runs: one of [`BOTS`].
    pub bot: String,
    /// Where the instance keeps its data.
    pub data_dir: PathBuf,
    /// The instance key file (by default `instance.key` in the data directory).
    pub key_file: Option<PathBuf>,
    /// The privacy policy file (by default the bot's sample policy).
    pub policy: Option<PathBuf>,
    /// Accounts that may use `/admin` in a private chat, as
    /// `platform:user-id` (`telegram:123456789`).
    #[serde(default)]
    pub admins: Vec<String>,
    /// The Telegram connection.
    pub telegram: Option<TelegramSection>,
    /// The Discord connection.
    pub discord: Option<DiscordSection>,
    /// Also serve this console (for local trials; one instance at most).
    #[serde(default)]
    pub console: bool,
}

/// `[instance.telegram]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramSection {
    /// The bot token: the token itself, `env:NAME` or `file:PATH`.
    pub token: String,
    /// A self-hosted Bot API server.
    pub api_url: Option<String>,
}

/// `[instance.discord]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordSection {
    /// The bot token: the token itself, `env:NAME` or `file:PATH`.
    pub token: String,
    /// The application id (Discord's READY tells it too).
    pub application_id: Option<u64>,
    /// A REST base other than `https://discord.com` (an HTTP proxy).
    pub api_url: Option<String>,
    /// A gateway other than the one Discord names.
    pub gateway_url: Option<String>,
    /// Whether broadcasts may reach people on Discord (off by default:
    /// Discord forbids unsolicited advertising).
    #[serde(default)]
    pub marketing: bool,
}

/// The bots this binary can run.
pub const BOTS: &[&str] = &["shop", "newsletter", "support"];

/// Where the values of the file stand, so that an error points at the line
/// at fault (the second of two equal names, say). Read after the file parsed
/// into [`Config`]; the values themselves are checked there.
#[derive(Debug, Default, Deserialize)]
struct Positions {
    #[serde(default, rename = "instance")]
    instances: Vec<InstancePositions>,
}

type At = Option<toml::Spanned<toml::Value>>;

#[derive(Debug, Default, Deserialize)]
struct InstancePositions {
    name: At,
    bot: At,
    data_dir: At,
    console: At,
    #[serde(default)]
    admins: Vec<toml::Spanned<toml::Value>>,
    #[serde(default)]
    telegram: SectionPositions,
    #[serde(default)]
    discord: SectionPositions,
}

#[derive(Debug, Default, Deserialize)]
struct SectionPositions {
    token: At,
    api_url: At,
    gateway_url: At,
}

/// The offset where the value `at` starts.
fn start(at: &At) -> Option<usize> {
    at.as_ref().map(|v| v.span().start)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Config {
    /// Reads and checks the file at `path`.
    ///
    /// # Errors
    /// A file that cannot be read, does not parse, names an unknown key or
    /// bot, repeats a name or a data directory, or lacks a token.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_owned(),
            line: None,
            message: format!("cannot be read: {e}"),
        })?;
        Self::parse(&text, path)
    }

    /// Parses and checks configuration text; `path` names it in errors.
    ///
    /// # Errors
    /// See [`Config::load`].
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let error = |offset: Option<usize>, message: String| ConfigError {
            file: path.to_owned(),
            line: offset.map(|o| line_of(text, o)),
            message,
        };
        let mut config: Self = toml::from_str(text)
            .map_err(|e| error(e.span().map(|s| s.start), e.message().trim().to_owned()))?;
        let base = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(base) = base {
            config.rebase(base);
        }
        if config.instances.is_empty() {
            return Err(error(
                None,
                "no [[instance]]: add one (see botwerk.example.toml)".into(),
            ));
        }
        let positions: Positions = toml::from_str(text).unwrap_or_default();
        let none = InstancePositions::default();
        let place = |i: usize| positions.instances.get(i).unwrap_or(&none);
        let consoles: Vec<(usize, &str)> = config
            .instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.console)
            .map(|(n, i)| (n, i.name.as_str()))
            .collect();
        if consoles.len() > 1 {
            return Err(error(
                start(&place(consoles[1].0).console),
                format!(
                    "instances {} all want the console: set `console = true` on one at most",
                    consoles
                        .iter()
                        .map(|(_, name)| *name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let mut names: HashMap<&str, ()> = HashMap::new();
        let mut dirs: HashMap<PathBuf, &str> = HashMap::new();
        for (i, instance) in config.instances.iter().enumerate() {
            let at = place(i);
            let name = instance.name.as_str();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(error(
                    start(&at.name),
                    format!("`name = \"{name}\"`: use letters, digits, `-` and `_`"),
                ));
            }
            if names.insert(name, ()).is_some() {
                return Err(error(
                    start(&at.name),
                    format!("`name = \"{name}\"` is used twice: give every instance its own name"),
                ));
            }
            if !BOTS.contains(&instance.bot.as_str()) {
                return Err(error(
                    start(&at.bot),
                    format!(
                    "instance `{name}`: `bot = \"{}\"` is not a bot of this binary; use one of: {}",
                    instance.bot,
                    BOTS.join(", ")
                ),
                ));
            }
            let dir = normalise(&instance.data_dir);
            if let Some(other) = dirs.insert(dir, name) {
                return Err(error(start(&at.data_dir), format!(
                    "instances `{other}` and `{name}` share the data directory {}: give each its own `data_dir`",
                    instance.data_dir.display()
                )));
            }
            if let Some(discord) = &instance.discord {
                resolve_secret(&discord.token).map_err(|why| {
                    error(
                        start(&at.discord.token),
                        format!("instance `{name}`, `discord.token`: {why}"),
                    )
                })?;
                for (key, url, position) in [
                    ("discord.api_url", &discord.api_url, &at.discord.api_url),
                    (
                        "discord.gateway_url",
                        &discord.gateway_url,
                        &at.discord.gateway_url,
                    ),
                ] {
                    if let Some(url) = url {
                        url::Url::parse(url).map_err(|e| {
                            error(start(position), format!("instance `{name}`, `{key}`: {e}"))
                        })?;
                    }
                }
            }
            for (n, entry) in instance.admins.iter().enumerate() {
                let position = at.admins.get(n).map(|v| v.span().start);
                let identity = parse_admin(entry).map_err(|why| {
                    error(position, format!("instance `{name}`, `admins[{n}]`: {why}"))
                })?;
                let served = match identity.platform {
                    botwerk::core::Platform::Telegram => instance.telegram.is_some(),
                    botwerk::core::Platform::Discord => instance.discord.is_some(),
                    botwerk::core::Platform::Console => instance.console,
                    _ => false,
                };
                if !served {
                    return Err(error(
                        position,
                        format!(
                            "instance `{name}`, `admins[{n}]`: names a {} account, but the instance does not serve {}; add it or remove the entry",
                            identity.platform, identity.platform
                        ),
                    ));
                }
            }
            if let Some(telegram) = &instance.telegram {
                resolve_secret(&telegram.token).map_err(|why| {
                    error(
                        start(&at.telegram.token),
                        format!("instance `{name}`, `telegram.token`: {why}"),
                    )
                })?;
                if let Some(url) = &telegram.api_url {
                    url::Url::parse(url).map_err(|e| {
                        error(
                            start(&at.telegram.api_url),
                            format!("instance `{name}`, `telegram.api_url`: {e}"),
                        )
                    })?;
                }
            }
        }
        Ok(config)
    }
}

impl Config {
    /// Makes the relative paths of the file relative to `base`, the file's
    /// directory, so that a config means the same wherever botwerk starts.
    fn rebase(&mut self, base: &Path) {
        let join = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        };
        let join_secret = |value: &mut String| {
            if let Some(file) = value.strip_prefix("file:") {
                if Path::new(file).is_relative() {
                    *value = format!("file:{}", base.join(file).display());
                }
            }
        };
        for instance in &mut self.instances {
            join(&mut instance.data_dir);
            if let Some(key_file) = &mut instance.key_file {
                join(key_file);
            }
            if let Some(policy) = &mut instance.policy {
                join(policy);
            }
            if let Some(telegram) = &mut instance.telegram {
                join_secret(&mut telegram.token);
            }
            if let Some(discord) = &mut instance.discord {
                join_secret(&mut discord.token);
            }
        }
    }
}

impl InstanceConfig {
    /// The accounts of `admins`, checked by [`Config::parse`].
    pub fn admin_identities(&self) -> Vec<botwerk::core::Identity> {
        self.admins
            .iter()
            .filter_map(|entry| parse_admin(entry).ok())
            .collect()
    }
}

/// Reads an `admins` entry, `platform:user-id`. The error never repeats the
/// entry: it is an account id.
fn parse_admin(entry: &str) -> Result<botwerk::core::Identity, String> {
    use botwerk::core::{Identity, Platform};
    let fix = "write `platform:user-id`, such as `telegram:123456789`";
    let (platform, user) = entry
        .split_once(':')
        .ok_or_else(|| format!("is not an account: {fix}"))?;
    let platform = platform
        .trim()
        .parse::<Platform>()
        .ok()
        .filter(|p| *p != Platform::Memory)
        .ok_or_else(|| {
            "names no messenger Botwerk serves: use telegram, discord or console".to_owned()
        })?;
    let user = user.trim();
    let numeric = matches!(platform, Platform::Telegram | Platform::Discord);
    if user.is_empty() || (numeric && !user.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!(
            "has no valid user id: {platform} ids are numbers; {fix}"
        ));
    }
    Ok(Identity::new(platform, user))
}

/// A path with `.` components removed, to compare data directories.
fn normalise(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// The value of a secret setting: the value itself, `env:NAME` (an
/// environment variable) or `file:PATH` (the first line of a file).
///
/// # Errors
/// A variable that is not set or a file that cannot be read, as a sentence
/// with the fix. The secret itself is never part of an error.
pub fn resolve_secret(value: &str) -> Result<botwerk::core::Secret, String> {
    if let Some(name) = value.strip_prefix("env:") {
        return match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(botwerk::core::Secret::new(v.trim())),
            _ => Err(format!(
                "the environment variable {name} is not set; export it before starting"
            )),
        };
    }
    if let Some(path) = value.strip_prefix("file:") {
        return match std::fs::read_to_string(path) {
            Ok(v) if !v.trim().is_empty() => Ok(botwerk::core::Secret::new(
                v.lines().next().unwrap_or_default().trim(),
            )),
            Ok(_) => Err(format!("the file {path} is empty; write the token into it")),
            Err(e) => Err(format!("the file {path} cannot be read ({e})")),
        };
    }
    if value.trim().is_empty() {
        return Err("is empty: give the token, `env:NAME` or `file:PATH`".into());
    }
    Ok(botwerk::core::Secret::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("botwerk.toml")).map_err(|e| e.to_string())
    }

    const GOOD: &str = r#"
[[instance]]
name = "shop"
bot = "shop"
data_dir = "data/shop"

[instance.telegram]
token = "123:abc"
api_url = "http://127.0.0.1:8081"

[[instance]]
name = "shop-2"
bot = "shop"
data_dir = "data/shop-2"
"#;

    #[test]
    fn reads_instances() {
        let config = parse(GOOD).unwrap();
        assert_eq!(config.instances.len(), 2);
        assert_eq!(
            config.instances[0].telegram.as_ref().unwrap().token,
            "123:abc"
        );
    }

    #[test]
    fn an_unknown_key_names_file_line_and_key() {
        let err = parse(&GOOD.replace("api_url", "api_uri")).unwrap_err();
        assert!(err.starts_with("config file botwerk.toml, line 9"), "{err}");
        assert!(err.contains("api_uri"), "{err}");
    }

    #[test]
    fn a_duplicate_name_is_refused() {
        let err = parse(&GOOD.replace("\"shop-2\"", "\"shop\"")).unwrap_err();
        assert!(err.contains("`name = \"shop\"` is used twice"), "{err}");
        assert!(err.contains("line 12"), "the second one: {err}");
    }

    #[test]
    fn a_shared_data_directory_is_refused() {
        let err = parse(&GOOD.replace("data/shop-2", "./data/shop")).unwrap_err();
        assert!(err.contains("share the data directory"), "{err}");
        assert!(err.contains("line 14"), "the second one: {err}");
    }

    #[test]
    fn errors_point_at_the_value_not_at_a_comment_that_names_it() {
        let text = format!(
            "# admins = [\"telegram:1\"] is how admins are named\n{}",
            GOOD.replacen(
                "data_dir = \"data/shop\"",
                "data_dir = \"data/shop\"\nadmins = [\n  \"telegram:1\",\n  \"matrix:2\",\n]",
                1
            )
        );
        let err = parse(&text).unwrap_err();
        assert!(err.contains("`admins[1]`"), "{err}");
        assert!(err.contains("line 9"), "the second entry's line: {err}");
    }

    #[test]
    fn a_missing_token_names_the_variable() {
        let err = parse(&GOOD.replace("123:abc", "env:BOTWERK_TEST_SURELY_UNSET")).unwrap_err();
        assert!(err.contains("instance `shop`, `telegram.token`"), "{err}");
        assert!(
            err.contains("BOTWERK_TEST_SURELY_UNSET is not set"),
            "{err}"
        );
        assert!(!err.contains("123:abc"));
    }

    #[test]
    fn an_unknown_bot_lists_the_bots() {
        let err = parse(&GOOD.replace(
            "bot = \"shop\"\ndata_dir = \"data/shop\"",
            "bot = \"shoop\"\ndata_dir = \"data/shop\"",
        ))
        .unwrap_err();
        assert!(
            err.contains("`bot = \"shoop\"` is not a bot of this binary; use one of: shop, newsletter, support"),
            "{err}"
        );
    }

    #[test]
    fn the_sample_configuration_parses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("secrets")).unwrap();
        std::fs::write(dir.path().join("secrets/shop-staging.token"), "1:x\n").unwrap();
        let text = include_str!("../../../botwerk.example.toml")
            .replace("env:SHOP_TELEGRAM_TOKEN", "123:literal")
            .replace("env:SUPPORT_DISCORD_TOKEN", "literal")
            .replace(
                "file:secrets/",
                &format!("file:{}/secrets/", dir.path().display()),
            );
        let config = Config::parse(&text, Path::new("botwerk.example.toml")).unwrap();
        assert_eq!(config.instances.len(), 3);
        assert!(config.instances[2].discord.is_some());
    }

    #[test]
    fn admins_are_accounts_of_a_served_messenger() {
        let with = |admins: &str| {
            GOOD.replacen(
                "data_dir = \"data/shop\"",
                &format!("data_dir = \"data/shop\"\nadmins = {admins}"),
                1,
            )
        };
        let config = parse(&with(r#"["telegram:123456789", " telegram : 42 "]"#)).unwrap();
        let admins = config.instances[0].admin_identities();
        assert_eq!(
            admins,
            [
                botwerk::core::Identity::new(botwerk::core::Platform::Telegram, "123456789"),
                botwerk::core::Identity::new(botwerk::core::Platform::Telegram, "42"),
            ]
        );
        assert!(config.instances[1].admin_identities().is_empty());

        for (admins, message) in [
            (r#"["123456789"]"#, "`admins[0]`: is not an account"),
            (
                r#"["telegram:1", "matrix:1"]"#,
                "`admins[1]`: names no messenger Botwerk serves",
            ),
            (r#"["memory:1"]"#, "names no messenger Botwerk serves"),
            (r#"["telegram:@ada"]"#, "telegram ids are numbers"),
            (r#"["telegram:"]"#, "has no valid user id"),
            (
                r#"["discord:80351110224678912"]"#,
                "does not serve discord; add it or remove the entry",
            ),
        ] {
            let err = parse(&with(admins)).unwrap_err();
            assert!(err.contains("instance `shop`"), "{err}");
            assert!(err.contains(message), "{message:?} in {err}");
            assert!(err.contains("line 6"), "{err}");
            assert!(
                !err.contains("80351110224678912") && !err.contains("@ada"),
                "no account ids: {err}"
            );
        }
    }

    #[test]
    fn relative_paths_are_taken_from_the_files_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shop.token"), "1:x\n").unwrap();
        let text = GOOD
            .replace("123:abc", "file:shop.token")
            .replace("data_dir = \"data/shop\"", "data_dir = \"data/shop\"\nkey_file = \"/etc/botwerk/shop.key\"\npolicy = \"shop.toml\"");
        let config = Config::parse(&text, &dir.path().join("botwerk.toml")).unwrap();
        let shop = &config.instances[0];
        assert_eq!(shop.data_dir, dir.path().join("data/shop"));
        assert_eq!(
            shop.key_file.as_deref(),
            Some(Path::new("/etc/botwerk/shop.key"))
        );
        assert_eq!(
            shop.policy.as_deref(),
            Some(dir.path().join("shop.toml").as_path())
        );
        let token = resolve_secret(&shop.telegram.as_ref().unwrap().token).unwrap();
        assert_eq!(token.expose(), "1:x");
        assert_eq!(config.instances[1].data_dir, dir.path().join("data/shop-2"));
    }

    #[test]
    fn secrets_come_from_files_and_never_show() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "999:secret\n").unwrap();
        let secret = resolve_secret(&format!("file:{}", file.display())).unwrap();
        assert_eq!(secret.expose(), "999:secret");
        assert!(!format!("{secret:?}").contains("secret\""));
    }
}
