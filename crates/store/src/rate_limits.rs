//! Attempts counted per key in fixed windows, in the database, so a limit
//! holds across every instance serving one database.

use jiff::{SignedDuration, Timestamp};

use crate::{DbTime, db::Result, db::Tx};

/// Counts an attempt for `key` in its window of `window` (a new window
/// starts once the last has passed); the attempts in the window, this one
/// included.
pub async fn count(tx: &mut Tx, key: &str, window: SignedDuration, now: Timestamp) -> Result<i64> {
    let (attempts,) = sql!(
        tx,
        one as (i64,),
        "INSERT INTO rate_limits (key, window_start, attempts) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END,
           attempts = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.attempts + 1 END
         RETURNING attempts",
        key,
        DbTime(now),
        DbTime(now - window)
    )?;
    Ok(attempts)
}

/// The attempts counted for `key` in its current window.
pub async fn attempts(tx: &mut Tx, key: &str, window: SignedDuration, now: Timestamp) -> Result<i64> {
    let found =
        sql!(tx, optional as (i64,), "SELECT attempts FROM rate_limits WHERE key = $1 AND window_start > $2", key, DbTime(now - window))?;
    Ok(found.map_or(0, |(n,)| n))
}

/// Takes back one attempt of the current window (a success that was
/// counted before it was known).
pub async fn give_back(tx: &mut Tx, key: &str, window: SignedDuration, now: Timestamp) -> Result<()> {
    sql!(
        tx,
        exec,
        "UPDATE rate_limits SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0 AND window_start > $2",
        key,
        DbTime(now - window)
    )?;
    Ok(())
}

/// Forgets windows that started before `before`.
pub async fn prune(tx: &mut Tx, before: Timestamp) -> Result<u64> {
    sql!(tx, exec, "DELETE FROM rate_limits WHERE window_start < $1", DbTime(before))
}
