//! Background work: the durable job queue (claims, leases, a dead worker's
//! jobs), and what runs on it — reminders, escalation, and the workflow's
//! publish-time policy — driven by moving the clock, never by sleeping.

use greenlight_service::{
    App,
    jobs::{Job, Registry},
    worker::{Worker, WorkerSettings},
};
use greenlight_store::jobs::{self, NewJob, Outcome};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

/// A job that holds its queue until the test releases it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Slow;

/// A job in another queue that only says it ran.
#[derive(serde::Serialize, serde::Deserialize)]
struct Quick;

static SLOW_STARTED: std::sync::LazyLock<tokio::sync::Notify> = std::sync::LazyLock::new(tokio::sync::Notify::new);
static SLOW_RELEASED: std::sync::LazyLock<tokio::sync::Notify> = std::sync::LazyLock::new(tokio::sync::Notify::new);
static QUICK_RAN: std::sync::LazyLock<tokio::sync::Notify> = std::sync::LazyLock::new(tokio::sync::Notify::new);

impl Job for Slow {
    const KIND: &'static str = "test_slow";
    const QUEUE: &'static str = "test_slow";

    fn dedup_key(&self) -> String {
        "slow".into()
    }

    async fn run(&self, _app: &App) -> greenlight_service::Result<()> {
        SLOW_STARTED.notify_one();
        SLOW_RELEASED.notified().await;
        Ok(())
    }
}

impl Job for Quick {
    const KIND: &'static str = "test_quick";
    const QUEUE: &'static str = "test_quick";

    fn dedup_key(&self) -> String {
        "quick".into()
    }

    async fn run(&self, _app: &App) -> greenlight_service::Result<()> {
        QUICK_RAN.notify_one();
        Ok(())
    }
}

async fn status_of(h: &Harness, kind: &str) -> Vec<String> {
    let mut tx = h.app.db.read().await.unwrap();
    jobs::jobs_of_kind(&mut tx, kind).await.unwrap().into_iter().map(|j| j.status).collect()
}

/// Guards a wait that must end; the worker itself is never slept on.
async fn within_a_minute(what: &str, wait: impl std::future::Future<Output = ()>) {
    tokio::time::timeout(std::time::Duration::from_secs(60), wait).await.unwrap_or_else(|_| panic!("{what} did not happen"));
}

#[apply(backends)]
async fn a_job_that_takes_long_in_one_queue_does_not_delay_another_queue(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let now = h.app.now();
    {
        let mut tx = h.app.db.write().await.unwrap();
        // The slow job is due first: one worker taking jobs in due order
        // would run it, and make the quick one wait for it.
        greenlight_service::jobs::enqueue(&mut tx, &h.app, &Slow, now - SignedDuration::from_secs(1)).await.unwrap();
        greenlight_service::jobs::enqueue(&mut tx, &h.app, &Quick, now).await.unwrap();
        tx.commit().await.unwrap();
    }
    let registry = Registry::default().with::<Slow>().with::<Quick>();
    let (stop, stopping) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(Worker::new(h.app.clone(), registry, WorkerSettings::default()).run(async move {
        let _ = stopping.await;
    }));
    within_a_minute("the slow job starting", SLOW_STARTED.notified()).await;
    within_a_minute("the quick job running beside the slow one", QUICK_RAN.notified()).await;
    assert_eq!(status_of(&h, "test_slow").await, ["running"], "the slow job still runs");
    SLOW_RELEASED.notify_one();
    let _ = stop.send(());
    within_a_minute("the worker stopping", async { worker.await.unwrap() }).await;
    assert_eq!(status_of(&h, "test_slow").await, ["done"], "the job in hand finished before the worker stopped");
    assert_eq!(status_of(&h, "test_quick").await, ["done"]);
}

#[apply(backends)]
async fn a_finished_job_is_removed_after_its_retention(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    {
        let mut tx = h.app.db.write().await.unwrap();
        greenlight_service::jobs::enqueue(&mut tx, &h.app, &Quick, h.app.now()).await.unwrap();
        tx.commit().await.unwrap();
    }
    let settings = WorkerSettings { keep_done: SignedDuration::from_hours(24), ..WorkerSettings::default() };
    let worker = Worker::new(h.app.clone(), Registry::default().with::<Quick>(), settings);
    assert_eq!(worker.drain().await.unwrap(), 1);
    assert_eq!(status_of(&h, "test_quick").await, ["done"], "kept for operators to see");
    h.clock.advance(SignedDuration::from_hours(23));
    worker.drain().await.unwrap();
    assert_eq!(status_of(&h, "test_quick").await, ["done"], "still within its retention");
    h.clock.advance(SignedDuration::from_hours(2));
    worker.drain().await.unwrap();
    assert!(status_of(&h, "test_quick").await.is_empty(), "removed after a day");
}

fn job(key: &str, run_at: Timestamp) -> NewJob {
    NewJob { kind: "test".into(), queue: "test".into(), payload: "{}".into(), dedup_key: Some(key.into()), run_at, max_attempts: 3 }
}

#[apply(backends)]
async fn workers_share_the_queue_and_take_over_a_dead_workers_jobs(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let db = &h.app.db;
    let now = h.app.now();
    let lease = now + SignedDuration::from_secs(60);

    let mut tx = db.write().await.unwrap();
    for n in 0..6 {
        assert!(jobs::enqueue(&mut tx, &job(&format!("job-{n}"), now), now).await.unwrap());
    }
    assert!(!jobs::enqueue(&mut tx, &job("job-0", now), now).await.unwrap(), "the same key is one job");
    assert!(jobs::enqueue(&mut tx, &job("later", now + SignedDuration::from_mins(5)), now).await.unwrap());
    tx.commit().await.unwrap();

    // Two workers claim at the same moment: each job goes to exactly one.
    let claim = |worker: &'static str| async move {
        let mut tx = db.write().await.unwrap();
        let claimed = jobs::claim(&mut tx, worker, None, now, lease, 4).await.unwrap();
        tx.commit().await.unwrap();
        claimed
    };
    let (a, b) = tokio::join!(claim("a"), claim("b"));
    let mut ids: Vec<_> = a.iter().chain(&b).map(|j| j.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), a.len() + b.len(), "no job claimed twice");
    assert_eq!(ids.len(), 6, "every due job claimed, the later one not: {} + {}", a.len(), b.len());

    // Worker a finishes its jobs; worker b dies holding its own.
    for j in &a {
        let mut tx = db.write().await.unwrap();
        assert!(jobs::finish(&mut tx, j.id, "a", &Outcome::Done, now).await.unwrap());
        tx.commit().await.unwrap();
    }
    let mut tx = db.write().await.unwrap();
    assert!(jobs::claim(&mut tx, "c", None, now + SignedDuration::from_secs(30), lease, 10).await.unwrap().is_empty(), "b's lease holds");
    tx.commit().await.unwrap();

    // Once the lease lapses, c takes b's jobs (and the later one, now due).
    let after = now + SignedDuration::from_mins(6);
    let mut tx = db.write().await.unwrap();
    let taken = jobs::claim(&mut tx, "c", None, after, after + SignedDuration::from_mins(10), 10).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(taken.len(), b.len() + 1);
    assert!(taken.iter().filter(|j| b.iter().any(|d| d.id == j.id)).all(|j| j.attempts == 2), "a retaken job counts its attempts");

    // b wakes up: its lease is gone, so its result is not recorded.
    let mut tx = db.write().await.unwrap();
    if let Some(first) = b.first() {
        assert!(!jobs::finish(&mut tx, first.id, "b", &Outcome::Done, after).await.unwrap());
    }
    // A failure retries later, then gives up and keeps the error.
    let j = &taken[0];
    let retry = Outcome::Retry { error: "smtp down".into(), at: after + SignedDuration::from_mins(1) };
    assert!(jobs::finish(&mut tx, j.id, "c", &retry, after).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = db.write().await.unwrap();
    let again =
        jobs::claim(&mut tx, "c", None, after + SignedDuration::from_mins(2), after + SignedDuration::from_mins(3), 10).await.unwrap();
    assert_eq!(again.iter().map(|j| j.id).collect::<Vec<_>>(), vec![j.id]);
    assert!(jobs::finish(&mut tx, j.id, "c", &Outcome::Failed { error: "still down".into() }, after).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = db.read().await.unwrap();
    let all = jobs::jobs_of_kind(&mut tx, "test").await.unwrap();
    let failed: Vec<_> = all.iter().filter(|r| r.status == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].last_error.as_deref(), Some("still down"));
    assert_eq!(all.len(), 7);
}

/// A workflow with one reviewer stage due in an hour, reminders at half and
/// full time, escalation to the owner after two hours, and `policy`.
fn timed_workflow(policy: Value) -> Value {
    json!({
        "name": "Timed",
        "is_default": true,
        "definition": {
            "on_publish_time": policy,
            "stages": [{
                "key": "review", "name": "Review",
                "lanes": [{"key": "reviewers", "name": "Reviewers", "approvers": [{"role": "reviewer"}], "rule": "any"}],
                "due": {"after_minutes": 60},
                "reminders": [50, 100],
                "escalation": {"after_minutes": 120, "to": [{"role": "owner"}]}
            }]
        }
    })
}

fn actions(history: &Reply) -> Vec<String> {
    history.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

fn count(actions: &[String], action: &str) -> usize {
    actions.iter().filter(|a| *a == action).count()
}

/// A post planned `hours` from now, submitted; returns its path.
async fn submitted(h: &Harness, creator: &Client, ws: &str, hours: i64) -> String {
    let at = (h.app.now() + SignedDuration::from_hours(hours)).to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%dT%H:%M:%S[UTC]");
    let post = creator
        .post(
            &format!("/workspaces/{ws}/posts"),
            json!({"title": "Open day", "planned_at": at.to_string(), "content": {"text": "Come by"}}),
        )
        .await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let path = format!("/workspaces/{ws}/posts/{}", post.body["post"]["id"].as_str().unwrap());
    let r = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    path
}

#[apply(backends)]
async fn reminders_escalation_and_an_expired_review_follow_the_clock(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("timers").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@timers.example.org").await;
    let creator = h.login("creator@timers.example.org").await;
    let wf = owner.post(&format!("/workspaces/{ws}/workflows"), timed_workflow(json!({"policy": "fail"}))).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let path = submitted(&h, &creator, &ws, 3).await;
    let post = creator.get(&path).await;
    assert_eq!((post.body["state"].as_str(), post.body["review_stage"].as_str()), (Some("in_review"), Some("Review")));
    let history_path = format!("{path}/history");
    let history = || owner.get(&history_path);

    h.pass(SignedDuration::ZERO).await; // the notifications of the submission
    assert_eq!(h.pass(SignedDuration::from_mins(29)).await, 0, "nothing due yet");
    h.pass(SignedDuration::from_mins(1)).await;
    let reminded = history().await;
    assert_eq!(count(&actions(&reminded), "review.reminder"), 1, "the 50 % reminder");
    let reminder = reminded.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "review.reminder").unwrap();
    assert_eq!(reminder["data"]["percent"], 50);
    assert_eq!(reminder["actor"]["kind"], "system", "{reminder}");

    h.pass(SignedDuration::from_mins(30)).await;
    assert_eq!(count(&actions(&history().await), "review.reminder"), 2, "the 100 % reminder");
    assert!(owner.get("/my/reviews").await.body.as_array().unwrap().is_empty(), "the owner is not asked yet");
    let reviewer = h.login("reviewer@timers.example.org").await;
    let mine = reviewer.get("/my/reviews").await;
    assert_eq!(mine.body[0]["overdue"], false, "due now, not yet overdue");
    assert_eq!(
        (mine.body[0]["stage"].as_str(), mine.body[0]["stage_key"].as_str()),
        (Some("Review"), Some("review")),
        "named as posts name it"
    );

    h.pass(SignedDuration::from_mins(60)).await;
    assert_eq!(count(&actions(&history().await), "review.escalated"), 1);
    assert_eq!(reviewer.get("/my/reviews").await.body[0]["overdue"], true);
    assert_eq!(owner.get("/my/reviews").await.body.as_array().unwrap().len(), 1, "escalated to the owner");
    // Asked, but through a read-only token: no decision.
    let token = owner.post(&format!("/workspaces/{ws}/tokens"), json!({"name": "dashboard", "role": "viewer"})).await;
    let dashboard = h.bearer(token.body["secret"].as_str().unwrap());
    let rev = creator.get(&format!("{path}/review")).await.body["current_revision"].as_str().unwrap().to_owned();
    let r = dashboard.post(&format!("{path}/review/decisions"), json!({"verdict": "approve", "revision": rev})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body["detail"].as_str().unwrap().contains("cannot decide reviews"), "{}", r.body);
    let before = actions(&history().await).len();
    h.pass(SignedDuration::from_mins(1)).await;
    assert_eq!(actions(&history().await).len(), before, "each timer runs once");

    // The planned time arrives unapproved: with `fail` the review expires.
    h.pass(SignedDuration::from_mins(60)).await;
    let after = history().await;
    assert_eq!(count(&actions(&after), "review.expired"), 1, "{:?}", actions(&after));
    let post = creator.get(&path).await;
    assert_eq!((post.body["state"].as_str(), post.body["review_stage"].as_str()), (Some("draft"), None), "{}", post.body);
    assert_eq!(creator.get(&format!("{path}/review")).await.body["run"]["status"], "expired");
    assert!(owner.get("/my/reviews").await.body.as_array().unwrap().is_empty());
    assert_eq!(owner.get(&format!("/workspaces/{ws}/audit/verify")).await.body["intact"], true);
    let mut tx = h.app.db.read().await.unwrap();
    for kind in ["review_timer", "publish_time"] {
        let ran = jobs::jobs_of_kind(&mut tx, kind).await.unwrap();
        assert!(!ran.is_empty() && ran.iter().all(|j| j.status == "done"), "{kind}: {ran:?}");
    }
}

#[apply(backends)]
async fn a_late_approval_publishes_within_the_grace_period_and_holds_after_it(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("grace").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@grace.example.org").await;
    let creator = h.login("creator@grace.example.org").await;
    let reviewer = h.login("reviewer@grace.example.org").await;
    let wf = owner.post(&format!("/workspaces/{ws}/workflows"), timed_workflow(json!({"policy": "grace", "minutes": 30}))).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let within = submitted(&h, &creator, &ws, 1).await;
    let beyond = submitted(&h, &creator, &ws, 1).await;

    h.pass(SignedDuration::from_mins(70)).await;
    for path in [&within, &beyond] {
        let history = owner.get(&format!("{path}/history")).await;
        assert_eq!(count(&actions(&history), "review.publish_time_passed"), 1, "held and the team told");
        assert_eq!(creator.get(path).await.body["state"], "in_review", "never published unapproved");
    }
    let approve = |revision: &str| json!({"verdict": "approve", "revision": revision});
    let rev = creator.get(&format!("{within}/review")).await.body["current_revision"].as_str().unwrap().to_owned();
    let r = reviewer.post(&format!("{within}/review/decisions"), approve(&rev)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(creator.get(&within).await.body["state"], "scheduled", "published as soon as approved, within the grace");

    h.pass(SignedDuration::from_mins(30)).await;
    let rev = creator.get(&format!("{beyond}/review")).await.body["current_revision"].as_str().unwrap().to_owned();
    let r = reviewer.post(&format!("{beyond}/review/decisions"), approve(&rev)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let post = creator.get(&beyond).await;
    assert_eq!(post.body["state"], "approved", "too late: it waits for a new time");
    let history = owner.get(&format!("{beyond}/history")).await;
    let decided = history.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "review.decided").unwrap();
    assert_eq!(decided["data"]["late"], "hold");

    // A draft whose time passed before it was even submitted: the check runs on submission.
    let at = (h.app.now() + SignedDuration::from_mins(10)).to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%dT%H:%M:%S[UTC]");
    let draft = creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Late", "planned_at": at.to_string()})).await;
    let path = format!("/workspaces/{ws}/posts/{}", draft.body["post"]["id"].as_str().unwrap());
    h.pass(SignedDuration::from_mins(20)).await;
    assert_eq!(creator.post(&format!("{path}/review"), json!(null)).await.status, StatusCode::OK);
    assert!(h.pass(SignedDuration::ZERO).await > 0);
    let history = owner.get(&format!("{path}/history")).await;
    assert_eq!(count(&actions(&history), "review.publish_time_passed"), 1, "{:?}", actions(&history));
}
