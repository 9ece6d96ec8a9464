//! A workspace's style guide: its own rules, checked beside the networks'.
//!
//! Banned words and phrases (with a replacement and a reason), approved
//! terminology (a known wrong form found and the right one suggested),
//! disclosures a label or campaign requires (`#ad` on sponsored posts),
//! banned and required hashtags, accounts always tagged when a label or
//! campaign says so, limits on emoji and exclamation marks, a warning on
//! shouting in capitals, and regular expressions for what the lists cannot
//! say. Each rule has a severity: an error blocks submission, a warning is
//! shown to reviewers. The guide also holds the workspace's UTM template,
//! how a missing alt text counts, and whether links are checked for
//! reachability.
//!
//! A guide is data; [`StyleGuide::compile`] checks it and prepares its
//! patterns once, refusing one that cannot compile or would cost too much.

use std::collections::{BTreeMap, BTreeSet};

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::{
    Check, Entities, Field, Finding, Severity, Subject, Texts,
    links::PLACEHOLDERS,
    text::{CharIndex, is_emoji},
};
use crate::{
    id::{CampaignId, LabelId},
    network::Network,
    validation::{Errors, FieldError, Said, Words},
};

fn error() -> Severity {
    Severity::Error
}
fn warning() -> Severity {
    Severity::Warning
}
fn is_error(s: &Severity) -> bool {
    *s == Severity::Error
}
fn is_false(b: &bool) -> bool {
    !b
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StyleGuide {
    /// Words and phrases never to publish.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub banned: Vec<Banned>,
    /// Approved terminology: wrong forms found, the right one suggested.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<Term>,
    /// Text a post must carry in its own text when a label or campaign says so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disclosures: Vec<Disclosure>,
    #[serde(default, skip_serializing_if = "HashtagRules::is_empty")]
    pub hashtags: HashtagRules,
    /// Accounts to tag on a network when a label or campaign says so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub always_tag: Vec<AlwaysTag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_emoji: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_exclamations: Option<Limit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_caps: Option<AllCaps>,
    /// Regular expressions (the `regex` crate's syntax) for anything else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<Pattern>,
    /// How an image without alt text counts (an error unless relaxed).
    #[serde(default = "error", skip_serializing_if = "is_error")]
    pub alt_text: Severity,
    /// Query parameters added to every link, e.g.
    /// `{"utm_source": "{network}", "utm_medium": "social", "utm_campaign": "{campaign}"}`;
    /// `{network}`, `{channel}` (the handle) and `{campaign}` (its name) are filled in.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub utm: BTreeMap<String, String>,
    /// Check in the background that links answer (off: never leaves the machine).
    #[serde(default, skip_serializing_if = "is_false")]
    pub check_links: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Banned {
    pub phrase: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default = "error")]
    pub severity: Severity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The approved form, e.g. "health care".
    pub preferred: String,
    /// Known wrong forms, e.g. "healthcare".
    pub avoid: Vec<String>,
    #[serde(default = "warning")]
    pub severity: Severity,
}

/// When a rule applies: to posts with the label or in the campaign (either
/// one); to every post when neither is named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_id: Option<LabelId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<CampaignId>,
}

impl When {
    fn is_always(&self) -> bool {
        self.label_id.is_none() && self.campaign_id.is_none()
    }

    fn applies(&self, labels: &BTreeSet<LabelId>, campaign: Option<CampaignId>) -> bool {
        self.is_always() || self.label_id.is_some_and(|l| labels.contains(&l)) || self.campaign_id.is_some_and(|c| campaign == Some(c))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    pub when: When,
    /// What the post's text must say, e.g. `#ad`.
    pub text: String,
    #[serde(default = "error")]
    pub severity: Severity,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HashtagRules {
    /// Hashtags never to use (with or without `#`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub banned: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<RequiredHashtag>,
    #[serde(default = "error", skip_serializing_if = "is_error")]
    pub banned_severity: Severity,
}

impl HashtagRules {
    fn is_empty(&self) -> bool {
        self.banned.is_empty() && self.required.is_empty() && self.banned_severity == Severity::Error
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredHashtag {
    pub tag: String,
    #[serde(default)]
    pub when: When,
    /// Only on these networks (every network when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<Network>,
    #[serde(default = "error")]
    pub severity: Severity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlwaysTag {
    /// The account as the network writes it, e.g. `@RiversideHeart`.
    pub mention: String,
    pub network: Network,
    pub when: When,
    #[serde(default = "error")]
    pub severity: Severity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// The most a post may have.
    pub max: u32,
    #[serde(default = "warning")]
    pub severity: Severity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllCaps {
    /// How many words in capitals in a row count as shouting (an acronym is one).
    #[serde(default = "AllCaps::default_words")]
    pub min_words: u32,
    #[serde(default = "warning")]
    pub severity: Severity,
}

impl AllCaps {
    fn default_words() -> u32 {
        3
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// Names the rule in findings: `style.pattern.<id>`.
    pub id: String,
    /// A regular expression; `(?i)` makes it ignore case.
    pub pattern: String,
    /// Shown with each match.
    pub message: String,
    #[serde(default = "warning")]
    pub severity: Severity,
}

/// How big a guide may be: generous for a real brand book, bounded so
/// checking stays fast.
pub const MAX_PHRASES: usize = 500;
pub const MAX_RULES: usize = 100;
pub const MAX_PATTERNS: usize = 50;
pub const MAX_PHRASE_CHARS: usize = 200;
pub const MAX_PATTERN_CHARS: usize = 1000;
/// A compiled pattern's largest program; a bigger one is refused as too
/// costly (the regex crate runs in linear time, so size is the cost).
pub const MAX_PATTERN_BYTES: usize = 256 * 1024;

/// A guide checked and ready: its phrases and patterns compiled once.
#[derive(Debug, Clone, Default)]
pub struct CompiledGuide {
    pub guide: StyleGuide,
    banned: Phrases,
    /// Every term's wrong forms, with the term each belongs to.
    wrong_forms: Phrases,
    term_of: Vec<usize>,
    disclosures: Vec<Phrase>,
    patterns: Vec<Regex>,
}

/// Many phrases, asked all at once which occur (one pass over the text for
/// the whole list, however long), then each that does for where.
#[derive(Debug, Clone)]
struct Phrases {
    any: RegexSet,
    each: Vec<Phrase>,
}

impl Default for Phrases {
    fn default() -> Self {
        Phrases { any: RegexSet::empty(), each: Vec::new() }
    }
}

impl Phrases {
    fn new(each: Vec<Phrase>) -> Result<Phrases, ListsTooLong> {
        let any = RegexSetBuilder::new(each.iter().map(|p| p.regex.as_str()))
            .case_insensitive(false)
            .size_limit(64 * MAX_PATTERN_BYTES)
            .build()
            .map_err(|_| ListsTooLong)?;
        Ok(Phrases { any, each })
    }

    /// Which phrase (by index) occurs where, as a whole.
    fn find(&self, text: &str) -> Vec<(usize, std::ops::Range<usize>)> {
        self.any.matches(text).into_iter().flat_map(|i| self.each[i].find(text).map(move |r| (i, r))).collect()
    }
}

/// A word or phrase found as a whole: ignoring case (unless told not to),
/// any run of spaces where it has one, never inside a longer word.
#[derive(Debug, Clone)]
struct Phrase {
    regex: Regex,
    word_start: bool,
    word_end: bool,
}

impl Phrase {
    fn new(phrase: &str, ignore_case: bool) -> Result<Phrase, String> {
        let words: Vec<String> = phrase.split_whitespace().map(regex::escape).collect();
        // The case flag is written into the pattern, so a set of phrases keeps each one's.
        let flag = if ignore_case { "(?i)" } else { "" };
        let regex =
            RegexBuilder::new(&format!("{flag}{}", words.join(r"\s+"))).size_limit(MAX_PATTERN_BYTES).build().map_err(|e| e.to_string())?;
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        Ok(Phrase { regex, word_start: word(phrase.trim().chars().next()), word_end: word(phrase.trim().chars().next_back()) })
    }

    /// Byte ranges of each whole occurrence.
    fn find<'t>(&self, text: &'t str) -> impl Iterator<Item = std::ops::Range<usize>> + 't {
        let (word_start, word_end) = (self.word_start, self.word_end);
        self.regex.find_iter(text).map(|m| m.range()).collect::<Vec<_>>().into_iter().filter(move |r| {
            let before = text[..r.start].chars().next_back().is_some_and(char::is_alphanumeric);
            let after = text[r.end..].chars().next().is_some_and(char::is_alphanumeric);
            !(word_start && before || word_end && after)
        })
    }
}

fn blank_or_long(s: &str, max: usize) -> bool {
    s.trim().is_empty() || s.chars().count() > max
}

fn key_ok(key: &str) -> bool {
    !key.is_empty() && key.len() <= 40 && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A hashtag as the guide compares it: without `#`, in lower case.
fn tag_name(tag: &str) -> String {
    tag.trim().trim_start_matches(['#', '＃']).to_lowercase()
}

impl StyleGuide {
    /// The labels and campaigns the guide names, with where (the service
    /// checks they are the workspace's).
    pub fn references(&self) -> Vec<(String, &When)> {
        let mut out = Vec::new();
        out.extend(self.disclosures.iter().enumerate().map(|(i, d)| (format!("disclosures[{i}].when"), &d.when)));
        out.extend(self.hashtags.required.iter().enumerate().map(|(i, r)| (format!("hashtags.required[{i}].when"), &r.when)));
        out.extend(self.always_tag.iter().enumerate().map(|(i, a)| (format!("always_tag[{i}].when"), &a.when)));
        out
    }

    /// Checks the guide and compiles its patterns; every problem is named by
    /// its field.
    pub fn compile(self) -> Result<CompiledGuide, Vec<FieldError>> {
        let mut errors = Errors::new();
        let mut count = |field: &str, n: usize, max: usize| {
            if n > max {
                errors.add_said(field, format!("at most {max}"), Words::new("err-domain-at-most", [("max", max.to_string())]));
            }
        };
        count("banned", self.banned.len(), MAX_PHRASES);
        count("terms", self.terms.len(), MAX_PHRASES);
        count("disclosures", self.disclosures.len(), MAX_RULES);
        count("hashtags.banned", self.hashtags.banned.len(), MAX_PHRASES);
        count("hashtags.required", self.hashtags.required.len(), MAX_RULES);
        count("always_tag", self.always_tag.len(), MAX_RULES);
        count("patterns", self.patterns.len(), MAX_PATTERNS);
        count("utm", self.utm.len(), 10);
        if !errors.is_empty() {
            return Err(errors.into_vec());
        }
        let phrase = |field: String, text: &str, ignore_case: bool, errors: &mut Errors| {
            if blank_or_long(text, MAX_PHRASE_CHARS) {
                errors.add_said(
                    field,
                    format!("1 to {MAX_PHRASE_CHARS} characters"),
                    Words::new("err-domain-length-range", [("max", MAX_PHRASE_CHARS.to_string())]),
                );
                return None;
            }
            Phrase::new(text, ignore_case).map_err(|e| errors.add(field, e)).ok()
        };
        let mut banned = Vec::new();
        for (i, b) in self.banned.iter().enumerate() {
            banned.extend(phrase(format!("banned[{i}].phrase"), &b.phrase, true, &mut errors));
            for (name, value) in [("replacement", &b.replacement), ("reason", &b.reason)] {
                if value.as_deref().is_some_and(|v| blank_or_long(v, MAX_PHRASE_CHARS)) {
                    errors.add_said(
                        format!("banned[{i}].{name}"),
                        format!("1 to {MAX_PHRASE_CHARS} characters"),
                        Words::new("err-domain-length-range", [("max", MAX_PHRASE_CHARS.to_string())]),
                    );
                }
            }
        }
        let (mut forms, mut term_of) = (Vec::new(), Vec::new());
        for (i, t) in self.terms.iter().enumerate() {
            if blank_or_long(&t.preferred, MAX_PHRASE_CHARS) {
                errors.add_said(
                    format!("terms[{i}].preferred"),
                    format!("1 to {MAX_PHRASE_CHARS} characters"),
                    Words::new("err-domain-length-range", [("max", MAX_PHRASE_CHARS.to_string())]),
                );
            }
            if t.avoid.is_empty() || t.avoid.len() > 20 {
                errors.add_said(format!("terms[{i}].avoid"), "1 to 20 wrong forms", Words::new("err-domain-style-avoid-count", []));
            }
            for (j, wrong) in t.avoid.iter().enumerate() {
                // A form that differs only in case ("Covid-19" for "COVID-19") is matched exactly.
                let only_case = wrong.trim().to_lowercase() == t.preferred.trim().to_lowercase();
                if wrong.trim() == t.preferred.trim() {
                    errors.add_said(
                        format!("terms[{i}].avoid[{j}]"),
                        "is the preferred form itself",
                        Words::new("err-domain-style-avoid-preferred", []),
                    );
                }
                if let Some(form) = phrase(format!("terms[{i}].avoid[{j}]"), wrong, !only_case, &mut errors) {
                    forms.push(form);
                    term_of.push(i);
                }
            }
        }
        let mut disclosures = Vec::new();
        for (i, d) in self.disclosures.iter().enumerate() {
            disclosures.extend(phrase(format!("disclosures[{i}].text"), &d.text, true, &mut errors));
            if d.when.is_always() {
                let words = Words::new("err-domain-style-disclosure-when", []);
                errors.add_said(format!("disclosures[{i}].when"), "name the label or campaign that needs it", words);
            }
        }
        for (i, tag) in self.hashtags.banned.iter().enumerate() {
            check_tag(&mut errors, format!("hashtags.banned[{i}]"), tag);
        }
        for (i, r) in self.hashtags.required.iter().enumerate() {
            check_tag(&mut errors, format!("hashtags.required[{i}].tag"), &r.tag);
        }
        for (i, a) in self.always_tag.iter().enumerate() {
            let name = a.mention.strip_prefix('@').unwrap_or_default();
            if name.is_empty() || a.mention.chars().count() > 100 || a.mention.chars().any(char::is_whitespace) {
                let words = Words::new("err-domain-style-mention", []);
                errors.add_said(format!("always_tag[{i}].mention"), "an account as the network writes it, e.g. @RiversideHeart", words);
            }
            if a.when.is_always() {
                let words = Words::new("err-domain-style-tag-when", []);
                errors.add_said(format!("always_tag[{i}].when"), "name the label or campaign that needs the tag", words);
            }
        }
        if let Some(caps) = self.all_caps
            && !(2..=50).contains(&caps.min_words)
        {
            errors.add_said("all_caps.min_words", "2 to 50 words", Words::new("err-domain-style-caps-words", []));
        }
        let mut patterns = Vec::new();
        let mut ids = BTreeSet::new();
        for (i, p) in self.patterns.iter().enumerate() {
            if !key_ok(&p.id) || !ids.insert(p.id.as_str()) {
                errors.add_said(format!("patterns[{i}].id"), "a unique key of a-z, 0-9, - and _", Words::new("err-domain-unique-key", []));
            }
            if blank_or_long(&p.message, MAX_PHRASE_CHARS) {
                errors.add_said(
                    format!("patterns[{i}].message"),
                    format!("1 to {MAX_PHRASE_CHARS} characters"),
                    Words::new("err-domain-length-range", [("max", MAX_PHRASE_CHARS.to_string())]),
                );
            }
            patterns.extend(errors.check(&format!("patterns[{i}].pattern"), compile_pattern(&p.pattern)));
        }
        for (key, value) in &self.utm {
            let key_valid = !key.is_empty() && key.len() <= 50 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if !key_valid {
                errors.add_said(
                    format!("utm.{key}"),
                    "a parameter name of letters, digits, _, . and -",
                    Words::new("err-domain-style-utm-name", []),
                );
            }
            if blank_or_long(value, MAX_PHRASE_CHARS) {
                let words = Words::new("err-domain-style-utm-value", [("max", MAX_PHRASE_CHARS.to_string())]);
                errors.add_said(format!("utm.{key}"), format!("a value of 1 to {MAX_PHRASE_CHARS} characters"), words);
            } else if let Some(unknown) = placeholders(value).find(|p| !PLACEHOLDERS.contains(p)) {
                let (unknown, known) = (unknown.to_owned(), PLACEHOLDERS.join(", "));
                let english = format!("`{unknown}` is not one of {known}");
                errors.add_said(
                    format!("utm.{key}"),
                    english,
                    Words::new("err-domain-style-utm-placeholder", [("placeholder", unknown), ("known", known)]),
                );
            }
        }
        let banned = errors.check("banned", Phrases::new(banned));
        let wrong_forms = errors.check("terms", Phrases::new(forms));
        errors.into_result()?;
        let (Some(banned), Some(wrong_forms)) = (banned, wrong_forms) else { return Err(Vec::new()) };
        Ok(CompiledGuide { guide: self, banned, wrong_forms, term_of, disclosures, patterns })
    }
}

/// The `{…}` placeholders in a template value.
fn placeholders(value: &str) -> impl Iterator<Item = &str> {
    value.match_indices('{').filter_map(|(i, _)| value[i..].find('}').map(|j| &value[i..=i + j]))
}

fn check_tag(errors: &mut Errors, field: String, tag: &str) {
    let name = tag_name(tag);
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(|c| c.is_whitespace() || c == '#') {
        errors.add_said(field, "a hashtag, with or without #, without spaces", Words::new("err-domain-style-hashtag", []));
    }
}

/// A pattern the guide may run on every post: it compiles within the size
/// limit and does not match empty text (it would flag every post).
fn compile_pattern(pattern: &str) -> Result<Regex, PatternError> {
    if blank_or_long(pattern, MAX_PATTERN_CHARS) {
        return Err(PatternError::Length);
    }
    let regex =
        RegexBuilder::new(pattern).size_limit(MAX_PATTERN_BYTES).dfa_size_limit(MAX_PATTERN_BYTES).nest_limit(50).build().map_err(|e| {
            match e {
                regex::Error::CompiledTooBig(_) => PatternError::Costly,
                other => PatternError::Invalid(other.to_string()),
            }
        })?;
    if regex.is_match("") {
        return Err(PatternError::MatchesEmpty);
    }
    Ok(regex)
}

/// Why a pattern is refused.
#[derive(Debug, thiserror::Error)]
enum PatternError {
    #[error("1 to {MAX_PATTERN_CHARS} characters")]
    Length,
    #[error("the pattern is too costly to run on every post; make it simpler")]
    Costly,
    #[error("not a valid pattern: {0}")]
    Invalid(String),
    #[error("the pattern matches empty text, so it would flag every post")]
    MatchesEmpty,
}

impl Said for PatternError {
    fn words(&self) -> Option<Words> {
        Some(match self {
            PatternError::Length => Words::new("err-domain-length-range", [("max", MAX_PATTERN_CHARS.to_string())]),
            PatternError::Costly => Words::new("err-domain-style-pattern-costly", []),
            PatternError::Invalid(reason) => Words::new("err-domain-style-pattern-invalid", [("reason", reason.clone())]),
            PatternError::MatchesEmpty => Words::new("err-domain-style-pattern-empty", []),
        })
    }
}

/// The banned phrases or wrong forms, together, are too much to check.
#[derive(Debug, thiserror::Error)]
#[error("the lists are too long to check on every post; shorten them")]
struct ListsTooLong;

impl Said for ListsTooLong {
    fn words(&self) -> Option<Words> {
        Some(Words::new("err-domain-style-lists-long", []))
    }
}

impl CompiledGuide {
    /// How an image without alt text counts.
    pub fn alt_text_severity(&self) -> Severity {
        self.guide.alt_text
    }

    /// The guide's findings on what one channel will receive; `found` holds
    /// each published text with its entities.
    pub fn check(&self, subject: &Subject<'_>, texts: &Texts<'_>, found: &[(Field, &str, Entities)]) -> Vec<Finding> {
        let g = &self.guide;
        let mut out = Vec::new();
        for (field, text) in &texts.published {
            let index = CharIndex::new(text);
            let mut add = |f: Finding, bytes: std::ops::Range<usize>| out.push(f.in_field(*field).at(index.span(bytes)));
            for (i, r) in self.banned.find(text) {
                let rule = &g.banned[i];
                let why = rule.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
                let phrase = &text[r.clone()];
                let message = format!("“{phrase}” is not to be published{why}");
                let f = Finding::new(Check::Style, rule.severity, "style.banned", message).suggest(rule.replacement.clone());
                let f = match rule.reason.as_deref() {
                    Some(reason) => f.words("finding-style-banned-reason", [("phrase", phrase.to_owned()), ("reason", reason.to_owned())]),
                    None => f.words("finding-style-banned", [("phrase", phrase.to_owned())]),
                };
                add(f, r);
            }
            for (i, r) in wrong_forms(text, &self.wrong_forms.find(text), &self.term_of, &g.terms) {
                let term = &g.terms[i];
                let written = &text[r.clone()];
                let message = format!("write “{}”, not “{written}”", term.preferred);
                let words = [("preferred", term.preferred.clone()), ("written", written.to_owned())];
                let f = Finding::new(Check::Style, term.severity, "style.term", message).words("finding-style-term", words);
                add(f.suggest(Some(term.preferred.clone())), r);
            }
            for (rule, regex) in g.patterns.iter().zip(&self.patterns) {
                for m in regex.find_iter(text).filter(|m| !m.is_empty()) {
                    // The guide's own words, in the language its writer chose.
                    let f = Finding::new(Check::Style, rule.severity, format!("style.pattern.{}", rule.id), rule.message.clone())
                        .words("finding-style-pattern", [("message", rule.message.clone())]);
                    add(f, m.range());
                }
            }
            if let Some(limit) = g.max_emoji {
                let emoji: Vec<_> = text.grapheme_indices(true).filter(|(_, g)| is_emoji(g)).map(|(i, g)| i..i + g.len()).collect();
                if let Some(first_over) = emoji.get(limit.max as usize) {
                    let message = format!("at most {} emoji in a post; this has {}", limit.max, emoji.len());
                    let words = [("max", limit.max.to_string()), ("count", emoji.len().to_string())];
                    add(
                        Finding::new(Check::Style, limit.severity, "style.emoji", message).words("finding-style-emoji", words),
                        first_over.clone(),
                    );
                }
            }
            if let Some(limit) = g.max_exclamations {
                let marks: Vec<_> = text.match_indices(['!', '！', '¡']).map(|(i, m)| i..i + m.len()).collect();
                if let Some(first_over) = marks.get(limit.max as usize) {
                    let message = format!("at most {} exclamation marks in a post; this has {}", limit.max, marks.len());
                    let words = [("max", limit.max.to_string()), ("count", marks.len().to_string())];
                    let f = Finding::new(Check::Style, limit.severity, "style.exclamations", message)
                        .words("finding-style-exclamations", words);
                    add(f, first_over.clone());
                }
            }
            if let Some(caps) = g.all_caps {
                for r in shouting(text, caps.min_words as usize) {
                    let f = Finding::new(Check::Style, caps.severity, "style.all_caps", "words in capitals read as shouting");
                    add(f.words("finding-style-all-caps", []), r);
                }
            }
        }
        out.extend(self.check_tags(subject, found));
        out.extend(self.check_disclosures(subject));
        out
    }

    fn check_tags(&self, subject: &Subject<'_>, found: &[(Field, &str, Entities)]) -> Vec<Finding> {
        let g = &self.guide;
        let network = subject.channel.network;
        let (labels, campaign) = (subject.post.labels, subject.post.campaign.map(|(id, _)| id));
        let mut out = Vec::new();
        let banned: BTreeSet<String> = g.hashtags.banned.iter().map(|t| tag_name(t)).collect();
        let mut tags = BTreeSet::new();
        let mut mentions = BTreeSet::new();
        for (field, text, entities) in found {
            for span in &entities.hashtags {
                let name = tag_name(span.of(text));
                if banned.contains(&name) {
                    let message = format!("#{name} is on the style guide's list of hashtags not to use");
                    out.push(
                        Finding::new(Check::Hashtags, g.hashtags.banned_severity, "hashtags.banned", message)
                            .words("finding-hashtags-banned", [("tag", name.clone())])
                            .in_field(*field)
                            .at(*span),
                    );
                }
                tags.insert(name);
            }
            mentions.extend(entities.mentions.iter().map(|s| s.of(text).to_lowercase()));
        }
        for r in &g.hashtags.required {
            let here = r.networks.is_empty() || r.networks.contains(&network);
            if here && r.when.applies(labels, campaign) && !tags.contains(&tag_name(&r.tag)) {
                let tag = r.tag.trim().trim_start_matches(['#', '＃']);
                let message = format!("this post needs #{tag}");
                out.push(
                    Finding::new(Check::Hashtags, r.severity, "hashtags.required", message)
                        .words("finding-hashtags-required", [("tag", tag.to_owned())]),
                );
            }
        }
        for a in g.always_tag.iter().filter(|a| a.network == network && a.when.applies(labels, campaign)) {
            if !mentions.contains(&a.mention.to_lowercase()) {
                let message = format!("tag {} in this post on {}", a.mention, network.title());
                let words = [("mention", a.mention.clone()), ("network", network.title().to_owned())];
                let f =
                    Finding::new(Check::Mentions, a.severity, "mentions.always_tag", message).words("finding-mentions-always-tag", words);
                out.push(f.suggest(Some(a.mention.clone())));
            }
        }
        out
    }

    /// Disclosures belong in the post's own text, where every reader sees
    /// them, not in a comment.
    fn check_disclosures(&self, subject: &Subject<'_>) -> Vec<Finding> {
        let (labels, campaign) = (subject.post.labels, subject.post.campaign.map(|(id, _)| id));
        self.guide
            .disclosures
            .iter()
            .zip(&self.disclosures)
            .filter(|(d, phrase)| d.when.applies(labels, campaign) && phrase.find(subject.content.text).next().is_none())
            .map(|(d, _)| {
                let message = format!("this post must say “{}” in its text", d.text.trim());
                Finding::new(Check::Disclosures, d.severity, "disclosures.required", message)
                    .words("finding-disclosures-required", [("text", d.text.trim().to_owned())])
                    .suggest(Some(d.text.trim().to_owned()))
            })
            .collect()
    }
}

/// Where terms' wrong forms are written (`found`: by form), as (term,
/// range): not inside the preferred form itself ("covid" in "COVID-19"),
/// the longest where several of a term's forms overlap.
fn wrong_forms(
    text: &str,
    found: &[(usize, std::ops::Range<usize>)],
    term_of: &[usize],
    terms: &[Term],
) -> Vec<(usize, std::ops::Range<usize>)> {
    let overlaps = |a: &std::ops::Range<usize>, b: &std::ops::Range<usize>| a.start < b.end && b.start < a.end;
    let mut by_term: BTreeMap<usize, Vec<std::ops::Range<usize>>> = BTreeMap::new();
    for (form, r) in found {
        by_term.entry(term_of[*form]).or_default().push(r.clone());
    }
    let mut kept = Vec::new();
    for (term, mut ranges) in by_term {
        let right: Vec<_> = text.match_indices(terms[term].preferred.trim()).map(|(i, m)| i..i + m.len()).collect();
        ranges.retain(|r| !right.iter().any(|ok| overlaps(r, ok)));
        ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut last: Option<std::ops::Range<usize>> = None;
        for r in ranges {
            if !last.as_ref().is_some_and(|k| overlaps(k, &r)) {
                kept.push((term, r.clone()));
                last = Some(r);
            }
        }
    }
    kept.sort_by_key(|(_, r)| r.start);
    kept
}

/// Runs of at least `min_words` words in capitals (words of two letters or
/// more whose letters are all upper case; digits and marks between them do
/// not break a run, a word with a small letter does).
fn shouting(text: &str, min_words: usize) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut run: Option<(usize, usize, usize)> = None; // start, end, words
    let close = |run: &mut Option<(usize, usize, usize)>, runs: &mut Vec<std::ops::Range<usize>>| {
        if let Some((start, end, words)) = run.take()
            && words >= min_words
        {
            runs.push(start..end);
        }
    };
    for (i, word) in text.split_word_bound_indices() {
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if letters == 0 {
            continue;
        }
        let capitals = letters >= 2 && word.chars().any(char::is_uppercase) && !word.chars().any(char::is_lowercase);
        if capitals {
            let (start, _, words) = run.unwrap_or((i, i, 0));
            run = Some((start, i + word.len(), words + 1));
        } else {
            close(&mut run, &mut runs);
        }
    }
    close(&mut run, &mut runs);
    runs
}

#[cfg(test)]
mod tests;
