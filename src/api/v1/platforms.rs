//! `GET /api/v1/platforms` and `GET /api/v1/platforms/{code}`.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::contacts::NoFilter;
use crate::api::extract::MaybeActor;
use crate::api::query::{ListQuery, PageParams};
use crate::api::representation::{Paginated, history_page, json_with_etag, page_response};
use crate::api::state::AppState;
use crate::api::{GetErrors, ListErrors, SubListErrors};
use crate::db::history;
use crate::db::ministries as ministry_db;
use crate::db::platforms::{self as platform_db, PlatformFilter};
use crate::domain::search::Query;
use crate::domain::{
    Audience, Domain, MinistryCode, NdxpStatus, PlatformStatus, Vocabulary, fold_for_search,
    normalize_text,
};
use crate::error::{ApiError, FieldError};
use crate::registry::search;
use crate::views::history::HistoryEntry;
use crate::views::platforms::{PlatformResponse, SearchMatch, platform_responses};

/// The longest accepted `q`, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words `q` may have.
pub const MAX_QUERY_TERMS: usize = 12;

/// Filters of the platform list. All are optional and combine with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlatformFilterParams {
    /// Only platforms owned by this agency (code, any case). An unknown code is a 400.
    #[param(example = "BTC", pattern = "{ministry}", nullable = false)]
    ministry: Option<String>,
    /// Only platforms serving this field.
    domain: Option<Domain>,
    /// Only platforms for this audience.
    audience: Option<Audience>,
    /// Only platforms in this lifecycle status.
    status: Option<PlatformStatus>,
    /// Only platforms with this NDXP connection status.
    ndxp_status: Option<NdxpStatus>,
    /// Only platforms changed at or after this RFC 3339 instant.
    #[param(value_type = Option<String>, format = DateTime, example = "2025-03-01T00:00:00Z")]
    updated_since: Option<DateTime<Utc>>,
    /// Free text, case- and diacritics-insensitive: `hoa don` finds "Hóa đơn", `dinh danh` finds
    /// VNeID, `CSDL` finds "cơ sở dữ liệu" (and back), a one-letter typo is forgiven. Results come
    /// best first, each with `match`: its score and the words found, where and how. At most 200
    /// characters and 12 words.
    #[param(
        example = "dich vu cong",
        pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]{0,200}$",
        nullable = false
    )]
    q: Option<String>,
}

impl PlatformFilterParams {
    /// Whether the selection is a search (`q`), which is scored in memory.
    pub fn is_search(&self) -> bool {
        self.q.is_some()
    }
}

/// Checks the `q` parameter and analyses it, or explains why it cannot be searched.
pub fn parse_q(q: &str) -> Result<(Query, String), FieldError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(FieldError::new(
            "q",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    if q.chars().any(char::is_control) {
        return Err(FieldError::new("q", "must not contain control characters"));
    }
    let normalized = normalize_text(q);
    let query = crate::domain::search::analyse_search(&normalized);
    if query.units.is_empty() {
        return Err(FieldError::new(
            "q",
            "must contain at least one letter or digit",
        ));
    }
    if query.units.len() > MAX_QUERY_TERMS {
        return Err(FieldError::new(
            "q",
            format!("must have at most {MAX_QUERY_TERMS} words"),
        ));
    }
    Ok((query, fold_for_search(&normalized)))
}

/// Lists platforms, filtered and paginated, ordered by code.
#[utoipa::path(
    tag = "platforms",
    params(PageParams, PlatformFilterParams),
    responses(
        (status = 200, description = "A page of platforms. `Link` has first, prev, next and last. For a spreadsheet of every matching platform, see `GET /api/v1/platforms/export`.",
         body = Paginated<PlatformResponse>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        ListErrors,
    )
)]
#[get("/platforms")]
pub async fn list_platforms(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<PlatformFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let _turn = if query.filter.is_search() {
        Some(state.search_turn().await?)
    } else {
        None
    };
    let mut conn = state.pool.get().await?;
    let selection = Selection::parse(&mut conn, &query.filter).await?;
    let Some((q, folded)) = &selection.search else {
        let (rows, total) = platform_db::list(
            &mut conn,
            &selection.filter,
            query.page.limit(),
            query.page.offset(),
        )
        .await?;
        drop(conn);
        let items = rows
            .into_iter()
            .map(|(p, parts)| PlatformResponse::new(p, parts))
            .collect();
        return page_response(&req, &Paginated::new(items, query.page, total));
    };
    let results = search::search(&mut conn, &state.documents, &selection.filter, q, folded).await?;
    let total = results.len() as i64;
    let page: Vec<_> = results
        .into_iter()
        .skip(query.page.offset() as usize)
        .take(query.page.limit() as usize)
        .collect();
    let matches: Vec<SearchMatch> = page.iter().map(|(_, s)| SearchMatch::from(s)).collect();
    let mut items =
        platform_responses(&mut conn, page.into_iter().map(|(p, _)| p).collect()).await?;
    for (item, m) in items.iter_mut().zip(matches) {
        item.search_match = Some(m);
    }
    page_response(&req, &Paginated::new(items, query.page, total))
}

/// The platform list's filters, checked against the database, and the analysed `q`.
pub struct Selection {
    /// The structured filters.
    pub filter: PlatformFilter,
    /// The analysed query and its folded text, when `q` was given.
    pub search: Option<(Query, String)>,
}

impl Selection {
    /// Every platform.
    pub fn everything() -> Self {
        Self {
            filter: PlatformFilter::default(),
            search: None,
        }
    }

    /// Checks the filter parameters; every problem is reported at once.
    pub async fn parse(
        conn: &mut AsyncPgConnection,
        params: &PlatformFilterParams,
    ) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let ministry = match params.ministry.as_deref().map(MinistryCode::parse) {
            None => None,
            Some(Ok(code)) => Some(code),
            Some(Err(message)) => {
                errors.push(FieldError::new("ministry", message));
                None
            }
        };
        let search = match params.q.as_deref().map(parse_q) {
            None => None,
            Some(Ok(query)) => Some(query),
            Some(Err(error)) => {
                errors.push(error);
                None
            }
        };
        if params
            .updated_since
            .is_some_and(|since| !crate::registry::validate::date_in_range(since.date_naive()))
        {
            errors.push(FieldError::new(
                "updated_since",
                crate::registry::validate::DATE_RANGE_MESSAGE,
            ));
        }
        if let Some(code) = &ministry
            && !ministry_db::exists(conn, code.as_str()).await?
        {
            errors.push(FieldError::new(
                "ministry",
                format!(
                    "{:?} is not a known agency code; see /api/v1/ministries",
                    code.as_str()
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid_parameters(errors));
        }
        let filter = PlatformFilter {
            ministry: ministry.map(|c| c.as_str().to_owned()),
            domain: params.domain.map(|d| d.as_str().to_owned()),
            audience: params.audience.map(|a| a.as_str().to_owned()),
            status: params.status.map(|s| s.as_str().to_owned()),
            ndxp_status: params.ndxp_status.map(|s| s.as_str().to_owned()),
            updated_since: params.updated_since,
        };
        Ok(Self { filter, search })
    }
}

/// Gets one platform by code, with its contacts, lists and ownership history.
#[utoipa::path(
    tag = "platforms",
    params(("code" = String, Path, description = "The platform's code", example = "vneid")),
    responses(
        (status = 200, description = "The platform.", body = PlatformResponse,
         headers(("ETag" = String, description = "Tag of this representation; send it in `If-None-Match` or `If-Match`"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        GetErrors,
    )
)]
#[get("/platforms/{code}")]
pub async fn get_platform(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let (row, parts) = platform_db::find_with_parts(&mut conn, &code)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("No platform has the code {:?}.", code.as_str()))
        })?;
    // The connection goes back to the pool before the answer is serialised.
    drop(conn);
    json_with_etag(&req, &PlatformResponse::new(row, parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_long_and_control_queries_are_rejected() {
        assert!(parse_q("   ").is_err());
        assert!(parse_q("%%% ...").is_err());
        assert!(parse_q(&"a".repeat(201)).is_err());
        assert!(parse_q("a\u{0}b").is_err());
        let thirteen: Vec<String> = (0..13).map(|i| format!("w{i}")).collect();
        assert!(parse_q(&thirteen.join(" ")).is_err());
        assert!(parse_q("DỊCH VỤ Công").is_ok());
    }
}

/// Lists every change to a platform, its contacts and its list memberships, newest first.
#[utoipa::path(
    tag = "platforms",
    params(("code" = String, Path, description = "The platform's code", example = "vneid"), PageParams),
    responses(
        (status = 200, description = "A page of changes, newest first.", body = Paginated<HistoryEntry>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        SubListErrors,
    )
)]
#[get("/platforms/{code}/history")]
pub async fn platform_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: ListQuery<NoFilter>,
    reader: MaybeActor,
) -> Result<HttpResponse, ApiError> {
    let operator = reader.0.is_some_and(|actor| actor.is_operator());
    let mut conn = state.pool.get().await?;
    let id = platform_db::find_id(&mut conn, &code)
        .await?
        .ok_or_else(|| crate::registry::platforms::not_found(&code))?;
    let (rows, total) =
        history::for_platform(&mut conn, id, query.page.limit(), query.page.offset()).await?;
    let items = rows
        .into_iter()
        .map(|c| HistoryEntry::new(c, &state.jwt, operator))
        .collect();
    history_page(&req, items, query.page, total)
}
