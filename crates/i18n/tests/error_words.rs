//! The domain's errors carry catalogue words whose English is exactly the
//! text the error writes (the API answers that text; pages in English
//! write the catalogue's), and whose Danish is a translation.

use greenlight_domain::{
    names::{Colour, Email, Handle, Name, Password, ZoneName},
    preflight::StyleGuide,
    schedule::PlannedTime,
    share::{MAX_VALID_DAYS, check_expiry},
    validation::{Errors, FieldError, Said, Words},
    workflow::definition::{Definition, PublishTimePolicy},
};
use greenlight_i18n::{Arg, Lang, lookup};
use jiff::{SignedDuration, Timestamp};

fn written(lang: Lang, words: &Words) -> String {
    let args: Vec<(&str, Arg)> = words.args.iter().map(|(name, value)| (name.as_str(), Arg::Text(value.clone()))).collect();
    lookup(lang, &words.id, &args)
}

/// The catalogue writes `english` from `words`, and Danish differently.
fn same(english: &str, words: Option<&Words>) {
    let words = words.unwrap_or_else(|| panic!("no words for {english:?}"));
    assert!(words.id.starts_with("err-domain-"), "{}", words.id);
    assert_eq!(written(Lang::En, words), english, "{}", words.id);
    let danish = written(Lang::Da, words);
    assert_ne!(danish, english, "{}", words.id);
    assert!(!danish.contains("{$") && danish != words.id, "{}: {danish}", words.id);
}

fn said<T>(result: Result<T, impl Said>) {
    let Err(e) = result else { panic!("an error") };
    same(&e.to_string(), e.words().as_ref());
}

fn fields(errors: Vec<FieldError>) {
    assert!(!errors.is_empty());
    for e in errors {
        same(&e.message, e.words.as_ref());
    }
}

#[test]
fn names_say_their_english() {
    said(Name::parse(""));
    said(Name::parse(&"x".repeat(101)));
    said(Name::parse("a\u{7}b"));
    said(Email::parse("x"));
    said(Email::parse(&format!("{}@example.org", "x".repeat(260))));
    said(Password::parse("short"));
    said(Colour::parse("red"));
    said(Handle::parse(""));
    said(Handle::parse("a b"));
    said(ZoneName::parse("Mars/Olympus"));
}

#[test]
fn schedule_errors_say_their_english() {
    said(PlannedTime::parse("tomorrow"));
    said(PlannedTime::parse("2026-12-01T09:00"));
    said(PlannedTime::parse("2026-12-01T09:00[Mars/Olympus]"));
    said(PlannedTime::parse("2026-03-29T02:30[Europe/Copenhagen]"));
    said(PlannedTime::parse("2026-10-25T02:30[Europe/Copenhagen]"));
    said(PlannedTime::parse("2026-12-01T09:00+05:00[Europe/Copenhagen]"));
}

#[test]
fn field_errors_say_their_english() {
    let now = Timestamp::from_second(1_800_000_000).expect("time");
    for expires_at in [now, now + SignedDuration::from_hours(24 * (MAX_VALID_DAYS + 1))] {
        let mut errors = Errors::new();
        check_expiry(&mut errors, expires_at, now);
        fields(errors.into_vec());
    }
    let definition = Definition {
        stages: Vec::new(),
        allow_self_approval: false,
        on_publish_time: PublishTimePolicy::Grace { minutes: 0 },
        one_approval_covers_next_stages: true,
    };
    fields(definition.validate().expect_err("no stages"));
    let mut guide = StyleGuide::default();
    guide.utm.insert("bad key".into(), "{nope}".into());
    guide.utm.insert("utm_source".into(), String::new());
    let Err(errors) = guide.compile() else { panic!("bad utm") };
    fields(errors);
}
