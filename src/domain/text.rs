//! Text rules: what is stored is NFC-normalised and trimmed (TCVN 6909:2001 asks for Unicode; NFC
//! keeps "ộ" one code point however it was typed).

use unicode_normalization::UnicodeNormalization;

/// NFC-normalises and trims `input`.
pub fn normalize_text(input: &str) -> String {
    input.nfc().collect::<String>().trim().to_owned()
}

/// Folds text the way the database's `ndp_fold` does for search: lower case, no diacritics, "đ"
/// as "d". Used where Rust must compare with the folded search column.
pub fn fold_for_search(input: &str) -> String {
    input
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_input_is_stored_composed_and_trimmed() {
        let decomposed = "  Co\u{302}\u{309}ng  ";
        assert_eq!(normalize_text(decomposed), "Cổng");
    }

    #[test]
    fn folding_removes_diacritics_and_d_with_stroke() {
        assert_eq!(fold_for_search("Hóa Đơn ĐIỆN TỬ"), "hoa don dien tu");
    }
}
