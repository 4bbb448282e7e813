use crate::helpers::{assert_problem, create_test_db, spawn_app, test_settings};
use ndp_registry::startup::Application;

#[tokio::test]
async fn healthz_answers_without_the_database() {
    let app = spawn_app().await;
    let body = app.get_json("/healthz").await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_is_200_when_the_database_answers() {
    let app = spawn_app().await;
    let body = app.get_json("/readyz").await;
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn readyz_is_a_503_problem_when_the_database_is_missing() {
    let db = create_test_db(None).await;
    let missing = format!("{}_missing", db.url);
    let app = Application::build(&test_settings(&missing)).unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();

    let ready = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    assert!(ready.headers().contains_key("retry-after"));
    assert_problem(ready, 503, "database_unavailable").await;
    // Reads that need the database fail the same way, never with a 500.
    let list = client
        .get(format!("{address}/api/v1/platforms"))
        .send()
        .await
        .unwrap();
    assert_problem(list, 503, "database_unavailable").await;
    // The process itself is still alive.
    let alive = client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(alive.status(), 200);
}

#[tokio::test]
async fn every_response_has_a_request_id_that_problems_repeat() {
    let app = spawn_app().await;
    let ok = app.get("/api/v1/ministries/BTC").await;
    let id = ok
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36);
    let problem = app
        .client
        .get(format!("{}/api/v1/platforms/nope", app.address))
        .header("x-request-id", "province-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem.headers().get("x-request-id").unwrap(),
        "province-42"
    );
    let body = assert_problem(problem, 404, "not_found").await;
    assert_eq!(body["request_id"], "province-42");
    let odd = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "bad id; drop")
        .send()
        .await
        .unwrap();
    assert_ne!(odd.headers().get("x-request-id").unwrap(), "bad id; drop");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    app.get("/api/v1/platforms/vneid").await;
    app.get("/api/v1/platforms/nope").await;
    app.send(
        reqwest::Method::POST,
        "/api/v1/overlap-checks",
        None,
        Some(&serde_json::json!({"title": "Hệ thống hóa đơn điện tử"})),
    )
    .await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains(r#"ndp_http_requests_total{method="GET",route="/api/v1/platforms/{code}",status="200"} 1"#), "{text}");
    assert!(text.contains(
        r#"ndp_http_requests_total{method="GET",route="/api/v1/platforms/{code}",status="404"} 1"#
    ));
    assert!(text.contains("ndp_http_request_duration_seconds_bucket{"));
    assert!(text.contains("ndp_db_pool_connections{state=\"open\"}"));
    assert!(text.contains("ndp_overlap_checks_"));
}
