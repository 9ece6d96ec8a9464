//! A whole instance in one file, and back. `greenlight backup` writes a
//! gzipped tar while the server runs: a consistent copy of the SQLite
//! database (`VACUUM INTO`, one snapshot), every blob that copy's media
//! refer to, the data directory's keys, and a manifest — version, migration
//! level, each table's rows and every audit chain's head, all read from the
//! copy itself, so they describe exactly what is in the file. On
//! PostgreSQL the database is left to `pg_dump` (see the README) and the
//! file holds the media, the keys and the manifest of the live database.
//!
//! `greenlight restore` unpacks into an empty data directory, checks every
//! file against the manifest (the database's SHA-256, each blob against its
//! content address), then reads the restored database back: the same
//! migration level, the same rows per table, the same chain heads, and
//! every chain verifying.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{BufReader, Read, Write},
    path::{Path, PathBuf},
};

use greenlight_domain::Timestamp;
use greenlight_store::{Db, audit as audit_store, instance};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{App, Error, Result, audit, blobs::BlobStore};

pub const FORMAT: &str = "greenlight-backup/1";
const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "greenlight.db";

/// What a backup holds, written into it last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub greenlight_version: String,
    pub created_at: Timestamp,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub migration: i64,
    /// The SQLite database's copy; none on PostgreSQL (`pg_dump` it).
    pub database: Option<Stored>,
    /// Rows per table.
    pub tables: BTreeMap<String, i64>,
    /// Each audit chain's last event: its number and hash.
    pub audit_heads: BTreeMap<String, Head>,
    /// Every blob, by content address.
    pub blobs: Vec<String>,
    pub blob_bytes: u64,
    /// The data directory's key files it holds (publishing, audit signing).
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// The database's own description of itself, from one snapshot.
struct Described {
    migration: i64,
    tables: BTreeMap<String, i64>,
    audit_heads: BTreeMap<String, Head>,
    blobs: Vec<String>,
}

async fn describe(db: &Db) -> Result<Described> {
    let mut tx = db.read().await?;
    let migration = instance::migration_level(&mut tx).await?;
    let tables = instance::table_rows(&mut tx).await?;
    let mut audit_heads = BTreeMap::new();
    for chain in audit_store::chains(&mut tx).await? {
        if let Some((seq, hash)) = audit_store::head(&mut tx, chain).await? {
            audit_heads.insert(chain.to_string(), Head { seq, hash: hash.to_string() });
        }
    }
    let blobs = instance::blob_keys(&mut tx).await?;
    Ok(Described { migration, tables, audit_heads, blobs })
}

fn failed(what: &str, err: impl std::fmt::Display) -> Error {
    Error::Internal(format!("{what}: {err}").into())
}

fn sha256_of(path: &Path) -> Result<Stored> {
    let mut file = BufReader::new(File::open(path).map_err(|e| failed("reading the database copy", e))?);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(|e| failed("reading the database copy", e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok(Stored { bytes, sha256: hex::encode(hasher.finalize()) })
}

/// Writes the backup of `app`'s instance to `to` (which must not exist),
/// with the key files of `keys` (name, path) that exist.
pub async fn backup(app: &App, keys: &[(&str, PathBuf)], to: &Path) -> Result<Manifest> {
    std::fs::create_dir_all(&app.settings.scratch_dir).map_err(|e| failed("making the scratch directory", e))?;
    let scratch = tempfile::tempdir_in(&app.settings.scratch_dir).map_err(|e| failed("making a scratch directory", e))?;
    let copy = scratch.path().join(DATABASE);
    let (backend, described, database) = if app.db.copy_to(&copy).await? {
        let snapshot = Db::connect(&format!("sqlite://{}", copy.display())).await?;
        let described = describe(&snapshot).await;
        snapshot.close().await;
        ("sqlite", described?, Some(sha256_of(&copy)?))
    } else {
        ("postgres", describe(&app.db).await?, None)
    };
    let file = create_private(to)?;
    let mut archive = tar::Builder::new(flate2::write::GzEncoder::new(file, flate2::Compression::fast()));
    let add = |archive: &mut tar::Builder<_>, name: &str, bytes: &[u8]| -> Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(app.now().as_second().max(0).unsigned_abs());
        header.set_cksum();
        archive.append_data(&mut header, name, bytes).map_err(|e| failed("writing the backup", e))
    };
    if database.is_some() {
        archive.append_path_with_name(&copy, DATABASE).map_err(|e| failed("writing the backup", e))?;
    }
    let mut blob_bytes = 0u64;
    for key in &described.blobs {
        let bytes = app.blobs.get(key).await.map_err(|e| failed(&format!("reading the blob {key}"), e))?;
        blob_bytes += bytes.len() as u64;
        add(&mut archive, &blob_name(key)?, &bytes)?;
    }
    let mut kept = Vec::new();
    for (name, path) in keys {
        if let Ok(text) = std::fs::read(path) {
            add(&mut archive, &format!("keys/{name}"), &text)?;
            kept.push((*name).to_owned());
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        greenlight_version: env!("CARGO_PKG_VERSION").into(),
        created_at: app.now(),
        backend: backend.into(),
        migration: described.migration,
        database,
        tables: described.tables,
        audit_heads: described.audit_heads,
        blobs: described.blobs,
        blob_bytes,
        keys: kept,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(Error::internal)?;
    add(&mut archive, MANIFEST, &text)?;
    let mut file = archive.into_inner().and_then(|gz| gz.finish()).map_err(|e| failed("writing the backup", e))?;
    file.flush().and_then(|()| file.sync_all()).map_err(|e| failed("writing the backup", e))?;
    Ok(manifest)
}

/// A blob's name in the archive, from its content address.
fn blob_name(key: &str) -> Result<String> {
    let hex = key.strip_prefix("sha256:").filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    hex.map(|h| format!("media/{h}")).ok_or_else(|| failed("a medium's blob", format!("`{key}` is not a content address")))
}

fn create_private(path: &Path) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| failed(&format!("creating {}", path.display()), e))
}

/// What a restore found.
#[derive(Debug, Clone)]
pub struct Restored {
    pub manifest: Manifest,
    /// What does not match the manifest, or does not verify; empty: all is
    /// as it was backed up.
    pub problems: Vec<String>,
    /// Audit chains verified (none on PostgreSQL, whose database is
    /// restored with `pg_restore`).
    pub chains: usize,
}

/// Unpacks the backup `from` into the data directory `dir` — which must be
/// empty unless `overwrite` — and checks it against its manifest.
pub async fn restore(from: &Path, dir: &Path, overwrite: bool) -> Result<Restored> {
    let refuse = |why: String| Error::Invalid(vec![greenlight_domain::validation::FieldError::new("data_dir", why)]);
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) && !overwrite {
        return Err(refuse(format!("{} is not empty: restore into an empty directory (or pass --force to write over it)", dir.display())));
    }
    std::fs::create_dir_all(dir).map_err(|e| failed(&format!("making {}", dir.display()), e))?;
    for stale in [DATABASE, "greenlight.db-wal", "greenlight.db-shm"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    let file = File::open(from).map_err(|e| failed(&format!("opening {}", from.display()), e))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    let blobs = crate::blobs::FsBlobStore::new(dir.join("media"));
    let staging = tempfile::tempdir_in(dir).map_err(|e| failed("making a staging directory", e))?;
    let mut manifest: Option<Manifest> = None;
    let mut database = None;
    let mut found_blobs = Vec::new();
    let mut problems = Vec::new();
    for entry in archive.entries().map_err(|e| failed("reading the backup", e))? {
        let mut entry = entry.map_err(|e| failed("reading the backup", e))?;
        let name = entry.path().map_err(|e| failed("reading the backup", e))?.to_string_lossy().into_owned();
        if name == DATABASE {
            // Streamed to its file and hashed on the way: it may be large.
            let mut file = HashingWriter {
                file: File::create(dir.join(DATABASE)).map_err(|e| failed("writing the database", e))?,
                hasher: Sha256::new(),
                bytes: 0,
            };
            std::io::copy(&mut entry, &mut file).map_err(|e| failed("writing the database", e))?;
            file.file.sync_all().map_err(|e| failed("writing the database", e))?;
            database = Some(Stored { bytes: file.bytes, sha256: hex::encode(file.hasher.finalize()) });
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| failed("reading the backup", e))?;
        if name == MANIFEST {
            manifest = Some(serde_json::from_slice(&bytes).map_err(|e| failed("the backup's manifest", e))?);
        } else if let Some(hex) = name.strip_prefix("media/").filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())) {
            let key = format!("sha256:{hex}");
            if hex::encode(Sha256::digest(&bytes)) != hex {
                problems.push(format!("the blob {key} does not hash to its address"));
                continue;
            }
            let spooled = staging.path().join(hex);
            std::fs::write(&spooled, &bytes).map_err(|e| failed("writing a blob", e))?;
            blobs.put(&key, &spooled).await.map_err(|e| failed("writing a blob", e))?;
            found_blobs.push(key);
        } else if let Some(key) = name.strip_prefix("keys/").filter(|k| ["publishing.key", "audit-signing.key"].contains(k)) {
            let path = dir.join(key);
            let _ = std::fs::remove_file(&path);
            create_private(&path)?.write_all(&bytes).map_err(|e| failed("writing a key", e))?;
        } else {
            problems.push(format!("an entry the format does not have: `{name}` (left out)"));
        }
    }
    let manifest = manifest.ok_or_else(|| refuse(format!("{} has no manifest: not a Greenlight backup", from.display())))?;
    if manifest.format != FORMAT {
        return Err(refuse(format!("the backup's format is `{}`; this Greenlight reads {FORMAT}", manifest.format)));
    }
    found_blobs.sort();
    if found_blobs != manifest.blobs {
        let missing = manifest.blobs.iter().filter(|k| found_blobs.binary_search(k).is_err()).count();
        problems.push(format!("{missing} of the manifest's {} blobs are missing", manifest.blobs.len()));
    }
    if database != manifest.database {
        problems.push("the database file is not the one the manifest names (its size or SHA-256 differs)".into());
    }
    let mut chains = 0;
    if manifest.database.is_some() && database.is_some() {
        let db = Db::connect(&format!("sqlite://{}", dir.join(DATABASE).display())).await?;
        let checked = check(&db, &manifest).await;
        db.close().await;
        let (found, verified) = checked?;
        problems.extend(found);
        chains = verified;
    }
    Ok(Restored { manifest, problems, chains })
}

/// A file written and hashed at once.
struct HashingWriter {
    file: File,
    hasher: Sha256,
    bytes: u64,
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The restored database against the manifest, then every chain verified.
async fn check(db: &Db, manifest: &Manifest) -> Result<(Vec<String>, usize)> {
    let mut problems = Vec::new();
    let found = describe(db).await?;
    if found.migration != manifest.migration {
        problems.push(format!("migration level {} where the manifest says {}", found.migration, manifest.migration));
    }
    for (table, rows) in &manifest.tables {
        let restored = found.tables.get(table).copied().unwrap_or(-1);
        if restored != *rows {
            problems.push(format!("{table}: {restored} rows where the manifest says {rows}"));
        }
    }
    if found.audit_heads != manifest.audit_heads {
        problems.push("the audit chains' heads differ from the manifest's".into());
    }
    let reports = audit::verify_all(db).await?;
    for report in reports.iter().filter(|r| !r.is_intact()) {
        problems.push(format!("the audit chain {} does not verify", report.chain));
    }
    Ok((problems, reports.len()))
}
