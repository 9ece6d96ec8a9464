//! The pages a share link's visitor sees, under `/s/{token}`: plain
//! server-rendered HTML that works on a phone, without scripts.
//!
//! Every failure of the token (unknown, expired, revoked, a post outside
//! the link's scope) gets the same page, and counts against the visitor's
//! address; an address with too many failures is refused for a while.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::Mutex,
    time::{Duration, Instant},
};

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
    share_links::{self, Pass, VisitorComment, VisitorDecision, VisitorPost},
};
use serde::Deserialize;

use crate::AppState;

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
const PROOF_COOKIE: &str = "gl_share_proof";

/// Failed attempts per address. governor's limiters count every request;
/// here only failures count, and an address over the limit is refused
/// everything (valid tokens too) until its window ends, so guessing tokens
/// gains nothing.
pub struct FailureLimiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// How many addresses the limiter remembers before it forgets quiet ones.
const LIMITER_KEYS: usize = 10_000;

impl FailureLimiter {
    pub fn new(max_per_minute: u32) -> Self {
        FailureLimiter { max: max_per_minute.max(1), window: Duration::from_secs(60), seen: Mutex::new(HashMap::new()) }
    }

    fn blocked(&self, ip: IpAddr) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(&key(ip)).is_some_and(|(start, n)| start.elapsed() < self.window && *n >= self.max)
    }

    fn failed(&self, ip: IpAddr) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > LIMITER_KEYS {
            seen.retain(|_, (start, _)| start.elapsed() < self.window);
            // Still full: a flood from many addresses. Forgetting is safer
            // for memory than tracking without bound.
            if seen.len() > LIMITER_KEYS {
                seen.clear();
            }
        }
        let entry = seen.entry(key(ip)).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }
}

/// The unit a limit applies to: an IPv4 address, or an IPv6 /64 (one
/// subscriber's network, whose addresses are theirs to rotate).
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client's address: the peer's, or, behind a reverse proxy that the
/// settings name a header for, the last address that header carries (the
/// one the proxy itself saw).
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer =
            parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let forwarded = state.settings.client_ip_header.as_deref().and_then(|name| {
            let last = parts.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).last()?;
            last.trim().parse::<IpAddr>().ok()
        });
        Ok(ClientAddr(forwarded.unwrap_or(peer)))
    }
}

fn page(status: StatusCode, template: impl Template) -> Response {
    crate::html::render(status, &template, CSP)
}

#[derive(Template)]
#[template(path = "visit/invalid.html")]
struct Invalid {
    heading: &'static str,
    message: &'static str,
}

fn invalid() -> Response {
    page(StatusCode::NOT_FOUND, Invalid { heading: "This link is not valid", message: "Ask the person who sent it for a new one." })
}

fn too_many() -> Response {
    page(
        StatusCode::TOO_MANY_REQUESTS,
        Invalid { heading: "Too many attempts", message: "Wait a minute, then open the link you were sent again." },
    )
}

#[derive(Template)]
#[template(path = "visit/password.html")]
struct PasswordPage {
    action: String,
    wrong: bool,
}

/// What every visitor request starts with: the address (refused when it
/// has failed too often) and the pass it brings.
struct Visit {
    ip: IpAddr,
    token: String,
    proof: Option<String>,
}

impl Visit {
    /// `None` if the address has failed too often.
    fn new(state: &AppState, addr: IpAddr, token: String, jar: &CookieJar) -> Option<Self> {
        if state.visit_limiter.blocked(addr) {
            return None;
        }
        let proof = jar.get(PROOF_COOKIE).map(|c| c.value().to_owned());
        Some(Visit { ip: addr, token, proof })
    }

    fn pass(&self) -> Pass<'_> {
        Pass { token: &self.token, proof: self.proof.as_deref() }
    }

    fn base(&self) -> String {
        format!("{}{}", greenlight_service::invites::VISIT_PATH, self.token)
    }

    /// The answer to an error that ends the request — a failed token, a
    /// password to give, an internal error; `None` for errors the page
    /// shows itself (a refused decision, a bad comment).
    fn refused(&self, state: &AppState, err: &Error) -> Option<Response> {
        match err {
            Error::NotFound("link") => {
                state.visit_limiter.failed(self.ip);
                Some(invalid())
            }
            Error::Unauthenticated => {
                Some(page(StatusCode::UNAUTHORIZED, PasswordPage { action: format!("{}/unlock", self.base()), wrong: false }))
            }
            Error::Internal(_) => Some(internal(err)),
            _ => None,
        }
    }

    fn fail(&self, state: &AppState, err: Error) -> Response {
        self.refused(state, &err).unwrap_or_else(|| internal(&err))
    }
}

fn internal(err: &Error) -> Response {
    tracing::error!(error = %err, "visitor page");
    (StatusCode::INTERNAL_SERVER_ERROR, "something went wrong; it is logged").into_response()
}

async fn stylesheet() -> Response {
    // The app's stylesheet: visitors see the same visual language.
    let mut response = include_str!("../assets/greenlight.css").into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

#[derive(Template)]
#[template(path = "visit/overview.html")]
struct OverviewPage {
    greeting: String,
    capability: &'static str,
    expires: String,
    posts: Vec<PostItem>,
}

struct PostItem {
    href: String,
    title: String,
    when: String,
    status: String,
}

fn when(post: &Post) -> String {
    match &post.planned {
        Some(p) => p.at.to_zoned(p.zone.time_zone()).strftime("%a %-d %b %Y, %H:%M %Z").to_string(),
        None => "No date yet".to_owned(),
    }
}

fn status(post: &Post) -> String {
    match &post.review_stage {
        Some(stage) => format!("in review at {stage}"),
        None => post.state.to_string().replace('_', " "),
    }
}

fn capability_text(c: Capability) -> &'static str {
    match c {
        Capability::View => "You can look",
        Capability::Comment => "You can look and comment",
        Capability::Approve => "You can comment, approve, or ask for changes",
    }
}

async fn overview(State(state): State<AppState>, ClientAddr(addr): ClientAddr, Path(token): Path<String>, jar: CookieJar) -> Response {
    let Some(visit) = Visit::new(&state, addr, token, &jar) else { return too_many() };
    let overview = match share_links::overview(&state.app, &visit.pass()).await {
        Ok(o) => o,
        Err(err) => return visit.fail(&state, err),
    };
    // One post: straight to it.
    if let [post] = overview.posts.as_slice() {
        return Redirect::to(&format!("{}/p/{}", visit.base(), post.id)).into_response();
    }
    let posts = overview
        .posts
        .iter()
        .map(|p| PostItem { href: format!("{}/p/{}", visit.base(), p.id), title: p.title.clone(), when: when(p), status: status(p) })
        .collect();
    let greeting = overview.link.reviewer_name.clone().unwrap_or_else(|| "you".to_owned());
    let expires = overview.link.expires_at.strftime("%-d %b %Y, %H:%M UTC").to_string();
    page(StatusCode::OK, OverviewPage { greeting, capability: capability_text(overview.link.capability), expires, posts })
}

#[derive(Deserialize)]
struct UnlockForm {
    password: String,
}

async fn unlock(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    jar: CookieJar,
    Form(form): Form<UnlockForm>,
) -> Response {
    let Some(visit) = Visit::new(&state, addr, token, &jar) else { return too_many() };
    match share_links::unlock(&state.app, &visit.token, &form.password).await {
        Ok(Some(proof)) => {
            let cookie = Cookie::build((PROOF_COOKIE, proof))
                .path(visit.base())
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(state.settings.secure_cookies);
            (jar.add(cookie), Redirect::to(&visit.base())).into_response()
        }
        Ok(None) => {
            state.visit_limiter.failed(visit.ip);
            page(StatusCode::UNAUTHORIZED, PasswordPage { action: format!("{}/unlock", visit.base()), wrong: true })
        }
        Err(err) => internal(&err),
    }
}

#[derive(Template)]
#[template(path = "visit/post.html")]
struct PostPage {
    back: Option<String>,
    title: String,
    when: String,
    status: String,
    revision_number: i64,
    revision_hash: String,
    base: String,
    notice: Option<Notice>,
    decision_note: Option<String>,
    channels: Vec<ChannelView>,
    can_decide: bool,
    can_comment: bool,
    name: String,
    /// What the visitor typed, kept when the page comes back with an error.
    comment: String,
    body: String,
    threads: Vec<ThreadView>,
}

struct Notice {
    kind: &'static str,
    text: String,
}

struct ChannelView {
    network: String,
    network_name: String,
    handle: String,
    display_name: String,
    text: String,
    media: Vec<MediaView>,
    link: Option<String>,
    first_comment: Option<String>,
    /// The follow-up posts of a thread, in order.
    thread: Vec<String>,
}

struct MediaView {
    /// Where the image is served; `None` where the page shows alt text only.
    src: Option<String>,
    alt: String,
}

struct ThreadView {
    id: CommentId,
    author: String,
    when: String,
    body: String,
    resolved: bool,
    replies: Vec<ThreadView>,
}

/// What the visitor sent, to show again with an error.
#[derive(Default)]
struct Echo {
    name: Option<String>,
    comment: String,
    body: String,
}

/// The post as each of its channels will show it (or its base content,
/// before channels are chosen); `media_base` serves its images.
fn previews(content: &greenlight_domain::content::Content, channels: &[Channel], media_base: Option<&str>) -> Vec<ChannelView> {
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
            network_name: "no channel chosen yet".into(),
            handle: String::new(),
            display_name: "The post".into(),
            text: content.text.clone(),
            media: media_views(&content.media),
            link: content.link.clone(),
            first_comment: content.first_comment.clone(),
            thread: content.thread.clone(),
        });
    }
    views
}

fn post_page(visit: &Visit, found: VisitorPost, notice: Option<Notice>, echo: Echo) -> PostPage {
    let base = format!("{}/p/{}", visit.base(), found.post.id);
    let channels = previews(&found.revision.content, &found.channels, Some(&base));
    let author = |c: &Comment| match (&c.author_name, c.author_id) {
        (Some(name), _) => format!("{name} (guest)"),
        (None, Some(user)) => found.member_names.get(&user).cloned().unwrap_or_else(|| "A team member".into()),
        (None, None) => "Someone".into(),
    };
    let view = |c: &Comment, replies| ThreadView {
        id: c.id,
        author: author(c),
        when: c.created_at.strftime("%-d %b %Y, %H:%M UTC").to_string(),
        body: c.body.clone(),
        resolved: c.resolved_at.is_some(),
        replies,
    };
    let threads = found.threads.iter().map(|t| view(&t.comment, t.replies.iter().map(|r| view(r, Vec::new())).collect())).collect();
    let current = found.revision.content_hash;
    let review = found.review.as_ref();
    let can_decide = found.can(Capability::Approve) && review.is_some_and(|r| r.asks_me && r.status == ReviewStatus::Active);
    let decision_note = review.and_then(|r| r.my_decision).map(|(verdict, hash, _)| {
        let what = if verdict == Verdict::Approve { "approved" } else { "asked for changes to" };
        if hash == current {
            format!("You {what} this version.")
        } else {
            format!("You {what} an earlier version; the post has changed since. This is the new version.")
        }
    });
    let status_text = match review {
        Some(r) if r.status == ReviewStatus::Active => match &r.stage {
            Some(stage) if r.asks_me => format!("waiting for you at {stage}"),
            Some(stage) => format!("in review at {stage}"),
            None => "in review".into(),
        },
        _ => status(&found.post),
    };
    PostPage {
        back: (!matches!(found.link.scope, greenlight_domain::share::Scope::Posts { ref post_ids } if post_ids.len() == 1))
            .then(|| visit.base()),
        title: found.post.title.clone(),
        when: when(&found.post),
        status: status_text,
        revision_number: found.revision.number,
        revision_hash: current.to_string(),
        base,
        notice,
        decision_note,
        channels,
        can_decide,
        can_comment: found.can(Capability::Comment),
        name: echo.name.unwrap_or_else(|| found.link.reviewer_name.clone().unwrap_or_default()),
        comment: echo.comment,
        body: echo.body,
        threads,
    }
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

async fn show_post(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((token, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    jar: CookieJar,
) -> Response {
    let Some(visit) = Visit::new(&state, addr, token, &jar) else { return too_many() };
    let Ok(id) = id.parse::<PostId>() else { return visit.fail(&state, share_links::INVALID) };
    let notice = match done.done.as_deref() {
        Some("approve") => Some(Notice { kind: "ok", text: "Thank you: your approval is recorded.".into() }),
        Some("request_changes") => Some(Notice { kind: "ok", text: "Thank you: your request for changes is recorded.".into() }),
        Some("comment") => Some(Notice { kind: "ok", text: "Your comment is added.".into() }),
        _ => None,
    };
    render_post(&state, &visit, id, StatusCode::OK, notice, Echo::default()).await
}

async fn render_post(state: &AppState, visit: &Visit, id: PostId, status: StatusCode, notice: Option<Notice>, echo: Echo) -> Response {
    match share_links::post(&state.app, &visit.pass(), id).await {
        Ok(found) => page(status, post_page(visit, found, notice, echo)),
        Err(err) => visit.fail(state, err),
    }
}

async fn media(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((token, id, media)): Path<(String, String, String)>,
    jar: CookieJar,
) -> Response {
    let Some(visit) = Visit::new(&state, addr, token, &jar) else { return too_many() };
    let (Ok(id), Ok(media)) = (id.parse::<PostId>(), media.parse::<MediaId>()) else { return visit.fail(&state, share_links::INVALID) };
    match share_links::media(&state.app, &visit.pass(), id, media).await {
        Ok((mime, bytes)) => {
            let mut response = bytes.into_response();
            if let Ok(value) = HeaderValue::from_str(&mime) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        Err(err) => visit.fail(&state, err),
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    name: String,
    verdict: String,
    revision: String,
    #[serde(default)]
    comment: String,
}

/// The text of an error the visitor can act on.
fn problem_text(err: &Error) -> String {
    match err {
        Error::Invalid(fields) => fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "),
        Error::NotFound("open review") => "This post is not waiting for a decision.".into(),
        other => other.to_string(),
    }
}

async fn decide(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((token, id)): Path<(String, String)>,
    jar: CookieJar,
    Form(form): Form<DecisionForm>,
) -> Response {
    let Some(visit) = Visit::new(&state, addr, token, &jar) else { return too_many() };
    let Ok(id) = id.parse::<PostId>() else { return visit.fail(&state, share_links::INVALID) };
    let echo = Echo { name: Some(form.name.clone()), comment: form.comment.clone(), body: String::new() };
    let verdict = match form.verdict.as_str() {
        "approve" => Verdict::Approve,
        "request_changes" => Verdict::RequestChanges,
        _ => {
            let notice = Notice { kind: "error", text: "Choose approve or request changes.".into() };
            return render_post(&state, &visit, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), echo).await;
        }
    };
    let Some(revision) = Hash::parse(&form.revision) else {
        let notice = Notice { kind: "error", text: "The page was incomplete; look at the post again and decide.".into() };
        return render_post(&state, &visit, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), echo).await;
    };
    let comment = Some(form.comment.trim().to_owned()).filter(|c| !c.is_empty());
    let decision = VisitorDecision { name: form.name.clone(), verdict, revision, comment };
    match share_links::decide(&state.app, &visit.pass(), id, decision).await {
        Ok(_) => Redirect::to(&format!("{}/p/{id}?done={}", visit.base(), form.verdict)).into_response(),
        Err(err) => {
            if let Some(refused) = visit.refused(&state, &err) {
                return refused;
            }
            // Shown with the post as it is now: if it changed, the page
            // compares the revision the visitor saw with the current one.
            let stale = matches!(&err, Error::Conflict(_));
            let text = if stale { format!("{} Look at this version and decide again.", problem_text(&err)) } else { problem_text(&err) };
            let notice = Notice { kind: "error", text };
            render_post(&state, &visit, id, StatusCode::CONFLICT, Some(notice), echo).await
        }
    }
}

#[derive(Deserialize)]
struct CommentForm {
    name: String,
    body: String,
    #[serde(default)]
    parent_id: Option<String>,
}

async fn comment(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((token, id)): Path<(String, String)>,
    jar: CookieJar,
    Form(form): Form<CommentForm>,
) -> Response {
    let Some(visit) = Visit::new(&state, addr, token, &jar) else { return too_many() };
    let Ok(id) = id.parse::<PostId>() else { return visit.fail(&state, share_links::INVALID) };
    let echo = Echo { name: Some(form.name.clone()), comment: String::new(), body: form.body.clone() };
    let parent_id = match form.parent_id.as_deref().filter(|p| !p.is_empty()).map(str::parse::<CommentId>) {
        None => None,
        Some(Ok(parent)) => Some(parent),
        Some(Err(_)) => {
            let notice = Notice { kind: "error", text: "That comment does not exist.".into() };
            return render_post(&state, &visit, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), echo).await;
        }
    };
    let input = VisitorComment { name: form.name.clone(), body: form.body.clone(), parent_id };
    match share_links::comment(&state.app, &visit.pass(), id, input).await {
        Ok(_) => Redirect::to(&format!("{}/p/{id}?done=comment", visit.base())).into_response(),
        Err(err) => {
            if let Some(refused) = visit.refused(&state, &err) {
                return refused;
            }
            let notice = Notice { kind: "error", text: problem_text(&err) };
            render_post(&state, &visit, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), echo).await
        }
    }
}

// ---- One-click decisions from email ----

#[derive(Template)]
#[template(path = "visit/decide.html")]
struct DecidePage {
    title: String,
    revision_number: i64,
    notice: Option<Notice>,
    channels: Vec<ChannelView>,
    can_decide: bool,
    action: String,
    verdict: String,
    comment: String,
}

#[derive(Deserialize)]
struct VerdictQuery {
    verdict: Option<String>,
}

/// The page an email's decision link opens: the post as it is now and, if
/// the link still decides, a form to confirm. Opening it changes nothing
/// (mail scanners open links too); confirming does.
async fn one_click(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    Query(q): Query<VerdictQuery>,
) -> Response {
    if state.visit_limiter.blocked(addr) {
        return too_many();
    }
    let verdict = q.verdict.unwrap_or_default();
    one_click_page(&state, addr, &token, StatusCode::OK, None, verdict, String::new()).await
}

async fn one_click_page(
    state: &AppState,
    addr: IpAddr,
    token: &str,
    status: StatusCode,
    notice: Option<Notice>,
    verdict: String,
    comment: String,
) -> Response {
    let found = match greenlight_service::decision_links::open_decision_link(&state.app, token).await {
        Ok(found) => found,
        Err(Error::NotFound("link")) => {
            state.visit_limiter.failed(addr);
            return invalid();
        }
        Err(err) => return internal(&err),
    };
    let notice = notice.or_else(|| {
        if found.used {
            Some(Notice {
                kind: "info",
                text: "This link was already used: each works once. Open Greenlight to see where the review stands.".into(),
            })
        } else if found.changed() {
            Some(Notice {
                kind: "info",
                text: "The post changed since this email was sent. This is the new version; review it in Greenlight.".into(),
            })
        } else if !found.current {
            Some(Notice {
                kind: "info",
                text: "The review no longer waits for this decision. Open Greenlight to see where it stands.".into(),
            })
        } else {
            None
        }
    });
    let view = DecidePage {
        title: found.post.title.clone(),
        revision_number: found.revision.number,
        notice,
        channels: previews(&found.revision.content, &found.channels, None),
        can_decide: !found.used && !found.changed() && found.current,
        action: format!("{}{token}", greenlight_service::email::DECIDE_PATH),
        verdict,
        comment,
    };
    page(status, view)
}

#[derive(Deserialize)]
struct OneClickForm {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    comment: String,
}

async fn one_click_decide(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    Form(form): Form<OneClickForm>,
) -> Response {
    if state.visit_limiter.blocked(addr) {
        return too_many();
    }
    let verdict = match form.verdict.as_str() {
        "approve" => Verdict::Approve,
        "request_changes" => Verdict::RequestChanges,
        _ => {
            let notice = Notice { kind: "error", text: "Choose approve or request changes.".into() };
            return one_click_page(&state, addr, &token, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), form.verdict, form.comment).await;
        }
    };
    let comment = Some(form.comment.trim().to_owned()).filter(|c| !c.is_empty());
    match greenlight_service::decision_links::use_decision_link(&state.app, &token, verdict, comment).await {
        Ok(_) => {
            let what = if verdict == Verdict::Approve { "approval" } else { "request for changes" };
            let notice = Notice { kind: "ok", text: format!("Thank you: your {what} is recorded.") };
            one_click_page(&state, addr, &token, StatusCode::OK, Some(notice), String::new(), String::new()).await
        }
        Err(Error::NotFound("link")) => {
            state.visit_limiter.failed(addr);
            invalid()
        }
        Err(err @ Error::Internal(_)) => internal(&err),
        Err(err) => {
            let notice = Notice { kind: "error", text: problem_text(&err) };
            one_click_page(&state, addr, &token, StatusCode::CONFLICT, Some(notice), form.verdict, form.comment).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_ipv4_addresses_and_ipv6_networks() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(key(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(key(ip("2001:db8:1:2:aaaa::1")), key(ip("2001:db8:1:2:bbbb::9")), "one /64");
        assert_ne!(key(ip("2001:db8:1:2::1")), key(ip("2001:db8:1:3::1")));
        assert_eq!(key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
        let limiter = FailureLimiter::new(2);
        assert!(!limiter.blocked(ip("2001:db8::1")));
        limiter.failed(ip("2001:db8::1"));
        limiter.failed(ip("2001:db8::2"));
        assert!(limiter.blocked(ip("2001:db8::3")), "the same network");
        assert!(!limiter.blocked(ip("203.0.113.7")));
    }
}
