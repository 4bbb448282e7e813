//! Rate limits: GCRA buckets (the `governor` crate, state sharded over a concurrent map) per client
//! address for anonymous requests and, tighter, for anonymous overlap checks, and one per bearer
//! token for writes. Buckets are kept in this process: with several replicas each keeps its own,
//! so the effective limits are per replica (the README's "Scaling out" says so).
//!
//! Only a token that would be accepted for a write lifts the address limits: one that verifies,
//! is not revoked and belongs to an active ministry. The client address is the peer's, unless
//! proxies are trusted; then it is the hop the outermost trusted proxy added, counted from the
//! right, so a client cannot choose it. IPv6 clients are keyed by their /64, which one subscriber
//! usually holds whole.

use std::future::Future;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::api::state::AppState;
use crate::config::ProxyHeader;
use crate::error::ApiError;

/// Buckets that are full again are forgotten once this many keys are tracked.
const MAX_TRACKED: usize = 100_000;

/// A bucket per key (a client address, a token id): `per_minute` requests a minute, in bursts of
/// as many; `per_minute` 0 disables the limit.
pub struct RateLimiter<K: Hash + Eq + Clone = IpAddr> {
    limiter: Option<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// A limiter allowing `per_minute` requests a minute per key; 0 disables it.
    pub fn new(per_minute: u32) -> Self {
        Self {
            limiter: NonZeroU32::new(per_minute)
                .map(|n| DefaultKeyedRateLimiter::dashmap(Quota::per_minute(n))),
        }
    }

    /// Whether the limit applies at all.
    pub fn is_enabled(&self) -> bool {
        self.limiter.is_some()
    }

    /// Takes one request from `key`'s bucket, or says how long to wait for one.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if limiter.len() >= MAX_TRACKED {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }
}

/// Whether, and how, proxy headers are trusted for the client address.
#[derive(Clone, Copy, Debug)]
pub struct ProxyTrust {
    /// How many proxies append to the header: the client is this many entries from the right.
    pub hops: usize,
    /// The header they append to.
    pub header: ProxyHeader,
}

/// The address a request came from: the peer's, or with trusted proxies the hop the outermost
/// of them added. A header with fewer hops than configured, or a hop that is not an address,
/// counts as no header: the peer (the proxy) is used.
pub fn client_address(req: &HttpRequest, proxies: Option<ProxyTrust>) -> Option<IpAddr> {
    proxies
        .and_then(|trust| forwarded_client(req, trust))
        .or_else(|| req.peer_addr().map(|a| a.ip()))
}

fn forwarded_client(req: &HttpRequest, trust: ProxyTrust) -> Option<IpAddr> {
    let name = match trust.header {
        ProxyHeader::XForwardedFor => "x-forwarded-for",
        ProxyHeader::Forwarded => "forwarded",
    };
    // Several header lines form one list, in order (RFC 9110 5.3).
    let mut hops: Vec<String> = Vec::new();
    for value in req.headers().get_all(name) {
        let text = value.to_str().ok()?;
        for element in text.split(',') {
            let hop = match trust.header {
                ProxyHeader::XForwardedFor => element.trim().to_owned(),
                ProxyHeader::Forwarded => element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                    .map(|(_, value)| value.trim().trim_matches('"').to_owned())
                    .unwrap_or_default(),
            };
            hops.push(hop);
        }
    }
    let hop = hops.len().checked_sub(trust.hops).map(|i| &hops[i])?;
    parse_hop(hop)
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
}

/// The bucket an address draws from: an IPv4 address (IPv4-mapped IPv6 included) alone, an IPv6
/// address with the others of its /64.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Whether the request's bearer token would be accepted for a write, remembered so that the
/// limits ask once per request.
#[derive(Clone, Copy)]
struct TokenAccepted(bool);

/// Whether the request carries a bearer token that verifies (signature, claims, the issuer's
/// scopes, lifetime), is not revoked and belongs to an active ministry.
async fn has_accepted_token(req: &HttpRequest, state: &AppState) -> bool {
    if let Some(TokenAccepted(known)) = req.extensions().get::<TokenAccepted>().copied() {
        return known;
    }
    let accepted = match crate::api::extract::bearer_token(req) {
        Ok(token) => crate::api::extract::accepted_claims(state, &token)
            .await
            .is_ok(),
        Err(_) => false,
    };
    req.extensions_mut().insert(TokenAccepted(accepted));
    accepted
}

/// A 429 for an anonymous caller over `ANONYMOUS_REQUESTS_PER_MINUTE` from its address. Health
/// probes and metrics are exempt: a load balancer asks for them from one address.
pub async fn anonymous_over_limit(req: &HttpRequest) -> Option<ApiError> {
    let state = req.app_data::<web::Data<AppState>>()?;
    let path = req.path();
    if !state.anonymous_limiter.is_enabled()
        || matches!(path, "/healthz" | "/readyz" | "/metrics")
        || has_accepted_token(req, state).await
    {
        return None;
    }
    let client = client_address(req, state.proxies)?;
    state
        .anonymous_limiter
        .check(limit_key(client))
        .err()
        .map(|wait| {
            ApiError::rate_limited(
                wait,
                "Too many requests from this address; scripts that need more can send a bearer token.",
            )
        })
}

/// Extracting this takes a request from the caller's overlap-check bucket unless it presents a
/// token that would be accepted for a write.
pub struct RateLimited;

impl FromRequest for RateLimited {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal("AppState is not configured"))?;
            if !state.overlap_limiter.is_enabled() || has_accepted_token(&req, state).await {
                return Ok(Self);
            }
            let Some(client) = client_address(&req, state.proxies) else {
                return Ok(Self);
            };
            state.overlap_limiter.check(limit_key(client)).map(|()| Self).map_err(|wait| {
                ApiError::rate_limited(
                    wait,
                    "Too many anonymous overlap checks from this address; send a bearer token to lift the limit.",
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

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

    #[test]
    fn ipv6_addresses_share_a_bucket_per_64() {
        let a = limit_key("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = limit_key("2001:db8:1:2:bbbb::2".parse().unwrap());
        let c = limit_key("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            limit_key("::ffff:192.0.2.7".parse().unwrap()),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
    }

    fn peer() -> SocketAddr {
        "192.0.2.200:4711".parse().unwrap()
    }

    #[test]
    fn forwarded_headers_count_only_when_trusted_and_from_the_right() {
        let one = Some(ProxyTrust {
            hops: 1,
            header: ProxyHeader::XForwardedFor,
        });
        let req = TestRequest::default()
            .peer_addr(peer())
            .insert_header(("x-forwarded-for", "6.6.6.6, 203.0.113.9"))
            .to_http_request();
        assert_eq!(client_address(&req, None), Some(peer().ip()), "not trusted");
        assert_eq!(
            client_address(&req, one),
            Some("203.0.113.9".parse().unwrap())
        );
        let two = Some(ProxyTrust {
            hops: 2,
            header: ProxyHeader::XForwardedFor,
        });
        assert_eq!(client_address(&req, two), Some("6.6.6.6".parse().unwrap()));
        let three = Some(ProxyTrust {
            hops: 3,
            header: ProxyHeader::XForwardedFor,
        });
        assert_eq!(
            client_address(&req, three),
            Some(peer().ip()),
            "too few hops"
        );
        let forwarded = TestRequest::default()
            .peer_addr(peer())
            .insert_header(("x-forwarded-for", "6.6.6.6"))
            .insert_header((
                "forwarded",
                "for=6.6.6.7;proto=https, for=\"[2001:db8::5]:443\"",
            ))
            .to_http_request();
        let rfc = Some(ProxyTrust {
            hops: 1,
            header: ProxyHeader::Forwarded,
        });
        assert_eq!(
            client_address(&forwarded, rfc),
            Some("2001:db8::5".parse().unwrap())
        );
    }
}
