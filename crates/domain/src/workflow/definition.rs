//! What a workflow says: its stages, their parallel lanes, who may answer in
//! each lane and how many must, and each stage's checklist, due time,
//! reminders, escalation and skip conditions.
//!
//! A definition is data (stored as JSON, exported as TOML) and is checked by
//! [`Definition::validate`] before it is saved. Stages are an ordered list,
//! so a workflow cannot loop: "cyclic" definitions are unrepresentable.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use super::routing::Condition;
use crate::{
    Timestamp,
    id::{GroupId, UserId},
    names::Email,
    permission::Role,
    preflight::Check,
    validation::{Errors, FieldError, Words},
};

/// A workflow's definition: one version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub stages: Vec<Stage>,
    /// Whether a post's owner may approve it (off: nobody approves their own post).
    #[serde(default)]
    pub allow_self_approval: bool,
    /// What happens when the planned publish time arrives before final approval.
    #[serde(default)]
    pub on_publish_time: PublishTimePolicy,
    /// When the person who approves a stage is asked in the stage that
    /// follows too, and their approval alone completes it (one lane that
    /// needs one approval, nothing to tick by hand), that one approval
    /// covers it: recorded as their approval there, marked as carried. On
    /// unless a workflow says otherwise.
    #[serde(default = "on")]
    #[schema(default = true)]
    pub one_approval_covers_next_stages: bool,
}

fn on() -> bool {
    true
}

/// What the scheduler does with a post whose time has come but which is not
/// approved. Nothing is ever published unapproved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "policy", rename_all = "snake_case", deny_unknown_fields)]
pub enum PublishTimePolicy {
    /// Keep it waiting and tell the team (the default).
    #[default]
    Hold,
    /// End the review: the post goes back to draft and is not published.
    Fail,
    /// Publish as soon as approval arrives, if within the grace period.
    Grace { minutes: u32 },
}

/// What happens to an unapproved post when its planned time arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtPublishTime {
    /// It keeps waiting for approval; the team is told.
    Hold,
    /// Its review ends as expired.
    Expire,
}

/// What an approval that arrives after the planned time does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateApproval {
    /// Schedule it now: the publisher publishes it at once.
    PublishNow,
    /// It stays approved until someone picks a new time.
    Hold,
}

impl PublishTimePolicy {
    pub fn at_publish_time(self) -> AtPublishTime {
        match self {
            PublishTimePolicy::Fail => AtPublishTime::Expire,
            PublishTimePolicy::Hold | PublishTimePolicy::Grace { .. } => AtPublishTime::Hold,
        }
    }

    /// For an approval at `now` of a post planned for `planned`, or `None`
    /// when the approval is on time.
    pub fn late_approval(self, planned: Timestamp, now: Timestamp) -> Option<LateApproval> {
        if now < planned {
            return None;
        }
        let within = |minutes: u32| planned.checked_add(jiff::SignedDuration::from_mins(minutes.into())).is_ok_and(|end| now <= end);
        Some(match self {
            PublishTimePolicy::Grace { minutes } if within(minutes) => LateApproval::PublishNow,
            _ => LateApproval::Hold,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Unique within the workflow, e.g. `copy`; decisions refer to it.
    pub key: String,
    pub name: String,
    /// Run in parallel; the stage completes when every lane does.
    pub lanes: Vec<Lane>,
    /// May this stage's approvers edit the content (a new revision, theirs)?
    #[serde(default)]
    pub approvers_may_edit: bool,
    /// Edits by this stage's own approvers do not reset it: its approvals
    /// keep covering content only its approvers changed since.
    #[serde(default)]
    pub own_edits_keep_stage: bool,
    /// Items an approver must tick before approving.
    #[serde(default)]
    pub checklist: Vec<ChecklistItem>,
    #[serde(default)]
    pub due: Option<Due>,
    /// Reminders at these percentages of the time to the due time, e.g. 50 and 100.
    #[serde(default)]
    pub reminders: Vec<u8>,
    #[serde(default)]
    pub escalation: Option<Escalation>,
    /// Skip the stage when any of these conditions holds for the post.
    #[serde(default)]
    pub skip_if: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lane {
    /// Unique within the stage, e.g. `legal`.
    pub key: String,
    pub name: String,
    pub approvers: Vec<Approver>,
    #[serde(default)]
    pub rule: Rule,
}

/// Who may answer in a lane.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    User(UserId),
    /// Any member of the group may answer.
    Group(GroupId),
    /// Any member with this role may answer.
    Role(Role),
    /// Someone outside the workspace, asked through a review link (by email).
    External(Email),
}

/// How many of a lane's approvers must approve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Any one of them.
    #[default]
    Any,
    /// Every one of them (as they were when the stage started).
    All,
    /// At least this many of them.
    AtLeast(u32),
}

/// Something an approver confirms before approving: ticked by hand, or
/// automatically while preflight finds nothing of its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub key: String,
    pub label: String,
    /// Ticked by preflight: done while the revision has no finding of this
    /// check on any of its channels (nobody ticks it by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic: Option<Check>,
    /// Approval is refused while a required item is open; an optional one
    /// is shown and recorded.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}
fn is_yes(b: &bool) -> bool {
    *b
}

impl ChecklistItem {
    /// A required item ticked by hand.
    pub fn manual(key: &str, label: &str) -> Self {
        ChecklistItem { key: key.into(), label: label.into(), automatic: None, required: true }
    }

    /// A required item ticked by preflight.
    pub fn automatic(key: &str, label: &str, check: Check) -> Self {
        ChecklistItem { automatic: Some(check), ..Self::manual(key, label) }
    }

    /// Whether it is done, given what was ticked and which checks have findings.
    pub fn is_done(&self, ticked: &BTreeSet<String>, open_checks: &BTreeSet<Check>) -> bool {
        match self.automatic {
            Some(check) => !open_checks.contains(&check),
            None => ticked.contains(&self.key),
        }
    }
}

/// When a stage is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// This many minutes after the stage starts.
    AfterMinutes(u32),
    /// This many minutes before the planned publish time (none without one).
    BeforePublishMinutes(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Minutes after the stage starts.
    pub after_minutes: u32,
    /// Also ask these, in every lane still open.
    pub to: Vec<Approver>,
}

/// The largest number of stages, lanes per stage, and approvers per lane:
/// generous for real teams, small enough that nothing is unbounded.
pub const MAX_STAGES: usize = 20;
pub const MAX_LANES: usize = 10;
pub const MAX_APPROVERS: usize = 50;

fn key_ok(key: &str) -> bool {
    !key.is_empty() && key.len() <= 40 && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl Definition {
    /// The stage with this key.
    pub fn stage(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key == key)
    }

    /// Checks everything that can be checked without the workspace's
    /// members (whether approvers exist is the service's check).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        if self.stages.is_empty() {
            errors.add_said("stages", "a workflow needs at least one stage", Words::new("err-domain-workflow-no-stages", []));
        }
        if self.stages.len() > MAX_STAGES {
            errors.add_said(
                "stages",
                format!("at most {MAX_STAGES} stages"),
                Words::new("err-domain-workflow-stages-many", [("max", MAX_STAGES.to_string())]),
            );
        }
        if let PublishTimePolicy::Grace { minutes: 0 } = self.on_publish_time {
            errors.add_said(
                "on_publish_time.minutes",
                "a grace period must be at least a minute",
                Words::new("err-domain-workflow-grace", []),
            );
        }
        let mut stage_keys = BTreeSet::new();
        for (i, stage) in self.stages.iter().enumerate() {
            let at = format!("stages[{i}]");
            stage.validate(&at, &mut errors);
            if !stage_keys.insert(stage.key.as_str()) {
                let words = Words::new("err-domain-workflow-stage-key-taken", [("key", stage.key.clone())]);
                errors.add_said(format!("{at}.key"), format!("`{}` is used by another stage", stage.key), words);
            }
        }
        if !self.stages.is_empty() && self.stages.iter().all(|s| s.skip_if.iter().any(Condition::is_always)) {
            let words = Words::new("err-domain-workflow-all-skipped", []);
            errors.add_said("stages", "every stage is always skipped, so nothing would ever be reviewed", words);
        }
        errors.into_result()
    }
}

impl Stage {
    fn validate(&self, at: &str, errors: &mut Errors) {
        if !key_ok(&self.key) {
            errors.add_said(format!("{at}.key"), "1 to 40 of a-z, 0-9, - and _", Words::new("err-domain-key-format", []));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            errors.add_said(
                format!("{at}.name"),
                "1 to 100 characters",
                Words::new("err-domain-length-range", [("max", "100".to_owned())]),
            );
        }
        if self.lanes.is_empty() {
            errors.add_said(format!("{at}.lanes"), "a stage needs at least one lane", Words::new("err-domain-workflow-no-lanes", []));
        }
        if self.lanes.len() > MAX_LANES {
            errors.add_said(
                format!("{at}.lanes"),
                format!("at most {MAX_LANES} lanes"),
                Words::new("err-domain-workflow-lanes-many", [("max", MAX_LANES.to_string())]),
            );
        }
        let mut lane_keys = BTreeSet::new();
        for (j, lane) in self.lanes.iter().enumerate() {
            let at = format!("{at}.lanes[{j}]");
            if !key_ok(&lane.key) {
                errors.add_said(format!("{at}.key"), "1 to 40 of a-z, 0-9, - and _", Words::new("err-domain-key-format", []));
            }
            if !lane_keys.insert(lane.key.as_str()) {
                let words = Words::new("err-domain-workflow-lane-key-taken", [("key", lane.key.clone())]);
                errors.add_said(format!("{at}.key"), format!("`{}` is used by another lane", lane.key), words);
            }
            if lane.name.trim().is_empty() || lane.name.chars().count() > 100 {
                errors.add_said(
                    format!("{at}.name"),
                    "1 to 100 characters",
                    Words::new("err-domain-length-range", [("max", "100".to_owned())]),
                );
            }
            if lane.approvers.is_empty() {
                errors.add_said(
                    format!("{at}.approvers"),
                    "a lane needs at least one approver",
                    Words::new("err-domain-workflow-no-approvers", []),
                );
            }
            if lane.approvers.len() > MAX_APPROVERS {
                let words = Words::new("err-domain-workflow-approvers-many", [("max", MAX_APPROVERS.to_string())]);
                errors.add_said(format!("{at}.approvers"), format!("at most {MAX_APPROVERS} approvers"), words);
            }
            let distinct: HashSet<&Approver> = lane.approvers.iter().collect();
            if distinct.len() != lane.approvers.len() {
                errors.add_said(
                    format!("{at}.approvers"),
                    "an approver is listed twice",
                    Words::new("err-domain-workflow-approver-twice", []),
                );
            }
            match lane.rule {
                Rule::AtLeast(0) => {
                    errors.add_said(format!("{at}.rule"), "at least 1 approval", Words::new("err-domain-workflow-rule-zero", []))
                }
                // Only named people can be counted now; groups and roles are
                // counted when the stage starts.
                Rule::AtLeast(n)
                    if lane.approvers.iter().all(|a| matches!(a, Approver::User(_) | Approver::External(_)))
                        && n as usize > lane.approvers.len() =>
                {
                    let (count, approvers) = (n.to_string(), lane.approvers.len().to_string());
                    let english = format!("needs {count} approvals but names only {approvers} approvers");
                    errors.add_said(
                        format!("{at}.rule"),
                        english,
                        Words::new("err-domain-workflow-rule-more", [("count", count), ("approvers", approvers)]),
                    );
                }
                _ => {}
            }
        }
        let mut items = BTreeSet::new();
        for (k, item) in self.checklist.iter().enumerate() {
            if !key_ok(&item.key) || !items.insert(item.key.as_str()) {
                errors.add_said(
                    format!("{at}.checklist[{k}].key"),
                    "a unique key of a-z, 0-9, - and _",
                    Words::new("err-domain-unique-key", []),
                );
            }
            if item.label.trim().is_empty() || item.label.chars().count() > 200 {
                let words = Words::new("err-domain-length-range", [("max", "200".to_owned())]);
                errors.add_said(format!("{at}.checklist[{k}].label"), "1 to 200 characters", words);
            }
        }
        match self.due {
            Some(Due::AfterMinutes(0)) => {
                errors.add_said(format!("{at}.due"), "at least a minute", Words::new("err-domain-at-least-minute", []))
            }
            None if !self.reminders.is_empty() => errors.add_said(
                format!("{at}.reminders"),
                "reminders need a due time",
                Words::new("err-domain-workflow-reminders-no-due", []),
            ),
            _ => {}
        }
        for (r, percent) in self.reminders.iter().enumerate() {
            if !(1..=200).contains(percent) {
                let words = Words::new("err-domain-workflow-reminder-percent", []);
                errors.add_said(format!("{at}.reminders[{r}]"), "a percentage of the time to the due time, 1 to 200", words);
            }
        }
        if let Some(escalation) = &self.escalation {
            if escalation.to.is_empty() {
                let words = Words::new("err-domain-workflow-escalate-nobody", []);
                errors.add_said(format!("{at}.escalation.to"), "escalate to at least one person or group", words);
            }
            if escalation.after_minutes == 0 {
                errors.add_said(
                    format!("{at}.escalation.after_minutes"),
                    "at least a minute",
                    Words::new("err-domain-at-least-minute", []),
                );
            }
        }
        for (c, condition) in self.skip_if.iter().enumerate() {
            condition.validate(&format!("{at}.skip_if[{c}]"), errors);
        }
    }

    /// Whether an approval needs nothing but the verdict: one lane to decide
    /// in and no required item to tick by hand. Only then is approving
    /// offered in one click ("my reviews", review emails).
    pub fn approved_by_verdict_alone(&self) -> bool {
        self.lanes.len() == 1 && self.checklist.iter().all(|c| !c.required || c.automatic.is_some())
    }

    /// The checklist items an approver ticks by hand.
    pub fn manual_items(&self) -> BTreeSet<String> {
        self.checklist.iter().filter(|c| c.automatic.is_none()).map(|c| c.key.clone()).collect()
    }

    /// Every approver the stage names, escalation included.
    pub fn approvers(&self) -> impl Iterator<Item = &Approver> {
        self.lanes.iter().flat_map(|l| &l.approvers).chain(self.escalation.iter().flat_map(|e| &e.to))
    }
}
