//! Writes on contacts: add to a platform, read one, merge-patch, remove. Each change bumps the
//! platform's version (its representation includes its contacts) and is recorded in its history.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};
use diesel_async::AsyncPgConnection;
use serde_json::Value;

use super::contacts::{ContactInput, contact_not_found, contact_snapshot, parse_id};
use crate::api::WriteErrors;
use crate::api::body::{JsonBody, MergePatchBody};
use crate::api::state::AppState;
use crate::api::write::{Answer, Idempotency, check_if_match, if_match, render};
use crate::auth::Actor;
use crate::db::contacts::{self as db, Contact, NewContact};
use crate::db::platforms as platform_db;
use crate::domain::Scope;
use crate::error::{ApiError, ProblemCode};
use crate::registry::changes::{ChangeRecord, diff, record_change, state_of};
use crate::views::contacts::ContactResponse;

/// The most contact channels one platform may publish: enough for every role several times over,
/// and a bound on what one platform's representation (and every page that embeds it) carries.
pub const MAX_CONTACTS_PER_PLATFORM: usize = 50;

/// Locks a contact and its platform; checks the token may write it and that `If-Match` is current.
async fn lock_contact(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: i64,
    precondition: Option<&str>,
) -> Result<(Contact, platform_db::Platform), ApiError> {
    let platform_id = db::platform_of(conn, id)
        .await?
        .ok_or_else(|| contact_not_found(id))?;
    let platform = platform_db::lock_by_id(conn, platform_id).await?;
    let contact = db::lock(conn, id)
        .await?
        .ok_or_else(|| contact_not_found(id))?;
    actor.require_owner(&platform.ministry_code)?;
    let current = render(&ContactResponse::new(
        contact.clone(),
        platform.code.clone(),
        platform.ministry_code.clone(),
    ))?;
    check_if_match(precondition, &current.etag)?;
    Ok((contact, platform))
}

/// Adds a contact channel to a platform of the token's ministry.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = ["contacts:write"])),
    request_body(content = ContactInput, content_type = "application/json"),
    params(
        ("code" = String, Path, description = "The platform's code", example = "dang-ky-giao-dich-bao-dam"),
        crate::api::IdempotencyKey,
    ),
    responses(
        (status = 201, description = "Created. `Location` names the contact.", body = ContactResponse,
         headers(("Location" = String, description = "The new contact's URL"), ("ETag" = String, description = "Tag of the representation"))),
        WriteErrors,
    )
)]
#[post("/platforms/{code}/contacts")]
pub async fn create_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    actor.require(Scope::ContactsWrite)?;
    let idempotency = Idempotency::from_request(&req, &body.0)?;
    crate::api::write::create(&state, &actor, idempotency.as_ref(), async |conn| {
        let platform = platform_db::lock(conn, &code).await?.ok_or_else(|| {
            ApiError::not_found(format!("No platform has the code {:?}.", code.as_str()))
        })?;
        actor.require_owner(&platform.ministry_code)?;
        let valid = body.parse_valid(ContactInput::validate)?;
        // The platform's row is locked, so two concurrent additions cannot both pass the cap.
        if db::count_for_platform(conn, platform.id).await? >= MAX_CONTACTS_PER_PLATFORM as i64 {
            return Err(ApiError::new(ProblemCode::TooManyContacts, format!(
                    "{} already has {MAX_CONTACTS_PER_PLATFORM} contacts, the most a platform may have; update or remove one first.",
                    platform.code
                ),
            ));
        }
        let c = valid.changeset();
        let new = NewContact {
            platform_id: platform.id,
            role: c.role,
            name: c.name,
            unit: c.unit,
            email: c.email,
            phone: c.phone,
            url: c.url,
            notes: c.notes,
            source: c.source,
        };
        let contact = db::insert(conn, &new).await?;
        platform_db::touch(conn, platform.id).await?;
        let changes = diff(&Value::Null, &contact_snapshot(&contact));
        let key = contact.id.to_string();
        let version = contact.version;
        let location = format!("/api/v1/contacts/{}", contact.id);
        let response = ContactResponse::new(contact, platform.code, platform.ministry_code);
        let change = ChangeRecord {
            entity: "contact",
            key: &key,
            platform_id: Some(platform.id),
            action: "contact_added",
            changes,
            version: Some(version),
            state: Some(state_of(&response)?),
        };
        record_change(conn, &actor, change).await?;
        Answer::json(StatusCode::CREATED, &response, Some(location))
    })
    .await
}

/// Changes some fields of a contact with a JSON Merge Patch (RFC 7396).
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = ["contacts:write"])),
    request_body(content = super::contacts::ContactPatch, content_type = "application/merge-patch+json",
                 example = json!({"email": "vanhanh@example.gov.vn", "notes": null})),
    params(
        ("id" = i64, Path, description = "The contact's id", example = 1),
        crate::api::IfMatch,
    ),
    responses(
        (status = 200, description = "The contact as stored.", body = ContactResponse,
         headers(("ETag" = String, description = "Tag of the new representation"))),
        WriteErrors,
    )
)]
#[patch("/contacts/{id}")]
pub async fn patch_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: MergePatchBody,
) -> Result<HttpResponse, ApiError> {
    actor.require(Scope::ContactsWrite)?;
    let id = parse_id(&id)?;
    let precondition = if_match(&req);
    let answer = crate::api::write::transaction(&state, &actor, async |conn| {
        let (contact, platform) = lock_contact(conn, &actor, id, precondition.as_deref()).await?;
        let before = contact_snapshot(&contact);
        let valid = body.apply_valid(before.clone(), ContactInput::validate)?;
        let candidate = Contact {
            role: valid.role.to_owned(),
            name: valid.name.clone(),
            unit: valid.unit.clone(),
            email: valid.email.clone(),
            phone: valid.phone.clone(),
            url: valid.url.clone(),
            notes: valid.notes.clone(),
            source: valid.source.clone(),
            ..contact.clone()
        };
        let changes = diff(&before, &contact_snapshot(&candidate));
        let stored = if changes.as_object().is_some_and(serde_json::Map::is_empty) {
            contact
        } else {
            let updated = db::update(conn, id, &valid.changeset()).await?;
            platform_db::touch(conn, platform.id).await?;
            let state = ContactResponse::new(
                updated.clone(),
                platform.code.clone(),
                platform.ministry_code.clone(),
            );
            let change = ChangeRecord {
                entity: "contact",
                key: &id.to_string(),
                platform_id: Some(platform.id),
                action: "contact_updated",
                changes,
                version: Some(updated.version),
                state: Some(state_of(&state)?),
            };
            record_change(conn, &actor, change).await?;
            updated
        };
        Answer::json(
            StatusCode::OK,
            &ContactResponse::new(stored, platform.code, platform.ministry_code),
            None,
        )
    })
    .await?;
    Ok(answer.into_response())
}

/// Removes a contact channel. The removal, with the old values, stays in the platform's history.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = ["contacts:write"])),
    params(
        ("id" = i64, Path, description = "The contact's id", example = 1),
        crate::api::IfMatch,
    ),
    responses(
        (status = 204, description = "Removed."),
        WriteErrors,
    )
)]
#[delete("/contacts/{id}")]
pub async fn delete_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    actor.require(Scope::ContactsWrite)?;
    let id = parse_id(&id)?;
    let precondition = if_match(&req);
    let answer = crate::api::write::transaction(&state, &actor, async |conn| {
        let (contact, platform) = lock_contact(conn, &actor, id, precondition.as_deref()).await?;
        db::delete(conn, id).await?;
        platform_db::touch(conn, platform.id).await?;
        let changes = diff(&contact_snapshot(&contact), &Value::Null);
        let change = ChangeRecord {
            entity: "contact",
            key: &id.to_string(),
            platform_id: Some(platform.id),
            action: "contact_removed",
            changes,
            version: Some(contact.version + 1),
            state: None,
        };
        record_change(conn, &actor, change).await?;
        Ok::<_, ApiError>(Answer::no_content())
    })
    .await?;
    Ok(answer.into_response())
}
