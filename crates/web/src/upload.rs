//! An upload's file, streamed to a scratch file with its SHA-256 as it
//! arrives, within the size limit: the API's media upload and the
//! composer's share it.

use axum::{extract::multipart::Field, http::StatusCode};
use greenlight_service::{App, Error, media};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Removes the scratch file however the upload ends.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The body limit for a route that takes an upload: room for the file
/// (`media.max_upload_mib`) plus the multipart framing around it, on every
/// route that takes one.
pub fn body_limit(app: &App) -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(usize::try_from(app.settings.max_upload_bytes).unwrap_or(usize::MAX).saturating_add(64 * 1024))
}

pub enum SpoolError {
    /// The multipart body itself is broken or too large.
    Multipart(String, StatusCode),
    Service(Error),
}

/// The file on disk (removed when this is dropped) and what the service needs of it.
pub struct Spooled {
    _scratch: Scratch,
    upload: media::Upload,
}

impl Spooled {
    pub fn upload(&self) -> media::Upload {
        media::Upload {
            path: self.upload.path.clone(),
            filename: self.upload.filename.clone(),
            size: self.upload.size,
            sha256: self.upload.sha256,
        }
    }
}

pub async fn spool(app: &App, mut field: Field<'_>) -> Result<Spooled, SpoolError> {
    let limit = app.settings.max_upload_bytes;
    let filename = file_name(&field);
    let internal = |e: std::io::Error| SpoolError::Service(Error::internal(e));
    tokio::fs::create_dir_all(&app.settings.scratch_dir).await.map_err(internal)?;
    let scratch = Scratch(app.settings.scratch_dir.join(format!("upload-{}", uuid::Uuid::now_v7())));
    let mut file = tokio::fs::File::create(&scratch.0).await.map_err(internal)?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(|e| SpoolError::Multipart(e.body_text(), e.status()))? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(SpoolError::Service(Error::TooLarge { limit }));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(internal)?;
    }
    file.flush().await.map_err(internal)?;
    drop(file);
    let upload = media::Upload { path: scratch.0.clone(), filename, size, sha256: hasher.finalize().into() };
    Ok(Spooled { _scratch: scratch, upload })
}

/// The part's file name. One that is not UTF-8 (the multipart parser gives
/// none back) is read from the raw header with its bad bytes replaced, so
/// the library still shows what the uploader called it.
fn file_name(field: &Field<'_>) -> String {
    if let Some(name) = field.file_name() {
        return name.to_owned();
    }
    let raw = field.headers().get(axum::http::header::CONTENT_DISPOSITION).map(|v| v.as_bytes()).unwrap_or_default();
    const KEY: &[u8] = b"filename=\"";
    let name = raw.windows(KEY.len()).position(|w| w == KEY).map(|at| {
        let rest = &raw[at + KEY.len()..];
        String::from_utf8_lossy(&rest[..rest.iter().position(|b| *b == b'"').unwrap_or(rest.len())]).into_owned()
    });
    name.unwrap_or_else(|| "upload".into())
}
