//! Logging in and out, the current user, and instance administration.

use axum::{
    Extension, Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use axum_extra::extract::{
    CookieJar,
    cookie::{Cookie, SameSite},
};
use greenlight_domain::id::UserId;
use greenlight_service::{
    Error, accounts,
    audit::{self, ChainReport},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    AppState,
    extract::{ApiJson, ApiPath, Auth, CurrentSession, SESSION_COOKIE},
    problem::Problem,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(login).delete(logout).get(current))
        .route("/users", get(users).post(create_user))
        .route("/users/{user}/password", put(set_password))
        .route("/audit/verify", get(verify_instance))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginInput {
    email: String,
    password: String,
}

#[derive(Serialize)]
struct LoginOutput {
    user: greenlight_store::accounts::User,
    /// Send this as `X-CSRF-Token` with every write made with the cookie.
    csrf_token: String,
}

async fn login(State(state): State<AppState>, jar: CookieJar, ApiJson(input): ApiJson<LoginInput>) -> Result<Response, Problem> {
    if state.login_limiter.check_key(&input.email.trim().to_lowercase()).is_err() {
        return Err(Problem::too_many_requests());
    }
    let login = accounts::login(&state.app, &input.email, &input.password).await.map_err(|err| match err {
        Error::Unauthenticated => Problem { detail: "wrong email or password".into(), ..Problem::from(Error::Unauthenticated) },
        other => other.into(),
    })?;
    let max_age = login.expires_at.duration_since(state.app.now());
    let cookie = Cookie::build((SESSION_COOKIE, login.session_secret))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .path("/")
        .max_age(cookie_duration(max_age));
    let body = LoginOutput { user: login.user, csrf_token: login.csrf_token };
    Ok((jar.add(cookie), Json(body)).into_response())
}

fn cookie_duration(d: jiff::SignedDuration) -> time::Duration {
    time::Duration::seconds(d.as_secs())
}

async fn logout(State(state): State<AppState>, _auth: Auth, jar: CookieJar) -> Result<Response, Problem> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        accounts::logout(&state.app, cookie.value()).await?;
    }
    let removal = Cookie::build((SESSION_COOKIE, "")).path("/");
    Ok((jar.remove(removal), StatusCode::NO_CONTENT).into_response())
}

async fn current(Auth(caller): Auth, session: Option<Extension<CurrentSession>>) -> Result<Response, Problem> {
    // With a cookie, answer the CSRF token too, so a reloaded client can write again.
    if let Some(Extension(session)) = session {
        return Ok(Json(LoginOutput { user: session.user, csrf_token: session.csrf_token }).into_response());
    }
    let user = caller.require_user()?;
    Ok(Json(json!({ "user_id": user, "via": "token" })).into_response())
}

async fn users(State(state): State<AppState>, Auth(caller): Auth) -> Result<Response, Problem> {
    Ok(Json(accounts::users(&state.app, &caller).await?).into_response())
}

async fn create_user(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(input): ApiJson<accounts::NewUser>,
) -> Result<Response, Problem> {
    let user = accounts::create_user(&state.app, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordInput {
    password: String,
}

async fn set_password(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(user): ApiPath<UserId>,
    ApiJson(input): ApiJson<PasswordInput>,
) -> Result<Response, Problem> {
    accounts::set_password(&state.app, &caller, user, &input.password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
pub struct Verification {
    pub intact: bool,
    pub chains: Vec<ChainReport>,
}

async fn verify_instance(State(state): State<AppState>, Auth(caller): Auth) -> Result<Response, Problem> {
    let chains = audit::verify_instance(&state.app, &caller).await?;
    Ok(Json(Verification { intact: chains.iter().all(ChainReport::is_intact), chains }).into_response())
}
