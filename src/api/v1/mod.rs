//! Version 1 of the public API, mounted at `/api/v1`.

pub mod contacts;
pub mod lists;
pub mod ministries;
pub mod platforms;
pub mod vocabularies;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every v1 handler; its `#[utoipa::path]` documentation is collected at the same time.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(ministries::list_ministries)
        .service(ministries::get_ministry)
        .service(platforms::list_platforms)
        .service(platforms::get_platform)
        .service(contacts::list_platform_contacts)
        .service(contacts::list_contacts)
        .service(lists::list_editions)
        .service(lists::get_edition)
        .service(vocabularies::get_vocabularies);
}
