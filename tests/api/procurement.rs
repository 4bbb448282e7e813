//! Before procurement: overlap checks, facets, statistics and the spreadsheet export.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    assert_invalid_field, assert_invalid_parameter, assert_problem, spawn_app, test_settings,
};

fn purchase() -> Value {
    json!({
        "title": "Xây dựng hệ thống HĐĐT dùng chung của tỉnh",
        "description": "Phần mềm phát hành, tiếp nhận và tra cứu hóa đơn điện tử cho doanh nghiệp trên địa bàn tỉnh.",
        "domains": ["tax"],
        "audiences": ["businesses"],
        "requester": {"province": "Quảng Ngãi", "unit": "Sở Khoa học và Công nghệ"}
    })
}

#[tokio::test]
async fn an_overlap_check_finds_the_national_platform_and_its_receipt_reads_back_unchanged() {
    let app = spawn_app().await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/overlap-checks",
            None,
            Some(&purchase()),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = response.bytes().await.unwrap();
    let receipt: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(receipt["verdict"], "likely_duplicate");
    let top = &receipt["candidates"][0];
    assert_eq!(top["platform"], "nen-tang-hoa-don-dien-tu");
    assert_eq!(top["ministry"]["code"], "BTC");
    let score = top["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score));
    assert!(
        top["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("hddt"))
    );
    assert!(
        top["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("shared domain: tax"))
    );
    assert!(!top["contact_hint"].as_str().unwrap().is_empty());
    assert_eq!(receipt["request"]["requester"]["province"], "Quảng Ngãi");
    assert_eq!(receipt["registry_state"]["active_platforms"], 79);
    assert!(
        receipt["registry_state"]["last_change_id"]
            .as_i64()
            .unwrap()
            >= 79
    );
    // The constant is an f32 and the receipt says it in decimal: equal to f32 precision.
    assert!(
        (receipt["thresholds"]["likely_duplicate"].as_f64().unwrap()
            - f64::from(ndp_registry::domain::search::LIKELY_DUPLICATE))
        .abs()
            < 1e-6
    );
    assert!(location.ends_with(receipt["id"].as_str().unwrap()));

    // The registry changes; the receipt does not.
    let token = app.btc().await;
    app.send(
        Method::DELETE,
        "/api/v1/platforms/nen-tang-hoa-don-dien-tu",
        Some(&token),
        None,
    )
    .await;
    let again = app.get(&location).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.bytes().await.unwrap(), bytes);
}

#[tokio::test]
async fn a_purchase_no_platform_covers_has_no_overlap() {
    let app = spawn_app().await;
    let body = json!({"title": "Cổng thông tin du lịch tỉnh", "description": "Giới thiệu điểm đến, lễ hội, ẩm thực và đặt tour."});
    let receipt: Value = app
        .send(Method::POST, "/api/v1/overlap-checks", None, Some(&body))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receipt["verdict"], "no_overlap");
    assert!(
        receipt["summary"]
            .as_str()
            .unwrap()
            .starts_with("No national platform")
    );
}

#[tokio::test]
async fn bad_overlap_checks_are_refused_clearly() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"title": "  "}), "title"),
        (json!({"title": "%%%"}), "title"),
        (json!({"title": "x".repeat(10_000)}), "title"),
        (json!({"title": "Hệ thống\u{0007}"}), "title"),
        (
            json!({"title": "Hệ thống", "domains": ["space"]}),
            "domains[0]",
        ),
        (
            json!({"title": "Hệ thống", "verdict": "no_overlap"}),
            "verdict",
        ),
        (json!({"description": "no title"}), "title"),
        (
            json!({"title": "Hệ thống", "requester": {"province": "X", "name": "Nguyễn Văn A"}}),
            "requester.name",
        ),
    ] {
        let response = app
            .send(Method::POST, "/api/v1/overlap-checks", None, Some(&body))
            .await;
        assert_invalid_field(response, field).await;
    }
    let response = app
        .client
        .post(format!("{}/api/v1/overlap-checks", app.address))
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400, "malformed_json").await;
    assert_problem(
        app.get("/api/v1/overlap-checks/not-a-uuid").await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/overlap-checks/00000000-0000-0000-0000-000000000000")
            .await,
        404,
        "not_found",
    )
    .await;
    // Mixed scripts, emoji and SQL are answered, not failed.
    let odd = json!({"title": "' OR 1=1; -- 🙂 石油 hóa đơn 50%_"});
    assert_eq!(
        app.send(Method::POST, "/api/v1/overlap-checks", None, Some(&odd))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn anonymous_overlap_checks_are_rate_limited_with_retry_after() {
    let db = crate::helpers::create_test_db(None).await;
    ndp_registry::db::run_migrations(&db.url).await.unwrap();
    let mut settings = test_settings(&db.url);
    settings.overlap_checks_per_minute = 2;
    let app = ndp_registry::startup::Application::build(&settings).unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let post = || {
        client
            .post(format!("{address}/api/v1/overlap-checks"))
            .json(&json!({"title": "Hệ thống hóa đơn"}))
            .send()
    };
    assert_eq!(post().await.unwrap().status(), 201);
    assert_eq!(post().await.unwrap().status(), 201);
    let limited = post().await.unwrap();
    let retry: u64 = limited
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_problem(limited, 429, "rate_limited").await;
}

#[tokio::test]
async fn a_valid_token_lifts_the_overlap_check_limit() {
    let db = crate::helpers::create_test_db(None).await;
    ndp_registry::db::run_migrations(&db.url).await.unwrap();
    let mut settings = test_settings(&db.url);
    settings.overlap_checks_per_minute = 1;
    let keys = ndp_registry::auth::JwtKeys::from_settings(&settings).unwrap();
    let claims = ndp_registry::auth::Claims {
        sub: "province-system".into(),
        ministry: None,
        province: None,
        scope: String::new(),
        jti: "province-system-token".into(),
        iat: chrono::Utc::now().timestamp(),
        exp: chrono::Utc::now().timestamp() + 600,
        nbf: None,
        iss: "ndp-registry".into(),
        aud: "ndp-registry-api".into(),
    };
    let token = keys.sign(&claims).unwrap();
    let app = ndp_registry::startup::Application::build(&settings).unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let response = client
            .post(format!("{address}/api/v1/overlap-checks"))
            .bearer_auth(&token)
            .json(&json!({"title": "Hệ thống hóa đơn"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
}

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
