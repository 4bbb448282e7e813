//! The OpenAPI document: its title, description and tags. Paths and schemas are collected from the
//! handlers when they are registered (see `startup::register`), so nothing here lists them.

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
            "A JWT from `ndp-registry token issue`. Scopes: `platforms:write`, `contacts:write`, `admin`.".into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}
