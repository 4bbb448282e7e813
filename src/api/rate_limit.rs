//! Rate limits: token buckets per client address for anonymous requests and, tighter, for
//! anonymous overlap checks, and one per bearer token for writes. Buckets are kept in this process: with several replicas each keeps its own,
//! so the effective limits are per replica (the README's "Scaling out" says so).

use std::collections::HashMap;
use std::future::{Ready, ready};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::error::ApiError;
use crate::startup::AppState;

/// Buckets are forgotten when this many addresses are tracked and they are full again.
const MAX_TRACKED: usize = 100_000;

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// A token bucket per key (a client address, a token id): `per_minute` requests a minute, in
/// bursts of as many.
pub struct RateLimiter<K = IpAddr> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq> RateLimiter<K> {
    /// A limiter allowing `per_minute` requests a minute per key; 0 disables it.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the limit applies at all.
    pub fn is_enabled(&self) -> bool {
        self.per_minute > 0
    }

    /// Takes one token for `client`, or says how long to wait for one.
    pub fn check(&self, client: K) -> Result<(), Duration> {
        if !self.is_enabled() {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let rate = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * rate < capacity
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * rate).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                ((1.0 - bucket.tokens) / rate).ceil().max(1.0),
            ))
        }
    }
}

/// Extracting this takes a token from the caller's bucket unless it presents a valid bearer token.
pub struct RateLimited;

fn client_address(req: &HttpRequest, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy {
        let info = req.connection_info();
        if let Some(ip) = info
            .realip_remote_addr()
            .and_then(|a| a.parse::<IpAddr>().ok())
        {
            return Some(ip);
        }
    }
    req.peer_addr().map(|a| a.ip())
}

/// Whether the request's bearer token verified, remembered so that the limits ask once.
#[derive(Clone, Copy)]
struct TokenVerified(bool);

/// Whether the request carries a bearer token that verifies (signature, expiry, issuer,
/// audience); revocation is checked later, by the writes that need it.
fn has_valid_token(req: &HttpRequest, state: &AppState) -> bool {
    if let Some(TokenVerified(known)) = req.extensions().get::<TokenVerified>().copied() {
        return known;
    }
    let valid = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| state.jwt.verify(token.trim()).is_ok());
    req.extensions_mut().insert(TokenVerified(valid));
    valid
}

/// A 429 for an anonymous caller over `ANONYMOUS_REQUESTS_PER_MINUTE` from its address. Health
/// probes and metrics are exempt: a load balancer asks for them from one address.
pub fn anonymous_over_limit(req: &HttpRequest) -> Option<ApiError> {
    let state = req.app_data::<web::Data<AppState>>()?;
    let path = req.path();
    if !state.anonymous_limiter.is_enabled()
        || matches!(path, "/healthz" | "/readyz" | "/metrics")
        || has_valid_token(req, state)
    {
        return None;
    }
    let client = client_address(req, state.trust_proxy_headers)?;
    state.anonymous_limiter.check(client).err().map(|wait| {
        ApiError::rate_limited(
            wait,
            "Too many requests from this address; scripts that need more can send a bearer token.",
        )
    })
}

impl FromRequest for RateLimited {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(ApiError::internal("AppState is not configured")));
        };
        if has_valid_token(req, state) {
            return ready(Ok(Self));
        }
        let Some(client) = client_address(req, state.trust_proxy_headers) else {
            return ready(Ok(Self));
        };
        ready(state.overlap_limiter.check(client).map(|()| Self).map_err(|wait| {
            ApiError::rate_limited(
                wait,
                "Too many anonymous overlap checks from this address; send a bearer token to lift the limit.",
            )
        }))
    }
}

impl ApiError {
    /// 429 with a `Retry-After` of `wait`, rounded up to whole seconds.
    pub fn rate_limited(wait: Duration, detail: &str) -> Self {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        Self::Client {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "rate_limited",
            detail: format!("{detail} Retry in {seconds} s."),
            errors: Vec::new(),
            headers: vec![(header::RETRY_AFTER, HeaderValue::from(seconds))],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_capacity_then_says_how_long_to_wait() {
        let limiter = RateLimiter::new(3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(ip).is_ok());
        }
        let wait = limiter.check(ip).unwrap_err();
        assert!((1..=20).contains(&wait.as_secs()), "{wait:?}");
        assert!(
            limiter.check("192.0.2.2".parse().unwrap()).is_ok(),
            "buckets are per address"
        );
        assert!(
            RateLimiter::new(0).check(ip).is_ok(),
            "0 disables the limit"
        );
    }
}
