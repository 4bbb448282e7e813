//! What an attacker could still do, closed: unbounded metric labels, limits lifted by tokens that
//! no longer write, forged client addresses, shared idempotency keys, writes racing a succession,
//! public token ids, scopes an external issuer may not grant, over-long token lifetimes.

use std::time::Duration;

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    TEST_JWT_SECRET, TestApp, assert_problem, fixture, spawn_app, spawn_app_with, test_settings,
};

const PLATFORM: &str = "/api/v1/platforms/tabmis";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(ministry: Option<&str>, scope: &str) -> Value {
    let mut claims = json!({
        "sub": "crafted", "scope": scope, "jti": uuid::Uuid::new_v4().to_string(),
        "iat": now(), "exp": now() + 600, "iss": "ndp-registry", "aud": "ndp-registry-api",
    });
    if let Some(m) = ministry {
        claims["ministry"] = json!(m);
    }
    claims
}

fn hs256(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

fn eddsa(claims: &Value) -> String {
    let pem = std::fs::read(fixture("test-ed25519-private.pem")).unwrap();
    encode(
        &Header::new(Algorithm::EdDSA),
        claims,
        &EncodingKey::from_ed_pem(&pem).unwrap(),
    )
    .unwrap()
}

/// A token issued by the CLI's code path with a chosen subject.
async fn token_with_subject(app: &TestApp, ministry: Option<&str>, subject: &str) -> String {
    let keys = ndp_registry::auth::JwtKeys::from_settings(&test_settings(&app.db.url)).unwrap();
    let request = ndp_registry::tokens::IssueRequest {
        ministry: ministry.map(Into::into),
        scope: ministry.map(|_| "platforms:write contacts:write".into()),
        admin: ministry.is_none(),
        ttl: "1h".into(),
        label: None,
        subject: Some(subject.into()),
        province: None,
    };
    ndp_registry::tokens::issue(&mut app.conn().await, &keys, request)
        .await
        .unwrap()
}

/// POSTs a new platform with `token` and an `Idempotency-Key`.
pub async fn post_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/platforms", app.address))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

/// Revokes the token issued last.
async fn revoke_latest(app: &TestApp) {
    let record = ndp_registry::db::tokens::list(&mut app.conn().await)
        .await
        .unwrap();
    ndp_registry::tokens::revoke(&mut app.conn().await, &record[0].jti)
        .await
        .unwrap();
}

fn new_platform(code: &str) -> Value {
    json!({"code": code, "name_vi": "Hệ thống thử nghiệm", "name_en": "Test system", "domains": ["tax"], "status": "piloting"})
}

// --- metrics -------------------------------------------------------------------------------

#[tokio::test]
async fn metric_labels_come_from_closed_sets_whatever_the_client_sends() {
    let app = spawn_app().await;
    for i in 0..5 {
        let method = Method::from_bytes(format!("PROBE{i}X").as_bytes()).unwrap();
        app.client
            .request(method, format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap();
        app.get(&format!("/no/such/path/{i}")).await;
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        !text.contains("PROBE"),
        "client methods became labels: {text}"
    );
    assert!(!text.contains("/no/such"), "client paths became labels");
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    for line in text
        .lines()
        .filter(|l| l.starts_with("ndp_http_requests_total"))
    {
        let method = line
            .split("method=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        assert!(
            [
                "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"
            ]
            .contains(&method),
            "{line}"
        );
    }
}

#[tokio::test]
async fn every_metric_has_help_and_type_and_process_metrics_are_exposed() {
    let app = spawn_app().await;
    app.get(PLATFORM).await;
    app.send(
        Method::POST,
        "/api/v1/overlap-checks",
        None,
        Some(&json!({"title": "Hệ thống hóa đơn điện tử"})),
    )
    .await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let mut helped = std::collections::HashSet::new();
    let mut typed = std::collections::HashMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            helped.insert(rest.split(' ').next().unwrap().to_owned());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut words = rest.split(' ');
            typed.insert(
                words.next().unwrap().to_owned(),
                words.next().unwrap().to_owned(),
            );
        }
    }
    let mut samples = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        samples += 1;
        let name = line.split(['{', ' ']).next().unwrap();
        let family = typed
            .keys()
            .find(|family| {
                name == family.as_str()
                    || ["_bucket", "_sum", "_count"]
                        .iter()
                        .any(|suffix| name == format!("{family}{suffix}"))
            })
            .unwrap_or_else(|| panic!("no TYPE for {name}"));
        assert!(helped.contains(family), "no HELP for {family}");
    }
    assert!(samples > 10, "{text}");
    assert!(
        typed.contains_key("process_resident_memory_bytes"),
        "{text}"
    );
    assert!(typed.contains_key("ndp_db_pool_waiting"));
    assert!(text.contains("ndp_overlap_checks_total{verdict="), "{text}");
}

#[tokio::test]
async fn the_metrics_pass_promtool_check_metrics() {
    // CI installs Debian's `prometheus` package for promtool; elsewhere the check runs where
    // promtool is installed.
    let Ok(mut child) = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        assert!(
            std::env::var("CI").is_err(),
            "promtool is missing in CI: .ci/run installs Debian's prometheus package"
        );
        eprintln!("promtool not installed: skipped");
        return;
    };
    let app = spawn_app().await;
    app.get(PLATFORM).await;
    app.get("/no/such/path").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

// --- rate limits -----------------------------------------------------------------------------

async fn exhaust(app: &TestApp, limit: usize) {
    for _ in 0..limit {
        assert_eq!(app.get(PLATFORM).await.status(), 200);
    }
    assert_eq!(app.get(PLATFORM).await.status(), 429);
}

#[tokio::test]
async fn only_a_token_accepted_for_writes_lifts_the_anonymous_limit() {
    let app = spawn_app_with(&[("ANONYMOUS_REQUESTS_PER_MINUTE", "2")]).await;
    exhaust(&app, 2).await;
    let revoked = app.btc().await;
    let lifted = app.send(Method::GET, PLATFORM, Some(&revoked), None).await;
    assert_eq!(lifted.status(), 200, "a live token lifts the limit");
    revoke_latest(&app).await;
    assert_problem(
        app.send(Method::GET, PLATFORM, Some(&revoked), None).await,
        429,
        "rate_limited",
    )
    .await;
    let merged = hs256(&claims(Some("BKHDT"), "platforms:write"));
    assert_problem(
        app.send(Method::GET, PLATFORM, Some(&merged), None).await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn a_revoked_token_does_not_lift_the_overlap_check_limit_nor_store_receipts() {
    let app = spawn_app_with(&[("OVERLAP_CHECKS_PER_MINUTE", "1")]).await;
    let check = json!({"title": "Hệ thống hóa đơn điện tử"});
    let first = app
        .send(Method::POST, "/api/v1/overlap-checks", None, Some(&check))
        .await;
    assert_eq!(first.status(), 201);
    let merged = hs256(&claims(Some("BKHDT"), "platforms:write"));
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/overlap-checks",
            Some(&merged),
            Some(&check),
        )
        .await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn the_bearer_scheme_is_matched_case_insensitively_by_the_limits() {
    let app = spawn_app_with(&[("ANONYMOUS_REQUESTS_PER_MINUTE", "1")]).await;
    exhaust(&app, 1).await;
    let token = app.btc().await;
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = app
            .client
            .get(format!("{}{PLATFORM}", app.address))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "scheme {scheme}");
    }
}

async fn get_forwarded(app: &TestApp, header: &str, value: &str) -> u16 {
    app.client
        .get(format!("{}{PLATFORM}", app.address))
        .header(header, value)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_proxy_the_client_address_is_the_hop_the_proxy_added() {
    let app = spawn_app_with(&[
        ("ANONYMOUS_REQUESTS_PER_MINUTE", "2"),
        ("TRUST_PROXY_HEADERS", "true"),
    ])
    .await;
    // The client makes up the left part; the proxy appends the address it saw.
    let statuses: Vec<u16> =
        futures_collect(&app, |i| format!("198.51.100.{i}, 203.0.113.7")).await;
    assert_eq!(statuses, vec![200, 200, 429, 429, 429], "{statuses:?}");
    // Another real client is not limited by the first one.
    assert_eq!(
        get_forwarded(&app, "x-forwarded-for", "203.0.113.8").await,
        200
    );
}

async fn futures_collect(app: &TestApp, value: impl Fn(usize) -> String) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..5 {
        statuses.push(get_forwarded(app, "x-forwarded-for", &value(i)).await);
    }
    statuses
}

#[tokio::test]
async fn the_number_of_trusted_hops_is_configurable() {
    let app = spawn_app_with(&[
        ("ANONYMOUS_REQUESTS_PER_MINUTE", "2"),
        ("TRUST_PROXY_HEADERS", "true"),
        ("TRUSTED_PROXY_HOPS", "2"),
    ])
    .await;
    // Two proxies: the second from the right is what the outer proxy saw.
    let statuses =
        futures_collect(&app, |i| format!("198.51.100.{i}, 203.0.113.7, 10.0.0.2")).await;
    assert_eq!(statuses, vec![200, 200, 429, 429, 429], "{statuses:?}");
}

#[tokio::test]
async fn ipv6_clients_are_limited_per_64_prefix() {
    let app = spawn_app_with(&[
        ("ANONYMOUS_REQUESTS_PER_MINUTE", "2"),
        ("TRUST_PROXY_HEADERS", "true"),
    ])
    .await;
    let statuses = futures_collect(&app, |i| format!("2001:db8:1:2::{}", i + 1)).await;
    assert_eq!(statuses, vec![200, 200, 429, 429, 429], "{statuses:?}");
    assert_eq!(
        get_forwarded(&app, "x-forwarded-for", "2001:db8:1:3::1").await,
        200,
        "another /64 has its own bucket"
    );
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_headers_are_ignored() {
    let app = spawn_app_with(&[("ANONYMOUS_REQUESTS_PER_MINUTE", "2")]).await;
    let statuses = futures_collect(&app, |i| format!("198.51.100.{i}")).await;
    assert_eq!(statuses, vec![200, 200, 429, 429, 429], "{statuses:?}");
}

// --- idempotency -------------------------------------------------------------------------------

#[tokio::test]
async fn idempotency_keys_are_scoped_to_the_token() {
    let app = spawn_app().await;
    let btc = token_with_subject(&app, Some("BTC"), "shared-subject").await;
    let bca = token_with_subject(&app, Some("BCA"), "shared-subject").await;
    let body = new_platform("idem-shared");
    let first = post_with_key(&app, &btc, "same-key-1", &body).await;
    assert_eq!(first.status(), 201);
    let other = post_with_key(&app, &bca, "same-key-1", &body).await;
    assert!(
        other.headers().get("idempotent-replayed").is_none(),
        "BCA got BTC's stored answer"
    );
    assert_problem(other, 409, "platform_exists").await;
    let again = post_with_key(&app, &btc, "same-key-1", &body).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
}

#[tokio::test]
async fn a_replay_is_refused_when_the_token_may_no_longer_write() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let body = new_platform("idem-revoked");
    let response = post_with_key(&app, &token, "before-revocation", &body).await;
    assert_eq!(response.status(), 201);
    revoke_latest(&app).await;
    let replay = post_with_key(&app, &token, "before-revocation", &body).await;
    assert_problem(replay, 401, "invalid_token").await;
}

// --- writes racing a succession ------------------------------------------------------------------

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Holds BTC's row as a succession does (merged, not yet committed), starts `write`, waits until
/// it waits on that lock, then commits the succession and returns the write's answer.
async fn race_a_succession(app: &TestApp, write: reqwest::RequestBuilder) -> reqwest::Response {
    let mut succession = AsyncPgConnection::establish(&app.db.url).await.unwrap();
    diesel::sql_query("BEGIN")
        .execute(&mut succession)
        .await
        .unwrap();
    diesel::sql_query(
        "UPDATE ministries SET status = 'merged', successor_code = 'BCA', succeeded_on = current_date WHERE code = 'BTC'",
    )
    .execute(&mut succession)
    .await
    .unwrap();
    let pending = tokio::spawn(write.send());
    let mut observer = app.conn().await;
    let mut waiting = false;
    for _ in 0..400 {
        let count: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result(&mut observer)
        .await
        .unwrap();
        if count.n > 0 {
            waiting = true;
            break;
        }
        if pending.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    diesel::sql_query("COMMIT")
        .execute(&mut succession)
        .await
        .unwrap();
    let response = pending.await.unwrap().unwrap();
    assert!(waiting, "the write did not wait for the succession's lock");
    response
}

#[tokio::test]
async fn a_write_that_races_a_succession_is_refused_once_it_commits() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let write = app
        .client
        .post(format!("{}/api/v1/platforms", app.address))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(new_platform("racing-create").to_string());
    let response = race_a_succession(&app, write).await;
    assert_problem(response, 403, "ministry_inactive").await;
    assert_eq!(
        app.get("/api/v1/platforms/racing-create").await.status(),
        404
    );
}

#[tokio::test]
async fn a_bulk_sync_that_races_a_succession_is_refused_once_it_commits() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let mut set = crate::reliability::ministry_set(&app, "BTC").await;
    set.push(new_platform("racing-bulk"));
    let write = app
        .client
        .put(format!("{}/api/v1/ministries/BTC/platforms", app.address))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&set).unwrap());
    let response = race_a_succession(&app, write).await;
    assert_problem(response, 403, "ministry_inactive").await;
    assert_eq!(app.get("/api/v1/platforms/racing-bulk").await.status(), 404);
}

// --- tokens --------------------------------------------------------------------------------------

#[tokio::test]
async fn an_external_issuer_cannot_grant_the_operator_scope_by_default() {
    let app = spawn_app().await;
    let operator = eddsa(&claims(None, "admin"));
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/tabmis/transfer",
            Some(&operator),
            Some(&json!({"to": "BCA", "effective_on": "2025-07-01", "reason": "takeover attempt"})),
        )
        .await;
    let body = assert_problem(response, 401, "invalid_token").await;
    assert!(body["detail"].as_str().unwrap().contains("scope"), "{body}");
    assert_eq!(app.get_json(PLATFORM).await["ministry"], "BTC");
    // A ministry scope from the same issuer is still accepted.
    let ministry = eddsa(&claims(Some("BTC"), "platforms:write"));
    let response = app
        .send(
            Method::PATCH,
            PLATFORM,
            Some(&ministry),
            Some(&json!({"description": "Từ SSO của bộ."})),
        )
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_scopes_accepted_from_the_external_issuer_are_configurable() {
    let app = spawn_app_with(&[(
        "JWT_PUBLIC_KEY_SCOPES",
        "admin platforms:write contacts:write",
    )])
    .await;
    let operator = eddsa(&claims(None, "admin"));
    let response = app
        .send(Method::GET, "/api/v1/webhooks", Some(&operator), None)
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_token_living_longer_than_366_days_is_refused_at_verification() {
    let app = spawn_app().await;
    let mut long = claims(Some("BTC"), "platforms:write");
    long["exp"] = json!(now() + 400 * 86_400);
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&hs256(&long)),
            Some(&new_platform("long-lived")),
        )
        .await;
    let body = assert_problem(response, 401, "invalid_token").await;
    assert!(body["detail"].as_str().unwrap().contains("366"), "{body}");
}

// --- public history ------------------------------------------------------------------------------

#[tokio::test]
async fn public_history_shows_the_ministry_and_a_pseudonym_but_not_token_ids() {
    let app = spawn_app().await;
    let token = app.btc().await;
    for round in 0..2 {
        let response = app
            .send(
                Method::PATCH,
                PLATFORM,
                Some(&token),
                Some(&json!({"description": format!("Lần {round}.")})),
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    let text = app
        .get(&format!("{PLATFORM}/history"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !text.contains("btc-backoffice"),
        "subjects are public: {text}"
    );
    let jti = &ndp_registry::db::tokens::list(&mut app.conn().await)
        .await
        .unwrap()[0]
        .jti;
    assert!(!text.contains(jti.as_str()), "token ids are public");
    let history: Value = serde_json::from_str(&text).unwrap();
    let (newest, older) = (&history["items"][0]["actor"], &history["items"][1]["actor"]);
    assert_eq!(newest["ministry"], "BTC");
    let writer = newest["writer"].as_str().unwrap();
    assert!(writer.len() >= 12, "{newest}");
    assert_eq!(older["writer"], writer, "the pseudonym is stable");
    assert!(newest.get("jti").is_none() && newest.get("sub").is_none());
    let feed = app
        .get("/api/v1/changes?after=0&limit=1000")
        .await
        .text()
        .await
        .unwrap();
    assert!(!feed.contains("btc-backoffice"), "the feed shows subjects");
    // An operator sees who it was.
    let operator = app.operator().await;
    let full: Value = app
        .send(
            Method::GET,
            &format!("{PLATFORM}/history"),
            Some(&operator),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(full["items"][0]["actor"]["sub"], "btc-backoffice");
    assert_eq!(full["items"][0]["actor"]["jti"], jti.as_str());
    assert_eq!(full["items"][0]["actor"]["writer"], writer);
}
