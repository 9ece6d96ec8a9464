//! One-click decisions from email: the page a link opens (which changes nothing) and its confirmation.

use super::*;

#[derive(Template)]
#[template(path = "visit/decide.html")]
pub(super) struct DecidePage {
    pub(super) title: String,
    pub(super) revision_number: i64,
    pub(super) notice: Option<Notice>,
    pub(super) channels: Vec<ChannelView>,
    pub(super) can_decide: bool,
    pub(super) may_approve: bool,
    pub(super) action: String,
    pub(super) verdict: String,
    pub(super) comment: String,
}

#[derive(Deserialize)]
pub(super) struct VerdictQuery {
    pub(super) verdict: Option<String>,
}

/// The page an email's decision link opens: the post as it is now and, if
/// the link still decides, a form to confirm. Opening it changes nothing
/// (mail scanners open links too); confirming does.
pub(super) async fn one_click(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    Query(q): Query<VerdictQuery>,
) -> Response {
    match limiter::blocked(&state, addr).await {
        Ok(false) => {}
        Ok(true) => return too_many(),
        Err(err) => return internal(&err),
    }
    let verdict = q.verdict.unwrap_or_default();
    one_click_page(&state, addr, &token, StatusCode::OK, None, verdict, String::new()).await
}

pub(super) async fn one_click_page(
    state: &AppState,
    addr: IpAddr,
    token: &str,
    status: StatusCode,
    notice: Option<Notice>,
    verdict: String,
    comment: String,
) -> Response {
    let found = match greenlight_service::decision_links::open_decision_link(&state.app, token).await {
        Ok(found) => found,
        Err(Error::NotFound("link")) => {
            limiter::failed(state, addr).await;
            return invalid();
        }
        Err(err) => return internal(&err),
    };
    let notice = notice.or_else(|| {
        if found.used {
            Some(Notice { kind: "info", text: crate::t("visit-link-used") })
        } else if found.changed() {
            Some(Notice { kind: "info", text: crate::t("visit-post-changed") })
        } else if !found.current {
            Some(Notice { kind: "info", text: crate::t("visit-no-longer-waits") })
        } else {
            None
        }
    });
    let view = DecidePage {
        title: found.post.title.clone(),
        revision_number: found.revision.number,
        notice,
        channels: previews(&found.revision.content, &found.channels, None),
        can_decide: !found.used && !found.changed() && found.current,
        may_approve: found.may_approve,
        action: format!("{}{token}", greenlight_service::email::DECIDE_PATH),
        verdict,
        comment,
    };
    page(status, view)
}

#[derive(Deserialize)]
pub(super) struct OneClickForm {
    #[serde(default)]
    pub(super) verdict: String,
    #[serde(default)]
    pub(super) comment: String,
}

pub(super) async fn one_click_decide(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    Form(form): Form<OneClickForm>,
) -> Response {
    match limiter::blocked(&state, addr).await {
        Ok(false) => {}
        Ok(true) => return too_many(),
        Err(err) => return internal(&err),
    }
    let verdict = match form.verdict.as_str() {
        "approve" => Verdict::Approve,
        "request_changes" => Verdict::RequestChanges,
        _ => {
            let notice = Notice { kind: "error", text: crate::t("visit-choose-verdict") };
            return one_click_page(&state, addr, &token, StatusCode::UNPROCESSABLE_ENTITY, Some(notice), form.verdict, form.comment).await;
        }
    };
    let comment = Some(form.comment.trim().to_owned()).filter(|c| !c.is_empty());
    match greenlight_service::decision_links::use_decision_link(&state.app, &token, verdict, comment).await {
        Ok(_) => {
            let key = if verdict == Verdict::Approve { "visit-done-approve" } else { "visit-done-changes" };
            let notice = Notice { kind: "ok", text: crate::t(key) };
            one_click_page(&state, addr, &token, StatusCode::OK, Some(notice), String::new(), String::new()).await
        }
        Err(Error::NotFound("link")) => {
            limiter::failed(&state, addr).await;
            invalid()
        }
        Err(err @ Error::Internal(_)) => internal(&err),
        Err(err) => {
            let notice = Notice { kind: "error", text: problem_text(&err) };
            one_click_page(&state, addr, &token, StatusCode::CONFLICT, Some(notice), form.verdict, form.comment).await
        }
    }
}
