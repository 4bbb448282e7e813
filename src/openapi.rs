//! The OpenAPI document: its title, description and tags. Paths and schemas are collected from the
//! handlers when they are registered (see `startup::register`), so nothing here lists them.

pub mod conventions;

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{FieldError, Problem};

/// The static part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ndp-registry: Vietnam's registry of national digital platforms",
        description = "The national list of digital platforms (nền tảng số) that ministries deploy \
nationwide, as an API. Provinces check it before they procure a system, so that they use a national \
platform instead of buying a duplicate, and find whom to contact about it.\n\n\
* Reads are public and need no token. Writes need `Authorization: Bearer <JWT>` from \
`ndp-registry token issue`: a ministry token writes only its own ministry's platforms and contacts; \
a province token writes only its own province's adoption records and decisions on overlap checks; \
an operator token (scope `admin`) writes anything. In Swagger UI, press *Authorize* and paste the \
token.\n\
* Text is UTF-8, NFC-normalised; search is case- and diacritics-insensitive (`q=hoa don` finds \
\"Hóa đơn\").\n\
* Collections take `page` and `per_page` (at most 100) and answer `{items, page, per_page, total}` \
with an RFC 8288 `Link` header.\n\
* Single resources and pages carry an `ETag`; send it back in `If-None-Match` to get 304.\n\
* Every error is RFC 9457 `application/problem+json` with a stable `code` and, for invalid input, \
`errors: [{field, message}]`.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    tags(
        (name = "platforms", description = "National digital platforms, systems and databases."),
        (name = "overlap checks", description = "Before procurement: does a national platform already do this? Verdict, candidates, reasons and contacts, as a citable receipt."),
        (name = "changes", description = "The change feed: what a mirror replays, in commit order, to stay in sync."),
        (name = "provinces", description = "The 34 provinces and centrally-run cities (since 2025-07-01, with the provinces they absorbed) and their adoption of the national platforms."),
        (name = "ministries", description = "Ministries and agencies that own platforms, with the 2025 successions."),
        (name = "contacts", description = "Operating units' published contact channels."),
        (name = "lists", description = "Official editions of the list: dated legal documents."),
        (name = "vocabularies", description = "Controlled vocabularies with Vietnamese and English labels."),
        (name = "webhooks", description = "Signed POSTs of every change to subscribers, from a transactional outbox (operator)."),
        (name = "health", description = "Liveness and readiness probes."),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// Declares the bearer scheme that "Authorize" in Swagger UI fills in.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        scheme.description = Some(
            "A JWT from `ndp-registry token issue`. Scopes: `platforms:write`, `contacts:write` (ministry tokens), `adoptions:write`, `decisions:write` (province tokens), `admin`.".into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Writes the exact pattern of each rule-named string into the document.
///
/// The rules of `api::validate` (surrounding whitespace trimmed, no control characters, lengths
/// counted after trimming, URL, e-mail and telephone shapes) make regular expressions too long to
/// read in a `#[schema(pattern = ...)]` attribute, so an attribute names its rule instead, as
/// `pattern = "{line 2..300}"`, and this expands it. Rules: `{line MIN..MAX}` (text on one line),
/// `{lines MIN..MAX}` (line breaks and tabs allowed inside), either with `?` after the word when
/// a blank value counts as absent (`{line? 1..60}`); `{url}`, `{url?}`, `{email?}`, `{phone?}`,
/// `{ministry}`, `{agency-id?}`, `{agency-id-confidence?}`, `{digits? MIN..MAX}`.
pub fn expand_patterns(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::Operation;
    if let Some(components) = api.components.as_mut() {
        for schema in components.schemas.values_mut() {
            expand_in(schema);
        }
    }
    for item in api.paths.paths.values_mut() {
        let operations: [&mut Option<Operation>; 5] = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if let RefOr::T(parameter) = parameter
                    && let Some(schema) = parameter.schema.as_mut()
                {
                    expand_in(schema);
                }
            }
            if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
                for content in body.content.values_mut() {
                    if let RefOr::T(content) = content
                        && let Some(schema) = content.schema.as_mut()
                    {
                        expand_in(schema);
                    }
                }
            }
        }
    }
}

fn expand_in(schema: &mut utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ArrayItems, Schema};
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            if let Some(rule) = object.pattern.as_deref().and_then(rule_pattern) {
                object.pattern = Some(rule);
            }
            for property in object.properties.values_mut() {
                expand_in(property);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                expand_in(items);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(expand_in),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(expand_in),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(expand_in),
        _ => {}
    }
}

/// Characters `str::trim` removes: Unicode `White_Space`.
const SPACE: &str = r"[\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// Neither white space nor a control character: what a trimmed text starts and ends with.
const VISIBLE: &str = r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// Any character but a control character.
const NOT_CONTROL: &str = r"[^\x00-\x1F\x7F-\x9F]";
/// Any character but a control character other than tab, line feed and carriage return.
const NOT_CONTROL_MULTILINE: &str = r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]";

/// The regular expression of a rule name, `None` when `name` is not one.
pub fn rule_pattern(name: &str) -> Option<String> {
    let rule = name.strip_prefix('{')?.strip_suffix('}')?;
    let (word, bounds) = rule.split_once(' ').unwrap_or((rule, ""));
    let (word, optional) = match word.strip_suffix('?') {
        Some(word) => (word, true),
        None => (word, false),
    };
    let core = match word {
        "line" | "lines" => {
            let (min, max) = bounds.split_once("..")?;
            let (min, max): (usize, usize) = (min.parse().ok()?, max.parse().ok()?);
            let inner = if word == "line" {
                NOT_CONTROL
            } else {
                NOT_CONTROL_MULTILINE
            };
            match (min, max) {
                (1, 1) => VISIBLE.to_owned(),
                (1, max) if max >= 2 => {
                    format!("{VISIBLE}(?:{inner}{{0,{}}}{VISIBLE})?", max - 2)
                }
                (min, max) if 2 <= min && min <= max => {
                    format!("{VISIBLE}{inner}{{{},{}}}{VISIBLE}", min - 2, max - 2)
                }
                _ => return None,
            }
        }
        "url" => {
            let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
            let last = "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
            let octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
            let port = "(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)";
            format!(
                "https?://(?:(?:{label}\\.)*{last}|(?:{octet}\\.){{3}}{octet})(?::{port})?(?:[/?#]{VISIBLE}*)?"
            )
        }
        "email" => {
            let part = r"[^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
            let edge = r"[^.@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
            format!("{part}+@{edge}{part}*\\.{part}*{edge}")
        }
        "phone" => r"\+?[0-9](?:[ .()-]?[0-9]){5,14}".to_owned(),
        "ministry" => "[A-Za-z][A-Za-z0-9]{1,15}".to_owned(),
        "agency-id" => r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}".to_owned(),
        "agency-id-confidence" => "(?:confirmed|weak|inferred)".to_owned(),
        "digits" => {
            let (min, max) = bounds.split_once("..")?;
            let (min, max): (usize, usize) = (min.parse().ok()?, max.parse().ok()?);
            format!("[0-9]{{{min},{max}}}")
        }
        _ => return None,
    };
    Some(if optional {
        format!("^{SPACE}*(?:{core})?{SPACE}*$")
    } else {
        format!("^{SPACE}*{core}{SPACE}*$")
    })
}

/// The schema of a create's body: `T`, which also serves replacements (where the path names the
/// resource and `code` may be left out), copied with its `code` required and not nullable. A flat
/// object rather than an `allOf`, which client generators cannot merge.
pub fn with_code_required<T: utoipa::ToSchema>()
-> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        if !object.required.iter().any(|r| r == "code") {
            object.required.insert(0, "code".to_owned());
        }
        if let Some(RefOr::T(Schema::Object(code))) = object.properties.get_mut("code") {
            code.schema_type = SchemaType::Type(Type::String);
        }
    }
    schema
}

/// Declares `$name`, the documented body of a create: `$input` with `code` required.
macro_rules! create_body {
    ($(#[$meta:meta])* $name:ident, $input:ty) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::openapi::with_code_required::<$input>()
            }
        }

        impl utoipa::ToSchema for $name {
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                use utoipa::PartialSchema as _;
                schemas.push((<$input as utoipa::ToSchema>::name().into(), <$input>::schema()));
                <$input as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}
pub(crate) use create_body;

#[cfg(test)]
mod tests {
    use super::rule_pattern;

    #[test]
    fn rules_expand_and_anything_else_is_left_alone() {
        let line = rule_pattern("{line 2..300}").unwrap_or_default();
        assert!(line.starts_with('^') && line.ends_with('$') && line.contains("{0,298}"));
        let optional = rule_pattern("{line? 1..60}").unwrap_or_default();
        assert!(optional.contains(")?"), "{optional}");
        assert!(rule_pattern("{phone?}").is_some());
        assert_eq!(rule_pattern("^[a-z]$"), None);
        assert_eq!(rule_pattern("{nonsense}"), None);
        assert_eq!(rule_pattern("{line 5..2}"), None);
    }
}
