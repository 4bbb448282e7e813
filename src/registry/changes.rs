//! Change recording: every write records what changed, who changed it and the representation it
//! left, in the writing transaction, so that the history, the change feed and webhooks all read
//! one log.

use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::Actor;
pub use crate::db::history::diff;
use crate::db::history::{self, NewChange};
use crate::error::ApiError;

/// RFC 7396: applies a merge patch to a JSON object.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(target), Some(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    let slot = target.entry(key.clone()).or_insert(Value::Null);
                    merge_patch(slot, value);
                }
            }
        }
        (_, _) if patch.is_object() => {
            *target = Value::Object(Map::new());
            merge_patch(target, patch);
        }
        _ => *target = patch.clone(),
    }
}

/// A change to record: what, which, how, and the state it left.
pub struct ChangeRecord<'a> {
    /// `platform`, `contact`, `ministry`, `list`, `adoption` or `decision`.
    pub entity: &'a str,
    /// The entity's key: a code, a contact id, `list-key/platform-code`.
    pub key: &'a str,
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

/// Records a change made by `actor`, in the caller's transaction.
pub async fn record_change(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    change: ChangeRecord<'_>,
) -> Result<(), ApiError> {
    record_changes(conn, actor, vec![change]).await
}

/// Records changes made by `actor`, in the caller's transaction and in order, with one
/// statement per thousand changes.
pub async fn record_changes(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    changes: Vec<ChangeRecord<'_>>,
) -> Result<(), ApiError> {
    let rows = changes
        .into_iter()
        .map(|change| NewChange {
            entity: change.entity,
            entity_key: change.key,
            platform_id: change.platform_id,
            action: change.action,
            changes: change.changes,
            actor_sub: &actor.sub,
            actor_ministry: actor.ministry.as_deref(),
            actor_jti: Some(&actor.jti),
            actor_province: actor.province.as_deref(),
            version: change.version,
            state: change.state,
        })
        .collect();
    history::record(conn, rows).await?;
    Ok(())
}

/// The JSON form of a representation, for a change's state.
pub fn state_of<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396_examples() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
        let mut target = json!({"a": ["b"]});
        merge_patch(&mut target, &json!({"a": "c"}));
        assert_eq!(target, json!({"a": "c"}));
    }
}
