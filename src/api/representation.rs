//! How resources are sent: JSON with a strong `ETag` computed from the representation itself, so
//! that any change to what a client would see (a contact, the owner, a count) changes the tag.
//! `If-None-Match` is answered 304 without a body. Collections add an RFC 8288 `Link` header.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::query::Page;
use crate::error::ApiError;
use crate::views::history::HistoryEntry;

/// A page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T: ToSchema> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The page number, from 1.
    #[schema(example = 1)]
    pub page: u32,
    /// The page size asked for.
    #[schema(example = 20)]
    pub per_page: u32,
    /// How many items match across all pages.
    #[schema(example = 79)]
    pub total: i64,
}

impl<T: ToSchema> Paginated<T> {
    /// A page of `items` out of `total`.
    pub fn new(items: Vec<T>, page: Page, total: i64) -> Self {
        Self {
            items,
            page: page.page,
            per_page: page.per_page,
            total,
        }
    }
}

/// The strong entity tag of a representation.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether an `If-None-Match` header value matches `etag` (weak comparison, RFC 9110 13.1.2).
pub fn none_match(req: &HttpRequest, etag: &str) -> bool {
    let Some(value) = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    none_match_value(value, etag)
}

/// Whether one `If-None-Match` header value (a list of tags, or `*`) matches `etag`, by weak
/// comparison.
pub fn none_match_value(value: &str, etag: &str) -> bool {
    let bare = etag.trim_start_matches("W/");
    value
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == bare)
}

/// A 200 JSON answer with its `ETag`, or 304 when the client already has it.
pub fn json_with_etag<T: Serialize>(req: &HttpRequest, body: &T) -> Result<HttpResponse, ApiError> {
    json_response(req, StatusCode::OK, body, None)
}

/// A page of a collection with its `ETag` and `Link` header.
pub fn page_response<T: Serialize + ToSchema>(
    req: &HttpRequest,
    body: &Paginated<T>,
) -> Result<HttpResponse, ApiError> {
    let link = link_header(req, body.page, body.per_page, body.total);
    json_response(req, StatusCode::OK, body, Some(link))
}

fn json_response<T: Serialize>(
    req: &HttpRequest,
    status: StatusCode,
    body: &T,
    link: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let etag = etag_of(&bytes);
    let not_modified = none_match(req, &etag);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::build(status)
    };
    response
        .insert_header((header::ETAG, etag.as_str()))
        // Clients may keep a copy but must revalidate it: the registry changes at any time.
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    if let Some(link) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.insert_header((header::LINK, link));
    }
    if not_modified {
        return Ok(response.finish());
    }
    Ok(response.content_type("application/json").body(bytes))
}

/// The RFC 8288 `Link` header of a page: first, prev, next and last, keeping the other parameters.
pub fn link_header(req: &HttpRequest, page: u32, per_page: u32, total: i64) -> String {
    let last =
        u32::try_from(((total.max(0) + i64::from(per_page) - 1) / i64::from(per_page)).max(1))
            .unwrap_or(u32::MAX);
    let kept: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .unwrap_or_default()
            .into_iter()
            .filter(|(name, _)| name != "page" && name != "per_page")
            .collect();
    let url = |target: u32| {
        let mut pairs = kept.clone();
        pairs.push(("page".into(), target.to_string()));
        pairs.push(("per_page".into(), per_page.to_string()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("<{}?{}>", req.path(), query)
    };
    let mut links = vec![format!("{}; rel=\"first\"", url(1))];
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", url((page - 1).min(last))));
    }
    if page < last {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
    }
    links.push(format!("{}; rel=\"last\"", url(last)));
    links.join(", ")
}

/// A page of history: operators see more than the public at the same URL, so it varies by
/// `Authorization`.
pub fn history_page(
    req: &HttpRequest,
    items: Vec<HistoryEntry>,
    page: crate::api::query::Page,
    total: i64,
) -> Result<HttpResponse, ApiError> {
    let mut response = page_response(req, &Paginated::new(items, page, total))?;
    response.headers_mut().append(
        actix_web::http::header::VARY,
        actix_web::http::header::HeaderValue::from_static("Authorization"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn link_header_keeps_filters_and_names_all_relations() {
        let req = TestRequest::get()
            .uri("/api/v1/platforms?ministry=BTC&page=2&per_page=10")
            .to_http_request();
        let link = link_header(&req, 2, 10, 35);
        assert_eq!(
            link,
            "</api/v1/platforms?ministry=BTC&page=1&per_page=10>; rel=\"first\", \
             </api/v1/platforms?ministry=BTC&page=1&per_page=10>; rel=\"prev\", \
             </api/v1/platforms?ministry=BTC&page=3&per_page=10>; rel=\"next\", \
             </api/v1/platforms?ministry=BTC&page=4&per_page=10>; rel=\"last\""
        );
    }

    #[test]
    fn if_none_match_uses_weak_comparison_and_lists() {
        let req = TestRequest::get()
            .insert_header((header::IF_NONE_MATCH, "\"x\", W/\"abc\""))
            .to_http_request();
        assert!(none_match(&req, "\"abc\""));
        assert!(!none_match(&req, "\"abd\""));
    }
}
