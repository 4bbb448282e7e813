//! ndp-registry: the API behind Vietnam's registry of national digital platforms.
//!
//! The crate is layered so that each part knows as little as it can. [`domain`] holds validated
//! types and controlled vocabularies and knows neither HTTP nor SQL. [`db`] owns the schema, the
//! embedded migrations, the connection pool (diesel-async over deadpool) and one module of queries
//! per table family; it returns row types. [`api`] is the only part that knows actix-web: thin
//! handlers, each documented by `#[utoipa::path]` and registered once in [`startup`], turn query
//! strings into domain types, call `db`, and turn rows into wire types. [`error`] maps every
//! failure to one RFC 9457 problem body. [`config`] reads the settings once into a value, and
//! [`seed`] loads the sourced sample data from `seeds/`. [`setup`] makes the configured database
//! answer, exist, be migrated and (for `serve`) hold data before a command uses it. [`retention`]
//! purges, hourly, the records that only matter for a while (receipts, webhook deliveries,
//! idempotency records).

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod local_postgres;
pub mod metrics;
pub mod openapi;
pub mod registry;
pub mod relevance;
pub mod retention;
pub mod seed;
pub mod setup;
pub mod startup;
pub mod tokens;
pub mod views;
pub mod webhooks;
