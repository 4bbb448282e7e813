//! How the registry reads a Vietnamese query or planned purchase: as words, not syllables.
//!
//! Text is split into syllables, each kept with its diacritics and folded (lower case, no
//! diacritics, "đ" as "d"). The syllables are then grouped, longest first, into the words of a
//! lexicon built offline from the registry's own texts (`seeds/lexicon.txt`), the abbreviations
//! and synonyms a domain expert keeps in `seeds/synonyms.csv`, and the phrases of
//! `seeds/filler.csv`: words that frame a procurement document ("dự án", "gói thầu", "xây dựng")
//! and weigh nothing, and generic registry words ("hệ thống", "quốc gia") that weigh little.
//! Province names, old and new (`seeds/provinces.csv`), and numbers weigh nothing either. A text
//! written with diacritics is grouped with them: its syllables make a word only where they are
//! spelled as the word is ("thuộc tính", not "thuộc tỉnh"), and the two-syllable words of a
//! general dictionary (`seeds/words.txt`) count too; a text written without them is grouped
//! folded, with the registry's words only.
//!
//! A platform is read the same way, field by field: its names and aliases, its capabilities (what
//! it does, in a province's words), its English names, its description and who uses it (weak, as
//! the description is). A query word matches a platform's word, not a syllable inside another
//! word ("án" of "dự án" is not the "án" of "thi hành án"); a typo is forgiven only for a
//! syllable that is not Vietnamese (`seeds/syllables.txt`), so "khẩu" is never a misspelt
//! "khảo".
//!
//! The score combines how much of the query the platform covers (rare words weighing more than
//! common ones, names more than descriptions, an exact-diacritic match more than a folded one),
//! how much of one of the platform's own phrases (a name, an alias, a capability) the query
//! contains, and whether neighbouring query words stand together in the platform. A platform
//! named in full, by short name or by alias, is strong evidence.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use super::fold_for_search;

/// The registry's multi-syllable words, as written (built by `seeds/tools/build_lexicon.py`).
const LEXICON: &str = include_str!("../../seeds/lexicon.txt");
/// The words of two syllables or more of a general Vietnamese dictionary (pyvi's), with their
/// diacritics: read only in a text written with diacritics, where they cannot be mistaken.
const DICTIONARY: &str = include_str!("../../seeds/words.txt");
/// Every Vietnamese syllable, folded: a word among them is never taken for a typo.
const SYLLABLES: &str = include_str!("../../seeds/syllables.txt");
/// Abbreviations and synonyms, matched in both directions.
const SYNONYMS: &str = include_str!("../../seeds/synonyms.csv");
/// Words that frame a document rather than name a function, and generic registry words.
const FILLER: &str = include_str!("../../seeds/filler.csv");
/// The provinces and the former provinces they absorbed: places say nothing about a function.
const PROVINCES: &str = include_str!("../../seeds/provinces.csv");
/// The ministries: a province's department of the same field ("Sở Tài chính" of "Bộ Tài chính")
/// is who buys, not what is bought.
const MINISTRIES: &str = include_str!("../../seeds/ministries.csv");
/// The seeded platforms' profiles: the verbs their capabilities start with say what a function is.
const PROFILES: &str = include_str!("../../seeds/platform-profiles.csv");
/// What plans commonly mistake a seeded platform for, and it does not do: "tuyển sinh đầu cấp" is
/// not the university admissions system's work.
const LOOK_ALIKES: &str = include_str!("../../seeds/look-alikes.csv");

/// How much a generic word weighs, against 1 for a multi-syllable word.
const GENERIC_WEIGHT: f32 = 0.25;
/// How much a word of one syllable weighs: Vietnamese words are mostly two syllables, and a lone
/// syllable is ambiguous.
const SYLLABLE_WEIGHT: f32 = 0.7;
/// How much a typo match counts, against 1 for an exact one.
const FUZZY_FACTOR: f32 = 0.6;
/// How much a synonym counts, against 1 for the words as typed.
const SYNONYM_FACTOR: f32 = 0.9;
/// How much a match that agrees only once diacritics are folded away counts ("công" for "cổng").
const FOLDED_FACTOR: f32 = 0.85;
/// How much a syllable found inside another word counts.
const INSIDE_WORD_FACTOR: f32 = 0.5;
/// How much the part of a phrase found counts, against its share of the phrase.
const PART_FACTOR: f32 = 0.8;
/// The longest word or phrase looked up, in syllables.
const MAX_PHRASE: usize = 8;

/// Where a word was found, with the weight of that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The Vietnamese name, the short name, an alias or the code.
    Name,
    /// One of the platform's capabilities.
    Capability,
    /// The English name or capabilities.
    NameEn,
    /// The description.
    Description,
}

impl Field {
    fn weight(self) -> f32 {
        match self {
            Self::Name => 1.0,
            Self::Capability => 0.95,
            Self::NameEn => 0.9,
            Self::Description => 0.5,
        }
    }

    /// Whether a match here says what the platform is or does (not just what it mentions).
    pub fn is_strong(self) -> bool {
        self != Self::Description
    }

    /// The field's name in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Capability => "capabilities",
            Self::NameEn => "name_en",
            Self::Description => "description",
        }
    }
}

/// How a word matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// The word as typed.
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

/// What a word of a text is to the matcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A word that says what is meant.
    Content,
    /// A registry word so common that it says little ("hệ thống", "quốc gia").
    Generic,
    /// A word that frames a document ("dự án", "xây dựng", "của"), a place or a number.
    Filler,
}

/// One word of a text: one or more syllables, with what else it may be written as.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The word, folded.
    pub text: String,
    /// The word as written, lower case with its diacritics.
    exact: Vec<String>,
    /// Its syllables (folded), then each alternative with how it relates: shared with the
    /// vocabulary's entry, not copied into every word of every text read.
    alternatives: Arc<Vec<(Vec<String>, How)>>,
    /// What it is to the matcher.
    pub role: Role,
    /// The position of its first syllable in the text.
    start: usize,
    /// How many syllables it spans.
    len: usize,
}

impl Unit {
    /// Whether this word spans several syllables, or stands for words that do.
    pub fn is_phrase(&self) -> bool {
        self.len > 1 || self.alternatives.iter().any(|(words, _)| words.len() > 1)
    }

    /// Whether this word weighs fully (is neither generic nor filler).
    pub fn is_significant(&self) -> bool {
        self.role == Role::Content
    }

    /// Its weight before rarity: nothing for filler, little for generic words, less for a lone
    /// syllable than for a word.
    fn base_weight(&self) -> f32 {
        match self.role {
            Role::Filler => 0.0,
            Role::Generic => GENERIC_WEIGHT,
            Role::Content if self.is_phrase() || self.text.chars().count() >= 5 => 1.0,
            Role::Content => SYLLABLE_WEIGHT,
        }
    }

    /// Every way the word may be written, as folded text (for candidate lookup), and for a long
    /// phrase its first and last parts of three syllables or more, which the score counts in part.
    pub fn spellings(&self) -> impl Iterator<Item = String> + '_ {
        let words = &self.alternatives[0].0;
        let parts = (3..words.len())
            .flat_map(move |k| [words[..k].join(" "), words[words.len() - k..].join(" ")]);
        self.alternatives
            .iter()
            .map(|(words, _)| words.join(" "))
            .chain(parts)
    }
}

/// An analysed text.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// The words, in text order, each once; filler included (it weighs nothing).
    pub units: Vec<Unit>,
    /// Every syllable, folded, in order.
    tokens: Vec<String>,
    /// Where a word starts or ends, by syllable position (`tokens.len() + 1` entries).
    boundaries: Vec<bool>,
    /// Where the text starts naming what the plan draws on or feeds, if it does, and whether it
    /// reads from it ("tích hợp dữ liệu từ …") rather than feeds it ("đồng bộ lên …").
    drawn_on: Option<(usize, bool)>,
    /// The text from there on, read once: what the plan draws on or feeds.
    fed: Option<Box<Query>>,
    /// Whether the only words that say what the text is about say whom it serves.
    audience_only: bool,
    /// Whether the plan opens with training ("Tập huấn …", "Kế hoạch tổ chức bồi dưỡng …"): it
    /// buys a course, not a system. Asked of a plan only (see `analyse`).
    course: bool,
    /// Whether the plan opens with buying equipment ("Mua sắm máy chủ, thiết bị lưu trữ …") and
    /// names no software: it buys hardware, not a system. Asked of a plan only.
    equipment: bool,
    /// By syllable position: whether it belongs to a word that frames the purchase ("dự án",
    /// "xây dựng"; see `FRAMING_WORDS`). Empty when none does.
    framed: Vec<bool>,
    /// Whether the text numbers the tasks it lists, three or more ("(1) …; (2) …; (3) …"): a plan
    /// of several functions by its own account.
    numbered: bool,
    /// By syllable position: whether a comma comes before it ("nhà, cơ quan"). Asked of a plan
    /// only (see `analyse`); empty when the text has no comma.
    commas: Vec<bool>,
}

impl Query {
    /// Whether the text names anything: at least one word that is not filler.
    pub fn has_content(&self) -> bool {
        self.units.iter().any(|u| u.role != Role::Filler)
    }

    /// Whether the text is a document's or programme's name that names no thing bought: it has a
    /// document word ("Dự án", "Gói thầu số 02", "Đề án", "programme"), and no system, software or
    /// database followed by what it is for ("Đề án phát triển kinh tế số", "Gói thầu số 07: Thuê
    /// dịch vụ phần mềm thuộc Dự án chuyển đổi số ngành y tế"; not "Gói thầu: Phân hệ HIS quản lý
    /// điều trị nội trú", nor "Thuê hệ thống bán vé"). Software followed by whom or what it serves
    /// names no function either ("Gói thầu số 07: Thuê phần mềm phục vụ cải cách hành chính").
    pub fn names_a_programme(&self) -> bool {
        // "Mua sắm, lắp đặt thiết bị mạng LAN, wifi và máy tính cho Trung tâm Phục vụ hành chính
        // công": it names what is bought, equipment, whatever the description lists.
        if self.equipment {
            return false;
        }
        let document = self.units.iter().any(|u| {
            u.role == Role::Filler
                && DOCUMENT_WORDS
                    .iter()
                    .any(|w| u.text == *w || u.text.starts_with(&format!("{w} ")))
        });
        if !document {
            return false;
        }
        // Whether the word after `unit` is "phục vụ", "của", a year or a school year: what follows
        // is whom or what the system serves ("phần mềm phục vụ công tác thanh tra"), who buys it
        // ("phần mềm năm 2025 của Thanh tra tỉnh") or when ("phần mềm năm học 2025–2026"), not
        // what it does.
        let serves = |unit: &Unit| {
            self.units
                .iter()
                .find(|u| u.start >= unit.start + unit.len)
                .is_some_and(|u| {
                    u.text == "phuc vu"
                        || u.text.starts_with("phuc vu ")
                        || u.text == "cua"
                        || u.text == "nam hoc"
                        || (u.role == Role::Filler && u.text.starts_with("nam "))
                })
        };
        // The syllables of the words that are not filler, each with its word's index.
        let named: Vec<&Unit> = self
            .units
            .iter()
            .filter(|u| u.role != Role::Filler)
            .collect();
        let syllables: Vec<(&str, usize)> = named
            .iter()
            .enumerate()
            .flat_map(|(i, u)| u.text.split(' ').map(move |s| (s, i)))
            .collect();
        let written: Vec<&str> = named
            .iter()
            .flat_map(|u| u.exact.iter().map(String::as_str))
            .collect();
        let product = (0..syllables.len()).any(|k| {
            let starts_word = k == 0 || syllables[k - 1].1 != syllables[k].1;
            starts_word
                && PRODUCT_WORDS.iter().any(|w| {
                    let w: Vec<&str> = w.split(' ').collect();
                    let end = k + w.len();
                    end <= syllables.len()
                        && syllables[k..end].iter().map(|s| s.0).eq(w.iter().copied())
                        && written.get(k).is_none_or(|typed| spelled_as_product(typed))
                        // Typed without diacritics, "cong" starting the word "cong tac" is "công"
                        // of "công tác", not "cổng": no word of the dictionary folds to it and
                        // starts with the product.
                        && !(w.len() == 1
                            && syllables.get(k + 1).is_some_and(|next| {
                                next.1 == syllables[k].1
                                    && another_word(&format!("{} {}", syllables[k].0, next.0), w[0])
                            }))
                        // What follows says what it is for: the rest of its word, or a content word,
                        // or a function's verb and a content word ("Hệ thống quản lý công tác
                        // thanh tra").
                        && syllables.get(end).is_some_and(|&(_, j)| {
                            let i = syllables[end - 1].1;
                            let content = |j: usize| {
                                named.get(j).is_some_and(|u| u.role == Role::Content)
                            };
                            let for_what = content(j)
                                || (FUNCTION_VERBS.contains(&named[j].text) && content(j + 1));
                            j == i || (for_what && !serves(named[i]))
                        })
                })
        });
        !product
    }

    /// The text before syllable `at`: what a title says before it names a platform.
    fn before(&self, at: usize) -> Self {
        self.span(0, at)
    }

    /// The text from syllable `at` on: what a description names as what the plan feeds or draws
    /// on ("đồng bộ lên cơ sở dữ liệu ngành giáo dục của Bộ").
    fn after(&self, at: usize) -> Self {
        self.span(at, self.tokens.len())
    }

    /// The words wholly between syllables `from` and `to`, as a text of their own.
    fn span(&self, from: usize, to: usize) -> Self {
        let to = to.min(self.tokens.len());
        let from = from.min(to);
        Self {
            units: self
                .units
                .iter()
                .filter(|u| u.start >= from && u.start + u.len <= to)
                .map(|u| Unit {
                    start: u.start - from,
                    ..u.clone()
                })
                .collect(),
            tokens: self.tokens[from..to].to_vec(),
            boundaries: self.boundaries[from..=to].to_vec(),
            drawn_on: None,
            fed: None,
            audience_only: false,
            course: false,
            equipment: false,
            framed: self
                .framed
                .get(from..to)
                .map(<[bool]>::to_vec)
                .unwrap_or_default(),
            numbered: false,
            commas: self
                .commas
                .get(from..to)
                .map(<[bool]>::to_vec)
                .unwrap_or_default(),
        }
    }

    /// Keeps the first `n` words that are not filler (and the filler among them).
    pub fn truncate_content(&mut self, n: usize) {
        let mut seen = 0;
        self.units.retain(|u| {
            if u.role != Role::Filler {
                seen += 1;
            }
            seen <= n
        });
        if let Some(fed) = &mut self.fed {
            fed.truncate_content(n);
        }
    }

    /// The words that are not filler, folded, space-separated: what the text is about.
    pub fn gist(&self) -> String {
        let words: Vec<&str> = self
            .units
            .iter()
            .filter(|u| u.role != Role::Filler)
            .map(|u| u.text.as_str())
            .collect();
        words.join(" ")
    }
}

/// Whether `c` is a letter or a digit, as `char::is_alphanumeric` says. Vietnamese letters
/// (Latin-1, Latin Extended-A and -B, Latin Extended Additional) are answered without the
/// Unicode tables, whose look-up was a tenth of reading a platform's text.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_latin_letter(c) || c.is_alphanumeric()
    }
}

/// Whether `c` is one of the Latin letters outside ASCII that Vietnamese is written with, and
/// their neighbours in the same blocks: every one of them a letter.
fn is_latin_letter(c: char) -> bool {
    matches!(c, '\u{c0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}') && c != '\u{d7}' && c != '\u{f7}'
}

/// Splits text into syllables of letters and digits: each as written (lower case, its tone
/// placed as [`one_tone_placement`] does) and folded.
fn split(text: &str) -> Vec<(String, String)> {
    let lower = crate::domain::normalize_text(text).to_lowercase();
    // About one syllable in five bytes of Vietnamese: sized once rather than grown five times.
    let mut syllables = Vec::with_capacity(lower.len() / 5 + 1);
    syllables.extend(
        lower
            .split(|c: char| !is_word_char(c))
            .filter(|w| !w.is_empty())
            .map(|w| (one_tone_placement(w), stem(fold_for_search(w)))),
    );
    syllables
}

/// The tone of a syllable ending in "oa", "oe" or "uy" is written on either vowel: "hoá" and
/// "hóa", "toạ độ" and "tọa độ", "thuỷ" and "thủy" are one word in two spellings (the general
/// dictionary, `seeds/words.txt`, writes the first; the registry's texts and the provinces' plans
/// mostly the second). Read on the first vowel, as the registry writes it. Not after "q": the "u"
/// of "quý" is the consonant's.
fn one_tone_placement(syllable: &str) -> String {
    const MARKED_A: [char; 5] = ['à', 'á', 'ả', 'ã', 'ạ'];
    const MARKED_E: [char; 5] = ['è', 'é', 'ẻ', 'ẽ', 'ẹ'];
    const MARKED_Y: [char; 5] = ['ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'];
    const MARKED_O: [char; 5] = ['ò', 'ó', 'ỏ', 'õ', 'ọ'];
    const MARKED_U: [char; 5] = ['ù', 'ú', 'ủ', 'ũ', 'ụ'];
    let mut from_end = syllable.chars().rev();
    let (Some(last), Some(first)) = (from_end.next(), from_end.next()) else {
        return syllable.to_owned();
    };
    let after_q = from_end.next() == Some('q');
    let moved = match first {
        'o' => MARKED_A
            .iter()
            .position(|&c| c == last)
            .map(|tone| (MARKED_O[tone], 'a'))
            .or_else(|| {
                MARKED_E
                    .iter()
                    .position(|&c| c == last)
                    .map(|tone| (MARKED_O[tone], 'e'))
            }),
        'u' if !after_q => MARKED_Y
            .iter()
            .position(|&c| c == last)
            .map(|tone| (MARKED_U[tone], 'y')),
        _ => None,
    };
    match moved {
        // The two vowels are the syllable's last characters: what comes before them is kept.
        Some((first, last)) => {
            let kept = syllable.char_indices().rev().nth(1).map_or(0, |(at, _)| at);
            let mut read = String::with_capacity(syllable.len() + 1);
            read.push_str(&syllable[..kept]);
            read.push(first);
            read.push(last);
            read
        }
        None => syllable.to_owned(),
    }
}

/// Splits folded text into syllables.
pub fn syllables(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(|w| stem(w.to_owned()))
        .collect()
}

/// English endings taken off a word that is not a Vietnamese syllable, so that "invoicing",
/// "invoices" and "invoice" are one word. What is left is a prefix of each form, so the folded
/// text in the database still contains it.
const ENGLISH_ENDINGS: &[&str] = &[
    "ations", "ation", "ings", "ing", "ers", "er", "es", "ed", "s", "e",
];

fn stem(word: String) -> String {
    if word.len() < 5
        || !word.chars().all(|c| c.is_ascii_alphabetic())
        || VOCABULARY_SYLLABLES.contains(word.as_str())
    {
        return word;
    }
    ENGLISH_ENDINGS
        .iter()
        .find(|ending| word.ends_with(*ending) && word.len() - ending.len() >= 4)
        .map_or(word.clone(), |ending| {
            word[..word.len() - ending.len()].to_owned()
        })
}

/// Every Vietnamese syllable, folded: never stemmed, never taken for a typo.
static VOCABULARY_SYLLABLES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| SYLLABLES.lines().filter(|l| !l.starts_with('#')).collect());

/// The two-syllable words of the general dictionary, as written, each tone placed as a text's
/// is ([`one_tone_placement`]).
static DICTIONARY_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    DICTIONARY
        .lines()
        .filter(|l| !l.starts_with('#') && l.split(' ').count() == 2)
        .map(|l| {
            l.split(' ')
                .map(one_tone_placement)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
});

/// The two-syllable words of the general dictionary that only one word folds to: in a text
/// written without diacritics, "du lich" can only be "du lịch".
static FOLDED_DICTIONARY_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut count: HashMap<String, usize> = HashMap::new();
    for word in DICTIONARY_WORDS.iter() {
        *count.entry(fold_for_search(word)).or_default() += 1;
    }
    count
        .into_iter()
        .filter(|(_, n)| *n == 1)
        .map(|(w, _)| w)
        .collect()
});

/// Whether `word` (folded) is a Vietnamese syllable.
pub fn is_syllable(word: &str) -> bool {
    VOCABULARY_SYLLABLES.contains(word)
}

fn words(text: &str) -> Vec<String> {
    syllables(&fold_for_search(text))
}

/// A known word or phrase: what else it may be written as, and what it is.
#[derive(Clone, Debug)]
struct Entry {
    alternatives: Arc<Vec<(Vec<String>, How)>>,
    role: Role,
    /// How it is written with its diacritics (lower case), where the data says: a text written
    /// with diacritics holds the word only in one of these ("thuộc tính", not "thuộc tỉnh").
    /// Empty for a word written without them (an abbreviation, an English word).
    spellings: Vec<String>,
}

/// How a text writes a word, lower case with its diacritics, when it has any.
fn spelling(text: &str) -> Option<String> {
    let pairs = split(text);
    let spelled: Vec<&str> = pairs.iter().map(|(e, _)| e.as_str()).collect();
    has_diacritics(text).then(|| spelled.join(" "))
}

/// Whether a text is written with diacritics (any letter outside ASCII).
fn has_diacritics(text: &str) -> bool {
    text.chars()
        .any(|c| !c.is_ascii() && (is_latin_letter(c) || c.is_alphabetic()))
}

/// The vocabulary the matcher reads with, built once from the data files.
struct Vocabulary {
    /// Known words and phrases by folded text.
    entries: HashMap<String, Entry>,
    /// The words that say whom a text serves ("doanh nghiệp", "cán bộ"), folded: generic, unless
    /// the text names nothing else.
    audience: HashSet<String>,
    /// The most syllables of a known phrase starting with a syllable (folded), for the syllables
    /// that start one: a text's phrases are looked up only as long as they may be, one look-up
    /// where every length up to `MAX_PHRASE` was tried.
    longest_from: HashMap<String, usize>,
}

impl Vocabulary {
    /// The most syllables a known phrase starting with `syllable` has (0 when none starts with it).
    fn longest_from(&self, syllable: &str) -> usize {
        self.longest_from.get(syllable).copied().unwrap_or(0)
    }
}

fn csv_rows(data: &str) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(data.as_bytes())
        .records()
        .filter_map(Result::ok)
        .collect()
}

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    let mut entries: HashMap<String, Entry> = HashMap::new();
    let mut add =
        |written: &str, key: Vec<String>, alternative: Option<(Vec<String>, How)>, role: Role| {
            if key.is_empty() {
                return;
            }
            let entry = entries.entry(key.join(" ")).or_insert_with(|| Entry {
                alternatives: Arc::new(vec![(key.clone(), How::Exact)]),
                role,
                spellings: Vec::new(),
            });
            if let Some(spelled) = spelling(written)
                && split(written).len() == key.len()
                && !entry.spellings.contains(&spelled)
            {
                entry.spellings.push(spelled);
            }
            // Filler and generic words keep the lowest role any file gives them.
            if role != Role::Content && entry.role == Role::Content {
                entry.role = role;
            }
            if let Some(alt) = alternative
                && alt.0 != key
                && !entry.alternatives.iter().any(|(w, _)| *w == alt.0)
            {
                Arc::make_mut(&mut entry.alternatives).push(alt);
            }
        };
    for line in LEXICON.lines().filter(|l| !l.starts_with('#')) {
        add(line, words(line), None, Role::Content);
    }
    for row in csv_rows(SYNONYMS) {
        let (Some(term), Some(equivalent)) = (row.get(0), row.get(1)) else {
            continue;
        };
        let how = if row.get(2) == Some("abbreviation") {
            How::Abbreviation
        } else {
            How::Synonym
        };
        let (a, b) = (words(term), words(equivalent));
        add(term, a.clone(), Some((b.clone(), how)), Role::Content);
        add(equivalent, b, Some((a, how)), Role::Content);
    }
    let mut audience = HashSet::new();
    for row in csv_rows(FILLER) {
        let Some(phrase) = row.get(0) else { continue };
        let role = match row.get(1) {
            Some("generic") => Role::Generic,
            Some("audience") => {
                audience.insert(words(phrase).join(" "));
                Role::Generic
            }
            _ => Role::Filler,
        };
        add(phrase, words(phrase), None, role);
    }
    for row in csv_rows(PROVINCES) {
        let names = std::iter::once(row.get(1).unwrap_or_default().to_owned())
            .chain(row.get(4).unwrap_or_default().split(';').map(str::to_owned));
        for name in names {
            let mut name = words(&name);
            // "Tỉnh Quảng Ngãi" and "Quảng Ngãi" alike.
            for prefix in [&["tinh"][..], &["thanh", "pho"][..]] {
                if name.starts_with(&prefix.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()) {
                    name.drain(..prefix.len());
                }
            }
            // Any spelling: a place in a plan is filler however it is written.
            add("", name, None, Role::Filler);
        }
    }
    // "Sở Tài chính", "ngành y tế", "Department of Health": the department that buys, any spelling. ("Thanh tra tỉnh" is
    // one only as "cho/của Thanh tra tỉnh", `seeds/filler.csv`: "công tác thanh tra tỉnh Bắc Kạn"
    // is inspection work in a province.)
    for row in csv_rows(MINISTRIES) {
        let Some(field) = row.get(2).and_then(|name| name.strip_prefix("Bộ ")) else {
            continue;
        };
        for department in ["sở", "ngành"] {
            let name = format!("{department} {field}");
            add("", words(&name), None, Role::Filler);
        }
        // "Department of Education and Training" in a donor-funded text.
        if let Some(field) = row
            .get(3)
            .and_then(|name| name.strip_prefix("Ministry of "))
        {
            add(
                "",
                words(&format!("department of {field}")),
                None,
                Role::Filler,
            );
        }
    }
    // A generic word's abbreviation is as generic ("csdl" is "cơ sở dữ liệu").
    let generic: Vec<String> = entries
        .iter()
        .filter(|(_, e)| e.role == Role::Generic)
        .map(|(k, _)| k.clone())
        .collect();
    for key in generic {
        let alts: Vec<String> = entries
            .get(&key)
            .map(|e| e.alternatives.iter().map(|(w, _)| w.join(" ")).collect())
            .unwrap_or_default();
        for alt in alts {
            if let Some(e) = entries.get_mut(&alt)
                && e.role == Role::Content
                && e.alternatives.len() <= 2
            {
                e.role = Role::Generic;
            }
        }
    }
    let mut longest_from: HashMap<String, usize> = HashMap::new();
    for key in entries.keys() {
        let mut syllables = key.split(' ');
        let first = syllables.next().unwrap_or_default();
        let n = 1 + syllables.count();
        let longest = longest_from.entry(first.to_owned()).or_default();
        *longest = (*longest).max(n);
    }
    Vocabulary {
        entries,
        audience,
        longest_from,
    }
});

/// Analyses a search query. A department's name is who buys in a plan, but searched alone ("Sở
/// Tư pháp", "ngành y tế", "Department of Health") it asks for the platforms of its field: a query
/// left with nothing else is read without the word that makes it a department.
pub fn analyse_search(text: &str) -> Query {
    let query = analyse(text);
    if query.has_content() {
        return query;
    }
    let mut field = Vec::new();
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let folded = fold_for_search(word);
        let department_of = folded == "department"
            && words
                .peek()
                .is_some_and(|next| fold_for_search(next) == "of");
        if department_of {
            words.next();
        } else if folded != "so" && folded != "nganh" {
            field.push(word);
        }
    }
    let field = analyse(&field.join(" "));
    // "Sở" alone names no field: the query stays as it was written.
    if field.has_content() { field } else { query }
}

/// Analyses a text (any case, with or without diacritics) into words.
pub fn analyse(text: &str) -> Query {
    let mut query = analyse_written(text, true).0;
    query.drawn_on = drawn_on_from(&query);
    query.fed = query.drawn_on.map(|(from, _)| Box::new(query.after(from)));
    query.course = TRAINING.iter().any(|work| opens_with(&query, work));
    query.equipment = EQUIPMENT
        .iter()
        .any(|purchase| opens_with(&query, purchase))
        && !SOFTWARE
            .iter()
            .any(|software| query_contains(&query, software));
    query.numbered = numbered_items(text) >= 3;
    query.commas = commas(text, query.tokens.len());
    query
}

/// How many items a text numbers: "(1)", "2)", "b)" at the start of a word, each counted once.
fn numbered_items(text: &str) -> usize {
    let mut markers: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices(')') {
        let before = &text[..at];
        let start = before
            .trim_end_matches(|c: char| c.is_ascii_alphanumeric())
            .len();
        let marker = &before[start..];
        let opens_a_word = before[..start]
            .chars()
            .next_back()
            .is_none_or(|c| c == '(' || c.is_whitespace() || c == ':' || c == ';');
        let short = (1..=2).contains(&marker.len())
            && (marker.chars().all(|c| c.is_ascii_digit())
                || (marker.len() == 1 && marker.chars().all(|c| c.is_ascii_lowercase())));
        if opens_a_word && short && !markers.contains(&marker) {
            markers.push(marker);
        }
    }
    markers.len()
}

/// Analyses a text into words, with its syllables as written (lower case, with diacritics).
/// Without `with_units`, only where its words start and end is kept, not the words themselves
/// (a description is searched for a plan's words; only a platform's own phrases are weighed word
/// by word, and making every word of every candidate's description was a third of reading it).
fn analyse_written(text: &str, with_units: bool) -> (Query, Vec<String>) {
    let (exact, tokens): (Vec<String>, Vec<String>) = split(text).into_iter().unzip();
    // A text written with diacritics is read with them: its syllables form a word only when they
    // are written as the word is ("thuộc tỉnh" is not "thuộc tính"). One written without them is
    // read folded, and so is a run of syllables without any in a text that has some: a title
    // written without diacritics and numbered "(gói thầu số 02)", a name pasted in, was read as
    // if every unmarked syllable were meant unmarked, and lost its words ("thu tuc" was not
    // "thủ tục"); on the development plans numbered that way, 11 of 182 verdicts changed.
    let marks: Vec<bool> = exact.iter().map(|e| has_diacritics(e)).collect();
    let marked_at = |at: usize, n: usize| marks[at..at + n].iter().any(|m| *m);
    let spelled_as = |entry: &Entry, at: usize, n: usize| {
        !marked_at(at, n)
            || entry.spellings.is_empty()
            || entry
                .spellings
                .iter()
                .any(|s| s.split(' ').zip(&exact[at..at + n]).all(|(w, e)| w == e))
    };
    // The folded phrase of the syllables from `i` on, one string whose prefixes are the phrases
    // of each length (`ends[n - 1]` ends the one of `n` syllables): looking a text's phrases up
    // made a string per length and position, and that was most of reading a description.
    let mut key = String::new();
    let mut ends: Vec<usize> = Vec::with_capacity(MAX_PHRASE + 1);
    let mut written_pair = String::new();
    let mut boundaries = vec![false; tokens.len() + 1];
    let mut units: Vec<Unit> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        boundaries[i] = true;
        key.clear();
        ends.clear();
        // As many syllables as a phrase starting here, or at the next one, may span.
        let starting = VOCABULARY.longest_from(&tokens[i]);
        let next = tokens
            .get(i + 1)
            .map_or(0, |t| 1 + VOCABULARY.longest_from(t));
        let span = starting.max(next).clamp(2, MAX_PHRASE + 1);
        for token in &tokens[i..(i + span).min(tokens.len())] {
            if !key.is_empty() {
                key.push(' ');
            }
            key.push_str(token);
            ends.push(key.len());
        }
        let longest = (2..=MAX_PHRASE.min(tokens.len() - i).min(starting))
            .rev()
            .find_map(|n| {
                VOCABULARY
                    .entries
                    .get(&key[..ends[n - 1]])
                    .filter(|e| spelled_as(e, i, n))
                    .map(|e| (n, Cow::Borrowed(e)))
            })
            // A word of two syllables the registry does not use, from a general dictionary, read
            // only as written with its diacritics: folded, such a word is too often two words
            // ("thuoc tinh" for "thuộc tỉnh").
            .or_else(|| {
                if tokens.len() - i < 2 {
                    return None;
                }
                let folded_word = || {
                    FOLDED_DICTIONARY_WORDS.contains(&key[..ends[1]])
                        && tokens[i..i + 2].iter().all(|f| {
                            VOCABULARY
                                .entries
                                .get(f)
                                .is_none_or(|e| e.role != Role::Filler)
                        })
                        // The registry's own word starting at the second syllable comes first:
                        // "chu su dung" is "chủ | sử dụng", not "chủ sự | dụng".
                        && !(2..=MAX_PHRASE
                            .min(tokens.len() - i - 1)
                            .min(next.saturating_sub(1)))
                            .any(|n| {
                            VOCABULARY
                                .entries
                                .contains_key(&key[ends[0] + 1..ends[n]])
                        })
                };
                let mut written_word = || {
                    written_pair.clear();
                    written_pair.push_str(&exact[i]);
                    written_pair.push(' ');
                    written_pair.push_str(&exact[i + 1]);
                    DICTIONARY_WORDS.contains(written_pair.as_str())
                };
                let marked = marked_at(i, 2);
                ((marked && written_word()) || (!marked && folded_word())).then(|| {
                    let key = tokens[i..i + 2].to_vec();
                    (
                        2,
                        Cow::Owned(Entry {
                            alternatives: Arc::new(vec![(key, How::Exact)]),
                            role: Role::Content,
                            spellings: Vec::new(),
                        }),
                    )
                })
            })
            .or_else(|| {
                VOCABULARY
                    .entries
                    .get(&tokens[i])
                    .map(|e| (1, Cow::Borrowed(e)))
            });
        if !with_units {
            i += longest.map_or(1, |(n, _)| n);
            continue;
        }
        let (len, alternatives, role) = match longest {
            Some((n, entry)) => (n, Arc::clone(&entry.alternatives), entry.role),
            None => {
                let word = &tokens[i];
                // Numbers ("gói thầu số 02", "2026") and lone letters say nothing of a function.
                let role = if word.chars().all(|c| c.is_ascii_digit()) || word.chars().count() < 2 {
                    Role::Filler
                } else {
                    Role::Content
                };
                (1, Arc::new(vec![(vec![word.clone()], How::Exact)]), role)
            }
        };
        let text = &key[..ends[len - 1]];
        i += len;
        // A word written twice counts once.
        if units.iter().any(|u| u.text == text) {
            continue;
        }
        units.push(Unit {
            text: text.to_owned(),
            exact: exact[i - len..i].to_vec(),
            alternatives,
            role,
            start: i - len,
            len,
        });
    }
    if let Some(last) = boundaries.last_mut() {
        *last = true;
    }
    // A name written with capitals after a word for a place below a province ("cửa khẩu Móng
    // Cái", "huyện Krông Pắc", "thành phố Hạ Long") is a place, filler as a province is.
    if with_units {
        let named = place_names(text, &exact);
        for unit in &mut units {
            if named[unit.start..unit.start + unit.len].iter().all(|n| *n) {
                unit.role = Role::Filler;
            }
        }
    }
    // "xây dựng" and "đầu tư" frame a plan as verbs ("Xây dựng hệ thống …", "Đầu tư hạ tầng …"),
    // but after a word that names something they are its object: "giấy phép xây dựng" is a
    // building permit, "xúc tiến đầu tư" investment promotion.
    for i in 1..units.len() {
        let (before, after) = units.split_at_mut(i);
        let (previous, unit) = (&before[i - 1], &mut after[0]);
        if unit.role == Role::Filler
            && NOUN_VERBS.contains(&unit.text.as_str())
            && previous.role == Role::Content
            && previous.start + previous.len == unit.start
        {
            unit.role = Role::Content;
        }
    }
    // Whom a text serves weighs little next to what it does; a text that names nothing else
    // ("Ứng dụng hỗ trợ doanh nghiệp") is about them, and names no function.
    let mut audience_only = false;
    if !units.iter().any(|u| u.role == Role::Content) {
        for unit in &mut units {
            if VOCABULARY.audience.contains(&unit.text) {
                unit.role = Role::Content;
                audience_only = true;
            }
        }
    }
    // Where the text frames its purchase: its document and work words, except a document word
    // and the work after it that follow what the text names ("theo dõi thực hiện các dự án đầu
    // tư" monitors investment projects; "Dự án đầu tư xây dựng …" frames one). Left empty when
    // nothing does, as in every description of a platform.
    let mut framed = Vec::new();
    let mut named = false;
    let mut object_until = 0;
    for (i, unit) in units.iter().enumerate() {
        named |= unit.role == Role::Content;
        if named && document_and_work(&units, i) {
            object_until = i + 2;
        }
        if i >= object_until && unit.role == Role::Filler && FRAMING_WORDS.contains(&unit.text) {
            framed.resize(tokens.len(), false);
            framed[unit.start..unit.start + unit.len].fill(true);
        }
    }
    // What the text draws on is asked of a plan only (see `analyse`), not of a platform's text.
    let query = Query {
        units,
        tokens,
        boundaries,
        drawn_on: None,
        fed: None,
        audience_only,
        course: false,
        equipment: false,
        framed,
        numbered: false,
        commas: Vec::new(),
    };
    (query, exact)
}

/// By syllable position: whether a comma comes between it and the syllable before. Empty when
/// the text has no comma.
fn commas(text: &str, syllables: usize) -> Vec<bool> {
    if !text.contains(',') {
        return Vec::new();
    }
    let commas: Vec<bool> = as_written(text)
        .map(|(_, after_comma)| after_comma)
        .collect();
    if commas.len() == syllables {
        commas
    } else {
        Vec::new()
    }
}

/// What `split` leaves out of each syllable of a text, in order: whether it is written with a
/// capital, and whether a comma comes between it and the syllable before.
fn as_written(text: &str) -> impl Iterator<Item = (bool, bool)> {
    let normalized = crate::domain::normalize_text(text);
    let mut marks = Vec::new();
    let mut after_comma = false;
    for piece in normalized.split_inclusive(|c: char| !is_word_char(c)) {
        let word = piece.trim_end_matches(|c: char| !is_word_char(c));
        if !word.is_empty() {
            marks.push((
                word.chars().next().is_some_and(char::is_uppercase),
                after_comma,
            ));
            after_comma = false;
        }
        after_comma |= piece[word.len()..].contains(',');
    }
    marks.into_iter()
}

/// Words for a place below a province, as written, that a capitalised name follows.
const PLACE_WORDS: &[&[&str]] = &[
    &["huyện"],
    &["huyen"],
    &["xã"],
    &["phường"],
    &["phuong"],
    &["quận"],
    &["thị", "xã"],
    &["thi", "xa"],
    &["thị", "trấn"],
    &["thi", "tran"],
    &["thành", "phố"],
    &["thanh", "pho"],
    &["tp"],
    &["cửa", "khẩu"],
    &["cua", "khau"],
];

/// By syllable position: whether the syllable belongs to a name written with capitals after a
/// word of [`PLACE_WORDS`], up to the first syllable written in lower case. All false when the
/// text splits otherwise than `exact`.
fn place_names(text: &str, exact: &[String]) -> Vec<bool> {
    let mut named = vec![false; exact.len()];
    // Where each place word ends, found before the text is split a second time for its capitals
    // (most texts have none).
    let ends: Vec<usize> = (0..exact.len())
        .filter_map(|i| {
            PLACE_WORDS.iter().find_map(|words| {
                exact
                    .get(i..i + words.len())
                    .is_some_and(|w| w.iter().zip(words.iter()).all(|(a, b)| a == b))
                    .then_some(i + words.len())
            })
        })
        .collect();
    if ends.is_empty() {
        return named;
    }
    let capitalised: Vec<bool> = as_written(text).map(|(capital, _)| capital).collect();
    if capitalised.len() != exact.len() {
        return named;
    }
    for end in ends {
        for i in end..exact.len() {
            if !capitalised[i] {
                break;
            }
            named[i] = true;
        }
    }
    named
}

/// Framing verbs that are also nouns: "xây dựng" (construction), "đầu tư" (investment).
const NOUN_VERBS: &[&str] = &["xay dung", "dau tu"];

/// The most functions of a description scored one by one.
const MAX_CLAUSES: usize = 8;

/// The functions a description lists, one per clause ("học trực tuyến, ngân hàng đề thi; quản lý
/// hồ sơ học sinh"), each analysed on its own; a clause of fewer than two significant syllables
/// names no function ("đăng ký doanh nghiệp trực tuyến" names one, "camera" does not).
pub fn clauses(text: &str) -> Vec<(String, Query)> {
    // A point or comma between digits is part of a number ("1.000 người", "1,2 triệu trang").
    let chars: Vec<char> = text.chars().collect();
    // Each piece with whether a comma ended the one before it.
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut piece = String::new();
    let mut after_comma = false;
    for (i, &c) in chars.iter().enumerate() {
        let in_number = matches!(c, '.' | ',')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if matches!(c, ',' | ';' | '.' | ':' | '\n' | '(' | ')') && !in_number {
            pieces.push((std::mem::take(&mut piece), after_comma));
            after_comma = c == ',';
        } else {
            piece.push(c);
        }
    }
    pieces.push((piece, after_comma));
    // An item of a list ("trụ sở, nhà đất, ô tô") names no function of its own: it belongs to the
    // clause it continues.
    let mut joined: Vec<(String, Query)> = Vec::new();
    for (piece, after_comma) in pieces {
        let query = analyse(&piece);
        match joined.last_mut() {
            Some((previous, read)) if after_comma && !names_a_function(&query) => {
                previous.push_str(", ");
                previous.push_str(piece.trim());
                *read = analyse(previous);
            }
            _ => joined.push((piece.trim().to_owned(), query)),
        }
    }
    joined
        .into_iter()
        .filter(|(_, q)| {
            q.units
                .iter()
                .filter(|u| u.is_significant())
                .map(|u| u.len)
                .sum::<usize>()
                >= 2
        })
        .take(MAX_CLAUSES)
        .collect()
}

/// The syllables of a platform's phrase, kept in one string: a description has hundreds, and a
/// string for each, twice (folded and as written), was most of the heap and of the allocations a
/// searchable form took.
#[derive(Clone, Debug, Default)]
struct Syllables {
    text: String,
    /// Where each syllable ends in `text`.
    ends: Vec<u32>,
}

impl Syllables {
    fn new(words: &[String]) -> Self {
        let mut text = String::with_capacity(words.iter().map(String::len).sum());
        let mut ends = Vec::with_capacity(words.len());
        for word in words {
            text.push_str(word);
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        Self { text, ends }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`-th syllable.
    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Whether `words` stand here from syllable `at`.
    fn at(&self, at: usize, words: &[String]) -> bool {
        at + words.len() <= self.len()
            && words.iter().enumerate().all(|(k, w)| self.get(at + k) == w)
    }

    /// The syllables, space-separated.
    fn joined(&self) -> String {
        let mut joined = String::with_capacity(self.text.len() + self.len());
        for (i, syllable) in self.iter().enumerate() {
            if i > 0 {
                joined.push(' ');
            }
            joined.push_str(syllable);
        }
        joined
    }

    fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

/// One phrase of a platform's text (a name, an alias, a capability, the description), read.
#[derive(Clone, Debug)]
struct Passage {
    field: Field,
    /// Its syllables, folded.
    tokens: Syllables,
    /// Its syllables as written, lower case.
    exact: Syllables,
    /// Where its words start or end.
    boundaries: Vec<bool>,
    /// Its words, when it is one of the platform's own phrases (name, alias, capability); empty
    /// for a description.
    units: Vec<Unit>,
}

impl Passage {
    fn new(field: Field, text: &str) -> Self {
        let (mut query, exact) = analyse_written(text, field != Field::Description);
        // In a platform's own phrase, a document word and the work after it are what the phrase
        // acts on, not how a purchase is framed: "theo dõi thực hiện dự án đầu tư" follows
        // investment projects. Read as framing, the phrase was "theo dõi" alone, and any plan
        // that monitors something ("theo dõi sâu bệnh hại lúa") contained it whole. A plan's own
        // framing is still not found in it (`query_positions_unframed`).
        for i in 0..query.units.len() {
            if document_and_work(&query.units, i) {
                query.units[i].role = Role::Content;
                query.units[i + 1].role = Role::Content;
            }
        }
        Self {
            field,
            tokens: Syllables::new(&query.tokens),
            exact: Syllables::new(&exact),
            boundaries: query.boundaries,
            units: query.units,
        }
    }

    /// Where `needle` stands in this passage, as a whole word when it is one syllable.
    fn find(&self, needle: &[String]) -> Option<usize> {
        self.find_in_words(needle, false)
    }

    /// Where `needle` stands, inside another word too when `inside` is true.
    fn find_in_words(&self, needle: &[String], inside: bool) -> Option<usize> {
        if needle.is_empty() || needle.len() > self.tokens.len() {
            return None;
        }
        (0..=self.tokens.len() - needle.len()).find(|&i| {
            self.tokens.at(i, needle) && (inside || aligned(&self.boundaries, i, needle.len()))
        })
    }
}

/// A platform's searchable text, read once.
#[derive(Clone, Debug)]
pub struct Document {
    passages: Vec<Passage>,
    /// Adjacent syllables of names joined: "e-Visa" is also "evisa".
    compounds: HashSet<String>,
    /// The platform's own phrases (names, aliases, capabilities) that say what it is.
    cores: Vec<usize>,
    /// The names people call it by (short name, aliases, the full name), folded, each with the
    /// name as written: a text naming one of them names the platform.
    names: Vec<(Vec<String>, String)>,
    /// What plans mistake it for and it does not do (`seeds/look-alikes.csv`), shared by every
    /// document of the platform.
    look_alikes: Option<&'static [LookAlike]>,
}

/// A purchase that plans mistake a platform for: the phrase as written, and folded.
#[derive(Debug)]
pub struct LookAlike {
    written: String,
    words: Vec<String>,
}

/// `seeds/look-alikes.csv`, by platform code.
static LOOK_ALIKE_TABLE: LazyLock<HashMap<String, Vec<LookAlike>>> = LazyLock::new(|| {
    csv_rows(LOOK_ALIKES)
        .iter()
        .map(|row| {
            let phrases = row
                .get(1)
                .unwrap_or_default()
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| LookAlike {
                    written: p.to_owned(),
                    words: syllables(&fold_for_search(p)),
                })
                .collect();
            (row.get(0).unwrap_or_default().to_owned(), phrases)
        })
        .collect()
});

/// What a platform is read from.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fields<'a> {
    /// The Vietnamese name.
    pub name_vi: &'a str,
    /// The short name.
    pub short_name: Option<&'a str>,
    /// The code.
    pub code: &'a str,
    /// The English name.
    pub name_en: &'a str,
    /// The description.
    pub description: &'a str,
    /// Other names people use.
    pub aliases: &'a [String],
    /// What it does, in Vietnamese.
    pub capabilities: &'a [String],
    /// What it does, in English.
    pub capabilities_en: &'a [String],
    /// Who uses it.
    pub users: &'a [String],
}

impl Document {
    /// Builds the searchable form of a platform.
    pub fn new(fields: Fields<'_>) -> Self {
        let mut passages = vec![Passage::new(Field::Name, fields.name_vi)];
        // The passages that are names people call it by, with the name as written.
        let mut named = vec![(0, fields.name_vi)];
        if let Some(short) = fields.short_name {
            named.push((passages.len(), short));
            passages.push(Passage::new(Field::Name, short));
        }
        passages.push(Passage::new(Field::Name, &fields.code.replace('-', " ")));
        for alias in fields.aliases {
            named.push((passages.len(), alias));
            passages.push(Passage::new(Field::Name, alias));
        }
        for capability in fields.capabilities {
            passages.push(Passage::new(Field::Capability, capability));
        }
        named.push((passages.len(), fields.name_en));
        passages.push(Passage::new(Field::NameEn, fields.name_en));
        for capability in fields.capabilities_en {
            passages.push(Passage::new(Field::NameEn, capability));
        }
        passages.push(Passage::new(Field::Description, fields.description));
        // Who uses it counts as what it mentions: "cấp chứng thư số cho cán bộ, công chức".
        for user in fields.users {
            passages.push(Passage::new(Field::Description, user));
        }
        let mut compounds = HashSet::new();
        for p in passages.iter().filter(|p| p.field == Field::Name) {
            for i in 1..p.tokens.len() {
                let (first, second) = (p.tokens.get(i - 1), p.tokens.get(i));
                let mut joined = String::with_capacity(first.len() + second.len());
                joined.push_str(first);
                joined.push_str(second);
                compounds.insert(joined);
            }
        }
        let cores = passages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.field != Field::Description)
            .filter(|(_, p)| p.units.iter().any(Unit::is_significant))
            .map(|(i, _)| i)
            .collect();
        // A name is distinctive when it is more than one generic word: "VNeID", "NDXP", "Cổng
        // Dịch vụ công quốc gia"; not "Cổng thông tin". Its passage was read already: reading
        // each name a second time was a fifth of building a platform's searchable form.
        let mut names: Vec<(Vec<String>, String)> = named
            .into_iter()
            .map(|(i, written)| (&passages[i], written))
            .filter(|(p, _)| {
                (p.tokens.len() >= 2
                    || (p.tokens.len() == 1 && p.tokens.get(0).chars().count() >= 4))
                    && p.units.iter().any(Unit::is_significant)
            })
            .map(|(p, written)| (p, written.trim().to_owned()))
            .flat_map(|(p, written)| {
                let tokens = p.tokens.to_vec();
                // An abbreviation among other words of a name is written out too: "cơ sở dữ
                // liệu quốc gia về hoạt động xây dựng" names "CSDL quốc gia về hoạt động xây
                // dựng". Not a name that is only the abbreviation: "giấy phép lái xe" is a
                // licence, "GPLX" a platform's short name.
                let mut spelled = Vec::new();
                let mut out = false;
                for (i, token) in tokens.iter().enumerate().filter(|_| tokens.len() > 1) {
                    let long = p
                        .units
                        .iter()
                        .filter(|u| u.start == i && u.len == 1)
                        .flat_map(|u| u.alternatives.iter())
                        .find(|(words, how)| *how == How::Abbreviation && words.len() > 1);
                    match long {
                        Some((words, _)) => {
                            spelled.extend(words.iter().cloned());
                            out = true;
                        }
                        None => spelled.push(token.clone()),
                    }
                }
                let spelled = out.then(|| (spelled, written.clone()));
                std::iter::once((tokens, written)).chain(spelled)
            })
            .collect();
        // A name is written without its "về" too: "CSDL quốc gia đất đai", "hệ thống thông tin
        // dữ liệu công tác dân tộc".
        let without_about: Vec<(Vec<String>, String)> = names
            .iter()
            .filter(|(tokens, _)| {
                tokens.len() >= 4 && tokens[1..tokens.len() - 1].contains(&"ve".to_owned())
            })
            .map(|(tokens, written)| {
                let tokens = tokens.iter().filter(|t| *t != "ve").cloned().collect();
                (tokens, written.clone())
            })
            .collect();
        names.extend(without_about);
        names.dedup_by(|a, b| a.0 == b.0);
        Self {
            passages,
            compounds,
            cores,
            names,
            look_alikes: LOOK_ALIKE_TABLE.get(fields.code).map(Vec::as_slice),
        }
    }
}

/// How one word of the query was found.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitMatch {
    /// The word as typed, folded.
    pub term: String,
    /// The word as typed, lower case, with its diacritics: what a receipt quotes.
    pub written: String,
    /// The best field it was found in.
    pub field: Field,
    /// How it matched.
    pub how: How,
    /// What it matched as, when not as typed.
    pub matched_as: Option<String>,
    /// Whether the word is significant (neither generic nor filler).
    pub significant: bool,
    /// Whether it matched with the diacritics as typed.
    pub diacritics_agree: bool,
}

/// How well a platform answers a text, and why.
#[derive(Clone, Debug, Default)]
pub struct Score {
    /// From 0 (nothing) to 1 (the text is what the platform is).
    pub value: f32,
    /// The weighted share of the text's words the platform has (0 to 1).
    pub coverage: f32,
    /// The share of the text's significant words found anywhere.
    pub significant_found: f32,
    /// The largest share of one of the platform's own phrases (a name, an alias, a capability)
    /// that the text contains.
    pub containment: f32,
    /// That phrase, as the platform writes it, when the text contains most of it.
    pub contained_phrase: Option<String>,
    /// The platform's name the text names, if any, as the platform writes it.
    pub named: Option<String>,
    /// Where that name starts in the text (a syllable position).
    pub named_at: Option<usize>,
    /// Whether the text names the platform as one it uses, feeds or connects to ("xác thực qua
    /// VNeID", "đồng bộ lên CSDL ngành giáo dục").
    pub used: bool,
    /// Whether the text names the platform only as one it reads from ("lấy từ cơ sở dữ liệu
    /// ngành giáo dục"): data flows from it into the plan, not the other way.
    pub reads_only: bool,
    /// The words found.
    pub matches: Vec<UnitMatch>,
    /// How many significant words were found in a name, an alias or a capability.
    pub strong_matches: usize,
}

fn keep(best: &mut Option<(f32, UnitMatch)>, value: f32, m: UnitMatch) {
    if best.as_ref().is_none_or(|(v, _)| value > *v) {
        *best = Some((value, m));
    }
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
        if prefix == short.len() {
            return false;
        }
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

/// Whether a word typed with diacritics and what a platform writes where it is found are two words
/// of the dictionary that fold alike ("lưu trú", lodging, and "lưu trữ", storage): not the same
/// word with its marks mistyped, but another word.
fn other_word(typed: &str, written: &str) -> bool {
    typed != written && DICTIONARY_WORDS.contains(typed) && DICTIONARY_WORDS.contains(written)
}

/// Whether a syllable typed with diacritics is written by the platform, as a word of its own,
/// with others: "cần" (need) is not the word "cận" of "hộ cận nghèo" (near-poor households), and
/// counts at most as a syllable inside a word ("lường" of "đo lường"), for little. Ruling it out
/// there too was tried on the development cases and judged two fewer right.
fn other_marks(typed: &str, written: &str) -> bool {
    typed != written && has_diacritics(typed) && has_diacritics(written)
}

/// [`other_word`] of the two syllables a platform writes from `at`.
fn other_word_at(typed: &[String], written: &Syllables, at: usize) -> bool {
    typed.len() == 2
        && at + 2 <= written.len()
        && other_word(
            &typed.join(" "),
            &format!("{} {}", written.get(at), written.get(at + 1)),
        )
}

/// Whether `word` may be a typo: long enough, and not a Vietnamese syllable or a known word.
fn may_be_typo(word: &str) -> bool {
    word.chars().count() >= 4
        && word.chars().all(|c| c.is_ascii_alphabetic())
        && !VOCABULARY_SYLLABLES.contains(word)
        && !VOCABULARY.entries.contains_key(word)
}

/// The best place `unit` is found in `doc`, if any, with the factor its match counts for.
fn find(unit: &Unit, doc: &Document) -> Option<(f32, UnitMatch)> {
    let mut best: Option<(f32, UnitMatch)> = None;
    for passage in &doc.passages {
        for (alternative, how) in unit.alternatives.iter() {
            let at = passage.find(alternative);
            let compound = passage.field == Field::Name
                && alternative.len() == 1
                && doc.compounds.contains(&alternative[0]);
            if at.is_none() && !compound {
                continue;
            }
            let agree = match (how, at) {
                (How::Exact, Some(i)) => {
                    (unit.exact.len() == alternative.len() && passage.exact.at(i, &unit.exact))
                        || unit.exact.iter().zip(&alternative[..]).all(|(e, f)| e == f)
                }
                _ => true,
            };
            if !agree && at.is_some_and(|i| other_word_at(&unit.exact, &passage.exact, i)) {
                continue;
            }
            if *how == How::Exact
                && unit.exact.len() == 1
                && alternative.len() == 1
                && at.is_some_and(|i| other_marks(&unit.exact[0], passage.exact.get(i)))
            {
                continue;
            }
            let factor = match how {
                How::Synonym => SYNONYM_FACTOR,
                _ => 1.0,
            } * if agree { 1.0 } else { FOLDED_FACTOR };
            keep(
                &mut best,
                passage.field.weight() * factor,
                UnitMatch {
                    term: unit.text.clone(),
                    written: unit.exact.join(" "),
                    field: passage.field,
                    how: *how,
                    matched_as: (*how != How::Exact).then(|| alternative.join(" ")),
                    significant: unit.is_significant(),
                    diacritics_agree: agree,
                },
            );
        }
    }
    // A syllable inside a word of the platform ("hoa" of "hóa đơn" when the query misspells
    // "đơn") counts for less than a word.
    if best.is_none() && unit.len == 1 {
        let word = &unit.alternatives[0].0;
        if let Some(passage) = doc
            .passages
            .iter()
            .find(|p| p.find_in_words(word, true).is_some())
        {
            keep(
                &mut best,
                passage.field.weight() * INSIDE_WORD_FACTOR,
                UnitMatch {
                    term: unit.text.clone(),
                    written: unit.exact.join(" "),
                    field: passage.field,
                    how: How::Exact,
                    matched_as: None,
                    significant: unit.is_significant(),
                    diacritics_agree: true,
                },
            );
        }
    }
    // A long phrase not found whole ("dịch vụ công quốc gia") still counts for its longest part
    // found ("dịch vụ công"), in proportion.
    if best.is_none() && unit.len >= 3 {
        let words = &unit.alternatives[0].0;
        'parts: for k in (2..words.len()).rev() {
            for part in phrase_parts(words, k) {
                if says_little(part) {
                    continue;
                }
                if let Some(passage) = doc.passages.iter().find(|p| p.find(part).is_some()) {
                    let share = k as f32 / words.len() as f32;
                    keep(
                        &mut best,
                        passage.field.weight() * share * PART_FACTOR,
                        UnitMatch {
                            term: unit.text.clone(),
                            written: unit.exact.join(" "),
                            field: passage.field,
                            how: How::Exact,
                            matched_as: Some(part.join(" ")),
                            significant: unit.is_significant(),
                            diacritics_agree: true,
                        },
                    );
                    break 'parts;
                }
            }
        }
    }
    if best.is_none()
        && unit.is_significant()
        && unit.len == 1
        && unit.alternatives.len() == 1
        && may_be_typo(&unit.text)
    {
        let word = &unit.text;
        let first = word.chars().next();
        for passage in &doc.passages {
            if let Some(near) = passage.tokens.iter().find(|w| {
                w.chars().count() >= 3 && w.chars().next() == first && one_edit_apart(w, word)
            }) {
                keep(
                    &mut best,
                    passage.field.weight() * FUZZY_FACTOR,
                    UnitMatch {
                        term: unit.text.clone(),
                        written: unit.exact.join(" "),
                        field: passage.field,
                        how: How::Fuzzy,
                        matched_as: Some(near.to_owned()),
                        significant: true,
                        diacritics_agree: true,
                    },
                );
            }
        }
    }
    best
}

/// The parts of `k` words of a phrase that keep what it names: its first `k` words, and its last
/// `k` when the words left out before them say little. A Vietnamese phrase names its head first:
/// "dịch vụ công" of "dịch vụ công quốc gia" is still a public service, and "dữ liệu dân cư" of
/// "hệ thống dữ liệu dân cư" still population data, but "truyền hình" of "hội nghị truyền hình"
/// only qualifies a conference.
fn phrase_parts(words: &[String], k: usize) -> impl Iterator<Item = &[String]> {
    let dropped = &words[..words.len() - k];
    let tail = says_little(dropped).then(|| &words[words.len() - k..]);
    std::iter::once(&words[..k]).chain(tail)
}

/// Whether a part of a phrase is a generic or framing word only: "trực tuyến" of "nghe đài trực
/// tuyến" says nothing of what the phrase names, so finding it is not finding a part of it.
fn says_little(part: &[String]) -> bool {
    VOCABULARY
        .entries
        .get(&part.join(" "))
        .is_some_and(|e| e.role != Role::Content)
}

/// Whether [`find`] finds `unit` in `doc`, without building the match: the same tests in the same
/// order, stopping at the first that holds. Rarity asks this of every word and every candidate.
fn occurs(unit: &Unit, doc: &Document) -> bool {
    let whole = doc.passages.iter().any(|passage| {
        unit.alternatives.iter().any(|(alternative, _)| {
            passage.find(alternative).is_some()
                || (passage.field == Field::Name
                    && alternative.len() == 1
                    && doc.compounds.contains(&alternative[0]))
        })
    });
    if whole {
        return true;
    }
    if unit.len == 1 {
        let word = &unit.alternatives[0].0;
        if doc
            .passages
            .iter()
            .any(|p| p.find_in_words(word, true).is_some())
        {
            return true;
        }
    }
    if unit.len >= 3 {
        let words = &unit.alternatives[0].0;
        let part_found = (2..words.len()).any(|k| {
            phrase_parts(words, k).any(|part| {
                !says_little(part) && doc.passages.iter().any(|p| p.find(part).is_some())
            })
        });
        if part_found {
            return true;
        }
    }
    if unit.is_significant()
        && unit.len == 1
        && unit.alternatives.len() == 1
        && may_be_typo(&unit.text)
    {
        let word = &unit.text;
        let first = word.chars().next();
        return doc.passages.iter().any(|passage| {
            passage.tokens.iter().any(|w| {
                w.chars().count() >= 3 && w.chars().next() == first && one_edit_apart(w, word)
            })
        });
    }
    false
}

/// How rare each word of a text is among the platforms that could match it: a word found in few
/// platforms ("hộ tịch") says more than one found in many ("đăng ký").
#[derive(Clone, Debug, Default)]
pub struct Rarity(HashMap<String, f32>);

impl Rarity {
    /// Measures each word's rarity over `docs`, every platform containing any word of the text,
    /// out of `corpus` platforms in all. A word in every platform weighs about a third of a word
    /// in one.
    pub fn measure(query: &Query, docs: &[&Document], corpus: usize) -> Self {
        let n = corpus.max(docs.len()).max(1) as f32;
        let top = (n + 1.0).ln() + 1.0;
        let weights = query
            .units
            .iter()
            .filter(|u| u.role != Role::Filler)
            .map(|unit| {
                let df = docs.iter().filter(|d| occurs(unit, d)).count() as f32;
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

/// Where `query` contains `words` as a whole (a single syllable must be a whole word of it).
fn query_position(query: &Query, words: &[String]) -> Option<usize> {
    query_positions(query, words).next()
}

/// Every position where the query holds `words`, read as words there.
fn query_positions<'a>(query: &'a Query, words: &'a [String]) -> impl Iterator<Item = usize> + 'a {
    let last = if words.is_empty() {
        None
    } else {
        query.tokens.len().checked_sub(words.len())
    };
    last.into_iter()
        .flat_map(|last| 0..=last)
        .filter(move |&i| {
            query.tokens[i..i + words.len()] == *words && aligned(&query.boundaries, i, words.len())
        })
}

/// Whether the `len` syllables from `at` are read as words there: a whole word or words, or a
/// part of one word ("quản lý văn bản" in "quản lý văn bản và điều hành"), but not the end of one
/// word and the start of the next ("thông quan" in "hệ thống | quan trắc").
fn aligned(boundaries: &[bool], at: usize, len: usize) -> bool {
    let whole = boundaries[at] && boundaries[at + len];
    whole || (len > 1 && !boundaries[at + 1..at + len].iter().any(|b| *b))
}

/// Whether `query` says `words` first: they hold the start of its first word that is not filler
/// ("Dự án số hóa hồ sơ hộ tịch", where "số" alone is filler; not "Hạ tầng lưu trữ tài liệu số
/// hóa").
fn starts_with_words(query: &Query, words: &[String]) -> bool {
    let first = query.units.iter().find(|u| u.role != Role::Filler);
    match (first, query_position(query, words)) {
        (Some(u), Some(at)) => at <= u.start && u.start < at + words.len(),
        _ => false,
    }
}

/// Whether `query` contains `words` as a whole.
fn query_contains(query: &Query, words: &[String]) -> bool {
    query_position(query, words).is_some()
}

/// Every position where the query holds `words` where it does not frame the purchase with them:
/// "dự án đầu tư" in "Dự án đầu tư xây dựng phần mềm …" is how the plan is framed, not what it
/// does.
fn query_positions_unframed<'a>(
    query: &'a Query,
    words: &'a [String],
) -> impl Iterator<Item = usize> + 'a {
    query_positions(query, words).filter(move |&i| {
        query
            .framed
            .get(i..i + words.len())
            .is_none_or(|framed| !framed.iter().all(|f| *f))
    })
}

/// Words that, just before a platform's name, say the plan uses the platform rather than builds
/// one: "xác thực qua VNeID", "kết nối với NDXP", "sign in with VNeID".
const USE_MARKERS: &[&str] = &[
    "qua",
    "bang",
    "voi",
    "ket noi",
    "tich hop",
    "lien thong",
    "su dung",
    "through",
    "via",
    "with",
    "using",
    "to",
    // "đồng bộ dữ liệu lên CSDL ngành giáo dục", "đồng bộ sang Sổ sức khỏe điện tử", "tích hợp dữ
    // liệu từ các CSDL quốc gia": the plan feeds or draws on the platform.
    "len",
    "sang",
    "tu",
    // "chatbot trên Cổng dịch vụ công": the plan runs on the platform.
    "tren",
    // "hướng dẫn người dân kích hoạt tài khoản VNeID", "cài đặt ứng dụng VNeID": the plan helps
    // people use the platform.
    "kich hoat",
    "cai dat",
];

/// Verbs of connecting that, with a preposition after them ("tích hợp dữ liệu từ", "kết nối
/// với", "đồng bộ lên"), introduce what a plan draws on or feeds rather than what it builds.
const CONNECT_VERBS: &[&str] = &["tich hop", "ket noi", "lien thong", "dong bo", "khai thac"];
/// The prepositions after such a verb.
const CONNECT_PREPOSITIONS: &[&str] = &["tu", "voi", "len", "vao", "sang"];

/// Where a text starts naming what the plan draws on or feeds: after a verb of connecting, "dữ
/// liệu" if it follows, a preposition and a determiner if one follows; and whether the
/// preposition is a reading one ("từ").
fn drawn_on_from(query: &Query) -> Option<(usize, bool)> {
    let t = &query.tokens;
    let at = |i: usize, words: &[&str]| {
        t.get(i..i + words.len())
            .is_some_and(|w| w.iter().zip(words).all(|(a, b)| a == b))
    };
    (0..t.len()).find_map(|i| {
        if !query.boundaries[i] {
            return None;
        }
        let verb = CONNECT_VERBS.iter().find_map(|v| {
            let n = v.split(' ').count();
            t.get(i..i + n)
                .is_some_and(|w| w.iter().zip(v.split(' ')).all(|(a, b)| a == b))
                .then_some(n)
        })?;
        let mut j = i + verb;
        if at(j, &["du", "lieu"]) {
            j += 2;
        }
        // "đồng bộ về cơ sở dữ liệu đất đai quốc gia" syncs to a system; "đồng bộ dữ liệu về Cục
        // Đăng kiểm" reports to an agency, and "khai thác dữ liệu về vùng đồng bào" is about
        // something.
        let synced_to = || {
            at(i, &["dong", "bo"])
                && at(j, &["ve"])
                && PRODUCTS.iter().any(|product| {
                    let product: Vec<&str> = product.iter().map(String::as_str).collect();
                    at(j + 1, &product)
                })
        };
        let preposition = CONNECT_PREPOSITIONS
            .iter()
            .find(|p| at(j, &[p]))
            .or_else(|| synced_to().then_some(&"ve"))?;
        j += 1;
        if DETERMINERS.iter().any(|d| at(j, &[d])) {
            j += 1;
        }
        Some((j, READ_MARKERS.contains(preposition)))
    })
}

/// The use markers that say the plan reads from the platform.
const READ_MARKERS: &[&str] = &["tu", "from"];

/// How many words may stand between a platform's name and what the plan takes it from: "hóa đơn
/// điện tử đầu vào từ hệ thống của cơ quan thuế".
const TAKEN_REACH: usize = 2;

/// What a plan takes something from, after naming it: "… từ hệ thống của cơ quan thuế", "… từ cơ
/// quan thuế", "… from the tax authority's system".
static SOURCES: LazyLock<Vec<Vec<String>>> =
    LazyLock::new(|| split_phrases(["tu he thong", "tu co quan", "from the"]));

/// Words that may stand between a use marker and the platform's name ("từ các CSDL quốc gia",
/// "bằng tài khoản VNeID", "qua ứng dụng VNeID").
const DETERMINERS: &[&str] = &["cac", "the", "tai khoan", "ung dung"];

/// How far before a "và" a use marker still governs the name after it: "qua nền tảng chia sẻ dữ
/// liệu của tỉnh và NDXP".
const COORDINATED_REACH: usize = 10;

/// Verbs of a capability that act on what others run: "đăng ký sàn giao dịch thương mại điện tử"
/// registers marketplaces, it is not one.
const OVERSIGHT_VERBS: &[&str] = &[
    "dang ky",
    "tiep nhan",
    "giam sat",
    "theo doi",
    "cong khai",
    "cong bo",
    "thong bao",
    "khai bao",
    "thong ke",
    "do luong",
    "danh gia",
    "cap phep",
    "kiem dinh",
    "canh bao",
    "phat hien",
];

/// How much of the platform's phrase `passage` the text contains, weighted by its words.
/// A word of the platform the text holds misspelt ("eCoSis" for "eCoSys") counts for less.
fn contained_share(query: &Query, passage: &Passage, misspelt: &[&str]) -> f32 {
    let acts_on = passage
        .units
        .iter()
        .find(|u| u.role != Role::Filler)
        .is_some_and(|first| {
            OVERSIGHT_VERBS.contains(&first.text.as_str())
                && !first
                    .alternatives
                    .iter()
                    .any(|(words, _)| query_contains(query, words))
        });
    if acts_on {
        return 0.0;
    }
    let mut total = 0.0;
    // Each word found: its weight, whether it says what (not whom the phrase serves: "thiết bị
    // ký số" of "thiết bị ký số cho cơ quan nhà nước"), and where in the text (none: anywhere,
    // for a typo's stand-in or in a text within reach).
    let mut hits: Vec<(f32, bool, Vec<usize>)> = Vec::new();
    let reach = 3 * passage.tokens.len() + 6;
    let short = query.tokens.len() <= reach;
    // Whether a word of a Vietnamese name that is no known word, a brand ("eTax" of "ứng dụng
    // eTax Mobile"), is missing: the rest of such a name says only what kind of thing the
    // platform is. A capability keeps its share: "đề nghị cấp lý lịch tư pháp qua VNeID" is
    // what a provincial app for it would do too.
    let mut brand_missing = false;
    for unit in passage.units.iter().filter(|u| u.role != Role::Filler) {
        let weight = unit.base_weight();
        total += weight;
        let what = !AUDIENCE_WORDS.contains(&unit.text.as_str());
        // The platform's word, not another that folds alike ("lưu trú" for "lưu trữ").
        let spelled_otherwise = |at: usize| {
            unit.exact.len() == 2
                && query
                    .units
                    .iter()
                    .find(|u| u.start == at && u.len == 2 && u.text == unit.text)
                    .is_some_and(|u| other_word(&u.exact.join(" "), &unit.exact.join(" ")))
        };
        // A name's abbreviation written out in the text is the document it stands for, not the
        // platform: "giấy phép lái xe" is a licence, "GPLX" the platform's short name.
        let spelled_out = |words: &Vec<String>, how: &How| {
            passage.field == Field::Name && *how == How::Abbreviation && words.len() > unit.len
        };
        let mut found_at = unit
            .alternatives
            .iter()
            .filter(|(words, how)| !spelled_out(words, how))
            .flat_map(|(words, _)| query_positions_unframed(query, words))
            .filter(|&at| !spelled_otherwise(at))
            .peekable();
        if found_at.peek().is_some() {
            // In a text no longer than the reach, every word is near every other: where does not
            // matter (and is not collected, for the hundred candidates of a check).
            let at = if short {
                Vec::new()
            } else {
                found_at.collect()
            };
            hits.push((weight, what, at));
        } else if unit
            .alternatives
            .iter()
            .any(|(words, _)| words.len() == 1 && misspelt.contains(&words[0].as_str()))
        {
            hits.push((weight * FUZZY_FACTOR, what, Vec::new()));
        } else {
            brand_missing |= passage.field == Field::Name && may_be_typo(&unit.text);
        }
    }
    // The phrase's words found near each other: "công bố quy hoạch" is not in "công bố các bộ dữ
    // liệu về giao thông công cộng, quy hoạch, doanh nghiệp", whose "quy hoạch" is one of the
    // data published. The best stretch of the text three times the phrase's length and six
    // syllables more (twice and four more lost three duplicates whose descriptions spread a
    // function over a sentence).
    let in_reach = |from: usize| {
        hits.iter()
            .filter(|(_, _, at)| at.is_empty() || at.iter().any(|&a| a >= from && a < from + reach))
            .fold((0.0, false), |(found, what), hit| {
                (found + hit.0, what || hit.1)
            })
    };
    let anchors: Vec<usize> = hits
        .iter()
        .flat_map(|(_, _, at)| at.iter().copied())
        .collect();
    let (found, found_what) = if anchors.is_empty() {
        in_reach(0)
    } else {
        anchors
            .into_iter()
            .map(in_reach)
            .fold(
                (0.0, false),
                |best, here| if here.0 > best.0 { here } else { best },
            )
    };
    // Scaling a short phrase's share down by its weight was tried on the development cases and
    // judged fewer of them right.
    if total > 0.0 && found_what && !brand_missing {
        found / total
    } else {
        0.0
    }
}

/// Scores a document against a text.
pub fn score(query: &Query, doc: &Document, rarity: &Rarity) -> Score {
    let weighed: Vec<&Unit> = query
        .units
        .iter()
        .filter(|u| u.role != Role::Filler)
        .collect();
    let significant = weighed.iter().filter(|u| u.is_significant()).count();
    let mut total = 0.0;
    let mut found = 0.0;
    let mut found_significant = 0;
    let mut strong_matches = 0;
    let mut matches = Vec::new();
    let mut positions: Vec<(usize, usize)> = Vec::new();
    for unit in &weighed {
        let weight = unit.base_weight() * rarity.of(unit);
        total += weight;
        if let Some((value, m)) = find(unit, doc) {
            found += weight * value;
            if unit.is_significant() {
                found_significant += 1;
                if m.field.is_strong() {
                    strong_matches += 1;
                }
            }
            positions.push((unit.start, unit.len));
            matches.push(m);
        }
    }
    let coverage = if total > 0.0 { found / total } else { 0.0 };
    // A text of generic words only is judged by how many of them were found.
    let significant_found = if significant == 0 {
        positions.len() as f32 / weighed.len().max(1) as f32
    } else {
        found_significant as f32 / significant as f32
    };
    // The platform's own phrase the text contains most of.
    let misspelt: Vec<&str> = matches
        .iter()
        .filter(|m| m.how == How::Fuzzy)
        .filter_map(|m| m.matched_as.as_deref())
        .collect();
    let mut containment = 0.0;
    let mut contained_phrase = None;
    for &i in &doc.cores {
        let passage = &doc.passages[i];
        let share = contained_share(query, passage, &misspelt);
        if share > containment {
            containment = share;
            contained_phrase = Some(passage.exact.joined());
        }
    }
    // Every place where the text names the platform by one of its names, the name as written
    // first.
    let places = |n: &[String]| -> Vec<usize> {
        let mut at: Vec<usize> = query_positions(query, n).collect();
        // "evisa" names "e-Visa".
        at.extend(query_positions(query, &[n.concat()]));
        // A word of the text that is another way of writing the name: "tài khoản VNeID" for "tài
        // khoản định danh điện tử". Not a phrase written out whose abbreviation is the name: "giấy
        // phép lái xe" is a document, "GPLX" the platform's short name.
        at.extend(
            query
                .units
                .iter()
                .filter(|u| {
                    u.alternatives.iter().any(|(words, how)| {
                        words == n && !(*how == How::Abbreviation && words.len() < u.len)
                    })
                })
                .map(|u| u.start),
        );
        at
    };
    // Where the text names the platform, by each of its names it holds.
    let namings: Vec<(&str, usize)> = doc
        .names
        .iter()
        .filter_map(|(n, written)| places(n).first().map(|at| (written.as_str(), *at)))
        .collect();
    let named_at = namings.first().map(|(_, at)| *at);
    let named = namings.first().map(|(n, _)| (*n).to_owned());
    // "xác thực qua VNeID", "kết nối với NDXP", "đăng nhập bằng tài khoản định danh điện tử
    // VNeID": a platform named as what the plan uses, by any of the names the text holds.
    let marker_at = |at: usize| {
        USE_MARKERS.iter().copied().find(|marker| {
            let marker: Vec<&str> = marker.split(' ').collect();
            // The marker is a word of its own: the "tử" of "điện tử" is not "từ".
            at >= marker.len()
                && query.boundaries[at - marker.len()]
                && query.tokens[at - marker.len()..at]
                    .iter()
                    .zip(&marker)
                    .all(|(t, m)| t == m)
        })
    };
    // Every place the text names it, not only the first: "kho hồ sơ sức khỏe điện tử của tỉnh
    // …; đồng bộ sang Sổ sức khỏe điện tử" names it twice, and feeds it the second time.
    let everywhere: Vec<(usize, usize)> = if namings.is_empty() {
        Vec::new()
    } else {
        doc.names
            .iter()
            .flat_map(|(n, _)| places(n).into_iter().map(|at| (at, n.len())))
            .collect()
    };
    // "nhận hóa đơn điện tử từ hệ thống của cơ quan thuế": what the plan takes from the system
    // that holds it, a platform it reads from.
    let taken_from = |end: usize| {
        (end..=end + TAKEN_REACH)
            .any(|from| {
                SOURCES.iter().any(|source| {
                    query.tokens.get(from..from + source.len()) == Some(source.as_slice())
                })
            })
            .then_some("tu")
    };
    let markers: Vec<&str> = everywhere
        .iter()
        .filter_map(|&(at, len)| {
            if let Some(marker) = taken_from(at + len) {
                return Some(marker);
            }
            let mut at = at;
            while let Some(words) = DETERMINERS.iter().find_map(|d| {
                let words = d.split(' ').count();
                (at >= words && query.tokens[at - words..at].join(" ") == *d).then_some(words)
            }) {
                at -= words;
            }
            // "qua nền tảng chia sẻ dữ liệu của tỉnh và NDXP": the second of two things the plan
            // goes through is used too.
            let coordinated = || {
                (at >= 1 && query.tokens[at - 1] == "va")
                    .then(|| (at.saturating_sub(1 + COORDINATED_REACH)..at - 1).find_map(marker_at))
                    .flatten()
            };
            marker_at(at).or_else(coordinated)
        })
        .collect();
    let used = !markers.is_empty();
    // Neighbouring significant words of the text that stand together in one of the platform's
    // names or capabilities: "hóa đơn" next to "điện tử".
    let mut pairs = 0;
    let mut together = 0;
    let found_units: Vec<&&Unit> = weighed
        .iter()
        .filter(|u| positions.contains(&(u.start, u.len)))
        .collect();
    for w in weighed.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.start + a.len != b.start || !(a.is_significant() || b.is_significant()) {
            continue;
        }
        pairs += 1;
        let both_found = found_units.iter().any(|u| u.start == a.start)
            && found_units.iter().any(|u| u.start == b.start);
        if !both_found {
            continue;
        }
        // A word found through a typo stands in the platform as the word it matched.
        let as_found = |u: &Unit| -> Vec<String> {
            matches
                .iter()
                .find(|m| m.term == u.text && m.how == How::Fuzzy)
                .and_then(|m| m.matched_as.clone())
                .map_or_else(|| u.alternatives[0].0.clone(), |w| vec![w])
        };
        let mut joined = as_found(a);
        joined.extend(as_found(b));
        if doc
            .passages
            .iter()
            .any(|p| p.field.is_strong() && p.find(&joined).is_some())
        {
            together += 1;
        }
    }
    let phrase = if pairs == 0 {
        coverage
    } else {
        together as f32 / pairs as f32
    };
    let mut value = WEIGHTS.0 * coverage + WEIGHTS.1 * containment + WEIGHTS.2 * phrase;
    // Generic words alone ("cổng thông tin điện tử") name no function.
    if significant == 0 {
        value *= GENERIC_ONLY_FACTOR;
    }
    if named.is_some() {
        value = if used {
            // A platform the plan uses is listed, but using it is not duplicating it.
            value.min(NAMED_IN_DESCRIPTION)
        } else {
            value.max(NAMED_FLOOR)
        };
    }
    // "… tích hợp dữ liệu từ các CSDL quốc gia về dân cư, đất đai": a platform found only in what
    // the plan draws on or feeds is one it connects to, a part of the plan at most.
    let drawn_on = named.is_none()
        && query.drawn_on.is_some_and(|(from, _)| {
            let mut found = weighed
                .iter()
                .filter(|u| u.is_significant() && positions.contains(&(u.start, u.len)));
            let first = found.next();
            first.is_some_and(|u| u.start >= from) && found.all(|u| u.start >= from)
        });
    let used = used || drawn_on;
    // "thông tin học sinh lấy từ cơ sở dữ liệu ngành giáo dục": what the plan reads from a
    // platform it only uses.
    let reads_only = used
        && markers.iter().all(|m| READ_MARKERS.contains(m))
        && (!drawn_on || query.drawn_on.is_some_and(|(_, reads)| reads));
    if drawn_on {
        value = value.min(LAYER_CEILING);
    }
    Score {
        value: value.clamp(0.0, 1.0),
        coverage,
        significant_found,
        containment,
        contained_phrase,
        named,
        named_at,
        used,
        reads_only,
        matches,
        strong_matches,
    }
}

/// The least score of a platform a text names by one of its names.
const NAMED_FLOOR: f32 = 0.7;
/// How coverage, containment and neighbouring words weigh in a score (fitted on the development
/// cases of `bench/relevance/`).
const WEIGHTS: (f32, f32, f32) = (0.4, 0.4, 0.2);
/// What a text of generic words only keeps of its score.
const GENERIC_ONLY_FACTOR: f32 = 0.5;

/// From this overlap score up, a planned purchase likely duplicates the platform.
pub const LIKELY_DUPLICATE: f32 = 0.56;
/// From this overlap score up, a planned purchase overlaps the platform in part.
pub const POSSIBLE_OVERLAP: f32 = 0.4;
/// The score a platform named only in a plan's description gets: it is listed, as a platform
/// the plan relates to, but using a platform ("xác thực qua VNeID") is not duplicating it.
const NAMED_IN_DESCRIPTION: f32 = 0.25;

/// From this score up, a title is nearly a duplicate on its own: what its description adds
/// confirms it, whatever else the description lists ("Cấp mã định vị duy nhất cho từng ngôi nhà,
/// cơ quan, cửa hàng", then a list of what the codes are used for). Fitted on the development cases.
const NEAR_DUPLICATE_TITLE: f32 = 0.51;

/// From this many of the platform's own words up (found in its names or capabilities), a title
/// says what the platform does: a description that goes on to list steps of it ("tạo phiếu hỏi,
/// gửi đường link, tổng hợp kết quả") does not list other functions. Fitted on the development
/// cases: the titles the cap below rightly held to a part had two such words at most.
const TITLE_OWN_WORDS: usize = 3;

/// Below this score a title resembles a platform little (see `overlap`). Fitted on the development
/// cases: of the plans labelled a part or a duplicate, none that the description alone lifted to a
/// possible overlap had a title below it and two words the platform lacks (four duplicates with
/// such titles were missed anyway).
const WEAK_TITLE: f32 = 0.3;

/// The most a plan whose title resembles the platform little can score on its description's
/// words alone: listed, just below a possible overlap.
const WEAK_TITLE_CEILING: f32 = POSSIBLE_OVERLAP - 0.01;

/// The most a plan can score against a platform it does not buy (a course, or what the platform
/// is mistaken for): listed, with the reason, but no overlap.
const NOT_BOUGHT_CEILING: f32 = 0.3;

/// The most a plan that connects to the platform it resembles can score: a part of it, not a copy.
pub const LAYER_CEILING: f32 = (LIKELY_DUPLICATE + POSSIBLE_OVERLAP) / 2.0;

/// How much a planned purchase overlaps one platform.
#[derive(Clone, Debug, Default)]
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
    /// A function the description lists that is what the platform does, as written.
    pub part: Option<String>,
    /// What the title joins with "và" to a function of the platform that the platform does not
    /// do, as written ("giải phóng mặt bằng" in "quản lý đất đai và giải phóng mặt bằng").
    pub beyond: Option<String>,
    /// How many of the functions the description lists the platform does, and how many it lists,
    /// when that kept the plan from being a likely duplicate (half of them or fewer).
    pub functions_done: Option<(usize, usize)>,
    /// Whether the title was framing words only and `title` is the description read in its place:
    /// the receipt then says "description" where it would say "title".
    pub read_from_description: bool,
    /// What the plan says that the registry records as a common mistake for this platform, which
    /// it does not do (`seeds/look-alikes.csv`): the plan is no overlap with it.
    pub look_alike: Option<String>,
    /// Whether the plan opens with training ("Tập huấn …"): it buys a course, not a system.
    pub training: bool,
    /// Whether the plan opens with buying equipment and names no software ("Mua sắm máy chủ,
    /// thiết bị lưu trữ …"): it buys hardware, not a system.
    pub equipment: bool,
    /// Whether the title names another purchase and resembles the platform little, so that what
    /// the description shares with it did not make an overlap (see `WEAK_TITLE`).
    pub title_elsewhere: bool,
    /// When the title names this platform as one the plan connects to ("… kết nối với Hệ thống
    /// thông tin báo cáo Chính phủ"): how much what it says before resembles the platform.
    pub layer_title: Option<f32>,
}

/// Words of a title that say the plan is data work on records: digitising, correcting, keying in.
static DATA_WORK: LazyLock<Vec<Vec<String>>> =
    LazyLock::new(|| split_phrases(["so hoa", "chinh ly", "nhap lieu", "digitiz", "digitis"]));

/// Words that, as the first thing a plan does, say it buys equipment or network works: "Mua sắm
/// máy tính, máy in", "Gói thầu số 05: Mua sắm, lắp đặt máy chủ, thiết bị lưu trữ", "Cải tạo mạng
/// LAN và đường truyền cho trụ sở xã".
static EQUIPMENT: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    let mut purchases = Vec::new();
    // "Mua sắm, lắp đặt …" and "Cung cấp, lắp đặt …" open with framing, then "lắp đặt".
    for verb in ["mua sam", "trang bi", "lap dat", "cai tao", "thi cong"] {
        for item in [
            "may chu",
            "may tinh",
            "may in",
            "may quet",
            "thiet bi",
            "tu rack",
            "bo luu dien",
            "man hinh",
            "mang lan",
            "mang noi bo",
            "cap mang",
            "ha tang mang",
            "duong truyen",
            "ki ot",
            "kiosk",
        ] {
            purchases.push(format!("{verb} {item}"));
        }
    }
    split_phrases(purchases)
});

/// Words that say a plan buys software, whatever equipment comes with it.
static SOFTWARE: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    split_phrases([
        "phan mem",
        "ung dung",
        "nen tang",
        "software",
        "application",
        "platform",
    ])
});

/// Words that, as the first thing a plan does, say it buys a course: "Tập huấn kỹ năng số cho tổ
/// công nghệ số cộng đồng", "Kế hoạch tổ chức bồi dưỡng … cho cán bộ".
static TRAINING: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    let mut works = Vec::new();
    for work in ["tap huan", "boi duong", "dao tao"] {
        works.push(work.to_owned());
        works.push(format!("to chuc {work}"));
    }
    split_phrases(works)
});

/// Whether the plan opens with `words`: only framing words ("Kế hoạch …", "Gói thầu số 03:",
/// "Nhiệm vụ:") come before them.
fn opens_with(query: &Query, words: &[String]) -> bool {
    query_position(query, words).is_some_and(|at| {
        query
            .units
            .iter()
            .filter(|u| u.start < at)
            .all(|u| u.role == Role::Filler)
    })
}

/// Folded phrases, as written (already folded, and stemmed where English), split into syllables.
fn split_phrases<S: AsRef<str>>(phrases: impl IntoIterator<Item = S>) -> Vec<Vec<String>> {
    phrases
        .into_iter()
        .map(|phrase| phrase.as_ref().split(' ').map(str::to_owned).collect())
        .collect()
}

/// The words that name what is bought ([`PRODUCT_WORDS`]), split into syllables: "Phần mềm nhập
/// liệu" buys a system, not data work.
static PRODUCTS: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| split_phrases(PRODUCT_WORDS));

/// Words that say a plan that digitises also builds its own store of the records: "số hóa … và
/// lập kho dữ liệu", "xây dựng cơ sở dữ liệu", "lưu tập trung", or manages them ("Số hóa và quản
/// lý hồ sơ người hưởng trợ cấp").
static OWN_STORE: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    let mut stores = vec!["luu tap trung".to_owned(), "va quan ly".to_owned()];
    for verb in ["lap", "xay dung", "tao lap"] {
        for store in ["kho du lieu", "co so du lieu", "csdl", "du lieu"] {
            stores.push(format!("{verb} {store}"));
        }
    }
    split_phrases(stores)
});

/// What a description's match says of a plan: the platform's phrase it contains first, then how
/// much of it the platform covers (a long description is mostly boilerplate).
fn description_evidence(description: &Score) -> f32 {
    0.6 * description.containment + 0.4 * description.coverage
}

/// Scores a planned purchase (its analysed title and description, its domains and audiences)
/// against a platform. The title names what is bought and carries the score; the description can
/// only add to it, never dilute it; a shared domain or audience adds a little to a textual match.
pub fn overlap(
    title: (&Query, &Rarity),
    description: (&Query, &[(String, Query)], &Rarity),
    doc: &Document,
    domains: (&[String], &[String]),
    audiences: (&[String], &[String]),
) -> Overlap {
    let mut title_score = score(title.0, doc, title.1);
    // A title of framing words only ("Dự án chuyển đổi số của Sở Tài chính") is judged on its
    // description, read as the title (see `registry::overlap`; the clauses are still the
    // description's). A description's words dilute its coverage: it is weighed as a description's
    // evidence is, by the platform's phrase it contains first.
    // Not when it names the platform as one the plan uses or draws on: that keeps its bound.
    let read_as_title = !description.0.has_content() && !description.1.is_empty();
    if read_as_title && !title_score.used {
        title_score.value = title_score.value.max(description_evidence(&title_score));
    }
    // Digitising or correcting records ("Số hóa sổ hộ tịch giấy", "chỉnh lý hồ sơ địa chính") is
    // data work that feeds a platform's database, not a system that copies it: no platform in the
    // registry digitises, and no development case that does is a duplicate.
    // As words of their own: "số hóa đơn" is a number of invoices. In a description read as the
    // title, as what it says first: "tài liệu số hóa" further on is what a platform keeps, not the
    // work bought. And not when the plan also builds its own store of the records ("số hóa … và
    // lập kho dữ liệu"): that is the platform's copy, data work or not.
    // Nor when software is bought for it ("Phần mềm nhập liệu, tổng hợp chỉ tiêu …"): that is a
    // system, and what it does is the rest of the title.
    let software_before = |at: usize| {
        PRODUCTS
            .iter()
            .any(|s| query_positions(title.0, s).any(|p| p < at))
    };
    let data_work = DATA_WORK.iter().any(|work| {
        if read_as_title {
            starts_with_words(title.0, work)
        } else {
            query_positions(title.0, work).any(|at| !software_before(at))
        }
    }) && !OWN_STORE.iter().any(|store| query_contains(title.0, store));
    // A title that says only whom the plan serves ("Ứng dụng hỗ trợ doanh nghiệp") names no
    // function: alone, it is a possible overlap at most, and the description says the rest.
    if title.0.audience_only {
        title_score.value = title_score.value.min(LAYER_CEILING);
    }
    let mut description_score = score(description.0, doc, description.2);
    // A description that goes on to say the plan feeds or draws on something this platform is
    // on its own ("… hồ sơ học sinh được đồng bộ lên cơ sở dữ liệu ngành giáo dục của Bộ") says the
    // plan is a local layer of it, whatever else it shares with it.
    if !description_score.used
        && description
            .0
            .fed
            .as_deref()
            .is_some_and(|fed| score(fed, doc, description.2).value >= POSSIBLE_OVERLAP)
    {
        description_score.used = true;
    }
    let shared = |(wanted, offered): (&[String], &[String])| -> Vec<String> {
        wanted
            .iter()
            .filter(|w| offered.contains(w))
            .cloned()
            .collect()
    };
    let shared_domains = shared(domains);
    let shared_audiences = shared(audiences);
    // A long description is mostly boilerplate: what counts is whether it contains one of the
    // platform's phrases, and how much of its own gist the platform covers.
    // A description that names the platform as one the plan feeds or connects to says the plan is
    // a layer of it, not a copy: what the description shares with it is that connection.
    let layer = description_score.used;
    let evidence = if description.0.has_content() && !layer {
        description_evidence(&description_score)
    } else {
        0.0
    };
    let mut text = title_score.value + (1.0 - title_score.value) * 0.4 * evidence;
    // A title that says only whom the plan serves leaves the description to say what it does, as
    // a title of framing words does.
    if title.0.audience_only {
        text = text.max(evidence);
    }
    if description_score.named.is_some() {
        text = text.max(NAMED_IN_DESCRIPTION);
    }
    let bonus = if shared_domains.is_empty() { 0.0 } else { 0.04 }
        + if shared_audiences.is_empty() {
            0.0
        } else {
            0.01
        };
    // Shared labels only strengthen a textual match.
    let mut value = (text + if text >= 0.3 { bonus } else { 0.0 }).clamp(0.0, 1.0);
    // A description can make a plan a likely duplicate only when the functions it lists are
    // mostly the platform's: one that lists several, half of them or more done elsewhere ("tra
    // cứu chính sách hỗ trợ, đăng ký doanh nghiệp, lập hóa đơn, kết nối giao thương"), describes
    // a plan the platform covers in part. Two functions, one of them the platform's, are not
    // such a list: the second mostly says how the first is used ("mở tài khoản bằng thẻ căn cước
    // …; người dân dùng tài khoản để nộp hồ sơ"); on the development cases, not capping them
    // called three more paraphrased duplicates likely and left the other files' counts as they
    // were. Applied only to a plan the description lifts across, and whose title is not nearly a
    // duplicate on its own.
    let mut functions_done = None;
    // How many of the functions the description lists the platform does, of how many: scored
    // only when this cap or the "và" rule below asks, and once.
    let counted = std::cell::OnceCell::new();
    let functions = || {
        *counted.get_or_init(|| {
            let done = description
                .1
                .iter()
                .filter(|(_, clause)| !reports_only(clause))
                .filter(|(_, clause)| does_function(&score(clause, doc, description.2)))
                .count();
            let listed = description
                .1
                .iter()
                .filter(|(_, clause)| !reports_only(clause) && names_a_function(clause))
                .count()
                .max(done);
            (done, listed)
        })
    };
    let mostly_elsewhere =
        |(done, listed): (usize, usize)| done * 2 < listed || (done * 2 == listed && listed >= 4);
    let numbered = title.0.numbered || description.0.numbered;
    if (numbered
        || title_score.value < NEAR_DUPLICATE_TITLE && title_score.strong_matches < TITLE_OWN_WORDS)
        && value >= LIKELY_DUPLICATE
        && description.1.len() >= 2
        && mostly_elsewhere(functions())
    {
        value = value.min(LAYER_CEILING);
        functions_done = Some(functions());
    }
    // One function the description lists that is what the platform does: all its significant
    // words found, and one of the platform's own phrases or names in it whole ("…, tiếp nhận dữ
    // liệu camera trên xe kinh doanh vận tải, …"). The plan does that in part.
    // Only a description that holds one of the platform's phrases or names whole can have such a
    // clause: the others are not scored clause by clause (a large registry has hundreds of
    // candidates).
    let whole_phrase = description_score.containment >= 0.99 || description_score.named.is_some();
    let part = if layer || !whole_phrase {
        None
    } else {
        description.1.iter().find_map(|(text, clause)| {
            let s = score(clause, doc, description.2);
            (!s.used
                && s.value >= LIKELY_DUPLICATE
                && s.significant_found >= 1.0
                && (s.named.is_some() || s.containment >= 0.99))
                .then(|| text.clone())
        })
    };
    if part.is_some() {
        value = value.max(LAYER_CEILING);
    }
    if layer || data_work {
        value = value.min(LAYER_CEILING);
    }
    // A title that names what is bought, in two words or more the platform lacks, and resembles it
    // little ("Phần mềm quản lý thu học phí", "Hệ thống bán vé điện tử") buys something else: what its description shares with the
    // platform is what the plan uses or touches (e-invoices it receives, alerts it forwards),
    // not a possible overlap. Unless the description holds one of the platform's functions as a
    // part of the plan, or says the plan feeds it.
    let names_other_things = || {
        let significant = title.0.units.iter().filter(|u| u.is_significant()).count();
        let found = title_score.matches.iter().filter(|m| m.significant).count();
        significant >= found + 2
    };
    // Nor does a title that shares with it only whom both serve ("Nền tảng bồi dưỡng trực tuyến
    // cho cán bộ, công chức, viên chức" and the civil servants' database).
    let same_people_only = || {
        let mut found = title_score
            .matches
            .iter()
            .filter(|m| m.significant || is_audience(&m.term))
            .peekable();
        found.peek().is_some() && found.all(|m| is_audience(&m.term))
    };
    let title_elsewhere = !read_as_title
        && !title.0.audience_only
        && (title_score.value < WEAK_TITLE || same_people_only())
        && !title_score.used
        && !layer
        && part.is_none()
        && names_other_things()
        && value > WEAK_TITLE_CEILING;
    if title_elsewhere {
        value = WEAK_TITLE_CEILING;
    }
    // A plan that opens with training ("Tập huấn …", "Bồi dưỡng kỹ năng số cho cán bộ") buys a
    // course, not a system: no platform is what it buys, whatever the course is about.
    // A title that names the platform as one the plan connects to says, before it, what the
    // plan builds: a local layer of it, as far as that resembles it.
    let layer_title = title_score
        .named_at
        .filter(|_| title_score.used)
        .map(|at| score(&title.0.before(at), doc, title.1).value);
    let training = title.0.course;
    // Equipment ("Mua sắm máy chủ, thiết bị lưu trữ và bộ lưu điện cho Trung tâm dữ liệu tỉnh")
    // is not what a platform does either: servers for the province's own systems, not its cloud.
    let equipment = title.0.equipment;
    if training || equipment {
        value = value.min(NOT_BOUGHT_CEILING);
    }
    // What the title says that the platform is commonly mistaken for ("tuyển sinh đầu cấp"
    // against the university admissions system, `seeds/look-alikes.csv`).
    let mistaken_for = doc
        .look_alikes
        .unwrap_or_default()
        .iter()
        .find(|l| query_contains(title.0, &l.words))
        .map(|l| l.written.clone());
    // A title that names the platform or holds one of its phrases whole does its function, and
    // the look-alike is what it adds; one that does not says only what it is mistaken for.
    // Holding the phrase by one word ("quy hoạch" of "cung cấp thông tin quy hoạch", inside "quy
    // hoạch đô thị") is not doing it.
    let does_its_function = title_score.named.is_some()
        || (title_score.containment >= 0.99 && title_score.strong_matches >= 2);
    let (adds, look_alike) = if does_its_function {
        (mistaken_for, None)
    } else {
        (None, mistaken_for)
    };
    // A title that joins a function of the platform with one it does not do ("quản lý đất đai và
    // giải phóng mặt bằng", "sổ sức khỏe điện tử, đặt lịch khám") is a plan the platform covers
    // in part. In a description read in the title's place, only when most of the functions it
    // lists are done elsewhere: a sentence joins with "và" the steps of one function ("tìm kiếm,
    // xem và tải dữ liệu").
    let beyond = if value >= LIKELY_DUPLICATE {
        beyond_the_platform(title.0, doc)
            .filter(|_| !read_as_title || mostly_elsewhere(functions()))
            .or(adds)
    } else {
        None
    };
    if beyond.is_some() {
        value = value.min(LAYER_CEILING);
    }
    // A title that says only what the platform is mistaken for shares its words, not its
    // function: no overlap with it.
    if look_alike.is_some() {
        value = value.min(NOT_BOUGHT_CEILING);
    }
    Overlap {
        value,
        title: title_score,
        description: description_score,
        shared_domains,
        shared_audiences,
        part,
        beyond,
        functions_done,
        read_from_description: read_as_title,
        look_alike,
        training,
        equipment,
        title_elsewhere,
        layer_title,
    }
}

/// The two syllables the seeded capabilities start with three times or more ("tra cứu", "đăng
/// ký", "kết nối"), folded: the verbs of the registry's functions (three nouns among them, "dữ
/// liệu", "thông tin", "thủ tục", make a clause of a list item that starts with them).
static FUNCTION_VERBS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut count: HashMap<String, usize> = HashMap::new();
    for row in csv_rows(PROFILES) {
        for capability in row.get(1).unwrap_or_default().split(';') {
            let words = words(capability);
            if words.len() >= 3 {
                *count.entry(words[..2].join(" ")).or_default() += 1;
            }
        }
    }
    count
        .into_iter()
        .filter(|(_, n)| *n >= 3)
        .map(|(verb, _)| verb)
        .collect()
});

/// Whether a description's clause names a function: two significant words or more that do not
/// say whom it serves, or one that starts with a verb of the registry's functions ("đăng ký
/// doanh nghiệp"). The items of a list ("mỗi căn nhà", "cơ quan", "pupils") name none.
fn names_a_function(clause: &Query) -> bool {
    let significant: Vec<&Unit> = clause
        .units
        .iter()
        .filter(|u| u.is_significant() && !AUDIENCE_WORDS.contains(&u.text.as_str()))
        .collect();
    if significant.len() >= 2 {
        return true;
    }
    // The verb may be framing ("kết nối giao thương") or the start of one word ("đăng ký doanh
    // nghiệp"); what follows it is its object.
    let mut words = clause.units.iter().flat_map(|u| u.alternatives[0].0.iter());
    let verb = words
        .by_ref()
        .take(2)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    !significant.is_empty() && words.next().is_some() && FUNCTION_VERBS.contains(&verb)
}

/// Words of the statistics and reports every management system keeps ("thống kê, báo cáo định
/// kỳ"): a clause of them only is a feature of the function listed before it, not another one.
const REPORTING_WORDS: &[&str] = &["thong ke", "bao cao", "tong hop", "dinh ky", "ket xuat"];

/// Whether a description's clause says only that the plan keeps statistics and reports.
fn reports_only(clause: &Query) -> bool {
    let mut significant = clause
        .units
        .iter()
        .filter(|u| u.is_significant())
        .peekable();
    significant.peek().is_some() && significant.all(|u| REPORTING_WORDS.contains(&u.text.as_str()))
}

/// Whether the platform does the function a description's clause names: the clause is a possible
/// overlap on its own, or half or more of its significant words are the platform's, one of them
/// in its names or capabilities, and the clause does not say the plan uses the platform. A long
/// description's clause is a sentence ("người dân đăng ký bằng cách quét chip thẻ căn cước"):
/// the words that say who does it, and how, dilute its score, not what it does.
fn does_function(clause: &Score) -> bool {
    clause.value >= POSSIBLE_OVERLAP
        || (clause.significant_found >= 0.5 && clause.strong_matches >= 1 && !clause.used)
}

/// A plan whose description names the national platform it feeds or connects to ("gửi báo cáo
/// lên Hệ thống thông tin báo cáo Chính phủ") says which platform it is a local layer of. Another
/// platform its title resembles no more than that one is not what it copies: the resemblance rests
/// on the words that make it that platform's layer. It is a possible overlap at most, as the
/// platform named is. Only when the title itself resembles the platform fed (a possible overlap
/// on its own): a title that says little ("Phần mềm của tỉnh") leaves the description to say
/// what is copied, and naming one platform fed does not clear the others it lists.
pub fn defer_to_layer<T>(items: &mut [T], overlap: fn(&mut T) -> &mut Overlap) {
    let layer_title = items
        .iter_mut()
        .map(overlap)
        .filter_map(|o| {
            if o.description.used && o.description.named.is_some() {
                Some(o.title.value)
            } else {
                o.layer_title
            }
        })
        .reduce(f32::max);
    let Some(layer_title) = layer_title.filter(|t| *t >= POSSIBLE_OVERLAP) else {
        return;
    };
    for item in items.iter_mut() {
        let o = overlap(item);
        if !o.description.used
            && !o.title.used
            && o.title.value <= layer_title
            && o.value > LAYER_CEILING
        {
            o.value = LAYER_CEILING;
        }
    }
}

/// The document and work words of `seeds/filler.csv`: how a plan frames its purchase, folded.
static FRAMING_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    DOCUMENT_WORDS
        .iter()
        .chain(WORK_WORDS.iter())
        .cloned()
        .collect()
});

/// Whether the words from `i` are a document word and the work after it ("dự án đầu tư"), both
/// read as filler.
fn document_and_work(units: &[Unit], i: usize) -> bool {
    let filler = |u: &Unit, words: &[String]| u.role == Role::Filler && words.contains(&u.text);
    units.get(i).is_some_and(|u| filler(u, &DOCUMENT_WORDS))
        && units.get(i + 1).is_some_and(|u| filler(u, &WORK_WORDS))
}

/// The work words of `seeds/filler.csv` ("xây dựng", "đầu tư", "thực hiện"), folded.
static WORK_WORDS: LazyLock<Vec<String>> = LazyLock::new(|| filler_of_kind("work"));

/// The document words of `seeds/filler.csv` ("dự án", "gói thầu", "programme"), folded.
static DOCUMENT_WORDS: LazyLock<Vec<String>> = LazyLock::new(|| filler_of_kind("document"));

/// The phrases of one kind in `seeds/filler.csv`, folded.
fn filler_of_kind(kind: &str) -> Vec<String> {
    csv_rows(FILLER)
        .into_iter()
        .filter(|row| row.get(1) == Some(kind))
        .filter_map(|row| row.get(0).map(|p| words(p).join(" ")))
        .collect()
}

/// Products of one syllable that other syllables fold to, as written: "công" of "công tác" is not
/// "cổng", nor "sản" of "sản phẩm" "sàn".
const PRODUCT_SPELLINGS: &[(&str, &str)] = &[("cong", "cổng"), ("kho", "kho"), ("san", "sàn")];

/// Whether a syllable typed at the start of a product word is that word: any syllable typed
/// without diacritics is, one typed with them only as the product is written.
fn spelled_as_product(typed: &str) -> bool {
    let folded = fold_for_search(typed);
    !has_diacritics(typed)
        || PRODUCT_SPELLINGS
            .iter()
            .all(|(word, spelled)| *word != folded || *spelled == typed)
}

/// The two-syllable words of the general dictionary, by how they fold.
static DICTIONARY_BY_FOLD: LazyLock<HashMap<String, Vec<&'static str>>> = LazyLock::new(|| {
    let mut words: HashMap<String, Vec<&'static str>> = HashMap::new();
    for word in DICTIONARY_WORDS.iter() {
        words.entry(fold_for_search(word)).or_default().push(word);
    }
    words
});

/// Whether `pair`, two syllables folded, is a word of the dictionary that does not start with the
/// product of one syllable `product` (folded) as the product is written: "cong tac" is only
/// "công tác".
fn another_word(pair: &str, product: &str) -> bool {
    let Some((_, spelled)) = PRODUCT_SPELLINGS.iter().find(|(word, _)| *word == product) else {
        return false;
    };
    DICTIONARY_BY_FOLD.get(pair).is_some_and(|written| {
        written
            .iter()
            .all(|w| w.split(' ').next() != Some(*spelled))
    })
}

/// Words that name what is bought: a system, software, an app, a portal, a database (folded).
const PRODUCT_WORDS: &[&str] = &[
    "he thong",
    "phan he",
    "nen tang",
    "phan mem",
    "ung dung",
    "cong",
    "trang",
    "co so du lieu",
    "csdl",
    "httt",
    "kho",
    "san",
    "module",
    "app",
    "application",
    "system",
    "platform",
    "software",
    "portal",
    "database",
    "website",
    "site",
    "cong cu",
    "giai phap",
    "chatbot",
    "tong dai",
];

/// Whether a word, folded, is one of [`AUDIENCE_WORDS`] or several of them ("cán bộ công chức
/// viên chức").
fn is_audience(word: &str) -> bool {
    let syllables: Vec<&str> = word.split(' ').collect();
    let mut at = 0;
    while at < syllables.len() {
        let Some(len) = (1..=3).rev().find(|len| {
            at + len <= syllables.len()
                && AUDIENCE_WORDS.contains(&syllables[at..at + len].join(" ").as_str())
        }) else {
            return false;
        };
        at += len;
    }
    true
}

/// Words that say whom a plan serves, not what it does: "người dân và cán bộ" joins users.
const AUDIENCE_WORDS: &[&str] = &[
    "nguoi",
    "nguoi dan",
    "cong dan",
    "can bo",
    "cong chuc",
    "vien chuc",
    "doanh nghiep",
    "to chuc",
    "ca nhan",
    "nguoi lao dong",
    "ho kinh doanh",
    "co quan",
    "nha nuoc",
];

/// Words that tie a function to whom or what it concerns.
const TIES: &[&str] = &["cua", "voi", "doi voi", "cho"];

/// The second of two functions a text joins with "và" when the platform does only the first:
/// the words after "và" up to the next framing word, when they name a function (not a user) in
/// two syllables or more ("vừa" of "nhỏ và vừa" names none), none of them is in the platform's names or
/// capabilities and one of the words before "và" is.
fn beyond_the_platform(query: &Query, doc: &Document) -> Option<String> {
    // Found as a word of a name or a capability, not as a syllable inside one ("giải" of "giải
    // quyết" is not "giải phóng").
    let strongly_found = |u: &Unit| {
        find(u, doc).is_some_and(|(value, m)| m.field.is_strong() && value > INSIDE_WORD_FACTOR)
    };
    let names_function =
        |u: &&Unit| u.is_significant() && !AUDIENCE_WORDS.contains(&u.text.as_str());
    let units = &query.units;
    units
        .iter()
        .enumerate()
        .filter(|(_, u)| {
            u.role == Role::Filler && u.len == 1 && matches!(u.exact[0].as_str(), "và" | "va")
        })
        .find_map(|(at, and)| {
            // The words that stand next to each other in the text, from "và" on, up to a framing
            // word.
            let mut next = and.start + and.len;
            let after: Vec<&Unit> = units[at + 1..]
                .iter()
                .take_while(|u| {
                    let adjacent = u.start == next && u.role != Role::Filler;
                    next = u.start + u.len;
                    adjacent
                })
                .filter(names_function)
                .collect();
            // Back across the words that tie a function to whom or what it concerns ("đo mức độ
            // hài lòng của người dân với cơ quan hành chính").
            let mut previous = and.start;
            let reached: Vec<&Unit> = units[..at]
                .iter()
                .rev()
                .take_while(|u| {
                    let adjacent = u.start + u.len == previous
                        && (u.role != Role::Filler || TIES.contains(&u.text.as_str()));
                    previous = u.start;
                    adjacent
                })
                .collect();
            // "lấy phiếu hỏi về dự thảo chính sách và chất lượng phục vụ": "và" joins two
            // subjects of one function, not two functions.
            let subjects = at
                .checked_sub(reached.len() + 1)
                .is_some_and(|i| matches!(units[i].text.as_str(), "ve" | "about"));
            if subjects {
                return None;
            }
            let run: Vec<&Unit> = reached
                .into_iter()
                .filter(|u| u.role != Role::Filler)
                .collect();
            // "cho từng ngôi nhà, cơ quan và điểm kinh doanh": "và" ends a list, and its last item
            // is one more of what the same words act on, not a second function.
            let listed = run.split_last().is_some_and(|(_, inner)| {
                inner
                    .iter()
                    .any(|u| query.commas.get(u.start).copied().unwrap_or(false))
            });
            let before: Vec<&Unit> = run.into_iter().filter(names_function).collect();
            (!listed
                && after.iter().map(|u| u.len).sum::<usize>() >= 2
                && !after.iter().any(|u| strongly_found(u))
                && before.iter().any(|u| strongly_found(u)))
            .then(|| {
                after
                    .iter()
                    .map(|u| u.exact.join(" "))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        })
}

/// How a plan of `title` alone (no description, domains or audiences) overlaps `doc`: for tests
/// of the overlap rules, here and in `registry::overlap`.
#[cfg(test)]
pub(crate) fn title_overlap(title: &str, doc: &Document) -> Overlap {
    let title = analyse(title);
    overlap(
        (&title, &Rarity::default()),
        (&Query::default(), &[], &Rarity::default()),
        doc,
        (&[], &[]),
        (&[], &[]),
    )
}

/// How a plan whose title is framing words only overlaps `doc`, as `registry::overlap` judges it:
/// its description read in the title's place, its clauses still the description's.
#[cfg(test)]
pub(crate) fn framing_title_overlap(description: &str, doc: &Document) -> Overlap {
    overlap(
        (&analyse(description), &Rarity::default()),
        (&Query::default(), &clauses(description), &Rarity::default()),
        doc,
        (&[], &[]),
        (&[], &[]),
    )
}

/// A platform for tests of plans judged on their description.
#[cfg(test)]
pub(crate) fn public_assets() -> Document {
    Document::new(Fields {
        name_vi: "Cơ sở dữ liệu quốc gia về tài sản công",
        code: "assets",
        name_en: "National public asset database",
        capabilities: &["kê khai tài sản công".to_owned()],
        ..Fields::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, short: Option<&str>, en: &str, description: &str) -> Document {
        Document::new(Fields {
            name_vi: name,
            short_name: short,
            code: "x",
            name_en: en,
            description,
            ..Fields::default()
        })
    }

    /// The words of a query that count (not filler), folded.
    fn counted(query: Query) -> Vec<String> {
        query
            .units
            .into_iter()
            .filter(|u| u.role != Role::Filler)
            .map(|u| u.text)
            .collect()
    }

    /// The words of a text that play `role`, folded.
    fn in_role(text: &str, role: Role) -> Vec<String> {
        analyse(text)
            .units
            .into_iter()
            .filter(|u| u.role == role)
            .map(|u| u.text)
            .collect()
    }

    /// The text's one word is found in `doc` neither by `find` nor by `occurs`.
    fn assert_one_word_not_found(text: &str, doc: &Document) {
        let q = analyse(text);
        assert_eq!(q.units.len(), 1, "{q:?}");
        assert!(find(&q.units[0], doc).is_none(), "{text}");
        assert!(!occurs(&q.units[0], doc), "{text}");
    }

    fn value(q: &str, d: &Document) -> f32 {
        score(&analyse(q), d, &Rarity::default()).value
    }

    #[test]
    fn letters_are_told_as_the_unicode_tables_tell_them() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
            if is_latin_letter(c) {
                assert!(c.is_alphabetic(), "{c:?}");
            }
        }
    }

    #[test]
    fn occurs_answers_as_find_does() {
        let docs = [
            doc(
                "Nền tảng hóa đơn điện tử",
                Some("HĐĐT"),
                "Electronic invoice platform",
                "Phát hành, tra cứu hóa đơn cho doanh nghiệp",
            ),
            doc(
                "Cổng Dịch vụ công quốc gia",
                None,
                "National public service portal",
                "Nộp hồ sơ trực tuyến",
            ),
            doc("Hệ thống e-Visa", None, "E-visa system", "Thị thực điện tử"),
        ];
        let texts = [
            "hoaa don dien tu, evisa, dịch vụ công quốc gia trực tuyến",
            "CSDL dân cư, hđđt, hoa đơn, cổng dịch vụ công, thi thuc, invoicing",
            "tra cuu, doanh nghiep, hồ sơ, e visa, dien tu, quoc, portals",
        ];
        let mut found = 0;
        for text in texts {
            for unit in &analyse(text).units {
                for d in &docs {
                    assert_eq!(occurs(unit, d), find(unit, d).is_some(), "{unit:?}");
                    found += usize::from(occurs(unit, d));
                }
            }
        }
        assert!(found > 10, "the cases find something: {found}");
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
        assert!(s.value > 0.7, "{s:?}");
        // "LĐ" is "lao động", as in "thị trường LĐ".
        let labour = doc(
            "Hệ thống thông tin thị trường lao động",
            None,
            "Labour market information system",
            "",
        );
        assert!(value("thị trường LĐ", &labour) > 0.7);
    }

    #[test]
    fn typos_and_missing_diacritics_still_match() {
        let d = doc(
            "Nền tảng hóa đơn điện tử",
            None,
            "Electronic invoice platform",
            "",
        );
        assert!(value("hoa don dien tu", &d) > 0.8);
        let typo = score(&analyse("hoaa don dien tu"), &d, &Rarity::default());
        assert!(typo.matches.iter().any(|m| m.how == How::Fuzzy), "{typo:?}");
    }

    #[test]
    fn a_real_syllable_is_never_a_typo_of_another() {
        let d = doc("Hệ thống khảo sát ý kiến", None, "Survey system", "");
        let s = score(&analyse("hộ khẩu"), &d, &Rarity::default());
        assert!(s.matches.iter().all(|m| m.how != How::Fuzzy), "{s:?}");
    }

    #[test]
    fn a_syllable_inside_another_word_does_not_match() {
        let d = doc(
            "Phần mềm thụ lý thi hành án",
            None,
            "Enforcement software",
            "",
        );
        let s = score(&analyse("dự án trợ lý ảo"), &d, &Rarity::default());
        assert!(s.matches.iter().all(|m| m.term != "an"), "{s:?}");
    }

    #[test]
    fn a_word_is_not_read_across_two_words() {
        // "hệ thống | quan trắc" holds the syllables of "thông quan", but not the word.
        let customs = doc(
            "Hệ thống thông quan tự động",
            None,
            "Automated customs clearance system",
            "",
        );
        let air = analyse("hệ thống quan trắc tự động chất lượng không khí");
        let s = score(&air, &customs, &Rarity::default());
        assert!(s.containment < 1.0, "{s:?}");
        // A part of one word is still read: "quản lý văn bản" in "quản lý văn bản và điều hành".
        let documents = doc("Hệ thống quản lý văn bản", None, "Document management", "");
        let plan = analyse("hệ thống quản lý văn bản và điều hành của tỉnh");
        assert!(
            plan.units
                .iter()
                .any(|u| u.text == "quan ly van ban va dieu hanh")
        );
        let s = score(&plan, &documents, &Rarity::default());
        assert!((s.containment - 1.0).abs() < f32::EPSILON, "{s:?}");
    }

    #[test]
    fn filler_and_places_do_not_dilute_the_title() {
        let d = doc("Trợ lý ảo quốc gia", None, "National virtual assistant", "");
        let short = value("Trợ lý ảo", &d);
        let long = value(
            "Dự án xây dựng trợ lý ảo của tỉnh Quảng Ngãi giai đoạn 2026-2030",
            &d,
        );
        assert!(long >= short - 0.01, "{short} vs {long}");
        assert!(long > 0.75, "{long}");
        // A budget line for "ứng dụng CNTT" says nothing of what is bought, abbreviated or not.
        for budget in [
            "Kinh phí ứng dụng CNTT năm 2026 của Sở Nội vụ tỉnh An Giang",
            "Kinh phí ứng dụng công nghệ thông tin năm 2026 của Sở Nội vụ tỉnh An Giang",
            // Nor a programme for IT infrastructure.
            "Dự án đầu tư hạ tầng công nghệ thông tin giai đoạn 2026–2030 của Văn phòng UBND tỉnh Lào Cai",
            "Du an dau tu ha tang CNTT giai doan 2026-2030 cua tinh Lao Cai",
        ] {
            assert!(!analyse(budget).has_content(), "{budget}");
        }
        // Nor does a purchase that says only whose work it serves.
        for serving in [
            "Gói thầu số 02: Thuê dịch vụ công nghệ thông tin phục vụ quản lý nhà nước của Sở Nội vụ tỉnh Thanh Hóa năm 2026",
            "Gói thầu số 07: Thuê dịch vụ công nghệ thông tin phục vụ công tác quản lý năm 2026 của Sở Tài chính tỉnh Gia Lai",
        ] {
            let q = analyse(serving);
            assert!(
                !q.units.iter().any(Unit::is_significant),
                "{serving}: {q:?}"
            );
        }
    }

    #[test]
    fn a_capitalised_name_after_a_place_word_is_a_place() {
        let filler = |text: &str| in_role(text, Role::Filler);
        // Border gates, a town and a district, with and without diacritics, up to the first word
        // in lower case.
        let gates =
            filler("Phần mềm khai báo qua cửa khẩu Móng Cái, Bắc Phong Sinh tỉnh Quảng Ninh");
        for place in ["mong", "cai", "bac", "phong", "sinh"] {
            assert!(
                gates.iter().any(|u| u.split(' ').any(|w| w == place)),
                "{place}: {gates:?}"
            );
        }
        assert!(!gates.contains(&"khai bao".to_owned()), "{gates:?}");
        let district = filler("Phan mem quan ly ho tich huyen Meo Vac");
        assert!(district.iter().any(|u| u.contains("vac")), "{district:?}");
        assert!(
            !district.iter().any(|u| u.contains("ho tich")),
            "{district:?}"
        );
        // In lower case the words after one are what the plan is about: "cấp xã" is a level.
        let commune = filler("Phần mềm một cửa cấp xã quản lý hộ tịch");
        assert!(
            !commune.iter().any(|u| u.contains("ho tich")),
            "{commune:?}"
        );
        let town = filler("Hệ thống camera giao thông thành phố Hạ Long");
        assert!(town.iter().any(|u| u.contains("long")), "{town:?}");
        assert!(!town.iter().any(|u| u.contains("camera")), "{town:?}");
    }

    #[test]
    fn a_syllable_typed_with_other_diacritics_is_another_word() {
        let welfare = Document::new(Fields {
            name_vi: "Cơ sở dữ liệu an sinh xã hội",
            code: "welfare",
            capabilities: &["quản lý hộ nghèo, hộ cận nghèo".to_owned()],
            ..Fields::default()
        });
        let found = |text: &str| {
            let q = analyse(text);
            find(&q.units[0], &welfare).map_or(0.0, |(value, _)| value)
        };
        // Typed as the platform writes it, or without diacritics (it may be either), it is the
        // platform's word; typed with others, at most a syllable inside one of its words.
        let (same, folded, need) = (found("cận"), found("can"), found("cần"));
        assert!(same > 0.0 && folded > 0.0, "{same} {folded}");
        assert!(
            need <= INSIDE_WORD_FACTOR && need < folded,
            "{need} vs {folded}"
        );
    }

    #[test]
    fn an_exact_diacritic_match_ranks_above_a_folded_one() {
        let gate = doc("Cổng dữ liệu quốc gia", None, "National data portal", "");
        let servant = doc("Công dữ liệu", None, "x", "");
        assert!(value("cổng dữ liệu", &gate) > value("cổng dữ liệu", &servant));
    }

    #[test]
    fn a_tone_written_on_either_vowel_is_one_spelling() {
        for (written, read) in [
            ("hoá", "hóa"),
            ("toạ", "tọa"),
            ("khoẻ", "khỏe"),
            ("uỷ", "ủy"),
            ("thuỷ", "thủy"),
            ("hóa", "hóa"),
            // The "u" of "qu" is the consonant's, and a closed syllable has one placement.
            ("quý", "quý"),
            ("hoàng", "hoàng"),
        ] {
            assert_eq!(one_tone_placement(written), read);
        }
        // A province's "hoá" is the registry's "hóa" as written, not only once folded.
        let digitised = doc("Hệ thống số hóa hồ sơ", None, "Records digitisation", "");
        assert_eq!(
            value("số hoá hồ sơ", &digitised),
            value("số hóa hồ sơ", &digitised)
        );
        // And the general dictionary's "toạ độ" is a word of a text that writes "tọa độ".
        assert!(DICTIONARY_WORDS.contains("tọa độ"));
    }

    #[test]
    fn a_platform_phrase_is_not_contained_by_whom_it_serves_alone() {
        let contained = |text: &str| {
            let firms = Document::new(Fields {
                name_vi: "Hệ thống đăng ký doanh nghiệp",
                code: "firms",
                name_en: "Business registration",
                capabilities: &["tra cứu thông tin doanh nghiệp".to_owned()],
                ..Fields::default()
            });
            score(&analyse(text), &firms, &Rarity::default()).containment
        };
        assert_eq!(
            contained("Ứng dụng hỗ trợ doanh nghiệp tỉnh Bình Định"),
            0.0
        );
        assert!(contained("Tra cứu thông tin doanh nghiệp của tỉnh") > 0.99);
        let part = contained("Tra cứu thông tin hộ kinh doanh");
        assert!(part > 0.0 && part < 0.99, "{part}");
        // State agencies are whom a phrase serves too: official e-mail for them is not a signing
        // device for them.
        let signatures = capable(
            "Chữ ký số chuyên dùng Chính phủ",
            "chu-ky-so-chuyen-dung-chinh-phu",
            "Government-dedicated digital signatures",
            &["thiết bị ký số cho cơ quan nhà nước"],
        );
        let email = score(
            &analyse("Thuê dịch vụ thư điện tử công vụ cho các cơ quan nhà nước tỉnh Hưng Yên"),
            &signatures,
            &Rarity::default(),
        );
        assert_eq!(email.containment, 0.0, "{email:?}");
    }

    #[test]
    fn a_word_typed_with_diacritics_is_not_found_as_another_word_that_folds_alike() {
        let store = Document::new(Fields {
            name_vi: "Cơ sở dữ liệu công dân",
            code: "store",
            name_en: "Citizen database",
            capabilities: &["lưu trữ thông tin công dân".to_owned()],
            ..Fields::default()
        });
        let found = |text: &str| {
            let s = score(&analyse(text), &store, &Rarity::default());
            (s.matches.iter().any(|m| m.term == "luu tru"), s.containment)
        };
        // "Lưu trú" (lodging) is another word than "lưu trữ" (storage).
        let lodging = found("quản lý cơ sở lưu trú du lịch và thông tin khách");
        assert!(!lodging.0 && lodging.1 < 0.5, "{lodging:?}");
        // Typed as the platform writes it, or without diacritics, it is the word.
        let storage = found("lưu trữ thông tin công dân của tỉnh");
        assert!(storage.0 && storage.1 > 0.99, "{storage:?}");
        let unmarked = found("luu tru thong tin cong dan cua tinh");
        assert!(unmarked.0 && unmarked.1 > 0.99, "{unmarked:?}");
    }

    #[test]
    fn naming_a_platform_is_strong_evidence() {
        let d = doc(
            "Nền tảng tích hợp, chia sẻ dữ liệu quốc gia",
            Some("NDXP"),
            "National data integration and sharing platform",
            "",
        );
        let s = score(
            &analyse("Hệ thống NDXP riêng của tỉnh"),
            &d,
            &Rarity::default(),
        );
        assert!(s.named.is_some() && s.value >= NAMED_FLOOR, "{s:?}");
        // Using a platform is not duplicating it.
        let used = score(
            &analyse("Cổng thông tin bãi đỗ xe, kết nối NDXP"),
            &d,
            &Rarity::default(),
        );
        assert!(
            used.named.is_some() && used.value <= NAMED_IN_DESCRIPTION,
            "{used:?}"
        );
    }

    /// How a plan of `title` and `description` overlaps `doc`, with no rarity, domain or audience.
    fn judge_plan(title: &str, description: &str, doc: &Document) -> Overlap {
        let title = analyse(title);
        let whole = analyse(description);
        let functions = clauses(description);
        overlap(
            (&title, &Rarity::default()),
            (&whole, &functions, &Rarity::default()),
            doc,
            (&[], &[]),
            (&[], &[]),
        )
    }

    #[test]
    fn a_title_that_names_something_else_is_not_lifted_to_an_overlap_by_its_description() {
        let invoices = Document::new(Fields {
            name_vi: "Nền tảng hóa đơn điện tử",
            code: "invoices",
            name_en: "Electronic invoice platform",
            capabilities: &[
                "cấp mã hóa đơn điện tử".to_owned(),
                "xuất hóa đơn điện tử".to_owned(),
                "tra cứu hóa đơn điện tử".to_owned(),
            ],
            ..Fields::default()
        });
        let description = "Xuất hóa đơn điện tử cho khách và tra cứu hóa đơn điện tử.";
        let tickets = judge_plan(
            "Hệ thống bán vé, soát vé bằng mã QR, xuất hóa đơn tại khu di tích",
            description,
            &invoices,
        );
        assert!(
            tickets.title.value < WEAK_TITLE && tickets.title_elsewhere,
            "{tickets:?}"
        );
        // Listed, with what the description shares, below a possible overlap.
        assert!(
            (NOT_BOUGHT_CEILING..POSSIBLE_OVERLAP).contains(&tickets.value),
            "{tickets:?}"
        );
    }

    #[test]
    fn a_function_the_description_lists_is_a_part_of_the_plan() {
        let cameras = Document::new(Fields {
            name_vi: "Hệ thống tiếp nhận dữ liệu camera xe kinh doanh vận tải",
            code: "camera",
            name_en: "Transport vehicle camera data system",
            capabilities: &["tiếp nhận dữ liệu camera xe kinh doanh vận tải".to_owned()],
            ..Fields::default()
        });
        let judge = |description: &str| {
            judge_plan("Hệ thống giao thông thông minh tỉnh", description, &cameras)
        };
        let o = judge(
            "Điều khiển đèn tín hiệu, camera xử phạt, tiếp nhận dữ liệu camera trên xe kinh doanh vận tải.",
        );
        assert_eq!(
            o.part.as_deref(),
            Some("tiếp nhận dữ liệu camera trên xe kinh doanh vận tải")
        );
        assert!(
            (POSSIBLE_OVERLAP..LIKELY_DUPLICATE).contains(&o.value),
            "{o:?}"
        );
        // A clause that only touches the platform's words is not one of its functions.
        let o = judge("Điều khiển đèn tín hiệu, camera xử phạt vi phạm giao thông.");
        assert_eq!(o.part, None);
        assert!(o.value < POSSIBLE_OVERLAP, "{o:?}");
        // Nor is a platform the plan sends its data to.
        let o = judge(
            "Đèn tín hiệu; gửi dữ liệu camera xe kinh doanh vận tải qua Hệ thống tiếp nhận dữ liệu camera xe kinh doanh vận tải.",
        );
        assert_eq!(o.part, None, "{o:?}");
    }

    #[test]
    fn a_function_the_title_adds_with_va_makes_a_duplicate_a_part() {
        let land = Document::new(Fields {
            name_vi: "Cơ sở dữ liệu quốc gia về đất đai",
            code: "land",
            name_en: "National land database",
            capabilities: &[
                "quản lý hồ sơ địa chính".to_owned(),
                "cập nhật biến động đất đai".to_owned(),
            ],
            ..Fields::default()
        });
        let judge = |title: &str| title_overlap(title, &land);
        let whole = judge("Phần mềm quản lý hồ sơ địa chính của tỉnh");
        assert!(
            whole.value >= LIKELY_DUPLICATE && whole.beyond.is_none(),
            "{whole:?}"
        );
        let more = judge("Phần mềm quản lý hồ sơ địa chính và giải phóng mặt bằng của tỉnh");
        assert!(
            more.beyond
                .as_deref()
                .is_some_and(|b| b.starts_with("giải phóng")),
            "{more:?}"
        );
        assert!(
            (POSSIBLE_OVERLAP..LIKELY_DUPLICATE).contains(&more.value),
            "{more:?}"
        );
        // Users joined with "và" are not a second function, nor is one syllable, nor the last
        // item of a list of what the same words act on.
        for title in [
            "Phần mềm quản lý hồ sơ địa chính cho người dân và doanh nghiệp",
            "Phần mềm quản lý hồ sơ địa chính và bản",
            "Phần mềm quản lý hồ sơ địa chính, biến động đất đai và tài sản gắn liền với đất",
        ] {
            let o = judge(title);
            assert!(
                o.beyond.is_none() && o.value >= LIKELY_DUPLICATE,
                "{title}: {o:?}"
            );
        }
        // A description read in a framing title's place joins with "và" the steps of what it
        // lists: a part only when most of the functions it lists are done elsewhere.
        let steps = "Phần mềm quản lý hồ sơ địa chính; cập nhật biến động đất đai và đồng bộ \
            hằng ngày.";
        let o = title_overlap(steps, &land);
        assert!(o.beyond.is_some(), "as a title: {o:?}");
        let o = framing_title_overlap(steps, &land);
        assert!(
            o.beyond.is_none() && o.value >= LIKELY_DUPLICATE,
            "as a description: {o:?}"
        );
        let others = "Quản lý hồ sơ địa chính và giải phóng mặt bằng; bồi thường, hỗ trợ tái định \
            cư cho người dân; lập kế hoạch vốn đầu tư công; tiếp nhận khiếu nại của người dân.";
        let o = framing_title_overlap(others, &land);
        assert!(
            o.beyond.is_some() && o.value < LIKELY_DUPLICATE,
            "mostly elsewhere: {o:?}"
        );
    }

    #[test]
    fn a_description_listing_functions_mostly_done_elsewhere_does_not_make_a_duplicate() {
        let firms = Document::new(Fields {
            name_vi: "Hệ thống thông tin quốc gia về đăng ký doanh nghiệp",
            code: "firms",
            name_en: "National business registration system",
            capabilities: &[
                "đăng ký thành lập doanh nghiệp trực tuyến".to_owned(),
                "tra cứu thông tin doanh nghiệp".to_owned(),
                "cấp mã số doanh nghiệp".to_owned(),
            ],
            ..Fields::default()
        });
        let judge = |description: &str| {
            judge_plan("Ứng dụng hỗ trợ doanh nghiệp số tỉnh", description, &firms)
        };
        let own = judge(
            "Đăng ký thành lập doanh nghiệp trực tuyến, tra cứu thông tin doanh nghiệp, cấp mã số doanh nghiệp.",
        );
        assert!(own.title.value < LIKELY_DUPLICATE, "{own:?}");
        assert!(
            own.value >= LIKELY_DUPLICATE && own.functions_done.is_none(),
            "{own:?}"
        );
        let mixed = judge(
            "Đăng ký thành lập doanh nghiệp trực tuyến, xúc tiến thương mại sản phẩm, đào tạo khởi nghiệp sáng tạo.",
        );
        assert_eq!(mixed.functions_done, Some((1, 3)), "{mixed:?}");
        assert!(
            (POSSIBLE_OVERLAP..LIKELY_DUPLICATE).contains(&mixed.value),
            "{mixed:?}"
        );
        // Half of four is a list the platform covers in part; one of two is not a list.
        let half = judge(
            "Đăng ký thành lập doanh nghiệp trực tuyến, cấp mã số doanh nghiệp, xúc tiến thương \
             mại sản phẩm, đào tạo khởi nghiệp sáng tạo.",
        );
        assert_eq!(half.functions_done, Some((2, 4)), "{half:?}");
        assert!(half.value < LIKELY_DUPLICATE, "{half:?}");
        // Statistics and reports are what every such system keeps, not a function done elsewhere.
        let reported = judge(
            "Đăng ký thành lập doanh nghiệp trực tuyến; cấp mã số doanh nghiệp; xúc tiến thương \
             mại sản phẩm; thống kê, báo cáo định kỳ.",
        );
        assert!(
            reported.value >= LIKELY_DUPLICATE && reported.functions_done.is_none(),
            "{reported:?}"
        );
        let two = judge("Đăng ký thành lập doanh nghiệp trực tuyến, xúc tiến thương mại sản phẩm.");
        assert!(
            two.value >= LIKELY_DUPLICATE && two.functions_done.is_none(),
            "{two:?}"
        );
        // The items of a list name no function of their own: they do not outvote the functions.
        let listing = judge(
            "Đăng ký thành lập doanh nghiệp trực tuyến cho hộ gia đình, hợp tác xã, công ty, tra cứu thông tin doanh nghiệp.",
        );
        assert!(
            listing.value >= LIKELY_DUPLICATE && listing.functions_done.is_none(),
            "{listing:?}"
        );
        // A title nearly a duplicate on its own keeps what the same description adds; a weaker
        // one does not.
        let mixed = "Đăng ký thành lập doanh nghiệp trực tuyến, xúc tiến thương mại sản phẩm, đào tạo khởi nghiệp sáng tạo.";
        let near = judge_plan("Phần mềm đăng ký kinh doanh", mixed, &firms);
        assert!(
            (NEAR_DUPLICATE_TITLE..LIKELY_DUPLICATE).contains(&near.title.value),
            "{near:?}"
        );
        assert!(
            near.value >= LIKELY_DUPLICATE && near.functions_done.is_none(),
            "{near:?}"
        );
        let weaker = judge_plan("Ứng dụng hỗ trợ đăng ký kinh doanh", mixed, &firms);
        assert!(weaker.title.value < NEAR_DUPLICATE_TITLE, "{weaker:?}");
        assert!(
            weaker.value < LIKELY_DUPLICATE && weaker.functions_done.is_some(),
            "{weaker:?}"
        );
        // A title that holds three of the platform's own words says what it does, below the
        // near-duplicate score too: what the description lists are steps of it.
        let own_words = judge_plan(
            "Trợ lý thành lập doanh nghiệp, cấp mã số và tra cứu cho hộ nghèo, thanh niên khởi \
             nghiệp vùng biên giới",
            mixed,
            &firms,
        );
        assert!(
            own_words.title.value < NEAR_DUPLICATE_TITLE
                && own_words.title.strong_matches >= TITLE_OWN_WORDS,
            "{own_words:?}"
        );
        assert!(
            own_words.value >= LIKELY_DUPLICATE && own_words.functions_done.is_none(),
            "{own_words:?}"
        );
        // A description that numbers its tasks lists functions by its own account, whatever the
        // title: the same near-duplicate title with the same functions numbered is a part.
        let numbered = judge_plan(
            "Phần mềm đăng ký kinh doanh",
            "Các nhiệm vụ: (1) đăng ký thành lập doanh nghiệp trực tuyến; (2) xúc tiến thương mại \
             sản phẩm; (3) đào tạo khởi nghiệp sáng tạo.",
            &firms,
        );
        assert_eq!(numbered.functions_done, Some((1, 3)), "{numbered:?}");
        assert!(numbered.value < LIKELY_DUPLICATE, "{numbered:?}");
    }

    #[test]
    fn numbered_items_are_counted_once_each_at_the_start_of_a_word() {
        assert_eq!(
            numbered_items("(1) cấp phép; (2) nhà ở; (3) cây xanh; (4) bến xe"),
            4
        );
        assert_eq!(
            numbered_items("gồm: a) học bạ; b) tuyển sinh; c) thư viện"),
            3
        );
        assert_eq!(numbered_items("1) cấp phép 2) nhà ở (1) lại"), 2);
        // Parentheses that number nothing, after a letter of several bytes too.
        assert_eq!(
            numbered_items("tỉnh (một cửa điện tử) và (IOC) năm 2025)"),
            0
        );
        assert_eq!(numbered_items("phiên bản v2) và 10.000 hồ sơ (2026)"), 0);
    }

    #[test]
    fn a_name_is_found_without_its_about() {
        let land = Document::new(Fields {
            name_vi: "Cơ sở dữ liệu quốc gia về đất đai",
            code: "land",
            name_en: "National land database",
            ..Fields::default()
        });
        for text in [
            "Phần mềm cập nhật cơ sở dữ liệu quốc gia về đất đai",
            "Phan mem cap nhat co so du lieu quoc gia dat dai",
        ] {
            let s = score(&analyse(text), &land, &Rarity::default());
            assert_eq!(
                s.named.as_deref(),
                Some("Cơ sở dữ liệu quốc gia về đất đai"),
                "{text}"
            );
        }
        let s = score(
            &analyse("Phần mềm quản lý đất đai"),
            &land,
            &Rarity::default(),
        );
        assert!(s.named.is_none(), "{s:?}");
    }

    #[test]
    fn a_description_that_feeds_what_the_platform_is_makes_the_plan_a_layer_of_it() {
        let schools = Document::new(Fields {
            name_vi: "Hệ thống cơ sở dữ liệu ngành giáo dục",
            code: "schools",
            name_en: "Education sector database",
            capabilities: &[
                "quản lý hồ sơ học sinh".to_owned(),
                "học bạ điện tử".to_owned(),
            ],
            ..Fields::default()
        });
        let title = "Phần mềm học bạ số và quản lý hồ sơ học sinh của tỉnh";
        let own = judge_plan(
            title,
            "Giáo viên cập nhật hồ sơ, kết quả học tập.",
            &schools,
        );
        assert!(
            !own.description.used && own.value >= LIKELY_DUPLICATE,
            "{own:?}"
        );
        let feeding = judge_plan(
            title,
            "Giáo viên cập nhật hồ sơ, kết quả học tập; hồ sơ học sinh được đồng bộ lên cơ sở dữ \
             liệu ngành giáo dục của Bộ.",
            &schools,
        );
        assert!(
            feeding.description.used && feeding.value <= LAYER_CEILING,
            "{feeding:?}"
        );
        // Synced "về" a system feeds it too; "về" an agency, or data "về" a subject, does not.
        for (text, feeds) in [
            (
                "Nhập dữ liệu thửa đất; đồng bộ về cơ sở dữ liệu đất đai quốc gia.",
                true,
            ),
            (
                "Ghi kết quả kiểm tra, đồng bộ dữ liệu về Cục Đăng kiểm.",
                false,
            ),
            (
                "Các huyện nhập, khai thác dữ liệu về vùng đồng bào dân tộc thiểu số.",
                false,
            ),
        ] {
            assert_eq!(analyse(text).drawn_on.is_some(), feeds, "{text}");
        }
        // What it feeds must be what the platform is: syncing to the tax authority's system is not.
        let elsewhere = judge_plan(
            title,
            "Giáo viên cập nhật hồ sơ, kết quả học tập; học phí được đồng bộ lên hệ thống của cơ \
             quan thuế.",
            &schools,
        );
        assert!(
            !elsewhere.description.used && elsewhere.value >= LIKELY_DUPLICATE,
            "{elsewhere:?}"
        );
    }

    #[test]
    fn a_title_that_shares_only_whom_it_serves_buys_something_else() {
        let staff = Document::new(Fields {
            name_vi: "Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức",
            code: "staff",
            capabilities: &[
                "quản lý hồ sơ cán bộ, công chức, viên chức".to_owned(),
                "thống kê, báo cáo đội ngũ".to_owned(),
            ],
            ..Fields::default()
        });
        let course = judge_plan(
            "Nen tang hoc tap truc tuyen boi duong can bo, cong chuc tinh Quang Ngai",
            "Khoa hoc video, bai kiem tra, cap chung nhan hoan thanh; thong ke gio hoc, bao cao \
             theo co quan, ho so hoc vien.",
            &staff,
        );
        assert!(
            course.title_elsewhere && course.value < POSSIBLE_OVERLAP,
            "{course:?}"
        );
        let records = judge_plan(
            "Phần mềm quản lý hồ sơ cán bộ, công chức tỉnh Quảng Ngãi",
            "",
            &staff,
        );
        assert!(
            !records.title_elsewhere && records.value >= POSSIBLE_OVERLAP,
            "{records:?}"
        );
        assert!(is_audience("can bo cong chuc vien chuc") && !is_audience("can bo ho so"));
    }

    #[test]
    fn a_platform_named_twice_is_fed_if_the_text_feeds_it_once() {
        let book = Document::new(Fields {
            name_vi: "Sổ sức khỏe điện tử tích hợp trên VNeID",
            code: "book",
            aliases: &["sổ sức khỏe điện tử".to_owned()],
            ..Fields::default()
        });
        let s = score(
            &analyse(
                "Xây dựng kho hồ sơ sức khỏe điện tử của người dân toàn tỉnh; đồng bộ dữ liệu \
                 khám chữa bệnh sang Sổ sức khỏe điện tử",
            ),
            &book,
            &Rarity::default(),
        );
        assert!(s.named.is_some() && s.used, "{s:?}");
    }

    #[test]
    fn a_second_function_after_whom_the_first_concerns_is_beyond_the_platform() {
        let survey = Document::new(Fields {
            name_vi: "Nền tảng khảo sát, thu thập ý kiến người dân",
            code: "survey",
            capabilities: &[
                "đo mức độ hài lòng".to_owned(),
                "lấy ý kiến về chính sách".to_owned(),
                "thiết kế phiếu hỏi trực tuyến".to_owned(),
            ],
            ..Fields::default()
        });
        let beyond = |title: &str| beyond_the_platform(&analyse(title), &survey);
        // Two subjects of one function, after "về", are not two functions.
        assert!(
            beyond(
                "Ứng dụng lấy phiếu hỏi trực tuyến về dự thảo chính sách và chất lượng phục vụ của \
                 cơ quan hành chính"
            )
            .is_none()
        );
        assert!(
            beyond(
                "Phần mềm đo mức độ hài lòng của người dân với cơ quan hành chính và chấm điểm chỉ \
                 số cải cách hành chính"
            )
            .is_some()
        );
        assert!(beyond("Phần mềm đo mức độ hài lòng của người dân").is_none());
    }

    #[test]
    fn a_sentence_that_names_a_function_of_the_platform_is_a_function_it_does() {
        let visas = Document::new(Fields {
            name_vi: "Trang thông tin cấp thị thực điện tử",
            code: "visas",
            name_en: "Electronic visa issuance website",
            capabilities: &[
                "khai đề nghị cấp thị thực trực tuyến".to_owned(),
                "nộp phí thị thực trực tuyến".to_owned(),
            ],
            ..Fields::default()
        });
        let clause = |text: &str| does_function(&score(&analyse(text), &visas, &Rarity::default()));
        assert!(clause(
            "Sở Du lịch đề xuất một trang web để khách nước ngoài khai đề nghị cấp thị thực"
        ));
        assert!(!clause(
            "Đào tạo hướng dẫn viên du lịch cho các doanh nghiệp lữ hành"
        ));
        // Naming the platform as one the plan uses is not doing what it does.
        assert!(!clause(
            "Khách thanh toán qua Trang thông tin cấp thị thực điện tử"
        ));
    }

    #[test]
    fn a_text_with_diacritics_is_read_as_it_is_spelled() {
        let texts = |text: &str| -> Vec<String> {
            analyse(text).units.into_iter().map(|u| u.text).collect()
        };
        // A word of the general dictionary, only as it is spelled.
        assert!(texts("phân quyền thuộc tính").contains(&"thuoc tinh".to_owned()));
        assert!(!texts("cơ quan thuộc tỉnh").contains(&"thuoc tinh".to_owned()));
        assert!(texts("đặt lịch khám cho người bệnh").contains(&"nguoi benh".to_owned()));
        // Folded, the registry's own words are read, and the dictionary's only where one word
        // alone folds so (`a_text_without_diacritics_reads_…`).
        assert!(!texts("co quan thuoc tinh").contains(&"thuoc tinh".to_owned()));
        assert!(texts("lap hoa don").contains(&"hoa don".to_owned()));
        // A registry word spelled otherwise is two syllables ("hòa đơn" is not "hóa đơn").
        assert!(texts("lập hóa đơn").contains(&"hoa don".to_owned()));
        assert!(!texts("lập hòa đơn").contains(&"hoa don".to_owned()));
    }

    #[test]
    fn a_text_without_diacritics_keeps_its_words_when_a_part_of_it_has_them() {
        let content = |text: &str| counted(analyse(text));
        let plain = "cong mot cua khai bao thu tuc cho tau bien tai cang";
        assert!(content(plain).contains(&"thu tuc".to_owned()));
        assert_eq!(
            content(&format!("{plain} (gói thầu số 02)")),
            content(plain)
        );
        // A part written with diacritics is still read as written.
        assert!(!content("co quan thuộc tỉnh").contains(&"thuoc tinh".to_owned()));
    }

    #[test]
    fn a_platform_named_after_a_use_marker_by_any_of_its_names_is_used() {
        let identity = Document::new(Fields {
            name_vi: "Nền tảng định danh và xác thực điện tử",
            short_name: Some("VNeID"),
            code: "vneid",
            name_en: "Electronic identification and authentication platform",
            aliases: &["tài khoản định danh điện tử".to_owned()],
            ..Fields::default()
        });
        let used = |text: &str| score(&analyse(text), &identity, &Rarity::default()).used;
        assert!(used("đăng nhập bằng VNeID"));
        // Through a word that is another way of writing one of its names.
        assert!(used(
            "Ứng dụng du lịch thông minh, đăng nhập bằng tài khoản VNeID"
        ));
        // The name after "tài khoản" or "ứng dụng", the short name after an alias.
        assert!(used("xác thực qua ứng dụng VNeID"));
        assert!(used("đăng nhập bằng tài khoản định danh điện tử VNeID"));
        // Helping people activate or install it is using it.
        assert!(used("Hướng dẫn người dân kích hoạt tài khoản VNeID"));
        assert!(used("hỗ trợ cài đặt ứng dụng VNeID"));
        // The second of two things the plan goes through.
        assert!(used("đăng nhập qua cổng dịch vụ công của tỉnh và VNeID"));
        // Named as what is built, it is not used.
        assert!(!used(
            "Xây dựng hệ thống tài khoản định danh điện tử của tỉnh"
        ));
        assert!(!used("Xây dựng cổng thông tin của tỉnh và VNeID"));
    }

    #[test]
    fn a_name_is_found_with_its_abbreviation_written_out_and_read_from_or_fed() {
        let construction = Document::new(Fields {
            name_vi: "Hệ thống thông tin, cơ sở dữ liệu quốc gia về hoạt động xây dựng",
            code: "construction",
            aliases: &["CSDL quốc gia về hoạt động xây dựng".to_owned()],
            ..Fields::default()
        });
        let read = |text: &str| score(&analyse(text), &construction, &Rarity::default());
        let fed =
            read("đồng bộ dữ liệu giấy phép lên cơ sở dữ liệu quốc gia về hoạt động xây dựng");
        assert!(
            fed.named.is_some() && fed.used && !fed.reads_only,
            "{fed:?}"
        );
        let drawn = read("thông tin công trình lấy từ CSDL quốc gia về hoạt động xây dựng");
        assert!(drawn.used && drawn.reads_only, "{drawn:?}");
    }

    #[test]
    fn a_department_searched_alone_searches_its_field() {
        let justice = vec!["tu phap".to_owned()];
        assert_eq!(counted(analyse_search("Sở Tư pháp")), justice);
        assert_eq!(counted(analyse_search("so tu phap")), justice);
        assert_eq!(counted(analyse_search("ngành y tế")), ["y te"]);
        assert_eq!(counted(analyse_search("Department of Health")), ["health"]);
        // With something else to search, the department is who asks, as in a plan.
        assert_eq!(
            counted(analyse_search("hộ tịch Sở Tư pháp")),
            counted(analyse("hộ tịch"))
        );
        assert!(counted(analyse("Sở Tư pháp")).is_empty());
        // A department word alone is still a query of words (it finds nothing).
        assert!(!analyse_search("Sở").units.is_empty());
    }

    #[test]
    fn a_framing_verb_after_what_it_qualifies_is_its_object() {
        let content = |text: &str| in_role(text, Role::Content);
        let building = "xay dung".to_owned();
        let investment = "dau tu".to_owned();
        assert!(content("Phần mềm quản lý trật tự xây dựng").contains(&building));
        assert!(content("Cong xuc tien dau tu tinh Hung Yen").contains(&investment));
        // As the verb that frames the plan, they say nothing of what is bought.
        assert!(!content("Xây dựng hệ thống quản lý trật tự").contains(&building));
        assert!(!content("Đầu tư hạ tầng điện toán đám mây").contains(&investment));
        assert!(!content("Dự án đầu tư xây dựng cổng dữ liệu").contains(&building));
    }

    #[test]
    fn digitising_records_feeds_a_platform_it_does_not_copy() {
        let civil = Document::new(Fields {
            name_vi: "Cơ sở dữ liệu hộ tịch điện tử",
            code: "civil",
            name_en: "Electronic civil status database",
            capabilities: &[
                "đăng ký hộ tịch điện tử".to_owned(),
                "quản lý sổ hộ tịch".to_owned(),
            ],
            ..Fields::default()
        });
        let value = |title: &str| title_overlap(title, &civil).value;
        assert!(value("Phần mềm quản lý sổ hộ tịch của tỉnh") >= LIKELY_DUPLICATE);
        for title in [
            "Số hóa sổ hộ tịch giấy tại các xã",
            "So hoa so ho tich giay tai cac xa",
            "Chỉnh lý, nhập liệu sổ hộ tịch của tỉnh",
            // "công" of "công tác" is not "cổng", a portal bought.
            "Cong tac so hoa so ho tich giay tai cac xa",
        ] {
            let v = value(title);
            assert!(
                (POSSIBLE_OVERLAP..=LAYER_CEILING).contains(&v),
                "{title}: {v}"
            );
        }
        // Digitising that also builds the province's own store of the records is a copy.
        for title in [
            "Số hóa sổ hộ tịch giấy và lập cơ sở dữ liệu hộ tịch điện tử của tỉnh",
            "So hoa so ho tich giay va xay dung co so du lieu ho tich dien tu cua tinh",
        ] {
            let v = value(title);
            assert!(v >= LIKELY_DUPLICATE, "{title}: {v}");
        }
        // So does digitising that also manages the records, and software bought to key them in.
        for title in [
            "Số hóa và quản lý sổ hộ tịch của tỉnh",
            "Phần mềm nhập liệu, quản lý sổ hộ tịch của tỉnh",
        ] {
            let v = value(title);
            assert!(v >= LIKELY_DUPLICATE, "{title}: {v}");
        }
        // Digitising into the platform names it too, and stays data work.
        let v = value("Số hóa sổ hộ tịch giấy vào cơ sở dữ liệu hộ tịch điện tử");
        assert!(v <= LAYER_CEILING, "{v}");
        // A description read in a framing title's place digitises when that is what it says
        // first; records "đã số hóa" further on are what the system keeps.
        let framed = |description: &str| framing_title_overlap(description, &civil).value;
        assert!(framed("Số hóa sổ hộ tịch giấy tại các xã.") <= LAYER_CEILING);
        assert!(
            framed("Phần mềm quản lý sổ hộ tịch của tỉnh, lưu cả sổ hộ tịch đã số hóa.")
                >= LIKELY_DUPLICATE
        );
        // "số hóa đơn" is a number of invoices, not digitising.
        let invoices = Document::new(Fields {
            name_vi: "Nền tảng hóa đơn điện tử",
            code: "invoices",
            name_en: "E-invoice platform",
            capabilities: &["tra cứu số hóa đơn".to_owned()],
            ..Fields::default()
        });
        assert!(title_overlap("Phần mềm tra cứu số hóa đơn", &invoices).value >= LIKELY_DUPLICATE);
    }

    #[test]
    fn a_department_says_who_buys_not_what_is_bought() {
        let content = |text: &str| counted(analyse(text));
        assert!(content("Dự án chuyển đổi số của Sở Tài chính tỉnh Gia Lai năm 2026").is_empty());
        assert!(content("Du an chuyen doi so nganh y te tinh Nam Dinh").is_empty());
        assert_eq!(
            content("Phần mềm quản lý hồ sơ của Sở Giáo dục và Đào tạo"),
            content("Phần mềm quản lý hồ sơ")
        );
        // The field itself, not named as a department, is what the plan is about.
        assert!(content("Phần mềm quản lý tài chính").contains(&"tai chinh".to_owned()));
        // The province's inspectorate buys as a department does; inspection work is a field.
        assert!(
            content("Gói thầu số 02: Cung cấp, cài đặt phần mềm cho Thanh tra tỉnh Bình Định")
                .iter()
                .all(|w| w != "thanh tra")
        );
        assert!(
            content("Phần mềm phục vụ công tác thanh tra tỉnh").contains(&"thanh tra".to_owned())
        );
    }

    #[test]
    fn a_title_of_framing_words_is_judged_on_its_description_as_a_description_is() {
        let assets = public_assets();
        let judged = |description: &str| framing_title_overlap(description, &assets).value;
        let description = "Sở đề xuất xây dựng phần mềm để các cơ quan, đơn vị sự nghiệp kê khai \
            tài sản công, cập nhật trụ sở làm việc, nhà đất, xe ô tô; tổng hợp số liệu theo loại \
            và lập báo cáo hằng năm.";
        // Read as a title, its many words would dilute what it contains whole.
        assert!(title_overlap(description, &assets).value < LIKELY_DUPLICATE);
        assert!(judged(description) >= LIKELY_DUPLICATE);
        // A description that says the plan uses the platform keeps that bound.
        let uses = "Phần mềm quản lý xe ô tô, trụ sở; dữ liệu lấy từ Cơ sở dữ liệu quốc gia về \
            tài sản công.";
        assert!(judged(uses) < LIKELY_DUPLICATE);
    }

    #[test]
    fn a_platform_found_only_in_what_the_plan_draws_on_is_connected_to_not_copied() {
        let land = Document::new(Fields {
            name_vi: "Cơ sở dữ liệu quốc gia về đất đai",
            short_name: Some("CSDL đất đai"),
            code: "land",
            name_en: "National land database",
            capabilities: &["quản lý hồ sơ địa chính".to_owned()],
            ..Fields::default()
        });
        let warehouse = score(
            &analyse(
                "Kho dữ liệu dùng chung của tỉnh tích hợp dữ liệu từ các CSDL đất đai, dân cư",
            ),
            &land,
            &Rarity::default(),
        );
        assert!(
            warehouse.used && warehouse.value <= LAYER_CEILING,
            "{warehouse:?}"
        );
        // The same words in what the plan builds, before what it draws on.
        let own = score(
            &analyse("Kho dữ liệu đất đai của tỉnh tích hợp dữ liệu từ các bộ, ngành"),
            &land,
            &Rarity::default(),
        );
        assert!(!own.used, "{own:?}");
    }

    #[test]
    fn who_uses_a_platform_is_weak_evidence() {
        let signatures = |users: &[String]| {
            Document::new(Fields {
                name_vi: "Dịch vụ chứng thực chữ ký số chuyên dùng Chính phủ",
                code: "ca",
                name_en: "Government digital signature certification service",
                capabilities: &["cấp chứng thư số chuyên dùng".to_owned()],
                users,
                ..Fields::default()
            })
        };
        let plan = analyse("Hệ thống cấp chứng thư số cho cán bộ, công chức");
        let without = score(&plan, &signatures(&[]), &Rarity::default());
        let with = score(
            &plan,
            &signatures(&["cán bộ, công chức".to_owned()]),
            &Rarity::default(),
        );
        let user = with.matches.iter().find(|m| m.term == "can bo");
        assert!(
            user.is_some_and(|m| m.field == Field::Description),
            "{with:?}"
        );
        assert!(with.value > without.value, "{without:?} {with:?}");
    }

    #[test]
    fn the_items_of_a_list_belong_to_the_clause_they_continue() {
        let texts = |text: &str| -> Vec<String> {
            clauses(text).into_iter().map(|(text, _)| text).collect()
        };
        // An item that names no function (fewer than two significant words, none of them a verb
        // the registry's capabilities start with) continues the clause before it.
        assert_eq!(
            texts("Cập nhật trụ sở làm việc, nhà đất, ô tô; tra cứu tài sản công"),
            [
                "Cập nhật trụ sở làm việc, nhà đất, ô tô",
                "tra cứu tài sản công"
            ]
        );
        // Functions listed with commas stay apart, one lexicon word as much as several.
        assert_eq!(
            texts(
                "tra cứu chính sách hỗ trợ, đăng ký doanh nghiệp, lập hóa đơn, kết nối giao thương"
            ),
            [
                "tra cứu chính sách hỗ trợ",
                "đăng ký doanh nghiệp",
                "lập hóa đơn",
                "kết nối giao thương"
            ]
        );
    }

    #[test]
    fn a_number_does_not_end_a_clause() {
        // A point or comma between digits is part of a number, not the end of a clause.
        let texts: Vec<String> =
            clauses("Quét 1.200 hồ sơ địa chính, lưu 1,5 triệu trang tài liệu")
                .into_iter()
                .map(|(text, _)| text)
                .collect();
        assert_eq!(
            texts,
            ["Quét 1.200 hồ sơ địa chính", "lưu 1,5 triệu trang tài liệu"]
        );
    }

    #[test]
    fn whom_a_plan_serves_is_not_what_it_does() {
        let officials = doc(
            "Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức",
            Some("CSDLQG CBCCVC"),
            "National database of civil servants",
            "",
        );
        // Signing certificates for officials is not the officials' database.
        let served = value(
            "Hệ thống chứng thực chữ ký số cấp chứng thư cho cán bộ, công chức",
            &officials,
        );
        assert!(served < POSSIBLE_OVERLAP, "{served}");
        // A database of officials still is.
        let kept = value("Phần mềm quản lý hồ sơ CBCCVC của tỉnh", &officials);
        assert!(kept >= POSSIBLE_OVERLAP, "{kept}");
        // A title that names only whom it serves is about them, but names no function: a
        // possible overlap at most, until its description says more.
        let only = judge_plan("Ứng dụng hỗ trợ cán bộ, công chức", "", &officials);
        assert!(
            (POSSIBLE_OVERLAP..=LAYER_CEILING).contains(&only.value),
            "{only:?}"
        );
        // Its functions, listed in a clause each, are functions even as one word of the lexicon.
        assert_eq!(clauses("đăng ký doanh nghiệp trực tuyến, camera").len(), 1);
    }

    #[test]
    fn a_generic_part_of_a_phrase_is_not_a_part_found() {
        let admissions = doc(
            "Hệ thống hỗ trợ tuyển sinh chung",
            None,
            "Common admissions system",
            "Thí sinh đăng ký xét tuyển trực tuyến",
        );
        assert_one_word_not_found("nghe đài trực tuyến", &admissions);
        // A part that names something still counts: "dịch vụ công" of "dịch vụ công quốc gia".
        let portal = doc("Cổng dịch vụ công", None, "Public service portal", "");
        let q = analyse("dịch vụ công quốc gia");
        assert!(q.units.iter().any(|u| find(u, &portal).is_some()), "{q:?}");
    }

    /// How much of the one capability of a platform named `name` a text contains.
    fn containment_in(name: &'static str, capability: &str) -> impl Fn(&str) -> f32 {
        let capabilities = [capability.to_owned()];
        let platform = Document::new(Fields {
            name_vi: name,
            code: "x",
            capabilities: &capabilities,
            ..Fields::default()
        });
        move |text| score(&analyse(text), &platform, &Rarity::default()).containment
    }

    #[test]
    fn a_phrase_is_contained_only_where_its_words_stand_near_each_other() {
        let containment = containment_in("Hệ thống thông tin quy hoạch", "công bố quy hoạch");
        assert!(containment("Công bố quy hoạch sử dụng đất của tỉnh") > 0.99);
        // "quy hoạch" is thirty syllables after "công bố": what else the plan does.
        let apart = containment(
            "Công bố kết quả khảo sát mức độ hài lòng của người dân về dịch vụ hành chính công \
             tại bộ phận một cửa các xã, phường và đề xuất điều chỉnh quy hoạch",
        );
        assert!(apart < 0.99, "{apart}");
    }

    #[test]
    fn a_plan_for_what_a_platform_oversees_does_not_contain_its_function() {
        let containment = containment_in(
            "Hệ thống đo lường dịch vụ số",
            "thống kê truy cập cổng thông tin điện tử",
        );
        // The province's own portal is what the platform counts visits to, not a copy of it.
        assert_eq!(containment("Nâng cấp cổng thông tin điện tử của tỉnh"), 0.0);
        // Counting the visits is its function.
        assert!(containment("Thống kê truy cập cổng thông tin điện tử") > 0.99);
    }

    #[test]
    fn a_short_name_written_out_is_the_document_it_stands_for() {
        let licences = Document::new(Fields {
            name_vi: "Trang thông tin Giấy phép lái xe",
            short_name: Some("GPLX"),
            code: "licences",
            ..Fields::default()
        });
        let containment = |text: &str| score(&analyse(text), &licences, &Rarity::default());
        // Showing a driving licence in a wallet app holds the licence, not the short name "GPLX".
        let shown = containment("hiển thị giấy phép lái xe trên điện thoại");
        assert!(shown.containment < 0.99, "{shown:?}");
        // The short name itself is the platform.
        let named = containment("tra cứu trên GPLX");
        assert!(named.containment > 0.99, "{named:?}");
    }

    #[test]
    fn a_name_without_its_brand_says_only_what_kind_of_thing_the_platform_is() {
        let containment = containment_in("Ứng dụng eTax Mobile", "nộp thuế trên điện thoại");
        // A province's own mobile app holds "ứng dụng" and "mobile" of the name, not the name.
        assert_eq!(
            containment("Ứng dụng mobile công dân số tỉnh Bình Định"),
            0.0
        );
        // With the brand it is the name.
        let named = containment("Hướng dẫn cài đặt ứng dụng eTax Mobile");
        assert!(named > 0.99, "{named}");
        // A capability keeps what it holds without the brand: a provincial app that takes
        // requests for criminal record certificates does what the platform does on VNeID.
        let containment =
            containment_in("Lý lịch tư pháp", "đề nghị cấp lý lịch tư pháp qua VNeID");
        let app = containment("Ứng dụng đề nghị cấp lý lịch tư pháp");
        assert!(app > 0.5, "{app}");
    }

    #[test]
    fn a_document_and_its_work_are_what_a_platform_acts_on_and_how_a_plan_is_framed() {
        let containment = containment_in(
            "Hệ thống thông tin quốc gia về đầu tư",
            "theo dõi thực hiện dự án đầu tư",
        );
        // Monitoring something else is not monitoring investment projects.
        let pests = containment("Ứng dụng theo dõi, dự báo sâu bệnh hại lúa cho nông dân");
        assert!(pests < 0.99, "{pests}");
        // Nor when the plan frames itself as an investment project.
        let framed = containment("Dự án đầu tư xây dựng phần mềm theo dõi sâu bệnh hại lúa");
        assert!(framed < 0.99, "{framed}");
        // Monitoring investment projects is the platform's function.
        let projects = containment("Phần mềm theo dõi thực hiện các dự án đầu tư của tỉnh");
        assert!(projects > 0.99, "{projects}");
    }

    #[test]
    fn the_last_words_of_a_phrase_are_a_part_of_it_only_after_a_generic_head() {
        let television = doc(
            "Nền tảng truyền hình số quốc gia",
            None,
            "National digital television platform",
            "Xem truyền hình trực tuyến",
        );
        // "hội nghị truyền hình" is a conference: "truyền hình" only qualifies it.
        assert_one_word_not_found("hội nghị truyền hình", &television);
        // After a generic head the rest still names the thing: "truyền hình số" of "hệ thống
        // truyền hình số".
        let system = analyse("hệ thống truyền hình số");
        assert!(
            system
                .units
                .iter()
                .filter(|u| u.is_significant())
                .all(|u| find(u, &television).is_some()),
            "{system:?}"
        );
    }

    #[test]
    fn a_text_without_diacritics_reads_the_dictionary_words_only_one_word_folds_to() {
        let texts = |text: &str| -> Vec<String> {
            analyse(text).units.into_iter().map(|u| u.text).collect()
        };
        // "du lịch" is the only word that folds to "du lich": its syllables are not matched alone.
        assert!(texts("cong thong tin du lich").contains(&"du lich".to_owned()));
        // The registry's own word comes first: "chủ | sử dụng", not "chủ sự | dụng".
        let owner = texts("chu su dung va bien dong");
        assert!(
            owner.contains(&"su dung".to_owned()) && !owner.contains(&"chu su".to_owned()),
            "{owner:?}"
        );
        // A place or a framing word is never joined into a word.
        assert!(!texts("thuoc tinh").contains(&"thuoc tinh".to_owned()));
    }

    #[test]
    fn a_misspelt_short_name_is_still_the_name() {
        let origin = doc(
            "Hệ thống quản lý và cấp chứng nhận xuất xứ điện tử eCoSys",
            Some("eCoSys"),
            "Electronic certificate of origin system",
            "",
        );
        let s = score(&analyse("eCoSis"), &origin, &Rarity::default());
        assert!(s.containment > 0.5, "{s:?}");
        assert!(s.value >= 0.4, "{s:?}");
    }

    #[test]
    fn unrelated_text_scores_low() {
        let d = doc(
            "Nền tảng hóa đơn điện tử",
            None,
            "Electronic invoice platform",
            "Hóa đơn của doanh nghiệp.",
        );
        assert!(value("thư viện trường học", &d) < 0.3);
    }

    #[test]
    fn one_edit_means_one_letter() {
        assert!(one_edit_apart("dinh", "dinb"));
        assert!(one_edit_apart("dinh", "din"));
        assert!(one_edit_apart("dinh", "idnh"));
        assert!(!one_edit_apart("dinh", "dinh"));
        assert!(!one_edit_apart("dinh", "dang"));
        assert!(!one_edit_apart("dinh", "dnah"));
    }

    #[test]
    fn a_phrase_written_out_does_not_name_the_platform_its_abbreviation_names() {
        let licences = Document::new(Fields {
            name_vi: "Trang thông tin Giấy phép lái xe",
            short_name: Some("GPLX"),
            code: "gplx",
            name_en: "Driving licence information site",
            ..Fields::default()
        });
        let named = |text: &str| score(&analyse(text), &licences, &Rarity::default()).named;
        // The document a wallet shows is not the licence site.
        assert_eq!(named("hiển thị giấy phép lái xe trên điện thoại"), None);
        assert_eq!(named("Tra cứu GPLX").as_deref(), Some("GPLX"));
        assert_eq!(
            named("Trang thông tin giấy phép lái xe của tỉnh").as_deref(),
            Some("Trang thông tin Giấy phép lái xe")
        );
    }

    #[test]
    fn compounds_match_joined_words() {
        let d = doc(
            "Trang thông tin cấp thị thực điện tử",
            Some("e-Visa"),
            "Electronic visa issuance information site",
            "",
        );
        let s = score(&analyse("evisa"), &d, &Rarity::default());
        assert!(s.named.is_some() && s.value >= NAMED_FLOOR, "{s:?}");
    }

    fn judged(value: f32, title: f32, used: bool, named: bool) -> Overlap {
        Overlap {
            value,
            title: Score {
                value: title,
                ..Score::default()
            },
            description: Score {
                used,
                named: named.then(|| "the platform fed".to_owned()),
                ..Score::default()
            },
            ..Overlap::default()
        }
    }

    #[test]
    fn a_title_that_names_the_platform_it_connects_to_copies_no_platform_it_resembles_less() {
        let platform = |name_vi: &str, code: &str, name_en: &str, capability: &str| {
            Document::new(Fields {
                name_vi,
                code,
                name_en,
                capabilities: &[capability.to_owned()],
                ..Fields::default()
            })
        };
        // The plan judged against the platform it names and another; the other's value before
        // and after deferring to the platform named.
        let judge = |title: &str, named: &Document, other: &Document| {
            let mut items = vec![judge_plan(title, "", named), judge_plan(title, "", other)];
            let before = items[1].value;
            defer_to_layer(&mut items, |o| o);
            (items, before)
        };
        let reporting = platform(
            "Hệ thống thông tin báo cáo Chính phủ",
            "he-thong-thong-tin-bao-cao-chinh-phu",
            "Government reporting information system",
            "cập nhật chỉ tiêu kinh tế - xã hội",
        );
        let direction = platform(
            "Hệ thống thông tin chỉ đạo, điều hành của Chính phủ",
            "chi-dao-dieu-hanh-chinh-phu",
            "Government direction and administration information system",
            "theo dõi chỉ tiêu kinh tế - xã hội",
        );
        let (items, before) = judge(
            "Hệ thống báo cáo chỉ tiêu kinh tế - xã hội của tỉnh kết nối với Hệ thống thông tin báo cáo Chính phủ",
            &reporting,
            &direction,
        );
        // What the title builds is the reporting system's provincial layer.
        assert!(
            items[0].layer_title.unwrap_or_default() >= POSSIBLE_OVERLAP,
            "{items:?}"
        );
        assert!(before > LAYER_CEILING, "{before}");
        assert!(items[1].value <= LAYER_CEILING, "{items:?}");
        // A title that builds something else says nothing of it: the national population database
        // named does not clear the civil status database the plan copies.
        let population = platform(
            "Cơ sở dữ liệu quốc gia về dân cư",
            "csdlqg-dan-cu",
            "National population database",
            "quản lý thông tin công dân",
        );
        let civil_status = platform(
            "Cơ sở dữ liệu hộ tịch điện tử",
            "csdl-ho-tich-dien-tu",
            "Electronic civil status database",
            "đăng ký hộ tịch",
        );
        let (items, before) = judge(
            "Phần mềm đăng ký hộ tịch kết nối với Cơ sở dữ liệu quốc gia về dân cư",
            &population,
            &civil_status,
        );
        assert!(items[0].title.used, "{items:?}");
        assert!(before > LAYER_CEILING, "{before}");
        assert!((items[1].value - before).abs() < f32::EPSILON, "{items:?}");
    }

    #[test]
    fn a_plan_that_names_the_platform_it_feeds_copies_no_platform_it_resembles_less() {
        let values = |items: &[Overlap]| items.iter().map(|o| o.value).collect::<Vec<_>>();
        let mut items = vec![
            // The platform the description says the plan reports to: a layer of it.
            judged(LAYER_CEILING, 0.8, true, true),
            // One whose capability shares a word of the title, less than the first.
            judged(0.77, 0.64, false, false),
            // One the title resembles more than the platform fed: what the plan copies.
            judged(0.9, 0.95, false, false),
        ];
        defer_to_layer(&mut items, |o| o);
        assert_eq!(values(&items), [LAYER_CEILING, LAYER_CEILING, 0.9]);
        // A platform the plan only draws on, not named, says nothing of what else it copies.
        let mut items = vec![
            judged(LAYER_CEILING, 0.8, true, false),
            judged(0.77, 0.64, false, false),
        ];
        defer_to_layer(&mut items, |o| o);
        assert_eq!(values(&items), [LAYER_CEILING, 0.77]);
        // Nor does a platform fed that the title does not resemble.
        let mut items = vec![
            judged(LAYER_CEILING, 0.3, true, true),
            judged(0.77, 0.2, false, false),
        ];
        defer_to_layer(&mut items, |o| o);
        assert_eq!(values(&items), [LAYER_CEILING, 0.77]);
        // Nor does a platform named but not as one the plan feeds.
        let mut items = vec![
            judged(0.7, 0.8, false, true),
            judged(0.77, 0.64, false, false),
        ];
        defer_to_layer(&mut items, |o| o);
        assert_eq!(values(&items), [0.7, 0.77]);
    }

    #[test]
    fn a_tool_says_as_little_as_software() {
        for text in [
            "Công cụ khai đề nghị cấp thị thực",
            "Cong cu khai de nghi cap thi thuc",
        ] {
            let q = analyse(text);
            assert_eq!(q.units[0].text, "cong cu", "{text}");
            assert_eq!(q.units[0].role, Role::Generic, "{text}");
        }
        let d = doc(
            "Trang thông tin cấp thị thực điện tử",
            Some("e-Visa"),
            "Electronic visa issuance information site",
            "",
        );
        let tool = value("Công cụ cấp thị thực", &d);
        let software = value("Phần mềm cấp thị thực", &d);
        assert!((tool - software).abs() < 1e-6, "{tool} {software}");
    }

    /// The common admissions system as seeded: its name and capabilities, under its own code so
    /// that its look-alikes apply.
    /// A platform with a name, a code, an English name and capabilities only.
    fn capable(name_vi: &str, code: &str, name_en: &str, capabilities: &[&str]) -> Document {
        let capabilities: Vec<String> = capabilities.iter().map(|c| (*c).to_owned()).collect();
        Document::new(Fields {
            name_vi,
            code,
            name_en,
            capabilities: &capabilities,
            ..Fields::default()
        })
    }

    fn admissions() -> Document {
        let capabilities = [
            "đăng ký xét tuyển đại học trực tuyến".to_owned(),
            "nộp hồ sơ tuyển sinh đại học qua mạng".to_owned(),
            "đăng ký thi tốt nghiệp THPT trực tuyến".to_owned(),
        ];
        let aliases = ["hệ thống tuyển sinh chung".to_owned()];
        Document::new(Fields {
            name_vi: "Hệ thống hỗ trợ tuyển sinh chung của Bộ Giáo dục và Đào tạo",
            code: "ho-tro-tuyen-sinh-chung",
            name_en: "Common admissions support system of the Ministry of Education and Training",
            capabilities: &capabilities,
            aliases: &aliases,
            ..Fields::default()
        })
    }

    #[test]
    fn what_a_plan_takes_from_the_system_holding_it_is_read_not_copied() {
        let capabilities = [
            "lập hóa đơn điện tử".to_owned(),
            "tra cứu hóa đơn điện tử".to_owned(),
        ];
        let aliases = ["hóa đơn điện tử".to_owned()];
        let invoices = Document::new(Fields {
            name_vi: "Nền tảng hóa đơn điện tử",
            code: "nen-tang-hoa-don-dien-tu",
            name_en: "E-invoice platform",
            capabilities: &capabilities,
            aliases: &aliases,
            ..Fields::default()
        });
        let accounting = |description: &str| {
            judge_plan(
                "Phần mềm kế toán hành chính sự nghiệp cho các trường học tỉnh An Giang",
                description,
                &invoices,
            )
        };
        let read = accounting(
            "Hạch toán thu, chi, lập báo cáo tài chính; tự động nhận hóa đơn điện tử từ hệ thống \
             của cơ quan thuế.",
        );
        assert!(
            read.description.used && read.description.reads_only,
            "{read:?}"
        );
        assert!(read.value < POSSIBLE_OVERLAP, "{read:?}");
        // A word or two may stand between what is taken and where from.
        let inputs = accounting(
            "Ghi sổ, lập báo cáo tài chính; tự động tải hóa đơn điện tử đầu vào từ hệ thống của \
             cơ quan thuế để hạch toán.",
        );
        assert!(inputs.description.reads_only, "{inputs:?}");
        // Issued by the plan itself, not taken from anywhere: not read.
        let issued = accounting("Hạch toán thu, chi; lập hóa đơn điện tử cho học phí.");
        assert!(!issued.description.used, "{issued:?}");
    }

    #[test]
    fn a_qr_label_on_produce_is_a_traceability_label() {
        let traceability = capable(
            "Cổng thông tin truy xuất nguồn gốc sản phẩm, hàng hóa quốc gia",
            "truy-xuat-nguon-goc-quoc-gia",
            "National product traceability portal",
            &[
                "truy xuất nguồn gốc sản phẩm, hàng hóa",
                "tra cứu nguồn gốc nông sản, thực phẩm",
            ],
        );
        for plan in [
            "Ứng dụng tem QR cho nông sản chủ lực tỉnh Sơn La năm 2025",
            "Tem QR cho trai cay, rau cu OCOP cua tinh Hung Yen",
        ] {
            let o = judge_plan(plan, "", &traceability);
            assert!(o.value >= POSSIBLE_OVERLAP, "{plan}: {o:?}");
        }
    }

    #[test]
    fn a_drug_retailer_written_with_pharmaceuticals_is_a_pharmacy() {
        let prescriptions = capable(
            "Hệ thống kê đơn thuốc và bán thuốc theo đơn",
            "ke-don-thuoc-ban-thuoc-theo-don",
            "Prescribing and prescription sales system",
            &["kết nối nhà thuốc", "gửi toa thuốc điện tử từ phòng khám"],
        );
        let plan = "Kết nối phòng khám tư nhân với cơ sở bán lẻ dược phẩm trên địa bàn thành phố";
        let o = judge_plan(plan, "", &prescriptions);
        assert!(o.value >= POSSIBLE_OVERLAP, "{o:?}");
    }

    #[test]
    fn traffic_cameras_at_intersections_are_not_the_vehicle_camera_system() {
        let cameras = capable(
            "Hệ thống camera giám sát xe kinh doanh vận tải",
            "camera-xe-kinh-doanh-van-tai",
            "Camera system for commercial transport vehicles",
            &[
                "tiếp nhận dữ liệu camera xe vận tải",
                "lưu trữ hình ảnh camera giám sát xe",
            ],
        );
        let traffic = judge_plan(
            "Lắp đặt hệ thống camera giám sát giao thông và xử lý vi phạm tại các nút giao",
            "",
            &cameras,
        );
        assert_eq!(
            traffic.look_alike.as_deref(),
            Some("giám sát giao thông"),
            "{traffic:?}"
        );
        assert!(traffic.value <= NOT_BOUGHT_CEILING, "{traffic:?}");
    }

    #[test]
    fn a_beneficiary_register_does_not_pay_allowances() {
        let register = capable(
            "Cơ sở dữ liệu quốc gia về an sinh xã hội",
            "csdlqg-an-sinh-xa-hoi",
            "National social security database",
            &[
                "quản lý đối tượng bảo trợ xã hội",
                "danh sách người nhận trợ cấp xã hội",
            ],
        );
        // The register and the province's own payments: the register is a part of the plan.
        let both = judge_plan(
            "Phần mềm quản lý đối tượng bảo trợ xã hội và chi trả trợ cấp không dùng tiền mặt",
            "",
            &register,
        );
        assert_eq!(both.beyond.as_deref(), Some("chi trả trợ cấp"), "{both:?}");
        assert!(
            (POSSIBLE_OVERLAP..LIKELY_DUPLICATE).contains(&both.value),
            "{both:?}"
        );
        // The register alone is its duplicate.
        let alone = judge_plan("Phần mềm quản lý đối tượng bảo trợ xã hội", "", &register);
        assert!(alone.value >= LIKELY_DUPLICATE, "{alone:?}");
    }

    #[test]
    fn a_phrase_held_by_one_word_inside_what_the_platform_is_mistaken_for_is_not_its_function() {
        let planning = capable(
            "Hệ thống thông tin và cơ sở dữ liệu quốc gia về quy hoạch",
            "csdlqg-quy-hoach",
            "National planning information system and database",
            &[
                "cung cấp thông tin quy hoạch",
                "lưu trữ hồ sơ, bản đồ quy hoạch",
            ],
        );
        let urban = judge_plan(
            "Hệ thống thông tin quy hoạch đô thị, quy hoạch xây dựng trên nền GIS của tỉnh",
            "",
            &planning,
        );
        assert!(urban.title.containment > 0.99, "{urban:?}");
        assert_eq!(
            urban.look_alike.as_deref(),
            Some("quy hoạch đô thị"),
            "{urban:?}"
        );
        assert!(urban.value <= NOT_BOUGHT_CEILING, "{urban:?}");
        // The province's own plan is what the platform holds.
        let provincial = judge_plan(
            "Cung cấp thông tin quy hoạch tỉnh trên bản đồ",
            "",
            &planning,
        );
        assert!(provincial.look_alike.is_none(), "{provincial:?}");
    }

    #[test]
    fn a_plan_for_what_a_platform_is_mistaken_for_is_no_overlap_with_it() {
        let admissions = admissions();
        let plain = judge_plan("Phần mềm tuyển sinh trực tuyến", "", &admissions);
        let school = judge_plan(
            "Phần mềm tuyển sinh đầu cấp trực tuyến cho các trường tỉnh Hà Tĩnh",
            "",
            &admissions,
        );
        assert!(plain.look_alike.is_none(), "{plain:?}");
        assert_eq!(school.look_alike.as_deref(), Some("tuyển sinh đầu cấp"));
        assert!(school.value <= NOT_BOUGHT_CEILING, "{school:?}");
        assert!(plain.value > NOT_BOUGHT_CEILING, "{plain:?}");
        // Without diacritics it is the same phrase.
        let folded = judge_plan("Phan mem tuyen sinh dau cap truc tuyen", "", &admissions);
        assert_eq!(folded.look_alike.as_deref(), Some("tuyển sinh đầu cấp"));
        // A platform of another code has no look-alikes.
        let other = doc("Hệ thống hỗ trợ tuyển sinh chung", None, "", "");
        assert!(
            judge_plan("Phần mềm tuyển sinh đầu cấp", "", &other)
                .look_alike
                .is_none()
        );
    }

    #[test]
    fn a_plan_that_does_the_platforms_function_and_what_it_is_mistaken_for_is_a_part() {
        let doc = admissions();
        let named = judge_plan(
            "Kết nối hệ thống tuyển sinh chung để tuyển sinh đầu cấp",
            "",
            &doc,
        );
        assert!(
            named.title.named.is_some() && named.look_alike.is_none(),
            "{named:?}"
        );
        let both = judge_plan(
            "Đăng ký xét tuyển đại học trực tuyến và tuyển sinh đầu cấp",
            "",
            &doc,
        );
        assert!(both.look_alike.is_none(), "{both:?}");
        assert_eq!(
            both.beyond.as_deref(),
            Some("tuyển sinh đầu cấp"),
            "{both:?}"
        );
        assert!(
            (POSSIBLE_OVERLAP..LIKELY_DUPLICATE).contains(&both.value),
            "{both:?}"
        );
        // The platform's function alone is still its duplicate.
        let alone = judge_plan("Đăng ký xét tuyển đại học trực tuyến", "", &doc);
        assert!(
            alone.beyond.is_none() && alone.value >= LIKELY_DUPLICATE,
            "{alone:?}"
        );
    }

    #[test]
    fn a_plan_that_opens_with_buying_equipment_buys_hardware_not_a_system() {
        let cloud = doc(
            "Nền tảng điện toán đám mây",
            None,
            "Cloud platform",
            "cung cấp máy chủ ảo và lưu trữ cho cơ quan nhà nước",
        );
        for equipment in [
            "Gói thầu số 05: Mua sắm, lắp đặt máy chủ, thiết bị lưu trữ cho Trung tâm dữ liệu tỉnh",
            "Mua sam may chu va thiet bi luu tru cho co quan nha nuoc tinh Lang Son",
            "E-HSMT gói thầu số 06: Cải tạo mạng LAN và đường truyền cho trụ sở UBND các xã",
            "Cung cấp, lắp đặt máy chủ và bộ lưu điện cho Trung tâm dữ liệu tỉnh",
            "Trang bị ki-ot lấy số thứ tự và màn hình hiển thị cho Trung tâm Phục vụ hành chính công",
        ] {
            let o = judge_plan(equipment, "", &cloud);
            assert!(
                o.equipment && o.value <= NOT_BOUGHT_CEILING,
                "{equipment}: {o:?}"
            );
        }
        // Software bought with it, or servers that are the platform's, are not equipment only.
        for system in [
            "Mua sắm máy chủ và phần mềm điện toán đám mây cho cơ quan nhà nước",
            "Thuê máy chủ ảo và lưu trữ cho cơ quan nhà nước tỉnh",
        ] {
            let o = judge_plan(system, "", &cloud);
            assert!(!o.equipment, "{system}: {o:?}");
        }
    }

    #[test]
    fn a_plan_that_opens_with_training_buys_a_course_not_a_system() {
        let one_stop = doc(
            "Hệ thống thông tin giải quyết thủ tục hành chính",
            None,
            "Administrative procedure information system",
            "",
        );
        for course in [
            "Tập huấn sử dụng hệ thống thông tin giải quyết thủ tục hành chính cho cán bộ cấp xã",
            "Kế hoạch tổ chức bồi dưỡng sử dụng hệ thống thông tin giải quyết thủ tục hành chính",
            "Gói thầu số 03: Dao tao su dung he thong thong tin giai quyet thu tuc hanh chinh",
        ] {
            let o = judge_plan(course, "", &one_stop);
            assert!(
                o.training && o.value <= NOT_BOUGHT_CEILING,
                "{course}: {o:?}"
            );
        }
        for system in [
            "Hệ thống thông tin giải quyết thủ tục hành chính và đào tạo trực tuyến",
            "Xây dựng hệ thống thông tin giải quyết thủ tục hành chính của tỉnh",
        ] {
            let o = judge_plan(system, "", &one_stop);
            assert!(
                !o.training && o.value >= POSSIBLE_OVERLAP,
                "{system}: {o:?}"
            );
        }
    }

    #[test]
    fn every_look_alike_belongs_to_a_seeded_platform_and_says_why() {
        let codes: HashSet<String> = csv_rows(PROFILES)
            .iter()
            .map(|r| r.get(0).unwrap_or_default().to_owned())
            .collect();
        let rows = csv_rows(LOOK_ALIKES);
        assert_eq!(rows.len(), LOOK_ALIKE_TABLE.len(), "one row per platform");
        for row in &rows {
            let code = row.get(0).unwrap_or_default();
            assert!(codes.contains(code), "{code} is not a seeded platform");
            for column in 2..5 {
                assert!(!row.get(column).unwrap_or_default().is_empty(), "{code}");
            }
            let phrases = &LOOK_ALIKE_TABLE[code];
            assert!(!phrases.is_empty(), "{code}");
            assert!(phrases.iter().all(|p| !p.words.is_empty()), "{code}");
        }
    }

    #[test]
    fn the_data_files_are_read() {
        assert!(VOCABULARY.entries.len() > 100);
        assert!(VOCABULARY_SYLLABLES.contains("khau"));
        assert_eq!(analyse("e-invoicing").tokens, analyse("e-invoices").tokens);
        assert_eq!(
            VOCABULARY.entries.get("quang ngai").map(|e| e.role),
            Some(Role::Filler)
        );
    }

    #[test]
    fn a_programme_name_names_no_thing_bought_and_a_system_with_its_purpose_does() {
        for programme in [
            "Dự án nâng cao năng lực UBND cấp xã tỉnh Trà Vinh năm 2025",
            "De an phat trien kinh te so tinh Binh Phuoc nam 2025",
            "Gói thầu số 07: Thuê dịch vụ phần mềm thuộc Dự án chuyển đổi số ngành y tế tỉnh Vĩnh Long",
            "Tourism recovery programme of Khanh Hoa Province 2025: IT component",
            // Software followed by whom or what it serves, not by what it does.
            "Gói thầu số 07: Thuê phần mềm phục vụ cải cách hành chính của Sở Nội vụ tỉnh Quảng Trị",
            // "Công" of "công tác" is not "cổng", nor "sản" of "sản phẩm" "sàn".
            "Gói thầu số 02: Thuê dịch vụ phần mềm phục vụ công tác thanh tra tỉnh Quảng Ngãi",
            // Nor without diacritics, where only "công tác" folds to "cong tac".
            "De an chuyen doi so cong tac dan toc tinh Lao Cai giai doan 2026-2030",
            // Software followed by who buys it, or for which school year.
            "Gói thầu số 01: Thuê phần mềm năm 2025 của Thanh tra tỉnh Bắc Giang",
            "Gói thầu số 01: Thuê dịch vụ phần mềm năm học 2025–2026 của Sở Giáo dục và Đào tạo",
            "Đề án phát triển sản phẩm OCOP tỉnh Quảng Ninh",
        ] {
            assert!(analyse(programme).names_a_programme(), "{programme}");
        }
        for product in [
            // A system followed by what it is for.
            "Goi thau: Phan he HIS quan ly dieu tri noi tru cua Benh vien Da khoa tinh Yen Bai",
            "Gói thầu số 06: Thuê hệ thống bán vé điện tử tại Khu di tích Côn Sơn",
            "Gói thầu số 07: Thuê phần mềm quản lý văn bản phục vụ cải cách hành chính",
            // A system, a function's verb and what it acts on.
            "Gói thầu số 02: Xây dựng Hệ thống quản lý công tác thanh tra tỉnh Bắc Kạn",
            // A portal, as typed and without diacritics.
            "Dự án Cổng thông tin du lịch thông minh tỉnh Quảng Ninh",
            "Du an cong thong tin du lich thong minh tinh Quang Ninh",
            // No document word: the title says what it does.
            "Triển khai bệnh án điện tử tại Bệnh viện Đa khoa tỉnh Hà Tĩnh",
            // Equipment, whatever the description goes on to list.
            "Gói thầu số 05: Mua sắm, lắp đặt thiết bị mạng LAN, wifi và máy tính cho Trung tâm Phục vụ hành chính công tỉnh Điện Biên năm 2026",
        ] {
            assert!(!analyse(product).names_a_programme(), "{product}");
        }
    }
}
