//! One-click decisions: the links a review request's email carries, opened
//! (which changes nothing: mail scanners open links) and confirmed as the
//! member's own decision.

use greenlight_domain::{
    canonical::Hash,
    permission::{Permission, Role},
    workflow::{Principal, Verdict},
};
use greenlight_store::{
    Tx, accounts,
    notifications::{self, DecisionLink},
    planning,
    posts::{self, Post},
    workflows,
};

use crate::{
    App, Caller,
    access::visible_post,
    accounts::secret_hash,
    error::{Error, Result},
    reviews::{self, DecisionRequest, ReviewView},
    share_links::INVALID,
};

/// What a one-click link's page shows.
#[derive(Debug)]
pub struct OneClick {
    pub post: crate::views::Post,
    /// The post's latest revision (what a decision is about now).
    pub revision: crate::views::Revision,
    pub channels: Vec<crate::views::Channel>,
    /// The revision the email showed.
    pub pinned: Hash,
    pub used: bool,
    /// The review still waits at the stage and round the email asked about.
    pub current: bool,
    /// The stage is approved by the verdict alone (no checklist to tick),
    /// so the link may approve; otherwise it only asks for changes.
    pub may_approve: bool,
}

impl OneClick {
    /// The post changed since the email: the link no longer decides.
    pub fn changed(&self) -> bool {
        self.revision.content_hash != self.pinned
    }
}

/// Whether the post's open review still runs the stage round the link was
/// sent for (`None` if not), and if so whether that stage is approved by
/// the verdict alone.
async fn asked(tx: &mut Tx, link: &DecisionLink) -> Result<Option<bool>> {
    let Some(open) = workflows::open_review(tx, link.post_id).await? else { return Ok(None) };
    let round = u32::try_from(link.round).unwrap_or(u32::MAX);
    if open.id != link.review_id || open.run.running(&link.stage_key, round).is_none() {
        return Ok(None);
    }
    let workflow = reviews::workflow_of(tx, &open).await?;
    Ok(Some(workflow.definition.stage(&link.stage_key).is_some_and(|s| s.approved_by_verdict_alone())))
}

/// The member the link was sent to, as a caller, if they may still see the post.
async fn link_caller(tx: &mut Tx, link: &DecisionLink) -> Result<(Caller, Role, Post)> {
    let is_admin = accounts::user(tx, link.user_id).await?.is_some_and(|u| u.is_admin);
    let caller = Caller::session(link.user_id, is_admin);
    let (role, post) = visible_post(tx, &caller, link.workspace_id, link.post_id).await.map_err(|e| match e {
        Error::NotFound(_) => INVALID,
        other => other,
    })?;
    Ok((caller, role, post))
}

/// A usable (unexpired) link; [`INVALID`] otherwise.
async fn usable_link(tx: &mut Tx, app: &App, token: &str) -> Result<DecisionLink> {
    match notifications::decision_link(tx, &secret_hash(token)).await? {
        Some(link) if app.now() < link.expires_at => Ok(link),
        _ => Err(INVALID),
    }
}

pub async fn open_decision_link(app: &App, token: &str) -> Result<OneClick> {
    let mut tx = app.db.read().await?;
    let link = usable_link(&mut tx, app, token).await?;
    let (_, _, post) = link_caller(&mut tx, &link).await?;
    let asked = asked(&mut tx, &link).await?;
    let revision = posts::latest_revision(&mut tx, post.id).await?.ok_or_else(|| Error::Internal("post without a revision".into()))?;
    let wanted: std::collections::BTreeSet<_> = post.channel_ids.iter().copied().collect();
    let channels =
        planning::channels(&mut tx, post.workspace_id).await?.into_iter().filter(|c| wanted.contains(&c.id)).map(Into::into).collect();
    Ok(OneClick {
        post: post.into(),
        revision: revision.into(),
        channels,
        pinned: link.revision,
        used: link.used_at.is_some(),
        current: asked.is_some(),
        may_approve: asked == Some(true),
    })
}

/// Decides through a one-click link: once, on the revision the email showed,
/// recorded as the member's own decision.
pub async fn use_decision_link(app: &App, token: &str, verdict: Verdict, comment: Option<String>) -> Result<ReviewView> {
    let mut tx = app.db.write().await?;
    let link = usable_link(&mut tx, app, token).await?;
    if link.used_at.is_some() {
        return Err(Error::conflict("err-link-decision-used", []));
    }
    let (caller, role, post) = link_caller(&mut tx, &link).await?;
    let Some(approvable) = asked(&mut tx, &link).await? else {
        return Err(Error::conflict("err-link-decision-not-waiting", []));
    };
    if !role.can(Permission::DecideReviews) {
        return Err(Error::forbidden("err-review-cannot-decide", [("role", role.to_string())]));
    }
    if verdict == Verdict::Approve && !approvable {
        return Err(Error::conflict("err-link-decision-checklist", []));
    }
    let current = posts::latest_revision(&mut tx, post.id).await?.map(|r| r.content_hash);
    if current != Some(link.revision) {
        return Err(Error::conflict("err-link-decision-post-changed", []));
    }
    let request = DecisionRequest { verdict, revision: link.revision, comment, checklist: Default::default(), lane: None, reason: None };
    let view = reviews::decide_open(&mut tx, app, &caller, post, Principal::User(link.user_id), request).await?;
    if !notifications::use_decision_link(&mut tx, link.id, app.now()).await? {
        return Err(Error::conflict("err-link-decision-used", []));
    }
    tx.commit().await?;
    Ok(view)
}
