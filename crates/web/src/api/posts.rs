//! Posts, revisions, diffs and post history.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use greenlight_domain::{
    content::Content,
    id::{PostId, WorkspaceId},
};
use greenlight_service::views::{Post, Revision};
use greenlight_service::{audit, posts};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    EventPage, PostPage,
    doc::{PostPath, RevisionPath, WorkspacePath},
    with_etag,
    workspaces::{HistoryQuery, history_page},
};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth, IfMatch},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_posts, create_post))
        .routes(routes!(show_post, update_post))
        .routes(routes!(list_revisions, save_revision))
        .routes(routes!(show_revision))
        .routes(routes!(diff_revisions))
        .routes(routes!(post_history))
        .routes(routes!(schedule))
        .routes(routes!(queue))
        .routes(routes!(unschedule))
}

/// Schedules an approved post for its planned time (it needs one); its approval stands. Needs `If-Match`.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/schedule", tag = "posts", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = Post, headers(("etag" = String, description = "The post's version, for If-Match"))), (status = "4XX", response = Problem)))]
async fn schedule(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    IfMatch(version): IfMatch,
) -> Res {
    let post = posts::schedule(&s.app, &c, ws, id, version, true).await?;
    Ok(with_etag(post.version, &post))
}

/// Adds the post to its channels' queue: plans it at the next posting slot no other post on them holds (set with `PUT …/channels/{channel}/slots`). Keeps its approvals, like any reschedule. Needs `If-Match`.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/queue", tag = "posts", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = Post, headers(("etag" = String, description = "The post's version, for If-Match"))), (status = "4XX", response = Problem)))]
async fn queue(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    IfMatch(version): IfMatch,
) -> Res {
    let post = posts::queue(&s.app, &c, ws, id, version).await?;
    Ok(with_etag(post.version, &post))
}

/// Takes a scheduled post off the schedule; it stays approved. Needs `If-Match`.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/unschedule", tag = "posts", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = Post, headers(("etag" = String, description = "The post's version, for If-Match"))), (status = "4XX", response = Problem)))]
async fn unschedule(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    IfMatch(version): IfMatch,
) -> Res {
    let post = posts::schedule(&s.app, &c, ws, id, version, false).await?;
    Ok(with_etag(post.version, &post))
}

type Res = Result<Response, Problem>;

/// Posts, newest first, filtered and a page at a time.
#[utoipa::path(get, path = "/workspaces/{ws}/posts", tag = "posts", params(WorkspacePath, posts::PostQuery), responses((status = 200, description = "Done", body = PostPage), (status = "4XX", response = Problem)))]
async fn list_posts(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiQuery(q): ApiQuery<posts::PostQuery>,
) -> Res {
    let (items, next_cursor) = posts::posts(&s.app, &c, ws, q).await?;
    Ok(Json(PostPage { items, next_cursor }).into_response())
}

/// Creates a draft post with its first revision.
#[utoipa::path(post, path = "/workspaces/{ws}/posts", tag = "posts", params(WorkspacePath), request_body = posts::NewPost, responses((status = 201, description = "Created", body = posts::Saved, headers(("etag" = String, description = "The post's version, for If-Match"))), (status = "4XX", response = Problem)))]
async fn create_post(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<posts::NewPost>,
) -> Res {
    let saved = posts::create_post(&s.app, &c, ws, input).await?;
    let mut response = with_etag(saved.post.version, &saved);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// One post.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}", tag = "posts", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = Post, headers(("etag" = String, description = "The post's version, for If-Match"))), (status = "4XX", response = Problem)))]
async fn show_post(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    let post = posts::post(&s.app, &c, ws, id).await?;
    Ok(with_etag(post.version, &post))
}

/// Changes a post's title, brief, campaign, labels, channels or planned time.
/// Needs `If-Match` with the version read; a stale version answers 412 and changes nothing.
/// A schedule-only change keeps approvals.
#[utoipa::path(patch, path = "/workspaces/{ws}/posts/{post}", tag = "posts", params(WorkspacePath, PostPath), request_body = posts::PostChange, responses((status = 200, description = "Done", body = Post, headers(("etag" = String, description = "The post's version, for If-Match"))), (status = "4XX", response = Problem)))]
async fn update_post(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    IfMatch(version): IfMatch,
    ApiJson(change): ApiJson<posts::PostChange>,
) -> Res {
    let post = posts::update_post(&s.app, &c, ws, id, version, change).await?;
    Ok(with_etag(post.version, &post))
}

/// Every revision of a post, oldest first.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/revisions", tag = "posts", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = Vec<Revision>), (status = "4XX", response = Problem)))]
async fn list_revisions(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    Ok(Json(posts::revisions(&s.app, &c, ws, id).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RevisionInput {
    content: Content,
}

/// Saves content as the next revision (201), or answers the current one (200)
/// when the content is unchanged. Needs `If-Match`. Editing approved content sends the post back to review.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/revisions", tag = "posts", params(WorkspacePath, PostPath), request_body = RevisionInput, responses((status = 200, description = "The content is unchanged: the current revision", body = posts::SavedRevision), (status = 201, description = "A new revision", body = posts::SavedRevision, headers(("etag" = String, description = "The post's version, for If-Match"))), (status = "4XX", response = Problem)))]
async fn save_revision(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<RevisionInput>,
) -> Res {
    let saved = posts::save_revision(&s.app, &c, ws, id, version, input.content).await?;
    let mut response = with_etag(saved.saved.post.version, &saved);
    if saved.created {
        *response.status_mut() = StatusCode::CREATED;
    }
    Ok(response)
}

/// One revision.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/revisions/{number}", tag = "posts", params(WorkspacePath, PostPath, RevisionPath), responses((status = 200, description = "Done", body = Revision), (status = "4XX", response = Problem)))]
async fn show_revision(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id, number)): ApiPath<(WorkspaceId, PostId, i64)>) -> Res {
    Ok(Json(posts::revision(&s.app, &c, ws, id, number).await?).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DiffQuery {
    /// The older revision's number.
    from: i64,
    /// The newer revision's number.
    to: i64,
}

/// What changed between two revisions, field by field, with word-level text changes.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/diff", tag = "posts", params(WorkspacePath, PostPath, DiffQuery), responses((status = 200, description = "Done", body = posts::RevisionDiff), (status = "4XX", response = Problem)))]
async fn diff_revisions(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> Res {
    Ok(Json(posts::diff_revisions(&s.app, &c, ws, id, q.from, q.to).await?).into_response())
}

/// The audit events about one post, oldest first.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/history", tag = "audit", params(WorkspacePath, PostPath, HistoryQuery), responses((status = 200, description = "Done", body = EventPage), (status = "4XX", response = Problem)))]
async fn post_history(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Res {
    let events = audit::post_history(&s.app, &c, ws, id, q.after, q.limit).await?;
    Ok(history_page(events, q.limit))
}
