//! The engine walked through every template, the rules around decisions,
//! and property tests of its central promise: a review approves only when
//! every lane of every stage not skipped approved the current content.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use uuid::Uuid;

use super::{
    definition::{Escalation, Rule, Stage},
    review::{Delegation, RevisionMark, StageStatus, TimerKind},
    templates::{TEMPLATES, template},
    *,
};
use crate::{
    canonical::Hash,
    id::{GroupId, Id, UserId},
    permission::Role,
    preflight::Check,
};

fn user(n: u128) -> UserId {
    Id::from_uuid(Uuid::from_u128(n))
}

fn group_id(n: u128) -> GroupId {
    Id::from_uuid(Uuid::from_u128(1000 + n))
}

fn hash(n: u8) -> Hash {
    Hash([n; 32])
}

fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A team: 1 owner (the post's owner is 4, a creator), 2–3 managers,
/// 5–6 reviewers, 7 an admin, and groups 1..=8 named for the templates.
struct Team {
    people: People,
    groups: BTreeMap<String, GroupId>,
}

const OWNER: u128 = 4;

fn team() -> Team {
    let members: BTreeMap<UserId, Role> = [
        (1, Role::Owner),
        (2, Role::Manager),
        (3, Role::Manager),
        (OWNER, Role::Creator),
        (5, Role::Reviewer),
        (6, Role::Reviewer),
        (7, Role::Admin),
        (8, Role::Viewer),
        (9, Role::Creator),
    ]
    .into_iter()
    .map(|(n, r)| (user(n), r))
    .collect();
    let names = [
        ("QA volunteers", vec![5, 6]),
        ("Copywriters", vec![OWNER, 6]),
        ("Account executives", vec![2]),
        ("Client point people", vec![9]),
        ("Department heads", vec![1]),
        ("Recruiting leads", vec![3]),
        ("Marketing", vec![2]),
        ("PR", vec![3]),
        ("Legal", vec![5, 7]),
    ];
    let mut groups = BTreeMap::new();
    let mut pools = BTreeMap::new();
    for (i, (name, users)) in names.into_iter().enumerate() {
        let id = group_id(i as u128);
        groups.insert(name.to_owned(), id);
        pools.insert(id, users.into_iter().map(user).collect());
    }
    Team { people: People { members, groups: pools, delegations: Vec::new() }, groups }
}

fn def_of(key: &str, team: &Team) -> Definition {
    template(key).and_then(|t| t.instantiate(&team.groups)).unwrap_or_else(|| panic!("template {key}"))
}

fn cx<'a>(def: &'a Definition, facts: &'a Facts, people: &'a People, now: Timestamp) -> Context<'a> {
    Context { def, facts, people, planned: None, now }
}

fn mark(n: u8, author: u128) -> RevisionMark {
    RevisionMark { hash: hash(n), author: Principal::User(user(author)) }
}

fn approve(by: u128, revision: u8) -> DecisionInput {
    DecisionInput {
        by: Principal::User(user(by)),
        verdict: Verdict::Approve,
        revision: hash(revision),
        comment: None,
        checklist: BTreeSet::new(),
        open_checks: BTreeSet::new(),
        lane: None,
    }
}

fn waiting(stage: &str) -> Progress {
    Progress::Waiting { stage: stage.into(), started: true }
}

#[test]
fn every_template_instantiates_validly_and_needs_its_groups() {
    let team = team();
    for t in TEMPLATES {
        let def = t.instantiate(&team.groups).unwrap_or_else(|| panic!("{} asks for a group it does not declare", t.key));
        assert_eq!(def.validate(), Ok(()), "{}", t.key);
        if let Some(first) = t.groups.first() {
            let mut fewer = team.groups.clone();
            fewer.remove(*first);
            assert!(t.instantiate(&fewer).is_none(), "{} without {first}", t.key);
        }
    }
}

#[test]
fn hospital_flow_runs_idea_copy_graphic_then_qa_with_its_checklist() {
    let team = team();
    let mut def = def_of("hospital", &team);
    // Stage by stage here; one approval covering several is its own test.
    def.one_approval_covers_next_stages = false;
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, progress) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(progress, waiting("idea"));
    assert_eq!(review.decide(&c, approve(2, 1)), Ok(waiting("copy")));
    // The same manager may approve the next stage too; one per stage.
    assert_eq!(review.decide(&c, approve(2, 1)), Ok(waiting("graphic")));
    assert_eq!(review.decide(&c, approve(3, 1)), Ok(waiting("qa")));
    // A manager is not in the QA pool; a volunteer ticks the style by hand,
    // and preflight ticks the rest while it finds nothing of their kind.
    assert_eq!(review.decide(&c, approve(2, 1)), Err(ReviewError::NotAsked));
    let before = review.clone();
    let style: BTreeSet<String> = ["style".to_owned()].into();
    let missing_alt = DecisionInput { checklist: style.clone(), open_checks: [Check::AltText].into(), ..approve(5, 1) };
    let err = review.decide(&c, missing_alt);
    assert!(matches!(err, Err(ReviewError::ChecklistOpen(ref open)) if open == "Alt text on every image"), "{err:?}");
    let err = review.decide(&c, approve(5, 1));
    assert!(matches!(err, Err(ReviewError::ChecklistOpen(ref open)) if open == "Style guide checked"), "{err:?}");
    let by_hand = DecisionInput { checklist: ["style".into(), "alt-text".into()].into(), ..approve(5, 1) };
    assert_eq!(review.decide(&c, by_hand), Err(ReviewError::AutomaticChecklistItem("alt-text".into())));
    assert_eq!(review, before, "a refused decision changes nothing");
    // Findings of a kind no item is about do not hold it up.
    let styled = DecisionInput { checklist: style, open_checks: [Check::Links].into(), ..approve(6, 1) };
    assert_eq!(review.decide(&c, styled), Ok(Progress::Approved));
    let all: BTreeSet<String> = ["alt-text", "style", "hashtags", "tags"].map(String::from).into();
    assert_eq!(review.decisions.last().map(|d| &d.checklist), Some(&all), "the record names every item done");
    assert_eq!(review.status, ReviewStatus::Approved);
    assert!(review.fully_covered(&def, &facts));
    assert_eq!(review.decide(&c, approve(5, 1)), Err(ReviewError::NotActive(ReviewStatus::Approved)));
}

#[test]
fn repurposed_posts_and_shared_links_skip_straight_to_qa() {
    let team = team();
    let def = def_of("hospital", &team);
    for facts in [Facts { repurposed: true, ..Facts::default() }, Facts { shares_link: true, ..Facts::default() }] {
        let plan = plan(&def, &facts, &team.people, user(OWNER));
        let skipped: Vec<bool> = plan.stages.iter().map(|s| s.skipped_by.is_some()).collect();
        assert_eq!(skipped, [true, true, true, false]);
        let c = cx(&def, &facts, &team.people, t0());
        let (_, progress) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
        assert_eq!(progress, waiting("qa"));
    }
}

#[test]
fn rejection_needs_a_comment_and_ends_the_review() {
    let team = team();
    let def = def_of("hospital", &team);
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    let reject = DecisionInput { verdict: Verdict::Reject, comment: Some("  ".into()), ..approve(2, 1) };
    assert_eq!(review.decide(&c, reject.clone()), Err(ReviewError::CommentRequired));
    assert_eq!(review.decide(&c, DecisionInput { comment: Some("Off brand".into()), ..reject }), Ok(Progress::Rejected));
    assert_eq!(review.edit(&c, mark(2, OWNER)), Err(ReviewError::NotActive(ReviewStatus::Rejected)));
    assert_eq!(review.resubmit(&c), Err(ReviewError::NotActive(ReviewStatus::Rejected)));
}

#[test]
fn changes_requested_then_edited_and_resubmitted_rerun_from_the_first_stage() {
    let team = team();
    let mut def = def_of("hospital", &team);
    def.one_approval_covers_next_stages = false;
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    review.decide(&c, approve(2, 1)).unwrap();
    let changes = DecisionInput { verdict: Verdict::RequestChanges, comment: Some("Shorter, please".into()), ..approve(3, 1) };
    assert_eq!(review.decide(&c, changes), Ok(Progress::ChangesRequested));
    assert_eq!(review.decide(&c, approve(2, 1)), Err(ReviewError::NotActive(ReviewStatus::ChangesRequested)));
    assert_eq!(review.edit(&c, mark(2, OWNER)), Ok(Progress::ChangesRequested));
    assert_eq!(review.resubmit(&c), Ok(waiting("idea")), "the idea approval covered revision 1 only");
    assert_eq!(review.decide(&c, approve(2, 1)), Err(ReviewError::Stale { current: hash(2) }));
    assert_eq!(review.decide(&c, approve(2, 2)), Ok(waiting("copy")));
}

fn client() -> Principal {
    Principal::External(crate::names::Email::parse("casey@brand.example").unwrap())
}

fn as_client(revision: u8) -> DecisionInput {
    DecisionInput { by: client(), ..approve(0, revision) }
}

#[test]
fn a_client_asked_from_the_share_menu_signs_off_at_the_last_stage_whenever_it_runs() {
    let team = team();
    let def = def_of("hospital", &team);
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    // Asked while the first stage runs: nothing moves; asked again, nothing more.
    let (stage, progress) = review.ask_also(&c, client(), user(2)).unwrap();
    assert_eq!((stage.as_str(), progress), ("qa", Progress::Waiting { stage: "idea".into(), started: false }));
    assert_eq!(review.ask_also(&c, client(), user(2)).unwrap().0, "qa");
    assert_eq!(review.added.len(), 1);
    assert!(!review.waiting_for(&def).contains(&client()), "not before their stage");
    assert_eq!(review.decide(&c, as_client(1)), Err(ReviewError::NotAsked));
    // The stages before run as the workflow says; the last asks the client too.
    let at = |r: &Review| r.active_stage().map(|i| r.stages[i].key.clone());
    while at(&review).is_some_and(|k| k != "qa") {
        review.decide(&c, approve(2, 1)).unwrap();
    }
    assert_eq!(at(&review).as_deref(), Some("qa"));
    assert!(review.waiting_for(&def).contains(&client()), "{:?}", review.waiting_for(&def));
    let qa = DecisionInput { checklist: ["style".to_owned()].into(), ..approve(5, 1) };
    let after_qa = review.decide(&c, qa);
    assert!(matches!(after_qa, Ok(Progress::Waiting { .. })), "QA alone does not finish it: {after_qa:?}");
    assert_eq!(review.decide(&c, as_client(1)), Ok(Progress::Approved));
    // The client's decision is recorded in their own lane, for them.
    let last = review.decisions.last().unwrap();
    assert_eq!((last.lane.as_str(), &last.for_whom), ("added-1", &client()));
}

#[test]
fn a_client_asked_after_approval_reopens_the_last_stage_for_them_alone() {
    let team = team();
    let def = def_of("routine", &team);
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(review.decide(&c, approve(2, 1)), Ok(Progress::Approved));
    let (stage, progress) = review.ask_also(&c, client(), user(2)).unwrap();
    assert_eq!((stage.as_str(), progress), ("review", waiting("review")));
    assert_eq!(review.waiting_for(&def), [client()].into(), "the manager's approval still counts");
    assert!(!review.fully_covered(&def, &facts));
    assert_eq!(review.decide(&c, as_client(1)), Ok(Progress::Approved));
    assert!(review.fully_covered(&def, &facts));
    // An edit asks everyone again, the client too.
    assert_eq!(review.edit(&c, mark(2, OWNER)), Ok(waiting("review")));
    assert_eq!(review.decide(&c, approve(2, 2)), Ok(Progress::Waiting { stage: "review".into(), started: false }));
    assert_eq!(review.decide(&c, as_client(2)), Ok(Progress::Approved));
}

#[test]
fn a_client_the_workflow_already_asks_is_not_asked_twice() {
    let team = team();
    let mut def = def_of("routine", &team);
    def.stages[0].lanes[0].approvers.push(Approver::External(crate::names::Email::parse("casey@brand.example").unwrap()));
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(review.ask_also(&c, client(), user(2)).unwrap().0, "review");
    assert!(review.added.is_empty(), "their workflow lane asks them");
    assert_eq!(review.decide(&c, as_client(1)), Ok(Progress::Approved), "one lane, one place");
}

#[test]
fn one_approval_covers_the_following_stages_that_ask_the_same_person_alone() {
    let team = team();
    let def = def_of("hospital", &team);
    assert!(def.one_approval_covers_next_stages, "on unless a workflow says otherwise");
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    // The manager asked at idea is asked at copy and graphic too (any
    // manager, one needed, nothing to tick): one approval covers all three,
    // and stops at QA, where managers are not asked.
    assert_eq!(review.decide(&c, approve(2, 1)), Ok(waiting("qa")));
    let made: Vec<(&str, bool)> = review.decisions.iter().map(|d| (d.stage.as_str(), d.carried)).collect();
    assert_eq!(made, [("idea", false), ("copy", true), ("graphic", true)]);
    assert!(review.decisions.iter().all(|d| d.by == Principal::User(user(2)) && d.revision == hash(1) && d.verdict == Verdict::Approve));
    // Changes asked for at QA, the post edited and resubmitted: it reruns
    // from the first stage, and again one approval covers the three.
    let changes = DecisionInput { verdict: Verdict::RequestChanges, comment: Some("Shorter".into()), ..approve(5, 1) };
    assert_eq!(review.decide(&c, changes), Ok(Progress::ChangesRequested));
    review.edit(&c, mark(2, OWNER)).unwrap();
    assert_eq!(review.resubmit(&c), Ok(waiting("idea")));
    assert_eq!(review.decide(&c, approve(3, 2)), Ok(waiting("qa")));
    assert_eq!(review.decisions.iter().filter(|d| d.revision == hash(2) && d.carried).count(), 2);
    // Asking for changes covers nothing that follows.
    let mut fresh = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap().0;
    let changes = DecisionInput { verdict: Verdict::RequestChanges, comment: Some("No".into()), ..approve(2, 1) };
    fresh.decide(&c, changes).unwrap();
    assert_eq!(fresh.decisions.len(), 1);
}

#[test]
fn a_covered_stage_needs_the_same_place_and_nothing_to_tick() {
    let team = team();
    let mut def = def_of("hospital", &team);
    // Graphic approval now has a box to tick by hand: the cover stops before it.
    def.stages[2].checklist.push(ChecklistItem {
        key: "crop".into(),
        label: "Cropped for each network".into(),
        required: true,
        automatic: None,
    });
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(review.decide(&c, approve(2, 1)), Ok(waiting("graphic")));
    assert_eq!(review.decisions.iter().filter(|d| d.carried).count(), 1, "copy only");
    // The owner's own approval, where the workflow refuses self-approval, covers nothing: it is refused outright.
    assert_eq!(review.decide(&c, approve(OWNER, 1)), Err(ReviewError::OwnPost));
}

#[test]
fn an_edit_after_approval_sends_the_post_back_but_nothing_else_does() {
    let team = team();
    let def = def_of("routine", &team);
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(review.decide(&c, approve(5, 1)), Ok(Progress::Approved));
    // Re-evaluating the facts (a schedule or label change) keeps the approval.
    assert_eq!(review.refresh(&c), Ok(Progress::Approved));
    // Saving identical content is not an edit.
    assert_eq!(review.edit(&c, mark(1, OWNER)), Ok(Progress::Approved));
    assert_eq!(review.edit(&c, mark(2, OWNER)), Ok(waiting("review")));
    assert_eq!(review.status, ReviewStatus::Active);
    assert!(!review.fully_covered(&def, &facts));
    // The same reviewer approves again, now of revision 2.
    assert_eq!(review.decide(&c, approve(5, 2)), Ok(Progress::Approved));
}

#[test]
fn a_copywriters_own_edit_keeps_the_copy_stage_but_anyone_elses_does_not() {
    let team = team();
    let def = def_of("agency-marketing", &team);
    let facts = Facts::default();
    let owner = 1; // the post's owner here is the workspace owner, so the copywriters are 4 and 6
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(owner), mark(1, owner)).unwrap();
    assert_eq!(review.decide(&c, approve(6, 1)), Ok(waiting("account")));
    // Copywriter 4 tightens the text: the copy stage still holds.
    assert_eq!(review.edit(&c, mark(2, OWNER)), Ok(Progress::Waiting { stage: "account".into(), started: false }));
    assert_eq!(review.decide(&c, approve(2, 2)), Ok(waiting("client")));
    // The owner (not a copywriter) edits: back to the copywriters.
    assert_eq!(review.edit(&c, mark(3, owner)), Ok(waiting("copy")));
    assert_eq!(review.decide(&c, approve(6, 3)), Ok(waiting("account")));
}

#[test]
fn parallel_lanes_all_complete_and_a_member_of_two_says_which() {
    let mut team = team();
    // 5 is in Legal; put them in PR too.
    let pr = team.groups["PR"];
    team.people.groups.entry(pr).or_default().insert(user(5));
    let def = def_of("cross-department", &team);
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(review.decide(&c, approve(2, 1)), Ok(Progress::Waiting { stage: "departments".into(), started: false }));
    assert!(matches!(review.decide(&c, approve(5, 1)), Err(ReviewError::WhichLane(_))));
    assert_eq!(
        review.decide(&c, DecisionInput { lane: Some("pr".into()), ..approve(5, 1) }),
        Ok(Progress::Waiting { stage: "departments".into(), started: false })
    );
    // Another PR member may still approve; the lane already had enough.
    assert_eq!(review.decide(&c, approve(3, 1)), Ok(Progress::Waiting { stage: "departments".into(), started: false }));
    assert_eq!(review.decide(&c, DecisionInput { lane: Some("legal".into()), ..approve(5, 1) }), Ok(Progress::Approved));
}

#[test]
fn high_stakes_needs_legal_and_leadership_after_the_manager() {
    let team = team();
    let def = def_of("high-stakes", &team);
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(review.decide(&c, approve(3, 1)), Ok(waiting("signoff")));
    assert_eq!(
        review.decide(&c, DecisionInput { lane: Some("leadership".into()), ..approve(7, 1) }),
        Ok(Progress::Waiting { stage: "signoff".into(), started: false })
    );
    assert_eq!(review.decide(&c, approve(5, 1)), Ok(Progress::Approved));
}

#[test]
fn nobody_approves_their_own_post_unless_the_workflow_allows_it() {
    let team = team();
    let mut def = def_of("routine", &team);
    def.stages[0].lanes[0].approvers = vec![Approver::Role(Role::Manager)];
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(2), mark(1, 2)).unwrap();
    assert_eq!(review.stages[0].lanes[0].asked, [Principal::User(user(3))].into(), "the owner is not asked");
    assert_eq!(review.decide(&c, approve(2, 1)), Err(ReviewError::OwnPost));
    // A lane only the owner could answer cannot start.
    def.stages[0].lanes[0].approvers = vec![Approver::User(user(2))];
    let c = cx(&def, &facts, &team.people, t0());
    assert!(matches!(Review::start(&c, user(2), mark(1, 2)), Err(ReviewError::Unstaffed { .. })));
    def.allow_self_approval = true;
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(2), mark(1, 2)).unwrap();
    assert_eq!(review.decide(&c, approve(2, 1)), Ok(Progress::Approved));
}

#[test]
fn all_and_n_of_m_lanes_count_distinct_approvers() {
    let team = team();
    let mut def = def_of("routine", &team);
    def.stages[0].lanes[0].approvers = vec![Approver::Role(Role::Reviewer), Approver::Role(Role::Manager)];
    def.stages[0].lanes[0].rule = Rule::AtLeast(2);
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    review.decide(&c, approve(5, 1)).unwrap();
    assert_eq!(review.decide(&c, approve(5, 1)), Err(ReviewError::AlreadyDecided));
    assert_eq!(review.decide(&c, approve(3, 1)), Ok(Progress::Approved));

    def.stages[0].lanes[0].rule = Rule::All;
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(review.stages[0].lanes[0].needed, 4);
    for by in [2, 3, 5] {
        assert!(matches!(review.decide(&c, approve(by, 1)), Ok(Progress::Waiting { .. })));
    }
    assert_eq!(review.decide(&c, approve(6, 1)), Ok(Progress::Approved));

    def.stages[0].lanes[0].rule = Rule::AtLeast(5);
    let c = cx(&def, &facts, &team.people, t0());
    assert_eq!(
        Review::start(&c, user(OWNER), mark(1, OWNER)).map(|_| ()),
        Err(ReviewError::Unstaffed { stage: "review".into(), lane: "review".into(), needed: 5, available: 4 })
    );
}

#[test]
fn a_delegate_stands_in_while_the_delegation_lasts_and_the_record_says_so() {
    let mut team = team();
    let hours = |h| t0() + SignedDuration::from_hours(h);
    team.people.delegations.push(Delegation { from: user(5), delegate: user(9), starts_at: hours(24), ends_at: hours(48) });
    let def = def_of("hospital", &team);
    let facts = Facts { repurposed: true, ..Facts::default() };
    let (mut review, _) = Review::start(&cx(&def, &facts, &team.people, t0()), user(OWNER), mark(1, OWNER)).unwrap();
    let by_delegate = DecisionInput { checklist: def.stages[3].manual_items(), ..approve(9, 1) };
    let early = cx(&def, &facts, &team.people, hours(1));
    assert_eq!(review.decide(&early, by_delegate.clone()), Err(ReviewError::NotAsked), "the delegation has not begun");
    let during = cx(&def, &facts, &team.people, hours(30));
    assert_eq!(review.decide(&during, by_delegate), Ok(Progress::Approved));
    let decision = &review.decisions[0];
    assert_eq!((&decision.by, &decision.for_whom), (&Principal::User(user(9)), &Principal::User(user(5))));
}

#[test]
fn reminders_and_escalation_follow_the_stage_and_ignore_an_old_round() {
    let team = team();
    let def = def_of("hospital", &team);
    let facts = Facts { repurposed: true, ..Facts::default() };
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    let timers = review.timers(&def);
    let at = |kind: TimerKind| timers.iter().find(|t| t.kind == kind).map(|t| t.at);
    assert_eq!(at(TimerKind::Reminder { percent: 50 }), Some(t0() + SignedDuration::from_hours(12)));
    assert_eq!(at(TimerKind::Reminder { percent: 100 }), Some(t0() + SignedDuration::from_hours(24)));
    assert_eq!(at(TimerKind::Escalate), Some(t0() + SignedDuration::from_hours(48)));
    assert_eq!(review.stages[3].due_at, Some(t0() + SignedDuration::from_hours(24)));
    assert_eq!(review.waiting_for(&def), [Principal::User(user(5)), Principal::User(user(6))].into());

    let round = review.stages[3].round;
    assert!(!review.escalate(&c, "qa", round + 1), "a timer from another round does nothing");
    assert!(review.escalate(&c, "qa", round));
    assert!(review.stages[3].lanes[0].asked.contains(&Principal::User(user(2))), "managers are now asked too");
    assert_eq!(review.decide(&c, DecisionInput { checklist: def.stages[3].manual_items(), ..approve(3, 1) }), Ok(Progress::Approved));
    assert!(review.timers(&def).is_empty());
}

#[test]
fn an_override_needs_a_reason_and_covers_only_the_content_it_saw() {
    let team = team();
    let def = def_of("high-stakes", &team);
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(review.override_stage(&c, user(7), " "), Err(ReviewError::ReasonRequired));
    assert_eq!(review.override_stage(&c, user(7), "Manager on leave; agreed by phone"), Ok(waiting("signoff")));
    assert_eq!(review.edit(&c, mark(2, OWNER)), Ok(waiting("manager")));
}

#[test]
fn definitions_with_impossible_shapes_are_refused() {
    let team = team();
    let empty = Definition {
        stages: Vec::new(),
        allow_self_approval: false,
        on_publish_time: PublishTimePolicy::Hold,
        one_approval_covers_next_stages: true,
    };
    assert!(empty.validate().is_err());
    let mut def = def_of("routine", &team);
    def.stages[0].lanes[0].approvers = vec![Approver::User(user(2)), Approver::User(user(3))];
    def.stages[0].lanes[0].rule = Rule::AtLeast(3);
    let errors = def.validate().unwrap_err();
    assert!(errors.iter().any(|e| e.field == "stages[0].lanes[0].rule" && e.message.contains("only 2")), "{errors:?}");
    let mut def = def_of("routine", &team);
    def.stages.push(def.stages[0].clone());
    def.stages[0].lanes[0].approvers.clear();
    def.stages[0].escalation = Some(Escalation { after_minutes: 0, to: Vec::new() });
    def.stages[0].reminders = vec![50];
    let fields: BTreeSet<String> = def.validate().unwrap_err().into_iter().map(|e| e.field).collect();
    for field in [
        "stages[1].key",
        "stages[0].lanes[0].approvers",
        "stages[0].escalation.to",
        "stages[0].escalation.after_minutes",
        "stages[0].reminders",
    ] {
        assert!(fields.contains(field), "{field} missing from {fields:?}");
    }
}

/// The stages a review actually started, and whom each asked, when every
/// stage is approved by the first person asked.
fn walk(def: &Definition, facts: &Facts, people: &People, owner: UserId) -> Vec<(String, Vec<BTreeSet<Principal>>)> {
    let c = cx(def, facts, people, t0());
    let Ok((mut review, _)) = Review::start(&c, owner, RevisionMark { hash: hash(1), author: Principal::User(owner) }) else {
        return Vec::new();
    };
    while let Some(i) = review.active_stage().filter(|_| review.status == ReviewStatus::Active) {
        let stage = &def.stages[i];
        let checklist = stage.manual_items();
        for lane in review.stages[i].lanes.clone() {
            for who in lane.asked.iter().take(lane.needed as usize) {
                let input = DecisionInput {
                    by: who.clone(),
                    verdict: Verdict::Approve,
                    revision: hash(1),
                    comment: None,
                    checklist: checklist.clone(),
                    open_checks: BTreeSet::new(),
                    lane: Some(lane.key.clone()),
                };
                let _ = review.decide(&c, input);
            }
        }
        if review.active_stage() == Some(i) {
            break;
        }
    }
    // Every stage the review started, in order: one an approval covered
    // started too, and was asked of the same people.
    review
        .stages
        .iter()
        .filter(|s| matches!(s.status, StageStatus::Active | StageStatus::Complete))
        .map(|s| (s.key.clone(), s.lanes.iter().map(|l| l.asked.clone()).collect()))
        .collect()
}

fn facts_strategy() -> impl Strategy<Value = Facts> {
    (any::<bool>(), any::<bool>()).prop_map(|(repurposed, shares_link)| Facts { repurposed, shares_link, ..Facts::default() })
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    Decide {
        by: u128,
        verdict: u8,
        stale: bool,
        lane: Option<u8>,
    },
    Edit {
        by: u128,
    },
    Resubmit,
    Refresh {
        repurposed: bool,
    },
    Delegate {
        from: u128,
        to: u128,
    },
    Override {
        by: u128,
    },
    /// A schedule-only change: the planned time moves (or goes).
    Reschedule {
        hours: Option<u8>,
    },
    /// An escalation timer fires, maybe one from an earlier round.
    Escalate {
        stale: bool,
    },
    Expire,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (1u128..=9, 0u8..10, any::<bool>(), proptest::option::of(0u8..3))
            .prop_map(|(by, verdict, stale, lane)| Step::Decide { by, verdict, stale, lane }),
        2 => (1u128..=9).prop_map(|by| Step::Edit { by }),
        1 => Just(Step::Resubmit),
        1 => any::<bool>().prop_map(|repurposed| Step::Refresh { repurposed }),
        1 => (1u128..=9, 1u128..=9).prop_map(|(from, to)| Step::Delegate { from, to }),
        1 => (1u128..=9).prop_map(|by| Step::Override { by }),
        1 => proptest::option::of(0u8..72).prop_map(|hours| Step::Reschedule { hours }),
        1 => any::<bool>().prop_map(|stale| Step::Escalate { stale }),
        1 => Just(Step::Expire),
    ]
}

/// Whether every lane of every stage not skipped has enough approvals of
/// exactly the current revision (or an override of it).
fn strictly_approved(review: &Review, def: &Definition, facts: &Facts) -> bool {
    def.stages.iter().zip(&review.stages).all(|(stage, run)| {
        stage.skip_if.iter().any(|c| c.matches(facts))
            || review.overrides.iter().any(|o| o.stage == run.key && &o.revision == review.current_revision())
            || run.lanes.iter().all(|lane| {
                let approvals: BTreeSet<&Principal> = review
                    .decisions
                    .iter()
                    .filter(|d| d.stage == run.key && d.lane == lane.key && d.verdict == Verdict::Approve)
                    .filter(|d| &d.revision == review.current_revision() && lane.asked.contains(&d.for_whom))
                    .map(|d| &d.for_whom)
                    .collect();
                approvals.len() >= lane.needed as usize
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_simulator_predicts_the_path_the_review_takes(key in 0..TEMPLATES.len(), facts in facts_strategy()) {
        let team = team();
        let def = def_of(TEMPLATES[key].key, &team);
        let predicted: Vec<(String, Vec<BTreeSet<Principal>>)> = plan(&def, &facts, &team.people, user(OWNER))
            .stages
            .into_iter()
            .filter(|s| s.skipped_by.is_none())
            .map(|s| (s.key, s.lanes.into_iter().map(|l| l.asked).collect()))
            .collect();
        prop_assert_eq!(walk(&def, &facts, &team.people, user(OWNER)), predicted);
    }

    #[test]
    fn no_review_approves_content_its_stages_did_not_approve(
        key in 0..TEMPLATES.len(),
        keep_own_edits in any::<bool>(),
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let mut team = team();
        let mut def = def_of(TEMPLATES[key].key, &team);
        if !keep_own_edits {
            def.stages.iter_mut().for_each(|s: &mut Stage| s.own_edits_keep_stage = false);
        }
        let mut facts = Facts::default();
        let mut now = t0();
        let c = cx(&def, &facts, &team.people, now);
        let Ok((mut review, _)) = Review::start(&c, user(OWNER), mark(1, OWNER)) else { return Ok(()) };
        let mut next_revision = 2u8;
        let mut planned = None;
        for step in steps {
            now += SignedDuration::from_mins(5);
            let before = review.clone();
            let was_approved = review.status == ReviewStatus::Approved;
            let c = Context { planned, ..cx(&def, &facts, &team.people, now) };
            let result = match step.clone() {
                Step::Decide { by, verdict, stale, lane } => {
                    let verdict = match verdict { 0 => Verdict::Reject, 1 => Verdict::RequestChanges, _ => Verdict::Approve };
                    let revision = if stale && review.revisions.len() > 1 { review.revisions[0].hash } else { *review.current_revision() };
                    let checklist = review.active_stage().map(|i| def.stages[i].manual_items()).unwrap_or_default();
                    let lane = lane.and_then(|l| review.active_stage().and_then(|i| def.stages[i].lanes.get(l as usize)).map(|l| l.key.clone()));
                    let open_checks = BTreeSet::new();
                    let input = DecisionInput { by: Principal::User(user(by)), verdict, revision, comment: Some("because".into()), checklist, open_checks, lane };
                    review.decide(&c, input).map(|_| ())
                }
                Step::Edit { by } => {
                    next_revision = next_revision.wrapping_add(1).max(2);
                    let edited = review.edit(&c, mark(next_revision, by)).map(|_| ());
                    if edited.is_ok() && !keep_own_edits && was_approved {
                        prop_assert_ne!(review.status, ReviewStatus::Approved, "an edit kept an approval");
                    }
                    edited
                }
                Step::Resubmit => review.resubmit(&c).map(|_| ()),
                Step::Refresh { repurposed } => {
                    facts.repurposed = repurposed;
                    let c = Context { planned, ..cx(&def, &facts, &team.people, now) };
                    review.refresh(&c).map(|_| ())
                }
                Step::Delegate { from, to } => {
                    team.people.delegations.push(Delegation { from: user(from), delegate: user(to), starts_at: now, ends_at: now + SignedDuration::from_hours(1) });
                    Ok(())
                }
                Step::Override { by } => review.override_stage(&c, user(by), "approved by phone").map(|_| ()),
                Step::Reschedule { hours } => {
                    // Only the post's time moves: the review, and every approval in it, stays as it was.
                    planned = hours.map(|h| now + SignedDuration::from_hours(h.into()));
                    Ok(())
                }
                Step::Escalate { stale } => {
                    if let Some(i) = review.active_stage() {
                        let (key, round) = (review.stages[i].key.clone(), review.stages[i].round);
                        if stale {
                            prop_assert!(!review.escalate(&c, &key, round + 1), "a timer of another round escalated");
                            prop_assert_eq!(&review, &before);
                        } else {
                            review.escalate(&c, &key, round);
                        }
                    }
                    Ok(())
                }
                Step::Expire => review.expire(),
            };
            if result.is_err() {
                prop_assert_eq!(&review, &before, "a refused step changed the review: {:?}", step);
            }
            if review.status == ReviewStatus::Approved {
                prop_assert!(review.fully_covered(&def, &facts));
                if !keep_own_edits {
                    prop_assert!(strictly_approved(&review, &def, &facts), "approved without approvals of the current revision");
                }
            }
        }
    }
}

#[test]
fn the_publish_time_policy_holds_fails_or_publishes_within_its_grace() {
    let planned = t0();
    let after = |mins: i64| planned + SignedDuration::from_mins(mins);
    assert_eq!(PublishTimePolicy::Hold.late_approval(planned, after(-1)), None, "on time is not late");
    assert_eq!(PublishTimePolicy::Hold.late_approval(planned, after(5)), Some(LateApproval::Hold));
    assert_eq!(PublishTimePolicy::Fail.late_approval(planned, after(5)), Some(LateApproval::Hold));
    let grace = PublishTimePolicy::Grace { minutes: 30 };
    assert_eq!(grace.late_approval(planned, after(30)), Some(LateApproval::PublishNow));
    assert_eq!(grace.late_approval(planned, after(31)), Some(LateApproval::Hold));
    assert_eq!(PublishTimePolicy::Fail.at_publish_time(), AtPublishTime::Expire);
    assert_eq!(grace.at_publish_time(), AtPublishTime::Hold);

    let team = team();
    let def = def_of("routine", &team);
    let facts = Facts::default();
    let c = cx(&def, &facts, &team.people, t0());
    let (mut review, _) = Review::start(&c, user(OWNER), mark(1, OWNER)).unwrap();
    assert_eq!(review.expire(), Ok(()));
    assert_eq!(review.status, ReviewStatus::Expired);
    assert_eq!(review.expire(), Err(ReviewError::NotActive(ReviewStatus::Expired)));
    assert_eq!(review.decide(&c, approve(2, 1)), Err(ReviewError::NotActive(ReviewStatus::Expired)));
}

#[test]
fn viewers_are_never_asked_and_never_stand_in() {
    let mut team = team();
    let pool = team.groups["QA volunteers"];
    if let Some(members) = team.people.groups.get_mut(&pool) {
        members.insert(user(8));
    }
    let asked = team.people.resolve(&[Approver::Group(pool), Approver::Role(Role::Viewer), Approver::User(user(8))]);
    assert_eq!(asked, [Principal::User(user(5)), Principal::User(user(6))].into(), "the viewer in the pool is not asked");
    team.people.delegations.push(Delegation {
        from: user(5),
        delegate: user(8),
        starts_at: t0(),
        ends_at: t0() + SignedDuration::from_hours(1),
    });
    assert!(team.people.delegators(user(8), t0()).is_empty());
}
