//! Static assets, embedded in the binary and served under content-hashed
//! names (`/assets/greenlight.3fa2c1d0.css`), so a browser may keep them
//! for a year and still never runs an old script after an upgrade.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

struct Asset {
    /// The name with its hash, as served.
    served: String,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Where each asset is served.
pub struct Urls {
    pub css: &'static str,
    pub js: &'static str,
    pub htmx: &'static str,
}

fn asset(name: &str, ext: &str, content_type: &'static str, bytes: &'static [u8]) -> Asset {
    let hash = hex::encode(&Sha256::digest(bytes)[..4]);
    Asset { served: format!("{name}.{hash}.{ext}"), content_type, bytes }
}

static ASSETS: LazyLock<[Asset; 3]> = LazyLock::new(|| {
    [
        asset("greenlight", "css", "text/css; charset=utf-8", include_bytes!("../assets/greenlight.css")),
        asset("greenlight", "js", "text/javascript; charset=utf-8", include_bytes!("../assets/greenlight.js")),
        // htmx 2.0.11 (0BSD, htmx.org), as published to npm.
        asset("htmx", "js", "text/javascript; charset=utf-8", include_bytes!("../assets/vendor/htmx-2.0.11.min.js")),
    ]
});

static URLS: LazyLock<Urls> = LazyLock::new(|| {
    let at = |i: usize| -> &'static str { Box::leak(format!("/assets/{}", ASSETS[i].served).into_boxed_str()) };
    Urls { css: at(0), js: at(1), htmx: at(2) }
});

pub fn urls() -> &'static Urls {
    &URLS
}

pub async fn serve(Path(name): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.served == name) else { return StatusCode::NOT_FOUND.into_response() };
    let mut response = asset.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}
