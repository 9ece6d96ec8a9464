//! Publishing: channels connected to an account, and each approved post
//! sent to each approved channel exactly once.
//!
//! One publication per (post, channel) carries the approved revision's
//! hash and an idempotency key chosen once. The publisher commits the
//! attempt (`publishing`) before the network call and the outcome after;
//! an attempt that ended without an answer is reconciled by asking the
//! network, never blindly sent again. Before every attempt it checks that
//! the revision and the channel are exactly what the review approved. The
//! wire formats live in the connectors (the `networks` crate); this module
//! knows none.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, AeadCore, KeyInit, OsRng},
};
use greenlight_domain::{
    Timestamp,
    audit::Chain,
    canonical::Hash,
    id::{ChannelId, MediaId, PostId, PublicationId, WorkspaceId},
    network::Network,
    permission::Permission,
    post::PostState,
    publication::{self, Status},
    workflow::ReviewStatus,
};
use greenlight_store::{
    Tx, media, planning,
    posts::{self, Post},
    publications::{self, Connection, Publication},
    workflows,
};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    App, Caller,
    access::{self, require_edit, visible_post},
    audit::record,
    error::AddWords as _,
    error::{Error, Result},
    jobs::{self, Job},
};

// ---- Connectors: what the networks crate implements ----

/// What a connector sends: one channel's view of the approved revision.
#[derive(Debug, Clone, Serialize)]
pub struct Outgoing {
    /// Sent with every attempt: the network (or receiver) recognises a repeat.
    pub idempotency_key: String,
    pub publication_id: PublicationId,
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub network: Network,
    pub handle: String,
    pub title: String,
    /// The approved revision's content hash.
    pub revision: Hash,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub thread: Vec<String>,
    /// The images or video, in order, with their bytes.
    pub media: Vec<OutgoingMedia>,
    /// When the attempt starts (Greenlight's clock; connectors read none).
    pub sent_at: Timestamp,
    /// When the attempt before this one was last heard of (it ended without
    /// an answer, or with a failure worth retrying): anything it made on
    /// the network was made about then.
    pub previous_attempt_at: Option<Timestamp>,
    /// When the publication was planned: the same for every attempt, for
    /// keys a connector derives (Bluesky's record keys).
    pub planned_at: Timestamp,
    /// The remote ids of the segments an earlier attempt already made, in
    /// order: a resumed thread goes on after them.
    pub done: Vec<String>,
}

impl Outgoing {
    /// The posts it becomes on a network that threads by replies: the text
    /// (with its link, unless the text already carries it), the thread, then
    /// the first comment.
    pub fn segments(&self) -> Vec<String> {
        let mut text = self.text.clone();
        if let Some(link) = &self.link
            && !text.contains(link.as_str())
        {
            text = format!("{text}\n\n{link}");
        }
        let mut all = vec![text];
        all.extend(self.thread.iter().cloned());
        all.extend(self.first_comment.iter().cloned());
        all
    }
}

/// One media item as a connector uploads it.
#[derive(Debug, Clone, Serialize)]
pub struct OutgoingMedia {
    pub media_id: MediaId,
    pub filename: String,
    pub mime: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub alt_text: Option<String>,
    /// Read from the blob store after the attempt is committed, before
    /// the call (never sent to a webhook receiver).
    #[serde(skip)]
    pub bytes: bytes::Bytes,
}

impl OutgoingMedia {
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Published {
        remote_id: String,
        url: Option<String>,
    },
    /// The network refused the content: trying again cannot help.
    Refused {
        message: String,
    },
    /// The network refused the credentials: the channel needs reconnecting.
    Revoked {
        message: String,
    },
    /// Nothing was posted (no connection, a 429): try again, after
    /// `retry_after` when the network said.
    Transient {
        message: String,
        retry_after: Option<SignedDuration>,
    },
    /// It is not known whether it was posted (a timeout after sending, a
    /// 5xx): the publication is `unknown` until the network is asked.
    Unanswered {
        message: String,
    },
}

/// What the network holds after an attempt that ended without an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    Published {
        remote_id: String,
        url: Option<String>,
    },
    /// It is not there: sending it is safe.
    NotThere,
    /// The network could not say; ask again later.
    Unknown {
        message: String,
    },
}

/// A network's publishing calls.
#[async_trait]
pub trait Connector: Send + Sync {
    /// Checks credentials as they are connected; the account they post as
    /// (e.g. `@news@mastodon.example`), or the network's words.
    async fn verify(&self, credentials: &Value) -> std::result::Result<String, String>;
    /// Sends the post with the channel's credentials. A connector that
    /// posts a thread segment by segment tells `progress` of each segment
    /// before it sends the next, and skips those in `out.done`.
    async fn publish(&self, credentials: &Value, out: &Outgoing, progress: &dyn Progress) -> Attempt;
    /// Finds out whether an earlier attempt with the same key got through.
    async fn reconcile(&self, credentials: &Value, out: &Outgoing) -> Reconciled;
    /// For a network whose accounts connect by OAuth: registers Greenlight
    /// with the server as a client that comes back to `redirect_uri`.
    async fn register_client(&self, _server: &str, _redirect_uri: &str) -> std::result::Result<OAuthClient, String> {
        Err("this network connects with credentials, not by signing in".into())
    }
    /// Where the person allows Greenlight to post (PKCE: `challenge` is the
    /// S256 hash of the verifier kept for `exchange_code`).
    fn authorize_url(&self, _server: &str, _client: &OAuthClient, _redirect_uri: &str, _state: &str, _challenge: &str) -> Option<String> {
        None
    }
    /// The access token for the code the server sent back.
    async fn exchange_code(
        &self,
        _server: &str,
        _client: &OAuthClient,
        _redirect_uri: &str,
        _code: &str,
        _verifier: &str,
    ) -> std::result::Result<String, String> {
        Err("this network connects with credentials, not by signing in".into())
    }
}

/// Where a connector reports a thread's segments as they go out.
#[async_trait]
pub trait Progress: Send + Sync {
    /// Segment `index` is on the network as `remote_id`; kept (committed)
    /// before the connector sends the next one.
    async fn made(&self, index: usize, remote_id: &str);
}

/// Keeps a publication's progress in its row.
struct Kept<'a> {
    app: &'a App,
    publication: PublicationId,
    done: std::sync::Mutex<Vec<String>>,
}

#[async_trait]
impl Progress for Kept<'_> {
    async fn made(&self, index: usize, remote_id: &str) {
        let done = {
            let Ok(mut done) = self.done.lock() else { return };
            done.truncate(index);
            done.push(remote_id.to_owned());
            done.clone()
        };
        let kept = async {
            let mut tx = self.app.db.write().await?;
            publications::set_progress(&mut tx, self.publication, &done).await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        };
        // Not kept: a resumed attempt falls back on the network's own record
        // of what was made (Mastodon's keys, Bluesky's record keys).
        if let Err(err) = kept.await {
            tracing::warn!(publication = %self.publication, %err, "could not keep a thread's progress");
        }
    }
}

/// Greenlight as an OAuth client of one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
}

/// The connectors by network.
#[derive(Default, Clone)]
pub struct Connectors {
    by_network: HashMap<Network, Arc<dyn Connector>>,
}

impl Connectors {
    #[must_use]
    pub fn with(mut self, network: Network, connector: Arc<dyn Connector>) -> Self {
        self.by_network.insert(network, connector);
        self
    }

    pub(crate) fn get(&self, network: Network) -> Option<Arc<dyn Connector>> {
        self.by_network.get(&network).cloned()
    }
}

// ---- Credentials at rest ----

/// Seals channels' credentials with the configured key (XChaCha20-Poly1305,
/// a random nonce per message): someone with the database alone cannot post.
pub struct Vault {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(…)")
    }
}

impl Vault {
    pub fn new(key: &[u8; 32]) -> Self {
        Vault { cipher: XChaCha20Poly1305::new(key.into()) }
    }

    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.cipher.encrypt(&nonce, plain).map_err(|_| Error::Internal("sealing credentials".into()))?;
        Ok([&nonce[..], &sealed].concat())
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>> {
        let Some((nonce, data)) = sealed.split_first_chunk::<24>() else {
            return Err(Error::Internal("sealed credentials too short".into()));
        };
        self.cipher
            .decrypt(&XNonce::from(*nonce), data)
            .map_err(|_| Error::Internal("credentials do not open with the configured key".into()))
    }
}

/// Seals every channel's credentials again under `new` (the `rotate-key`
/// command); returns how many.
pub async fn rotate_key(app: &App, new: &Vault) -> Result<usize> {
    let mut tx = app.db.write().await?;
    let all = publications::all_connections(&mut tx).await?;
    for (channel, sealed) in &all {
        let plain = app.vault.open(sealed)?;
        publications::reseal(&mut tx, *channel, &new.seal(&plain)?).await?;
    }
    tx.commit().await?;
    Ok(all.len())
}

// ---- Connections ----

/// How a channel connects; the fields its network needs.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectInput {
    /// A webhook channel's receiver (`https://…`).
    pub url: Option<String>,
    /// A Mastodon channel's instance (`https://mastodon.example`).
    pub instance: Option<String>,
    /// A Mastodon channel's access token (the account's, with `write:statuses`).
    pub access_token: Option<String>,
    /// A Bluesky channel's PDS (`https://bsky.social`, or the account's own).
    pub service: Option<String>,
    /// A Bluesky channel's handle (`team.bsky.social`).
    pub identifier: Option<String>,
    /// A Bluesky channel's app password (Settings → App passwords).
    pub app_password: Option<String>,
    /// A Mastodon channel's visibility: `public` (the default), `unlisted`
    /// or `private` (followers only).
    pub visibility: Option<String>,
    /// A Mastodon channel's content warning, put on each of its posts.
    pub content_warning: Option<String>,
}

/// A channel's connection as anyone in the workspace may see it: never a secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConnectionView {
    pub channel_id: ChannelId,
    /// `connected`, `reconnect_needed` (with the network's words in
    /// `detail`) or `disconnected`.
    pub state: String,
    pub detail: Option<String>,
    /// Where it posts (a receiver's host, an account).
    pub target: Option<String>,
    pub connected_at: Option<Timestamp>,
    /// How it posts: a Mastodon channel's `visibility` and `content_warning`.
    #[schema(value_type = Object)]
    pub options: Value,
    /// A webhook channel's signing secret: shown once, when it connects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl ConnectionView {
    /// A channel with no connection.
    pub fn disconnected(channel: ChannelId) -> Self {
        ConnectionView {
            channel_id: channel,
            state: "disconnected".into(),
            detail: None,
            target: None,
            connected_at: None,
            options: json!({}),
            secret: None,
        }
    }
}

fn view_of(channel: ChannelId, c: Option<&Connection>) -> ConnectionView {
    let Some(c) = c else { return ConnectionView::disconnected(channel) };
    let settings: Value = serde_json::from_str(&c.settings).unwrap_or(Value::Null);
    ConnectionView {
        channel_id: channel,
        state: c.state.clone(),
        detail: c.detail.clone(),
        target: settings["target"].as_str().map(str::to_owned),
        connected_at: Some(c.created_at),
        options: if settings["options"].is_object() { settings["options"].clone() } else { json!({}) },
        secret: None,
    }
}

pub(crate) async fn channel_of(tx: &mut Tx, ws: WorkspaceId, channel: ChannelId) -> Result<planning::Channel> {
    planning::channel(tx, ws, channel).await?.ok_or(Error::NotFound("channel"))
}

/// The network a channel posts to.
pub(crate) async fn network_of(tx: &mut Tx, ws: WorkspaceId, channel: ChannelId) -> Result<Network> {
    network(&channel_of(tx, ws, channel).await?)
}

fn network(channel: &planning::Channel) -> Result<Network> {
    Network::parse(&channel.network).ok_or_else(|| Error::Internal(format!("channel network `{}`", channel.network).into()))
}

/// Connects a channel to the account it posts as (replacing any earlier
/// connection). The credentials are checked with the network first,
/// outside any transaction.
pub async fn connect(app: &App, caller: &Caller, ws: WorkspaceId, channel: ChannelId, input: ConnectInput) -> Result<ConnectionView> {
    let network = {
        let mut tx = app.db.read().await?;
        access::require(&mut tx, caller, ws, Permission::ManageChannels).await?;
        network_of(&mut tx, ws, channel).await?
    };
    let allow_private = app.settings.allow_private_publishing;
    let mut errors = greenlight_domain::validation::Errors::new();
    let mut required = |field: &str, value: Option<&str>, id: &str| match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Some(v.to_owned()),
        None => {
            errors.add_words(field, id, [("network", network.title().to_owned())]);
            None
        }
    };
    let mut options = json!({});
    if network != Network::Mastodon && (input.visibility.is_some() || input.content_warning.is_some()) {
        return Err(Error::field_said("visibility", "err-pub-mastodon-only", []));
    }
    let (credentials, secret, field) = match network {
        Network::Webhook => {
            let url = required("url", input.url.as_deref(), "err-pub-needs-receiver-url");
            let url = url.and_then(|u| crate::webhooks::check_url(&mut errors, allow_private, &u));
            errors.into_result()?;
            let url = url.ok_or_else(|| Error::field_said("url", "err-pub-not-url", []))?;
            let secret = crate::accounts::secret();
            (json!({ "url": url.as_str(), "secret": secret }), Some(secret), "url")
        }
        Network::Mastodon => {
            let instance = required("instance", input.instance.as_deref(), "err-pub-needs-instance");
            let token = required("access_token", input.access_token.as_deref(), "err-pub-needs-token");
            let instance = instance.and_then(|i| crate::webhooks::check_url(&mut errors, allow_private, &i));
            errors.into_result()?;
            let (Some(instance), Some(token)) = (instance, token) else { return Err(Error::field_said("instance", "err-pub-not-url", [])) };
            let visibility = input.visibility.as_deref().map(str::trim).filter(|v| !v.is_empty()).unwrap_or("public");
            if !["public", "unlisted", "private"].contains(&visibility) {
                return Err(Error::field_said("visibility", "err-pub-visibility", []));
            }
            options = json!({ "visibility": visibility });
            if let Some(warning) = input.content_warning.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
                if warning.chars().count() > 500 {
                    return Err(Error::field_said("content_warning", "err-post-too-long", [("max", "500".into())]));
                }
                options["content_warning"] = json!(warning);
            }
            (json!({ "instance": instance.as_str().trim_end_matches('/'), "access_token": token }), None, "access_token")
        }
        Network::Bluesky => {
            let service = required("service", input.service.as_deref(), "err-pub-needs-pds");
            let identifier = required("identifier", input.identifier.as_deref(), "err-pub-needs-handle");
            let password = required("app_password", input.app_password.as_deref(), "err-pub-needs-app-password");
            let service = service.and_then(|s| crate::webhooks::check_url(&mut errors, allow_private, &s));
            errors.into_result()?;
            let (Some(service), Some(identifier), Some(password)) = (service, identifier, password) else {
                return Err(Error::field_said("service", "err-pub-not-url", []));
            };
            let credentials = json!({ "service": service.as_str().trim_end_matches('/'), "identifier": identifier.trim_start_matches('@'),
                "app_password": password });
            (credentials, None, "app_password")
        }
        other => {
            return Err(Error::conflict("err-pub-unsupported-network", [("network", other.title().to_owned())]));
        }
    };
    let connector =
        app.connectors.get(network).ok_or_else(|| Error::conflict("err-pub-no-connector", [("network", network.title().to_owned())]))?;
    let target = connector.verify(&credentials).await.map_err(|why| Error::field(field, why))?;
    let settings = json!({ "target": target, "options": options });
    let now = app.now();
    let sealed = app.vault.seal(credentials.to_string().as_bytes())?;
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageChannels).await?;
    channel_of(&mut tx, ws, channel).await?;
    let created_at = publications::connection(&mut tx, channel).await?.map_or(now, |c| c.created_at);
    let connection = Connection {
        channel_id: channel,
        settings: settings.to_string(),
        sealed,
        state: "connected".into(),
        detail: None,
        created_at,
        updated_at: now,
    };
    publications::put_connection(&mut tx, &connection).await?;
    record(&mut tx, app, caller, Chain::Workspace(ws), "channel.connected", ("channel", Some(channel.uuid())), settings).await?;
    tx.commit().await?;
    Ok(ConnectionView { secret, ..view_of(channel, Some(&connection)) })
}

pub async fn connection(app: &App, caller: &Caller, ws: WorkspaceId, channel: ChannelId) -> Result<ConnectionView> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    channel_of(&mut tx, ws, channel).await?;
    Ok(view_of(channel, publications::connection(&mut tx, channel).await?.as_ref()))
}

/// Every channel's connection in the workspace, by channel.
pub async fn connections(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<HashMap<ChannelId, ConnectionView>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    let found = publications::connections_in(&mut tx, ws).await?;
    Ok(found.iter().map(|c| (c.channel_id, view_of(c.channel_id, Some(c)))).collect())
}

pub async fn disconnect(app: &App, caller: &Caller, ws: WorkspaceId, channel: ChannelId) -> Result<ConnectionView> {
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageChannels).await?;
    channel_of(&mut tx, ws, channel).await?;
    if publications::delete_connection(&mut tx, channel).await? {
        record(&mut tx, app, caller, Chain::Workspace(ws), "channel.disconnected", ("channel", Some(channel.uuid())), json!({})).await?;
    }
    tx.commit().await?;
    Ok(view_of(channel, None))
}

// ---- Publications ----

/// A publication as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicationView {
    pub id: PublicationId,
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub status: Status,
    /// The approved revision it sends.
    pub revision: Hash,
    pub due_at: Timestamp,
    pub attempts: i64,
    pub remote_id: Option<String>,
    /// The live post.
    pub url: Option<String>,
    /// The network's words, when it failed.
    pub error: Option<String>,
    /// Whether retrying can help.
    pub retryable: Option<bool>,
    pub published_at: Option<Timestamp>,
}

impl From<Publication> for PublicationView {
    fn from(p: Publication) -> Self {
        PublicationView {
            id: p.id,
            post_id: p.post_id,
            channel_id: p.channel_id,
            status: p.status,
            revision: p.revision_hash,
            due_at: p.due_at,
            attempts: p.attempts,
            remote_id: p.remote_id,
            url: p.remote_url,
            error: p.error,
            retryable: p.retryable,
            published_at: p.published_at,
        }
    }
}

pub async fn publications(app: &App, caller: &Caller, ws: WorkspaceId, post: PostId) -> Result<Vec<PublicationView>> {
    let mut tx = app.db.read().await?;
    visible_post(&mut tx, caller, ws, post).await?;
    Ok(publications::of_post(&mut tx, post).await?.into_iter().map(Into::into).collect())
}

/// The publications of the posts planned in `[from, until)`, for a calendar.
pub async fn outcomes(app: &App, caller: &Caller, ws: WorkspaceId, from: Timestamp, until: Timestamp) -> Result<Vec<PublicationView>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewPosts).await?;
    Ok(publications::of_posts_planned(&mut tx, ws, from, until).await?.into_iter().map(Into::into).collect())
}

/// Send one channel's publication (or try again after a failure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publish {
    pub publication: PublicationId,
    /// When it was due and after how many attempts: a rescheduled or
    /// retried publication gets a job of its own.
    pub due: Timestamp,
    pub attempts: i64,
}

impl Job for Publish {
    const KIND: &'static str = "publish";
    /// Its own queue: mail, chat or link checks never delay a post.
    const QUEUE: &'static str = "publish";

    fn dedup_key(&self) -> String {
        format!("publish:{}:{}:{}", self.publication, self.attempts, self.due)
    }

    async fn run(&self, app: &App) -> Result<()> {
        publish(app, self.publication).await
    }
}

async fn enqueue(tx: &mut Tx, app: &App, p: &Publication) -> Result<()> {
    jobs::enqueue(tx, app, &Publish { publication: p.id, due: p.due_at, attempts: p.attempts }, p.due_at).await
}

/// Plans the post's publications on the channels its review approved, due
/// at `due` (in the caller's transaction: when the post is scheduled, or
/// published now).
pub(crate) async fn plan(tx: &mut Tx, app: &App, post: &Post, due: Timestamp) -> Result<()> {
    let review = workflows::open_review(tx, post.id).await?.filter(|r| r.run.status == ReviewStatus::Approved);
    let Some(review) = review else { return Err(Error::conflict("err-pub-not-approved", [])) };
    let approved = publications::approved_channels(tx, review.id).await?.unwrap_or_else(|| post.channel_ids.clone());
    let now = app.now();
    for channel in post.channel_ids.iter().filter(|c| approved.contains(c)) {
        let planned = Publication {
            id: PublicationId::from_uuid(Uuid::now_v7()),
            workspace_id: post.workspace_id,
            post_id: post.id,
            channel_id: *channel,
            revision_hash: *review.run.current_revision(),
            status: Status::Scheduled,
            due_at: due,
            attempts: 0,
            idempotency_key: Uuid::now_v7().simple().to_string(),
            remote_id: None,
            remote_url: None,
            error: None,
            retryable: None,
            published_at: None,
            created_at: now,
            updated_at: now,
        };
        let stored = publications::plan(tx, &planned).await?;
        if stored.status == Status::Scheduled {
            enqueue(tx, app, &stored).await?;
        }
    }
    // A channel taken off the post since: its publication is called off.
    for p in publications::of_post(tx, post.id).await? {
        if p.status == Status::Scheduled && !post.channel_ids.contains(&p.channel_id) {
            let cancelled = Publication { status: Status::Cancelled, updated_at: now, ..p };
            publications::transition(tx, &cancelled, Status::Scheduled).await?;
        }
    }
    Ok(())
}

/// The post no longer goes out (unscheduled, or back in review).
pub(crate) async fn call_off(tx: &mut Tx, app: &App, post: PostId) -> Result<()> {
    publications::cancel_pending(tx, post, app.now()).await?;
    Ok(())
}

/// Publishes an approved (or scheduled) post at once.
pub async fn publish_now(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId) -> Result<Vec<PublicationView>> {
    let mut tx = app.db.write().await?;
    let (role, mut post) = visible_post(&mut tx, caller, ws, id).await?;
    require_edit(role, caller, &post)?;
    if !matches!(post.state, PostState::Approved | PostState::Scheduled) {
        return Err(Error::conflict("err-pub-state-cannot-publish", [("state", post.state.to_string())]));
    }
    if post.state == PostState::Approved {
        set_state(&mut tx, app, caller, &mut post, PostState::Scheduled).await?;
    }
    plan(&mut tx, app, &post, app.now()).await?;
    record(&mut tx, app, caller, Chain::Workspace(ws), "post.publish_now", ("post", Some(id.uuid())), json!({})).await?;
    let out = publications::of_post(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out.into_iter().map(Into::into).collect())
}

/// Tries a failed publication again.
pub async fn retry(app: &App, caller: &Caller, ws: WorkspaceId, id: PostId, channel: ChannelId) -> Result<PublicationView> {
    let mut tx = app.db.write().await?;
    let (role, mut post) = visible_post(&mut tx, caller, ws, id).await?;
    require_edit(role, caller, &post)?;
    channel_of(&mut tx, ws, channel).await?;
    let found = publications::of_post(&mut tx, id).await?.into_iter().find(|p| p.channel_id == channel);
    let Some(mut p) = found else { return Err(Error::conflict("err-pub-nothing-to-retry", [])) };
    if p.status != Status::Failed {
        return Err(Error::conflict("err-pub-retry-only-failed", [("status", p.status.as_str().to_owned())]));
    }
    p.status = Status::Scheduled;
    p.due_at = app.now();
    p.updated_at = app.now();
    if !publications::transition(&mut tx, &p, Status::Failed).await? {
        return Err(Error::conflict("err-changed-meanwhile", []));
    }
    enqueue(&mut tx, app, &p).await?;
    derive_post_state(&mut tx, app, &mut post).await?;
    let data = json!({ "channel": channel });
    record(&mut tx, app, caller, Chain::Workspace(ws), "publication.retried", ("post", Some(id.uuid())), data).await?;
    tx.commit().await?;
    Ok(p.into())
}

/// A post put on a network by hand (a network Greenlight has no connector
/// for, or a connector that failed): where and when it went out.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostedByHand {
    /// The live post's address.
    #[serde(default)]
    pub url: Option<String>,
    /// When it went out (RFC 3339); now when left out. Not in the future.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub at: Option<Timestamp>,
}

/// Records that a scheduled or failed publication was posted by hand, so
/// the publisher does not post it again; the history says who said so.
pub async fn posted_by_hand(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    id: PostId,
    channel: ChannelId,
    input: PostedByHand,
) -> Result<PublicationView> {
    let now = app.now();
    let mut errors = greenlight_domain::validation::Errors::new();
    let url = input.url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    if let Some(u) = &url
        && (u.len() > 2000 || url::Url::parse(u).map_or(true, |p| !matches!(p.scheme(), "http" | "https")))
    {
        errors.add_words("url", "err-pub-live-url", []);
    }
    let at = input.at.unwrap_or(now);
    if at > now {
        errors.add_words("at", "err-pub-future", []);
    }
    errors.into_result()?;
    let mut tx = app.db.write().await?;
    let (role, mut post) = visible_post(&mut tx, caller, ws, id).await?;
    require_edit(role, caller, &post)?;
    let channel = channel_of(&mut tx, ws, channel).await?;
    let found = publications::of_post(&mut tx, id).await?.into_iter().find(|p| p.channel_id == channel.id);
    let Some(mut p) = found else {
        return Err(Error::conflict("err-pub-schedule-first", []));
    };
    if !matches!(p.status, Status::Scheduled | Status::Failed) {
        return Err(Error::conflict("err-pub-by-hand-status", [("status", p.status.as_str().to_owned())]));
    }
    let from = p.status;
    p.status = Status::Published;
    p.remote_id = url.clone();
    p.remote_url = url.clone();
    p.error = None;
    p.retryable = None;
    p.published_at = Some(at);
    p.updated_at = now;
    if !publications::transition(&mut tx, &p, from).await? {
        return Err(Error::conflict("err-changed-meanwhile", []));
    }
    let data = json!({ "channel": channel.id, "network": channel.network, "handle": channel.handle, "url": url,
        "revision": p.revision_hash, "by_hand": true, "at": at });
    record(&mut tx, app, caller, Chain::Workspace(ws), "publication.published", ("post", Some(id.uuid())), data).await?;
    derive_post_state(&mut tx, app, &mut post).await?;
    tx.commit().await?;
    Ok(p.into())
}

/// How often a publication is tried before it fails for good.
const MAX_TRIES: i64 = 5;

/// Waits longer after each transient failure: 30 s, 2 min, 4.5 min …
fn backoff(tries: i64) -> SignedDuration {
    SignedDuration::from_secs((30 * tries * tries).min(3600))
}

/// The revision a publication may send, or why it may not: the revision
/// and the channel must be exactly what the post's review approved, and
/// the stored content must still hash to what was approved.
async fn approved_revision(tx: &mut Tx, post: &Post, p: &Publication) -> Result<std::result::Result<posts::Revision, String>> {
    let review = workflows::open_review(tx, post.id).await?.filter(|r| r.run.status == ReviewStatus::Approved);
    let Some(review) = review else { return Ok(Err("the post is not approved".into())) };
    if *review.run.current_revision() != p.revision_hash {
        return Ok(Err("the approved revision is not the one planned".into()));
    }
    let Some(revision) = posts::latest_revision(tx, post.id).await? else { return Ok(Err("the post has no content".into())) };
    if revision.content_hash != p.revision_hash {
        return Ok(Err("the content changed after it was approved".into()));
    }
    if revision.content.hash() != revision.content_hash {
        return Ok(Err(format!("revision {} does not match its approved hash: it was changed in the database", revision.number)));
    }
    let approved = publications::approved_channels(tx, review.id).await?.unwrap_or_else(|| post.channel_ids.clone());
    if !approved.contains(&p.channel_id) || !post.channel_ids.contains(&p.channel_id) {
        return Ok(Err("the review did not approve this channel".into()));
    }
    Ok(Ok(revision))
}

/// What a connector posts with: the connection's credentials, with its
/// options (a Mastodon channel's visibility and content warning) beside them.
fn account(app: &App, connection: &Connection) -> Result<Value> {
    let mut account: Value = serde_json::from_slice(&app.vault.open(&connection.sealed)?).map_err(Error::internal)?;
    let settings: Value = serde_json::from_str(&connection.settings).unwrap_or(Value::Null);
    if let (Some(account), Some(options)) = (account.as_object_mut(), settings["options"].as_object()) {
        account.extend(options.clone());
    }
    Ok(account)
}

/// Reads the media's bytes from the blob store, outside any transaction.
async fn load_media(app: &App, stored: Vec<(media::Media, Option<String>)>) -> std::result::Result<Vec<OutgoingMedia>, Attempt> {
    let mut out = Vec::with_capacity(stored.len());
    for (m, alt_text) in stored {
        let bytes = app
            .blobs
            .get(&m.blob_key)
            .await
            .map_err(|e| Attempt::Transient { message: format!("reading {} from the media store: {e}", m.filename), retry_after: None })?;
        // The store's key is the bytes' hash: a file changed on disk is not what was approved.
        use sha2::Digest;
        if m.blob_key != format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes))) {
            return Err(Attempt::Refused {
                message: format!("{} does not match its stored hash: it was changed in the media store", m.filename),
            });
        }
        out.push(OutgoingMedia {
            media_id: m.id,
            filename: m.filename,
            mime: m.mime,
            width: m.width,
            height: m.height,
            alt_text,
            bytes: bytes.into(),
        });
    }
    Ok(out)
}

/// Sends one publication: the attempt is committed before the call and the
/// outcome after it.
async fn publish(app: &App, id: PublicationId) -> Result<()> {
    let mut tx = app.db.write().await?;
    let Some(mut p) = publications::publication(&mut tx, id).await? else { return Ok(()) };
    let now = app.now();
    if !p.status.pending() || (p.status != Status::Publishing && p.due_at > now) {
        return Ok(()); // done, called off, or moved to a later time with a job of its own
    }
    let Some(mut post) = posts::post(&mut tx, p.workspace_id, p.post_id).await? else { return Ok(()) };
    if !matches!(post.state, PostState::Scheduled | PostState::Publishing | PostState::Failed | PostState::Published) {
        // Back in review or unscheduled since: it does not go out.
        let from = p.status;
        p.status = Status::Cancelled;
        p.updated_at = now;
        publications::transition(&mut tx, &p, from).await?;
        tx.commit().await?;
        return Ok(());
    }
    let channel = planning::channel(&mut tx, p.workspace_id, p.channel_id).await?.ok_or(Error::NotFound("channel"))?;
    let network = network(&channel)?;
    let revision = match approved_revision(&mut tx, &post, &p).await? {
        Ok(revision) => revision,
        Err(why) => {
            fail(&mut tx, app, &mut post, &mut p, &channel, why, false).await?;
            return Ok(tx.commit().await?);
        }
    };
    let connection = publications::connection(&mut tx, p.channel_id).await?.filter(|c| c.state == "connected");
    let connector = app.connectors.get(network);
    let (Some(connection), Some(connector)) = (connection, connector) else {
        let why = format!("the {} channel {} is not connected: connect it, then retry", network.title(), channel.handle);
        fail(&mut tx, app, &mut post, &mut p, &channel, why, true).await?;
        return Ok(tx.commit().await?);
    };
    let account = account(app, &connection)?;
    let effective = revision.content.effective(p.channel_id);
    let mut stored_media = Vec::new();
    for used in effective.media {
        let Some(m) = media::media(&mut tx, p.workspace_id, used.media_id).await? else {
            fail(&mut tx, app, &mut post, &mut p, &channel, "an approved image or video is no longer in the library".into(), false).await?;
            return Ok(tx.commit().await?);
        };
        stored_media.push((m, used.alt_text.clone()));
    }
    let mut out = Outgoing {
        idempotency_key: p.idempotency_key.clone(),
        publication_id: p.id,
        workspace_id: p.workspace_id,
        post_id: p.post_id,
        channel_id: p.channel_id,
        network,
        handle: channel.handle.clone(),
        title: post.title.clone(),
        revision: p.revision_hash,
        text: effective.text.to_owned(),
        link: effective.link.map(str::to_owned),
        first_comment: effective.first_comment.map(str::to_owned),
        thread: effective.thread.to_vec(),
        media: Vec::new(),
        sent_at: now,
        previous_attempt_at: (p.attempts > 0).then_some(p.updated_at),
        planned_at: p.created_at,
        done: publications::progress(&mut tx, p.id).await?,
    };
    // The attempt, committed before the call: a crash from here on leaves
    // it `publishing`, and the next run asks the network first.
    let was = p.status;
    p.status = Status::Publishing;
    p.attempts += 1;
    p.updated_at = now;
    if !publications::transition(&mut tx, &p, was).await? {
        return Ok(()); // another worker took it
    }
    derive_post_state(&mut tx, app, &mut post).await?;
    tx.commit().await?;

    let progress = Kept { app, publication: p.id, done: std::sync::Mutex::new(out.done.clone()) };
    let attempt = match load_media(app, stored_media).await {
        Err(refused) => refused,
        Ok(loaded) => {
            out.media = loaded;
            match was {
                Status::Scheduled => connector.publish(&account, &out, &progress).await,
                _ => match connector.reconcile(&account, &out).await {
                    Reconciled::Published { remote_id, url } => Attempt::Published { remote_id, url },
                    Reconciled::NotThere => connector.publish(&account, &out, &progress).await,
                    Reconciled::Unknown { message } => Attempt::Unanswered { message },
                },
            }
        }
    };

    let mut tx = app.db.write().await?;
    let Some(mut p) = publications::publication(&mut tx, id).await? else { return Ok(()) };
    if p.status != Status::Publishing {
        return Ok(());
    }
    let Some(mut post) = posts::post(&mut tx, p.workspace_id, p.post_id).await? else { return Ok(()) };
    let now = app.now();
    match attempt {
        Attempt::Published { remote_id, url } => {
            p.status = Status::Published;
            p.remote_id = Some(remote_id.clone());
            p.remote_url = url.clone();
            p.error = None;
            p.retryable = None;
            p.published_at = Some(now);
            p.updated_at = now;
            publications::transition(&mut tx, &p, Status::Publishing).await?;
            let data = json!({ "channel": p.channel_id, "network": network, "handle": channel.handle, "remote_id": remote_id,
                "url": url, "revision": p.revision_hash, "attempts": p.attempts });
            record(
                &mut tx,
                app,
                &Caller::system(),
                Chain::Workspace(p.workspace_id),
                "publication.published",
                ("post", Some(p.post_id.uuid())),
                data,
            )
            .await?;
            derive_post_state(&mut tx, app, &mut post).await?;
        }
        Attempt::Refused { message } => fail(&mut tx, app, &mut post, &mut p, &channel, message, false).await?,
        Attempt::Revoked { message } => {
            if let Some(mut c) = publications::connection(&mut tx, p.channel_id).await? {
                c.state = "reconnect_needed".into();
                c.detail = Some(message.clone());
                c.updated_at = now;
                publications::put_connection(&mut tx, &c).await?;
                let data = json!({ "channel": p.channel_id, "detail": message });
                record(
                    &mut tx,
                    app,
                    &Caller::system(),
                    Chain::Workspace(p.workspace_id),
                    "channel.reconnect_needed",
                    ("channel", Some(p.channel_id.uuid())),
                    data,
                )
                .await?;
            }
            fail(&mut tx, app, &mut post, &mut p, &channel, message, true).await?;
        }
        Attempt::Transient { message, retry_after } if p.attempts < MAX_TRIES => {
            again(&mut tx, app, &mut p, Status::Scheduled, message, retry_after).await?;
        }
        // Asked, not resent, when its turn comes.
        Attempt::Unanswered { message } if p.attempts < MAX_TRIES => {
            again(&mut tx, app, &mut p, Status::Unknown, message, None).await?;
        }
        Attempt::Transient { message, .. } | Attempt::Unanswered { message } => {
            let why = format!("{message} (after {} attempts)", p.attempts);
            fail(&mut tx, app, &mut post, &mut p, &channel, why, true).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Puts an attempt back on the queue for later, as `status`.
async fn again(
    tx: &mut Tx,
    app: &App,
    p: &mut Publication,
    status: Status,
    message: String,
    retry_after: Option<SignedDuration>,
) -> Result<()> {
    let now = app.now();
    p.status = status;
    p.due_at = now + retry_after.unwrap_or_else(|| backoff(p.attempts));
    p.error = Some(message);
    p.updated_at = now;
    publications::transition(tx, p, Status::Publishing).await?;
    enqueue(tx, app, p).await
}

async fn fail(
    tx: &mut Tx,
    app: &App,
    post: &mut Post,
    p: &mut Publication,
    channel: &planning::Channel,
    why: String,
    retryable: bool,
) -> Result<()> {
    let from = p.status;
    p.status = Status::Failed;
    p.error = Some(why.clone());
    p.retryable = Some(retryable);
    p.updated_at = app.now();
    publications::transition(tx, p, from).await?;
    let data = json!({ "channel": p.channel_id, "network": channel.network, "handle": channel.handle, "error": why,
        "retryable": retryable, "attempts": p.attempts });
    record(tx, app, &Caller::system(), Chain::Workspace(p.workspace_id), "publication.failed", ("post", Some(p.post_id.uuid())), data)
        .await?;
    derive_post_state(tx, app, post).await
}

/// Moves the post to the state its publications make it.
async fn derive_post_state(tx: &mut Tx, app: &App, post: &mut Post) -> Result<()> {
    let statuses: Vec<Status> = publications::of_post(tx, post.id).await?.iter().map(|p| p.status).collect();
    let to = publication::post_state(&statuses).unwrap_or(PostState::Scheduled);
    if to != post.state {
        set_state(tx, app, &Caller::system(), post, to).await?;
    }
    Ok(())
}

async fn set_state(tx: &mut Tx, app: &App, caller: &Caller, post: &mut Post, to: PostState) -> Result<()> {
    let (from, expected) = (post.state, post.version);
    post.state = to;
    post.version += 1;
    post.updated_at = app.now();
    posts::update_progress(tx, post, expected).await?;
    let data = json!({ "from": from, "to": to });
    record(tx, app, caller, Chain::Workspace(post.workspace_id), "post.state_changed", ("post", Some(post.id.uuid())), data).await?;
    Ok(())
}
