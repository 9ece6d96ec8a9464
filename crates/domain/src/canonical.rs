//! A canonical, unambiguous encoding hashed with SHA-256.
//!
//! Content hashes and audit-chain hashes must not depend on how a JSON
//! library orders keys or spaces output, so values are fed to the hasher as
//! tagged, length-prefixed fields. Optional fields that are absent are not
//! written at all, so adding a new optional field later keeps every existing
//! hash valid.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A SHA-256 digest, written `sha256:<64 hex digits>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The hash before the first event of a chain.
    pub const GENESIS: Hash = Hash([0; 32]);

    pub fn parse(input: &str) -> Option<Self> {
        let hex = input.strip_prefix("sha256:")?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex, &mut bytes).ok()?;
        Some(Self(bytes))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", hex::encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Hash::parse(&s).ok_or_else(|| serde::de::Error::custom("not a sha256: hash"))
    }
}

/// Feeds labelled fields into SHA-256.
pub struct Canonical(Sha256);

impl Canonical {
    /// `domain` separates kinds of hashes (a content hash can never equal an
    /// event hash) and carries the encoding's version.
    pub fn new(domain: &str) -> Self {
        let mut this = Self(Sha256::new());
        this.raw(b'D', domain.as_bytes());
        this
    }

    fn raw(&mut self, tag: u8, bytes: &[u8]) {
        self.0.update([tag]);
        self.0.update((bytes.len() as u64).to_be_bytes());
        self.0.update(bytes);
    }

    /// A labelled string field.
    pub fn str(&mut self, label: &str, value: &str) -> &mut Self {
        self.raw(b'F', label.as_bytes());
        self.raw(b'S', value.as_bytes());
        self
    }

    /// A labelled optional string field; absent fields write nothing.
    pub fn opt_str(&mut self, label: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.str(label, value);
        }
        self
    }

    pub fn int(&mut self, label: &str, value: i64) -> &mut Self {
        self.raw(b'F', label.as_bytes());
        self.raw(b'I', &value.to_be_bytes());
        self
    }

    pub fn bytes(&mut self, label: &str, value: &[u8]) -> &mut Self {
        self.raw(b'F', label.as_bytes());
        self.raw(b'B', value);
        self
    }

    /// Opens a labelled list of `len` items; each item follows as fields.
    pub fn list(&mut self, label: &str, len: usize) -> &mut Self {
        self.raw(b'F', label.as_bytes());
        self.raw(b'L', &(len as u64).to_be_bytes());
        self
    }

    /// Marks the start of one list item, so items cannot run into each other.
    pub fn item(&mut self) -> &mut Self {
        self.raw(b'E', &[]);
        self
    }

    pub fn finish(self) -> Hash {
        Hash(self.0.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_text_round_trips() {
        let h = Canonical::new("t").finish();
        assert_eq!(Hash::parse(&h.to_string()), Some(h));
        assert_eq!(Hash::parse("sha256:zz"), None);
        assert_eq!(Hash::GENESIS.to_string(), format!("sha256:{}", "0".repeat(64)));
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let mut a = Canonical::new("t");
        a.str("x", "ab").str("y", "c");
        let mut b = Canonical::new("t");
        b.str("x", "a").str("y", "bc");
        assert_ne!(a.finish(), b.finish());
        assert_ne!(Canonical::new("a").finish(), Canonical::new("b").finish());
    }
}
