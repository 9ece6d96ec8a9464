//! A real server on a real database (SQLite file or a fresh PostgreSQL
//! schema), driven over HTTP.

use std::sync::Arc;

use greenlight_service::{App, Caller, Settings, accounts, blobs::FsBlobStore, clock::ManualClock};
use greenlight_store::Db;
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::Value;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "correct horse battery";

pub struct Harness {
    pub app: App,
    pub base: String,
    pub db_url: String,
    pub data_dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub backend: Backend,
}

/// The PostgreSQL server tests use: `GREENLIGHT_TEST_POSTGRES`, else the local one.
pub fn postgres_base() -> String {
    std::env::var("GREENLIGHT_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh schema per test; schemas left by crashed runs over an hour ago are dropped.
pub async fn postgres_schema() -> String {
    let base = postgres_base();
    let pool = sqlx::PgPool::connect(&base).await.unwrap_or_else(|e| panic!("PostgreSQL at {base} is required for the tests: {e}"));
    let now = jiff::Timestamp::now().as_second();
    let stale: Vec<(String,)> =
        sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'gltest\\_%'").fetch_all(&pool).await.unwrap();
    for (name,) in stale {
        let born: i64 = name.split('_').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        if now - born > 3600 {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {name} CASCADE"))).execute(&pool).await;
        }
    }
    let schema = format!("gltest_{now}_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&pool).await.unwrap();
    pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options[search_path]={schema}")
}

/// Applies the migrations up to `version` only.
pub async fn migrate_to(db_url: &str, backend: Backend, version: i64) {
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(db_url).await.unwrap();
            sqlx::migrate!("../store/migrations/sqlite").run_to(version, &pool).await.unwrap();
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(db_url).await.unwrap();
            sqlx::migrate!("../store/migrations/postgres").run_to(version, &pool).await.unwrap();
            pool.close().await;
        }
    }
}

impl Harness {
    pub async fn start(backend: Backend) -> Harness {
        Self::start_with(backend, None).await
    }

    /// A harness whose email goes to `mailer`.
    pub async fn start_with(backend: Backend, mailer: Option<greenlight_delivery::SmtpMailer>) -> Harness {
        Self::start_opts(backend, mailer, true).await
    }

    /// `allow_private_webhooks`: whether webhooks may call this machine
    /// (test receivers do).
    pub async fn start_opts(backend: Backend, mailer: Option<greenlight_delivery::SmtpMailer>, allow_private_webhooks: bool) -> Harness {
        Self::start_migrated(backend, mailer, allow_private_webhooks, None).await
    }

    /// A harness on a database migrated only up to `version` (an older
    /// release's schema), to test upgrades.
    pub async fn start_at_migration(backend: Backend, version: i64) -> Harness {
        Self::start_migrated(backend, None, true, Some(version)).await
    }

    async fn start_migrated(
        backend: Backend,
        mailer: Option<greenlight_delivery::SmtpMailer>,
        allow_private_webhooks: bool,
        up_to: Option<i64>,
    ) -> Harness {
        let data_dir = tempfile::tempdir().unwrap();
        let db_url = match backend {
            Backend::Sqlite => format!("sqlite://{}", data_dir.path().join("greenlight.db").display()),
            Backend::Postgres => postgres_schema().await,
        };
        let db = Db::connect(&db_url).await.unwrap();
        match up_to {
            None => db.migrate().await.unwrap(),
            Some(version) => migrate_to(&db_url, backend, version).await,
        }
        let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = App {
            db,
            clock: clock.clone(),
            blobs: Arc::new(FsBlobStore::new(data_dir.path().join("media"))),
            settings: Arc::new(Settings {
                scratch_dir: data_dir.path().join("scratch"),
                max_upload_bytes: 256 * 1024,
                session_days: 14,
                public_url: base.clone(),
                allow_private_webhooks,
                allow_private_publishing: true,
            }),
            mailer: mailer.map(|m| Arc::new(m) as Arc<dyn greenlight_service::mail::Mailer>),
            webhooks: Arc::new(greenlight_delivery::HttpSender::new(allow_private_webhooks).unwrap()),
            links: Arc::new(greenlight_delivery::LinkProber::new(allow_private_webhooks).unwrap()),
            guides: Default::default(),
            vault: Arc::new(greenlight_service::publishing::Vault::new(&[7; 32])),
            connectors: Arc::new(greenlight_networks::connectors(true).unwrap()),
            checkpoints: Arc::new(greenlight_service::checkpoints::Signer::new(
                &[8; 32],
                greenlight_service::checkpoints::CheckpointSettings {
                    every: jiff::SignedDuration::from_hours(1),
                    file: Some(data_dir.path().join("checkpoints.jsonl")),
                    webhook: None,
                },
            )),
            metrics: Default::default(),
        };
        let web = greenlight_web::WebSettings { max_body_bytes: 64 * 1024, ..Default::default() };
        let router = greenlight_web::router(app.clone(), web);
        tokio::spawn(greenlight_web::serve(listener, router, std::future::pending()));
        Harness { app, base, db_url, data_dir, clock, backend }
    }

    /// Runs SQL on the test database behind Greenlight's back.
    pub async fn raw(&self, statements: &[&str]) -> Result<(), sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.db_url).await?;
                for s in statements {
                    sqlx::query(sqlx::AssertSqlSafe(s.to_string())).execute(&pool).await?;
                }
                pool.close().await;
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.db_url).await?;
                for s in statements {
                    sqlx::query(sqlx::AssertSqlSafe(s.to_string())).execute(&pool).await?;
                }
                pool.close().await;
            }
        }
        Ok(())
    }

    /// Moves the clock on and runs every job due by then, as the worker
    /// would; returns how many ran.
    pub async fn pass(&self, by: jiff::SignedDuration) -> usize {
        self.clock.advance(by);
        self.worker().drain().await.unwrap()
    }

    /// A worker with every job type and the default settings.
    pub fn worker(&self) -> greenlight_service::worker::Worker {
        use greenlight_service::{
            jobs::Registry,
            worker::{Worker, WorkerSettings},
        };
        Worker::new(self.app.clone(), Registry::standard(), WorkerSettings::default())
    }

    /// Creates a user directly (as the CLI would).
    pub async fn user(&self, email: &str, is_admin: bool) -> greenlight_service::views::User {
        let input = accounts::NewUser {
            email: email.into(),
            name: email.split('@').next().unwrap_or(email).into(),
            password: PASSWORD.into(),
            is_admin,
        };
        accounts::create_user(&self.app, &Caller::cli(), input).await.unwrap()
    }

    pub async fn login(&self, email: &str) -> Client {
        self.login_with(email, PASSWORD).await
    }

    pub async fn login_with(&self, email: &str, password: &str) -> Client {
        let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let res = http
            .post(format!("{}/api/v1/session", self.base))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "login {email}");
        let body: Value = res.json().await.unwrap();
        Client { http, base: self.base.clone(), csrf: body["csrf_token"].as_str().map(String::from), bearer: None }
    }

    /// A client with no credentials.
    pub fn anonymous(&self) -> Client {
        Client { http: reqwest::Client::new(), base: self.base.clone(), csrf: None, bearer: None }
    }

    pub fn bearer(&self, token: &str) -> Client {
        Client { http: reqwest::Client::new(), base: self.base.clone(), csrf: None, bearer: Some(token.into()) }
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Client {
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.http.request(method, format!("{}/api/v1{path}", self.base));
        if let Some(csrf) = &self.csrf {
            req = req.header("x-csrf-token", csrf);
        }
        if let Some(bearer) = &self.bearer {
            req = req.bearer_auth(bearer);
        }
        req
    }

    pub async fn send(req: reqwest::RequestBuilder) -> Reply {
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Self::send(self.request(Method::POST, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value, if_match: Option<&str>) -> Reply {
        let mut req = self.request(Method::PATCH, path).json(&body);
        if let Some(v) = if_match {
            req = req.header("if-match", v);
        }
        Self::send(req).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        Self::send(self.request(Method::PUT, path).json(&body)).await
    }

    pub async fn put_if(&self, path: &str, body: Value, if_match: &str) -> Reply {
        Self::send(self.request(Method::PUT, path).json(&body).header("if-match", if_match)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        Self::send(self.request(Method::DELETE, path)).await
    }
}

/// A workspace with one member per role, and a channel.
pub struct World {
    /// The name its members' emails are made from (`creator@{name}.example.org`).
    pub name: String,
    pub ws: String,
    pub channel: String,
    pub admin: Client,
}

pub const ROLES: [&str; 6] = ["owner", "admin", "manager", "creator", "reviewer", "viewer"];

impl Harness {
    pub async fn world(&self, name: &str) -> World {
        let admin_email = format!("root-{name}@example.org");
        self.user(&admin_email, true).await;
        let admin = self.login(&admin_email).await;
        let owner_email = format!("owner@{name}.example.org");
        self.user(&owner_email, false).await;
        let ws = admin
            .post("/workspaces", serde_json::json!({"name": name, "time_zone": "Europe/Copenhagen", "owner_email": owner_email}))
            .await;
        assert_eq!(ws.status, StatusCode::CREATED, "{}", ws.body);
        let ws = ws.body["id"].as_str().unwrap().to_owned();
        for role in &ROLES[1..] {
            let email = format!("{role}@{name}.example.org");
            self.user(&email, false).await;
            let r = admin.post(&format!("/workspaces/{ws}/members"), serde_json::json!({"email": email, "role": role})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let ch = admin
            .post(
                &format!("/workspaces/{ws}/channels"),
                serde_json::json!({"network": "bluesky", "handle": format!("{name}.bsky.social"), "display_name": name}),
            )
            .await;
        assert_eq!(ch.status, StatusCode::CREATED, "{}", ch.body);
        World { name: name.to_owned(), ws, channel: ch.body["id"].as_str().unwrap().to_owned(), admin }
    }
}

/// A real SMTP server (`scripts/smtp-sink`, aiosmtpd) for one test; what
/// it receives is read back as JSON. Stops when dropped.
pub struct MailSink {
    _child: tokio::process::Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl MailSink {
    pub async fn start() -> MailSink {
        let dir = tempfile::tempdir().unwrap();
        let (child, port) = ready_script("smtp-sink", dir.path().as_os_str(), "python3 with aiosmtpd").await;
        MailSink { _child: child, dir, port }
    }

    pub fn mailer(&self) -> greenlight_delivery::SmtpMailer {
        Self::mailer_at(self.port)
    }

    /// A mailer for a port (one nobody listens on, to see failures).
    pub fn mailer_at(port: u16) -> greenlight_delivery::SmtpMailer {
        greenlight_delivery::SmtpMailer::new(&greenlight_delivery::SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls: greenlight_delivery::TlsMode::None,
            username: None,
            password: None,
            from: "Greenlight <greenlight@test.example>".into(),
        })
        .unwrap()
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Value> {
        let mut paths: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths.into_iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    /// The messages to one address.
    pub fn to(&self, address: &str) -> Vec<Value> {
        self.messages().into_iter().filter(|m| m["to"] == serde_json::json!([address])).collect()
    }
}

/// Starts one of `scripts/` that serves on a port of its own and says
/// `ready PORT` on its first line; stops with the child.
async fn ready_script(name: &str, arg: &std::ffi::OsStr, needs: &str) -> (tokio::process::Child, u16) {
    use tokio::io::AsyncBufReadExt;
    let script = format!("{}/../../scripts/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut child = tokio::process::Command::new(script)
        .arg(arg)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("scripts/{name} needs {needs} (scripts/test installs it): {e}"));
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    tokio::io::BufReader::new(stdout).read_line(&mut line).await.unwrap();
    let port = line.trim().strip_prefix("ready ").and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("{name} said {line:?}"));
    (child, port)
}

/// A server that speaks the S3 API (`scripts/s3-server`, moto) with one
/// empty bucket, for one test. Stops when dropped.
pub struct S3Server {
    _child: tokio::process::Child,
    pub endpoint: String,
    pub bucket: String,
}

impl S3Server {
    pub async fn start(bucket: &str) -> S3Server {
        let (child, port) = ready_script("s3-server", bucket.as_ref(), "python3 with moto[server]").await;
        S3Server { _child: child, endpoint: format!("http://127.0.0.1:{port}"), bucket: bucket.to_owned() }
    }
}
