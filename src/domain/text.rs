//! Text rules: what is stored is NFC-normalised and trimmed (TCVN 6909:2001 asks for Unicode; NFC
//! keeps "ộ" one code point however it was typed).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// NFC-normalises and trims `input`. Text already in NFC (nearly all of it: what is stored was
/// normalised on the way in) is only trimmed: the matcher reads every candidate's text through
/// here, and composing it again was a tenth of a search's CPU time at 100,000 platforms.
pub fn normalize_text(input: &str) -> String {
    if is_nfc_quick(input.chars()) == IsNormalized::Yes {
        return input.trim().to_owned();
    }
    input.nfc().collect::<String>().trim().to_owned()
}

/// Folds text the way the database's `ndp_fold` does for search: lower case, no diacritics, "đ"
/// as "d". Used where Rust must compare with the folded search column.
///
/// Character by character: the canonical decomposition of each, without its combining marks, is
/// what the decomposition of the whole text leaves once its marks are dropped (reordering marks,
/// the one thing a whole-text decomposition adds, cannot matter when all of them go).
pub fn fold_for_search(input: &str) -> String {
    let mut folded = String::with_capacity(input.len());
    for c in input.chars() {
        if c.is_ascii() {
            folded.push(c.to_ascii_lowercase());
            continue;
        }
        decompose_canonical(c, |d| {
            if is_combining_mark(d) {
                return;
            }
            match d {
                'đ' | 'Đ' => folded.push('d'),
                other => folded.extend(other.to_lowercase()),
            }
        });
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_input_is_stored_composed_and_trimmed() {
        let decomposed = "  Co\u{302}\u{309}ng  ";
        assert_eq!(normalize_text(decomposed), "Cổng");
        assert_eq!(normalize_text("  Cổng\t"), "Cổng");
    }

    #[test]
    fn folding_removes_diacritics_and_d_with_stroke() {
        assert_eq!(fold_for_search("Hóa Đơn ĐIỆN TỬ"), "hoa don dien tu");
    }

    /// The folding of the whole text at once, as it was written before: the reference.
    fn folded_whole(input: &str) -> String {
        input
            .nfd()
            .filter(|c| !is_combining_mark(*c))
            .map(|c| match c {
                'đ' | 'Đ' => 'd',
                other => other,
            })
            .flat_map(char::to_lowercase)
            .collect()
    }

    #[test]
    fn folding_character_by_character_is_folding_the_whole_text() {
        // Every letter of Vietnamese in both cases and both forms, marks typed apart (and in an
        // unusual order), other scripts, and a lone mark.
        let mut samples: Vec<String> = vec![
            "Cơ sở dữ liệu quốc gia về dân cư; ĐĂNG KÝ Doanh nghiệp".into(),
            "Co\u{302}\u{309}ng Di\u{323}\u{302}ch vu\u{323}".into(),
            "Ǆemal İstanbul ǅ ß Σίσυφος 한국어 \u{301}abc".into(),
        ];
        samples.push(
            ('\u{00c0}'..='\u{024f}')
                .chain('\u{1e00}'..='\u{1eff}')
                .collect(),
        );
        samples.push(samples[3].nfd().collect());
        for s in &samples {
            assert_eq!(fold_for_search(s), folded_whole(s), "{s}");
        }
    }
}
