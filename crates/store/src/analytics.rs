//! Workflow analytics: a workspace's business hours and preset reasons, and
//! the review facts folded from its audit log (the domain's
//! `analytics::facts`), one row per review, per stage round and per
//! decision.

use std::collections::HashMap;

use greenlight_domain::{
    Timestamp,
    analytics::{
        WorkflowSettings,
        facts::{Decider, DecisionFact, Outcome, ReviewFacts, StageEnd, StageRound},
    },
    id::{ChannelId, LabelId, PostId, ReviewId, UserId, WorkflowId, WorkspaceId},
    workflow::Verdict,
};
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

pub async fn settings(tx: &mut Tx, ws: WorkspaceId) -> Result<WorkflowSettings> {
    let row = sql!(tx, optional as (String,), "SELECT settings FROM workflow_settings WHERE workspace_id = $1", ws.uuid())?;
    match row {
        Some((text,)) => serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("workflow settings: {e}"))),
        None => Ok(WorkflowSettings::default()),
    }
}

pub async fn save_settings(tx: &mut Tx, ws: WorkspaceId, settings: &WorkflowSettings, at: Timestamp) -> Result<()> {
    let text = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(format!("encoding workflow settings: {e}")))?;
    sql!(
        tx,
        exec,
        "INSERT INTO workflow_settings (workspace_id, settings, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (workspace_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        ws.uuid(),
        text,
        DbTime(at)
    )?;
    Ok(())
}

/// Replaces a post's facts with those folded from its events up to
/// sequence number `last_seq` — unless facts from a later event are
/// already stored (a slower fold never overwrites a newer one). Answers
/// whether it wrote.
pub async fn replace_post_facts(tx: &mut Tx, ws: WorkspaceId, post: PostId, last_seq: i64, facts: &[ReviewFacts]) -> Result<bool> {
    let newer = sql!(
        tx,
        exec,
        "INSERT INTO analytics_posts (post_id, workspace_id, last_seq) VALUES ($1, $2, $3)
         ON CONFLICT (post_id) DO UPDATE SET last_seq = excluded.last_seq WHERE analytics_posts.last_seq <= excluded.last_seq",
        post.uuid(),
        ws.uuid(),
        last_seq
    )?;
    if newer == 0 {
        return Ok(false);
    }
    delete_where_post(tx, post).await?;
    for f in facts {
        insert(tx, ws, f).await?;
    }
    Ok(true)
}

async fn delete_where_post(tx: &mut Tx, post: PostId) -> Result<()> {
    for table in [
        "DELETE FROM stage_facts WHERE review_id IN (SELECT review_id FROM review_facts WHERE post_id = $1)",
        "DELETE FROM decision_facts WHERE review_id IN (SELECT review_id FROM review_facts WHERE post_id = $1)",
        "DELETE FROM review_facts WHERE post_id = $1",
    ] {
        sql!(tx, exec, table, post.uuid())?;
    }
    Ok(())
}

/// Forgets every fact of a workspace (before a rebuild from its log).
pub async fn clear(tx: &mut Tx, ws: WorkspaceId) -> Result<()> {
    for table in [
        "DELETE FROM stage_facts WHERE review_id IN (SELECT review_id FROM review_facts WHERE workspace_id = $1)",
        "DELETE FROM decision_facts WHERE review_id IN (SELECT review_id FROM review_facts WHERE workspace_id = $1)",
        "DELETE FROM review_facts WHERE workspace_id = $1",
        "DELETE FROM analytics_posts WHERE workspace_id = $1",
    ] {
        sql!(tx, exec, table, ws.uuid())?;
    }
    Ok(())
}

async fn insert(tx: &mut Tx, ws: WorkspaceId, f: &ReviewFacts) -> Result<()> {
    let t = |t: Option<Timestamp>| t.map(DbTime);
    sql!(
        tx,
        exec,
        "INSERT INTO review_facts (review_id, workspace_id, post_id, workflow_id, post_created_at, submitted_at, ended_at, outcome,
             rounds, changes_requested, reminders, escalations, planned_time_passed, cycle_minutes, cycle_business_minutes,
             brief_minutes, brief_business_minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        f.review.uuid(),
        ws.uuid(),
        f.post.uuid(),
        f.workflow.map(WorkflowId::uuid),
        t(f.post_created_at),
        DbTime(f.submitted_at),
        t(f.ended_at),
        f.outcome.map(Outcome::as_str),
        i64::from(f.rounds),
        i64::from(f.changes_requested),
        i64::from(f.reminders),
        i64::from(f.escalations),
        f.planned_time_passed.as_deref(),
        f.cycle_minutes,
        f.cycle_business_minutes,
        f.brief_minutes,
        f.brief_business_minutes
    )?;
    for (n, s) in f.stages.iter().enumerate() {
        sql!(
            tx,
            exec,
            "INSERT INTO stage_facts (review_id, workspace_id, review_ended_at, n, stage, round, asked_at, first_seen_at, due_at,
                 ended_at, end_kind, overridden, escalated, reminders, minutes, business_minutes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            f.review.uuid(),
            ws.uuid(),
            t(f.ended_at),
            n as i64,
            s.stage.as_str(),
            i64::from(s.round),
            DbTime(s.asked_at),
            t(s.first_seen_at),
            t(s.due_at),
            t(s.ended_at),
            s.end.map(StageEnd::as_str),
            s.overridden,
            s.escalated,
            i64::from(s.reminders),
            s.minutes,
            s.business_minutes
        )?;
    }
    for (n, d) in f.decisions.iter().enumerate() {
        sql!(
            tx,
            exec,
            "INSERT INTO decision_facts (review_id, workspace_id, review_ended_at, n, stage, lane, round, decider, verdict, reason,
                 asked_at, seen_at, decided_at, carried, minutes, business_minutes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            f.review.uuid(),
            ws.uuid(),
            t(f.ended_at),
            n as i64,
            d.stage.as_str(),
            d.lane.as_str(),
            i64::from(d.round),
            d.decider.key(),
            verdict_text(d.verdict),
            d.reason.as_deref(),
            DbTime(d.asked_at),
            t(d.seen_at),
            DbTime(d.at),
            d.carried,
            d.minutes,
            d.business_minutes
        )?;
    }
    Ok(())
}

fn verdict_text(v: Verdict) -> &'static str {
    match v {
        Verdict::Approve => "approve",
        Verdict::RequestChanges => "request_changes",
        Verdict::Reject => "reject",
    }
}

fn verdict_from(text: &str) -> Result<Verdict> {
    [Verdict::Approve, Verdict::RequestChanges, Verdict::Reject]
        .into_iter()
        .find(|v| verdict_text(*v) == text)
        .ok_or_else(|| StoreError::Corrupt(format!("decision fact verdict `{text}`")))
}

/// Which reviews a period's measures look at: those that ended in
/// `[from, to)`, narrowed by what is set.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub workflow: Option<WorkflowId>,
    pub stage: Option<String>,
    pub campaign: Option<greenlight_domain::id::CampaignId>,
    pub label: Option<LabelId>,
    pub channel: Option<ChannelId>,
    pub author: Option<UserId>,
    /// A decider's key: a member's id or a guest's email.
    pub approver: Option<String>,
}

/// The reviews of `ws` the filter keeps, as a condition on `review_facts`
/// as `f`. The range on `f` drives every query (its index); what narrows by
/// the post is asked only when set (an OR short-circuits), so no plan
/// starts from the posts.
macro_rules! kept {
    () => {
        "f.workspace_id = $1 AND f.ended_at >= $2 AND f.ended_at < $3
           AND ($4 IS NULL OR f.workflow_id = $4)
           AND ($5 IS NULL OR EXISTS (SELECT 1 FROM posts p WHERE p.id = f.post_id AND p.campaign_id = $5))
           AND ($6 IS NULL OR EXISTS (SELECT 1 FROM posts p WHERE p.id = f.post_id AND p.owner_id = $6))
           AND ($7 IS NULL OR EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = f.post_id AND l.label_id = $7))
           AND ($8 IS NULL OR EXISTS (SELECT 1 FROM post_channels c WHERE c.post_id = f.post_id AND c.channel_id = $8))
           AND ($9 IS NULL OR EXISTS (SELECT 1 FROM stage_facts s2 WHERE s2.review_id = f.review_id AND s2.stage = $9))
           AND ($10 IS NULL OR EXISTS (SELECT 1 FROM decision_facts d2 WHERE d2.review_id = f.review_id AND d2.decider = $10))"
    };
}

row!(
    struct ReviewRow {
        review_id: Uuid,
        post_id: Uuid,
        workflow_id: Option<Uuid>,
        post_created_at: Option<DbTime>,
        submitted_at: DbTime,
        ended_at: Option<DbTime>,
        outcome: Option<String>,
        rounds: i64,
        changes_requested: i64,
        reminders: i64,
        escalations: i64,
        planned_time_passed: Option<String>,
        cycle_minutes: Option<i64>,
        cycle_business_minutes: Option<i64>,
        brief_minutes: Option<i64>,
        brief_business_minutes: Option<i64>,
    }
);

row!(
    struct StageRow {
        review_id: Uuid,
        stage: String,
        round: i64,
        asked_at: DbTime,
        first_seen_at: Option<DbTime>,
        due_at: Option<DbTime>,
        ended_at: Option<DbTime>,
        end_kind: Option<String>,
        overridden: bool,
        escalated: bool,
        reminders: i64,
        minutes: Option<i64>,
        business_minutes: Option<i64>,
    }
);

row!(
    struct DecisionRow {
        review_id: Uuid,
        stage: String,
        lane: String,
        round: i64,
        decider: String,
        verdict: String,
        reason: Option<String>,
        asked_at: DbTime,
        seen_at: Option<DbTime>,
        decided_at: DbTime,
        carried: bool,
        minutes: i64,
        business_minutes: i64,
    }
);

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// How much of each review to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The review's own row: enough for a headline.
    Reviews,
    /// With its stage rounds and decisions.
    Rounds,
}

/// The facts of the reviews of `ws` that ended in `[from, to)` and that
/// `filter` keeps, in the order they ended.
pub async fn ended_between(
    tx: &mut Tx,
    ws: WorkspaceId,
    from: Timestamp,
    to: Timestamp,
    filter: &Filter,
    depth: Depth,
) -> Result<Vec<ReviewFacts>> {
    let reviews: Vec<ReviewRow> = sql!(
        tx,
        all as ReviewRow,
        concat!(
            "SELECT f.review_id, f.post_id, f.workflow_id, f.post_created_at, f.submitted_at, f.ended_at, f.outcome, f.rounds,
                    f.changes_requested, f.reminders, f.escalations, f.planned_time_passed, f.cycle_minutes, f.cycle_business_minutes,
                    f.brief_minutes, f.brief_business_minutes FROM review_facts f WHERE ",
            kept!(),
            " ORDER BY f.ended_at, f.review_id"
        ),
        ws.uuid(),
        DbTime(from),
        DbTime(to),
        filter.workflow.map(WorkflowId::uuid),
        filter.campaign.map(|c| c.uuid()),
        filter.author.map(UserId::uuid),
        filter.label.map(LabelId::uuid),
        filter.channel.map(ChannelId::uuid),
        filter.stage.as_deref(),
        filter.approver.as_deref()
    )?;
    // The period's rounds and decisions are one range of their own index
    // each (joining them to the reviews cost two seeks a row); those of
    // reviews the filter left out are passed over below.
    let (stages, decisions) = if depth == Depth::Rounds { rounds(tx, ws, from, to).await? } else { (Vec::new(), Vec::new()) };
    let mut out: Vec<ReviewFacts> = Vec::with_capacity(reviews.len());
    let mut at: HashMap<Uuid, usize> = HashMap::with_capacity(reviews.len());
    for r in reviews {
        let outcome = match r.outcome.as_deref() {
            Some(text) => Some(Outcome::parse(text).ok_or_else(|| StoreError::Corrupt(format!("review fact outcome `{text}`")))?),
            None => None,
        };
        at.insert(r.review_id, out.len());
        out.push(ReviewFacts {
            review: ReviewId::from_uuid(r.review_id),
            post: PostId::from_uuid(r.post_id),
            workflow: r.workflow_id.map(WorkflowId::from_uuid),
            post_created_at: r.post_created_at.map(|t| t.0),
            submitted_at: r.submitted_at.0,
            ended_at: r.ended_at.map(|t| t.0),
            outcome,
            rounds: count(r.rounds),
            changes_requested: count(r.changes_requested),
            reminders: count(r.reminders),
            escalations: count(r.escalations),
            planned_time_passed: r.planned_time_passed,
            stages: Vec::new(),
            decisions: Vec::new(),
            cycle_minutes: r.cycle_minutes,
            cycle_business_minutes: r.cycle_business_minutes,
            brief_minutes: r.brief_minutes,
            brief_business_minutes: r.brief_business_minutes,
        });
    }
    for s in stages {
        let Some(facts) = at.get(&s.review_id).and_then(|&i| out.get_mut(i)) else { continue };
        let end = match s.end_kind.as_deref() {
            Some(text) => Some(StageEnd::parse(text).ok_or_else(|| StoreError::Corrupt(format!("stage fact end `{text}`")))?),
            None => None,
        };
        facts.stages.push(StageRound {
            stage: s.stage,
            round: count(s.round),
            asked_at: s.asked_at.0,
            first_seen_at: s.first_seen_at.map(|t| t.0),
            due_at: s.due_at.map(|t| t.0),
            ended_at: s.ended_at.map(|t| t.0),
            end,
            overridden: s.overridden,
            escalated: s.escalated,
            reminders: count(s.reminders),
            minutes: s.minutes,
            business_minutes: s.business_minutes,
        });
    }
    for d in decisions {
        let Some(facts) = at.get(&d.review_id).and_then(|&i| out.get_mut(i)) else { continue };
        facts.decisions.push(DecisionFact {
            stage: d.stage,
            lane: d.lane,
            round: count(d.round),
            decider: Decider::parse(&d.decider),
            verdict: verdict_from(&d.verdict)?,
            reason: d.reason,
            asked_at: d.asked_at.0,
            seen_at: d.seen_at.map(|t| t.0),
            at: d.decided_at.0,
            carried: d.carried,
            minutes: d.minutes,
            business_minutes: d.business_minutes,
        });
    }
    Ok(out)
}

/// A period's stage rounds and decisions, each in review order.
async fn rounds(tx: &mut Tx, ws: WorkspaceId, from: Timestamp, to: Timestamp) -> Result<(Vec<StageRow>, Vec<DecisionRow>)> {
    let stages: Vec<StageRow> = sql!(
        tx,
        all as StageRow,
        "SELECT review_id, stage, round, asked_at, first_seen_at, due_at, ended_at, end_kind, overridden, escalated, reminders,
                minutes, business_minutes
         FROM stage_facts WHERE workspace_id = $1 AND review_ended_at >= $2 AND review_ended_at < $3
         ORDER BY review_ended_at, review_id, n",
        ws.uuid(),
        DbTime(from),
        DbTime(to)
    )?;
    let decisions: Vec<DecisionRow> = sql!(
        tx,
        all as DecisionRow,
        "SELECT review_id, stage, lane, round, decider, verdict, reason, asked_at, seen_at, decided_at, carried, minutes,
                business_minutes
         FROM decision_facts WHERE workspace_id = $1 AND review_ended_at >= $2 AND review_ended_at < $3
         ORDER BY review_ended_at, review_id, n",
        ws.uuid(),
        DbTime(from),
        DbTime(to)
    )?;
    Ok((stages, decisions))
}

/// The posts a workspace's log tells of, after `after`, a page at a time.
pub async fn posts_in_log(tx: &mut Tx, ws: WorkspaceId, after: Uuid, limit: i64) -> Result<Vec<PostId>> {
    let rows = sql!(
        tx,
        all as (Uuid,),
        "SELECT DISTINCT subject_id FROM audit_events
         WHERE chain = $1 AND subject_kind = 'post' AND subject_id > $2 ORDER BY subject_id LIMIT $3",
        format!("workspace:{ws}"),
        after,
        limit
    )?;
    Ok(rows.into_iter().map(|(id,)| PostId::from_uuid(id)).collect())
}

/// A post planned in a period, on one of its channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub post: PostId,
    pub channel: ChannelId,
    pub planned_at: Timestamp,
    /// When its latest approval came (none: never approved).
    pub approved_at: Option<Timestamp>,
    /// Whether it went out on that channel.
    pub published: bool,
}

/// The posts of `ws` planned in `[from, to)`, one row per channel, narrowed
/// by the filter's campaign, label, channel and author.
pub async fn planned_between(tx: &mut Tx, ws: WorkspaceId, from: Timestamp, to: Timestamp, filter: &Filter) -> Result<Vec<Planned>> {
    let rows = sql!(
        tx,
        all as (Uuid, Uuid, DbTime, Option<DbTime>, bool),
        // A post's latest approval is looked up once, not once per channel,
        // and its channels' publications only if it has one; the rows are
        // counted by week, in no order (sorting spilled to disk).
        "WITH p AS MATERIALIZED (
             SELECT id, planned_at,
                    (SELECT MAX(f.ended_at) FROM review_facts f WHERE f.post_id = posts.id AND f.outcome = 'approved') AS approved_at,
                    EXISTS (SELECT 1 FROM publications u WHERE u.post_id = posts.id AND u.status = 'published') AS any_published
             FROM posts
             WHERE workspace_id = $1 AND planned_at >= $2 AND planned_at < $3
               AND ($4 IS NULL OR campaign_id = $4)
               AND ($5 IS NULL OR owner_id = $5)
               AND ($6 IS NULL OR EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = posts.id AND l.label_id = $6)))
         SELECT p.id, c.channel_id, p.planned_at, p.approved_at,
                CASE WHEN p.any_published
                     THEN EXISTS (SELECT 1 FROM publications u
                                  WHERE u.post_id = p.id AND u.channel_id = c.channel_id AND u.status = 'published')
                     ELSE FALSE END
         FROM p JOIN post_channels c ON c.post_id = p.id
         WHERE ($7 IS NULL OR c.channel_id = $7)",
        ws.uuid(),
        DbTime(from),
        DbTime(to),
        filter.campaign.map(|c| c.uuid()),
        filter.author.map(UserId::uuid),
        filter.label.map(LabelId::uuid),
        filter.channel.map(ChannelId::uuid)
    )?;
    Ok(rows
        .into_iter()
        .map(|(post, channel, planned, approved, published)| Planned {
            post: PostId::from_uuid(post),
            channel: ChannelId::from_uuid(channel),
            planned_at: planned.0,
            approved_at: approved.map(|t| t.0),
            published,
        })
        .collect())
}

/// Workspaces with reviews but not one post's facts (a database from
/// before analytics, or one whose facts were lost).
pub async fn unmeasured_workspaces(tx: &mut Tx) -> Result<Vec<WorkspaceId>> {
    let rows = sql!(
        tx,
        all as (Uuid,),
        "SELECT w.id FROM workspaces w
         WHERE NOT EXISTS (SELECT 1 FROM analytics_posts a WHERE a.workspace_id = w.id)
           AND EXISTS (SELECT 1 FROM reviews r WHERE r.workspace_id = w.id)"
    )?;
    Ok(rows.into_iter().map(|(id,)| WorkspaceId::from_uuid(id)).collect())
}
