//! Share links: members make them; visitors without an account use them to
//! see posts, comment, and decide where a workflow asks them.
//!
//! A token is 256 random bits, shown once and stored as its SHA-256. Every
//! way a token can fail (unknown, expired, revoked, a post outside its
//! scope) is the same `NotFound("link")`, so a visitor learns nothing from
//! the failure. A password, if set, is checked once; the visitor then
//! carries a proof derived from the token and the stored password hash,
//! which only the server can compute and which dies with the password.

use crate::error::AddWords as _;
use std::collections::{BTreeMap, BTreeSet};

use greenlight_domain::{
    Timestamp,
    audit::Chain,
    canonical::Hash,
    id::{CommentId, MediaId, PostId, ShareLinkId, UserId, WorkspaceId},
    names::{Email, Name, Password},
    permission::{Permission, Role},
    share::{self, Capability, PostFacts, Scope},
    validation::Errors,
    workflow::{Principal, ReviewStatus, Verdict},
};
use greenlight_store::{
    Tx, planning,
    posts::{self, Post, PostFilter},
    share_links::{self, ShareLink},
    workflows, workspaces,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::{
    App, Caller, access,
    accounts::{hash_password, password_matches, secret, secret_hash},
    audit::record,
    comments::{self, Author, NewComment, Thread},
    error::{Error, Result},
    invites::{SendInvite, VISIT_PATH},
    reviews::{self, DecisionRequest, ReviewView},
};

/// The most posts a visitor's overview lists.
pub const MAX_LISTED: i64 = 200;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShareLink {
    pub scope: Scope,
    pub capability: Capability,
    pub expires_at: Timestamp,
    /// At least 10 characters; the visitor must give it once per browser.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<greenlight_domain::names::Name>)]
    pub reviewer_name: Option<String>,
    /// Required for `approve`: a review counts the decision where a
    /// workflow lane names this address.
    #[serde(default)]
    #[schema(value_type = Option<greenlight_domain::names::Email>)]
    pub reviewer_email: Option<String>,
}

/// A new link; `token` and `path` are shown this once and never stored.
/// An `approve` link's token is shown to nobody: it is emailed to its
/// reviewer (`sent_to`), so no member can decide in the reviewer's name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedShareLink {
    #[serde(flatten)]
    pub link: crate::views::ShareLink,
    pub token: Option<String>,
    /// Where the visitor goes, relative to Greenlight's address.
    pub path: Option<String>,
    /// Where the link was sent instead of shown.
    pub sent_to: Option<String>,
    /// For an approve link to one post in review that its workflow does
    /// not ask the reviewer on: the stage where the post now asks them too.
    pub asked_at_stage: Option<String>,
}

impl CreatedShareLink {
    fn shown(link: ShareLink, token: String) -> Self {
        CreatedShareLink {
            path: Some(format!("{VISIT_PATH}{token}")),
            token: Some(token),
            sent_to: None,
            asked_at_stage: None,
            link: link.into(),
        }
    }

    fn sent(link: ShareLink, asked_at_stage: Option<String>) -> Self {
        CreatedShareLink { sent_to: link.reviewer_email.clone(), token: None, path: None, asked_at_stage, link: link.into() }
    }
}

pub async fn create(app: &App, caller: &Caller, ws: WorkspaceId, input: NewShareLink) -> Result<CreatedShareLink> {
    let user = caller.require_user()?;
    let mut errors = Errors::new();
    input.scope.check(&mut errors);
    share::check_expiry(&mut errors, input.expires_at, app.now());
    let name = input.reviewer_name.as_deref().and_then(|n| errors.check("reviewer_name", Name::parse(n)));
    let email = input.reviewer_email.as_deref().and_then(|e| errors.check("reviewer_email", Email::parse(e)));
    let password = input.password.as_deref().and_then(|p| errors.check("password", Password::parse(p)));
    if input.capability == Capability::Approve && input.reviewer_email.is_none() {
        errors.add_words("reviewer_email", "err-link-approve-needs-reviewer", []);
    }
    // Argon2 is slow: hashed before the write transaction, not inside it.
    let password_hash = match password {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let mut tx = app.db.write().await?;
    let role = access::require(&mut tx, caller, ws, Permission::ShareLinks).await?;
    require_approval_rights(role, input.capability)?;
    check_scope_refs(&mut tx, ws, &input.scope, &mut errors).await?;
    errors.into_result()?;
    let link = ShareLink {
        id: ShareLinkId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        scope: input.scope,
        capability: input.capability,
        reviewer_name: name.map(|n| n.as_str().to_owned()),
        reviewer_email: email.as_ref().map(|e| e.as_str().to_owned()),
        has_password: password_hash.is_some(),
        lane: None,
        created_by: Some(user),
        created_at: app.now(),
        expires_at: input.expires_at,
        revoked_at: None,
        revoked_by: None,
        last_used_at: None,
    };
    let token = secret();
    share_links::insert_link(&mut tx, &link, &secret_hash(&token), password_hash.as_deref()).await?;
    let data = json!({
        "scope": link.scope, "capability": link.capability, "expires_at": link.expires_at,
        "reviewer_name": link.reviewer_name, "reviewer_email": link.reviewer_email, "has_password": link.has_password,
    });
    record(&mut tx, app, caller, Chain::Workspace(ws), "share_link.created", ("share_link", Some(link.id.uuid())), data).await?;
    if link.capability == Capability::Approve {
        // One post: its review asks the reviewer too, if its workflow does not.
        let asked_at_stage = match (&link.scope, email) {
            (Scope::Posts { post_ids }, Some(email)) if post_ids.len() == 1 => match post_ids.iter().next() {
                Some(id) => match posts::post(&mut tx, ws, *id).await? {
                    Some(post) => crate::reviews::ask_also(&mut tx, app, caller, &post, email).await?,
                    None => None,
                },
                None => None,
            },
            _ => None,
        };
        crate::jobs::enqueue(&mut tx, app, &SendInvite { link: link.id, at: app.now() }, app.now()).await?;
        tx.commit().await?;
        return Ok(CreatedShareLink::sent(link, asked_at_stage));
    }
    tx.commit().await?;
    Ok(CreatedShareLink::shown(link, token))
}

/// Managing an approve link takes `ShareForApproval` beside `ShareLinks`.
fn require_approval_rights(role: Role, capability: Capability) -> Result<()> {
    if capability == Capability::Approve && !role.can(Permission::ShareForApproval) {
        return Err(Error::forbidden("err-link-cannot-share-approve", [("role", role.to_string())]));
    }
    Ok(())
}

/// The posts and campaign a scope names must be the workspace's.
async fn check_scope_refs(tx: &mut Tx, ws: WorkspaceId, scope: &Scope, errors: &mut Errors) -> Result<()> {
    match scope {
        Scope::Posts { post_ids } => {
            for id in post_ids {
                if posts::post(tx, ws, *id).await?.is_none() {
                    errors.add_words("scope.post_ids", "err-link-no-post", [("post", id.to_string())]);
                }
            }
        }
        Scope::Campaign { campaign_id } => {
            if planning::campaign(tx, ws, *campaign_id).await?.is_none() {
                errors.add_words("scope.campaign_id", "err-link-no-campaign", []);
            }
        }
        Scope::Range { .. } => {}
    }
    Ok(())
}

/// A page of the workspace's links, newest first, and the next page's cursor.
pub async fn links(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    before: Option<ShareLinkId>,
    limit: Option<i64>,
) -> Result<(Vec<crate::views::ShareLink>, Option<ShareLinkId>)> {
    let mut errors = Errors::new();
    let limit = crate::page_limit(&mut errors, limit);
    errors.into_result()?;
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ShareLinks).await?;
    let rows = share_links::links(&mut tx, ws, before, limit + 1).await?;
    Ok(crate::page(crate::views::all(rows), limit, |l| l.id))
}

/// Revokes a link; it stops working at once.
pub async fn revoke(app: &App, caller: &Caller, ws: WorkspaceId, id: ShareLinkId) -> Result<crate::views::ShareLink> {
    let mut tx = app.db.write().await?;
    let role = access::require(&mut tx, caller, ws, Permission::ShareLinks).await?;
    let mut link = share_links::link(&mut tx, ws, id).await?.ok_or(Error::NotFound("share link"))?;
    require_approval_rights(role, link.capability)?;
    let now = app.now();
    if link.revoked_at.is_some() || !share_links::revoke_link(&mut tx, ws, id, caller.user, now).await? {
        return Err(Error::conflict("err-link-already-revoked", []));
    }
    (link.revoked_at, link.revoked_by) = (Some(now), caller.user);
    record(&mut tx, app, caller, Chain::Workspace(ws), "share_link.revoked", ("share_link", Some(id.uuid())), json!({})).await?;
    tx.commit().await?;
    Ok(link.into())
}

/// Gives a link a new token; the old one stops working. For a lost
/// message. An approve link's new token is emailed to its reviewer — shown
/// only to those who may override the stage anyway (owners, admins), as
/// the way to pass it on where no mail server is configured.
pub async fn reissue(app: &App, caller: &Caller, ws: WorkspaceId, id: ShareLinkId) -> Result<CreatedShareLink> {
    let mut tx = app.db.write().await?;
    let role = access::require(&mut tx, caller, ws, Permission::ShareLinks).await?;
    let link = share_links::link(&mut tx, ws, id).await?.ok_or(Error::NotFound("share link"))?;
    require_approval_rights(role, link.capability)?;
    if !share::usable(link.expires_at, link.revoked_at, app.now()) {
        return Err(Error::conflict("err-link-revoked-or-expired", []));
    }
    let show = link.capability != Capability::Approve || role.can(Permission::OverrideReviews);
    let data = json!({ "shown": show, "sent_to": (!show).then_some(&link.reviewer_email) });
    record(&mut tx, app, caller, Chain::Workspace(ws), "share_link.reissued", ("share_link", Some(id.uuid())), data).await?;
    if !show {
        crate::jobs::enqueue(&mut tx, app, &SendInvite { link: id, at: app.now() }, app.now()).await?;
        tx.commit().await?;
        return Ok(CreatedShareLink::sent(link, None));
    }
    let token = secret();
    share_links::set_token(&mut tx, id, &secret_hash(&token)).await?;
    tx.commit().await?;
    Ok(CreatedShareLink::shown(link, token))
}

// ---- The visitor's side ----

/// What a visitor brings: the token from the address, and the proof of a
/// password they gave earlier (if the link has one).
#[derive(Debug, Clone)]
pub struct Pass<'a> {
    pub token: &'a str,
    pub proof: Option<&'a str>,
}

fn unlock_proof(token: &str, password_hash: &str) -> String {
    hex::encode(Sha256::digest(format!("greenlight share-link unlock\n{token}\n{password_hash}").as_bytes()))
}

/// Every way a token fails (unknown, expired, revoked, a post outside its
/// scope) is this one error.
pub const INVALID: Error = Error::NotFound("link");

/// The usable link a pass names: [`INVALID`] if none, `Unauthenticated` if
/// the visitor must first give the link's password.
async fn enter(tx: &mut Tx, app: &App, pass: &Pass<'_>) -> Result<ShareLink> {
    let (link, password_hash) = share_links::link_by_hash(tx, &secret_hash(pass.token)).await?.ok_or(INVALID)?;
    if !share::usable(link.expires_at, link.revoked_at, app.now()) {
        return Err(INVALID);
    }
    if let Some(hash) = password_hash {
        let expected = unlock_proof(pass.token, &hash);
        let given = pass.proof.unwrap_or_default();
        if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
            return Err(Error::Unauthenticated);
        }
    }
    Ok(link)
}

/// Checks a link's password; the proof it returns stands for it afterwards.
/// `None` if the password is wrong (or the link is not usable).
pub async fn unlock(app: &App, token: &str, password: &str) -> Result<Option<String>> {
    let mut tx = app.db.read().await?;
    let found = share_links::link_by_hash(&mut tx, &secret_hash(token)).await?;
    drop(tx);
    let usable = found.as_ref().is_some_and(|(l, _)| share::usable(l.expires_at, l.revoked_at, app.now()));
    let hash = found.and_then(|(_, h)| h);
    let matches = password_matches(password.to_owned(), hash.clone()).await?;
    Ok(match hash {
        Some(hash) if usable && matches => Some(unlock_proof(token, &hash)),
        _ => None,
    })
}

/// The name a visitor is recorded under until they give one.
pub fn default_name(link: &ShareLink) -> String {
    link.reviewer_name.clone().unwrap_or_else(|| "Unnamed visitor".to_owned())
}

fn facts(post: &Post) -> PostFacts {
    PostFacts { id: post.id, campaign: post.campaign_id, planned: post.planned.as_ref().map(|p| p.at) }
}

/// A post the link reaches.
async fn reachable_post(tx: &mut Tx, link: &ShareLink, id: PostId) -> Result<Post> {
    match posts::post(tx, link.workspace_id, id).await? {
        Some(post) if link.scope.covers(facts(&post)) => Ok(post),
        _ => Err(INVALID),
    }
}

/// The posts a link reaches, by planned time (unplanned last), then title.
async fn reachable_posts(tx: &mut Tx, link: &ShareLink) -> Result<Vec<Post>> {
    let ws = link.workspace_id;
    let mut found = match &link.scope {
        Scope::Posts { post_ids } => {
            let mut found = Vec::new();
            for id in post_ids {
                found.extend(posts::post(tx, ws, *id).await?);
            }
            found
        }
        Scope::Campaign { campaign_id } => {
            let filter = PostFilter { campaign: Some(*campaign_id), ..PostFilter::default() };
            posts::posts(tx, ws, &filter, None, MAX_LISTED).await?
        }
        Scope::Range { from, to } => {
            let filter = PostFilter { from: Some(*from), until: Some(*to), ..PostFilter::default() };
            posts::posts(tx, ws, &filter, None, MAX_LISTED).await?
        }
    };
    found.sort_by(|a, b| {
        let at = |p: &Post| p.planned.as_ref().map(|p| p.at);
        (at(a).is_none(), at(a), &a.title).cmp(&(at(b).is_none(), at(b), &b.title))
    });
    Ok(found)
}

/// Records a visit (and when the link was last used).
async fn visited(tx: &mut Tx, app: &App, link: &ShareLink, post: Option<PostId>) -> Result<()> {
    share_links::touch_link(tx, link.id, app.now()).await?;
    let caller = Caller::visitor(link.id, default_name(link));
    let subject = match post {
        Some(post) => ("post", Some(post.uuid())),
        None => ("share_link", Some(link.id.uuid())),
    };
    record(tx, app, &caller, Chain::Workspace(link.workspace_id), "share_link.visited", subject, json!({ "link": link.id })).await?;
    Ok(())
}

/// What a visitor's overview shows: the link and the posts it reaches.
#[derive(Debug)]
pub struct Overview {
    pub link: ShareLink,
    pub posts: Vec<crate::views::Post>,
}

pub async fn overview(app: &App, pass: &Pass<'_>) -> Result<Overview> {
    let mut tx = app.db.write().await?;
    let link = enter(&mut tx, app, pass).await?;
    let posts = reachable_posts(&mut tx, &link).await?;
    visited(&mut tx, app, &link, None).await?;
    tx.commit().await?;
    Ok(Overview { link, posts: crate::views::all(posts) })
}

/// One post as a visitor sees it.
#[derive(Debug)]
pub struct VisitorPost {
    pub link: ShareLink,
    pub post: crate::views::Post,
    /// The latest revision: what a decision now is about.
    pub revision: crate::views::Revision,
    pub channels: Vec<crate::views::Channel>,
    /// Threads visible to externals, with their external replies.
    pub threads: Vec<Thread>,
    /// The names of the members who wrote them.
    pub member_names: BTreeMap<UserId, String>,
    pub review: Option<VisitorReview>,
}

#[derive(Debug)]
pub struct VisitorReview {
    pub status: ReviewStatus,
    /// The stage it waits at, while it runs.
    pub stage: Option<String>,
    /// Whether the running stage waits for this link's reviewer.
    pub asks_me: bool,
    /// This reviewer's latest decision in this review.
    pub my_decision: Option<(Verdict, Hash, Timestamp)>,
}

impl VisitorPost {
    pub fn can(&self, needed: Capability) -> bool {
        self.link.capability.allows(needed)
    }
}

fn reviewer(link: &ShareLink) -> Option<Principal> {
    let email = link.reviewer_email.as_deref().and_then(|e| Email::parse(e).ok())?;
    Some(Principal::External(email))
}

async fn load_visitor_post(tx: &mut Tx, link: ShareLink, post: Post) -> Result<VisitorPost> {
    let revision = posts::latest_revision(tx, post.id).await?.ok_or_else(|| Error::Internal("post without a revision".into()))?;
    let wanted: BTreeSet<_> = post.channel_ids.iter().copied().collect();
    let channels =
        planning::channels(tx, post.workspace_id).await?.into_iter().filter(|c| wanted.contains(&c.id)).map(Into::into).collect();
    let threads = comments::threads(tx, post.id, |c| c.visibility == greenlight_domain::comment::Visibility::External).await?;
    let review = match workflows::latest_review(tx, post.id).await? {
        Some(record) => {
            let workflow = reviews::workflow_of(tx, &record).await?;
            let me = reviewer(&link);
            let asks_me = me.as_ref().is_some_and(|me| record.run.waiting_for(&workflow.definition).contains(me));
            let my_decision =
                me.and_then(|me| record.run.decisions.iter().rev().find(|d| d.by == me).map(|d| (d.verdict, d.revision, d.at)));
            Some(VisitorReview {
                status: record.run.status,
                stage: reviews::waiting_stage(&record, &workflow.definition),
                asks_me,
                my_decision,
            })
        }
        None => None,
    };
    let member_names = workspaces::members(tx, post.workspace_id).await?.into_iter().map(|m| (m.user_id, m.name)).collect();
    Ok(VisitorPost { link, post: post.into(), revision: revision.into(), channels, threads, member_names, review })
}

pub async fn post(app: &App, pass: &Pass<'_>, id: PostId) -> Result<VisitorPost> {
    let mut tx = app.db.write().await?;
    let link = enter(&mut tx, app, pass).await?;
    let post = reachable_post(&mut tx, &link, id).await?;
    visited(&mut tx, app, &link, Some(id)).await?;
    let page = load_visitor_post(&mut tx, link, post).await?;
    tx.commit().await?;
    Ok(page)
}

/// The bytes of a media item the post's latest revision uses.
pub async fn media(app: &App, pass: &Pass<'_>, id: PostId, media: MediaId) -> Result<(String, Vec<u8>)> {
    let mut tx = app.db.read().await?;
    let link = enter(&mut tx, app, pass).await?;
    let post = reachable_post(&mut tx, &link, id).await?;
    let revision = posts::latest_revision(&mut tx, post.id).await?.ok_or_else(|| Error::Internal("post without a revision".into()))?;
    if !revision.content.media_ids().contains(&media) {
        return Err(INVALID);
    }
    let item = greenlight_store::media::media(&mut tx, link.workspace_id, media).await?.ok_or(Error::NotFound("media"))?;
    drop(tx);
    let bytes = app.blobs.get(&item.blob_key).await.map_err(Error::internal)?;
    Ok((item.mime, bytes))
}

/// A visitor's decision: pinned to the revision they saw.
#[derive(Debug, Clone)]
pub struct VisitorDecision {
    pub name: String,
    pub verdict: Verdict,
    pub revision: Hash,
    pub comment: Option<String>,
}

/// A visitor's comment or reply.
#[derive(Debug, Clone)]
pub struct VisitorComment {
    pub name: String,
    pub body: String,
    pub parent_id: Option<CommentId>,
}

/// Opens the link and post for an action that needs `needed`, as the
/// visitor named `name`.
async fn act(tx: &mut Tx, app: &App, pass: &Pass<'_>, id: PostId, needed: Capability) -> Result<(ShareLink, Post)> {
    let link = enter(tx, app, pass).await?;
    let post = reachable_post(tx, &link, id).await?;
    if !link.capability.allows(needed) {
        let id = match (link.capability, needed) {
            (Capability::View, Capability::Comment) => "err-link-view-not-comment",
            (Capability::View, _) => "err-link-view-not-approve",
            _ => "err-link-comment-not-approve",
        };
        return Err(Error::forbidden(id, []));
    }
    Ok((link, post))
}

fn visitor_name(name: &str) -> Result<String> {
    Name::parse(name).map(|n| n.as_str().to_owned()).map_err(|e| Error::parsed("name", e))
}

pub async fn decide(app: &App, pass: &Pass<'_>, id: PostId, input: VisitorDecision) -> Result<ReviewView> {
    let name = visitor_name(&input.name)?;
    let mut tx = app.db.write().await?;
    let (link, post) = act(&mut tx, app, pass, id, Capability::Approve).await?;
    let Some(me) = reviewer(&link) else { return Err(Error::forbidden("err-link-no-reviewer", [])) };
    if input.verdict == Verdict::Reject {
        return Err(Error::field_said("verdict", "err-link-visitor-verdict", []));
    }
    let caller = Caller::visitor(link.id, name);
    let request = DecisionRequest {
        verdict: input.verdict,
        revision: input.revision,
        comment: input.comment,
        checklist: BTreeSet::new(),
        lane: None,
        reason: None,
    };
    let view = reviews::decide_open(&mut tx, app, &caller, post, me, request).await?;
    share_links::touch_link(&mut tx, link.id, app.now()).await?;
    tx.commit().await?;
    Ok(view)
}

pub async fn comment(app: &App, pass: &Pass<'_>, id: PostId, input: VisitorComment) -> Result<greenlight_store::comments::Comment> {
    let name = visitor_name(&input.name)?;
    let mut tx = app.db.write().await?;
    let (link, post) = act(&mut tx, app, pass, id, Capability::Comment).await?;
    let caller = Caller::visitor(link.id, name.clone());
    let input = NewComment { body: input.body, anchor: None, parent_id: input.parent_id, mentions: Vec::new(), visibility: None };
    let comment = comments::add_in(&mut tx, app, &caller, &post, Author::Visitor { link: link.id, name }, input).await?;
    share_links::touch_link(&mut tx, link.id, app.now()).await?;
    tx.commit().await?;
    Ok(comment)
}
