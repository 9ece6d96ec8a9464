//! Comments on posts: threads, replies, resolving and reopening.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use greenlight_domain::id::{CommentId, PostId, WorkspaceId};
use greenlight_service::comments;
use greenlight_service::views::Comment;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::doc::{CommentPath, PostPath, WorkspacePath};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_comments, add_comment))
        .routes(routes!(edit_comment))
        .routes(routes!(resolve_comment))
        .routes(routes!(reopen_comment))
}

type Res = Result<Response, Problem>;

/// The post's threads, oldest first, each with its replies; optionally only those about one revision, or only unresolved ones.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/comments", tag = "comments", params(WorkspacePath, PostPath, comments::CommentQuery), responses((status = 200, description = "Done", body = Vec<comments::Thread>), (status = "4XX", response = Problem)))]
async fn list_comments(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiQuery(q): ApiQuery<comments::CommentQuery>,
) -> Res {
    Ok(Json(comments::comments(&s.app, &c, ws, id, q).await?).into_response())
}

/// Starts a thread about a revision (by default the latest), optionally about one channel, a text range or an image region — or replies to a thread. Mentions name members by user id.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/comments", tag = "comments", params(WorkspacePath, PostPath), request_body = comments::NewComment, responses((status = 201, description = "Created", body = Comment), (status = "4XX", response = Problem)))]
async fn add_comment(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiJson(input): ApiJson<comments::NewComment>,
) -> Res {
    Ok((StatusCode::CREATED, Json(comments::add_comment(&s.app, &c, ws, id, input).await?)).into_response())
}

/// Changes the body of your own comment.
#[utoipa::path(patch, path = "/workspaces/{ws}/posts/{post}/comments/{comment}", tag = "comments", params(WorkspacePath, PostPath, CommentPath), request_body = comments::CommentChange, responses((status = 200, description = "Done", body = Comment), (status = "4XX", response = Problem)))]
async fn edit_comment(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, post, id)): ApiPath<(WorkspaceId, PostId, CommentId)>,
    ApiJson(change): ApiJson<comments::CommentChange>,
) -> Res {
    Ok(Json(comments::edit_comment(&s.app, &c, ws, post, id, change).await?).into_response())
}

/// Resolves a thread (name its first comment); a resolved thread answers 409.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/comments/{comment}/resolve", tag = "comments", params(WorkspacePath, PostPath, CommentPath), responses((status = 200, description = "Done", body = Comment), (status = "4XX", response = Problem)))]
async fn resolve_comment(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, post, id)): ApiPath<(WorkspaceId, PostId, CommentId)>,
) -> Res {
    Ok(Json(comments::resolve(&s.app, &c, ws, post, id).await?).into_response())
}

/// Reopens a resolved thread; an open thread answers 409.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/comments/{comment}/reopen", tag = "comments", params(WorkspacePath, PostPath, CommentPath), responses((status = 200, description = "Done", body = Comment), (status = "4XX", response = Problem)))]
async fn reopen_comment(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, post, id)): ApiPath<(WorkspaceId, PostId, CommentId)>,
) -> Res {
    Ok(Json(comments::reopen(&s.app, &c, ws, post, id).await?).into_response())
}
