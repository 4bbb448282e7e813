//! `GET /api/v1/provinces` and `GET /api/v1/provinces/{code}`: the 34 provincial-level units in
//! force since 2025-07-01, each with the former provinces it absorbed.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use super::contacts::NoFilter;
use crate::api::query::{ListQuery, PageParams};
use crate::api::representation::{Paginated, json_with_etag, page_response};
use crate::api::state::AppState;
use crate::api::{GetErrors, ListErrors};
use crate::db::provinces::{self as province_db, Predecessor, Province};
use crate::error::{ApiError, ProblemCode};

/// A province or centrally-run city.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvinceResponse {
    /// The registry's own short code, the key (not the official administrative-unit code).
    #[schema(example = "HCM")]
    pub code: String,
    /// The official name.
    #[schema(example = "Thành phố Hồ Chí Minh")]
    pub name_vi: String,
    /// `city` (thành phố trực thuộc trung ương) or `province` (tỉnh).
    #[schema(example = "city")]
    pub kind: String,
    /// The day the unit took its present form by merger; `null` when it was not merged in 2025.
    #[schema(example = "2025-07-01")]
    pub formed_on: Option<NaiveDate>,
    /// The provinces as they were before 2025-07-01 that it absorbed, its own former self first;
    /// empty when it was not merged. Any of these names, given where a province is expected,
    /// means this unit.
    #[schema(example = json!(["Hồ Chí Minh", "Bình Dương", "Bà Rịa – Vũng Tàu"]))]
    pub predecessors: Vec<String>,
    /// Where the record comes from.
    #[schema(example = "Nghị quyết 202/2025/QH15 của Quốc hội (12/6/2025), hiệu lực từ 01/7/2025")]
    pub source: String,
    /// How well it is attested: `official` or `general_knowledge`.
    #[schema(example = "general_knowledge")]
    pub confidence: String,
}

impl ProvinceResponse {
    fn new(row: Province, predecessors: Vec<String>) -> Self {
        Self {
            code: row.code,
            name_vi: row.name_vi,
            kind: row.kind,
            formed_on: row.formed_on,
            predecessors,
            source: row.source,
            confidence: row.confidence,
        }
    }
}

/// Lists the 34 provinces and centrally-run cities by code, with their predecessors.
#[utoipa::path(
    tag = "provinces",
    params(PageParams),
    responses(
        (status = 200, description = "A page of provinces, by code. `Link` has first, prev, next and last.",
         body = Paginated<ProvinceResponse>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        ListErrors,
    )
)]
#[get("/provinces")]
pub async fn list_provinces(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<NoFilter>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let (rows, total) =
        province_db::list(&mut conn, query.page.limit(), query.page.offset()).await?;
    let items = with_predecessors(&mut conn, rows).await?;
    page_response(&req, &Paginated::new(items, query.page, total))
}

async fn with_predecessors(
    conn: &mut AsyncPgConnection,
    rows: Vec<Province>,
) -> Result<Vec<ProvinceResponse>, ApiError> {
    let codes: Vec<String> = rows.iter().map(|p| p.code.clone()).collect();
    let mut by_code: HashMap<String, Vec<String>> = HashMap::new();
    for Predecessor {
        province_code,
        name_vi,
        ..
    } in province_db::predecessors(conn, &codes).await?
    {
        by_code.entry(province_code).or_default().push(name_vi);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let preds = by_code.remove(&row.code).unwrap_or_default();
            ProvinceResponse::new(row, preds)
        })
        .collect())
}

/// The province `raw` names (a code, a current name or a 2025 predecessor's name), or 404.
pub async fn resolve(conn: &mut AsyncPgConnection, raw: &str) -> Result<Province, ApiError> {
    let not_found = || {
        ApiError::new(
            ProblemCode::ProvinceNotFound,
            format!(
                "No province is named {raw:?}: use a code such as HCM, a name such as \"Thành phố Hồ Chí Minh\", \
                 or the name of a province merged in 2025 such as \"Bình Dương\" (see /api/v1/provinces)."
            ),
        )
    };
    let code = province_db::resolve(conn, raw)
        .await?
        .ok_or_else(not_found)?;
    province_db::find(conn, &code).await?.ok_or_else(not_found)
}

/// Gets one province. `{code}` may be its code (any case), its name or the name of a province
/// it absorbed in 2025, with or without diacritics: `Bình Dương`, `binh duong` and `HCM` all give
/// Thành phố Hồ Chí Minh, whose canonical URL `Content-Location` names.
#[utoipa::path(
    tag = "provinces",
    params(("code" = String, Path, description = "A province code (any case), a current name, or a 2025 predecessor's name", example = "HCM")),
    responses(
        (status = 200, description = "The province.", body = ProvinceResponse,
         headers(("ETag" = String, description = "Tag of this representation"),
                 ("Content-Location" = String, description = "The province's canonical URL"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        GetErrors,
    )
)]
#[get("/provinces/{code}")]
pub async fn get_province(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = resolve(&mut conn, &code).await?;
    let location = format!("/api/v1/provinces/{}", row.code);
    let body = with_predecessors(&mut conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("a province vanished"))?;
    let mut response = json_with_etag(&req, &body)?;
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response
            .headers_mut()
            .insert(header::CONTENT_LOCATION, value);
    }
    Ok(response)
}
