//! Comments: threaded discussion on a post, one level deep. A thread is
//! anchored to a revision (by default the latest) and optionally to a
//! channel, a text range or an image region; its replies share its anchor.
//! Threads are resolved and reopened as a whole. Every write records an
//! audit event in its transaction; `comment.added` carries the mentions,
//! for the notifications that will follow them.

use std::collections::BTreeSet;

use greenlight_domain::{
    audit::Chain,
    comment::{Anchor, Target, Visibility},
    id::{ChannelId, CommentId, PostId, ShareLinkId, UserId, WorkspaceId},
    permission::{Permission, Role},
    validation::{Errors, FieldError},
};
use greenlight_store::{
    StoreError, Tx,
    comments::{self, Comment},
    media,
    posts::{self, Post},
    workspaces,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller,
    access::visible_post,
    audit::record,
    error::AddWords,
    error::{Error, Reason, Result},
};

pub const MAX_BODY_CHARS: usize = 10_000;
pub const MAX_MENTIONS: usize = 50;

/// Where a new thread points; the revision defaults to the post's latest.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnchorInput {
    /// The revision's number (default: the post's latest revision).
    #[serde(default)]
    pub revision: Option<i64>,
    #[serde(default)]
    pub channel_id: Option<ChannelId>,
    #[serde(default)]
    pub target: Option<Target>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    pub body: String,
    /// Starts a thread about this (default: the latest revision as a whole).
    /// Leave it out of a reply: a reply has its thread's anchor.
    #[serde(default)]
    pub anchor: Option<AnchorInput>,
    /// Replies to this thread (its first comment).
    #[serde(default)]
    pub parent_id: Option<CommentId>,
    /// Members to mention, by user id.
    #[serde(default)]
    pub mentions: Vec<UserId>,
    /// Default: `internal` for a thread, the thread's visibility for a reply.
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentChange {
    pub body: String,
}

/// A thread: its first comment and the replies, oldest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Thread {
    #[serde(flatten)]
    pub comment: crate::views::Comment,
    pub replies: Vec<crate::views::Comment>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommentQuery {
    /// Only threads about this revision.
    pub revision: Option<i64>,
    /// `true`: only threads that are not resolved.
    pub unresolved: Option<bool>,
}

fn require_comment(role: Role) -> Result<()> {
    if role.can(Permission::CommentOnPosts) {
        Ok(())
    } else {
        Err(Error::forbidden("err-comment-role-cannot", [("role", role.to_string())]))
    }
}

/// The post, if the caller may see it and comment on it.
async fn commentable_post(tx: &mut Tx, caller: &Caller, ws: WorkspaceId, id: PostId) -> Result<Post> {
    let (role, post) = visible_post(tx, caller, ws, id).await?;
    require_comment(role)?;
    Ok(post)
}

/// The body trimmed, or a field error.
fn check_body(errors: &mut Errors, body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        errors.add_words("body", "err-post-empty", []);
    } else if body.chars().count() > MAX_BODY_CHARS {
        errors.add_words("body", "err-post-too-long", [("max", MAX_BODY_CHARS.to_string())]);
    }
    body.to_owned()
}

/// The mentioned users, each once, if every one is a member.
async fn check_mentions(tx: &mut Tx, ws: WorkspaceId, errors: &mut Errors, mentions: Vec<UserId>) -> Result<Vec<UserId>> {
    let mentions: BTreeSet<UserId> = mentions.into_iter().collect();
    if mentions.len() > MAX_MENTIONS {
        errors.add_words("mentions", "err-comment-many-mentions", [("max", MAX_MENTIONS.to_string())]);
        return Ok(Vec::new());
    }
    if mentions.is_empty() {
        return Ok(Vec::new());
    }
    let members: BTreeSet<UserId> = workspaces::members(tx, ws).await?.into_iter().map(|m| m.user_id).collect();
    for user in mentions.difference(&members) {
        errors.add_words("mentions", "err-comment-not-member", [("user", user.to_string())]);
    }
    Ok(mentions.into_iter().collect())
}

/// Resolves a thread's anchor against the revision it names; with it, the
/// words a text anchor points at.
async fn check_anchor(tx: &mut Tx, post: &Post, errors: &mut Errors, input: AnchorInput) -> Result<Option<(Anchor, Option<String>)>> {
    let revision = match input.revision {
        Some(number) => posts::revision(tx, post.id, number).await?,
        None => posts::latest_revision(tx, post.id).await?,
    };
    let Some(revision) = revision else {
        errors.add_words("anchor.revision", "err-comment-no-revision", []);
        return Ok(None);
    };
    let anchor = Anchor { revision: revision.number, channel_id: input.channel_id, target: input.target };
    let channels: BTreeSet<ChannelId> = post.channel_ids.iter().copied().collect();
    if let Err(found) = anchor.validate(&revision.content, &channels) {
        extend(errors, found);
        return Ok(None);
    }
    if let Some(Target::Image { media_id, .. }) = &anchor.target {
        let item = media::media(tx, post.workspace_id, *media_id).await?;
        if !item.is_some_and(|m| m.mime.starts_with("image/")) {
            errors.add_words("anchor.target.media_id", "err-comment-not-image", []);
            return Ok(None);
        }
    }
    let quote = anchor.quote(&revision.content).map(str::to_owned);
    Ok(Some((anchor, quote)))
}

fn extend(errors: &mut Errors, found: Vec<FieldError>) {
    for e in found {
        errors.push(e);
    }
}

/// The thread a reply goes to, if it is a thread of this post.
async fn check_parent(tx: &mut Tx, post: PostId, errors: &mut Errors, parent: CommentId) -> Result<Option<Comment>> {
    match comments::comment(tx, post, parent).await? {
        None => errors.add_words("parent_id", "err-comment-no-parent", []),
        Some(c) if c.parent_id.is_some() => errors.add_words("parent_id", "err-comment-parent-is-reply", []),
        Some(thread) => return Ok(Some(thread)),
    }
    Ok(None)
}

/// Who writes a comment.
pub(crate) enum Author {
    Member(UserId),
    /// A share link's visitor: their comments are visible to externals, and
    /// they see (and answer) only threads that are.
    Visitor {
        link: ShareLinkId,
        name: String,
    },
}

/// Adds a comment: a new thread, or a reply to one.
pub async fn add_comment(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId, input: NewComment) -> Result<crate::views::Comment> {
    let author = caller.require_user()?;
    let mut tx = app.db.write().await?;
    let post = commentable_post(&mut tx, caller, ws, id).await?;
    let comment = add_in(&mut tx, app, caller, &post, Author::Member(author), input).await?;
    tx.commit().await?;
    Ok(comment.into())
}

/// Adds a checked comment to `post` in the caller's transaction.
pub(crate) async fn add_in(tx: &mut Tx, app: &App, caller: &Caller, post: &Post, author: Author, input: NewComment) -> Result<Comment> {
    let (ws, id) = (post.workspace_id, post.id);
    let visitor = matches!(author, Author::Visitor { .. });
    let mut errors = Errors::new();
    let body = check_body(&mut errors, &input.body);
    if visitor && input.visibility == Some(Visibility::Internal) {
        errors.add_words("visibility", "err-comment-visitor-internal", []);
    }
    if visitor && !input.mentions.is_empty() {
        errors.add_words("mentions", "err-comment-visitor-mentions", []);
    }
    let requested = if visitor { Some(Visibility::External) } else { input.visibility };
    let (anchor, visibility) = match input.parent_id {
        Some(parent) => {
            if input.anchor.is_some() {
                errors.add_words("anchor", "err-comment-reply-anchor", []);
            }
            let mut thread = check_parent(tx, id, &mut errors, parent).await?;
            if visitor && thread.as_ref().is_some_and(|t| t.visibility == Visibility::Internal) {
                // A visitor does not learn that an internal thread exists.
                errors.add_words("parent_id", "err-comment-no-parent", []);
                thread = None;
            }
            let visibility = match (&thread, requested) {
                (Some(t), Some(Visibility::External)) if t.visibility == Visibility::Internal => {
                    errors.add_words("visibility", "err-comment-internal-thread", []);
                    None
                }
                (Some(t), requested) => Some(requested.unwrap_or(t.visibility)),
                (None, _) => None,
            };
            (thread.map(|t| (t.anchor, None)), visibility)
        }
        None => {
            let anchor = check_anchor(tx, post, &mut errors, input.anchor.unwrap_or_default()).await?;
            (anchor, Some(requested.unwrap_or_default()))
        }
    };
    let mentions = check_mentions(tx, ws, &mut errors, input.mentions).await?;
    errors.into_result()?;
    let (Some((anchor, quote)), Some(visibility)) = (anchor, visibility) else {
        return Err(Error::Internal("a checked comment without anchor or visibility".into()));
    };
    let (author_id, author_name, share_link_id) = match author {
        Author::Member(user) => (Some(user), None, None),
        Author::Visitor { link, name } => (None, Some(name), Some(link)),
    };
    let comment = Comment {
        id: CommentId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        post_id: id,
        parent_id: input.parent_id,
        author_id,
        author_name,
        share_link_id,
        anchor,
        body,
        mentions,
        visibility,
        resolved_at: None,
        resolved_by: None,
        created_at: app.now(),
        edited_at: None,
    };
    comments::insert_comment(tx, &comment).await?;
    let data = json!({
        "comment": comment.id, "parent": comment.parent_id, "anchor": comment.anchor, "quote": quote, "body": comment.body,
        "mentions": comment.mentions, "visibility": comment.visibility,
    });
    record(tx, app, caller, Chain::Workspace(ws), "comment.added", ("post", Some(id.uuid())), data).await?;
    Ok(comment)
}

/// The post's threads, oldest first, each with its replies.
pub async fn comments(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId, query: CommentQuery) -> Result<Vec<Thread>> {
    if query.revision.is_some_and(|r| r < 1) {
        return Err(Error::field_said("revision", "err-comment-revision-from-1", []));
    }
    let mut tx = app.db.read().await?;
    visible_post(&mut tx, caller, ws, id).await?;
    let wanted =
        |t: &Comment| query.revision.is_none_or(|r| t.anchor.revision == r) && !(query.unresolved == Some(true) && t.resolved_at.is_some());
    threads(&mut tx, id, wanted).await
}

/// The post's threads that `wanted` accepts, each with its replies (that
/// `wanted` accepts too).
pub(crate) async fn threads(tx: &mut Tx, post: PostId, wanted: impl Fn(&Comment) -> bool) -> Result<Vec<Thread>> {
    let all = comments::comments(tx, post).await?;
    let (threads, replies): (Vec<Comment>, Vec<Comment>) = all.into_iter().partition(|c| c.parent_id.is_none());
    Ok(threads
        .into_iter()
        .filter(&wanted)
        .map(|comment| {
            let replies = replies.iter().filter(|r| r.parent_id == Some(comment.id) && wanted(r)).cloned().map(Into::into).collect();
            Thread { comment: comment.into(), replies }
        })
        .collect())
}

/// Loads a comment of a post the caller may comment on.
async fn load(tx: &mut Tx, caller: &Caller, ws: WorkspaceId, post: PostId, id: CommentId) -> Result<Comment> {
    commentable_post(tx, caller, ws, post).await?;
    comments::comment(tx, post, id).await?.ok_or(Error::NotFound("comment"))
}

/// Marks a thread resolved.
pub async fn resolve(app: &App, caller: &Caller, ws: WorkspaceId, post: PostId, id: CommentId) -> Result<crate::views::Comment> {
    set_resolved(app, caller, ws, post, id, true).await.map(Into::into)
}

/// Opens a resolved thread again.
pub async fn reopen(app: &App, caller: &Caller, ws: WorkspaceId, post: PostId, id: CommentId) -> Result<crate::views::Comment> {
    set_resolved(app, caller, ws, post, id, false).await.map(Into::into)
}

async fn set_resolved(app: &App, caller: &Caller, ws: WorkspaceId, post: PostId, id: CommentId, resolve: bool) -> Result<Comment> {
    let user = caller.require_user()?;
    let mut tx = app.db.write().await?;
    let mut comment = load(&mut tx, caller, ws, post, id).await?;
    if comment.parent_id.is_some() {
        return Err(Error::conflict(if resolve { "err-comment-resolve-reply" } else { "err-comment-reopen-reply" }, []));
    }
    let already = Reason::said(if resolve { "err-comment-already-resolved" } else { "err-comment-not-resolved" }, []);
    if comment.resolved_at.is_some() == resolve {
        return Err(Error::Conflict(already));
    }
    let resolved = resolve.then(|| (app.now(), user));
    comments::set_resolved(&mut tx, id, resolved).await.map_err(|e| match e {
        StoreError::Stale => Error::Conflict(already),
        other => other.into(),
    })?;
    (comment.resolved_at, comment.resolved_by) = (resolved.map(|r| r.0), resolved.map(|r| r.1));
    let action = if resolve { "comment.resolved" } else { "comment.reopened" };
    record(&mut tx, app, caller, Chain::Workspace(ws), action, ("post", Some(post.uuid())), json!({ "comment": id })).await?;
    tx.commit().await?;
    Ok(comment)
}

/// Changes the body of the caller's own comment.
pub async fn edit_comment(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    post: PostId,
    id: CommentId,
    change: CommentChange,
) -> Result<crate::views::Comment> {
    let user = caller.require_user()?;
    let mut errors = Errors::new();
    let body = check_body(&mut errors, &change.body);
    let mut tx = app.db.write().await?;
    let mut comment = load(&mut tx, caller, ws, post, id).await?;
    if comment.author_id != Some(user) {
        return Err(Error::forbidden("err-comment-author-only", []));
    }
    errors.into_result()?;
    if body == comment.body {
        return Ok(comment.into());
    }
    let now = app.now();
    comments::set_body(&mut tx, id, &body, now).await?;
    (comment.body, comment.edited_at) = (body, Some(now));
    let data = json!({ "comment": id, "body": comment.body });
    record(&mut tx, app, caller, Chain::Workspace(ws), "comment.edited", ("post", Some(post.uuid())), data).await?;
    tx.commit().await?;
    Ok(comment.into())
}
