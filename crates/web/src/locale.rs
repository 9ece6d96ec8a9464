//! Which language a request is answered in: the user's own choice (kept in
//! a cookie set when they choose and when they sign in, so no page reads
//! the database for it), else the browser's `Accept-Language`, else
//! English. Every page and notice rendered for the request reads it.

use axum::{extract::Request, http::header, middleware::Next, response::Response};
use axum_extra::extract::{CookieJar, cookie::Cookie};
use greenlight_i18n::Lang;

pub const LANG_COOKIE: &str = "greenlight_lang";

pub async fn choose(jar: CookieJar, request: Request, next: Next) -> Response {
    let chosen = jar.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value()));
    let lang = chosen.unwrap_or_else(|| {
        let accept = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        Lang::from_accept_language(accept)
    });
    greenlight_i18n::scope(lang, next.run(request)).await
}

/// The cookie that keeps `lang` as the browser's language for a year, or
/// (none) removes it so the browser's own preference counts again.
pub fn cookie(lang: Option<Lang>, secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build((LANG_COOKIE, lang.map_or("", Lang::code)))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(axum_extra::extract::cookie::SameSite::Lax)
        .build();
    if lang.is_some() {
        cookie.set_max_age(time::Duration::days(365));
    } else {
        cookie.make_removal();
    }
    cookie
}
