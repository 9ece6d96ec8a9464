//! Errors as RFC 9457 problem documents with stable `type` URNs.

use axum::{
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use greenlight_domain::validation::FieldError;
use greenlight_service::Error;
use serde::Serialize;

/// An error (RFC 9457). `type` is stable: branch on it, not on `title`.
#[derive(Debug, Serialize, utoipa::ToSchema, utoipa::ToResponse)]
#[response(description = "A problem document (RFC 9457)", content_type = "application/problem+json")]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "urn:greenlight:problem:not-found")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For stale writes: the version to re-read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// For server errors: the request's id, which its log lines carry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Problem { kind, title, status: status.as_u16(), detail: detail.into(), errors: Vec::new(), current_version: None, request_id: None }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "urn:greenlight:problem:bad-request", "Bad request", detail)
    }

    pub fn not_found() -> Self {
        Problem::new(StatusCode::NOT_FOUND, "urn:greenlight:problem:not-found", "Not found", "no such resource")
    }

    pub fn too_many_requests() -> Self {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "urn:greenlight:problem:rate-limited",
            "Too many attempts",
            "wait a minute and try again",
        )
    }

    pub fn csrf() -> Self {
        Problem::new(
            StatusCode::FORBIDDEN,
            "urn:greenlight:problem:csrf",
            "CSRF token missing or wrong",
            "writes with a session cookie need the X-CSRF-Token header from login",
        )
    }
}

impl From<Error> for Problem {
    fn from(err: Error) -> Self {
        use StatusCode as S;
        let detail = err.to_string();
        match err {
            Error::Unauthenticated => {
                Problem::new(S::UNAUTHORIZED, "urn:greenlight:problem:unauthenticated", "Authentication required", detail)
            }
            Error::NotFound(_) => Problem::new(S::NOT_FOUND, "urn:greenlight:problem:not-found", "Not found", detail),
            Error::Forbidden(_) => Problem::new(S::FORBIDDEN, "urn:greenlight:problem:forbidden", "Not allowed", detail),
            Error::Invalid(errors) => Problem {
                errors,
                ..Problem::new(S::UNPROCESSABLE_ENTITY, "urn:greenlight:problem:invalid", "Invalid input", "see errors for each field")
            },
            Error::Conflict(_) => Problem::new(S::CONFLICT, "urn:greenlight:problem:conflict", "Conflict", detail),
            Error::VersionRequired => {
                Problem::new(S::PRECONDITION_REQUIRED, "urn:greenlight:problem:version-required", "If-Match required", detail)
            }
            Error::Stale { current } => Problem {
                current_version: Some(current),
                ..Problem::new(S::PRECONDITION_FAILED, "urn:greenlight:problem:stale", "Changed since read", detail)
            },
            Error::TooLarge { .. } => Problem::new(S::PAYLOAD_TOO_LARGE, "urn:greenlight:problem:too-large", "Too large", detail),
            Error::UnsupportedMedia(_) => {
                Problem::new(S::UNSUPPORTED_MEDIA_TYPE, "urn:greenlight:problem:unsupported-media", "Unsupported media", detail)
            }
            Error::Internal(source) => {
                tracing::error!(error = %source, "internal error");
                Problem::new(
                    S::INTERNAL_SERVER_ERROR,
                    "urn:greenlight:problem:internal",
                    "Internal error",
                    "something went wrong; it is logged under the request's id",
                )
            }
        }
    }
}

impl From<JsonRejection> for Problem {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let kind = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "urn:greenlight:problem:too-large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "urn:greenlight:problem:unsupported-media",
            _ => "urn:greenlight:problem:bad-json",
        };
        Problem::new(status, kind, "The request body is not acceptable", rejection.body_text())
    }
}

impl From<PathRejection> for Problem {
    fn from(rejection: PathRejection) -> Self {
        // An id that cannot exist is simply not found.
        Problem { detail: rejection.body_text(), ..Problem::not_found() }
    }
}

impl From<QueryRejection> for Problem {
    fn from(rejection: QueryRejection) -> Self {
        Problem::bad_request(rejection.body_text())
    }
}

impl IntoResponse for Problem {
    fn into_response(mut self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() && self.request_id.is_none() {
            self.request_id = crate::observe::request_id();
        }
        let mut response = (status, axum::Json(&self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    }
}
