//! The form's model: a workflow definition as the form holds it (text as typed).

use super::*;

/// The most of any repeated part the form reads: above the definition's own
/// limits (so those are reported), and a bound on what a request can make.
pub(super) const MAX_PARTS: usize = 64;

/// The form as typed: text where a person types, so a wrong entry comes back
/// as it was, beside its error.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Draft {
    pub(in crate::app) name: String,
    /// The version the edit started from (a later one refuses the save).
    pub(in crate::app) version: i64,
    pub(in crate::app) allow_self_approval: bool,
    pub(in crate::app) one_approval_covers_next_stages: bool,
    /// `hold`, `fail` or `grace`.
    pub(in crate::app) policy: String,
    pub(in crate::app) grace_minutes: String,
    pub(in crate::app) stages: Vec<StageDraft>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct StageDraft {
    pub(in crate::app) key: String,
    pub(in crate::app) name: String,
    pub(in crate::app) approvers_may_edit: bool,
    pub(in crate::app) own_edits_keep_stage: bool,
    pub(in crate::app) lanes: Vec<LaneDraft>,
    pub(in crate::app) checklist: Vec<ItemDraft>,
    /// `none`, `after` (the stage starts) or `before` (the planned time).
    pub(in crate::app) due_kind: String,
    pub(in crate::app) due_hours: String,
    /// Percentages of the time to the due time, e.g. `50, 100`.
    pub(in crate::app) reminders: String,
    pub(in crate::app) escalate_hours: String,
    pub(in crate::app) escalate_to: Vec<String>,
    pub(in crate::app) skip_if: Vec<ConditionDraft>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct LaneDraft {
    pub(in crate::app) key: String,
    pub(in crate::app) name: String,
    /// `user:<id>`, `group:<id>` or `role:<role>`.
    pub(in crate::app) approvers: Vec<String>,
    /// People outside, by email, asked through a review link.
    pub(in crate::app) outside: String,
    /// `any`, `all` or `at_least`.
    pub(in crate::app) rule: String,
    pub(in crate::app) at_least: String,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct ItemDraft {
    pub(in crate::app) key: String,
    pub(in crate::app) label: String,
    /// A check's name when preflight ticks it, else empty.
    pub(in crate::app) automatic: String,
    pub(in crate::app) required: bool,
}

/// A condition as typed (a stage's skip condition, a routing rule's match).
#[derive(Debug, Default, Clone, PartialEq)]
pub(in crate::app) struct ConditionDraft {
    pub(in crate::app) labels: Vec<String>,
    pub(in crate::app) channels: Vec<String>,
    pub(in crate::app) campaigns: Vec<String>,
    pub(in crate::app) author_roles: Vec<String>,
    pub(in crate::app) author_groups: Vec<String>,
    pub(in crate::app) keywords: String,
    /// `yes`, `no` or empty (either).
    pub(in crate::app) repurposed: String,
    pub(in crate::app) shares_link: String,
}

impl StageDraft {
    pub(super) fn new() -> Self {
        StageDraft { lanes: vec![LaneDraft::new()], due_kind: "none".into(), ..StageDraft::default() }
    }
}

impl LaneDraft {
    pub(super) fn new() -> Self {
        LaneDraft { rule: "any".into(), ..LaneDraft::default() }
    }
}

pub(super) fn approver_value(a: &Approver) -> Option<String> {
    match a {
        Approver::User(u) => Some(format!("user:{u}")),
        Approver::Group(g) => Some(format!("group:{g}")),
        Approver::Role(r) => Some(format!("role:{}", r.as_str())),
        Approver::External(_) => None,
    }
}

pub(super) fn outside(list: &[Approver]) -> String {
    let emails: Vec<&str> = list.iter().filter_map(|a| if let Approver::External(e) = a { Some(e.as_str()) } else { None }).collect();
    emails.join(", ")
}

/// Minutes as hours, the way people write them: `24`, `1.5`.
pub(super) fn hours(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        return (minutes / 60).to_string();
    }
    let text = format!("{:.2}", f64::from(minutes) / 60.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

pub(super) fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

pub(super) fn ids<T: std::fmt::Display>(list: &[T]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

impl Draft {
    pub(in crate::app) fn of(name: &str, version: i64, def: &Definition) -> Draft {
        let (policy, grace) = match def.on_publish_time {
            PublishTimePolicy::Hold => ("hold", String::new()),
            PublishTimePolicy::Fail => ("fail", String::new()),
            PublishTimePolicy::Grace { minutes } => ("grace", minutes.to_string()),
        };
        Draft {
            name: name.into(),
            version,
            allow_self_approval: def.allow_self_approval,
            one_approval_covers_next_stages: def.one_approval_covers_next_stages,
            policy: policy.into(),
            grace_minutes: grace,
            stages: def.stages.iter().map(StageDraft::of).collect(),
        }
    }
}

impl StageDraft {
    pub(in crate::app) fn of(s: &Stage) -> StageDraft {
        let (due_kind, due_hours) = match s.due {
            None => ("none", String::new()),
            Some(Due::AfterMinutes(m)) => ("after", hours(m)),
            Some(Due::BeforePublishMinutes(m)) => ("before", hours(m)),
        };
        StageDraft {
            key: s.key.clone(),
            name: s.name.clone(),
            approvers_may_edit: s.approvers_may_edit,
            own_edits_keep_stage: s.own_edits_keep_stage,
            lanes: s
                .lanes
                .iter()
                .map(|l| LaneDraft {
                    key: l.key.clone(),
                    name: l.name.clone(),
                    approvers: l.approvers.iter().filter_map(approver_value).collect(),
                    outside: outside(&l.approvers),
                    rule: match l.rule {
                        Rule::Any => "any",
                        Rule::All => "all",
                        Rule::AtLeast(_) => "at_least",
                    }
                    .into(),
                    at_least: if let Rule::AtLeast(n) = l.rule { n.to_string() } else { String::new() },
                })
                .collect(),
            checklist: s
                .checklist
                .iter()
                .map(|c| ItemDraft {
                    key: c.key.clone(),
                    label: c.label.clone(),
                    automatic: c.automatic.map(|a| a.as_str().to_owned()).unwrap_or_default(),
                    required: c.required,
                })
                .collect(),
            due_kind: due_kind.into(),
            due_hours,
            reminders: s.reminders.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            escalate_hours: s.escalation.as_ref().map(|e| hours(e.after_minutes)).unwrap_or_default(),
            escalate_to: s.escalation.as_ref().map(|e| e.to.iter().filter_map(approver_value).collect()).unwrap_or_default(),
            skip_if: s.skip_if.iter().map(ConditionDraft::of).collect(),
        }
    }
}
