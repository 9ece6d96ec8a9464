//! Workflows, routing rules, the simulator, and reviews.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use greenlight_domain::id::{PostId, WorkflowId, WorkspaceId};
use greenlight_service::{reviews, workflows};
use greenlight_store::workflows::{StoredRoute, Workflow};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::doc::{PostPath, WorkflowPath, WorkspacePath};
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

/// The post's latest review: stages, who is asked, decisions.
#[utoipa::path(get, path = "/workspaces/{ws}/posts/{post}/review", tag = "reviews", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = reviews::ReviewView), (status = "4XX", response = Problem)))]
async fn show_review(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    Ok(Json(reviews::review(&s.app, &c, ws, id).await?).into_response())
}

/// Submits the post for review at its current revision (or resubmits it after changes were requested).
#[utoipa::path(post, path = "/workspaces/{ws}/posts/{post}/review", tag = "reviews", params(WorkspacePath, PostPath), responses((status = 200, description = "Done", body = reviews::ReviewView), (status = "4XX", response = Problem)))]
async fn submit(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, id)): ApiPath<(WorkspaceId, PostId)>) -> Res {
    Ok(Json(reviews::submit(&s.app, &c, ws, id).await?).into_response())
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
