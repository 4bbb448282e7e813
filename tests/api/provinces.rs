//! Provinces as users: the 34 units and their predecessors, province tokens, adoption records,
//! decisions on overlap-check receipts and the national picture in the statistics.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_invalid_field, assert_invalid_parameter, assert_problem, spawn_app,
    test_settings,
};

const PROVINCES_CSV: &str = include_str!("../../seeds/provinces.csv");

fn in_use(since: &str) -> Value {
    json!({"status": "in_use", "since": since, "local_system": "Cổng dịch vụ công tỉnh Bình Dương",
           "note": "Đăng nhập một lần bằng VNeID.", "evidence_url": "https://dichvucong.gov.vn"})
}

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> Response {
    app.send(Method::PUT, path, Some(token), Some(body)).await
}

async fn put_if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    etag: &str,
    body: &Value,
) -> Response {
    app.client
        .put(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("if-match", etag)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A token signed with the test servers' secret, with any claims.
fn hs256(claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(crate::helpers::TEST_JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// A purchase the registry answers `likely_duplicate` (the national e-invoice platform),
/// requested by `province`.
fn purchase(province: Option<&str>) -> Value {
    let mut body = json!({
        "title": "Xây dựng hệ thống HĐĐT dùng chung của tỉnh",
        "description": "Phần mềm phát hành, tiếp nhận và tra cứu hóa đơn điện tử cho doanh nghiệp trên địa bàn tỉnh.",
        "domains": ["tax"],
        "audiences": ["businesses"],
    });
    if let Some(p) = province {
        body["requester"] = json!({"province": p, "unit": "Sở Khoa học và Công nghệ"});
    }
    body
}

/// Runs an overlap check and returns its id and the receipt's exact bytes.
async fn check(app: &TestApp, province: Option<&str>) -> (String, Vec<u8>) {
    let response = app
        .send(
            Method::POST,
            "/api/v1/overlap-checks",
            None,
            Some(&purchase(province)),
        )
        .await;
    assert_eq!(response.status(), 201);
    let bytes = response.bytes().await.unwrap().to_vec();
    let receipt: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(receipt["verdict"], "likely_duplicate");
    (receipt["id"].as_str().unwrap().to_owned(), bytes)
}

async fn decide(app: &TestApp, id: &str, token: &str, body: &Value) -> Response {
    app.send(
        Method::POST,
        &format!("/api/v1/overlap-checks/{id}/decision"),
        Some(token),
        Some(body),
    )
    .await
}

async fn feed(app: &TestApp) -> Vec<Value> {
    app.get_json("/api/v1/changes?limit=1000").await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn the_34_provinces_are_listed_in_pages_with_their_predecessors() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/provinces").await;
    assert_eq!(response.status(), 200);
    let link = header(&response, "link");
    assert!(
        link.contains("rel=\"next\"") && link.contains("page=2"),
        "{link}"
    );
    let first: Value = response.json().await.unwrap();
    assert_eq!(first["total"], 34);
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    let second = app.get_json("/api/v1/provinces?page=2").await;
    assert_eq!(second["items"].as_array().unwrap().len(), 14);
    let all: Vec<Value> = [first, second]
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .collect();
    let cities = all.iter().filter(|p| p["kind"] == "city").count();
    assert_eq!((all.len(), cities), (34, 6));
    let merged: usize = all
        .iter()
        .map(|p| p["predecessors"].as_array().unwrap().len())
        .sum();
    assert_eq!(merged, 52);
    let hcm = all.iter().find(|p| p["code"] == "HCM").unwrap();
    assert_eq!(hcm["name_vi"], "Thành phố Hồ Chí Minh");
    assert_eq!(hcm["formed_on"], "2025-07-01");
    assert_eq!(
        hcm["predecessors"],
        json!(["Hồ Chí Minh", "Bình Dương", "Bà Rịa – Vũng Tàu"])
    );
    assert!(hcm["source"].as_str().unwrap().contains("202/2025/QH15"));
    let hanoi = all.iter().find(|p| p["code"] == "HN").unwrap();
    assert_eq!(hanoi["formed_on"], Value::Null);
    assert_eq!(hanoi["predecessors"], json!([]));
    assert_invalid_parameter(app.get("/api/v1/provinces?per_page=1000").await, "per_page").await;
}

#[tokio::test]
async fn every_former_province_name_resolves_to_its_successor() {
    let app = spawn_app().await;
    let mut names = 0;
    for line in PROVINCES_CSV.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let (code, name) = (fields[0], fields[1]);
        let mut given: Vec<String> = vec![
            code.to_owned(),
            code.to_lowercase(),
            name.to_owned(),
            ndp_registry::domain::fold_for_search(name),
        ];
        for predecessor in fields[4].split(';').filter(|p| !p.trim().is_empty()) {
            names += 1;
            given.push(predecessor.trim().to_owned());
            given.push(ndp_registry::domain::fold_for_search(predecessor).to_uppercase());
        }
        for raw in given {
            let path = format!("/api/v1/provinces/{}", urlencode(&raw));
            let response = app.get(&path).await;
            assert_eq!(response.status(), 200, "{raw}");
            assert_eq!(
                header(&response, "content-location"),
                format!("/api/v1/provinces/{code}")
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["code"], code, "{raw} resolves to {code}");
        }
    }
    assert_eq!(names, 52);
    for (former, successor) in [
        ("Bình Dương", "HCM"),
        ("ha giang", "TQU"),
        ("Ba Ria - Vung Tau", "HCM"),
    ] {
        let body = app
            .get_json(&format!("/api/v1/provinces/{}", urlencode(former)))
            .await;
        assert_eq!(body["code"], successor, "{former}");
    }
}

fn urlencode(raw: &str) -> String {
    form_urlencoded::byte_serialize(raw.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[tokio::test]
async fn an_unknown_province_is_a_404_in_a_path_and_a_400_in_a_filter() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    for path in [
        "/api/v1/provinces/Atlantis",
        "/api/v1/provinces/XX/adoptions",
        "/api/v1/provinces/XX/adoptions/vneid",
        "/api/v1/provinces/XX/adoptions/vneid/history",
    ] {
        let body = assert_problem(app.get(path).await, 404, "province_not_found").await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("/api/v1/provinces")
        );
    }
    let response = put(
        &app,
        "/api/v1/provinces/Atlantis/adoptions/vneid",
        &operator,
        &in_use("2025-08-01"),
    )
    .await;
    assert_problem(response, 404, "province_not_found").await;
    assert_invalid_parameter(
        app.get("/api/v1/adoptions?province=Atlantis").await,
        "province",
    )
    .await;
    assert_invalid_parameter(
        app.get("/api/v1/adoptions/matrix?province=Atlantis").await,
        "province",
    )
    .await;
    assert_invalid_parameter(
        app.get("/api/v1/adoptions?platform=no-such-platform").await,
        "platform",
    )
    .await;
    assert_invalid_parameter(app.get("/api/v1/adoptions?status=using").await, "status").await;
    // A NUL names nothing: PostgreSQL text cannot hold one, so it never reaches the database.
    let body = assert_invalid_parameter(
        app.get("/api/v1/adoptions/matrix?province=%C2%848~%00&platform=vn%00eid")
            .await,
        "province",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "platform");
    let response = put(
        &app,
        "/api/v1/provinces/HCM/adoptions/no-such-platform",
        &operator,
        &in_use("2025-08-01"),
    )
    .await;
    assert_problem(response, 404, "not_found").await;
    assert_problem(
        app.get("/api/v1/platforms/no-such-platform/adoptions")
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/provinces/HCM/adoptions/vneid").await,
        404,
        "adoption_not_found",
    )
    .await;
}

#[tokio::test]
async fn a_province_records_its_use_of_a_platform_with_history_etags_and_feed_entries() {
    let app = spawn_app().await;
    let hcm = app.province_token("HCM", "adoptions:write").await;
    let path = "/api/v1/provinces/HCM/adoptions/vneid";
    // If-Match on a record that does not exist yet cannot match.
    let response = put_if_match(&app, path, &hcm, "\"abc\"", &in_use("2025-08-01")).await;
    assert_problem(response, 412, "precondition_failed").await;
    let response = put(&app, path, &hcm, &in_use("2025-08-01")).await;
    assert_eq!(response.status(), 201);
    assert_eq!(header(&response, "location"), path);
    let created_tag = header(&response, "etag");
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["province"], "HCM");
    assert_eq!(created["platform"], "vneid");
    assert_eq!(created["ministry"], "BCA");
    assert_eq!(created["status"], "in_use");
    assert_eq!(created["version"], 1);
    assert_eq!(app.etag(path).await, created_tag);
    let not_modified = app
        .client
        .get(format!("{}{path}", app.address))
        .header("if-none-match", &created_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    // The same body again changes nothing.
    let same = put(&app, path, &hcm, &in_use("2025-08-01")).await;
    assert_eq!(same.status(), 200);
    assert_eq!(same.json::<Value>().await.unwrap()["version"], 1);
    // A former province's name writes the successor's record.
    let stopped =
        json!({"status": "stopped", "since": "2025-10-01", "note": "Chuyển sang nền tảng mới."});
    let response = put_if_match(
        &app,
        "/api/v1/provinces/B%C3%ACnh%20D%C6%B0%C6%A1ng/adoptions/vneid",
        &hcm,
        &created_tag,
        &stopped,
    )
    .await;
    assert_eq!(response.status(), 200);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(
        (updated["status"].as_str(), updated["version"].as_i64()),
        (Some("stopped"), Some(2))
    );
    assert_eq!(updated["local_system"], Value::Null);
    // The old tag is stale now.
    let response = put_if_match(&app, path, &hcm, &created_tag, &in_use("2025-11-01")).await;
    assert_problem(response, 412, "precondition_failed").await;
    assert_eq!(app.get_json(path).await["status"], "stopped");

    // Who wrote it is shown to operators; the public sees the province and a pseudonym.
    let public = app.get_json(&format!("{path}/history")).await;
    assert_eq!(public["items"][0]["actor"]["province"], "HCM");
    assert!(public["items"][0]["actor"]["writer"].as_str().is_some());
    assert!(public["items"][0]["actor"].get("jti").is_none());
    let history = operator_history(&app, path).await;
    assert_eq!(history["total"], 2);
    let latest = &history["items"][0];
    assert_eq!(latest["action"], "adoption_updated");
    assert_eq!(latest["entity"], "adoption");
    assert_eq!(latest["entity_key"], "HCM/vneid");
    assert_eq!(latest["actor"]["province"], "HCM");
    assert_eq!(latest["actor"]["sub"], "province:HCM");
    assert!(latest["actor"]["jti"].as_str().is_some());
    assert_eq!(
        latest["changes"]["status"],
        json!({"old": "in_use", "new": "stopped"})
    );
    assert_eq!(history["items"][1]["action"], "adoption_recorded");

    let entries: Vec<Value> = feed(&app)
        .await
        .into_iter()
        .filter(|e| e["entity"] == "adoption")
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["key"], "HCM/vneid");
    assert_eq!(entries[1]["state"]["status"], "stopped");
    assert_eq!(entries[1]["actor"]["province"], "HCM");

    // The public reads.
    let by_platform = app.get_json("/api/v1/platforms/vneid/adoptions").await;
    assert_eq!(by_platform["total"], 1);
    assert_eq!(by_platform["items"][0]["province"], "HCM");
    let by_province = app
        .get_json("/api/v1/provinces/hcm/adoptions?status=stopped")
        .await;
    assert_eq!(by_province["total"], 1);
    let none = app
        .get_json("/api/v1/provinces/HCM/adoptions?status=in_use")
        .await;
    assert_eq!(none["total"], 0);
    let filtered = app
        .get_json("/api/v1/adoptions?status=stopped&platform=vneid&province=ba%20ria%20vung%20tau")
        .await;
    assert_eq!(filtered["total"], 1);
    assert_eq!(
        app.get_json("/api/v1/adoptions?province=DNG").await["total"],
        0
    );
}

#[tokio::test]
async fn an_adoption_change_is_delivered_to_the_platform_owners_webhook() {
    use crate::webhooks::{SECRET, receiver, subscribe, verify, wait_for};
    let app = spawn_app().await;
    let (url, received) = receiver(0).await;
    subscribe(
        &app,
        json!({"url": url, "secret": SECRET, "ministry": "BCA", "events": ["adoption"]}),
    )
    .await;
    let hcm = app.province_token("HCM", "adoptions:write").await;
    let response = put(
        &app,
        "/api/v1/provinces/HCM/adoptions/vneid",
        &hcm,
        &in_use("2025-08-01"),
    )
    .await;
    assert_eq!(response.status(), 201);
    let delivered = wait_for(&received, 1).await;
    assert_eq!(delivered.len(), 1);
    let (signature, event, body) = &delivered[0];
    assert!(verify(signature, body));
    assert_eq!(event, "adoption_recorded");
    let payload: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(payload["entity"], "adoption");
    assert_eq!(payload["key"], "HCM/vneid");
    assert_eq!(payload["state"]["ministry"], "BCA");
}

#[tokio::test]
async fn every_cross_province_write_is_refused_and_leaves_nothing() {
    let app = spawn_app().await;
    let hcm = app
        .province_token("HCM", "adoptions:write decisions:write")
        .await;
    for path in [
        "/api/v1/provinces/DNG/adoptions/vneid",
        "/api/v1/provinces/Qu%E1%BA%A3ng%20Nam/adoptions/vneid",
        "/api/v1/provinces/quang%20nam/adoptions/vneid",
    ] {
        let body = assert_problem(
            put(&app, path, &hcm, &in_use("2025-08-01")).await,
            403,
            "wrong_province",
        )
        .await;
        assert!(body["detail"].as_str().unwrap().contains("DNG"));
    }
    assert_eq!(
        app.get_json("/api/v1/provinces/DNG/adoptions").await["total"],
        0
    );
    // A receipt requested by Quảng Nam (now Đà Nẵng) is Đà Nẵng's to decide.
    let (id, _) = check(&app, Some("Quảng Nam")).await;
    let response = decide(&app, &id, &hcm, &json!({"decision": "cancelled"})).await;
    assert_problem(response, 403, "wrong_province").await;
    // Naming another province in the body is refused too.
    let (own, _) = check(&app, None).await;
    let response = decide(
        &app,
        &own,
        &hcm,
        &json!({"decision": "cancelled", "province": "Đà Nẵng"}),
    )
    .await;
    assert_problem(response, 403, "wrong_province").await;
    for id in [&id, &own] {
        assert_problem(
            app.get(&format!("/api/v1/overlap-checks/{id}/decision"))
                .await,
            404,
            "decision_not_found",
        )
        .await;
    }
    // The right province may.
    let dng = app.province_token("Đà Nẵng", "decisions:write").await;
    assert_eq!(
        decide(&app, &id, &dng, &json!({"decision": "cancelled"}))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn a_province_token_never_writes_platforms_contacts_agencies_lists_or_webhooks() {
    let app = spawn_app().await;
    let hcm = app
        .province_token("HCM", "adoptions:write decisions:write")
        .await;
    let vneid_before = app.get_json("/api/v1/platforms/vneid").await;
    let attempts: Vec<(Method, &str, Value)> = vec![
        (
            Method::POST,
            "/api/v1/platforms",
            json!({"code": "he-thong-tinh", "name_vi": "Hệ thống", "name_en": "System"}),
        ),
        (
            Method::PUT,
            "/api/v1/platforms/vneid",
            json!({"name_vi": "x"}),
        ),
        (
            Method::PATCH,
            "/api/v1/platforms/vneid",
            json!({"status": "retired"}),
        ),
        (Method::DELETE, "/api/v1/platforms/vneid", Value::Null),
        (
            Method::POST,
            "/api/v1/platforms/vneid/contacts",
            json!({"role": "operations", "name": "Tổng đài", "phone": "024 1234 5678"}),
        ),
        (
            Method::POST,
            "/api/v1/ministries",
            json!({"code": "XYZ", "code_vi": "XYZ", "name_vi": "Bộ X", "name_en": "X", "kind": "ministry"}),
        ),
        (
            Method::PUT,
            "/api/v1/ministries/BCA/platforms",
            json!({"platforms": []}),
        ),
        (
            Method::PUT,
            "/api/v1/lists/cv-2765-2024/platforms/vneid",
            Value::Null,
        ),
        (
            Method::POST,
            "/api/v1/webhooks",
            json!({"url": "https://example.gov.vn/hook", "secret": "a-long-random-shared-secret"}),
        ),
    ];
    for (method, path, body) in attempts {
        let body = (!body.is_null()).then_some(body);
        let response = app
            .send(method.clone(), path, Some(&hcm), body.as_ref())
            .await;
        assert_eq!(response.status(), 403, "{method} {path}");
        let problem: Value = response.json().await.unwrap();
        assert!(
            ["insufficient_scope", "operator_only", "wrong_ministry"]
                .contains(&problem["code"].as_str().unwrap()),
            "{method} {path}: {problem}"
        );
    }
    assert_eq!(app.get_json("/api/v1/platforms/vneid").await, vneid_before);
    assert_eq!(
        app.get_json("/api/v1/ministries?per_page=100").await["total"],
        32
    );
    // A crafted province token claiming more scopes gets only the province's.
    let claims = json!({
        "sub": "crafted", "province": "HCM", "scope": "admin platforms:write adoptions:write",
        "jti": uuid::Uuid::new_v4().to_string(), "iat": chrono::Utc::now().timestamp(),
        "exp": chrono::Utc::now().timestamp() + 600, "iss": "ndp-registry", "aud": "ndp-registry-api",
    });
    let crafted = hs256(&claims);
    let response = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/vneid",
            Some(&crafted),
            Some(&json!({"status": "retired"})),
        )
        .await;
    assert_problem(response, 403, "insufficient_scope").await;
    let response = put(
        &app,
        "/api/v1/provinces/DNG/adoptions/vneid",
        &crafted,
        &in_use("2025-08-01"),
    )
    .await;
    assert_problem(response, 403, "wrong_province").await;
    // A token naming both a ministry and a province is not a valid token.
    let mut both = claims.clone();
    both["ministry"] = json!("BCA");
    let both = hs256(&both);
    let response = put(
        &app,
        "/api/v1/provinces/HCM/adoptions/vneid",
        &both,
        &in_use("2025-08-01"),
    )
    .await;
    assert_problem(response, 401, "invalid_token").await;
    // A province that is not in the registry.
    let mut ghost = claims;
    ghost["province"] = json!("XX");
    let ghost = hs256(&ghost);
    let response = put(
        &app,
        "/api/v1/provinces/HCM/adoptions/vneid",
        &ghost,
        &in_use("2025-08-01"),
    )
    .await;
    assert_problem(response, 403, "unknown_province").await;
}

#[tokio::test]
async fn ministries_read_but_do_not_write_the_adoptions_of_their_platforms() {
    let app = spawn_app().await;
    let hcm = app.province_token("HCM", "adoptions:write").await;
    assert_eq!(
        put(
            &app,
            "/api/v1/provinces/HCM/adoptions/vneid",
            &hcm,
            &in_use("2025-08-01")
        )
        .await
        .status(),
        201
    );
    let bca = app.token("BCA", "platforms:write contacts:write").await;
    let response = put(
        &app,
        "/api/v1/provinces/HCM/adoptions/vneid",
        &bca,
        &json!({"status": "stopped", "since": "2025-09-01"}),
    )
    .await;
    assert_problem(response, 403, "insufficient_scope").await;
    let (id, _) = check(&app, Some("HCM")).await;
    let response = decide(&app, &id, &bca, &json!({"decision": "cancelled"})).await;
    assert_problem(response, 403, "insufficient_scope").await;
    assert_eq!(
        app.get_json("/api/v1/platforms/vneid/adoptions").await["items"][0]["status"],
        "in_use"
    );
    // The CLI gives no ministry token the province scopes.
    let keys = ndp_registry::auth::JwtKeys::from_settings(&test_settings(&app.db.url)).unwrap();
    let request = ndp_registry::tokens::IssueRequest {
        ministry: Some("BCA".into()),
        province: None,
        scope: Some("platforms:write adoptions:write".into()),
        admin: false,
        ttl: "1h".into(),
        label: None,
        subject: None,
    };
    let error = ndp_registry::tokens::issue(&mut app.conn().await, &keys, request)
        .await
        .unwrap_err();
    assert!(error.contains("adoptions:write"), "{error}");
}

#[tokio::test]
async fn the_cli_issues_province_tokens_by_name_and_refuses_bad_requests() {
    let app = spawn_app().await;
    let keys = ndp_registry::auth::JwtKeys::from_settings(&test_settings(&app.db.url)).unwrap();
    let issue =
        |province: Option<&str>, ministry: Option<&str>, scope: Option<&str>, admin: bool| {
            ndp_registry::tokens::IssueRequest {
                ministry: ministry.map(Into::into),
                province: province.map(Into::into),
                scope: scope.map(Into::into),
                admin,
                ttl: "1h".into(),
                label: Some("so-khcn".into()),
                subject: None,
            }
        };
    // A former name gives a token of the successor, with both province scopes by default.
    let token = ndp_registry::tokens::issue(
        &mut app.conn().await,
        &keys,
        issue(Some("Bình Dương"), None, None, false),
    )
    .await
    .unwrap();
    let response = put(
        &app,
        "/api/v1/provinces/HCM/adoptions/vneid",
        &token,
        &in_use("2025-08-01"),
    )
    .await;
    assert_eq!(response.status(), 201);
    let listed = ndp_registry::tokens::list(&mut app.conn().await)
        .await
        .unwrap();
    let line = listed.lines().find(|l| l.contains("so-khcn")).unwrap();
    assert!(
        line.contains("HCM") && line.contains("adoptions:write decisions:write"),
        "{line}"
    );
    for (request, expected) in [
        (
            issue(Some("Atlantis"), None, None, false),
            "names no province",
        ),
        (
            issue(Some("HCM"), None, Some("platforms:write"), false),
            "platforms:write",
        ),
        (issue(Some("HCM"), None, Some("admin"), false), "--admin"),
        (issue(Some("HCM"), Some("BTC"), None, false), "--province"),
        (issue(Some("HCM"), None, None, true), "--province"),
        (issue(None, None, None, false), "--province CODE"),
    ] {
        let error = ndp_registry::tokens::issue(&mut app.conn().await, &keys, request)
            .await
            .unwrap_err();
        assert!(
            error.contains(expected),
            "{error} should mention {expected}"
        );
    }
}

#[tokio::test]
async fn a_revoked_province_token_is_refused_at_once() {
    let app = spawn_app().await;
    let hcm = app.province_token("HCM", "adoptions:write").await;
    let path = "/api/v1/provinces/HCM/adoptions/vneid";
    assert_eq!(
        put(&app, path, &hcm, &in_use("2025-08-01")).await.status(),
        201
    );
    let history = operator_history(&app, path).await;
    let jti = history["items"][0]["actor"]["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    ndp_registry::tokens::revoke(&mut app.conn().await, &jti)
        .await
        .unwrap();
    let response = put(
        &app,
        path,
        &hcm,
        &json!({"status": "stopped", "since": "2025-09-01"}),
    )
    .await;
    let body = assert_problem(response, 401, "invalid_token").await;
    assert_eq!(body["detail"], "This token has been revoked.");
    assert_eq!(app.get_json(path).await["status"], "in_use");
}

#[tokio::test]
async fn a_bad_adoption_body_is_a_422_naming_every_problem() {
    let app = spawn_app().await;
    let hcm = app.province_token("HCM", "adoptions:write").await;
    let path = "/api/v1/provinces/HCM/adoptions/vneid";
    let bad = json!({"status": "using", "since": "2025-02-30", "local_system": "x", "evidence_url": "ftp://x.vn"});
    let body = assert_invalid_field(put(&app, path, &hcm, &bad).await, "status").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["status", "since", "local_system", "evidence_url"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("in_use")
    );
    for since in [
        "01/08/2025",
        "2025-8-1",
        "yesterday",
        "2025-08-01T00:00:00Z",
    ] {
        let response = put(
            &app,
            path,
            &hcm,
            &json!({"status": "in_use", "since": since}),
        )
        .await;
        assert_invalid_field(response, "since").await;
    }
    assert_invalid_field(
        put(&app, path, &hcm, &json!({"status": "in_use"})).await,
        "since",
    )
    .await;
    assert_invalid_field(
        put(
            &app,
            path,
            &hcm,
            &json!({"status": "in_use", "since": "2025-08-01", "province": "DNG"}),
        )
        .await,
        "province",
    )
    .await;
    assert_invalid_field(
        put(
            &app,
            path,
            &hcm,
            &json!({"status": 3, "since": "2025-08-01"}),
        )
        .await,
        "status",
    )
    .await;
    let malformed = app
        .client
        .put(format!("{}{path}", app.address))
        .bearer_auth(&hcm)
        .header("content-type", "application/json")
        .body("{\"status\": ")
        .send()
        .await
        .unwrap();
    assert_problem(malformed, 400, "malformed_json").await;
    let no_token = app
        .send(Method::PUT, path, None, Some(&in_use("2025-08-01")))
        .await;
    assert_problem(no_token, 401, "invalid_token").await;
    assert_problem(app.get(path).await, 404, "adoption_not_found").await;
}

#[tokio::test]
async fn a_decision_is_linked_to_its_unchanged_receipt_and_records_the_adoption() {
    let app = spawn_app().await;
    let hcm = app
        .province_token("HCM", "adoptions:write decisions:write")
        .await;
    let (id, receipt_bytes) = check(&app, Some("Bình Dương")).await;
    let response = decide(
        &app,
        &id,
        &hcm,
        &json!({"decision": "connect", "platform": "nen-tang-hoa-don-dien-tu",
                "adoption": {"status": "connecting", "since": "2025-09-01", "local_system": "Hệ thống HĐĐT của Sở Tài chính"}}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let location = header(&response, "location");
    assert_eq!(location, format!("/api/v1/overlap-checks/{id}/decision"));
    let decision: Value = response.json().await.unwrap();
    assert_eq!(decision["decision"], "connect");
    assert_eq!(decision["province"], "HCM");
    assert_eq!(decision["verdict"], "likely_duplicate");
    assert_eq!(decision["ministry"], "BTC");
    assert_eq!(decision["receipt"], format!("/api/v1/overlap-checks/{id}"));
    assert_eq!(decision["adoption"]["status"], "connecting");
    assert_eq!(
        decision["adoption"]["local_system"],
        "Hệ thống HĐĐT của Sở Tài chính"
    );
    // The receipt reads back byte for byte; the decision at its own URL.
    let again = app.get(&format!("/api/v1/overlap-checks/{id}")).await;
    assert_eq!(again.bytes().await.unwrap().to_vec(), receipt_bytes);
    assert_eq!(app.get_json(&location).await, decision);
    let adoption = app
        .get_json("/api/v1/provinces/HCM/adoptions/nen-tang-hoa-don-dien-tu")
        .await;
    assert_eq!(adoption["status"], "connecting");
    let entries = feed(&app).await;
    let decided = entries.iter().find(|e| e["entity"] == "decision").unwrap();
    assert_eq!(decided["key"], id);
    assert_eq!(decided["action"], "decided");
    assert_eq!(decided["actor"]["province"], "HCM");
    assert!(
        entries
            .iter()
            .any(|e| e["entity"] == "adoption" && e["key"] == "HCM/nen-tang-hoa-don-dien-tu")
    );
    // A second decision is refused, whatever it says, and changes nothing.
    let second = decide(&app, &id, &hcm, &json!({"decision": "cancelled"})).await;
    let body = assert_problem(second, 409, "decision_exists").await;
    assert!(body["detail"].as_str().unwrap().contains(&location));
    assert_eq!(app.get_json(&location).await["decision"], "connect");

    // reuse without an adoption body creates a planned record once and leaves an existing one.
    let (other, _) = check(&app, Some("HCM")).await;
    let response = decide(
        &app,
        &other,
        &hcm,
        &json!({"decision": "reuse", "platform": "vneid"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let planned = app.get_json("/api/v1/provinces/HCM/adoptions/vneid").await;
    assert_eq!(planned["status"], "planned");
    assert_eq!(
        planned["since"],
        chrono::Utc::now().date_naive().to_string()
    );
    let (third, _) = check(&app, None).await;
    assert_eq!(
        decide(
            &app,
            &third,
            &hcm,
            &json!({"decision": "reuse", "platform": "nen-tang-hoa-don-dien-tu"})
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        app.get_json("/api/v1/provinces/HCM/adoptions/nen-tang-hoa-don-dien-tu")
            .await["status"],
        "connecting"
    );
}

#[tokio::test]
async fn bad_decisions_are_refused_with_a_clear_problem() {
    let app = spawn_app().await;
    let hcm = app.province_token("HCM", "decisions:write").await;
    let missing = uuid::Uuid::new_v4();
    let response = decide(
        &app,
        &missing.to_string(),
        &hcm,
        &json!({"decision": "cancelled"}),
    )
    .await;
    assert_problem(response, 404, "not_found").await;
    assert_problem(
        decide(&app, "not-a-uuid", &hcm, &json!({"decision": "cancelled"})).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/overlap-checks/{missing}/decision"))
            .await,
        404,
        "not_found",
    )
    .await;
    let (id, _) = check(&app, Some("HCM")).await;
    let response = decide(
        &app,
        &id,
        &hcm,
        &json!({"decision": "buy", "justification": "short"}),
    )
    .await;
    let body = assert_invalid_field(response, "decision").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["decision", "justification"]);
    // Each body names the fields at fault, all of them at once.
    let bad = [
        (json!({"decision": "reuse"}), vec!["platform"]),
        (
            json!({"decision": "connect", "platform": "no-such-platform"}),
            vec!["platform"],
        ),
        (json!({"decision": "proceed"}), vec!["justification"]),
        (
            json!({"decision": "cancelled", "adoption": {"status": "planned", "since": "2025-09-01"}}),
            vec!["adoption"],
        ),
        (
            json!({"decision": "reuse", "platform": "vneid", "adoption": {"status": "soon", "since": "2025-02-30"}}),
            vec!["adoption.status", "adoption.since"],
        ),
        (
            json!({"decision": "cancelled", "province": "Atlantis"}),
            vec!["province"],
        ),
        (
            json!({"decision": "connect", "platform": "vn\u{0}eid", "province": "H\u{0}CM"}),
            vec!["province", "platform"],
        ),
        (json!({"decision": "cancelled", "why": "x"}), vec!["why"]),
    ];
    for (request, expected) in bad {
        let body = assert_invalid_field(decide(&app, &id, &hcm, &request).await, expected[0]).await;
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, expected, "{request}");
    }
    // None of these left a decision or an adoption behind.
    assert_problem(
        app.get(&format!("/api/v1/overlap-checks/{id}/decision"))
            .await,
        404,
        "decision_not_found",
    )
    .await;
    assert_eq!(
        app.get_json("/api/v1/provinces/HCM/adoptions").await["total"],
        0
    );
    // A decisions-only token decides, but writes no adoption record: asked for one, it is refused.
    let response = decide(
        &app,
        &id,
        &hcm,
        &json!({"decision": "reuse", "platform": "vneid", "adoption": {"status": "planned", "since": "2025-09-01"}}),
    )
    .await;
    assert_problem(response, 403, "insufficient_scope").await;
    let response = decide(
        &app,
        &id,
        &hcm,
        &json!({"decision": "reuse", "platform": "vneid"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.json::<Value>().await.unwrap()["adoption"],
        Value::Null
    );
    assert_eq!(
        app.get_json("/api/v1/provinces/HCM/adoptions").await["total"],
        0
    );
    // An adoptions-only token cannot decide; an operator must say for which province when the
    // receipt names none.
    let adoptions_only = app.province_token("HCM", "adoptions:write").await;
    assert_problem(
        decide(
            &app,
            &id,
            &adoptions_only,
            &json!({"decision": "cancelled"}),
        )
        .await,
        403,
        "insufficient_scope",
    )
    .await;
    let (anonymous, _) = check(&app, None).await;
    let operator = app.operator().await;
    assert_invalid_field(
        decide(
            &app,
            &anonymous,
            &operator,
            &json!({"decision": "cancelled"}),
        )
        .await,
        "province",
    )
    .await;
    let response = decide(
        &app,
        &anonymous,
        &operator,
        &json!({"decision": "cancelled", "province": "Hà Giang"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.json::<Value>().await.unwrap()["province"], "TQU");
}

#[tokio::test]
async fn the_statistics_show_adoption_and_purchases_that_went_ahead_despite_a_duplicate() {
    let app = spawn_app().await;
    let before = app.get_json("/api/v1/stats").await;
    let hcm = app
        .province_token("HCM", "adoptions:write decisions:write")
        .await;
    let dng = app
        .province_token("DNG", "adoptions:write decisions:write")
        .await;
    for (token, province, platform, status) in [
        (&hcm, "HCM", "vneid", "in_use"),
        (&dng, "DNG", "vneid", "connecting"),
        (&hcm, "HCM", "nen-tang-hoa-don-dien-tu", "in_use"),
    ] {
        let path = format!("/api/v1/provinces/{province}/adoptions/{platform}");
        let response = put(
            &app,
            &path,
            token,
            &json!({"status": status, "since": "2025-08-01"}),
        )
        .await;
        assert_eq!(response.status(), 201);
    }
    let (id, _) = check(&app, Some("HCM")).await;
    let why = "Hệ thống cần tích hợp với phần mềm kế toán riêng của Thành phố.";
    let response = decide(
        &app,
        &id,
        &hcm,
        &json!({"decision": "proceed", "justification": why}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let (cancelled, _) = check(&app, Some("DNG")).await;
    assert_eq!(
        decide(&app, &cancelled, &dng, &json!({"decision": "cancelled"}))
            .await
            .status(),
        201
    );

    let stats = app.get_json("/api/v1/stats").await;
    for field in [
        "platforms",
        "ministries",
        "ministries_without_platforms",
        "lists",
    ] {
        assert_eq!(stats[field], before[field], "{field} is unchanged");
    }
    let adoption = &stats["adoption"];
    let vneid = adoption["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == "vneid")
        .unwrap();
    assert_eq!(
        vneid["provinces"],
        json!({"planned": 0, "connecting": 1, "in_use": 1, "stopped": 0, "not_applicable": 0})
    );
    assert_eq!(adoption["platforms"].as_array().unwrap().len(), 2);
    let provinces = adoption["provinces"].as_array().unwrap();
    assert_eq!(provinces.len(), 34);
    let in_use = |code: &str| {
        provinces.iter().find(|p| p["code"] == code).unwrap()["platforms_in_use"].clone()
    };
    assert_eq!(
        (in_use("HCM"), in_use("DNG"), in_use("HN")),
        (json!(2), json!(0), json!(0))
    );
    let cases = &adoption["proceeded_despite_likely_duplicate"];
    assert_eq!(cases["total"], 1);
    assert_eq!(cases["items"][0]["check_id"], id);
    assert_eq!(cases["items"][0]["province"], "HCM");
    assert_eq!(cases["items"][0]["justification"], why);
    assert_eq!(cases["items"][0]["title"], purchase(None)["title"]);
}

#[tokio::test]
async fn the_matrix_export_has_a_row_per_province_and_a_column_per_platform() {
    let app = spawn_app().await;
    let hcm = app.province_token("HCM", "adoptions:write").await;
    let dng = app.province_token("DNG", "adoptions:write").await;
    put(
        &app,
        "/api/v1/provinces/HCM/adoptions/vneid",
        &hcm,
        &json!({"status": "in_use", "since": "2025-08-01"}),
    )
    .await;
    put(
        &app,
        "/api/v1/provinces/DNG/adoptions/nen-tang-hoa-don-dien-tu",
        &dng,
        &json!({"status": "planned", "since": "2025-08-01"}),
    )
    .await;
    let response = app.get("/api/v1/adoptions/matrix").await;
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("text/csv"));
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a byte-order mark"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let head: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        head,
        ["province", "name_vi", "nen-tang-hoa-don-dien-tu", "vneid"]
    );
    assert_eq!(rows.len(), 34);
    let row = |code: &str| rows.iter().find(|r| r[0] == code).unwrap().clone();
    assert_eq!(row("HCM"), ["HCM", "Thành phố Hồ Chí Minh", "", "in_use"]);
    assert_eq!(row("DNG"), ["DNG", "Thành phố Đà Nẵng", "planned", ""]);
    let only = app
        .get("/api/v1/adoptions/matrix?province=Qu%E1%BA%A3ng%20Nam&status=planned")
        .await;
    let text = only.text().await.unwrap();
    assert_eq!(
        text.trim_start_matches('\u{feff}').lines().count(),
        2,
        "{text}"
    );
    assert_invalid_parameter(app.get("/api/v1/adoptions/matrix?page=2").await, "page").await;
}

/// A record's history as an operator reads it: with the token's subject and id.
async fn operator_history(app: &TestApp, path: &str) -> Value {
    app.send(
        Method::GET,
        &format!("{path}/history"),
        Some(&app.operator().await),
        None,
    )
    .await
    .json()
    .await
    .unwrap()
}
