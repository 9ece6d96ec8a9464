//! The worker: runs the jobs of the durable queue, each queue with its own
//! concurrency, and knows every job type Greenlight has.
//!
//! It claims due jobs with a lease, commits, runs each outside any
//! transaction (renewing the lease while it runs), and records the outcome
//! in a short transaction; a job whose worker died is claimed again once
//! its lease lapses. Several workers (in one process, or instances on one
//! PostgreSQL database) share the queue safely. On PostgreSQL a worker
//! wakes when a job is announced (`LISTEN`); otherwise it sleeps until the
//! next job is due, a few seconds at most.
//!
//! Beside the queues it follows every workspace's history (a cursor per
//! workspace), telling whom each new event concerns; workers on one
//! database take turns per workspace.

use std::{
    collections::BTreeMap,
    future::Future,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use greenlight_domain::id::JobId;
use greenlight_store::jobs::{self, Claimed, Outcome};
use jiff::SignedDuration;
use tokio::{
    sync::{Notify, watch},
    task::JoinSet,
};
use tracing::Instrument as _;
use uuid::Uuid;

use crate::{
    App, Error, Result, analytics, audit, checkpoints, email, invites, jobs::Registry, metrics::JobOutcome, notifications, preflight,
    publishing, reviews, webhooks, weekly_report,
};

impl Registry {
    /// Every job type Greenlight runs.
    pub fn standard() -> Self {
        Registry::default()
            .with::<reviews::ReviewTimer>()
            .with::<reviews::PublishTime>()
            .with::<audit::EventRecorded>()
            .with::<analytics::RebuildFacts>()
            .with::<weekly_report::ReportTick>()
            .with::<weekly_report::SendWeeklyReport>()
            .with::<email::SendEmail>()
            .with::<invites::SendInvite>()
            .with::<webhooks::Deliver>()
            .with::<preflight::CheckLinks>()
            .with::<publishing::Publish>()
            .with::<checkpoints::MakeCheckpoints>()
    }
}

/// How a worker runs its queues.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// How many jobs of each queue run at once; a queue not named runs one
    /// at a time.
    pub queues: BTreeMap<String, usize>,
    /// How long a claim holds before another worker may take the job over
    /// (renewed while the job runs).
    pub lease: SignedDuration,
    /// The longest an idle queue sleeps before it looks again (PostgreSQL
    /// also wakes it when a job is announced).
    pub idle: Duration,
    /// How often the workspaces' histories are looked at for new events
    /// when none came last time.
    pub follow_every: Duration,
    /// How long finished jobs are kept, for operators to look at.
    pub keep_done: SignedDuration,
    pub keep_failed: SignedDuration,
    /// Once asked to stop, how long running jobs may take to finish; those
    /// still running then are let go for another worker to take up.
    pub stop_within: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        let queues = [("publish", 4), ("reviews", 2), ("notify", 4), ("webhooks", 4), ("links", 2)];
        WorkerSettings {
            queues: queues.into_iter().map(|(q, n)| (q.to_owned(), n)).collect(),
            lease: SignedDuration::from_secs(60),
            idle: Duration::from_secs(5),
            follow_every: Duration::from_secs(1),
            keep_done: SignedDuration::from_hours(24),
            keep_failed: SignedDuration::from_hours(24 * 30),
            stop_within: Duration::from_secs(30),
        }
    }
}

/// Runs jobs from the queue.
pub struct Worker {
    app: App,
    registry: Registry,
    settings: WorkerSettings,
    name: String,
    /// The jobs this worker holds now, to let go of if it stops first.
    holding: Mutex<BTreeMap<JobId, (String, Instant)>>,
}

impl Worker {
    pub fn new(app: App, registry: Registry, settings: WorkerSettings) -> Self {
        let name = format!("{}-{}", std::process::id(), Uuid::now_v7().simple());
        Worker { app, registry, settings, name, holding: Mutex::new(BTreeMap::new()) }
    }

    /// Claims one due job of any queue and runs it; returns how many it ran
    /// (0 or 1).
    pub async fn run_due(&self) -> Result<usize> {
        let claimed = self.claim(None, 1).await?;
        let count = claimed.len();
        for job in claimed {
            self.run_claimed(job).await?;
        }
        Ok(count)
    }

    /// Runs due jobs one by one and follows the workspaces' histories until
    /// nothing is left — including jobs the jobs enqueue for now and the
    /// events they record — then removes finished jobs past their
    /// retention. Tests call this instead of sleeping; it gives up after a
    /// generous number of rounds so a job that keeps re-enqueueing itself
    /// cannot hang it.
    pub async fn drain(&self) -> Result<usize> {
        let mut total = 0;
        for _ in 0..10_000 {
            match self.run_due().await? + notifications::follow(&self.app).await? {
                0 => {
                    self.prune().await?;
                    return Ok(total);
                }
                n => total += n,
            }
        }
        Err(Error::Internal("the job queue did not drain".into()))
    }

    /// On SQLite, where one process owns the database, a job still running
    /// when the worker starts was left by a process that died (a crash, a
    /// `kill -9`): it is taken up at once rather than after its lease. A
    /// publication it was sending is then settled by asking the network.
    /// Instances sharing PostgreSQL wait for the lease to lapse instead.
    async fn take_over_orphans(&self) -> Result<()> {
        if !self.app.db.single_process() {
            return Ok(());
        }
        let mut tx = self.app.db.write().await?;
        let ended = jobs::end_leases(&mut tx, self.app.now()).await?;
        tx.commit().await?;
        if ended > 0 {
            tracing::info!(jobs = ended, "taking over jobs a stopped process left running");
        }
        Ok(())
    }

    /// Removes finished jobs past their retention, and rate limits' past
    /// windows.
    pub async fn prune(&self) -> Result<u64> {
        let now = self.app.now();
        let mut tx = self.app.db.write().await?;
        let removed = jobs::prune(&mut tx, now - self.settings.keep_done, now - self.settings.keep_failed).await?;
        greenlight_store::rate_limits::prune(&mut tx, now - crate::limits::KEEP_WINDOWS).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Works until `shutdown` completes: every queue the registry knows
    /// runs side by side with its own limit. Jobs in progress may then
    /// finish within `stop_within`; any still running after it are let go
    /// (their leases ended) for another worker, and it returns.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        if let Err(err) = self.take_over_orphans().await {
            tracing::warn!(%err, "could not take over jobs left running");
        }
        let this = Arc::new(self);
        let (stop, stopping) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let mut queues: BTreeMap<&'static str, Arc<Notify>> = BTreeMap::new();
        for queue in this.registry.queues() {
            queues.insert(queue, Arc::new(Notify::new()));
        }
        let listening = this.listen(queues.clone(), stopping.clone()).await;
        let mut tasks = JoinSet::new();
        for (queue, wake) in queues {
            let limit = this.settings.queues.get(queue).copied().unwrap_or(1).max(1);
            tasks.spawn(this.clone().run_queue(queue, limit, wake, listening, stopping.clone()));
        }
        tasks.spawn(this.clone().prune_now_and_then(stopping.clone()));
        tasks.spawn(this.clone().follow_events(stopping.clone()));
        let mut stopping = stopping;
        tokio::select! {
            () = async { while tasks.join_next().await.is_some() {} } => return,
            _ = stopping.wait_for(|stop| *stop) => {}
        }
        if tokio::time::timeout(this.settings.stop_within, async { while tasks.join_next().await.is_some() {} }).await.is_err() {
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
            this.release_held().await;
        }
    }

    /// Lets go of the jobs still held (their runs were stopped), so the
    /// next worker takes them up at once.
    async fn release_held(&self) {
        let held = self.holding.lock().map(|mut h| std::mem::take(&mut *h)).unwrap_or_default();
        for (id, (kind, started)) in held {
            self.app.metrics.job(&kind, JobOutcome::Released, started.elapsed());
            let released = async {
                let mut tx = self.app.db.write().await?;
                let released = jobs::release(&mut tx, id, &self.name).await?;
                tx.commit().await?;
                Ok::<_, Error>(released)
            };
            match released.await {
                Ok(true) => tracing::warn!(job = %id, "stopped before the job finished; let go for another worker"),
                Ok(false) => {}
                Err(err) => tracing::error!(job = %id, %err, "could not let go of a job; it is taken up when its lease ends"),
            }
        }
    }

    /// On PostgreSQL, wakes a queue when a job is announced for it; returns
    /// whether it listens.
    async fn listen(&self, queues: BTreeMap<&'static str, Arc<Notify>>, mut stopping: watch::Receiver<bool>) -> bool {
        let mut listener = match jobs::listen(&self.app.db).await {
            Ok(Some(listener)) => listener,
            Ok(None) => return false,
            Err(err) => {
                tracing::warn!(%err, "cannot listen for jobs; polling instead");
                return false;
            }
        };
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stopping.wait_for(|stop| *stop) => return,
                    received = listener.recv() => match received {
                        Ok(note) => {
                            if let Some(wake) = queues.get(note.payload()) {
                                wake.notify_one();
                            }
                        }
                        // It reconnects on the next call; jobs announced
                        // meanwhile are found by the idle poll.
                        Err(err) => tracing::warn!(%err, "listening for jobs"),
                    },
                }
            }
        });
        true
    }

    /// One queue: keeps up to `limit` of its jobs running.
    async fn run_queue(
        self: Arc<Self>,
        queue: &'static str,
        limit: usize,
        wake: Arc<Notify>,
        listening: bool,
        mut stopping: watch::Receiver<bool>,
    ) {
        let mut running = JoinSet::new();
        loop {
            let free = limit.saturating_sub(running.len());
            let mut claimed = 0;
            if free > 0 {
                match self.claim(Some(queue), i64::try_from(free).unwrap_or(1)).await {
                    Ok(jobs) => {
                        claimed = jobs.len();
                        for job in jobs {
                            let this = self.clone();
                            running.spawn(async move {
                                if let Err(err) = this.run_claimed(job).await {
                                    tracing::error!(%err, "recording a job's outcome");
                                }
                            });
                        }
                    }
                    Err(err) => tracing::error!(%err, queue, "claiming jobs"),
                }
            }
            // More may be due if the claim filled every free place.
            let pause = if free > 0 && claimed == free { Duration::ZERO } else { self.idle_for(queue, listening).await };
            tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => break,
                Some(_) = running.join_next(), if !running.is_empty() => {}
                () = wake.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
        while running.join_next().await.is_some() {}
    }

    /// Follows the workspaces' histories: at once while events keep coming,
    /// else every `follow_every`.
    async fn follow_events(self: Arc<Self>, mut stopping: watch::Receiver<bool>) {
        loop {
            let pause = match notifications::follow(&self.app).await {
                Ok(0) => self.settings.follow_every,
                Ok(_) => Duration::ZERO,
                Err(err) => {
                    tracing::error!(%err, "following the workspaces' histories");
                    self.settings.idle
                }
            };
            tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Removes finished jobs at start and every ten minutes.
    async fn prune_now_and_then(self: Arc<Self>, mut stopping: watch::Receiver<bool>) {
        loop {
            if let Err(err) = self.prune().await {
                tracing::warn!(%err, "removing finished jobs");
            }
            tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => return,
                () = tokio::time::sleep(Duration::from_secs(600)) => {}
            }
        }
    }

    async fn claim(&self, queue: Option<&str>, limit: i64) -> Result<Vec<Claimed>> {
        let now = self.app.now();
        let until = now.checked_add(self.settings.lease).map_err(|e| Error::Internal(e.into()))?;
        let mut tx = self.app.db.write().await?;
        let claimed = jobs::claim(&mut tx, &self.name, queue, now, until, limit).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    /// How long a queue sleeps: until its next job is due, at most the idle
    /// time (longer when announcements wake it).
    async fn idle_for(&self, queue: &str, listening: bool) -> Duration {
        let idle = if listening { self.settings.idle * 12 } else { self.settings.idle };
        let next = async {
            let mut tx = self.app.db.read().await?;
            Ok::<_, Error>(jobs::next_due(&mut tx, queue).await?)
        };
        match next.await {
            Ok(Some(at)) => Duration::try_from(at.duration_since(self.app.now())).unwrap_or(Duration::ZERO).min(idle),
            _ => idle,
        }
    }

    /// Runs a claimed job in a span of its own (every log line of the run
    /// names the job), counts it, and records how it ended.
    async fn run_claimed(&self, claimed: Claimed) -> Result<()> {
        let span = tracing::info_span!("job", kind = %claimed.kind, id = %claimed.id, attempt = claimed.attempts);
        let id = claimed.id;
        if let Ok(mut holding) = self.holding.lock() {
            holding.insert(id, (claimed.kind.clone(), Instant::now()));
        }
        let ran = self.run_and_record(claimed).instrument(span).await;
        if let Ok(mut holding) = self.holding.lock() {
            holding.remove(&id);
        }
        ran
    }

    async fn run_and_record(&self, claimed: Claimed) -> Result<()> {
        let started = Instant::now();
        let (kind, payload) = (claimed.kind.as_str(), claimed.payload.as_str());
        let outcome = if claimed.attempts > claimed.max_attempts {
            // Claimed again after its worker died too often.
            if let Err(err) = self.registry.gave_up(&self.app, kind, payload).await {
                tracing::error!(job = %claimed.id, %err, "recording the failure");
            }
            Outcome::Failed { error: format!("gave up after {} attempts", claimed.max_attempts) }
        } else {
            match self.with_heartbeat(&claimed, self.registry.run(&self.app, kind, payload)).await {
                Ok(()) => Outcome::Done,
                Err(err) if claimed.attempts < claimed.max_attempts => {
                    tracing::warn!(job = %claimed.id, kind, attempt = claimed.attempts, %err, "job failed; will retry");
                    Outcome::Retry { error: err.to_string(), at: self.app.now() + backoff(claimed.attempts) }
                }
                Err(err) => {
                    tracing::error!(job = %claimed.id, kind, %err, "job failed for good");
                    if let Err(err) = self.registry.gave_up(&self.app, kind, payload).await {
                        tracing::error!(job = %claimed.id, %err, "recording the failure");
                    }
                    Outcome::Failed { error: err.to_string() }
                }
            }
        };
        let counted = match &outcome {
            Outcome::Done => JobOutcome::Done,
            Outcome::Retry { .. } => JobOutcome::Retry,
            Outcome::Failed { .. } => JobOutcome::Failed,
        };
        self.app.metrics.job(kind, counted, started.elapsed());
        let mut tx = self.app.db.write().await?;
        if !jobs::finish(&mut tx, claimed.id, &self.name, &outcome, self.app.now()).await? {
            tracing::warn!(job = %claimed.id, "lost the job's lease before it finished");
        }
        tx.commit().await?;
        Ok(())
    }

    /// Runs `work`, renewing the job's lease meanwhile so nobody else takes it.
    async fn with_heartbeat(&self, claimed: &Claimed, work: impl Future<Output = Result<()>>) -> Result<()> {
        let lease = self.settings.lease;
        let every = Duration::try_from(lease / 3).unwrap_or(Duration::from_secs(20));
        let beat = async {
            loop {
                tokio::time::sleep(every).await;
                let renewed = async {
                    let until = self.app.now().checked_add(lease).map_err(|e| Error::Internal(e.into()))?;
                    let mut tx = self.app.db.write().await?;
                    let held = jobs::heartbeat(&mut tx, claimed.id, &self.name, until).await?;
                    tx.commit().await?;
                    Ok::<_, Error>(held)
                };
                match renewed.await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(job = %claimed.id, "lost the job's lease while running it"),
                    Err(err) => tracing::warn!(job = %claimed.id, %err, "could not renew the job's lease"),
                }
            }
        };
        tokio::select! {
            result = work => result,
            () = beat => Err(Error::Internal("the lease renewal stopped".into())),
        }
    }
}

/// Waits longer after each failure: 30 s, 2 min, 4.5 min, … at most an hour.
fn backoff(attempts: i32) -> SignedDuration {
    let n = i64::from(attempts.max(1));
    SignedDuration::from_secs((30 * n * n).min(3600))
}
