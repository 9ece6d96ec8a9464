//! Recording events, reading history, and verifying the chains.

use greenlight_domain::{
    audit::{Break, Chain, Event, Verified, Verifier},
    evidence::{Evidence, Mismatch},
    id::{EventId, PostId, WorkspaceId},
    permission::Permission,
};
use greenlight_store::{Db, Tx, audit, posts, workflows};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{App, Caller, access, error::Result};

/// A workspace event to be looked at by a job of its own: events recorded
/// before the worker followed the histories, and one the follower could not
/// look at (retried with backoff). Its work (notifications, mail, chat)
/// stands above every use case that records events, so the type is
/// declared here and its [`crate::jobs::Job`] implementation lives with the
/// notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecorded {
    pub event: EventId,
}

/// Records one event in the caller's transaction.
pub async fn record(
    tx: &mut Tx,
    app: &App,
    caller: &Caller,
    chain: Chain,
    action: &str,
    subject: (&str, Option<Uuid>),
    data: serde_json::Value,
) -> Result<Event> {
    let actor = caller.actor();
    let event = audit::NewEvent { chain, at: app.now(), actor: &actor, action, subject_kind: subject.0, subject_id: subject.1, data };
    // Whom it concerns is worked out after it commits, by the worker that
    // follows every workspace's history (notifications::follow).
    Ok(audit::append(tx, event).await?)
}

/// A page of a workspace's history, oldest first, after sequence `after`.
pub async fn workspace_history(app: &App, caller: &Caller, ws: WorkspaceId, after: i64, limit: i64) -> Result<Vec<Event>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspaceHistory).await?;
    Ok(audit::chain_events(&mut tx, Chain::Workspace(ws), after, crate::checked_limit(limit)?).await?)
}

/// A page of the workspace's history newest first, before sequence number
/// `before` (none: from the latest).
pub async fn recent_workspace_history(app: &App, caller: &Caller, ws: WorkspaceId, before: Option<i64>, limit: i64) -> Result<Vec<Event>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspaceHistory).await?;
    Ok(audit::chain_events_newest(&mut tx, Chain::Workspace(ws), before.unwrap_or(i64::MAX), crate::checked_limit(limit)?).await?)
}

/// A page of one post's history.
pub async fn post_history(app: &App, caller: &Caller, ws: WorkspaceId, post: PostId, after: i64, limit: i64) -> Result<Vec<Event>> {
    let mut tx = app.db.read().await?;
    access::visible_post(&mut tx, caller, ws, post).await?;
    Ok(audit::subject_events(&mut tx, Chain::Workspace(ws), post.uuid(), after, crate::checked_limit(limit)?).await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    pub chain: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Revisions and reviews that disagree with the chain (checked once
    /// the chain itself verifies).
    pub mismatches: Vec<Mismatch>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Intact(Verified),
    Broken(Break),
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        matches!(self.outcome, Outcome::Intact(_)) && self.mismatches.is_empty()
    }
}

const PAGE: i64 = 1000;

/// Re-computes one chain from its first event, a page at a time; then, for
/// a workspace, every revision's hash and every review's decisions against
/// what the chain recorded of them. One snapshot throughout.
pub async fn verify_chain(db: &Db, chain: Chain) -> Result<ChainReport> {
    let mut tx = db.read().await?;
    let mut verifier = Verifier::new(chain);
    let mut evidence = Evidence::default();
    let mut after = 0;
    let outcome = loop {
        let page = audit::chain_events(&mut tx, chain, after, PAGE).await?;
        let Some(last) = page.last() else {
            let head = audit::head(&mut tx, chain).await?;
            break match verifier.finish(head) {
                Ok(v) => Outcome::Intact(v),
                Err(b) => Outcome::Broken(b),
            };
        };
        after = last.seq;
        if let Err(b) = page.iter().try_for_each(|e| verifier.push(e).map(|()| evidence.observe(e))) {
            break Outcome::Broken(b);
        }
    };
    let mismatches = match (chain, &outcome) {
        (Chain::Workspace(ws), Outcome::Intact(_)) => check_records(&mut tx, ws, &evidence).await?,
        _ => Vec::new(),
    };
    Ok(ChainReport { chain: chain.to_string(), outcome, mismatches })
}

/// Every revision and review of the workspace, compared with the evidence.
async fn check_records(tx: &mut Tx, ws: WorkspaceId, evidence: &Evidence) -> Result<Vec<Mismatch>> {
    let mut found = Vec::new();
    let mut after = Uuid::nil();
    loop {
        let page = posts::workspace_revisions(tx, ws, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id.uuid();
        found.extend(page.iter().filter_map(|r| evidence.check_revision(r.post_id.uuid(), r.number, r.content_hash, &r.content)));
    }
    let mut after = Uuid::nil();
    loop {
        let page = workflows::workspace_reviews(tx, ws, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id.uuid();
        for r in &page {
            found.extend(evidence.check_review(r.post_id.uuid(), r.id.uuid(), &r.run.decisions, &r.run.overrides));
        }
    }
    Ok(found)
}

/// Verifies every chain (the CLI and instance administrators).
pub async fn verify_all(db: &Db) -> Result<Vec<ChainReport>> {
    let chains = {
        let mut tx = db.read().await?;
        audit::chains(&mut tx).await?
    };
    let mut reports = Vec::with_capacity(chains.len());
    for chain in chains {
        reports.push(verify_chain(db, chain).await?);
    }
    Ok(reports)
}

/// Verifies one workspace's chain for its members who may read its history.
pub async fn verify_workspace(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<ChainReport> {
    {
        let mut tx = app.db.read().await?;
        access::require(&mut tx, caller, ws, Permission::ViewWorkspaceHistory).await?;
    }
    verify_chain(&app.db, Chain::Workspace(ws)).await
}

pub async fn verify_instance(app: &App, caller: &Caller) -> Result<Vec<ChainReport>> {
    caller.require_instance_admin()?;
    verify_all(&app.db).await
}
