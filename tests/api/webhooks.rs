//! Webhooks: signed deliveries from the outbox, retries, the delivery log, target checks.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_invalid_field, assert_problem, spawn_app, test_settings};

pub const SECRET: &str = "a-long-random-shared-secret";

#[derive(Clone, Default)]
pub struct Received(Arc<Mutex<Vec<Delivered>>>);

/// What a receiver got: the signature header, the event header and the body.
pub type Delivered = (String, String, Vec<u8>);

/// A receiver that fails the first `failures` deliveries, then accepts.
pub async fn receiver(failures: usize) -> (String, Received) {
    let received = Received::default();
    let state = received.clone();
    let server = HttpServer::new(move || {
        let state = state.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let state = state.clone();
            async move {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let mut log = state.0.lock().unwrap();
                log.push((
                    header("x-ndp-signature"),
                    header("x-ndp-event"),
                    body.to_vec(),
                ));
                if log.len() <= failures {
                    HttpResponse::InternalServerError().finish()
                } else {
                    HttpResponse::Ok().finish()
                }
            }
        }))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let address = format!("http://{}/hook", server.addrs()[0]);
    tokio::spawn(server.run());
    (address, received)
}

pub fn verify(signature: &str, body: &[u8]) -> bool {
    let (t, _) = signature
        .strip_prefix("t=")
        .and_then(|s| s.split_once(','))
        .unwrap();
    let t: i64 = t.parse().unwrap();
    (chrono::Utc::now().timestamp() - t).abs() < 300
        && ndp_registry::webhooks::signature(SECRET, t, body) == signature
}

pub async fn wait_for(received: &Received, count: usize) -> Vec<Delivered> {
    for _ in 0..200 {
        if received.0.lock().unwrap().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    received.0.lock().unwrap().clone()
}

pub async fn subscribe(app: &TestApp, body: Value) -> Value {
    let response = app
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Some(&app.operator().await),
            Some(&body),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_change_is_delivered_signed_and_retried_after_a_failure() {
    let app = spawn_app().await;
    let (url, received) = receiver(1).await;
    let hook = subscribe(
        &app,
        json!({"url": url, "secret": SECRET, "ministry": "BTC", "events": ["platform"]}),
    )
    .await;
    assert!(
        hook.get("secret").is_none(),
        "the secret is never shown again"
    );
    let token = app.btc().await;
    app.send(
        Method::PATCH,
        "/api/v1/platforms/tabmis",
        Some(&token),
        Some(&json!({"status": "piloting"})),
    )
    .await;
    // Not matching the filters: another ministry's change, and a contact change.
    let bca = app.token("BCA", "platforms:write").await;
    app.send(
        Method::PATCH,
        "/api/v1/platforms/vneid",
        Some(&bca),
        Some(&json!({"status": "operational"})),
    )
    .await;

    // The first attempt fails (500) and is retried with backoff: ~2 s later.
    let deliveries = wait_for(&received, 2).await;
    assert_eq!(deliveries.len(), 2, "one failed attempt, one retry");
    for (signature, event, body) in &deliveries {
        assert!(verify(signature, body), "signature {signature} must verify");
        assert_eq!(event, "updated");
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(payload["key"], "tabmis");
        assert_eq!(payload["state"]["status"], "piloting");
    }
    assert!(!verify(&deliveries[0].0, b"{\"tampered\":true}"));
    let log = app
        .client
        .get(format!(
            "{}/api/v1/webhooks/{}/deliveries",
            app.address, hook["id"]
        ))
        .bearer_auth(app.operator().await)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(log["total"], 1, "only the matching change was queued");
    let entry = &log["items"][0];
    assert_eq!(entry["status"], "delivered");
    assert_eq!(entry["attempts"], 2);

    let redeliver = format!(
        "/api/v1/webhooks/{}/deliveries/{}/redeliver",
        hook["id"], entry["id"]
    );
    let again = app
        .send(Method::POST, &redeliver, Some(&app.operator().await), None)
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(wait_for(&received, 3).await.len(), 3);
}

#[tokio::test]
async fn deliveries_wait_in_the_outbox_until_a_worker_runs_and_go_out_once() {
    let db = crate::helpers::create_test_db(None).await;
    ndp_registry::db::run_migrations(&db.url).await.unwrap();
    let mut conn =
        <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(&db.url)
            .await
            .unwrap();
    ndp_registry::seed::run(&mut conn).await.unwrap();
    // A server whose worker has just looked and will not look again for ten minutes: as if the
    // process had stopped right after the change committed.
    let mut idle = test_settings(&db.url);
    idle.webhook_poll = Duration::from_secs(600);
    let first = ndp_registry::startup::Application::build(&idle).unwrap();
    let address = format!("http://127.0.0.1:{}", first.port());
    let server = first.handle();
    tokio::spawn(first.run_until_stopped());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let app = TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        server,
    };
    let (url, received) = receiver(0).await;
    subscribe(&app, json!({"url": url, "secret": SECRET})).await;
    app.send(
        Method::PATCH,
        "/api/v1/platforms/tabmis",
        Some(&app.btc().await),
        Some(&json!({"status": "piloting"})),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        received.0.lock().unwrap().is_empty(),
        "nothing sent while no worker runs"
    );
    // Two more servers on the same database (a restart, a second replica): the pending delivery
    // goes out, once.
    for _ in 0..2 {
        let other = ndp_registry::startup::Application::build(&test_settings(&app.db.url)).unwrap();
        tokio::spawn(other.run_until_stopped());
    }
    let deliveries = wait_for(&received, 1).await;
    assert_eq!(deliveries.len(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        received.0.lock().unwrap().len(),
        1,
        "claimed once across replicas"
    );
}

#[tokio::test]
async fn bad_subscriptions_are_refused() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    for (body, field) in [
        (
            json!({"url": "ftp://example.org/x", "secret": SECRET}),
            "url",
        ),
        (
            json!({"url": "https://example.org/x", "secret": "short"}),
            "secret",
        ),
        (
            json!({"url": "https://example.org/x", "secret": SECRET, "events": ["everything"]}),
            "events[0]",
        ),
        (
            json!({"url": "https://example.org/x", "secret": SECRET, "ministry": "NOPE"}),
            "ministry",
        ),
        (
            json!({"url": "https://example.org/x", "secret": SECRET, "filter": "x"}),
            "filter",
        ),
        // PostgreSQL text cannot hold NUL: refused as input, never a 500.
        (
            json!({"url": "https://example.org/x", "secret": "0123456789abcdef\u{0}"}),
            "secret",
        ),
        (
            json!({"url": "https://example.org*", "secret": SECRET}),
            "url",
        ),
    ] {
        let response = app
            .send(
                Method::POST,
                "/api/v1/webhooks",
                Some(&operator),
                Some(&body),
            )
            .await;
        assert_invalid_field(response, field).await;
    }
    let btc = app.btc().await;
    let body = json!({"url": "https://example.org/x", "secret": SECRET});
    assert_problem(
        app.send(Method::POST, "/api/v1/webhooks", Some(&btc), Some(&body))
            .await,
        403,
        "operator_only",
    )
    .await;
    assert_problem(
        app.send(Method::GET, "/api/v1/webhooks", None, None).await,
        401,
        "invalid_token",
    )
    .await;
    assert_problem(
        app.send(
            Method::DELETE,
            "/api/v1/webhooks/999",
            Some(&operator),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;

    assert_problem(
        app.send(
            Method::GET,
            "/api/v1/webhooks/abc/deliveries",
            Some(&operator),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.send(
            Method::GET,
            "/api/v1/webhooks/999/deliveries",
            Some(&operator),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.send(
            Method::GET,
            "/api/v1/webhooks/1/deliveries",
            Some(&btc),
            None,
        )
        .await,
        403,
        "operator_only",
    )
    .await;
    let unknown_delivery = "/api/v1/webhooks/999/deliveries/1/redeliver";
    assert_problem(
        app.send(Method::POST, unknown_delivery, Some(&operator), None)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.send(Method::POST, unknown_delivery, Some(&btc), None)
            .await,
        403,
        "operator_only",
    )
    .await;
    let paging = app
        .send(
            Method::GET,
            "/api/v1/webhooks/1/deliveries?per_page=0",
            Some(&operator),
            None,
        )
        .await;
    crate::helpers::assert_invalid_parameter(paging, "per_page").await;
    // Without WEBHOOK_ALLOW_PRIVATE_TARGETS, loopback and private targets are refused.
    let mut settings = test_settings(&app.db.url);
    settings.webhook_allow_private_targets = false;
    let strict = ndp_registry::startup::Application::build(&settings).unwrap();
    let address = format!("http://127.0.0.1:{}", strict.port());
    tokio::spawn(strict.run_until_stopped());
    for target in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest",
        "http://10.0.0.1/x",
        "http://localhost/x",
    ] {
        let response = app
            .client
            .post(format!("{address}/api/v1/webhooks"))
            .bearer_auth(&operator)
            .json(&json!({"url": target, "secret": SECRET}))
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("private"),
            "{target}: {problem}"
        );
    }
}
