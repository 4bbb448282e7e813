//! The `Actor` extractors. A handler that writes takes an [`Actor`] argument before its body, so it
//! cannot be written without authentication, and the token is checked before a byte of the body
//! is read: the signature and claims are verified, then the database says whether the token was
//! revoked and whether its ministry or province is still an active one.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::api::state::AppState;
use crate::auth::{Actor, Claims, check_standing, verified_claims};
use crate::error::ApiError;

/// The request's bearer token; the scheme is matched case-insensitively (RFC 9110 11.1).
pub fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("This request needs an `Authorization: Bearer <token>` header.")
    })?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("The Authorization header is malformed."))?;
    let (scheme, token) = text.split_once(' ').ok_or_else(|| {
        ApiError::unauthorized("The Authorization header must be `Bearer <token>`.")
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized(
            "The Authorization header must be `Bearer <token>`.",
        ));
    }
    Ok(token.trim().to_owned())
}

/// The claims of a token that would be accepted for a write: it verifies, is not revoked, and its
/// ministry is active. Only such a token lifts the rate limits.
pub async fn accepted_claims(state: &AppState, token: &str) -> Result<Claims, ApiError> {
    let claims = verified_claims(&state.jwt, token)?;
    check_standing(&mut *state.pool.get().await?, &claims).await?;
    Ok(claims)
}

/// Verifies the request's token and checks it against the database.
async fn authenticate(req: HttpRequest) -> Result<Actor, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("AppState is not configured"))?
        .clone();
    let token = bearer_token(&req)?;
    let claims = verified_claims(&state.jwt, &token)?;
    // Writes are limited per token, before the database is asked anything; reads that need a
    // token (operator views) are not.
    if !req.method().is_safe()
        && let Err(wait) = state.write_limiter.check(claims.jti.clone())
    {
        return Err(ApiError::rate_limited(
            wait,
            "This token has used its writes for now; a ministry syncing many platforms should use the bulk endpoint.",
        ));
    }
    check_standing(&mut *state.pool.get().await?, &claims).await?;
    Ok(Actor::from_claims(claims))
}

/// The actor of a request that may carry a token (a public read that shows operators more): the
/// actor when a token is sent and accepted, else `None`.
pub struct MaybeActor(pub Option<Actor>);

impl FromRequest for MaybeActor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if req.headers().contains_key(header::AUTHORIZATION) {
                Ok(Self(authenticate(req).await.ok()))
            } else {
                Ok(Self(None))
            }
        })
    }
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req.clone()))
    }
}
