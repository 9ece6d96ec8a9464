//! Comments through the API: threads anchored to revisions, a channel's
//! text range and an image region; replies with mentions; resolving and
//! reopening; and bad input that is refused and changes nothing.

use reqwest::{Method, StatusCode};
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

/// The variant's text: 21 characters, 27 bytes (each emoji is one character of four bytes).
const VARIANT_TEXT: &str = "Launch day 🚀🎉 is here";

async fn upload_png(client: &Client, ws: &str) -> String {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 4, image::Rgb([0, 128, 0]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let part = reqwest::multipart::Part::bytes(png).file_name("launch.png");
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = Client::send(client.request(Method::POST, &format!("/workspaces/{ws}/media")).multipart(form)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// A creator's post for the world's channel: base text with an image, and a
/// variant for the channel with its own text and no image. Returns its path.
async fn launch_post(creator: &Client, w: &World, image: &str) -> String {
    let ws = &w.ws;
    let content = json!({
        "text": "Base text for every channel",
        "media": [{"media_id": image}],
        "variants": {w.channel.as_str(): {"text": VARIANT_TEXT, "media": []}},
    });
    let post =
        creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Launch", "channel_ids": [w.channel], "content": content})).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    format!("/workspaces/{ws}/posts/{}", post.body["post"]["id"].as_str().unwrap())
}

async fn user_id(w: &World, role: &str) -> String {
    let members = w.admin.get(&format!("/workspaces/{}/members", w.ws)).await;
    let member = members.body.as_array().unwrap().iter().find(|m| m["role"] == role).unwrap();
    member["user_id"].as_str().unwrap().to_owned()
}

fn id(reply: &Reply) -> String {
    reply.body["id"].as_str().unwrap().to_owned()
}

/// The ids of the threads a listing shows, in order.
fn thread_ids(reply: &Reply) -> Vec<String> {
    reply.body.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

#[apply(backends)]
async fn reviewers_discuss_a_post_in_threads_anchored_to_its_revisions(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("studio").await;
    let creator = h.login("creator@studio.example.org").await;
    let reviewer = h.login("reviewer@studio.example.org").await;
    let (creator_id, reviewer_id, manager_id) = (user_id(&w, "creator").await, user_id(&w, "reviewer").await, user_id(&w, "manager").await);
    let image = upload_png(&creator, &w.ws).await;
    let path = launch_post(&creator, &w, &image).await;
    let comments = format!("{path}/comments");

    // The reviewer points at the two emoji of the channel's text: characters 11..13.
    let text_anchor = json!({"channel_id": w.channel, "target": {"kind": "text", "start": 11, "end": 13}});
    let on_text = reviewer.post(&comments, json!({"body": "  Two emoji are one too many  ", "anchor": text_anchor})).await;
    assert_eq!(on_text.status, StatusCode::CREATED, "{}", on_text.body);
    assert_eq!(on_text.body["body"], "Two emoji are one too many", "the body is trimmed");
    assert_eq!(on_text.body["author_id"], reviewer_id.as_str());
    assert_eq!(on_text.body["anchor"]["revision"], 1, "the latest revision by default: {}", on_text.body);
    assert_eq!(on_text.body["anchor"]["target"], json!({"kind": "text", "start": 11, "end": 13}));
    assert_eq!(on_text.body["visibility"], "internal");
    assert_eq!(on_text.body["parent_id"], Value::Null);
    assert_eq!(VARIANT_TEXT.chars().skip(11).take(2).collect::<String>(), "🚀🎉");

    // … and at a region of the base content's image, for the client to see too.
    let region = json!({"kind": "image", "media_id": image, "x": 0.5, "y": 0.25, "width": 0.5, "height": 0.75});
    let on_image = reviewer
        .post(&comments, json!({"body": "Crop the logo", "anchor": {"revision": 1, "target": region}, "visibility": "external"}))
        .await;
    assert_eq!(on_image.status, StatusCode::CREATED, "{}", on_image.body);
    assert_eq!(on_image.body["anchor"]["target"], region);
    assert_eq!(on_image.body["visibility"], "external");

    // The creator replies and mentions two members; the reply shares its thread's anchor.
    let reply = creator
        .post(&comments, json!({"body": "@reviewer @manager one emoji it is", "parent_id": id(&on_text), "mentions": [reviewer_id, manager_id, reviewer_id]}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["parent_id"], id(&on_text).as_str());
    assert_eq!(reply.body["anchor"], on_text.body["anchor"]);
    let mut mentioned: Vec<&str> = reply.body["mentions"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    mentioned.sort();
    let mut expected = vec![reviewer_id.as_str(), manager_id.as_str()];
    expected.sort();
    assert_eq!(mentioned, expected, "each member once");

    // A new revision; a comment without an anchor is about it.
    let saved = Client::send(
        creator
            .request(Method::POST, &format!("{path}/revisions"))
            .header("if-match", "\"1\"")
            .json(&json!({"content": {"text": "Launch day 🚀"}})),
    )
    .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let on_rev2 = creator.post(&comments, json!({"body": "Shorter now"})).await;
    assert_eq!(on_rev2.status, StatusCode::CREATED, "{}", on_rev2.body);
    assert_eq!(on_rev2.body["anchor"], json!({"revision": 2}));

    // Threads in creation order with their replies, filtered by revision.
    let all = reviewer.get(&comments).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(thread_ids(&all), [id(&on_text), id(&on_image), id(&on_rev2)]);
    assert_eq!(
        all.body[0]["replies"].as_array().map(|r| r.iter().map(|c| c["id"].clone()).collect::<Vec<_>>()),
        Some(vec![reply.body["id"].clone()])
    );
    assert_eq!(all.body[1]["replies"], json!([]));
    assert_eq!(thread_ids(&reviewer.get(&format!("{comments}?revision=1")).await), [id(&on_text), id(&on_image)]);
    assert_eq!(thread_ids(&reviewer.get(&format!("{comments}?revision=2")).await), [id(&on_rev2)]);

    // Resolving a thread: by anyone who comments; twice is a conflict.
    let resolved = creator.post(&format!("{comments}/{}/resolve", id(&on_text)), json!(null)).await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
    assert_eq!(resolved.body["resolved_by"], creator_id.as_str());
    assert!(resolved.body["resolved_at"].is_string(), "{}", resolved.body);
    let again = reviewer.post(&format!("{comments}/{}/resolve", id(&on_text)), json!(null)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body["detail"].as_str().unwrap().contains("already resolved"), "{}", again.body);
    assert_eq!(thread_ids(&reviewer.get(&format!("{comments}?unresolved=true")).await), [id(&on_image), id(&on_rev2)]);
    assert_eq!(thread_ids(&reviewer.get(&format!("{comments}?unresolved=true&revision=1")).await), [id(&on_image)]);
    assert_eq!(thread_ids(&reviewer.get(&format!("{comments}?unresolved=false")).await).len(), 3);

    // … and reopening it; reopening an open thread is a conflict too.
    let reopened = reviewer.post(&format!("{comments}/{}/reopen", id(&on_text)), json!(null)).await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    assert_eq!(reopened.body["resolved_at"], Value::Null);
    assert_eq!(reopened.body["resolved_by"], Value::Null);
    let again = reviewer.post(&format!("{comments}/{}/reopen", id(&on_text)), json!(null)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(thread_ids(&reviewer.get(&format!("{comments}?unresolved=true")).await).len(), 3);

    // Authors edit their own comments, nobody else's.
    let edited = reviewer.patch(&format!("{comments}/{}", id(&on_text)), json!({"body": "One emoji, please"}), None).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["body"], "One emoji, please");
    assert!(edited.body["edited_at"].is_string(), "{}", edited.body);
    let theirs = creator.patch(&format!("{comments}/{}", id(&on_text)), json!({"body": "Hijacked"}), None).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.body);
    assert!(theirs.body["detail"].as_str().unwrap().contains("only its author"), "{}", theirs.body);
    assert_eq!(reviewer.get(&comments).await.body[0]["body"], "One emoji, please");

    // The post's history has every write; the reply's event names whom it mentions.
    let history = w.admin.get(&format!("{path}/history")).await;
    let events = history.body["items"].as_array().unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "comment.added").count(), 4, "{actions:?}");
    for action in ["comment.resolved", "comment.reopened", "comment.edited"] {
        assert_eq!(actions.iter().filter(|a| **a == action).count(), 1, "{action}: {actions:?}");
    }
    let added = events.iter().find(|e| e["action"] == "comment.added" && e["data"]["comment"] == reply.body["id"]).unwrap();
    assert_eq!(added["data"]["mentions"], reply.body["mentions"]);
    assert_eq!(added["data"]["parent"], id(&on_text).as_str());
    let on_words = events.iter().find(|e| e["action"] == "comment.added" && e["data"]["comment"] == on_text.body["id"]).unwrap();
    assert_eq!(on_words["data"]["quote"], "🚀🎉", "the record keeps the words the comment was about");
    assert_eq!(w.admin.get(&format!("/workspaces/{}/audit/verify", w.ws)).await.body["intact"], true);
}

#[apply(backends)]
async fn bad_comments_are_refused_clearly_and_change_nothing(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("careful").await;
    let ws = w.ws.clone();
    let creator = h.login("creator@careful.example.org").await;
    let reviewer = h.login("reviewer@careful.example.org").await;
    let viewer = h.login("viewer@careful.example.org").await;
    let outsider = h.user("outsider@example.org", false).await;
    let image = upload_png(&creator, &ws).await;
    let path = launch_post(&creator, &w, &image).await;
    let comments = format!("{path}/comments");
    let thread = reviewer.post(&comments, json!({"body": "A thread"})).await;
    assert_eq!(thread.status, StatusCode::CREATED, "{}", thread.body);
    let reply = creator.post(&comments, json!({"body": "A reply", "parent_id": id(&thread)})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let other_post = launch_post(&creator, &w, &image).await;
    let elsewhere = reviewer.post(&format!("{other_post}/comments"), json!({"body": "On another post"})).await;
    assert_eq!(elsewhere.status, StatusCode::CREATED, "{}", elsewhere.body);

    let snapshot = || async {
        let listed = w.admin.get(&comments).await.body;
        let history = w.admin.get(&format!("/workspaces/{ws}/history?limit=200")).await.body["items"].as_array().unwrap().len();
        (listed, history)
    };
    let before = snapshot().await;
    assert_eq!(before.0.as_array().map(Vec::len), Some(1));

    let text = |start: usize, end: usize| json!({"channel_id": w.channel, "target": {"kind": "text", "start": start, "end": end}});
    let region =
        |x: f64, width: f64| json!({"target": {"kind": "image", "media_id": image, "x": x, "y": 0.0, "width": width, "height": 0.5}});
    let missing = "01999999-0000-7000-8000-000000000000";
    let cases = [
        // 24 is inside the variant's 27 bytes but past its 21 characters.
        (&reviewer, json!({"body": "x", "anchor": text(17, 24)}), StatusCode::UNPROCESSABLE_ENTITY, "anchor.target.end", "21 characters"),
        (
            &reviewer,
            json!({"body": "x", "anchor": text(5, 5)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "anchor.target.start",
            "at least one character",
        ),
        (
            &reviewer,
            json!({"body": "x", "anchor": region(0.75, 0.5)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "anchor.target",
            "inside the image",
        ),
        (&reviewer, json!({"body": "x", "anchor": region(-0.25, 0.5)}), StatusCode::UNPROCESSABLE_ENTITY, "anchor.target.x", "from 0 to 1"),
        // The channel's variant shows no image.
        (
            &reviewer,
            json!({"body": "x", "anchor": {"channel_id": w.channel, "target": {"kind": "image", "media_id": image, "x": 0, "y": 0, "width": 1, "height": 1}}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "anchor.target.media_id",
            "not an image of that channel",
        ),
        (
            &reviewer,
            json!({"body": "x", "anchor": {"revision": 9}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "anchor.revision",
            "no such revision",
        ),
        (
            &reviewer,
            json!({"body": "x", "anchor": {"channel_id": missing}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "anchor.channel_id",
            "not one of the post's channels",
        ),
        (&reviewer, json!({"body": "x", "mentions": [outsider.id]}), StatusCode::UNPROCESSABLE_ENTITY, "mentions", "not a member"),
        (&reviewer, json!({"body": "x", "parent_id": id(&reply)}), StatusCode::UNPROCESSABLE_ENTITY, "parent_id", "one level deep"),
        (
            &reviewer,
            json!({"body": "x", "parent_id": missing}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "parent_id",
            "no such comment on this post",
        ),
        (
            &reviewer,
            json!({"body": "x", "parent_id": id(&elsewhere)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "parent_id",
            "no such comment on this post",
        ),
        (
            &reviewer,
            json!({"body": "x", "parent_id": id(&thread), "anchor": text(0, 1)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "anchor",
            "thread's anchor",
        ),
        (
            &reviewer,
            json!({"body": "x", "parent_id": id(&thread), "visibility": "external"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "visibility",
            "internal",
        ),
        (&reviewer, json!({"body": " \n "}), StatusCode::UNPROCESSABLE_ENTITY, "body", "must not be empty"),
        (&reviewer, json!({"body": "x".repeat(10_001)}), StatusCode::UNPROCESSABLE_ENTITY, "body", "at most 10000"),
        (&reviewer, json!({"body": "x", "colour": "red"}), StatusCode::UNPROCESSABLE_ENTITY, "", "unknown field"),
        (&reviewer, json!({"body": "x", "visibility": "public"}), StatusCode::UNPROCESSABLE_ENTITY, "", "unknown variant"),
        (&viewer, json!({"body": "Viewers only watch"}), StatusCode::FORBIDDEN, "", "a viewer cannot comment"),
    ];
    for (client, body, status, field, needle) in cases {
        let r = client.post(&comments, body.clone()).await;
        assert_eq!(r.status, status, "{body:.120}: {}", r.body);
        let found = if field.is_empty() {
            r.body.to_string().contains(needle)
        } else {
            r.body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["field"] == field && e["message"].as_str().unwrap().contains(needle))
        };
        assert!(found, "{field}: {needle} not in {}", r.body);
    }

    // Resolving and editing: replies are not threads, unknown comments are not found, only authors edit.
    let on = |comment: &str, what: &str| format!("{comments}/{comment}{what}");
    let cases = [
        (&creator, Method::POST, on(&id(&reply), "/resolve"), json!(null), StatusCode::CONFLICT, "is a reply"),
        (&creator, Method::POST, on(&id(&thread), "/reopen"), json!(null), StatusCode::CONFLICT, "not resolved"),
        (&creator, Method::POST, on(missing, "/resolve"), json!(null), StatusCode::NOT_FOUND, "comment not found"),
        (&creator, Method::POST, on(&id(&elsewhere), "/resolve"), json!(null), StatusCode::NOT_FOUND, "comment not found"),
        (&viewer, Method::POST, on(&id(&thread), "/resolve"), json!(null), StatusCode::FORBIDDEN, "cannot comment"),
        (&creator, Method::PATCH, on(&id(&thread), ""), json!({"body": "Mine now"}), StatusCode::FORBIDDEN, "only its author"),
        (&reviewer, Method::PATCH, on(&id(&thread), ""), json!({"body": ""}), StatusCode::UNPROCESSABLE_ENTITY, "must not be empty"),
    ];
    for (client, method, url, body, status, needle) in cases {
        let mut req = client.request(method.clone(), &url);
        if !body.is_null() {
            req = req.json(&body);
        }
        let r = Client::send(req).await;
        assert_eq!(r.status, status, "{method} {url}: {}", r.body);
        assert!(r.body.to_string().contains(needle), "{needle} not in {}", r.body);
    }
    assert_eq!(reviewer.get(&format!("{comments}?revision=0")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reviewer.get(&format!("{comments}?unresolved=maybe")).await.status, StatusCode::BAD_REQUEST);

    let after = snapshot().await;
    assert_eq!(before, after, "bad input must change nothing");
}
