//! Writes over HTTP beside a bare-insert baseline, in the same run (issue
//! 18): on each backend, a bare axum endpoint doing one insert per request
//! and Greenlight's write use cases, driven by the same load generator at
//! 1, 16 and 64 concurrent clients. Prints requests/s, p50/p99/max latency
//! and the ratio to the baseline at the same concurrency. Greenlight runs
//! its worker beside the server, as `greenlight serve` does, so following
//! the events (notifications, review facts) competes for the writer as it
//! would. On PostgreSQL, the same use cases once more through three
//! instances on the one database (each its own pool, router and worker),
//! the clients spread over them. "With follow-up" counts the requests over
//! the time until the work they left behind was done too (their events
//! followed), a sustained rate rather than a burst's.
//!
//! `cargo bench -p greenlight --bench writes`
//! (`GREENLIGHT_BENCH_REQUESTS` requests per level, default 1000;
//! `GREENLIGHT_BENCH_PG=postgres://…/postgres` for another server, `none`
//! to skip PostgreSQL).
//!
//! The load generator runs in this process, on the same two cores: a no-op
//! endpoint measured first shows how fast it can go when the server does
//! nothing, so a baseline far below it is the server's limit, not the
//! client's.

mod common;

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{Router, extract::State, http::StatusCode, routing::post};
use greenlight_domain::id::{PostId, WorkspaceId};
use greenlight_service::{
    App, Caller, accounts,
    clock::SystemClock,
    posts, reviews,
    workflows::{self, NewWorkflow},
    workspaces::{self, NewMember, NewWorkspace},
};
use reqwest::Method;
use serde_json::{Value, json};

const LEVELS: [usize; 3] = [1, 16, 64];
const PASSWORD: &str = "a long bench password";

fn from<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the bench's own input")
}

/// One request to send.
#[derive(Clone)]
struct Req {
    method: Method,
    path: String,
    body: Value,
    if_match: Option<&'static str>,
    bearer: Option<String>,
}

impl Req {
    fn post(path: String, body: Value, bearer: &str) -> Req {
        Req { method: Method::POST, path, body, if_match: None, bearer: Some(bearer.to_owned()) }
    }
}

struct Figures {
    per_second: f64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
    failed: usize,
}

/// Sends `reqs` from `clients` concurrent clients (each its own keep-alive
/// connection, to one of `bases` in turn), as fast as answers come.
async fn drive(bases: &[String], reqs: Vec<Req>, clients: usize) -> Figures {
    let reqs = Arc::new(reqs);
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    // Made before the clock starts: a client reads the system's certificate
    // store when it is built, which is the generator's work, not the server's.
    let connections: Vec<reqwest::Client> =
        (0..clients).map(|_| reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("client")).collect();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, http) in connections.into_iter().enumerate() {
        let (reqs, next, failed, base) = (reqs.clone(), next.clone(), failed.clone(), bases[i % bases.len()].clone());
        tasks.push(tokio::spawn(async move {
            let mut took = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(r) = reqs.get(i) else { break };
                let mut req = http.request(r.method.clone(), format!("{base}{}", r.path));
                if !r.body.is_null() {
                    req = req.json(&r.body);
                }
                if let Some(tag) = r.if_match {
                    req = req.header("if-match", tag);
                }
                if let Some(token) = &r.bearer {
                    req = req.bearer_auth(token);
                }
                let one = Instant::now();
                match req.send().await {
                    Ok(res) if res.status().is_success() => {
                        let _ = res.bytes().await;
                    }
                    Ok(res) => {
                        if failed.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!(
                                "  first failure: {} {} -> {} {}",
                                r.method,
                                r.path,
                                res.status(),
                                res.text().await.unwrap_or_default()
                            );
                        }
                    }
                    Err(e) => {
                        if failed.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("  first failure: {} {} -> {e}", r.method, r.path);
                        }
                    }
                }
                took.push(one.elapsed());
            }
            took
        }));
    }
    let mut took = Vec::new();
    for t in tasks {
        took.extend(t.await.expect("a client"));
    }
    let elapsed = start.elapsed();
    took.sort();
    let at = |q: f64| took.get(((took.len() as f64 * q) as usize).min(took.len().saturating_sub(1))).copied().unwrap_or_default();
    Figures {
        per_second: took.len() as f64 / elapsed.as_secs_f64(),
        elapsed,
        p50: at(0.5),
        p99: at(0.99),
        max: took.last().copied().unwrap_or_default(),
        failed: failed.load(Ordering::Relaxed),
    }
}

async fn listen(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(greenlight_web::serve(listener, router, std::future::pending()));
    base
}

/// The floor: one insert per request on the backend, nothing else. SQLite:
/// rusqlite on one connection (one writer), WAL, `synchronous=NORMAL`, as
/// Greenlight opens it.
async fn sqlite_baseline(dir: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(dir.join("baseline.db")).expect("baseline database");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    )
    .expect("baseline schema");
    let conn = Arc::new(Mutex::new(conn));
    let router = Router::new()
        .route(
            "/insert",
            post(|State(conn): State<Arc<Mutex<rusqlite::Connection>>>, body: String| async move {
                let conn = conn.lock().expect("the connection");
                match conn.execute("INSERT INTO rows (body) VALUES (?1)", [body]) {
                    Ok(_) => StatusCode::CREATED,
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
                }
            }),
        )
        .route("/noop", post(|| async { StatusCode::NO_CONTENT }))
        .with_state(conn);
    listen(router).await
}

async fn postgres_baseline(url: &str) -> String {
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(16).connect(url).await.expect("PostgreSQL");
    sqlx::query("CREATE TABLE baseline_rows (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)").execute(&pool).await.expect("baseline schema");
    let router = Router::new()
        .route(
            "/insert",
            post(|State(pool): State<sqlx::PgPool>, body: String| async move {
                match sqlx::query("INSERT INTO baseline_rows (body) VALUES ($1)").bind(body).execute(&pool).await {
                    Ok(_) => StatusCode::CREATED,
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
                }
            }),
        )
        .with_state(pool);
    listen(router).await
}

/// A workspace with a one-stage "any manager" workflow, and API tokens for
/// its owner (who writes) and its manager (who approves).
struct Setup {
    app: App,
    ws: WorkspaceId,
    owner: Caller,
    owner_token: String,
    manager_token: String,
}

async fn setup(app: App) -> Setup {
    let cli = Caller::cli();
    let mut users = Vec::new();
    for (email, name) in [("owner@bench.example.org", "Olive Owner"), ("manager@bench.example.org", "Manny Manager")] {
        let input = accounts::NewUser { email: email.into(), name: name.into(), password: PASSWORD.into(), is_admin: false };
        users.push(accounts::create_user(&app, &cli, input).await.expect("user"));
    }
    let input =
        NewWorkspace { name: "Bench".into(), time_zone: "Europe/Copenhagen".into(), owner_email: Some("owner@bench.example.org".into()) };
    let ws = workspaces::create_workspace(&app, &cli, input).await.expect("workspace").id;
    let owner = Caller::session(users[0].id, false);
    workspaces::add_member(&app, &owner, ws, NewMember { email: "manager@bench.example.org".into(), role: "manager".into() })
        .await
        .expect("member");
    let definition = from(json!({"stages": [{"key": "approve", "name": "Approval",
        "lanes": [{"key": "manager", "name": "Manager", "approvers": [{"role": "manager"}]}]}]}));
    let input = NewWorkflow { name: "One approval".into(), definition: Some(definition), template: None, is_default: true };
    workflows::create_workflow(&app, &owner, ws, input).await.expect("workflow");
    let token = |user: greenlight_domain::id::UserId, role: &str| {
        let app = app.clone();
        let input = accounts::NewToken { name: format!("bench {role}"), role: role.into() };
        async move { accounts::create_token(&app, &Caller::cli(), ws, Some(user), input).await.expect("token").secret }
    };
    let owner_token = token(users[0].id, "owner").await;
    let manager_token = token(users[1].id, "manager").await;
    Setup { app, ws, owner, owner_token, manager_token }
}

/// `n` fresh drafts; with `submitted`, each also in review, with the hash
/// a decision names.
async fn drafts(s: &Setup, n: usize, submitted: bool) -> Vec<(PostId, String)> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let input = from(json!({"title": format!("Bench {i}"), "content": {"text": format!("Walk after dinner, day {i}.")}}));
        let saved = posts::create_post(&s.app, &s.owner, s.ws, input).await.expect("post");
        let mut hash = saved.revision.content_hash.to_string();
        if submitted {
            hash = reviews::submit(&s.app, &s.owner, s.ws, saved.post.id, from(json!({})))
                .await
                .expect("submitted")
                .current_revision
                .to_string();
        }
        out.push((saved.post.id, hash));
    }
    out
}

type UseCase = (&'static str, fn(&Setup, &(PostId, String), usize) -> Req, bool, bool);

fn use_cases() -> Vec<UseCase> {
    // (name, request, needs its own fresh post, that post submitted)
    vec![
        (
            "create post",
            |s, _, i| {
                Req::post(
                    format!("/api/v1/workspaces/{}/posts", s.ws),
                    json!({"title": format!("New {i}"), "content": {"text": "Flu shots today."}}),
                    &s.owner_token,
                )
            },
            false,
            false,
        ),
        (
            "save revision",
            |s, (id, _), _| Req {
                if_match: Some("\"1\""),
                ..Req::post(
                    format!("/api/v1/workspaces/{}/posts/{id}/revisions", s.ws),
                    json!({"content": {"text": "Flu shots today, edited."}}),
                    &s.owner_token,
                )
            },
            true,
            false,
        ),
        (
            "submit",
            |s, (id, _), _| Req::post(format!("/api/v1/workspaces/{}/posts/{id}/review", s.ws), Value::Null, &s.owner_token),
            true,
            false,
        ),
        (
            "approve",
            |s, (id, hash), _| {
                Req::post(
                    format!("/api/v1/workspaces/{}/posts/{id}/review/decisions", s.ws),
                    json!({"verdict": "approve", "revision": hash}),
                    &s.manager_token,
                )
            },
            true,
            true,
        ),
        (
            "request changes",
            |s, (id, hash), _| {
                Req::post(
                    format!("/api/v1/workspaces/{}/posts/{id}/review/decisions", s.ws),
                    json!({"verdict": "request_changes", "revision": hash, "comment": "Shorter, please"}),
                    &s.manager_token,
                )
            },
            true,
            true,
        ),
        (
            "comment",
            |s, (id, _), _| {
                Req::post(format!("/api/v1/workspaces/{}/posts/{id}/comments", s.ws), json!({"body": "Looks good to me"}), &s.owner_token)
            },
            false,
            false,
        ),
    ]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A table row; `settled`: how long the work the requests left behind
/// (following their events: notifications, review facts) took to finish
/// after the last answer.
fn row(backend: &str, what: &str, clients: usize, n: usize, f: &Figures, baseline: Option<f64>, settled: Option<Duration>) {
    let ratio = baseline.map_or("—".to_owned(), |b| format!("{:.2}", f.per_second / b));
    let with_after = settled.map_or("—".to_owned(), |after| format!("{:.0}", n as f64 / (f.elapsed + after).as_secs_f64()));
    println!(
        "| {backend} | {what} | {clients} | {n} | {:.0} | {:.2} | {:.2} | {:.1} | {ratio} | {with_after} | {} |",
        f.per_second,
        ms(f.p50),
        ms(f.p99),
        ms(f.max),
        f.failed
    );
}

/// Finishes what the requests left to the worker (a worker of its own
/// beside the running one; they take turns) and says how long it took.
async fn settle(app: &App) -> Duration {
    let start = Instant::now();
    let worker = greenlight_service::worker::Worker::new(
        app.clone(),
        greenlight_service::jobs::Registry::standard(),
        greenlight_service::worker::WorkerSettings::default(),
    );
    worker.drain().await.expect("the follow-up work");
    start.elapsed()
}

/// Greenlight as `serve` runs it: the router, and the worker beside it.
async fn serve(app: App) -> String {
    let worker = greenlight_service::worker::Worker::new(
        app.clone(),
        greenlight_service::jobs::Registry::standard(),
        greenlight_service::worker::WorkerSettings::default(),
    );
    tokio::spawn(worker.run(std::future::pending()));
    let web = greenlight_web::WebSettings { max_body_bytes: 1 << 20, ..Default::default() };
    listen(greenlight_web::router(app, web)).await
}

/// The baseline at each level, measured first.
async fn baseline(backend: &str, base: &str, n: usize) -> Vec<f64> {
    let mut per_second = Vec::new();
    for clients in LEVELS {
        let reqs = (0..count(n, clients))
            .map(|i| Req {
                method: Method::POST,
                path: "/insert".into(),
                body: json!({"body": format!("Looks good to me {i}")}),
                if_match: None,
                bearer: None,
            })
            .collect();
        let f = drive(&[base.to_owned()], reqs, clients).await;
        row(backend, "bare insert (baseline)", clients, count(n, clients), &f, None, None);
        per_second.push(f.per_second);
    }
    per_second
}

fn count(n: usize, clients: usize) -> usize {
    if clients == 1 { n / 5 } else { n }
}

/// Every use case at every level through `bases` (instances of one
/// Greenlight on one database; `s` set up through the first).
async fn run(backend: &str, baseline: &[f64], s: &Setup, bases: &[String], n: usize) {
    let shared = drafts(s, 50, false).await;
    for (what, make, fresh, submitted) in use_cases() {
        for (level, clients) in LEVELS.into_iter().enumerate() {
            let k = count(n, clients);
            let posts = if fresh { drafts(s, k, submitted).await } else { shared.clone() };
            // What making them left behind is done before the clock starts.
            settle(&s.app).await;
            let reqs = (0..k).map(|i| make(s, &posts[i % posts.len()], i)).collect();
            let f = drive(bases, reqs, clients).await;
            let settled = settle(&s.app).await;
            row(backend, what, clients, k, &f, Some(baseline[level]), Some(settled));
        }
    }
}

fn main() {
    let n: usize = std::env::var("GREENLIGHT_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let pg = std::env::var("GREENLIGHT_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a scratch directory");
        // Made first: its HTTP clients install the TLS provider reqwest needs.
        let url = format!("sqlite://{}", dir.path().join("greenlight.db").display());
        let app = common::app_on(&url, dir.path(), Arc::new(SystemClock), true).await;
        let floor = sqlite_baseline(dir.path()).await;
        let noop =
            (0..n).map(|_| Req { method: Method::POST, path: "/noop".into(), body: Value::Null, if_match: None, bearer: None }).collect();
        let f = drive(std::slice::from_ref(&floor), noop, 16).await;
        println!("The load generator against an endpoint that does nothing (16 clients): {:.0} requests/s.", f.per_second);
        println!();
        println!(
            "| backend | use case | clients | requests | requests/s | p50 ms | p99 ms | max ms | ratio to baseline | with follow-up /s | failed |"
        );
        println!("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        let floor = baseline("SQLite", &floor, n).await;
        let base = serve(app.clone()).await;
        run("SQLite", &floor, &setup(app).await, &[base], n).await;
        if pg != "none" {
            let url = common::fresh_pg(&pg, "greenlight_bench_writes").await;
            let floor =
                baseline("PostgreSQL", &postgres_baseline(&common::fresh_pg(&pg, "greenlight_bench_baseline").await).await, n).await;
            let first = common::app_on(&url, dir.path(), Arc::new(SystemClock), true).await;
            let s = setup(first.clone()).await;
            let mut bases = vec![serve(first).await];
            run("PostgreSQL", &floor, &s, &bases, n).await;
            // Two more, each with its server and worker, only now: the
            // single instance above ran with one worker.
            for _ in 1..3 {
                bases.push(serve(common::app_on(&url, dir.path(), Arc::new(SystemClock), true).await).await);
            }
            run("PostgreSQL, 3 instances", &floor, &s, &bases, n).await;
        }
    });
}
