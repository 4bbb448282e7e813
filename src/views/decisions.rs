//! The wire form of a province's decision on an overlap-check receipt.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::decisions::DecisionView;
use crate::db::{adoptions as adoption_db, platforms as platform_db};
use crate::domain::{DecisionKind, Vocabulary};
use crate::error::ApiError;
use crate::views::adoptions::AdoptionResponse;

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

/// The representation of a stored decision, with the province's current adoption record for the
/// chosen platform.
pub async fn decision_response(
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
