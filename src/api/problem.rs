//! Problems on the wire: an [`ApiError`] becomes an `application/problem+json` response with
//! its code's status and the headers the error asks for; actix's own error answers (routing,
//! extractors, payload limits) are rewritten into the same body.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};

use crate::error::{ApiError, FieldError, PROBLEM_JSON, Problem, ProblemCode, chain};

/// The HTTP status of a problem code.
pub fn status_of(code: ProblemCode) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Builds a problem response that names the request it answers (for answers given before the
/// request reaches a handler, or instead of it).
pub fn problem_response_with_id(
    code: ProblemCode,
    detail: String,
    errors: Vec<FieldError>,
    request_id: Option<&str>,
) -> HttpResponse {
    send(
        status_of(code),
        &Problem::new(code, detail, errors, request_id),
    )
}

fn send(status: StatusCode, problem: &Problem) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, "5"));
    }
    match serde_json::to_string(problem) {
        Ok(body) => response.body(body),
        Err(_) => response.finish(),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.code())
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
                    crate::error::escape(&chain(cause.as_ref()))
                )
            }
            // A cause can quote what a client sent (a database error names the value at fault).
            Self::Internal(cause) => log::error!(
                "internal error: {}",
                crate::error::escape(&chain(cause.as_ref()))
            ),
            Self::Client { .. } => {}
        }
        let (code, detail, errors) = self.parts();
        let mut response = problem_response_with_id(code, detail, errors.to_vec(), request_id);
        if let Self::Client { headers, .. } = self {
            for (name, value) in headers {
                let (Ok(name), Ok(value)) = (
                    HeaderName::from_lowercase(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) else {
                    continue;
                };
                if name == header::CONNECTION && value == "close" {
                    // actix writes the Connection header itself, from the connection type.
                    response
                        .head_mut()
                        .set_connection_type(actix_web::http::ConnectionType::Close);
                } else {
                    response.headers_mut().insert(name, value);
                }
            }
        }
        response
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
        StatusCode::PAYLOAD_TOO_LARGE => ProblemCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemCode::UnsupportedMediaType,
        StatusCode::METHOD_NOT_ALLOWED => ProblemCode::MethodNotAllowed,
        StatusCode::NOT_FOUND => ProblemCode::RouteNotFound,
        StatusCode::INTERNAL_SERVER_ERROR => ProblemCode::InternalError,
        status if status.is_server_error() => ProblemCode::ServerError,
        _ => ProblemCode::BadRequest,
    };
    // The generic codes keep the status actix chose and its reason phrase as the title.
    let mut problem = Problem::new(code, detail, Vec::new(), None);
    if status_of(code) != status {
        problem.status = status.as_u16();
        problem.title = status.canonical_reason().unwrap_or("Error").to_owned();
    }
    let (request, old) = response.into_parts();
    let mut new = send(status, &problem);
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
