//! Workflows (versioned), routing rules, templates and the simulator.

use crate::error::AddWords as _;
use std::collections::{BTreeMap, BTreeSet};

use greenlight_domain::{
    audit::Chain,
    id::{CampaignId, ChannelId, GroupId, LabelId, PostId, RouteId, UserId, WorkflowId, WorkspaceId},
    names::Name,
    permission::Permission,
    validation::Errors,
    workflow::{Approver, Condition, Definition, Facts, People, Plan, plan, templates},
};
use greenlight_store::{
    StoreError, Tx,
    workflows::{self, StoredRoute, Workflow},
    workspaces,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller, access,
    audit::record,
    error::{Error, Result},
    routing,
};

/// A new workflow: a definition, or a built-in template to start from.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkflow {
    #[schema(value_type = greenlight_domain::names::Name)]
    pub name: String,
    #[serde(default)]
    pub definition: Option<Definition>,
    /// A template key (see the templates list); its groups are created if missing.
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub is_default: bool,
}

/// A new version of a workflow.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowChange {
    /// The version this change is based on; a later one answers 412.
    pub version: i64,
    #[serde(default)]
    #[schema(value_type = Option<greenlight_domain::names::Name>)]
    pub name: Option<String>,
    #[serde(default)]
    pub definition: Option<Definition>,
    #[serde(default)]
    pub is_default: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TemplateInfo {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub groups: &'static [&'static str],
}

pub fn template_list() -> Vec<TemplateInfo> {
    templates::TEMPLATES.iter().map(|t| TemplateInfo { key: t.key, name: t.name, description: t.description, groups: t.groups }).collect()
}

/// Checks what only the workspace knows: every named user is a member and
/// every group exists.
async fn check_approvers(tx: &mut Tx, ws: WorkspaceId, def: &Definition) -> Result<()> {
    let members: BTreeSet<_> = workspaces::members(tx, ws).await?.into_iter().map(|m| m.user_id).collect();
    let groups: BTreeSet<_> = workspaces::groups(tx, ws).await?.into_iter().map(|g| g.id).collect();
    let mut errors = Errors::new();
    for (i, stage) in def.stages.iter().enumerate() {
        for approver in stage.approvers() {
            match approver {
                Approver::User(u) if !members.contains(u) => {
                    errors.add_words(format!("definition.stages[{i}]"), "err-wf-user-not-member", [("user", u.to_string())])
                }
                Approver::Group(g) if !groups.contains(g) => {
                    errors.add_words(format!("definition.stages[{i}]"), "err-wf-group-missing", [("group", g.to_string())])
                }
                _ => {}
            }
        }
    }
    errors.into_result().map_err(Error::Invalid)
}

fn check_definition(def: &Definition) -> Result<()> {
    def.validate().map_err(|errors| {
        Error::Invalid(
            errors
                .into_iter()
                .map(|e| greenlight_domain::validation::FieldError { field: format!("definition.{}", e.field), ..e })
                .collect(),
        )
    })
}

/// The groups a template asks for, created (and recorded) when missing.
async fn template_groups(
    app: &App,
    caller: &Caller,
    tx: &mut Tx,
    ws: WorkspaceId,
    template: &templates::Template,
) -> Result<BTreeMap<String, GroupId>> {
    let mut known: BTreeMap<String, GroupId> = workspaces::groups(tx, ws).await?.into_iter().map(|g| (g.name, g.id)).collect();
    for name in template.groups {
        if !known.contains_key(*name) {
            let name = Name::parse(name).map_err(|e| Error::Internal(e.into()))?;
            let group = crate::workspaces::insert_group(tx, app, caller, ws, name, Vec::new()).await?;
            known.insert(group.name, group.id);
        }
    }
    Ok(known)
}

pub async fn create_workflow(app: &App, caller: &Caller, ws: WorkspaceId, input: NewWorkflow) -> Result<crate::views::Workflow> {
    let name = Name::parse(&input.name).map_err(|e| Error::parsed("name", e))?;
    let mut tx = app.db.write().await?;
    access::require_exclusive(&mut tx, caller, ws, Permission::ManageWorkflows).await?;
    let definition = match (input.definition, input.template.as_deref()) {
        (Some(def), None) => def,
        (None, Some(key)) => {
            let template = templates::template(key).ok_or_else(|| Error::field_said("template", "err-wf-no-template", []))?;
            let groups = template_groups(app, caller, &mut tx, ws, template).await?;
            template.instantiate(&groups).ok_or_else(|| Error::Internal(format!("template {key} lacks a group").into()))?
        }
        _ => return Err(Error::field_said("definition", "err-wf-definition-or-template", [])),
    };
    check_definition(&definition)?;
    check_approvers(&mut tx, ws, &definition).await?;
    if input.is_default {
        workflows::clear_default(&mut tx, ws).await?;
    }
    let now = app.now();
    let workflow = Workflow {
        id: WorkflowId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        name: name.as_str().to_owned(),
        is_default: input.is_default,
        version: 1,
        definition,
        created_at: now,
        updated_at: now,
    };
    workflows::insert_workflow(&mut tx, &workflow, caller.user).await.map_err(|e| match e {
        StoreError::Duplicate => Error::conflict("err-wf-name-taken", []),
        other => other.into(),
    })?;
    let data = json!({ "name": workflow.name, "version": 1, "definition": workflow.definition, "default": workflow.is_default });
    record(&mut tx, app, caller, Chain::Workspace(ws), "workflow.created", ("workflow", Some(workflow.id.uuid())), data).await?;
    tx.commit().await?;
    Ok(workflow.into())
}

/// Saves a new version; reviews already running keep theirs.
pub async fn update_workflow(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    id: WorkflowId,
    change: WorkflowChange,
) -> Result<crate::views::Workflow> {
    let mut tx = app.db.write().await?;
    access::require_exclusive(&mut tx, caller, ws, Permission::ManageWorkflows).await?;
    let mut workflow = workflows::workflow(&mut tx, ws, id, None).await?.ok_or(Error::NotFound("workflow"))?;
    if change.version != workflow.version {
        return Err(Error::Stale { current: workflow.version });
    }
    if let Some(name) = change.name {
        workflow.name = Name::parse(&name).map_err(|e| Error::parsed("name", e))?.as_str().to_owned();
    }
    if let Some(def) = change.definition {
        check_definition(&def)?;
        check_approvers(&mut tx, ws, &def).await?;
        workflow.definition = def;
    }
    if change.is_default == Some(true) && !workflow.is_default {
        workflows::clear_default(&mut tx, ws).await?;
    }
    workflow.is_default = change.is_default.unwrap_or(workflow.is_default);
    workflow.version += 1;
    workflow.updated_at = app.now();
    workflows::add_version(&mut tx, &workflow, caller.user).await.map_err(|e| match e {
        StoreError::Stale => Error::Stale { current: workflow.version - 1 },
        StoreError::Duplicate => Error::conflict("err-wf-name-taken", []),
        other => other.into(),
    })?;
    let data =
        json!({ "name": workflow.name, "version": workflow.version, "definition": workflow.definition, "default": workflow.is_default });
    record(&mut tx, app, caller, Chain::Workspace(ws), "workflow.changed", ("workflow", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(workflow.into())
}

pub async fn workflows(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::Workflow>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(crate::views::all(workflows::workflows(&mut tx, ws).await?))
}

pub async fn workflow(app: &App, caller: &Caller, ws: WorkspaceId, id: WorkflowId, version: Option<i64>) -> Result<crate::views::Workflow> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    workflows::workflow(&mut tx, ws, id, version).await?.map(Into::into).ok_or(Error::NotFound("workflow"))
}

/// A routing rule as the API takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteInput {
    pub priority: i32,
    pub workflow_id: WorkflowId,
    #[serde(default)]
    pub when: Condition,
}

pub async fn routes(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::StoredRoute>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(crate::views::all(workflows::routes(&mut tx, ws).await?))
}

/// Replaces the routing rules.
pub async fn set_routes(app: &App, caller: &Caller, ws: WorkspaceId, input: Vec<RouteInput>) -> Result<Vec<crate::views::StoredRoute>> {
    let mut tx = app.db.write().await?;
    access::require_exclusive(&mut tx, caller, ws, Permission::ManageWorkflows).await?;
    let known: BTreeSet<WorkflowId> = workflows::workflows(&mut tx, ws).await?.into_iter().map(|w| w.id).collect();
    let mut errors = Errors::new();
    for (i, r) in input.iter().enumerate() {
        if !known.contains(&r.workflow_id) {
            errors.add_words(format!("[{i}].workflow_id"), "err-wf-route-no-workflow", []);
        }
        r.when.validate(&format!("[{i}].when"), &mut errors);
    }
    if input.len() > 100 {
        errors.add_words("", "err-wf-routes-too-many", [("max", 100.to_string())]);
    }
    errors.into_result().map_err(Error::Invalid)?;
    let routes: Vec<StoredRoute> = input
        .into_iter()
        .map(|r| StoredRoute { id: RouteId::from_uuid(Uuid::now_v7()), priority: r.priority, workflow_id: r.workflow_id, when: r.when })
        .collect();
    workflows::replace_routes(&mut tx, ws, &routes, app.now()).await?;
    record(&mut tx, app, caller, Chain::Workspace(ws), "workflow.routes_set", ("workspace", Some(ws.uuid())), json!({ "routes": routes }))
        .await?;
    tx.commit().await?;
    Ok(crate::views::all(routes))
}

/// What submitting the post would do.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Simulation {
    pub workflow_id: WorkflowId,
    pub workflow_name: String,
    pub version: i64,
    pub plan: Plan,
    /// Why it could not start, if it could not.
    pub problem: Option<String>,
}

pub async fn simulate(app: &App, caller: &Caller, ws: WorkspaceId, post: PostId) -> Result<Simulation> {
    let mut tx = app.db.read().await?;
    let (_, post) = crate::access::visible_post(&mut tx, caller, ws, post).await?;
    let (facts, people) = routing::facts_and_people(&mut tx, ws, &post, app.now()).await?;
    simulation(&mut tx, ws, &facts, &people, post.owner_id).await
}

async fn simulation(tx: &mut Tx, ws: WorkspaceId, facts: &Facts, people: &People, author: UserId) -> Result<Simulation> {
    let workflow = routing::routed(tx, ws, facts).await?;
    let plan = plan(&workflow.definition, facts, people, author);
    let problem = plan.unstaffed().map(|e| e.to_string());
    Ok(Simulation { workflow_id: workflow.id, workflow_name: workflow.name, version: workflow.version, plan, problem })
}

/// Content not yet saved, as the simulator needs it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    #[serde(default)]
    pub label_ids: Vec<LabelId>,
    #[serde(default)]
    pub channel_ids: Vec<ChannelId>,
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
    /// All the draft's text (base and variants).
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub repurposed: bool,
    #[serde(default)]
    pub shares_link: bool,
}

/// The path a draft by the caller would take, before it is saved.
pub async fn simulate_draft(app: &App, caller: &Caller, ws: WorkspaceId, draft: Draft) -> Result<Simulation> {
    let author = caller.require_user()?;
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::CreatePosts).await?;
    let people = routing::people(&mut tx, ws, app.now()).await?;
    let (author_role, author_groups) = people.author(author);
    let facts = Facts {
        labels: draft.label_ids.into_iter().collect(),
        channels: draft.channel_ids.into_iter().collect(),
        campaign: draft.campaign_id,
        author_role,
        author_groups,
        text: draft.text,
        repurposed: draft.repurposed,
        shares_link: draft.shares_link,
    };
    simulation(&mut tx, ws, &facts, &people, author).await
}
