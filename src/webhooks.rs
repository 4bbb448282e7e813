//! Webhook delivery: signing, target checks and the outbox worker.
//!
//! Each delivery is a JSON POST signed with HMAC-SHA256: the header
//! `X-NDP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. Receivers check
//! the MAC and reject stale timestamps, which is the replay protection. The same delivery is also
//! signed as the Standard Webhooks specification defines, so its verifier libraries accept it:
//! `webhook-id` (the delivery id, the same on every retry), `webhook-timestamp` (unix seconds) and
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, keyed with the
//! subscription's secret (a library takes it as `whsec_` followed by the secret in base64). Deliveries come from the
//! outbox table, written in the transaction of the change, so a restart loses none; they are
//! claimed with a lease (`FOR UPDATE SKIP LOCKED`), so replicas never send one twice at once, and
//! retried with exponential backoff and jitter.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::db::DbPool;
use crate::db::webhooks::{self, Claimed, Outcome};
use crate::metrics::Metrics;

/// Attempts before a delivery is given up as failed.
pub const MAX_ATTEMPTS: i32 = 12;
/// How long a claimed delivery is reserved for its sender.
const LEASE_SECONDS: i64 = 60;
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The signature header value for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts a key of any length, so this cannot fail.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

/// The Standard Webhooks `webhook-signature` value for `body` of message `id` sent at `timestamp`.
pub fn standard_signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    use base64::Engine as _;
    // HMAC accepts a key of any length, so this cannot fail.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("v1,{signature}")
}

/// Whether `ip` is an address a webhook must never reach: private, loopback, link-local, shared
/// (CGNAT), "this network", reserved, benchmarking, IETF protocol assignments, broadcast,
/// multicast, unique-local, and any IPv6 form that embeds such an IPv4 address (mapped,
/// compatible, NAT64, 6to4) or tunnels to an unknown one (Teredo).
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0 // 0.0.0.0/8, "this network"
                || a >= 240 // 240.0.0.0/4, reserved
                || a == 100 && (64..128).contains(&b) // 100.64.0.0/10, shared address space
                || a == 198 && (18..20).contains(&b) // 198.18.0.0/15, benchmarking
                || a == 192 && b == 0 && v4.octets()[2] == 0 // 192.0.0.0/24, IETF assignments
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let embedded = |high: u16, low: u16| {
                Ipv4Addr::new((high >> 8) as u8, high as u8, (low >> 8) as u8, low as u8)
            };
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
                || (s[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
                || (s[0] & 0xffc0) == 0xfec0 // fec0::/10, deprecated site-local
                || s[..4] == [0x100, 0, 0, 0] // 100::/64, discard
                || s[..2] == [0x2001, 0] // 2001::/32, Teredo
                || v6.to_ipv4().is_some_and(|v4| is_private(IpAddr::V4(v4)))
                // 64:ff9b::/96 and 64:ff9b:1::/48, NAT64
                || (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || s[..3] == [0x64, 0xff9b, 1])
                    && is_private(IpAddr::V4(embedded(s[6], s[7])))
                // 2002::/16, 6to4
                || s[0] == 0x2002 && is_private(IpAddr::V4(embedded(s[1], s[2])))
        }
    }
}

/// How long the lookup of a target's name may take at registration.
const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// Checks the form of a target URL: http or https, no credentials, a host, and (unless private
/// targets are allowed) no literal address in a private range. Names are checked where they are
/// resolved: at registration by [`check_target`], at delivery by [`PublicResolver`].
pub fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, String> {
    let url = url::Url::parse(raw)
        .map_err(|_| "must be an absolute http:// or https:// URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must use http or https".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; use the secret".into());
    }
    let literal = match url.host().ok_or("must name a host")? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    };
    if !allow_private && literal.is_some_and(is_private) {
        return Err(format!(
            "{} is a private, loopback, link-local or reserved address",
            url.host_str().unwrap_or_default()
        ));
    }
    Ok(url)
}

/// Resolves `host` once and refuses it unless every address it has is public.
async fn public_addresses(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let addresses: Vec<SocketAddr> =
        tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| format!("{host} did not resolve within {} s", DNS_TIMEOUT.as_secs()))?
            .map_err(|_| format!("{host} does not resolve"))?
            .collect();
    if addresses.is_empty() || addresses.iter().any(|a| is_private(a.ip())) {
        return Err(format!(
            "{host} resolves to a private, loopback, link-local or reserved address"
        ));
    }
    Ok(addresses)
}

/// Checks a target URL at registration: [`check_url`], then (unless private targets are allowed)
/// every address its name resolves to, within a timeout of its own.
pub async fn check_target(raw: &str, allow_private: bool) -> Result<url::Url, String> {
    let url = check_url(raw, allow_private)?;
    if let (false, Some(url::Host::Domain(host))) = (allow_private, url.host()) {
        public_addresses(host, url.port_or_known_default().unwrap_or(443)).await?;
    }
    Ok(url)
}

/// The delivery client's resolver: each attempt resolves the name once, refuses it unless every
/// address is public, and the connection goes to those checked addresses. A name that answers a
/// public address to a check and a private one to the connection (DNS rebinding) cannot reach the
/// private one, because there is no second lookup.
pub struct PublicResolver;

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // The port is the URL's: the connector sets it on the addresses returned.
            let addresses = public_addresses(&host, 0)
                .await
                .map_err(|reason| -> Box<dyn std::error::Error + Send + Sync> { reason.into() })?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The client deliveries are sent with: no redirects, no proxy from the environment (a proxy
/// would resolve the name itself), and unless private targets are allowed, [`PublicResolver`].
pub fn delivery_client(allow_private: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if allow_private {
        builder.build()
    } else {
        builder
            .dns_resolver(std::sync::Arc::new(PublicResolver))
            .build()
    }
}

/// The body of a delivery: the change as the feed shows it.
pub fn payload(claimed: &Claimed) -> Vec<u8> {
    let body = json!({
        "delivery_id": claimed.id,
        "event": claimed.action,
        "entity": claimed.entity,
        "key": claimed.entity_key,
        "cursor": claimed.seq.to_string(),
        "at": claimed.at,
        "version": claimed.version,
        "state": claimed.state,
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// When to try again after `attempts` attempts: 2^attempts seconds, at most an hour, plus up to
/// a quarter more at random so that receivers coming back are not hit all at once.
pub fn backoff(attempts: i32) -> TimeDelta {
    let base = 2f64.powi(attempts.clamp(0, 12)).min(3600.0);
    let jitter = f64::from(uuid::Uuid::new_v4().as_bytes()[0]) / 255.0 * 0.25;
    TimeDelta::milliseconds((base * (1.0 + jitter) * 1000.0) as i64)
}

/// Sends one claimed delivery and records the outcome.
async fn send(
    pool: &DbPool,
    client: &reqwest::Client,
    claimed: Claimed,
    allow_private: bool,
    metrics: &Metrics,
) {
    let body = payload(&claimed);
    // Literal addresses are checked here; names by the client's resolver, as it connects.
    let (status, error) = match check_url(&claimed.url, allow_private) {
        Err(reason) => (None, Some(format!("target refused: {reason}"))),
        Ok(url) => {
            let timestamp = Utc::now().timestamp();
            let id = claimed.id.to_string();
            let result = client
                .post(url)
                .header("content-type", "application/json")
                .header("user-agent", "ndp-registry-webhooks")
                .header("x-ndp-event", claimed.action.as_str())
                .header("x-ndp-delivery", id.as_str())
                .header(
                    "x-ndp-signature",
                    signature(&claimed.secret, timestamp, &body),
                )
                .header("webhook-id", id.as_str())
                .header("webhook-timestamp", timestamp.to_string())
                .header(
                    "webhook-signature",
                    standard_signature(&claimed.secret, &id, timestamp, &body),
                )
                .body(body)
                .send()
                .await;
            match result {
                Ok(response) if response.status().is_success() => {
                    (Some(i32::from(response.status().as_u16())), None)
                }
                Ok(response) => (
                    Some(i32::from(response.status().as_u16())),
                    Some(format!("answered {}", response.status())),
                ),
                Err(e) => (
                    None,
                    Some(if e.is_timeout() {
                        "timed out".to_owned()
                    } else if let Some(reason) = refused_by_resolver(&e) {
                        format!("target refused: {reason}")
                    } else {
                        "could not connect".to_owned()
                    }),
                ),
            }
        }
    };
    let outcome = match (&error, claimed.attempts) {
        (None, _) => Outcome::Delivered,
        (Some(_), attempts) if attempts >= MAX_ATTEMPTS => Outcome::Failed,
        (Some(_), attempts) => Outcome::Retry(Utc::now() + backoff(attempts)),
    };
    metrics.count(match outcome {
        Outcome::Delivered => "ndp_webhook_deliveries_delivered_total",
        Outcome::Retry(_) => "ndp_webhook_deliveries_retried_total",
        Outcome::Failed => "ndp_webhook_deliveries_failed_total",
    });
    match pool.get().await {
        Ok(mut conn) => {
            if let Err(e) =
                webhooks::finish(&mut conn, claimed.id, status, error.as_deref(), outcome).await
            {
                log::warn!(
                    "webhook delivery {}: cannot record the outcome: {e}",
                    claimed.id
                );
            }
        }
        Err(e) => log::warn!(
            "webhook delivery {}: cannot record the outcome: {e}",
            claimed.id
        ),
    }
}

/// The resolver's reason, when it refused the target's addresses.
fn refused_by_resolver(error: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if text.contains("resolves to a private") || text.contains("does not resolve") {
            return Some(text);
        }
        source = cause.source();
    }
    None
}

/// Claims and sends the due deliveries once; returns how many were attempted.
pub async fn deliver_due(
    pool: &DbPool,
    client: &reqwest::Client,
    allow_private: bool,
    metrics: &Metrics,
) -> usize {
    let claimed = match pool.get().await {
        Ok(mut conn) => match webhooks::claim(&mut conn, 20, LEASE_SECONDS).await {
            Ok(claimed) => claimed,
            Err(e) => {
                log::warn!("webhook worker: cannot claim deliveries: {e}");
                return 0;
            }
        },
        Err(_) => return 0,
    };
    let count = claimed.len();
    let sends = claimed
        .into_iter()
        .map(|c| send(pool, client, c, allow_private, metrics));
    futures_util::future::join_all(sends).await;
    count
}

/// Runs the worker until the process ends: every `interval`, or at once after a full batch.
pub fn spawn_worker(
    pool: DbPool,
    allow_private: bool,
    interval: Duration,
    metrics: std::sync::Arc<Metrics>,
) {
    let client = match delivery_client(allow_private) {
        Ok(client) => client,
        Err(e) => {
            log::error!("webhook worker not started: {e}");
            return;
        }
    };
    tokio::spawn(async move {
        loop {
            if deliver_due(&pool, &client, allow_private, &metrics).await == 0 {
                tokio::time::sleep(interval).await;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_signature_is_the_base64_hmac_of_id_timestamp_and_body() {
        // Computed independently: Python's hmac over b"42.1700000000.{}", base64-encoded.
        let sig = standard_signature("secret-of-sixteen-chars", "42", 1_700_000_000, b"{}");
        assert_eq!(sig, "v1,mCVZjDzpBsEOm658qOnOblH8huYh49vAL9xVp7nQR7Y=");
        assert_ne!(
            sig,
            standard_signature("secret-of-sixteen-chars", "43", 1_700_000_000, b"{}")
        );
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Computed independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac 'secret-of-sixteen-chars'
        let sig = signature("secret-of-sixteen-chars", 1_700_000_000, b"{}");
        assert_eq!(
            sig,
            "t=1700000000,v1=251231fb864cc76c35cc03f916e9b4f1748384209dce34640bea8204917d84d2"
        );
        assert_ne!(sig, signature("another-secret-of-16", 1_700_000_000, b"{}"));
    }

    #[test]
    fn private_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.169.254",
            "::1",
            "fe80::1",
            "fd00::1",
            "100.64.0.1",
            "0.1.2.3",
            "240.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "198.19.255.254",
            "192.0.0.8",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::c0a8:101",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2001:0:4136:e378::1",
            "fec0::1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for public in [
            "203.0.113.10",
            "8.8.8.8",
            "198.20.0.1",
            "192.0.2.1",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:db8::1",
            "2600::1",
        ] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn the_delivery_client_refuses_names_that_resolve_to_private_addresses() {
        // A receiver on loopback, reached by name: the check happens as the client connects, on
        // the addresses it connects to, so no second lookup can swap a public answer for this one.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = delivery_client(false).unwrap();
        let error = client
            .post(format!("http://localhost:{port}/hook"))
            .send()
            .await
            .unwrap_err();
        assert!(
            refused_by_resolver(&error).is_some_and(|r| r.contains("private")),
            "{error:?}"
        );
        let allowed = delivery_client(true).unwrap();
        let accept = tokio::spawn(async move { listener.accept().await.is_ok() });
        let _ = allowed
            .post(format!("http://localhost:{port}/hook"))
            .timeout(Duration::from_millis(200))
            .send()
            .await;
        assert!(
            accept.await.unwrap(),
            "with private targets allowed it connects"
        );
    }

    #[tokio::test]
    async fn targets_must_be_public_http_urls_unless_allowed() {
        assert!(check_target("ftp://example.org/x", false).await.is_err());
        assert!(
            check_target("http://127.0.0.1:9/hook", false)
                .await
                .is_err()
        );
        assert!(check_target("http://[::1]/hook", false).await.is_err());
        assert!(check_target("http://localhost/hook", false).await.is_err());
        assert!(
            check_target("http://[64:ff9b::7f00:1]/hook", false)
                .await
                .is_err()
        );
        assert!(
            check_target("http://0.0.0.0:8080/hook", false)
                .await
                .is_err()
        );
        assert!(
            check_target("http://user:pw@203.0.113.10/hook", false)
                .await
                .is_err()
        );
        assert!(
            check_target("https://203.0.113.10/hook", false)
                .await
                .is_ok()
        );
        assert!(check_target("http://127.0.0.1:9/hook", true).await.is_ok());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) < backoff(5));
        assert!(backoff(30) <= TimeDelta::seconds(4500));
    }
}
