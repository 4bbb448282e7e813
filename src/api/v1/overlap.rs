//! `POST /api/v1/overlap-checks` and `GET /api/v1/overlap-checks/{id}`: before it buys a system, a
//! province describes it and gets a verdict, the national platforms it may duplicate, why, and
//! whom to call, as a receipt it can cite in its procurement file.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::search::{DocumentCache, scored_candidates};
use crate::api::body::JsonBody;
use crate::api::state::AppState;
use crate::api::{GetErrors, rate_limit::RateLimited};
use crate::db::platforms::PlatformFilter;
use crate::db::{ministries as ministry_db, overlap as db};
use crate::domain::search::{self, LIKELY_DUPLICATE, POSSIBLE_OVERLAP, Query, Rarity};
use crate::domain::{
    Audience, Domain, PlatformProfile, PlatformStatus, ProvinceAction, Vocabulary, fold_for_search,
};
use crate::error::{ApiError, Problem};
use crate::registry::validate::Checker;
use crate::views::contacts::ContactResponse;
use crate::views::platforms::{MatchedTerm, SearchMatch, platform_responses};

/// How many candidates a receipt lists at most.
pub const MAX_CANDIDATES_LISTED: usize = 5;
/// The least score a candidate needs to be listed.
pub const MIN_CANDIDATE_SCORE: f32 = 0.2;

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

impl Verdict {
    /// The verdict for one platform. A platform provinces are to connect their own systems to
    /// (NDXP, the SOC, the Government's meeting system) is not duplicated by a province's own
    /// layer of it: at most a possible overlap, to be connected. Unless the plan says it builds
    /// its own, separate one ("riêng", "độc lập"): that is a copy, not a layer.
    fn of(score: f32, action: Option<ProvinceAction>, separate: bool) -> Self {
        if score >= LIKELY_DUPLICATE && (separate || action != Some(ProvinceAction::Connect)) {
            Self::LikelyDuplicate
        } else if score >= POSSIBLE_OVERLAP {
            Self::PossibleOverlap
        } else {
            Self::NoOverlap
        }
    }

    /// The verdict's code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LikelyDuplicate => "likely_duplicate",
            Self::PossibleOverlap => "possible_overlap",
            Self::NoOverlap => "no_overlap",
        }
    }
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

/// How alike two plans' significant words must be (trigram similarity) to be listed as similar.
pub const SIMILAR_PLAN_MIN_SIMILARITY: f32 = 0.5;
/// How many similar checks a receipt lists at most.
pub const MAX_SIMILAR_CHECKS: i64 = 5;

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

fn validate(mut request: OverlapCheckRequest) -> Result<OverlapCheckRequest, ApiError> {
    let mut c = Checker::default();
    request.title = c.text("title", &request.title, 3, 300, false);
    request.description =
        c.optional_text("description", request.description.as_deref(), 1, 5000, true);
    if let Some(requester) = &mut request.requester {
        requester.province = c.text("requester.province", &requester.province, 2, 100, false);
        requester.unit =
            c.optional_text("requester.unit", requester.unit.as_deref(), 2, 200, false);
    }
    let title_words = search::analyse(&request.title).units.len();
    if title_words == 0 {
        c.fail("title", "must contain at least one letter or digit");
    }
    c.finish()?;
    request.domains.dedup();
    request.audiences.dedup();
    Ok(request)
}

/// What the registry judged of a planned purchase.
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// The platforms it may duplicate, most overlapping first.
    pub candidates: Vec<OverlapCandidate>,
    /// Why, in a sentence: English, then Vietnamese.
    pub why: (String, String),
    /// What the plan is about: its significant words, folded (for similar plans).
    pub gist: String,
    /// How the best candidate overlaps, feature by feature (for the relevance benchmark).
    pub best: Option<search::Overlap>,
}

/// Judges a planned purchase against the registry. Used by the endpoint and by the relevance
/// benchmark, so that what is measured is what is served.
pub async fn judge(
    conn: &mut AsyncPgConnection,
    docs: &DocumentCache,
    request: &OverlapCheckRequest,
) -> Result<Judgement, ApiError> {
    let mut title = search::analyse(&request.title);
    // Long descriptions: the first 60 words carry the gist and bound the work.
    let mut description = search::analyse(request.description.as_deref().unwrap_or_default());
    description.truncate_content(60);
    // A title of framing words only ("Gói thầu số 03: Thuê dịch vụ CNTT") leaves the description
    // to say what is bought.
    if !title.has_content() && description.has_content() {
        std::mem::swap(&mut title, &mut description);
    }
    let gist = title.gist();
    let domains: Vec<String> = request
        .domains
        .iter()
        .map(|d| d.as_str().to_owned())
        .collect();
    let audiences: Vec<String> = request
        .audiences
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect();
    let filter = PlatformFilter::default();
    let rank_text = fold_for_search(&request.title);
    // Candidates come from the title and the description's words of more than one syllable: a
    // description's single syllables would each match a large share of a big registry and make
    // the lookup slow, while adding little (they still count in the score).
    let mut description_phrases = description.clone();
    description_phrases
        .units
        .retain(|u| u.is_significant() && u.is_phrase());
    let queries: Vec<&Query> = vec![&title, &description_phrases];
    let candidates = scored_candidates(conn, docs, &filter, &queries, &rank_text).await?;
    let corpus = crate::db::platforms::approximate_count(conn).await? as usize;
    let docs: Vec<&search::Document> = candidates.iter().map(|(_, d)| d.as_ref()).collect();
    let title_rarity = Rarity::measure(&title, &docs, corpus);
    let description_rarity = Rarity::measure(&description, &docs, corpus);
    let mut scored: Vec<_> = candidates
        .into_iter()
        .filter(|(p, _)| p.status != PlatformStatus::Retired.as_str())
        .map(|(p, doc)| {
            let o = search::overlap(
                (&title, &title_rarity),
                (&description, &description_rarity),
                &doc,
                (&domains, &p.domains),
                (&audiences, &p.audiences),
            );
            (p, o)
        })
        .filter(|(_, o)| o.value >= MIN_CANDIDATE_SCORE)
        .collect();
    scored.sort_by(|(a, x), (b, y)| {
        y.value
            .total_cmp(&x.value)
            .then_with(|| a.code.cmp(&b.code))
    });
    scored.truncate(MAX_CANDIDATES_LISTED);
    let title_words = search::syllables(&fold_for_search(&request.title));
    let separate = title_words.iter().any(|w| w == "rieng")
        || title_words
            .windows(2)
            .any(|w| w[0] == "doc" && w[1] == "lap");
    let rank = |v: Verdict| match v {
        Verdict::LikelyDuplicate => 2,
        Verdict::PossibleOverlap => 1,
        Verdict::NoOverlap => 0,
    };
    let verdicts: Vec<Verdict> = scored
        .iter()
        .map(|(p, o)| {
            Verdict::of(
                o.value,
                PlatformProfile::from_stored(&p.profile).province_action,
                separate,
            )
        })
        .collect();
    // The platform that decides the verdict comes first.
    let decisive = (0..verdicts.len())
        .max_by_key(|&i| (rank(verdicts[i]), std::cmp::Reverse(i)))
        .unwrap_or(0);
    let verdict = verdicts
        .get(decisive)
        .copied()
        .unwrap_or(Verdict::NoOverlap);
    if decisive > 0 {
        let first = scored.remove(decisive);
        scored.insert(0, first);
    }
    let best = scored.first().map(|(_, o)| o.clone());
    let why = match scored.first() {
        Some((_, o)) => explain::why(verdict, o),
        None => explain::nothing_found(title.has_content()),
    };

    let rows: Vec<_> = scored.iter().map(|(p, _)| p.clone()).collect();
    let details = platform_responses(conn, rows).await?;
    let mut owners = Vec::new();
    for (platform, _) in &scored {
        owners.push(ministry_db::find(conn, &platform.ministry_code).await?);
    }
    let mut out = Vec::new();
    for (((platform, o), detail), owner) in scored.into_iter().zip(details).zip(owners) {
        let (reasons, reasons_vi) = explain::reasons(&o);
        let mut matched = SearchMatch::from(&o.title).matched;
        for m in SearchMatch::from(&o.description).matched {
            if !matched.iter().any(|x| x.term == m.term) {
                matched.push(m);
            }
        }
        let owner = owner.map_or_else(
            || CandidateOwner {
                code: platform.ministry_code.clone(),
                name_vi: String::new(),
                name_en: String::new(),
            },
            |m| CandidateOwner {
                code: m.code,
                name_vi: m.name_vi,
                name_en: m.name_en,
            },
        );
        let (contact_hint, contact_hint_vi) = explain::contact_hint(
            !detail.contacts.is_empty(),
            platform.operator.as_deref(),
            &owner,
        );
        out.push(OverlapCandidate {
            platform: platform.code,
            name_vi: platform.name_vi,
            name_en: platform.name_en,
            short_name: platform.short_name,
            status: platform.status,
            url: platform.url,
            score: (o.value * 1000.0).round() / 1000.0,
            reasons,
            reasons_vi,
            matched,
            ministry: owner,
            operator: platform.operator,
            contacts: detail.contacts,
            contact_hint,
            contact_hint_vi,
            province_action: detail.profile.province_action,
            province_action_note: detail.profile.province_action_note,
        });
    }
    Ok(Judgement {
        verdict,
        candidates: out,
        why,
        gist,
        best,
    })
}

/// The receipt's words, in English and in Vietnamese: a province files the receipt with a
/// Vietnamese procurement record.
mod explain {
    use super::{CandidateOwner, OverlapCandidate, Verdict};
    use crate::domain::search::{self, Field, How, Overlap, UnitMatch};

    fn quote(m: &UnitMatch) -> String {
        match (&m.matched_as, m.how) {
            (Some(alt), How::Abbreviation) => format!("\"{}\" = \"{}\"", m.term, alt),
            (Some(alt), How::Synonym) => format!("\"{}\" ~ \"{}\"", m.term, alt),
            (Some(alt), How::Fuzzy) => format!("\"{}\" ≈ \"{}\"", m.term, alt),
            _ => format!("\"{}\"", m.term),
        }
    }

    fn strong(score: &search::Score) -> Vec<String> {
        score
            .matches
            .iter()
            .filter(|m| m.significant && m.field.is_strong())
            .map(quote)
            .collect()
    }

    /// Why the verdict was given, in one sentence, from the best candidate's evidence.
    pub fn why(verdict: Verdict, o: &Overlap) -> (String, String) {
        let t = &o.title;
        if let Some(name) = &t.named {
            return (
                format!("the plan names the platform (\"{name}\")."),
                format!("kế hoạch nêu đích danh nền tảng (\"{name}\")."),
            );
        }
        match (&t.contained_phrase, verdict) {
            (Some(phrase), Verdict::LikelyDuplicate | Verdict::PossibleOverlap)
                if t.containment >= 0.99 =>
            {
                (
                    format!("the plan's title describes what the platform does: \"{phrase}\"."),
                    format!("tiêu đề kế hoạch mô tả đúng chức năng của nền tảng: \"{phrase}\"."),
                )
            }
            _ if verdict == Verdict::NoOverlap => (
                "the closest platform covers too little of the plan to be a duplicate.".to_owned(),
                "nền tảng gần nhất chỉ đáp ứng một phần quá nhỏ của kế hoạch.".to_owned(),
            ),
            _ => {
                let words = strong(t);
                if words.is_empty() {
                    (
                        "only the plan's description relates to the platform.".to_owned(),
                        "chỉ phần mô tả của kế hoạch liên quan đến nền tảng.".to_owned(),
                    )
                } else {
                    let share = (t.coverage * 100.0).round();
                    (
                        format!(
                            "the platform covers {share}% of what the title asks for ({}).",
                            words.join(", ")
                        ),
                        format!(
                            "nền tảng đáp ứng {share}% nội dung tiêu đề kế hoạch ({}).",
                            words.join(", ")
                        ),
                    )
                }
            }
        }
    }

    /// Why nothing was found.
    pub fn nothing_found(title_has_content: bool) -> (String, String) {
        if title_has_content {
            (
                "no platform's name, aliases or capabilities match the plan.".to_owned(),
                "không nền tảng nào có tên, tên gọi khác hoặc chức năng khớp với kế hoạch."
                    .to_owned(),
            )
        } else {
            (
                "the plan names no function, only framing words such as \"dự án\" or \"xây dựng\"; describe what the system should do.".to_owned(),
                "kế hoạch chỉ gồm các từ khung như \"dự án\", \"xây dựng\", chưa nêu chức năng; hãy mô tả hệ thống sẽ làm gì.".to_owned(),
            )
        }
    }

    /// The receipt's summary: the verdict and why, in English and in Vietnamese.
    pub fn summary(
        verdict: Verdict,
        candidates: &[OverlapCandidate],
        why: &(String, String),
    ) -> (String, String) {
        match (verdict, candidates.first()) {
            (Verdict::LikelyDuplicate, Some(c)) => (
                format!(
                    "Likely duplicate of {} ({}), owned by {}: use it instead of buying, because {}",
                    c.name_vi, c.platform, c.ministry.code, why.0
                ),
                format!(
                    "Có khả năng trùng lặp với {} ({}) do {} chủ quản: nên sử dụng nền tảng này thay vì đầu tư mới, vì {}",
                    c.name_vi, c.platform, c.ministry.code, why.1
                ),
            ),
            (Verdict::PossibleOverlap, Some(c)) => (
                format!(
                    "Possible overlap with {} ({}), owned by {}: reuse or connect to it where it serves the need, because {}",
                    c.name_vi, c.platform, c.ministry.code, why.0
                ),
                format!(
                    "Có thể trùng lặp một phần với {} ({}) do {} chủ quản: nên tái sử dụng hoặc kết nối với nền tảng này ở phần đáp ứng được, vì {}",
                    c.name_vi, c.platform, c.ministry.code, why.1
                ),
            ),
            _ => (
                format!("No national platform in the registry does this: {}", why.0),
                format!(
                    "Chưa có nền tảng số quốc gia nào trong danh mục thực hiện việc này: {}",
                    why.1
                ),
            ),
        }
    }

    /// A candidate's reasons, in English and in Vietnamese.
    pub fn reasons(o: &Overlap) -> (Vec<String>, Vec<String>) {
        let mut en = Vec::new();
        let mut vi = Vec::new();
        if let Some(name) = &o.title.named {
            en.push(format!("the title names the platform: \"{name}\""));
            vi.push(format!("tiêu đề nêu tên nền tảng: \"{name}\""));
        }
        if let (Some(phrase), true, None) = (
            &o.title.contained_phrase,
            o.title.containment >= 0.5,
            &o.title.named,
        ) {
            let share = (o.title.containment * 100.0).round();
            en.push(format!(
                "the title contains {share}% of the platform's \"{phrase}\""
            ));
            vi.push(format!(
                "tiêu đề chứa {share}% cụm \"{phrase}\" của nền tảng"
            ));
        }
        let in_name: Vec<String> = o
            .title
            .matches
            .iter()
            .filter(|m| m.significant && m.field.is_strong())
            .map(quote)
            .collect();
        if !in_name.is_empty() {
            en.push(format!(
                "title words in the platform's names or capabilities: {}",
                in_name.join(", ")
            ));
            vi.push(format!(
                "từ của tiêu đề có trong tên hoặc chức năng của nền tảng: {}",
                in_name.join(", ")
            ));
        }
        if let Some(name) = &o.description.named {
            en.push(format!("the description names the platform: \"{name}\""));
            vi.push(format!("phần mô tả nêu tên nền tảng: \"{name}\""));
        }
        let in_description: Vec<String> = o
            .description
            .matches
            .iter()
            .filter(|m| m.significant && m.field != Field::Description)
            .map(quote)
            .collect();
        if !in_description.is_empty() {
            en.push(format!(
                "description words found in the platform: {}",
                in_description.join(", ")
            ));
            vi.push(format!(
                "từ của phần mô tả có trong nền tảng: {}",
                in_description.join(", ")
            ));
        }
        if !o.shared_domains.is_empty() {
            en.push(format!("shared domain: {}", o.shared_domains.join(", ")));
            vi.push(format!("cùng lĩnh vực: {}", o.shared_domains.join(", ")));
        }
        if !o.shared_audiences.is_empty() {
            en.push(format!(
                "shared audience: {}",
                o.shared_audiences.join(", ")
            ));
            vi.push(format!("cùng đối tượng: {}", o.shared_audiences.join(", ")));
        }
        (en, vi)
    }

    /// Whom to call, in English and in Vietnamese.
    pub fn contact_hint(
        has_contacts: bool,
        operator: Option<&str>,
        owner: &CandidateOwner,
    ) -> (String, String) {
        match (has_contacts, operator) {
            (true, _) => (
                "Call the contact channels listed here.".to_owned(),
                "Liên hệ qua các kênh được liệt kê ở đây.".to_owned(),
            ),
            (false, Some(unit)) => (
                format!(
                    "No published channel yet: ask {} ({}), the operating unit's owner, for {unit}.",
                    owner.name_vi, owner.code
                ),
                format!(
                    "Chưa có kênh liên hệ công bố: đề nghị {} ({}) giới thiệu đầu mối của {unit}.",
                    owner.name_vi, owner.code
                ),
            ),
            (false, None) => (
                format!(
                    "No published channel yet: ask {} ({}), the owning agency.",
                    owner.name_vi, owner.code
                ),
                format!(
                    "Chưa có kênh liên hệ công bố: liên hệ {} ({}), cơ quan chủ quản.",
                    owner.name_vi, owner.code
                ),
            ),
        }
    }
}

/// Checks a planned purchase for overlap with the national platforms and stores the receipt.
///
/// Anonymous callers are limited per client address (see `OVERLAP_CHECKS_PER_MINUTE`); a valid
/// bearer token lifts the limit.
#[utoipa::path(
    tag = "overlap checks",
    request_body(content = OverlapCheckRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The receipt. `Location` is where to read it back.", body = OverlapCheckResponse,
         headers(("Location" = String, description = "The receipt's URL"))),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is unknown, missing, mistyped or invalid; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many anonymous checks from this address; retry after `Retry-After` seconds.", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The database did not answer in time.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/overlap-checks")]
pub async fn create_overlap_check(
    state: web::Data<AppState>,
    metrics: web::Data<crate::metrics::Metrics>,
    _limit: RateLimited,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let request = body.parse_valid(|r: &OverlapCheckRequest| validate(r.clone()))?;
    let mut conn = state.pool.get().await?;
    let (last_change_id, active_platforms) = db::registry_state(&mut conn).await?;
    let judgement = judge(&mut conn, &state.documents, &request).await?;
    let verdict = judgement.verdict;
    // Who asked, as a province code where the name resolves (a former province's name too, so
    // "Bình Dương" and "TP. Hồ Chí Minh" are one requester), else the name folded.
    let province = match &request.requester {
        Some(r) => Some(
            crate::db::provinces::resolve(&mut conn, &r.province)
                .await?
                .unwrap_or_else(|| fold_for_search(&r.province)),
        ),
        None => None,
    };
    let similar_checks = db::similar(
        &mut conn,
        &judgement.gist,
        province.as_deref(),
        SIMILAR_PLAN_MIN_SIMILARITY,
        MAX_SIMILAR_CHECKS,
    )
    .await?
    .into_iter()
    .map(|row| SimilarCheck {
        id: row.id,
        created_at: row.created_at,
        province: row.province,
        title: row.title,
    })
    .collect();
    let (summary, summary_vi) = explain::summary(verdict, &judgement.candidates, &judgement.why);
    let receipt = OverlapCheckResponse {
        id: Uuid::new_v4(),
        created_at: Utc::now(),
        verdict,
        summary,
        summary_vi,
        request,
        candidates: judgement.candidates,
        similar_checks,
        thresholds: Thresholds {
            likely_duplicate: LIKELY_DUPLICATE,
            possible_overlap: POSSIBLE_OVERLAP,
        },
        registry_state: RegistryState {
            last_change_id,
            active_platforms,
        },
    };
    let body = serde_json::to_string(&receipt).map_err(ApiError::internal)?;
    let request_json = serde_json::to_value(&receipt.request).map_err(ApiError::internal)?;
    db::insert(
        &mut conn,
        &db::NewCheck {
            id: receipt.id,
            verdict: verdict.as_str(),
            request: &request_json,
            response: &body,
            plan_text: &judgement.gist,
            requester_province: province.as_deref(),
        },
    )
    .await?;
    metrics.count(&format!("ndp_overlap_checks_{}_total", verdict.as_str()));
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/overlap-checks/{}", receipt.id)))
        .content_type("application/json")
        .body(body))
}

/// Reads a receipt back, exactly as it was first answered.
#[utoipa::path(
    tag = "overlap checks",
    params(("id" = Uuid, Path, description = "The receipt's id")),
    responses(
        (status = 200, description = "The receipt, byte for byte as first answered; with `Accept: text/html`, the same receipt as a printable Vietnamese page to file with a procurement record.",
         content((OverlapCheckResponse = "application/json"), (String = "text/html", example = "<!DOCTYPE html><html lang=\"vi\">…</html>"))),
        GetErrors,
    )
)]
#[get("/overlap-checks/{id}")]
pub async fn get_overlap_check(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found =
        || ApiError::not_found(format!("No overlap check has the id {:?}.", id.as_str()));
    let uuid = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let mut conn = state.pool.get().await?;
    let body = db::find(&mut conn, uuid).await?.ok_or_else(not_found)?;
    let html = super::receipt_page::wants_html(&req);
    let page = if html {
        Some(super::receipt_page::render(&body)?)
    } else {
        None
    };
    let bytes = page.as_deref().unwrap_or(&body);
    let etag = crate::api::representation::etag_of(bytes.as_bytes());
    if crate::api::representation::none_match(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header(("etag", etag))
            .insert_header(("vary", "Accept"))
            .finish());
    }
    let mut response = HttpResponse::build(StatusCode::OK);
    response
        .insert_header(("etag", etag))
        .insert_header(("vary", "Accept"));
    Ok(match page {
        Some(page) => response
            .content_type("text/html; charset=utf-8")
            .insert_header((
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'",
            ))
            .body(page),
        None => response.content_type("application/json").body(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_platform_provinces_connect_to_is_at_most_a_possible_overlap_unless_the_plan_copies_it() {
        let connect = Some(ProvinceAction::Connect);
        let high = LIKELY_DUPLICATE + 0.1;
        assert_eq!(Verdict::of(high, connect, false), Verdict::PossibleOverlap);
        assert_eq!(Verdict::of(high, connect, true), Verdict::LikelyDuplicate);
        assert_eq!(
            Verdict::of(high, Some(ProvinceAction::Use), false),
            Verdict::LikelyDuplicate
        );
        assert_eq!(
            Verdict::of(POSSIBLE_OVERLAP - 0.01, None, true),
            Verdict::NoOverlap
        );
    }
}
