//! Official list editions, their declared counts and their memberships.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{list_declared_counts, list_editions, list_memberships, platforms};

/// An official list edition as stored.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = list_editions, check_for_backend(Pg))]
pub struct ListEdition {
    pub key: String,
    pub document: String,
    pub title_vi: String,
    pub title_en: String,
    pub issued_on: NaiveDate,
    pub declared_total: Option<i32>,
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A page of editions, oldest first, and the total.
pub async fn list(
    conn: &mut AsyncPgConnection,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<ListEdition>, i64)> {
    let total = list_editions::table
        .select(count_star())
        .get_result(conn)
        .await?;
    let rows = list_editions::table
        .select(ListEdition::as_select())
        .order((list_editions::issued_on.asc(), list_editions::key.asc()))
        .limit(limit)
        .offset(offset)
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// The edition with `key`, if any.
pub async fn find(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<Option<ListEdition>> {
    list_editions::table
        .find(key)
        .select(ListEdition::as_select())
        .first(conn)
        .await
        .optional()
}

/// `(list_key, registered member count)` for the given editions.
pub async fn member_counts(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> QueryResult<Vec<(String, i64)>> {
    list_memberships::table
        .filter(list_memberships::list_key.eq_any(keys))
        .group_by(list_memberships::list_key)
        .select((list_memberships::list_key, count_star()))
        .load(conn)
        .await
}

/// `(ministry_code, declared_count)` of an edition, by code.
pub async fn declared_counts(
    conn: &mut AsyncPgConnection,
    key: &str,
) -> QueryResult<Vec<(String, i32)>> {
    list_declared_counts::table
        .filter(list_declared_counts::list_key.eq(key))
        .select((
            list_declared_counts::ministry_code,
            list_declared_counts::declared_count,
        ))
        .order(list_declared_counts::ministry_code)
        .load(conn)
        .await
}

/// `(code, name_vi, ministry_code)` of the platforms registered in an edition, by code.
pub async fn members(
    conn: &mut AsyncPgConnection,
    key: &str,
) -> QueryResult<Vec<(String, String, String)>> {
    list_memberships::table
        .inner_join(platforms::table)
        .filter(list_memberships::list_key.eq(key))
        .select((
            platforms::code,
            platforms::name_vi,
            platforms::ministry_code,
        ))
        .order(platforms::code)
        .load(conn)
        .await
}

/// Adds a platform to an edition, with where that is published; false when it was already a
/// member.
pub async fn add_member(
    conn: &mut AsyncPgConnection,
    key: &str,
    platform_id: i64,
    source: Option<&str>,
) -> QueryResult<bool> {
    diesel::insert_into(list_memberships::table)
        .values((
            list_memberships::list_key.eq(key),
            list_memberships::platform_id.eq(platform_id),
            list_memberships::source.eq(source),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Removes a platform from an edition; false when it was not a member.
pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    key: &str,
    platform_id: i64,
) -> QueryResult<bool> {
    diesel::delete(
        list_memberships::table
            .filter(list_memberships::list_key.eq(key))
            .filter(list_memberships::platform_id.eq(platform_id)),
    )
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// Who owned the platform `code` on `day`, from its ownership periods (its current owner when no
/// period covers the day).
pub async fn owner_on(
    conn: &mut AsyncPgConnection,
    code: &str,
    day: NaiveDate,
) -> QueryResult<String> {
    use super::schema::platform_ownerships as o;
    let period: Option<String> = o::table
        .inner_join(platforms::table)
        .filter(platforms::code.eq(code))
        .filter(o::valid_from.is_null().or(o::valid_from.le(day)))
        .filter(o::valid_to.is_null().or(o::valid_to.ge(day)))
        .select(o::ministry_code)
        .order(o::valid_from.desc().nulls_last())
        .first(conn)
        .await
        .optional()?;
    match period {
        Some(owner) => Ok(owner),
        None => {
            platforms::table
                .filter(platforms::code.eq(code))
                .select(platforms::ministry_code)
                .first(conn)
                .await
        }
    }
}
