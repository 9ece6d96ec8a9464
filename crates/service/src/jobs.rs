//! Background work: the jobs Greenlight runs later, and the worker that runs
//! them from the durable queue in the database.
//!
//! A job is enqueued in the transaction of the change that needs it, so the
//! two commit together or not at all. The worker claims due jobs with a
//! lease, commits, runs each outside any transaction (renewing the lease
//! while it runs), and records the outcome; a job whose worker died is
//! claimed again once its lease lapses. Every job checks, when it runs,
//! that what it was for still holds, so a retry after a crash changes
//! nothing twice (a reminder may be recorded twice: harmless).

use std::{future::Future, time::Duration};

use greenlight_domain::{
    Timestamp,
    id::{DeliveryId, EventId, NotificationId, PostId, ReviewId, ShareLinkId, UserId, WorkspaceId},
    workflow::review::Timer,
};
use greenlight_store::{
    Tx,
    jobs::{self, Claimed, NewJob, Outcome},
};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{App, Error, Result, email, notify, preflight, reviews, webhooks};

/// Everything that runs in the background.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// A running stage's reminder or escalation fell due.
    ReviewTimer { review: ReviewId, timer: Timer },
    /// A post's planned publish time arrived: if its review has not
    /// approved it yet, the workflow's publish-time policy applies.
    PublishTime { workspace: WorkspaceId, post: PostId, review: ReviewId, planned: Timestamp },
    /// An audit event was recorded: tell whom it concerns.
    Fanout { event: EventId },
    /// A member's email is due: everything pending for them by `due`, as
    /// one message (a single notification, or a digest). Each notification
    /// has a job of its own: the first to run sends all that is due, the
    /// others find nothing left (a key per digest time could be taken by a
    /// job that already ran).
    Email { user: UserId, due: Timestamp, notification: NotificationId },
    /// Send an approve link to its reviewer (a lane's outside reviewer, or
    /// a link a member made or reissued), with a fresh token; `at` tells
    /// one sending from the next.
    ExternalInvite { link: ShareLinkId, at: Timestamp },
    /// Send a webhook delivery.
    Deliver { delivery: DeliveryId },
    /// Check that a saved revision's links answer.
    CheckLinks { workspace: WorkspaceId, post: PostId, revision: i64 },
}

impl Job {
    pub fn kind(&self) -> &'static str {
        match self {
            Job::ReviewTimer { .. } => "review_timer",
            Job::PublishTime { .. } => "publish_time",
            Job::Fanout { .. } => "fanout",
            Job::Email { .. } => "email",
            Job::ExternalInvite { .. } => "external_invite",
            Job::Deliver { .. } => "deliver",
            Job::CheckLinks { .. } => "check_links",
        }
    }

    /// One job per thing to do, however often a change asks for it.
    fn dedup_key(&self) -> Result<String> {
        Ok(match self {
            Job::ReviewTimer { review, timer } => {
                let kind = serde_json::to_string(&timer.kind).map_err(|e| Error::Internal(e.into()))?;
                format!("review-timer:{review}:{}:{}:{kind}", timer.stage, timer.round)
            }
            Job::PublishTime { review, planned, .. } => format!("publish-time:{review}:{planned}"),
            Job::Fanout { event } => format!("fanout:{event}"),
            Job::Email { user, notification, .. } => format!("email:{user}:{notification}"),
            Job::ExternalInvite { link, at } => format!("external-invite:{link}:{at}"),
            Job::Deliver { delivery } => format!("deliver:{delivery}"),
            Job::CheckLinks { post, revision, .. } => format!("check-links:{post}:{revision}"),
        })
    }

    /// What a job leaves on record when it fails for good.
    async fn gave_up(&self, app: &App) -> Result<()> {
        match self {
            Job::Email { user, due, .. } => {
                let mut tx = app.db.write().await?;
                greenlight_store::notifications::email_failed(&mut tx, *user, *due).await?;
                tx.commit().await?;
                Ok(())
            }
            Job::Deliver { delivery } => webhooks::gave_up(app, *delivery).await,
            _ => Ok(()),
        }
    }

    async fn run(&self, app: &App) -> Result<()> {
        match self {
            Job::ReviewTimer { review, timer } => reviews::timer_due(app, *review, timer).await,
            Job::PublishTime { workspace, post, review, planned } => {
                reviews::publish_time_arrived(app, *workspace, *post, *review, *planned).await
            }
            Job::Fanout { event } => notify::fan_out(app, *event).await,
            Job::Email { user, due, .. } => email::send_due(app, *user, *due).await,
            Job::ExternalInvite { link, .. } => email::invite_external(app, *link).await,
            Job::Deliver { delivery } => webhooks::deliver(app, *delivery).await,
            Job::CheckLinks { workspace, post, revision } => preflight::check_links(app, *workspace, *post, *revision).await,
        }
    }
}

/// How often a job may fail before it is kept as failed.
const MAX_ATTEMPTS: i32 = 5;

/// Adds `job`, due at `run_at`, in the caller's transaction.
pub async fn enqueue(tx: &mut Tx, app: &App, job: &Job, run_at: Timestamp) -> Result<()> {
    let payload = serde_json::to_string(job).map_err(|e| Error::Internal(e.into()))?;
    let new = NewJob { kind: job.kind().into(), payload, dedup_key: Some(job.dedup_key()?), run_at, max_attempts: MAX_ATTEMPTS };
    jobs::enqueue(tx, &new, app.now()).await?;
    Ok(())
}

/// Runs jobs from the queue. Several workers (in one process or several
/// instances on one PostgreSQL database) share the queue safely.
pub struct Worker {
    app: App,
    name: String,
    lease: SignedDuration,
}

impl Worker {
    pub fn new(app: App) -> Self {
        let name = format!("{}-{}", std::process::id(), Uuid::now_v7().simple());
        Worker { app, name, lease: SignedDuration::from_secs(60) }
    }

    /// Claims one due job and runs it; returns how many it ran (0 or 1).
    /// One at a time: a job claimed in a batch would wait, its lease not
    /// renewed, while the others run, and could lapse into another
    /// worker's hands.
    pub async fn run_due(&self) -> Result<usize> {
        let now = self.app.now();
        let until = now.checked_add(self.lease).map_err(|e| Error::Internal(e.into()))?;
        let mut tx = self.app.db.write().await?;
        let claimed = jobs::claim(&mut tx, &self.name, now, until, 1).await?;
        tx.commit().await?;
        let count = claimed.len();
        for job in claimed {
            self.run_claimed(job).await?;
        }
        Ok(count)
    }

    /// Runs due jobs until none is left — including jobs the jobs enqueue
    /// for now. Tests call this instead of sleeping; it gives up after a
    /// generous number of rounds so a job that keeps re-enqueueing itself
    /// cannot hang it.
    pub async fn drain(&self) -> Result<usize> {
        let mut total = 0;
        for _ in 0..10_000 {
            match self.run_due().await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
        Err(Error::Internal("the job queue did not drain".into()))
    }

    /// Works until `shutdown` completes, sleeping while nothing is due. A
    /// job in progress finishes before it returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        const IDLE: Duration = Duration::from_secs(5);
        tokio::pin!(shutdown);
        loop {
            let ran = match self.run_due().await {
                Ok(n) => n,
                Err(err) => {
                    tracing::error!(%err, "job queue");
                    0
                }
            };
            let pause = if ran > 0 { Duration::ZERO } else { self.idle_for(IDLE).await };
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// How long to sleep: until the next job is due, at most `idle`.
    async fn idle_for(&self, idle: Duration) -> Duration {
        let next = async {
            let mut tx = self.app.db.read().await?;
            Ok::<_, Error>(jobs::next_due(&mut tx).await?)
        };
        match next.await {
            Ok(Some(at)) => {
                let wait = at.duration_since(self.app.now());
                Duration::try_from(wait).unwrap_or(Duration::ZERO).min(idle)
            }
            _ => idle,
        }
    }

    async fn run_claimed(&self, claimed: Claimed) -> Result<()> {
        let outcome = if claimed.attempts > claimed.max_attempts {
            // Claimed again after its worker died too often.
            if let Ok(job) = serde_json::from_str::<Job>(&claimed.payload)
                && let Err(err) = job.gave_up(&self.app).await
            {
                tracing::error!(job = %claimed.id, %err, "recording the failure");
            }
            Outcome::Failed { error: format!("gave up after {} attempts", claimed.max_attempts) }
        } else {
            match serde_json::from_str::<Job>(&claimed.payload) {
                Err(err) => Outcome::Failed { error: format!("unreadable job: {err}") },
                Ok(job) => match self.with_heartbeat(&claimed, job.run(&self.app)).await {
                    Ok(()) => Outcome::Done,
                    Err(err) if claimed.attempts < claimed.max_attempts => {
                        tracing::warn!(job = %claimed.id, kind = %claimed.kind, attempt = claimed.attempts, %err, "job failed; will retry");
                        Outcome::Retry { error: err.to_string(), at: self.app.now() + backoff(claimed.attempts) }
                    }
                    Err(err) => {
                        tracing::error!(job = %claimed.id, kind = %claimed.kind, %err, "job failed for good");
                        if let Err(err) = job.gave_up(&self.app).await {
                            tracing::error!(job = %claimed.id, %err, "recording the failure");
                        }
                        Outcome::Failed { error: err.to_string() }
                    }
                },
            }
        };
        let mut tx = self.app.db.write().await?;
        if !jobs::finish(&mut tx, claimed.id, &self.name, &outcome, self.app.now()).await? {
            tracing::warn!(job = %claimed.id, "lost the job's lease before it finished");
        }
        tx.commit().await?;
        Ok(())
    }

    /// Runs `work`, renewing the job's lease meanwhile so nobody else takes it.
    async fn with_heartbeat(&self, claimed: &Claimed, work: impl Future<Output = Result<()>>) -> Result<()> {
        let every = Duration::try_from(self.lease / 3).unwrap_or(Duration::from_secs(20));
        let beat = async {
            loop {
                tokio::time::sleep(every).await;
                let renewed = async {
                    let until = self.app.now().checked_add(self.lease).map_err(|e| Error::Internal(e.into()))?;
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
