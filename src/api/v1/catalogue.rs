//! Views over the whole selection of platforms: facet counts, registry statistics and the CSV
//! export for spreadsheets.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::platforms::{PlatformFilterParams, Selection};
use crate::api::ListErrors;
use crate::api::export::{self, Cell, Column, Sheet};
use crate::api::query::{Filters, FiltersWith};
use crate::api::representation::json_with_etag;
use crate::api::state::AppState;
use crate::db::platforms::{self as platform_db, Platform};
use crate::db::{lists as list_db, ministries as ministry_db};
use crate::domain::{MinistryStatus, PlatformStatus, Vocabulary};
use crate::error::{ApiError, ProblemCode};
use crate::registry::search::{DocumentCache, search};
use crate::views::platforms::PlatformResponse;

/// Every platform of a selection, in list order (relevance with `q`, else code), or the
/// export's problem when there are more than `limit`. Without `q` the selection is counted
/// first, so an over-limit export reads no row; the batches also stop one row past the limit,
/// should rows have been added since the count.
async fn select_all(
    conn: &mut AsyncPgConnection,
    docs: &DocumentCache,
    selection: &Selection,
    limit: usize,
) -> Result<Vec<Platform>, ApiError> {
    if let Some((q, folded)) = &selection.search {
        let found: Vec<Platform> = search(conn, docs, &selection.filter, q, folded)
            .await?
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        return within_export_limit(found.len(), limit).map(|()| found);
    }
    let total = platform_db::count(conn, &selection.filter).await?;
    within_export_limit(usize::try_from(total).unwrap_or(usize::MAX), limit)?;
    let mut all = Vec::with_capacity(usize::try_from(total).unwrap_or(0).min(limit));
    let mut after: Option<String> = None;
    loop {
        let batch = platform_db::batch(conn, &selection.filter, after.as_deref(), 1000).await?;
        let done = batch.len() < 1000;
        after = batch.last().map(|p| p.code.clone());
        all.extend(batch);
        if all.len() > limit {
            return within_export_limit(all.len(), limit).map(|()| all);
        }
        if done {
            return Ok(all);
        }
    }
}

/// The `export_too_large` problem when `rows` is more than an export may hold.
fn within_export_limit(rows: usize, limit: usize) -> Result<(), ApiError> {
    if rows <= limit {
        return Ok(());
    }
    Err(ApiError::new(
        ProblemCode::ExportTooLarge,
        format!(
            "The selection has {rows} platforms, more than the {limit} an export may hold; narrow it with filters (ministry, domain, status, updated_since, q)."
        ),
    ))
}

/// One value of a facet and how many platforms of the selection have it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    /// The value; `null` counts the platforms with no value in a multi-valued facet.
    #[schema(example = "tax")]
    pub value: Option<String>,
    /// How many platforms of the selection have it.
    #[schema(example = 4)]
    pub count: i64,
}

/// Counts per value of each filterable field, for the same selection as the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Facets {
    /// How many platforms the selection has (the list's `total`).
    #[schema(example = 79)]
    pub total: i64,
    /// Per owning agency. Sums to `total`.
    pub ministry: Vec<FacetCount>,
    /// Per domain. A platform counts once per domain it serves, and under `null` when it has none.
    pub domain: Vec<FacetCount>,
    /// Per audience. A platform counts once per audience, and under `null` when it has none.
    pub audience: Vec<FacetCount>,
    /// Per lifecycle status. Sums to `total`.
    pub status: Vec<FacetCount>,
    /// Per NDXP connection status. Sums to `total`.
    pub ndxp_status: Vec<FacetCount>,
}

fn counted(counts: BTreeMap<Option<String>, i64>) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out
}

/// The page parameters do not apply to facets; the filter parameters are the list's.
#[utoipa::path(
    tag = "platforms",
    params(PlatformFilterParams),
    responses(
        (status = 200, description = "Counts per value, most frequent first.", body = Facets,
         headers(("ETag" = String, description = "Tag of this representation"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        ListErrors,
    )
)]
#[get("/platforms/facets")]
pub async fn platform_facets(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Filters<PlatformFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let _turn = if query.0.is_search() {
        Some(state.search_turn().await?)
    } else {
        None
    };
    let mut conn = state.pool.get().await?;
    let selection = Selection::parse(&mut conn, &query.0).await?;
    // Without `q` the database counts; a search is scored here, so its matches are counted here.
    let rows = match &selection.search {
        None => platform_db::facet_counts(&mut conn, &selection.filter).await?,
        Some(_) => {
            let mut rows = platform_db::FacetRows::default();
            // Only the search's matches: no export limit applies.
            for p in select_all(&mut conn, &state.documents, &selection, usize::MAX).await? {
                rows.ministry.push((p.ministry_code, 1));
                rows.status.push((p.status, 1));
                rows.ndxp_status.push((p.ndxp_status, 1));
                rows.domains.push((p.domains, 1));
                rows.audiences.push((p.audiences, 1));
            }
            rows
        }
    };
    let single = |counted: Vec<(String, i64)>| {
        let mut counts = BTreeMap::new();
        for (value, n) in counted {
            *counts.entry(Some(value)).or_insert(0) += n;
        }
        counts
    };
    let multi = |counted: Vec<(Vec<String>, i64)>| {
        let mut counts = BTreeMap::new();
        for (values, n) in counted {
            if values.is_empty() {
                *counts.entry(None).or_insert(0) += n;
            }
            for value in values {
                *counts.entry(Some(value)).or_insert(0) += n;
            }
        }
        counts
    };
    let total = rows.ministry.iter().map(|(_, n)| n).sum();
    let (ministry, status, ndxp) = (
        single(rows.ministry),
        single(rows.status),
        single(rows.ndxp_status),
    );
    let (domain, audience) = (multi(rows.domains), multi(rows.audiences));
    let facets = Facets {
        total,
        ministry: counted(ministry),
        domain: counted(domain),
        audience: counted(audience),
        status: counted(status),
        ndxp_status: counted(ndxp),
    };
    json_with_etag(&req, &facets)
}

/// An agency's share of the registry.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinistryStats {
    /// The agency's code.
    #[schema(example = "BTC")]
    pub code: String,
    /// Its Vietnamese name.
    pub name_vi: String,
    /// `active`, `merged` or `dissolved`.
    pub status: String,
    /// Platforms it owns, retired ones excluded.
    #[schema(example = 12)]
    pub platform_count: i64,
    /// How many of them list at least one contact channel.
    pub with_contacts: i64,
}

/// An official edition's declared count next to what the registry holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListStats {
    /// The edition's key.
    #[schema(example = "cv-2765-2024")]
    pub key: String,
    /// The document.
    pub document: String,
    /// How many platforms the document declares.
    pub declared_total: Option<i32>,
    /// How many of them the registry has entered.
    pub registered_count: i64,
}

/// Totals for the registry as a whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformTotals {
    /// Every platform, retired ones included.
    #[schema(example = 79)]
    pub total: i64,
    /// Platforms not retired.
    pub active: i64,
    /// Per lifecycle status.
    pub by_status: BTreeMap<String, i64>,
    /// Active platforms with at least one contact channel.
    pub with_contacts: i64,
    /// `with_contacts / active`: how many platforms say whom to call.
    #[schema(example = 0.013)]
    pub contact_coverage: f64,
}

/// Statistics of the registry.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    /// Platform totals.
    pub platforms: PlatformTotals,
    /// Every agency, including those with no platform registered.
    pub ministries: Vec<MinistryStats>,
    /// Active agencies with no platform registered: those that "have not published".
    #[schema(example = json!(["BNG", "NHNN"]))]
    pub ministries_without_platforms: Vec<String>,
    /// Each official edition: declared against registered.
    pub lists: Vec<ListStats>,
    /// The provinces' use of the platforms, and the purchases that went ahead despite a
    /// `likely_duplicate` answer.
    pub adoption: super::adoptions::AdoptionStats,
}

/// Statistics: totals, per agency (including those with none), per edition, contact coverage,
/// and the national picture of adoption: per platform the provinces by adoption status, per
/// province its platforms in use, and the last 12 months' checks answered `likely_duplicate`
/// that the province decided to `proceed` with anyway, with their justifications.
#[utoipa::path(
    tag = "platforms",
    responses(
        (status = 200, description = "The statistics.", body = Stats,
         headers(("ETag" = String, description = "Tag of this representation"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        (status = 429, description = "Too many requests without a bearer token from this address (`ANONYMOUS_REQUESTS_PER_MINUTE`); retry after the `Retry-After` delay, in seconds.",
         body = crate::error::Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds until this address may ask again."))),
        (status = 503, description = "The database did not answer in time.", body = crate::error::Problem,
         content_type = "application/problem+json"),
    )
)]
#[get("/stats")]
pub async fn stats(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let mut by_status = BTreeMap::new();
    let mut per_ministry: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let (mut total, mut active, mut with_contacts) = (0, 0, 0);
    for row in platform_db::counts_by_owner_and_status(&mut conn).await? {
        *by_status.entry(row.status.clone()).or_insert(0) += row.platforms;
        total += row.platforms;
        if row.status != PlatformStatus::Retired.as_str() {
            let entry = per_ministry.entry(row.ministry).or_default();
            entry.0 += row.platforms;
            entry.1 += row.with_contacts;
            active += row.platforms;
            with_contacts += row.with_contacts;
        }
    }
    let (agencies, _) = ministry_db::list(&mut conn, &Default::default(), 10_000, 0).await?;
    let ministries: Vec<MinistryStats> = agencies
        .into_iter()
        .map(|m| {
            let (platform_count, with_contacts) =
                per_ministry.get(&m.code).copied().unwrap_or_default();
            MinistryStats {
                code: m.code,
                name_vi: m.name_vi,
                status: m.status,
                platform_count,
                with_contacts,
            }
        })
        .collect();
    let ministries_without_platforms = ministries
        .iter()
        .filter(|m| m.status == MinistryStatus::Active.as_str() && m.platform_count == 0)
        .map(|m| m.code.clone())
        .collect();
    let (editions, _) = list_db::list(&mut conn, 1000, 0).await?;
    let keys: Vec<String> = editions.iter().map(|e| e.key.clone()).collect();
    let counts: BTreeMap<String, i64> = list_db::member_counts(&mut conn, &keys)
        .await?
        .into_iter()
        .collect();
    let lists = editions
        .into_iter()
        .map(|e| ListStats {
            registered_count: counts.get(&e.key).copied().unwrap_or(0),
            key: e.key,
            document: e.document,
            declared_total: e.declared_total,
        })
        .collect();
    let body = Stats {
        platforms: PlatformTotals {
            total,
            active,
            by_status,
            with_contacts,
            contact_coverage: if active == 0 {
                0.0
            } else {
                (with_contacts as f64 / active as f64 * 1000.0).round() / 1000.0
            },
        },
        ministries,
        ministries_without_platforms,
        lists,
        adoption: super::adoptions::adoption_stats(&mut conn).await?,
    };
    json_with_etag(&req, &body)
}

/// The spreadsheet formats of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// RFC 4180 CSV: UTF-8 with a byte-order mark, CRLF line ends, a header row.
    Csv,
    /// An Excel workbook: a bold, frozen header row, column widths, dates as dates.
    Xlsx,
}

/// The format parameter of an export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `xlsx`. Without it, `Accept` decides (the workbook's media type gives a
    /// workbook), and CSV is the default.
    #[param(inline)]
    format: Option<ExportFormat>,
}

/// The spreadsheet a request asks for: `format`, else the first spreadsheet type in `Accept`,
/// else CSV.
fn wanted_sheet(req: &HttpRequest, format: Option<ExportFormat>) -> Sheet {
    match format {
        Some(ExportFormat::Csv) => Sheet::Csv,
        Some(ExportFormat::Xlsx) => Sheet::Xlsx,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .and_then(|accept| {
                accept.split(',').find_map(|t| {
                    let t = t.trim();
                    if t.starts_with("text/csv") {
                        Some(Sheet::Csv)
                    } else if t.starts_with(export::XLSX_MEDIA_TYPE) {
                        Some(Sheet::Xlsx)
                    } else {
                        None
                    }
                })
            })
            .unwrap_or(Sheet::Csv),
    }
}

/// The export columns, stable: scripts and spreadsheets rely on their names and order. A new
/// field is one line here, and appears in the CSV and in the workbook.
pub const PLATFORM_COLUMNS: &[Column<PlatformResponse>] = &[
    Column::new("code", 34.0, |p| Cell::text(&p.code)),
    Column::new("name_vi", 60.0, |p| Cell::text(&p.name_vi)),
    Column::new("name_en", 50.0, |p| Cell::text(&p.name_en)),
    Column::new("short_name", 16.0, |p| Cell::optional(&p.short_name)),
    Column::new("ministry", 10.0, |p| Cell::text(&p.ministry)),
    Column::new("operator", 40.0, |p| Cell::optional(&p.operator)),
    Column::new("domains", 24.0, |p| {
        Cell::joined(p.domains.iter().map(|d| d.as_str()))
    }),
    Column::new("audiences", 24.0, |p| {
        Cell::joined(p.audiences.iter().map(|a| a.as_str()))
    }),
    Column::new("status", 14.0, |p| Cell::text(p.status.as_str())),
    Column::new("ndxp_status", 14.0, |p| Cell::text(p.ndxp_status.as_str())),
    Column::new("url", 40.0, |p| Cell::optional(&p.url)),
    Column::new("legal_basis_number", 24.0, |p| {
        Cell::text(p.legal_basis.as_ref().map_or("", |l| l.number.as_str()))
    }),
    Column::new("legal_basis_date", 14.0, |p| {
        Cell::Date(p.legal_basis.as_ref().and_then(|l| l.date))
    }),
    Column::new("lists", 24.0, |p| {
        Cell::joined(p.lists.iter().map(String::as_str))
    }),
    Column::new("contacts", 60.0, contacts_cell),
    Column::new("confidence", 12.0, |p| Cell::text(p.confidence.as_str())),
    Column::new("source", 40.0, |p| Cell::optional(&p.source)),
    Column::new("version", 8.0, |p| Cell::Integer(i64::from(p.version))),
    Column::new("updated_at", 20.0, |p| Cell::Instant(p.updated_at)),
    // The profile, added after the columns scripts already rely on.
    Column::new("capabilities", 60.0, |p| {
        Cell::joined(p.profile.capabilities.iter().map(String::as_str))
    }),
    Column::new("aliases", 30.0, |p| {
        Cell::joined(p.profile.aliases.iter().map(String::as_str))
    }),
    Column::new("province_action", 14.0, |p| {
        Cell::text(p.profile.province_action.map_or("", |a| a.as_str()))
    }),
];

/// Each contact as `role: name (phone, email, url)`, separated by ` | `.
fn contacts_cell(p: &PlatformResponse) -> Cell {
    let contacts: Vec<String> = p
        .contacts
        .iter()
        .map(|c| {
            let channels: Vec<&str> = [c.phone.as_deref(), c.email.as_deref(), c.url.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            format!("{}: {} ({})", c.role.as_str(), c.name, channels.join(", "))
        })
        .collect();
    Cell::Text(contacts.join(" | "))
}

/// Every platform that the filters select, as one spreadsheet (no pagination), in list order.
///
/// The rows are read first, as one snapshot of at most `EXPORT_MAX_ROWS` platforms, and the
/// database connection is released before the first byte is sent: a client that reads slowly,
/// or stops reading, holds no connection that other requests need. Cells that a spreadsheet would
/// run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) get a leading
/// apostrophe in the CSV, as OWASP recommends; the workbook holds them as plain text.
#[utoipa::path(
    tag = "platforms",
    params(PlatformFilterParams, ExportParams),
    responses(
        (status = 200, description = "The spreadsheet, as an attachment.",
         content(
             (String = "text/csv", example = "\u{FEFF}code,name_vi,name_en,...\r\nvneid,Nền tảng định danh và xác thực điện tử,...\r\n"),
             (export::WorkbookBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
         ),
         headers(("Content-Disposition" = String, description = "`attachment; filename=\"ndp-platforms.csv\"` (or `.xlsx`)"),
                 ("Vary" = String, description = "`Accept`: without `format`, `Accept` picks the format"))),
        ListErrors,
    )
)]
#[get("/platforms/export")]
pub async fn export_platforms(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: FiltersWith<PlatformFilterParams, ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let FiltersWith(filter, ExportParams { format }) = query;
    let format = wanted_sheet(&req, format);
    let _turn = if filter.is_search() {
        Some(state.search_turn().await?)
    } else {
        None
    };
    let platforms = {
        let mut conn = state.pool.get().await?;
        let selection = Selection::parse(&mut conn, &filter).await?;
        let rows = select_all(
            &mut conn,
            &state.documents,
            &selection,
            state.export_max_rows,
        )
        .await?;
        crate::views::platforms::platform_responses(&mut conn, rows).await?
    };
    let bytes =
        web::block(move || export::render(format, "platforms", PLATFORM_COLUMNS, &platforms))
            .await
            .map_err(ApiError::internal)??;
    Ok(export::download(format, "ndp-platforms", bytes))
}
