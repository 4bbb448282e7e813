//! Overlap checks as a province files them: receipts in Vietnamese and English, the printable
//! page, feedback on candidates, other provinces' similar plans, and what the matcher must not do.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_invalid_field, assert_problem, spawn_app, test_settings};

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
async fn a_programme_title_is_judged_on_what_its_description_says_is_bought() {
    let app = spawn_app().await;
    let description = "Xây dựng phần mềm riêng của tỉnh để đăng ký khai sinh, kết hôn, khai tử, \
        lưu trữ điện tử các sự kiện hộ tịch và in trích lục.";
    let (programme, _) = check(
        &app,
        &json!({
            "title": "Đề án phát triển du lịch thông minh tỉnh Trà Vinh năm 2025",
            "description": description,
            "requester": {"province": "Vĩnh Long"}
        }),
    )
    .await;
    assert_eq!(programme["verdict"], "likely_duplicate", "{programme}");
    assert_eq!(
        programme["candidates"][0]["platform"], "csdl-ho-tich-dien-tu",
        "{programme}"
    );
    assert!(
        programme["summary_vi"]
            .as_str()
            .unwrap()
            .contains("phần mô tả"),
        "{programme}"
    );
    // Another province's programme of another name that buys the same is a similar plan: what is
    // compared is what the description says is bought.
    let (other, _) = check(
        &app,
        &json!({
            "title": "Đề án phát triển nông nghiệp số tỉnh Cà Mau năm 2026",
            "description": description,
            "requester": {"province": "Cà Mau"}
        }),
    )
    .await;
    let similar = other["similar_checks"].as_array().unwrap();
    assert!(
        similar.iter().any(|s| s["id"] == programme["id"]),
        "{other}"
    );
    // A title that names what is bought keeps its say: the description only adds to it.
    let (product, _) = check(
        &app,
        &json!({
            "title": "Gói thầu số 06: Thuê hệ thống bán vé điện tử tại khu di tích",
            "description": "Khách mua vé trực tuyến, quét mã QR khi vào cổng; xuất hóa đơn điện tử cho khách."
        }),
    )
    .await;
    assert_ne!(product["verdict"], "likely_duplicate", "{product}");
}

#[tokio::test]
async fn a_layer_of_a_platform_provinces_connect_to_is_a_part_but_the_link_itself_is_a_copy() {
    let app = spawn_app().await;
    // A province's own document system is a layer of the national document hub, to be connected.
    let (layer, _) = check(
        &app,
        &json!({"title": "Hệ thống gửi, nhận văn bản điện tử giữa các sở, ngành của tỉnh"}),
    )
    .await;
    assert_eq!(layer["verdict"], "possible_overlap", "{layer}");
    assert_eq!(layer["candidates"][0]["platform"], "vxp", "{layer}");
    // Building the link with the ministries is building what the hub is for.
    let (link, _) = check(
        &app,
        &json!({"title": "Hệ thống gửi, nhận văn bản điện tử giữa UBND tỉnh với các bộ, ngành trung ương"}),
    )
    .await;
    assert_eq!(link["verdict"], "likely_duplicate", "{link}");
    assert_eq!(link["candidates"][0]["platform"], "vxp", "{link}");
    assert!(
        link["summary"]
            .as_str()
            .unwrap()
            .contains("connect to it instead of building your own"),
        "{link}"
    );
    assert!(
        link["summary_vi"]
            .as_str()
            .unwrap()
            .contains("nên kết nối với nền tảng này thay vì xây dựng riêng"),
        "{link}"
    );
    // A document system whose description says it connects to the hub is a layer of the hub.
    let (connected, _) = check(
        &app,
        &json!({
            "title": "Thuê phần mềm QLVB&ĐH và HSCV điện tử cho các cơ quan tỉnh",
            "description": "Quản lý văn bản đến, đi; lập hồ sơ công việc, ký số văn bản; gửi, nhận \
                văn bản điện tử với các bộ qua Trục liên thông văn bản quốc gia."
        }),
    )
    .await;
    assert_eq!(connected["verdict"], "possible_overlap", "{connected}");
    assert_eq!(connected["candidates"][0]["platform"], "vxp", "{connected}");
    assert!(
        connected["summary"]
            .as_str()
            .unwrap()
            .contains("a local layer of it, to be connected"),
        "{connected}"
    );
}

#[tokio::test]
async fn a_provincial_system_that_feeds_a_national_database_is_a_part_of_it() {
    let app = spawn_app().await;
    let title = "Phần mềm quản lý hồ sơ cán bộ, công chức, viên chức của tỉnh";
    let (own, _) = check(&app, &json!({"title": title})).await;
    assert_eq!(own["verdict"], "likely_duplicate", "{own}");
    assert_eq!(own["candidates"][0]["platform"], "csdlqg-cbccvc", "{own}");
    let (feeding, _) = check(
        &app,
        &json!({
            "title": title,
            "description": "Các sở, ngành cập nhật hồ sơ, quá trình công tác; dữ liệu được đồng bộ \
                lên cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức của Bộ Nội vụ."
        }),
    )
    .await;
    assert_eq!(feeding["verdict"], "possible_overlap", "{feeding}");
    assert_eq!(
        feeding["candidates"][0]["platform"], "csdlqg-cbccvc",
        "{feeding}"
    );
    assert!(
        feeding["summary"]
            .as_str()
            .unwrap()
            .contains("a local layer of it, to be connected"),
        "{feeding}"
    );
    assert!(
        feeding["summary_vi"]
            .as_str()
            .unwrap()
            .contains("lớp địa phương của nền tảng"),
        "{feeding}"
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

#[tokio::test]
async fn a_repeated_plan_is_judged_alike_until_the_registry_changes() {
    let app = spawn_app().await;
    let plan = json!({"title": "Triển khai phần mềm Zephyr của tỉnh"});
    let (first, _) = check(&app, &plan).await;
    let (second, _) = check(&app, &plan).await;
    assert_ne!(first["id"], second["id"], "every check is a new receipt");
    for field in [
        "verdict",
        "candidates",
        "summary",
        "summary_vi",
        "registry_state",
    ] {
        assert_eq!(first[field], second[field], "{field}");
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for series in [
        "ndp_overlap_judgements_total{result=\"hit\"} 1",
        "ndp_overlap_judgements_total{result=\"miss\"} 1",
        "ndp_overlap_judgements_kept 1",
    ] {
        assert!(metrics.contains(series), "{series} in {metrics}");
    }
    let listed = |receipt: &Value| {
        receipt["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["platform"] == "tabmis")
    };
    assert!(!listed(&first), "{first}");
    // Its owner names TABMIS "Zephyr": the next check of the same plan is judged again.
    let token = app.btc().await;
    let etag = app.etag("/api/v1/platforms/tabmis").await;
    let response = app
        .client
        .patch(format!("{}/api/v1/platforms/tabmis", app.address))
        .bearer_auth(&token)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", etag)
        .body(json!({"profile": {"aliases": ["Zephyr"]}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (third, _) = check(&app, &plan).await;
    assert!(listed(&third), "{third}");
    assert!(
        third["registry_state"]["last_change_id"].as_i64()
            > first["registry_state"]["last_change_id"].as_i64(),
        "{third}"
    );
}

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
            .any(|r| r.as_str().unwrap() == "the title names the platform: \"HĐĐT\"")
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
    // A new check is judged against the new state: one platform fewer, a later change.
    let later: Value = app
        .send(
            Method::POST,
            "/api/v1/overlap-checks",
            None,
            Some(&purchase()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(later["registry_state"]["active_platforms"], 78);
    assert!(
        later["registry_state"]["last_change_id"].as_i64()
            > receipt["registry_state"]["last_change_id"].as_i64()
    );
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

/// Asserts that a receipt says no national platform does the plan, and why, in both languages.
fn assert_no_overlap_because(receipt: &Value, why: &str, why_vi: &str) {
    assert_eq!(receipt["verdict"], "no_overlap", "{receipt}");
    for (field, words) in [("summary", why), ("summary_vi", why_vi)] {
        assert!(
            receipt[field].as_str().unwrap().contains(words),
            "{field} lacks {words}: {receipt}"
        );
    }
}

/// Asserts that the receipt lists `platform` with a reason that contains `words`.
fn assert_listed_with_reason(receipt: &Value, platform: &str, words: &str) {
    let candidate = receipt["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["platform"] == platform)
        .unwrap_or_else(|| panic!("{platform} not listed: {receipt}"));
    assert!(
        candidate["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains(words)),
        "{candidate}"
    );
}

#[tokio::test]
async fn a_plan_for_what_a_platform_is_mistaken_for_says_what_it_does_not_do() {
    let app = spawn_app().await;
    let (receipt, _) = check(
        &app,
        &json!({"title": "Phần mềm tuyển sinh đầu cấp trực tuyến lớp 1, lớp 6 tỉnh Hà Tĩnh năm 2026"}),
    )
    .await;
    assert_no_overlap_because(
        &receipt,
        "does not do \"tuyển sinh đầu cấp\"",
        "không thực hiện \"tuyển sinh đầu cấp\"",
    );
    assert_listed_with_reason(&receipt, "ho-tro-tuyen-sinh-chung", "does not do");
    // The university admissions plan it resembles is still the platform's own.
    let (university, _) = check(
        &app,
        &json!({"title": "Phần mềm đăng ký xét tuyển đại học trực tuyến của tỉnh"}),
    )
    .await;
    assert_ne!(university["verdict"], "no_overlap", "{university}");
    assert_eq!(
        university["candidates"][0]["platform"], "ho-tro-tuyen-sinh-chung",
        "{university}"
    );
}

#[tokio::test]
async fn a_plan_for_training_buys_no_platform_and_says_so() {
    let app = spawn_app().await;
    let (receipt, _) = check(
        &app,
        &json!({"title": "Kế hoạch tổ chức tập huấn sử dụng hệ thống hóa đơn điện tử cho cán bộ thuế tỉnh Gia Lai năm 2026"}),
    )
    .await;
    assert_no_overlap_because(&receipt, "buys training", "dịch vụ đào tạo");
    // The system the course is about is still listed, with the reason it is not the answer.
    assert_listed_with_reason(&receipt, "nen-tang-hoa-don-dien-tu", "a course");
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
