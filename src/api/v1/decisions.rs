//! Decisions on overlap-check receipts: after a check, the province records what it decided
//! (`reuse`, `connect`, `proceed` or `cancelled`). The receipt itself is never changed: the
//! decision is a resource of its own at `/api/v1/overlap-checks/{id}/decision`, one per receipt.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::adoptions::{self, AdoptionInput, AdoptionResponse, ValidAdoption};
use crate::api::body::JsonBody;
use crate::api::representation::json_with_etag;
use crate::api::state::AppState;
use crate::api::write::{Answer, Idempotency};
use crate::api::{GetErrors, WriteErrors};
use crate::auth::Actor;
use crate::db::decisions::{self as decision_db, DecisionView, NewDecision};
use crate::db::{adoptions as adoption_db, overlap, platforms as platform_db, provinces};
use crate::domain::{AdoptionStatus, DecisionKind, PlatformCode, Scope, Vocabulary};
use crate::error::{ApiError, ProblemCode};
use crate::registry::changes::{ChangeRecord, diff, record_change, state_of};
use crate::registry::validate::Checker;

/// What a province decided after an overlap check.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decision": "reuse", "platform": "nen-tang-hoa-don-dien-tu",
    "adoption": {"status": "planned", "since": "2025-09-01", "local_system": "Hệ thống HĐĐT dự kiến mua"}
}))]
pub struct DecisionRequest {
    /// `reuse` (use the national platform instead of buying), `connect` (connect the province's
    /// system to it), `proceed` (buy anyway) or `cancelled` (drop the purchase).
    #[schema(value_type = DecisionKind)]
    pub decision: String,
    /// The platform chosen (its code): required for `reuse` and `connect`.
    #[serde(default)]
    #[schema(example = "nen-tang-hoa-don-dien-tu")]
    pub platform: Option<String>,
    /// Why: required for `proceed` (what the national platforms do not do), 10 to 4000 characters.
    #[serde(default)]
    #[schema(pattern = "{lines? 10..4000}")]
    pub justification: Option<String>,
    /// The deciding province (code, name or 2025 predecessor's name). A province token decides for
    /// its own province and may leave this out; an operator names it unless the receipt's
    /// requester names one.
    #[serde(default)]
    #[schema(pattern = "{line? 2..100}", example = "HCM")]
    pub province: Option<String>,
    /// With `reuse` or `connect` only: the province's adoption record for the chosen platform,
    /// created or replaced in the same transaction (the token needs `adoptions:write` too). Left
    /// out, a token with `adoptions:write` creates a record when the province has none for that
    /// platform (`planned` for `reuse`, `connecting` for `connect`, since today); an existing one
    /// is left as it is.
    #[serde(default)]
    pub adoption: Option<AdoptionInput>,
}

/// A province's decision on a receipt.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DecisionResponse {
    /// The receipt's id.
    pub check_id: Uuid,
    /// The receipt, unchanged (`GET` it to read what the registry answered).
    #[schema(example = "/api/v1/overlap-checks/3f1c7a52-7c0e-4c55-9d8a-0f4f3b6c2a11")]
    pub receipt: String,
    /// The receipt's verdict.
    #[schema(example = "likely_duplicate")]
    pub verdict: String,
    /// When the receipt was stored (within milliseconds of its `created_at`).
    pub checked_at: DateTime<Utc>,
    /// The deciding province's code.
    #[schema(example = "HCM")]
    pub province: String,
    /// Its name.
    #[schema(example = "Thành phố Hồ Chí Minh")]
    pub province_name: String,
    /// What it decided.
    pub decision: DecisionKind,
    /// The platform chosen (for `reuse` and `connect`).
    #[schema(example = "nen-tang-hoa-don-dien-tu")]
    pub platform: Option<String>,
    /// The chosen platform's current owner.
    #[schema(example = "BTC")]
    pub ministry: Option<String>,
    /// Why, as the province wrote it.
    pub justification: Option<String>,
    /// When it decided.
    pub decided_at: DateTime<Utc>,
    /// Who recorded it (the token's subject).
    #[schema(example = "province:HCM")]
    pub decided_by: String,
    /// The province's current adoption record for the chosen platform, if it has one.
    pub adoption: Option<AdoptionResponse>,
}

async fn response(
    conn: &mut AsyncPgConnection,
    view: DecisionView,
) -> Result<DecisionResponse, ApiError> {
    let adoption = match &view.platform_code {
        Some(code) => match platform_db::find_id(conn, code).await? {
            Some(id) => adoption_db::find(conn, &view.province_code, id, false)
                .await?
                .map(AdoptionResponse::from),
            None => None,
        },
        None => None,
    };
    Ok(DecisionResponse {
        receipt: format!("/api/v1/overlap-checks/{}", view.check_id),
        check_id: view.check_id,
        verdict: view.verdict,
        checked_at: view.checked_at,
        province: view.province_code,
        province_name: view.province_name,
        decision: DecisionKind::parse(&view.decision).unwrap_or(DecisionKind::Proceed),
        platform: view.platform_code,
        ministry: view.ministry_code,
        justification: view.justification,
        decided_at: view.decided_at,
        decided_by: view.decided_by,
        adoption,
    })
}

fn receipt_not_found(raw: &str) -> ApiError {
    ApiError::not_found(format!("No overlap check has the id {raw:?}."))
}

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| receipt_not_found(raw))
}

/// The province that decides: the token's own, checked against the body's and the receipt's
/// requester; for an operator, the body's or else the receipt's. `None` with a field error when
/// an operator names none.
fn deciding_province(
    actor: &Actor,
    named: Option<&str>,
    requester: Option<&str>,
    c: &mut Checker,
) -> Result<Option<String>, ApiError> {
    let wrong = |own: &str, other: &str, why: &str| {
        ApiError::new(
            ProblemCode::WrongProvince,
            format!("This token decides for {own}; {why} {other}."),
        )
    };
    match &actor.province {
        Some(own) => {
            if let Some(other) = requester.filter(|r| r != own) {
                return Err(wrong(own, other, "the receipt was requested by"));
            }
            if let Some(other) = named.filter(|n| n != own) {
                return Err(wrong(own, other, "the body names"));
            }
            Ok(Some(own.clone()))
        }
        None if actor.is_operator() => {
            let chosen = named.or(requester).map(str::to_owned);
            if chosen.is_none() {
                c.fail(
                    "province",
                    "is required: the receipt names no province, so say which province decided",
                );
            }
            Ok(chosen)
        }
        None => Err(ApiError::new(
            ProblemCode::ProvinceOnly,
            "Only a province token (or an operator's) may decide on an overlap check.",
        )),
    }
}

/// Records what a province decided after an overlap check (province token with
/// `decisions:write`, or operator). The receipt stays byte for byte as it was; the decision is
/// linked to it and read back at the same URL with `GET`. One decision per receipt: a second one
/// is 409 `decision_exists` (read the first with `GET`).
///
/// A province token decides for its own province only; when the receipt's requester names a
/// province (resolved like any province name), only that province may decide. `reuse` and
/// `connect` create or update the province's adoption record for the chosen platform in the same
/// transaction when the token may also write adoption records (see `adoption`). The decision and any adoption change enter the change feed and
/// the webhooks.
#[utoipa::path(
    tag = "overlap checks",
    security(("bearer" = ["decisions:write"])),
    request_body(content = DecisionRequest, content_type = "application/json"),
    params(
        ("id" = Uuid, Path, description = "The receipt's id"),
        crate::api::IdempotencyKey,
    ),
    responses(
        (status = 201, description = "The decision. `Location` is where to read it back.", body = DecisionResponse,
         headers(("Location" = String, description = "The decision's URL"), ("ETag" = String, description = "Tag of the representation"))),
        WriteErrors,
    )
)]
#[post("/overlap-checks/{id}/decision")]
pub async fn create_decision(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require(Scope::DecisionsWrite)?;
    let check_id = parse_id(&id)?;
    let idempotency = Idempotency::from_request(&req, &body.0)?;
    crate::api::write::create(&state, &actor, idempotency.as_ref(), async |conn| {
        let receipt = overlap::lock_facts(conn, check_id)
            .await?
            .ok_or_else(|| receipt_not_found(&id))?;
        if decision_db::find(conn, check_id).await?.is_some() {
            return Err(ApiError::new(ProblemCode::DecisionExists, format!(
                    "The overlap check {check_id} already has a decision; read it at /api/v1/overlap-checks/{check_id}/decision."
                ),
            ));
        }
        let request: DecisionRequest = body.parse()?;
        let mut c = Checker::default();
        let named = match request.province.as_deref() {
            Some(raw) => {
                let resolved = provinces::resolve(conn, raw).await?;
                if resolved.is_none() {
                    c.fail("province", format!("{raw:?} names no province"));
                }
                resolved
            }
            None => None,
        };
        let requester = match receipt
            .request
            .pointer("/requester/province")
            .and_then(Value::as_str)
        {
            Some(raw) => provinces::resolve(conn, raw).await?,
            None => None,
        };
        let province =
            deciding_province(&actor, named.as_deref(), requester.as_deref(), &mut c)?;
        let decision = DecisionKind::parse(request.decision.trim());
        if decision.is_none() {
            c.fail(
                "decision",
                format!(
                    "{:?} is not one of {}",
                    request.decision,
                    DecisionKind::codes().join(", ")
                ),
            );
        }
        let picks_platform = matches!(decision, Some(DecisionKind::Reuse | DecisionKind::Connect));
        let platform = match request.platform.as_deref().map(str::trim) {
            Some(code) if !code.is_empty() => {
                // A code no platform can have (a NUL, upper case...) never reaches the database.
                let found = match PlatformCode::parse(code) {
                    Ok(code) => platform_db::find(conn, code.as_str()).await?,
                    Err(_) => None,
                };
                if found.is_none() {
                    c.fail("platform", format!("no platform has the code {code:?}"));
                }
                found
            }
            _ => {
                if picks_platform {
                    c.fail("platform", "is required for reuse and connect: the platform chosen");
                }
                None
            }
        };
        let justification =
            c.optional_text("justification", request.justification.as_deref(), 10, 4000, true);
        if decision == Some(DecisionKind::Proceed) && justification.is_none() {
            c.fail(
                "justification",
                "is required for proceed: say what the national platforms do not do",
            );
        }
        let adoption = match &request.adoption {
            Some(input) if picks_platform => input.validate(&mut c, "adoption."),
            Some(_) => {
                c.fail("adoption", "goes only with a reuse or connect decision");
                None
            }
            None => None,
        };
        c.finish()?;
        let (Some(province), Some(decision)) = (province, decision) else {
            return Err(ApiError::internal("validated above"));
        };
        // The adoption record that follows a decision is written with the token's own right to
        // write adoption records: asked for explicitly without it, the decision is refused.
        if adoption.is_some() {
            actor.require(Scope::AdoptionsWrite)?;
        }
        let may_record = actor.require(Scope::AdoptionsWrite).is_ok();
        let stored = decision_db::insert(
            conn,
            &NewDecision {
                check_id,
                province_code: &province,
                decision: decision.as_str(),
                platform_id: platform.as_ref().map(|p| p.id),
                justification: justification.as_deref(),
                decided_by: &actor.sub,
            },
        )
        .await?;
        if !stored {
            return Err(ApiError::new(ProblemCode::DecisionExists, format!("The overlap check {check_id} already has a decision."),
            ));
        }
        if let (Some(platform), true, true) = (&platform, picks_platform, may_record) {
            let current = adoptions::lock_current(conn, &province, platform, None).await?;
            let default = || {
                let status = if decision == DecisionKind::Connect {
                    AdoptionStatus::Connecting
                } else {
                    AdoptionStatus::Planned
                };
                ValidAdoption::new(status, Utc::now().date_naive())
            };
            match (adoption, &current) {
                (Some(valid), _) => {
                    adoptions::write(conn, &actor, current, &province, platform, &valid).await?;
                }
                (None, None) => {
                    adoptions::write(conn, &actor, None, &province, platform, &default()).await?;
                }
                (None, Some(_)) => {}
            }
        }
        let view = decision_db::find(conn, check_id)
            .await?
            .ok_or_else(|| ApiError::internal("a decision vanished after its write"))?;
        let body = response(conn, view).await?;
        let state = state_of(&body)?;
        let change = ChangeRecord {
            entity: "decision",
            key: check_id.to_string(),
            platform_id: None,
            action: "decided",
            changes: diff(&Value::Null, &state),
            version: None,
            state: Some(state),
        };
        record_change(conn, &actor, change).await?;
        let location = format!("/api/v1/overlap-checks/{check_id}/decision");
        Answer::json(StatusCode::CREATED, &body, Some(location))
    })
    .await
}

/// Reads the decision recorded on a receipt.
#[utoipa::path(
    tag = "overlap checks",
    params(("id" = Uuid, Path, description = "The receipt's id")),
    responses(
        (status = 200, description = "The decision.", body = DecisionResponse,
         headers(("ETag" = String, description = "Tag of this representation"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        GetErrors,
    )
)]
#[get("/overlap-checks/{id}/decision")]
pub async fn get_decision(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let check_id = parse_id(&id)?;
    let mut conn = state.pool.get().await?;
    let Some(view) = decision_db::find(&mut conn, check_id).await? else {
        if overlap::find(&mut conn, check_id).await?.is_none() {
            return Err(receipt_not_found(&id));
        }
        return Err(ApiError::new(
            ProblemCode::DecisionNotFound,
            format!("No decision has been recorded on the overlap check {check_id} yet."),
        ));
    };
    json_with_etag(&req, &response(&mut conn, view).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(province: Option<&str>, scopes: Vec<Scope>) -> Actor {
        Actor {
            sub: "test".into(),
            ministry: None,
            province: province.map(str::to_owned),
            scopes,
            jti: "jti-for-tests".into(),
        }
    }

    #[test]
    fn a_province_decides_for_itself_and_only_on_its_own_receipts() {
        let hcm = actor(Some("HCM"), vec![Scope::DecisionsWrite]);
        let mut c = Checker::default();
        assert_eq!(
            deciding_province(&hcm, None, None, &mut c).unwrap(),
            Some("HCM".into())
        );
        assert!(deciding_province(&hcm, None, Some("DNG"), &mut c).is_err());
        assert!(deciding_province(&hcm, Some("DNG"), None, &mut c).is_err());
        let operator = actor(None, vec![Scope::Admin]);
        assert_eq!(
            deciding_province(&operator, None, Some("DNG"), &mut c).unwrap(),
            Some("DNG".into())
        );
        assert!(c.errors.is_empty());
        assert_eq!(
            deciding_province(&operator, None, None, &mut c).unwrap(),
            None
        );
        assert_eq!(c.errors[0].field, "province");
    }
}
