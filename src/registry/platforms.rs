//! Platforms: the fields a client writes and their rules, creation, replacement, retirement and
//! transfer, each recorded in the change log.

use chrono::{NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::changes::{ChangeRecord, diff, record_changes, state_of};
use crate::auth::Actor;
use crate::db::lists;
use crate::db::platforms::{
    self as platform_db, NewOwnership, NewPlatform, Platform, PlatformChangeset,
};
use crate::db::tokens;
use crate::domain::{
    Audience, Domain, MAX_PROFILE_ITEMS, MinistryCode, NdxpStatus, PlatformCode, PlatformProfile,
    PlatformStatus, Vocabulary,
};
use crate::error::{ApiError, FieldError, ProblemCode};
use crate::registry::contacts::{self, ValidContact};
use crate::registry::validate::{Checker, rule};
use crate::views::platforms::{PlatformResponse, platform_responses};

/// The fields of a platform a client writes. `code` is required on create and immutable after;
/// `ministry` defaults to the token's own ministry and only an operator may name another.
/// Everything else the registry keeps (`version`, timestamps, contacts, lists, ownership) is not
/// writable here: a body naming such a field is refused.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "he-thong-quan-ly-van-ban-dieu-hanh",
    "name_vi": "Hệ thống quản lý văn bản và điều hành",
    "name_en": "Document management and administration system",
    "short_name": "QLVB",
    "description": "Hệ thống dùng chung để quản lý văn bản đến, văn bản đi và điều hành công việc.",
    "operator": "Cục Công nghệ thông tin",
    "domains": ["government_operations"],
    "audiences": ["government"],
    "status": "operational",
    "url": "https://qlvb.example.gov.vn",
    "ndxp_status": "connected",
    "legal_basis": {"number": "123/QĐ-BTC", "date": "2024-05-02"}
}))]
pub struct PlatformInput {
    /// The stable slug, `[a-z0-9][a-z0-9-]{1,62}`: required on create, immutable afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{1,62}$")]
    pub code: Option<String>,
    /// The Vietnamese name, 2 to 300 characters.
    #[schema(pattern = "{line 2..300}")]
    pub name_vi: String,
    /// The English name, 2 to 300 characters.
    #[schema(pattern = "{line 2..300}")]
    pub name_en: String,
    /// The short name or acronym, at most 60 characters.
    #[serde(default)]
    #[schema(pattern = "{line? 1..60}")]
    pub short_name: Option<String>,
    /// What the platform does, at most 4000 characters.
    #[serde(default)]
    #[schema(pattern = "{lines? 1..4000}")]
    pub description: Option<String>,
    /// The owner's code. Optional for a ministry token (its own ministry, the only one it may
    /// name); required for an operator. Ownership changes go through `/transfer`.
    #[serde(default)]
    #[schema(pattern = "{ministry}")]
    pub ministry: Option<String>,
    /// The operating unit, 2 to 300 characters.
    #[serde(default)]
    #[schema(pattern = "{line? 2..300}")]
    pub operator: Option<String>,
    /// At least one field served.
    #[schema(min_items = 1)]
    pub domains: Vec<Domain>,
    /// Who it is for.
    #[serde(default)]
    pub audiences: Vec<Audience>,
    /// The lifecycle status.
    pub status: PlatformStatus,
    /// The public http(s) address, at most 500 characters.
    #[serde(default)]
    #[schema(pattern = "{url?}")]
    pub url: Option<String>,
    /// The NDXP connection status (default `unknown`).
    #[serde(default)]
    pub ndxp_status: Option<NdxpStatus>,
    /// The document that establishes or governs it.
    #[serde(default)]
    pub legal_basis: Option<LegalBasisInput>,
    /// Where the facts come from, at most 2000 characters.
    #[serde(default)]
    #[schema(pattern = "{lines? 1..2000}")]
    pub source: Option<String>,
    /// What it does in a province's words, its other names, and what a province should do
    /// instead of building its own. Left out (or `null`), the stored profile is kept.
    #[serde(default)]
    pub profile: Option<PlatformProfile>,
}

crate::openapi::create_body!(
    /// The body of `POST /platforms`: a `PlatformInput` with its `code`.
    NewPlatformInput,
    PlatformInput
);

/// A JSON Merge Patch (RFC 7396) of a platform, as the documentation of `PATCH`: fields sent
/// replace the stored ones, `null` clears an optional one, fields left out stay. The result must
/// still be a valid platform (a `legal_basis` patch without `number` needs a stored number). The
/// code is immutable and ownership changes through `/transfer`, so neither is patched.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformPatch {
    /// The Vietnamese name, 2 to 300 characters.
    #[schema(pattern = "{line 2..300}", nullable = false)]
    pub name_vi: Option<String>,
    /// The English name, 2 to 300 characters.
    #[schema(pattern = "{line 2..300}", nullable = false)]
    pub name_en: Option<String>,
    /// The short name or acronym, at most 60 characters.
    #[schema(pattern = "{line? 1..60}")]
    pub short_name: Option<String>,
    /// What the platform does, at most 4000 characters.
    #[schema(pattern = "{lines? 1..4000}")]
    pub description: Option<String>,
    /// The operating unit, 2 to 300 characters.
    #[schema(pattern = "{line? 2..300}")]
    pub operator: Option<String>,
    /// At least one field served.
    #[schema(min_items = 1, nullable = false)]
    pub domains: Option<Vec<Domain>>,
    /// Who it is for.
    pub audiences: Option<Vec<Audience>>,
    /// The lifecycle status.
    #[schema(nullable = false)]
    pub status: Option<PlatformStatus>,
    /// The public http(s) address, at most 500 characters.
    #[schema(pattern = "{url?}")]
    pub url: Option<String>,
    /// The NDXP connection status (`null` resets it to `unknown`).
    pub ndxp_status: Option<NdxpStatus>,
    /// The document that establishes or governs it, itself merged.
    pub legal_basis: Option<LegalBasisPatch>,
    /// Where the facts come from, at most 2000 characters.
    #[schema(pattern = "{lines? 1..2000}")]
    pub source: Option<String>,
    /// The profile, itself merged: fields sent replace the stored ones.
    pub profile: Option<PlatformProfile>,
}

/// A merge patch of a platform's legal basis.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasisPatch {
    /// The document number, 2 to 100 characters.
    #[schema(example = "833/QĐ-TCHQ", pattern = "{line 2..100}", nullable = false)]
    pub number: Option<String>,
    /// The signing date.
    pub date: Option<NaiveDate>,
}

/// A legal document reference in a write.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasisInput {
    /// The document number, 2 to 100 characters.
    #[schema(example = "833/QĐ-TCHQ", pattern = "{line 2..100}")]
    pub number: String,
    /// The signing date.
    #[serde(default)]
    #[schema(example = "2015-03-26")]
    pub date: Option<NaiveDate>,
}

/// A validated platform input.
#[derive(Clone)]
pub struct ValidPlatform {
    pub code: Option<PlatformCode>,
    pub ministry: Option<MinistryCode>,
    name_vi: String,
    name_en: String,
    short_name: Option<String>,
    description: String,
    operator: Option<String>,
    domains: Vec<&'static str>,
    audiences: Vec<&'static str>,
    status: &'static str,
    url: Option<String>,
    ndxp_status: &'static str,
    legal_basis_number: Option<String>,
    legal_basis_date: Option<NaiveDate>,
    source: Option<String>,
    /// The profile sent, or `None` to keep the stored one.
    profile: Option<Value>,
}

impl ValidPlatform {
    /// The columns to write, keeping `stored_profile` when no profile was sent.
    fn changeset<'a>(&'a self, stored_profile: &'a Value) -> PlatformChangeset<'a> {
        PlatformChangeset {
            profile: self.profile.as_ref().unwrap_or(stored_profile),
            name_vi: &self.name_vi,
            name_en: &self.name_en,
            short_name: self.short_name.as_deref(),
            description: &self.description,
            operator: self.operator.as_deref(),
            domains: self.domains.clone(),
            audiences: self.audiences.clone(),
            status: self.status,
            url: self.url.as_deref(),
            ndxp_status: self.ndxp_status,
            legal_basis_number: self.legal_basis_number.as_deref(),
            legal_basis_date: self.legal_basis_date,
            source: self.source.as_deref(),
        }
    }
}

pub fn unique<V: Vocabulary + PartialEq>(values: &[V]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for v in values {
        if !out.contains(&v.as_str()) {
            out.push(v.as_str());
        }
    }
    out
}

pub fn validate(input: &PlatformInput) -> Result<ValidPlatform, ApiError> {
    let mut c = Checker::default();
    let code = match input.code.as_deref().map(PlatformCode::parse) {
        None => None,
        Some(Ok(code)) => Some(code),
        Some(Err(message)) => {
            c.fail("code", message);
            None
        }
    };
    let ministry = match input.ministry.as_deref().map(MinistryCode::parse) {
        None => None,
        Some(Ok(code)) => Some(code),
        Some(Err(message)) => {
            c.fail("ministry", message);
            None
        }
    };
    if input.domains.is_empty() {
        c.fail("domains", "must name at least one domain");
    }
    if let Some(date) = input.legal_basis.as_ref().and_then(|l| l.date) {
        c.date("legal_basis.date", date);
    }
    let legal_basis_number = input.legal_basis.as_ref().map(|l| {
        c.text(
            "legal_basis.number",
            &l.number,
            rule::<LegalBasisInput>("number"),
        )
    });
    let valid = ValidPlatform {
        code,
        ministry,
        name_vi: c.text("name_vi", &input.name_vi, rule::<PlatformInput>("name_vi")),
        name_en: c.text("name_en", &input.name_en, rule::<PlatformInput>("name_en")),
        short_name: c.optional_text(
            "short_name",
            input.short_name.as_deref(),
            rule::<PlatformInput>("short_name"),
        ),
        description: c
            .optional_text(
                "description",
                input.description.as_deref(),
                rule::<PlatformInput>("description"),
            )
            .unwrap_or_default(),
        operator: c.optional_text(
            "operator",
            input.operator.as_deref(),
            rule::<PlatformInput>("operator"),
        ),
        domains: unique(&input.domains),
        audiences: unique(&input.audiences),
        status: input.status.as_str(),
        url: c.url("url", input.url.as_deref()),
        ndxp_status: input.ndxp_status.unwrap_or(NdxpStatus::Unknown).as_str(),
        legal_basis_number,
        legal_basis_date: input.legal_basis.as_ref().and_then(|l| l.date),
        source: c.optional_text(
            "source",
            input.source.as_deref(),
            rule::<PlatformInput>("source"),
        ),
        profile: input
            .profile
            .as_ref()
            .map(|p| validate_profile(&mut c, p))
            .and_then(|p| serde_json::to_value(p).ok()),
    };
    c.finish()?;
    Ok(valid)
}

/// Checks a profile's texts, every problem at once, and returns it normalised.
pub fn validate_profile(c: &mut Checker, profile: &PlatformProfile) -> PlatformProfile {
    let list = |c: &mut Checker, field: &'static str, items: &[String]| -> Vec<String> {
        if items.len() > MAX_PROFILE_ITEMS {
            c.fail(
                &format!("profile.{field}"),
                format!("lists at most {MAX_PROFILE_ITEMS} items"),
            );
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                c.text(
                    &format!("profile.{field}[{i}]"),
                    item,
                    rule::<PlatformProfile>(field),
                )
            })
            .collect()
    };
    let capabilities = list(c, "capabilities", &profile.capabilities);
    let capabilities_en = list(c, "capabilities_en", &profile.capabilities_en);
    let users = list(c, "users", &profile.users);
    let aliases = list(c, "aliases", &profile.aliases);
    PlatformProfile {
        capabilities,
        capabilities_en,
        users,
        aliases,
        province_action: profile.province_action,
        province_action_note: c.optional_text(
            "profile.province_action_note",
            profile.province_action_note.as_deref(),
            rule::<PlatformProfile>("province_action_note"),
        ),
        source: c.optional_text(
            "profile.source",
            profile.source.as_deref(),
            rule::<PlatformProfile>("source"),
        ),
        confidence: profile.confidence,
    }
}

/// The single wire representation of `row`, rendered, with its tag.
pub async fn representation(
    conn: &mut AsyncPgConnection,
    row: Platform,
) -> Result<PlatformResponse, ApiError> {
    platform_responses(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("platform vanished"))
}

pub fn not_found(code: &str) -> ApiError {
    ApiError::not_found(format!("No platform has the code {code:?}."))
}

/// Checks that an active agency with `code` exists, and keeps its row locked `FOR SHARE` until
/// the transaction ends, so that no succession merges it meanwhile; `field` names the input at
/// fault.
pub async fn active_ministry(
    conn: &mut AsyncPgConnection,
    code: &str,
    field: &str,
) -> Result<(), ApiError> {
    match tokens::lock_ministry_standing(conn, code).await? {
        Some(s) if s.is_active() => Ok(()),
        Some(s) => Err(ApiError::validation(vec![crate::error::FieldError::new(
            field,
            format!(
                "{code} is no longer active; its successor is {}",
                s.successor_code.unwrap_or_default()
            ),
        )])),
        None => Err(ApiError::validation(vec![crate::error::FieldError::new(
            field,
            format!("{code:?} is not a known agency code"),
        )])),
    }
}

/// How new platforms enter the registry, besides their fields: how well attested they are, whose
/// they were before, which list editions name them and whom to contact about them.
pub struct Origin<'a> {
    /// How well attested the record is: `owner_declared` for a ministry's own declaration.
    pub confidence: &'a str,
    /// The day the current owner's period began; `None` when it began before the record did.
    pub owned_since: Option<NaiveDate>,
    /// Why that period began.
    pub reason: Option<&'a str>,
    /// The owner before, whose period ended the day before `owned_since`.
    pub owner_before: Option<&'a str>,
    /// The keys of the list editions that name the platforms, and where that is published.
    pub lists: Vec<String>,
    pub list_source: Option<&'a str>,
    /// The contact channels published with the platforms.
    pub contacts: Vec<ValidContact>,
}

impl Origin<'_> {
    /// Platforms a ministry declares today (an operator, for a ministry): the API's creations.
    pub fn declared() -> Origin<'static> {
        Origin {
            confidence: "owner_declared",
            owned_since: Some(Utc::now().date_naive()),
            reason: Some("Registered in the registry"),
            owner_before: None,
            lists: Vec::new(),
            list_source: None,
            contacts: Vec::new(),
        }
    }

    /// The ownership periods of platform `id`, owned by `owner` now.
    fn periods<'b>(&'b self, id: i64, owner: &'b str) -> Vec<NewOwnership<'b>> {
        let current = NewOwnership {
            platform_id: id,
            ministry_code: owner,
            valid_from: self.owned_since,
            valid_to: None,
            reason: self.reason,
        };
        match self.owner_before {
            None => vec![current],
            Some(before) => vec![
                NewOwnership {
                    platform_id: id,
                    ministry_code: before,
                    valid_from: None,
                    valid_to: self.owned_since.and_then(|d| d.pred_opt()),
                    reason: None,
                },
                current,
            ],
        }
    }
}

/// Inserts validated platforms owned by `owner`, with their ownership periods, list memberships
/// and contacts from `origin`, and records their creation (and their contacts'): a few
/// statements whatever their number (rows, ownerships, the representations' related rows and the
/// history each go in multi-row statements).
pub async fn insert_platforms(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    owner: &str,
    platforms: &[(&str, &ValidPlatform)],
    origin: &Origin<'_>,
) -> Result<Vec<PlatformResponse>, ApiError> {
    let empty = Value::Object(serde_json::Map::new());
    let changesets: Vec<PlatformChangeset<'_>> = platforms
        .iter()
        .map(|(_, valid)| valid.changeset(&empty))
        .collect();
    let new: Vec<NewPlatform<'_>> = platforms
        .iter()
        .zip(&changesets)
        .map(|((code, _), changes)| NewPlatform {
            code,
            ministry_code: owner,
            confidence: origin.confidence,
            changes: changes.clone(),
        })
        .collect();
    let rows = platform_db::insert_many(conn, &new).await?;
    let periods: Vec<NewOwnership<'_>> = rows
        .iter()
        .flat_map(|row| origin.periods(row.id, owner))
        .collect();
    platform_db::insert_ownerships(conn, &periods).await?;
    let mut contacts = Vec::new();
    for row in &rows {
        for key in &origin.lists {
            lists::add_member(conn, key, row.id, origin.list_source).await?;
        }
        contacts.extend(contacts::insert_all(conn, row.id, &origin.contacts).await?);
    }
    let created = rows
        .into_iter()
        .map(|row| {
            let changes = diff(&Value::Null, &row.snapshot());
            (row, "created", changes)
        })
        .collect();
    let responses = record_platform_changes(conn, actor, created).await?;
    let mut records = Vec::with_capacity(contacts.len());
    for (contact, response) in contacts
        .iter()
        .zip(responses.iter().flat_map(|r| &r.contacts))
    {
        let changes = diff(&Value::Null, &contacts::snapshot(contact));
        records.push(contacts::added_record(
            response,
            contact.platform_id,
            changes,
        )?);
    }
    record_changes(conn, actor, records).await?;
    Ok(responses)
}

/// `row`'s writable fields with the status `retired`: what retiring it writes.
pub fn retirement(row: &Platform) -> Result<ValidPlatform, ApiError> {
    let mut input: PlatformInput =
        serde_json::from_value(row.snapshot()).map_err(ApiError::internal)?;
    input.status = PlatformStatus::Retired;
    validate(&input)
}

/// The field-level diff that replacing `row`'s writable fields with `valid` would make.
pub fn replacement_diff(row: &Platform, valid: &ValidPlatform) -> Value {
    let candidate = Platform {
        name_vi: valid.name_vi.clone(),
        name_en: valid.name_en.clone(),
        short_name: valid.short_name.clone(),
        description: valid.description.clone(),
        operator: valid.operator.clone(),
        domains: valid.domains.iter().map(|s| (*s).to_owned()).collect(),
        audiences: valid.audiences.iter().map(|s| (*s).to_owned()).collect(),
        status: valid.status.to_owned(),
        url: valid.url.clone(),
        ndxp_status: valid.ndxp_status.to_owned(),
        legal_basis_number: valid.legal_basis_number.clone(),
        legal_basis_date: valid.legal_basis_date,
        source: valid.source.clone(),
        profile: valid.profile.clone().unwrap_or_else(|| row.profile.clone()),
        ..row.clone()
    };
    diff(&row.snapshot(), &candidate.snapshot())
}

/// Applies a replacement whose diff is `changes` (not empty) and records it.
pub async fn apply_replacement(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: Platform,
    valid: &ValidPlatform,
    changes: Value,
) -> Result<PlatformResponse, ApiError> {
    apply_replacements(conn, actor, vec![(row, valid, changes)])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("the updated platform vanished"))
}

/// Applies replacements (each with its non-empty diff) and records them: a few statements
/// whatever their number.
pub async fn apply_replacements(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    replacements: Vec<(Platform, &ValidPlatform, Value)>,
) -> Result<Vec<PlatformResponse>, ApiError> {
    let changesets: Vec<(i64, PlatformChangeset<'_>)> = replacements
        .iter()
        .map(|(row, valid, _)| (row.id, valid.changeset(&row.profile)))
        .collect();
    let updated = platform_db::update_many(conn, &changesets).await?;
    let changed = updated
        .into_iter()
        .zip(replacements)
        .map(|(new, (old, _, changes))| {
            let retired = PlatformStatus::Retired.as_str();
            let action = if new.status == retired && old.status != retired {
                "retired"
            } else {
                "updated"
            };
            (new, action, changes)
        })
        .collect();
    record_platform_changes(conn, actor, changed).await
}

/// Records a change to a platform with the representation it left, and returns that
/// representation.
pub async fn record_platform_change(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: Platform,
    action: &str,
    changes: Value,
) -> Result<PlatformResponse, ApiError> {
    record_platform_changes(conn, actor, vec![(row, action, changes)])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("platform vanished"))
}

/// Records changes to platforms, each with the representation it left, and returns those
/// representations: a few statements whatever their number.
pub async fn record_platform_changes(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    changed: Vec<(Platform, &str, Value)>,
) -> Result<Vec<PlatformResponse>, ApiError> {
    let mut rows = Vec::with_capacity(changed.len());
    let mut applied = Vec::with_capacity(changed.len());
    for (row, action, changes) in changed {
        applied.push((row.id, row.version, action, changes));
        rows.push(row);
    }
    let responses = platform_responses(conn, rows).await?;
    let mut records = Vec::with_capacity(responses.len());
    for ((id, version, action, changes), response) in applied.into_iter().zip(&responses) {
        records.push(ChangeRecord {
            entity: "platform",
            key: response.code.to_string(),
            platform_id: Some(id),
            action,
            changes,
            version: Some(version),
            state: Some(state_of(response)?),
        });
    }
    record_changes(conn, actor, records).await?;
    Ok(responses)
}

/// A transfer of ownership.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The new owner's code: an active agency.
    #[schema(example = "BTC", pattern = "{ministry}")]
    pub to: String,
    /// The first day of the new ownership; not in the future, not before the current period
    /// began. The day the current period began corrects that period's owner.
    #[schema(example = "2025-03-01")]
    pub effective_on: NaiveDate,
    /// Why, such as the decision that moved the function; 3 to 1000 characters.
    #[schema(
        example = "Nghị quyết 176/2025/QH15: hợp nhất Bộ Kế hoạch và Đầu tư vào Bộ Tài chính",
        pattern = "{line 3..1000}"
    )]
    pub reason: String,
}

impl ValidPlatform {
    /// A new platform's input checked: [`validate`], and its `code`, which creation requires.
    /// Returns the code with the valid input; every problem is named at once.
    pub fn new_platform(input: &PlatformInput) -> Result<(PlatformCode, ValidPlatform), ApiError> {
        let missing = input
            .code
            .is_none()
            .then(|| FieldError::new("code", "is required"));
        match (validate(input), missing) {
            (Ok(valid), None) => match valid.code.clone() {
                Some(code) => Ok((code, valid)),
                None => Err(ApiError::validation(vec![FieldError::new(
                    "code",
                    "is required",
                )])),
            },
            (Ok(_), Some(missing)) => Err(ApiError::validation(vec![missing])),
            (Err(error), missing) => Err(ApiError::validation(
                missing
                    .into_iter()
                    .chain(error.field_errors().to_vec())
                    .collect(),
            )),
        }
    }
}

/// Who owns a new platform: the ministry an operator names, or the token's own ministry (which
/// may name only itself).
pub fn owner_of_new(actor: &Actor, valid: &ValidPlatform) -> Result<String, ApiError> {
    match (&valid.ministry, &actor.ministry) {
        (Some(named), _) if actor.is_operator() => Ok(named.as_str().to_owned()),
        (None, _) if actor.is_operator() => Err(ApiError::validation(vec![FieldError::new(
            "ministry",
            "is required for an operator token",
        )])),
        (named, Some(own)) => {
            if let Some(named) = named {
                actor.require_owner(named.as_str())?;
            }
            Ok(own.clone())
        }
        (_, None) => Err(ApiError::new(
            ProblemCode::WrongMinistry,
            "This token names no ministry and is not an operator's.",
        )),
    }
}

/// Creates a platform owned by `owner`, an active agency, under a code no platform has. The API
/// creates with [`Origin::declared`]; the seed loader with what its files say.
pub async fn create(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    code: &PlatformCode,
    owner: &str,
    valid: &ValidPlatform,
    origin: &Origin<'_>,
) -> Result<PlatformResponse, ApiError> {
    active_ministry(conn, owner, "ministry").await?;
    if platform_db::find_id(conn, code.as_str()).await?.is_some() {
        return Err(ApiError::new(
            ProblemCode::PlatformExists,
            format!(
                "A platform with the code {:?} already exists; codes are unique and permanent.",
                code.as_str()
            ),
        ));
    }
    insert_platforms(conn, actor, owner, &[(code.as_str(), valid)], origin)
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("the inserted platform vanished"))
}

/// Replaces the writable fields of `row` (locked, its owner checked) with `valid`, and records
/// the change; an unchanged platform is answered as it is, with nothing recorded.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: Platform,
    valid: ValidPlatform,
) -> Result<PlatformResponse, ApiError> {
    if valid.code.as_ref().is_some_and(|c| c.as_str() != row.code) {
        return Err(ApiError::validation(vec![FieldError::new(
            "code",
            "is immutable; it must equal the code in the path",
        )]));
    }
    if let Some(named) = valid
        .ministry
        .as_ref()
        .filter(|m| m.as_str() != row.ministry_code)
    {
        actor.require_owner(named.as_str())?;
        return Err(ApiError::validation(vec![FieldError::new(
            "ministry",
            format!(
                "ownership changes go through POST /api/v1/platforms/{}/transfer",
                row.code
            ),
        )]));
    }
    let changes = replacement_diff(&row, &valid);
    if changes.as_object().is_some_and(serde_json::Map::is_empty) {
        return representation(conn, row).await;
    }
    apply_replacement(conn, actor, row, &valid, changes).await
}

/// A transfer request whose fields are valid on their own.
pub struct ValidTransfer {
    to: MinistryCode,
    effective_on: NaiveDate,
    reason: String,
}

impl TransferRequest {
    /// Checks the fields on their own: the new owner's code, a date not in the future, a reason.
    pub fn validate(&self) -> Result<ValidTransfer, ApiError> {
        let mut c = Checker::default();
        let to = match MinistryCode::parse(&self.to) {
            Ok(to) => Some(to),
            Err(message) => {
                c.fail("to", message);
                None
            }
        };
        let reason = c.text("reason", &self.reason, rule::<Self>("reason"));
        c.date("effective_on", self.effective_on);
        if self.effective_on > Utc::now().date_naive() {
            c.fail("effective_on", "must not be in the future");
        }
        c.finish()?;
        Ok(ValidTransfer {
            to: to.ok_or_else(|| ApiError::internal("validated above"))?,
            effective_on: self.effective_on,
            reason,
        })
    }
}

/// Transfers `row` (locked) to another active agency. The current ownership period closes the day
/// before `effective_on` and a new one opens; on the day the current period began, the transfer
/// corrects that period's owner instead (a platform created today with the wrong owner), and the
/// history entry says so with `corrects_period`. An earlier day would rewrite a closed period.
pub async fn transfer(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    row: Platform,
    request: &ValidTransfer,
) -> Result<PlatformResponse, ApiError> {
    let ValidTransfer {
        to,
        effective_on,
        reason,
    } = request;
    active_ministry(conn, to.as_str(), "to").await?;
    let mut c = Checker::default();
    if to.as_str() == row.ministry_code {
        c.fail(
            "to",
            format!("{} already owns this platform", row.ministry_code),
        );
    }
    let start = platform_db::current_ownership_start(conn, row.id).await?;
    let corrects = start == Some(*effective_on);
    if let Some(start) = start.filter(|start| effective_on < start) {
        c.fail(
            "effective_on",
            format!(
                "must not be before {start}, when the current ownership period began (that day corrects the period)"
            ),
        );
    }
    c.finish()?;
    let updated = if corrects {
        platform_db::reassign_current(conn, row.id, to.as_str(), reason).await?
    } else {
        platform_db::transfer(conn, row.id, to.as_str(), *effective_on, reason).await?
    };
    let mut changes = json!({
        "ministry": {"old": row.ministry_code, "new": updated.ministry_code},
        "effective_on": {"old": null, "new": effective_on},
        "reason": {"old": null, "new": reason},
    });
    if corrects {
        changes["corrects_period"] = json!({"old": null, "new": effective_on});
    }
    record_platform_change(conn, actor, updated, "transferred", changes).await
}
