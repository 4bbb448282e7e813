//! Keeping copies in sync: the change feed, conditional lists, successions, edition diffs.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_invalid_field, assert_invalid_parameter, assert_problem, spawn_app,
};

/// Replays the feed from `cursor` in pages of `limit` into `mirror` (entity/key -> state).
async fn replay(
    app: &TestApp,
    mirror: &mut BTreeMap<String, Value>,
    cursor: &mut String,
    limit: usize,
) -> usize {
    let mut applied = 0;
    loop {
        let page = app
            .get_json(&format!("/api/v1/changes?after={cursor}&limit={limit}"))
            .await;
        for item in page["items"].as_array().unwrap() {
            let position: i64 = item["cursor"].as_str().unwrap().parse().unwrap();
            assert!(
                position > cursor.parse::<i64>().unwrap(),
                "positions only grow: {position} after {cursor}"
            );
            *cursor = item["cursor"].as_str().unwrap().to_owned();
            let key = format!(
                "{}/{}",
                item["entity"].as_str().unwrap(),
                item["key"].as_str().unwrap()
            );
            match &item["state"] {
                Value::Null => mirror.remove(&key),
                state => mirror.insert(key, state.clone()),
            };
            applied += 1;
        }
        assert_eq!(page["next_cursor"].as_str().unwrap(), cursor.as_str());
        if !page["has_more"].as_bool().unwrap() {
            return applied;
        }
    }
}

/// The registry's platforms as the API serves them, by code.
async fn registry(app: &TestApp) -> BTreeMap<String, Value> {
    let mut all = BTreeMap::new();
    for page in 1.. {
        let body = app
            .get_json(&format!("/api/v1/platforms?per_page=100&page={page}"))
            .await;
        let items = body["items"].as_array().unwrap();
        if items.is_empty() {
            return all;
        }
        for p in items {
            all.insert(
                format!("platform/{}", p["code"].as_str().unwrap()),
                p.clone(),
            );
        }
    }
    unreachable!()
}

fn platforms_of(mirror: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    mirror
        .iter()
        .filter(|(k, _)| k.starts_with("platform/"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[tokio::test]
async fn replaying_the_feed_from_the_start_rebuilds_the_registry() {
    let app = spawn_app().await;
    let mut mirror = BTreeMap::new();
    let mut cursor = "0".to_owned();
    replay(&app, &mut mirror, &mut cursor, 13).await;
    assert_eq!(platforms_of(&mirror), registry(&app).await);
    assert!(mirror.contains_key("ministry/BTC"));
    assert!(mirror.contains_key("list/cv-2765-2024"));
    assert!(mirror.keys().any(|k| k.starts_with("contact/")));
    // Nothing new: an empty page that keeps the cursor, and a 304 for the same page.
    let empty = app.get(&format!("/api/v1/changes?after={cursor}")).await;
    let etag = empty
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = empty.json().await.unwrap();
    assert_eq!(body["items"], json!([]));
    assert_eq!(body["next_cursor"], cursor);
    let again = app
        .client
        .get(format!("{}/api/v1/changes?after={cursor}", app.address))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn a_mirror_replaying_while_writers_run_ends_with_exactly_the_registrys_state() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let codes = [
        "tabmis",
        "etax",
        "vnsw",
        "csdlqg-gia",
        "nen-tang-hoa-don-dien-tu",
    ];
    let writers = async {
        let mut handles = Vec::new();
        for (w, code) in codes.iter().enumerate() {
            let client = app.client.clone();
            let address = app.address.clone();
            let token = token.clone();
            let code = (*code).to_owned();
            handles.push(tokio::spawn(async move {
                for i in 0..8 {
                    let status = ["operational", "piloting", "suspended"][(i + w) % 3];
                    client
                        .patch(format!("{address}/api/v1/platforms/{code}"))
                        .bearer_auth(&token)
                        .header("content-type", "application/merge-patch+json")
                        .body(json!({"status": status, "description": format!("Lần sửa {i}")}).to_string())
                        .send()
                        .await
                        .unwrap();
                    let created = client
                        .post(format!("{address}/api/v1/platforms"))
                        .bearer_auth(&token)
                        .json(&json!({"code": format!("sync-{w}-{i}"), "name_vi": "Thử đồng bộ", "name_en": "Sync test",
                                      "domains": ["tax"], "status": "planned"}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(created.status(), 201);
                }
            }));
        }
        for handle in handles {
            handle.await.unwrap();
        }
    };
    let mut mirror = BTreeMap::new();
    let mut cursor = "0".to_owned();
    let reader = async {
        // Keep replaying in small pages while the writers run.
        for _ in 0..20 {
            replay(&app, &mut mirror, &mut cursor, 7).await;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    tokio::join!(writers, reader);
    replay(&app, &mut mirror, &mut cursor, 7).await;
    let expected = registry(&app).await;
    assert_eq!(expected.len(), 79 + 40);
    assert_eq!(platforms_of(&mirror), expected);
}

#[tokio::test]
async fn bad_feed_parameters_are_400_problems() {
    let app = spawn_app().await;
    assert_invalid_parameter(app.get("/api/v1/changes?after=abc").await, "after").await;
    assert_invalid_parameter(app.get("/api/v1/changes?after=-5").await, "after").await;
    assert_invalid_parameter(app.get("/api/v1/changes?after=99999999").await, "after").await;
    assert_invalid_parameter(app.get("/api/v1/changes?limit=0").await, "limit").await;
    assert_invalid_parameter(app.get("/api/v1/changes?limit=1001").await, "limit").await;
    assert_invalid_parameter(app.get("/api/v1/changes?page=2").await, "page").await;
}

#[tokio::test]
async fn a_list_page_answers_304_until_something_changes() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/platforms?ministry=BTC", app.address);
    let etag = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let cached = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
    let token = app.btc().await;
    app.send(
        Method::PATCH,
        "/api/v1/platforms/tabmis",
        Some(&token),
        Some(&json!({"status": "piloting"})),
    )
    .await;
    let fresh = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
    let since = app
        .get_json("/api/v1/platforms?updated_since=2026-01-01T00:00:00Z&ministry=BTC")
        .await;
    assert!(
        since["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "tabmis")
    );
}

#[tokio::test]
async fn a_succession_moves_platforms_stops_tokens_and_is_in_the_feed() {
    let app = spawn_app().await;
    let vov = app.token("VOV", "platforms:write").await;
    let operator = app.operator().await;
    let cursor = app.get_json("/api/v1/changes?limit=1000&after=0").await["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let body =
        json!({"successor": "VTV", "effective_on": "2025-12-01", "reason": "Thử nghiệm hợp nhất"});
    let btc = app.btc().await;
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/ministries/VOV/succession",
            Some(&btc),
            Some(&body),
        )
        .await,
        403,
        "operator_only",
    )
    .await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/ministries/vov/succession",
            Some(&operator),
            Some(&body),
        )
        .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(
        result["transferred_platforms"],
        json!(["phat-thanh-so-quoc-gia"])
    );
    let ministry = app.get_json("/api/v1/ministries/VOV").await;
    assert_eq!(
        (ministry["status"].as_str(), ministry["successor"].as_str()),
        (Some("merged"), Some("VTV"))
    );
    assert_eq!(ministry["succeeded_on"], "2025-12-01");
    let platform = app
        .get_json("/api/v1/platforms/phat-thanh-so-quoc-gia")
        .await;
    assert_eq!(platform["ministry"], "VTV");
    let owners = platform["ownership_history"].as_array().unwrap();
    assert_eq!(owners[0]["to"], "2025-11-30");
    assert_eq!(owners[1]["from"], "2025-12-01");
    let refused = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/phat-thanh-so-quoc-gia",
            Some(&vov),
            Some(&json!({"status": "operational"})),
        )
        .await;
    let problem = assert_problem(refused, 403, "ministry_inactive").await;
    assert!(problem["detail"].as_str().unwrap().contains("VTV"));
    let feed = app
        .get_json(&format!("/api/v1/changes?after={cursor}"))
        .await;
    let actions: Vec<(&str, &str)> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["entity"].as_str().unwrap(), i["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [("platform", "transferred"), ("ministry", "succeeded")]
    );
    let again = app
        .send(
            Method::POST,
            "/api/v1/ministries/VOV/succession",
            Some(&operator),
            Some(&body),
        )
        .await;
    assert_problem(again, 422, "validation_failed").await;
    let bad =
        json!({"successor": "BKHDT", "effective_on": "2025-12-01", "reason": "merged successor"});
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/ministries/VTV/succession",
            Some(&operator),
            Some(&bad),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    for (successor, code) in [("VTV", "VTV"), ("NOPE", "VTV"), ("VOV", "VTV")] {
        // Itself, an unknown agency, and VOV (merged into VTV): a cycle can never form.
        let body =
            json!({"successor": successor, "effective_on": "2025-12-01", "reason": "invalid"});
        let path = format!("/api/v1/ministries/{code}/succession");
        let problem = assert_problem(
            app.send(Method::POST, &path, Some(&operator), Some(&body))
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "successor");
    }
    assert_eq!(
        app.get_json("/api/v1/ministries/VTV").await["status"],
        "active"
    );
}

#[tokio::test]
async fn two_editions_can_be_compared() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    let path = "/api/v1/lists/qd-2618-2025/platforms/he-thong-mang-dau-thau-quoc-gia";
    assert_eq!(
        app.send(Method::PUT, path, Some(&operator), None)
            .await
            .status(),
        204
    );
    let diff = app
        .get_json("/api/v1/lists/cv-2765-2024/diff/qd-2618-2025")
        .await;
    let codes = |field: &str| -> Vec<String> {
        diff[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(codes("added").contains(&"vneid".to_owned()));
    assert!(codes("removed").contains(&"dang-ky-doanh-nghiep-quoc-gia".to_owned()));
    let changed = &diff["changed"][0];
    assert_eq!(changed["code"], "he-thong-mang-dau-thau-quoc-gia");
    assert_eq!(
        (
            changed["owner_then"].as_str(),
            changed["owner_now"].as_str()
        ),
        (Some("BKHDT"), Some("BTC"))
    );
    assert_problem(
        app.get("/api/v1/lists/cv-2765-2024/diff/nope").await,
        404,
        "not_found",
    )
    .await;
}

/// BTC's current platforms as a bulk body, with one changed, one new, and the last one left out.
async fn btc_set(app: &TestApp) -> (Vec<Value>, String) {
    let list = app
        .get_json("/api/v1/platforms?ministry=BTC&per_page=100")
        .await;
    let mut set: Vec<Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut input = json!({
                "code": p["code"], "name_vi": p["name_vi"], "name_en": p["name_en"], "short_name": p["short_name"],
                "description": p["description"], "operator": p["operator"], "domains": p["domains"],
                "audiences": p["audiences"], "status": p["status"], "url": p["url"], "ndxp_status": p["ndxp_status"],
                "legal_basis": p["legal_basis"], "source": p["source"],
            });
            if input["description"] == "" {
                input["description"] = Value::Null;
            }
            input
        })
        .collect();
    let dropped = set.pop().unwrap()["code"].as_str().unwrap().to_owned();
    set[0]["status"] = json!("suspended");
    set.push(json!({"code": "btc-moi", "name_vi": "Hệ thống mới", "name_en": "New system", "domains": ["tax"], "status": "planned"}));
    (set, dropped)
}

#[tokio::test]
async fn a_bulk_sync_plans_then_applies_atomically_and_is_idempotent() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let (set, dropped) = btc_set(&app).await;
    let body = Value::Array(set);
    let before = app.get_json("/api/v1/changes?limit=1000").await["next_cursor"].clone();
    let dry = app
        .send(
            Method::PUT,
            "/api/v1/ministries/BTC/platforms?dry_run=true",
            Some(&token),
            Some(&body),
        )
        .await;
    assert_eq!(dry.status(), 200);
    let plan: Value = dry.json().await.unwrap();
    assert_eq!(plan["applied"], false);
    assert_eq!(plan["create"], json!(["btc-moi"]));
    assert_eq!(plan["retire"], json!([dropped]));
    assert_eq!(plan["update"].as_array().unwrap().len(), 1);
    assert_eq!(plan["update"][0]["changes"]["status"]["new"], "suspended");
    assert_eq!(
        app.get_json("/api/v1/changes?limit=1000").await["next_cursor"],
        before,
        "a dry run changes nothing"
    );
    assert_eq!(app.get("/api/v1/platforms/btc-moi").await.status(), 404);

    let applied: Value = app
        .send(
            Method::PUT,
            "/api/v1/ministries/btc/platforms",
            Some(&token),
            Some(&body),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(applied["applied"], true);
    assert_eq!(applied["create"], plan["create"]);
    assert_eq!(
        app.get_json("/api/v1/platforms/btc-moi").await["ministry"],
        "BTC"
    );
    assert_eq!(
        app.get_json(&format!("/api/v1/platforms/{dropped}")).await["status"],
        "retired"
    );
    let feed = app
        .get_json(&format!(
            "/api/v1/changes?after={}",
            before.as_str().unwrap()
        ))
        .await;
    assert_eq!(
        feed["items"].as_array().unwrap().len(),
        3,
        "one entry per change"
    );

    let again: Value = app
        .send(
            Method::PUT,
            "/api/v1/ministries/BTC/platforms",
            Some(&token),
            Some(&body),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["create"], json!([]));
    assert_eq!(again["update"], json!([]));
    assert_eq!(again["retire"], json!([]));
}

#[tokio::test]
async fn a_bulk_sync_never_touches_other_ministries() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let count = app
        .get_json("/api/v1/platforms?ministry=BTC&per_page=1")
        .await["total"]
        .clone();
    let (mut set, _) = btc_set(&app).await;
    let cursor = app.get_json("/api/v1/changes?limit=1000").await["next_cursor"].clone();
    set.push(json!({"code": "vneid", "name_vi": "Chiếm quyền", "name_en": "Takeover", "domains": ["identity"], "status": "operational"}));
    let response = app
        .send(
            Method::PUT,
            "/api/v1/ministries/BTC/platforms",
            Some(&token),
            Some(&Value::Array(set)),
        )
        .await;
    let problem = assert_problem(response, 409, "owned_elsewhere").await;
    assert!(problem["detail"].as_str().unwrap().contains("vneid"));
    assert_eq!(
        app.get_json("/api/v1/changes?limit=1000").await["next_cursor"],
        cursor,
        "nothing applied"
    );
    let empty = Value::Array(vec![]);
    let response = app
        .send(
            Method::PUT,
            "/api/v1/ministries/BCA/platforms",
            Some(&token),
            Some(&empty),
        )
        .await;
    assert_problem(response, 403, "wrong_ministry").await;
    let bad = json!([{"code": "x y", "name_vi": "a", "name_en": "ok name", "domains": [], "status": "planned"}]);
    let response = app
        .send(
            Method::PUT,
            "/api/v1/ministries/BTC/platforms",
            Some(&token),
            Some(&bad),
        )
        .await;
    assert_invalid_field(response, "[0].code").await;
    assert_eq!(
        app.get_json("/api/v1/platforms?ministry=BTC&per_page=1")
            .await["total"],
        count
    );
}

#[tokio::test]
async fn two_replicas_on_one_database_see_each_others_writes_within_the_bound() {
    let app = spawn_app().await;
    let other =
        ndp_registry::startup::Application::build(&crate::helpers::test_settings(&app.db.url))
            .unwrap();
    let second = format!("http://127.0.0.1:{}", other.port());
    tokio::spawn(other.run_until_stopped());
    let url = |base: &str| format!("{base}/api/v1/platforms/tabmis");
    let etag_on = |base: String| {
        let client = app.client.clone();
        async move {
            client
                .get(base)
                .send()
                .await
                .unwrap()
                .headers()
                .get("etag")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    let before = etag_on(url(&second)).await;
    assert_eq!(
        before,
        etag_on(url(&app.address)).await,
        "the same representation, the same tag"
    );
    let conditional = |base: String, tag: String| {
        let client = app.client.clone();
        async move {
            client
                .get(base)
                .header("if-none-match", tag)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // The second replica remembers the tag it served...
    assert_eq!(conditional(url(&second), before.clone()).await, 304);
    let token = app.btc().await;
    let write = app
        .send(
            Method::PATCH,
            "/api/v1/platforms/tabmis",
            Some(&token),
            Some(&json!({"status": "piloting"})),
        )
        .await;
    // ...and a write through the first one makes it serve the new representation within the
    // stated bound (README, "Consistency"): by then it has heard the write's notification, or it
    // has not heard from the database recently enough to answer from memory and asks it.
    tokio::time::sleep(ndp_registry::db::notify::STALENESS_BOUND).await;
    assert_eq!(conditional(url(&second), before.clone()).await, 200);
    let written = write
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        etag_on(url(&second)).await,
        written,
        "the other replica serves the new state and tag within the bound"
    );
    let stale = app
        .client
        .patch(url(&second))
        .bearer_auth(&token)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", before)
        .body(json!({"status": "operational"}).to_string())
        .send()
        .await
        .unwrap();
    assert_problem(stale, 412, "precondition_failed").await;
    let revoked_jti = app
        .send(
            reqwest::Method::GET,
            "/api/v1/platforms/tabmis/history",
            Some(&app.operator().await),
            None,
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["items"][0]["actor"]["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    ndp_registry::tokens::revoke(&mut app.conn().await, &revoked_jti)
        .await
        .unwrap();
    let refused = app
        .client
        .patch(url(&second))
        .bearer_auth(&token)
        .header("content-type", "application/merge-patch+json")
        .body(json!({"status": "operational"}).to_string())
        .send()
        .await
        .unwrap();
    assert_problem(refused, 401, "invalid_token").await;
}
