//! The review view and "my reviews": the revision under review and its diff
//! against the last approved one, the workflow's stages with who is asked,
//! who has decided and when each is due; the decision with its checklist;
//! threaded comments anchored to words or a spot of an image.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
};
use greenlight_domain::{
    canonical::Hash,
    comment::{Target, Visibility},
    content::Content,
    diff::Op,
    id::{CommentId, MediaId, PostId, UserId, WorkspaceId},
    permission::Permission,
    preflight::Check,
    workflow::{Principal, ReviewStatus, Verdict, review::StageStatus},
};
use greenlight_service::views::Revision;
use greenlight_service::{App, Error, comments, posts, preflight, reviews, workflows, workspaces};
use serde::Deserialize;

use super::{
    Chrome, Member, OrPage, PageError, PagePath, PageResult, Problems,
    auth::Submitted,
    posts::{ChannelCheck, checks},
    render, see_other,
    view::{state_label, when, zone},
};
use crate::AppState;

pub struct StageView {
    pub name: String,
    pub status: &'static str,
    pub current: bool,
    pub due: String,
    pub overdue: bool,
    pub lanes: Vec<(String, String)>,
    pub decisions: Vec<String>,
}

pub struct ChecklistView {
    pub key: String,
    pub label: String,
    pub automatic: bool,
    pub done: bool,
    pub required: bool,
}

pub struct ThreadView {
    pub id: String,
    pub author: String,
    pub when: String,
    pub body: String,
    pub about: String,
    pub external: bool,
    pub resolved: bool,
    pub replies: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "app/review.html")]
struct ReviewPage {
    chrome: Chrome,
    ws: String,
    post_id: String,
    title: String,
    state: &'static str,
    state_label: String,
    planned: String,
    workflow: String,
    revision_number: i64,
    revision_hash: String,
    text: String,
    media: Vec<(String, String, String)>,
    diff_from: i64,
    diff: Vec<(String, Vec<(&'static str, String)>)>,
    revisions: Vec<i64>,
    stages: Vec<StageView>,
    can_decide: bool,
    waiting: String,
    checklist: Vec<ChecklistView>,
    lanes: Vec<String>,
    threads: Vec<ThreadView>,
    members: Vec<(String, String)>,
    can_comment: bool,
    channels: Vec<ChannelCheck>,
    problems: Problems,
    notice: String,
    comment: String,
    csrf: String,
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    #[serde(default)]
    from: Option<i64>,
    #[serde(default)]
    done: Option<String>,
}

fn principal_name(p: &Principal, names: &BTreeMap<UserId, String>) -> String {
    match p {
        Principal::User(u) => names.get(u).cloned().unwrap_or_else(|| "a former member".into()),
        Principal::External(e) => format!("{} (outside)", e.as_str()),
    }
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Approve => "approved",
        Verdict::RequestChanges => "asked for changes",
        Verdict::Reject => "rejected",
    }
}

/// What a thread is about, in words: the quoted words, a spot of an image,
/// the post as a whole.
fn about(target: &Option<Target>, content_text: &str) -> String {
    match target {
        Some(Target::Text { start, end }) => {
            let quote: String = content_text.chars().skip(*start).take(end.saturating_sub(*start)).collect();
            format!("On the words “{quote}”")
        }
        // The region's middle, where the reviewer clicked.
        Some(Target::Image { x, y, width, height, .. }) => {
            format!("On a spot of the image ({:.0}% across, {:.0}% down)", (x + width / 2.0) * 100.0, (y + height / 2.0) * 100.0)
        }
        None => "On the post".into(),
    }
}

struct Draw {
    problems: Problems,
    notice: String,
    comment: String,
    status: StatusCode,
    from: Option<i64>,
}

impl Draw {
    /// The page again after a refused form: why, and the words typed.
    fn refused(e: &Error, comment: String) -> Draw {
        Draw {
            problems: Problems::general(super::said(e, false)),
            notice: String::new(),
            comment,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            from: None,
        }
    }
}

async fn draw(app: &App, member: Member, ws: WorkspaceId, id: PostId, d: Draw, headers: &HeaderMap) -> PageResult {
    let post = posts::post(app, &member.caller, ws, id).await.or_page(headers)?;
    let chrome = Chrome::of(app, &member, ws, format!("Review: {}", post.title), "reviews").await.or_page(headers)?;
    let tz = zone(chrome.ws.as_ref().map_or("UTC", |w| w.time_zone.as_str()));
    let role = workspaces::role(app, &member.caller, ws).await.or_page(headers)?;
    let names: BTreeMap<UserId, String> =
        workspaces::members(app, &member.caller, ws).await.or_page(headers)?.into_iter().map(|m| (m.user_id, m.name)).collect();
    let revisions = posts::revisions(app, &member.caller, ws, id).await.or_page(headers)?;
    let view = match reviews::review(app, &member.caller, ws, id).await {
        Ok(v) => Some(v),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(PageError::new(e, headers)),
    };
    let Some(view) = view else {
        return Ok(see_other(headers, &format!("/w/{ws}/posts/{id}")));
    };
    let current: Hash = view.current_revision;
    let under: &Revision = revisions
        .iter()
        .rev()
        .find(|r| r.content_hash == current)
        .or(revisions.last())
        .ok_or_else(|| PageError::new(Error::Internal("a review without its revision".into()), headers))?;
    let workflow =
        workflows::workflow(app, &member.caller, ws, view.record.workflow_id, Some(view.record.workflow_version)).await.or_page(headers)?;
    let run = &view.record.run;
    // The diff: against the last approved revision other than this one, else the one before.
    let approved_before = run
        .decisions
        .iter()
        .rev()
        .filter(|d| d.verdict == Verdict::Approve && d.revision != current)
        .find_map(|d| revisions.iter().find(|r| r.content_hash == d.revision).map(|r| r.number));
    let diff_from = d.from.or(approved_before).unwrap_or(under.number - 1).clamp(1, under.number.max(1));
    let diff = if diff_from < under.number {
        let changes = posts::diff_revisions(app, &member.caller, ws, id, diff_from, under.number).await.or_page(headers)?;
        changes
            .changes
            .into_iter()
            .map(|c| {
                let parts = c
                    .segments
                    .into_iter()
                    .map(|s| {
                        let kind = match s.op {
                            Op::Equal => "",
                            Op::Delete => "del",
                            Op::Insert => "ins",
                        };
                        (kind, s.text)
                    })
                    .collect();
                (c.field, parts)
            })
            .collect()
    } else {
        Vec::new()
    };
    let me = member.caller.user.map(Principal::User);
    let active = run.active_stage().filter(|_| run.status == ReviewStatus::Active);
    let stages = workflow
        .definition
        .stages
        .iter()
        .zip(&run.stages)
        .enumerate()
        .map(|(i, (def, st))| StageView {
            name: def.name.clone(),
            status: match st.status {
                StageStatus::Pending => "waiting for earlier stages",
                StageStatus::Skipped => "skipped",
                StageStatus::Active => "in progress",
                StageStatus::Complete => "approved",
            },
            current: active == Some(i),
            due: st.due_at.map(|t| when(t, &tz)).unwrap_or_default(),
            overdue: st.status == StageStatus::Active && st.due_at.is_some_and(|t| t < app.now()),
            lanes: def
                .lanes
                .iter()
                .zip(&st.lanes)
                .map(|(l, lr)| {
                    let who: Vec<String> = lr.asked.iter().map(|p| principal_name(p, &names)).collect();
                    (l.name.clone(), if who.is_empty() { "—".into() } else { who.join(", ") })
                })
                .collect(),
            decisions: run
                .decisions
                .iter()
                .filter(|dd| dd.stage == st.key)
                .map(|dd| {
                    let number = revisions.iter().find(|r| r.content_hash == dd.revision).map_or(0, |r| r.number);
                    let by = principal_name(&dd.by, &names);
                    let stood_in =
                        if dd.by != dd.for_whom { format!(" for {}", principal_name(&dd.for_whom, &names)) } else { String::new() };
                    let said = dd.comment.as_deref().map(|c| format!(": “{c}”")).unwrap_or_default();
                    format!("{by}{stood_in} {} revision {number} on {}{said}", verdict(dd.verdict), when(dd.at, &tz))
                })
                .collect(),
        })
        .collect();
    let can_decide = role.can(Permission::DecideReviews) && me.as_ref().is_some_and(|m| view.waiting_for.contains(m));
    let waiting: Vec<String> = view.waiting_for.iter().map(|p| principal_name(p, &names)).collect();
    // The checklist: manual items to tick, automatic ones from preflight now.
    let report = preflight::revision_report(app, &member.caller, ws, id, under.number).await.or_page(headers)?;
    let open: std::collections::BTreeSet<Check> = report.channels.iter().flat_map(|c| c.report.open_checks()).collect();
    let (checklist, lanes) = match active.and_then(|i| workflow.definition.stages.get(i)) {
        Some(stage) => (
            stage
                .checklist
                .iter()
                .map(|c| ChecklistView {
                    key: c.key.clone(),
                    label: c.label.clone(),
                    automatic: c.automatic.is_some(),
                    done: c.automatic.is_some_and(|check| !open.contains(&check)),
                    required: c.required,
                })
                .collect(),
            stage
                .lanes
                .iter()
                .filter(|l| {
                    run.stages
                        .get(active.unwrap_or(0))
                        .is_some_and(|s| s.lanes.iter().any(|lr| lr.key == l.key && me.as_ref().is_some_and(|m| lr.asked.contains(m))))
                })
                .map(|l| l.key.clone())
                .collect::<Vec<_>>(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let channel_map =
        greenlight_service::planning::channels(app, &member.caller, ws).await.or_page(headers)?.into_iter().map(|c| (c.id, c)).collect();
    let content: &Content = &under.content;
    let threads = comments::comments(app, &member.caller, ws, id, comments::CommentQuery::default())
        .await
        .or_page(headers)?
        .into_iter()
        .map(|t| {
            let author = |c: &greenlight_service::views::Comment| match (c.author_id, &c.author_name) {
                (Some(u), _) => names.get(&u).cloned().unwrap_or_else(|| "a former member".into()),
                (None, Some(n)) => format!("{n} (outside)"),
                (None, None) => "someone".into(),
            };
            let rev_text =
                revisions.iter().find(|r| r.number == t.comment.anchor.revision).map(|r| r.content.text.clone()).unwrap_or_default();
            ThreadView {
                id: t.comment.id.to_string(),
                author: author(&t.comment),
                when: when(t.comment.created_at, &tz),
                body: t.comment.body.clone(),
                about: format!("{} (revision {})", about(&t.comment.anchor.target, &rev_text), t.comment.anchor.revision),
                external: t.comment.visibility == Visibility::External,
                resolved: t.comment.resolved_at.is_some(),
                replies: t.replies.iter().map(|r| (author(r), when(r.created_at, &tz), r.body.clone())).collect(),
            }
        })
        .collect();
    let page = ReviewPage {
        ws: ws.to_string(),
        post_id: id.to_string(),
        title: post.title.clone(),
        state: post.state.as_str(),
        state_label: state_label(&post),
        planned: post.planned.as_ref().map(|p| when(p.at, &zone(p.zone.as_str()))).unwrap_or_else(|| "not planned yet".into()),
        workflow: workflow.name.clone(),
        revision_number: under.number,
        revision_hash: current.to_string(),
        text: content.text.clone(),
        media: content
            .media
            .iter()
            .map(|m| {
                (
                    m.media_id.to_string(),
                    format!("/api/v1/workspaces/{ws}/media/{}/content", m.media_id),
                    m.alt_text.clone().unwrap_or_default(),
                )
            })
            .collect(),
        diff_from,
        diff,
        revisions: revisions.iter().map(|r| r.number).filter(|n| *n < under.number).collect(),
        stages,
        can_decide,
        waiting: if waiting.is_empty() { "nobody".into() } else { waiting.join(", ") },
        checklist,
        lanes,
        threads,
        members: names.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(),
        can_comment: role.can(Permission::CommentOnPosts),
        channels: checks(&report, content, &channel_map),
        problems: d.problems,
        notice: d.notice,
        comment: d.comment,
        csrf: member.csrf.clone(),
        chrome,
    };
    Ok(render(d.status, &page))
}

pub async fn page(
    State(s): State<AppState>,
    member: Member,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    Query(q): Query<ReviewQuery>,
    headers: HeaderMap,
) -> PageResult {
    let notice = match q.done.as_deref() {
        Some("approve") => "You approved it.",
        Some("request_changes") => "You asked for changes.",
        Some("reject") => "You rejected it.",
        Some("comment") => "Comment added.",
        _ => "",
    };
    let d = Draw { problems: Problems::default(), notice: notice.into(), comment: String::new(), status: StatusCode::OK, from: q.from };
    draw(&s.app, member, ws, id, d, &headers).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    verdict: String,
    revision: String,
    comment: String,
    checklist: Vec<String>,
    lane: String,
}

pub async fn decide(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    submitted: Submitted<DecideForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let verdict = match form.verdict.as_str() {
        "approve" => Verdict::Approve,
        "request_changes" => Verdict::RequestChanges,
        "reject" => Verdict::Reject,
        _ => return Err(PageError::new(Error::field("verdict", "approve, request changes or reject"), &headers)),
    };
    let Some(revision) = Hash::parse(&form.revision) else {
        return Err(PageError::new(Error::field("revision", "the revision you saw"), &headers));
    };
    let input = reviews::DecisionRequest {
        verdict,
        revision,
        comment: Some(form.comment.clone()).filter(|c| !c.trim().is_empty()),
        checklist: form.checklist.iter().cloned().collect(),
        lane: Some(form.lane.clone()).filter(|l| !l.is_empty()),
    };
    match reviews::decide(&s.app, &member.caller, ws, id, input).await {
        Ok(_) => Ok(see_other(&headers, &format!("/w/{ws}/posts/{id}/review?done={}", form.verdict))),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::Forbidden(_))) => {
            draw(&s.app, member, ws, id, Draw::refused(&e, form.comment), &headers).await
        }
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    body: String,
    parent_id: String,
    anchor: String,
    start: String,
    end: String,
    media_id: String,
    x: String,
    y: String,
    width: String,
    height: String,
    visibility: String,
    mentions: Vec<String>,
}

impl CommentForm {
    fn target(&self) -> Option<Target> {
        let n = |s: &str| s.parse::<f64>().ok();
        match self.anchor.as_str() {
            "text" => Some(Target::Text { start: self.start.parse().ok()?, end: self.end.parse().ok()? }),
            "image" => Some(Target::Image {
                media_id: self.media_id.parse::<MediaId>().ok()?,
                x: n(&self.x)?,
                y: n(&self.y)?,
                width: n(&self.width)?,
                height: n(&self.height)?,
            }),
            _ => None,
        }
    }
}

pub async fn comment(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    submitted: Submitted<CommentForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let parent = form.parent_id.parse::<CommentId>().ok();
    let input = comments::NewComment {
        body: form.body.clone(),
        anchor: if parent.is_some() {
            None
        } else {
            form.target().map(|t| comments::AnchorInput { target: Some(t), ..Default::default() })
        },
        parent_id: parent,
        mentions: form.mentions.iter().filter_map(|m| m.parse().ok()).collect(),
        visibility: match form.visibility.as_str() {
            "external" => Some(Visibility::External),
            "internal" => Some(Visibility::Internal),
            _ => None,
        },
    };
    match comments::add_comment(&s.app, &member.caller, ws, id, input).await {
        Ok(_) => Ok(see_other(&headers, &format!("/w/{ws}/posts/{id}/review?done=comment"))),
        Err(e @ Error::Invalid(_)) => draw(&s.app, member, ws, id, Draw::refused(&e, form.body), &headers).await,
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResolveForm {
    reopen: Option<String>,
}

pub async fn resolve(
    State(s): State<AppState>,
    PagePath((ws, id, comment)): PagePath<(WorkspaceId, PostId, CommentId)>,
    submitted: Submitted<ResolveForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    if form.reopen.is_some() {
        comments::reopen(&s.app, &member.caller, ws, id, comment).await.or_page(&headers)?;
    } else {
        comments::resolve(&s.app, &member.caller, ws, id, comment).await.or_page(&headers)?;
    }
    Ok(see_other(&headers, &format!("/w/{ws}/posts/{id}/review")))
}

pub struct WaitingView {
    pub href: String,
    pub title: String,
    pub workspace: String,
    pub stage: String,
    pub due: String,
    pub overdue: bool,
    /// Approve straight from the list: the stage has nothing to tick.
    pub quick: Option<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "app/my_reviews.html")]
struct MyReviews {
    chrome: Chrome,
    items: Vec<WaitingView>,
    csrf: String,
}

/// Everything that waits for the member, soonest due first, overdue marked.
pub async fn my_reviews(State(s): State<AppState>, member: Member, headers: HeaderMap) -> PageResult {
    let chrome = Chrome::plain(&s.app, &member, "My reviews", "reviews").await.or_page(&headers)?;
    let names: BTreeMap<String, String> = chrome.workspaces.iter().map(|(id, n)| (id.to_string(), n.clone())).collect();
    let waiting = reviews::my_reviews(&s.app, &member.caller).await.or_page(&headers)?;
    let mut zones: BTreeMap<WorkspaceId, jiff::tz::TimeZone> = BTreeMap::new();
    let mut items = Vec::new();
    for w in waiting {
        let ws = w.workspace_id;
        // Each workspace's zone read once, not once per review.
        let tz = match zones.get(&ws) {
            Some(tz) => tz.clone(),
            None => {
                let name = workspaces::workspace(&s.app, &member.caller, ws).await.map(|w| w.time_zone).unwrap_or_else(|_| "UTC".into());
                zones.entry(ws).or_insert(zone(&name)).clone()
            }
        };
        let quick =
            w.verdict_only.then(|| (format!("/w/{ws}/posts/{}/decide", w.post_id), w.current_revision.to_string(), w.post_title.clone()));
        items.push(WaitingView {
            href: format!("/w/{ws}/posts/{}/review", w.post_id),
            title: w.post_title,
            workspace: names.get(&ws.to_string()).cloned().unwrap_or_default(),
            stage: w.stage,
            due: w.due_at.map(|t| when(t, &tz)).unwrap_or_else(|| "no due time".into()),
            overdue: w.overdue,
            quick,
        });
    }
    Ok(render(StatusCode::OK, &MyReviews { chrome, items, csrf: member.csrf.clone() }))
}
