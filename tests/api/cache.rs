//! The representation cache and its consistency contract: a replica serves its own writes at
//! once, other replicas' writes within the bound, never a stale answer after its feed listener is
//! killed, a fresh read on `Cache-Control: no-cache`, and nothing it stored to a caller with
//! credentials.

use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel::sql_types::Integer;
use diesel_async::RunQueryDsl;
use ndp_registry::db::notify::STALENESS_BOUND;
use ndp_registry::startup::Application;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, settings_with, spawn_app, spawn_app_with};

/// A second replica on the same database as another test app.
struct Replica {
    address: String,
    port: u16,
    client: reqwest::Client,
    server: actix_web::dev::ServerHandle,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

async fn replica_of(app: &TestApp) -> Replica {
    let settings = settings_with(&app.db.url, &[]);
    let built = Application::build(&settings).expect("the replica builds");
    let port = built.port();
    let server = built.handle();
    tokio::spawn(built.run_until_stopped());
    Replica {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::new(),
        server,
    }
}

fn port_of(address: &str) -> u16 {
    address.rsplit(':').next().unwrap().parse().unwrap()
}

/// The value of one series in a replica's `/metrics`.
async fn metric(client: &reqwest::Client, address: &str, series: &str) -> f64 {
    let text = client
        .get(format!("{address}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no series {series} in /metrics"))
        .parse()
        .unwrap()
}

async fn hits(client: &reqwest::Client, address: &str) -> f64 {
    metric(client, address, "ndp_cache_requests_total{result=\"hit\"}").await
}

/// Waits until the replica's feed listener is proven alive, so that reads are served from memory
/// without asking the database.
async fn until_listening(client: &reqwest::Client, address: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while metric(client, address, "ndp_feed_listener_up").await < 1.0 {
        assert!(Instant::now() < deadline, "the feed listener never came up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn get_json(client: &reqwest::Client, address: &str, path: &str) -> Value {
    let response = client.get(format!("{address}{path}")).send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// Flips tabmis's status through `app` (a BTC write) and returns the new status.
async fn flip_tabmis(app: &TestApp, token: &str, current: &str) -> String {
    let next = if current == "piloting" {
        "operational"
    } else {
        "piloting"
    };
    let response = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/tabmis",
            Some(token),
            Some(&json!({"status": next})),
        )
        .await;
    assert_eq!(response.status(), 200);
    next.to_owned()
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// The backend pid of a replica's feed listener, found by its application name.
async fn listener_pid(app: &TestApp, port: u16) -> Option<i32> {
    let rows: Vec<Pid> = diesel::sql_query(format!(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
         AND application_name = 'ndp-registry feed listener :{port}'"
    ))
    .load(&mut app.conn().await)
    .await
    .unwrap();
    rows.into_iter().next().map(|r| r.pid)
}

#[tokio::test]
async fn a_replica_serves_its_own_write_to_the_next_request() {
    let app = spawn_app().await;
    let token = app.btc().await;
    until_listening(&app.client, &app.address).await;
    let path = "/api/v1/platforms/tabmis";
    let before = app.get_json(path).await;
    let hits_before = hits(&app.client, &app.address).await;
    assert_eq!(app.get_json(path).await, before);
    assert_eq!(
        hits(&app.client, &app.address).await,
        hits_before + 1.0,
        "the second read is served from memory"
    );
    let list_path = "/api/v1/platforms?ministry=BTC&per_page=100";
    app.get_json(list_path).await;
    let status = flip_tabmis(&app, &token, before["status"].as_str().unwrap()).await;
    // No wait: the write's own replica knows before its answer leaves.
    let after = app.get_json(path).await;
    assert_eq!(after["status"], status.as_str());
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);
    // Collections built before the write are stale too.
    let list = app.get_json(list_path).await;
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "tabmis")
        .unwrap();
    assert_eq!(listed["status"], status.as_str());
}

#[tokio::test]
async fn another_replica_serves_a_write_within_the_bound() {
    let a = spawn_app().await;
    let b = replica_of(&a).await;
    let token = a.btc().await;
    let path = "/api/v1/platforms/tabmis";
    until_listening(&b.client, &b.address).await;
    let before = get_json(&b.client, &b.address, path).await;
    let hits_before = hits(&b.client, &b.address).await;
    get_json(&b.client, &b.address, path).await;
    assert_eq!(hits(&b.client, &b.address).await, hits_before + 1.0);

    for _ in 0..3 {
        let current = get_json(&b.client, &b.address, path).await["status"]
            .as_str()
            .unwrap()
            .to_owned();
        let status = flip_tabmis(&a, &token, &current).await;
        let written = Instant::now();
        loop {
            let asked = Instant::now();
            let seen = get_json(&b.client, &b.address, path).await;
            if seen["status"] == status.as_str() {
                break;
            }
            assert!(
                asked.duration_since(written) <= STALENESS_BOUND,
                "B still answered the old state to a read started {} ms after the write",
                asked.duration_since(written).as_millis()
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    assert_ne!(
        get_json(&b.client, &b.address, path).await["version"],
        before["version"]
    );
}

#[tokio::test]
async fn a_killed_listener_never_yields_a_stale_answer_and_reconnects() {
    let a = spawn_app().await;
    let b = replica_of(&a).await;
    let token = a.btc().await;
    let path = "/api/v1/platforms/tabmis";
    until_listening(&b.client, &b.address).await;
    let pid = listener_pid(&a, b.port)
        .await
        .expect("B's listener is in pg_stat_activity");
    assert!(
        listener_pid(&a, port_of(&a.address)).await.is_some(),
        "A's listener has a name of its own"
    );
    let before = get_json(&b.client, &b.address, path).await;
    get_json(&b.client, &b.address, path).await;

    let killed: Vec<Pid> = diesel::sql_query(format!(
        "SELECT {pid} AS pid WHERE pg_terminate_backend({pid})"
    ))
    .load(&mut a.conn().await)
    .await
    .unwrap();
    assert_eq!(killed.len(), 1, "the listener was terminated");
    let status = flip_tabmis(&a, &token, before["status"].as_str().unwrap()).await;
    let written = Instant::now();
    // Every read started more than the staleness bound after the write reflects it, while B
    // reconnects: the contract (README, "Consistency"). A read in between may still be answered
    // from what B heard before the close reached it, which on a loaded machine can come after
    // the write.
    let until = written + Duration::from_secs(1);
    while Instant::now() < until {
        let asked = Instant::now();
        let seen = get_json(&b.client, &b.address, path).await;
        assert!(
            seen["status"] == status.as_str() || asked.duration_since(written) <= STALENESS_BOUND,
            "B answered a stale state to a read started {} ms after the write",
            asked.duration_since(written).as_millis()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seen = get_json(&b.client, &b.address, path).await;
    assert_eq!(seen["status"], status.as_str(), "B answered a stale state");

    // B reconnects on a new backend and serves from memory again.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(new_pid) = listener_pid(&a, b.port).await
            && new_pid != pid
        {
            break;
        }
        assert!(Instant::now() < deadline, "B's listener did not reconnect");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    until_listening(&b.client, &b.address).await;
    assert!(metric(&b.client, &b.address, "ndp_feed_listener_connects_total").await >= 2.0);
    let status = flip_tabmis(&a, &token, &status).await;
    let written = Instant::now();
    loop {
        let asked = Instant::now();
        if get_json(&b.client, &b.address, path).await["status"] == status.as_str() {
            break;
        }
        assert!(asked.duration_since(written) <= STALENESS_BOUND);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let hits_before = hits(&b.client, &b.address).await;
    get_json(&b.client, &b.address, path).await;
    assert_eq!(hits(&b.client, &b.address).await, hits_before + 1.0);
}

#[tokio::test]
async fn no_cache_asks_the_database() {
    let app = spawn_app().await;
    until_listening(&app.client, &app.address).await;
    let path = "/api/v1/platforms/vneid";
    let cached = app.get_json(path).await;
    // A change behind the service's back (no feed entry): memory does not know of it...
    diesel::sql_query("UPDATE platforms SET name_en = 'Changed by hand' WHERE code = 'vneid'")
        .execute(&mut app.conn().await)
        .await
        .unwrap();
    assert_eq!(app.get_json(path).await["name_en"], cached["name_en"]);
    // ...but a client that asks for a fresh read gets one, either way of asking.
    for (name, value) in [("cache-control", "no-cache"), ("pragma", "no-cache")] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["name_en"], "Changed by hand", "{name}: {value}");
    }
    // The fresh answer replaced the entry.
    assert_eq!(app.get_json(path).await["name_en"], "Changed by hand");
    // And moving the feed clock by hand, as the README tells scripts to, reaches the cache.
    diesel::sql_query("UPDATE platforms SET name_en = 'Again by hand' WHERE code = 'vneid'")
        .execute(&mut app.conn().await)
        .await
        .unwrap();
    diesel::sql_query("UPDATE feed_clock SET seq = seq + 1 WHERE id = 1")
        .execute(&mut app.conn().await)
        .await
        .unwrap();
    let written = Instant::now();
    loop {
        let asked = Instant::now();
        if app.get_json(path).await["name_en"] == "Again by hand" {
            break;
        }
        assert!(asked.duration_since(written) <= STALENESS_BOUND);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn a_tiny_cap_evicts_and_stays_within_it() {
    let cap = 40_000;
    let app = spawn_app_with(&[("CACHE_MAX_BYTES", "40000")]).await;
    let list = app.get_json("/api/v1/platforms?per_page=40").await;
    for platform in list["items"].as_array().unwrap() {
        let code = platform["code"].as_str().unwrap();
        app.get_json(&format!("/api/v1/platforms/{code}")).await;
        let bytes = metric(&app.client, &app.address, "ndp_cache_bytes").await;
        assert!(bytes <= f64::from(cap), "{bytes} bytes held");
    }
    assert!(metric(&app.client, &app.address, "ndp_cache_evictions_total").await > 0.0);
    assert!(metric(&app.client, &app.address, "ndp_cache_entries").await >= 2.0);
    // An entry larger than an eighth of the cap is served but not kept.
    let entries = metric(&app.client, &app.address, "ndp_cache_entries").await;
    let big_path = "/api/v1/platforms?per_page=100";
    let big = app.get(big_path).await;
    let etag = big.headers()["etag"].to_str().unwrap().to_owned();
    assert!(big.bytes().await.unwrap().len() > 40_000 / 8);
    assert!(metric(&app.client, &app.address, "ndp_cache_entries").await <= entries);
    // Its tag is still honoured.
    let conditional = app
        .client
        .get(format!("{}{big_path}", app.address))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(conditional.status(), 304);
}

#[tokio::test]
async fn a_conditional_get_is_answered_304_from_memory() {
    let app = spawn_app().await;
    let token = app.btc().await;
    until_listening(&app.client, &app.address).await;
    let path = "/api/v1/platforms/tabmis";
    let first = app.get(path).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let first_id = first.headers()["x-request-id"].to_str().unwrap().to_owned();
    let hits_before = hits(&app.client, &app.address).await;
    let conditional = |etag: String| {
        app.client
            .get(format!("{}{path}", app.address))
            .header("if-none-match", etag)
            .send()
    };
    let response = conditional(etag.clone()).await.unwrap();
    assert_eq!(response.status(), 304);
    assert_eq!(response.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_ne!(
        response.headers()["x-request-id"].to_str().unwrap(),
        first_id,
        "the request id is per request, not stored"
    );
    assert!(response.bytes().await.unwrap().is_empty());
    assert_eq!(hits(&app.client, &app.address).await, hits_before + 1.0);
    // HEAD uses GET's entry: the same headers, no body.
    let head = app
        .client
        .head(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(hits(&app.client, &app.address).await, hits_before + 2.0);
    // After a write the old tag no longer matches.
    let current = app.get_json(path).await["status"]
        .as_str()
        .unwrap()
        .to_owned();
    flip_tabmis(&app, &token, &current).await;
    let response = conditional(etag.clone()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_ne!(response.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn a_caller_with_credentials_is_never_served_a_stored_answer() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let current = app.get_json("/api/v1/platforms/tabmis").await["status"]
        .as_str()
        .unwrap()
        .to_owned();
    flip_tabmis(&app, &token, &current).await;
    let path = "/api/v1/platforms/tabmis/history";
    // Stored anonymously: the public view, without the writer's subject.
    let public = app.get_json(path).await;
    assert_eq!(app.get_json(path).await, public);
    assert!(public["items"][0]["actor"]["sub"].is_null(), "{public}");
    let bypass = "ndp_cache_requests_total{result=\"bypass\"}";
    let bypassed = metric(&app.client, &app.address, bypass).await;
    let operator: Value = app
        .send(Method::GET, path, Some(&app.operator().await), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(operator["items"][0]["actor"]["sub"], "btc-backoffice");
    assert_eq!(
        metric(&app.client, &app.address, bypass).await,
        bypassed + 1.0
    );
    // And the operator's answer was not stored for the public.
    let again = app.get_json(path).await;
    assert!(again["items"][0]["actor"]["sub"].is_null(), "{again}");
}

#[tokio::test]
async fn stats_are_kept_no_longer_than_the_bound() {
    let app = spawn_app().await;
    until_listening(&app.client, &app.address).await;
    let hits_before = hits(&app.client, &app.address).await;
    app.get_json("/api/v1/stats").await;
    app.get_json("/api/v1/stats").await;
    assert_eq!(hits(&app.client, &app.address).await, hits_before + 1.0);
    tokio::time::sleep(STALENESS_BOUND + Duration::from_millis(50)).await;
    app.get_json("/api/v1/stats").await;
    assert_eq!(
        hits(&app.client, &app.address).await,
        hits_before + 1.0,
        "an answer that depends on the time is rebuilt after the bound"
    );
}
