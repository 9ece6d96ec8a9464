//! A share link's pages: the overview, a password, a post with its previews and external comments, and the visitor's decision or comment.

use super::*;

pub(super) const PROOF_COOKIE: &str = "gl_share_proof";

#[derive(Template)]
#[template(path = "visit/password.html")]
pub(super) struct PasswordPage {
    pub(super) action: String,
    pub(super) wrong: bool,
}

/// What every visitor request starts with: the address (refused when it
/// has failed too often) and the pass it brings.
pub(super) struct Visit {
    pub(super) ip: IpAddr,
    pub(super) token: String,
    pub(super) proof: Option<String>,
}

impl Visit {
    /// Refused (too many requests) if the address has failed too often.
    pub(super) async fn new(state: &AppState, addr: IpAddr, token: String, jar: &CookieJar) -> Result<Self, Response> {
        match limiter::blocked(state, addr).await {
            Ok(false) => {}
            Ok(true) => return Err(too_many()),
            Err(err) => return Err(internal(&err)),
        }
        let proof = jar.get(PROOF_COOKIE).map(|c| c.value().to_owned());
        Ok(Visit { ip: addr, token, proof })
    }

    pub(super) fn pass(&self) -> Pass<'_> {
        Pass { token: &self.token, proof: self.proof.as_deref() }
    }

    pub(super) fn base(&self) -> String {
        format!("{}{}", greenlight_service::invites::VISIT_PATH, self.token)
    }

    /// The answer to an error that ends the request — a failed token, a
    /// password to give, an internal error; `None` for errors the page
    /// shows itself (a refused decision, a bad comment).
    pub(super) async fn refused(&self, state: &AppState, err: &Error) -> Option<Response> {
        match err {
            Error::NotFound("link") => {
                limiter::failed(state, self.ip).await;
                Some(invalid())
            }
            Error::Unauthenticated => {
                Some(page(StatusCode::UNAUTHORIZED, PasswordPage { action: format!("{}/unlock", self.base()), wrong: false }))
            }
            Error::Internal(_) => Some(internal(err)),
            _ => None,
        }
    }

    pub(super) async fn fail(&self, state: &AppState, err: Error) -> Response {
        self.refused(state, &err).await.unwrap_or_else(|| internal(&err))
    }
}

#[derive(Template)]
#[template(path = "visit/overview.html")]
pub(super) struct OverviewPage {
    pub(super) greeting: String,
    pub(super) capability: String,
    pub(super) expires: String,
    pub(super) posts: Vec<PostItem>,
}

pub(super) struct PostItem {
    pub(super) href: String,
    pub(super) title: String,
    pub(super) when: String,
    pub(super) status: String,
}

pub(super) fn when(post: &Post) -> String {
    match &post.planned {
        Some(p) => {
            let zoned = p.at.to_zoned(p.zone.time_zone());
            format!("{} {}", greenlight_i18n::date(zoned.datetime(), greenlight_i18n::DateStyle::DateTime), zoned.strftime("%Z"))
        }
        None => crate::t("visit-no-date"),
    }
}

/// Where the post stands, in a client's words: no stage names or states
/// meant for the team.
pub(super) fn status(post: &Post) -> String {
    use greenlight_domain::post::PostState;
    crate::t(match post.state {
        PostState::Draft => "visit-status-draft",
        PostState::InReview => "visit-status-in-review",
        PostState::ChangesRequested => "visit-status-changing",
        PostState::Rejected => "visit-status-rejected",
        PostState::Approved => "visit-status-approved",
        PostState::Scheduled => "visit-status-scheduled",
        PostState::Publishing | PostState::Published => "visit-status-published",
        PostState::Failed => "visit-status-retrying",
    })
}

pub(super) fn capability_text(c: Capability) -> String {
    crate::t(match c {
        Capability::View => "visit-can-view",
        Capability::Comment => "visit-can-comment",
        Capability::Approve => "visit-can-approve",
    })
}

pub(super) async fn overview(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    jar: CookieJar,
) -> Response {
    let visit = match Visit::new(&state, addr, token, &jar).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let overview = match share_links::overview(&state.app, &visit.pass()).await {
        Ok(o) => o,
        Err(err) => return visit.fail(&state, err).await,
    };
    // One post: straight to it.
    if let [post] = overview.posts.as_slice() {
        return Redirect::to(&format!("{}/p/{}", visit.base(), post.id)).into_response();
    }
    let posts = overview
        .posts
        .iter()
        .map(|p| PostItem { href: format!("{}/p/{}", visit.base(), p.id), title: p.title.clone(), when: when(p), status: status(p) })
        .collect();
    let greeting = overview.link.reviewer_name.clone().unwrap_or_else(|| crate::t("visit-you"));
    let expires_at = overview.link.expires_at.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    let expires = format!("{} UTC", greenlight_i18n::date(expires_at, greenlight_i18n::DateStyle::DayShortMonthYearTime));
    page(StatusCode::OK, OverviewPage { greeting, capability: capability_text(overview.link.capability), expires, posts })
}

#[derive(Deserialize)]
pub(super) struct UnlockForm {
    pub(super) password: String,
}

pub(super) async fn unlock(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    jar: CookieJar,
    Form(form): Form<UnlockForm>,
) -> Response {
    let visit = match Visit::new(&state, addr, token, &jar).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let attempt = match limiter::attempt(&state, visit.ip).await {
        Ok(Some(attempt)) => attempt,
        Ok(None) => return too_many(),
        Err(err) => return internal(&err),
    };
    match share_links::unlock(&state.app, &visit.token, &form.password).await {
        Ok(Some(proof)) => {
            if let Err(err) = attempt.succeeded(&state.app).await {
                tracing::error!(error = %err, "giving back a link password's attempt");
            }
            let cookie = Cookie::build((PROOF_COOKIE, proof))
                .path(visit.base())
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(state.settings.secure_cookies);
            (jar.add(cookie), Redirect::to(&visit.base())).into_response()
        }
        Ok(None) => page(StatusCode::UNAUTHORIZED, PasswordPage { action: format!("{}/unlock", visit.base()), wrong: true }),
        Err(err) => internal(&err),
    }
}

#[derive(Template)]
#[template(path = "visit/post.html")]
pub(super) struct PostPage {
    pub(super) back: Option<String>,
    pub(super) title: String,
    pub(super) when: String,
    pub(super) status: String,
    pub(super) revision_hash: String,
    pub(super) base: String,
    pub(super) notice: Option<Notice>,
    pub(super) decision_note: Option<String>,
    pub(super) channels: Vec<ChannelView>,
    pub(super) can_decide: bool,
    pub(super) can_comment: bool,
    pub(super) name: String,
    /// What the visitor typed, kept when the page comes back with an error.
    pub(super) comment: String,
    pub(super) body: String,
    pub(super) threads: Vec<ThreadView>,
}

pub(super) struct Notice {
    pub(super) kind: &'static str,
    pub(super) text: String,
}

pub(super) struct ThreadView {
    pub(super) id: CommentId,
    pub(super) author: String,
    pub(super) when: String,
    pub(super) body: String,
    pub(super) resolved: bool,
    pub(super) replies: Vec<ThreadView>,
}

/// What the visitor sent, to show again with an error.
#[derive(Default)]
pub(super) struct Echo {
    pub(super) name: Option<String>,
    pub(super) comment: String,
    pub(super) body: String,
}

/// The post as each of its channels will show it (or its base content,
/// before channels are chosen); `media_base` serves its images.
pub(super) fn post_page(visit: &Visit, found: VisitorPost, notice: Option<Notice>, echo: Echo) -> PostPage {
    let base = format!("{}/p/{}", visit.base(), found.post.id);
    let channels = previews(&found.revision.content, &found.channels, Some(&base));
    // Times in the post's own zone, as its planned time is shown.
    let zone = found.post.planned.as_ref().map_or(jiff::tz::TimeZone::UTC, |p| p.zone.time_zone());
    let author = |c: &Comment| match (&c.author_name, c.author_id) {
        (Some(name), _) => crate::t1("visit-guest", "name", name),
        (None, Some(user)) => found.member_names.get(&user).cloned().unwrap_or_else(|| crate::t("visit-team-member")),
        (None, None) => crate::t("visit-someone"),
    };
    let view = |c: &Comment, replies| ThreadView {
        id: c.id,
        author: author(c),
        when: {
            let zoned = c.created_at.to_zoned(zone.clone());
            format!(
                "{} {}",
                greenlight_i18n::date(zoned.datetime(), greenlight_i18n::DateStyle::DayShortMonthYearTime),
                zoned.strftime("%Z")
            )
        },
        body: c.body.clone(),
        resolved: c.resolved_at.is_some(),
        replies,
    };
    let threads = found.threads.iter().map(|t| view(&t.comment, t.replies.iter().map(|r| view(r, Vec::new())).collect())).collect();
    let current = found.revision.content_hash;
    let review = found.review.as_ref();
    let can_decide = found.can(Capability::Approve) && review.is_some_and(|r| r.asks_me && r.status == ReviewStatus::Active);
    let decision_note = review.and_then(|r| r.my_decision).map(|(verdict, hash, _)| {
        crate::t(match (verdict == Verdict::Approve, hash == current) {
            (true, true) => "visit-note-approved-this",
            (false, true) => "visit-note-changes-this",
            (true, false) => "visit-note-approved-earlier",
            (false, false) => "visit-note-changes-earlier",
        })
    });
    let status_text = match review {
        Some(r) if r.status == ReviewStatus::Active && r.asks_me => crate::t("visit-status-waiting-you"),
        _ => status(&found.post),
    };
    PostPage {
        back: (!matches!(found.link.scope, greenlight_domain::share::Scope::Posts { ref post_ids } if post_ids.len() == 1))
            .then(|| visit.base()),
        title: found.post.title.clone(),
        when: when(&found.post),
        status: status_text,
        revision_hash: current.to_string(),
        base,
        notice,
        decision_note,
        channels,
        can_decide,
        can_comment: found.can(Capability::Comment),
        name: echo.name.unwrap_or_else(|| found.link.reviewer_name.clone().unwrap_or_default()),
        comment: echo.comment,
        body: echo.body,
        threads,
    }
}

#[derive(Deserialize)]
pub(super) struct Done {
    pub(super) done: Option<String>,
}

pub(super) async fn show_post(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((token, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    jar: CookieJar,
) -> Response {
    let visit = match Visit::new(&state, addr, token, &jar).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let Ok(id) = id.parse::<PostId>() else { return visit.fail(&state, share_links::INVALID).await };
    let notice = match done.done.as_deref() {
        Some("approve") => Some(Notice { kind: "ok", text: crate::t("visit-done-approve") }),
        Some("request_changes") => Some(Notice { kind: "ok", text: crate::t("visit-done-changes") }),
        Some("comment") => Some(Notice { kind: "ok", text: crate::t("visit-done-comment") }),
        _ => None,
    };
    render_post(&state, &visit, id, StatusCode::OK, notice, Echo::default()).await
}

pub(super) async fn render_post(
    state: &AppState,
    visit: &Visit,
    id: PostId,
    status: StatusCode,
    notice: Option<Notice>,
    echo: Echo,
) -> Response {
    match share_links::post(&state.app, &visit.pass(), id).await {
        Ok(found) => page(status, post_page(visit, found, notice, echo)),
        Err(err) => visit.fail(state, err).await,
    }
}

pub(super) async fn media(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((token, id, media)): Path<(String, String, String)>,
    jar: CookieJar,
) -> Response {
    let visit = match Visit::new(&state, addr, token, &jar).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let (Ok(id), Ok(media)) = (id.parse::<PostId>(), media.parse::<MediaId>()) else {
        return visit.fail(&state, share_links::INVALID).await;
    };
    match share_links::media(&state.app, &visit.pass(), id, media).await {
        Ok((mime, bytes)) => {
            let mut response = bytes.into_response();
            if let Ok(value) = HeaderValue::from_str(&mime) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        Err(err) => visit.fail(&state, err).await,
    }
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    pub(super) name: String,
    pub(super) verdict: String,
    pub(super) revision: String,
    #[serde(default)]
    pub(super) comment: String,
}

/// The text of an error the visitor can act on.
pub(super) fn problem_text(err: &Error) -> String {
    match err {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, crate::words::text(&f.message, f.words.as_ref())))
            .collect::<Vec<_>>()
            .join("; "),
        Error::Conflict(why) => crate::words::text(&why.english, why.words.as_ref()),
        Error::NotFound("open review") => crate::t("visit-not-waiting"),
        other => other.to_string(),
    }
}

pub(super) async fn decide(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((token, id)): Path<(String, String)>,
    jar: CookieJar,
    Form(form): Form<DecisionForm>,
) -> Response {
    let visit = match Visit::new(&state, addr, token, &jar).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let Ok(id) = id.parse::<PostId>() else { return visit.fail(&state, share_links::INVALID).await };
    let echo = Echo { name: Some(form.name.clone()), comment: form.comment.clone(), body: String::new() };
    let verdict = match form.verdict.as_str() {
        "approve" => Verdict::Approve,
        "request_changes" => Verdict::RequestChanges,
        _ => {
            let notice = Notice { kind: "error", text: crate::t("visit-choose-verdict") };
            return render_post(&state, &visit, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), echo).await;
        }
    };
    let Some(revision) = Hash::parse(&form.revision) else {
        let notice = Notice { kind: "error", text: crate::t("visit-page-incomplete") };
        return render_post(&state, &visit, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), echo).await;
    };
    let comment = Some(form.comment.trim().to_owned()).filter(|c| !c.is_empty());
    let decision = VisitorDecision { name: form.name.clone(), verdict, revision, comment };
    match share_links::decide(&state.app, &visit.pass(), id, decision).await {
        Ok(_) => Redirect::to(&format!("{}/p/{id}?done={}", visit.base(), form.verdict)).into_response(),
        Err(err) => {
            if let Some(refused) = visit.refused(&state, &err).await {
                return refused;
            }
            // Shown with the post as it is now: if it changed, the page
            // compares the revision the visitor saw with the current one.
            let stale = matches!(&err, Error::Conflict(_));
            let text = if stale { crate::t1("visit-stale", "problem", problem_text(&err)) } else { problem_text(&err) };
            let notice = Notice { kind: "error", text };
            render_post(&state, &visit, id, StatusCode::CONFLICT, Some(notice), echo).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CommentForm {
    pub(super) name: String,
    pub(super) body: String,
    #[serde(default)]
    pub(super) parent_id: Option<String>,
}

pub(super) async fn comment(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path((token, id)): Path<(String, String)>,
    jar: CookieJar,
    Form(form): Form<CommentForm>,
) -> Response {
    let visit = match Visit::new(&state, addr, token, &jar).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let Ok(id) = id.parse::<PostId>() else { return visit.fail(&state, share_links::INVALID).await };
    let echo = Echo { name: Some(form.name.clone()), comment: String::new(), body: form.body.clone() };
    let parent_id = match form.parent_id.as_deref().filter(|p| !p.is_empty()).map(str::parse::<CommentId>) {
        None => None,
        Some(Ok(parent)) => Some(parent),
        Some(Err(_)) => {
            let notice = Notice { kind: "error", text: crate::t("visit-no-such-comment") };
            return render_post(&state, &visit, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), echo).await;
        }
    };
    let input = VisitorComment { name: form.name.clone(), body: form.body.clone(), parent_id };
    match share_links::comment(&state.app, &visit.pass(), id, input).await {
        Ok(_) => Redirect::to(&format!("{}/p/{id}?done=comment", visit.base())).into_response(),
        Err(err) => {
            if let Some(refused) = visit.refused(&state, &err).await {
                return refused;
            }
            let notice = Notice { kind: "error", text: problem_text(&err) };
            render_post(&state, &visit, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), echo).await
        }
    }
}
