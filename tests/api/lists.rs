use reqwest::Method;
use serde_json::json;

use crate::helpers::{assert_invalid_parameter, assert_problem, spawn_app};

#[tokio::test]
async fn the_three_official_editions_are_listed_oldest_first() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/lists").await;
    let keys: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["qd-186-2022", "cv-2765-2024", "qd-2618-2025"]);
    assert_eq!(body["items"][1]["declared_total"], 103);
    assert_eq!(body["items"][1]["document"], "2765/BTTTT-CĐSQG");
}

#[tokio::test]
async fn an_edition_shows_declared_and_registered_counts_per_owner() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/lists/cv-2765-2024").await;
    assert_eq!(body["issued_on"], "2024-07-15");
    let owners = body["owners"].as_array().unwrap();
    let declared: i64 = owners
        .iter()
        .filter_map(|o| o["declared_count"].as_i64())
        .sum();
    assert_eq!(declared, 103);
    let btc = owners.iter().find(|o| o["ministry"] == "BTC").unwrap();
    assert_eq!(btc["declared_count"], 31);
    let registered = body["platforms"].as_array().unwrap().len() as i64;
    assert_eq!(body["registered_count"], registered);
    let owner_sum: i64 = owners
        .iter()
        .map(|o| o["registered_count"].as_i64().unwrap())
        .sum();
    assert_eq!(owner_sum, registered);

    let recent = app.get_json("/api/v1/lists/qd-2618-2025").await;
    let platforms = recent["platforms"].as_array().unwrap();
    assert!(platforms.iter().any(|p| p["code"] == "vneid"));
}

#[tokio::test]
async fn an_unknown_edition_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(app.get("/api/v1/lists/qd-1-1999").await, 404, "not_found").await;
    assert_invalid_parameter(app.get("/api/v1/lists?sort=key").await, "sort").await;
}

#[tokio::test]
async fn only_an_operator_changes_list_memberships_and_each_change_is_recorded() {
    let app = spawn_app().await;
    let path = "/api/v1/lists/cv-2765-2024/platforms/tabmis";
    assert_problem(
        app.send(Method::PUT, path, Some(&app.btc().await), None)
            .await,
        403,
        "operator_only",
    )
    .await;
    let operator = app.operator().await;
    assert_eq!(
        app.send(Method::PUT, path, Some(&operator), None)
            .await
            .status(),
        204
    );
    assert_eq!(
        app.send(Method::PUT, path, Some(&operator), None)
            .await
            .status(),
        204,
        "idempotent"
    );
    let platform = app.get_json("/api/v1/platforms/tabmis").await;
    assert!(
        platform["lists"]
            .as_array()
            .unwrap()
            .contains(&json!("cv-2765-2024"))
    );
    let history = app.get_json("/api/v1/platforms/tabmis/history").await;
    assert_eq!(history["items"][0]["action"], "list_added");
    assert_eq!(
        history["items"][1]["action"], "created",
        "the second PUT recorded nothing"
    );
    assert_eq!(
        app.send(Method::DELETE, path, Some(&operator), None)
            .await
            .status(),
        204
    );
    assert_problem(
        app.send(Method::DELETE, path, Some(&operator), None).await,
        404,
        "not_found",
    )
    .await;
    let unknown = "/api/v1/lists/qd-0-1999/platforms/tabmis";
    assert_problem(
        app.send(Method::PUT, unknown, Some(&operator), None).await,
        404,
        "not_found",
    )
    .await;
}
