//! Adoption records: which province uses which national platform, since when, and what it
//! replaced. A province writes its own records (directly, or through a decision on an overlap
//! receipt); each change is recorded under the key `PROVINCE/platform-code`.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::db::adoptions::{self as adoption_db, AdoptionChangeset, AdoptionView};
use crate::db::platforms::Platform;
use crate::domain::{AdoptionStatus, Vocabulary};
use crate::error::{ApiError, ProblemCode};
use crate::registry::changes::{ChangeRecord, diff, record_change, state_of};
use crate::registry::validate::{Checker, rule};
use crate::views::adoptions::AdoptionResponse;

/// What a province records about one national platform.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "status": "in_use", "since": "2025-08-01",
    "local_system": "Cổng dịch vụ công tỉnh Bình Dương",
    "note": "Đăng nhập bằng VNeID trên cổng dịch vụ công của Thành phố.",
    "evidence_url": "https://dichvucong.hochiminhcity.gov.vn"
}))]
pub struct AdoptionInput {
    /// Where the province stands with the platform.
    #[schema(value_type = AdoptionStatus)]
    pub status: String,
    /// The day this status took effect (for `planned`, the day it is planned for), `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date, example = "2025-08-01")]
    pub since: String,
    /// The province's own system that the platform replaced or that connects to it, 2 to 300
    /// characters.
    #[serde(default)]
    #[schema(pattern = "{line? 2..300}")]
    pub local_system: Option<String>,
    /// A note, up to 2000 characters.
    #[serde(default)]
    #[schema(pattern = "{lines? 1..2000}")]
    pub note: Option<String>,
    /// A public page that shows it (a decision, an announcement, the service itself).
    #[serde(default)]
    #[schema(pattern = "{url?}")]
    pub evidence_url: Option<String>,
}

/// A validated adoption record.
#[derive(Clone, Debug)]
pub struct ValidAdoption {
    status: AdoptionStatus,
    since: NaiveDate,
    local_system: Option<String>,
    note: Option<String>,
    evidence_url: Option<String>,
}

impl ValidAdoption {
    /// The default record a decision writes: `status` since `since`, nothing else.
    pub fn new(status: AdoptionStatus, since: NaiveDate) -> Self {
        Self {
            status,
            since,
            local_system: None,
            note: None,
            evidence_url: None,
        }
    }

    fn changeset(&self) -> AdoptionChangeset<'_> {
        AdoptionChangeset {
            status: self.status.as_str(),
            since: self.since,
            local_system: self.local_system.as_deref(),
            note: self.note.as_deref(),
            evidence_url: self.evidence_url.as_deref(),
        }
    }

    fn snapshot(&self) -> Value {
        json!({
            "status": self.status.as_str(), "since": self.since, "local_system": self.local_system,
            "note": self.note, "evidence_url": self.evidence_url,
        })
    }
}

/// Parses a `YYYY-MM-DD` calendar date.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let shape = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shape
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
}

impl AdoptionInput {
    /// Checks a record sent on its own: every problem at once.
    pub fn check(&self) -> Result<ValidAdoption, ApiError> {
        let mut c = Checker::default();
        let valid = self.validate(&mut c, "");
        c.finish()?;
        valid.ok_or_else(|| ApiError::internal("validated above"))
    }

    /// Checks every field, naming each problem under `prefix` (`""` or `"adoption."`).
    pub fn validate(&self, c: &mut Checker, prefix: &str) -> Option<ValidAdoption> {
        let field = |name: &str| format!("{prefix}{name}");
        let status = AdoptionStatus::parse(self.status.trim());
        if status.is_none() {
            c.fail(
                &field("status"),
                format!(
                    "{:?} is not one of {}",
                    self.status,
                    AdoptionStatus::codes().join(", ")
                ),
            );
        }
        let since = parse_date(self.since.trim());
        if since.is_none() {
            c.fail(
                &field("since"),
                format!(
                    "{:?} is not a date; use YYYY-MM-DD, such as 2025-08-01",
                    self.since
                ),
            );
        }
        let local_system = c.optional_text(
            &field("local_system"),
            self.local_system.as_deref(),
            rule::<Self>("local_system"),
        );
        let note = c.optional_text(&field("note"), self.note.as_deref(), rule::<Self>("note"));
        let evidence_url = c.url(&field("evidence_url"), self.evidence_url.as_deref());
        Some(ValidAdoption {
            status: status?,
            since: since?,
            local_system,
            note,
            evidence_url,
        })
    }
}

/// The writable state of a stored record: the base of the history's diffs.
fn snapshot(v: &AdoptionView) -> Value {
    json!({
        "status": v.status, "since": v.since, "local_system": v.local_system, "note": v.note,
        "evidence_url": v.evidence_url,
    })
}

/// The answer when a province has no record for a platform.
pub fn not_found(province: &str, platform: &str) -> ApiError {
    ApiError::new(
        ProblemCode::AdoptionNotFound,
        format!("{province} has no adoption record for {platform}."),
    )
}

/// The key of an adoption in the history and the change feed: `PROVINCE/platform-code`.
pub fn key(province: &str, platform: &str) -> String {
    format!("{province}/{platform}")
}

/// The current record of `province` for `platform`, locked for a write.
pub async fn lock_current(
    conn: &mut AsyncPgConnection,
    province: &str,
    platform: &Platform,
) -> Result<Option<AdoptionView>, ApiError> {
    Ok(adoption_db::find(conn, province, platform.id, true).await?)
}

/// Creates or replaces the record in the caller's transaction and records the change (history,
/// change feed, webhooks). Returns the record and whether it was created; a replacement that
/// changes nothing records nothing.
pub async fn write(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    current: Option<AdoptionView>,
    province: &str,
    platform: &Platform,
    valid: &ValidAdoption,
) -> Result<(AdoptionResponse, bool), ApiError> {
    let before = current.as_ref().map_or(Value::Null, snapshot);
    let changes = diff(&before, &valid.snapshot());
    if let Some(view) = &current
        && changes.as_object().is_some_and(serde_json::Map::is_empty)
    {
        return Ok((AdoptionResponse::from(view.clone()), false));
    }
    adoption_db::upsert(conn, province, platform.id, &valid.changeset()).await?;
    let stored = adoption_db::find(conn, province, platform.id, false)
        .await?
        .ok_or_else(|| ApiError::internal("an adoption record vanished after its write"))?;
    let response = AdoptionResponse::from(stored);
    let created = current.is_none();
    let change = ChangeRecord {
        entity: "adoption",
        key: key(province, &platform.code).to_string(),
        platform_id: None,
        action: if created {
            "adoption_recorded"
        } else {
            "adoption_updated"
        },
        changes,
        version: Some(response.version),
        state: Some(state_of(&response)?),
    };
    record_change(conn, actor, change).await?;
    Ok((response, created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_full_iso_dates() {
        assert_eq!(
            parse_date("2025-07-01"),
            NaiveDate::from_ymd_opt(2025, 7, 1)
        );
        for bad in [
            "2025-7-1",
            "2025-02-30",
            "01/07/2025",
            "2025-07-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let input = AdoptionInput {
            status: "using".into(),
            since: "2025-13-01".into(),
            local_system: Some("x".into()),
            note: None,
            evidence_url: Some("ftp://x.vn".into()),
        };
        let mut c = Checker::default();
        assert!(input.validate(&mut c, "adoption.").is_none());
        let fields: Vec<&str> = c.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "adoption.status",
                "adoption.since",
                "adoption.local_system",
                "adoption.evidence_url"
            ]
        );
    }
}
