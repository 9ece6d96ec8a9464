//! Email: what Greenlight writes to people, and the one-click decisions
//! review requests carry. Sending is the `Mailer`'s (SMTP, in the `notify`
//! crate); every message goes out through the job queue, so a mail server
//! that is down means retries with backoff, then a failed job on record —
//! never a silent loss.

use askama::Template;
use greenlight_domain::{
    Timestamp,
    audit::Chain,
    canonical::Hash,
    id::{PostId, ShareLinkId, UserId},
    names::Email,
    notify::Kind,
    permission::{Permission, Role},
    share,
    workflow::{Principal, Verdict},
};
use greenlight_store::{
    accounts,
    notifications::{self, DecisionLink, Notification},
    planning::{self, Channel},
    posts::{self, Post, Revision},
    share_links, workflows, workspaces,
};
use jiff::SignedDuration;
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller,
    accounts::{secret, secret_hash},
    audit::record,
    error::{Error, Result},
    posts::visible_post,
    reviews::{self, DecisionRequest, ReviewView},
    share_links::VISIT_PATH,
};

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Sends mail. An error is retried by the job queue.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &Mail) -> std::result::Result<(), String>;
}

/// How long a one-click decision link works.
pub const DECISION_LINK_DAYS: i64 = 7;
/// The path one-click decision links open; the token follows it.
pub const DECIDE_PATH: &str = "/d/";

struct Item {
    summary: String,
    workspace: String,
    post_url: Option<String>,
    approve_url: Option<String>,
    changes_url: Option<String>,
    excerpt: Option<String>,
}

/// A member's notifications, as one email.
struct Update {
    name: String,
    items: Vec<Item>,
    /// Whether any item carries one-click decision links.
    decides: bool,
}

/// An outside reviewer's invitation.
struct Invite {
    name: String,
    workspace: String,
    title: String,
    url: String,
    expires: String,
}

// Each message has a plain-text and an HTML body: two templates over one
// value (`m`).
#[derive(Template)]
#[template(path = "email/update.txt")]
struct UpdateText<'a> {
    m: &'a Update,
}

#[derive(Template)]
#[template(path = "email/update.html")]
struct UpdateHtml<'a> {
    m: &'a Update,
}

#[derive(Template)]
#[template(path = "email/invite.txt")]
struct InviteText<'a> {
    m: &'a Invite,
}

#[derive(Template)]
#[template(path = "email/invite.html")]
struct InviteHtml<'a> {
    m: &'a Invite,
}

fn render(t: &impl Template) -> Result<String> {
    t.render().map_err(Error::internal)
}

/// Sends a member everything whose email is due (a job): one notification
/// as itself, several as a digest.
pub async fn send_due(app: &App, user: UserId, due: Timestamp) -> Result<()> {
    let Some(mailer) = app.mailer.clone() else { return Ok(()) };
    let now = app.now().max(due);
    let mut tx = app.db.write().await?;
    let Some(person) = accounts::user(&mut tx, user).await? else { return Ok(()) };
    // Claimed, so a second worker sending this member's mail skips them.
    let pending = notifications::claim_email(&mut tx, user, now, app.now() - SignedDuration::from_mins(CLAIM_MINUTES)).await?;
    if pending.is_empty() {
        return Ok(()); // sent with an earlier email
    }
    let mut items = Vec::new();
    for n in &pending {
        items.push(item(&mut tx, app, n).await?);
    }
    tx.commit().await?;
    let subject = match pending.as_slice() {
        [one] => one.summary.clone(),
        many => format!("{} updates from Greenlight", many.len()),
    };
    let update = Update { name: person.name.clone(), decides: items.iter().any(|i| i.approve_url.is_some()), items };
    let mail = Mail {
        to: person.email.clone(),
        to_name: Some(person.name.clone()),
        subject,
        text: render(&UpdateText { m: &update })?,
        html: render(&UpdateHtml { m: &update })?,
    };
    let ids: Vec<_> = pending.iter().map(|n| n.id).collect();
    let sent = mailer.send(&mail).await;
    let mut tx = app.db.write().await?;
    match sent {
        Ok(()) => notifications::email_sent(&mut tx, &ids).await?,
        Err(_) => notifications::release_email(&mut tx, &ids).await?,
    }
    tx.commit().await?;
    sent.map_err(|e| Error::Internal(format!("sending email to {}: {e}", person.email).into()))
}

/// How long a sender's claim on a member's mail holds: one older than this
/// is a crashed sender's, and its mail is claimed again.
const CLAIM_MINUTES: i64 = 15;

/// One notification as an email shows it; a review request gets its
/// one-click decision links (if the review still waits for the member).
async fn item(tx: &mut greenlight_store::Tx, app: &App, n: &Notification) -> Result<Item> {
    let workspace = workspaces::workspace(tx, n.workspace_id).await?.map(|w| w.name).unwrap_or_default();
    let post_url = n.post_id.map(|p| app.post_url(n.workspace_id, p));
    let excerpt = n.data["excerpt"].as_str().or(n.data["comment"].as_str()).map(str::to_owned);
    let mut item = Item { summary: n.summary.clone(), workspace, post_url, approve_url: None, changes_url: None, excerpt };
    if let (Kind::ReviewRequested, Some(post)) = (n.kind, n.post_id)
        && let Some(token) = decision_link(tx, app, n.user_id, n.workspace_id, post).await?
    {
        let url = app.url(&format!("{DECIDE_PATH}{token}"));
        item.approve_url = Some(format!("{url}?verdict=approve"));
        item.changes_url = Some(format!("{url}?verdict=request_changes"));
    }
    Ok(item)
}

/// A fresh one-click link for the member on the post's open review, pinned
/// to its current revision; `None` if the review no longer waits for them.
async fn decision_link(
    tx: &mut greenlight_store::Tx,
    app: &App,
    user: UserId,
    ws: greenlight_domain::id::WorkspaceId,
    post: PostId,
) -> Result<Option<String>> {
    let Some(open) = workflows::open_review(tx, post).await? else { return Ok(None) };
    let workflow = reviews::workflow_of(tx, &open).await?;
    if !open.run.waiting_for(&workflow.definition).contains(&Principal::User(user)) {
        return Ok(None);
    }
    let Some(stage) = open.run.active_stage().map(|i| &open.run.stages[i]) else { return Ok(None) };
    let now = app.now();
    let token = secret();
    let link = DecisionLink {
        id: Uuid::now_v7(),
        user_id: user,
        workspace_id: ws,
        post_id: post,
        review_id: open.id,
        stage_key: stage.key.clone(),
        round: i64::from(stage.round),
        revision: *open.run.current_revision(),
        created_at: now,
        expires_at: now + SignedDuration::from_hours(24 * DECISION_LINK_DAYS),
        used_at: None,
    };
    notifications::insert_decision_link(tx, &link, &secret_hash(&token)).await?;
    Ok(Some(token))
}

/// What a one-click link's page shows.
#[derive(Debug)]
pub struct OneClick {
    pub post: Post,
    /// The post's latest revision (what a decision is about now).
    pub revision: Revision,
    pub channels: Vec<Channel>,
    /// The revision the email showed.
    pub pinned: Hash,
    pub used: bool,
    /// The review still waits at the stage and round the email asked about.
    pub current: bool,
}

impl OneClick {
    /// The post changed since the email: the link no longer decides.
    pub fn changed(&self) -> bool {
        self.revision.content_hash != self.pinned
    }
}

/// Whether the post's open review still runs the stage round the link was
/// sent for.
async fn still_asked(tx: &mut greenlight_store::Tx, link: &DecisionLink) -> Result<bool> {
    let Some(open) = workflows::open_review(tx, link.post_id).await? else { return Ok(false) };
    let round = u32::try_from(link.round).unwrap_or(u32::MAX);
    Ok(open.id == link.review_id && open.run.running(&link.stage_key, round).is_some())
}

/// The member the link was sent to, as a caller, if they may still see the post.
async fn link_caller(tx: &mut greenlight_store::Tx, link: &DecisionLink) -> Result<(Caller, Role, Post)> {
    let is_admin = accounts::user(tx, link.user_id).await?.is_some_and(|u| u.is_admin);
    let caller = Caller::session(link.user_id, is_admin);
    let (role, post) = visible_post(tx, &caller, link.workspace_id, link.post_id).await.map_err(|e| match e {
        Error::NotFound(_) => crate::share_links::INVALID,
        other => other,
    })?;
    Ok((caller, role, post))
}

/// A usable (unexpired) link; [`crate::share_links::INVALID`] otherwise.
async fn usable_link(tx: &mut greenlight_store::Tx, app: &App, token: &str) -> Result<DecisionLink> {
    match notifications::decision_link(tx, &secret_hash(token)).await? {
        Some(link) if app.now() < link.expires_at => Ok(link),
        _ => Err(crate::share_links::INVALID),
    }
}

pub async fn open_decision_link(app: &App, token: &str) -> Result<OneClick> {
    let mut tx = app.db.read().await?;
    let link = usable_link(&mut tx, app, token).await?;
    let (_, _, post) = link_caller(&mut tx, &link).await?;
    let current = still_asked(&mut tx, &link).await?;
    let revision = posts::latest_revision(&mut tx, post.id).await?.ok_or_else(|| Error::Internal("post without a revision".into()))?;
    let wanted: std::collections::BTreeSet<_> = post.channel_ids.iter().copied().collect();
    let channels = planning::channels(&mut tx, post.workspace_id).await?.into_iter().filter(|c| wanted.contains(&c.id)).collect();
    Ok(OneClick { post, revision, channels, pinned: link.revision, used: link.used_at.is_some(), current })
}

/// Decides through a one-click link: once, on the revision the email showed,
/// recorded as the member's own decision.
pub async fn use_decision_link(app: &App, token: &str, verdict: Verdict, comment: Option<String>) -> Result<ReviewView> {
    let mut tx = app.db.write().await?;
    let link = usable_link(&mut tx, app, token).await?;
    if link.used_at.is_some() {
        return Err(Error::Conflict("this link was already used: each works once".into()));
    }
    let (caller, role, post) = link_caller(&mut tx, &link).await?;
    if !still_asked(&mut tx, &link).await? {
        return Err(Error::Conflict("the review no longer waits for this decision; open Greenlight to see where it stands".into()));
    }
    if !role.can(Permission::DecideReviews) {
        return Err(Error::Forbidden(format!("a {role} cannot decide reviews")));
    }
    let current = posts::latest_revision(&mut tx, post.id).await?.map(|r| r.content_hash);
    if current != Some(link.revision) {
        return Err(Error::Conflict("the post changed since this email was sent; look at the new version".into()));
    }
    let request = DecisionRequest { verdict, revision: link.revision, comment, checklist: Default::default(), lane: None };
    let view = reviews::decide_open(&mut tx, app, &caller, post, Principal::User(link.user_id), request).await?;
    if !notifications::use_decision_link(&mut tx, link.id, app.now()).await? {
        return Err(Error::Conflict("this link was already used: each works once".into()));
    }
    tx.commit().await?;
    Ok(view)
}

/// How long a link made for a workflow lane's outside reviewer works.
pub const LANE_LINK_DAYS: i64 = 14;

/// The link for an outside reviewer a lane asks, made once per review round
/// (in the caller's transaction); its invitation goes out as a job.
pub async fn ensure_lane_link(
    tx: &mut greenlight_store::Tx,
    app: &App,
    post: &Post,
    review: greenlight_domain::id::ReviewId,
    stage: &str,
    round: u32,
    email: &Email,
) -> Result<()> {
    let round = i64::from(round);
    let now = app.now();
    if let Some(existing) = share_links::lane_link(tx, review, stage, round, email.as_str()).await? {
        // Expired while the round still waits: it works again and is sent
        // again. Revoked: a member meant it (they can share a new one).
        if existing.revoked_at.is_none() && existing.expires_at <= now {
            let until = now + SignedDuration::from_hours(24 * LANE_LINK_DAYS);
            share_links::set_expiry(tx, existing.id, until).await?;
            let data = json!({ "expires_at": until });
            record(
                tx,
                app,
                &Caller::system(),
                Chain::Workspace(post.workspace_id),
                "share_link.renewed",
                ("share_link", Some(existing.id.uuid())),
                data,
            )
            .await?;
            crate::jobs::enqueue(tx, app, &crate::jobs::Job::ExternalInvite { link: existing.id, at: now }, now).await?;
        }
        return Ok(());
    }
    let link = share_links::ShareLink {
        id: ShareLinkId::from_uuid(Uuid::now_v7()),
        workspace_id: post.workspace_id,
        scope: share::Scope::Posts { post_ids: [post.id].into() },
        capability: share::Capability::Approve,
        reviewer_name: None,
        reviewer_email: Some(email.as_str().to_owned()),
        has_password: false,
        lane: Some(share_links::LaneOfLink { review_id: review, stage_key: stage.to_owned(), round }),
        created_by: None,
        created_at: now,
        expires_at: now + SignedDuration::from_hours(24 * LANE_LINK_DAYS),
        revoked_at: None,
        revoked_by: None,
        last_used_at: None,
    };
    // The token is made when the invitation is sent, so none is ever stored.
    share_links::insert_link(tx, &link, &secret_hash(&secret()), None).await?;
    let data = json!({ "scope": link.scope, "capability": link.capability, "expires_at": link.expires_at,
        "reviewer_email": link.reviewer_email, "review": review, "stage": stage, "round": round });
    record(
        tx,
        app,
        &Caller::system(),
        Chain::Workspace(post.workspace_id),
        "share_link.created",
        ("share_link", Some(link.id.uuid())),
        data,
    )
    .await?;
    crate::jobs::enqueue(tx, app, &crate::jobs::Job::ExternalInvite { link: link.id, at: now }, now).await?;
    Ok(())
}

/// Sends an outside reviewer their link (a job): a fresh token, so a retry
/// after a lost message still sends a working one.
pub async fn invite_external(app: &App, id: ShareLinkId) -> Result<()> {
    let Some(mailer) = app.mailer.clone() else { return Ok(()) };
    let mut tx = app.db.write().await?;
    let Some((link, _)) = share_links::link_by_id(&mut tx, id).await? else { return Ok(()) };
    if !share::usable(link.expires_at, link.revoked_at, app.now()) {
        return Ok(());
    }
    let Some(to) = link.reviewer_email.clone() else { return Ok(()) };
    // One post by its title; several as what they are.
    let title = match &link.scope {
        share::Scope::Posts { post_ids } if post_ids.len() == 1 => match post_ids.iter().next() {
            Some(p) => posts::post(&mut tx, link.workspace_id, *p).await?.map(|p| p.title),
            None => None,
        },
        _ => None,
    }
    .unwrap_or_else(|| "the posts shared with you".to_owned());
    let workspace = workspaces::workspace(&mut tx, link.workspace_id).await?.map(|w| w.name).unwrap_or_default();
    let token = secret();
    share_links::set_token(&mut tx, id, &secret_hash(&token)).await?;
    let data = json!({ "to": to });
    record(&mut tx, app, &Caller::system(), Chain::Workspace(link.workspace_id), "share_link.sent", ("share_link", Some(id.uuid())), data)
        .await?;
    let url = app.url(&format!("{VISIT_PATH}{token}"));
    let invite = Invite {
        name: link.reviewer_name.clone().unwrap_or_else(|| "there".into()),
        workspace,
        title,
        url,
        expires: link.expires_at.strftime("%-d %b %Y").to_string(),
    };
    let mail = Mail {
        to: to.clone(),
        to_name: link.reviewer_name.clone(),
        subject: format!("{} asks for your review of “{}”", invite.workspace, invite.title),
        text: render(&InviteText { m: &invite })?,
        html: render(&InviteHtml { m: &invite })?,
    };
    // Committed before sending, so no transaction waits on the mail
    // server; if sending fails, the retry makes another token (this one
    // reached nobody).
    tx.commit().await?;
    mailer.send(&mail).await.map_err(|e| Error::Internal(format!("sending the review link to {to}: {e}").into()))
}
