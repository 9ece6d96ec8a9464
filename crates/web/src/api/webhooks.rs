//! Webhooks: outgoing (signed JSON) and chat (Slack, Teams, Discord), and
//! their deliveries.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use greenlight_domain::id::{DeliveryId, WebhookId, WorkspaceId};
use greenlight_service::views::{Delivery, Webhook};
use greenlight_service::webhooks;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    DeliveryPage,
    doc::{DeliveryPath, WebhookPath, WorkspacePath},
};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(change_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
}

type Res = Result<Response, Problem>;

/// The workspace's webhooks and chat channels.
#[utoipa::path(get, path = "/workspaces/{ws}/webhooks", tag = "webhooks", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<Webhook>), (status = "4XX", response = Problem)))]
async fn list_webhooks(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(webhooks::list(&s.app, &c, ws).await?).into_response())
}

/// Registers a webhook: `generic` (every event it picks, as JSON signed with `Greenlight-Signature`), or a Slack, Teams or Discord incoming webhook (a message about review and comment events, optionally for one stage). The signing secret is in this answer only.
#[utoipa::path(post, path = "/workspaces/{ws}/webhooks", tag = "webhooks", params(WorkspacePath), request_body = webhooks::NewWebhook, responses((status = 201, description = "Created", body = webhooks::CreatedWebhook), (status = "4XX", response = Problem)))]
async fn create_webhook(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<webhooks::NewWebhook>,
) -> Res {
    Ok((StatusCode::CREATED, Json(webhooks::create(&s.app, &c, ws, input).await?)).into_response())
}

/// Pauses or resumes a webhook.
#[utoipa::path(patch, path = "/workspaces/{ws}/webhooks/{webhook}", tag = "webhooks", params(WorkspacePath, WebhookPath), request_body = webhooks::WebhookChange, responses((status = 200, description = "Done", body = Webhook), (status = "4XX", response = Problem)))]
async fn change_webhook(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, WebhookId)>,
    ApiJson(input): ApiJson<webhooks::WebhookChange>,
) -> Res {
    Ok(Json(webhooks::change(&s.app, &c, ws, id, input).await?).into_response())
}

/// Removes a webhook and its deliveries.
#[utoipa::path(delete, path = "/workspaces/{ws}/webhooks/{webhook}", tag = "webhooks", params(WorkspacePath, WebhookPath), responses((status = 204, description = "Removed"), (status = "4XX", response = Problem)))]
async fn delete_webhook(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, WebhookId)>) -> Res {
    webhooks::delete(&s.app, &c, ws, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeliveryQuery {
    /// The previous page's `next_cursor`.
    cursor: Option<DeliveryId>,
    /// Items per page (default 50, at most 200).
    limit: Option<i64>,
}

/// A webhook's deliveries, newest first: each with its body, status (`pending`, `delivered`, `failed`), attempts and last answer.
#[utoipa::path(get, path = "/workspaces/{ws}/webhooks/{webhook}/deliveries", tag = "webhooks", params(WorkspacePath, WebhookPath, DeliveryQuery), responses((status = 200, description = "Done", body = DeliveryPage), (status = "4XX", response = Problem)))]
async fn list_deliveries(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, WebhookId)>,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> Res {
    let (items, next_cursor) = webhooks::deliveries(&s.app, &c, ws, id, q.cursor, q.limit).await?;
    Ok(Json(DeliveryPage { items, next_cursor }).into_response())
}

/// Sends a delivery's body again, as a new delivery (freshly signed).
#[utoipa::path(post, path = "/workspaces/{ws}/webhooks/{webhook}/deliveries/{delivery}/redeliver", tag = "webhooks", params(WorkspacePath, WebhookPath, DeliveryPath), responses((status = 201, description = "Queued", body = Delivery), (status = "4XX", response = Problem)))]
async fn redeliver(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id, delivery)): ApiPath<(WorkspaceId, WebhookId, DeliveryId)>,
) -> Res {
    Ok((StatusCode::CREATED, Json(webhooks::redeliver(&s.app, &c, ws, id, delivery).await?)).into_response())
}
