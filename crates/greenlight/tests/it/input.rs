//! Bad input gets a clear 4xx problem and changes nothing.

use reqwest::{Method, StatusCode};
use rstest_reuse::apply;
use serde_json::json;

use crate::{backends, harness::*};

#[apply(backends)]
async fn bad_input_is_refused_clearly(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("strict").await;
    let c = h.login("creator@strict.example.org").await;
    let posts = format!("/workspaces/{}/posts", w.ws);
    let before = w.admin.get(&format!("/workspaces/{}/history", w.ws)).await.body["items"].as_array().unwrap().len();

    let broken = Client::send(c.request(Method::POST, &posts).header("content-type", "application/json").body("{\"title\": ")).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST, "{}", broken.body);
    assert_eq!(broken.headers["content-type"], "application/problem+json");
    assert_eq!(broken.body["type"], "urn:greenlight:problem:bad-json");

    let cases = [
        (json!({"title": "x", "colour": "red"}), StatusCode::UNPROCESSABLE_ENTITY, "unknown field"),
        (json!({"title": "  "}), StatusCode::UNPROCESSABLE_ENTITY, "title"),
        (json!({"title": "x", "planned_at": "2026-12-01T09:00[Mars/Olympus]"}), StatusCode::UNPROCESSABLE_ENTITY, "time zone"),
        (json!({"title": "x", "planned_at": "2026-03-29T02:30[Europe/Copenhagen]"}), StatusCode::UNPROCESSABLE_ENTITY, "does not exist"),
        (json!({"title": "x", "planned_at": "2026-10-25T02:30[Europe/Copenhagen]"}), StatusCode::UNPROCESSABLE_ENTITY, "happens twice"),
        (json!({"title": "x", "planned_at": "2026-12-01T09:00"}), StatusCode::UNPROCESSABLE_ENTITY, "time zone in brackets"),
        (
            json!({"title": "x", "campaign_id": "01999999-0000-7000-8000-000000000000"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no such campaign",
        ),
        (json!({"title": "x", "channel_ids": ["nonsense"]}), StatusCode::UNPROCESSABLE_ENTITY, "channel_ids"),
        (
            json!({"title": "x", "content": {"text": "a", "variants": {"01999999-0000-7000-8000-000000000000": {"text": "b"}}}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "variant",
        ),
        (json!({"title": "x".repeat(70_000)}), StatusCode::PAYLOAD_TOO_LARGE, "length limit"),
    ];
    for (body, status, needle) in cases {
        let r = c.post(&posts, body.clone()).await;
        assert_eq!(r.status, status, "{body:.80}: {}", r.body);
        assert!(r.body.to_string().to_lowercase().contains(needle), "{needle} not in {}", r.body);
    }

    // Unknown and malformed ids are not found.
    for path in [
        format!("{posts}/not-an-id"),
        format!("{posts}/01999999-0000-7000-8000-000000000000"),
        "/workspaces/01999999-0000-7000-8000-000000000000/posts".into(),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert_eq!(r.body["type"], "urn:greenlight:problem:not-found");
    }
    let r = c.get(&format!("{posts}?limit=0")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c.get(&format!("{posts}?state=flying")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c.get(&format!("{posts}?color=blue")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = Client::send(
        c.request(Method::PATCH, &format!("{posts}/01999999-0000-7000-8000-000000000000")).header("if-match", "yesterday").json(&json!({})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    let after = w.admin.get(&format!("/workspaces/{}/history", w.ws)).await.body["items"].as_array().unwrap().len();
    assert_eq!(before, after, "bad input must change nothing");
    assert_eq!(c.get(&posts).await.body["items"].as_array().map(Vec::len), Some(0));
    let health = reqwest::get(format!("{}/readyz", h.base)).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[apply(backends)]
async fn a_duplicate_is_a_conflict_never_an_internal_error(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("twice").await;
    let ws = &w.ws;
    let member = h.user("twice-member@example.org", false).await;
    let creations = [
        ("/users".to_owned(), json!({"email": "same@example.org", "name": "Same", "password": "correct horse battery"})),
        (format!("/workspaces/{ws}/members"), json!({"email": member.email, "role": "viewer"})),
        (format!("/workspaces/{ws}/groups"), json!({"name": "QA"})),
        (format!("/workspaces/{ws}/campaigns"), json!({"name": "Spring", "colour": "#000000"})),
        (format!("/workspaces/{ws}/labels"), json!({"name": "urgent"})),
        (format!("/workspaces/{ws}/channels"), json!({"network": "mastodon", "handle": "@news@example.social", "display_name": "News"})),
        (format!("/workspaces/{ws}/workflows"), json!({"name": "Legal", "template": "routine"})),
    ];
    for (path, body) in creations {
        let first = w.admin.post(&path, body.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{path}: {}", first.body);
        let again = w.admin.post(&path, body).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{path}: {}", again.body);
        assert_eq!(again.headers["content-type"], "application/problem+json", "{path}");
        assert_eq!(again.body["type"], "urn:greenlight:problem:conflict", "{path}: {}", again.body);
    }
}
