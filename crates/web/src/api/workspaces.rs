//! Workspaces, members, groups, tokens, planning records, and history.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use greenlight_domain::{
    id::{ChannelId, GroupId, NoteId, TokenId, UserId, WorkspaceId},
    slots::SlotText,
};
use greenlight_service::views::{ApiToken, Campaign, Channel, Group, Label, Member, Note, Workspace};
use greenlight_service::{accounts, audit, audit_export, planning, workspaces};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    EventPage,
    doc::{ChannelPath, GroupPath, NotePath, TokenPath, UserPath, WorkspacePath},
    session::Verification,
};
use crate::{
    AppState,
    extract::{ApiJson, ApiPath, ApiQuery, Auth},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workspaces, create_workspace))
        .routes(routes!(show_workspace, update_workspace))
        .routes(routes!(list_members, add_member))
        .routes(routes!(set_role, remove_member))
        .routes(routes!(list_groups, create_group))
        .routes(routes!(delete_group))
        .routes(routes!(join_group, leave_group))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_channels, create_channel))
        .routes(routes!(channel_slots, set_channel_slots))
        .routes(routes!(list_campaigns, create_campaign))
        .routes(routes!(list_labels, create_label))
        .routes(routes!(list_notes, add_note))
        .routes(routes!(delete_note))
        .routes(routes!(workspace_history))
        .routes(routes!(verify_workspace))
        .routes(routes!(export_audit))
        .routes(routes!(verify_audit_export))
}

type Res = Result<Response, Problem>;

fn created(body: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// The workspaces the caller is a member of (all of them for an instance administrator).
#[utoipa::path(get, path = "/workspaces", tag = "workspaces", responses((status = 200, description = "Done", body = Vec<Workspace>), (status = "4XX", response = Problem)))]
async fn list_workspaces(State(s): State<AppState>, Auth(c): Auth) -> Res {
    Ok(Json(workspaces::workspaces(&s.app, &c).await?).into_response())
}

/// Creates a workspace (instance administrators only).
#[utoipa::path(post, path = "/workspaces", tag = "workspaces", request_body = workspaces::NewWorkspace, responses((status = 201, description = "Created", body = Workspace), (status = "4XX", response = Problem)))]
async fn create_workspace(State(s): State<AppState>, Auth(c): Auth, ApiJson(input): ApiJson<workspaces::NewWorkspace>) -> Res {
    Ok(created(workspaces::create_workspace(&s.app, &c, input).await?))
}

/// One workspace.
#[utoipa::path(get, path = "/workspaces/{ws}", tag = "workspaces", params(WorkspacePath), responses((status = 200, description = "Done", body = Workspace), (status = "4XX", response = Problem)))]
async fn show_workspace(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(workspaces::workspace(&s.app, &c, ws).await?).into_response())
}

/// Renames a workspace or changes its time zone.
#[utoipa::path(patch, path = "/workspaces/{ws}", tag = "workspaces", params(WorkspacePath), request_body = workspaces::WorkspaceChange, responses((status = 200, description = "Done", body = Workspace), (status = "4XX", response = Problem)))]
async fn update_workspace(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<workspaces::WorkspaceChange>,
) -> Res {
    Ok(Json(workspaces::update_workspace(&s.app, &c, ws, input).await?).into_response())
}

/// The members and their roles.
#[utoipa::path(get, path = "/workspaces/{ws}/members", tag = "workspaces", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<Member>), (status = "4XX", response = Problem)))]
async fn list_members(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(workspaces::members(&s.app, &c, ws).await?).into_response())
}

/// Adds a user as a member with a role (only an owner grants owner).
#[utoipa::path(post, path = "/workspaces/{ws}/members", tag = "workspaces", params(WorkspacePath), request_body = workspaces::NewMember, responses((status = 201, description = "Created", body = Member), (status = "4XX", response = Problem)))]
async fn add_member(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<workspaces::NewMember>,
) -> Res {
    Ok(created(workspaces::add_member(&s.app, &c, ws, input).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RoleInput {
    #[schema(value_type = greenlight_domain::permission::Role)]
    role: String,
}

/// Changes a member's role; the last owner cannot step down.
#[utoipa::path(put, path = "/workspaces/{ws}/members/{user}", tag = "workspaces", params(WorkspacePath, UserPath), request_body = RoleInput, responses((status = 204, description = "Done; no content"), (status = "4XX", response = Problem)))]
async fn set_role(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, user)): ApiPath<(WorkspaceId, UserId)>,
    ApiJson(input): ApiJson<RoleInput>,
) -> Res {
    workspaces::set_role(&s.app, &c, ws, user, &input.role).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes a member; the last owner cannot be removed.
#[utoipa::path(delete, path = "/workspaces/{ws}/members/{user}", tag = "workspaces", params(WorkspacePath, UserPath), responses((status = 204, description = "Done; no content"), (status = "4XX", response = Problem)))]
async fn remove_member(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, user)): ApiPath<(WorkspaceId, UserId)>) -> Res {
    workspaces::remove_member(&s.app, &c, ws, user).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The groups and their members.
#[utoipa::path(get, path = "/workspaces/{ws}/groups", tag = "workspaces", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<Group>), (status = "4XX", response = Problem)))]
async fn list_groups(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(workspaces::groups(&s.app, &c, ws).await?).into_response())
}

/// Creates a group of members, e.g. "QA volunteers".
#[utoipa::path(post, path = "/workspaces/{ws}/groups", tag = "workspaces", params(WorkspacePath), request_body = workspaces::NewGroup, responses((status = 201, description = "Created", body = Group), (status = "4XX", response = Problem)))]
async fn create_group(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<workspaces::NewGroup>,
) -> Res {
    Ok(created(workspaces::create_group(&s.app, &c, ws, input).await?))
}

/// Deletes a group.
#[utoipa::path(delete, path = "/workspaces/{ws}/groups/{group}", tag = "workspaces", params(WorkspacePath, GroupPath), responses((status = 204, description = "Done; no content"), (status = "4XX", response = Problem)))]
async fn delete_group(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, group)): ApiPath<(WorkspaceId, GroupId)>) -> Res {
    workspaces::delete_group(&s.app, &c, ws, group).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Adds a member to a group.
#[utoipa::path(put, path = "/workspaces/{ws}/groups/{group}/members/{user}", tag = "workspaces", params(WorkspacePath, GroupPath, UserPath), responses((status = 200, description = "Done", body = Group), (status = "4XX", response = Problem)))]
async fn join_group(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, group, user)): ApiPath<(WorkspaceId, GroupId, UserId)>) -> Res {
    Ok(Json(workspaces::set_group_membership(&s.app, &c, ws, group, user, true).await?).into_response())
}

/// Takes a member out of a group.
#[utoipa::path(delete, path = "/workspaces/{ws}/groups/{group}/members/{user}", tag = "workspaces", params(WorkspacePath, GroupPath, UserPath), responses((status = 200, description = "Done", body = Group), (status = "4XX", response = Problem)))]
async fn leave_group(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, group, user)): ApiPath<(WorkspaceId, GroupId, UserId)>) -> Res {
    Ok(Json(workspaces::set_group_membership(&s.app, &c, ws, group, user, false).await?).into_response())
}

/// The workspace's API tokens (never their secrets).
#[utoipa::path(get, path = "/workspaces/{ws}/tokens", tag = "tokens", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<ApiToken>), (status = "4XX", response = Problem)))]
async fn list_tokens(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(accounts::tokens(&s.app, &c, ws).await?).into_response())
}

/// Creates an API token; its secret is in this answer and nowhere else.
/// A token's role never exceeds its creator's.
#[utoipa::path(post, path = "/workspaces/{ws}/tokens", tag = "tokens", params(WorkspacePath), request_body = accounts::NewToken, responses((status = 201, description = "Created", body = accounts::CreatedToken), (status = "4XX", response = Problem)))]
async fn create_token(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<accounts::NewToken>,
) -> Res {
    Ok(created(accounts::create_token(&s.app, &c, ws, None, input).await?))
}

/// Revokes a token at once.
#[utoipa::path(delete, path = "/workspaces/{ws}/tokens/{token}", tag = "tokens", params(WorkspacePath, TokenPath), responses((status = 204, description = "Done; no content"), (status = "4XX", response = Problem)))]
async fn revoke_token(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, token)): ApiPath<(WorkspaceId, TokenId)>) -> Res {
    accounts::revoke_token(&s.app, &c, ws, token).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
struct NoteRange {
    /// The first day (in the workspace's time zone), e.g. `2026-12-01`.
    from: String,
    /// The day after the last.
    until: String,
}

/// Notes on the calendar's days from `from` up to `until` (at most 400 days).
#[utoipa::path(get, path = "/workspaces/{ws}/notes", tag = "planning", params(WorkspacePath, NoteRange), responses((status = 200, description = "Done", body = Vec<Note>), (status = "4XX", response = Problem)))]
async fn list_notes(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>, ApiQuery(q): ApiQuery<NoteRange>) -> Res {
    let day = |field: &str, v: &str| greenlight_domain::schedule::parse_day(v).map_err(|why| greenlight_service::Error::field(field, why));
    let (from, until) = (day("from", &q.from)?, day("until", &q.until)?);
    Ok(Json(planning::notes(&s.app, &c, ws, from, until).await?).into_response())
}

/// Adds a note to a calendar day (creators and up).
#[utoipa::path(post, path = "/workspaces/{ws}/notes", tag = "planning", params(WorkspacePath), request_body = planning::NewNote, responses((status = 201, description = "Created", body = Note), (status = "4XX", response = Problem)))]
async fn add_note(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<planning::NewNote>,
) -> Res {
    Ok(created(planning::add_note(&s.app, &c, ws, input).await?))
}

/// Removes a note (its author, or whoever manages campaigns and labels).
#[utoipa::path(delete, path = "/workspaces/{ws}/notes/{note}", tag = "planning", params(WorkspacePath, NotePath), responses((status = 204, description = "Done; no content"), (status = "4XX", response = Problem)))]
async fn delete_note(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, note)): ApiPath<(WorkspaceId, NoteId)>) -> Res {
    planning::delete_note(&s.app, &c, ws, note).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A channel's posting slots: weekly times in the workspace's zone, which "add to queue" fills in order.
#[utoipa::path(get, path = "/workspaces/{ws}/channels/{channel}/slots", tag = "planning", params(WorkspacePath, ChannelPath), responses((status = 200, description = "Done", body = Vec<SlotText>), (status = "4XX", response = Problem)))]
async fn channel_slots(State(s): State<AppState>, Auth(c): Auth, ApiPath((ws, channel)): ApiPath<(WorkspaceId, ChannelId)>) -> Res {
    Ok(Json(planning::slots(&s.app, &c, ws, channel).await?).into_response())
}

/// Replaces a channel's posting slots, e.g. `[{"weekday": "monday", "time": "09:00"}]` (at most 28; an empty list clears them).
#[utoipa::path(put, path = "/workspaces/{ws}/channels/{channel}/slots", tag = "planning", params(WorkspacePath, ChannelPath), request_body = Vec<SlotText>, responses((status = 200, description = "Done", body = Vec<SlotText>), (status = "4XX", response = Problem)))]
async fn set_channel_slots(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath((ws, channel)): ApiPath<(WorkspaceId, ChannelId)>,
    ApiJson(input): ApiJson<Vec<SlotText>>,
) -> Res {
    Ok(Json(planning::set_slots(&s.app, &c, ws, channel, input).await?).into_response())
}

/// The channels posts can target.
#[utoipa::path(get, path = "/workspaces/{ws}/channels", tag = "planning", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<Channel>), (status = "4XX", response = Problem)))]
async fn list_channels(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(planning::channels(&s.app, &c, ws).await?).into_response())
}

/// Adds a channel: a network account.
#[utoipa::path(post, path = "/workspaces/{ws}/channels", tag = "planning", params(WorkspacePath), request_body = planning::NewChannel, responses((status = 201, description = "Created", body = Channel), (status = "4XX", response = Problem)))]
async fn create_channel(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<planning::NewChannel>,
) -> Res {
    Ok(created(planning::create_channel(&s.app, &c, ws, input).await?))
}

/// The campaigns.
#[utoipa::path(get, path = "/workspaces/{ws}/campaigns", tag = "planning", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<Campaign>), (status = "4XX", response = Problem)))]
async fn list_campaigns(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(planning::campaigns(&s.app, &c, ws).await?).into_response())
}

/// Creates a campaign.
#[utoipa::path(post, path = "/workspaces/{ws}/campaigns", tag = "planning", params(WorkspacePath), request_body = planning::NewCampaign, responses((status = 201, description = "Created", body = Campaign), (status = "4XX", response = Problem)))]
async fn create_campaign(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<planning::NewCampaign>,
) -> Res {
    Ok(created(planning::create_campaign(&s.app, &c, ws, input).await?))
}

/// The labels (content pillars).
#[utoipa::path(get, path = "/workspaces/{ws}/labels", tag = "planning", params(WorkspacePath), responses((status = 200, description = "Done", body = Vec<Label>), (status = "4XX", response = Problem)))]
async fn list_labels(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    Ok(Json(planning::labels(&s.app, &c, ws).await?).into_response())
}

/// Creates a label.
#[utoipa::path(post, path = "/workspaces/{ws}/labels", tag = "planning", params(WorkspacePath), request_body = planning::NewLabel, responses((status = 201, description = "Created", body = Label), (status = "4XX", response = Problem)))]
async fn create_label(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(input): ApiJson<planning::NewLabel>,
) -> Res {
    Ok(created(planning::create_label(&s.app, &c, ws, input).await?))
}

/// Pages of history.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// The `seq` of the last event seen (the previous page's `next_cursor`).
    #[serde(default)]
    pub after: i64,
    /// Events per page, at most 200 (default 100).
    #[serde(default = "default_limit")]
    pub limit: i64,
}

fn default_limit() -> i64 {
    100
}

pub fn history_page(events: Vec<greenlight_domain::audit::Event>, limit: i64) -> Response {
    let next_cursor = (events.len() as i64 >= limit).then(|| events.last().map(|e| e.seq)).flatten();
    Json(EventPage { items: events, next_cursor }).into_response()
}

/// The workspace's audit log, oldest first, a page at a time.
#[utoipa::path(get, path = "/workspaces/{ws}/history", tag = "audit", params(WorkspacePath, HistoryQuery), responses((status = 200, description = "Done", body = EventPage), (status = "4XX", response = Problem)))]
async fn workspace_history(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Res {
    let events = audit::workspace_history(&s.app, &c, ws, q.after, q.limit).await?;
    Ok(history_page(events, q.limit))
}

/// Re-computes the workspace's audit chain and reports its first broken link.
#[utoipa::path(get, path = "/workspaces/{ws}/audit/verify", tag = "audit", params(WorkspacePath), responses((status = 200, description = "Done", body = Verification), (status = "4XX", response = Problem)))]
async fn verify_workspace(State(s): State<AppState>, Auth(c): Auth, ApiPath(ws): ApiPath<WorkspaceId>) -> Res {
    let report = audit::verify_workspace(&s.app, &c, ws).await?;
    Ok(Json(Verification { intact: report.is_intact(), chains: vec![report] }).into_response())
}

/// A period of whole days in the workspace's zone.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// The first day (default: 29 days before `to`).
    pub from: Option<String>,
    /// The last day, included (default: today).
    pub to: Option<String>,
}

/// The workspace's audit record for a period as a signed bundle: the events,
/// the signed checkpoints, and the contents of the revisions approved, with
/// the instance's Ed25519 signature over the bundle's SHA-256.
#[utoipa::path(get, path = "/workspaces/{ws}/audit/export", tag = "audit", params(WorkspacePath, PeriodQuery), responses((status = 200, description = "Done", body = audit_export::SignedBundle), (status = "4XX", response = Problem)))]
async fn export_audit(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Res {
    let bundle = audit_export::export(&s.app, &c, ws, q.from.as_deref(), q.to.as_deref()).await?;
    Ok(audit_attachment(ws, bundle))
}

/// A signed audit bundle as a file to keep (the API's and the web app's).
pub(crate) fn audit_attachment(ws: WorkspaceId, bundle: audit_export::SignedBundle) -> Response {
    let disposition = format!("attachment; filename=\"greenlight-audit-{ws}.json\"");
    ([(axum::http::header::CONTENT_DISPOSITION, disposition)], Json(bundle)).into_response()
}

/// Verifies a bundle this instance exported for the workspace: its
/// signature, events, checkpoints and approved contents, and that the
/// database still holds and extends what it says. Takes bundles up to the
/// JSON body limit (`server.max_body_kib`); the web app's audit page takes
/// them up to the upload limit.
#[utoipa::path(post, path = "/workspaces/{ws}/audit/export/verify", tag = "audit", params(WorkspacePath), request_body = audit_export::SignedBundle, responses((status = 200, description = "Done", body = audit_export::BundleReport), (status = "4XX", response = Problem)))]
async fn verify_audit_export(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(bundle): ApiJson<audit_export::SignedBundle>,
) -> Res {
    Ok(Json(audit_export::verify(&s.app, &c, ws, &bundle).await?).into_response())
}
