//! `greenlight`: the server and its administration commands.

mod config;

use std::{io::Read, path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use anyhow::{Context, anyhow};
use clap::{Args, Parser, Subcommand};
use config::{Config, Overrides};
use greenlight_service::{
    App, Caller, Settings, accounts, audit,
    checkpoints::{self, Signer},
    clock::SystemClock,
    demo::{self, Seeded},
    jobs::Registry,
    publishing::Vault,
    worker::Worker,
    workspaces,
};
use greenlight_store::Db;
use greenlight_web::WebSettings;
use tokio::sync::watch;

/// Greenlight: plan, approve and publish social media posts, with a
/// verifiable record of who approved what.
#[derive(Parser)]
#[command(version, about, propagate_version = true)]
struct Cli {
    /// A TOML configuration file (see `greenlight default-config`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where the data is; every command that touches the database takes these.
#[derive(Args, Clone, Default)]
struct Storage {
    /// Directory for the SQLite database, media and scratch files [default: ./greenlight-data]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// `postgres://…` or `sqlite:…`; default SQLite in the data directory.
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrating the database first).
    Serve {
        #[command(flatten)]
        storage: Storage,
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Seed the demo data first (once; a no-op if it is there).
        #[arg(long)]
        demo: bool,
        /// Serve requests only; jobs (notifications, mail, webhooks,
        /// publishing) are left to `greenlight worker` processes.
        #[arg(long)]
        no_worker: bool,
    },
    /// Run only the job worker (notifications, mail, webhooks, publishing,
    /// reminders), beside servers started with `--no-worker`.
    Worker {
        #[command(flatten)]
        storage: Storage,
    },
    /// Back up the instance into one file while it runs: a consistent copy
    /// of the SQLite database, the media and the keys, with a manifest
    /// (printed). On PostgreSQL the database is left to pg_dump.
    Backup {
        /// The file to write (it must not exist).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        #[command(flatten)]
        storage: Storage,
    },
    /// Restore a backup into an empty data directory and check it: every
    /// file against the manifest, the rows per table, the audit chains'
    /// heads, and every chain verifying (exit code 2 if anything differs).
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The data directory to restore into.
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
        /// Write over what the directory holds.
        #[arg(long)]
        force: bool,
    },
    /// Copy the whole instance's database into a new, empty one (SQLite to
    /// PostgreSQL or back): every row as it is, then each table's checksum
    /// compared and every audit chain verified on the target (exit code 2
    /// if anything differs). Media stay where they are.
    Copy {
        /// The database to copy into (`postgres://…` or `sqlite:…`).
        #[arg(long, value_name = "URL")]
        to: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// Check the whole configuration and say every problem at once (exits
    /// 1 if there is any).
    CheckConfig {
        #[command(flatten)]
        storage: Storage,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        storage: Storage,
    },
    /// Seed the demo data: a hospital team and an agency with two clients.
    Demo {
        #[command(flatten)]
        storage: Storage,
    },
    /// Administer users, workspaces and tokens.
    #[command(subcommand)]
    Admin(Admin),
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Workflow analytics.
    #[command(subcommand)]
    Analytics(AnalyticsCommand),
    /// Print the default configuration as TOML.
    DefaultConfig,
}

#[derive(Subcommand)]
enum Admin {
    /// Create a user; the password is read from standard input.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Make the user an instance administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        storage: Storage,
    },
    /// Set a user's password (read from standard input) and end their sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        storage: Storage,
    },
    /// Seal every channel's credentials again under a new publishing key
    /// (base64 of 32 random bytes, read from a file), then point
    /// `publishing.key_file` at it.
    RotateKey {
        /// The file that holds the new key.
        #[arg(long, value_name = "FILE")]
        new_key_file: PathBuf,
        #[command(flatten)]
        storage: Storage,
    },
    /// Create a workspace, owned by the given user.
    CreateWorkspace {
        #[arg(long)]
        name: String,
        /// IANA time zone, e.g. Europe/Copenhagen.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        /// Email of the first owner.
        #[arg(long)]
        owner: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// Add a user to a workspace with a role.
    AddMember {
        #[arg(long, value_name = "WORKSPACE_ID")]
        workspace: String,
        #[arg(long)]
        email: String,
        /// owner, admin, manager, creator, reviewer or viewer.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        storage: Storage,
    },
    /// Create an API token acting for a member; prints the secret once.
    CreateToken {
        #[arg(long, value_name = "WORKSPACE_ID")]
        workspace: String,
        /// The member the token acts for.
        #[arg(long)]
        email: String,
        /// A name to recognise the token by.
        #[arg(long)]
        name: String,
        /// The token's role (never more than the member's).
        #[arg(long)]
        role: String,
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Re-compute every hash chain and report the first broken link of each,
    /// then every revision and review against what the chain recorded.
    /// Exits 2 if anything disagrees.
    Verify {
        /// Exported checkpoints (JSON lines) the chains must still extend.
        #[arg(long, value_name = "FILE")]
        checkpoints: Option<PathBuf>,
        /// The key that signed them, base64 (default: the configured key's).
        #[arg(long, value_name = "BASE64")]
        public_key: Option<String>,
        #[command(flatten)]
        storage: Storage,
    },
    /// Sign every chain's head now; print the checkpoints as JSON lines (and
    /// export them to `audit.checkpoint_log` / `audit.checkpoint_webhook`).
    Checkpoint {
        #[command(flatten)]
        storage: Storage,
    },
    /// Print the public key that verifies this instance's checkpoints.
    PublicKey {
        #[command(flatten)]
        storage: Storage,
    },
}

#[derive(Subcommand)]
enum AnalyticsCommand {
    /// Forget the review facts and fold them again from the audit log (the
    /// source of truth), for one workspace or all.
    Rebuild {
        /// The workspace's id (default: every workspace).
        #[arg(long, value_name = "ID")]
        workspace: Option<String>,
        #[command(flatten)]
        storage: Storage,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(err) => {
            match err.downcast_ref::<config::Problems>() {
                Some(problems) => eprintln!("error: {problems}"),
                None => eprintln!("error: {}", one_line(&err)),
            }
            ExitCode::FAILURE
        }
    }
}

fn one_line(err: &anyhow::Error) -> String {
    err.chain().map(|e| e.to_string()).collect::<Vec<_>>().join(": ").replace('\n', " ")
}

fn load(config_file: Option<&PathBuf>, storage: &Storage, listen: Option<String>) -> anyhow::Result<Config> {
    let overrides = Overrides { data_dir: storage.data_dir.clone(), database_url: storage.database_url.clone(), listen };
    Config::load(config_file.map(|p| p.as_path()), overrides)
}

/// Opens and migrates the database, and builds the application.
async fn open(config: &Config) -> anyhow::Result<App> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| format!("creating {}", config.data_dir.display()))?;
    let db = Db::connect_with(&config.database_url(), config.database.max_connections).await.context("opening the database")?;
    db.migrate().await.context("migrating the database")?;
    let mailer = match config.smtp() {
        Some(smtp) => Some(Arc::new(greenlight_delivery::SmtpMailer::new(&smtp).map_err(|e| anyhow!("mail settings: {e}"))?)
            as Arc<dyn greenlight_service::mail::Mailer>),
        None => None,
    };
    Ok(App {
        db,
        clock: Arc::new(SystemClock),
        blobs: config.blob_store()?,
        settings: Arc::new(Settings {
            scratch_dir: config.data_dir.join("scratch"),
            max_upload_bytes: config.media.max_upload_mib * 1024 * 1024,
            session_days: config.auth.session_days,
            public_url: config.public_url(),
            allow_private_webhooks: config.webhooks.allow_private_addresses,
            allow_private_publishing: config.publishing.allow_private_addresses,
        }),
        mailer,
        webhooks: Arc::new(
            greenlight_delivery::HttpSender::new(config.webhooks.allow_private_addresses).map_err(|e| anyhow!("the HTTP client: {e}"))?,
        ),
        links: Arc::new(
            greenlight_delivery::LinkProber::new(config.webhooks.allow_private_addresses).map_err(|e| anyhow!("the HTTP client: {e}"))?,
        ),
        guides: Default::default(),
        vault: Arc::new(Vault::new(&config.publishing_key()?)),
        connectors: Arc::new(
            greenlight_networks::connectors(config.publishing.allow_private_addresses).map_err(|e| anyhow!("the HTTP client: {e}"))?,
        ),
        checkpoints: Arc::new(Signer::new(&config.audit_key()?, config.checkpoint_settings())),
        metrics: Default::default(),
    })
}

fn read_password() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).context("reading the password from standard input")?;
    let password = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text).to_owned();
    Ok(password)
}

/// Service errors in one line, with field errors spelled out.
fn service(err: greenlight_service::Error) -> anyhow::Error {
    match err {
        greenlight_service::Error::Invalid(fields) => {
            anyhow!("{}", fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "))
        }
        other => anyhow!("{other}"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = cli.config.as_ref();
    match cli.command {
        Command::DefaultConfig => {
            print!("{}", Config::default().to_toml()?);
        }
        Command::Serve { storage, listen, demo, no_worker } => {
            let config = load(file, &storage, listen)?;
            init_logging(&config)?;
            let app = open(&config).await?;
            if demo {
                seed_demo(&app).await?;
            }
            serve(&config, app, !no_worker).await?;
        }
        Command::Worker { storage } => {
            let config = load(file, &storage, None)?;
            init_logging(&config)?;
            let app = open(&config).await?;
            work(&config, app).await?;
        }
        Command::Backup { to, storage } => {
            let config = load(file, &storage, None)?;
            let app = open(&config).await?;
            let keys = [
                ("publishing.key", config.data_dir.join("publishing.key")),
                ("audit-signing.key", config.data_dir.join("audit-signing.key")),
            ];
            let manifest = greenlight_service::backup::backup(&app, &keys, &to).await.map_err(service)?;
            app.db.close().await;
            println!("{}", serde_json::to_string_pretty(&manifest)?);
            eprintln!(
                "backed up to {}: {} rows in {} tables, {} blobs, {} audit chains{}",
                to.display(),
                manifest.tables.values().sum::<i64>(),
                manifest.tables.len(),
                manifest.blobs.len(),
                manifest.audit_heads.len(),
                if manifest.database.is_none() { "; the database is PostgreSQL: back it up with pg_dump (see the README)" } else { "" },
            );
        }
        Command::Restore { from, data_dir, force } => {
            let restored = greenlight_service::backup::restore(&from, &data_dir, force).await.map_err(service)?;
            let m = &restored.manifest;
            println!("restored {} (Greenlight {}, {}) into {}", from.display(), m.greenlight_version, m.created_at, data_dir.display());
            println!("{} blobs, keys: {}", m.blobs.len(), if m.keys.is_empty() { "none".into() } else { m.keys.join(", ") });
            if !restored.problems.is_empty() {
                for problem in &restored.problems {
                    println!("PROBLEM {problem}");
                }
                return Ok(ExitCode::from(2));
            }
            if m.database.is_some() {
                println!(
                    "{} rows in {} tables as the manifest says; all {} audit chains verify",
                    m.tables.values().sum::<i64>(),
                    m.tables.len(),
                    restored.chains
                );
            } else {
                println!("the database was PostgreSQL: restore it with pg_restore (see the README), then start Greenlight");
            }
        }
        Command::Copy { to, storage } => {
            let config = load(file, &storage, None)?;
            let from = Db::connect(&config.database_url()).await.context("opening the source database")?;
            let target = Db::connect(&to).await.context("opening the target database")?;
            let copied = greenlight_service::copy::copy(&from, &target).await.map_err(service);
            from.close().await;
            target.close().await;
            let copied = copied?;
            for table in &copied.tables {
                println!(
                    "{:<28} {:>9} rows  {}  {}",
                    table.name,
                    table.rows,
                    &table.checksum[..16],
                    if table.matches { "same" } else { "DIFFERENT" }
                );
            }
            if !copied.problems.is_empty() {
                for problem in &copied.problems {
                    println!("PROBLEM {problem}");
                }
                return Ok(ExitCode::from(2));
            }
            println!(
                "copied {} rows in {} tables; every table's checksum is the same on the target and all {} audit chains verify there",
                copied.tables.iter().map(|t| t.rows).sum::<u64>(),
                copied.tables.len(),
                copied.chains
            );
        }
        Command::CheckConfig { storage } => {
            // `load` refuses a configuration with problems, naming them all.
            let config = load(file, &storage, None)?;
            println!("the configuration is good: {} database, listening on {}", backend(&config), config.server.listen);
        }
        Command::Migrate { storage } => {
            let config = load(file, &storage, None)?;
            open(&config).await?;
            println!("database is up to date");
        }
        Command::Demo { storage } => {
            let app = open(&load(file, &storage, None)?).await?;
            seed_demo(&app).await?;
        }
        Command::Admin(admin) => admin_command(file, admin).await?,
        Command::Audit(command) => return audit_command(file, command).await,
        Command::Analytics(AnalyticsCommand::Rebuild { workspace, storage }) => {
            let app = open(&load(file, &storage, None)?).await?;
            let rebuilt = match workspace {
                Some(id) => {
                    let id = id.parse().map_err(|_| anyhow!("--workspace: `{id}` is not a workspace id"))?;
                    greenlight_service::analytics::rebuild(&app, id).await
                }
                None => greenlight_service::analytics::rebuild_all(&app).await,
            }
            .map_err(service)?;
            println!("review facts rebuilt from the audit log: {} workspaces, {} posts", rebuilt.workspaces, rebuilt.posts);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit_command(file: Option<&PathBuf>, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { checkpoints, public_key, storage } => {
            let app = open(&load(file, &storage, None)?).await?;
            let reports = audit::verify_all(&app.db).await.map_err(service)?;
            let mut intact = true;
            for report in &reports {
                match &report.outcome {
                    audit::Outcome::Intact(v) if report.mismatches.is_empty() => {
                        println!("ok      {} ({} events, head {})", report.chain, v.events, v.head)
                    }
                    audit::Outcome::Intact(_) => {}
                    audit::Outcome::Broken(b) => println!("BROKEN  {b}"),
                }
                for mismatch in &report.mismatches {
                    println!("MISMATCH {}: {mismatch}", report.chain);
                }
                intact &= report.is_intact();
            }
            if let Some(path) = checkpoints {
                let trusted = match public_key {
                    Some(text) => checkpoints::parse_public_key(&text).map_err(|e| anyhow!("--public-key: {e}"))?,
                    None => app.checkpoints.verifying_key(),
                };
                let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                let mut exported = Vec::new();
                for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                    let checkpoint =
                        serde_json::from_str(line).with_context(|| format!("{} line {}: not a checkpoint", path.display(), i + 1))?;
                    exported.push(checkpoint);
                }
                let checks = checkpoints::verify_checkpoints(&app.db, &exported, &trusted).await.map_err(service)?;
                for check in &checks {
                    match &check.problem {
                        None => println!("ok      checkpoint {} #{} ({})", check.chain, check.seq, check.at),
                        Some(problem) => {
                            intact = false;
                            println!("CHECKPOINT {} #{} ({}): {problem}", check.chain, check.seq, check.at);
                        }
                    }
                }
                println!("{} checkpoints checked", checks.len());
            }
            if !intact {
                return Ok(ExitCode::from(2));
            }
            println!("all {} chains verify", reports.len());
        }
        AuditCommand::Checkpoint { storage } => {
            let app = open(&load(file, &storage, None)?).await?;
            for checkpoint in checkpoints::checkpoint(&app).await.map_err(service)? {
                println!("{}", serde_json::to_string(&checkpoint)?);
            }
        }
        AuditCommand::PublicKey { storage } => {
            let app = open(&load(file, &storage, None)?).await?;
            println!("{}", app.checkpoints.public_key());
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn admin_command(file: Option<&PathBuf>, admin: Admin) -> anyhow::Result<()> {
    let cli = Caller::cli();
    match admin {
        Admin::CreateUser { email, name, admin, storage, .. } => {
            let password = read_password()?;
            let app = open(&load(file, &storage, None)?).await?;
            let input = accounts::NewUser { email, name, password, is_admin: admin };
            let user = accounts::create_user(&app, &cli, input).await.map_err(service)?;
            println!("created user {} ({})", user.email, user.id);
        }
        Admin::ResetPassword { email, storage, .. } => {
            let password = read_password()?;
            let app = open(&load(file, &storage, None)?).await?;
            let user = accounts::user_by_email(&app, &email).await.map_err(service)?;
            accounts::set_password(&app, &cli, user.id, &password, None).await.map_err(service)?;
            println!("password set for {}; their sessions have ended", user.email);
        }
        Admin::RotateKey { new_key_file, storage } => {
            let text = std::fs::read_to_string(&new_key_file).with_context(|| format!("reading {}", new_key_file.display()))?;
            let new = Vault::new(&config::parse_key("publishing key", &text)?);
            let app = open(&load(file, &storage, None)?).await?;
            let count = greenlight_service::publishing::rotate_key(&app, &new).await.map_err(service)?;
            println!("sealed {count} channel connection(s) with the new key; now set publishing.key_file = {}", new_key_file.display());
        }
        Admin::CreateWorkspace { name, time_zone, owner, storage } => {
            let app = open(&load(file, &storage, None)?).await?;
            let input = workspaces::NewWorkspace { name, time_zone, owner_email: Some(owner) };
            let ws = workspaces::create_workspace(&app, &cli, input).await.map_err(service)?;
            println!("created workspace {} ({})", ws.name, ws.id);
        }
        Admin::AddMember { workspace, email, role, storage } => {
            let ws = workspace.parse().map_err(|_| anyhow!("`{workspace}` is not a workspace id"))?;
            let app = open(&load(file, &storage, None)?).await?;
            let member = workspaces::add_member(&app, &cli, ws, workspaces::NewMember { email, role }).await.map_err(service)?;
            println!("{} is now {} in workspace {ws}", member.email, member.role);
        }
        Admin::CreateToken { workspace, email, name, role, storage } => {
            let ws = workspace.parse().map_err(|_| anyhow!("`{workspace}` is not a workspace id"))?;
            let app = open(&load(file, &storage, None)?).await?;
            let user = accounts::user_by_email(&app, &email).await.map_err(service)?;
            let created =
                accounts::create_token(&app, &cli, ws, Some(user.id), accounts::NewToken { name, role }).await.map_err(service)?;
            eprintln!("token {} ({}) for {}: shown once, store it now", created.token.name, created.token.role, user.email);
            println!("{}", created.secret);
        }
    }
    Ok(())
}

async fn seed_demo(app: &App) -> anyhow::Result<()> {
    match demo::seed(app).await.map_err(service)? {
        Seeded::Created => println!("demo data seeded"),
        Seeded::AlreadyThere => println!("demo data is already there"),
    }
    Ok(())
}

fn init_logging(config: &Config) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&config.log.filter))
        .map_err(|e| anyhow!("log filter: {e}"))?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log.format.as_str() {
        "json" => builder.json().init(),
        "human" => builder.init(),
        other => return Err(anyhow!("log format `{other}`: use human or json")),
    }
    Ok(())
}

fn backend(config: &Config) -> &'static str {
    if config.database_url().starts_with("sqlite") { "SQLite" } else { "PostgreSQL" }
}

fn web_settings(config: &Config) -> WebSettings {
    WebSettings {
        secure_cookies: config.secure_cookies(),
        max_body_bytes: config.server.max_body_kib * 1024,
        request_timeout: Duration::from_secs(config.server.request_timeout_secs),
        login_attempts_per_minute: config.auth.login_attempts_per_minute,
        link_failures_per_minute: config.auth.link_failures_per_minute,
        client_ip_header: config.server.client_ip_header.clone(),
        trust_request_id: config.server.trust_request_id,
        metrics_here: config.metrics.listen.is_none(),
        metrics_token: metrics_token(config),
    }
}

fn metrics_token(config: &Config) -> Option<String> {
    config.metrics.token.as_ref().map(|t| secrecy::ExposeSecret::expose_secret(t).to_owned())
}

/// What runs in the background whichever process starts: the recurring
/// jobs are scheduled (once, however many processes ask), and facts are
/// folded for workspaces from before analytics.
async fn schedule_background(app: &App) -> anyhow::Result<()> {
    checkpoints::schedule(app).await.map_err(service)?;
    greenlight_service::weekly_report::schedule(app).await.map_err(service)?;
    greenlight_service::analytics::rebuild_missing(app).await.map_err(service)?;
    Ok(())
}

/// The job worker, until `stopping` turns true (then within the shutdown
/// deadline).
fn spawn_worker(app: &App, config: &Config, stopping: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let mut settings = config.jobs.worker_settings();
    settings.stop_within = Duration::from_secs(config.server.shutdown_secs);
    tokio::spawn(Worker::new(app.clone(), Registry::standard(), settings).run(async move {
        let mut stopping = stopping;
        let _ = stopping.wait_for(|stop| *stop).await;
    }))
}

/// `/metrics` on its own address, if `metrics.listen` names one.
async fn serve_metrics(config: &Config, app: &App, stopping: watch::Receiver<bool>) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(listen) = &config.metrics.listen else { return Ok(None) };
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening for metrics on {listen}"))?;
    println!("Metrics at http://{}/metrics", listener.local_addr()?);
    let router = greenlight_web::metrics_router(app.clone(), metrics_token(config));
    Ok(Some(tokio::spawn(async move {
        let mut stopping = stopping;
        let stopped = async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        };
        if let Err(err) = greenlight_web::serve(listener, router, stopped).await {
            tracing::error!(%err, "the metrics listener stopped");
        }
    })))
}

async fn serve(config: &Config, app: App, with_worker: bool) -> anyhow::Result<()> {
    let listener =
        tokio::net::TcpListener::bind(&config.server.listen).await.with_context(|| format!("listening on {}", config.server.listen))?;
    let address = listener.local_addr()?;
    let url = config.server.public_url.clone().unwrap_or_else(|| format!("http://{address}"));
    println!("Greenlight is running at {url} (API under {url}/api/v1, its docs at {url}/api/docs/)");
    if !with_worker {
        println!("Jobs are left to `greenlight worker` (started with --no-worker)");
    }
    let has_users = {
        let mut tx = app.db.read().await?;
        greenlight_store::accounts::any_user(&mut tx).await?
    };
    if accounts::user_by_email(&app, demo::ADMIN_EMAIL).await.is_ok() {
        println!("Log in as {} with password {} (demo data)", demo::ADMIN_EMAIL, demo::PASSWORD);
    } else if !has_users {
        println!("No users yet: greenlight admin create-user --admin --email you@example.org --name \"Your Name\" --password-stdin");
    }
    let db = app.db.clone();
    // One signal stops the server, the worker and the metrics listener.
    let (stop, stopping) = watch::channel(false);
    let worker = with_worker.then(|| spawn_worker(&app, config, stopping.clone()));
    schedule_background(&app).await?;
    let metrics = serve_metrics(config, &app, stopping.clone()).await?;
    let router = greenlight_web::router(app, web_settings(config));
    let deadline = Duration::from_secs(config.server.shutdown_secs);
    let server = greenlight_web::serve(listener, router, async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let mut stopped = stopping;
    tokio::select! {
        served = server => served?,
        () = async {
            let _ = stopped.wait_for(|stop| *stop).await;
            tokio::time::sleep(deadline).await;
        } => tracing::warn!(seconds = deadline.as_secs(), "requests still in flight at the shutdown deadline; stopping without them"),
    }
    finish([worker, metrics], &db).await;
    Ok(())
}

/// Waits for the background tasks (each keeps the shutdown deadline), then
/// closes the database.
async fn finish(tasks: impl IntoIterator<Item = Option<tokio::task::JoinHandle<()>>>, db: &Db) {
    for task in tasks.into_iter().flatten() {
        if let Err(err) = task.await {
            tracing::error!(%err, "a background task stopped abnormally");
        }
    }
    db.close().await;
    tracing::info!("stopped");
}

/// Only the job worker (and `/metrics`, if `metrics.listen` is set), until
/// SIGTERM or Ctrl-C.
async fn work(config: &Config, app: App) -> anyhow::Result<()> {
    let db = app.db.clone();
    let (stop, stopping) = watch::channel(false);
    schedule_background(&app).await?;
    let metrics = serve_metrics(config, &app, stopping.clone()).await?;
    let worker = spawn_worker(&app, config, stopping);
    println!("Greenlight's worker is running ({} database)", backend(config));
    shutdown_signal().await;
    let _ = stop.send(true);
    finish([Some(worker), metrics], &db).await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests and jobs in flight");
}
