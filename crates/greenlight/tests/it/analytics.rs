//! Workflow analytics on a constructed history with the injected clock:
//! every measure checked to the minute, in calendar time and in business
//! hours, on both databases; the facts rebuilt from the audit log agree
//! with those kept as events happened.

use jiff::{Timestamp, tz::TimeZone};
use reqwest::StatusCode;
use rstest_reuse::apply;
use serde_json::{Value, json};

use crate::{backends, harness::*};

/// Moves the clock to a local time in Copenhagen (the world's zone) and
/// runs the jobs due by then.
async fn at(h: &Harness, local: &str) {
    let dt: jiff::civil::DateTime = local.parse().unwrap();
    let target: Timestamp = dt.to_zoned(TimeZone::get("Europe/Copenhagen").unwrap()).unwrap().timestamp();
    h.clock.advance(target.duration_since(h.app.now()));
    h.worker().drain().await.unwrap();
}

struct Post {
    path: String,
    id: String,
}

async fn create(c: &Client, ws: &str, title: &str, channel: &str, planned: Option<&str>) -> Post {
    let mut body = json!({"title": title, "content": {"text": format!("{title}: the first words")}, "channel_ids": [channel]});
    if let Some(planned) = planned {
        body["planned_at"] = json!(format!("{planned}:00[Europe/Copenhagen]"));
    }
    let r = c.post(&format!("/workspaces/{ws}/posts"), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["post"]["id"].as_str().unwrap().to_owned();
    Post { path: format!("/workspaces/{ws}/posts/{id}"), id }
}

async fn submit(c: &Client, p: &Post) {
    let r = c.post(&format!("{}/review", p.path), json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn decide(c: &Client, p: &Post, decision: Value) -> Reply {
    let revision = c.get(&format!("{}/review", p.path)).await.body["current_revision"].clone();
    let mut decision = decision;
    decision["revision"] = revision;
    c.post(&format!("{}/review/decisions", p.path), decision).await
}

async fn decided(c: &Client, p: &Post, decision: Value) {
    let r = decide(c, p, decision).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn approve() -> Value {
    json!({"verdict": "approve"})
}

async fn member_id(w: &World, role: &str) -> String {
    let members = w.admin.get(&format!("/workspaces/{}/members", w.ws)).await;
    members.body.as_array().unwrap().iter().find(|m| m["role"] == role).unwrap()["user_id"].as_str().unwrap().to_owned()
}

#[apply(backends)]
async fn where_approval_time_goes_is_measured_to_the_minute(#[case] backend: Backend) {
    let h = Harness::start(backend).await;
    at(&h, "2030-01-07T07:00").await;
    let w = h.world("measured").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@measured.example.org").await;
    let manager = h.login("manager@measured.example.org").await;
    let creator = h.login("creator@measured.example.org").await;
    let reviewer = h.login("reviewer@measured.example.org").await;
    let definition = json!({"stages": [
        {"key": "copy", "name": "Copy review", "lanes": [{"key": "copy", "name": "Copy", "approvers": [{"role": "reviewer"}]}]},
        {"key": "legal", "name": "Legal", "due": {"after_minutes": 1440},
         "lanes": [{"key": "legal", "name": "Legal", "approvers": [{"role": "manager"}]}]}
    ]});
    let wf = owner
        .post(&format!("/workspaces/{ws}/workflows"), json!({"name": "Two stages", "is_default": true, "definition": definition}))
        .await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);

    // Preset reasons; a creator may read them but not change them.
    let settings =
        json!({"business_hours": {"days": [1, 2, 3, 4, 5], "start": "09:00", "end": "17:00"}, "reasons": ["Tone", "Legal claim"]});
    assert_eq!(creator.put(&format!("/workspaces/{ws}/workflow-settings"), settings.clone()).await.status, StatusCode::FORBIDDEN);
    let bad = owner
        .put(
            &format!("/workspaces/{ws}/workflow-settings"),
            json!({"business_hours": {"days": [], "start": "17:00", "end": "09:00"}, "reasons": ["Tone", "tone"]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["business_hours.days", "business_hours.end", "reasons.1"], "{}", bad.body);
    let r = owner.put(&format!("/workspaces/{ws}/workflow-settings"), settings).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(creator.get(&format!("/workspaces/{ws}/workflow-settings")).await.body["reasons"], json!(["Tone", "Legal claim"]));

    // Week one. A: created Monday 08:00, submitted at 09:00, past copy at
    // 11:00; legal asks for changes on Friday at 16:00, for a legal claim.
    at(&h, "2030-01-07T08:00").await;
    let a = create(&creator, &ws, "Annual report", &w.channel, Some("2030-01-15T09:00")).await;
    at(&h, "2030-01-07T09:00").await;
    submit(&creator, &a).await;
    // The reviewer opens it at 10:00 and again at 10:30: the first counts;
    // the manager, not asked at copy, opening it is not counted.
    at(&h, "2030-01-07T10:00").await;
    let review_page = format!("{}/w/{ws}/posts/{}/review", h.base, a.id);
    assert_eq!(reviewer.http.get(&review_page).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(manager.http.get(&review_page).send().await.unwrap().status(), StatusCode::OK);
    at(&h, "2030-01-07T10:30").await;
    assert_eq!(reviewer.http.get(&review_page).send().await.unwrap().status(), StatusCode::OK);
    let history = owner.get(&format!("{}/history", a.path)).await;
    let seen = history.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "review.seen").count();
    assert_eq!(seen, 1, "{}", history.body);
    at(&h, "2030-01-07T11:00").await;
    decided(&reviewer, &a, approve()).await;
    at(&h, "2030-01-11T16:00").await;
    // A reason must be one of the presets, and never comes with an approval.
    let r = decide(&manager, &a, json!({"verdict": "request_changes", "comment": "Source?", "reason": "Spelling"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("Tone, Legal claim"), "{}", r.body);
    let r = decide(&manager, &a, json!({"verdict": "approve", "reason": "Tone"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    decided(&manager, &a, json!({"verdict": "request_changes", "comment": "Source for the 40 %?", "reason": "legal claim"})).await;
    // B: created Saturday 09:00, submitted at 10:00; planned for Sunday noon.
    at(&h, "2030-01-12T09:00").await;
    let b = create(&creator, &ws, "Weekend offer", &w.channel, Some("2030-01-13T12:00")).await;
    at(&h, "2030-01-12T10:00").await;
    submit(&creator, &b).await;

    // Week two. B passes copy at 09:30 (the planned time passed on Sunday:
    // held) and legal at 10:15; A is fixed and resubmitted at 10:00, passes
    // copy at 10:30 and legal at 12:30.
    at(&h, "2030-01-14T09:30").await;
    decided(&reviewer, &b, approve()).await;
    at(&h, "2030-01-14T10:00").await;
    let version = creator.get(&a.path).await.body["version"].as_i64().unwrap();
    let saved = creator
        .request(reqwest::Method::POST, &format!("{}/revisions", a.path))
        .header("if-match", format!("\"{version}\""))
        .json(&json!({"content": {"text": "Annual report: 40 % more visits (source: the annual survey)"}}));
    assert_eq!(Client::send(saved).await.status, StatusCode::CREATED);
    submit(&creator, &a).await;
    at(&h, "2030-01-14T10:15").await;
    decided(&manager, &b, approve()).await;
    at(&h, "2030-01-14T10:30").await;
    decided(&reviewer, &a, approve()).await;
    // C waits at copy from 11:00; D is rejected at copy for its tone.
    at(&h, "2030-01-14T11:00").await;
    let c = create(&creator, &ws, "Carols", &w.channel, None).await;
    submit(&creator, &c).await;
    at(&h, "2030-01-14T12:30").await;
    decided(&manager, &a, approve()).await;
    at(&h, "2030-01-14T13:00").await;
    let d = create(&creator, &ws, "Discount", &w.channel, None).await;
    submit(&creator, &d).await;
    at(&h, "2030-01-14T14:00").await;
    decided(&reviewer, &d, json!({"verdict": "reject", "comment": "Too pushy", "reason": "Tone"})).await;
    at(&h, "2030-01-14T15:00").await;

    let report_path = format!("/workspaces/{ws}/analytics/workflow?from=2030-01-07&to=2030-01-20");
    assert_eq!(creator.get(&report_path).await.status, StatusCode::FORBIDDEN, "creators do not see analytics");
    let r = manager.get(&report_path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = &r.body;
    assert_eq!((m["reviews_completed"].as_u64(), m["approved"].as_u64(), m["rejected"].as_u64()), (Some(3), Some(2), Some(1)), "{m}");
    // Only B passed the first time; A took two rounds.
    assert_eq!(m["first_pass_rate"].as_f64().map(|r| (r * 3.0).round()), Some(1.0), "{m}");
    assert_eq!(m["revision_rounds_mean"].as_f64().map(|r| (r * 3.0).round()), Some(4.0), "{m}");
    // A: Monday 09:00 to the next Monday 12:30 (10,290 minutes; 40 h + 3.5 h
    // of business); B: Saturday 10:00 to Monday 10:15 (2,895; 75).
    assert_eq!(
        m["cycle_time"],
        json!({"median_minutes": 2895, "p90_minutes": 10290, "business": {"median_minutes": 75, "p90_minutes": 2610}})
    );
    assert_eq!(
        m["brief_to_approved"],
        json!({"median_minutes": 2955, "p90_minutes": 10350, "business": {"median_minutes": 75, "p90_minutes": 2610}})
    );
    let stages: Vec<Value> = m["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            json!([
                s["key"],
                s["name"],
                s["reviews"],
                s["median_minutes"],
                s["p90_minutes"],
                s["business"],
                s["total_business_minutes"],
                s["overdue"]
            ])
        })
        .collect();
    assert_eq!(
        stages,
        [
            // A 120 and 30, B 2,850 over the weekend (30 in business hours), D 60.
            json!(["copy", "Copy review", 4, 60, 2850, {"median_minutes": 30, "p90_minutes": 120}, 240, 0]),
            // A 6,060 (37 business hours) then 120, B 45; A's first round passed its day.
            json!(["legal", "Legal", 3, 120, 6060, {"median_minutes": 120, "p90_minutes": 2220}, 2385, 1]),
        ],
        "{m}"
    );
    assert_eq!(m["bottleneck_stage"], "legal");
    let manager_id = member_id(&w, "manager").await;
    let approvers: Vec<Value> = m["approvers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!([a["user_id"], a["decisions"], a["median_minutes"], a["total_business_minutes"]]))
        .collect();
    assert_eq!(approvers, [json!([manager_id, 3, 120, 2385]), json!([member_id(&w, "reviewer").await, 4, 60, 240])], "{m}");
    assert_eq!(m["bottleneck_approver"], m["approvers"][0]["name"]);
    assert_eq!(
        m["reasons"],
        json!([{"reason": "Legal claim", "count": 1, "changes_requested": 1, "rejections": 0}, {"reason": "Tone", "count": 1, "changes_requested": 0, "rejections": 1}])
    );
    assert_eq!(m["sla"], json!({"stages_overdue": 1, "reminders": 0, "escalations": 0, "planned_time_passed": 1, "held": 1, "expired": 0}));
    let control: Vec<Value> =
        m["control"].as_array().unwrap().iter().map(|c| json!([c["post_id"], c["minutes"], c["rolling_median_minutes"]])).collect();
    assert_eq!(control, [json!([b.id, 2895, 2895]), json!([a.id, 10290, 2895])]);
    // C has waited four hours at copy, for the reviewer.
    let open = m["open"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{m}");
    assert_eq!(
        json!([
            open[0]["post_id"],
            open[0]["stage"],
            open[0]["waiting_for"].as_array().unwrap().len(),
            open[0]["age_minutes"],
            open[0]["business_age_minutes"]
        ]),
        json!([c.id, "Copy review", 1, 240, 240])
    );
    // The plan: B (Sunday) approved late in week one, A on time in week two.
    let cadence: Vec<Value> = m["cadence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!([c["week"], c["planned"], c["approved_on_time"], c["approved_late"]]))
        .collect();
    assert_eq!(cadence, [json!(["2030-01-07", 1, 0, 1]), json!(["2030-01-14", 1, 1, 0])]);

    // Filters: the legal stage alone; one approver; a period before any of it.
    let legal = manager.get(&format!("{report_path}&stage=legal")).await;
    assert_eq!(legal.body["reviews_completed"], 2, "D never reached legal: {}", legal.body);
    assert_eq!(legal.body["stages"].as_array().unwrap().len(), 1);
    // The work waiting is narrowed as the measures are: no post is on this channel.
    let other = w
        .admin
        .post(
            &format!("/workspaces/{ws}/channels"),
            json!({"network": "bluesky", "handle": "elsewhere.bsky.social", "display_name": "Elsewhere"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    let elsewhere = manager.get(&format!("{report_path}&channel={}", other.body["id"].as_str().unwrap())).await;
    assert_eq!(
        (elsewhere.body["reviews_completed"].as_u64(), elsewhere.body["open"].as_array().map(Vec::len)),
        (Some(0), Some(0)),
        "{}",
        elsewhere.body
    );
    let by_manager = manager.get(&format!("{report_path}&approver={manager_id}")).await;
    assert_eq!(by_manager.body["approvers"].as_array().unwrap().len(), 1, "{}", by_manager.body);
    let before = manager.get(&format!("/workspaces/{ws}/analytics/workflow?from=2029-12-01&to=2029-12-31")).await;
    assert_eq!((before.body["reviews_completed"].as_u64(), before.body["first_pass_rate"].clone()), (Some(0), Value::Null));
    // The week after: nothing ended, and its period before holds all three.
    let after = manager.get(&format!("/workspaces/{ws}/analytics/workflow?from=2030-01-15&to=2030-01-21")).await;
    assert_eq!(after.body["reviews_completed"], 0);
    assert_eq!(
        json!([
            after.body["previous"]["reviews_completed"],
            after.body["previous"]["cycle_median_minutes"],
            after.body["previous"]["cycle_business_median_minutes"]
        ]),
        json!([3, 2895, 75]),
        "{}",
        after.body["previous"]
    );
    let bad = manager.get(&format!("/workspaces/{ws}/analytics/workflow?from=2030-13-01&author=nobody")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);

    // The CSV holds the same figures.
    let csv = manager.request(reqwest::Method::GET, &report_path.replace("workflow?", "workflow.csv?")).send().await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("section,key,name,count,value,median_minutes,p90_minutes,business_median_minutes,business_p90_minutes,share\n"),
        "{text}"
    );
    assert!(text.contains("summary,cycle_time,,,,2895,10290,75,2610,\n"), "{text}");
    assert!(text.contains("stage,legal,Legal,3,2385,120,6060,120,2220,0.9086\n"), "{text}");
    assert!(text.contains("reason,Tone,,1,"), "{text}");

    // Rebuilt from the audit log, the facts give the very same report.
    greenlight_service::analytics::rebuild(&h.app, ws.parse().unwrap()).await.unwrap();
    let again = manager.get(&report_path).await;
    assert_eq!(again.body, r.body);

    // Changed business hours measure the history again: on every day now.
    let all_week =
        json!({"business_hours": {"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "23:59"}, "reasons": ["Tone", "Legal claim"]});
    assert_eq!(owner.put(&format!("/workspaces/{ws}/workflow-settings"), all_week).await.status, StatusCode::OK);
    h.worker().drain().await.unwrap();
    let weekends = manager.get(&report_path).await;
    // B waited from Saturday 10:00 to Monday 10:15 in business hours too, but for the minute before each midnight.
    assert_eq!(weekends.body["cycle_time"]["business"]["median_minutes"], 2893, "{}", weekends.body);
}

#[apply(backends)]
async fn the_weekly_report_reaches_those_who_chose_it_on_monday_morning(#[case] backend: Backend) {
    let sink = MailSink::start().await;
    let h = Harness::start_with(backend, Some(sink.mailer())).await;
    at(&h, "2030-01-07T07:00").await;
    let w = h.world("weekly").await;
    let ws = w.ws.clone();
    let owner = h.login("owner@weekly.example.org").await;
    let manager = h.login("manager@weekly.example.org").await;
    let creator = h.login("creator@weekly.example.org").await;
    let reviewer = h.login("reviewer@weekly.example.org").await;
    let definition = json!({"stages": [{"key": "copy", "name": "Copy review", "lanes": [{"key": "copy", "name": "Copy", "approvers": [{"role": "reviewer"}]}]}]});
    let wf = owner
        .post(&format!("/workspaces/{ws}/workflows"), json!({"name": "One stage", "is_default": true, "definition": definition}))
        .await;
    assert_eq!(wf.status, StatusCode::CREATED, "{}", wf.body);
    // The manager chooses the report by email and in the app; the creator
    // chooses it too, but creators do not see analytics.
    let prefs = format!("/workspaces/{ws}/notification-preferences");
    let wants = json!({"workflow_report": {"in_app": true, "email": "immediate"}});
    assert_eq!(manager.put(&prefs, wants.clone()).await.status, StatusCode::OK);
    assert_eq!(creator.put(&prefs, wants).await.status, StatusCode::OK);
    assert_eq!(owner.get(&prefs).await.body["effective"]["workflow_report"], json!({"in_app": false, "email": "off"}), "off unless chosen");

    // Last week: one post approved in two hours, one still waiting.
    at(&h, "2030-01-08T10:00").await;
    let done = create(&creator, &ws, "Spring menu", &w.channel, None).await;
    submit(&creator, &done).await;
    at(&h, "2030-01-08T12:00").await;
    decided(&reviewer, &done, approve()).await;
    at(&h, "2030-01-10T09:00").await;
    let waiting = create(&creator, &ws, "Open house", &w.channel, None).await;
    submit(&creator, &waiting).await;

    greenlight_service::weekly_report::schedule(&h.app).await.unwrap();
    at(&h, "2030-01-14T07:59").await;
    assert!(sink.to("manager@weekly.example.org").iter().all(|m| !m["subject"].as_str().unwrap().starts_with("Workflow report")));
    at(&h, "2030-01-14T08:00").await;
    h.worker().drain().await.unwrap();
    let reports: Vec<Value> = sink
        .to("manager@weekly.example.org")
        .into_iter()
        .filter(|m| m["subject"].as_str().unwrap().starts_with("Workflow report"))
        .collect();
    assert_eq!(reports.len(), 1, "one report, on Monday at eight");
    assert_eq!(reports[0]["subject"], "Workflow report, weekly: 7 Jan 2030 – 13 Jan 2030");
    let text = reports[0]["text"].as_str().unwrap();
    assert!(text.contains("one review completed (the week before: 0)"), "{text}");
    assert!(text.contains("100 % approved the first time"), "{text}");
    assert!(text.contains("submission to approval took 2 h of business hours"), "{text}");
    assert!(text.contains("Open house: at Copy review, waiting for"), "{text}");
    assert!(sink.to("creator@weekly.example.org").iter().all(|m| !m["subject"].as_str().unwrap().starts_with("Workflow report")));
    let mine = manager.get("/my/notifications").await;
    assert!(mine.body["items"].as_array().unwrap().iter().any(|n| n["kind"] == "workflow_report"), "{}", mine.body);
    // An hour later nothing more comes.
    at(&h, "2030-01-14T09:00").await;
    h.worker().drain().await.unwrap();
    let again =
        sink.to("manager@weekly.example.org").into_iter().filter(|m| m["subject"].as_str().unwrap().starts_with("Workflow report")).count();
    assert_eq!(again, 1);
}
