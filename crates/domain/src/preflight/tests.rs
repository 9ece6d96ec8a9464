use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::{
    content::{Content, MediaUse},
    id::LabelId,
};

/// A channel of `network` with nothing known beyond the content.
fn report_of(network: Network, content: &Content, text_limit: Option<usize>) -> Result<Report, PreflightError> {
    let (labels, media, unreachable) = (BTreeSet::new(), BTreeMap::new(), BTreeMap::new());
    let subject = Subject {
        channel: Channel { network, handle: "@riverside", text_limit },
        post: PostFacts { title: "A post", labels: &labels, campaign: None },
        content: content.effective(crate::id::ChannelId::from_uuid(Uuid::nil())),
        known: Known { media: &media, unreachable: &unreachable },
    };
    check(&subject, &CompiledGuide::default())
}

fn check_text(network: Network, text: &str, text_limit: Option<usize>) -> Result<Report, PreflightError> {
    report_of(network, &Content { text: text.into(), ..Content::default() }, text_limit)
}

fn report(network: Network, text: &str) -> Report {
    check_text(network, text, None).expect("within size")
}

fn rules(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule.as_str()).collect()
}

/// The findings about the text itself (not about missing media).
fn text_rules(r: &Report) -> Vec<&str> {
    r.findings.iter().filter(|f| f.check != Check::Media).map(|f| f.rule.as_str()).collect()
}

const FAMILY: &str = "👨\u{200d}👩\u{200d}👧\u{200d}👦";

#[test]
fn bluesky_counts_graphemes() {
    assert_eq!(bluesky::length(FAMILY), 1, "a family emoji is one grapheme");
    assert_eq!(bluesky::length("e\u{301}"), 1, "a combining accent joins its letter");
    assert_eq!(bluesky::length("🇩🇰"), 1, "a flag is one");
    assert!(report(Network::Bluesky, &FAMILY.repeat(300)).findings.iter().all(|f| f.rule != "bluesky.length"));
    assert_eq!(report(Network::Mastodon, FAMILY).length, 1, "Mastodon counts graphemes too");
    let over = report(Network::Bluesky, &"a".repeat(301));
    assert_eq!(rules(&over), ["bluesky.length"]);
    assert_eq!(over.findings[0].span, Some(Span { start: 300, end: 301 }), "underlines what does not fit");
    // 300 family emoji fit the grapheme limit, but not the 3000-byte one.
    let heavy = report(Network::Bluesky, &FAMILY.repeat(300));
    assert_eq!(rules(&heavy), ["bluesky.bytes"]);
}

#[test]
fn mastodon_counts_links_as_23_and_remote_mentions_by_their_name() {
    let long = format!("Read https://example.org/{}", "a".repeat(200));
    assert_eq!(report(Network::Mastodon, &long).length, "Read ".len() + 23);
    assert_eq!(report(Network::Mastodon, "hi @dana@social.example.org").length, "hi @dana".len());
    assert_eq!(report(Network::Mastodon, "hi @dana").length, "hi @dana".len());
    // A bare domain is text to Mastodon: only http(s) links are shortened.
    assert_eq!(report(Network::Mastodon, "see example.org").length, "see example.org".len());
    let over = report(Network::Mastodon, &"a".repeat(501));
    assert_eq!((over.limit, rules(&over)), (500, vec!["mastodon.length"]));
    let roomy = check_text(Network::Mastodon, &"a".repeat(501), Some(1000)).expect("within size");
    assert!(roomy.findings.is_empty(), "an instance's own limit applies");
}

#[test]
fn x_weighs_cjk_and_emoji_double_and_links_23() {
    assert_eq!(x::length("hello"), 5);
    assert_eq!(x::length("你好"), 4);
    assert_eq!(x::length("👍"), 2);
    assert_eq!(x::length(FAMILY), 2, "an emoji sequence weighs 2");
    assert_eq!(x::length(&format!("https://example.org/{}", "a".repeat(100))), 23);
    let cjk = report(Network::X, &"你 ".repeat(94));
    assert_eq!(cjk.length, 94 * 3);
    assert_eq!(cjk.findings[0].span, Some(Span { start: 186, end: 188 }), "underlines from the first word that does not fit");
    assert!(report(Network::X, &"你".repeat(140)).findings.is_empty());
}

/// X's own conformance data: the weighted lengths its reference libraries
/// must produce (`testdata/twitter-text/validate.yml`).
#[test]
fn x_counts_as_its_conformance_suite_expects() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/twitter-text/validate.yml");
    let suite: serde_yaml_ng::Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("conformance data")).expect("yaml");
    let mut checked = 0;
    for section in ["WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest"] {
        for case in suite["tests"][section].as_sequence().expect("cases") {
            let text = case["text"].as_str().expect("text");
            let expected = case["expected"]["weightedLength"].as_u64().expect("length");
            assert_eq!(x::length(text) as u64, expected, "{section}: {}", case["description"].as_str().unwrap_or_default());
            let valid = case["expected"]["valid"].as_bool().expect("valid");
            let fits = !report(Network::X, text).findings.iter().any(|f| f.rule == "x.length");
            if expected > 280 {
                assert!(!fits && !valid, "{}", case["description"].as_str().unwrap_or_default());
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "the suite was read: {checked} cases");
}

#[test]
fn instagram_limits_hashtags_and_mentions() {
    let tags: String = (0..31).map(|i| format!("#tag{i} ")).collect();
    let r = report(Network::Instagram, &tags);
    assert_eq!(text_rules(&r), ["instagram.hashtags"]);
    let span = r.findings.iter().find(|f| f.check == Check::Hashtags).and_then(|f| f.span).expect("span");
    assert_eq!(span.of(&tags), "#tag30", "points at the first one too many");
    let mentions: String = (0..21).map(|i| format!("@user{i} ")).collect();
    assert_eq!(text_rules(&report(Network::Instagram, &mentions)), ["instagram.mentions"]);
    assert!(text_rules(&report(Network::Instagram, &"a".repeat(2200))).is_empty());
    assert_eq!(text_rules(&report(Network::Instagram, &"a".repeat(2201))), ["instagram.length"]);
}

#[test]
fn other_networks_have_their_documented_limits() {
    for (network, limit) in [(Network::Linkedin, 3000), (Network::Threads, 500), (Network::Facebook, 63_206), (Network::Pinterest, 800)] {
        assert!(text_rules(&report(network, &"a".repeat(limit))).is_empty(), "{network:?}");
        assert_eq!(text_rules(&report(network, &"a".repeat(limit + 1))).len(), 1, "{network:?}");
    }
    assert_eq!(report(Network::Threads, "#one #two").findings[0].severity, Severity::Warning);
    // Threads counts an emoji as its UTF-8 bytes: 👍 is 4, a family 25.
    assert_eq!(report(Network::Threads, "ok 👍").length, 3 + 4);
    assert_eq!(report(Network::Threads, FAMILY).length, FAMILY.len());
    assert!(pinterest::check_title(&"t".repeat(100)).is_none());
    assert_eq!(pinterest::check_title(&"t".repeat(101)).map(|f| f.rule), Some("pinterest.title_length".into()));
}

#[test]
fn entities_are_found_in_characters() {
    let text = "Café ☕ #morning with @dana@social.example and https://example.org/x 👍 @lee";
    let found = Entities::find(Network::X, text);
    let of = |spans: &[Span]| spans.iter().map(|s| s.of(text).to_owned()).collect::<Vec<_>>();
    assert_eq!(of(&found.hashtags), ["#morning"]);
    assert_eq!(of(&found.mentions), ["@dana@social.example", "@lee"]);
    assert_eq!(of(&found.urls), ["https://example.org/x"]);
}

#[test]
fn long_words_are_counted_without_the_slow_parser() {
    // A link longer than any word the parser is given: still 23, still a link.
    let link = format!("https://example.org/?utm_source=x&q={}", "a".repeat(400));
    let text = format!("Read {link}. Thanks");
    assert_eq!(x::length(&text), "Read ".len() + 23 + ". Thanks".len());
    assert_eq!(Entities::find(Network::X, &text).urls.iter().map(|s| s.of(&text)).collect::<Vec<_>>(), [link.as_str()]);
    assert_eq!(report(Network::Mastodon, &text).length, "Read ".len() + 23 + ". Thanks".len());
    // A long word that is no link counts character by character.
    assert_eq!(x::length(&"你".repeat(300)), 600);
    // The largest text allowed, one huge word, is counted at once.
    let huge = "a".repeat(MAX_TEXT_BYTES);
    assert_eq!(report(Network::Facebook, &huge).length, MAX_TEXT_BYTES);
    assert_eq!(x::length(&huge), MAX_TEXT_BYTES);
}

#[test]
fn empty_and_enormous_texts_get_clear_answers() {
    assert_eq!(rules(&report(Network::X, "  ")), ["x.empty"]);
    let picture =
        crate::content::MediaUse { media_id: crate::id::MediaId::from_uuid(Uuid::from_u128(1)), alt_text: Some("A nurse".into()) };
    let wordless = Content { media: vec![picture], ..Content::default() };
    let r = report_of(Network::X, &wordless, None).expect("within size");
    assert!(r.findings.iter().all(|f| f.rule != "x.empty"), "a picture alone is a post: {:?}", r.findings);
    assert_eq!(
        check_text(Network::X, &"a".repeat(MAX_TEXT_BYTES + 1), None),
        Err(PreflightError::TooLarge(Field::Text, MAX_TEXT_BYTES + 1))
    );
}

#[test]
fn a_thread_is_counted_post_by_post_where_the_network_has_threads() {
    let content = Content { text: "1/ Our new wing".into(), thread: vec!["2/ opens".into(), "a".repeat(281)], ..Content::default() };
    let x = report_of(Network::X, &content, None).expect("within size");
    assert_eq!(x.follow_ups.iter().map(|c| (c.field, c.length)).collect::<Vec<_>>(), [(Field::Thread(0), 8), (Field::Thread(1), 281)]);
    let over: Vec<_> = x.findings.iter().map(|f| (f.rule.as_str(), f.field)).collect();
    assert_eq!(over, [("x.length", Field::Thread(1))], "the post that does not fit is named");
    let linkedin = report_of(Network::Linkedin, &content, None).expect("within size");
    assert_eq!(rules(&linkedin), ["linkedin.thread"]);
    assert_eq!((linkedin.findings[0].severity, linkedin.findings[0].check), (Severity::Warning, Check::FollowUps));
}

#[test]
fn a_first_comment_is_a_reply_a_comment_or_not_published() {
    let content = Content { text: "Post".into(), first_comment: Some("c".repeat(1251)), ..Content::default() };
    assert!(
        report_of(Network::X, &content, None)
            .expect("size")
            .findings
            .iter()
            .any(|f| f.rule == "x.length" && f.field == Field::FirstComment)
    );
    let linkedin = report_of(Network::Linkedin, &content, None).expect("size");
    assert_eq!(rules(&linkedin), ["linkedin.comment_length"]);
    assert_eq!(linkedin.follow_ups[0].limit, 1250);
    assert!(report_of(Network::Facebook, &content, None).expect("size").findings.is_empty());
    assert_eq!(
        rules(&report_of(Network::Pinterest, &content, None).expect("size")),
        ["pinterest.media.required", "pinterest.first_comment"]
    );
}

#[test]
fn links_are_listed_and_unsafe_or_malformed_ones_found() {
    let content = Content {
        text: "Visit https://example.org/heart and javascript:alert(1)".into(),
        link: Some("javascript:alert(1)".into()),
        ..Content::default()
    };
    let r = report_of(Network::Linkedin, &content, None).expect("size");
    assert_eq!(r.links.iter().map(|l| l.url.as_str()).collect::<Vec<_>>(), ["https://example.org/heart"]);
    let found: Vec<_> = r.findings.iter().map(|f| (f.rule.as_str(), f.field)).collect();
    assert_eq!(found, [("links.unsafe", Field::Text), ("links.malformed", Field::Link)], "in the order of the fields");
}

#[test]
fn entities_are_each_networks() {
    let text = "Hi @dana and @dana.bsky.social #heart";
    let bluesky = Entities::find(Network::Bluesky, text);
    assert_eq!(bluesky.mentions.iter().map(|s| s.of(text)).collect::<Vec<_>>(), ["@dana.bsky.social"]);
    let x = Entities::find(Network::X, text);
    assert_eq!(x.mentions.iter().map(|s| s.of(text)).collect::<Vec<_>>(), ["@dana", "@dana"], "X stops a handle at the dot");
}

#[test]
fn fields_are_written_as_paths() {
    for field in [Field::Text, Field::Title, Field::FirstComment, Field::Link, Field::Thread(3), Field::Media(0)] {
        assert_eq!(field.to_string().parse::<Field>(), Ok(field));
    }
    assert!("thread.x".parse::<Field>().is_err());
    assert!("body".parse::<Field>().is_err());
}

const NETWORKS: [Network; 8] = [
    Network::X,
    Network::Bluesky,
    Network::Mastodon,
    Network::Linkedin,
    Network::Instagram,
    Network::Threads,
    Network::Facebook,
    Network::Pinterest,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_text_is_counted_and_findings_lie_inside_it(
        text in "\\PC{0,400}",
        thread in prop::collection::vec("\\PC{0,80}", 0..3),
        first_comment in prop::option::of("\\PC{0,80}"),
        network in 0..NETWORKS.len(),
    ) {
        let content = Content { text: text.clone(), thread: thread.clone(), first_comment: first_comment.clone(), ..Content::default() };
        let r = report_of(NETWORKS[network], &content, None).expect("within size");
        let chars = |field: Field| match field {
            Field::Text => text.chars().count(),
            Field::Title => "A post".chars().count(),
            Field::FirstComment => first_comment.as_deref().unwrap_or_default().chars().count(),
            Field::Thread(i) => thread[i].chars().count(),
            Field::Link | Field::Media(_) => 0,
        };
        for f in &r.findings {
            if let Some(span) = f.span {
                prop_assert!(span.start <= span.end && span.end <= chars(f.field), "{:?}", f);
            }
        }
        for span in r.entities.all() {
            prop_assert!(span.start < span.end && span.end <= chars(Field::Text));
        }
        for link in &r.links {
            if let Some(span) = link.span {
                prop_assert!(span.start < span.end && span.end <= chars(link.field), "{:?}", link);
            }
        }
    }

    /// Words that mix what entities are made of with other scripts: where
    /// twitter-text's fast parser panics (so such words take its other one).
    #[test]
    fn words_of_symbols_and_scripts_never_panic(text in "[a-zé@＠#＃$._:/日ßİﬀ\u{301}\u{200d}👍1０ ]{0,60}", network in 0..NETWORKS.len()) {
        let r = report(NETWORKS[network], &text);
        prop_assert!(r.entities.all().all(|s| s.end <= text.chars().count()));
    }

    #[test]
    fn any_unicode_at_all_never_panics(text in any::<String>(), network in 0..NETWORKS.len()) {
        let _ = check_text(NETWORKS[network], &text, None);
    }

    #[test]
    fn adding_a_word_never_lowers_a_count(text in "\\PC{0,200}", word in "\\PC{1,20}", network in 0..NETWORKS.len()) {
        // A word after a space: it cannot turn earlier text into a link.
        let network = NETWORKS[network];
        let before = report(network, &text).length;
        let after = report(network, &format!("{text} {word}")).length;
        prop_assert!(after >= before, "{before} → {after}");
    }
}

#[test]
fn a_check_is_named_in_forms_as_in_files() {
    for check in Check::ALL {
        assert_eq!(serde_json::to_value(check).ok(), Some(serde_json::Value::from(check.as_str())));
        assert_eq!(Check::parse(check.as_str()), Some(check));
    }
    assert_eq!(Check::parse("spelling"), None);
}

/// Findings of every kind preflight makes: at least one of each catalogue
/// message.
fn every_kind_of_finding() -> Vec<Finding> {
    let id = |n: u128| crate::id::MediaId::from_uuid(Uuid::from_u128(n));
    let label = LabelId::from_uuid(Uuid::from_u128(7));
    let mut out = Vec::new();
    let run = |network: Network, content: Content, guide: &CompiledGuide, unreachable: &BTreeMap<String, String>| {
        let labels = BTreeSet::from([label]);
        let media = BTreeMap::new();
        let subject = Subject {
            channel: Channel { network, handle: "@riverside", text_limit: None },
            post: PostFacts { title: "A post", labels: &labels, campaign: None },
            content: content.effective(crate::id::ChannelId::from_uuid(Uuid::nil())),
            known: Known { media: &media, unreachable },
        };
        check(&subject, guide).expect("within size").findings
    };
    let plain = CompiledGuide::default();
    let none = BTreeMap::new();
    let text = |t: String| Content { text: t, ..Content::default() };
    // Text, counted each network's way, and follow-ups.
    out.extend(run(Network::X, text("  ".into()), &plain, &none));
    out.extend(run(Network::X, Content { text: "Post".into(), thread: vec![" ".into()], ..Content::default() }, &plain, &none));
    out.extend(run(Network::Linkedin, text("a".repeat(3001)), &plain, &none));
    out.extend(run(Network::X, text("a".repeat(281)), &plain, &none));
    out.extend(run(Network::Bluesky, text("a".repeat(301)), &plain, &none));
    out.extend(run(Network::Bluesky, text(FAMILY.repeat(300)), &plain, &none));
    out.extend(run(Network::Pinterest, text("a".repeat(801)), &plain, &none));
    out.extend(run(
        Network::Linkedin,
        Content { text: "Post".into(), first_comment: Some("c".repeat(1251)), ..Content::default() },
        &plain,
        &none,
    ));
    out.extend(run(
        Network::Pinterest,
        Content { text: "Post".into(), first_comment: Some("c".into()), ..Content::default() },
        &plain,
        &none,
    ));
    out.extend(run(Network::Linkedin, Content { text: "Post".into(), thread: vec!["more".into()], ..Content::default() }, &plain, &none));
    out.extend(run(Network::Instagram, text((0..31).map(|i| format!("#tag{i} ")).collect()), &plain, &none));
    out.extend(run(Network::Instagram, text((0..21).map(|i| format!("@user{i} ")).collect()), &plain, &none));
    out.extend(run(Network::Threads, text("#one #two".into()), &plain, &none));
    out.extend(pinterest::check_title(&"t".repeat(101)));
    out.push(check_text(Network::X, &"a".repeat(MAX_TEXT_BYTES + 1), None).expect_err("too large").finding());
    // Links.
    let unreachable = BTreeMap::from([("https://example.org/gone".to_owned(), "HTTP 404".to_owned())]);
    out.extend(run(
        Network::Bluesky,
        text("See https://%% and https://example.org/gone or javascript:alert(1)".into()),
        &plain,
        &unreachable,
    ));
    out.extend(run(
        Network::X,
        Content { text: "Post".into(), link: Some("javascript:alert(1)".into()), ..Content::default() },
        &plain,
        &none,
    ));
    let long_link = format!("https://example.org/{}", "a".repeat(2048));
    out.extend(run(Network::X, Content { text: "Post".into(), link: Some(long_link), ..Content::default() }, &plain, &none));
    // Media.
    let image =
        |size: u64, w: u32, h: u32| MediaFacts { mime: "image/jpeg".into(), size, width: Some(w), height: Some(h), duration_ms: None };
    let video = |secs: u64| MediaFacts { mime: "video/mp4".into(), duration_ms: Some(secs * 1000), ..image(5_000_000, 1080, 1920) };
    let uses =
        |n: u128, alt: Option<&str>| (1..=n).map(|i| MediaUse { media_id: id(i), alt_text: alt.map(str::to_owned) }).collect::<Vec<_>>();
    let known = |facts: Vec<MediaFacts>| facts.into_iter().enumerate().map(|(i, f)| (id(i as u128 + 1), f)).collect::<BTreeMap<_, _>>();
    let severity = Severity::Error;
    out.extend(media::check(Network::Instagram, &[], &BTreeMap::new(), severity));
    out.extend(media::check(Network::X, &uses(1, Some("x")), &BTreeMap::new(), severity));
    out.extend(media::check(Network::X, &uses(5, Some("x")), &known(vec![image(1000, 10, 10); 5]), severity));
    out.extend(media::check(Network::X, &uses(2, Some("x")), &known(vec![video(10), video(10)]), severity));
    let gif = MediaFacts { mime: "image/gif".into(), ..image(1000, 10, 10) };
    out.extend(media::check(Network::X, &uses(2, Some("x")), &known(vec![image(1000, 10, 10), gif]), severity));
    let png = MediaFacts { mime: "image/png".into(), ..image(1000, 1080, 1080) };
    out.extend(media::check(Network::Instagram, &uses(1, Some("x")), &known(vec![png]), severity));
    out.extend(media::check(Network::Bluesky, &uses(1, Some("x")), &known(vec![image(2_500_000, 100, 100)]), severity));
    out.extend(media::check(Network::Threads, &uses(1, None), &known(vec![video(400)]), severity));
    out.extend(media::check(Network::Instagram, &uses(1, Some("x")), &known(vec![image(1000, 2000, 1000)]), severity));
    out.extend(media::check(Network::Mastodon, &uses(1, Some("x")), &known(vec![image(1000, 8000, 8000)]), severity));
    out.extend(media::check(Network::Mastodon, &uses(1, None), &known(vec![image(1000, 10, 10)]), severity));
    out.extend(media::check(Network::Mastodon, &uses(1, Some(&"a".repeat(1501))), &known(vec![image(1000, 10, 10)]), severity));
    out.extend(media::check(Network::Bluesky, &uses(1, Some(&"a".repeat(2001))), &known(vec![image(1000, 10, 10)]), severity));
    // The style guide.
    let guide: StyleGuide = serde_json::from_value(serde_json::json!({
        "banned": [{"phrase": "cure", "reason": "we never promise outcomes"}, {"phrase": "world class"}],
        "terms": [{"preferred": "health care", "avoid": ["healthcare"]}],
        "max_emoji": {"max": 1},
        "max_exclamations": {"max": 1},
        "all_caps": {},
        "patterns": [{"id": "phone", "pattern": r"\b\d{3}-\d{4}\b", "message": "write phone numbers in full"}],
        "disclosures": [{"when": {"label_id": label}, "text": "#ad"}],
        "hashtags": {"banned": ["#covidhoax"], "required": [{"tag": "RiversideHealth"}]},
        "always_tag": [{"mention": "@RiversideHeart", "network": "x", "when": {"label_id": label}}]
    }))
    .expect("a guide");
    let guide = guide.compile().expect("valid");
    let styled = "We cure with world class healthcare 👍 ❤️ Wow!! FREE FLU SHOTS, call 555-1234 #CovidHoax";
    out.extend(run(Network::X, text(styled.into()), &guide, &none));
    out
}

/// The catalogue's English message `id` with `args` put in, from the
/// i18n crate's file (read as text: the domain stays free of it).
fn english(id: &str, args: &BTreeMap<String, String>) -> Option<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../i18n/locales/en/preflight.ftl");
    let file = std::fs::read_to_string(path).expect("the English catalogue");
    let pattern = file.lines().find_map(|l| l.strip_prefix(id)?.strip_prefix(" = "))?;
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("{ $") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find(" }").expect("a closed placeable") + start;
        let name = &rest[start + 3..end];
        out.push_str(args.get(name).unwrap_or_else(|| panic!("{id} puts in ${name}, which the finding lacks")));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

#[test]
fn every_finding_has_words_the_catalogue_writes_as_its_message() {
    let findings = every_kind_of_finding();
    let mut ids = BTreeSet::new();
    for f in &findings {
        let words = f.words.as_ref().unwrap_or_else(|| panic!("{} has no words: {}", f.rule, f.message));
        assert!(words.id.starts_with("finding-"), "{}", words.id);
        let written = english(&words.id, &words.args).unwrap_or_else(|| panic!("the catalogue lacks {}", words.id));
        assert_eq!(written, f.message, "{} ({})", words.id, f.rule);
        ids.insert(words.id.as_str());
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../i18n/locales/en/preflight.ftl");
    let file = std::fs::read_to_string(path).expect("the English catalogue");
    let defined: BTreeSet<&str> = file.lines().filter_map(|l| l.split_once(" = ")).map(|(id, _)| id).collect();
    let unseen: Vec<_> = defined.difference(&ids).collect();
    assert!(unseen.is_empty(), "no finding here says {unseen:?}");
}
