//! Media upload (multipart, streamed to disk) and download.

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Multipart, State, multipart::MultipartRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use greenlight_domain::id::{MediaId, WorkspaceId};
use greenlight_service::{Error, media};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::Page;
use crate::{
    AppState,
    extract::{ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes(state: &AppState) -> Router<AppState> {
    // Room for the file plus the multipart framing around it.
    let limit = usize::try_from(state.app.settings.max_upload_bytes).unwrap_or(usize::MAX).saturating_add(64 * 1024);
    Router::new()
        .route("/workspaces/{ws}/media", get(library).post(upload).layer(DefaultBodyLimit::max(limit)))
        .route("/workspaces/{ws}/media/{media}", get(show))
        .route("/workspaces/{ws}/media/{media}/content", get(content))
        .route("/workspaces/{ws}/media/{media}/thumbnail", get(thumbnail))
}

type Res = Result<Response, Problem>;

fn multipart_problem(err: impl std::fmt::Display, status: StatusCode) -> Problem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return Problem::new(status, "urn:greenlight:problem:too-large", "Too large", err.to_string());
    }
    Problem::bad_request(format!("the upload is not valid multipart: {err}"))
}

/// Removes the scratch file however the upload ends.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn upload(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Res {
    // Refuse before spooling anything to disk.
    media::authorize_upload(&s.app, &c, ws).await?;
    let mut multipart = multipart.map_err(|e| multipart_problem(e.body_text(), e.status()))?;
    let limit = s.app.settings.max_upload_bytes;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| multipart_problem(e.body_text(), e.status()))? {
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or("upload").to_owned();
        tokio::fs::create_dir_all(&s.app.settings.scratch_dir).await.map_err(Error::internal)?;
        let scratch = Scratch(s.app.settings.scratch_dir.join(format!("upload-{}", uuid::Uuid::now_v7())));
        let mut file = tokio::fs::File::create(&scratch.0).await.map_err(Error::internal)?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = field.chunk().await.map_err(|e| multipart_problem(e.body_text(), e.status()))? {
            size += chunk.len() as u64;
            if size > limit {
                return Err(Error::TooLarge { limit }.into());
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(Error::internal)?;
        }
        file.flush().await.map_err(Error::internal)?;
        drop(file);
        let upload = media::Upload { path: scratch.0.clone(), filename, size, sha256: hasher.finalize().into() };
        let stored = media::store_upload(&s.app, &c, ws, upload).await?;
        return Ok((StatusCode::CREATED, Json(stored)).into_response());
    }
    Err(Error::field("file", "send the file in a multipart field named `file`").into())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LibraryQuery {
    cursor: Option<MediaId>,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    50
}

async fn library(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>, ApiQuery(q): ApiQuery<LibraryQuery>) -> Res {
    let items = media::library(&s.app, &c, ws, q.cursor, q.limit).await?;
    let next_cursor = (items.len() as i64 >= q.limit).then(|| items.last().map(|m| m.id)).flatten();
    Ok(Json(Page { items, next_cursor }).into_response())
}

async fn show(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, MediaId)>) -> Res {
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

async fn content(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, MediaId)>) -> Res {
    let (mime, bytes) = media::bytes(&s.app, &c, ws, id, false).await?;
    Ok(bytes_response(mime, bytes))
}

async fn thumbnail(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, MediaId)>) -> Res {
    let (mime, bytes) = media::bytes(&s.app, &c, ws, id, true).await?;
    Ok(bytes_response(mime, bytes))
}
