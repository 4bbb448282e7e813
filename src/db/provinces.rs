//! Provinces and the former provinces they absorbed in 2025.

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{province_predecessors, provinces};
use crate::domain::fold_province_name;

/// A province or centrally-run city as stored.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = provinces, check_for_backend(Pg))]
pub struct Province {
    pub code: String,
    pub name_vi: String,
    pub kind: String,
    pub formed_on: Option<NaiveDate>,
    pub name_folded: String,
    pub source: String,
    pub confidence: String,
}

/// A former province, by its position in its successor's list.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = province_predecessors, check_for_backend(Pg))]
pub struct Predecessor {
    pub province_code: String,
    pub position: i16,
    pub name_vi: String,
    pub folded: String,
}

/// Whether a province has the canonical `code`.
pub async fn exists(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<bool> {
    if code.contains('\0') {
        return Ok(false);
    }
    diesel::select(diesel::dsl::exists(provinces::table.find(code)))
        .get_result(conn)
        .await
}

/// The canonical code of the province that `raw` names: its code in any case, its current name or
/// the name of a former province it absorbed, with or without diacritics.
pub async fn resolve(conn: &mut AsyncPgConnection, raw: &str) -> QueryResult<Option<String>> {
    let folded = fold_province_name(raw);
    // No name contains a NUL, and PostgreSQL text cannot hold one.
    if folded.is_empty() || raw.contains('\0') {
        return Ok(None);
    }
    let code = raw.trim().to_ascii_uppercase();
    let direct: Option<String> = provinces::table
        .filter(
            provinces::code
                .eq(&code)
                .or(provinces::name_folded.eq(&folded)),
        )
        .select(provinces::code)
        .first(conn)
        .await
        .optional()?;
    if direct.is_some() {
        return Ok(direct);
    }
    province_predecessors::table
        .filter(province_predecessors::folded.eq(&folded))
        .select(province_predecessors::province_code)
        .first(conn)
        .await
        .optional()
}

/// The province with the canonical `code`.
pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<Province>> {
    provinces::table
        .find(code)
        .select(Province::as_select())
        .first(conn)
        .await
        .optional()
}

/// A page of provinces by code, and the total.
pub async fn list(
    conn: &mut AsyncPgConnection,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Province>, i64)> {
    let total = provinces::table
        .select(count_star())
        .get_result(conn)
        .await?;
    let rows = provinces::table
        .select(Province::as_select())
        .order(provinces::code.asc())
        .limit(limit)
        .offset(offset)
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// Every province, by code.
pub async fn all(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Province>> {
    list(conn, 1000, 0).await.map(|(rows, _)| rows)
}

/// The former provinces of the given provinces, in the order of the resolution.
pub async fn predecessors(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> QueryResult<Vec<Predecessor>> {
    province_predecessors::table
        .filter(province_predecessors::province_code.eq_any(codes))
        .select(Predecessor::as_select())
        .order((
            province_predecessors::province_code,
            province_predecessors::position,
        ))
        .load(conn)
        .await
}

/// Inserts a province and its predecessors unless its code exists; whether it was inserted.
pub async fn insert_if_absent(
    conn: &mut AsyncPgConnection,
    province: &Province,
    predecessors: &[Predecessor],
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(provinces::table)
        .values(province)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 0 {
        return Ok(false);
    }
    diesel::insert_into(province_predecessors::table)
        .values(predecessors)
        .execute(conn)
        .await?;
    Ok(true)
}
