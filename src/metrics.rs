//! The service's Prometheus metrics: a leaf that knows no other module of the crate. Labels are
//! closed sets (known methods, route templates, verdicts, outcomes), so that no client can mint a
//! series.

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The methods that get a label of their own; any other is counted as `other`, so a client
/// cannot grow the metrics by sending made-up methods.
const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The label of a request's method: a known method, else `other`.
pub fn method_label(method: &str) -> &'static str {
    KNOWN_METHODS
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("other")
}

/// The verdicts and delivery outcomes that have a counter: closed sets, so that no caller can
/// mint a series.
const VERDICTS: [&str; 3] = ["likely_duplicate", "possible_overlap", "no_overlap"];
const OUTCOMES: [&str; 3] = ["delivered", "retried", "failed"];

/// Counters, histograms and gauges of this process in a Prometheus registry (each replica exposes
/// its own), with the process's own metrics (CPU, memory, file descriptors).
pub struct Metrics {
    registry: prometheus::Registry,
    requests: prometheus::IntCounterVec,
    latency: prometheus::HistogramVec,
    overlap_checks: prometheus::IntCounterVec,
    webhook_deliveries: prometheus::IntCounterVec,
    pool_connections: prometheus::IntGaugeVec,
    pool_waiting: prometheus::IntGauge,
}

impl Metrics {
    /// A registry with every metric of the service registered.
    pub fn new() -> Result<Self, prometheus::Error> {
        use prometheus::{HistogramOpts, IntCounterVec, IntGauge, IntGaugeVec, Opts};
        let registry = prometheus::Registry::new();
        let labels = ["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new(
                "ndp_http_requests_total",
                "HTTP requests by method, route and status.",
            ),
            &labels,
        )?;
        let latency = prometheus::HistogramVec::new(
            HistogramOpts::new(
                "ndp_http_request_duration_seconds",
                "HTTP request latency by method, route and status.",
            )
            .buckets(BUCKETS.to_vec()),
            &labels,
        )?;
        let overlap_checks = IntCounterVec::new(
            Opts::new(
                "ndp_overlap_checks_total",
                "Overlap checks answered, by verdict.",
            ),
            &["verdict"],
        )?;
        let webhook_deliveries = IntCounterVec::new(
            Opts::new(
                "ndp_webhook_deliveries_total",
                "Webhook delivery attempts, by outcome.",
            ),
            &["outcome"],
        )?;
        let pool_connections = IntGaugeVec::new(
            Opts::new(
                "ndp_db_pool_connections",
                "Database connections by state: open, idle, and the pool's maximum.",
            ),
            &["state"],
        )?;
        let pool_waiting = IntGauge::new(
            "ndp_db_pool_waiting",
            "Requests waiting for a database connection.",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(overlap_checks.clone()))?;
        registry.register(Box::new(webhook_deliveries.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_waiting.clone()))?;
        registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        // Every series exists from the start, so a rate over a fresh replica is 0, not absent.
        for verdict in VERDICTS {
            overlap_checks.with_label_values(&[verdict]);
        }
        for outcome in OUTCOMES {
            webhook_deliveries.with_label_values(&[outcome]);
        }
        Ok(Self {
            registry,
            requests,
            latency,
            overlap_checks,
            webhook_deliveries,
            pool_connections,
            pool_waiting,
        })
    }

    /// Adds metrics kept elsewhere (the representation cache's) to this registry.
    pub fn register(
        &self,
        collector: Box<dyn prometheus::core::Collector>,
    ) -> Result<(), prometheus::Error> {
        self.registry.register(collector)
    }

    /// Records a request. `route` must be a route template or `unmatched`, never a raw path.
    pub fn observe(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// Adds one to a named counter: `ndp_overlap_checks_<verdict>_total` or
    /// `ndp_webhook_deliveries_<outcome>_total`. Any other name is ignored (a bug, logged).
    pub fn count(&self, name: &str) {
        let value = |prefix: &str, known: &[&'static str]| {
            name.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix("_total"))
                .and_then(|value| known.iter().find(|k| **k == value).copied())
        };
        if let Some(verdict) = value("ndp_overlap_checks_", &VERDICTS) {
            self.overlap_checks.with_label_values(&[verdict]).inc();
        } else if let Some(outcome) = value("ndp_webhook_deliveries_", &OUTCOMES) {
            self.webhook_deliveries.with_label_values(&[outcome]).inc();
        } else {
            log::error!("no counter is named {}", name.escape_default());
        }
    }

    /// The text exposition of every metric, with the pool's state set first.
    pub fn render(&self, pool: PoolState) -> String {
        let status = pool;
        for (state, value) in [
            ("open", status.size),
            ("idle", status.available),
            ("max", status.max_size),
        ] {
            self.pool_connections
                .with_label_values(&[state])
                .set(i64::try_from(value).unwrap_or(i64::MAX));
        }
        self.pool_waiting
            .set(i64::try_from(status.waiting).unwrap_or(i64::MAX));
        let mut out = String::new();
        if let Err(error) =
            prometheus::TextEncoder::new().encode_utf8(&self.registry.gather(), &mut out)
        {
            log::error!("cannot encode the metrics: {error}");
        }
        out
    }
}

/// The state of the database pool, as the metrics show it.
pub struct PoolState {
    /// Connections open.
    pub size: usize,
    /// Connections idle.
    pub available: usize,
    /// The most connections the pool opens.
    pub max_size: usize,
    /// Requests waiting for a connection.
    pub waiting: usize,
}
