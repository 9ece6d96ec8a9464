//! The workflow editor: every part of a workflow as a form — its stages in
//! order; each stage's parallel lanes (who may answer, how many must), its
//! checklist, due time, reminders, escalation and skip conditions; and the
//! workflow's own settings. Adding, removing or moving a part posts the form
//! and comes back with the change made and nothing typed lost; saving checks
//! the whole definition and makes the next version (reviews already running
//! keep theirs). The form and the workflow file edit the same definition.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
};
use greenlight_domain::{
    id::{CampaignId, ChannelId, GroupId, LabelId, UserId, WorkflowId, WorkspaceId},
    names::Email,
    permission::Role,
    preflight::Check,
    validation::{Errors, FieldError},
    workflow::{Approver, ChecklistItem, Condition, Definition, Due, Escalation, Lane, PublishTimePolicy, Rule, Stage},
};
use greenlight_service::{App, Error, planning, workflows, workspaces};

use super::{
    Chrome, Member, OrPage, PageError, PagePath, PageResult, Problems,
    auth::Submitted,
    render,
    view::Choice,
    workflows::{Show, workflow_page},
};
use crate::AppState;

/// The most of any repeated part the form reads: above the definition's own
/// limits (so those are reported), and a bound on what a request can make.
const MAX_PARTS: usize = 64;

/// The form as typed: text where a person types, so a wrong entry comes back
/// as it was, beside its error.
#[derive(Debug, Default, Clone, PartialEq)]
struct Draft {
    name: String,
    /// The version the edit started from (a later one refuses the save).
    version: i64,
    allow_self_approval: bool,
    /// `hold`, `fail` or `grace`.
    policy: String,
    grace_minutes: String,
    stages: Vec<StageDraft>,
}

#[derive(Debug, Default, Clone, PartialEq)]
struct StageDraft {
    key: String,
    name: String,
    approvers_may_edit: bool,
    own_edits_keep_stage: bool,
    lanes: Vec<LaneDraft>,
    checklist: Vec<ItemDraft>,
    /// `none`, `after` (the stage starts) or `before` (the planned time).
    due_kind: String,
    due_hours: String,
    /// Percentages of the time to the due time, e.g. `50, 100`.
    reminders: String,
    escalate_hours: String,
    escalate_to: Vec<String>,
    skip_if: Vec<ConditionDraft>,
}

#[derive(Debug, Default, Clone, PartialEq)]
struct LaneDraft {
    key: String,
    name: String,
    /// `user:<id>`, `group:<id>` or `role:<role>`.
    approvers: Vec<String>,
    /// People outside, by email, asked through a review link.
    outside: String,
    /// `any`, `all` or `at_least`.
    rule: String,
    at_least: String,
}

#[derive(Debug, Default, Clone, PartialEq)]
struct ItemDraft {
    key: String,
    label: String,
    /// A check's name when preflight ticks it, else empty.
    automatic: String,
    required: bool,
}

/// A condition as typed (a stage's skip condition, a routing rule's match).
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct ConditionDraft {
    labels: Vec<String>,
    channels: Vec<String>,
    campaigns: Vec<String>,
    author_roles: Vec<String>,
    author_groups: Vec<String>,
    keywords: String,
    /// `yes`, `no` or empty (either).
    repurposed: String,
    shares_link: String,
}

impl StageDraft {
    fn new() -> Self {
        StageDraft { lanes: vec![LaneDraft::new()], due_kind: "none".into(), ..StageDraft::default() }
    }
}

impl LaneDraft {
    fn new() -> Self {
        LaneDraft { rule: "any".into(), ..LaneDraft::default() }
    }
}

fn approver_value(a: &Approver) -> Option<String> {
    match a {
        Approver::User(u) => Some(format!("user:{u}")),
        Approver::Group(g) => Some(format!("group:{g}")),
        Approver::Role(r) => Some(format!("role:{}", r.as_str())),
        Approver::External(_) => None,
    }
}

fn outside(list: &[Approver]) -> String {
    let emails: Vec<&str> = list.iter().filter_map(|a| if let Approver::External(e) = a { Some(e.as_str()) } else { None }).collect();
    emails.join(", ")
}

/// Minutes as hours, the way people write them: `24`, `1.5`.
fn hours(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        return (minutes / 60).to_string();
    }
    let text = format!("{:.2}", f64::from(minutes) / 60.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

fn ids<T: std::fmt::Display>(list: &[T]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

impl Draft {
    fn of(name: &str, version: i64, def: &Definition) -> Draft {
        let (policy, grace) = match def.on_publish_time {
            PublishTimePolicy::Hold => ("hold", String::new()),
            PublishTimePolicy::Fail => ("fail", String::new()),
            PublishTimePolicy::Grace { minutes } => ("grace", minutes.to_string()),
        };
        Draft {
            name: name.into(),
            version,
            allow_self_approval: def.allow_self_approval,
            policy: policy.into(),
            grace_minutes: grace,
            stages: def.stages.iter().map(StageDraft::of).collect(),
        }
    }
}

impl StageDraft {
    fn of(s: &Stage) -> StageDraft {
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

// ---- Reading the submitted form ----

/// `stages[2].lanes[0].name` → `[("stages", Some(2)), ("lanes", Some(0)), ("name", None)]`.
pub(super) fn segments(name: &str) -> Option<Vec<(&str, Option<usize>)>> {
    name.split('.')
        .map(|part| match part.split_once('[') {
            None => Some((part, None)),
            Some((field, rest)) => Some((field, Some(rest.strip_suffix(']')?.parse().ok()?))),
        })
        .collect()
}

/// The `i`th part, making the list that long if it is not (below `bound`).
pub(super) fn nth<T: Default>(list: &mut Vec<T>, i: usize, bound: usize) -> Option<&mut T> {
    if i >= bound {
        return None;
    }
    if list.len() <= i {
        list.resize_with(i + 1, T::default);
    }
    list.get_mut(i)
}

/// What a button of the form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Save,
    AddStage,
    RemoveStage(usize),
    Up(usize),
    Down(usize),
    AddLane(usize),
    RemoveLane(usize, usize),
    AddItem(usize),
    RemoveItem(usize, usize),
    AddSkip(usize),
    RemoveSkip(usize, usize),
}

impl Op {
    fn parse(value: &str) -> Option<Op> {
        let mut parts = value.split(':');
        let what = parts.next()?;
        let numbers: Vec<usize> = parts.map(str::parse).collect::<Result<_, _>>().ok()?;
        Some(match (what, numbers.as_slice()) {
            ("save", []) => Op::Save,
            ("add-stage", []) => Op::AddStage,
            ("remove-stage", [i]) => Op::RemoveStage(*i),
            ("up", [i]) => Op::Up(*i),
            ("down", [i]) => Op::Down(*i),
            ("add-lane", [i]) => Op::AddLane(*i),
            ("remove-lane", [i, j]) => Op::RemoveLane(*i, *j),
            ("add-item", [i]) => Op::AddItem(*i),
            ("remove-item", [i, k]) => Op::RemoveItem(*i, *k),
            ("add-skip", [i]) => Op::AddSkip(*i),
            ("remove-skip", [i, c]) => Op::RemoveSkip(*i, *c),
            _ => return None,
        })
    }

    /// Makes the change in the draft; one naming a part that is not there does nothing.
    fn apply(self, d: &mut Draft) {
        match self {
            Op::Save => {}
            Op::AddStage => d.stages.push(StageDraft::new()),
            Op::RemoveStage(i) => remove(&mut d.stages, i),
            Op::Up(i) if i > 0 && i < d.stages.len() => d.stages.swap(i - 1, i),
            Op::Down(i) if i + 1 < d.stages.len() => d.stages.swap(i, i + 1),
            Op::Up(_) | Op::Down(_) => {}
            Op::AddLane(i) => d.stages.get_mut(i).into_iter().for_each(|s| s.lanes.push(LaneDraft::new())),
            Op::RemoveLane(i, j) => d.stages.get_mut(i).into_iter().for_each(|s| remove(&mut s.lanes, j)),
            Op::AddItem(i) => {
                d.stages.get_mut(i).into_iter().for_each(|s| s.checklist.push(ItemDraft { required: true, ..ItemDraft::default() }))
            }
            Op::RemoveItem(i, k) => d.stages.get_mut(i).into_iter().for_each(|s| remove(&mut s.checklist, k)),
            Op::AddSkip(i) => d.stages.get_mut(i).into_iter().for_each(|s| s.skip_if.push(ConditionDraft::default())),
            Op::RemoveSkip(i, c) => d.stages.get_mut(i).into_iter().for_each(|s| remove(&mut s.skip_if, c)),
        }
    }
}

fn remove<T>(list: &mut Vec<T>, i: usize) {
    if i < list.len() {
        list.remove(i);
    }
}

impl Draft {
    /// The draft the form's fields describe, and what its button asked for.
    fn read(fields: &[(String, String)]) -> (Draft, Op) {
        let mut d = Draft::default();
        let mut op = Op::Save;
        for (name, value) in fields {
            let value = value.clone();
            let Some(path) = segments(name) else { continue };
            match path.as_slice() {
                [("op", None)] => op = Op::parse(&value).unwrap_or(Op::Save),
                [("name", None)] => d.name = value,
                [("version", None)] => d.version = value.parse().unwrap_or(0),
                [("allow_self_approval", None)] => d.allow_self_approval = true,
                [("on_publish_time", None), ("policy", None)] => d.policy = value,
                [("on_publish_time", None), ("minutes", None)] => d.grace_minutes = value,
                [("stages", Some(i)), rest @ ..] => {
                    if let Some(s) = nth(&mut d.stages, *i, MAX_PARTS) {
                        s.read(rest, value);
                    }
                }
                _ => {}
            }
        }
        (d, op)
    }
}

impl StageDraft {
    fn read(&mut self, path: &[(&str, Option<usize>)], value: String) {
        match path {
            [("key", None)] => self.key = value,
            [("name", None)] => self.name = value,
            [("approvers_may_edit", None)] => self.approvers_may_edit = true,
            [("own_edits_keep_stage", None)] => self.own_edits_keep_stage = true,
            [("due_kind", None)] => self.due_kind = value,
            [("due", None)] => self.due_hours = value,
            [("reminders", None)] => self.reminders = value,
            [("escalation", None), ("hours", None)] => self.escalate_hours = value,
            [("escalation", None), ("to", None)] => self.escalate_to.push(value),
            [("lanes", Some(j)), (field, None)] => {
                let Some(l) = nth(&mut self.lanes, *j, MAX_PARTS) else { return };
                match *field {
                    "key" => l.key = value,
                    "name" => l.name = value,
                    "approvers" => l.approvers.push(value),
                    "outside" => l.outside = value,
                    "rule" => l.rule = value,
                    "at_least" => l.at_least = value,
                    _ => {}
                }
            }
            [("checklist", Some(k)), (field, None)] => {
                let Some(c) = nth(&mut self.checklist, *k, MAX_PARTS) else { return };
                match *field {
                    "key" => c.key = value,
                    "label" => c.label = value,
                    "automatic" => c.automatic = value,
                    "required" => c.required = true,
                    _ => {}
                }
            }
            [("skip_if", Some(c)), (field, None)] => {
                if let Some(c) = nth(&mut self.skip_if, *c, MAX_PARTS) {
                    c.read(field, value);
                }
            }
            _ => {}
        }
    }
}

// ---- From the draft to a definition ----

/// A key made from a name (`Legal review` → `legal-review`), unique among `taken`.
fn key_from(name: &str, fallback: &str, taken: &[String]) -> String {
    let mut key = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('-') && !key.is_empty() {
            key.push('-');
        }
    }
    key.truncate(36);
    let key = key.trim_end_matches('-');
    let base = if key.is_empty() { fallback } else { key };
    (1..).map(|n| if n == 1 { base.to_owned() } else { format!("{base}-{n}") }).find(|k| !taken.contains(k)).unwrap_or_default()
}

/// Fills every key left empty from its part's name.
fn fill_keys<T>(parts: &mut [T], fallback: &str, key: impl Fn(&mut T) -> (&mut String, &str)) {
    let mut taken: Vec<String> = parts.iter_mut().map(|p| key(p).0.trim().to_owned()).filter(|k| !k.is_empty()).collect();
    for p in parts.iter_mut() {
        let (k, name) = key(p);
        if k.trim().is_empty() {
            *k = key_from(name, fallback, &taken);
            taken.push(k.clone());
        }
    }
}

/// Hours as typed (`24`, `1.5`) in whole minutes.
fn minutes(text: &str, at: &str, errors: &mut Errors) -> Option<u32> {
    match text.trim().parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 && h <= 24.0 * 366.0 => Some((h * 60.0).round().max(1.0) as u32),
        _ => {
            errors.add(at, "a number of hours, more than 0 and at most a year");
            None
        }
    }
}

fn listed(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ';', '\n']).map(str::trim).filter(|t| !t.is_empty())
}

fn parsed<T: std::str::FromStr>(values: &[String], at: &str, errors: &mut Errors) -> Vec<T> {
    let mut out = Vec::new();
    for v in values {
        match v.parse() {
            Ok(id) => out.push(id),
            Err(_) => errors.add(at, format!("`{v}` is not one of the choices")),
        }
    }
    out
}

fn approvers(values: &[String], at: &str, errors: &mut Errors) -> Vec<Approver> {
    let mut out = Vec::new();
    for v in values {
        let approver = match v.split_once(':') {
            Some(("user", id)) => id.parse::<UserId>().ok().map(Approver::User),
            Some(("group", id)) => id.parse::<GroupId>().ok().map(Approver::Group),
            Some(("role", role)) => Role::parse(role).map(Approver::Role),
            _ => None,
        };
        match approver {
            Some(a) => out.push(a),
            None => errors.add(at, format!("`{v}` is not one of the choices")),
        }
    }
    out
}

fn yes_no_choice(value: &str) -> Option<bool> {
    match value {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl Draft {
    /// Fills empty keys from names, so a new stage, lane or item needs only its name.
    fn keyed(mut self) -> Draft {
        fill_keys(&mut self.stages, "stage", |s| (&mut s.key, &s.name));
        for s in &mut self.stages {
            fill_keys(&mut s.lanes, "lane", |l| (&mut l.key, &l.name));
            fill_keys(&mut s.checklist, "item", |c| (&mut c.key, &c.label));
        }
        self
    }

    /// The definition the draft describes, or every error, at the form's fields.
    fn definition(&self) -> Result<Definition, Vec<FieldError>> {
        let mut errors = Errors::new();
        let on_publish_time = match self.policy.as_str() {
            "fail" => PublishTimePolicy::Fail,
            "grace" => match self.grace_minutes.trim().parse::<u32>() {
                Ok(minutes) => PublishTimePolicy::Grace { minutes },
                Err(_) => {
                    errors.add("on_publish_time.minutes", "a whole number of minutes");
                    PublishTimePolicy::Hold
                }
            },
            _ => PublishTimePolicy::Hold,
        };
        let stages = self.stages.iter().enumerate().map(|(i, s)| s.stage(&format!("stages[{i}]"), &mut errors)).collect();
        let def = Definition { stages, allow_self_approval: self.allow_self_approval, on_publish_time };
        // What the definition says of itself only once what was typed reads.
        errors.into_result()?;
        def.validate()?;
        Ok(def)
    }
}

impl StageDraft {
    fn stage(&self, at: &str, errors: &mut Errors) -> Stage {
        let lanes = self
            .lanes
            .iter()
            .enumerate()
            .map(|(j, l)| {
                let at = format!("{at}.lanes[{j}]");
                let mut who = approvers(&l.approvers, &format!("{at}.approvers"), errors);
                for email in listed(&l.outside) {
                    match Email::parse(email) {
                        Ok(e) => who.push(Approver::External(e)),
                        Err(_) => errors.add(format!("{at}.outside"), format!("`{email}` is not an email address")),
                    }
                }
                let rule = match l.rule.as_str() {
                    "all" => Rule::All,
                    "at_least" => match l.at_least.trim().parse() {
                        Ok(n) => Rule::AtLeast(n),
                        Err(_) => {
                            errors.add(format!("{at}.rule"), "how many must approve, as a whole number");
                            Rule::Any
                        }
                    },
                    _ => Rule::Any,
                };
                Lane { key: l.key.trim().into(), name: l.name.trim().into(), approvers: who, rule }
            })
            .collect();
        let checklist = self
            .checklist
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let automatic = match c.automatic.as_str() {
                    "" => None,
                    name => {
                        let check = Check::parse(name);
                        if check.is_none() {
                            errors.add(format!("{at}.checklist[{k}].automatic"), format!("no check `{name}`"));
                        }
                        check
                    }
                };
                ChecklistItem { key: c.key.trim().into(), label: c.label.trim().into(), automatic, required: c.required }
            })
            .collect();
        let due = match self.due_kind.as_str() {
            "after" => minutes(&self.due_hours, &format!("{at}.due"), errors).map(Due::AfterMinutes),
            "before" => minutes(&self.due_hours, &format!("{at}.due"), errors).map(Due::BeforePublishMinutes),
            _ => None,
        };
        let mut reminders = Vec::new();
        for r in listed(&self.reminders) {
            match r.trim_end_matches('%').trim().parse() {
                Ok(p) => reminders.push(p),
                Err(_) => errors.add(format!("{at}.reminders"), format!("`{r}` is not a percentage")),
            }
        }
        let escalation = if self.escalate_to.is_empty() && self.escalate_hours.trim().is_empty() {
            None
        } else {
            let after_minutes = minutes(&self.escalate_hours, &format!("{at}.escalation.after_minutes"), errors).unwrap_or(0);
            Some(Escalation { after_minutes, to: approvers(&self.escalate_to, &format!("{at}.escalation.to"), errors) })
        };
        let skip_if = self
            .skip_if
            .iter()
            .enumerate()
            .map(|(c, s)| s.condition(&format!("{at}.skip_if[{c}]"), errors))
            // A row left blank would skip the stage for every post: it is
            // an unfinished row, not a wish (remove the stage for that).
            .filter(|c| !c.is_always())
            .collect();
        Stage {
            key: self.key.trim().into(),
            name: self.name.trim().into(),
            lanes,
            approvers_may_edit: self.approvers_may_edit,
            own_edits_keep_stage: self.own_edits_keep_stage,
            checklist,
            due,
            reminders,
            escalation,
            skip_if,
        }
    }
}

impl ConditionDraft {
    pub(super) fn of(c: &Condition) -> ConditionDraft {
        ConditionDraft {
            labels: ids(&c.labels),
            channels: ids(&c.channels),
            campaigns: ids(&c.campaigns),
            author_roles: c.author_roles.iter().map(|r| r.as_str().to_owned()).collect(),
            author_groups: ids(&c.author_groups),
            keywords: c.keywords.join(", "),
            repurposed: yes_no(c.repurposed),
            shares_link: yes_no(c.shares_link),
        }
    }

    /// One of the condition's fields, as the form names it.
    pub(super) fn read(&mut self, field: &str, value: String) {
        match field {
            "labels" => self.labels.push(value),
            "channels" => self.channels.push(value),
            "campaigns" => self.campaigns.push(value),
            "author_roles" => self.author_roles.push(value),
            "author_groups" => self.author_groups.push(value),
            "keywords" => self.keywords = value,
            "repurposed" => self.repurposed = value,
            "shares_link" => self.shares_link = value,
            _ => {}
        }
    }

    /// The condition, or errors at `at`.
    pub(super) fn condition(&self, at: &str, errors: &mut Errors) -> Condition {
        Condition {
            labels: parsed::<LabelId>(&self.labels, at, errors),
            channels: parsed::<ChannelId>(&self.channels, at, errors),
            campaigns: parsed::<CampaignId>(&self.campaigns, at, errors),
            author_roles: self.author_roles.iter().filter_map(|r| Role::parse(r)).collect(),
            author_groups: parsed::<GroupId>(&self.author_groups, at, errors),
            keywords: listed(&self.keywords).map(str::to_owned).collect(),
            repurposed: yes_no_choice(&self.repurposed),
            shares_link: yes_no_choice(&self.shares_link),
        }
    }

    pub(super) fn view(&self, at: String, id: String, c: usize, choices: &Choices) -> ConditionView {
        ConditionView {
            at,
            id,
            c,
            labels: opts(&choices.labels, &self.labels),
            channels: opts(&choices.channels, &self.channels),
            campaigns: opts(&choices.campaigns, &self.campaigns),
            roles: opts(&choices.roles, &self.author_roles),
            groups: opts(&choices.groups, &self.author_groups),
            keywords: self.keywords.clone(),
            repurposed: self.repurposed.clone(),
            shares_link: self.shares_link.clone(),
        }
    }
}

// ---- The page ----

/// What the workspace offers to choose from: `(value, label)`.
pub(super) struct Choices {
    approvers: Vec<(String, String)>,
    labels: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    campaigns: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    groups: Vec<(String, String)>,
}

pub(super) async fn choices(app: &App, member: &Member, ws: WorkspaceId) -> Result<Choices, Error> {
    let caller = &member.caller;
    let people = workspaces::members(app, caller, ws).await?;
    let groups: Vec<(String, String)> =
        workspaces::groups(app, caller, ws).await?.into_iter().map(|g| (g.id.to_string(), g.name)).collect();
    let roles: Vec<(String, String)> = Role::ALL.iter().map(|r| (r.as_str().to_owned(), r.as_str().to_owned())).collect();
    let mut approvers: Vec<(String, String)> =
        people.into_iter().map(|m| (format!("user:{}", m.user_id), format!("{} ({})", m.name, m.email))).collect();
    approvers.extend(groups.iter().map(|(id, name)| (format!("group:{id}"), format!("Anyone in {name}"))));
    approvers.extend(roles.iter().map(|(r, _)| (format!("role:{r}"), format!("Any {r}"))));
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
fn opts(all: &[(String, String)], chosen: &[String]) -> Vec<Choice> {
    let mut out: Vec<Choice> =
        all.iter().map(|(v, l)| Choice { value: v.clone(), label: l.clone(), selected: chosen.contains(v) }).collect();
    for c in chosen.iter().filter(|c| !all.iter().any(|(v, _)| v == *c)) {
        out.push(Choice { value: c.clone(), label: format!("{c} (no longer in this workspace)"), selected: true });
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

fn views(d: &Draft, choices: &Choices) -> Vec<StageView> {
    let checks: Vec<(String, String)> = std::iter::once((String::new(), "Ticked by the reviewer".to_owned()))
        .chain(Check::ALL.iter().map(|c| (c.as_str().to_owned(), format!("By preflight: {}", c.title()))))
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

/// The fields the form shows errors beside.
fn fields(d: &Draft) -> Vec<String> {
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

#[derive(Template)]
#[template(path = "app/workflow_edit.html")]
struct EditorPage {
    chrome: Chrome,
    ws: String,
    id: String,
    name: String,
    version: i64,
    allow_self_approval: bool,
    policy: String,
    grace_minutes: String,
    stages: Vec<StageView>,
    problems: Problems,
    notice: String,
    csrf: String,
}

struct Editing {
    draft: Draft,
    problems: Problems,
    notice: String,
    status: StatusCode,
}

async fn editor_page(app: &App, member: Member, ws: WorkspaceId, id: WorkflowId, e: Editing, headers: &HeaderMap) -> PageResult {
    let chrome = Chrome::of(app, &member, ws, format!("Edit {}", e.draft.name), "workflows").await.or_page(headers)?;
    if !chrome.ws.as_ref().is_some_and(|w| w.can_manage_workflows) {
        return Err(PageError::new(Error::Forbidden("managing workflows".into()), headers));
    }
    let choices = choices(app, &member, ws).await.or_page(headers)?;
    let page = EditorPage {
        ws: ws.to_string(),
        id: id.to_string(),
        stages: views(&e.draft, &choices),
        name: e.draft.name,
        version: e.draft.version,
        allow_self_approval: e.draft.allow_self_approval,
        policy: e.draft.policy,
        grace_minutes: e.draft.grace_minutes,
        problems: e.problems,
        notice: e.notice,
        csrf: member.csrf.clone(),
        chrome,
    };
    Ok(render(e.status, &page))
}

pub async fn page(
    State(s): State<AppState>,
    member: Member,
    PagePath((ws, id)): PagePath<(WorkspaceId, WorkflowId)>,
    headers: HeaderMap,
) -> PageResult {
    let wf = workflows::workflow(&s.app, &member.caller, ws, id, None).await.or_page(&headers)?;
    let draft = Draft::of(&wf.name, wf.version, &wf.definition);
    let editing = Editing { draft, problems: Problems::default(), notice: String::new(), status: StatusCode::OK };
    editor_page(&s.app, member, ws, id, editing, &headers).await
}

/// A button of the editor: a part added, removed or moved (the form comes
/// back changed, not saved), or the whole saved as the next version.
pub async fn act(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, WorkflowId)>,
    submitted: Submitted<Vec<(String, String)>>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let (draft, op) = Draft::read(&form);
    if op != Op::Save {
        let mut draft = draft;
        op.apply(&mut draft);
        let editing = Editing { draft, problems: Problems::default(), notice: "Not saved yet.".into(), status: StatusCode::OK };
        return editor_page(&s.app, member, ws, id, editing, &headers).await;
    }
    let draft = draft.keyed();
    let refused = |errors: Vec<FieldError>, draft: Draft| Editing {
        problems: Problems::from_errors(&errors, &fields(&draft).iter().map(String::as_str).collect::<Vec<_>>()),
        draft,
        notice: String::new(),
        status: StatusCode::UNPROCESSABLE_ENTITY,
    };
    let definition = match draft.definition() {
        Ok(def) => def,
        Err(errors) => return editor_page(&s.app, member, ws, id, refused(errors, draft), &headers).await,
    };
    let change = workflows::WorkflowChange {
        version: draft.version,
        name: Some(draft.name.clone()),
        definition: Some(definition),
        is_default: None,
    };
    match workflows::update_workflow(&s.app, &member.caller, ws, id, change).await {
        Ok(saved) => {
            let show = Show::saved(saved.version);
            workflow_page(&s.app, member, ws, id, show, &headers).await
        }
        Err(Error::Invalid(errors)) => editor_page(&s.app, member, ws, id, refused(errors, draft), &headers).await,
        Err(Error::Stale { current }) => {
            let message = format!(
                "Someone saved version {current} while you were editing; your changes are below but not saved. Open the workflow again to start from theirs."
            );
            let editing = Editing { draft, problems: Problems::general(message), notice: String::new(), status: StatusCode::CONFLICT };
            editor_page(&s.app, member, ws, id, editing, &headers).await
        }
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

#[cfg(test)]
mod tests {
    use greenlight_domain::workflow::templates::template;
    use uuid::Uuid;

    use super::*;

    fn fields_of(d: &Draft) -> Vec<(String, String)> {
        // The form's fields as the template writes them, for a round trip.
        let mut out = vec![("name".into(), d.name.clone()), ("version".into(), d.version.to_string())];
        out.push(("on_publish_time.policy".into(), d.policy.clone()));
        out.push(("on_publish_time.minutes".into(), d.grace_minutes.clone()));
        if d.allow_self_approval {
            out.push(("allow_self_approval".into(), "on".into()));
        }
        for (i, s) in d.stages.iter().enumerate() {
            let at = format!("stages[{i}]");
            let mut put = |f: &str, v: &str| out.push((format!("{at}.{f}"), v.to_owned()));
            put("key", &s.key);
            put("name", &s.name);
            if s.approvers_may_edit {
                put("approvers_may_edit", "on");
            }
            if s.own_edits_keep_stage {
                put("own_edits_keep_stage", "on");
            }
            put("due_kind", &s.due_kind);
            put("due", &s.due_hours);
            put("reminders", &s.reminders);
            put("escalation.hours", &s.escalate_hours);
            s.escalate_to.iter().for_each(|v| put("escalation.to", v));
            for (j, l) in s.lanes.iter().enumerate() {
                for (f, v) in [("key", &l.key), ("name", &l.name), ("outside", &l.outside), ("rule", &l.rule), ("at_least", &l.at_least)] {
                    put(&format!("lanes[{j}].{f}"), v);
                }
                l.approvers.iter().for_each(|v| put(&format!("lanes[{j}].approvers"), v));
            }
            for (k, c) in s.checklist.iter().enumerate() {
                put(&format!("checklist[{k}].key"), &c.key);
                put(&format!("checklist[{k}].label"), &c.label);
                put(&format!("checklist[{k}].automatic"), &c.automatic);
                if c.required {
                    put(&format!("checklist[{k}].required"), "on");
                }
            }
            for (c, k) in s.skip_if.iter().enumerate() {
                let at = format!("skip_if[{c}]");
                for (f, list) in [
                    ("labels", &k.labels),
                    ("channels", &k.channels),
                    ("campaigns", &k.campaigns),
                    ("author_roles", &k.author_roles),
                    ("author_groups", &k.author_groups),
                ] {
                    list.iter().for_each(|v| put(&format!("{at}.{f}"), v));
                }
                put(&format!("{at}.keywords"), &k.keywords);
                put(&format!("{at}.repurposed"), &k.repurposed);
                put(&format!("{at}.shares_link"), &k.shares_link);
            }
        }
        out
    }

    fn hospital() -> Definition {
        let tpl = template("hospital").expect("template");
        let groups: std::collections::BTreeMap<String, GroupId> =
            tpl.groups.iter().zip(1..).map(|(n, i)| (n.to_string(), GroupId::from_uuid(Uuid::from_u128(i)))).collect();
        let mut def = tpl.instantiate(&groups).expect("instantiates");
        def.stages[0].lanes[0].approvers.push(Approver::External(Email::parse("client@example.org").expect("email")));
        def.stages[0].lanes[0].rule = Rule::AtLeast(1);
        def.stages[0].due = Some(Due::AfterMinutes(90));
        def.stages[0].reminders = vec![50, 100];
        def.stages[0].escalation = Some(Escalation { after_minutes: 120, to: vec![Approver::Role(Role::Manager)] });
        def.stages[0].skip_if.push(Condition { repurposed: Some(false), keywords: vec!["recall".into()], ..Condition::default() });
        def.on_publish_time = PublishTimePolicy::Grace { minutes: 30 };
        def
    }

    #[test]
    fn a_definition_survives_the_round_trip_through_the_form() {
        let def = hospital();
        let draft = Draft::of("Hospital", 4, &def);
        let (read, op) = Draft::read(&fields_of(&draft));
        assert_eq!(op, Op::Save);
        assert_eq!(read, draft);
        assert_eq!(read.keyed().definition(), Ok(def));
    }

    #[test]
    fn buttons_add_remove_and_move_parts_keeping_what_was_typed() {
        let mut draft = Draft::of("Hospital", 1, &hospital());
        let names = |d: &Draft| d.stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        let before = names(&draft);
        Op::parse("down:0").expect("op").apply(&mut draft);
        assert_eq!(names(&draft)[..2], [before[1].clone(), before[0].clone()]);
        Op::parse("up:1").expect("op").apply(&mut draft);
        assert_eq!(names(&draft), before);
        Op::Up(0).apply(&mut draft);
        Op::Down(before.len() - 1).apply(&mut draft);
        Op::RemoveLane(99, 0).apply(&mut draft);
        assert_eq!(names(&draft), before, "moves and removals past the ends change nothing");
        Op::parse("add-stage").expect("op").apply(&mut draft);
        Op::parse("add-lane:0").expect("op").apply(&mut draft);
        Op::parse("add-item:0").expect("op").apply(&mut draft);
        assert_eq!(draft.stages.len(), before.len() + 1);
        assert_eq!(draft.stages[0].lanes.last(), Some(&LaneDraft::new()));
        assert!(draft.stages[0].checklist.last().is_some_and(|c| c.required));
        Op::parse("remove-stage:0").expect("op").apply(&mut draft);
        assert_eq!(names(&draft)[0], before[1]);
        assert_eq!(Op::parse("remove-lane:1"), None, "a lane needs its stage and its place");
        assert_eq!(Op::parse("explode"), None);
    }

    #[test]
    fn new_parts_need_only_a_name_and_their_keys_do_not_collide() {
        let mut draft = Draft::of("Two", 1, &hospital());
        Op::AddStage.apply(&mut draft);
        let last = draft.stages.len() - 1;
        draft.stages[last].name = "Legal review!".into();
        draft.stages[last].lanes[0].name = draft.stages[0].lanes[0].name.clone();
        draft.stages[last].lanes[0].approvers = vec!["role:manager".into()];
        Op::AddStage.apply(&mut draft);
        draft.stages[last + 1].name = "Legal review".into();
        draft.stages[last + 1].lanes[0].name = "Counsel".into();
        draft.stages[last + 1].lanes[0].approvers = vec!["role:admin".into()];
        let def = draft.keyed().definition().expect("valid");
        let keys: Vec<&str> = def.stages.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys[keys.len() - 2..], ["legal-review", "legal-review-2"]);
    }

    #[test]
    fn what_does_not_read_is_refused_at_its_field() {
        let mut draft = Draft::of("Hospital", 1, &hospital());
        draft.stages[0].due_hours = "soon".into();
        draft.stages[0].lanes[0].outside = "client@example.org, not-an-email".into();
        draft.stages[0].lanes[0].approvers.push("user:nobody".into());
        draft.stages[1].reminders = "50, lots".into();
        let errors = draft.definition().expect_err("refused");
        let at: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(at, ["stages[0].lanes[0].approvers", "stages[0].lanes[0].outside", "stages[0].due", "stages[1].reminders"]);
        let problems = Problems::from_errors(&errors, &fields(&draft).iter().map(String::as_str).collect::<Vec<_>>());
        assert!(problems.has("stages[0].lanes[0].outside") && problems.general.is_empty(), "every error beside its field");

        let mut draft = Draft::of("Hospital", 1, &hospital());
        draft.stages[1].lanes[0].approvers.clear();
        let errors = draft.definition().expect_err("a lane without approvers");
        let problems = Problems::from_errors(&errors, &fields(&draft).iter().map(String::as_str).collect::<Vec<_>>());
        assert!(problems.of("stages[1].lanes[0].approvers").contains("at least one approver"), "{errors:?}");
    }

    #[test]
    fn a_blank_skip_row_does_not_skip_the_stage_for_every_post() {
        let mut stage = hospital().stages[1].clone();
        stage.skip_if.clear();
        let mut draft = Draft::of("Hospital", 1, &Definition { stages: vec![stage], ..hospital() });
        Op::AddSkip(0).apply(&mut draft);
        let def = draft.definition().expect("valid");
        assert!(def.stages[0].skip_if.is_empty());
    }

    #[test]
    fn hours_read_and_write_as_people_type_them() {
        assert_eq!([hours(60), hours(90), hours(45), hours(1)], ["1", "1.5", "0.75", "0.02"]);
        let mut errors = Errors::new();
        assert_eq!(minutes(" 1.5 ", "x", &mut errors), Some(90));
        assert_eq!(minutes("0.001", "x", &mut errors), Some(1));
        for wrong in ["0", "-2", "NaN", "inf", "", "9999999"] {
            assert_eq!(minutes(wrong, "x", &mut errors), None, "{wrong}");
        }
    }

    #[test]
    fn field_names_read_back_or_are_ignored() {
        assert_eq!(segments("stages[2].lanes[0].name"), Some(vec![("stages", Some(2)), ("lanes", Some(0)), ("name", None)]));
        assert_eq!(segments("stages[x].name"), None);
        assert_eq!(segments("stages[1"), None);
        let (d, _) = Draft::read(&[("stages[100000].name".into(), "far".into()), ("csrf".into(), "t".into())]);
        assert!(d.stages.is_empty(), "no part past the bound is made");
    }
}
