//! The post page and composer: the brief, base text and a variant per
//! channel with a live preview of each network and its count the network's
//! way, preflight's findings underlined where they are, media with alt
//! text, campaign, labels, channels and the planned time with its zone;
//! saving (a new revision), submitting for review (showing first the path
//! the simulator predicts and who will be asked), scheduling.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use greenlight_domain::{
    content::{Content, MediaUse, Variant},
    id::{CampaignId, ChannelId, LabelId, MediaId, PostId, WorkspaceId},
    permission::Permission,
    post::PostState,
    validation::FieldError,
    workflow::{Condition, Principal, Verdict},
};
use greenlight_service::views::Post;
use greenlight_service::{App, Error, media, planning, posts, preflight, publishing, reviews, workflows, workspaces};
use serde::Deserialize;

use super::{
    Chrome, Member, OrPage, PageError, PagePath, PageResult, Problems,
    auth::Submitted,
    preview::{ChannelCheck, blocking, checks},
    render,
    review::ThreadView,
    see_other,
    view::{Choice, channel_name, network_mark, state_label, when, zone},
};
use crate::AppState;

/// What the composer's form sends. Lists come as repeated fields; the media
/// rows and variant rows are sent whole (hidden ids beside their inputs), so
/// the lists line up.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct ComposerForm {
    pub title: String,
    pub brief: String,
    pub campaign_id: String,
    pub label_ids: Vec<String>,
    pub channel_ids: Vec<String>,
    pub planned_date: String,
    pub planned_time: String,
    pub planned_zone: String,
    pub repurposed: Option<String>,
    pub text: String,
    pub link: String,
    pub first_comment: String,
    /// Posts of the thread, separated by a line of `---`.
    pub thread: String,
    pub media_id: Vec<String>,
    pub media_alt: Vec<String>,
    pub media_use: Vec<String>,
    pub variant_channel: Vec<String>,
    pub variant_text: Vec<String>,
    pub version: Option<i64>,
}

/// The fields a composer shows errors next to.
const FIELDS: [&str; 12] = [
    "title",
    "brief",
    "campaign_id",
    "label_ids",
    "channel_ids",
    "planned",
    "content.text",
    "content.link",
    "content.first_comment",
    "content.thread",
    "content.media",
    "content.variants",
];

fn parse_ids<T: std::str::FromStr>(values: &[String]) -> Vec<T> {
    values.iter().filter_map(|v| v.parse().ok()).collect()
}

impl ComposerForm {
    fn planned(&self) -> Option<String> {
        let date = self.planned_date.trim();
        if date.is_empty() {
            return None;
        }
        let time = if self.planned_time.trim().is_empty() { "09:00" } else { self.planned_time.trim() };
        Some(format!("{date}T{time}[{}]", self.planned_zone.trim()))
    }

    fn thread_posts(&self) -> Vec<String> {
        let mut posts = Vec::new();
        let mut current = String::new();
        for line in self.thread.replace("\r\n", "\n").split('\n') {
            if line.trim() == "---" {
                posts.push(std::mem::take(&mut current));
            } else {
                if !current.is_empty() {
                    current.push('\n');
                }
                current.push_str(line);
            }
        }
        posts.push(current);
        posts.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect()
    }

    /// The content the form describes (normalised as the service will).
    pub fn content(&self) -> Content {
        let used: BTreeSet<&str> = self.media_use.iter().map(String::as_str).collect();
        let media = self
            .media_id
            .iter()
            .zip(self.media_alt.iter().chain(std::iter::repeat(&String::new())))
            .filter(|(id, _)| used.contains(id.as_str()))
            .filter_map(|(id, alt)| id.parse::<MediaId>().ok().map(|media_id| MediaUse { media_id, alt_text: Some(alt.trim().to_owned()) }))
            .collect();
        let variants = self
            .variant_channel
            .iter()
            .zip(&self.variant_text)
            .filter(|(_, text)| !text.trim().is_empty())
            .filter_map(|(c, text)| c.parse::<ChannelId>().ok().map(|c| (c, Variant { text: Some(text.clone()), ..Variant::default() })))
            .filter(|(c, _)| self.channel_ids.iter().any(|id| id == &c.to_string()))
            .collect();
        Content {
            text: self.text.clone(),
            media,
            link: Some(self.link.trim().to_owned()),
            first_comment: Some(self.first_comment.clone()),
            thread: self.thread_posts(),
            variants,
        }
        .normalized()
    }

    /// The form as a saved post and revision fill it.
    fn of(post: &Post, content: &Content, ws_zone: &str) -> ComposerForm {
        let (planned_date, planned_time, planned_zone) = match &post.planned {
            Some(p) => {
                let local = p.local();
                (local.date().to_string(), local.time().strftime("%H:%M").to_string(), p.zone.as_str().to_owned())
            }
            None => (String::new(), String::new(), ws_zone.to_owned()),
        };
        ComposerForm {
            title: post.title.clone(),
            brief: post.brief.clone(),
            campaign_id: post.campaign_id.map(|c| c.to_string()).unwrap_or_default(),
            label_ids: post.label_ids.iter().map(ToString::to_string).collect(),
            channel_ids: post.channel_ids.iter().map(ToString::to_string).collect(),
            planned_date,
            planned_time,
            planned_zone,
            repurposed: post.repurposed.then(|| "on".into()),
            text: content.text.clone(),
            link: content.link.clone().unwrap_or_default(),
            first_comment: content.first_comment.clone().unwrap_or_default(),
            thread: content.thread.join("\n---\n"),
            media_id: content.media.iter().map(|m| m.media_id.to_string()).collect(),
            media_alt: content.media.iter().map(|m| m.alt_text.clone().unwrap_or_default()).collect(),
            media_use: content.media.iter().map(|m| m.media_id.to_string()).collect(),
            variant_channel: content.variants.keys().map(ToString::to_string).collect(),
            variant_text: content.variants.values().map(|v| v.text.clone().unwrap_or_default()).collect(),
            version: Some(post.version),
        }
    }

    fn has(&self, list: &[String], value: &str) -> bool {
        list.iter().any(|v| v == value)
    }
}

pub struct MediaRow {
    pub id: String,
    pub filename: String,
    pub thumb: String,
    pub alt: String,
    pub used: bool,
    pub is_image: bool,
}

pub struct VariantTab {
    pub channel: String,
    pub name: String,
    pub text: String,
    pub selected: bool,
}

/// Preflight's answer for a composer, drawn per channel.
pub struct PreflightPanel {
    pub checks: Vec<ChannelCheck>,
    pub errors: usize,
    pub warnings: usize,
    pub problem: String,
}

/// The panel alone, as htmx swaps it while one types.
#[derive(Template)]
#[template(path = "app/preflight.html")]
struct PreflightFragment {
    preflight: PreflightPanel,
}

#[derive(Template)]
#[template(path = "app/post.html")]
struct PostPage {
    chrome: Chrome,
    ws: String,
    /// `None` for a new post.
    post_id: Option<String>,
    heading: String,
    state: &'static str,
    state_label: String,
    owner: String,
    planned: String,
    can_edit: bool,
    can_submit: bool,
    can_schedule: bool,
    /// Approved or scheduled: it may go out now.
    can_publish_now: bool,
    /// Its time may still move: "Add to queue".
    can_queue: bool,
    publications: Vec<PublicationRow>,
    can_override: bool,
    /// May make a link through which someone outside approves.
    can_share_for_approval: bool,
    has_review: bool,
    form: ComposerForm,
    problems: Problems,
    campaigns: Vec<Choice>,
    labels: Vec<Choice>,
    channels: Vec<Choice>,
    variants: Vec<VariantTab>,
    media: Vec<MediaRow>,
    zones: Vec<String>,
    preflight: PreflightPanel,
    /// What blocks submission of the saved revision, channel by channel.
    blocking: Vec<String>,
    /// The latest verdict that sent it back, and the open comments.
    feedback: Option<Feedback>,
    /// After a fix is saved: "Resubmit for review" in the notice.
    offer_resubmit: bool,
    /// A link shown this once, with a Copy button.
    once_link: String,
    /// How many library items the post uses.
    media_chosen: usize,
    path: Vec<PathStep>,
    path_problem: String,
    path_workflow: String,
    notice: String,
    csrf: String,
}

/// One channel's publication, as the post page shows it.
pub struct PublicationRow {
    pub channel_id: String,
    pub channel: String,
    pub status: &'static str,
    /// The status in words.
    pub status_label: String,
    pub when: String,
    pub url: String,
    pub error: String,
    pub can_retry: bool,
    /// Whether it can be marked as posted by hand (it waits, or failed).
    pub can_mark: bool,
}

/// A stage of the path the simulator predicts, in words.
pub struct PathStep {
    pub name: String,
    /// "skipped because the post shares a link"; empty when it is not skipped.
    pub skipped_because: String,
    pub lanes: Vec<(String, String)>,
}

/// What the person fixing a post needs beside the editor: the verdict
/// that sent it back, in words, and the comments still open.
pub struct Feedback {
    /// "Dana asked for changes to revision 2, Tue 1 Dec 2026, 14:02".
    pub verdict: String,
    pub verdict_class: &'static str,
    /// The decision's comment.
    pub said: String,
    pub threads: Vec<ThreadView>,
}

struct Context {
    channels: BTreeMap<ChannelId, greenlight_service::views::Channel>,
    campaigns: Vec<greenlight_service::views::Campaign>,
    labels: Vec<greenlight_service::views::Label>,
    library: Vec<greenlight_service::views::Media>,
    names: BTreeMap<greenlight_domain::id::UserId, String>,
}

async fn context(app: &App, member: &Member, ws: WorkspaceId) -> Result<Context, Error> {
    let (library, _) = media::library(app, &member.caller, ws, None, 60).await?;
    Ok(Context {
        channels: planning::channels(app, &member.caller, ws).await?.into_iter().map(|c| (c.id, c)).collect(),
        campaigns: planning::campaigns(app, &member.caller, ws).await?,
        labels: planning::labels(app, &member.caller, ws).await?,
        library,
        names: workspaces::members(app, &member.caller, ws).await?.into_iter().map(|m| (m.user_id, m.name)).collect(),
    })
}

/// The composer's lists, marked from the form.
struct Lists {
    campaigns: Vec<Choice>,
    labels: Vec<Choice>,
    channels: Vec<Choice>,
    variants: Vec<VariantTab>,
    media: Vec<MediaRow>,
}

fn options(cx: &Context, form: &ComposerForm) -> Lists {
    let campaigns = cx
        .campaigns
        .iter()
        .map(|c| Choice { value: c.id.to_string(), label: c.name.clone(), selected: form.campaign_id == c.id.to_string() })
        .collect();
    let labels = cx
        .labels
        .iter()
        .map(|l| Choice { value: l.id.to_string(), label: l.name.clone(), selected: form.has(&form.label_ids, &l.id.to_string()) })
        .collect();
    let channels = cx
        .channels
        .values()
        .map(|c| Choice {
            value: c.id.to_string(),
            label: format!("{} · {}", network_mark(&c.network).1, c.handle),
            selected: form.has(&form.channel_ids, &c.id.to_string()),
        })
        .collect();
    let variants = cx
        .channels
        .values()
        .filter(|c| form.has(&form.channel_ids, &c.id.to_string()))
        .map(|c| {
            let id = c.id.to_string();
            let text =
                form.variant_channel.iter().position(|v| v == &id).and_then(|i| form.variant_text.get(i).cloned()).unwrap_or_default();
            VariantTab { channel: id, name: format!("{} · {}", network_mark(&c.network).1, c.handle), text, selected: false }
        })
        .collect();
    let used: Vec<(String, String)> =
        form.media_id.iter().cloned().zip(form.media_alt.iter().cloned().chain(std::iter::repeat(String::new()))).collect();
    let mut media: Vec<MediaRow> = Vec::new();
    for m in &cx.library {
        let id = m.id.to_string();
        let alt = used.iter().find(|(u, _)| u == &id).map(|(_, a)| a.clone()).unwrap_or_default();
        media.push(MediaRow {
            thumb: format!("/api/v1/workspaces/{}/media/{id}/thumbnail", m.workspace_id),
            used: form.has(&form.media_use, &id),
            filename: m.filename.clone(),
            is_image: m.mime.starts_with("image/"),
            id,
            alt,
        });
    }
    // What the post uses first, in the library's order otherwise.
    media.sort_by_key(|m| !m.used);
    Lists { campaigns, labels, channels, variants, media }
}

async fn live_report(app: &App, member: &Member, ws: WorkspaceId, form: &ComposerForm, cx: &Context) -> PreflightPanel {
    let content = form.content();
    let channel_ids: Vec<ChannelId> = parse_ids(&form.channel_ids);
    if channel_ids.is_empty() {
        return PreflightPanel { checks: Vec::new(), errors: 0, warnings: 0, problem: crate::t("post-choose-channel") };
    }
    let input = preflight::PreflightInput {
        title: Some(form.title.clone()),
        content: content.clone(),
        channel_ids,
        label_ids: parse_ids(&form.label_ids),
        campaign_id: form.campaign_id.parse().ok(),
    };
    match preflight::check(app, &member.caller, ws, input).await {
        Ok(report) => PreflightPanel {
            checks: checks(&report, &content, &cx.channels),
            errors: report.errors,
            warnings: report.warnings,
            problem: String::new(),
        },
        Err(e) => PreflightPanel { checks: Vec::new(), errors: 0, warnings: 0, problem: super::said(&e, false) },
    }
}

async fn simulated(app: &App, member: &Member, ws: WorkspaceId, post: PostId, cx: &Context) -> (Vec<PathStep>, String, String) {
    let sim = match workflows::simulate(app, &member.caller, ws, post).await {
        Ok(sim) => sim,
        Err(e) => return (Vec::new(), super::describe(&e).2, String::new()),
    };
    // The conditions that skip stages, to say why one is skipped.
    let definition = workflows::workflow(app, &member.caller, ws, sim.workflow_id, Some(sim.version)).await.ok().map(|w| w.definition);
    let steps = sim
        .plan
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| PathStep {
            name: s.name.clone(),
            skipped_because: match s.skipped_by {
                Some(c) => definition
                    .as_ref()
                    .and_then(|d| d.stages.get(i))
                    .and_then(|stage| stage.skip_if.get(c))
                    .map_or_else(|| crate::t("post-skipped-here"), |c| skip_reason(c, cx)),
                None => String::new(),
            },
            lanes: s
                .lanes
                .iter()
                .map(|l| {
                    let who: Vec<String> = l
                        .asked
                        .iter()
                        .map(|p| match p {
                            Principal::User(u) => cx.names.get(u).cloned().unwrap_or_else(|| crate::t("post-path-a-member")),
                            Principal::External(e) => e.as_str().to_owned(),
                        })
                        .collect();
                    let need = if l.needed > 1 { format!(" {}", crate::t1("post-path-needed", "count", l.needed)) } else { String::new() };
                    (l.name.clone(), format!("{}{need}", if who.is_empty() { crate::t("post-path-nobody") } else { who.join(", ") }))
                })
                .collect(),
        })
        .collect();
    (steps, sim.problem.unwrap_or_default(), sim.workflow_name)
}

/// Why a condition skips a stage, in words: "skipped because the post shares a link".
fn skip_reason(c: &Condition, cx: &Context) -> String {
    let or = format!(" {} ", crate::t("post-skip-or"));
    let named = |names: Vec<String>| names.join(&or);
    let mut why: Vec<String> = Vec::new();
    match c.shares_link {
        Some(true) => why.push(crate::t("post-skip-shares-link")),
        Some(false) => why.push(crate::t("post-skip-shares-no-link")),
        None => {}
    }
    match c.repurposed {
        Some(true) => why.push(crate::t("post-skip-reused")),
        Some(false) => why.push(crate::t("post-skip-new")),
        None => {}
    }
    if !c.labels.is_empty() {
        let names = c
            .labels
            .iter()
            .map(|l| cx.labels.iter().find(|x| x.id == *l).map_or_else(|| crate::t("post-skip-a-label"), |x| x.name.clone()));
        why.push(crate::t1("post-skip-label", "names", named(names.collect())));
    }
    if !c.channels.is_empty() {
        let names = c.channels.iter().map(|id| cx.channels.get(id).map_or_else(|| crate::t("post-skip-a-channel"), channel_name));
        why.push(crate::t1("post-skip-channel", "names", named(names.collect())));
    }
    if !c.campaigns.is_empty() {
        let names = c
            .campaigns
            .iter()
            .map(|id| cx.campaigns.iter().find(|x| x.id == *id).map_or_else(|| crate::t("post-skip-a-campaign"), |x| x.name.clone()));
        why.push(crate::t1("post-skip-campaign", "names", named(names.collect())));
    }
    if !c.author_roles.is_empty() {
        let roles = c.author_roles.iter().map(|r| crate::t1("post-skip-role", "role", r.as_str())).collect();
        why.push(crate::t1("post-skip-author", "roles", named(roles)));
    }
    if !c.author_groups.is_empty() {
        why.push(crate::t("post-skip-group"));
    }
    if !c.keywords.is_empty() {
        let words = c.keywords.iter().map(|k| crate::t1("post-skip-keyword", "word", k)).collect();
        why.push(crate::t1("post-skip-mentions", "words", named(words)));
    }
    if why.is_empty() {
        crate::t("post-skipped-always")
    } else {
        crate::t1("post-skipped-because", "reasons", why.join(&format!(" {} ", crate::t("post-skip-and"))))
    }
}

/// A publication's status in words.
fn publication_status(s: greenlight_domain::publication::Status) -> String {
    use greenlight_domain::publication::Status;
    crate::t(match s {
        Status::Scheduled => "post-pub-status-scheduled",
        Status::Publishing => "post-pub-status-publishing",
        Status::Published => "post-pub-status-published",
        Status::Failed => "post-pub-status-failed",
        Status::Unknown => "post-pub-status-unknown",
        Status::Cancelled => "post-pub-status-cancelled",
    })
}

/// The verdict that sent the post back (while it stands) and its open comments.
async fn feedback(
    app: &App,
    member: &Member,
    post: &Post,
    revisions: &[greenlight_service::views::Revision],
    names: &BTreeMap<greenlight_domain::id::UserId, String>,
    tz: &jiff::tz::TimeZone,
) -> Result<Option<Feedback>, Error> {
    let ws = post.workspace_id;
    let open: Vec<ThreadView> =
        super::review::threads(app, member, ws, post.id, names, revisions, tz).await?.into_iter().filter(|t| !t.resolved).collect();
    let sent_back = matches!(post.state, PostState::ChangesRequested | PostState::Rejected);
    let decision = match reviews::review(app, &member.caller, ws, post.id).await {
        Ok(view) if sent_back => view.record.run.decisions.into_iter().rev().find(|d| d.verdict != Verdict::Approve),
        Ok(_) | Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    if decision.is_none() && open.is_empty() {
        return Ok(None);
    }
    let (verdict, verdict_class, said) = match decision {
        Some(d) => {
            let number = revisions.iter().find(|r| r.content_hash == d.revision).map_or(0, |r| r.number);
            let who = super::review::principal_name(&d.by, names);
            let key = match d.verdict {
                Verdict::Approve => "post-feedback-approved",
                Verdict::RequestChanges => "post-feedback-changes",
                Verdict::Reject => "post-feedback-rejected",
            };
            let line = crate::t3(key, "who", who, "number", number, "when", when(d.at, tz));
            let class = if d.verdict == Verdict::Reject { "error" } else { "changes" };
            (line, class, d.comment.unwrap_or_default())
        }
        None => (String::new(), "", String::new()),
    };
    Ok(Some(Feedback { verdict, verdict_class, said, threads: open }))
}

fn zones(current: &str) -> Vec<String> {
    let mut all: Vec<String> =
        jiff::tz::db().available().map(|z| z.to_string()).filter(|z| z.contains('/') && !z.starts_with("Etc/")).collect();
    if !all.iter().any(|z| z == current) {
        all.push(current.to_owned());
    }
    all.sort();
    all
}

struct Render<'a> {
    post: Option<&'a Post>,
    form: ComposerForm,
    problems: Problems,
    notice: String,
    status: StatusCode,
    /// A fix was just saved: offer to resubmit in the notice.
    offer_resubmit: bool,
    /// A share link made just now, shown this once with a Copy button.
    once_link: String,
    /// The post's revisions, when the caller has read them already.
    revisions: Option<Vec<greenlight_service::views::Revision>>,
}

async fn render_page(app: &App, member: Member, ws: WorkspaceId, r: Render<'_>, headers: &HeaderMap) -> PageResult {
    let title = r.post.map(|p| p.title.clone()).unwrap_or_else(|| crate::t("post-new"));
    let chrome = Chrome::of(app, &member, ws, title.clone(), if r.post.is_some() { "calendar" } else { "new" }).await.or_page(headers)?;
    let ws_zone = chrome.ws.as_ref().map(|w| w.time_zone.clone()).unwrap_or_else(|| "UTC".into());
    let cx = context(app, &member, ws).await.or_page(headers)?;
    let role = workspaces::role(app, &member.caller, ws).await.or_page(headers)?;
    let can_edit = greenlight_service::access::may_edit(role, &member.caller, r.post.map(|p| p.owner_id));
    let Lists { campaigns, labels, channels, mut variants, media } = options(&cx, &r.form);
    if let Some(first) = variants.first_mut() {
        first.selected = true;
    }
    let preflight = live_report(app, &member, ws, &r.form, &cx).await;
    let (path, path_problem, path_workflow) = match r.post {
        Some(p) if matches!(p.state, PostState::Draft | PostState::ChangesRequested) => simulated(app, &member, ws, p.id, &cx).await,
        _ => (Vec::new(), String::new(), String::new()),
    };
    let publications = match r.post {
        Some(p) if p.state.holds_approval() => publishing::publications(app, &member.caller, ws, p.id).await.or_page(headers)?,
        _ => Vec::new(),
    };
    let zone_of_ws = zone(&ws_zone);
    let feedback = match r.post {
        Some(p) if p.state != PostState::Draft => {
            let revisions = match r.revisions {
                Some(read) => read,
                None => posts::revisions(app, &member.caller, ws, p.id).await.or_page(headers)?,
            };
            feedback(app, &member, p, &revisions, &cx.names, &zone_of_ws).await.or_page(headers)?
        }
        _ => None,
    };
    let publications = publications
        .into_iter()
        .map(|p| PublicationRow {
            channel_id: p.channel_id.to_string(),
            channel: cx.channels.get(&p.channel_id).map(channel_name).unwrap_or_default(),
            status: p.status.as_str(),
            status_label: publication_status(p.status),
            when: when(p.published_at.unwrap_or(p.due_at), &zone_of_ws),
            url: p.url.unwrap_or_default(),
            error: p.error.unwrap_or_default(),
            can_retry: can_edit && p.status == greenlight_domain::publication::Status::Failed,
            can_mark: can_edit
                && matches!(p.status, greenlight_domain::publication::Status::Scheduled | greenlight_domain::publication::Status::Failed),
        })
        .collect();
    let can_submit = can_edit && r.post.is_some_and(|p| matches!(p.state, PostState::Draft | PostState::ChangesRequested));
    let page = PostPage {
        blocking: blocking(&preflight.checks),
        offer_resubmit: r.offer_resubmit && can_submit,
        once_link: r.once_link,
        media_chosen: media.iter().filter(|m| m.used).count(),
        feedback,
        ws: ws.to_string(),
        post_id: r.post.map(|p| p.id.to_string()),
        heading: title,
        state: r.post.map_or("draft", |p| p.state.as_str()),
        state_label: r.post.map(state_label).unwrap_or_else(|| crate::t("post-not-saved")),
        owner: r.post.and_then(|p| cx.names.get(&p.owner_id).cloned()).unwrap_or_else(|| member.user.name.clone()),
        planned: r
            .post
            .and_then(|p| p.planned.as_ref())
            .map(|p| when(p.at, &zone(p.zone.as_str())))
            .unwrap_or_else(|| crate::t("post-not-planned")),
        can_edit,
        can_submit,
        can_schedule: can_edit && r.post.is_some_and(|p| p.state == PostState::Approved && p.planned.is_some()),
        can_publish_now: can_edit && r.post.is_some_and(|p| matches!(p.state, PostState::Approved | PostState::Scheduled)),
        can_queue: can_edit && r.post.is_some_and(|p| p.state.allows_reschedule() && !p.channel_ids.is_empty()),
        publications,
        can_override: role.can(Permission::OverrideReviews),
        can_share_for_approval: role.can(Permission::ShareForApproval),
        has_review: r.post.is_some_and(|p| p.state != PostState::Draft),
        zones: zones(if r.form.planned_zone.is_empty() { &ws_zone } else { &r.form.planned_zone }),
        form: r.form,
        problems: r.problems,
        campaigns,
        labels,
        channels,
        variants,
        media,
        preflight,
        path,
        path_problem,
        path_workflow,
        notice: r.notice,
        csrf: member.csrf.clone(),
        chrome,
    };
    Ok(render(r.status, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    /// The calendar day it was started from, `YYYY-MM-DD`.
    date: String,
}

pub async fn new_page(
    State(s): State<AppState>,
    member: Member,
    PagePath(ws): PagePath<WorkspaceId>,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
    headers: HeaderMap,
) -> PageResult {
    let workspace = workspaces::workspace(&s.app, &member.caller, ws).await.or_page(&headers)?;
    // A day that is not a date is ignored, as if none were given.
    let planned_date = q.date.parse::<jiff::civil::Date>().map(|d| d.to_string()).unwrap_or_default();
    let planned_time = if planned_date.is_empty() { String::new() } else { "09:00".into() };
    let form = ComposerForm { planned_zone: workspace.time_zone, planned_date, planned_time, ..ComposerForm::default() };
    render_page(
        &s.app,
        member,
        ws,
        Render {
            post: None,
            form,
            problems: Problems::default(),
            notice: String::new(),
            status: StatusCode::OK,
            offer_resubmit: false,
            once_link: String::new(),
            revisions: None,
        },
        &headers,
    )
    .await
}

/// Field errors of the service, put where the form shows them.
fn problems(errors: &[FieldError]) -> Problems {
    let renamed: Vec<FieldError> = errors
        .iter()
        .map(|e| {
            let field = if e.field == "planned_at" { "planned".to_owned() } else { e.field.clone() };
            FieldError { field, ..e.clone() }
        })
        .collect();
    Problems::from_errors(&renamed, &FIELDS)
}

pub async fn create(State(s): State<AppState>, PagePath(ws): PagePath<WorkspaceId>, submitted: Submitted<ComposerForm>) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let input = posts::NewPost {
        title: form.title.clone(),
        brief: form.brief.clone(),
        campaign_id: form.campaign_id.parse().ok(),
        label_ids: parse_ids(&form.label_ids),
        channel_ids: parse_ids(&form.channel_ids),
        planned_at: form.planned(),
        content: form.content(),
        repurposed: form.repurposed.is_some(),
    };
    match posts::create_post(&s.app, &member.caller, ws, input).await {
        Ok(saved) => Ok(see_other(&headers, &format!("/w/{ws}/posts/{}?done=created", saved.post.id))),
        Err(Error::Invalid(errors)) => {
            let r = Render {
                post: None,
                problems: problems(&errors),
                form,
                notice: String::new(),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                offer_resubmit: false,
                once_link: String::new(),
                revisions: None,
            };
            render_page(&s.app, member, ws, r, &headers).await
        }
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    /// What was just done, to confirm it in words.
    done: String,
}

pub async fn page(
    State(s): State<AppState>,
    member: Member,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
    headers: HeaderMap,
) -> PageResult {
    let notice = match q.done.as_str() {
        "created" => crate::t("post-done-created"),
        "scheduled" => crate::t("post-done-scheduled"),
        "unscheduled" => crate::t("post-done-unscheduled"),
        "resolved" => crate::t("post-done-resolved"),
        "publishing" => crate::t("post-done-publishing"),
        "retrying" => crate::t("post-done-retrying"),
        "marked" => crate::t("post-done-marked"),
        _ => String::new(),
    };
    as_saved(&s.app, member, ws, id, Shown::notice(notice), &headers).await
}

/// What a post's page says on top of the post as saved.
struct Shown {
    notice: String,
    problems: Problems,
    status: StatusCode,
    offer_resubmit: bool,
    once_link: String,
}

impl Shown {
    fn notice(notice: impl Into<String>) -> Shown {
        Shown {
            notice: notice.into(),
            problems: Problems::default(),
            status: StatusCode::OK,
            offer_resubmit: false,
            once_link: String::new(),
        }
    }
}

/// The post's page, its composer filled from the post and revision as saved now.
async fn as_saved(app: &App, member: Member, ws: WorkspaceId, id: PostId, shown: Shown, headers: &HeaderMap) -> PageResult {
    let post = posts::post(app, &member.caller, ws, id).await.or_page(headers)?;
    let revisions = posts::revisions(app, &member.caller, ws, id).await.or_page(headers)?;
    let content = revisions.last().map(|r| r.content.clone()).unwrap_or_default();
    let workspace = workspaces::workspace(app, &member.caller, ws).await.or_page(headers)?;
    let form = ComposerForm::of(&post, &content, &workspace.time_zone);
    let r = Render {
        post: Some(&post),
        form,
        problems: shown.problems,
        notice: shown.notice,
        status: shown.status,
        offer_resubmit: shown.offer_resubmit,
        once_link: shown.once_link,
        revisions: Some(revisions),
    };
    render_page(app, member, ws, r, headers).await
}

/// The composer again, as typed, with the service's errors next to their fields.
fn again<'a>(post: &'a Post, form: &ComposerForm, errors: Vec<FieldError>) -> Render<'a> {
    Render {
        post: Some(post),
        problems: problems(&errors),
        form: form.clone(),
        notice: String::new(),
        status: StatusCode::UNPROCESSABLE_ENTITY,
        offer_resubmit: false,
        once_link: String::new(),
        revisions: None,
    }
}

/// Saves the composer: the post's details if they changed, then the
/// content as a new revision if it changed. Either refused comes back with
/// the errors next to their fields and everything typed kept.
pub async fn save(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    submitted: Submitted<ComposerForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let post = posts::post(&s.app, &member.caller, ws, id).await.or_page(&headers)?;
    let labels: Vec<LabelId> = parse_ids(&form.label_ids);
    let channels: Vec<ChannelId> = parse_ids(&form.channel_ids);
    let campaign: Option<CampaignId> = form.campaign_id.parse().ok();
    let planned = form.planned();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let same_planned = match (&post.planned, &planned) {
        (None, None) => true,
        (Some(p), Some(text)) => greenlight_domain::schedule::PlannedTime::parse(text).is_ok_and(|new| new == *p),
        _ => false,
    };
    let change = posts::PostChange {
        title: (form.title.trim() != post.title).then(|| form.title.clone()),
        brief: (form.brief != post.brief).then(|| form.brief.clone()),
        campaign_id: (campaign != post.campaign_id).then_some(campaign),
        label_ids: (sorted(form.label_ids.clone()) != sorted(post.label_ids.iter().map(ToString::to_string).collect())).then_some(labels),
        channel_ids: (sorted(form.channel_ids.clone()) != sorted(post.channel_ids.iter().map(ToString::to_string).collect()))
            .then_some(channels),
        planned_at: (!same_planned).then_some(planned),
        repurposed: (form.repurposed.is_some() != post.repurposed).then_some(form.repurposed.is_some()),
    };
    let mut version = form.version;
    let mut current = post.clone();
    let changed_details = change.title.is_some()
        || change.brief.is_some()
        || change.campaign_id.is_some()
        || change.label_ids.is_some()
        || change.channel_ids.is_some()
        || change.planned_at.is_some()
        || change.repurposed.is_some();
    if changed_details {
        match posts::update_post(&s.app, &member.caller, ws, id, version, change).await {
            Ok(updated) => {
                version = Some(updated.version);
                current = updated;
            }
            Err(Error::Invalid(errors)) => return render_page(&s.app, member, ws, again(&post, &form, errors), &headers).await,
            Err(e) => return Err(PageError::new(e, &headers)),
        }
    }
    match posts::save_revision(&s.app, &member.caller, ws, id, version, form.content()).await {
        Ok(saved) => {
            let note = match (saved.created, changed_details) {
                (true, _) => crate::t1("post-saved-revision", "number", saved.saved.revision.number),
                (false, true) => crate::t("post-saved-details"),
                (false, false) => crate::t("post-saved-nothing"),
            };
            let back_to_review = saved.created && post.state.holds_approval();
            let note = if back_to_review { format!("{note} {}", crate::t("post-saved-back-in-review")) } else { note };
            as_saved(&s.app, member, ws, id, Shown { offer_resubmit: saved.created, ..Shown::notice(note) }, &headers).await
        }
        Err(Error::Invalid(errors)) => render_page(&s.app, member, ws, again(&current, &form, errors), &headers).await,
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

/// The preflight panel for what the composer holds now (htmx, as one types).
pub async fn live_preflight(
    State(s): State<AppState>,
    PagePath((ws, _id)): PagePath<(WorkspaceId, PostId)>,
    submitted: Submitted<ComposerForm>,
) -> PageResult {
    preflight_panel(&s.app, ws, submitted).await
}

pub async fn live_preflight_new(
    State(s): State<AppState>,
    PagePath(ws): PagePath<WorkspaceId>,
    submitted: Submitted<ComposerForm>,
) -> PageResult {
    preflight_panel(&s.app, ws, submitted).await
}

async fn preflight_panel(app: &App, ws: WorkspaceId, submitted: Submitted<ComposerForm>) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let cx = context(app, &member, ws).await.or_page(&headers)?;
    Ok(render(StatusCode::OK, &PreflightFragment { preflight: live_report(app, &member, ws, &form, &cx).await }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitForm {
    override_preflight: String,
}

/// Submits the post for review; preflight's errors come back on the page.
pub async fn submit(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    submitted: Submitted<SubmitForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let reason = Some(form.override_preflight.trim().to_owned()).filter(|r| !r.is_empty());
    match reviews::submit(&s.app, &member.caller, ws, id, reviews::SubmitInput { override_preflight: reason }).await {
        Ok(_) => Ok(see_other(&headers, &format!("/w/{ws}/posts/{id}/review?done=submitted"))),
        Err(Error::Invalid(_)) => {
            let problems = Problems::general(crate::t("post-not-submitted"));
            as_saved(&s.app, member, ws, id, Shown { problems, status: StatusCode::UNPROCESSABLE_ENTITY, ..Shown::notice("") }, &headers)
                .await
        }
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

/// The composer's media list alone, as an upload swaps it in, and the
/// panel's count of chosen items beside it (swapped out of band).
#[derive(Template)]
#[template(path = "app/media_fragment.html")]
struct MediaFragment {
    media: Vec<MediaRow>,
    chosen: usize,
}

/// Uploads a file from the composer: it joins the library, and the
/// composer's list comes back with it ticked and what was ticked and typed
/// kept. The CSRF token comes as htmx's header or as the form's first field.
pub async fn upload(
    State(s): State<AppState>,
    PagePath(ws): PagePath<WorkspaceId>,
    member: Member,
    headers: HeaderMap,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    let mut csrf_ok = headers
        .get(crate::extract::CSRF_HEADER)
        .is_some_and(|v| bool::from(subtle::ConstantTimeEq::ct_eq(v.as_bytes(), member.csrf.as_bytes())));
    let mut form = ComposerForm::default();
    let mut stored = None;
    let broken = |e: axum::extract::multipart::MultipartError| PageError::new(Error::field("file", e.body_text()), &headers);
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        match field.name().unwrap_or_default() {
            "file" if csrf_ok => {
                let spooled = crate::upload::spool(&s.app, field).await.map_err(|e| match e {
                    crate::upload::SpoolError::Multipart(text, _) => PageError::new(Error::field("file", text), &headers),
                    crate::upload::SpoolError::Service(e) => PageError::new(e, &headers),
                })?;
                stored = Some(media::store_upload(&s.app, &member.caller, ws, spooled.upload()).await.or_page(&headers)?);
            }
            "file" => return Err(PageError::new(Error::Forbidden(crate::t("media-stale-form").into()), &headers)),
            name => {
                let name = name.to_owned();
                let value = field.text().await.map_err(broken)?;
                match name.as_str() {
                    "csrf" => csrf_ok |= bool::from(subtle::ConstantTimeEq::ct_eq(value.as_bytes(), member.csrf.as_bytes())),
                    "media_id" => form.media_id.push(value),
                    "media_alt" => form.media_alt.push(value),
                    "media_use" => form.media_use.push(value),
                    _ => {}
                }
            }
        }
    }
    let Some(new) = stored else { return Err(PageError::new(Error::field("file", crate::t("media-choose-file")), &headers)) };
    if !super::is_htmx(&headers) {
        return Ok(see_other(&headers, &format!("/w/{ws}/posts/new")));
    }
    form.media_use.push(new.id.to_string());
    let cx = context(&s.app, &member, ws).await.or_page(&headers)?;
    let media = options(&cx, &form).media;
    let chosen = media.iter().filter(|m| m.used).count();
    let mut response = render(StatusCode::OK, &MediaFragment { media, chosen });
    // The preview refreshes with the new picture (htmx fires this event).
    response.headers_mut().insert("hx-trigger", axum::http::HeaderValue::from_static("media-changed"));
    Ok(response)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShareForm {
    capability: String,
    days: String,
    name: String,
    /// Whom an approve link is sent to (and whom the post's review asks).
    email: String,
}

/// Shares the post through a new link to view or comment; the link is shown once.
pub async fn share(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    submitted: Submitted<ShareForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let days: i64 = form.days.trim().parse().unwrap_or(14);
    let input = greenlight_service::share_links::NewShareLink {
        scope: greenlight_domain::share::Scope::Posts { post_ids: [id].into() },
        capability: match form.capability.as_str() {
            "approve" => greenlight_domain::share::Capability::Approve,
            "comment" => greenlight_domain::share::Capability::Comment,
            _ => greenlight_domain::share::Capability::View,
        },
        expires_at: s.app.now() + jiff::SignedDuration::from_hours(24 * days.clamp(1, 365)),
        password: None,
        reviewer_name: Some(form.name.trim().to_owned()).filter(|n| !n.is_empty()),
        reviewer_email: Some(form.email.trim().to_owned()).filter(|e| !e.is_empty()),
    };
    let made = greenlight_service::share_links::create(&s.app, &member.caller, ws, input).await.or_page(&headers)?;
    if let Some(to) = &made.sent_to {
        let mut notice = match &made.asked_at_stage {
            Some(stage) => crate::t2("post-share-done-approve-at", "email", to, "stage", stage),
            None => crate::t1("post-share-done-approve", "email", to),
        };
        // Without a mail server nothing goes out: say how it reaches them.
        if s.app.mailer.is_none() {
            notice = format!("{notice} {}", crate::t("post-share-no-mail-server"));
        }
        return as_saved(&s.app, member, ws, id, Shown::notice(notice), &headers).await;
    }
    let link = made.path.map(|p| s.app.url(&p)).unwrap_or_default();
    let notice = crate::t(if form.capability == "comment" { "post-share-done-comment" } else { "post-share-done-view" });
    as_saved(&s.app, member, ws, id, Shown { once_link: link, ..Shown::notice(notice) }, &headers).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VersionForm {
    version: Option<i64>,
    unschedule: Option<String>,
}

pub async fn schedule(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    submitted: Submitted<VersionForm>,
) -> Result<Response, PageError> {
    let Submitted { member, form, headers } = submitted;
    let on = form.unschedule.is_none();
    posts::schedule(&s.app, &member.caller, ws, id, form.version, on).await.or_page(&headers)?;
    Ok(see_other(&headers, &format!("/w/{ws}/posts/{id}?done={}", if on { "scheduled" } else { "unscheduled" })))
}

pub async fn publish_now(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    submitted: Submitted<VersionForm>,
) -> Result<Response, PageError> {
    let Submitted { member, headers, .. } = submitted;
    publishing::publish_now(&s.app, &member.caller, ws, id).await.or_page(&headers)?;
    Ok(see_other(&headers, &format!("/w/{ws}/posts/{id}?done=publishing#publishing")))
}

/// "Add to queue": the next free posting time of the post's channels.
pub async fn queue(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, PostId)>,
    submitted: Submitted<VersionForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let post = posts::queue(&s.app, &member.caller, ws, id, form.version).await.or_page(&headers)?;
    let when = post.planned.as_ref().map(|p| super::view::when(p.at, &super::view::zone(p.zone.as_str()))).unwrap_or_default();
    let notice = crate::t1("post-queued", "when", when);
    as_saved(&s.app, member, ws, id, Shown::notice(notice), &headers).await
}

pub async fn retry(
    State(s): State<AppState>,
    PagePath((ws, id, channel)): PagePath<(WorkspaceId, PostId, ChannelId)>,
    submitted: Submitted<VersionForm>,
) -> Result<Response, PageError> {
    let Submitted { member, headers, .. } = submitted;
    publishing::retry(&s.app, &member.caller, ws, id, channel).await.or_page(&headers)?;
    Ok(see_other(&headers, &format!("/w/{ws}/posts/{id}?done=retrying#publishing")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ByHandForm {
    url: String,
}

pub async fn posted_by_hand(
    State(s): State<AppState>,
    PagePath((ws, id, channel)): PagePath<(WorkspaceId, PostId, ChannelId)>,
    submitted: Submitted<ByHandForm>,
) -> Result<Response, PageError> {
    let Submitted { member, form, headers } = submitted;
    let input = publishing::PostedByHand { url: Some(form.url), at: None };
    publishing::posted_by_hand(&s.app, &member.caller, ws, id, channel, input).await.or_page(&headers)?;
    Ok(see_other(&headers, &format!("/w/{ws}/posts/{id}?done=marked#publishing")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_is_written_as_posts_between_lines_of_dashes() {
        let form = ComposerForm { thread: "2/ Parking\nis free\n---\n\n---\n3/ Bring your card\r\n".into(), ..ComposerForm::default() };
        assert_eq!(form.thread_posts(), ["2/ Parking\nis free", "3/ Bring your card"]);
    }
}
