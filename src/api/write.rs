//! What every write shares: `If-Match` preconditions, `Idempotency-Key` replays, field-level diffs
//! for the history, and the answers with `ETag` and `Location`.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::encoding::without_coding_suffix;
use super::representation::etag_of;
use crate::api::state::AppState;
use crate::auth::Actor;
use crate::db;
use crate::db::idempotency::{self, StoredAnswer};
use crate::error::{ApiError, ProblemCode};

/// The request's `If-Match` header, taken out of the request so that it can travel into a
/// transaction.
pub fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
}

/// Fails with 412 when `If-Match` names none of the current representation's tag. Entity tags
/// compare strongly here (RFC 9110 13.1.1): a weak tag never matches. The tag of a compressed
/// representation (`"<tag>-gzip"`, `"<tag>-br"`) names the same state as the identity tag.
pub fn check_if_match(if_match: Option<&str>, current: &str) -> Result<(), ApiError> {
    let Some(value) = if_match else {
        return Ok(());
    };
    let matches = value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || without_coding_suffix(tag) == current);
    if matches {
        Ok(())
    } else {
        Err(ApiError::new(
            ProblemCode::PreconditionFailed,
            format!(
                "The resource changed since the ETag you sent; its current ETag is {current}. Fetch it again, then retry."
            ),
        ))
    }
}

/// A serialised representation with its tag.
pub struct Rendered {
    /// The JSON body.
    pub body: Vec<u8>,
    /// Its strong entity tag.
    pub etag: String,
}

/// Serialises `value` and computes its tag.
pub fn render<T: Serialize>(value: &T) -> Result<Rendered, ApiError> {
    let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
    let etag = etag_of(&body);
    Ok(Rendered { body, etag })
}

/// The answer to a write, built inside its transaction and sent after it commits.
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The body and its tag; `None` for 204.
    pub rendered: Option<Rendered>,
    /// The `Location` of a created resource.
    pub location: Option<String>,
    /// Whether this replays the answer to an earlier request with the same `Idempotency-Key`.
    pub replayed: bool,
}

impl Answer {
    /// 200 or 201 with a JSON body.
    pub fn json<T: Serialize>(
        status: StatusCode,
        value: &T,
        location: Option<String>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            status,
            rendered: Some(render(value)?),
            location,
            replayed: false,
        })
    }

    /// 204.
    pub fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            rendered: None,
            location: None,
            replayed: false,
        }
    }

    /// The HTTP response.
    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(location) = &self.location {
            response.insert_header((header::LOCATION, location.as_str()));
        }
        if self.replayed {
            response.insert_header(("idempotent-replayed", "true"));
        }
        match self.rendered {
            Some(rendered) => response
                .insert_header((header::ETAG, rendered.etag))
                .content_type("application/json")
                .body(rendered.body),
            None => response.finish(),
        }
    }
}

/// Runs a write in one transaction with [`db::transaction::write`]: bounded in time, and answered
/// truthfully even when the database goes away while the write commits.
///
/// A ministry token's standing is checked first, inside the transaction, with the ministry's row
/// locked `FOR SHARE` until the commit: a succession locks that row to merge the ministry, so a
/// write either commits before a succession moves the ministry's platforms, or waits for it and
/// is refused (403 `ministry_inactive`). No write of a merged ministry can land after its merger.
pub async fn transaction<T>(
    state: &AppState,
    actor: &Actor,
    body: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    db::transaction::write(&state.pool, state.database_timeout, async |conn| {
        if let Some(code) = &actor.ministry {
            let standing = db::tokens::lock_ministry_standing(conn, code).await?;
            crate::auth::require_active(standing, code)?;
        }
        body(conn).await
    })
    .await
}

/// A create (POST) in one transaction, safe to retry with its `Idempotency-Key`: a key this
/// subject used before replays the answer stored then (422 if the request differs); a new key
/// stores this answer in the same transaction as the write.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    idempotency: Option<&Idempotency>,
    body: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<Answer, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let answer = transaction(state, actor, async |conn| {
        if let Some(key) = idempotency
            && let Some(replay) = key.replay(conn, actor).await?
        {
            return Ok(replay);
        }
        let answer = body(conn).await?;
        if let Some(key) = idempotency {
            key.store(conn, actor, &answer).await?;
        }
        Ok(answer)
    })
    .await?;
    Ok(answer.into_response())
}

/// An `Idempotency-Key` of a POST, with the hash of the request it arrived with.
pub struct Idempotency {
    key: String,
    request_hash: String,
    /// How long a stored answer is replayed (`IDEMPOTENCY_KEY_RETENTION_HOURS`).
    retention: chrono::TimeDelta,
}

impl Idempotency {
    /// Reads the header; `None` without one, 400 when malformed.
    pub fn from_request(req: &HttpRequest, body: &[u8]) -> Result<Option<Self>, ApiError> {
        let Some(value) = req.headers().get("idempotency-key") else {
            return Ok(None);
        };
        let key = value
            .to_str()
            .ok()
            .map(|k| k.trim().trim_matches('"').to_owned())
            .filter(|k| (1..=200).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                ApiError::new(
                    ProblemCode::InvalidIdempotencyKey,
                    "Idempotency-Key must be 1 to 200 visible ASCII characters.",
                )
            })?;
        let mut hasher = Sha256::new();
        hasher.update(req.method().as_str());
        hasher.update(b" ");
        hasher.update(req.path());
        hasher.update(b"\n");
        hasher.update(body);
        let request_hash = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let hours = req
            .app_data::<actix_web::web::Data<AppState>>()
            .map_or(24, |state| state.retention.idempotency_key_hours);
        Ok(Some(Self {
            key,
            request_hash,
            retention: chrono::TimeDelta::hours(i64::from(hours)),
        }))
    }

    /// The original answer when this key was used before by the same token with the same
    /// request; 422 when it was used with a different one. The token was authenticated, and its
    /// standing checked in this transaction, before this is asked; keys are scoped to the token,
    /// so no other token can ever replay its answers.
    pub async fn replay(
        &self,
        conn: &mut AsyncPgConnection,
        actor: &Actor,
    ) -> Result<Option<Answer>, ApiError> {
        let Some(stored) = idempotency::find(conn, &actor.jti, &self.key, self.retention).await?
        else {
            return Ok(None);
        };
        if stored.request_hash != self.request_hash {
            return Err(ApiError::new(
                ProblemCode::IdempotencyKeyReused,
                "This Idempotency-Key was already used with a different request; use a new key.",
            ));
        }
        let status = StatusCode::from_u16(stored.status as u16).map_err(ApiError::internal)?;
        let rendered = stored.etag.map(|etag| Rendered {
            body: stored.body.into_bytes(),
            etag,
        });
        Ok(Some(Answer {
            status,
            rendered,
            location: stored.location,
            replayed: true,
        }))
    }

    /// Stores the answer, in the transaction of the write it answers.
    pub async fn store(
        &self,
        conn: &mut AsyncPgConnection,
        actor: &Actor,
        answer: &Answer,
    ) -> Result<(), ApiError> {
        let (etag, body) = match &answer.rendered {
            Some(r) => (
                Some(r.etag.clone()),
                String::from_utf8_lossy(&r.body).into_owned(),
            ),
            None => (None, String::new()),
        };
        let stored = StoredAnswer {
            token_id: actor.jti.clone(),
            actor_sub: actor.sub.clone(),
            key: self.key.clone(),
            request_hash: self.request_hash.clone(),
            status: answer.status.as_u16() as i16,
            location: answer.location.clone(),
            etag,
            body,
        };
        idempotency::store(conn, &stored, self.retention).await?;
        Ok(())
    }
}
