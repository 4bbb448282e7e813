//! Operator writes on agencies: register one, correct its attributes. Successions (mergers) are
//! their own operation, so that they move platforms and stop tokens in one transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::api::WriteErrors;
use crate::api::body::{JsonBody, MergePatchBody};
use crate::api::state::AppState;
use crate::api::write::{Answer, Idempotency, check_if_match, if_match, render};
use crate::auth::Actor;
use crate::db::ministries::{self as db, Ministry, MinistryChangeset};
use crate::domain::{MinistryCode, MinistryKind, MinistryStatus, Vocabulary};
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::registry::changes::{ChangeRecord, diff, record_change, state_of};
use crate::registry::validate::Checker;
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

struct ValidMinistry {
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

fn validate(input: &MinistryInput) -> Result<ValidMinistry, ApiError> {
    let mut c = Checker::default();
    let code = match input.code.as_deref().map(MinistryCode::parse) {
        None => None,
        Some(Ok(code)) => Some(code),
        Some(Err(message)) => {
            c.fail("code", message);
            None
        }
    };
    let agency_id = c.optional_text("agency_id", input.agency_id.as_deref(), 13, 13, false);
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
        code_vi: c.text("code_vi", &input.code_vi, 2, 16, false),
        name_vi: c.text("name_vi", &input.name_vi, 2, 200, false),
        name_en: c.text("name_en", &input.name_en, 2, 200, false),
        abbr_en: c.optional_text("abbr_en", input.abbr_en.as_deref(), 1, 16, false),
        kind: input.kind.as_str(),
        agency_id,
        agency_id_confidence: confidence.map(str::to_owned),
        notes: c.optional_text("notes", input.notes.as_deref(), 1, 1000, true),
    };
    c.finish()?;
    Ok(valid)
}

fn snapshot(m: &Ministry) -> Value {
    json!({
        "code": m.code, "code_vi": m.code_vi, "name_vi": m.name_vi, "name_en": m.name_en,
        "abbr_en": m.abbr_en, "kind": m.kind, "agency_id": m.agency_id,
        "agency_id_confidence": m.agency_id_confidence, "notes": m.notes,
    })
}

/// Registers a new agency (operator only).
#[utoipa::path(
    tag = "ministries",
    security(("bearer" = ["admin"])),
    request_body(content = NewMinistryInput, content_type = "application/json"),
    params(crate::api::IdempotencyKey),
    responses(
        (status = 201, description = "Created. `Location` names the agency.", body = MinistryResponse,
         headers(("Location" = String, description = "The new agency's URL"), ("ETag" = String, description = "Tag of the representation"))),
        WriteErrors,
    )
)]
#[post("/ministries")]
pub async fn create_ministry(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let valid = body.parse_valid(validate)?;
    let code = valid
        .code
        .clone()
        .ok_or_else(|| ApiError::validation(vec![FieldError::new("code", "is required")]))?;
    let idempotency = Idempotency::from_request(&req, &body.0)?;
    crate::api::write::create(&state, &actor, idempotency.as_ref(), async |conn| {
        if db::exists(conn, code.as_str()).await? {
            return Err(ApiError::new(
                ProblemCode::MinistryExists,
                format!("An agency with the code {} already exists.", code.as_str()),
            ));
        }
        let row = db::insert(conn, code.as_str(), &valid.changeset()).await?;
        let changes = diff(&Value::Null, &snapshot(&row));
        let location = format!("/api/v1/ministries/{}", row.code);
        let response = ministry_response(conn, row).await?;
        let change = ChangeRecord {
            entity: "ministry",
            key: &response.code,
            platform_id: None,
            action: "created",
            changes,
            version: None,
            state: Some(state_of(&response)?),
        };
        record_change(conn, &actor, change).await?;
        Answer::json(StatusCode::CREATED, &response, Some(location))
    })
    .await
}

async fn lock(
    conn: &mut AsyncPgConnection,
    raw: &str,
    precondition: Option<&str>,
) -> Result<Ministry, ApiError> {
    let not_found = || ApiError::not_found(format!("No ministry or agency has the code {raw:?}."));
    let code = MinistryCode::parse(raw).map_err(|_| not_found())?;
    let row = db::lock(conn, code.as_str()).await?.ok_or_else(not_found)?;
    let current = render(&ministry_response(conn, row.clone()).await?)?;
    check_if_match(precondition, &current.etag)?;
    Ok(row)
}

/// Corrects an agency's attributes with a JSON Merge Patch (operator only). The code is immutable;
/// a merger is recorded with the succession operation, not here.
#[utoipa::path(
    tag = "ministries",
    security(("bearer" = ["admin"])),
    request_body(content = MinistryPatch, content_type = "application/merge-patch+json",
                 example = json!({"agency_id": "000.00.00.G12", "agency_id_confidence": "confirmed"})),
    params(
        ("code" = String, Path, description = "The agency's code, any case", example = "BTC"),
        crate::api::IfMatch,
    ),
    responses(
        (status = 200, description = "The agency as stored.", body = MinistryResponse,
         headers(("ETag" = String, description = "Tag of the new representation"))),
        WriteErrors,
    )
)]
#[patch("/ministries/{code}")]
pub async fn patch_ministry(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    body: MergePatchBody,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let precondition = if_match(&req);
    let answer = crate::api::write::transaction(&state, &actor, async |conn| {
        let row = lock(conn, &code, precondition.as_deref()).await?;
        let before = snapshot(&row);
        let valid = body.apply_valid(before.clone(), validate)?;
        if valid.code.as_ref().is_some_and(|c| c.as_str() != row.code) {
            return Err(ApiError::validation(vec![FieldError::new(
                "code",
                "is immutable",
            )]));
        }
        let candidate = Ministry {
            code_vi: valid.code_vi.clone(),
            name_vi: valid.name_vi.clone(),
            name_en: valid.name_en.clone(),
            abbr_en: valid.abbr_en.clone(),
            kind: valid.kind.to_owned(),
            agency_id: valid.agency_id.clone(),
            agency_id_confidence: valid.agency_id_confidence.clone(),
            notes: valid.notes.clone(),
            ..row.clone()
        };
        let changes = diff(&before, &snapshot(&candidate));
        if changes.as_object().is_some_and(serde_json::Map::is_empty) {
            return Answer::json(StatusCode::OK, &ministry_response(conn, row).await?, None);
        }
        let updated = db::update(conn, &row.code, &valid.changeset()).await?;
        let response = ministry_response(conn, updated).await?;
        let change = ChangeRecord {
            entity: "ministry",
            key: &response.code,
            platform_id: None,
            action: "updated",
            changes,
            version: None,
            state: Some(state_of(&response)?),
        };
        record_change(conn, &actor, change).await?;
        Answer::json(StatusCode::OK, &response, None)
    })
    .await?;
    Ok(answer.into_response())
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

/// Records that an agency merged into a successor (operator only), in one transaction: the agency
/// becomes `merged`; each of its platforms that is not retired moves to the successor, its
/// ownership period closed the day before and a new one opened on the date; its tokens stop
/// writing (a 403 names the successor); every change enters the history and the change feed.
#[utoipa::path(
    tag = "ministries",
    security(("bearer" = ["admin"])),
    request_body(content = SuccessionRequest, content_type = "application/json"),
    params(("code" = String, Path, description = "The agency that is merged, any case", example = "BKHDT")),
    responses(
        (status = 200, description = "The merged agency and the platforms that moved.", body = SuccessionResponse),
        WriteErrors,
    )
)]
#[post("/ministries/{code}/succession")]
pub async fn record_succession(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let request: SuccessionRequest = body.parse()?;
    let mut c = Checker::default();
    let successor = match MinistryCode::parse(&request.successor) {
        Ok(code) => Some(code),
        Err(message) => {
            c.fail("successor", message);
            None
        }
    };
    let reason = c.text("reason", &request.reason, 3, 1000, false);
    c.date("effective_on", request.effective_on);
    if request.effective_on > chrono::Utc::now().date_naive() {
        c.fail("effective_on", "must not be in the future");
    }
    c.finish()?;
    let successor = successor.ok_or_else(|| ApiError::internal("validated above"))?;
    let answer = crate::api::write::transaction(&state, &actor, async |conn| {
        let row = lock(conn, &code, None).await?;
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
        match crate::db::tokens::lock_ministry_standing(conn, successor.as_str()).await? {
            Some(s) if s.is_active() => {}
            Some(_) => c.fail("successor", format!("{successor} is not active")),
            None => c.fail(
                "successor",
                format!("{:?} is not a known agency code", successor.as_str()),
            ),
        }
        c.finish()?;
        let merged = db::merge(conn, &row.code, successor.as_str(), request.effective_on).await?;
        let why = format!("{} merged into {successor}: {reason}", row.code);
        let mut moved = Vec::new();
        for platform in crate::db::platforms::owned_by(conn, &row.code, false, true).await? {
            let start = crate::db::platforms::current_ownership_start(conn, platform.id).await?;
            // A platform registered on or after the date was the successor's from the start.
            let (updated, on) = match start {
                Some(start) if start >= request.effective_on => (
                    crate::db::platforms::reassign_current(
                        conn,
                        platform.id,
                        successor.as_str(),
                        &why,
                    )
                    .await?,
                    start,
                ),
                _ => (
                    crate::db::platforms::transfer(
                        conn,
                        platform.id,
                        successor.as_str(),
                        request.effective_on,
                        &why,
                    )
                    .await?,
                    request.effective_on,
                ),
            };
            let changes = json!({
                "ministry": {"old": row.code, "new": successor.as_str()},
                "effective_on": {"old": null, "new": on},
                "reason": {"old": null, "new": why},
            });
            crate::registry::platforms::record_platform_change(
                conn,
                &actor,
                updated,
                "transferred",
                changes,
            )
            .await?;
            moved.push(platform.code);
        }
        let response = ministry_response(conn, merged).await?;
        let change = ChangeRecord {
            entity: "ministry",
            key: &response.code,
            platform_id: None,
            action: "succeeded",
            changes: json!({
                "status": {"old": "active", "new": "merged"},
                "successor": {"old": null, "new": successor.as_str()},
                "succeeded_on": {"old": null, "new": request.effective_on},
            }),
            version: None,
            state: Some(state_of(&response)?),
        };
        record_change(conn, &actor, change).await?;
        Answer::json(
            StatusCode::OK,
            &SuccessionResponse {
                ministry: response,
                transferred_platforms: moved,
            },
            None,
        )
    })
    .await?;
    Ok(answer.into_response())
}
