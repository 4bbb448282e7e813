//! Problems in Vietnamese: when `Accept-Language` prefers Vietnamese (`vi`) to English, a problem
//! body's `title` and `detail` are given in Vietnamese; `type`, `status`, `code`, `errors` and
//! `request_id` stay as they are, so clients branch on `code` whatever the language. English stays
//! the default. The Vietnamese detail says what the code means and what to do; `errors` still names
//! each field at fault.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use serde_json::Value;

use crate::error::PROBLEM_JSON;

/// Rewrites problem bodies in Vietnamese for clients that prefer it; adds `Vary: Accept-Language`
/// to every problem, since its text depends on that header.
pub async fn localise_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, String>>, actix_web::Error> {
    let vietnamese = prefers_vietnamese(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let mut res = next.call(req).await?;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !is_problem {
        return Ok(res.map_into_left_body());
    }
    res.headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept-Language"));
    if !vietnamese {
        return Ok(res.map_into_left_body());
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("unreadable problem body"))?;
    let text = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut problem) => {
            translate(&mut problem);
            problem.to_string()
        }
        Err(_) => String::from_utf8_lossy(&bytes).into_owned(),
    };
    head.headers_mut().remove(header::CONTENT_LENGTH);
    head.headers_mut()
        .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("vi"));
    let res = head.set_body(text);
    Ok(ServiceResponse::new(req, res).map_into_right_body())
}

/// Whether an `Accept-Language` value ranks Vietnamese above English (RFC 9110 12.5.4; a missing
/// quality is 1, the first of equals wins).
pub fn prefers_vietnamese(accept_language: Option<&str>) -> bool {
    let Some(value) = accept_language else {
        return false;
    };
    let mut best: Option<(f32, bool)> = None;
    for range in value.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let language = tag.split('-').next().unwrap_or_default();
        let is_vi = match language {
            "vi" => true,
            "en" | "*" => false,
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, is_vi));
        }
    }
    best.is_some_and(|(_, is_vi)| is_vi)
}

fn translate(problem: &mut Value) {
    let Some(code) = problem.get("code").and_then(Value::as_str) else {
        return;
    };
    let Some((title, detail)) = vietnamese(code) else {
        return;
    };
    problem["title"] = Value::from(title);
    problem["detail"] = Value::from(detail);
}

/// The Vietnamese title and detail of each problem code.
fn vietnamese(code: &str) -> Option<(&'static str, &'static str)> {
    crate::error::ProblemCode::from_code(code).map(crate::error::ProblemCode::vietnamese)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_is_chosen_only_when_ranked_above_english() {
        assert!(prefers_vietnamese(Some("vi")));
        assert!(prefers_vietnamese(Some("vi-VN,vi;q=0.9,en;q=0.8")));
        assert!(prefers_vietnamese(Some("en;q=0.5, vi")));
        assert!(!prefers_vietnamese(Some("en-US,en;q=0.9,vi;q=0.8")));
        assert!(!prefers_vietnamese(Some("fr, de")));
        assert!(!prefers_vietnamese(Some("vi;q=0")));
        assert!(!prefers_vietnamese(None));
    }

    #[test]
    fn every_code_the_service_titles_has_a_vietnamese_title() {
        for code in [
            "not_found",
            "invalid_parameter",
            "validation_failed",
            "invalid_token",
            "precondition_failed",
            "rate_limited",
            "database_unavailable",
            "export_too_large",
        ] {
            assert!(vietnamese(code).is_some(), "{code}");
        }
    }
}
