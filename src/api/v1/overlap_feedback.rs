//! `POST /api/v1/overlap-checks/{id}/feedback`: a province or ministry says, per platform, whether
//! the plan really duplicates it. Stored apart from the receipt, which never changes; the relevance
//! benchmark can turn recorded feedback into new labelled cases.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use crate::api::body::JsonBody;
use crate::api::rate_limit::RateLimited;
use crate::api::state::AppState;
use crate::auth::Actor;
use crate::error::{ApiError, Problem};
use crate::registry::overlap::feedback::{self, FeedbackRequest, FeedbackResponse, validate};

/// Records what a province or ministry judged of a receipt's platforms.
///
/// The receipt never changes. Anonymous callers are limited per client address like overlap
/// checks; a token lifts the limit and is recorded as who judged (its ministry, or `operator`).
#[utoipa::path(
    tag = "overlap checks",
    params(("id" = Uuid, Path, description = "The receipt's id")),
    request_body(content = FeedbackRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded.", body = FeedbackResponse),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No receipt has this id.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields are unknown, missing, mistyped or invalid, or a platform is not registered; `errors` names each.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many anonymous requests from this address; retry after `Retry-After` seconds.", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The database did not answer in time.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/overlap-checks/{id}/feedback")]
pub async fn create_overlap_feedback(
    state: web::Data<AppState>,
    _limit: RateLimited,
    actor: Option<Actor>,
    id: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let not_found =
        || ApiError::not_found(format!("No overlap check has the id {:?}.", id.as_str()));
    let check = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let request = body.parse_valid(|r: &FeedbackRequest| validate(r.clone()))?;
    let mut conn = state.pool.get().await?;
    let response = feedback::record(&mut conn, actor.as_ref(), check, request).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(response))
}
