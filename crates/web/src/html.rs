//! An HTML page answered with its Content-Security-Policy; a template that
//! fails to render is logged and answered as a plain 500.

use askama::Template;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};

pub fn render(status: StatusCode, template: &impl Template, csp: &'static str) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
            response
        }
        Err(err) => {
            tracing::error!(%err, "rendering a page");
            let id = crate::observe::request_id().unwrap_or_default();
            (StatusCode::INTERNAL_SERVER_ERROR, format!("something went wrong; it is logged under {id}")).into_response()
        }
    }
}
