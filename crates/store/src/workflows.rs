//! Workflows (each edit a new, immutable version), routing rules, and
//! reviews. Definitions, conditions and review runs are stored as JSON:
//! the engine in the domain crate owns their shape.

use greenlight_domain::{
    Timestamp,
    id::{DelegationId, PostId, ReviewId, RouteId, UserId, WorkflowId, WorkspaceId},
    workflow::{Condition, Definition, Review, ReviewStatus, review::Delegation},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    analytics::Filter,
    db::{Result, StoreError, Tx},
    time::DbTime,
};

/// A workflow at one of its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workflow {
    pub id: WorkflowId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// Posts no routing rule matches get the default workflow.
    pub is_default: bool,
    pub version: i64,
    pub definition: Definition,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("encoding JSON: {e}")))
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

type WorkflowRow = (Uuid, Uuid, String, bool, i64, String, DbTime, DbTime);

macro_rules! workflow_select {
    ($($rest:literal)*) => {
        concat!(
            "SELECT w.id, w.workspace_id, w.name, w.is_default, v.version, v.definition, w.created_at, w.updated_at
             FROM workflows w JOIN workflow_versions v ON v.workflow_id = w.id ",
            $($rest),*
        )
    };
}

fn workflow_from((id, ws, name, is_default, version, definition, created_at, updated_at): WorkflowRow) -> Result<Workflow> {
    Ok(Workflow {
        id: WorkflowId::from_uuid(id),
        workspace_id: WorkspaceId::from_uuid(ws),
        name,
        is_default,
        version,
        definition: parse("workflow definition", &definition)?,
        created_at: created_at.0,
        updated_at: updated_at.0,
    })
}

pub async fn insert_workflow(tx: &mut Tx, w: &Workflow, by: Option<UserId>) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO workflows (id, workspace_id, name, is_default, current_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        w.id.uuid(),
        w.workspace_id.uuid(),
        &w.name,
        w.is_default,
        w.version,
        DbTime(w.created_at),
        DbTime(w.updated_at)
    )?;
    insert_version(tx, w, by).await
}

async fn insert_version(tx: &mut Tx, w: &Workflow, by: Option<UserId>) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO workflow_versions (workflow_id, version, definition, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        w.id.uuid(),
        w.version,
        json(&w.definition)?,
        by.map(|u| u.uuid()),
        DbTime(w.updated_at)
    )?;
    Ok(())
}

/// Saves `w` as the workflow's next version (its `version` must be the
/// stored one plus one; `Stale` if another edit came first).
pub async fn add_version(tx: &mut Tx, w: &Workflow, by: Option<UserId>) -> Result<()> {
    let n = sql!(
        tx,
        exec,
        "UPDATE workflows SET name = $3, is_default = $4, current_version = $5, updated_at = $6 WHERE id = $1 AND current_version = $2",
        w.id.uuid(),
        w.version - 1,
        &w.name,
        w.is_default,
        w.version,
        DbTime(w.updated_at)
    )?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    insert_version(tx, w, by).await
}

/// Makes no workflow of the workspace the default (before making one so).
pub async fn clear_default(tx: &mut Tx, ws: WorkspaceId) -> Result<()> {
    sql!(tx, exec, "UPDATE workflows SET is_default = $2 WHERE workspace_id = $1 AND is_default", ws.uuid(), false)?;
    Ok(())
}

pub async fn workflows(tx: &mut Tx, ws: WorkspaceId) -> Result<Vec<Workflow>> {
    let rows = sql!(
        tx,
        all as WorkflowRow,
        workflow_select!("WHERE w.workspace_id = $1 AND v.version = w.current_version ORDER BY w.name"),
        ws.uuid()
    )?;
    rows.into_iter().map(workflow_from).collect()
}

/// A workflow at its current version, or at `version`.
pub async fn workflow(tx: &mut Tx, ws: WorkspaceId, id: WorkflowId, version: Option<i64>) -> Result<Option<Workflow>> {
    let row = sql!(
        tx,
        optional as WorkflowRow,
        workflow_select!("WHERE w.workspace_id = $1 AND w.id = $2 AND v.version = COALESCE($3, w.current_version)"),
        ws.uuid(),
        id.uuid(),
        version
    )?;
    row.map(workflow_from).transpose()
}

/// A routing rule as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredRoute {
    pub id: RouteId,
    pub priority: i32,
    pub workflow_id: WorkflowId,
    pub when: Condition,
}

pub async fn routes(tx: &mut Tx, ws: WorkspaceId) -> Result<Vec<StoredRoute>> {
    let rows = sql!(
        tx,
        all as (Uuid, i32, Uuid, String),
        "SELECT id, priority, workflow_id, condition FROM workflow_routes WHERE workspace_id = $1 ORDER BY priority, created_at, id",
        ws.uuid()
    )?;
    rows.into_iter()
        .map(|(id, priority, workflow, condition)| {
            Ok(StoredRoute {
                id: RouteId::from_uuid(id),
                priority,
                workflow_id: WorkflowId::from_uuid(workflow),
                when: parse("route condition", &condition)?,
            })
        })
        .collect()
}

/// Replaces the workspace's routing rules.
pub async fn replace_routes(tx: &mut Tx, ws: WorkspaceId, routes: &[StoredRoute], now: Timestamp) -> Result<()> {
    sql!(tx, exec, "DELETE FROM workflow_routes WHERE workspace_id = $1", ws.uuid())?;
    for r in routes {
        sql!(
            tx,
            exec,
            "INSERT INTO workflow_routes (id, workspace_id, priority, workflow_id, condition, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            r.id.uuid(),
            ws.uuid(),
            r.priority,
            r.workflow_id.uuid(),
            json(&r.when)?,
            DbTime(now)
        )?;
    }
    Ok(())
}

/// A review as stored: the engine's run and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRecord {
    pub id: ReviewId,
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    pub workflow_id: WorkflowId,
    pub workflow_version: i64,
    /// Bumped by every change.
    pub version: i64,
    pub run: Review,
    /// The status the database holds (the run's when last read or
    /// written): an update names the status column only when it changed.
    pub stored_status: ReviewStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

type ReviewRow = (Uuid, Uuid, Uuid, Uuid, i64, i64, String, DbTime, DbTime);

macro_rules! review_select {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, workspace_id, post_id, workflow_id, workflow_version, version, state, created_at, updated_at FROM reviews ",
            $($rest),*
        )
    };
}

fn review_from((id, ws, post, workflow, workflow_version, version, state, created_at, updated_at): ReviewRow) -> Result<ReviewRecord> {
    let run: Review = parse("review", &state)?;
    Ok(ReviewRecord {
        id: ReviewId::from_uuid(id),
        workspace_id: WorkspaceId::from_uuid(ws),
        post_id: PostId::from_uuid(post),
        workflow_id: WorkflowId::from_uuid(workflow),
        workflow_version,
        version,
        stored_status: run.status,
        run,
        created_at: created_at.0,
        updated_at: updated_at.0,
    })
}

fn status_text(status: ReviewStatus) -> &'static str {
    match status {
        ReviewStatus::Active => "active",
        ReviewStatus::ChangesRequested => "changes_requested",
        ReviewStatus::Approved => "approved",
        ReviewStatus::Rejected => "rejected",
        ReviewStatus::Withdrawn => "withdrawn",
        ReviewStatus::Expired => "expired",
    }
}

/// Inserts a review; `Duplicate` if the post already has an open one.
pub async fn insert_review(tx: &mut Tx, r: &ReviewRecord) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO reviews (id, workspace_id, post_id, workflow_id, workflow_version, status, state, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        r.id.uuid(),
        r.workspace_id.uuid(),
        r.post_id.uuid(),
        r.workflow_id.uuid(),
        r.workflow_version,
        status_text(r.run.status),
        json(&r.run)?,
        r.version,
        DbTime(r.created_at),
        DbTime(r.updated_at)
    )?;
    Ok(())
}

/// Writes `r` if the stored version is still `r.version - 1`. The status
/// column is named only when the status changed: SQLite rewrites the index
/// entries of every column an UPDATE sets, changed or not, and two indexes
/// hold the status (a page each written to the WAL).
pub async fn update_review(tx: &mut Tx, r: &mut ReviewRecord) -> Result<()> {
    let (id, expected, state, updated_at) = (r.id.uuid(), r.version - 1, json(&r.run)?, DbTime(r.updated_at));
    let n = if r.run.status == r.stored_status {
        sql!(
            tx,
            exec,
            "UPDATE reviews SET state = $3, version = $4, updated_at = $5 WHERE id = $1 AND version = $2",
            id,
            expected,
            state,
            r.version,
            updated_at
        )?
    } else {
        sql!(
            tx,
            exec,
            "UPDATE reviews SET status = $3, state = $4, version = $5, updated_at = $6 WHERE id = $1 AND version = $2",
            id,
            expected,
            status_text(r.run.status),
            state,
            r.version,
            updated_at
        )?
    };
    if n == 0 {
        return Err(StoreError::Stale);
    }
    r.stored_status = r.run.status;
    Ok(())
}

/// The post's open review (running, waiting for changes, or approved).
pub async fn open_review(tx: &mut Tx, post: PostId) -> Result<Option<ReviewRecord>> {
    let row = sql!(
        tx,
        optional as ReviewRow,
        review_select!("WHERE post_id = $1 AND status IN ('active', 'changes_requested', 'approved')"),
        post.uuid()
    )?;
    row.map(review_from).transpose()
}

/// The post's latest review, open or finished.
pub async fn latest_review(tx: &mut Tx, post: PostId) -> Result<Option<ReviewRecord>> {
    let row = sql!(tx, optional as ReviewRow, review_select!("WHERE post_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1"), post.uuid())?;
    row.map(review_from).transpose()
}

/// The workspace's running reviews.
pub async fn active_reviews(tx: &mut Tx, ws: WorkspaceId) -> Result<Vec<ReviewRecord>> {
    let rows = sql!(tx, all as ReviewRow, review_select!("WHERE workspace_id = $1 AND status = 'active' ORDER BY created_at"), ws.uuid())?;
    rows.into_iter().map(review_from).collect()
}

/// The workspace's reviews waiting for a decision or for changes that the
/// analytics filter's workflow, author, campaign, label and channel keep
/// (its stage and approver depend on where each review stands), each with
/// its post's title and owner, the longest-running first.
pub async fn waiting_reviews(tx: &mut Tx, ws: WorkspaceId, filter: &Filter) -> Result<Vec<(ReviewRecord, String, UserId)>> {
    let rows = sql!(
        tx,
        all as (Uuid, Uuid, Uuid, Uuid, i64, i64, String, DbTime, DbTime, String, Uuid),
        "SELECT r.id, r.workspace_id, r.post_id, r.workflow_id, r.workflow_version, r.version, r.state, r.created_at, r.updated_at,
                p.title, p.owner_id
         FROM reviews r JOIN posts p ON p.id = r.post_id
         WHERE r.workspace_id = $1 AND r.status IN ('active', 'changes_requested')
           AND ($2 IS NULL OR r.workflow_id = $2)
           AND ($3 IS NULL OR p.owner_id = $3)
           AND ($4 IS NULL OR p.campaign_id = $4)
           AND ($5 IS NULL OR EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = p.id AND l.label_id = $5))
           AND ($6 IS NULL OR EXISTS (SELECT 1 FROM post_channels c WHERE c.post_id = p.id AND c.channel_id = $6))
         ORDER BY r.created_at",
        ws.uuid(),
        filter.workflow.map(WorkflowId::uuid),
        filter.author.map(UserId::uuid),
        filter.campaign.map(|c| c.uuid()),
        filter.label.map(|l| l.uuid()),
        filter.channel.map(|c| c.uuid())
    )?;
    rows.into_iter()
        .map(|(id, ws, post, wf, wv, v, state, created, updated, title, owner)| {
            Ok((review_from((id, ws, post, wf, wv, v, state, created, updated))?, title, UserId::from_uuid(owner)))
        })
        .collect()
}

/// A page of every review in a workspace, by id after `after` (start with
/// the nil id), for verifying them against the audit log.
pub async fn workspace_reviews(tx: &mut Tx, ws: WorkspaceId, after: Uuid, limit: i64) -> Result<Vec<ReviewRecord>> {
    let rows =
        sql!(tx, all as ReviewRow, review_select!("WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3"), ws.uuid(), after, limit)?;
    rows.into_iter().map(review_from).collect()
}

/// A review by its id.
pub async fn review(tx: &mut Tx, id: ReviewId) -> Result<Option<ReviewRecord>> {
    let row = sql!(tx, optional as ReviewRow, review_select!("WHERE id = $1"), id.uuid())?;
    row.map(review_from).transpose()
}

/// A member's stand-in for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredDelegation {
    pub id: DelegationId,
    pub workspace_id: WorkspaceId,
    pub from_user: UserId,
    pub delegate: UserId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

impl StoredDelegation {
    pub fn to_domain(&self) -> Delegation {
        Delegation { from: self.from_user, delegate: self.delegate, starts_at: self.starts_at, ends_at: self.ends_at }
    }
}

pub async fn insert_delegation(tx: &mut Tx, d: &StoredDelegation) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO delegations (id, workspace_id, from_user, delegate, starts_at, ends_at, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        d.id.uuid(),
        d.workspace_id.uuid(),
        d.from_user.uuid(),
        d.delegate.uuid(),
        DbTime(d.starts_at),
        DbTime(d.ends_at),
        d.created_by.uuid(),
        DbTime(d.created_at)
    )?;
    Ok(())
}

/// The workspace's delegations that have not ended by `now`.
pub async fn delegations(tx: &mut Tx, ws: WorkspaceId, now: Timestamp) -> Result<Vec<StoredDelegation>> {
    let rows = sql!(
        tx,
        all as (Uuid, Uuid, Uuid, Uuid, DbTime, DbTime, Uuid, DbTime),
        "SELECT id, workspace_id, from_user, delegate, starts_at, ends_at, created_by, created_at FROM delegations
         WHERE workspace_id = $1 AND ends_at > $2 ORDER BY starts_at, id",
        ws.uuid(),
        DbTime(now)
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, ws, from, delegate, starts_at, ends_at, by, created_at)| StoredDelegation {
            id: DelegationId::from_uuid(id),
            workspace_id: WorkspaceId::from_uuid(ws),
            from_user: UserId::from_uuid(from),
            delegate: UserId::from_uuid(delegate),
            starts_at: starts_at.0,
            ends_at: ends_at.0,
            created_by: UserId::from_uuid(by),
            created_at: created_at.0,
        })
        .collect())
}

/// Removes a delegation; whether it existed.
pub async fn delete_delegation(tx: &mut Tx, ws: WorkspaceId, id: DelegationId) -> Result<bool> {
    Ok(sql!(tx, exec, "DELETE FROM delegations WHERE workspace_id = $1 AND id = $2", ws.uuid(), id.uuid())? == 1)
}
