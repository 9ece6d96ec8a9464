//! Configuration: defaults < TOML file (`--config`) < `GREENLIGHT__…`
//! environment variables (`GREENLIGHT__SERVER__LISTEN=0.0.0.0:8080`) <
//! command-line flags. Any setting may instead name a file that holds its
//! value, by adding `_file` to its key (`GREENLIGHT__DATABASE__URL_FILE=
//! /run/secrets/db`), so secrets stay out of the environment and the file.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::{Context, anyhow, bail};
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
    value::Value,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the SQLite database, media and scratch files live.
    pub data_dir: PathBuf,
    pub server: Server,
    pub database: Database,
    pub auth: Auth,
    pub media: Media,
    pub mail: Mail,
    pub webhooks: Webhooks,
    pub jobs: Jobs,
    pub publishing: Publishing,
    pub audit: Audit,
    pub log: Log,
    pub metrics: Metrics,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    pub listen: String,
    /// The address users reach Greenlight at; `https://…` makes cookies Secure.
    pub public_url: Option<String>,
    pub request_timeout_secs: u64,
    pub max_body_kib: usize,
    /// Behind a reverse proxy: the header carrying the client's address
    /// (e.g. `x-forwarded-for`), used to limit failed share-link attempts.
    pub client_ip_header: Option<String>,
    /// Behind a proxy that gives each request an `X-Request-Id`: keep it
    /// (else each request gets a new id).
    pub trust_request_id: bool,
    /// On SIGTERM or Ctrl-C: how long requests in flight and running jobs
    /// may take to finish; jobs still running then are let go for another
    /// worker.
    pub shutdown_secs: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Database {
    /// `sqlite:…` or `postgres://…`; unset means SQLite in the data dir.
    /// Never written out by `default-config` (it may hold a password).
    #[serde(skip_serializing)]
    pub url: Option<SecretString>,
    /// Connections at most (SQLite: readers beside the one writer, 8 by
    /// default; PostgreSQL: 16 by default).
    pub max_connections: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Auth {
    pub session_days: i64,
    pub login_attempts_per_minute: u32,
    /// Failed share-link attempts per address per minute before the
    /// address is refused for the minute.
    pub link_failures_per_minute: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Media {
    pub max_upload_mib: u64,
    /// Where media bytes live: `local` (`media` in the data directory) or
    /// `s3` (the bucket `media.s3` names, which several instances share).
    pub store: MediaStore,
    pub s3: S3,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaStore {
    #[default]
    Local,
    S3,
}

/// An S3-compatible bucket for media.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3 {
    pub bucket: String,
    /// The server's URL; unset for Amazon S3 itself.
    pub endpoint: Option<String>,
    pub region: String,
    /// Unset: from the environment (`AWS_ACCESS_KEY_ID` …, an instance
    /// role). Secrets are best given as `access_key_id_file` and
    /// `secret_access_key_file`. Never written out by `default-config`.
    #[serde(skip_serializing)]
    pub access_key_id: Option<SecretString>,
    #[serde(skip_serializing)]
    pub secret_access_key: Option<SecretString>,
}

impl Default for S3 {
    fn default() -> Self {
        S3 { bucket: String::new(), endpoint: None, region: "us-east-1".into(), access_key_id: None, secret_access_key: None }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Webhooks {
    /// Let webhooks call private and local addresses (and plain http):
    /// for local testing only; off, a webhook can never reach inside.
    pub allow_private_addresses: bool,
}

/// Publishing to channels.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Publishing {
    /// The key channels' credentials are sealed with: 32 bytes, base64.
    /// Unset: `publishing.key` in the data directory (made on first start).
    /// Instances sharing a database need the same key. Never written out by
    /// `default-config`.
    #[serde(skip_serializing)]
    pub key: Option<SecretString>,
    /// Let channels publish to private and local addresses (tests only).
    pub allow_private_addresses: bool,
}

/// The audit log's signed checkpoints.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Audit {
    /// The Ed25519 key that signs checkpoints: its 32-byte seed, base64.
    /// Unset: `audit-signing.key` in the data directory (made on first
    /// start). Keep it where the database's writers cannot read it. Never
    /// written out by `default-config`.
    #[serde(skip_serializing)]
    pub signing_key: Option<SecretString>,
    /// How often the worker signs every chain's head.
    pub checkpoint_minutes: i64,
    /// Append each checkpoint to this file (JSON lines).
    pub checkpoint_log: Option<PathBuf>,
    /// POST each batch of checkpoints here (a JSON array).
    pub checkpoint_webhook: Option<String>,
}

impl Default for Audit {
    fn default() -> Self {
        Audit { signing_key: None, checkpoint_minutes: 60, checkpoint_log: None, checkpoint_webhook: None }
    }
}

/// A 32-byte key from its base64 text.
pub fn parse_key(what: &str, text: &str) -> anyhow::Result<[u8; 32]> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).with_context(|| format!("{what}: not base64"))?;
    bytes.try_into().map_err(|_| anyhow!("{what}: must be 32 bytes (base64 of 32 random bytes)"))
}

impl Config {
    /// The publishing key: configured, or the data directory's own.
    pub fn publishing_key(&self) -> anyhow::Result<[u8; 32]> {
        self.key("publishing key", self.publishing.key.as_ref(), "publishing.key")
    }

    /// The audit signing key: configured, or the data directory's own.
    pub fn audit_key(&self) -> anyhow::Result<[u8; 32]> {
        self.key("audit signing key", self.audit.signing_key.as_ref(), "audit-signing.key")
    }

    pub fn checkpoint_settings(&self) -> greenlight_service::checkpoints::CheckpointSettings {
        greenlight_service::checkpoints::CheckpointSettings {
            every: jiff::SignedDuration::from_mins(self.audit.checkpoint_minutes.clamp(1, 60 * 24 * 366)),
            file: self.audit.checkpoint_log.clone(),
            webhook: self.audit.checkpoint_webhook.clone(),
        }
    }

    /// A configured key, or the one kept in the data directory (made once,
    /// readable by its owner only).
    fn key(&self, what: &str, configured: Option<&SecretString>, file: &str) -> anyhow::Result<[u8; 32]> {
        use base64::Engine as _;
        if let Some(key) = configured {
            return parse_key(what, key.expose_secret());
        }
        let path = self.data_dir.join(file);
        match std::fs::read_to_string(&path) {
            Ok(text) => parse_key(what, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = rand::random();
                write_private(&path, &base64::engine::general_purpose::STANDARD.encode(key))?;
                Ok(key)
            }
            Err(e) => Err(anyhow!("reading {}: {e}", path.display())),
        }
    }
}

/// Writes a file only its owner may read.
pub fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("writing {}", path.display()))
}

/// The background worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Jobs {
    /// How many jobs of each queue run at once (`reviews`: reminders,
    /// escalations, publish-time policies; `notify`: notifications and
    /// mail; `webhooks`: deliveries; `links`: link checks). A queue not
    /// named runs one job at a time.
    pub queues: std::collections::BTreeMap<String, usize>,
    /// How long finished jobs are kept before they are removed.
    pub keep_done_hours: i64,
    pub keep_failed_days: i64,
    /// How long a claim on a job holds unless renewed (a running job renews
    /// it every third of this). On PostgreSQL, a job whose instance died is
    /// taken up by another after this; on SQLite the restarted process
    /// takes it up at once.
    pub lease_seconds: i64,
}

impl Default for Jobs {
    fn default() -> Self {
        let worker = greenlight_service::worker::WorkerSettings::default();
        Jobs { queues: worker.queues, keep_done_hours: 24, keep_failed_days: 30, lease_seconds: worker.lease.as_secs() }
    }
}

impl Jobs {
    pub fn worker_settings(&self) -> greenlight_service::worker::WorkerSettings {
        greenlight_service::worker::WorkerSettings {
            queues: self.queues.clone(),
            keep_done: jiff::SignedDuration::from_hours(self.keep_done_hours.clamp(0, 24 * 3650)),
            keep_failed: jiff::SignedDuration::from_hours(24 * self.keep_failed_days.clamp(0, 3650)),
            lease: jiff::SignedDuration::from_secs(self.lease_seconds.clamp(3, 3600)),
            ..Default::default()
        }
    }
}

/// The SMTP server email goes through. Without a host nobody is emailed;
/// notifications stay in the app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Mail {
    pub host: Option<String>,
    pub port: u16,
    /// `starttls` (port 587), `tls` (port 465), or `none` (a local server only).
    pub tls: greenlight_delivery::TlsMode,
    pub username: Option<String>,
    /// Never written out by `default-config`.
    #[serde(skip_serializing)]
    pub password: Option<SecretString>,
    /// The sender, e.g. `Greenlight <greenlight@example.org>`.
    pub from: String,
}

impl Default for Mail {
    fn default() -> Self {
        Mail {
            host: None,
            port: 587,
            tls: greenlight_delivery::TlsMode::Starttls,
            username: None,
            password: None,
            from: "Greenlight <greenlight@localhost>".into(),
        }
    }
}

/// `GET /metrics` in the Prometheus text format.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Metrics {
    /// An address of its own for `/metrics` (e.g. `127.0.0.1:9464`), which
    /// then is not answered on `server.listen`; a `greenlight worker`
    /// answers it only here.
    pub listen: Option<String>,
    /// A bearer token `/metrics` asks for. Never written out by
    /// `default-config`.
    #[serde(skip_serializing)]
    pub token: Option<SecretString>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    /// `human` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `greenlight=debug,sqlx=warn`.
    pub filter: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("greenlight-data"),
            server: Server::default(),
            database: Database::default(),
            auth: Auth::default(),
            media: Media::default(),
            mail: Mail::default(),
            webhooks: Webhooks::default(),
            jobs: Jobs::default(),
            publishing: Publishing::default(),
            audit: Audit::default(),
            log: Log::default(),
            metrics: Metrics::default(),
        }
    }
}

impl Default for Server {
    fn default() -> Self {
        Server {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            request_timeout_secs: 30,
            max_body_kib: 1024,
            client_ip_header: None,
            trust_request_id: false,
            shutdown_secs: 30,
        }
    }
}

impl Default for Auth {
    fn default() -> Self {
        Auth { session_days: 14, login_attempts_per_minute: 5, link_failures_per_minute: 10 }
    }
}

impl Default for Media {
    fn default() -> Self {
        Media { max_upload_mib: 100, store: MediaStore::Local, s3: S3::default() }
    }
}

impl Default for Log {
    fn default() -> Self {
        Log { format: "human".into(), filter: "info".into() }
    }
}

/// The flags that override configuration.
#[derive(Debug, Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
}

impl Config {
    pub fn load(file: Option<&Path>, overrides: Overrides) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(Env::prefixed("GREENLIGHT__").split("__"));
        let mut merged: Value = figment.extract().map_err(|e| anyhow!("configuration: {e}"))?;
        read_value_files(&mut merged)?;
        let merged = Figment::from(Serialized::defaults(merged));
        let mut config: Config = merged.extract().map_err(|first| every_error(&merged, first))?;
        if let Some(dir) = overrides.data_dir {
            config.data_dir = dir;
        }
        if let Some(url) = overrides.database_url.filter(|u| !u.is_empty()) {
            config.database.url = Some(url.into());
        }
        if let Some(listen) = overrides.listen {
            config.server.listen = listen;
        }
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(Problems(problems).into());
        }
        Ok(config)
    }

    /// Every problem with the settings, at once (none: it is good to run).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut problem = |text: String| problems.push(text);
        if let Err(e) = address(&self.server.listen) {
            problem(format!("server.listen `{}`: {e}", self.server.listen));
        }
        if let Some(url) = &self.server.public_url {
            match url::Url::parse(url) {
                Ok(u) if !matches!(u.scheme(), "http" | "https") => {
                    problem(format!("server.public_url `{url}`: must start with https:// (or http:// for a local test)"))
                }
                Ok(u) if u.host_str().is_none_or(str::is_empty) => problem(format!("server.public_url `{url}`: has no host")),
                Ok(u) if u.query().is_some() || u.fragment().is_some() => {
                    problem(format!("server.public_url `{url}`: must not have a query or fragment"))
                }
                Ok(_) => {}
                Err(e) => problem(format!("server.public_url `{url}`: not a URL ({e})")),
            }
        }
        if self.server.request_timeout_secs == 0 {
            problem("server.request_timeout_secs must be more than 0".into());
        }
        if self.server.max_body_kib == 0 {
            problem("server.max_body_kib must be more than 0".into());
        }
        if let Some(name) = &self.server.client_ip_header
            && (name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            problem(format!("server.client_ip_header `{name}`: not a header name"));
        }
        if let Some(url) = &self.database.url {
            let url = url.expose_secret();
            let scheme = url.split_once(':').map_or(url, |(s, _)| s);
            if !matches!(scheme, "sqlite" | "postgres" | "postgresql") {
                problem(format!(
                    "database.url: unknown database URL scheme `{}`: use sqlite:… or postgres://…",
                    scheme.chars().take(32).collect::<String>()
                ));
            }
        }
        if self.database.max_connections == Some(0) {
            problem("database.max_connections must be at least 1".into());
        }
        if self.auth.session_days <= 0 {
            problem(format!("auth.session_days is {}: must be more than 0", self.auth.session_days));
        }
        if self.auth.login_attempts_per_minute == 0 {
            problem("auth.login_attempts_per_minute must be at least 1".into());
        }
        if self.auth.link_failures_per_minute == 0 {
            problem("auth.link_failures_per_minute must be at least 1".into());
        }
        if self.media.max_upload_mib == 0 {
            problem("media.max_upload_mib must be more than 0".into());
        }
        if self.media.store == MediaStore::S3 {
            let s3 = &self.media.s3;
            if s3.bucket.trim().is_empty() {
                problem("media.store = \"s3\" needs media.s3.bucket".into());
            }
            if let Some(endpoint) = &s3.endpoint
                && !url::Url::parse(endpoint).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
            {
                problem(format!("media.s3.endpoint `{endpoint}` is not an http(s) URL"));
            }
            if s3.access_key_id.is_some() != s3.secret_access_key.is_some() {
                problem("media.s3: give both access_key_id and secret_access_key, or neither (the environment's then)".into());
            }
        }
        if let Some(host) = &self.mail.host {
            if host.trim().is_empty() {
                problem("mail.host is empty: leave it out to send no email".into());
            } else if self.mail.tls == greenlight_delivery::TlsMode::None && !local_host(host) {
                problem(format!(
                    "mail.tls = \"none\" sends passwords and mail unencrypted: only for a server on this machine, not `{host}`"
                ));
            }
            if let Some(smtp) = self.smtp()
                && let Err(e) = greenlight_delivery::SmtpMailer::new(&smtp)
            {
                problem(format!("mail: {e}"));
            }
        }
        if !matches!(self.log.format.as_str(), "human" | "json") {
            problem(format!("log.format `{}`: use human or json", self.log.format));
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.filter) {
            problem(format!("log.filter `{}`: {e}", self.log.filter));
        }
        if self.audit.checkpoint_minutes < 1 {
            problem("audit.checkpoint_minutes must be at least 1".into());
        }
        if let Some(url) = &self.audit.checkpoint_webhook
            && url::Url::parse(url).map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
        {
            problem(format!("audit.checkpoint_webhook `{url}`: not an http(s) URL"));
        }
        for (what, key) in [("publishing.key", &self.publishing.key), ("audit.signing_key", &self.audit.signing_key)] {
            if let Some(key) = key
                && let Err(e) = parse_key(what, key.expose_secret())
            {
                problem(e.to_string());
            }
        }
        let known = greenlight_service::jobs::Registry::standard().queues();
        for (queue, limit) in &self.jobs.queues {
            if !known.contains(queue.as_str()) {
                problem(format!("jobs.queues.{queue}: no such queue (there are {})", known.iter().copied().collect::<Vec<_>>().join(", ")));
            } else if *limit == 0 {
                problem(format!("jobs.queues.{queue} must be at least 1"));
            }
        }
        if self.jobs.lease_seconds < 3 {
            problem("jobs.lease_seconds must be at least 3".into());
        }
        if let Some(listen) = &self.metrics.listen {
            if let Err(e) = address(listen) {
                problem(format!("metrics.listen `{listen}`: {e}"));
            } else if *listen == self.server.listen {
                problem("metrics.listen is server.listen: leave it out to answer /metrics there".into());
            }
        }
        if self.metrics.token.as_ref().is_some_and(|t| t.expose_secret().len() < 16) {
            problem("metrics.token must be at least 16 characters".into());
        }
        problems
    }

    /// The database to use: the configured URL, else SQLite in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!("sqlite://{}", self.data_dir.join("greenlight.db").display()),
        }
    }

    /// The address in links Greenlight sends (email).
    pub fn public_url(&self) -> String {
        self.server.public_url.clone().unwrap_or_else(|| format!("http://{}", self.server.listen))
    }

    /// The SMTP settings, if a mail server is configured.
    pub fn smtp(&self) -> Option<greenlight_delivery::SmtpSettings> {
        let host = self.mail.host.clone()?;
        Some(greenlight_delivery::SmtpSettings {
            host,
            port: self.mail.port,
            tls: self.mail.tls,
            username: self.mail.username.clone(),
            password: self.mail.password.as_ref().map(|p| p.expose_secret().to_owned()),
            from: self.mail.from.clone(),
        })
    }

    /// Where media bytes live.
    pub fn blob_store(&self) -> anyhow::Result<Arc<dyn greenlight_service::blobs::BlobStore>> {
        use greenlight_service::blobs::{FsBlobStore, S3BlobStore, S3Settings};
        Ok(match self.media.store {
            MediaStore::Local => Arc::new(FsBlobStore::new(self.data_dir.join("media"))),
            MediaStore::S3 => {
                let s3 = &self.media.s3;
                Arc::new(
                    S3BlobStore::new(&S3Settings {
                        bucket: s3.bucket.clone(),
                        endpoint: s3.endpoint.clone(),
                        region: s3.region.clone(),
                        access_key_id: s3.access_key_id.as_ref().map(|k| k.expose_secret().to_owned()),
                        secret_access_key: s3.secret_access_key.as_ref().map(|k| k.expose_secret().to_owned()),
                    })
                    .map_err(|e| anyhow::anyhow!("media.s3: {e}"))?,
                )
            }
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// The configuration as TOML, for `greenlight default-config`.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        Ok(toml::to_string_pretty(self)?)
    }
}

/// Every setting that does not read, not only the first: serde stops at
/// the first bad value, so each section is read again on its own.
fn every_error(figment: &Figment, first: figment::Error) -> anyhow::Error {
    fn section<T: serde::de::DeserializeOwned>(figment: &Figment, key: &str, errors: &mut Vec<String>) {
        if figment.contains(key)
            && let Err(e) = figment.extract_inner::<T>(key)
        {
            errors.extend(e.into_iter().map(|e| e.to_string()));
        }
    }
    let mut errors = Vec::new();
    section::<PathBuf>(figment, "data_dir", &mut errors);
    section::<Server>(figment, "server", &mut errors);
    section::<Database>(figment, "database", &mut errors);
    section::<Auth>(figment, "auth", &mut errors);
    section::<Media>(figment, "media", &mut errors);
    section::<Mail>(figment, "mail", &mut errors);
    section::<Webhooks>(figment, "webhooks", &mut errors);
    section::<Jobs>(figment, "jobs", &mut errors);
    section::<Publishing>(figment, "publishing", &mut errors);
    section::<Audit>(figment, "audit", &mut errors);
    section::<Log>(figment, "log", &mut errors);
    section::<Metrics>(figment, "metrics", &mut errors);
    if let (Ok(Value::Dict(_, given)), Ok(Value::Dict(_, known))) = (figment.extract::<Value>(), Value::serialize(Config::default())) {
        errors.extend(given.keys().filter(|k| !known.contains_key(*k)).map(|k| format!("unknown setting `{k}`")));
    }
    if errors.is_empty() {
        errors.push(first.to_string());
    }
    Problems(errors).into()
}

/// What is wrong with a configuration, every problem on its own line.
#[derive(Debug)]
pub struct Problems(pub Vec<String>);

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the configuration has {} problem(s):", self.0.len())?;
        self.0.iter().try_for_each(|p| write!(f, "\n  - {}", p.replace('\n', " ")))
    }
}

impl std::error::Error for Problems {}

/// `host:port` with a port (the host is resolved when listening).
fn address(text: &str) -> std::result::Result<(), String> {
    if text.parse::<std::net::SocketAddr>().is_ok() {
        return Ok(());
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(()),
        _ => Err("not an address like 127.0.0.1:8080".into()),
    }
}

/// This machine: where unencrypted SMTP reaches nobody else.
fn local_host(host: &str) -> bool {
    host == "localhost" || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Replaces every `<key>_file` setting with `<key>` set to the file's
/// contents (trimmed: secret files usually end in a newline).
fn read_value_files(value: &mut Value) -> anyhow::Result<()> {
    let Value::Dict(_, dict) = value else { return Ok(()) };
    let file_keys: Vec<String> = dict.keys().filter(|k| k.ends_with("_file")).cloned().collect();
    for file_key in file_keys {
        let key = file_key.trim_end_matches("_file").to_owned();
        let Some(Value::String(_, path)) = dict.remove(&file_key) else { bail!("configuration: {file_key} must be a file path") };
        let text = std::fs::read_to_string(&path).with_context(|| format!("configuration: reading {file_key} {path}"))?;
        dict.insert(key, Value::from(text.trim().to_owned()));
    }
    dict.values_mut().try_for_each(read_value_files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_database_url() {
        let mut config = Config::default();
        config.database.url = Some("postgres://u:hunter2@db/greenlight".to_owned().into());
        let text = format!("{config:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert_eq!(config.database_url(), "postgres://u:hunter2@db/greenlight");
    }

    #[test]
    #[expect(clippy::result_large_err, reason = "figment's Jail fixes the closure's error type")]
    fn layers_override_in_order_and_values_come_from_files() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("greenlight.toml", "[server]\nlisten = \"0.0.0.0:1\"\nrequest_timeout_secs = 5\n[auth]\nsession_days = 3")?;
            jail.create_file("db-url", "postgres://u:hunter2@db/greenlight\n")?;
            jail.set_env("GREENLIGHT__SERVER__REQUEST_TIMEOUT_SECS", "7");
            jail.set_env("GREENLIGHT__DATABASE__URL_FILE", "db-url");
            let file = Some(Path::new("greenlight.toml"));
            let config = Config::load(file, Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.server.listen, "0.0.0.0:1", "the file beats the default");
            assert_eq!(config.server.request_timeout_secs, 7, "the environment beats the file");
            assert_eq!(config.auth.session_days, 3);
            assert_eq!(config.auth.login_attempts_per_minute, Auth::default().login_attempts_per_minute);
            assert_eq!(config.database_url(), "postgres://u:hunter2@db/greenlight");

            let flags =
                Overrides { listen: Some("127.0.0.1:2".into()), database_url: Some("sqlite::memory:".into()), ..Overrides::default() };
            let config = Config::load(file, flags).map_err(|e| e.to_string())?;
            assert_eq!(config.server.listen, "127.0.0.1:2", "a flag beats everything");
            assert_eq!(config.database_url(), "sqlite::memory:");

            jail.set_env("GREENLIGHT__DATABASE__URL_FILE", "missing");
            let err = Config::load(file, Overrides::default()).map(|_| ()).map_err(|e| format!("{e:#}")).unwrap_err();
            assert!(err.contains("url_file") && err.contains("missing"), "{err}");
            jail.set_env("GREENLIGHT__DATABASE__URL_FILE", "db-url");
            jail.set_env("GREENLIGHT__SERVER__NO_SUCH_SETTING", "1");
            let err = Config::load(file, Overrides::default()).map(|_| ()).map_err(|e| e.to_string()).unwrap_err();
            assert!(err.contains("no_such_setting"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn defaults_round_trip_through_toml() {
        let text = Config::default().to_toml().unwrap();
        let parsed: Config = toml::from_str(&text).unwrap();
        assert_eq!(parsed.server.listen, "127.0.0.1:8080");
        assert!(!text.contains("url ="), "{text}");
    }
}
