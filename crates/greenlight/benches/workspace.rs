//! How Greenlight holds up in a big workspace (DESIGN.md, "Performance"),
//! printed as figures: a workspace of 100,000 posts on SQLite — writes per
//! second while it fills and from many clients at once; submitting,
//! approving, commenting and editing in it; the pages people open most,
//! over real HTTP with a signed-in session; and the process's memory.
//!
//! `cargo bench -p greenlight --bench workspace`
//! (`GREENLIGHT_BENCH_POSTS=10000` for a smaller workspace;
//! `GREENLIGHT_BENCH_ONLY=analytics` for the analytics report alone;
//! `GREENLIGHT_BENCH_PAGE="calendar, week"` for one page and no report,
//! requested `GREENLIGHT_BENCH_PAGE_RUNS` times, as long as a profiler needs;
//! `GREENLIGHT_BENCH_PLANNED=shuffled` plans the posts in another order than
//! they are written, as a team that plans ahead does).

mod common;

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use common::median_p99;
use greenlight_domain::{content::Content, id::PostId};
use greenlight_service::{
    App, Caller, accounts, comments, planning, posts, reviews,
    workflows::{self, NewWorkflow},
    workspaces::{self, NewMember, NewWorkspace},
};
use jiff::{ToSpan, civil::date};
use serde_json::json;

const PASSWORD: &str = "a long bench password";
const ZONE: &str = "Europe/Copenhagen";
/// Twenty posts a day: a busy team's calendar.
const PER_DAY: usize = 20;
/// How many times each operation and page is measured.
const RUNS: usize = 200;

fn from<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("the bench's own input")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn row(what: &str, took: &mut [Duration], extra: &str) {
    let (median, p99) = median_p99(took);
    println!("| {what} | {:.2} | {:.2} | {extra} |", ms(median), ms(p99));
}

/// The process's resident memory now and at its peak, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| {
        status.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
    };
    (kib("VmRSS:").unwrap_or(0.0) / 1024.0, kib("VmHWM:").unwrap_or(0.0) / 1024.0)
}

struct Bench {
    app: App,
    ws: greenlight_domain::id::WorkspaceId,
    owner: Caller,
    manager: Caller,
    posts: Vec<PostId>,
}

/// The planned slot of each of `n` posts in the order they are written:
/// the same order, or shuffled (by a fixed xorshift, so every run plans
/// alike; no generator is needed for more).
fn planned_order(n: usize, shuffled: bool) -> Vec<usize> {
    let mut slots: Vec<usize> = (0..n).collect();
    if shuffled {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for i in (1..n).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            slots.swap(i, (seed % (i as u64 + 1)) as usize);
        }
    }
    slots
}

async fn seed(dir: &std::path::Path, n: usize) -> Bench {
    let app = common::app(dir).await;
    let cli = Caller::cli();
    let mut users = Vec::new();
    for (email, name) in [("owner@bench.example.org", "Olive Owner"), ("manager@bench.example.org", "Manny Manager")] {
        let input = accounts::NewUser { email: email.into(), name: name.into(), password: PASSWORD.into(), is_admin: false };
        users.push(accounts::create_user(&app, &cli, input).await.expect("user"));
    }
    let input = NewWorkspace { name: "Bench".into(), time_zone: ZONE.into(), owner_email: Some("owner@bench.example.org".into()) };
    let ws = workspaces::create_workspace(&app, &cli, input).await.expect("workspace").id;
    let owner = Caller::session(users[0].id, false);
    let manager = Caller::session(users[1].id, false);
    let input = NewMember { email: "manager@bench.example.org".into(), role: "manager".into() };
    workspaces::add_member(&app, &owner, ws, input).await.expect("member");
    let mut channels = Vec::new();
    for network in ["x", "bluesky", "linkedin"] {
        let input = from(json!({"network": network, "handle": "riverside", "display_name": "Riverside"}));
        channels.push(planning::create_channel(&app, &owner, ws, input).await.expect("channel").id);
    }
    let campaign =
        planning::create_campaign(&app, &owner, ws, from(json!({"name": "Heart month", "colour": "#c0392b"}))).await.expect("campaign").id;
    let definition = from(json!({"stages": [{"key": "approve", "name": "Approval",
        "lanes": [{"key": "manager", "name": "Manager", "approvers": [{"role": "manager"}]}]}]}));
    let input = NewWorkflow { name: "One approval".into(), definition: Some(definition), template: None, is_default: true };
    workflows::create_workflow(&app, &owner, ws, input).await.expect("workflow");

    eprintln!("seeding {n} posts …");
    let start = Instant::now();
    let mut took = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    let first = date(2020, 1, 6);
    let slots = planned_order(n, std::env::var("GREENLIGHT_BENCH_PLANNED").as_deref() == Ok("shuffled"));
    for (i, &slot) in slots.iter().enumerate() {
        let day = first.checked_add(((slot / PER_DAY) as i64).days()).expect("a day");
        let minute = 7 * 60 + (slot % PER_DAY) * 40;
        let planned = format!("{day}T{:02}:{:02}[{ZONE}]", minute / 60, minute % 60);
        let input = from(json!({
            "title": format!("Heart habit {i}"),
            "channel_ids": channels,
            "campaign_id": (i % 3 == 0).then_some(campaign),
            "planned_at": planned,
            "content": {"text": format!("Habit {i}: walk after dinner, swap one snack for fruit. More at https://riverside.example.org/h/{i} #HeartMonth")},
        }));
        let one = Instant::now();
        ids.push(posts::create_post(&app, &owner, ws, input).await.expect("post").post.id);
        took.push(one.elapsed());
        if (i + 1) % 10_000 == 0 {
            eprintln!("  {} posts, {:.0} s", i + 1, start.elapsed().as_secs_f64());
        }
    }
    let elapsed = start.elapsed();
    println!(
        "A workspace of {n} posts on three channels, {PER_DAY} a day, on SQLite (one client, each post its own transaction with its audit event):"
    );
    println!();
    println!("| operation | median ms | p99 ms | |");
    println!("|---|--:|--:|---|");
    row("create a post", &mut took, &format!("{:.0} posts/s over {:.0} s", n as f64 / elapsed.as_secs_f64(), elapsed.as_secs_f64()));
    Bench { app, ws, owner, manager, posts: ids }
}

/// Submitting, approving, commenting and editing, in the middle of the workspace.
async fn operations(b: &Bench) -> Vec<PostId> {
    let (app, ws) = (&b.app, b.ws);
    let middle = b.posts.len() / 2;
    let picked: Vec<PostId> = b.posts[middle..].iter().copied().take(RUNS * 2).collect();
    let (mut submit, mut approve, mut comment, mut edit) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, id) in picked.iter().enumerate() {
        let start = Instant::now();
        let view = reviews::submit(app, &b.owner, ws, *id, from(json!({}))).await.expect("submitted");
        submit.push(start.elapsed());
        // Half stay waiting, so the manager's reviews page has work on it.
        if i % 2 == 0 {
            let decision = from(json!({"verdict": "approve", "revision": view.current_revision}));
            let start = Instant::now();
            reviews::decide(app, &b.manager, ws, *id, decision).await.expect("approved");
            approve.push(start.elapsed());
        }
    }
    for id in &picked[..RUNS] {
        let start = Instant::now();
        comments::add_comment(app, &b.manager, ws, *id, from(json!({"body": "Could we say 'health care' here?"}))).await.expect("comment");
        comment.push(start.elapsed());
    }
    let drafts: Vec<PostId> = b.posts[..middle].iter().copied().take(RUNS).collect();
    for id in &drafts {
        let version = posts::post(app, &b.owner, ws, *id).await.expect("post").version;
        let content = Content { text: "Walk after dinner; it helps your heart. #HeartMonth".into(), ..Content::default() };
        let start = Instant::now();
        posts::save_revision(app, &b.owner, ws, *id, Some(version), content).await.expect("edited");
        edit.push(start.elapsed());
    }
    row("submit for review (routing, plan, preflight)", &mut submit, "");
    row("approve", &mut approve, "the approval completes the review");
    row("comment", &mut comment, "");
    row("edit (a new revision)", &mut edit, "");
    picked
}

/// Many clients writing at once: comments from `clients` tasks for a few seconds.
async fn concurrent_writes(b: &Bench, clients: usize) {
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (app, ws, caller, done) = (b.app.clone(), b.ws, b.manager.clone(), done.clone());
        let post = b.posts[c * 7];
        tasks.push(tokio::spawn(async move {
            while Instant::now() < until {
                comments::add_comment(&app, &caller, ws, post, from(json!({"body": "Looks good to me."}))).await.expect("comment");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.expect("a client");
    }
    let per_second = done.load(Ordering::Relaxed) as f64 / 5.0;
    println!();
    println!(
        "{clients} clients commenting at once for 5 s: **{per_second:.0} writes/s** (each a transaction with its audit event and notification job)."
    );
}

/// The pages people open most, over HTTP with a session, as a browser asks for them.
async fn pages(b: &Bench, reviewed: &[PostId]) {
    let router = greenlight_web::router(b.app.clone(), greenlight_web::WebSettings::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(greenlight_web::serve(listener, router, std::future::pending()));
    let client = reqwest::Client::new();
    let mut sessions = Vec::new();
    for email in ["owner@bench.example.org", "manager@bench.example.org"] {
        sessions.push(accounts::login(&b.app, email, PASSWORD).await.expect("login").session_secret);
    }
    let middle = posts::post(&b.app, &b.owner, b.ws, reviewed[0]).await.expect("post");
    let day = middle.planned.as_ref().map(|p| p.at.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()).unwrap_or_default();
    let (ws, post) = (b.ws, reviewed[0]);
    let list: [(&str, String, usize); 7] = [
        ("calendar, month", format!("/w/{ws}/calendar?view=month&date={day}"), 0),
        ("calendar, week", format!("/w/{ws}/calendar?view=week&date={day}"), 0),
        ("calendar, list", format!("/w/{ws}/calendar?view=list&date={day}"), 0),
        ("post (composer)", format!("/w/{ws}/posts/{post}"), 0),
        ("review", format!("/w/{ws}/posts/{post}/review"), 0),
        ("post history", format!("/w/{ws}/posts/{post}/history"), 0),
        ("my reviews (the manager's, 200 waiting)", "/my/reviews".into(), 1),
    ];
    println!();
    println!("Pages over HTTP (server and transfer, no browser rendering), in the workspace's middle month:");
    println!();
    println!("| page | median ms | p99 ms | size |");
    println!("|---|--:|--:|---|");
    for (name, path, who) in list {
        let mut took = Vec::new();
        let mut size = 0;
        let mut cards = 0;
        if std::env::var("GREENLIGHT_BENCH_PAGE").is_ok_and(|only| only != name) {
            continue;
        }
        let runs = std::env::var("GREENLIGHT_BENCH_PAGE_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(RUNS / 4);
        for _ in 0..runs {
            let start = Instant::now();
            let response = client
                .get(format!("{base}{path}"))
                .header("cookie", format!("greenlight_session={}", sessions[who]))
                .send()
                .await
                .expect("an answer");
            assert!(response.status().is_success(), "{path}: {}", response.status());
            let body = response.text().await.expect("a page");
            took.push(start.elapsed());
            size = body.len();
            cards = body.matches("class=\"post-card").count() + body.matches("class=\"card review-card").count();
        }
        let extra = if cards > 0 { format!("{} KiB, {cards} posts", size / 1024) } else { format!("{} KiB", size / 1024) };
        row(name, &mut took, &extra);
    }
}

/// From opening the filled database as a start does (connect, check the
/// migrations) to the first post read through a second application.
async fn cold_start(dir: &std::path::Path, b: &Bench, post: PostId) {
    let start = Instant::now();
    let app = common::app(dir).await;
    posts::post(&app, &b.owner, b.ws, post).await.expect("post");
    println!();
    println!("Cold start: {:.0} ms from opening the database to the first post read.", start.elapsed().as_secs_f64() * 1000.0);
}

/// Review facts for every post — one review each, approved at its planned
/// day, a fifth after a round of changes — written straight to the facts
/// table (as the fold would), then the analytics report of a year (the
/// team's last, 20 posts a day) and of all time.
async fn analytics(b: &Bench) {
    use greenlight_domain::analytics::{
        facts::{Decider, DecisionFact, Outcome, ReviewFacts, StageEnd, StageRound},
        hours::BusinessHours,
    };
    use greenlight_domain::{id::ReviewId, workflow::Verdict};
    let zone = jiff::tz::TimeZone::get(ZONE).expect("zone");
    let hours = BusinessHours::default();
    let manager = b.manager.require_user().expect("the manager");
    let first = date(2020, 1, 6);
    let start = Instant::now();
    for (chunk, ids) in b.posts.chunks(1000).enumerate() {
        let mut tx = b.app.db.write().await.expect("a transaction");
        for (j, post) in ids.iter().enumerate() {
            let i = chunk * 1000 + j;
            let day = first.checked_add(((i / PER_DAY) as i64).days()).expect("a day");
            let at = |minutes: i64| {
                day.to_datetime(jiff::civil::time(8, 0, 0, 0)).to_zoned(zone.clone()).expect("local").timestamp()
                    + jiff::SignedDuration::from_mins(minutes)
            };
            let changes = i % 5 == 0;
            let wait = 20 + (i as i64 * 37) % 600;
            let round = |n: u32, asked: i64, ended: i64, end: StageEnd| StageRound {
                stage: "approve".into(),
                round: n,
                asked_at: at(asked),
                first_seen_at: None,
                due_at: None,
                ended_at: Some(at(ended)),
                end: Some(end),
                overridden: false,
                escalated: false,
                reminders: 0,
                minutes: None,
                business_minutes: None,
            };
            let decision = |n: u32, asked: i64, ended: i64, verdict: Verdict| DecisionFact {
                stage: "approve".into(),
                lane: "manager".into(),
                round: n,
                decider: Decider::User(manager),
                verdict,
                reason: (verdict == Verdict::RequestChanges).then(|| "Tone".to_owned()),
                asked_at: at(asked),
                seen_at: None,
                at: at(ended),
                carried: false,
                minutes: 0,
                business_minutes: 0,
            };
            let (mut stages, mut decisions) = (Vec::new(), Vec::new());
            let mut asked = 0;
            if changes {
                stages.push(round(1, 0, wait, StageEnd::ChangesRequested));
                decisions.push(decision(1, 0, wait, Verdict::RequestChanges));
                asked = wait + 60;
            }
            let n = if changes { 2 } else { 1 };
            stages.push(round(n, asked, asked + wait, StageEnd::Passed));
            decisions.push(decision(n, asked, asked + wait, Verdict::Approve));
            let mut facts = ReviewFacts {
                review: ReviewId::from_uuid(uuid::Uuid::now_v7()),
                post: *post,
                workflow: None,
                post_created_at: Some(at(-60)),
                submitted_at: at(0),
                ended_at: Some(at(asked + wait)),
                outcome: Some(Outcome::Approved),
                rounds: n,
                changes_requested: u32::from(changes),
                reminders: 0,
                escalations: 0,
                planned_time_passed: None,
                stages,
                decisions,
                cycle_minutes: None,
                cycle_business_minutes: None,
                brief_minutes: None,
                brief_business_minutes: None,
            };
            facts.measure(&hours, &zone);
            greenlight_store::analytics::replace_post_facts(&mut tx, b.ws, *post, i64::MAX, &[facts]).await.expect("facts");
        }
        tx.commit().await.expect("committed");
    }
    let wrote = start.elapsed();
    let last = first.checked_add((((b.posts.len() - 1) / PER_DAY) as i64).days()).expect("the last day");
    let year = last.checked_sub(364.days()).expect("a year before");
    println!();
    println!(
        "Workflow analytics over the same workspace (a review for each post, facts written in {:.0} s), the report as the API answers it:",
        wrote.as_secs_f64()
    );
    println!();
    println!("| report | median ms | p99 ms | reviews |");
    println!("|---|--:|--:|--:|");
    for (what, from, runs) in [("the last year", year, 50), ("all time", first, 10)] {
        let query =
            greenlight_service::analytics::ReportQuery { from: Some(from.to_string()), to: Some(last.to_string()), ..Default::default() };
        let mut took = Vec::with_capacity(runs);
        let mut completed = 0;
        for _ in 0..runs {
            let one = Instant::now();
            let report = greenlight_service::analytics::report(&b.app, &b.manager, b.ws, &query).await.expect("the report");
            took.push(one.elapsed());
            completed = report.measures.reviews_completed;
        }
        row(what, &mut took, &completed.to_string());
    }
}

fn main() {
    let n: usize = std::env::var("GREENLIGHT_BENCH_POSTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let bench = seed(dir.path(), n).await;
        if std::env::var("GREENLIGHT_BENCH_ONLY").as_deref() != Ok("analytics") {
            let reviewed = operations(&bench).await;
            concurrent_writes(&bench, 16).await;
            pages(&bench, &reviewed).await;
            cold_start(dir.path(), &bench, reviewed[0]).await;
        }
        if std::env::var("GREENLIGHT_BENCH_PAGE").is_err() {
            analytics(&bench).await;
        }
        let (now, peak) = memory();
        let db = std::fs::metadata(dir.path().join("bench.db")).map(|m| m.len()).unwrap_or(0);
        println!();
        println!("Memory: {now:.0} MiB resident now, {peak:.0} MiB at the peak; the database file is {} MiB.", db / (1 << 20));
    });
}
