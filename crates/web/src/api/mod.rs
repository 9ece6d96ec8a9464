//! The JSON API, `/api/v1`.

pub(crate) mod analytics;
mod comments;
mod doc;
mod media;
mod notifications;
mod posts;
mod preflight;
mod publishing;
mod reviews;
mod session;
mod share_links;
mod webhooks;
pub(crate) mod workspaces;

use axum::{
    Json,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// The API's routes, each with its operation in the OpenAPI document.
pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .merge(session::routes())
        .merge(workspaces::routes())
        .merge(posts::routes())
        .merge(preflight::routes())
        .merge(reviews::routes())
        .merge(comments::routes())
        .merge(share_links::routes())
        .merge(notifications::routes())
        .merge(webhooks::routes())
        .merge(publishing::routes())
        .merge(analytics::routes())
        .merge(media::routes(state));
    OpenApiRouter::with_openapi(doc::ApiDoc::openapi()).nest("/api/v1", api)
}

/// Declares a page of a list: the items and the cursor of the next page
/// (null on the last page). One type per list, so each has its own schema.
macro_rules! page {
    ($name:ident, $item:ty, $cursor:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            pub next_cursor: Option<$cursor>,
        }
    };
}

page!(PostPage, greenlight_service::views::Post, greenlight_domain::id::PostId, "A page of posts; pass `next_cursor` back as `cursor`.");
page!(
    MediaPage,
    greenlight_service::views::Media,
    greenlight_domain::id::MediaId,
    "A page of the media library; pass `next_cursor` back as `cursor`."
);
page!(
    ShareLinkPage,
    greenlight_service::views::ShareLink,
    greenlight_domain::id::ShareLinkId,
    "A page of share links, newest first; pass `next_cursor` back as `cursor`."
);
page!(
    DeliveryPage,
    greenlight_service::views::Delivery,
    greenlight_domain::id::DeliveryId,
    "A page of a webhook's deliveries, newest first; pass `next_cursor` back as `cursor`."
);
page!(EventPage, greenlight_domain::audit::Event, i64, "A page of audit events; pass `next_cursor` back as `after`.");

/// A JSON body with the record's version as its ETag.
pub fn with_etag(version: i64, body: impl Serialize) -> Response {
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}
