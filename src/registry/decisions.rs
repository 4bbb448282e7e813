//! Decisions on overlap-check receipts: after a check, the province records what it decided
//! (`reuse`, `connect`, `proceed` or `cancelled`). The receipt itself is never changed; one
//! decision per receipt. A `reuse` or `connect` also writes the province's adoption record.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::decisions::{self as decision_db, NewDecision};
use crate::db::overlap::{self, ReceiptFacts};
use crate::db::{platforms as platform_db, provinces};
use crate::domain::{AdoptionStatus, DecisionKind, PlatformCode, Scope, Vocabulary};
use crate::error::{ApiError, ProblemCode};
use crate::registry::adoptions::{self, AdoptionInput, ValidAdoption};
use crate::registry::changes::{ChangeRecord, diff, record_change, state_of};
use crate::registry::validate::{Checker, rule};
use crate::views::decisions::{DecisionResponse, decision_response};

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

/// The answer when no receipt has the id `raw`.
pub fn receipt_not_found(raw: &str) -> ApiError {
    ApiError::not_found(format!("No overlap check has the id {raw:?}."))
}

/// A receipt id from a path: a UUID, else no receipt has it.
pub fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
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

/// Locks the receipt `check_id` for a decision: it must exist and have none yet.
pub async fn lock_receipt(
    conn: &mut AsyncPgConnection,
    check_id: Uuid,
) -> Result<ReceiptFacts, ApiError> {
    let receipt = overlap::lock_facts(conn, check_id)
        .await?
        .ok_or_else(|| receipt_not_found(&check_id.to_string()))?;
    if decision_db::find(conn, check_id).await?.is_some() {
        return Err(ApiError::new(
            ProblemCode::DecisionExists,
            format!(
                "The overlap check {check_id} already has a decision; read it at /api/v1/overlap-checks/{check_id}/decision."
            ),
        ));
    }
    Ok(receipt)
}

/// Records what a province decided on the locked receipt, with the adoption record that
/// follows a `reuse` or `connect` when the token may write adoption records; every problem of the
/// request is named at once.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    check_id: Uuid,
    receipt: &ReceiptFacts,
    request: &DecisionRequest,
) -> Result<DecisionResponse, ApiError> {
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
    let province = deciding_province(actor, named.as_deref(), requester.as_deref(), &mut c)?;
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
                c.fail(
                    "platform",
                    "is required for reuse and connect: the platform chosen",
                );
            }
            None
        }
    };
    let justification = c.optional_text(
        "justification",
        request.justification.as_deref(),
        rule::<DecisionRequest>("justification"),
    );
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
        return Err(ApiError::new(
            ProblemCode::DecisionExists,
            format!("The overlap check {check_id} already has a decision."),
        ));
    }
    if let (Some(platform), true, true) = (&platform, picks_platform, may_record) {
        let current = adoptions::lock_current(conn, &province, platform).await?;
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
                adoptions::write(conn, actor, current, &province, platform, &valid).await?;
            }
            (None, None) => {
                adoptions::write(conn, actor, None, &province, platform, &default()).await?;
            }
            (None, Some(_)) => {}
        }
    }
    let view = decision_db::find(conn, check_id)
        .await?
        .ok_or_else(|| ApiError::internal("a decision vanished after its write"))?;
    let body = decision_response(conn, view).await?;
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
    record_change(conn, actor, change).await?;
    Ok(body)
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
