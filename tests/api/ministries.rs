use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_invalid_parameter, assert_problem, spawn_app};

#[tokio::test]
async fn the_ministry_list_has_all_32_agencies_with_pagination_links() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/ministries?per_page=10&page=2").await;
    assert_eq!(response.status(), 200);
    let link = response
        .headers()
        .get("link")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        link.contains("page=1&per_page=10>; rel=\"first\""),
        "{link}"
    );
    assert!(link.contains("page=1&per_page=10>; rel=\"prev\""), "{link}");
    assert!(link.contains("page=3&per_page=10>; rel=\"next\""), "{link}");
    assert!(link.contains("page=4&per_page=10>; rel=\"last\""), "{link}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["total"], 32);
    assert_eq!(body["page"], 2);
    assert_eq!(body["per_page"], 10);
    assert_eq!(body["items"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn a_merged_ministry_says_where_it_went_and_when() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/ministries/bkhdt").await;
    assert_eq!(body["code"], "BKHDT");
    assert_eq!(body["code_vi"], "BKHĐT");
    assert_eq!(body["status"], "merged");
    assert_eq!(body["successor"], "BTC");
    assert_eq!(body["succeeded_on"], "2025-03-01");
    assert_eq!(body["platform_count"], 0);

    let btc = app.get_json("/api/v1/ministries/BTC").await;
    assert_eq!(btc["status"], "active");
    let predecessors: Vec<&str> = btc["predecessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        predecessors.contains(&"BKHDT") && predecessors.contains(&"BHXH"),
        "{predecessors:?}"
    );
}

#[tokio::test]
async fn platform_counts_match_the_platform_list() {
    let app = spawn_app().await;
    let btc = app.get_json("/api/v1/ministries/BTC").await;
    let platforms = app
        .get_json("/api/v1/platforms?ministry=BTC&per_page=1")
        .await;
    assert_eq!(btc["platform_count"], platforms["total"]);
    assert!(btc["platform_count"].as_i64().unwrap() > 5);
}

#[tokio::test]
async fn ministry_filters_narrow_the_list() {
    let app = spawn_app().await;
    let merged = app
        .get_json("/api/v1/ministries?status=merged&per_page=100")
        .await;
    let items = merged["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|m| m["status"] == "merged" && !m["successor"].is_null())
    );
    let agencies = app
        .get_json("/api/v1/ministries?kind=ministry_level_agency")
        .await;
    assert!(
        agencies["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["kind"] == "ministry_level_agency")
    );
}

#[tokio::test]
async fn an_unknown_ministry_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(app.get("/api/v1/ministries/NOPE").await, 404, "not_found").await;
    assert_problem(
        app.get("/api/v1/ministries/B%C4%90").await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn bad_ministry_list_parameters_are_400_problems() {
    let app = spawn_app().await;
    assert_invalid_parameter(app.get("/api/v1/ministries?status=gone").await, "status").await;
    assert_invalid_parameter(app.get("/api/v1/ministries?kind=province").await, "kind").await;
    assert_invalid_parameter(app.get("/api/v1/ministries?per_page=101").await, "per_page").await;
}

#[tokio::test]
async fn a_ministry_has_an_etag_and_answers_304() {
    let app = spawn_app().await;
    let first = app.get("/api/v1/ministries/BCA").await;
    let etag = first
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let again = app
        .client
        .get(format!("{}/api/v1/ministries/BCA", app.address))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers().get("etag").unwrap().to_str().unwrap(), etag);
}

#[tokio::test]
async fn only_an_operator_registers_and_corrects_agencies() {
    let app = spawn_app().await;
    let agency = json!({"code": "UBQLV", "code_vi": "UBQLV", "name_vi": "Ủy ban thử nghiệm", "name_en": "Test committee", "kind": "government_agency"});
    let btc = app.btc().await;
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/ministries",
            Some(&btc),
            Some(&agency),
        )
        .await,
        403,
        "operator_only",
    )
    .await;
    let operator = app.operator().await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/ministries",
            Some(&operator),
            Some(&agency),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers().get("location").unwrap(),
        "/api/v1/ministries/UBQLV"
    );
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["status"], "active");
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/ministries",
            Some(&operator),
            Some(&agency),
        )
        .await,
        409,
        "ministry_exists",
    )
    .await;

    let patch = json!({"agency_id": "000.00.00.G99", "agency_id_confidence": "confirmed"});
    let response = app
        .send(
            Method::PATCH,
            "/api/v1/ministries/ubqlv",
            Some(&operator),
            Some(&patch),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap()["agency_id"],
        "000.00.00.G99"
    );
    let bad = app
        .send(
            Method::PATCH,
            "/api/v1/ministries/UBQLV",
            Some(&operator),
            Some(&json!({"agency_id": "G99"})),
        )
        .await;
    assert_problem(bad, 422, "validation_failed").await;
    let status = app
        .send(
            Method::PATCH,
            "/api/v1/ministries/UBQLV",
            Some(&operator),
            Some(&json!({"status": "merged"})),
        )
        .await;
    assert_problem(status, 422, "validation_failed").await;
    assert_problem(
        app.send(
            Method::PATCH,
            "/api/v1/ministries/BTC",
            Some(&btc),
            Some(&patch),
        )
        .await,
        403,
        "operator_only",
    )
    .await;
}
