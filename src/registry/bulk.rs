//! Bulk synchronisation: a ministry's back-office sends its whole set of platforms; the registry
//! plans the creations, updates and retirements, and applies them atomically (or only shows the
//! plan).

use std::collections::{BTreeMap, HashSet};

use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::db::platforms::{self as platform_db, Platform};
use crate::domain::{MinistryCode, PlatformStatus, Vocabulary};
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::registry::platforms::{
    Origin, ValidPlatform, active_ministry, apply_replacements, insert_platforms, replacement_diff,
    retirement,
};

/// The most platforms one bulk request may carry.
pub const MAX_BULK_PLATFORMS: usize = 5000;

/// An update in a plan, with its field-level diff.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedUpdate {
    /// The platform's code.
    pub code: String,
    /// `{"field": {"old": ..., "new": ...}}`.
    #[schema(value_type = Object)]
    pub changes: Value,
}

/// What a bulk synchronisation does (or did).
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkPlan {
    /// Whether the plan was applied (`false` for a dry run).
    pub applied: bool,
    /// Platforms created, by code.
    pub create: Vec<String>,
    /// Platforms updated, with their diffs.
    pub update: Vec<PlannedUpdate>,
    /// Platforms of the ministry absent from the set, retired (they stay readable).
    pub retire: Vec<String>,
    /// Platforms sent unchanged.
    pub unchanged: Vec<String>,
}

/// What a synchronisation does to one platform.
enum Op {
    Create(String, Box<ValidPlatform>),
    Update(Platform, Box<ValidPlatform>, Value),
    Retire(Platform, Box<ValidPlatform>, Value),
    Unchanged(String),
}

fn conflict(codes: Vec<String>) -> ApiError {
    ApiError::new(
        ProblemCode::OwnedElsewhere,
        format!(
            "These codes belong to platforms of other ministries and were not touched: {}.",
            codes.join(", ")
        ),
    )
}

/// Computes the plan against the current rows (locked when `lock` is set).
async fn plan(
    conn: &mut AsyncPgConnection,
    ministry: &str,
    inputs: &[(String, ValidPlatform)],
    lock: bool,
) -> Result<Vec<Op>, ApiError> {
    let owned = platform_db::owned_by(conn, ministry, true, lock).await?;
    let mut owned: BTreeMap<String, Platform> =
        owned.into_iter().map(|p| (p.code.clone(), p)).collect();
    // One query finds which of the codes the ministry does not own are taken by others.
    let not_owned: Vec<String> = inputs
        .iter()
        .filter(|(code, _)| !owned.contains_key(code))
        .map(|(code, _)| code.clone())
        .collect();
    let taken: HashSet<String> = platform_db::existing_codes(conn, &not_owned)
        .await?
        .into_iter()
        .collect();
    let mut foreign = Vec::new();
    let mut ops = Vec::new();
    for (code, valid) in inputs {
        match owned.remove(code) {
            Some(row) => {
                let changes = replacement_diff(&row, valid);
                if changes.as_object().is_some_and(serde_json::Map::is_empty) {
                    ops.push(Op::Unchanged(code.clone()));
                } else {
                    ops.push(Op::Update(row, Box::new(valid.clone()), changes));
                }
            }
            None if taken.contains(code) => foreign.push(code.clone()),
            None => ops.push(Op::Create(code.clone(), Box::new(valid.clone()))),
        }
    }
    if !foreign.is_empty() {
        return Err(conflict(foreign));
    }
    for (_, row) in owned
        .into_iter()
        .filter(|(_, p)| p.status != PlatformStatus::Retired.as_str())
    {
        let valid = retirement(&row)?;
        let changes = replacement_diff(&row, &valid);
        ops.push(Op::Retire(row, Box::new(valid), changes));
    }
    Ok(ops)
}

/// The plan of `ops`, as the answer shows it.
fn summary(ops: &[Op], applied: bool) -> BulkPlan {
    let mut plan = BulkPlan {
        applied,
        create: vec![],
        update: vec![],
        retire: vec![],
        unchanged: vec![],
    };
    for op in ops {
        match op {
            Op::Create(code, _) => plan.create.push(code.clone()),
            Op::Update(row, _, changes) => plan.update.push(PlannedUpdate {
                code: row.code.clone(),
                changes: changes.clone(),
            }),
            Op::Retire(row, _, _) => plan.retire.push(row.code.clone()),
            Op::Unchanged(code) => plan.unchanged.push(code.clone()),
        }
    }
    plan
}

/// Checks a set entry by entry (`entries` are each platform read and validated on its own): each
/// needs a code, names this `ministry` or none, and appears once. Every problem is named at once,
/// under `[i].field`.
pub fn check_set(
    ministry: &MinistryCode,
    entries: Vec<Result<ValidPlatform, ApiError>>,
) -> Result<Vec<(String, ValidPlatform)>, ApiError> {
    let mut valid = Vec::new();
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        match entry {
            Ok(v) => {
                let Some(code) = v.code.as_ref().map(|c| c.as_str().to_owned()) else {
                    errors.push(FieldError::new(format!("[{i}].code"), "is required"));
                    continue;
                };
                if v.ministry
                    .as_ref()
                    .is_some_and(|m| m.as_str() != ministry.as_str())
                {
                    errors.push(FieldError::new(
                        format!("[{i}].ministry"),
                        format!("must be {ministry} or absent"),
                    ));
                }
                if !seen.insert(code.clone()) {
                    errors.push(FieldError::new(
                        format!("[{i}].code"),
                        format!("{code} appears twice"),
                    ));
                }
                valid.push((code, v));
            }
            Err(ApiError::Client {
                errors: field_errors,
                ..
            }) => {
                errors.extend(
                    field_errors
                        .into_iter()
                        .map(|e| FieldError::new(format!("[{i}].{}", e.field), e.message)),
                );
            }
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(valid)
}

/// The plan of a synchronisation, applied to nothing (`dry_run`).
pub async fn preview(
    conn: &mut AsyncPgConnection,
    ministry: &str,
    valid: &[(String, ValidPlatform)],
) -> Result<BulkPlan, ApiError> {
    active_ministry(conn, ministry, "code").await?;
    let ops = plan(conn, ministry, valid, false).await?;
    Ok(summary(&ops, false))
}

/// Synchronises `ministry`'s platforms with `valid`, in the caller's transaction.
pub async fn sync(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    ministry: &str,
    valid: &[(String, ValidPlatform)],
) -> Result<BulkPlan, ApiError> {
    // Under the lock a succession takes: the set cannot land on a ministry that merged meanwhile.
    active_ministry(conn, ministry, "code").await?;
    let ops = plan(conn, ministry, valid, true).await?;
    let result = summary(&ops, true);
    // Creations, then updates and retirements, each in a few multi-row statements whatever
    // their number; an unchanged platform costs nothing.
    let mut creates: Vec<(&str, &ValidPlatform)> = Vec::new();
    let mut replacements = Vec::new();
    for op in &ops {
        match op {
            Op::Create(code, v) => creates.push((code.as_str(), v.as_ref())),
            Op::Update(row, v, changes) | Op::Retire(row, v, changes) => {
                replacements.push((row.clone(), v.as_ref(), changes.clone()));
            }
            Op::Unchanged(_) => {}
        }
    }
    if !creates.is_empty() {
        insert_platforms(conn, actor, ministry, &creates, &Origin::declared()).await?;
    }
    if !replacements.is_empty() {
        apply_replacements(conn, actor, replacements).await?;
    }
    Ok(result)
}
