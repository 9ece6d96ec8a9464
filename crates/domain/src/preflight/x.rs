//! X (Twitter). Text is counted by weight, as X's counting configuration
//! v3 says (developer.x.com, "Counting characters"; twitter-text
//! `config/v3.json`): after NFC normalisation, code points in U+0000–10FF,
//! U+2000–200D, U+2010–201F and U+2032–2037 weigh 1, all others 2; an emoji
//! (with its modifiers and joiners) weighs 2; every link weighs 23,
//! however long. The limit is 280.
//!
//! The counting is twitter-text's, X's own reference grammar in Rust, a
//! word at a time (see `words`; whitespace between words weighs by the
//! ranges above); the tests check it against X's conformance data
//! (`testdata/twitter-text`). A reply (a thread's next post) is a post with
//! the same limit (X API `POST /2/tweets`, `reply.in_reply_to_tweet_id`).

use twitter_text::extractor::ParserBackend;
use unicode_segmentation::UnicodeSegmentation;

use super::{
    Finding, Measure, chars_within_weights,
    media::{Alt, MediaRules, Unit},
    over_limit, words,
};
use crate::network::Network;

pub const LIMIT: usize = 280;
pub const URL_WEIGHT: usize = 23;

/// "You may attach up to 4 photos, 1 animated GIF or 1 video in a Post";
/// images 5 MB, GIFs 15 MB; a post's video 0.5 s to 20 minutes and 8 GB,
/// 1:3 to 3:1 (docs.x.com, "Media best practices"). Alt text: images and
/// GIFs, "Must be <= 1000 chars" (`media/metadata/create`); none on video.
pub const MEDIA: MediaRules = MediaRules {
    required: false,
    max_items: 4,
    max_videos: 1,
    video_alone: true,
    gif_alone: true,
    image_types: &["image/jpeg", "image/png", "image/gif", "image/webp"],
    video_types: &["video/mp4", "video/quicktime"],
    max_image_bytes: 5_000_000,
    max_gif_bytes: 15_000_000,
    max_video_bytes: 8_000_000_000,
    video_ms: (500, 1_200_000),
    image_aspect: None,
    video_aspect: Some((1.0 / 3.0, 3.0)),
    max_image_pixels: None,
    image_alt: Some(Alt { max: 1000, unit: Unit::Chars }),
    video_alt: None,
};

/// The twitter-text parser for a word. Its nom parser is a hundred times
/// faster than its Pest grammar (a link: 0.5 µs against 50) and gives the
/// same answers on X's conformance data, but panics on some words that mix
/// an `@` with non-ASCII text (found by the property tests here, and by
/// fuzzing it: tens of millions of other words never did); those go to the
/// Pest grammar, which does not.
pub(crate) fn backend(word: &str) -> ParserBackend {
    if word.contains(['@', '＠']) && !word.is_ascii() { ParserBackend::External } else { ParserBackend::Nom }
}

/// A code point's weight by the v3 ranges.
fn weight(c: char) -> usize {
    match u32::from(c) {
        0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247 => 1,
        _ => 2,
    }
}

/// Weights of a run counted character by character, as NFC sees it: a
/// mark that composes with the character before it (e + ◌́ → é) adds nothing.
fn char_weights(text: &str, out: &mut [usize]) {
    let mut prev: Option<char> = None;
    for (i, c) in text.chars().enumerate() {
        let composed = prev.and_then(|p| unicode_normalization::char::compose(p, c));
        out[i] = if composed.is_some() { 0 } else { weight(c) };
        prev = Some(composed.unwrap_or(c));
    }
}

/// A long word that is no link, in chunks of whole graphemes the parser
/// takes quickly (emoji and normalisation still counted its way); a single
/// grapheme longer than a chunk (a pile of combining marks) by characters.
fn long_word_weights(word: &str, out: &mut [usize]) {
    let (mut at, mut chunk_start, mut chunk_chars) = (0, 0, 0);
    let mut chunk = String::new();
    for g in word.graphemes(true) {
        let n = g.chars().count();
        if !chunk.is_empty() && (chunk_chars + n > words::MAX_WORD || n > words::MAX_WORD) {
            out[chunk_start] = word_weight(&chunk);
            chunk.clear();
            chunk_chars = 0;
        }
        if n > words::MAX_WORD {
            char_weights(g, &mut out[at..]);
        } else {
            if chunk.is_empty() {
                chunk_start = at;
            }
            chunk.push_str(g);
            chunk_chars += n;
        }
        at += n;
    }
    if !chunk.is_empty() {
        out[chunk_start] = word_weight(&chunk);
    }
}

fn word_weight(word: &str) -> usize {
    let results = twitter_text::parse_with_parser_backend(word, twitter_text_config::config_v3(), true, backend(word));
    usize::try_from(results.weighted_length).unwrap_or(0)
}

/// What each character counts for; a word's weight sits on its first
/// character (a link or an emoji counts as a whole).
fn weights(text: &str) -> Vec<usize> {
    let mut out = Vec::with_capacity(text.len());
    for piece in words::pieces(text) {
        let chars = piece.text.chars().count();
        let first = out.len();
        out.extend(std::iter::repeat_n(0, chars));
        if piece.space {
            char_weights(piece.text, &mut out[first..]);
        } else if words::plain_ascii(piece.text) {
            out[first..].fill(1);
        } else if piece.long {
            match words::long_link(piece.text) {
                Some(len) => {
                    char_weights(piece.text, &mut out[first..]);
                    out[first..first + len].fill(0);
                    out[first] = URL_WEIGHT;
                }
                None => long_word_weights(piece.text, &mut out[first..]),
            }
        } else {
            out[first] = word_weight(piece.text);
        }
    }
    out
}

pub fn length(text: &str) -> usize {
    weights(text).iter().sum()
}

pub fn check(text: &str) -> (usize, usize, Vec<Finding>) {
    let weights = weights(text);
    let length = weights.iter().sum();
    let fits = chars_within_weights(&weights, LIMIT);
    (length, LIMIT, over_limit(Network::X, Measure::WeightedCharacters, length, LIMIT, fits, text).into_iter().collect())
}
