//! Search as the API answers it: candidates from the trigram index, scored precisely in Rust, with
//! the reasons each result matched. Shared by the platform list, its facets, its CSV export and
//! the overlap check.

use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::platforms::{self as db, Platform, PlatformFilter};
use crate::domain::search::{self, Document, Query, Rarity, Score};
use crate::error::ApiError;

/// The most candidates scored for one query. The trigram ranking puts the likely ones first; a
/// query vaguer than this many platforms is answered with the best of them.
pub const MAX_CANDIDATES: i64 = 400;
/// The least score a search result must reach.
pub const MIN_SEARCH_SCORE: f32 = 0.4;
/// The least share of a query's significant words a search result must contain.
pub const MIN_SIGNIFICANT_FOUND: f32 = 0.5;

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

/// The searchable form of a stored platform.
pub fn document(p: &Platform) -> Document {
    Document::new(
        &p.name_vi,
        p.short_name.as_deref(),
        &p.code,
        &p.name_en,
        &p.description,
    )
}

/// The candidates for `queries` (their significant words, or all when none is significant), each
/// scored against every query by `score`.
pub async fn scored_candidates(
    conn: &mut AsyncPgConnection,
    filter: &PlatformFilter,
    queries: &[&Query],
    rank_text: &str,
) -> Result<Vec<(Platform, Document)>, ApiError> {
    let mut spellings: Vec<String> = Vec::new();
    let mut fuzzy: Vec<String> = Vec::new();
    for query in queries {
        let significant: Vec<_> = query.units.iter().filter(|u| u.is_significant()).collect();
        let units = if significant.is_empty() {
            query.units.iter().collect()
        } else {
            significant
        };
        for unit in units {
            for spelling in unit.spellings() {
                // One or two letters match nearly everything and find nothing a longer word would not.
                if spelling.chars().count() >= 3 && !spellings.contains(&spelling) {
                    spellings.push(spelling);
                }
            }
            if !unit.text.contains(' ')
                && unit.text.chars().count() >= 4
                && !fuzzy.contains(&unit.text)
            {
                fuzzy.push(unit.text.clone());
            }
        }
    }
    let rows = db::candidates(conn, filter, &spellings, &fuzzy, rank_text, MAX_CANDIDATES).await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let doc = document(&p);
            (p, doc)
        })
        .collect())
}

/// Searches: the platforms matching `filter` that answer `q` well enough, best first.
pub async fn search(
    conn: &mut AsyncPgConnection,
    filter: &PlatformFilter,
    q: &Query,
    rank_text: &str,
) -> Result<Vec<(Platform, Score)>, ApiError> {
    let candidates = scored_candidates(conn, filter, &[q], rank_text).await?;
    let corpus = db::approximate_count(conn).await? as usize;
    let docs: Vec<&Document> = candidates.iter().map(|(_, d)| d).collect();
    let rarity = Rarity::measure(q, &docs, corpus);
    let mut results: Vec<(Platform, Score)> = candidates
        .into_iter()
        .map(|(p, doc)| {
            let s = search::score(q, &doc, &rarity);
            (p, s)
        })
        .filter(|(_, s)| {
            s.value >= MIN_SEARCH_SCORE && s.significant_found >= MIN_SIGNIFICANT_FOUND
        })
        .collect();
    results.sort_by(|(a, sa), (b, sb)| {
        sb.value
            .total_cmp(&sa.value)
            .then_with(|| a.code.cmp(&b.code))
    });
    Ok(results)
}
