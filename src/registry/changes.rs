//! Change recording: every write records what changed, who changed it and the representation it
//! left, in the writing transaction, so that the history, the change feed and webhooks all read
//! one log.

use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::Actor;
use crate::db::history::{self, NewChange};
pub use crate::db::history::{ChangeRecord, diff};
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
            change,
            actor_sub: &actor.sub,
            actor_ministry: actor.ministry.as_deref(),
            // The seed loader acts without a token.
            actor_jti: (!actor.jti.is_empty()).then_some(actor.jti.as_str()),
            actor_province: actor.province.as_deref(),
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
