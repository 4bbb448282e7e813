//! Writes on contacts: add to a platform, read one, merge-patch, remove. Each change bumps the
//! platform's version (its representation includes its contacts) and is recorded in its history.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};

use crate::api::WriteErrors;
use crate::api::body::{JsonBody, MergePatchBody};
use crate::api::state::AppState;
use crate::api::write::{Answer, Idempotency, check_if_match, if_match, render};
use crate::auth::Actor;
use crate::domain::Scope;
use crate::error::ApiError;
use crate::registry::contacts::{self, ContactInput, LockedContact, parse_id};
use crate::views::contacts::ContactResponse;

/// Locks a contact and its platform for a write by their owner, with `If-Match` current.
async fn lock_for_write(
    conn: &mut diesel_async::AsyncPgConnection,
    actor: &Actor,
    id: i64,
    precondition: Option<&str>,
) -> Result<LockedContact, ApiError> {
    let locked = contacts::lock(conn, actor, id).await?;
    check_if_match(precondition, &render(&locked.representation())?.etag)?;
    Ok(locked)
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
        let platform = contacts::lock_platform(conn, &actor, &code).await?;
        let valid = body.parse_valid(ContactInput::validate)?;
        let response = contacts::add(conn, &actor, platform, &valid).await?;
        let location = format!("/api/v1/contacts/{}", response.id);
        Answer::json(StatusCode::CREATED, &response, Some(location))
    })
    .await
}

/// Changes some fields of a contact with a JSON Merge Patch (RFC 7396).
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = ["contacts:write"])),
    request_body(content = contacts::ContactPatch, content_type = "application/merge-patch+json",
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
        let locked = lock_for_write(conn, &actor, id, precondition.as_deref()).await?;
        let valid = body.apply_valid(locked.snapshot(), ContactInput::validate)?;
        let response = contacts::update(conn, &actor, locked, &valid).await?;
        Answer::json(StatusCode::OK, &response, None)
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
        let locked = lock_for_write(conn, &actor, id, precondition.as_deref()).await?;
        contacts::remove(conn, &actor, locked).await?;
        Ok::<_, ApiError>(Answer::no_content())
    })
    .await?;
    Ok(answer.into_response())
}
