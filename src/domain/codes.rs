//! Identifiers: parse, don't validate. A `PlatformCode` or `MinistryCode` that exists is valid.

use std::fmt;

/// A platform's stable, URL-safe slug: `[a-z0-9][a-z0-9-]{1,62}`, immutable once created.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PlatformCode(String);

impl PlatformCode {
    /// Parses a code, explaining what is wrong when it is not one.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bytes = raw.as_bytes();
        let valid = (2..=63).contains(&bytes.len())
            && matches!(bytes[0], b'a'..=b'z' | b'0'..=b'9')
            && bytes
                .iter()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(
                "must be 2 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit"
                    .into(),
            )
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlatformCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A ministry's ASCII code such as `BTC` or `BKHDT`, matched case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MinistryCode(String);

impl MinistryCode {
    /// Parses a code in any case into its canonical upper-case form.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let upper = raw.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let valid = (2..=16).contains(&bytes.len())
            && bytes[0].is_ascii_uppercase()
            && bytes
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if valid {
            Ok(Self(upper))
        } else {
            Err("must be 2 to 16 ASCII letters or digits, such as BTC or BKHDT".into())
        }
    }

    /// The canonical code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MinistryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_codes_follow_the_slug_rule() {
        assert!(PlatformCode::parse("vneid").is_ok());
        assert!(PlatformCode::parse("cong-dich-vu-cong-quoc-gia").is_ok());
        for bad in ["", "a", "-x", "VNeID", "a_b", "hóa-đơn", &"a".repeat(64)] {
            assert!(
                PlatformCode::parse(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn ministry_codes_are_case_insensitive() {
        assert_eq!(MinistryCode::parse("btc").unwrap().as_str(), "BTC");
        assert!(MinistryCode::parse("BKHĐT").is_err());
        assert!(MinistryCode::parse("B").is_err());
    }
}
