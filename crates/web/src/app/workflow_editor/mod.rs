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
use crate::{AppState, t, t1};

mod convert;
mod draft;
mod form;
mod view;

pub(super) use draft::ConditionDraft;
pub(super) use form::{nth, segments};
pub(super) use view::{ConditionView, choices};
use {draft::*, form::*, view::*};

#[derive(Template)]
#[template(path = "app/workflow_edit.html")]
struct EditorPage {
    chrome: Chrome,
    ws: String,
    id: String,
    name: String,
    version: i64,
    allow_self_approval: bool,
    one_approval_covers_next_stages: bool,
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
    let chrome = Chrome::of(app, &member, ws, t1("wf-edit-title", "name", &e.draft.name), "workflows").await.or_page(headers)?;
    if !chrome.ws.as_ref().is_some_and(|w| w.can_manage_workflows) {
        return Err(PageError::new(Error::Forbidden(t("wf-edit-forbidden").into()), headers));
    }
    let choices = choices(app, &member, ws).await.or_page(headers)?;
    let page = EditorPage {
        ws: ws.to_string(),
        id: id.to_string(),
        stages: views(&e.draft, &choices),
        name: e.draft.name,
        version: e.draft.version,
        allow_self_approval: e.draft.allow_self_approval,
        one_approval_covers_next_stages: e.draft.one_approval_covers_next_stages,
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
        let editing = Editing { draft, problems: Problems::default(), notice: t("wf-edit-not-saved-yet"), status: StatusCode::OK };
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
            let message = t1("wf-edit-stale", "current", current);
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

    use super::{convert::*, *};

    fn fields_of(d: &Draft) -> Vec<(String, String)> {
        // The form's fields as the template writes them, for a round trip.
        let mut out = vec![("name".into(), d.name.clone()), ("version".into(), d.version.to_string())];
        out.push(("on_publish_time.policy".into(), d.policy.clone()));
        out.push(("on_publish_time.minutes".into(), d.grace_minutes.clone()));
        if d.one_approval_covers_next_stages {
            out.push(("one_approval_covers_next_stages".into(), "on".into()));
        }
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
