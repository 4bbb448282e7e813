//! `GET /api/v1/changes`: the change feed a mirror replays to stay in sync.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::api::ListErrors;
use crate::api::query::Filters;
use crate::api::representation::json_with_etag;
use crate::api::state::AppState;
use crate::db::history;
use crate::error::{ApiError, FieldError};

/// The most changes one page holds.
pub const MAX_LIMIT: i64 = 1000;

/// Where to continue and how many to take.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// The cursor of the last change applied (`next_cursor` of the previous page); absent or `0`
    /// to start from the beginning.
    #[param(example = "0", pattern = "{digits? 1..18}", nullable = false)]
    after: Option<String>,
    /// How many changes to return, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    limit: Option<i64>,
}

/// Who made a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedActor {
    /// The writer's ministry; `null` for operators and the sample data.
    #[schema(example = "BTC")]
    pub ministry: Option<String>,
    /// A stable pseudonym of the writer (its token subject and ministry): the same writer always
    /// has the same one. Who it is, is shown to operators in a platform's history.
    #[schema(example = "w-3f9a0c51d2e8b746")]
    pub writer: String,
    /// The writer's province; `null` for operators and ministries.
    #[schema(example = json!(null))]
    pub province: Option<String>,
}

/// One change, with the state it left.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedItem {
    /// This change's cursor: pass it as `after` to continue after it.
    #[schema(example = "42")]
    pub cursor: String,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// `platform`, `contact`, `ministry`, `list` (a list edition, or a membership keyed
    /// `list-key/platform-code`), `adoption` (keyed `PROVINCE/platform-code`) or `decision`
    /// (keyed by the overlap check's id).
    #[schema(example = "platform")]
    pub entity: String,
    /// The entity's key: a platform code, a contact id, a ministry code, a list key.
    #[schema(example = "vneid")]
    pub key: String,
    /// `created`, `updated`, `retired`, `transferred`, `succeeded`, `contact_added`,
    /// `contact_updated`, `contact_removed`, `list_added`, `list_removed`, `adoption_recorded`,
    /// `adoption_updated`, `decided`.
    #[schema(example = "updated")]
    pub action: String,
    /// The entity's version after the change, where it has one.
    pub version: Option<i32>,
    /// The entity's full representation after the change (as `GET` returns it); `null` is a
    /// tombstone: the entity (a contact, a membership) no longer exists.
    #[schema(value_type = Option<Object>)]
    pub state: Option<Value>,
    /// Who made it.
    pub actor: FeedActor,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    /// Changes in the order they committed: apply them in this order.
    pub items: Vec<FeedItem>,
    /// The cursor to pass as `after` next; the same as `after` when there was nothing new.
    #[schema(example = "142")]
    pub next_cursor: String,
    /// Whether more changes are already waiting.
    pub has_more: bool,
}

/// Reads the change feed: every change to platforms, contacts, ministries, list editions,
/// provinces' adoption records and their decisions on overlap checks, in commit order, each with the full new state or a tombstone.
///
/// A mirror starts with `after=0`, applies each page's items in order (upsert the state, delete
/// on a tombstone), stores `next_cursor`, and asks again. Positions are assigned as transactions
/// commit, so a change that commits late is never numbered behind a cursor already handed out:
/// replaying in pages of any size, while writes go on, ends with exactly the registry's state.
#[utoipa::path(
    tag = "changes",
    params(FeedParams),
    responses(
        (status = 200, description = "A page of changes.", body = FeedPage,
         headers(("ETag" = String, description = "Tag of this page"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        ListErrors,
    )
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Filters<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let params = query.0;
    let mut errors = Vec::new();
    let after = match params.after.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if n >= 0 && raw.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => {
                errors.push(FieldError::new(
                    "after",
                    "must be a cursor returned by this feed (a whole number)",
                ));
                0
            }
        },
    };
    let limit = params.limit.unwrap_or(100);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_parameters(errors));
    }
    let mut conn = state.pool.get().await?;
    let end = history::feed_position(&mut conn).await?;
    if after > end {
        return Err(ApiError::invalid_parameters(vec![FieldError::new(
            "after",
            format!(
                "is beyond the end of the feed (the last position is {end}); use a cursor this feed returned"
            ),
        )]));
    }
    let mut rows = history::feed(&mut conn, after, limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = rows.last().and_then(|r| r.seq).unwrap_or(after);
    let items = rows
        .into_iter()
        .map(|r| FeedItem {
            cursor: r.seq.unwrap_or_default().to_string(),
            at: r.at,
            entity: r.entity,
            key: r.entity_key,
            action: r.action,
            version: r.version,
            state: r.state,
            actor: FeedActor {
                writer: state
                    .jwt
                    .writer_pseudonym(&r.actor_sub, r.actor_ministry.as_deref()),
                ministry: r.actor_ministry,
                province: r.actor_province,
            },
        })
        .collect();
    json_with_etag(
        &req,
        &FeedPage {
            items,
            next_cursor: next.to_string(),
            has_more,
        },
    )
}
