//! Judgements of recently checked plans, kept while the registry is unchanged.
//!
//! Provinces check the same plan again: the officer who drafts it, the one who approves it, the
//! procurement file that cites a fresh receipt. A judgement depends only on what the plan says
//! (title, description, domains, audiences), on the registry's data, and on the word statistics
//! the candidate look-up was planned with. The data's version is the feed position, which every
//! committed change moves (platforms, their contacts and profiles, the ministries that own them);
//! a check reads it from the database before it judges, so a kept judgement is used only at the
//! very position, and with the very statistics, it was made at: it is what judging again would
//! give. The receipt itself (its id, time, similar plans, registry state) is made new each time.
//!
//! Memory is bounded: at most [`MAX_JUDGEMENTS`] plans of at most [`MAX_PLAN_BYTES`] each; the one
//! used least recently goes first. `/metrics` counts hits and misses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::db::platforms::WordStatistics;
use crate::domain::Vocabulary;
use crate::views::overlap::OverlapCheckRequest;

use super::Judgement;

/// The most judgements kept. One holds its plan and at most five candidates with their contacts
/// and reasons: a few kilobytes.
pub const MAX_JUDGEMENTS: usize = 128;

/// Plans longer than this (title and description together) are judged every time: the key keeps
/// the whole plan, and the cap bounds what it holds.
pub const MAX_PLAN_BYTES: usize = 4_096;

/// What decides a judgement, from the request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Plan {
    title: String,
    description: Option<String>,
    domains: Vec<String>,
    audiences: Vec<String>,
}

impl Plan {
    fn of(request: &OverlapCheckRequest) -> Option<Self> {
        let bytes = request.title.len() + request.description.as_deref().map_or(0, str::len);
        (bytes <= MAX_PLAN_BYTES).then(|| Self {
            title: request.title.clone(),
            description: request.description.clone(),
            domains: request
                .domains
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect(),
            audiences: request
                .audiences
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
        })
    }
}

struct Kept {
    position: i64,
    statistics: Arc<WordStatistics>,
    judgement: Arc<Judgement>,
    /// When it was last used, on the memo's own clock.
    used: u64,
}

#[derive(Default)]
struct Entries {
    clock: u64,
    kept: HashMap<Plan, Kept>,
}

/// The kept judgements of this replica.
pub struct Judgements {
    entries: Mutex<Entries>,
    requests: prometheus::IntCounterVec,
    held: prometheus::IntGauge,
}

impl Judgements {
    /// An empty memo, with its metrics.
    pub fn new() -> Result<Self, prometheus::Error> {
        let requests = prometheus::IntCounterVec::new(
            prometheus::Opts::new(
                "ndp_overlap_judgements_total",
                "Overlap checks by where their judgement came from: hit (kept, the registry \
                 unchanged since), miss (judged).",
            ),
            &["result"],
        )?;
        for result in ["hit", "miss"] {
            requests.with_label_values(&[result]);
        }
        Ok(Self {
            entries: Mutex::default(),
            requests,
            held: prometheus::IntGauge::new(
                "ndp_overlap_judgements_kept",
                "Judgements kept in memory (at most 128).",
            )?,
        })
    }

    /// The metrics to register.
    pub fn collectors(&self) -> Vec<Box<dyn prometheus::core::Collector>> {
        vec![Box::new(self.requests.clone()), Box::new(self.held.clone())]
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The judgement of `request` made at `position` with `statistics`, if one is kept.
    pub fn get(
        &self,
        request: &OverlapCheckRequest,
        position: i64,
        statistics: &Arc<WordStatistics>,
    ) -> Option<Arc<Judgement>> {
        let plan = Plan::of(request)?;
        let mut entries = self.lock();
        entries.clock += 1;
        let now = entries.clock;
        let found = match entries.kept.get_mut(&plan) {
            Some(kept)
                if kept.position == position && Arc::ptr_eq(&kept.statistics, statistics) =>
            {
                kept.used = now;
                Some(Arc::clone(&kept.judgement))
            }
            _ => None,
        };
        drop(entries);
        let result = if found.is_some() { "hit" } else { "miss" };
        self.requests.with_label_values(&[result]).inc();
        found
    }

    /// Keeps the judgement of `request`, made at `position` with `statistics`.
    pub fn keep(
        &self,
        request: &OverlapCheckRequest,
        position: i64,
        statistics: Arc<WordStatistics>,
        judgement: Arc<Judgement>,
    ) {
        let Some(plan) = Plan::of(request) else {
            return;
        };
        let mut entries = self.lock();
        entries.clock += 1;
        let used = entries.clock;
        if !entries.kept.contains_key(&plan) && entries.kept.len() >= MAX_JUDGEMENTS {
            let oldest = entries
                .kept
                .iter()
                .min_by_key(|(_, k)| k.used)
                .map(|(p, _)| p.clone());
            if let Some(oldest) = oldest {
                entries.kept.remove(&oldest);
            }
        }
        entries.kept.insert(
            plan,
            Kept {
                position,
                statistics,
                judgement,
                used,
            },
        );
        self.held
            .set(i64::try_from(entries.kept.len()).unwrap_or(i64::MAX));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(title: &str) -> OverlapCheckRequest {
        serde_json::from_value(serde_json::json!({ "title": title })).unwrap_or_else(|e| {
            panic!("a valid request: {e}");
        })
    }

    fn judgement(gist: &str) -> Arc<Judgement> {
        Arc::new(Judgement {
            verdict: crate::views::overlap::Verdict::NoOverlap,
            candidates: Vec::new(),
            why: (String::new(), String::new()),
            gist: gist.into(),
            best: None,
        })
    }

    #[test]
    fn a_judgement_is_used_only_at_the_same_position_and_statistics() {
        let memo = Judgements::new().unwrap_or_else(|e| panic!("{e}"));
        let stats = Arc::new(WordStatistics::default());
        let plan = request("Hệ thống hóa đơn điện tử");
        memo.keep(&plan, 7, Arc::clone(&stats), judgement("hoa don"));
        let kept = memo.get(&plan, 7, &stats).map(|j| j.gist.clone());
        assert_eq!(kept.as_deref(), Some("hoa don"));
        assert!(memo.get(&plan, 8, &stats).is_none(), "the registry moved");
        let renewed = Arc::new(WordStatistics::default());
        assert!(
            memo.get(&plan, 7, &renewed).is_none(),
            "the statistics were read again"
        );
        assert!(
            memo.get(&request("Hệ thống hóa đơn điện tử tỉnh"), 7, &stats)
                .is_none(),
            "another plan"
        );
        assert_eq!(memo.requests.with_label_values(&["hit"]).get(), 1);
        assert_eq!(memo.requests.with_label_values(&["miss"]).get(), 3);
    }

    #[test]
    fn the_least_recently_used_judgement_goes_first_and_long_plans_are_not_kept() {
        let memo = Judgements::new().unwrap_or_else(|e| panic!("{e}"));
        let stats = Arc::new(WordStatistics::default());
        for i in 0..MAX_JUDGEMENTS {
            memo.keep(
                &request(&format!("plan {i}")),
                1,
                Arc::clone(&stats),
                judgement("x"),
            );
        }
        // Plan 0 is used again, so plan 1 is the least recently used.
        assert!(memo.get(&request("plan 0"), 1, &stats).is_some());
        memo.keep(&request("one more"), 1, Arc::clone(&stats), judgement("x"));
        assert_eq!(memo.held.get(), MAX_JUDGEMENTS as i64);
        assert!(memo.get(&request("plan 0"), 1, &stats).is_some());
        assert!(memo.get(&request("plan 1"), 1, &stats).is_none());
        assert!(memo.get(&request("one more"), 1, &stats).is_some());

        let long = request(&"hóa đơn ".repeat(MAX_PLAN_BYTES / 8));
        memo.keep(&long, 1, Arc::clone(&stats), judgement("x"));
        assert!(memo.get(&long, 1, &stats).is_none());
    }
}
