use proptest::prelude::*;

use super::*;

fn report(network: Network, text: &str) -> TextReport {
    check_text(network, text, None).expect("within size")
}

fn rules(r: &TextReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule.as_str()).collect()
}

const FAMILY: &str = "👨\u{200d}👩\u{200d}👧\u{200d}👦";

#[test]
fn bluesky_counts_graphemes() {
    assert_eq!(bluesky::length(FAMILY), 1, "a family emoji is one grapheme");
    assert_eq!(bluesky::length("e\u{301}"), 1, "a combining accent joins its letter");
    assert_eq!(bluesky::length("🇩🇰"), 1, "a flag is one");
    assert!(report(Network::Bluesky, &FAMILY.repeat(300)).findings.iter().all(|f| f.rule != "bluesky.length"));
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
    assert_eq!(rules(&r), ["instagram.hashtags"]);
    let span = r.findings[0].span.expect("span");
    assert_eq!(span.of(&tags), "#tag30", "points at the first one too many");
    let mentions: String = (0..21).map(|i| format!("@user{i} ")).collect();
    assert_eq!(rules(&report(Network::Instagram, &mentions)), ["instagram.mentions"]);
    assert!(report(Network::Instagram, &"a".repeat(2200)).findings.is_empty());
    assert_eq!(rules(&report(Network::Instagram, &"a".repeat(2201))), ["instagram.length"]);
}

#[test]
fn other_networks_have_their_documented_limits() {
    for (network, limit) in [(Network::Linkedin, 3000), (Network::Threads, 500), (Network::Facebook, 63_206), (Network::Pinterest, 800)] {
        assert!(report(network, &"a".repeat(limit)).findings.is_empty(), "{network:?}");
        assert_eq!(report(network, &"a".repeat(limit + 1)).findings.len(), 1, "{network:?}");
    }
    assert_eq!(report(Network::Threads, "#one #two").findings[0].severity, Severity::Warning);
    assert!(pinterest::check_title(&"t".repeat(100)).is_none());
    assert_eq!(pinterest::check_title(&"t".repeat(101)).map(|f| f.rule), Some("pinterest.title_length".into()));
}

#[test]
fn entities_are_found_in_characters() {
    let text = "Café ☕ #morning with @dana@social.example and https://example.org/x 👍 @lee";
    let found = Entities::find(text);
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
    assert_eq!(Entities::find(&text).urls.iter().map(|s| s.of(&text)).collect::<Vec<_>>(), [link.as_str()]);
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
    assert_eq!(check_text(Network::X, &"a".repeat(MAX_TEXT_BYTES + 1), None), Err(PreflightError::TooLarge(MAX_TEXT_BYTES + 1)));
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
    fn any_text_is_counted_and_findings_lie_inside_it(text in "\\PC{0,400}", network in 0..NETWORKS.len()) {
        let r = report(NETWORKS[network], &text);
        let chars = text.chars().count();
        for f in &r.findings {
            if let Some(span) = f.span {
                prop_assert!(span.start <= span.end && span.end <= chars, "{:?} in {} chars", f, chars);
            }
        }
        for span in r.entities.hashtags.iter().chain(&r.entities.mentions).chain(&r.entities.urls) {
            prop_assert!(span.start < span.end && span.end <= chars);
        }
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
