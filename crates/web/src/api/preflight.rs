//! Preflight: content checked as it is written, saved revisions' reports,
//! and the workspace's style guide.

use std::time::Instant;

use axum::{
    Json,
    extract::State,
    http::HeaderValue,
    response::{IntoResponse, Response},
};
use greenlight_domain::{
    id::{PostId, WorkspaceId},
    preflight::StyleGuide,
};
use greenlight_service::preflight::{self, GuideView, PreflightInput, PreflightReport};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    doc::{PostPath, RevisionPath, WorkspacePath},
    with_etag,
};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, Auth, IfMatch},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(check)).routes(routes!(revision_report)).routes(routes!(show_guide, save_guide))
}

type Res = Result<Response, Problem>;

/// Checks content being written, for each channel, the way its network and the workspace's style guide will judge it: the length counted the network's way against its limit, the first comment and thread, media and alt text, links (with the UTM parameters added), hashtags and mentions with their character ranges, and findings naming the field and range they are about (errors block submission, warnings travel with the review). Nothing is stored. `Server-Timing` tells how long the check took on the server.
#[utoipa::path(post, path = "/workspaces/{ws}/preflight", tag = "preflight", params(WorkspacePath), request_body = PreflightInput, responses((status = 200, description = "Done", body = PreflightReport, headers(("server-timing" = String, description = "`preflight;dur=<milliseconds>`"))), (status = "4XX", response = Problem)))]
async fn check(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<PreflightInput>,
) -> Res {
    let started = Instant::now();
    let report = preflight::check(&s.app, &c, ws, input).await?;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let mut response = Json(report).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("preflight;dur={millis:.3}")) {
        response.headers_mut().insert("server-timing", value);
    }
    Ok(response)
}

/// A saved revision's preflight report for each of the post's channels: as stored when it was saved (`checked_at`; a background link check may store it again), or checked now for a channel added since.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/revisions/{number}/preflight", tag = "preflight", params(WorkspacePath, PostPath, RevisionPath), responses((status = 200, description = "Done", body = PreflightReport), (status = "4XX", response = Problem)))]
async fn revision_report(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id, number)): ApiPath<(WorkspaceId, PostId, i64)>) -> Res {
    Ok(Json(preflight::revision_report(&s.app, &c, ws, id, number).await?).into_response())
}

/// The workspace's style guide: banned words, approved terms, disclosures, hashtag and tagging rules, limits, patterns, the UTM template, how missing alt text counts, and whether links are checked.
#[utoipa::path(get, path = "/workspaces/{ws}/style-guide", tag = "preflight", params(WorkspacePath), responses((status = 200, description = "Done", body = GuideView, headers(("etag" = String, description = "The guide's version, for If-Match"))), (status = "4XX", response = Problem)))]
async fn show_guide(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    let view = preflight::style_guide(&s.app, &c, ws).await?;
    Ok(with_etag(view.version, view))
}

/// Replaces the style guide. Needs `If-Match` with the version read (`"0"` before the first save); a stale version answers 412. A guide that does not compile — an invalid or too costly pattern, an unknown label — is refused with every field named, and nothing changes.
#[utoipa::path(put, path = "/workspaces/{ws}/style-guide", tag = "preflight", params(WorkspacePath), request_body = StyleGuide, responses((status = 200, description = "Done", body = GuideView, headers(("etag" = String, description = "The guide's version, for If-Match"))), (status = "4XX", response = Problem)))]
async fn save_guide(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    IfMatch(version): IfMatch,
    ApiJson(guide): ApiJson<StyleGuide>,
) -> Res {
    let view = preflight::save_style_guide(&s.app, &c, ws, version, guide).await?;
    Ok(with_etag(view.version, view))
}
