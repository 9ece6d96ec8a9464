//! Workspaces, their members and roles, and groups of members.

use greenlight_domain::{
    Timestamp,
    id::{GroupId, UserId, WorkspaceId},
    permission::Role,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    accounts::parse_role,
    db::{Result, Tx},
    time::DbTime,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub time_zone: String,
    pub created_at: Timestamp,
}

type WorkspaceRow = (Uuid, String, String, DbTime);

fn workspace_from((id, name, time_zone, created_at): WorkspaceRow) -> Workspace {
    Workspace { id: WorkspaceId::from_uuid(id), name, time_zone, created_at: created_at.0 }
}

pub async fn insert_workspace(tx: &mut Tx, ws: &Workspace) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO workspaces (id, name, time_zone, created_at) VALUES ($1, $2, $3, $4)",
        ws.id.uuid(),
        &ws.name,
        &ws.time_zone,
        DbTime(ws.created_at)
    )?;
    Ok(())
}

pub async fn update_workspace(tx: &mut Tx, ws: &Workspace) -> Result<()> {
    sql!(tx, exec, "UPDATE workspaces SET name = $2, time_zone = $3 WHERE id = $1", ws.id.uuid(), &ws.name, &ws.time_zone)?;
    Ok(())
}

/// Locks the workspace's row until the transaction ends, so writes whose
/// rules read other rows first (the last owner, group members, routes) run
/// one after the other. SQLite's one writer (`BEGIN IMMEDIATE`) already
/// does that; PostgreSQL's READ COMMITTED would let both read, then both
/// write. `NO KEY UPDATE` leaves inserts that refer to the workspace free.
pub async fn lock(tx: &mut Tx, id: WorkspaceId) -> Result<()> {
    if let Tx::Postgres(tx) = tx {
        sqlx::query("SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE").bind(id.uuid()).fetch_optional(&mut **tx).await?;
    }
    Ok(())
}

pub async fn workspace(tx: &mut Tx, id: WorkspaceId) -> Result<Option<Workspace>> {
    let row = sql!(tx, optional as WorkspaceRow, "SELECT id, name, time_zone, created_at FROM workspaces WHERE id = $1", id.uuid())?;
    Ok(row.map(workspace_from))
}

/// Every workspace, for instance administrators.
pub async fn all_workspaces(tx: &mut Tx) -> Result<Vec<Workspace>> {
    let rows = sql!(tx, all as WorkspaceRow, "SELECT id, name, time_zone, created_at FROM workspaces ORDER BY name, id")?;
    Ok(rows.into_iter().map(workspace_from).collect())
}

/// The workspaces a user is a member of.
pub async fn workspaces_of(tx: &mut Tx, user: UserId) -> Result<Vec<Workspace>> {
    let rows = sql!(
        tx,
        all as WorkspaceRow,
        "SELECT w.id, w.name, w.time_zone, w.created_at FROM workspaces w JOIN members m ON m.workspace_id = w.id
         WHERE m.user_id = $1 ORDER BY w.name, w.id",
        user.uuid()
    )?;
    Ok(rows.into_iter().map(workspace_from).collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub joined_at: Timestamp,
}

pub async fn role_of(tx: &mut Tx, workspace: WorkspaceId, user: UserId) -> Result<Option<Role>> {
    let row = sql!(
        tx,
        optional as (String,),
        "SELECT role FROM members WHERE workspace_id = $1 AND user_id = $2",
        workspace.uuid(),
        user.uuid()
    )?;
    row.map(|(role,)| parse_role(&role)).transpose()
}

pub async fn insert_member(tx: &mut Tx, workspace: WorkspaceId, user: UserId, role: Role, now: Timestamp) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO members (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
        workspace.uuid(),
        user.uuid(),
        role.as_str(),
        DbTime(now)
    )?;
    Ok(())
}

pub async fn set_role(tx: &mut Tx, workspace: WorkspaceId, user: UserId, role: Role) -> Result<bool> {
    let n = sql!(
        tx,
        exec,
        "UPDATE members SET role = $3 WHERE workspace_id = $1 AND user_id = $2",
        workspace.uuid(),
        user.uuid(),
        role.as_str()
    )?;
    Ok(n > 0)
}

pub async fn remove_member(tx: &mut Tx, workspace: WorkspaceId, user: UserId) -> Result<bool> {
    let n = sql!(tx, exec, "DELETE FROM members WHERE workspace_id = $1 AND user_id = $2", workspace.uuid(), user.uuid())?;
    Ok(n > 0)
}

pub async fn count_owners(tx: &mut Tx, workspace: WorkspaceId) -> Result<i64> {
    let (n,) = sql!(tx, one as (i64,), "SELECT COUNT(*) FROM members WHERE workspace_id = $1 AND role = 'owner'", workspace.uuid())?;
    Ok(n)
}

pub async fn members(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<Member>> {
    let rows = sql!(
        tx,
        all as (Uuid, String, String, String, DbTime),
        "SELECT u.id, u.email, u.name, m.role, m.created_at FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.workspace_id = $1 ORDER BY u.name, u.id",
        workspace.uuid()
    )?;
    rows.into_iter()
        .map(|(id, email, name, role, joined)| {
            Ok(Member { user_id: UserId::from_uuid(id), email, name, role: parse_role(&role)?, joined_at: joined.0 })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: GroupId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub member_ids: Vec<UserId>,
    pub created_at: Timestamp,
}

pub async fn insert_group(tx: &mut Tx, group: &Group) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO member_groups (id, workspace_id, name, created_at) VALUES ($1, $2, $3, $4)",
        group.id.uuid(),
        group.workspace_id.uuid(),
        &group.name,
        DbTime(group.created_at)
    )?;
    for user in &group.member_ids {
        add_to_group(tx, group.workspace_id, group.id, *user).await?;
    }
    Ok(())
}

/// Adds a member to a group; `StoreError::Corrupt` never, a foreign-key
/// failure (not a member) surfaces as a database error the caller checks first.
pub async fn add_to_group(tx: &mut Tx, workspace: WorkspaceId, group: GroupId, user: UserId) -> Result<bool> {
    let n = sql!(
        tx,
        exec,
        "INSERT INTO group_members (group_id, workspace_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        group.uuid(),
        workspace.uuid(),
        user.uuid()
    )?;
    Ok(n > 0)
}

pub async fn remove_from_group(tx: &mut Tx, group: GroupId, user: UserId) -> Result<bool> {
    let n = sql!(tx, exec, "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2", group.uuid(), user.uuid())?;
    Ok(n > 0)
}

pub async fn delete_group(tx: &mut Tx, workspace: WorkspaceId, group: GroupId) -> Result<bool> {
    let n = sql!(tx, exec, "DELETE FROM member_groups WHERE id = $1 AND workspace_id = $2", group.uuid(), workspace.uuid())?;
    Ok(n > 0)
}

type GroupRow = (Uuid, String, DbTime, Option<Uuid>);

/// Folds group rows (one per member, ordered by group) into groups.
fn fold_groups(workspace: WorkspaceId, rows: Vec<GroupRow>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (id, name, created_at, user) in rows {
        let id = GroupId::from_uuid(id);
        if groups.last().map(|g| g.id) != Some(id) {
            groups.push(Group { id, workspace_id: workspace, name, member_ids: Vec::new(), created_at: created_at.0 });
        }
        if let (Some(group), Some(user)) = (groups.last_mut(), user) {
            group.member_ids.push(UserId::from_uuid(user));
        }
    }
    groups
}

macro_rules! group_select {
    () => {
        "SELECT g.id, g.name, g.created_at, gm.user_id FROM member_groups g
         LEFT JOIN group_members gm ON gm.group_id = g.id
         WHERE g.workspace_id = $1 "
    };
}

pub async fn groups(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<Group>> {
    let rows = sql!(tx, all as GroupRow, concat!(group_select!(), "ORDER BY g.name, g.id, gm.user_id"), workspace.uuid())?;
    Ok(fold_groups(workspace, rows))
}

pub async fn group(tx: &mut Tx, workspace: WorkspaceId, id: GroupId) -> Result<Option<Group>> {
    let rows = sql!(tx, all as GroupRow, concat!(group_select!(), "AND g.id = $2 ORDER BY gm.user_id"), workspace.uuid(), id.uuid())?;
    Ok(fold_groups(workspace, rows).pop())
}
