//! Operator writes on agencies: register one, correct its attributes. Successions (mergers) are
//! their own operation, so that they move platforms and stop tokens in one transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, patch, post, web};

use crate::api::WriteErrors;
use crate::api::body::{JsonBody, MergePatchBody};
use crate::api::state::AppState;
use crate::api::write::{Answer, Idempotency, check_if_match, if_match, render};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::registry::ministries::{
    self, MinistryPatch, NewMinistryInput, SuccessionRequest, SuccessionResponse, code_of_new,
    snapshot, validate,
};
use crate::views::ministries::{MinistryResponse, ministry_response};

/// Registers a new agency (operator only).
#[utoipa::path(
    tag = "ministries",
    security(("bearer" = ["admin"])),
    request_body(content = NewMinistryInput, content_type = "application/json"),
    params(crate::api::IdempotencyKey),
    responses(
        (status = 201, description = "Created. `Location` names the agency.", body = MinistryResponse,
         headers(("Location" = String, description = "The new agency's URL"), ("ETag" = String, description = "Tag of the representation"))),
        WriteErrors,
    )
)]
#[post("/ministries")]
pub async fn create_ministry(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let valid = body.parse_valid(validate)?;
    let code = code_of_new(&valid)?;
    let idempotency = Idempotency::from_request(&req, &body.0)?;
    crate::api::write::create(&state, &actor, idempotency.as_ref(), async |conn| {
        let response = ministries::create(conn, &actor, &code, &valid).await?;
        let location = format!("/api/v1/ministries/{}", response.code);
        Answer::json(StatusCode::CREATED, &response, Some(location))
    })
    .await
}

/// Locks the agency for a write, with `If-Match` current.
async fn lock_for_write(
    conn: &mut diesel_async::AsyncPgConnection,
    raw: &str,
    precondition: Option<&str>,
) -> Result<crate::db::ministries::Ministry, ApiError> {
    let row = ministries::lock(conn, raw).await?;
    check_if_match(
        precondition,
        &render(&ministry_response(conn, row.clone()).await?)?.etag,
    )?;
    Ok(row)
}

/// Corrects an agency's attributes with a JSON Merge Patch (operator only). The code is immutable;
/// a merger is recorded with the succession operation, not here.
#[utoipa::path(
    tag = "ministries",
    security(("bearer" = ["admin"])),
    request_body(content = MinistryPatch, content_type = "application/merge-patch+json",
                 example = json!({"agency_id": "000.00.00.G12", "agency_id_confidence": "confirmed"})),
    params(
        ("code" = String, Path, description = "The agency's code, any case", example = "BTC"),
        crate::api::IfMatch,
    ),
    responses(
        (status = 200, description = "The agency as stored.", body = MinistryResponse,
         headers(("ETag" = String, description = "Tag of the new representation"))),
        WriteErrors,
    )
)]
#[patch("/ministries/{code}")]
pub async fn patch_ministry(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    body: MergePatchBody,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let precondition = if_match(&req);
    let answer = crate::api::write::transaction(&state, &actor, async |conn| {
        let row = lock_for_write(conn, &code, precondition.as_deref()).await?;
        let valid = body.apply_valid(snapshot(&row), validate)?;
        let response = ministries::correct(conn, &actor, row, &valid).await?;
        Answer::json(StatusCode::OK, &response, None)
    })
    .await?;
    Ok(answer.into_response())
}

/// Records that an agency merged into a successor (operator only), in one transaction: the agency
/// becomes `merged`; each of its platforms that is not retired moves to the successor, its
/// ownership period closed the day before and a new one opened on the date; its tokens stop
/// writing (a 403 names the successor); every change enters the history and the change feed.
#[utoipa::path(
    tag = "ministries",
    security(("bearer" = ["admin"])),
    request_body(content = SuccessionRequest, content_type = "application/json"),
    params(("code" = String, Path, description = "The agency that is merged, any case", example = "BKHDT")),
    responses(
        (status = 200, description = "The merged agency and the platforms that moved.", body = SuccessionResponse),
        WriteErrors,
    )
)]
#[post("/ministries/{code}/succession")]
pub async fn record_succession(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let succession = body.parse_valid(SuccessionRequest::validate)?;
    let answer = crate::api::write::transaction(&state, &actor, async |conn| {
        let row = ministries::lock(conn, &code).await?;
        let response = ministries::succeed(conn, &actor, row, &succession).await?;
        Answer::json(StatusCode::OK, &response, None)
    })
    .await?;
    Ok(answer.into_response())
}
