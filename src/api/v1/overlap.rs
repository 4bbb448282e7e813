//! `POST /api/v1/overlap-checks` and `GET /api/v1/overlap-checks/{id}`: before it buys a system, a
//! province describes it and gets a verdict, the national platforms it may duplicate, why, and
//! whom to call, as a receipt it can cite in its procurement file.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use uuid::Uuid;

use crate::api::body::JsonBody;
use crate::api::state::AppState;
use crate::api::{GetErrors, rate_limit::RateLimited};
use crate::db::overlap as overlap_db;
use crate::error::{ApiError, Problem};
use crate::registry::overlap;
use crate::views::overlap::{OverlapCheckRequest, OverlapCheckResponse};

/// Checks a planned purchase for overlap with the national platforms and stores the receipt.
///
/// Anonymous callers are limited per client address (see `OVERLAP_CHECKS_PER_MINUTE`); a valid
/// bearer token lifts the limit.
#[utoipa::path(
    tag = "overlap checks",
    request_body(content = OverlapCheckRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The receipt. `Location` is where to read it back.", body = OverlapCheckResponse,
         headers(("Location" = String, description = "The receipt's URL"))),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is unknown, missing, mistyped or invalid; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many anonymous checks from this address; retry after `Retry-After` seconds.", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The database did not answer in time.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/overlap-checks")]
pub async fn create_overlap_check(
    state: web::Data<AppState>,
    metrics: web::Data<crate::metrics::Metrics>,
    _limit: RateLimited,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let request = body.parse_valid(|r: &OverlapCheckRequest| overlap::validate(r.clone()))?;
    let mut conn = state.pool.get().await?;
    let (receipt, body) =
        overlap::check(&mut conn, &state.documents, &state.judgements, request).await?;
    metrics.count(&format!(
        "ndp_overlap_checks_{}_total",
        receipt.verdict.as_str()
    ));
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/overlap-checks/{}", receipt.id)))
        .content_type("application/json")
        .body(body))
}

/// Reads a receipt back, exactly as it was first answered.
#[utoipa::path(
    tag = "overlap checks",
    params(("id" = Uuid, Path, description = "The receipt's id")),
    responses(
        (status = 200, description = "The receipt, byte for byte as first answered; with `Accept: text/html`, the same receipt as a printable Vietnamese page to file with a procurement record.",
         content((OverlapCheckResponse = "application/json"), (String = "text/html", example = "<!DOCTYPE html><html lang=\"vi\">…</html>"))),
        GetErrors,
    )
)]
#[get("/overlap-checks/{id}")]
pub async fn get_overlap_check(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found =
        || ApiError::not_found(format!("No overlap check has the id {:?}.", id.as_str()));
    let uuid = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let mut conn = state.pool.get().await?;
    let body = overlap_db::find(&mut conn, uuid)
        .await?
        .ok_or_else(not_found)?;
    let html = super::receipt_page::wants_html(&req);
    let page = if html {
        Some(super::receipt_page::render(&body)?)
    } else {
        None
    };
    let bytes = page.as_deref().unwrap_or(&body);
    let etag = crate::api::representation::etag_of(bytes.as_bytes());
    if crate::api::representation::none_match(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header(("etag", etag))
            .insert_header(("vary", "Accept"))
            .finish());
    }
    let mut response = HttpResponse::build(StatusCode::OK);
    response
        .insert_header(("etag", etag))
        .insert_header(("vary", "Accept"));
    Ok(match page {
        Some(page) => response
            .content_type("text/html; charset=utf-8")
            .insert_header((
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'",
            ))
            .body(page),
        None => response.content_type("application/json").body(body),
    })
}
