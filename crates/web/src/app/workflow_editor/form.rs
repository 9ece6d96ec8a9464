//! Reading the submitted form: field names, and the add, remove and move operations.

use super::*;

/// `stages[2].lanes[0].name` → `[("stages", Some(2)), ("lanes", Some(0)), ("name", None)]`.
pub(in crate::app) fn segments(name: &str) -> Option<Vec<(&str, Option<usize>)>> {
    name.split('.')
        .map(|part| match part.split_once('[') {
            None => Some((part, None)),
            Some((field, rest)) => Some((field, Some(rest.strip_suffix(']')?.parse().ok()?))),
        })
        .collect()
}

/// The `i`th part, making the list that long if it is not (below `bound`).
pub(in crate::app) fn nth<T: Default>(list: &mut Vec<T>, i: usize, bound: usize) -> Option<&mut T> {
    if i >= bound {
        return None;
    }
    if list.len() <= i {
        list.resize_with(i + 1, T::default);
    }
    list.get_mut(i)
}

/// What a button of the form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Save,
    AddStage,
    RemoveStage(usize),
    Up(usize),
    Down(usize),
    AddLane(usize),
    RemoveLane(usize, usize),
    AddItem(usize),
    RemoveItem(usize, usize),
    AddSkip(usize),
    RemoveSkip(usize, usize),
}

impl Op {
    pub(super) fn parse(value: &str) -> Option<Op> {
        let mut parts = value.split(':');
        let what = parts.next()?;
        let numbers: Vec<usize> = parts.map(str::parse).collect::<Result<_, _>>().ok()?;
        Some(match (what, numbers.as_slice()) {
            ("save", []) => Op::Save,
            ("add-stage", []) => Op::AddStage,
            ("remove-stage", [i]) => Op::RemoveStage(*i),
            ("up", [i]) => Op::Up(*i),
            ("down", [i]) => Op::Down(*i),
            ("add-lane", [i]) => Op::AddLane(*i),
            ("remove-lane", [i, j]) => Op::RemoveLane(*i, *j),
            ("add-item", [i]) => Op::AddItem(*i),
            ("remove-item", [i, k]) => Op::RemoveItem(*i, *k),
            ("add-skip", [i]) => Op::AddSkip(*i),
            ("remove-skip", [i, c]) => Op::RemoveSkip(*i, *c),
            _ => return None,
        })
    }

    /// Makes the change in the draft; one naming a part that is not there does nothing.
    pub(super) fn apply(self, d: &mut Draft) {
        match self {
            Op::Save => {}
            Op::AddStage => d.stages.push(StageDraft::new()),
            Op::RemoveStage(i) => remove(&mut d.stages, i),
            Op::Up(i) if i > 0 && i < d.stages.len() => d.stages.swap(i - 1, i),
            Op::Down(i) if i + 1 < d.stages.len() => d.stages.swap(i, i + 1),
            Op::Up(_) | Op::Down(_) => {}
            Op::AddLane(i) => d.stages.get_mut(i).into_iter().for_each(|s| s.lanes.push(LaneDraft::new())),
            Op::RemoveLane(i, j) => d.stages.get_mut(i).into_iter().for_each(|s| remove(&mut s.lanes, j)),
            Op::AddItem(i) => {
                d.stages.get_mut(i).into_iter().for_each(|s| s.checklist.push(ItemDraft { required: true, ..ItemDraft::default() }))
            }
            Op::RemoveItem(i, k) => d.stages.get_mut(i).into_iter().for_each(|s| remove(&mut s.checklist, k)),
            Op::AddSkip(i) => d.stages.get_mut(i).into_iter().for_each(|s| s.skip_if.push(ConditionDraft::default())),
            Op::RemoveSkip(i, c) => d.stages.get_mut(i).into_iter().for_each(|s| remove(&mut s.skip_if, c)),
        }
    }
}

pub(super) fn remove<T>(list: &mut Vec<T>, i: usize) {
    if i < list.len() {
        list.remove(i);
    }
}

impl Draft {
    /// The draft the form's fields describe, and what its button asked for.
    pub(in crate::app) fn read(fields: &[(String, String)]) -> (Draft, Op) {
        let mut d = Draft::default();
        let mut op = Op::Save;
        for (name, value) in fields {
            let value = value.clone();
            let Some(path) = segments(name) else { continue };
            match path.as_slice() {
                [("op", None)] => op = Op::parse(&value).unwrap_or(Op::Save),
                [("name", None)] => d.name = value,
                [("version", None)] => d.version = value.parse().unwrap_or(0),
                [("allow_self_approval", None)] => d.allow_self_approval = true,
                [("one_approval_covers_next_stages", None)] => d.one_approval_covers_next_stages = true,
                [("on_publish_time", None), ("policy", None)] => d.policy = value,
                [("on_publish_time", None), ("minutes", None)] => d.grace_minutes = value,
                [("stages", Some(i)), rest @ ..] => {
                    if let Some(s) = nth(&mut d.stages, *i, MAX_PARTS) {
                        s.read(rest, value);
                    }
                }
                _ => {}
            }
        }
        (d, op)
    }
}

impl StageDraft {
    pub(in crate::app) fn read(&mut self, path: &[(&str, Option<usize>)], value: String) {
        match path {
            [("key", None)] => self.key = value,
            [("name", None)] => self.name = value,
            [("approvers_may_edit", None)] => self.approvers_may_edit = true,
            [("own_edits_keep_stage", None)] => self.own_edits_keep_stage = true,
            [("due_kind", None)] => self.due_kind = value,
            [("due", None)] => self.due_hours = value,
            [("reminders", None)] => self.reminders = value,
            [("escalation", None), ("hours", None)] => self.escalate_hours = value,
            [("escalation", None), ("to", None)] => self.escalate_to.push(value),
            [("lanes", Some(j)), (field, None)] => {
                let Some(l) = nth(&mut self.lanes, *j, MAX_PARTS) else { return };
                match *field {
                    "key" => l.key = value,
                    "name" => l.name = value,
                    "approvers" => l.approvers.push(value),
                    "outside" => l.outside = value,
                    "rule" => l.rule = value,
                    "at_least" => l.at_least = value,
                    _ => {}
                }
            }
            [("checklist", Some(k)), (field, None)] => {
                let Some(c) = nth(&mut self.checklist, *k, MAX_PARTS) else { return };
                match *field {
                    "key" => c.key = value,
                    "label" => c.label = value,
                    "automatic" => c.automatic = value,
                    "required" => c.required = true,
                    _ => {}
                }
            }
            [("skip_if", Some(c)), (field, None)] => {
                if let Some(c) = nth(&mut self.skip_if, *c, MAX_PARTS) {
                    c.read(field, value);
                }
            }
            _ => {}
        }
    }
}
