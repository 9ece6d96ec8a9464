//! The style guide as a form: each list (banned words, terms, disclosures,
//! hashtags, accounts to tag, patterns, link parameters) as rows to fill,
//! with blank rows to add and a box to remove, and the limits as fields.
//! It reads back into the same `StyleGuide` the JSON editor and the API
//! save, so the service checks it the one way.

use std::collections::BTreeMap;

use greenlight_domain::{
    id::{CampaignId, LabelId},
    network::Network,
    preflight::{
        Severity,
        style::{AllCaps, AlwaysTag, Banned, Disclosure, HashtagRules, Limit, Pattern, RequiredHashtag, StyleGuide, Term, When},
    },
    validation::{Errors, FieldError},
};

/// Blank rows under each list, to add to it.
const BLANK_ROWS: usize = 2;
/// Rows a submitted list may have (the guide's own limits are checked after).
const MAX_ROWS: usize = 600;

/// What a column holds, and so how it is drawn: `text`; `severity` (error
/// or warning); `when` (every post, a label or a campaign); `network`.
pub struct Column {
    pub name: &'static str,
    pub label: String,
    pub kind: &'static str,
}

/// One list of the guide, as rows of cells in the columns' order.
pub struct ListView {
    pub key: &'static str,
    pub title: String,
    pub help: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// How many rows are the guide's (the rest are blank, to add).
    pub filled: usize,
    /// The rows as the page draws them.
    pub drawn: Vec<RowView>,
}

/// A row as drawn: its cells, and whether it can be removed (a blank one is new).
pub struct RowView {
    pub cells: Vec<CellView>,
    /// The remove box's name; empty for a blank row.
    pub remove: String,
}

/// A cell as drawn: a text field, or a choice when it has options.
pub struct CellView {
    pub name: String,
    /// For screen readers: "Phrase, row 2".
    pub label: String,
    pub value: String,
    pub options: Vec<Opt>,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The whole form: the lists, and the single settings as text.
pub struct GuideView {
    pub lists: Vec<ListView>,
    pub fields: BTreeMap<&'static str, String>,
    /// Choices for "applies to": ("", "Every post"), ("label:…", "Label: Ads") …
    pub when_choices: Vec<(String, String)>,
    pub networks: Vec<(&'static str, &'static str)>,
}

fn options(choices: &[(String, String)], selected: &str) -> Vec<Opt> {
    choices.iter().map(|(value, label)| Opt { value: value.clone(), label: label.clone(), selected: value == selected }).collect()
}

fn severities() -> Vec<(String, String)> {
    vec![("error".into(), crate::t("guide-severity-error")), ("warning".into(), crate::t("guide-severity-warning"))]
}

impl GuideView {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// A single setting's severity, as options.
    pub fn severity(&self, name: &str) -> Vec<Opt> {
        options(&severities(), self.field(name))
    }

    /// Fills each list's `drawn` rows from its values.
    fn draw(mut self) -> GuideView {
        let networks: Vec<(String, String)> = std::iter::once((String::new(), "—".to_owned()))
            .chain(self.networks.iter().map(|(v, l)| ((*v).to_owned(), (*l).to_owned())))
            .collect();
        for l in &mut self.lists {
            l.drawn = l
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| RowView {
                    cells: l
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, value)| CellView {
                            name: format!("{}[{i}].{}", l.key, c.name),
                            label: crate::t2("guide-cell", "column", &c.label, "row", i + 1),
                            value: value.clone(),
                            options: match c.kind {
                                "severity" => options(&severities(), value),
                                "when" => options(&self.when_choices, value),
                                "network" => options(&networks, value),
                                _ => Vec::new(),
                            },
                        })
                        .collect(),
                    remove: if i < l.filled { format!("{}[{i}].remove", l.key) } else { String::new() },
                })
                .collect();
        }
        self
    }
}

fn col(name: &'static str, label: String, kind: &'static str) -> Column {
    Column { name, label, kind }
}

fn severity(s: Severity) -> String {
    match s {
        Severity::Error => "error".into(),
        Severity::Warning => "warning".into(),
    }
}

fn when_text(w: &When) -> String {
    match (w.label_id, w.campaign_id) {
        (Some(l), _) => format!("label:{l}"),
        (None, Some(c)) => format!("campaign:{c}"),
        (None, None) => String::new(),
    }
}

fn list(key: &'static str, title: String, help: String, columns: Vec<Column>, mut rows: Vec<Vec<String>>) -> ListView {
    let filled = rows.len();
    let width = columns.len();
    rows.extend(std::iter::repeat_with(|| vec![String::new(); width]).take(BLANK_ROWS));
    ListView { key, title, help, columns, rows, filled, drawn: Vec::new() }
}

impl GuideView {
    /// The guide's form; `labels` and `campaigns` name what rules apply to.
    pub fn of(g: &StyleGuide, labels: &[(LabelId, String)], campaigns: &[(CampaignId, String)]) -> GuideView {
        const TEXT: &str = "text";
        const SEVERITY: &str = "severity";
        const WHEN: &str = "when";
        const NETWORK: &str = "network";
        let lists = vec![
            list(
                "banned",
                crate::t("guide-banned-title"),
                crate::t("guide-banned-help"),
                vec![
                    col("phrase", crate::t("guide-phrase"), TEXT),
                    col("replacement", crate::t("guide-replacement"), TEXT),
                    col("reason", crate::t("guide-reason"), TEXT),
                    col("severity", crate::t("guide-counts-as"), SEVERITY),
                ],
                g.banned
                    .iter()
                    .map(|b| {
                        vec![
                            b.phrase.clone(),
                            b.replacement.clone().unwrap_or_default(),
                            b.reason.clone().unwrap_or_default(),
                            severity(b.severity),
                        ]
                    })
                    .collect(),
            ),
            list(
                "terms",
                crate::t("guide-terms-title"),
                crate::t("guide-terms-help"),
                vec![
                    col("preferred", crate::t("guide-preferred"), TEXT),
                    col("avoid", crate::t("guide-avoid"), TEXT),
                    col("severity", crate::t("guide-counts-as"), SEVERITY),
                ],
                g.terms.iter().map(|t| vec![t.preferred.clone(), t.avoid.join(", "), severity(t.severity)]).collect(),
            ),
            list(
                "disclosures",
                crate::t("guide-disclosures-title"),
                crate::t("guide-disclosures-help"),
                vec![
                    col("text", crate::t("guide-must-say"), TEXT),
                    col("when", crate::t("guide-for"), WHEN),
                    col("severity", crate::t("guide-counts-as"), SEVERITY),
                ],
                g.disclosures.iter().map(|d| vec![d.text.clone(), when_text(&d.when), severity(d.severity)]).collect(),
            ),
            list(
                "required_hashtags",
                crate::t("guide-required-title"),
                crate::t("guide-required-help"),
                vec![
                    col("tag", crate::t("guide-hashtag"), TEXT),
                    col("when", crate::t("guide-for"), WHEN),
                    col("networks", crate::t("guide-networks"), TEXT),
                    col("severity", crate::t("guide-counts-as"), SEVERITY),
                ],
                g.hashtags
                    .required
                    .iter()
                    .map(|r| {
                        let networks: Vec<&str> = r.networks.iter().map(|n| n.as_str()).collect();
                        vec![r.tag.clone(), when_text(&r.when), networks.join(", "), severity(r.severity)]
                    })
                    .collect(),
            ),
            list(
                "always_tag",
                crate::t("guide-always-tag-title"),
                crate::t("guide-always-tag-help"),
                vec![
                    col("mention", crate::t("guide-account"), TEXT),
                    col("network", crate::t("guide-on"), NETWORK),
                    col("when", crate::t("guide-for"), WHEN),
                    col("severity", crate::t("guide-counts-as"), SEVERITY),
                ],
                g.always_tag
                    .iter()
                    .map(|a| vec![a.mention.clone(), a.network.as_str().into(), when_text(&a.when), severity(a.severity)])
                    .collect(),
            ),
            list(
                "patterns",
                crate::t("guide-patterns-title"),
                crate::t("guide-patterns-help"),
                vec![
                    col("id", crate::t("guide-name"), TEXT),
                    col("pattern", crate::t("guide-pattern"), TEXT),
                    col("message", crate::t("guide-message"), TEXT),
                    col("severity", crate::t("guide-counts-as"), SEVERITY),
                ],
                g.patterns.iter().map(|p| vec![p.id.clone(), p.pattern.clone(), p.message.clone(), severity(p.severity)]).collect(),
            ),
            list(
                "utm",
                crate::t("guide-utm-title"),
                crate::t("guide-utm-help"),
                vec![col("key", crate::t("guide-parameter"), TEXT), col("value", crate::t("guide-value"), TEXT)],
                g.utm.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect(),
            ),
        ];
        let limit =
            |l: &Option<Limit>| (l.map(|l| l.max.to_string()).unwrap_or_default(), l.map_or("warning".into(), |l| severity(l.severity)));
        let (emoji, emoji_severity) = limit(&g.max_emoji);
        let (exclamations, exclamations_severity) = limit(&g.max_exclamations);
        let fields = BTreeMap::from([
            ("banned_hashtags", g.hashtags.banned.join(" ")),
            ("banned_hashtags_severity", severity(g.hashtags.banned_severity)),
            ("max_emoji", emoji),
            ("max_emoji_severity", emoji_severity),
            ("max_exclamations", exclamations),
            ("max_exclamations_severity", exclamations_severity),
            ("all_caps_words", g.all_caps.map(|a| a.min_words.to_string()).unwrap_or_default()),
            ("all_caps_severity", g.all_caps.map_or("warning".into(), |a| severity(a.severity))),
            ("alt_text", severity(g.alt_text)),
            ("check_links", if g.check_links { "on".into() } else { String::new() }),
        ]);
        let when_choices = std::iter::once((String::new(), crate::t("guide-every-post")))
            .chain(labels.iter().map(|(id, name)| (format!("label:{id}"), crate::t1("guide-when-label", "name", name))))
            .chain(campaigns.iter().map(|(id, name)| (format!("campaign:{id}"), crate::t1("guide-when-campaign", "name", name))))
            .collect();
        let networks = Network::ALL.iter().filter(|n| **n != Network::Webhook).map(|n| (n.as_str(), n.title())).collect();
        GuideView { lists, fields, when_choices, networks }.draw()
    }
}

/// The submitted form, by name: `banned[2].phrase`, `max_emoji` …
pub struct Submitted {
    rows: BTreeMap<&'static str, BTreeMap<usize, BTreeMap<String, String>>>,
    fields: BTreeMap<String, String>,
}

const LISTS: [&str; 7] = ["banned", "terms", "disclosures", "required_hashtags", "always_tag", "patterns", "utm"];

impl Submitted {
    pub fn read(pairs: &[(String, String)]) -> Submitted {
        let mut rows: BTreeMap<&'static str, BTreeMap<usize, BTreeMap<String, String>>> = BTreeMap::new();
        let mut fields = BTreeMap::new();
        for (name, value) in pairs {
            let row = name.split_once('[').and_then(|(list, rest)| {
                let (index, column) = rest.split_once("].")?;
                let list = LISTS.into_iter().find(|l| *l == list)?;
                Some((list, index.parse::<usize>().ok().filter(|i| *i < MAX_ROWS)?, column))
            });
            match row {
                Some((list, i, column)) => {
                    rows.entry(list).or_default().entry(i).or_default().insert(column.to_owned(), value.trim().to_owned());
                }
                None => {
                    fields.insert(name.clone(), value.trim().to_owned());
                }
            }
        }
        Submitted { rows, fields }
    }

    /// Each row of `list` that is neither blank nor marked to remove, with its index.
    fn rows(&self, list: &str) -> impl Iterator<Item = (usize, &BTreeMap<String, String>)> {
        self.rows.get(list).into_iter().flatten().map(|(i, cells)| (*i, cells)).filter(|(_, cells)| {
            !cells.contains_key("remove") && cells.iter().any(|(k, v)| k != "severity" && k != "when" && k != "network" && !v.is_empty())
        })
    }

    fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// The guide the form describes, or every field that does not read.
    pub fn guide(&self) -> Result<StyleGuide, Vec<FieldError>> {
        // Several readers below note errors and conditions as they go.
        let errors = std::cell::RefCell::new(Errors::new());
        let cell = |cells: &BTreeMap<String, String>, k: &str| cells.get(k).cloned().unwrap_or_default();
        let optional = |s: String| Some(s).filter(|s| !s.is_empty());
        let sev = |at: String, v: &str| match v {
            "warning" => Severity::Warning,
            "error" | "" => Severity::Error,
            _ => {
                errors.borrow_mut().add(at, crate::t("guide-error-severity"));
                Severity::Error
            }
        };
        let whens = std::cell::RefCell::new(Vec::new());
        let when = |at: String, v: &str| {
            whens.borrow_mut().push((at, v.to_owned()));
            match v.split_once(':') {
                Some(("label", id)) => When { label_id: id.parse().ok(), campaign_id: None },
                Some(("campaign", id)) => When { label_id: None, campaign_id: id.parse().ok() },
                _ => When::default(),
            }
        };
        let banned = self
            .rows("banned")
            .map(|(i, c)| Banned {
                phrase: cell(c, "phrase"),
                replacement: optional(cell(c, "replacement")),
                reason: optional(cell(c, "reason")),
                severity: sev(format!("banned[{i}].severity"), &cell(c, "severity")),
            })
            .collect();
        let terms = self
            .rows("terms")
            .map(|(i, c)| Term {
                preferred: cell(c, "preferred"),
                avoid: cell(c, "avoid").split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                severity: sev(format!("terms[{i}].severity"), &cell(c, "severity")),
            })
            .collect();
        let disclosures = self
            .rows("disclosures")
            .map(|(i, c)| Disclosure {
                text: cell(c, "text"),
                when: when(format!("disclosures[{i}].when"), &cell(c, "when")),
                severity: sev(format!("disclosures[{i}].severity"), &cell(c, "severity")),
            })
            .collect();
        let mut networks_unknown = Vec::new();
        let required = self
            .rows("required_hashtags")
            .map(|(i, c)| RequiredHashtag {
                tag: cell(c, "tag"),
                when: when(format!("required_hashtags[{i}].when"), &cell(c, "when")),
                networks: cell(c, "networks")
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .filter_map(|n| {
                        let found = Network::parse(&n.to_lowercase());
                        if found.is_none() {
                            networks_unknown.push((format!("required_hashtags[{i}].networks"), n.to_owned()));
                        }
                        found
                    })
                    .collect(),
                severity: sev(format!("required_hashtags[{i}].severity"), &cell(c, "severity")),
            })
            .collect();
        let always_tag = self
            .rows("always_tag")
            .filter_map(|(i, c)| {
                let network = Network::parse(&cell(c, "network"));
                if network.is_none() {
                    networks_unknown.push((format!("always_tag[{i}].network"), cell(c, "network")));
                }
                Some(AlwaysTag {
                    mention: cell(c, "mention"),
                    network: network?,
                    when: when(format!("always_tag[{i}].when"), &cell(c, "when")),
                    severity: sev(format!("always_tag[{i}].severity"), &cell(c, "severity")),
                })
            })
            .collect();
        let patterns = self
            .rows("patterns")
            .map(|(i, c)| Pattern {
                id: cell(c, "id"),
                pattern: cell(c, "pattern"),
                message: cell(c, "message"),
                severity: sev(format!("patterns[{i}].severity"), &cell(c, "severity")),
            })
            .collect();
        let utm = self.rows("utm").map(|(_, c)| (cell(c, "key"), cell(c, "value"))).collect();
        let number = |name: &str| -> Option<u32> {
            let v = self.field(name);
            if v.is_empty() {
                return None;
            }
            let n = v.parse::<u32>().ok();
            if n.is_none() {
                errors.borrow_mut().add(name, crate::t("guide-error-number"));
            }
            n
        };
        let (emoji, exclamations, caps) = (number("max_emoji"), number("max_exclamations"), number("all_caps_words"));
        let guide = StyleGuide {
            banned,
            terms,
            disclosures,
            hashtags: HashtagRules {
                banned: self.field("banned_hashtags").split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                required,
                banned_severity: sev("banned_hashtags_severity".into(), self.field("banned_hashtags_severity")),
            },
            always_tag,
            max_emoji: emoji.map(|max| Limit { max, severity: sev("max_emoji_severity".into(), self.field("max_emoji_severity")) }),
            max_exclamations: exclamations
                .map(|max| Limit { max, severity: sev("max_exclamations_severity".into(), self.field("max_exclamations_severity")) }),
            all_caps: caps
                .map(|min_words| AllCaps { min_words, severity: sev("all_caps_severity".into(), self.field("all_caps_severity")) }),
            patterns,
            alt_text: sev("alt_text".into(), self.field("alt_text")),
            utm,
            check_links: !self.field("check_links").is_empty(),
        };
        let mut errors = errors.into_inner();
        for (at, v) in whens.into_inner() {
            let known = v.is_empty()
                || v.split_once(':').is_some_and(|(kind, id)| matches!(kind, "label" | "campaign") && uuid::Uuid::parse_str(id).is_ok());
            if !known {
                errors.add(at, crate::t("guide-error-when"));
            }
        }
        for (at, n) in networks_unknown {
            errors.add(at, crate::t1("guide-error-network", "network", n));
        }
        errors.into_result().map(|()| guide)
    }

    /// The form as typed, to draw again beside its errors.
    pub fn view(&self, labels: &[(LabelId, String)], campaigns: &[(CampaignId, String)]) -> GuideView {
        let mut view = GuideView::of(&StyleGuide::default(), labels, campaigns);
        for l in &mut view.lists {
            let typed: Vec<Vec<String>> = self
                .rows(l.key)
                .map(|(_, cells)| l.columns.iter().map(|c| cells.get(c.name).cloned().unwrap_or_default()).collect())
                .collect();
            *l = list(l.key, std::mem::take(&mut l.title), std::mem::take(&mut l.help), std::mem::take(&mut l.columns), typed);
        }
        for (name, value) in view.fields.iter_mut() {
            *value = self.field(name).to_owned();
        }
        view.draw()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_guide_survives_the_round_trip_through_the_form() {
        let label = LabelId::from_uuid(uuid::Uuid::from_u128(7));
        let guide: StyleGuide = serde_json::from_value(serde_json::json!({
            "banned": [{"phrase": "cure", "replacement": "treat", "reason": "a claim", "severity": "error"}],
            "terms": [{"preferred": "health care", "avoid": ["healthcare", "health-care"], "severity": "warning"}],
            "disclosures": [{"when": {"label_id": label}, "text": "#ad", "severity": "error"}],
            "hashtags": {"banned": ["#covid", "#free"], "required": [{"tag": "#Riverside", "networks": ["instagram"], "severity": "warning"}]},
            "always_tag": [{"mention": "@RiversideHeart", "network": "x", "when": {}, "severity": "error"}],
            "max_emoji": {"max": 3, "severity": "warning"},
            "all_caps": {"min_words": 3, "severity": "warning"},
            "patterns": [{"id": "phone", "pattern": "\\d{3}-\\d{4}", "message": "No phone numbers", "severity": "warning"}],
            "alt_text": "warning",
            "utm": {"utm_source": "{network}"},
            "check_links": true,
        }))
        .unwrap();
        let view = GuideView::of(&guide, &[(label, "Ads".into())], &[]);
        let mut submitted = Vec::new();
        for l in &view.lists {
            for (i, row) in l.rows.iter().enumerate() {
                for (c, value) in l.columns.iter().zip(row) {
                    submitted.push((format!("{}[{i}].{}", l.key, c.name), value.clone()));
                }
            }
        }
        submitted.extend(view.fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        assert_eq!(Submitted::read(&submitted).guide(), Ok(guide));
    }

    #[test]
    fn blank_and_removed_rows_are_left_out_and_bad_cells_named() {
        let form = Submitted::read(&pairs(&[
            ("banned[0].phrase", "cure"),
            ("banned[0].severity", "error"),
            ("banned[1].phrase", "miracle"),
            ("banned[1].remove", "on"),
            ("banned[2].phrase", ""),
            ("banned[2].severity", "warning"),
        ]));
        let guide = form.guide().unwrap();
        assert_eq!(guide.banned.iter().map(|b| b.phrase.as_str()).collect::<Vec<_>>(), ["cure"]);
        let bad = Submitted::read(&pairs(&[
            ("max_emoji", "three"),
            ("always_tag[0].mention", "@x"),
            ("always_tag[0].network", "myspace"),
            ("disclosures[0].text", "#ad"),
            ("disclosures[0].when", "label:nope"),
        ]));
        let fields: Vec<String> = bad.guide().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["max_emoji", "disclosures[0].when", "always_tag[0].network"]);
    }
}
