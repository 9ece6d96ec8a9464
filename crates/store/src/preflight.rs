//! Preflight's storage: each saved revision's report per channel, the
//! workspace's style guide, and what link reachability checks found.

use greenlight_domain::{
    Timestamp,
    id::{ChannelId, PostId, UserId, WorkspaceId},
    preflight::Report,
};
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

pub async fn insert_report(tx: &mut Tx, post: PostId, revision: i64, channel: ChannelId, report: &Report, at: Timestamp) -> Result<()> {
    let text = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(format!("encoding a preflight report: {e}")))?;
    sql!(
        tx,
        exec,
        "INSERT INTO preflight_reports (post_id, revision, channel_id, report, checked_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (post_id, revision, channel_id) DO UPDATE SET report = $4, checked_at = $5",
        post.uuid(),
        revision,
        channel.uuid(),
        text,
        DbTime(at)
    )?;
    Ok(())
}

/// A revision's stored reports, by channel, with when each was made.
pub async fn reports(tx: &mut Tx, post: PostId, revision: i64) -> Result<Vec<(ChannelId, Report, Timestamp)>> {
    let rows: Vec<(Uuid, String, DbTime)> = sql!(
        tx,
        all as (Uuid, String, DbTime),
        "SELECT channel_id, report, checked_at FROM preflight_reports WHERE post_id = $1 AND revision = $2 ORDER BY channel_id",
        post.uuid(),
        revision
    )?;
    rows.into_iter()
        .map(|(channel, text, at)| {
            let report = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("preflight report: {e}")))?;
            Ok((ChannelId::from_uuid(channel), report, at.0))
        })
        .collect()
}

/// A workspace's style guide as stored: the guide's JSON and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGuide {
    pub guide: String,
    pub version: i64,
    pub updated_at: Timestamp,
}

pub async fn style_guide(tx: &mut Tx, workspace: WorkspaceId) -> Result<Option<StoredGuide>> {
    let row: Option<(String, i64, DbTime)> = sql!(
        tx,
        optional as (String, i64, DbTime),
        "SELECT guide, version, updated_at FROM style_guides WHERE workspace_id = $1",
        workspace.uuid()
    )?;
    Ok(row.map(|(guide, version, at)| StoredGuide { guide, version, updated_at: at.0 }))
}

/// The version of the workspace's guide (0 when it has none): cheap to read
/// on every check, so a cached compiled guide knows when it is stale.
pub async fn style_guide_version(tx: &mut Tx, workspace: WorkspaceId) -> Result<i64> {
    let row: Option<(i64,)> = sql!(tx, optional as (i64,), "SELECT version FROM style_guides WHERE workspace_id = $1", workspace.uuid())?;
    Ok(row.map_or(0, |(v,)| v))
}

/// Saves the guide as the next version if it is still at `expected`;
/// answers whether it was.
pub async fn save_style_guide(tx: &mut Tx, workspace: WorkspaceId, guide: &str, expected: i64, by: UserId, at: Timestamp) -> Result<bool> {
    let changed = if expected == 0 {
        sql!(
            tx,
            exec,
            "INSERT INTO style_guides (workspace_id, guide, version, updated_by, updated_at) VALUES ($1, $2, 1, $3, $4)
             ON CONFLICT (workspace_id) DO NOTHING",
            workspace.uuid(),
            guide,
            by.uuid(),
            DbTime(at)
        )?
    } else {
        sql!(
            tx,
            exec,
            "UPDATE style_guides SET guide = $2, version = version + 1, updated_by = $3, updated_at = $4
             WHERE workspace_id = $1 AND version = $5",
            workspace.uuid(),
            guide,
            by.uuid(),
            DbTime(at),
            expected
        )?
    };
    Ok(changed == 1)
}

/// What a reachability check found for a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCheck {
    pub url: String,
    pub ok: bool,
    pub detail: String,
    pub checked_at: Timestamp,
}

pub async fn record_link_check(tx: &mut Tx, workspace: WorkspaceId, check: &LinkCheck) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO link_checks (workspace_id, url, ok, detail, checked_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (workspace_id, url) DO UPDATE SET ok = $3, detail = $4, checked_at = $5",
        workspace.uuid(),
        &check.url,
        check.ok,
        &check.detail,
        DbTime(check.checked_at)
    )?;
    Ok(())
}

/// The workspace's links that did not answer when last checked (the most
/// recent thousand: a workspace has few broken links at a time).
pub async fn broken_links(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<LinkCheck>> {
    let rows: Vec<(String, bool, String, DbTime)> = sql!(
        tx,
        all as (String, bool, String, DbTime),
        "SELECT url, ok, detail, checked_at FROM link_checks WHERE workspace_id = $1 AND NOT ok ORDER BY checked_at DESC LIMIT 1000",
        workspace.uuid()
    )?;
    Ok(rows.into_iter().map(|(url, ok, detail, at)| LinkCheck { url, ok, detail, checked_at: at.0 }).collect())
}

/// When `url` was last checked, if it was.
pub async fn link_checked_at(tx: &mut Tx, workspace: WorkspaceId, url: &str) -> Result<Option<Timestamp>> {
    let row: Option<(DbTime,)> =
        sql!(tx, optional as (DbTime,), "SELECT checked_at FROM link_checks WHERE workspace_id = $1 AND url = $2", workspace.uuid(), url)?;
    Ok(row.map(|(at,)| at.0))
}
