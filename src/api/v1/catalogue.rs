//! Views over the whole selection of platforms: facet counts, registry statistics and the CSV
//! export for spreadsheets.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::platforms::{PlatformFilterParams, Selection};
use super::search::{DocumentCache, search};
use crate::api::ListErrors;
use crate::api::query::Filters;
use crate::api::representation::json_with_etag;
use crate::db::platforms::{self as db, Platform};
use crate::db::{lists as list_db, ministries as ministry_db};
use crate::domain::Vocabulary;
use crate::error::ApiError;
use crate::startup::AppState;

/// Every platform of a selection, in list order (relevance with `q`, else code).
async fn select_all(
    conn: &mut AsyncPgConnection,
    docs: &DocumentCache,
    selection: &Selection,
) -> Result<Vec<Platform>, ApiError> {
    if let Some((q, folded)) = &selection.search {
        return Ok(search(conn, docs, &selection.filter, q, folded)
            .await?
            .into_iter()
            .map(|(p, _)| p)
            .collect());
    }
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let batch = db::batch(conn, &selection.filter, after.as_deref(), 1000).await?;
        let done = batch.len() < 1000;
        after = batch.last().map(|p| p.code.clone());
        all.extend(batch);
        if done {
            return Ok(all);
        }
    }
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
    let mut conn = state.pool.get().await?;
    let selection = Selection::parse(&mut conn, &query.0).await?;
    // Without `q` the database counts; a search is scored here, so its matches are counted here.
    let rows = match &selection.search {
        None => db::facet_counts(&mut conn, &selection.filter).await?,
        Some(_) => {
            let mut rows = db::FacetRows::default();
            for p in select_all(&mut conn, &state.documents, &selection).await? {
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
}

/// Statistics: totals, per agency (including those with none), per edition, contact coverage.
#[utoipa::path(
    tag = "platforms",
    responses(
        (status = 200, description = "The statistics.", body = Stats,
         headers(("ETag" = String, description = "Tag of this representation"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
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
    for row in db::counts_by_owner_and_status(&mut conn).await? {
        *by_status.entry(row.status.clone()).or_insert(0) += row.platforms;
        total += row.platforms;
        if row.status != "retired" {
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
        .filter(|m| m.status == "active" && m.platform_count == 0)
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
    };
    json_with_etag(&req, &body)
}

/// The representation a client asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON pages (the default).
    #[default]
    Json,
    /// Every matching platform as one CSV file (UTF-8 with a byte-order mark); `page` and
    /// `per_page` do not apply.
    Csv,
}

/// The format parameter of the platform list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParam {
    /// `csv` for a spreadsheet export of every matching platform (same as `Accept: text/csv`).
    pub format: Option<Format>,
}

/// Whether the request asks for CSV, by `format=csv` or by `Accept: text/csv`.
pub fn wants_csv(req: &HttpRequest, format: Option<Format>) -> bool {
    match format {
        Some(f) => f == Format::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.split(',').any(|t| t.trim().starts_with("text/csv"))),
    }
}

/// The CSV columns, stable: scripts and spreadsheets rely on their names and order.
pub const CSV_COLUMNS: [&str; 19] = [
    "code",
    "name_vi",
    "name_en",
    "short_name",
    "ministry",
    "operator",
    "domains",
    "audiences",
    "status",
    "ndxp_status",
    "url",
    "legal_basis_number",
    "legal_basis_date",
    "lists",
    "contacts",
    "confidence",
    "source",
    "version",
    "updated_at",
];

/// How many platforms each streamed chunk of the export holds.
const EXPORT_BATCH: usize = 500;

async fn csv_chunk(conn: &mut AsyncPgConnection, rows: Vec<Platform>) -> Result<Bytes, ApiError> {
    let responses = super::platforms::platform_responses(conn, rows).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::internal(e);
    for p in responses {
        let contacts: Vec<String> = p
            .contacts
            .iter()
            .map(|c| {
                let channels: Vec<&str> =
                    [c.phone.as_deref(), c.email.as_deref(), c.url.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect();
                format!("{}: {} ({})", c.role.as_str(), c.name, channels.join(", "))
            })
            .collect();
        let join = |values: Vec<&str>| values.join(";");
        writer
            .write_record([
                p.code.as_str(),
                &p.name_vi,
                &p.name_en,
                p.short_name.as_deref().unwrap_or_default(),
                &p.ministry,
                p.operator.as_deref().unwrap_or_default(),
                &join(p.domains.iter().map(|d| d.as_str()).collect()),
                &join(p.audiences.iter().map(|a| a.as_str()).collect()),
                p.status.as_str(),
                p.ndxp_status.as_str(),
                p.url.as_deref().unwrap_or_default(),
                p.legal_basis
                    .as_ref()
                    .map(|l| l.number.as_str())
                    .unwrap_or_default(),
                &p.legal_basis
                    .as_ref()
                    .and_then(|l| l.date)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                &p.lists.join(";"),
                &contacts.join(" | "),
                p.confidence.as_str(),
                p.source.as_deref().unwrap_or_default(),
                &p.version.to_string(),
                &p.updated_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ])
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// Streams every platform of the selection as CSV: a header row, then chunks of rows read from
/// the database a batch at a time, so memory stays flat however large the registry is.
pub async fn export_csv(
    state: web::Data<AppState>,
    selection: Selection,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    // A search answers at most a few hundred platforms, ranked: take them at once. A plain
    // selection is read by code, batch after batch.
    let ranked = match &selection.search {
        Some((q, folded)) => Some(
            search(&mut conn, &state.documents, &selection.filter, q, folded)
                .await?
                .into_iter()
                .map(|(p, _)| p)
                .collect::<Vec<_>>(),
        ),
        None => None,
    };
    let mut head = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    head.write_record(CSV_COLUMNS).map_err(ApiError::internal)?;
    // The byte-order mark makes Excel read the file as UTF-8 and show Vietnamese correctly.
    let head = Bytes::from(
        head.into_inner()
            .map_err(|e| ApiError::internal(e.to_string()))?,
    );
    struct Cursor {
        conn: crate::db::DbConn,
        filter: db::PlatformFilter,
        ranked: Option<std::vec::IntoIter<Platform>>,
        after: Option<String>,
        done: bool,
    }
    let cursor = Cursor {
        conn,
        filter: selection.filter,
        ranked: ranked.map(Vec::into_iter),
        after: None,
        done: false,
    };
    let rows = futures_util::stream::unfold(cursor, |mut cursor| async move {
        if cursor.done {
            return None;
        }
        let batch: Result<Vec<Platform>, ApiError> = match &mut cursor.ranked {
            Some(ranked) => Ok(ranked.by_ref().take(EXPORT_BATCH).collect()),
            None => db::batch(
                &mut cursor.conn,
                &cursor.filter,
                cursor.after.as_deref(),
                EXPORT_BATCH as i64,
            )
            .await
            .map_err(ApiError::from),
        };
        let batch = match batch {
            Ok(batch) => batch,
            Err(error) => {
                cursor.done = true;
                return Some((Err(actix_web::Error::from(error)), cursor));
            }
        };
        if batch.is_empty() {
            return None;
        }
        cursor.done = batch.len() < EXPORT_BATCH;
        cursor.after = batch.last().map(|p| p.code.clone());
        let chunk = csv_chunk(&mut cursor.conn, batch)
            .await
            .map_err(actix_web::Error::from);
        Some((chunk, cursor))
    });
    let head = futures_util::stream::once(async move { Ok::<Bytes, actix_web::Error>(head) });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"ndp-platforms.csv\"",
        ))
        .streaming(futures_util::StreamExt::chain(head, rows)))
}
