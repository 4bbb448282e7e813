//! What the registry does, apart from how it is asked: the rules of every write (validation,
//! ownership, the active-agency check, change recording) and the judgements it makes. Each
//! operation takes a connection in the caller's transaction, the [`Actor`](crate::auth::Actor)
//! and validated input, and returns what the API sends. Nothing here knows HTTP: handlers in
//! `api` extract, authorise, call an operation and respond; the seed loader and the benchmarks
//! call the same operations, so a platform is created one way only.

pub mod adoptions;
pub mod bulk;
pub mod changes;
pub mod contacts;
pub mod decisions;
pub mod lists;
pub mod ministries;
pub mod overlap;
pub mod platforms;
pub mod search;
pub mod validate;
pub mod webhooks;
