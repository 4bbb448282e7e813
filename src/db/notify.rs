//! The feed listener: one PostgreSQL connection per replica that `LISTEN`s for the feed positions
//! the database announces at every commit (`feed_clock_notify`, see the migration
//! `2026-11-30-000050_feed_notify`), so that the replica knows the current position without asking.
//!
//! What it heard is only trusted while it is provably recent. The listener sends itself a
//! heartbeat `NOTIFY` on its own connection every [`HEARTBEAT_EVERY`]. PostgreSQL keeps every
//! notification in one queue in commit order, and a listening session reads that queue in order,
//! so when heartbeat `n`, sent at time `s`, comes back, every position committed before `s` has
//! already been heard. [`FeedWatch::position`] answers only while the last heartbeat that came
//! back was sent less than [`STALENESS_BOUND`] ago: a connection that died without a word (a
//! network partition, a frozen server) is distrusted within that bound, and one that was closed
//! (`pg_terminate_backend`, a restart) as soon as the close arrives. In between, and until a new
//! connection has proven itself with a heartbeat, callers validate against the database instead.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

/// The channel the feed trigger notifies.
pub const CHANNEL: &str = "ndp_feed";
/// How often the listener proves its connection alive.
pub const HEARTBEAT_EVERY: Duration = Duration::from_millis(100);
/// The longest a replica relies on what it heard: a change committed more than this long ago is
/// known, or the replica asks the database.
pub const STALENESS_BOUND: Duration = Duration::from_millis(500);
/// The longest wait before reconnecting after a failure.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Upper bounds of the notification lag histogram, in seconds.
const LAG_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// What the listener knows: the highest feed position heard, and how recently that knowledge was
/// proven complete. Shared by the listener task and every request.
pub struct FeedWatch {
    epoch: Instant,
    known: AtomicI64,
    /// When the last heartbeat that came back was sent, in microseconds after `epoch`, plus one;
    /// 0 while nothing vouches for `known` (never connected, or the connection is down).
    vouched: AtomicU64,
    lag: prometheus::Histogram,
    up: prometheus::IntGauge,
    reconnects: prometheus::IntCounter,
}

impl FeedWatch {
    /// A watch that knows nothing yet (every caller validates against the database).
    pub fn new() -> Result<Self, prometheus::Error> {
        Ok(Self {
            epoch: Instant::now(),
            known: AtomicI64::new(0),
            vouched: AtomicU64::new(0),
            lag: prometheus::Histogram::with_opts(
                prometheus::HistogramOpts::new(
                    "ndp_feed_notification_lag_seconds",
                    "From a change being numbered in PostgreSQL to this replica hearing of it \
                     (the database's clock against this replica's).",
                )
                .buckets(LAG_BUCKETS.to_vec()),
            )?,
            up: prometheus::IntGauge::new(
                "ndp_feed_listener_up",
                "1 while the feed listener's connection is proven alive by a recent heartbeat.",
            )?,
            reconnects: prometheus::IntCounter::new(
                "ndp_feed_listener_connects_total",
                "Connections the feed listener opened (the first one included).",
            )?,
        })
    }

    /// The metrics of the listener, to register.
    pub fn collectors(&self) -> Vec<Box<dyn prometheus::core::Collector>> {
        vec![
            Box::new(self.lag.clone()),
            Box::new(self.up.clone()),
            Box::new(self.reconnects.clone()),
        ]
    }

    /// The current feed position, as heard within [`STALENESS_BOUND`]; `None` when the listener
    /// cannot vouch for it and the database must be asked.
    pub fn position(&self) -> Option<i64> {
        self.position_at(Instant::now())
    }

    fn position_at(&self, now: Instant) -> Option<i64> {
        // `vouched` is read first: the listener raises `known` before it vouches for it.
        let vouched = self.vouched.load(Ordering::Acquire);
        let sent = self.epoch + Duration::from_micros(vouched.checked_sub(1)?);
        (now.saturating_duration_since(sent) <= STALENESS_BOUND)
            .then(|| self.known.load(Ordering::Acquire))
    }

    /// Records a position heard (or read): positions only grow.
    pub fn heard(&self, position: i64) {
        self.known.fetch_max(position, Ordering::AcqRel);
    }

    /// Everything committed before `sent` has been heard.
    pub(crate) fn vouch(&self, sent: Instant) {
        let micros = u64::try_from(sent.saturating_duration_since(self.epoch).as_micros())
            .unwrap_or(u64::MAX - 1);
        self.vouched.fetch_max(micros + 1, Ordering::AcqRel);
        self.up.set(1);
    }

    /// The connection is gone: nothing vouches for `known` any more.
    fn down(&self) {
        self.vouched.store(0, Ordering::Release);
        self.up.set(0);
    }
}

/// Runs the listener for the life of the process: connects (as `application_name`, so that an
/// operator can find it in `pg_stat_activity`), listens, proves the connection with heartbeats,
/// and reconnects with a growing pause after any failure.
pub fn spawn_listener(
    watch: Arc<FeedWatch>,
    database_url: &str,
    application_name: String,
    timeout: Duration,
) {
    let config = match database_url.parse::<tokio_postgres::Config>() {
        Ok(mut config) => {
            config.application_name(&application_name);
            config.connect_timeout(timeout);
            config
        }
        Err(error) => {
            // The pool parsed the same URL, so this does not happen; without a listener every
            // read is validated against the database, which is correct, only slower.
            log::error!("the feed listener cannot parse DATABASE_URL: {error}");
            return;
        }
    };
    tokio::spawn(async move {
        let mut pause = Duration::from_millis(100);
        loop {
            watch.reconnects.inc();
            let started = Instant::now();
            let error = session(&watch, &config, timeout).await;
            watch.down();
            if started.elapsed() > MAX_BACKOFF * 5 {
                pause = Duration::from_millis(100);
            }
            log::warn!(
                "feed listener: {error}; reads are validated against the database until it reconnects (in {} ms)",
                pause.as_millis()
            );
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_BACKOFF);
        }
    });
}

/// What the connection's driver and the heartbeat report to the session.
enum Event {
    Notification { channel: String, payload: String },
    Failed(String),
}

/// Aborts a task when dropped, so that a session's helpers end with it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One connection's life; returns why it ended.
async fn session(watch: &FeedWatch, config: &tokio_postgres::Config, timeout: Duration) -> String {
    let (client, mut connection) = match tokio::time::timeout(timeout, config.connect(NoTls)).await
    {
        Ok(Ok(pair)) => pair,
        Ok(Err(error)) => return format!("cannot connect: {error}"),
        Err(_) => return "cannot connect: timed out".to_owned(),
    };
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let driver_tx = events_tx.clone();
    let _driver = AbortOnDrop(tokio::spawn(async move {
        loop {
            let message = std::future::poll_fn(|cx| connection.poll_message(cx)).await;
            let event = match message {
                Some(Ok(AsyncMessage::Notification(n))) => Event::Notification {
                    channel: n.channel().to_owned(),
                    payload: n.payload().to_owned(),
                },
                Some(Ok(_)) => continue,
                Some(Err(error)) => Event::Failed(format!("connection lost: {error}")),
                None => Event::Failed("connection closed".to_owned()),
            };
            let failed = matches!(event, Event::Failed(_));
            if driver_tx.send(event).is_err() || failed {
                return;
            }
        }
    }));
    let heartbeat_channel = format!("ndp_feed_heartbeat_{}", uuid::Uuid::new_v4().simple());
    let setup = async {
        // A heartbeat is a transaction: it need not wait for the disk (its order in the queue,
        // which is all it proves, does not depend on it).
        client
            .batch_execute(&format!(
                "SET synchronous_commit = off; LISTEN {CHANNEL}; LISTEN {heartbeat_channel}"
            ))
            .await?;
        // Read after LISTEN: a change committed since is both in this answer and announced.
        client
            .query_one("SELECT seq FROM feed_clock WHERE id = 1", &[])
            .await
            .map(|row| row.get::<_, i64>(0))
    };
    match tokio::time::timeout(timeout, setup).await {
        Ok(Ok(position)) => watch.heard(position),
        Ok(Err(error)) => return format!("cannot listen: {error}"),
        Err(_) => return "cannot listen: timed out".to_owned(),
    }
    let client = Arc::new(client);
    let sent: Arc<Mutex<VecDeque<(u64, Instant)>>> = Arc::default();
    let _heartbeat = AbortOnDrop(tokio::spawn(heartbeat(
        client.clone(),
        heartbeat_channel.clone(),
        sent.clone(),
        events_tx,
        timeout,
    )));
    loop {
        match events.recv().await {
            Some(Event::Notification { channel, payload }) if channel == CHANNEL => {
                let mut parts = payload.split(' ');
                let Some(position) = parts.next().and_then(|p| p.parse::<i64>().ok()) else {
                    continue;
                };
                watch.heard(position);
                if let Some(micros) = parts.next().and_then(|t| t.parse::<i64>().ok()) {
                    let now = chrono::Utc::now().timestamp_micros();
                    watch.lag.observe((now - micros).max(0) as f64 / 1e6);
                }
            }
            Some(Event::Notification { channel, payload }) if channel == heartbeat_channel => {
                let Ok(number) = payload.parse::<u64>() else {
                    continue;
                };
                let mut sent = sent.lock().unwrap_or_else(PoisonError::into_inner);
                while let Some(&(n, at)) = sent.front() {
                    if n > number {
                        break;
                    }
                    sent.pop_front();
                    if n == number {
                        watch.vouch(at);
                    }
                }
            }
            Some(Event::Notification { .. }) => {}
            Some(Event::Failed(reason)) => return reason,
            None => return "the listener's tasks ended".to_owned(),
        }
    }
}

/// Sends heartbeat `NOTIFY`s on the listening connection, recording when each was sent.
async fn heartbeat(
    client: Arc<tokio_postgres::Client>,
    channel: String,
    sent: Arc<Mutex<VecDeque<(u64, Instant)>>>,
    events: mpsc::UnboundedSender<Event>,
    timeout: Duration,
) {
    let mut ticks = tokio::time::interval(HEARTBEAT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for number in 1u64.. {
        ticks.tick().await;
        {
            let mut sent = sent.lock().unwrap_or_else(PoisonError::into_inner);
            // Heartbeats that never came back are forgotten after a while.
            while sent.len() > 64 {
                sent.pop_front();
            }
            sent.push_back((number, Instant::now()));
        }
        let statement = format!("NOTIFY {channel}, '{number}'");
        let notify = client
            .batch_execute(&statement)
            .map(|r| r.map_err(|e| e.to_string()));
        let failure = match tokio::time::timeout(timeout, notify).await {
            Ok(Ok(())) => continue,
            Ok(Err(error)) => format!("heartbeat failed: {error}"),
            Err(_) => format!("no heartbeat answer within {} ms", timeout.as_millis()),
        };
        let _ = events.send(Event::Failed(failure));
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_trusted_before_a_heartbeat_nor_past_the_bound() {
        let watch = FeedWatch::new().unwrap();
        watch.heard(7);
        assert_eq!(watch.position(), None, "heard but not vouched for");
        let sent = Instant::now();
        watch.vouch(sent);
        assert_eq!(watch.position_at(sent), Some(7));
        // (Times are kept in whole microseconds, rounded towards distrust.)
        let almost = STALENESS_BOUND - Duration::from_millis(1);
        assert_eq!(watch.position_at(sent + almost), Some(7));
        assert_eq!(
            watch.position_at(sent + STALENESS_BOUND + Duration::from_millis(1)),
            None,
            "a heartbeat older than the bound vouches for nothing"
        );
        watch.heard(5);
        assert_eq!(watch.position_at(sent), Some(7), "positions only grow");
        watch.down();
        assert_eq!(
            watch.position_at(sent),
            None,
            "a lost connection vouches for nothing"
        );
    }
}
