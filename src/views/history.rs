//! The representation of a recorded change, as a history entry.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::db::history;

/// Who made a change. The public sees the ministry and a pseudonym; operators also see the
/// token's subject and id.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeActor {
    /// The writer's ministry; `null` for operators, provinces and the seed loader.
    #[schema(example = "BTC")]
    pub ministry: Option<String>,
    /// The writer's province; `null` for operators, ministries and the seed loader.
    #[schema(example = json!(null))]
    pub province: Option<String>,
    /// A stable pseudonym of the writer (its token subject and ministry): the same writer always
    /// has the same one, and it does not reveal who it is.
    #[schema(example = "w-3f9a0c51d2e8b746")]
    pub writer: String,
    /// The token's subject; shown to operators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "btc-backoffice", nullable = false)]
    pub sub: Option<String>,
    /// The token's id; shown to operators only, and absent for the seed loader.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub jti: Option<String>,
}

/// One change to a platform, its contacts or its list memberships, or to a province's adoption
/// record.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// The change's id; later changes have larger ids.
    #[schema(example = 42)]
    pub id: i64,
    /// When the change was committed.
    pub at: DateTime<Utc>,
    /// What changed: `platform`, `contact`, `list` or `adoption`.
    #[schema(example = "platform")]
    pub entity: String,
    /// Its key: the platform code, the contact id, the list key or `PROVINCE/platform-code`.
    #[schema(example = "vneid")]
    pub entity_key: String,
    /// `created`, `updated`, `retired`, `transferred`, `contact_added`, `contact_updated`,
    /// `contact_removed`, `list_added`, `list_removed`, `adoption_recorded` or
    /// `adoption_updated`.
    #[schema(example = "updated")]
    pub action: String,
    /// Who made it.
    pub actor: ChangeActor,
    /// The fields that changed, each with its old and new value.
    #[schema(value_type = Object, example = json!({"status": {"old": "piloting", "new": "operational"}}))]
    pub changes: Value,
}

impl HistoryEntry {
    /// A recorded change as `reader` may see it: the public sees the writer's ministry or
    /// province and a pseudonym; operators also see the token's subject and id.
    pub fn new(c: history::Change, keys: &crate::auth::JwtKeys, operator: bool) -> Self {
        Self {
            id: c.id,
            at: c.at,
            entity: c.entity,
            entity_key: c.entity_key,
            action: c.action,
            actor: ChangeActor {
                writer: keys.writer_pseudonym(&c.actor_sub, c.actor_ministry.as_deref()),
                ministry: c.actor_ministry,
                province: c.actor_province,
                sub: operator.then_some(c.actor_sub),
                jti: c.actor_jti.filter(|_| operator),
            },
            changes: c.changes,
        }
    }
}
