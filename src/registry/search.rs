//! Search as the API answers it: candidates from the word index, scored precisely in Rust, with
//! the reasons each result matched. Shared by the platform list, its facets, its CSV export and
//! the overlap check.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use crate::db::platforms::{self as platform_db, Platform, PlatformFilter};
use crate::domain::PlatformProfile;
use crate::domain::search::{self, Document, Fields, Query, Rarity, Score};
use crate::error::ApiError;

/// The most candidates scored for one query. The candidate ranking puts the likely ones first; a
/// query vaguer than this many platforms is answered with the best of them.
pub const MAX_CANDIDATES: i64 = 400;
/// The least score a search result must reach.
pub const MIN_SEARCH_SCORE: f32 = 0.4;
/// The least share of a query's significant words a search result must contain.
pub const MIN_SIGNIFICANT_FOUND: f32 = 0.5;

/// The most searchable forms kept: every platform of a national registry, and the candidates of
/// the last search or check (at most [`MAX_CANDIDATES`]) of a far larger one. A form is made of
/// many small strings, about 20 KiB of heap each (measured with heaptrack on the synthetic
/// registry of `bench/scale.sql`): the 5,000 kept before held some 100 MB at 100,000 platforms.
const MAX_CACHED_DOCUMENTS: usize = 500;

/// The searchable forms of platforms, kept across requests: folding and splitting descriptions was
/// most of a search's CPU time. An entry is used only for the same platform at the same version
/// and update time, so a platform changed through any replica is folded again; nothing here can
/// be stale.
#[derive(Default)]
pub struct DocumentCache {
    entries: Mutex<HashMap<i64, CachedDocument>>,
}

/// A platform's version and update time, with its searchable form at that version.
type CachedDocument = (i32, DateTime<Utc>, Arc<Document>);

impl DocumentCache {
    /// The searchable form of a stored platform.
    pub fn document(&self, p: &Platform) -> Arc<Document> {
        let lock = || {
            self.entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some((version, updated_at, doc)) = lock().get(&p.id)
            && *version == p.version
            && *updated_at == p.updated_at
        {
            return Arc::clone(doc);
        }
        let profile = PlatformProfile::from_stored(&p.profile);
        let doc = Arc::new(Document::new(Fields {
            name_vi: &p.name_vi,
            short_name: p.short_name.as_deref(),
            code: &p.code,
            name_en: &p.name_en,
            description: &p.description,
            aliases: &profile.aliases,
            capabilities: &profile.capabilities,
            capabilities_en: &profile.capabilities_en,
        }));
        let mut entries = lock();
        if entries.len() >= MAX_CACHED_DOCUMENTS {
            entries.clear();
        }
        entries.insert(p.id, (p.version, p.updated_at, Arc::clone(&doc)));
        doc
    }
}

/// The candidates for `queries` (their significant words, or all when none is significant), each
/// scored against every query by `score`.
pub async fn scored_candidates(
    conn: &mut AsyncPgConnection,
    docs: &DocumentCache,
    filter: &PlatformFilter,
    queries: &[&Query],
    rank_text: &str,
) -> Result<Vec<(Platform, Arc<Document>)>, ApiError> {
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
    let rows = platform_db::candidates(conn, filter, &spellings, &fuzzy, rank_text, MAX_CANDIDATES)
        .await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let doc = docs.document(&p);
            (p, doc)
        })
        .collect())
}

/// Searches: the platforms matching `filter` that answer `q` well enough, best first.
pub async fn search(
    conn: &mut AsyncPgConnection,
    docs: &DocumentCache,
    filter: &PlatformFilter,
    q: &Query,
    rank_text: &str,
) -> Result<Vec<(Platform, Score)>, ApiError> {
    let candidates = scored_candidates(conn, docs, filter, &[q], rank_text).await?;
    let corpus = platform_db::approximate_count(conn).await? as usize;
    let docs: Vec<&Document> = candidates.iter().map(|(_, d)| d.as_ref()).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(version: i32, description: &str) -> Platform {
        let at = DateTime::<Utc>::from_timestamp(1_780_000_000, 0).unwrap_or_default();
        Platform {
            id: 7,
            code: "hoa-don".into(),
            name_vi: "Hệ thống hóa đơn điện tử".into(),
            name_en: "E-invoice system".into(),
            short_name: None,
            description: description.into(),
            ministry_code: "BTC".into(),
            operator: None,
            domains: Vec::new(),
            audiences: Vec::new(),
            status: "operational".into(),
            url: None,
            ndxp_status: "unknown".into(),
            legal_basis_number: None,
            legal_basis_date: None,
            source: None,
            confidence: "unconfirmed".into(),
            version,
            created_at: at,
            updated_at: at,
            profile: serde_json::json!({}),
        }
    }

    #[test]
    fn a_cached_document_is_reused_only_for_the_same_version() {
        let cache = DocumentCache::default();
        let first = cache.document(&platform(1, "Tra cứu thuế"));
        assert!(Arc::ptr_eq(
            &first,
            &cache.document(&platform(1, "Tra cứu thuế"))
        ));
        let changed = cache.document(&platform(2, "Cấp phép xây dựng"));
        assert!(
            !Arc::ptr_eq(&first, &changed),
            "a new version is folded again"
        );
        let query = search::analyse("cap phep");
        let rarity = Rarity::measure(&query, &[changed.as_ref()], 1);
        assert!(
            search::score(&query, &changed, &rarity).value > 0.0,
            "the new document carries the new description"
        );
    }
}
