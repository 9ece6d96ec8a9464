//! Outside reviewers' invitations: the approve link a workflow lane makes
//! for someone without an account, and the email that carries it (a link a
//! member shares for approval is sent the same way).

use askama::Template;
use greenlight_domain::{
    audit::Chain,
    id::ShareLinkId,
    names::Email,
    share,
    workflow::{Definition, Principal},
};
use greenlight_store::{Tx, accounts, posts, share_links, workflows::ReviewRecord, workspaces};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller,
    accounts::{secret, secret_hash},
    audit::record,
    error::{Error, Result},
    jobs::{self, Job},
    mail::{Mail, render},
};

/// Where share links' pages are served; the token follows.
pub const VISIT_PATH: &str = "/s/";

/// Send an approve link to its reviewer (a lane's outside reviewer, or a
/// link a member made or reissued), with a fresh token; `at` tells one
/// sending from the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendInvite {
    pub link: ShareLinkId,
    pub at: greenlight_domain::Timestamp,
}

impl Job for SendInvite {
    const KIND: &'static str = "external_invite";
    const QUEUE: &'static str = "notify";

    fn dedup_key(&self) -> String {
        format!("external-invite:{}:{}", self.link, self.at)
    }

    async fn run(&self, app: &App) -> Result<()> {
        invite_external(app, self.link).await
    }
}

/// An outside reviewer's invitation. Its words are written when it is
/// rendered, in the language of the rendering's scope.
struct Invite {
    name: Option<String>,
    workspace: String,
    /// The post's title, when the link shares one post.
    title: Option<String>,
    url: String,
    /// When the link stops working, in UTC.
    expires: jiff::civil::DateTime,
}

impl Invite {
    /// "Hello Ann," or, without a name, "Hello there,".
    fn greeting(&self) -> String {
        match &self.name {
            Some(name) => greenlight_i18n::t1("email-hello", "name", name),
            None => greenlight_i18n::t("email-hello-there"),
        }
    }

    /// The post by its title; several as what they are.
    fn title(&self) -> String {
        self.title.clone().unwrap_or_else(|| greenlight_i18n::t("email-invite-shared-posts"))
    }

    fn expires(&self) -> String {
        greenlight_i18n::date(self.expires, greenlight_i18n::DateStyle::DayShortMonthYear)
    }

    fn subject(&self) -> String {
        greenlight_i18n::t2("email-invite-subject", "workspace", &self.workspace, "title", self.title())
    }
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

/// Makes (or renews, when it expired while the round still waits) the link
/// of every outside reviewer the review's running stage asks, in the
/// caller's transaction.
pub async fn ask_outside_reviewers(tx: &mut Tx, app: &App, review: &ReviewRecord, def: &Definition) -> Result<()> {
    let Some(stage) = review.run.active_stage().map(|i| &review.run.stages[i]) else { return Ok(()) };
    for principal in review.run.waiting_for(def) {
        // Someone asked from the share menu has the link made there.
        if review.run.added.iter().any(|a| a.asked == principal) {
            continue;
        }
        if let Principal::External(email) = principal {
            ensure_lane_link(tx, app, review, &stage.key, stage.round, &email).await?;
        }
    }
    Ok(())
}

/// How long a link made for a workflow lane's outside reviewer works.
pub const LANE_LINK_DAYS: i64 = 14;

/// The link for an outside reviewer a lane asks, made once per review round
/// (in the caller's transaction); its invitation goes out as a job.
async fn ensure_lane_link(tx: &mut Tx, app: &App, review: &ReviewRecord, stage: &str, round: u32, email: &Email) -> Result<()> {
    let round = i64::from(round);
    let now = app.now();
    if let Some(existing) = share_links::lane_link(tx, review.id, stage, round, email.as_str()).await? {
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
                Chain::Workspace(review.workspace_id),
                "share_link.renewed",
                ("share_link", Some(existing.id.uuid())),
                data,
            )
            .await?;
            jobs::enqueue(tx, app, &SendInvite { link: existing.id, at: now }, now).await?;
        }
        return Ok(());
    }
    let link = share_links::ShareLink {
        id: ShareLinkId::from_uuid(Uuid::now_v7()),
        workspace_id: review.workspace_id,
        scope: share::Scope::Posts { post_ids: [review.post_id].into() },
        capability: share::Capability::Approve,
        reviewer_name: None,
        reviewer_email: Some(email.as_str().to_owned()),
        has_password: false,
        lane: Some(share_links::LaneOfLink { review_id: review.id, stage_key: stage.to_owned(), round }),
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
        "reviewer_email": link.reviewer_email, "review": review.id, "stage": stage, "round": round });
    record(
        tx,
        app,
        &Caller::system(),
        Chain::Workspace(review.workspace_id),
        "share_link.created",
        ("share_link", Some(link.id.uuid())),
        data,
    )
    .await?;
    jobs::enqueue(tx, app, &SendInvite { link: link.id, at: now }, now).await?;
    Ok(())
}

/// Sends an outside reviewer their link (a job): a fresh token, so a retry
/// after a lost message still sends a working one.
async fn invite_external(app: &App, id: ShareLinkId) -> Result<()> {
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
    };
    let workspace = workspaces::workspace(&mut tx, link.workspace_id).await?.map(|w| w.name).unwrap_or_default();
    let token = secret();
    share_links::set_token(&mut tx, id, &secret_hash(&token)).await?;
    let data = json!({ "to": to });
    record(&mut tx, app, &Caller::system(), Chain::Workspace(link.workspace_id), "share_link.sent", ("share_link", Some(id.uuid())), data)
        .await?;
    let url = app.url(&format!("{VISIT_PATH}{token}"));
    let invite = Invite {
        name: link.reviewer_name.clone(),
        workspace,
        title,
        url,
        expires: link.expires_at.to_zoned(jiff::tz::TimeZone::UTC).datetime(),
    };
    // Written in the language of whoever asked (the reviewer has no account).
    let asker = match link.created_by {
        Some(user) => accounts::user(&mut tx, user).await?,
        None => None,
    };
    let mail = greenlight_i18n::sync_scope(crate::mail::language(asker.as_ref()), || -> Result<Mail> {
        Ok(Mail {
            to: to.clone(),
            to_name: link.reviewer_name.clone(),
            subject: invite.subject(),
            text: render(&InviteText { m: &invite })?,
            html: render(&InviteHtml { m: &invite })?,
        })
    })?;
    // Committed before sending, so no transaction waits on the mail
    // server; if sending fails, the retry makes another token (this one
    // reached nobody).
    tx.commit().await?;
    crate::mail::send(app, mailer.as_ref(), &mail)
        .await
        .map_err(|e| Error::Internal(format!("sending the review link to {to}: {e}").into()))
}
