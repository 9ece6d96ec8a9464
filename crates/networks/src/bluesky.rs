//! Bluesky (the AT Protocol): a post record per segment (the text, then the
//! thread, then the first comment, each a reply with `{root, parent}` strong
//! references), with facets for links, mentions and hashtags at their UTF-8
//! byte ranges, and the pictures (`uploadBlob`) on the first, with their alt
//! text and aspect ratio, or else its link as a card (title, description
//! and picture read from the page). The session is kept between posts and refreshed
//! when the PDS says the access token expired (400 `ExpiredToken`).
//!
//! Each segment's record key is a TID chosen from the publication alone (the
//! time it was planned, and its idempotency key), so every attempt writes
//! the same keys; before creating a segment the connector asks whether the
//! repository already holds it (`getRecord`), so an attempt that crashed
//! half way goes on where it stopped and nothing is posted twice. Written
//! by hand over XRPC: five calls, and `atrium-api` would add its own client
//! stack without the private-address guard.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use async_trait::async_trait;
use bytes::Bytes;
use greenlight_domain::preflight::bluesky::{FacetKind, facets};
use greenlight_service::publishing::{Attempt, Connector, Outgoing, Progress, Reconciled};
use jiff::{SignedDuration, Timestamp};
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::{Value, json};

pub struct Bluesky {
    client: reqwest::Client,
    /// Sessions by (PDS, handle), kept between posts: signing in for every
    /// post would spend `createSession`'s own rate limit (30 per five
    /// minutes per account on bsky.social). Refreshed when Bluesky says
    /// the access token expired.
    sessions: Mutex<HashMap<(String, String), Session>>,
}

impl Bluesky {
    pub fn new(allow_private: bool) -> Result<Self, String> {
        Ok(Bluesky { client: greenlight_delivery::http_client(allow_private, Duration::from_secs(30))?, sessions: Mutex::default() })
    }
}

/// A session: the account's DID and handle, and its tokens.
#[derive(Clone)]
struct Session {
    did: String,
    handle: String,
    access: String,
    refresh: String,
}

/// Why a call did not give what was asked.
enum Failure {
    Attempt(Attempt),
    NotFound,
    /// The access token expired (Bluesky answers 400 `ExpiredToken`, not 401).
    Expired,
}

/// The account a channel posts as.
struct Account {
    service: String,
    identifier: String,
    password: String,
}

impl Account {
    fn of(credentials: &Value) -> Option<Account> {
        Some(Account {
            service: credentials["service"].as_str()?.trim_end_matches('/').to_owned(),
            identifier: credentials["identifier"].as_str()?.to_owned(),
            password: credentials["app_password"].as_str()?.to_owned(),
        })
    }

    fn key(&self) -> (String, String) {
        (self.service.clone(), self.identifier.clone())
    }
}

const COLLECTION: &str = "app.bsky.feed.post";
/// The most of a linked page read for its card, and of its picture (Bluesky
/// takes thumbnails up to 1 MB).
const MAX_PAGE: usize = 1 << 20;
const MAX_THUMB: usize = 1_000_000;
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
        (_, "ExpiredToken") => return Failure::Expired,
        (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) | (_, "AuthenticationRequired" | "AccountTakedown" | "InvalidToken") => {
            Attempt::Revoked { message }
        }
        (StatusCode::TOO_MANY_REQUESTS, _) => Attempt::Transient { message, retry_after: reset_after(headers, now) },
        (s, _) if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => Attempt::Unanswered { message },
        _ => Attempt::Refused { message },
    })
}

fn session_of(made: &Value) -> Session {
    let field = |name: &str| made[name].as_str().unwrap_or_default().to_owned();
    Session { did: field("did"), handle: field("handle"), access: field("accessJwt"), refresh: field("refreshJwt") }
}

impl Bluesky {
    async fn call(&self, request: reqwest::RequestBuilder, now: Timestamp) -> Result<Value, Failure> {
        let response = request.send().await.map_err(|e| Failure::Attempt(crate::no_answer("Bluesky", e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        if status.is_success() {
            return Ok(serde_json::from_str(&body).unwrap_or(Value::Null));
        }
        Err(failure(status, &headers, &body, now))
    }

    /// Signs in with the app password.
    async fn sign_in(&self, account: &Account, now: Timestamp) -> Result<Session, Failure> {
        let body = json!({ "identifier": account.identifier, "password": account.password });
        let request = self.client.post(format!("{}/xrpc/com.atproto.server.createSession", account.service)).json(&body);
        let made = self.call(request, now).await.map_err(|f| match f {
            Failure::Expired => Failure::Attempt(Attempt::Revoked { message: "Bluesky refused the app password".into() }),
            other => other,
        })?;
        Ok(session_of(&made))
    }

    /// The account's session: the one kept, or a new one.
    async fn session(&self, account: &Account, now: Timestamp) -> Result<Session, Failure> {
        if let Some(kept) = self.sessions.lock().ok().and_then(|s| s.get(&account.key()).cloned()) {
            return Ok(kept);
        }
        let session = self.sign_in(account, now).await?;
        self.keep(account, &session);
        Ok(session)
    }

    fn keep(&self, account: &Account, session: &Session) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(account.key(), session.clone());
        }
    }

    /// A new access token for an expired one (`refreshSession`); when the
    /// refresh token is no good either, signs in again. Only the PDS
    /// refusing the app password itself marks the channel for reconnecting.
    async fn renew(&self, account: &Account, old: &Session, now: Timestamp) -> Result<Session, Failure> {
        let request = self.client.post(format!("{}/xrpc/com.atproto.server.refreshSession", account.service)).bearer_auth(&old.refresh);
        let session = match self.call(request, now).await {
            Ok(made) => session_of(&made),
            Err(Failure::Expired | Failure::Attempt(Attempt::Revoked { .. } | Attempt::Refused { .. })) => {
                self.sign_in(account, now).await?
            }
            Err(other) => return Err(other),
        };
        self.keep(account, &session);
        Ok(session)
    }

    /// A call with the account's access token, renewed once if it expired.
    async fn authed(
        &self,
        account: &Account,
        session: &mut Session,
        request: impl Fn(&str) -> reqwest::RequestBuilder,
        now: Timestamp,
    ) -> Result<Value, Failure> {
        match self.call(request(&session.access), now).await {
            // Expired, or a kept session the PDS no longer knows: renew it once.
            Err(Failure::Expired | Failure::Attempt(Attempt::Revoked { .. })) => {
                *session = self.renew(account, session, now).await?;
                match self.call(request(&session.access), now).await {
                    Err(Failure::Expired) => Err(Failure::Attempt(Attempt::Transient {
                        message: "Bluesky said a token it had just given has expired".into(),
                        retry_after: None,
                    })),
                    other => other,
                }
            }
            other => other,
        }
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

    /// Uploads one blob (`uploadBlob`); the reference a record embeds.
    async fn upload(&self, account: &Account, session: &mut Session, mime: &str, bytes: &Bytes, now: Timestamp) -> Result<Value, Failure> {
        let upload = |jwt: &str| {
            self.client
                .post(format!("{}/xrpc/com.atproto.repo.uploadBlob", account.service))
                .bearer_auth(jwt)
                .header("content-type", mime)
                .body(bytes.clone())
        };
        let mut made = self.authed(account, session, upload, now).await?;
        Ok(made["blob"].take())
    }

    /// Uploads the images and returns the embed that shows
    /// them, with their alt text and aspect ratio.
    async fn images(&self, account: &Account, session: &mut Session, out: &Outgoing) -> Result<Option<Value>, Failure> {
        if out.media.is_empty() {
            return Ok(None);
        }
        if let Some(other) = out.media.iter().find(|m| !m.is_image()) {
            let message = format!("{} is a video: Greenlight posts images to Bluesky, not videos yet", other.filename);
            return Err(Failure::Attempt(Attempt::Refused { message }));
        }
        let mut images = Vec::new();
        for m in &out.media {
            let blob = self.upload(account, session, &m.mime, &m.bytes, out.sent_at).await?;
            let mut image = json!({ "image": blob, "alt": m.alt_text.clone().unwrap_or_default() });
            if let (Some(width), Some(height)) = (m.width.filter(|w| *w > 0), m.height.filter(|h| *h > 0)) {
                image["aspectRatio"] = json!({ "width": width, "height": height });
            }
            images.push(image);
        }
        Ok(Some(json!({ "$type": "app.bsky.embed.images", "images": images })))
    }

    /// Fetches at most `most` bytes from `url` (through the same guard as
    /// every call: no private addresses unless allowed); `None` on any failure.
    async fn fetch(&self, url: &str, most: usize, kind: &str) -> Option<(String, Vec<u8>)> {
        let mut response = self.client.get(url).send().await.ok()?.error_for_status().ok()?;
        let mime = response.headers().get("content-type")?.to_str().ok()?.split(';').next()?.trim().to_owned();
        if !mime.starts_with(kind) || response.content_length().is_some_and(|n| n > most as u64) {
            return None;
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.ok()? {
            body.extend_from_slice(&chunk);
            if body.len() > most {
                return None;
            }
        }
        Some((mime, body))
    }

    /// The post's link as a card (`app.bsky.embed.external`): the page's
    /// title, description and picture. A page that cannot be read leaves
    /// the post without a card, never unpublished.
    async fn link_card(&self, account: &Account, session: &mut Session, out: &Outgoing) -> Result<Option<Value>, Failure> {
        let Some(link) = out.link.as_deref() else { return Ok(None) };
        let (Ok(page), Some((_, html))) = (reqwest::Url::parse(link), self.fetch(link, MAX_PAGE, "text/html").await) else {
            return Ok(None);
        };
        let card = crate::card::read(&String::from_utf8_lossy(&html), &page);
        let title = if card.title.is_empty() { link.to_owned() } else { card.title };
        let mut external = json!({ "uri": link, "title": title, "description": card.description });
        if let Some(image) = card.image
            && let Some((mime, bytes)) = self.fetch(image.as_str(), MAX_THUMB, "image/").await
        {
            external["thumb"] = self.upload(account, session, &mime, &bytes.into(), out.sent_at).await?;
        }
        Ok(Some(json!({ "$type": "app.bsky.embed.external", "external": external })))
    }

    async fn publish_all(&self, credentials: &Value, out: &Outgoing) -> Result<Attempt, Failure> {
        let now = out.sent_at;
        let Some(account) = Account::of(credentials) else {
            return Ok(Attempt::Revoked { message: "the channel's connection is incomplete".into() });
        };
        let mut session = self.session(&account, now).await?;
        let service = account.service.as_str();
        let mut root: Option<Value> = None;
        let mut parent: Option<Value> = None;
        let mut first_key = String::new();
        for (i, text) in out.segments().into_iter().enumerate() {
            let rkey = record_key(out, i);
            if i == 0 {
                first_key = rkey.clone();
            }
            let did = session.did.clone();
            let query = [("repo", did.as_str()), ("collection", COLLECTION), ("rkey", rkey.as_str())];
            let existing = |jwt: &str| self.client.get(format!("{service}/xrpc/com.atproto.repo.getRecord")).query(&query).bearer_auth(jwt);
            let strong = match self.authed(&account, &mut session, existing, now).await {
                // Made by an earlier attempt: go on from it.
                Ok(found) => json!({ "uri": found["uri"], "cid": found["cid"] }),
                Err(Failure::NotFound) => {
                    let mut record = json!({
                        "$type": COLLECTION,
                        "text": text,
                        "createdAt": now.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                    });
                    let facets = self.facets(service, &text, now).await;
                    if !facets.is_empty() {
                        record["facets"] = Value::Array(facets);
                    }
                    if let (Some(root), Some(parent)) = (&root, &parent) {
                        record["reply"] = json!({ "root": root, "parent": parent });
                    } else if let Some(embed) = self.images(&account, &mut session, out).await? {
                        record["embed"] = embed;
                    } else if let Some(card) = self.link_card(&account, &mut session, out).await? {
                        record["embed"] = card;
                    }
                    let body = json!({ "repo": session.did, "collection": COLLECTION, "rkey": rkey, "record": record });
                    let create =
                        |jwt: &str| self.client.post(format!("{service}/xrpc/com.atproto.repo.createRecord")).bearer_auth(jwt).json(&body);
                    let made = self.authed(&account, &mut session, create, now).await?;
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
    /// Signs in (and keeps the session for the posts to come).
    async fn verify(&self, credentials: &Value) -> Result<String, String> {
        let Some(account) = Account::of(credentials) else { return Err("give the PDS, the handle and an app password".into()) };
        match self.sign_in(&account, Timestamp::UNIX_EPOCH).await {
            Ok(session) => {
                self.keep(&account, &session);
                Ok(format!("@{}", session.handle))
            }
            Err(Failure::Attempt(
                Attempt::Refused { message }
                | Attempt::Revoked { message }
                | Attempt::Transient { message, .. }
                | Attempt::Unanswered { message },
            )) => Err(message),
            Err(_) => Err("Bluesky did not sign in".into()),
        }
    }

    async fn publish(&self, credentials: &Value, out: &Outgoing, _progress: &dyn Progress) -> Attempt {
        match self.publish_all(credentials, out).await {
            Ok(attempt) | Err(Failure::Attempt(attempt)) => attempt,
            Err(Failure::NotFound | Failure::Expired) => {
                Attempt::Transient { message: "Bluesky lost a record or a session it had just made".into(), retry_after: None }
            }
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
