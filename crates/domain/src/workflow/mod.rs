//! The approval engine: workflow definitions, routing, and reviews whose
//! decisions are pinned to the revision they approve.

pub mod definition;
pub mod review;
pub mod routing;
pub mod templates;

#[cfg(test)]
mod tests;

pub use definition::{
    Approver, AtPublishTime, ChecklistItem, Definition, Due, Escalation, Lane, LateApproval, PublishTimePolicy, Rule, Stage,
};
pub use review::{
    Context, Decision, DecisionInput, Override, People, Plan, Principal, Progress, Review, ReviewError, ReviewStatus, Verdict, plan,
};
pub use routing::{Condition, Facts, Route, route};
