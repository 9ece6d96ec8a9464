use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::*;
use crate::{
    content::Content,
    id::ChannelId,
    preflight::{Channel, Known, PostFacts, Report, check},
};

fn label(n: u128) -> LabelId {
    LabelId::from_uuid(Uuid::from_u128(n))
}

fn guide(json: serde_json::Value) -> CompiledGuide {
    serde_json::from_value::<StyleGuide>(json).expect("a guide").compile().expect("valid")
}

fn refused(json: serde_json::Value) -> Vec<String> {
    let guide: StyleGuide = serde_json::from_value(json).expect("a guide");
    guide.compile().expect_err("refused").into_iter().map(|e| format!("{}: {}", e.field, e.message)).collect()
}

fn run(guide: &CompiledGuide, network: Network, content: &Content, labels: &[LabelId]) -> Report {
    let labels: BTreeSet<LabelId> = labels.iter().copied().collect();
    let (media, unreachable) = (BTreeMap::new(), BTreeMap::new());
    let subject = Subject {
        channel: Channel { network, handle: "@riverside", text_limit: None },
        post: PostFacts { title: "t", labels: &labels, campaign: None },
        content: content.effective(ChannelId::from_uuid(Uuid::nil())),
        known: Known { media: &media, unreachable: &unreachable },
    };
    check(&subject, guide).expect("within size")
}

fn text(t: &str) -> Content {
    Content { text: t.into(), ..Content::default() }
}

/// Each finding as `rule "the words it underlines"`.
fn found(r: &Report, content: &Content) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| {
            let field_text = match f.field {
                Field::FirstComment => content.first_comment.as_deref().unwrap_or_default(),
                Field::Thread(i) => content.thread[i].as_str(),
                _ => content.text.as_str(),
            };
            match f.span {
                Some(span) => format!("{} \"{}\"", f.rule, span.of(field_text)),
                None => f.rule.clone(),
            }
        })
        .collect()
}

#[test]
fn banned_phrases_are_found_as_whole_words_in_any_case() {
    let g = guide(serde_json::json!({"banned": [
        {"phrase": "cure", "replacement": "treat", "reason": "we never promise outcomes"},
        {"phrase": "world class", "severity": "warning"}
    ]}));
    let c = text("We CURE hearts with World  class care; secure parking.");
    let r = run(&g, Network::Linkedin, &c, &[]);
    assert_eq!(found(&r, &c), ["style.banned \"CURE\"", "style.banned \"World  class\""]);
    assert_eq!(r.findings[0].suggestion.as_deref(), Some("treat"));
    assert!(r.findings[0].message.contains("we never promise outcomes"));
    assert_eq!((r.findings[0].severity, r.findings[1].severity), (Severity::Error, Severity::Warning));
}

#[test]
fn approved_terms_suggest_the_preferred_form() {
    let g = guide(serde_json::json!({"terms": [
        {"preferred": "health care", "avoid": ["healthcare"]},
        {"preferred": "COVID-19", "avoid": ["Covid-19", "covid"]}
    ]}));
    let c = text("Healthcare for all: COVID-19 and Covid-19 shots");
    let r = run(&g, Network::Linkedin, &c, &[]);
    assert_eq!(found(&r, &c), ["style.term \"Healthcare\"", "style.term \"Covid-19\""]);
    assert_eq!(r.findings[0].suggestion.as_deref(), Some("health care"));
}

#[test]
fn disclosures_hashtags_and_tags_follow_labels() {
    let (sponsored, cardiology) = (label(1), label(2));
    let g = guide(serde_json::json!({
        "disclosures": [{"when": {"label_id": sponsored}, "text": "#ad"}],
        "hashtags": {"banned": ["#covidhoax"], "required": [{"tag": "RiversideHealth", "networks": ["instagram"]}]},
        "always_tag": [{"mention": "@RiversideHeart", "network": "x", "when": {"label_id": cardiology}}]
    }));
    let c = Content { text: "Our new wing #CovidHoax".into(), first_comment: Some("#ad".into()), ..Content::default() };
    let r = run(&g, Network::X, &c, &[sponsored, cardiology]);
    assert_eq!(found(&r, &c), ["mentions.always_tag", "disclosures.required", "hashtags.banned \"#CovidHoax\""]);
    assert_eq!(r.open_checks(), [Check::Hashtags, Check::Mentions, Check::Disclosures].into());
    // Unlabelled, on X: no disclosure or tag needed; the Instagram tag is Instagram's.
    assert_eq!(found(&run(&g, Network::X, &text("Our new wing"), &[]), &text("")), Vec::<String>::new());
    let fixed = text("#ad Our new wing with @riversideheart");
    assert!(run(&g, Network::X, &fixed, &[sponsored, cardiology]).findings.is_empty(), "mentions compare without case");
    let on_instagram = run(&g, Network::Instagram, &Content { first_comment: Some("#riversidehealth".into()), ..text("Wing") }, &[]);
    assert!(on_instagram.findings.iter().all(|f| f.rule != "hashtags.required"), "a required tag may sit in the first comment");
}

#[test]
fn emoji_exclamations_capitals_and_patterns() {
    let g = guide(serde_json::json!({
        "max_emoji": {"max": 2},
        "max_exclamations": {"max": 1, "severity": "error"},
        "all_caps": {},
        "patterns": [{"id": "phone", "pattern": r"\b\d{3}-\d{4}\b", "message": "write phone numbers in full"}]
    }));
    let c = text("👍 ❤️ 🇩🇰 Wow! Great!! FREE FLU SHOTS today, NHS ok, call 555-1234");
    let r = run(&g, Network::Linkedin, &c, &[]);
    assert_eq!(
        found(&r, &c),
        ["style.exclamations \"!\"", "style.emoji \"🇩🇰\"", "style.all_caps \"FREE FLU SHOTS\"", "style.pattern.phone \"555-1234\""],
        "errors first, then in reading order"
    );
}

#[test]
fn alt_text_can_be_relaxed_to_a_warning() {
    assert_eq!(guide(serde_json::json!({})).alt_text_severity(), Severity::Error);
    assert_eq!(guide(serde_json::json!({"alt_text": "warning"})).alt_text_severity(), Severity::Warning);
}

#[test]
fn bad_guides_are_refused_with_every_field_named() {
    let errors = refused(serde_json::json!({
        "banned": [{"phrase": "  "}],
        "terms": [{"preferred": "health care", "avoid": ["health care"]}],
        "patterns": [
            {"id": "bad", "pattern": "(unclosed", "message": "m"},
            {"id": "empty", "pattern": "a*", "message": "m"},
            {"id": "huge", "pattern": r"\w{1000}\w{1000}\w{1000}", "message": "m"}
        ],
        "utm": {"utm_source": "{nework}"},
        "always_tag": [{"mention": "RiversideHeart", "network": "x", "when": {}}]
    }));
    let fields: Vec<&str> = errors.iter().map(|e| e.split(':').next().unwrap_or_default()).collect();
    assert_eq!(
        fields,
        [
            "banned[0].phrase",
            "terms[0].avoid[0]",
            "always_tag[0].mention",
            "always_tag[0].when",
            "patterns[0].pattern",
            "patterns[1].pattern",
            "patterns[2].pattern",
            "utm.utm_source"
        ],
        "{errors:#?}"
    );
    assert!(errors[6].contains("too costly"), "{}", errors[6]);
    assert!(errors[5].contains("empty text"), "{}", errors[5]);
    let too_many: Vec<_> = (0..=MAX_PATTERNS).map(|i| serde_json::json!({"id": format!("p{i}"), "pattern": "x", "message": "m"})).collect();
    assert_eq!(refused(serde_json::json!({ "patterns": too_many })), [format!("patterns: at most {MAX_PATTERNS}")]);
}
