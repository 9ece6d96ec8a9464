//! The webhook channel: the approved content as signed JSON, posted to a
//! receiver the team runs (for anything Greenlight has no connector for).
//!
//! The contract a receiver keeps: `Greenlight-Delivery` (also sent as
//! `Idempotency-Key`) is the same for every attempt of one publication, and
//! a repeat gets the answer the first attempt got. That makes sending again
//! the way to reconcile an attempt that ended without an answer. A 2xx
//! answer may name the post it made: `{"id": "…", "url": "https://…"}`.

use std::time::Duration;

use async_trait::async_trait;
use greenlight_service::publishing::{Attempt, Connector, Outgoing, Progress, Reconciled};
use jiff::SignedDuration;
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::{Value, json};

pub struct WebhookChannel {
    client: reqwest::Client,
}

impl WebhookChannel {
    pub fn new(allow_private: bool) -> Result<Self, String> {
        Ok(WebhookChannel { client: greenlight_delivery::http_client(allow_private, Duration::from_secs(30))? })
    }
}

/// The body a receiver gets.
fn body(out: &Outgoing) -> Value {
    json!({
        "type": "publication",
        "idempotency_key": out.idempotency_key,
        "publication_id": out.publication_id,
        "workspace_id": out.workspace_id,
        "post_id": out.post_id,
        "channel": { "id": out.channel_id, "handle": out.handle },
        "title": out.title,
        "revision": out.revision,
        "content": {
            "text": out.text,
            "link": out.link,
            "first_comment": out.first_comment,
            "thread": out.thread,
            "media": out.media,
        },
    })
}

/// How long the receiver asked to wait (`Retry-After` in seconds, or
/// `RateLimit-Reset`).
fn retry_after(headers: &HeaderMap) -> Option<SignedDuration> {
    ["retry-after", "ratelimit-reset"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok()?.trim().parse::<i64>().ok())
        .map(|secs| SignedDuration::from_secs(secs.clamp(0, 3600)))
}

/// At most this much of a receiver's answer is kept as its message.
const MAX_MESSAGE: usize = 500;

#[async_trait]
impl Connector for WebhookChannel {
    /// The receiver is checked by the first publication (a receiver need
    /// answer nothing but publications).
    async fn verify(&self, credentials: &Value) -> Result<String, String> {
        let url = credentials["url"].as_str().ok_or("no URL")?;
        Ok(url.split("://").nth(1).and_then(|rest| rest.split(['/', ':']).next()).unwrap_or(url).to_owned())
    }

    async fn publish(&self, credentials: &Value, out: &Outgoing, _progress: &dyn Progress) -> Attempt {
        let (Some(url), Some(secret)) = (credentials["url"].as_str(), credentials["secret"].as_str()) else {
            return Attempt::Revoked { message: "the channel's connection is incomplete".into() };
        };
        let Ok(body) = serde_json::to_vec(&body(out)) else {
            return Attempt::Refused { message: "the post could not be written as JSON".into() };
        };
        let t = out.sent_at.as_second();
        let request = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("greenlight-event", "publication")
            .header("greenlight-delivery", &out.idempotency_key)
            .header("idempotency-key", &out.idempotency_key)
            .header("greenlight-signature", greenlight_domain::webhook::signature(secret.as_bytes(), t, &body))
            .body(body);
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return crate::no_answer("the receiver", e),
        };
        let status = response.status();
        let wait = retry_after(response.headers());
        let text = response.text().await.unwrap_or_default();
        let message = || {
            let said: String = text.chars().take(MAX_MESSAGE).collect();
            if said.trim().is_empty() {
                format!("the receiver answered {status}")
            } else {
                format!("the receiver answered {status}: {said}")
            }
        };
        match status {
            s if s.is_success() => {
                let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let remote_id = answer["id"].as_str().map_or_else(|| out.idempotency_key.clone(), str::to_owned);
                let url = answer["url"].as_str().map(str::to_owned);
                Attempt::Published { remote_id, url }
            }
            StatusCode::TOO_MANY_REQUESTS => Attempt::Transient { message: message(), retry_after: wait },
            StatusCode::REQUEST_TIMEOUT => Attempt::Unanswered { message: message() },
            s if s.is_server_error() => Attempt::Unanswered { message: message() },
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Attempt::Revoked { message: message() },
            _ => Attempt::Refused { message: message() },
        }
    }

    /// A receiver answers a repeated delivery as it answered the first, so
    /// sending again is how an unanswered attempt is settled.
    async fn reconcile(&self, _credentials: &Value, _out: &Outgoing) -> Reconciled {
        Reconciled::NotThere
    }
}
