//! Search: a workspace's posts by their words, title, brief, campaign or
//! label, newest first, each with the words around the hit.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
};
use greenlight_domain::id::WorkspaceId;
use greenlight_service::posts;
use serde::Deserialize;

use super::{
    Chrome, Member, OrPage, PagePath, PageResult, Problems, render,
    view::{state_label, when, zone},
};
use crate::AppState;

pub struct HitView {
    pub href: String,
    pub title: String,
    pub state: &'static str,
    pub state_label: String,
    pub planned: String,
    /// Where the words were found, in words: "found in the title".
    pub found_in: String,
    pub before: String,
    pub hit: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "app/search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    hits: Vec<HitView>,
    most: usize,
    problems: Problems,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

pub async fn page(
    State(s): State<AppState>,
    member: Member,
    PagePath(ws): PagePath<WorkspaceId>,
    Query(query): Query<SearchQuery>,
    headers: HeaderMap,
) -> PageResult {
    let chrome = Chrome::of(&s.app, &member, ws, crate::t1("search-title-q", "q", query.q.trim()), "search").await.or_page(&headers)?;
    let (hits, problems) = match posts::search(&s.app, &member.caller, ws, &query.q).await {
        Ok(hits) => (hits, Problems::default()),
        Err(e @ greenlight_service::Error::Invalid(_)) => (Vec::new(), Problems::general(super::said(&e, false))),
        Err(e) => return Err(super::PageError::new(e, &headers)),
    };
    let hits = hits
        .into_iter()
        .map(|h| HitView {
            href: format!("/w/{ws}/posts/{}", h.post.id),
            title: h.post.title.clone(),
            state: h.post.state.as_str(),
            state_label: state_label(&h.post),
            planned: h.post.planned.as_ref().map(|p| when(p.at, &zone(p.zone.as_str()))).unwrap_or_else(|| crate::t("search-not-planned")),
            found_in: found_in(h.found_in),
            before: h.before,
            hit: h.hit,
            after: h.after,
        })
        .collect();
    Ok(render(StatusCode::OK, &SearchPage { chrome, q: query.q.trim().to_owned(), hits, most: posts::SEARCH_RESULTS, problems }))
}

/// Where a hit was found (`title`, `text`, `brief`, `campaign`, `label`), in words.
fn found_in(place: &str) -> String {
    match place {
        "title" => crate::t("search-found-in-title"),
        "text" => crate::t("search-found-in-text"),
        "brief" => crate::t("search-found-in-brief"),
        "campaign" => crate::t("search-found-in-campaign"),
        "label" => crate::t("search-found-in-label"),
        other => crate::t1("search-found-in-other", "place", other),
    }
}
