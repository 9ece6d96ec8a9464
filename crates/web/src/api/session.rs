//! Logging in and out, the current user, and instance administration.

use axum::{
    Extension, Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::{CookieJar, cookie::Cookie};
use greenlight_domain::{id::UserId, names::Email};
use greenlight_service::views::User;
use greenlight_service::{
    Error, accounts,
    audit::{self, ChainReport},
};
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    AppState,
    api::doc::UserPath,
    extract::{ApiJson, ApiPath, Auth, CurrentSession, SESSION_COOKIE},
    problem::Problem,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login, logout, current_caller))
        .routes(routes!(list_users, create_user))
        .routes(routes!(set_password))
        .routes(routes!(set_language))
        .routes(routes!(verify_instance))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginInput {
    email: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct LoginOutput {
    user: User,
    /// Send this as `X-CSRF-Token` with every write made with the cookie.
    csrf_token: String,
}

/// Logs in: sets the session cookie (HttpOnly, SameSite=Lax) and answers the
/// CSRF token that cookie writes must carry. Limited to a few attempts per
/// email address per minute.
#[utoipa::path(post, path = "/session", tag = "session", security(()), request_body = LoginInput, responses(
    (status = 200, description = "Done", body = LoginOutput, headers(("set-cookie" = String, description = "The session cookie"))),
    (status = "4XX", response = Problem),
))]
async fn login(State(state): State<AppState>, jar: CookieJar, ApiJson(input): ApiJson<LoginInput>) -> Result<Response, Problem> {
    let refused = || Problem { detail: "wrong email or password".into(), ..Problem::from(Error::Unauthenticated) };
    // Counted per valid address, before the password is checked.
    let email = Email::parse(&input.email).map_err(|_| refused())?;
    let Some(attempt) = state.login_limit.attempt(&state.app, email.as_str()).await? else {
        return Err(Problem::too_many_requests());
    };
    let login = accounts::login(&state.app, email.as_str(), &input.password).await.map_err(|err| match err {
        Error::Unauthenticated => refused(),
        other => other.into(),
    })?;
    attempt.succeeded(&state.app).await?;
    let lasts = login.expires_at.duration_since(state.app.now());
    let cookie = crate::extract::session_cookie(login.session_secret, lasts, state.settings.secure_cookies);
    let lang = login.user.language.as_deref().and_then(greenlight_i18n::Lang::parse);
    let jar = jar.add(cookie).add(crate::locale::cookie(lang, state.settings.secure_cookies));
    let body = LoginOutput { user: login.user, csrf_token: login.csrf_token };
    Ok((jar, Json(body)).into_response())
}

/// Logs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/session", tag = "session", responses((status = 204, description = "Done; no content"), (status = "4XX", response = Problem)))]
async fn logout(State(state): State<AppState>, _auth: Auth, jar: CookieJar) -> Result<Response, Problem> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        accounts::logout(&state.app, cookie.value()).await?;
    }
    let removal = Cookie::build((SESSION_COOKIE, "")).path("/");
    Ok((jar.remove(removal), StatusCode::NO_CONTENT).into_response())
}

/// Who is calling: with the cookie, the user and the session's CSRF token
/// (so a reloaded client can write again); with a token, the user's id.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
enum CurrentCaller {
    Session(LoginOutput),
    Token { user_id: UserId, via: TokenVia },
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum TokenVia {
    Token,
}

/// The current caller.
#[utoipa::path(get, path = "/session", tag = "session", responses((status = 200, description = "Done", body = CurrentCaller), (status = "4XX", response = Problem)))]
async fn current_caller(Auth(caller): Auth, session: Option<Extension<CurrentSession>>) -> Result<Response, Problem> {
    if let Some(Extension(session)) = session {
        return Ok(Json(CurrentCaller::Session(LoginOutput { user: session.user, csrf_token: session.csrf_token })).into_response());
    }
    let user_id = caller.require_user()?;
    Ok(Json(CurrentCaller::Token { user_id, via: TokenVia::Token }).into_response())
}

/// Every user of the instance (instance administrators only).
#[utoipa::path(get, path = "/users", tag = "users", responses((status = 200, description = "Done", body = Vec<User>), (status = "4XX", response = Problem)))]
async fn list_users(State(state): State<AppState>, Auth(caller): Auth) -> Result<Response, Problem> {
    Ok(Json(accounts::users(&state.app, &caller).await?).into_response())
}

/// Creates a user (instance administrators only).
#[utoipa::path(post, path = "/users", tag = "users", request_body = accounts::NewUser, responses(
    (status = 201, description = "Created", body = User),
    (status = "4XX", response = Problem),
))]
async fn create_user(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(input): ApiJson<accounts::NewUser>,
) -> Result<Response, Problem> {
    let user = accounts::create_user(&state.app, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordInput {
    password: String,
    /// Required when changing one's own password.
    current_password: Option<String>,
}

/// Sets a user's password (their own, naming the current one, or anybody
/// else's for an instance administrator) and ends all of the user's sessions.
#[utoipa::path(put, path = "/users/{user}/password", tag = "users", params(UserPath), request_body = PasswordInput, responses(
    (status = 204, description = "Done; no content"),
    (status = "4XX", response = Problem),
))]
async fn set_password(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(user): ApiPath<UserId>,
    ApiJson(input): ApiJson<PasswordInput>,
) -> Result<Response, Problem> {
    accounts::set_password(&state.app, &caller, user, &input.password, input.current_password.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LanguageInput {
    /// `en` or `da`; null follows the browser's `Accept-Language`.
    language: Option<String>,
}

/// Sets the language the signed-in user reads the web app and their emails
/// in, and the cookie that keeps this browser in it.
#[utoipa::path(put, path = "/session/language", tag = "session", request_body = LanguageInput, responses(
    (status = 204, description = "Done; no content"),
    (status = "4XX", response = Problem),
))]
async fn set_language(
    State(state): State<AppState>,
    Auth(caller): Auth,
    jar: CookieJar,
    ApiJson(input): ApiJson<LanguageInput>,
) -> Result<Response, Problem> {
    let lang = accounts::set_language(&state.app, &caller, input.language.as_deref()).await?;
    Ok((jar.add(crate::locale::cookie(lang, state.settings.secure_cookies)), StatusCode::NO_CONTENT).into_response())
}

/// The outcome of re-computing audit chains.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub intact: bool,
    pub chains: Vec<ChainReport>,
}

/// Re-computes every audit chain (instance administrators only) and reports
/// the first broken link of each.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", responses((status = 200, description = "Done", body = Verification), (status = "4XX", response = Problem)))]
async fn verify_instance(State(state): State<AppState>, Auth(caller): Auth) -> Result<Response, Problem> {
    let chains = audit::verify_instance(&state.app, &caller).await?;
    Ok(Json(Verification { intact: chains.iter().all(ChainReport::is_intact), chains }).into_response())
}
