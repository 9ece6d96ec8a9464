//! Request extractors: who is calling, and bodies whose rejections are
//! problem documents.

use axum::{
    extract::{FromRequest, FromRequestParts, Path, Query},
    http::{Method, header, request::Parts},
};
use axum_extra::extract::CookieJar;
use greenlight_service::{Caller, Error, accounts};
use subtle::ConstantTimeEq;

use crate::{AppState, problem::Problem};

pub const SESSION_COOKIE: &str = "greenlight_session";

/// The session cookie for a login: HttpOnly, SameSite=Lax, for the whole
/// site, lasting as long as the session.
pub fn session_cookie(secret: String, lasts: jiff::SignedDuration, secure: bool) -> axum_extra::extract::cookie::Cookie<'static> {
    axum_extra::extract::cookie::Cookie::build((SESSION_COOKIE, secret))
        .http_only(true)
        .same_site(axum_extra::extract::cookie::SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::seconds(lasts.as_secs()))
        .build()
}
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Whether a browser says this request was started by another site: forms
/// with no session to carry a CSRF token (signing in) refuse such requests,
/// or another site could sign a visitor into the attacker's account. After
/// Go's `CrossOriginProtection`: `Sec-Fetch-Site` when the browser sends it,
/// else `Origin` against `Host`; a request with neither is not a browser's.
pub fn cross_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin.split_once("://").is_none_or(|(_, authority)| !authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Problem))]
pub struct ApiJson<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(Path), rejection(Problem))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(Query), rejection(Problem))]
pub struct ApiQuery<T>(pub T);

/// Set by [`Auth`] when the caller came with the session cookie, so a
/// handler that needs the user or CSRF token does not look them up again.
#[derive(Clone)]
pub struct CurrentSession {
    pub user: greenlight_service::views::User,
    pub csrf_token: String,
}

/// The authenticated caller: `Authorization: Bearer glt_…`, or the session
/// cookie — which must carry the session's CSRF token on every write.
pub struct Auth(pub Caller);

impl FromRequestParts<AppState> for Auth {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let bearer = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(Error::Unauthenticated)?;
            return Ok(Auth(accounts::token_caller(&state.app, bearer.trim()).await?));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let secret = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).ok_or(Error::Unauthenticated)?;
        let (caller, user, csrf) = accounts::session_caller(&state.app, &secret).await?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
            if !bool::from(sent.ct_eq(csrf.as_bytes())) {
                return Err(Problem::csrf());
            }
        }
        parts.extensions.insert(CurrentSession { user, csrf_token: csrf });
        Ok(Auth(caller))
    }
}

/// The version a write is based on, from `If-Match: "3"` (or `W/"3"`).
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else { return Ok(IfMatch(None)) };
        let text = value.to_str().map_err(|_| Problem::bad_request("If-Match is not text"))?.trim();
        let text = text.strip_prefix("W/").unwrap_or(text);
        let version =
            text.trim_matches('"').parse().map_err(|_| Problem::bad_request("If-Match must be an ETag this API sent, like \"3\""))?;
        Ok(IfMatch(Some(version)))
    }
}
