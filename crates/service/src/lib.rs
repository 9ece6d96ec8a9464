//! Greenlight's application services: every use case, with its
//! authorization and its audit event, in one transaction.
//!
//! The web and CLI layers translate requests into calls here and errors
//! from here into responses; no rule lives in them.

pub mod access;
pub mod accounts;
pub mod analytics;
pub mod audit;
pub mod audit_export;
pub mod backup;
pub mod blobs;
pub mod calendar;
pub mod channel_auth;
pub mod checkpoints;
pub mod clock;
pub mod comments;
pub mod copy;
pub mod decision_links;
pub mod delegations;
pub mod demo;
pub mod email;
pub mod error;
pub mod invites;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod media;
pub mod metrics;
pub mod notifications;
pub mod planning;
pub mod posts;
pub mod preflight;
pub mod publishing;
pub mod reviews;
pub mod routing;
pub mod share_links;
pub mod views;
pub mod webhooks;
pub mod weekly_report;
pub mod worker;
pub mod workflow_file;
pub mod workflows;
pub mod workspaces;

use crate::error::AddWords as _;
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
    /// How email goes out; `None` when no mail server is configured (then
    /// nobody is emailed, and notifications stay in the app).
    pub mailer: Option<Arc<dyn mail::Mailer>>,
    /// How webhook deliveries are sent.
    pub webhooks: Arc<dyn webhooks::WebhookSender>,
    /// How links are checked for reachability (when a workspace asks).
    pub links: Arc<dyn preflight::LinkProbe>,
    /// Compiled style guides, so a check does not compile them again.
    pub guides: Arc<preflight::GuideCache>,
    /// Seals channels' credentials at rest.
    pub vault: Arc<publishing::Vault>,
    /// How each network is published to.
    pub connectors: Arc<publishing::Connectors>,
    /// Signs the audit chains' checkpoints.
    pub checkpoints: Arc<checkpoints::Signer>,
    /// What `/metrics` shows.
    pub metrics: Arc<metrics::Metrics>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where uploads are spooled before they are checked.
    pub scratch_dir: PathBuf,
    /// Largest accepted upload.
    pub max_upload_bytes: u64,
    /// How long a login lasts.
    pub session_days: i64,
    /// Greenlight's address as people reach it, for links in email.
    pub public_url: String,
    /// Let webhooks call private and local addresses (local testing only).
    pub allow_private_webhooks: bool,
    /// Let channels publish to private and local addresses (tests only).
    pub allow_private_publishing: bool,
}

/// A list's page size when the caller names none, and the most they may ask for.
pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

/// The page size asked for, checked (the default when none is named).
pub(crate) fn page_limit(errors: &mut greenlight_domain::validation::Errors, limit: Option<i64>) -> i64 {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.add_words("limit", "err-ws-page-limit", [("max", MAX_PAGE.to_string())]);
    }
    limit
}

/// The page size asked for where a list names its own default: out of
/// range is refused (422), as every list does.
pub(crate) fn checked_limit(limit: i64) -> Result<i64> {
    let mut errors = greenlight_domain::validation::Errors::default();
    let limit = page_limit(&mut errors, Some(limit));
    errors.into_result()?;
    Ok(limit)
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

/// A period of whole days in a workspace's zone, `from` to `to` inclusive,
/// and the instants it spans, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
    pub start: greenlight_domain::Timestamp,
    pub end: greenlight_domain::Timestamp,
}

/// The days a request names, checked; either may be left out.
pub(crate) type AskedDays = (Option<jiff::civil::Date>, Option<jiff::civil::Date>);

impl Days {
    /// Reads `from` and `to` (`YYYY-MM-DD`), every problem at once.
    pub(crate) fn parse(from: Option<&str>, to: Option<&str>) -> Result<AskedDays> {
        let mut errors = greenlight_domain::validation::Errors::default();
        let to = to.and_then(|t| errors.check("to", greenlight_domain::schedule::parse_day(t)));
        let from = from.and_then(|t| errors.check("from", greenlight_domain::schedule::parse_day(t)));
        errors.into_result()?;
        Ok((from, to))
    }

    /// The days asked for in `zone`; what is left out: up to today, and
    /// `default_days` long.
    pub(crate) fn in_zone(
        (from, to): AskedDays,
        zone: &jiff::tz::TimeZone,
        now: greenlight_domain::Timestamp,
        default_days: i64,
    ) -> Result<Days> {
        let to = to.unwrap_or_else(|| now.to_zoned(zone.clone()).date());
        let from = from.unwrap_or_else(|| to.saturating_sub(jiff::Span::new().days(default_days - 1)));
        if from > to {
            return Err(Error::field_said("to", "err-audit-to-before-from", []));
        }
        Days::between(from, to, zone)
    }

    fn between(from: jiff::civil::Date, to: jiff::civil::Date, zone: &jiff::tz::TimeZone) -> Result<Days> {
        let start = |d: jiff::civil::Date| d.to_zoned(zone.clone()).map(|z| z.timestamp()).map_err(|e| Error::field("from", e.to_string()));
        let after = to.tomorrow().map_err(|e| Error::field("to", e.to_string()))?;
        Ok(Days { from, to, start: start(from)?, end: start(after)? })
    }

    /// As many days, just before.
    pub fn previous(&self, zone: &jiff::tz::TimeZone) -> Result<Days> {
        let length = self.from.until(self.to).map_err(Error::internal)?.get_days() + 1;
        let to = self.from.yesterday().map_err(|e| Error::field("from", e.to_string()))?;
        Days::between(to.saturating_sub(jiff::Span::new().days(length - 1)), to, zone)
    }
}

impl App {
    pub fn now(&self) -> greenlight_domain::Timestamp {
        self.clock.now()
    }

    /// An absolute link to `path` (which starts with `/`), for messages.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url.trim_end_matches('/'))
    }

    /// Where people open a post (the web app's page for it).
    pub fn post_url(&self, ws: greenlight_domain::id::WorkspaceId, post: greenlight_domain::id::PostId) -> String {
        self.url(&format!("/w/{ws}/posts/{post}"))
    }
}
