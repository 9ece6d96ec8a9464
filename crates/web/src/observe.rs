//! What an operator sees of each request: an id — a trusted proxy's
//! `X-Request-Id`, else a new one — echoed in the response, carried by
//! every log line of the request (a span) and by a server error's problem
//! document and page, so the log of what a user saw can be found; and the
//! request's count and time by route template, for `/metrics`.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderName, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tracing::Instrument as _;

use crate::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being answered.
pub fn request_id() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// An id a proxy may hand on: short, and only letters, digits and `-._:`,
/// so it cannot forge log lines or headers.
fn acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(&b))
}

pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let handed_on = state
        .settings
        .trust_request_id
        .then(|| request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).filter(|id| acceptable(id)).map(str::to_owned))
        .flatten();
    let id = handed_on.unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    let method = request.method().clone();
    // The template, never the path itself: ids would make every path its own series.
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let mut response = CURRENT.scope(id.clone(), next.run(request)).instrument(span.clone()).await;
    let status = response.status();
    let took = started.elapsed();
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), ms = took.as_millis(), "answered with a server error");
        } else {
            tracing::debug!(status = status.as_u16(), ms = took.as_millis(), "answered");
        }
    });
    state.app.metrics.request(method.as_str(), &route, status.as_u16(), took);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// What `/metrics` needs, on whichever address it is answered.
#[derive(Clone)]
pub struct MetricsState {
    pub app: greenlight_service::App,
    /// The bearer token it asks for, if any.
    pub token: Option<std::sync::Arc<str>>,
}

/// `GET /metrics`: the Prometheus text format. With `metrics.token` set it
/// needs `Authorization: Bearer <token>`.
pub async fn metrics(State(state): State<MetricsState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = &state.token {
        let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        let matches = given.is_some_and(|g| subtle::ConstantTimeEq::ct_eq(g.as_bytes(), token.as_bytes()).into());
        if !matches {
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "metrics need the configured token").into_response();
        }
    }
    let queues = greenlight_service::jobs::Registry::standard().queues();
    match greenlight_service::metrics::render(&state.app, queues).await {
        Ok(text) => ([(header::CONTENT_TYPE, greenlight_service::metrics::CONTENT_TYPE)], text).into_response(),
        Err(err) => {
            tracing::error!(%err, "reading the metrics");
            (StatusCode::SERVICE_UNAVAILABLE, "the metrics cannot be read now").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_plain_ids_are_handed_on() {
        for id in ["abc", "0f9e-12:ab.c_d", &"a".repeat(128)] {
            assert!(acceptable(id), "{id}");
        }
        for id in ["", "a b", "a\nb", "<script>", &"a".repeat(129), "ø"] {
            assert!(!acceptable(id), "{id}");
        }
    }
}
