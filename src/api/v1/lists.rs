//! `GET /api/v1/lists` and `GET /api/v1/lists/{key}`: the official list editions.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::contacts::NoFilter;
use crate::api::query::{ListQuery, PageParams};
use crate::api::representation::{Paginated, json_with_etag, page_response};
use crate::api::state::AppState;
use crate::api::{GetErrors, ListErrors};
use crate::db::lists::{self as list_db, ListEdition};
use crate::error::ApiError;
use crate::registry::lists;

/// An official edition of the list of national digital platforms: a dated legal document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListEditionResponse {
    /// The edition's key.
    #[schema(example = "cv-2765-2024")]
    pub key: String,
    /// The document number.
    #[schema(example = "2765/BTTTT-CĐSQG")]
    pub document: String,
    /// The title in Vietnamese.
    pub title_vi: String,
    /// The title in English.
    pub title_en: String,
    /// The date the document was issued.
    #[schema(example = "2024-07-15")]
    pub issued_on: NaiveDate,
    /// How many platforms the document declares.
    #[schema(example = 103)]
    pub declared_total: Option<i32>,
    /// How many of them the registry has entered so far.
    #[schema(example = 3)]
    pub registered_count: i64,
    /// Where the facts come from.
    pub source: String,
}

impl ListEditionResponse {
    fn new(row: ListEdition, registered_count: i64) -> Self {
        Self {
            key: row.key,
            document: row.document,
            title_vi: row.title_vi,
            title_en: row.title_en,
            issued_on: row.issued_on,
            declared_total: row.declared_total,
            registered_count,
            source: row.source,
        }
    }
}

/// One owner's share of an edition.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerCount {
    /// The agency's code.
    #[schema(example = "BTC")]
    pub ministry: String,
    /// How many platforms the document declares for it; `null` when it gives no count.
    #[schema(example = 31)]
    pub declared_count: Option<i32>,
    /// How many of its platforms the registry lists in the edition.
    #[schema(example = 0)]
    pub registered_count: i64,
}

/// A platform registered in an edition.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMember {
    /// The platform's code.
    #[schema(example = "he-thong-mang-dau-thau-quoc-gia")]
    pub code: String,
    /// Its Vietnamese name.
    pub name_vi: String,
    /// Its current owner.
    #[schema(example = "BTC")]
    pub ministry: String,
}

/// An edition with its declared counts and registered platforms.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListEditionDetail {
    /// The edition.
    #[serde(flatten)]
    pub edition: ListEditionResponse,
    /// Declared and registered counts per owner, by code.
    pub owners: Vec<OwnerCount>,
    /// The registered platforms, by code.
    pub platforms: Vec<ListMember>,
}

/// Lists the official editions, oldest first.
#[utoipa::path(
    tag = "lists",
    params(PageParams),
    responses(
        (status = 200, description = "A page of editions.", body = Paginated<ListEditionResponse>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        ListErrors,
    )
)]
#[get("/lists")]
pub async fn list_editions(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<NoFilter>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let (rows, total) = list_db::list(&mut conn, query.page.limit(), query.page.offset()).await?;
    let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
    let counts: HashMap<String, i64> = list_db::member_counts(&mut conn, &keys)
        .await?
        .into_iter()
        .collect();
    let items = rows
        .into_iter()
        .map(|row| {
            let count = counts.get(&row.key).copied().unwrap_or(0);
            ListEditionResponse::new(row, count)
        })
        .collect();
    page_response(&req, &Paginated::new(items, query.page, total))
}

/// Gets one edition with its declared counts per owner and its registered platforms.
#[utoipa::path(
    tag = "lists",
    params(("key" = String, Path, description = "The edition's key", example = "qd-2618-2025")),
    responses(
        (status = 200, description = "The edition.", body = ListEditionDetail,
         headers(("ETag" = String, description = "Tag of this representation"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        GetErrors,
    )
)]
#[get("/lists/{key}")]
pub async fn get_edition(
    req: HttpRequest,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = list_db::find(&mut conn, &key).await?.ok_or_else(|| {
        ApiError::not_found(format!("No list edition has the key {:?}.", key.as_str()))
    })?;
    let declared = list_db::declared_counts(&mut conn, &row.key).await?;
    let members = list_db::members(&mut conn, &row.key).await?;
    let mut owners: Vec<OwnerCount> = declared
        .into_iter()
        .map(|(ministry, count)| OwnerCount {
            ministry,
            declared_count: Some(count),
            registered_count: 0,
        })
        .collect();
    for (_, _, ministry) in &members {
        match owners.iter_mut().find(|o| &o.ministry == ministry) {
            Some(owner) => owner.registered_count += 1,
            None => owners.push(OwnerCount {
                ministry: ministry.clone(),
                declared_count: None,
                registered_count: 1,
            }),
        }
    }
    owners.sort_by(|a, b| a.ministry.cmp(&b.ministry));
    let detail = ListEditionDetail {
        edition: ListEditionResponse::new(row, members.len() as i64),
        owners,
        platforms: members
            .into_iter()
            .map(|(code, name_vi, ministry)| ListMember {
                code,
                name_vi,
                ministry,
            })
            .collect(),
    };
    json_with_etag(&req, &detail)
}

/// Adds a platform to an official edition (operator only). Adding a member again changes nothing.
#[utoipa::path(
    tag = "lists",
    security(("bearer" = ["admin"])),
    params(
        ("key" = String, Path, description = "The edition's key", example = "cv-2765-2024"),
        ("code" = String, Path, description = "The platform's code", example = "vneid"),
    ),
    responses(
        (status = 204, description = "The platform is a member of the edition."),
        crate::api::WriteErrors,
    )
)]
#[put("/lists/{key}/platforms/{code}")]
pub async fn add_list_member(
    state: web::Data<AppState>,
    actor: crate::auth::Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    change_membership(state, actor, path, true).await
}

/// Removes a platform from an official edition (operator only). Removing a non-member is a 404.
#[utoipa::path(
    tag = "lists",
    security(("bearer" = ["admin"])),
    params(
        ("key" = String, Path, description = "The edition's key", example = "cv-2765-2024"),
        ("code" = String, Path, description = "The platform's code", example = "vneid"),
    ),
    responses(
        (status = 204, description = "The platform is no longer a member of the edition."),
        crate::api::WriteErrors,
    )
)]
#[delete("/lists/{key}/platforms/{code}")]
pub async fn remove_list_member(
    state: web::Data<AppState>,
    actor: crate::auth::Actor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    change_membership(state, actor, path, false).await
}

async fn change_membership(
    state: web::Data<AppState>,
    actor: crate::auth::Actor,
    path: web::Path<(String, String)>,
    add: bool,
) -> Result<HttpResponse, ApiError> {
    actor.require_operator()?;
    let (key, code) = path.into_inner();
    crate::api::write::transaction(&state, &actor, async |conn| {
        lists::change_membership(conn, &actor, &key, &code, add).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A platform in both editions whose owner differs between their dates.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedMember {
    /// The platform's code.
    #[schema(example = "he-thong-mang-dau-thau-quoc-gia")]
    pub code: String,
    /// Its Vietnamese name.
    pub name_vi: String,
    /// Its owner on the first edition's date.
    #[schema(example = "BKHDT")]
    pub owner_then: String,
    /// Its owner on the second edition's date.
    #[schema(example = "BTC")]
    pub owner_now: String,
}

/// What changed between two editions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListDiff {
    /// The earlier edition's key, as given first.
    pub from: String,
    /// The other edition's key.
    pub to: String,
    /// Platforms in `to` and not in `from`.
    pub added: Vec<ListMember>,
    /// Platforms in `from` and not in `to`.
    pub removed: Vec<ListMember>,
    /// Platforms in both whose owner changed between the two documents' dates.
    pub changed: Vec<ChangedMember>,
    /// How many platforms are in both, unchanged.
    pub unchanged: usize,
}

/// Compares two official editions: the platforms added, removed, and those whose owner changed
/// between the two documents' dates (from the ownership history).
#[utoipa::path(
    tag = "lists",
    params(
        ("a" = String, Path, description = "The first edition's key", example = "cv-2765-2024"),
        ("b" = String, Path, description = "The second edition's key", example = "qd-2618-2025"),
    ),
    responses(
        (status = 200, description = "The differences.", body = ListDiff,
         headers(("ETag" = String, description = "Tag of this representation"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        GetErrors,
    )
)]
#[get("/lists/{a}/diff/{b}")]
pub async fn diff_editions(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (a, b) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let mut editions = Vec::new();
    for key in [&a, &b] {
        editions.push(
            list_db::find(&mut conn, key).await?.ok_or_else(|| {
                ApiError::not_found(format!("No list edition has the key {key:?}."))
            })?,
        );
    }
    let from = list_db::members(&mut conn, &a).await?;
    let to = list_db::members(&mut conn, &b).await?;
    let member = |(code, name_vi, ministry): &(String, String, String)| ListMember {
        code: code.clone(),
        name_vi: name_vi.clone(),
        ministry: ministry.clone(),
    };
    let added = to
        .iter()
        .filter(|t| !from.iter().any(|f| f.0 == t.0))
        .map(member)
        .collect();
    let removed = from
        .iter()
        .filter(|f| !to.iter().any(|t| t.0 == f.0))
        .map(member)
        .collect();
    let mut changed = Vec::new();
    let mut unchanged = 0;
    for (code, name_vi, _) in from.iter().filter(|f| to.iter().any(|t| t.0 == f.0)) {
        let then = list_db::owner_on(&mut conn, code, editions[0].issued_on).await?;
        let now = list_db::owner_on(&mut conn, code, editions[1].issued_on).await?;
        if then == now {
            unchanged += 1;
        } else {
            changed.push(ChangedMember {
                code: code.clone(),
                name_vi: name_vi.clone(),
                owner_then: then,
                owner_now: now,
            });
        }
    }
    json_with_etag(
        &req,
        &ListDiff {
            from: a,
            to: b,
            added,
            removed,
            changed,
            unchanged,
        },
    )
}
