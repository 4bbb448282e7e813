//! Operator endpoints for webhooks: subscribe, list, unsubscribe, read the delivery log, redeliver.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use super::contacts::NoFilter;
use crate::api::body::JsonBody;
use crate::api::query::ListQuery;
use crate::api::representation::{Paginated, page_response};
use crate::api::state::AppState;
use crate::api::{SubListErrors, WriteErrors};
use crate::auth::Actor;
use crate::db::webhooks as webhook_db;
use crate::error::ApiError;
use crate::registry::webhooks::{self, WebhookInput};
use crate::views::webhooks::{DeliveryResponse, WebhookResponse};

/// Subscribes a URL to changes (operator only). Each change matching the filters is POSTed as
/// JSON, signed: `X-NDP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    request_body(content = WebhookInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Subscribed.", body = WebhookResponse,
         headers(("Location" = String, description = "The subscription's deliveries"))),
        WriteErrors,
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let input: WebhookInput = body.parse()?;
    let mut conn = state.pool.get().await?;
    let response = webhooks::subscribe(
        &mut conn,
        &actor,
        &input,
        state.webhook_allow_private_targets,
    )
    .await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((
            "location",
            format!("/api/v1/webhooks/{}/deliveries", response.id),
        ))
        .json(response))
}

/// Lists the subscriptions (operator only).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "Every subscription, newest first.", body = Vec<WebhookResponse>), WriteErrors)
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let mut conn = state.pool.get().await?;
    let rows: Vec<WebhookResponse> = webhook_db::list(&mut conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(rows))
}

/// Unsubscribes (operator only); pending deliveries are dropped.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "The subscription's id")),
    responses((status = 204, description = "Unsubscribed."), WriteErrors)
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let id = webhooks::parse_id(&id, "subscription")?;
    let mut conn = state.pool.get().await?;
    webhooks::unsubscribe(&mut conn, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log of a subscription, newest first (operator only).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "The subscription's id"), crate::api::query::PageParams),
    responses(
        (status = 200, description = "A page of deliveries.", body = Paginated<DeliveryResponse>),
        (status = 401, description = "No valid bearer token.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an operator token.", body = crate::error::Problem, content_type = "application/problem+json"),
        SubListErrors,
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    query: ListQuery<NoFilter>,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let id = webhooks::parse_id(&id, "subscription")?;
    let mut conn = state.pool.get().await?;
    webhook_db::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No subscription has the id {id}.")))?;
    let (rows, total) =
        webhook_db::deliveries(&mut conn, id, query.page.limit(), query.page.offset()).await?;
    let items = rows.into_iter().map(DeliveryResponse::from).collect();
    page_response(&req, &Paginated::new(items, query.page, total))
}

/// Queues a delivery again, now (operator only): after a receiver was down, or to resend.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "The subscription's id"), ("delivery" = i64, Path, description = "The delivery's id")),
    responses((status = 200, description = "The delivery, pending again.", body = DeliveryResponse), WriteErrors)
)]
#[post("/webhooks/{id}/deliveries/{delivery}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let (id, delivery) = path.into_inner();
    let (id, delivery) = (
        webhooks::parse_id(&id, "subscription")?,
        webhooks::parse_id(&delivery, "delivery")?,
    );
    let mut conn = state.pool.get().await?;
    let response = webhooks::redeliver(&mut conn, id, delivery).await?;
    Ok(HttpResponse::Ok().json(response))
}
