//! Retention: stored records that are only useful for a while are purged by age, hourly, so that
//! no table grows for ever. Overlap-check receipts are cited in procurement files, so they are
//! kept ten years by default; settled webhook deliveries a month; idempotency records a day.
//! Pending deliveries are never purged. Each replica purges; the deletes are idempotent.

use std::time::Duration;

use diesel::sql_types::Integer;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::config::Retention;
use crate::db::DbPool;

/// Rows deleted per statement, so that a first purge of a large table holds no long lock.
const BATCH: i32 = 5000;
/// How often the purge runs.
const EVERY: Duration = Duration::from_secs(3600);

/// What one purge removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// Overlap-check receipts older than `OVERLAP_CHECK_RETENTION_DAYS`.
    pub overlap_checks: usize,
    /// Delivered or failed webhook deliveries older than `WEBHOOK_DELIVERY_RETENTION_DAYS`.
    pub webhook_deliveries: usize,
    /// Stored idempotent answers older than `IDEMPOTENCY_KEY_RETENTION_HOURS`.
    pub idempotency_keys: usize,
}

/// Deletes, in batches, the rows of `table` created more than `age` `unit`s ago that also meet
/// `extra`.
async fn delete_older(
    conn: &mut AsyncPgConnection,
    table: &str,
    extra: &str,
    age: u32,
    unit: &str,
) -> diesel::QueryResult<usize> {
    let sql = format!(
        "DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} \
         WHERE created_at < now() - make_interval({unit} => $1){extra} LIMIT $2)"
    );
    let mut total = 0;
    loop {
        let deleted = diesel::sql_query(&sql)
            .bind::<Integer, _>(i32::try_from(age).unwrap_or(i32::MAX))
            .bind::<Integer, _>(BATCH)
            .execute(conn)
            .await?;
        total += deleted;
        if deleted < BATCH as usize {
            return Ok(total);
        }
    }
}

/// Purges what `retention` no longer keeps.
pub async fn purge(
    conn: &mut AsyncPgConnection,
    retention: &Retention,
) -> diesel::QueryResult<Purged> {
    let overlap_checks = match retention.overlap_check_days {
        0 => 0,
        days => delete_older(conn, "overlap_checks", "", days, "days").await?,
    };
    let webhook_deliveries = delete_older(
        conn,
        "webhook_deliveries",
        " AND status <> 'pending'",
        retention.webhook_delivery_days,
        "days",
    )
    .await?;
    let idempotency_keys = delete_older(
        conn,
        "idempotency_keys",
        "",
        retention.idempotency_key_hours,
        "hours",
    )
    .await?;
    Ok(Purged {
        overlap_checks,
        webhook_deliveries,
        idempotency_keys,
    })
}

/// Purges hourly until the process ends; the first run is a minute after start.
pub fn spawn_purger(pool: DbPool, retention: Retention) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        loop {
            match pool.get().await {
                Ok(mut conn) => match purge(&mut conn, &retention).await {
                    Ok(purged) if purged != Purged::default() => {
                        log::info!("retention purge: {purged:?}");
                    }
                    Ok(_) => {}
                    Err(error) => log::warn!("retention purge failed: {error}"),
                },
                Err(error) => log::warn!("retention purge: no connection: {error}"),
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
