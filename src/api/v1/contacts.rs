//! `GET /api/v1/platforms/{code}/contacts` and `GET /api/v1/contacts`.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::query::{ListQuery, PageParams};
use crate::api::representation::json_with_etag;
use crate::api::representation::{Paginated, page_response};
use crate::api::state::AppState;
use crate::api::{GetErrors, ListErrors, SubListErrors};
use crate::db::contacts::{self as db, Contact, ContactChangeset};
use crate::db::{ministries as ministry_db, platforms as platform_db};
use crate::domain::{ContactRole, MinistryCode, Vocabulary};
use crate::error::{ApiError, FieldError};
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
    let (rows, total) = db::list(
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
    let (rows, total) = db::list(
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

/// The fields of a contact channel a client writes. Publish an operating unit's official channels;
/// a person's name or direct line only where the ministry chose to publish it (Decree 13/2023).
#[derive(Clone, Debug, serde::Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "role": "operations",
    "name": "Tổng đài hỗ trợ vận hành",
    "unit": "Cục Công nghệ thông tin",
    "email": "hotro@example.gov.vn",
    "phone": "024 1234 5678",
    "notes": "8:00-17:00, thứ Hai đến thứ Sáu"
}))]
pub struct ContactInput {
    /// What to contact it for.
    pub role: ContactRole,
    /// The channel's name, 2 to 200 characters.
    #[schema(pattern = "{line 2..200}")]
    pub name: String,
    /// The unit behind it, 2 to 300 characters.
    #[serde(default)]
    #[schema(pattern = "{line? 2..300}")]
    pub unit: Option<String>,
    /// An e-mail address, at most 254 bytes. At least one of `email`, `phone` and `url` is
    /// required.
    #[serde(default)]
    #[schema(pattern = "{email?}")]
    pub email: Option<String>,
    /// A telephone number as published: an optional `+`, then 6 to 15 digits, two digits
    /// separated by at most one space, dot, dash or parenthesis.
    #[serde(default)]
    #[schema(pattern = "{phone?}")]
    pub phone: Option<String>,
    /// A web page or form (http or https), at most 500 characters.
    #[serde(default)]
    #[schema(pattern = "{url?}")]
    pub url: Option<String>,
    /// Opening hours or other notes, at most 1000 characters.
    #[serde(default)]
    #[schema(pattern = "{lines? 1..1000}")]
    pub notes: Option<String>,
    /// Where the channel was published, at most 1000 characters.
    #[serde(default)]
    #[schema(pattern = "{lines? 1..1000}")]
    pub source: Option<String>,
}

/// A JSON Merge Patch (RFC 7396) of a contact channel, as the documentation of `PATCH`: fields sent
/// replace the stored ones, `null` clears an optional one, fields left out stay. The result must
/// keep at least one of `email`, `phone` and `url`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    /// What to contact it for.
    #[schema(nullable = false)]
    pub role: Option<ContactRole>,
    /// The channel's name, 2 to 200 characters.
    #[schema(pattern = "{line 2..200}", nullable = false)]
    pub name: Option<String>,
    /// The unit behind it, 2 to 300 characters.
    #[schema(pattern = "{line? 2..300}")]
    pub unit: Option<String>,
    /// An e-mail address, at most 254 bytes.
    #[schema(pattern = "{email?}")]
    pub email: Option<String>,
    /// A telephone number: an optional `+`, then 6 to 15 digits, two digits separated by at most
    /// one space, dot, dash or parenthesis.
    #[schema(pattern = "{phone?}")]
    pub phone: Option<String>,
    /// A web page or form (http or https), at most 500 characters.
    #[schema(pattern = "{url?}")]
    pub url: Option<String>,
    /// Opening hours or other notes, at most 1000 characters.
    #[schema(pattern = "{lines? 1..1000}")]
    pub notes: Option<String>,
    /// Where the channel was published, at most 1000 characters.
    #[schema(pattern = "{lines? 1..1000}")]
    pub source: Option<String>,
}

/// A validated contact.
pub struct ValidContact {
    pub role: &'static str,
    pub name: String,
    pub unit: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub notes: Option<String>,
    pub source: Option<String>,
}

impl ValidContact {
    /// The database changeset.
    pub fn changeset(&self) -> ContactChangeset<'_> {
        ContactChangeset {
            role: self.role,
            name: &self.name,
            unit: self.unit.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
            url: self.url.as_deref(),
            notes: self.notes.as_deref(),
            source: self.source.as_deref(),
        }
    }
}

impl ContactInput {
    /// Validates and normalises the input.
    pub fn validate(&self) -> Result<ValidContact, ApiError> {
        let mut c = crate::registry::validate::Checker::default();
        let valid = ValidContact {
            role: self.role.as_str(),
            name: c.text("name", &self.name, 2, 200, false),
            unit: c.optional_text("unit", self.unit.as_deref(), 2, 300, false),
            email: c.email("email", self.email.as_deref()),
            phone: c.phone("phone", self.phone.as_deref()),
            url: c.url("url", self.url.as_deref()),
            notes: c.optional_text("notes", self.notes.as_deref(), 1, 1000, true),
            source: c.optional_text("source", self.source.as_deref(), 1, 1000, true),
        };
        let reachable = [&self.email, &self.phone, &self.url]
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
        if !reachable {
            c.fail(
                "email",
                "a contact needs at least one of email, phone or url",
            );
        }
        c.finish()?;
        Ok(valid)
    }
}

/// The writable state of a stored contact: the base of a merge patch and of the history's diffs.
pub fn contact_snapshot(c: &Contact) -> serde_json::Value {
    serde_json::json!({
        "role": c.role, "name": c.name, "unit": c.unit, "email": c.email, "phone": c.phone,
        "url": c.url, "notes": c.notes, "source": c.source,
    })
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
    let id = parse_id(&id)?;
    let mut conn = state.pool.get().await?;
    let (contact, code, ministry) = db::find(&mut conn, id)
        .await?
        .ok_or_else(|| contact_not_found(id))?;
    json_with_etag(&req, &ContactResponse::new(contact, code, ministry))
}

pub(super) fn contact_not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("No contact has the id {id}."))
}

pub(super) fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(format!("No contact has the id {raw:?}.")))
}
