//! Webhook subscriptions: an operator subscribes a URL to the changes it cares about; the
//! worker (`crate::webhooks`) delivers them, signed.

use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::db::webhooks as webhook_db;
use crate::domain::{Domain, MinistryCode, Vocabulary};
use crate::error::{ApiError, FieldError};
use crate::registry::validate::Checker;
use crate::views::webhooks::{DeliveryResponse, WebhookResponse};

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

/// A subscription id from a path (`what` names it in the answer): a positive integer, else none
/// has it.
pub fn parse_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(format!("No {what} has the id {raw:?}.")))
}

/// Subscribes a URL after checking every field at once: the URL (and that it does not resolve
/// to a private address unless `allow_private_targets`), the secret, the filters.
pub async fn subscribe(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    input: &WebhookInput,
    allow_private_targets: bool,
) -> Result<WebhookResponse, ApiError> {
    let mut c = Checker::default();
    let target = input.url.trim();
    let url = if !crate::registry::validate::is_http_url(target) || target.chars().count() > 500 {
        c.fail(
            "url",
            "must be an http:// or https:// URL with a host name or IPv4 address, at most 500 characters",
        );
        None
    } else {
        match crate::webhooks::check_target(target, allow_private_targets).await {
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
    if let Some(code) = &ministry
        && !crate::db::ministries::exists(conn, code).await?
    {
        return Err(ApiError::validation(vec![FieldError::new(
            "ministry",
            format!("{code:?} is not a known agency code"),
        )]));
    }
    let url = url.ok_or_else(|| ApiError::internal("validated above"))?;
    let row = webhook_db::insert(
        conn,
        &url,
        &secret,
        ministry.as_deref(),
        input.domain.map(|d| d.as_str()),
        input.events.clone(),
        &actor.sub,
    )
    .await?;
    Ok(WebhookResponse::from(row))
}

/// Unsubscribes; its pending deliveries are dropped.
pub async fn unsubscribe(conn: &mut AsyncPgConnection, id: i64) -> Result<(), ApiError> {
    if webhook_db::delete(conn, id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "No subscription has the id {id}."
        )))
    }
}

/// Queues delivery `delivery` of subscription `id` again, now.
pub async fn redeliver(
    conn: &mut AsyncPgConnection,
    id: i64,
    delivery: i64,
) -> Result<DeliveryResponse, ApiError> {
    webhook_db::redeliver(conn, id, delivery)
        .await?
        .map(DeliveryResponse::from)
        .ok_or_else(|| {
            ApiError::not_found(format!("Subscription {id} has no delivery {delivery}."))
        })
}
