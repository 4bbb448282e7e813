//! Spreadsheet exports: CSV and workbook, every matching row, formulas neutralised, and no
//! database connection held while a client reads.

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{assert_invalid_parameter, assert_problem, spawn_app, spawn_app_with};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn column_names() -> Vec<&'static str> {
    ndp_registry::api::v1::catalogue::PLATFORM_COLUMNS
        .iter()
        .map(|c| c.name)
        .collect()
}

#[tokio::test]
async fn the_csv_export_has_every_matching_row_a_bom_crlf_and_vietnamese_intact() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/platforms/export?format=csv").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert_eq!(response.headers().get("vary").unwrap(), "Accept");
    assert!(
        response
            .headers()
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("attachment; filename=\"ndp-platforms.csv\"")
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines = text.split("\r\n").count();
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    assert_eq!(
        lines,
        79 + 2,
        "header, 79 rows, and the empty rest after the last CRLF"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers, column_names());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 79);
    let invoice = rows
        .iter()
        .find(|r| &r[0] == "nen-tang-hoa-don-dien-tu")
        .unwrap();
    assert_eq!(&invoice[1], "Nền tảng hóa đơn điện tử");
    let support = rows
        .iter()
        .find(|r| &r[0] == "dang-ky-giao-dich-bao-dam")
        .unwrap();
    assert!(support[14].contains("024.62739677"));

    let filtered = app
        .client
        .get(format!(
            "{}/api/v1/platforms/export?ministry=BTP",
            app.address
        ))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    let text = filtered.text().await.unwrap();
    let count = app
        .get_json("/api/v1/platforms?ministry=BTP&per_page=1")
        .await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(text.lines().count() as i64, count + 1);
    let searched = app
        .get("/api/v1/platforms/export?q=hoa%20don")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        searched
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("nen-tang-hoa-don-dien-tu,"),
        "ranked as the list is, CSV by default"
    );
}

#[tokio::test]
async fn the_workbook_export_is_an_xlsx_file_chosen_by_format_or_accept() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/platforms/export?format=xlsx").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("content-type").unwrap(), XLSX);
    assert!(
        response
            .headers()
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("ndp-platforms.xlsx")
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"PK\x03\x04", "a zip container");
    let by_accept = app
        .client
        .get(format!("{}/api/v1/platforms/export", app.address))
        .header("accept", XLSX)
        .send()
        .await
        .unwrap();
    assert_eq!(by_accept.headers().get("content-type").unwrap(), XLSX);
}

#[tokio::test]
async fn bad_export_parameters_are_400_naming_each() {
    let app = spawn_app().await;
    let body = assert_invalid_parameter(
        app.get("/api/v1/platforms/export?format=ods&status=bogus&page=2")
            .await,
        "format",
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"page"), "{body}");
}

#[tokio::test]
async fn a_script_that_asks_the_list_for_csv_still_gets_the_export() {
    let app = spawn_app().await;
    let old = app.get("/api/v1/platforms?ministry=BTC&format=csv").await;
    assert_eq!(old.status(), 200);
    assert!(
        old.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let old = old.bytes().await.unwrap();
    let new = app
        .get("/api/v1/platforms/export?ministry=BTC&format=csv")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(old, new);
    assert_invalid_parameter(app.get("/api/v1/platforms?format=pdf").await, "format").await;
    // The list itself stays JSON.
    let list = app.get("/api/v1/platforms?ministry=BTC").await;
    assert_eq!(list.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn an_export_larger_than_the_limit_is_400_and_a_narrower_one_is_served() {
    let app = spawn_app_with(&[("EXPORT_MAX_ROWS", "10")]).await;
    let body = assert_problem(
        app.get("/api/v1/platforms/export?format=xlsx").await,
        400,
        "export_too_large",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("79"), "{body}");
    let narrow = app.get("/api/v1/platforms/export?ministry=BNG").await;
    assert_eq!(narrow.status(), 200);
}

/// The limit is checked on the selection's count: one platform over it is refused with the
/// count in the problem, exactly at it the export is served whole.
#[tokio::test]
async fn an_export_one_past_the_limit_is_refused_and_one_at_the_limit_is_served_whole() {
    let app = spawn_app().await;
    let facets: serde_json::Value = app
        .get("/api/v1/platforms/facets")
        .await
        .json()
        .await
        .unwrap();
    let (ministry, count) = facets["ministry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["value"].as_str().unwrap().to_owned(),
                f["count"].as_i64().unwrap(),
            )
        })
        .max_by_key(|(_, count)| *count)
        .unwrap();
    assert!(count > 1, "{facets}");
    let path = format!("/api/v1/platforms/export?format=csv&ministry={ministry}");

    let at_limit = spawn_app_with(&[("EXPORT_MAX_ROWS", &count.to_string())]).await;
    let served = at_limit.get(&path).await;
    assert_eq!(served.status(), 200);
    let csv = served.text().await.unwrap();
    let rows = csv::Reader::from_reader(csv.as_bytes()).records().count();
    assert_eq!(rows as i64, count);

    let below = spawn_app_with(&[("EXPORT_MAX_ROWS", &(count - 1).to_string())]).await;
    let body = assert_problem(below.get(&path).await, 400, "export_too_large").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "has {count} platforms, more than the {}",
            count - 1
        )),
        "{body}"
    );
}

#[tokio::test]
async fn cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised() {
    let app = spawn_app().await;
    let token = app.btc().await;
    let planted = [
        ("name_vi", "=HYPERLINK(\"http://evil.example\",\"Bấm vào\")"),
        ("name_en", "+SUM(1,2)"),
        ("short_name", "@SUM(1)"),
        ("operator", "-2+3+cmd|' /C calc'!A0"),
    ];
    let mut body = json!({
        "code": "formula-btc",
        "description": "Một nền tảng thử.",
        "domains": ["tax"],
        "audiences": ["government"],
        "status": "operational",
    });
    for (field, value) in planted {
        body[field] = json!(value);
    }
    let created = app
        .send(Method::POST, "/api/v1/platforms", Some(&token), Some(&body))
        .await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let bytes = app
        .get("/api/v1/platforms/export?format=csv&ministry=BTC")
        .await
        .bytes()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers().unwrap().clone();
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "formula-btc")
        .unwrap();
    for (field, value) in planted {
        let column = headers.iter().position(|h| h == field).unwrap();
        assert_eq!(&row[column], format!("'{value}"), "{field}");
    }
    let json = app.get_json("/api/v1/platforms/formula-btc").await;
    assert_eq!(
        json["name_vi"], planted[0].1,
        "stored and served as written"
    );
}

/// Requests an export on a raw connection with a small receive window, reads only the status
/// line, and then stops reading.
async fn stalled_export(address: &str) -> tokio::net::TcpStream {
    let addr: std::net::SocketAddr = address.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET /api/v1/platforms/export?format=csv HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut first = [0u8; 12];
    stream.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    stream
}

#[tokio::test]
async fn stalled_exports_hold_no_database_connection_while_other_reads_go_on() {
    let app = spawn_app_with(&[("DATABASE_POOL_SIZE", "2")]).await;
    // Enough platforms that an export is megabytes, far more than the socket buffers hold.
    let mut conn = app.conn().await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO platforms (code, name_vi, name_en, short_name, description, \
             ministry_code, operator, domains, audiences, status, url, ndxp_status, source, \
             confidence, version, created_at, updated_at) \
             SELECT 'bulk-' || g, name_vi || ' ' || g, name_en, short_name, description, \
             ministry_code, operator, domains, audiences, status, url, ndxp_status, \
             repeat('https://example.gov.vn/nguon-du-lieu/', 40), confidence, 1, now(), now() \
             FROM platforms, generate_series(1, 5000) AS g WHERE code = 'vneid'",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    let mut stalled = Vec::new();
    for _ in 0..4 {
        stalled.push(stalled_export(&app.address).await);
    }
    // Twice the pool's size of exports wait on their clients; every other read is still served.
    let reads = (0..6).map(|_| app.get("/api/v1/platforms/vneid"));
    for response in futures_util::future::join_all(reads).await {
        assert_eq!(response.status(), 200);
    }
    // And a stalled client that reads on gets the whole file.
    let mut rest = Vec::new();
    stalled[0].read_to_end(&mut rest).await.unwrap();
    let text = String::from_utf8_lossy(&rest);
    assert!(text.contains("bulk-5000,"), "the whole snapshot is sent");
}
