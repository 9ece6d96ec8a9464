//! Greenlight's domain: the pure types and rules everything else stands on.
//!
//! Nothing here does I/O, awaits, or reads the clock: the time is always an
//! argument. That keeps the rules (the post state machine, the canonical
//! content hash, the audit chain) testable without a database.

pub mod analytics;
pub mod audit;
pub mod canonical;
pub mod comment;
pub mod content;
pub mod diff;
pub mod evidence;
pub mod id;
pub mod names;
pub mod network;
pub mod notification;
pub mod permission;
pub mod post;
pub mod preflight;
pub mod publication;
pub mod schedule;
mod schema;
pub mod search;
pub mod share;
pub mod slots;
pub mod validation;
pub mod webhook;
pub mod workflow;

pub use jiff::Timestamp;
