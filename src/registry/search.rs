//! Search as the API answers it: candidates from the word index, scored precisely in Rust, with
//! the reasons each result matched. Shared by the platform list, its facets, its CSV export and
//! the overlap check.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use crate::db::platforms::{self as platform_db, Lookup, Platform, PlatformFilter, WordStatistics};
use crate::domain::PlatformProfile;
use crate::domain::search::{self, Document, Fields, Query, Rarity, Score};
use crate::error::ApiError;

/// The most candidates scored for one query. The candidate ranking puts the likely ones first; a
/// query vaguer than this many platforms is answered with the best of them.
pub const MAX_CANDIDATES: i64 = 400;
/// The most candidates a search looks up and scores (a registry of no more than
/// [`MAX_CANDIDATES`] is still scored whole when a word may be a typo). A new search of 100,000
/// platforms spends most of its time building the searchable forms of candidates not yet kept:
/// over the 130 development searches, one at a time, the best 400 took p50 42.7 ms; the best 200
/// found the expected platform in the first five as often. On a slower machine 200 took 38 to
/// 42 ms, and the best 100 25 to 31 ms with a third less CPU, one search fewer answered in the
/// first five (108 of 117: "civil servants database" behind synthetic copies of its platform;
/// 120 and 150 lose the same one). `BENCHMARKS.md`, "New searches at 100,000 platforms".
pub const SEARCH_CANDIDATES: i64 = 100;
/// A spelling more platforms hold than this is common: looked up, it would bring thousands of rows
/// to rank for a few hundred kept (at 100,000 platforms "dan cu", as the beginning of "huong dan
/// cua", is in nearly every row, and an overlap check ranking them all took seconds). A registry
/// of fewer platforms than this never has one, and its candidates are all the rows holding a
/// spelling, as before.
pub const COMMON_ROWS: f64 = 2_000.0;
/// About the most rows the spellings looked up may hold together: the rarest are looked up first,
/// and a rarer one always.
pub const LOOKUP_ROWS: f64 = 8_000.0;
/// How long the word statistics are used before they are read again: `ANALYZE` (autovacuum)
/// renews them far less often.
const STATISTICS_TTL: Duration = Duration::from_secs(60);
/// The least score a search result must reach.
pub const MIN_SEARCH_SCORE: f32 = 0.4;
/// The least share of a query's significant words a search result must contain.
pub const MIN_SIGNIFICANT_FOUND: f32 = 0.5;

/// The most searchable forms kept: every platform of a national registry, and the candidates of
/// the last search or check (at most [`MAX_CANDIDATES`]) of a far larger one. A form is made of
/// many small strings, about 20 KiB of heap each (measured with heaptrack on the synthetic
/// registry of `bench/scale.sql`): the 5,000 kept before held some 100 MB at 100,000 platforms.
/// Keeping a phrase's syllables in one string took some 5 KiB off each (`BENCHMARKS.md`,
/// "Compact syllables").
const MAX_CACHED_DOCUMENTS: usize = 500;

/// The searchable forms of platforms, kept across requests: folding and splitting descriptions was
/// most of a search's CPU time. An entry is used only for the same platform at the same version
/// and update time, so a platform changed through any replica is folded again; nothing here can
/// be stale.
///
/// It keeps too how many platforms hold the common words ([`WordStatistics`]), read at most once a
/// minute, which decide what the candidate look-up asks for.
///
/// And how many platforms are not retired, at the feed position it was counted at: a receipt
/// states it, and counting took an overlap check 14 ms at 100,000 platforms. The count changes
/// only with a change, which moves the feed position, so it is exact while the position holds.
#[derive(Default)]
pub struct DocumentCache {
    entries: Mutex<HashMap<i64, CachedDocument>>,
    statistics: Mutex<Option<(Instant, Arc<WordStatistics>)>>,
    active: Mutex<Option<(i64, i64)>>,
}

/// A platform's version and update time, with its searchable form at that version, and whether it
/// was used since the cache was last full.
type CachedDocument = (i32, DateTime<Utc>, Arc<Document>, bool);

impl DocumentCache {
    /// The searchable form of a stored platform.
    pub fn document(&self, p: &Platform) -> Arc<Document> {
        let lock = || {
            self.entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some((version, updated_at, doc, used)) = lock().get_mut(&p.id)
            && *version == p.version
            && *updated_at == p.updated_at
        {
            *used = true;
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
            users: &profile.users,
        }));
        let mut entries = lock();
        // Full: the forms used again since the last time it was full stay (the registry's own
        // platforms, which most checks find among their candidates, at 100,000 platforms), the
        // others go; all of them if half or more were used again (else it would fill again
        // within a few checks).
        if entries.len() >= MAX_CACHED_DOCUMENTS {
            entries.retain(|_, (.., used)| std::mem::take(used));
            if entries.len() >= MAX_CACHED_DOCUMENTS / 2 {
                entries.clear();
            }
        }
        entries.insert(p.id, (p.version, p.updated_at, Arc::clone(&doc), false));
        doc
    }

    /// How many platforms are not retired when the feed stands at `position`: counted again
    /// only when the position has moved since the last count.
    pub async fn active_platforms(
        &self,
        conn: &mut AsyncPgConnection,
        position: i64,
    ) -> Result<i64, ApiError> {
        let lock = || {
            self.active
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some((counted_at, count)) = *lock()
            && counted_at == position
        {
            return Ok(count);
        }
        let (counted_at, count) = crate::db::overlap::active_platforms(conn).await?;
        *lock() = Some((counted_at, count));
        Ok(count)
    }

    /// The statistics of the word indexes, read again when older than a minute.
    pub async fn word_statistics(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> Result<Arc<WordStatistics>, ApiError> {
        let lock = || {
            self.statistics
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some((read_at, stats)) = lock().as_ref()
            && read_at.elapsed() < STATISTICS_TTL
        {
            return Ok(Arc::clone(stats));
        }
        let read = platform_db::word_statistics(conn).await?;
        let mut kept = lock();
        // Unchanged since the last read (no `ANALYZE` in between): the same value is kept, so
        // what was judged with it (the overlap judgements) stays valid.
        let stats = match kept.as_ref() {
            Some((_, old)) if **old == read => Arc::clone(old),
            _ => Arc::new(read),
        };
        *kept = Some((Instant::now(), Arc::clone(&stats)));
        Ok(stats)
    }
}

/// What the candidate look-up asks for, given how many platforms hold each spelling: every
/// spelling, while none is common (always on a registry of fewer than [`COMMON_ROWS`] platforms);
/// else the spellings that are not common, rarest first, up to about [`LOOKUP_ROWS`] rows in all
/// (a spelling common only as the beginning of longer words is asked for as whole words). When
/// every spelling is common, a candidate must hold them all. A word that many platforms hold, or a
/// Vietnamese syllable, is not looked up with a typo.
pub fn plan_lookup(spellings: Vec<String>, fuzzy: Vec<String>, stats: &WordStatistics) -> Lookup {
    if stats.rows <= COMMON_ROWS {
        return Lookup::any(spellings, fuzzy);
    }
    let mut rare: Vec<(usize, f64, bool)> = Vec::new();
    let mut whole_common: Vec<String> = Vec::new();
    for (i, spelling) in spellings.iter().enumerate() {
        let as_prefix = stats.estimate(spelling, false);
        if as_prefix <= COMMON_ROWS {
            rare.push((i, as_prefix, false));
            continue;
        }
        let as_whole = stats.estimate(spelling, true);
        if as_whole <= COMMON_ROWS {
            rare.push((i, as_whole, true));
        } else if as_whole < as_prefix {
            whole_common.push(spelling.clone());
        }
    }
    // A typo search for a Vietnamese syllable finds the syllables a letter away ("thoi" finds
    // "thong", in three rows of four at 100,000 platforms, after seconds of trigram rechecks): it
    // is kept for other words (a misspelt abbreviation or compound, an English word).
    let fuzzy = fuzzy
        .into_iter()
        .filter(|w| !search::is_syllable(w) && stats.estimate(w, true) <= COMMON_ROWS)
        .collect();
    if rare.len() == spellings.len() && rare.iter().all(|(_, _, whole)| !whole) {
        return Lookup::any(spellings, fuzzy);
    }
    if rare.is_empty() {
        return Lookup {
            spellings,
            whole: whole_common,
            every: true,
            fuzzy,
        };
    }
    rare.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut rows = 0.0;
    let mut kept: Vec<(usize, bool)> = Vec::new();
    for (i, estimate, whole) in rare {
        if !kept.is_empty() && rows + estimate > LOOKUP_ROWS {
            break;
        }
        rows += estimate;
        kept.push((i, whole));
    }
    kept.sort_unstable();
    Lookup {
        whole: kept
            .iter()
            .filter(|(_, whole)| *whole)
            .map(|(i, _)| spellings[*i].clone())
            .collect(),
        spellings: kept.iter().map(|(i, _)| spellings[*i].clone()).collect(),
        every: false,
        fuzzy,
    }
}

/// The candidates for `queries` (their significant words, or all when none is significant),
/// with their searchable forms.
pub struct Candidates {
    pub rows: Vec<(Platform, Arc<Document>)>,
    /// About how many platforms there are (as of the word statistics, at most a minute old), for
    /// weighing words by rarity.
    pub corpus: usize,
}

impl Candidates {
    /// The rarity of `query`'s words among the candidates.
    pub fn rarity(&self, query: &Query) -> Rarity {
        let docs: Vec<&Document> = self.rows.iter().map(|(_, d)| d.as_ref()).collect();
        // A registry grown since the statistics were read holds at least the candidates.
        Rarity::measure(query, &docs, self.corpus.max(docs.len()))
    }
}

/// The candidates for `queries` (their significant words, or all when none is significant): at
/// most `limit` looked up, or the whole registry when it is no larger than [`MAX_CANDIDATES`] and a
/// word may be a typo.
pub async fn scored_candidates(
    conn: &mut AsyncPgConnection,
    docs: &DocumentCache,
    filter: &PlatformFilter,
    queries: &[&Query],
    rank_text: &str,
    limit: i64,
) -> Result<Candidates, ApiError> {
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
    let stats = docs.word_statistics(conn).await?;
    let lookup = plan_lookup(spellings.clone(), fuzzy, &stats);
    // A registry of no more platforms than are scored at most is scored whole when a word may be
    // a typo: the typo look-up compares each word with every platform's whole text, 70 ms on the
    // 79 seeded platforms for an English title of eight words, where scoring them all takes one.
    // The scorer forgives typos itself, so it finds what the look-up would have proposed.
    let mut rows = None;
    if !lookup.fuzzy.is_empty() && stats.rows <= MAX_CANDIDATES as f64 {
        let all = platform_db::batch(conn, filter, None, MAX_CANDIDATES + 1).await?;
        // Grown past the bound since the statistics were read: looked up after all.
        if all.len() as i64 <= MAX_CANDIDATES {
            rows = Some(all);
        }
    }
    let rows = match rows {
        Some(rows) => rows,
        None => {
            platform_db::candidates(conn, filter, &lookup, &spellings, rank_text, limit).await?
        }
    };
    Ok(Candidates {
        rows: rows
            .into_iter()
            .map(|p| {
                let doc = docs.document(&p);
                (p, doc)
            })
            .collect(),
        corpus: stats.rows as usize,
    })
}

/// Searches: the platforms matching `filter` that answer `q` well enough, best first.
pub async fn search(
    conn: &mut AsyncPgConnection,
    docs: &DocumentCache,
    filter: &PlatformFilter,
    q: &Query,
    rank_text: &str,
) -> Result<Vec<(Platform, Score)>, ApiError> {
    let candidates =
        scored_candidates(conn, docs, filter, &[q], rank_text, SEARCH_CANDIDATES).await?;
    let rarity = candidates.rarity(q);
    let mut results: Vec<(Platform, Score)> = candidates
        .rows
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

    fn owned(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn a_small_registry_looks_up_every_spelling() {
        // Every word in every row: nothing is common among 79 platforms.
        let stats = WordStatistics::new(79.0, &[("dan", 1.0)], &[("dan_cua", 1.0)]);
        let spellings = owned(&["dan cu", "cong dan", "thoi"]);
        let lookup = plan_lookup(spellings.clone(), owned(&["thoi"]), &stats);
        assert_eq!(lookup, Lookup::any(spellings, owned(&["thoi"])));
    }

    #[test]
    fn a_large_registry_leaves_common_spellings_to_the_ranking() {
        let stats = WordStatistics::new(
            100_000.0,
            &[("quan", 0.99), ("ly", 0.2), ("cong", 0.5)],
            &[
                ("dan_cu", 0.0136),
                ("dan_cua", 0.99),
                ("quan_ly", 0.3),
                ("cong_dan", 0.0135),
            ],
        );
        // "dan cu" begins "dan cua" in nearly every row, but is rare as whole words; "quan ly" is
        // common either way; "bien dong" is not listed, so rarer than every listed pair.
        let lookup = plan_lookup(
            owned(&["quan ly", "dan cu", "bien dong", "cong dan"]),
            owned(&["quan", "thoi", "vneid"]),
            &stats,
        );
        assert_eq!(lookup.spellings, ["dan cu", "bien dong", "cong dan"]);
        assert_eq!(lookup.whole, ["dan cu"]);
        assert!(!lookup.every);
        // A common word is no typo; a syllable's typos are other syllables.
        assert_eq!(lookup.fuzzy, ["vneid"]);
    }

    #[test]
    fn the_rarest_spellings_are_looked_up_within_the_budget() {
        let stats = WordStatistics::new(
            100_000.0,
            &[],
            &[
                ("hoa_don", 0.0199),
                ("dien_tu", 0.0198),
                ("tra_cuu", 0.0197),
                ("thue_dat", 0.0196),
                ("van_ban", 0.002),
                ("quan_ly", 0.3),
            ],
        );
        // With a common spelling ("quan ly") left out, the rare ones are looked up rarest first.
        let lookup = plan_lookup(
            owned(&[
                "hoa don", "dien tu", "tra cuu", "thue dat", "van ban", "quan ly",
            ]),
            Vec::new(),
            &stats,
        );
        // 200 + 1,960 + 1,970 + 1,980 rows fit in the budget; 1,990 more do not.
        assert_eq!(
            lookup.spellings,
            ["dien tu", "tra cuu", "thue dat", "van ban"]
        );
        assert!(lookup.whole.is_empty() && !lookup.every);
    }

    #[test]
    fn when_every_spelling_is_common_a_candidate_holds_them_all() {
        let stats = WordStatistics::new(
            100_000.0,
            &[("quan", 0.99)],
            &[("he_thong", 0.6), ("quan_ly", 0.3)],
        );
        let lookup = plan_lookup(owned(&["he thong", "quan ly", "quan"]), Vec::new(), &stats);
        assert!(lookup.every);
        assert_eq!(lookup.spellings, ["he thong", "quan ly", "quan"]);
    }

    #[test]
    fn a_full_cache_keeps_the_forms_used_again_since_it_was_last_full() {
        let cache = DocumentCache::default();
        let with_id = |id: i64| Platform {
            id,
            ..platform(1, "Tra cứu hóa đơn")
        };
        let hot = cache.document(&with_id(0));
        for id in 1..MAX_CACHED_DOCUMENTS as i64 {
            cache.document(&with_id(id));
            // Found among the candidates of every check.
            cache.document(&with_id(0));
        }
        // The cache is full: the next new form sweeps it.
        cache.document(&with_id(MAX_CACHED_DOCUMENTS as i64));
        assert!(Arc::ptr_eq(&hot, &cache.document(&with_id(0))));
        let kept = cache
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len();
        assert_eq!(kept, 2, "the forms used once went");
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
