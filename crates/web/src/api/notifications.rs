//! A member's notifications and how they want to receive them.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};
use greenlight_domain::{id::WorkspaceId, notification::Preferences};
use greenlight_service::notifications;
use serde::Serialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::doc::WorkspacePath;
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_notifications))
        .routes(routes!(mark_read))
        .routes(routes!(my_preferences, set_my_preferences))
        .routes(routes!(set_workspace_preferences))
}

type Res = Result<Response, Problem>;

/// A page of notifications, newest first, with how many are unread.
#[derive(Serialize, utoipa::ToSchema)]
struct NotificationPage {
    items: Vec<greenlight_service::views::Notification>,
    next_cursor: Option<greenlight_domain::id::NotificationId>,
    unread_count: i64,
}

/// Your notifications, newest first (an API token sees its workspace's only).
#[utoipa::path(get, path = "/my/notifications", tag = "notifications", params(notifications::NotificationQuery), responses((status = 200, description = "Done", body = NotificationPage), (status = "4XX", response = Problem)))]
async fn my_notifications(State(s): State<AppState>, Auth(c): Auth, ApiQuery(q): ApiQuery<notifications::NotificationQuery>) -> Res {
    let (items, next_cursor, unread_count) = notifications::my_notifications(&s.app, &c, q).await?;
    Ok(Json(NotificationPage { items, next_cursor, unread_count }).into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
struct Marked {
    /// How many notifications changed from unread to read.
    marked: u64,
}

/// Marks notifications read: those named, or all of them.
#[utoipa::path(post, path = "/my/notifications/read", tag = "notifications", request_body = notifications::MarkRead, responses((status = 200, description = "Done", body = Marked), (status = "4XX", response = Problem)))]
async fn mark_read(State(s): State<AppState>, Auth(c): Auth, ApiJson(input): ApiJson<notifications::MarkRead>) -> Res {
    Ok(Json(Marked { marked: notifications::mark_read(&s.app, &c, input).await? }).into_response())
}

/// Your notification preferences in a workspace, the workspace's defaults, and what applies.
#[utoipa::path(get, path = "/workspaces/{ws}/notification-preferences", tag = "notifications", params(WorkspacePath), responses((status = 200, description = "Done", body = notifications::PreferenceView), (status = "4XX", response = Problem)))]
async fn my_preferences(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(notifications::preferences(&s.app, &c, ws).await?).into_response())
}

/// Replaces your preferences: for each kind of event, in the app or not, and email off, immediate, hourly or daily. Kinds left out follow the workspace.
#[utoipa::path(put, path = "/workspaces/{ws}/notification-preferences", tag = "notifications", params(WorkspacePath), request_body = Preferences, responses((status = 200, description = "Done", body = notifications::PreferenceView), (status = "4XX", response = Problem)))]
async fn set_my_preferences(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(prefs): ApiJson<Preferences>,
) -> Res {
    Ok(Json(notifications::set_my_preferences(&s.app, &c, ws, prefs).await?).into_response())
}

/// Replaces the workspace's defaults, which apply to every kind a member has not chosen for.
#[utoipa::path(put, path = "/workspaces/{ws}/notification-defaults", tag = "notifications", params(WorkspacePath), request_body = Preferences, responses((status = 200, description = "Done", body = Preferences), (status = "4XX", response = Problem)))]
async fn set_workspace_preferences(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(prefs): ApiJson<Preferences>,
) -> Res {
    Ok(Json(notifications::set_workspace_preferences(&s.app, &c, ws, prefs).await?).into_response())
}
