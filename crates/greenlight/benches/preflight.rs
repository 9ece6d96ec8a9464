//! How long preflight takes, printed as figures: the pure check of one
//! channel per network, and the live check as the API runs it (the
//! workspace's channels, guide and media read from SQLite, then every
//! channel checked) — what `Server-Timing` reports.
//!
//! `cargo bench -p greenlight --bench preflight`

mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant},
};

use greenlight_domain::{
    content::Content,
    id::ChannelId,
    network::Network,
    preflight::{self, Channel, CompiledGuide, Known, PostFacts, StyleGuide, Subject},
};
use greenlight_service::{
    Caller, accounts,
    planning::{self, NewChannel},
    preflight::{PreflightInput, check, save_style_guide},
    workspaces::{self, NewWorkspace},
};

/// A normal post: two sentences, a link, two hashtags, a mention.
const POST: &str = "Five small habits for a healthier heart, from our cardiology team at Riverside: walk after dinner, \
                    swap one snack for fruit, and sleep seven hours. More tips at https://riverside.example.org/heart-habits \
                    #HeartMonth #health with @RiversideHeart";

/// A brand book of realistic size: 100 banned phrases, 50 terms, 10 patterns.
fn guide() -> StyleGuide {
    let banned: Vec<_> = (0..100).map(|i| serde_json::json!({"phrase": format!("banned phrase {i}")})).collect();
    let terms: Vec<_> = (0..50).map(|i| serde_json::json!({"preferred": format!("term {i}"), "avoid": [format!("term{i}")]})).collect();
    let patterns: Vec<_> = (0..10)
        .map(|i| serde_json::json!({"id": format!("p{i}"), "pattern": format!(r"\b\d{{3}}-\d{{{}}}\b", i + 4), "message": "m"}))
        .collect();
    serde_json::from_value(serde_json::json!({
        "banned": banned, "terms": terms, "patterns": patterns,
        "max_emoji": {"max": 3}, "max_exclamations": {"max": 2}, "all_caps": {},
        "hashtags": {"banned": ["covidhoax"]},
        "utm": {"utm_source": "{network}", "utm_medium": "social"}
    }))
    .expect("a guide")
}

/// The median and 99th percentile of `runs` timings of `f`, in microseconds.
fn time(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut took: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    took.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    (micros(took[runs / 2]), micros(took[runs * 99 / 100]))
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

fn pure(guide: &CompiledGuide) {
    let content = Content { text: POST.into(), first_comment: Some("#heart #health".into()), ..Content::default() };
    let long = Content { text: POST.repeat(20), ..Content::default() };
    let (labels, media, unreachable) = (BTreeSet::new(), BTreeMap::new(), BTreeMap::new());
    println!(
        "Pure check of one channel (domain, no I/O), {} characters and {} characters:",
        POST.chars().count(),
        long.text.chars().count()
    );
    println!("| network | median µs | p99 µs | without the guide µs | 20 times as long µs |");
    println!("|---|--:|--:|--:|--:|");
    let bare = CompiledGuide::default();
    for network in NETWORKS {
        let run = |content: &Content, guide: &CompiledGuide| {
            let subject = Subject {
                channel: Channel { network, handle: "riverside", text_limit: None },
                post: PostFacts { title: "Heart habits", labels: &labels, campaign: None },
                content: content.effective(ChannelId::from_uuid(uuid::Uuid::nil())),
                known: Known { media: &media, unreachable: &unreachable },
            };
            std::hint::black_box(preflight::check(&subject, guide).expect("within size"));
        };
        let (median, p99) = time(2000, || run(&content, guide));
        let (bare_median, _) = time(2000, || run(&content, &bare));
        let (long_median, _) = time(200, || run(&long, guide));
        println!("| {} | {median:.1} | {p99:.1} | {bare_median:.1} | {long_median:.1} |", network.title());
    }
}

async fn through_the_service() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let app = common::app(dir.path()).await;
    let cli = Caller::cli();
    let input = accounts::NewUser {
        email: "bench@example.org".into(),
        name: "Bench".into(),
        password: "a long bench password".into(),
        is_admin: true,
    };
    let user = accounts::create_user(&app, &cli, input).await.expect("user");
    let input = NewWorkspace { name: "Bench".into(), time_zone: "UTC".into(), owner_email: Some("bench@example.org".into()) };
    let ws = workspaces::create_workspace(&app, &cli, input).await.expect("workspace").id;
    let mut channels = Vec::new();
    for network in NETWORKS {
        let input =
            NewChannel { network: network.as_str().into(), handle: "riverside".into(), display_name: "Riverside".into(), text_limit: None };
        channels.push(planning::create_channel(&app, &cli, ws, input).await.expect("channel").id);
    }
    let owner = Caller::session(user.id, true);
    save_style_guide(&app, &owner, ws, Some(0), guide()).await.expect("guide");
    println!();
    println!("Live check through the service on SQLite (read the workspace, check, answer):");
    println!("| channels | median µs | p99 µs |");
    println!("|--:|--:|--:|");
    for n in [1, channels.len()] {
        let mut took = Vec::new();
        for _ in 0..1000 {
            let input = PreflightInput {
                title: None,
                content: Content { text: POST.into(), ..Content::default() },
                channel_ids: channels[..n].to_vec(),
                label_ids: Vec::new(),
                campaign_id: None,
            };
            let start = Instant::now();
            std::hint::black_box(check(&app, &owner, ws, input).await.expect("checked"));
            took.push(start.elapsed());
        }
        let (median, p99) = common::median_p99(&mut took);
        let micros = |d: Duration| d.as_secs_f64() * 1e6;
        println!("| {n} | {:.1} | {:.1} |", micros(median), micros(p99));
    }
}

fn main() {
    let guide = guide().compile().expect("the bench guide compiles");
    pure(&guide);
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(through_the_service());
}
