//! The HTTP layer's one error type and its one body: RFC 9457 `application/problem+json`.
//!
//! Client errors carry a stable snake_case `code` and, for invalid input, field-level `errors`.
//! Server-side causes are logged with their whole chain and never sent to the client.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One invalid input: which field or parameter, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    /// The parameter or JSON path at fault (`per_page`, `contacts[0].email`).
    #[schema(example = "per_page")]
    pub field: String,
    /// What is wrong, in plain English.
    #[schema(example = "must be between 1 and 100")]
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem: the body of every 4xx and 5xx answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:ndp-registry:problem:invalid_parameter",
    "title": "Invalid query parameter",
    "status": 400,
    "detail": "The query string has 1 invalid parameter.",
    "code": "invalid_parameter",
    "errors": [{"field": "per_page", "message": "must be between 1 and 100"}]
}))]
pub struct Problem {
    /// A URI naming the problem type: `urn:ndp-registry:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:ndp-registry:problem:not_found")]
    pub problem_type: String,
    /// A short summary of the problem type; the same for every occurrence of a `code`.
    #[schema(example = "Resource not found")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 404)]
    pub status: u16,
    /// What went wrong on this request, in plain English.
    #[schema(example = "No platform has the code \"vneid2\".")]
    pub detail: String,
    /// A stable, machine-readable snake_case code: clients branch on this.
    #[schema(example = "not_found")]
    pub code: String,
    /// For invalid input: each field or parameter at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request's id (also in the `X-Request-Id` header and the server's log): quote it when
    /// reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "6f1c2a0e-5b7d-4c1e-9a51-2f0c3b8d9e47")]
    pub request_id: Option<String>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The client's request cannot be served as it is.
    #[error("{status} {code}: {detail}")]
    Client {
        /// The HTTP status.
        status: StatusCode,
        /// The stable problem code.
        code: &'static str,
        /// The explanation sent to the client.
        detail: String,
        /// Field-level errors, for invalid input.
        errors: Vec<FieldError>,
        /// Extra headers, such as `Allow` on a 405.
        headers: Vec<(header::HeaderName, HeaderValue)>,
    },
    /// The database cannot be reached or did not answer in time.
    #[error("database unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or an unexpected failure.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl ApiError {
    /// A client error with a code and a detail.
    pub fn client(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::Client {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// 404: the named resource does not exist.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::client(StatusCode::NOT_FOUND, "not_found", detail)
    }

    /// 400: one or more query parameters are invalid.
    pub fn invalid_parameters(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("Query parameter `{}`: {}.", one.field, one.message),
            many => format!("The query string has {} invalid parameters.", many.len()),
        };
        Self::Client {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameter",
            detail,
            errors,
            headers: Vec::new(),
        }
    }

    /// 405: the path exists but not with this method.
    pub fn method_not_allowed(method: &str, allowed: &[String]) -> Self {
        let allow = allowed.join(", ");
        Self::Client {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "method_not_allowed",
            detail: format!("{method} is not allowed here; allowed: {allow}."),
            errors: Vec::new(),
            headers: HeaderValue::from_str(&allow)
                .map(|value| vec![(header::ALLOW, value)])
                .unwrap_or_default(),
        }
    }

    /// 500 from any error: the cause is logged, never sent.
    pub fn internal(error: impl Into<BoxError>) -> Self {
        Self::Internal(error.into())
    }

    fn parts(&self) -> (StatusCode, &'static str, String, &[FieldError]) {
        match self {
            Self::Client {
                status,
                code,
                detail,
                errors,
                ..
            } => (*status, code, detail.clone(), errors.as_slice()),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "The registry's database is not answering; retry shortly.".into(),
                &[],
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "The registry failed to answer this request; the failure has been logged.".into(),
                &[],
            ),
        }
    }
}

/// Builds a problem response. Used for every error body the service sends.
pub fn problem_response(
    status: StatusCode,
    code: &str,
    detail: String,
    errors: Vec<FieldError>,
) -> HttpResponse {
    problem_response_with_id(status, code, detail, errors, None)
}

/// Builds a problem response that names the request it answers (for answers given before the
/// request reaches a handler, or instead of it).
pub fn problem_response_with_id(
    status: StatusCode,
    code: &str,
    detail: String,
    errors: Vec<FieldError>,
    request_id: Option<&str>,
) -> HttpResponse {
    let problem = Problem {
        problem_type: format!("urn:ndp-registry:problem:{code}"),
        title: title_for(code, status),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        errors,
        request_id: request_id.map(str::to_owned),
    };
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, "5"));
    }
    match serde_json::to_string(&problem) {
        Ok(body) => response.body(body),
        Err(_) => response.finish(),
    }
}

/// The title of every problem with `code` (the status's reason phrase for codes without one).
pub fn title_for(code: &str, status: StatusCode) -> String {
    let title = match code {
        "not_found" => "Resource not found",
        "route_not_found" => "No such endpoint",
        "invalid_parameter" => "Invalid query parameter",
        "method_not_allowed" => "Method not allowed",
        "database_unavailable" => "Service temporarily unavailable",
        "internal_error" => "Internal server error",
        "validation_failed" => "Invalid request body",
        "malformed_json" => "Malformed JSON",
        "invalid_token" => "Missing or invalid bearer token",
        "insufficient_scope" => "Token lacks the required scope",
        "wrong_ministry" => "Resource of another ministry",
        "operator_only" => "Operator token required",
        "ministry_inactive" => "Ministry no longer active",
        "unknown_ministry" => "Unknown ministry",
        "precondition_failed" => "Resource changed since it was read",
        "payload_too_large" => "Request body too large",
        "unsupported_media_type" => "Unsupported media type",
        "platform_exists" | "ministry_exists" | "conflict" => "Resource already exists",
        "idempotency_key_reused" => "Idempotency-Key reused with another request",
        "invalid_idempotency_key" => "Malformed Idempotency-Key",
        "rate_limited" => "Too many requests",
        "headers_too_large" => "Request header fields too large",
        "body_timeout" => "Request body too slow",
        "write_outcome_unknown" => "Outcome of the write unknown",
        "export_too_large" => "Export too large",
        "too_many_contacts" => "Too many contacts on the platform",
        _ => status.canonical_reason().unwrap_or("Error"),
    };
    title.to_owned()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        self.response_for(None)
    }
}

impl ApiError {
    /// The problem response, naming the request it answers when the id is given (answers built
    /// before or instead of a handler's, which the request-id middleware cannot amend).
    pub fn response_for(&self, request_id: Option<&str>) -> HttpResponse {
        match self {
            Self::Unavailable(cause) => {
                log::warn!(
                    "database unavailable: {}",
                    crate::api::observe::escape(&chain(cause.as_ref()))
                )
            }
            // A cause can quote what a client sent (a database error names the value at fault).
            Self::Internal(cause) => log::error!(
                "internal error: {}",
                crate::api::observe::escape(&chain(cause.as_ref()))
            ),
            Self::Client { .. } => {}
        }
        let (status, code, detail, errors) = self.parts();
        let mut response =
            problem_response_with_id(status, code, detail, errors.to_vec(), request_id);
        if let Self::Client { headers, .. } = self {
            for (name, value) in headers {
                if name == header::CONNECTION && value == "close" {
                    // actix writes the Connection header itself, from the connection type.
                    response
                        .head_mut()
                        .set_connection_type(actix_web::http::ConnectionType::Close);
                } else {
                    response.headers_mut().insert(name.clone(), value.clone());
                }
            }
        }
        response
    }
}

/// The whole cause chain of an error on one line, for the log.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::not_found("The requested resource does not exist."),
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::Unavailable(Box::new(error)),
            Error::DatabaseError(DatabaseErrorKind::Unknown, ref info)
                if is_transient(info.message()) =>
            {
                Self::Unavailable(Box::new(error))
            }
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::client(
                StatusCode::CONFLICT,
                "conflict",
                "A resource with the same key already exists.",
            ),
            Error::DatabaseError(
                DatabaseErrorKind::ForeignKeyViolation | DatabaseErrorKind::CheckViolation,
                ref info,
            ) => {
                // Validation normally catches this first; the constraint name is safe to show.
                let constraint = info.constraint_name().unwrap_or("a constraint").to_owned();
                Self::client(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    format!("The database refused the values ({constraint})."),
                )
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::Unavailable(Box::new(error))
            }
            other => Self::Internal(Box::new(other)),
        }
    }
}

/// Whether a database error message says the server is restarting, overloaded, cancelled the
/// statement or lost the connection (SQLSTATE classes 08, 53, 57 and deadlocks): the request may
/// succeed when retried, so it is answered 503, never 500. diesel-async keeps only the message of
/// errors it does not classify, so the message is what can be matched.
fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 9] = [
        "terminating connection",
        "the database system is",
        "canceling statement",
        "sorry, too many clients",
        "remaining connection slots",
        "deadlock detected",
        "could not serialize",
        "connection",
        "server closed",
    ];
    TRANSIENT.iter().any(|prefix| message.starts_with(prefix))
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(Box::new(error))
    }
}

/// Turns any error response that is not yet problem+json (actix's own extractor, routing and
/// payload errors) into one, so that every 4xx and 5xx has the same body.
pub fn ensure_problem_body<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    // A server error's text may describe internals: only client errors echo actix's message.
    let detail = response
        .response()
        .error()
        .filter(|_| status.is_client_error())
        .map(|error| sanitize(&error.to_string()))
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned());
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "route_not_found",
        StatusCode::INTERNAL_SERVER_ERROR => "internal_error",
        status if status.is_server_error() => "server_error",
        _ => "bad_request",
    };
    let (request, old) = response.into_parts();
    let mut new = problem_response(status, code, detail, Vec::new());
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let response: ServiceResponse<EitherBody<B, BoxBody>> =
        ServiceResponse::new(request, new).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(response))
}

// Extractor messages are safe to show but can be long; keep the first line, bounded.
fn sanitize(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect()
}
