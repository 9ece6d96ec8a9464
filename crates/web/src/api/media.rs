//! Media upload (multipart, streamed to disk) and download.

use axum::{
    Json,
    extract::{Multipart, State, multipart::MultipartRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use greenlight_domain::id::{MediaId, WorkspaceId};
use greenlight_service::views::Media;
use greenlight_service::{Error, media};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    MediaPage,
    doc::{Bytes, MediaPath, WorkspacePath},
};
use crate::{
    AppState,
    extract::{ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(OpenApiRouter::new().routes(routes!(media_library, upload_media)).layer(crate::upload::body_limit(&state.app)))
        .routes(routes!(show_media))
        .routes(routes!(media_content))
        .routes(routes!(media_thumbnail))
}

/// The multipart form of an upload.
#[derive(utoipa::ToSchema)]
#[expect(dead_code, reason = "only describes the form in the OpenAPI document")]
struct UploadForm {
    #[schema(inline)]
    file: Bytes,
}

type Res = Result<Response, Problem>;

fn multipart_problem(err: impl std::fmt::Display, status: StatusCode) -> Problem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return Problem::new(status, "urn:greenlight:problem:too-large", "Too large", err.to_string());
    }
    Problem::bad_request(format!("the upload is not valid multipart: {err}"))
}

/// Uploads an image or video as multipart field `file`. The type is sniffed from the bytes;
/// images get their dimensions and a thumbnail. Identical bytes are stored once.
#[utoipa::path(post, path = "/workspaces/{ws}/media", tag = "media", params(WorkspacePath), request_body(content = inline(UploadForm), content_type = "multipart/form-data"), responses((status = 201, description = "Created", body = Media), (status = "4XX", response = Problem)))]
async fn upload_media(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Res {
    // Refuse before spooling anything to disk.
    media::authorize_upload(&s.app, &c, ws).await?;
    let mut multipart = multipart.map_err(|e| multipart_problem(e.body_text(), e.status()))?;
    while let Some(field) = multipart.next_field().await.map_err(|e| multipart_problem(e.body_text(), e.status()))? {
        if field.name() != Some("file") {
            continue;
        }
        let spooled = crate::upload::spool(&s.app, field).await.map_err(|e| match e {
            crate::upload::SpoolError::Multipart(text, status) => multipart_problem(text, status),
            crate::upload::SpoolError::Service(e) => e.into(),
        })?;
        let upload = spooled.upload();
        let stored = media::store_upload(&s.app, &c, ws, upload).await?;
        return Ok((StatusCode::CREATED, Json(stored)).into_response());
    }
    Err(Error::field("file", "send the file in a multipart field named `file`").into())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LibraryQuery {
    /// The previous page's `next_cursor`.
    cursor: Option<MediaId>,
    /// Items per page (default 50).
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    50
}

/// The media library, newest first, a page at a time.
#[utoipa::path(get, path = "/workspaces/{ws}/media", tag = "media", params(WorkspacePath, LibraryQuery), responses((status = 200, description = "Done", body = MediaPage), (status = "4XX", response = Problem)))]
async fn media_library(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiQuery(q): ApiQuery<LibraryQuery>,
) -> Res {
    let (items, next_cursor) = media::library(&s.app, &c, ws, q.cursor, q.limit).await?;
    Ok(Json(MediaPage { items, next_cursor }).into_response())
}

/// One media item.
#[utoipa::path(get, path = "/workspaces/{ws}/media/{media}", tag = "media", params(WorkspacePath, MediaPath), responses((status = 200, description = "Done", body = Media), (status = "4XX", response = Problem)))]
async fn show_media(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, MediaId)>) -> Res {
    Ok(Json(media::media(&s.app, &c, ws, id).await?).into_response())
}

fn bytes_response(mime: String, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    if let Ok(value) = HeaderValue::from_str(&mime) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    // Content-addressed: the bytes behind an id never change.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    response
}

/// The media item's bytes, with its sniffed type.
#[utoipa::path(get, path = "/workspaces/{ws}/media/{media}/content", tag = "media", params(WorkspacePath, MediaPath), responses((status = 200, description = "Done", body = inline(Bytes), content_type = "*/*"), (status = "4XX", response = Problem)))]
async fn media_content(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, MediaId)>) -> Res {
    let (mime, bytes) = media::bytes(&s.app, &c, ws, id, false).await?;
    Ok(bytes_response(mime, bytes))
}

/// A PNG thumbnail of an image, at most 320 pixels a side (404 for a video).
#[utoipa::path(get, path = "/workspaces/{ws}/media/{media}/thumbnail", tag = "media", params(WorkspacePath, MediaPath), responses((status = 200, description = "Done", body = inline(Bytes), content_type = "image/png"), (status = "4XX", response = Problem)))]
async fn media_thumbnail(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, MediaId)>) -> Res {
    let (mime, bytes) = media::bytes(&s.app, &c, ws, id, true).await?;
    Ok(bytes_response(mime, bytes))
}
