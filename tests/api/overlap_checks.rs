//! Overlap checks as a province files them: receipts in Vietnamese and English, the printable
//! page, feedback on candidates, other provinces' similar plans, and what the matcher must not do.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_invalid_field, assert_problem, spawn_app};

async fn check(app: &TestApp, body: &Value) -> (Value, Vec<u8>) {
    let response = app
        .send(Method::POST, "/api/v1/overlap-checks", None, Some(body))
        .await;
    assert_eq!(response.status(), 201);
    let bytes = response.bytes().await.unwrap().to_vec();
    (serde_json::from_slice(&bytes).unwrap(), bytes)
}

#[tokio::test]
async fn a_receipt_says_why_in_vietnamese_and_english_and_reads_back_byte_for_byte() {
    let app = spawn_app().await;
    let (receipt, bytes) = check(
        &app,
        &json!({"title": "Gói thầu số 02: Thuê dịch vụ CNTT phần mềm hóa đơn điện tử của tỉnh Quảng Ngãi giai đoạn 2026-2030"}),
    )
    .await;
    assert_eq!(receipt["verdict"], "likely_duplicate", "{receipt}");
    assert_eq!(
        receipt["candidates"][0]["platform"],
        "nen-tang-hoa-don-dien-tu"
    );
    let vi = receipt["summary_vi"].as_str().unwrap();
    assert!(vi.contains("trùng lặp") && vi.contains("vì"), "{vi}");
    assert!(receipt["summary"].as_str().unwrap().contains("because"));
    let top = &receipt["candidates"][0];
    assert!(!top["reasons_vi"].as_array().unwrap().is_empty());
    assert_eq!(
        top["reasons_vi"].as_array().unwrap().len(),
        top["reasons"].as_array().unwrap().len()
    );
    assert!(
        top["contact_hint_vi"]
            .as_str()
            .unwrap()
            .starts_with("Chưa có kênh")
            || top["contact_hint_vi"]
                .as_str()
                .unwrap()
                .starts_with("Liên hệ")
    );
    assert_eq!(top["province_action"], "use");
    // Filler and the province's name are not evidence.
    let reasons = top["reasons"].to_string();
    for filler in ["goi thau", "quang ngai", "\"2026\""] {
        assert!(!reasons.contains(filler), "{filler} in {reasons}");
    }
    let id = receipt["id"].as_str().unwrap();
    let again = app.get(&format!("/api/v1/overlap-checks/{id}")).await;
    assert_eq!(again.bytes().await.unwrap().to_vec(), bytes);
}

#[tokio::test]
async fn a_receipt_is_a_printable_vietnamese_page_for_a_browser() {
    let app = spawn_app().await;
    let (receipt, _) = check(
        &app,
        &json!({
            "title": "Phần mềm hóa đơn điện tử <dùng chung>",
            "requester": {"province": "Bình Dương", "unit": "Sở Tài chính"}
        }),
    )
    .await;
    let id = receipt["id"].as_str().unwrap();
    let page = app
        .client
        .get(format!("{}/api/v1/overlap-checks/{id}", app.address))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.headers()["vary"].to_str().unwrap().contains("Accept"));
    let html = page.text().await.unwrap();
    assert!(html.contains("PHIẾU KIỂM TRA TRÙNG LẶP"));
    assert!(html.contains(id));
    assert!(html.contains("CÓ KHẢ NĂNG TRÙNG LẶP"), "{html}");
    assert!(html.contains("Nền tảng hóa đơn điện tử"));
    assert!(html.contains("Bình Dương — Sở Tài chính"));
    assert!(
        html.contains("&lt;dùng chung&gt;"),
        "the title is escaped: {html}"
    );
    assert!(!html.contains("<dùng chung>"));
    // JSON stays the default.
    let json = app.get(&format!("/api/v1/overlap-checks/{id}")).await;
    assert_eq!(json.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn feedback_is_recorded_per_candidate_and_never_changes_the_receipt() {
    let app = spawn_app().await;
    let (receipt, bytes) =
        check(&app, &json!({"title": "Phần mềm hóa đơn điện tử của tỉnh"})).await;
    let id = receipt["id"].as_str().unwrap();
    let path = format!("/api/v1/overlap-checks/{id}/feedback");
    let token = app.btc().await;
    let response = app
        .send(
            Method::POST,
            &path,
            Some(&token),
            Some(&json!({"judgements": [
                {"platform": "nen-tang-hoa-don-dien-tu", "judgement": "duplicate", "note": "  Dùng nền tảng quốc gia.  "},
                {"platform": "etax", "judgement": "unrelated"}
            ]})),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["judged_by"], "BTC");
    assert_eq!(body["judgements"][0]["note"], "Dùng nền tảng quốc gia.");
    let anonymous = app
        .send(
            Method::POST,
            &path,
            None,
            Some(&json!({"judgements": [{"platform": "vneid", "judgement": "related"}]})),
        )
        .await;
    assert_eq!(anonymous.status(), 201);
    assert_eq!(
        anonymous.json::<Value>().await.unwrap()["judged_by"],
        Value::Null
    );
    let again = app.get(&format!("/api/v1/overlap-checks/{id}")).await;
    assert_eq!(again.bytes().await.unwrap().to_vec(), bytes);
    let cases = ndp_registry::relevance::feedback_cases(&mut app.conn().await)
        .await
        .unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["verdict"], "likely_duplicate");
    assert_eq!(
        cases[0]["expected"],
        json!(["nen-tang-hoa-don-dien-tu", "vneid"])
    );
    assert_eq!(cases[0]["title"], "Phần mềm hóa đơn điện tử của tỉnh");
}

#[tokio::test]
async fn bad_feedback_is_refused_naming_every_problem() {
    let app = spawn_app().await;
    let (receipt, _) = check(&app, &json!({"title": "Phần mềm hóa đơn điện tử"})).await;
    let id = receipt["id"].as_str().unwrap();
    let feedback = |id: &str, body: Value| {
        let path = format!("/api/v1/overlap-checks/{id}/feedback");
        let app = &app;
        async move { app.send(Method::POST, &path, None, Some(&body)).await }
    };
    let body = assert_invalid_field(
        feedback(
            id,
            json!({"judgements": [
                {"platform": "Not A Code", "judgement": "duplicate"},
                {"platform": "vneid", "judgement": "related", "note": "x"},
                {"platform": "etax", "judgement": "unrelated", "note": "y"}
            ]}),
        )
        .await,
        "judgements[0].platform",
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "judgements[0].platform",
            "judgements[1].note",
            "judgements[2].note"
        ]
    );
    // A platform judged twice: the last judgement counts.
    let twice = feedback(
        id,
        json!({"judgements": [
            {"platform": "vneid", "judgement": "related"},
            {"platform": "vneid", "judgement": "unrelated"}
        ]}),
    )
    .await;
    assert_eq!(twice.status(), 201);
    assert_eq!(
        twice.json::<Value>().await.unwrap()["judgements"],
        json!([{"platform": "vneid", "judgement": "unrelated", "note": null}])
    );
    let cases = [
        (json!({"judgements": []}), "judgements"),
        (
            json!({"judgements": [{"platform": "khong-co-nen-tang-nay", "judgement": "duplicate"}]}),
            "judgements[0].platform",
        ),
        (
            json!({"judgements": [{"platform": "vneid", "judgement": "maybe"}]}),
            "judgements[0].judgement",
        ),
    ];
    for (body, field) in cases {
        assert_invalid_field(feedback(id, body).await, field).await;
    }
    let good = json!({"judgements": [{"platform": "vneid", "judgement": "related"}]});
    for missing in ["00000000-0000-4000-8000-000000000000", "not-a-uuid"] {
        assert_problem(feedback(missing, good.clone()).await, 404, "not_found").await;
    }
}

#[tokio::test]
async fn a_receipt_lists_other_provinces_checks_of_a_similar_plan() {
    let app = spawn_app().await;
    let plan = |province: &str| {
        json!({
            "title": "Xây dựng hệ thống quản lý văn bản và điều hành của tỉnh",
            "requester": {"province": province}
        })
    };
    let (first, _) = check(&app, &plan("Quảng Ngãi")).await;
    assert_eq!(first["similar_checks"], json!([]));
    let (own, _) = check(&app, &plan("Quang Ngai")).await;
    assert_eq!(
        own["similar_checks"],
        json!([]),
        "a province's own checks are not listed"
    );
    let (other, _) = check(&app, &plan("Gia Lai")).await;
    let similar = other["similar_checks"].as_array().unwrap();
    assert_eq!(similar.len(), 2, "{other}");
    assert!(similar.iter().any(|s| s["id"] == first["id"]));
    let provinces: Vec<&str> = similar
        .iter()
        .map(|s| s["province"].as_str().unwrap())
        .collect();
    assert!(
        provinces.contains(&"Quảng Ngãi") && provinces.contains(&"Quang Ngai"),
        "{provinces:?}"
    );
    assert_eq!(
        similar[0]["title"],
        "Xây dựng hệ thống quản lý văn bản và điều hành của tỉnh"
    );
    let (unrelated, _) = check(
        &app,
        &json!({"title": "Phần mềm quản lý bãi đỗ xe thông minh", "requester": {"province": "Huế"}}),
    )
    .await;
    assert_eq!(unrelated["similar_checks"], json!([]));
}

#[tokio::test]
async fn a_plan_of_framing_words_only_has_no_overlap_and_says_why() {
    let app = spawn_app().await;
    let (receipt, _) = check(
        &app,
        &json!({"title": "Gói thầu số 03: Thuê dịch vụ công nghệ thông tin năm 2026 của tỉnh"}),
    )
    .await;
    assert_eq!(receipt["verdict"], "no_overlap");
    assert!(
        receipt["summary_vi"].as_str().unwrap().contains("từ khung"),
        "{receipt}"
    );
}

#[tokio::test]
async fn a_plan_that_uses_a_platform_does_not_duplicate_it() {
    let app = spawn_app().await;
    let (receipt, _) = check(
        &app,
        &json!({"title": "Hệ thống đặt lịch khám bệnh của bệnh viện tỉnh, xác thực người bệnh qua VNeID"}),
    )
    .await;
    assert_ne!(receipt["verdict"], "likely_duplicate", "{receipt}");
}

#[tokio::test]
async fn a_platform_named_in_a_description_becomes_a_candidate() {
    let app = spawn_app().await;
    let (receipt, _) = check(
        &app,
        &json!({
            "title": "Phần mềm quản lý bãi đỗ xe thông minh",
            "description": "Người dân thanh toán phí gửi xe; tích hợp với Cổng Dịch vụ công quốc gia."
        }),
    )
    .await;
    assert_ne!(receipt["verdict"], "likely_duplicate", "{receipt}");
    assert!(
        receipt["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["platform"] == "cong-dich-vu-cong-quoc-gia"),
        "{receipt}"
    );
}

#[tokio::test]
async fn a_platforms_profile_is_written_by_its_ministry_and_searched() {
    let app = spawn_app().await;
    let vneid = app.get_json("/api/v1/platforms/vneid").await;
    assert!(
        vneid["profile"]["capabilities"].as_array().unwrap().len() >= 3,
        "{vneid}"
    );
    let token = app.btc().await;
    // A merge patch of TABMIS by its owner, against its current tag.
    let patch = |body: Value| {
        let (app, token) = (&app, &token);
        async move {
            let etag = app.etag("/api/v1/platforms/tabmis").await;
            app.client
                .patch(format!("{}/api/v1/platforms/tabmis", app.address))
                .bearer_auth(token)
                .header("content-type", "application/merge-patch+json")
                .header("if-match", etag)
                .body(body.to_string())
                .send()
                .await
                .unwrap()
        }
    };
    let response = patch(json!({"profile": {"aliases": ["Kho bạc số Zephyr"]}})).await;
    assert_eq!(response.status(), 200);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["profile"]["aliases"], json!(["Kho bạc số Zephyr"]));
    assert!(
        !patched["profile"]["capabilities"]
            .as_array()
            .unwrap()
            .is_empty(),
        "a merge patch keeps the other profile fields"
    );
    let found = app.get_json("/api/v1/platforms?q=zephyr").await;
    assert_eq!(found["items"][0]["code"], "tabmis");
    let bad = patch(json!({"profile": {
        "aliases": ["x"], "province_action_note": "y", "capabilities": ["ok phrase", "\u{7}bell"]
    }}))
    .await;
    let body = assert_invalid_field(bad, "profile.aliases[0]").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["profile.capabilities[1]", "profile.province_action_note"] {
        assert!(fields.contains(&field), "{field} in {body}");
    }
}
