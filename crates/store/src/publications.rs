//! Channels' connections and posts' publications.

use greenlight_domain::{
    Timestamp,
    canonical::Hash,
    id::{ChannelId, PostId, PublicationId, ReviewId, WorkspaceId},
    publication::Status,
};
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

/// The account a channel posts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub channel_id: ChannelId,
    /// What may be shown (no secret), as JSON.
    pub settings: String,
    /// The credentials, sealed with the configured key.
    pub sealed: Vec<u8>,
    /// `connected` or `reconnect_needed`.
    pub state: String,
    /// The network's words when it refused the credentials.
    pub detail: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

type ConnectionRow = (Uuid, String, Vec<u8>, String, Option<String>, DbTime, DbTime);

fn connection_from((id, settings, sealed, state, detail, created, updated): ConnectionRow) -> Connection {
    Connection { channel_id: ChannelId::from_uuid(id), settings, sealed, state, detail, created_at: created.0, updated_at: updated.0 }
}

pub async fn put_connection(tx: &mut Tx, c: &Connection) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO channel_connections (channel_id, settings, sealed, state, detail, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (channel_id) DO UPDATE SET settings = $2, sealed = $3, state = $4, detail = $5, updated_at = $7",
        c.channel_id.uuid(),
        &c.settings,
        &c.sealed,
        &c.state,
        c.detail.as_deref(),
        DbTime(c.created_at),
        DbTime(c.updated_at)
    )?;
    Ok(())
}

pub async fn connection(tx: &mut Tx, channel: ChannelId) -> Result<Option<Connection>> {
    let row = sql!(
        tx,
        optional as ConnectionRow,
        "SELECT channel_id, settings, sealed, state, detail, created_at, updated_at FROM channel_connections WHERE channel_id = $1",
        channel.uuid()
    )?;
    Ok(row.map(connection_from))
}

/// The connections of a workspace's channels.
pub async fn connections_in(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<Connection>> {
    let rows = sql!(
        tx,
        all as ConnectionRow,
        "SELECT channel_id, settings, sealed, state, detail, created_at, updated_at FROM channel_connections
         WHERE channel_id IN (SELECT id FROM channels WHERE workspace_id = $1)",
        workspace.uuid()
    )?;
    Ok(rows.into_iter().map(connection_from).collect())
}

/// Removes a connection; whether there was one.
pub async fn delete_connection(tx: &mut Tx, channel: ChannelId) -> Result<bool> {
    Ok(sql!(tx, exec, "DELETE FROM channel_connections WHERE channel_id = $1", channel.uuid())? == 1)
}

/// Every channel's credentials, for re-sealing them under a new key.
pub async fn all_connections(tx: &mut Tx) -> Result<Vec<(ChannelId, Vec<u8>)>> {
    let rows = sql!(tx, all as (Uuid, Vec<u8>), "SELECT channel_id, sealed FROM channel_connections ORDER BY channel_id")?;
    Ok(rows.into_iter().map(|(id, sealed)| (ChannelId::from_uuid(id), sealed)).collect())
}

pub async fn reseal(tx: &mut Tx, channel: ChannelId, sealed: &[u8]) -> Result<()> {
    sql!(tx, exec, "UPDATE channel_connections SET sealed = $2 WHERE channel_id = $1", channel.uuid(), sealed)?;
    Ok(())
}

/// One channel's publication of a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub id: PublicationId,
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub revision_hash: Hash,
    pub status: Status,
    pub due_at: Timestamp,
    pub attempts: i64,
    pub idempotency_key: String,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub error: Option<String>,
    pub retryable: Option<bool>,
    pub published_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

type PublicationRow = (
    Uuid,
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    DbTime,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<DbTime>,
    DbTime,
    DbTime,
);

macro_rules! publication_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, workspace_id, post_id, channel_id, revision_hash, status, due_at, attempts, idempotency_key,
                    remote_id, remote_url, error, retryable, published_at, created_at, updated_at
             FROM publications ",
            $rest
        )
    };
}

fn publication_from(row: PublicationRow) -> Result<Publication> {
    let (id, ws, post, channel, hash, status, due, attempts, key, remote_id, remote_url, error, retryable, published, created, updated) =
        row;
    Ok(Publication {
        id: PublicationId::from_uuid(id),
        workspace_id: WorkspaceId::from_uuid(ws),
        post_id: PostId::from_uuid(post),
        channel_id: ChannelId::from_uuid(channel),
        revision_hash: Hash::parse(&hash).ok_or_else(|| StoreError::Corrupt(format!("publication hash `{hash}`")))?,
        status: Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("publication status `{status}`")))?,
        due_at: due.0,
        attempts,
        idempotency_key: key,
        remote_id,
        remote_url,
        error,
        retryable,
        published_at: published.map(|t| t.0),
        created_at: created.0,
        updated_at: updated.0,
    })
}

/// Plans a post's publication on a channel: a new one, or one that has not
/// gone out made ready again for `hash` at `due` (a fresh idempotency key
/// when the revision changed). Returns it as stored; one already published
/// is left as it is.
pub async fn plan(tx: &mut Tx, p: &Publication) -> Result<Publication> {
    sql!(
        tx,
        exec,
        "INSERT INTO publications (id, workspace_id, post_id, channel_id, revision_hash, status, due_at, attempts, idempotency_key,
                                   created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'scheduled', $6, 0, $7, $8, $8)
         ON CONFLICT (post_id, channel_id) DO UPDATE SET
             status = 'scheduled', due_at = $6, error = NULL, retryable = NULL, updated_at = $8,
             idempotency_key = CASE WHEN publications.revision_hash = $5 THEN publications.idempotency_key ELSE $7 END,
             progress = CASE WHEN publications.revision_hash = $5 THEN publications.progress ELSE NULL END,
             revision_hash = $5
         WHERE publications.status IN ('scheduled', 'failed', 'cancelled')",
        p.id.uuid(),
        p.workspace_id.uuid(),
        p.post_id.uuid(),
        p.channel_id.uuid(),
        p.revision_hash.to_string(),
        DbTime(p.due_at),
        &p.idempotency_key,
        DbTime(p.created_at)
    )?;
    let row = sql!(
        tx,
        one as PublicationRow,
        publication_select!("WHERE post_id = $1 AND channel_id = $2"),
        p.post_id.uuid(),
        p.channel_id.uuid()
    )?;
    publication_from(row)
}

pub async fn publication(tx: &mut Tx, id: PublicationId) -> Result<Option<Publication>> {
    let row = sql!(tx, optional as PublicationRow, publication_select!("WHERE id = $1"), id.uuid())?;
    row.map(publication_from).transpose()
}

/// A post's publications, by channel id.
pub async fn of_post(tx: &mut Tx, post: PostId) -> Result<Vec<Publication>> {
    let rows = sql!(tx, all as PublicationRow, publication_select!("WHERE post_id = $1 ORDER BY channel_id"), post.uuid())?;
    rows.into_iter().map(publication_from).collect()
}

/// The publications of the workspace's posts planned in `[from, until)`:
/// what a calendar shows beside its cards.
pub async fn of_posts_planned(tx: &mut Tx, workspace: WorkspaceId, from: Timestamp, until: Timestamp) -> Result<Vec<Publication>> {
    let rows = sql!(
        tx,
        all as PublicationRow,
        publication_select!(
            "WHERE workspace_id = $1 AND post_id IN
                 (SELECT id FROM posts WHERE workspace_id = $1 AND planned_at >= $2 AND planned_at < $3)
             ORDER BY post_id, channel_id"
        ),
        workspace.uuid(),
        DbTime(from),
        DbTime(until)
    )?;
    rows.into_iter().map(publication_from).collect()
}

/// Moves a publication from `from` to `to` with its details; `false` when
/// it was no longer in `from` (someone else moved it first).
pub async fn transition(tx: &mut Tx, p: &Publication, from: Status) -> Result<bool> {
    let n = sql!(
        tx,
        exec,
        "UPDATE publications SET status = $3, due_at = $4, attempts = $5, remote_id = $6, remote_url = $7, error = $8, retryable = $9,
                                 published_at = $10, updated_at = $11
         WHERE id = $1 AND status = $2",
        p.id.uuid(),
        from.as_str(),
        p.status.as_str(),
        DbTime(p.due_at),
        p.attempts,
        p.remote_id.as_deref(),
        p.remote_url.as_deref(),
        p.error.as_deref(),
        p.retryable,
        p.published_at.map(DbTime),
        DbTime(p.updated_at)
    )?;
    Ok(n == 1)
}

/// Calls off a post's publications that have not gone out; how many.
pub async fn cancel_pending(tx: &mut Tx, post: PostId, now: Timestamp) -> Result<u64> {
    Ok(sql!(
        tx,
        exec,
        "UPDATE publications SET status = 'cancelled', updated_at = $2 WHERE post_id = $1 AND status IN ('scheduled', 'failed')",
        post.uuid(),
        DbTime(now)
    )?)
}

/// Records which channels a review approved.
pub async fn set_approved_channels(tx: &mut Tx, review: ReviewId, channels: &[ChannelId]) -> Result<()> {
    let json = serde_json::to_string(channels).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sql!(tx, exec, "UPDATE reviews SET approved_channels = $2 WHERE id = $1", review.uuid(), json)?;
    Ok(())
}

/// The channels a review approved (`None` before it approved).
pub async fn approved_channels(tx: &mut Tx, review: ReviewId) -> Result<Option<Vec<ChannelId>>> {
    let row = sql!(tx, optional as (Option<String>,), "SELECT approved_channels FROM reviews WHERE id = $1", review.uuid())?;
    match row.and_then(|(json,)| json) {
        None => Ok(None),
        Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| StoreError::Corrupt(format!("approved channels: {e}"))),
    }
}

/// The remote ids of a thread's segments already on the network.
pub async fn progress(tx: &mut Tx, id: PublicationId) -> Result<Vec<String>> {
    let row = sql!(tx, optional as (Option<String>,), "SELECT progress FROM publications WHERE id = $1", id.uuid())?;
    let text = row.and_then(|(p,)| p).unwrap_or_default();
    Ok(if text.is_empty() {
        Vec::new()
    } else {
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("publication progress: {e}")))?
    })
}

/// Records a thread's progress while its attempt is under way.
pub async fn set_progress(tx: &mut Tx, id: PublicationId, made: &[String]) -> Result<bool> {
    let text = serde_json::to_string(made).map_err(|e| StoreError::Corrupt(format!("publication progress: {e}")))?;
    Ok(sql!(tx, exec, "UPDATE publications SET progress = $2 WHERE id = $1 AND status = 'publishing'", id.uuid(), text)? == 1)
}
