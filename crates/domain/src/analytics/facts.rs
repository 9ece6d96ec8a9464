//! Review facts: what each review's events in the audit log say happened —
//! when each stage asked, when it was decided and how, by whom, in which
//! round — folded from one post's events, oldest first.
//!
//! The log stays the source of truth: the facts are derived, and the same
//! fold that keeps them current rebuilds them from the log.

use std::collections::BTreeMap;

use jiff::{Timestamp, tz::TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::hours::{BusinessHours, calendar_minutes};
use crate::{
    audit::{Actor, Event},
    id::{PostId, ReviewId, UserId, WorkflowId},
    workflow::{Principal, Verdict},
};

/// How a review ended (none while it runs or waits for a revision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Rejected,
    Withdrawn,
    Expired,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Rejected => "rejected",
            Outcome::Withdrawn => "withdrawn",
            Outcome::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        [Outcome::Approved, Outcome::Rejected, Outcome::Withdrawn, Outcome::Expired].into_iter().find(|o| o.as_str() == text)
    }
}

/// How a stage's round ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageEnd {
    /// Approved (or approved by override), and the review went on.
    Passed,
    ChangesRequested,
    Rejected,
    /// An edit sent the review back to an earlier stage.
    Reset,
    Withdrawn,
    Expired,
}

impl StageEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            StageEnd::Passed => "passed",
            StageEnd::ChangesRequested => "changes_requested",
            StageEnd::Rejected => "rejected",
            StageEnd::Reset => "reset",
            StageEnd::Withdrawn => "withdrawn",
            StageEnd::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<StageEnd> {
        [StageEnd::Passed, StageEnd::ChangesRequested, StageEnd::Rejected, StageEnd::Reset, StageEnd::Withdrawn, StageEnd::Expired]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// One time a stage asked: from when it started waiting to when it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRound {
    pub stage: String,
    /// The review's round (1, then one more per resubmission).
    pub round: u32,
    pub asked_at: Timestamp,
    /// When someone it asked first opened the review.
    pub first_seen_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub end: Option<StageEnd>,
    pub overridden: bool,
    pub escalated: bool,
    pub reminders: u32,
    pub minutes: Option<i64>,
    pub business_minutes: Option<i64>,
}

impl StageRound {
    /// Whether it passed its due time: decided after it, or still waiting at `now`.
    pub fn overdue(&self, now: Timestamp) -> bool {
        self.due_at.is_some_and(|due| self.ended_at.unwrap_or(now) > due)
    }
}

/// Who decided: a member, or an outside reviewer by email.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Decider {
    User(UserId),
    External(String),
}

impl Decider {
    pub fn key(&self) -> String {
        match self {
            Decider::User(id) => id.to_string(),
            Decider::External(email) => email.clone(),
        }
    }

    pub fn parse(key: &str) -> Decider {
        key.parse().map(Decider::User).unwrap_or_else(|_| Decider::External(key.to_owned()))
    }
}

/// One decision, with how long its stage had asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFact {
    pub stage: String,
    pub lane: String,
    pub round: u32,
    /// Whose place it filled (the member a stand-in acted for, or the guest).
    pub decider: Decider,
    pub verdict: Verdict,
    pub reason: Option<String>,
    pub asked_at: Timestamp,
    /// When the decider first opened the review in this round of the stage.
    pub seen_at: Option<Timestamp>,
    pub at: Timestamp,
    /// Made by an approval of the stage before (no time of its own).
    pub carried: bool,
    pub minutes: i64,
    pub business_minutes: i64,
}

/// A review's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewFacts {
    pub review: ReviewId,
    pub post: PostId,
    pub workflow: Option<WorkflowId>,
    pub post_created_at: Option<Timestamp>,
    pub submitted_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    pub outcome: Option<Outcome>,
    /// 1, and one more for each resubmission after changes were asked.
    pub rounds: u32,
    pub changes_requested: u32,
    pub reminders: u32,
    pub escalations: u32,
    /// The planned time came before the approval: `hold` or `expire`, as
    /// the workflow said.
    pub planned_time_passed: Option<String>,
    pub stages: Vec<StageRound>,
    pub decisions: Vec<DecisionFact>,
    /// Submission to the end, when it ended approved.
    pub cycle_minutes: Option<i64>,
    pub cycle_business_minutes: Option<i64>,
    /// The post's creation (its brief) to its approval.
    pub brief_minutes: Option<i64>,
    pub brief_business_minutes: Option<i64>,
}

impl ReviewFacts {
    fn new(review: ReviewId, post: PostId, created: Option<Timestamp>, at: Timestamp) -> Self {
        ReviewFacts {
            review,
            post,
            workflow: None,
            post_created_at: created,
            submitted_at: at,
            ended_at: None,
            outcome: None,
            rounds: 1,
            changes_requested: 0,
            reminders: 0,
            escalations: 0,
            planned_time_passed: None,
            stages: Vec::new(),
            decisions: Vec::new(),
            cycle_minutes: None,
            cycle_business_minutes: None,
            brief_minutes: None,
            brief_business_minutes: None,
        }
    }

    /// Approved with no changes asked on the way.
    pub fn first_pass(&self) -> bool {
        self.outcome == Some(Outcome::Approved) && self.changes_requested == 0
    }

    /// Approved or rejected: a decided review.
    pub fn completed(&self) -> bool {
        matches!(self.outcome, Some(Outcome::Approved | Outcome::Rejected))
    }

    fn open_round(&mut self) -> Option<&mut StageRound> {
        self.stages.last_mut().filter(|s| s.ended_at.is_none())
    }

    fn close_round(&mut self, at: Timestamp, end: StageEnd) {
        if let Some(round) = self.open_round() {
            round.ended_at = Some(at);
            round.end = Some(end);
        }
    }

    /// Where the review stands after an event: waiting at a stage, or done.
    fn progress(&mut self, progress: &Value, at: Timestamp, moved: StageEnd) {
        if let Some(stage) = progress["waiting_at"].as_str() {
            let started = progress["stage_started"].as_str().and_then(|t| t.parse().ok()).unwrap_or(at);
            if self.open_round().is_some_and(|r| r.stage == stage && r.asked_at == started) {
                return;
            }
            self.close_round(at, moved);
            self.ended_at = None;
            self.outcome = None;
            let due_at = progress["due_at"].as_str().and_then(|t| t.parse().ok());
            self.stages.push(StageRound {
                stage: stage.to_owned(),
                round: self.rounds,
                asked_at: started,
                first_seen_at: None,
                due_at,
                ended_at: None,
                end: None,
                overridden: false,
                escalated: false,
                reminders: 0,
                minutes: None,
                business_minutes: None,
            });
            return;
        }
        match progress["outcome"].as_str() {
            Some("approved") => {
                self.close_round(at, StageEnd::Passed);
                self.end(at, Outcome::Approved);
            }
            Some("rejected") => {
                self.close_round(at, StageEnd::Rejected);
                self.end(at, Outcome::Rejected);
            }
            Some("changes_requested") => self.close_round(at, StageEnd::ChangesRequested),
            _ => {}
        }
    }

    fn end(&mut self, at: Timestamp, outcome: Outcome) {
        self.ended_at = Some(at);
        self.outcome = Some(outcome);
    }

    /// Fills in the durations, in calendar time and in `hours` in `zone`.
    pub fn measure(&mut self, hours: &BusinessHours, zone: &TimeZone) {
        for round in &mut self.stages {
            round.minutes = round.ended_at.map(|end| calendar_minutes(round.asked_at, end));
            round.business_minutes = round.ended_at.map(|end| hours.minutes(round.asked_at, end, zone));
        }
        for d in &mut self.decisions {
            d.minutes = calendar_minutes(d.asked_at, d.at);
            d.business_minutes = hours.minutes(d.asked_at, d.at, zone);
        }
        let approved = self.ended_at.filter(|_| self.outcome == Some(Outcome::Approved));
        self.cycle_minutes = approved.map(|end| calendar_minutes(self.submitted_at, end));
        self.cycle_business_minutes = approved.map(|end| hours.minutes(self.submitted_at, end, zone));
        let brief = approved.zip(self.post_created_at);
        self.brief_minutes = brief.map(|(end, created)| calendar_minutes(created, end));
        self.brief_business_minutes = brief.map(|(end, created)| hours.minutes(created, end, zone));
    }
}

/// The facts of every review one post's events tell of, in the order the
/// reviews started. `events` are the post's, oldest first; durations are
/// left to [`ReviewFacts::measure`].
pub fn fold(post: PostId, events: &[Event]) -> Vec<ReviewFacts> {
    let mut created = None;
    let mut reviews: BTreeMap<ReviewId, ReviewFacts> = BTreeMap::new();
    // Who has opened the round of a review's stage that waits now, and when.
    let mut seen: BTreeMap<ReviewId, Vec<(Decider, Timestamp)>> = BTreeMap::new();
    let mut order = Vec::new();
    for event in events {
        let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
        if event.action == "post.created" {
            created = Some(event.at);
            continue;
        }
        let Some(id) = data["review"].as_str().and_then(|r| r.parse::<ReviewId>().ok()) else { continue };
        let at = event.at;
        if event.action == "review.started" {
            let mut facts = ReviewFacts::new(id, post, created, at);
            facts.workflow = data["workflow"].as_str().and_then(|w| w.parse().ok());
            reviews.insert(id, facts);
            order.push(id);
        }
        let Some(facts) = reviews.get_mut(&id) else { continue };
        let rounds_before = facts.stages.len();
        let opened = seen.entry(id).or_default();
        match event.action.as_str() {
            "review.started" | "review.approver_added" => facts.progress(&data["progress"], at, StageEnd::Passed),
            "review.resubmitted" => {
                facts.rounds += 1;
                facts.progress(&data["progress"], at, StageEnd::Passed);
            }
            "review.decided" => {
                decided(facts, event, &data, opened);
                if !data["progress"].is_null() {
                    facts.progress(&data["progress"], at, StageEnd::Passed);
                }
            }
            "review.overridden" => {
                if let Some(round) = facts.open_round() {
                    round.overridden = true;
                }
                facts.progress(&data["progress"], at, StageEnd::Passed);
            }
            "review.withdrawn" => {
                facts.close_round(at, StageEnd::Withdrawn);
                facts.end(at, Outcome::Withdrawn);
            }
            "review.expired" => {
                facts.close_round(at, StageEnd::Expired);
                facts.end(at, Outcome::Expired);
                facts.planned_time_passed = Some("expire".into());
            }
            "review.publish_time_passed" => facts.planned_time_passed = Some("hold".into()),
            "review.seen" => {
                let (Some(user), Some(stage)) = (event.actor.user(), data["stage"].as_str()) else { continue };
                let Some(round) = facts.stages.last_mut().filter(|r| r.ended_at.is_none() && r.stage == stage) else { continue };
                round.first_seen_at.get_or_insert(at);
                if !opened.iter().any(|(d, _)| *d == Decider::User(user)) {
                    opened.push((Decider::User(user), at));
                }
            }
            "review.reminder" => {
                facts.reminders += 1;
                if let Some(round) = facts.open_round() {
                    round.reminders += 1;
                }
            }
            "review.escalated" => {
                facts.escalations += 1;
                if let Some(round) = facts.open_round() {
                    round.escalated = true;
                }
            }
            // An edit or a change of what routing looks at re-ran the review.
            _ if event.action.starts_with("post.") && !data["progress"].is_null() => facts.progress(&data["progress"], at, StageEnd::Reset),
            _ => {}
        }
        if facts.stages.len() != rounds_before {
            opened.clear(); // a new round: nobody has opened it yet
        }
    }
    order.into_iter().filter_map(|id| reviews.remove(&id)).collect()
}

fn decided(facts: &mut ReviewFacts, event: &Event, data: &Value, opened: &[(Decider, Timestamp)]) {
    let Ok(verdict) = serde_json::from_value::<Verdict>(data["verdict"].clone()) else { return };
    let stage = data["stage"].as_str().unwrap_or_default().to_owned();
    let decider = match serde_json::from_value::<Principal>(data["for"].clone()) {
        Ok(Principal::User(user)) => Decider::User(user),
        Ok(Principal::External(email)) => Decider::External(email.as_str().to_owned()),
        Err(_) => match &event.actor {
            Actor::External { name, .. } => Decider::External(name.clone()),
            other => match other.user() {
                Some(user) => Decider::User(user),
                None => return,
            },
        },
    };
    let carried = data["carried"] == true;
    let asked_at = facts.open_round().filter(|r| r.stage == stage && !carried).map_or(event.at, |r| r.asked_at);
    // Seen by whoever decided (a stand-in's own opening counts for them).
    let seen_by = event.actor.user().map(Decider::User).unwrap_or_else(|| decider.clone());
    let seen_at = opened.iter().find(|(d, _)| *d == seen_by || *d == decider).map(|(_, at)| *at).filter(|_| !carried);
    if verdict == Verdict::RequestChanges {
        facts.changes_requested += 1;
    }
    facts.decisions.push(DecisionFact {
        stage,
        lane: data["lane"].as_str().unwrap_or_default().to_owned(),
        round: facts.rounds,
        decider,
        verdict,
        reason: data["reason"].as_str().map(str::to_owned),
        asked_at,
        seen_at,
        at: event.at,
        carried,
        minutes: 0,
        business_minutes: 0,
    });
}
