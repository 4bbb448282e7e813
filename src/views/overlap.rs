//! The wire form of an overlap check: the request, the verdict, the candidates and the receipt.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{Audience, Domain, ProvinceAction};
use crate::views::contacts::ContactResponse;
use crate::views::platforms::MatchedTerm;

/// Who asks (optional; printed on the receipt). No personal data: a province and a unit.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requester {
    /// The province or city, 2 to 100 characters.
    #[schema(example = "Quảng Ngãi", pattern = "{line 2..100}")]
    pub province: String,
    /// The requesting unit, 2 to 200 characters.
    #[schema(example = "Sở Khoa học và Công nghệ", pattern = "{line? 2..200}")]
    pub unit: Option<String>,
}

/// What a province plans to buy.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Xây dựng hệ thống HĐĐT dùng chung của tỉnh",
    "description": "Phần mềm phát hành, tiếp nhận và tra cứu hóa đơn điện tử cho doanh nghiệp trên địa bàn tỉnh.",
    "domains": ["tax"],
    "audiences": ["businesses"],
    "requester": {"province": "Quảng Ngãi", "unit": "Sở Khoa học và Công nghệ"}
}))]
pub struct OverlapCheckRequest {
    /// The planned purchase's title, 3 to 300 characters, with or without diacritics, with at
    /// least one letter or digit.
    #[schema(pattern = "{line 3..300}")]
    pub title: String,
    /// What it should do, up to 5000 characters.
    #[serde(default)]
    #[schema(pattern = "{lines? 1..5000}")]
    pub description: Option<String>,
    /// The fields it serves, if known.
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// Who it is for, if known.
    #[serde(default)]
    pub audiences: Vec<Audience>,
    /// Who asks.
    #[serde(default)]
    pub requester: Option<Requester>,
}

/// The verdict of an overlap check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A national platform already does this: use it instead of buying (score ≥
    /// [`LIKELY_DUPLICATE`](crate::domain::search::LIKELY_DUPLICATE)).
    LikelyDuplicate,
    /// A national platform does part of this: reuse or connect to it (score ≥
    /// [`POSSIBLE_OVERLAP`](crate::domain::search::POSSIBLE_OVERLAP)).
    PossibleOverlap,
    /// No national platform in the registry does this.
    NoOverlap,
}

/// The owner of a candidate platform.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CandidateOwner {
    /// The agency's code.
    #[schema(example = "BTC")]
    pub code: String,
    /// Its Vietnamese name.
    #[schema(example = "Bộ Tài chính")]
    pub name_vi: String,
    /// Its English name.
    pub name_en: String,
}

/// A national platform the purchase may duplicate.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OverlapCandidate {
    /// The platform's code (`/api/v1/platforms/{code}`).
    #[schema(example = "nen-tang-hoa-don-dien-tu")]
    pub platform: String,
    /// Its Vietnamese name.
    pub name_vi: String,
    /// Its English name.
    pub name_en: String,
    /// Its short name.
    pub short_name: Option<String>,
    /// Its lifecycle status.
    #[schema(example = "operational")]
    pub status: String,
    /// Its public address.
    pub url: Option<String>,
    /// How much the purchase overlaps it, from 0 to 1.
    #[schema(example = 0.81)]
    pub score: f32,
    /// Why, in plain words.
    pub reasons: Vec<String>,
    /// The same reasons in Vietnamese.
    pub reasons_vi: Vec<String>,
    /// The words of the title and description found in the platform.
    pub matched: Vec<MatchedTerm>,
    /// The owning agency.
    pub ministry: CandidateOwner,
    /// The operating unit.
    pub operator: Option<String>,
    /// The operating unit's published contact channels.
    pub contacts: Vec<ContactResponse>,
    /// Whom to call when there is no published channel.
    pub contact_hint: String,
    /// The same in Vietnamese.
    pub contact_hint_vi: String,
    /// What a province should do with the platform instead of building its own (from its
    /// profile).
    pub province_action: Option<ProvinceAction>,
    /// The same in a Vietnamese sentence.
    pub province_action_note: Option<String>,
}

/// Another province's earlier check of a similar plan.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SimilarCheck {
    /// That receipt's id (`/api/v1/overlap-checks/{id}`).
    pub id: Uuid,
    /// When it was judged.
    pub created_at: DateTime<Utc>,
    /// The province that asked, as it named itself.
    #[schema(example = "Quảng Ngãi")]
    pub province: String,
    /// Its plan's title.
    #[schema(example = "Xây dựng hệ thống hóa đơn điện tử dùng chung của tỉnh")]
    pub title: String,
}

/// The registry's state when the check was judged.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RegistryState {
    /// The id of the last change recorded in the registry (see platform histories).
    #[schema(example = 412)]
    pub last_change_id: i64,
    /// How many platforms were registered and not retired.
    #[schema(example = 79)]
    pub active_platforms: i64,
}

/// A score as it is written, to two places (an `f32` widened to `f64` prints its binary error).
fn two_places(score: f32) -> f64 {
    (f64::from(score) * 100.0).round() / 100.0
}

/// The thresholds the verdict was judged with.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Thresholds {
    /// From this score up: `likely_duplicate`.
    #[schema(example = json!(two_places(crate::domain::search::LIKELY_DUPLICATE)))]
    pub likely_duplicate: f32,
    /// From this score up: `possible_overlap`.
    #[schema(example = json!(two_places(crate::domain::search::POSSIBLE_OVERLAP)))]
    pub possible_overlap: f32,
}

/// A stored overlap-check receipt.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OverlapCheckResponse {
    /// The receipt's id, to cite and to read it back.
    pub id: Uuid,
    /// When it was judged.
    pub created_at: DateTime<Utc>,
    /// The verdict.
    pub verdict: Verdict,
    /// The verdict and why, in a sentence.
    pub summary: String,
    /// The same in Vietnamese.
    pub summary_vi: String,
    /// The question, as received (text NFC-normalised and trimmed).
    pub request: OverlapCheckRequest,
    /// Up to five national platforms, most overlapping first.
    pub candidates: Vec<OverlapCandidate>,
    /// Earlier checks (last twelve months) by other provinces of a plan like this one: provinces
    /// that plan the same purchase can buy once or share. No personal data.
    pub similar_checks: Vec<SimilarCheck>,
    /// The thresholds the verdict used.
    pub thresholds: Thresholds,
    /// The registry's state when judged.
    pub registry_state: RegistryState,
}

impl Verdict {
    /// The verdict's code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LikelyDuplicate => "likely_duplicate",
            Self::PossibleOverlap => "possible_overlap",
            Self::NoOverlap => "no_overlap",
        }
    }
}
