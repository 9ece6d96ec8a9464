//! Small text helpers the checks share: byte ranges as character spans,
//! and what counts as an emoji.

use std::sync::LazyLock;

use regex::Regex;

use super::Span;

/// Turns byte offsets of one text into character offsets, in one pass
/// however many are asked (offsets must lie on character boundaries).
pub struct CharIndex {
    /// The byte offset where each character starts, then the text's length.
    starts: Vec<usize>,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        let mut starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        starts.push(text.len());
        CharIndex { starts }
    }

    /// The character at byte offset `byte` (the end, past the last).
    pub fn char_at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&b| b < byte)
    }

    pub fn span(&self, bytes: std::ops::Range<usize>) -> Span {
        Span { start: self.char_at(bytes.start), end: self.char_at(bytes.end) }
    }

    /// How many characters the text has.
    pub fn chars(&self) -> usize {
        self.starts.len() - 1
    }
}

/// A pictograph (Unicode's Extended_Pictographic: 😀, ❤, ©) or a regional
/// indicator (the halves of a flag).
static EMOJI: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // a constant pattern, covered by the tests
    Regex::new(r"[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}]").expect("valid pattern")
});

/// Whether a grapheme is an emoji (a keycap or a plain digit is not).
pub fn is_emoji(grapheme: &str) -> bool {
    EMOJI.is_match(grapheme)
}

#[cfg(test)]
mod tests {
    use unicode_segmentation::UnicodeSegmentation;

    use super::*;

    #[test]
    fn byte_offsets_become_character_offsets() {
        let text = "Café ☕ ok";
        let index = CharIndex::new(text);
        let start = text.find('☕').expect("present");
        assert_eq!(index.span(start..start + '☕'.len_utf8()), Span { start: 5, end: 6 });
        assert_eq!(index.char_at(text.len()), 9);
        assert_eq!(index.chars(), 9);
    }

    #[test]
    fn emoji_are_pictographs_and_flags() {
        let emoji: Vec<&str> = "a 👍 ❤️ 🇩🇰 👨‍👩‍👧 1 # ©".graphemes(true).filter(|g| is_emoji(g)).collect();
        assert_eq!(emoji, ["👍", "❤️", "🇩🇰", "👨‍👩‍👧", "©"]);
    }
}
