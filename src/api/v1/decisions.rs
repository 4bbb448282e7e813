//! Decisions on overlap-check receipts: after a check, the province records what it decided
//! (`reuse`, `connect`, `proceed` or `cancelled`). The receipt itself is never changed: the
//! decision is a resource of its own at `/api/v1/overlap-checks/{id}/decision`, one per receipt.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use crate::api::body::JsonBody;
use crate::api::representation::json_with_etag;
use crate::api::state::AppState;
use crate::api::write::{Answer, Idempotency};
use crate::api::{GetErrors, WriteErrors};
use crate::auth::Actor;
use crate::db::decisions as decision_db;
use crate::db::overlap;
use crate::domain::Scope;
use crate::error::{ApiError, ProblemCode};
use crate::registry::decisions::{self, DecisionRequest};
use crate::views::decisions::{DecisionResponse, decision_response};

/// Records what a province decided after an overlap check (province token with
/// `decisions:write`, or operator). The receipt stays byte for byte as it was; the decision is
/// linked to it and read back at the same URL with `GET`. One decision per receipt: a second one
/// is 409 `decision_exists` (read the first with `GET`).
///
/// A province token decides for its own province only; when the receipt's requester names a
/// province (resolved like any province name), only that province may decide. `reuse` and
/// `connect` create or update the province's adoption record for the chosen platform in the same
/// transaction when the token may also write adoption records (see `adoption`). The decision and any adoption change enter the change feed and
/// the webhooks.
#[utoipa::path(
    tag = "overlap checks",
    security(("bearer" = ["decisions:write"])),
    request_body(content = DecisionRequest, content_type = "application/json"),
    params(
        ("id" = Uuid, Path, description = "The receipt's id"),
        crate::api::IdempotencyKey,
    ),
    responses(
        (status = 201, description = "The decision. `Location` is where to read it back.", body = DecisionResponse,
         headers(("Location" = String, description = "The decision's URL"), ("ETag" = String, description = "Tag of the representation"))),
        WriteErrors,
    )
)]
#[post("/overlap-checks/{id}/decision")]
pub async fn create_decision(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require(Scope::DecisionsWrite)?;
    let check_id = decisions::parse_id(&id)?;
    let idempotency = Idempotency::from_request(&req, &body.0)?;
    crate::api::write::create(&state, &actor, idempotency.as_ref(), async |conn| {
        let receipt = decisions::lock_receipt(conn, check_id).await?;
        let request: DecisionRequest = body.parse()?;
        let body = decisions::decide(conn, &actor, check_id, &receipt, &request).await?;
        let location = format!("/api/v1/overlap-checks/{check_id}/decision");
        Answer::json(StatusCode::CREATED, &body, Some(location))
    })
    .await
}

/// Reads the decision recorded on a receipt.
#[utoipa::path(
    tag = "overlap checks",
    params(("id" = Uuid, Path, description = "The receipt's id")),
    responses(
        (status = 200, description = "The decision.", body = DecisionResponse,
         headers(("ETag" = String, description = "Tag of this representation"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        GetErrors,
    )
)]
#[get("/overlap-checks/{id}/decision")]
pub async fn get_decision(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let check_id = decisions::parse_id(&id)?;
    let mut conn = state.pool.get().await?;
    let Some(view) = decision_db::find(&mut conn, check_id).await? else {
        if overlap::find(&mut conn, check_id).await?.is_none() {
            return Err(decisions::receipt_not_found(&id));
        }
        return Err(ApiError::new(
            ProblemCode::DecisionNotFound,
            format!("No decision has been recorded on the overlap check {check_id} yet."),
        ));
    };
    json_with_etag(&req, &decision_response(&mut conn, view).await?)
}
