//! Webhooks: a workspace's outgoing webhooks (every event it picks, as
//! signed JSON) and its chat channels (Slack, Teams, Discord — a readable
//! message about review events, optionally for one stage only). Each
//! delivery is stored with its exact body and sent through the job queue:
//! retried with backoff, then marked failed; an admin lists deliveries and
//! redelivers.

use crate::error::AddWords as _;
use greenlight_domain::{
    audit::{Chain, Event},
    id::{DeliveryId, WebhookId, WorkspaceId},
    names::Name,
    permission::Permission,
    webhook::{self, ChatMessage, Kind},
};
use greenlight_store::{
    Tx,
    posts::Post,
    webhooks::{self, Delivery, Webhook},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    App, Caller, access,
    accounts::secret,
    audit::record,
    error::{Error, Result},
    jobs::{self, Job},
    metrics::Channel,
};

/// Sends a delivery. `Ok` is the receiver's HTTP status (any); `Err` means
/// no answer (refused, timed out, TLS).
#[async_trait::async_trait]
pub trait WebhookSender: Send + Sync {
    async fn post(&self, url: &str, headers: &[(String, String)], body: &[u8]) -> std::result::Result<u16, String>;
}

pub const MAX_URL_CHARS: usize = 2048;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    pub kind: Kind,
    #[schema(value_type = greenlight_domain::names::Name)]
    pub name: String,
    /// `https://…` (plain `http` only where the server allows private addresses, for local testing).
    pub url: String,
    /// Default: every event for `generic`; review and comment events for chat.
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// Chat only: just events about this workflow stage (by key).
    #[serde(default)]
    pub stage_key: Option<String>,
}

/// A new hook; `secret` (for `generic`: verify `Greenlight-Signature` with it) is shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: crate::views::Webhook,
    pub secret: Option<String>,
}

/// Checks a hook's URL: well-formed, HTTPS, and not a private address
/// written out (names are checked again, resolved, when sending).
/// A URL Greenlight may call: https (http too, and private addresses, only
/// where `allow_private`), no credentials in it.
pub(crate) fn check_url(errors: &mut greenlight_domain::validation::Errors, allow_private: bool, input: &str) -> Option<url::Url> {
    if input.chars().count() > MAX_URL_CHARS {
        errors.add_words("url", "err-hook-url-long", [("max", MAX_URL_CHARS.to_string())]);
        return None;
    }
    let Ok(parsed) = url::Url::parse(input.trim()) else {
        errors.add_words("url", "err-hook-url-invalid", []);
        return None;
    };
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => {
            errors.add_words("url", "err-hook-url-https", []);
            return None;
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        errors.add_words("url", "err-hook-url-credentials", []);
        return None;
    }
    if parsed.host().is_none() {
        errors.add_words("url", "err-hook-url-host", []);
        return None;
    }
    if private_host(&parsed) && !allow_private {
        errors.add_words("url", "err-hook-url-private", []);
        return None;
    }
    Some(parsed)
}

/// Whether a URL names this machine or a private network outright (a
/// literal address, or `localhost`).
fn private_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => webhook::is_private(ip.into()),
        Some(url::Host::Ipv6(ip)) => webhook::is_private(ip.into()),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost"),
        None => true,
    }
}

fn default_events(kind: Kind) -> Vec<String> {
    match kind {
        Kind::Generic => vec!["*".into()],
        _ => vec!["review.*".into(), "comment.added".into(), "publication.*".into()],
    }
}

pub async fn create(app: &App, caller: &Caller, ws: WorkspaceId, input: NewWebhook) -> Result<CreatedWebhook> {
    let mut errors = greenlight_domain::validation::Errors::new();
    let name = errors.check("name", Name::parse(&input.name));
    let url = check_url(&mut errors, app.settings.allow_private_webhooks, &input.url);
    let events = input.events.unwrap_or_else(|| default_events(input.kind));
    if events.is_empty() {
        errors.add_words("events", "err-hook-events-empty", []);
    } else if events.len() > webhook::MAX_PATTERNS {
        errors.add_words("events", "err-hook-events-many", [("max", webhook::MAX_PATTERNS.to_string())]);
    }
    for (i, pattern) in events.iter().enumerate() {
        if let Some(message) = webhook::pattern_error(pattern) {
            errors.add(format!("events.{i}"), message);
        }
    }
    if input.stage_key.is_some() && input.kind == Kind::Generic {
        errors.add_words("stage_key", "err-hook-stage-generic", []);
    }
    if input.stage_key.as_deref().is_some_and(|k| k.trim().is_empty() || k.len() > 64) {
        errors.add_words("stage_key", "err-hook-stage-key", []);
    }
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageWebhooks).await?;
    errors.into_result()?;
    let (Some(name), Some(url)) = (name, url) else { return Err(Error::Internal("a checked hook without name or URL".into())) };
    let hook = Webhook {
        id: WebhookId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        kind: input.kind,
        name: name.as_str().to_owned(),
        url: url.to_string(),
        events,
        stage_key: input.stage_key,
        active: true,
        created_by: caller.user,
        created_at: app.now(),
    };
    let secret = format!("whsec_{}", secret());
    webhooks::insert_webhook(&mut tx, &hook, &secret).await?;
    // The URL of a chat webhook is its credential: the log keeps the host only.
    let data = json!({ "kind": hook.kind, "name": hook.name, "host": url.host_str(), "events": hook.events, "stage_key": hook.stage_key });
    record(&mut tx, app, caller, Chain::Workspace(ws), "webhook.created", ("webhook", Some(hook.id.uuid())), data).await?;
    tx.commit().await?;
    let secret = (hook.kind == Kind::Generic).then_some(secret);
    Ok(CreatedWebhook { webhook: hook.into(), secret })
}

pub async fn list(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::Webhook>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ManageWebhooks).await?;
    Ok(webhooks::webhooks(&mut tx, ws).await?.into_iter().map(|(h, _)| h).map(Into::into).collect())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    /// `false` pauses deliveries (events meanwhile are not queued).
    pub active: bool,
}

pub async fn change(app: &App, caller: &Caller, ws: WorkspaceId, id: WebhookId, input: WebhookChange) -> Result<crate::views::Webhook> {
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageWebhooks).await?;
    let (mut hook, _) = webhooks::webhook(&mut tx, ws, id).await?.ok_or(Error::NotFound("webhook"))?;
    if hook.active != input.active {
        webhooks::set_active(&mut tx, id, input.active).await?;
        hook.active = input.active;
        let action = if input.active { "webhook.resumed" } else { "webhook.paused" };
        record(&mut tx, app, caller, Chain::Workspace(ws), action, ("webhook", Some(id.uuid())), json!({})).await?;
    }
    tx.commit().await?;
    Ok(hook.into())
}

pub async fn delete(app: &App, caller: &Caller, ws: WorkspaceId, id: WebhookId) -> Result<()> {
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageWebhooks).await?;
    if !webhooks::delete_webhook(&mut tx, ws, id).await? {
        return Err(Error::NotFound("webhook"));
    }
    record(&mut tx, app, caller, Chain::Workspace(ws), "webhook.deleted", ("webhook", Some(id.uuid())), json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// A page of a hook's deliveries, newest first.
pub async fn deliveries(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    id: WebhookId,
    before: Option<DeliveryId>,
    limit: Option<i64>,
) -> Result<(Vec<crate::views::Delivery>, Option<DeliveryId>)> {
    let mut errors = greenlight_domain::validation::Errors::new();
    let limit = crate::page_limit(&mut errors, limit);
    errors.into_result()?;
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ManageWebhooks).await?;
    webhooks::webhook(&mut tx, ws, id).await?.ok_or(Error::NotFound("webhook"))?;
    let rows = webhooks::deliveries(&mut tx, id, before, limit + 1).await?;
    Ok(crate::page(crate::views::all(rows), limit, |d| d.id))
}

/// Sends a delivery's body again, as a new delivery.
pub async fn redeliver(app: &App, caller: &Caller, ws: WorkspaceId, id: WebhookId, delivery: DeliveryId) -> Result<crate::views::Delivery> {
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageWebhooks).await?;
    webhooks::webhook(&mut tx, ws, id).await?.ok_or(Error::NotFound("webhook"))?;
    let original = webhooks::delivery(&mut tx, delivery).await?.filter(|d| d.webhook_id == id).ok_or(Error::NotFound("delivery"))?;
    let again = Delivery {
        redelivery_of: Some(original.id),
        ..Delivery::pending(id, original.event_id, original.action.clone(), original.body.clone(), app.now())
    };
    webhooks::insert_delivery(&mut tx, &again).await?;
    jobs::enqueue(&mut tx, app, &Deliver { delivery: again.id }, app.now()).await?;
    record(
        &mut tx,
        app,
        caller,
        Chain::Workspace(ws),
        "webhook.redelivered",
        ("webhook", Some(id.uuid())),
        json!({ "delivery": again.id, "of": original.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(again.into())
}

/// Queues a delivery of `event` to every active hook that wants it (in the
/// transaction that follows the event).
pub async fn enqueue_for_event(
    tx: &mut Tx,
    app: &App,
    ws: WorkspaceId,
    event: &Event,
    data: &Value,
    post: Option<&Post>,
    actor: &str,
) -> Result<()> {
    let hooks = webhooks::webhooks(tx, ws).await?;
    if hooks.is_empty() {
        return Ok(());
    }
    let workspace = greenlight_store::workspaces::workspace(tx, ws).await?.map(|w| w.name).unwrap_or_default();
    for (hook, _) in hooks {
        if !hook.active || !webhook::wants(&hook.events, &event.action) {
            continue;
        }
        let id = DeliveryId::from_uuid(Uuid::now_v7());
        let body = match hook.kind {
            Kind::Generic => json!({
                "id": id, "workspace_id": ws,
                "event": { "id": event.id, "seq": event.seq, "at": event.at, "actor": event.actor, "action": event.action,
                           "subject_kind": event.subject_kind, "subject_id": event.subject_id, "data": data },
            }),
            chat => {
                let (Some(post), Some(summary)) = (post, describe(&event.action, data, actor)) else { continue };
                let stage = data["stage"].as_str().or(data["progress"]["waiting_at"].as_str());
                if hook.stage_key.as_deref().is_some_and(|key| stage != Some(key)) {
                    continue;
                }
                let context = match &post.review_stage {
                    Some(stage) => format!("{workspace} · in review at {stage}"),
                    None => format!("{workspace} · {}", post.state),
                };
                let message = ChatMessage { title: post.title.clone(), summary, url: app.post_url(ws, post.id), context };
                webhook::chat_body(chat, &message)
            }
        };
        let delivery = Delivery { id, ..Delivery::pending(hook.id, Some(event.id), event.action.clone(), body.to_string(), app.now()) };
        if webhooks::insert_delivery(tx, &delivery).await? {
            jobs::enqueue(tx, app, &Deliver { delivery: id }, app.now()).await?;
        }
    }
    Ok(())
}

/// One sentence for a chat channel about a review, comment or publication event.
fn describe(action: &str, data: &Value, actor: &str) -> Option<String> {
    let stage = data["stage"].as_str().or(data["progress"]["waiting_at"].as_str()).unwrap_or("review");
    let comment = |c: &Value| c.as_str().filter(|c| !c.is_empty()).map(|c| format!(": “{}”", c.chars().take(200).collect::<String>()));
    let mut text = match action {
        "review.started" => format!("{actor} submitted it for review"),
        "review.resubmitted" => format!("{actor} resubmitted it after changes"),
        "review.decided" => match data["verdict"].as_str() {
            Some("approve") => format!("{actor} approved it at {stage}"),
            Some("request_changes") => format!("{actor} asked for changes at {stage}{}", comment(&data["comment"]).unwrap_or_default()),
            Some("reject") => format!("{actor} rejected it at {stage}{}", comment(&data["comment"]).unwrap_or_default()),
            _ => return None,
        },
        "review.overridden" => format!("{actor} approved stage {stage} by override{}", comment(&data["reason"]).unwrap_or_default()),
        "review.withdrawn" => format!("{actor} withdrew it from review"),
        "review.reminder" => format!("It still waits for review at {stage}"),
        "review.escalated" => format!("It is overdue at {stage} and was escalated"),
        "review.publish_time_passed" => "Its planned time came before its approval; it waits".to_owned(),
        "review.expired" => "Its planned time came before its approval; its review expired".to_owned(),
        // Chat channels may hold people outside the team: internal words stay inside.
        "comment.added" if data["visibility"] == "external" => format!("{actor} commented{}", comment(&data["body"]).unwrap_or_default()),
        "comment.added" => format!("{actor} added an internal comment"),
        "publication.published" => match data["url"].as_str() {
            Some(url) => format!("It went out on {}: {url}", data["handle"].as_str().unwrap_or("a channel")),
            None => format!("It went out on {}", data["handle"].as_str().unwrap_or("a channel")),
        },
        "publication.failed" => {
            format!(
                "It could not go out on {}: {}",
                data["handle"].as_str().unwrap_or("a channel"),
                data["error"].as_str().unwrap_or("refused")
            )
        }
        _ => return None,
    };
    if data["progress"]["outcome"] == "approved" {
        text.push_str(" — approved by every stage");
    }
    Some(text)
}

/// Send a webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliver {
    pub delivery: DeliveryId,
}

impl Job for Deliver {
    const KIND: &'static str = "deliver";
    /// A receiver that times out holds up only other deliveries.
    const QUEUE: &'static str = "webhooks";

    fn dedup_key(&self) -> String {
        format!("deliver:{}", self.delivery)
    }

    async fn run(&self, app: &App) -> Result<()> {
        deliver(app, self.delivery).await
    }

    async fn gave_up(&self, app: &App) -> Result<()> {
        gave_up(app, self.delivery).await
    }
}

/// Sends one delivery. An answer other than 2xx, or none, is an error, so
/// the queue retries; the last failure marks it failed.
async fn deliver(app: &App, id: DeliveryId) -> Result<()> {
    let mut tx = app.db.read().await?;
    let Some(delivery) = webhooks::delivery(&mut tx, id).await? else { return Ok(()) };
    if delivery.status != "pending" {
        return Ok(());
    }
    let hook = webhooks::webhook_by_id(&mut tx, delivery.webhook_id).await?;
    drop(tx);
    let Some((hook, secret)) = hook else { return Ok(()) };
    let now = app.now();
    if !hook.active {
        let mut tx = app.db.write().await?;
        webhooks::record_attempt(&mut tx, id, "failed", None, Some("the webhook was paused before this was sent"), Some(now)).await?;
        tx.commit().await?;
        return Ok(());
    }
    let settle = |status: &'static str, http: Option<i64>, error: Option<String>| {
        let app = app.clone();
        async move {
            let mut tx = app.db.write().await?;
            let finished = (status != "pending").then_some(app.now());
            webhooks::record_attempt(&mut tx, id, status, http, error.as_deref(), finished).await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        }
    };
    // An address written out is checked here (the server's setting may
    // have changed since the hook was registered); a name, when the sender
    // resolves it (see `greenlight_delivery::HttpSender`).
    if !app.settings.allow_private_webhooks && url::Url::parse(&hook.url).map_or(true, |u| private_host(&u)) {
        let reason = "the URL points at a private or local address, which this server does not call";
        return settle("failed", None, Some(reason.into())).await;
    }
    let body = delivery.body.as_bytes();
    let mut headers =
        vec![("Content-Type".to_owned(), "application/json".to_owned()), ("User-Agent".to_owned(), "Greenlight-Webhooks/1".to_owned())];
    if hook.kind == Kind::Generic {
        headers.push((webhook::SIGNATURE_HEADER.to_owned(), webhook::signature(secret.as_bytes(), now.as_second(), body)));
        headers.push(("Greenlight-Event".to_owned(), delivery.action.clone()));
        headers.push(("Greenlight-Delivery".to_owned(), delivery.id.to_string()));
    }
    let sent = app.webhooks.post(&hook.url, &headers, body).await;
    let channel = if hook.kind == Kind::Generic { Channel::Webhook } else { Channel::Chat };
    app.metrics.delivery(channel, sent.as_ref().is_ok_and(|status| (200..300).contains(status)));
    match sent {
        Ok(status) if (200..300).contains(&status) => settle("delivered", Some(i64::from(status)), None).await,
        Ok(status) => {
            settle("pending", Some(i64::from(status)), Some(format!("the receiver answered {status}"))).await?;
            Err(Error::Internal(format!("webhook {} answered {status}", hook.id).into()))
        }
        Err(err) => {
            settle("pending", None, Some(err.clone())).await?;
            Err(Error::Internal(format!("webhook {}: {err}", hook.id).into()))
        }
    }
}

/// Marks a delivery failed when its job gives up.
async fn gave_up(app: &App, id: DeliveryId) -> Result<()> {
    let mut tx = app.db.write().await?;
    webhooks::give_up(&mut tx, id, app.now()).await?;
    tx.commit().await?;
    Ok(())
}
