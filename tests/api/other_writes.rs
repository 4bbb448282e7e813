//! Writing contacts, agencies and list memberships.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_invalid_field, assert_problem, spawn_app};

fn contact() -> Value {
    json!({"role": "operations", "name": "Tổng đài vận hành", "unit": "Cục Tin học và Thống kê tài chính",
           "email": "hotro@example.gov.vn", "phone": "024 1234 5678"})
}

#[tokio::test]
async fn a_ministry_manages_the_contacts_of_its_platform_with_history() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let version = app.get_json("/api/v1/platforms/tabmis").await["version"]
        .as_i64()
        .unwrap();
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/tabmis/contacts",
            Some(&token),
            Some(&contact()),
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
    let created: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/contacts/{}", created["id"]));
    assert_eq!(created["platform"], "tabmis");
    assert_eq!(app.get_json(&location).await, created);
    let platform = app.get_json("/api/v1/platforms/tabmis").await;
    assert_eq!(
        platform["version"].as_i64().unwrap(),
        version + 1,
        "a contact change is a platform change"
    );
    assert_eq!(platform["contacts"][0]["id"], created["id"]);

    let etag = app.etag(&location).await;
    let patch = app
        .client
        .patch(format!("{}{location}", app.address))
        .bearer_auth(&token)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", &etag)
        .body(json!({"email": "vanhanh@example.gov.vn", "unit": null}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 200);
    let patched: Value = patch.json().await.unwrap();
    assert_eq!(patched["email"], "vanhanh@example.gov.vn");
    assert!(patched["unit"].is_null());
    assert_eq!(patched["version"], 2);
    let stale = app
        .client
        .delete(format!("{}{location}", app.address))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem(stale, 412, "precondition_failed").await;
    let deleted = app
        .send(Method::DELETE, &location, Some(&token), None)
        .await;
    assert_eq!(deleted.status(), 204);
    assert_problem(app.get(&location).await, 404, "not_found").await;

    let history = app.get_json("/api/v1/platforms/tabmis/history").await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..3],
        ["contact_removed", "contact_updated", "contact_added"]
    );
    assert_eq!(
        history["items"][0]["changes"]["email"]["old"],
        "vanhanh@example.gov.vn"
    );
    assert_eq!(
        history["items"][1]["changes"]["email"],
        json!({"old": "hotro@example.gov.vn", "new": "vanhanh@example.gov.vn"})
    );
}

#[tokio::test]
async fn a_btc_token_cannot_change_a_bca_platforms_contacts() {
    let app = spawn_app().await;
    let bca = app.token("BCA", "contacts:write").await;
    let created: Value = app
        .send(
            Method::POST,
            "/api/v1/platforms/vneid/contacts",
            Some(&bca),
            Some(&contact()),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/contacts/{}", created["id"]);
    let btc = app.btc().await;
    let patch = app
        .send(
            Method::PATCH,
            &path,
            Some(&btc),
            Some(&json!({"name": "Đã bị sửa"})),
        )
        .await;
    assert_problem(patch, 403, "wrong_ministry").await;
    assert_problem(
        app.send(Method::DELETE, &path, Some(&btc), None).await,
        403,
        "wrong_ministry",
    )
    .await;
    assert_eq!(app.get_json(&path).await["name"], "Tổng đài vận hành");
}

#[tokio::test]
async fn invalid_contacts_are_422_naming_the_field() {
    let app = spawn_app().await;
    let token = app.btc().await;
    for (body, field) in [
        (
            json!({"role": "operations", "name": "Không có kênh"}),
            "email",
        ),
        (
            json!({"role": "operations", "name": "Sai email", "email": "not-an-email"}),
            "email",
        ),
        (
            json!({"role": "operations", "name": "Sai số", "phone": "call me"}),
            "phone",
        ),
        (
            json!({"role": "hotline", "name": "Sai vai trò", "phone": "024 1234 5678"}),
            "role",
        ),
        (
            json!({"role": "operations", "name": "Thừa trường", "phone": "024 1234 5678", "id": 5}),
            "id",
        ),
        (
            json!({"role": "operations", "name": "Sai url", "url": "ftp://x.vn"}),
            "url",
        ),
    ] {
        let response = app
            .send(
                Method::POST,
                "/api/v1/platforms/tabmis/contacts",
                Some(&token),
                Some(&body),
            )
            .await;
        assert_invalid_field(response, field).await;
    }
    assert_eq!(
        app.get_json("/api/v1/platforms/tabmis/contacts").await["total"],
        0
    );
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/platforms/nope/contacts",
            Some(&token),
            Some(&contact()),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.get("/api/v1/contacts/abc").await, 404, "not_found").await;
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
