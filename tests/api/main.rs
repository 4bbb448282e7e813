//! Integration tests: the real server on a free port, each test on its own PostgreSQL database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

mod auth;
mod cache;
mod catalogue;
mod cluster;
mod contacts;
mod database;
mod errors;
mod exports;
mod faults;
mod health;
mod helpers;
mod http;
mod layers;
mod limits;
mod lists;
mod ministries;
mod openapi;
mod overlap_checks;
mod platform_writes;
mod platforms;
mod provinces;
mod relevance;
mod reliability;
mod security;
mod sync;
mod webhooks;
