//! Share links: reviewers without an account see, comment and decide
//! through a link — within its scope, capability and lifetime only.

use jiff::SignedDuration;
use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

/// A browser without an account: keeps cookies, follows redirects.
struct Visitor {
    http: reqwest::Client,
    base: String,
}

impl Visitor {
    fn new(h: &Harness) -> Self {
        Visitor { http: reqwest::Client::builder().cookie_store(true).build().unwrap(), base: h.base.clone() }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }

    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let res = self.http.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

fn in_days(h: &Harness, days: i64) -> String {
    (h.app.now() + SignedDuration::from_hours(24 * days)).to_string()
}

async fn new_post(creator: &Client, w: &World, title: &str, text: &str) -> String {
    let r = creator
        .post(&format!("/workspaces/{}/posts", w.ws), json!({"title": title, "channel_ids": [w.channel], "content": {"text": text}}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["post"]["id"].as_str().unwrap().to_owned()
}

async fn share(member: &Client, ws: &str, body: Value) -> Reply {
    member.post(&format!("/workspaces/{ws}/share-links"), body).await
}

/// The link's path (`/s/<token>`) from a created link.
fn path_of(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["path"].as_str().unwrap().to_owned()
}

fn actors(history: &Reply, action: &str) -> Vec<Value> {
    history.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == action).map(|e| e["actor"].clone()).collect()
}

const CLIENT: &str = "casey@brand.example";

#[apply(backends)]
async fn a_client_decides_through_a_link_on_the_revision_they_saw(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("agency").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@agency.example.org").await;
    let manager = h.login("manager@agency.example.org").await;
    let creator = h.login("creator@agency.example.org").await;
    let wf = owner
        .post(
            &format!("/workspaces/{ws}/workflows"),
            json!({"name": "Client sign-off", "is_default": true, "definition": {"stages": [{
                "key": "client", "name": "Client",
                "lanes": [{"key": "client", "name": "Client", "approvers": [{"external": CLIENT}], "rule": "any"}]
            }]}}),
        )
        .await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let id = new_post(&creator, &w, "Spring launch", "Spring is here").await;
    let post_path = format!("/workspaces/{ws}/posts/{id}");
    let review = creator.post(&format!("{post_path}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let rev1 = review.body["current_revision"].as_str().unwrap().to_owned();

    // Only managers and up may hand out approval; creators may share to view.
    let approve = json!({
        "scope": {"kind": "posts", "post_ids": [id]}, "capability": "approve", "expires_at": in_days(&h, 7),
        "reviewer_name": "Casey Client", "reviewer_email": CLIENT,
    });
    assert_eq!(share(&creator, &ws, approve.clone()).await.status, StatusCode::FORBIDDEN);
    let no_email = json!({"scope": {"kind": "posts", "post_ids": [id]}, "capability": "approve", "expires_at": in_days(&h, 7)});
    assert_eq!(share(&manager, &ws, no_email).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An approve link's token is shown to no member: it goes to the reviewer by email.
    let created = share(&manager, &ws, approve).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!((&created.body["token"], &created.body["sent_to"]), (&Value::Null, &json!(CLIENT)), "{}", created.body);
    assert!(created.body.get("token_hash").is_none() && created.body.get("password_hash").is_none(), "{}", created.body);
    let link_id = created.body["id"].as_str().unwrap().to_owned();
    let reissue = format!("/workspaces/{ws}/share-links/{link_id}/token");
    assert_eq!(manager.post(&reissue, json!(null)).await.body["token"], Value::Null, "a manager has it sent again");
    // Without a mail server, an owner (who may override the stage anyway) passes it on.
    let reissued = owner.post(&reissue, json!(null)).await;
    assert_eq!(reissued.status, StatusCode::OK, "{}", reissued.body);
    let link = reissued.body["path"].as_str().unwrap().to_owned();
    assert_eq!(creator.post(&format!("/workspaces/{ws}/share-links/{link_id}/revoke"), json!(null)).await.status, StatusCode::FORBIDDEN);

    // The client opens it: straight to the post, their name filled in.
    let client = Visitor::new(&h);
    let (status, page) = client.get(&link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Spring is here") && page.contains("Approve this version") && page.contains("value=\"Casey Client\""), "{page}");
    // In the client's words: no stage names, no revision numbers, the name not asked again.
    assert!(page.contains("waiting for your approval") && !page.contains("at Client") && !page.contains("revision 1"), "{page}");
    assert!(page.contains("As Casey Client") && !page.contains("id=\"d-name\""), "{page}");

    // The creator edits meanwhile; the client's decision on revision 1 is refused, and the page shows the new version.
    let etag = creator.get(&post_path).await.headers["etag"].to_str().unwrap().to_owned();
    let save = creator.request(reqwest::Method::POST, &format!("{post_path}/revisions")).header("if-match", etag);
    let edited = Client::send(save.json(&json!({"content": {"text": "Spring is finally here"}}))).await;
    assert!(edited.status.is_success(), "{}", edited.body);
    let post_page = format!("{link}/p/{id}");
    let (status, page) = client
        .form(&format!("{post_page}/decision"), &[("name", "Casey Client"), ("verdict", "approve"), ("revision", &rev1), ("comment", "")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("Spring is finally here") && page.contains("Approve this version"), "{page}");
    assert_eq!(creator.get(&post_path).await.body["state"], "in_review");

    // Asking for changes needs a comment; then an approval of revision 2 completes the review.
    let rev2 = creator.get(&format!("{post_path}/review")).await.body["current_revision"].as_str().unwrap().to_owned();
    let (status, page) = client
        .form(&format!("{post_page}/decision"), &[("name", "Casey"), ("verdict", "request_changes"), ("revision", &rev2), ("comment", "")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("comment"), "{page}");
    let (status, page) = client
        .form(&format!("{post_page}/decision"), &[("name", "Casey C."), ("verdict", "approve"), ("revision", &rev2), ("comment", "Lovely")])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("your approval is recorded") && page.contains("You approved this version."), "{page}");
    assert!(!page.contains("Approve this version"), "no second decision: {page}");
    assert_eq!(creator.get(&post_path).await.body["state"], "approved");

    // The audit log names the client, by the name they gave and the link they used.
    let history = owner.get(&format!("/workspaces/{ws}/history?limit=200")).await;
    let link_id = link_id.as_str();
    let decided = actors(&history, "review.decided");
    assert_eq!(decided, [json!({"kind": "external", "link_id": link_id, "name": "Casey C."})], "{}", history.body);
    assert!(actors(&history, "share_link.visited").iter().all(|a| a["kind"] == "external" && a["link_id"] == link_id));
    assert!(actors(&history, "share_link.visited").len() >= 2);
    let verified = owner.get(&format!("/workspaces/{ws}/audit/verify")).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
}

#[apply(backends)]
async fn a_link_reaches_its_scope_and_capability_until_revoked_or_expired(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("shop").await;
    let ws = w.ws.clone();
    let creator = h.login("creator@shop.example.org").await;
    let reviewer = h.login("reviewer@shop.example.org").await;
    let a = new_post(&creator, &w, "Post A", "Alpha text").await;
    // Post B shows a photo.
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 8, image::Rgb([10, 120, 90]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let part = reqwest::multipart::Part::bytes(png.clone()).file_name("team.png");
    let upload = creator
        .request(reqwest::Method::POST, &format!("/workspaces/{ws}/media"))
        .multipart(reqwest::multipart::Form::new().part("file", part));
    let photo = Client::send(upload).await.body["id"].as_str().unwrap().to_owned();
    let r = creator
        .post(
            &format!("/workspaces/{ws}/posts"),
            json!({"title": "Post B", "channel_ids": [w.channel], "content": {"text": "Bravo text", "media": [{"media_id": photo, "alt_text": "Our team"}]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let b = r.body["post"]["id"].as_str().unwrap().to_owned();
    let view_a = path_of(
        &share(&creator, &ws, json!({"scope": {"kind": "posts", "post_ids": [a]}, "capability": "view", "expires_at": in_days(&h, 2)}))
            .await,
    );
    let comment_ab = share(
        &creator,
        &ws,
        json!({"scope": {"kind": "posts", "post_ids": [a, b]}, "capability": "comment", "expires_at": in_days(&h, 2)}),
    )
    .await;
    let comment_ab_id = comment_ab.body["id"].as_str().unwrap().to_owned();
    let comment_ab = path_of(&comment_ab);
    // Reviewers cannot share; bad scopes are refused.
    assert_eq!(
        share(&reviewer, &ws, json!({"scope": {"kind": "posts", "post_ids": [a]}, "capability": "view", "expires_at": in_days(&h, 2)}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let bad =
        share(&creator, &ws, json!({"scope": {"kind": "posts", "post_ids": []}, "capability": "view", "expires_at": in_days(&h, -1)}))
            .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let foreign = share(&creator, &ws, json!({"scope": {"kind": "posts", "post_ids": ["0190d3a2-0000-7000-8000-000000000000"]}, "capability": "view", "expires_at": in_days(&h, 2)})).await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", foreign.body);

    let visitor = Visitor::new(&h);
    let (status, page) = visitor.get(&format!("{view_a}/p/{a}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Alpha text") && !page.contains("Add comment"), "{page}");
    // Post B is outside the link: the same page as a made-up token.
    let (status, outside) = visitor.get(&format!("{view_a}/p/{b}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, made_up) = visitor.get("/s/not-a-real-token").await;
    assert_eq!(outside, made_up);
    assert!(outside.contains("This link is not valid"));
    // A view link cannot comment.
    let (status, page) = visitor.form(&format!("{view_a}/p/{a}/comments"), &[("name", "Pat"), ("body", "Nice")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");

    // A comment link lists both posts; its visitor sees external comments only, and adds their own.
    reviewer.post(&format!("/workspaces/{ws}/posts/{a}/comments"), json!({"body": "Internal note", "visibility": "internal"})).await;
    let shared =
        reviewer.post(&format!("/workspaces/{ws}/posts/{a}/comments"), json!({"body": "Shared remark", "visibility": "external"})).await;
    assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.body);
    let (status, overview) = visitor.get(&comment_ab).await;
    assert_eq!(status, StatusCode::OK);
    assert!(overview.contains("Post A") && overview.contains("Post B"), "{overview}");
    let (_, page) = visitor.get(&format!("{comment_ab}/p/{a}")).await;
    assert!(page.contains("Shared remark") && !page.contains("Internal note"), "{page}");
    let (status, page) =
        visitor.form(&format!("{comment_ab}/p/{a}/comments"), &[("name", "Pat Partner"), ("body", "Can we add the price?")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Can we add the price?") && page.contains("Pat Partner (guest)"), "{page}");
    // The photo is served through the link that reaches its post, and only that way.
    let (_, page_b) = visitor.get(&format!("{comment_ab}/p/{b}")).await;
    let src = format!("{comment_ab}/p/{b}/media/{photo}");
    assert!(page_b.contains(&format!("src=\"{src}\"")) && page_b.contains("alt=\"Our team\""), "{page_b}");
    let image = visitor.http.get(format!("{}{src}", h.base)).send().await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.bytes().await.unwrap().as_ref(), png.as_slice());
    assert_eq!(visitor.get(&format!("{comment_ab}/p/{a}/media/{photo}")).await.0, StatusCode::NOT_FOUND, "not a media of post A");
    assert_eq!(visitor.get(&format!("{view_a}/p/{b}/media/{photo}")).await.0, StatusCode::NOT_FOUND, "post B is outside this link");
    let thread = shared.body["id"].as_str().unwrap();
    let (status, _) =
        visitor.form(&format!("{comment_ab}/p/{a}/comments"), &[("name", "Pat Partner"), ("body", "Agreed"), ("parent_id", thread)]).await;
    assert_eq!(status, StatusCode::OK);
    let threads = reviewer.get(&format!("/workspaces/{ws}/posts/{a}/comments")).await;
    let guest = threads.body.as_array().unwrap().iter().find(|t| t["body"] == "Can we add the price?").unwrap();
    assert_eq!(guest["author_name"], "Pat Partner");
    assert_eq!(guest["author_id"], Value::Null);
    assert_eq!(guest["visibility"], "external");
    assert_eq!(guest["share_link_id"], comment_ab_id.as_str());
    let replied = threads.body.as_array().unwrap().iter().find(|t| t["body"] == "Shared remark").unwrap();
    assert_eq!(replied["replies"][0]["body"], "Agreed");

    // A new token: the old one stops working, the new one works.
    let view_a_id = creator.get(&format!("/workspaces/{ws}/share-links")).await.body["items"][1]["id"].as_str().unwrap().to_owned();
    let reissued = creator.post(&format!("/workspaces/{ws}/share-links/{view_a_id}/token"), json!(null)).await;
    assert_eq!(reissued.status, StatusCode::OK, "{}", reissued.body);
    assert_eq!(visitor.get(&format!("{view_a}/p/{a}")).await.0, StatusCode::NOT_FOUND);
    let view_a = reissued.body["path"].as_str().unwrap().to_owned();
    assert_eq!(visitor.get(&format!("{view_a}/p/{a}")).await.0, StatusCode::OK);

    // Revoked: at once. Expired: when the clock passes the expiry.
    let revoked = creator.post(&format!("/workspaces/{ws}/share-links/{comment_ab_id}/revoke"), json!(null)).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert!(revoked.body["revoked_at"].is_string());
    assert_eq!(visitor.get(&format!("{comment_ab}/p/{a}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        creator.post(&format!("/workspaces/{ws}/share-links/{comment_ab_id}/revoke"), json!(null)).await.status,
        StatusCode::CONFLICT
    );
    h.clock.advance(SignedDuration::from_hours(49));
    assert_eq!(visitor.get(&format!("{view_a}/p/{a}")).await.0, StatusCode::NOT_FOUND);

    // The list shows both, newest first, without secrets.
    let list = creator.get(&format!("/workspaces/{ws}/share-links")).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", list.body);
    assert_eq!(items[0]["id"], comment_ab_id.as_str());
    assert!(items.iter().all(|l| l.get("token").is_none() && l.get("token_hash").is_none()));
}

#[apply(backends)]
async fn a_password_guards_a_link_and_failed_attempts_are_limited(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("clinic").await;
    let creator = h.login("creator@clinic.example.org").await;
    let id = new_post(&creator, &w, "Open day", "Come by on Saturday").await;
    let link = path_of(
        &share(
            &creator,
            &w.ws,
            json!({"scope": {"kind": "posts", "post_ids": [id]}, "capability": "view", "expires_at": in_days(&h, 1), "password": "correct horse battery"}),
        )
        .await,
    );
    let visitor = Visitor::new(&h);
    let (status, page) = visitor.get(&format!("{link}/p/{id}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("This review is protected") && !page.contains("Come by"), "{page}");
    let (status, page) = visitor.form(&format!("{link}/unlock"), &[("password", "wrong horse battery")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("not right"));
    let (status, page) = visitor.form(&format!("{link}/unlock"), &[("password", "correct horse battery")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Come by on Saturday"), "{page}");
    // Another browser has no proof.
    assert_eq!(Visitor::new(&h).get(&format!("{link}/p/{id}")).await.0, StatusCode::UNAUTHORIZED);

    // One wrong password and nine made-up tokens: the address is refused, valid link or not.
    for n in 0..9 {
        assert_eq!(visitor.get(&format!("/s/guess-{n}")).await.0, StatusCode::NOT_FOUND);
    }
    let (status, page) = visitor.get(&format!("{link}/p/{id}")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
}

/// Guesses sent all at once: each is counted before its slow password check,
/// so no more than the limit (10 a minute) are ever compared.
#[apply(backends)]
async fn concurrent_password_guesses_get_no_more_checks_than_the_limit(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("vault").await;
    let creator = h.login("creator@vault.example.org").await;
    let id = new_post(&creator, &w, "Secret", "Behind a password").await;
    let body = json!({"scope": {"kind": "posts", "post_ids": [id]}, "capability": "view", "expires_at": in_days(&h, 1), "password": "correct horse battery"});
    let link = path_of(&share(&creator, &w.ws, body).await);
    let visitor = Visitor::new(&h);
    let path = format!("{link}/unlock");
    let guesses = (0..40).map(|n| {
        let (visitor, path) = (&visitor, &path);
        async move { visitor.form(path, &[("password", &format!("guess number {n}"))]).await.0 }
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = answers.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(checked + refused, 40, "{answers:?}");
    assert_eq!(checked, 10, "password checks made: {answers:?}");
    // The right password is refused too while the address is over its limit.
    assert_eq!(visitor.form(&path, &[("password", "correct horse battery")]).await.0, StatusCode::TOO_MANY_REQUESTS);
}

#[apply(backends)]
async fn campaign_and_range_links_follow_the_calendar(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("brand").await;
    let ws = w.ws.clone();
    let manager = h.login("manager@brand.example.org").await;
    let campaign = manager.post(&format!("/workspaces/{ws}/campaigns"), json!({"name": "Spring", "colour": "#17663a"})).await;
    assert_eq!(campaign.status, StatusCode::CREATED, "{}", campaign.body);
    let campaign = campaign.body["id"].as_str().unwrap().to_owned();
    let post = |title: &str, campaign: Option<&str>, planned: Option<&str>| {
        let body = json!({"title": title, "campaign_id": campaign, "planned_at": planned, "content": {"text": title}});
        let manager = &manager;
        let ws = ws.clone();
        async move {
            let r = manager.post(&format!("/workspaces/{ws}/posts"), body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["post"]["id"].as_str().unwrap().to_owned()
        }
    };
    let in_campaign = post("In the campaign", Some(&campaign), None).await;
    let in_march = post("In March", None, Some("2027-03-10T09:00[Europe/Copenhagen]")).await;
    let in_april = post("In April", None, Some("2027-04-10T09:00[Europe/Copenhagen]")).await;

    let by_campaign = path_of(
        &share(
            &manager,
            &ws,
            json!({"scope": {"kind": "campaign", "campaign_id": campaign}, "capability": "view", "expires_at": in_days(&h, 30)}),
        )
        .await,
    );
    let march = path_of(
        &share(
            &manager,
            &ws,
            json!({"scope": {"kind": "range", "from": "2027-03-01T00:00:00Z", "to": "2027-04-01T00:00:00Z"}, "capability": "view", "expires_at": in_days(&h, 30)}),
        )
        .await,
    );
    let visitor = Visitor::new(&h);
    // One post in scope: the overview goes straight to it.
    let (status, page) = visitor.get(&by_campaign).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>In the campaign</h1>"), "{page}");
    assert_eq!(visitor.get(&format!("{by_campaign}/p/{in_march}")).await.0, StatusCode::NOT_FOUND);
    let (_, page) = visitor.get(&march).await;
    assert!(page.contains("<h1>In March</h1>"), "{page}");
    assert_eq!(visitor.get(&format!("{march}/p/{in_april}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get(&format!("{march}/p/{in_campaign}")).await.0, StatusCode::NOT_FOUND, "unplanned posts are in no range");

    // A post joining the campaign later is in the link's scope from then on.
    let added = post("Added later", Some(&campaign), None).await;
    let (status, page) = visitor.get(&by_campaign).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("In the campaign") && page.contains("Added later"), "{page}");
    assert_eq!(visitor.get(&format!("{by_campaign}/p/{added}")).await.0, StatusCode::OK);
    // A campaign of another workspace cannot be shared.
    let other = h.world("other").await;
    let r = share(
        &manager,
        &ws,
        json!({"scope": {"kind": "campaign", "campaign_id": other.channel}, "capability": "view", "expires_at": in_days(&h, 30)}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

/// A manager asks a client to approve one post from its share menu, with
/// a workflow that asks nobody outside: the approve link goes to the
/// client, the post (already approved) goes back to review at its last
/// stage for the client alone, the client's approval completes it; the
/// record says who asked whom, and the chains verify.
#[apply(backends)]
async fn a_client_is_asked_to_approve_one_post_without_changing_its_workflow(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("adhoc").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@adhoc.example.org").await;
    let manager = h.login("manager@adhoc.example.org").await;
    let creator = h.login("creator@adhoc.example.org").await;
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let id = new_post(&creator, &w, "Summer sale", "Everything half off").await;
    let post_path = format!("/workspaces/{ws}/posts/{id}");
    let review = creator.post(&format!("{post_path}/review"), json!(null)).await;
    let rev = review.body["current_revision"].as_str().unwrap().to_owned();
    let approved = manager.post(&format!("{post_path}/review/decisions"), json!({"verdict": "approve", "revision": rev})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(creator.get(&post_path).await.body["state"], "approved");

    // The post page's share menu offers it to whoever may hand out approval.
    let page = |c: &Client| c.http.get(format!("{}/w/{ws}/posts/{id}", h.base)).send();
    let managers = page(&manager).await.unwrap().text().await.unwrap();
    assert!(managers.contains("<option value=\"approve\">") && managers.contains("id=\"share-email\""), "{managers}");
    let creators = page(&creator).await.unwrap().text().await.unwrap();
    assert!(!creators.contains("<option value=\"approve\">"), "a creator may not");

    let approve = json!({
        "scope": {"kind": "posts", "post_ids": [id]}, "capability": "approve", "expires_at": in_days(&h, 7),
        "reviewer_name": "Casey Client", "reviewer_email": CLIENT,
    });
    // Through the share menu's form.
    let form = [
        ("csrf", manager.csrf.clone().unwrap()),
        ("capability", "approve".into()),
        ("days", "7".into()),
        ("name", "Casey Client".into()),
        ("email", CLIENT.into()),
    ];
    let shared = manager.http.post(format!("{}/w/{ws}/posts/{id}/share", h.base)).form(&form).send().await.unwrap();
    let notice = shared.text().await.unwrap();
    assert!(notice.contains("The approve link goes to casey@brand.example; this post&#39;s review asks them too, at Review."), "{notice}");
    assert!(notice.contains("No mail server is set up"), "and how it reaches them here: {notice}");
    assert_eq!(creator.get(&post_path).await.body["state"], "in_review", "back to review for the client");
    let waiting = creator.get(&format!("{post_path}/review")).await;
    assert_eq!(waiting.body["waiting_for"], json!([{"external": CLIENT}]), "the manager's approval still counts: {}", waiting.body);
    // Asking again (through the API) asks nobody twice.
    let created = share(&manager, &ws, approve).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!((&created.body["sent_to"], &created.body["asked_at_stage"]), (&json!(CLIENT), &json!("Review")), "{}", created.body);
    assert_eq!(creator.get(&format!("{post_path}/review")).await.body["run"]["added"].as_array().map(Vec::len), Some(1));

    // The client approves through the link (an owner passes it on without a mail server).
    let link_id = created.body["id"].as_str().unwrap().to_owned();
    let reissued = owner.post(&format!("/workspaces/{ws}/share-links/{link_id}/token"), json!(null)).await;
    let link = reissued.body["path"].as_str().unwrap().to_owned();
    let client = Visitor::new(&h);
    let (status, page) = client.get(&link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Everything half off") && page.contains("waiting for your approval"), "{page}");
    let (status, page) = client
        .form(&format!("{link}/p/{id}/decision"), &[("name", "Casey Client"), ("verdict", "approve"), ("revision", &rev), ("comment", "")])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(creator.get(&post_path).await.body["state"], "approved");

    let history = owner.get(&format!("/workspaces/{ws}/history?limit=200")).await;
    let added: Vec<&Value> = history.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "review.approver_added").collect();
    assert_eq!(added.len(), 1, "{}", history.body);
    assert_eq!((&added[0]["data"]["email"], &added[0]["data"]["stage"]), (&json!(CLIENT), &json!("review")));
    let verified = owner.get(&format!("/workspaces/{ws}/audit/verify")).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
}
