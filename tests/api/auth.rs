//! Every way a bearer token can be wrong gets a 401 (or a 403 when it is valid but may not act),
//! with a problem body, and leaves nothing behind.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TEST_JWT_SECRET, TestApp, assert_problem, fixture, spawn_app};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(ministry: Option<&str>) -> Value {
    let mut claims = json!({
        "sub": "crafted", "scope": "platforms:write contacts:write", "jti": uuid::Uuid::new_v4().to_string(),
        "iat": now(), "exp": now() + 600, "iss": "ndp-registry", "aud": "ndp-registry-api",
    });
    if let Some(m) = ministry {
        claims["ministry"] = json!(m);
    }
    claims
}

fn hs256(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn eddsa(claims: &Value, key_file: &str) -> String {
    let pem = std::fs::read(fixture(key_file)).unwrap();
    encode(
        &Header::new(Algorithm::EdDSA),
        claims,
        &EncodingKey::from_ed_pem(&pem).unwrap(),
    )
    .unwrap()
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn new_platform(code: &str) -> Value {
    json!({"code": code, "name_vi": "Hệ thống thử nghiệm", "name_en": "Test system", "domains": ["tax"], "status": "piloting"})
}

/// POSTs a platform with `token` and asserts the 401 problem and that nothing was created.
async fn assert_rejected(app: &TestApp, token: Option<&str>, code: &str) -> Value {
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            token,
            Some(&new_platform(code)),
        )
        .await;
    let challenge = response
        .headers()
        .get("www-authenticate")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""),
        "{challenge}"
    );
    let body = assert_problem(response, 401, "invalid_token").await;
    assert_eq!(
        app.get(&format!("/api/v1/platforms/{code}")).await.status(),
        404,
        "nothing is created"
    );
    body
}

#[tokio::test]
async fn a_write_without_a_token_is_401() {
    let app = spawn_app().await;
    assert_rejected(&app, None, "no-token").await;
    let response = app
        .client
        .post(format!("{}/api/v1/platforms", app.address))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .json(&new_platform("basic-auth"))
        .send()
        .await
        .unwrap();
    assert_problem(response, 401, "invalid_token").await;
}

#[tokio::test]
async fn a_malformed_token_is_401_without_the_decoders_text() {
    let app = spawn_app().await;
    let body = assert_rejected(&app, Some("not.a.jwt"), "malformed").await;
    assert_eq!(body["detail"], "The bearer token is not a well-formed JWT.");
    assert_rejected(&app, Some("abc"), "malformed-2").await;
}

#[tokio::test]
async fn a_token_with_a_wrong_signature_is_401() {
    let app = spawn_app().await;
    let forged = hs256(
        &claims(Some("BTC")),
        "another-secret-that-is-long-enough-0123456789",
    );
    let body = assert_rejected(&app, Some(&forged), "forged").await;
    assert_eq!(body["detail"], "The bearer token's signature is invalid.");
    let other_key = eddsa(&claims(Some("BTC")), "other-ed25519-private.pem");
    assert_rejected(&app, Some(&other_key), "forged-eddsa").await;
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_401() {
    let app = spawn_app().await;
    let header = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64url(claims(Some("BTC")).to_string().as_bytes());
    assert_rejected(&app, Some(&format!("{header}.{payload}.")), "alg-none").await;
}

#[tokio::test]
async fn algorithm_confusion_with_the_public_key_as_hmac_secret_is_401() {
    let app = spawn_app().await;
    let public_pem = std::fs::read_to_string(fixture("test-ed25519-public.pem")).unwrap();
    let confused = hs256(&claims(Some("BTC")), &public_pem);
    assert_rejected(&app, Some(&confused), "confused").await;
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_401() {
    let app = spawn_app().await;
    let mut expired = claims(Some("BTC"));
    expired["exp"] = json!(now() - 3600);
    let body = assert_rejected(&app, Some(&hs256(&expired, TEST_JWT_SECRET)), "expired").await;
    assert_eq!(body["detail"], "The bearer token has expired.");
    let mut early = claims(Some("BTC"));
    early["nbf"] = json!(now() + 3600);
    let body = assert_rejected(&app, Some(&hs256(&early, TEST_JWT_SECRET)), "early").await;
    assert_eq!(body["detail"], "The bearer token is not valid yet.");
}

#[tokio::test]
async fn a_token_for_another_audience_or_issuer_is_401() {
    let app = spawn_app().await;
    let mut aud = claims(Some("BTC"));
    aud["aud"] = json!("some-other-api");
    assert_rejected(&app, Some(&hs256(&aud, TEST_JWT_SECRET)), "wrong-aud").await;
    let mut iss = claims(Some("BTC"));
    iss["iss"] = json!("someone-else");
    assert_rejected(&app, Some(&hs256(&iss, TEST_JWT_SECRET)), "wrong-iss").await;
}

#[tokio::test]
async fn a_token_missing_a_required_claim_is_401() {
    let app = spawn_app().await;
    for claim in ["jti", "sub", "exp", "aud", "iss"] {
        let mut partial = claims(Some("BTC"));
        partial.as_object_mut().unwrap().remove(claim);
        assert_rejected(
            &app,
            Some(&hs256(&partial, TEST_JWT_SECRET)),
            &format!("missing-{claim}"),
        )
        .await;
    }
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once_by_a_running_server() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let created = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&token),
            Some(&new_platform("before-revoke")),
        )
        .await;
    assert_eq!(created.status(), 201);
    // Token ids are shown to operators only.
    let operator = app.operator().await;
    let jti = app
        .send(
            Method::GET,
            "/api/v1/platforms/before-revoke/history",
            Some(&operator),
            None,
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["items"][0]["actor"]["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    ndp_registry::tokens::revoke(&mut app.conn().await, &jti)
        .await
        .unwrap();
    let body = assert_rejected(&app, Some(&token), "after-revoke").await;
    assert_eq!(body["detail"], "This token has been revoked.");
}

#[tokio::test]
async fn an_eddsa_token_from_a_separate_issuer_is_accepted() {
    let app = spawn_app().await;
    let token = eddsa(&claims(Some("BTC")), "test-ed25519-private.pem");
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&token),
            Some(&new_platform("from-sso")),
        )
        .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn a_token_without_the_scope_is_403() {
    let app = spawn_app().await;
    let contacts_only = app.token("BTC", "contacts:write").await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&contacts_only),
            Some(&new_platform("no-scope")),
        )
        .await;
    let body = assert_problem(response, 403, "insufficient_scope").await;
    assert!(body["detail"].as_str().unwrap().contains("platforms:write"));
    let platforms_only = app.token("BTC", "platforms:write").await;
    let contact = json!({"role": "operations", "name": "Tổng đài", "phone": "024 1234 5678"});
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms/tabmis/contacts",
            Some(&platforms_only),
            Some(&contact),
        )
        .await;
    assert_problem(response, 403, "insufficient_scope").await;
}

#[tokio::test]
async fn a_token_of_a_merged_ministry_cannot_write_and_is_told_the_successor() {
    let app = spawn_app().await;
    let merged = hs256(&claims(Some("BKHDT")), TEST_JWT_SECRET);
    let response = app
        .send(
            Method::POST,
            "/api/v1/platforms",
            Some(&merged),
            Some(&new_platform("merged")),
        )
        .await;
    let body = assert_problem(response, 403, "ministry_inactive").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("BTC") && detail.contains("2025-03-01"),
        "{detail}"
    );
    // The CLI refuses to issue one in the first place.
    let keys =
        ndp_registry::auth::JwtKeys::from_settings(&crate::helpers::test_settings(&app.db.url))
            .unwrap();
    let request = ndp_registry::tokens::IssueRequest {
        ministry: Some("BKHDT".into()),
        province: None,
        scope: None,
        admin: false,
        ttl: "1h".into(),
        label: None,
        subject: None,
    };
    let error = ndp_registry::tokens::issue(&mut app.conn().await, &keys, request)
        .await
        .unwrap_err();
    assert!(error.contains("BTC"), "{error}");
}

#[tokio::test]
async fn authentication_happens_before_the_body_is_read() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/v1/platforms", app.address))
        .header("content-type", "application/json")
        .body("{ this is not json")
        .send()
        .await
        .unwrap();
    assert_problem(response, 401, "invalid_token").await;
    let huge = vec![b'x'; 200 * 1024];
    let response = app
        .client
        .post(format!("{}/api/v1/platforms", app.address))
        .header("content-type", "text/plain")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_problem(response, 401, "invalid_token").await;
}
