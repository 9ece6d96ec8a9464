//! Workspaces, members, groups, tokens, planning records, and history.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get, put},
};
use greenlight_domain::id::{GroupId, TokenId, UserId, WorkspaceId};
use greenlight_service::{accounts, audit, planning, workspaces};
use serde::Deserialize;

use super::{Page, session::Verification};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workspaces", get(list).post(create))
        .route("/workspaces/{ws}", get(show).patch(update))
        .route("/workspaces/{ws}/members", get(members).post(add_member))
        .route("/workspaces/{ws}/members/{user}", put(set_role).delete(remove_member))
        .route("/workspaces/{ws}/groups", get(groups).post(create_group))
        .route("/workspaces/{ws}/groups/{group}", delete(delete_group))
        .route("/workspaces/{ws}/groups/{group}/members/{user}", put(join_group).delete(leave_group))
        .route("/workspaces/{ws}/tokens", get(tokens).post(create_token))
        .route("/workspaces/{ws}/tokens/{token}", delete(revoke_token))
        .route("/workspaces/{ws}/channels", get(channels).post(create_channel))
        .route("/workspaces/{ws}/campaigns", get(campaigns).post(create_campaign))
        .route("/workspaces/{ws}/labels", get(labels).post(create_label))
        .route("/workspaces/{ws}/history", get(history))
        .route("/workspaces/{ws}/audit/verify", get(verify))
}

type Res = Result<Response, Problem>;

fn created(body: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn list(State(s): State<AppState>, Auth(c): Auth) -> Res {
    Ok(Json(workspaces::workspaces(&s.app, &c).await?).into_response())
}

async fn create(State(s): State<AppState>, Auth(c): Auth, ApiJson(input): ApiJson<workspaces::NewWorkspace>) -> Res {
    Ok(created(workspaces::create_workspace(&s.app, &c, input).await?))
}

async fn show(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(workspaces::workspace(&s.app, &c, ws).await?).into_response())
}

async fn update(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<workspaces::WorkspaceChange>,
) -> Res {
    Ok(Json(workspaces::update_workspace(&s.app, &c, ws, input).await?).into_response())
}

async fn members(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(workspaces::members(&s.app, &c, ws).await?).into_response())
}

async fn add_member(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<workspaces::NewMember>,
) -> Res {
    Ok(created(workspaces::add_member(&s.app, &c, ws, input).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleInput {
    role: String,
}

async fn set_role(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, user)): ApiPath<(WorkspaceId, UserId)>,
    ApiJson(input): ApiJson<RoleInput>,
) -> Res {
    workspaces::set_role(&s.app, &c, ws, user, &input.role).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn remove_member(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, user)): ApiPath<(WorkspaceId, UserId)>) -> Res {
    workspaces::remove_member(&s.app, &c, ws, user).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn groups(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(workspaces::groups(&s.app, &c, ws).await?).into_response())
}

async fn create_group(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<workspaces::NewGroup>,
) -> Res {
    Ok(created(workspaces::create_group(&s.app, &c, ws, input).await?))
}

async fn delete_group(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, group)): ApiPath<(WorkspaceId, GroupId)>) -> Res {
    workspaces::delete_group(&s.app, &c, ws, group).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn join_group(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, group, user)): ApiPath<(WorkspaceId, GroupId, UserId)>) -> Res {
    Ok(Json(workspaces::set_group_membership(&s.app, &c, ws, group, user, true).await?).into_response())
}

async fn leave_group(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, group, user)): ApiPath<(WorkspaceId, GroupId, UserId)>) -> Res {
    Ok(Json(workspaces::set_group_membership(&s.app, &c, ws, group, user, false).await?).into_response())
}

async fn tokens(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(accounts::tokens(&s.app, &c, ws).await?).into_response())
}

async fn create_token(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<accounts::NewToken>,
) -> Res {
    Ok(created(accounts::create_token(&s.app, &c, ws, None, input).await?))
}

async fn revoke_token(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, token)): ApiPath<(WorkspaceId, TokenId)>) -> Res {
    accounts::revoke_token(&s.app, &c, ws, token).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn channels(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(planning::channels(&s.app, &c, ws).await?).into_response())
}

async fn create_channel(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<planning::NewChannel>,
) -> Res {
    Ok(created(planning::create_channel(&s.app, &c, ws, input).await?))
}

async fn campaigns(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(planning::campaigns(&s.app, &c, ws).await?).into_response())
}

async fn create_campaign(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<planning::NewCampaign>,
) -> Res {
    Ok(created(planning::create_campaign(&s.app, &c, ws, input).await?))
}

async fn labels(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(planning::labels(&s.app, &c, ws).await?).into_response())
}

async fn create_label(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<planning::NewLabel>,
) -> Res {
    Ok(created(planning::create_label(&s.app, &c, ws, input).await?))
}

/// Pages of history: `after` is the sequence number of the last event seen.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    #[serde(default)]
    pub after: i64,
    #[serde(default = "default_limit")]
    pub limit: i64,
}

fn default_limit() -> i64 {
    100
}

pub fn history_page(events: Vec<greenlight_domain::audit::Event>, limit: i64) -> Response {
    let next_cursor = (events.len() as i64 >= limit.clamp(1, audit::MAX_PAGE)).then(|| events.last().map(|e| e.seq)).flatten();
    Json(Page { items: events, next_cursor }).into_response()
}

async fn history(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>, ApiQuery(q): ApiQuery<HistoryQuery>) -> Res {
    let events = audit::workspace_history(&s.app, &c, ws, q.after, q.limit).await?;
    Ok(history_page(events, q.limit))
}

async fn verify(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    let report = audit::verify_workspace(&s.app, &c, ws).await?;
    Ok(Json(Verification { intact: report.is_intact(), chains: vec![report] }).into_response())
}
