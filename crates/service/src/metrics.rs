//! The figures an operator's Prometheus scrapes at `/metrics`: counters and
//! histograms moved as the work is done (requests, jobs, deliveries,
//! reviews), and gauges read when scraped (the job queues, the database's
//! connections, the process's memory). Each application keeps its own
//! registry rather than a process-wide one, so two in one process (the
//! tests) count apart.

use std::{sync::atomic::AtomicU64, time::Duration};

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

use crate::{App, Error, Result};

/// The content type of what [`render`] writes (Prometheus text, 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Seconds from 1 ms to about half a minute, doubling.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobRun {
    kind: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobKind {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Delivery {
    channel: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Verdict {
    verdict: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Queue {
    queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Use {
    state: &'static str,
}

/// How a job's run ended, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    /// Failed; it runs again later.
    Retry,
    /// Failed for good.
    Failed,
    /// Let go unfinished when the worker stopped.
    Released,
}

impl JobOutcome {
    fn label(self) -> &'static str {
        match self {
            JobOutcome::Done => "done",
            JobOutcome::Retry => "retry",
            JobOutcome::Failed => "failed",
            JobOutcome::Released => "released",
        }
    }
}

/// Where a notification or delivery went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Chat,
    Webhook,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<Request, Counter>,
    request_seconds: Histograms<Route>,
    job_runs: Family<JobRun, Counter>,
    job_seconds: Histograms<JobKind>,
    deliveries: Family<Delivery, Counter>,
    reviews_started: Counter,
    events_followed: Counter,
    events_unfollowed: Gauge,
    decisions: Family<Verdict, Counter>,
    jobs_due: Family<Queue, Gauge>,
    jobs_scheduled: Family<Queue, Gauge>,
    jobs_running: Family<Queue, Gauge>,
    oldest_due: Family<Queue, Gauge<f64, AtomicU64>>,
    connections: Family<Use, Gauge>,
    connections_max: Gauge,
    resident: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// `metric`, registered under `name` with its help text.
fn registered<M: prometheus_client::registry::Metric + Clone>(registry: &mut Registry, name: &str, help: &str, metric: M) -> M {
    registry.register(name, help, metric.clone());
    metric
}

impl Default for Metrics {
    fn default() -> Self {
        let mut r = Registry::with_prefix("greenlight");
        Metrics {
            requests: registered(&mut r, "http_requests", "HTTP requests answered, by route template and status", Family::default()),
            request_seconds: registered(
                &mut r,
                "http_request_duration_seconds",
                "Time to answer an HTTP request",
                Family::new_with_constructor(seconds),
            ),
            job_runs: registered(&mut r, "job_runs", "Job runs by kind and outcome (done, retry, failed, released)", Family::default()),
            job_seconds: registered(&mut r, "job_duration_seconds", "Time a job's run took", Family::new_with_constructor(seconds)),
            deliveries: registered(&mut r, "deliveries", "Emails, chat messages and webhook calls sent, by outcome", Family::default()),
            reviews_started: registered(&mut r, "reviews_started", "Reviews started (a post submitted or resubmitted)", Counter::default()),
            events_followed: registered(
                &mut r,
                "events_followed",
                "Workspace events followed: looked at for notifications, webhooks and review facts",
                Counter::default(),
            ),
            events_unfollowed: registered(&mut r, "events_unfollowed", "Workspace events recorded and not yet followed", Gauge::default()),
            decisions: registered(&mut r, "decisions", "Review decisions by verdict", Family::default()),
            jobs_due: registered(&mut r, "jobs_due", "Jobs due now and waiting for a worker, by queue", Family::default()),
            jobs_scheduled: registered(&mut r, "jobs_scheduled", "Jobs waiting for a later time, by queue", Family::default()),
            jobs_running: registered(&mut r, "jobs_running", "Jobs a worker holds now, by queue", Family::default()),
            oldest_due: registered(
                &mut r,
                "jobs_oldest_due_age_seconds",
                "How long the longest-waiting due job has waited",
                Family::default(),
            ),
            connections: registered(&mut r, "database_connections", "Database connections, busy or idle", Family::default()),
            connections_max: registered(&mut r, "database_connections_max", "Database connections allowed at most", Gauge::default()),
            resident: registered(&mut r, "process_resident_memory_bytes", "Resident memory of this process", Gauge::default()),
            registry: r,
        }
    }
}

impl Metrics {
    /// An HTTP request answered; `route` is its template (`/api/v1/workspaces/{ws}`).
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let (method, route) = (method.to_owned(), route.to_owned());
        self.request_seconds.get_or_create(&Route { method: method.clone(), route: route.clone() }).observe(took.as_secs_f64());
        self.requests.get_or_create(&Request { method, route, status }).inc();
    }

    pub fn job(&self, kind: &str, outcome: JobOutcome, took: Duration) {
        self.job_runs.get_or_create(&JobRun { kind: kind.to_owned(), outcome: outcome.label() }).inc();
        self.job_seconds.get_or_create(&JobKind { kind: kind.to_owned() }).observe(took.as_secs_f64());
    }

    /// Events followed, counted once their transaction committed.
    pub fn followed(&self, events: usize) {
        self.events_followed.inc_by(u64::try_from(events).unwrap_or(u64::MAX));
    }

    pub fn delivery(&self, channel: Channel, sent: bool) {
        let channel = match channel {
            Channel::Email => "email",
            Channel::Chat => "chat",
            Channel::Webhook => "webhook",
        };
        self.deliveries.get_or_create(&Delivery { channel, outcome: if sent { "sent" } else { "failed" } }).inc();
    }

    /// A recorded event (its data as recorded), counted once it has been
    /// followed.
    pub fn event(&self, action: &str, data: &str) {
        match action {
            "review.started" | "review.resubmitted" => {
                self.reviews_started.inc();
            }
            "review.decided" => {
                let data: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
                let verdict = data["verdict"].as_str().unwrap_or("unknown").to_owned();
                self.decisions.get_or_create(&Verdict { verdict }).inc();
            }
            _ => {}
        }
    }
}

/// Everything in the Prometheus text format, the gauges read now; every
/// queue of `queues` shows, an empty one as zeros.
pub async fn render(app: &App, queues: impl IntoIterator<Item = &'static str>) -> Result<String> {
    let m = &app.metrics;
    let now = app.now();
    let (stats, unfollowed) = {
        let mut tx = app.db.read().await?;
        (greenlight_store::jobs::queue_stats(&mut tx, now).await?, greenlight_store::audit::unfollowed(&mut tx, i64::MAX).await?)
    };
    m.events_unfollowed.set(unfollowed.iter().map(|(_, n)| n).sum());
    for family in [&m.jobs_due, &m.jobs_scheduled, &m.jobs_running] {
        family.clear();
    }
    m.oldest_due.clear();
    for queue in queues {
        let label = Queue { queue: queue.to_owned() };
        m.jobs_due.get_or_create(&label).set(0);
        m.jobs_scheduled.get_or_create(&label).set(0);
        m.jobs_running.get_or_create(&label).set(0);
        m.oldest_due.get_or_create(&label).set(0.0);
    }
    for s in stats {
        let label = Queue { queue: s.queue };
        m.jobs_due.get_or_create(&label).set(s.due);
        m.jobs_scheduled.get_or_create(&label).set(s.scheduled);
        m.jobs_running.get_or_create(&label).set(s.running);
        let waited = s.oldest_due.map_or(0.0, |at| now.duration_since(at).as_secs_f64().max(0.0));
        m.oldest_due.get_or_create(&label).set(waited);
    }
    let use_ = app.db.connections();
    m.connections.get_or_create(&Use { state: "busy" }).set(i64::try_from(use_.busy).unwrap_or(i64::MAX));
    m.connections.get_or_create(&Use { state: "idle" }).set(i64::try_from(use_.idle).unwrap_or(i64::MAX));
    m.connections_max.set(i64::try_from(use_.max).unwrap_or(i64::MAX));
    m.resident.set(resident_bytes());
    let mut text = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut text, &m.registry)
        .map_err(|e| Error::Internal(format!("writing the metrics: {e}").into()))?;
    Ok(text)
}

/// Resident memory from `/proc` (0 where there is none).
fn resident_bytes() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
        .map_or(0, |kib| kib * 1024)
}
