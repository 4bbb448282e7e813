//! Observability: a request id on every response, log line and problem body; Prometheus metrics;
//! and a panicking handler answered with a 500 problem instead of a dropped connection.

use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, get, web};
use futures_util::FutureExt;

use crate::api::state::AppState;
use crate::error::{ApiError, ProblemCode};
use crate::metrics::{Metrics, method_label};

/// The header that carries the request id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of a request, in its extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

fn valid_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| text.to_owned())
}

/// The most header fields a request may carry, and their largest total size in bytes. Beyond
/// these a request is answered 431 with a problem body; far beyond them (96 fields or 128 KiB)
/// actix's parser answers a bare 431 itself.
pub const MAX_HEADER_FIELDS: usize = 64;
/// See [`MAX_HEADER_FIELDS`].
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// The deadline when no settings are at hand (unit tests).
const DEFAULT_DEADLINE: Duration = Duration::from_secs(20);

/// How long a request may take before it is answered 503. Every database wait is bounded by the
/// database timeout T (pool wait, connection, statement), but a frozen server answers no
/// statement, so the whole request is bounded too: a read by 2T, a write by 7T, which is more than
/// a write transaction's own bound (pool 2T, work 2T, commit T, settling T: see
/// `api::write::transaction`), so that a write is never cut off while its outcome is settled.
fn deadline_for(method: &Method, database_timeout: Duration) -> Duration {
    if method.is_safe() {
        database_timeout * 2
    } else {
        database_timeout * 7
    }
}

/// A 431 problem when the request's header fields are too many or too large.
fn oversized_head(req: &ServiceRequest) -> Option<ApiError> {
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    (headers.len() > MAX_HEADER_FIELDS || bytes > MAX_HEADER_BYTES).then(|| {
        ApiError::new(ProblemCode::HeadersTooLarge, format!(
                "The request carries {} header fields in {bytes} bytes; at most {MAX_HEADER_FIELDS} fields and {MAX_HEADER_BYTES} bytes are accepted.",
                headers.len()
            ),
        )
    })
}

/// Gives each request an id (the caller's `X-Request-Id` when it is sane, else a new one),
/// measures it, turns a panic into a 500 problem, and sets `X-Request-Id` on the response.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(valid_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    let method = method_label(req.method().as_str());
    // A route template or `unmatched`: never the raw path, which the client chooses.
    let route =
        crate::api::routes::RouteTemplate::of(&req).unwrap_or_else(|| "unmatched".to_owned());
    let registry = req.app_data::<web::Data<Metrics>>().cloned();
    let deadline = req
        .app_data::<web::Data<AppState>>()
        .map_or(DEFAULT_DEADLINE, |state| {
            deadline_for(req.method(), state.database_timeout)
        });
    let refused = match oversized_head(&req) {
        Some(error) => Some(error),
        None => crate::api::rate_limit::anonymous_over_limit(req.request()).await,
    };
    if let Some(error) = refused {
        return Err(answer_instead(
            error, &id, method, &route, started, registry,
        ));
    }
    let call = std::panic::AssertUnwindSafe(next.call(req)).catch_unwind();
    let error = match tokio::time::timeout(deadline, call).await {
        Ok(Ok(Ok(response))) => {
            return Ok(finish(
                response.map_into_boxed_body(),
                &id,
                method,
                &route,
                started,
                registry,
            )
            .await);
        }
        Ok(Ok(Err(error))) => return Err(error),
        Ok(Err(_)) => {
            log::error!("request {id}: the handler panicked");
            ApiError::Internal(Box::new(std::io::Error::other("the handler panicked")))
        }
        Err(_) => {
            log::warn!("request {id}: no answer within {} ms", deadline.as_millis());
            ApiError::Unavailable(Box::new(std::io::Error::other(
                "the request deadline passed",
            )))
        }
    };
    Err(answer_instead(
        error, &id, method, &route, started, registry,
    ))
}

/// The problem answer given instead of a handler's (the request was refused before routing, or
/// went to a handler that panicked or was cut off): the request id in body and header, counted in
/// the metrics under `route`, and returned as an error that actix turns into this response.
fn answer_instead(
    error: ApiError,
    id: &str,
    method: &'static str,
    route: &str,
    started: Instant,
    registry: Option<web::Data<Metrics>>,
) -> actix_web::Error {
    let mut answer = error.response_for(Some(id));
    if let Ok(value) = HeaderValue::from_str(id) {
        answer.headers_mut().insert(REQUEST_ID, value);
    }
    if let Some(registry) = registry {
        registry.observe(
            method,
            route,
            answer.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    actix_web::error::InternalError::from_response(error, answer).into()
}

/// Puts the request id on a handler's answer and records it in the metrics.
async fn finish(
    mut response: ServiceResponse<BoxBody>,
    id: &str,
    method: &'static str,
    route: &str,
    started: Instant,
    registry: Option<web::Data<Metrics>>,
) -> ServiceResponse<BoxBody> {
    let is_problem = response
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes()
                .starts_with(crate::error::PROBLEM_JSON.as_bytes())
        });
    if is_problem {
        response = with_request_id(response, id).await;
    }
    if let Ok(value) = HeaderValue::from_str(id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    if let Some(registry) = registry {
        registry.observe(
            method,
            route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    response
}

/// Adds `request_id` to a problem body, so that a caller can quote it to the operator.
async fn with_request_id(response: ServiceResponse<BoxBody>, id: &str) -> ServiceResponse<BoxBody> {
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert(
                "request_id".into(),
                serde_json::Value::String(id.to_owned()),
            );
            serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    let mut head = head;
    head.headers_mut()
        .remove(actix_web::http::header::CONTENT_LENGTH);
    ServiceResponse::new(request, head.set_body(BoxBody::new(body)))
}

/// Metrics in the Prometheus text format: request counts and latency histograms by route and
/// status, database pool usage, overlap checks and webhook deliveries. Per replica.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "Prometheus text exposition format.", body = String, content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn prometheus_metrics(
    state: web::Data<AppState>,
    registry: web::Data<Metrics>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(registry.render({
            let status = state.pool.status();
            crate::metrics::PoolState {
                size: status.size,
                available: status.available,
                max_size: status.max_size,
                waiting: status.waiting,
            }
        }))
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::{ErrorHandlers, from_fn};
    use actix_web::{App, test as actix_test, web};

    use super::*;

    async fn panics() -> HttpResponse {
        panic!("a bug in a handler")
    }

    #[actix_web::test]
    async fn a_panicking_handler_is_a_500_problem_with_the_request_id() {
        let app = actix_test::init_service(
            App::new()
                .wrap(
                    ErrorHandlers::new().default_handler(crate::api::problem::ensure_problem_body),
                )
                .wrap(from_fn(observe))
                .route("/boom", web::get().to(panics)),
        )
        .await;
        let request = actix_test::TestRequest::get()
            .uri("/boom")
            .insert_header(("x-request-id", "req-123"))
            .to_request();
        // The server turns the error into its response; so does this test.
        let response = match actix_test::try_call_service(&app, request).await {
            Ok(response) => response.into_parts().1,
            Err(error) => error.error_response(),
        };
        assert_eq!(
            response.status(),
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(response.headers().get("x-request-id").unwrap(), "req-123");
        let bytes = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["code"], "internal_error");
        assert_eq!(body["request_id"], "req-123");
        assert!(
            !body["detail"].as_str().unwrap().contains("a bug"),
            "the panic message is not sent"
        );
    }

    #[test]
    fn client_text_is_escaped_for_the_log() {
        assert_eq!(
            crate::error::escape("GET /a\"b\n200 forged\\"),
            "GET /a\\\"b\\n200 forged\\\\"
        );
        assert_eq!(crate::error::escape("Hệ"), "H\\u{1ec7}");
        assert_eq!(crate::error::escape("plain text-1"), "plain text-1");
    }

    #[test]
    fn methods_outside_the_known_set_are_other() {
        assert_eq!(method_label(Method::GET.as_str()), "GET");
        assert_eq!(
            method_label(Method::from_bytes(b"PROPFIND").unwrap().as_str()),
            "other"
        );
    }

    #[test]
    fn request_ids_from_callers_are_checked() {
        assert_eq!(
            valid_id(&HeaderValue::from_static("abc-123_X")),
            Some("abc-123_X".into())
        );
        assert_eq!(valid_id(&HeaderValue::from_static("has space")), None);
        assert_eq!(
            valid_id(&HeaderValue::from_str(&"a".repeat(65)).unwrap()),
            None
        );
    }
}
