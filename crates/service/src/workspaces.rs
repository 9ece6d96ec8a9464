//! Workspaces, members, roles and groups.

use greenlight_domain::{
    audit::Chain,
    id::{GroupId, UserId, WorkspaceId},
    names::{Email, Name, ZoneName},
    permission::{Permission, Role},
    validation::Errors,
};
use greenlight_store::{
    Tx, accounts,
    workspaces::{self, Group, Workspace},
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller, access,
    audit::record,
    error::{Error, Result},
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkspace {
    #[schema(value_type = greenlight_domain::names::Name)]
    pub name: String,
    #[serde(default = "default_zone")]
    #[schema(value_type = greenlight_domain::names::ZoneName)]
    pub time_zone: String,
    /// The first owner; defaults to the caller.
    #[serde(default)]
    #[schema(value_type = Option<greenlight_domain::names::Email>)]
    pub owner_email: Option<String>,
}

fn default_zone() -> String {
    "UTC".into()
}

pub async fn create_workspace(app: &App, caller: &Caller, input: NewWorkspace) -> Result<crate::views::Workspace> {
    caller.require_instance_admin()?;
    let mut errors = Errors::new();
    let name = errors.check("name", Name::parse(&input.name));
    let zone = errors.check("time_zone", ZoneName::parse(&input.time_zone));
    let owner_email = input.owner_email.as_deref().map(Email::parse).transpose();
    let owner_email = errors.check("owner_email", owner_email);
    let (Some(name), Some(zone), Some(owner_email)) = (name, zone, owner_email) else { return Err(Error::Invalid(errors.into_vec())) };

    let mut tx = app.db.write().await?;
    let owner = match owner_email {
        Some(email) => Some(
            accounts::user_by_email(&mut tx, email.as_str())
                .await?
                .ok_or_else(|| Error::field_said("owner_email", "err-ws-no-such-user", []))?
                .0
                .id,
        ),
        None => caller.user,
    };
    let ws = Workspace {
        id: WorkspaceId::from_uuid(Uuid::now_v7()),
        name: name.as_str().into(),
        time_zone: zone.as_str().into(),
        created_at: app.now(),
    };
    workspaces::insert_workspace(&mut tx, &ws).await?;
    record(&mut tx, app, caller, Chain::Instance, "workspace.created", ("workspace", Some(ws.id.uuid())), json!({ "name": ws.name }))
        .await?;
    let data = json!({ "name": ws.name, "time_zone": ws.time_zone });
    record(&mut tx, app, caller, Chain::Workspace(ws.id), "workspace.created", ("workspace", Some(ws.id.uuid())), data).await?;
    if let Some(owner) = owner {
        add(&mut tx, app, caller, ws.id, owner, Role::Owner).await?;
    }
    tx.commit().await?;
    Ok(ws.into())
}

/// The workspaces the caller can see.
pub async fn workspaces(app: &App, caller: &Caller) -> Result<Vec<crate::views::Workspace>> {
    let mut tx = app.db.read().await?;
    match (&caller.via, caller.user) {
        (crate::Via::Token { workspace, .. }, _) => {
            Ok(workspaces::workspace(&mut tx, *workspace).await?.into_iter().map(Into::into).collect())
        }
        _ if caller.is_admin => Ok(crate::views::all(workspaces::all_workspaces(&mut tx).await?)),
        (_, Some(user)) => Ok(crate::views::all(workspaces::workspaces_of(&mut tx, user).await?)),
        _ => Ok(Vec::new()),
    }
}

pub async fn workspace(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<crate::views::Workspace> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    workspaces::workspace(&mut tx, ws).await?.map(Into::into).ok_or(Error::NotFound("workspace"))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceChange {
    #[schema(value_type = Option<greenlight_domain::names::Name>)]
    pub name: Option<String>,
    #[schema(value_type = Option<greenlight_domain::names::ZoneName>)]
    pub time_zone: Option<String>,
}

pub async fn update_workspace(app: &App, caller: &Caller, ws: WorkspaceId, change: WorkspaceChange) -> Result<crate::views::Workspace> {
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageWorkspace).await?;
    let mut current = workspaces::workspace(&mut tx, ws).await?.ok_or(Error::NotFound("workspace"))?;
    let mut errors = Errors::new();
    if let Some(name) = change.name.as_deref().and_then(|n| errors.check("name", Name::parse(n))) {
        current.name = name.as_str().into();
    }
    if let Some(zone) = change.time_zone.as_deref().and_then(|z| errors.check("time_zone", ZoneName::parse(z))) {
        current.time_zone = zone.as_str().into();
    }
    errors.into_result()?;
    workspaces::update_workspace(&mut tx, &current).await?;
    let data = json!({ "name": current.name, "time_zone": current.time_zone });
    record(&mut tx, app, caller, Chain::Workspace(ws), "workspace.updated", ("workspace", Some(ws.uuid())), data).await?;
    tx.commit().await?;
    Ok(current.into())
}

/// The caller's role in the workspace ("not found" when they have none).
pub async fn role(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Role> {
    let mut tx = app.db.read().await?;
    access::role_in(&mut tx, caller, ws).await
}

pub async fn members(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::Member>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(crate::views::all(workspaces::members(&mut tx, ws).await?))
}

fn parse_role(input: &str) -> Result<Role> {
    Role::parse(input).ok_or_else(|| Error::field_said("role", "err-ws-role-choice", []))
}

/// Only an owner hands out or takes away ownership.
fn check_grant(caller_role: Role, role: Role) -> Result<()> {
    if role == Role::Owner && caller_role != Role::Owner {
        return Err(Error::forbidden("err-ws-owner-only", []));
    }
    Ok(())
}

async fn add(tx: &mut Tx, app: &App, caller: &Caller, ws: WorkspaceId, user: UserId, role: Role) -> Result<()> {
    match workspaces::insert_member(tx, ws, user, role, app.now()).await {
        Err(greenlight_store::StoreError::Duplicate) => return Err(Error::conflict("err-ws-already-member", [])),
        other => other?,
    }
    let data = json!({ "user_id": user, "role": role.as_str() });
    record(tx, app, caller, Chain::Workspace(ws), "member.added", ("user", Some(user.uuid())), data).await?;
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    #[schema(value_type = greenlight_domain::names::Email)]
    pub email: String,
    #[schema(value_type = greenlight_domain::permission::Role)]
    pub role: String,
}

pub async fn add_member(app: &App, caller: &Caller, ws: WorkspaceId, input: NewMember) -> Result<crate::views::Member> {
    let role = parse_role(&input.role)?;
    let email = Email::parse(&input.email).map_err(|e| Error::parsed("email", e))?;
    let mut tx = app.db.write().await?;
    let caller_role = access::require_exclusive(&mut tx, caller, ws, Permission::ManageMembers).await?;
    check_grant(caller_role, role)?;
    let (user, _) =
        accounts::user_by_email(&mut tx, email.as_str()).await?.ok_or_else(|| Error::field_said("email", "err-ws-no-user-email", []))?;
    add(&mut tx, app, caller, ws, user.id, role).await?;
    let member = workspaces::members(&mut tx, ws).await?.into_iter().find(|m| m.user_id == user.id).ok_or(Error::NotFound("member"))?;
    tx.commit().await?;
    Ok(member.into())
}

/// Refuses to leave a workspace without an owner.
async fn keep_an_owner(tx: &mut Tx, ws: WorkspaceId, current: Role) -> Result<()> {
    if current == Role::Owner && workspaces::count_owners(tx, ws).await? <= 1 {
        return Err(Error::conflict("err-ws-last-owner", []));
    }
    Ok(())
}

pub async fn set_role(app: &App, caller: &Caller, ws: WorkspaceId, user: UserId, role: &str) -> Result<()> {
    let role = parse_role(role)?;
    let mut tx = app.db.write().await?;
    let caller_role = access::require_exclusive(&mut tx, caller, ws, Permission::ManageMembers).await?;
    let current = workspaces::role_of(&mut tx, ws, user).await?.ok_or(Error::NotFound("member"))?;
    check_grant(caller_role, role)?;
    check_grant(caller_role, current)?;
    if role != Role::Owner {
        keep_an_owner(&mut tx, ws, current).await?;
    }
    workspaces::set_role(&mut tx, ws, user, role).await?;
    let data = json!({ "user_id": user, "from": current.as_str(), "to": role.as_str() });
    record(&mut tx, app, caller, Chain::Workspace(ws), "member.role_changed", ("user", Some(user.uuid())), data).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(app: &App, caller: &Caller, ws: WorkspaceId, user: UserId) -> Result<()> {
    let mut tx = app.db.write().await?;
    let caller_role = access::require_exclusive(&mut tx, caller, ws, Permission::ManageMembers).await?;
    let current = workspaces::role_of(&mut tx, ws, user).await?.ok_or(Error::NotFound("member"))?;
    check_grant(caller_role, current)?;
    keep_an_owner(&mut tx, ws, current).await?;
    workspaces::remove_member(&mut tx, ws, user).await?;
    record(&mut tx, app, caller, Chain::Workspace(ws), "member.removed", ("user", Some(user.uuid())), json!({ "user_id": user })).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    #[schema(value_type = greenlight_domain::names::Name)]
    pub name: String,
    #[serde(default)]
    pub member_ids: Vec<UserId>,
}

async fn check_members(tx: &mut Tx, ws: WorkspaceId, users: &[UserId]) -> Result<()> {
    for user in users {
        if workspaces::role_of(tx, ws, *user).await?.is_none() {
            return Err(Error::field_said("member_ids", "err-ws-group-not-member", [("user", user.to_string())]));
        }
    }
    Ok(())
}

pub async fn create_group(app: &App, caller: &Caller, ws: WorkspaceId, input: NewGroup) -> Result<crate::views::Group> {
    let name = Name::parse(&input.name).map_err(|e| Error::parsed("name", e))?;
    let mut tx = app.db.write().await?;
    access::require_exclusive(&mut tx, caller, ws, Permission::ManageGroups).await?;
    let mut member_ids = input.member_ids;
    member_ids.sort();
    member_ids.dedup();
    check_members(&mut tx, ws, &member_ids).await?;
    let group = insert_group(&mut tx, app, caller, ws, name, member_ids).await?;
    tx.commit().await?;
    Ok(group.into())
}

/// Adds a group and records it, in the caller's transaction (members
/// already checked).
pub(crate) async fn insert_group(
    tx: &mut Tx,
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    name: Name,
    member_ids: Vec<UserId>,
) -> Result<Group> {
    let group =
        Group { id: GroupId::from_uuid(Uuid::now_v7()), workspace_id: ws, name: name.as_str().into(), member_ids, created_at: app.now() };
    match workspaces::insert_group(tx, &group).await {
        Err(greenlight_store::StoreError::Duplicate) => {
            return Err(Error::conflict("err-ws-group-taken", [("name", group.name.to_string())]));
        }
        other => other?,
    }
    let data = json!({ "name": group.name, "member_ids": group.member_ids });
    record(tx, app, caller, Chain::Workspace(ws), "group.created", ("group", Some(group.id.uuid())), data).await?;
    Ok(group)
}

pub async fn groups(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::Group>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(crate::views::all(workspaces::groups(&mut tx, ws).await?))
}

/// Adds (`true`) or removes (`false`) a member of a group.
pub async fn set_group_membership(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    group: GroupId,
    user: UserId,
    member: bool,
) -> Result<crate::views::Group> {
    let mut tx = app.db.write().await?;
    access::require_exclusive(&mut tx, caller, ws, Permission::ManageGroups).await?;
    workspaces::group(&mut tx, ws, group).await?.ok_or(Error::NotFound("group"))?;
    let changed = if member {
        check_members(&mut tx, ws, &[user]).await?;
        workspaces::add_to_group(&mut tx, ws, group, user).await?
    } else {
        workspaces::remove_from_group(&mut tx, group, user).await?
    };
    if changed {
        let action = if member { "group.member_added" } else { "group.member_removed" };
        record(&mut tx, app, caller, Chain::Workspace(ws), action, ("group", Some(group.uuid())), json!({ "user_id": user })).await?;
    }
    let updated = workspaces::group(&mut tx, ws, group).await?.ok_or(Error::NotFound("group"))?;
    tx.commit().await?;
    Ok(updated.into())
}

pub async fn delete_group(app: &App, caller: &Caller, ws: WorkspaceId, group: GroupId) -> Result<()> {
    let mut tx = app.db.write().await?;
    access::require_exclusive(&mut tx, caller, ws, Permission::ManageGroups).await?;
    if !workspaces::delete_group(&mut tx, ws, group).await? {
        return Err(Error::NotFound("group"));
    }
    record(&mut tx, app, caller, Chain::Workspace(ws), "group.deleted", ("group", Some(group.uuid())), json!({})).await?;
    tx.commit().await?;
    Ok(())
}
