//! Webhooks and their deliveries.

use greenlight_domain::{
    Timestamp,
    id::{DeliveryId, EventId, UserId, WebhookId, WorkspaceId},
    webhook::Kind,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub workspace_id: WorkspaceId,
    pub kind: Kind,
    pub name: String,
    pub url: String,
    /// The events it receives: `*`, a family like `review.*`, or exact actions.
    pub events: Vec<String>,
    /// A chat hook for one workflow stage only (e.g. the QA channel).
    pub stage_key: Option<String>,
    pub active: bool,
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
}

type HookRow = (Uuid, Uuid, String, String, String, String, Option<String>, bool, Option<Uuid>, DbTime, String);

fn hook_from(row: HookRow) -> Result<(Webhook, String)> {
    let (id, ws, kind, name, url, events, stage_key, active, created_by, created_at, secret) = row;
    let hook = Webhook {
        id: WebhookId::from_uuid(id),
        workspace_id: WorkspaceId::from_uuid(ws),
        kind: Kind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("webhook kind `{kind}`")))?,
        name,
        url,
        events: serde_json::from_str(&events).map_err(|e| StoreError::Corrupt(format!("webhook events: {e}")))?,
        stage_key,
        active,
        created_by: created_by.map(UserId::from_uuid),
        created_at: created_at.0,
    };
    Ok((hook, secret))
}

macro_rules! hook_select {
    () => {
        "SELECT id, workspace_id, kind, name, url, events, stage_key, active, created_by, created_at, secret FROM webhooks "
    };
}

pub async fn insert_webhook(tx: &mut Tx, hook: &Webhook, secret: &str) -> Result<()> {
    let events = serde_json::to_string(&hook.events).map_err(|e| StoreError::Corrupt(format!("encoding events: {e}")))?;
    sql!(
        tx,
        exec,
        "INSERT INTO webhooks (id, workspace_id, kind, name, url, secret, events, stage_key, active, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        hook.id.uuid(),
        hook.workspace_id.uuid(),
        hook.kind.as_str(),
        &hook.name,
        &hook.url,
        secret,
        events,
        hook.stage_key.as_deref(),
        hook.active,
        hook.created_by.map(|u| u.uuid()),
        DbTime(hook.created_at)
    )?;
    Ok(())
}

/// A hook of the workspace, with its secret.
pub async fn webhook(tx: &mut Tx, workspace: WorkspaceId, id: WebhookId) -> Result<Option<(Webhook, String)>> {
    sql!(tx, optional as HookRow, concat!(hook_select!(), "WHERE workspace_id = $1 AND id = $2"), workspace.uuid(), id.uuid())?
        .map(hook_from)
        .transpose()
}

/// A hook by id, whatever its workspace, with its secret.
pub async fn webhook_by_id(tx: &mut Tx, id: WebhookId) -> Result<Option<(Webhook, String)>> {
    sql!(tx, optional as HookRow, concat!(hook_select!(), "WHERE id = $1"), id.uuid())?.map(hook_from).transpose()
}

/// The workspace's hooks, oldest first, with their secrets.
pub async fn webhooks(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<(Webhook, String)>> {
    sql!(tx, all as HookRow, concat!(hook_select!(), "WHERE workspace_id = $1 ORDER BY id"), workspace.uuid())?
        .into_iter()
        .map(hook_from)
        .collect()
}

pub async fn set_active(tx: &mut Tx, id: WebhookId, active: bool) -> Result<()> {
    sql!(tx, exec, "UPDATE webhooks SET active = $2 WHERE id = $1", id.uuid(), active)?;
    Ok(())
}

pub async fn delete_webhook(tx: &mut Tx, workspace: WorkspaceId, id: WebhookId) -> Result<bool> {
    Ok(sql!(tx, exec, "DELETE FROM webhooks WHERE workspace_id = $1 AND id = $2", workspace.uuid(), id.uuid())? > 0)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    /// The audit event delivered.
    pub event_id: Option<EventId>,
    pub action: String,
    /// `pending` (being tried), `delivered`, or `failed` (after every retry).
    pub status: String,
    pub attempts: i64,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// The delivery this one repeats.
    pub redelivery_of: Option<DeliveryId>,
    /// The exact JSON sent.
    pub body: String,
}

impl Delivery {
    /// A delivery not yet tried.
    pub fn pending(webhook_id: WebhookId, event_id: Option<EventId>, action: String, body: String, now: Timestamp) -> Self {
        Delivery {
            id: DeliveryId::from_uuid(Uuid::now_v7()),
            webhook_id,
            event_id,
            action,
            status: "pending".into(),
            attempts: 0,
            last_status: None,
            last_error: None,
            created_at: now,
            finished_at: None,
            redelivery_of: None,
            body,
        }
    }
}

type DeliveryRow =
    (Uuid, Uuid, Option<Uuid>, String, String, i64, Option<i64>, Option<String>, DbTime, Option<DbTime>, Option<Uuid>, String);

fn delivery_from(row: DeliveryRow) -> Delivery {
    let (id, hook, event, action, status, attempts, last_status, last_error, created_at, finished_at, redelivery_of, body) = row;
    Delivery {
        id: DeliveryId::from_uuid(id),
        webhook_id: WebhookId::from_uuid(hook),
        event_id: event.map(EventId::from_uuid),
        action,
        status,
        attempts,
        last_status,
        last_error,
        created_at: created_at.0,
        finished_at: finished_at.map(|t| t.0),
        redelivery_of: redelivery_of.map(DeliveryId::from_uuid),
        body,
    }
}

macro_rules! delivery_select {
    () => {
        "SELECT id, webhook_id, event_id, action, status, attempts, last_status, last_error, created_at, finished_at, redelivery_of, body
         FROM webhook_deliveries "
    };
}

/// Stores a delivery; false if the event already went to this hook.
pub async fn insert_delivery(tx: &mut Tx, d: &Delivery) -> Result<bool> {
    let n = sql!(
        tx,
        exec,
        "INSERT INTO webhook_deliveries (id, webhook_id, event_id, action, body, status, created_at, redelivery_of)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (webhook_id, event_id) WHERE redelivery_of IS NULL DO NOTHING",
        d.id.uuid(),
        d.webhook_id.uuid(),
        d.event_id.map(|e| e.uuid()),
        &d.action,
        &d.body,
        &d.status,
        DbTime(d.created_at),
        d.redelivery_of.map(|r| r.uuid())
    )?;
    Ok(n > 0)
}

pub async fn delivery(tx: &mut Tx, id: DeliveryId) -> Result<Option<Delivery>> {
    Ok(sql!(tx, optional as DeliveryRow, concat!(delivery_select!(), "WHERE id = $1"), id.uuid())?.map(delivery_from))
}

/// A hook's deliveries, newest first, before the cursor.
pub async fn deliveries(tx: &mut Tx, hook: WebhookId, before: Option<DeliveryId>, limit: i64) -> Result<Vec<Delivery>> {
    let rows = sql!(
        tx,
        all as DeliveryRow,
        concat!(delivery_select!(), "WHERE webhook_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"),
        hook.uuid(),
        before.map(|b| b.uuid()),
        limit
    )?;
    Ok(rows.into_iter().map(delivery_from).collect())
}

/// Records one attempt: its HTTP status or error, and whether it settled
/// the delivery (`delivered` / `failed`) or leaves it `pending`.
pub async fn record_attempt(
    tx: &mut Tx,
    id: DeliveryId,
    status: &str,
    http_status: Option<i64>,
    error: Option<&str>,
    finished: Option<Timestamp>,
) -> Result<()> {
    sql!(
        tx,
        exec,
        "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, last_status = $3, last_error = $4, finished_at = $5 WHERE id = $1",
        id.uuid(),
        status,
        http_status,
        error,
        finished.map(DbTime)
    )?;
    Ok(())
}

/// Marks a delivery failed for good (its job gave up).
pub async fn give_up(tx: &mut Tx, id: DeliveryId, now: Timestamp) -> Result<()> {
    sql!(
        tx,
        exec,
        "UPDATE webhook_deliveries SET status = 'failed', finished_at = $2 WHERE id = $1 AND status = 'pending'",
        id.uuid(),
        DbTime(now)
    )?;
    Ok(())
}
