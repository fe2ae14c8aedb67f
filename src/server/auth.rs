//! Logins and the signed-in account behind each request. Tokens travel as `Authorization:
//! Bearer …`; repeated failed logins make the guesser's address wait (see `throttle`).

use super::Shared;
use super::error::{ApiError, parse_json};
use crate::model::{Account, Role};
use crate::store::check_password;
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
            .lookup(move |s| Ok(s.session_account(&token, Utc::now())?))
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
    origin: super::origin::Origin,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Login { username, password } = parse_json(&body)?;
    let address = origin.client;
    if let Err(wait) = state
        .login_throttle
        .reserve(address, &username, Instant::now())
    {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!("too many failed logins from here; try again in {wait} s"),
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    let name = username.clone();
    let claimant = state.read(move |s| Ok(s.login_claimant(&name)?)).await?;
    // The slow part holds no store connection, so sign-ins never queue writes behind them.
    let account = tokio::task::spawn_blocking(move || check_password(claimant.as_ref(), &password))
        .await
        .map_err(ApiError::internal)?;
    let Some(account) = account else {
        state.metrics.login_failed();
        return Err(ApiError::unauthorized("wrong user name or password"));
    };
    state.login_throttle.succeeded(address, &username);
    let lifetime = chrono::Duration::hours(state.options.session_hours);
    let session = state
        .write(move |s| Ok(s.open_session(account, lifetime, Utc::now())?))
        .await?;
    Ok(Json(
        serde_json::to_value(session).map_err(ApiError::internal)?,
    ))
}

async fn logout(State(state): State<Shared>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    let token = bearer(&headers)?;
    state.write(move |s| Ok(s.logout(&token)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(Signed(account): Signed) -> Json<Account> {
    Json(account)
}
