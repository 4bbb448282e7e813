//! Province names as people write them. Since 2025-07-01 a province may be named by its code
//! (`HCM`), its current name (`Thành phố Hồ Chí Minh`), or the name of a former province it absorbed
//! (`Bình Dương`), with or without diacritics, in any case. All of them are compared in one folded
//! form.

use super::fold_for_search;

/// Folds a province name for comparison: lower case, no diacritics, "đ" as "d", punctuation and
/// dashes as single spaces, and without a leading "tỉnh", "thành phố" or "tp": so that
/// "Bà Rịa – Vũng Tàu", "ba ria-vung tau" and "Tỉnh Bà Rịa - Vũng Tàu" fold alike.
pub fn fold_province_name(raw: &str) -> String {
    let folded = fold_for_search(raw);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let rest = match words.as_slice() {
        ["tinh", rest @ ..] | ["thanh", "pho", rest @ ..] | ["tp", rest @ ..]
            if !rest.is_empty() =>
        {
            rest
        }
        all => all,
    };
    rest.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_with_or_without_diacritics_prefixes_and_dashes() {
        assert_eq!(fold_province_name("Bình Dương"), "binh duong");
        assert_eq!(fold_province_name("  BINH   duong "), "binh duong");
        assert_eq!(fold_province_name("Bà Rịa – Vũng Tàu"), "ba ria vung tau");
        assert_eq!(
            fold_province_name("Tỉnh Bà Rịa-Vũng Tàu"),
            "ba ria vung tau"
        );
        assert_eq!(fold_province_name("Thành phố Hồ Chí Minh"), "ho chi minh");
        assert_eq!(fold_province_name("TP. Hồ Chí Minh"), "ho chi minh");
        assert_eq!(fold_province_name("Đắk Lắk"), "dak lak");
        assert_eq!(fold_province_name("Tỉnh"), "tinh");
        assert_eq!(fold_province_name("—"), "");
    }
}
