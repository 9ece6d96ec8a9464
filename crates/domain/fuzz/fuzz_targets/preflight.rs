//! Any bytes, as a post's text, thread and first comment on every network
//! with a style guide that exercises every rule: preflight never panics, and
//! every range it reports lies inside the text it is about.

#![no_main]

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::LazyLock,
};

use greenlight_domain::{
    content::Content,
    id::ChannelId,
    network::Network,
    preflight::{Channel, CompiledGuide, Entities, Field, Known, PostFacts, StyleGuide, Subject, check},
};
use libfuzzer_sys::fuzz_target;

static GUIDE: LazyLock<CompiledGuide> = LazyLock::new(|| {
    let guide: StyleGuide = serde_json::from_str(
        r##"{
            "banned": [{"phrase": "cure"}, {"phrase": "world class"}, {"phrase": "#ad"}],
            "terms": [{"preferred": "health care", "avoid": ["healthcare", "Health-care"]}],
            "hashtags": {"banned": ["covidhoax"]},
            "max_emoji": {"max": 2}, "max_exclamations": {"max": 1}, "all_caps": {"min_words": 2},
            "patterns": [{"id": "phone", "pattern": "\\d{3}-\\d{4}", "message": "m"}],
            "utm": {"utm_source": "{network}", "utm_campaign": "{campaign}"}
        }"##,
    )
    .expect("a guide");
    guide.compile().expect("compiles")
});

const NETWORKS: [Network; 9] = [
    Network::X,
    Network::Bluesky,
    Network::Mastodon,
    Network::Linkedin,
    Network::Instagram,
    Network::Threads,
    Network::Facebook,
    Network::Pinterest,
    Network::Webhook,
];

fuzz_target!(|data: &[u8]| {
    // Split the input into the text, a thread post and a first comment.
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{1}');
    let content = Content {
        text: parts.next().unwrap_or_default().to_owned(),
        thread: parts.next().map(str::to_owned).into_iter().collect(),
        first_comment: parts.next().map(str::to_owned),
        link: Some("https://example.org/x".into()),
        ..Content::default()
    };
    let (labels, media, unreachable) = (BTreeSet::new(), BTreeMap::new(), BTreeMap::new());
    for network in NETWORKS {
        let subject = Subject {
            channel: Channel { network, handle: "@riverside", text_limit: None },
            post: PostFacts { title: &content.text, labels: &labels, campaign: None },
            content: content.effective(ChannelId::from_uuid(uuid::Uuid::nil())),
            known: Known { media: &media, unreachable: &unreachable },
        };
        let Ok(report) = check(&subject, &GUIDE) else { continue };
        let chars = |field: Field| match field {
            Field::Text | Field::Title => content.text.chars().count(),
            Field::Thread(i) => content.thread[i].chars().count(),
            Field::FirstComment => content.first_comment.as_deref().unwrap_or_default().chars().count(),
            Field::Link | Field::Media(_) => 0,
        };
        for f in &report.findings {
            if let Some(span) = f.span {
                assert!(span.start <= span.end && span.end <= chars(f.field), "{f:?}");
            }
        }
        for span in report.entities.all() {
            assert!(span.start < span.end && span.end <= chars(Field::Text), "{span:?}");
        }
        let again = Entities::find(network, &content.text);
        assert_eq!(again, report.entities, "extraction is deterministic");
    }
});
