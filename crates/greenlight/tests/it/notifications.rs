//! Notifications in the app and by email through a real SMTP server:
//! review requests with one-click decisions, digests, preferences, a mail
//! server that is down, and the agency flow with a client asked by email.

use jiff::SignedDuration;
use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

/// The first URL in `text` that starts with `prefix`.
fn url_after(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no `{prefix}` in {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The word after `label` in `text`.
fn after(text: &str, label: &str) -> String {
    let start = text.find(label).unwrap_or_else(|| panic!("no `{label}` in {text}")) + label.len();
    text[start..].split_whitespace().next().unwrap().to_owned()
}

async fn routine_default(owner: &Client, ws: &str) {
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
}

async fn submitted_post(creator: &Client, w: &World, title: &str) -> String {
    let r = creator
        .post(
            &format!("/workspaces/{}/posts", w.ws),
            json!({"title": title, "channel_ids": [w.channel], "content": {"text": format!("{title} <b>today</b>")}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let path = format!("/workspaces/{}/posts/{}", w.ws, r.body["post"]["id"].as_str().unwrap());
    let review = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    path
}

fn kinds(page: &Reply) -> Vec<String> {
    page.body["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap().to_owned()).collect()
}

/// A browser: keeps cookies, follows redirects.
async fn browse(h: &Harness, url: &str, form: Option<&[(&str, &str)]>) -> (StatusCode, String) {
    let http = reqwest::Client::new();
    let url = if url.starts_with("http") { url.to_owned() } else { format!("{}{url}", h.base) };
    let res = match form {
        Some(fields) => http.post(url).form(fields).send().await.unwrap(),
        None => http.get(url).send().await.unwrap(),
    };
    (res.status(), res.text().await.unwrap())
}

#[apply(backends)]
async fn a_review_request_arrives_by_email_and_its_link_decides_once(#[case] backend: Backend) {
    let sink = MailSink::start().await;
    let h = Harness::start_with(backend, Some(sink.mailer())).await;
    let w = h.world("clinic").await;
    let owner = h.login("owner@clinic.example.org").await;
    let creator = h.login("creator@clinic.example.org").await;
    let reviewer = h.login("reviewer@clinic.example.org").await;
    routine_default(&owner, &w.ws).await;
    let path = submitted_post(&creator, &w, "Flu shots").await;
    h.pass(SignedDuration::ZERO).await;

    // The reviewer and the manager are asked, each by one email with both bodies.
    let mails = sink.to("reviewer@clinic.example.org");
    assert_eq!(mails.len(), 1, "{:?}", sink.messages());
    let mail = &mails[0];
    assert_eq!(mail["subject"], "“Flu shots” waits for your review at Review");
    assert!(mail["to_header"].as_str().unwrap().contains("reviewer"), "{mail}");
    let text = mail["text"].as_str().unwrap();
    let html = mail["html"].as_str().unwrap();
    assert!(text.contains("Hello reviewer,") && text.contains("(clinic)"), "{text}");
    assert!(html.contains(">Approve</a>") && html.contains("Flu shots") && html.contains("Hello reviewer,"), "{html}");
    assert_eq!(sink.to("manager@clinic.example.org").len(), 1);
    assert!(sink.to("creator@clinic.example.org").is_empty(), "the author is not asked");

    // In the app too, unread.
    let mine = reviewer.get("/my/notifications").await;
    assert_eq!(kinds(&mine), ["review_requested"], "{}", mine.body);
    assert_eq!(mine.body["unread_count"], 1);
    assert_eq!(mine.body["items"][0]["email_status"], "sent");

    // The link opens a confirmation (opening changes nothing), then decides once.
    let approve = after(text, "Approve: ");
    assert!(approve.starts_with(&format!("{}/d/", h.base)) && approve.ends_with("?verdict=approve"), "{approve}");
    let (status, page) = browse(&h, &approve, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Flu shots &#60;b&#62;today") && !page.contains("<b>today") && page.contains("value=\"approve\" checked"),
        "{page}"
    );
    assert_eq!(creator.get(&path).await.body["state"], "in_review");
    let action = approve.split('?').next().unwrap().to_owned();
    let (status, page) = browse(&h, &action, Some(&[("verdict", "approve"), ("comment", "")])).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("your approval is recorded"), "{page}");
    assert_eq!(creator.get(&path).await.body["state"], "approved");
    let (status, page) = browse(&h, &action, Some(&[("verdict", "approve"), ("comment", "")])).await;
    assert_eq!(status, StatusCode::CONFLICT, "a second use: {page}");
    assert!(page.contains("already used"), "{page}");

    // The manager's link from the same request: the review no longer waits for it.
    let managers = sink.to("manager@clinic.example.org");
    let theirs = after(managers[0]["text"].as_str().unwrap(), "Approve: ");
    let (status, page) = browse(&h, &theirs, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("no longer waits") && !page.contains("Confirm"), "{page}");
    let (status, _) = browse(&h, theirs.split('?').next().unwrap(), Some(&[("verdict", "approve"), ("comment", "")])).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Recorded as the reviewer's own decision.
    let history = owner.get(&format!("{path}/history")).await;
    let decided: Vec<&Value> = history.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "review.decided").collect();
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0]["actor"]["kind"], "user");

    // The author hears of the approval in the app (email waits for the daily digest).
    h.pass(SignedDuration::ZERO).await;
    let theirs = creator.get("/my/notifications").await;
    assert_eq!(kinds(&theirs), ["approval_complete", "decision_made"], "{}", theirs.body);
    assert!(theirs.body["items"].as_array().unwrap().iter().all(|n| n["email_status"] == "pending"));
    let marked = creator.post("/my/notifications/read", json!({})).await;
    assert_eq!(marked.body["marked"], 2);
    assert_eq!(creator.get("/my/notifications").await.body["unread_count"], 0);

    // A link for content that changed since refuses and shows the new version.
    let path2 = submitted_post(&creator, &w, "Open day").await;
    h.pass(SignedDuration::ZERO).await;
    let text = sink.to("reviewer@clinic.example.org").last().unwrap()["text"].as_str().unwrap().to_owned();
    let changes = after(&text, "Request changes: ");
    let etag = creator.get(&path2).await.headers["etag"].to_str().unwrap().to_owned();
    let save = creator.request(reqwest::Method::POST, &format!("{path2}/revisions")).header("if-match", etag);
    let saved = Client::send(save.json(&json!({"content": {"text": "Open day on Sunday"}}))).await;
    assert!(saved.status.is_success(), "{}", saved.body);
    let (status, page) = browse(&h, &changes, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("changed since this email") && page.contains("Open day on Sunday") && !page.contains("Confirm"), "{page}");
    let action = changes.split('?').next().unwrap().to_owned();
    let (status, _) = browse(&h, &action, Some(&[("verdict", "request_changes"), ("comment", "Too short")])).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(creator.get(&path2).await.body["state"], "in_review");
    // A made-up link is simply not valid.
    assert_eq!(browse(&h, "/d/made-up", None).await.0, StatusCode::NOT_FOUND);
}

/// A stage with an item to tick by hand cannot be approved by a verdict
/// alone: its email offers no "Approve", and its link's page and form
/// refuse approving (they still ask for changes).
#[apply(backends)]
async fn a_stage_with_a_checklist_is_not_approved_from_an_email(#[case] backend: Backend) {
    let sink = MailSink::start().await;
    let h = Harness::start_with(backend, Some(sink.mailer())).await;
    let w = h.world("lab").await;
    let owner = h.login("owner@lab.example.org").await;
    let creator = h.login("creator@lab.example.org").await;
    let members = owner.get(&format!("/workspaces/{}/members", w.ws)).await;
    let reviewer = members.body.as_array().unwrap().iter().find(|m| m["email"] == "reviewer@lab.example.org").unwrap()["user_id"].clone();
    let wf = owner
        .post(
            &format!("/workspaces/{}/workflows", w.ws),
            json!({"name": "QA", "is_default": true, "definition": {"stages": [
                {"key": "qa", "name": "QA", "lanes": [{"key": "qa", "name": "QA", "approvers": [{"user": reviewer}], "rule": "any"}],
                 "checklist": [{"key": "sources", "label": "Sources checked"}]}
            ]}}),
        )
        .await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let path = submitted_post(&creator, &w, "Lab results").await;
    h.pass(SignedDuration::ZERO).await;

    let mails = sink.to("reviewer@lab.example.org");
    assert_eq!(mails.len(), 1, "{:?}", sink.messages());
    let (text, html) = (mails[0]["text"].as_str().unwrap(), mails[0]["html"].as_str().unwrap());
    assert!(!text.contains("Approve: ") && !html.contains(">Approve</a>"), "{text}");
    assert!(text.contains("checklist to tick: approve it in Greenlight") && html.contains("checklist to tick"), "{text}");
    let changes = after(text, "Request changes: ");
    let (status, page) = browse(&h, &changes, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Confirm") && !page.contains("value=\"approve\"") && page.contains("approve it in Greenlight"), "{page}");
    // Approving through the form anyway is refused and changes nothing.
    let action = changes.split('?').next().unwrap().to_owned();
    let (status, page) = browse(&h, &action, Some(&[("verdict", "approve"), ("comment", "")])).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("checklist to tick"), "{page}");
    assert_eq!(creator.get(&path).await.body["state"], "in_review");
    // Asking for changes works.
    let (status, page) = browse(&h, &action, Some(&[("verdict", "request_changes"), ("comment", "Cite the study")])).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(creator.get(&path).await.body["state"], "changes_requested");
}

#[apply(backends)]
async fn members_choose_digests_and_the_workspace_sets_defaults(#[case] backend: Backend) {
    let sink = MailSink::start().await;
    let h = Harness::start_with(backend, Some(sink.mailer())).await;
    let w = h.world("shop").await;
    let owner = h.login("owner@shop.example.org").await;
    let creator = h.login("creator@shop.example.org").await;
    let reviewer = h.login("reviewer@shop.example.org").await;
    let manager = h.login("manager@shop.example.org").await;
    routine_default(&owner, &w.ws).await;
    let prefs = format!("/workspaces/{}/notification-preferences", w.ws);

    // Bad preferences are refused and change nothing.
    let bad = reviewer.put(&prefs, json!({"review_requested": {"in_app": true, "email": "weekly"}})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let bad = reviewer.put(&prefs, json!({"no_such_kind": {"in_app": true, "email": "off"}})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    // The reviewer wants an hourly digest; the workspace turns review email off for everyone else.
    let set = reviewer.put(&prefs, json!({"review_requested": {"in_app": true, "email": "hourly"}})).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["effective"]["review_requested"]["email"], "hourly");
    assert_eq!(set.body["effective"]["mention"]["email"], "immediate", "untouched kinds keep the defaults");
    let defaults = format!("/workspaces/{}/notification-defaults", w.ws);
    assert_eq!(manager.put(&defaults, json!({})).await.status, StatusCode::FORBIDDEN);
    let set = owner.put(&defaults, json!({"review_requested": {"in_app": true, "email": "off"}})).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(manager.get(&prefs).await.body["effective"]["review_requested"]["email"], "off");

    submitted_post(&creator, &w, "Spring menu").await;
    submitted_post(&creator, &w, "Summer menu").await;
    h.pass(SignedDuration::ZERO).await;
    assert!(sink.messages().is_empty(), "nothing yet: {:?}", sink.messages());
    assert_eq!(kinds(&manager.get("/my/notifications").await).len(), 2, "the manager still sees them in the app");

    // Within the hour: one digest with both.
    h.pass(SignedDuration::from_mins(61)).await;
    let mails = sink.to("reviewer@shop.example.org");
    assert_eq!(mails.len(), 1, "{:?}", sink.messages());
    assert_eq!(mails[0]["subject"], "2 updates from Greenlight");
    let text = mails[0]["text"].as_str().unwrap();
    assert!(text.contains("Spring menu") && text.contains("Summer menu") && text.matches("Approve: ").count() == 2, "{text}");
    assert!(sink.to("manager@shop.example.org").is_empty());
    h.pass(SignedDuration::from_mins(61)).await;
    assert_eq!(sink.to("reviewer@shop.example.org").len(), 1, "sent once");
}

#[apply(backends)]
async fn a_mail_server_that_is_down_is_retried_then_the_failure_shows(#[case] backend: Backend) {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let h = Harness::start_with(backend, Some(MailSink::mailer_at(port))).await;
    let w = h.world("clinic").await;
    let owner = h.login("owner@clinic.example.org").await;
    let creator = h.login("creator@clinic.example.org").await;
    let reviewer = h.login("reviewer@clinic.example.org").await;
    routine_default(&owner, &w.ws).await;
    submitted_post(&creator, &w, "Flu shots").await;
    h.pass(SignedDuration::ZERO).await;
    let mine = reviewer.get("/my/notifications").await;
    assert_eq!(mine.body["items"][0]["email_status"], "pending", "retrying: {}", mine.body);
    for _ in 0..6 {
        h.pass(SignedDuration::from_hours(1)).await;
    }
    let mine = reviewer.get("/my/notifications").await;
    assert_eq!(mine.body["items"][0]["email_status"], "failed", "{}", mine.body);
    assert_eq!(mine.body["items"][0]["kind"], "review_requested", "the notification itself is kept");
}

#[apply(backends)]
async fn the_agency_flow_reaches_the_client_by_email_and_the_log_names_everyone(#[case] backend: Backend) {
    let sink = MailSink::start().await;
    let h = Harness::start_with(backend, Some(sink.mailer())).await;
    let w = h.world("agency").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@agency.example.org").await;
    let copywriter = h.login("creator@agency.example.org").await;
    let account_exec = h.login("manager@agency.example.org").await;
    let members = owner.get(&format!("/workspaces/{ws}/members")).await;
    let id_of = |email: &str| members.body.as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["user_id"].clone();
    let wf = owner
        .post(
            &format!("/workspaces/{ws}/workflows"),
            json!({"name": "Agency", "is_default": true, "definition": {"stages": [
                {"key": "ae", "name": "Account executive", "lanes": [{"key": "ae", "name": "AE", "approvers": [{"user": id_of("manager@agency.example.org")}], "rule": "any"}]},
                {"key": "client", "name": "Client", "lanes": [{"key": "client", "name": "Client", "approvers": [{"external": "casey@brand.example"}], "rule": "any"}]},
                {"key": "smm", "name": "Social media manager", "lanes": [{"key": "smm", "name": "SMM", "approvers": [{"user": id_of("admin@agency.example.org")}], "rule": "any"}]}
            ]}}),
        )
        .await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let path = submitted_post(&copywriter, &w, "Spring launch").await;
    let current = |r: &Reply| r.body["current_revision"].as_str().unwrap().to_owned();
    let rev = current(&copywriter.get(&format!("{path}/review")).await);
    let decide = |rev: String| json!({"verdict": "approve", "revision": rev});
    let r = account_exec.post(&format!("{path}/review/decisions"), decide(rev.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.pass(SignedDuration::ZERO).await;

    // The client is sent their own link, made for this lane.
    let invites = sink.to("casey@brand.example");
    assert_eq!(invites.len(), 1, "{:?}", sink.messages());
    assert_eq!(invites[0]["subject"], "agency asks for your review of “Spring launch”");
    let link = url_after(invites[0]["text"].as_str().unwrap(), &format!("{}/s/", h.base));
    let (status, page) = browse(&h, &link, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("waiting for your approval"), "{page}");
    let links = owner.get(&format!("/workspaces/{ws}/share-links")).await;
    assert_eq!(links.body["items"][0]["lane"]["stage_key"], "client", "{}", links.body);
    assert_eq!(links.body["items"][0]["capability"], "approve");

    // The client takes longer than the link lasts: it expires, and the next
    // event about the post renews it and sends a fresh one.
    h.pass(SignedDuration::from_hours(24 * 15)).await;
    assert_eq!(browse(&h, &link, None).await.0, StatusCode::NOT_FOUND);
    // (Two weeks on, the team's sessions have ended too.)
    let owner = h.login("owner@agency.example.org").await;
    let copywriter = h.login("creator@agency.example.org").await;
    let social_manager = h.login("admin@agency.example.org").await;
    let r = copywriter.post(&format!("{path}/comments"), json!({"body": "Casey, any news?", "visibility": "external"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    h.pass(SignedDuration::ZERO).await;
    let invites = sink.to("casey@brand.example");
    assert_eq!(invites.len(), 2, "{:?}", sink.messages());
    let link = url_after(invites[1]["text"].as_str().unwrap(), &format!("{}/s/", h.base));
    let (status, page) = browse(&h, &link, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Casey, any news?"), "{page}");

    // The client approves through it.
    let post_id = path.rsplit('/').next().unwrap();
    let decision_url = format!("{link}/p/{post_id}/decision");
    let (status, page) =
        browse(&h, &decision_url, Some(&[("name", "Casey"), ("verdict", "approve"), ("revision", &rev), ("comment", "")])).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(copywriter.get(&path).await.body["review_stage"], "Social media manager");

    // The social media manager approves last.
    let r = social_manager.post(&format!("{path}/review/decisions"), decide(rev)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(copywriter.get(&path).await.body["state"], "approved");

    // The post's history names each actor in turn.
    let history = owner.get(&format!("{path}/history")).await;
    let steps: Vec<(String, String)> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "review.started" || e["action"] == "review.decided")
        .map(|e| {
            (e["action"].as_str().unwrap().to_owned(), e["actor"]["name"].as_str().or(e["actor"]["user_id"].as_str()).unwrap().to_owned())
        })
        .collect();
    let user = |email: &str| id_of(email).as_str().unwrap().to_owned();
    assert_eq!(
        steps,
        [
            ("review.started".to_owned(), user("creator@agency.example.org")),
            ("review.decided".to_owned(), user("manager@agency.example.org")),
            ("review.decided".to_owned(), "Casey".to_owned()),
            ("review.decided".to_owned(), user("admin@agency.example.org")),
        ]
    );
}

#[apply(backends)]
async fn comments_mentions_reminders_and_escalations_reach_whom_they_concern(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("team").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@team.example.org").await;
    let creator = h.login("creator@team.example.org").await;
    let reviewer = h.login("reviewer@team.example.org").await;
    let manager = h.login("manager@team.example.org").await;
    let members = owner.get(&format!("/workspaces/{ws}/members")).await;
    let id_of = |email: &str| members.body.as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["user_id"].clone();
    let wf = owner
        .post(
            &format!("/workspaces/{ws}/workflows"),
            json!({"name": "Timed", "is_default": true, "definition": {"stages": [{
                "key": "review", "name": "Review",
                "lanes": [{"key": "reviewers", "name": "Reviewers", "approvers": [{"role": "reviewer"}], "rule": "any"}],
                "due": {"after_minutes": 60}, "reminders": [50],
                "escalation": {"after_minutes": 120, "to": [{"role": "owner"}]}
            }]}}),
        )
        .await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let path = submitted_post(&creator, &w, "Open day").await;
    h.pass(SignedDuration::ZERO).await;
    assert_eq!(kinds(&reviewer.get("/my/notifications").await), ["review_requested"]);

    // A comment mentioning the manager: the manager is mentioned, the post's owner told of a comment, the writer nothing.
    let thread = reviewer
        .post(&format!("{path}/comments"), json!({"body": "Manager, is the date right?", "mentions": [id_of("manager@team.example.org")]}))
        .await;
    assert_eq!(thread.status, StatusCode::CREATED, "{}", thread.body);
    h.pass(SignedDuration::ZERO).await;
    let for_manager = manager.get("/my/notifications").await;
    assert_eq!(kinds(&for_manager), ["mention"]);
    assert_eq!(for_manager.body["items"][0]["data"]["excerpt"], "Manager, is the date right?");
    assert_eq!(kinds(&creator.get("/my/notifications").await), ["comment"]);
    assert_eq!(kinds(&reviewer.get("/my/notifications").await), ["review_requested"], "not told of their own comment");

    // A reply: everyone earlier in the thread hears of it, the replier does not.
    let reply = creator.post(&format!("{path}/comments"), json!({"body": "Yes, Saturday.", "parent_id": thread.body["id"]})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    h.pass(SignedDuration::ZERO).await;
    assert_eq!(kinds(&reviewer.get("/my/notifications").await), ["comment", "review_requested"]);
    assert_eq!(kinds(&creator.get("/my/notifications").await), ["comment"]);

    // Half the due time: a reminder to whom the review waits for. After two hours: escalated to the owner.
    h.pass(SignedDuration::from_mins(30)).await;
    assert_eq!(kinds(&reviewer.get("/my/notifications").await)[0], "reminder");
    h.pass(SignedDuration::from_mins(90)).await;
    let for_owner = kinds(&owner.get("/my/notifications").await);
    assert!(for_owner.contains(&"escalation".to_owned()) && for_owner.contains(&"review_requested".to_owned()), "{for_owner:?}");
}

/// A member who reads Greenlight in Danish is asked in Danish: the
/// notification, the email's subject and both its bodies, its buttons;
/// a member who chose nothing still gets English.
#[apply(backends)]
async fn a_danish_reviewer_is_asked_in_danish(#[case] backend: Backend) {
    let sink = MailSink::start().await;
    let h = Harness::start_with(backend, Some(sink.mailer())).await;
    let w = h.world("klinik").await;
    let owner = h.login("owner@klinik.example.org").await;
    let creator = h.login("creator@klinik.example.org").await;
    let reviewer = h.login("reviewer@klinik.example.org").await;
    let r = reviewer.put("/session/language", json!({"language": "da"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    routine_default(&owner, &w.ws).await;
    submitted_post(&creator, &w, "Influenzavaccine").await;
    h.pass(SignedDuration::ZERO).await;

    let mails = sink.to("reviewer@klinik.example.org");
    assert_eq!(mails.len(), 1, "{:?}", sink.messages());
    let mail = &mails[0];
    assert_eq!(mail["subject"], "“Influenzavaccine” venter på din godkendelse i trinnet Review");
    let (text, html) = (mail["text"].as_str().unwrap(), mail["html"].as_str().unwrap());
    assert!(text.contains("Hej reviewer,") && text.contains("Godkend: "), "{text}");
    assert!(html.contains("lang=\"da\"") && html.contains(">Godkend</a>") && html.contains(">Anmod om ændringer</a>"), "{html}");
    let mine = reviewer.get("/my/notifications").await;
    assert_eq!(mine.body["items"][0]["summary"], "“Influenzavaccine” venter på din godkendelse i trinnet Review");
    // The manager chose no language: English, as before.
    let theirs = sink.to("manager@klinik.example.org");
    assert_eq!(theirs[0]["subject"], "“Influenzavaccine” waits for your review at Review", "{theirs:?}");
}

/// The worker follows each workspace's history: however many follow at
/// once (two here, on one database), each event is looked at exactly once
/// and in order, a batch at a time, and nothing is left behind.
#[apply(backends)]
async fn followers_at_the_same_time_look_at_each_event_once(#[case] backend: Backend) {
    use greenlight_service::notifications::follow;
    let h = Harness::start(backend).await;
    let w = h.world("followed").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@followed.example.org").await;
    let creator = h.login("creator@followed.example.org").await;
    let members = owner.get(&format!("/workspaces/{ws}/members")).await;
    let manager =
        members.body.as_array().unwrap().iter().find(|m| m["email"] == "manager@followed.example.org").unwrap()["user_id"].clone();
    routine_default(&owner, &ws).await;
    let path = submitted_post(&creator, &w, "Followed").await;
    h.pass(SignedDuration::ZERO).await;
    let unfollowed = || async {
        let mut tx = h.app.db.read().await.unwrap();
        greenlight_store::audit::unfollowed(&mut tx, 100).await.unwrap()
    };
    assert_eq!(unfollowed().await, [], "the world's events were followed");

    // More events than a batch, each telling the manager something new.
    for i in 0..37 {
        let r = creator.post(&format!("{path}/comments"), json!({"body": format!("Note {i}"), "mentions": [manager]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let waiting = unfollowed().await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].1, 37, "one event a comment");
    let (a, b) = tokio::join!(follow(&h.app), follow(&h.app));
    assert_eq!(a.unwrap() + b.unwrap(), 37, "each event looked at once, by one of them");
    assert_eq!(unfollowed().await, []);
    let told = h.login("manager@followed.example.org").await.get("/my/notifications?limit=200").await;
    let mentions: Vec<&str> = told.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "mention")
        .map(|n| n["data"]["excerpt"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = (0..37).map(|i| format!("Note {i}")).collect();
    expected.reverse(); // newest first
    assert_eq!(mentions, expected, "told of each, once");
    assert_eq!(follow(&h.app).await.unwrap(), 0, "nothing left");
}
