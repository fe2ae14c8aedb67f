//! Logins and the signed-in account behind each request. Tokens travel as `Authorization:
//! Bearer …`; repeated failed logins lock the user name for a while.

use super::error::{ApiError, parse_json};
use super::{LOGIN_FAILURES_ALLOWED, LOGIN_WINDOW, Shared};
use crate::model::{Account, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use std::time::Instant;

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
}

/// The account a request was made with.
pub struct Signed(pub Account);

impl Signed {
    /// Refuses (403) unless the account has one of `roles`.
    pub fn require(&self, roles: &[Role], what: &str) -> Result<&Account, ApiError> {
        if roles.contains(&self.0.role) {
            Ok(&self.0)
        } else {
            Err(ApiError::forbidden(format!(
                "a {} may not {what}",
                self.0.role.as_str()
            )))
        }
    }
}

fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("sign in first: no Authorization header"))?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not text"))?;
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_string())
        }
        _ => Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer <token>`",
        )),
    }
}

impl FromRequestParts<Shared> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers)?;
        let account = state
            .read(move |s| Ok(s.session_account(&token, Utc::now())?))
            .await?;
        account.map(Signed).ok_or_else(|| {
            ApiError::unauthorized("the token is unknown or has expired; sign in again")
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

async fn login(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Login { username, password } = parse_json(&body)?;
    let key = username.trim().to_lowercase();
    if let Some(wait) = locked_for(&state, &key) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!("too many failed logins for this name; try again in {wait} s"),
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    let lifetime = chrono::Duration::hours(state.options.session_hours);
    let session = state
        .write(move |s| Ok(s.login(&username, &password, lifetime, Utc::now())?))
        .await?;
    let mut failures = state
        .login_failures
        .lock()
        .map_err(|_| ApiError::internal("throttle lock poisoned"))?;
    match session {
        Some(session) => {
            failures.remove(&key);
            Ok(Json(
                serde_json::to_value(session).map_err(ApiError::internal)?,
            ))
        }
        None => {
            let entry = failures.entry(key).or_insert((0, Instant::now()));
            if entry.1.elapsed() > LOGIN_WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
            Err(ApiError::unauthorized("wrong user name or password"))
        }
    }
}

/// Seconds left on a lock, if the name has used up its failed logins.
fn locked_for(state: &Shared, key: &str) -> Option<u64> {
    let failures = state.login_failures.lock().ok()?;
    let (count, since) = failures.get(key)?;
    let elapsed = since.elapsed();
    (*count >= LOGIN_FAILURES_ALLOWED && elapsed < LOGIN_WINDOW)
        .then(|| (LOGIN_WINDOW - elapsed).as_secs().max(1))
}

async fn logout(State(state): State<Shared>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    let token = bearer(&headers)?;
    state.write(move |s| Ok(s.logout(&token)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(Signed(account): Signed) -> Json<Account> {
    Json(account)
}
