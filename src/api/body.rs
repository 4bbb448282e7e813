//! Request bodies: the media type is checked and the size bounded when the body is read; the JSON
//! is parsed later, by the handler, once it has checked who may write what. Parse errors name the
//! field: malformed JSON is a 400, a body of the wrong shape (unknown or missing field, wrong type)
//! or with invalid values is a 422.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::api::state::AppState;
use crate::error::{ApiError, FieldError, ProblemCode};

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
        return Err(ApiError::new(
            ProblemCode::UnsupportedMediaType,
            format!(
                "Send the body with Content-Type: {}.",
                accepted.join(" or ")
            ),
        ));
    }
    let too_large = || {
        ApiError::new(
            ProblemCode::PayloadTooLarge,
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
                ApiError::new(
                    ProblemCode::BodyUnreadable,
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
        .map_err(|_| ApiError::body_timeout(allowance))??;
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
    /// Parses the body as `T`, naming every unknown, missing and mistyped field at once.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        parse_json(&self.0)
    }

    /// Parses the body as `T` and checks it with `check`, so that one 422 names every problem of
    /// the body: unknown, missing and mistyped fields, and the invalid values of the others.
    pub fn parse_valid<T: DeserializeOwned, V>(
        &self,
        check: impl FnOnce(&T) -> Result<V, ApiError>,
    ) -> Result<V, ApiError> {
        checked(read_json(&self.0)?, check).map(|(valid, _)| valid)
    }
}

impl MergePatchBody {
    /// Applies the patch to `current` and checks the result with `check`, naming every problem
    /// at once (see [`JsonBody::parse_valid`]).
    pub fn apply_valid<T: DeserializeOwned, V>(
        &self,
        current: serde_json::Value,
        check: impl FnOnce(&T) -> Result<V, ApiError>,
    ) -> Result<V, ApiError> {
        checked(self.merged(current)?, check).map(|(valid, _)| valid)
    }

    fn merged(&self, mut current: serde_json::Value) -> Result<serde_json::Value, ApiError> {
        crate::registry::changes::merge_patch(
            &mut current,
            &serde_json::Value::Object(self.patch()?),
        );
        Ok(current)
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
    ApiError::malformed_json(detail)
}

/// Parses JSON into `T`, naming every field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    from_value(read_json(bytes)?)
}

/// Reads a JSON document: 400 when it is empty or not JSON.
fn read_json(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed(
            "The request body is empty; send a JSON document.".into(),
        ));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| malformed(format!("The request body is not valid JSON: {e}.")))
}

/// Validates a value already parsed from JSON (a merged patch) as `T`, naming every field at
/// fault.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    checked(value, |_: &T| Ok(())).map(|((), value)| value)
}

/// Reads `value` as `T` and checks it, answering one 422 with every problem: the shape's
/// (unknown, missing and mistyped fields) and, where the shape could be completed, `check`'s
/// (invalid values), except those about the fields already named.
pub fn checked<T: DeserializeOwned, V>(
    value: serde_json::Value,
    check: impl FnOnce(&T) -> Result<V, ApiError>,
) -> Result<(V, T), ApiError> {
    let Shape { value, errors } = Shape::<T>::read(value);
    let Some(value) = value else {
        return Err(ApiError::validation(errors));
    };
    if errors.is_empty() {
        return check(&value).map(|valid| (valid, value));
    }
    let named = |field: &str| {
        errors.iter().any(|e| {
            field == e.field
                || field
                    .strip_prefix(e.field.as_str())
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
    };
    let more: Vec<FieldError> = match check(&value) {
        Err(error) => error
            .field_errors()
            .iter()
            .filter(|e| !named(&e.field))
            .cloned()
            .collect(),
        Ok(_) => Vec::new(),
    };
    let mut all = errors;
    all.extend(more);
    Err(ApiError::validation(all))
}

/// The outcome of reading a JSON value as a type: the value, completed where fields were
/// missing or mistyped so that the rest can still be checked, and the shape's problems.
struct Shape<T> {
    value: Option<T>,
    errors: Vec<FieldError>,
}

/// How many shape problems one body may name before the rest are left unsaid.
const MAX_SHAPE_ERRORS: usize = 50;

impl<T: DeserializeOwned> Shape<T> {
    /// Reads `value` as `T`. serde stops at the first problem, so each problem is recorded and
    /// repaired in a copy (an unknown field removed, a missing or mistyped one replaced by a
    /// stand-in of the right type) and the copy read again, until it reads or cannot be
    /// repaired.
    fn read(mut value: serde_json::Value) -> Self {
        let mut errors: Vec<FieldError> = Vec::new();
        // The stand-ins tried, by field path: the next one is tried when the last was refused.
        let mut tried: Vec<(String, usize)> = Vec::new();
        loop {
            let error = match serde_path_to_error::deserialize::<_, T>(&value) {
                Ok(read) => {
                    return Self {
                        value: Some(read),
                        errors,
                    };
                }
                Err(error) => error,
            };
            let path = error.path().to_string();
            let message = error.into_inner().to_string();
            let problem = field_error(&path, &message);
            let attempt = match tried.iter_mut().find(|(p, _)| *p == problem.field) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    if errors.len() >= MAX_SHAPE_ERRORS {
                        return Self {
                            value: None,
                            errors,
                        };
                    }
                    tried.push((problem.field.clone(), 0));
                    errors.push(problem.clone());
                    0
                }
            };
            let repaired = if problem.field == "body" {
                false
            } else if message.starts_with("unknown field `") {
                remove(&mut value, &problem.field)
            } else {
                stand_in(&message, attempt)
                    .is_some_and(|standin| replace(&mut value, &problem.field, standin))
            };
            if !repaired {
                return Self {
                    value: None,
                    errors,
                };
            }
        }
    }
}

/// A value of some type for a missing or mistyped field, to be tried in turn: the first variant
/// an enum's error names, then the plain JSON types.
fn stand_in(message: &str, attempt: usize) -> Option<serde_json::Value> {
    use serde_json::{Value, json};
    let variant = message
        .split_once("expected one of `")
        .or_else(|| message.split_once("expected `"))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(first, _)| Value::from(first));
    if let Some(variant) = variant {
        // An enum's error names its variants: the first is a value of the right type.
        return (attempt < 3).then_some(variant);
    }
    [
        json!(""),
        json!(0),
        json!(false),
        json!([]),
        json!({}),
        json!("2000-01-01"),
        json!("2000-01-01T00:00:00Z"),
        json!("00000000-0000-0000-0000-000000000000"),
        Value::Null,
    ]
    .into_iter()
    .nth(attempt)
}

/// The steps of a field path as [`field_error`] writes it (`contacts[0].email`): object keys and
/// array indexes.
fn steps(field: &str) -> Vec<Result<String, usize>> {
    let mut steps = Vec::new();
    for part in field.split('.') {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                steps.push(Ok(rest[..open].to_owned()));
            }
            rest = &rest[open..];
            while let Some(inner) = rest.strip_prefix('[') {
                let Some((index, after)) = inner.split_once(']') else {
                    break;
                };
                if let Ok(i) = index.parse() {
                    steps.push(Err(i));
                }
                rest = after;
            }
        } else if !rest.is_empty() {
            steps.push(Ok(rest.to_owned()));
        }
    }
    steps
}

/// The object that holds the last step of `field`, and that step's key.
fn parent<'v>(
    value: &'v mut serde_json::Value,
    field: &str,
) -> Option<(&'v mut serde_json::Value, Result<String, usize>)> {
    let mut steps = steps(field);
    let last = steps.pop()?;
    let mut at = value;
    for step in steps {
        at = match step {
            Ok(key) => at.get_mut(&key)?,
            Err(i) => at.get_mut(i)?,
        };
    }
    Some((at, last))
}

fn remove(value: &mut serde_json::Value, field: &str) -> bool {
    match parent(value, field) {
        Some((serde_json::Value::Object(map), Ok(key))) => map.remove(&key).is_some(),
        _ => false,
    }
}

fn replace(value: &mut serde_json::Value, field: &str, standin: serde_json::Value) -> bool {
    match parent(value, field) {
        Some((serde_json::Value::Object(map), Ok(key))) => {
            map.insert(key, standin);
            true
        }
        Some((serde_json::Value::Array(items), Err(i))) if i < items.len() => {
            items[i] = standin;
            true
        }
        _ => false,
    }
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
            Err(ApiError::Client { code, errors, .. }) => (code.status(), errors),
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
