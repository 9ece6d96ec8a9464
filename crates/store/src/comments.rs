//! Comments on posts. The anchor is stored as JSON (the domain owns its
//! shape) next to its revision number, which a foreign key ties to the
//! post's revisions.

use greenlight_domain::{
    Timestamp,
    comment::{Anchor, Visibility},
    id::{CommentId, PostId, ShareLinkId, UserId, WorkspaceId},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    pub id: CommentId,
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    /// The thread's first comment, for a reply; `null` for a thread.
    pub parent_id: Option<CommentId>,
    /// The member who wrote it; `null` for a visitor through a share link.
    pub author_id: Option<UserId>,
    /// The name a visitor gave, with the link they came through.
    pub author_name: Option<String>,
    pub share_link_id: Option<ShareLinkId>,
    /// A reply has its thread's anchor.
    pub anchor: Anchor,
    pub body: String,
    /// The members the comment mentions.
    pub mentions: Vec<UserId>,
    pub visibility: Visibility,
    /// When the thread was resolved (threads only).
    pub resolved_at: Option<Timestamp>,
    pub resolved_by: Option<UserId>,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
}

row! {
    struct CommentRow {
        id: Uuid,
        workspace_id: Uuid,
        post_id: Uuid,
        parent_id: Option<Uuid>,
        author_id: Option<Uuid>,
        link_id: Option<Uuid>,
        author_name: Option<String>,
        revision: i64,
        anchor: String,
        body: String,
        mentions: String,
        visibility: String,
        resolved_at: Option<DbTime>,
        resolved_by: Option<Uuid>,
        created_at: DbTime,
        edited_at: Option<DbTime>,
    }
}

impl CommentRow {
    fn into_comment(self) -> Result<Comment> {
        let anchor: Anchor = parse("comment anchor", &self.anchor)?;
        if anchor.revision != self.revision {
            return Err(StoreError::Corrupt(format!("comment {} anchor names revision {} of {}", self.id, anchor.revision, self.revision)));
        }
        let visibility =
            Visibility::parse(&self.visibility).ok_or_else(|| StoreError::Corrupt(format!("comment visibility `{}`", self.visibility)))?;
        Ok(Comment {
            id: CommentId::from_uuid(self.id),
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            post_id: PostId::from_uuid(self.post_id),
            parent_id: self.parent_id.map(CommentId::from_uuid),
            author_id: self.author_id.map(UserId::from_uuid),
            author_name: self.author_name,
            share_link_id: self.link_id.map(ShareLinkId::from_uuid),
            anchor,
            body: self.body,
            mentions: parse("comment mentions", &self.mentions)?,
            visibility,
            resolved_at: self.resolved_at.map(|t| t.0),
            resolved_by: self.resolved_by.map(UserId::from_uuid),
            created_at: self.created_at.0,
            edited_at: self.edited_at.map(|t| t.0),
        })
    }
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("encoding JSON: {e}")))
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

macro_rules! comment_select {
    () => {
        "SELECT id, workspace_id, post_id, parent_id, author_id, link_id, author_name, revision, anchor, body, mentions, visibility,
                resolved_at, resolved_by, created_at, edited_at FROM comments "
    };
}

pub async fn insert_comment(tx: &mut Tx, c: &Comment) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO comments (id, workspace_id, post_id, parent_id, author_id, link_id, author_name, revision, anchor, body,
                               mentions, visibility, resolved_at, resolved_by, created_at, edited_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        c.id.uuid(),
        c.workspace_id.uuid(),
        c.post_id.uuid(),
        c.parent_id.map(|p| p.uuid()),
        c.author_id.map(|u| u.uuid()),
        c.share_link_id.map(|l| l.uuid()),
        c.author_name.as_deref(),
        c.anchor.revision,
        json(&c.anchor)?,
        &c.body,
        json(&c.mentions)?,
        c.visibility.as_str(),
        c.resolved_at.map(DbTime),
        c.resolved_by.map(|u| u.uuid()),
        DbTime(c.created_at),
        c.edited_at.map(DbTime)
    )?;
    Ok(())
}

/// One comment of a post. The caller has checked the post's workspace.
pub async fn comment(tx: &mut Tx, post: PostId, id: CommentId) -> Result<Option<Comment>> {
    let row = sql!(tx, optional as CommentRow, concat!(comment_select!(), "WHERE post_id = $1 AND id = $2"), post.uuid(), id.uuid())?;
    row.map(CommentRow::into_comment).transpose()
}

/// Every comment of a post, threads and replies, oldest first.
pub async fn comments(tx: &mut Tx, post: PostId) -> Result<Vec<Comment>> {
    let rows = sql!(tx, all as CommentRow, concat!(comment_select!(), "WHERE post_id = $1 ORDER BY created_at, id"), post.uuid())?;
    rows.into_iter().map(CommentRow::into_comment).collect()
}

/// Resolves a thread (`Some((when, by whom))`) or reopens it (`None`).
/// `Stale` if it already was (or is not a thread), so two people resolving
/// at once give one resolution.
pub async fn set_resolved(tx: &mut Tx, id: CommentId, resolved: Option<(Timestamp, UserId)>) -> Result<()> {
    let n = match resolved {
        Some((at, by)) => sql!(
            tx,
            exec,
            "UPDATE comments SET resolved_at = $2, resolved_by = $3 WHERE id = $1 AND parent_id IS NULL AND resolved_at IS NULL",
            id.uuid(),
            DbTime(at),
            by.uuid()
        )?,
        None => sql!(
            tx,
            exec,
            "UPDATE comments SET resolved_at = NULL, resolved_by = NULL WHERE id = $1 AND parent_id IS NULL AND resolved_at IS NOT NULL",
            id.uuid()
        )?,
    };
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Replaces a comment's body.
pub async fn set_body(tx: &mut Tx, id: CommentId, body: &str, edited_at: Timestamp) -> Result<()> {
    let n = sql!(tx, exec, "UPDATE comments SET body = $2, edited_at = $3 WHERE id = $1", id.uuid(), body, DbTime(edited_at))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}
