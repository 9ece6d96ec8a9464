//! Users, sessions and API tokens.

use greenlight_domain::{
    Timestamp,
    id::{SessionId, TokenId, UserId, WorkspaceId},
    permission::Role,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub created_at: Timestamp,
    /// `en`, `da`; none follows the browser.
    pub language: Option<String>,
}

row! {
    struct UserRow {
        id: Uuid,
        email: String,
        name: String,
        is_admin: bool,
        created_at: DbTime,
        password_hash: String,
        language: Option<String>,
    }
}

impl UserRow {
    fn split(self) -> (User, String) {
        let user = User {
            id: UserId::from_uuid(self.id),
            email: self.email,
            name: self.name,
            is_admin: self.is_admin,
            created_at: self.created_at.0,
            language: self.language,
        };
        (user, self.password_hash)
    }
}

macro_rules! user_select {
    () => {
        "SELECT id, email, name, is_admin, created_at, password_hash, language FROM users "
    };
}

pub async fn insert_user(tx: &mut Tx, user: &User, password_hash: &str) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO users (id, email, name, is_admin, created_at, password_hash, language) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        user.id.uuid(),
        &user.email,
        &user.name,
        user.is_admin,
        DbTime(user.created_at),
        password_hash,
        user.language.as_deref()
    )?;
    Ok(())
}

/// The user and their password hash.
pub async fn user_by_email(tx: &mut Tx, email: &str) -> Result<Option<(User, String)>> {
    let row = sql!(tx, optional as UserRow, concat!(user_select!(), "WHERE email = $1"), email)?;
    Ok(row.map(UserRow::split))
}

pub async fn user(tx: &mut Tx, id: UserId) -> Result<Option<User>> {
    Ok(user_with_hash(tx, id).await?.map(|(user, _)| user))
}

/// The user and their password hash, by id.
pub async fn user_with_hash(tx: &mut Tx, id: UserId) -> Result<Option<(User, String)>> {
    let row = sql!(tx, optional as UserRow, concat!(user_select!(), "WHERE id = $1"), id.uuid())?;
    Ok(row.map(UserRow::split))
}

pub async fn users(tx: &mut Tx) -> Result<Vec<User>> {
    let rows = sql!(tx, all as UserRow, concat!(user_select!(), "ORDER BY email"))?;
    Ok(rows.into_iter().map(|r| r.split().0).collect())
}

pub async fn set_password_hash(tx: &mut Tx, id: UserId, password_hash: &str) -> Result<()> {
    match sql!(tx, exec, "UPDATE users SET password_hash = $2 WHERE id = $1", id.uuid(), password_hash)? {
        0 => Err(StoreError::Corrupt(format!("user {id} vanished"))),
        _ => Ok(()),
    }
}

pub async fn set_language(tx: &mut Tx, id: UserId, language: Option<&str>) -> Result<()> {
    match sql!(tx, exec, "UPDATE users SET language = $2 WHERE id = $1", id.uuid(), language)? {
        0 => Err(StoreError::Corrupt(format!("user {id} vanished"))),
        _ => Ok(()),
    }
}

pub async fn any_user(tx: &mut Tx) -> Result<bool> {
    Ok(sql!(tx, optional as (Uuid,), "SELECT id FROM users LIMIT 1")?.is_some())
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

pub async fn insert_session(tx: &mut Tx, session: &Session, token_hash: &str, now: Timestamp) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO sessions (id, user_id, token_hash, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        session.id.uuid(),
        session.user_id.uuid(),
        token_hash,
        &session.csrf_token,
        DbTime(now),
        DbTime(session.expires_at)
    )?;
    Ok(())
}

pub async fn session_by_token_hash(tx: &mut Tx, token_hash: &str, now: Timestamp) -> Result<Option<Session>> {
    let row = sql!(
        tx,
        optional as (Uuid, Uuid, String, DbTime),
        "SELECT id, user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        token_hash,
        DbTime(now)
    )?;
    Ok(row.map(|(id, user, csrf, expires)| Session {
        id: SessionId::from_uuid(id),
        user_id: UserId::from_uuid(user),
        csrf_token: csrf,
        expires_at: expires.0,
    }))
}

pub async fn delete_session(tx: &mut Tx, token_hash: &str) -> Result<u64> {
    Ok(sql!(tx, exec, "DELETE FROM sessions WHERE token_hash = $1", token_hash)?)
}

/// Ends every session of a user (after a password reset) and expired ones of anybody.
pub async fn delete_sessions(tx: &mut Tx, user: UserId, now: Timestamp) -> Result<u64> {
    Ok(sql!(tx, exec, "DELETE FROM sessions WHERE user_id = $1 OR expires_at <= $2", user.uuid(), DbTime(now))?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

row! {
    struct TokenRow {
        id: Uuid,
        workspace_id: Uuid,
        user_id: Uuid,
        name: String,
        role: String,
        created_at: DbTime,
        last_used_at: Option<DbTime>,
        revoked_at: Option<DbTime>,
    }
}

impl TryFrom<TokenRow> for ApiToken {
    type Error = StoreError;
    fn try_from(r: TokenRow) -> Result<Self> {
        Ok(ApiToken {
            id: TokenId::from_uuid(r.id),
            workspace_id: WorkspaceId::from_uuid(r.workspace_id),
            user_id: UserId::from_uuid(r.user_id),
            name: r.name,
            role: parse_role(&r.role)?,
            created_at: r.created_at.0,
            last_used_at: r.last_used_at.map(|t| t.0),
            revoked_at: r.revoked_at.map(|t| t.0),
        })
    }
}

pub(crate) fn parse_role(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown role `{text}`")))
}

pub async fn insert_token(tx: &mut Tx, token: &ApiToken, token_hash: &str) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO api_tokens (id, workspace_id, user_id, name, token_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        token.id.uuid(),
        token.workspace_id.uuid(),
        token.user_id.uuid(),
        &token.name,
        token_hash,
        token.role.as_str(),
        DbTime(token.created_at)
    )?;
    Ok(())
}

macro_rules! token_select {
    () => {
        "SELECT id, workspace_id, user_id, name, role, created_at, last_used_at, revoked_at FROM api_tokens "
    };
}

/// A live (not revoked) token by the hash of its secret.
pub async fn token_by_hash(tx: &mut Tx, token_hash: &str) -> Result<Option<ApiToken>> {
    sql!(tx, optional as TokenRow, concat!(token_select!(), "WHERE token_hash = $1 AND revoked_at IS NULL"), token_hash)?
        .map(ApiToken::try_from)
        .transpose()
}

pub async fn tokens(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<ApiToken>> {
    sql!(tx, all as TokenRow, concat!(token_select!(), "WHERE workspace_id = $1 ORDER BY id"), workspace.uuid())?
        .into_iter()
        .map(ApiToken::try_from)
        .collect()
}

pub async fn touch_token(tx: &mut Tx, id: TokenId, now: Timestamp) -> Result<()> {
    sql!(tx, exec, "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", id.uuid(), DbTime(now))?;
    Ok(())
}

/// Revokes a live token of the workspace; false if there is none.
pub async fn revoke_token(tx: &mut Tx, workspace: WorkspaceId, id: TokenId, now: Timestamp) -> Result<bool> {
    let n = sql!(
        tx,
        exec,
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND workspace_id = $2 AND revoked_at IS NULL",
        id.uuid(),
        workspace.uuid(),
        DbTime(now)
    )?;
    Ok(n > 0)
}
