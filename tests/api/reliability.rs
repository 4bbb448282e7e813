//! What a bad day could still do, closed: values outside PostgreSQL's range, filtered webhooks
//! that lost events, tables that grew for ever, unbounded contacts.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_invalid_field, assert_invalid_parameter, spawn_app, test_settings};

// --- values outside PostgreSQL's range -----------------------------------------------------------

#[tokio::test]
async fn timestamps_outside_the_databases_range_are_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    for value in [
        "-4714-11-24T00:00:00Z",
        "-0001-01-01T00:00:00Z",
        "+200000-01-01T00:00:00Z",
    ] {
        for path in ["/api/v1/platforms", "/api/v1/platforms/facets"] {
            let query = form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
            let response = app.get(&format!("{path}?updated_since={query}")).await;
            assert_invalid_parameter(response, "updated_since").await;
        }
    }
}

#[tokio::test]
async fn dates_outside_the_databases_range_are_a_422_naming_the_field() {
    let app = spawn_app().await;
    let btc = app.btc().await;
    let operator = app.operator().await;
    let platform = json!({"code": "date-range", "name_vi": "Hệ thống thử nghiệm", "name_en": "Test system",
        "domains": ["tax"], "status": "piloting", "legal_basis": {"number": "1/QĐ-BTC", "date": "-5000-01-01"}});
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&btc),
            Some(&platform),
        )
        .await;
    assert_invalid_field(response, "legal_basis.date").await;
    let response = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/tabmis",
            Some(&btc),
            Some(&json!({"legal_basis": {"number": "1/QĐ-BTC", "date": "+100000-01-01"}})),
        )
        .await;
    assert_invalid_field(response, "legal_basis.date").await;
    let mut bulk = platform.clone();
    bulk["code"] = json!("date-range-bulk");
    let response = app
        .send(
            Method::PUT,
            "/api/v1/ministries/BTC/platforms?dry_run=true",
            Some(&btc),
            Some(&json!([bulk])),
        )
        .await;
    assert_invalid_field(response, "[0].legal_basis.date").await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/ministries/VOV/succession",
            Some(&operator),
            Some(
                &json!({"successor": "VTV", "effective_on": "-5000-01-01", "reason": "Thử nghiệm"}),
            ),
        )
        .await;
    assert_invalid_field(response, "effective_on").await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/tabmis/transfer",
            Some(&operator),
            Some(&json!({"to": "BCA", "effective_on": "-5000-01-01", "reason": "Thử nghiệm"})),
        )
        .await;
    assert_invalid_field(response, "effective_on").await;
    assert_eq!(
        app.get_json("/api/v1/platforms/tabmis").await["ministry"],
        "BTC"
    );
    assert_eq!(app.get("/api/v1/platforms/date-range").await.status(), 404);
}

// --- filtered webhooks ---------------------------------------------------------------------------

#[derive(QueryableByName)]
struct Action {
    #[diesel(sql_type = Text)]
    action: String,
}

#[tokio::test]
async fn a_filtered_subscription_receives_every_event_about_matching_entities() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    let mut ids = Vec::new();
    for filter in [
        json!({"ministry": "BTC"}),
        json!({"domain": "public_finance"}),
    ] {
        let mut body =
            json!({"url": "http://127.0.0.1:9/hook", "secret": "a-long-random-shared-secret"});
        body.as_object_mut()
            .unwrap()
            .extend(filter.as_object().unwrap().clone());
        let response = app
            .send(
                Method::POST,
                "/api/v1/webhooks",
                Some(&operator),
                Some(&body),
            )
            .await;
        assert_eq!(response.status(), 201);
        ids.push(
            response.json::<Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let tabmis = app.get_json("/api/v1/platforms/tabmis").await;
    assert!(
        tabmis["domains"]
            .as_array()
            .unwrap()
            .contains(&json!("public_finance")),
        "{tabmis}"
    );
    let btc = app.btc().await;
    let contact = app
        .send(
            Method::POST,
            "/api/v1/platforms/tabmis/contacts",
            Some(&btc),
            Some(&json!({"role": "operations", "name": "Tổng đài", "phone": "024 1234 5678"})),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let contact_path = format!("/api/v1/contacts/{}", contact["id"]);
    let response = app
        .send(
            Method::PATCH,
            &contact_path,
            Some(&btc),
            Some(&json!({"name": "Tổng đài vận hành"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = app
        .send(Method::DELETE, &contact_path, Some(&btc), None)
        .await;
    assert_eq!(response.status(), 204);
    let member = "/api/v1/lists/qd-2618-2025/platforms/tabmis";
    let listed = app.get_json("/api/v1/platforms/tabmis").await["lists"]
        .as_array()
        .unwrap()
        .contains(&json!("qd-2618-2025"));
    let (first, second) = if listed {
        (Method::DELETE, Method::PUT)
    } else {
        (Method::PUT, Method::DELETE)
    };
    for method in [first, second] {
        let response = app.send(method, member, Some(&operator), None).await;
        assert_eq!(response.status(), 204);
    }
    let mut conn = app.conn().await;
    for id in ids {
        let actions: Vec<Action> = diesel::sql_query(format!(
            "SELECT c.action FROM webhook_deliveries d JOIN change_log c ON c.id = d.change_id \
             WHERE d.subscription_id = {id} ORDER BY c.seq"
        ))
        .load(&mut conn)
        .await
        .unwrap();
        let actions: Vec<String> = actions.into_iter().map(|a| a.action).collect();
        for expected in [
            "contact_added",
            "contact_updated",
            "contact_removed",
            "list_added",
            "list_removed",
        ] {
            assert!(
                actions.iter().any(|a| a == expected),
                "subscription {id} missed {expected}: {actions:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_platform_transferred_away_is_still_announced_to_the_old_owners_subscribers() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Some(&operator),
            Some(&json!({"url": "http://127.0.0.1:9/hook", "secret": "a-long-random-shared-secret", "ministry": "BTC"})),
        )
        .await;
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/tabmis/transfer",
            Some(&operator),
            Some(&json!({"to": "BCA", "effective_on": "2025-07-01", "reason": "Chuyển chức năng"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let actions: Vec<Action> = diesel::sql_query(format!(
        "SELECT c.action FROM webhook_deliveries d JOIN change_log c ON c.id = d.change_id WHERE d.subscription_id = {id}"
    ))
    .load(&mut app.conn().await)
    .await
    .unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].action, "transferred");
}

// --- retention and caps --------------------------------------------------------------------------

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(app: &crate::helpers::TestApp, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(&mut app.conn().await)
        .await
        .unwrap()
        .n
}

#[tokio::test]
async fn old_receipts_deliveries_and_idempotency_records_are_purged_by_their_retention() {
    let app = spawn_app().await;
    let btc = app.btc().await;
    for title in ["Hệ thống hóa đơn điện tử", "Cổng dịch vụ công của tỉnh"] {
        let response = app
            .send(
                Method::POST,
                "/api/v1/overlap-checks",
                None,
                Some(&json!({"title": title})),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let operator = app.operator().await;
    app.send(
        Method::POST,
        "/api/v1/webhooks",
        Some(&operator),
        Some(&json!({"url": "http://127.0.0.1:9/hook", "secret": "a-long-random-shared-secret"})),
    )
    .await;
    for code in ["keep-1", "keep-2"] {
        let body = json!({"code": code, "name_vi": "Hệ thống thử nghiệm", "name_en": "Test system", "domains": ["tax"], "status": "piloting"});
        let response = crate::security::post_with_key(&app, &btc, code, &body).await;
        assert_eq!(response.status(), 201);
    }
    let mut conn = app.conn().await;
    for sql in [
        "UPDATE overlap_checks SET created_at = now() - interval '4000 days' WHERE id = (SELECT id FROM overlap_checks ORDER BY created_at LIMIT 1)",
        "UPDATE webhook_deliveries SET status = 'failed', created_at = now() - interval '40 days' WHERE id = (SELECT min(id) FROM webhook_deliveries)",
        "UPDATE webhook_deliveries SET status = 'pending', created_at = now() - interval '40 days' WHERE id = (SELECT max(id) FROM webhook_deliveries)",
        "UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE key = 'keep-1'",
    ] {
        diesel::sql_query(sql).execute(&mut conn).await.unwrap();
    }
    let receipts = count(&app, "SELECT count(*) AS n FROM overlap_checks").await;
    let deliveries = count(&app, "SELECT count(*) AS n FROM webhook_deliveries").await;
    let purged = ndp_registry::retention::purge(&mut conn, &test_settings(&app.db.url).retention)
        .await
        .unwrap();
    assert_eq!(purged.overlap_checks, 1);
    assert_eq!(
        purged.webhook_deliveries, 1,
        "a pending delivery is never purged"
    );
    assert_eq!(purged.idempotency_keys, 1);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM overlap_checks").await,
        receipts - 1
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM webhook_deliveries").await,
        deliveries - 1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM idempotency_keys WHERE key = 'keep-2'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn contacts_per_platform_are_capped() {
    let app = spawn_app().await;
    let btc = app.btc().await;
    let cap = ndp_registry::registry::contacts::MAX_CONTACTS_PER_PLATFORM;
    let existing = app.get_json("/api/v1/platforms/tabmis/contacts").await["total"]
        .as_u64()
        .unwrap() as usize;
    for i in existing..cap {
        let response = app
            .send(
                Method::POST,
                "/api/v1/platforms/tabmis/contacts",
                Some(&btc),
                Some(&json!({"role": "operations", "name": format!("Tổng đài {i}"), "phone": "024 1234 5678"})),
            )
            .await;
        assert_eq!(response.status(), 201, "contact {i}");
    }
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/tabmis/contacts",
            Some(&btc),
            Some(&json!({"role": "operations", "name": "Một kênh nữa", "phone": "024 1234 5678"})),
        )
        .await;
    let body = crate::helpers::assert_problem(response, 409, "too_many_contacts").await;
    assert!(
        body["detail"].as_str().unwrap().contains(&cap.to_string()),
        "{body}"
    );
}

// --- bulk sync at scale --------------------------------------------------------------------------

/// A ministry's platforms as a bulk sync sends them back unchanged.
pub async fn ministry_set(app: &crate::helpers::TestApp, ministry: &str) -> Vec<Value> {
    app.get_json(&format!(
        "/api/v1/platforms?ministry={ministry}&per_page=100"
    ))
    .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            json!({"code": p["code"], "name_vi": p["name_vi"], "name_en": p["name_en"],
                   "short_name": p["short_name"], "description": p["description"],
                   "operator": p["operator"], "domains": p["domains"], "audiences": p["audiences"],
                   "status": p["status"], "url": p["url"], "ndxp_status": p["ndxp_status"],
                   "legal_basis": p["legal_basis"], "source": p["source"]})
        })
        .collect()
}

#[tokio::test]
async fn a_bulk_sync_of_thousands_of_platforms_is_applied_at_once_and_idempotent() {
    let app = crate::helpers::spawn_app_with(&[("DATABASE_TIMEOUT_MS", "20000")]).await;
    let btc = app.btc().await;
    let mut set = ministry_set(&app, "BTC").await;
    let existing = set.len();
    for i in 0..2500 {
        set.push(json!({"code": format!("bulk-{i:04}"), "name_vi": format!("Hệ thống số {i}"),
            "name_en": format!("System {i}"), "domains": ["public_finance"], "status": "operational"}));
    }
    let response = app
        .send(
            Method::PUT,
            "/api/v1/ministries/BTC/platforms",
            Some(&btc),
            Some(&Value::Array(set.clone())),
        )
        .await;
    assert_eq!(response.status(), 200);
    let plan: Value = response.json().await.unwrap();
    assert_eq!(plan["create"].as_array().unwrap().len(), 2500);
    assert_eq!(
        plan["retire"].as_array().unwrap().len(),
        0,
        "{}",
        plan["retire"]
    );
    let one = app.get_json("/api/v1/platforms/bulk-1234").await;
    assert_eq!(one["ministry"], "BTC");
    assert_eq!(one["ownership_history"][0]["ministry"], "BTC");
    assert_eq!(app.history_len("bulk-1234").await, 1);
    assert_eq!(
        app.get_json("/api/v1/platforms?ministry=BTC&per_page=1")
            .await["total"],
        existing + 2500
    );
    let again: Value = app
        .send(
            Method::PUT,
            "/api/v1/ministries/BTC/platforms",
            Some(&btc),
            Some(&Value::Array(set.clone())),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["create"].as_array().unwrap().len(), 0);
    assert_eq!(
        again["unchanged"].as_array().unwrap().len(),
        existing + 2500
    );
    // Every new platform changed, and one dropped from the set (retired): one statement each way.
    let mut changed: Vec<Value> = set_with_descriptions(&set, existing);
    changed.pop();
    let plan: Value = app
        .send(
            Method::PUT,
            "/api/v1/ministries/BTC/platforms",
            Some(&btc),
            Some(&Value::Array(changed)),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan["update"].as_array().unwrap().len(), 2499);
    assert_eq!(plan["retire"], json!(["bulk-2499"]));
    let one = app.get_json("/api/v1/platforms/bulk-1234").await;
    assert_eq!(one["description"], "Mô tả mới 1234.");
    assert_eq!(one["version"], 2);
    assert_eq!(app.history_len("bulk-1234").await, 2);
    let retired = app.get_json("/api/v1/platforms/bulk-2499").await;
    assert_eq!(retired["status"], "retired");
    let history = app.get_json("/api/v1/platforms/bulk-2499/history").await;
    assert_eq!(history["items"][0]["action"], "retired");
}

fn set_with_descriptions(set: &[Value], skip: usize) -> Vec<Value> {
    set.iter()
        .enumerate()
        .map(|(i, p)| {
            let mut p = p.clone();
            if i >= skip {
                p["description"] = json!(format!("Mô tả mới {}.", i - skip));
            }
            p
        })
        .collect()
}
