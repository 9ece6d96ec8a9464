//! Users, logins, sessions and API tokens.

use crate::error::AddWords as _;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use greenlight_domain::{
    Timestamp,
    audit::Chain,
    id::{SessionId, TokenId, UserId, WorkspaceId},
    names::{Email, Name, Password},
    permission::{Permission, Role},
    validation::Errors,
};
use greenlight_store::{
    accounts::{self, ApiToken, Session, User},
    workspaces,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    App, Caller, Via, access,
    audit::record,
    error::{Error, Result},
};

/// The prefix of API tokens, so a leaked one is recognisable (and greppable).
pub const TOKEN_PREFIX: &str = "glt_";

/// A long random secret, URL-safe.
pub(crate) fn secret() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Secrets are stored only as their SHA-256: they are long and random, so a
/// slow hash would add nothing (unlike passwords).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub(crate) async fn hash_password(password: Password) -> Result<String> {
    // Argon2id is deliberately slow: keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(e.to_string().into()))
    })
    .await
    .map_err(Error::internal)?
}

/// Verifies a password; with no stored hash it verifies against a dummy,
/// so an unknown email takes as long as a wrong password.
pub(crate) async fn password_matches(password: String, hash: Option<String>) -> Result<bool> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let dummy =
            || DUMMY.get_or_init(|| Argon2::default().hash_password(b"no such user").map(|h| h.to_string()).unwrap_or_default()).clone();
        let hash = hash.unwrap_or_else(dummy);
        let parsed = PasswordHash::new(&hash).map_err(|e| Error::Internal(e.to_string().into()))?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(Error::internal)?
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(value_type = greenlight_domain::names::Email)]
    pub email: String,
    #[schema(value_type = greenlight_domain::names::Name)]
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub is_admin: bool,
}

pub async fn create_user(app: &App, caller: &Caller, input: NewUser) -> Result<crate::views::User> {
    caller.require_instance_admin()?;
    let mut errors = Errors::new();
    let email = errors.check("email", Email::parse(&input.email));
    let name = errors.check("name", Name::parse(&input.name));
    let password = errors.check("password", Password::parse(&input.password));
    let (Some(email), Some(name), Some(password)) = (email, name, password) else {
        return Err(Error::Invalid(errors.into_vec()));
    };
    let hash = hash_password(password).await?;
    let user = User {
        id: UserId::from_uuid(Uuid::now_v7()),
        email: email.as_str().into(),
        name: name.as_str().into(),
        is_admin: input.is_admin,
        created_at: app.now(),
        language: None,
    };
    let mut tx = app.db.write().await?;
    match accounts::insert_user(&mut tx, &user, &hash).await {
        Err(greenlight_store::StoreError::Duplicate) => {
            return Err(Error::conflict("err-acct-email-taken", [("email", user.email.to_string())]));
        }
        other => other?,
    }
    let data = serde_json::json!({ "email": user.email, "name": user.name, "is_admin": user.is_admin });
    record(&mut tx, app, caller, Chain::Instance, "user.created", ("user", Some(user.id.uuid())), data).await?;
    tx.commit().await?;
    Ok(user.into())
}

pub async fn users(app: &App, caller: &Caller) -> Result<Vec<crate::views::User>> {
    caller.require_instance_admin()?;
    let mut tx = app.db.read().await?;
    Ok(crate::views::all(accounts::users(&mut tx).await?))
}

pub async fn user_by_email(app: &App, email: &str) -> Result<User> {
    let email = Email::parse(email).map_err(|e| Error::parsed("email", e))?;
    let mut tx = app.db.read().await?;
    accounts::user_by_email(&mut tx, email.as_str()).await?.map(|(u, _)| u).ok_or(Error::NotFound("user"))
}

/// Sets a new password and ends the user's sessions: an administrator's
/// reset of somebody else's, or the user's own change, which must name the
/// current password (a stolen session must not lock the real user out).
pub async fn set_password(app: &App, caller: &Caller, user: UserId, password: &str, current: Option<&str>) -> Result<()> {
    let own = caller.user == Some(user);
    if !own || caller.via != Via::Session {
        caller.require_instance_admin()?;
    }
    let password = Password::parse(password).map_err(|e| Error::parsed("password", e))?;
    if own {
        let stored = {
            let mut tx = app.db.read().await?;
            accounts::user_with_hash(&mut tx, user).await?.map(|(_, hash)| hash)
        };
        let current = current.ok_or_else(|| Error::field_said("current_password", "err-acct-current-password-needed", []))?;
        if !password_matches(current.to_owned(), stored).await? {
            return Err(Error::field_said("current_password", "err-acct-current-password-wrong", []));
        }
    }
    let hash = hash_password(password).await?;
    let mut tx = app.db.write().await?;
    accounts::user(&mut tx, user).await?.ok_or(Error::NotFound("user"))?;
    accounts::set_password_hash(&mut tx, user, &hash).await?;
    accounts::delete_sessions(&mut tx, user, app.now()).await?;
    record(&mut tx, app, caller, Chain::Instance, "user.password_set", ("user", Some(user.uuid())), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the language the caller reads Greenlight and its emails in
/// (`en`, `da`), or none to follow the browser.
pub async fn set_language(app: &App, caller: &Caller, language: Option<&str>) -> Result<Option<greenlight_i18n::Lang>> {
    let user = caller.user.ok_or(Error::Unauthenticated)?;
    let lang = match language.map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(tag) => Some(greenlight_i18n::Lang::parse(tag).ok_or_else(|| Error::field_said("language", "err-acct-language-choice", []))?),
    };
    let mut tx = app.db.write().await?;
    accounts::set_language(&mut tx, user, lang.map(greenlight_i18n::Lang::code)).await?;
    let data = serde_json::json!({ "language": lang.map(greenlight_i18n::Lang::code) });
    record(&mut tx, app, caller, Chain::Instance, "user.language_set", ("user", Some(user.uuid())), data).await?;
    tx.commit().await?;
    Ok(lang)
}

/// A new login: the cookie secret (shown once) and the CSRF token.
#[derive(Debug)]
pub struct Login {
    pub user: crate::views::User,
    pub session_secret: String,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// Checks a password and opens a session. Wrong email and wrong password
/// answer the same, and take the same time.
pub async fn login(app: &App, email: &str, password: &str) -> Result<Login> {
    let found = match Email::parse(email) {
        Ok(email) => {
            let mut tx = app.db.read().await?;
            accounts::user_by_email(&mut tx, email.as_str()).await?
        }
        Err(_) => None,
    };
    let ok = password_matches(password.to_owned(), found.as_ref().map(|(_, h)| h.clone())).await?;
    let Some((user, _)) = found.filter(|_| ok) else { return Err(Error::Unauthenticated) };

    let now = app.now();
    let session_secret = secret();
    let expires_at = now.checked_add(jiff::SignedDuration::from_hours(24 * app.settings.session_days)).map_err(Error::internal)?;
    let session = Session { id: SessionId::from_uuid(Uuid::now_v7()), user_id: user.id, csrf_token: secret(), expires_at };
    let mut tx = app.db.write().await?;
    accounts::insert_session(&mut tx, &session, &secret_hash(&session_secret), now).await?;
    let caller = Caller::session(user.id, user.is_admin);
    record(&mut tx, app, &caller, Chain::Instance, "user.logged_in", ("user", Some(user.id.uuid())), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(Login { user: user.into(), session_secret, csrf_token: session.csrf_token, expires_at })
}

pub async fn logout(app: &App, session_secret: &str) -> Result<()> {
    let mut tx = app.db.write().await?;
    accounts::delete_session(&mut tx, &secret_hash(session_secret)).await?;
    tx.commit().await?;
    Ok(())
}

/// The caller behind a session cookie, with the session's CSRF token.
pub async fn session_caller(app: &App, session_secret: &str) -> Result<(Caller, crate::views::User, String)> {
    let mut tx = app.db.read().await?;
    let session = accounts::session_by_token_hash(&mut tx, &secret_hash(session_secret), app.now()).await?.ok_or(Error::Unauthenticated)?;
    let user = accounts::user(&mut tx, session.user_id).await?.ok_or(Error::Unauthenticated)?;
    Ok((Caller::session(user.id, user.is_admin), user.into(), session.csrf_token))
}

/// The caller behind a bearer token.
pub async fn token_caller(app: &App, bearer: &str) -> Result<Caller> {
    if !bearer.starts_with(TOKEN_PREFIX) || bearer.len() > 100 {
        return Err(Error::Unauthenticated);
    }
    let (token, user) = {
        let mut tx = app.db.read().await?;
        let token = accounts::token_by_hash(&mut tx, &secret_hash(bearer)).await?.ok_or(Error::Unauthenticated)?;
        let user = accounts::user(&mut tx, token.user_id).await?.ok_or(Error::Unauthenticated)?;
        (token, user)
    };
    // Record use at most once a minute: a busy token must not take the
    // write lock on every request.
    let now = app.now();
    let stale_after = jiff::SignedDuration::from_secs(60);
    if token.last_used_at.is_none_or(|at| now.duration_since(at) >= stale_after) {
        let mut tx = app.db.write().await?;
        accounts::touch_token(&mut tx, token.id, now).await?;
        tx.commit().await?;
    }
    Ok(Caller {
        user: Some(user.id),
        is_admin: user.is_admin,
        via: Via::Token { id: token.id, workspace: token.workspace_id, role: token.role },
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    #[schema(value_type = greenlight_domain::names::Name)]
    pub name: String,
    #[schema(value_type = greenlight_domain::permission::Role)]
    pub role: String,
}

/// A new token; `secret` is shown this once and never stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: crate::views::ApiToken,
    pub secret: String,
}

/// Creates a token acting as `owner` (the caller, or for the CLI any member).
pub async fn create_token(app: &App, caller: &Caller, ws: WorkspaceId, owner: Option<UserId>, input: NewToken) -> Result<CreatedToken> {
    let mut tx = app.db.write().await?;
    let caller_role = access::require(&mut tx, caller, ws, Permission::ManageTokens).await?;
    let owner = owner.or(caller.user).ok_or_else(|| Error::field_said("user", "err-acct-token-user-needed", []))?;
    let mut errors = Errors::new();
    let name = errors.check("name", Name::parse(&input.name));
    let role = Role::parse(&input.role);
    if role.is_none() {
        errors.add_words("role", "err-ws-role-choice", []);
    }
    let (Some(name), Some(role)) = (name, role) else { return Err(Error::Invalid(errors.into_vec())) };
    if !caller_role.includes(role) {
        return Err(Error::forbidden("err-acct-token-role-above", [("caller_role", caller_role.to_string()), ("role", role.to_string())]));
    }
    let owner_role =
        workspaces::role_of(&mut tx, ws, owner).await?.ok_or_else(|| Error::field_said("user", "err-acct-owner-not-member", []))?;
    let secret = format!("{TOKEN_PREFIX}{}", secret());
    let token = ApiToken {
        id: TokenId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        user_id: owner,
        name: name.as_str().into(),
        role: role.min(owner_role),
        created_at: app.now(),
        last_used_at: None,
        revoked_at: None,
    };
    accounts::insert_token(&mut tx, &token, &secret_hash(&secret)).await?;
    let data = serde_json::json!({ "name": token.name, "role": token.role.as_str(), "user_id": owner });
    record(&mut tx, app, caller, Chain::Workspace(ws), "token.created", ("token", Some(token.id.uuid())), data).await?;
    tx.commit().await?;
    Ok(CreatedToken { token: token.into(), secret })
}

pub async fn tokens(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::ApiToken>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ManageTokens).await?;
    Ok(crate::views::all(accounts::tokens(&mut tx, ws).await?))
}

pub async fn revoke_token(app: &App, caller: &Caller, ws: WorkspaceId, token: TokenId) -> Result<()> {
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageTokens).await?;
    if !accounts::revoke_token(&mut tx, ws, token, app.now()).await? {
        return Err(Error::NotFound("token"));
    }
    record(&mut tx, app, caller, Chain::Workspace(ws), "token.revoked", ("token", Some(token.uuid())), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}
