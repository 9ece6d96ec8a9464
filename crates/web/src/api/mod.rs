//! The JSON API, `/api/v1`.

mod media;
mod posts;
mod session;
mod workspaces;

use axum::{
    Json, Router,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use crate::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new().merge(session::routes()).merge(workspaces::routes()).merge(posts::routes()).merge(media::routes(state))
}

/// A list with the cursor of the next page (absent on the last page).
#[derive(Serialize)]
pub struct Page<T, C: Serialize> {
    pub items: Vec<T>,
    pub next_cursor: Option<C>,
}

/// A JSON body with the record's version as its ETag.
pub fn with_etag(version: i64, body: impl Serialize) -> Response {
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}
