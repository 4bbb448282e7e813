//! The representation of a platform: its fields, contacts, lists and ownership history.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::contacts::ContactResponse;
use crate::db::platforms::{self as platform_db, Parts, Platform};
use crate::domain::search::Score;
use crate::domain::{
    Audience, Domain, NdxpStatus, PlatformProfile, PlatformStatus, SourceConfidence, Vocabulary,
};
use crate::error::ApiError;

/// The legal document that establishes or governs a platform.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LegalBasis {
    /// The document number as written in Vietnamese.
    #[schema(example = "833/QĐ-TCHQ")]
    pub number: String,
    /// The date the document was signed.
    #[schema(example = "2015-03-26")]
    pub date: Option<NaiveDate>,
}

/// A period during which an agency owned the platform.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnershipPeriod {
    /// The owning agency's code.
    #[schema(example = "BKHDT")]
    pub ministry: String,
    /// First day of ownership; `null` when it predates the registry's records.
    #[schema(example = json!(null))]
    pub from: Option<NaiveDate>,
    /// Last day of ownership; `null` for the current owner.
    #[schema(example = "2025-02-28")]
    pub to: Option<NaiveDate>,
    /// Why ownership changed, such as a merger.
    pub reason: Option<String>,
}

/// A national digital platform, information system or database.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformResponse {
    /// The stable, URL-safe, lowercase slug; immutable once created.
    #[schema(example = "vneid")]
    pub code: String,
    /// The Vietnamese name.
    #[schema(example = "Nền tảng định danh và xác thực điện tử")]
    pub name_vi: String,
    /// The English name.
    #[schema(example = "Electronic identification and authentication platform")]
    pub name_en: String,
    /// The short name or acronym people use.
    #[schema(example = "VNeID")]
    pub short_name: Option<String>,
    /// What the platform does, in the registry's words.
    pub description: String,
    /// The owning agency's code (chủ quản).
    #[schema(example = "BCA")]
    pub ministry: String,
    /// The unit that operates it (đơn vị vận hành).
    pub operator: Option<String>,
    /// The fields it serves.
    pub domains: Vec<Domain>,
    /// Who it is for.
    pub audiences: Vec<Audience>,
    /// Where it is in its life; `retired` platforms stay readable.
    pub status: PlatformStatus,
    /// The public address, where it has one.
    #[schema(example = "https://dichvucong.gov.vn")]
    pub url: Option<String>,
    /// Whether it is connected to NDXP.
    pub ndxp_status: NdxpStatus,
    /// The document that establishes or governs it.
    pub legal_basis: Option<LegalBasis>,
    /// The official list editions it belongs to (see `/api/v1/lists`).
    #[schema(example = json!(["qd-2618-2025"]))]
    pub lists: Vec<String>,
    /// Where the record's facts come from.
    pub source: Option<String>,
    /// How well the record is attested.
    pub confidence: SourceConfidence,
    /// What it does in a province's words, who uses it, its other names, and what a province
    /// should do instead of building its own.
    pub profile: PlatformProfile,
    /// The operating unit's published contact channels.
    pub contacts: Vec<ContactResponse>,
    /// Who owned it when, oldest first; the last entry is the current owner.
    pub ownership_history: Vec<OwnershipPeriod>,
    /// Increases by one with every change to the platform.
    #[schema(example = 1)]
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// With `q` only: how well the platform matches and why.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub search_match: Option<SearchMatch>,
}

fn parse_all<V: Vocabulary>(codes: &[String]) -> Vec<V> {
    codes.iter().filter_map(|c| V::parse(c)).collect()
}

/// Builds the wire form of `rows`, loading their contacts, owners and lists in one statement.
pub async fn platform_responses(
    conn: &mut AsyncPgConnection,
    rows: Vec<Platform>,
) -> Result<Vec<PlatformResponse>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut parts = platform_db::parts(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let parts = parts.remove(&p.id).unwrap_or_default();
            PlatformResponse::new(p, parts)
        })
        .collect())
}

impl PlatformResponse {
    /// The wire form of a stored platform and what it embeds.
    pub fn new(p: Platform, parts: Parts) -> Self {
        let Parts {
            contacts,
            ownerships,
            lists,
        } = parts;
        Self {
            domains: parse_all(&p.domains),
            audiences: parse_all(&p.audiences),
            status: PlatformStatus::parse(&p.status).unwrap_or(PlatformStatus::Unknown),
            ndxp_status: NdxpStatus::parse(&p.ndxp_status).unwrap_or(NdxpStatus::Unknown),
            confidence: SourceConfidence::parse(&p.confidence)
                .unwrap_or(SourceConfidence::Unconfirmed),
            legal_basis: p.legal_basis_number.map(|number| LegalBasis {
                number,
                date: p.legal_basis_date,
            }),
            profile: PlatformProfile::from_stored(&p.profile),
            contacts: contacts
                .into_iter()
                .map(|c| ContactResponse::new(c, p.code.clone(), p.ministry_code.clone()))
                .collect(),
            ownership_history: ownerships
                .into_iter()
                .map(|o| OwnershipPeriod {
                    ministry: o.ministry_code,
                    from: o.valid_from,
                    to: o.valid_to,
                    reason: o.reason,
                })
                .collect(),
            lists,
            code: p.code,
            name_vi: p.name_vi,
            name_en: p.name_en,
            short_name: p.short_name,
            description: p.description,
            ministry: p.ministry_code,
            operator: p.operator,
            url: p.url,
            source: p.source,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
            search_match: None,
        }
    }
}

/// Why a platform matched a search.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SearchMatch {
    /// How well it matches, from 0 to 1.
    #[schema(example = 0.92)]
    pub score: f32,
    /// The query's words found, where and how.
    pub matched: Vec<MatchedTerm>,
}

/// One word (or known phrase) of a query found in a platform.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MatchedTerm {
    /// The word or phrase as typed, folded.
    #[schema(example = "csdl")]
    pub term: String,
    /// Where: `name` (Vietnamese or short name, code), `name_en` or `description`.
    #[schema(example = "name")]
    pub field: &'static str,
    /// How: `exact`, `abbreviation`, `synonym` or `typo`.
    #[schema(example = "abbreviation")]
    pub how: &'static str,
    /// What it matched as, when not as typed (the expansion, the synonym, the word one letter away).
    #[schema(example = "co so du lieu")]
    pub matched_as: Option<String>,
}

impl From<&Score> for SearchMatch {
    fn from(score: &Score) -> Self {
        Self {
            score: (score.value * 1000.0).round() / 1000.0,
            matched: score
                .matches
                .iter()
                .map(|m| MatchedTerm {
                    term: m.term.clone(),
                    field: m.field.as_str(),
                    how: m.how.as_str(),
                    matched_as: m.matched_as.clone(),
                })
                .collect(),
        }
    }
}
