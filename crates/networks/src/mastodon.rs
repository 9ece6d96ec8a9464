//! Mastodon: a status per segment (the text, then the thread, then the
//! first comment, each a reply to the one before), with an
//! `Idempotency-Key` per segment derived from the publication's key; media
//! uploaded first with their alt text; the channel's visibility and content
//! warning on each; accounts connected by OAuth with PKCE.
//!
//! Mastodon keeps an idempotency key for an hour and answers a repeat with
//! the status it made the first time, so sending a whole thread again with
//! the same keys completes it without a duplicate: that is how an attempt
//! that ended without an answer is settled, and how a thread that failed
//! half way goes on. Written by hand: three calls, and the `megalodon`-style
//! crates bring their own HTTP stacks without the private-address guard.

use std::time::Duration;

use async_trait::async_trait;
use greenlight_service::publishing::{Attempt, Connector, OAuthClient, Outgoing, Progress, Reconciled};
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

/// A 2xx answer's JSON, or how the attempt ends.
async fn answer(response: reqwest::Response, now: Timestamp) -> Result<Value, Attempt> {
    let code = response.status();
    let wait = reset_after(response.headers(), now);
    let text = response.text().await.unwrap_or_default();
    match code {
        c if c.is_success() => Ok(serde_json::from_str(&text).unwrap_or(Value::Null)),
        StatusCode::TOO_MANY_REQUESTS => Err(Attempt::Transient { message: words(code, &text), retry_after: wait }),
        c if c.is_server_error() || c == StatusCode::REQUEST_TIMEOUT => Err(Attempt::Unanswered { message: words(code, &text) }),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Attempt::Revoked { message: words(code, &text) }),
        _ => Err(Attempt::Refused { message: words(code, &text) }),
    }
}

/// A call outside publishing (signing in, looking): its JSON answer, or
/// the instance's words.
async fn ask(request: reqwest::RequestBuilder, what: &str) -> Result<Value, String> {
    let response = request.send().await.map_err(|e| format!("the instance did not answer: {}", e.without_url()))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(words(status, &text));
    }
    serde_json::from_str(&text).map_err(|_| format!("the instance's answer is not {what}"))
}

fn unanswered(e: reqwest::Error) -> Attempt {
    crate::no_answer("Mastodon", e)
}

/// How long a video may take to be processed before the attempt gives up
/// (and is tried again later).
const PROCESSING: Duration = Duration::from_secs(120);

/// What Greenlight asks to do: know the account, post statuses and media.
const SCOPES: &str = "read:accounts write:statuses write:media";

/// How long Mastodon keeps an idempotency key (an hour), less a margin.
const KEYS_KEPT: SignedDuration = SignedDuration::from_mins(55);

/// Text without its HTML tags and entities, in single spaces: a status's
/// `content` as its words.
fn words_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The status among `statuses` that is the segment `text`, replying to
/// `parent` (none for the first), made at or after `since`.
fn find_posted(statuses: &[Value], text: &str, parent: Option<&str>, since: Timestamp) -> Option<(String, Option<String>)> {
    let wanted = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let found = statuses.iter().find(|s| {
        let made = s["created_at"].as_str().and_then(|t| t.parse::<Timestamp>().ok());
        // `since` is when the attempt was last heard of; it began before.
        made.is_some_and(|t| t >= since - SignedDuration::from_mins(10))
            && s["in_reply_to_id"].as_str() == parent
            && words_of(s["content"].as_str().unwrap_or_default()) == wanted
    })?;
    Some((found["id"].as_str()?.to_owned(), found["url"].as_str().map(str::to_owned)))
}

impl Mastodon {
    async fn publish_all(&self, credentials: &Value, out: &Outgoing, progress: &dyn Progress) -> Result<Attempt, Attempt> {
        let Some((instance, token)) = account(credentials) else {
            return Ok(Attempt::Revoked { message: "the channel's connection is incomplete".into() });
        };
        // After Mastodon's hour its keys no longer recognise a repeat: a
        // segment an unanswered attempt may have made is looked for among
        // the account's latest statuses before it is sent again.
        let since = out.previous_attempt_at.filter(|at| out.sent_at.duration_since(*at) >= KEYS_KEPT);
        let recent = match since {
            Some(_) => self.recent(instance, token).await.map_err(|message| Attempt::Transient { message, retry_after: None })?,
            None => Vec::new(),
        };
        let media_ids = if out.done.is_empty() { self.upload_all(instance, token, out).await? } else { Vec::new() };
        let visibility = credentials["visibility"].as_str().unwrap_or("public");
        let warning = credentials["content_warning"].as_str().filter(|w| !w.is_empty());
        let mut first: Option<(String, Option<String>)> = None;
        let mut parent: Option<String> = None;
        for (i, status) in out.segments().into_iter().enumerate() {
            let made = if let Some(done) = out.done.get(i) {
                (done.clone(), None)
            } else if let Some(found) = since.and_then(|since| find_posted(&recent, &status, parent.as_deref(), since)) {
                progress.made(i, &found.0).await;
                found
            } else {
                let mut body = json!({ "status": status, "in_reply_to_id": parent, "visibility": visibility });
                if i == 0 && !media_ids.is_empty() {
                    body["media_ids"] = json!(media_ids);
                }
                if let Some(warning) = warning {
                    body["spoiler_text"] = json!(warning);
                }
                let request = self
                    .client
                    .post(format!("{instance}/api/v1/statuses"))
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .header("idempotency-key", format!("{}-{i}", out.idempotency_key))
                    .body(body.to_string());
                let made = answer(request.send().await.map_err(unanswered)?, out.sent_at).await?;
                let Some(id) = made["id"].as_str().map(str::to_owned) else {
                    return Err(Attempt::Unanswered { message: "Mastodon's answer named no status".into() });
                };
                progress.made(i, &id).await;
                (id, made["url"].as_str().map(str::to_owned))
            };
            if first.is_none() {
                first = Some(made.clone());
            }
            parent = Some(made.0);
        }
        let Some((remote_id, mut url)) = first else { return Ok(Attempt::Refused { message: "nothing to post".into() }) };
        if url.is_none() {
            // Made by an earlier attempt: its address is the instance's to say.
            let request = self.client.get(format!("{instance}/api/v1/statuses/{remote_id}")).bearer_auth(token);
            url = ask(request, "a status").await.ok().and_then(|s| s["url"].as_str().map(str::to_owned));
        }
        Ok(Attempt::Published { remote_id, url })
    }

    /// The account's latest statuses (40, Mastodon's most per page).
    async fn recent(&self, instance: &str, token: &str) -> Result<Vec<Value>, String> {
        let get = |url: String| async move {
            let response = self
                .client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| format!("Mastodon did not answer: {}", e.without_url()))?;
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            if !status.is_success() {
                return Err(words(status, &body));
            }
            serde_json::from_str::<Value>(&body).map_err(|_| "Mastodon's answer is not JSON".to_owned())
        };
        let me = get(format!("{instance}/api/v1/accounts/verify_credentials")).await?;
        let id = me["id"].as_str().ok_or("Mastodon named no account")?;
        let statuses = get(format!("{instance}/api/v1/accounts/{id}/statuses?limit=40")).await?;
        Ok(statuses.as_array().cloned().unwrap_or_default())
    }

    /// Uploads the media (`POST /api/v2/media`, alt text as `description`)
    /// and waits while Mastodon processes a video (answered 202, then
    /// `GET /api/v1/media/:id` answers 206 until it is ready). A retried
    /// attempt uploads again: Mastodon drops media no status uses.
    async fn upload_all(&self, instance: &str, token: &str, out: &Outgoing) -> Result<Vec<String>, Attempt> {
        let mut ids = Vec::with_capacity(out.media.len());
        for m in &out.media {
            let file = reqwest::multipart::Part::stream(m.bytes.clone())
                .file_name(m.filename.clone())
                .mime_str(&m.mime)
                .map_err(|_| Attempt::Refused { message: format!("{}: `{}` is not a media type", m.filename, m.mime) })?;
            let mut form = reqwest::multipart::Form::new().part("file", file);
            if let Some(alt) = &m.alt_text {
                form = form.text("description", alt.clone());
            }
            let request = self.client.post(format!("{instance}/api/v2/media")).bearer_auth(token).multipart(form);
            let response = request.send().await.map_err(unanswered)?;
            let processing = response.status() == StatusCode::ACCEPTED;
            let made = answer(response, out.sent_at).await?;
            let Some(id) = made["id"].as_str().map(str::to_owned) else {
                return Err(Attempt::Transient { message: "Mastodon's answer named no media".into(), retry_after: None });
            };
            if processing {
                self.processed(instance, token, &id, out.sent_at).await?;
            }
            ids.push(id);
        }
        Ok(ids)
    }

    async fn processed(&self, instance: &str, token: &str, id: &str, now: Timestamp) -> Result<(), Attempt> {
        let started = std::time::Instant::now();
        loop {
            // Waiting on the network's own processing: the one wait a connector makes.
            tokio::time::sleep(Duration::from_secs(2)).await;
            let response = self.client.get(format!("{instance}/api/v1/media/{id}")).bearer_auth(token).send().await.map_err(unanswered)?;
            if response.status() == StatusCode::OK {
                return Ok(());
            }
            if response.status() != StatusCode::PARTIAL_CONTENT {
                answer(response, now).await?;
            }
            if started.elapsed() > PROCESSING {
                return Err(Attempt::Transient { message: "Mastodon is still processing the video".into(), retry_after: None });
            }
        }
    }
}

#[async_trait]
impl Connector for Mastodon {
    async fn verify(&self, credentials: &Value) -> Result<String, String> {
        let Some((instance, token)) = account(credentials) else { return Err("give the instance and an access token".into()) };
        let me = ask(self.client.get(format!("{instance}/api/v1/accounts/verify_credentials")).bearer_auth(token), "an account").await?;
        let host = instance.split("://").nth(1).unwrap_or(instance);
        Ok(format!("@{}@{host}", me["acct"].as_str().unwrap_or("?")))
    }

    async fn publish(&self, credentials: &Value, out: &Outgoing, progress: &dyn Progress) -> Attempt {
        self.publish_all(credentials, out, progress).await.unwrap_or_else(|ended| ended)
    }

    /// `POST /api/v1/apps`: Greenlight as a client of the instance.
    async fn register_client(&self, server: &str, redirect_uri: &str) -> Result<OAuthClient, String> {
        let body = json!({ "client_name": "Greenlight", "redirect_uris": redirect_uri, "scopes": SCOPES });
        let made = ask(self.client.post(format!("{server}/api/v1/apps")).json(&body), "an application").await?;
        match (made["client_id"].as_str(), made["client_secret"].as_str()) {
            (Some(id), Some(secret)) => Ok(OAuthClient { client_id: id.to_owned(), client_secret: secret.to_owned() }),
            _ => Err("the instance did not register Greenlight".into()),
        }
    }

    fn authorize_url(&self, server: &str, client: &OAuthClient, redirect_uri: &str, state: &str, challenge: &str) -> Option<String> {
        let query = [
            ("response_type", "code"),
            ("client_id", client.client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("scope", SCOPES),
            ("state", state),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ];
        reqwest::Url::parse_with_params(&format!("{server}/oauth/authorize"), query).ok().map(String::from)
    }

    /// `POST /oauth/token` with the PKCE verifier.
    async fn exchange_code(
        &self,
        server: &str,
        client: &OAuthClient,
        redirect_uri: &str,
        code: &str,
        verifier: &str,
    ) -> Result<String, String> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.client_secret.as_str()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
            ("scope", SCOPES),
        ];
        let made = ask(self.client.post(format!("{server}/oauth/token")).form(&form), "a token").await?;
        made["access_token"].as_str().map(str::to_owned).ok_or_else(|| "the instance gave no access token".into())
    }

    /// Publishing settles an unanswered attempt itself: within Mastodon's
    /// hour the same keys return what was made, later the account's latest
    /// statuses are searched, and a thread goes on after the segments it
    /// kept.
    async fn reconcile(&self, _credentials: &Value, _out: &Outgoing) -> Reconciled {
        Reconciled::NotThere
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_found_by_its_words_after_the_attempt() {
        let since: Timestamp = "2027-05-03T09:00:00Z".parse().unwrap();
        let statuses = vec![
            json!({"id": "1", "created_at": "2027-05-03T08:00:00Z", "in_reply_to_id": null, "content": "<p>Open day &amp; more</p>"}),
            json!({"id": "2", "created_at": "2027-05-03T09:00:02Z", "in_reply_to_id": "9", "content": "<p>Open day &amp; more</p>"}),
            json!({"id": "3", "created_at": "2027-05-03T09:00:01Z", "in_reply_to_id": null, "url": "https://m.example/@a/3",
                   "content": "<p>Open day &amp; more<br>see <a href=\"https://x.example\">x.example</a></p>"}),
        ];
        let found = find_posted(&statuses, "Open day & more\nsee x.example", None, since);
        assert_eq!(found, Some(("3".into(), Some("https://m.example/@a/3".into()))));
        assert_eq!(find_posted(&statuses[..2], "Open day & more", None, since), None, "older, or a reply: not it");
        assert_eq!(find_posted(&statuses, "Open day & more", Some("9"), since).map(|f| f.0), Some("2".into()), "the reply to 9");
    }
}
