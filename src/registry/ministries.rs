//! Agencies: the operator registers them, corrects their attributes, and records their
//! successions (the 2025 mergers), which move their platforms and stop their tokens in one
//! transaction.

use chrono::{NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::db::ministries::{self, Ministry, MinistryChangeset};
use crate::db::{platforms, tokens};
use crate::domain::{MinistryCode, MinistryKind, MinistryStatus, Vocabulary};
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::registry::changes::{ChangeRecord, diff, record_change, state_of};
use crate::registry::platforms::record_platform_change;
use crate::registry::validate::{Checker, TextRule, rule};
use crate::views::ministries::{MinistryResponse, ministry_response};

/// The fields of an agency an operator writes. `code` is required on create and immutable after.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "BDTTG", "code_vi": "BDTTG", "name_vi": "Bộ Dân tộc và Tôn giáo",
    "name_en": "Ministry of Ethnic and Religious Affairs", "kind": "ministry"
}))]
pub struct MinistryInput {
    /// The URL-safe ASCII code, 2 to 16 upper-case letters or digits; immutable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "{ministry}")]
    pub code: Option<String>,
    /// The Vietnamese abbreviation (`BKHĐT`), 2 to 16 characters.
    #[schema(pattern = "{line 2..16}")]
    pub code_vi: String,
    /// The Vietnamese name, 2 to 200 characters.
    #[schema(pattern = "{line 2..200}")]
    pub name_vi: String,
    /// The English name, 2 to 200 characters.
    #[schema(pattern = "{line 2..200}")]
    pub name_en: String,
    /// The English abbreviation, at most 16 characters.
    #[serde(default)]
    #[schema(pattern = "{line? 1..16}")]
    pub abbr_en: Option<String>,
    /// The kind of agency.
    pub kind: MinistryKind,
    /// The electronic agency ID of Decision 20/2020/QĐ-TTg (`000.00.00.G12`).
    #[serde(default)]
    #[schema(pattern = "{agency-id?}")]
    pub agency_id: Option<String>,
    /// How well the agency ID is attested: `confirmed`, `weak` or `inferred`.
    #[serde(default)]
    #[schema(pattern = "{agency-id-confidence?}")]
    pub agency_id_confidence: Option<String>,
    /// A note, at most 1000 characters.
    #[serde(default)]
    #[schema(pattern = "{lines? 1..1000}")]
    pub notes: Option<String>,
}

crate::openapi::create_body!(
    /// The body of `POST /ministries`: a `MinistryInput` with its `code`.
    NewMinistryInput,
    MinistryInput
);

/// A JSON Merge Patch (RFC 7396) of an agency, as the documentation of `PATCH`: fields sent replace
/// the stored ones, `null` clears an optional one, fields left out stay. The code is immutable.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinistryPatch {
    /// The Vietnamese abbreviation (`BKHĐT`), 2 to 16 characters.
    #[schema(pattern = "{line 2..16}", nullable = false)]
    pub code_vi: Option<String>,
    /// The Vietnamese name, 2 to 200 characters.
    #[schema(pattern = "{line 2..200}", nullable = false)]
    pub name_vi: Option<String>,
    /// The English name, 2 to 200 characters.
    #[schema(pattern = "{line 2..200}", nullable = false)]
    pub name_en: Option<String>,
    /// The English abbreviation, at most 16 characters.
    #[schema(pattern = "{line? 1..16}")]
    pub abbr_en: Option<String>,
    /// The kind of agency.
    #[schema(nullable = false)]
    pub kind: Option<MinistryKind>,
    /// The electronic agency ID of Decision 20/2020/QĐ-TTg (`000.00.00.G12`).
    #[schema(pattern = "{agency-id?}")]
    pub agency_id: Option<String>,
    /// How well the agency ID is attested: `confirmed`, `weak` or `inferred`.
    #[schema(pattern = "{agency-id-confidence?}")]
    pub agency_id_confidence: Option<String>,
    /// A note, at most 1000 characters.
    #[schema(pattern = "{lines? 1..1000}")]
    pub notes: Option<String>,
}

/// An electronic agency ID is 13 characters (`000.00.00.G12`): its schema states the shape
/// (`{agency-id?}`), which [`validate`] checks after this length.
const AGENCY_ID: Option<TextRule> = Some(TextRule {
    min: 13,
    max: 13,
    multiline: false,
});

/// A validated agency input; serialized, its writable state.
#[derive(Serialize)]
pub struct ValidMinistry {
    #[serde(skip)]
    code: Option<MinistryCode>,
    code_vi: String,
    name_vi: String,
    name_en: String,
    abbr_en: Option<String>,
    kind: &'static str,
    agency_id: Option<String>,
    agency_id_confidence: Option<String>,
    notes: Option<String>,
}

impl ValidMinistry {
    fn changeset(&self) -> MinistryChangeset<'_> {
        MinistryChangeset {
            code_vi: &self.code_vi,
            name_vi: &self.name_vi,
            name_en: &self.name_en,
            abbr_en: self.abbr_en.as_deref(),
            kind: self.kind,
            agency_id: self.agency_id.as_deref(),
            agency_id_confidence: self.agency_id_confidence.as_deref(),
            notes: self.notes.as_deref(),
        }
    }
}

/// Checks an agency input, every problem at once.
pub fn validate(input: &MinistryInput) -> Result<ValidMinistry, ApiError> {
    let mut c = Checker::default();
    let code = match input.code.as_deref().map(MinistryCode::parse) {
        None => None,
        Some(Ok(code)) => Some(code),
        Some(Err(message)) => {
            c.fail("code", message);
            None
        }
    };
    let agency_id = c.optional_text("agency_id", input.agency_id.as_deref(), AGENCY_ID);
    if let Some(id) = &agency_id {
        let b = id.as_bytes();
        let shape = b.len() == 13
            && b.iter().enumerate().all(|(i, ch)| match i {
                3 | 6 | 9 => *ch == b'.',
                10 => ch.is_ascii_uppercase(),
                _ => ch.is_ascii_digit(),
            });
        if !shape {
            c.fail("agency_id", "must look like 000.00.00.G12");
        }
    }
    let confidence = input
        .agency_id_confidence
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if confidence.is_some_and(|v| !["confirmed", "weak", "inferred"].contains(&v)) {
        c.fail(
            "agency_id_confidence",
            "must be one of confirmed, weak, inferred",
        );
    }
    let valid = ValidMinistry {
        code,
        code_vi: c.text("code_vi", &input.code_vi, rule::<MinistryInput>("code_vi")),
        name_vi: c.text("name_vi", &input.name_vi, rule::<MinistryInput>("name_vi")),
        name_en: c.text("name_en", &input.name_en, rule::<MinistryInput>("name_en")),
        abbr_en: c.optional_text(
            "abbr_en",
            input.abbr_en.as_deref(),
            rule::<MinistryInput>("abbr_en"),
        ),
        kind: input.kind.as_str(),
        agency_id,
        agency_id_confidence: confidence.map(str::to_owned),
        notes: c.optional_text(
            "notes",
            input.notes.as_deref(),
            rule::<MinistryInput>("notes"),
        ),
    };
    c.finish()?;
    Ok(valid)
}

/// The writable state of an agency: the base of a merge patch and of the history's diffs.
pub fn snapshot(m: &Ministry) -> Value {
    json!({
        "code": m.code, "code_vi": m.code_vi, "name_vi": m.name_vi, "name_en": m.name_en,
        "abbr_en": m.abbr_en, "kind": m.kind, "agency_id": m.agency_id,
        "agency_id_confidence": m.agency_id_confidence, "notes": m.notes,
    })
}

/// Records a change to an agency with the representation it left, and returns that.
async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: Ministry,
    action: &str,
    changes: Value,
) -> Result<MinistryResponse, ApiError> {
    let response = ministry_response(conn, row).await?;
    let change = ChangeRecord {
        entity: "ministry",
        key: response.code.to_string(),
        platform_id: None,
        action,
        changes,
        version: None,
        state: Some(state_of(&response)?),
    };
    record_change(conn, actor, change).await?;
    Ok(response)
}

/// The code of a new agency: required on create.
pub fn code_of_new(valid: &ValidMinistry) -> Result<MinistryCode, ApiError> {
    valid
        .code
        .clone()
        .ok_or_else(|| ApiError::validation(vec![FieldError::new("code", "is required")]))
}

/// Registers an agency under a code no agency has.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    code: &MinistryCode,
    valid: &ValidMinistry,
) -> Result<MinistryResponse, ApiError> {
    if ministries::exists(conn, code.as_str()).await? {
        return Err(ApiError::new(
            ProblemCode::MinistryExists,
            format!("An agency with the code {} already exists.", code.as_str()),
        ));
    }
    let row = ministries::insert(conn, code.as_str(), &valid.changeset()).await?;
    let changes = diff(&Value::Null, &snapshot(&row));
    record(conn, actor, row, "created", changes).await
}

/// Locks the agency with the code `raw` (any case) for a write.
pub async fn lock(conn: &mut AsyncPgConnection, raw: &str) -> Result<Ministry, ApiError> {
    let not_found = || ApiError::not_found(format!("No ministry or agency has the code {raw:?}."));
    let code = MinistryCode::parse(raw).map_err(|_| not_found())?;
    ministries::lock(conn, code.as_str())
        .await?
        .ok_or_else(not_found)
}

/// Corrects a locked agency's attributes, recording the change; an unchanged agency is answered
/// as it is, with nothing recorded. The code is immutable.
pub async fn correct(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: Ministry,
    valid: &ValidMinistry,
) -> Result<MinistryResponse, ApiError> {
    if valid.code.as_ref().is_some_and(|c| c.as_str() != row.code) {
        return Err(ApiError::validation(vec![FieldError::new(
            "code",
            "is immutable",
        )]));
    }
    let mut after = serde_json::to_value(valid).map_err(ApiError::internal)?;
    after["code"] = json!(row.code);
    let changes = diff(&snapshot(&row), &after);
    if changes.as_object().is_some_and(serde_json::Map::is_empty) {
        return ministry_response(conn, row).await;
    }
    let updated = ministries::update(conn, &row.code, &valid.changeset()).await?;
    record(conn, actor, updated, "updated", changes).await
}

/// A succession: the agency merges into its successor on a date.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"successor": "BTC", "effective_on": "2025-03-01", "reason": "Nghị quyết 176/2025/QH15"}))]
pub struct SuccessionRequest {
    /// The successor's code: an active agency.
    #[schema(pattern = "{ministry}")]
    pub successor: String,
    /// The day the succession takes effect; not in the future.
    pub effective_on: chrono::NaiveDate,
    /// The legal basis or reason, 3 to 1000 characters.
    #[schema(pattern = "{line 3..1000}")]
    pub reason: String,
}

/// What a succession did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuccessionResponse {
    /// The agency, now merged.
    pub ministry: MinistryResponse,
    /// The platforms that moved to the successor, by code.
    pub transferred_platforms: Vec<String>,
}

/// A succession whose fields are valid on their own.
pub struct ValidSuccession {
    successor: MinistryCode,
    effective_on: NaiveDate,
    reason: String,
}

impl SuccessionRequest {
    /// Checks the fields on their own: the successor's code, a date not in the future, a reason.
    pub fn validate(&self) -> Result<ValidSuccession, ApiError> {
        let mut c = Checker::default();
        let successor = match MinistryCode::parse(&self.successor) {
            Ok(code) => Some(code),
            Err(message) => {
                c.fail("successor", message);
                None
            }
        };
        let reason = c.text("reason", &self.reason, rule::<Self>("reason"));
        c.date("effective_on", self.effective_on);
        if self.effective_on > Utc::now().date_naive() {
            c.fail("effective_on", "must not be in the future");
        }
        c.finish()?;
        Ok(ValidSuccession {
            successor: successor.ok_or_else(|| ApiError::internal("validated above"))?,
            effective_on: self.effective_on,
            reason,
        })
    }
}

/// Records that the locked agency `row` merged into a successor: the agency becomes `merged`;
/// each of its platforms that is not retired moves to the successor, its ownership period closed
/// the day before and a new one opened on the date; its tokens stop writing; every change is
/// recorded.
pub async fn succeed(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: Ministry,
    succession: &ValidSuccession,
) -> Result<SuccessionResponse, ApiError> {
    let ValidSuccession {
        successor,
        effective_on,
        reason,
    } = succession;
    let mut c = Checker::default();
    if row.status != MinistryStatus::Active.as_str() {
        c.fail(
            "successor",
            format!("{} is already {}", row.code, row.status),
        );
    }
    if successor.as_str() == row.code {
        c.fail("successor", "an agency cannot succeed itself");
    }
    match tokens::lock_ministry_standing(conn, successor.as_str()).await? {
        Some(s) if s.is_active() => {}
        Some(_) => c.fail("successor", format!("{successor} is not active")),
        None => c.fail(
            "successor",
            format!("{:?} is not a known agency code", successor.as_str()),
        ),
    }
    c.finish()?;
    let merged = ministries::merge(conn, &row.code, successor.as_str(), *effective_on).await?;
    let why = format!("{} merged into {successor}: {reason}", row.code);
    let mut moved = Vec::new();
    for platform in platforms::owned_by(conn, &row.code, false, true).await? {
        let start = platforms::current_ownership_start(conn, platform.id).await?;
        // A platform registered on or after the date was the successor's from the start.
        let (updated, on) = match start {
            Some(start) if start >= *effective_on => (
                platforms::reassign_current(conn, platform.id, successor.as_str(), &why).await?,
                start,
            ),
            _ => (
                platforms::transfer(conn, platform.id, successor.as_str(), *effective_on, &why)
                    .await?,
                *effective_on,
            ),
        };
        let changes = json!({
            "ministry": {"old": row.code, "new": successor.as_str()},
            "effective_on": {"old": null, "new": on},
            "reason": {"old": null, "new": why},
        });
        record_platform_change(conn, actor, updated, "transferred", changes).await?;
        moved.push(platform.code);
    }
    let changes = json!({
        "status": {"old": "active", "new": "merged"},
        "successor": {"old": null, "new": successor.as_str()},
        "succeeded_on": {"old": null, "new": effective_on},
    });
    Ok(SuccessionResponse {
        ministry: record(conn, actor, merged, "succeeded", changes).await?,
        transferred_platforms: moved,
    })
}
