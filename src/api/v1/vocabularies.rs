//! `GET /api/v1/vocabularies`: the controlled vocabularies with their labels.

use actix_web::{HttpRequest, HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::representation::json_with_etag;
use crate::domain::{
    AdoptionStatus, Audience, ContactRole, DecisionKind, Domain, MinistryKind, MinistryStatus,
    NdxpStatus, PlatformStatus, SourceConfidence, Vocabulary, VocabularyEntry,
};
use crate::error::ApiError;

/// Every controlled vocabulary the API accepts, with Vietnamese and English labels, so a client
/// can build its filters and forms without hard-coding them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Vocabularies {
    /// Values of a platform's `domains` and the `domain` filter.
    pub domains: Vec<VocabularyEntry>,
    /// Values of a platform's `audiences` and the `audience` filter.
    pub audiences: Vec<VocabularyEntry>,
    /// Values of a platform's `status`.
    pub platform_statuses: Vec<VocabularyEntry>,
    /// Values of a platform's `ndxp_status`.
    pub ndxp_statuses: Vec<VocabularyEntry>,
    /// Values of a platform's `confidence`.
    pub confidences: Vec<VocabularyEntry>,
    /// Values of a contact's `role`.
    pub contact_roles: Vec<VocabularyEntry>,
    /// Values of an agency's `kind`.
    pub ministry_kinds: Vec<VocabularyEntry>,
    /// Values of an agency's `status`.
    pub ministry_statuses: Vec<VocabularyEntry>,
    /// Values of a province's adoption record `status`.
    pub adoption_statuses: Vec<VocabularyEntry>,
    /// Values of a decision on an overlap check.
    pub decisions: Vec<VocabularyEntry>,
}

/// Lists the controlled vocabularies.
#[utoipa::path(
    tag = "vocabularies",
    responses(
        (status = 200, description = "The vocabularies.", body = Vocabularies,
         headers(("ETag" = String, description = "Tag of this representation"))),
        (status = 304, description = "Not modified since the `If-None-Match` tag."),
        (status = 429, description = "Too many requests without a bearer token from this address (`ANONYMOUS_REQUESTS_PER_MINUTE`); retry after the `Retry-After` delay, in seconds.",
         body = crate::error::Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds until this address may ask again."))),
    )
)]
#[get("/vocabularies")]
pub async fn get_vocabularies(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = Vocabularies {
        domains: Domain::entries(),
        audiences: Audience::entries(),
        platform_statuses: PlatformStatus::entries(),
        ndxp_statuses: NdxpStatus::entries(),
        confidences: SourceConfidence::entries(),
        contact_roles: ContactRole::entries(),
        ministry_kinds: MinistryKind::entries(),
        ministry_statuses: MinistryStatus::entries(),
        adoption_statuses: AdoptionStatus::entries(),
        decisions: DecisionKind::entries(),
    };
    json_with_etag(&req, &body)
}
