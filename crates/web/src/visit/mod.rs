//! The pages a share link's visitor sees, under `/s/{token}`: plain
//! server-rendered HTML that works on a phone, without scripts.
//!
//! Every failure of the token (unknown, expired, revoked, a post outside
//! the link's scope) gets the same page, and counts against the visitor's
//! address; an address with too many failures is refused for a while.

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::{
    Form, Router,
    extract::{ConnectInfo, FromRequestParts, Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use greenlight_domain::{
    canonical::Hash,
    id::{CommentId, MediaId, PostId},
    network::Network,
    share::Capability,
    workflow::{ReviewStatus, Verdict},
};
use greenlight_service::views::{Channel, Comment, Post};
use greenlight_service::{
    Error,
    limits::Attempt,
    share_links::{self, Pass, VisitorComment, VisitorDecision, VisitorPost},
};
use serde::Deserialize;

use crate::AppState;

mod limiter;
mod one_click;
mod share;

pub use limiter::ClientAddr;
use {one_click::*, share::*};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/visit.css", get(stylesheet))
        .route("/s/{token}", get(overview))
        .route("/s/{token}/unlock", post(unlock))
        .route("/s/{token}/p/{post}", get(show_post))
        .route("/s/{token}/p/{post}/media/{media}", get(media))
        .route("/s/{token}/p/{post}/decision", post(decide))
        .route("/s/{token}/p/{post}/comments", post(comment))
        .route("/d/{token}", get(one_click).post(one_click_decide))
}

/// The visitor pages' policy: their own stylesheet and images, forms that
/// post back here, nothing else.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The cookie that carries the proof of a link's password.
pub(super) fn page(status: StatusCode, template: impl Template) -> Response {
    crate::html::render(status, &template, CSP)
}

#[derive(Template)]
#[template(path = "visit/invalid.html")]
pub(super) struct Invalid {
    pub(super) heading: String,
    pub(super) message: String,
}

pub(super) fn invalid() -> Response {
    page(StatusCode::NOT_FOUND, Invalid { heading: crate::t("visit-invalid-heading"), message: crate::t("visit-invalid-message") })
}

pub(super) fn too_many() -> Response {
    page(
        StatusCode::TOO_MANY_REQUESTS,
        Invalid { heading: crate::t("visit-too-many-heading"), message: crate::t("visit-too-many-message") },
    )
}

pub(super) fn internal(err: &Error) -> Response {
    tracing::error!(error = %err, "visitor page");
    let id = crate::observe::request_id().unwrap_or_default();
    (StatusCode::INTERNAL_SERVER_ERROR, crate::t1("visit-internal-error", "id", id)).into_response()
}

pub(super) async fn stylesheet() -> Response {
    // The app's stylesheet: visitors see the same visual language.
    let mut response = include_str!("../../assets/greenlight.css").into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

pub(super) struct ChannelView {
    pub(super) network: String,
    pub(super) network_name: String,
    pub(super) handle: String,
    pub(super) display_name: String,
    pub(super) text: String,
    pub(super) media: Vec<MediaView>,
    pub(super) link: Option<String>,
    pub(super) first_comment: Option<String>,
    /// The follow-up posts of a thread, in order.
    pub(super) thread: Vec<String>,
}

pub(super) struct MediaView {
    /// Where the image is served; `None` where the page shows alt text only.
    pub(super) src: Option<String>,
    pub(super) alt: String,
}

pub(super) fn previews(content: &greenlight_domain::content::Content, channels: &[Channel], media_base: Option<&str>) -> Vec<ChannelView> {
    let media_views = |uses: &[greenlight_domain::content::MediaUse]| {
        uses.iter()
            .map(|m| MediaView {
                src: media_base.map(|base| format!("{base}/media/{}", m.media_id)),
                alt: m.alt_text.clone().unwrap_or_default(),
            })
            .collect::<Vec<_>>()
    };
    let mut views: Vec<ChannelView> = channels
        .iter()
        .map(|c| {
            let shown = content.effective(c.id);
            let network_name = Network::parse(&c.network).map(Network::title).unwrap_or(c.network.as_str()).to_owned();
            ChannelView {
                network: c.network.clone(),
                network_name,
                handle: c.handle.clone(),
                display_name: c.display_name.clone(),
                text: shown.text.to_owned(),
                media: media_views(shown.media),
                link: shown.link.map(str::to_owned),
                first_comment: shown.first_comment.map(str::to_owned),
                thread: shown.thread.to_vec(),
            }
        })
        .collect();
    if views.is_empty() {
        views.push(ChannelView {
            network: "none".into(),
            network_name: crate::t("visit-no-channel"),
            handle: String::new(),
            display_name: crate::t("visit-the-post"),
            text: content.text.clone(),
            media: media_views(&content.media),
            link: content.link.clone(),
            first_comment: content.first_comment.clone(),
            thread: content.thread.clone(),
        });
    }
    views
}
