//! The change log: one row per change, written in the same transaction as the change.

use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value, json};

use super::schema::change_log;

/// A recorded change.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = change_log, check_for_backend(Pg))]
pub struct Change {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub entity: String,
    pub entity_key: String,
    pub action: String,
    pub changes: Value,
    pub actor_sub: String,
    pub actor_ministry: Option<String>,
    pub actor_jti: Option<String>,
    pub actor_province: Option<String>,
}

/// A change to record: what, which, how, and the state it left.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = change_log)]
pub struct ChangeRecord<'a> {
    /// `platform`, `contact`, `ministry`, `list`, `adoption` or `decision`.
    pub entity: &'a str,
    /// The entity's key: a code, a contact id, `list-key/platform-code`.
    #[diesel(column_name = entity_key)]
    pub key: String,
    /// The platform whose history shows the change.
    pub platform_id: Option<i64>,
    /// What happened: `created`, `updated`, `retired`, `transferred`, `contact_added`...
    pub action: &'a str,
    /// The field-level diff.
    pub changes: Value,
    /// The entity's version after the change.
    pub version: Option<i32>,
    /// The entity's full representation after the change; `None` (a tombstone) when removed.
    pub state: Option<Value>,
}

/// A change with who made it, as stored.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = change_log)]
pub struct NewChange<'a> {
    #[diesel(embed)]
    pub change: ChangeRecord<'a>,
    pub actor_sub: &'a str,
    pub actor_ministry: Option<&'a str>,
    pub actor_jti: Option<&'a str>,
    /// The province the actor's token writes for, if any.
    pub actor_province: Option<&'a str>,
}

/// Records changes, in the caller's transaction and in order, with one statement per thousand.
pub async fn record(conn: &mut AsyncPgConnection, changes: Vec<NewChange<'_>>) -> QueryResult<()> {
    for chunk in changes.chunks(1000) {
        diesel::insert_into(change_log::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A change as the feed shows it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = change_log, check_for_backend(Pg))]
pub struct FeedEntry {
    pub seq: Option<i64>,
    pub at: DateTime<Utc>,
    pub entity: String,
    pub entity_key: String,
    pub action: String,
    pub version: Option<i32>,
    pub state: Option<Value>,
    pub actor_sub: String,
    pub actor_ministry: Option<String>,
    pub actor_province: Option<String>,
}

/// Up to `limit` committed changes after feed position `after`, in commit order. Positions are
/// assigned as transactions commit, so every visible position below the last one is visible too.
pub async fn feed(
    conn: &mut AsyncPgConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<FeedEntry>> {
    change_log::table
        .filter(change_log::seq.gt(after))
        .select(FeedEntry::as_select())
        .order(change_log::seq.asc())
        .limit(limit)
        .load(conn)
        .await
}

/// A page of a platform's changes (its contacts' and lists' included), newest first.
pub async fn for_platform(
    conn: &mut AsyncPgConnection,
    platform_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Change>, i64)> {
    let selected = || {
        change_log::table
            .filter(change_log::platform_id.eq(platform_id))
            .into_boxed()
    };
    page(conn, selected, limit, offset).await
}

/// A page of one entity's changes (an adoption's, keyed `PROVINCE/platform`), newest first.
pub async fn for_entity(
    conn: &mut AsyncPgConnection,
    entity: &str,
    key: &str,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Change>, i64)> {
    let selected = || {
        change_log::table
            .filter(change_log::entity.eq(entity))
            .filter(change_log::entity_key.eq(key))
            .into_boxed()
    };
    page(conn, selected, limit, offset).await
}

/// A page of the changes `selected` picks, newest first, and their total.
async fn page<'a>(
    conn: &mut AsyncPgConnection,
    selected: impl Fn() -> change_log::BoxedQuery<'a, Pg>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Change>, i64)> {
    let total = selected().select(count_star()).get_result(conn).await?;
    let rows = selected()
        .select(Change::as_select())
        .order(change_log::id.desc())
        .limit(limit)
        .offset(offset)
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// `{"field": {"old": ..., "new": ...}}` for every field that differs between two JSON objects.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let old = before.as_object().unwrap_or(&empty);
    let new = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (o, n) = (
            old.get(key).unwrap_or(&Value::Null),
            new.get(key).unwrap_or(&Value::Null),
        );
        if o != n {
            changes.insert(key.clone(), json!({"old": o, "new": n}));
        }
    }
    Value::Object(changes)
}

/// The feed position of the last committed change: any change to any representation moves it.
pub async fn feed_position(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    super::schema::feed_clock::table
        .select(super::schema::feed_clock::seq)
        .first(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_only_changed_fields() {
        let changes = diff(&json!({"a": 1, "b": 2}), &json!({"a": 1, "b": 3, "c": 4}));
        assert_eq!(
            changes,
            json!({"b": {"old": 2, "new": 3}, "c": {"old": null, "new": 4}})
        );
    }
}
