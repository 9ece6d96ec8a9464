//! Ten thousand posts due in the same minute (DESIGN.md, "Performance"):
//! approved and scheduled posts published through the webhook channel to a
//! local sink; how long until the last is out, how late they were, and
//! whether any went out twice or not at all — on SQLite with one worker,
//! and on PostgreSQL with one and with three instances. Beside it, as the
//! baseline from the same run, bare one-row inserts on the same database.
//!
//! `cargo bench -p greenlight --bench publishing`
//! (`GREENLIGHT_BENCH_DUE=2000` for fewer posts;
//! `GREENLIGHT_BENCH_PG=postgres://…/postgres` for another server, `none`
//! to skip PostgreSQL).

mod common;

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{Json, Router, extract::State, http::HeaderMap, routing::post};
use greenlight_domain::{Timestamp, id::PostId};
use greenlight_service::{
    App, Caller, accounts,
    clock::Clock,
    jobs::Registry,
    planning, posts, publishing,
    reviews::{self, DecisionRequest, SubmitInput},
    worker::{Worker, WorkerSettings},
    workflows::{self, NewWorkflow},
    workspaces::{self, NewMember, NewWorkspace},
};
use jiff::SignedDuration;
use serde_json::{Value, json};

const PASSWORD: &str = "a long bench password";

/// The real time moved by an offset: seeding happens "before" the posts
/// are due, then the clock is set just short of their time.
struct Shifted(AtomicI64);

impl Clock for Shifted {
    fn now(&self) -> Timestamp {
        Timestamp::now() + SignedDuration::from_micros(self.0.load(Ordering::Relaxed))
    }
}

fn from<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the bench's own input")
}

/// A receiver that counts each key it is sent.
async fn sink() -> (String, Arc<Mutex<BTreeMap<String, usize>>>) {
    type Seen = Arc<Mutex<BTreeMap<String, usize>>>;
    async fn take(State(seen): State<Seen>, headers: HeaderMap) -> Json<Value> {
        let key = headers.get("greenlight-delivery").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        *seen.lock().expect("sink").entry(key.clone()).or_default() += 1;
        Json(json!({ "id": key }))
    }
    let seen: Seen = Arc::default();
    let app = Router::new().route("/in", post(take)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}/in", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// `n` approved posts on a connected webhook channel, scheduled for `due`.
async fn seed(app: &App, n: usize, due: Timestamp, url: &str) -> Vec<PostId> {
    let cli = Caller::cli();
    let mut users = Vec::new();
    for email in ["owner@due.example.org", "manager@due.example.org"] {
        let input = accounts::NewUser { email: email.into(), name: email.into(), password: PASSWORD.into(), is_admin: false };
        users.push(accounts::create_user(app, &cli, input).await.expect("user"));
    }
    let input = NewWorkspace { name: "Due".into(), time_zone: "UTC".into(), owner_email: Some("owner@due.example.org".into()) };
    let ws = workspaces::create_workspace(app, &cli, input).await.expect("workspace").id;
    let owner = Caller::session(users[0].id, false);
    let manager = Caller::session(users[1].id, false);
    workspaces::add_member(app, &owner, ws, NewMember { email: "manager@due.example.org".into(), role: "manager".into() })
        .await
        .expect("member");
    let channel = planning::create_channel(app, &owner, ws, from(json!({"network": "webhook", "handle": "sink", "display_name": "Sink"})))
        .await
        .expect("channel")
        .id;
    let connect = publishing::ConnectInput { url: Some(url.into()), ..Default::default() };
    publishing::connect(app, &owner, ws, channel, connect).await.expect("connected");
    let definition = from(json!({"stages": [{"key": "approve", "name": "Approval",
        "lanes": [{"key": "manager", "name": "Manager", "approvers": [{"role": "manager"}]}]}]}));
    let input = NewWorkflow { name: "One approval".into(), definition: Some(definition), template: None, is_default: true };
    workflows::create_workflow(app, &owner, ws, input).await.expect("workflow");
    let planned = due.to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%dT%H:%M:%S%.6f[UTC]").to_string();
    let seeded = Arc::new(Mutex::new(Vec::with_capacity(n)));
    // Four seeders at once: the posts are made the way a team makes them.
    let tasks: Vec<_> = (0..4)
        .map(|seeder| {
            let (app, owner, manager, planned, seeded) = (app.clone(), owner.clone(), manager.clone(), planned.clone(), seeded.clone());
            tokio::spawn(async move {
                for i in (seeder..n).step_by(4) {
                    let input = from(json!({"title": format!("Due {i}"), "channel_ids": [channel], "planned_at": planned,
                        "content": {"text": format!("Post {i} of the minute")}}));
                    let id = posts::create_post(&app, &owner, ws, input).await.expect("post").post.id;
                    let review = reviews::submit(&app, &owner, ws, id, SubmitInput::default()).await.expect("submitted");
                    let decision = DecisionRequest {
                        verdict: greenlight_domain::workflow::Verdict::Approve,
                        revision: review.current_revision,
                        comment: None,
                        checklist: Default::default(),
                        lane: None,
                        reason: None,
                    };
                    reviews::decide(&app, &manager, ws, id, decision).await.expect("approved");
                    let version = posts::post(&app, &owner, ws, id).await.expect("post").version;
                    posts::schedule(&app, &owner, ws, id, Some(version), true).await.expect("scheduled");
                    seeded.lock().expect("ids").push(id);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("seeder");
    }
    Arc::try_unwrap(seeded).map(|m| m.into_inner().expect("ids")).unwrap_or_default()
}

/// Bare one-row inserts per second on the same database: the baseline.
async fn bare_inserts(app: &App) -> f64 {
    const ROWS: usize = 2000;
    let start = Instant::now();
    for i in 0..ROWS {
        let mut tx = app.db.write().await.expect("tx");
        greenlight_store::jobs::enqueue(
            &mut tx,
            &greenlight_store::jobs::NewJob {
                kind: "bench_baseline".into(),
                queue: "bench".into(),
                payload: "{}".into(),
                dedup_key: Some(format!("baseline-{i}")),
                run_at: app.now() + SignedDuration::from_hours(24 * 365),
                max_attempts: 1,
            },
            app.now(),
        )
        .await
        .expect("insert");
        tx.commit().await.expect("commit");
    }
    ROWS as f64 / start.elapsed().as_secs_f64()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Seeds, moves the clock to two seconds before the posts' time, runs
/// `instances` workers (each with its own connections) until every post is
/// out, and prints a row.
async fn run(label: &str, url: &str, n: usize, instances: usize) {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let clock = Arc::new(Shifted(AtomicI64::new(0)));
    let app = common::app_on(url, dir.path(), clock.clone(), true).await;
    let (sink_url, seen) = sink().await;
    let due = Timestamp::now() + SignedDuration::from_hours(24);
    let started = Instant::now();
    let ids = seed(&app, n, due, &sink_url).await;
    eprintln!("{label}: seeded {} posts in {:.0} s", ids.len(), started.elapsed().as_secs_f64());
    let baseline = bare_inserts(&app).await;
    // Two seconds before the posts' time.
    let shift = (due - SignedDuration::from_secs(2)).duration_since(Timestamp::now());
    clock.0.store(shift.as_micros() as i64, Ordering::Relaxed);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut workers = Vec::new();
    for _ in 0..instances {
        let own = App { db: greenlight_store::Db::connect(url).await.expect("database"), ..app.clone() };
        let mut stopping = stopping.clone();
        let worker = Worker::new(own, Registry::standard(), WorkerSettings::default());
        workers.push(tokio::spawn(worker.run(async move {
            let _ = stopping.wait_for(|s| *s).await;
        })));
    }
    // Waits for the sink (a benchmark may poll; a test never does).
    let deadline = Instant::now() + Duration::from_secs(600);
    while seen.lock().expect("sink").len() < ids.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    for w in workers {
        let _ = w.await;
    }
    let seen = seen.lock().expect("sink").clone();
    let twice = seen.values().filter(|c| **c > 1).count();
    let missing = ids.len().saturating_sub(seen.len());
    let mut late = Vec::with_capacity(ids.len());
    let mut tx = app.db.read().await.expect("tx");
    for id in &ids {
        for p in greenlight_store::publications::of_post(&mut tx, *id).await.expect("publications") {
            if let Some(at) = p.published_at {
                late.push(at.duration_since(due).as_secs_f64());
            }
        }
    }
    drop(tx);
    late.sort_by(f64::total_cmp);
    let last = late.last().copied().unwrap_or(f64::NAN);
    let rate = ids.len() as f64 / last.max(0.001);
    println!(
        "| {label} | {} | {last:.1} | {:.2} | {:.2} | {rate:.0} | {baseline:.0} | {:.2} | {twice} | {missing} |",
        ids.len(),
        percentile(&late, 0.5),
        percentile(&late, 0.99),
        rate / baseline
    );
}

fn main() {
    let n: usize = std::env::var("GREENLIGHT_BENCH_DUE").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let pg = std::env::var("GREENLIGHT_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        println!("{n} approved posts due in the same second, published through the webhook channel to a local sink:");
        println!();
        println!("| database, workers | posts | last out after s | late p50 s | late p99 s | posts/s | bare inserts/s | ratio | twice | missing |");
        println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        let dir = tempfile::tempdir().expect("a scratch directory");
        run("SQLite, 1 worker", &format!("sqlite://{}", dir.path().join("due.db").display()), n, 1).await;
        if pg != "none" {
            run("PostgreSQL, 1 instance", &common::fresh_pg(&pg, "greenlight_bench_due_1").await, n, 1).await;
            run("PostgreSQL, 3 instances", &common::fresh_pg(&pg, "greenlight_bench_due_3").await, n, 3).await;
        }
    });
}
