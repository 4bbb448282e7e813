//! Feedback on receipts: a province or ministry says, per platform, whether the plan really
//! duplicates it. Stored apart from the receipt, which never changes; the relevance benchmark can
//! turn recorded feedback into new labelled cases.

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Actor;
use crate::db::{overlap as overlap_db, platforms as platform_db};
use crate::domain::{FeedbackJudgement, PlatformCode, Vocabulary};
use crate::error::ApiError;
use crate::registry::validate::{Checker, rule};

/// The most judgements one request records.
pub const MAX_JUDGEMENTS: usize = 10;

/// One platform judged.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateJudgement {
    /// The platform's code: one the receipt listed, or one it missed.
    #[schema(
        example = "nen-tang-hoa-don-dien-tu",
        pattern = "^[a-z0-9][a-z0-9-]{1,62}$"
    )]
    pub platform: String,
    /// Whether the plan duplicates it, relates to it, or not.
    pub judgement: FeedbackJudgement,
    /// Why, 2 to 1000 characters (no personal data).
    #[serde(default)]
    #[schema(pattern = "{line? 2..1000}")]
    pub note: Option<String>,
}

/// Judgements of a receipt's platforms.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"judgements": [
    {"platform": "nen-tang-hoa-don-dien-tu", "judgement": "duplicate", "note": "Sở Tài chính xác nhận dùng nền tảng quốc gia."},
    {"platform": "etax", "judgement": "unrelated"}
]}))]
pub struct FeedbackRequest {
    /// One to ten platforms; a platform judged twice counts with its last judgement.
    #[schema(min_items = 1, max_items = 10)]
    pub judgements: Vec<CandidateJudgement>,
}

/// What was recorded.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FeedbackResponse {
    /// The receipt judged.
    pub check: Uuid,
    /// Who judged: the token's ministry, `operator`, or `null` for an anonymous caller.
    pub judged_by: Option<String>,
    /// The judgements recorded (texts normalised).
    pub judgements: Vec<CandidateJudgement>,
}

/// Checks the judgements on their own (codes, notes, how many) and keeps the last of a
/// platform judged twice.
pub fn validate(mut request: FeedbackRequest) -> Result<FeedbackRequest, ApiError> {
    let mut c = Checker::default();
    if request.judgements.is_empty() {
        c.fail("judgements", "must judge at least one platform");
    }
    if request.judgements.len() > MAX_JUDGEMENTS {
        c.fail(
            "judgements",
            format!("judges at most {MAX_JUDGEMENTS} platforms at once"),
        );
    }
    for (i, j) in request.judgements.iter_mut().enumerate() {
        if let Err(message) = PlatformCode::parse(&j.platform) {
            c.fail(&format!("judgements[{i}].platform"), message);
        }
        j.note = c.optional_text(
            &format!("judgements[{i}].note"),
            j.note.as_deref(),
            rule::<CandidateJudgement>("note"),
        );
    }
    c.finish()?;
    // A platform judged twice in one request: the last judgement counts.
    let mut kept: Vec<CandidateJudgement> = Vec::new();
    for j in request.judgements.into_iter().rev() {
        if !kept.iter().any(|k| k.platform == j.platform) {
            kept.push(j);
        }
    }
    kept.reverse();
    request.judgements = kept;
    Ok(request)
}

/// Records the judgements of receipt `check`, by `actor` (`None`: anonymous); every platform must
/// be registered.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: Option<&Actor>,
    check: Uuid,
    request: FeedbackRequest,
) -> Result<FeedbackResponse, ApiError> {
    if overlap_db::find(conn, check).await?.is_none() {
        return Err(ApiError::not_found(format!(
            "No overlap check has the id {check}."
        )));
    }
    let mut c = Checker::default();
    for (i, j) in request.judgements.iter().enumerate() {
        if platform_db::find_id(conn, &j.platform).await?.is_none() {
            c.fail(
                &format!("judgements[{i}].platform"),
                format!("{:?} is not a registered platform", j.platform),
            );
        }
    }
    c.finish()?;
    let judged_by = actor.map(|a| {
        if a.is_operator() {
            "operator".to_owned()
        } else {
            a.ministry.clone().unwrap_or_default()
        }
    });
    let rows: Vec<overlap_db::NewFeedback<'_>> = request
        .judgements
        .iter()
        .map(|j| overlap_db::NewFeedback {
            platform: &j.platform,
            judgement: j.judgement.as_str(),
            note: j.note.as_deref(),
        })
        .collect();
    overlap_db::insert_feedback(conn, check, judged_by.as_deref(), &rows).await?;
    Ok(FeedbackResponse {
        check,
        judged_by,
        judgements: request.judgements,
    })
}
