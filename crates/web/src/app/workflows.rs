//! Workflows: the list, a new one from a built-in template, each one's
//! stages read as a person would, edited as its workflow file (every part
//! of a workflow — stages, lanes, approvers, rules, checklists, due times,
//! escalation, skip conditions — in one reviewed text), the routing rules
//! with their priorities, and the simulator.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
};
use greenlight_domain::{
    id::{GroupId, UserId, WorkflowId, WorkspaceId},
    validation::{Errors, FieldError},
    workflow::{Approver, Definition, Due, Principal, Rule},
};
use greenlight_service::{App, Error, planning, workflow_file, workflows, workspaces};
use serde::Deserialize;

use super::{
    Chrome, Member, OrPage, PageError, PagePath, PageResult, Problems,
    auth::Submitted,
    render, see_other,
    workflow_editor::{self, ConditionDraft, ConditionView},
};
use crate::{AppState, t, t1, t2, t3};

pub struct Row {
    pub id: String,
    pub name: String,
    pub version: i64,
    pub is_default: bool,
    pub stages: String,
}

/// A routing rule as typed.
#[derive(Debug, Default, Clone)]
pub(super) struct RouteDraft {
    priority: String,
    workflow: String,
    when: ConditionDraft,
}

pub struct RouteRow {
    pub at: String,
    pub priority: String,
    pub workflow: String,
    pub when: ConditionView,
}

/// The most rules the form reads: one more than a workspace may have, so
/// the service reports the excess.
const MAX_ROUTE_ROWS: usize = 101;

/// The rules the form sent: `routes[i].priority`, `routes[i].workflow_id`,
/// `routes[i].when.<condition field>` (rows beyond the bound are not read).
fn read_routes(fields: &[(String, String)]) -> Vec<RouteDraft> {
    let mut rows: Vec<RouteDraft> = Vec::new();
    for (name, value) in fields {
        let Some(path) = workflow_editor::segments(name) else { continue };
        let [("routes", Some(i)), rest @ ..] = path.as_slice() else { continue };
        let Some(row) = workflow_editor::nth(&mut rows, *i, MAX_ROUTE_ROWS) else { continue };
        match rest {
            [("priority", None)] => row.priority = value.clone(),
            [("workflow_id", None)] => row.workflow = value.clone(),
            [("when", None), (field, None)] => row.when.read(field, value.clone()),
            _ => {}
        }
    }
    rows
}

#[derive(Template)]
#[template(path = "app/workflows.html")]
struct ListPage {
    chrome: Chrome,
    ws: String,
    rows: Vec<Row>,
    templates: Vec<(&'static str, String, String)>,
    routes: Vec<RouteRow>,
    workflows: Vec<(String, String)>,
    hours: HoursView,
    problems: Problems,
    notice: String,
    csrf: String,
}

/// The business hours and preset reasons, as the form shows them.
pub struct HoursView {
    /// ISO number, short name, worked.
    pub days: Vec<(i8, String, bool)>,
    pub start: String,
    pub end: String,
    /// One date a line.
    pub holidays: String,
    /// One reason a line.
    pub reasons: String,
}

impl HoursView {
    fn of(settings: &greenlight_domain::analytics::WorkflowSettings) -> HoursView {
        let h = &settings.business_hours;
        HoursView {
            days: (1..=7).map(|d| (d, greenlight_i18n::short_weekday(d).to_owned(), h.days.contains(&d))).collect(),
            start: h.start.strftime("%H:%M").to_string(),
            end: h.end.strftime("%H:%M").to_string(),
            holidays: h.holidays.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
            reasons: settings.reasons.join("\n"),
        }
    }
}

/// The list; `typed` keeps the routing rules as the member sent them
/// (when they were refused), instead of the saved ones.
#[allow(clippy::too_many_arguments)]
async fn list_page(
    app: &App,
    member: Member,
    ws: WorkspaceId,
    typed: Option<Vec<RouteDraft>>,
    problems: Problems,
    notice: String,
    status: StatusCode,
    headers: &HeaderMap,
) -> PageResult {
    let chrome = Chrome::of(app, &member, ws, t("wf-title"), "workflows").await.or_page(headers)?;
    let all = workflows::workflows(app, &member.caller, ws).await.or_page(headers)?;
    let names: BTreeMap<WorkflowId, String> = all.iter().map(|w| (w.id, w.name.clone())).collect();
    let drafts = match typed {
        Some(d) => d,
        None => workflows::routes(app, &member.caller, ws)
            .await
            .or_page(headers)?
            .iter()
            .map(|r| RouteDraft {
                priority: r.priority.to_string(),
                workflow: r.workflow_id.to_string(),
                when: ConditionDraft::of(&r.when),
            })
            .collect(),
    };
    let choices = workflow_editor::choices(app, &member, ws).await.or_page(headers)?;
    // Every rule, then an empty row for a new one.
    let route_rows = drafts
        .iter()
        .chain(std::iter::once(&RouteDraft::default()))
        .enumerate()
        .map(|(i, d)| RouteRow {
            at: format!("routes[{i}]"),
            priority: d.priority.clone(),
            workflow: d.workflow.clone(),
            when: d.when.view(format!("routes[{i}].when"), format!("r{i}"), i, &choices),
        })
        .collect();
    let page = ListPage {
        ws: ws.to_string(),
        rows: all
            .iter()
            .map(|w| Row {
                id: w.id.to_string(),
                name: w.name.clone(),
                version: w.version,
                is_default: w.is_default,
                stages: w.definition.stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(" → "),
            })
            .collect(),
        templates: workflows::template_list()
            .into_iter()
            .map(|t| (t.key, template_name(t.key, t.name), template_description(t.key, t.description)))
            .collect(),
        routes: route_rows,
        workflows: names.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(),
        hours: HoursView::of(&greenlight_service::analytics::settings(app, &member.caller, ws).await.or_page(headers)?),
        problems,
        notice,
        csrf: member.csrf.clone(),
        chrome,
    };
    Ok(render(status, &page))
}

/// A built-in template's name in the reader's language (the catalogue
/// knows the built-in ones; any other keeps its own words).
fn template_name(key: &str, name: &str) -> String {
    match key {
        "hospital" => t("wf-template-hospital-name"),
        "agency-marketing" => t("wf-template-agency-marketing-name"),
        "agency-recruitment" => t("wf-template-agency-recruitment-name"),
        "cross-department" => t("wf-template-cross-department-name"),
        "routine" => t("wf-template-routine-name"),
        "high-stakes" => t("wf-template-high-stakes-name"),
        _ => name.to_owned(),
    }
}

/// A built-in template's description in the reader's language.
fn template_description(key: &str, description: &str) -> String {
    match key {
        "hospital" => t("wf-template-hospital-description"),
        "agency-marketing" => t("wf-template-agency-marketing-description"),
        "agency-recruitment" => t("wf-template-agency-recruitment-description"),
        "cross-department" => t("wf-template-cross-department-description"),
        "routine" => t("wf-template-routine-description"),
        "high-stakes" => t("wf-template-high-stakes-description"),
        _ => description.to_owned(),
    }
}

pub async fn list(State(s): State<AppState>, member: Member, PagePath(ws): PagePath<WorkspaceId>, headers: HeaderMap) -> PageResult {
    list_page(&s.app, member, ws, None, Problems::default(), String::new(), StatusCode::OK, &headers).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    name: String,
    template: String,
    is_default: Option<String>,
}

/// The routing rules saved, in the order of their priorities; a row whose
/// workflow is "(remove this rule)" goes. Refused rules come back as typed.
pub async fn save_routes(
    State(s): State<AppState>,
    PagePath(ws): PagePath<WorkspaceId>,
    submitted: Submitted<Vec<(String, String)>>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let drafts: Vec<RouteDraft> = read_routes(&form).into_iter().filter(|d| !d.workflow.is_empty()).collect();
    let mut errors = Errors::new();
    let mut rules = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let at = format!("routes[{i}]");
        let priority = errors.check(&format!("{at}.priority"), d.priority.trim().parse::<i32>().map_err(|_| t("wf-routes-whole-number")));
        let workflow_id =
            errors.check(&format!("{at}.workflow_id"), d.workflow.parse::<WorkflowId>().map_err(|_| t("wf-routes-not-a-workflow")));
        let when = d.when.condition(&format!("{at}.when"), &mut errors);
        if let (Some(priority), Some(workflow_id)) = (priority, workflow_id) {
            rules.push(workflows::RouteInput { priority, workflow_id, when });
        }
    }
    let fields: Vec<String> =
        (0..drafts.len()).flat_map(|i| ["priority", "workflow_id", "when"].map(|f| format!("routes[{i}].{f}"))).collect();
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    let refused = |errors: Vec<FieldError>| Problems::from_errors(&errors, &fields);
    let outcome = match errors.into_result() {
        Err(errors) => Err(errors),
        Ok(()) => match workflows::set_routes(&s.app, &member.caller, ws, rules).await {
            Ok(_) => Ok(()),
            // The service names a rule by its place in the list: `[2].when…`.
            Err(Error::Invalid(errors)) => {
                Err(errors.into_iter().map(|e| FieldError { field: format!("routes{}", e.field), ..e }).collect())
            }
            Err(e) => return Err(PageError::new(e, &headers)),
        },
    };
    match outcome {
        Ok(()) => list_page(&s.app, member, ws, None, Problems::default(), t("wf-routes-saved"), StatusCode::OK, &headers).await,
        Err(errors) => {
            let problems = refused(errors);
            list_page(&s.app, member, ws, Some(drafts), problems, String::new(), StatusCode::UNPROCESSABLE_ENTITY, &headers).await
        }
    }
}

/// Saves the business hours and preset reasons.
pub async fn save_hours(
    State(s): State<AppState>,
    PagePath(ws): PagePath<WorkspaceId>,
    submitted: Submitted<Vec<(String, String)>>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let value = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let mut errors = Errors::new();
    let days = form.iter().filter(|(k, _)| k == "day").filter_map(|(_, v)| v.parse::<i8>().ok()).collect();
    let time =
        |errors: &mut Errors, name: &str| errors.check(name, value(name).parse::<jiff::civil::Time>().map_err(|_| t("wf-hours-bad-time")));
    let (start, end) = (time(&mut errors, "start"), time(&mut errors, "end"));
    let holidays = value("holidays")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|l| errors.check("holidays", l.parse::<jiff::civil::Date>().map_err(|_| t1("wf-hours-bad-day", "day", l))))
        .collect();
    let reasons = value("reasons").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let outcome = match (errors.into_result(), start, end) {
        (Ok(()), Some(start), Some(end)) => {
            let hours = greenlight_domain::analytics::hours::BusinessHours { days, start, end, holidays };
            let input = greenlight_domain::analytics::WorkflowSettings { business_hours: hours, reasons };
            match greenlight_service::analytics::set_settings(&s.app, &member.caller, ws, input).await {
                Ok(_) => Ok(()),
                Err(Error::Invalid(errors)) => Err(errors),
                Err(e) => return Err(PageError::new(e, &headers)),
            }
        }
        (Err(errors), _, _) => Err(errors),
        (Ok(()), _, _) => Err(Vec::new()),
    };
    match outcome {
        Ok(()) => list_page(&s.app, member, ws, None, Problems::default(), t("wf-hours-saved"), StatusCode::OK, &headers).await,
        Err(errors) => {
            let problems = Problems::from_errors(&errors, &[]);
            list_page(&s.app, member, ws, None, problems, String::new(), StatusCode::UNPROCESSABLE_ENTITY, &headers).await
        }
    }
}

/// A new workflow from a template.
pub async fn create(State(s): State<AppState>, PagePath(ws): PagePath<WorkspaceId>, submitted: Submitted<CreateForm>) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let input = workflows::NewWorkflow {
        name: form.name.clone(),
        definition: None,
        template: Some(form.template.clone()),
        is_default: form.is_default.is_some(),
    };
    match workflows::create_workflow(&s.app, &member.caller, ws, input).await {
        Ok(w) => Ok(see_other(&headers, &format!("/w/{ws}/workflows/{}", w.id))),
        Err(e @ Error::Invalid(_)) => {
            let p = Problems::general(super::said(&e, true));
            list_page(&s.app, member, ws, None, p, String::new(), StatusCode::UNPROCESSABLE_ENTITY, &headers).await
        }
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

pub struct StageRead {
    pub name: String,
    pub lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "app/workflow.html")]
struct WorkflowPage {
    chrome: Chrome,
    ws: String,
    id: String,
    name: String,
    version: i64,
    stages: Vec<StageRead>,
    file: String,
    problems: Problems,
    notice: String,
    simulation: Vec<String>,
    labels: Vec<(String, String)>,
    can_edit: bool,
    csrf: String,
}

fn approver(a: &Approver, people: &BTreeMap<UserId, String>, groups: &BTreeMap<GroupId, String>) -> String {
    match a {
        Approver::User(u) => people.get(u).cloned().unwrap_or_else(|| t("wf-former-member")),
        Approver::Group(g) => t1("wf-read-anyone-in", "group", groups.get(g).cloned().unwrap_or_else(|| t("wf-removed-group"))),
        Approver::Role(r) => t1("wf-read-any-role", "role", t1("wf-role-name", "role", r.as_str())),
        Approver::External(e) => t1("wf-read-outside", "email", e.as_str()),
    }
}

/// The definition in sentences.
fn read(def: &Definition, people: &BTreeMap<UserId, String>, groups: &BTreeMap<GroupId, String>) -> Vec<StageRead> {
    def.stages
        .iter()
        .map(|s| {
            let mut lines = Vec::new();
            for l in &s.lanes {
                let who: Vec<String> = l.approvers.iter().map(|a| approver(a, people, groups)).collect();
                let rule = match l.rule {
                    Rule::Any => t("wf-read-rule-any"),
                    Rule::All => t("wf-read-rule-all"),
                    Rule::AtLeast(n) => t1("wf-read-rule-at-least", "count", n),
                };
                lines.push(t3("wf-read-lane", "lane", &l.name, "rule", rule, "who", who.join(", ")));
            }
            if !s.checklist.is_empty() {
                let items: Vec<String> = s
                    .checklist
                    .iter()
                    .map(|c| if c.automatic.is_some() { t1("wf-read-item-by-preflight", "item", &c.label) } else { c.label.clone() })
                    .collect();
                lines.push(t1("wf-read-checklist", "items", items.join("; ")));
            }
            match s.due {
                Some(Due::AfterMinutes(m)) => lines.push(t1("wf-read-due-after", "hours", m / 60)),
                Some(Due::BeforePublishMinutes(m)) => lines.push(t1("wf-read-due-before", "hours", m / 60)),
                None => {}
            }
            if let Some(e) = &s.escalation {
                let to: Vec<String> = e.to.iter().map(|a| approver(a, people, groups)).collect();
                lines.push(t2("wf-read-escalation", "hours", e.after_minutes / 60, "who", to.join(", ")));
            }
            if !s.skip_if.is_empty() {
                lines.push(t1("wf-read-skipped", "count", s.skip_if.len()));
            }
            if s.approvers_may_edit {
                lines.push(t("wf-read-approvers-may-edit"));
            }
            StageRead { name: s.name.clone(), lines }
        })
        .collect()
}

/// What the workflow page shows beside the workflow (by default: nothing, 200).
#[derive(Default)]
pub(super) struct Show {
    file: Option<String>,
    problems: Problems,
    notice: String,
    simulation: Vec<String>,
    status: StatusCode,
}

impl Show {
    /// The workflow as just saved.
    pub(super) fn saved(version: i64) -> Show {
        Show { notice: t1("wf-saved-version", "version", version), ..Show::default() }
    }
}

pub(super) async fn workflow_page(
    app: &App,
    member: Member,
    ws: WorkspaceId,
    id: WorkflowId,
    show: Show,
    headers: &HeaderMap,
) -> PageResult {
    let wf = workflows::workflow(app, &member.caller, ws, id, None).await.or_page(headers)?;
    let chrome = Chrome::of(app, &member, ws, wf.name.clone(), "workflows").await.or_page(headers)?;
    let people = workspaces::members(app, &member.caller, ws).await.or_page(headers)?.into_iter().map(|m| (m.user_id, m.name)).collect();
    let groups = workspaces::groups(app, &member.caller, ws).await.or_page(headers)?.into_iter().map(|g| (g.id, g.name)).collect();
    let file = match show.file {
        Some(f) => f,
        None => workflow_file::export_workflow(app, &member.caller, ws, id, None).await.or_page(headers)?,
    };
    let labels =
        planning::labels(app, &member.caller, ws).await.or_page(headers)?.into_iter().map(|l| (l.id.to_string(), l.name)).collect();
    let page = WorkflowPage {
        ws: ws.to_string(),
        id: id.to_string(),
        name: wf.name.clone(),
        version: wf.version,
        stages: read(&wf.definition, &people, &groups),
        file,
        problems: show.problems,
        notice: show.notice,
        simulation: show.simulation,
        labels,
        can_edit: chrome.ws.as_ref().is_some_and(|w| w.can_manage_workflows),
        csrf: member.csrf.clone(),
        chrome,
    };
    Ok(render(show.status, &page))
}

pub async fn page(
    State(s): State<AppState>,
    member: Member,
    PagePath((ws, id)): PagePath<(WorkspaceId, WorkflowId)>,
    headers: HeaderMap,
) -> PageResult {
    workflow_page(&s.app, member, ws, id, Show::default(), &headers).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FileForm {
    file: String,
}

/// Saves the workflow file as the workflow's next version; a file that does
/// not check comes back with its errors and the text as typed.
pub async fn save(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, WorkflowId)>,
    submitted: Submitted<FileForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    match workflow_file::import_workflow(&s.app, &member.caller, ws, &form.file).await {
        Ok(saved) if saved.id == id => workflow_page(&s.app, member, ws, id, Show::saved(saved.version), &headers).await,
        Ok(other) => Ok(see_other(&headers, &format!("/w/{ws}/workflows/{}", other.id))),
        Err(e @ Error::Invalid(_)) => {
            let p = Problems::general(super::said(&e, true));
            let show = Show { file: Some(form.file), problems: p, status: StatusCode::UNPROCESSABLE_ENTITY, ..Show::default() };
            workflow_page(&s.app, member, ws, id, show, &headers).await
        }
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SimulateForm {
    label_ids: Vec<String>,
    text: String,
    repurposed: Option<String>,
}

/// Which path a draft with these labels and words would take, and who would be asked.
pub async fn simulate(
    State(s): State<AppState>,
    PagePath((ws, id)): PagePath<(WorkspaceId, WorkflowId)>,
    submitted: Submitted<SimulateForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let draft = workflows::Draft {
        label_ids: form.label_ids.iter().filter_map(|l| l.parse().ok()).collect(),
        text: form.text.clone(),
        repurposed: form.repurposed.is_some(),
        ..workflows::Draft::default()
    };
    let people: BTreeMap<UserId, String> =
        workspaces::members(&s.app, &member.caller, ws).await.or_page(&headers)?.into_iter().map(|m| (m.user_id, m.name)).collect();
    let lines = match workflows::simulate_draft(&s.app, &member.caller, ws, draft).await {
        Ok(sim) => {
            let mut lines = vec![t1("wf-sim-routed", "workflow", &sim.workflow_name)];
            for st in &sim.plan.stages {
                if st.skipped_by.is_some() {
                    lines.push(t1("wf-sim-skipped", "stage", &st.name));
                    continue;
                }
                let lanes: Vec<String> = st
                    .lanes
                    .iter()
                    .map(|l| {
                        let who: Vec<String> = l
                            .asked
                            .iter()
                            .map(|p| match p {
                                Principal::User(u) => people.get(u).cloned().unwrap_or_default(),
                                Principal::External(e) => e.as_str().to_owned(),
                            })
                            .collect();
                        t2("wf-sim-lane-asks", "lane", &l.name, "who", who.join(", "))
                    })
                    .collect();
                lines.push(format!("{}: {}", st.name, lanes.join("; ")));
            }
            lines.extend(sim.problem);
            lines
        }
        Err(e) => vec![super::describe(&e).2],
    };
    let show = Show { simulation: lines, ..Show::default() };
    workflow_page(&s.app, member, ws, id, show, &headers).await
}
