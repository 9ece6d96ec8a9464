//! The web app over plain HTTP: what every page promises whatever the
//! browser — sign-in first, CSRF on every form, a strict policy, errors
//! next to their fields with nothing lost, escaped output, htmx fragments.

use reqwest::{StatusCode, header};
use rstest_reuse::apply;

use crate::{backends, harness::*};

/// A page request with the member's cookie (no API prefix).
async fn page(
    client: &Client,
    method: reqwest::Method,
    path: &str,
    form: Option<&[(&str, &str)]>,
    htmx: bool,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut req = client.http.request(method, format!("{}{path}", client.base));
    if let Some(form) = form {
        req = req.form(form);
    }
    if htmx {
        req = req.header("hx-request", "true");
    }
    let res = req.send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.text().await.unwrap())
}

#[apply(backends)]
async fn pages_promise_sign_in_csrf_a_strict_policy_and_kept_input(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("pages").await;
    let ws = w.ws.clone();
    let creator = h.login("creator@pages.example.org").await;
    let csrf = creator.csrf.clone().unwrap();

    // Without a session: to the sign-in page, and back afterwards.
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = anonymous.get(format!("{}/w/{ws}/calendar", h.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], format!("/login?next=/w/{ws}/calendar"));

    // A page: the policy forbids inline script and style, and framing.
    let (status, headers, body) = page(&creator, reqwest::Method::GET, &format!("/w/{ws}/calendar"), None, false).await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!body.contains("<script>") && !body.contains(" style=\""), "no inline script or style");
    // htmx asks for the part it swaps, not the page.
    let (_, _, fragment) = page(&creator, reqwest::Method::GET, &format!("/w/{ws}/calendar?view=list"), None, true).await;
    assert!(
        fragment.trim_start().starts_with("<section id=\"calendar\"") && !fragment.contains("<html"),
        "{}",
        &fragment[..200.min(fragment.len())]
    );

    // A form without the session's token changes nothing.
    let (status, _, _) =
        page(&creator, reqwest::Method::POST, &format!("/w/{ws}/posts/new"), Some(&[("title", "Sneaky"), ("text", "x")]), false).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let posts = creator.get(&format!("/workspaces/{ws}/posts")).await;
    assert_eq!(posts.body["items"].as_array().map(Vec::len), Some(0));

    // A refused form comes back with the error beside its field and everything typed.
    let typed = [("csrf", csrf.as_str()), ("title", ""), ("text", "Keep <me> & my words"), ("brief", "A brief to keep")];
    let (status, _, body) = page(&creator, reqwest::Method::POST, &format!("/w/{ws}/posts/new"), Some(&typed), false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains(r#"aria-invalid="true" aria-describedby="err-title""#) && body.contains(r#"<p class="field-error" id="err-title">"#),
        "the error sits by the title"
    );
    assert!(body.contains("Keep &#60;me&#62; &#38; my words") && body.contains("A brief to keep"), "what was typed is kept, escaped");

    // Accepted: the post exists, and its title is escaped wherever it shows.
    let good = [("csrf", csrf.as_str()), ("title", "<script>alert(1)</script>"), ("text", "Hello"), ("channel_ids", w.channel.as_str())];
    let (status, _, body) = page(&creator, reqwest::Method::POST, &format!("/w/{ws}/posts/new"), Some(&good), false).await;
    assert_eq!(status, StatusCode::OK, "followed to the post's page");
    assert!(body.contains("&#60;script&#62;alert(1)&#60;/script&#62;") && !body.contains("<script>alert(1)"));

    // A mistyped id is the not-found page, not an error.
    let (status, _, body) = page(&creator, reqwest::Method::GET, &format!("/w/{ws}/posts/not-an-id"), None, false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Not found"));
    // Another workspace's page is not found either.
    let other = h.world("elsewhere").await;
    let (status, _, _) = page(&creator, reqwest::Method::GET, &format!("/w/{}/calendar", other.ws), None, false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
