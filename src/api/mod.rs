//! The HTTP layer: the only part of the crate that knows actix-web. Handlers are thin: they parse
//! input into domain types, call `db`, and turn rows into wire types.

pub mod health;
pub mod query;
pub mod representation;
pub mod routes;
pub mod v1;

use utoipa::IntoResponses;

use crate::error::Problem;

/// Error answers shared by every collection read.
#[derive(IntoResponses)]
pub enum ListErrors {
    /// A query parameter is unknown, repeated or invalid (`per_page=1000`, `page=0`,
    /// `ministry=NOPE`, `status=bogus`, `minstry=BTC`). `errors` names each parameter.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
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
    /// The database did not answer in time; retry after the `Retry-After` delay.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}
