//! Webhooks: signed deliveries to a local receiver that checks the
//! signature and fails at first; chat channels formatted for Slack, Teams
//! and Discord; addresses a hook may not reach.

use std::sync::{Arc, Mutex};

use axum::{Router, extract::State, http::HeaderMap, routing::post};
use jiff::SignedDuration;
use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

/// What a receiver got: the path, the headers, the body.
type Got = Arc<Mutex<Vec<(String, HeaderMap, String)>>>;

/// A local HTTP receiver that answers 500 to its first `failures` requests.
async fn receiver(failures: usize) -> (String, Got) {
    #[derive(Clone)]
    struct S {
        got: Got,
        failures: Arc<Mutex<usize>>,
    }
    async fn take(State(s): State<S>, uri: axum::http::Uri, headers: HeaderMap, body: String) -> StatusCode {
        let mut left = s.failures.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        s.got.lock().unwrap().push((uri.path().to_owned(), headers, body));
        StatusCode::OK
    }
    let got: Got = Arc::default();
    let state = S { got: got.clone(), failures: Arc::new(Mutex::new(failures)) };
    let app = Router::new().route("/{*path}", post(take)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, got)
}

async fn routine_default(owner: &Client, ws: &str) {
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
}

async fn submit(creator: &Client, w: &World, title: &str) -> String {
    let r = creator
        .post(&format!("/workspaces/{}/posts", w.ws), json!({"title": title, "channel_ids": [w.channel], "content": {"text": "Hello"}}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/workspaces/{}/posts/{}", w.ws, r.body["post"]["id"].as_str().unwrap());
    assert_eq!(creator.post(&format!("{path}/review"), json!(null)).await.status, StatusCode::OK);
    path
}

#[apply(backends)]
async fn deliveries_are_signed_retried_listed_and_redelivered(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("shop").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@shop.example.org").await;
    let manager = h.login("manager@shop.example.org").await;
    let creator = h.login("creator@shop.example.org").await;
    routine_default(&owner, &ws).await;
    let (base, got) = receiver(2).await;
    let hooks = format!("/workspaces/{ws}/webhooks");

    let good = json!({"kind": "generic", "name": "CRM", "url": format!("{base}/hook"), "events": ["review.*"]});
    assert_eq!(manager.post(&hooks, good.clone()).await.status, StatusCode::FORBIDDEN);
    for bad in [
        json!({"kind": "generic", "name": "CRM", "url": "ftp://example.org/x"}),
        json!({"kind": "generic", "name": "CRM", "url": format!("{base}/hook"), "events": ["Review.*"]}),
        json!({"kind": "generic", "name": "CRM", "url": format!("{base}/hook"), "events": []}),
        json!({"kind": "generic", "name": "CRM", "url": format!("{base}/hook"), "stage_key": "qa"}),
        json!({"kind": "generic", "name": "", "url": "not a url"}),
    ] {
        let r = owner.post(&hooks, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.body);
    }
    let created = owner.post(&hooks, good).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    let hook = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(owner.get(&hooks).await.body.as_array().unwrap().len(), 1);
    assert!(owner.get(&hooks).await.body[0].get("secret").is_none(), "the secret is shown once");

    // The receiver fails twice; the queue retries with backoff until it answers.
    let path = submit(&creator, &w, "Spring menu").await;
    h.pass(SignedDuration::ZERO).await;
    let deliveries = format!("{hooks}/{hook}/deliveries");
    let listed = owner.get(&deliveries).await;
    assert_eq!(listed.body["items"][0]["status"], "pending", "{}", listed.body);
    assert_eq!(listed.body["items"][0]["last_status"], 500);
    h.pass(SignedDuration::from_mins(1)).await;
    h.pass(SignedDuration::from_mins(3)).await;
    let listed = owner.get(&deliveries).await;
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only review events: {}", listed.body);
    assert_eq!(
        (items[0]["status"].as_str(), items[0]["attempts"].as_i64(), items[0]["last_status"].as_i64()),
        (Some("delivered"), Some(3), Some(200))
    );

    // What arrived is signed over its timestamp and body with the secret.
    let check = |(_, headers, body): &(String, HeaderMap, String)| {
        let signature = headers["greenlight-signature"].to_str().unwrap();
        let now = h.app.now().as_second();
        assert!(greenlight_domain::webhook::verify(secret.as_bytes(), signature, body.as_bytes(), now, 300), "{signature}");
        assert!(!greenlight_domain::webhook::verify(b"whsec_wrong", signature, body.as_bytes(), now, 300));
        assert_eq!(headers["greenlight-event"], "review.started");
        serde_json::from_str::<Value>(body).unwrap()
    };
    let first = check(&got.lock().unwrap()[0]);
    assert_eq!(first["event"]["action"], "review.started");
    assert_eq!(first["event"]["subject_id"], path.rsplit('/').next().unwrap());
    assert_eq!(first["event"]["actor"]["kind"], "user");

    // Redelivered: a new delivery, the same body, freshly signed.
    let delivery = items[0]["id"].as_str().unwrap();
    let again = owner.post(&format!("{deliveries}/{delivery}/redeliver"), json!(null)).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.body["redelivery_of"], delivery);
    h.pass(SignedDuration::ZERO).await;
    let second = check(&got.lock().unwrap()[1]);
    assert_eq!(second, first);
    assert_eq!(owner.get(&deliveries).await.body["items"][0]["status"], "delivered");

    // Paused: nothing more is queued.
    let paused = owner.patch(&format!("{hooks}/{hook}"), json!({"active": false}), None).await;
    assert_eq!(paused.status, StatusCode::OK, "{}", paused.body);
    assert_eq!(creator.post(&format!("{path}/review/withdraw"), json!(null)).await.status, StatusCode::OK);
    h.pass(SignedDuration::ZERO).await;
    assert_eq!(owner.get(&deliveries).await.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(got.lock().unwrap().len(), 2);
}

#[apply(backends)]
async fn a_receiver_that_never_answers_well_leaves_a_failed_delivery(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("shop").await;
    let owner = h.login("owner@shop.example.org").await;
    let creator = h.login("creator@shop.example.org").await;
    routine_default(&owner, &w.ws).await;
    let (base, got) = receiver(usize::MAX).await;
    let hooks = format!("/workspaces/{}/webhooks", w.ws);
    let created =
        owner.post(&hooks, json!({"kind": "generic", "name": "Down", "url": format!("{base}/down"), "events": ["review.started"]})).await;
    let hook = created.body["id"].as_str().unwrap().to_owned();
    submit(&creator, &w, "Spring menu").await;
    for _ in 0..7 {
        h.pass(SignedDuration::from_hours(1)).await;
    }
    let listed = owner.get(&format!("{hooks}/{hook}/deliveries")).await;
    assert_eq!(listed.body["items"][0]["status"], "failed", "{}", listed.body);
    assert_eq!(listed.body["items"][0]["attempts"], 5);
    assert!(got.lock().unwrap().is_empty());
}

#[apply(backends)]
async fn chat_channels_get_messages_formatted_for_each_service(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("shop").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@shop.example.org").await;
    let creator = h.login("creator@shop.example.org").await;
    let reviewer = h.login("reviewer@shop.example.org").await;
    routine_default(&owner, &ws).await;
    let (base, got) = receiver(0).await;
    let hooks = format!("/workspaces/{ws}/webhooks");
    for (kind, name, stage) in
        [("slack", "slack", None), ("teams", "teams", None), ("discord", "discord", None), ("slack", "slack-qa", Some("qa"))]
    {
        let r = owner.post(&hooks, json!({"kind": kind, "name": name, "url": format!("{base}/{name}"), "stage_key": stage})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["secret"], Value::Null, "chat hooks are not signed");
    }
    let path = submit(&creator, &w, "Sale <today> & *more*").await;
    let rev = creator.get(&format!("{path}/review")).await.body["current_revision"].as_str().unwrap().to_owned();
    let r = reviewer.post(&format!("{path}/review/decisions"), json!({"verdict": "approve", "revision": rev})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.pass(SignedDuration::ZERO).await;

    let got = got.lock().unwrap();
    let bodies = |name: &str| -> Vec<Value> {
        got.iter().filter(|(p, _, _)| p == &format!("/{name}")).map(|(_, _, b)| serde_json::from_str(b).unwrap()).collect()
    };
    let slack = bodies("slack");
    assert_eq!(slack.len(), 2, "submitted and approved: {slack:?}");
    let text = slack[1]["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(text.contains("Sale &lt;today&gt; &amp; *more*") && text.contains("approved it at review — approved by every stage"), "{text}");
    assert!(text.contains(&format!("<{}/w/{ws}/posts/", h.base)), "{text}");
    let teams = bodies("teams");
    assert_eq!(teams[0]["attachments"][0]["content"]["type"], "AdaptiveCard");
    assert_eq!(teams[0]["attachments"][0]["content"]["body"][0]["text"], "Sale <today> & *more*");
    let discord = bodies("discord");
    assert_eq!(discord[1]["embeds"][0]["title"], "Sale <today\\> & \\*more\\*");
    assert_eq!(discord[1]["allowed_mentions"], json!({"parse": []}));
    assert!(bodies("slack-qa").is_empty(), "the QA channel hears of the QA stage only");
}

#[apply(backends)]
async fn webhooks_may_not_reach_private_addresses_unless_the_server_allows(#[case] backend: Backend) {
    let h = Harness::start_opts(backend, None, false).await;
    let w = h.world("shop").await;
    let owner = h.login("owner@shop.example.org").await;
    let hooks = format!("/workspaces/{}/webhooks", w.ws);
    for url in [
        "http://hooks.example.org/x",
        "https://127.0.0.1/x",
        "https://localhost:8443/x",
        "https://10.0.0.5/x",
        "https://169.254.169.254/latest",
        "https://[::1]/x",
        "https://user:pw@hooks.example.org/x",
    ] {
        let r = owner.post(&hooks, json!({"kind": "generic", "name": "Inside", "url": url})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {}", r.body);
    }
    assert!(owner.get(&hooks).await.body.as_array().unwrap().is_empty(), "nothing was stored");
    let r = owner.post(&hooks, json!({"kind": "slack", "name": "Team", "url": "https://hooks.slack.example/services/T0/B0/x"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}
