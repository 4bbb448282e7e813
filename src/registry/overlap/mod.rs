//! Overlap judgement: is a planned purchase something a national platform already does? The
//! score comes from `domain::search`; this module picks the candidates, gives the verdict, and
//! assembles and stores the receipt. [`reasons`] words why, [`contact`] says whom to call.

pub mod contact;
pub mod feedback;
pub mod memo;
pub mod reasons;

use std::sync::Arc;

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::search::{DocumentCache, scored_candidates};
use crate::db::overlap as overlap_db;
use crate::db::platforms::PlatformFilter;
use crate::domain::search::{self, LIKELY_DUPLICATE, POSSIBLE_OVERLAP, Query};
use crate::domain::{PlatformProfile, PlatformStatus, ProvinceAction, Vocabulary, fold_for_search};
use crate::error::ApiError;
use crate::registry::validate::{Checker, rule};
use crate::views::overlap::{
    CandidateOwner, OverlapCandidate, OverlapCheckRequest, OverlapCheckResponse, RegistryState,
    Requester, SimilarCheck, Thresholds, Verdict,
};
use crate::views::platforms::{SearchMatch, platform_responses};

/// How many candidates a receipt lists at most.
pub const MAX_CANDIDATES_LISTED: usize = 5;

/// The most candidates a check scores, as many as a search
/// ([`super::search::SEARCH_CANDIDATES`]); a check lists five. Reading and scoring the 400
/// best-ranked candidates of a registry of 100,000 platforms was most of a new plan's cost: on the
/// development cases at that size the best 150 judged as well (verdicts 102 and 103 of 122, 43
/// and 43 of 60; top 3 79 and 79 of 89, 39 and 39 of 45), and the best 100 judge 156 of 182 where
/// 150 judged 157 (a plan for anti-malware software called a possible overlap), with the expected
/// platform in the first five as often (123 of 134), in a fifth less CPU (`BENCHMARKS.md`, "New
/// searches at 100,000 platforms"). A registry of no more platforms than this (the national list
/// has 79) is judged whole.
pub const OVERLAP_CANDIDATES: i64 = 100;

/// The verdict for one platform. A platform provinces are to connect their own systems to (NDXP,
/// the SOC, the Government's meeting system) is not duplicated by a province's own layer of it: at
/// most a possible overlap, to be connected. Unless the plan says it builds its own, separate one
/// ("riêng", "độc lập"), or the link with the centre the platform is for: that is a copy, not a
/// layer.
fn verdict_for(score: f32, action: Option<ProvinceAction>, separate: bool) -> Verdict {
    if score >= LIKELY_DUPLICATE && (separate || action != Some(ProvinceAction::Connect)) {
        Verdict::LikelyDuplicate
    } else if score >= POSSIBLE_OVERLAP {
        Verdict::PossibleOverlap
    } else {
        Verdict::NoOverlap
    }
}

/// Whether a title says the province builds its own, separate system: "riêng" as its own ("riêng
/// của tỉnh", "dùng riêng"), not "dành riêng cho" (dedicated to someone) nor "nói riêng" (in
/// particular); or "độc lập".
fn builds_its_own(title: &str) -> bool {
    let words = search::syllables(&fold_for_search(title));
    words
        .iter()
        .enumerate()
        .any(|(i, w)| w == "rieng" && (i == 0 || !["danh", "noi"].contains(&words[i - 1].as_str())))
        || words.windows(2).any(|w| w[0] == "doc" && w[1] == "lap")
}

/// How much of a title the platform must hold for the plan to be a layer of it: a fifth. One
/// syllable of a long title ("bảo" of "bảo tàng" in "Xây dựng website và tham quan thực tế ảo 3D
/// Bảo tàng tỉnh") does nothing the platform does. On the development cases, the layers the title
/// let through held 0.29 or more of it, the wrong ones 0.15 or less.
const LAYER_TITLE_SHARE: f32 = 0.2;

/// Whether a plan is a local layer of a platform provinces connect to or feed: its description
/// says the plan connects to the platform or feeds it, by name ("gửi, nhận văn bản với Trung ương
/// qua Trục liên thông văn bản quốc gia") or by what it is ("hồ sơ học sinh được đồng bộ lên cơ sở
/// dữ liệu ngành giáo dục của Bộ"), and its title does something the platform's names or
/// capabilities say ("Phần mềm QLVB&ĐH và HSCV", against VXP's "kết nối hệ thống quản lý văn
/// bản"). That is a possible overlap, to be connected, as the registry's province action says, not
/// a platform merely used (signing in with VNeID), nor one it only reads from ("thông tin học sinh
/// lấy từ cơ sở dữ liệu ngành giáo dục"), nor one a course is about.
/// The platform's province action is read (its stored profile parsed) only when the plan says
/// that much: most of up to 100 candidates do not.
fn connected_layer(o: &search::Overlap, action: impl FnOnce() -> Option<ProvinceAction>) -> bool {
    o.description.used
        && !o.description.reads_only
        && o.title.strong_matches >= 1
        && o.title.coverage >= LAYER_TITLE_SHARE
        && !o.training
        && !o.equipment
        && matches!(
            action(),
            Some(ProvinceAction::Connect | ProvinceAction::IntegrateData)
        )
}

/// Whether a title says the plan itself links the province with the ministries or the centre
/// ("trục liên thông văn bản giữa UBND tỉnh với các bộ, ngành trung ương", "tổng hợp chỉ tiêu …
/// để gửi trung ương"): that link is what a platform provinces connect to is for, so the plan
/// builds a copy of it, not a local layer. Not "thành phố trực thuộc trung ương" (a city under
/// the centre), which says where the plan is.
fn links_with_the_centre(title: &str) -> bool {
    let words = search::syllables(&fold_for_search(title));
    words
        .windows(2)
        .enumerate()
        .any(|(i, w)| match (w[0].as_str(), w[1].as_str()) {
            ("bo", "nganh") => true,
            ("trung", "uong") => !(i >= 2 && words[i - 2] == "truc" && words[i - 1] == "thuoc"),
            _ => false,
        })
}

/// Whether a plan that says it builds its own, separate system ("riêng", "độc lập") copies the
/// platform: its title alone finds the platform a possible overlap, in the platform's names or
/// capabilities ("hệ thống chứng thực chữ ký số riêng của tỉnh"), and nothing says the plan is
/// only partly the platform's (a function the title adds, a description of other functions) or
/// uses or feeds it. The province says it will not use the platform: that is a copy, whatever the
/// score.
fn own_copy(o: &search::Overlap) -> bool {
    o.title.value >= POSSIBLE_OVERLAP
        && o.title.strong_matches > 0
        && !o.title.used
        && !o.description.used
        && o.beyond.is_none()
        && o.functions_done.is_none()
}

/// The order candidates are listed in: the highest score first; of two scored alike (both capped
/// as layers, say), the one the title resembles more, as the platform the plan names as the one it
/// feeds; then by code.
fn ranked(a: (&str, &search::Overlap), b: (&str, &search::Overlap)) -> std::cmp::Ordering {
    b.1.value
        .total_cmp(&a.1.value)
        .then_with(|| b.1.title.value.total_cmp(&a.1.title.value))
        .then_with(|| a.0.cmp(b.0))
}

/// How alike two plans' significant words must be (trigram similarity) to be listed as similar.
pub const SIMILAR_PLAN_MIN_SIMILARITY: f32 = 0.5;

pub fn validate(mut request: OverlapCheckRequest) -> Result<OverlapCheckRequest, ApiError> {
    let mut c = Checker::default();
    request.title = c.text(
        "title",
        &request.title,
        rule::<OverlapCheckRequest>("title"),
    );
    request.description = c.optional_text(
        "description",
        request.description.as_deref(),
        rule::<OverlapCheckRequest>("description"),
    );
    if let Some(requester) = &mut request.requester {
        requester.province = c.text(
            "requester.province",
            &requester.province,
            rule::<Requester>("province"),
        );
        requester.unit = c.optional_text(
            "requester.unit",
            requester.unit.as_deref(),
            rule::<Requester>("unit"),
        );
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
    let functions = search::clauses(request.description.as_deref().unwrap_or_default());
    // A title of framing words only ("Gói thầu số 03: Thuê dịch vụ CNTT") leaves the description
    // to say what is bought.
    if !title.has_content() && description.has_content() {
        std::mem::swap(&mut title, &mut description);
    }
    let mut gist = title.gist();
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
    let candidates = scored_candidates(
        conn,
        docs,
        &filter,
        &queries,
        &rank_text,
        OVERLAP_CANDIDATES,
    )
    .await?;
    let title_rarity = candidates.rarity(&title);
    let description_rarity = candidates.rarity(&description);
    let rows: Vec<_> = candidates
        .rows
        .into_iter()
        .filter(|(p, _)| p.status != PlatformStatus::Retired.as_str())
        .collect();
    let nothing = search::analyse("");
    let score_all = |title: (&Query, &search::Rarity), description: (&Query, &search::Rarity)| {
        rows.iter()
            .map(|(p, doc)| {
                search::overlap(
                    title,
                    (description.0, &functions, description.1),
                    doc,
                    (&domains, &p.domains),
                    (&audiences, &p.audiences),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut overlaps = score_all((&title, &title_rarity), (&description, &description_rarity));
    // A programme's name that no platform's function reaches as a possible overlap ("Dự án nâng
    // cao năng lực UBND cấp xã", "Đề án phát triển kinh tế số") is read as a framing title is: the
    // description says what is bought. A title that names a system ("Phần mềm kế toán …") keeps
    // its say, even when nothing national does it.
    if description.has_content()
        && title.names_a_programme()
        && overlaps.iter().all(|o| o.title.value < POSSIBLE_OVERLAP)
    {
        // What the plan is about, for similar plans, is what its description says is bought.
        gist = description.gist();
        // The better of the two readings, platform by platform: what the title found stays.
        let read = score_all(
            (&description, &description_rarity),
            (&nothing, &title_rarity),
        );
        for (o, r) in overlaps.iter_mut().zip(read) {
            if r.value > o.value {
                *o = r;
            }
        }
    }
    let mut scored: Vec<(_, search::Overlap)> =
        rows.into_iter().map(|(p, _)| p).zip(overlaps).collect();
    for (p, o) in scored.iter_mut() {
        if connected_layer(o, || {
            PlatformProfile::from_stored(&p.profile).province_action
        }) {
            o.value = o.value.max(search::LAYER_CEILING);
        }
    }
    search::defer_to_layer(&mut scored, |(_, o)| o);
    scored.retain(|(_, o)| o.value >= MIN_CANDIDATE_SCORE);
    scored.sort_by(|(a, x), (b, y)| ranked((&a.code, x), (&b.code, y)));
    scored.truncate(MAX_CANDIDATES_LISTED);
    let separate = builds_its_own(&request.title);
    let central = links_with_the_centre(&request.title);
    let rank = |v: Verdict| match v {
        Verdict::LikelyDuplicate => 2,
        Verdict::PossibleOverlap => 1,
        Verdict::NoOverlap => 0,
    };
    // A plan that says it builds its own copy of a platform provinces use: a duplicate below the
    // threshold too. One of a platform provinces connect to keeps the threshold: a province's own
    // layer of it is expected, and only a copy scored as one is a duplicate.
    let (copies, verdicts): (Vec<bool>, Vec<Verdict>) = scored
        .iter()
        .map(|(p, o)| {
            let action = PlatformProfile::from_stored(&p.profile).province_action;
            let copy = separate
                && o.value < LIKELY_DUPLICATE
                && action != Some(ProvinceAction::Connect)
                && own_copy(o);
            let verdict = if copy {
                Verdict::LikelyDuplicate
            } else {
                verdict_for(o.value, action, separate || central)
            };
            (copy, verdict)
        })
        .unzip();
    // The platform that decides the verdict comes first.
    let decisive = (0..verdicts.len())
        .max_by_key(|&i| (rank(verdicts[i]), std::cmp::Reverse(i)))
        .unwrap_or(0);
    let verdict = verdicts
        .get(decisive)
        .copied()
        .unwrap_or(Verdict::NoOverlap);
    let copied = copies.get(decisive).copied().unwrap_or(false);
    if decisive > 0 {
        let first = scored.remove(decisive);
        scored.insert(0, first);
    }
    let best = scored.first().map(|(_, o)| o.clone());
    let why = match scored.first() {
        Some(_) if copied => reasons::own_copy(),
        Some((_, o)) => reasons::why(verdict, o),
        None => reasons::nothing_found(title.has_content()),
    };

    let rows: Vec<_> = scored.iter().map(|(p, _)| p.clone()).collect();
    let details = platform_responses(conn, rows).await?;
    let codes: Vec<&str> = scored
        .iter()
        .map(|(p, _)| p.ministry_code.as_str())
        .collect();
    let names: std::collections::HashMap<String, (String, String)> =
        overlap_db::owner_names(conn, &codes)
            .await?
            .into_iter()
            .map(|(code, vi, en)| (code, (vi, en)))
            .collect();
    let mut out = Vec::new();
    for ((platform, o), detail) in scored.into_iter().zip(details) {
        let owner = names.get(&platform.ministry_code).cloned();
        let (reasons, reasons_vi) = reasons::reasons(&o);
        let mut matched = SearchMatch::from(&o.title).matched;
        for m in SearchMatch::from(&o.description).matched {
            if !matched.iter().any(|x| x.term == m.term) {
                matched.push(m);
            }
        }
        let (name_vi, name_en) = owner.unwrap_or_default();
        let owner = CandidateOwner {
            code: platform.ministry_code.clone(),
            name_vi,
            name_en,
        };
        let (contact_hint, contact_hint_vi) = contact::contact_hint(
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

/// The least score a candidate needs to be listed.
pub const MIN_CANDIDATE_SCORE: f32 = 0.2;

/// How many similar checks a receipt lists at most.
pub const MAX_SIMILAR_CHECKS: i64 = 5;

/// Checks a planned purchase: judges it, lists earlier similar plans of other requesters, and
/// stores the receipt. Returns the receipt and its exact JSON, which reads back byte for byte.
pub async fn check(
    conn: &mut AsyncPgConnection,
    docs: &DocumentCache,
    judgements: &memo::Judgements,
    request: OverlapCheckRequest,
) -> Result<(OverlapCheckResponse, String), ApiError> {
    let (last_change_id, position) = overlap_db::last_change(conn).await?;
    let active_platforms = docs.active_platforms(conn, position).await?;
    // The same plan, judged at this very feed position with these statistics, is judged alike.
    let statistics = docs.word_statistics(conn).await?;
    let judgement = match judgements.get(&request, position, &statistics) {
        Some(kept) => kept,
        None => {
            let judged = Arc::new(judge(conn, docs, &request).await?);
            judgements.keep(&request, position, statistics, Arc::clone(&judged));
            judged
        }
    };
    let verdict = judgement.verdict;
    // Who asked, as a province code where the name resolves (a former province's name too, so
    // "Bình Dương" and "TP. Hồ Chí Minh" are one requester), else the name folded.
    let province = match &request.requester {
        Some(r) => Some(
            crate::db::provinces::resolve(conn, &r.province)
                .await?
                .unwrap_or_else(|| fold_for_search(&r.province)),
        ),
        None => None,
    };
    let similar_checks = overlap_db::similar(
        conn,
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
    let (summary, summary_vi) = reasons::summary(verdict, &judgement.candidates, &judgement.why);
    let receipt = OverlapCheckResponse {
        id: Uuid::new_v4(),
        created_at: Utc::now(),
        verdict,
        summary,
        summary_vi,
        request,
        candidates: judgement.candidates.clone(),
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
    overlap_db::insert(
        conn,
        &overlap_db::NewCheck {
            id: receipt.id,
            verdict: verdict.as_str(),
            request: &request_json,
            response: &body,
            plan_text: &judgement.gist,
            requester_province: province.as_deref(),
        },
    )
    .await?;
    Ok((receipt, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::{Document, Fields};

    #[test]
    fn a_title_says_when_the_province_builds_its_own() {
        assert!(builds_its_own("Cổng DVCTT riêng của tỉnh Quảng Bình"));
        assert!(builds_its_own("Kho du lieu thua dat dung rieng cho tinh"));
        assert!(builds_its_own("Trung tâm giám sát độc lập của tỉnh"));
        assert!(!builds_its_own("Ứng dụng dành riêng cho người khuyết tật"));
        assert!(!builds_its_own("Hệ thống quản lý văn bản của tỉnh"));
    }

    #[test]
    fn a_title_says_when_the_plan_links_the_province_with_the_centre() {
        assert!(links_with_the_centre(
            "Trục liên thông văn bản giữa UBND tỉnh với các bộ, ngành trung ương"
        ));
        assert!(links_with_the_centre(
            "Phan mem tong hop chi tieu KT-XH de gui trung uong"
        ));
        assert!(!links_with_the_centre(
            "Cổng dữ liệu mở của thành phố Cần Thơ, thành phố trực thuộc trung ương"
        ));
        assert!(!links_with_the_centre(
            "Phần mềm tổng hợp số liệu từ các sở, ngành của tỉnh"
        ));
    }

    #[test]
    fn a_plan_that_builds_its_own_copy_of_what_a_platform_does_is_a_duplicate() {
        let signatures = Document::new(Fields {
            name_vi: "Dịch vụ chứng thực chữ ký số chuyên dùng Chính phủ",
            code: "signatures",
            name_en: "Government digital signature certification service",
            capabilities: &[
                "cấp chứng thư số chuyên dùng".to_owned(),
                "ký số văn bản điện tử".to_owned(),
            ],
            description: "Ban Cơ yếu Chính phủ cấp chứng thư số cho các cơ quan nhà nước.",
            ..Fields::default()
        });
        let judge = |title: &str| search::title_overlap(title, &signatures);
        let copy = judge("Hệ thống chứng thực chữ ký số riêng của tỉnh để cấp chứng thư số");
        assert!(own_copy(&copy), "{copy:?}");
        // Found in the description only, the platform is not what the title builds.
        let other = judge("Phần mềm riêng của tỉnh cho các cơ quan nhà nước");
        assert!(!own_copy(&other), "{other:?}");
        // Nor is a platform the plan uses.
        let uses = judge(
            "Phần mềm văn thư riêng ký số qua Dịch vụ chứng thực chữ ký số chuyên dùng Chính phủ",
        );
        assert!(!own_copy(&uses), "{uses:?}");
    }

    #[test]
    fn a_receipt_says_a_title_that_names_the_platform_it_connects_to_builds_a_layer_of_it() {
        let reporting = search::Document::new(search::Fields {
            name_vi: "Hệ thống thông tin báo cáo Chính phủ",
            code: "he-thong-thong-tin-bao-cao-chinh-phu",
            name_en: "Government reporting information system",
            ..search::Fields::default()
        });
        let o = search::title_overlap(
            "Hệ thống báo cáo của tỉnh kết nối với Hệ thống thông tin báo cáo Chính phủ",
            &reporting,
        );
        assert!(o.title.used && o.title.named.is_some(), "{o:?}");
        let (en, vi) = reasons::why(Verdict::PossibleOverlap, &o);
        assert!(
            en.contains("connects to") && en.contains("not a copy"),
            "{en}"
        );
        assert!(
            vi.contains("kết nối tới") && vi.contains("Hệ thống thông tin báo cáo Chính phủ"),
            "{vi}"
        );
    }

    #[test]
    fn a_receipt_says_description_where_the_description_was_read_for_a_framing_title() {
        let assets = search::public_assets();
        let description =
            "Phần mềm để các cơ quan kê khai tài sản công, cập nhật trụ sở làm việc, nhà đất.";
        // As `judge` reads a plan titled "Dự án chuyển đổi số của Sở Tài chính".
        let o = search::framing_title_overlap(description, &assets);
        assert!(o.read_from_description, "{o:?}");
        let verdict = verdict_for(o.value, None, false);
        let (why_en, why_vi) = reasons::why(verdict, &o);
        let (en, vi) = reasons::reasons(&o);
        for text in std::iter::once(&why_en).chain(&en) {
            assert!(
                text.contains("description") && !text.contains("title"),
                "{text}"
            );
        }
        for text in std::iter::once(&why_vi).chain(&vi) {
            assert!(
                text.contains("phần mô tả") && !text.contains("tiêu đề"),
                "{text}"
            );
        }
        // Words are quoted as the plan wrote them, with their diacritics.
        assert!(
            vi.iter().any(|r| r.contains("\"kê khai tài sản\"")),
            "{vi:?}"
        );
        // A plan with a title of its own is explained by its title.
        let titled = search::title_overlap(description, &assets);
        assert!(
            reasons::why(verdict, &titled).0.contains("title"),
            "{titled:?}"
        );
    }

    #[test]
    fn of_two_candidates_scored_alike_the_one_the_title_resembles_more_comes_first() {
        let judged = |value: f32, title: f32| search::Overlap {
            value,
            title: search::Score {
                value: title,
                ..search::Score::default()
            },
            ..search::Overlap::default()
        };
        let (fed, other, better) = (judged(0.485, 0.8), judged(0.485, 0.64), judged(0.7, 0.3));
        let mut listed = [("a-other", &other), ("z-fed", &fed), ("b-better", &better)];
        listed.sort_by(|x, y| ranked(*x, *y));
        let codes: Vec<&str> = listed.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, ["b-better", "z-fed", "a-other"]);
    }

    #[test]
    fn a_plan_is_a_layer_of_a_platform_it_feeds_only_when_its_title_does_what_the_platform_does() {
        let feeding = |coverage: f32| search::Overlap {
            title: search::Score {
                coverage,
                strong_matches: 1,
                ..search::Score::default()
            },
            description: search::Score {
                used: true,
                ..search::Score::default()
            },
            ..search::Overlap::default()
        };
        let connect = || Some(ProvinceAction::Connect);
        assert!(connected_layer(&feeding(0.3), connect));
        // One syllable of a long title.
        assert!(!connected_layer(&feeding(0.03), connect));
        // A platform only used is not one the plan is a layer of, nor one it reads from.
        assert!(!connected_layer(&feeding(0.3), || Some(
            ProvinceAction::Use
        )));
        let mut reading = feeding(0.3);
        reading.description.reads_only = true;
        assert!(!connected_layer(&reading, connect));
    }

    #[test]
    fn a_platform_provinces_connect_to_is_at_most_a_possible_overlap_unless_the_plan_copies_it() {
        let connect = Some(ProvinceAction::Connect);
        let high = LIKELY_DUPLICATE + 0.1;
        assert_eq!(verdict_for(high, connect, false), Verdict::PossibleOverlap);
        assert_eq!(verdict_for(high, connect, true), Verdict::LikelyDuplicate);
        assert_eq!(
            verdict_for(high, Some(ProvinceAction::Use), false),
            Verdict::LikelyDuplicate
        );
        assert_eq!(
            verdict_for(POSSIBLE_OVERLAP - 0.01, None, true),
            Verdict::NoOverlap
        );
    }

    #[test]
    fn a_receipt_says_in_both_languages_when_the_plan_buys_something_else() {
        let training = search::Overlap {
            training: true,
            ..search::Overlap::default()
        };
        let equipment = search::Overlap {
            equipment: true,
            ..search::Overlap::default()
        };
        let elsewhere = search::Overlap {
            title_elsewhere: true,
            ..search::Overlap::default()
        };
        let cases = [
            (
                training,
                "buys training",
                "đào tạo, bồi dưỡng",
                "opens with training",
                "mua khóa học",
            ),
            (
                equipment,
                "buys equipment",
                "mua sắm thiết bị",
                "buys equipment",
                "phần cứng",
            ),
            (
                elsewhere,
                "names something else bought",
                "tiêu đề nêu một thứ khác được mua",
                "names something else",
                "nêu một thứ khác",
            ),
        ];
        for (mut o, why_en, why_vi, reason_en, reason_vi) in cases {
            o.value = 0.29;
            let (en, vi) = reasons::why(Verdict::NoOverlap, &o);
            assert!(en.contains(why_en), "{en}");
            assert!(vi.contains(why_vi), "{vi}");
            let (en, vi) = reasons::reasons(&o);
            assert!(en.iter().any(|r| r.contains(reason_en)), "{en:?}");
            assert!(vi.iter().any(|r| r.contains(reason_vi)), "{vi:?}");
        }
    }
}
