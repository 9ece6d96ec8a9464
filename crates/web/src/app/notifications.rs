//! The bell's page: a member's notifications, newest first, unread ones
//! marked; opening one marks it read and goes to its post (the review, for
//! what asks to review or decide; the post's page for the rest).

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use greenlight_domain::{
    id::{NotificationId, PostId, WorkspaceId},
    notification::Kind,
};
use greenlight_service::notifications;
use serde::Deserialize;

use super::{Chrome, Member, OrPage, PageError, PagePath, PageResult, auth::Submitted, render, see_other, view::when};
use crate::AppState;

/// Notifications a page shows.
const PAGE: i64 = 50;

pub struct NotificationView {
    pub summary: String,
    pub workspace: String,
    pub when: String,
    pub unread: bool,
    /// Marks it read and goes to its post; empty when it has none.
    pub open: String,
}

#[derive(Template)]
#[template(path = "app/notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    items: Vec<NotificationView>,
    unread_only: bool,
    older: String,
    notice: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    cursor: Option<NotificationId>,
    unread: Option<String>,
    done: String,
}

/// Whether a notification of `kind` is best answered on the review page
/// (the rest, changes asked for included, on the post's page, where the
/// post is fixed and the feedback shows beside the editor).
fn on_review(kind: Kind) -> bool {
    matches!(kind, Kind::ReviewRequested | Kind::DecisionMade | Kind::Reminder | Kind::Escalation | Kind::Mention | Kind::Comment)
}

pub async fn page(State(s): State<AppState>, member: Member, Query(q): Query<ListQuery>, headers: HeaderMap) -> PageResult {
    let chrome = Chrome::plain(&s.app, &member, crate::t("notif-title"), "notifications").await.or_page(&headers)?;
    let unread_only = q.unread.is_some();
    let query = notifications::NotificationQuery { unread: Some(unread_only), cursor: q.cursor, limit: Some(PAGE) };
    let (items, next, _) = notifications::my_notifications(&s.app, &member.caller, query).await.or_page(&headers)?;
    let mut zones = super::view::Zones::default();
    let mut views = Vec::new();
    for n in items {
        let tz = zones.of(&s.app, &member, n.workspace_id).await;
        let open = match n.post_id {
            Some(post) => format!(
                "/my/notifications/{}/open?ws={}&post={post}{}",
                n.id,
                n.workspace_id,
                if on_review(n.kind) { "&review=1" } else { "" }
            ),
            None => String::new(),
        };
        views.push(NotificationView {
            summary: n.summary,
            workspace: chrome.workspaces.iter().find(|(id, _)| *id == n.workspace_id).map(|(_, name)| name.clone()).unwrap_or_default(),
            when: when(n.created_at, &tz),
            unread: n.read_at.is_none(),
            open,
        });
    }
    let older = next.map(|c| format!("/my/notifications?cursor={c}{}", if unread_only { "&unread=1" } else { "" })).unwrap_or_default();
    let notice = if q.done == "read" { crate::t("notif-marked-read") } else { String::new() };
    Ok(render(StatusCode::OK, &NotificationsPage { chrome, items: views, unread_only, older, notice }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OpenQuery {
    ws: Option<WorkspaceId>,
    post: Option<PostId>,
    review: Option<String>,
}

/// Marks one notification read and goes to its post.
pub async fn open(
    State(s): State<AppState>,
    member: Member,
    PagePath(id): PagePath<NotificationId>,
    Query(q): Query<OpenQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    notifications::mark_read(&s.app, &member.caller, notifications::MarkRead { ids: Some(vec![id]) }).await.or_page(&headers)?;
    // The address is built from typed ids, never taken as given.
    let to = match (q.ws, q.post) {
        (Some(ws), Some(post)) if q.review.is_some() => format!("/w/{ws}/posts/{post}/review"),
        (Some(ws), Some(post)) => format!("/w/{ws}/posts/{post}"),
        _ => "/my/notifications".into(),
    };
    Ok(see_other(&headers, &to))
}

#[derive(Deserialize, Default)]
pub struct ReadForm {}

/// Marks every notification read.
pub async fn read_all(State(s): State<AppState>, submitted: Submitted<ReadForm>) -> Result<Response, PageError> {
    let Submitted { member, headers, .. } = submitted;
    notifications::mark_read(&s.app, &member.caller, notifications::MarkRead { ids: None }).await.or_page(&headers)?;
    Ok(see_other(&headers, "/my/notifications?done=read"))
}
