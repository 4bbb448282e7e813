//! Controlled vocabularies. Each is a closed set of snake_case codes with Vietnamese and English
//! labels; the same lists are CHECK constraints in the database migrations.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One code of a vocabulary with its labels, as `GET /api/v1/vocabularies` shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VocabularyEntry {
    /// The code used in requests, responses and filters.
    #[schema(example = "tax")]
    pub code: &'static str,
    /// The label in Vietnamese.
    #[schema(example = "Thuế")]
    pub label_vi: &'static str,
    /// The label in English.
    #[schema(example = "Tax")]
    pub label_en: &'static str,
}

/// What every controlled vocabulary offers.
pub trait Vocabulary: Sized + Copy + 'static {
    /// Every value, in documentation order.
    const ALL: &'static [Self];
    /// The code stored and sent on the wire.
    fn as_str(self) -> &'static str;
    /// The Vietnamese label.
    fn label_vi(self) -> &'static str;
    /// The English label.
    fn label_en(self) -> &'static str;

    /// Parses a code; `None` when it is not part of the vocabulary.
    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == code)
    }

    /// The codes, for error messages.
    fn codes() -> Vec<&'static str> {
        Self::ALL.iter().map(|v| v.as_str()).collect()
    }

    /// Every entry with its labels.
    fn entries() -> Vec<VocabularyEntry> {
        Self::ALL
            .iter()
            .map(|v| VocabularyEntry {
                code: v.as_str(),
                label_vi: v.label_vi(),
                label_en: v.label_en(),
            })
            .collect()
    }
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident { $($variant:ident => $code:literal, $vi:literal, $en:literal;)+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(#[doc = concat!($en, " (", $vi, ")")] $variant,)+
        }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }
            fn label_vi(self) -> &'static str {
                match self { $(Self::$variant => $vi,)+ }
            }
            fn label_en(self) -> &'static str {
                match self { $(Self::$variant => $en,)+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// The field of state management a platform serves (lĩnh vực).
    Domain {
        Identity => "identity", "Định danh, xác thực", "Identity and authentication";
        PublicServices => "public_services", "Dịch vụ công, thủ tục hành chính", "Public services";
        GovernmentOperations => "government_operations", "Chỉ đạo, điều hành, văn bản", "Government operations";
        DataSharing => "data_sharing", "Dữ liệu, chia sẻ dữ liệu", "Data and data sharing";
        DigitalInfrastructure => "digital_infrastructure", "Hạ tầng số", "Digital infrastructure";
        Cybersecurity => "cybersecurity", "An toàn thông tin, chữ ký số", "Cybersecurity and digital signatures";
        PublicFinance => "public_finance", "Tài chính công, ngân sách, giá, tài sản công", "Public finance";
        Tax => "tax", "Thuế", "Tax";
        Customs => "customs", "Hải quan", "Customs";
        Trade => "trade", "Thương mại, thương mại điện tử", "Trade and e-commerce";
        InvestmentPlanning => "investment_planning", "Đầu tư, quy hoạch, đấu thầu, doanh nghiệp", "Investment, planning and procurement";
        Banking => "banking", "Ngân hàng, tín dụng", "Banking and credit";
        SocialInsurance => "social_insurance", "Bảo hiểm xã hội, bảo hiểm y tế", "Social and health insurance";
        SocialWelfare => "social_welfare", "An sinh xã hội", "Social welfare";
        Labour => "labour", "Lao động, việc làm", "Labour and employment";
        Health => "health", "Y tế, dược", "Health";
        Education => "education", "Giáo dục, đào tạo", "Education and training";
        Justice => "justice", "Tư pháp, pháp luật", "Justice and law";
        HomeAffairs => "home_affairs", "Nội vụ, công vụ", "Home affairs and civil service";
        Transport => "transport", "Giao thông, vận tải", "Transport";
        Construction => "construction", "Xây dựng, nhà ở, bất động sản", "Construction, housing and real estate";
        LandEnvironment => "land_environment", "Đất đai, tài nguyên, môi trường, nông nghiệp", "Land, environment and agriculture";
        ScienceTechnology => "science_technology", "Khoa học, công nghệ", "Science and technology";
        Inspection => "inspection", "Thanh tra, khiếu nại, tố cáo", "Inspection and complaints";
        EthnicReligiousAffairs => "ethnic_religious_affairs", "Dân tộc, tôn giáo", "Ethnic and religious affairs";
        ForeignAffairs => "foreign_affairs", "Ngoại giao, lãnh sự", "Foreign affairs and consular services";
        Immigration => "immigration", "Xuất nhập cảnh, biên phòng", "Immigration and border control";
        DefenceSecurity => "defence_security", "Quốc phòng, an ninh", "Defence and security";
        Media => "media", "Báo chí, phát thanh, truyền hình", "Press and broadcasting";
    }
}

vocabulary! {
    /// Who a platform is for (đối tượng sử dụng).
    Audience {
        Government => "government", "Cơ quan nhà nước", "State agencies";
        Citizens => "citizens", "Người dân", "Citizens";
        Businesses => "businesses", "Doanh nghiệp", "Businesses";
        Foreigners => "foreigners", "Người nước ngoài", "Foreign nationals";
        HealthFacilities => "health_facilities", "Cơ sở y tế, dược", "Health and pharmacy facilities";
        EducationInstitutions => "education_institutions", "Cơ sở giáo dục, đào tạo", "Education institutions";
        CreditInstitutions => "credit_institutions", "Tổ chức tín dụng", "Credit institutions";
        ResearchOrganisations => "research_organisations", "Tổ chức khoa học và công nghệ", "Research organisations";
    }
}

vocabulary! {
    /// Where a platform is in its life.
    PlatformStatus {
        Planned => "planned", "Đang lập kế hoạch", "Planned";
        InDevelopment => "in_development", "Đang xây dựng", "In development";
        Piloting => "piloting", "Thí điểm", "Piloting";
        Operational => "operational", "Đang vận hành", "Operational";
        Suspended => "suspended", "Tạm dừng", "Suspended";
        Retired => "retired", "Đã ngừng", "Retired";
        Unknown => "unknown", "Chưa rõ", "Not yet reported";
    }
}

vocabulary! {
    /// Whether a platform is connected to NDXP, the national data integration and sharing platform.
    NdxpStatus {
        Connected => "connected", "Đã kết nối", "Connected";
        InProgress => "in_progress", "Đang kết nối", "Connection in progress";
        NotConnected => "not_connected", "Chưa kết nối", "Not connected";
        NotApplicable => "not_applicable", "Không áp dụng", "Not applicable";
        Unknown => "unknown", "Chưa rõ", "Not yet reported";
    }
}

vocabulary! {
    /// How well the record is attested.
    SourceConfidence {
        OwnerDeclared => "owner_declared", "Bộ chủ quản khai báo", "Declared by the owning ministry";
        TwoSources => "two_sources", "Hai nguồn", "Two independent public sources";
        OneSource => "one_source", "Một nguồn", "One public source";
        Weak => "weak", "Nguồn yếu", "Weak source";
        Unconfirmed => "unconfirmed", "Chưa xác nhận", "Unconfirmed";
    }
}

vocabulary! {
    /// The kind of a ministry or agency.
    MinistryKind {
        Ministry => "ministry", "Bộ", "Ministry";
        MinistryLevelAgency => "ministry_level_agency", "Cơ quan ngang bộ", "Ministry-level agency";
        GovernmentAgency => "government_agency", "Cơ quan thuộc Chính phủ", "Government agency";
    }
}

vocabulary! {
    /// Whether a ministry still exists or was reorganised.
    MinistryStatus {
        Active => "active", "Đang hoạt động", "Active";
        Merged => "merged", "Đã hợp nhất", "Merged into its successor";
        Dissolved => "dissolved", "Đã giải thể", "Dissolved";
    }
}

vocabulary! {
    /// What a contact channel is for.
    ContactRole {
        Operations => "operations", "Đầu mối vận hành", "Operations contact point";
        TechnicalSupport => "technical_support", "Hỗ trợ kỹ thuật", "Technical support";
        Business => "business", "Nghiệp vụ", "Business matters";
        Security => "security", "An toàn thông tin", "Security incidents";
    }
}

vocabulary! {
    /// What a bearer token allows. Parsed from the `scope` claim by its codes
    /// (`platforms:write`), never sent through serde.
    Scope {
        PlatformsWrite => "platforms:write", "Ghi nền tảng", "Create, update and retire the ministry's platforms";
        ContactsWrite => "contacts:write", "Ghi đầu mối", "Manage the contacts of the ministry's platforms";
        Admin => "admin", "Quản trị", "Registry operator: every write, ownership, ministries and lists";
        AdoptionsWrite => "adoptions:write", "Ghi tình hình sử dụng", "Record the province's use of national platforms";
        DecisionsWrite => "decisions:write", "Ghi quyết định sau kiểm tra trùng lặp", "Record the province's decisions on its overlap checks";
    }
}

vocabulary! {
    /// Where a province stands with a national platform.
    AdoptionStatus {
        Planned => "planned", "Đã có kế hoạch sử dụng", "Planned";
        Connecting => "connecting", "Đang kết nối", "Connecting";
        InUse => "in_use", "Đang sử dụng", "In use";
        Stopped => "stopped", "Đã ngừng sử dụng", "Stopped";
        NotApplicable => "not_applicable", "Không áp dụng", "Not applicable";
    }
}

vocabulary! {
    /// What a province decided after an overlap check.
    DecisionKind {
        Reuse => "reuse", "Dùng nền tảng quốc gia thay vì mua", "Reuse the national platform instead of buying";
        Connect => "connect", "Kết nối hệ thống của tỉnh với nền tảng quốc gia", "Connect the province's system to the national platform";
        Proceed => "proceed", "Vẫn đầu tư hệ thống riêng", "Proceed with the purchase";
        Cancelled => "cancelled", "Hủy dự án", "Cancel the purchase";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_to_itself() {
        for d in Domain::ALL {
            assert_eq!(Domain::parse(d.as_str()), Some(*d));
        }
        assert_eq!(Audience::parse("citizens"), Some(Audience::Citizens));
        assert_eq!(PlatformStatus::parse("bogus"), None);
    }

    #[test]
    fn serde_uses_the_same_codes_as_as_str() {
        fn check<V: Vocabulary + Serialize>() {
            for v in V::ALL {
                assert_eq!(
                    serde_json::to_value(v).unwrap(),
                    serde_json::json!(v.as_str())
                );
            }
        }
        check::<Domain>();
        check::<Audience>();
        check::<PlatformStatus>();
        check::<SourceConfidence>();
        check::<MinistryKind>();
        check::<MinistryStatus>();
        check::<ContactRole>();
        check::<AdoptionStatus>();
        check::<DecisionKind>();
        for s in NdxpStatus::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        let parsed: Domain = serde_json::from_str("\"investment_planning\"").unwrap();
        assert_eq!(parsed, Domain::InvestmentPlanning);
    }
}

vocabulary! {
    /// What a province should do with a national platform instead of building its own.
    ProvinceAction {
        Use => "use", "Sử dụng nền tảng", "Use the platform itself";
        Connect => "connect", "Kết nối qua NDXP hoặc LGSP", "Connect to it through NDXP or the provincial sharing platform";
        IntegrateData => "integrate_data", "Tích hợp, khai thác dữ liệu", "Integrate its data";
    }
}

vocabulary! {
    /// How well a platform's profile is attested.
    ProfileConfidence {
        High => "high", "Cao: từ tên và nguồn", "High: from the name and the source";
        Medium => "medium", "Trung bình: mục đích công khai", "Medium: the platform's public purpose";
        Low => "low", "Thấp", "Low";
    }
}

vocabulary! {
    /// What a province or ministry judged of a platform an overlap check listed.
    FeedbackJudgement {
        Duplicate => "duplicate", "Trùng lặp", "The plan duplicates it";
        Related => "related", "Có liên quan", "Related: part of the plan overlaps it";
        Unrelated => "unrelated", "Không liên quan", "Unrelated";
    }
}
