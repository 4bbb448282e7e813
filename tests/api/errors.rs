//! Errors from outside the handlers (routing, methods) use the same problem body.

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    let body = assert_problem(app.get("/api/v1/nope").await, 404, "route_not_found").await;
    assert!(body["detail"].as_str().unwrap().contains("/api/v1/nope"));
    assert_problem(app.get("/").await, 404, "route_not_found").await;
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(format!("{}/api/v1/ministries", app.address))
        .send()
        .await
        .unwrap();
    let allow = response
        .headers()
        .get("allow")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(allow.contains("GET"), "Allow: {allow}");
    assert_problem(response, 405, "method_not_allowed").await;

    let response = app
        .client
        .put(format!("{}/api/v1/lists/qd-186-2022", app.address))
        .send()
        .await
        .unwrap();
    assert_problem(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn a_malformed_query_string_is_a_400_problem() {
    let app = spawn_app().await;
    // A lone `%` is not valid percent-encoding; it is read literally and then rejected as a number.
    crate::helpers::assert_invalid_parameter(app.get("/api/v1/platforms?page=%").await, "page")
        .await;
    crate::helpers::assert_invalid_parameter(
        app.get("/api/v1/platforms?per_page=-1").await,
        "per_page",
    )
    .await;
}

#[tokio::test]
async fn a_nul_in_a_path_names_no_resource() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/platforms/%00",
        "/api/v1/platforms/vneid%00/history",
        "/api/v1/lists/%00/diff/qd-2618-2025",
    ] {
        assert_problem(app.get(path).await, 404, "not_found").await;
    }
}
