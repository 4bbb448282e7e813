//! Writing platforms: what is accepted is stored and attributed; what is refused leaves no trace.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_invalid_field, assert_problem, spawn_app};

fn new_platform(code: &str) -> Value {
    json!({
        "code": code,
        "name_vi": "  Hệ thống quản lý văn bản và điều hành ",
        "name_en": "Document management and administration system",
        "short_name": "QLVB",
        "description": "Hệ thống dùng chung để quản lý văn bản.",
        "domains": ["government_operations", "government_operations"],
        "audiences": ["government"],
        "status": "operational",
        "url": "https://qlvb.example.gov.vn",
        "legal_basis": {"number": "123/QĐ-BTC", "date": "2024-05-02"}
    })
}

async fn create(app: &TestApp, token: &str, code: &str) -> reqwest::Response {
    app.send(
        Method::POST,
        "/api/v1/platforms",
        Some(token),
        Some(&new_platform(code)),
    )
    .await
}

#[tokio::test]
async fn a_ministry_creates_its_own_platform_with_location_etag_and_history() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let response = create(&app, &token, "qlvb-btc").await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers().get("location").unwrap(),
        "/api/v1/platforms/qlvb-btc"
    );
    let etag = response
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["ministry"], "BTC");
    assert_eq!(
        body["name_vi"], "Hệ thống quản lý văn bản và điều hành",
        "trimmed and NFC"
    );
    assert_eq!(
        body["domains"],
        json!(["government_operations"]),
        "duplicates folded"
    );
    assert_eq!(body["version"], 1);
    assert_eq!(body["confidence"], "owner_declared");
    assert_eq!(app.etag("/api/v1/platforms/qlvb-btc").await, etag);

    // Who wrote it is shown to operators; the public sees the ministry and a pseudonym.
    let history: Value = app
        .send(
            Method::GET,
            "/api/v1/platforms/qlvb-btc/history",
            Some(&app.operator().await),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["total"], 1);
    let entry = &history["items"][0];
    assert_eq!(entry["action"], "created");
    assert_eq!(entry["actor"]["sub"], "btc-backoffice");
    assert_eq!(entry["actor"]["ministry"], "BTC");
    assert!(entry["actor"]["jti"].as_str().is_some_and(|j| j.len() > 8));
    assert_eq!(
        entry["changes"]["status"],
        json!({"old": null, "new": "operational"})
    );
}

#[tokio::test]
async fn a_ministry_cannot_create_a_platform_for_another_ministry() {
    let app = spawn_app().await;
    let mut body = new_platform("for-bca");
    body["ministry"] = json!("BCA");
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&app.btc().await),
            Some(&body),
        )
        .await;
    let problem = assert_problem(response, 403, "wrong_ministry").await;
    assert!(problem["detail"].as_str().unwrap().contains("BCA"));
    assert_problem(app.get("/api/v1/platforms/for-bca").await, 404, "not_found").await;
    // Naming its own ministry is fine.
    body["ministry"] = json!("btc");
    body["code"] = json!("for-btc");
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&app.btc().await),
            Some(&body),
        )
        .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn a_body_setting_server_fields_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let token = app.btc().await;
    for (field, value) in [
        ("version", json!(7)),
        ("created_at", json!("2020-01-01T00:00:00Z")),
        ("confidence", json!("two_sources")),
    ] {
        let mut body = new_platform("mass-assign");
        body[field] = value;
        let response = app
            .send(Method::POST, "/api/v1/platforms", Some(&token), Some(&body))
            .await;
        assert_invalid_field(response, field).await;
    }
    assert_eq!(app.get("/api/v1/platforms/mass-assign").await.status(), 404);
    let patch = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/tabmis",
            Some(&token),
            Some(&json!({"version": 99})),
        )
        .await;
    assert_invalid_field(patch, "version").await;
    assert_eq!(app.get_json("/api/v1/platforms/tabmis").await["version"], 1);
}

#[tokio::test]
async fn invalid_values_are_422_naming_every_field() {
    let app = spawn_app().await;
    let body = json!({
        "code": "Bad Code", "name_vi": "x", "name_en": "ok name", "domains": [], "status": "operational",
        "url": "javascript:alert(1)", "short_name": "a\u{0007}b"
    });
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&app.btc().await),
            Some(&body),
        )
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["code", "name_vi", "domains", "url", "short_name"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let mut wrong_type = new_platform("wrong-type");
    wrong_type["domains"] = json!("tax");
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&app.btc().await),
            Some(&wrong_type),
        )
        .await;
    assert_invalid_field(response, "domains").await;
    let mut unknown = new_platform("unknown-domain");
    unknown["domains"] = json!(["space"]);
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&app.btc().await),
            Some(&unknown),
        )
        .await;
    assert_invalid_field(response, "domains[0]").await;
    let mut missing = new_platform("missing-name");
    missing.as_object_mut().unwrap().remove("name_en");
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&app.btc().await),
            Some(&missing),
        )
        .await;
    assert_invalid_field(response, "name_en").await;
}

#[tokio::test]
async fn malformed_oversized_and_wrongly_typed_bodies_are_refused() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let post = |content_type: &'static str, body: Vec<u8>| {
        app.client
            .post(format!("{}/api/v1/platforms", app.address))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert_problem(
        post("application/json", b"{\"code\": ".to_vec())
            .await
            .unwrap(),
        400,
        "malformed_json",
    )
    .await;
    assert_problem(
        post("application/json", b"".to_vec()).await.unwrap(),
        400,
        "malformed_json",
    )
    .await;
    assert_problem(
        post("text/plain", b"{}".to_vec()).await.unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    let mut big = new_platform("too-big");
    big["description"] = json!("x".repeat(70 * 1024));
    let body = serde_json::to_vec(&big).unwrap();
    assert_problem(
        post("application/json", body).await.unwrap(),
        413,
        "payload_too_large",
    )
    .await;
    assert_eq!(app.get("/api/v1/platforms/too-big").await.status(), 404);
}

#[tokio::test]
async fn a_duplicate_code_is_409() {
    let app = spawn_app().await;
    let token = app.btc().await;
    assert_eq!(create(&app, &token, "dup-code").await.status(), 201);
    assert_problem(
        create(&app, &token, "dup-code").await,
        409,
        "platform_exists",
    )
    .await;
    assert_problem(create(&app, &token, "vneid").await, 409, "platform_exists").await;
}

#[tokio::test]
async fn a_btc_token_cannot_touch_a_bca_platform() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let before = app.etag("/api/v1/platforms/vneid").await;
    let history = app.history_len("vneid").await;
    let mut replacement = new_platform("vneid");
    replacement.as_object_mut().unwrap().remove("code");
    for (method, body) in [
        (Method::PUT, Some(replacement)),
        (Method::PATCH, Some(json!({"status": "retired"}))),
        (Method::DELETE, None),
    ] {
        let response = app
            .send(
                method.clone(),
                "/api/v1/platforms/vneid",
                Some(&token),
                body.as_ref(),
            )
            .await;
        assert_problem(response, 403, "wrong_ministry").await;
    }
    let transfer = json!({"to": "BTC", "effective_on": "2025-06-01", "reason": "takeover attempt"});
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/vneid/transfer",
            Some(&token),
            Some(&transfer),
        )
        .await;
    assert_problem(response, 403, "operator_only").await;
    let contact = json!({"role": "operations", "name": "Tổng đài", "phone": "024 1234 5678"});
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/vneid/contacts",
            Some(&token),
            Some(&contact),
        )
        .await;
    assert_problem(response, 403, "wrong_ministry").await;
    assert_eq!(
        app.etag("/api/v1/platforms/vneid").await,
        before,
        "nothing changed"
    );
    assert_eq!(app.history_len("vneid").await, history, "nothing recorded");
}

#[tokio::test]
async fn a_stale_if_match_is_412_and_a_current_one_succeeds() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let etag = app.etag("/api/v1/platforms/tabmis").await;
    let patch = |tag: String, status: &'static str| {
        app.client
            .patch(format!("{}/api/v1/platforms/tabmis", app.address))
            .bearer_auth(&token)
            .header("content-type", "application/merge-patch+json")
            .header("if-match", tag)
            .body(json!({"status": status}).to_string())
            .send()
    };
    let first = patch(etag.clone(), "piloting").await.unwrap();
    assert_eq!(first.status(), 200);
    let new_etag = first
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_etag, etag);
    let body = assert_problem(
        patch(etag.clone(), "suspended").await.unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains(&new_etag));
    assert_eq!(
        app.get_json("/api/v1/platforms/tabmis").await["status"],
        "piloting"
    );
    assert_problem(
        patch(format!("W/{new_etag}"), "suspended").await.unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(patch(new_etag, "suspended").await.unwrap().status(), 200);
    let stale_delete = app
        .client
        .delete(format!("{}/api/v1/platforms/tabmis", app.address))
        .bearer_auth(&token)
        .header("if-match", etag)
        .send()
        .await
        .unwrap();
    assert_problem(stale_delete, 412, "precondition_failed").await;
}

#[tokio::test]
async fn of_two_concurrent_updates_with_the_same_etag_exactly_one_wins() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let etag = app.etag("/api/v1/platforms/tabmis").await;
    let versions_before = app.get_json("/api/v1/platforms/tabmis").await["version"]
        .as_i64()
        .unwrap();
    let send = |url: String, status: &'static str| {
        app.client
            .patch(url)
            .bearer_auth(&token)
            .header("content-type", "application/merge-patch+json")
            .header("if-match", etag.clone())
            .body(json!({"status": status}).to_string())
            .send()
    };
    let url = format!("{}/api/v1/platforms/tabmis", app.address);
    let (a, b) = tokio::join!(send(url.clone(), "suspended"), send(url, "piloting"));
    let mut statuses = vec![a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 412]);
    let after = app.get_json("/api/v1/platforms/tabmis").await;
    assert_eq!(after["version"].as_i64().unwrap(), versions_before + 1);
    let history = app.get_json("/api/v1/platforms/tabmis/history").await;
    assert_eq!(
        history["items"][0]["changes"]["status"]["new"],
        after["status"]
    );
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_creates_nothing_new() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let post = |body: Value| {
        app.client
            .post(format!("{}/api/v1/platforms", app.address))
            .bearer_auth(&token)
            .header("idempotency-key", "retry-123")
            .json(&body)
            .send()
    };
    let first = post(new_platform("idem")).await.unwrap();
    assert_eq!(first.status(), 201);
    let first_etag = first.headers().get("etag").unwrap().clone();
    let first_body: Value = first.json().await.unwrap();
    let retry = post(new_platform("idem")).await.unwrap();
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers().get("etag").unwrap(), first_etag);
    assert_eq!(
        retry.headers().get("location").unwrap(),
        "/api/v1/platforms/idem"
    );
    assert_eq!(retry.json::<Value>().await.unwrap(), first_body);
    assert_eq!(app.history_len("idem").await, 1);
    let other = post(new_platform("idem-other")).await.unwrap();
    let body = assert_problem(other, 422, "idempotency_key_reused").await;
    assert!(body["detail"].as_str().unwrap().contains("different"));
    assert_eq!(app.get("/api/v1/platforms/idem-other").await.status(), 404);
}

#[tokio::test]
async fn a_merge_patch_changes_only_the_fields_it_names_and_null_clears() {
    let app = spawn_app().await;
    let token = app.btc().await;
    create(&app, &token, "patch-me").await;
    let response = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/patch-me",
            Some(&token),
            Some(&json!({"url": null, "ndxp_status": "connected"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body["url"].is_null());
    assert_eq!(body["ndxp_status"], "connected");
    assert_eq!(body["short_name"], "QLVB");
    assert_eq!(body["version"], 2);
    let history = app.get_json("/api/v1/platforms/patch-me/history").await;
    let changes = &history["items"][0]["changes"];
    assert_eq!(
        changes["url"],
        json!({"old": "https://qlvb.example.gov.vn", "new": null})
    );
    assert_eq!(changes.as_object().unwrap().len(), 2);
    // The same patch again changes nothing and records nothing.
    let again = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/patch-me",
            Some(&token),
            Some(&json!({"ndxp_status": "connected"})),
        )
        .await;
    assert_eq!(again.json::<Value>().await.unwrap()["version"], 2);
    assert_eq!(app.history_len("patch-me").await, 2);
    let immutable = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/patch-me",
            Some(&token),
            Some(&json!({"code": "renamed"})),
        )
        .await;
    assert_invalid_field(immutable, "code").await;
    let not_object = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/patch-me",
            Some(&token),
            Some(&json!([1, 2])),
        )
        .await;
    assert_invalid_field(not_object, "body").await;
}

#[tokio::test]
async fn put_replaces_every_writable_field() {
    let app = spawn_app().await;
    let token = app.btc().await;
    create(&app, &token, "put-me").await;
    let replacement = json!({"name_vi": "Tên mới", "name_en": "New name", "domains": ["tax"], "status": "planned"});
    let response = app
        .send(
            Method::PUT,
            "/api/v1/platforms/put-me",
            Some(&token),
            Some(&replacement),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name_vi"], "Tên mới");
    assert!(body["short_name"].is_null() && body["url"].is_null() && body["legal_basis"].is_null());
    assert_eq!(body["ministry"], "BTC");
}

#[tokio::test]
async fn delete_retires_and_the_platform_stays_readable_with_its_history() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let response = app
        .send(
            Method::DELETE,
            "/api/v1/platforms/tabmis",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = app.get_json("/api/v1/platforms/tabmis").await;
    assert_eq!(body["status"], "retired");
    let history = app.get_json("/api/v1/platforms/tabmis/history").await;
    assert_eq!(history["items"][0]["action"], "retired");
    assert_eq!(history["items"][0]["changes"]["status"]["new"], "retired");
    let again = app
        .send(
            Method::DELETE,
            "/api/v1/platforms/tabmis",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        app.history_len("tabmis").await,
        history["total"].as_i64().unwrap()
    );
    let missing = app
        .send(
            Method::DELETE,
            "/api/v1/platforms/no-such-platform",
            Some(&token),
            None,
        )
        .await;
    assert_problem(missing, 404, "not_found").await;
}

#[tokio::test]
async fn an_operator_transfer_is_recorded_in_the_ownership_and_the_history() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    let transfer = json!({"to": "BTC", "effective_on": "2025-07-01", "reason": "Chuyển chức năng theo quyết định"});
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/vneid/transfer",
            Some(&operator),
            Some(&transfer),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["ministry"], "BTC");
    let owners = body["ownership_history"].as_array().unwrap();
    assert_eq!(owners.len(), 2);
    assert_eq!(owners[0]["ministry"], "BCA");
    assert_eq!(owners[0]["to"], "2025-06-30");
    assert_eq!(owners[1]["from"], "2025-07-01");
    let history: Value = app
        .send(
            Method::GET,
            "/api/v1/platforms/vneid/history",
            Some(&operator),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let entry = &history["items"][0];
    assert_eq!(entry["action"], "transferred");
    assert_eq!(
        entry["changes"]["ministry"],
        json!({"old": "BCA", "new": "BTC"})
    );
    assert_eq!(entry["actor"]["sub"], "registry-operator");
    assert!(entry["actor"]["ministry"].is_null());
    // BTC now writes it; BCA no longer can.
    let bca = app.token("BCA", "platforms:write").await;
    let patch = json!({"status": "operational"});
    assert_problem(
        app.send(
            Method::PATCH,
            "/api/v1/platforms/vneid",
            Some(&bca),
            Some(&patch),
        )
        .await,
        403,
        "wrong_ministry",
    )
    .await;
    assert_eq!(
        app.send(
            Method::PATCH,
            "/api/v1/platforms/vneid",
            Some(&app.btc().await),
            Some(&patch)
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn bad_transfers_are_refused_and_leave_no_trace() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    let history = app.history_len("he-thong-mang-dau-thau-quoc-gia").await;
    for (body, field) in [
        (
            json!({"to": "BTC", "effective_on": "2025-07-01", "reason": "same owner"}),
            "to",
        ),
        (
            json!({"to": "BKHDT", "effective_on": "2025-07-01", "reason": "merged owner"}),
            "to",
        ),
        (
            json!({"to": "NOPE", "effective_on": "2025-07-01", "reason": "unknown"}),
            "to",
        ),
        (
            json!({"to": "BCA", "effective_on": "2024-01-01", "reason": "before the current period"}),
            "effective_on",
        ),
        (
            json!({"to": "BCA", "effective_on": "2999-01-01", "reason": "future"}),
            "effective_on",
        ),
        (
            json!({"to": "BCA", "effective_on": "01/07/2025", "reason": "bad date"}),
            "effective_on",
        ),
        (json!({"to": "BCA", "effective_on": "2025-07-01"}), "reason"),
    ] {
        let response = app
            .send(
                Method::POST,
                "/api/v1/platforms/he-thong-mang-dau-thau-quoc-gia/transfer",
                Some(&operator),
                Some(&body),
            )
            .await;
        assert_invalid_field(response, field).await;
    }
    assert_eq!(
        app.history_len("he-thong-mang-dau-thau-quoc-gia").await,
        history
    );
    assert_eq!(
        app.get_json("/api/v1/platforms/he-thong-mang-dau-thau-quoc-gia")
            .await["ministry"],
        "BTC"
    );
}

#[tokio::test]
async fn an_operator_must_name_the_owner_of_a_new_platform() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    assert_invalid_field(create(&app, &operator, "no-owner").await, "ministry").await;
    let mut body = new_platform("owned-by-byt");
    body["ministry"] = json!("BYT");
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&operator),
            Some(&body),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.json::<Value>().await.unwrap()["ministry"], "BYT");
    body["code"] = json!("owned-by-merged");
    body["ministry"] = json!("BGTVT");
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&operator),
            Some(&body),
        )
        .await;
    assert_invalid_field(response, "ministry").await;
}

/// Sends `body` and returns the fields its 422 names, sorted.
async fn rejected_fields(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
) -> Vec<String> {
    let response = app.send(method, path, Some(token), Some(body)).await;
    problem_fields(response)
        .await
        .into_iter()
        .map(|(f, _)| f)
        .collect()
}

/// The fields named in a 422's `errors`, sorted.
async fn problem_fields(response: reqwest::Response) -> Vec<(String, String)> {
    let problem = assert_problem(response, 422, "validation_failed").await;
    let mut fields: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    fields.sort();
    fields
}

#[tokio::test]
async fn a_body_with_five_mistakes_gets_five_errors_in_one_answer() {
    let app = spawn_app().await;
    // Missing `name_en`, unknown `colour`, mistyped `status`, invalid `code`, too short `name_vi`.
    let body = json!({
        "code": "X Y", "name_vi": "A", "domains": ["tax"], "status": 5, "colour": "blue"
    });
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&app.btc().await),
            Some(&body),
        )
        .await;
    let fields = problem_fields(response).await;
    let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        names,
        ["code", "colour", "name_en", "name_vi", "status"],
        "{fields:?}"
    );
    let message = |name: &str| &fields.iter().find(|(f, _)| f == name).unwrap().1;
    assert_eq!(message("name_en"), "is required");
    assert!(message("colour").starts_with("is not a field of this resource"));
    assert!(message("status").contains("expected"), "{fields:?}");
    // Nothing was created.
    assert_eq!(app.get("/api/v1/platforms/x-y").await.status(), 404);
}

#[tokio::test]
async fn a_merge_patch_and_a_bulk_set_name_every_problem_too() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let patch = json!({"name_vi": "", "status": "bogus", "legal_basis": {"number": 7}, "extra": 1});
    let names = rejected_fields(
        &app,
        Method::PATCH,
        "/api/v1/platforms/tabmis",
        &token,
        &patch,
    )
    .await;
    assert_eq!(names, ["extra", "legal_basis.number", "name_vi", "status"]);

    let set = json!([
        {"code": "bulk-one", "name_vi": "Một", "name_en": "One", "domains": ["tax"], "status": "operational", "x": 1},
        {"code": "bulk-two", "name_vi": "Hai", "domains": ["tax"], "status": "operational"},
        {"code": "bulk-three", "name_vi": "B", "name_en": "Three", "domains": ["tax"], "status": "operational"}
    ]);
    let names = rejected_fields(
        &app,
        Method::PUT,
        "/api/v1/ministries/BTC/platforms",
        &token,
        &set,
    )
    .await;
    assert_eq!(names, ["[0].x", "[1].name_en", "[2].name_vi"]);
    assert_eq!(app.get("/api/v1/platforms/bulk-one").await.status(), 404);
}

#[tokio::test]
async fn a_transfer_on_the_day_a_platform_was_created_corrects_its_owner() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    let mut body = new_platform("created-today");
    body["ministry"] = json!("BCA");
    let created = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&operator),
            Some(&body),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let today = created["ownership_history"][0]["from"].clone();
    assert!(today.is_string(), "{created}");
    let transfer =
        json!({"to": "BTC", "effective_on": today, "reason": "Nhập nhầm cơ quan chủ quản"});
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/created-today/transfer",
            Some(&operator),
            Some(&transfer),
        )
        .await;
    assert_eq!(response.status(), 200);
    let platform: Value = response.json().await.unwrap();
    assert_eq!(platform["ministry"], "BTC");
    // One period, corrected: BCA never owned it.
    let owners = platform["ownership_history"].as_array().unwrap();
    assert_eq!(owners.len(), 1, "{owners:?}");
    assert_eq!(owners[0]["ministry"], "BTC");
    assert_eq!(owners[0]["from"], today);
    assert_eq!(owners[0]["to"], Value::Null);
    let history = app
        .get_json("/api/v1/platforms/created-today/history")
        .await;
    let entry = &history["items"][0];
    assert_eq!(entry["action"], "transferred");
    assert_eq!(entry["changes"]["corrects_period"]["new"], today);
    assert_eq!(
        entry["changes"]["ministry"],
        json!({"old": "BCA", "new": "BTC"})
    );
    // A day before the period began is still refused, and names the day.
    let before = json!({"to": "BCA", "effective_on": "2020-01-01", "reason": "earlier"});
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/created-today/transfer",
            Some(&operator),
            Some(&before),
        )
        .await;
    let problem = assert_invalid_field(response, "effective_on").await;
    assert!(
        problem
            .to_string()
            .contains("current ownership period began"),
        "{problem}"
    );
}
