//! The representation of a contact of a platform.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::contacts::Contact;
use crate::domain::{ContactRole, Vocabulary};

/// An official contact channel of a platform's operating unit (đầu mối vận hành).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ContactResponse {
    /// The contact's id, for `PATCH` and `DELETE /api/v1/contacts/{id}`.
    #[schema(example = 1)]
    pub id: i64,
    /// The platform it is for.
    #[schema(example = "dang-ky-giao-dich-bao-dam")]
    pub platform: String,
    /// The agency that owns the platform.
    #[schema(example = "BTP")]
    pub ministry: String,
    /// What to contact it for.
    pub role: ContactRole,
    /// The channel's name, such as a help desk; never a private person unless published so.
    #[schema(example = "Hỗ trợ kỹ thuật")]
    pub name: String,
    /// The unit behind the channel.
    pub unit: Option<String>,
    /// An e-mail address.
    pub email: Option<String>,
    /// A telephone number as published.
    #[schema(example = "024.62739677")]
    pub phone: Option<String>,
    /// A web page or form.
    pub url: Option<String>,
    /// Opening hours or other notes.
    pub notes: Option<String>,
    /// Where the channel was published.
    pub source: Option<String>,
    /// Increases by one with every change.
    #[schema(example = 1)]
    pub version: i32,
    /// When the contact was added.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl ContactResponse {
    /// The wire form of a contact of `platform`, owned by `ministry`.
    pub fn new(row: Contact, platform: String, ministry: String) -> Self {
        Self {
            id: row.id,
            platform,
            ministry,
            role: ContactRole::parse(&row.fields.role).unwrap_or(ContactRole::Operations),
            name: row.fields.name,
            unit: row.fields.unit,
            email: row.fields.email,
            phone: row.fields.phone,
            url: row.fields.url,
            notes: row.fields.notes,
            source: row.fields.source,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}
