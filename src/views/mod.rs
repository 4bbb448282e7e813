//! Wire representations: what the API sends for each resource, built from `db` rows. The API,
//! the change feed (each change's `state`), webhooks (which carry the feed's items) and the seed
//! loader all build them here, so a resource has one representation wherever it is read.

pub mod adoptions;
pub mod contacts;
pub mod decisions;
pub mod history;
pub mod ministries;
pub mod overlap;
pub mod platforms;
pub mod webhooks;
