//! Writes on platforms: create, replace, merge-patch, retire, transfer, and the history that
//! records every change.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, patch, post, put, web};
use diesel_async::AsyncPgConnection;

use crate::api::WriteErrors;
use crate::api::body::{JsonBody, MergePatchBody};
use crate::api::state::AppState;
use crate::api::write::{Answer, Idempotency, check_if_match, if_match, render};
use crate::auth::Actor;
use crate::db::platforms::{self as platform_db, Platform};
use crate::domain::Scope;
use crate::error::ApiError;
use crate::registry::platforms::{
    self, NewPlatformInput, Origin, PlatformInput, PlatformPatch, TransferRequest, ValidPlatform,
    not_found, representation, validate,
};
use crate::views::platforms::PlatformResponse;

/// Locks the platform, checks the token may write it and that `If-Match` is current.
async fn lock_for_write(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    code: &str,
    if_match: Option<&str>,
) -> Result<Platform, ApiError> {
    let row = platform_db::lock(conn, code)
        .await?
        .ok_or_else(|| not_found(code))?;
    actor.require_owner(&row.ministry_code)?;
    let current = render(&representation(conn, row.clone()).await?)?;
    check_if_match(if_match, &current.etag)?;
    Ok(row)
}

/// Registers a new platform owned by the token's ministry.
///
/// A ministry token creates platforms for its own ministry only (a body naming another ministry is
/// a 403); an operator names the owner. Send an `Idempotency-Key` to make retries safe: the same
/// key with the same body returns the original answer, with another body a 422.
#[utoipa::path(
    tag = "platforms",
    security(("bearer" = ["platforms:write"])),
    request_body(content = NewPlatformInput, content_type = "application/json"),
    params(crate::api::IdempotencyKey),
    responses(
        (status = 201, description = "Created. `Location` names the platform; `ETag` tags it.", body = PlatformResponse,
         headers(("Location" = String, description = "The new platform's URL"), ("ETag" = String, description = "Tag of the representation"))),
        WriteErrors,
    )
)]
#[post("/platforms")]
pub async fn create_platform(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require(Scope::PlatformsWrite)?;
    let (code, valid) = body.parse_valid(ValidPlatform::new_platform)?;
    let owner = platforms::owner_of_new(&actor, &valid)?;
    let idempotency = Idempotency::from_request(&req, &body.0)?;
    crate::api::write::create(&state, &actor, idempotency.as_ref(), async |conn| {
        let response =
            platforms::create(conn, &actor, &code, &owner, &valid, &Origin::declared()).await?;
        let location = format!("/api/v1/platforms/{}", code.as_str());
        Answer::json(StatusCode::CREATED, &response, Some(location))
    })
    .await
}

/// Replaces the writable fields of `row` with `input`, recording the diff. An unchanged body
/// changes nothing (no new version, no history entry).
/// What PUT, PATCH and DELETE share: the scope, the row locked, `If-Match` checked, then the
/// writable fields replaced by what `input` makes of the locked row.
async fn replace_locked(
    req: &HttpRequest,
    state: &AppState,
    actor: &Actor,
    code: &str,
    input: impl FnOnce(&Platform) -> Result<ValidPlatform, ApiError> + Send,
) -> Result<HttpResponse, ApiError> {
    actor.require(Scope::PlatformsWrite)?;
    let precondition = if_match(req);
    let answer = crate::api::write::transaction(state, actor, async |conn| {
        let row = lock_for_write(conn, actor, code, precondition.as_deref()).await?;
        let valid = input(&row)?;
        let response = platforms::replace(conn, actor, row, valid).await?;
        Answer::json(StatusCode::OK, &response, None)
    })
    .await?;
    Ok(answer.into_response())
}

/// Replaces a platform's writable fields (fields left out are cleared or reset to defaults).
#[utoipa::path(
    tag = "platforms",
    security(("bearer" = ["platforms:write"])),
    request_body(content = PlatformInput, content_type = "application/json"),
    params(
        ("code" = String, Path, description = "The platform's code", example = "vneid"),
        crate::api::IfMatch,
    ),
    responses(
        (status = 200, description = "The platform as stored.", body = PlatformResponse,
         headers(("ETag" = String, description = "Tag of the new representation"))),
        WriteErrors,
    )
)]
#[put("/platforms/{code}")]
pub async fn replace_platform(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    replace_locked(&req, &state, &actor, &code, |_| body.parse_valid(validate)).await
}

/// Changes some fields of a platform with a JSON Merge Patch (RFC 7396): fields sent replace the
/// stored ones, `null` clears one, fields left out stay as they are.
#[utoipa::path(
    tag = "platforms",
    security(("bearer" = ["platforms:write"])),
    request_body(content = PlatformPatch, content_type = "application/merge-patch+json",
                 example = json!({"status": "operational", "ndxp_status": "connected", "url": null})),
    params(
        ("code" = String, Path, description = "The platform's code", example = "vneid"),
        crate::api::IfMatch,
    ),
    responses(
        (status = 200, description = "The platform as stored.", body = PlatformResponse,
         headers(("ETag" = String, description = "Tag of the new representation"))),
        WriteErrors,
    )
)]
#[patch("/platforms/{code}")]
pub async fn patch_platform(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    body: MergePatchBody,
) -> Result<HttpResponse, ApiError> {
    // The body is read after the owner and `If-Match` checks, like every write's.
    replace_locked(&req, &state, &actor, &code, |row| {
        body.apply_valid(row.snapshot(), validate)
    })
    .await
}

/// Retires a platform. It stays readable, with status `retired`, and its history is kept.
/// Retiring a retired platform changes nothing.
#[utoipa::path(
    tag = "platforms",
    security(("bearer" = ["platforms:write"])),
    params(
        ("code" = String, Path, description = "The platform's code", example = "vneid"),
        crate::api::IfMatch,
    ),
    responses(
        (status = 200, description = "The retired platform.", body = PlatformResponse,
         headers(("ETag" = String, description = "Tag of the new representation"))),
        WriteErrors,
    )
)]
#[delete("/platforms/{code}")]
pub async fn retire_platform(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    replace_locked(&req, &state, &actor, &code, platforms::retirement).await
}

/// Transfers a platform to another agency (operator only). The current ownership period closes
/// the day before `effective_on` and a new one opens, so the history keeps who owned it when.
/// On the day the current period began (a platform created today, say), the transfer corrects
/// that period's owner instead, and the history entry says so with `corrects_period`.
#[utoipa::path(
    tag = "platforms",
    security(("bearer" = ["admin"])),
    request_body(content = TransferRequest, content_type = "application/json"),
    params(
        ("code" = String, Path, description = "The platform's code", example = "he-thong-mang-dau-thau-quoc-gia"),
        crate::api::IfMatch,
    ),
    responses(
        (status = 200, description = "The platform with its new owner.", body = PlatformResponse,
         headers(("ETag" = String, description = "Tag of the new representation"))),
        WriteErrors,
    )
)]
#[post("/platforms/{code}/transfer")]
pub async fn transfer_platform(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let precondition = if_match(&req);
    let request = body.parse_valid(TransferRequest::validate)?;
    let answer = crate::api::write::transaction(&state, &actor, async |conn| {
        let row = lock_for_write(conn, &actor, &code, precondition.as_deref()).await?;
        let response = platforms::transfer(conn, &actor, row, &request).await?;
        Answer::json(StatusCode::OK, &response, None)
    })
    .await?;
    Ok(answer.into_response())
}
