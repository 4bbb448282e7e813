//! Contact channels: whom a province calls about a platform. A contact belongs to a platform and
//! is written by its owner; each change bumps the platform's version (its representation includes
//! its contacts) and is recorded in the platform's history.

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::db::contacts::{self, Contact, ContactFields, NewContact};
use crate::db::platforms::{self, Platform};
use crate::domain::{ContactRole, Vocabulary};
use crate::error::{ApiError, ProblemCode};
use crate::registry::changes::{ChangeRecord, diff, record_changes, state_of};
use crate::registry::platforms::not_found as platform_not_found;
use crate::registry::validate::{Checker, rule};
use crate::views::contacts::ContactResponse;

/// The most contact channels one platform may publish: enough for every role several times over,
/// and a bound on what one platform's representation (and every page that embeds it) carries.
pub const MAX_CONTACTS_PER_PLATFORM: usize = 50;

/// The fields of a contact channel a client writes. Publish an operating unit's official channels;
/// a person's name or direct line only where the ministry chose to publish it (Decree 13/2023).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
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

/// A validated contact: the fields to store.
pub type ValidContact = ContactFields;

impl ContactInput {
    /// Validates and normalises the input.
    pub fn validate(&self) -> Result<ValidContact, ApiError> {
        let mut c = Checker::default();
        let valid = ValidContact {
            role: self.role.as_str().to_owned(),
            name: c.text("name", &self.name, rule::<Self>("name")),
            unit: c.optional_text("unit", self.unit.as_deref(), rule::<Self>("unit")),
            email: c.email("email", self.email.as_deref()),
            phone: c.phone("phone", self.phone.as_deref()),
            url: c.url("url", self.url.as_deref()),
            notes: c.optional_text("notes", self.notes.as_deref(), rule::<Self>("notes")),
            source: c.optional_text("source", self.source.as_deref(), rule::<Self>("source")),
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
pub fn snapshot(c: &Contact) -> Value {
    serde_json::to_value(&c.fields).unwrap_or_default()
}

/// The answer when no contact has `id`.
pub fn not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("No contact has the id {id}."))
}

/// A contact id from a path: a positive integer, else no contact has it.
pub fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(format!("No contact has the id {raw:?}.")))
}

/// A contact and its platform, both locked for a write by the platform's owner.
pub struct LockedContact {
    contact: Contact,
    platform: Platform,
}

impl LockedContact {
    /// The contact as it is now (what `If-Match` is checked against).
    pub fn representation(&self) -> ContactResponse {
        response(self.contact.clone(), &self.platform)
    }

    /// Its writable state: the base of a merge patch.
    pub fn snapshot(&self) -> Value {
        snapshot(&self.contact)
    }
}

fn response(contact: Contact, platform: &Platform) -> ContactResponse {
    ContactResponse::new(
        contact,
        platform.code.clone(),
        platform.ministry_code.clone(),
    )
}

/// Locks the platform with `code` for a new contact; the actor must own it.
pub async fn lock_platform(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    code: &str,
) -> Result<Platform, ApiError> {
    let platform = platforms::lock(conn, code)
        .await?
        .ok_or_else(|| platform_not_found(code))?;
    actor.require_owner(&platform.ministry_code)?;
    Ok(platform)
}

/// Locks a contact and its platform (platform first, like every write on a platform); the actor
/// must own the platform.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: i64,
) -> Result<LockedContact, ApiError> {
    let platform_id = contacts::platform_of(conn, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let platform = platforms::lock_by_id(conn, platform_id).await?;
    let contact = contacts::lock(conn, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    actor.require_owner(&platform.ministry_code)?;
    Ok(LockedContact { contact, platform })
}

/// Adds contact channels to a platform just inserted (no change of its version, no record: the
/// platform's creation records them). Used when a platform is created with its contacts.
pub async fn insert_all(
    conn: &mut AsyncPgConnection,
    platform_id: i64,
    valid: &[ValidContact],
) -> Result<Vec<Contact>, ApiError> {
    let mut added = Vec::with_capacity(valid.len());
    for contact in valid {
        let new = NewContact {
            platform_id,
            fields: contact.clone(),
        };
        added.push(contacts::insert(conn, &new).await?);
    }
    Ok(added)
}

/// Adds a contact to `platform` (locked by [`lock_platform`]), within the per-platform cap.
pub async fn add(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    platform: Platform,
    valid: &ValidContact,
) -> Result<ContactResponse, ApiError> {
    // The platform's row is locked, so two concurrent additions cannot both pass the cap.
    if contacts::count_for_platform(conn, platform.id).await? >= MAX_CONTACTS_PER_PLATFORM as i64 {
        return Err(ApiError::new(
            ProblemCode::TooManyContacts,
            format!(
                "{} already has {MAX_CONTACTS_PER_PLATFORM} contacts, the most a platform may have; update or remove one first.",
                platform.code
            ),
        ));
    }
    let added = insert_all(conn, platform.id, std::slice::from_ref(valid)).await?;
    let contact = added.into_iter().next().ok_or_else(|| not_found(0))?;
    platforms::touch(conn, platform.id).await?;
    let changes = diff(&Value::Null, &snapshot(&contact));
    let response = response(contact, &platform);
    record_changes(
        conn,
        actor,
        vec![added_record(&response, platform.id, changes)?],
    )
    .await?;
    Ok(response)
}

/// The record of a contact added to platform `platform_id`.
pub fn added_record(
    contact: &ContactResponse,
    platform_id: i64,
    changes: Value,
) -> Result<ChangeRecord<'static>, ApiError> {
    Ok(ChangeRecord {
        entity: "contact",
        key: contact.id.to_string(),
        platform_id: Some(platform_id),
        action: "contact_added",
        changes,
        version: Some(contact.version),
        state: Some(state_of(contact)?),
    })
}

/// Replaces a locked contact's writable fields with `valid`, recording the change; an unchanged
/// contact is answered as it is, with nothing recorded.
pub async fn update(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    locked: LockedContact,
    valid: &ValidContact,
) -> Result<ContactResponse, ApiError> {
    let LockedContact { contact, platform } = locked;
    let before = snapshot(&contact);
    let changes = diff(&before, &serde_json::to_value(valid).unwrap_or_default());
    if changes.as_object().is_some_and(serde_json::Map::is_empty) {
        return Ok(response(contact, &platform));
    }
    let updated = contacts::update(conn, contact.id, valid).await?;
    platforms::touch(conn, platform.id).await?;
    let response = response(updated, &platform);
    let change = ChangeRecord {
        entity: "contact",
        key: contact.id.to_string(),
        platform_id: Some(platform.id),
        action: "contact_updated",
        changes,
        version: Some(response.version),
        state: Some(state_of(&response)?),
    };
    record_changes(conn, actor, vec![change]).await?;
    Ok(response)
}

/// Removes a locked contact; the removal, with the old values, stays in the platform's history.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    locked: LockedContact,
) -> Result<(), ApiError> {
    let LockedContact { contact, platform } = locked;
    contacts::delete(conn, contact.id).await?;
    platforms::touch(conn, platform.id).await?;
    let change = ChangeRecord {
        entity: "contact",
        key: contact.id.to_string(),
        platform_id: Some(platform.id),
        action: "contact_removed",
        changes: diff(&snapshot(&contact), &Value::Null),
        version: Some(contact.version + 1),
        state: None,
    };
    record_changes(conn, actor, vec![change]).await
}
