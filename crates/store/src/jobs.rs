//! The durable job queue's table. Jobs are enqueued in the caller's
//! transaction, so a state change and the work it implies commit together;
//! a worker claims due jobs with a lease, runs them outside any
//! transaction, and records the outcome in a short one.

use greenlight_domain::{Timestamp, id::JobId};
use uuid::Uuid;

use sqlx::postgres::PgListener;

use crate::{
    db::{Db, Result, Tx},
    time::DbTime,
};

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    /// The queue it runs in (each queue has its own concurrency).
    pub queue: String,
    /// The job's arguments as JSON.
    pub payload: String,
    /// Enqueueing a key that was enqueued before does nothing: one job per
    /// thing to do, however often a change asks for it.
    pub dedup_key: Option<String>,
    pub run_at: Timestamp,
    pub max_attempts: i32,
}

/// A claimed job: the worker holds its lease until `locked_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    /// Counting this run.
    pub attempts: i32,
    pub max_attempts: i32,
}

/// A job as an operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub dedup_key: Option<String>,
    pub status: String,
    pub run_at: Timestamp,
    pub attempts: i32,
    pub last_error: Option<String>,
}

type ClaimedRow = (Uuid, String, String, i32, i32);

/// Adds a job; returns whether it was new (not a duplicate of its key).
/// On PostgreSQL a job due now also wakes the workers listening on
/// [`WAKE_CHANNEL`] when the transaction commits.
pub async fn enqueue(tx: &mut Tx, job: &NewJob, now: Timestamp) -> Result<bool> {
    let n = sql!(
        tx,
        exec,
        "INSERT INTO jobs (id, kind, queue, payload, dedup_key, status, run_at, attempts, max_attempts, created_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, 0, $7, $8) ON CONFLICT DO NOTHING",
        Uuid::now_v7(),
        &job.kind,
        &job.queue,
        &job.payload,
        job.dedup_key.as_deref(),
        DbTime(job.run_at),
        job.max_attempts,
        DbTime(now)
    )?;
    if let Tx::Postgres(tx) = tx
        && n == 1
        && job.run_at <= now
    {
        sqlx::query("SELECT pg_notify($1, $2)").bind(WAKE_CHANNEL).bind(&job.queue).execute(&mut **tx).await?;
    }
    Ok(n == 1)
}

/// The PostgreSQL channel a new due job is announced on (its payload is the
/// job's queue).
pub const WAKE_CHANNEL: &str = "greenlight_jobs";

/// Listens for newly due jobs on PostgreSQL; `None` on SQLite, where the
/// worker polls.
pub async fn listen(db: &Db) -> Result<Option<PgListener>> {
    match db {
        Db::Sqlite(_) => Ok(None),
        Db::Postgres(pool) => {
            let mut listener = PgListener::connect_with(pool).await?;
            listener.listen(WAKE_CHANNEL).await?;
            Ok(Some(listener))
        }
    }
}

/// Ends the lease of every running job: for a process that owns the
/// database and has just started, such jobs were left by one that died.
pub async fn end_leases(tx: &mut Tx, now: Timestamp) -> Result<u64> {
    Ok(sql!(
        tx,
        exec,
        "UPDATE jobs SET locked_until = $2 WHERE status = 'running' AND locked_until > $1",
        DbTime(now),
        DbTime(Timestamp::UNIX_EPOCH)
    )?)
}

/// Lets go of a job `worker` holds but will not finish (it is stopping):
/// its lease ends now, so the next worker takes it up as it would a
/// stopped process's job.
pub async fn release(tx: &mut Tx, id: JobId, worker: &str) -> Result<bool> {
    let released = sql!(
        tx,
        exec,
        "UPDATE jobs SET locked_until = $3 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        id.uuid(),
        worker,
        DbTime(Timestamp::UNIX_EPOCH)
    )?;
    Ok(released == 1)
}

/// One queue's unfinished jobs, as `/metrics` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStats {
    pub queue: String,
    /// Pending and due now.
    pub due: i64,
    /// Pending for later.
    pub scheduled: i64,
    pub running: i64,
    /// When the longest-waiting due job became due.
    pub oldest_due: Option<Timestamp>,
}

/// Every queue with unfinished jobs.
pub async fn queue_stats(tx: &mut Tx, now: Timestamp) -> Result<Vec<QueueStats>> {
    let rows = sql!(
        tx,
        all as (String, i64, i64, i64, Option<DbTime>),
        "SELECT queue,
                SUM(CASE WHEN status = 'pending' AND run_at <= $1 THEN 1 ELSE 0 END),
                SUM(CASE WHEN status = 'pending' AND run_at > $1 THEN 1 ELSE 0 END),
                SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END),
                MIN(CASE WHEN status = 'pending' AND run_at <= $1 THEN run_at END)
         FROM jobs WHERE status IN ('pending', 'running') GROUP BY queue",
        DbTime(now)
    )?;
    Ok(rows
        .into_iter()
        .map(|(queue, due, scheduled, running, oldest)| QueueStats { queue, due, scheduled, running, oldest_due: oldest.map(|t| t.0) })
        .collect())
}

/// Claims up to `limit` jobs that are due — pending ones whose time has come,
/// and running ones whose worker let the lease lapse (it died) — for
/// `worker` until `until`. On PostgreSQL `SKIP LOCKED` lets several
/// instances claim side by side without waiting or taking the same job;
/// SQLite has one writer at a time, so its claim is already exclusive.
/// `queue` narrows the claim to one queue; `None` claims from any.
pub async fn claim(tx: &mut Tx, worker: &str, queue: Option<&str>, now: Timestamp, until: Timestamp, limit: i64) -> Result<Vec<Claimed>> {
    // Two texts rather than `$5 IS NULL OR queue = $5`, which keeps SQLite
    // off the (queue, run_at) index.
    macro_rules! claim_sql {
        ($queue:literal, $lock:literal) => {
            concat!(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2
                 WHERE id IN (SELECT id FROM jobs
                              WHERE status IN ('pending', 'running') ",
                $queue,
                " AND ((status = 'pending' AND run_at <= $3) OR (status = 'running' AND locked_until < $3))
                              ORDER BY run_at, id LIMIT $4 ",
                $lock,
                ")
                 RETURNING id, kind, payload, attempts, max_attempts"
            )
        };
    }
    let (now, until) = (DbTime(now), DbTime(until));
    let skip_locked = matches!(tx, Tx::Postgres(_));
    let rows = match (skip_locked, queue) {
        (false, None) => sql!(tx, all as ClaimedRow, claim_sql!("", ""), worker, until, now, limit)?,
        (false, Some(queue)) => sql!(tx, all as ClaimedRow, claim_sql!("AND queue = $5", ""), worker, until, now, limit, queue)?,
        (true, None) => sql!(tx, all as ClaimedRow, claim_sql!("", "FOR UPDATE SKIP LOCKED"), worker, until, now, limit)?,
        (true, Some(queue)) => {
            sql!(tx, all as ClaimedRow, claim_sql!("AND queue = $5", "FOR UPDATE SKIP LOCKED"), worker, until, now, limit, queue)?
        }
    };
    let mut jobs: Vec<Claimed> = rows
        .into_iter()
        .map(|(id, kind, payload, attempts, max_attempts)| Claimed { id: JobId::from_uuid(id), kind, payload, attempts, max_attempts })
        .collect();
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Extends a lease; `false` if the worker no longer holds it.
pub async fn heartbeat(tx: &mut Tx, id: JobId, worker: &str, until: Timestamp) -> Result<bool> {
    let n = sql!(
        tx,
        exec,
        "UPDATE jobs SET locked_until = $3 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        id.uuid(),
        worker,
        DbTime(until)
    )?;
    Ok(n == 1)
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Try again at the given time.
    Retry {
        error: String,
        at: Timestamp,
    },
    /// Give up: the job is kept, failed, with its last error.
    Failed {
        error: String,
    },
}

/// Records the outcome of a run; `false` if the worker had lost its lease
/// (another worker took the job over), in which case nothing is written.
pub async fn finish(tx: &mut Tx, id: JobId, worker: &str, outcome: &Outcome, now: Timestamp) -> Result<bool> {
    let (status, error, run_at, finished) = match outcome {
        Outcome::Done => ("done", None, None, Some(DbTime(now))),
        Outcome::Retry { error, at } => ("pending", Some(error.as_str()), Some(DbTime(*at)), None),
        Outcome::Failed { error } => ("failed", Some(error.as_str()), None, Some(DbTime(now))),
    };
    let n = sql!(
        tx,
        exec,
        "UPDATE jobs SET status = $3, last_error = COALESCE($4, last_error), run_at = COALESCE($5, run_at), finished_at = $6,
                         locked_by = NULL, locked_until = NULL
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        id.uuid(),
        worker,
        status,
        error,
        run_at,
        finished
    )?;
    Ok(n == 1)
}

/// The jobs of a kind, newest first (for operators and tests).
pub async fn jobs_of_kind(tx: &mut Tx, kind: &str) -> Result<Vec<JobRow>> {
    let rows = sql!(
        tx,
        all as (Uuid, String, String, Option<String>, String, DbTime, i32, Option<String>),
        "SELECT id, kind, payload, dedup_key, status, run_at, attempts, last_error FROM jobs WHERE kind = $1 ORDER BY created_at DESC, id DESC",
        kind
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, payload, dedup_key, status, run_at, attempts, last_error)| JobRow {
            id: JobId::from_uuid(id),
            kind,
            payload,
            dedup_key,
            status,
            run_at: run_at.0,
            attempts,
            last_error,
        })
        .collect())
}

/// When the next job of `queue` falls due, if any waits (so an idle worker
/// knows how long it may sleep): the earliest pending job, or the earliest
/// lease to lapse. Two indexed reads, where one `MIN(CASE …)` would read
/// every waiting job.
pub async fn next_due(tx: &mut Tx, queue: &str) -> Result<Option<Timestamp>> {
    let pending = sql!(
        tx,
        optional as (DbTime,),
        "SELECT run_at FROM jobs WHERE status IN ('pending', 'running') AND queue = $1 AND status = 'pending'
         ORDER BY run_at, id LIMIT 1",
        queue
    )?;
    let lease = sql!(
        tx,
        one as (Option<DbTime>,),
        "SELECT MIN(locked_until) FROM jobs WHERE status IN ('pending', 'running') AND queue = $1 AND status = 'running'",
        queue
    )?;
    Ok(match (pending.map(|(t,)| t.0), lease.0.map(|t| t.0)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// Removes jobs that finished (done before `done_before`, failed before
/// `failed_before`); returns how many.
pub async fn prune(tx: &mut Tx, done_before: Timestamp, failed_before: Timestamp) -> Result<u64> {
    Ok(sql!(
        tx,
        exec,
        "DELETE FROM jobs WHERE status IN ('done', 'failed')
           AND ((status = 'done' AND finished_at < $1) OR (status = 'failed' AND finished_at < $2))",
        DbTime(done_before),
        DbTime(failed_before)
    )?)
}
