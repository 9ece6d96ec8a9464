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

/// A NUL or another control character in any text is refused (422) on both
/// databases alike, through the API, a page's form and a query string, and
/// nothing is stored; tabs and line breaks are text.
#[apply(backends)]
async fn control_characters_are_refused_alike_on_every_backend(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("ctl").await;
    let ws = &w.ws;
    let creator = h.login("creator@ctl.example.org").await;
    let r = creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Nul\u{0}here"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "title", "{}", r.body);
    let r = creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Bell", "content": {"text": "ding\u{7}"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "content.text", "{}", r.body);
    let r = creator.post(&format!("/workspaces/{ws}/notes"), json!({"day": "2026-12-24", "body": "\u{1b}[31mred"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let posts = creator.get(&format!("/workspaces/{ws}/posts")).await;
    assert_eq!(posts.body["items"].as_array().map(Vec::len), Some(0), "{}", posts.body);

    let post =
        creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Tabs\tand\r\nbreaks", "content": {"text": "a\tb\nc"}})).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    assert_eq!(post.body["post"]["title"], "Tabs\tand\r\nbreaks");
    let comments = format!("/workspaces/{ws}/posts/{}/comments", post.body["post"]["id"].as_str().unwrap());
    let r = creator.post(&comments, json!({"body": "zero\u{0}"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(creator.get(&comments).await.body.as_array().map(Vec::len), Some(0));

    // A page's form and a query string.
    let form = [("csrf", creator.csrf.clone().unwrap()), ("title", "Form\u{0}title".to_owned()), ("text", "x".to_owned())];
    let r = creator.http.post(format!("{}/w/{ws}/posts/new", h.base)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = creator.get(&format!("/workspaces/{ws}/posts?q=a%00b")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let posts = creator.get(&format!("/workspaces/{ws}/posts")).await;
    assert_eq!(posts.body["items"].as_array().map(Vec::len), Some(1), "{}", posts.body);
}

/// Days far outside any plan are refused (422), never an internal error.
#[apply(backends)]
async fn out_of_range_days_are_refused(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("far").await;
    let ws = &w.ws;
    let creator = h.login("creator@far.example.org").await;
    for date in ["-009999-01-01", "9999-12-31", "0001-01-01", "not-a-day"] {
        for view in ["week", "month", "list"] {
            let r = creator.http.get(format!("{}/w/{ws}/calendar?view={view}&date={date}", h.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{view} {date}");
        }
        let r = creator.get(&format!("/workspaces/{ws}/notes?from={date}&until=2027-01-01")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {}", r.body);
        let r = creator.post(&format!("/workspaces/{ws}/notes"), json!({"day": date, "body": "Far away"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {}", r.body);
    }
    let r = creator.http.get(format!("{}/w/{ws}/calendar?view=week&date=2026-12-01", h.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
