//! Where media bytes live: content-addressed, behind a small interface —
//! files under the data directory, or objects in an S3-compatible bucket
//! that every instance serving one database shares.

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

/// The hex digest of a `sha256:` blob key; anything else is refused, so a
/// key never names a path outside the store.
fn digest(key: &str) -> std::io::Result<&str> {
    let hex = key.strip_prefix("sha256:").filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    hex.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a blob key"))
}

impl FsBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        let hex = digest(key)?;
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

/// Where an S3-compatible bucket is and how to sign in to it.
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// `None`: Amazon S3 itself; otherwise the server's URL (MinIO, Ceph,
    /// a cloud's S3 endpoint). `http://` is allowed for a local server.
    pub endpoint: Option<String>,
    pub region: String,
    /// `None`: from the environment (`AWS_ACCESS_KEY_ID` …, an instance
    /// role).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

/// Blobs as objects in an S3-compatible bucket (`sha256/ab/cd/<hex>`).
pub struct S3BlobStore {
    store: object_store::aws::AmazonS3,
}

/// Files up to this size go up in one request; larger ones in parts of
/// this size, read from the file as they go (media may be 100 MiB).
const PART_BYTES: usize = 8 * 1024 * 1024;

impl S3BlobStore {
    pub fn new(settings: &S3Settings) -> std::io::Result<Self> {
        let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(&settings.bucket).with_region(&settings.region);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder.with_access_key_id(id).with_secret_access_key(secret);
        }
        Ok(S3BlobStore { store: builder.build().map_err(std::io::Error::other)? })
    }

    fn path(key: &str) -> std::io::Result<object_store::path::Path> {
        let hex = digest(key)?;
        Ok(object_store::path::Path::from(format!("sha256/{}/{}/{hex}", &hex[..2], &hex[2..4])))
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put(&self, key: &str, source: &Path) -> std::io::Result<()> {
        use object_store::ObjectStoreExt as _;
        use tokio::io::AsyncReadExt as _;

        let path = Self::path(key)?;
        match self.store.head(&path).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(err) => return Err(err.into()),
        }
        let mut file = tokio::fs::File::open(source).await?;
        if file.metadata().await?.len() <= PART_BYTES as u64 {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).await?;
            self.store.put(&path, bytes.into()).await?;
            return Ok(());
        }
        let mut upload = object_store::WriteMultipart::new_with_chunk_size(self.store.put_multipart(&path).await?, PART_BYTES);
        let mut buffer = vec![0; 1024 * 1024];
        loop {
            let n = match file.read(&mut buffer).await {
                Ok(n) => n,
                Err(err) => {
                    // Nothing half-written is left behind in the bucket.
                    let _ = upload.abort().await;
                    return Err(err);
                }
            };
            if n == 0 {
                break;
            }
            upload.wait_for_capacity(2).await?;
            upload.write(&buffer[..n]);
        }
        upload.finish().await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        use object_store::ObjectStoreExt as _;
        let found = self.store.get(&Self::path(key)?).await?;
        Ok(found.bytes().await?.to_vec())
    }
}
