//! Workflow analytics: where approval time goes.
//!
//! Every workspace event is looked at once after it commits (the worker
//! follows each workspace's history); the events about a review fold that
//! post's whole history again into its review facts, once per batch of
//! events (`greenlight_domain::analytics`).
//! The audit log stays the source of truth: `greenlight analytics rebuild`
//! folds every post's history the same way, and a change of business hours
//! rebuilds the workspace's facts in the background.

use std::{
    collections::{BTreeMap, BTreeSet},
    future::Future,
};

use greenlight_domain::{
    Timestamp,
    analytics::{
        WorkflowSettings,
        facts::{self, Decider},
        hours::{BusinessHours, calendar_minutes},
        measures::{self, Measures},
    },
    audit::{Chain, Event},
    id::{ChannelId, PostId, UserId, WorkflowId, WorkspaceId},
    permission::Permission,
    workflow::{Principal, ReviewStatus},
};
use greenlight_store::{
    Db, Tx,
    analytics::{self, Depth, Filter},
    audit, planning, workflows, workspaces,
};
use jiff::{civil::Date, tz::TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller, Days, access,
    audit::record,
    error::{Error, Result},
    jobs::{self, Job},
};

/// Events read per query while folding a post's history.
const PAGE: i64 = 500;
/// Posts folded per transaction in a rebuild.
const REBUILD_BATCH: i64 = 200;
/// The period a report covers when none is named.
pub const DEFAULT_DAYS: i64 = 30;

/// The workspace's zone (UTC if it names none we know).
pub(crate) async fn zone(tx: &mut Tx, ws: WorkspaceId) -> Result<TimeZone> {
    let workspace = workspaces::workspace(tx, ws).await?.ok_or(Error::NotFound("workspace"))?;
    Ok(TimeZone::get(&workspace.time_zone).unwrap_or(TimeZone::UTC))
}

/// Folds one post's history into its review facts, in the caller's
/// transaction.
async fn refold(tx: &mut Tx, ws: WorkspaceId, post: PostId, hours: &BusinessHours, zone: &TimeZone) -> Result<()> {
    let mut events: Vec<Event> = Vec::new();
    loop {
        let after = events.last().map_or(0, |e| e.seq);
        let page = audit::subject_events(tx, Chain::Workspace(ws), post.uuid(), after, PAGE).await?;
        let done = (page.len() as i64) < PAGE;
        events.extend(page);
        if done {
            break;
        }
    }
    let Some(last) = events.last().map(|e| e.seq) else { return Ok(()) };
    let mut folded = facts::fold(post, &events);
    for f in &mut folded {
        f.measure(hours, zone);
    }
    analytics::replace_post_facts(tx, ws, post, last, &folded).await?;
    Ok(())
}

/// Whether an event changes a review's facts.
fn about_a_review(event: &Event) -> bool {
    event.action.starts_with("review.") || (event.action.starts_with("post.") && event.data.contains("\"progress\""))
}

/// The post whose review facts `event` changes, if any.
pub(crate) fn to_refold(event: &Event) -> Option<(WorkspaceId, PostId)> {
    let (Chain::Workspace(ws), Some(post)) = (event.chain, event.subject_id) else { return None };
    (event.subject_kind == "post" && about_a_review(event)).then(|| (ws, PostId::from_uuid(post)))
}

/// Folds the review facts of each post again, in the transaction that
/// follows their events: once per post for a batch of its events (the
/// fold reads the post's whole history, so once after the last is the
/// same as once after each).
pub(crate) async fn take_in(tx: &mut Tx, posts: &BTreeSet<(WorkspaceId, PostId)>) -> Result<()> {
    let mut settings: BTreeMap<WorkspaceId, (BusinessHours, TimeZone)> = BTreeMap::new();
    for &(ws, post) in posts {
        if let std::collections::btree_map::Entry::Vacant(slot) = settings.entry(ws) {
            let hours = analytics::settings(tx, ws).await?.business_hours;
            slot.insert((hours, zone(tx, ws).await?));
        }
        if let Some((hours, zone)) = settings.get(&ws) {
            refold(tx, ws, post, hours, zone).await?;
        }
    }
    Ok(())
}

/// What a rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rebuilt {
    pub workspaces: usize,
    pub posts: usize,
}

/// Forgets a workspace's facts and folds every post's history again.
pub async fn rebuild(app: &App, ws: WorkspaceId) -> Result<Rebuilt> {
    let mut tx = app.db.write().await?;
    let settings = analytics::settings(&mut tx, ws).await?;
    let zone = zone(&mut tx, ws).await?;
    analytics::clear(&mut tx, ws).await?;
    tx.commit().await?;
    let mut done = Rebuilt { workspaces: 1, posts: 0 };
    let mut after = Uuid::nil();
    loop {
        let mut tx = app.db.write().await?;
        let posts = analytics::posts_in_log(&mut tx, ws, after, REBUILD_BATCH).await?;
        for post in &posts {
            refold(&mut tx, ws, *post, &settings.business_hours, &zone).await?;
        }
        tx.commit().await?;
        done.posts += posts.len();
        match posts.last() {
            Some(last) if posts.len() as i64 == REBUILD_BATCH => after = last.uuid(),
            _ => return Ok(done),
        }
    }
}

/// Asks for a rebuild of every workspace whose reviews have no facts yet (a
/// database from before analytics): at start, in the background.
pub async fn rebuild_missing(app: &App) -> Result<usize> {
    let mut tx = app.db.write().await?;
    let mut asked = 0;
    for ws in analytics::unmeasured_workspaces(&mut tx).await? {
        jobs::enqueue(&mut tx, app, &RebuildFacts { workspace: ws, changed_at: Timestamp::UNIX_EPOCH }, app.now()).await?;
        asked += 1;
    }
    tx.commit().await?;
    Ok(asked)
}

/// Rebuilds every workspace's facts (the command line's `analytics rebuild`).
pub async fn rebuild_all(app: &App) -> Result<Rebuilt> {
    let spaces = {
        let mut tx = app.db.read().await?;
        workspaces::all_workspaces(&mut tx).await?
    };
    let mut total = Rebuilt::default();
    for ws in spaces {
        let one = rebuild(app, ws.id).await?;
        total.workspaces += 1;
        total.posts += one.posts;
    }
    Ok(total)
}

/// Rebuilds a workspace's facts after its business hours changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RebuildFacts {
    pub workspace: WorkspaceId,
    /// When the hours changed (a later change has its own job).
    pub changed_at: Timestamp,
}

impl Job for RebuildFacts {
    const KIND: &'static str = "analytics_rebuild";
    const QUEUE: &'static str = "analytics";

    fn dedup_key(&self) -> String {
        format!("analytics-rebuild:{}:{}", self.workspace, self.changed_at)
    }

    async fn run(&self, app: &App) -> Result<()> {
        rebuild(app, self.workspace).await.map(|_| ())
    }
}

/// The workspace's business hours and preset reasons (every member reads
/// them: a decision offers the reasons).
pub async fn settings(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<WorkflowSettings> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(analytics::settings(&mut tx, ws).await?)
}

/// Sets the business hours and preset reasons; changed hours measure the
/// workspace's history again.
pub async fn set_settings(app: &App, caller: &Caller, ws: WorkspaceId, input: WorkflowSettings) -> Result<WorkflowSettings> {
    let input = input.checked().map_err(|e| Error::Invalid(e.into_vec()))?;
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageWorkflows).await?;
    let before = analytics::settings(&mut tx, ws).await?;
    if before == input {
        return Ok(input);
    }
    let now = app.now();
    analytics::save_settings(&mut tx, ws, &input, now).await?;
    if before.business_hours != input.business_hours {
        jobs::enqueue(&mut tx, app, &RebuildFacts { workspace: ws, changed_at: now }, now).await?;
    }
    let data = json!({ "business_hours": input.business_hours, "reasons": input.reasons });
    record(&mut tx, app, caller, Chain::Workspace(ws), "workspace.workflow_settings_changed", ("workspace", Some(ws.uuid())), data).await?;
    tx.commit().await?;
    Ok(input)
}

/// What a report covers, as a request names it: whole days in the
/// workspace's zone (`YYYY-MM-DD`, both included; the last 30 days by
/// default), and what narrows it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    /// A workflow's id.
    pub workflow: Option<String>,
    /// A stage's key.
    pub stage: Option<String>,
    pub campaign: Option<String>,
    pub label: Option<String>,
    pub channel: Option<String>,
    /// The post's owner: a member's id.
    pub author: Option<String>,
    /// Who decided: a member's id, or an outside reviewer's email.
    pub approver: Option<String>,
}

impl ReportQuery {
    /// The filter, every problem at once.
    fn filter(&self) -> Result<Filter> {
        let mut errors = greenlight_domain::validation::Errors::default();
        fn id<T: std::str::FromStr>(errors: &mut greenlight_domain::validation::Errors, field: &str, text: &Option<String>) -> Option<T> {
            let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
            let parsed = text.parse().ok();
            if parsed.is_none() {
                errors.add_words(field, "err-analytics-bad-id", []);
            }
            parsed
        }
        use crate::error::AddWords as _;
        let filter = Filter {
            workflow: id(&mut errors, "workflow", &self.workflow),
            stage: self.stage.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
            campaign: id(&mut errors, "campaign", &self.campaign),
            label: id(&mut errors, "label", &self.label),
            channel: id(&mut errors, "channel", &self.channel),
            author: id(&mut errors, "author", &self.author),
            approver: self.approver.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
        };
        errors.into_result()?;
        Ok(filter)
    }
}

/// The headline figures of a period, to compare with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Headline {
    pub reviews_completed: usize,
    pub first_pass_rate: Option<f64>,
    pub revision_rounds_mean: Option<f64>,
    pub cycle_median_minutes: Option<i64>,
    pub cycle_business_median_minutes: Option<i64>,
}

impl Headline {
    fn of(m: &Measures) -> Headline {
        Headline {
            reviews_completed: m.reviews_completed,
            first_pass_rate: m.first_pass_rate,
            revision_rounds_mean: m.revision_rounds_mean,
            cycle_median_minutes: m.cycle_time.median_minutes,
            cycle_business_median_minutes: m.cycle_time.business.median_minutes,
        }
    }
}

/// A review still waiting, and for whom.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OpenReview {
    pub post_id: PostId,
    pub title: String,
    /// `in_review`, or `changes_requested` (waiting for its owner to revise).
    pub status: &'static str,
    /// The stage's name (none while changes are asked).
    pub stage: Option<String>,
    pub stage_key: Option<String>,
    /// Names: the approvers not yet decided, or the owner who revises.
    pub waiting_for: Vec<String>,
    /// Since it has waited where it is: the stage asked, or changes were asked.
    pub age_minutes: i64,
    pub business_age_minutes: i64,
    /// Since it was submitted.
    pub review_age_minutes: i64,
    pub due_at: Option<Timestamp>,
    pub overdue: bool,
}

/// Posts planned in one week on one channel, and how many kept the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Cadence {
    /// The week's Monday, in the workspace's zone.
    #[schema(value_type = String)]
    pub week: Date,
    pub channel_id: ChannelId,
    pub channel: String,
    /// The channel's network, e.g. `instagram`.
    pub network: String,
    pub planned: usize,
    /// Approved before their planned time.
    pub approved_on_time: usize,
    /// Approved, but after their planned time.
    pub approved_late: usize,
    pub published: usize,
}

/// Workflow analytics of a period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub workspace_id: WorkspaceId,
    #[schema(value_type = String)]
    pub from: Date,
    #[schema(value_type = String)]
    pub to: Date,
    pub time_zone: String,
    pub business_hours: BusinessHours,
    #[serde(flatten)]
    pub measures: Measures,
    /// The same figures for as many days just before.
    pub previous: Headline,
    /// Every review still waiting, the longest-waiting first.
    pub open: Vec<OpenReview>,
    pub cadence: Vec<Cadence>,
}

/// Names of the workspace's stages and people, for a report.
struct Names {
    stages: BTreeMap<String, String>,
    people: BTreeMap<UserId, String>,
}

impl Names {
    async fn of(tx: &mut Tx, ws: WorkspaceId) -> Result<Names> {
        let mut stages = BTreeMap::new();
        for w in workflows::workflows(tx, ws).await? {
            for s in w.definition.stages {
                stages.entry(s.key).or_insert(s.name);
            }
        }
        let people = workspaces::members(tx, ws).await?.into_iter().map(|m| (m.user_id, m.name)).collect();
        Ok(Names { stages, people })
    }

    fn stage(&self, key: &str) -> String {
        self.stages.get(key).cloned().unwrap_or_else(|| key.to_owned())
    }

    fn user(&self, id: &UserId) -> String {
        self.people.get(id).cloned().unwrap_or_else(|| greenlight_i18n::t("analytics-former-member"))
    }

    fn decider(&self, d: &Decider) -> String {
        match d {
            Decider::User(id) => self.user(id),
            Decider::External(email) => email.clone(),
        }
    }

    fn principal(&self, p: &Principal) -> String {
        match p {
            Principal::User(id) => self.user(id),
            Principal::External(email) => email.as_str().to_owned(),
        }
    }
}

/// The workflow analytics of a period (managers and up).
pub async fn report(app: &App, caller: &Caller, ws: WorkspaceId, query: &ReportQuery) -> Result<Report> {
    let asked = Days::parse(query.from.as_deref(), query.to.as_deref())?;
    let filter = query.filter()?;
    {
        let mut tx = app.db.read().await?;
        access::require(&mut tx, caller, ws, Permission::ViewAnalytics).await?;
    }
    compute(&app.db, app.now(), ws, asked, &filter).await
}

/// The report of the days asked, without asking who wants it (the caller
/// checked, or it is the weekly report's). The period before and the plan
/// are read beside the period itself, each on a connection and in a
/// snapshot of its own (together they were a third of a year's report).
pub(crate) async fn compute(db: &Db, now: Timestamp, ws: WorkspaceId, asked: crate::AskedDays, filter: &Filter) -> Result<Report> {
    let mut tx = db.read().await?;
    let tx = &mut tx;
    let workspace = workspaces::workspace(tx, ws).await?.ok_or(Error::NotFound("workspace"))?;
    let zone = TimeZone::get(&workspace.time_zone).unwrap_or(TimeZone::UTC);
    let days = Days::in_zone(asked, &zone, now, DEFAULT_DAYS)?;
    let settings = analytics::settings(tx, ws).await?;
    let names = Names::of(tx, ws).await?;
    let measure = |reviews: &[facts::ReviewFacts]| {
        measures::measure(
            reviews,
            |key| names.stage(key),
            |d| names.decider(d),
            |stage| filter.stage.as_deref().is_none_or(|s| s == stage),
            |d| filter.approver.as_deref().is_none_or(|a| a == d.key()),
        )
    };
    // The headline of the period before needs only the reviews' own rows.
    let before = days.previous(&zone)?;
    let earlier = beside(db, filter, move |mut tx, filter| async move {
        Ok(analytics::ended_between(&mut tx, ws, before.start, before.end, &filter, Depth::Reviews).await?)
    });
    let plan = {
        let zone = zone.clone();
        beside(db, filter, move |mut tx, filter| async move { cadence(&mut tx, ws, days, &filter, &zone).await })
    };
    let reviews = analytics::ended_between(tx, ws, days.start, days.end, filter, Depth::Rounds).await?;
    let measures = measure(&reviews);
    let open = open_reviews(tx, ws, filter, &names, &settings.business_hours, &zone, now).await?;
    let previous = Headline::of(&measure(&earlier.await.map_err(Error::internal)??));
    let cadence = plan.await.map_err(Error::internal)??;
    Ok(Report {
        workspace_id: ws,
        from: days.from,
        to: days.to,
        time_zone: workspace.time_zone,
        business_hours: settings.business_hours,
        measures,
        previous,
        open,
        cadence,
    })
}

/// Runs `read` on a read transaction of its own, as a task beside the caller.
fn beside<T, F>(db: &Db, filter: &Filter, read: impl FnOnce(Tx, Filter) -> F + Send + 'static) -> tokio::task::JoinHandle<Result<T>>
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
{
    let (db, filter) = (db.clone(), filter.clone());
    tokio::spawn(async move { read(db.read().await?, filter).await })
}

async fn open_reviews(
    tx: &mut Tx,
    ws: WorkspaceId,
    filter: &Filter,
    names: &Names,
    hours: &BusinessHours,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<Vec<OpenReview>> {
    let mut definitions: BTreeMap<(WorkflowId, i64), Option<workflows::Workflow>> = BTreeMap::new();
    let mut out = Vec::new();
    for (record, title, owner) in workflows::waiting_reviews(tx, ws, filter).await? {
        let key = (record.workflow_id, record.workflow_version);
        let workflow = match definitions.entry(key) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(workflows::workflow(tx, ws, record.workflow_id, Some(record.workflow_version)).await?)
            }
        };
        let Some(workflow) = workflow else { continue };
        let run = &record.run;
        let (status, stage, since, waiting_for, due_at) = match run.status {
            ReviewStatus::ChangesRequested => {
                let asked = run.decisions.last().map_or(record.updated_at, |d| d.at);
                ("changes_requested", None, asked, vec![names.user(&owner)], None)
            }
            _ => {
                let Some(active) = run.active_stage().and_then(|i| run.stages.get(i)) else { continue };
                let waiting: BTreeSet<Principal> = run.waiting_for(&workflow.definition);
                let who = waiting.iter().map(|p| names.principal(p)).collect();
                ("in_review", Some(active), active.started_at.unwrap_or(record.created_at), who, active.due_at)
            }
        };
        if filter.stage.as_deref().is_some_and(|s| stage.is_none_or(|st| st.key != s)) {
            continue;
        }
        if filter.approver.is_some() && stage.is_none() {
            continue;
        }
        out.push(OpenReview {
            post_id: record.post_id,
            title,
            status,
            stage: stage.map(|s| names.stage(&s.key)),
            stage_key: stage.map(|s| s.key.clone()),
            waiting_for,
            age_minutes: calendar_minutes(since, now),
            business_age_minutes: hours.minutes(since, now, zone),
            review_age_minutes: calendar_minutes(record.created_at, now),
            due_at,
            overdue: due_at.is_some_and(|d| d < now),
        });
    }
    out.sort_by(|a, b| b.age_minutes.cmp(&a.age_minutes).then_with(|| a.title.cmp(&b.title)));
    Ok(out)
}

async fn cadence(tx: &mut Tx, ws: WorkspaceId, days: Days, filter: &Filter, zone: &TimeZone) -> Result<Vec<Cadence>> {
    let channels: BTreeMap<ChannelId, (String, String)> =
        planning::channels(tx, ws).await?.into_iter().map(|c| (c.id, (c.display_name, c.network))).collect();
    let mut weeks: BTreeMap<(Date, String, ChannelId), Cadence> = BTreeMap::new();
    for p in analytics::planned_between(tx, ws, days.start, days.end, filter).await? {
        let day = p.planned_at.to_zoned(zone.clone()).date();
        let monday = day.saturating_sub(jiff::Span::new().days(i64::from(day.weekday().to_monday_zero_offset())));
        let (name, network) = channels.get(&p.channel).cloned().unwrap_or_default();
        let row = weeks.entry((monday, name.clone(), p.channel)).or_insert(Cadence {
            week: monday,
            channel_id: p.channel,
            channel: name,
            network,
            planned: 0,
            approved_on_time: 0,
            approved_late: 0,
            published: 0,
        });
        row.planned += 1;
        match p.approved_at {
            Some(at) if at <= p.planned_at => row.approved_on_time += 1,
            Some(_) => row.approved_late += 1,
            None => {}
        }
        row.published += usize::from(p.published);
    }
    Ok(weeks.into_values().collect())
}

/// The report as CSV rows: one per figure, stage, approver, reason, open
/// review and week, under a `section` column.
pub fn csv(report: &Report) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let head = [
        "section",
        "key",
        "name",
        "count",
        "value",
        "median_minutes",
        "p90_minutes",
        "business_median_minutes",
        "business_p90_minutes",
        "share",
    ];
    let failed = |e: csv::Error| Error::Internal(e.to_string().into());
    w.write_record(head).map_err(failed)?;
    let m = &report.measures;
    let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let ratio = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    let mut row = |cells: [String; 10]| w.write_record(&cells).map_err(failed);
    let e = String::new;
    row(["period".into(), "from".into(), e(), e(), report.from.to_string(), e(), e(), e(), e(), e()])?;
    row(["period".into(), "to".into(), e(), e(), report.to.to_string(), e(), e(), e(), e(), e()])?;
    for (key, count) in [("reviews_completed", m.reviews_completed), ("approved", m.approved), ("rejected", m.rejected)] {
        row(["summary".into(), key.into(), e(), count.to_string(), e(), e(), e(), e(), e(), e()])?;
    }
    for (key, value) in [
        ("first_pass_rate", m.first_pass_rate),
        ("changes_requested_rate", m.changes_requested_rate),
        ("rejection_rate", m.rejection_rate),
        ("revision_rounds_mean", m.revision_rounds_mean),
    ] {
        row(["summary".into(), key.into(), e(), e(), ratio(value), e(), e(), e(), e(), e()])?;
    }
    for (key, d) in [("cycle_time", &m.cycle_time), ("brief_to_approved", &m.brief_to_approved)] {
        row([
            "summary".into(),
            key.into(),
            e(),
            e(),
            e(),
            num(d.median_minutes),
            num(d.p90_minutes),
            num(d.business.median_minutes),
            num(d.business.p90_minutes),
            e(),
        ])?;
    }
    let sla = &m.sla;
    for (key, count) in [
        ("stages_overdue", sla.stages_overdue),
        ("reminders", sla.reminders as usize),
        ("escalations", sla.escalations as usize),
        ("planned_time_passed", sla.planned_time_passed),
        ("held", sla.held),
        ("expired", sla.expired),
    ] {
        row(["sla".into(), key.into(), e(), count.to_string(), e(), e(), e(), e(), e(), e()])?;
    }
    for s in &m.stages {
        row([
            "stage".into(),
            s.key.clone(),
            s.name.clone(),
            s.reviews.to_string(),
            s.total_business_minutes.to_string(),
            num(s.median_minutes),
            num(s.p90_minutes),
            num(s.business.median_minutes),
            num(s.business.p90_minutes),
            format!("{:.4}", s.share),
        ])?;
    }
    for a in &m.approvers {
        row([
            "approver".into(),
            a.user_id.clone().or_else(|| a.email.clone()).unwrap_or_default(),
            a.name.clone(),
            a.decisions.to_string(),
            a.total_business_minutes.to_string(),
            num(a.median_minutes),
            num(a.p90_minutes),
            num(a.business.median_minutes),
            num(a.business.p90_minutes),
            format!("{:.4}", a.share),
        ])?;
    }
    for r in &m.reasons {
        row(["reason".into(), r.reason.clone().unwrap_or_default(), e(), r.count.to_string(), e(), e(), e(), e(), e(), e()])?;
    }
    for o in &report.open {
        row([
            "open".into(),
            o.post_id.to_string(),
            o.title.clone(),
            e(),
            format!("{} · {}", o.stage.clone().unwrap_or_else(|| o.status.to_owned()), o.waiting_for.join(", ")),
            o.age_minutes.to_string(),
            e(),
            o.business_age_minutes.to_string(),
            e(),
            e(),
        ])?;
    }
    for c in &report.cadence {
        row([
            "cadence".into(),
            format!("{} {}", c.week, c.channel_id),
            c.channel.clone(),
            c.planned.to_string(),
            format!("{} on time, {} late, {} published", c.approved_on_time, c.approved_late, c.published),
            e(),
            e(),
            e(),
            e(),
            e(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Internal(e.to_string().into()))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(e.to_string().into()))
}
