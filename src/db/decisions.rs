//! Decisions on overlap-check receipts: one per receipt, linked to it and never part of it.

use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{overlap_checks, overlap_decisions, platforms, provinces};

/// A decision with its receipt's verdict, the platform chosen and the province's name.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(check_for_backend(Pg))]
pub struct DecisionView {
    #[diesel(select_expression = overlap_decisions::check_id)]
    pub check_id: Uuid,
    #[diesel(select_expression = overlap_checks::verdict)]
    pub verdict: String,
    #[diesel(select_expression = overlap_checks::created_at)]
    pub checked_at: DateTime<Utc>,
    #[diesel(select_expression = overlap_decisions::province_code)]
    pub province_code: String,
    #[diesel(select_expression = provinces::name_vi)]
    pub province_name: String,
    #[diesel(select_expression = overlap_decisions::decision)]
    pub decision: String,
    #[diesel(select_expression = platforms::code.nullable())]
    pub platform_code: Option<String>,
    #[diesel(select_expression = platforms::ministry_code.nullable())]
    pub ministry_code: Option<String>,
    #[diesel(select_expression = overlap_decisions::justification)]
    pub justification: Option<String>,
    #[diesel(select_expression = overlap_decisions::decided_at)]
    pub decided_at: DateTime<Utc>,
    #[diesel(select_expression = overlap_decisions::decided_by)]
    pub decided_by: String,
}

/// A decision to store.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = overlap_decisions)]
pub struct NewDecision<'a> {
    pub check_id: Uuid,
    pub province_code: &'a str,
    pub decision: &'a str,
    pub platform_id: Option<i64>,
    pub justification: Option<&'a str>,
    pub decided_by: &'a str,
}

/// Stores a decision unless the receipt has one; whether it was stored.
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewDecision<'_>) -> QueryResult<bool> {
    diesel::insert_into(overlap_decisions::table)
        .values(new)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// The decision on receipt `id`, if one was recorded.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<DecisionView>> {
    overlap_decisions::table
        .inner_join(overlap_checks::table)
        .inner_join(provinces::table)
        .left_join(platforms::table)
        .filter(overlap_decisions::check_id.eq(id))
        .select(DecisionView::as_select())
        .first(conn)
        .await
        .optional()
}

/// One receipt answered `likely_duplicate` on which the province then decided `proceed`.
#[derive(Clone, Debug, Queryable)]
pub struct ProceededDespiteDuplicate {
    pub check_id: Uuid,
    pub checked_at: DateTime<Utc>,
    pub title: Option<String>,
    pub province_code: String,
    pub decided_at: DateTime<Utc>,
    pub justification: Option<String>,
}

/// The receipts judged since `since` as `likely_duplicate` and then decided `proceed`, newest
/// first, at most `limit`, with their total.
pub async fn proceeded_despite_duplicate(
    conn: &mut AsyncPgConnection,
    since: DateTime<Utc>,
    limit: i64,
) -> QueryResult<(Vec<ProceededDespiteDuplicate>, i64)> {
    let base = || {
        overlap_decisions::table
            .inner_join(overlap_checks::table)
            .filter(overlap_decisions::decision.eq("proceed"))
            .filter(overlap_checks::verdict.eq("likely_duplicate"))
            .filter(overlap_checks::created_at.ge(since))
    };
    let total = base().select(count_star()).get_result(conn).await?;
    let rows = base()
        .select((
            overlap_decisions::check_id,
            overlap_checks::created_at,
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                "overlap_checks.request ->> 'title'",
            ),
            overlap_decisions::province_code,
            overlap_decisions::decided_at,
            overlap_decisions::justification,
        ))
        .order(overlap_decisions::decided_at.desc())
        .limit(limit)
        .load(conn)
        .await?;
    Ok((rows, total))
}
