//! Query-string parsing that names the parameter at fault: unknown, repeated and malformed
//! parameters are 400 problems, never silently ignored (a typo must not look like an empty result).

use std::collections::HashSet;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;
use utoipa::openapi::path::ParameterIn;

use crate::error::{ApiError, FieldError};

/// The largest `per_page`.
pub const MAX_PER_PAGE: u32 = 100;
/// The `per_page` used when none is given.
pub const DEFAULT_PER_PAGE: u32 = 20;
const MAX_PAGE: u32 = 1_000_000;

/// Which page of a collection to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The page number, from 1.
    #[param(minimum = 1, maximum = 1000000, example = 1)]
    page: Option<u32>,
    /// Items per page, from 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    per_page: Option<u32>,
}

/// A validated page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// The page number, from 1.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
}

impl Page {
    /// The SQL LIMIT.
    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    /// The SQL OFFSET.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

impl PageParams {
    fn validate(&self, errors: &mut Vec<FieldError>) -> Page {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PAGE).contains(&page) {
            errors.push(FieldError::new(
                "page",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.push(FieldError::new(
                "per_page",
                format!("must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        Page { page, per_page }
    }
}

/// The query of a collection read: a page and the collection's filters `F`.
#[derive(Debug)]
pub struct ListQuery<F> {
    /// The requested page.
    pub page: Page,
    /// The collection's filters, parsed but not yet checked against the database.
    pub filter: F,
}

impl<F: DeserializeOwned + IntoParams> FromRequest for ListQuery<F> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_list_query(req.query_string()))
    }
}

/// The filters of a view that is not paginated (facets): the same parsing, no page parameters.
#[derive(Debug)]
pub struct Filters<F>(pub F);

impl<F: DeserializeOwned + IntoParams> FromRequest for Filters<F> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = req.query_string();
        let mut errors = check_names(query, &param_names::<F>());
        let filter: Option<F> = deserialize(query, &mut errors);
        ready(match filter {
            Some(filter) if errors.is_empty() => Ok(Self(filter)),
            _ => Err(ApiError::invalid_parameters(errors)),
        })
    }
}

/// The filters `F` of a view with extra parameters `E` of its own (an export's `format`).
#[derive(Debug)]
pub struct FiltersWith<F, E>(pub F, pub E);

impl<F: DeserializeOwned + IntoParams, E: DeserializeOwned + IntoParams> FromRequest
    for FiltersWith<F, E>
{
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = req.query_string();
        let mut allowed = param_names::<F>();
        allowed.extend(param_names::<E>());
        let mut errors = check_names(query, &allowed);
        let filter: Option<F> = deserialize(query, &mut errors);
        let extra: Option<E> = deserialize(query, &mut errors);
        ready(match (filter, extra) {
            (Some(filter), Some(extra)) if errors.is_empty() => Ok(Self(filter, extra)),
            _ => Err(ApiError::invalid_parameters(errors)),
        })
    }
}

/// Parses a collection query string.
pub fn parse_list_query<F: DeserializeOwned + IntoParams>(
    query: &str,
) -> Result<ListQuery<F>, ApiError> {
    let mut allowed = param_names::<PageParams>();
    allowed.extend(param_names::<F>());
    let mut errors = check_names(query, &allowed);
    let page_params: Option<PageParams> = deserialize(query, &mut errors);
    let filter: Option<F> = deserialize(query, &mut errors);
    let page = page_params.map(|p| p.validate(&mut errors));
    match (page, filter) {
        (Some(page), Some(filter)) if errors.is_empty() => Ok(ListQuery { page, filter }),
        _ => Err(ApiError::invalid_parameters(errors)),
    }
}

fn param_names<T: IntoParams>() -> Vec<String> {
    T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .map(|p| p.name)
        .collect()
}

fn check_names(query: &str, allowed: &[String]) -> Vec<FieldError> {
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    for (name, _) in form_pairs(query) {
        if !allowed.contains(&name) {
            errors.push(FieldError::new(
                name.clone(),
                format!(
                    "is not a parameter of this endpoint; expected one of: {}",
                    allowed.join(", ")
                ),
            ));
        } else if !seen.insert(name.clone()) {
            errors.push(FieldError::new(name, "is given more than once"));
        }
    }
    errors
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}

fn deserialize<T: DeserializeOwned>(query: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    // Only the first occurrence of a name counts; repeats are reported by `check_names`.
    let mut seen = HashSet::new();
    let pairs: Vec<(String, String)> = form_pairs(query)
        .into_iter()
        .filter(|(name, _)| seen.insert(name.clone()))
        .collect();
    let encoded = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    match serde_path_to_error::deserialize(deserializer) {
        Ok(value) => Some(value),
        Err(error) => {
            let field = error.path().to_string();
            let message = plain_message(&error.into_inner().to_string());
            if !errors.iter().any(|e| e.field == field) {
                errors.push(FieldError::new(field, message));
            }
            None
        }
    }
}

/// serde's messages, reworded for people who type query strings.
fn plain_message(serde_message: &str) -> String {
    if let Some(rest) = serde_message.strip_prefix("unknown variant ")
        && let Some((value, expected)) = rest.split_once(", expected one of ")
    {
        return format!("{value} is not one of {expected}");
    }
    let integer_errors = [
        "invalid digit",
        "cannot parse integer",
        "number too large",
        "number too small",
    ];
    if integer_errors.iter().any(|e| serde_message.starts_with(e)) {
        return "must be a whole number".into();
    }
    let time_errors = [
        "input contains invalid",
        "premature end",
        "input is out of range",
        "trailing input",
        "input is not enough",
    ];
    if time_errors.iter().any(|e| serde_message.starts_with(e)) {
        return "must be an RFC 3339 timestamp such as 2025-03-01T00:00:00Z".into();
    }
    serde_message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_are_reworded() {
        assert_eq!(
            plain_message("unknown variant `bogus`, expected one of `a`, `b`"),
            "`bogus` is not one of `a`, `b`"
        );
        assert_eq!(
            plain_message("invalid digit found in string"),
            "must be a whole number"
        );
        assert!(plain_message("input contains invalid characters").contains("RFC 3339"));
    }
}
