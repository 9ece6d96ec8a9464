//! Workflows, routing rules, the simulator, and reviews.

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use greenlight_domain::id::{DelegationId, PostId, WorkflowId, WorkspaceId};
use greenlight_service::views::{StoredDelegation, StoredRoute, Workflow};
use greenlight_service::{Error, delegations, reviews, workflow_file, workflows};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::doc::{DelegationPath, PostPath, TomlText, WorkflowPath, WorkspacePath};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates))
        .routes(routes!(list_workflows, create_workflow))
        .routes(routes!(show_workflow, update_workflow))
        .routes(routes!(export_workflow))
        .routes(routes!(import_workflow))
        .routes(routes!(simulate_draft))
        .routes(routes!(list_delegations, create_delegation))
        .routes(routes!(delete_delegation))
        .routes(routes!(list_routes, set_routes))
        .routes(routes!(simulate))
        .routes(routes!(show_review, submit))
        .routes(routes!(decide))
        .routes(routes!(withdraw))
        .routes(routes!(override_stage))
        .routes(routes!(my_reviews))
}

type Res = Result<Response, Problem>;

/// The built-in workflow templates.
#[utoipa::path(get, path = "/workflow-templates", tag = "workflows", responses((status = 200, description = "Done", body = Vec<workflows::TemplateInfo>), (status = "4XX", response = Problem)))]
async fn list_templates(_auth: Auth) -> Res {
    Ok(Json(workflows::template_list()).into_response())
}

/// The workspace's workflows, each at its current version.
#[utoipa::path(get, path = "/workspaces/{ws}/workflows", tag = "workflows", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<Workflow>), (status = "4XX", response = Problem)))]
async fn list_workflows(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(workflows::workflows(&s.app, &c, ws).await?).into_response())
}

/// Creates a workflow from a definition or a built-in template.
#[utoipa::path(post, path = "/workspaces/{ws}/workflows", tag = "workflows", params(WorkspacePath), request_body = workflows::NewWorkflow, responses((status = 201, description = "Created", body = Workflow), (status = "4XX", response = Problem)))]
async fn create_workflow(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<workflows::NewWorkflow>,
) -> Res {
    Ok((StatusCode::CREATED, Json(workflows::create_workflow(&s.app, &c, ws, input).await?)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct VersionQuery {
    /// An earlier version (default: the current one).
    version: Option<i64>,
}

/// A workflow at its current version or an earlier one.
#[utoipa::path(get, path = "/workspaces/{ws}/workflows/{workflow}", tag = "workflows", params(WorkspacePath, WorkflowPath, VersionQuery), responses((status = 200, description = "Done", body = Workflow), (status = "4XX", response = Problem)))]
async fn show_workflow(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, WorkflowId)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Res {
    Ok(Json(workflows::workflow(&s.app, &c, ws, id, q.version).await?).into_response())
}

/// Saves a new version of a workflow; reviews already running keep the version they started with.
#[utoipa::path(put, path = "/workspaces/{ws}/workflows/{workflow}", tag = "workflows", params(WorkspacePath, WorkflowPath), request_body = workflows::WorkflowChange, responses((status = 200, description = "Done", body = Workflow), (status = "4XX", response = Problem)))]
async fn update_workflow(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, WorkflowId)>,
    ApiJson(change): ApiJson<workflows::WorkflowChange>,
) -> Res {
    Ok(Json(workflows::update_workflow(&s.app, &c, ws, id, change).await?).into_response())
}

/// The workflow as a readable TOML file (people by email, groups and labels by name), for version control.
#[utoipa::path(get, path = "/workspaces/{ws}/workflows/{workflow}/export", tag = "workflows", params(WorkspacePath, WorkflowPath, VersionQuery), responses((status = 200, description = "Done", body = inline(TomlText), content_type = "application/toml"), (status = "4XX", response = Problem)))]
async fn export_workflow(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, WorkflowId)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Res {
    let text = workflow_file::export_workflow(&s.app, &c, ws, id, q.version).await?;
    Ok(([(header::CONTENT_TYPE, "application/toml; charset=utf-8")], text).into_response())
}

/// Imports a workflow file: a new workflow, or the next version of the workflow with its name.
#[utoipa::path(post, path = "/workspaces/{ws}/workflows/import", tag = "workflows", params(WorkspacePath), request_body(content = inline(TomlText), content_type = "application/toml"), responses((status = 200, description = "Done", body = Workflow), (status = "4XX", response = Problem)))]
async fn import_workflow(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>, body: Bytes) -> Res {
    let text = std::str::from_utf8(&body).map_err(|_| Problem::from(Error::field("file", "not UTF-8 text")))?;
    Ok(Json(workflow_file::import_workflow(&s.app, &c, ws, text).await?).into_response())
}

/// The workspace's current and coming delegations.
#[utoipa::path(get, path = "/workspaces/{ws}/delegations", tag = "reviews", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<StoredDelegation>), (status = "4XX", response = Problem)))]
async fn list_delegations(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(delegations::delegations(&s.app, &c, ws).await?).into_response())
}

/// Names a stand-in for a period: review requests go to the delegate too, and their decisions are recorded as made for you.
#[utoipa::path(post, path = "/workspaces/{ws}/delegations", tag = "reviews", params(WorkspacePath), request_body = delegations::NewDelegation, responses((status = 201, description = "Created", body = StoredDelegation), (status = "4XX", response = Problem)))]
async fn create_delegation(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<delegations::NewDelegation>,
) -> Res {
    Ok((StatusCode::CREATED, Json(delegations::create_delegation(&s.app, &c, ws, input).await?)).into_response())
}

/// Ends a delegation.
#[utoipa::path(delete, path = "/workspaces/{ws}/delegations/{delegation}", tag = "reviews", params(WorkspacePath, DelegationPath), responses((status = 204, description = "Ended"), (status = "4XX", response = Problem)))]
async fn delete_delegation(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, DelegationId)>) -> Res {
    delegations::delete_delegation(&s.app, &c, ws, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The routing rules, in the order they are tried.
#[utoipa::path(get, path = "/workspaces/{ws}/routes", tag = "workflows", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<StoredRoute>), (status = "4XX", response = Problem)))]
async fn list_routes(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(workflows::routes(&s.app, &c, ws).await?).into_response())
}

/// Replaces the routing rules: the first match by priority picks a post's workflow, else the default.
#[utoipa::path(put, path = "/workspaces/{ws}/routes", tag = "workflows", params(WorkspacePath), request_body = Vec<workflows::RouteInput>, responses((status = 200, description = "Done", body = Vec<StoredRoute>), (status = "4XX", response = Problem)))]
async fn set_routes(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<Vec<workflows::RouteInput>>,
) -> Res {
    Ok(Json(workflows::set_routes(&s.app, &c, ws, input).await?).into_response())
}

/// Which workflow the post would get, which stages it would pass or skip, and who would be asked.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/simulation", tag = "reviews", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = workflows::Simulation), (status = "4XX", response = Problem)))]
async fn simulate(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    Ok(Json(workflows::simulate(&s.app, &c, ws, id).await?).into_response())
}

/// The path a draft would take before it is saved: workflow, stages passed or skipped, who would be asked.
#[utoipa::path(post, path = "/workspaces/{ws}/simulation", tag = "reviews", params(WorkspacePath), request_body = workflows::Draft, responses((status = 200, description = "Done", body = workflows::Simulation), (status = "4XX", response = Problem)))]
async fn simulate_draft(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(draft): ApiJson<workflows::Draft>,
) -> Res {
    Ok(Json(workflows::simulate_draft(&s.app, &c, ws, draft).await?).into_response())
}

/// The post's latest review: stages, who is asked, decisions.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/review", tag = "reviews", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = reviews::ReviewView), (status = "4XX", response = Problem)))]
async fn show_review(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    Ok(Json(reviews::review(&s.app, &c, ws, id).await?).into_response())
}

/// Submits the post for review at its current revision (or resubmits it after changes were requested). Preflight errors on any of its channels refuse it (422, one field per finding) unless an owner or admin gives `override_preflight` with a reason; warnings travel with the review. The body may be left out.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/review", tag = "reviews", params(WorkspacePath, PostPath), request_body(content = Option<reviews::SubmitInput>, description = "Optional"), responses((status = 200, description = "Done", body = reviews::ReviewView), (status = "4XX", response = Problem)))]
async fn submit(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>, body: Bytes) -> Res {
    let input: Option<reviews::SubmitInput> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice(&body).map_err(|e| Error::field("body", format!("not a submission: {e}")))?
    };
    Ok(Json(reviews::submit(&s.app, &c, ws, id, input.unwrap_or_default()).await?).into_response())
}

/// Approves, requests changes or rejects — pinned to the revision hash the decider saw.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/review/decisions", tag = "reviews", params(WorkspacePath, PostPath), request_body = reviews::DecisionRequest, responses((status = 200, description = "Done", body = reviews::ReviewView), (status = "4XX", response = Problem)))]
async fn decide(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiJson(input): ApiJson<reviews::DecisionRequest>,
) -> Res {
    Ok(Json(reviews::decide(&s.app, &c, ws, id, input).await?).into_response())
}

/// Withdraws the submission; the post is a draft again.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/review/withdraw", tag = "reviews", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = reviews::ReviewView), (status = "4XX", response = Problem)))]
async fn withdraw(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    Ok(Json(reviews::withdraw(&s.app, &c, ws, id).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct OverrideInput {
    /// Why the stage is approved without its approvers; recorded.
    reason: String,
}

/// Approves the active stage outright (owners and admins), with a recorded reason.
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/review/override", tag = "reviews", params(WorkspacePath, PostPath), request_body = OverrideInput, responses((status = 200, description = "Done", body = reviews::ReviewView), (status = "4XX", response = Problem)))]
async fn override_stage(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiJson(input): ApiJson<OverrideInput>,
) -> Res {
    Ok(Json(reviews::override_stage(&s.app, &c, ws, id, &input.reason).await?).into_response())
}

/// Every review waiting for the caller, soonest due first.
#[utoipa::path(get, path = "/my/reviews", tag = "reviews", responses((status = 200, description = "Done", body = Vec<reviews::WaitingReview>), (status = "4XX", response = Problem)))]
async fn my_reviews(State(s): State<AppState>, Auth(c): Auth) -> Res {
    Ok(Json(reviews::my_reviews(&s.app, &c).await?).into_response())
}
