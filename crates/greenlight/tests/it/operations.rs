//! Running Greenlight for real: `/metrics` as Prometheus reads it, a
//! request id an admin can find the log by, a worker that stops within its
//! deadline, and a configuration checked whole.

use std::{
    io::Write,
    process::{Command, Stdio},
    time::Duration,
};

use jiff::SignedDuration;
use openmetrics_parser::{MetricsExposition, PrometheusType, PrometheusValue, Sample, prometheus::parse_prometheus};
use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::json;

use crate::{backends, harness::*};

type Scrape = MetricsExposition<PrometheusType, PrometheusValue>;

async fn scrape(h: &Harness) -> Scrape {
    let text = h.anonymous().http.get(format!("{}/metrics", h.base)).send().await.unwrap().text().await.unwrap();
    parse_prometheus(&text).unwrap_or_else(|e| panic!("not the Prometheus text format: {e:?}\n{text}"))
}

/// The value of `family`'s sample whose labels include all of `labels`
/// (a histogram's count).
fn value(scrape: &Scrape, family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matches = |s: &&Sample<PrometheusValue>| {
        let set = s.get_labelset().unwrap();
        labels.iter().all(|(k, v)| set.get_label_value(k) == Some(*v))
    };
    scrape.families.get(family)?.iter_samples().find(matches).map(|s| match &s.value {
        PrometheusValue::Counter(c) => c.value.as_f64(),
        PrometheusValue::Gauge(n) | PrometheusValue::Unknown(n) => n.as_f64(),
        PrometheusValue::Histogram(h) => h.count.unwrap_or(0) as f64,
        PrometheusValue::Summary(s) => s.count.unwrap_or(0) as f64,
    })
}

fn counted(scrape: &Scrape, family: &str, labels: &[(&str, &str)]) -> f64 {
    value(scrape, family, labels).unwrap_or(0.0)
}

#[apply(backends)]
async fn metrics_count_requests_jobs_and_decisions_as_prometheus_reads_them(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("metered").await;
    let ws = &w.ws;
    let owner = h.login("owner@metered.example.org").await;
    let creator = h.login("creator@metered.example.org").await;
    let manager = h.login("manager@metered.example.org").await;
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);

    let route = [("route", "/api/v1/workspaces/{ws}/posts"), ("method", "POST"), ("status", "201")];
    let before = scrape(&h).await;
    let post = creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Counted", "content": {"text": "Counted"}})).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let path = format!("/workspaces/{ws}/posts/{}", post.body["post"]["id"].as_str().unwrap());
    let missing = creator.get(&format!("/workspaces/{ws}/posts/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let after = scrape(&h).await;
    assert_eq!(counted(&after, "greenlight_http_requests_total", &route) - counted(&before, "greenlight_http_requests_total", &route), 1.0);
    // The route's template names it, never the ids in its path.
    let not_found = [("route", "/api/v1/workspaces/{ws}/posts/{post}"), ("status", "404")];
    assert_eq!(counted(&after, "greenlight_http_requests_total", &not_found), 1.0);
    let labelled = after
        .families
        .values()
        .flat_map(|f| f.iter_samples())
        .flat_map(|s| s.get_labelset().unwrap().iter_values().cloned().collect::<Vec<_>>())
        .collect::<Vec<_>>();
    assert!(!labelled.iter().any(|v| v.contains(ws.as_str())), "an id became a label: {labelled:?}");
    let timed = [("route", "/api/v1/workspaces/{ws}/posts"), ("method", "POST")];
    assert!(counted(&after, "greenlight_http_request_duration_seconds", &timed) >= 1.0);

    // Waiting work shows as the queue's depth; running it moves the job counters.
    let r = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let revision = r.body["current_revision"].as_str().unwrap().to_owned();
    let waiting = scrape(&h).await;
    assert!(counted(&waiting, "greenlight_events_unfollowed", &[]) >= 1.0, "the events wait to be followed");
    assert_eq!(value(&waiting, "greenlight_jobs_due", &[("queue", "publish")]), Some(0.0), "an empty queue shows as zero");
    h.pass(SignedDuration::from_mins(1)).await;
    let r = manager.post(&format!("{path}/review/decisions"), json!({"verdict": "approve", "revision": revision})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.pass(SignedDuration::from_mins(1)).await;
    let done = scrape(&h).await;
    assert_eq!(counted(&done, "greenlight_events_unfollowed", &[]), 0.0);
    assert!(counted(&done, "greenlight_events_followed_total", &[]) >= 3.0);
    assert_eq!(counted(&done, "greenlight_reviews_started_total", &[]), 1.0);
    assert_eq!(counted(&done, "greenlight_decisions_total", &[("verdict", "approve")]), 1.0);
    assert!(counted(&done, "greenlight_database_connections_max", &[]) >= 2.0);
    assert!(counted(&done, "greenlight_process_resident_memory_bytes", &[]) > 1e6);
}

#[apply(backends)]
async fn every_answer_carries_a_request_id_and_a_server_error_names_it(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("traced").await;
    let http = &h.anonymous().http;
    let id = |r: &reqwest::Response| r.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let first = http.get(format!("{}/healthz", h.base)).send().await.unwrap();
    let second = http.get(format!("{}/healthz", h.base)).send().await.unwrap();
    assert_eq!(id(&first).len(), 32, "{}", id(&first));
    assert_ne!(id(&first), id(&second));
    // Without a trusted proxy in front, a client cannot choose its id.
    let chosen = http.get(format!("{}/healthz", h.base)).header("x-request-id", "forged-1").send().await.unwrap();
    assert_ne!(id(&chosen), "forged-1");

    // A post whose stored state is unreadable: a server error, with the id to find its log by.
    let post = w.admin.post(&format!("/workspaces/{}/posts", w.ws), json!({"title": "Broken", "content": {"text": "x"}})).await;
    let post_id = post.body["post"]["id"].as_str().unwrap().to_owned();
    let uuid = uuid::Uuid::parse_str(&post_id).unwrap();
    let key = match h.backend {
        Backend::Sqlite => format!("x'{}'", uuid.simple()),
        Backend::Postgres => format!("'{uuid}'"),
    };
    h.raw(&[&format!("UPDATE posts SET state = 'unheard-of' WHERE id = {key}")]).await.unwrap();
    let broken = w.admin.request(reqwest::Method::GET, &format!("/workspaces/{}/posts/{post_id}", w.ws)).send().await.unwrap();
    assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let header = id(&broken);
    let problem: serde_json::Value = broken.json().await.unwrap();
    assert_eq!(problem["request_id"], header.as_str(), "{problem}");
    assert!(!problem.to_string().contains("unheard-of"), "the cause stays in the log: {problem}");
}

/// A webhook receiver that takes the connection and never answers.
async fn silent_receiver() -> (String, tokio::net::TcpListener) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    (format!("http://{}", listener.local_addr().unwrap()), listener)
}

#[apply(backends)]
async fn a_stopping_worker_lets_go_of_a_job_it_cannot_finish_in_time(#[case] backend: Backend) {
    use greenlight_service::{
        jobs::Registry,
        worker::{Worker, WorkerSettings},
    };
    let h = Harness::start(backend).await;
    let w = h.world("stopping").await;
    let (url, silent) = silent_receiver().await;
    let hooks = format!("/workspaces/{}/webhooks", w.ws);
    let hook =
        w.admin.post(&hooks, json!({"kind": "generic", "name": "Slow", "url": format!("{url}/in"), "events": ["post.created"]})).await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let post = w.admin.post(&format!("/workspaces/{}/posts", w.ws), json!({"title": "Held", "content": {"text": "x"}})).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);

    let settings = WorkerSettings { stop_within: Duration::from_millis(200), idle: Duration::from_millis(50), ..WorkerSettings::default() };
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(Worker::new(h.app.clone(), Registry::standard(), settings).run(async move {
        let mut stopping = stopping;
        let _ = stopping.wait_for(|s| *s).await;
    }));
    // The delivery is under way once the receiver has its connection.
    let (held, _) = silent.accept().await.unwrap();
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(20), worker).await.expect("the worker kept its deadline").unwrap();
    drop((held, silent));

    let metrics = scrape(&h).await;
    assert_eq!(counted(&metrics, "greenlight_job_runs_total", &[("kind", "deliver"), ("outcome", "released")]), 1.0);
    // Let go, it is taken up at once by the next worker (the receiver is gone now, so it fails and waits to retry).
    h.worker().run_due().await.unwrap();
    let listed = w.admin.get(&format!("{hooks}/{}/deliveries", hook.body["id"].as_str().unwrap())).await;
    assert_eq!(listed.body["items"][0]["status"], "pending", "{}", listed.body);
    assert_eq!(listed.body["items"][0]["attempts"], 1, "only the run that was not cut short counts as sent: {}", listed.body);
    let again = scrape(&h).await;
    assert_eq!(counted(&again, "greenlight_job_runs_total", &[("kind", "deliver"), ("outcome", "retry")]), 1.0);
}

fn check_config(toml: &str, env: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("greenlight.toml");
    std::fs::File::create(&file).unwrap().write_all(toml.as_bytes()).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_greenlight"));
    command.args(["check-config", "--config"]).arg(&file).current_dir(dir.path()).env_remove("DATABASE_URL").stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_whole_configuration_is_checked_and_every_problem_named_at_once() {
    let (ok, text) = check_config("[server]\nlisten = \"127.0.0.1:8080\"\npublic_url = \"https://greenlight.example.org\"\n", &[]);
    assert!(ok, "{text}");
    assert!(text.contains("the configuration is good"), "{text}");

    let bad = r#"
[server]
public_url = "greenlight.example.org"
shutdown_secs = 10
[auth]
session_days = 0
[mail]
host = "smtp.example.org"
tls = "none"
[log]
format = "xml"
[database]
max_connections = 0
[jobs.queues]
nonsense = 2
[metrics]
listen = "nowhere"
"#;
    let (ok, text) = check_config(bad, &[]);
    assert!(!ok, "{text}");
    for expected in [
        "7 problem(s)",
        "server.public_url",
        "auth.session_days",
        "mail.tls",
        "log.format `xml`",
        "database.max_connections",
        "jobs.queues.nonsense",
        "metrics.listen `nowhere`",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    // Type errors from the file and the environment are all named too.
    let (ok, text) = check_config("[server]\nrequest_timeout_secs = \"soon\"\n", &[("GREENLIGHT__AUTH__SESSION_DAYS", "many")]);
    assert!(!ok, "{text}");
    assert!(text.contains("2 problem(s)") && text.contains("request_timeout_secs") && text.contains("session_days"), "{text}");
}

fn greenlight(args: &[&str], db_url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args(args)
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .env("DATABASE_URL", db_url)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[apply(backends)]
async fn a_backup_restores_to_the_same_rows_blobs_and_audit_heads(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("kept").await;
    crate::preflight::upload_picture(&w.admin, &w.ws, 40, 30).await;
    let post = w.admin.post(&format!("/workspaces/{}/posts", w.ws), json!({"title": "Kept", "content": {"text": "Kept safe"}})).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    h.pass(SignedDuration::from_mins(1)).await;

    // Taken while the server runs, from the server's own data directory.
    let data = h.data_dir.path().to_str().unwrap().to_owned();
    let file = h.data_dir.path().join("backup.tar.gz");
    let out = greenlight(&["backup", "--data-dir", &data, "--to", file.to_str().unwrap()], &h.db_url);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest: serde_json::Value = serde_json::from_slice(&out.stdout).expect("backup prints its manifest");
    let again = greenlight(&["backup", "--data-dir", &data, "--to", file.to_str().unwrap()], &h.db_url);
    assert!(!again.status.success(), "an existing file is never written over");

    let target = tempfile::tempdir().unwrap();
    let dir = target.path().join("restored");
    let restored = greenlight(&["restore", "--from", file.to_str().unwrap(), "--data-dir", dir.to_str().unwrap()], "");
    let said = String::from_utf8_lossy(&restored.stdout).into_owned();
    assert!(restored.status.success(), "{said}{}", String::from_utf8_lossy(&restored.stderr));
    assert_eq!(manifest["blobs"].as_array().map(Vec::len), Some(2), "the picture and its thumbnail: {manifest}");
    let restored_blobs = walk(&dir.join("media"));
    assert_eq!(restored_blobs, 2, "every blob is back under the data directory");
    match backend {
        Backend::Sqlite => {
            assert!(said.contains("verify"), "{said}");
            assert_eq!(manifest["tables"]["posts"], 1, "{said}");
            assert!(manifest["audit_heads"].as_object().is_some_and(|heads| !heads.is_empty()), "{said}");
            // The restored instance runs and verifies on its own.
            let url = format!("sqlite://{}", dir.join("greenlight.db").display());
            let verified = greenlight(&["audit", "verify", "--data-dir", dir.to_str().unwrap()], &url);
            assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stdout));
        }
        Backend::Postgres => {
            assert!(manifest["database"].is_null(), "PostgreSQL is left to pg_dump: {said}");
            assert!(said.contains("pg_restore"), "{said}");
        }
    }
    // A directory with something in it is refused unless told.
    let refused = greenlight(&["restore", "--from", file.to_str().unwrap(), "--data-dir", dir.to_str().unwrap()], "");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not empty"), "{}", String::from_utf8_lossy(&refused.stderr));

    // A changed byte is found.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let broken = target.path().join("broken.tar.gz");
    std::fs::write(&broken, bytes).unwrap();
    let out = greenlight(&["restore", "--from", broken.to_str().unwrap(), "--data-dir", target.path().join("b").to_str().unwrap()], "");
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

/// Files under `dir`, at any depth.
fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|entries| entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum()).unwrap_or(0)
}

#[test]
fn the_packaged_configuration_passes_its_own_check() {
    let toml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../packaging/greenlight.toml")).unwrap();
    let (ok, text) = check_config(&toml, &[]);
    assert!(ok, "{text}");
}

/// Every table's rows and checksum in the database at `url`, its values
/// read as the PostgreSQL database at `typed_by` types them.
async fn checksums(url: &str, typed_by: &str) -> std::collections::BTreeMap<String, (u64, String)> {
    use greenlight_store::copy;
    let types = greenlight_store::Db::connect(typed_by).await.unwrap();
    let typed = copy::tables(&mut types.read().await.unwrap()).await.unwrap();
    types.close().await;
    let db = greenlight_store::Db::connect(url).await.unwrap();
    let mut tx = db.read().await.unwrap();
    let mut sums = std::collections::BTreeMap::new();
    let typed = copy::agree(copy::tables(&mut tx).await.unwrap(), typed).unwrap();
    for table in &typed {
        let sum = copy::checksum(&mut tx, table).await.unwrap();
        sums.insert(table.name.clone(), (sum.rows(), sum.finish()));
    }
    drop(tx);
    db.close().await;
    sums
}

#[tokio::test]
async fn an_instance_moves_from_sqlite_to_postgresql_and_back_with_every_row_intact() {
    let h = Harness::start(Backend::Sqlite).await;
    greenlight_service::demo::seed_with_history(&h.app, 14).await.unwrap();
    let w = h.world("moving").await;
    crate::preflight::upload_picture(&w.admin, &w.ws, 40, 30).await;
    // A sealed channel secret (PostgreSQL's one BYTEA column).
    crate::publishing::connected(&h, &w, "http://127.0.0.1:9/hook").await;
    h.pass(SignedDuration::from_mins(5)).await;
    let data = h.data_dir.path().to_str().unwrap().to_owned();

    let postgres = postgres_schema().await;
    let out = greenlight(&["copy", "--data-dir", &data, "--to", &postgres], &h.db_url);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("every table's checksum is the same") && !said.contains("DIFFERENT"), "{said}");

    // What the copy says, checked apart from it: each table has the same
    // rows on both sides (each read by its own backend's code).
    let source = checksums(&h.db_url, &postgres).await;
    assert!(source["audit_events"].0 > 100 && source["reviews"].0 > 10 && source["channel_connections"].0 == 1, "{source:?}");
    assert_eq!(checksums(&postgres, &postgres).await, source);
    // The instance runs on PostgreSQL: its chains verify, and it serves.
    let verified = greenlight(&["audit", "verify", "--data-dir", &data], &postgres);
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stdout));

    // A database that holds anything is never copied into.
    let again = greenlight(&["copy", "--data-dir", &data, "--to", &postgres], &h.db_url);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"), "{}", String::from_utf8_lossy(&again.stderr));

    // And back to SQLite: every row as it was at the start.
    let back_dir = tempfile::tempdir().unwrap();
    let back = format!("sqlite://{}", back_dir.path().join("greenlight.db").display());
    let out = greenlight(&["copy", "--data-dir", back_dir.path().to_str().unwrap(), "--to", &back], &postgres);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(checksums(&back, &postgres).await, source);
    // The round trip left the bytes as they were, not just the values:
    // the same text of every timestamp and every id.
    let pool = sqlx::SqlitePool::connect(&back).await.unwrap();
    let (first,): (String,) =
        sqlx::query_as("SELECT at || hex(id) FROM audit_events ORDER BY chain, seq LIMIT 1").fetch_one(&pool).await.unwrap();
    pool.close().await;
    let pool = sqlx::SqlitePool::connect(&h.db_url).await.unwrap();
    let (original,): (String,) =
        sqlx::query_as("SELECT at || hex(id) FROM audit_events ORDER BY chain, seq LIMIT 1").fetch_one(&pool).await.unwrap();
    pool.close().await;
    assert_eq!(first, original);
}

/// The Debian package the test setup built and installed
/// (`scripts/package --install`), as a user who installed it finds it: its
/// own system user, the configuration readable by that user only, the unit
/// that runs it, and Greenlight started as the unit starts it (without
/// systemd) answering `/readyz` from its data directory.
#[tokio::test]
async fn the_installed_debian_package_runs_as_its_own_user_from_its_configuration() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use tokio::io::AsyncBufReadExt;

    let text = |out: std::process::Output| String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let status = Command::new("dpkg-query").args(["-W", "-f=${Status}", "greenlight"]).output().unwrap();
    assert_eq!(text(status), "install ok installed", "scripts/test builds and installs the package (scripts/package --install)");
    let user = text(Command::new("getent").args(["passwd", "greenlight"]).output().unwrap());
    let fields: Vec<&str> = user.split(':').collect();
    assert!(fields.len() == 7 && fields[5] == "/var/lib/greenlight" && fields[6].ends_with("nologin"), "a system user: {user}");
    let uid: u32 = fields[2].parse().unwrap();

    let config = std::fs::metadata("/etc/greenlight/greenlight.toml").unwrap();
    assert_eq!(config.permissions().mode() & 0o777, 0o640, "the configuration may name secrets");
    assert_eq!((config.uid(), config.gid()), (0, fields[3].parse().unwrap()));
    let data = std::fs::metadata("/var/lib/greenlight").unwrap();
    assert_eq!((data.uid(), data.permissions().mode() & 0o777), (uid, 0o700));
    let unit = ["/usr/lib/systemd/system/greenlight.service", "/lib/systemd/system/greenlight.service"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .expect("the unit is installed");
    assert!(
        unit.contains("User=greenlight") && unit.contains("ExecStart=/usr/bin/greenlight serve --config /etc/greenlight/greenlight.toml")
    );

    // As the unit runs it, on a free port (the packaged 8080 may be taken here).
    let mut server = tokio::process::Command::new("setpriv")
        .args(["--reuid=greenlight", "--regid=greenlight", "--init-groups", "--"])
        .args(["/usr/bin/greenlight", "serve", "--config", "/etc/greenlight/greenlight.toml"])
        .current_dir("/var/lib/greenlight")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("GREENLIGHT__SERVER__LISTEN", "127.0.0.1:0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(server.stdout.take().unwrap()).lines();
    let mut base = None;
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(rest) = line.strip_prefix("Greenlight is running at ") {
            base = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    let base = base.unwrap_or_else(|| panic!("the packaged Greenlight did not start"));
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let db = std::fs::metadata("/var/lib/greenlight/greenlight.db").unwrap();
    assert_eq!(db.uid(), uid, "its database is its own");
    // SIGTERM, as systemd stops it: it finishes and exits cleanly.
    let pid = server.id().unwrap().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let exited = tokio::time::timeout(Duration::from_secs(60), server.wait()).await.unwrap().unwrap();
    assert!(exited.success(), "{exited:?}");
}
