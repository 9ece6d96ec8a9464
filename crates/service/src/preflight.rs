//! Preflight in use: content checked for each of its channels the way the
//! network will judge it and against the workspace's style guide (the rules
//! are the domain's) — live while it is written, stored with every saved
//! revision, as a gate on submission, and as the state of a QA stage's
//! automatic checklist items. Also the style guide itself, and the
//! background check that links answer.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use greenlight_domain::{
    Timestamp,
    audit::Chain,
    content::Content,
    id::{CampaignId, ChannelId, LabelId, MediaId, PostId, WorkspaceId},
    network::Network,
    permission::{Permission, Role},
    preflight::{
        self, Channel, Check, CompiledGuide, Finding, Known, MediaFacts, PostFacts, PreflightError, Report, Severity, StyleGuide, Subject,
    },
    validation::{Errors, FieldError},
};
use greenlight_store::{
    Tx, planning,
    posts::{Post, Revision},
    preflight::{self as store, LinkCheck},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    App, Caller, access,
    audit::record,
    error::AddWords as _,
    error::{Error, Result},
    jobs::{self, Job},
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreflightInput {
    /// The post's title (Pinterest shows it).
    #[serde(default)]
    pub title: Option<String>,
    pub content: Content,
    /// The channels to check it for.
    pub channel_ids: Vec<ChannelId>,
    /// The post's labels and campaign: the style guide's disclosures,
    /// required hashtags and accounts to tag depend on them.
    #[serde(default)]
    pub label_ids: Vec<LabelId>,
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
}

/// One channel's variant, as its network sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelReport {
    pub channel_id: ChannelId,
    /// When a saved revision's report was made; `null` when checked now.
    pub checked_at: Option<Timestamp>,
    #[serde(flatten)]
    pub report: Report,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreflightReport {
    pub channels: Vec<ChannelReport>,
    /// Findings that block submission.
    pub errors: usize,
    pub warnings: usize,
}

impl PreflightReport {
    fn of(channels: Vec<ChannelReport>) -> Self {
        let count =
            |severity: Severity| channels.iter().flat_map(|c| &c.report.findings).filter(|f: &&Finding| f.severity == severity).count();
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        PreflightReport { channels, errors, warnings }
    }
}

/// The most channels one check covers.
pub const MAX_CHANNELS: usize = 50;

/// Compiled style guides by workspace, with the version each was compiled
/// from: a guide is compiled once per change, and a version read per check
/// keeps several instances in step.
#[derive(Default)]
pub struct GuideCache(Mutex<HashMap<WorkspaceId, (i64, Arc<CompiledGuide>)>>);

impl GuideCache {
    fn get(&self, ws: WorkspaceId, version: i64) -> Option<Arc<CompiledGuide>> {
        let cache = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.get(&ws).filter(|(v, _)| *v == version).map(|(_, g)| g.clone())
    }

    fn put(&self, ws: WorkspaceId, version: i64, guide: Arc<CompiledGuide>) {
        let mut cache = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.insert(ws, (version, guide));
    }
}

/// The workspace's guide, compiled.
async fn compiled_guide(tx: &mut Tx, app: &App, ws: WorkspaceId) -> Result<Arc<CompiledGuide>> {
    let version = store::style_guide_version(tx, ws).await?;
    if let Some(guide) = app.guides.get(ws, version) {
        return Ok(guide);
    }
    let guide = match store::style_guide(tx, ws).await? {
        Some(stored) => {
            let guide: StyleGuide = serde_json::from_str(&stored.guide).map_err(Error::internal)?;
            // It compiled when it was saved; failing now is a fault of ours.
            guide.compile().map_err(|e| Error::Internal(format!("the stored style guide no longer compiles: {e:?}").into()))?
        }
        None => CompiledGuide::default(),
    };
    let guide = Arc::new(guide);
    app.guides.put(ws, version, guide.clone());
    Ok(guide)
}

/// Everything checking a workspace's content needs, read in one go.
struct Workspace {
    channels: BTreeMap<ChannelId, (Network, planning::Channel)>,
    guide: Arc<CompiledGuide>,
    media: BTreeMap<MediaId, MediaFacts>,
    unreachable: BTreeMap<String, String>,
    campaign: Option<(CampaignId, String)>,
}

async fn workspace(tx: &mut Tx, app: &App, ws: WorkspaceId, content: &Content, campaign: Option<CampaignId>) -> Result<Workspace> {
    let channels = planning::channels(tx, ws).await?;
    let channels = channels.into_iter().filter_map(|c| Network::parse(&c.network).map(|n| (c.id, (n, c)))).collect();
    let guide = compiled_guide(tx, app, ws).await?;
    let mut media = BTreeMap::new();
    for id in content.media_ids() {
        if let Some(m) = greenlight_store::media::media(tx, ws, id).await? {
            let facts = MediaFacts {
                mime: m.mime,
                size: u64::try_from(m.size).unwrap_or(0),
                width: m.width.and_then(|w| u32::try_from(w).ok()),
                height: m.height.and_then(|h| u32::try_from(h).ok()),
                duration_ms: m.duration_ms.and_then(|d| u64::try_from(d).ok()),
            };
            media.insert(id, facts);
        }
    }
    // What link checks found counts only while the guide asks for them.
    let unreachable = if guide.guide.check_links {
        store::broken_links(tx, ws).await?.into_iter().map(|c| (c.url, c.detail)).collect()
    } else {
        BTreeMap::new()
    };
    let campaign = match campaign {
        Some(id) => planning::campaign(tx, ws, id).await?.map(|c| (id, c.name)),
        None => None,
    };
    Ok(Workspace { channels, guide, media, unreachable, campaign })
}

impl Workspace {
    /// One channel's variant of `content`, checked; `None` for a channel the
    /// workspace no longer has.
    fn report(
        &self,
        channel: ChannelId,
        title: &str,
        labels: &BTreeSet<LabelId>,
        content: &Content,
    ) -> Option<Result<Report, PreflightError>> {
        let (network, c) = self.channels.get(&channel)?;
        let subject = Subject {
            channel: Channel { network: *network, handle: &c.handle, text_limit: c.text_limit.and_then(|l| usize::try_from(l).ok()) },
            post: PostFacts { title, labels, campaign: self.campaign.as_ref().map(|(id, name)| (*id, name.as_str())) },
            content: content.effective(channel),
            known: Known { media: &self.media, unreachable: &self.unreachable },
        };
        Some(preflight::check(&subject, &self.guide))
    }

    /// A post's channels, each checked.
    fn post_reports<'a>(
        &'a self,
        post: &'a Post,
        content: &'a Content,
    ) -> impl Iterator<Item = (ChannelId, Result<Report, PreflightError>)> + 'a {
        let labels: BTreeSet<LabelId> = post.label_ids.iter().copied().collect();
        post.channel_ids.iter().filter_map(move |id| self.report(*id, &post.title, &labels, content).map(|r| (*id, r)))
    }
}

/// Checks content being written, for live feedback.
pub async fn check(app: &App, caller: &Caller, ws: WorkspaceId, input: PreflightInput) -> Result<PreflightReport> {
    let mut errors = Errors::new();
    if input.channel_ids.is_empty() {
        errors.add_words("channel_ids", "err-preflight-no-channels", []);
    } else if input.channel_ids.len() > MAX_CHANNELS {
        errors.add_words("channel_ids", "err-preflight-many-channels", [("max", MAX_CHANNELS.to_string())]);
    }
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewPosts).await?;
    let known = workspace(&mut tx, app, ws, &input.content, input.campaign_id).await?;
    let labels: BTreeSet<LabelId> = match input.label_ids.is_empty() {
        true => BTreeSet::new(),
        false => planning::labels(&mut tx, ws).await?.into_iter().map(|l| l.id).collect(),
    };
    drop(tx);
    for (i, id) in input.channel_ids.iter().enumerate() {
        if !known.channels.contains_key(id) {
            errors.add_words(format!("channel_ids.{i}"), "err-post-no-channel", []);
        }
    }
    for (i, id) in input.label_ids.iter().enumerate() {
        if !labels.contains(id) {
            errors.add_words(format!("label_ids.{i}"), "err-post-no-label", []);
        }
    }
    if input.campaign_id.is_some() && known.campaign.is_none() {
        errors.add_words("campaign_id", "err-post-no-campaign", []);
    }
    errors.into_result()?;
    let labels: BTreeSet<LabelId> = input.label_ids.iter().copied().collect();
    let title = input.title.as_deref().unwrap_or_default();
    let mut out = Vec::new();
    for id in &input.channel_ids {
        if let Some(report) = known.report(*id, title, &labels, &input.content) {
            let report = report.map_err(|e| Error::field(&format!("content ({id})"), e.to_string()))?;
            out.push(ChannelReport { channel_id: *id, checked_at: None, report });
        }
    }
    Ok(PreflightReport::of(out))
}

/// Stores a saved revision's report for each of the post's channels, in
/// the save's transaction, and asks for its links to be checked when the
/// workspace wants that.
pub(crate) async fn store_for_revision(tx: &mut Tx, app: &App, post: &Post, revision: &Revision, now: Timestamp) -> Result<()> {
    let known = workspace(tx, app, post.workspace_id, &revision.content, post.campaign_id).await?;
    let mut links = false;
    for (id, report) in known.post_reports(post, &revision.content) {
        // Content too large to check was refused when it was saved.
        if let Ok(report) = report {
            links |= !report.links.is_empty();
            store::insert_report(tx, post.id, revision.number, id, &report, now).await?;
        }
    }
    if links && known.guide.guide.check_links {
        let job = CheckLinks { workspace: post.workspace_id, post: post.id, revision: revision.number };
        jobs::enqueue(tx, app, &job, now).await?;
    }
    Ok(())
}

/// A saved revision's preflight: the report stored when it was saved, for
/// each of the post's channels (checked now for a channel added since).
pub async fn revision_report(app: &App, caller: &Caller, ws: WorkspaceId, post: PostId, number: i64) -> Result<PreflightReport> {
    let mut tx = app.db.read().await?;
    let (_, post) = crate::access::visible_post(&mut tx, caller, ws, post).await?;
    let revision = greenlight_store::posts::revision(&mut tx, post.id, number).await?.ok_or(Error::NotFound("revision"))?;
    let mut stored: BTreeMap<ChannelId, (Report, Timestamp)> =
        store::reports(&mut tx, post.id, number).await?.into_iter().map(|(c, r, at)| (c, (r, at))).collect();
    let known = workspace(&mut tx, app, ws, &revision.content, post.campaign_id).await?;
    let mut out = Vec::new();
    for (id, fresh) in known.post_reports(&post, &revision.content) {
        match (stored.remove(&id), fresh) {
            (Some((report, at)), _) => out.push(ChannelReport { channel_id: id, checked_at: Some(at), report }),
            (None, Ok(report)) => out.push(ChannelReport { channel_id: id, checked_at: None, report }),
            (None, Err(_)) => {}
        }
    }
    Ok(PreflightReport::of(out))
}

/// Preflight's verdict on content submitted for review: blocking findings
/// refuse the submission, unless someone who may override reviews gives a
/// reason (recorded with the review's start); warnings travel with it.
/// Answers what the audit event records.
pub(crate) async fn gate_submission(
    tx: &mut Tx,
    app: &App,
    role: Role,
    post: &Post,
    content: &Content,
    override_reason: Option<&str>,
) -> Result<serde_json::Value> {
    let known = workspace(tx, app, post.workspace_id, content, post.campaign_id).await?;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for (id, report) in known.post_reports(post, content) {
        let findings = match report {
            Ok(report) => report.findings,
            Err(e) => vec![e.finding()],
        };
        for f in findings {
            let entry = json!({ "channel_id": id, "rule": f.rule, "message": f.message, "field": f.field, "span": f.span });
            match f.severity {
                Severity::Error => errors.push((id, f, entry)),
                Severity::Warning => warnings.push(entry),
            }
        }
    }
    let overridden = match (errors.is_empty(), override_reason.map(str::trim).filter(|r| !r.is_empty())) {
        (true, _) => None,
        (false, Some(reason)) if role.can(Permission::OverrideReviews) => {
            Some(reason.chars().take(greenlight_domain::comment::MAX_DECISION_COMMENT_CHARS).collect::<String>())
        }
        (false, Some(_)) => return Err(Error::forbidden("err-preflight-role-cannot-override", [("role", role.to_string())])),
        (false, None) => {
            let fields = errors
                .iter()
                .map(|(id, f, _)| FieldError {
                    field: format!("preflight.{id}.{}", f.rule),
                    message: f.message.clone(),
                    words: f.words.clone(),
                })
                .collect();
            return Err(Error::Invalid(fields));
        }
    };
    let overridden_findings: Vec<_> = errors.into_iter().map(|(_, _, entry)| entry).collect();
    Ok(json!({
        "warnings": warnings,
        "overridden": overridden.map(|reason| json!({ "reason": reason, "findings": overridden_findings })),
    }))
}

/// The checks preflight finds something on, on any of the post's channels,
/// for this content: a checklist item ticked by one of them is open.
pub(crate) async fn open_checks(tx: &mut Tx, app: &App, post: &Post, content: &Content) -> Result<BTreeSet<Check>> {
    let known = workspace(tx, app, post.workspace_id, content, post.campaign_id).await?;
    let mut open = BTreeSet::new();
    for (_, report) in known.post_reports(post, content) {
        match report {
            Ok(report) => open.extend(report.open_checks()),
            Err(_) => {
                open.insert(Check::Text);
            }
        }
    }
    Ok(open)
}

/// A workspace's style guide as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GuideView {
    pub guide: StyleGuide,
    /// Changing the guide needs it in `If-Match` (0 before the first save).
    pub version: i64,
    pub updated_at: Option<Timestamp>,
}

pub async fn style_guide(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<GuideView> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(match store::style_guide(&mut tx, ws).await? {
        Some(stored) => GuideView {
            guide: serde_json::from_str(&stored.guide).map_err(Error::internal)?,
            version: stored.version,
            updated_at: Some(stored.updated_at),
        },
        None => GuideView { guide: StyleGuide::default(), version: 0, updated_at: None },
    })
}

/// Replaces the workspace's style guide, if it is still at `expected`: it
/// must compile, and name only the workspace's labels and campaigns.
pub async fn save_style_guide(app: &App, caller: &Caller, ws: WorkspaceId, expected: Option<i64>, guide: StyleGuide) -> Result<GuideView> {
    let by = caller.require_user()?;
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageStyleGuide).await?;
    let expected = expected.ok_or(Error::VersionRequired)?;
    let labels: BTreeSet<LabelId> = planning::labels(&mut tx, ws).await?.into_iter().map(|l| l.id).collect();
    let campaigns: BTreeSet<CampaignId> = planning::campaigns(&mut tx, ws).await?.into_iter().map(|c| c.id).collect();
    let mut errors = Errors::new();
    for (field, when) in guide.references() {
        if when.label_id.is_some_and(|l| !labels.contains(&l)) {
            errors.add_words(format!("{field}.label_id"), "err-post-no-label", []);
        }
        if when.campaign_id.is_some_and(|c| !campaigns.contains(&c)) {
            errors.add_words(format!("{field}.campaign_id"), "err-post-no-campaign", []);
        }
    }
    let mut errors = errors.into_vec();
    let compiled = guide.compile();
    if let Err(invalid) = &compiled {
        errors.extend(invalid.iter().cloned());
    }
    let (Ok(compiled), true) = (compiled, errors.is_empty()) else { return Err(Error::Invalid(errors)) };
    let text = serde_json::to_string(&compiled.guide).map_err(Error::internal)?;
    let now = app.now();
    if !store::save_style_guide(&mut tx, ws, &text, expected, by, now).await? {
        let current = store::style_guide_version(&mut tx, ws).await?;
        return Err(Error::Stale { current });
    }
    let version = expected + 1;
    let data = json!({ "version": version, "guide": compiled.guide });
    record(&mut tx, app, caller, Chain::Workspace(ws), "style_guide.updated", ("workspace", Some(ws.uuid())), data).await?;
    tx.commit().await?;
    app.guides.put(ws, version, Arc::new(compiled.clone()));
    Ok(GuideView { guide: compiled.guide, version, updated_at: Some(now) })
}

/// Asks whether a link answers.
#[async_trait]
pub trait LinkProbe: Send + Sync {
    /// The status the link answers with (after redirects), or why it did not.
    async fn probe(&self, url: &str) -> std::result::Result<u16, String>;
}

/// How long a link's check stays good: revisions saved within it reuse it.
const RECHECK_AFTER_HOURS: i64 = 24;
/// The most links one revision's check asks about.
const MAX_LINKS: usize = 50;

/// Check that a saved revision's links answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckLinks {
    pub workspace: WorkspaceId,
    pub post: PostId,
    pub revision: i64,
}

impl Job for CheckLinks {
    const KIND: &'static str = "check_links";
    /// Up to 50 links × 10 s: its own queue, so mail and timers never wait on it.
    const QUEUE: &'static str = "links";

    fn dedup_key(&self) -> String {
        format!("check-links:{}:{}", self.post, self.revision)
    }

    async fn run(&self, app: &App) -> Result<()> {
        check_links(app, self.workspace, self.post, self.revision).await
    }
}

/// Checks the links of a saved revision that were not checked lately,
/// records what they answered, and stores the revision's reports again with
/// what was found. Off unless the workspace's guide asks for it; a link
/// that cannot be reached is a warning, never an error.
async fn check_links(app: &App, ws: WorkspaceId, post: PostId, number: i64) -> Result<()> {
    let mut tx = app.db.read().await?;
    let guide = compiled_guide(&mut tx, app, ws).await?;
    if !guide.guide.check_links {
        return Ok(());
    }
    let now = app.now();
    let stale_before = now - jiff::SignedDuration::from_hours(RECHECK_AFTER_HOURS);
    let mut urls = BTreeSet::new();
    for (_, report, _) in store::reports(&mut tx, post, number).await? {
        urls.extend(report.links.iter().map(|l| preflight::links::absolute(&l.url)));
    }
    let mut due = Vec::new();
    for url in urls.into_iter().take(MAX_LINKS) {
        if store::link_checked_at(&mut tx, ws, &url).await?.is_none_or(|at| at < stale_before) {
            due.push(url);
        }
    }
    drop(tx);
    if due.is_empty() {
        return Ok(());
    }
    let mut results = Vec::new();
    for url in due {
        let (ok, detail) = match app.links.probe(&url).await {
            Ok(status) if status < 400 => (true, format!("HTTP {status}")),
            Ok(status) => (false, format!("it answered HTTP {status}")),
            Err(why) => (false, why),
        };
        results.push(LinkCheck { url, ok, detail, checked_at: now });
    }
    let mut tx = app.db.write().await?;
    for result in &results {
        store::record_link_check(&mut tx, ws, result).await?;
    }
    let (Some(post), Some(revision)) =
        (greenlight_store::posts::post(&mut tx, ws, post).await?, greenlight_store::posts::revision(&mut tx, post, number).await?)
    else {
        return Ok(());
    };
    let known = workspace(&mut tx, app, ws, &revision.content, post.campaign_id).await?;
    for (id, report) in known.post_reports(&post, &revision.content) {
        if let Ok(report) = report {
            store::insert_report(&mut tx, post.id, number, id, &report, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
