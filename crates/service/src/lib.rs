//! Greenlight's application services: every use case, with its
//! authorization and its audit event, in one transaction.
//!
//! The web and CLI layers translate requests into calls here and errors
//! from here into responses; no rule lives in them.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod blobs;
pub mod clock;
pub mod comments;
pub mod delegations;
pub mod demo;
pub mod error;
pub mod jobs;
pub mod media;
pub mod planning;
pub mod posts;
pub mod reviews;
pub mod share_links;
pub mod workflow_file;
pub mod workflows;
pub mod workspaces;

use std::{path::PathBuf, sync::Arc};

pub use access::{Caller, Via};
pub use error::{Error, Result};
use greenlight_store::Db;

/// Everything a use case needs: the database, the clock, and the blob store.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn clock::Clock>,
    pub blobs: Arc<dyn blobs::BlobStore>,
    pub settings: Arc<Settings>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where uploads are spooled before they are checked.
    pub scratch_dir: PathBuf,
    /// Largest accepted upload.
    pub max_upload_bytes: u64,
    /// How long a login lasts.
    pub session_days: i64,
}

/// Splits `limit + 1` fetched rows into a page of `limit` and the cursor of
/// the next page (the page's last id), if the extra row shows there is one.
pub(crate) fn page<T, K>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> K) -> (Vec<T>, Option<K>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(key);
    (rows, next)
}

impl App {
    pub fn now(&self) -> greenlight_domain::Timestamp {
        self.clock.now()
    }
}
