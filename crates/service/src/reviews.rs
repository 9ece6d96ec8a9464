//! Reviews: submitting a post, decisions pinned to revisions, withdrawal,
//! overrides, and "my reviews". The engine decides; this module loads what
//! it needs, stores what it did, moves the post's state, and records it all
//! in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use greenlight_domain::{
    Timestamp,
    audit::Chain,
    canonical::Hash,
    content::MediaUse,
    id::{ChannelId, PostId, ReviewId, UserId, WorkspaceId},
    names::Email,
    permission::{Permission, Role},
    post::{PostEvent, PostState},
    workflow::{
        AtPublishTime, Context, DecisionInput, Definition, Facts, LateApproval, People, Principal, Progress, Review, ReviewError,
        ReviewStatus, Verdict,
        review::{RevisionMark, StageStatus, Timer, TimerKind},
    },
};
use greenlight_store::{
    StoreError, Tx,
    posts::{self, Post},
    workflows::{self, ReviewRecord, Workflow},
    workspaces,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use greenlight_domain::comment::MAX_DECISION_COMMENT_CHARS;

use crate::{
    App, Caller,
    access::{require_edit, visible_post},
    audit::record,
    error::{Error, Result},
    invites,
    jobs::{self, Job},
    publishing,
    routing::{facts_and_people, routed},
};

fn engine_error(err: ReviewError) -> Error {
    match err {
        ReviewError::NotActive(status) => Error::conflict("err-review-not-active", [("status", format!("{status:?}"))]),
        ReviewError::Stale { current } => Error::conflict("err-review-stale", [("current", current.to_string())]),
        ReviewError::NotAsked => Error::forbidden("err-review-not-asked", []),
        ReviewError::WhichLane(lanes) => Error::field_said("lane", "err-review-which-lane", [("lanes", lanes)]),
        ReviewError::OwnPost => Error::forbidden("err-review-own-post", []),
        ReviewError::AlreadyDecided => Error::conflict("err-review-already-decided", []),
        ReviewError::CommentRequired => Error::field_said("comment", "err-review-comment-required", []),
        ReviewError::ChecklistOpen(open) => Error::field_said("checklist", "err-review-checklist-open", [("open", open)]),
        ReviewError::UnknownChecklistItem(item) => Error::field_said("checklist", "err-review-checklist-unknown", [("item", item)]),
        ReviewError::AutomaticChecklistItem(item) => Error::field_said("checklist", "err-review-checklist-automatic", [("item", item)]),
        ReviewError::ReasonRequired => Error::field_said("reason", "err-review-reason-required", []),
        ReviewError::Unstaffed { stage, lane, needed, available } => Error::conflict(
            "err-review-unstaffed",
            [("stage", stage), ("lane", lane), ("needed", needed.to_string()), ("available", available.to_string())],
        ),
        ReviewError::Mismatch => Error::conflict("err-review-mismatch", []),
    }
}

/// A review as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    #[serde(flatten)]
    pub record: crate::views::ReviewRecord,
    pub workflow_name: String,
    /// The hash of the revision under review: decisions must name it.
    pub current_revision: Hash,
    pub waiting_for: BTreeSet<Principal>,
}

fn view(record: ReviewRecord, workflow: &Workflow) -> ReviewView {
    let current_revision = *record.run.current_revision();
    let waiting_for = record.run.waiting_for(&workflow.definition);
    ReviewView { record: record.into(), workflow_name: workflow.name.clone(), current_revision, waiting_for }
}

/// Everything one step of a review needs, loaded in its transaction.
struct Loaded {
    post: Post,
    record: ReviewRecord,
    workflow: Workflow,
    facts: Facts,
    people: People,
}

/// Loads the post's open review after `allowed` accepts the caller's role
/// (so a refusal comes before "no open review").
async fn load_open(
    tx: &mut Tx,
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    id: PostId,
    allowed: impl FnOnce(Role, &Post) -> Result<()>,
) -> Result<Loaded> {
    let (role, post) = visible_post(tx, caller, ws, id).await?;
    allowed(role, &post)?;
    let record = workflows::open_review(tx, id).await?.ok_or(Error::NotFound("open review"))?;
    load_with(tx, app, post, record).await
}

async fn load_with(tx: &mut Tx, app: &App, post: Post, record: ReviewRecord) -> Result<Loaded> {
    let workflow = workflow_of(tx, &record).await?;
    let (facts, people) = facts_and_people(tx, post.workspace_id, &post, app.now()).await?;
    Ok(Loaded { post, record, workflow, facts, people })
}

/// The workflow version a review runs.
pub async fn workflow_of(tx: &mut Tx, record: &ReviewRecord) -> Result<Workflow> {
    workflows::workflow(tx, record.workspace_id, record.workflow_id, Some(record.workflow_version))
        .await?
        .ok_or(Error::NotFound("workflow"))
}

/// Writes a changed review (a concurrent change to it is a conflict) and
/// enqueues the reminders and escalation its running stage asks for.
async fn store_review(tx: &mut Tx, app: &App, record: &mut ReviewRecord, def: &Definition) -> Result<()> {
    record.version += 1;
    record.updated_at = app.now();
    workflows::update_review(tx, record).await.map_err(|e| match e {
        StoreError::Stale => Error::conflict("err-review-changed-meanwhile", []),
        other => other.into(),
    })?;
    schedule_timers(tx, app, record, def).await
}

/// What a stored review's running stage asks for: its reminders and
/// escalation, and the links of the outside reviewers it waits for.
async fn schedule_timers(tx: &mut Tx, app: &App, record: &ReviewRecord, def: &Definition) -> Result<()> {
    for timer in record.run.timers(def) {
        let at = timer.at;
        jobs::enqueue(tx, app, &ReviewTimer { review: record.id, timer }, at).await?;
    }
    invites::ask_outside_reviewers(tx, app, record, def).await
}

/// The name of the stage a running review waits at.
pub fn waiting_stage(record: &ReviewRecord, def: &Definition) -> Option<String> {
    let i = record.run.active_stage().filter(|_| record.run.status == ReviewStatus::Active)?;
    def.stages.get(i).map(|s| s.name.clone())
}

/// Stores the review and moves the post as the engine's progress says.
async fn save(tx: &mut Tx, app: &App, loaded: &mut Loaded, events: &[PostEvent]) -> Result<()> {
    let def = &loaded.workflow.definition;
    store_review(tx, app, &mut loaded.record, def).await?;
    let stage = waiting_stage(&loaded.record, def);
    move_post(tx, app, loaded.record.id, &mut loaded.post, events, stage).await
}

/// Applies `events` to the post and records the stage its review waits at.
/// Moves the post as the review's progress says. An approval records the
/// channels it covers; an approval that schedules the post at once (a late
/// one within the grace period) plans its publications for now.
async fn move_post(tx: &mut Tx, app: &App, review: ReviewId, post: &mut Post, events: &[PostEvent], stage: Option<String>) -> Result<()> {
    if events.is_empty() && post.review_stage == stage {
        return Ok(());
    }
    let expected = post.version;
    for event in events {
        post.state = post.state.apply(*event).map_err(|e| Error::Conflict(e.to_string().into()))?;
    }
    post.review_stage = stage;
    post.version += 1;
    post.updated_at = app.now();
    posts::update_progress(tx, post, expected).await.map_err(|e| match e {
        StoreError::Stale => Error::conflict("err-review-post-changed-meanwhile", []),
        other => other.into(),
    })?;
    if events.contains(&PostEvent::Approve) {
        greenlight_store::publications::set_approved_channels(tx, review, &post.channel_ids).await?;
    }
    if events.contains(&PostEvent::Schedule) {
        publishing::plan(tx, app, post, app.now()).await?;
    }
    Ok(())
}

fn post_events(progress: &Progress) -> Vec<PostEvent> {
    match progress {
        Progress::Approved => vec![PostEvent::Approve],
        Progress::ChangesRequested => vec![PostEvent::RequestChanges],
        Progress::Rejected => vec![PostEvent::Reject],
        Progress::Waiting { .. } => Vec::new(),
    }
}

/// Whether an approval arrives after the planned time, and what the
/// workflow's publish-time policy makes of it: within a grace period the
/// post is scheduled at once (and so published right away); otherwise it
/// waits for a new time. Every path that can complete a review asks this.
fn late(progress: &Progress, def: &Definition, post: &Post, now: Timestamp) -> Option<LateApproval> {
    match progress {
        Progress::Approved => planned(post).and_then(|at| def.on_publish_time.late_approval(at, now)),
        _ => None,
    }
}

/// The post events for a review step's progress, `before` them.
fn approval_events(
    before: &[PostEvent],
    progress: &Progress,
    def: &Definition,
    post: &Post,
    now: Timestamp,
) -> (Vec<PostEvent>, Option<LateApproval>) {
    let mut events = before.to_vec();
    events.extend(post_events(progress));
    let late = late(progress, def, post, now);
    if late == Some(LateApproval::PublishNow) {
        events.push(PostEvent::Schedule);
    }
    (events, late)
}

fn late_json(late: Option<LateApproval>) -> serde_json::Value {
    match late {
        None => serde_json::Value::Null,
        Some(LateApproval::PublishNow) => json!("publish_now"),
        Some(LateApproval::Hold) => json!("hold"),
    }
}

/// Where a review stands, as its events record it (analytics folds these):
/// the stage it waits at, since when and until when, or how it ended.
pub(crate) fn progress_json(progress: &Progress, run: &Review) -> serde_json::Value {
    match progress {
        Progress::Waiting { stage, started } => {
            let due = run.stages.iter().find(|s| &s.key == stage && s.status == StageStatus::Active).and_then(|s| s.due_at);
            json!({ "waiting_at": stage, "stage_started": started, "due_at": due })
        }
        Progress::Approved => json!({ "outcome": "approved" }),
        Progress::ChangesRequested => json!({ "outcome": "changes_requested" }),
        Progress::Rejected => json!({ "outcome": "rejected" }),
    }
}

/// Submits a post for review with the workflow routing picks, at its
/// current revision; after changes were requested, resubmits.
pub async fn submit(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId, input: SubmitInput) -> Result<ReviewView> {
    caller.require_user()?;
    let mut tx = app.db.write().await?;
    let (role, mut post) = visible_post(&mut tx, caller, ws, id).await?;
    require_edit(role, caller, &post)?;
    let now = app.now();
    let latest = posts::latest_revision(&mut tx, id).await?.ok_or_else(|| Error::Internal("post without a revision".into()))?;
    let preflight =
        crate::preflight::gate_submission(&mut tx, app, role, &post, &latest.content, input.override_preflight.as_deref()).await?;
    if let Some(open) = workflows::open_review(&mut tx, id).await? {
        if open.run.status != ReviewStatus::ChangesRequested {
            return Err(Error::conflict("err-review-already-in-review", []));
        }
        let mut loaded = load_with(&mut tx, app, post, open).await?;
        let cx =
            Context { def: &loaded.workflow.definition, facts: &loaded.facts, people: &loaded.people, planned: planned(&loaded.post), now };
        let progress = loaded.record.run.resubmit(&cx).map_err(engine_error)?;
        let (events, late) = approval_events(&[PostEvent::Submit], &progress, &loaded.workflow.definition, &loaded.post, now);
        save(&mut tx, app, &mut loaded, &events).await?;
        let data = json!({ "review": loaded.record.id, "progress": progress_json(&progress, &loaded.record.run), "late": late_json(late), "preflight": preflight });
        record(&mut tx, app, caller, Chain::Workspace(ws), "review.resubmitted", ("post", Some(id.uuid())), data).await?;
        tx.commit().await?;
        return Ok(view(loaded.record, &loaded.workflow));
    }
    let (facts, people) = facts_and_people(&mut tx, ws, &post, now).await?;
    let workflow = routed(&mut tx, ws, &facts).await?;
    let revision = posts::latest_revision(&mut tx, id).await?.ok_or_else(|| Error::Internal("post without a revision".into()))?;
    let cx = Context { def: &workflow.definition, facts: &facts, people: &people, planned: planned(&post), now };
    let mark = RevisionMark { hash: revision.content_hash, author: Principal::User(revision.author_id) };
    let (run, progress) = Review::start(&cx, post.owner_id, mark).map_err(engine_error)?;
    let started = ReviewRecord {
        id: ReviewId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        post_id: id,
        workflow_id: workflow.id,
        workflow_version: workflow.version,
        version: 1,
        stored_status: run.status,
        run,
        created_at: now,
        updated_at: now,
    };
    workflows::insert_review(&mut tx, &started).await.map_err(|e| match e {
        StoreError::Duplicate => Error::conflict("err-review-already-in-review", []),
        other => other.into(),
    })?;
    schedule_timers(&mut tx, app, &started, &workflow.definition).await?;
    plan_publish_time(&mut tx, app, &post, started.id).await?;
    let (events, late) = approval_events(&[PostEvent::Submit], &progress, &workflow.definition, &post, now);
    move_post(&mut tx, app, started.id, &mut post, &events, waiting_stage(&started, &workflow.definition)).await?;
    let data = json!({
        "review": started.id, "workflow": workflow.id, "workflow_version": workflow.version,
        "revision": revision.number, "content_hash": revision.content_hash, "progress": progress_json(&progress, &started.run),
        "late": late_json(late), "preflight": preflight,
    });
    record(&mut tx, app, caller, Chain::Workspace(ws), "review.started", ("post", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(view(started, &workflow))
}

fn planned(post: &Post) -> Option<Timestamp> {
    post.planned.as_ref().map(|p| p.at)
}

/// What a submission may carry.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitInput {
    /// Submit despite preflight errors, for this reason (owners and admins;
    /// recorded with the review's start).
    #[serde(default)]
    pub override_preflight: Option<String>,
}

/// A decision as the API takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub verdict: Verdict,
    /// The content hash of the revision the decider saw.
    pub revision: Hash,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub checklist: BTreeSet<String>,
    #[serde(default)]
    pub lane: Option<String>,
    /// With a request for changes or a rejection: one of the workspace's
    /// preset reasons (`GET …/workflow-settings`), besides the comment.
    #[serde(default)]
    pub reason: Option<String>,
}

pub async fn decide(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId, input: DecisionRequest) -> Result<ReviewView> {
    let user = caller.require_user()?;
    let mut tx = app.db.write().await?;
    let (role, post) = visible_post(&mut tx, caller, ws, id).await?;
    if !role.can(Permission::DecideReviews) {
        return Err(Error::forbidden("err-review-cannot-decide", [("role", role.to_string())]));
    }
    let view = decide_open(&mut tx, app, caller, post, Principal::User(user), input).await?;
    tx.commit().await?;
    Ok(view)
}

/// Records `by`'s decision on the post's open review, in the caller's
/// transaction: a member's and a share-link visitor's go the same way.
pub(crate) async fn decide_open(
    tx: &mut Tx,
    app: &App,
    caller: &Caller,
    post: Post,
    by: Principal,
    input: DecisionRequest,
) -> Result<ReviewView> {
    if input.comment.as_deref().is_some_and(|c| c.chars().count() > MAX_DECISION_COMMENT_CHARS) {
        return Err(Error::field_said("comment", "err-review-text-long", [("max", MAX_DECISION_COMMENT_CHARS.to_string())]));
    }
    let (ws, id) = (post.workspace_id, post.id);
    let reason = match input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(_) if input.verdict == Verdict::Approve => return Err(Error::field_said("reason", "err-review-reason-approve", [])),
        Some(given) => {
            let settings = greenlight_store::analytics::settings(tx, ws).await?;
            Some(settings.reason(given).ok_or_else(|| match settings.reasons.is_empty() {
                true => Error::field_said("reason", "err-review-reason-none", []),
                false => Error::field_said("reason", "err-review-reason-unknown", [("reasons", settings.reasons.join(", "))]),
            })?)
        }
    };
    let open = workflows::open_review(tx, id).await?.ok_or(Error::NotFound("open review"))?;
    let mut loaded = load_with(tx, app, post, open).await?;
    let now = app.now();
    // Automatic checklist items follow what preflight finds in the content
    // now: the active stage's, and those of stages an approval may cover.
    let def = &loaded.workflow.definition;
    let active = loaded.record.run.active_stage().unwrap_or(0);
    let reach = if def.one_approval_covers_next_stages { def.stages.len() } else { 1 };
    let open_checks = if def.stages.iter().skip(active).take(reach).any(|s| s.checklist.iter().any(|c| c.automatic.is_some())) {
        let revision = posts::latest_revision(tx, id).await?.ok_or_else(|| Error::Internal("post without a revision".into()))?;
        crate::preflight::open_checks(tx, app, &loaded.post, &revision.content).await?
    } else {
        BTreeSet::new()
    };
    let cx =
        Context { def: &loaded.workflow.definition, facts: &loaded.facts, people: &loaded.people, planned: planned(&loaded.post), now };
    let decision = DecisionInput {
        by,
        verdict: input.verdict,
        revision: input.revision,
        comment: input.comment,
        checklist: input.checklist,
        open_checks,
        lane: input.lane,
    };
    let before = loaded.record.run.decisions.len();
    let progress = loaded.record.run.decide(&cx, decision).map_err(engine_error)?;
    // The decision, then any the same approval made in the stages that follow.
    if let Some(made) = loaded.record.run.decisions.get_mut(before) {
        made.reason = reason;
    }
    let made = loaded.record.run.decisions.get(before..).map(<[_]>::to_vec).unwrap_or_default();
    if made.is_empty() {
        return Err(Error::Internal("decision not recorded".into()));
    }
    let (events, late) = approval_events(&[], &progress, &loaded.workflow.definition, &loaded.post, now);
    save(tx, app, &mut loaded, &events).await?;
    let count = made.len();
    for (i, made) in made.iter().enumerate() {
        let last = i + 1 == count;
        let mut data = json!({
            "review": loaded.record.id, "stage": made.stage, "lane": made.lane, "verdict": made.verdict,
            "content_hash": made.revision, "for": made.for_whom, "comment": made.comment, "checklist": made.checklist,
        });
        if made.carried {
            data["carried"] = json!(true);
        }
        if let Some(reason) = &made.reason {
            data["reason"] = json!(reason);
        }
        if last {
            data["progress"] = progress_json(&progress, &loaded.record.run);
            data["late"] = late_json(late);
        }
        record(tx, app, caller, Chain::Workspace(ws), "review.decided", ("post", Some(id.uuid())), data).await?;
    }
    Ok(view(loaded.record, &loaded.workflow))
}

pub async fn withdraw(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId) -> Result<ReviewView> {
    let mut tx = app.db.write().await?;
    let mut loaded = load_open(&mut tx, app, caller, ws, id, |role, post| require_edit(role, caller, post)).await?;
    loaded.record.run.withdraw().map_err(engine_error)?;
    save(&mut tx, app, &mut loaded, &[PostEvent::Withdraw]).await?;
    record(
        &mut tx,
        app,
        caller,
        Chain::Workspace(ws),
        "review.withdrawn",
        ("post", Some(id.uuid())),
        json!({ "review": loaded.record.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(view(loaded.record, &loaded.workflow))
}

pub async fn override_stage(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId, reason: &str) -> Result<ReviewView> {
    let user = caller.require_user()?;
    if reason.chars().count() > MAX_DECISION_COMMENT_CHARS {
        return Err(Error::field_said("reason", "err-review-text-long", [("max", MAX_DECISION_COMMENT_CHARS.to_string())]));
    }
    let mut tx = app.db.write().await?;
    let mut loaded = load_open(&mut tx, app, caller, ws, id, |role, _| {
        if role.can(Permission::OverrideReviews) {
            Ok(())
        } else {
            Err(Error::forbidden("err-review-cannot-override", [("role", role.to_string())]))
        }
    })
    .await?;
    let stage = loaded.record.run.active_stage().map(|i| loaded.record.run.stages[i].key.clone());
    let now = app.now();
    let cx =
        Context { def: &loaded.workflow.definition, facts: &loaded.facts, people: &loaded.people, planned: planned(&loaded.post), now };
    let progress = loaded.record.run.override_stage(&cx, user, reason).map_err(engine_error)?;
    let (events, late) = approval_events(&[], &progress, &loaded.workflow.definition, &loaded.post, now);
    save(&mut tx, app, &mut loaded, &events).await?;
    let data = json!({
        "review": loaded.record.id, "stage": stage, "reason": reason.trim(), "progress": progress_json(&progress, &loaded.record.run),
        "late": late_json(late),
    });
    record(&mut tx, app, caller, Chain::Workspace(ws), "review.overridden", ("post", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(view(loaded.record, &loaded.workflow))
}

/// Also asks `email` (a client, asked from the post's share menu) to
/// approve the post's open review, in the caller's transaction, without
/// changing its workflow: a lane of their own in the last stage on the
/// post's path (see `Review::ask_also`); an approved post goes back to
/// review for them. Answers the stage's name, or none when the post has
/// no open review.
pub(crate) async fn ask_also(tx: &mut Tx, app: &App, caller: &Caller, post: &Post, email: Email) -> Result<Option<String>> {
    let user = caller.require_user()?;
    let Some(open) = workflows::open_review(tx, post.id).await? else { return Ok(None) };
    let mut loaded = load_with(tx, app, post.clone(), open).await?;
    let before = loaded.record.run.added.len();
    let now = app.now();
    let cx =
        Context { def: &loaded.workflow.definition, facts: &loaded.facts, people: &loaded.people, planned: planned(&loaded.post), now };
    let (stage, progress) = loaded.record.run.ask_also(&cx, Principal::External(email.clone()), user).map_err(engine_error)?;
    let name = loaded.workflow.definition.stage(&stage).map_or_else(|| stage.clone(), |s| s.name.clone());
    if loaded.record.run.added.len() == before {
        return Ok(Some(name)); // asked already
    }
    let reopens = matches!(progress, Progress::Waiting { .. }) && loaded.post.state.holds_approval();
    let events = if reopens { vec![PostEvent::Reopen] } else { Vec::new() };
    save(tx, app, &mut loaded, &events).await?;
    let lane = loaded.record.run.added.last().map(|a| a.lane.clone());
    let data = json!({
        "review": loaded.record.id, "stage": stage, "lane": lane, "email": email.as_str(), "progress": progress_json(&progress, &loaded.record.run),
    });
    record(tx, app, caller, Chain::Workspace(post.workspace_id), "review.approver_added", ("post", Some(post.id.uuid())), data).await?;
    Ok(Some(name))
}

/// Notes that `caller`, asked at the open review's active stage, opened it
/// (the web app's review page): the first time in each round of the stage
/// is recorded as `review.seen`, so analytics can tell how long a review
/// waited before anyone looked. Reading only, when already recorded.
pub async fn seen(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId) -> Result<()> {
    let Some(user) = caller.user else { return Ok(()) };
    let data = {
        let mut tx = app.db.read().await?;
        visible_post(&mut tx, caller, ws, id).await?;
        let Some(open) = workflows::open_review(&mut tx, id).await? else { return Ok(()) };
        let Some(stage) = open.run.active_stage().filter(|_| open.run.status == ReviewStatus::Active).map(|i| &open.run.stages[i]) else {
            return Ok(());
        };
        let workflow = workflow_of(&mut tx, &open).await?;
        if !open.run.waiting_for(&workflow.definition).contains(&Principal::User(user)) {
            return Ok(());
        }
        let data = json!({ "review": open.id, "stage": stage.key, "round": stage.round });
        let before = greenlight_store::audit::subject_actions(&mut tx, Chain::Workspace(ws), id.uuid(), "review.seen").await?;
        let same = |e: &greenlight_domain::audit::Event| {
            let recorded: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
            e.actor.user() == Some(user) && recorded == data
        };
        if before.iter().any(same) {
            return Ok(());
        }
        data
    };
    let mut tx = app.db.write().await?;
    record(&mut tx, app, caller, Chain::Workspace(ws), "review.seen", ("post", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(())
}

/// The post's latest review, open or finished.
pub async fn review(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId) -> Result<ReviewView> {
    let mut tx = app.db.read().await?;
    visible_post(&mut tx, caller, ws, id).await?;
    let record = workflows::latest_review(&mut tx, id).await?.ok_or(Error::NotFound("review"))?;
    let workflow = workflow_of(&mut tx, &record).await?;
    Ok(view(record, &workflow))
}

/// What a change to the post did to its open review.
pub struct Rerun {
    pub review: ReviewId,
    pub progress: Progress,
    /// The stage the review now waits at.
    pub stage: Option<String>,
    /// If the change completed the review after the planned time.
    pub late: Option<LateApproval>,
    /// The progress as the change's event records it.
    pub recorded: serde_json::Value,
}

impl Rerun {
    fn new(record: &ReviewRecord, def: &Definition, post: &Post, progress: Progress, now: Timestamp) -> Self {
        let late = late(&progress, def, post, now);
        let recorded = progress_json(&progress, &record.run);
        Rerun { review: record.id, stage: waiting_stage(record, def), late, progress, recorded }
    }

    /// The post's state once the review has taken the change in: approved
    /// if every stage still approves it (scheduled at once if late within
    /// the grace period), back in review if a stage asks again.
    pub fn post_state(&self, state: PostState) -> Result<PostState> {
        let events: &[PostEvent] = match (&self.progress, state.holds_approval()) {
            (Progress::Approved, false) if self.late == Some(LateApproval::PublishNow) => &[PostEvent::Approve, PostEvent::Schedule],
            (Progress::Approved, false) => &[PostEvent::Approve],
            (Progress::Waiting { .. }, true) => &[PostEvent::Reopen],
            _ => &[],
        };
        events.iter().try_fold(state, |s, e| s.apply(*e)).map_err(|e| Error::Conflict(e.to_string().into()))
    }
}

/// Tells the post's open review about a new revision (in the edit's
/// transaction).
pub async fn content_edited(tx: &mut Tx, app: &App, post: &Post, hash: Hash, author: UserId) -> Result<Option<Rerun>> {
    let Some(mut record) = workflows::open_review(tx, post.id).await? else { return Ok(None) };
    let workflow = workflow_of(tx, &record).await?;
    let (facts, people) = facts_and_people(tx, post.workspace_id, post, app.now()).await?;
    let cx = Context { def: &workflow.definition, facts: &facts, people: &people, planned: planned(post), now: app.now() };
    let progress = record.run.edit(&cx, RevisionMark { hash, author: Principal::User(author) }).map_err(engine_error)?;
    store_review(tx, app, &mut record, &workflow.definition).await?;
    Ok(Some(Rerun::new(&record, &workflow.definition, post, progress, app.now())))
}

/// Tells the post's open review that its labels, channels, campaign or
/// "repurposed" changed (in the change's transaction): skip conditions are
/// evaluated again; approvals stay — unless `channels_added`, which an
/// approval did not cover: then every stage asks again.
pub async fn facts_changed(tx: &mut Tx, app: &App, post: &Post, channels_added: bool) -> Result<Option<Rerun>> {
    let Some(mut record) = workflows::open_review(tx, post.id).await? else { return Ok(None) };
    let workflow = workflow_of(tx, &record).await?;
    let (facts, people) = facts_and_people(tx, post.workspace_id, post, app.now()).await?;
    let cx = Context { def: &workflow.definition, facts: &facts, people: &people, planned: planned(post), now: app.now() };
    let progress = if channels_added { record.run.reopen(&cx) } else { record.run.refresh(&cx) }.map_err(engine_error)?;
    store_review(tx, app, &mut record, &workflow.definition).await?;
    Ok(Some(Rerun::new(&record, &workflow.definition, post, progress, app.now())))
}

/// A review waiting for the caller.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WaitingReview {
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    pub post_title: String,
    /// The stage's name, as the post's `review_stage` shows it.
    pub stage: String,
    pub stage_key: String,
    pub due_at: Option<Timestamp>,
    pub overdue: bool,
    pub current_revision: Hash,
    /// Deciding needs only the verdict: the stage has one lane and nothing
    /// on its checklist to tick by hand (so a list can offer "Approve").
    pub verdict_only: bool,
    pub owner_id: UserId,
    pub planned: Option<greenlight_domain::schedule::PlannedTime>,
    pub channel_ids: Vec<ChannelId>,
    /// The number of the revision under review.
    pub revision_number: i64,
    /// Its text's first characters (at most 280), for a list to show.
    pub excerpt: String,
    /// Its first picture or video, and that item's alt text.
    pub first_media: Option<MediaUse>,
}

/// Every running review that waits for the caller — asked directly or
/// through a group or role — ordered by due time (undated last).
pub async fn my_reviews(app: &App, caller: &Caller) -> Result<Vec<WaitingReview>> {
    Ok(my_reviews_page(app, caller, 0, usize::MAX).await?.reviews)
}

/// A page of the caller's waiting reviews.
pub struct WaitingPage {
    pub reviews: Vec<WaitingReview>,
    /// How many wait in all.
    pub total: usize,
    /// How many come before this page.
    pub skipped: usize,
}

/// The caller's waiting reviews from the `skip`th, at most `take` of them
/// (the last page if `skip` is past the end: the list shrank since it was
/// counted). Only those on the page have their posts read.
pub async fn my_reviews_page(app: &App, caller: &Caller, skip: usize, take: usize) -> Result<WaitingPage> {
    let user = caller.require_user()?;
    let now = app.now();
    let mut tx = app.db.read().await?;
    let spaces: Vec<WorkspaceId> = match caller.via {
        crate::Via::Token { workspace, .. } => vec![workspace],
        _ => workspaces::workspaces_of(&mut tx, user).await?.into_iter().map(|w| w.id).collect(),
    };
    let mut definitions: BTreeMap<(greenlight_domain::id::WorkflowId, i64), Workflow> = BTreeMap::new();
    let mut waiting = Vec::new();
    for ws in spaces {
        // Asked directly, through a group or role, or for someone I stand in for.
        let people = crate::routing::people(&mut tx, ws, now).await?;
        let mine: BTreeSet<Principal> = std::iter::once(user).chain(people.delegators(user, now)).map(Principal::User).collect();
        for record in workflows::active_reviews(&mut tx, ws).await? {
            let key = (record.workflow_id, record.workflow_version);
            let workflow = match definitions.entry(key) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(workflow_of(&mut tx, &record).await?),
            };
            if record.run.waiting_for(&workflow.definition).is_disjoint(&mine) {
                continue;
            }
            let (Some(i), Some(name)) = (record.run.active_stage(), waiting_stage(&record, &workflow.definition)) else { continue };
            let verdict_only = workflow.definition.stage(&record.run.stages[i].key).is_some_and(|s| s.approved_by_verdict_alone());
            waiting.push((ws, record, i, name, verdict_only));
        }
    }
    waiting.sort_by_key(|(_, record, i, ..)| {
        let due = record.run.stages[*i].due_at;
        (due.is_none(), due)
    });
    let total = waiting.len();
    let take = take.max(1);
    let skipped = skip.min(total.saturating_sub(1) / take * take);
    let page: Vec<_> = waiting.into_iter().skip(skipped).take(take).collect();
    let mut cards = BTreeMap::new();
    for (ws, ..) in &page {
        if let std::collections::btree_map::Entry::Vacant(slot) = cards.entry(*ws) {
            let revisions = page.iter().filter(|w| w.0 == *ws).map(|(_, r, ..)| (r.post_id, *r.run.current_revision())).collect();
            slot.insert(posts::review_cards(&mut tx, *ws, &revisions).await?);
        }
    }
    let mut out = Vec::with_capacity(page.len());
    for (ws, record, i, name, verdict_only) in page {
        let Some(card) = cards.get_mut(&ws).and_then(|c| c.remove(&record.post_id)) else { continue };
        let stage = &record.run.stages[i];
        let (revision_number, face) = match card.revision {
            Some((number, content)) => (number, Some(crate::views::Face::of(content))),
            None => (0, None),
        };
        out.push(WaitingReview {
            workspace_id: ws,
            post_id: record.post_id,
            post_title: card.title,
            stage: name,
            stage_key: stage.key.clone(),
            due_at: stage.due_at,
            overdue: stage.due_at.is_some_and(|d| d < now),
            current_revision: *record.run.current_revision(),
            verdict_only,
            owner_id: card.owner_id,
            planned: card.planned,
            channel_ids: card.channel_ids,
            revision_number,
            excerpt: face.as_ref().map(|f| f.excerpt.clone()).unwrap_or_default(),
            first_media: face.and_then(|f| f.first_media),
        });
    }
    Ok(WaitingPage { reviews: out, total, skipped })
}

/// A running stage's reminder or escalation fell due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewTimer {
    pub review: ReviewId,
    pub timer: Timer,
}

impl Job for ReviewTimer {
    const KIND: &'static str = "review_timer";
    const QUEUE: &'static str = "reviews";

    fn dedup_key(&self) -> String {
        // As JSON, as keys have always been written (a queue upgraded
        // from before keeps recognising its jobs).
        let kind = serde_json::to_string(&self.timer.kind).unwrap_or_else(|_| format!("{:?}", self.timer.kind));
        format!("review-timer:{}:{}:{}:{kind}", self.review, self.timer.stage, self.timer.round)
    }

    async fn run(&self, app: &App) -> Result<()> {
        timer_due(app, self.review, &self.timer).await
    }
}

/// A post's planned publish time arrived: if its review has not approved
/// it yet, the workflow's publish-time policy applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishTime {
    pub workspace: WorkspaceId,
    pub post: PostId,
    pub review: ReviewId,
    pub planned: Timestamp,
}

impl Job for PublishTime {
    const KIND: &'static str = "publish_time";
    const QUEUE: &'static str = "reviews";

    fn dedup_key(&self) -> String {
        format!("publish-time:{}:{}", self.review, self.planned)
    }

    async fn run(&self, app: &App) -> Result<()> {
        publish_time_arrived(app, self.workspace, self.post, self.review, self.planned).await
    }
}

async fn timer_due(app: &App, id: ReviewId, timer: &Timer) -> Result<()> {
    let mut tx = app.db.write().await?;
    let Some(found) = workflows::review(&mut tx, id).await? else { return Ok(()) };
    if found.run.running(&timer.stage, timer.round).is_none() {
        return Ok(()); // the stage finished or re-ran since
    }
    let Some(post) = posts::post(&mut tx, found.workspace_id, found.post_id).await? else { return Ok(()) };
    let ws = post.workspace_id;
    let mut loaded = load_with(&mut tx, app, post, found).await?;
    let (action, percent) = match timer.kind {
        TimerKind::Reminder { percent } => ("review.reminder", Some(percent)),
        TimerKind::Escalate => {
            let cx = Context {
                def: &loaded.workflow.definition,
                facts: &loaded.facts,
                people: &loaded.people,
                planned: planned(&loaded.post),
                now: app.now(),
            };
            if !loaded.record.run.escalate(&cx, &timer.stage, timer.round) {
                return Ok(());
            }
            save(&mut tx, app, &mut loaded, &[]).await?;
            ("review.escalated", None)
        }
    };
    let waiting = loaded.record.run.waiting_for(&loaded.workflow.definition);
    let data = json!({ "review": id, "stage": timer.stage, "round": timer.round, "percent": percent, "waiting_for": waiting });
    record(&mut tx, app, &Caller::system(), Chain::Workspace(ws), action, ("post", Some(loaded.post.id.uuid())), data).await?;
    tx.commit().await?;
    Ok(())
}

/// If the review has not approved the post by its planned time, the
/// workflow's policy applies: hold (the team is told) or expire the review.
/// Nothing unapproved is ever published.
async fn publish_time_arrived(app: &App, ws: WorkspaceId, id: PostId, review: ReviewId, at: Timestamp) -> Result<()> {
    let mut tx = app.db.write().await?;
    let Some(post) = posts::post(&mut tx, ws, id).await? else { return Ok(()) };
    if planned(&post) != Some(at) {
        return Ok(()); // rescheduled since: a job for the new time exists
    }
    let Some(open) = workflows::open_review(&mut tx, id).await? else { return Ok(()) };
    if open.id != review || !matches!(open.run.status, ReviewStatus::Active | ReviewStatus::ChangesRequested) {
        return Ok(()); // approved, or a later review has its own job
    }
    let mut loaded = load_with(&mut tx, app, post, open).await?;
    let policy = loaded.workflow.definition.on_publish_time;
    let action = match policy.at_publish_time() {
        AtPublishTime::Hold => "review.publish_time_passed",
        AtPublishTime::Expire => {
            loaded.record.run.expire().map_err(engine_error)?;
            save(&mut tx, app, &mut loaded, &[PostEvent::Expire]).await?;
            "review.expired"
        }
    };
    let data = json!({
        "review": loaded.record.id, "planned_at": at, "policy": policy,
        "waiting_for": loaded.record.run.waiting_for(&loaded.workflow.definition),
    });
    record(&mut tx, app, &Caller::system(), Chain::Workspace(ws), action, ("post", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(())
}

/// Enqueues the check at the post's planned time for `review` (when the
/// review starts, and when the time moves). The job finds out when it runs
/// whether it still applies.
async fn plan_publish_time(tx: &mut Tx, app: &App, post: &Post, review: ReviewId) -> Result<()> {
    if let Some(at) = planned(post) {
        jobs::enqueue(tx, app, &PublishTime { workspace: post.workspace_id, post: post.id, review, planned: at }, at).await?;
    }
    Ok(())
}

/// The post's planned time changed (in that change's transaction).
pub async fn planned_time_changed(tx: &mut Tx, app: &App, post: &Post) -> Result<()> {
    match workflows::open_review(tx, post.id).await? {
        Some(open) => plan_publish_time(tx, app, post, open.id).await,
        None => Ok(()),
    }
}
