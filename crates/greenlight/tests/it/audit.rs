//! The audit chain verifies, and tampering directly in the database is found.

use greenlight_domain::{
    audit::{Chain, Checkpoint},
    canonical::Hash,
    id::WorkspaceId,
};
use greenlight_service::checkpoints;
use jiff::SignedDuration;
use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

async fn disable_append_only(h: &Harness) {
    let statements: &[&str] = match h.backend {
        Backend::Sqlite => &["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
        Backend::Postgres => &["ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"],
    };
    h.raw(statements).await.unwrap();
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
    assert!(h.raw(&["UPDATE audit_events SET action = 'x'"]).await.is_err());
    assert!(h.raw(&["DELETE FROM audit_events"]).await.is_err());
    let p = w.admin.post(&format!("/workspaces/{}/posts", w.ws), json!({"title": "Kept"})).await;
    assert_eq!(p.status, StatusCode::CREATED);
    assert!(h.raw(&["UPDATE revisions SET content = '{}'"]).await.is_err());
    assert!(h.raw(&["DELETE FROM revisions"]).await.is_err());
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
    h.raw(&[&sql]).await.unwrap();
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
    h.raw(&[&format!("DELETE FROM audit_events WHERE {filter} AND seq = {head}")]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["chains"][0]["status"], "broken", "{report}");
    assert_eq!(report["chains"][0]["seq"], head);
    // Delete one in the middle.
    h.raw(&[&format!("DELETE FROM audit_events WHERE {filter} AND seq = 2")]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["chains"][0]["seq"], 2, "{report}");
    // Re-number to hide the gap: the links no longer match.
    h.raw(&[&format!("UPDATE audit_events SET seq = seq - 1 WHERE {filter} AND seq > 2")]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["chains"][0]["status"], "broken");
    assert_eq!(report["chains"][0]["seq"], 2, "{report}");
}

/// The routine workflow and one post, "Flu shots on Friday", approved by the
/// world's reviewer; answers the owner and the post's id.
async fn an_approved_post(h: &Harness, w: &World) -> (Client, String) {
    let email = |role: &str| format!("{role}@{}.example.org", w.name);
    let (owner, creator, reviewer) = (h.login(&email("owner")).await, h.login(&email("creator")).await, h.login(&email("reviewer")).await);
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
    (owner, id)
}

/// With the triggers dropped, an approved revision's text and a review's
/// recorded verdict are changed in their rows while the chain stays
/// untouched: verification recomputes both and names the post, the
/// revision or review, and the event.
#[apply(backends)]
async fn a_changed_revision_or_decision_is_found(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("tamper").await;
    let (owner, id) = an_approved_post(&h, &w).await;
    let path = format!("/workspaces/{}/posts/{id}", w.ws);
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
    h.raw(statements).await.unwrap();
    h.raw(&["UPDATE revisions SET content = REPLACE(content, 'Friday', 'Saturday')"]).await.unwrap();
    let report = verify(&w).await;
    assert_eq!(report["intact"], false, "{report}");
    assert_eq!(report["chains"][0]["status"], "intact", "the chain itself is untouched: {report}");
    let found = &report["chains"][0]["mismatches"];
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{report}");
    assert_eq!((found[0]["post_id"].as_str(), found[0]["revision"].as_i64()), (Some(id.as_str()), Some(1)), "{report}");
    assert_eq!(found[0]["event_id"], created, "{report}");
    assert!(found[0]["problem"].as_str().unwrap().contains("content was changed"), "{report}");
    h.raw(&["UPDATE revisions SET content = REPLACE(content, 'Saturday', 'Friday')"]).await.unwrap();
    assert_eq!(verify(&w).await["intact"], true);

    // The review's recorded approval turns into a request for changes.
    h.raw(&["UPDATE reviews SET state = REPLACE(state, '\"verdict\":\"approve\"', '\"verdict\":\"request_changes\"')"]).await.unwrap();
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

/// Rewrites a chain from `seq` on, as someone with the database could: the
/// event's data changed, every later link and hash recomputed, the head
/// moved. The chain alone then verifies.
async fn rewrite_chain(h: &Harness, chain: Chain, seq: i64, data: &str) {
    let mut tx = h.app.db.read().await.unwrap();
    let mut events = greenlight_store::audit::chain_events(&mut tx, chain, 0, 10_000).await.unwrap();
    drop(tx);
    let mut prev = if seq > 1 { events[seq as usize - 2].hash } else { Hash::GENESIS };
    let mut statements = Vec::new();
    for e in events.iter_mut().filter(|e| e.seq >= seq) {
        if e.seq == seq {
            e.data = data.to_owned();
        }
        e.prev_hash = prev;
        e.hash = e.compute_hash();
        prev = e.hash;
        statements.push(format!(
            "UPDATE audit_events SET data = '{}', prev_hash = '{}', hash = '{}' WHERE chain = '{chain}' AND seq = {}",
            e.data.replace('\'', "''"),
            e.prev_hash,
            e.hash,
            e.seq
        ));
    }
    statements.push(format!("UPDATE audit_heads SET hash = '{prev}' WHERE chain = '{chain}'"));
    h.raw(&statements.iter().map(String::as_str).collect::<Vec<_>>()).await.unwrap();
}

/// Receives posted checkpoints at its address (anything else is 404).
async fn checkpoint_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    let app = axum::Router::new().route(
        "/checkpoints",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| async move {
            kept.lock().unwrap().push(body);
            StatusCode::NO_CONTENT
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/checkpoints", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

fn exported(h: &Harness) -> Vec<Checkpoint> {
    let text = std::fs::read_to_string(h.data_dir.path().join("checkpoints.jsonl")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

async fn problems(h: &Harness, exported: &[Checkpoint]) -> Vec<Option<String>> {
    let trusted = h.app.checkpoints.verifying_key();
    checkpoints::verify_checkpoints(&h.app.db, exported, &trusted).await.unwrap().into_iter().map(|c| c.problem).collect()
}

/// Checkpoints are signed every hour (and on demand) and exported to a
/// file; a chain recomputed behind an exported checkpoint, or cut short
/// before it, verifies on its own but no longer extends the checkpoint.
#[apply(backends)]
async fn signed_checkpoints_find_a_chain_rewritten_or_cut_short_behind_them(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("signed").await;
    let chain = Chain::Workspace(WorkspaceId::from_uuid(w.ws.parse().unwrap()));
    checkpoints::schedule(&h.app).await.unwrap();
    h.pass(SignedDuration::from_mins(61)).await;
    let first = exported(&h);
    let ours = first.iter().find(|c| c.chain == chain.to_string()).cloned().expect("the workspace chain is checkpointed");
    assert!(ours.seq >= 3, "{ours:?}");
    assert!(problems(&h, &first).await.iter().all(Option::is_none));
    // The next hour signs again; on demand too, after more events.
    h.pass(SignedDuration::from_mins(60)).await;
    assert!(exported(&h).len() > first.len(), "signed again an hour later");
    assert_eq!(w.admin.post(&format!("/workspaces/{}/posts", w.ws), json!({"title": "After"})).await.status, StatusCode::CREATED);
    let latest = checkpoints::checkpoint(&h.app).await.unwrap();
    let latest = latest.into_iter().find(|c| c.chain == chain.to_string()).unwrap();
    assert!(latest.seq > ours.seq);
    assert_eq!(exported(&h).last(), Some(&latest), "on-demand checkpoints are exported too");

    // A webhook gets each batch as a JSON array; one that refuses fails the
    // run, so the job tries again.
    let (url, got) = checkpoint_receiver().await;
    let mut app = h.app.clone();
    let settings = checkpoints::CheckpointSettings { webhook: Some(url.clone()), file: None, ..h.app.checkpoints.settings.clone() };
    app.checkpoints = std::sync::Arc::new(checkpoints::Signer::new(&[8; 32], settings));
    checkpoints::checkpoint(&app).await.unwrap();
    let posted: Vec<Checkpoint> = serde_json::from_value(got.lock().unwrap()[0].clone()).unwrap();
    assert!(posted.contains(&latest), "{posted:?}");
    let settings = checkpoints::CheckpointSettings { webhook: Some(format!("{url}/refused")), ..app.checkpoints.settings.clone() };
    app.checkpoints = std::sync::Arc::new(checkpoints::Signer::new(&[8; 32], settings));
    let refused = checkpoints::checkpoint(&app).await.unwrap_err();
    assert!(format!("{refused:?}").contains("answered 404"), "{refused:?}");

    // A changed checkpoint, or one signed by another key, is refused.
    let forged = Checkpoint { seq: ours.seq - 1, ..ours.clone() };
    assert!(problems(&h, &[forged]).await[0].as_deref().unwrap().contains("does not match"));
    let other = checkpoints::Signer::new(&[9; 32], h.app.checkpoints.settings.clone());
    let trusted = other.verifying_key();
    let checks = checkpoints::verify_checkpoints(&h.app.db, std::slice::from_ref(&ours), &trusted).await.unwrap();
    assert!(checks[0].problem.as_deref().unwrap().contains("another key"), "{checks:?}");

    // Rewritten from event 2 on, with every hash recomputed: the chain
    // verifies alone, the checkpoints find it.
    disable_append_only(&h).await;
    rewrite_chain(&h, chain, 2, r#"{"role":"owner","user_id":"forged"}"#).await;
    assert_eq!(verify(&w).await["chains"][0]["status"], "intact");
    let found = problems(&h, &[ours.clone(), latest.clone()]).await;
    assert!(found.iter().all(|p| p.as_deref().is_some_and(|p| p.contains("not the one signed"))), "{found:?}");

    // Cut short before the checkpoint, head moved to match.
    let filter = chain_filter(&w);
    let cut = ours.seq - 1;
    h.raw(&[&format!("DELETE FROM audit_events WHERE {filter} AND seq > {cut}")]).await.unwrap();
    let mut tx = h.app.db.read().await.unwrap();
    let last = greenlight_store::audit::event_at(&mut tx, chain, cut).await.unwrap().unwrap();
    drop(tx);
    h.raw(&[&format!("UPDATE audit_heads SET seq = {cut}, hash = '{}' WHERE chain = '{chain}'", last.hash)]).await.unwrap();
    assert_eq!(verify(&w).await["chains"][0]["status"], "intact");
    let found = problems(&h, &[ours]).await;
    assert!(found[0].as_deref().unwrap().contains("no longer reaches"), "{found:?}");
}

/// A compliance officer exports a period as a signed bundle and verifies it
/// through the API and on the audit page; a bundle changed after export,
/// or a log rewritten since, does not verify, and each check says why.
#[apply(backends)]
async fn an_exported_period_verifies_until_the_bundle_or_the_log_changes(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("export").await;
    let (owner, _) = an_approved_post(&h, &w).await;
    checkpoints::checkpoint(&h.app).await.unwrap();

    let export = format!("/workspaces/{}/audit/export", w.ws);
    let bad = owner.get(&format!("{export}?from=2026-13-01")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let signed = owner.get(&export).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert!(signed.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let bundle = &signed.body["bundle"];
    assert!(bundle["events"].as_array().unwrap().iter().any(|e| e["action"] == "review.decided"), "{bundle}");
    assert_eq!(bundle["revisions"][0]["content"]["text"], "Flu shots on Friday", "{bundle}");
    assert!(!bundle["checkpoints"].as_array().unwrap().is_empty(), "{bundle}");
    let verify_url = format!("{export}/verify");
    let report = owner.post(&verify_url, signed.body.clone()).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(report.body["intact"], true, "{}", report.body);
    assert!(report.body["checks"].as_array().unwrap().iter().all(|c| c["ok"] == true), "{}", report.body);

    // The approved text changed inside the bundle: the signature no longer
    // matches, and the text no longer hashes to what was approved.
    let text = serde_json::to_string(bundle).unwrap().replace("Flu shots on Friday", "Flu shots on Sunday");
    let mut changed = signed.body.clone();
    changed["bundle"] = serde_json::from_str(&text).unwrap();
    let report = owner.post(&verify_url, changed).await;
    assert_eq!(report.body["intact"], false, "{}", report.body);
    let signature = &report.body["checks"][0];
    assert!(signature["ok"] == false && signature["detail"].as_str().unwrap().contains("signature does not match"), "{}", report.body);
    let contents = report.body["checks"].as_array().unwrap().iter().find(|c| c["what"] == "Approved contents").unwrap().clone();
    assert_eq!(contents["ok"], false, "the text no longer hashes to its approval: {}", report.body);

    // The audit page verifies the same file, and says what fails once the
    // log was rewritten behind the export.
    let file = serde_json::to_vec(&signed.body).unwrap();
    let upload = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part("bundle", reqwest::multipart::Part::bytes(bytes).file_name("export.json"));
        owner.http.post(format!("{}/w/{}/audit/verify", h.base, w.ws)).multipart(form).send()
    };
    let page = upload(file.clone()).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("✓ The export verifies") && html.contains("Flu shots on Friday"), "{html}");
    disable_append_only(&h).await;
    let chain = Chain::Workspace(WorkspaceId::from_uuid(w.ws.parse().unwrap()));
    rewrite_chain(&h, chain, 2, r#"{"role":"owner"}"#).await;
    let page = upload(file).await.unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(html.contains("✗ The export does not verify") && html.contains("no longer in the log as exported"), "{html}");
    let page = upload(b"not json".to_vec()).await.unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
