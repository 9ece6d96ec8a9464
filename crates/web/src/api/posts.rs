//! Posts, revisions, diffs and post history.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use greenlight_domain::{
    content::Content,
    id::{PostId, WorkspaceId},
};
use greenlight_service::{audit, posts};
use serde::Deserialize;

use super::{
    Page, with_etag,
    workspaces::{HistoryQuery, history_page},
};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth, IfMatch},
    problem::Problem,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workspaces/{ws}/posts", get(list).post(create))
        .route("/workspaces/{ws}/posts/{post}", get(show).patch(update))
        .route("/workspaces/{ws}/posts/{post}/revisions", get(revisions).post(save_revision))
        .route("/workspaces/{ws}/posts/{post}/revisions/{number}", get(revision))
        .route("/workspaces/{ws}/posts/{post}/diff", get(diff))
        .route("/workspaces/{ws}/posts/{post}/history", get(history))
}

type Res = Result<Response, Problem>;

async fn list(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>, ApiQuery(q): ApiQuery<posts::PostQuery>) -> Res {
    let (items, next_cursor) = posts::posts(&s.app, &c, ws, q).await?;
    Ok(Json(Page { items, next_cursor }).into_response())
}

async fn create(
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

async fn show(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    let post = posts::post(&s.app, &c, ws, id).await?;
    Ok(with_etag(post.version, &post))
}

async fn update(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    IfMatch(version): IfMatch,
    ApiJson(change): ApiJson<posts::PostChange>,
) -> Res {
    let post = posts::update_post(&s.app, &c, ws, id, version, change).await?;
    Ok(with_etag(post.version, &post))
}

async fn revisions(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    Ok(Json(posts::revisions(&s.app, &c, ws, id).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevisionInput {
    content: Content,
}

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

async fn revision(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id, number)): ApiPath<(WorkspaceId, PostId, i64)>) -> Res {
    Ok(Json(posts::revision(&s.app, &c, ws, id, number).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffQuery {
    from: i64,
    to: i64,
}

async fn diff(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> Res {
    Ok(Json(posts::diff_revisions(&s.app, &c, ws, id, q.from, q.to).await?).into_response())
}

async fn history(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Res {
    let events = audit::post_history(&s.app, &c, ws, id, q.after, q.limit).await?;
    Ok(history_page(events, q.limit))
}
