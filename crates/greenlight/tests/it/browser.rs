//! The web app in a real browser: Debian's headless Chromium, driven through
//! its chromedriver (fantoccini), against a real server on a real database.
//! The journeys are the field's: the hospital's flow from idea to schedule,
//! the agency's client approving through a link in a second browser, moving
//! a post on the calendar, comments on words and on a spot of an image, and
//! an edit after approval going back to review. Screenshots of the pages go
//! to `target/screenshots/` (artifacts, not committed).

use std::{
    os::unix::process::CommandExt,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client as Driver, ClientBuilder, Locator};
use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// One browser (its own profile, so its own cookies) and its driver.
pub struct Browser {
    pub driver: Driver,
    process: Child,
    _profile: tempfile::TempDir,
    base: String,
}

impl Drop for Browser {
    /// Ends the driver and every browser process it started: they share
    /// the driver's process group (a killed driver would leave Chromium running).
    /// `--` matters: procps reads `kill -KILL -12345` as process group 1, everyone.
    fn drop(&mut self) {
        let group = format!("-{}", self.process.id());
        let _ = Command::new("kill").args(["-s", "KILL", "--", &group]).status();
        let _ = self.process.wait();
    }
}

/// The element is gone: the page (or htmx) replaced it; look it up again.
fn stale(e: &fantoccini::error::CmdError) -> bool {
    matches!(e, fantoccini::error::CmdError::Standard(w) if w.error == fantoccini::error::ErrorStatus::StaleElementReference)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Browser {
    pub async fn open(h: &Harness) -> Browser {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists(),
            "{CHROMEDRIVER} is missing: scripts/test installs chromium and chromium-driver"
        );
        let port = free_port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--window-size=1280,1000",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), json!({ "binary": CHROMIUM, "args": args }));
        // The driver takes a moment to listen: ask until it answers (bounded).
        let url = format!("http://127.0.0.1:{port}");
        let mut attempt = 0;
        let driver = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(d) => break d,
                Err(e) if attempt < 100 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let _ = e;
                }
                Err(e) => panic!("chromedriver did not start: {e}"),
            }
        };
        Browser { driver, process, _profile: profile, base: h.base.clone() }
    }

    pub async fn go(&self, path: &str) {
        self.driver.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    pub async fn sign_in(&self, email: &str) {
        self.go("/login").await;
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.click("form[action='/login'] button[type=submit]").await;
        self.wait_for("header .me").await;
    }

    pub async fn sign_out(&self) {
        self.click("form[action='/logout'] button").await;
        self.wait_for("#email").await;
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.driver.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Types into the element; one htmx has just replaced is looked up again.
    pub async fn fill(&self, css: &str, text: &str) {
        for _ in 0..20 {
            let e = self.wait_for(css).await;
            match e.clear().await.and(e.send_keys(text).await) {
                Ok(()) => return,
                Err(e) if stale(&e) => continue,
                Err(e) => panic!("typing into {css}: {e}"),
            }
        }
        panic!("{css} kept being replaced");
    }

    pub async fn click(&self, css: &str) {
        for _ in 0..20 {
            match self.wait_for(css).await.click().await {
                Ok(()) => return,
                Err(e) if stale(&e) => continue,
                Err(e) => panic!("clicking {css}: {e}"),
            }
        }
        panic!("{css} kept being replaced");
    }

    /// The visible text of the element (found again if the page replaced it).
    pub async fn text(&self, css: &str) -> String {
        for _ in 0..20 {
            match self.wait_for(css).await.text().await {
                Ok(t) => return t,
                Err(e) if stale(&e) => continue,
                Err(e) => panic!("reading {css}: {e}"),
            }
        }
        panic!("{css} kept being replaced");
    }

    /// Waits until the element's text contains `want`, and answers it.
    pub async fn text_with(&self, css: &str, want: &str) -> String {
        let mut last = String::new();
        for _ in 0..200 {
            if let Ok(e) = self.driver.find(Locator::Css(css)).await {
                last = e.text().await.unwrap_or_default();
                if last.contains(want) {
                    return last;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} never said “{want}”; it said “{last}”");
    }

    /// Presses keys as a person would, into whatever has the focus (the
    /// page itself, if nothing does): WebDriver's key actions, which need no
    /// element (one just hidden, like a closed dialog's button, still holds
    /// the focus for a moment). A newline is the Enter key.
    pub async fn press(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let actions = keys
            .chars()
            .map(|c| if c == '\n' { '\u{E007}' } else { c })
            .fold(KeyActions::new("keyboard".into()), |a, value| a.then(KeyAction::Down { value }).then(KeyAction::Up { value }));
        self.driver.perform_actions(actions).await.unwrap();
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.driver.execute(script, args).await.unwrap()
    }

    pub async fn screenshot(&self, name: &str) {
        self.js("window.scrollTo(0, 0); document.activeElement?.blur()", vec![]).await;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/screenshots");
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(format!("{dir}/{name}.png"), self.driver.screenshot().await.unwrap()).unwrap();
    }
}

/// A team for the journeys: the world's workspace, a workflow from
/// `template` as its default, the reviewer in the QA volunteers, a picture.
struct Team {
    w: World,
    owner: Client,
    creator: Client,
    manager: Client,
    picture: String,
}

async fn team(h: &Harness, name: &str, template: &str) -> Team {
    let w = h.world(name).await;
    let owner = h.login(&format!("owner@{name}.example.org")).await;
    let creator = h.login(&format!("creator@{name}.example.org")).await;
    let manager = h.login(&format!("manager@{name}.example.org")).await;
    let ws = &w.ws;
    let wf = owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Flow", "template": template, "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let groups = owner.get(&format!("/workspaces/{ws}/groups")).await;
    let members = owner.get(&format!("/workspaces/{ws}/members")).await;
    let reviewer =
        members.body.as_array().unwrap().iter().find(|m| m["role"] == "reviewer").unwrap()["user_id"].as_str().unwrap().to_owned();
    if let Some(qa) = groups.body.as_array().unwrap().iter().find(|g| g["name"] == "QA volunteers") {
        let r = owner.put(&format!("/workspaces/{ws}/groups/{}/members/{reviewer}", qa["id"].as_str().unwrap()), json!(null)).await;
        assert!(r.status.is_success(), "{}", r.body);
    }
    let mut jpeg = Vec::new();
    image::RgbImage::from_fn(600, 400, |x, _| image::Rgb([(x % 255) as u8, 120, 90]))
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    let part = reqwest::multipart::Part::bytes(jpeg).file_name("wing.jpg");
    let up = Client::send(
        creator
            .request(reqwest::Method::POST, &format!("/workspaces/{ws}/media"))
            .multipart(reqwest::multipart::Form::new().part("file", part)),
    )
    .await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    Team { picture: up.body["id"].as_str().unwrap().to_owned(), w, owner, creator, manager }
}

/// A day some weeks ahead, in the workspace's zone.
fn ahead(h: &Harness, days: i64) -> jiff::civil::Date {
    (h.app.now() + jiff::SignedDuration::from_hours(24 * days)).to_zoned(jiff::tz::TimeZone::get("Europe/Copenhagen").unwrap()).date()
}

/// Creates a post through the API and takes it through review with the
/// routine workflow: approved, planned `days` ahead at 09:00.
async fn approved_post(h: &Harness, t: &Team, title: &str, days: i64) -> String {
    let ws = &t.w.ws;
    let planned = format!("{}T09:00[Europe/Copenhagen]", ahead(h, days));
    let content = json!({"text": "Flu shots are free at every clinic this week.", "media": [{"media_id": t.picture, "alt_text": "A nurse with a syringe"}]});
    let post = t
        .creator
        .post(
            &format!("/workspaces/{ws}/posts"),
            json!({"title": title, "channel_ids": [t.w.channel], "planned_at": planned, "content": content}),
        )
        .await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    let review = t.creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let rev = review.body["current_revision"].clone();
    let r = t.manager.post(&format!("/workspaces/{ws}/posts/{id}/review/decisions"), json!({"verdict": "approve", "revision": rev})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(t.creator.get(&format!("/workspaces/{ws}/posts/{id}")).await.body["state"], "approved");
    id
}

/// The hospital's flow (DESIGN.md): the creator writes the post in the
/// composer and submits it, seeing the path first; the manager approves
/// idea, copy and graphic; a QA volunteer ticks the style (preflight ticks
/// the rest) and approves; the creator schedules it.
#[apply(backends)]
async fn the_hospital_flow_from_idea_to_schedule(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "riverside", "hospital").await;
    let ws = t.w.ws.clone();
    let b = Browser::open(&h).await;
    b.sign_in("creator@riverside.example.org").await;
    b.go(&format!("/w/{ws}/posts/new")).await;
    b.fill("#title", "Heart habits").await;
    b.fill("#text", "Five small habits for a healthier heart, from our cardiology team.").await;
    b.click(&format!("input[name=channel_ids][value='{}']", t.w.channel)).await;
    b.js("document.getElementById('planned-date').value = arguments[0]", vec![json!(ahead(&h, 20).to_string())]).await;
    b.fill("#planned-time", "09:00").await;
    // A new picture, uploaded from the composer: it joins the list, ticked, and nothing typed is lost.
    let file = h.data_dir.path().join("heart.jpg");
    let mut jpeg = Vec::new();
    image::RgbImage::from_pixel(800, 600, image::Rgb([190, 40, 60]))
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    std::fs::write(&file, jpeg).unwrap();
    // The library opens in a panel: the upload is in it.
    b.click("#library summary").await;
    b.wait_for("#upload-file").await.send_keys(&file.display().to_string()).await.unwrap();
    b.click("button[form=upload]").await;
    b.text_with("#media-pick", "heart.jpg").await;
    b.text_with("#media-count", "1").await;
    let uploaded = b.js("return document.querySelector('#media-pick input[name=media_use]:checked').value", vec![]).await;
    let uploaded = uploaded.as_str().unwrap().to_owned();
    assert_ne!(uploaded, t.picture, "the new file is the ticked one");
    assert_eq!(b.js("return document.getElementById('title').value", vec![]).await, "Heart habits");
    b.fill(&format!("#alt-{uploaded}"), "A cardiologist listening to a patient's heart").await;
    // The live preview counts the text the network's way as it is typed.
    b.text_with("#preflight", "Bluesky").await;
    b.screenshot("composer").await;
    b.click("#composer button.primary").await;
    b.text_with("main h1", "Heart habits").await;
    let path = b.text_with("#submit", "Submit for review").await;
    assert!(path.contains("Idea approval") && path.contains("manager"), "the path and who is asked, before submitting: {path}");
    b.click("form[action$='/submit'] button").await;
    b.text_with("main .toolbar .state", "In review at Idea approval").await;
    b.sign_out().await;

    b.sign_in("manager@riverside.example.org").await;
    b.go("/my/reviews").await;
    let card = b.text_with(".review-cards", "Heart habits").await;
    assert!(card.contains("Five small habits") && card.contains("by creator"), "a card shows the words and the author: {card}");
    // Idea approval has nothing to tick: approve from the list, and stay
    // there. Copy and graphic approval ask any manager alone too: that one
    // approval covers them, so the post leaves the manager's list for QA.
    b.click(".review-card button.approve").await;
    b.text_with("#notice", "You approved “Heart habits”.").await;
    b.text_with("main", "Nothing waits for you.").await;
    b.sign_out().await;

    b.sign_in("reviewer@riverside.example.org").await;
    b.go("/my/reviews").await;
    b.text_with(".review-cards", "Heart habits").await;
    // QA has the style to tick by hand: no approving from the list.
    assert!(b.driver.find(Locator::Css(".review-card button.approve")).await.is_err(), "QA needs its checklist");
    b.click(".review-card h2 a").await;
    b.text_with("main .toolbar .state", "In review at QA").await;
    let stages = b.text("ol.stages").await;
    assert!(stages.contains("one approval covering the stage before too"), "a covered stage says so: {stages}");
    // Preflight found alt text and nothing wrong: its items are done; the style is the volunteer's.
    let checklist = b.text_with("fieldset.checks", "Style guide checked").await;
    assert!(checklist.contains("✓ Done Alt text on every image"), "{checklist}");
    b.screenshot("review-qa").await;
    b.click("button[value=approve]").await;
    b.text_with("#notice", "tick every checklist item").await;
    b.click("input[name=checklist][value=style]").await;
    b.click("button[value=approve]").await;
    b.text_with("main .toolbar .state", "Approved").await;
    b.sign_out().await;

    b.sign_in("creator@riverside.example.org").await;
    b.go(&format!("/w/{ws}/calendar?date={}", ahead(&h, 20))).await;
    b.click("a.post-card").await;
    b.click("form[action$='/schedule'] button").await;
    b.text_with("main .toolbar .state", "Scheduled").await;
    let history = t.owner.get(&format!("/workspaces/{ws}/history")).await;
    let decided = history.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "review.decided").count();
    assert_eq!(decided, 4, "four decisions on record");
}

/// The agency's client approves through the link the workflow made for
/// them, in a browser of their own; the team sees it on the review.
#[apply(backends)]
async fn the_client_approves_through_a_link_in_a_second_browser(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("brightside").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@brightside.example.org").await;
    let creator = h.login("creator@brightside.example.org").await;
    let def = json!({"stages": [{"key": "client", "name": "Client approval", "lanes": [{"key": "client", "name": "Client", "approvers": [{"external": "hana@harbor.example"}]}]}]});
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Client sign-off", "definition": def, "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let post = creator
        .post(
            &format!("/workspaces/{ws}/posts"),
            json!({"title": "Winter latte", "channel_ids": [w.channel], "content": {"text": "The maple oat latte is back."}}),
        )
        .await;
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    assert_eq!(creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await.status, StatusCode::OK);
    h.pass(jiff::SignedDuration::ZERO).await;

    // No mail server here: the owner makes the client's link anew to pass it on.
    let team = Browser::open(&h).await;
    team.sign_in("owner@brightside.example.org").await;
    team.go(&format!("/w/{ws}/settings#links")).await;
    team.click("#links button[value=reissue]").await;
    let link = team.text("#shown-once").await;
    assert!(link.contains("/s/"), "{link}");

    let client = Browser::open(&h).await;
    client.driver.goto(&link).await.unwrap();
    client.text_with("main", "The maple oat latte is back.").await;
    client.screenshot("client-review").await;
    client.fill("#d-name", "Hana Harbor").await;
    client.click("button.approve").await;
    client.text_with("main", "your approval is recorded").await;

    team.go(&format!("/w/{ws}/posts/{id}/review")).await;
    team.text_with("main .toolbar .state", "Approved").await;
    let stages = team.text(".stages").await;
    assert!(stages.contains("approved revision 1"), "{stages}");
}

/// Dragging a card to another day moves the post there at the same time
/// of day; an approved post stays approved, and the page says so.
#[apply(backends)]
async fn dragging_a_post_to_another_day_reschedules_it(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "dnd", "routine").await;
    let ws = t.w.ws.clone();
    let id = approved_post(&h, &t, "Flu clinic", 10).await;
    let b = Browser::open(&h).await;
    b.sign_in("creator@dnd.example.org").await;
    let from = ahead(&h, 10);
    let to = from.checked_add(jiff::Span::new().days(2)).unwrap();
    b.go(&format!("/w/{ws}/calendar?view=month&date={from}")).await;
    b.wait_for(&format!("[data-post='{id}']")).await;
    b.screenshot("calendar").await;
    // WebDriver cannot drive native drag and drop; the page's own events are dispatched instead.
    let script = "const card = document.querySelector(`[data-post='${arguments[0]}']`);
                  const day = document.querySelector(`[data-drop-date='${arguments[1]}']`);
                  const dt = new DataTransfer();
                  card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
                  day.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
                  day.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));";
    b.js(script, vec![json!(id), json!(to.to_string())]).await;
    let notice = b.text_with("#notice", "Moved “Flu clinic”").await;
    assert!(notice.contains("approvals are kept"), "{notice}");
    b.wait_for(&format!("[data-drop-date='{to}'] [data-post='{id}']")).await;
    let post = t.creator.get(&format!("/workspaces/{ws}/posts/{id}")).await;
    assert_eq!(post.body["state"], "approved");
    assert!(post.body["planned"].as_str().unwrap().starts_with(&format!("{to}T09:00")), "{}", post.body);
}

/// A reviewer selects words and comments on them, then clicks a spot of the
/// image and comments on that; each thread says what it is about.
#[apply(backends)]
async fn comments_anchor_to_selected_words_and_to_a_spot_of_the_image(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "notes", "routine").await;
    let ws = t.w.ws.clone();
    let content =
        json!({"text": "Flu shots are free at every clinic this week.", "media": [{"media_id": t.picture, "alt_text": "A nurse"}]});
    let post =
        t.creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Flu", "channel_ids": [t.w.channel], "content": content})).await;
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    assert_eq!(t.creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await.status, StatusCode::OK);
    let b = Browser::open(&h).await;
    b.sign_in("reviewer@notes.example.org").await;
    b.go(&format!("/w/{ws}/posts/{id}/review")).await;
    let select = "const el = document.getElementById('review-text'); const r = document.createRange();
                  r.setStart(el.firstChild, 14); r.setEnd(el.firstChild, 21);
                  const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
                  document.dispatchEvent(new Event('selectionchange'));";
    b.js(select, vec![]).await;
    b.text_with("[data-anchor-quote]", "free at").await;
    b.fill("#comment-body", "Say “free of charge”?").await;
    b.click("#new-comment button[type=submit]").await;
    b.text_with("#notice", "Comment added.").await;
    b.text_with(".comment-thread", "On the words “free at”").await;
    b.click(".image-anchor img").await;
    b.text_with("[data-anchor-quote]", "On a spot of the image").await;
    b.fill("#comment-body", "Crop closer here").await;
    b.click("#new-comment button[type=submit]").await;
    b.text_with("#notice", "Comment added.").await;
    let threads = b.text_with("main", "On a spot of the image (50% across, 50% down)").await;
    assert!(threads.contains("Crop closer here"), "{threads}");
    b.screenshot("review-comments").await;
    let listed = t.creator.get(&format!("/workspaces/{ws}/posts/{id}/comments")).await;
    let kinds: Vec<&str> =
        listed.body.as_array().unwrap().iter().map(|c| c["anchor"]["target"]["kind"].as_str().unwrap_or("none")).collect();
    assert_eq!(kinds, ["text", "image"], "{}", listed.body);
    assert_eq!(
        (listed.body[0]["anchor"]["target"]["start"].as_u64(), listed.body[0]["anchor"]["target"]["end"].as_u64()),
        (Some(14), Some(21))
    );
}

/// A channel's own text takes comments on its words too: the comment box
/// comes to the words, the words stay marked, the comment names the
/// channel; "@" and letters offer members to mention.
#[apply(backends)]
async fn words_in_a_channels_own_text_take_comments_right_there_with_mentions(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "words", "routine").await;
    let ws = t.w.ws.clone();
    let channel = t.w.channel.clone();
    let content = json!({
        "text": "Flu shots are free at every clinic this week.",
        "media": [{"media_id": t.picture, "alt_text": "A nurse"}],
        "variants": {channel.clone(): {"text": "Free flu shots all week #FluSeason"}},
    });
    let post =
        t.creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Flu", "channel_ids": [channel], "content": content})).await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    assert_eq!(t.creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await.status, StatusCode::OK);
    let b = Browser::open(&h).await;
    b.sign_in("reviewer@words.example.org").await;
    b.go(&format!("/w/{ws}/posts/{id}/review")).await;
    let own = format!("review-text-{channel}");
    b.text_with(&format!("#{own}"), "Free flu shots all week").await;
    let select = "const el = document.getElementById(arguments[0]); const r = document.createRange();
                  r.setStart(el.firstChild, 15); r.setEnd(el.firstChild, 23);
                  const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
                  document.dispatchEvent(new Event('selectionchange'));";
    b.js(select, vec![json!(own)]).await;
    let quote = b.text_with("[data-anchor-quote]", "all week").await;
    assert!(quote.contains("Bluesky"), "the quote names the channel: {quote}");
    let beside = b
        .js(
            "return document.getElementById('new-comment').previousElementSibling.contains(document.getElementById(arguments[0]))",
            vec![json!(own)],
        )
        .await;
    assert_eq!(beside, true, "the comment box comes right under the words");
    b.fill("#comment-body", "Say which days; ").await;
    b.wait_for("#comment-body").await.send_keys("@mana").await.unwrap();
    b.text_with(".mention-list", "@manager").await;
    b.wait_for("#comment-body").await.send_keys("\n").await.unwrap();
    assert_eq!(value_of(&b, "#comment-body").await, "Say which days; @manager ");
    b.click("#new-comment button[type=submit]").await;
    b.text_with("#notice", "Comment added.").await;
    let marked = b.text(&format!("#{own} a.commented")).await;
    assert_eq!(marked, "all week", "the words stay marked");
    let listed = t.creator.get(&format!("/workspaces/{ws}/posts/{id}/comments")).await;
    let c = &listed.body[0];
    assert_eq!(c["anchor"]["channel_id"], json!(channel), "{c}");
    assert_eq!((c["anchor"]["target"]["start"].as_u64(), c["anchor"]["target"]["end"].as_u64()), (Some(15), Some(23)));
    let members = t.owner.get(&format!("/workspaces/{ws}/members")).await;
    let manager = members.body.as_array().unwrap().iter().find(|m| m["role"] == "manager").unwrap()["user_id"].clone();
    assert_eq!(c["mentions"], json!([manager]), "the mention is a member to notify: {c}");
}

/// Editing approved content in the composer makes a new revision and sends
/// the post back to review; the page says so.
#[apply(backends)]
async fn an_edit_after_approval_sends_the_post_back_to_review(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "edits", "routine").await;
    let ws = t.w.ws.clone();
    let id = approved_post(&h, &t, "Clinic hours", 12).await;
    let b = Browser::open(&h).await;
    b.sign_in("creator@edits.example.org").await;
    b.go(&format!("/w/{ws}/posts/{id}")).await;
    b.text_with("main .toolbar .state", "Approved").await;
    b.fill("#text", "Flu shots are free at every clinic this week and next.").await;
    b.fill(&format!("#variant-{}", t.w.channel), "Free flu shots this week and next #FluSeason").await;
    b.click("#composer button.primary").await;
    let notice = b.text_with("#notice", "Saved as revision 2").await;
    assert!(notice.contains("back in review"), "{notice}");
    b.text_with("main .toolbar .state", "In review").await;
    let post = t.creator.get(&format!("/workspaces/{ws}/posts/{id}")).await;
    assert_eq!(post.body["state"], "in_review");
    // The review shows what changed field by field, channels by name, before beside after.
    b.click("main .toolbar a[href$='/review']").await;
    let diff = b.text_with("#diff", "Text on Bluesky").await;
    assert!(!diff.contains("variants.") && diff.contains("Revision 1") && diff.contains("Revision 2"), "{diff}");
    let added = b.text("#diff ins").await;
    assert!(added.contains("and next"), "the added words are marked: {added}");
}

/// The person fixing a post is told by the bell, finds the verdict and the
/// open comments beside the editor, resolves one there, saves the fix and
/// resubmits from the confirmation, without visiting the review; on a
/// phone the same page fits the screen.
#[apply(backends)]
async fn the_fixer_sees_the_feedback_beside_the_editor_and_resubmits_from_there(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "fixers", "routine").await;
    let ws = t.w.ws.clone();
    let content = json!({"text": "Flu shots are free at every clinic this week.", "media": [{"media_id": t.picture, "alt_text": "A nurse with a syringe"}]});
    let post = t
        .creator
        .post(&format!("/workspaces/{ws}/posts"), json!({"title": "Flu shots", "channel_ids": [t.w.channel], "content": content}))
        .await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    let review = t.creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let on_words = json!({"body": "Say which clinics", "anchor": {"target": {"kind": "text", "start": 0, "end": 9}}});
    let comment = t.manager.post(&format!("/workspaces/{ws}/posts/{id}/comments"), on_words).await;
    assert_eq!(comment.status, StatusCode::CREATED, "{}", comment.body);
    let decision =
        json!({"verdict": "request_changes", "revision": review.body["current_revision"], "comment": "Warmer, please: say who it is for."});
    let r = t.manager.post(&format!("/workspaces/{ws}/posts/{id}/review/decisions"), decision).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.pass(jiff::SignedDuration::ZERO).await;

    let b = Browser::open(&h).await;
    b.sign_in("creator@fixers.example.org").await;
    let unread: i64 = b.text(".bell .unread-count").await.parse().unwrap();
    assert!(unread >= 1, "the bell counts what is unread");
    b.click(".bell").await;
    b.text_with("main .notifications", "asked for changes").await;
    b.js("[...document.querySelectorAll('.notifications a')].find((a) => a.textContent.includes('asked for changes')).click()", vec![])
        .await;
    let feedback = b.text_with("#feedback", "Warmer, please").await;
    assert!(feedback.contains("asked for changes to revision 1"), "the verdict in words: {feedback}");
    assert!(feedback.contains("Say which clinics") && feedback.contains("“Flu shots”"), "the open comment and its words: {feedback}");
    let unread_after: i64 =
        b.js("return Number(document.querySelector('.bell .unread-count')?.textContent || 0)", vec![]).await.as_i64().unwrap();
    assert!(unread_after < unread, "opening it marked it read: {unread_after} of {unread}");
    b.screenshot("post-feedback").await;
    b.click("#feedback form[action$='/resolve'] button").await;
    b.text_with("#notice", "Comment resolved.").await;
    assert!(!b.text("#feedback").await.contains("Say which clinics"), "a resolved comment leaves the feedback");
    b.fill("#text", "Flu shots are free for everyone over 65 at the Riverside and Hillside clinics this week.").await;
    b.click("#composer button.primary").await;
    b.text_with("#notice", "Saved as revision 2").await;
    b.click("#notice button.primary").await;
    b.text_with("#notice", "Submitted for review.").await;
    b.text_with("main .toolbar .state", "In review").await;
    let waiting = b.text("aside .waiting").await;
    assert!(waiting.starts_with("Waiting for"), "{waiting}");
    let resolved = t.creator.get(&format!("/workspaces/{ws}/posts/{id}/comments")).await;
    assert!(resolved.body[0]["resolved_at"].is_string(), "resolved from the post's page: {}", resolved.body);

    // A link for someone outside: shown once, with a Copy button.
    b.go(&format!("/w/{ws}/posts/{id}")).await;
    b.fill("#share-name", "Hana Harbor").await;
    b.click("form[action$='/share'] button").await;
    let link = b.text("#notice code[data-copy]").await;
    assert!(link.contains("/s/"), "the link itself: {link}");
    assert_eq!(b.text("#notice code[data-copy] + button").await, "Copy");

    // A phone: the post page and the notifications fit its width.
    b.driver.set_window_size(390, 844).await.unwrap();
    for page in [format!("/w/{ws}/posts/{id}"), "/my/notifications".to_owned()] {
        b.go(&page).await;
        b.wait_for("main h1").await;
        let overflow = b.js("return document.documentElement.scrollWidth - window.innerWidth", vec![]).await.as_i64().unwrap();
        let wide = b.js(WIDER_THAN_THE_SCREEN, vec![]).await;
        assert!(overflow <= 0, "{page} is {overflow} px wider than a phone: {wide}");
    }
}

/// A manager approves several posts at once from "my reviews": each
/// decision is pinned to the revision its card showed, so a post edited
/// after the page was drawn is refused and said so, the others approved;
/// the cards show the words, the author and the channels, and fit a phone.
#[apply(backends)]
async fn several_reviews_are_approved_at_once_each_pinned_to_the_revision_shown(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "bulk", "routine").await;
    let ws = t.w.ws.clone();
    let mut ids = Vec::new();
    for title in ["Monday tip", "Tuesday tip", "Wednesday tip"] {
        let content = json!({"text": format!("{title}: drink water."), "media": [{"media_id": t.picture, "alt_text": "A glass of water"}]});
        let post = t
            .creator
            .post(&format!("/workspaces/{ws}/posts"), json!({"title": title, "channel_ids": [t.w.channel], "content": content}))
            .await;
        assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
        let id = post.body["post"]["id"].as_str().unwrap().to_owned();
        assert_eq!(t.creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await.status, StatusCode::OK);
        ids.push(id);
    }
    let b = Browser::open(&h).await;
    b.sign_in("manager@bulk.example.org").await;
    b.go("/my/reviews").await;
    let cards = b.text_with(".review-cards", "Wednesday tip").await;
    assert!(cards.contains("Tuesday tip: drink water.") && cards.contains("by creator") && cards.contains("Bluesky"), "{cards}");
    b.screenshot("my-reviews").await;
    for id in &ids {
        b.click(&format!("#review-{id} input[name=pick]")).await;
    }
    // Wednesday's words change after the manager saw them.
    let version = t.creator.get(&format!("/workspaces/{ws}/posts/{}", ids[2])).await.body["version"].clone();
    let edited = t
        .creator
        .request(reqwest::Method::POST, &format!("/workspaces/{ws}/posts/{}/revisions", ids[2]))
        .header("if-match", format!("\"{version}\""));
    let edited = Client::send(edited.json(
        &json!({"content": {"text": "Wednesday tip: drink more water.", "media": [{"media_id": t.picture, "alt_text": "A glass"}]}}),
    ))
    .await;
    assert_eq!(edited.status, StatusCode::CREATED, "{}", edited.body);
    b.click("#bulk button").await;
    b.text_with("#notice", "You approved 2 posts.").await;
    let refused = b.text_with("#notice .error", "Wednesday tip").await;
    assert!(refused.contains("older revision"), "the edited one is refused, saying why: {refused}");
    for (id, state) in ids.iter().zip(["approved", "approved", "in_review"]) {
        assert_eq!(t.creator.get(&format!("/workspaces/{ws}/posts/{id}")).await.body["state"], state);
    }
    // Still on the list, which now holds the edited one, its new words shown.
    let left = b.text(".review-cards").await;
    assert!(left.contains("drink more water") && !left.contains("Monday tip"), "{left}");
    b.driver.set_window_size(390, 844).await.unwrap();
    b.go("/my/reviews").await;
    b.wait_for(".review-card").await;
    let overflow = b.js("return document.documentElement.scrollWidth - window.innerWidth", vec![]).await.as_i64().unwrap();
    assert!(overflow <= 0, "my reviews is {overflow} px wider than a phone: {}", b.js(WIDER_THAN_THE_SCREEN, vec![]).await);
}

/// On a phone: the calendar is a list of the days that hold something,
/// its filters behind a button; "+" on a day starts a post planned that
/// day; the review's decision is a bar at the bottom, not far down.
#[apply(backends)]
async fn on_a_phone_the_calendar_is_a_day_list_and_the_decision_is_at_hand(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "phone", "routine").await;
    let ws = t.w.ws.clone();
    let day = ahead(&h, 10);
    let content = json!({"text": "Walk-in flu shots all week.", "media": [{"media_id": t.picture, "alt_text": "A nurse"}]});
    let planned = format!("{day}T09:00[Europe/Copenhagen]");
    let post = t
        .creator
        .post(
            &format!("/workspaces/{ws}/posts"),
            json!({"title": "Walk-ins", "channel_ids": [t.w.channel], "planned_at": planned, "content": content}),
        )
        .await;
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    assert_eq!(t.creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await.status, StatusCode::OK);

    let b = Browser::open(&h).await;
    b.driver.set_window_size(390, 844).await.unwrap();
    b.sign_in("manager@phone.example.org").await;
    b.go(&format!("/w/{ws}/calendar?date={day}")).await;
    b.wait_for(".month").await;
    assert_eq!(b.js("return document.querySelector('details.filters').open", vec![]).await, false, "filters wait behind their button");
    let shown = b.js("return [...document.querySelectorAll('.month .day')].filter((d) => d.offsetParent !== null).length", vec![]).await;
    assert!(shown.as_i64().unwrap() <= 2, "only days that hold something (and today) are listed: {shown}");
    let named = b.text(&format!(".day[data-drop-date='{day}'] .day-name")).await;
    assert!(!named.is_empty() && named.contains(&day.day().to_string()), "the day is named in full: {named}");
    let overflow = b.js("return document.documentElement.scrollWidth - window.innerWidth", vec![]).await.as_i64().unwrap();
    assert!(overflow <= 0, "the calendar is {overflow} px wider than a phone: {}", b.js(WIDER_THAN_THE_SCREEN, vec![]).await);
    // Touch cannot drag: "Move…" opens a sheet for the day and hour.
    let later = ahead(&h, 11);
    b.click(&format!(".day[data-drop-date='{day}'] a.move")).await;
    b.js(
        "document.getElementById('move-date').value = arguments[0]; document.getElementById('move-hour').value = '14'",
        vec![json!(later.to_string())],
    )
    .await;
    b.click("#move-sheet button[value=move]").await;
    b.text_with("#notice", "Moved “Walk-ins”").await;
    let moved = t.creator.get(&format!("/workspaces/{ws}/posts/{id}")).await;
    assert!(moved.body["planned"].as_str().unwrap_or_default().starts_with(&format!("{later}T14:00")), "{}", moved.body);
    // The post's new day is listed now; "+" there starts a post planned that day.
    b.click(&format!(".day[data-drop-date='{later}'] a.add")).await;
    b.wait_for("#title").await;
    assert_eq!(value_of(&b, "#planned-date").await, later.to_string(), "a post started from a day is planned that day");

    b.go(&format!("/w/{ws}/posts/{id}/review")).await;
    let bar = b.wait_for(".decision-bar button.approve").await;
    assert!(bar.is_displayed().await.unwrap(), "the decision bar shows on a phone");
    b.screenshot("review-phone").await;
    bar.click().await.unwrap();
    b.text_with("#notice", "You approved it.").await;
    assert_eq!(t.creator.get(&format!("/workspaces/{ws}/posts/{id}")).await.body["state"], "approved");
}

/// Search finds posts by their words, ignoring case, and shows where; the
/// keyboard reaches search (/), a new post (n), the list (j, k), approval
/// after a confirmation (a) and the list of shortcuts (?).
#[apply(backends)]
async fn search_and_keyboard_shortcuts(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "keys", "routine").await;
    let ws = t.w.ws.clone();
    for (title, text) in [
        ("Flu shots", "Free flu shots at every clinic."),
        ("Heart week", "Five habits for a healthier heart."),
        ("Night shift", "Meet the nurses of the night."),
    ] {
        let content = json!({"text": text, "media": [{"media_id": t.picture, "alt_text": "A nurse"}]});
        let post = t
            .creator
            .post(&format!("/workspaces/{ws}/posts"), json!({"title": title, "channel_ids": [t.w.channel], "content": content}))
            .await;
        let id = post.body["post"]["id"].as_str().unwrap().to_owned();
        assert_eq!(t.creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await.status, StatusCode::OK);
    }
    let b = Browser::open(&h).await;
    b.sign_in("manager@keys.example.org").await;
    b.go(&format!("/w/{ws}/calendar")).await;
    b.press("/").await;
    assert_eq!(b.js("return document.activeElement.id", vec![]).await, "search-q", "/ goes to search");
    b.press("HEALTHIER\n").await;
    let found = b.text_with(".search-hits", "Heart week").await;
    assert!(!found.contains("Flu shots") && !found.contains("Night shift"), "only what holds the words: {found}");
    assert_eq!(b.text(".search-hits mark").await, "healthier", "the hit as written, marked");
    b.fill("#search-page-q", "text").await;
    b.click("main form[role=search] button").await;
    b.text_with(".search-summary", "No post holds “text”").await;

    b.go("/my/reviews").await;
    b.wait_for(".review-card").await;
    b.press("?").await;
    assert_eq!(b.js("return document.getElementById('shortcuts').open", vec![]).await, true, "? lists the shortcuts");
    b.click("#shortcuts button").await;
    b.press("j").await;
    b.press("j").await;
    b.press("k").await;
    let chosen = b.text(".review-card.kb-current h2").await;
    b.press("a").await;
    b.driver.accept_alert().await.unwrap();
    b.text_with("#notice", &format!("You approved “{chosen}”.")).await;
    assert_eq!(b.driver.find_all(Locator::Css(".review-card")).await.unwrap().len(), 2, "the approved one left the list");
    // "n" starts a post in the workspace being looked at.
    b.go(&format!("/w/{ws}/calendar")).await;
    b.wait_for(".month").await;
    b.press("n").await;
    b.wait_for("#title").await;
    assert!(b.driver.current_url().await.unwrap().as_str().ends_with("/posts/new"), "n starts a new post");
}

/// The style guide is a form: a blank row adds a banned word, a field that
/// does not read is named with everything typed kept, "remove" takes a row
/// out; preflight follows what was saved.
#[apply(backends)]
async fn the_style_guide_is_edited_as_a_form_of_rows(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "guide", "routine").await;
    let ws = t.w.ws.clone();
    let b = Browser::open(&h).await;
    b.sign_in("owner@guide.example.org").await;
    b.go(&format!("/w/{ws}/settings#guide")).await;
    b.fill("input[name='banned[0].phrase']", "miracle").await;
    b.fill("input[name='banned[0].replacement']", "effective").await;
    b.fill("input[name='terms[0].preferred']", "health care").await;
    b.fill("input[name='terms[0].avoid']", "healthcare, health-care").await;
    b.fill("#g-emoji", "three").await;
    b.click(".guide-form button.primary").await;
    b.text_with("#notice", "max_emoji: a whole number").await;
    assert_eq!(value_of(&b, "input[name='banned[0].phrase']").await, "miracle", "what was typed is kept");
    b.fill("#g-emoji", "3").await;
    b.click(".guide-form button.primary").await;
    b.text_with("#notice", "The style guide is saved").await;
    let guide = t.owner.get(&format!("/workspaces/{ws}/style-guide")).await;
    assert_eq!(guide.body["guide"]["banned"][0]["phrase"], "miracle", "{}", guide.body);
    assert_eq!(guide.body["guide"]["terms"][0]["avoid"], json!(["healthcare", "health-care"]));
    assert_eq!(guide.body["guide"]["max_emoji"]["max"], 3);
    let creator = &t.creator;
    let check = |text: &'static str| {
        let body = json!({"content": {"text": text}, "channel_ids": [t.w.channel]});
        let path = format!("/workspaces/{ws}/preflight");
        async move { creator.post(&path, body).await.body["channels"][0]["findings"].to_string() }
    };
    assert!(check("A miracle cure").await.contains("style.banned"), "preflight follows the saved guide");
    // A saved row has "remove"; blank rows are there to add more.
    b.click("input[name='banned[0].remove']").await;
    b.click(".guide-form button.primary").await;
    // The notice still says "saved" from before: wait for the row to go.
    for _ in 0..200 {
        if value_of(&b, "input[name='banned[0].phrase']").await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    b.text_with("#notice", "The style guide is saved").await;
    assert!(!check("A miracle cure").await.contains("style.banned"), "the removed word is allowed again");
    let guide = t.owner.get(&format!("/workspaces/{ws}/style-guide")).await;
    assert_eq!(guide.body["guide"]["terms"][0]["preferred"], "health care", "the other rules stay");
}

/// The elements that reach past the window's right edge, named.
const WIDER_THAN_THE_SCREEN: &str = "return [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map((e) => e.tagName + '.' + e.className + '#' + e.id).slice(0, 10).join(', ')";

/// Reads a form field's current value in the page.
async fn value_of(b: &Browser, css: &str) -> String {
    b.wait_for(css).await;
    b.js("return document.querySelector(arguments[0]).value", vec![json!(css)]).await.as_str().unwrap_or_default().to_owned()
}

/// Marks the options of a multiple select (and only those) as chosen.
async fn choose(b: &Browser, select: &str, values: &[&str]) {
    b.wait_for(select).await;
    let script = "for (const o of document.querySelector(arguments[0]).options) o.selected = arguments[1].includes(o.value)";
    b.js(script, vec![json!(select), json!(values)]).await;
}

/// A workflow edited in its form: a manager adds a stage with a lane, an
/// approver, a checklist item and a due time; a lane left with nobody to
/// answer is refused beside it with everything typed kept; the saved
/// version is what the API reads.
#[apply(backends)]
async fn a_workflow_is_edited_in_its_form(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "editors", "hospital").await;
    let ws = t.w.ws.clone();
    let flows = t.manager.get(&format!("/workspaces/{ws}/workflows")).await;
    let wf = flows.body.as_array().unwrap()[0]["id"].as_str().unwrap().to_owned();
    let stages_before = flows.body[0]["definition"]["stages"].as_array().unwrap().len();
    let b = Browser::open(&h).await;
    b.sign_in("manager@editors.example.org").await;
    b.go(&format!("/w/{ws}/workflows/{wf}")).await;
    b.click(&format!("a[href='/w/{ws}/workflows/{wf}/edit']")).await;
    b.click("button[value='add-stage']").await;
    let n = stages_before;
    b.fill(&format!("#s{n}-name"), "Legal").await;
    b.fill(&format!("#s{n}-l0-name"), "Counsel").await;
    choose(&b, &format!("#s{n}-l0-approvers"), &["role:admin"]).await;
    b.click(&format!("#s{n} details.checklist summary")).await;
    b.click(&format!("button[value='add-item:{n}']")).await;
    assert_eq!(value_of(&b, &format!("#s{n}-name")).await, "Legal", "adding a part keeps what was typed");
    b.fill(&format!("#s{n}-c0-label"), "Claims checked against the source").await;
    // Stages are columns; keys are generated and folded away; people are ticked in a list to filter.
    assert!(!b.wait_for(&format!("#s{n}-key")).await.is_displayed().await.unwrap(), "the key is folded away");
    b.fill(&format!("#s{n}-l0 .picker input[type=search]"), "owner").await;
    let shown = b
        .js(
            &format!(
                "return [...document.querySelectorAll('#s{n}-l0 .picker li')].filter((li) => !li.hidden).map((li) => li.textContent.trim())"
            ),
            vec![],
        )
        .await;
    // What matches, and what is ticked already (Counsel's admins), stay in view.
    let shown: Vec<&str> = shown.as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(shown.contains(&"Any owner") && shown.contains(&"Any admin") && !shown.contains(&"Any manager"), "{shown:?}");
    b.click(&format!("#s{n} details.due summary")).await;
    b.js(&format!("document.querySelector('#s{n}-due-kind').value = 'after'"), vec![]).await;
    b.fill(&format!("#s{n}-due"), "24").await;
    // Nobody left to answer in the first stage's lane.
    choose(&b, "#s0-l0-approvers", &[]).await;
    b.fill("#s0-l0-outside", "").await;
    b.click("button[value='save']").await;
    let error = b.text_with("#s0-l0 .field-error", "at least one approver").await;
    assert!(error.contains("approver"), "{error}");
    assert_eq!(value_of(&b, &format!("#s{n}-c0-label")).await, "Claims checked against the source");
    assert_eq!(value_of(&b, &format!("#s{n}-due")).await, "24");
    let unchanged = t.manager.get(&format!("/workspaces/{ws}/workflows/{wf}")).await;
    assert_eq!(unchanged.body["version"], 1, "a refused save changes nothing");
    b.screenshot("workflow-editor").await;

    choose(&b, "#s0-l0-approvers", &["role:manager"]).await;
    b.click("button[value='save']").await;
    b.text_with(".notice", "Saved as version 2").await;
    b.text_with("ol.stages", "Legal").await;
    let saved = t.manager.get(&format!("/workspaces/{ws}/workflows/{wf}")).await;
    assert_eq!(saved.body["version"], 2);
    let stages = saved.body["definition"]["stages"].as_array().unwrap();
    assert_eq!(stages.len(), stages_before + 1);
    assert_eq!(stages[0]["lanes"][0]["approvers"], json!([{"role": "manager"}]));
    let legal = &stages[n];
    assert_eq!((&legal["key"], &legal["name"]), (&json!("legal"), &json!("Legal")));
    assert_eq!(legal["lanes"], json!([{"key": "counsel", "name": "Counsel", "approvers": [{"role": "admin"}], "rule": "any"}]));
    assert_eq!(legal["checklist"], json!([{"key": "claims-checked-against-the-source", "label": "Claims checked against the source"}]));
    assert_eq!(legal["due"], json!({"after_minutes": 1440}));
    // Everything else of the template came through the form unchanged.
    assert_eq!(
        stages[..n],
        flows.body[0]["definition"]["stages"].as_array().unwrap()[..n]
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut s = s.clone();
                if i == 0 {
                    s["lanes"][0]["approvers"] = json!([{"role": "manager"}]);
                }
                s
            })
            .collect::<Vec<_>>()[..]
    );
}

/// The owner connects a webhook channel in the settings; a post that
/// fails to go out shows the receiver's words and a Retry button, and once
/// retried, a link to the live post.
#[apply(backends)]
async fn a_channel_is_connected_and_a_failed_publication_retried_from_the_post_page(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "outlet", "routine").await;
    let ws = t.w.ws.clone();
    let (url, got) = crate::publishing::receiver(vec![StatusCode::UNPROCESSABLE_ENTITY]).await;
    let ch = t
        .owner
        .post(&format!("/workspaces/{ws}/channels"), json!({"network": "webhook", "handle": "newsroom", "display_name": "Newsroom"}))
        .await;
    assert_eq!(ch.status, StatusCode::CREATED, "{}", ch.body);
    let channel = ch.body["id"].as_str().unwrap().to_owned();

    let b = Browser::open(&h).await;
    b.sign_in("owner@outlet.example.org").await;
    b.go(&format!("/w/{ws}/settings#channels")).await;
    b.fill(&format!("#cu-{channel}"), &url).await;
    b.click(&format!("#channel-{channel} button[type=submit]")).await;
    b.text_with("main .notice.ok, main .notice", "Connected").await;
    let secret = b.text("#shown-once").await;
    assert!(secret.len() > 20, "the signing secret is shown once: {secret}");
    b.text_with(&format!("#channel-{channel} .badge.ok"), "connected").await;
    b.screenshot("settings-channel-connected").await;

    let post = t
        .creator
        .post(
            &format!("/workspaces/{ws}/posts"),
            json!({"title": "Press day", "channel_ids": [channel], "content": {"text": "Doors open at nine."}}),
        )
        .await;
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    let review = t.creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await;
    let decision = json!({"verdict": "approve", "revision": review.body["current_revision"]});
    assert_eq!(t.manager.post(&format!("/workspaces/{ws}/posts/{id}/review/decisions"), decision).await.status, StatusCode::OK);

    b.go(&format!("/w/{ws}/posts/{id}")).await;
    b.click(&format!("form[action='/w/{ws}/posts/{id}/publish-now'] button")).await;
    b.text_with("#publishing .publications", "scheduled").await;
    h.pass(jiff::SignedDuration::ZERO).await;
    b.driver.refresh().await.unwrap();
    b.text_with("#publishing .badge.error", "failed").await;
    let why = b.text("#publishing .text.error").await;
    assert!(why.contains("422") && why.contains("not now"), "the receiver's words: {why}");
    b.screenshot("post-publication-failed").await;
    b.click("#publishing form[action$='/retry'] button").await;
    b.text_with("#publishing .publications", "scheduled").await;
    h.pass(jiff::SignedDuration::ZERO).await;
    b.driver.refresh().await.unwrap();
    b.text_with("#publishing .badge.ok", "published").await;
    let live = b.wait_for("#publishing a[target=_blank]").await.attr("href").await.unwrap().unwrap_or_default();
    assert!(live.starts_with("https://social.example/"), "{live}");
    assert_eq!(got.lock().unwrap().len(), 2, "the refused attempt and the retry");
    b.screenshot("post-published").await;

    // "Connect with Mastodon": to the instance's page, allow, and back.
    let mock = crate::publishing::mastodon_mock().await;
    let toots = t
        .owner
        .post(
            &format!("/workspaces/{ws}/channels"),
            json!({"network": "mastodon", "handle": "@testuser@127.0.0.1", "display_name": "Toots"}),
        )
        .await;
    let toots = toots.body["id"].as_str().unwrap().to_owned();
    b.go(&format!("/w/{ws}/settings#channel-{toots}")).await;
    b.fill(&format!("#ci-{toots}"), &mock.base).await;
    b.fill(&format!("#cw-{toots}"), "Long read").await;
    b.click(&format!("#channel-{toots} form:first-of-type button[type=submit]")).await;
    b.text_with("main .notice.ok", "Sign in there and allow it to post").await;
    b.click("#go-on").await;
    b.click("button[name=username][value=testuser]").await;
    b.text_with("main .notice.ok", "Connected as @testuser@127.0.0.1").await;
    b.text_with(&format!("#channel-{toots} .badge.ok"), "connected as @testuser@127.0.0.1").await;
    b.text_with(&format!("#channel-{toots} .options"), "public · content warning “Long read”").await;
    let section = b.wait_for("#channels").await.screenshot().await.unwrap();
    std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/screenshots/settings-channels.png"), section).unwrap();
    let connection = t.owner.get(&format!("/workspaces/{ws}/channels/{toots}/connection")).await;
    assert_eq!(connection.body["options"], json!({"visibility": "public", "content_warning": "Long read"}), "{}", connection.body);
}

/// Words of the English interface that no Danish page may show (the
/// posts, names and stage names in this journey are not among them).
const ENGLISH: &str = r"\b(the|your|Save|Submit|Settings|Calendar|Search|Sign out|New post|My reviews|Waiting|waiting for|Changes requested|Approve|Request changes|Comment|Draft|Notifications|History|Workflows|Preview|Checks)\b";

/// A Danish member chooses Dansk: every page of their loop — calendar,
/// composer, post, review, my reviews, notifications, search, settings,
/// history, workflows — speaks Danish with Danish dates, the notification
/// they are sent is written in Danish, and nothing English is left.
#[apply(backends)]
async fn a_danish_team_reads_greenlight_in_danish(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "dansk", "routine").await;
    let ws = t.w.ws.clone();
    let planned = format!("{}T09:00[Europe/Copenhagen]", ahead(&h, 3));
    let content = json!({"text": "Gratis influenzavaccine på alle klinikker i denne uge.", "media": [{"media_id": t.picture, "alt_text": "En sygeplejerske"}]});
    let post = t
        .creator
        .post(
            &format!("/workspaces/{ws}/posts"),
            json!({"title": "Influenzavaccine", "channel_ids": [t.w.channel], "content": content, "planned_at": planned}),
        )
        .await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    let review = t.creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);

    let b = Browser::open(&h).await;
    b.sign_in("creator@dansk.example.org").await;
    assert_eq!(b.js("return document.documentElement.lang", vec![]).await, "en", "the browser asks for English");
    b.click("header a.lang").await;
    b.click("input[name=language][value=da]").await;
    b.click("main form button[type=submit]").await;
    b.text_with("#notice", "Sproget er gemt.").await;
    assert_eq!(b.js("return document.documentElement.lang", vec![]).await, "da");

    // Told in Danish: the notification is written in the reader's language.
    let decision = json!({"verdict": "request_changes", "revision": review.body["current_revision"], "comment": "Lidt varmere, tak."});
    let r = t.manager.post(&format!("/workspaces/{ws}/posts/{id}/review/decisions"), decision).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.pass(jiff::SignedDuration::ZERO).await;

    let month = ahead(&h, 3);
    let pages = [
        format!("/w/{ws}/calendar?view=month&date={month}"),
        format!("/w/{ws}/posts/new"),
        format!("/w/{ws}/posts/{id}"),
        format!("/w/{ws}/posts/{id}/review"),
        "/my/reviews".to_owned(),
        "/my/notifications".to_owned(),
        format!("/w/{ws}/search?q=vaccine"),
        format!("/w/{ws}/settings"),
        "/my/language".to_owned(),
    ];
    for page in &pages {
        b.go(page).await;
        b.wait_for("main h1").await;
        assert_eq!(b.js("return document.documentElement.lang", vec![]).await, "da", "{page}");
        let english = b.js(&format!("return (document.body.innerText.match(/{ENGLISH}/g) || []).join(', ')"), vec![]).await;
        assert_eq!(english, "", "{page} shows English words");
        if page.contains("/calendar") {
            b.screenshot("calendar-da").await;
        } else if page.ends_with("/posts/new") {
            b.screenshot("composer-da").await;
        }
    }
    b.go("/my/notifications").await;
    b.text_with("main .notifications", "har bedt om ændringer til “Influenzavaccine”").await;
    // What the service says is wrong is said in Danish too.
    b.go(&format!("/w/{ws}/posts/new")).await;
    b.wait_for("#title").await;
    b.js("document.getElementById('title').removeAttribute('required')", vec![]).await;
    b.click("#composer button.primary").await;
    b.text_with("#err-title", "må ikke være tom").await;
    b.go(&format!("/w/{ws}/posts/{id}")).await;
    let feedback = b.text("#feedback").await;
    assert!(feedback.contains("Lidt varmere, tak."), "{feedback}");
    // The month and the days are named the Danish way.
    b.go(&format!("/w/{ws}/calendar?view=month&date={month}")).await;
    let heading = b.text("main h1").await.to_lowercase();
    let danish_month =
        ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"]
            [usize::from(month.month().unsigned_abs()) - 1];
    assert!(heading.contains(danish_month), "{heading}");
    let days = b.text(".month").await;
    assert!(days.contains("man.") && days.contains("søn.") && !days.contains("Mon"), "{days}");
    // Its card shows the post's first words and its picture.
    b.text_with(".post-card .excerpt", "Gratis influenzavaccine").await;
    let thumb = b.js("return document.querySelector('.post-card img.card-thumb')?.getAttribute('src') || ''", vec![]).await;
    assert!(thumb.as_str().unwrap_or("").ends_with(&format!("/media/{}/thumbnail", t.picture)), "the card's picture: {thumb}");

    // Danish words are longer: on a phone the pages still fit.
    b.driver.set_window_size(390, 844).await.unwrap();
    for page in &pages {
        b.go(page).await;
        b.wait_for("main h1").await;
        let overflow = b.js("return document.documentElement.scrollWidth - window.innerWidth", vec![]).await.as_i64().unwrap();
        assert!(overflow <= 0, "{page} is {overflow} px wider than a phone: {}", b.js(WIDER_THAN_THE_SCREEN, vec![]).await);
    }
    b.screenshot("phone-da").await;

    // The choice stays with the user: another browser, signed in, reads Danish.
    let other = Browser::open(&h).await;
    other.sign_in("creator@dansk.example.org").await;
    assert_eq!(other.js("return document.documentElement.lang", vec![]).await, "da", "signing in brings the user's language");
}

/// A manager reads where approval time went: the headline figures, the
/// waiting post and for whom, the control chart's dot, the reason given,
/// a filter applied from the form, the CSV behind it — and, in Danish,
/// no English word.
#[apply(backends)]
async fn a_manager_reads_where_approval_time_went(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let t = team(&h, "insights", "routine").await;
    let ws = t.w.ws.clone();
    let r = t.owner.put(&format!("/workspaces/{ws}/workflow-settings"), json!({"reasons": ["Tone", "Typo"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let post = |title: &str| {
        let content = json!({"text": format!("{title}: come and see."), "media": [{"media_id": t.picture, "alt_text": "A nurse"}]});
        json!({"title": title, "channel_ids": [t.w.channel], "content": content})
    };
    let a = t.creator.post(&format!("/workspaces/{ws}/posts"), post("Open day")).await;
    let a = format!("/workspaces/{ws}/posts/{}", a.body["post"]["id"].as_str().unwrap());
    let review = t.creator.post(&format!("{a}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    h.pass(jiff::SignedDuration::from_hours(2)).await;
    let changes =
        json!({"verdict": "request_changes", "revision": review.body["current_revision"], "comment": "Warmer, please.", "reason": "Tone"});
    assert_eq!(t.manager.post(&format!("{a}/review/decisions"), changes).await.status, StatusCode::OK);
    let version = t.creator.get(&a).await.body["version"].as_i64().unwrap();
    let saved = t.creator.request(reqwest::Method::POST, &format!("{a}/revisions")).header("if-match", format!("\"{version}\""));
    let saved = Client::send(
        saved.json(&json!({"content": {"text": "Open day: come and see us!", "media": [{"media_id": t.picture, "alt_text": "A nurse"}]}})),
    )
    .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let again = t.creator.post(&format!("{a}/review"), json!(null)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    h.pass(jiff::SignedDuration::from_hours(1)).await;
    let approve = json!({"verdict": "approve", "revision": again.body["current_revision"]});
    assert_eq!(t.manager.post(&format!("{a}/review/decisions"), approve).await.status, StatusCode::OK);
    let b_post = t.creator.post(&format!("/workspaces/{ws}/posts"), post("Blood drive")).await;
    let b_path = format!("/workspaces/{ws}/posts/{}", b_post.body["post"]["id"].as_str().unwrap());
    assert_eq!(t.creator.post(&format!("{b_path}/review"), json!(null)).await.status, StatusCode::OK);
    h.pass(jiff::SignedDuration::from_mins(30)).await;

    let b = Browser::open(&h).await;
    b.sign_in("manager@insights.example.org").await;
    b.click("header nav a[href$='/analytics']").await;
    b.text_with("main h1", "Workflow analytics").await;
    b.text_with(".figures .figure:first-child .figure-value", "1").await;
    b.text_with(".figures .figure:nth-child(2) .figure-value", "0 %").await;
    b.text_with("#stuck", "Blood drive").await;
    b.text_with("#stuck", "waiting for").await;
    assert_eq!(b.js("return document.querySelectorAll('#control svg circle.dot').length", vec![]).await, 1);
    b.text_with("#reasons", "Tone").await;
    b.text_with("#approvers", "manager").await;
    b.screenshot("analytics").await;
    // The CSV the page links holds the same figures.
    let csv = b.js("return fetch(document.querySelector('a[href*=\"/analytics.csv\"]').href).then(r => r.text())", vec![]).await;
    let csv = csv.as_str().unwrap();
    assert!(csv.starts_with("section,key,name,count,value,"), "{csv}");
    assert!(csv.contains("summary,reviews_completed,,1,"), "{csv}");
    assert!(csv.contains("reason,Tone,,1,"), "{csv}");
    // A filter from the form: the workflow.
    let workflow = b.js("return document.querySelector('select[name=workflow] option:nth-child(2)').value", vec![]).await;
    b.js("document.querySelector('select[name=workflow]').value = arguments[0]", vec![workflow.clone()]).await;
    b.click("form.filter-grid button[type=submit]").await;
    // The page before has the same heading: wait for the filtered address.
    let wanted = format!("workflow={}", workflow.as_str().unwrap());
    let mut url = Value::Null;
    for _ in 0..200 {
        url = b.js("return location.search", vec![]).await;
        if url.as_str().is_some_and(|u| u.contains(&wanted)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(url.as_str().unwrap_or_default().contains(&wanted), "{url}");
    b.text_with("main h1", "Workflow analytics").await;
    b.text_with(".figures .figure:first-child .figure-value", "1").await;

    // In Danish.
    b.click("header a.lang").await;
    b.click("input[name=language][value=da]").await;
    b.click("main form button[type=submit]").await;
    // Saved before the next page is asked for (else the form's answer may land after it).
    b.text_with("#notice", "Sproget er gemt.").await;
    b.go(&format!("/w/{ws}/analytics")).await;
    b.text_with("main h1", "Workflow-analyse").await;
    let english = b.js(&format!("return (document.body.innerText.match(/{ENGLISH}/g) || []).join(', ')"), vec![]).await;
    assert_eq!(english, "", "the analytics page shows English words");
}
