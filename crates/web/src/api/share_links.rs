//! Share links, as members manage them. Visitors use them through the
//! pages under `/s/` (see `crate::visit`).

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use greenlight_domain::id::{ShareLinkId, WorkspaceId};
use greenlight_service::share_links;
use greenlight_service::views::ShareLink;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    ShareLinkPage,
    doc::{ShareLinkPath, WorkspacePath},
};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_share_links, create_share_link))
        .routes(routes!(revoke_share_link))
        .routes(routes!(reissue_share_link))
}

type Res = Result<Response, Problem>;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LinkQuery {
    /// The previous page's `next_cursor`.
    cursor: Option<ShareLinkId>,
    /// Items per page (default 50, at most 200).
    limit: Option<i64>,
}

/// The workspace's share links, newest first, revoked and expired ones included.
#[utoipa::path(get, path = "/workspaces/{ws}/share-links", tag = "share-links", params(WorkspacePath, LinkQuery), responses((status = 200, description = "Done", body = ShareLinkPage), (status = "4XX", response = Problem)))]
async fn list_share_links(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiQuery(q): ApiQuery<LinkQuery>,
) -> Res {
    let (items, next_cursor) = share_links::links(&s.app, &c, ws, q.cursor, q.limit).await?;
    Ok(Json(ShareLinkPage { items, next_cursor }).into_response())
}

/// Creates a link for one post, a set of posts, a campaign or a calendar range. The token (and the path a visitor opens) is in this answer only.
#[utoipa::path(post, path = "/workspaces/{ws}/share-links", tag = "share-links", params(WorkspacePath), request_body = share_links::NewShareLink, responses((status = 201, description = "Created", body = share_links::CreatedShareLink), (status = "4XX", response = Problem)))]
async fn create_share_link(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<share_links::NewShareLink>,
) -> Res {
    Ok((StatusCode::CREATED, Json(share_links::create(&s.app, &c, ws, input).await?)).into_response())
}

/// Revokes a link: it stops working at once.
#[utoipa::path(post, path = "/workspaces/{ws}/share-links/{link}/revoke", tag = "share-links", params(WorkspacePath, ShareLinkPath), responses((status = 200, description = "Done", body = ShareLink), (status = "4XX", response = Problem)))]
async fn revoke_share_link(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, ShareLinkId)>) -> Res {
    Ok(Json(share_links::revoke(&s.app, &c, ws, id).await?).into_response())
}

/// Gives a link a new token (the old one stops working), shown in this answer only: for a lost message, or a workflow lane's link when no mail server is configured.
#[utoipa::path(post, path = "/workspaces/{ws}/share-links/{link}/token", tag = "share-links", params(WorkspacePath, ShareLinkPath), responses((status = 200, description = "Done", body = share_links::CreatedShareLink), (status = "4XX", response = Problem)))]
async fn reissue_share_link(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, ShareLinkId)>) -> Res {
    Ok(Json(share_links::reissue(&s.app, &c, ws, id).await?).into_response())
}
