//! The migrations, the schema and the seed loader against a real database.

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use ndp_registry::db::MIGRATIONS;
use ndp_registry::seed::{self, SeedReport};

use crate::helpers::{create_test_db, spawn_app};

#[derive(QueryableByName, Debug)]
struct Fingerprint {
    #[diesel(sql_type = Text)]
    digest: String,
}

/// A digest of every row of every table, to prove that a second seed run changes nothing.
async fn fingerprint(conn: &mut AsyncPgConnection) -> String {
    let sql = "SELECT md5(string_agg(t, '|' ORDER BY t)) AS digest FROM (
        SELECT m::text AS t FROM ministries m UNION ALL SELECT p::text FROM platforms p
        UNION ALL SELECT c::text FROM contacts c UNION ALL SELECT o::text FROM platform_ownerships o
        UNION ALL SELECT l::text FROM list_editions l UNION ALL SELECT d::text FROM list_declared_counts d
        UNION ALL SELECT s::text FROM list_memberships s UNION ALL SELECT v::text FROM provinces v
        UNION ALL SELECT r::text FROM province_predecessors r) rows";
    diesel::sql_query(sql)
        .get_result::<Fingerprint>(conn)
        .await
        .unwrap()
        .digest
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let app = spawn_app().await;
    let mut conn = app.conn().await;
    let before = fingerprint(&mut conn).await;
    let report = seed::run(&mut conn).await.unwrap();
    assert_eq!(report, SeedReport::default());
    assert_eq!(fingerprint(&mut conn).await, before);
}

#[tokio::test]
async fn seeding_an_empty_database_loads_every_source_row() {
    let db = create_test_db(None).await;
    ndp_registry::db::run_migrations(&db.url).await.unwrap();
    let mut conn = <AsyncPgConnection as diesel_async::AsyncConnection>::establish(&db.url)
        .await
        .unwrap();
    let report = seed::run(&mut conn).await.unwrap();
    assert_eq!(
        report,
        SeedReport {
            ministries: 32,
            lists: 3,
            platforms: 79,
            contacts: 1,
            provinces: 34
        }
    );
}

#[tokio::test]
async fn every_migration_reverts_and_reapplies() {
    let db = create_test_db(None).await;
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url).unwrap();
        let applied = conn.run_pending_migrations(MIGRATIONS).unwrap().len();
        assert!(applied > 0);
        conn.revert_all_migrations(MIGRATIONS).unwrap();
        assert_eq!(
            conn.run_pending_migrations(MIGRATIONS).unwrap().len(),
            applied
        );
    })
    .await
    .unwrap();
}

#[derive(QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

fn diesel_type(udt: &str, nullable: bool) -> String {
    let base = match udt {
        "int8" => "Int8".to_owned(),
        "int4" => "Int4".to_owned(),
        "text" => "Text".to_owned(),
        "bool" => "Bool".to_owned(),
        "date" => "Date".to_owned(),
        "timestamptz" => "Timestamptz".to_owned(),
        "jsonb" => "Jsonb".to_owned(),
        "uuid" => "Uuid".to_owned(),
        "_text" => "Array<Text>".to_owned(),
        "int2" => "Int2".to_owned(),
        other => format!("<unmapped {other}>"),
    };
    if nullable {
        format!("Nullable<{base}>")
    } else {
        base
    }
}

/// `src/db/schema.rs` is kept in the shape `diesel print-schema` emits; this fails when it and
/// the migrated database disagree on any table, column, type or nullability.
#[tokio::test]
async fn schema_matches_the_migrated_database() {
    let app = spawn_app().await;
    let mut conn = app.conn().await;
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, udt_name::text, is_nullable::text
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mut database: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for c in columns {
        database.entry(c.table_name).or_default().insert(
            c.column_name,
            diesel_type(&c.udt_name, c.is_nullable == "YES"),
        );
    }

    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();
    let mut declared: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut table: Option<String> = None;
    for line in source.lines().map(str::trim) {
        if let Some(rest) = line.strip_suffix('{').filter(|r| r.contains('(')) {
            table = Some(rest.split('(').next().unwrap().trim().to_owned());
        } else if line == "}" {
            table = None;
        } else if let (Some(t), Some((name, ty))) = (&table, line.split_once(" -> ")) {
            declared
                .entry(t.clone())
                .or_default()
                .insert(name.to_owned(), ty.trim_end_matches(',').to_owned());
        }
    }
    assert_eq!(declared, database);
}

/// A connection to the seeded registry with fresh planner statistics (`pg_stats`).
async fn analysed(app: &crate::helpers::TestApp) -> AsyncPgConnection {
    let mut conn = app.conn().await;
    diesel::sql_query("ANALYZE platforms")
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

#[tokio::test]
async fn word_statistics_count_the_rows_holding_a_word_or_a_pair() {
    let app = spawn_app().await;
    let mut conn = analysed(&app).await;
    let stats = ndp_registry::db::platforms::word_statistics(&mut conn)
        .await
        .unwrap();
    assert!(stats.rows >= 79.0, "{} platforms", stats.rows);
    // "Hệ thống" and "quốc gia" name a good share of the seeded platforms.
    let pair = stats.estimate("he thong", true);
    assert!(pair >= 10.0 && pair <= stats.rows, "he thong: {pair}");
    let word = stats.estimate("quoc", true);
    assert!(word >= 10.0 && word <= stats.rows, "quoc: {word}");
    // A prefix counts every pair it begins, at least the whole pair's rows.
    assert!(stats.estimate("he thon", false) >= pair);
    assert_eq!(stats.estimate("xyzzy plugh", true), 0.0);
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

#[tokio::test]
async fn the_word_pair_index_is_used_even_on_a_small_registry() {
    // Splitting a text into word pairs costs about 0.2 ms a row: computing it for every row of
    // the 79 seeded platforms took an overlap check 11-19 ms where the index takes 2.
    let app = spawn_app().await;
    let mut conn = analysed(&app).await;
    let plan: Vec<PlanLine> = diesel::sql_query(
        "EXPLAIN SELECT id FROM platforms WHERE ndp_word_pairs(search_text) @@ 'hoa_don:*'::tsquery",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let plan: Vec<&str> = plan.iter().map(|l| l.line.as_str()).collect();
    assert!(
        plan.iter()
            .any(|l| l.contains("platforms_search_pairs_idx")),
        "{plan:#?}"
    );
}

#[derive(QueryableByName)]
struct Prepared {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The codes a search for `q` finds on `conn`, best first, as the API searches.
async fn search(conn: &mut AsyncPgConnection, q: &str) -> Vec<String> {
    let docs = ndp_registry::registry::search::DocumentCache::default();
    let filter = ndp_registry::db::platforms::PlatformFilter::default();
    let query = ndp_registry::domain::search::analyse(q);
    ndp_registry::registry::search::search(conn, &docs, &filter, &query, q)
        .await
        .unwrap()
        .into_iter()
        .map(|(p, _)| p.code)
        .collect()
}

async fn prepared_candidate_statements(conn: &mut AsyncPgConnection) -> i64 {
    let kept: Prepared = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_prepared_statements
          WHERE statement LIKE '%ndp_word_pairs%' AND statement NOT LIKE '%pg_prepared_statements%'",
    )
    .get_result(conn)
    .await
    .unwrap();
    kept.n
}

#[tokio::test]
async fn a_search_prepares_its_candidate_statement_once_per_connection() {
    // Parsing and planning the candidate statement on every request was a quarter of an overlap
    // check's PostgreSQL time; written with `sql()` literals, diesel could not keep it.
    let app = spawn_app().await;
    let mut conn = analysed(&app).await;
    let mut kept = Vec::new();
    for _ in 0..2 {
        let found = search(&mut conn, "hóa đơn điện tử").await;
        assert_eq!(
            found.iter().map(String::as_str).next(),
            Some("nen-tang-hoa-don-dien-tu")
        );
        kept.push(prepared_candidate_statements(&mut conn).await);
    }
    assert_eq!(
        kept,
        [1, 1],
        "kept after the first search, reused by the second"
    );
}

#[tokio::test]
async fn a_small_registry_is_scored_whole_when_a_word_may_be_a_typo() {
    // The typo look-up compares a word with every platform's whole text (70 ms for an English
    // title of eight words on the seeded registry); scoring 79 platforms forgives the typo itself.
    let app = spawn_app().await;
    let mut conn = analysed(&app).await;
    let found = search(&mut conn, "hoaa don dien tu").await;
    assert!(
        found.iter().any(|code| code == "nen-tang-hoa-don-dien-tu"),
        "the typo is forgiven: {found:?}"
    );
    let typo_lookups: Prepared = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_prepared_statements
          WHERE statement LIKE '%<%%' AND statement NOT LIKE '%pg_prepared_statements%'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(typo_lookups.n, 0, "no trigram look-up on a small registry");
}

#[tokio::test]
async fn the_search_text_keeps_no_column_statistics_but_its_indexes_do() {
    // Estimating a trigram condition against the column's statistics ran it on some 200 whole
    // platform texts per word: 89 ms of planning for an English title of eight words.
    let app = spawn_app().await;
    let mut conn = analysed(&app).await;
    let column: Prepared = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stats WHERE tablename = 'platforms' AND attname = 'search_text'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(column.n, 0);
    let indexes: Prepared = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stats
          WHERE tablename IN ('platforms_search_words_idx', 'platforms_search_pairs_idx')",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(indexes.n, 2);
}

#[tokio::test]
async fn a_bounded_read_is_cancelled_at_its_limit_and_the_connection_stays_usable() {
    use std::time::Duration;

    use diesel::sql_types::Integer;
    use ndp_registry::db::bounded;

    #[derive(QueryableByName)]
    struct One {
        #[diesel(sql_type = Integer)]
        one: i32,
    }
    // One statement read within `ms` milliseconds.
    async fn read(
        conn: &mut AsyncPgConnection,
        ms: u64,
        sql: &'static str,
    ) -> diesel::QueryResult<Option<One>> {
        bounded(conn, Duration::from_millis(ms), async |c| {
            diesel::sql_query(sql).get_result::<One>(c).await
        })
        .await
    }
    let app = spawn_app().await;
    let mut conn = app.conn().await;
    let slow = read(&mut conn, 50, "SELECT 1 AS one FROM pg_sleep(2)")
        .await
        .unwrap();
    assert!(slow.is_none(), "a read past its limit is cancelled");
    let fast = read(&mut conn, 2_000, "SELECT 1 AS one").await.unwrap();
    assert_eq!(fast.map(|r| r.one), Some(1));
    // Other errors are errors, and the limit ends with its transaction.
    let failed = read(&mut conn, 2_000, "SELECT 1 / 0 AS one").await;
    assert!(failed.is_err());
    let timeout: One =
        diesel::sql_query("SELECT (current_setting('statement_timeout') <> '50ms')::int AS one")
            .get_result(&mut conn)
            .await
            .unwrap();
    assert_eq!(timeout.one, 1);
}

#[tokio::test]
async fn the_pools_connections_run_without_jit_or_parallel_workers_under_the_statement_timeout() {
    #[derive(QueryableByName)]
    struct Settings {
        #[diesel(sql_type = Text)]
        jit: String,
        #[diesel(sql_type = Text)]
        workers: String,
        #[diesel(sql_type = Text)]
        timeout: String,
    }
    let app = spawn_app().await;
    let pool =
        ndp_registry::db::build_pool(&app.db.url, 1, std::time::Duration::from_secs(3)).unwrap();
    let mut conn = pool.get().await.unwrap();
    let settings: Settings = diesel::sql_query(
        "SELECT current_setting('jit') AS jit,
                current_setting('max_parallel_workers_per_gather') AS workers,
                current_setting('statement_timeout') AS timeout",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(settings.jit, "off");
    assert_eq!(settings.workers, "0");
    assert_eq!(settings.timeout, "3s");
}
