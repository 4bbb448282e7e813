//! Ministry rows and their queries.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{ministries, platforms};

/// A ministry or agency as stored.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = ministries, check_for_backend(Pg))]
pub struct Ministry {
    pub code: String,
    pub code_vi: String,
    pub name_vi: String,
    pub name_en: String,
    pub abbr_en: Option<String>,
    pub kind: String,
    pub agency_id: Option<String>,
    pub agency_id_confidence: Option<String>,
    pub status: String,
    pub successor_code: Option<String>,
    pub succeeded_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The filters of the ministry list.
#[derive(Clone, Debug, Default)]
pub struct MinistryFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
}

fn filtered(filter: &MinistryFilter) -> ministries::BoxedQuery<'_, Pg> {
    let mut query = ministries::table.into_boxed();
    if let Some(kind) = &filter.kind {
        query = query.filter(ministries::kind.eq(kind));
    }
    if let Some(status) = &filter.status {
        query = query.filter(ministries::status.eq(status));
    }
    query
}

/// One page of ministries, ordered by code, and the total.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &MinistryFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Ministry>, i64)> {
    let total = filtered(filter)
        .select(count_star())
        .get_result(conn)
        .await?;
    let rows = filtered(filter)
        .select(Ministry::as_select())
        .order(ministries::code.asc())
        .limit(limit)
        .offset(offset)
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// The ministry with `code` (already upper-cased), if any.
pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<Ministry>> {
    ministries::table
        .find(code)
        .select(Ministry::as_select())
        .first(conn)
        .await
        .optional()
}

/// Whether a ministry with `code` exists.
pub async fn exists(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(ministries::table.find(code)))
        .get_result(conn)
        .await
}

/// `(ministry_code, count)` of the platforms each ministry currently owns and has not retired.
pub async fn platform_counts(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> QueryResult<Vec<(String, i64)>> {
    platforms::table
        .filter(platforms::ministry_code.eq_any(codes))
        .filter(platforms::status.ne("retired"))
        .group_by(platforms::ministry_code)
        .select((platforms::ministry_code, count_star()))
        .load(conn)
        .await
}

/// `(predecessor, successor)` for every agency succeeded by one of `codes`, by predecessor code.
pub async fn successions(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> QueryResult<Vec<(String, String)>> {
    ministries::table
        .filter(ministries::successor_code.eq_any(codes))
        .select((
            ministries::code,
            ministries::successor_code.assume_not_null(),
        ))
        .order(ministries::code)
        .load(conn)
        .await
}

/// The writable attributes of an agency (a `None` clears the column).
#[derive(Clone, Debug, AsChangeset, Insertable)]
#[diesel(table_name = ministries, treat_none_as_null = true)]
pub struct MinistryChangeset<'a> {
    pub code_vi: &'a str,
    pub name_vi: &'a str,
    pub name_en: &'a str,
    pub abbr_en: Option<&'a str>,
    pub kind: &'a str,
    pub agency_id: Option<&'a str>,
    pub agency_id_confidence: Option<&'a str>,
    pub notes: Option<&'a str>,
}

/// Inserts an active agency.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    code: &str,
    attrs: &MinistryChangeset<'_>,
) -> QueryResult<Ministry> {
    diesel::insert_into(ministries::table)
        .values((ministries::code.eq(code), attrs))
        .returning(Ministry::as_returning())
        .get_result(conn)
        .await
}

/// The agency with `code`, locked until the end of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<Ministry>> {
    ministries::table
        .find(code)
        .select(Ministry::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Replaces an agency's writable attributes.
pub async fn update(
    conn: &mut AsyncPgConnection,
    code: &str,
    attrs: &MinistryChangeset<'_>,
) -> QueryResult<Ministry> {
    diesel::update(ministries::table.find(code))
        .set((attrs, ministries::updated_at.eq(diesel::dsl::now)))
        .returning(Ministry::as_returning())
        .get_result(conn)
        .await
}

/// Marks an agency merged into `successor` on `on`.
pub async fn merge(
    conn: &mut AsyncPgConnection,
    code: &str,
    successor: &str,
    on: NaiveDate,
) -> QueryResult<Ministry> {
    diesel::update(ministries::table.find(code))
        .set((
            ministries::status.eq("merged"),
            ministries::successor_code.eq(successor),
            ministries::succeeded_on.eq(on),
            ministries::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Ministry::as_returning())
        .get_result(conn)
        .await
}
