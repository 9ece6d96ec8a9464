//! Mastodon: a status per segment (the text, then the thread, then the
//! first comment, each a reply to the one before), with an
//! `Idempotency-Key` per segment derived from the publication's key.
//!
//! Mastodon keeps an idempotency key for an hour and answers a repeat with
//! the status it made the first time, so sending a whole thread again with
//! the same keys completes it without a duplicate: that is how an attempt
//! that ended without an answer is settled, and how a thread that failed
//! half way goes on. Written by hand: three calls, and the `megalodon`-style
//! crates bring their own HTTP stacks without the private-address guard.

use std::time::Duration;

use async_trait::async_trait;
use greenlight_service::publishing::{Attempt, Connector, Outgoing, Reconciled};
use jiff::{SignedDuration, Timestamp};
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::{Value, json};

pub struct Mastodon {
    client: reqwest::Client,
}

impl Mastodon {
    pub fn new(allow_private: bool) -> Result<Self, String> {
        Ok(Mastodon { client: greenlight_delivery::http_client(allow_private, Duration::from_secs(30))? })
    }
}

/// The instance's address and the account's token.
fn account(credentials: &Value) -> Option<(&str, &str)> {
    Some((credentials["instance"].as_str()?.trim_end_matches('/'), credentials["access_token"].as_str()?))
}

/// How long Mastodon asked to wait: `X-RateLimit-Reset` is an instant.
fn reset_after(headers: &HeaderMap, now: Timestamp) -> Option<SignedDuration> {
    let reset: Timestamp = headers.get("x-ratelimit-reset")?.to_str().ok()?.parse().ok()?;
    Some(reset.duration_since(now).clamp(SignedDuration::ZERO, SignedDuration::from_hours(1)))
}

/// Mastodon's words for a refusal: its `error` field, else the status.
fn words(status: StatusCode, body: &str) -> String {
    let said = serde_json::from_str::<Value>(body).ok().and_then(|v| v["error"].as_str().map(str::to_owned));
    match said {
        Some(said) => format!("Mastodon answered {status}: {said}"),
        None => format!("Mastodon answered {status}"),
    }
}

#[async_trait]
impl Connector for Mastodon {
    async fn verify(&self, credentials: &Value) -> Result<String, String> {
        let Some((instance, token)) = account(credentials) else { return Err("give the instance and an access token".into()) };
        let response = self
            .client
            .get(format!("{instance}/api/v1/accounts/verify_credentials"))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("the instance did not answer: {}", e.without_url()))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(words(status, &body));
        }
        let me: Value = serde_json::from_str(&body).map_err(|_| "the instance's answer is not an account".to_owned())?;
        let host = instance.split("://").nth(1).unwrap_or(instance);
        Ok(format!("@{}@{host}", me["acct"].as_str().unwrap_or("?")))
    }

    async fn publish(&self, credentials: &Value, out: &Outgoing) -> Attempt {
        let Some((instance, token)) = account(credentials) else {
            return Attempt::Revoked { message: "the channel's connection is incomplete".into() };
        };
        if !out.media.is_empty() {
            return Attempt::Refused { message: "Greenlight does not publish media to Mastodon yet".into() };
        }
        let mut first: Option<(String, Option<String>)> = None;
        let mut parent: Option<String> = None;
        for (i, status) in out.segments().into_iter().enumerate() {
            let body = json!({ "status": status, "in_reply_to_id": parent, "visibility": "public" });
            let request = self
                .client
                .post(format!("{instance}/api/v1/statuses"))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .header("idempotency-key", format!("{}-{i}", out.idempotency_key))
                .body(body.to_string());
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    return Attempt::Transient { message: format!("Mastodon did not answer: {}", e.without_url()), retry_after: None };
                }
            };
            let code = response.status();
            let wait = reset_after(response.headers(), out.sent_at);
            let text = response.text().await.unwrap_or_default();
            match code {
                c if c.is_success() => {
                    let made: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    let Some(id) = made["id"].as_str().map(str::to_owned) else {
                        return Attempt::Transient { message: "Mastodon's answer named no status".into(), retry_after: None };
                    };
                    if first.is_none() {
                        first = Some((id.clone(), made["url"].as_str().map(str::to_owned)));
                    }
                    parent = Some(id);
                }
                StatusCode::TOO_MANY_REQUESTS => return Attempt::Transient { message: words(code, &text), retry_after: wait },
                c if c.is_server_error() || c == StatusCode::REQUEST_TIMEOUT => {
                    return Attempt::Transient { message: words(code, &text), retry_after: None };
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => return Attempt::Revoked { message: words(code, &text) },
                _ => return Attempt::Refused { message: words(code, &text) },
            }
        }
        match first {
            Some((remote_id, url)) => Attempt::Published { remote_id, url },
            None => Attempt::Refused { message: "nothing to post".into() },
        }
    }

    /// Sending again with the same keys returns what was made (within
    /// Mastodon's hour).
    async fn reconcile(&self, _credentials: &Value, _out: &Outgoing) -> Reconciled {
        Reconciled::NotThere
    }
}
