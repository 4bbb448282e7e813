//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::state::AppState;
use crate::error::{ApiError, Problem};

/// The state of the service.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when alive, `ready` when the database answers.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Whether the process is alive. Does not touch the database.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is alive.", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Whether the service can answer: 200 when the database answers, 503 otherwise.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The database answers.", body = Health),
        (status = 503, description = "The database does not answer.", body = Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    diesel::sql_query("SELECT 1")
        .execute(&mut conn)
        .await
        .map_err(|e| ApiError::Unavailable(Box::new(e)))?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}
