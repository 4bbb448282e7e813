use crate::helpers::{assert_invalid_parameter, assert_problem, spawn_app};

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
