//! Field rules shared by every write: text is NFC-normalised and trimmed, lengths are bounded,
//! control characters are refused, URLs are http(s). Each rule adds to a list of field errors so
//! that one answer names every problem of a body.

use crate::domain::normalize_text;
use crate::error::FieldError;

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

    /// An optional http(s) URL with a host, at most 500 characters.
    pub fn url(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        match url::Url::parse(value) {
            Ok(url)
                if matches!(url.scheme(), "http" | "https")
                    && url.host().is_some()
                    && value.len() <= 500 =>
            {
                Some(value.to_owned())
            }
            _ => {
                self.fail(
                    field,
                    "must be an http:// or https:// URL with a host, at most 500 characters",
                );
                None
            }
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

    /// An optional telephone number as published: digits with spaces, dots, dashes, parentheses
    /// and a leading +.
    pub fn phone(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        let digits = value.chars().filter(char::is_ascii_digit).count();
        let allowed = value
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " .()-".contains(c) || (i == 0 && c == '+'));
        let starts_with_digit = value
            .trim_start_matches('+')
            .starts_with(|c: char| c.is_ascii_digit());
        if allowed && starts_with_digit && (6..=20).contains(&digits) && value.len() <= 32 {
            Some(value.to_owned())
        } else {
            self.fail(field, "must be a telephone number of 6 to 20 digits, such as 024.62739677 or +84 24 6273 9677");
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
}
