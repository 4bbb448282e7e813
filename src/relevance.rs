//! The relevance benchmark: realistic Vietnamese queries and planned purchases with the platforms
//! a good answer contains, run through the same code the API serves, reported as recall@5, MRR
//! and verdict accuracy. The cases live in `bench/relevance/`; `cases-holdout.json` was written
//! apart from the tuning and is reported separately.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use diesel_async::AsyncPgConnection;
use serde::Deserialize;

use crate::db::platforms::PlatformFilter;
use crate::domain::search::analyse_search;
use crate::domain::{Audience, Domain, Vocabulary, fold_for_search};
use crate::error::ApiError;
use crate::registry::overlap::judge;
use crate::registry::search::{DocumentCache, search};
use crate::views::overlap::{OverlapCheckRequest, Verdict};

/// One benchmark case.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Case {
    /// A search: what is typed and the platforms the top 5 must contain.
    Search {
        /// The case's id.
        id: String,
        /// The query.
        q: String,
        /// The platforms expected in the top 5; empty when nothing should match.
        expected: Vec<String>,
        /// What the case exercises.
        #[serde(default)]
        tags: Vec<String>,
    },
    /// An overlap check: a planned purchase, the platforms and the verdict expected.
    Overlap {
        /// The case's id.
        id: String,
        /// The purchase's title.
        title: String,
        /// Its description.
        #[serde(default)]
        description: Option<String>,
        /// Its domains.
        #[serde(default)]
        domains: Vec<Domain>,
        /// Its audiences.
        #[serde(default)]
        audiences: Vec<Audience>,
        /// The platforms expected among the candidates.
        expected: Vec<String>,
        /// The verdict expected.
        verdict: Verdict,
        /// What the case exercises.
        #[serde(default)]
        tags: Vec<String>,
    },
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    recall: f64,
    reciprocal_rank: f64,
    with_expected: usize,
    /// Cases whose first expected platform is among the first three.
    top3: usize,
    negatives: usize,
    negatives_empty: usize,
    verdicts: usize,
    verdicts_right: usize,
    /// Cases expecting `likely_duplicate`, and how they were answered.
    duplicates: usize,
    duplicates_likely: usize,
    duplicates_none: usize,
    /// Of those answered `likely_duplicate`, how many name a platform not expected first: the
    /// verdict is right, the duplicate it names is not.
    duplicates_likely_elsewhere: usize,
    /// Cases expecting `no_overlap` answered `likely_duplicate`.
    nones: usize,
    nones_likely: usize,
}

impl Tally {
    fn add_ranked(&mut self, expected: &[String], ranked: &[String]) {
        self.cases += 1;
        if expected.is_empty() {
            self.negatives += 1;
            if ranked.is_empty() {
                self.negatives_empty += 1;
            }
            return;
        }
        self.with_expected += 1;
        let top5 = &ranked[..ranked.len().min(5)];
        let found = expected.iter().filter(|e| top5.contains(e)).count();
        self.recall += found as f64 / expected.len() as f64;
        if let Some(rank) = ranked.iter().position(|code| expected.contains(code)) {
            self.reciprocal_rank += 1.0 / (rank + 1) as f64;
        }
        if ranked.iter().take(3).any(|code| *code == expected[0]) {
            self.top3 += 1;
        }
    }

    fn add_verdict(&mut self, expected: Verdict, got: Verdict, first_expected: bool) {
        self.verdicts += 1;
        if got == expected {
            self.verdicts_right += 1;
        }
        match expected {
            Verdict::LikelyDuplicate => {
                self.duplicates += 1;
                self.duplicates_likely += usize::from(got == Verdict::LikelyDuplicate);
                self.duplicates_likely_elsewhere +=
                    usize::from(got == Verdict::LikelyDuplicate && !first_expected);
                self.duplicates_none += usize::from(got == Verdict::NoOverlap);
            }
            Verdict::NoOverlap => {
                self.nones += 1;
                self.nones_likely += usize::from(got == Verdict::LikelyDuplicate);
            }
            Verdict::PossibleOverlap => {}
        }
    }

    fn line(&self, name: &str) -> String {
        let per = |x: f64, n: usize| {
            if n == 0 {
                "-".to_owned()
            } else {
                format!("{:.3}", x / n as f64)
            }
        };
        let of = |x: usize, n: usize| {
            if n == 0 {
                "-".to_owned()
            } else {
                format!("{x}/{n}")
            }
        };
        format!(
            "{name:<30} {:>5} {:>9} {:>6} {:>7} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}",
            self.cases,
            per(self.recall, self.with_expected),
            per(self.reciprocal_rank, self.with_expected),
            of(self.top3, self.with_expected),
            of(self.negatives_empty, self.negatives),
            of(self.verdicts_right, self.verdicts),
            of(self.duplicates_likely, self.duplicates),
            of(self.duplicates_none, self.duplicates),
            of(self.nones_likely, self.nones),
            of(self.duplicates_likely_elsewhere, self.duplicates_likely),
        )
    }
}

/// The outcome of a run.
#[derive(Debug)]
pub struct Evaluation {
    /// The printed report.
    pub report: String,
    /// Each case that missed, for inspection.
    pub misses: Vec<String>,
    /// Search recall@5 over the cases that expect platforms.
    pub search_recall: f64,
    /// Search mean reciprocal rank.
    pub search_mrr: f64,
    /// Overlap recall@5 over the cases that expect platforms.
    pub overlap_recall: f64,
    /// Share of overlap cases with the expected verdict.
    pub verdict_accuracy: f64,
    /// Share of overlap cases whose first expected platform is among the first three.
    pub overlap_top3: f64,
    /// Share of expected duplicates answered `likely_duplicate`.
    pub duplicates_found: f64,
    /// Expected duplicates answered `no_overlap`.
    pub duplicates_missed: usize,
    /// Purchases no platform covers answered `likely_duplicate`.
    pub false_duplicates: usize,
}

/// Runs `cases` and returns the report, the misses and the headline figures.
pub async fn evaluate(
    conn: &mut AsyncPgConnection,
    name: &str,
    cases: &[Case],
) -> Result<Evaluation, ApiError> {
    let mut calibration: Vec<(Verdict, f32)> = Vec::new();
    let mut by_kind: BTreeMap<String, Tally> = BTreeMap::new();
    let docs = DocumentCache::default();
    let mut by_tag: BTreeMap<String, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for case in cases {
        match case {
            Case::Search {
                id,
                q,
                expected,
                tags,
            } => {
                let folded = fold_for_search(q);
                let results = search(
                    conn,
                    &docs,
                    &PlatformFilter::default(),
                    &analyse_search(q),
                    &folded,
                )
                .await?;
                let ranked: Vec<String> = results.iter().map(|(p, _)| p.code.clone()).collect();
                if std::env::var_os("RELEVANCE_EXPLAIN").is_some() {
                    let query = analyse_search(q);
                    let candidates = crate::registry::search::scored_candidates(
                        conn,
                        &docs,
                        &PlatformFilter::default(),
                        &[&query],
                        &folded,
                        crate::registry::search::MAX_CANDIDATES,
                    )
                    .await?;
                    let rarity = candidates.rarity(&query);
                    let mut all: Vec<(String, crate::domain::search::Score)> = candidates
                        .rows
                        .iter()
                        .map(|(p, d)| {
                            (
                                p.code.clone(),
                                crate::domain::search::score(&query, d, &rarity),
                            )
                        })
                        .collect();
                    all.sort_by(|a, b| b.1.value.total_cmp(&a.1.value));
                    for (code, s) in all.iter().take(3) {
                        let terms: Vec<&str> = s.matches.iter().map(|m| m.term.as_str()).collect();
                        eprintln!(
                            "S\t{id}\t{code}\t{:.3}\t{:.2}\t{}",
                            s.value,
                            s.significant_found,
                            terms.join(" | ")
                        );
                    }
                }
                for key in std::iter::once("search".to_owned())
                    .chain(tags.iter().map(|t| format!("search/{t}")))
                {
                    let tally = if key == "search" {
                        by_kind.entry(key).or_default()
                    } else {
                        by_tag.entry(key).or_default()
                    };
                    tally.add_ranked(expected, &ranked);
                }
                let top5 = &ranked[..ranked.len().min(5)];
                let ok = if expected.is_empty() {
                    ranked.is_empty()
                } else {
                    expected.iter().all(|e| top5.contains(e))
                };
                if !ok {
                    misses.push(format!("{id} q={q:?} expected={expected:?} got={top5:?}"));
                }
            }
            Case::Overlap {
                id,
                title,
                description,
                domains,
                audiences,
                expected,
                verdict,
                tags,
            } => {
                let request = OverlapCheckRequest {
                    title: title.clone(),
                    description: description.clone(),
                    domains: domains.clone(),
                    audiences: audiences.clone(),
                    requester: None,
                };
                let judgement = judge(conn, &docs, &request).await?;
                if std::env::var_os("RELEVANCE_FEATURES").is_some()
                    && let Some(o) = &judgement.best
                {
                    eprintln!(
                        "F\t{id}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{}\t{:.3}\t{:.3}\t{}\t{}\t{}\t{}",
                        verdict.as_str(),
                        o.value,
                        o.title.coverage,
                        o.title.containment,
                        o.title.value,
                        u8::from(o.title.named.is_some()),
                        o.description.coverage,
                        o.description.containment,
                        o.title.strong_matches,
                        u8::from(expected.first() == candidates_first(&judgement.candidates)),
                        judgement
                            .candidates
                            .first()
                            .and_then(|c| c.province_action)
                            .map_or("-", |a| a.as_str()),
                        [
                            (o.description.used, "layer"),
                            (o.title.used, "title-used"),
                            (o.part.is_some(), "part"),
                            (o.beyond.is_some(), "beyond"),
                            (
                                o.functions_done.is_some(),
                                &format!("functions{:?}", o.functions_done.unwrap_or_default())
                            ),
                            (o.read_from_description, "framing-title"),
                        ]
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, name)| *name)
                        .collect::<Vec<_>>()
                        .join(","),
                    );
                }
                if std::env::var_os("RELEVANCE_EXPLAIN").is_some() {
                    for c in &judgement.candidates {
                        let terms: Vec<String> = c
                            .matched
                            .iter()
                            .map(|m| {
                                format!(
                                    "{}@{}/{}{}",
                                    m.term,
                                    m.field,
                                    m.how,
                                    m.matched_as
                                        .as_deref()
                                        .map_or(String::new(), |a| format!("={a}"))
                                )
                            })
                            .collect();
                        eprintln!(
                            "E\t{id}\t{}\t{}\t{}\t{}",
                            c.platform,
                            c.score,
                            terms.join(" "),
                            c.reasons.join(" | ")
                        );
                    }
                }
                let (got, candidates) = (judgement.verdict, judgement.candidates);
                calibration.push((*verdict, candidates.first().map_or(0.0, |c| c.score)));
                let ranked: Vec<String> = candidates.iter().map(|c| c.platform.clone()).collect();
                let first_expected = ranked.first().is_some_and(|r| expected.contains(r));
                for key in std::iter::once("overlap".to_owned())
                    .chain(tags.iter().map(|t| format!("overlap/{t}")))
                {
                    let tally = if key == "overlap" {
                        by_kind.entry(key).or_default()
                    } else {
                        by_tag.entry(key).or_default()
                    };
                    if !expected.is_empty() {
                        tally.add_ranked(expected, &ranked);
                    } else {
                        tally.cases += 1;
                    }
                    tally.add_verdict(*verdict, got, first_expected);
                }
                let found = expected
                    .first()
                    .is_none_or(|e| ranked.iter().take(3).any(|r| r == e));
                if got != *verdict || !found {
                    let scores: Vec<String> = candidates
                        .iter()
                        .map(|c| format!("{}={}", c.platform, c.score))
                        .collect();
                    misses.push(format!(
                        "{id} {title:?} expected={expected:?}/{} got={}/{scores:?}",
                        verdict.as_str(),
                        got.as_str()
                    ));
                }
            }
        }
    }
    let mut report = format!(
        "== {name}\n{:<30} {:>5} {:>9} {:>6} {:>7} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
        "",
        "cases",
        "recall@5",
        "MRR",
        "top3",
        "neg ok",
        "verdict",
        "dup->ld",
        "dup->no",
        "none->ld",
        "ld-other"
    );
    for (key, tally) in by_kind.iter().chain(by_tag.iter()) {
        let _ = writeln!(report, "{}", tally.line(key));
    }
    if !calibration.is_empty() {
        let _ = writeln!(report, "\n{}", calibrate(&calibration));
    }
    let ratio = |x: f64, n: usize| if n == 0 { 0.0 } else { x / n as f64 };
    let search = by_kind.get("search");
    let overlap = by_kind.get("overlap");
    Ok(Evaluation {
        report,
        misses,
        search_recall: search.map_or(0.0, |t| ratio(t.recall, t.with_expected)),
        search_mrr: search.map_or(0.0, |t| ratio(t.reciprocal_rank, t.with_expected)),
        overlap_recall: overlap.map_or(0.0, |t| ratio(t.recall, t.with_expected)),
        verdict_accuracy: overlap.map_or(0.0, |t| ratio(t.verdicts_right as f64, t.verdicts)),
        overlap_top3: overlap.map_or(0.0, |t| ratio(t.top3 as f64, t.with_expected)),
        duplicates_found: overlap.map_or(0.0, |t| ratio(t.duplicates_likely as f64, t.duplicates)),
        duplicates_missed: overlap.map_or(0, |t| t.duplicates_none),
        false_duplicates: overlap.map_or(0, |t| t.nones_likely),
    })
}

fn candidates_first(candidates: &[crate::views::overlap::OverlapCandidate]) -> Option<&String> {
    candidates.first().map(|c| &c.platform)
}

/// Reads a case file.
pub fn read_cases(path: &str) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
}

/// Which pair of verdict thresholds would have judged these cases best: the evidence behind
/// `LIKELY_DUPLICATE` and `POSSIBLE_OVERLAP`.
fn calibrate(cases: &[(Verdict, f32)]) -> String {
    let mut best = (0usize, 0.0f32, 0.0f32);
    let steps: Vec<f32> = (10..=90).map(|i| i as f32 / 100.0).collect();
    for &low in &steps {
        for &high in steps.iter().filter(|h| **h > low) {
            let right = cases
                .iter()
                .filter(|(expected, score)| {
                    let got = if *score >= high {
                        Verdict::LikelyDuplicate
                    } else if *score >= low {
                        Verdict::PossibleOverlap
                    } else {
                        Verdict::NoOverlap
                    };
                    got == *expected
                })
                .count();
            if right > best.0 {
                best = (right, low, high);
            }
        }
    }
    let mut sorted: Vec<String> = cases
        .iter()
        .map(|(v, s)| format!("{s:.2}:{}", &v.as_str()[..1]))
        .collect();
    sorted.sort();
    format!(
        "calibration: best thresholds on these cases would be possible_overlap >= {:.2}, likely_duplicate >= {:.2} ({}/{} right)\ntop scores (l=likely_duplicate, p=possible_overlap, n=no_overlap expected): {}",
        best.1,
        best.2,
        best.0,
        cases.len(),
        sorted.join(" ")
    )
}

/// A receipt's feedback: the platforms judged duplicates, and related.
struct FeedbackCase {
    id: uuid::Uuid,
    request: serde_json::Value,
    duplicates: Vec<String>,
    related: Vec<String>,
}

/// Recorded feedback on receipts as new overlap cases, in the format of `bench/relevance/`: the
/// platforms judged `duplicate` (then `related`) are expected; the verdict is `likely_duplicate`
/// when any was a duplicate, `possible_overlap` when any was related, else `no_overlap`. Real
/// judgements grow the benchmark; they go to a development file, never to the holdout.
pub async fn feedback_cases(
    conn: &mut AsyncPgConnection,
) -> Result<Vec<serde_json::Value>, ApiError> {
    let rows = crate::db::overlap::feedback_cases(conn).await?;
    let mut cases: Vec<FeedbackCase> = Vec::new();
    for (id, request, platform, judgement) in rows {
        if cases.last().is_none_or(|c| c.id != id) {
            cases.push(FeedbackCase {
                id,
                request,
                duplicates: Vec::new(),
                related: Vec::new(),
            });
        }
        if let Some(case) = cases.last_mut() {
            match judgement.as_str() {
                "duplicate" if !case.duplicates.contains(&platform) => {
                    case.duplicates.push(platform);
                }
                "related" if !case.related.contains(&platform) => case.related.push(platform),
                _ => {}
            }
        }
    }
    Ok(cases
        .into_iter()
        .map(|FeedbackCase {
                  id,
                  request,
                  duplicates,
                  related,
              }| {
            let verdict = if !duplicates.is_empty() {
                Verdict::LikelyDuplicate
            } else if !related.is_empty() {
                Verdict::PossibleOverlap
            } else {
                Verdict::NoOverlap
            };
            let expected: Vec<String> = duplicates.into_iter().chain(related).take(3).collect();
            serde_json::json!({
                "id": format!("fb-{id}"),
                "kind": "overlap",
                "title": request.get("title").cloned().unwrap_or_default(),
                "description": request.get("description").cloned().unwrap_or(serde_json::Value::Null),
                "expected": expected,
                "verdict": verdict.as_str(),
                "tags": ["feedback"],
                "note": format!("from feedback recorded on receipt {id}"),
            })
        })
        .collect())
}
