//! The test harness: every test gets its own database, cloned from a migrated and seeded template,
//! and its own server on a free port. Databases are dropped when the test ends, pass or fail.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ndp_registry::config::Settings;
use ndp_registry::startup::Application;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

/// The PostgreSQL server the tests use, as a URL without a database name.
static SERVER: OnceCell<String> = OnceCell::const_new();
/// The name of the migrated and seeded template database.
static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// A running server on its own database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    /// Stops the server.
    pub server: actix_web::dev::ServerHandle,
}

/// A database that is dropped with the value.
pub struct TestDb {
    pub name: String,
    pub url: String,
    server: String,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a fresh thread and runtime may block freely.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) =
                    AsyncPgConnection::establish(&database_url(&server, "postgres")).await
                {
                    let _ = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    ))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join();
    }
}

impl TestApp {
    /// A ministry token issued by the CLI's code path, recorded in this test's database.
    pub async fn token(&self, ministry: &str, scope: &str) -> String {
        let keys =
            ndp_registry::auth::JwtKeys::from_settings(&test_settings(&self.db.url)).unwrap();
        let request = ndp_registry::tokens::IssueRequest {
            ministry: Some(ministry.into()),
            province: None,
            scope: Some(scope.into()),
            admin: false,
            ttl: "1h".into(),
            label: Some("test".into()),
            subject: Some(format!("{}-backoffice", ministry.to_lowercase())),
        };
        ndp_registry::tokens::issue(&mut self.conn().await, &keys, request)
            .await
            .unwrap()
    }

    /// A province token issued by the CLI's code path (`province` may be a code or a name).
    pub async fn province_token(&self, province: &str, scope: &str) -> String {
        let keys =
            ndp_registry::auth::JwtKeys::from_settings(&test_settings(&self.db.url)).unwrap();
        let request = ndp_registry::tokens::IssueRequest {
            ministry: None,
            province: Some(province.into()),
            scope: Some(scope.into()),
            admin: false,
            ttl: "1h".into(),
            label: Some("test".into()),
            subject: None,
        };
        ndp_registry::tokens::issue(&mut self.conn().await, &keys, request)
            .await
            .unwrap()
    }

    /// A token of BTC with both write scopes.
    pub async fn btc(&self) -> String {
        self.token("BTC", "platforms:write contacts:write").await
    }

    /// An operator token.
    pub async fn operator(&self) -> String {
        let keys =
            ndp_registry::auth::JwtKeys::from_settings(&test_settings(&self.db.url)).unwrap();
        let request = ndp_registry::tokens::IssueRequest {
            ministry: None,
            province: None,
            scope: None,
            admin: true,
            ttl: "1h".into(),
            label: None,
            subject: Some("registry-operator".into()),
        };
        ndp_registry::tokens::issue(&mut self.conn().await, &keys, request)
            .await
            .unwrap()
    }

    /// Sends `method path` with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let content_type = if method == reqwest::Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        let mut request = self
            .client
            .request(method, format!("{}{}", self.address, path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", content_type)
                .body(serde_json::to_vec(body).unwrap());
        }
        request.send().await.unwrap()
    }

    /// The ETag of `path`.
    pub async fn etag(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response
            .headers()
            .get("etag")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    }

    /// How many history entries a platform has.
    pub async fn history_len(&self, code: &str) -> i64 {
        self.get_json(&format!("/api/v1/platforms/{code}/history"))
            .await["total"]
            .as_i64()
            .unwrap()
    }

    /// GET `path` (relative to the server).
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .unwrap()
    }

    /// GET `path` and parse a 200 JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    /// A connection to this test's database.
    pub async fn conn(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.db.url).await.unwrap()
    }
}

/// Asserts that `response` is an RFC 9457 problem with `status` and `code`; returns the body.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "status of {}",
        response.url()
    );
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert_eq!(body["code"], code, "problem body: {body}");
    assert_eq!(body["type"], format!("urn:ndp-registry:problem:{code}"));
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "title in {body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "detail in {body}"
    );
    body
}

/// Asserts that a 400 problem names `field` among its `errors`.
pub async fn assert_invalid_parameter(response: Response, field: &str) -> Value {
    assert_field_error(response, 400, "invalid_parameter", field).await
}

/// Asserts a 422 `validation_failed` problem naming body field `field`, and returns the body.
pub async fn assert_invalid_field(response: Response, field: &str) -> Value {
    assert_field_error(response, 422, "validation_failed", field).await
}

async fn assert_field_error(response: Response, status: u16, code: &str, field: &str) -> Value {
    let body = assert_problem(response, status, code).await;
    let errors = body["errors"].as_array().expect("errors array");
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == field && e["message"].as_str().is_some_and(|m| !m.is_empty())),
        "expected an error for {field} in {body}"
    );
    body
}

/// Starts the application on a fresh copy of the seeded template.
pub async fn spawn_app() -> TestApp {
    let db = create_test_db(Some(template().await)).await;
    spawn_app_on(db, &[]).await
}

/// Starts the application on a fresh copy of the seeded template, with some settings changed.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let db = create_test_db(Some(template().await)).await;
    spawn_app_on(db, overrides).await
}

/// A new database on the server at `server_url`, migrated and seeded (outside the shared server).
pub async fn seeded_database(server_url: &str, name: &str) -> String {
    let mut conn = AsyncPgConnection::establish(&database_url(server_url, "postgres"))
        .await
        .unwrap();
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .unwrap();
    let url = database_url(server_url, name);
    ndp_registry::db::run_migrations(&url).await.unwrap();
    let mut seed_conn = AsyncPgConnection::establish(&url).await.unwrap();
    ndp_registry::seed::run(&mut seed_conn).await.unwrap();
    url
}

async fn spawn_app_on(db: TestDb, overrides: &[(&str, &str)]) -> TestApp {
    let settings = settings_with(&db.url, overrides);
    let app = Application::build(&settings).expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let server = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        server,
    }
}

/// Settings for a test server on `database_url`.
pub fn test_settings(database_url: &str) -> Settings {
    settings_with(database_url, &[])
}

/// Test settings with some variables changed.
pub fn settings_with(database_url: &str, overrides: &[(&str, &str)]) -> Settings {
    let url = database_url.to_owned();
    let overrides: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Settings::from_lookup(move |name| {
        if let Some((_, value)) = overrides.iter().find(|(k, _)| k == name) {
            return Some(value.clone());
        }
        default_test_setting(name, &url)
    })
    .unwrap()
}

fn default_test_setting(name: &str, url: &str) -> Option<String> {
    match name {
        "DATABASE_URL" => Some(url.to_owned()),
        "BIND_ADDR" => Some("127.0.0.1:0".into()),
        "HTTP_WORKERS" => Some("1".into()),
        "DATABASE_POOL_SIZE" => Some("4".into()),
        "DATABASE_TIMEOUT_MS" => Some("2000".into()),
        "JWT_SECRET" => Some(TEST_JWT_SECRET.into()),
        "WEBHOOK_ALLOW_PRIVATE_TARGETS" => Some("true".into()),
        "WEBHOOK_POLL_MS" => Some("50".into()),
        "JWT_PUBLIC_KEY_FILE" => Some(fixture("test-ed25519-public.pem")),
        // Most tests write more than a back-office would in a minute; `limits` tests the limit.
        "WRITES_PER_MINUTE_PER_TOKEN" => Some("0".into()),
        "ANONYMOUS_REQUESTS_PER_MINUTE" => Some("0".into()),
        _ => None,
    }
}

/// A new database, cloned from `template` or empty.
pub async fn create_test_db(template: Option<&str>) -> TestDb {
    let server = server().await.to_owned();
    let name = format!("ndp_test_{}", uuid::Uuid::new_v4().simple());
    let sql = match template {
        Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        None => format!("CREATE DATABASE \"{name}\""),
    };
    execute_with_retry(&server, &sql).await;
    TestDb {
        url: database_url(&server, &name),
        name,
        server,
    }
}

// CREATE DATABASE ... TEMPLATE fails while another session briefly touches the template.
async fn execute_with_retry(server: &str, sql: &str) {
    let mut conn = AsyncPgConnection::establish(&database_url(server, "postgres"))
        .await
        .unwrap();
    for attempt in 0.. {
        match diesel::sql_query(sql).execute(&mut conn).await {
            Ok(_) => return,
            Err(error)
                if attempt < 50 && error.to_string().contains("being accessed by other users") =>
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("{sql}: {error}"),
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// The template database, built once per test process (and once per content across processes).
async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let server = server().await;
            let name = format!("ndp_tpl_{}", content_hash());
            let mut conn = AsyncPgConnection::establish(&database_url(server, "postgres"))
                .await
                .unwrap();
            // Serialise template builds across concurrently running test processes.
            diesel::sql_query("SELECT pg_advisory_lock(734215)")
                .execute(&mut conn)
                .await
                .unwrap();
            let exists: Count = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
            ))
            .get_result(&mut conn)
            .await
            .unwrap();
            if exists.n == 0 {
                build_template(server, &name, &mut conn).await;
            }
            diesel::sql_query("SELECT pg_advisory_unlock(734215)")
                .execute(&mut conn)
                .await
                .unwrap();
            name
        })
        .await
}

async fn build_template(server: &str, name: &str, conn: &mut AsyncPgConnection) {
    // Templates of earlier migrations or seeds are stale; one built in the last hour may belong
    // to another checkout testing on the same server at the same time, and is left alone.
    let built_before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .saturating_sub(3600);
    let stale: Vec<Name> = diesel::sql_query(format!(
        "SELECT datname FROM pg_database WHERE datname LIKE 'ndp\\_tpl\\_%' \
         AND coalesce(substring(shobj_description(oid, 'pg_database') FROM '^built at ([0-9]+)$')::bigint, 0) < {built_before}"
    ))
    .load(conn)
    .await
    .unwrap();
    for old in stale {
        let _ = diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            old.datname
        ))
        .execute(conn)
        .await;
    }
    let building = format!("{name}_build");
    diesel::sql_query(format!(
        "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
    ))
    .execute(conn)
    .await
    .unwrap();
    diesel::sql_query(format!("CREATE DATABASE \"{building}\""))
        .execute(conn)
        .await
        .unwrap();
    let url = database_url(server, &building);
    ndp_registry::db::run_migrations(&url).await.unwrap();
    {
        let mut seed_conn = AsyncPgConnection::establish(&url).await.unwrap();
        ndp_registry::seed::run(&mut seed_conn).await.unwrap();
    }
    // WITH (FORCE) is not available on RENAME: close stragglers first.
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{building}'"
    ))
    .execute(conn)
    .await
    .unwrap();
    execute_with_retry(
        server,
        &format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""),
    )
    .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    diesel::sql_query(format!(
        "COMMENT ON DATABASE \"{name}\" IS 'built at {now}'"
    ))
    .execute(conn)
    .await
    .unwrap();
}

/// A hash of everything the template is built from.
fn content_hash() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["migrations", "seeds"] {
        collect_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(
            file.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update(std::fs::read(&file).unwrap());
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn database_url(server: &str, name: &str) -> String {
    format!("{}/{}", server.trim_end_matches('/'), name)
}

/// The HS256 secret of every test server.
pub const TEST_JWT_SECRET: &str = "test-secret-for-the-integration-tests-only-0123456789";

/// The path of a file in `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The server URL: TEST_DATABASE_URL, DATABASE_URL or the API.md default, without the database;
/// when nothing answers there but PostgreSQL's binaries are installed, a throwaway cluster.
async fn server() -> &'static str {
    SERVER
        .get_or_init(|| async {
            let configured = std::env::var("TEST_DATABASE_URL")
                .or_else(|_| std::env::var("DATABASE_URL"))
                .unwrap_or_else(|_| ndp_registry::config::DEFAULT_DATABASE_URL.to_owned());
            let server = strip_database(&configured);
            if AsyncPgConnection::establish(&database_url(&server, "postgres")).await.is_ok() {
                return server;
            }
            match crate::cluster::Cluster::start() {
                Ok(cluster) => {
                    let url = cluster.server_url();
                    // It lives as long as this process; its watchdog removes it afterwards.
                    std::mem::forget(cluster);
                    url
                }
                Err(error) => panic!(
                    "no PostgreSQL answers at {server} and no private cluster could start ({error}): \
                     start one (pg_ctlcluster 15 main start) or set TEST_DATABASE_URL"
                ),
            }
        })
        .await
}

fn strip_database(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    let scheme_end = without_query.find("://").map_or(0, |i| i + 3);
    match without_query[scheme_end..].find('/') {
        Some(slash) => without_query[..scheme_end + slash].to_owned(),
        None => without_query.to_owned(),
    }
}
