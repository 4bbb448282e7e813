//! The representation cache of this replica: anonymous `GET`/`HEAD` answers of the public read
//! routes, kept in memory and served without asking PostgreSQL while the registry is unchanged.
//!
//! Every entry is stamped with the version it was built at: the feed position (which every
//! committed change moves) and this replica's write generation. It is served only at that same
//! version. The position comes from the feed listener ([`crate::db::notify`]) while it can vouch
//! for it, else from the database (one tiny query); the generation moves after every write
//! answered by this replica, before the answer leaves, so the writer's next read here is fresh
//! without waiting for the notification. The contract (README, "Consistency"): this replica serves
//! its own writes at once, other replicas' writes within [`STALENESS_BOUND`]; a request with
//! `Cache-Control: no-cache` or `Pragma: no-cache` is built from the database.
//!
//! What is kept: 200 answers in JSON or CSV, with their headers but never `Set-Cookie`, the
//! request id or the date, which are per request. The key is the request target with the headers
//! that choose the representation (`Accept`, `Accept-Language`). An entry also keeps its body
//! compressed in each coding a client has asked it for (gzip, brotli), made once, when the first
//! such client reads it, and counted in the cap: a hit costs no compression, and no encoder.
//! `ETag` and `Vary` of a compressed answer are set outside, by [`crate::api::encoding`]. Requests with credentials (`Authorization`, `Cookie`) are neither served from nor
//! stored in the cache, since some answers depend on the caller. `If-None-Match` is answered from
//! the entry's `ETag`. Answers that depend on the time as well as on the data (`/api/v1/stats`:
//! the last twelve months) are kept for [`STALENESS_BOUND`] at most. Memory is capped
//! (`CACHE_MAX_BYTES`); the clock algorithm evicts the least recently used entries.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpResponse, HttpResponseBuilder};

use crate::api::encoding::{self, Coding};
use crate::api::representation::none_match_value;
use crate::db::DbPool;
use crate::db::notify::{FeedWatch, STALENESS_BOUND};

/// The read routes whose answers depend only on the registry's data, hence on the feed position.
/// Receipts and the decisions on them (`/api/v1/overlap-checks/{id}`, `.../decision`) are not
/// among them: the retention purge deletes them without a feed entry. Nor are the operator's
/// routes, health and metrics.
const CACHED_ROUTES: [&str; 24] = [
    "/api/v1/platforms",
    "/api/v1/platforms/facets",
    "/api/v1/platforms/export",
    "/api/v1/platforms/{code}",
    "/api/v1/platforms/{code}/history",
    "/api/v1/platforms/{code}/contacts",
    "/api/v1/platforms/{code}/adoptions",
    "/api/v1/contacts",
    "/api/v1/contacts/{id}",
    "/api/v1/ministries",
    "/api/v1/ministries/{code}",
    "/api/v1/lists",
    "/api/v1/lists/{key}",
    "/api/v1/lists/{a}/diff/{b}",
    "/api/v1/stats",
    "/api/v1/changes",
    "/api/v1/vocabularies",
    "/api/v1/provinces",
    "/api/v1/provinces/{code}",
    "/api/v1/provinces/{code}/adoptions",
    "/api/v1/provinces/{code}/adoptions/{platform}",
    "/api/v1/provinces/{code}/adoptions/{platform}/history",
    "/api/v1/adoptions",
    "/api/v1/adoptions/matrix",
];

/// Routes whose answer also depends on the time (a window ending now): kept for the bound only.
const TIME_DEPENDENT_ROUTES: [&str; 1] = ["/api/v1/stats"];

/// Response headers that belong to one answer, not to the representation.
const PER_ANSWER_HEADERS: [HeaderName; 4] = [
    header::CONTENT_LENGTH,
    header::DATE,
    header::TRANSFER_ENCODING,
    header::CONNECTION,
];

/// The headers a 304 carries (RFC 9110 15.4.5), with `Link` as the handlers send it.
const NOT_MODIFIED_HEADERS: [HeaderName; 5] = [
    header::ETAG,
    header::CACHE_CONTROL,
    header::VARY,
    header::LINK,
    header::EXPIRES,
];

/// The state an entry was built at; an entry is served only at the same state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Version {
    position: i64,
    generation: u64,
}

/// A stored answer.
struct Entry {
    version: Version,
    built: Instant,
    /// For time-dependent routes: the longest the entry is served.
    max_age: Option<Duration>,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    /// The body in each [`Coding`], by [`Coding::index`], once a client has asked for it.
    coded: [OnceLock<Bytes>; 2],
    etag: Option<String>,
    /// What the entry holds without its compressed forms.
    bytes: usize,
}

impl Entry {
    fn valid_at(&self, version: Version, now: Instant) -> bool {
        self.version == version
            && self
                .max_age
                .is_none_or(|age| now.saturating_duration_since(self.built) <= age)
    }
}

/// The entries, with clock (second-chance) eviction: a hit marks its slot; the hand passing a
/// marked slot clears the mark, and evicts the first unmarked one.
#[derive(Default)]
struct Store {
    index: HashMap<String, usize>,
    slots: Vec<Option<Slot>>,
    free: Vec<usize>,
    hand: usize,
    bytes: usize,
}

struct Slot {
    key: String,
    entry: Arc<Entry>,
    referenced: bool,
    /// The entry's bytes with the compressed forms it holds.
    bytes: usize,
}

impl Store {
    /// The entry under `key` if it is valid at `version`; an invalid one is dropped (versions
    /// only move forward, so it will never be valid again).
    fn lookup(&mut self, key: &str, version: Version, now: Instant) -> Option<Arc<Entry>> {
        let i = *self.index.get(key)?;
        let slot = self.slots[i].as_mut()?;
        if slot.entry.valid_at(version, now) {
            slot.referenced = true;
            return Some(slot.entry.clone());
        }
        self.remove(i);
        None
    }

    /// Stores `entry` under `key` within `cap` bytes; returns how many entries were evicted.
    fn insert(&mut self, key: String, entry: Entry, cap: usize) -> u64 {
        if let Some(&i) = self.index.get(&key) {
            self.remove(i);
        }
        let bytes = entry.bytes
            + entry
                .coded
                .iter()
                .filter_map(OnceLock::get)
                .map(Bytes::len)
                .sum::<usize>();
        let mut evicted = 0;
        while self.bytes + bytes > cap && !self.index.is_empty() {
            self.evict_one();
            evicted += 1;
        }
        self.bytes += bytes;
        let slot = Some(Slot {
            key: key.clone(),
            entry: Arc::new(entry),
            referenced: false,
            bytes,
        });
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                self.slots.len() - 1
            }
        };
        self.index.insert(key, i);
        evicted
    }

    /// Keeps `form`, the body of `entry` in `coding`, while `entry` is still the one stored under
    /// `key`, and evicts others to stay within `cap`; returns how many were evicted. Done under
    /// the lock, so that the bytes counted are the bytes held.
    fn attach(
        &mut self,
        key: &str,
        entry: &Arc<Entry>,
        coding: Coding,
        form: &Bytes,
        cap: usize,
    ) -> u64 {
        let Some(&i) = self.index.get(key) else {
            return 0;
        };
        let Some(slot) = self.slots[i].as_mut() else {
            return 0;
        };
        if !Arc::ptr_eq(&slot.entry, entry)
            || slot.entry.coded[coding.index()].set(form.clone()).is_err()
        {
            return 0;
        }
        slot.bytes += form.len();
        self.bytes += form.len();
        let mut evicted = 0;
        while self.bytes > cap && self.index.len() > 1 {
            self.evict_one();
            evicted += 1;
        }
        evicted
    }

    fn evict_one(&mut self) {
        loop {
            if self.hand >= self.slots.len() {
                self.hand = 0;
            }
            let i = self.hand;
            self.hand += 1;
            match self.slots[i].as_mut() {
                Some(slot) if slot.referenced => slot.referenced = false,
                Some(_) => {
                    self.remove(i);
                    return;
                }
                None => {}
            }
        }
    }

    fn remove(&mut self, i: usize) {
        if let Some(slot) = self.slots[i].take() {
            self.index.remove(&slot.key);
            self.bytes -= slot.bytes;
            self.free.push(i);
        }
    }
}

/// The cache's metrics (closed label sets).
struct CacheMetrics {
    requests: prometheus::IntCounterVec,
    validations: prometheus::IntCounterVec,
    evictions: prometheus::IntCounter,
    bytes: prometheus::IntGauge,
    entries: prometheus::IntGauge,
}

/// The outcomes counted in `ndp_cache_requests_total`.
const RESULTS: [&str; 4] = ["hit", "miss", "fresh", "bypass"];
/// Where a request's version came from, in `ndp_cache_validations_total`.
const VIA: [&str; 2] = ["listener", "database"];

impl CacheMetrics {
    fn new() -> Result<Self, prometheus::Error> {
        use prometheus::{IntCounter, IntCounterVec, IntGauge, Opts};
        let requests = IntCounterVec::new(
            Opts::new(
                "ndp_cache_requests_total",
                "Cacheable reads by outcome: hit (served from memory), miss (built and stored), \
                 fresh (no-cache asked), bypass (credentials).",
            ),
            &["result"],
        )?;
        let validations = IntCounterVec::new(
            Opts::new(
                "ndp_cache_validations_total",
                "Where a cacheable read learned the feed position: the listener, or a query.",
            ),
            &["via"],
        )?;
        for result in RESULTS {
            requests.with_label_values(&[result]);
        }
        for via in VIA {
            validations.with_label_values(&[via]);
        }
        Ok(Self {
            requests,
            validations,
            evictions: IntCounter::new(
                "ndp_cache_evictions_total",
                "Entries evicted to stay within CACHE_MAX_BYTES.",
            )?,
            bytes: IntGauge::new("ndp_cache_bytes", "Bytes held by the cache's entries.")?,
            entries: IntGauge::new("ndp_cache_entries", "Entries in the cache.")?,
        })
    }
}

/// The cache of this replica.
pub struct ResponseCache {
    max_bytes: usize,
    feed: Arc<FeedWatch>,
    pool: DbPool,
    generation: AtomicU64,
    store: Mutex<Store>,
    metrics: CacheMetrics,
}

impl ResponseCache {
    /// A cache of at most `max_bytes` (0 turns it off), validated by `feed` or else through `pool`.
    pub fn new(
        max_bytes: usize,
        feed: Arc<FeedWatch>,
        pool: DbPool,
    ) -> Result<Self, prometheus::Error> {
        Ok(Self {
            max_bytes,
            feed,
            pool,
            generation: AtomicU64::new(0),
            store: Mutex::default(),
            metrics: CacheMetrics::new()?,
        })
    }

    /// Whether the cache is on.
    pub fn enabled(&self) -> bool {
        self.max_bytes > 0
    }

    /// The metrics of the cache and of the feed listener, to register.
    pub fn collectors(&self) -> Vec<Box<dyn prometheus::core::Collector>> {
        let mut collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(self.metrics.requests.clone()),
            Box::new(self.metrics.validations.clone()),
            Box::new(self.metrics.evictions.clone()),
            Box::new(self.metrics.bytes.clone()),
            Box::new(self.metrics.entries.clone()),
        ];
        collectors.extend(self.feed.collectors());
        collectors
    }

    /// The largest single entry: an eighth of the cap, so one export cannot empty the cache.
    fn max_entry_bytes(&self) -> usize {
        self.max_bytes / 8
    }

    /// Every entry built before now is stale: called after a write on this replica.
    fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The current version: the listener's position when it can vouch for it, else the
    /// database's. `None` when the database cannot say either (the request then goes to its
    /// handler, which answers from the database or with a 503).
    async fn version(&self) -> Option<Version> {
        // The generation is read first: a write's generation moves after its commit, so a build
        // that sees the new generation also sees the write.
        let generation = self.generation.load(Ordering::Acquire);
        let position = match self.feed.position() {
            Some(position) => {
                self.metrics
                    .validations
                    .with_label_values(&["listener"])
                    .inc();
                position
            }
            None => {
                let mut conn = self.pool.get().await.ok()?;
                let position = crate::db::history::feed_position(&mut conn).await.ok()?;
                self.feed.heard(position);
                self.metrics
                    .validations
                    .with_label_values(&["database"])
                    .inc();
                position
            }
        };
        Some(Version {
            position,
            generation,
        })
    }

    fn lookup(&self, key: &str, version: Version) -> Option<Arc<Entry>> {
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        let found = store.lookup(key, version, Instant::now());
        self.update_gauges(&store);
        found
    }

    fn insert(&self, key: String, entry: Entry) {
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        let evicted = store.insert(key, entry, self.max_bytes);
        self.metrics.evictions.inc_by(evicted);
        self.update_gauges(&store);
    }

    /// The body of `entry` in `coding`: the kept form, or one compressed now (outside the lock)
    /// and kept for the next client while the entry is still stored.
    fn coded(&self, key: &str, entry: &Arc<Entry>, coding: Coding) -> Bytes {
        if let Some(form) = entry.coded[coding.index()].get() {
            return form.clone();
        }
        let form = coding.compress(&entry.body);
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        let evicted = store.attach(key, entry, coding, &form, self.max_bytes);
        self.metrics.evictions.inc_by(evicted);
        self.update_gauges(&store);
        form
    }

    fn update_gauges(&self, store: &Store) {
        self.metrics
            .bytes
            .set(i64::try_from(store.bytes).unwrap_or(i64::MAX));
        self.metrics
            .entries
            .set(i64::try_from(store.index.len()).unwrap_or(i64::MAX));
    }

    fn count(&self, result: &str) {
        self.metrics.requests.with_label_values(&[result]).inc();
    }
}

/// Whether the request carries a credential: its answer may depend on who asks.
fn has_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION) || headers.contains_key(header::COOKIE)
}

/// Whether the client asks for a fresh read (`no-cache`, `max-age=0`, `no-store`, or
/// `Pragma: no-cache`), and whether it forbids storing the answer (`no-store`).
fn freshness(headers: &HeaderMap) -> (bool, bool) {
    let directives = |name: HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|d| d.trim().to_ascii_lowercase().replace(' ', ""))
            .collect()
    };
    let cache_control = directives(header::CACHE_CONTROL);
    let no_store = cache_control.iter().any(|d| d == "no-store");
    let fresh = no_store
        || cache_control
            .iter()
            .any(|d| d == "no-cache" || d == "max-age=0")
        || directives(header::PRAGMA).iter().any(|d| d == "no-cache");
    (fresh, no_store)
}

/// The key of a request: its target and the headers that choose the representation. `HEAD` uses
/// `GET`'s entry.
fn key_of(req: &ServiceRequest) -> String {
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path(), |p| p.as_str());
    let header = |name: HeaderName| {
        req.headers()
            .get_all(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "{target}\naccept={}\naccept-language={}",
        header(header::ACCEPT),
        header(header::ACCEPT_LANGUAGE)
    )
}

/// Whether any of the request's `If-None-Match` values names `etag`.
fn matches_any(if_none_match: &[HeaderValue], etag: Option<&str>) -> bool {
    etag.is_some_and(|etag| {
        if_none_match
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| none_match_value(v, etag))
    })
}

/// The answer from an entry: 304 when the client already has it, else the stored 200, with
/// `coded` as its body in that coding when the client takes one.
fn answer(entry: &Entry, not_modified: bool, coded: Option<(Coding, Bytes)>) -> HttpResponse {
    if not_modified {
        let mut response = HttpResponseBuilder::new(StatusCode::NOT_MODIFIED);
        for (name, value) in &entry.headers {
            if NOT_MODIFIED_HEADERS.contains(name) {
                response.append_header((name.clone(), value.clone()));
            }
        }
        return response.finish();
    }
    let mut response = HttpResponseBuilder::new(StatusCode::OK);
    for (name, value) in &entry.headers {
        response.append_header((name.clone(), value.clone()));
    }
    match coded {
        Some((coding, body)) => response
            .insert_header((header::CONTENT_ENCODING, coding.name()))
            .body(body),
        None => response.body(entry.body.clone()),
    }
}

/// Whether an answer may be stored: a 200 in JSON or CSV, without cookies, of a known size.
fn storable(response: &HttpResponse<BoxBody>, max_bytes: usize) -> bool {
    let json_or_csv = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/csv"));
    let small = matches!(response.body().size(), BodySize::Sized(n) if n <= max_bytes as u64);
    response.status() == StatusCode::OK
        && json_or_csv
        && small
        && !response.headers().contains_key(header::SET_COOKIE)
}

/// The middleware: serves cacheable anonymous reads from memory when valid, builds and stores
/// them otherwise, and makes every entry stale after a write answered by this replica.
pub async fn cache_layer(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let cache = req
        .app_data::<web::Data<ResponseCache>>()
        .filter(|cache| cache.enabled())
        .cloned();
    let Some(cache) = cache else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let method = req.method().clone();
    if !method.is_safe() {
        let result = next.call(req).await;
        // Unless the write was refused (4xx: nothing changed), this replica's entries are stale
        // before its answer leaves: the writer's next read here sees the write.
        if !result
            .as_ref()
            .is_ok_and(|response| response.status().is_client_error())
        {
            cache.invalidate();
        }
        return Ok(result?.map_into_boxed_body());
    }
    let route = crate::api::routes::RouteTemplate::of(&req);
    let cacheable = (method == Method::GET || method == Method::HEAD)
        && route
            .as_deref()
            .is_some_and(|route| CACHED_ROUTES.contains(&route));
    if !cacheable {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    if has_credentials(req.headers()) {
        cache.count("bypass");
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Some(version) = cache.version().await else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = key_of(&req);
    let coding = encoding::negotiated(&req);
    let (fresh, no_store) = freshness(req.headers());
    // The cache answers `If-None-Match` itself: the handler is asked for the full answer.
    let if_none_match: Vec<HeaderValue> = req.headers_mut().remove(header::IF_NONE_MATCH).collect();
    if fresh {
        cache.count("fresh");
    } else if let Some(entry) = cache.lookup(&key, version) {
        cache.count("hit");
        let not_modified = matches_any(&if_none_match, entry.etag.as_deref());
        let coded = coding
            .filter(|_| !not_modified)
            .map(|coding| (coding, cache.coded(&key, &entry, coding)));
        let (request, _) = req.into_parts();
        return Ok(ServiceResponse::new(
            request,
            answer(&entry, not_modified, coded),
        ));
    } else {
        cache.count("miss");
    }
    let max_age = route
        .as_deref()
        .is_some_and(|route| TIME_DEPENDENT_ROUTES.contains(&route))
        .then_some(STALENESS_BOUND);
    let built = Instant::now();
    let response = next.call(req).await?.map_into_boxed_body();
    let (request, response) = response.into_parts();
    if !storable(&response, cache.max_entry_bytes()) {
        let etag = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok());
        if response.status() == StatusCode::OK && matches_any(&if_none_match, etag) {
            // Not kept (a workbook, a large export), but the client's copy is still current.
            let mut not_modified = HttpResponseBuilder::new(StatusCode::NOT_MODIFIED);
            for (name, value) in response.headers() {
                if NOT_MODIFIED_HEADERS.contains(name) {
                    not_modified.append_header((name.clone(), value.clone()));
                }
            }
            return Ok(ServiceResponse::new(request, not_modified.finish()));
        }
        return Ok(ServiceResponse::new(request, response));
    }
    let (head, body) = response.into_parts();
    let body = match actix_web::body::to_bytes(body).await {
        // Kept in an allocation of its own size: a body serialised into a growing `Vec` may own
        // up to twice its length, which the cap would not see.
        Ok(body) => Bytes::copy_from_slice(&body),
        Err(error) => {
            return Err(actix_web::error::ErrorInternalServerError(
                error.to_string(),
            ));
        }
    };
    let headers: Vec<(HeaderName, HeaderValue)> = head
        .headers()
        .iter()
        .filter(|(name, _)| !PER_ANSWER_HEADERS.contains(name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let etag = head
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = key.len()
        + body.len()
        + headers
            .iter()
            .map(|(n, v)| n.as_str().len() + v.len() + 32)
            .sum::<usize>()
        + 256;
    let entry = Entry {
        version,
        built,
        max_age,
        headers,
        body,
        coded: Default::default(),
        etag,
        bytes,
    };
    let not_modified = matches_any(&if_none_match, entry.etag.as_deref());
    // The form this client takes is made now, once, and kept with the entry.
    let coded = coding.filter(|_| !not_modified).map(|coding| {
        let form = coding.compress(&entry.body);
        let _ = entry.coded[coding.index()].set(form.clone());
        (coding, form)
    });
    let response = answer(&entry, not_modified, coded);
    if !no_store {
        cache.insert(key, entry);
    }
    Ok(ServiceResponse::new(request, response))
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::test::{TestRequest, call_service, init_service, read_body};
    use actix_web::{App, HttpResponse};

    use super::*;

    /// The data behind a fake route: changed only by the fake write.
    struct Counter(AtomicU64);

    async fn read(counter: web::Data<Counter>) -> HttpResponse {
        let value = counter.0.load(Ordering::SeqCst).to_string();
        HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((header::ETAG, format!("\"{value}\"")))
            .body(value)
    }

    async fn write(counter: web::Data<Counter>) -> HttpResponse {
        counter.0.fetch_add(1, Ordering::SeqCst);
        HttpResponse::Ok().finish()
    }

    /// With the listener vouching for a position that never moves (no notification comes), only
    /// this replica's own write can make it drop what it holds, and it must.
    #[actix_web::test]
    async fn a_write_here_is_seen_by_the_next_read_without_any_notification() {
        let feed = Arc::new(FeedWatch::new().unwrap());
        feed.heard(1);
        // Never connected: the database is not asked while the listener vouches.
        let pool = crate::db::build_pool(
            "postgres://nobody@127.0.0.1:9/none",
            1,
            Duration::from_millis(100),
        )
        .unwrap();
        let cache = web::Data::new(ResponseCache::new(1 << 20, feed.clone(), pool).unwrap());
        let app = init_service(
            App::new()
                .app_data(cache.clone())
                .app_data(web::Data::new(Counter(AtomicU64::new(0))))
                .wrap(from_fn(cache_layer))
                .route("/api/v1/platforms/{code}", web::get().to(read))
                .route("/api/v1/platforms/{code}", web::patch().to(write)),
        )
        .await;
        let get = || TestRequest::get().uri("/api/v1/platforms/x").to_request();
        let hits = || cache.metrics.requests.with_label_values(&["hit"]).get();
        feed.vouch(Instant::now());
        assert_eq!(read_body(call_service(&app, get()).await).await, "0");
        assert_eq!(read_body(call_service(&app, get()).await).await, "0");
        assert_eq!(hits(), 1, "the second read came from memory");
        let patch = TestRequest::patch().uri("/api/v1/platforms/x").to_request();
        assert_eq!(call_service(&app, patch).await.status(), 200);
        feed.vouch(Instant::now());
        assert_eq!(read_body(call_service(&app, get()).await).await, "1");
        assert_eq!(hits(), 1);
        // A conditional read of the new tag is a 304 from memory.
        let conditional = TestRequest::get()
            .uri("/api/v1/platforms/x")
            .insert_header((header::IF_NONE_MATCH, "\"1\""))
            .to_request();
        assert_eq!(call_service(&app, conditional).await.status(), 304);
        assert_eq!(hits(), 2);
    }

    fn entry(position: i64, bytes: usize) -> Entry {
        Entry {
            version: Version {
                position,
                generation: 0,
            },
            built: Instant::now(),
            max_age: None,
            headers: Vec::new(),
            body: Bytes::new(),
            coded: Default::default(),
            etag: None,
            bytes,
        }
    }

    const AT: fn(i64) -> Version = |position| Version {
        position,
        generation: 0,
    };

    #[test]
    fn an_entry_is_served_only_at_its_own_version() {
        let mut store = Store::default();
        store.insert("a".into(), entry(3, 10), 100);
        let now = Instant::now();
        assert!(store.lookup("a", AT(3), now).is_some());
        let other_generation = Version {
            position: 3,
            generation: 1,
        };
        assert!(store.lookup("a", other_generation, now).is_none());
        assert!(
            store.lookup("a", AT(3), now).is_none(),
            "a stale entry is dropped"
        );
        assert_eq!(store.bytes, 0);
    }

    #[test]
    fn a_time_dependent_entry_expires() {
        let mut store = Store::default();
        let mut timed = entry(1, 10);
        timed.max_age = Some(Duration::from_millis(10));
        let built = timed.built;
        store.insert("s".into(), timed, 100);
        assert!(store.lookup("s", AT(1), built).is_some());
        assert!(
            store
                .lookup("s", AT(1), built + Duration::from_millis(11))
                .is_none()
        );
    }

    #[test]
    fn the_clock_evicts_unused_entries_first_and_keeps_within_the_cap() {
        let mut store = Store::default();
        let now = Instant::now();
        assert_eq!(store.insert("a".into(), entry(1, 40), 100), 0);
        assert_eq!(store.insert("b".into(), entry(1, 40), 100), 0);
        assert!(store.lookup("a", AT(1), now).is_some());
        // "c" needs room: "a" was used, "b" was not.
        assert_eq!(store.insert("c".into(), entry(1, 40), 100), 1);
        assert!(store.lookup("b", AT(1), now).is_none());
        assert!(store.lookup("a", AT(1), now).is_some());
        assert!(store.lookup("c", AT(1), now).is_some());
        assert_eq!(store.bytes, 80);
        // Replacing a key does not count it twice.
        store.insert("c".into(), entry(1, 50), 100);
        assert_eq!(store.bytes, 90);
        assert_eq!(store.index.len(), 2);
    }

    #[test]
    fn a_compressed_form_is_counted_while_its_entry_is_stored_and_released_with_it() {
        let mut store = Store::default();
        let now = Instant::now();
        store.insert("a".into(), entry(1, 40), 100);
        let stored = store.lookup("a", AT(1), now).unwrap();
        let form = Bytes::from_static(&[0; 30]);
        assert_eq!(store.attach("a", &stored, Coding::Brotli, &form, 100), 0);
        assert_eq!(store.bytes, 70);
        // A form is kept once.
        store.attach("a", &stored, Coding::Brotli, &form, 100);
        assert_eq!(store.bytes, 70);
        // Replaced, the entry gives back its forms; one made for the old entry is not kept.
        store.insert("a".into(), entry(1, 40), 100);
        assert_eq!(store.bytes, 40);
        store.attach("a", &stored, Coding::Gzip, &form, 100);
        assert_eq!(store.bytes, 40);
        // A form that takes the store past its cap evicts another entry.
        store.insert("b".into(), entry(1, 40), 100);
        let b = store.lookup("b", AT(1), now).unwrap();
        assert_eq!(store.attach("b", &b, Coding::Gzip, &form, 100), 1);
        assert_eq!(store.bytes, 70);
        assert!(store.lookup("a", AT(1), now).is_none());
        assert!(b.coded[Coding::Gzip.index()].get().is_some());
    }

    #[test]
    fn no_cache_and_no_store_ask_for_a_fresh_read() {
        let headers = |pairs: &[(HeaderName, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.append(name.clone(), HeaderValue::from_str(value).unwrap());
            }
            map
        };
        assert_eq!(freshness(&headers(&[])), (false, false));
        assert_eq!(
            freshness(&headers(&[(header::CACHE_CONTROL, "No-Cache")])),
            (true, false)
        );
        assert_eq!(
            freshness(&headers(&[(header::CACHE_CONTROL, "max-age = 0")])),
            (true, false)
        );
        assert_eq!(
            freshness(&headers(&[(header::PRAGMA, "no-cache")])),
            (true, false)
        );
        assert_eq!(
            freshness(&headers(&[(header::CACHE_CONTROL, "max-age=60, no-store")])),
            (true, true)
        );
        assert_eq!(
            freshness(&headers(&[(header::CACHE_CONTROL, "max-age=60")])),
            (false, false)
        );
    }
}
