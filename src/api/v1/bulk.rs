//! `PUT /api/v1/ministries/{code}/platforms`: a ministry's back-office sends its whole set of
//! platforms; the registry plans the creations, updates and retirements, and applies them
//! atomically (or only shows the plan with `dry_run=true`).

use actix_web::{HttpResponse, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::WriteErrors;
use crate::api::body::{BulkJsonBody, checked};
use crate::api::query::Filters;
use crate::api::state::AppState;
use crate::auth::Actor;
use crate::domain::{MinistryCode, Scope};
use crate::error::{ApiError, FieldError};
use crate::registry::bulk::{self, BulkPlan, MAX_BULK_PLATFORMS};
use crate::registry::platforms::{PlatformInput, validate};

/// Whether to apply or only plan.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BulkParams {
    /// `true` returns the plan and changes nothing.
    #[param(example = false)]
    dry_run: Option<bool>,
}

/// Synchronises a ministry's whole set of platforms (its own token, or an operator's).
///
/// The body is the JSON array of every platform the ministry owns, as `POST /api/v1/platforms`
/// takes them (`code` required). Platforms not in the registry are created, changed ones updated
/// (one history entry each, with its diff), and the ministry's platforms missing from the set are
/// retired. All or nothing, in one transaction; sending the same set twice changes nothing the
/// second time. A code that belongs to another ministry is a 409 naming it, and nothing is
/// applied.
#[utoipa::path(
    tag = "ministries",
    security(("bearer" = ["platforms:write"])),
    request_body(content = Vec<PlatformInput>, content_type = "application/json",
                 description = "Every platform of the ministry (at most 5000; body up to 4 MiB)."),
    params(("code" = String, Path, description = "The ministry's code, any case", example = "BTC"), BulkParams),
    responses(
        (status = 200, description = "The plan, applied unless `dry_run=true`.", body = BulkPlan),
        WriteErrors,
    )
)]
#[put("/ministries/{code}/platforms")]
pub async fn sync_platforms(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    params: Filters<BulkParams>,
    body: BulkJsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require(Scope::PlatformsWrite)?;
    let ministry = MinistryCode::parse(&code).map_err(|_| {
        ApiError::not_found(format!(
            "No ministry or agency has the code {:?}.",
            code.as_str()
        ))
    })?;
    actor.require_owner(ministry.as_str())?;
    let inputs: Vec<serde_json::Value> = crate::api::body::parse_json(&body.0)?;
    if inputs.len() > MAX_BULK_PLATFORMS {
        return Err(ApiError::validation(vec![FieldError::new(
            "body",
            format!("must hold at most {MAX_BULK_PLATFORMS} platforms"),
        )]));
    }
    let entries = inputs
        .into_iter()
        .map(|input| checked::<PlatformInput, _>(input, validate).map(|(valid, _)| valid))
        .collect();
    let valid = bulk::check_set(&ministry, entries)?;
    if params.0.dry_run.unwrap_or(false) {
        let mut conn = state.pool.get().await?;
        let plan = bulk::preview(&mut conn, ministry.as_str(), &valid).await?;
        return Ok(HttpResponse::Ok().json(plan));
    }
    let result = crate::api::write::transaction(&state, &actor, async |conn| {
        bulk::sync(conn, &actor, ministry.as_str(), &valid).await
    })
    .await?;
    Ok(HttpResponse::Ok().json(result))
}
