//! Overlap-check receipts.

use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{change_log, overlap_checks, platforms};

/// Stores a receipt.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    verdict: &str,
    request: &serde_json::Value,
    response: &str,
) -> QueryResult<()> {
    diesel::insert_into(overlap_checks::table)
        .values((
            overlap_checks::id.eq(id),
            overlap_checks::verdict.eq(verdict),
            overlap_checks::request.eq(request),
            overlap_checks::response.eq(response),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The stored answer of a receipt.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<String>> {
    overlap_checks::table
        .find(id)
        .select(overlap_checks::response)
        .first(conn)
        .await
        .optional()
}

/// The registry's state: the last change recorded and how many platforms are not retired.
/// Both queries are pipelined: one round trip.
pub async fn registry_state(conn: &mut AsyncPgConnection) -> QueryResult<(i64, i64)> {
    let shared: &AsyncPgConnection = conn;
    let last = change_log::table
        .select(max(change_log::id))
        .first::<Option<i64>>(&mut &*shared);
    let active = platforms::table
        .filter(platforms::status.ne("retired"))
        .select(count_star())
        .first::<i64>(&mut &*shared);
    let (last, active) = futures_util::future::try_join(last, active).await?;
    Ok((last.unwrap_or(0), active))
}

/// What a decision needs to know of a receipt: when it was judged, its verdict, and the question
/// as received (the stored answer itself is never read or changed here).
#[derive(Clone, Debug, Queryable)]
pub struct ReceiptFacts {
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub verdict: String,
    pub request: serde_json::Value,
}

/// The facts of receipt `id`, locked against a concurrent decision, if it exists.
pub async fn lock_facts(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<ReceiptFacts>> {
    overlap_checks::table
        .find(id)
        .select((
            overlap_checks::created_at,
            overlap_checks::verdict,
            overlap_checks::request,
        ))
        .for_key_share()
        .first(conn)
        .await
        .optional()
}
