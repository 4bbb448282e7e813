//! Issued tokens and the checks made on every authenticated request.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{api_tokens, ministries};

/// A recorded token (never the token itself).
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens, check_for_backend(Pg))]
pub struct TokenRecord {
    pub jti: String,
    pub subject: String,
    pub ministry_code: Option<String>,
    pub scopes: Vec<String>,
    pub label: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub province_code: Option<String>,
}

/// Where a token's ministry stands.
#[derive(Clone, Debug, Queryable)]
pub struct MinistryStanding {
    pub status: String,
    pub successor_code: Option<String>,
    pub succeeded_on: Option<NaiveDate>,
}

impl MinistryStanding {
    /// The agency's status (a row this service wrote always holds a known one).
    pub fn status(&self) -> crate::domain::MinistryStatus {
        use crate::domain::Vocabulary;
        crate::domain::MinistryStatus::parse(&self.status)
            .unwrap_or(crate::domain::MinistryStatus::Dissolved)
    }

    /// Whether the agency is active: the one test of "an active agency" that tokens, writes
    /// naming an owner and successions all apply.
    pub fn is_active(&self) -> bool {
        self.status() == crate::domain::MinistryStatus::Active
    }
}

/// Records an issued token.
pub async fn record(conn: &mut AsyncPgConnection, token: &TokenRecord) -> QueryResult<()> {
    diesel::insert_into(api_tokens::table)
        .values(token)
        .execute(conn)
        .await
        .map(drop)
}

/// Revokes `jti` at once; a jti never issued here (an external issuer's) is recorded as revoked.
/// Returns false when it was already revoked.
pub async fn revoke(conn: &mut AsyncPgConnection, jti: &str) -> QueryResult<bool> {
    let updated = diesel::update(
        api_tokens::table
            .find(jti)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    if updated > 0 {
        return Ok(true);
    }
    let inserted = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::jti.eq(jti),
            api_tokens::subject.eq("(not issued here)"),
            api_tokens::scopes.eq(Vec::<String>::new()),
            api_tokens::revoked_at.eq(diesel::dsl::now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted > 0)
}

/// Every recorded token, newest first.
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<TokenRecord>> {
    api_tokens::table
        .select(TokenRecord::as_select())
        .order(api_tokens::issued_at.desc())
        .load(conn)
        .await
}

/// Whether `jti` has been revoked.
pub async fn is_revoked(conn: &mut AsyncPgConnection, jti: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        api_tokens::table
            .find(jti)
            .filter(api_tokens::revoked_at.is_not_null()),
    ))
    .get_result(conn)
    .await
}

/// The status and successor of a ministry, if it exists, with its row locked `FOR SHARE` until
/// the transaction ends: a succession, which updates the row, waits for the writes that hold it,
/// and a write waits for a succession under way, then sees the ministry merged.
pub async fn lock_ministry_standing(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<MinistryStanding>> {
    standing(conn, code, true).await
}

/// The status and successor of a ministry, if it exists.
pub async fn ministry_standing(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<MinistryStanding>> {
    standing(conn, code, false).await
}

async fn standing(
    conn: &mut AsyncPgConnection,
    code: &str,
    lock: bool,
) -> QueryResult<Option<MinistryStanding>> {
    let query = ministries::table.find(code).select((
        ministries::status,
        ministries::successor_code,
        ministries::succeeded_on,
    ));
    if lock {
        query.for_share().first(conn).await.optional()
    } else {
        query.first(conn).await.optional()
    }
}
