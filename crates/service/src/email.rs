//! Email to members: each notification as it comes, or gathered into a
//! digest, with one-click decision links on review requests.

use askama::Template;
use greenlight_domain::{
    Timestamp,
    id::{NotificationId, PostId, UserId, WorkspaceId},
    notification::Kind,
    workflow::Principal,
};
use greenlight_store::{
    Tx, accounts,
    notifications::{self, DecisionLink, Notification},
    workflows, workspaces,
};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App,
    accounts::{secret, secret_hash},
    error::{Error, Result},
    jobs::Job,
    mail::{Mail, render},
    reviews,
};

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

/// A member's email is due: everything pending for them by `due`, as one
/// message (a single notification, or a digest). Each notification has a
/// job of its own: the first to run sends all that is due, the others find
/// nothing left (a key per digest time could be taken by a job that already
/// ran).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendEmail {
    pub user: UserId,
    pub due: Timestamp,
    pub notification: NotificationId,
}

impl Job for SendEmail {
    const KIND: &'static str = "email";
    const QUEUE: &'static str = "notify";

    fn dedup_key(&self) -> String {
        format!("email:{}:{}", self.user, self.notification)
    }

    async fn run(&self, app: &App) -> Result<()> {
        send_due(app, self.user, self.due).await
    }

    async fn gave_up(&self, app: &App) -> Result<()> {
        let mut tx = app.db.write().await?;
        notifications::email_failed(&mut tx, self.user, self.due).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Sends a member everything whose email is due: one notification as
/// itself, several as a digest.
async fn send_due(app: &App, user: UserId, due: Timestamp) -> Result<()> {
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
    let update = Update { name: person.name.clone(), decides: items.iter().any(|i| i.changes_url.is_some()), items };
    let mail = greenlight_i18n::sync_scope(crate::mail::language(Some(&person)), || -> Result<Mail> {
        let subject = match pending.as_slice() {
            [one] => one.summary.clone(),
            many => greenlight_i18n::t1("email-updates-subject", "count", many.len()),
        };
        Ok(Mail {
            to: person.email.clone(),
            to_name: Some(person.name.clone()),
            subject,
            text: render(&UpdateText { m: &update })?,
            html: render(&UpdateHtml { m: &update })?,
        })
    })?;
    let ids: Vec<_> = pending.iter().map(|n| n.id).collect();
    let sent = crate::mail::send(app, mailer.as_ref(), &mail).await;
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
async fn item(tx: &mut Tx, app: &App, n: &Notification) -> Result<Item> {
    let workspace = workspaces::workspace(tx, n.workspace_id).await?.map(|w| w.name).unwrap_or_default();
    let post_url = n.post_id.map(|p| app.post_url(n.workspace_id, p));
    let excerpt = n.data["excerpt"].as_str().or(n.data["comment"].as_str()).map(str::to_owned);
    let mut item = Item { summary: n.summary.clone(), workspace, post_url, approve_url: None, changes_url: None, excerpt };
    if let (Kind::ReviewRequested, Some(post)) = (n.kind, n.post_id)
        && let Some((token, approvable)) = decision_link(tx, app, n.user_id, n.workspace_id, post).await?
    {
        let url = app.url(&format!("{DECIDE_PATH}{token}"));
        // A stage with a checklist to tick is approved in Greenlight, not by a link.
        item.approve_url = approvable.then(|| format!("{url}?verdict=approve"));
        item.changes_url = Some(format!("{url}?verdict=request_changes"));
    }
    Ok(item)
}

/// A fresh one-click link for the member on the post's open review, pinned
/// to its current revision, and whether its stage is approved by the verdict
/// alone; `None` if the review no longer waits for them.
async fn decision_link(tx: &mut Tx, app: &App, user: UserId, ws: WorkspaceId, post: PostId) -> Result<Option<(String, bool)>> {
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
    let approvable = workflow.definition.stage(&stage.key).is_some_and(|s| s.approved_by_verdict_alone());
    Ok(Some((token, approvable)))
}
