//! Writes in one transaction, bounded in time, whose outcome is told truthfully even when the
//! database goes away while they commit.

use std::time::Duration;

use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, TransactionManager};

use super::{DbPool, txid_current, txid_status};
use crate::error::ApiError;

/// Runs a write in one transaction, bounded in time, and answers truthfully even when the
/// database goes away while the write commits.
///
/// Before `COMMIT` is sent, any failure or timeout means the write was not applied: the
/// transaction is rolled back, or its connection is closed and the server rolls it back. Once
/// `COMMIT` is sent, a lost connection leaves the outcome in doubt, so the transaction's id is
/// looked up with `txid_status` on another connection: a committed write gets its success answer
/// and an aborted one its error. Only when the database stays away for the whole settling time is
/// the answer 503 `write_outcome_unknown`. Every stage is bounded: the work by two database
/// timeouts, the commit and the settling by one each.
pub async fn write<T>(
    pool: &DbPool,
    timeout: Duration,
    body: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut conn = pool.get().await?;
    let work = async {
        AnsiTransactionManager::begin_transaction(&mut *conn).await?;
        let xid: i64 = diesel::select(txid_current())
            .get_result(&mut *conn)
            .await?;
        match body(&mut conn).await {
            Ok(answer) => Ok((xid, answer)),
            Err(error) => {
                // A rollback that fails leaves the connection marked broken; the pool drops it.
                let _ = AnsiTransactionManager::rollback_transaction(&mut *conn).await;
                Err(error)
            }
        }
    };
    let (xid, answer) = match tokio::time::timeout(timeout * 2, work).await {
        Ok(done) => done?,
        Err(_) => {
            // Closing the connection makes the server roll back: COMMIT was never sent.
            drop(Object::take(conn));
            return Err(ApiError::Unavailable(Box::new(std::io::Error::other(
                "the write did not finish in time and was rolled back",
            ))));
        }
    };
    let error = match tokio::time::timeout(
        timeout,
        AnsiTransactionManager::commit_transaction(&mut *conn),
    )
    .await
    {
        Ok(Ok(())) => return Ok(answer),
        Ok(Err(error)) => ApiError::from(error),
        Err(_) => ApiError::Unavailable(Box::new(std::io::Error::other(
            "the commit was not acknowledged in time",
        ))),
    };
    drop(Object::take(conn));
    match settle(pool, timeout, xid).await {
        Some(true) => {
            log::warn!("transaction {xid} committed although its commit was not acknowledged");
            Ok(answer)
        }
        Some(false) => Err(error),
        None => Err(ApiError::write_outcome_unknown()),
    }
}

/// Whether transaction `xid` committed (`Some(true)`), aborted (`Some(false)`), or could not be
/// told within one database timeout (`None`).
async fn settle(pool: &DbPool, timeout: Duration, xid: i64) -> Option<bool> {
    let until = tokio::time::Instant::now() + timeout;
    loop {
        let ask = async {
            let mut conn = pool.get().await.ok()?;
            diesel::select(txid_status(xid))
                .get_result::<Option<String>>(&mut conn)
                .await
                .ok()
                .flatten()
        };
        match tokio::time::timeout_at(until, ask).await {
            Ok(Some(status)) if status == "committed" => return Some(true),
            Ok(Some(status)) if status == "aborted" => return Some(false),
            // Still in progress, or the database is still away: ask again.
            Ok(_) => {}
            Err(_) => return None,
        }
        if tokio::time::Instant::now() + SETTLE_INTERVAL >= until {
            return None;
        }
        tokio::time::sleep(SETTLE_INTERVAL).await;
    }
}

/// How often `settle` asks about a transaction whose commit was not acknowledged.
const SETTLE_INTERVAL: Duration = Duration::from_millis(100);
