//! The web app members work in: server-rendered pages (askama) with htmx
//! for the parts that change in place, and one small script for what HTML
//! cannot do alone (dragging a post to another day, live preflight,
//! anchoring a comment to a selection or an image region).
//!
//! Every page is a full document; an htmx request for the same address
//! gets only the part it swaps. Forms post back with the session's CSRF
//! token (a hidden field; htmx sends it as a header), validate on the
//! server, and come back with errors next to their fields and nothing lost.

mod analytics;
mod audit;
mod auth;
mod calendar;
mod findings;
mod history;
mod language;
mod notifications;
mod posts;
mod preview;
mod review;
mod search;
mod settings;
mod style_guide;
mod view;
mod workflow_editor;
mod workflows;

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Router,
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use greenlight_domain::{id::WorkspaceId, permission::Permission, validation::FieldError};
use greenlight_service::{App, Error, workspaces};

use crate::{AppState, assets};
pub use auth::Member;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/my/reviews", get(review::my_reviews))
        .route("/my/reviews/approve", post(review::approve_selected))
        .route("/my/language", get(language::page).post(language::save))
        .route("/my/notifications", get(notifications::page))
        .route("/my/notifications/read", post(notifications::read_all))
        .route("/my/notifications/{notification}/open", get(notifications::open))
        .route("/w/{ws}", get(calendar::workspace_home))
        .route("/w/{ws}/calendar", get(calendar::page))
        .route("/w/{ws}/search", get(search::page))
        .route("/w/{ws}/calendar/colours.css", get(calendar::colours))
        .route("/w/{ws}/notes", post(calendar::add_note))
        .route("/w/{ws}/notes/{note}/delete", post(calendar::delete_note))
        .route("/w/{ws}/posts/new", get(posts::new_page).post(posts::create))
        .route("/w/{ws}/posts/{post}", get(posts::page).post(posts::save))
        .route("/w/{ws}/posts/{post}/reschedule", post(calendar::reschedule))
        .route("/w/{ws}/posts/{post}/submit", post(posts::submit))
        .route("/w/{ws}/posts/{post}/schedule", post(posts::schedule))
        .route("/w/{ws}/posts/{post}/publish-now", post(posts::publish_now))
        .route("/w/{ws}/posts/{post}/queue", post(posts::queue))
        .route("/w/{ws}/posts/{post}/publications/{channel}/retry", post(posts::retry))
        .route("/w/{ws}/posts/{post}/publications/{channel}/posted-by-hand", post(posts::posted_by_hand))
        .route("/w/{ws}/posts/{post}/preflight", post(posts::live_preflight))
        .route("/w/{ws}/preflight", post(posts::live_preflight_new))
        .route("/w/{ws}/media/upload", post(posts::upload).layer(crate::upload::body_limit(&state.app)))
        .route("/w/{ws}/posts/{post}/share", post(posts::share))
        .route("/w/{ws}/posts/{post}/review", get(review::page))
        .route("/w/{ws}/posts/{post}/decide", post(review::decide))
        .route("/w/{ws}/posts/{post}/comments", post(review::comment))
        .route("/w/{ws}/posts/{post}/comments/{comment}/resolve", post(review::resolve))
        .route("/w/{ws}/posts/{post}/history", get(history::post_history))
        .route("/w/{ws}/history", get(history::workspace_history))
        .route("/w/{ws}/analytics", get(analytics::page))
        .route("/w/{ws}/analytics.csv", get(analytics::csv))
        .route("/w/{ws}/audit", get(audit::page))
        .route("/w/{ws}/audit/export", get(audit::export))
        .route("/w/{ws}/audit/verify", post(audit::verify).layer(crate::upload::body_limit(&state.app)))
        .route("/w/{ws}/workflows", get(workflows::list).post(workflows::create))
        .route("/w/{ws}/workflows/routes", post(workflows::save_routes))
        .route("/w/{ws}/workflows/hours", post(workflows::save_hours))
        .route("/w/{ws}/workflows/{workflow}", get(workflows::page).post(workflows::save))
        .route("/w/{ws}/workflows/{workflow}/simulate", post(workflows::simulate))
        .route("/w/{ws}/workflows/{workflow}/edit", get(workflow_editor::page).post(workflow_editor::act))
        .route("/w/{ws}/settings", get(settings::page))
        .route("/w/{ws}/settings/guide-form", post(settings::save_guide_form))
        .route("/w/{ws}/settings/{section}", post(settings::act))
        .route(greenlight_service::channel_auth::CALLBACK_PATH, get(settings::oauth_callback))
        .route("/assets/{name}", get(assets::serve))
}

/// The app's policy: its own scripts, styles and images; requests and
/// forms back to itself; nothing inline, nothing framed.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What every page's frame shows: who is signed in, their workspaces, the
/// current one and what the caller's role lets the navigation offer.
pub struct Chrome {
    pub title: String,
    pub user_name: String,
    pub csrf: String,
    pub assets: &'static assets::Urls,
    pub workspaces: Vec<(WorkspaceId, String)>,
    pub ws: Option<WsNav>,
    /// Which navigation entry is current: `calendar`, `reviews` …
    pub active: &'static str,
    /// The bell's number: unread notifications.
    pub unread: i64,
}

pub struct WsNav {
    pub id: WorkspaceId,
    pub name: String,
    pub time_zone: String,
    pub can_write: bool,
    pub can_manage_workflows: bool,
    pub can_see_history: bool,
    pub can_see_analytics: bool,
}

impl Chrome {
    /// The frame of a page outside any workspace.
    async fn plain(app: &App, member: &Member, title: impl Into<String>, active: &'static str) -> Result<Chrome, Error> {
        let workspaces = workspaces::workspaces(app, &member.caller).await?.into_iter().map(|w| (w.id, w.name)).collect();
        let unread = greenlight_service::notifications::unread_count(app, &member.caller).await?;
        Ok(Chrome {
            unread,
            title: title.into(),
            user_name: member.user.name.clone(),
            csrf: member.csrf.clone(),
            assets: assets::urls(),
            workspaces,
            ws: None,
            active,
        })
    }

    /// The frame of a page in workspace `ws` ("not found" for a workspace
    /// the member is not in).
    async fn of(app: &App, member: &Member, ws: WorkspaceId, title: impl Into<String>, active: &'static str) -> Result<Chrome, Error> {
        let role = workspaces::role(app, &member.caller, ws).await?;
        let workspace = workspaces::workspace(app, &member.caller, ws).await?;
        let mut chrome = Chrome::plain(app, member, title, active).await?;
        chrome.ws = Some(WsNav {
            id: ws,
            name: workspace.name,
            time_zone: workspace.time_zone,
            can_write: role.can(Permission::CreatePosts),
            can_manage_workflows: role.can(Permission::ManageWorkflows),
            can_see_history: role.can(Permission::ViewWorkspaceHistory),
            can_see_analytics: role.can(Permission::ViewAnalytics),
        });
        Ok(chrome)
    }

    pub fn ws_id(&self) -> String {
        self.ws.as_ref().map(|w| w.id.to_string()).unwrap_or_default()
    }
}

/// Field errors by field name, for templates to show next to each field.
#[derive(Default)]
pub struct Problems {
    by_field: BTreeMap<String, Vec<String>>,
    /// Errors that belong to no field of the form.
    pub general: Vec<String>,
}

impl Problems {
    /// Sorts the service's field errors to the form's fields (an error on
    /// `a.b` or `a[2]` belongs to the form's `a`, unless it shows `a.b`
    /// itself): a field the form does not show lands among the general ones.
    pub fn from_errors(errors: &[FieldError], fields: &[&str]) -> Problems {
        let mut problems = Problems::default();
        for e in errors {
            let covers = |f: &&&str| e.field.strip_prefix(**f).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']));
            match fields.iter().filter(covers).max_by_key(|f| f.len()) {
                Some(field) => {
                    problems.by_field.entry((*field).to_owned()).or_default().push(crate::words::text(&e.message, e.words.as_ref()))
                }
                None => problems.general.push(format!("{}: {}", e.field, crate::words::text(&e.message, e.words.as_ref()))),
            }
        }
        problems
    }

    pub fn general(message: impl Into<String>) -> Problems {
        Problems { general: vec![message.into()], ..Problems::default() }
    }

    pub fn of(&self, field: &str) -> String {
        self.by_field.get(field).map(|m| m.join("; ")).unwrap_or_default()
    }

    pub fn has(&self, field: &str) -> bool {
        self.by_field.contains_key(field)
    }

    /// Whether any field inside `prefix` (`stages[2]` covers `stages[2].due`) has an error.
    pub fn under(&self, prefix: &str) -> bool {
        self.by_field.keys().any(|f| f.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '['])))
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_empty()
    }
}

/// A page's path parameters; one that does not parse (a mistyped id) is
/// the "not found" page, as an unknown id is.
pub struct PagePath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S> for PagePath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(PagePath(value)),
            Err(_) => Err(PageError::new(Error::NotFound("page"), &parts.headers).into_response()),
        }
    }
}

/// Whether the request came from htmx (it swaps part of the page).
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// Renders a template with the app's policy.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    crate::html::render(status, template, CSP)
}

#[derive(Template)]
#[template(path = "app/error.html")]
struct ErrorPage {
    assets: &'static assets::Urls,
    heading: String,
    message: String,
}

#[derive(Template)]
#[template(path = "app/notice.html")]
struct NoticeFragment {
    kind: &'static str,
    message: String,
}

/// An error as a page, or, for htmx, as a notice swapped into the page's
/// notice area (so a failed action never replaces the page with an error).
pub struct PageError {
    error: Error,
    htmx: bool,
}

impl PageError {
    pub fn new(error: Error, headers: &HeaderMap) -> Self {
        PageError { error, htmx: is_htmx(headers) }
    }
}

/// What went wrong, in one text: each invalid field's message (named, when
/// `named`), or the error's own description.
pub fn said(error: &Error, named: bool) -> String {
    match error {
        Error::Invalid(errors) => {
            let each = errors.iter().map(|e| {
                let message = crate::words::text(&e.message, e.words.as_ref());
                if named { format!("{}: {message}", e.field) } else { message }
            });
            each.collect::<Vec<_>>().join(if named { "\n" } else { "; " })
        }
        other => describe(other).2,
    }
}

/// What a reader is told about an error, and its status.
fn describe(error: &Error) -> (StatusCode, String, String) {
    use crate::{t, t1};
    match error {
        Error::Unauthenticated => (StatusCode::UNAUTHORIZED, t("error-sign-in"), t("error-session-ended")),
        Error::NotFound(what) => (StatusCode::NOT_FOUND, t("error-not-found"), t1("error-no-such", "what", noun(what))),
        Error::Forbidden(why) => (
            StatusCode::FORBIDDEN,
            t("error-not-allowed"),
            t1("error-role-forbids", "why", crate::words::text(&why.english, why.words.as_ref())),
        ),
        Error::Invalid(errors) => {
            let list: Vec<String> = errors.iter().map(|e| crate::words::text(&e.message, e.words.as_ref())).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, t("error-please-check"), list.join("; "))
        }
        Error::Conflict(why) => (StatusCode::CONFLICT, t("error-could-not"), crate::words::text(&why.english, why.words.as_ref())),
        Error::VersionRequired | Error::Stale { .. } => (StatusCode::CONFLICT, t("error-changed-meanwhile"), t("error-reload")),
        Error::TooLarge { limit } => {
            let limit = i64::try_from(*limit).unwrap_or(i64::MAX);
            (StatusCode::PAYLOAD_TOO_LARGE, t("error-too-large"), t1("error-most-bytes", "limit", greenlight_i18n::number(limit)))
        }
        Error::UnsupportedMedia(what) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, t("error-unsupported-file"), what.clone()),
        Error::Internal(err) => {
            tracing::error!(error = %err, "internal error in a page");
            let id = crate::observe::request_id().unwrap_or_default();
            (StatusCode::INTERNAL_SERVER_ERROR, t("error-went-wrong"), crate::t1("error-logged", "id", id))
        }
    }
}

/// A thing the service says it could not find ("open review"), in the
/// reader's words: `noun-open-review`.
fn noun(what: &str) -> String {
    let key = format!("noun-{}", what.replace(' ', "-"));
    if greenlight_i18n::defines(greenlight_i18n::Lang::En, &key) { crate::t(&key) } else { what.to_owned() }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.error, Error::Unauthenticated) {
            return auth::to_login(self.htmx, "/");
        }
        let (status, heading, message) = describe(&self.error);
        if self.htmx {
            let mut response = render(status, &NoticeFragment { kind: "error", message: format!("{heading}: {message}") });
            let headers = response.headers_mut();
            headers.insert("hx-retarget", HeaderValue::from_static("#notice"));
            headers.insert("hx-reswap", HeaderValue::from_static("innerHTML"));
            return response;
        }
        render(status, &ErrorPage { assets: assets::urls(), heading, message })
    }
}

pub type PageResult = Result<Response, PageError>;

/// An address nothing answers: a page for a browser (it asks for HTML), a
/// problem document for a program and for anything under `/api/`.
pub async fn not_found(uri: axum::http::Uri, headers: HeaderMap) -> Response {
    let wants_html = headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if uri.path().starts_with("/api/") || !wants_html {
        return crate::problem::Problem::not_found().into_response();
    }
    PageError::new(Error::NotFound("page"), &headers).into_response()
}

/// `?` for service calls in a page handler: the error becomes a page (or notice).
pub trait OrPage<T> {
    fn or_page(self, headers: &HeaderMap) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, Error> {
    fn or_page(self, headers: &HeaderMap) -> Result<T, PageError> {
        self.map_err(|e| PageError::new(e, headers))
    }
}

/// After a form's action: to `to`, keeping htmx's history right.
pub fn see_other(headers: &HeaderMap, to: &str) -> Response {
    if is_htmx(headers) {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Ok(value) = HeaderValue::from_str(to) {
            response.headers_mut().insert("hx-location", value);
        }
        return response;
    }
    Redirect::to(to).into_response()
}

/// The signed-in member's first workspace's calendar, or the list of none.
async fn home(axum::extract::State(s): axum::extract::State<AppState>, member: Member, headers: HeaderMap) -> PageResult {
    let chrome = Chrome::plain(&s.app, &member, crate::t("app-your-workspaces"), "home").await.or_page(&headers)?;
    if let [(only, _)] = chrome.workspaces.as_slice() {
        return Ok(Redirect::to(&format!("/w/{only}/calendar")).into_response());
    }
    Ok(render(StatusCode::OK, &view::Home { chrome }))
}
