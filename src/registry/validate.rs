//! Field rules shared by every write: text is NFC-normalised and trimmed, lengths are bounded,
//! control characters are refused, URLs are http(s). Each rule adds to a list of field errors so
//! that one answer names every problem of a body.

use chrono::{Datelike, NaiveDate};

use crate::domain::normalize_text;
use crate::error::FieldError;

/// What a date or instant outside [`date_in_range`] is told.
pub const DATE_RANGE_MESSAGE: &str = "must be between 0001-01-01 and 9999-12-31";

/// Whether a date (or an instant's date) lies in years 1 to 9999: what PostgreSQL's `date` and
/// `timestamptz` store (they stop at 4713 BC and 294276 AD) and what every client can read.
pub fn date_in_range(date: NaiveDate) -> bool {
    (1..=9999).contains(&date.year())
}

/// Collects field errors while a body is validated.
#[derive(Default)]
pub struct Checker {
    /// The errors found so far.
    pub errors: Vec<FieldError>,
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

    /// A required text of `min..=max` characters; `multiline` allows line breaks and tabs.
    pub fn text(
        &mut self,
        field: &str,
        value: &str,
        min: usize,
        max: usize,
        multiline: bool,
    ) -> String {
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
        min: usize,
        max: usize,
        multiline: bool,
    ) -> Option<String> {
        let value = value.map(normalize_text).filter(|v| !v.is_empty())?;
        Some(self.text(field, &value, min, max, multiline))
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
        if self.errors.is_empty() {
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
            c.text("name", "  Ho\u{0301}a đơn ", 2, 10, false),
            "Hóa đơn"
        );
        assert!(c.errors.is_empty());
        c.text("name", "x", 2, 10, false);
        c.text("name", "a\u{7}b", 2, 10, false);
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
}
