//! Preflight for content being written: each channel's variant counted and
//! checked the way its network will (the rules are the domain's). Nothing
//! is stored; it answers while the writer types.

use std::collections::BTreeMap;

use greenlight_domain::{
    content::Content,
    id::{ChannelId, WorkspaceId},
    network::Network,
    permission::Permission,
    preflight::{self, Finding, PreflightError, Severity, TextReport},
    validation::Errors,
};
use greenlight_store::planning;
use serde::{Deserialize, Serialize};

use crate::{
    App, Caller, access,
    error::{Error, Result},
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreflightInput {
    /// The post's title (Pinterest shows it).
    #[serde(default)]
    pub title: Option<String>,
    pub content: Content,
    /// The channels to check it for.
    pub channel_ids: Vec<ChannelId>,
}

/// One channel's variant, as its network sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelReport {
    pub channel_id: ChannelId,
    /// When a saved revision's report was made; `null` when checked now.
    pub checked_at: Option<greenlight_domain::Timestamp>,
    #[serde(flatten)]
    pub report: TextReport,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreflightReport {
    pub channels: Vec<ChannelReport>,
    /// Findings that block submission.
    pub errors: usize,
    pub warnings: usize,
}

/// The most channels one check covers.
pub const MAX_CHANNELS: usize = 50;

/// The workspace's channels and their networks.
async fn networks(tx: &mut greenlight_store::Tx, ws: WorkspaceId) -> Result<BTreeMap<ChannelId, Network>> {
    let channels = planning::channels(tx, ws).await?;
    Ok(channels.into_iter().filter_map(|c| Network::parse(&c.network).map(|n| (c.id, n))).collect())
}

/// One channel's variant of `content`, checked (a Pinterest pin's title too).
fn channel_report(network: Network, content: &Content, channel: ChannelId, title: &str) -> Result<TextReport, PreflightError> {
    let mut report = preflight::check_text(network, content.effective(channel).text, None)?;
    if network == Network::Pinterest {
        report.findings.extend(preflight::pinterest::check_title(title));
    }
    Ok(report)
}

pub async fn check(app: &App, caller: &Caller, ws: WorkspaceId, input: PreflightInput) -> Result<PreflightReport> {
    let mut errors = Errors::new();
    if input.channel_ids.is_empty() {
        errors.add("channel_ids", "name at least one channel");
    } else if input.channel_ids.len() > MAX_CHANNELS {
        errors.add("channel_ids", format!("at most {MAX_CHANNELS} channels"));
    }
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewPosts).await?;
    let channels = networks(&mut tx, ws).await?;
    drop(tx);
    for (i, id) in input.channel_ids.iter().enumerate() {
        if !channels.contains_key(id) {
            errors.add(format!("channel_ids.{i}"), "no such channel in this workspace");
        }
    }
    errors.into_result()?;
    let mut out = Vec::new();
    for (i, id) in input.channel_ids.iter().enumerate() {
        let title = input.title.as_deref().unwrap_or_default();
        let report = channel_report(channels[id], &input.content, *id, title).map_err(|e| match e {
            PreflightError::TooLarge(_) => Error::field(&format!("content (channel_ids.{i})"), e.to_string()),
        })?;
        out.push(ChannelReport { channel_id: *id, checked_at: None, report });
    }
    Ok(PreflightReport::of(out))
}

impl PreflightReport {
    fn of(channels: Vec<ChannelReport>) -> Self {
        let count =
            |severity: Severity| channels.iter().flat_map(|c| &c.report.findings).filter(|f: &&Finding| f.severity == severity).count();
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        PreflightReport { channels, errors, warnings }
    }
}

/// Stores a saved revision's report for each of the post's channels, in
/// the save's transaction.
pub(crate) async fn store_for_revision(
    tx: &mut greenlight_store::Tx,
    post: &greenlight_store::posts::Post,
    revision: &greenlight_store::posts::Revision,
    now: greenlight_domain::Timestamp,
) -> Result<()> {
    let channels = networks(tx, post.workspace_id).await?;
    for id in &post.channel_ids {
        let Some(network) = channels.get(id) else { continue };
        // Content too large to check was refused when it was saved.
        if let Ok(report) = channel_report(*network, &revision.content, *id, &post.title) {
            greenlight_store::preflight::insert_report(tx, post.id, revision.number, *id, &report, now).await?;
        }
    }
    Ok(())
}

/// A saved revision's preflight: the report stored when it was saved, for
/// each of the post's channels (checked now for a channel added since).
pub async fn revision_report(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    post: greenlight_domain::id::PostId,
    number: i64,
) -> Result<PreflightReport> {
    let mut tx = app.db.read().await?;
    let (_, post) = crate::posts::visible_post(&mut tx, caller, ws, post).await?;
    let revision = greenlight_store::posts::revision(&mut tx, post.id, number).await?.ok_or(Error::NotFound("revision"))?;
    let stored: BTreeMap<ChannelId, (TextReport, greenlight_domain::Timestamp)> =
        greenlight_store::preflight::reports(&mut tx, post.id, number).await?.into_iter().map(|(c, r, at)| (c, (r, at))).collect();
    let channels = networks(&mut tx, ws).await?;
    let mut out = Vec::new();
    for id in &post.channel_ids {
        match (stored.get(id), channels.get(id)) {
            (Some((report, at)), _) => out.push(ChannelReport { channel_id: *id, checked_at: Some(*at), report: report.clone() }),
            (None, Some(network)) => {
                if let Ok(report) = channel_report(*network, &revision.content, *id, &post.title) {
                    out.push(ChannelReport { channel_id: *id, checked_at: None, report });
                }
            }
            (None, None) => {}
        }
    }
    Ok(PreflightReport::of(out))
}

/// Preflight's verdict on content submitted for review: blocking findings
/// refuse the submission, unless someone who may override reviews gives a
/// reason (recorded with the review's start); warnings travel with it.
/// Answers what the audit event records.
pub(crate) async fn gate_submission(
    tx: &mut greenlight_store::Tx,
    role: greenlight_domain::permission::Role,
    post: &greenlight_store::posts::Post,
    content: &Content,
    override_reason: Option<&str>,
) -> Result<serde_json::Value> {
    let channels = networks(tx, post.workspace_id).await?;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for id in &post.channel_ids {
        let Some(network) = channels.get(id).copied() else { continue };
        let findings = match channel_report(network, content, *id, &post.title) {
            Ok(report) => report.findings,
            Err(e) => {
                vec![Finding { rule: format!("{}.size", network.as_str()), severity: Severity::Error, message: e.to_string(), span: None }]
            }
        };
        for f in findings {
            let entry = serde_json::json!({ "channel_id": id, "rule": f.rule, "message": f.message, "span": f.span });
            match f.severity {
                Severity::Error => errors.push((*id, f, entry)),
                Severity::Warning => warnings.push(entry),
            }
        }
    }
    let overridden = match (errors.is_empty(), override_reason.map(str::trim).filter(|r| !r.is_empty())) {
        (true, _) => None,
        (false, Some(reason)) if role.can(Permission::OverrideReviews) => {
            Some(reason.chars().take(crate::reviews::MAX_COMMENT_CHARS).collect::<String>())
        }
        (false, Some(_)) => return Err(Error::Forbidden(format!("a {role} cannot override preflight findings"))),
        (false, None) => {
            let fields = errors
                .iter()
                .map(|(id, f, _)| greenlight_domain::validation::FieldError::new(format!("preflight.{id}.{}", f.rule), f.message.clone()))
                .collect();
            return Err(Error::Invalid(fields));
        }
    };
    let overridden_findings: Vec<_> = errors.into_iter().map(|(_, _, entry)| entry).collect();
    Ok(serde_json::json!({
        "warnings": warnings,
        "overridden": overridden.map(|reason| serde_json::json!({ "reason": reason, "findings": overridden_findings })),
    }))
}
