//! Rate limits that hold across every instance on one database: attempts
//! are counted there, per key, in fixed windows (a login's email address,
//! a link visitor's network). A limit kept in each process's memory would
//! allow N instances N times the attempts.

use greenlight_store::rate_limits;
use jiff::SignedDuration;

use crate::{App, Result};

/// So many attempts per window for each subject.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// What is limited; keys of different limits never meet.
    pub name: &'static str,
    pub max: u32,
    pub window: SignedDuration,
}

impl Limit {
    pub fn per_minute(name: &'static str, max: u32) -> Limit {
        Limit { name, max: max.max(1), window: SignedDuration::from_mins(1) }
    }

    fn key(&self, subject: &str) -> String {
        format!("{}:{subject}", self.name)
    }

    /// Whether `subject` has used up its attempts in the current window.
    pub async fn exhausted(&self, app: &App, subject: &str) -> Result<bool> {
        let mut tx = app.db.read().await?;
        Ok(rate_limits::attempts(&mut tx, &self.key(subject), self.window, app.now()).await? >= i64::from(self.max))
    }

    /// Counts a failed attempt of `subject`'s.
    pub async fn failed(&self, app: &App, subject: &str) -> Result<()> {
        let mut tx = app.db.write().await?;
        rate_limits::count(&mut tx, &self.key(subject), self.window, app.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts an attempt *before* a slow check (a password's Argon2), so
    /// that guesses sent at once, to any instance, cannot all start before
    /// the first failure is counted; `None` once `subject` is over its
    /// limit. A success gives its attempt back.
    pub async fn attempt(&self, app: &App, subject: &str) -> Result<Option<Attempt>> {
        let key = self.key(subject);
        let mut tx = app.db.write().await?;
        let attempts = rate_limits::count(&mut tx, &key, self.window, app.now()).await?;
        tx.commit().await?;
        Ok((attempts <= i64::from(self.max)).then_some(Attempt { key, window: self.window }))
    }
}

/// An attempt counted against its subject until it succeeds.
#[must_use]
pub struct Attempt {
    key: String,
    window: SignedDuration,
}

impl Attempt {
    pub async fn succeeded(self, app: &App) -> Result<()> {
        let mut tx = app.db.write().await?;
        rate_limits::give_back(&mut tx, &self.key, self.window, app.now()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// How long counted windows are kept after they start (far longer than
/// any limit's window).
pub const KEEP_WINDOWS: SignedDuration = SignedDuration::from_hours(1);
