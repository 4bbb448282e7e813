//! ndp-registry: the API behind Vietnam's registry of national digital platforms.
//!
//! The crate is layered, and dependencies point one way: `domain <- db <- views <- registry <- api
//! <- startup` (`tests/api/layers.rs` checks it). [`domain`] holds validated types and controlled
//! vocabularies and knows neither HTTP nor SQL. [`db`] owns the schema, the embedded migrations,
//! the pool (diesel-async over deadpool), the feed listener and one module of queries per table
//! family; it returns row types. [`views`] builds the wire representations from rows, for the API,
//! the change feed, webhooks and the seed alike. [`registry`] is what the registry does: the rules
//! of every write, change recording, search and the overlap judgement; each operation takes a
//! connection, the [`auth::Actor`] and validated input, and returns a view. [`auth`] holds token
//! claims, keys and what an actor may do. [`api`] is the only part that knows actix-web: handlers
//! extract, authorise, call `registry` and respond; [`startup`] wires them once. [`error`] holds
//! every problem code with its status and titles; [`metrics`] is a leaf. [`config`] reads the
//! settings once into a value, and [`seed`] loads the sourced sample data from `seeds/`. [`setup`]
//! makes the configured database answer, exist, be migrated and (for `serve`) hold data before a
//! command uses it. [`retention`] purges, hourly, the records that only matter for a while
//! (receipts, webhook deliveries, idempotency records).

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod local_postgres;
pub mod memory;
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
