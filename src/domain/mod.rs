//! The registry's validated types: codes, controlled vocabularies and text rules. No HTTP and no
//! database here: the API layer parses into these types, the database layer stores their strings.

mod codes;
mod profile;
mod province;
pub mod search;
mod text;
mod vocabulary;

pub use codes::{MinistryCode, PlatformCode};
pub use profile::{MAX_PROFILE_ITEMS, PlatformProfile};
pub use province::fold_province_name;
pub use text::{fold_for_search, normalize_text};
pub use vocabulary::{
    AdoptionStatus, Audience, ContactRole, DecisionKind, Domain, FeedbackJudgement, MinistryKind,
    MinistryStatus, NdxpStatus, PlatformStatus, ProfileConfidence, ProvinceAction, Scope,
    SourceConfidence, Vocabulary, VocabularyEntry,
};
