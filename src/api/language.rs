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
    Some(match code {
        "not_found" => (
            "Không tìm thấy tài nguyên",
            "Không có tài nguyên nào có mã hoặc khóa này.",
        ),
        "route_not_found" => (
            "Không có điểm cuối này",
            "Không có điểm cuối (endpoint) nào ở đường dẫn này; xem /api/v1/openapi.json.",
        ),
        "invalid_parameter" => (
            "Tham số truy vấn không hợp lệ",
            "Có tham số truy vấn không hợp lệ, không được hỗ trợ hoặc bị lặp lại; `errors` nêu từng tham số.",
        ),
        "method_not_allowed" => (
            "Phương thức không được phép",
            "Đường dẫn này không nhận phương thức HTTP này; xem tiêu đề `Allow`.",
        ),
        "database_unavailable" => (
            "Dịch vụ tạm thời không khả dụng",
            "Cơ sở dữ liệu của hệ thống chưa trả lời; vui lòng thử lại sau giây lát.",
        ),
        "internal_error" => (
            "Lỗi máy chủ nội bộ",
            "Hệ thống không trả lời được yêu cầu này; lỗi đã được ghi lại.",
        ),
        "validation_failed" => (
            "Nội dung yêu cầu không hợp lệ",
            "Có trường không hợp lệ, thiếu hoặc không được phép trong nội dung gửi lên; `errors` nêu từng trường.",
        ),
        "malformed_json" => (
            "JSON không đúng cú pháp",
            "Nội dung gửi lên không phải là JSON hợp lệ.",
        ),
        "invalid_token" => (
            "Mã thông báo (token) bị thiếu hoặc không hợp lệ",
            "Cần tiêu đề `Authorization: Bearer <JWT>` với một mã thông báo còn hiệu lực, đúng chữ ký và chưa bị thu hồi.",
        ),
        "insufficient_scope" => (
            "Mã thông báo không đủ quyền",
            "Mã thông báo này không có phạm vi (scope) cần cho thao tác này.",
        ),
        "wrong_ministry" => (
            "Tài nguyên của bộ, ngành khác",
            "Mã thông báo này chỉ được ghi dữ liệu của bộ, ngành cấp nó.",
        ),
        "operator_only" => (
            "Cần mã thông báo của đơn vị vận hành",
            "Chỉ đơn vị vận hành hệ thống (scope `admin`) được thực hiện thao tác này.",
        ),
        "ministry_inactive" => (
            "Bộ, ngành không còn hoạt động",
            "Bộ, ngành của mã thông báo đã được hợp nhất; hãy dùng mã thông báo của cơ quan kế thừa.",
        ),
        "unknown_ministry" => ("Không rõ bộ, ngành", "Không có bộ, ngành nào có mã này."),
        "precondition_failed" => (
            "Tài nguyên đã thay đổi từ khi được đọc",
            "ETag trong `If-Match` đã cũ; hãy đọc lại tài nguyên rồi gửi lại thay đổi.",
        ),
        "payload_too_large" => (
            "Nội dung yêu cầu quá lớn",
            "Nội dung gửi lên vượt quá giới hạn cho phép (64 KiB, hoặc 4 MiB khi đồng bộ hàng loạt).",
        ),
        "unsupported_media_type" => (
            "Kiểu nội dung không được hỗ trợ",
            "Hãy gửi nội dung dạng `application/json` (hoặc `application/merge-patch+json` với PATCH).",
        ),
        "platform_exists" | "ministry_exists" | "conflict" => (
            "Tài nguyên đã tồn tại",
            "Mã này đã được dùng, hoặc tài nguyên thuộc về bộ, ngành khác.",
        ),
        "owned_elsewhere" => (
            "Tài nguyên thuộc bộ, ngành khác",
            "Danh sách gửi lên có nền tảng đang thuộc bộ, ngành khác.",
        ),
        "idempotency_key_reused" => (
            "Idempotency-Key đã được dùng cho yêu cầu khác",
            "Khóa `Idempotency-Key` này đã được dùng với một nội dung khác; hãy dùng khóa mới.",
        ),
        "invalid_idempotency_key" => (
            "Idempotency-Key không đúng định dạng",
            "Khóa `Idempotency-Key` phải gồm từ 1 đến 255 ký tự hiển thị được.",
        ),
        "rate_limited" => (
            "Quá nhiều yêu cầu",
            "Địa chỉ hoặc mã thông báo này đã gửi quá nhiều yêu cầu; hãy thử lại sau số giây trong `Retry-After`.",
        ),
        "headers_too_large" => (
            "Tiêu đề yêu cầu quá lớn",
            "Yêu cầu có quá nhiều trường tiêu đề (tối đa 64) hoặc quá 16 KiB tiêu đề.",
        ),
        "body_timeout" => (
            "Nội dung yêu cầu đến quá chậm",
            "Nội dung yêu cầu không đến kịp thời hạn; kết nối đã được đóng.",
        ),
        "write_outcome_unknown" => (
            "Chưa rõ kết quả ghi",
            "Cơ sở dữ liệu mất kết nối khi đang ghi; hãy đọc lại tài nguyên, hoặc gửi lại với cùng `Idempotency-Key` hoặc `If-Match`.",
        ),
        "export_too_large" => (
            "Tệp xuất quá lớn",
            "Tập nền tảng được chọn vượt quá giới hạn của một tệp xuất; hãy thu hẹp bằng bộ lọc (ministry, domain, status, updated_since, q).",
        ),
        _ => return None,
    })
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
