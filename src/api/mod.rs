//! The HTTP layer: the only part of the crate that knows actix-web. Handlers are thin: they parse
//! input into domain types, call `db`, and turn rows into wire types.

pub mod body;
pub mod cache;
pub mod encoding;
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

/// Declares a set of problem answers for the OpenAPI document, each a status with its
/// description (and, with `retry`, the `Retry-After` header's). `read` sets end with the two
/// answers every read may get: 429 when an address without a token is over its budget, 503 when
/// the database is slow.
macro_rules! problem_answers {
    (read $(#[$doc:meta])* $name:ident { $($answers:tt)* }) => {
        problem_answers! {
            $(#[$doc])*
            $name {
                $($answers)*
                /// Too many requests without a bearer token from this address
                /// (`ANONYMOUS_REQUESTS_PER_MINUTE`); retry after the `Retry-After` delay, in seconds.
                TooManyRequests = 429 retry "Seconds until this address may ask again.",
                /// The database did not answer in time; retry after the `Retry-After` delay.
                Unavailable = 503,
            }
        }
    };
    ($(#[$doc:meta])* $name:ident {
        $($(#[$answer:meta])* $variant:ident = $status:tt $(retry $retry:tt)?,)*
    }) => {
        $(#[$doc])*
        #[derive(IntoResponses)]
        pub enum $name {
            $(
                $(#[$answer])*
                #[response(
                    status = $status,
                    content_type = "application/problem+json"
                    $(, headers(("Retry-After" = u64, description = $retry)))?
                )]
                $variant(Problem),
            )*
        }
    };
}

problem_answers! {
    read
    /// Error answers shared by every collection read.
    ListErrors {
        /// A query parameter is unknown, repeated or invalid (`per_page=1000`, `page=0`,
        /// `ministry=NOPE`, `status=bogus`, `minstry=BTC`). `errors` names each parameter.
        BadRequest = 400,
    }
}

problem_answers! {
    read
    /// Error answers shared by every single-resource read.
    GetErrors {
        /// No resource has this code.
        NotFound = 404,
    }
}

problem_answers! {
    read
    /// Error answers of a single-resource collection read (a sub-collection of a resource).
    SubListErrors {
        /// A query parameter is unknown, repeated or invalid; `errors` names each parameter.
        BadRequest = 400,
        /// The parent resource does not exist.
        NotFound = 404,
    }
}

problem_answers! {
    /// Error answers shared by every write.
    WriteErrors {
        /// Malformed JSON, a malformed `Idempotency-Key`, or an unreadable body.
        BadRequest = 400,
        /// No bearer token, or one that is malformed, expired, not yet valid, wrongly signed, meant
        /// for another audience or issuer, or revoked. `WWW-Authenticate: Bearer error="invalid_token"`.
        Unauthorized = 401,
        /// The token is valid but may not do this: a missing scope (`insufficient_scope`), another
        /// ministry's data (`wrong_ministry`), an operator-only action (`operator_only`), or a ministry
        /// that was merged into a successor (`ministry_inactive`, naming the successor).
        Forbidden = 403,
        /// The resource does not exist.
        NotFound = 404,
        /// A resource with the same code already exists, or a request with the same
        /// `Idempotency-Key` is being processed.
        Conflict = 409,
        /// `If-Match` names an ETag that is no longer current: read the resource again, then retry.
        PreconditionFailed = 412,
        /// The body is larger than 64 KiB.
        PayloadTooLarge = 413,
        /// The body is not `application/json` (or `application/merge-patch+json` for PATCH).
        UnsupportedMediaType = 415,
        /// The body has an unknown, missing or mistyped field, or an invalid value; `errors` names
        /// each field. Also an `Idempotency-Key` reused with a different body.
        Unprocessable = 422,
        /// The body did not arrive within `REQUEST_BODY_TIMEOUT_MS` (`body_timeout`); the connection
        /// is closed.
        RequestTimeout = 408,
        /// This token has used its writes for now (`WRITES_PER_MINUTE_PER_TOKEN`); retry after the
        /// `Retry-After` delay, in seconds.
        TooManyRequests = 429 retry "Seconds until the token may write again.",
        /// The database did not answer in time and the write was not applied
        /// (`database_unavailable`), or it went away while the write committed and did not come back
        /// in time to say whether it did (`write_outcome_unknown`: read the resource, or retry with
        /// the same `Idempotency-Key` or `If-Match`). Retry after the `Retry-After` delay.
        Unavailable = 503,
    }
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
