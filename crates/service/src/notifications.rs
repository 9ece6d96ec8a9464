//! Notifications: every workspace event is looked at once, after its
//! transaction commits (the worker follows each workspace's history from a
//! cursor, a batch of events per transaction), and turned into
//! notifications for the members it concerns — in the app, and by email at
//! once or in a digest, as each member prefers — and into deliveries for
//! the workspace's webhooks that want it.
//!
//! A notification is made once per reason (its dedup key), so an event
//! looked at again (a retried job), or two events that both show a member
//! is now asked, tell them once.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use greenlight_domain::{
    audit::{Actor, Chain, Event},
    id::{EventId, NotificationId, PostId, UserId, WorkspaceId},
    notification::{self, Kind, Preferences},
    permission::{Permission, Role},
    workflow::Principal,
};
use greenlight_i18n::{Arg, Lang};
use greenlight_store::{
    Tx, accounts, audit,
    comments::{self},
    notifications::{self, EmailState, Notification},
    posts::{self, Post},
    workflows::{self, ReviewRecord, Workflow},
    workspaces,
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    App, Caller, MAX_PAGE, access,
    audit::EventRecorded,
    email::SendEmail,
    error::{Error, Result},
    invites,
    jobs::{self, Job},
    reviews,
};

/// Someone to tell, why, and the key that makes it once.
struct Tell {
    user: UserId,
    kind: Kind,
    key: String,
    summary: Said,
    data: Value,
}

/// A summary to be written in its reader's language when it is stored:
/// a catalogue message and its values.
struct Said {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

fn said<const N: usize>(key: &'static str, args: [(&'static str, Arg); N]) -> Said {
    Said { key, args: args.into() }
}

impl Said {
    fn write(&self, lang: Lang) -> String {
        greenlight_i18n::lookup(lang, self.key, &self.args)
    }
}

impl Job for EventRecorded {
    const KIND: &'static str = "fanout";
    const QUEUE: &'static str = "notify";

    fn dedup_key(&self) -> String {
        format!("fanout:{}", self.event)
    }

    async fn run(&self, app: &App) -> Result<()> {
        fan_out(app, self.event).await
    }
}

/// Looks at one event and tells whom it concerns (the job's way, kept for
/// events recorded before the follower, and for one it could not take).
async fn fan_out(app: &App, id: EventId) -> Result<()> {
    let mut tx = app.db.write().await?;
    let Some(event) = audit::event(&mut tx, id).await? else { return Ok(()) };
    let mut known = Known::new(event.chain);
    look_at(&mut tx, app, &mut known, &event).await?;
    crate::analytics::take_in(&mut tx, &known.to_refold).await?;
    tx.commit().await?;
    app.metrics.event(&event.action, &event.data);
    Ok(())
}

/// The most events of one workspace looked at in one transaction: enough
/// to spare a transaction per event, few enough that the writer is not
/// held long from the people waiting for it.
const FOLLOW_BATCH: i64 = 16;

/// How many batches of one workspace a pass takes before it turns to the
/// next: a busy workspace does not keep the others waiting.
const BATCHES_PER_PASS: usize = 8;

/// Follows every workspace's history, a batch per transaction, up to its
/// newest event or a few batches: the worker's way of telling whom each
/// event concerns. Returns how many events it looked at; a workspace that
/// fails is left for the next pass (and said) while the others go on.
pub async fn follow(app: &App) -> Result<usize> {
    let behind = {
        let mut tx = app.db.read().await?;
        audit::unfollowed(&mut tx, 1_000).await?
    };
    let mut followed = 0;
    let mut failed = None;
    for (chain, _) in behind {
        match follow_chain(app, chain).await {
            Ok(n) => followed += n,
            Err(err) => {
                tracing::error!(%chain, %err, "following a workspace's history");
                failed.get_or_insert(err);
            }
        }
    }
    match failed {
        Some(err) if followed == 0 => Err(err),
        _ => Ok(followed),
    }
}

/// Follows one workspace's history up to its newest event (or a few
/// batches of it).
async fn follow_chain(app: &App, chain: Chain) -> Result<usize> {
    let mut followed = 0;
    for _ in 0..BATCHES_PER_PASS {
        let n = match follow_batch(app, chain, FOLLOW_BATCH).await {
            Ok(n) => n,
            // One of the batch failed: one at a time, to find it.
            Err(Failed { first: Some(_), .. }) => return Ok(followed + one_by_one(app, chain).await?),
            Err(Failed { first: None, err }) => return Err(err),
        };
        followed += n;
        // A short batch reached the newest event.
        if n < FOLLOW_BATCH as usize {
            break;
        }
    }
    Ok(followed)
}

/// Looks at the events one at a time up to the first that fails, which is
/// handed to a job of its own.
async fn one_by_one(app: &App, chain: Chain) -> Result<usize> {
    let mut followed = 0;
    for _ in 0..FOLLOW_BATCH {
        match follow_batch(app, chain, 1).await {
            Ok(0) => break,
            Ok(n) => followed += n,
            Err(Failed { first: Some(seq), err }) => return Ok(followed + hand_over(app, chain, seq, &err).await?),
            Err(Failed { first: None, err }) => return Err(err),
        }
    }
    Ok(followed)
}

/// A batch that did not commit: why, and its first event's place in the
/// chain if it got as far as reading its events (for a batch of one, the
/// event that failed).
struct Failed {
    first: Option<i64>,
    err: Error,
}

impl From<greenlight_store::StoreError> for Failed {
    fn from(err: greenlight_store::StoreError) -> Failed {
        Failed { first: None, err: err.into() }
    }
}

/// Looks at up to `batch` events of `chain` after the last followed, in one
/// transaction; how many.
async fn follow_batch(app: &App, chain: Chain, batch: i64) -> std::result::Result<usize, Failed> {
    let mut tx = app.db.write().await?;
    let after = audit::hold_followed(&mut tx, chain).await?;
    let events = audit::chain_events(&mut tx, chain, after, batch).await?;
    let Some(last) = events.last().map(|e| e.seq) else { return Ok(0) };
    let failed = |err: Error| Failed { first: Some(after + 1), err };
    let mut known = Known::new(chain);
    for event in &events {
        look_at(&mut tx, app, &mut known, event).await.map_err(failed)?;
    }
    crate::analytics::take_in(&mut tx, &known.to_refold).await.map_err(failed)?;
    audit::set_followed(&mut tx, chain, last).await?;
    tx.commit().await?;
    for event in &events {
        app.metrics.event(&event.action, &event.data);
    }
    app.metrics.followed(events.len());
    Ok(events.len())
}

/// The event at `seq` failed to be looked at: it goes to a job of its own,
/// which retries it with backoff and is kept as failed if it never
/// succeeds, and the chain moves on past it. If another worker has moved
/// the chain on meanwhile (the failure was theirs to meet or not), nothing
/// is handed over.
async fn hand_over(app: &App, chain: Chain, seq: i64, err: &Error) -> Result<usize> {
    let mut tx = app.db.write().await?;
    if audit::hold_followed(&mut tx, chain).await? != seq - 1 {
        return Ok(0);
    }
    let Some(event) = audit::event_at(&mut tx, chain, seq).await? else { return Ok(0) };
    tracing::warn!(event = %event.id, action = %event.action, %err, "could not look at an event; a job retries it");
    jobs::enqueue(&mut tx, app, &EventRecorded { event: event.id }, app.now()).await?;
    audit::set_followed(&mut tx, chain, event.seq).await?;
    tx.commit().await?;
    Ok(1)
}

/// What looking at a batch of one workspace's events reads once instead of
/// for each event: the batch is one transaction, and looking at an event
/// changes none of it (it adds notifications, deliveries and jobs); and
/// the posts whose review facts are folded again once the batch is read.
struct Known {
    /// The workspace whose events these are (its chain).
    chain: Chain,
    workspace: Option<Arc<Around>>,
    users: BTreeMap<UserId, Option<accounts::User>>,
    prefs: BTreeMap<UserId, Preferences>,
    posts: BTreeMap<PostId, Option<Arc<Post>>>,
    reviews: BTreeMap<PostId, Option<Arc<(ReviewRecord, Workflow)>>>,
    /// Posts whose review facts the events change, folded again once at
    /// the end.
    to_refold: BTreeSet<(WorkspaceId, PostId)>,
}

/// The workspace's members, zone and default preferences.
struct Around {
    members: BTreeMap<UserId, Role>,
    zone: jiff::tz::TimeZone,
    defaults: Preferences,
}

impl Known {
    fn new(chain: Chain) -> Known {
        Known {
            chain,
            workspace: None,
            users: BTreeMap::new(),
            prefs: BTreeMap::new(),
            posts: BTreeMap::new(),
            reviews: BTreeMap::new(),
            to_refold: BTreeSet::new(),
        }
    }

    async fn around(&mut self, tx: &mut Tx, ws: WorkspaceId) -> Result<Arc<Around>> {
        if self.chain != Chain::Workspace(ws) {
            return Err(Error::Internal(format!("{ws}'s events read with {}'s", self.chain).into()));
        }
        if let Some(known) = &self.workspace {
            return Ok(known.clone());
        }
        let around = Arc::new(Around {
            members: workspaces::members(tx, ws).await?.into_iter().map(|m| (m.user_id, m.role)).collect(),
            zone: workspaces::workspace(tx, ws)
                .await?
                .and_then(|w| jiff::tz::TimeZone::get(&w.time_zone).ok())
                .unwrap_or(jiff::tz::TimeZone::UTC),
            defaults: notifications::preferences(tx, ws, None).await?,
        });
        self.workspace = Some(around.clone());
        Ok(around)
    }

    async fn user(&mut self, tx: &mut Tx, id: UserId) -> Result<Option<&accounts::User>> {
        if let std::collections::btree_map::Entry::Vacant(slot) = self.users.entry(id) {
            slot.insert(accounts::user(tx, id).await?);
        }
        Ok(self.users.get(&id).and_then(Option::as_ref))
    }

    async fn prefs(&mut self, tx: &mut Tx, ws: WorkspaceId, user: UserId) -> Result<Preferences> {
        if let Some(known) = self.prefs.get(&user) {
            return Ok(known.clone());
        }
        let prefs = notifications::preferences(tx, ws, Some(user)).await?;
        self.prefs.insert(user, prefs.clone());
        Ok(prefs)
    }

    async fn post(&mut self, tx: &mut Tx, ws: WorkspaceId, id: PostId) -> Result<Option<Arc<Post>>> {
        if let Some(known) = self.posts.get(&id) {
            return Ok(known.clone());
        }
        let post = posts::post(tx, ws, id).await?.map(Arc::new);
        self.posts.insert(id, post.clone());
        Ok(post)
    }

    /// The post's open review and the workflow version it runs.
    async fn open_review(&mut self, tx: &mut Tx, post: PostId) -> Result<Option<Arc<(ReviewRecord, Workflow)>>> {
        if let Some(known) = self.reviews.get(&post) {
            return Ok(known.clone());
        }
        let open = match workflows::open_review(tx, post).await? {
            Some(open) => {
                let workflow = reviews::workflow_of(tx, &open).await?;
                Some(Arc::new((open, workflow)))
            }
            None => None,
        };
        self.reviews.insert(post, open.clone());
        Ok(open)
    }
}

/// Works out whom one event concerns, in the caller's transaction.
async fn look_at(tx: &mut Tx, app: &App, known: &mut Known, event: &Event) -> Result<()> {
    let Chain::Workspace(ws) = event.chain else { return Ok(()) };
    known.to_refold.extend(crate::analytics::to_refold(event));
    if event.action == "review.seen" {
        return Ok(()); // analytics' alone: nobody is told that someone looked
    }
    let post = match (event.subject_kind.as_str(), event.subject_id) {
        ("post", Some(post)) => known.post(tx, ws, PostId::from_uuid(post)).await?,
        _ => None,
    };
    let actor = actor_name(tx, known, &event.actor).await?;
    let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
    crate::webhooks::enqueue_for_event(tx, app, ws, event, &data, post.as_deref(), &actor).await?;
    let Some(post) = post else {
        let tells = about_workspace(tx, event, &data, ws).await?;
        return deliver(tx, app, known, ws, None, tells).await;
    };
    let mut tells = asked_now(tx, app, known, &post).await?;
    tells.extend(about_event(tx, event, &data, &post, &actor).await?);
    // Nobody is told of what they did themselves.
    let doer = event.actor.user();
    tells.retain(|t| Some(t.user) != doer);
    deliver(tx, app, known, ws, Some(post.id), tells).await
}

async fn actor_name(tx: &mut Tx, known: &mut Known, actor: &Actor) -> Result<String> {
    Ok(match actor {
        Actor::External { name, .. } => format!("{name} (guest)"),
        Actor::Cli | Actor::System => "Greenlight".to_owned(),
        other => match other.user() {
            Some(user) => known.user(tx, user).await?.map(|u| u.name.clone()).unwrap_or_else(|| "Someone".into()),
            None => "Someone".into(),
        },
    })
}

fn quoted(post: &Post) -> String {
    format!("“{}”", post.title)
}

/// The members the post's open review waits for now, each told once per
/// stage round.
async fn asked_now(tx: &mut Tx, app: &App, known: &mut Known, post: &Post) -> Result<Vec<Tell>> {
    let Some(open) = known.open_review(tx, post.id).await? else { return Ok(Vec::new()) };
    let (open, workflow) = &*open;
    let Some(i) = open.run.active_stage() else { return Ok(Vec::new()) };
    let stage = &open.run.stages[i];
    let name = reviews::waiting_stage(open, &workflow.definition).unwrap_or_else(|| stage.key.clone());
    invites::ask_outside_reviewers(tx, app, open, &workflow.definition).await?;
    let mut out = Vec::new();
    for principal in open.run.waiting_for(&workflow.definition) {
        match principal {
            Principal::User(user) => out.push(Tell {
                user,
                kind: Kind::ReviewRequested,
                key: format!("review-requested:{}:{}:{}:{user}", open.id, stage.key, stage.round),
                summary: said("event-waits-for-you", [("title", quoted(post).into()), ("stage", name.clone().into())]),
                data: json!({ "review": open.id, "stage": stage.key, "stage_name": name, "due_at": stage.due_at }),
            }),
            // Someone outside has a link of their own (made when the stage
            // started), renewed here if it expired while the round waits.
            Principal::External(_) => {}
        }
    }
    Ok(out)
}

/// What `comment.added` records.
#[derive(Default, Deserialize)]
struct CommentAdded {
    #[serde(default)]
    mentions: Vec<UserId>,
    #[serde(default)]
    parent: Option<greenlight_domain::id::CommentId>,
    #[serde(default)]
    comment: Option<greenlight_domain::id::CommentId>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    visibility: Option<String>,
}

/// Users named in an event's `waiting_for`.
fn waiting_users(data: &Value) -> BTreeSet<UserId> {
    let principals: Vec<Principal> = serde_json::from_value(data["waiting_for"].clone()).unwrap_or_default();
    principals.into_iter().filter_map(|p| if let Principal::User(u) = p { Some(u) } else { None }).collect()
}

/// What an event about the workspace (not a post) tells its people: a
/// channel that needs reconnecting is news for whoever may reconnect it,
/// once (the event is recorded once, when the network refuses).
async fn about_workspace(tx: &mut Tx, event: &Event, data: &Value, ws: WorkspaceId) -> Result<Vec<Tell>> {
    if event.action != "channel.reconnect_needed" {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for m in workspaces::members(tx, ws).await? {
        if m.role.can(Permission::ManageChannels) {
            let kind = Kind::ChannelNeedsReconnect;
            out.push(Tell {
                user: m.user_id,
                kind,
                key: format!("event:{}:{}:{}", event.id, kind.as_str(), m.user_id),
                summary: match data["detail"].as_str() {
                    Some(detail) => said("event-reconnect", [("detail", detail.into())]),
                    None => said("event-reconnect-refused", []),
                },
                data: json!({ "channel": data["channel"] }),
            });
        }
    }
    Ok(out)
}

/// What the event itself tells its people.
async fn about_event(tx: &mut Tx, event: &Event, data: &Value, post: &Post, actor: &str) -> Result<Vec<Tell>> {
    let owner = post.owner_id;
    let title = quoted(post);
    let key = |kind: Kind, user: UserId| format!("event:{}:{}:{user}", event.id, kind.as_str());
    let tell = |user: UserId, kind: Kind, summary: Said, data: Value| Tell { user, kind, key: key(kind, user), summary, data };
    let about = |key: &'static str| said(key, [("title", title.as_str().into()), ("actor", actor.into())]);
    let mut out = Vec::new();
    match event.action.as_str() {
        // An approval that covered a following stage: its first event told the owner.
        "review.decided" if data["carried"] == true => {}
        "review.decided" => {
            let verdict = data["verdict"].as_str().unwrap_or_default();
            let details = json!({ "stage": data["stage"], "verdict": verdict, "comment": data["comment"] });
            let (kind, summary) = match verdict {
                "request_changes" => (Kind::ChangesRequested, about("event-changes-requested")),
                "reject" => (Kind::DecisionMade, about("event-rejected")),
                _ => (Kind::DecisionMade, about("event-approved")),
            };
            out.push(tell(owner, kind, summary, details));
        }
        "review.reminder" => {
            for user in waiting_users(data) {
                out.push(tell(user, Kind::Reminder, about("event-reminder"), json!({ "stage": data["stage"] })));
            }
        }
        "review.escalated" => {
            for user in waiting_users(data) {
                out.push(tell(user, Kind::Escalation, about("event-escalated"), json!({ "stage": data["stage"] })));
            }
        }
        "review.publish_time_passed" | "review.expired" => {
            let summary = if event.action == "review.expired" { about("event-review-expired") } else { about("event-planned-time-passed") };
            out.push(tell(owner, Kind::PublishTimePassed, summary, json!({ "planned_at": data["planned_at"] })));
        }
        "publication.published" => {
            let summary = match data["handle"].as_str() {
                Some(handle) => said("event-published", [("title", title.as_str().into()), ("handle", handle.into())]),
                None => about("event-published-somewhere"),
            };
            out.push(tell(owner, Kind::Published, summary, json!({ "channel": data["channel"], "url": data["url"] })));
        }
        "publication.failed" => {
            let summary = said(
                "event-publish-failed",
                [
                    ("title", title.as_str().into()),
                    ("handle", data["handle"].as_str().unwrap_or("?").into()),
                    ("error", data["error"].as_str().unwrap_or("").into()),
                ],
            );
            out.push(tell(owner, Kind::PublishFailed, summary, json!({ "channel": data["channel"], "retryable": data["retryable"] })));
        }
        "comment.added" => {
            let added: CommentAdded = serde_json::from_value(data.clone()).unwrap_or_default();
            let excerpt: String = added.body.chars().take(140).collect();
            let details = json!({ "comment": added.comment, "excerpt": excerpt, "visibility": added.visibility });
            let mentioned: BTreeSet<UserId> = added.mentions.iter().copied().collect();
            for user in &mentioned {
                out.push(tell(*user, Kind::Mention, about("event-mentioned"), details.clone()));
            }
            // The owner and everyone earlier in the thread, unless mentioned.
            let mut followers = BTreeSet::from([owner]);
            if let Some(thread) = added.parent {
                for c in comments::comments(tx, post.id).await? {
                    if c.id == thread || c.parent_id == Some(thread) {
                        followers.extend(c.author_id);
                    }
                }
            }
            for user in followers.difference(&mentioned) {
                out.push(tell(*user, Kind::Comment, about("event-commented"), details.clone()));
            }
        }
        _ => {}
    }
    if data["progress"]["outcome"] == "approved" {
        out.push(tell(owner, Kind::ApprovalComplete, about("event-approved-everywhere"), json!({})));
    }
    Ok(out)
}

/// Stores the notifications each member wants, and schedules their email.
async fn deliver(tx: &mut Tx, app: &App, known: &mut Known, ws: WorkspaceId, post: Option<PostId>, tells: Vec<Tell>) -> Result<()> {
    if tells.is_empty() {
        return Ok(());
    }
    let now = app.now();
    let around = known.around(tx, ws).await?;
    let (members, zone, defaults) = (&around.members, &around.zone, &around.defaults);
    for t in tells {
        // Only members hear of a workspace's posts (one removed since, not).
        if !members.get(&t.user).is_some_and(|r| r.can(Permission::ViewPosts)) {
            continue;
        }
        let mine = known.prefs(tx, ws, t.user).await?;
        // Written in the reader's language, once, as it is stored.
        let lang = known.user(tx, t.user).await?.and_then(|u| u.language.as_deref()).and_then(Lang::parse).unwrap_or_default();
        let channels = Preferences::effective(t.kind, &mine, defaults);
        let due = match channels.email {
            // Without a mail server nobody is emailed: nothing waits for one.
            _ if app.mailer.is_none() => None,
            notification::Frequency::Off => None,
            notification::Frequency::Immediate => Some(now),
            other => notification::digest_due(other, now, zone),
        };
        if !channels.in_app && due.is_none() {
            continue;
        }
        let email = due.map_or(EmailState::None, EmailState::Pending);
        let n = Notification {
            id: NotificationId::from_uuid(Uuid::now_v7()),
            user_id: t.user,
            workspace_id: ws,
            kind: t.kind,
            post_id: post,
            summary: t.summary.write(lang),
            data: t.data,
            created_at: now,
            read_at: None,
            email_status: email.as_str().into(),
        };
        let new = notifications::insert(tx, &n, &t.key, channels.in_app, email).await?;
        if let (true, Some(at)) = (new, due) {
            jobs::enqueue(tx, app, &SendEmail { user: t.user, due: at, notification: n.id }, at).await?;
        }
    }
    Ok(())
}

// ---- The member's side ----

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// `true`: only unread ones.
    pub unread: Option<bool>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<NotificationId>,
    /// Items per page (default 50, at most 200).
    pub limit: Option<i64>,
}

/// A page of the caller's notifications, newest first, with the unread count.
pub async fn my_notifications(
    app: &App,
    caller: &Caller,
    query: NotificationQuery,
) -> Result<(Vec<crate::views::Notification>, Option<NotificationId>, i64)> {
    let user = caller.require_user()?;
    let mut errors = greenlight_domain::validation::Errors::new();
    let limit = crate::page_limit(&mut errors, query.limit);
    errors.into_result()?;
    let mut tx = app.db.read().await?;
    let ws = token_workspace(caller);
    let rows = notifications::of_user(&mut tx, user, ws, query.unread == Some(true), query.cursor, limit + 1).await?;
    let unread = notifications::unread_count(&mut tx, user, ws).await?;
    let (items, next) = crate::page(rows, limit, |n| n.id);
    Ok((crate::views::all(items), next, unread))
}

/// How many of the caller's notifications are unread: the bell's number.
pub async fn unread_count(app: &App, caller: &Caller) -> Result<i64> {
    let user = caller.require_user()?;
    let mut tx = app.db.read().await?;
    Ok(notifications::unread_count(&mut tx, user, token_workspace(caller)).await?)
}

/// An API token sees and marks its own workspace's notifications only.
fn token_workspace(caller: &Caller) -> Option<WorkspaceId> {
    match &caller.via {
        crate::Via::Token { workspace, .. } => Some(*workspace),
        _ => None,
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// The notifications to mark read; leave out to mark all.
    #[serde(default)]
    pub ids: Option<Vec<NotificationId>>,
}

/// Marks notifications read; answers how many changed.
pub async fn mark_read(app: &App, caller: &Caller, input: MarkRead) -> Result<u64> {
    let user = caller.require_user()?;
    if input.ids.as_ref().is_some_and(|ids| ids.len() > MAX_PAGE as usize) {
        return Err(Error::field_said("ids", "err-notif-too-many", [("max", MAX_PAGE.to_string())]));
    }
    let mut tx = app.db.write().await?;
    let n = notifications::mark_read(&mut tx, user, token_workspace(caller), input.ids.as_deref(), app.now()).await?;
    tx.commit().await?;
    Ok(n)
}

/// The caller's preferences in a workspace, and what applies to each kind.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PreferenceView {
    /// What the member chose (kinds left out follow the workspace).
    pub mine: Preferences,
    /// The workspace's defaults.
    pub workspace: Preferences,
    /// What applies now, for every kind.
    pub effective: Preferences,
}

fn effective(mine: &Preferences, workspace: &Preferences) -> Preferences {
    Preferences(Kind::ALL.into_iter().map(|k| (k, Preferences::effective(k, mine, workspace))).collect())
}

pub async fn preferences(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<PreferenceView> {
    let user = caller.require_user()?;
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    let mine = notifications::preferences(&mut tx, ws, Some(user)).await?;
    let workspace = notifications::preferences(&mut tx, ws, None).await?;
    Ok(PreferenceView { effective: effective(&mine, &workspace), mine, workspace })
}

/// Replaces the caller's own preferences in a workspace.
pub async fn set_my_preferences(app: &App, caller: &Caller, ws: WorkspaceId, prefs: Preferences) -> Result<PreferenceView> {
    let user = caller.require_user()?;
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    notifications::set_preferences(&mut tx, ws, Some(user), &prefs, app.now()).await?;
    let workspace = notifications::preferences(&mut tx, ws, None).await?;
    crate::audit::record(
        &mut tx,
        app,
        caller,
        Chain::Workspace(ws),
        "notifications.preferences_set",
        ("user", Some(user.uuid())),
        json!({ "preferences": prefs }),
    )
    .await?;
    tx.commit().await?;
    Ok(PreferenceView { effective: effective(&prefs, &workspace), mine: prefs, workspace })
}

/// Replaces the workspace's defaults.
pub async fn set_workspace_preferences(app: &App, caller: &Caller, ws: WorkspaceId, prefs: Preferences) -> Result<Preferences> {
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageWorkspace).await?;
    notifications::set_preferences(&mut tx, ws, None, &prefs, app.now()).await?;
    crate::audit::record(
        &mut tx,
        app,
        caller,
        Chain::Workspace(ws),
        "notifications.defaults_set",
        ("workspace", Some(ws.uuid())),
        json!({ "preferences": prefs }),
    )
    .await?;
    tx.commit().await?;
    Ok(prefs)
}
