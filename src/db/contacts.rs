//! Contact rows and their queries.

use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::schema::{contacts, platforms};

/// A contact channel as stored.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = contacts, check_for_backend(Pg))]
pub struct Contact {
    pub id: i64,
    pub platform_id: i64,
    #[diesel(embed)]
    pub fields: ContactFields,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The writable fields of a contact: read, inserted, and replacing the stored ones (a `None`
/// clears the column). Serialized, they are the contact's writable state in the history.
#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset, Serialize)]
#[diesel(table_name = contacts, treat_none_as_null = true, check_for_backend(Pg))]
pub struct ContactFields {
    pub role: String,
    pub name: String,
    pub unit: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub notes: Option<String>,
    pub source: Option<String>,
}

/// A contact to insert.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = contacts)]
pub struct NewContact {
    pub platform_id: i64,
    #[diesel(embed)]
    pub fields: ContactFields,
}

/// A contact with the code and owner of its platform.
pub type ContactWithPlatform = (Contact, String, String);

/// A page of contacts, optionally of one platform or of one ministry's platforms.
pub async fn list(
    conn: &mut AsyncPgConnection,
    platform_id: Option<i64>,
    ministry: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<ContactWithPlatform>, i64)> {
    let filtered = || {
        let mut query = contacts::table.inner_join(platforms::table).into_boxed();
        if let Some(id) = platform_id {
            query = query.filter(contacts::platform_id.eq(id));
        }
        if let Some(code) = ministry {
            query = query.filter(platforms::ministry_code.eq(code));
        }
        query
    };
    let total = filtered().select(count_star()).get_result(conn).await?;
    let rows = filtered()
        .select((
            Contact::as_select(),
            platforms::code,
            platforms::ministry_code,
        ))
        .order(contacts::id.asc())
        .limit(limit)
        .offset(offset)
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// Inserts a contact and returns it.
/// How many contacts a platform has.
pub async fn count_for_platform(
    conn: &mut AsyncPgConnection,
    platform_id: i64,
) -> QueryResult<i64> {
    contacts::table
        .filter(contacts::platform_id.eq(platform_id))
        .select(count_star())
        .get_result(conn)
        .await
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewContact) -> QueryResult<Contact> {
    diesel::insert_into(contacts::table)
        .values(new)
        .returning(Contact::as_returning())
        .get_result(conn)
        .await
}

/// The contact with `id`, with its platform's code and owner.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<ContactWithPlatform>> {
    contacts::table
        .inner_join(platforms::table)
        .filter(contacts::id.eq(id))
        .select((
            Contact::as_select(),
            platforms::code,
            platforms::ministry_code,
        ))
        .first(conn)
        .await
        .optional()
}

/// The platform a contact belongs to.
pub async fn platform_of(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<i64>> {
    contacts::table
        .find(id)
        .select(contacts::platform_id)
        .first(conn)
        .await
        .optional()
}

/// The contact with `id`, locked until the end of the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Contact>> {
    contacts::table
        .find(id)
        .select(Contact::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Replaces a contact's writable fields and bumps its version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: i64,
    changes: &ContactFields,
) -> QueryResult<Contact> {
    diesel::update(contacts::table.find(id))
        .set((
            changes,
            contacts::version.eq(contacts::version + 1),
            contacts::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Contact::as_returning())
        .get_result(conn)
        .await
}

/// Deletes a contact.
pub async fn delete(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<()> {
    diesel::delete(contacts::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}
