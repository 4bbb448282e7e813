//! An overlap-check receipt as a printable Vietnamese page: what a province attaches to its
//! procurement record. Rendered from the stored receipt, so the page says exactly what the JSON
//! says; every text from a request or the registry is escaped.

use std::fmt::Write as _;

use actix_web::HttpRequest;
use actix_web::http::header;
use serde_json::Value;

use crate::error::ApiError;

/// Whether the client asks for a page rather than JSON (a browser, or `Accept: text/html`).
pub fn wants_html(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let html = accept.find("text/html");
    let json = accept.find("application/json");
    match (html, json) {
        (Some(h), Some(j)) => h < j,
        (Some(_), None) => true,
        _ => false,
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn verdict_vi(code: &str) -> &'static str {
    match code {
        "likely_duplicate" => "CÓ KHẢ NĂNG TRÙNG LẶP",
        "possible_overlap" => "CÓ THỂ TRÙNG LẶP MỘT PHẦN",
        _ => "KHÔNG TRÙNG LẶP",
    }
}

fn action_vi(code: &str) -> &'static str {
    match code {
        "use" => "Sử dụng nền tảng",
        "connect" => "Kết nối qua NDXP hoặc LGSP",
        "integrate_data" => "Tích hợp, khai thác dữ liệu",
        _ => "",
    }
}

/// Renders the stored receipt `body` (JSON) as an HTML page in Vietnamese.
pub fn render(body: &str) -> Result<String, ApiError> {
    let r: Value = serde_json::from_str(body).map_err(ApiError::internal)?;
    let mut h = String::new();
    let id = escape(text(&r, "id"));
    let verdict = text(&r, "verdict");
    let summary = match text(&r, "summary_vi") {
        "" => text(&r, "summary"),
        vi => vi,
    };
    let request = r.get("request").cloned().unwrap_or(Value::Null);
    let state = r.get("registry_state").cloned().unwrap_or(Value::Null);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <title>Phiếu kiểm tra trùng lặp {id}</title>\
         <style>body{{font-family:serif;max-width:48em;margin:2em auto;line-height:1.4}}\
         h1{{font-size:1.3em;text-align:center}}.verdict{{font-size:1.2em;font-weight:bold;border:2px solid;padding:.5em;text-align:center}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #444;padding:.3em;vertical-align:top;text-align:left}}\
         .meta{{font-size:.9em}}@media print{{body{{margin:0}}a{{color:inherit;text-decoration:none}}}}</style>\
         </head><body>\n<h1>PHIẾU KIỂM TRA TRÙNG LẶP NỀN TẢNG SỐ QUỐC GIA</h1>\n\
         <p class=\"meta\">Mã phiếu: <strong id=\"receipt-id\">{id}</strong><br>\
         Thời điểm đánh giá: {}<br>\
         Trạng thái danh mục khi đánh giá: thay đổi cuối số {}, {} nền tảng đang hoạt động</p>\n",
        escape(text(&r, "created_at")),
        state
            .get("last_change_id")
            .and_then(Value::as_i64)
            .unwrap_or(0),
        state
            .get("active_platforms")
            .and_then(Value::as_i64)
            .unwrap_or(0),
    );
    let _ = write!(
        h,
        "<h2>Nội dung dự kiến mua sắm</h2>\n<p><strong>{}</strong></p>\n",
        escape(text(&request, "title"))
    );
    if let Some(description) = request.get("description").and_then(Value::as_str) {
        let _ = writeln!(h, "<p>{}</p>", escape(description));
    }
    if let Some(requester) = request.get("requester").filter(|v| !v.is_null()) {
        let _ = writeln!(
            h,
            "<p>Đơn vị đề nghị: {}{}</p>",
            escape(text(requester, "province")),
            requester
                .get("unit")
                .and_then(Value::as_str)
                .map(|u| format!(" — {}", escape(u)))
                .unwrap_or_default()
        );
    }
    let _ = write!(
        h,
        "<h2>Kết luận</h2>\n<p class=\"verdict\" id=\"verdict\">{}</p>\n<p>{}</p>\n",
        verdict_vi(verdict),
        escape(summary)
    );
    let candidates = r
        .get("candidates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !candidates.is_empty() {
        h.push_str(
            "<h2>Nền tảng liên quan</h2>\n<table><tr><th>Nền tảng</th><th>Điểm</th>\
             <th>Lý do</th><th>Cơ quan chủ quản, đầu mối liên hệ</th></tr>\n",
        );
        for c in &candidates {
            let reasons = c
                .get("reasons_vi")
                .or_else(|| c.get("reasons"))
                .and_then(Value::as_array)
                .map(|rs| {
                    rs.iter()
                        .filter_map(Value::as_str)
                        .map(|s| format!("<li>{}</li>", escape(s)))
                        .collect::<String>()
                })
                .unwrap_or_default();
            let owner = c.get("ministry").cloned().unwrap_or(Value::Null);
            let contacts = c
                .get("contacts")
                .and_then(Value::as_array)
                .map(|cs| {
                    cs.iter()
                        .map(|ct| {
                            let channels: Vec<String> = ["phone", "email", "url"]
                                .iter()
                                .filter_map(|k| ct.get(*k).and_then(Value::as_str))
                                .map(escape)
                                .collect();
                            format!("<br>{}: {}", escape(text(ct, "name")), channels.join(", "))
                        })
                        .collect::<String>()
                })
                .unwrap_or_default();
            let hint = match text(c, "contact_hint_vi") {
                "" => text(c, "contact_hint"),
                vi => vi,
            };
            let action = c
                .get("province_action")
                .and_then(Value::as_str)
                .map(action_vi)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    format!(
                        "<br><em>Khuyến nghị: {a}.</em> {}",
                        escape(text(c, "province_action_note"))
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<tr class=\"candidate\"><td><strong>{}</strong><br>({}){}</td><td>{}</td><td><ul>{}</ul></td>\
                 <td>{} ({}){}{}<br>{}</td></tr>",
                escape(text(c, "name_vi")),
                escape(text(c, "platform")),
                action,
                c.get("score").and_then(Value::as_f64).unwrap_or(0.0),
                reasons,
                escape(text(&owner, "name_vi")),
                escape(text(&owner, "code")),
                c.get("operator")
                    .and_then(Value::as_str)
                    .map(|o| format!("<br>Đơn vị vận hành: {}", escape(o)))
                    .unwrap_or_default(),
                contacts,
                escape(hint),
            );
        }
        h.push_str("</table>\n");
    }
    let similar = r
        .get("similar_checks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !similar.is_empty() {
        h.push_str(
            "<h2>Địa phương khác đã kiểm tra kế hoạch tương tự (12 tháng gần nhất)</h2>\n<ul>\n",
        );
        for s in &similar {
            let _ = writeln!(
                h,
                "<li>{}: {} — {} (mã phiếu {})</li>",
                escape(text(s, "created_at")),
                escape(text(s, "province")),
                escape(text(s, "title")),
                escape(text(s, "id")),
            );
        }
        h.push_str("</ul>\n");
    }
    let _ = write!(
        h,
        "<p class=\"meta\">Phiếu này do hệ thống danh mục nền tảng số quốc gia (ndp-registry) lập; \
         bản gốc dạng JSON: /api/v1/overlap-checks/{id}.</p>\n</body></html>\n"
    );
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_a_request_is_escaped() {
        let body = serde_json::json!({
            "id": "x", "verdict": "no_overlap", "summary": "s",
            "request": {"title": "<script>alert(1)</script> & \"q\""},
            "candidates": [], "registry_state": {"last_change_id": 1, "active_platforms": 2}
        })
        .to_string();
        let page = render(&body).unwrap();
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;"));
        assert!(page.contains("KHÔNG TRÙNG LẶP"));
    }
}
