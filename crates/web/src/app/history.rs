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
use greenlight_i18n::{Arg, lookup};
use greenlight_service::{audit, posts, reviews, workflows, workspaces};
use serde::Deserialize;
use serde_json::Value;

use super::{
    Chrome, Member, OrPage, PagePath, PageResult, render,
    view::{when, zone},
};
use crate::{AppState, t, t1, t2, t3};

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
    let former = || t("history-actor-former-member");
    match a {
        Actor::User { user_id } => names.people.get(user_id).cloned().unwrap_or_else(former),
        Actor::Token { user_id, .. } => t1("history-actor-token", "name", names.people.get(user_id).cloned().unwrap_or_else(former)),
        Actor::External { name, .. } => t1("history-actor-external", "name", name),
        Actor::Cli => t("history-actor-cli"),
        Actor::System => "Greenlight".into(),
    }
}

fn text<'a>(data: &'a Value, key: &str) -> &'a str {
    data.get(key).and_then(Value::as_str).unwrap_or("")
}

fn network_title(network: &str) -> String {
    Network::parse(network).map_or_else(|| t("history-unknown-network"), |n| n.title().to_owned())
}

/// One event as a sentence.
pub fn sentence(e: &Event, names: &Names) -> String {
    let who = actor(&e.actor, names);
    let who = who.as_str();
    // Sentences with more values than `t3` takes.
    let lang = greenlight_i18n::current();
    let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
    let revision = |data: &Value| {
        let hash = text(data, "content_hash");
        names.revisions.get(hash).map(|n| t1("history-revision", "number", n)).unwrap_or_else(|| {
            match data.get("revision").and_then(Value::as_i64) {
                Some(n) => t1("history-revision", "number", n),
                None => t("history-a-revision"),
            }
        })
    };
    let stage = |key: &str| names.stages.get(key).cloned().unwrap_or_else(|| key.to_owned());
    // A member named in the event's data, by name.
    let person = |key: &str| {
        text(&data, key).parse::<UserId>().ok().and_then(|u| names.people.get(&u).cloned()).unwrap_or_else(|| t("history-former-member"))
    };
    // A role by its name ("creator"), and as "as …" names it ("a creator").
    let role = |key: &str| t1("wf-role-name", "role", text(&data, key));
    let role_as = |key: &str| t1("history-role-with-article", "role", text(&data, key));
    let state = |key: &str| t2("history-state", "state", text(&data, key), "label", text(&data, key).replace('_', " "));
    // "{who} did {what}", the one value most sentences take.
    let did = |key: &str| t1(key, "who", who);
    let did_to = |key: &str, name: &str, value: String| t2(key, "who", who, name, value);
    let data_text = |key: &str| text(&data, key).to_owned();
    match e.action.as_str() {
        "post.created" => did_to("history-post-created", "title", data_text("title")),
        "post.revision_saved" => did_to("history-revision-saved", "revision", revision(&data)),
        "post.updated" => did("history-post-updated"),
        "post.state_changed" => t3("history-post-state-changed", "who", who, "from", state("from"), "to", state("to")),
        "review.started" => did_to("history-review-started", "revision", revision(&data)),
        "review.resubmitted" => did("history-review-resubmitted"),
        "review.decided" => {
            let (revision, stage) = (revision(&data), stage(text(&data, "stage")));
            let decided = match text(&data, "verdict") {
                "approve" => t3("history-review-approved", "who", who, "revision", revision, "stage", stage),
                "request_changes" => t3("history-review-changes-requested", "who", who, "revision", revision, "stage", stage),
                "reject" => t3("history-review-rejected", "who", who, "revision", revision, "stage", stage),
                other => {
                    let values =
                        [("who", Arg::from(who)), ("verdict", other.into()), ("revision", revision.into()), ("stage", stage.into())];
                    lookup(lang, "history-review-decided", &values)
                }
            };
            let said = text(&data, "comment");
            if said.is_empty() { decided } else { format!("{decided}: “{said}”") }
        }
        "review.overridden" => {
            t3("history-review-overridden", "who", who, "stage", stage(text(&data, "stage")), "reason", text(&data, "reason"))
        }
        "review.approver_added" => {
            t3("history-review-approver-added", "who", who, "email", text(&data, "email"), "stage", stage(text(&data, "stage")))
        }
        "review.withdrawn" => did("history-review-withdrawn"),
        "review.seen" => did_to("history-review-seen", "stage", stage(text(&data, "stage"))),
        "review.reminder" => did_to("history-review-reminder", "stage", stage(text(&data, "stage"))),
        "review.escalated" => did_to("history-review-escalated", "stage", stage(text(&data, "stage"))),
        "review.publish_time_passed" => did("history-review-publish-time-passed"),
        "comment.added" => did_to("history-comment-added", "body", text(&data, "body").chars().take(120).collect::<String>()),
        "comment.edited" => did("history-comment-edited"),
        "share_link.created" => did("history-share-link-created"),
        "share_link.visited" => did("history-share-link-visited"),
        "style_guide.updated" => did("history-style-guide-updated"),
        "note.added" => t3("history-note-added", "who", who, "day", text(&data, "day"), "body", text(&data, "body")),
        "post.publish_now" => did("history-publish-now"),
        "publication.published" | "publication.failed" => {
            let network = Network::parse(text(&data, "network")).map_or_else(|| t("history-a-channel"), |n| n.title().to_owned());
            let to = format!("{network} ({})", text(&data, "handle"));
            let at = greenlight_i18n::date(
                e.at.to_zoned(names.zone.clone().unwrap_or(jiff::tz::TimeZone::UTC)).datetime(),
                greenlight_i18n::DateStyle::TimeSeconds,
            );
            let tries = data
                .get("attempts")
                .and_then(Value::as_i64)
                .filter(|n| *n > 1)
                .map(|n| format!(" {}", t1("history-after-attempts", "count", n)))
                .unwrap_or_default();
            if e.action == "publication.published" {
                let url = text(&data, "url");
                let url = if url.is_empty() { String::new() } else { format!(": {url}") };
                let values =
                    [("who", Arg::from(who)), ("to", to.into()), ("time", at.into()), ("tries", tries.into()), ("url", url.into())];
                lookup(lang, "history-published", &values)
            } else {
                let values = [("to", Arg::from(to)), ("time", at.into()), ("tries", tries.into()), ("error", data_text("error").into())];
                lookup(lang, "history-publish-failed", &values)
            }
        }
        "publication.retried" => did("history-publication-retried"),
        "channel.connected" => did_to("history-channel-connected", "target", data_text("target")),
        "channel.disconnected" => did("history-channel-disconnected"),
        "channel.reconnect_needed" => t1("history-channel-reconnect-needed", "detail", text(&data, "detail")),
        "member.added" => t3("history-member-added", "who", who, "person", person("user_id"), "role", role_as("role")),
        "member.role_changed" => {
            let values = [
                ("who", Arg::from(who)),
                ("person", person("user_id").into()),
                ("role", role_as("to").into()),
                ("from", role("from").into()),
            ];
            lookup(lang, "history-member-role-changed", &values)
        }
        "member.removed" => did_to("history-member-removed", "person", person("user_id")),
        "group.created" => did_to("history-group-created", "name", data_text("name")),
        "group.member_added" => did_to("history-group-member-added", "person", person("user_id")),
        "group.member_removed" => did_to("history-group-member-removed", "person", person("user_id")),
        "group.deleted" => did("history-group-deleted"),
        "channel.created" => {
            t3("history-channel-created", "who", who, "network", network_title(text(&data, "network")), "handle", text(&data, "handle"))
        }
        "channel.slots_changed" => did("history-channel-slots-changed"),
        "campaign.created" => did_to("history-campaign-created", "name", data_text("name")),
        "label.created" => did_to("history-label-created", "name", data_text("name")),
        "workflow.created" => did_to("history-workflow-created", "name", data_text("name")),
        "workflow.changed" => t3(
            "history-workflow-changed",
            "who",
            who,
            "name",
            text(&data, "name"),
            "version",
            data.get("version").and_then(Value::as_i64).unwrap_or(0),
        ),
        "workflow.routes_set" => did("history-workflow-routes-set"),
        "workspace.created" => did_to("history-workspace-created", "name", data_text("name")),
        "workspace.updated" => t3("history-workspace-updated", "who", who, "name", text(&data, "name"), "zone", text(&data, "time_zone")),
        "media.uploaded" => did_to("history-media-uploaded", "filename", data_text("filename")),
        "token.created" => t3("history-token-created", "who", who, "name", text(&data, "name"), "role", role("role")),
        "token.revoked" => did("history-token-revoked"),
        "webhook.created" => t3("history-webhook-created", "who", who, "name", text(&data, "name"), "host", text(&data, "host")),
        "webhook.deleted" => did("history-webhook-deleted"),
        "webhook.paused" => did("history-webhook-paused"),
        "webhook.resumed" => did("history-webhook-resumed"),
        "webhook.redelivered" => did("history-webhook-redelivered"),
        "delegation.created" => t3("history-delegation-created", "who", who, "delegate", person("delegate"), "from", person("from")),
        "delegation.ended" => did("history-delegation-ended"),
        "comment.resolved" => did("history-comment-resolved"),
        "comment.reopened" => did("history-comment-reopened"),
        "share_link.revoked" => did("history-share-link-revoked"),
        "share_link.renewed" => did("history-share-link-renewed"),
        "share_link.reissued" => did("history-share-link-reissued"),
        "share_link.sent" => did("history-share-link-sent"),
        "note.deleted" => did("history-note-deleted"),
        "review.expired" => t2("history-review-expired", "who", who, "revision", revision(&data)),
        "notifications.defaults_set" => did("history-notification-defaults-set"),
        other => t2("history-other", "who", who, "action", other.replace(['.', '_'], " ")),
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
    more_label: String,
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
    let chrome = Chrome::of(&s.app, &member, ws, t1("history-title-post", "title", &post.title), "calendar").await.or_page(&headers)?;
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
            heading: t1("history-heading-post", "title", &post.title),
            lines,
            more,
            more_label: t("history-later-events"),
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
    let chrome = Chrome::of(&s.app, &member, ws, t("history-title"), "history").await.or_page(&headers)?;
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
    let heading = t1("history-heading-workspace", "workspace", chrome.ws.as_ref().map(|w| w.name.clone()).unwrap_or_default());
    let newest = if q.before.is_some() { format!("/w/{ws}/history") } else { String::new() };
    Ok(render(
        StatusCode::OK,
        &HistoryPage { chrome, heading, lines, more, more_label: t("history-older-events"), newest, back: format!("/w/{ws}/calendar") },
    ))
}
