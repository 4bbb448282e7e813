//! Limits on what one client may send: writes per token, header size, slow bodies; and a
//! graceful shutdown that answers the requests already in flight.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

const PLATFORM: &str = "/api/v1/platforms/tabmis";

#[tokio::test]
async fn writes_beyond_a_tokens_limit_are_429_with_retry_after_and_are_not_applied() {
    let app = spawn_app_with(&[("WRITES_PER_MINUTE_PER_TOKEN", "3")]).await;
    let token = app.btc().await;
    let history_before = app.history_len("tabmis").await;
    for round in 1..=3 {
        let response = app
            .send(
                Method::PATCH,
                PLATFORM,
                Some(&token),
                Some(&json!({"description": format!("Mô tả lần {round}.")})),
            )
            .await;
        assert_eq!(response.status(), 200, "write {round} is within the limit");
    }
    let refused = app
        .send(
            Method::PATCH,
            PLATFORM,
            Some(&token),
            Some(&json!({"description": "Mô tả lần 4."})),
        )
        .await;
    // Three a minute: the next token is about 20 s away.
    let retry_after: u64 = refused
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (15..=20).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    let body = assert_problem(refused, 429, "rate_limited").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("Retry in {retry_after} s")),
        "{body}"
    );
    let platform = app.get_json(PLATFORM).await;
    assert_eq!(
        platform["description"], "Mô tả lần 3.",
        "the refused write changed nothing"
    );
    assert_eq!(app.history_len("tabmis").await, history_before + 3);
    // The limit is the token's: another token of the same ministry still writes, and reads that
    // need no token are not limited.
    let other = app.btc().await;
    let response = app
        .send(
            Method::PATCH,
            PLATFORM,
            Some(&other),
            Some(&json!({"description": "Mô tả lần 5."})),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.get(PLATFORM).await.status(), 200);
}

#[tokio::test]
async fn anonymous_bursts_are_429_per_address_while_tokens_and_probes_go_through() {
    let app = spawn_app_with(&[("ANONYMOUS_REQUESTS_PER_MINUTE", "5")]).await;
    for _ in 0..5 {
        assert_eq!(app.get(PLATFORM).await.status(), 200);
    }
    let refused = app.get("/api/v1/platforms").await;
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // Five a minute: the next request is about 12 s away.
    assert!(
        (10..=12).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    let body = assert_problem(refused, 429, "rate_limited").await;
    assert!(body["request_id"].as_str().is_some(), "{body}");
    assert_eq!(app.get("/healthz").await.status(), 200, "probes are exempt");
    assert_eq!(app.get("/readyz").await.status(), 200, "probes are exempt");
    let token = app.btc().await;
    let with_token = app.send(Method::GET, PLATFORM, Some(&token), None).await;
    assert_eq!(with_token.status(), 200, "a valid token lifts the limit");
    let forged = app
        .send(Method::GET, PLATFORM, Some("not.a.token"), None)
        .await;
    assert_eq!(forged.status(), 429, "an invalid token does not");
}

#[tokio::test]
async fn too_many_or_too_large_header_fields_are_431_problems() {
    let app = spawn_app().await;
    let url = format!("{}{PLATFORM}", app.address);
    let large = app
        .client
        .get(&url)
        .header("x-padding", "x".repeat(20_000))
        .send()
        .await
        .unwrap();
    let body = assert_problem(large, 431, "headers_too_large").await;
    assert!(
        body["detail"].as_str().unwrap().contains("16384 bytes"),
        "{body}"
    );
    let mut many = app.client.get(&url);
    for i in 0..70 {
        many = many.header(format!("x-field-{i}"), "1");
    }
    assert_problem(many.send().await.unwrap(), 431, "headers_too_large").await;
    // Beyond what actix's parser holds (96 fields), actix answers 431 itself, without a body.
    // actix closes that connection after its 431: a client of its own keeps the pooled
    // connections of `app.client` out of it.
    let mut beyond = reqwest::Client::new().get(&url);
    for i in 0..120 {
        beyond = beyond.header(format!("x-field-{i}"), "1");
    }
    assert_eq!(beyond.send().await.unwrap().status(), 431);
    // The server is unharmed.
    assert_eq!(app.get(PLATFORM).await.status(), 200);
}

/// Sends a request head and part of its body on a raw connection.
async fn start_request(address: &str, head: &str, partial_body: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(partial_body.as_bytes()).await.unwrap();
    stream
}

/// Reads until the connection closes or `within` passes; returns what arrived.
async fn read_response(stream: &mut TcpStream, within: Duration) -> String {
    let mut received = Vec::new();
    let _ = tokio::time::timeout(within, async {
        let mut chunk = [0_u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    String::from_utf8_lossy(&received).into_owned()
}

fn post_head(token: &str, length: usize) -> String {
    format!(
        "POST /api/v1/platforms HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
}

fn platform_body(code: &str) -> String {
    json!({
        "code": code,
        "name_vi": "Hệ thống thử nghiệm gửi chậm",
        "name_en": "Slow sender test system",
        "domains": ["government_operations"],
        "audiences": ["government"],
        "status": "operational",
    })
    .to_string()
}

#[tokio::test]
async fn a_body_that_trickles_in_is_answered_408_and_the_connection_closed() {
    let app = spawn_app_with(&[("REQUEST_BODY_TIMEOUT_MS", "400")]).await;
    let token = app.btc().await;
    let body = platform_body("slow-body-btc");
    let started = Instant::now();
    let mut stream = start_request(
        &app.address,
        &post_head(&token, body.len()),
        &body[..body.len() / 2],
    )
    .await;
    let response = read_response(&mut stream, Duration::from_secs(5)).await;
    let elapsed = started.elapsed();
    assert!(
        response.starts_with("HTTP/1.1 408"),
        "answered 408: {response}"
    );
    assert!(response.contains("application/problem+json"), "{response}");
    assert!(response.contains("\"code\":\"body_timeout\""), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("connection: close"),
        "{response}"
    );
    assert!(
        elapsed < Duration::from_secs(3),
        "answered within the allowance, not at the client's timeout: {elapsed:?}"
    );
    assert_eq!(
        app.get("/api/v1/platforms/slow-body-btc").await.status(),
        404,
        "nothing was created"
    );
}

#[tokio::test]
async fn a_graceful_stop_answers_requests_in_flight_and_refuses_new_ones() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let body = platform_body("in-flight-btc");
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = start_request(&app.address, &post_head(&token, body.len()), first).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopping = tokio::spawn(app.server.stop(true));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        TcpStream::connect(app.address.trim_start_matches("http://"))
            .await
            .is_err(),
        "a stopping server accepts no new connection"
    );
    stream.write_all(rest.as_bytes()).await.unwrap();
    let response = read_response(&mut stream, Duration::from_secs(5)).await;
    assert!(
        response.starts_with("HTTP/1.1 201"),
        "the request in flight is answered: {response}"
    );
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("the server stops once its requests are answered")
        .unwrap();
    let mut conn = app.conn().await;
    let created: i64 = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT count(*) AS n FROM platforms WHERE code = 'in-flight-btc'"),
        &mut conn,
    )
    .await
    .map(|row: Count| row.n)
    .unwrap();
    assert_eq!(created, 1, "the answered write is in the database");
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
