//! Membership of official list editions: the operator adds a platform to an edition or removes
//! it; each change is recorded under the key `list-key/platform-code`.

use diesel_async::AsyncPgConnection;
use serde_json::json;

use crate::auth::Actor;
use crate::db::{lists as list_db, platforms as platform_db};
use crate::error::ApiError;
use crate::registry::changes::{ChangeRecord, record_change};

/// Adds the platform `code` to the edition `key` (`add`), or removes it. Adding a member again
/// changes nothing; removing a non-member is a 404.
pub async fn change_membership(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    key: &str,
    code: &str,
    add: bool,
) -> Result<(), ApiError> {
    list_db::find(conn, key)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No list edition has the key {key:?}.")))?;
    let platform = platform_db::lock(conn, code)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No platform has the code {code:?}.")))?;
    let changed = if add {
        list_db::add_member(conn, key, platform.id, None).await?
    } else {
        let removed = list_db::remove_member(conn, key, platform.id).await?;
        if !removed {
            return Err(ApiError::not_found(format!(
                "{code} is not a member of {key}."
            )));
        }
        removed
    };
    if changed {
        platform_db::touch(conn, platform.id).await?;
        let (old, new) = if add { (false, true) } else { (true, false) };
        let changes = json!({ "member": {"old": old, "new": new} });
        let action = if add { "list_added" } else { "list_removed" };
        let state = add.then(|| json!({"list": key, "platform": code}));
        let change = ChangeRecord {
            entity: "list",
            key: format!("{key}/{code}"),
            platform_id: Some(platform.id),
            action,
            changes,
            version: None,
            state,
        };
        record_change(conn, actor, change).await?;
    }
    Ok(())
}
