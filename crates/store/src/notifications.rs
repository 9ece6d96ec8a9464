//! Notifications and notification preferences.

use greenlight_domain::{
    Timestamp,
    canonical::Hash,
    id::{NotificationId, PostId, ReviewId, UserId, WorkspaceId},
    notification::{Kind, Preferences},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub id: NotificationId,
    pub user_id: UserId,
    pub workspace_id: WorkspaceId,
    pub kind: Kind,
    pub post_id: Option<PostId>,
    /// One line a person reads: "Dana asked for changes to “Flu shots”".
    pub summary: String,
    /// The details, by kind (stage, verdict, comment …).
    pub data: serde_json::Value,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
    /// `none` (not wanted), `pending`, `sent`, or `failed` (refused through
    /// every retry).
    pub email_status: String,
}

/// Where a new notification's email stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailState {
    /// Not wanted.
    None,
    /// To be sent at this time (alone, or with others in a digest).
    Pending(Timestamp),
}

impl EmailState {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailState::None => "none",
            EmailState::Pending(_) => "pending",
        }
    }
}

row! {
    struct Row {
        id: Uuid,
        user_id: Uuid,
        workspace_id: Uuid,
        kind: String,
        post_id: Option<Uuid>,
        summary: String,
        data: String,
        created_at: DbTime,
        read_at: Option<DbTime>,
        email: String,
    }
}

impl TryFrom<Row> for Notification {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(Notification {
            id: NotificationId::from_uuid(r.id),
            user_id: UserId::from_uuid(r.user_id),
            workspace_id: WorkspaceId::from_uuid(r.workspace_id),
            kind: Kind::parse(&r.kind).ok_or_else(|| StoreError::Corrupt(format!("notification kind `{}`", r.kind)))?,
            post_id: r.post_id.map(PostId::from_uuid),
            summary: r.summary,
            data: serde_json::from_str(&r.data).map_err(|e| StoreError::Corrupt(format!("notification data: {e}")))?,
            created_at: r.created_at.0,
            read_at: r.read_at.map(|t| t.0),
            email_status: r.email,
        })
    }
}

macro_rules! notification_select {
    () => {
        "SELECT id, user_id, workspace_id, kind, post_id, summary, data, created_at, read_at, email FROM notifications "
    };
}

/// Stores a notification unless one with the same key exists; true if new.
pub async fn insert(tx: &mut Tx, n: &Notification, dedup_key: &str, in_app: bool, email: EmailState) -> Result<bool> {
    let due = match email {
        EmailState::None => None,
        EmailState::Pending(at) => Some(DbTime(at)),
    };
    let n = sql!(
        tx,
        exec,
        "INSERT INTO notifications (id, user_id, workspace_id, kind, post_id, summary, data, dedup_key, in_app, email, email_due, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (dedup_key) DO NOTHING",
        n.id.uuid(),
        n.user_id.uuid(),
        n.workspace_id.uuid(),
        n.kind.as_str(),
        n.post_id.map(|p| p.uuid()),
        &n.summary,
        n.data.to_string(),
        dedup_key,
        in_app,
        email.as_str(),
        due,
        DbTime(n.created_at)
    )?;
    Ok(n > 0)
}

/// A member's in-app notifications (in one workspace, or all), newest
/// first, before the cursor.
pub async fn of_user(
    tx: &mut Tx,
    user: UserId,
    workspace: Option<WorkspaceId>,
    unread_only: bool,
    before: Option<NotificationId>,
    limit: i64,
) -> Result<Vec<Notification>> {
    let rows = sql!(
        tx,
        all as Row,
        concat!(
            notification_select!(),
            "WHERE user_id = $1 AND in_app = $2 AND ($3 IS NULL OR id < $3) AND ($4 = FALSE OR read_at IS NULL)
               AND ($5 IS NULL OR workspace_id = $5) ORDER BY id DESC LIMIT $6"
        ),
        user.uuid(),
        true,
        before.map(|b| b.uuid()),
        unread_only,
        workspace.map(|w| w.uuid()),
        limit
    )?;
    rows.into_iter().map(Notification::try_from).collect()
}

pub async fn unread_count(tx: &mut Tx, user: UserId, workspace: Option<WorkspaceId>) -> Result<i64> {
    let (n,): (i64,) = sql!(
        tx,
        one as (i64,),
        // `in_app = TRUE` written out, as the partial index says it.
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND in_app = TRUE AND read_at IS NULL AND ($2 IS NULL OR workspace_id = $2)",
        user.uuid(),
        workspace.map(|w| w.uuid())
    )?;
    Ok(n)
}

/// Marks the member's notifications read (in one workspace, or all): the
/// ones named, or all.
pub async fn mark_read(
    tx: &mut Tx,
    user: UserId,
    workspace: Option<WorkspaceId>,
    ids: Option<&[NotificationId]>,
    now: Timestamp,
) -> Result<u64> {
    let ws = workspace.map(|w| w.uuid());
    match ids {
        None => Ok(sql!(
            tx,
            exec,
            "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL AND ($3 IS NULL OR workspace_id = $3)",
            user.uuid(),
            DbTime(now),
            ws
        )?),
        Some(ids) => {
            let mut n = 0;
            for id in ids {
                n += sql!(
                    tx,
                    exec,
                    "UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND id = $2 AND read_at IS NULL AND ($4 IS NULL OR workspace_id = $4)",
                    user.uuid(),
                    id.uuid(),
                    DbTime(now),
                    ws
                )?;
            }
            Ok(n)
        }
    }
}

/// Claims a member's email due by `now` for one sender, oldest first: what
/// is pending, and what a sender claimed before `stale_before` and never
/// finished (it crashed). Two senders never claim the same notification.
pub async fn claim_email(tx: &mut Tx, user: UserId, now: Timestamp, stale_before: Timestamp) -> Result<Vec<Notification>> {
    let rows = sql!(
        tx,
        all as Row,
        concat!(
            notification_select!(),
            "WHERE user_id = $1 AND ((email = 'pending' AND email_due <= $2) OR (email = 'sending' AND email_claimed_at < $3)) ORDER BY id"
        ),
        user.uuid(),
        DbTime(now),
        DbTime(stale_before)
    )?;
    let mut claimed = Vec::new();
    for row in rows {
        let n = sql!(
            tx,
            exec,
            "UPDATE notifications SET email = 'sending', email_claimed_at = $2
             WHERE id = $1 AND ((email = 'pending' AND email_due <= $3) OR (email = 'sending' AND email_claimed_at < $4))",
            row.id,
            DbTime(now),
            DbTime(now),
            DbTime(stale_before)
        )?;
        if n > 0 {
            claimed.push(Notification::try_from(row)?);
        }
    }
    Ok(claimed)
}

/// Marks claimed notifications' email sent.
pub async fn email_sent(tx: &mut Tx, ids: &[NotificationId]) -> Result<()> {
    for id in ids {
        sql!(tx, exec, "UPDATE notifications SET email = 'sent', email_due = NULL, email_claimed_at = NULL WHERE id = $1", id.uuid())?;
    }
    Ok(())
}

/// Gives claimed notifications back (sending failed; the job retries).
pub async fn release_email(tx: &mut Tx, ids: &[NotificationId]) -> Result<()> {
    for id in ids {
        sql!(
            tx,
            exec,
            "UPDATE notifications SET email = 'pending', email_claimed_at = NULL WHERE id = $1 AND email = 'sending'",
            id.uuid()
        )?;
    }
    Ok(())
}

/// Marks a member's email due by `due` failed (its job gave up).
pub async fn email_failed(tx: &mut Tx, user: UserId, due: Timestamp) -> Result<()> {
    sql!(
        tx,
        exec,
        "UPDATE notifications SET email = 'failed' WHERE user_id = $1 AND email IN ('pending', 'sending') AND email_due <= $2",
        user.uuid(),
        DbTime(due)
    )?;
    Ok(())
}

/// A member's preferences in a workspace (`None`: the workspace's default).
pub async fn preferences(tx: &mut Tx, workspace: WorkspaceId, user: Option<UserId>) -> Result<Preferences> {
    let row: Option<(String,)> = match user {
        Some(user) => sql!(
            tx,
            optional as (String,),
            "SELECT preferences FROM notification_preferences WHERE workspace_id = $1 AND user_id = $2",
            workspace.uuid(),
            user.uuid()
        )?,
        None => sql!(
            tx,
            optional as (String,),
            "SELECT preferences FROM notification_preferences WHERE workspace_id = $1 AND user_id IS NULL",
            workspace.uuid()
        )?,
    };
    match row {
        Some((text,)) => serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("notification preferences: {e}"))),
        None => Ok(Preferences::default()),
    }
}

pub async fn set_preferences(tx: &mut Tx, workspace: WorkspaceId, user: Option<UserId>, prefs: &Preferences, now: Timestamp) -> Result<()> {
    let text = serde_json::to_string(prefs).map_err(|e| StoreError::Corrupt(format!("encoding preferences: {e}")))?;
    match user {
        Some(user) => sql!(
            tx,
            exec,
            "INSERT INTO notification_preferences (workspace_id, user_id, preferences, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (workspace_id, user_id) WHERE user_id IS NOT NULL DO UPDATE SET preferences = $3, updated_at = $4",
            workspace.uuid(),
            user.uuid(),
            text,
            DbTime(now)
        )?,
        None => sql!(
            tx,
            exec,
            "INSERT INTO notification_preferences (workspace_id, user_id, preferences, updated_at) VALUES ($1, NULL, $2, $3)
             ON CONFLICT (workspace_id) WHERE user_id IS NULL DO UPDATE SET preferences = $2, updated_at = $3",
            workspace.uuid(),
            text,
            DbTime(now)
        )?,
    };
    Ok(())
}

/// A one-click decision link from an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionLink {
    pub id: Uuid,
    pub user_id: UserId,
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    pub review_id: ReviewId,
    /// The stage and round the email asked about.
    pub stage_key: String,
    pub round: i64,
    /// The content hash of the revision the email showed.
    pub revision: Hash,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

type DecisionLinkRow = (Uuid, Uuid, Uuid, Uuid, Uuid, String, String, i64, DbTime, DbTime, Option<DbTime>);

pub async fn insert_decision_link(tx: &mut Tx, link: &DecisionLink, token_hash: &str) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO decision_links (id, token_hash, user_id, workspace_id, post_id, review_id, revision, stage_key, round, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        link.id,
        token_hash,
        link.user_id.uuid(),
        link.workspace_id.uuid(),
        link.post_id.uuid(),
        link.review_id.uuid(),
        link.revision.to_string(),
        &link.stage_key,
        link.round,
        DbTime(link.created_at),
        DbTime(link.expires_at)
    )?;
    Ok(())
}

pub async fn decision_link(tx: &mut Tx, token_hash: &str) -> Result<Option<DecisionLink>> {
    let row = sql!(
        tx,
        optional as DecisionLinkRow,
        "SELECT id, user_id, workspace_id, post_id, review_id, revision, stage_key, round, created_at, expires_at, used_at
         FROM decision_links WHERE token_hash = $1",
        token_hash
    )?;
    row.map(|(id, user, ws, post, review, revision, stage_key, round, created_at, expires_at, used_at)| {
        Ok(DecisionLink {
            id,
            user_id: UserId::from_uuid(user),
            workspace_id: WorkspaceId::from_uuid(ws),
            post_id: PostId::from_uuid(post),
            review_id: ReviewId::from_uuid(review),
            revision: Hash::parse(&revision).ok_or_else(|| StoreError::Corrupt(format!("decision link revision `{revision}`")))?,
            stage_key,
            round,
            created_at: created_at.0,
            expires_at: expires_at.0,
            used_at: used_at.map(|t| t.0),
        })
    })
    .transpose()
}

/// Uses a link up; false if it already was.
pub async fn use_decision_link(tx: &mut Tx, id: Uuid, now: Timestamp) -> Result<bool> {
    let n = sql!(tx, exec, "UPDATE decision_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL", id, DbTime(now))?;
    Ok(n > 0)
}
