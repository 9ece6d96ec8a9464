//! Delegation: a member names a stand-in for a period (out of office).
//! Review requests addressed to them go to the delegate too, and a
//! decision by the delegate is recorded as made for them.

use crate::error::AddWords as _;
use greenlight_domain::{
    Timestamp,
    audit::Chain,
    id::{DelegationId, UserId, WorkspaceId},
    permission::Permission,
    validation::Errors,
};
use greenlight_store::workflows::{self, StoredDelegation};
use greenlight_store::workspaces;
use jiff::SignedDuration;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller, access,
    audit::record,
    error::{Error, Result},
};

/// The longest delegation: a stand-in, not a transfer of someone's duties.
const MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDelegation {
    /// Whose requests are delegated; yourself unless you manage members.
    #[serde(default)]
    pub from_user: Option<UserId>,
    pub delegate: UserId,
    /// Defaults to now.
    #[serde(default)]
    pub starts_at: Option<Timestamp>,
    pub ends_at: Timestamp,
}

pub async fn create_delegation(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    input: NewDelegation,
) -> Result<crate::views::StoredDelegation> {
    let user = caller.require_user()?;
    let mut tx = app.db.write().await?;
    // Only one who decides reviews has reviews to hand over; a token's role caps the user's.
    let role = access::require_exclusive(&mut tx, caller, ws, Permission::DecideReviews).await?;
    let from = input.from_user.unwrap_or(user);
    if from != user && !role.can(Permission::ManageMembers) {
        return Err(Error::forbidden("err-deleg-own-only", [("role", role.to_string())]));
    }
    let now = app.now();
    let starts_at = input.starts_at.unwrap_or(now);
    let mut errors = Errors::new();
    let members = workspaces::members(&mut tx, ws).await?;
    let role_of = |u: UserId| members.iter().find(|m| m.user_id == u).map(|m| m.role);
    if role_of(from).is_none() {
        errors.add_words("from_user", "err-deleg-not-member", []);
    }
    match role_of(input.delegate) {
        None => errors.add_words("delegate", "err-deleg-not-member", []),
        Some(r) if !r.can(Permission::DecideReviews) => errors.add_words("delegate", "err-review-cannot-decide", [("role", r.to_string())]),
        Some(_) => {}
    }
    if input.delegate == from {
        errors.add_words("delegate", "err-deleg-self", []);
    }
    if input.ends_at <= starts_at {
        errors.add_words("ends_at", "err-deleg-ends-before-start", []);
    } else if input.ends_at <= now {
        errors.add_words("ends_at", "err-deleg-ends-past", []);
    } else if input.ends_at.duration_since(starts_at) > SignedDuration::from_hours(24 * MAX_DAYS) {
        errors.add_words("ends_at", "err-deleg-too-long", [("max", MAX_DAYS.to_string())]);
    }
    let errors = errors.into_vec();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let delegation = StoredDelegation {
        id: DelegationId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        from_user: from,
        delegate: input.delegate,
        starts_at,
        ends_at: input.ends_at,
        created_by: user,
        created_at: now,
    };
    workflows::insert_delegation(&mut tx, &delegation).await?;
    let data = json!({ "from": from, "delegate": delegation.delegate, "starts_at": starts_at, "ends_at": delegation.ends_at });
    record(&mut tx, app, caller, Chain::Workspace(ws), "delegation.created", ("delegation", Some(delegation.id.uuid())), data).await?;
    tx.commit().await?;
    Ok(delegation.into())
}

/// The workspace's current and coming delegations.
pub async fn delegations(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::StoredDelegation>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(crate::views::all(workflows::delegations(&mut tx, ws, app.now()).await?))
}

/// Ends a delegation: its delegate, the member it stands in for, or a
/// member manager may.
pub async fn delete_delegation(app: &App, caller: &Caller, ws: WorkspaceId, id: DelegationId) -> Result<()> {
    let user = caller.require_user()?;
    let mut tx = app.db.write().await?;
    let role = access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    let own = |d: &StoredDelegation| (d.from_user == user || d.delegate == user) && role.can(Permission::DecideReviews);
    let found =
        workflows::delegations(&mut tx, ws, app.now()).await?.into_iter().find(|d| d.id == id).ok_or(Error::NotFound("delegation"))?;
    if !own(&found) && !role.can(Permission::ManageMembers) {
        return Err(Error::forbidden("err-deleg-end-not-party", [("role", role.to_string())]));
    }
    workflows::delete_delegation(&mut tx, ws, id).await?;
    let data = json!({ "from": found.from_user, "delegate": found.delegate });
    record(&mut tx, app, caller, Chain::Workspace(ws), "delegation.ended", ("delegation", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(())
}
