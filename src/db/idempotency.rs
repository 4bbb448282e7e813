//! Stored answers to POSTs sent with an `Idempotency-Key`.

use chrono::{TimeDelta, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::idempotency_keys;

/// An answer as stored.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys, check_for_backend(Pg))]
pub struct StoredAnswer {
    /// The token that sent the request: keys are scoped to it.
    pub token_id: String,
    pub actor_sub: String,
    pub key: String,
    pub request_hash: String,
    pub status: i16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
}

/// The answer stored for `key` by the token `token_id` within `retention` (older ones are as
/// good as gone; the retention purge deletes them).
pub async fn find(
    conn: &mut AsyncPgConnection,
    token_id: &str,
    key: &str,
    retention: TimeDelta,
) -> QueryResult<Option<StoredAnswer>> {
    idempotency_keys::table
        .find((token_id, key))
        .filter(idempotency_keys::created_at.gt(Utc::now() - retention))
        .select(StoredAnswer::as_select())
        .first(conn)
        .await
        .optional()
}

/// Stores an answer, replacing one of the same key that expired; a concurrent request with the
/// same key makes this a unique violation.
pub async fn store(
    conn: &mut AsyncPgConnection,
    answer: &StoredAnswer,
    retention: TimeDelta,
) -> QueryResult<()> {
    diesel::delete(
        idempotency_keys::table
            .find((&answer.token_id, &answer.key))
            .filter(idempotency_keys::created_at.le(Utc::now() - retention)),
    )
    .execute(conn)
    .await?;
    diesel::insert_into(idempotency_keys::table)
        .values(answer)
        .execute(conn)
        .await
        .map(drop)
}
