//! Everything that knows diesel: the pool, the embedded migrations, the schema, the write
//! transaction with its commit settling ([`transaction`]), and one module per table family with
//! its queries. Queries take a connection and return row types; `views` turns rows into wire
//! types.

pub mod adoptions;
pub mod contacts;
pub mod decisions;
pub mod fragment;
pub mod history;
pub mod idempotency;
pub mod lists;
pub mod ministries;
pub mod notify;
pub mod overlap;
pub mod platforms;
pub mod provinces;
pub mod schema;
pub mod tokens;
pub mod transaction;
pub mod webhooks;

use std::time::Duration;

use diesel::ConnectionError;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The connection pool used on the request path.
pub type DbPool = Pool<AsyncPgConnection>;
/// A connection borrowed from the pool.
pub type DbConn = Object<AsyncPgConnection>;

diesel::define_sql_function! {
    /// The database's search folding (lower case, no diacritics, "đ" as "d").
    fn ndp_fold(input: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// The current transaction's id, with its epoch (assigns one if the transaction has none).
    fn txid_current() -> diesel::sql_types::BigInt;
}

diesel::define_sql_function! {
    /// `committed`, `aborted` or `in progress` for a recent transaction id; NULL when too old.
    fn txid_status(xid: diesel::sql_types::BigInt) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// Builds the pool. Connections are opened lazily, so the service starts while PostgreSQL is down
/// and becomes ready when it comes up. Every connection gets a statement timeout so that no query
/// can hold a worker longer than `timeout`, and neither JIT compilation nor parallel workers: the
/// service's statements are short. At 100,000 platforms the estimated cost of the candidate
/// look-up passed `jit_above_cost`: one such statement run by hand spent 19 ms compiling for 4.5
/// ms of execution, and two parallel workers made it 12 ms against 6 without them. The server's
/// prepared statements met either only now and then (JIT about once in 180 checks, workers once in
/// 20), each time taking a core other requests need.
pub fn build_pool(
    database_url: &str,
    size: usize,
    timeout: Duration,
) -> Result<DbPool, SetupError> {
    let mut config = ManagerConfig::default();
    // A checked-out connection is not pinged first (that would be a round trip per request): one
    // that the server closed is known closed and replaced, and a query on one that breaks
    // mid-request is answered 503.
    config.recycling_method = RecyclingMethod::Fast;
    let statement_timeout_ms = timeout.as_millis();
    config.custom_setup = Box::new(move |url| establish(url, statement_timeout_ms));
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .build()
        .map_err(|error| SetupError(error.to_string()))
}

fn establish(
    url: &str,
    statement_timeout_ms: u128,
) -> BoxFuture<'_, diesel::ConnectionResult<AsyncPgConnection>> {
    async move {
        use diesel_async::{AsyncConnection, SimpleAsyncConnection};
        let mut conn = AsyncPgConnection::establish(url).await?;
        conn.batch_execute(&format!(
            "SET statement_timeout = {statement_timeout_ms}; SET idle_in_transaction_session_timeout = {}; \
             SET jit = off; SET max_parallel_workers_per_gather = 0;",
            statement_timeout_ms * 2
        ))
        .await
        .map_err(|error| ConnectionError::BadConnection(error.to_string()))?;
        Ok(conn)
    }
    .boxed()
}

/// Runs `read` in a transaction of its own whose statements PostgreSQL cancels after `limit`:
/// `Ok(None)` when it was cancelled, so that a caller can answer without an optional part of its
/// work (the typo look-up of a large registry) instead of waiting for the request's whole
/// statement timeout. The transaction is rolled back either way when `read` fails; a connection
/// left inside it (the request dropped) is broken for the pool, which closes it.
pub async fn bounded<T>(
    conn: &mut AsyncPgConnection,
    limit: Duration,
    read: impl AsyncFnOnce(&mut AsyncPgConnection) -> diesel::QueryResult<T>,
) -> diesel::QueryResult<Option<T>> {
    use diesel_async::{AnsiTransactionManager, RunQueryDsl, TransactionManager};
    AnsiTransactionManager::begin_transaction(&mut *conn).await?;
    let outcome = match diesel::sql_query(format!(
        "SET LOCAL statement_timeout = {}",
        limit.as_millis().max(1)
    ))
    .execute(&mut *conn)
    .await
    {
        Ok(_) => read(&mut *conn).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(&mut *conn).await?;
            Ok(Some(value))
        }
        Err(error) => {
            let rolled_back = AnsiTransactionManager::rollback_transaction(&mut *conn).await;
            match error {
                // Cancelled: the caller goes on with this connection, so it must be usable.
                diesel::result::Error::DatabaseError(_, info)
                    if info
                        .message()
                        .starts_with("canceling statement due to statement timeout") =>
                {
                    rolled_back.map(|()| None)
                }
                // Any other failure is the answer; a rollback that failed too leaves the
                // connection marked broken, and the pool drops it (as `transaction::write`).
                other => Err(other),
            }
        }
    }
}

/// Applies the pending migrations on a dedicated connection, off the async workers.
pub async fn run_migrations(database_url: &str) -> Result<Vec<String>, SetupError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|error| SetupError(format!("cannot connect to the database: {error}")))?;
        // Several replicas (or a `seed` and a `serve`) may start at once: one migrates, the others
        // wait for it and then find nothing pending.
        let lock = |sql: &str, conn: &mut AsyncConnectionWrapper<AsyncPgConnection>| {
            diesel::RunQueryDsl::execute(diesel::sql_query(sql), conn)
                .map_err(|error| SetupError(format!("cannot take the migration lock: {error}")))
        };
        lock("SELECT pg_advisory_lock(7305126001)", &mut conn)?;
        let result = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|applied| applied.iter().map(ToString::to_string).collect())
            .map_err(|error| SetupError(format!("migration failed: {error}")));
        lock("SELECT pg_advisory_unlock(7305126001)", &mut conn)?;
        result
    })
    .await
    .map_err(|error| SetupError(format!("migration task failed: {error}")))?
}

/// A failure to set up the database (pool, connection or migrations), with its message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);
