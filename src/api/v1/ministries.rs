//! `GET /api/v1/ministries` and `GET /api/v1/ministries/{code}`.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::query::{ListQuery, PageParams};
use crate::api::representation::{Paginated, json_with_etag, page_response};
use crate::api::{GetErrors, ListErrors};
use crate::db::ministries::{self as db, Ministry, MinistryFilter};
use crate::domain::{MinistryCode, MinistryKind, MinistryStatus, Vocabulary};
use crate::error::ApiError;
use crate::startup::AppState;

/// A ministry, ministry-level agency or government agency that owns platforms.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinistryResponse {
    /// The URL-safe ASCII code, the key (`BKHDT`).
    #[schema(example = "BTC")]
    pub code: String,
    /// The Vietnamese abbreviation (`BKHĐT`).
    #[schema(example = "BTC")]
    pub code_vi: String,
    /// The Vietnamese name.
    #[schema(example = "Bộ Tài chính")]
    pub name_vi: String,
    /// The English name.
    #[schema(example = "Ministry of Finance")]
    pub name_en: String,
    /// The English abbreviation, where there is one.
    #[schema(example = "MOF")]
    pub abbr_en: Option<String>,
    /// The kind of agency.
    pub kind: MinistryKind,
    /// The electronic agency ID of Decision 20/2020/QĐ-TTg, where known.
    #[schema(example = "000.00.00.G12")]
    pub agency_id: Option<String>,
    /// How well the agency ID is attested (`weak`: seen in public integration code only).
    #[schema(example = "weak")]
    pub agency_id_confidence: Option<String>,
    /// Whether the agency is active, merged into a successor or dissolved.
    pub status: MinistryStatus,
    /// The agency that took over, for a merged or dissolved one.
    #[schema(example = json!(null))]
    pub successor: Option<String>,
    /// The date the succession took effect.
    #[schema(example = json!(null))]
    pub succeeded_on: Option<NaiveDate>,
    /// The agencies this one succeeded (`BKHDT` and `BHXH` for `BTC`).
    #[schema(example = json!(["BHXH", "BKHDT", "CMSC"]))]
    pub predecessors: Vec<String>,
    /// A short note on the agency's reorganisation.
    pub notes: Option<String>,
    /// How many platforms it currently owns (retired ones excluded).
    #[schema(example = 12)]
    pub platform_count: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl MinistryResponse {
    fn new(row: Ministry, platform_count: i64, predecessors: Vec<String>) -> Self {
        Self {
            kind: MinistryKind::parse(&row.kind).unwrap_or(MinistryKind::Ministry),
            status: MinistryStatus::parse(&row.status).unwrap_or(MinistryStatus::Active),
            code: row.code,
            code_vi: row.code_vi,
            name_vi: row.name_vi,
            name_en: row.name_en,
            abbr_en: row.abbr_en,
            agency_id: row.agency_id,
            agency_id_confidence: row.agency_id_confidence,
            successor: row.successor_code,
            succeeded_on: row.succeeded_on,
            predecessors,
            notes: row.notes,
            platform_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

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
        db::list(&mut conn, &filter, query.page.limit(), query.page.offset()).await?;
    let codes: Vec<String> = rows.iter().map(|m| m.code.clone()).collect();
    let counts: HashMap<String, i64> = db::platform_counts(&mut conn, &codes)
        .await?
        .into_iter()
        .collect();
    let mut predecessors: HashMap<String, Vec<String>> = HashMap::new();
    for (code, successor) in db::successions(&mut conn, &codes).await? {
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
    let row = db::find(&mut conn, code.as_str())
        .await?
        .ok_or_else(not_found)?;
    json_with_etag(&req, &ministry_response(&mut conn, row).await?)
}

/// The wire form of one agency, with its platform count and predecessors.
pub async fn ministry_response(
    conn: &mut AsyncPgConnection,
    row: Ministry,
) -> Result<MinistryResponse, ApiError> {
    let code = std::slice::from_ref(&row.code);
    let count = db::platform_counts(conn, code)
        .await?
        .first()
        .map_or(0, |c| c.1);
    let preds = db::successions(conn, code)
        .await?
        .into_iter()
        .map(|p| p.0)
        .collect();
    Ok(MinistryResponse::new(row, count, preds))
}
