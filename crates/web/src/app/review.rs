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
    preview::{ChannelCheck, checks},
    render, see_other,
    view::{channel_name, state_label, when, zone},
};
use crate::AppState;

pub struct StageView {
    pub name: String,
    /// In English, for the template's classes; `status_label` is what it shows.
    pub status: &'static str,
    pub status_label: String,
    pub current: bool,
    pub due: String,
    pub overdue: bool,
    pub lanes: Vec<(String, String)>,
    /// Decisions on the revision under review.
    pub decisions: Vec<DecisionView>,
    /// Decisions on earlier revisions, folded away.
    pub earlier: Vec<DecisionView>,
}

/// A decision in words, with a mark that says the same: ✓ approved,
/// ↺ asked for changes, ✗ rejected.
#[derive(Clone)]
pub struct DecisionView {
    pub icon: &'static str,
    /// `approve`, `request_changes`, `reject`: the mark's colour.
    pub class: &'static str,
    pub words: String,
}

/// One field's change, as two columns: the earlier revision with what
/// went struck through, the later with what came marked.
pub struct DiffField {
    /// "Text", "Text on Bluesky riverside.bsky.social" …
    pub label: String,
    pub before: Vec<(&'static str, String)>,
    pub after: Vec<(&'static str, String)>,
}

impl DiffField {
    /// `channels` and `files` name the channels and media the field names by id.
    fn of(
        change: greenlight_domain::diff::FieldChange,
        channels: &BTreeMap<String, String>,
        files: &BTreeMap<String, String>,
    ) -> DiffField {
        let part = |name: &str| match name {
            "text" => crate::t("review-field-text"),
            "media" => crate::t("review-field-media"),
            "link" => crate::t("review-field-link"),
            "first_comment" => crate::t("review-field-first-comment"),
            "thread" => crate::t("review-field-thread"),
            _ => crate::t("review-field-other"),
        };
        let label = match change.field.strip_prefix("variants.").and_then(|rest| rest.split_once('.')) {
            Some((channel, name)) => crate::t2(
                "review-field-on",
                "field",
                part(name),
                "channel",
                channels.get(channel).cloned().unwrap_or_else(|| crate::t("review-channel-gone")),
            ),
            None => part(&change.field),
        };
        let named = |text: String| files.iter().fold(text, |t, (id, name)| t.replace(id.as_str(), name));
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for s in change.segments {
            let text = named(s.text);
            match s.op {
                Op::Equal => {
                    before.push(("", text.clone()));
                    after.push(("", text));
                }
                Op::Delete => before.push(("del", text)),
                Op::Insert => after.push(("ins", text)),
            }
        }
        DiffField { label, before, after }
    }
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
    /// Where it points, when at words: the revision's number, the channel
    /// ("" for the base text) and the characters.
    pub words: Option<(i64, String, usize, usize)>,
}

/// A text reviewers can select words of: the base text or a channel's own,
/// cut where open comments point so those words stay marked.
pub struct TextBlock {
    /// The channel's id; "" for the base text.
    pub channel: String,
    /// "Text", or "Text on Bluesky riverside.bsky.social".
    pub label: String,
    /// Pieces of the text, each with the thread it is marked for ("" for none).
    pub parts: Vec<(String, String)>,
}

impl TextBlock {
    fn of(channel: String, label: String, text: &str, threads: &[ThreadView], revision: i64) -> TextBlock {
        let chars: Vec<char> = text.chars().collect();
        let mut marks: Vec<&str> = vec![""; chars.len()];
        let on_this = threads.iter().filter(|t| !t.resolved).filter_map(|t| match &t.words {
            Some((r, c, start, end)) if *r == revision && *c == channel => Some((t.id.as_str(), *start, *end)),
            _ => None,
        });
        for (id, start, end) in on_this {
            for m in marks.iter_mut().take(end.min(chars.len())).skip(start) {
                *m = id;
            }
        }
        let mut parts: Vec<(String, String)> = Vec::new();
        for (c, m) in chars.iter().zip(marks) {
            match parts.last_mut() {
                Some((text, id)) if id == m => text.push(*c),
                _ => parts.push((c.to_string(), m.to_owned())),
            }
        }
        TextBlock { channel, label, parts }
    }
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
    /// "Revision 3 · Standard · planned …".
    meta: String,
    revision_number: i64,
    revision_hash: String,
    /// The base text and each channel's own, to select words of.
    texts: Vec<TextBlock>,
    media: Vec<(String, String, String)>,
    diff_from: i64,
    diff: Vec<DiffField>,
    revisions: Vec<i64>,
    stages: Vec<StageView>,
    can_decide: bool,
    waiting: String,
    checklist: Vec<ChecklistView>,
    lanes: Vec<String>,
    /// The workspace's preset reasons, to give with changes or a rejection.
    reasons: Vec<String>,
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

pub fn principal_name(p: &Principal, names: &BTreeMap<UserId, String>) -> String {
    match p {
        Principal::User(u) => names.get(u).cloned().unwrap_or_else(|| crate::t("review-former-member")),
        Principal::External(e) => crate::t1("review-outside-person", "name", e.as_str()),
    }
}

/// What a thread is about, in words: the quoted words, a spot of an image,
/// the post as a whole.
fn about(target: &Option<Target>, content_text: &str) -> String {
    match target {
        Some(Target::Text { start, end }) => {
            let quote: String = content_text.chars().skip(*start).take(end.saturating_sub(*start)).collect();
            crate::t1("review-about-words", "quote", quote)
        }
        // The region's middle, where the reviewer clicked.
        Some(Target::Image { x, y, width, height, .. }) => crate::t2(
            "review-about-image",
            "across",
            format!("{:.0}", (x + width / 2.0) * 100.0),
            "down",
            format!("{:.0}", (y + height / 2.0) * 100.0),
        ),
        None => crate::t("review-about-post"),
    }
}

/// The post's comment threads, each with what it is about in words.
pub async fn threads(
    app: &App,
    member: &Member,
    ws: WorkspaceId,
    id: PostId,
    names: &BTreeMap<UserId, String>,
    revisions: &[Revision],
    tz: &jiff::tz::TimeZone,
) -> Result<Vec<ThreadView>, Error> {
    let all = comments::comments(app, &member.caller, ws, id, comments::CommentQuery::default()).await?;
    Ok(all
        .into_iter()
        .map(|t| {
            let author = |c: &greenlight_service::views::Comment| match (c.author_id, &c.author_name) {
                (Some(u), _) => names.get(&u).cloned().unwrap_or_else(|| crate::t("review-former-member")),
                (None, Some(n)) => crate::t1("review-outside-person", "name", n),
                (None, None) => crate::t("review-someone"),
            };
            // The words it points at are in the channel's text, when it names a channel.
            let rev_text = revisions
                .iter()
                .find(|r| r.number == t.comment.anchor.revision)
                .map(|r| match t.comment.anchor.channel_id {
                    Some(c) => r.content.effective(c).text.to_owned(),
                    None => r.content.text.clone(),
                })
                .unwrap_or_default();
            let words = match &t.comment.anchor.target {
                Some(Target::Text { start, end }) => {
                    Some((t.comment.anchor.revision, t.comment.anchor.channel_id.map(|c| c.to_string()).unwrap_or_default(), *start, *end))
                }
                _ => None,
            };
            ThreadView {
                id: t.comment.id.to_string(),
                author: author(&t.comment),
                when: when(t.comment.created_at, tz),
                body: t.comment.body.clone(),
                about: crate::t2(
                    "review-about-revision",
                    "about",
                    about(&t.comment.anchor.target, &rev_text),
                    "number",
                    t.comment.anchor.revision,
                ),
                external: t.comment.visibility == Visibility::External,
                resolved: t.comment.resolved_at.is_some(),
                replies: t.replies.iter().map(|r| (author(r), when(r.created_at, tz), r.body.clone())).collect(),
                words,
            }
        })
        .collect())
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
    let chrome = Chrome::of(app, &member, ws, crate::t1("review-page-title", "title", &post.title), "reviews").await.or_page(headers)?;
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
    let channel_map: BTreeMap<greenlight_domain::id::ChannelId, greenlight_service::views::Channel> =
        greenlight_service::planning::channels(app, &member.caller, ws).await.or_page(headers)?.into_iter().map(|c| (c.id, c)).collect();
    let diff = if diff_from < under.number {
        let changes = posts::diff_revisions(app, &member.caller, ws, id, diff_from, under.number).await.or_page(headers)?;
        let channels: BTreeMap<String, String> = channel_map.values().map(|c| (c.id.to_string(), channel_name(c))).collect();
        // Media by file name, not by id.
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        for m in revisions.iter().flat_map(|r| r.content.media_ids()) {
            if let Ok(found) = greenlight_service::media::media(app, &member.caller, ws, m).await {
                files.insert(m.to_string(), found.filename);
            }
        }
        changes.changes.into_iter().map(|c| DiffField::of(c, &channels, &files)).collect()
    } else {
        Vec::new()
    };
    let me = member.caller.user.map(Principal::User);
    // Each decision: its stage, whether it is on the revision under review, and in words.
    let decided: Vec<(&str, bool, DecisionView)> = run
        .decisions
        .iter()
        .map(|dd| {
            let number = revisions.iter().find(|r| r.content_hash == dd.revision).map_or(0, |r| r.number);
            let by = principal_name(&dd.by, &names);
            let by = if dd.by != dd.for_whom {
                crate::t2("review-decided-for", "by", by, "whom", principal_name(&dd.for_whom, &names))
            } else {
                by
            };
            let said = dd.comment.as_deref().map(|c| format!(": “{c}”")).unwrap_or_default();
            let (icon, class, key) = match dd.verdict {
                Verdict::Approve => ("✓", "approve", "review-decision-approved"),
                Verdict::RequestChanges => ("↺", "request_changes", "review-decision-changes"),
                Verdict::Reject => ("✗", "reject", "review-decision-rejected"),
            };
            let covered = if dd.carried { format!(" {}", crate::t("review-decision-carried")) } else { String::new() };
            let reason = dd.reason.as_deref().map(|r| format!(" {}", crate::t1("review-decision-reason", "reason", r))).unwrap_or_default();
            let words = format!("{}{said}{reason}{covered}", crate::t3(key, "by", by, "number", number, "when", when(dd.at, &tz)));
            (dd.stage.as_str(), dd.revision == current, DecisionView { icon, class, words })
        })
        .collect();
    let owner = names.get(&post.owner_id).cloned().unwrap_or_else(|| crate::t("review-post-owner"));
    let active = run.active_stage().filter(|_| run.status == ReviewStatus::Active);
    let sent_back = run.active_stage().filter(|_| run.status == ReviewStatus::ChangesRequested);
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
                StageStatus::Active if sent_back == Some(i) => "changes requested",
                StageStatus::Active if run.status == ReviewStatus::Rejected => "rejected",
                StageStatus::Active => "in progress",
                StageStatus::Complete => "approved",
            },
            status_label: crate::t(match st.status {
                StageStatus::Pending => "review-stage-pending",
                StageStatus::Skipped => "review-stage-skipped",
                StageStatus::Active if sent_back == Some(i) => "review-stage-changes",
                StageStatus::Active if run.status == ReviewStatus::Rejected => "review-stage-rejected",
                StageStatus::Active => "review-stage-active",
                StageStatus::Complete => "review-stage-approved",
            }),
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
            decisions: decided.iter().filter(|(key, now, _)| *key == st.key && *now).map(|(_, _, d)| d.clone()).collect(),
            earlier: decided.iter().filter(|(key, now, _)| *key == st.key && !*now).map(|(_, _, d)| d.clone()).collect(),
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
    let content: &Content = &under.content;
    let threads = threads(app, &member, ws, id, &names, &revisions, &tz).await.or_page(headers)?;
    // The base text, then each channel whose text is its own.
    let mut texts = vec![TextBlock::of(String::new(), crate::t("review-field-text"), &content.text, &threads, under.number)];
    for c in &post.channel_ids {
        if let Some(own) = content.variants.get(c).and_then(|v| v.text.as_deref()) {
            let name = channel_map.get(c).map_or_else(|| crate::t("review-a-channel"), channel_name);
            let label = crate::t2("review-field-on", "field", crate::t("review-field-text"), "channel", name);
            texts.push(TextBlock::of(c.to_string(), label, own, &threads, under.number));
        }
    }
    let reasons = greenlight_service::analytics::settings(app, &member.caller, ws).await.or_page(headers)?.reasons;
    let page = ReviewPage {
        reasons,
        ws: ws.to_string(),
        post_id: id.to_string(),
        title: post.title.clone(),
        state: post.state.as_str(),
        state_label: state_label(&post),
        meta: match &post.planned {
            Some(p) => {
                crate::t3("review-meta", "number", under.number, "workflow", &workflow.name, "planned", when(p.at, &zone(p.zone.as_str())))
            }
            None => crate::t2("review-meta-unplanned", "number", under.number, "workflow", &workflow.name),
        },
        revision_number: under.number,
        revision_hash: current.to_string(),
        texts,
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
        waiting: match run.status {
            _ if !waiting.is_empty() => crate::t1("review-waiting-for", "names", waiting.join(", ")),
            ReviewStatus::ChangesRequested => crate::t1("review-waiting-revise", "name", owner),
            ReviewStatus::Approved => crate::t("review-status-approved"),
            ReviewStatus::Rejected => crate::t("review-status-rejected"),
            ReviewStatus::Withdrawn => crate::t("review-status-withdrawn"),
            ReviewStatus::Expired => crate::t("review-status-expired"),
            ReviewStatus::Active => crate::t("review-waiting-nobody"),
        },
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
    // Someone asked opened it: analytics measure how long that took. Not
    // being able to note it must not keep them from reading.
    if let Err(err) = reviews::seen(&s.app, &member.caller, ws, id).await {
        tracing::warn!(%err, "noting that a review was opened");
    }
    let notice = match q.done.as_deref() {
        Some("approve") => crate::t("review-done-approve"),
        Some("request_changes") => crate::t("review-done-changes"),
        Some("reject") => crate::t("review-done-reject"),
        Some("comment") => crate::t("review-done-comment"),
        Some("submitted") => crate::t("review-done-submitted"),
        Some("resolved") => crate::t("review-done-resolved"),
        Some("reopened") => crate::t("review-done-reopened"),
        _ => String::new(),
    };
    let d = Draw { problems: Problems::default(), notice, comment: String::new(), status: StatusCode::OK, from: q.from };
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
    /// A preset reason, with a request for changes or a rejection.
    reason: String,
    /// `list`: back to "my reviews" after deciding there.
    back: String,
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
        _ => return Err(PageError::new(Error::field("verdict", crate::t("review-field-verdict")), &headers)),
    };
    let Some(revision) = Hash::parse(&form.revision) else {
        return Err(PageError::new(Error::field("revision", crate::t("review-field-revision")), &headers));
    };
    let input = reviews::DecisionRequest {
        verdict,
        revision,
        comment: Some(form.comment.clone()).filter(|c| !c.trim().is_empty()),
        checklist: form.checklist.iter().cloned().collect(),
        lane: Some(form.lane.clone()).filter(|l| !l.is_empty()),
        reason: Some(form.reason.clone()).filter(|r| !r.is_empty()),
    };
    match reviews::decide(&s.app, &member.caller, ws, id, input).await {
        Ok(_) if form.back == "list" => Ok(see_other(&headers, &format!("/my/reviews?done={}&ws={ws}&post={id}", form.verdict))),
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
    /// The channel whose text the words are in ("" for the base text).
    channel: String,
    /// The revision shown, whose words were selected.
    revision_number: String,
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
            form.target().map(|t| comments::AnchorInput {
                target: Some(t),
                channel_id: form.channel.parse().ok(),
                revision: form.revision_number.parse().ok(),
            })
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
    /// `post`: back to the post's page (resolved beside the editor).
    back: String,
}

pub async fn resolve(
    State(s): State<AppState>,
    PagePath((ws, id, comment)): PagePath<(WorkspaceId, PostId, CommentId)>,
    submitted: Submitted<ResolveForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let done = if form.reopen.is_some() {
        comments::reopen(&s.app, &member.caller, ws, id, comment).await.or_page(&headers)?;
        "reopened"
    } else {
        comments::resolve(&s.app, &member.caller, ws, id, comment).await.or_page(&headers)?;
        "resolved"
    };
    let page = if form.back == "post" { format!("/w/{ws}/posts/{id}") } else { format!("/w/{ws}/posts/{id}/review") };
    Ok(see_other(&headers, &format!("{page}?done={done}")))
}

/// A review waiting for the member, as a card: enough of the post to
/// decide from the list when the stage needs only a verdict.
pub struct WaitingView {
    /// `ws:post:revision`: what "approve selected" decides, pinned to the
    /// revision shown.
    pub key: String,
    pub post_id: String,
    pub href: String,
    pub title: String,
    pub workspace: String,
    pub stage: String,
    pub author: String,
    pub revision_number: i64,
    pub excerpt: String,
    /// The first picture's thumbnail and alt text, if it has one.
    pub thumb: Option<(String, String)>,
    pub channels: Vec<String>,
    /// "planned …" in the post's own zone, named.
    pub planned: String,
    /// In the workspace's zone, named; empty without a due time.
    pub due: String,
    pub overdue: bool,
    /// Where a decision goes, and the revision it is pinned to.
    pub decide: String,
    pub revision: String,
    /// Deciding needs only the verdict: it can be done from the list.
    pub quick: bool,
}

#[derive(Template)]
#[template(path = "app/my_reviews.html")]
struct MyReviews {
    chrome: Chrome,
    items: Vec<WaitingView>,
    /// How many wait in all, on this page and others.
    total: usize,
    pages: Pages,
    quick_count: usize,
    notice: String,
    problems: Problems,
    csrf: String,
}

/// Where a page of a longer list is, and the links to its neighbours
/// (empty where there is none).
struct Pages {
    showing: String,
    previous: String,
    next: String,
}

/// "Tue 1 Dec 2026, 09:00 CET": a time with its zone, for lists that mix
/// workspaces.
fn when_named(at: greenlight_domain::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let zoned = at.to_zoned(tz.clone());
    format!("{} {}", greenlight_i18n::date(zoned.datetime(), greenlight_i18n::DateStyle::DateTime), zoned.strftime("%Z"))
}

/// Names a list of reviews needs from each workspace, read once per workspace.
#[derive(Default)]
struct WorkspaceNames {
    people: BTreeMap<WorkspaceId, BTreeMap<UserId, String>>,
    channels: BTreeMap<WorkspaceId, BTreeMap<greenlight_domain::id::ChannelId, String>>,
}

impl WorkspaceNames {
    async fn load(&mut self, app: &App, member: &Member, ws: WorkspaceId) -> Result<(), Error> {
        if let std::collections::btree_map::Entry::Vacant(slot) = self.people.entry(ws) {
            let people = workspaces::members(app, &member.caller, ws).await?.into_iter().map(|m| (m.user_id, m.name)).collect();
            let channels = greenlight_service::planning::channels(app, &member.caller, ws)
                .await?
                .into_iter()
                .map(|c| (c.id, channel_name(&c)))
                .collect();
            slot.insert(people);
            self.channels.insert(ws, channels);
        }
        Ok(())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    /// The verdict just given from the list, and on which post.
    done: String,
    ws: Option<WorkspaceId>,
    post: Option<PostId>,
    /// The first review on the page, counted from 0.
    from: usize,
}

/// How many reviews a page of my reviews shows: a screenful or two to work
/// through, quick to draw; the rest a link away.
const MY_REVIEWS_PAGE: usize = 50;

/// Everything that waits for the member, soonest due first, overdue marked.
pub async fn my_reviews(State(s): State<AppState>, member: Member, Query(q): Query<ListQuery>, headers: HeaderMap) -> PageResult {
    let notice = match (q.done.as_str(), q.ws, q.post) {
        (verdict @ ("approve" | "request_changes"), Some(ws), Some(post)) => {
            let title = posts::post(&s.app, &member.caller, ws, post).await.map(|p| p.title).unwrap_or_default();
            let key = if verdict == "approve" { "myrev-done-approve" } else { "myrev-done-changes" };
            crate::t1(key, "title", title)
        }
        _ => String::new(),
    };
    list(&s.app, member, q.from, notice, Problems::default(), &headers).await
}

async fn list(app: &App, member: Member, from: usize, notice: String, problems: Problems, headers: &HeaderMap) -> PageResult {
    let chrome = Chrome::plain(app, &member, crate::t("myrev-title"), "reviews").await.or_page(headers)?;
    let spaces: BTreeMap<WorkspaceId, String> = chrome.workspaces.iter().cloned().collect();
    let reviews::WaitingPage { reviews: waiting, total, skipped: from } =
        reviews::my_reviews_page(app, &member.caller, from, MY_REVIEWS_PAGE).await.or_page(headers)?;
    let mut zones = super::view::Zones::default();
    let mut names = WorkspaceNames::default();
    let mut items = Vec::new();
    for w in waiting {
        let ws = w.workspace_id;
        let tz = zones.of(app, &member, ws).await;
        names.load(app, &member, ws).await.or_page(headers)?;
        let people = names.people.get(&ws);
        let channels = names.channels.get(&ws);
        items.push(WaitingView {
            key: format!("{ws}:{}:{}", w.post_id, w.current_revision),
            post_id: w.post_id.to_string(),
            href: format!("/w/{ws}/posts/{}/review", w.post_id),
            title: w.post_title,
            workspace: spaces.get(&ws).cloned().unwrap_or_default(),
            stage: w.stage,
            author: people.and_then(|p| p.get(&w.owner_id)).cloned().unwrap_or_else(|| crate::t("review-former-member")),
            revision_number: w.revision_number,
            excerpt: w.excerpt,
            thumb: w
                .first_media
                .map(|m| (format!("/api/v1/workspaces/{ws}/media/{}/thumbnail", m.media_id), m.alt_text.unwrap_or_default())),
            channels: w.channel_ids.iter().filter_map(|c| channels.and_then(|names| names.get(c)).cloned()).collect(),
            planned: w
                .planned
                .as_ref()
                .map(|p| crate::t1("myrev-planned", "when", when_named(p.at, &zone(p.zone.as_str()))))
                .unwrap_or_else(|| crate::t("review-not-planned")),
            due: w.due_at.map(|t| when_named(t, &tz)).unwrap_or_default(),
            overdue: w.overdue,
            decide: format!("/w/{ws}/posts/{}/decide", w.post_id),
            revision: w.current_revision.to_string(),
            quick: w.verdict_only,
        });
    }
    let quick_count = items.iter().filter(|i| i.quick).count();
    let pages = Pages {
        showing: if total > items.len() {
            crate::t3("myrev-showing", "first", from.saturating_add(1), "last", from.saturating_add(items.len()), "total", total)
        } else {
            String::new()
        },
        previous: if from > 0 { format!("/my/reviews?from={}", from.saturating_sub(MY_REVIEWS_PAGE)) } else { String::new() },
        next: if from.saturating_add(MY_REVIEWS_PAGE) < total {
            format!("/my/reviews?from={}", from + MY_REVIEWS_PAGE)
        } else {
            String::new()
        },
    };
    let page = MyReviews { chrome, items, total, pages, quick_count, notice, problems, csrf: member.csrf.clone() };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SelectedForm {
    /// `ws:post:revision`, one per selected review.
    pick: Vec<String>,
}

/// Approves every selected review, each pinned to the revision its card
/// showed: one that changed meanwhile (a new revision, another's decision)
/// is refused and said so, the others stand.
pub async fn approve_selected(State(s): State<AppState>, submitted: Submitted<SelectedForm>) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let mut approved = 0;
    let mut refused = Vec::new();
    for pick in form.pick.iter().take(200) {
        let mut parts = pick.splitn(3, ':');
        let parsed = (
            parts.next().and_then(|w| w.parse::<WorkspaceId>().ok()),
            parts.next().and_then(|p| p.parse::<PostId>().ok()),
            parts.next().and_then(Hash::parse),
        );
        let (Some(ws), Some(post), Some(revision)) = parsed else {
            refused.push(crate::t("myrev-unreadable-pick"));
            continue;
        };
        let input = reviews::DecisionRequest {
            verdict: Verdict::Approve,
            revision,
            comment: None,
            checklist: Default::default(),
            lane: None,
            reason: None,
        };
        match reviews::decide(&s.app, &member.caller, ws, post, input).await {
            Ok(_) => approved += 1,
            Err(e) => {
                let title =
                    posts::post(&s.app, &member.caller, ws, post).await.map(|p| p.title).unwrap_or_else(|_| crate::t("myrev-a-post"));
                refused.push(format!("“{title}”: {}", super::said(&e, false)));
            }
        }
    }
    let notice = match approved {
        0 => String::new(),
        n => crate::t1("myrev-approved-count", "count", n),
    };
    let problems = if refused.is_empty() {
        Problems::default()
    } else {
        Problems::general(crate::t1("myrev-not-approved", "list", refused.join("; ")))
    };
    let problems = if form.pick.is_empty() { Problems::general(crate::t("myrev-select-first")) } else { problems };
    list(&s.app, member, 0, notice, problems, &headers).await
}
