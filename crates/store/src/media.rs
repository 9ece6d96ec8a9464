//! Uploaded media: the record; the bytes live in a blob store.

use greenlight_domain::{
    Timestamp,
    id::{MediaId, UserId, WorkspaceId},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{db::Result, db::Tx, time::DbTime};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Media {
    pub id: MediaId,
    pub workspace_id: WorkspaceId,
    /// The blob's content address (`sha256:…`).
    pub blob_key: String,
    pub thumbnail_key: Option<String>,
    pub filename: String,
    pub mime: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// A video's length, when it could be read.
    pub duration_ms: Option<i64>,
    pub uploaded_by: UserId,
    pub created_at: Timestamp,
}

row! {
    struct MediaRow {
        id: Uuid,
        workspace_id: Uuid,
        blob_key: String,
        thumbnail_key: Option<String>,
        filename: String,
        mime: String,
        size: i64,
        width: Option<i64>,
        height: Option<i64>,
        duration_ms: Option<i64>,
        uploaded_by: Uuid,
        created_at: DbTime,
    }
}

impl From<MediaRow> for Media {
    fn from(r: MediaRow) -> Self {
        Media {
            id: MediaId::from_uuid(r.id),
            workspace_id: WorkspaceId::from_uuid(r.workspace_id),
            blob_key: r.blob_key,
            thumbnail_key: r.thumbnail_key,
            filename: r.filename,
            mime: r.mime,
            size: r.size,
            width: r.width,
            height: r.height,
            duration_ms: r.duration_ms,
            uploaded_by: UserId::from_uuid(r.uploaded_by),
            created_at: r.created_at.0,
        }
    }
}

macro_rules! media_select {
    () => {
        "SELECT id, workspace_id, blob_key, thumbnail_key, filename, mime, size, width, height, duration_ms, uploaded_by, created_at FROM media "
    };
}

pub async fn insert_media(tx: &mut Tx, m: &Media) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO media (id, workspace_id, blob_key, thumbnail_key, filename, mime, size, width, height, duration_ms, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        m.id.uuid(),
        m.workspace_id.uuid(),
        &m.blob_key,
        m.thumbnail_key.as_deref(),
        &m.filename,
        &m.mime,
        m.size,
        m.width,
        m.height,
        m.duration_ms,
        m.uploaded_by.uuid(),
        DbTime(m.created_at)
    )?;
    Ok(())
}

pub async fn media(tx: &mut Tx, workspace: WorkspaceId, id: MediaId) -> Result<Option<Media>> {
    let row = sql!(tx, optional as MediaRow, concat!(media_select!(), "WHERE workspace_id = $1 AND id = $2"), workspace.uuid(), id.uuid())?;
    Ok(row.map(Media::from))
}

/// A page of the workspace's media library, newest first.
pub async fn media_library(tx: &mut Tx, workspace: WorkspaceId, before: Option<MediaId>, limit: i64) -> Result<Vec<Media>> {
    let rows = sql!(
        tx,
        all as MediaRow,
        concat!(media_select!(), "WHERE workspace_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"),
        workspace.uuid(),
        before.map(|b| b.uuid()),
        limit
    )?;
    Ok(rows.into_iter().map(Media::from).collect())
}

/// How many of `ids` are media of the workspace (to check references in content).
pub async fn count_media(tx: &mut Tx, workspace: WorkspaceId, ids: &[MediaId]) -> Result<usize> {
    let mut found = 0;
    for id in ids {
        let row = sql!(tx, optional as (Uuid,), "SELECT id FROM media WHERE workspace_id = $1 AND id = $2", workspace.uuid(), id.uuid())?;
        found += usize::from(row.is_some());
    }
    Ok(found)
}
