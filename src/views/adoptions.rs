//! The wire form of a province's adoption record.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::adoptions::AdoptionView;
use crate::domain::{AdoptionStatus, Vocabulary};

/// A province's record about one national platform.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AdoptionResponse {
    /// The province's code.
    #[schema(example = "HCM")]
    pub province: String,
    /// The province's name.
    #[schema(example = "Thành phố Hồ Chí Minh")]
    pub province_name: String,
    /// The platform's code.
    #[schema(example = "vneid")]
    pub platform: String,
    /// The platform's Vietnamese name.
    pub platform_name: String,
    /// The platform's current owner, whose contact points the province deals with.
    #[schema(example = "BCA")]
    pub ministry: String,
    /// Where the province stands with the platform.
    pub status: AdoptionStatus,
    /// The day this status took effect.
    pub since: NaiveDate,
    /// The province's own system it replaced or connected.
    pub local_system: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// A public page that shows it.
    pub evidence_url: Option<String>,
    /// Starts at 1 and grows with each change.
    #[schema(example = 1)]
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<AdoptionView> for AdoptionResponse {
    fn from(v: AdoptionView) -> Self {
        Self {
            status: AdoptionStatus::parse(&v.status).unwrap_or(AdoptionStatus::Planned),
            province: v.province_code,
            province_name: v.province_name,
            platform: v.platform_code,
            platform_name: v.platform_name,
            ministry: v.ministry_code,
            since: v.since,
            local_system: v.local_system,
            note: v.note,
            evidence_url: v.evidence_url,
            version: v.version,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}
