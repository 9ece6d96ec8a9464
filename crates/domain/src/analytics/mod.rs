//! Workflow analytics: where approval time goes, from the audit log.
//!
//! [`facts`] folds a post's events into review facts (the derived table
//! the store keeps), [`hours`] measures time in a workspace's business
//! hours, and [`measures`] turns a period's facts into the figures a
//! manager reads.

pub mod facts;
pub mod hours;
pub mod measures;

use serde::{Deserialize, Serialize};

use crate::validation::{Errors, Words};
use hours::BusinessHours;

/// At most this many preset reasons.
pub const MAX_REASONS: usize = 30;
/// A reason's most characters.
pub const MAX_REASON_CHARS: usize = 60;

/// A workspace's analytics settings: its business hours, and the preset
/// reasons a decision to ask for changes or reject may give.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSettings {
    #[serde(default)]
    pub business_hours: BusinessHours,
    /// e.g. "Tone", "Legal claim", "Wrong image", "Typo".
    #[serde(default)]
    pub reasons: Vec<String>,
}

impl WorkflowSettings {
    /// The settings with their reasons trimmed, or every problem at once.
    pub fn checked(mut self) -> Result<Self, Errors> {
        let mut errors = Errors::new();
        self.business_hours.check("business_hours", &mut errors);
        self.reasons = self.reasons.iter().map(|r| r.trim().to_owned()).collect();
        if self.reasons.len() > MAX_REASONS {
            errors.add_said(
                "reasons",
                format!("at most {MAX_REASONS} reasons"),
                Words::new("err-analytics-reasons-many", [("max", MAX_REASONS.to_string())]),
            );
        }
        for (i, reason) in self.reasons.iter().enumerate() {
            let field = format!("reasons.{i}");
            if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
                errors.add_said(
                    field,
                    format!("a reason is 1 to {MAX_REASON_CHARS} characters on one line"),
                    Words::new("err-analytics-reason-length", [("max", MAX_REASON_CHARS.to_string())]),
                );
            } else if self.reasons[..i].iter().any(|r| r.eq_ignore_ascii_case(reason)) {
                errors.add_said(
                    field,
                    format!("“{reason}” is listed twice"),
                    Words::new("err-analytics-reason-twice", [("reason", reason.clone())]),
                );
            }
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }

    /// The preset reason `given` names (matched without regard to case).
    pub fn reason(&self, given: &str) -> Option<String> {
        let given = given.trim();
        self.reasons.iter().find(|r| r.eq_ignore_ascii_case(given)).cloned()
    }
}

#[cfg(test)]
mod tests;
