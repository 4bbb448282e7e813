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
}

/// A change to record.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = change_log)]
pub struct NewChange<'a> {
    pub entity: &'a str,
    pub entity_key: &'a str,
    pub platform_id: Option<i64>,
    pub action: &'a str,
    pub changes: Value,
    pub actor_sub: &'a str,
    pub actor_ministry: Option<&'a str>,
    pub actor_jti: Option<&'a str>,
}

/// Records a change.
pub async fn record(conn: &mut AsyncPgConnection, change: NewChange<'_>) -> QueryResult<()> {
    diesel::insert_into(change_log::table)
        .values(change)
        .execute(conn)
        .await
        .map(drop)
}

/// A page of a platform's changes (its contacts' and lists' included), newest first.
pub async fn for_platform(
    conn: &mut AsyncPgConnection,
    platform_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<Change>, i64)> {
    let total = change_log::table
        .filter(change_log::platform_id.eq(platform_id))
        .select(count_star())
        .get_result(conn)
        .await?;
    let rows = change_log::table
        .filter(change_log::platform_id.eq(platform_id))
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
