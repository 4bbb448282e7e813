//! Field rules shared by every write: text is NFC-normalised and trimmed, lengths are bounded,
//! control characters are refused, URLs are http(s). Each rule adds to a list of field errors so
//! that one answer names every problem of a body.
//!
//! A text field's bounds are stated once, in its schema attribute (`pattern = "{line 2..300}"`):
//! the OpenAPI document expands that rule name into a regular expression (`crate::openapi`), and
//! validation reads the same rule with [`rule`].

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use chrono::{Datelike, NaiveDate};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayItems, Schema};

use crate::domain::normalize_text;
use crate::error::FieldError;

/// What a date or instant outside [`date_in_range`] is told.
pub const DATE_RANGE_MESSAGE: &str = "must be between 0001-01-01 and 9999-12-31";

/// Whether a date (or an instant's date) lies in years 1 to 9999: what PostgreSQL's `date` and
/// `timestamptz` store (they stop at 4713 BC and 294276 AD) and what every client can read.
pub fn date_in_range(date: NaiveDate) -> bool {
    (1..=9999).contains(&date.year())
}

/// The rule of a text field: its length bounds (in characters, after trimming) and whether line
/// breaks and tabs are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextRule {
    pub min: usize,
    pub max: usize,
    pub multiline: bool,
}

impl TextRule {
    /// Reads a rule name: `{line MIN..MAX}` or `{lines MIN..MAX}`, with `?` after the word when
    /// the field is optional.
    pub fn parse(name: &str) -> Option<TextRule> {
        let rule = name.strip_prefix('{')?.strip_suffix('}')?;
        let (word, bounds) = rule.split_once(' ')?;
        let multiline = match word.trim_end_matches('?') {
            "line" => false,
            "lines" => true,
            _ => return None,
        };
        let (min, max) = bounds.split_once("..")?;
        let (min, max) = (min.parse().ok()?, max.parse().ok()?);
        (1 <= min && min <= max).then_some(TextRule {
            min,
            max,
            multiline,
        })
    }
}

/// A schema type's property.
type Property = (TypeId, &'static str);

/// The rules read so far, by schema type and property.
static RULES: LazyLock<Mutex<HashMap<Property, Option<TextRule>>>> = LazyLock::new(Mutex::default);

/// The text rule that `T`'s schema states for `property` (of an array property, its items').
/// `None` when it states none, which [`Checker::text`] reports as a server error: every text a
/// write accepts has its rule on its schema.
pub fn rule<T: utoipa::PartialSchema + 'static>(property: &'static str) -> Option<TextRule> {
    let key = (TypeId::of::<T>(), property);
    if let Some(known) = RULES.lock().ok().and_then(|rules| rules.get(&key).copied()) {
        return known;
    }
    let found = match T::schema() {
        RefOr::T(Schema::Object(object)) => object
            .properties
            .get(property)
            .and_then(|schema| match schema {
                RefOr::T(Schema::Object(field)) => field.pattern.clone(),
                RefOr::T(Schema::Array(list)) => match &list.items {
                    ArrayItems::RefOrSchema(items) => match items.as_ref() {
                        RefOr::T(Schema::Object(item)) => item.pattern.clone(),
                        _ => None,
                    },
                    ArrayItems::False => None,
                },
                _ => None,
            })
            .and_then(|pattern| TextRule::parse(&pattern)),
        _ => None,
    };
    if let Ok(mut rules) = RULES.lock() {
        rules.insert(key, found);
    }
    found
}

/// Collects field errors while a body is validated.
#[derive(Default)]
pub struct Checker {
    /// The errors found so far.
    pub errors: Vec<FieldError>,
    /// Whether a field had no rule to check it by (a server error, not the client's).
    broken: bool,
}

impl Checker {
    /// Records an error.
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A date in [`date_in_range`].
    pub fn date(&mut self, field: &str, date: NaiveDate) {
        if !date_in_range(date) {
            self.fail(field, DATE_RANGE_MESSAGE);
        }
    }

    /// A required text following `rule` (see [`rule`]).
    pub fn text(&mut self, field: &str, value: &str, rule: Option<TextRule>) -> String {
        let Some(TextRule {
            min,
            max,
            multiline,
        }) = rule
        else {
            log::error!("no text rule is stated for {field}");
            self.broken = true;
            return normalize_text(value);
        };
        let text = normalize_text(value);
        let length = text.chars().count();
        if text
            .chars()
            .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t' | '\r')))
        {
            self.fail(field, "must not contain control characters");
        } else if length < min || length > max {
            self.fail(
                field,
                format!("must be {min} to {max} characters long (after trimming)"),
            );
        }
        text
    }

    /// An optional text: absent or blank is `None`.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        rule: Option<TextRule>,
    ) -> Option<String> {
        let value = value.map(normalize_text).filter(|v| !v.is_empty())?;
        Some(self.text(field, &value, rule))
    }

    /// An optional http(s) URL with a host, at most 500 characters: see [`is_http_url`].
    pub fn url(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        if is_http_url(value) && value.chars().count() <= 500 {
            Some(value.to_owned())
        } else {
            self.fail(
                field,
                "must be an http:// or https:// URL with a host name or IPv4 address, at most 500 characters",
            );
            None
        }
    }

    /// An optional e-mail address.
    pub fn email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        let valid = value.len() <= 254
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid {
            Some(value.to_owned())
        } else {
            self.fail(
                field,
                "must be an e-mail address such as hotro@example.gov.vn",
            );
            None
        }
    }

    /// An optional telephone number as published: an optional leading `+`, then 6 to 15 digits
    /// (E.164 has at most 15), two digits separated by at most one space, dot, dash or
    /// parenthesis.
    pub fn phone(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        let number = value.strip_prefix('+').unwrap_or(value);
        let mut digits = 0;
        let mut separators = 0;
        let mut shape = number.starts_with(|c: char| c.is_ascii_digit());
        for c in number.chars() {
            if c.is_ascii_digit() {
                digits += 1;
                separators = 0;
            } else if " .()-".contains(c) {
                separators += 1;
                shape &= separators == 1;
            } else {
                shape = false;
            }
        }
        shape &= separators == 0;
        if shape && (6..=15).contains(&digits) {
            Some(value.to_owned())
        } else {
            self.fail(field, "must be a telephone number of 6 to 15 digits, such as 024.62739677 or +84 24 6273 9677");
            None
        }
    }

    /// Ends validation: the errors as a 422, if any.
    pub fn finish(self) -> Result<(), crate::error::ApiError> {
        if self.broken {
            Err(crate::error::ApiError::internal(
                "a text field has no rule on its schema",
            ))
        } else if self.errors.is_empty() {
            Ok(())
        } else {
            Err(crate::error::ApiError::validation(self.errors))
        }
    }
}

/// Whether `value` is an absolute `http://` or `https://` URL (lower-case scheme) whose host is a
/// DNS name of letter-digit-hyphen labels, the last one starting with a letter, or a dotted IPv4
/// address; an optional port up to 65535; then a path, query or fragment without whitespace or
/// control characters. The OpenAPI document states the same rule as a pattern.
pub fn is_http_url(value: &str) -> bool {
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return false;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|p| {
        (1..=5).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && (p == "0" || !p.starts_with('0'))
            && p.parse::<u32>().is_ok_and(|n| n <= 65_535)
    });
    let tail_ok = !tail.chars().any(|c| c.is_whitespace() || c.is_control());
    port_ok && tail_ok && (is_ipv4(host) || is_dns_name(host)) && url::Url::parse(value).is_ok()
}

fn is_ipv4(host: &str) -> bool {
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| {
            (1..=3).contains(&o.len())
                && o.bytes().all(|b| b.is_ascii_digit())
                && (*o == "0" || !o.starts_with('0'))
                && o.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

fn is_dns_name(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_normalised_and_bounded() {
        let mut c = Checker::default();
        assert_eq!(
            c.text(
                "name",
                "  Ho\u{0301}a đơn ",
                TextRule::parse("{line 2..10}")
            ),
            "Hóa đơn"
        );
        assert!(c.errors.is_empty());
        c.text("name", "x", TextRule::parse("{line 2..10}"));
        c.text("name", "a\u{7}b", TextRule::parse("{line 2..10}"));
        assert_eq!(c.errors.len(), 2);
    }

    #[test]
    fn urls_emails_and_phones_are_checked() {
        let mut c = Checker::default();
        assert!(c.url("url", Some("https://dichvucong.gov.vn")).is_some());
        assert!(c.url("url", Some("javascript:alert(1)")).is_none());
        assert!(c.url("url", Some("ftp://x.vn")).is_none());
        assert!(c.email("email", Some("hotro@moj.gov.vn")).is_some());
        assert!(c.email("email", Some("not-an-email")).is_none());
        assert!(c.phone("phone", Some("024.62739677")).is_some());
        assert!(c.phone("phone", Some("call me")).is_none());
        assert_eq!(c.errors.len(), 4);
    }

    #[test]
    fn urls_have_a_host_name_or_an_ipv4_address() {
        for good in [
            "https://dichvucong.gov.vn",
            "http://127.0.0.1:8080/hook?x=1#top",
            "https://a-b.example.vn/đường-dẫn",
            "http://x.vn:65535",
        ] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "HTTPS://dichvucong.gov.vn",
            "https://dichvucong.gov.vn*",
            "https://example.123",
            "http://256.0.0.1",
            "http://01.2.3.4",
            "http://[::1]/",
            "http://user:pw@x.vn",
            "http://x.vn:65536",
            "http://x.vn:080",
            "https://-x.vn",
            "https://x.vn/a b",
            "https://",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn emails_and_phones_follow_the_documented_shapes() {
        let mut c = Checker::default();
        assert!(c.email("email", Some("a@.vn")).is_none());
        assert!(c.email("email", Some("a@b.vn.")).is_none());
        assert!(c.email("email", Some(" a@b.vn ")).is_some());
        assert!(c.phone("phone", Some("+84 24 6273 9677")).is_some());
        assert!(c.phone("phone", Some("024-3826.8888")).is_some());
        assert!(c.phone("phone", Some("024 - 3826 8888")).is_none());
        assert!(c.phone("phone", Some("0243826888.")).is_none());
        assert!(c.phone("phone", Some("1234567890123456")).is_none());
        assert!(c.phone("phone", Some("12345")).is_none());
    }

    #[test]
    fn a_text_rule_is_read_from_the_schema_that_states_it() {
        assert_eq!(
            TextRule::parse("{lines? 1..4000}"),
            Some(TextRule {
                min: 1,
                max: 4000,
                multiline: true
            })
        );
        for bad in [
            "{line 5..2}",
            "{url?}",
            "line 2..3",
            "{line 0..3}",
            "{line 2..x}",
        ] {
            assert_eq!(TextRule::parse(bad), None, "{bad}");
        }
        use crate::registry::platforms::PlatformInput;
        let name = rule::<PlatformInput>("name_vi");
        assert_eq!(
            name,
            Some(TextRule {
                min: 2,
                max: 300,
                multiline: false
            })
        );
        assert_eq!(
            rule::<PlatformInput>("name_vi"),
            name,
            "and again, from memory"
        );
        let item = rule::<crate::domain::PlatformProfile>("capabilities");
        assert_eq!(item.map(|r| (r.min, r.max)), Some((2, 150)), "array items");
        assert_eq!(rule::<PlatformInput>("domains"), None);
        let mut c = Checker::default();
        c.text("nowhere", "text", None);
        assert!(c.errors.is_empty());
        assert!(
            c.finish().is_err(),
            "a field without a rule is a server error"
        );
    }

    #[test]
    fn every_text_field_a_write_checks_has_its_rule_on_its_schema() {
        use crate::domain::PlatformProfile;
        use crate::registry::adoptions::AdoptionInput;
        use crate::registry::contacts::ContactInput;
        use crate::registry::decisions::DecisionRequest;
        use crate::registry::ministries::{MinistryInput, SuccessionRequest};
        use crate::registry::overlap::feedback::CandidateJudgement;
        use crate::registry::platforms::{LegalBasisInput, PlatformInput, TransferRequest};
        use crate::views::overlap::{OverlapCheckRequest, Requester};
        let rules = [
            (
                "AdoptionInput.local_system",
                rule::<AdoptionInput>("local_system"),
            ),
            ("AdoptionInput.note", rule::<AdoptionInput>("note")),
            (
                "CandidateJudgement.note",
                rule::<CandidateJudgement>("note"),
            ),
            ("ContactInput.name", rule::<ContactInput>("name")),
            ("ContactInput.unit", rule::<ContactInput>("unit")),
            ("ContactInput.notes", rule::<ContactInput>("notes")),
            ("ContactInput.source", rule::<ContactInput>("source")),
            (
                "DecisionRequest.justification",
                rule::<DecisionRequest>("justification"),
            ),
            ("LegalBasisInput.number", rule::<LegalBasisInput>("number")),
            ("MinistryInput.abbr_en", rule::<MinistryInput>("abbr_en")),
            ("MinistryInput.code_vi", rule::<MinistryInput>("code_vi")),
            ("MinistryInput.name_en", rule::<MinistryInput>("name_en")),
            ("MinistryInput.name_vi", rule::<MinistryInput>("name_vi")),
            ("MinistryInput.notes", rule::<MinistryInput>("notes")),
            (
                "OverlapCheckRequest.description",
                rule::<OverlapCheckRequest>("description"),
            ),
            (
                "OverlapCheckRequest.title",
                rule::<OverlapCheckRequest>("title"),
            ),
            (
                "PlatformInput.description",
                rule::<PlatformInput>("description"),
            ),
            ("PlatformInput.name_en", rule::<PlatformInput>("name_en")),
            ("PlatformInput.operator", rule::<PlatformInput>("operator")),
            (
                "PlatformInput.short_name",
                rule::<PlatformInput>("short_name"),
            ),
            ("PlatformInput.source", rule::<PlatformInput>("source")),
            (
                "PlatformProfile.aliases",
                rule::<PlatformProfile>("aliases"),
            ),
            (
                "PlatformProfile.capabilities_en",
                rule::<PlatformProfile>("capabilities_en"),
            ),
            (
                "PlatformProfile.province_action_note",
                rule::<PlatformProfile>("province_action_note"),
            ),
            ("PlatformProfile.source", rule::<PlatformProfile>("source")),
            ("PlatformProfile.users", rule::<PlatformProfile>("users")),
            ("Requester.province", rule::<Requester>("province")),
            ("Requester.unit", rule::<Requester>("unit")),
            (
                "SuccessionRequest.reason",
                rule::<SuccessionRequest>("reason"),
            ),
            ("TransferRequest.reason", rule::<TransferRequest>("reason")),
        ];
        let missing: Vec<&str> = rules
            .iter()
            .filter(|(_, rule)| rule.is_none())
            .map(|(field, _)| *field)
            .collect();
        assert!(missing.is_empty(), "no rule stated for {missing:?}");
    }
}
