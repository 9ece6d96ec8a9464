//! Text a word at a time, for twitter-text. Its parser slows with the
//! square of a word's length (a 2,000-character word takes seconds), while
//! its entities — links, hashtags, mentions — never span whitespace. So it
//! is given one word at a time, and no word longer than [`MAX_WORD`]: such a
//! word is a link if it starts with a scheme, else plain text. That bounds
//! the work by the text's length, whatever anyone pastes.

/// The longest word handed to twitter-text.
pub const MAX_WORD: usize = 100;

/// A run of whitespace or of other characters, where it starts (in
/// characters), and whether it is too long for twitter-text.
pub struct Piece<'a> {
    pub text: &'a str,
    pub start: usize,
    pub space: bool,
    pub long: bool,
}

pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start_byte = 0;
    let mut start_char = 0;
    let mut count = 0;
    let mut space = None;
    for (i, c) in text.char_indices() {
        let is_space = c.is_whitespace();
        if space.is_some_and(|s| s != is_space) {
            out.push(piece(&text[start_byte..i], start_char, space == Some(true), count));
            (start_byte, start_char, count) = (i, start_char + count, 0);
        }
        space = Some(is_space);
        count += 1;
    }
    if start_byte < text.len() {
        out.push(piece(&text[start_byte..], start_char, space == Some(true), count));
    }
    out
}

fn piece(text: &str, start: usize, space: bool, chars: usize) -> Piece<'_> {
    Piece { text, start, space, long: !space && chars > MAX_WORD }
}

/// Whether twitter-text could find an entity in the word: a hashtag needs
/// `#`, a mention `@`, a cashtag `$`, a link a dot (its domain's). Most words
/// have none, and skip its parser (which takes microseconds a word).
pub fn may_hold_entity(word: &str) -> bool {
    word.contains(['#', '＃', '@', '＠', '$', '.'])
}

/// Whether X weighs the word as plain text, one per character: ASCII (all
/// of it in weight 1, none of it emoji) with no entity in it.
pub fn plain_ascii(word: &str) -> bool {
    word.is_ascii() && !may_hold_entity(word)
}

/// A long word that is a link: its length in characters without trailing
/// punctuation (which is text after the link).
pub fn long_link(word: &str) -> Option<usize> {
    let lower = word.get(..8).unwrap_or(word).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return None;
    }
    let trimmed = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
    // A host networks accept: named, every label 1–63 characters, at most 253 in all.
    let parsed = url::Url::parse(trimmed).ok()?;
    let url::Host::Domain(host) = parsed.host()? else { return None };
    let labels: Vec<&str> = host.split('.').collect();
    let valid = host.len() <= 253 && labels.len() >= 2 && labels.iter().all(|l| (1..=63).contains(&l.len()));
    valid.then(|| trimmed.chars().count())
}
