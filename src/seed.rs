//! Loads the sample data of `seeds/` (compiled into the binary) into the database.
//!
//! Idempotent by construction: a record whose key exists is left exactly as it is, so a second run
//! changes nothing, and a record an operator has since edited is never overwritten.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::json;

use crate::auth::Actor;
use crate::db::schema::{list_declared_counts, list_editions, ministries};
use crate::domain::{
    ContactRole, MinistryStatus, PlatformProfile, ProfileConfidence, ProvinceAction, Vocabulary,
    normalize_text,
};
use crate::registry::changes::{ChangeRecord, diff, record_changes};
use crate::registry::contacts::ContactInput;
use crate::registry::platforms::{self, Origin, PlatformInput, ValidPlatform};

const MINISTRIES_CSV: &str = include_str!("../seeds/ministries.csv");
const PLATFORMS_CSV: &str = include_str!("../seeds/platforms.csv");
const PROFILES_CSV: &str = include_str!("../seeds/platform-profiles.csv");
const LISTS_CSV: &str = include_str!("../seeds/lists.csv");
const DECLARED_COUNTS_CSV: &str = include_str!("../seeds/list_declared_counts.csv");
const PROVINCES_CSV: &str = include_str!("../seeds/provinces.csv");

/// Where the provinces come from, and how well it is attested (`shared/domain/NOTES.md`).
const PROVINCES_SOURCE: &str =
    "Nghị quyết 202/2025/QH15 của Quốc hội (12/6/2025), hiệu lực từ 01/7/2025";
const PROVINCES_CONFIDENCE: &str = "general_knowledge";

/// The date the 2025 reorganisation of ministries took effect (Resolution 176/2025/QH15).
const REORGANISATION_2025: (i32, u32, u32) = (2025, 3, 1);

/// Who the history names as the author of seeded records.
pub const SEED_ACTOR: &str = "ndp-registry seed";

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Agencies inserted.
    pub ministries: usize,
    /// List editions inserted.
    pub lists: usize,
    /// Platforms inserted.
    pub platforms: usize,
    /// Contacts inserted.
    pub contacts: usize,
    /// Provinces and centrally-run cities inserted.
    pub provinces: usize,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "inserted {} agencies, {} list editions, {} platforms, {} contacts, {} provinces (existing records left unchanged)",
            self.ministries, self.lists, self.platforms, self.contacts, self.provinces
        )
    }
}

/// A failure to load the seeds.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// A seed file does not parse.
    #[error("seeds/{file}: {message}")]
    Data {
        /// The file.
        file: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The database refused the data.
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
}

#[derive(Debug, Deserialize)]
struct MinistryRow {
    code: String,
    code_vi: String,
    name_vi: String,
    name_en: String,
    abbr_en: String,
    kind: String,
    agency_id: String,
    agency_id_confidence: String,
    active_2026: String,
    successor_code: String,
    successor_effective: String,
    notes: String,
}

#[derive(Debug, Deserialize)]
struct PlatformRow {
    code: String,
    name_vi: String,
    name_en: String,
    short_name: String,
    description: String,
    owner_code: String,
    owner_code_before_2025: String,
    operator: String,
    url: String,
    domains: String,
    audiences: String,
    status: String,
    legal_basis_number: String,
    legal_basis_date: String,
    lists: String,
    public_support: String,
    source: String,
    confidence: String,
}

#[derive(Debug, Deserialize)]
struct ProfileRow {
    code: String,
    capabilities: String,
    capabilities_en: String,
    users: String,
    aliases: String,
    province_action: String,
    province_action_note: String,
    source: String,
    confidence: String,
}

impl ProfileRow {
    /// The profile as the API stores it.
    fn profile(&self) -> Result<serde_json::Value, SeedError> {
        let items = |v: &str| -> Vec<String> {
            v.split(';')
                .map(normalize_text)
                .filter(|s| !s.is_empty())
                .collect()
        };
        let bad = |message: String| SeedError::Data {
            file: "platform-profiles.csv",
            message,
        };
        let profile = PlatformProfile {
            capabilities: items(&self.capabilities),
            capabilities_en: items(&self.capabilities_en),
            users: items(&self.users),
            aliases: items(&self.aliases),
            province_action: match self.province_action.trim() {
                "" => None,
                code => Some(
                    ProvinceAction::parse(code)
                        .ok_or_else(|| bad(format!("{}: province_action {code:?}", self.code)))?,
                ),
            },
            province_action_note: opt(&self.province_action_note).map(|s| normalize_text(&s)),
            source: opt(&self.source).map(|s| normalize_text(&s)),
            confidence: match self.confidence.trim() {
                "" => None,
                code => Some(
                    ProfileConfidence::parse(code)
                        .ok_or_else(|| bad(format!("{}: confidence {code:?}", self.code)))?,
                ),
            },
        };
        serde_json::to_value(profile).map_err(|e| bad(e.to_string()))
    }
}

#[derive(Debug, Deserialize)]
struct ListRow {
    key: String,
    document: String,
    title_vi: String,
    title_en: String,
    issued_on: NaiveDate,
    declared_total: Option<i32>,
    source: String,
}

#[derive(Debug, Deserialize)]
struct ProvinceRow {
    code: String,
    name_vi: String,
    kind: String,
    since: String,
    predecessors_merged_2025: String,
}

#[derive(Debug, Deserialize)]
struct DeclaredCountRow {
    list_key: String,
    ministry_code: String,
    declared_count: i32,
}

fn parse<T: for<'de> Deserialize<'de>>(
    file: &'static str,
    text: &str,
) -> Result<Vec<T>, SeedError> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|error| SeedError::Data {
            file,
            message: error.to_string(),
        })
}

fn opt(value: &str) -> Option<String> {
    let value = normalize_text(value);
    (!value.is_empty()).then_some(value)
}

fn list(value: &str) -> Vec<String> {
    value
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn date(file: &'static str, value: &str) -> Result<Option<NaiveDate>, SeedError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|error| SeedError::Data {
            file,
            message: format!("{value:?}: {error}"),
        })
}

/// `two sources` in the source data is `two_sources` in the vocabulary.
fn confidence(value: &str) -> String {
    value.trim().replace(' ', "_")
}

/// A published support channel as a contact: the digits are the phone number, the text its
/// source. Only channels an operating unit published itself are seeded, never a person.
fn support_contact(text: &str) -> Option<(String, String)> {
    let phone = text
        .split_whitespace()
        .find(|word| word.chars().filter(char::is_ascii_digit).count() >= 6)?
        .trim_matches(|c: char| !c.is_ascii_digit())
        .to_owned();
    let name = if normalize_text(text)
        .to_lowercase()
        .contains("hỗ trợ kỹ thuật")
    {
        "Hỗ trợ kỹ thuật"
    } else {
        "Đầu mối hỗ trợ"
    };
    Some((name.to_owned(), phone))
}

/// Loads every seed file in one transaction.
pub async fn run(conn: &mut AsyncPgConnection) -> Result<SeedReport, SeedError> {
    let agencies: Vec<MinistryRow> = parse("ministries.csv", MINISTRIES_CSV)?;
    let platform_rows: Vec<PlatformRow> = parse("platforms.csv", PLATFORMS_CSV)?;
    let profile_rows: Vec<ProfileRow> = parse("platform-profiles.csv", PROFILES_CSV)?;
    let mut profiles = std::collections::HashMap::new();
    for row in &profile_rows {
        profiles.insert(row.code.trim().to_owned(), row.profile()?);
    }
    let empty = serde_json::json!({});
    let list_rows: Vec<ListRow> = parse("lists.csv", LISTS_CSV)?;
    let counts: Vec<DeclaredCountRow> = parse("list_declared_counts.csv", DECLARED_COUNTS_CSV)?;
    let province_rows: Vec<ProvinceRow> = parse("provinces.csv", PROVINCES_CSV)?;
    let actor = Actor::system(SEED_ACTOR);
    conn.transaction(async |conn| {
        let mut report = SeedReport {
            ministries: seed_ministries(conn, &agencies).await?.len(),
            lists: seed_lists(conn, &list_rows, &counts).await?,
            provinces: seed_provinces(conn, &province_rows).await?,
            ..SeedReport::default()
        };
        for row in &platform_rows {
            let profile = profiles.get(row.code.trim()).unwrap_or(&empty);
            if let Some(contacts) = seed_platform(conn, &actor, row, profile).await? {
                report.platforms += 1;
                report.contacts += contacts;
            }
        }
        Ok(report)
    })
    .await
}

async fn seed_ministries(
    conn: &mut AsyncPgConnection,
    rows: &[MinistryRow],
) -> Result<Vec<String>, SeedError> {
    let mut inserted = Vec::new();
    // Successors first: a merged agency's row refers to its successor's.
    let (active, reorganised): (Vec<&MinistryRow>, Vec<&MinistryRow>) =
        rows.iter().partition(|r| r.active_2026.trim() == "yes");
    for row in active.into_iter().chain(reorganised) {
        let is_active = row.active_2026.trim() == "yes";
        let status = if is_active {
            MinistryStatus::Active
        } else if row.notes.trim_start().starts_with("dissolved") {
            MinistryStatus::Dissolved
        } else {
            MinistryStatus::Merged
        };
        let code: Option<String> = diesel::insert_into(ministries::table)
            .values((
                ministries::code.eq(row.code.trim()),
                ministries::code_vi.eq(normalize_text(&row.code_vi)),
                ministries::name_vi.eq(normalize_text(&row.name_vi)),
                ministries::name_en.eq(normalize_text(&row.name_en)),
                ministries::abbr_en.eq(opt(&row.abbr_en)),
                ministries::kind.eq(row.kind.trim()),
                ministries::agency_id.eq(opt(&row.agency_id)),
                ministries::agency_id_confidence.eq(opt(&row.agency_id_confidence)),
                ministries::status.eq(status.as_str()),
                ministries::successor_code.eq(opt(&row.successor_code)),
                ministries::succeeded_on.eq(date("ministries.csv", &row.successor_effective)?),
                ministries::notes.eq(opt(&row.notes)),
            ))
            .on_conflict_do_nothing()
            .returning(ministries::code)
            .get_result(conn)
            .await
            .optional()?;
        inserted.extend(code);
    }
    // Recorded once all are in, so that each state shows its predecessors.
    for code in &inserted {
        if let Some(row) = crate::db::ministries::find(conn, code).await? {
            let response = crate::views::ministries::ministry_response(conn, row)
                .await
                .map_err(api_failure)?;
            let state = serde_json::to_value(&response).map_err(|e| SeedError::Data {
                file: "ministries.csv",
                message: e.to_string(),
            })?;
            log(conn, "ministry", code, state).await?;
        }
    }
    Ok(inserted)
}

fn api_failure(error: crate::error::ApiError) -> SeedError {
    SeedError::Data {
        file: "(representation)",
        message: error.to_string(),
    }
}

/// Records a seeded record's creation in the history and the change feed.
async fn log(
    conn: &mut AsyncPgConnection,
    entity: &str,
    key: &str,
    state: serde_json::Value,
) -> Result<(), SeedError> {
    let change = ChangeRecord {
        entity,
        key: key.to_owned(),
        platform_id: None,
        action: "created",
        changes: diff(&serde_json::Value::Null, &state),
        version: None,
        state: Some(state),
    };
    record_changes(conn, &Actor::system(SEED_ACTOR), vec![change])
        .await
        .map_err(api_failure)
}

async fn seed_lists(
    conn: &mut AsyncPgConnection,
    rows: &[ListRow],
    counts: &[DeclaredCountRow],
) -> Result<usize, SeedError> {
    let mut inserted = 0;
    for row in rows {
        let added = diesel::insert_into(list_editions::table)
            .values((
                list_editions::key.eq(&row.key),
                list_editions::document.eq(normalize_text(&row.document)),
                list_editions::title_vi.eq(normalize_text(&row.title_vi)),
                list_editions::title_en.eq(normalize_text(&row.title_en)),
                list_editions::issued_on.eq(row.issued_on),
                list_editions::declared_total.eq(row.declared_total),
                list_editions::source.eq(normalize_text(&row.source)),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        if added > 0 {
            let state = serde_json::json!({
                "key": row.key, "document": normalize_text(&row.document), "title_vi": normalize_text(&row.title_vi),
                "title_en": normalize_text(&row.title_en), "issued_on": row.issued_on,
                "declared_total": row.declared_total, "source": normalize_text(&row.source),
            });
            log(conn, "list", &row.key, state).await?;
        }
        inserted += added;
    }
    for count in counts {
        diesel::insert_into(list_declared_counts::table)
            .values((
                list_declared_counts::list_key.eq(&count.list_key),
                list_declared_counts::ministry_code.eq(&count.ministry_code),
                list_declared_counts::declared_count.eq(count.declared_count),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(inserted)
}

/// Inserts the provinces with the former provinces each absorbed; existing codes are left alone.
async fn seed_provinces(
    conn: &mut AsyncPgConnection,
    rows: &[ProvinceRow],
) -> Result<usize, SeedError> {
    use crate::db::provinces::{Predecessor, Province, insert_if_absent};
    use crate::domain::fold_province_name;
    let mut inserted = 0;
    for row in rows {
        let code = row.code.trim().to_owned();
        let name_vi = normalize_text(&row.name_vi);
        let province = Province {
            code: code.clone(),
            name_folded: fold_province_name(&name_vi),
            name_vi,
            kind: row.kind.trim().to_owned(),
            formed_on: date("provinces.csv", &row.since)?,
            source: PROVINCES_SOURCE.to_owned(),
            confidence: PROVINCES_CONFIDENCE.to_owned(),
        };
        let predecessors: Vec<Predecessor> = list(&row.predecessors_merged_2025)
            .iter()
            .zip(1..)
            .map(|(name, position)| Predecessor {
                province_code: code.clone(),
                position,
                name_vi: normalize_text(name),
                folded: fold_province_name(name),
            })
            .collect();
        if insert_if_absent(conn, &province, &predecessors).await? {
            inserted += 1;
        }
    }
    Ok(inserted)
}

/// Creates one platform, with its owners, lists and contacts, the way the API creates one
/// (validated, recorded); `None` when it already exists.
async fn seed_platform(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: &PlatformRow,
    profile: &serde_json::Value,
) -> Result<Option<usize>, SeedError> {
    let code = row.code.trim();
    if crate::db::platforms::find_id(conn, code).await?.is_some() {
        return Ok(None);
    }
    let invalid = |error: crate::error::ApiError| SeedError::Data {
        file: "platforms.csv",
        message: format!("{code}: {}", described(&error)),
    };
    let url = opt(&row.url);
    let operator = opt(&row.operator);
    let source = opt(&row.source);
    let legal_basis = match opt(&row.legal_basis_number) {
        Some(number) => {
            json!({"number": number, "date": date("platforms.csv", &row.legal_basis_date)?})
        }
        None => serde_json::Value::Null,
    };
    let input: PlatformInput = serde_json::from_value(json!({
        "code": code,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "short_name": opt(&row.short_name),
        "description": opt(&row.description),
        "operator": operator,
        "domains": list(&row.domains),
        "audiences": list(&row.audiences),
        "status": row.status.trim(),
        "url": url,
        "legal_basis": legal_basis,
        "source": source,
        "profile": profile.as_object().filter(|p| !p.is_empty()),
    }))
    .map_err(|e| SeedError::Data {
        file: "platforms.csv",
        message: format!("{code}: {e}"),
    })?;
    let (code, valid) = ValidPlatform::new_platform(&input).map_err(invalid)?;
    let mut contacts = Vec::new();
    if let Some((name, phone)) = support_contact(&row.public_support) {
        let published = normalize_text(&row.public_support);
        let contact = ContactInput {
            role: ContactRole::TechnicalSupport,
            name,
            unit: operator.clone(),
            email: None,
            phone: Some(phone),
            url: url.clone(),
            notes: None,
            source: Some(match &url {
                Some(url) => format!("{published}; {url}"),
                None => published,
            }),
        };
        contacts.push(contact.validate().map_err(invalid)?);
    }
    let (year, month, day) = REORGANISATION_2025;
    let owner_before = opt(&row.owner_code_before_2025);
    let confidence = confidence(&row.confidence);
    let origin = Origin {
        confidence: &confidence,
        owned_since: owner_before
            .as_ref()
            .and_then(|_| NaiveDate::from_ymd_opt(year, month, day)),
        reason: owner_before
            .as_ref()
            .map(|_| "Reorganisation of ministries, Resolution 176/2025/QH15"),
        owner_before: owner_before.as_deref(),
        lists: list(&row.lists),
        list_source: source.as_deref(),
        contacts,
    };
    let owner = row.owner_code.trim();
    platforms::create(conn, actor, &code, owner, &valid, &origin)
        .await
        .map_err(invalid)?;
    Ok(Some(origin.contacts.len()))
}

/// An error with the fields it names, for a seed failure.
fn described(error: &crate::error::ApiError) -> String {
    let fields: Vec<String> = error
        .field_errors()
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect();
    if fields.is_empty() {
        error.to_string()
    } else {
        fields.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_file_parses() {
        assert_eq!(
            parse::<MinistryRow>("ministries.csv", MINISTRIES_CSV)
                .unwrap()
                .len(),
            32
        );
        assert_eq!(
            parse::<PlatformRow>("platforms.csv", PLATFORMS_CSV)
                .unwrap()
                .len(),
            79
        );
        let profiles = parse::<ProfileRow>("platform-profiles.csv", PROFILES_CSV).unwrap();
        let platforms = parse::<PlatformRow>("platforms.csv", PLATFORMS_CSV).unwrap();
        assert_eq!(
            profiles.iter().map(|p| &p.code).collect::<Vec<_>>(),
            platforms.iter().map(|p| &p.code).collect::<Vec<_>>(),
            "one profile per platform, in the same order"
        );
        for row in &profiles {
            let profile = PlatformProfile::from_stored(&row.profile().unwrap());
            assert!(
                (3..=8).contains(&profile.capabilities.len()),
                "{}: {} capabilities",
                row.code,
                profile.capabilities.len()
            );
            assert_eq!(
                profile.capabilities.len(),
                profile.capabilities_en.len(),
                "{}",
                row.code
            );
            assert!(profile.province_action.is_some() && profile.source.is_some());
        }
        assert_eq!(parse::<ListRow>("lists.csv", LISTS_CSV).unwrap().len(), 3);
        let provinces = parse::<ProvinceRow>("provinces.csv", PROVINCES_CSV).unwrap();
        assert_eq!(provinces.len(), 34);
        let merged: usize = provinces
            .iter()
            .map(|p| list(&p.predecessors_merged_2025).len())
            .sum();
        // 23 units formed from 52 former provinces (Resolution 202/2025/QH15).
        assert_eq!(
            provinces
                .iter()
                .filter(|p| !p.predecessors_merged_2025.is_empty())
                .count(),
            23
        );
        assert_eq!(merged, 52);
        assert!(
            !parse::<DeclaredCountRow>("list_declared_counts.csv", DECLARED_COUNTS_CSV)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_published_support_line_becomes_a_phone_contact() {
        let (name, phone) =
            support_contact("Số hỗ trợ kỹ thuật 024.62739677 (đăng trên trang của hệ thống)")
                .unwrap();
        assert_eq!(name, "Hỗ trợ kỹ thuật");
        assert_eq!(phone, "024.62739677");
        assert_eq!(support_contact(""), None);
    }
}
