//! What changed between two revisions, field by field, with word-level
//! changes for text so a reviewer sees exactly which words moved.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use crate::content::{Content, MediaUse};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    /// `text`, `link`, `media`, `first_comment`, `thread`, or the same under
    /// `variants.<channel id>.`.
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The words of `before` and `after` interleaved, each marked.
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Segment {
    pub op: Op,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Equal,
    Delete,
    Insert,
}

/// Every field whose value differs, in a stable order.
pub fn diff(before: &Content, after: &Content) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let mut field = |name: String, a: Option<String>, b: Option<String>| {
        if a != b {
            let segments = words(a.as_deref().unwrap_or(""), b.as_deref().unwrap_or(""));
            changes.push(FieldChange { field: name, before: a, after: b, segments });
        }
    };
    field("text".into(), Some(before.text.clone()), Some(after.text.clone()));
    field("media".into(), media_text(Some(&before.media)), media_text(Some(&after.media)));
    field("link".into(), before.link.clone(), after.link.clone());
    field("first_comment".into(), before.first_comment.clone(), after.first_comment.clone());
    let base_thread = |c: &Content| thread_text(Some(&c.thread).filter(|t| !t.is_empty()));
    field("thread".into(), base_thread(before), base_thread(after));

    let channels: std::collections::BTreeSet<_> = before.variants.keys().chain(after.variants.keys()).collect();
    for channel in channels {
        let (a, b) = (before.variants.get(channel), after.variants.get(channel));
        let prefix = format!("variants.{channel}");
        field(format!("{prefix}.text"), a.and_then(|v| v.text.clone()), b.and_then(|v| v.text.clone()));
        field(format!("{prefix}.media"), media_text(a.and_then(|v| v.media.as_ref())), media_text(b.and_then(|v| v.media.as_ref())));
        field(format!("{prefix}.link"), a.and_then(|v| v.link.clone()), b.and_then(|v| v.link.clone()));
        field(format!("{prefix}.first_comment"), a.and_then(|v| v.first_comment.clone()), b.and_then(|v| v.first_comment.clone()));
        field(format!("{prefix}.thread"), thread_text(a.and_then(|v| v.thread.as_ref())), thread_text(b.and_then(|v| v.thread.as_ref())));
    }
    changes
}

/// Media as one line per item, so a changed alt text shows as a changed line.
fn media_text(media: Option<&Vec<MediaUse>>) -> Option<String> {
    media.map(|items| items.iter().map(|m| format!("{} alt: {}\n", m.media_id, m.alt_text.as_deref().unwrap_or("(none)"))).collect())
}

/// A thread as its posts, numbered, one per paragraph.
fn thread_text(thread: Option<&Vec<String>>) -> Option<String> {
    thread.map(|t| t.iter().enumerate().map(|(i, post)| format!("{}/ {post}\n\n", i + 2)).collect())
}

fn words(before: &str, after: &str) -> Vec<Segment> {
    let diff = TextDiff::from_words(before, after);
    let mut segments: Vec<Segment> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => Op::Equal,
            ChangeTag::Delete => Op::Delete,
            ChangeTag::Insert => Op::Insert,
        };
        // Merge runs of the same kind so the client gets few, readable segments.
        match segments.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => segments.push(Segment { op, text: change.value().to_owned() }),
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        content::Variant,
        id::{ChannelId, MediaId},
    };

    #[test]
    fn unchanged_content_has_no_changes() {
        let c = Content { text: "Hello".into(), ..Content::default() };
        assert_eq!(diff(&c, &c), vec![]);
    }

    #[test]
    fn text_changes_are_marked_word_by_word() {
        let a = Content { text: "Flu shots at the clinic today".into(), ..Content::default() };
        let b = Content { text: "Free flu shots at the clinic tomorrow".into(), ..Content::default() };
        let changes = diff(&a, &b);
        assert_eq!(changes.len(), 1);
        let ops: Vec<(Op, &str)> = changes[0].segments.iter().map(|s| (s.op, s.text.as_str())).collect();
        assert_eq!(
            ops,
            vec![
                (Op::Delete, "Flu"),
                (Op::Insert, "Free flu"),
                (Op::Equal, " shots at the clinic "),
                (Op::Delete, "today"),
                (Op::Insert, "tomorrow"),
            ]
        );
    }

    #[test]
    fn variant_and_media_changes_are_named_by_field() {
        let channel = ChannelId::from_uuid(uuid::Uuid::from_u128(7));
        let media = MediaId::from_uuid(uuid::Uuid::from_u128(9));
        let a = Content { media: vec![MediaUse { media_id: media, alt_text: None }], ..Content::default() };
        let mut b = Content { media: vec![MediaUse { media_id: media, alt_text: Some("A nurse".into()) }], ..Content::default() };
        b.variants.insert(channel, Variant { text: Some("Short".into()), ..Variant::default() });
        let fields: Vec<String> = diff(&a, &b).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, vec!["media".to_string(), format!("variants.{channel}.text")]);
    }
}
