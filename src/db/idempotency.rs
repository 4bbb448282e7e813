//! Stored answers to POSTs sent with an `Idempotency-Key`.

use chrono::{TimeDelta, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::idempotency_keys;

/// How long a key is remembered: a retry comes within minutes, and the table must not grow.
pub const RETENTION: TimeDelta = TimeDelta::days(1);

/// An answer as stored.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys, check_for_backend(Pg))]
pub struct StoredAnswer {
    pub actor_sub: String,
    pub key: String,
    pub request_hash: String,
    pub status: i16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
}

/// The answer stored for `(actor_sub, key)`, forgetting expired keys first.
pub async fn find(
    conn: &mut AsyncPgConnection,
    actor_sub: &str,
    key: &str,
) -> QueryResult<Option<StoredAnswer>> {
    diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(Utc::now() - RETENTION)),
    )
    .execute(conn)
    .await?;
    idempotency_keys::table
        .find((actor_sub, key))
        .select(StoredAnswer::as_select())
        .first(conn)
        .await
        .optional()
}

/// Stores an answer; a concurrent request with the same key makes this a unique violation.
pub async fn store(conn: &mut AsyncPgConnection, answer: &StoredAnswer) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(answer)
        .execute(conn)
        .await
        .map(drop)
}
