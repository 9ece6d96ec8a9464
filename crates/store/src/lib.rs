//! Greenlight's storage on SQLite or PostgreSQL.
//!
//! One portable SQL text per query (with `$n` placeholders, which both
//! backends accept) runs on whichever backend the URL names; the
//! [`sql!`] macro dispatches it. Every function takes a [`Tx`], so a change
//! and its audit event always commit together.

#[macro_use]
mod macros;
pub mod accounts;
pub mod analytics;
pub mod audit;
pub mod comments;
pub mod copy;
pub mod db;
mod error;
pub mod instance;
pub mod jobs;
pub mod media;
pub mod notifications;
pub mod planning;
pub mod posts;
pub mod preflight;
pub mod publications;
pub mod rate_limits;
pub mod share_links;
mod sqlite;
mod time;
pub mod webhooks;
pub mod workflows;
pub mod workspaces;

pub use db::{Db, StoreError, Tx};
pub use time::DbTime;
