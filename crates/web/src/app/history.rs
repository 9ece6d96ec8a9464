//! History as a person reads it: "Dana approved revision 3 at stage Legal,
//! 14:02" — from the audit log, a post's or the workspace's.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
};
use greenlight_domain::{
    audit::{Actor, Event},
    id::{PostId, UserId, WorkspaceId},
    network::Network,
};
use greenlight_service::{audit, posts, reviews, workflows, workspaces};
use serde::Deserialize;
use serde_json::Value;

use super::{
    Chrome, Member, OrPage, PagePath, PageResult, render,
    view::{when, zone},
};
use crate::AppState;

/// What the sentences need to name people, revisions and stages.
#[derive(Default)]
pub struct Names {
    pub people: BTreeMap<UserId, String>,
    /// Revision numbers by content hash.
    pub revisions: BTreeMap<String, i64>,
    /// Stage names by key.
    pub stages: BTreeMap<String, String>,
    /// The workspace's zone, for times within a sentence.
    pub zone: Option<jiff::tz::TimeZone>,
}

fn actor(a: &Actor, names: &Names) -> String {
    match a {
        Actor::User { user_id } => names.people.get(user_id).cloned().unwrap_or_else(|| "A former member".into()),
        Actor::Token { user_id, .. } => {
            format!("{} (API token)", names.people.get(user_id).cloned().unwrap_or_else(|| "A former member".into()))
        }
        Actor::External { name, .. } => format!("{name} (through a share link)"),
        Actor::Cli => "An administrator".into(),
        Actor::System => "Greenlight".into(),
    }
}

fn text<'a>(data: &'a Value, key: &str) -> &'a str {
    data.get(key).and_then(Value::as_str).unwrap_or("")
}

/// "an admin", "a reviewer", "an owner".
fn with_article(role: &str) -> String {
    if role.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {role}") } else { format!("a {role}") }
}

fn network_title(network: &str) -> &'static str {
    Network::parse(network).map_or("a", Network::title)
}

/// One event as a sentence.
pub fn sentence(e: &Event, names: &Names) -> String {
    let who = actor(&e.actor, names);
    let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
    let revision = |data: &Value| {
        let hash = text(data, "content_hash");
        names.revisions.get(hash).map(|n| format!("revision {n}")).unwrap_or_else(|| match data.get("revision").and_then(Value::as_i64) {
            Some(n) => format!("revision {n}"),
            None => "a revision".into(),
        })
    };
    let stage = |key: &str| names.stages.get(key).cloned().unwrap_or_else(|| key.to_owned());
    // A member named in the event's data, by name.
    let person = |key: &str| {
        text(&data, key).parse::<UserId>().ok().and_then(|u| names.people.get(&u).cloned()).unwrap_or_else(|| "a former member".into())
    };
    let role = |key: &str| text(&data, key).to_owned();
    match e.action.as_str() {
        "post.created" => format!("{who} created the post “{}”", text(&data, "title")),
        "post.revision_saved" => format!("{who} saved {}", revision(&data)),
        "post.updated" => format!("{who} changed the post's details"),
        "post.state_changed" => {
            format!("{who} moved the post from {} to {}", text(&data, "from").replace('_', " "), text(&data, "to").replace('_', " "))
        }
        "review.started" => format!("{who} submitted {} for review", revision(&data)),
        "review.resubmitted" => format!("{who} submitted it for review again"),
        "review.decided" => {
            let verdict = match text(&data, "verdict") {
                "approve" => "approved",
                "request_changes" => "asked for changes to",
                "reject" => "rejected",
                other => other,
            };
            let said = text(&data, "comment");
            let said = if said.is_empty() { String::new() } else { format!(": “{said}”") };
            format!("{who} {verdict} {} at stage {}{said}", revision(&data), stage(text(&data, "stage")))
        }
        "review.overridden" => format!("{who} approved stage {} outright: “{}”", stage(text(&data, "stage")), text(&data, "reason")),
        "review.withdrawn" => format!("{who} withdrew it from review"),
        "review.reminder" => format!("{who} reminded the reviewers at stage {}", stage(text(&data, "stage"))),
        "review.escalated" => format!("{who} escalated stage {}", stage(text(&data, "stage"))),
        "review.publish_time_passed" => format!("The planned time passed before approval ({who})"),
        "comment.added" => format!("{who} commented: “{}”", text(&data, "body").chars().take(120).collect::<String>()),
        "comment.edited" => format!("{who} edited a comment"),
        "share_link.created" => format!("{who} shared it through a link"),
        "share_link.visited" => format!("{who} opened a share link"),
        "style_guide.updated" => format!("{who} changed the style guide"),
        "note.added" => format!("{who} noted on {}: “{}”", text(&data, "day"), text(&data, "body")),
        "post.publish_now" => format!("{who} published it now"),
        "publication.published" | "publication.failed" => {
            let network = Network::parse(text(&data, "network")).map_or("a channel", Network::title);
            let to = format!("{network} ({})", text(&data, "handle"));
            let at = e.at.to_zoned(names.zone.clone().unwrap_or(jiff::tz::TimeZone::UTC)).strftime("%H:%M:%S");
            let tries =
                data.get("attempts").and_then(Value::as_i64).filter(|n| *n > 1).map(|n| format!(" after {n} attempts")).unwrap_or_default();
            if e.action == "publication.published" {
                let url = text(&data, "url");
                let url = if url.is_empty() { String::new() } else { format!(": {url}") };
                format!("{who} published it to {to} at {at}{tries}{url}")
            } else {
                format!("Publishing to {to} failed at {at}{tries}: {}", text(&data, "error"))
            }
        }
        "publication.retried" => format!("{who} retried publishing it"),
        "channel.connected" => format!("{who} connected a channel as {}", text(&data, "target")),
        "channel.disconnected" => format!("{who} disconnected a channel"),
        "channel.reconnect_needed" => format!("A channel needs connecting again: {}", text(&data, "detail")),
        "member.added" => format!("{who} added {} as {}", person("user_id"), with_article(&role("role"))),
        "member.role_changed" => format!("{who} made {} {} (was {})", person("user_id"), with_article(&role("to")), role("from")),
        "member.removed" => format!("{who} removed {} from the workspace", person("user_id")),
        "group.created" => format!("{who} created the group “{}”", text(&data, "name")),
        "group.member_added" => format!("{who} added {} to a group", person("user_id")),
        "group.member_removed" => format!("{who} took {} out of a group", person("user_id")),
        "group.deleted" => format!("{who} deleted a group"),
        "channel.created" => format!("{who} added the channel {} {}", network_title(text(&data, "network")), text(&data, "handle")),
        "channel.slots_changed" => format!("{who} changed a channel's posting times"),
        "campaign.created" => format!("{who} created the campaign “{}”", text(&data, "name")),
        "label.created" => format!("{who} created the label “{}”", text(&data, "name")),
        "workflow.created" => format!("{who} created the workflow “{}”", text(&data, "name")),
        "workflow.changed" => {
            format!(
                "{who} changed the workflow “{}” (version {})",
                text(&data, "name"),
                data.get("version").and_then(Value::as_i64).unwrap_or(0)
            )
        }
        "workflow.routes_set" => format!("{who} changed which workflow each post goes through"),
        "workspace.created" => format!("{who} created the workspace “{}”", text(&data, "name")),
        "workspace.updated" => format!("{who} changed the workspace's settings (“{}”, {})", text(&data, "name"), text(&data, "time_zone")),
        "media.uploaded" => format!("{who} uploaded {}", text(&data, "filename")),
        "token.created" => format!("{who} made the API token “{}” ({})", text(&data, "name"), role("role")),
        "token.revoked" => format!("{who} revoked an API token"),
        "webhook.created" => format!("{who} added the webhook “{}” to {}", text(&data, "name"), text(&data, "host")),
        "webhook.deleted" => format!("{who} deleted a webhook"),
        "webhook.paused" => format!("{who} paused a webhook"),
        "webhook.resumed" => format!("{who} resumed a webhook"),
        "webhook.redelivered" => format!("{who} sent a webhook delivery again"),
        "delegation.created" => format!("{who} had {} stand in for {}", person("delegate"), person("from")),
        "delegation.ended" => format!("{who} ended a stand-in"),
        "comment.resolved" => format!("{who} resolved a comment"),
        "comment.reopened" => format!("{who} reopened a comment"),
        "share_link.revoked" => format!("{who} revoked a share link"),
        "share_link.renewed" => format!("{who} renewed a share link"),
        "share_link.reissued" => format!("{who} made a share link anew"),
        "share_link.sent" => format!("{who} sent a share link"),
        "note.deleted" => format!("{who} deleted a calendar note"),
        "review.expired" => format!("The review of {} expired ({who})", revision(&data)),
        "notifications.defaults_set" => format!("{who} changed the workspace's notification defaults"),
        other => format!("{who}: {}", other.replace(['.', '_'], " ")),
    }
}

pub struct Line {
    pub when: String,
    pub sentence: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "app/history.html")]
struct HistoryPage {
    chrome: Chrome,
    heading: String,
    lines: Vec<Line>,
    /// The next page: older events.
    more: String,
    more_label: &'static str,
    /// Back to the latest events, from an older page.
    newest: String,
    back: String,
}

#[derive(Deserialize, Default)]
pub struct After {
    #[serde(default)]
    after: Option<i64>,
}

const PAGE: i64 = 100;

pub async fn post_history(
    State(s): State<AppState>,
    member: Member,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    Query(q): Query<After>,
    headers: HeaderMap,
) -> PageResult {
    let post = posts::post(&s.app, &member.caller, ws, id).await.or_page(&headers)?;
    let chrome = Chrome::of(&s.app, &member, ws, format!("History of {}", post.title), "calendar").await.or_page(&headers)?;
    let tz = zone(chrome.ws.as_ref().map_or("UTC", |w| w.time_zone.as_str()));
    let mut names = Names {
        zone: Some(tz.clone()),
        people: workspaces::members(&s.app, &member.caller, ws).await.or_page(&headers)?.into_iter().map(|m| (m.user_id, m.name)).collect(),
        ..Names::default()
    };
    names.revisions = posts::revisions(&s.app, &member.caller, ws, id)
        .await
        .or_page(&headers)?
        .into_iter()
        .map(|r| (r.content_hash.to_string(), r.number))
        .collect();
    if let Ok(review) = reviews::review(&s.app, &member.caller, ws, id).await
        && let Ok(wf) =
            workflows::workflow(&s.app, &member.caller, ws, review.record.workflow_id, Some(review.record.workflow_version)).await
    {
        names.stages = wf.definition.stages.iter().map(|st| (st.key.clone(), st.name.clone())).collect();
    }
    let events = audit::post_history(&s.app, &member.caller, ws, id, q.after.unwrap_or(0), PAGE).await.or_page(&headers)?;
    let more =
        if events.len() as i64 == PAGE { events.last().map(|e| format!("?after={}", e.seq)).unwrap_or_default() } else { String::new() };
    let lines = events.iter().map(|e| Line { when: when(e.at, &tz), sentence: sentence(e, &names), link: String::new() }).collect();
    Ok(render(
        StatusCode::OK,
        &HistoryPage {
            chrome,
            heading: format!("History of “{}”", post.title),
            lines,
            more,
            more_label: "Later events →",
            newest: String::new(),
            back: format!("/w/{ws}/posts/{id}"),
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct Before {
    #[serde(default)]
    before: Option<i64>,
}

/// The workspace's history, newest first; every sentence names who and
/// what, stages by their names.
pub async fn workspace_history(
    State(s): State<AppState>,
    member: Member,
    PagePath(ws): PagePath<WorkspaceId>,
    Query(q): Query<Before>,
    headers: HeaderMap,
) -> PageResult {
    let chrome = Chrome::of(&s.app, &member, ws, "History", "history").await.or_page(&headers)?;
    let tz = zone(chrome.ws.as_ref().map_or("UTC", |w| w.time_zone.as_str()));
    let mut names = Names {
        zone: Some(tz.clone()),
        people: workspaces::members(&s.app, &member.caller, ws).await.or_page(&headers)?.into_iter().map(|m| (m.user_id, m.name)).collect(),
        ..Names::default()
    };
    // Stage names from every workflow (a key two workflows share takes the first's name).
    for wf in workflows::workflows(&s.app, &member.caller, ws).await.or_page(&headers)? {
        for st in wf.definition.stages {
            names.stages.entry(st.key).or_insert(st.name);
        }
    }
    let events = audit::recent_workspace_history(&s.app, &member.caller, ws, q.before, PAGE).await.or_page(&headers)?;
    let more =
        if events.len() as i64 == PAGE { events.last().map(|e| format!("?before={}", e.seq)).unwrap_or_default() } else { String::new() };
    let lines = events
        .iter()
        .map(|e| Line {
            when: when(e.at, &tz),
            sentence: sentence(e, &names),
            link: match (e.subject_kind.as_str(), e.subject_id) {
                ("post", Some(id)) => format!("/w/{ws}/posts/{id}"),
                _ => String::new(),
            },
        })
        .collect();
    let heading = format!("History of {}", chrome.ws.as_ref().map(|w| w.name.clone()).unwrap_or_default());
    let newest = if q.before.is_some() { format!("/w/{ws}/history") } else { String::new() };
    Ok(render(
        StatusCode::OK,
        &HistoryPage { chrome, heading, lines, more, more_label: "Older events →", newest, back: format!("/w/{ws}/calendar") },
    ))
}
