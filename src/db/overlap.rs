//! Overlap-check receipts.

use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::fragment::Fragment;
use super::schema::{ministries, overlap_checks, overlap_feedback, platforms};

/// A receipt to store.
pub struct NewCheck<'a> {
    pub id: Uuid,
    pub verdict: &'a str,
    pub request: &'a serde_json::Value,
    pub response: &'a str,
    /// What the plan is about: its significant words, folded.
    pub plan_text: &'a str,
    /// The requesting province, folded, if named.
    pub requester_province: Option<&'a str>,
}

/// Stores a receipt.
pub async fn insert(conn: &mut AsyncPgConnection, check: &NewCheck<'_>) -> QueryResult<()> {
    diesel::insert_into(overlap_checks::table)
        .values((
            overlap_checks::id.eq(check.id),
            overlap_checks::verdict.eq(check.verdict),
            overlap_checks::request.eq(check.request),
            overlap_checks::response.eq(check.response),
            overlap_checks::plan_text.eq(check.plan_text),
            overlap_checks::requester_province.eq(check.requester_province),
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

/// Where the change feed stands: the last change recorded and the feed position (`feed_clock`,
/// which moves at every commit that records a change). One statement.
pub async fn last_change(conn: &mut AsyncPgConnection) -> QueryResult<(i64, i64)> {
    let (last, position): (Option<i64>, i64) = diesel::select((
        Fragment::<Nullable<BigInt>>::new("(SELECT max(id) FROM change_log)"),
        Fragment::<BigInt>::new("(SELECT seq FROM feed_clock WHERE id = 1)"),
    ))
    .get_result(conn)
    .await?;
    Ok((last.unwrap_or(0), position))
}

/// How many platforms are not retired, with the feed position it was counted at (one statement,
/// one snapshot). At 100,000 platforms the count takes some 14 ms.
pub async fn active_platforms(conn: &mut AsyncPgConnection) -> QueryResult<(i64, i64)> {
    diesel::select((
        Fragment::<BigInt>::new("(SELECT seq FROM feed_clock WHERE id = 1)"),
        platforms::table
            .filter(platforms::status.ne("retired"))
            .select(count_star())
            .single_value()
            .assume_not_null(),
    ))
    .get_result(conn)
    .await
}

/// The code, Vietnamese and English names of the agencies with `codes`, in one query (a receipt
/// names the owner of each candidate).
pub async fn owner_names(
    conn: &mut AsyncPgConnection,
    codes: &[&str],
) -> QueryResult<Vec<(String, String, String)>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    ministries::table
        .filter(ministries::code.eq_any(codes))
        .select((ministries::code, ministries::name_vi, ministries::name_en))
        .load(conn)
        .await
}

/// An earlier check of a similar plan.
#[derive(Debug, Queryable)]
pub struct SimilarRow {
    pub id: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub province: String,
    pub title: String,
}

/// Up to `limit` checks of the last twelve months, from provinces other than `province`, whose
/// plans resemble `plan_text` (trigram similarity of their significant words), most alike first.
pub async fn similar(
    conn: &mut AsyncPgConnection,
    plan_text: &str,
    province: Option<&str>,
    min_similarity: f32,
    limit: i64,
) -> QueryResult<Vec<SimilarRow>> {
    use diesel::sql_types::{Bool, Float4, Text};
    if plan_text.is_empty() {
        return Ok(Vec::new());
    }
    let since = chrono::Utc::now()
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let similarity = Fragment::<Float4>::new("similarity(plan_text, ")
        .text(plan_text)
        .sql(")");
    overlap_checks::table
        .filter(Fragment::<Bool>::new("plan_text % ").text(plan_text))
        .filter(similarity.clone().ge(min_similarity))
        .filter(overlap_checks::created_at.gt(since))
        .filter(overlap_checks::requester_province.is_not_null())
        .filter(overlap_checks::requester_province.is_distinct_from(province))
        .select((
            overlap_checks::id,
            overlap_checks::created_at,
            Fragment::<Text>::new("request->'requester'->>'province'"),
            Fragment::<Text>::new("request->>'title'"),
        ))
        .order((similarity.desc(), overlap_checks::created_at.desc()))
        .limit(limit)
        .load(conn)
        .await
}

/// One judgement of a receipt's candidate.
pub struct NewFeedback<'a> {
    pub platform: &'a str,
    pub judgement: &'a str,
    pub note: Option<&'a str>,
}

/// Stores judgements of a receipt's candidates; the receipt itself is untouched.
pub async fn insert_feedback(
    conn: &mut AsyncPgConnection,
    check_id: Uuid,
    judged_by: Option<&str>,
    judgements: &[NewFeedback<'_>],
) -> QueryResult<usize> {
    let rows: Vec<_> = judgements
        .iter()
        .map(|j| {
            (
                overlap_feedback::check_id.eq(check_id),
                overlap_feedback::platform.eq(j.platform),
                overlap_feedback::judgement.eq(j.judgement),
                overlap_feedback::note.eq(j.note),
                overlap_feedback::judged_by.eq(judged_by),
            )
        })
        .collect();
    diesel::insert_into(overlap_feedback::table)
        .values(&rows)
        .execute(conn)
        .await
}

/// Every receipt with feedback: its request and each judgement (platform, judgement), oldest
/// first, for the relevance benchmark.
pub async fn feedback_cases(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<(Uuid, serde_json::Value, String, String)>> {
    overlap_feedback::table
        .inner_join(overlap_checks::table)
        .select((
            overlap_checks::id,
            overlap_checks::request,
            overlap_feedback::platform,
            overlap_feedback::judgement,
        ))
        .order((overlap_checks::created_at.asc(), overlap_feedback::id.asc()))
        .load(conn)
        .await
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
