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

use std::net::IpAddr;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::api::observe::Metrics;
use crate::db::DbPool;
use crate::db::webhooks::{self, Claimed, Outcome};

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

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// Checks a target URL: http or https, a host, and (unless private targets are allowed) no
/// address of the host in a private, loopback or link-local range. Checked at registration and
/// again before each delivery, since a name can change what it resolves to.
pub async fn check_target(raw: &str, allow_private: bool) -> Result<url::Url, String> {
    let url = url::Url::parse(raw)
        .map_err(|_| "must be an absolute http:// or https:// URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must use http or https".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; use the secret".into());
    }
    let host = url
        .host_str()
        .ok_or("must name a host")?
        .trim_matches(['[', ']'])
        .to_owned();
    if allow_private {
        return Ok(url);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| format!("{host} does not resolve"))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() || addresses.iter().any(|ip| is_private(*ip)) {
        return Err(format!(
            "{host} resolves to a private, loopback or link-local address"
        ));
    }
    Ok(url)
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
    let (status, error) = match check_target(&claimed.url, allow_private).await {
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
    metrics: actix_web::web::Data<Metrics>,
) {
    let client = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
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
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        assert!(!is_private("203.0.113.10".parse().unwrap()));
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
