//! Every route × every role × a foreign workspace, checked against the
//! permission matrix in the domain code.

use std::collections::HashMap;

use greenlight_domain::permission::{Permission as P, Role};
use reqwest::{Method, StatusCode};
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

pub struct Route {
    pub method: Method,
    /// The path as the OpenAPI document names it; `{user}`, `{group}` and
    /// `{token}` are a spare member, group and token of the calling role,
    /// `{comment}` a comment of theirs (the owner's, for roles that cannot comment).
    pub path: &'static str,
    pub query: &'static str,
    pub body: Value,
    /// `None`: instance administrators only.
    needs: Option<P>,
}

fn route(method: Method, path: &'static str, body: Value, needs: Option<P>) -> Route {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    Route { method, path, query, body, needs }
}

/// Every route but the session's own, in the order each role calls them
/// (deletions last, so they do not take away what later calls need).
pub fn routes() -> Vec<Route> {
    use Method as M;
    vec![
        route(M::GET, "/workspaces/{ws}", json!(null), Some(P::ViewWorkspace)),
        route(M::PATCH, "/workspaces/{ws}", json!({"name": "Renamed"}), Some(P::ManageWorkspace)),
        route(M::GET, "/workspaces/{ws}/members", json!(null), Some(P::ViewWorkspace)),
        route(M::POST, "/workspaces/{ws}/members", json!({"email": "newbie@example.org", "role": "viewer"}), Some(P::ManageMembers)),
        route(M::PUT, "/workspaces/{ws}/members/{user}", json!({"role": "viewer"}), Some(P::ManageMembers)),
        route(M::GET, "/workspaces/{ws}/groups", json!(null), Some(P::ViewWorkspace)),
        route(M::POST, "/workspaces/{ws}/groups", json!({"name": "QA {role}"}), Some(P::ManageGroups)),
        route(M::PUT, "/workspaces/{ws}/groups/{group}/members/{user}", json!(null), Some(P::ManageGroups)),
        route(M::DELETE, "/workspaces/{ws}/groups/{group}/members/{user}", json!(null), Some(P::ManageGroups)),
        route(M::GET, "/workspaces/{ws}/tokens", json!(null), Some(P::ManageTokens)),
        route(M::POST, "/workspaces/{ws}/tokens", json!({"name": "t", "role": "viewer"}), Some(P::ManageTokens)),
        route(M::GET, "/workspaces/{ws}/channels", json!(null), Some(P::ViewWorkspace)),
        route(
            M::POST,
            "/workspaces/{ws}/channels",
            json!({"network": "x", "handle": "h{role}", "display_name": "H"}),
            Some(P::ManageChannels),
        ),
        route(M::GET, "/workspaces/{ws}/campaigns", json!(null), Some(P::ViewWorkspace)),
        route(M::POST, "/workspaces/{ws}/campaigns", json!({"name": "C {role}", "colour": "#000000"}), Some(P::ManagePlanning)),
        route(M::GET, "/workspaces/{ws}/labels", json!(null), Some(P::ViewWorkspace)),
        route(M::POST, "/workspaces/{ws}/labels", json!({"name": "L {role}"}), Some(P::ManagePlanning)),
        route(M::GET, "/workspaces/{ws}/posts", json!(null), Some(P::ViewPosts)),
        route(M::POST, "/workspaces/{ws}/posts", json!({"title": "By {role}"}), Some(P::CreatePosts)),
        route(M::GET, "/workspaces/{ws}/posts/{post}", json!(null), Some(P::ViewPosts)),
        route(M::PATCH, "/workspaces/{ws}/posts/{post}", json!({"title": "Edited"}), Some(P::EditAnyPost)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/revisions", json!({"content": {"text": "New"}}), Some(P::EditAnyPost)),
        route(M::GET, "/workspaces/{ws}/posts/{post}/revisions", json!(null), Some(P::ViewPosts)),
        route(M::GET, "/workspaces/{ws}/posts/{post}/revisions/{number}", json!(null), Some(P::ViewPosts)),
        route(M::GET, "/workspaces/{ws}/posts/{post}/diff?from=1&to=1", json!(null), Some(P::ViewPosts)),
        route(M::GET, "/workspaces/{ws}/posts/{post}/history", json!(null), Some(P::ViewPosts)),
        route(M::GET, "/workspaces/{ws}/workflows", json!(null), Some(P::ViewWorkspace)),
        route(M::POST, "/workspaces/{ws}/workflows", json!({"name": "W {role}", "template": "routine"}), Some(P::ManageWorkflows)),
        route(M::GET, "/workspaces/{ws}/workflows/{workflow}", json!(null), Some(P::ViewWorkspace)),
        route(M::PUT, "/workspaces/{ws}/workflows/{workflow}", json!({"version": 1, "name": "Renamed {role}"}), Some(P::ManageWorkflows)),
        route(M::GET, "/workspaces/{ws}/workflows/{workflow}/export", json!(null), Some(P::ViewWorkspace)),
        // Not TOML: allowed roles learn that (422), others are refused first.
        route(M::POST, "/workspaces/{ws}/workflows/import", json!("name = "), Some(P::ManageWorkflows)),
        route(M::POST, "/workspaces/{ws}/simulation", json!({"text": "Hello"}), Some(P::CreatePosts)),
        route(M::GET, "/workspaces/{ws}/delegations", json!(null), Some(P::ViewWorkspace)),
        // Whoever decides reviews may name a stand-in for themselves.
        route(M::POST, "/workspaces/{ws}/delegations", json!({"delegate": "{user}", "ends_at": "{soon}"}), Some(P::DecideReviews)),
        route(M::GET, "/workspaces/{ws}/routes", json!(null), Some(P::ViewWorkspace)),
        route(M::PUT, "/workspaces/{ws}/routes", json!([]), Some(P::ManageWorkflows)),
        route(M::GET, "/workspaces/{ws}/posts/{post}/simulation", json!(null), Some(P::ViewPosts)),
        route(M::GET, "/workspaces/{ws}/posts/{post}/review", json!(null), Some(P::ViewPosts)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/review", json!(null), Some(P::EditAnyPost)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/review/override", json!({"reason": "by phone"}), Some(P::OverrideReviews)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/review/withdraw", json!(null), Some(P::EditAnyPost)),
        route(M::GET, "/workspaces/{ws}/posts/{post}/comments?unresolved=true", json!(null), Some(P::ViewPosts)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/comments", json!({"body": "From the {role}"}), Some(P::CommentOnPosts)),
        route(
            M::PATCH,
            "/workspaces/{ws}/posts/{post}/comments/{comment}",
            json!({"body": "Edited by the {role}"}),
            Some(P::CommentOnPosts),
        ),
        route(M::POST, "/workspaces/{ws}/posts/{post}/comments/{comment}/resolve", json!(null), Some(P::CommentOnPosts)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/comments/{comment}/reopen", json!(null), Some(P::CommentOnPosts)),
        route(M::GET, "/workspaces/{ws}/notification-preferences", json!(null), Some(P::ViewWorkspace)),
        route(
            M::PUT,
            "/workspaces/{ws}/notification-preferences",
            json!({"comment": {"in_app": true, "email": "daily"}}),
            Some(P::ViewWorkspace),
        ),
        route(
            M::PUT,
            "/workspaces/{ws}/notification-defaults",
            json!({"comment": {"in_app": true, "email": "off"}}),
            Some(P::ManageWorkspace),
        ),
        route(M::GET, "/workspaces/{ws}/webhooks", json!(null), Some(P::ManageWebhooks)),
        route(
            M::POST,
            "/workspaces/{ws}/webhooks",
            json!({"kind": "discord", "name": "D {role}", "url": "https://discord.example/api/webhooks/1"}),
            Some(P::ManageWebhooks),
        ),
        route(M::PATCH, "/workspaces/{ws}/webhooks/{webhook}", json!({"active": false}), Some(P::ManageWebhooks)),
        route(M::GET, "/workspaces/{ws}/webhooks/{webhook}/deliveries", json!(null), Some(P::ManageWebhooks)),
        route(M::POST, "/workspaces/{ws}/webhooks/{webhook}/deliveries/{delivery}/redeliver", json!(null), Some(P::ManageWebhooks)),
        route(M::DELETE, "/workspaces/{ws}/webhooks/{webhook}", json!(null), Some(P::ManageWebhooks)),
        route(M::GET, "/workspaces/{ws}/posts/{post}/revisions/{number}/preflight", json!(null), Some(P::ViewPosts)),
        route(M::POST, "/workspaces/{ws}/preflight", json!({"content": {"text": "Hello"}, "channel_ids": []}), Some(P::ViewPosts)),
        route(M::GET, "/workspaces/{ws}/style-guide", json!(null), Some(P::ViewWorkspace)),
        route(M::GET, "/workspaces/{ws}/notes?from=2026-12-01&until=2027-01-01", json!(null), Some(P::ViewWorkspace)),
        route(M::POST, "/workspaces/{ws}/notes", json!({"day": "2026-12-24", "body": "No posts: holiday"}), Some(P::CreatePosts)),
        // Without If-Match: editors are told to send it (428), the rest refused.
        route(M::POST, "/workspaces/{ws}/posts/{post}/schedule", json!(null), Some(P::EditAnyPost)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/queue", json!(null), Some(P::EditAnyPost)),
        route(M::GET, "/workspaces/{ws}/channels/{channel}/slots", json!(null), Some(P::ViewWorkspace)),
        route(
            M::PUT,
            "/workspaces/{ws}/channels/{channel}/slots",
            json!([{"weekday": "monday", "time": "09:00"}]),
            Some(P::ManageChannels),
        ),
        route(M::GET, "/workspaces/{ws}/channels/{channel}/connection", json!(null), Some(P::ViewWorkspace)),
        // A Bluesky channel needs its PDS, handle and app password: those allowed are told so (422).
        route(
            M::PUT,
            "/workspaces/{ws}/channels/{channel}/connection",
            json!({"url": "https://hooks.example.org/x"}),
            Some(P::ManageChannels),
        ),
        route(M::DELETE, "/workspaces/{ws}/channels/{channel}/connection", json!(null), Some(P::ManageChannels)),
        route(M::GET, "/workspaces/{ws}/posts/{post}/publications", json!(null), Some(P::ViewPosts)),
        // A draft: editors are told it cannot go out (409), the rest refused.
        route(M::POST, "/workspaces/{ws}/posts/{post}/publish-now", json!(null), Some(P::EditAnyPost)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/publications/{channel}/retry", json!(null), Some(P::EditAnyPost)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/publications/{channel}/posted-by-hand", json!({}), Some(P::EditAnyPost)),
        route(M::POST, "/workspaces/{ws}/posts/{post}/unschedule", json!(null), Some(P::EditAnyPost)),
        // Without If-Match: those allowed are told to send it (428), the rest refused.
        route(M::PUT, "/workspaces/{ws}/style-guide", json!({"banned": [{"phrase": "cure"}]}), Some(P::ManageStyleGuide)),
        route(M::GET, "/workspaces/{ws}/share-links", json!(null), Some(P::ShareLinks)),
        route(
            M::POST,
            "/workspaces/{ws}/share-links",
            json!({"scope": {"kind": "posts", "post_ids": ["{post}"]}, "capability": "comment", "expires_at": "{soon}"}),
            Some(P::ShareLinks),
        ),
        route(
            M::POST,
            "/workspaces/{ws}/share-links",
            json!({"scope": {"kind": "posts", "post_ids": ["{post}"]}, "capability": "approve", "expires_at": "{soon}",
                   "reviewer_email": "client@example.org"}),
            Some(P::ShareForApproval),
        ),
        route(M::POST, "/workspaces/{ws}/share-links/{link}/token", json!(null), Some(P::ShareLinks)),
        route(M::POST, "/workspaces/{ws}/share-links/{link}/revoke", json!(null), Some(P::ShareLinks)),
        route(M::GET, "/workspaces/{ws}/media", json!(null), Some(P::ViewPosts)),
        // Not multipart: allowed roles learn that (400), others are refused first.
        route(M::POST, "/workspaces/{ws}/media", json!({"file": "x"}), Some(P::UploadMedia)),
        route(M::GET, "/workspaces/{ws}/media/{media}", json!(null), Some(P::ViewPosts)),
        route(M::GET, "/workspaces/{ws}/media/{media}/content", json!(null), Some(P::ViewPosts)),
        route(M::GET, "/workspaces/{ws}/media/{media}/thumbnail", json!(null), Some(P::ViewPosts)),
        route(M::GET, "/workspaces/{ws}/history", json!(null), Some(P::ViewWorkspaceHistory)),
        route(M::GET, "/workspaces/{ws}/audit/verify", json!(null), Some(P::ViewWorkspaceHistory)),
        route(M::GET, "/workspaces/{ws}/audit/export", json!(null), Some(P::ViewWorkspaceHistory)),
        route(M::GET, "/workspaces/{ws}/analytics/workflow", json!(null), Some(P::ViewAnalytics)),
        route(M::GET, "/workspaces/{ws}/analytics/workflow.csv", json!(null), Some(P::ViewAnalytics)),
        route(M::GET, "/workspaces/{ws}/workflow-settings", json!(null), Some(P::ViewWorkspace)),
        route(M::PUT, "/workspaces/{ws}/workflow-settings", json!({"reasons": ["Tone"]}), Some(P::ManageWorkflows)),
        route(
            M::POST,
            "/workspaces/{ws}/audit/export/verify",
            json!({"bundle": {"format": "greenlight.audit-export.v1", "workspace_id": "{ws}", "workspace_name": "", "chain": "", "from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "generated_at": "2026-01-02T00:00:00Z", "events": [], "checkpoints": [], "revisions": []}, "sha256": "", "public_key": "", "signature": ""}),
            Some(P::ViewWorkspaceHistory),
        ),
        route(M::POST, "/workspaces", json!({"name": "W {role}", "time_zone": "UTC", "owner_email": "owner@home.example.org"}), None),
        route(M::GET, "/users", json!(null), None),
        route(M::POST, "/users", json!({"email": "u{role}@example.org", "name": "U", "password": "long enough pw"}), None),
        route(M::PUT, "/users/{user}/password", json!({"password": "another long password"}), None),
        route(M::GET, "/audit/verify", json!(null), None),
        route(M::DELETE, "/workspaces/{ws}/tokens/{token}", json!(null), Some(P::ManageTokens)),
        route(M::DELETE, "/workspaces/{ws}/groups/{group}", json!(null), Some(P::ManageGroups)),
        // Someone else's delegation: only member managers end it.
        route(M::DELETE, "/workspaces/{ws}/delegations/{delegation}", json!(null), Some(P::ManageMembers)),
        route(M::DELETE, "/workspaces/{ws}/members/{user}", json!(null), Some(P::ManageMembers)),
        // The owner's note: only whoever manages planning removes another's.
        route(M::DELETE, "/workspaces/{ws}/notes/{note}", json!(null), Some(P::ManagePlanning)),
    ]
}

/// What one role's calls act on, so no role's deletions get in another's way.
struct Spare {
    user: String,
    group: String,
    token: String,
    /// The owner's stand-in: this spare.
    delegation: String,
    comment: String,
    link: String,
    webhook: String,
    delivery: String,
    note: String,
}

pub struct Ids {
    pub ws: String,
    pub post: String,
    channel: String,
    workflow: String,
    media: String,
    spares: HashMap<&'static str, Spare>,
}

pub async fn ids(h: &Harness, name: &str) -> Ids {
    let w = h.world(name).await;
    let owner = h.login(&format!("owner@{name}.example.org")).await;
    let ws = w.ws;
    let post = owner.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Owner's post"})).await;
    let mut png = Vec::new();
    image::RgbImage::from_pixel(4, 4, image::Rgb([0, 0, 0]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let part = reqwest::multipart::Part::bytes(png).file_name("dot.png");
    let media = Client::send(
        owner.request(Method::POST, &format!("/workspaces/{ws}/media")).multipart(reqwest::multipart::Form::new().part("file", part)),
    )
    .await;
    // The post is in review, by the default workflow.
    let workflow =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(workflow.status, StatusCode::CREATED, "{}", workflow.body);
    let post_path = format!("/workspaces/{ws}/posts/{}", post.body["post"]["id"].as_str().unwrap());
    let submitted = owner.post(&format!("{post_path}/review"), json!(null)).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    let mut spares = HashMap::new();
    for role in ROLES {
        let email = format!("spare-{role}@{name}.example.org");
        let user = h.user(&email, false).await.id.to_string();
        // A reviewer: one who may stand in for the owner.
        let r = owner.post(&format!("/workspaces/{ws}/members"), json!({"email": email, "role": "reviewer"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let group = owner.post(&format!("/workspaces/{ws}/groups"), json!({"name": format!("Spare {role}")})).await;
        let token = owner.post(&format!("/workspaces/{ws}/tokens"), json!({"name": format!("spare {role}"), "role": "viewer"})).await;
        let delegation =
            owner.post(&format!("/workspaces/{ws}/delegations"), json!({"delegate": user, "ends_at": soon().to_string()})).await;
        assert_eq!(delegation.status, StatusCode::CREATED, "{}", delegation.body);
        // Comments are edited by their authors only: each role gets its own.
        let author = if Role::parse(role).unwrap().can(P::CommentOnPosts) { role } else { "owner" };
        let author = h.login(&format!("{author}@{name}.example.org")).await;
        let comment = author.post(&format!("{post_path}/comments"), json!({"body": format!("Spare of the {role}")})).await;
        assert_eq!(comment.status, StatusCode::CREATED, "{}", comment.body);
        let link = owner
            .post(
                &format!("/workspaces/{ws}/share-links"),
                json!({"scope": {"kind": "posts", "post_ids": [post.body["post"]["id"]]}, "capability": "view", "expires_at": soon().to_string()}),
            )
            .await;
        assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
        let webhook = owner
            .post(
                &format!("/workspaces/{ws}/webhooks"),
                json!({"kind": "slack", "name": format!("Spare {role}"), "url": "http://127.0.0.1:9/spare"}),
            )
            .await;
        assert_eq!(webhook.status, StatusCode::CREATED, "{}", webhook.body);
        let note = owner.post(&format!("/workspaces/{ws}/notes"), json!({"day": "2026-12-25", "body": format!("Spare {role}")})).await;
        assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
        let id = |r: &Reply| r.body["id"].as_str().unwrap().to_owned();
        spares.insert(
            role,
            Spare {
                user,
                group: id(&group),
                token: id(&token),
                delegation: id(&delegation),
                comment: id(&comment),
                link: id(&link),
                webhook: id(&webhook),
                delivery: String::new(),
                note: id(&note),
            },
        );
    }
    // An event for the spare webhooks, so each has a delivery to redeliver.
    let r = owner.post(&format!("{post_path}/comments"), json!({"body": "For the hooks"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    h.pass(jiff::SignedDuration::ZERO).await;
    for spare in spares.values_mut() {
        let listed = owner.get(&format!("/workspaces/{ws}/webhooks/{}/deliveries", spare.webhook)).await;
        spare.delivery = listed.body["items"][0]["id"].as_str().unwrap_or_else(|| panic!("{}", listed.body)).to_owned();
    }
    Ids {
        ws,
        channel: w.channel,
        post: post.body["post"]["id"].as_str().unwrap().to_owned(),
        workflow: workflow.body["id"].as_str().unwrap().to_owned(),
        media: media.body["id"].as_str().unwrap().to_owned(),
        spares,
    }
}

fn soon() -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 7)
}

pub fn fill(template: &str, ids: &Ids, role: &str) -> String {
    let spare = &ids.spares[role];
    template
        .replace("{ws}", &ids.ws)
        .replace("{post}", &ids.post)
        .replace("{channel}", &ids.channel)
        .replace("{media}", &ids.media)
        .replace("{workflow}", &ids.workflow)
        .replace("{number}", "1")
        .replace("{user}", &spare.user)
        .replace("{group}", &spare.group)
        .replace("{token}", &spare.token)
        .replace("{delegation}", &spare.delegation)
        .replace("{soon}", &soon().to_string())
        .replace("{comment}", &spare.comment)
        .replace("{link}", &spare.link)
        .replace("{webhook}", &spare.webhook)
        .replace("{delivery}", &spare.delivery)
        .replace("{note}", &spare.note)
        .replace("{role}", role)
}

#[apply(backends)]
async fn every_route_enforces_the_permission_matrix(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let home = ids(&h, "home").await;
    let foreign = ids(&h, "foreign").await;
    let mut failures = Vec::new();
    for role_name in ROLES {
        let role = Role::parse(role_name).unwrap();
        let client = h.login(&format!("{role_name}@home.example.org")).await;
        // Every signed-in caller lists workspaces, and sees only their own.
        let listed = client.get("/workspaces").await;
        let listed: Vec<_> = listed.body.as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap().to_owned()).collect();
        if listed != [home.ws.clone()] {
            failures.push(format!("{role_name} GET /workspaces -> {listed:?}"));
        }
        for r in routes() {
            let body: Value = serde_json::from_str(&fill(&r.body.to_string(), &home, role_name)).unwrap();
            let send = |ids: &Ids| {
                let path = fill(r.path, ids, role_name);
                let url = if r.query.is_empty() { path } else { format!("{path}?{}", r.query) };
                let mut req = client.request(r.method.clone(), &url);
                if !body.is_null() {
                    req = req.json(&body);
                }
                Client::send(req)
            };
            let reply = send(&home).await;
            let allowed = r.needs.is_some_and(|p| role.can(p));
            let ok = if allowed {
                !matches!(reply.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
                    && reply.status.as_u16() < 500
            } else {
                reply.status == StatusCode::FORBIDDEN
            };
            if !ok {
                failures.push(format!("{role_name} {} {} -> {} {}", r.method, r.path, reply.status, reply.body));
            }
            if r.needs.is_some() {
                let reply = send(&foreign).await;
                if reply.status != StatusCode::NOT_FOUND {
                    failures.push(format!("{role_name} {} {} in a foreign workspace -> {}", r.method, r.path, reply.status));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[apply(backends)]
async fn creators_edit_their_own_posts_only_and_owners_are_protected(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("team").await;
    let creator = h.login("creator@team.example.org").await;
    let mine = creator.post(&format!("/workspaces/{}/posts", w.ws), json!({"title": "Mine"})).await;
    let id = mine.body["post"]["id"].as_str().unwrap();
    let r = creator.patch(&format!("/workspaces/{}/posts/{id}", w.ws), json!({"title": "Still mine"}), Some("\"1\"")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // An admin may not make owners; the last owner cannot be demoted.
    let admin = h.login("admin@team.example.org").await;
    let members = admin.get(&format!("/workspaces/{}/members", w.ws)).await;
    let find =
        |role: &str| members.body.as_array().unwrap().iter().find(|m| m["role"] == role).unwrap()["user_id"].as_str().unwrap().to_owned();
    let r = admin.put(&format!("/workspaces/{}/members/{}", w.ws, find("viewer")), json!({"role": "owner"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let owner = h.login("owner@team.example.org").await;
    let r = owner.put(&format!("/workspaces/{}/members/{}", w.ws, find("owner")), json!({"role": "admin"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // Groups hold members only.
    let g = admin.post(&format!("/workspaces/{}/groups", w.ws), json!({"name": "QA volunteers", "member_ids": [find("reviewer")]})).await;
    assert_eq!(g.status, StatusCode::CREATED, "{}", g.body);
    let outsider = h.user("outsider@example.org", false).await;
    let r =
        admin.put(&format!("/workspaces/{}/groups/{}/members/{}", w.ws, g.body["id"].as_str().unwrap(), outsider.id), json!(null)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r =
        admin.put(&format!("/workspaces/{}/groups/{}/members/{}", w.ws, g.body["id"].as_str().unwrap(), find("viewer")), json!(null)).await;
    assert_eq!(r.body["member_ids"].as_array().map(Vec::len), Some(2), "{}", r.body);
}

/// Two owners demoting each other at the same moment: one wins, the other
/// is told the workspace needs an owner, in every round and on both
/// databases (PostgreSQL's READ COMMITTED once let both through).
#[apply(backends)]
async fn two_owners_demoting_each_other_at_once_leave_an_owner(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("team").await;
    let owner = h.login("owner@team.example.org").await;
    let admin = h.login("admin@team.example.org").await;
    let members = owner.get(&format!("/workspaces/{}/members", w.ws)).await;
    let id_of =
        |role: &str| members.body.as_array().unwrap().iter().find(|m| m["role"] == role).unwrap()["user_id"].as_str().unwrap().to_owned();
    let (a, b) = (id_of("owner"), id_of("admin"));
    let member = |id: &str| format!("/workspaces/{}/members/{id}", w.ws);
    let owners = || async {
        let members = owner.get(&format!("/workspaces/{}/members", w.ws)).await;
        members.body.as_array().unwrap().iter().filter(|m| m["role"] == "owner").count()
    };
    let r = owner.put(&member(&b), json!({"role": "owner"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    for round in 0..15 {
        let (to_a, to_b) = (member(&a), member(&b));
        let (ra, rb) = tokio::join!(owner.put(&to_b, json!({"role": "admin"})), admin.put(&to_a, json!({"role": "admin"})));
        // The loser is no longer an owner (403) or would be the last (409).
        let won = [&ra, &rb].iter().filter(|r| r.status == StatusCode::NO_CONTENT).count();
        assert_eq!(won, 1, "round {round}: {} {} / {} {}", ra.status, ra.body, rb.status, rb.body);
        // Whoever is still owner makes the other one again.
        let (still, other) = if ra.status == StatusCode::NO_CONTENT { (&owner, &b) } else { (&admin, &a) };
        assert_eq!(owners().await, 1, "round {round}");
        let r = still.put(&member(other), json!({"role": "owner"})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "round {round}: {}", r.body);
    }
}

/// A token's role caps its user's: an owner's viewer token is refused every
/// write a viewer may not make, including those on the owner's own things
/// (their delegations, notes and comments) and deciding the owner's reviews.
#[apply(backends)]
async fn a_viewer_token_of_an_owner_writes_only_what_a_viewer_may(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let home = ids(&h, "home").await;
    let owner = h.login("owner@home.example.org").await;
    let token = owner.post(&format!("/workspaces/{}/tokens", home.ws), json!({"name": "read only", "role": "viewer"})).await;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.body);
    let client = h.bearer(token.body["secret"].as_str().unwrap());
    let mut failures = Vec::new();
    let mut writes = 0;
    for r in routes().into_iter().filter(|r| r.method != Method::GET) {
        writes += 1;
        let body: Value = serde_json::from_str(&fill(&r.body.to_string(), &home, "viewer")).unwrap();
        let path = fill(r.path, &home, "viewer");
        let url = if r.query.is_empty() { path } else { format!("{path}?{}", r.query) };
        let mut req = client.request(r.method.clone(), &url);
        if !body.is_null() {
            req = req.json(&body);
        }
        let reply = Client::send(req).await;
        let allowed = r.needs.is_some_and(|p| Role::Viewer.can(p));
        let ok = if allowed {
            reply.status.is_success() || reply.status.is_client_error() && reply.status != StatusCode::FORBIDDEN
        } else {
            reply.status == StatusCode::FORBIDDEN
        };
        if !ok {
            failures.push(format!("{} {} -> {} {}", r.method, r.path, reply.status, reply.body));
        }
    }
    // The owner's review waits for an approver; the owner may decide it, this token may not.
    let post = format!("/workspaces/{}/posts/{}", home.ws, home.post);
    let rev = owner.get(&format!("{post}/revisions")).await.body[0]["content_hash"].clone();
    let decided = client.post(&format!("{post}/review/decisions"), json!({"verdict": "approve", "revision": rev})).await;
    if decided.status != StatusCode::FORBIDDEN {
        failures.push(format!("POST review/decisions -> {} {}", decided.status, decided.body));
    }
    assert!(writes > 40, "the walk covers every write route: {writes}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A stolen session must not lock the real user out: one's own new password
/// needs the current one; an administrator resets somebody else's without it.
#[apply(backends)]
async fn changing_ones_own_password_needs_the_current_one(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let alice = h.user("alice@example.org", false).await;
    let session = h.login("alice@example.org").await;
    let path = format!("/users/{}/password", alice.id);
    let r = session.put(&path, json!({"password": "taken over for good"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = session.put(&path, json!({"password": "taken over for good", "current_password": "a guess at it"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.to_string().contains("current_password"), "{}", r.body);
    h.login_with("alice@example.org", PASSWORD).await;

    let r = session.put(&path, json!({"password": "my own new password", "current_password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    h.login_with("alice@example.org", "my own new password").await;

    h.user("root@example.org", true).await;
    let admin = h.login("root@example.org").await;
    let r = admin.put(&path, json!({"password": "reset by the admin"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    h.login_with("alice@example.org", "reset by the admin").await;
}
