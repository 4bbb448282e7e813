//! `GET /api/v1/ministries` and `GET /api/v1/ministries/{code}`.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::query::{ListQuery, PageParams};
use crate::api::representation::{Paginated, json_with_etag, page_response};
use crate::api::state::AppState;
use crate::api::{GetErrors, ListErrors};
use crate::db::ministries::{self as ministry_db, MinistryFilter};
use crate::domain::{MinistryCode, MinistryKind, MinistryStatus, Vocabulary};
use crate::error::ApiError;
use crate::views::ministries::{MinistryResponse, ministry_response};

/// Filters of the ministry list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MinistryFilterParams {
    /// Only agencies of this kind.
    kind: Option<MinistryKind>,
    /// Only active, merged or dissolved agencies.
    status: Option<MinistryStatus>,
}

/// Lists ministries and agencies with their platform counts and successions.
#[utoipa::path(
    tag = "ministries",
    params(PageParams, MinistryFilterParams),
    responses(
        (status = 200, description = "A page of agencies, by code. `Link` has first, prev, next and last.",
         body = Paginated<MinistryResponse>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        ListErrors,
    )
)]
#[get("/ministries")]
pub async fn list_ministries(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<MinistryFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = MinistryFilter {
        kind: query.filter.kind.map(|k| k.as_str().to_owned()),
        status: query.filter.status.map(|s| s.as_str().to_owned()),
    };
    let mut conn = state.pool.get().await?;
    let (rows, total) =
        ministry_db::list(&mut conn, &filter, query.page.limit(), query.page.offset()).await?;
    let codes: Vec<String> = rows.iter().map(|m| m.code.clone()).collect();
    let counts: HashMap<String, i64> = ministry_db::platform_counts(&mut conn, &codes)
        .await?
        .into_iter()
        .collect();
    let mut predecessors: HashMap<String, Vec<String>> = HashMap::new();
    for (code, successor) in ministry_db::successions(&mut conn, &codes).await? {
        predecessors.entry(successor).or_default().push(code);
    }
    let items = rows
        .into_iter()
        .map(|row| {
            let count = counts.get(&row.code).copied().unwrap_or(0);
            let preds = predecessors.remove(&row.code).unwrap_or_default();
            MinistryResponse::new(row, count, preds)
        })
        .collect();
    page_response(&req, &Paginated::new(items, query.page, total))
}

/// Gets one agency by code (case-insensitive): a merged one says where it went and when.
#[utoipa::path(
    tag = "ministries",
    params(("code" = String, Path, description = "The agency's ASCII code, any case", example = "BKHDT")),
    responses(
        (status = 200, description = "The agency.", body = MinistryResponse,
         headers(("ETag" = String, description = "Tag of this representation"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        GetErrors,
    )
)]
#[get("/ministries/{code}")]
pub async fn get_ministry(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || {
        ApiError::not_found(format!(
            "No ministry or agency has the code {:?}.",
            code.as_str()
        ))
    };
    let code = MinistryCode::parse(&code).map_err(|_| not_found())?;
    let mut conn = state.pool.get().await?;
    let row = ministry_db::find(&mut conn, code.as_str())
        .await?
        .ok_or_else(not_found)?;
    json_with_etag(&req, &ministry_response(&mut conn, row).await?)
}
