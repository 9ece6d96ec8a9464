//! Finding words in a post: case-insensitive (Unicode lower case, so
//! "ÆBLE" finds "æble"), and the few words around a hit for a result list.

/// Where `needle` first occurs in `text`, ignoring case: a byte range of `text`.
pub fn find(text: &str, needle: &str) -> Option<(usize, usize)> {
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return None;
    }
    text.char_indices().find_map(|(start, _)| {
        // The text from `start`, lowered a character at a time, with where each lowered one came from.
        let mut lowered = text[start..].char_indices().flat_map(|(i, c)| c.to_lowercase().map(move |l| (start + i + c.len_utf8(), l)));
        let mut end = start;
        for want in &needle {
            match lowered.next() {
                Some((after, got)) if got == *want => end = after,
                _ => return None,
            }
        }
        Some((start, end))
    })
}

/// A hit with a little of the text on each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub before: String,
    pub hit: String,
    pub after: String,
}

/// Characters of context shown before and after a hit.
const BEFORE: usize = 60;
const AFTER: usize = 120;

/// The first hit of `needle` in `text` with its surroundings ("…" where cut).
pub fn excerpt(text: &str, needle: &str) -> Option<Excerpt> {
    let (start, end) = find(text, needle)?;
    let head = &text[..start];
    let skip = head.chars().count().saturating_sub(BEFORE);
    let before: String = head.chars().skip(skip).collect();
    let tail = &text[end..];
    let after: String = tail.chars().take(AFTER).collect();
    Some(Excerpt {
        before: if skip > 0 { format!("…{before}") } else { before },
        hit: text[start..end].to_owned(),
        after: if tail.chars().nth(AFTER).is_some() { format!("{after}…") } else { after },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_is_ignored_the_unicode_way() {
        assert_eq!(find("Æbleskiver i dag", "æBLE"), Some((0, 5)));
        assert_eq!(find("Flu shots", "SHOTS"), Some((4, 9)));
        assert_eq!(find("Flu shots", "shoes"), None);
        assert_eq!(find("anything", ""), None);
    }

    #[test]
    fn an_excerpt_keeps_a_little_on_each_side() {
        let text = format!("{}needle{}", "a".repeat(100), "b".repeat(200));
        let e = excerpt(&text, "NEEDLE").unwrap();
        assert_eq!(e.hit, "needle");
        assert_eq!(e.before, format!("…{}", "a".repeat(BEFORE)));
        assert_eq!(e.after, format!("{}…", "b".repeat(AFTER)));
        let short = excerpt("Free flu shots", "flu").unwrap();
        assert_eq!((short.before.as_str(), short.hit.as_str(), short.after.as_str()), ("Free ", "flu", " shots"));
    }
}
