//! The integration suite: every story runs on SQLite and on PostgreSQL.

// A test that unwraps fails loudly, which is what a test should do.
#![allow(clippy::unwrap_used)]

mod analytics;
mod app;
mod audit;
mod authz;
mod background;
mod browser;
mod cli;
mod comments;
mod harness;
mod input;
mod instances;
mod notifications;
mod openapi;
mod operations;
mod posts;
mod preflight;
mod publishing;
mod reviews;
mod schema;
mod share_links;
mod webhooks;

use rstest_reuse::template;

/// Runs a test once per backend.
#[template]
#[rstest::rstest]
#[case::sqlite(crate::harness::Backend::Sqlite)]
#[case::postgres(crate::harness::Backend::Postgres)]
#[tokio::test]
pub fn backends(#[case] backend: crate::harness::Backend) {}

#[test]
fn readme_shows_the_permission_matrix_from_the_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let matrix = greenlight_domain::permission::matrix_markdown();
    assert!(readme.contains(&matrix), "README.md must contain the permission matrix exactly as the code has it:\n{matrix}");
}
