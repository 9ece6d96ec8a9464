//! Posts, their revisions, and changes to them.

use crate::error::AddWords as _;
use std::collections::BTreeSet;

use greenlight_domain::{
    audit::Chain,
    content::Content,
    diff::{FieldChange, diff},
    id::{CampaignId, ChannelId, LabelId, PostId, RevisionId, UserId, WorkspaceId},
    permission::Permission,
    post::{PostEvent, PostState},
    schedule::PlannedTime,
    validation::{Errors, FieldError},
};
use greenlight_store::{
    StoreError, Tx, media, planning,
    posts::{self, Post, PostFilter, Revision},
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller,
    access::{self, require_edit, visible_post},
    audit::record,
    error::{Error, Result},
    publishing, reviews,
};

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BRIEF_CHARS: usize = 10_000;

fn check_text(errors: &mut Errors, field: &str, value: &str, max: usize, required: bool) {
    if required && value.trim().is_empty() {
        errors.add_words(field, "err-post-empty", []);
    }
    if value.chars().count() > max {
        errors.add_words(field, "err-post-too-long", [("max", max.to_string())]);
    }
}

/// Checks that referenced records exist in the workspace (a foreign or
/// unknown id is a field error, not a way to probe other workspaces).
async fn check_refs(
    tx: &mut Tx,
    ws: WorkspaceId,
    errors: &mut Errors,
    campaign: Option<CampaignId>,
    labels: &[LabelId],
    channels: &[ChannelId],
) -> Result<()> {
    if let Some(c) = campaign
        && planning::campaign(tx, ws, c).await?.is_none()
    {
        errors.add_words("campaign_id", "err-post-no-campaign", []);
    }
    let known_labels: BTreeSet<LabelId> = planning::labels(tx, ws).await?.into_iter().map(|l| l.id).collect();
    if labels.iter().any(|l| !known_labels.contains(l)) {
        errors.add_words("label_ids", "err-post-no-label", []);
    }
    let known_channels: BTreeSet<ChannelId> = planning::channels(tx, ws).await?.into_iter().map(|c| c.id).collect();
    if channels.iter().any(|c| !known_channels.contains(c)) {
        errors.add_words("channel_ids", "err-post-no-channel", []);
    }
    Ok(())
}

async fn check_content(tx: &mut Tx, ws: WorkspaceId, content: &Content, channels: &[ChannelId]) -> Result<Vec<FieldError>> {
    let targets: BTreeSet<ChannelId> = channels.iter().copied().collect();
    let mut errors = match content.validate(&targets) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| FieldError { field: format!("content.{}", e.field), ..e }).collect(),
    };
    let media_ids: Vec<_> = content.media_ids().into_iter().collect();
    if media::count_media(tx, ws, &media_ids).await? != media_ids.len() {
        errors.push(crate::error::said("content.media", "err-post-media-elsewhere", []));
    }
    Ok(errors)
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items.dedup();
    items
}

fn parse_planned(errors: &mut Errors, value: Option<&str>) -> Option<PlannedTime> {
    value.and_then(|v| errors.check("planned_at", PlannedTime::parse(v)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    pub title: String,
    #[serde(default)]
    pub brief: String,
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
    #[serde(default)]
    pub label_ids: Vec<LabelId>,
    #[serde(default)]
    pub channel_ids: Vec<ChannelId>,
    /// RFC 9557, e.g. `2026-12-01T09:00[Europe/Copenhagen]`.
    #[serde(default)]
    #[schema(value_type = Option<greenlight_domain::schedule::PlannedTime>)]
    pub planned_at: Option<String>,
    #[serde(default)]
    pub content: Content,
    /// Reused content (a workflow may let it skip stages).
    #[serde(default)]
    pub repurposed: bool,
}

/// A post and the revision a write produced.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Saved {
    pub post: crate::views::Post,
    pub revision: crate::views::Revision,
}

pub async fn create_post(app: &App, caller: &Caller, ws: WorkspaceId, input: NewPost) -> Result<Saved> {
    let author = caller.require_user()?;
    let mut errors = Errors::new();
    check_text(&mut errors, "title", &input.title, MAX_TITLE_CHARS, true);
    check_text(&mut errors, "brief", &input.brief, MAX_BRIEF_CHARS, false);
    let planned = parse_planned(&mut errors, input.planned_at.as_deref());
    let content = input.content.normalized();
    let labels = sorted(input.label_ids);
    let channels = sorted(input.channel_ids);

    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::CreatePosts).await?;
    check_refs(&mut tx, ws, &mut errors, input.campaign_id, &labels, &channels).await?;
    let mut errors = errors.into_vec();
    errors.extend(check_content(&mut tx, ws, &content, &channels).await?);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = app.now();
    let id = PostId::from_uuid(Uuid::now_v7());
    let revision = Revision {
        id: RevisionId::from_uuid(Uuid::now_v7()),
        post_id: id,
        number: 1,
        content_hash: content.hash(),
        content,
        author_id: author,
        created_at: now,
    };
    let post = Post {
        id,
        workspace_id: ws,
        title: input.title.trim().into(),
        brief: input.brief,
        owner_id: author,
        campaign_id: input.campaign_id,
        state: PostState::Draft,
        planned,
        version: 1,
        current_revision_id: Some(revision.id),
        label_ids: labels,
        channel_ids: channels,
        repurposed: input.repurposed,
        review_stage: None,
        created_at: now,
        updated_at: now,
    };
    posts::insert_post(&mut tx, &post).await?;
    posts::insert_revision(&mut tx, &revision).await?;
    crate::preflight::store_for_revision(&mut tx, app, &post, &revision, now).await?;
    let data = json!({
        "title": post.title,
        "planned_at": post.planned.as_ref().map(|p| p.to_string()),
        "revision": 1,
        "content_hash": revision.content_hash,
    });
    record(&mut tx, app, caller, Chain::Workspace(ws), "post.created", ("post", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(Saved { post: post.into(), revision: revision.into() })
}

pub async fn post(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId) -> Result<crate::views::Post> {
    let mut tx = app.db.read().await?;
    Ok(visible_post(&mut tx, caller, ws, id).await?.1.into())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PostQuery {
    #[param(value_type = Option<greenlight_domain::post::PostState>)]
    pub state: Option<String>,
    pub campaign_id: Option<CampaignId>,
    pub owner_id: Option<UserId>,
    pub label_id: Option<LabelId>,
    pub channel_id: Option<ChannelId>,
    /// Planned at or after (RFC 3339 instant).
    pub from: Option<String>,
    /// Planned before.
    pub until: Option<String>,
    /// The id of the last post of the previous page.
    pub cursor: Option<PostId>,
    pub limit: Option<i64>,
}

/// A page of posts and the cursor of the next page, if there is one.
pub async fn posts(app: &App, caller: &Caller, ws: WorkspaceId, query: PostQuery) -> Result<(Vec<crate::views::Post>, Option<PostId>)> {
    let mut errors = Errors::new();
    let filter = post_filter(&mut errors, &query);
    let limit = crate::page_limit(&mut errors, query.limit);
    errors.into_result()?;
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewPosts).await?;
    let rows = posts::posts(&mut tx, ws, &filter, query.cursor, limit + 1).await?;
    Ok(crate::page(crate::views::all(rows), limit, |p| p.id))
}

/// A post found by its words, with where they are.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub post: crate::views::Post,
    /// Where the words were found: `title`, `text`, `brief`, `campaign`, `label`.
    pub found_in: &'static str,
    /// The words around the hit, in three parts (the hit in the middle).
    pub before: String,
    pub hit: String,
    pub after: String,
}

/// Results a search answers at most.
pub const SEARCH_RESULTS: usize = 50;
/// Candidates the database is asked for: its match on stored JSON can be
/// a field's name, which the check in words then drops.
const SEARCH_CANDIDATES: i64 = 200;

/// The workspace's posts whose title, words (base text, every channel's,
/// first comment, thread, link), brief, campaign or label hold `query`,
/// ignoring case; newest first.
pub async fn search(app: &App, caller: &Caller, ws: WorkspaceId, query: &str) -> Result<Vec<SearchHit>> {
    let query = query.trim();
    if query.chars().count() > 200 {
        return Err(Error::field_said("q", "err-post-too-long", [("max", "200".into())]));
    }
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewPosts).await?;
    let escaped: String =
        query.to_lowercase().chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    let ids = posts::search(&mut tx, ws, &format!("%{escaped}%"), SEARCH_CANDIDATES).await?;
    let campaigns: std::collections::BTreeMap<CampaignId, String> =
        planning::campaigns(&mut tx, ws).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let labels: std::collections::BTreeMap<LabelId, String> =
        planning::labels(&mut tx, ws).await?.into_iter().map(|l| (l.id, l.name)).collect();
    let mut hits = Vec::new();
    for id in ids {
        let Some(post) = posts::post(&mut tx, ws, id).await? else { continue };
        let content = posts::latest_revision(&mut tx, id).await?.map(|r| r.content).unwrap_or_default();
        let words = content
            .variants
            .values()
            .filter_map(|v| v.text.as_deref())
            .chain([
                content.text.as_str(),
                content.first_comment.as_deref().unwrap_or_default(),
                content.link.as_deref().unwrap_or_default(),
            ])
            .chain(content.thread.iter().map(String::as_str));
        let places = [("title", post.title.clone())]
            .into_iter()
            .chain(words.map(|w| ("text", w.to_owned())))
            .chain([("brief", post.brief.clone())])
            .chain(post.campaign_id.and_then(|c| campaigns.get(&c).cloned()).map(|c| ("campaign", c)))
            .chain(post.label_ids.iter().filter_map(|l| labels.get(l).cloned()).map(|l| ("label", l)));
        let found = places.into_iter().find_map(|(place, text)| greenlight_domain::search::excerpt(&text, query).map(|e| (place, e)));
        if let Some((found_in, e)) = found {
            hits.push(SearchHit { post: post.into(), found_in, before: e.before, hit: e.hit, after: e.after });
            if hits.len() == SEARCH_RESULTS {
                break;
            }
        }
    }
    Ok(hits)
}

pub(crate) fn post_filter(errors: &mut Errors, query: &PostQuery) -> PostFilter {
    let state = query.state.as_deref().and_then(|s| {
        let state = PostState::parse(s);
        if state.is_none() {
            errors.add_words("state", "err-post-not-a-state", []);
        }
        state
    });
    let instant = |errors: &mut Errors, field: &str, v: Option<&str>| {
        v.and_then(|v| errors.check(field, v.parse::<jiff::Timestamp>().map_err(|_| "an instant like 2026-12-01T08:00:00Z")))
    };
    PostFilter {
        state,
        campaign: query.campaign_id,
        owner: query.owner_id,
        from: instant(errors, "from", query.from.as_deref()),
        until: instant(errors, "until", query.until.as_deref()),
        label: query.label_id,
        channel: query.channel_id,
    }
}

/// `Some(None)` clears a field, `None` leaves it alone.
fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostChange {
    pub title: Option<String>,
    pub brief: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub campaign_id: Option<Option<CampaignId>>,
    pub label_ids: Option<Vec<LabelId>>,
    pub channel_ids: Option<Vec<ChannelId>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<greenlight_domain::schedule::PlannedTime>)]
    pub planned_at: Option<Option<String>>,
    /// Whether the content is reused; a running review keeps the path it
    /// started on, the next submission is routed with it.
    pub repurposed: Option<bool>,
}

fn require_version(expected: Option<i64>, post: &Post) -> Result<i64> {
    let expected = expected.ok_or(Error::VersionRequired)?;
    if expected != post.version {
        return Err(Error::Stale { current: post.version });
    }
    Ok(expected)
}

fn stale(current: i64) -> impl FnOnce(StoreError) -> Error {
    move |err| match err {
        StoreError::Stale => Error::Stale { current },
        other => other.into(),
    }
}

/// Plans the post at the next free posting slot of its channels ("add to
/// queue"). Like any reschedule it keeps the post's approvals. Two posts
/// queued at the same moment may pick the same slot: the queue is a
/// helper for planning, not a lock.
pub async fn queue(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId, expected: Option<i64>) -> Result<crate::views::Post> {
    let at = {
        let mut tx = app.db.read().await?;
        let (role, post) = visible_post(&mut tx, caller, ws, id).await?;
        require_edit(role, caller, &post)?;
        crate::planning::next_slot(&mut tx, app, &post).await?
    };
    update_post(app, caller, ws, id, expected, PostChange { planned_at: Some(Some(at.to_string())), ..PostChange::default() }).await
}

/// Changes a post's planning fields (not its content: that is a revision).
/// A schedule-only change keeps the post's state, and so its approvals.
pub async fn update_post(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    id: PostId,
    expected: Option<i64>,
    change: PostChange,
) -> Result<crate::views::Post> {
    let mut tx = app.db.write().await?;
    let (role, mut post) = visible_post(&mut tx, caller, ws, id).await?;
    require_edit(role, caller, &post)?;
    let expected = require_version(expected, &post)?;

    let mut errors = Errors::new();
    let mut changed = serde_json::Map::new();
    if let Some(title) = change.title {
        check_text(&mut errors, "title", &title, MAX_TITLE_CHARS, true);
        post.title = title.trim().into();
        changed.insert("title".into(), json!(post.title));
    }
    if let Some(brief) = change.brief {
        check_text(&mut errors, "brief", &brief, MAX_BRIEF_CHARS, false);
        post.brief = brief;
        changed.insert("brief".into(), json!(post.brief));
    }
    if let Some(campaign) = change.campaign_id {
        post.campaign_id = campaign;
        changed.insert("campaign_id".into(), json!(campaign));
    }
    if let Some(labels) = change.label_ids {
        post.label_ids = sorted(labels);
        changed.insert("label_ids".into(), json!(post.label_ids));
    }
    let (before, was) = (post.channel_ids.clone(), post.state);
    if let Some(channels) = change.channel_ids {
        post.channel_ids = sorted(channels);
        changed.insert("channel_ids".into(), json!(post.channel_ids));
    }
    if let Some(planned) = change.planned_at {
        if !post.state.allows_reschedule() {
            errors.add_words("planned_at", "err-post-no-reschedule", [("state", post.state.to_string())]);
        }
        post.planned = match planned {
            Some(text) => parse_planned(&mut errors, Some(&text)),
            None => None,
        };
        changed.insert("planned_at".into(), json!(post.planned.as_ref().map(|p| p.to_string())));
    }
    if let Some(repurposed) = change.repurposed {
        post.repurposed = repurposed;
        changed.insert("repurposed".into(), json!(repurposed));
    }
    check_refs(&mut tx, ws, &mut errors, post.campaign_id, &post.label_ids, &post.channel_ids).await?;
    let mut errors = errors.into_vec();
    if changed.contains_key("channel_ids")
        && let Some(current) = posts::latest_revision(&mut tx, id).await?
    {
        // Variants for channels that are no longer targeted would be orphans.
        let orphans = check_content(&mut tx, ws, &current.content, &post.channel_ids).await?;
        errors.extend(orphans.into_iter().map(|e| FieldError::new("channel_ids", format!("the current content: {}", e.message))));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if changed.is_empty() {
        return Ok(post.into());
    }
    // What routing and skip conditions look at changed: the open review
    // re-evaluates its skips (a stage that now applies asks again).
    // (Not once publishing has begun: what went out was decided then.)
    if post.state.allows_reschedule()
        && ["label_ids", "channel_ids", "campaign_id", "repurposed"].iter().any(|k| changed.contains_key(*k))
        && let Some(rerun) = reviews::facts_changed(&mut tx, app, &post, post.channel_ids.iter().any(|c| !before.contains(c))).await?
    {
        let from = post.state;
        post.state = rerun.post_state(from)?;
        post.review_stage = rerun.stage;
        changed.insert("review".into(), json!(rerun.review));
        changed.insert("progress".into(), rerun.recorded.clone());
        if from != post.state {
            changed.insert("state".into(), json!({ "from": from, "to": post.state }));
        }
    }
    post.version += 1;
    post.updated_at = app.now();
    posts::update_post(&mut tx, &post, expected).await.map_err(stale(expected))?;
    if changed.contains_key("label_ids") || changed.contains_key("channel_ids") {
        posts::replace_links(&mut tx, &post).await?;
    }
    if changed.contains_key("planned_at") {
        reviews::planned_time_changed(&mut tx, app, &post).await?;
    }
    // A scheduled post whose time or channels moved goes out at its time
    // on its channels, its approval kept; one sent back to review goes out
    // on none. (Other edits leave its publications alone.)
    match (post.state, &post.planned) {
        (PostState::Scheduled, Some(planned)) if changed.contains_key("planned_at") || changed.contains_key("channel_ids") => {
            publishing::plan(&mut tx, app, &post, planned.at).await?
        }
        (state, _) if was.holds_approval() && !state.holds_approval() => publishing::call_off(&mut tx, app, post.id).await?,
        _ => {}
    }
    record(&mut tx, app, caller, Chain::Workspace(ws), "post.updated", ("post", Some(id.uuid())), serde_json::Value::Object(changed))
        .await?;
    tx.commit().await?;
    Ok(post.into())
}

/// The result of saving content: a new revision, or the current one when
/// the content did not change.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SavedRevision {
    #[serde(flatten)]
    pub saved: Saved,
    pub created: bool,
}

/// Saves content as the post's next revision. Revisions are never changed
/// afterwards; editing approved content sends the post back to review.
pub async fn save_revision(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    id: PostId,
    expected: Option<i64>,
    content: Content,
) -> Result<SavedRevision> {
    let author = caller.require_user()?;
    let content = content.normalized();
    let mut tx = app.db.write().await?;
    let (role, mut post) = visible_post(&mut tx, caller, ws, id).await?;
    require_edit(role, caller, &post)?;
    let expected = require_version(expected, &post)?;
    let errors = check_content(&mut tx, ws, &content, &post.channel_ids).await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let current = posts::latest_revision(&mut tx, id).await?.ok_or_else(|| Error::Internal("post without a revision".into()))?;
    let hash = content.hash();
    if hash == current.content_hash {
        return Ok(SavedRevision { saved: Saved { post: post.into(), revision: current.into() }, created: false });
    }
    let state = post.state.apply(PostEvent::EditContent).map_err(|e| Error::Conflict(e.to_string().into()))?;
    let now = app.now();
    let revision = Revision {
        id: RevisionId::from_uuid(Uuid::now_v7()),
        post_id: id,
        number: current.number + 1,
        content_hash: hash,
        content,
        author_id: author,
        created_at: now,
    };
    let from_state = post.state;
    posts::insert_revision(&mut tx, &revision).await?;
    crate::preflight::store_for_revision(&mut tx, app, &post, &revision, now).await?;
    // A running review re-runs the stages the edit un-covers; if every stage
    // still covers it (its own approvers' edits), it stays approved.
    let rerun = reviews::content_edited(&mut tx, app, &post, hash, author).await?;
    let state = match &rerun {
        Some(rerun) => rerun.post_state(state)?,
        None => state,
    };
    post.state = state;
    post.review_stage = rerun.as_ref().and_then(|r| r.stage.clone());
    post.current_revision_id = Some(revision.id);
    post.version += 1;
    post.updated_at = now;
    posts::update_progress(&mut tx, &post, expected).await.map_err(stale(expected))?;
    let mut data = json!({ "revision": revision.number, "content_hash": revision.content_hash });
    if let Some(rerun) = rerun {
        data["review"] = json!(rerun.review);
        data["progress"] = rerun.recorded;
    }
    if from_state != state {
        data["state"] = json!({ "from": from_state, "to": state });
    }
    record(&mut tx, app, caller, Chain::Workspace(ws), "post.revision_saved", ("post", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(SavedRevision { saved: Saved { post: post.into(), revision: revision.into() }, created: true })
}

/// Schedules an approved post for its planned time (it needs one), or
/// takes it off the schedule again; either is the owner's or an editor's
/// call, and changes nothing about its approval.
pub async fn schedule(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    id: PostId,
    expected: Option<i64>,
    on: bool,
) -> Result<crate::views::Post> {
    let mut tx = app.db.write().await?;
    let (role, mut post) = visible_post(&mut tx, caller, ws, id).await?;
    require_edit(role, caller, &post)?;
    let expected = require_version(expected, &post)?;
    let event = if on { PostEvent::Schedule } else { PostEvent::Unschedule };
    if on && post.planned.is_none() {
        return Err(Error::field_said("planned_at", "err-post-schedule-unplanned", []));
    }
    let from = post.state;
    post.state = from.apply(event).map_err(|e| Error::Conflict(e.to_string().into()))?;
    post.version += 1;
    post.updated_at = app.now();
    posts::update_progress(&mut tx, &post, expected).await.map_err(stale(expected))?;
    match &post.planned {
        Some(planned) if on => publishing::plan(&mut tx, app, &post, planned.at).await?,
        _ => publishing::call_off(&mut tx, app, post.id).await?,
    }
    let data = json!({ "event": event, "from": from, "to": post.state, "planned_at": post.planned.as_ref().map(|p| p.to_string()) });
    record(&mut tx, app, caller, Chain::Workspace(ws), "post.state_changed", ("post", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(post.into())
}

pub async fn revisions(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId) -> Result<Vec<crate::views::Revision>> {
    let mut tx = app.db.read().await?;
    visible_post(&mut tx, caller, ws, id).await?;
    Ok(crate::views::all(posts::revisions(&mut tx, id).await?))
}

pub async fn revision(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId, number: i64) -> Result<crate::views::Revision> {
    let mut tx = app.db.read().await?;
    visible_post(&mut tx, caller, ws, id).await?;
    posts::revision(&mut tx, id, number).await?.map(Into::into).ok_or(Error::NotFound("revision"))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RevisionDiff {
    pub from: i64,
    pub to: i64,
    pub from_hash: greenlight_domain::canonical::Hash,
    pub to_hash: greenlight_domain::canonical::Hash,
    pub changes: Vec<FieldChange>,
}

pub async fn diff_revisions(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId, from: i64, to: i64) -> Result<RevisionDiff> {
    let mut tx = app.db.read().await?;
    visible_post(&mut tx, caller, ws, id).await?;
    let a = posts::revision(&mut tx, id, from).await?.ok_or(Error::NotFound("revision"))?;
    let b = posts::revision(&mut tx, id, to).await?.ok_or(Error::NotFound("revision"))?;
    Ok(RevisionDiff { from, to, from_hash: a.content_hash, to_hash: b.content_hash, changes: diff(&a.content, &b.content) })
}
