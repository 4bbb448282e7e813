//! What every handler shares: the pool, the keys, the limits and the caches, built once by
//! `startup` from the settings.

use crate::api::rate_limit::{ProxyTrust, RateLimiter};
use crate::auth::JwtKeys;
use crate::db::DbPool;
use crate::error::ApiError;

/// What every handler shares.
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// The keys that verify bearer tokens.
    pub jwt: JwtKeys,
    /// The limit on anonymous requests, per client address.
    pub anonymous_limiter: RateLimiter,
    /// The limit on anonymous overlap checks, per client address.
    pub overlap_limiter: RateLimiter,
    /// The limit on writes, per bearer token (`jti`).
    pub write_limiter: RateLimiter<String>,
    /// How long a request may wait for the database (pool, statement, transaction).
    pub database_timeout: std::time::Duration,
    /// How long a client may take to send a request body.
    pub body_timeout: std::time::Duration,
    /// Whether client addresses come from proxy headers, and how; `None` uses the peer address.
    pub proxies: Option<ProxyTrust>,
    /// How long stored records are kept.
    pub retention: crate::config::Retention,
    /// Whether webhook targets may be private addresses.
    pub webhook_allow_private_targets: bool,
    /// The searchable forms of platforms, by id and version.
    pub documents: crate::registry::search::DocumentCache,
    /// The judgements of recently checked plans, while the registry is unchanged.
    pub judgements: crate::registry::overlap::memo::Judgements,
    /// The most platforms one spreadsheet export may hold.
    pub export_max_rows: usize,
    /// Turns for searches built from the database, two per HTTP worker: a search scores
    /// thousands of rows in memory, and 32 at once (as many as the pool let through) took the
    /// resident memory from 110 to 150 MB at 100,000 platforms; the others wait here, without a
    /// database connection.
    pub searches: tokio::sync::Semaphore,
}

impl AppState {
    /// A turn for a search built from the database. When it ends, the memory the search freed
    /// goes back to the kernel.
    pub async fn search_turn(&self) -> Result<SearchTurn<'_>, ApiError> {
        let permit = self.searches.acquire().await.map_err(ApiError::internal)?;
        Ok(SearchTurn(Some(permit)))
    }
}

/// A search's turn ([`AppState::search_turn`]), held until its answer is built.
pub struct SearchTurn<'a>(Option<tokio::sync::SemaphorePermit<'a>>);

impl Drop for SearchTurn<'_> {
    fn drop(&mut self) {
        self.0.take();
        crate::memory::release_free_memory();
    }
}
