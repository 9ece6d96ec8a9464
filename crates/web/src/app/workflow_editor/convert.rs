//! From the draft to a definition, with every refusal at its field.

use super::*;

/// A key made from a name (`Legal review` → `legal-review`), unique among `taken`.
pub(super) fn key_from(name: &str, fallback: &str, taken: &[String]) -> String {
    let mut key = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('-') && !key.is_empty() {
            key.push('-');
        }
    }
    key.truncate(36);
    let key = key.trim_end_matches('-');
    let base = if key.is_empty() { fallback } else { key };
    (1..).map(|n| if n == 1 { base.to_owned() } else { format!("{base}-{n}") }).find(|k| !taken.contains(k)).unwrap_or_default()
}

/// Fills every key left empty from its part's name.
pub(super) fn fill_keys<T>(parts: &mut [T], fallback: &str, key: impl Fn(&mut T) -> (&mut String, &str)) {
    let mut taken: Vec<String> = parts.iter_mut().map(|p| key(p).0.trim().to_owned()).filter(|k| !k.is_empty()).collect();
    for p in parts.iter_mut() {
        let (k, name) = key(p);
        if k.trim().is_empty() {
            *k = key_from(name, fallback, &taken);
            taken.push(k.clone());
        }
    }
}

/// Hours as typed (`24`, `1.5`) in whole minutes.
pub(super) fn minutes(text: &str, at: &str, errors: &mut Errors) -> Option<u32> {
    match text.trim().parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 && h <= 24.0 * 366.0 => Some((h * 60.0).round().max(1.0) as u32),
        _ => {
            errors.add(at, t("wf-error-hours"));
            None
        }
    }
}

pub(super) fn listed(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ';', '\n']).map(str::trim).filter(|t| !t.is_empty())
}

pub(super) fn parsed<T: std::str::FromStr>(values: &[String], at: &str, errors: &mut Errors) -> Vec<T> {
    let mut out = Vec::new();
    for v in values {
        match v.parse() {
            Ok(id) => out.push(id),
            Err(_) => errors.add(at, t1("wf-error-not-a-choice", "value", v)),
        }
    }
    out
}

pub(super) fn approvers(values: &[String], at: &str, errors: &mut Errors) -> Vec<Approver> {
    let mut out = Vec::new();
    for v in values {
        let approver = match v.split_once(':') {
            Some(("user", id)) => id.parse::<UserId>().ok().map(Approver::User),
            Some(("group", id)) => id.parse::<GroupId>().ok().map(Approver::Group),
            Some(("role", role)) => Role::parse(role).map(Approver::Role),
            _ => None,
        };
        match approver {
            Some(a) => out.push(a),
            None => errors.add(at, t1("wf-error-not-a-choice", "value", v)),
        }
    }
    out
}

pub(super) fn yes_no_choice(value: &str) -> Option<bool> {
    match value {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl Draft {
    /// Fills empty keys from names, so a new stage, lane or item needs only its name.
    pub(super) fn keyed(mut self) -> Draft {
        fill_keys(&mut self.stages, "stage", |s| (&mut s.key, &s.name));
        for s in &mut self.stages {
            fill_keys(&mut s.lanes, "lane", |l| (&mut l.key, &l.name));
            fill_keys(&mut s.checklist, "item", |c| (&mut c.key, &c.label));
        }
        self
    }

    /// The definition the draft describes, or every error, at the form's fields.
    pub(super) fn definition(&self) -> Result<Definition, Vec<FieldError>> {
        let mut errors = Errors::new();
        let on_publish_time = match self.policy.as_str() {
            "fail" => PublishTimePolicy::Fail,
            "grace" => match self.grace_minutes.trim().parse::<u32>() {
                Ok(minutes) => PublishTimePolicy::Grace { minutes },
                Err(_) => {
                    errors.add("on_publish_time.minutes", t("wf-error-grace-minutes"));
                    PublishTimePolicy::Hold
                }
            },
            _ => PublishTimePolicy::Hold,
        };
        let stages = self.stages.iter().enumerate().map(|(i, s)| s.stage(&format!("stages[{i}]"), &mut errors)).collect();
        let def = Definition {
            stages,
            allow_self_approval: self.allow_self_approval,
            on_publish_time,
            one_approval_covers_next_stages: self.one_approval_covers_next_stages,
        };
        // What the definition says of itself only once what was typed reads.
        errors.into_result()?;
        def.validate()?;
        Ok(def)
    }
}

impl StageDraft {
    pub(super) fn stage(&self, at: &str, errors: &mut Errors) -> Stage {
        let lanes = self
            .lanes
            .iter()
            .enumerate()
            .map(|(j, l)| {
                let at = format!("{at}.lanes[{j}]");
                let mut who = approvers(&l.approvers, &format!("{at}.approvers"), errors);
                for email in listed(&l.outside) {
                    match Email::parse(email) {
                        Ok(e) => who.push(Approver::External(e)),
                        Err(_) => errors.add(format!("{at}.outside"), t1("wf-error-not-an-email", "value", email)),
                    }
                }
                let rule = match l.rule.as_str() {
                    "all" => Rule::All,
                    "at_least" => match l.at_least.trim().parse() {
                        Ok(n) => Rule::AtLeast(n),
                        Err(_) => {
                            errors.add(format!("{at}.rule"), t("wf-error-how-many"));
                            Rule::Any
                        }
                    },
                    _ => Rule::Any,
                };
                Lane { key: l.key.trim().into(), name: l.name.trim().into(), approvers: who, rule }
            })
            .collect();
        let checklist = self
            .checklist
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let automatic = match c.automatic.as_str() {
                    "" => None,
                    name => {
                        let check = Check::parse(name);
                        if check.is_none() {
                            errors.add(format!("{at}.checklist[{k}].automatic"), t1("wf-error-no-check", "value", name));
                        }
                        check
                    }
                };
                ChecklistItem { key: c.key.trim().into(), label: c.label.trim().into(), automatic, required: c.required }
            })
            .collect();
        let due = match self.due_kind.as_str() {
            "after" => minutes(&self.due_hours, &format!("{at}.due"), errors).map(Due::AfterMinutes),
            "before" => minutes(&self.due_hours, &format!("{at}.due"), errors).map(Due::BeforePublishMinutes),
            _ => None,
        };
        let mut reminders = Vec::new();
        for r in listed(&self.reminders) {
            match r.trim_end_matches('%').trim().parse() {
                Ok(p) => reminders.push(p),
                Err(_) => errors.add(format!("{at}.reminders"), t1("wf-error-not-a-percentage", "value", r)),
            }
        }
        let escalation = if self.escalate_to.is_empty() && self.escalate_hours.trim().is_empty() {
            None
        } else {
            let after_minutes = minutes(&self.escalate_hours, &format!("{at}.escalation.after_minutes"), errors).unwrap_or(0);
            Some(Escalation { after_minutes, to: approvers(&self.escalate_to, &format!("{at}.escalation.to"), errors) })
        };
        let skip_if = self
            .skip_if
            .iter()
            .enumerate()
            .map(|(c, s)| s.condition(&format!("{at}.skip_if[{c}]"), errors))
            // A row left blank would skip the stage for every post: it is
            // an unfinished row, not a wish (remove the stage for that).
            .filter(|c| !c.is_always())
            .collect();
        Stage {
            key: self.key.trim().into(),
            name: self.name.trim().into(),
            lanes,
            approvers_may_edit: self.approvers_may_edit,
            own_edits_keep_stage: self.own_edits_keep_stage,
            checklist,
            due,
            reminders,
            escalation,
            skip_if,
        }
    }
}

impl ConditionDraft {
    pub(in crate::app) fn of(c: &Condition) -> ConditionDraft {
        ConditionDraft {
            labels: ids(&c.labels),
            channels: ids(&c.channels),
            campaigns: ids(&c.campaigns),
            author_roles: c.author_roles.iter().map(|r| r.as_str().to_owned()).collect(),
            author_groups: ids(&c.author_groups),
            keywords: c.keywords.join(", "),
            repurposed: yes_no(c.repurposed),
            shares_link: yes_no(c.shares_link),
        }
    }

    /// One of the condition's fields, as the form names it.
    pub(in crate::app) fn read(&mut self, field: &str, value: String) {
        match field {
            "labels" => self.labels.push(value),
            "channels" => self.channels.push(value),
            "campaigns" => self.campaigns.push(value),
            "author_roles" => self.author_roles.push(value),
            "author_groups" => self.author_groups.push(value),
            "keywords" => self.keywords = value,
            "repurposed" => self.repurposed = value,
            "shares_link" => self.shares_link = value,
            _ => {}
        }
    }

    /// The condition, or errors at `at`.
    pub(in crate::app) fn condition(&self, at: &str, errors: &mut Errors) -> Condition {
        Condition {
            labels: parsed::<LabelId>(&self.labels, at, errors),
            channels: parsed::<ChannelId>(&self.channels, at, errors),
            campaigns: parsed::<CampaignId>(&self.campaigns, at, errors),
            author_roles: self.author_roles.iter().filter_map(|r| Role::parse(r)).collect(),
            author_groups: parsed::<GroupId>(&self.author_groups, at, errors),
            keywords: listed(&self.keywords).map(str::to_owned).collect(),
            repurposed: yes_no_choice(&self.repurposed),
            shares_link: yes_no_choice(&self.shares_link),
        }
    }

    pub(in crate::app) fn view(&self, at: String, id: String, c: usize, choices: &Choices) -> ConditionView {
        ConditionView {
            at,
            id,
            c,
            labels: opts(&choices.labels, &self.labels),
            channels: opts(&choices.channels, &self.channels),
            campaigns: opts(&choices.campaigns, &self.campaigns),
            roles: opts(&choices.roles, &self.author_roles),
            groups: opts(&choices.groups, &self.author_groups),
            keywords: self.keywords.clone(),
            repurposed: self.repurposed.clone(),
            shares_link: self.shares_link.clone(),
        }
    }
}
