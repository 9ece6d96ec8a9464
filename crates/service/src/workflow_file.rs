//! Workflows as readable TOML files, so teams can keep them in version
//! control and move them between workspaces. Inside Greenlight a definition
//! names people and things by id; the file names them the way a person
//! would: users by email, groups, labels and campaigns by name, channels as
//! `network:handle`.

use crate::error::AddWords as _;
use std::collections::BTreeMap;

use greenlight_domain::{id::WorkspaceId, permission::Permission, validation::Errors, workflow::Definition};
use greenlight_store::{Tx, planning, workflows, workspaces};
use toml::{Table as TomlTable, Value};

use crate::{
    App, Caller, access,
    error::{Error, Result},
    workflows::{NewWorkflow, WorkflowChange, create_workflow, update_workflow},
};
use greenlight_domain::id::WorkflowId;
use greenlight_store::workflows::Workflow;

/// One kind of thing a definition refers to: ids one way, names the other.
#[derive(Default)]
struct Table {
    what: &'static str,
    name_of: BTreeMap<String, String>,
    id_of: BTreeMap<String, String>,
}

impl Table {
    fn new(what: &'static str, pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut table = Table { what, ..Table::default() };
        for (id, name) in pairs {
            table.id_of.insert(name.to_lowercase(), id.clone());
            table.name_of.insert(id, name);
        }
        table
    }
}

/// The workspace's users, groups, labels, channels and campaigns.
struct Names {
    users: Table,
    groups: Table,
    labels: Table,
    channels: Table,
    campaigns: Table,
}

async fn names(tx: &mut Tx, ws: WorkspaceId) -> Result<Names> {
    let users = workspaces::members(tx, ws).await?.into_iter().map(|m| (m.user_id.to_string(), m.email));
    let groups = workspaces::groups(tx, ws).await?.into_iter().map(|g| (g.id.to_string(), g.name));
    let labels = planning::labels(tx, ws).await?.into_iter().map(|l| (l.id.to_string(), l.name));
    let channels = planning::channels(tx, ws).await?.into_iter().map(|c| (c.id.to_string(), format!("{}:{}", c.network, c.handle)));
    let campaigns = planning::campaigns(tx, ws).await?.into_iter().map(|c| (c.id.to_string(), c.name));
    Ok(Names {
        users: Table::new("user", users),
        groups: Table::new("group", groups),
        labels: Table::new("label", labels),
        channels: Table::new("channel", channels),
        campaigns: Table::new("campaign", campaigns),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Ids to names.
    Out,
    /// Names to ids.
    In,
}

struct Mapper<'a> {
    names: &'a Names,
    direction: Direction,
    errors: Errors,
}

impl Mapper<'_> {
    fn map(&mut self, table: &Table, value: &mut Value, at: &str) {
        let Value::String(text) = value else { return };
        let found = match self.direction {
            // An id the workspace no longer knows stays as it is.
            Direction::Out => Some(table.name_of.get(text.as_str()).cloned().unwrap_or_else(|| text.clone())),
            Direction::In => table.id_of.get(&text.to_lowercase()).cloned(),
        };
        match found {
            Some(mapped) => *text = mapped,
            None => {
                let id = match table.what {
                    "user" => "err-wf-file-no-user",
                    "group" => "err-wf-file-no-group",
                    "label" => "err-wf-file-no-label",
                    "channel" => "err-wf-file-no-channel",
                    _ => "err-wf-file-no-campaign",
                };
                self.errors.add_words(at, id, [("name", text.clone())])
            }
        }
    }

    fn approvers(&mut self, list: &mut Value, at: &str) {
        let Value::Array(items) = list else { return };
        for (i, item) in items.iter_mut().enumerate() {
            let Value::Table(approver) = item else { continue };
            let at = format!("{at}[{i}]");
            if let Some(user) = approver.get_mut("user") {
                self.map(&self.names.users, user, &at);
            }
            if let Some(group) = approver.get_mut("group") {
                self.map(&self.names.groups, group, &at);
            }
        }
    }

    fn conditions(&mut self, list: &mut Value, at: &str) {
        let Value::Array(items) = list else { return };
        for (i, item) in items.iter_mut().enumerate() {
            let Value::Table(condition) = item else { continue };
            for (key, table) in [
                ("labels", &self.names.labels),
                ("channels", &self.names.channels),
                ("campaigns", &self.names.campaigns),
                ("author_groups", &self.names.groups),
            ] {
                if let Some(Value::Array(values)) = condition.get_mut(key) {
                    for (j, v) in values.iter_mut().enumerate() {
                        self.map(table, v, &format!("{at}[{i}].{key}[{j}]"));
                    }
                }
            }
        }
    }

    /// Maps every reference in a definition's JSON form.
    fn definition(&mut self, def: &mut TomlTable) {
        let Some(Value::Array(stages)) = def.get_mut("stages") else { return };
        for (s, stage) in stages.iter_mut().enumerate() {
            let at = format!("stages[{s}]");
            if let Some(Value::Array(lanes)) = stage.get_mut("lanes") {
                for (l, lane) in lanes.iter_mut().enumerate() {
                    if let Some(approvers) = lane.get_mut("approvers") {
                        self.approvers(approvers, &format!("{at}.lanes[{l}].approvers"));
                    }
                }
            }
            if let Some(to) = stage.get_mut("escalation").and_then(|e| e.get_mut("to")) {
                self.approvers(to, &format!("{at}.escalation.to"));
            }
            if let Some(skip_if) = stage.get_mut("skip_if") {
                self.conditions(skip_if, &format!("{at}.skip_if"));
            }
        }
    }
}

/// The settings a definition and its stages default to `false` or an empty
/// list. Only these are left out of a file: inside a skip condition,
/// `repurposed = false` is a criterion, not nothing.
const DEFAULTED: [&str; 6] = ["allow_self_approval", "approvers_may_edit", "own_edits_keep_stage", "checklist", "reminders", "skip_if"];

fn drop_defaults(def: &mut TomlTable) {
    let unset = |key: &str, value: &Value| {
        DEFAULTED.contains(&key) && (matches!(value, Value::Boolean(false)) || value.as_array().is_some_and(Vec::is_empty))
    };
    def.retain(|k, v| !unset(k, v));
    if let Some(Value::Array(stages)) = def.get_mut("stages") {
        for stage in stages.iter_mut().filter_map(Value::as_table_mut) {
            stage.retain(|k, v| !unset(k, v));
        }
    }
}

fn render(workflow: &Workflow, names: &Names) -> Result<String> {
    let mut def = TomlTable::try_from(&workflow.definition).map_err(|e| Error::Internal(e.into()))?;
    let mut mapper = Mapper { names, direction: Direction::Out, errors: Errors::new() };
    mapper.definition(&mut def);
    drop_defaults(&mut def);
    let mut file = TomlTable::new();
    file.insert("name".into(), Value::String(workflow.name.clone()));
    file.extend(def);
    let body = toml::to_string_pretty(&file).map_err(|e| Error::Internal(e.into()))?;
    Ok(format!(
        "# Greenlight workflow \"{}\", version {}.\n# Import it with POST /api/v1/workspaces/{{ws}}/workflows/import.\n\n{body}",
        workflow.name.replace(['\n', '\r'], " "),
        workflow.version
    ))
}

/// Reads a workflow file: its name and its definition with ids.
fn parse(text: &str, names: &Names) -> Result<(String, Definition)> {
    let mut file: TomlTable =
        toml::from_str(text).map_err(|e| Error::field_said("file", "err-wf-file-not-toml", [("error", e.message().to_owned())]))?;
    let name = match file.remove("name") {
        Some(Value::String(name)) => name,
        _ => return Err(Error::field_said("name", "err-wf-file-no-name", [])),
    };
    let mut mapper = Mapper { names, direction: Direction::In, errors: Errors::new() };
    mapper.definition(&mut file);
    mapper.errors.into_result().map_err(Error::Invalid)?;
    let def = file
        .try_into()
        .map_err(|e: toml::de::Error| Error::field_said("file", "err-wf-file-not-definition", [("error", e.message().to_owned())]))?;
    Ok((name, def))
}

/// A workflow (at its current version, or `version`) as a TOML file.
pub async fn export_workflow(app: &App, caller: &Caller, ws: WorkspaceId, id: WorkflowId, version: Option<i64>) -> Result<String> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    let workflow = workflows::workflow(&mut tx, ws, id, version).await?.ok_or(Error::NotFound("workflow"))?;
    render(&workflow, &names(&mut tx, ws).await?)
}

/// Imports a workflow file: a new workflow, or — when one of that name
/// exists — its next version (nothing changes if the definition is the
/// same). Whether it is the default is not part of the file.
pub async fn import_workflow(app: &App, caller: &Caller, ws: WorkspaceId, text: &str) -> Result<crate::views::Workflow> {
    let (name, definition, existing) = {
        let mut tx = app.db.read().await?;
        access::require(&mut tx, caller, ws, Permission::ManageWorkflows).await?;
        let (name, definition) = parse(text, &names(&mut tx, ws).await?)?;
        let existing = workflows::workflows(&mut tx, ws).await?.into_iter().find(|w| w.name.eq_ignore_ascii_case(name.trim()));
        (name, definition, existing)
    };
    match existing {
        Some(w) if w.definition == definition => Ok(w.into()),
        Some(w) => {
            let change = WorkflowChange { version: w.version, name: None, definition: Some(definition), is_default: None };
            update_workflow(app, caller, ws, w.id, change).await
        }
        None => {
            let input = NewWorkflow { name, definition: Some(definition), template: None, is_default: false };
            create_workflow(app, caller, ws, input).await
        }
    }
}

#[cfg(test)]
mod tests {
    use greenlight_domain::{
        id::{GroupId, Id, UserId},
        workflow::{Approver, Condition, templates::template},
    };
    use uuid::Uuid;

    use super::*;

    #[test]
    fn a_template_survives_the_round_trip_through_its_file() {
        let tpl = template("hospital").expect("template");
        let groups: BTreeMap<String, GroupId> =
            tpl.groups.iter().zip(1..).map(|(n, i)| (n.to_string(), GroupId::from_uuid(Uuid::from_u128(i)))).collect();
        let mut definition = tpl.instantiate(&groups).expect("instantiates");
        let dana = UserId::from_uuid(Uuid::from_u128(9));
        definition.stages[0].lanes[0].approvers.push(Approver::User(dana));
        // A `false` in a skip condition is a criterion: it must survive the file.
        definition.stages[0].skip_if.push(Condition { shares_link: Some(false), keywords: vec!["recall".into()], ..Condition::default() });
        let names = Names {
            users: Table::new("user", [(dana.to_string(), "dana@example.org".to_owned())]),
            groups: Table::new("group", groups.iter().map(|(n, id)| (id.to_string(), n.clone()))),
            labels: Table::new("label", []),
            channels: Table::new("channel", []),
            campaigns: Table::new("campaign", []),
        };
        let workflow = Workflow {
            id: Id::from_uuid(Uuid::from_u128(5)),
            workspace_id: Id::from_uuid(Uuid::from_u128(6)),
            name: "Hospital".into(),
            is_default: true,
            version: 3,
            definition: definition.clone(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let text = render(&workflow, &names).expect("renders");
        assert!(text.contains("[[stages]]"), "{text}");
        for group in tpl.groups {
            assert!(text.contains(&format!("group = \"{group}\"")), "groups by name:\n{text}");
        }
        assert!(text.contains("user = \"dana@example.org\""), "users by email:\n{text}");
        assert!(!text.contains(&groups[tpl.groups[0]].to_string()), "no ids in the file:\n{text}");
        let (name, back) = parse(&text, &names).expect("parses");
        assert_eq!((name.as_str(), back), ("Hospital", definition));

        let unknown = text.replacen(&format!("group = \"{}\"", tpl.groups[0]), "group = \"Nobody\"", 1);
        let err = parse(&unknown, &names).expect_err("unknown group");
        assert!(matches!(&err, Error::Invalid(e) if e[0].message.contains("no group `Nobody`")), "{err:?}");
        assert!(matches!(parse("name = ", &names), Err(Error::Invalid(_))));
    }
}
