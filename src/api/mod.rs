//! The HTTP layer: the only part of the crate that knows actix-web. Handlers are thin: they parse
//! input into domain types, call `db`, and turn rows into wire types.

pub mod body;
pub mod cache;
pub mod export;
pub mod extract;
pub mod health;
pub mod language;
pub mod observe;
pub mod problem;
pub mod query;
pub mod rate_limit;
pub mod representation;
pub mod routes;
pub mod state;
pub mod v1;
pub mod write;

use utoipa::IntoResponses;

use crate::error::Problem;

/// Error answers shared by every collection read.
#[derive(IntoResponses)]
pub enum ListErrors {
    /// A query parameter is unknown, repeated or invalid (`per_page=1000`, `page=0`,
    /// `ministry=NOPE`, `status=bogus`, `minstry=BTC`). `errors` names each parameter.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Too many requests without a bearer token from this address
    /// (`ANONYMOUS_REQUESTS_PER_MINUTE`); retry after the `Retry-After` delay, in seconds.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until this address may ask again."))
    )]
    TooManyRequests(Problem),
    /// The database did not answer in time; retry after the `Retry-After` delay.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Error answers shared by every single-resource read.
#[derive(IntoResponses)]
pub enum GetErrors {
    /// No resource has this code.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Too many requests without a bearer token from this address
    /// (`ANONYMOUS_REQUESTS_PER_MINUTE`); retry after the `Retry-After` delay, in seconds.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until this address may ask again."))
    )]
    TooManyRequests(Problem),
    /// The database did not answer in time; retry after the `Retry-After` delay.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Error answers of a single-resource collection read (a sub-collection of a resource).
#[derive(IntoResponses)]
pub enum SubListErrors {
    /// A query parameter is unknown, repeated or invalid; `errors` names each parameter.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// The parent resource does not exist.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Too many requests without a bearer token from this address
    /// (`ANONYMOUS_REQUESTS_PER_MINUTE`); retry after the `Retry-After` delay, in seconds.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until this address may ask again."))
    )]
    TooManyRequests(Problem),
    /// The database did not answer in time; retry after the `Retry-After` delay.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Error answers shared by every write.
#[derive(IntoResponses)]
pub enum WriteErrors {
    /// Malformed JSON, a malformed `Idempotency-Key`, or an unreadable body.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No bearer token, or one that is malformed, expired, not yet valid, wrongly signed, meant
    /// for another audience or issuer, or revoked. `WWW-Authenticate: Bearer error="invalid_token"`.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The token is valid but may not do this: a missing scope (`insufficient_scope`), another
    /// ministry's data (`wrong_ministry`), an operator-only action (`operator_only`), or a ministry
    /// that was merged into a successor (`ministry_inactive`, naming the successor).
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// The resource does not exist.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// A resource with the same code already exists, or a request with the same
    /// `Idempotency-Key` is being processed.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// `If-Match` names an ETag that is no longer current: read the resource again, then retry.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// The body is larger than 64 KiB.
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// The body is not `application/json` (or `application/merge-patch+json` for PATCH).
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// The body has an unknown, missing or mistyped field, or an invalid value; `errors` names
    /// each field. Also an `Idempotency-Key` reused with a different body.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
    /// The body did not arrive within `REQUEST_BODY_TIMEOUT_MS` (`body_timeout`); the connection
    /// is closed.
    #[response(status = 408, content_type = "application/problem+json")]
    RequestTimeout(Problem),
    /// This token has used its writes for now (`WRITES_PER_MINUTE_PER_TOKEN`); retry after the
    /// `Retry-After` delay, in seconds.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until the token may write again."))
    )]
    TooManyRequests(Problem),
    /// The database did not answer in time and the write was not applied
    /// (`database_unavailable`), or it went away while the write committed and did not come back
    /// in time to say whether it did (`write_outcome_unknown`: read the resource, or retry with
    /// the same `Idempotency-Key` or `If-Match`). Retry after the `Retry-After` delay.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// The `If-Match` header of a conditional write, declared once for every operation that takes it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// The ETag you last read; 412 if the resource changed since.
    #[param(rename = "If-Match", nullable = false)]
    #[expect(
        dead_code,
        reason = "documentation only: api::write::if_match reads the header"
    )]
    if_match: Option<String>,
}

/// The `Idempotency-Key` header of a POST that creates, declared once for every operation that
/// takes it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    #[doc = "Makes a retried POST safe: 1 to 200 visible ASCII characters, scoped to the token, kept for IDEMPOTENCY_KEY_RETENTION_HOURS (a day by default)."]
    #[param(
        rename = "Idempotency-Key",
        nullable = false,
        pattern = "^\"*[!#-~](?:[!-~]{0,198}[!#-~])?\"*$"
    )]
    #[expect(
        dead_code,
        reason = "documentation only: api::write::Idempotency reads the header"
    )]
    idempotency_key: Option<String>,
}
