//! Webhook subscriptions and their delivery outbox.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{webhook_deliveries, webhook_subscriptions};

/// A subscription as stored.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions, check_for_backend(Pg))]
pub struct Subscription {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub ministry: Option<String>,
    pub domain: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// A delivery as stored.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(Pg))]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: i64,
    pub change_id: i64,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Registers a subscription.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    url: &str,
    secret: &str,
    ministry: Option<&str>,
    domain: Option<&str>,
    events: Option<Vec<String>>,
    created_by: &str,
) -> QueryResult<Subscription> {
    diesel::insert_into(webhook_subscriptions::table)
        .values((
            webhook_subscriptions::url.eq(url),
            webhook_subscriptions::secret.eq(secret),
            webhook_subscriptions::ministry.eq(ministry),
            webhook_subscriptions::domain.eq(domain),
            webhook_subscriptions::events.eq(events),
            webhook_subscriptions::created_by.eq(created_by),
        ))
        .returning(Subscription::as_returning())
        .get_result(conn)
        .await
}

/// Every subscription, newest first.
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Subscription>> {
    webhook_subscriptions::table
        .select(Subscription::as_select())
        .order(webhook_subscriptions::id.desc())
        .load(conn)
        .await
}

/// A subscription by id.
pub async fn find(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Subscription>> {
    webhook_subscriptions::table
        .find(id)
        .select(Subscription::as_select())
        .first(conn)
        .await
        .optional()
}

/// Stops a subscription; its pending deliveries are dropped with it.
pub async fn delete(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<bool> {
    diesel::delete(webhook_subscriptions::table.find(id))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// A page of a subscription's deliveries, newest first, and the total.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    subscription: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Delivery>, i64)> {
    let total = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription))
        .count()
        .get_result(conn)
        .await?;
    let rows = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription))
        .select(Delivery::as_select())
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .offset(offset)
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// Queues a delivery again, now.
pub async fn redeliver(
    conn: &mut AsyncPgConnection,
    subscription: i64,
    id: i64,
) -> QueryResult<Option<Delivery>> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(id))
            .filter(webhook_deliveries::subscription_id.eq(subscription)),
    )
    .set((
        webhook_deliveries::status.eq("pending"),
        webhook_deliveries::next_attempt_at.eq(diesel::dsl::now),
    ))
    .returning(Delivery::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// A due delivery, claimed, with what it must send.
#[derive(Debug, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Text)]
    pub secret: String,
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub entity: String,
    #[diesel(sql_type = Text)]
    pub entity_key: String,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Nullable<Integer>)]
    pub version: Option<i32>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub state: Option<serde_json::Value>,
}

/// Claims up to `limit` due deliveries for `lease_seconds`: they are not due again until then,
/// so several workers (replicas) never send the same delivery at once, and one that dies while
/// sending is retried when its lease runs out.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    limit: i64,
    lease_seconds: i64,
) -> QueryResult<Vec<Claimed>> {
    diesel::sql_query(
        "WITH due AS (
            SELECT id FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at <= now()
             ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE webhook_deliveries d
            SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
           FROM due, webhook_subscriptions s, change_log c
          WHERE d.id = due.id AND s.id = d.subscription_id AND c.id = d.change_id
         RETURNING d.id, d.attempts, s.url, s.secret, c.seq, c.at, c.entity, c.entity_key, c.action, c.version, c.state",
    )
    .bind::<BigInt, _>(limit)
    .bind::<diesel::sql_types::Double, _>(lease_seconds as f64)
    .load(conn)
    .await
}

/// Records the outcome of an attempt: delivered, or due again at `retry_at`, or failed for good.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: i64,
    status_code: Option<i32>,
    error: Option<&str>,
    outcome: Outcome,
) -> QueryResult<()> {
    let query = diesel::update(webhook_deliveries::table.find(id));
    match outcome {
        Outcome::Delivered => {
            query
                .set((
                    webhook_deliveries::status.eq("delivered"),
                    webhook_deliveries::delivered_at.eq(diesel::dsl::now),
                    webhook_deliveries::last_status.eq(status_code),
                    webhook_deliveries::last_error.eq(None::<String>),
                ))
                .execute(conn)
                .await?
        }
        Outcome::Retry(at) => {
            query
                .set((
                    webhook_deliveries::next_attempt_at.eq(at),
                    webhook_deliveries::last_status.eq(status_code),
                    webhook_deliveries::last_error.eq(error),
                ))
                .execute(conn)
                .await?
        }
        Outcome::Failed => {
            query
                .set((
                    webhook_deliveries::status.eq("failed"),
                    webhook_deliveries::last_status.eq(status_code),
                    webhook_deliveries::last_error.eq(error),
                ))
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

/// What became of an attempt.
#[derive(Clone, Copy, Debug)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered,
    /// Try again at this time.
    Retry(DateTime<Utc>),
    /// Out of attempts.
    Failed,
}
