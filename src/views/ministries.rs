//! The representation of a ministry or agency.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::ministries::{self as ministry_db, Ministry};
use crate::domain::{MinistryKind, MinistryStatus, Vocabulary};
use crate::error::ApiError;

/// A ministry, ministry-level agency or government agency that owns platforms.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinistryResponse {
    /// The URL-safe ASCII code, the key (`BKHDT`).
    #[schema(example = "BTC")]
    pub code: String,
    /// The Vietnamese abbreviation (`BKHĐT`).
    #[schema(example = "BTC")]
    pub code_vi: String,
    /// The Vietnamese name.
    #[schema(example = "Bộ Tài chính")]
    pub name_vi: String,
    /// The English name.
    #[schema(example = "Ministry of Finance")]
    pub name_en: String,
    /// The English abbreviation, where there is one.
    #[schema(example = "MOF")]
    pub abbr_en: Option<String>,
    /// The kind of agency.
    pub kind: MinistryKind,
    /// The electronic agency ID of Decision 20/2020/QĐ-TTg, where known.
    #[schema(example = "000.00.00.G12")]
    pub agency_id: Option<String>,
    /// How well the agency ID is attested (`weak`: seen in public integration code only).
    #[schema(example = "weak")]
    pub agency_id_confidence: Option<String>,
    /// Whether the agency is active, merged into a successor or dissolved.
    pub status: MinistryStatus,
    /// The agency that took over, for a merged or dissolved one.
    #[schema(example = json!(null))]
    pub successor: Option<String>,
    /// The date the succession took effect.
    #[schema(example = json!(null))]
    pub succeeded_on: Option<NaiveDate>,
    /// The agencies this one succeeded (`BKHDT` and `BHXH` for `BTC`).
    #[schema(example = json!(["BHXH", "BKHDT", "CMSC"]))]
    pub predecessors: Vec<String>,
    /// A short note on the agency's reorganisation.
    pub notes: Option<String>,
    /// How many platforms it currently owns (retired ones excluded).
    #[schema(example = 12)]
    pub platform_count: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl MinistryResponse {
    pub fn new(row: Ministry, platform_count: i64, predecessors: Vec<String>) -> Self {
        Self {
            kind: MinistryKind::parse(&row.kind).unwrap_or(MinistryKind::Ministry),
            status: MinistryStatus::parse(&row.status).unwrap_or(MinistryStatus::Active),
            code: row.code,
            code_vi: row.code_vi,
            name_vi: row.name_vi,
            name_en: row.name_en,
            abbr_en: row.abbr_en,
            agency_id: row.agency_id,
            agency_id_confidence: row.agency_id_confidence,
            successor: row.successor_code,
            succeeded_on: row.succeeded_on,
            predecessors,
            notes: row.notes,
            platform_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The wire form of one agency, with its platform count and predecessors.
pub async fn ministry_response(
    conn: &mut AsyncPgConnection,
    row: Ministry,
) -> Result<MinistryResponse, ApiError> {
    let code = std::slice::from_ref(&row.code);
    let count = ministry_db::platform_counts(conn, code)
        .await?
        .first()
        .map_or(0, |c| c.1);
    let preds = ministry_db::successions(conn, code)
        .await?
        .into_iter()
        .map(|p| p.0)
        .collect();
    Ok(MinistryResponse::new(row, count, preds))
}
