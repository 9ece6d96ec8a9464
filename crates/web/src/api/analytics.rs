//! Workflow analytics, and the business hours and reasons they use.

use axum::{
    Json,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use greenlight_domain::{analytics::WorkflowSettings, id::WorkspaceId};
use greenlight_service::analytics::{self, Report, ReportQuery};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::doc::WorkspacePath;
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(workflow_settings, set_workflow_settings))
        .routes(routes!(workflow_report))
        .routes(routes!(workflow_report_csv))
}

type Res = Result<Response, Problem>;

/// The workspace's business hours (weekdays and hours in its zone, and
/// holidays) and the preset reasons a request for changes or a rejection
/// may give.
#[utoipa::path(get, path = "/workspaces/{ws}/workflow-settings", tag = "analytics", params(WorkspacePath), responses((status = 200, description = "Done", body = WorkflowSettings), (status = "4XX", response = Problem)))]
async fn workflow_settings(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(analytics::settings(&s.app, &c, ws).await?).into_response())
}

/// Sets the business hours and preset reasons (those who manage
/// workflows). Changed hours measure the workspace's history again.
#[utoipa::path(put, path = "/workspaces/{ws}/workflow-settings", tag = "analytics", params(WorkspacePath), request_body = WorkflowSettings, responses((status = 200, description = "Done", body = WorkflowSettings), (status = "4XX", response = Problem)))]
async fn set_workflow_settings(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<WorkflowSettings>,
) -> Res {
    Ok(Json(analytics::set_settings(&s.app, &c, ws, input).await?).into_response())
}

/// Where approval time went in a period (whole days in the workspace's
/// zone, the last 30 by default): reviews completed, first-pass rate,
/// revision rounds, cycle time (calendar and business hours), time per
/// stage and per approver with the bottleneck, reasons, deadlines missed,
/// every review still waiting and for whom, and the plan kept per week and
/// channel. Durations are whole minutes; percentiles are nearest-rank.
#[utoipa::path(get, path = "/workspaces/{ws}/analytics/workflow", tag = "analytics", params(WorkspacePath, ReportQuery), responses((status = 200, description = "Done", body = Report), (status = "4XX", response = Problem)))]
async fn workflow_report(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Res {
    Ok(Json(analytics::report(&s.app, &c, ws, &q).await?).into_response())
}

/// The same report as CSV: one row per figure, stage, approver, reason,
/// waiting review and week, under a `section` column.
#[utoipa::path(get, path = "/workspaces/{ws}/analytics/workflow.csv", tag = "analytics", params(WorkspacePath, ReportQuery), responses((status = 200, description = "Done", content_type = "text/csv", body = String), (status = "4XX", response = Problem)))]
async fn workflow_report_csv(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Res {
    let report = analytics::report(&s.app, &c, ws, &q).await?;
    Ok(csv_attachment(ws, &report)?)
}

/// A report as a CSV file to keep (the API's and the web app's).
pub(crate) fn csv_attachment(ws: WorkspaceId, report: &Report) -> Result<Response, greenlight_service::Error> {
    let body = analytics::csv(report)?;
    let disposition = format!("attachment; filename=\"greenlight-workflow-{ws}-{}-{}.csv\"", report.from, report.to);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}
