//! Built-in workflows a workspace can start from and then edit: the ways the
//! teams we build for already work (see DESIGN.md, "Who uses it").
//!
//! Templates name groups by name ("QA volunteers"); the service creates any
//! that are missing and passes their ids in.

use std::{cell::Cell, collections::BTreeMap};

use super::{
    definition::{Approver, ChecklistItem, Definition, Due, Escalation, Lane, PublishTimePolicy, Rule, Stage},
    routing::Condition,
};
use crate::{id::GroupId, permission::Role, preflight::Check};

pub struct Template {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// Groups the template asks, by name.
    pub groups: &'static [&'static str],
    build: fn(GroupLookup<'_>) -> Definition,
}

/// Turns a group's name into the approver for it.
type GroupLookup<'a> = &'a dyn Fn(&str) -> Approver;

impl Template {
    /// The definition, with `groups` mapping every name in [`Template::groups`].
    /// `None` if a group is missing.
    pub fn instantiate(&self, groups: &BTreeMap<String, GroupId>) -> Option<Definition> {
        let missing = Cell::new(false);
        let group = |name: &str| match groups.get(name) {
            Some(id) => Approver::Group(*id),
            None => {
                missing.set(true);
                Approver::Role(Role::Owner)
            }
        };
        let definition = (self.build)(&group);
        (!missing.get()).then_some(definition)
    }
}

pub const TEMPLATES: &[Template] = &[
    Template {
        key: "hospital",
        name: "Hospital: idea, copy, graphic, QA",
        description: "Idea approval by a manager, then copy and graphic approval, then QA by one of the QA volunteers \
                      with a checklist; the creator schedules. Repurposed posts and shared links skip the first three stages.",
        groups: &["QA volunteers"],
        build: hospital,
    },
    Template {
        key: "agency-marketing",
        name: "Agency marketing: copywriter, account executive, client, social media manager",
        description: "Sequential sign-off; the client's point person may bring in a department head, who is asked \
                      automatically if the client has not answered in two days.",
        groups: &["Copywriters", "Account executives", "Client point people", "Department heads"],
        build: agency_marketing,
    },
    Template {
        key: "agency-recruitment",
        name: "Agency recruitment: copywriter, account executive with recruiting lead, client, social media manager",
        description: "Like the marketing flow, with the recruiting lead checking each job post beside the account executive.",
        groups: &["Copywriters", "Account executives", "Recruiting leads", "Client point people", "Department heads"],
        build: agency_recruitment,
    },
    Template {
        key: "cross-department",
        name: "Cross-department: marketing, PR and legal in parallel",
        description: "One stage with three lanes; the post is approved when each department has approved it.",
        groups: &["Marketing", "PR", "Legal"],
        build: cross_department,
    },
    Template {
        key: "routine",
        name: "Routine: one light review",
        description: "Any one reviewer approves. Route everyday posts here.",
        groups: &[],
        build: routine,
    },
    Template {
        key: "high-stakes",
        name: "High stakes: manager, then legal and leadership",
        description: "A manager approves, then legal and an admin both must. Route sensitive, launch and trending posts here.",
        groups: &["Legal"],
        build: high_stakes,
    },
];

pub fn template(key: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.key == key)
}

fn lane(key: &str, name: &str, approvers: Vec<Approver>, rule: Rule) -> Lane {
    Lane { key: key.into(), name: name.into(), approvers, rule }
}

fn stage(key: &str, name: &str, lanes: Vec<Lane>) -> Stage {
    Stage {
        key: key.into(),
        name: name.into(),
        lanes,
        approvers_may_edit: false,
        own_edits_keep_stage: false,
        checklist: Vec::new(),
        due: None,
        reminders: Vec::new(),
        escalation: None,
        skip_if: Vec::new(),
    }
}

const DAY: u32 = 24 * 60;

fn hospital(group: GroupLookup<'_>) -> Definition {
    let skip =
        vec![Condition { repurposed: Some(true), ..Condition::default() }, Condition { shares_link: Some(true), ..Condition::default() }];
    let manager = || vec![Approver::Role(Role::Manager)];
    let idea =
        Stage { skip_if: skip.clone(), ..stage("idea", "Idea approval", vec![lane("stakeholders", "Stakeholders", manager(), Rule::Any)]) };
    let copy = Stage {
        skip_if: skip.clone(),
        approvers_may_edit: true,
        own_edits_keep_stage: true,
        ..stage("copy", "Copy approval", vec![lane("copy", "Copy", manager(), Rule::Any)])
    };
    let graphic = Stage { skip_if: skip, ..stage("graphic", "Graphic approval", vec![lane("graphic", "Graphics", manager(), Rule::Any)]) };
    // What preflight can see it ticks itself; the style is a person's judgement.
    let qa = Stage {
        checklist: vec![
            ChecklistItem::automatic("alt-text", "Alt text on every image", Check::AltText),
            ChecklistItem::manual("style", "Style guide checked"),
            ChecklistItem::automatic("hashtags", "Hashtags within limits and the guide", Check::Hashtags),
            ChecklistItem::automatic("tags", "Relevant accounts tagged", Check::Mentions),
        ],
        due: Some(Due::AfterMinutes(DAY)),
        reminders: vec![50, 100],
        escalation: Some(Escalation { after_minutes: 2 * DAY, to: manager() }),
        ..stage("qa", "QA", vec![lane("qa", "QA volunteers", vec![group("QA volunteers")], Rule::Any)])
    };
    Definition {
        stages: vec![idea, copy, graphic, qa],
        allow_self_approval: false,
        on_publish_time: PublishTimePolicy::Hold,
        one_approval_covers_next_stages: true,
    }
}

fn agency_chain(group: GroupLookup<'_>, account: Vec<Lane>) -> Definition {
    let copy = Stage {
        approvers_may_edit: true,
        own_edits_keep_stage: true,
        ..stage("copy", "Copywriter", vec![lane("copywriter", "Copywriter", vec![group("Copywriters")], Rule::Any)])
    };
    let account = Stage { due: Some(Due::AfterMinutes(DAY)), reminders: vec![50, 100], ..stage("account", "Account executive", account) };
    let client = Stage {
        due: Some(Due::BeforePublishMinutes(DAY)),
        reminders: vec![50, 100],
        escalation: Some(Escalation { after_minutes: 2 * DAY, to: vec![group("Department heads")] }),
        ..stage("client", "Client", vec![lane("client", "Client point person", vec![group("Client point people")], Rule::Any)])
    };
    let publish =
        stage("smm", "Social media manager", vec![lane("smm", "Social media manager", vec![Approver::Role(Role::Manager)], Rule::Any)]);
    Definition {
        stages: vec![copy, account, client, publish],
        allow_self_approval: false,
        on_publish_time: PublishTimePolicy::Grace { minutes: 120 },
        one_approval_covers_next_stages: true,
    }
}

fn agency_marketing(group: GroupLookup<'_>) -> Definition {
    agency_chain(group, vec![lane("account", "Account executive", vec![group("Account executives")], Rule::Any)])
}

fn agency_recruitment(group: GroupLookup<'_>) -> Definition {
    agency_chain(
        group,
        vec![
            lane("account", "Account executive", vec![group("Account executives")], Rule::Any),
            lane("recruiting", "Recruiting lead", vec![group("Recruiting leads")], Rule::Any),
        ],
    )
}

fn cross_department(group: GroupLookup<'_>) -> Definition {
    let lanes = vec![
        lane("marketing", "Marketing", vec![group("Marketing")], Rule::Any),
        lane("pr", "PR", vec![group("PR")], Rule::Any),
        lane("legal", "Legal", vec![group("Legal")], Rule::Any),
    ];
    Definition {
        stages: vec![Stage {
            due: Some(Due::AfterMinutes(2 * DAY)),
            reminders: vec![50, 100],
            ..stage("departments", "Departments", lanes)
        }],
        allow_self_approval: false,
        on_publish_time: PublishTimePolicy::Hold,
        one_approval_covers_next_stages: true,
    }
}

fn routine(_: GroupLookup<'_>) -> Definition {
    let reviewers = vec![Approver::Role(Role::Reviewer), Approver::Role(Role::Manager)];
    Definition {
        stages: vec![stage("review", "Review", vec![lane("review", "Any reviewer", reviewers, Rule::Any)])],
        allow_self_approval: false,
        on_publish_time: PublishTimePolicy::Hold,
        one_approval_covers_next_stages: true,
    }
}

fn high_stakes(group: GroupLookup<'_>) -> Definition {
    let manager = stage("manager", "Manager", vec![lane("manager", "Manager", vec![Approver::Role(Role::Manager)], Rule::Any)]);
    let signoff = Stage {
        due: Some(Due::BeforePublishMinutes(DAY)),
        reminders: vec![50, 100],
        ..stage(
            "signoff",
            "Legal and leadership",
            vec![
                lane("legal", "Legal", vec![group("Legal")], Rule::Any),
                lane("leadership", "Leadership", vec![Approver::Role(Role::Admin), Approver::Role(Role::Owner)], Rule::Any),
            ],
        )
    };
    Definition {
        stages: vec![manager, signoff],
        allow_self_approval: false,
        on_publish_time: PublishTimePolicy::Fail,
        one_approval_covers_next_stages: true,
    }
}
