//! Workflows and reviews through the API: routing, the simulator, decisions
//! pinned to revisions, edits that send a post back, changes requested and
//! resubmitted, and who may decide.

use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

fn state(reply: &Reply) -> Value {
    reply.body["state"].clone()
}

#[apply(backends)]
async fn a_post_goes_through_review_pinned_to_its_revisions(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("clinic");
    let w = w.await;
    let ws = w.ws.clone();
    let owner = h.login("owner@clinic.example.org").await;
    let creator = h.login("creator@clinic.example.org").await;
    let reviewer = h.login("reviewer@clinic.example.org").await;
    let viewer = h.login("viewer@clinic.example.org").await;

    // No workflow yet: submission says what is missing.
    let post =
        creator.post(&format!("/workspaces/{ws}/posts"), json!({"title": "Flu shots", "content": {"text": "Get your flu shot"}})).await;
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    let path = format!("/workspaces/{ws}/posts/{id}");
    let r = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // Creators cannot make workflows; owners can, from a template.
    let r = creator.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let bad = owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Empty", "definition": {"stages": []}})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);

    // The simulator names the path and who is asked (not the author).
    let sim = creator.get(&format!("{path}/simulation")).await;
    assert_eq!(sim.body["workflow_name"], "Routine", "{}", sim.body);
    let asked = sim.body["plan"]["stages"][0]["lanes"][0]["asked"].as_array().unwrap().len();
    assert_eq!(asked, 2, "the reviewer and the manager: {}", sim.body);

    let review = creator.post(&format!("{path}/review"), json!(null)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert_eq!(state(&creator.get(&path).await), "in_review");
    assert_eq!(creator.post(&format!("{path}/review"), json!(null)).await.status, StatusCode::CONFLICT, "a double submission");
    let rev1 = review.body["current_revision"].as_str().unwrap().to_owned();

    // It waits for the reviewer, who sees it in "my reviews".
    let mine = reviewer.get("/my/reviews").await;
    assert_eq!(mine.body.as_array().map(Vec::len), Some(1), "{}", mine.body);
    assert_eq!(mine.body[0]["post_id"], id.as_str());

    // Not asked: refused. Bad hash: refused. Nothing changes.
    let approve = |revision: &str| json!({"verdict": "approve", "revision": revision});
    assert_eq!(viewer.post(&format!("{path}/review/decisions"), approve(&rev1)).await.status, StatusCode::FORBIDDEN);
    let other = h.world("elsewhere").await;
    let outsider = h.login("reviewer@elsewhere.example.org").await;
    assert_eq!(outsider.post(&format!("{path}/review/decisions"), approve(&rev1)).await.status, StatusCode::NOT_FOUND);
    let _ = other;

    // The creator edits before anyone decides: a decision on the old revision is stale.
    let saved = creator
        .request(reqwest::Method::POST, &format!("{path}/revisions"))
        .header("if-match", "\"2\"")
        .json(&json!({"content": {"text": "Get your flu shot today"}}));
    let saved = Client::send(saved).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let rev2 = saved.body["revision"]["content_hash"].as_str().unwrap().to_owned();
    let r = reviewer.post(&format!("{path}/review/decisions"), approve(&rev1)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body["detail"].as_str().unwrap().contains("older revision"), "{}", r.body);

    // Changes requested need a comment; then the creator edits and resubmits.
    let changes = json!({"verdict": "request_changes", "revision": rev2});
    assert_eq!(reviewer.post(&format!("{path}/review/decisions"), changes).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let changes = json!({"verdict": "request_changes", "revision": rev2, "comment": "Add the clinic hours"});
    let r = reviewer.post(&format!("{path}/review/decisions"), changes).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(state(&creator.get(&path).await), "changes_requested");
    let version = creator.get(&path).await.body["version"].as_i64().unwrap();
    let saved = creator
        .request(reqwest::Method::POST, &format!("{path}/revisions"))
        .header("if-match", format!("\"{version}\""))
        .json(&json!({"content": {"text": "Get your flu shot today, 8–18"}}));
    let saved = Client::send(saved).await;
    let rev3 = saved.body["revision"]["content_hash"].as_str().unwrap().to_owned();
    assert_eq!(creator.post(&format!("{path}/review"), json!(null)).await.status, StatusCode::OK);
    assert_eq!(state(&creator.get(&path).await), "in_review");

    // The reviewer approves what they saw: approved.
    let r = reviewer.post(&format!("{path}/review/decisions"), approve(&rev3)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["run"]["status"], "approved");
    assert_eq!(state(&creator.get(&path).await), "approved");
    assert_eq!(reviewer.get("/my/reviews").await.body.as_array().map(Vec::len), Some(0));

    // An edit after approval sends it back; the history records every decision.
    let version = creator.get(&path).await.body["version"].as_i64().unwrap();
    let saved = creator
        .request(reqwest::Method::POST, &format!("{path}/revisions"))
        .header("if-match", format!("\"{version}\""))
        .json(&json!({"content": {"text": "Changed after approval"}}));
    assert_eq!(Client::send(saved).await.status, StatusCode::CREATED);
    assert_eq!(state(&creator.get(&path).await), "in_review");
    let history = owner.get(&format!("{path}/history")).await;
    let actions: Vec<&str> = history.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "review.decided").count(), 2, "{actions:?}");
    assert!(actions.contains(&"review.started") && actions.contains(&"review.resubmitted"), "{actions:?}");
    let verify = owner.get(&format!("/workspaces/{ws}/audit/verify")).await;
    assert_eq!(verify.body["intact"], true);

    // Editing a workflow makes a new version; the running review keeps its own.
    let wf_id = wf.body["id"].as_str().unwrap();
    let changed = owner.put(&format!("/workspaces/{ws}/workflows/{wf_id}"), json!({"version": 1, "name": "Routine v2"})).await;
    assert_eq!(changed.body["version"], 2, "{}", changed.body);
    let stale = owner.put(&format!("/workspaces/{ws}/workflows/{wf_id}"), json!({"version": 1, "name": "Lost update"})).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(creator.get(&format!("{path}/review")).await.body["workflow_version"], 1);
    assert_eq!(owner.get(&format!("/workspaces/{ws}/workflows/{wf_id}?version=1")).await.body["version"], 1);
}

#[apply(backends)]
async fn the_demo_reaches_every_state_through_real_reviews(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    assert!(matches!(greenlight_service::demo::seed(&h.app).await.unwrap(), greenlight_service::demo::Seeded::Created));
    assert!(matches!(greenlight_service::demo::seed(&h.app).await.unwrap(), greenlight_service::demo::Seeded::AlreadyThere));
    let demo = |email| h.login_with(email, greenlight_service::demo::PASSWORD);
    let admin = demo(greenlight_service::demo::ADMIN_EMAIL).await;
    let mut states = std::collections::BTreeSet::new();
    for ws in admin.get("/workspaces").await.body.as_array().unwrap() {
        let ws = ws["id"].as_str().unwrap();
        let posts = admin.get(&format!("/workspaces/{ws}/posts")).await;
        for post in posts.body["items"].as_array().unwrap() {
            let post_state = post["state"].as_str().unwrap().to_owned();
            let review = admin.get(&format!("/workspaces/{ws}/posts/{}/review", post["id"].as_str().unwrap())).await;
            // A post past its draft has the review that put it there, about its current revision.
            let expected = match post_state.as_str() {
                "draft" => None,
                "in_review" => Some("active"),
                "changes_requested" => Some("changes_requested"),
                _ => Some("approved"),
            };
            assert_eq!(review.body["run"]["status"].as_str(), expected, "{post_state}: {}", review.body);
            states.insert(post_state);
        }
        assert_eq!(admin.get(&format!("/workspaces/{ws}/audit/verify")).await.body["intact"], true);
    }
    for state in ["draft", "in_review", "changes_requested", "approved", "scheduled", "published"] {
        assert!(states.contains(state), "no demo post is {state}: {states:?}");
    }
    // The reviewers have work waiting.
    let maya = demo("maya@riverside.test").await;
    assert!(!maya.get("/my/reviews").await.body.as_array().unwrap().is_empty());
}
