//! `GET /api/v1/platforms` and `GET /api/v1/platforms/{code}`.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contacts::ContactResponse;
use super::search::{self, SearchMatch};
use crate::api::query::{ListQuery, PageParams};
use crate::api::representation::{Paginated, json_with_etag, page_response};
use crate::api::{GetErrors, ListErrors};
use crate::db::platforms::{self as db, Platform, PlatformFilter};
use crate::db::{contacts as contact_db, ministries as ministry_db};
use crate::domain::search::Query;
use crate::domain::{
    Audience, Domain, MinistryCode, NdxpStatus, PlatformProfile, PlatformStatus, SourceConfidence,
    Vocabulary, fold_for_search, normalize_text,
};
use crate::error::{ApiError, FieldError};
use crate::startup::AppState;

/// The longest accepted `q`, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words `q` may have.
pub const MAX_QUERY_TERMS: usize = 12;

/// The legal document that establishes or governs a platform.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LegalBasis {
    /// The document number as written in Vietnamese.
    #[schema(example = "833/QĐ-TCHQ")]
    pub number: String,
    /// The date the document was signed.
    #[schema(example = "2015-03-26")]
    pub date: Option<NaiveDate>,
}

/// A period during which an agency owned the platform.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnershipPeriod {
    /// The owning agency's code.
    #[schema(example = "BKHDT")]
    pub ministry: String,
    /// First day of ownership; `null` when it predates the registry's records.
    #[schema(example = json!(null))]
    pub from: Option<NaiveDate>,
    /// Last day of ownership; `null` for the current owner.
    #[schema(example = "2025-02-28")]
    pub to: Option<NaiveDate>,
    /// Why ownership changed, such as a merger.
    pub reason: Option<String>,
}

/// A national digital platform, information system or database.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformResponse {
    /// The stable, URL-safe, lowercase slug; immutable once created.
    #[schema(example = "vneid")]
    pub code: String,
    /// The Vietnamese name.
    #[schema(example = "Nền tảng định danh và xác thực điện tử")]
    pub name_vi: String,
    /// The English name.
    #[schema(example = "Electronic identification and authentication platform")]
    pub name_en: String,
    /// The short name or acronym people use.
    #[schema(example = "VNeID")]
    pub short_name: Option<String>,
    /// What the platform does, in the registry's words.
    pub description: String,
    /// The owning agency's code (chủ quản).
    #[schema(example = "BCA")]
    pub ministry: String,
    /// The unit that operates it (đơn vị vận hành).
    pub operator: Option<String>,
    /// The fields it serves.
    pub domains: Vec<Domain>,
    /// Who it is for.
    pub audiences: Vec<Audience>,
    /// Where it is in its life; `retired` platforms stay readable.
    pub status: PlatformStatus,
    /// The public address, where it has one.
    #[schema(example = "https://dichvucong.gov.vn")]
    pub url: Option<String>,
    /// Whether it is connected to NDXP.
    pub ndxp_status: NdxpStatus,
    /// The document that establishes or governs it.
    pub legal_basis: Option<LegalBasis>,
    /// The official list editions it belongs to (see `/api/v1/lists`).
    #[schema(example = json!(["qd-2618-2025"]))]
    pub lists: Vec<String>,
    /// Where the record's facts come from.
    pub source: Option<String>,
    /// How well the record is attested.
    pub confidence: SourceConfidence,
    /// What it does in a province's words, who uses it, its other names, and what a province
    /// should do instead of building its own.
    pub profile: PlatformProfile,
    /// The operating unit's published contact channels.
    pub contacts: Vec<ContactResponse>,
    /// Who owned it when, oldest first; the last entry is the current owner.
    pub ownership_history: Vec<OwnershipPeriod>,
    /// Increases by one with every change to the platform.
    #[schema(example = 1)]
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// With `q` only: how well the platform matches and why.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub search_match: Option<SearchMatch>,
}

fn parse_all<V: Vocabulary>(codes: &[String]) -> Vec<V> {
    codes.iter().filter_map(|c| V::parse(c)).collect()
}

/// Builds the wire form of `rows`, loading their contacts, owners and lists in one round trip.
pub async fn platform_responses(
    conn: &mut AsyncPgConnection,
    rows: Vec<Platform>,
) -> Result<Vec<PlatformResponse>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut contacts: HashMap<i64, Vec<ContactResponse>> = HashMap::new();
    let codes: HashMap<i64, (String, String)> = rows
        .iter()
        .map(|p| (p.id, (p.code.clone(), p.ministry_code.clone())))
        .collect();
    // Three independent queries, pipelined on one connection: one round trip, not three.
    let shared: &AsyncPgConnection = conn;
    let (contact_rows, ownership_rows, membership_rows) = futures_util::future::try_join3(
        contact_db::for_platforms(shared, &ids),
        db::ownerships(shared, &ids),
        db::memberships(shared, &ids),
    )
    .await?;
    for contact in contact_rows {
        if let Some((code, ministry)) = codes.get(&contact.platform_id) {
            let entry = contacts.entry(contact.platform_id).or_default();
            entry.push(ContactResponse::new(
                contact,
                code.clone(),
                ministry.clone(),
            ));
        }
    }
    let mut owners: HashMap<i64, Vec<OwnershipPeriod>> = HashMap::new();
    for o in ownership_rows {
        owners
            .entry(o.platform_id)
            .or_default()
            .push(OwnershipPeriod {
                ministry: o.ministry_code,
                from: o.valid_from,
                to: o.valid_to,
                reason: o.reason,
            });
    }
    let mut lists: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, key) in membership_rows {
        lists.entry(id).or_default().push(key);
    }
    Ok(rows
        .into_iter()
        .map(|p| PlatformResponse {
            domains: parse_all(&p.domains),
            audiences: parse_all(&p.audiences),
            status: PlatformStatus::parse(&p.status).unwrap_or(PlatformStatus::Unknown),
            ndxp_status: NdxpStatus::parse(&p.ndxp_status).unwrap_or(NdxpStatus::Unknown),
            confidence: SourceConfidence::parse(&p.confidence)
                .unwrap_or(SourceConfidence::Unconfirmed),
            legal_basis: p.legal_basis_number.map(|number| LegalBasis {
                number,
                date: p.legal_basis_date,
            }),
            profile: PlatformProfile::from_stored(&p.profile),
            contacts: contacts.remove(&p.id).unwrap_or_default(),
            ownership_history: owners.remove(&p.id).unwrap_or_default(),
            lists: lists.remove(&p.id).unwrap_or_default(),
            code: p.code,
            name_vi: p.name_vi,
            name_en: p.name_en,
            short_name: p.short_name,
            description: p.description,
            ministry: p.ministry_code,
            operator: p.operator,
            url: p.url,
            source: p.source,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
            search_match: None,
        })
        .collect())
}

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
    let query = crate::domain::search::analyse(&normalized);
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
    let mut conn = state.pool.get().await?;
    let selection = Selection::parse(&mut conn, &query.filter).await?;
    let Some((q, folded)) = &selection.search else {
        let (rows, total) = db::list(
            &mut conn,
            &selection.filter,
            query.page.limit(),
            query.page.offset(),
        )
        .await?;
        let items = platform_responses(&mut conn, rows).await?;
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
            .is_some_and(|since| !crate::api::validate::date_in_range(since.date_naive()))
        {
            errors.push(FieldError::new(
                "updated_since",
                crate::api::validate::DATE_RANGE_MESSAGE,
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
    let row = db::find(&mut conn, &code).await?.ok_or_else(|| {
        ApiError::not_found(format!("No platform has the code {:?}.", code.as_str()))
    })?;
    let body = platform_responses(&mut conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("platform vanished"))?;
    json_with_etag(&req, &body)
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
