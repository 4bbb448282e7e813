//! A platform's profile: what it does in the words a province uses when it plans a purchase, who
//! uses it, the other names people give it, and what a province should do instead of building its
//! own. Search and overlap checks read the capabilities and aliases.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ProfileConfidence, ProvinceAction};

/// The most capabilities, users or aliases a profile lists.
pub const MAX_PROFILE_ITEMS: usize = 12;

/// What a platform does and what a province should do about it. Every list is optional; a
/// write that leaves the profile out keeps the stored one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "capabilities": ["phát hành hóa đơn điện tử", "cấp mã hóa đơn", "tra cứu hóa đơn điện tử"],
    "capabilities_en": ["issue e-invoices", "assign invoice codes", "look up e-invoices"],
    "users": ["doanh nghiệp", "hộ kinh doanh", "cơ quan thuế"],
    "aliases": ["HĐĐT", "e-invoice"],
    "province_action": "use",
    "province_action_note": "Doanh nghiệp trên địa bàn dùng hóa đơn điện tử của ngành thuế; tỉnh không mua hệ thống riêng.",
    "source": "platform name and about note in the registry's sources",
    "confidence": "high"
}))]
pub struct PlatformProfile {
    /// What it does: short Vietnamese phrases, each 2 to 150 characters, at most 12.
    #[serde(default)]
    #[schema(max_items = 12, pattern = "{line 2..150}")]
    pub capabilities: Vec<String>,
    /// The same capabilities in English, in the same order.
    #[serde(default)]
    #[schema(max_items = 12, pattern = "{line 2..150}")]
    pub capabilities_en: Vec<String>,
    /// Who uses it, in Vietnamese.
    #[serde(default)]
    #[schema(max_items = 12, pattern = "{line 2..150}")]
    pub users: Vec<String>,
    /// Other names people use: abbreviations, the app's name, older and English names.
    #[serde(default)]
    #[schema(max_items = 12, pattern = "{line 2..150}")]
    pub aliases: Vec<String>,
    /// What a province should do instead of building its own.
    #[serde(default)]
    pub province_action: Option<ProvinceAction>,
    /// The same in one Vietnamese sentence, 2 to 500 characters.
    #[serde(default)]
    #[schema(pattern = "{line? 2..500}")]
    pub province_action_note: Option<String>,
    /// Where the profile's facts come from, at most 1000 characters.
    #[serde(default)]
    #[schema(pattern = "{line? 2..1000}")]
    pub source: Option<String>,
    /// How well the profile is attested.
    #[serde(default)]
    pub confidence: Option<ProfileConfidence>,
}

impl PlatformProfile {
    /// The stored profile of a platform (an empty one for a stored value of another shape).
    pub fn from_stored(value: &serde_json::Value) -> Self {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    /// Whether the profile says nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
