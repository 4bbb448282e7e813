//! `GET /api/v1/platforms/{code}/contacts` and `GET /api/v1/contacts`.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::query::{ListQuery, PageParams};
use crate::api::representation::json_with_etag;
use crate::api::representation::{Paginated, page_response};
use crate::api::state::AppState;
use crate::api::{GetErrors, ListErrors, SubListErrors};
use crate::db::contacts as contact_db;
use crate::db::{ministries as ministry_db, platforms as platform_db};
use crate::domain::MinistryCode;
use crate::error::{ApiError, FieldError};
use crate::registry::contacts;
use crate::views::contacts::ContactResponse;

/// The platform contact list has no filters besides the page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoFilter {}

/// Lists the contact channels of one platform.
#[utoipa::path(
    tag = "contacts",
    params(("code" = String, Path, description = "The platform's code", example = "dang-ky-giao-dich-bao-dam"), PageParams),
    responses(
        (status = 200, description = "A page of the platform's contacts, oldest first.",
         body = Paginated<ContactResponse>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        SubListErrors,
    )
)]
#[get("/platforms/{code}/contacts")]
pub async fn list_platform_contacts(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: ListQuery<NoFilter>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let id = platform_db::find_id(&mut conn, &code)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("No platform has the code {:?}.", code.as_str()))
        })?;
    let (rows, total) = contact_db::list(
        &mut conn,
        Some(id),
        None,
        query.page.limit(),
        query.page.offset(),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|(c, p, m)| ContactResponse::new(c, p, m))
        .collect();
    page_response(&req, &Paginated::new(items, query.page, total))
}

/// Filters of the contact list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactFilterParams {
    /// Only contacts of platforms owned by this agency (code, any case). An unknown code is a 400.
    #[param(example = "BTP", pattern = "{ministry}", nullable = false)]
    ministry: Option<String>,
}

/// Lists contact channels across platforms, optionally of one agency's platforms.
#[utoipa::path(
    tag = "contacts",
    params(PageParams, ContactFilterParams),
    responses(
        (status = 200, description = "A page of contacts, oldest first.",
         body = Paginated<ContactResponse>,
         headers(("ETag" = String, description = "Tag of this page"),
                 ("Link" = String, description = "RFC 8288 pagination links"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        ListErrors,
    )
)]
#[get("/contacts")]
pub async fn list_contacts(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ListQuery<ContactFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let ministry = match query.filter.ministry.as_deref() {
        None => None,
        Some(raw) => Some(MinistryCode::parse(raw).map_err(|message| {
            ApiError::invalid_parameters(vec![FieldError::new("ministry", message)])
        })?),
    };
    let mut conn = state.pool.get().await?;
    if let Some(code) = &ministry
        && !ministry_db::exists(&mut conn, code.as_str()).await?
    {
        return Err(ApiError::invalid_parameters(vec![FieldError::new(
            "ministry",
            format!(
                "{:?} is not a known agency code; see /api/v1/ministries",
                code.as_str()
            ),
        )]));
    }
    let (rows, total) = contact_db::list(
        &mut conn,
        None,
        ministry.as_ref().map(MinistryCode::as_str),
        query.page.limit(),
        query.page.offset(),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|(c, p, m)| ContactResponse::new(c, p, m))
        .collect();
    page_response(&req, &Paginated::new(items, query.page, total))
}

/// Gets one contact channel.
#[utoipa::path(
    tag = "contacts",
    params(("id" = i64, Path, description = "The contact's id", example = 1)),
    responses(
        (status = 200, description = "The contact.", body = ContactResponse,
         headers(("ETag" = String, description = "Tag of this representation; send it in `If-None-Match` or `If-Match`"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        GetErrors,
    )
)]
#[get("/contacts/{id}")]
pub async fn get_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = contacts::parse_id(&id)?;
    let mut conn = state.pool.get().await?;
    let (contact, code, ministry) = contact_db::find(&mut conn, id)
        .await?
        .ok_or_else(|| contacts::not_found(id))?;
    json_with_etag(&req, &ContactResponse::new(contact, code, ministry))
}
