//! Bluesky (the AT Protocol): a post record per segment (the text, then the
//! thread, then the first comment, each a reply with `{root, parent}` strong
//! references), with facets for links, mentions and hashtags at their UTF-8
//! byte ranges.
//!
//! Each segment's record key is a TID chosen from the publication alone (the
//! time it was planned, and its idempotency key), so every attempt writes
//! the same keys; before creating a segment the connector asks whether the
//! repository already holds it (`getRecord`), so an attempt that crashed
//! half way goes on where it stopped and nothing is posted twice. Written
//! by hand over XRPC: five calls, and `atrium-api` would add its own client
//! stack without the private-address guard.

use std::time::Duration;

use async_trait::async_trait;
use greenlight_domain::preflight::bluesky::{FacetKind, facets};
use greenlight_service::publishing::{Attempt, Connector, Outgoing, Reconciled};
use jiff::{SignedDuration, Timestamp};
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::{Value, json};

pub struct Bluesky {
    client: reqwest::Client,
}

impl Bluesky {
    pub fn new(allow_private: bool) -> Result<Self, String> {
        Ok(Bluesky { client: greenlight_delivery::http_client(allow_private, Duration::from_secs(30))? })
    }
}

/// A session: the account's DID, handle and access token.
struct Session {
    did: String,
    handle: String,
    jwt: String,
}

/// Why a call did not give what was asked.
enum Failure {
    Attempt(Attempt),
    NotFound,
}

const COLLECTION: &str = "app.bsky.feed.post";
/// The base32-sortable alphabet TIDs are written in.
const BASE32_SORTABLE: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// A TID: 53 bits of microseconds since the epoch and a 10-bit clock id,
/// 13 characters of base32-sortable.
pub fn tid(micros: i64, clock_id: u16) -> String {
    let value = ((micros as u64 & ((1 << 53) - 1)) << 10) | u64::from(clock_id & 0x3ff);
    (0..13).rev().map(|i| BASE32_SORTABLE[((value >> (i * 5)) & 31) as usize] as char).collect()
}

/// The record key of segment `i`: stable across attempts of one publication.
fn record_key(out: &Outgoing, i: usize) -> String {
    // FNV-1a of the key: a clock id that differs between publications
    // planned in the same microsecond.
    let hash = out.idempotency_key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    tid(out.planned_at.as_microsecond() + i as i64, (hash & 0x3ff) as u16)
}

/// How long the PDS asked to wait: `RateLimit-Reset` is a Unix time.
fn reset_after(headers: &HeaderMap, now: Timestamp) -> Option<SignedDuration> {
    let at: i64 = headers.get("ratelimit-reset")?.to_str().ok()?.trim().parse().ok()?;
    Some(SignedDuration::from_secs((at - now.as_second()).clamp(0, 3600)))
}

fn failure(status: StatusCode, headers: &HeaderMap, body: &str, now: Timestamp) -> Failure {
    let said: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let error = said["error"].as_str().unwrap_or_default();
    let message = match said["message"].as_str() {
        Some(m) => format!("Bluesky answered {status} {error}: {m}"),
        None => format!("Bluesky answered {status} {error}"),
    };
    Failure::Attempt(match (status, error) {
        (_, "RecordNotFound") => return Failure::NotFound,
        // An access token that expired: the next attempt signs in afresh.
        (_, "ExpiredToken") => Attempt::Transient { message, retry_after: None },
        (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) | (_, "AuthenticationRequired" | "AccountTakedown" | "InvalidToken") => {
            Attempt::Revoked { message }
        }
        (StatusCode::TOO_MANY_REQUESTS, _) => Attempt::Transient { message, retry_after: reset_after(headers, now) },
        (s, _) if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => Attempt::Transient { message, retry_after: None },
        _ => Attempt::Refused { message },
    })
}

impl Bluesky {
    async fn call(&self, request: reqwest::RequestBuilder, now: Timestamp) -> Result<Value, Failure> {
        let response = request.send().await.map_err(|e| {
            Failure::Attempt(Attempt::Transient { message: format!("Bluesky did not answer: {}", e.without_url()), retry_after: None })
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        if status.is_success() {
            return Ok(serde_json::from_str(&body).unwrap_or(Value::Null));
        }
        Err(failure(status, &headers, &body, now))
    }

    async fn session(&self, credentials: &Value, now: Timestamp) -> Result<(String, Session), Failure> {
        let (Some(service), Some(identifier), Some(password)) =
            (credentials["service"].as_str(), credentials["identifier"].as_str(), credentials["app_password"].as_str())
        else {
            return Err(Failure::Attempt(Attempt::Revoked { message: "the channel's connection is incomplete".into() }));
        };
        let service = service.trim_end_matches('/').to_owned();
        let body = json!({ "identifier": identifier, "password": password });
        let request = self.client.post(format!("{service}/xrpc/com.atproto.server.createSession")).json(&body);
        let made = self.call(request, now).await?;
        let field = |name: &str| made[name].as_str().unwrap_or_default().to_owned();
        Ok((service, Session { did: field("did"), handle: field("handle"), jwt: field("accessJwt") }))
    }

    /// The facets of `text`, with each mention's handle resolved to its DID
    /// (a handle that does not resolve stays plain text).
    async fn facets(&self, service: &str, text: &str, now: Timestamp) -> Vec<Value> {
        let mut out = Vec::new();
        for f in facets(text) {
            let feature = match &f.kind {
                FacetKind::Link(uri) => json!({ "$type": "app.bsky.richtext.facet#link", "uri": uri }),
                FacetKind::Tag(tag) => json!({ "$type": "app.bsky.richtext.facet#tag", "tag": tag }),
                FacetKind::Mention(handle) => {
                    let request =
                        self.client.get(format!("{service}/xrpc/com.atproto.identity.resolveHandle")).query(&[("handle", handle)]);
                    match self.call(request, now).await {
                        Ok(found) if found["did"].is_string() => json!({ "$type": "app.bsky.richtext.facet#mention", "did": found["did"] }),
                        _ => continue,
                    }
                }
            };
            out.push(json!({ "index": { "byteStart": f.byte_start, "byteEnd": f.byte_end }, "features": [feature] }));
        }
        out
    }

    async fn publish_all(&self, credentials: &Value, out: &Outgoing) -> Result<Attempt, Failure> {
        let now = out.sent_at;
        if !out.media.is_empty() {
            return Ok(Attempt::Refused { message: "Greenlight does not publish images to Bluesky yet".into() });
        }
        let (service, session) = self.session(credentials, now).await?;
        let mut root: Option<Value> = None;
        let mut parent: Option<Value> = None;
        let mut first_key = String::new();
        for (i, text) in out.segments().into_iter().enumerate() {
            let rkey = record_key(out, i);
            if i == 0 {
                first_key = rkey.clone();
            }
            let query = [("repo", session.did.as_str()), ("collection", COLLECTION), ("rkey", rkey.as_str())];
            let existing = self.client.get(format!("{service}/xrpc/com.atproto.repo.getRecord")).query(&query).bearer_auth(&session.jwt);
            let strong = match self.call(existing, now).await {
                // Made by an earlier attempt: go on from it.
                Ok(found) => json!({ "uri": found["uri"], "cid": found["cid"] }),
                Err(Failure::NotFound) => {
                    let mut record = json!({
                        "$type": COLLECTION,
                        "text": text,
                        "createdAt": now.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                    });
                    let facets = self.facets(&service, &text, now).await;
                    if !facets.is_empty() {
                        record["facets"] = Value::Array(facets);
                    }
                    if let (Some(root), Some(parent)) = (&root, &parent) {
                        record["reply"] = json!({ "root": root, "parent": parent });
                    }
                    let body = json!({ "repo": session.did, "collection": COLLECTION, "rkey": rkey, "record": record });
                    let create =
                        self.client.post(format!("{service}/xrpc/com.atproto.repo.createRecord")).bearer_auth(&session.jwt).json(&body);
                    let made = self.call(create, now).await?;
                    json!({ "uri": made["uri"], "cid": made["cid"] })
                }
                Err(other) => return Err(other),
            };
            if root.is_none() {
                root = Some(strong.clone());
            }
            parent = Some(strong);
        }
        let uri = root.as_ref().and_then(|r| r["uri"].as_str()).unwrap_or_default().to_owned();
        Ok(Attempt::Published { remote_id: uri, url: Some(format!("https://bsky.app/profile/{}/post/{first_key}", session.handle)) })
    }
}

#[async_trait]
impl Connector for Bluesky {
    async fn verify(&self, credentials: &Value) -> Result<String, String> {
        match self.session(credentials, Timestamp::UNIX_EPOCH).await {
            Ok((_, session)) => Ok(format!("@{}", session.handle)),
            Err(Failure::Attempt(Attempt::Refused { message } | Attempt::Revoked { message } | Attempt::Transient { message, .. })) => {
                Err(message)
            }
            Err(_) => Err("Bluesky did not sign in".into()),
        }
    }

    async fn publish(&self, credentials: &Value, out: &Outgoing) -> Attempt {
        match self.publish_all(credentials, out).await {
            Ok(attempt) | Err(Failure::Attempt(attempt)) => attempt,
            Err(Failure::NotFound) => Attempt::Transient { message: "Bluesky lost a record it had just made".into(), retry_after: None },
        }
    }

    /// Publishing looks for each segment's record before making it, so
    /// settling an unanswered attempt is publishing again.
    async fn reconcile(&self, _credentials: &Value, _out: &Outgoing) -> Reconciled {
        Reconciled::NotThere
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tid_is_thirteen_sortable_characters() {
        let a = tid(1_700_000_000_000_000, 7);
        let b = tid(1_700_000_000_000_001, 7);
        assert_eq!(a.len(), 13);
        assert!(a < b, "later is greater: {a} {b}");
        assert!(a.chars().all(|c| BASE32_SORTABLE.contains(&(c as u8))));
        assert!(matches!(a.as_bytes()[0], b'2'..=b'7' | b'a'..=b'j'), "the top bit is zero: {a}");
    }
}
