//! Greenlight's HTTP interface: the JSON API under `/api/v1`, the web app
//! members work in, the pages outside reviewers see, health checks, and the
//! layers every request passes (limits, timeouts, headers).

mod api;
mod app;
mod assets;
mod extract;
mod html;
mod input;
mod locale;
mod observe;
mod problem;
mod upload;
mod visit;
mod words;

use std::{future::Future, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use greenlight_service::{App, limits::Limit};
use tokio::net::TcpListener;
use tower_http::{catch_panic::CatchPanicLayer, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer};
use utoipa_swagger_ui::SwaggerUi;

pub use problem::Problem;
// Templates call `crate::t` and friends with a message id: the catalogue's words in the reader's language.
pub(crate) use greenlight_i18n::{t, t1, t2, t3};

/// The reader's language tag, for `<html lang>`.
pub(crate) fn lang_code() -> &'static str {
    greenlight_i18n::current().code()
}

#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Set the cookie's `Secure` flag (Greenlight is served over HTTPS).
    pub secure_cookies: bool,
    /// Largest JSON body.
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Login attempts per email address per minute.
    pub login_attempts_per_minute: u32,
    /// Failed share-link attempts (bad token, wrong password) per address
    /// per minute, after which the address is refused for the minute.
    pub link_failures_per_minute: u32,
    /// Behind a reverse proxy: the header it puts the client's address in
    /// (e.g. `x-forwarded-for`); without it every visitor would share the
    /// proxy's address.
    pub client_ip_header: Option<String>,
    /// Take a request's id from its `X-Request-Id` header (set by a proxy
    /// in front that makes its own); otherwise every request gets a new one.
    pub trust_request_id: bool,
    /// Answer `GET /metrics` on this router (off when the metrics have a
    /// listen address of their own).
    pub metrics_here: bool,
    /// The bearer token `/metrics` asks for, if any.
    pub metrics_token: Option<String>,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            secure_cookies: false,
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            login_attempts_per_minute: 5,
            link_failures_per_minute: 10,
            client_ip_header: None,
            trust_request_id: false,
            metrics_here: true,
            metrics_token: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub settings: Arc<WebSettings>,
    /// Sign-in attempts per email address.
    pub login_limit: Limit,
    /// Failed share- and decision-link visits per client network.
    pub link_limit: Limit,
}

pub fn router(app: App, settings: WebSettings) -> Router {
    let state = AppState {
        app,
        login_limit: Limit::per_minute("login", settings.login_attempts_per_minute),
        link_limit: Limit::per_minute("link", settings.link_failures_per_minute),
        settings: Arc::new(settings.clone()),
    };
    let (api, openapi) = api::routes(&state).split_for_parts();
    let metrics = if settings.metrics_here { metrics_router(state.app.clone(), settings.metrics_token.clone()) } else { Router::new() };
    // Swagger UI needs its own scripts and styles; everything else gets none.
    let docs = Router::from(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", openapi)).layer(SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
    ));
    Router::new()
        .merge(api)
        .merge(docs)
        .merge(visit::routes())
        .merge(app::routes(&state))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(metrics)
        .fallback(app::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), input::refuse_control_characters))
        .layer(axum::middleware::from_fn(locale::choose))
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(axum::middleware::map_response(security_headers))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, settings.request_timeout))
        .layer(CatchPanicLayer::custom(|_| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "urn:greenlight:problem:internal",
                "Internal error",
                "something went wrong; it is logged under the request's id",
            )
            .into_response()
        }))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe::track))
        .with_state(state)
}

/// `GET /metrics` alone: merged into the main router, or served on a listen
/// address of its own (`metrics.listen`).
pub fn metrics_router<S: Clone + Send + Sync + 'static>(app: App, token: Option<String>) -> Router<S> {
    let state = observe::MetricsState { app, token: token.map(Into::into) };
    Router::new().route("/metrics", get(observe::metrics).with_state(state))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response()
        }
    }
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
/// Handlers see the peer's address (share-link pages limit failures by it).
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(shutdown).await
}
