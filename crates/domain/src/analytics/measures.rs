//! The measures of a period's reviews: how long approval takes, where the
//! time goes (by stage and by approver), how often work passes the first
//! time, why changes are asked, and which deadlines were missed.
//!
//! Percentiles are nearest-rank: the median of 1, 2, 3, 4 is 2, and every
//! figure is a minute some review really took.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::facts::{Decider, Outcome, ReviewFacts};
use crate::workflow::Verdict;

/// Reviews a control chart's rolling median looks back over.
pub const ROLLING_WINDOW: usize = 7;

/// The value at quantile `q` (0–1) of `values`, nearest-rank; none if empty.
pub fn percentile(values: &[i64], q: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).copied()
}

/// Median and 90th percentile of some durations, in minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Spread {
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
}

impl Spread {
    pub fn of(values: &[i64]) -> Spread {
        Spread { median_minutes: percentile(values, 0.5), p90_minutes: percentile(values, 0.9) }
    }
}

/// A duration in calendar time, and in business hours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Durations {
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
    pub business: Spread,
}

impl Durations {
    fn of(pairs: impl Iterator<Item = (i64, i64)>) -> Durations {
        let (calendar, business): (Vec<i64>, Vec<i64>) = pairs.unzip();
        let c = Spread::of(&calendar);
        Durations { median_minutes: c.median_minutes, p90_minutes: c.p90_minutes, business: Spread::of(&business) }
    }
}

/// Time spent waiting at one stage.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StageMeasure {
    pub key: String,
    pub name: String,
    /// Rounds of the stage that ended (a stage asks again after changes).
    pub reviews: usize,
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
    pub business: Spread,
    pub total_minutes: i64,
    pub total_business_minutes: i64,
    /// Its part of all the business time waited at stages (0–1).
    pub share: f64,
    pub overdue: usize,
}

/// One approver's decisions.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ApproverMeasure {
    /// A member's id, or none for an outside reviewer.
    pub user_id: Option<String>,
    /// An outside reviewer's email.
    pub email: Option<String>,
    pub name: String,
    pub decisions: usize,
    pub approvals: usize,
    pub changes_requested: usize,
    pub rejections: usize,
    /// From the stage asking to the decision.
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
    pub business: Spread,
    /// From the stage asking to their first opening it (of the decisions
    /// made in the web app, where opening is recorded).
    pub opened_median_minutes: Option<i64>,
    pub total_business_minutes: i64,
    /// Their part of all the business time waited for decisions (0–1).
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReasonCount {
    /// A preset reason, or none when the decision gave none.
    pub reason: Option<String>,
    pub count: usize,
    pub changes_requested: usize,
    pub rejections: usize,
}

/// Deadlines: stages past their due time, nudges sent, planned times missed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Sla {
    pub stages_overdue: usize,
    pub reminders: u32,
    pub escalations: u32,
    /// Posts whose planned time came before their approval.
    pub planned_time_passed: usize,
    /// … of which the workflow held the post (it waits, unpublished).
    pub held: usize,
    /// … and of which it expired the review.
    pub expired: usize,
}

/// One approved review on the control chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ControlPoint {
    pub review_id: String,
    pub post_id: String,
    pub approved_at: Timestamp,
    pub minutes: i64,
    pub business_minutes: i64,
    /// The median of this review and the ones approved just before it.
    pub rolling_median_minutes: i64,
}

/// The measures of the reviews that ended in a period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Measures {
    /// Approved or rejected in the period.
    pub reviews_completed: usize,
    pub approved: usize,
    pub rejected: usize,
    /// Of the completed: approved with no changes asked (0–1).
    pub first_pass_rate: Option<f64>,
    /// Of the completed: changes asked at least once (0–1).
    pub changes_requested_rate: Option<f64>,
    pub rejection_rate: Option<f64>,
    pub revision_rounds_mean: Option<f64>,
    /// Submission to approval.
    pub cycle_time: Durations,
    /// The post's creation (its brief) to its approval.
    pub brief_to_approved: Durations,
    pub stages: Vec<StageMeasure>,
    /// The stage holding the most business time waited.
    pub bottleneck_stage: Option<String>,
    pub approvers: Vec<ApproverMeasure>,
    /// The approver holding the most business time waited.
    pub bottleneck_approver: Option<String>,
    pub reasons: Vec<ReasonCount>,
    pub sla: Sla,
    pub control: Vec<ControlPoint>,
}

fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 { part as f64 / whole as f64 } else { 0.0 }
}

/// The measures of `reviews` (those that ended in the period). `stage_name`
/// and `decider_name` name what the facts hold by key; `keep_stage` and
/// `keep_decider` narrow the stage and approver figures to a filter.
pub fn measure(
    reviews: &[ReviewFacts],
    stage_name: impl Fn(&str) -> String,
    decider_name: impl Fn(&Decider) -> String,
    keep_stage: impl Fn(&str) -> bool,
    keep_decider: impl Fn(&Decider) -> bool,
) -> Measures {
    let completed: Vec<&ReviewFacts> = reviews.iter().filter(|r| r.completed()).collect();
    let approved: Vec<&ReviewFacts> = completed.iter().copied().filter(|r| r.outcome == Some(Outcome::Approved)).collect();
    let n = completed.len();
    let pairs = |f: fn(&ReviewFacts) -> Option<(i64, i64)>| approved.iter().filter_map(move |r| f(r));

    // Stage rounds that ended, in the order stages first appear.
    let mut stage_order: Vec<String> = Vec::new();
    let mut by_stage: BTreeMap<String, (Vec<i64>, Vec<i64>, usize)> = BTreeMap::new();
    let mut sla = Sla::default();
    for review in reviews {
        sla.reminders += review.reminders;
        sla.escalations += review.escalations;
        match review.planned_time_passed.as_deref() {
            Some("hold") => sla.held += 1,
            Some("expire") => sla.expired += 1,
            _ => {}
        }
        for round in review.stages.iter().filter(|s| keep_stage(&s.stage)) {
            let (Some(end), Some(minutes), Some(business)) = (round.ended_at, round.minutes, round.business_minutes) else { continue };
            let overdue = round.overdue(end);
            sla.stages_overdue += usize::from(overdue);
            if !by_stage.contains_key(&round.stage) {
                stage_order.push(round.stage.clone());
            }
            let entry = by_stage.entry(round.stage.clone()).or_default();
            entry.0.push(minutes);
            entry.1.push(business);
            entry.2 += usize::from(overdue);
        }
    }
    sla.planned_time_passed = sla.held + sla.expired;
    let all_business: i64 = by_stage.values().flat_map(|(_, b, _)| b).sum();
    let stages: Vec<StageMeasure> = stage_order
        .iter()
        .filter_map(|key| {
            let (calendar, business, overdue) = by_stage.get(key)?;
            let spread = Spread::of(calendar);
            let total_business = business.iter().sum();
            Some(StageMeasure {
                key: key.clone(),
                name: stage_name(key),
                reviews: calendar.len(),
                median_minutes: spread.median_minutes,
                p90_minutes: spread.p90_minutes,
                business: Spread::of(business),
                total_minutes: calendar.iter().sum(),
                total_business_minutes: total_business,
                share: share(total_business, all_business),
                overdue: *overdue,
            })
        })
        .collect();
    let bottleneck_stage =
        stages.iter().filter(|s| s.total_business_minutes > 0).max_by_key(|s| s.total_business_minutes).map(|s| s.key.clone());

    // Decisions made in their own right (not carried by the stage before).
    // Per decision: calendar and business minutes, the verdict, minutes until opened.
    type Made = (i64, i64, Verdict, Option<i64>);
    let mut by_decider: BTreeMap<Decider, Vec<Made>> = BTreeMap::new();
    let mut reasons: BTreeMap<Option<String>, (usize, usize)> = BTreeMap::new();
    for d in reviews.iter().flat_map(|r| &r.decisions).filter(|d| !d.carried && keep_stage(&d.stage) && keep_decider(&d.decider)) {
        let opened = d.seen_at.map(|seen| super::hours::calendar_minutes(d.asked_at, seen));
        by_decider.entry(d.decider.clone()).or_default().push((d.minutes, d.business_minutes, d.verdict, opened));
        let counts = reasons.entry(d.reason.clone()).or_default();
        match d.verdict {
            Verdict::RequestChanges => counts.0 += 1,
            Verdict::Reject => counts.1 += 1,
            Verdict::Approve => {}
        }
    }
    let decided_business: i64 = by_decider.values().flatten().map(|m| m.1).sum();
    let mut approvers: Vec<ApproverMeasure> = by_decider
        .iter()
        .map(|(decider, made)| {
            let calendar: Vec<i64> = made.iter().map(|m| m.0).collect();
            let business: Vec<i64> = made.iter().map(|m| m.1).collect();
            let count = |v: Verdict| made.iter().filter(|m| m.2 == v).count();
            let spread = Spread::of(&calendar);
            let total_business = business.iter().sum();
            let opened: Vec<i64> = made.iter().filter_map(|m| m.3).collect();
            ApproverMeasure {
                user_id: match decider {
                    Decider::User(id) => Some(id.to_string()),
                    Decider::External(_) => None,
                },
                email: match decider {
                    Decider::External(email) => Some(email.clone()),
                    Decider::User(_) => None,
                },
                name: decider_name(decider),
                decisions: made.len(),
                approvals: count(Verdict::Approve),
                changes_requested: count(Verdict::RequestChanges),
                rejections: count(Verdict::Reject),
                median_minutes: spread.median_minutes,
                p90_minutes: spread.p90_minutes,
                business: Spread::of(&business),
                opened_median_minutes: percentile(&opened, 0.5),
                total_business_minutes: total_business,
                share: share(total_business, decided_business),
            }
        })
        .collect();
    approvers.sort_by(|a, b| b.total_business_minutes.cmp(&a.total_business_minutes).then_with(|| a.name.cmp(&b.name)));
    let bottleneck_approver = approvers.first().filter(|a| a.total_business_minutes > 0).map(|a| a.name.clone());
    let mut reasons: Vec<ReasonCount> = reasons
        .into_iter()
        .filter(|(_, (changes, rejections))| changes + rejections > 0)
        .map(|(reason, (changes, rejections))| ReasonCount { reason, count: changes + rejections, changes_requested: changes, rejections })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));

    let mut chart: Vec<&ReviewFacts> = approved.clone();
    chart.sort_by_key(|r| (r.ended_at, r.review));
    let mut control = Vec::with_capacity(chart.len());
    for (i, review) in chart.iter().enumerate() {
        let (Some(at), Some(minutes), Some(business)) = (review.ended_at, review.cycle_minutes, review.cycle_business_minutes) else {
            continue;
        };
        let window: Vec<i64> = chart[i.saturating_sub(ROLLING_WINDOW - 1)..=i].iter().filter_map(|r| r.cycle_minutes).collect();
        control.push(ControlPoint {
            review_id: review.review.to_string(),
            post_id: review.post.to_string(),
            approved_at: at,
            minutes,
            business_minutes: business,
            rolling_median_minutes: percentile(&window, 0.5).unwrap_or(minutes),
        });
    }

    Measures {
        reviews_completed: n,
        approved: approved.len(),
        rejected: n - approved.len(),
        first_pass_rate: rate(completed.iter().filter(|r| r.first_pass()).count(), n),
        changes_requested_rate: rate(completed.iter().filter(|r| r.changes_requested > 0).count(), n),
        rejection_rate: rate(n - approved.len(), n),
        revision_rounds_mean: (n > 0).then(|| completed.iter().map(|r| f64::from(r.rounds)).sum::<f64>() / n as f64),
        cycle_time: Durations::of(pairs(|r| r.cycle_minutes.zip(r.cycle_business_minutes))),
        brief_to_approved: Durations::of(pairs(|r| r.brief_minutes.zip(r.brief_business_minutes))),
        stages,
        bottleneck_stage,
        approvers,
        bottleneck_approver,
        reasons,
        sla,
        control,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentile(&[4, 1, 3, 2], 0.5), Some(2));
        assert_eq!(percentile(&[4, 1, 3, 2], 0.9), Some(4));
        assert_eq!(percentile(&[7], 0.9), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 0.9), Some(90));
        assert_eq!(percentile(&hundred, 0.5), Some(50));
    }
}
