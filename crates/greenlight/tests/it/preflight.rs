//! Preflight through the API: counting each network's way, the style guide
//! as data, media and alt text, links checked in the background, the
//! submission gate, and the hospital's QA stage ticking its checklist from
//! what preflight finds.

use std::io::Cursor;

use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

async fn new_channel(admin: &Client, ws: &str, network: &str) -> String {
    let body = json!({"network": network, "handle": format!("counts-{network}"), "display_name": network});
    let r = admin.post(&format!("/workspaces/{ws}/channels"), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

#[apply(backends)]
async fn preflight_counts_each_channel_the_way_its_network_does(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("counts").await;
    let ws = w.ws.clone();
    let x = new_channel(&w.admin, &ws, "x").await;
    let mastodon = new_channel(&w.admin, &ws, "mastodon").await;
    let instagram = new_channel(&w.admin, &ws, "instagram").await;
    let bluesky = w.channel.clone();
    let viewer = h.login("viewer@counts.example.org").await;
    let family = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
    let link = format!("https://example.org/{}", "a".repeat(60));
    let mention = "@dana@social.example";
    let text = format!("{family} 你好 {link} #flu {mention}");
    let variants = json!({ instagram.clone(): {"text": "#a ".repeat(31)} });
    let body = json!({"content": {"text": text, "variants": variants}, "channel_ids": [x, bluesky, mastodon, instagram]});
    let r = viewer.post(&format!("/workspaces/{ws}/preflight"), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let by = |i: usize| &r.body["channels"][i];
    // X: family emoji 2, CJK 4, link 23, "#flu" 4, the mention 20, four spaces.
    assert_eq!(by(0)["network"], "x");
    assert_eq!((by(0)["length"].as_u64(), by(0)["limit"].as_u64()), (Some(2 + 4 + 23 + 4 + 20 + 4), Some(280)), "{}", by(0));
    // Bluesky: graphemes.
    assert_eq!(by(1)["length"], 1 + 1 + 2 + 1 + link.chars().count() + 1 + 4 + 1 + mention.len());
    // Mastodon: graphemes, the link as 23, the remote mention as its name.
    assert_eq!(by(2)["length"], 1 + 1 + 2 + 1 + 23 + 1 + 4 + 1 + "@dana".len());
    let end = text.chars().count();
    assert_eq!(by(2)["entities"]["mentions"][0], json!({"start": end - mention.len(), "end": end}), "{}", by(2));
    // Instagram's variant has 31 hashtags and no picture: errors that block.
    let rules: Vec<&str> = by(3)["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["instagram.media.required", "instagram.hashtags"]);
    assert_eq!(r.body["errors"], 2);
    // A channel of another workspace, or none: refused.
    let other = h.world("elsewhere").await;
    let r = viewer.post(&format!("/workspaces/{ws}/preflight"), json!({"content": {"text": "Hi"}, "channel_ids": [other.channel]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = viewer.post(&format!("/workspaces/{ws}/preflight"), json!({"content": {"text": "Hi"}, "channel_ids": []})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[apply(backends)]
async fn preflight_errors_block_submission_until_fixed_or_overridden(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("gate").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@gate.example.org").await;
    let creator = h.login("creator@gate.example.org").await;
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let x = new_channel(&w.admin, &ws, "x").await;
    let long = "Flu shots ".repeat(30);
    let post =
        creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Flu", "channel_ids": [x], "content": {"text": long}})).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let path = format!("/workspaces/{ws}/posts/{}", post.body["post"]["id"].as_str().unwrap());

    // 300 weighted characters on X: refused, naming the finding; nothing changes.
    let r = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], format!("preflight.{x}.x.length"), "{}", r.body);
    assert_eq!(creator.get(&path).await.body["state"], "draft");
    // A creator cannot override; an owner can, with a reason, and the log keeps it.
    let r = creator.post(&format!("{path}/review"), json!({"override_preflight": "the thread splits it"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = owner.post(&format!("{path}/review"), json!({"override_preflight": "  "})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a blank reason is no reason: {}", r.body);
    let r = owner.post(&format!("{path}/review"), json!({"override_preflight": "Posted as a thread by hand"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let history = owner.get(&format!("{path}/history")).await;
    let started = history.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "review.started").unwrap();
    assert_eq!(started["data"]["preflight"]["overridden"]["reason"], "Posted as a thread by hand");
    assert_eq!(started["data"]["preflight"]["overridden"]["findings"][0]["rule"], "x.length");

    // The saved revision keeps its report, which reviewers read.
    let stored = creator.get(&format!("{path}/revisions/1/preflight")).await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.body);
    assert_eq!(stored.body["channels"][0]["findings"][0]["rule"], "x.length", "{}", stored.body);
    assert!(stored.body["channels"][0]["checked_at"].is_string());
    assert_eq!(stored.body["errors"], 1);
    assert_eq!(creator.get(&format!("{path}/revisions/9/preflight")).await.status, StatusCode::NOT_FOUND);

    // Fixed content goes through without anyone's say-so.
    let short = creator
        .post(&format!("/workspaces/{ws}/posts"), json!({"title": "Short", "channel_ids": [x], "content": {"text": "Flu shots today"}}))
        .await;
    let short = format!("/workspaces/{ws}/posts/{}", short.body["post"]["id"].as_str().unwrap());
    let r = creator.post(&format!("{short}/review"), json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let bad = creator.post(&format!("{short}/review"), json!({"override": true})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {}", bad.body);
}

/// Uploads a picture of `width` × `height`; answers its media id.
pub(crate) async fn upload_picture(client: &Client, ws: &str, width: u32, height: u32) -> String {
    let mut jpeg = Vec::new();
    image::RgbImage::from_pixel(width, height, image::Rgb([200, 40, 60]))
        .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    upload(client, ws, jpeg, "heart.jpg").await
}

pub(crate) async fn upload(client: &Client, ws: &str, bytes: Vec<u8>, name: &str) -> String {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let req = client
        .request(reqwest::Method::POST, &format!("/workspaces/{ws}/media"))
        .multipart(reqwest::multipart::Form::new().part("file", part));
    let r = Client::send(req).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// A real MP4 (written with the `mp4` crate): one video track of
/// `seconds` one-second samples at `width` × `height`.
fn mp4_video(seconds: u32, width: u16, height: u16) -> Vec<u8> {
    let brand = |b: &str| b.parse::<mp4::FourCC>().unwrap();
    let config = mp4::Mp4Config {
        major_brand: brand("isom"),
        minor_version: 512,
        compatible_brands: vec![brand("isom"), brand("mp41")],
        timescale: 1000,
    };
    let mut writer = mp4::Mp4Writer::write_start(Cursor::new(Vec::new()), &config).unwrap();
    let avc = mp4::AvcConfig { width, height, seq_param_set: vec![0x67, 0x42, 0x00, 0x1e], pic_param_set: vec![0x68, 0xce, 0x3c, 0x80] };
    let track = mp4::TrackConfig {
        track_type: mp4::TrackType::Video,
        timescale: 1000,
        language: "und".into(),
        media_conf: mp4::MediaConfig::AvcConfig(avc),
    };
    writer.add_track(&track).unwrap();
    for i in 0..seconds {
        let sample = mp4::Mp4Sample {
            start_time: u64::from(i) * 1000,
            duration: 1000,
            rendering_offset: 0,
            is_sync: true,
            bytes: mp4::Bytes::from(vec![0u8; 32]),
        };
        writer.write_sample(1, &sample).unwrap();
    }
    writer.write_end().unwrap();
    writer.into_writer().into_inner()
}

/// Saves `content` as the post's next revision, at its current version.
async fn save_revision(client: &Client, path: &str, content: Value) -> Reply {
    let version = client.get(path).await.body["version"].as_i64().unwrap();
    let req = client.request(reqwest::Method::POST, &format!("{path}/revisions")).json(&json!({ "content": content }));
    Client::send(req.header("if-match", format!("\"{version}\""))).await
}

fn rules(channel: &Value) -> Vec<String> {
    channel["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}@{}", f["rule"].as_str().unwrap(), f["field"].as_str().unwrap()))
        .collect()
}

/// The hospital's QA pass (DESIGN.md, the first workflow): a QA volunteer
/// cannot pass a post without alt text or the service line's account
/// tagged; adding both lets it through, and the record says what was done.
#[apply(backends)]
async fn the_hospital_qa_stage_ticks_alt_text_and_tags_from_preflight(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("riverside").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@riverside.example.org").await;
    let creator = h.login("creator@riverside.example.org").await;
    let volunteer = h.login("reviewer@riverside.example.org").await;
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Hospital", "template": "hospital", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let groups = owner.get(&format!("/workspaces/{ws}/groups")).await;
    let qa = groups.body.as_array().unwrap().iter().find(|g| g["name"] == "QA volunteers").unwrap()["id"].as_str().unwrap().to_owned();
    let members = owner.get(&format!("/workspaces/{ws}/members")).await;
    let volunteer_id =
        members.body.as_array().unwrap().iter().find(|m| m["email"] == "reviewer@riverside.example.org").unwrap()["user_id"].clone();
    let volunteer_id = volunteer_id.as_str().unwrap();
    let r = owner.put(&format!("/workspaces/{ws}/groups/{qa}/members/{volunteer_id}"), json!(null)).await;
    assert!(r.status.is_success(), "{}", r.body);
    let x = new_channel(&w.admin, &ws, "x").await;
    let cardiology =
        owner.post(&format!("/workspaces/{ws}/labels"), json!({"name": "cardiology"})).await.body["id"].as_str().unwrap().to_owned();
    // Alt text is a warning here while graphics are in progress; the QA stage still needs it.
    let guide = json!({
        "alt_text": "warning",
        "always_tag": [{"mention": "@RiversideHeart", "network": "x", "when": {"label_id": cardiology}, "severity": "warning"}]
    });
    let r = owner.put_if(&format!("/workspaces/{ws}/style-guide"), guide, "\"0\"").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let picture = upload_picture(&creator, &ws, 1200, 675).await;
    let content = json!({"text": "Five small habits for a healthier heart.", "media": [{"media_id": picture}]});
    let post = creator
        .post(
            &format!("/workspaces/{ws}/posts"),
            json!({"title": "Heart habits", "channel_ids": [x], "label_ids": [cardiology], "repurposed": true, "content": content}),
        )
        .await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let path = format!("/workspaces/{ws}/posts/{}", post.body["post"]["id"].as_str().unwrap());
    let stored = creator.get(&format!("{path}/revisions/1/preflight")).await;
    assert_eq!(rules(&stored.body["channels"][0]), ["mentions.always_tag@text", "media.alt_text@media.0"], "{}", stored.body);
    assert_eq!((stored.body["errors"].as_u64(), stored.body["warnings"].as_u64()), (Some(0), Some(2)));
    let review = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "warnings do not block: {}", review.body);
    let history = creator.get(&format!("{path}/history")).await;
    let started = history.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "review.started").unwrap();
    assert_eq!(started["data"]["preflight"]["warnings"].as_array().map(Vec::len), Some(2), "warnings travel with the review");

    // At QA: the volunteer ticks the style by hand; alt text and tags are open.
    let decide = |checklist: Value, rev: String| {
        let volunteer = &volunteer;
        let path = path.clone();
        async move {
            volunteer
                .post(&format!("{path}/review/decisions"), json!({"verdict": "approve", "revision": rev, "checklist": checklist}))
                .await
        }
    };
    let rev = review.body["current_revision"].as_str().unwrap().to_owned();
    let r = decide(json!(["style"]), rev.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "checklist");
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Alt text on every image") && message.contains("Relevant accounts tagged"), "{message}");
    let r = decide(json!(["style", "alt-text"]), rev.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "nobody ticks an automatic item by hand: {}", r.body);
    assert_eq!(creator.get(&path).await.body["state"], "in_review", "a refused approval changes nothing");
    let r = volunteer
        .post(
            &format!("{path}/review/decisions"),
            json!({"verdict": "request_changes", "revision": rev, "comment": "Alt text, and tag the heart team"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The creator adds alt text and the tag; the new revision goes back to QA and passes.
    let fixed = json!({"text": "Five small habits for a healthier heart, from @RiversideHeart.", "media": [{"media_id": picture, "alt_text": "A cardiologist listening to a patient's heart"}]});
    let saved = save_revision(&creator, &path, fixed).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let stored = creator.get(&format!("{path}/revisions/2/preflight")).await;
    assert_eq!(rules(&stored.body["channels"][0]), Vec::<String>::new(), "{}", stored.body);
    let resubmitted = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(resubmitted.status, StatusCode::OK, "{}", resubmitted.body);
    let rev = resubmitted.body["current_revision"].as_str().unwrap().to_owned();
    let r = decide(json!(["style"]), rev).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(creator.get(&path).await.body["state"], "approved");
    let decided = creator.get(&format!("{path}/review")).await;
    let last = decided.body["run"]["decisions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["checklist"], json!(["alt-text", "hashtags", "style", "tags"]), "the record names every item done");
}

/// The style guide is data: read and replaced through the API, checked
/// before it is saved (a bad pattern changes nothing), versioned, audited,
/// and applied at once to content being written.
#[apply(backends)]
async fn the_style_guide_is_checked_when_saved_and_applied_while_writing(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("brand").await;
    let ws = w.ws.clone();
    let manager = h.login("manager@brand.example.org").await;
    let creator = h.login("creator@brand.example.org").await;
    let path = format!("/workspaces/{ws}/style-guide");
    let empty = creator.get(&path).await;
    assert_eq!((empty.status, empty.body["version"].as_i64(), empty.headers["etag"].to_str().unwrap()), (StatusCode::OK, Some(0), "\"0\""));
    let sponsored =
        manager.post(&format!("/workspaces/{ws}/labels"), json!({"name": "sponsored"})).await.body["id"].as_str().unwrap().to_owned();
    let campaign = manager.post(&format!("/workspaces/{ws}/campaigns"), json!({"name": "Heart Month", "colour": "#c0392b"})).await;
    let campaign = campaign.body["id"].as_str().unwrap().to_owned();
    let guide = json!({
        "banned": [{"phrase": "cure", "replacement": "treat", "reason": "we never promise outcomes"}],
        "terms": [{"preferred": "health care", "avoid": ["healthcare"]}],
        "disclosures": [{"when": {"label_id": sponsored}, "text": "#ad"}],
        "max_exclamations": {"max": 1},
        "patterns": [{"id": "phone", "pattern": "\\b\\d{3}-\\d{4}\\b", "message": "write phone numbers with the area code"}],
        "utm": {"utm_source": "{network}", "utm_medium": "social", "utm_campaign": "{campaign}"}
    });

    // Who may, with what version, and only a guide that compiles.
    assert_eq!(creator.put_if(&path, guide.clone(), "\"0\"").await.status, StatusCode::FORBIDDEN);
    assert_eq!(manager.put(&path, guide.clone()).await.status, StatusCode::PRECONDITION_REQUIRED);
    let mut bad = guide.clone();
    bad["patterns"] =
        json!([{"id": "x", "pattern": "(unclosed", "message": "m"}, {"id": "y", "pattern": "\\w{1000}\\w{1000}\\w{1000}", "message": "m"}]);
    bad["disclosures"][0]["when"]["label_id"] = json!(uuid::Uuid::now_v7());
    let r = manager.put_if(&path, bad, "\"0\"").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<&str> = r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["disclosures[0].when.label_id", "patterns[0].pattern", "patterns[1].pattern"], "{}", r.body);
    assert_eq!(creator.get(&path).await.body["version"], 0, "a refused guide changes nothing");
    let saved = manager.put_if(&path, guide.clone(), "\"0\"").await;
    assert_eq!((saved.status, saved.body["version"].as_i64()), (StatusCode::OK, Some(1)), "{}", saved.body);
    assert_eq!(manager.put_if(&path, guide.clone(), "\"0\"").await.status, StatusCode::PRECONDITION_FAILED, "a lost update is refused");
    let owner = h.login("owner@brand.example.org").await;
    let history = owner.get(&format!("/workspaces/{ws}/history")).await;
    let event = history.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "style_guide.updated").cloned().unwrap();
    assert_eq!((event["data"]["version"].as_i64(), &event["data"]["guide"]["banned"][0]["phrase"]), (Some(1), &json!("cure")));

    // Applied at once to what is being written, with the ranges to underline.
    let x = new_channel(&w.admin, &ws, "x").await;
    let text = "We cure hearts! Really! healthcare at 555-1234: https://example.org/heart";
    let body = json!({"content": {"text": text}, "channel_ids": [x], "label_ids": [sponsored], "campaign_id": campaign});
    let r = creator.post(&format!("/workspaces/{ws}/preflight"), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers["server-timing"].to_str().unwrap().starts_with("preflight;dur="));
    let channel = &r.body["channels"][0];
    let found: Vec<(String, String)> = channel["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let under = f["span"].as_object().map(|s| {
                let (a, b) = (s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize);
                text.chars().skip(a).take(b - a).collect::<String>()
            });
            (f["rule"].as_str().unwrap().to_owned(), under.unwrap_or_default())
        })
        .collect();
    let expect = |rule: &str, under: &str| (rule.to_owned(), under.to_owned());
    assert_eq!(
        found,
        [
            expect("disclosures.required", ""),
            expect("style.banned", "cure"),
            expect("style.exclamations", "!"),
            expect("style.term", "healthcare"),
            expect("style.pattern.phone", "555-1234"),
        ],
        "{channel}"
    );
    assert_eq!(channel["findings"][1]["suggestion"], "treat");
    assert_eq!(
        channel["links"][0]["tagged"], "https://example.org/heart?utm_campaign=Heart+Month&utm_medium=social&utm_source=x",
        "the link as it will be published"
    );
    assert_eq!((r.body["errors"].as_u64(), r.body["warnings"].as_u64()), (Some(2), Some(3)));
    // An unknown label is the caller's mistake, named.
    let r = creator
        .post(&format!("/workspaces/{ws}/preflight"), json!({"content": {"text": "Hi"}, "channel_ids": [x], "label_ids": [campaign]}))
        .await;
    assert_eq!((r.status, &r.body["errors"][0]["field"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("label_ids.0")));
}

/// With the guide's `check_links`, a saved revision's links are asked in
/// the background (never while writing); one that does not answer is a
/// warning on the stored report and on later checks.
#[apply(backends)]
async fn links_are_checked_in_the_background_when_the_guide_asks(#[case] backend: Backend) {
    use axum::{Router, http::StatusCode as S, routing::any};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route("/ok", any(|| async { S::OK })).route("/moved", any(|| async { (S::FOUND, [("location", "/ok")]) }));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let h = Harness::start(backend).await;
    let w = h.world("links").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@links.example.org").await;
    let creator = h.login("creator@links.example.org").await;
    let text = format!("Read {site}/ok and {site}/moved and {site}/gone");
    let (creator_ref, posts) = (&creator, format!("/workspaces/{ws}/posts"));
    let create = |title: &str| {
        let body = json!({"title": title, "channel_ids": [w.channel], "content": {"text": text}});
        let posts = posts.clone();
        async move { creator_ref.post(&posts, body).await }
    };
    // Off by default: saving asks nothing.
    let quiet = create("Quiet").await;
    assert_eq!(quiet.status, StatusCode::CREATED, "{}", quiet.body);
    h.pass(jiff::SignedDuration::ZERO).await;
    let quiet = format!("/workspaces/{ws}/posts/{}/revisions/1/preflight", quiet.body["post"]["id"].as_str().unwrap());
    assert_eq!(rules(&creator.get(&quiet).await.body["channels"][0]), Vec::<String>::new(), "no link is asked without the guide asking");

    let r = owner.put_if(&format!("/workspaces/{ws}/style-guide"), json!({"check_links": true}), "\"0\"").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let post = create("Checked").await;
    let path = format!("/workspaces/{ws}/posts/{}", post.body["post"]["id"].as_str().unwrap());
    let before = creator.get(&format!("{path}/revisions/1/preflight")).await;
    assert_eq!(rules(&before.body["channels"][0]), Vec::<String>::new(), "saving does not wait for the network");
    assert!(h.pass(jiff::SignedDuration::ZERO).await >= 1);
    let after = creator.get(&format!("{path}/revisions/1/preflight")).await;
    assert_eq!(rules(&after.body["channels"][0]), ["links.unreachable@text"], "{}", after.body);
    let finding = &after.body["channels"][0]["findings"][0];
    assert_eq!((finding["severity"].as_str(), finding["message"].as_str().unwrap().contains("404")), (Some("warning"), true), "{finding}");
    // Content being written hears of it too, without asking the network.
    let live = creator
        .post(&format!("/workspaces/{ws}/preflight"), json!({"content": {"text": format!("{site}/gone")}, "channel_ids": [w.channel]}))
        .await;
    assert_eq!(rules(&live.body["channels"][0]), ["links.unreachable@text"]);
}

/// Media against each network's limits: a video's length and shape are
/// read at upload; alt text is required on images within each network's
/// length; counts and mixes follow the network.
#[apply(backends)]
async fn media_is_checked_against_each_networks_limits(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("reels").await;
    let ws = w.ws.clone();
    let creator = h.login("creator@reels.example.org").await;
    let (x, linkedin, instagram) = (
        new_channel(&w.admin, &ws, "x").await,
        new_channel(&w.admin, &ws, "linkedin").await,
        new_channel(&w.admin, &ws, "instagram").await,
    );
    let clip = upload(&creator, &ws, mp4_video(2, 1080, 1920), "clip.mp4").await;
    let shown = creator.get(&format!("/workspaces/{ws}/media/{clip}")).await;
    assert_eq!(
        (shown.body["mime"].as_str(), shown.body["duration_ms"].as_i64(), shown.body["width"].as_i64(), shown.body["height"].as_i64()),
        (Some("video/mp4"), Some(2000), Some(1080), Some(1920)),
        "{}",
        shown.body
    );
    let wide = upload_picture(&creator, &ws, 1910, 500).await;
    let (creator_ref, preflight) = (&creator, format!("/workspaces/{ws}/preflight"));
    let check = |media: Value| {
        let body = json!({"content": {"text": "Our new wing", "media": media}, "channel_ids": [x, linkedin, instagram]});
        let preflight = preflight.clone();
        async move { creator_ref.post(&preflight, body).await }
    };
    let r = check(json!([{"media_id": clip}])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(rules(&r.body["channels"][0]), Vec::<String>::new(), "X takes a 2-second video");
    assert_eq!(rules(&r.body["channels"][1]), ["linkedin.media.duration@media.0"], "LinkedIn's shortest is 3 s");
    assert_eq!(r.body["channels"][1]["findings"][0]["media_id"], json!(clip));
    let r = check(json!([{"media_id": wide}, {"media_id": clip, "alt_text": "x".repeat(1001)}])).await;
    assert_eq!(rules(&r.body["channels"][0]), ["media.alt_text@media.0", "x.media.mix@media.1"], "{}", r.body["channels"][0]);
    assert_eq!(
        rules(&r.body["channels"][2]),
        ["instagram.media.aspect_ratio@media.0", "media.alt_text@media.0", "instagram.media.duration@media.1"],
        "{}",
        r.body["channels"][2]
    );
    // A broken or truncated video is stored, unmeasured: its length is not guessed.
    let mut broken = mp4_video(2, 640, 360);
    broken.truncate(40);
    let id = upload(&creator, &ws, broken, "broken.mp4").await;
    assert_eq!(creator.get(&format!("/workspaces/{ws}/media/{id}")).await.body["duration_ms"], Value::Null);
}

/// Threads and first comments: saved with the content, diffed, counted the
/// network's way post by post, and named where a network has none.
#[apply(backends)]
async fn threads_and_first_comments_follow_each_network(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("threads").await;
    let ws = w.ws.clone();
    let creator = h.login("creator@threads.example.org").await;
    let (x, linkedin) = (new_channel(&w.admin, &ws, "x").await, new_channel(&w.admin, &ws, "linkedin").await);
    let content =
        json!({"text": "1/ Our new wing opens Monday.", "thread": ["2/ Parking is free.", ""], "first_comment": "Details at the link"});
    let post =
        creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Wing", "channel_ids": [x, linkedin], "content": content})).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    assert_eq!(post.body["revision"]["content"]["thread"], json!(["2/ Parking is free."]), "an empty post is no post");
    let path = format!("/workspaces/{ws}/posts/{}", post.body["post"]["id"].as_str().unwrap());
    let longer = json!({"text": "1/ Our new wing opens Monday.", "thread": ["2/ Parking is free.", "a".repeat(281)], "first_comment": "Details at the link"});
    let saved = save_revision(&creator, &path, longer).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let diff = creator.get(&format!("{path}/diff?from=1&to=2")).await;
    assert_eq!(diff.body["changes"][0]["field"], "thread", "{}", diff.body);
    let report = creator.get(&format!("{path}/revisions/2/preflight")).await;
    let (on_x, on_linkedin) = (&report.body["channels"][0], &report.body["channels"][1]);
    let (on_x, on_linkedin) = if on_x["network"] == "x" { (on_x, on_linkedin) } else { (on_linkedin, on_x) };
    assert_eq!(rules(on_x), ["x.length@thread.1"], "{on_x}");
    assert_eq!(on_x["follow_ups"].as_array().map(Vec::len), Some(3), "the first comment and both thread posts, counted");
    assert_eq!(rules(on_linkedin), ["linkedin.thread@thread.0"], "{on_linkedin}");
    let r = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["errors"].as_array().unwrap().iter().any(|e| e["field"] == format!("preflight.{x}.x.length")), "{}", r.body);
    // Someone outside sees the thread they are asked about.
    let post_id = post.body["post"]["id"].as_str().unwrap();
    let expires = (h.app.now() + jiff::SignedDuration::from_hours(48)).to_string();
    let link = creator
        .post(
            &format!("/workspaces/{ws}/share-links"),
            json!({"scope": {"kind": "posts", "post_ids": [post_id]}, "capability": "view", "expires_at": expires}),
        )
        .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
    let page = reqwest::get(format!("{}{}/p/{post_id}", h.base, link.body["path"].as_str().unwrap())).await.unwrap().text().await.unwrap();
    assert!(page.contains("<li>2/ Parking is free.</li>") && page.contains("First comment: Details at the link"), "{page}");
}

/// A Mastodon server may set its own limit; other networks' limits are theirs.
#[apply(backends)]
async fn a_mastodon_channel_may_carry_its_servers_limit(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("toots").await;
    let ws = w.ws.clone();
    let (admin, channels) = (&w.admin, format!("/workspaces/{ws}/channels"));
    let make = |network: &str, handle: &str, limit: Value| {
        let body = json!({"network": network, "handle": handle, "display_name": "T", "text_limit": limit});
        let channels = channels.clone();
        async move { admin.post(&channels, body).await }
    };
    let roomy = make("mastodon", "@roomy@big.example", json!(1000)).await;
    assert_eq!((roomy.status, roomy.body["text_limit"].as_i64()), (StatusCode::CREATED, Some(1000)), "{}", roomy.body);
    let plain = new_channel(&w.admin, &ws, "mastodon").await;
    assert_eq!(make("bluesky", "t.bsky.social", json!(1000)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(make("mastodon", "@zero@x.example", json!(0)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = w
        .admin
        .post(
            &format!("/workspaces/{ws}/preflight"),
            json!({"content": {"text": "a".repeat(600)}, "channel_ids": [roomy.body["id"], plain]}),
        )
        .await;
    assert_eq!((r.body["channels"][0]["limit"].as_u64(), r.body["channels"][1]["limit"].as_u64()), (Some(1000), Some(500)));
    assert_eq!((rules(&r.body["channels"][0]).len(), rules(&r.body["channels"][1])), (0, vec!["mastodon.length@text".to_owned()]));
}

/// Whatever arrives gets a clear answer: bytes that are not UTF-8, huge
/// texts, right-to-left, combining marks and joiners never crash a check.
#[apply(backends)]
async fn any_input_gets_a_count_or_a_clear_error(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("odd").await;
    let ws = w.ws.clone();
    let creator = h.login("creator@odd.example.org").await;
    let x = new_channel(&w.admin, &ws, "x").await;
    let raw = |bytes: Vec<u8>| {
        Client::send(
            creator
                .request(reqwest::Method::POST, &format!("/workspaces/{ws}/preflight"))
                .header("content-type", "application/json")
                .body(bytes),
        )
    };
    let mut invalid = br#"{"content": {"text": "caf"#.to_vec();
    invalid.extend([0xC3, 0x28]);
    invalid.extend(format!(r#""}}, "channel_ids": ["{x}"]}}"#).into_bytes());
    let r = raw(invalid).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    let huge =
        creator.post(&format!("/workspaces/{ws}/preflight"), json!({"content": {"text": "a".repeat(60_000)}, "channel_ids": [x]})).await;
    assert_eq!(huge.status, StatusCode::OK, "{}", huge.body);
    assert_eq!(huge.body["channels"][0]["length"], 60_000);
    for text in [
        "مرحبا بالعالم #صحة",
        "e\u{301}\u{302}\u{303}\u{304}",
        "👩\u{200d}⚕\u{fe0f} 🏳\u{fe0f}\u{200d}🌈",
        "\u{202e}txet\u{202c} \u{200b}",
        "",
        "Ünïcödé 漢字 カタカナ",
    ] {
        let r =
            creator.post(&format!("/workspaces/{ws}/preflight"), json!({"content": {"text": text}, "channel_ids": [x, w.channel]})).await;
        assert_eq!(r.status, StatusCode::OK, "{text:?}: {}", r.body);
    }
    // A file name that is not UTF-8 (raw bytes in the multipart header) is stored readable.
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3])).write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"n".to_vec();
    body.extend([0xFF, 0xFE]);
    body.extend(b".png\"\r\nContent-Type: image/png\r\n\r\n");
    body.extend(&png);
    body.extend(b"\r\n--XyZ--\r\n");
    let req = creator
        .request(reqwest::Method::POST, &format!("/workspaces/{ws}/media"))
        .header("content-type", "multipart/form-data; boundary=XyZ");
    let r = Client::send(req.body(body)).await;
    assert_eq!((r.status, r.body["filename"].as_str()), (StatusCode::CREATED, Some("n\u{fffd}\u{fffd}.png")), "{}", r.body);
}
