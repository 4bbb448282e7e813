use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_invalid_field, assert_invalid_parameter, assert_problem, spawn_app};

#[tokio::test]
async fn a_published_support_line_is_the_platforms_contact() {
    let app = spawn_app().await;
    let body = app
        .get_json("/api/v1/platforms/dang-ky-giao-dich-bao-dam/contacts")
        .await;
    assert_eq!(body["total"], 1);
    let contact = &body["items"][0];
    assert_eq!(contact["platform"], "dang-ky-giao-dich-bao-dam");
    assert_eq!(contact["ministry"], "BTP");
    assert_eq!(contact["role"], "technical_support");
    assert_eq!(contact["phone"], "024.62739677");
    assert!(contact["source"].as_str().unwrap().contains("024.62739677"));

    let platform = app
        .get_json("/api/v1/platforms/dang-ky-giao-dich-bao-dam")
        .await;
    assert_eq!(platform["contacts"][0]["id"], contact["id"]);
}

#[tokio::test]
async fn contacts_can_be_listed_by_ministry() {
    let app = spawn_app().await;
    let btp = app.get_json("/api/v1/contacts?ministry=btp").await;
    assert_eq!(btp["total"], 1);
    let btc = app.get_json("/api/v1/contacts?ministry=BTC").await;
    assert_eq!(btc["total"], 0);
    let all = app.get_json("/api/v1/contacts").await;
    assert_eq!(all["total"], 1);
}

#[tokio::test]
async fn contacts_of_an_unknown_platform_or_ministry_are_problems() {
    let app = spawn_app().await;
    assert_problem(
        app.get("/api/v1/platforms/nope-nope/contacts").await,
        404,
        "not_found",
    )
    .await;
    assert_invalid_parameter(app.get("/api/v1/contacts?ministry=NOPE").await, "ministry").await;
    assert_invalid_parameter(app.get("/api/v1/contacts?ministry=%21").await, "ministry").await;
    assert_invalid_parameter(app.get("/api/v1/contacts?platform=vneid").await, "platform").await;
}

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
