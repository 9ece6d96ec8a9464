//! Stored preflight reports, one per revision and channel.

use greenlight_domain::{
    Timestamp,
    id::{ChannelId, PostId},
    preflight::TextReport,
};
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

pub async fn insert_report(tx: &mut Tx, post: PostId, revision: i64, channel: ChannelId, report: &TextReport, at: Timestamp) -> Result<()> {
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
pub async fn reports(tx: &mut Tx, post: PostId, revision: i64) -> Result<Vec<(ChannelId, TextReport, Timestamp)>> {
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
