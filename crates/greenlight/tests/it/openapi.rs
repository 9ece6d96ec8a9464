//! The OpenAPI document: snapshot-tested so it never drifts unnoticed, and
//! checked against the authorization table so no route escapes that test.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use crate::harness::{Backend, Harness};

#[tokio::test]
async fn openapi_document_matches_its_snapshot_and_the_authorization_table() {
    let h = Harness::start(Backend::Sqlite).await;
    let doc = h.anonymous().get("/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", doc.body);

    let documented: BTreeSet<(String, String)> = doc.body["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |method| (method.to_uppercase(), path.clone())))
        .collect();
    let tested: BTreeSet<(String, String)> =
        crate::authz::routes().into_iter().map(|r| (r.method.to_string(), format!("/api/v1{}", r.path))).collect();
    // Open to every signed-in caller, or to whoever a review asks: tested on their own.
    let session: BTreeSet<(String, String)> = [
        ("GET", "/session"),
        ("POST", "/session"),
        ("DELETE", "/session"),
        ("PUT", "/session/language"),
        ("GET", "/workspaces"),
        ("GET", "/workflow-templates"),
        ("GET", "/my/reviews"),
        ("GET", "/my/notifications"),
        ("POST", "/my/notifications/read"),
        ("POST", "/workspaces/{ws}/posts/{post}/review/decisions"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), format!("/api/v1{p}")))
    .collect();
    let untested: Vec<_> = documented.difference(&tested).filter(|r| !session.contains(r)).collect();
    assert!(untested.is_empty(), "routes missing from the authorization table: {untested:?}");
    let undocumented: Vec<_> = tested.difference(&documented).collect();
    assert!(undocumented.is_empty(), "the authorization table names routes the document lacks: {undocumented:?}");
}

#[tokio::test]
async fn api_docs_page_is_served() {
    let h = Harness::start(Backend::Sqlite).await;
    let client = h.anonymous();
    let page = client.http.get(format!("{}/api/docs/", client.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("swagger-ui"));
    let init = client.http.get(format!("{}/api/docs/swagger-initializer.js", client.base)).send().await.unwrap();
    assert!(init.text().await.unwrap().contains("/api/v1/openapi.json"));
}
