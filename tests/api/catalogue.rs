//! The catalogue reads: facet counts and statistics.

use serde_json::json;

use crate::helpers::{assert_invalid_parameter, spawn_app};

#[tokio::test]
async fn facet_counts_sum_to_the_list_total() {
    let app = spawn_app().await;
    for query in [
        "",
        "ministry=BTC",
        "q=co%20so%20du%20lieu",
        "domain=justice&status=operational",
    ] {
        let facets = app
            .get_json(&format!("/api/v1/platforms/facets?{query}"))
            .await;
        let list = app
            .get_json(&format!("/api/v1/platforms?{query}&per_page=1"))
            .await;
        assert_eq!(facets["total"], list["total"], "{query}");
        for facet in ["ministry", "status", "ndxp_status"] {
            let sum: i64 = facets[facet]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["count"].as_i64().unwrap())
                .sum();
            assert_eq!(sum, list["total"].as_i64().unwrap(), "{facet} for {query}");
        }
        for facet in ["domain", "audience"] {
            let counts = facets[facet].as_array().unwrap();
            let sum: i64 = counts.iter().map(|f| f["count"].as_i64().unwrap()).sum();
            assert!(
                sum >= list["total"].as_i64().unwrap(),
                "{facet} counts every platform at least once"
            );
        }
    }
    let btc = app.get_json("/api/v1/platforms/facets?ministry=BTC").await;
    assert_eq!(
        btc["ministry"],
        json!([{"value": "BTC", "count": btc["total"]}])
    );
    assert_invalid_parameter(
        app.get("/api/v1/platforms/facets?status=bogus").await,
        "status",
    )
    .await;
    assert_invalid_parameter(app.get("/api/v1/platforms/facets?page=2").await, "page").await;
}

#[tokio::test]
async fn statistics_cover_every_agency_and_edition() {
    let app = spawn_app().await;
    let stats = app.get_json("/api/v1/stats").await;
    assert_eq!(stats["platforms"]["total"], 79);
    assert_eq!(stats["ministries"].as_array().unwrap().len(), 32);
    let without: Vec<&str> = stats["ministries_without_platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        without.contains(&"TTXVN"),
        "the news agency has published no platform: {without:?}"
    );
    assert!(
        !without.contains(&"BKHDT"),
        "a merged ministry is not counted as silent"
    );
    for code in &without {
        let ministry = app.get_json(&format!("/api/v1/ministries/{code}")).await;
        assert_eq!(ministry["platform_count"], 0);
        assert_eq!(ministry["status"], "active");
    }
    let sum: i64 = stats["ministries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["platform_count"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, stats["platforms"]["active"].as_i64().unwrap());
    let edition = stats["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "cv-2765-2024")
        .unwrap();
    assert_eq!(edition["declared_total"], 103);
    assert_eq!(stats["platforms"]["with_contacts"], 1);
}
