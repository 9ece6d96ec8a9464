//! Every catalogue message a preflight finding names (`finding-…` in
//! `crates/domain/src/preflight`) is written in both languages, with the
//! same values put in, and nothing else is defined under that prefix.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

use greenlight_i18n::{Arg, Lang, defines, lookup};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `"finding-…"` string literal in the domain's preflight sources.
fn ids_in_domain() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![crates_dir().join("domain/src/preflight")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("preflight sources") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).expect("source");
                for (i, _) in text.match_indices("\"finding-") {
                    let id: String = text[i + 1..].chars().take_while(|c| *c != '"').collect();
                    // (`"finding-"` alone is the prefix, as a test checks it.)
                    if !id.ends_with('-') && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                        out.insert(id);
                    }
                }
            }
        }
    }
    out
}

/// The `finding-…` messages of a language's files, by id.
fn findings_in_catalogue(lang: Lang) -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang.code());
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(&dir).expect("locale dir") {
        let text = fs::read_to_string(entry.expect("entry").path()).expect("ftl file");
        for line in text.lines() {
            if let Some((id, value)) = line.split_once(" = ")
                && id.starts_with("finding-")
            {
                assert!(out.insert(id.to_owned(), value.to_owned()).is_none(), "{id} is defined twice in {lang:?}");
            }
        }
    }
    out
}

/// The values a message puts in (`{ $name }`).
fn variables(message: &str) -> BTreeSet<String> {
    message.match_indices("{ $").map(|(i, _)| message[i + 3..].chars().take_while(|c| *c != ' ' && *c != '}').collect()).collect()
}

#[test]
fn every_finding_message_is_defined_in_both_languages() {
    let ids = ids_in_domain();
    assert!(ids.len() >= 40, "the preflight sources were not read: {ids:?}");
    let (en, da) = (findings_in_catalogue(Lang::En), findings_in_catalogue(Lang::Da));
    for id in &ids {
        let (Some(english), Some(danish)) = (en.get(id), da.get(id)) else {
            panic!("{id} is not in both languages' preflight.ftl");
        };
        let names = variables(english);
        assert_eq!(variables(danish), names, "{id}: Danish puts in other values than English");
        let args: Vec<(&str, Arg)> = names.iter().map(|n| (n.as_str(), Arg::Text("7".into()))).collect();
        for lang in Lang::ALL {
            let written = lookup(lang, id, &args);
            assert!(defines(lang, id), "{id} in {lang:?}");
            assert!(written != *id && !written.contains("{$"), "{id} does not format in {lang:?}: {written}");
        }
    }
    let unused: Vec<_> = en.keys().chain(da.keys()).filter(|id| !ids.contains(*id)).collect();
    assert!(unused.is_empty(), "no finding names {unused:?}");
}
