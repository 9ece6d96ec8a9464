//! The foundation story: users, workspace, posts, revisions, diff, history, concurrency.

use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

#[apply(backends)]
async fn a_creator_drafts_and_revises_a_post(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("clinic").await;
    let creator = h.login("creator@clinic.example.org").await;
    let ws = &w.ws;

    let label = w.admin.post(&format!("/workspaces/{ws}/labels"), json!({"name": "sensitive"})).await;
    assert_eq!(label.status, StatusCode::CREATED);
    let campaign = w
        .admin
        .post(
            &format!("/workspaces/{ws}/campaigns"),
            json!({"name": "Flu", "colour": "#1A7F5A", "starts_on": "2026-10-01", "ends_on": "2027-02-28"}),
        )
        .await;
    assert_eq!(campaign.status, StatusCode::CREATED, "{}", campaign.body);
    assert_eq!(campaign.body["colour"], "#1a7f5a");

    let mut variants = serde_json::Map::new();
    variants.insert(w.channel.clone(), json!({"text": "Flu shots today 💉"}));
    let created = creator
        .post(
            &format!("/workspaces/{ws}/posts"),
            json!({
                "title": "Flu shots",
                "brief": "Remind people the clinic has walk-in flu shots",
                "campaign_id": campaign.body["id"],
                "label_ids": [label.body["id"]],
                "channel_ids": [w.channel],
                "planned_at": "2026-12-01T09:00[Europe/Copenhagen]",
                "content": {"text": "Flu shots today", "variants": variants}
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let post = &created.body["post"];
    let id = post["id"].as_str().unwrap();
    assert_eq!(post["state"], "draft");
    assert_eq!(post["planned"], "2026-12-01T09:00:00+01:00[Europe/Copenhagen]");
    assert_eq!(created.headers["etag"], "\"1\"");
    assert_eq!(created.body["revision"]["number"], 1);

    // A new revision needs the version it was based on.
    let path = format!("/workspaces/{ws}/posts/{id}/revisions");
    let content = json!({"content": {"text": "Free flu shots today"}});
    let missing = h.login("creator@clinic.example.org").await;
    let r = Client::send(missing.request(reqwest::Method::POST, &path).json(&content)).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.body);
    let r = Client::send(creator.request(reqwest::Method::POST, &path).header("if-match", "\"1\"").json(&content)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["revision"]["number"], 2);
    assert_eq!(r.headers["etag"], "\"2\"");
    // Saving the same content again makes no revision.
    let r = Client::send(creator.request(reqwest::Method::POST, &path).header("if-match", "\"2\"").json(&content)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["created"], false);
    // A stale version is refused and changes nothing.
    let r =
        Client::send(creator.request(reqwest::Method::POST, &path).header("if-match", "\"1\"").json(&json!({"content": {"text": "lost"}})))
            .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(r.body["type"], "urn:greenlight:problem:stale");
    assert_eq!(r.body["current_version"], 2);

    let revisions = creator.get(&path).await;
    assert_eq!(revisions.body.as_array().map(Vec::len), Some(2));
    assert_ne!(revisions.body[0]["content_hash"], revisions.body[1]["content_hash"]);

    let diff = creator.get(&format!("/workspaces/{ws}/posts/{id}/diff?from=1&to=2")).await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.body);
    let fields: Vec<&str> = diff.body["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["text".to_string(), format!("variants.{}.text", w.channel)]);
    assert_eq!(diff.body["changes"][0]["segments"][0], json!({"op": "delete", "text": "Flu"}));
    assert_eq!(diff.body["changes"][0]["segments"][1], json!({"op": "insert", "text": "Free flu"}));

    // Rescheduling keeps the state; the post's history tells the whole story.
    let r = creator
        .patch(&format!("/workspaces/{ws}/posts/{id}"), json!({"planned_at": "2026-12-02T10:30[Europe/Copenhagen]"}), Some("\"2\""))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["planned"], "2026-12-02T10:30:00+01:00[Europe/Copenhagen]");
    assert_eq!(r.body["version"], 3);
    let history = creator.get(&format!("/workspaces/{ws}/posts/{id}/history")).await;
    let actions: Vec<&str> = history.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["post.created", "post.revision_saved", "post.updated"]);
    assert_eq!(history.body["items"][0]["actor"]["kind"], "user");

    // Lists page with cursors.
    for n in 0..3 {
        let r = creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": format!("Extra {n}")})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let page1 = creator.get(&format!("/workspaces/{ws}/posts?limit=3")).await;
    assert_eq!(page1.body["items"].as_array().map(Vec::len), Some(3));
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = creator.get(&format!("/workspaces/{ws}/posts?limit=3&cursor={cursor}")).await;
    assert_eq!(page2.body["items"].as_array().map(Vec::len), Some(1));
    assert!(page2.body["next_cursor"].is_null());
    let drafts = creator.get(&format!("/workspaces/{ws}/posts?state=draft&campaign_id={}", campaign.body["id"].as_str().unwrap())).await;
    assert_eq!(drafts.body["items"].as_array().map(Vec::len), Some(1));
}

/// A PNG of 11,500 × 11,500 one-bit pixels: 16 KiB on the wire, 132 MB
/// once decoded. Written row by row, so the test never holds the pixels.
fn pixel_bomb() -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 11_500, 11_500);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().unwrap();
    let mut rows = writer.stream_writer().unwrap();
    let row = vec![0u8; 11_500usize.div_ceil(8)];
    for _ in 0..11_500 {
        std::io::Write::write_all(&mut rows, &row).unwrap();
    }
    rows.finish().unwrap();
    writer.finish().unwrap();
    out
}

/// An image whose header claims more pixels than the bound is refused
/// before it is decoded; six at once do not take the server's memory.
#[apply(backends)]
async fn an_image_with_too_many_pixels_is_refused_before_decoding(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("studio").await;
    let creator = h.login("creator@studio.example.org").await;
    let bomb = pixel_bomb();
    assert!(bomb.len() < 256 * 1024, "the bomb fits the upload limit: {} bytes", bomb.len());
    let uploads = (0..6).map(|i| {
        let part = reqwest::multipart::Part::bytes(bomb.clone()).file_name(format!("bomb{i}.png"));
        Client::send(
            creator
                .request(reqwest::Method::POST, &format!("/workspaces/{}/media", w.ws))
                .multipart(reqwest::multipart::Form::new().part("file", part)),
        )
    });
    for r in futures::future::join_all(uploads).await {
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.to_string().contains("11500 × 11500 pixels; at most 50 megapixels"), "{}", r.body);
    }
    let library = creator.get(&format!("/workspaces/{}/media", w.ws)).await;
    assert_eq!(library.body["items"].as_array().map(Vec::len), Some(0), "{}", library.body);
}

#[apply(backends)]
async fn media_is_sniffed_measured_and_thumbnailed(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("studio").await;
    let creator = h.login("creator@studio.example.org").await;
    let mut png = Vec::new();
    image::RgbImage::from_pixel(640, 480, image::Rgb([10, 120, 90]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let upload = |bytes: Vec<u8>, name: &str| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        creator
            .request(reqwest::Method::POST, &format!("/workspaces/{}/media", w.ws))
            .multipart(reqwest::multipart::Form::new().part("file", part))
    };
    let r = Client::send(upload(png.clone(), "nurse.png")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((r.body["mime"].as_str(), r.body["width"].as_i64(), r.body["height"].as_i64()), (Some("image/png"), Some(640), Some(480)));
    let id = r.body["id"].as_str().unwrap().to_owned();
    let thumb = creator.request(reqwest::Method::GET, &format!("/workspaces/{}/media/{id}/thumbnail", w.ws)).send().await.unwrap();
    assert_eq!(thumb.status(), StatusCode::OK);
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
    let original = creator.request(reqwest::Method::GET, &format!("/workspaces/{}/media/{id}/content", w.ws)).send().await.unwrap();
    assert_eq!(original.bytes().await.unwrap().to_vec(), png);

    // Text renamed to .png is refused; so is a file over the limit.
    let r = Client::send(upload(b"#!/bin/sh\necho not an image\n".repeat(20), "evil.png")).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    let r = Client::send(upload(vec![0u8; 300 * 1024], "big.png")).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);

    // Content can use the media, with alt text; media of another workspace cannot be used.
    let ok = creator
        .post(
            &format!("/workspaces/{}/posts", w.ws),
            json!({"title": "Photo", "content": {"text": "Our team", "media": [{"media_id": id, "alt_text": "A nurse smiling"}]}}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let other = h.world("other").await;
    let bad = other
        .admin
        .post(&format!("/workspaces/{}/posts", other.ws), json!({"title": "Stolen", "content": {"media": [{"media_id": id}]}}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let library = creator.get(&format!("/workspaces/{}/media", w.ws)).await;
    assert_eq!(library.body["items"].as_array().map(Vec::len), Some(1));

    // Paging: a full last page has no next page; a cursor continues where the page ended.
    let second = Client::send(upload(png.clone(), "second.png")).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let page = creator.get(&format!("/workspaces/{}/media?limit=2", w.ws)).await;
    assert_eq!((page.body["items"].as_array().map(Vec::len), &page.body["next_cursor"]), (Some(2), &Value::Null), "{}", page.body);
    let first = creator.get(&format!("/workspaces/{}/media?limit=1", w.ws)).await;
    assert_eq!(first.body["items"][0]["id"], second.body["id"], "newest first");
    let rest = creator.get(&format!("/workspaces/{}/media?limit=1&cursor={}", w.ws, first.body["next_cursor"].as_str().unwrap())).await;
    assert_eq!((rest.body["items"][0]["id"].as_str(), &rest.body["next_cursor"]), (Some(id.as_str()), &Value::Null), "{}", rest.body);
}

#[apply(backends)]
async fn sessions_tokens_and_login_limits(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("agency").await;
    let owner = h.login("owner@agency.example.org").await;

    // Cookie writes need the CSRF token.
    let mut no_csrf = h.login("owner@agency.example.org").await;
    no_csrf.csrf = None;
    let r = no_csrf.post(&format!("/workspaces/{}/labels", w.ws), json!({"name": "launch"})).await;
    assert_eq!((r.status, r.body["type"].as_str()), (StatusCode::FORBIDDEN, Some("urn:greenlight:problem:csrf")));

    // A token is shown once, acts within its workspace and role, and can be revoked.
    let t = owner.post(&format!("/workspaces/{}/tokens", w.ws), json!({"name": "scheduler", "role": "viewer"})).await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    let secret = t.body["secret"].as_str().unwrap();
    assert!(secret.starts_with("glt_") && secret.len() > 40);
    let bot = h.bearer(secret);
    assert_eq!(bot.get(&format!("/workspaces/{}/posts", w.ws)).await.status, StatusCode::OK);
    assert_eq!(bot.post(&format!("/workspaces/{}/posts", w.ws), json!({"title": "x"})).await.status, StatusCode::FORBIDDEN);
    let listed = owner.get(&format!("/workspaces/{}/tokens", w.ws)).await;
    assert!(listed.body[0]["last_used_at"].is_string(), "{}", listed.body);
    assert!(listed.body[0].get("secret").is_none());
    let other = h.world("elsewhere").await;
    assert_eq!(bot.get(&format!("/workspaces/{}/posts", other.ws)).await.status, StatusCode::NOT_FOUND);
    let r = owner.delete(&format!("/workspaces/{}/tokens/{}", w.ws, t.body["id"].as_str().unwrap())).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(bot.get(&format!("/workspaces/{}/posts", w.ws)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.bearer("glt_nonsense").get("/workspaces").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.bearer("not a token at all").get("/workspaces").await.status, StatusCode::UNAUTHORIZED);

    // The current session answers its CSRF token again (for a reloaded client).
    let me = owner.get("/session").await;
    assert_eq!(me.body["user"]["email"], "owner@agency.example.org");
    assert_eq!(me.body["csrf_token"].as_str(), owner.csrf.as_deref());

    // Logout ends the session.
    let r = owner.delete("/session").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(owner.get("/workspaces").await.status, StatusCode::UNAUTHORIZED);

    // Wrong passwords answer 401, then the limit answers 429.
    let anon = h.anonymous();
    let attempt = || anon.post("/session", json!({"email": "viewer@agency.example.org", "password": "wrong password!"}));
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(attempt().await.status);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);

    // Sessions expire (14 days in the harness).
    let fresh = h.login("manager@agency.example.org").await;
    assert_eq!(fresh.get("/workspaces").await.status, StatusCode::OK);
    h.clock.advance(jiff::SignedDuration::from_hours(24 * 14 + 1));
    assert_eq!(fresh.get("/workspaces").await.status, StatusCode::UNAUTHORIZED);
}
