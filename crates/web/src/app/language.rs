//! The language a member reads Greenlight in: English, Dansk, or whatever
//! their browser asks for. Saved on the user (their emails follow it) and
//! in a cookie (so pages need not read it).

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;
use greenlight_i18n::Lang;
use serde::Deserialize;

use super::{Chrome, Member, OrPage, PageError, PageResult, auth::Submitted, render, see_other, view::Choice};
use crate::AppState;

#[derive(Template)]
#[template(path = "app/language.html")]
struct LanguagePage {
    chrome: Chrome,
    choices: Vec<Choice>,
    saved: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    done: String,
}

pub async fn page(State(s): State<AppState>, member: Member, Query(q): Query<PageQuery>, headers: HeaderMap) -> PageResult {
    let chrome = Chrome::plain(&s.app, &member, crate::t("app-language"), "language").await.or_page(&headers)?;
    let chosen = member.user.language.as_deref().and_then(Lang::parse);
    let browser = Lang::from_accept_language(headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or(""));
    let mut choices =
        vec![Choice { value: String::new(), label: crate::t1("lang-browser", "lang", browser.native_name()), selected: chosen.is_none() }];
    choices.extend(Lang::ALL.into_iter().map(|l| Choice {
        value: l.code().into(),
        label: l.native_name().into(),
        selected: chosen == Some(l),
    }));
    Ok(render(StatusCode::OK, &LanguagePage { chrome, choices, saved: q.done == "saved" }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LanguageForm {
    language: String,
}

pub async fn save(State(s): State<AppState>, jar: CookieJar, submitted: Submitted<LanguageForm>) -> Result<Response, PageError> {
    let Submitted { member, form, headers } = submitted;
    let lang = greenlight_service::accounts::set_language(&s.app, &member.caller, Some(form.language.as_str())).await.or_page(&headers)?;
    let jar = jar.add(crate::locale::cookie(lang, s.settings.secure_cookies));
    Ok((jar, see_other(&headers, "/my/language?done=saved")).into_response())
}
