//! Version 1 of the public API, mounted at `/api/v1`.

pub mod adoptions;
pub mod bulk;
pub mod catalogue;
pub mod changes;
pub mod contact_writes;
pub mod contacts;
pub mod decisions;
pub mod lists;
pub mod ministries;
pub mod ministry_writes;
pub mod overlap;
pub mod overlap_feedback;
pub mod platform_writes;
pub mod platforms;
pub mod provinces;
pub mod receipt_page;
pub mod vocabularies;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every v1 handler; its `#[utoipa::path]` documentation is collected at the same time.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(platforms::list_platforms)
        .service(platform_writes::create_platform)
        .service(catalogue::platform_facets)
        .service(catalogue::export_platforms)
        .service(platforms::get_platform)
        .service(platform_writes::replace_platform)
        .service(platform_writes::patch_platform)
        .service(platform_writes::retire_platform)
        .service(platform_writes::transfer_platform)
        .service(platforms::platform_history)
        .service(contacts::list_platform_contacts)
        .service(contact_writes::create_contact)
        .service(contacts::list_contacts)
        .service(contacts::get_contact)
        .service(contact_writes::patch_contact)
        .service(contact_writes::delete_contact)
        .service(ministries::list_ministries)
        .service(ministry_writes::create_ministry)
        .service(ministries::get_ministry)
        .service(ministry_writes::patch_ministry)
        .service(ministry_writes::record_succession)
        .service(bulk::sync_platforms)
        .service(lists::list_editions)
        .service(lists::get_edition)
        .service(lists::diff_editions)
        .service(lists::add_list_member)
        .service(lists::remove_list_member)
        .service(catalogue::stats)
        .service(changes::list_changes)
        .service(overlap::create_overlap_check)
        .service(overlap::get_overlap_check)
        .service(overlap_feedback::create_overlap_feedback)
        .service(webhooks::create_webhook)
        .service(webhooks::list_webhooks)
        .service(webhooks::delete_webhook)
        .service(webhooks::list_deliveries)
        .service(webhooks::redeliver)
        .service(vocabularies::get_vocabularies)
        .service(provinces::list_provinces)
        .service(provinces::get_province)
        .service(adoptions::list_province_adoptions)
        .service(adoptions::get_adoption)
        .service(adoptions::put_adoption)
        .service(adoptions::adoption_history)
        .service(adoptions::list_platform_adoptions)
        .service(adoptions::list_adoptions)
        .service(adoptions::adoption_matrix)
        .service(decisions::create_decision)
        .service(decisions::get_decision);
}
