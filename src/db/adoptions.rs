//! Adoption records: what each province does with each national platform.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{adoptions, platforms, provinces};

/// An adoption record with the names a reader needs: the platform's code, name and current owner,
/// and the province's name.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(check_for_backend(Pg))]
pub struct AdoptionView {
    #[diesel(select_expression = adoptions::province_code)]
    pub province_code: String,
    #[diesel(select_expression = provinces::name_vi)]
    pub province_name: String,
    #[diesel(select_expression = adoptions::platform_id)]
    pub platform_id: i64,
    #[diesel(select_expression = platforms::code)]
    pub platform_code: String,
    #[diesel(select_expression = platforms::name_vi)]
    pub platform_name: String,
    #[diesel(select_expression = platforms::ministry_code)]
    pub ministry_code: String,
    #[diesel(select_expression = adoptions::status)]
    pub status: String,
    #[diesel(select_expression = adoptions::since)]
    pub since: NaiveDate,
    #[diesel(select_expression = adoptions::local_system)]
    pub local_system: Option<String>,
    #[diesel(select_expression = adoptions::note)]
    pub note: Option<String>,
    #[diesel(select_expression = adoptions::evidence_url)]
    pub evidence_url: Option<String>,
    #[diesel(select_expression = adoptions::version)]
    pub version: i32,
    #[diesel(select_expression = adoptions::created_at)]
    pub created_at: DateTime<Utc>,
    #[diesel(select_expression = adoptions::updated_at)]
    pub updated_at: DateTime<Utc>,
}

/// The writable fields of an adoption record.
#[derive(Clone, Debug, AsChangeset, Insertable)]
#[diesel(table_name = adoptions, treat_none_as_null = true)]
pub struct AdoptionChangeset<'a> {
    pub status: &'a str,
    pub since: NaiveDate,
    pub local_system: Option<&'a str>,
    pub note: Option<&'a str>,
    pub evidence_url: Option<&'a str>,
}

/// Which records a list shows.
#[derive(Clone, Debug, Default)]
pub struct AdoptionFilter {
    pub province: Option<String>,
    pub platform_id: Option<i64>,
    pub status: Option<String>,
}

type Joined = diesel::dsl::InnerJoin<
    diesel::dsl::InnerJoin<adoptions::table, platforms::table>,
    provinces::table,
>;

fn joined() -> Joined {
    adoptions::table
        .inner_join(platforms::table)
        .inner_join(provinces::table)
}

fn filtered(filter: &AdoptionFilter) -> diesel::helper_types::IntoBoxed<'_, Joined, Pg> {
    let mut query = joined().into_boxed();
    if let Some(province) = &filter.province {
        query = query.filter(adoptions::province_code.eq(province));
    }
    if let Some(id) = filter.platform_id {
        query = query.filter(adoptions::platform_id.eq(id));
    }
    if let Some(status) = &filter.status {
        query = query.filter(adoptions::status.eq(status));
    }
    query
}

/// A page of records, by province then platform, and the total.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AdoptionFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<AdoptionView>, i64)> {
    let total = filtered(filter)
        .select(count_star())
        .get_result(conn)
        .await?;
    let rows = filtered(filter)
        .select(AdoptionView::as_select())
        .order((adoptions::province_code.asc(), platforms::code.asc()))
        .limit(limit)
        .offset(offset)
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// `(province, platform code, status)` of every record the filter selects (at most 34 × the
/// number of platforms).
pub async fn statuses(
    conn: &mut AsyncPgConnection,
    filter: &AdoptionFilter,
) -> QueryResult<Vec<(String, String, String)>> {
    filtered(filter)
        .select((adoptions::province_code, platforms::code, adoptions::status))
        .order((adoptions::province_code.asc(), platforms::code.asc()))
        .load(conn)
        .await
}

/// The record of `province` for platform `platform_id`; `lock` takes a row lock for a write.
pub async fn find(
    conn: &mut AsyncPgConnection,
    province: &str,
    platform_id: i64,
    lock: bool,
) -> QueryResult<Option<AdoptionView>> {
    if lock {
        // Only the adoption row is locked: its platform and province are read, not written.
        let found: Option<i64> = adoptions::table
            .filter(adoptions::province_code.eq(province))
            .filter(adoptions::platform_id.eq(platform_id))
            .select(adoptions::id)
            .for_update()
            .first(conn)
            .await
            .optional()?;
        if found.is_none() {
            return Ok(None);
        }
    }
    joined()
        .filter(adoptions::province_code.eq(province))
        .filter(adoptions::platform_id.eq(platform_id))
        .select(AdoptionView::as_select())
        .first(conn)
        .await
        .optional()
}

/// Creates the record, or replaces its fields and bumps its version.
pub async fn upsert(
    conn: &mut AsyncPgConnection,
    province: &str,
    platform_id: i64,
    fields: &AdoptionChangeset<'_>,
) -> QueryResult<()> {
    diesel::insert_into(adoptions::table)
        .values((
            adoptions::province_code.eq(province),
            adoptions::platform_id.eq(platform_id),
            fields,
        ))
        .on_conflict((adoptions::province_code, adoptions::platform_id))
        .do_update()
        .set((
            fields,
            adoptions::version.eq(adoptions::version + 1),
            adoptions::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// `(platform code, platform name, status, provinces)`: how many provinces have each status for
/// each platform that has a record, by platform code.
pub async fn counts_by_platform(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<(String, String, String, i64)>> {
    let counts: Vec<(i64, String, i64)> = adoptions::table
        .group_by((adoptions::platform_id, adoptions::status))
        .select((adoptions::platform_id, adoptions::status, count_star()))
        .load(conn)
        .await?;
    let mut ids: Vec<i64> = counts.iter().map(|c| c.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: std::collections::HashMap<i64, (String, String)> = platforms::table
        .filter(platforms::id.eq_any(&ids))
        .select((platforms::id, platforms::code, platforms::name_vi))
        .load::<(i64, String, String)>(conn)
        .await?
        .into_iter()
        .map(|(id, code, name)| (id, (code, name)))
        .collect();
    let mut out: Vec<(String, String, String, i64)> = counts
        .into_iter()
        .filter_map(|(id, status, n)| {
            names
                .get(&id)
                .map(|(code, name)| (code.clone(), name.clone(), status, n))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// `(province, platforms in use)` for every province with at least one platform in use.
pub async fn in_use_by_province(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(String, i64)>> {
    adoptions::table
        .filter(adoptions::status.eq("in_use"))
        .group_by(adoptions::province_code)
        .select((adoptions::province_code, count_star()))
        .load(conn)
        .await
}
