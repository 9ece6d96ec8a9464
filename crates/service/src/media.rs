//! Media uploads: sniffed, measured, thumbnailed, stored by content hash.

use std::{io::Cursor, path::PathBuf};

use greenlight_domain::{audit::Chain, id::MediaId, id::WorkspaceId, permission::Permission};
use greenlight_store::media::{self as store, Media};
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller, access,
    audit::record,
    error::{Error, Result},
};

/// What we accept. Networks take these; anything else is refused up front.
pub const ACCEPTED: &[&str] = &["image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4", "video/quicktime", "video/webm"];

/// Largest image side we decode (a 16k × 16k image is already 1 GiB of pixels).
const MAX_IMAGE_SIDE: u32 = 16_384;
/// Most pixels an image may have, read from its header before decoding
/// (a small file can claim gigabytes of pixels): 50 megapixels is above
/// what the largest phone cameras take and what any network accepts.
const MAX_PIXELS: u64 = 50_000_000;
/// Most memory one decode may allocate, and how many run at once: decoding
/// images never holds more than their product (640 MiB), however many
/// uploads arrive together. The README states this ceiling.
const MAX_DECODE_BYTES: u64 = 320 * 1024 * 1024;
const DECODES_AT_ONCE: usize = 2;
static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(DECODES_AT_ONCE);
const THUMBNAIL_SIDE: u32 = 320;

/// An upload spooled to a scratch file by the web layer, with its SHA-256.
pub struct Upload {
    pub path: PathBuf,
    pub filename: String,
    pub size: u64,
    pub sha256: [u8; 32],
}

struct Measured {
    width: u32,
    height: u32,
    thumbnail_png: Vec<u8>,
}

fn image_reader(bytes: &[u8]) -> Result<image::ImageReader<Cursor<&[u8]>>, String> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    Ok(reader)
}

/// Reads an image's size from its header, then decodes it within limits
/// and makes a PNG thumbnail.
fn measure_image(bytes: &[u8]) -> Result<Measured, String> {
    let (width, height) = image_reader(bytes)?.into_dimensions().map_err(|e| e.to_string())?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!("it is {width} × {height} pixels; at most {} megapixels are accepted", MAX_PIXELS / 1_000_000));
    }
    let img = image_reader(bytes)?.decode().map_err(|e| e.to_string())?;
    let (width, height) = (img.width(), img.height());
    let thumb = if width > THUMBNAIL_SIDE || height > THUMBNAIL_SIDE { img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE) } else { img };
    let mut thumbnail_png = Vec::new();
    thumb.write_to(&mut Cursor::new(&mut thumbnail_png), image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(Measured { width, height, thumbnail_png })
}

/// A video's size and length, read from its MP4 or QuickTime header (the
/// `mp4` crate; WebM is not read). Any file that cannot be read, or that
/// trips the parser, is simply unmeasured: preflight then skips the checks
/// that need the numbers.
fn measure_video(bytes: &[u8]) -> (Option<u32>, Option<u32>, Option<u64>) {
    let read = std::panic::catch_unwind(|| {
        let mp4 = mp4::Mp4Reader::read_header(Cursor::new(bytes), bytes.len() as u64).ok()?;
        let mvhd = &mp4.moov.mvhd;
        let duration_ms = mvhd.duration.checked_mul(1000).and_then(|d| d.checked_div(u64::from(mvhd.timescale)));
        let video = mp4.tracks().values().find(|t| matches!(t.track_type(), Ok(mp4::TrackType::Video)));
        let size = video.map(|t| (u32::from(t.width()), u32::from(t.height()))).filter(|(w, h)| *w > 0 && *h > 0);
        Some((size.map(|s| s.0), size.map(|s| s.1), duration_ms))
    });
    read.ok().flatten().unwrap_or((None, None, None))
}

/// Checks, before any bytes are accepted, that the caller may upload here;
/// [`store_upload`] checks again in the transaction that records the media.
pub async fn authorize_upload(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<()> {
    caller.require_user()?;
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::UploadMedia).await?;
    Ok(())
}

pub async fn store_upload(app: &App, caller: &Caller, ws: WorkspaceId, upload: Upload) -> Result<crate::views::Media> {
    let uploader = caller.require_user()?;
    if upload.size == 0 {
        return Err(Error::field_said("file", "err-media-empty", []));
    }
    let bytes = tokio::fs::read(&upload.path).await.map_err(Error::internal)?;
    let mime = infer::get(&bytes).map(|t| t.mime_type()).unwrap_or("application/octet-stream");
    if !ACCEPTED.contains(&mime) {
        return Err(Error::UnsupportedMedia(format!("{mime}; accepted: {}", ACCEPTED.join(", "))));
    }
    let key = format!("sha256:{}", hex::encode(upload.sha256));
    let (width, height, duration_ms, thumbnail_key) = if mime.starts_with("image/") {
        let permit = DECODES.acquire().await.map_err(Error::internal)?;
        let measured = tokio::task::spawn_blocking(move || measure_image(&bytes)).await.map_err(Error::internal)?;
        drop(permit);
        let measured = measured.map_err(|e| Error::field_said("file", "err-media-unreadable", [("why", e.to_string())]))?;
        let thumb_key = format!("sha256:{}", hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&measured.thumbnail_png)));
        let thumb_path = upload.path.with_extension("thumb");
        tokio::fs::write(&thumb_path, &measured.thumbnail_png).await.map_err(Error::internal)?;
        let stored = app.blobs.put(&thumb_key, &thumb_path).await;
        let _ = tokio::fs::remove_file(&thumb_path).await;
        stored.map_err(Error::internal)?;
        (Some(i64::from(measured.width)), Some(i64::from(measured.height)), None, Some(thumb_key))
    } else {
        let (width, height, duration) = tokio::task::spawn_blocking(move || measure_video(&bytes)).await.map_err(Error::internal)?;
        (width.map(i64::from), height.map(i64::from), duration.and_then(|d| i64::try_from(d).ok()), None)
    };
    app.blobs.put(&key, &upload.path).await.map_err(Error::internal)?;

    let filename: String = upload.filename.chars().filter(|c| !c.is_control()).take(255).collect();
    let media = Media {
        id: MediaId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        blob_key: key,
        thumbnail_key,
        filename: if filename.trim().is_empty() { "upload".into() } else { filename },
        mime: mime.into(),
        size: i64::try_from(upload.size).map_err(Error::internal)?,
        width,
        height,
        duration_ms,
        uploaded_by: uploader,
        created_at: app.now(),
    };
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::UploadMedia).await?;
    store::insert_media(&mut tx, &media).await?;
    let data = json!({
        "filename": media.filename, "mime": media.mime, "size": media.size, "blob": media.blob_key, "duration_ms": media.duration_ms,
    });
    record(&mut tx, app, caller, Chain::Workspace(ws), "media.uploaded", ("media", Some(media.id.uuid())), data).await?;
    tx.commit().await?;
    Ok(media.into())
}

pub async fn media(app: &App, caller: &Caller, ws: WorkspaceId, id: MediaId) -> Result<crate::views::Media> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewPosts).await?;
    store::media(&mut tx, ws, id).await?.map(Into::into).ok_or(Error::NotFound("media"))
}

/// A page of the library, newest first, and the cursor of the next page if
/// there is one.
pub async fn library(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    before: Option<MediaId>,
    limit: i64,
) -> Result<(Vec<crate::views::Media>, Option<MediaId>)> {
    let limit = crate::checked_limit(limit)?;
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewPosts).await?;
    let rows = store::media_library(&mut tx, ws, before, limit + 1).await?;
    Ok(crate::page(crate::views::all(rows), limit, |m| m.id))
}

/// The bytes of a media item or of its thumbnail.
pub async fn bytes(app: &App, caller: &Caller, ws: WorkspaceId, id: MediaId, thumbnail: bool) -> Result<(String, Vec<u8>)> {
    let m = media(app, caller, ws, id).await?;
    let (key, mime) = match (thumbnail, &m.thumbnail_key) {
        (true, Some(key)) => (key.clone(), "image/png".to_owned()),
        (true, None) => return Err(Error::NotFound("thumbnail")),
        (false, _) => (m.blob_key.clone(), m.mime.clone()),
    };
    let bytes = app.blobs.get(&key).await.map_err(Error::internal)?;
    Ok((mime, bytes))
}
