//! The receipt's words, in English and in Vietnamese: a province files the receipt with a
//! Vietnamese procurement record. Why a verdict was given, a candidate's reasons, the summary.

use crate::domain::ProvinceAction;
use crate::domain::search::{self, Field, How, Overlap, UnitMatch};
use crate::views::overlap::{OverlapCandidate, Verdict};

/// A matched word as the plan wrote it ("kê khai", not "ke khai"), with what it matched as.
fn quote(m: &UnitMatch) -> String {
    match (&m.matched_as, m.how) {
        (Some(alt), How::Abbreviation) => format!("\"{}\" = \"{}\"", m.written, alt),
        (Some(alt), How::Synonym) => format!("\"{}\" ~ \"{}\"", m.written, alt),
        (Some(alt), How::Fuzzy) => format!("\"{}\" ≈ \"{}\"", m.written, alt),
        _ => format!("\"{}\"", m.written),
    }
}

fn strong(score: &search::Score) -> Vec<String> {
    score
        .matches
        .iter()
        .filter(|m| m.significant && m.field.is_strong())
        .map(quote)
        .collect()
}

/// What the receipt calls the text the plan was judged on, in English and in Vietnamese: its title,
/// or its description when the title was framing words only or a programme's name that names
/// nothing bought.
fn judged_text(o: &Overlap) -> (&'static str, &'static str) {
    if o.read_from_description {
        ("description", "phần mô tả")
    } else {
        ("title", "tiêu đề")
    }
}

/// Why the verdict was given, in one sentence, from the best candidate's evidence.
pub fn why(verdict: Verdict, o: &Overlap) -> (String, String) {
    let t = &o.title;
    let (text, text_vi) = judged_text(o);
    if o.training && verdict == Verdict::NoOverlap {
        return (
            "the plan buys training, a course, not a system: no platform is what it buys.".to_owned(),
            "kế hoạch mua dịch vụ đào tạo, bồi dưỡng, không phải một hệ thống: không nền tảng nào là thứ kế hoạch mua.".to_owned(),
        );
    }
    if o.equipment && verdict == Verdict::NoOverlap {
        return (
            "the plan buys equipment, not a system: no platform is what it buys.".to_owned(),
            "kế hoạch mua sắm thiết bị, không phải một hệ thống: không nền tảng nào là thứ kế hoạch mua.".to_owned(),
        );
    }
    if o.title_elsewhere && verdict == Verdict::NoOverlap {
        return (
            "the title names something else bought: what the description shares with the closest platform is what the plan uses or touches, not what it buys.".to_owned(),
            "tiêu đề nêu một thứ khác được mua: những gì phần mô tả giống nền tảng gần nhất là thứ kế hoạch sử dụng hoặc liên quan, không phải thứ kế hoạch mua.".to_owned(),
        );
    }
    if let (Some(phrase), Verdict::NoOverlap) = (&o.look_alike, verdict) {
        return (
            format!(
                "the closest platform shares words with the plan, but the registry records that it does not do \"{phrase}\"."
            ),
            format!(
                "nền tảng gần nhất có từ ngữ giống kế hoạch, nhưng danh mục ghi nhận nền tảng này không thực hiện \"{phrase}\"."
            ),
        );
    }
    if let (Some(beyond), Verdict::PossibleOverlap) = (&o.beyond, verdict) {
        return (
            format!(
                "the platform does part of what the {text} asks for, but not \"{beyond}\", which the {text} adds to it."
            ),
            format!(
                "nền tảng đáp ứng một phần {text_vi} kế hoạch, nhưng không thực hiện \"{beyond}\" mà {text_vi} nêu thêm."
            ),
        );
    }
    if let (Some((done, listed)), Verdict::PossibleOverlap) = (o.functions_done, verdict) {
        return (
            format!(
                "the platform does {done} of the {listed} functions the plan's description lists."
            ),
            format!(
                "nền tảng chỉ thực hiện {done} trong {listed} chức năng nêu trong phần mô tả kế hoạch."
            ),
        );
    }
    if t.used && t.named.is_none() && verdict == Verdict::PossibleOverlap {
        return (
            format!(
                "the plan's {text} finds the platform only in what the plan draws on or feeds: it connects to the platform rather than copies it."
            ),
            format!(
                "{text_vi} kế hoạch chỉ nhắc đến nền tảng ở phần dữ liệu kế hoạch khai thác hoặc kết nối: kế hoạch kết nối với nền tảng chứ không sao chép nó."
            ),
        );
    }
    if let (Some(name), true, Verdict::PossibleOverlap) = (&t.named, t.used, verdict) {
        return (
            format!(
                "the plan's {text} names the platform (\"{name}\") as one the plan uses or connects to: what it builds works with the platform and is not a copy of it."
            ),
            format!(
                "{text_vi} kế hoạch nêu nền tảng (\"{name}\") là nền tảng kế hoạch sử dụng hoặc kết nối tới: thứ kế hoạch xây dựng vận hành cùng nền tảng, không phải bản sao của nó."
            ),
        );
    }
    if o.description.used && verdict == Verdict::PossibleOverlap {
        return match &o.description.named {
            Some(name) => (
                format!(
                    "the plan's description says it connects to the platform (\"{name}\"): what the plan builds is a local layer of it, to be connected, not a copy."
                ),
                format!(
                    "phần mô tả kế hoạch nêu việc kết nối với nền tảng (\"{name}\"): thứ kế hoạch xây dựng là lớp địa phương của nền tảng, cần kết nối, không phải bản sao."
                ),
            ),
            None => (
                "the plan's description says it feeds or connects to what the platform is: what the plan builds is a local layer of it, to be connected, not a copy.".to_owned(),
                "phần mô tả kế hoạch nêu việc cập nhật dữ liệu lên hoặc kết nối với nền tảng: thứ kế hoạch xây dựng là lớp địa phương của nền tảng, cần kết nối, không phải bản sao.".to_owned(),
            ),
        };
    }
    if let Some(name) = &t.named {
        return (
            format!("the plan names the platform (\"{name}\")."),
            format!("kế hoạch nêu đích danh nền tảng (\"{name}\")."),
        );
    }
    match (&t.contained_phrase, verdict) {
        (Some(phrase), Verdict::LikelyDuplicate | Verdict::PossibleOverlap)
            if t.containment >= 0.99 =>
        {
            (
                format!("the plan's {text} describes what the platform does: \"{phrase}\"."),
                format!("{text_vi} kế hoạch mô tả đúng chức năng của nền tảng: \"{phrase}\"."),
            )
        }
        (_, Verdict::PossibleOverlap) if o.part.is_some() && t.containment < 0.99 => {
            let part = o.part.as_deref().unwrap_or_default();
            (
                format!(
                    "one function the plan's description lists is what the platform does: \"{part}\"."
                ),
                format!(
                    "một chức năng nêu trong phần mô tả kế hoạch chính là chức năng của nền tảng: \"{part}\"."
                ),
            )
        }
        _ if verdict == Verdict::NoOverlap => (
            "the closest platform covers too little of the plan to be a duplicate.".to_owned(),
            "nền tảng gần nhất chỉ đáp ứng một phần quá nhỏ của kế hoạch.".to_owned(),
        ),
        _ => {
            let words = strong(t);
            if words.is_empty() {
                (
                    "only the plan's description relates to the platform.".to_owned(),
                    "chỉ phần mô tả của kế hoạch liên quan đến nền tảng.".to_owned(),
                )
            } else {
                let share = (t.coverage * 100.0).round();
                (
                    format!(
                        "the platform covers {share}% of what the {text} asks for ({}).",
                        words.join(", ")
                    ),
                    format!(
                        "nền tảng đáp ứng {share}% nội dung {text_vi} kế hoạch ({}).",
                        words.join(", ")
                    ),
                )
            }
        }
    }
}

/// Why a plan that builds its own, separate system of what a platform does is a duplicate.
pub fn own_copy() -> (String, String) {
    (
        "the plan builds its own, separate system (\"riêng\", \"độc lập\") for what the platform's names or capabilities say it does.".to_owned(),
        "kế hoạch xây dựng hệ thống riêng, độc lập cho chức năng mà tên hoặc chức năng của nền tảng đã nêu.".to_owned(),
    )
}

/// Why nothing was found.
pub fn nothing_found(title_has_content: bool) -> (String, String) {
    if title_has_content {
        (
            "no platform's name, aliases or capabilities match the plan.".to_owned(),
            "không nền tảng nào có tên, tên gọi khác hoặc chức năng khớp với kế hoạch.".to_owned(),
        )
    } else {
        (
            "the plan names no function, only framing words such as \"dự án\" or \"xây dựng\"; describe what the system should do.".to_owned(),
            "kế hoạch chỉ gồm các từ khung như \"dự án\", \"xây dựng\", chưa nêu chức năng; hãy mô tả hệ thống sẽ làm gì.".to_owned(),
        )
    }
}

/// The receipt's summary: the verdict and why, in English and in Vietnamese.
pub fn summary(
    verdict: Verdict,
    candidates: &[OverlapCandidate],
    why: &(String, String),
) -> (String, String) {
    match (verdict, candidates.first()) {
        (Verdict::LikelyDuplicate | Verdict::PossibleOverlap, Some(c)) => {
            let likely = verdict == Verdict::LikelyDuplicate;
            let (lead, lead_vi) = if likely {
                ("Likely duplicate of", "Có khả năng trùng lặp với")
            } else {
                ("Possible overlap with", "Có thể trùng lặp một phần với")
            };
            // A platform provinces connect to, which the plan copies ("riêng", or the link with
            // the ministries it is for): connecting is what the province should do instead.
            let (advice, advice_vi) = if !likely {
                (
                    "reuse or connect to it where it serves the need",
                    "nên tái sử dụng hoặc kết nối với nền tảng này ở phần đáp ứng được",
                )
            } else if c.province_action == Some(ProvinceAction::Connect) {
                (
                    "connect to it instead of building your own",
                    "nên kết nối với nền tảng này thay vì xây dựng riêng",
                )
            } else {
                (
                    "use it instead of buying",
                    "nên sử dụng nền tảng này thay vì đầu tư mới",
                )
            };
            (
                format!(
                    "{lead} {} ({}), owned by {}: {advice}, because {}",
                    c.name_vi, c.platform, c.ministry.code, why.0
                ),
                format!(
                    "{lead_vi} {} ({}) do {} chủ quản: {advice_vi}, vì {}",
                    c.name_vi, c.platform, c.ministry.code, why.1
                ),
            )
        }
        _ => (
            format!("No national platform in the registry does this: {}", why.0),
            format!(
                "Chưa có nền tảng số quốc gia nào trong danh mục thực hiện việc này: {}",
                why.1
            ),
        ),
    }
}

/// A candidate's reasons, in English and in Vietnamese.
pub fn reasons(o: &Overlap) -> (Vec<String>, Vec<String>) {
    let mut en = Vec::new();
    let mut vi = Vec::new();
    let (text, text_vi) = judged_text(o);
    if let Some(name) = &o.title.named {
        en.push(format!("the {text} names the platform: \"{name}\""));
        vi.push(format!("{text_vi} nêu tên nền tảng: \"{name}\""));
    }
    if let (Some(phrase), true, None) = (
        &o.title.contained_phrase,
        o.title.containment >= 0.5,
        &o.title.named,
    ) {
        let share = (o.title.containment * 100.0).round();
        en.push(format!(
            "the {text} contains {share}% of the platform's \"{phrase}\""
        ));
        vi.push(format!(
            "{text_vi} chứa {share}% cụm \"{phrase}\" của nền tảng"
        ));
    }
    let in_name: Vec<String> = o
        .title
        .matches
        .iter()
        .filter(|m| m.significant && m.field.is_strong())
        .map(quote)
        .collect();
    if !in_name.is_empty() {
        en.push(format!(
            "{text} words in the platform's names or capabilities: {}",
            in_name.join(", ")
        ));
        vi.push(format!(
            "từ của {text_vi} có trong tên hoặc chức năng của nền tảng: {}",
            in_name.join(", ")
        ));
    }
    if let Some(name) = &o.description.named {
        en.push(format!("the description names the platform: \"{name}\""));
        vi.push(format!("phần mô tả nêu tên nền tảng: \"{name}\""));
    }
    let in_description: Vec<String> = o
        .description
        .matches
        .iter()
        .filter(|m| m.significant && m.field != Field::Description)
        .map(quote)
        .collect();
    if !in_description.is_empty() {
        en.push(format!(
            "description words found in the platform: {}",
            in_description.join(", ")
        ));
        vi.push(format!(
            "từ của phần mô tả có trong nền tảng: {}",
            in_description.join(", ")
        ));
    }
    if o.training {
        en.push("the plan opens with training: it buys a course, not the platform".to_owned());
        vi.push(
            "kế hoạch mở đầu bằng đào tạo, bồi dưỡng: kế hoạch mua khóa học, không mua nền tảng"
                .to_owned(),
        );
    }
    if o.equipment {
        en.push("the plan buys equipment: hardware, not the platform".to_owned());
        vi.push("kế hoạch mua sắm thiết bị: phần cứng, không mua nền tảng".to_owned());
    }
    if o.title_elsewhere {
        en.push(
            "the title names something else: the description's shared words do not make an overlap"
                .to_owned(),
        );
        vi.push(
            "tiêu đề nêu một thứ khác: từ ngữ chung trong phần mô tả không tạo thành trùng lặp"
                .to_owned(),
        );
    }
    if let Some(phrase) = &o.look_alike {
        en.push(format!(
            "the registry records that the platform does not do \"{phrase}\""
        ));
        vi.push(format!(
            "danh mục ghi nhận nền tảng không thực hiện \"{phrase}\""
        ));
    }
    if !o.shared_domains.is_empty() {
        en.push(format!("shared domain: {}", o.shared_domains.join(", ")));
        vi.push(format!("cùng lĩnh vực: {}", o.shared_domains.join(", ")));
    }
    if !o.shared_audiences.is_empty() {
        en.push(format!(
            "shared audience: {}",
            o.shared_audiences.join(", ")
        ));
        vi.push(format!("cùng đối tượng: {}", o.shared_audiences.join(", ")));
    }
    (en, vi)
}
