use serde_json::Value;

use crate::helpers::{TestApp, assert_invalid_parameter, assert_problem, spawn_app};

fn codes(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn search(app: &TestApp, q: &str) -> Vec<String> {
    let url = format!("/api/v1/platforms?per_page=100&q={}", urlencode(q));
    codes(&app.get_json(&url).await)
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_platform_list_is_paginated_with_all_79_seeded_platforms() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/platforms").await;
    assert_eq!(body["total"], 79);
    assert_eq!(body["per_page"], 20);
    assert_eq!(body["items"].as_array().unwrap().len(), 20);
    let mut all = Vec::new();
    for page in 1..=4 {
        all.extend(codes(
            &app.get_json(&format!("/api/v1/platforms?page={page}&per_page=20"))
                .await,
        ));
    }
    let mut unique = all.clone();
    unique.dedup();
    assert_eq!(all.len(), 79);
    assert_eq!(unique.len(), 79, "pages must not overlap");
    let beyond = app.get_json("/api/v1/platforms?page=5").await;
    assert_eq!(beyond["items"].as_array().unwrap().len(), 0);
    assert_eq!(beyond["total"], 79);
}

#[tokio::test]
async fn every_platform_has_the_fields_of_the_contract() {
    let app = spawn_app().await;
    let body = app.get_json("/api/v1/platforms?per_page=100").await;
    for platform in body["items"].as_array().unwrap() {
        for field in [
            "code",
            "name_vi",
            "name_en",
            "short_name",
            "description",
            "ministry",
            "operator",
            "domains",
            "audiences",
            "status",
            "url",
            "ndxp_status",
            "contacts",
            "version",
            "created_at",
            "updated_at",
        ] {
            assert!(
                platform.get(field).is_some(),
                "{field} missing in {platform}"
            );
        }
        assert!(
            !platform["domains"].as_array().unwrap().is_empty(),
            "{}",
            platform["code"]
        );
    }
}

#[tokio::test]
async fn search_ignores_diacritics_and_case() {
    let app = spawn_app().await;
    assert!(
        search(&app, "dinh danh")
            .await
            .contains(&"vneid".to_owned())
    );
    assert!(
        search(&app, "DỊCH VỤ CÔNG")
            .await
            .contains(&"cong-dich-vu-cong-quoc-gia".to_owned())
    );
    assert!(
        search(&app, "dich vu cong")
            .await
            .contains(&"cong-dich-vu-cong-quoc-gia".to_owned())
    );
    let invoices = search(&app, "hoa don").await;
    assert!(
        invoices.contains(&"nen-tang-hoa-don-dien-tu".to_owned()),
        "{invoices:?}"
    );
    // Decomposed input (e.g. typed on macOS) is normalised before it is folded.
    assert!(
        search(&app, "ho\u{0301}a đơn")
            .await
            .contains(&"nen-tang-hoa-don-dien-tu".to_owned())
    );
    // English names and short names are searched too.
    assert!(
        search(&app, "single window")
            .await
            .contains(&"vnsw".to_owned())
    );
    assert!(search(&app, "VssID").await.contains(&"vssid".to_owned()));
}

#[tokio::test]
async fn hostile_or_empty_queries_get_a_clear_answer_never_a_500() {
    let app = spawn_app().await;
    for q in ["%", "_", "\\", "%%% ...", "🙂"] {
        let response = app
            .get(&format!("/api/v1/platforms?q={}", urlencode(q)))
            .await;
        assert_invalid_parameter(response, "q").await;
    }
    assert!(search(&app, "50% _a_ \\b").await.is_empty());
    assert!(search(&app, "' OR 1=1 --").await.is_empty());
    assert!(
        search(&app, "x'); DROP TABLE platforms; --")
            .await
            .is_empty()
    );
    assert!(search(&app, "Нефть 石油 🙂 ＤＶＣ").await.is_empty());
    assert_eq!(app.get_json("/api/v1/platforms").await["total"], 79);
}

#[tokio::test]
async fn search_understands_abbreviations_typos_and_says_why() {
    let app = spawn_app().await;
    let body = app
        .get_json("/api/v1/platforms?q=CSDL%20dan%20cu&per_page=3")
        .await;
    assert_eq!(body["items"][0]["code"], "csdlqg-dan-cu");
    let matched = body["items"][0]["match"]["matched"].as_array().unwrap();
    assert!(
        matched
            .iter()
            .any(|m| m["term"] == "csdl" && m["how"] == "abbreviation"),
        "{matched:?}"
    );
    assert!(body["items"][0]["match"]["score"].as_f64().unwrap() > 0.5);
    // The other direction: the words for an abbreviation a platform's name uses.
    assert!(
        search(&app, "dich vu cong quoc gia").await[..2]
            .contains(&"cong-dich-vu-cong-quoc-gia".to_owned())
    );
    let typo = app
        .get_json("/api/v1/platforms?q=hoa%20donn%20dien%20tu")
        .await;
    assert_eq!(typo["items"][0]["code"], "nen-tang-hoa-don-dien-tu");
    assert!(
        typo["items"][0]["match"]["matched"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["how"] == "typo")
    );
    // Results come best first: the platform named by the words comes before mere mentions.
    assert_eq!(search(&app, "dinh danh xac thuc").await[0], "vneid");
    // A department searched alone searches its field (in a plan it only says who buys).
    let justice = search(&app, "Sở Tư pháp").await;
    assert!(
        justice.contains(&"giai-quyet-tthc-bo-tu-phap".to_owned()),
        "{justice:?}"
    );
    // The department word alone is a valid query that finds nothing, not a 422.
    assert!(search(&app, "Sở").await.is_empty());
    // Without q there is no `match`.
    assert!(
        app.get_json("/api/v1/platforms?per_page=1").await["items"][0]
            .get("match")
            .is_none()
    );
}

#[tokio::test]
async fn filters_combine_and_every_item_matches_them() {
    let app = spawn_app().await;
    let btc = app
        .get_json("/api/v1/platforms?ministry=btc&per_page=100")
        .await;
    assert!(
        btc["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["ministry"] == "BTC")
    );
    assert!(btc["total"].as_i64().unwrap() > 5);
    let tax = app
        .get_json("/api/v1/platforms?domain=tax&audience=citizens&per_page=100")
        .await;
    let items = tax["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for p in items {
        assert!(
            p["domains"]
                .as_array()
                .unwrap()
                .contains(&Value::from("tax"))
        );
        assert!(
            p["audiences"]
                .as_array()
                .unwrap()
                .contains(&Value::from("citizens"))
        );
    }
    let operational = app
        .get_json("/api/v1/platforms?status=operational&per_page=100")
        .await;
    assert!(
        operational["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "operational")
    );
    let unknown = app
        .get_json("/api/v1/platforms?ndxp_status=unknown&per_page=1")
        .await;
    assert_eq!(unknown["total"], 79);
    let future = app
        .get_json("/api/v1/platforms?updated_since=2999-01-01T00:00:00Z")
        .await;
    assert_eq!(future["total"], 0);
    let past = app
        .get_json("/api/v1/platforms?updated_since=2000-01-01T00:00:00%2B07:00")
        .await;
    assert_eq!(past["total"], 79);
}

#[tokio::test]
async fn a_platform_moved_in_the_2025_merger_keeps_its_ownership_history() {
    let app = spawn_app().await;
    let body = app
        .get_json("/api/v1/platforms/he-thong-mang-dau-thau-quoc-gia")
        .await;
    assert_eq!(body["ministry"], "BTC");
    let history = body["ownership_history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["ministry"], "BKHDT");
    assert_eq!(history[0]["to"], "2025-02-28");
    assert_eq!(history[1]["ministry"], "BTC");
    assert_eq!(history[1]["from"], "2025-03-01");
    assert!(history[1]["to"].is_null());
    assert_eq!(body["lists"], serde_json::json!(["cv-2765-2024"]));
}

#[tokio::test]
async fn a_platform_has_an_etag_and_answers_304_when_unchanged() {
    let app = spawn_app().await;
    let first = app.get("/api/v1/platforms/vneid").await;
    assert_eq!(first.status(), 200);
    let etag = first
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    let request = |tag: String| {
        app.client
            .get(format!("{}/api/v1/platforms/vneid", app.address))
            .header("If-None-Match", tag)
            .send()
    };
    let cached = request(etag.clone()).await.unwrap();
    assert_eq!(cached.status(), 304);
    assert!(cached.bytes().await.unwrap().is_empty());
    assert_eq!(request(format!("W/{etag}")).await.unwrap().status(), 304);
    assert_eq!(
        request("\"something-else\"".into()).await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn an_unknown_platform_is_a_404_problem() {
    let app = spawn_app().await;
    let body = assert_problem(app.get("/api/v1/platforms/vneid2").await, 404, "not_found").await;
    assert!(body["detail"].as_str().unwrap().contains("vneid2"));
    assert_problem(
        app.get("/api/v1/platforms/NOT%20A%20CODE").await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn bad_list_parameters_are_400_problems_naming_the_parameter() {
    let app = spawn_app().await;
    for (query, field) in [
        ("per_page=1000", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=", "page"),
        ("ministry=NOPE", "ministry"),
        ("ministry=B%C4%90", "ministry"),
        ("status=bogus", "status"),
        ("domain=space", "domain"),
        ("audience=aliens", "audience"),
        ("ndxp_status=maybe", "ndxp_status"),
        ("updated_since=yesterday", "updated_since"),
        ("minstry=BTC", "minstry"),
        ("status=operational&status=planned", "status"),
        ("q=", "q"),
        ("q=%20%20", "q"),
        ("q=a%00b", "q"),
    ] {
        let response = app.get(&format!("/api/v1/platforms?{query}")).await;
        assert_invalid_parameter(response, field).await;
    }
    let long = "a".repeat(201);
    assert_invalid_parameter(app.get(&format!("/api/v1/platforms?q={long}")).await, "q").await;
    let huge = "hóa đơn ".repeat(1250);
    assert_invalid_parameter(
        app.get(&format!("/api/v1/platforms?q={}", urlencode(&huge)))
            .await,
        "q",
    )
    .await;
}

#[tokio::test]
async fn several_bad_parameters_are_reported_together() {
    let app = spawn_app().await;
    let body = assert_invalid_parameter(
        app.get("/api/v1/platforms?page=0&per_page=1000").await,
        "page",
    )
    .await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}
