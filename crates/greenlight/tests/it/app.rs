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

/// The routing rules' form shows and keeps every kind of condition a rule
/// can have (one made through the API with a campaign and a channel keeps
/// them when the page saves); a rule that does not read comes back as typed
/// with its error beside it, changing nothing.
#[apply(backends)]
async fn routing_rules_keep_every_condition_and_what_was_typed(#[case] backend: Backend) {
    use serde_json::json;
    let h = Harness::start(backend).await;
    let w = h.world("routing").await;
    let ws = w.ws.clone();
    let manager = h.login("manager@routing.example.org").await;
    let csrf = manager.csrf.clone().unwrap();
    let wf = manager.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Legal", "template": "routine"})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    let wf = wf.body["id"].as_str().unwrap().to_owned();
    let campaign = manager.post(&format!("/workspaces/{ws}/campaigns"), json!({"name": "Recall", "colour": "#aa3300"})).await;
    let campaign = campaign.body["id"].as_str().unwrap().to_owned();
    let rules =
        json!([{"priority": 10, "workflow_id": wf, "when": {"campaigns": [campaign], "channels": [w.channel], "shares_link": true}}]);
    assert_eq!(manager.put(&format!("/workspaces/{ws}/routes"), rules).await.status, StatusCode::OK);

    let (status, _, body) = page(&manager, reqwest::Method::GET, &format!("/w/{ws}/workflows"), None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!("<option value=\"{campaign}\" selected>")), "the rule's campaign is shown chosen");
    assert!(body.contains(&format!("<option value=\"{}\" selected>", w.channel)), "and its channel");

    // Saved from the page as it is, plus a keyword: nothing of the rule is lost.
    let mut form = vec![
        ("csrf", csrf.clone()),
        ("routes[0].priority", "10".into()),
        ("routes[0].workflow_id", wf.clone()),
        ("routes[0].when.campaigns", campaign.clone()),
        ("routes[0].when.channels", w.channel.clone()),
        ("routes[0].when.shares_link", "yes".into()),
        ("routes[0].when.keywords", "recall, urgent".into()),
        ("routes[1].priority", String::new()),
        ("routes[1].workflow_id", String::new()),
    ];
    let sent: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = page(&manager, reqwest::Method::POST, &format!("/w/{ws}/workflows/routes"), Some(&sent), false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Routing rules saved."));
    let saved = manager.get(&format!("/workspaces/{ws}/routes")).await.body;
    assert_eq!(saved.as_array().map(Vec::len), Some(1), "{saved}");
    assert_eq!(
        saved[0]["when"],
        json!({"campaigns": [campaign], "channels": [w.channel], "keywords": ["recall", "urgent"], "shares_link": true})
    );

    // A priority that is not a number: refused beside it, the typed keywords kept, nothing changed.
    form[1].1 = "soon".into();
    form[6].1 = "recall, urgent, <b>".into();
    let sent: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = page(&manager, reqwest::Method::POST, &format!("/w/{ws}/workflows/routes"), Some(&sent), false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("id=\"err-routes[0].priority\">a whole number"), "the error beside the priority");
    assert!(body.contains("value=\"soon\"") && body.contains("recall, urgent, &#60;b&#62;"), "what was typed, escaped");
    assert_eq!(manager.get(&format!("/workspaces/{ws}/routes")).await.body, saved, "a refused save changes nothing");

    // Without the session's token: refused.
    let sneaky = [("routes[0].priority", "1"), ("routes[0].workflow_id", wf.as_str())];
    let (status, _, _) = page(&manager, reqwest::Method::POST, &format!("/w/{ws}/workflows/routes"), Some(&sneaky), false).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Login CSRF: a sign-in form posted from another site signs nobody in;
/// the same form from Greenlight's own page does.
#[apply(backends)]
async fn the_sign_in_form_refuses_a_post_from_another_site(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    h.user("mallory@example.org", false).await;
    let form = [("email", "mallory@example.org"), ("password", PASSWORD), ("next", "/")];
    let host = h.base.trim_start_matches("http://").to_owned();
    let attempts = [
        vec![("sec-fetch-site", "cross-site".to_owned()), ("origin", "https://evil.example".to_owned())],
        vec![("sec-fetch-site", "same-site".to_owned())],
        vec![("origin", "https://evil.example".to_owned())],
        vec![("origin", "null".to_owned())],
    ];
    let sign_in = |headers: Vec<(&'static str, String)>| {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let req = headers.iter().fold(client.post(format!("{}/login", h.base)).form(&form), |req, (name, value)| req.header(*name, value));
        async move { (req.send().await.unwrap(), headers) }
    };
    for headers in attempts {
        let (r, headers) = sign_in(headers).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(r.headers().get(header::SET_COOKIE).is_none(), "no session for {headers:?}");
    }
    for headers in [vec![("sec-fetch-site", "same-origin".to_owned())], vec![("origin", format!("http://{host}"))], vec![]] {
        let (r, headers) = sign_in(headers).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{headers:?}");
        assert!(r.headers().get(header::SET_COOKIE).is_some(), "signed in with {headers:?}");
    }
}

/// A PNG of noise (which does not compress) of about `bytes` bytes.
pub fn noise_png(bytes: usize) -> Vec<u8> {
    let side = ((bytes / 3) as f64).sqrt() as u32;
    let mut seed = 0x2545_f491_u32;
    let pixels = image::RgbImage::from_fn(side, side, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [r, g, b, _] = seed.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut png = Vec::new();
    pixels.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    png
}

/// The composer's upload takes what the API's does (`media.max_upload_mib`),
/// not the smaller limit of a JSON or form body.
#[apply(backends)]
async fn the_composer_uploads_a_file_larger_than_a_form_body(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("studio").await;
    let creator = h.login("creator@studio.example.org").await;
    let png = noise_png(150 * 1024);
    assert!(png.len() > 100 * 1024, "over the 64 KiB body limit: {}", png.len());
    let form = reqwest::multipart::Form::new()
        .text("csrf", creator.csrf.clone().unwrap())
        .part("file", reqwest::multipart::Part::bytes(png).file_name("noise.png"));
    let r = creator.http.post(format!("{}/w/{}/media/upload", h.base, w.ws)).multipart(form).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let library = creator.get(&format!("/workspaces/{}/media", w.ws)).await;
    assert_eq!(library.body["items"].as_array().map(Vec::len), Some(1), "{}", library.body);
}

/// A busy day in the month shows its first posts and "n more", which opens
/// its week, where every post is. Each card has its channels and first
/// words, also where posts planned for other months were written between
/// the day's (a month's posts need not have been written together).
#[apply(backends)]
async fn a_busy_day_in_the_month_shows_its_first_posts_and_how_many_more(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("busy").await;
    let creator = h.login("creator@busy.example.org").await;
    // Created last hour first, with a post for March between each two.
    for hour in (8..14).rev() {
        let planned = format!("2027-01-14T{hour:02}:00[Europe/Copenhagen]");
        let post = serde_json::json!({
            "title": format!("Busy {hour}"), "planned_at": planned, "channel_ids": [w.channel],
            "content": {"text": format!("Words of hour {hour}")},
        });
        let r = creator.post(&format!("/workspaces/{}/posts", w.ws), post).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let elsewhere = serde_json::json!({"title": format!("March {hour}"), "planned_at": "2027-03-03T09:00[Europe/Copenhagen]"});
        let r = creator.post(&format!("/workspaces/{}/posts", w.ws), elsewhere).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let (status, _, month) =
        page(&creator, reqwest::Method::GET, &format!("/w/{}/calendar?view=month&date=2027-01-14", w.ws), None, false).await;
    assert_eq!(status, StatusCode::OK);
    let shown: Vec<u32> = (8..14).filter(|hour| month.contains(&format!("Busy {hour}<"))).collect();
    assert_eq!(shown, [8, 9, 10, 11], "the day's first four, in time order");
    let worded: Vec<u32> = (8..14).filter(|hour| month.contains(&format!("Words of hour {hour}<"))).collect();
    assert_eq!(worded, [8, 9, 10, 11], "the shown cards' first words: {month}");
    assert_eq!(month.matches("<abbr class=\"badge").count(), 4, "each shown card's one channel: {month}");
    assert!(!month.contains("March "), "March's posts are not January's");
    let week = format!("/w/{}/calendar?view=week&#38;date=2027-01-14", w.ws);
    assert!(month.contains(&format!("href=\"{week}\"")) && month.contains(">2 more</a>"), "{month}");
    let (_, _, page_of_week) = page(&creator, reqwest::Method::GET, &week.replace("&#38;", "&"), None, false).await;
    assert!((8..14).all(|hour| page_of_week.contains(&format!("Busy {hour}<"))), "the week shows them all");
    assert!((8..14).all(|hour| page_of_week.contains(&format!("Words of hour {hour}<"))), "{page_of_week}");
    assert_eq!(page_of_week.matches("<abbr class=\"badge").count(), 6, "{page_of_week}");
}

/// The language a page is written in: the browser's when the user chose
/// none (a visitor's sign-in page, a client's link), the user's own once
/// they choose (kept by the API as by the page), English otherwise; a
/// language Greenlight does not speak is refused and changes nothing.
#[apply(backends)]
async fn pages_speak_the_browser_s_language_until_the_user_chooses_theirs(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    let w = h.world("sprog").await;
    let anonymous = reqwest::Client::new();
    let login = |lang: &'static str| anonymous.get(format!("{}/login", h.base)).header(header::ACCEPT_LANGUAGE, lang).send();
    let da = login("da-DK,da;q=0.9,en;q=0.8").await.unwrap().text().await.unwrap();
    assert!(da.contains("<html lang=\"da\">") && da.contains("Log ind"), "{da}");
    let de = login("de-DE,de;q=0.9").await.unwrap().text().await.unwrap();
    assert!(de.contains("<html lang=\"en\">") && de.contains("Sign in"), "a language we do not speak falls back to English");

    let creator = h.login("creator@sprog.example.org").await;
    // A client's link speaks their browser's language.
    let post = creator
        .post(
            &format!("/workspaces/{}/posts", w.ws),
            serde_json::json!({"title": "Influenza", "channel_ids": [w.channel], "content": {"text": "Gratis vaccine."}}),
        )
        .await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let expires = (h.app.now() + jiff::SignedDuration::from_hours(48)).to_string();
    let scope = serde_json::json!({"kind": "posts", "post_ids": [post.body["post"]["id"]]});
    let link = creator
        .post(
            &format!("/workspaces/{}/share-links", w.ws),
            serde_json::json!({"scope": scope, "capability": "comment", "expires_at": expires}),
        )
        .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
    let visit = format!("{}{}", h.base, link.body["path"].as_str().unwrap());
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let shared = client.get(&visit).header(header::ACCEPT_LANGUAGE, "da").send().await.unwrap().text().await.unwrap();
    assert!(shared.contains("<html lang=\"da\">") && shared.contains("Influenza"), "{shared}");
    let english = client.get(&visit).header(header::ACCEPT_LANGUAGE, "en").send().await.unwrap().text().await.unwrap();
    assert!(english.contains("<html lang=\"en\">"), "{english}");
    assert!(shared.contains("<span class=\"muted\">godkendelse</span>"), "the client's page in Danish: {shared}");
    assert!(english.contains("<span class=\"muted\">review</span>"), "{english}");
    let calendar = format!("/w/{}/calendar", w.ws);
    let (_, _, before) = page(&creator, reqwest::Method::GET, &calendar, None, false).await;
    assert!(before.contains("<html lang=\"en\">"), "reqwest asks for no language");
    let refused = creator.put("/session/language", serde_json::json!({"language": "klingon"})).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let chose = creator.put("/session/language", serde_json::json!({"language": "da"})).await;
    assert_eq!(chose.status, StatusCode::NO_CONTENT, "{}", chose.body);
    assert_eq!(creator.get("/session").await.body["user"]["language"], "da");
    let (_, _, after) = page(&creator, reqwest::Method::GET, &calendar, None, false).await;
    assert!(after.contains("<html lang=\"da\">") && after.contains(">Kalender<"), "the cookie set with the choice");
    // Signing in anywhere else brings the choice along.
    let elsewhere = h.login("creator@sprog.example.org").await;
    let (_, _, there) = page(&elsewhere, reqwest::Method::GET, &calendar, None, false).await;
    assert!(there.contains("<html lang=\"da\">"), "signing in sets the user's language");
    // Back to following the browser.
    let cleared = elsewhere.put("/session/language", serde_json::json!({"language": null})).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT, "{}", cleared.body);
    let (_, _, followed) = page(&elsewhere, reqwest::Method::GET, &calendar, None, false).await;
    assert!(followed.contains("<html lang=\"en\">"), "no choice follows the browser again");
}

/// My reviews shows fifty at a time, soonest due first, with links to the
/// rest; a link past the end (the list shrank) shows the last page; a
/// card's one form approves.
#[apply(backends)]
async fn my_reviews_come_fifty_to_a_page_with_the_rest_a_link_away(#[case] backend: Backend) {
    use serde_json::json;
    let h = Harness::start(backend).await;
    let w = h.world("clinic").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@clinic.example.org").await;
    let creator = h.login("creator@clinic.example.org").await;
    let reviewer = h.login("reviewer@clinic.example.org").await;
    let wf =
        owner.post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Routine", "template": "routine", "is_default": true})).await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    for i in 0..53 {
        let post = creator
            .post(&format!("/workspaces/{ws}/posts"), json!({"title": format!("Tip {i:02}"), "content": {"text": "Wash hands"}}))
            .await;
        let id = post.body["post"]["id"].as_str().unwrap().to_owned();
        let r = creator.post(&format!("/workspaces/{ws}/posts/{id}/review"), json!(null)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let titles = |html: &str| -> Vec<String> {
        (0..53).map(|i| format!("Tip {i:02}")).filter(|t| html.contains(&format!(">{t}</a></h2>"))).collect()
    };
    let (status, _, first) = page(&reviewer, reqwest::Method::GET, "/my/reviews", None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first.matches("<li class=\"card review-card\"").count(), 50, "{first}");
    assert!(first.contains("53 waiting") && first.contains("1–50 shown of 53"), "{first}");
    assert!(first.contains("href=\"/my/reviews?from=50\" rel=\"next\"") && !first.contains("rel=\"prev\""), "{first}");
    let (_, _, second) = page(&reviewer, reqwest::Method::GET, "/my/reviews?from=50", None, false).await;
    assert_eq!(second.matches("<li class=\"card review-card\"").count(), 3);
    assert!(second.contains("51–53 shown of 53") && second.contains("href=\"/my/reviews?from=0\" rel=\"prev\""), "{second}");
    let mut all = titles(&first);
    all.extend(titles(&second));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 53, "every review on one page or the other, none on both");
    let (_, _, past) = page(&reviewer, reqwest::Method::GET, "/my/reviews?from=5000", None, false).await;
    assert_eq!(titles(&past), titles(&second), "past the end: the last page");
    let (status, _, none) = page(&creator, reqwest::Method::GET, &format!("/my/reviews?from={}", usize::MAX), None, false).await;
    assert!(status == StatusCode::OK && none.contains("Nothing waits for you."), "{status}: {none}");
    let (status, _, _) = page(&reviewer, reqwest::Method::GET, "/my/reviews?from=first", None, false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A card has one form, for approving and for asking for changes.
    let card = &second[second.find("<li class=\"card review-card\"").unwrap()..];
    let card = &card[..card.find("</li>").unwrap()];
    let attr = |name: &str| {
        let at = card.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
        card[at..at + card[at..].find('"').unwrap()].replace("&#38;", "&")
    };
    let action = {
        let at = card.find("action=\"").unwrap() + 8;
        card[at..at + card[at..].find('"').unwrap()].to_owned()
    };
    assert_eq!(card.matches("<form").count(), 1, "one form per card");
    let (csrf, revision) = (attr("csrf"), attr("revision"));
    let form = [("csrf", csrf.as_str()), ("revision", revision.as_str()), ("back", "list"), ("verdict", "approve"), ("comment", "")];
    // The client follows the redirect back to the list.
    let (status, _, after) = page(&reviewer, reqwest::Method::POST, &action, Some(&form), false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(after.contains("You approved “Tip"), "{after}");
    assert!(after.contains("52 waiting"), "{after}");
}
