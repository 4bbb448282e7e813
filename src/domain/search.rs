//! How the registry understands a Vietnamese query: folding, word units, abbreviations and
//! synonyms, and a score that says how well a platform answers it and why.
//!
//! Text is folded (lower case, no diacritics, "đ" as "d") and split into syllables. The query's
//! syllables are grouped, longest first, into known phrases: abbreviations with their expansions
//! (CSDL = cơ sở dữ liệu, in both directions), a few synonyms (căn cước = định danh) and generic
//! registry words (hệ thống, quốc gia, điện tử...) that weigh little. Each unit is looked for in the
//! platform's fields, names weighing more than the description; a unit that is not found exactly
//! may match a syllable one edit away (a typo). The score is the weighted share of the query found,
//! plus a bonus when its syllables stand next to each other in a name as they do in the query.

use std::collections::HashSet;

use super::fold_for_search;

/// Abbreviations and their expansions, folded. Matched in both directions.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("csdlqg", "co so du lieu quoc gia"),
    ("csdl", "co so du lieu"),
    ("dvcqg", "dich vu cong quoc gia"),
    ("dvc", "dich vu cong"),
    ("tthc", "thu tuc hanh chinh"),
    ("ndxp", "nen tang tich hop chia se du lieu quoc gia"),
    ("lgsp", "nen tang tich hop chia se du lieu"),
    ("soc", "trung tam giam sat an toan thong tin"),
    ("attt", "an toan thong tin"),
    ("gplx", "giay phep lai xe"),
    ("bhxh", "bao hiem xa hoi"),
    ("bhyt", "bao hiem y te"),
    ("bhtn", "bao hiem that nghiep"),
    ("hddt", "hoa don dien tu"),
    ("tncn", "thu nhap ca nhan"),
    ("cccd", "can cuoc cong dan"),
    ("cbccvc", "can bo cong chuc vien chuc"),
    ("skdt", "so suc khoe dien tu"),
    ("khcn", "khoa hoc cong nghe"),
    ("tmdt", "thuong mai dien tu"),
    ("ttdlqg", "trung tam du lieu quoc gia"),
    ("vbqppl", "van ban quy pham phap luat"),
    ("dkdn", "dang ky doanh nghiep"),
    ("qlvb", "quan ly van ban"),
    ("cntt", "cong nghe thong tin"),
    ("ubnd", "uy ban nhan dan"),
    ("nsw", "mot cua quoc gia"),
    ("qg", "quoc gia"),
];

/// Phrases that mean the same thing in a registry query, folded. Matched in both directions.
const SYNONYMS: &[(&str, &str)] = &[
    ("can cuoc", "dinh danh"),
    ("cu tru", "dan cu"),
    ("mua sam cong", "dau thau"),
    ("bang lai", "giay phep lai xe"),
    ("ky so", "chu ky so"),
    ("dang kiem", "kiem dinh xe co gioi"),
    ("thong quan", "hai quan"),
    ("chung tu dien tu", "hoa don dien tu"),
    ("cong chuc", "can bo cong chuc vien chuc"),
    ("bao hiem suc khoe", "bao hiem y te"),
    ("so y ba", "so suc khoe"),
    ("xuat xu", "c o"),
    ("chatbot", "tro ly ao"),
    ("dien thoai", "di dong"),
    ("mobile", "di dong"),
    ("an ninh mang", "phong ve mang"),
];

/// Words so common in platform names and procurement plans that they say little about which
/// platform is meant. They count, but a quarter as much as other words.
const GENERIC: &[&str] = &[
    "he thong",
    "nen tang",
    "co so du lieu",
    "quoc gia",
    "thong tin",
    "dien tu",
    "quan ly",
    "phan mem",
    "ung dung",
    "cong thong tin",
    "trang thong tin",
    "xay dung",
    "dau tu",
    "trien khai",
    "phuc vu",
    "nang cap",
    "tinh",
    "thanh pho",
    "du lieu",
    "dich vu",
    "truc tuyen",
    "toan quoc",
    "tap trung",
    "dung chung",
    "chuyen doi so",
    "mua sam",
    "cung cap",
    "giai phap",
    "tich hop",
    "ket noi",
    "nganh",
    "cap",
    "bo",
    "so",
    "cong",
    "trang",
    "cua",
    "va",
    "cho",
    "cac",
    "tai",
    "ve",
    "tren",
    "theo",
    "de",
    "la",
    "nhung",
    "voi",
    "trong",
    "do",
    "duoc",
    "nay",
    "o",
    "nam",
    "mot",
    "tu",
    "dia ban",
    "nguoi",
    "system",
    "platform",
    "national",
    "database",
    "information",
    "management",
    "portal",
    "the",
    "of",
    "and",
    "for",
    "on",
    "in",
    "data",
    "electronic",
    "tra cuu",
    "ho tro",
    "online",
    "software",
    "app",
    // The level or place a system serves says nothing about what it does.
    "cap xa",
    "cap huyen",
    "cap tinh",
    "cap bo",
    "cap quan",
    "cap phuong",
    "dia phuong",
    "tren dia ban",
    "toan tinh",
    "so nganh",
    "so ban nganh",
    "uy ban nhan dan",
];

/// How much a generic unit weighs, against 1 for any other.
const GENERIC_WEIGHT: f32 = 0.25;
/// How much a typo match counts, against 1 for an exact one.
const FUZZY_FACTOR: f32 = 0.6;

/// Where a unit was found, with the weight of that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The Vietnamese name, the short name or the code.
    Name,
    /// The English name.
    NameEn,
    /// The description.
    Description,
}

impl Field {
    fn weight(self) -> f32 {
        match self {
            Self::Name => 1.0,
            Self::NameEn => 0.9,
            Self::Description => 0.55,
        }
    }

    /// The field's name in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::NameEn => "name_en",
            Self::Description => "description",
        }
    }
}

/// How a unit matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// The words as typed.
    Exact,
    /// Through an abbreviation or its expansion.
    Abbreviation,
    /// Through a synonym.
    Synonym,
    /// One letter away from a word of the platform (a typo).
    Fuzzy,
}

impl How {
    /// The name used in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Abbreviation => "abbreviation",
            Self::Synonym => "synonym",
            Self::Fuzzy => "typo",
        }
    }
}

/// One unit of a query: a syllable or a known phrase, with what else it may be written as.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The unit as typed, folded.
    pub text: String,
    /// The unit's syllables, then each alternative with how it relates.
    alternatives: Vec<(Vec<String>, How)>,
    /// Its weight in the score.
    pub weight: f32,
    /// The position of its first syllable in the query.
    start: usize,
    /// How many syllables it spans.
    len: usize,
}

impl Unit {
    /// Whether this unit spans several syllables (a known phrase such as an expansion).
    pub fn is_phrase(&self) -> bool {
        self.len > 1 || self.alternatives.iter().any(|(words, _)| words.len() > 1)
    }

    /// Whether this unit weighs fully (is not a generic word).
    pub fn is_significant(&self) -> bool {
        self.weight >= 1.0
    }

    /// Every way the unit may be written, as folded text (for candidate lookup).
    pub fn spellings(&self) -> impl Iterator<Item = String> + '_ {
        self.alternatives.iter().map(|(words, _)| words.join(" "))
    }
}

/// An analysed query.
#[derive(Clone, Debug)]
pub struct Query {
    /// The units, in query order.
    pub units: Vec<Unit>,
}

/// Splits folded text into syllables of letters and digits.
pub fn syllables(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn words(text: &str) -> Vec<String> {
    text.split(' ').map(str::to_owned).collect()
}

/// A known phrase: its words, what else it may be written as, and its weight.
struct Phrase {
    key: Vec<String>,
    alternatives: Vec<(Vec<String>, How)>,
    weight: f32,
}

/// Every known phrase, longest first, so "co so du lieu quoc gia" wins over "co so du lieu".
/// Built once.
static PHRASES: std::sync::LazyLock<Vec<Phrase>> = std::sync::LazyLock::new(|| {
    let mut phrases = Vec::new();
    for (abbr, expansion) in ABBREVIATIONS {
        let alternatives = vec![
            (words(abbr), How::Exact),
            (words(expansion), How::Abbreviation),
        ];
        phrases.push(Phrase {
            key: words(abbr),
            alternatives,
            weight: 1.0,
        });
        let alternatives = vec![
            (words(expansion), How::Exact),
            (words(abbr), How::Abbreviation),
        ];
        let weight = if GENERIC.contains(expansion) {
            GENERIC_WEIGHT
        } else {
            1.0
        };
        phrases.push(Phrase {
            key: words(expansion),
            alternatives,
            weight,
        });
    }
    for (a, b) in SYNONYMS {
        phrases.push(Phrase {
            key: words(a),
            alternatives: vec![(words(a), How::Exact), (words(b), How::Synonym)],
            weight: 1.0,
        });
        phrases.push(Phrase {
            key: words(b),
            alternatives: vec![(words(b), How::Exact), (words(a), How::Synonym)],
            weight: 1.0,
        });
    }
    for generic in GENERIC {
        phrases.push(Phrase {
            key: words(generic),
            alternatives: vec![(words(generic), How::Exact)],
            weight: GENERIC_WEIGHT,
        });
    }
    phrases.sort_by_key(|p| std::cmp::Reverse(p.key.len()));
    phrases
});

/// Analyses a query (any case, with or without diacritics).
pub fn analyse(text: &str) -> Query {
    let tokens = syllables(&fold_for_search(text));
    let mut units: Vec<Unit> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let found = PHRASES.iter().find(|p| tokens[i..].starts_with(&p.key));
        let unit = match found {
            Some(phrase) => {
                let unit = Unit {
                    text: phrase.key.join(" "),
                    alternatives: phrase.alternatives.clone(),
                    weight: phrase.weight,
                    start: i,
                    len: phrase.key.len(),
                };
                i += phrase.key.len();
                unit
            }
            None => {
                let word = tokens[i].clone();
                i += 1;
                // A lone letter ("e" of "e-procurement") tells little.
                let weight = if word.chars().count() < 2 {
                    GENERIC_WEIGHT
                } else {
                    1.0
                };
                Unit {
                    text: word.clone(),
                    alternatives: vec![(vec![word], How::Exact)],
                    weight,
                    start: i - 1,
                    len: 1,
                }
            }
        };
        // A word typed twice counts once.
        if !units.iter().any(|u| u.text == unit.text) {
            units.push(unit);
        }
    }
    Query { units }
}

/// A platform's searchable text, folded and split once.
#[derive(Clone, Debug)]
pub struct Document {
    fields: Vec<(Field, Vec<String>)>,
    compounds: HashSet<String>,
}

impl Document {
    /// Builds the searchable form of a platform.
    pub fn new(
        name_vi: &str,
        short_name: Option<&str>,
        code: &str,
        name_en: &str,
        description: &str,
    ) -> Self {
        let name = format!(
            "{name_vi} {} {}",
            short_name.unwrap_or_default(),
            code.replace('-', " ")
        );
        let fields = vec![
            (Field::Name, syllables(&fold_for_search(&name))),
            (Field::NameEn, syllables(&fold_for_search(name_en))),
            (Field::Description, syllables(&fold_for_search(description))),
        ];
        // "e-Visa" is also "evisa", "VNACCS/VCIS" also "vnaccsvcis".
        let mut compounds = HashSet::new();
        for (field, words) in &fields {
            if *field != Field::Description {
                for pair in words.windows(2) {
                    compounds.insert(format!("{}{}", pair[0], pair[1]));
                }
            }
        }
        Self { fields, compounds }
    }
}

/// How one unit of the query was found.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitMatch {
    /// The unit as typed, folded.
    pub term: String,
    /// The best field it was found in.
    pub field: Field,
    /// How it matched.
    pub how: How,
    /// What it matched as, when not as typed.
    pub matched_as: Option<String>,
    /// Whether the unit is significant (not a generic word).
    pub significant: bool,
}

/// How well a platform answers a query, and why.
#[derive(Clone, Debug)]
pub struct Score {
    /// From 0 (nothing) to 1 (every word, in a name, in order).
    pub value: f32,
    /// The weighted share of the query found (0 to 1).
    pub coverage: f32,
    /// The share of the significant units found anywhere.
    pub significant_found: f32,
    /// The units found.
    pub matches: Vec<UnitMatch>,
    /// How many of the query's phrases (neighbouring words, or known multi-word units) stand in
    /// the platform's names: strong evidence even in a long text.
    pub name_phrases: usize,
}

fn contains_sequence(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        // One substitution, or two neighbours swapped.
        let rest_equal = short[prefix + 1..] == long[prefix + 1..];
        let swapped = prefix + 1 < short.len()
            && short[prefix] == long[prefix + 1]
            && short[prefix + 1] == long[prefix]
            && short[prefix + 2..] == long[prefix + 2..];
        rest_equal || swapped
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

fn keep(best: &mut Option<(f32, UnitMatch)>, value: f32, m: UnitMatch) {
    if best.as_ref().is_none_or(|(v, _)| value > *v) {
        *best = Some((value, m));
    }
}

fn find(unit: &Unit, doc: &Document) -> Option<UnitMatch> {
    let mut best: Option<(f32, UnitMatch)> = None;
    for (field, words) in &doc.fields {
        for (alternative, how) in &unit.alternatives {
            let joined = alternative.join(" ");
            let matched_as = (*how != How::Exact).then(|| joined.clone());
            let compound = *field != Field::Description
                && alternative.len() == 1
                && doc.compounds.contains(&joined);
            if contains_sequence(words, alternative) || compound {
                keep(
                    &mut best,
                    field.weight(),
                    UnitMatch {
                        term: unit.text.clone(),
                        field: *field,
                        how: *how,
                        matched_as,
                        significant: unit.is_significant(),
                    },
                );
            }
        }
    }
    // Typos: only for significant words of four letters or more, and only against words with
    // the same first letter: short Vietnamese syllables are one letter apart from too many others.
    if best.is_none()
        && unit.is_significant()
        && unit.alternatives.len() == 1
        && unit.alternatives[0].0.len() == 1
    {
        let word = &unit.alternatives[0].0[0];
        if word.chars().count() >= 4 {
            let first = word.chars().next();
            for (field, words) in &doc.fields {
                if let Some(near) = words.iter().find(|w| {
                    w.chars().count() >= 3 && w.chars().next() == first && one_edit_apart(w, word)
                }) {
                    keep(
                        &mut best,
                        field.weight() * FUZZY_FACTOR,
                        UnitMatch {
                            term: unit.text.clone(),
                            field: *field,
                            how: How::Fuzzy,
                            matched_as: Some(near.clone()),
                            significant: true,
                        },
                    );
                }
            }
        }
    }
    best.map(|(_, m)| m)
}

/// How rare each unit of a query is among the platforms that could match it: a unit found in
/// few platforms ("hộ tịch") says more than one found in many ("đăng ký").
#[derive(Clone, Debug, Default)]
pub struct Rarity(std::collections::HashMap<String, f32>);

impl Rarity {
    /// Measures each unit's rarity over `docs`, every platform containing any word of the query,
    /// out of `corpus` platforms in all. A unit in every platform weighs about a third of a unit
    /// in one.
    pub fn measure(query: &Query, docs: &[&Document], corpus: usize) -> Self {
        let n = corpus.max(docs.len()).max(1) as f32;
        let top = (n + 1.0).ln() + 1.0;
        let weights = query
            .units
            .iter()
            .map(|unit| {
                let df = docs.iter().filter(|d| find(unit, d).is_some()).count() as f32;
                let idf = ((n + 1.0) / (df + 1.0)).ln() + 1.0;
                (unit.text.clone(), idf / top)
            })
            .collect();
        Self(weights)
    }

    fn of(&self, unit: &Unit) -> f32 {
        self.0.get(&unit.text).copied().unwrap_or(1.0)
    }
}

/// Scores a document against a query.
///
/// Vietnamese syllables are short and ambiguous ("don" is in "hóa đơn" and in "đơn thuốc"), so
/// the score rests on the query's significant units (generic words count only to break ties) and
/// on whether neighbouring syllables of the query stand together in the platform as well.
pub fn score(query: &Query, doc: &Document, rarity: &Rarity) -> Score {
    let significant: Vec<&Unit> = query.units.iter().filter(|u| u.is_significant()).collect();
    let basis: Vec<&Unit> = if significant.is_empty() {
        query.units.iter().collect()
    } else {
        significant
    };
    let total_weight: f32 = basis.iter().map(|u| rarity.of(u)).sum();
    let mut found_weight = 0.0;
    let mut found_count = 0;
    let mut generic_weight = 0.0;
    let mut generic_count = 0;
    let mut matches = Vec::new();
    let mut found_units: Vec<&Unit> = Vec::new();
    for unit in &query.units {
        let in_basis = basis.iter().any(|b| std::ptr::eq(*b, unit));
        if !in_basis {
            generic_count += 1;
        }
        if let Some(m) = find(unit, doc) {
            let factor = if m.how == How::Fuzzy {
                FUZZY_FACTOR
            } else {
                1.0
            };
            if in_basis {
                found_weight += rarity.of(unit) * m.field.weight() * factor;
                found_count += 1;
                found_units.push(unit);
            } else {
                generic_weight += m.field.weight();
            }
            matches.push(m);
        }
    }
    let coverage = if total_weight > 0.0 {
        found_weight / total_weight
    } else {
        0.0
    };
    let generic = if generic_count == 0 {
        0.0
    } else {
        generic_weight / generic_count as f32
    };
    // Neighbouring single-syllable units of the query, one of them significant ("dat dai",
    // "nghia trang"): do they stand together in the platform's names (full credit) or its
    // description (half)?
    let singles: Vec<&Unit> = query.units.iter().filter(|u| u.len == 1).collect();
    let pairs: Vec<(&Unit, &Unit)> = singles
        .windows(2)
        .filter(|w| {
            w[1].start == w[0].start + 1 && (w[0].is_significant() || w[1].is_significant())
        })
        .map(|w| (w[0], w[1]))
        .collect();
    let pair_credits: Vec<f32> = pairs
        .iter()
        .map(|(a, b)| {
            // A word found through a typo stands in the platform as the word it matched.
            let as_found = |u: &Unit| {
                matches
                    .iter()
                    .find(|m| m.term == u.text && m.how == How::Fuzzy)
                    .and_then(|m| m.matched_as.clone())
                    .unwrap_or_else(|| u.text.clone())
            };
            let pair = [as_found(a), as_found(b)];
            doc.fields
                .iter()
                .filter(|(_, words)| contains_sequence(words, &pair))
                .map(|(field, _)| {
                    if *field == Field::Description {
                        0.5
                    } else {
                        1.0
                    }
                })
                .fold(0.0, f32::max)
        })
        .collect();
    let phrase = if pairs.is_empty() {
        coverage
    } else {
        pair_credits.iter().sum::<f32>() / pairs.len() as f32
    };
    let name_phrases = pair_credits.iter().filter(|c| **c >= 1.0).count()
        + matches
            .iter()
            .filter(|m| m.field != Field::Description && m.how != How::Fuzzy)
            .filter(|m| {
                query
                    .units
                    .iter()
                    .any(|u| u.text == m.term && u.len > 1 && u.is_significant())
            })
            .count();
    let significant_found = if basis.is_empty() {
        0.0
    } else {
        found_count as f32 / basis.len() as f32
    };
    let value = (0.6 * coverage + 0.35 * phrase + 0.05 * generic).clamp(0.0, 1.0);
    Score {
        value,
        coverage,
        significant_found,
        matches,
        name_phrases,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, short: Option<&str>, en: &str, description: &str) -> Document {
        Document::new(name, short, "x", en, description)
    }

    #[test]
    fn abbreviations_expand_both_ways() {
        let q = analyse("CSDL dân cư");
        assert_eq!(q.units[0].text, "csdl");
        let d = doc(
            "Cơ sở dữ liệu quốc gia về dân cư",
            None,
            "National population database",
            "",
        );
        let s = score(&q, &d, &Rarity::default());
        assert!(
            s.matches.iter().any(|m| m.how == How::Abbreviation),
            "{s:?}"
        );
        assert!(s.value > 0.8, "{s:?}");
        let q = analyse("co so du lieu dan cu");
        let d = doc("CSDLQG về dân cư", None, "", "");
        assert!(score(&q, &d, &Rarity::default()).coverage > 0.5);
    }

    #[test]
    fn typos_and_missing_diacritics_still_match() {
        let d = doc(
            "Nền tảng hóa đơn điện tử",
            None,
            "Electronic invoice platform",
            "",
        );
        let s = score(&analyse("hoa don dien tu"), &d, &Rarity::default());
        assert!(s.value > 0.9, "{s:?}");
        let typo = score(&analyse("hoaa don dien tu"), &d, &Rarity::default());
        assert!(typo.matches.iter().any(|m| m.how == How::Fuzzy));
        assert!(typo.value > 0.6, "{typo:?}");
    }

    #[test]
    fn unrelated_text_scores_low() {
        let d = doc(
            "Nền tảng hóa đơn điện tử",
            None,
            "Electronic invoice platform",
            "Hóa đơn của doanh nghiệp.",
        );
        assert!(score(&analyse("thư viện trường học"), &d, &Rarity::default()).value < 0.3);
    }

    #[test]
    fn one_edit_means_one_letter() {
        assert!(one_edit_apart("dinh", "dinb"));
        assert!(one_edit_apart("dinh", "din"));
        assert!(one_edit_apart("dinh", "idnh"));
        assert!(!one_edit_apart("dinh", "dang"));
        assert!(!one_edit_apart("dinh", "dnah"));
    }

    #[test]
    fn compounds_match_joined_words() {
        let d = doc(
            "Trang thông tin cấp thị thực điện tử",
            Some("e-Visa"),
            "Electronic visa issuance information site",
            "",
        );
        assert!(score(&analyse("evisa"), &d, &Rarity::default()).value > 0.7);
    }
}

/// From this overlap score up, a planned purchase likely duplicates the platform.
pub const LIKELY_DUPLICATE: f32 = 0.75;
/// From this overlap score up, a planned purchase overlaps the platform in part.
pub const POSSIBLE_OVERLAP: f32 = 0.3;

/// How much a planned purchase overlaps one platform.
#[derive(Clone, Debug)]
pub struct Overlap {
    /// From 0 to 1; compare with [`LIKELY_DUPLICATE`] and [`POSSIBLE_OVERLAP`].
    pub value: f32,
    /// How the title matched.
    pub title: Score,
    /// How the description matched.
    pub description: Score,
    /// Domains the purchase and the platform share.
    pub shared_domains: Vec<String>,
    /// Audiences the purchase and the platform share.
    pub shared_audiences: Vec<String>,
}

/// Scores a planned purchase (its analysed title and description, its domains and audiences)
/// against a platform. The title weighs most: it names what is bought; the description confirms
/// it; a shared domain or audience adds a little, and never alone makes an overlap.
pub fn overlap(
    title: (&Query, &Rarity),
    description: (&Query, &Rarity),
    doc: &Document,
    domains: (&[String], &[String]),
    audiences: (&[String], &[String]),
) -> Overlap {
    let title_score = score(title.0, doc, title.1);
    let description_score = score(description.0, doc, description.1);
    let description = description.0;
    let shared = |(wanted, offered): (&[String], &[String])| -> Vec<String> {
        wanted
            .iter()
            .filter(|w| offered.contains(w))
            .cloned()
            .collect()
    };
    let shared_domains = shared(domains);
    let shared_audiences = shared(audiences);
    // The title names what is bought. A description is long and mostly generic, so what counts
    // is whether its phrases ("định danh", "xác thực") stand in the platform's names, and how much
    // of it the platform covers.
    let text = if description.units.is_empty() {
        title_score.value
    } else {
        let evidence = (description_score.name_phrases as f32 / 2.0).min(1.0);
        0.55 * title_score.value + 0.25 * evidence + 0.2 * description_score.coverage
    };
    let bonus = if shared_domains.is_empty() { 0.0 } else { 0.08 }
        + if shared_audiences.is_empty() {
            0.0
        } else {
            0.02
        };
    // Shared labels only strengthen a textual match.
    let value = (text + if text >= 0.2 { bonus } else { 0.0 }).clamp(0.0, 1.0);
    Overlap {
        value,
        title: title_score,
        description: description_score,
        shared_domains,
        shared_audiences,
    }
}
