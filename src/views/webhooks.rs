//! The wire forms of webhook subscriptions and deliveries.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::webhooks::{Delivery, Subscription};

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
