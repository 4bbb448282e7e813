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
