//! Adoption records: which province uses which national platform, since when, and what it replaced.
//! A province token writes its own province's records with `PUT`; everyone reads them, per
//! province, per platform, filtered, or as a province × platform CSV matrix.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contacts::NoFilter;
use super::provinces::resolve as resolve_province;
use crate::api::body::JsonBody;
use crate::api::extract::MaybeActor;
use crate::api::query::{Filters, ListQuery, PageParams};
use crate::api::representation::history_page;
use crate::api::representation::{Paginated, json_with_etag, page_response};
use crate::api::state::AppState;
use crate::api::write::{Answer, check_if_match, if_match, render};
use crate::api::{GetErrors, ListErrors, SubListErrors, WriteErrors};
use crate::auth::Actor;
use crate::db::adoptions::{self as adoption_db, AdoptionFilter, AdoptionView};
use crate::db::platforms::{self as platform_db, Platform};
use crate::db::{decisions as decision_db, history, provinces as province_db};
use crate::domain::{AdoptionStatus, PlatformCode, Scope, Vocabulary};
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::registry::adoptions::{self, AdoptionInput};
use crate::views::adoptions::AdoptionResponse;
use crate::views::history::HistoryEntry;

/// The id of the platform `code` names; `None` for a code no platform can have (a NUL, upper
/// case...), which is never sent to the database.
async fn find_platform_id(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> Result<Option<i64>, ApiError> {
    match PlatformCode::parse(code) {
        Ok(code) => Ok(platform_db::find_id(conn, code.as_str()).await?),
        Err(_) => Ok(None),
    }
}

fn platform_not_found(code: &str) -> ApiError {
    ApiError::not_found(format!("No platform has the code {code:?}."))
}

/// The current record of `province` for `platform`, locked for a write, after checking
/// `If-Match` against it (a precondition on a record that does not exist fails).
async fn lock_for_write(
    conn: &mut AsyncPgConnection,
    province: &str,
    platform: &Platform,
    precondition: Option<&str>,
) -> Result<Option<AdoptionView>, ApiError> {
    let current = adoptions::lock_current(conn, province, platform).await?;
    match (&current, precondition) {
        (Some(view), Some(tag)) => {
            let rendered = render(&AdoptionResponse::from(view.clone()))?;
            check_if_match(Some(tag), &rendered.etag)?;
        }
        (None, Some(_)) => {
            return Err(ApiError::new(
                ProblemCode::PreconditionFailed,
                format!(
                    "{province} has no adoption record for {} yet, so no ETag can match; send the PUT without If-Match to create it.",
                    platform.code
                ),
            ));
        }
        (_, None) => {}
    }
    Ok(current)
}

/// Records what a province does with a national platform (province token of that province, or
/// operator). Creates the record (201) or replaces it (200); a replacement that changes nothing
/// keeps its version. Each change enters the record's history, the change feed and the webhooks.
///
/// `{code}` may be a province code, name or 2025 predecessor's name: `Bình Dương` writes the
/// record of Thành phố Hồ Chí Minh.
#[utoipa::path(
    tag = "provinces",
    security(("bearer" = ["adoptions:write"])),
    request_body(content = AdoptionInput, content_type = "application/json"),
    params(
        ("code" = String, Path, description = "The province: code, name or 2025 predecessor's name", example = "HCM"),
        ("platform" = String, Path, description = "The platform's code", example = "vneid"),
        crate::api::IfMatch,
    ),
    responses(
        (status = 200, description = "The record, replaced.", body = AdoptionResponse,
         headers(("ETag" = String, description = "Tag of the new representation"))),
        (status = 201, description = "The record, created. `Location` names it.", body = AdoptionResponse,
         headers(("ETag" = String, description = "Tag of the representation"),
                 ("Location" = String, description = "The record's canonical URL"))),
        WriteErrors,
    )
)]
#[put("/provinces/{code}/adoptions/{platform}")]
pub async fn put_adoption(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require(Scope::AdoptionsWrite)?;
    let (raw_province, code) = path.into_inner();
    let precondition = if_match(&req);
    let answer = crate::api::write::transaction(&state, &actor, async |conn| {
        let province = resolve_province(conn, &raw_province).await?.code;
        actor.require_province(&province)?;
        let platform = platform_db::find(conn, &code)
            .await?
            .ok_or_else(|| platform_not_found(&code))?;
        let current = lock_for_write(conn, &province, &platform, precondition.as_deref()).await?;
        let valid = body.parse_valid(AdoptionInput::check)?;
        let (response, created) =
            adoptions::write(conn, &actor, current, &province, &platform, &valid).await?;
        if created {
            let location = format!(
                "/api/v1/provinces/{}/adoptions/{}",
                response.province, response.platform
            );
            Answer::json(StatusCode::CREATED, &response, Some(location))
        } else {
            Answer::json(StatusCode::OK, &response, None)
        }
    })
    .await?;
    Ok(answer.into_response())
}

/// Gets one province's record about one platform.
#[utoipa::path(
    tag = "provinces",
    params(
        ("code" = String, Path, description = "The province: code, name or 2025 predecessor's name", example = "HCM"),
        ("platform" = String, Path, description = "The platform's code", example = "vneid"),
    ),
    responses(
        (status = 200, description = "The record.", body = AdoptionResponse,
         headers(("ETag" = String, description = "Tag of this representation; send it in `If-None-Match` or `If-Match`"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        GetErrors,
    )
)]
#[get("/provinces/{code}/adoptions/{platform}")]
pub async fn get_adoption(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw_province, code) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let province = resolve_province(&mut conn, &raw_province).await?.code;
    let platform = platform_db::find(&mut conn, &code)
        .await?
        .ok_or_else(|| platform_not_found(&code))?;
    let view = adoption_db::find(&mut conn, &province, platform.id, false)
        .await?
        .ok_or_else(|| adoptions::not_found(&province, &platform.code))?;
    json_with_etag(&req, &AdoptionResponse::from(view))
}

/// Lists every change to one province's record about one platform, newest first: when, who
/// (the province and a pseudonym; operators also see the token's subject and id) and which
/// fields changed from what to what.
#[utoipa::path(
    tag = "provinces",
    params(
        ("code" = String, Path, description = "The province: code, name or 2025 predecessor's name", example = "HCM"),
        ("platform" = String, Path, description = "The platform's code", example = "vneid"),
        PageParams,
    ),
    responses(
        (status = 200, description = "A page of changes, newest first.", body = Paginated<HistoryEntry>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        SubListErrors,
    )
)]
#[get("/provinces/{code}/adoptions/{platform}/history")]
pub async fn adoption_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: ListQuery<NoFilter>,
    reader: MaybeActor,
) -> Result<HttpResponse, ApiError> {
    let (raw_province, code) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let province = resolve_province(&mut conn, &raw_province).await?.code;
    let platform = platform_db::find(&mut conn, &code)
        .await?
        .ok_or_else(|| platform_not_found(&code))?;
    let (rows, total) = history::for_entity(
        &mut conn,
        "adoption",
        &adoptions::key(&province, &platform.code),
        query.page.limit(),
        query.page.offset(),
    )
    .await?;
    if total == 0 {
        return Err(adoptions::not_found(&province, &platform.code));
    }
    let operator = reader.0.is_some_and(|actor| actor.is_operator());
    let items = rows
        .into_iter()
        .map(|c| HistoryEntry::new(c, &state.jwt, operator))
        .collect();
    history_page(&req, items, query.page, total)
}

/// Filters of a province's or a platform's records.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdoptionStatusParam {
    /// Only records with this status.
    status: Option<AdoptionStatus>,
}

async fn page_of(
    req: &HttpRequest,
    conn: &mut AsyncPgConnection,
    filter: &AdoptionFilter,
    page: crate::api::query::Page,
) -> Result<HttpResponse, ApiError> {
    let (rows, total) = adoption_db::list(conn, filter, page.limit(), page.offset()).await?;
    let items: Vec<AdoptionResponse> = rows.into_iter().map(AdoptionResponse::from).collect();
    page_response(req, &Paginated::new(items, page, total))
}

/// Lists one province's records, by platform code.
#[utoipa::path(
    tag = "provinces",
    params(
        ("code" = String, Path, description = "The province: code, name or 2025 predecessor's name", example = "HCM"),
        PageParams, AdoptionStatusParam,
    ),
    responses(
        (status = 200, description = "A page of records, by platform code.", body = Paginated<AdoptionResponse>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        SubListErrors,
    )
)]
#[get("/provinces/{code}/adoptions")]
pub async fn list_province_adoptions(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: ListQuery<AdoptionStatusParam>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let province = resolve_province(&mut conn, &code).await?.code;
    let filter = AdoptionFilter {
        province: Some(province),
        status: query.filter.status.map(|s| s.as_str().to_owned()),
        ..AdoptionFilter::default()
    };
    page_of(&req, &mut conn, &filter, query.page).await
}

/// Lists the provinces' records about one platform, by province code: who uses it, who is
/// connecting, who stopped.
#[utoipa::path(
    tag = "platforms",
    params(
        ("code" = String, Path, description = "The platform's code", example = "vneid"),
        PageParams, AdoptionStatusParam,
    ),
    responses(
        (status = 200, description = "A page of records, by province code.", body = Paginated<AdoptionResponse>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        SubListErrors,
    )
)]
#[get("/platforms/{code}/adoptions")]
pub async fn list_platform_adoptions(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: ListQuery<AdoptionStatusParam>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let platform = platform_db::find(&mut conn, &code)
        .await?
        .ok_or_else(|| platform_not_found(&code))?;
    let filter = AdoptionFilter {
        platform_id: Some(platform.id),
        status: query.filter.status.map(|s| s.as_str().to_owned()),
        ..AdoptionFilter::default()
    };
    page_of(&req, &mut conn, &filter, query.page).await
}

/// Filters of every province's records.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdoptionFilterParams {
    /// Only records with this status.
    status: Option<AdoptionStatus>,
    /// Only records about this platform (its code); an unknown code is a 400.
    #[param(example = "vneid")]
    platform: Option<String>,
    /// Only this province's records: a code, a name or a 2025 predecessor's name; an unknown one
    /// is a 400.
    #[param(example = "HCM")]
    province: Option<String>,
}

impl AdoptionFilterParams {
    async fn resolve(&self, conn: &mut AsyncPgConnection) -> Result<AdoptionFilter, ApiError> {
        let mut errors = Vec::new();
        let mut filter = AdoptionFilter {
            status: self.status.map(|s| s.as_str().to_owned()),
            ..AdoptionFilter::default()
        };
        if let Some(code) = &self.platform {
            match find_platform_id(conn, code).await? {
                Some(id) => filter.platform_id = Some(id),
                None => errors.push(FieldError::new(
                    "platform",
                    format!("no platform has the code {code:?}"),
                )),
            }
        }
        if let Some(raw) = &self.province {
            match province_db::resolve(conn, raw).await? {
                Some(code) => filter.province = Some(code),
                None => errors.push(FieldError::new(
                    "province",
                    format!("{raw:?} names no province; use a code such as HCM or a name"),
                )),
            }
        }
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(ApiError::invalid_parameters(errors))
        }
    }
}

/// Lists every province's records, by province then platform, optionally filtered by status,
/// platform and province.
#[utoipa::path(
    tag = "provinces",
    params(PageParams, AdoptionFilterParams),
    responses(
        (status = 200, description = "A page of records, by province then platform code.", body = Paginated<AdoptionResponse>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        ListErrors,
    )
)]
#[get("/adoptions")]
pub async fn list_adoptions(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<AdoptionFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let filter = query.filter.resolve(&mut conn).await?;
    page_of(&req, &mut conn, &filter, query.page).await
}

/// The province × platform matrix as CSV (UTF-8 with a byte-order mark, for spreadsheets): one
/// row per province (all 34, or the one filtered on), one column per platform that has at least
/// one record in the selection (by code), each cell the province's status for that platform or
/// empty. Takes the same filters as `/adoptions`; no pages.
#[utoipa::path(
    tag = "provinces",
    params(AdoptionFilterParams),
    responses(
        (status = 200, description = "The matrix: columns `province`, `name_vi`, then one per platform code.",
         content_type = "text/csv", body = String,
         example = json!("\u{feff}province,name_vi,vneid\r\nAGI,Tỉnh An Giang,\r\nHCM,Thành phố Hồ Chí Minh,in_use\r\n")),
        ListErrors,
    )
)]
#[get("/adoptions/matrix")]
pub async fn adoption_matrix(
    state: web::Data<AppState>,
    query: Filters<AdoptionFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let filter = query.0.resolve(&mut conn).await?;
    let cells = adoption_db::statuses(&mut conn, &filter).await?;
    let provinces: Vec<(String, String)> = province_db::all(&mut conn)
        .await?
        .into_iter()
        .filter(|p| filter.province.as_ref().is_none_or(|f| *f == p.code))
        .map(|p| (p.code, p.name_vi))
        .collect();
    let platforms: Vec<&str> = cells
        .iter()
        .map(|(_, platform, _)| platform.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let status: HashMap<(&str, &str), &str> = cells
        .iter()
        .map(|(p, q, s)| ((p.as_str(), q.as_str()), s.as_str()))
        .collect();
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut head = vec!["province", "name_vi"];
    head.extend(&platforms);
    writer.write_record(&head).map_err(ApiError::internal)?;
    for (code, name) in &provinces {
        let mut row = vec![code.as_str(), name.as_str()];
        row.extend(
            platforms
                .iter()
                .map(|p| status.get(&(code.as_str(), *p)).copied().unwrap_or("")),
        );
        writer.write_record(&row).map_err(ApiError::internal)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"ndp-adoptions-matrix.csv\"",
        ))
        .body(body))
}

/// How many provinces stand where with one platform.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformAdoptionStats {
    /// The platform's code.
    #[schema(example = "vneid")]
    pub platform: String,
    /// Its Vietnamese name.
    pub name_vi: String,
    /// Provinces per adoption status; every status is present, 0 when none.
    #[schema(example = json!({"planned": 2, "connecting": 5, "in_use": 20, "stopped": 0, "not_applicable": 0}))]
    pub provinces: BTreeMap<String, i64>,
}

/// How many platforms one province uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvinceAdoptionStats {
    /// The province's code.
    #[schema(example = "HCM")]
    pub code: String,
    /// Its name.
    pub name_vi: String,
    /// National platforms it records as `in_use`.
    #[schema(example = 12)]
    pub platforms_in_use: i64,
}

/// A check answered `likely_duplicate` on which the province decided to proceed anyway.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProceededCase {
    /// The receipt's id (`/api/v1/overlap-checks/{id}`).
    pub check_id: uuid::Uuid,
    /// When the receipt was stored.
    pub checked_at: DateTime<Utc>,
    /// The planned purchase's title.
    pub title: Option<String>,
    /// The province that decided.
    #[schema(example = "HCM")]
    pub province: String,
    /// When it decided.
    pub decided_at: DateTime<Utc>,
    /// Why it proceeded, as the province wrote it.
    pub justification: Option<String>,
}

/// The cases an inspector reads: purchases that went ahead although the registry said a national
/// platform already does this.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProceededCases {
    /// How many receipts of the last 12 months were answered `likely_duplicate` and then decided
    /// `proceed`.
    #[schema(example = 1)]
    pub total: i64,
    /// The 100 most recently decided, newest first.
    pub items: Vec<ProceededCase>,
}

/// The national picture of adoption.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdoptionStats {
    /// Per platform with at least one record, by code: provinces by adoption status.
    pub platforms: Vec<PlatformAdoptionStats>,
    /// Per province (all 34), by code: its number of platforms in use.
    pub provinces: Vec<ProvinceAdoptionStats>,
    /// Over the last 12 months: checks answered `likely_duplicate` followed by `proceed`.
    pub proceeded_despite_likely_duplicate: ProceededCases,
}

/// How many of the cases a stats answer lists.
const PROCEEDED_CASES_LISTED: i64 = 100;

/// The adoption part of `GET /api/v1/stats`, in queries of its own.
pub async fn adoption_stats(conn: &mut AsyncPgConnection) -> Result<AdoptionStats, ApiError> {
    let mut platforms: Vec<PlatformAdoptionStats> = Vec::new();
    for (code, name_vi, status, count) in adoption_db::counts_by_platform(conn).await? {
        if platforms.last().is_none_or(|p| p.platform != code) {
            platforms.push(PlatformAdoptionStats {
                platform: code,
                name_vi,
                provinces: AdoptionStatus::ALL
                    .iter()
                    .map(|s| (s.as_str().to_owned(), 0))
                    .collect(),
            });
        }
        if let Some(last) = platforms.last_mut() {
            last.provinces.insert(status, count);
        }
    }
    let in_use: HashMap<String, i64> = adoption_db::in_use_by_province(conn)
        .await?
        .into_iter()
        .collect();
    let provinces = province_db::all(conn)
        .await?
        .into_iter()
        .map(|p| ProvinceAdoptionStats {
            platforms_in_use: in_use.get(&p.code).copied().unwrap_or(0),
            code: p.code,
            name_vi: p.name_vi,
        })
        .collect();
    let year_ago = Utc::now() - chrono::TimeDelta::days(365);
    let (rows, total) =
        decision_db::proceeded_despite_duplicate(conn, year_ago, PROCEEDED_CASES_LISTED).await?;
    let items = rows
        .into_iter()
        .map(|r| ProceededCase {
            check_id: r.check_id,
            checked_at: r.checked_at,
            title: r.title,
            province: r.province_code,
            decided_at: r.decided_at,
            justification: r.justification,
        })
        .collect();
    Ok(AdoptionStats {
        platforms,
        provinces,
        proceeded_despite_likely_duplicate: ProceededCases { total, items },
    })
}
