//! Publishing: a channel's connection to its account, and each post's
//! publications.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};
use greenlight_domain::id::{ChannelId, PostId, WorkspaceId};
use greenlight_service::publishing::{self, ConnectInput, ConnectionView, PostedByHand, PublicationView};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::doc::{ChannelPath, PostPath, WorkspacePath};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, Auth},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(connection, connect, disconnect))
        .routes(routes!(publications))
        .routes(routes!(publish_now))
        .routes(routes!(retry))
        .routes(routes!(posted_by_hand))
}

type Res = Result<Response, Problem>;

/// A channel's connection: `connected`, `reconnect_needed` (with the network's words) or `disconnected`. Never a secret.
#[utoipa::path(get, path = "/workspaces/{ws}/channels/{channel}/connection", tag = "publishing", params(WorkspacePath, ChannelPath), responses((status = 200, description = "Done", body = ConnectionView), (status = "4XX", response = Problem)))]
async fn connection(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, channel)): ApiPath<(WorkspaceId, ChannelId)>) -> Res {
    Ok(Json(publishing::connection(&s.app, &c, ws, channel).await?).into_response())
}

/// Connects a channel to the account it posts as. A webhook channel: `{"url": "https://…"}`; its signing secret (for `Greenlight-Signature`) is in this answer only.
#[utoipa::path(put, path = "/workspaces/{ws}/channels/{channel}/connection", tag = "publishing", params(WorkspacePath, ChannelPath), request_body = ConnectInput, responses((status = 200, description = "Done", body = ConnectionView), (status = "4XX", response = Problem)))]
async fn connect(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, channel)): ApiPath<(WorkspaceId, ChannelId)>,
    ApiJson(input): ApiJson<ConnectInput>,
) -> Res {
    Ok(Json(publishing::connect(&s.app, &c, ws, channel, input).await?).into_response())
}

/// Disconnects a channel (its credentials are deleted).
#[utoipa::path(delete, path = "/workspaces/{ws}/channels/{channel}/connection", tag = "publishing", params(WorkspacePath, ChannelPath), responses((status = 200, description = "Done", body = ConnectionView), (status = "4XX", response = Problem)))]
async fn disconnect(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, channel)): ApiPath<(WorkspaceId, ChannelId)>) -> Res {
    Ok(Json(publishing::disconnect(&s.app, &c, ws, channel).await?).into_response())
}

/// The post's publications, one per channel: scheduled, publishing, published (with the live post's address), failed (with the network's words), unknown (being reconciled) or cancelled.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/publications", tag = "publishing", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = Vec<PublicationView>), (status = "4XX", response = Problem)))]
async fn publications(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, post)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    Ok(Json(publishing::publications(&s.app, &c, ws, post).await?).into_response())
}

/// Publishes an approved or scheduled post now, on the channels its review approved.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/publish-now", tag = "publishing", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = Vec<PublicationView>), (status = "4XX", response = Problem)))]
async fn publish_now(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, post)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    Ok(Json(publishing::publish_now(&s.app, &c, ws, post).await?).into_response())
}

/// Tries a failed publication again.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/publications/{channel}/retry", tag = "publishing", params(WorkspacePath, PostPath, ChannelPath), responses((status = 200, description = "Done", body = PublicationView), (status = "4XX", response = Problem)))]
async fn retry(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, post, channel)): ApiPath<(WorkspaceId, PostId, ChannelId)>) -> Res {
    Ok(Json(publishing::retry(&s.app, &c, ws, post, channel).await?).into_response())
}

/// Records that a scheduled or failed publication was posted on the network by hand (a network with no connector, or one that failed), with the live post's address and when it went out; the publisher then leaves it alone.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/publications/{channel}/posted-by-hand", tag = "publishing", params(WorkspacePath, PostPath, ChannelPath), request_body = PostedByHand, responses((status = 200, description = "Done", body = PublicationView), (status = "4XX", response = Problem)))]
async fn posted_by_hand(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, post, channel)): ApiPath<(WorkspaceId, PostId, ChannelId)>,
    ApiJson(input): ApiJson<PostedByHand>,
) -> Res {
    Ok(Json(publishing::posted_by_hand(&s.app, &c, ws, post, channel, input).await?).into_response())
}
