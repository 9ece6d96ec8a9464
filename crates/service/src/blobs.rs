//! Where media bytes live: content-addressed, behind a small interface so
//! S3-compatible storage can replace the local disk later.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores the file at `source` under `key` (a `sha256:` address); a key
    /// already present is left as it is (same key, same bytes).
    async fn put(&self, key: &str, source: &Path) -> std::io::Result<()>;
    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
}

/// Blobs as files under a directory, fanned out by the first hex digits.
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        let hex = key.strip_prefix("sha256:").filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let hex = hex.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a blob key"))?;
        Ok(self.root.join(&hex[..2]).join(&hex[2..4]).join(hex))
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, key: &str, source: &Path) -> std::io::Result<()> {
        let path = self.path(key)?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // Copy to a temporary name and rename, so a reader never sees half a file.
        let partial = path.with_extension("partial");
        tokio::fs::copy(source, &partial).await?;
        tokio::fs::rename(&partial, &path).await
    }

    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(key)?).await
    }
}
