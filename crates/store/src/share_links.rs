//! Share links. The token's hash and the password's hash never leave this
//! module except to the service that checks them.

use greenlight_domain::{
    Timestamp,
    id::{ReviewId, ShareLinkId, UserId, WorkspaceId},
    share::{Capability, Scope},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareLink {
    pub id: ShareLinkId,
    pub workspace_id: WorkspaceId,
    pub scope: Scope,
    pub capability: Capability,
    pub reviewer_name: Option<String>,
    pub reviewer_email: Option<String>,
    /// Whether the visitor must give a password.
    pub has_password: bool,
    /// For a link Greenlight made for a workflow lane's external reviewer.
    pub lane: Option<LaneOfLink>,
    /// `null` for a link Greenlight made.
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub revoked_by: Option<UserId>,
    pub last_used_at: Option<Timestamp>,
}

/// The review round a lane's link was made for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaneOfLink {
    pub review_id: ReviewId,
    pub stage_key: String,
    pub round: i64,
}

row! {
    struct LinkRow {
        id: Uuid,
        workspace_id: Uuid,
        scope: String,
        capability: String,
        reviewer_name: Option<String>,
        reviewer_email: Option<String>,
        password_hash: Option<String>,
        review_id: Option<Uuid>,
        stage_key: Option<String>,
        round: Option<i64>,
        created_by: Option<Uuid>,
        created_at: DbTime,
        expires_at: DbTime,
        revoked_at: Option<DbTime>,
        revoked_by: Option<Uuid>,
        last_used_at: Option<DbTime>,
    }
}

impl LinkRow {
    /// The link and its password hash.
    fn split(self) -> Result<(ShareLink, Option<String>)> {
        let scope = serde_json::from_str(&self.scope).map_err(|e| StoreError::Corrupt(format!("share link scope: {e}")))?;
        let capability = Capability::parse(&self.capability)
            .ok_or_else(|| StoreError::Corrupt(format!("share link capability `{}`", self.capability)))?;
        let lane = match (self.review_id, self.stage_key, self.round) {
            (Some(review), Some(stage_key), Some(round)) => Some(LaneOfLink { review_id: ReviewId::from_uuid(review), stage_key, round }),
            _ => None,
        };
        let link = ShareLink {
            id: ShareLinkId::from_uuid(self.id),
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            scope,
            capability,
            reviewer_name: self.reviewer_name,
            reviewer_email: self.reviewer_email,
            has_password: self.password_hash.is_some(),
            lane,
            created_by: self.created_by.map(UserId::from_uuid),
            created_at: self.created_at.0,
            expires_at: self.expires_at.0,
            revoked_at: self.revoked_at.map(|t| t.0),
            revoked_by: self.revoked_by.map(UserId::from_uuid),
            last_used_at: self.last_used_at.map(|t| t.0),
        };
        Ok((link, self.password_hash))
    }
}

macro_rules! link_select {
    () => {
        "SELECT id, workspace_id, scope, capability, reviewer_name, reviewer_email, password_hash, review_id, stage_key, round,
                created_by, created_at, expires_at, revoked_at, revoked_by, last_used_at FROM share_links "
    };
}

/// Stores a new link. `Duplicate` if the lane already has a link for this
/// reviewer in this round.
pub async fn insert_link(tx: &mut Tx, link: &ShareLink, token_hash: &str, password_hash: Option<&str>) -> Result<()> {
    let scope = serde_json::to_string(&link.scope).map_err(|e| StoreError::Corrupt(format!("encoding scope: {e}")))?;
    sql!(
        tx,
        exec,
        "INSERT INTO share_links (id, workspace_id, token_hash, scope, capability, reviewer_name, reviewer_email, password_hash,
                                  review_id, stage_key, round, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        link.id.uuid(),
        link.workspace_id.uuid(),
        token_hash,
        scope,
        link.capability.as_str(),
        link.reviewer_name.as_deref(),
        link.reviewer_email.as_deref(),
        password_hash,
        link.lane.as_ref().map(|l| l.review_id.uuid()),
        link.lane.as_ref().map(|l| l.stage_key.as_str()),
        link.lane.as_ref().map(|l| l.round),
        link.created_by.map(|u| u.uuid()),
        DbTime(link.created_at),
        DbTime(link.expires_at)
    )?;
    Ok(())
}

/// A link by its token's hash, revoked or not, with its password hash.
pub async fn link_by_hash(tx: &mut Tx, token_hash: &str) -> Result<Option<(ShareLink, Option<String>)>> {
    sql!(tx, optional as LinkRow, concat!(link_select!(), "WHERE token_hash = $1"), token_hash)?.map(LinkRow::split).transpose()
}

/// A link by id, whatever its workspace, with its password hash.
pub async fn link_by_id(tx: &mut Tx, id: ShareLinkId) -> Result<Option<(ShareLink, Option<String>)>> {
    sql!(tx, optional as LinkRow, concat!(link_select!(), "WHERE id = $1"), id.uuid())?.map(LinkRow::split).transpose()
}

pub async fn link(tx: &mut Tx, workspace: WorkspaceId, id: ShareLinkId) -> Result<Option<ShareLink>> {
    let row = sql!(tx, optional as LinkRow, concat!(link_select!(), "WHERE workspace_id = $1 AND id = $2"), workspace.uuid(), id.uuid())?;
    Ok(row.map(LinkRow::split).transpose()?.map(|(link, _)| link))
}

/// The workspace's links, newest first, from `before` on, `limit` of them.
pub async fn links(tx: &mut Tx, workspace: WorkspaceId, before: Option<ShareLinkId>, limit: i64) -> Result<Vec<ShareLink>> {
    let before = before.map(|b| b.uuid());
    let rows = sql!(
        tx,
        all as LinkRow,
        concat!(link_select!(), "WHERE workspace_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"),
        workspace.uuid(),
        before,
        limit
    )?;
    rows.into_iter().map(|r| r.split().map(|(link, _)| link)).collect()
}

/// The link made for a lane's reviewer in a review round, if any.
pub async fn lane_link(tx: &mut Tx, review: ReviewId, stage_key: &str, round: i64, email: &str) -> Result<Option<ShareLink>> {
    let row = sql!(
        tx,
        optional as LinkRow,
        concat!(link_select!(), "WHERE review_id = $1 AND stage_key = $2 AND round = $3 AND reviewer_email = $4"),
        review.uuid(),
        stage_key,
        round,
        email
    )?;
    Ok(row.map(LinkRow::split).transpose()?.map(|(link, _)| link))
}

/// Gives a link a new token (the old one stops working).
pub async fn set_token(tx: &mut Tx, id: ShareLinkId, token_hash: &str) -> Result<()> {
    sql!(tx, exec, "UPDATE share_links SET token_hash = $2 WHERE id = $1", id.uuid(), token_hash)?;
    Ok(())
}

pub async fn set_expiry(tx: &mut Tx, id: ShareLinkId, expires_at: Timestamp) -> Result<()> {
    sql!(tx, exec, "UPDATE share_links SET expires_at = $2 WHERE id = $1", id.uuid(), DbTime(expires_at))?;
    Ok(())
}

/// Revokes a live link of the workspace; false if there is none.
pub async fn revoke_link(tx: &mut Tx, workspace: WorkspaceId, id: ShareLinkId, by: Option<UserId>, now: Timestamp) -> Result<bool> {
    let n = sql!(
        tx,
        exec,
        "UPDATE share_links SET revoked_at = $3, revoked_by = $4 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL",
        workspace.uuid(),
        id.uuid(),
        DbTime(now),
        by.map(|u| u.uuid())
    )?;
    Ok(n > 0)
}

pub async fn touch_link(tx: &mut Tx, id: ShareLinkId, now: Timestamp) -> Result<()> {
    sql!(tx, exec, "UPDATE share_links SET last_used_at = $2 WHERE id = $1", id.uuid(), DbTime(now))?;
    Ok(())
}
