//! What the commands do before they use the database, so that one command works on a fresh
//! machine:
//!
//! 1. where no PostgreSQL answers at a local `DATABASE_URL` (localhost, 127.0.0.1, ::1) and the
//!    server binaries are installed, a private cluster is started on that address under
//!    `LOCAL_POSTGRES_DIR` (see [`crate::local_postgres`]);
//! 2. where the configured database does not exist, it is created, if the role may;
//! 3. pending migrations are applied;
//! 4. for `serve`, a registry with no agencies at all is seeded with the sample data.
//!
//! Every failure is one line that names the setting at fault and says what to do.

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use url::Url;

use crate::config::Settings;
use crate::local_postgres::LocalCluster;

/// The database is ready; holds the private cluster, if one was started, until dropped.
pub struct Prepared {
    /// The cluster this process started, stopped when the value is dropped.
    pub cluster: Option<LocalCluster>,
}

/// Makes the configured database answer, exist and be migrated; seeds an empty registry when
/// `seed_if_empty`.
pub async fn prepare(settings: &Settings, seed_if_empty: bool) -> Result<Prepared, String> {
    let url = Url::parse(settings.database_url()).map_err(|e| {
        format!(
            "DATABASE_URL: not a URL ({e}): set it to postgres://user:password@host:5432/database"
        )
    })?;
    let host = url.host_str().unwrap_or("localhost").to_owned();
    let port = url.port().unwrap_or(5432);
    let database = url.path().trim_start_matches('/').to_owned();
    let user = match url.username() {
        "" => "postgres".to_owned(),
        user => user.to_owned(),
    };
    let mut cluster = None;
    if let Err(error) = AsyncPgConnection::establish(settings.database_url()).await {
        let error = error.to_string();
        if is_unreachable(&error) {
            if !is_local(&host) {
                return Err(format!(
                    "DATABASE_URL: no PostgreSQL answers at {host}:{port}: start it, or correct DATABASE_URL"
                ));
            }
            let base = match &settings.local_postgres_dir {
                Some(dir) => dir.clone(),
                None if crate::local_postgres::is_root() => "/var/lib/ndp-registry/postgres".into(),
                None => {
                    std::path::PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| ".".into()))
                        .join(".local/share/ndp-registry/postgres")
                }
            };
            let base = &base;
            let started = LocalCluster::start(base, &host, port, &user).map_err(|e| {
                format!(
                    "DATABASE_URL: no PostgreSQL answers at {host}:{port}, and a private cluster could not start in {} ({e}): install PostgreSQL 14+ with its contrib extensions (apt-get install postgresql) or start one and set DATABASE_URL",
                    base.display()
                )
            })?;
            log::info!(
                "no PostgreSQL answered at {host}:{port}: started a private cluster there, data in {}, log in {}",
                started.data_dir().display(),
                base.join("postgres.log").display()
            );
            cluster = Some(started);
        } else if !error.contains("does not exist") {
            return Err(format!(
                "DATABASE_URL: cannot connect to {host}:{port} as {user}: {}: correct the user, password or database in DATABASE_URL",
                one_line(&error)
            ));
        }
        create_database_if_missing(settings.database_url(), &database, &user).await?;
    }
    for name in crate::db::run_migrations(settings.database_url())
        .await
        .map_err(|e| format!("DATABASE_URL: {e}: the role needs the right to create tables and the unaccent and pg_trgm extensions (Debian: postgresql-contrib)"))?
    {
        log::info!("applied migration {name}");
    }
    if seed_if_empty {
        seed_if_no_agencies(settings.database_url()).await?;
    }
    Ok(Prepared { cluster })
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Creates `database` through the server's `postgres` database, unless it exists (again).
async fn create_database_if_missing(url: &str, database: &str, user: &str) -> Result<(), String> {
    let mut maintenance = Url::parse(url).map_err(|e| e.to_string())?;
    maintenance.set_path("/postgres");
    let mut conn = AsyncPgConnection::establish(maintenance.as_str())
        .await
        .map_err(|e| {
            format!(
                "DATABASE_URL: cannot connect as {user}: {}: correct DATABASE_URL",
                one_line(&e.to_string())
            )
        })?;
    let exists: Count =
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(database)
            .get_result(&mut conn)
            .await
            .map_err(|e| format!("DATABASE_URL: {}", one_line(&e.to_string())))?;
    if exists.n > 0 {
        return Ok(());
    }
    let quoted = format!("\"{}\"", database.replace('"', "\"\""));
    diesel::sql_query(format!("CREATE DATABASE {quoted}"))
        .execute(&mut conn)
        .await
        .map_err(|e| {
            format!(
                "DATABASE_URL: database {database:?} does not exist and {user} may not create it ({}): run `createdb {database}` as a superuser, or grant CREATEDB to {user}",
                one_line(&e.to_string())
            )
        })?;
    log::info!("created the database {database:?}");
    Ok(())
}

/// Seeds the sample data into a registry that has no agency at all.
async fn seed_if_no_agencies(url: &str) -> Result<(), String> {
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| format!("DATABASE_URL: cannot connect: {}", one_line(&e.to_string())))?;
    let agencies: Count = diesel::sql_query("SELECT count(*) AS n FROM ministries")
        .get_result(&mut conn)
        .await
        .map_err(|e| format!("DATABASE_URL: {}", one_line(&e.to_string())))?;
    if agencies.n == 0 {
        let report = crate::seed::run(&mut conn)
            .await
            .map_err(|e| format!("seed: {e}"))?;
        log::info!("the registry was empty: seeded the sample data ({report})");
    }
    Ok(())
}

/// Whether a connection error means that nothing answers at the address (the driver reports a
/// refused or failed TCP connection as "error connecting to server", without its cause).
fn is_unreachable(error: &str) -> bool {
    let lower = error.to_ascii_lowercase();
    ["error connecting to server", "connection refused"]
        .iter()
        .any(|needle| lower.contains(needle))
}

fn is_local(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_connections_are_unreachable_and_other_failures_are_not() {
        assert!(is_unreachable(
            "error connecting to server: Connection refused (os error 111)"
        ));
        assert!(!is_unreachable(
            "db error: FATAL: database \"ndp_registry\" does not exist"
        ));
        assert!(!is_unreachable(
            "db error: FATAL: password authentication failed for user \"x\""
        ));
    }

    #[test]
    fn only_loopback_hosts_get_a_private_cluster() {
        assert!(is_local("localhost") && is_local("127.0.0.1") && is_local("[::1]"));
        assert!(!is_local("db.example.gov.vn") && !is_local("10.0.0.5"));
    }
}
