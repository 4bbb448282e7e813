//! Operator endpoints for webhooks: subscribe, list, unsubscribe, read the delivery log, redeliver.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::contacts::NoFilter;
use crate::api::body::JsonBody;
use crate::api::query::ListQuery;
use crate::api::representation::{Paginated, page_response};
use crate::api::state::AppState;
use crate::api::{SubListErrors, WriteErrors};
use crate::auth::Actor;
use crate::db::webhooks::{self as webhook_db, Delivery, Subscription};
use crate::domain::{Domain, MinistryCode, Vocabulary};
use crate::error::{ApiError, FieldError};
use crate::registry::validate::Checker;

/// The events a subscription may filter on: actions or entity kinds.
pub const EVENTS: [&str; 19] = [
    "platform",
    "contact",
    "ministry",
    "list",
    "created",
    "updated",
    "retired",
    "transferred",
    "succeeded",
    "contact_added",
    "contact_updated",
    "contact_removed",
    "list_added",
    "list_removed",
    "adoption",
    "decision",
    "adoption_recorded",
    "adoption_updated",
    "decided",
];

/// An event a subscription may filter on (documentation of `EVENTS`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookEvent {
    Platform,
    Contact,
    Ministry,
    List,
    Created,
    Updated,
    Retired,
    Transferred,
    Succeeded,
    ContactAdded,
    ContactUpdated,
    ContactRemoved,
    ListAdded,
    ListRemoved,
    Adoption,
    Decision,
    AdoptionRecorded,
    AdoptionUpdated,
    Decided,
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://mua-sam.example.gov.vn/hooks/ndp", "secret": "a-long-random-shared-secret", "ministry": "BTC", "events": ["platform"]}))]
pub struct WebhookInput {
    /// Where to POST each change: an http or https URL with a host name or IPv4 address, at most
    /// 500 characters, not resolving to a private, loopback or link-local address.
    #[schema(pattern = "{url}")]
    pub url: String,
    /// The shared secret that signs deliveries, 16 to 200 characters without control characters.
    /// It is never shown again.
    #[schema(
        min_length = 16,
        max_length = 200,
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"
    )]
    pub secret: String,
    /// Only changes to this agency's data (adoption records and decisions count as the data of
    /// the platform's owner).
    #[serde(default)]
    #[schema(pattern = "{ministry}")]
    pub ministry: Option<String>,
    /// Only changes to platforms serving this domain.
    #[serde(default)]
    pub domain: Option<Domain>,
    /// Only these actions or entity kinds (`platform`, `contact`, `ministry`, `list`, `created`,
    /// `updated`, `retired`, `transferred`, `succeeded`, `contact_added`..., `adoption`,
    /// `decision`, `adoption_recorded`, `adoption_updated`, `decided`); all when absent.
    #[serde(default)]
    #[schema(value_type = Option<Vec<WebhookEvent>>)]
    pub events: Option<Vec<String>>,
}

/// A subscription (its secret is never returned).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    /// The subscription's id.
    pub id: i64,
    /// Where deliveries go.
    pub url: String,
    /// The agency filter.
    pub ministry: Option<String>,
    /// The domain filter.
    pub domain: Option<String>,
    /// The event filter.
    pub events: Option<Vec<String>>,
    /// Whether deliveries are made.
    pub active: bool,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Who registered it.
    pub created_by: String,
}

impl From<Subscription> for WebhookResponse {
    fn from(s: Subscription) -> Self {
        Self {
            id: s.id,
            url: s.url,
            ministry: s.ministry,
            domain: s.domain,
            events: s.events,
            active: s.active,
            created_at: s.created_at,
            created_by: s.created_by,
        }
    }
}

/// One delivery of a change to a subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    /// The delivery's id (also sent as `X-NDP-Delivery`).
    pub id: i64,
    /// The change delivered (its feed entry).
    pub change_id: i64,
    /// `pending`, `delivered` or `failed` (after 12 attempts).
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: DateTime<Utc>,
    /// The receiver's last HTTP status.
    pub last_status: Option<i32>,
    /// What went wrong last.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the change was queued.
    pub created_at: DateTime<Utc>,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            change_id: d.change_id,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status: d.last_status,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
        }
    }
}

fn parse_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(format!("No {what} has the id {raw:?}.")))
}

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
    let mut c = Checker::default();
    let target = input.url.trim();
    let url = if !crate::registry::validate::is_http_url(target) || target.chars().count() > 500 {
        c.fail(
            "url",
            "must be an http:// or https:// URL with a host name or IPv4 address, at most 500 characters",
        );
        None
    } else {
        match crate::webhooks::check_target(target, state.webhook_allow_private_targets).await {
            Ok(url) => Some(url.to_string()),
            Err(reason) => {
                c.fail("url", reason);
                None
            }
        }
    };
    let secret = input.secret.clone();
    if !(16..=200).contains(&secret.chars().count()) || secret.chars().any(char::is_control) {
        c.fail(
            "secret",
            "must be 16 to 200 characters, none of them a control character",
        );
    }
    let ministry = match input.ministry.as_deref().map(MinistryCode::parse) {
        None => None,
        Some(Ok(code)) => Some(code.as_str().to_owned()),
        Some(Err(message)) => {
            c.fail("ministry", message);
            None
        }
    };
    if let Some(events) = &input.events {
        for (i, event) in events.iter().enumerate() {
            if !EVENTS.contains(&event.as_str()) {
                c.fail(
                    &format!("events[{i}]"),
                    format!("must be one of {}", EVENTS.join(", ")),
                );
            }
        }
    }
    c.finish()?;
    let mut conn = state.pool.get().await?;
    if let Some(code) = &ministry
        && !crate::db::ministries::exists(&mut conn, code).await?
    {
        return Err(ApiError::validation(vec![FieldError::new(
            "ministry",
            format!("{code:?} is not a known agency code"),
        )]));
    }
    let url = url.ok_or_else(|| ApiError::internal("validated above"))?;
    let row = webhook_db::insert(
        &mut conn,
        &url,
        &secret,
        ministry.as_deref(),
        input.domain.map(|d| d.as_str()),
        input.events.clone(),
        &actor.sub,
    )
    .await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((
            "location",
            format!("/api/v1/webhooks/{}/deliveries", row.id),
        ))
        .json(WebhookResponse::from(row)))
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
    let id = parse_id(&id, "subscription")?;
    let mut conn = state.pool.get().await?;
    if !webhook_db::delete(&mut conn, id).await? {
        return Err(ApiError::not_found(format!(
            "No subscription has the id {id}."
        )));
    }
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
    let id = parse_id(&id, "subscription")?;
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
        parse_id(&id, "subscription")?,
        parse_id(&delivery, "delivery")?,
    );
    let mut conn = state.pool.get().await?;
    let row = webhook_db::redeliver(&mut conn, id, delivery)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("Subscription {id} has no delivery {delivery}."))
        })?;
    Ok(HttpResponse::Ok().json(DeliveryResponse::from(row)))
}
