//! The durable job queue, knowing no feature: what a job is, and how one
//! is enqueued.
//!
//! A job type lives beside the use case it runs and implements [`Job`];
//! the worker module registers the types and runs them. A job is
//! enqueued in the transaction of the change that needs it, so the two
//! commit together or not at all. Every job checks, when it runs, that what
//! it was for still holds, so a retry after a crash changes nothing twice.

use std::{
    collections::{BTreeSet, HashMap},
    future::Future,
    pin::Pin,
};

use greenlight_domain::Timestamp;
use greenlight_store::{
    Tx,
    jobs::{self, NewJob},
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{App, Error, Result};

/// Work Greenlight does later, in the background (after the Rust package
/// registry's `BackgroundJob`). The value is the job's arguments, stored as
/// JSON.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The name stored with the job, which finds its type again.
    const KIND: &'static str;
    /// The queue it runs in; each queue runs its jobs with its own
    /// concurrency, so a slow queue never holds up another.
    const QUEUE: &'static str;
    /// How often it may run before it is kept as failed.
    const MAX_ATTEMPTS: i32 = 5;

    /// One job per thing to do, however often a change asks for it.
    fn dedup_key(&self) -> String;

    /// Does the work. An error retries later (with backoff) until the
    /// attempts are used up.
    fn run(&self, app: &App) -> impl Future<Output = Result<()>> + Send;

    /// What the job leaves on record when it fails for good.
    fn gave_up(&self, _app: &App) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }
}

/// Adds `job`, due at `run_at`, in the caller's transaction.
pub async fn enqueue<J: Job>(tx: &mut Tx, app: &App, job: &J, run_at: Timestamp) -> Result<()> {
    let payload = serde_json::to_string(job).map_err(|e| Error::Internal(e.into()))?;
    let new = NewJob {
        kind: J::KIND.into(),
        queue: J::QUEUE.into(),
        payload,
        dedup_key: Some(job.dedup_key()),
        run_at,
        max_attempts: J::MAX_ATTEMPTS,
    };
    jobs::enqueue(tx, &new, app.now()).await?;
    Ok(())
}

type Step = for<'a> fn(&'a App, &'a str) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

struct Handler {
    queue: &'static str,
    run: Step,
    gave_up: Step,
}

/// The job types a worker knows, by kind.
#[derive(Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
}

impl Registry {
    /// Adds a job type.
    #[must_use]
    pub fn with<J: Job>(mut self) -> Self {
        self.handlers.insert(J::KIND, Handler { queue: J::QUEUE, run: run_stored::<J>, gave_up: give_up_stored::<J> });
        self
    }

    /// The queues its job types run in.
    pub fn queues(&self) -> BTreeSet<&'static str> {
        self.handlers.values().map(|h| h.queue).collect()
    }

    /// Runs a stored job of `kind`.
    pub(crate) async fn run(&self, app: &App, kind: &str, payload: &str) -> Result<()> {
        let handler = self.handlers.get(kind).ok_or_else(|| Error::Internal(format!("no job type `{kind}`").into()))?;
        (handler.run)(app, payload).await
    }

    /// Records that a stored job of `kind` failed for good.
    pub(crate) async fn gave_up(&self, app: &App, kind: &str, payload: &str) -> Result<()> {
        match self.handlers.get(kind) {
            Some(handler) => (handler.gave_up)(app, payload).await,
            None => Ok(()),
        }
    }
}

fn parse<J: Job>(payload: &str) -> Result<J> {
    serde_json::from_str(payload).map_err(|e| Error::Internal(format!("unreadable `{}` job: {e}", J::KIND).into()))
}

fn run_stored<'a, J: Job>(app: &'a App, payload: &'a str) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>> {
    Box::pin(async move { parse::<J>(payload)?.run(app).await })
}

fn give_up_stored<'a, J: Job>(app: &'a App, payload: &'a str) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>> {
    Box::pin(async move { parse::<J>(payload)?.gave_up(app).await })
}
