//! Whom a province should call about a candidate platform.

use crate::views::overlap::CandidateOwner;

/// Whom to call, in English and in Vietnamese.
pub fn contact_hint(
    has_contacts: bool,
    operator: Option<&str>,
    owner: &CandidateOwner,
) -> (String, String) {
    match (has_contacts, operator) {
        (true, _) => (
            "Call the contact channels listed here.".to_owned(),
            "Liên hệ qua các kênh được liệt kê ở đây.".to_owned(),
        ),
        (false, Some(unit)) => (
            format!(
                "No published channel yet: ask {} ({}), the operating unit's owner, for {unit}.",
                owner.name_vi, owner.code
            ),
            format!(
                "Chưa có kênh liên hệ công bố: đề nghị {} ({}) giới thiệu đầu mối của {unit}.",
                owner.name_vi, owner.code
            ),
        ),
        (false, None) => (
            format!(
                "No published channel yet: ask {} ({}), the owning agency.",
                owner.name_vi, owner.code
            ),
            format!(
                "Chưa có kênh liên hệ công bố: liên hệ {} ({}), cơ quan chủ quản.",
                owner.name_vi, owner.code
            ),
        ),
    }
}
