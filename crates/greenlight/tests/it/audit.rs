//! The audit chain verifies, and tampering directly in the database is found.

use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

/// Runs SQL on the test database behind Greenlight's back.
async fn raw(h: &Harness, statements: &[&str]) -> Result<(), sqlx::Error> {
    match h.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&h.db_url).await?;
            for s in statements {
                sqlx::query(sqlx::AssertSqlSafe(s.to_string())).execute(&pool).await?;
            }
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&h.db_url).await?;
            for s in statements {
                sqlx::query(sqlx::AssertSqlSafe(s.to_string())).execute(&pool).await?;
            }
            pool.close().await;
        }
    }
    Ok(())
}

async fn disable_append_only(h: &Harness) {
    let statements: &[&str] = match h.backend {
        Backend::Sqlite => &["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
        Backend::Postgres => &["ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"],
    };
    raw(h, statements).await.unwrap();
}

async fn verify(w: &World) -> Value {
    let r = w.admin.get(&format!("/workspaces/{}/audit/verify", w.ws)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

fn chain_filter(w: &World) -> String {
    format!("chain = 'workspace:{}'", w.ws)
}

#[apply(backends)]
async fn history_is_append_only_and_verifies(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("log").await;
    assert_eq!(verify(&w).await["intact"], true);
    let all = w.admin.get("/audit/verify").await;
    assert_eq!(all.body["intact"], true, "{}", all.body);
    assert!(all.body["chains"].as_array().unwrap().len() >= 2);
    // The database itself refuses to change history.
    assert!(raw(&h, &["UPDATE audit_events SET action = 'x'"]).await.is_err());
    assert!(raw(&h, &["DELETE FROM audit_events"]).await.is_err());
    let p = w.admin.post(&format!("/workspaces/{}/posts", w.ws), json!({"title": "Kept"})).await;
    assert_eq!(p.status, StatusCode::CREATED);
    assert!(raw(&h, &["UPDATE revisions SET content = '{}'"]).await.is_err());
    assert!(raw(&h, &["DELETE FROM revisions"]).await.is_err());
    let history = w.admin.get(&format!("/workspaces/{}/history?limit=2", w.ws)).await;
    assert_eq!(history.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(history.body["items"][0]["action"], "workspace.created");
    let next = history.body["next_cursor"].as_i64().unwrap();
    let more = w.admin.get(&format!("/workspaces/{}/history?after={next}", w.ws)).await;
    assert_eq!(more.body["items"][0]["seq"], next + 1);
}

#[apply(backends)]
async fn a_changed_event_is_found(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("changed").await;
    disable_append_only(&h).await;
    let sql = format!("UPDATE audit_events SET data = '{{\"role\":\"owner\"}}' WHERE {} AND seq = 3", chain_filter(&w));
    raw(&h, &[&sql]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["intact"], false);
    assert_eq!(report["chains"][0]["status"], "broken");
    assert_eq!(report["chains"][0]["seq"], 3, "{report}");
}

#[apply(backends)]
async fn deleted_inserted_and_truncated_events_are_found(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("deleted").await;
    disable_append_only(&h).await;
    let filter = chain_filter(&w);
    // Delete the newest event: only the head shows it.
    let head: i64 = verify(&w).await["chains"][0]["events"].as_i64().unwrap();
    raw(&h, &[&format!("DELETE FROM audit_events WHERE {filter} AND seq = {head}")]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["chains"][0]["status"], "broken", "{report}");
    assert_eq!(report["chains"][0]["seq"], head);
    // Delete one in the middle.
    raw(&h, &[&format!("DELETE FROM audit_events WHERE {filter} AND seq = 2")]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["chains"][0]["seq"], 2, "{report}");
    // Re-number to hide the gap: the links no longer match.
    raw(&h, &[&format!("UPDATE audit_events SET seq = seq - 1 WHERE {filter} AND seq > 2")]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["chains"][0]["status"], "broken");
    assert_eq!(report["chains"][0]["seq"], 2, "{report}");
}

/// With the triggers dropped, an approved revision's text and a review's
/// recorded verdict are changed in their rows while the chain stays
/// untouched: verification recomputes both and names the post, the
/// revision or review, and the event.
#[apply(backends)]
async fn a_changed_revision_or_decision_is_found(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("tamper").await;
    let owner = h.login("owner@tamper.example.org").await;
    let creator = h.login("creator@tamper.example.org").await;
    let reviewer = h.login("reviewer@tamper.example.org").await;
    let wf =
        owner.post(&format!("/workspaces/{}/workflows", w.ws), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let post =
        creator.post(&format!("/workspaces/{}/posts", w.ws), json!({"title": "Flu", "content": {"text": "Flu shots on Friday"}})).await;
    let id = post.body["post"]["id"].as_str().unwrap().to_owned();
    let path = format!("/workspaces/{}/posts/{id}", w.ws);
    assert_eq!(creator.post(&format!("{path}/review"), json!(null)).await.status, StatusCode::OK);
    let rev = creator.get(&format!("{path}/review")).await.body["current_revision"].clone();
    let decided = reviewer.post(&format!("{path}/review/decisions"), json!({"verdict": "approve", "revision": rev})).await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    let report = verify(&w).await;
    assert_eq!((report["intact"].clone(), report["chains"][0]["mismatches"].clone()), (json!(true), json!([])), "{report}");

    // The approved text changes; its stored hash does not.
    let history = owner.get(&format!("{path}/history")).await;
    let created = history.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "post.created").unwrap()["id"].clone();
    let decision = history.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "review.decided").unwrap()["id"].clone();
    let statements: &[&str] = match h.backend {
        Backend::Sqlite => &["DROP TRIGGER revisions_no_update"],
        Backend::Postgres => &["ALTER TABLE revisions DISABLE TRIGGER revisions_append_only"],
    };
    raw(&h, statements).await.unwrap();
    raw(&h, &["UPDATE revisions SET content = REPLACE(content, 'Friday', 'Saturday')"]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["intact"], false, "{report}");
    assert_eq!(report["chains"][0]["status"], "intact", "the chain itself is untouched: {report}");
    let found = &report["chains"][0]["mismatches"];
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{report}");
    assert_eq!((found[0]["post_id"].as_str(), found[0]["revision"].as_i64()), (Some(id.as_str()), Some(1)), "{report}");
    assert_eq!(found[0]["event_id"], created, "{report}");
    assert!(found[0]["problem"].as_str().unwrap().contains("content was changed"), "{report}");
    raw(&h, &["UPDATE revisions SET content = REPLACE(content, 'Saturday', 'Friday')"]).await.unwrap();
    assert_eq!(verify(&w).await["intact"], true);

    // The review's recorded approval turns into a request for changes.
    raw(&h, &["UPDATE reviews SET state = REPLACE(state, '\"verdict\":\"approve\"', '\"verdict\":\"request_changes\"')"]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["intact"], false, "{report}");
    let found = &report["chains"][0]["mismatches"];
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{report}");
    assert_eq!((found[0]["post_id"].as_str(), &found[0]["event_id"]), (Some(id.as_str()), &decision), "{report}");
    assert!(found[0]["review_id"].is_string() && found[0]["problem"].as_str().unwrap().contains("decision 1 differs"), "{report}");
}

#[apply(backends)]
async fn concurrent_writers_never_fork_the_chain(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("busy").await;
    let creator = std::sync::Arc::new(h.login("creator@busy.example.org").await);
    let mut tasks = Vec::new();
    for n in 0..16 {
        let (c, ws) = (creator.clone(), w.ws.clone());
        tasks.push(tokio::spawn(
            async move { c.post(&format!("/workspaces/{ws}/posts"), json!({"title": format!("Post {n}")})).await.status },
        ));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    assert_eq!(verify(&w).await["intact"], true);
}
