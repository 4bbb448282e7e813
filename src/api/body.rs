//! Request bodies: the media type is checked and the size bounded when the body is read; the JSON
//! is parsed later, by the handler, once it has checked who may write what. Parse errors name the
//! field: malformed JSON is a 400, a body of the wrong shape (unknown or missing field, wrong type)
//! or with invalid values is a 422.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};
use crate::startup::AppState;

/// How long a body may take to arrive when no settings are at hand (unit tests).
const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON request body (`application/json`), read but not yet parsed.
pub struct JsonBody(pub Bytes);

/// The largest bulk request body (a ministry's whole set of platforms), in bytes.
pub const MAX_BULK_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A large JSON request body (`application/json`) for bulk operations, up to 4 MiB.
pub struct BulkJsonBody(pub Bytes);

/// A JSON Merge Patch body (RFC 7396): `application/merge-patch+json` (or `application/json`).
pub struct MergePatchBody(pub Bytes);

impl ApiError {
    /// 422: the body is well-formed JSON but not an acceptable value.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}` {}.", one.field, one.message),
            many => format!("The request body has {} invalid fields.", many.len()),
        };
        Self::Client {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            detail,
            errors,
            headers: Vec::new(),
        }
    }
}

async fn read(
    req: HttpRequest,
    mut payload: Payload,
    accepted: &'static [&'static str],
    limit: usize,
) -> Result<Bytes, ApiError> {
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    if !media_type.as_deref().is_some_and(|m| accepted.contains(&m)) {
        return Err(ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Send the body with Content-Type: {}.",
                accepted.join(" or ")
            ),
        ));
    }
    let too_large = || {
        ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body must be at most {limit} bytes."),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let allowance = req
        .app_data::<web::Data<AppState>>()
        .map_or(DEFAULT_BODY_TIMEOUT, |state| state.body_timeout);
    let mut body = BytesMut::new();
    let receive = async {
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| {
                ApiError::client(
                    StatusCode::BAD_REQUEST,
                    "body_unreadable",
                    "The request body could not be read.",
                )
            })?;
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(())
    };
    // A client that trickles its body would hold a worker's buffer forever: it gets 408, and the
    // connection is closed because the rest of its body cannot be told from a next request.
    tokio::time::timeout(allowance, receive)
        .await
        .map_err(|_| ApiError::Client {
            status: StatusCode::REQUEST_TIMEOUT,
            code: "body_timeout",
            detail: format!(
                "The request body did not arrive within {} ms; send it at once.",
                allowance.as_millis()
            ),
            errors: Vec::new(),
            headers: vec![(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            )],
        })??;
    Ok(body.freeze())
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            read(req, payload, &["application/json"], MAX_BODY_BYTES)
                .await
                .map(Self)
        })
    }
}

impl FromRequest for MergePatchBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            read(
                req,
                payload,
                &["application/merge-patch+json", "application/json"],
                MAX_BODY_BYTES,
            )
            .await
            .map(Self)
        })
    }
}

impl FromRequest for BulkJsonBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            read(req, payload, &["application/json"], MAX_BULK_BODY_BYTES)
                .await
                .map(Self)
        })
    }
}

impl JsonBody {
    /// Parses the body as `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        parse_json(&self.0)
    }
}

impl MergePatchBody {
    /// Applies the patch (RFC 7396) to `current`, a resource's writable state, and reads the
    /// result as `T`: what the resource would be after the patch.
    pub fn apply_to<T: DeserializeOwned>(
        &self,
        mut current: serde_json::Value,
    ) -> Result<T, ApiError> {
        crate::api::write::merge_patch(&mut current, &serde_json::Value::Object(self.patch()?));
        from_value(current)
    }

    /// The patch document, which must be a JSON object.
    pub fn patch(&self) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
        match parse_json::<serde_json::Value>(&self.0)? {
            serde_json::Value::Object(map) => Ok(map),
            _ => Err(ApiError::validation(vec![FieldError::new(
                "body",
                "must be a JSON object (RFC 7396 merge patch)",
            )])),
        }
    }
}

fn malformed(detail: String) -> ApiError {
    ApiError::client(StatusCode::BAD_REQUEST, "malformed_json", detail)
}

/// Parses JSON into `T`, naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed(
            "The request body is empty; send a JSON document.".into(),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                ApiError::validation(vec![field_error(&path, &inner.to_string())])
            }
            _ => malformed(format!("The request body is not valid JSON: {inner}.")),
        }
    })?;
    deserializer
        .end()
        .map_err(|e| malformed(format!("The request body is not valid JSON: {e}.")))?;
    Ok(value)
}

/// Validates a value already parsed from JSON (a merged patch) as `T`.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        ApiError::validation(vec![field_error(&path, &error.into_inner().to_string())])
    })
}

/// serde's message with the field it concerns: an unknown or missing field is named itself.
fn field_error(path: &str, message: &str) -> FieldError {
    let message = message.split(" at line ").next().unwrap_or(message);
    // serde_json's reader reports the parent's path; a `Value` reader already includes the name.
    let named = |name: &str| match path {
        "." => name.to_owned(),
        p if p == name || p.ends_with(&format!(".{name}")) => p.to_owned(),
        p => format!("{p}.{name}"),
    };
    for (prefix, text) in [
        ("unknown field `", "is not a field of this resource"),
        ("missing field `", "is required"),
    ] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((name, _)) = rest.split_once('`')
        {
            let expected = rest
                .split_once(", expected ")
                .map(|(_, e)| format!("; expected {e}"));
            return FieldError::new(
                named(name),
                format!("{text}{}", expected.unwrap_or_default()),
            );
        }
    }
    let field = if path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    let message = message
        .strip_prefix("unknown variant ")
        .and_then(|rest| rest.split_once(", expected one of "))
        .map_or_else(
            || message.to_owned(),
            |(value, expected)| format!("{value} is not one of {expected}"),
        );
    FieldError::new(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only parsed")]
    struct Sample {
        name: String,
        count: u32,
    }

    fn errors(result: Result<Sample, ApiError>) -> (u16, Vec<FieldError>) {
        match result {
            Err(ApiError::Client { status, errors, .. }) => (status.as_u16(), errors),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_missing_and_mistyped_fields_are_named() {
        let (status, e) = errors(parse_json(br#"{"name":"x","count":1,"version":2}"#));
        assert_eq!((status, e[0].field.as_str()), (422, "version"));
        let (_, e) = errors(parse_json(br#"{"name":"x"}"#));
        assert_eq!(e[0].field, "count");
        assert_eq!(e[0].message, "is required");
        let (_, e) = errors(parse_json(br#"{"name":"x","count":"many"}"#));
        assert_eq!(e[0].field, "count");
        let (_, e) = errors(from_value(
            serde_json::json!({"name": "x", "count": 1, "version": 2}),
        ));
        assert_eq!(e[0].field, "version");
    }

    #[test]
    fn malformed_json_is_a_400() {
        let (status, _) = errors(parse_json(br#"{"name": "#));
        assert_eq!(status, 400);
        let (status, _) = errors(parse_json(b"   "));
        assert_eq!(status, 400);
        let (status, _) = errors(parse_json(br#"{"name":"x","count":1} trailing"#));
        assert_eq!(status, 400);
    }
}
