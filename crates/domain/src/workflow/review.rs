//! A review: one run of a workflow version over a post.
//!
//! Every decision is pinned to the hash of the revision its author saw. A
//! stage is complete while its lanes have enough approvals that *cover* the
//! current revision: approvals of that very revision, or — where the stage
//! says its own approvers' edits keep it — approvals of an earlier revision
//! that only this stage's approvers changed since. After any event the run
//! walks the stages from the first ([`Review::advance`]): skipped stages are
//! passed, complete ones too, and the first incomplete one becomes active.
//! So an edit re-runs the review from the first stage whose approvals no
//! longer cover the content, and nothing carries an approval to content
//! nobody approved.
//!
//! The run is pure: the people (members, groups, delegations) and the time
//! are arguments, and every refusal changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::{
    definition::{Approver, ChecklistItem, Definition, Due, Rule, Stage},
    routing::Facts,
};
use crate::{
    canonical::Hash,
    id::{GroupId, UserId},
    names::Email,
    permission::{Permission, Role},
    preflight::Check,
};

/// Someone who can be asked and can decide: a member, or an outside
/// reviewer known by email (who answers through a review link).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Principal {
    User(UserId),
    External(Email),
}

/// A member's absence: while it lasts, `delegate` may act for `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Delegation {
    pub from: UserId,
    pub delegate: UserId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// The workspace's people as the engine needs them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    pub members: BTreeMap<UserId, Role>,
    pub groups: BTreeMap<GroupId, BTreeSet<UserId>>,
    pub delegations: Vec<Delegation>,
}

impl People {
    /// A post author's role and groups, as routing sees them.
    pub fn author(&self, author: UserId) -> (Option<Role>, BTreeSet<GroupId>) {
        let groups = self.groups.iter().filter(|(_, members)| members.contains(&author)).map(|(g, _)| *g).collect();
        (self.members.get(&author).copied(), groups)
    }

    /// Whether `user` is a member whose role may decide reviews (a viewer
    /// named in a group or a role is not asked).
    pub fn may_decide(&self, user: &UserId) -> bool {
        self.members.get(user).is_some_and(|r| r.can(Permission::DecideReviews))
    }

    /// Everyone the approvers name, as they are now.
    pub fn resolve<'a>(&self, approvers: impl IntoIterator<Item = &'a Approver>) -> BTreeSet<Principal> {
        let mut out = BTreeSet::new();
        for approver in approvers {
            match approver {
                Approver::User(user) if self.may_decide(user) => {
                    out.insert(Principal::User(*user));
                }
                Approver::User(_) => {}
                Approver::Group(group) => {
                    let members = self.groups.get(group).into_iter().flatten().filter(|u| self.may_decide(u));
                    out.extend(members.map(|u| Principal::User(*u)));
                }
                Approver::Role(role) => {
                    let holders = self.members.iter().filter(|(_, r)| *r == role && r.can(Permission::DecideReviews));
                    out.extend(holders.map(|(u, _)| Principal::User(*u)));
                }
                Approver::External(email) => {
                    out.insert(Principal::External(email.clone()));
                }
            }
        }
        out
    }

    /// Whom `delegate` may act for at `now`.
    pub fn delegators(&self, delegate: UserId, now: Timestamp) -> BTreeSet<UserId> {
        self.delegations
            .iter()
            .filter(|d| d.delegate == delegate && d.starts_at <= now && now < d.ends_at && self.members.contains_key(&d.from))
            .filter(|_| self.may_decide(&delegate))
            .map(|d| d.from)
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Waiting for the active stage's approvers.
    Active,
    /// Someone asked for changes; the owner edits and resubmits.
    ChangesRequested,
    Approved,
    Rejected,
    Withdrawn,
    /// The planned publish time passed before final approval, and the
    /// workflow says such a post fails.
    Expired,
}

impl ReviewStatus {
    /// A finished review takes no more decisions, edits or resubmissions.
    pub fn is_finished(self) -> bool {
        matches!(self, ReviewStatus::Rejected | ReviewStatus::Withdrawn | ReviewStatus::Expired)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Pending,
    Skipped,
    Active,
    Complete,
}

/// A stage as this review runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StageRun {
    pub key: String,
    pub status: StageStatus,
    /// The review's round when the stage last started (timers carry it, so
    /// a reminder for an earlier run of the stage is ignored).
    pub round: u32,
    pub started_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub escalated: bool,
    pub lanes: Vec<LaneRun>,
}

/// A lane as this review runs it: who was asked when the stage started, and
/// how many approvals it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LaneRun {
    pub key: String,
    pub asked: BTreeSet<Principal>,
    pub needed: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    RequestChanges,
    Reject,
}

/// A decision, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub stage: String,
    pub lane: String,
    pub round: u32,
    /// Who decided.
    pub by: Principal,
    /// Whose place in the lane it fills: `by`, or the member `by` stands in for.
    pub for_whom: Principal,
    pub verdict: Verdict,
    /// The revision the decider saw.
    pub revision: Hash,
    pub comment: Option<String>,
    /// Checklist items done: ticked by hand, or by preflight.
    pub checklist: BTreeSet<String>,
    pub at: Timestamp,
    /// Made by the same person's approval of the stage before, which covers
    /// this one too (the workflow's `one_approval_covers_next_stages`).
    #[serde(default)]
    pub carried: bool,
    /// One of the workspace's preset reasons, given with a request for
    /// changes or a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An administrator's approval of a whole stage, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Override {
    pub stage: String,
    pub by: UserId,
    pub reason: String,
    pub revision: Hash,
    pub at: Timestamp,
}

/// A revision the review has seen, and who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevisionMark {
    pub hash: Hash,
    pub author: Principal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    pub status: ReviewStatus,
    /// The post's owner, who may not approve it unless the workflow allows.
    pub owner: UserId,
    /// Every revision since the review started, oldest first; the last is current.
    pub revisions: Vec<RevisionMark>,
    pub stages: Vec<StageRun>,
    pub decisions: Vec<Decision>,
    pub overrides: Vec<Override>,
    /// Bumped whenever a stage starts.
    pub round: u32,
    /// Decisions made before this round do not count: the review was
    /// reopened after it approved (a channel was added).
    #[serde(default)]
    pub counts_from_round: u32,
    /// People a member asked to approve this post in particular (a client,
    /// from the post's share menu), beside whom the workflow asks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<AddedApprover>,
}

/// Someone asked to approve one post outside its workflow: a lane of their
/// own, needing their approval, in a stage of the post's path — asked
/// whenever that stage runs, as the workflow's own lanes are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AddedApprover {
    pub stage: String,
    pub lane: String,
    pub asked: Principal,
    pub by: UserId,
    pub at: Timestamp,
}

/// Why the engine refused; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("the review is {0:?} and takes no more of this")]
    NotActive(ReviewStatus),
    #[error("this decision is about an older revision; the current one is {current}")]
    Stale { current: Hash },
    #[error("you are not asked at this stage")]
    NotAsked,
    #[error("you are asked in several lanes of this stage ({0}); say which one")]
    WhichLane(String),
    #[error("nobody approves their own post in this workflow")]
    OwnPost,
    #[error("you already decided on this revision")]
    AlreadyDecided,
    #[error("a comment is required to request changes or reject")]
    CommentRequired,
    #[error("tick every checklist item before approving; open: {0}")]
    ChecklistOpen(String),
    #[error("`{0}` is not on this stage's checklist")]
    UnknownChecklistItem(String),
    #[error("`{0}` is ticked by preflight, not by hand: fix what it found")]
    AutomaticChecklistItem(String),
    #[error("an override needs a reason")]
    ReasonRequired,
    #[error("stage `{stage}` lane `{lane}` needs {needed} approvals but only {available} people can answer")]
    Unstaffed { stage: String, lane: String, needed: u32, available: usize },
    #[error("the workflow and the review do not match")]
    Mismatch,
}

/// What an event did to the review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Still waiting at the given stage (maybe a newly started one).
    Waiting {
        stage: String,
        started: bool,
    },
    Approved,
    ChangesRequested,
    Rejected,
}

/// A decision as a request makes it.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    pub by: Principal,
    pub verdict: Verdict,
    pub revision: Hash,
    pub comment: Option<String>,
    /// Items ticked by hand.
    pub checklist: BTreeSet<String>,
    /// Checks that preflight finds something on, in the revision decided
    /// on: their automatic checklist items are open.
    pub open_checks: BTreeSet<Check>,
    /// Needed only when `by` is asked in several lanes of the stage.
    pub lane: Option<String>,
}

/// What the review would do for a post: the simulator's answer, and the
/// plan [`Review::start`] follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub stages: Vec<PlannedStage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlannedStage {
    pub key: String,
    pub name: String,
    /// The index of the skip condition that matched, if the stage is skipped.
    pub skipped_by: Option<usize>,
    pub lanes: Vec<PlannedLane>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlannedLane {
    pub key: String,
    pub name: String,
    pub asked: BTreeSet<Principal>,
    pub needed: u32,
}

impl PlannedLane {
    pub fn is_staffed(&self) -> bool {
        self.asked.len() >= self.needed as usize
    }
}

fn lane_runs(def: &Definition, stage: &Stage, people: &People, owner: UserId) -> Vec<PlannedLane> {
    stage
        .lanes
        .iter()
        .map(|lane| {
            let mut asked = people.resolve(&lane.approvers);
            if !def.allow_self_approval {
                asked.remove(&Principal::User(owner));
            }
            let needed = match lane.rule {
                Rule::Any => 1,
                Rule::All => u32::try_from(asked.len()).unwrap_or(u32::MAX).max(1),
                Rule::AtLeast(n) => n,
            };
            PlannedLane { key: lane.key.clone(), name: lane.name.clone(), asked, needed }
        })
        .collect()
}

/// Which stages a post would go through and who would be asked.
pub fn plan(def: &Definition, facts: &Facts, people: &People, owner: UserId) -> Plan {
    let stages = def
        .stages
        .iter()
        .map(|stage| PlannedStage {
            key: stage.key.clone(),
            name: stage.name.clone(),
            skipped_by: stage.skip_if.iter().position(|c| c.matches(facts)),
            lanes: lane_runs(def, stage, people, owner),
        })
        .collect();
    Plan { stages }
}

impl Plan {
    /// The first lane on the path that cannot get the approvals it needs.
    pub fn unstaffed(&self) -> Option<ReviewError> {
        self.stages.iter().filter(|s| s.skipped_by.is_none()).find_map(|s| {
            s.lanes.iter().find(|l| !l.is_staffed()).map(|l| ReviewError::Unstaffed {
                stage: s.key.clone(),
                lane: l.key.clone(),
                needed: l.needed,
                available: l.asked.len(),
            })
        })
    }
}

/// The arguments every step of a review needs.
pub struct Context<'a> {
    pub def: &'a Definition,
    pub facts: &'a Facts,
    pub people: &'a People,
    /// The planned publish time, for due times relative to it.
    pub planned: Option<Timestamp>,
    pub now: Timestamp,
}

impl Review {
    /// Starts a review of `revision`, refusing if a lane on the path cannot
    /// be staffed.
    pub fn start(cx: &Context<'_>, owner: UserId, revision: RevisionMark) -> Result<(Review, Progress), ReviewError> {
        if let Some(err) = plan(cx.def, cx.facts, cx.people, owner).unstaffed() {
            return Err(err);
        }
        let stages = cx
            .def
            .stages
            .iter()
            .map(|s| StageRun {
                key: s.key.clone(),
                status: StageStatus::Pending,
                round: 0,
                started_at: None,
                due_at: None,
                escalated: false,
                lanes: Vec::new(),
            })
            .collect();
        let mut review = Review {
            status: ReviewStatus::Active,
            owner,
            revisions: vec![revision],
            stages,
            decisions: Vec::new(),
            overrides: Vec::new(),
            round: 0,
            counts_from_round: 0,
            added: Vec::new(),
        };
        let progress = review.advance(cx)?;
        Ok((review, progress))
    }

    pub fn current_revision(&self) -> &Hash {
        // A review always has the revision it started with.
        &self.revisions[self.revisions.len() - 1].hash
    }

    pub fn active_stage(&self) -> Option<usize> {
        self.stages.iter().position(|s| s.status == StageStatus::Active)
    }

    /// Whether a decision on `decided` still covers the current revision
    /// for `stage`: the same revision, or — where the stage allows — later
    /// revisions made only by people asked in that stage.
    fn covers(&self, stage: &Stage, run: &StageRun, decided: &Hash) -> bool {
        if decided == self.current_revision() {
            return true;
        }
        if !stage.own_edits_keep_stage {
            return false;
        }
        let Some(at) = self.revisions.iter().rposition(|r| &r.hash == decided) else { return false };
        let asked: BTreeSet<&Principal> = run.lanes.iter().flat_map(|l| &l.asked).collect();
        self.revisions[at + 1..].iter().all(|r| asked.contains(&r.author))
    }

    /// The approvals in a lane that count now, by whose place they fill.
    fn approvals(&self, stage: &Stage, run: &StageRun, lane: &LaneRun) -> BTreeSet<Principal> {
        self.decisions
            .iter()
            .filter(|d| d.stage == run.key && d.lane == lane.key && d.verdict == Verdict::Approve && d.round >= self.counts_from_round)
            .filter(|d| lane.asked.contains(&d.for_whom) && self.covers(stage, run, &d.revision))
            .map(|d| d.for_whom.clone())
            .collect()
    }

    fn overridden(&self, run: &StageRun) -> bool {
        self.overrides.iter().any(|o| o.stage == run.key && &o.revision == self.current_revision())
    }

    fn lane_done(&self, stage: &Stage, run: &StageRun, lane: &LaneRun) -> bool {
        self.approvals(stage, run, lane).len() >= lane.needed as usize
    }

    fn stage_done(&self, stage: &Stage, run: &StageRun) -> bool {
        !run.lanes.is_empty() && (self.overridden(run) || run.lanes.iter().all(|l| self.lane_done(stage, run, l)))
    }

    /// Walks the stages from the first: passes skipped and complete ones,
    /// starts the first incomplete one (or keeps it running), or approves.
    fn advance(&mut self, cx: &Context<'_>) -> Result<Progress, ReviewError> {
        if cx.def.stages.len() != self.stages.len() {
            return Err(ReviewError::Mismatch);
        }
        let mut waiting_at = None;
        for i in 0..self.stages.len() {
            let stage = &cx.def.stages[i];
            if waiting_at.is_some() {
                self.stages[i].status = StageStatus::Pending;
                continue;
            }
            if stage.skip_if.iter().any(|c| c.matches(cx.facts)) {
                self.stages[i].status = StageStatus::Skipped;
                continue;
            }
            if self.stage_done(stage, &self.stages[i]) {
                self.stages[i].status = StageStatus::Complete;
                continue;
            }
            let started = self.stages[i].status != StageStatus::Active;
            if started {
                self.start_stage(cx, i);
            }
            waiting_at = Some((stage.key.clone(), started));
        }
        Ok(match waiting_at {
            Some((stage, started)) => Progress::Waiting { stage, started },
            None => {
                self.status = ReviewStatus::Approved;
                Progress::Approved
            }
        })
    }

    fn start_stage(&mut self, cx: &Context<'_>, i: usize) {
        let stage = &cx.def.stages[i];
        self.round += 1;
        let added = self.added.iter().filter(|a| a.stage == stage.key).map(AddedApprover::lane);
        let lanes = lane_runs(cx.def, stage, cx.people, self.owner)
            .into_iter()
            .map(|l| LaneRun { key: l.key, asked: l.asked, needed: l.needed })
            .chain(added)
            .collect();
        let due_at = match stage.due {
            Some(Due::AfterMinutes(m)) => cx.now.checked_add(SignedDuration::from_mins(m.into())).ok(),
            Some(Due::BeforePublishMinutes(m)) => cx.planned.and_then(|p| p.checked_sub(SignedDuration::from_mins(m.into())).ok()),
            None => None,
        };
        let run = &mut self.stages[i];
        *run = StageRun {
            key: stage.key.clone(),
            status: StageStatus::Active,
            round: self.round,
            started_at: Some(cx.now),
            due_at,
            escalated: false,
            lanes,
        };
    }

    fn require_active(&self) -> Result<usize, ReviewError> {
        match (self.status, self.active_stage()) {
            (ReviewStatus::Active, Some(i)) => Ok(i),
            (status, _) => Err(ReviewError::NotActive(status)),
        }
    }

    /// Records a decision by someone asked in the active stage (or standing
    /// in for them), then moves the review on.
    pub fn decide(&mut self, cx: &Context<'_>, input: DecisionInput) -> Result<Progress, ReviewError> {
        let i = self.require_active()?;
        if &input.revision != self.current_revision() {
            return Err(ReviewError::Stale { current: *self.current_revision() });
        }
        if !cx.def.allow_self_approval && input.by == Principal::User(self.owner) && input.verdict == Verdict::Approve {
            return Err(ReviewError::OwnPost);
        }
        let stage = cx.def.stages.get(i).ok_or(ReviewError::Mismatch)?;
        let run = &self.stages[i];
        // The places `by` can fill: their own, and those of members they stand in for.
        let mut places = vec![input.by.clone()];
        if let Principal::User(user) = &input.by {
            places.extend(cx.people.delegators(*user, cx.now).into_iter().map(Principal::User));
        }
        let decided = |lane: &LaneRun, whom: &Principal| {
            self.decisions.iter().any(|d| d.stage == run.key && d.lane == lane.key && d.round == run.round && &d.for_whom == whom)
        };
        let candidates: Vec<(&LaneRun, Principal)> = run
            .lanes
            .iter()
            .filter(|l| input.lane.as_ref().is_none_or(|k| &l.key == k))
            .filter_map(|l| {
                let asked: Vec<&Principal> = places.iter().filter(|p| l.asked.contains(p)).collect();
                // Own place first; a stand-in fills a place not yet decided.
                asked.iter().find(|p| !decided(l, p)).or(asked.first()).map(|p| (l, (*p).clone()))
            })
            .collect();
        let (lane, for_whom) = match candidates.as_slice() {
            [] => return Err(ReviewError::NotAsked),
            [one] => one.clone(),
            many => return Err(ReviewError::WhichLane(many.iter().map(|(l, _)| l.key.as_str()).collect::<Vec<_>>().join(", "))),
        };
        if decided(lane, &for_whom) {
            return Err(ReviewError::AlreadyDecided);
        }
        let comment = input.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        if input.verdict != Verdict::Approve && comment.is_none() {
            return Err(ReviewError::CommentRequired);
        }
        for key in &input.checklist {
            match stage.checklist.iter().find(|c| &c.key == key) {
                None => return Err(ReviewError::UnknownChecklistItem(key.clone())),
                Some(c) if c.automatic.is_some() => return Err(ReviewError::AutomaticChecklistItem(key.clone())),
                Some(_) => {}
            }
        }
        let done = |c: &&ChecklistItem| c.is_done(&input.checklist, &input.open_checks);
        // Someone added for this post signs off the content; the stage's
        // checklist is for the people the workflow asks there.
        let added_lane = self.added.iter().any(|a| a.stage == run.key && a.lane == lane.key);
        if input.verdict == Verdict::Approve && !added_lane {
            let open: Vec<&str> = stage.checklist.iter().filter(|c| c.required && !done(c)).map(|c| c.label.as_str()).collect();
            if !open.is_empty() {
                return Err(ReviewError::ChecklistOpen(open.join(", ")));
            }
        }
        let checklist = stage.checklist.iter().filter(done).map(|c| c.key.clone()).collect();
        let decision = Decision {
            stage: run.key.clone(),
            lane: lane.key.clone(),
            round: run.round,
            by: input.by,
            for_whom,
            verdict: input.verdict,
            revision: input.revision,
            comment,
            checklist,
            at: cx.now,
            carried: false,
            reason: None,
        };
        self.decisions.push(decision.clone());
        match input.verdict {
            Verdict::Approve => {
                let mut progress = self.advance(cx)?;
                while let (Progress::Waiting { started: true, .. }, true) = (&progress, cx.def.one_approval_covers_next_stages) {
                    let Some(carried) = self.carried(cx, &decision, &input.open_checks) else { break };
                    self.decisions.push(carried);
                    progress = self.advance(cx)?;
                }
                Ok(progress)
            }
            Verdict::RequestChanges => {
                self.status = ReviewStatus::ChangesRequested;
                Ok(Progress::ChangesRequested)
            }
            Verdict::Reject => {
                self.status = ReviewStatus::Rejected;
                Ok(Progress::Rejected)
            }
        }
    }

    /// The approval `approved` makes in the stage just started, when the
    /// same place is asked there and that approval alone completes it: one
    /// lane needing one, nothing to tick by hand and preflight's items done,
    /// and not the owner's own post unless the workflow allows it.
    fn carried(&self, cx: &Context<'_>, approved: &Decision, open_checks: &BTreeSet<Check>) -> Option<Decision> {
        let i = self.active_stage()?;
        let (stage, run) = (cx.def.stages.get(i)?, &self.stages[i]);
        let [lane] = run.lanes.as_slice() else { return None };
        let own = [&approved.by, &approved.for_whom].contains(&&Principal::User(self.owner));
        if !stage.approved_by_verdict_alone()
            || lane.needed != 1
            || !lane.asked.contains(&approved.for_whom)
            || (own && !cx.def.allow_self_approval)
        {
            return None;
        }
        let done = |c: &&ChecklistItem| c.is_done(&BTreeSet::new(), open_checks);
        if stage.checklist.iter().any(|c| c.required && !done(&c)) {
            return None;
        }
        Some(Decision {
            stage: run.key.clone(),
            lane: lane.key.clone(),
            round: run.round,
            checklist: stage.checklist.iter().filter(done).map(|c| c.key.clone()).collect(),
            comment: None,
            at: cx.now,
            carried: true,
            ..approved.clone()
        })
    }

    /// An administrator approves the active stage outright, with a reason.
    pub fn override_stage(&mut self, cx: &Context<'_>, by: UserId, reason: &str) -> Result<Progress, ReviewError> {
        let i = self.require_active()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ReviewError::ReasonRequired);
        }
        let revision = *self.current_revision();
        self.overrides.push(Override { stage: self.stages[i].key.clone(), by, reason: reason.to_owned(), revision, at: cx.now });
        self.advance(cx)
    }

    /// A new revision of the content. While the review runs (or after it
    /// approved), it re-runs from the first stage the edit un-covers.
    pub fn edit(&mut self, cx: &Context<'_>, revision: RevisionMark) -> Result<Progress, ReviewError> {
        if self.status.is_finished() {
            return Err(ReviewError::NotActive(self.status));
        }
        if &revision.hash == self.current_revision() {
            return Ok(self.progress());
        }
        self.revisions.push(revision);
        if self.status == ReviewStatus::ChangesRequested {
            return Ok(Progress::ChangesRequested);
        }
        self.status = ReviewStatus::Active;
        self.advance(cx)
    }

    /// Facts changed without a content edit (labels, channels): skips are
    /// re-evaluated, approvals untouched.
    pub fn refresh(&mut self, cx: &Context<'_>) -> Result<Progress, ReviewError> {
        match self.status {
            ReviewStatus::Active | ReviewStatus::Approved => {
                self.status = ReviewStatus::Active;
                self.advance(cx)
            }
            ReviewStatus::ChangesRequested => Ok(Progress::ChangesRequested),
            status => Err(ReviewError::NotActive(status)),
        }
    }

    /// The approval no longer covers what the post asks for (a channel was
    /// added): every stage asks again, and only decisions made from now on
    /// count. A review still running just re-evaluates its skips.
    pub fn reopen(&mut self, cx: &Context<'_>) -> Result<Progress, ReviewError> {
        if self.status != ReviewStatus::Approved {
            return self.refresh(cx);
        }
        self.counts_from_round = self.round + 1;
        self.status = ReviewStatus::Active;
        for stage in &mut self.stages {
            stage.status = StageStatus::Pending;
        }
        self.advance(cx)
    }

    /// After changes were requested: back to the approvers.
    pub fn resubmit(&mut self, cx: &Context<'_>) -> Result<Progress, ReviewError> {
        if self.status != ReviewStatus::ChangesRequested {
            return Err(ReviewError::NotActive(self.status));
        }
        self.status = ReviewStatus::Active;
        // The stage that asked for changes starts over, even on unchanged content.
        if let Some(i) = self.active_stage() {
            self.stages[i].status = StageStatus::Pending;
        }
        self.advance(cx)
    }

    /// Also asks `whom` to approve this post: a lane of their own in the
    /// last stage on the post's path, where a client signs off. If that stage
    /// runs now they are asked at once; if the review already approved, it
    /// reopens that stage for them alone (the approvals given still count);
    /// otherwise they are asked when it starts. Asking someone already
    /// asked there changes nothing. Answers the stage's key.
    pub fn ask_also(&mut self, cx: &Context<'_>, whom: Principal, by: UserId) -> Result<(String, Progress), ReviewError> {
        if self.status.is_finished() {
            return Err(ReviewError::NotActive(self.status));
        }
        if cx.def.stages.len() != self.stages.len() {
            return Err(ReviewError::Mismatch);
        }
        let on_path = |i: &usize| !cx.def.stages[*i].skip_if.iter().any(|c| c.matches(cx.facts));
        let i = (0..self.stages.len()).rev().find(on_path).ok_or(ReviewError::Mismatch)?;
        let key = cx.def.stages[i].key.clone();
        if self.added.iter().any(|a| a.stage == key && a.asked == whom) {
            return Ok((key, self.progress()));
        }
        // Someone the workflow itself asks (a client lane) is asked there.
        let own = cx.def.stages.iter().enumerate().filter(|(i, _)| on_path(i)).find(|(_, stage)| {
            stage
                .lanes
                .iter()
                .any(|l| l.approvers.iter().any(|a| matches!((a, &whom), (Approver::External(e), Principal::External(w)) if e == w)))
        });
        if let Some((_, stage)) = own {
            return Ok((stage.key.clone(), self.progress()));
        }
        let added = AddedApprover { stage: key.clone(), lane: format!("added-{}", self.added.len() + 1), asked: whom, by, at: cx.now };
        let lane = added.lane();
        self.added.push(added);
        let progress = match self.stages[i].status {
            StageStatus::Active => {
                self.stages[i].lanes.push(lane);
                self.progress()
            }
            StageStatus::Complete => {
                // Not done while their lane is open: the stage starts again.
                self.stages[i].lanes.push(lane);
                self.stages[i].status = StageStatus::Pending;
                self.status = ReviewStatus::Active;
                self.advance(cx)?
            }
            StageStatus::Pending | StageStatus::Skipped => self.progress(),
        };
        Ok((key, progress))
    }

    pub fn withdraw(&mut self) -> Result<(), ReviewError> {
        match self.status {
            ReviewStatus::Active | ReviewStatus::ChangesRequested => {
                self.status = ReviewStatus::Withdrawn;
                Ok(())
            }
            status => Err(ReviewError::NotActive(status)),
        }
    }

    /// The index of the stage if the review is running it in `round` (a
    /// timer for another stage or an earlier round is stale).
    pub fn running(&self, stage_key: &str, round: u32) -> Option<usize> {
        let i = self.active_stage().filter(|_| self.status == ReviewStatus::Active)?;
        (self.stages[i].key == stage_key && self.stages[i].round == round).then_some(i)
    }

    /// Ends an unfinished review because its publish time passed (the
    /// workflow's `fail` policy).
    pub fn expire(&mut self) -> Result<(), ReviewError> {
        match self.status {
            ReviewStatus::Active | ReviewStatus::ChangesRequested => {
                self.status = ReviewStatus::Expired;
                Ok(())
            }
            status => Err(ReviewError::NotActive(status)),
        }
    }

    /// Escalation: also asks the stage's escalation approvers in every lane
    /// still open — if the stage is still running the same round.
    pub fn escalate(&mut self, cx: &Context<'_>, stage_key: &str, round: u32) -> bool {
        let Some(i) = self.running(stage_key, round) else { return false };
        let Some(escalation) = cx.def.stages.get(i).and_then(|s| s.escalation.as_ref()) else { return false };
        let mut extra = cx.people.resolve(&escalation.to);
        if !cx.def.allow_self_approval {
            extra.remove(&Principal::User(self.owner));
        }
        let stage = &cx.def.stages[i];
        let open: Vec<usize> =
            (0..self.stages[i].lanes.len()).filter(|&l| !self.lane_done(stage, &self.stages[i], &self.stages[i].lanes[l])).collect();
        let run = &mut self.stages[i];
        for l in open {
            run.lanes[l].asked.extend(extra.iter().cloned());
        }
        run.escalated = true;
        true
    }

    /// Who the active stage still waits for: asked in an open lane, and not
    /// yet decided this round.
    pub fn waiting_for(&self, def: &Definition) -> BTreeSet<Principal> {
        let Some(i) = self.active_stage().filter(|_| self.status == ReviewStatus::Active) else { return BTreeSet::new() };
        let (Some(stage), run) = (def.stages.get(i), &self.stages[i]) else { return BTreeSet::new() };
        run.lanes
            .iter()
            .filter(|l| !self.lane_done(stage, run, l))
            .flat_map(|l| {
                l.asked.iter().filter(move |p| {
                    !self.decisions.iter().any(|d| d.stage == run.key && d.lane == l.key && d.round == run.round && &d.for_whom == *p)
                })
            })
            .cloned()
            .collect()
    }

    /// Where an unfinished review stands (its caller has refused finished ones).
    fn progress(&self) -> Progress {
        match (self.status, self.active_stage()) {
            (ReviewStatus::ChangesRequested, _) => Progress::ChangesRequested,
            (ReviewStatus::Active, Some(i)) => Progress::Waiting { stage: self.stages[i].key.clone(), started: false },
            _ => Progress::Approved,
        }
    }

    /// Whether every lane of every stage not skipped has approvals covering
    /// the current revision (or an override of it) — what "approved" means.
    pub fn fully_covered(&self, def: &Definition, facts: &Facts) -> bool {
        def.stages.len() == self.stages.len()
            && def
                .stages
                .iter()
                .zip(&self.stages)
                .all(|(stage, run)| stage.skip_if.iter().any(|c| c.matches(facts)) || self.stage_done(stage, run))
    }

    /// The reminders, escalation and due time of the active stage, for the
    /// job queue.
    pub fn timers(&self, def: &Definition) -> Vec<Timer> {
        let Some(i) = self.active_stage().filter(|_| self.status == ReviewStatus::Active) else { return Vec::new() };
        let (Some(stage), run) = (def.stages.get(i), &self.stages[i]) else { return Vec::new() };
        let Some(started) = run.started_at else { return Vec::new() };
        let mut timers = Vec::new();
        if let Some(due) = run.due_at {
            let span = due.duration_since(started);
            for &percent in &stage.reminders {
                let offset = SignedDuration::from_secs(span.as_secs() * i64::from(percent) / 100);
                if let Ok(at) = started.checked_add(offset) {
                    timers.push(Timer { at, kind: TimerKind::Reminder { percent }, stage: run.key.clone(), round: run.round });
                }
            }
        }
        if let Some(escalation) = &stage.escalation
            && let Ok(at) = started.checked_add(SignedDuration::from_mins(escalation.after_minutes.into()))
        {
            timers.push(Timer { at, kind: TimerKind::Escalate, stage: run.key.clone(), round: run.round });
        }
        timers
    }
}

impl AddedApprover {
    fn lane(&self) -> LaneRun {
        LaneRun { key: self.lane.clone(), asked: [self.asked.clone()].into(), needed: 1 }
    }
}

/// Background work a running stage asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub at: Timestamp,
    pub kind: TimerKind,
    pub stage: String,
    pub round: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimerKind {
    Reminder { percent: u8 },
    Escalate,
}
