//! Signing in and out of the web app, and who a page's request is from.
//!
//! The app shares the API's session cookie. Pages need a session (else the
//! reader is sent to sign in, and back afterwards); every write carries the
//! session's CSRF token, as the form's `csrf` field or, from htmx, as the
//! `X-CSRF-Token` header.

use askama::Template;
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::{CookieJar, cookie::Cookie};
use greenlight_domain::names::Email;
use greenlight_service::views::User;
use greenlight_service::{Caller, Error, accounts};
use serde::{Deserialize, de::DeserializeOwned};
use subtle::ConstantTimeEq;

use super::{Problems, is_htmx, render};
use crate::{
    AppState, assets,
    extract::{CSRF_HEADER, SESSION_COOKIE},
};

/// A signed-in member: the caller, the user and the session's CSRF token.
pub struct Member {
    pub caller: Caller,
    pub user: User,
    pub csrf: String,
}

/// Where a reader without a session goes: the sign-in page, which brings
/// them back to `next`.
pub fn to_login(htmx: bool, next: &str) -> Response {
    let to = format!("/login?next={}", url_escape(next));
    if htmx {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(value) = HeaderValue::from_str(&to) {
            response.headers_mut().insert("hx-redirect", value);
        }
        return response;
    }
    Redirect::to(&to).into_response()
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only paths of this site may be returned to after signing in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let htmx = is_htmx(&parts.headers);
        let here = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else { return Err(to_login(htmx, &here)) };
        match accounts::session_caller(&state.app, &secret).await {
            Ok((caller, user, csrf)) => Ok(Member { caller, user, csrf }),
            Err(Error::Unauthenticated) => Err(to_login(htmx, &here)),
            Err(other) => Err(super::PageError::new(other, &parts.headers).into_response()),
        }
    }
}

#[derive(Template)]
#[template(path = "app/csrf.html")]
struct CsrfRefused {
    assets: &'static assets::Urls,
}

/// A form a member submitted: its fields as `T`, after the CSRF token (a
/// field `csrf`, or htmx's header) was checked against the session's.
/// Repeated fields (`label_ids=…&label_ids=…`) fill lists.
pub struct Submitted<T> {
    pub member: Member,
    pub form: T,
    pub headers: HeaderMap,
}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Submitted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let member = Member::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state).await.map_err(IntoResponse::into_response)?;
        let sent_header = headers.get(CSRF_HEADER).map(|v| v.as_bytes().to_vec());
        let sent_field = serde_html_form::from_bytes::<Token>(&bytes).map(|t| t.csrf.into_bytes()).unwrap_or_default();
        let sent = sent_header.unwrap_or(sent_field);
        if !bool::from(sent.ct_eq(member.csrf.as_bytes())) {
            return Err(render(StatusCode::FORBIDDEN, &CsrfRefused { assets: assets::urls() }));
        }
        let form = serde_html_form::from_bytes::<T>(&bytes).map_err(|e| {
            super::PageError::new(Error::Invalid(vec![greenlight_domain::validation::FieldError::new("form", e.to_string())]), &headers)
                .into_response()
        })?;
        Ok(Submitted { member, form, headers })
    }
}

#[derive(Template)]
#[template(path = "app/login.html")]
struct LoginPage {
    assets: &'static assets::Urls,
    next: String,
    email: String,
    problems: Problems,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn login_page(Query(q): Query<Next>) -> Response {
    let page =
        LoginPage { assets: assets::urls(), next: safe_next(q.next.as_deref()), email: String::new(), problems: Problems::default() };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// Signs in from the form. Limited per address like the API's login; the
/// email typed stays in the form when it fails.
pub async fn login(State(state): State<AppState>, jar: CookieJar, headers: HeaderMap, body: Bytes) -> Response {
    let form: LoginForm = match serde_html_form::from_bytes(&body) {
        Ok(f) => f,
        Err(_) => {
            return render(
                StatusCode::BAD_REQUEST,
                &LoginPage {
                    assets: assets::urls(),
                    next: "/".into(),
                    email: String::new(),
                    problems: Problems::general(crate::t("auth-fill-in")),
                },
            );
        }
    };
    let next = safe_next(form.next.as_deref());
    let again = |message: &str, status: StatusCode| {
        render(
            status,
            &LoginPage { assets: assets::urls(), next: next.clone(), email: form.email.clone(), problems: Problems::general(message) },
        )
    };
    if crate::extract::cross_site(&headers) {
        return again(&crate::t("auth-cross-site"), StatusCode::FORBIDDEN);
    }
    let Ok(email) = Email::parse(&form.email) else { return again(&crate::t("auth-wrong"), StatusCode::UNAUTHORIZED) };
    let attempt = match state.login_limit.attempt(&state.app, email.as_str()).await {
        Ok(Some(attempt)) => attempt,
        Ok(None) => return again(&crate::t("auth-too-many"), StatusCode::TOO_MANY_REQUESTS),
        Err(other) => return super::PageError::new(other, &headers).into_response(),
    };
    match accounts::login(&state.app, email.as_str(), &form.password).await {
        Ok(login) => {
            if let Err(other) = attempt.succeeded(&state.app).await {
                return super::PageError::new(other, &headers).into_response();
            }
            let lasts = login.expires_at.duration_since(state.app.now());
            let cookie = crate::extract::session_cookie(login.session_secret, lasts, state.settings.secure_cookies);
            // The user's own language, on this browser too.
            let lang = login.user.language.as_deref().and_then(greenlight_i18n::Lang::parse);
            let jar = jar.add(cookie).add(crate::locale::cookie(lang, state.settings.secure_cookies));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(Error::Unauthenticated) => again(&crate::t("auth-wrong"), StatusCode::UNAUTHORIZED),
        Err(other) => super::PageError::new(other, &headers).into_response(),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

/// Signs out: ends the session, clears the cookie, back to the sign-in page.
pub async fn logout(State(state): State<AppState>, jar: CookieJar, submitted: Submitted<Empty>) -> Response {
    if let Some(cookie) = jar.get(SESSION_COOKIE)
        && let Err(err) = accounts::logout(&state.app, cookie.value()).await
    {
        return super::PageError::new(err, &submitted.headers).into_response();
    }
    let removal = Cookie::build((SESSION_COOKIE, "")).path("/");
    (jar.remove(removal), Redirect::to("/login")).into_response()
}
