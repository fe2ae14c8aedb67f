//! Logins and the signed-in account behind each request. Tokens travel as `Authorization:
//! Bearer …`; repeated failed logins lock the user name for a while.

use super::Shared;
use super::error::{ApiError, parse_json};
use crate::model::{Account, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use std::net::SocketAddr;
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Login { username, password } = parse_json(&body)?;
    let address = peer.ip();
    if let Some(wait) = state
        .login_throttle
        .wait(address, &username, Instant::now())
    {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!("too many failed logins from here; try again in {wait} s"),
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    let lifetime = chrono::Duration::hours(state.options.session_hours);
    let name = username.clone();
    let session = state
        .write(move |s| Ok(s.login(&name, &password, lifetime, Utc::now())?))
        .await?;
    match session {
        Some(session) => {
            state.login_throttle.succeeded(address, &username);
            Ok(Json(
                serde_json::to_value(session).map_err(ApiError::internal)?,
            ))
        }
        None => {
            state
                .login_throttle
                .failed(address, &username, Instant::now());
            Err(ApiError::unauthorized("wrong user name or password"))
        }
    }
}

async fn logout(State(state): State<Shared>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    let token = bearer(&headers)?;
    state.write(move |s| Ok(s.logout(&token)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(Signed(account): Signed) -> Json<Account> {
    Json(account)
}
