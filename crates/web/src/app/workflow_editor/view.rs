//! What the page shows of the draft, and what the workspace offers to choose from.

use super::*;

/// What the workspace offers to choose from: `(value, label)`.
pub(in crate::app) struct Choices {
    pub(in crate::app) approvers: Vec<(String, String)>,
    pub(in crate::app) labels: Vec<(String, String)>,
    pub(in crate::app) channels: Vec<(String, String)>,
    pub(in crate::app) campaigns: Vec<(String, String)>,
    pub(in crate::app) roles: Vec<(String, String)>,
    pub(in crate::app) groups: Vec<(String, String)>,
}

pub(in crate::app) async fn choices(app: &App, member: &Member, ws: WorkspaceId) -> Result<Choices, Error> {
    let caller = &member.caller;
    let people = workspaces::members(app, caller, ws).await?;
    let groups: Vec<(String, String)> =
        workspaces::groups(app, caller, ws).await?.into_iter().map(|g| (g.id.to_string(), g.name)).collect();
    let roles: Vec<(String, String)> = Role::ALL.iter().map(|r| (r.as_str().to_owned(), t1("wf-role-name", "role", r.as_str()))).collect();
    let mut approvers: Vec<(String, String)> =
        people.into_iter().map(|m| (format!("user:{}", m.user_id), format!("{} ({})", m.name, m.email))).collect();
    approvers.extend(groups.iter().map(|(id, name)| (format!("group:{id}"), t1("wf-edit-anyone-in", "group", name))));
    approvers.extend(roles.iter().map(|(r, name)| (format!("role:{r}"), t1("wf-edit-any-role", "role", name))));
    Ok(Choices {
        approvers,
        labels: planning::labels(app, caller, ws).await?.into_iter().map(|l| (l.id.to_string(), l.name)).collect(),
        channels: planning::channels(app, caller, ws)
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), format!("{} {}", c.network, c.handle)))
            .collect(),
        campaigns: planning::campaigns(app, caller, ws).await?.into_iter().map(|c| (c.id.to_string(), c.name)).collect(),
        roles,
        groups,
    })
}

/// The choices with those chosen marked; a chosen value the workspace no
/// longer offers (a member who left) stays, so saving does not drop it unseen.
pub(super) fn opts(all: &[(String, String)], chosen: &[String]) -> Vec<Choice> {
    let mut out: Vec<Choice> =
        all.iter().map(|(v, l)| Choice { value: v.clone(), label: l.clone(), selected: chosen.contains(v) }).collect();
    for c in chosen.iter().filter(|c| !all.iter().any(|(v, _)| v == *c)) {
        out.push(Choice { value: c.clone(), label: t1("wf-edit-no-longer-here", "value", c), selected: true });
    }
    out
}

pub struct StageView {
    pub at: String,
    pub id: String,
    pub i: usize,
    pub last: bool,
    pub d: StageDraftView,
    pub lanes: Vec<LaneView>,
    pub items: Vec<ItemView>,
    pub escalate_to: Vec<Choice>,
    pub skips: Vec<ConditionView>,
}

/// A stage's own fields, for the template.
pub struct StageDraftView {
    pub key: String,
    pub name: String,
    pub approvers_may_edit: bool,
    pub own_edits_keep_stage: bool,
    pub due_kind: String,
    pub due_hours: String,
    pub reminders: String,
    pub escalate_hours: String,
}

pub struct LaneView {
    pub at: String,
    pub id: String,
    pub j: usize,
    pub key: String,
    pub name: String,
    pub approvers: Vec<Choice>,
    pub outside: String,
    pub rule: String,
    pub at_least: String,
}

pub struct ItemView {
    pub at: String,
    pub id: String,
    pub k: usize,
    pub key: String,
    pub label: String,
    pub checks: Vec<Choice>,
    pub required: bool,
}

/// A condition's fields, for `app/condition_fields.html`.
pub struct ConditionView {
    pub at: String,
    pub id: String,
    pub c: usize,
    pub labels: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub campaigns: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub keywords: String,
    pub repurposed: String,
    pub shares_link: String,
}

pub(super) fn views(d: &Draft, choices: &Choices) -> Vec<StageView> {
    let checks: Vec<(String, String)> = std::iter::once((String::new(), t("wf-edit-ticked-by-reviewer")))
        .chain(Check::ALL.iter().map(|c| (c.as_str().to_owned(), t1("wf-edit-by-preflight", "check", check_title(*c)))))
        .collect();
    d.stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let at = format!("stages[{i}]");
            StageView {
                lanes: s
                    .lanes
                    .iter()
                    .enumerate()
                    .map(|(j, l)| LaneView {
                        at: format!("{at}.lanes[{j}]"),
                        id: format!("s{i}-l{j}"),
                        j,
                        key: l.key.clone(),
                        name: l.name.clone(),
                        approvers: opts(&choices.approvers, &l.approvers),
                        outside: l.outside.clone(),
                        rule: l.rule.clone(),
                        at_least: l.at_least.clone(),
                    })
                    .collect(),
                items: s
                    .checklist
                    .iter()
                    .enumerate()
                    .map(|(k, c)| ItemView {
                        at: format!("{at}.checklist[{k}]"),
                        id: format!("s{i}-c{k}"),
                        k,
                        key: c.key.clone(),
                        label: c.label.clone(),
                        checks: opts(&checks, std::slice::from_ref(&c.automatic)),
                        required: c.required,
                    })
                    .collect(),
                escalate_to: opts(&choices.approvers, &s.escalate_to),
                skips: s
                    .skip_if
                    .iter()
                    .enumerate()
                    .map(|(c, k)| k.view(format!("{at}.skip_if[{c}]"), format!("s{i}-k{c}"), c, choices))
                    .collect(),
                d: StageDraftView {
                    key: s.key.clone(),
                    name: s.name.clone(),
                    approvers_may_edit: s.approvers_may_edit,
                    own_edits_keep_stage: s.own_edits_keep_stage,
                    due_kind: s.due_kind.clone(),
                    due_hours: s.due_hours.clone(),
                    reminders: s.reminders.clone(),
                    escalate_hours: s.escalate_hours.clone(),
                },
                id: format!("s{i}"),
                i,
                last: i + 1 == d.stages.len(),
                at,
            }
        })
        .collect()
}

/// What a check looks at, in the reader's words.
fn check_title(check: Check) -> String {
    match check {
        Check::Text => t("wf-check-text"),
        Check::Media => t("wf-check-media"),
        Check::AltText => t("wf-check-alt-text"),
        Check::Links => t("wf-check-links"),
        Check::Hashtags => t("wf-check-hashtags"),
        Check::Mentions => t("wf-check-mentions"),
        Check::Style => t("wf-check-style"),
        Check::Disclosures => t("wf-check-disclosures"),
        Check::FollowUps => t("wf-check-follow-ups"),
    }
}

/// The fields the form shows errors beside.
pub(super) fn fields(d: &Draft) -> Vec<String> {
    let mut out = vec!["name".to_owned(), "on_publish_time".to_owned()];
    for (i, s) in d.stages.iter().enumerate() {
        let at = format!("stages[{i}]");
        for f in ["key", "name", "lanes", "checklist", "due", "reminders", "escalation", "skip_if"] {
            out.push(format!("{at}.{f}"));
        }
        for j in 0..s.lanes.len() {
            for f in ["key", "name", "approvers", "outside", "rule"] {
                out.push(format!("{at}.lanes[{j}].{f}"));
            }
        }
        for k in 0..s.checklist.len() {
            for f in ["key", "label", "automatic"] {
                out.push(format!("{at}.checklist[{k}].{f}"));
            }
        }
    }
    out
}
