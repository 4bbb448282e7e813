//! Faults: the database restarts, crashes and freezes while clients keep writing and reading. The
//! service must answer every request within a bounded time, with 503 problems while the database
//! is away (never a 500, never a hang), recover without a restart, and tell the truth about every
//! write: each one acknowledged with 201 is in the database and each one refused is not.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ndp_registry::startup::Application;
use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::helpers::{seeded_database, settings_with};

/// The database timeout of the server under test; its bounds follow from it.
const DATABASE_TIMEOUT: Duration = Duration::from_millis(1000);
/// A read is answered within two database timeouts (plus scheduling slack).
const READ_BOUND: Duration = Duration::from_millis(2 * 1000 + 1500);
/// A write within seven (see `api::observe::deadline_for`).
const WRITE_BOUND: Duration = Duration::from_millis(7 * 1000 + 1500);

#[derive(Debug)]
struct Outcome {
    code: String,
    status: u16,
    problem: Option<String>,
    elapsed: Duration,
}

async fn outcome(
    code: String,
    started: Instant,
    response: reqwest::Result<reqwest::Response>,
) -> Outcome {
    let elapsed = started.elapsed();
    let Ok(response) = response else {
        return Outcome {
            code,
            status: 0,
            problem: Some(format!("transport error: {response:?}")),
            elapsed,
        };
    };
    let status = response.status().as_u16();
    let is_problem = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v == "application/problem+json");
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let problem = (status >= 400).then(|| {
        if is_problem {
            body["code"].as_str().unwrap_or("(no code)").to_owned()
        } else {
            format!("not problem+json: {body}")
        }
    });
    Outcome {
        code,
        status,
        problem,
        elapsed,
    }
}

fn new_platform(code: &str) -> Value {
    json!({
        "code": code,
        "name_vi": "Hệ thống thử nghiệm sự cố",
        "name_en": "Fault test system",
        "domains": ["government_operations"],
        "audiences": ["government"],
        "status": "operational",
    })
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = Text)]
    code: String,
}

/// Runs `step` (a blocking `pg_ctl` call) off the async workers.
async fn on_cluster(cluster: &Arc<Cluster>, step: fn(&Cluster) -> Result<(), String>) {
    let cluster = Arc::clone(cluster);
    tokio::task::spawn_blocking(move || step(&cluster))
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restarts_crashes_and_freezes_under_load_lose_no_acknowledged_write() {
    let cluster = Arc::new(Cluster::start().unwrap_or_else(|error| {
        panic!("the fault test runs its own PostgreSQL cluster, which could not start: {error}")
    }));
    let url = seeded_database(&cluster.server_url(), "ndp_faults").await;
    let timeout_ms = DATABASE_TIMEOUT.as_millis().to_string();
    let settings = settings_with(
        &url,
        &[
            ("DATABASE_TIMEOUT_MS", timeout_ms.as_str()),
            ("HTTP_WORKERS", "2"),
            ("DATABASE_POOL_SIZE", "8"),
        ],
    );
    let keys = ndp_registry::auth::JwtKeys::from_settings(&settings).unwrap();
    let token = {
        let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
        let request = ndp_registry::tokens::IssueRequest {
            ministry: Some("BTC".into()),
            province: None,
            scope: Some("platforms:write".into()),
            admin: false,
            ttl: "1h".into(),
            label: Some("fault test".into()),
            subject: Some("btc-backoffice".into()),
        };
        ndp_registry::tokens::issue(&mut conn, &keys, request)
            .await
            .unwrap()
    };
    let app = Application::build(&settings).unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let reads = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let mut tasks = Vec::new();
    for writer in 0..6 {
        let (client, address, token) = (client.clone(), address.clone(), token.clone());
        let (stop, writes) = (Arc::clone(&stop), Arc::clone(&writes));
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while !AtomicBool::load(&stop, Ordering::Relaxed) {
                n += 1;
                let code = format!("fault-{writer}-{n}");
                let started = Instant::now();
                let response = client
                    .post(format!("{address}/api/v1/platforms"))
                    .bearer_auth(&token)
                    .json(&new_platform(&code))
                    .send()
                    .await;
                let outcome = outcome(code, started, response).await;
                writes.lock().unwrap().push(outcome);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    for path in ["/api/v1/platforms/tabmis", "/api/v1/platforms?per_page=5"] {
        let (client, address) = (client.clone(), address.clone());
        let (stop, reads) = (Arc::clone(&stop), Arc::clone(&reads));
        tasks.push(tokio::spawn(async move {
            while !AtomicBool::load(&stop, Ordering::Relaxed) {
                let started = Instant::now();
                let response = client.get(format!("{address}{path}")).send().await;
                let outcome = outcome(path.to_owned(), started, response).await;
                reads.lock().unwrap().push(outcome);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    let pause = |ms| tokio::time::sleep(Duration::from_millis(ms));
    pause(1500).await;
    // A clean restart: open transactions are rolled back, then the server comes back.
    on_cluster(&cluster, |c| c.stop_server("fast")).await;
    pause(1000).await;
    on_cluster(&cluster, Cluster::start_server).await;
    pause(2000).await;
    // A crash: every backend is killed, and the next start recovers from the WAL.
    on_cluster(&cluster, |c| c.stop_server("immediate")).await;
    pause(1000).await;
    on_cluster(&cluster, Cluster::start_server).await;
    pause(2000).await;
    // A freeze: connections stay open and nothing answers.
    on_cluster(&cluster, Cluster::freeze).await;
    pause(3000).await;
    on_cluster(&cluster, Cluster::thaw).await;
    pause(2500).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("no client hangs")
            .unwrap();
    }

    // Recovery without a restart of the service.
    let ready = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "ready again after the faults");
    let last = client
        .post(format!("{address}/api/v1/platforms"))
        .bearer_auth(&token)
        .json(&new_platform("fault-after"))
        .send()
        .await
        .unwrap();
    assert_eq!(last.status(), 201, "writes work again");

    let writes = std::mem::take(&mut *writes.lock().unwrap());
    let reads = std::mem::take(&mut *reads.lock().unwrap());
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    for o in writes.iter() {
        *classes
            .entry(format!(
                "write {} {}",
                o.status,
                o.problem.as_deref().unwrap_or("")
            ))
            .or_default() += 1;
    }
    for o in reads.iter() {
        *classes
            .entry(format!(
                "read {} {}",
                o.status,
                o.problem.as_deref().unwrap_or("")
            ))
            .or_default() += 1;
    }
    eprintln!("fault test outcomes: {classes:#?}");
    let slowest_write = writes.iter().map(|o| o.elapsed).max().unwrap();
    let slowest_read = reads.iter().map(|o| o.elapsed).max().unwrap();
    eprintln!("slowest write {slowest_write:?}, slowest read {slowest_read:?}");

    for o in &writes {
        let expected = o.status == 201
            || (o.status == 503
                && matches!(
                    o.problem.as_deref(),
                    Some("database_unavailable" | "write_outcome_unknown")
                ));
        assert!(expected, "a write answered {o:?}");
        assert!(o.elapsed < WRITE_BOUND, "a write took too long: {o:?}");
    }
    for o in &reads {
        let expected = o.status == 200
            || (o.status == 503 && o.problem.as_deref() == Some("database_unavailable"));
        assert!(expected, "a read answered {o:?}");
        assert!(o.elapsed < READ_BOUND, "a read took too long: {o:?}");
    }
    let refused = |o: &&Outcome| o.problem.as_deref() == Some("database_unavailable");
    assert!(
        writes.iter().filter(refused).count() > 0 && reads.iter().filter(refused).count() > 0,
        "the faults were felt: {classes:?}"
    );
    assert!(
        writes.iter().filter(|o| o.status == 201).count() > 20,
        "writes went through between the faults: {classes:?}"
    );

    // The database agrees with every answer.
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    let stored: HashSet<String> =
        diesel::sql_query("SELECT code FROM platforms WHERE code LIKE 'fault-%'")
            .load::<Code>(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.code)
            .collect();
    let in_doubt: HashSet<&str> = writes
        .iter()
        .filter(|o| o.problem.as_deref() == Some("write_outcome_unknown"))
        .map(|o| o.code.as_str())
        .collect();
    for o in &writes {
        match o.status {
            201 => assert!(stored.contains(&o.code), "acknowledged but lost: {o:?}"),
            _ if refused(&o) => assert!(!stored.contains(&o.code), "refused but stored: {o:?}"),
            _ => {}
        }
    }
    let acknowledged: HashSet<&str> = writes
        .iter()
        .filter(|o| o.status == 201)
        .map(|o| o.code.as_str())
        .chain(["fault-after"])
        .collect();
    for code in &stored {
        assert!(
            acknowledged.contains(code.as_str()) || in_doubt.contains(code.as_str()),
            "{code} is stored but was never acknowledged"
        );
    }
    // Each stored platform has its change in the feed, written in the same transaction.
    let in_feed: HashSet<String> = diesel::sql_query(
        "SELECT entity_key AS code FROM change_log WHERE entity = 'platform' AND entity_key LIKE 'fault-%'",
    )
    .load::<Code>(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|c| c.code)
    .collect();
    assert_eq!(in_feed, stored, "every stored write has its history entry");
}
