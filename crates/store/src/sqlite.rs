//! SQLite through rusqlite, each statement run on the caller's thread.
//!
//! Why not sqlx here, as on PostgreSQL: sqlx's SQLite driver hands every
//! statement to the connection's own thread and waits for the answer (a
//! futex wake and wait each way). A write use case runs about twenty
//! statements while it holds SQLite's one writer, so about half of the
//! writer's time went to those hand-overs, and every other writer queued
//! behind them. Here the writer is one connection behind an async mutex:
//! taking the mutex is the only wait, and the statements then run at once,
//! prepared once and cached. Readers are a small pool of their own
//! connections (WAL lets them read beside the writer). A statement blocks
//! its thread for as long as SQLite works on it, which is what a
//! CPU-bound statement does on sqlx's thread too.
//!
//! Checkpoints (copying the WAL back into the database file, with its
//! fsync) run on a thread of their own rather than in whichever commit
//! crosses SQLite's threshold: that commit used to wait several
//! milliseconds while holding the writer, and everyone queued behind it.
//!
//! Group commit: while others wait for the writer, a write that is done
//! does not commit on its own. It ends its savepoint inside the writer's
//! open transaction and waits; the last of a run of writes (nobody left
//! waiting, or [`MAX_BATCH`] gathered) commits them all at once and tells
//! each. Each write is still atomic (its savepoint), and none is answered
//! before its commit. The pages writes share (an index's last leaf, the
//! audit head) go to the WAL once per commit instead of once per write:
//! writing the WAL (the kernel's page cache, SQLite's checksums) and the
//! checkpoints copying it back were a fifth of a write's cost at sixteen
//! clients.
//!
//! sqlx still applies the migrations, so both backends keep one history.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
        mpsc::{Receiver, SyncSender, sync_channel},
    },
    time::Duration,
};

use rusqlite::{Connection, OpenFlags, ToSql, types::FromSql};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore, oneshot};

use crate::error::{Result, StoreError};

/// The statements a connection keeps prepared: more than the store has.
const STATEMENT_CACHE: usize = 512;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Commits between two checkpoints on the checkpoint thread: a write use
/// case adds about a dozen pages to the WAL, so about SQLite's own 1,000.
const COMMITS_PER_CHECKPOINT: u32 = 64;
/// SQLite's own checkpoint in the commit, kept only as the backstop should
/// the checkpoint thread fall far behind (pages, about 40 MiB).
const BACKSTOP_CHECKPOINT_PAGES: i64 = 10_000;
/// The most writes one commit gathers: the first of them waits for the
/// others to run, so more would trade its latency for little.
const MAX_BATCH: usize = 16;

/// One SQLite database file: its writer and its readers.
#[derive(Clone)]
pub struct SqliteDb {
    /// For the migrations, which sqlx applies.
    options: Arc<SqliteConnectOptions>,
    writer: Arc<tokio::sync::Mutex<Writer>>,
    /// The writer's count of those waiting for it.
    queued: Arc<AtomicUsize>,
    readers: Arc<Readers>,
}

/// The one connection that writes, and how it asks for checkpoints.
struct Writer {
    conn: Connection,
    commits: u32,
    /// Wakes the checkpoint thread; it ends when this is dropped.
    checkpoint: SyncSender<()>,
    /// How many wait to begin a write (not those waiting for their commit).
    queued: Arc<AtomicUsize>,
    /// The writes done inside the open transaction, waiting for its commit.
    batch: Vec<oneshot::Sender<Result<(), String>>>,
}

impl Writer {
    /// Whether the open transaction is to be committed now: nobody waits
    /// to add a write to it, or it holds enough.
    fn commit_due(&self) -> bool {
        self.queued.load(Ordering::Acquire) == 0 || self.batch.len() >= MAX_BATCH
    }

    /// Commits the open transaction and tells every write in it how that
    /// went; a transaction SQLite already rolled back (a failing disk)
    /// fails them all.
    fn commit_batch(&mut self) -> Result<(), String> {
        let outcome = if self.conn.is_autocommit() {
            Err("the transaction it shared was rolled back".to_owned())
        } else {
            run(&self.conn, "COMMIT").map_err(|e| e.to_string())
        };
        if outcome.is_err() && !self.conn.is_autocommit() {
            let _ = run(&self.conn, "ROLLBACK");
        }
        if outcome.is_ok() {
            let before = self.commits;
            self.commits = self.commits.wrapping_add(u32::try_from(self.batch.len()).unwrap_or(1));
            if before / COMMITS_PER_CHECKPOINT != self.commits / COMMITS_PER_CHECKPOINT {
                // Full means a checkpoint is already asked for.
                let _ = self.checkpoint.try_send(());
            }
        }
        for waiting in self.batch.drain(..) {
            let _ = waiting.send(outcome.clone());
        }
        outcome
    }

    /// What a write that is over without committing leaves: its savepoint
    /// undone (or, should that fail, the whole transaction, so that nothing
    /// of it is committed with the others, who are then told it failed),
    /// and the transaction ended unless writes done in it wait for someone
    /// coming to commit them.
    fn abandon(&mut self) {
        if !self.conn.is_autocommit() && run(&self.conn, "ROLLBACK TO write").and_then(|()| run(&self.conn, "RELEASE write")).is_err() {
            let _ = run(&self.conn, "ROLLBACK");
        }
        if self.batch.is_empty() {
            // Nothing to keep: the next write begins afresh.
            if !self.conn.is_autocommit() {
                let _ = run(&self.conn, "ROLLBACK");
            }
        } else if self.commit_due() || self.conn.is_autocommit() {
            let _ = self.commit_batch();
        }
    }
}

/// Counts a write waiting for the writer, until it has it or gives up.
struct Queued(Arc<AtomicUsize>);

impl Queued {
    fn new(count: &Arc<AtomicUsize>) -> Queued {
        count.fetch_add(1, Ordering::AcqRel);
        Queued(count.clone())
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl std::fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDb").field("path", &self.readers.path).finish()
    }
}

struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    max: usize,
}

impl SqliteDb {
    /// Opens the database file `options` name, creating it if missing.
    /// `max_readers` read at once; more wait for one to be free.
    pub fn open(options: SqliteConnectOptions, max_readers: usize) -> Result<SqliteDb> {
        let path = options.get_filename().to_owned();
        let conn = open(&path, OpenFlags::SQLITE_OPEN_CREATE)?;
        // WAL is a property of the file; the writer sets it once for all.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "wal_autocheckpoint", BACKSTOP_CHECKPOINT_PAGES)?;
        let (checkpoint, asked) = sync_channel(1);
        let checkpointer = open(&path, OpenFlags::empty())?;
        std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(move || checkpoints(&checkpointer, &asked))?;
        let queued = Arc::new(AtomicUsize::new(0));
        Ok(SqliteDb {
            writer: Arc::new(tokio::sync::Mutex::new(Writer { conn, commits: 0, checkpoint, queued: queued.clone(), batch: Vec::new() })),
            queued,
            options: Arc::new(options),
            readers: Arc::new(Readers {
                path,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(max_readers.max(1))),
                max: max_readers.max(1),
            }),
        })
    }

    /// Applies the migrations not yet applied, through sqlx (so both
    /// backends keep one migration history), while the writer waits.
    pub async fn migrate(&self) -> Result<()> {
        let mut writer = self.writer.lock().await;
        if !writer.conn.is_autocommit() {
            writer.commit_batch().map_err(StoreError::Batch)?;
        }
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with((*self.options).clone()).await?;
        let applied = sqlx::migrate!("./migrations/sqlite").run(&pool).await;
        pool.close().await;
        Ok(applied?)
    }

    /// A write transaction: waits for the writer, then takes SQLite's write
    /// lock at once (`BEGIN IMMEDIATE`), so a read-then-write never fails
    /// half way — or joins the transaction the writes before it left open
    /// (see group commit above), inside a savepoint of its own.
    pub async fn write(&self) -> Result<SqliteTx> {
        let queued = Queued::new(&self.queued);
        let writer = self.writer.clone().lock_owned().await;
        drop(queued);
        if writer.conn.is_autocommit() {
            run(&writer.conn, "BEGIN IMMEDIATE")?;
        }
        let tx = SqliteTx { conn: Held::Writer(writer), open: true };
        run(tx.conn()?, "SAVEPOINT write")?;
        Ok(tx)
    }

    /// A read transaction: one snapshot, beside the writer.
    pub async fn read(&self) -> Result<SqliteTx> {
        let permit = self.readers.permits.clone().acquire_owned().await.map_err(|_| StoreError::Closed)?;
        let idle = self.readers.idle.lock().map_err(|_| StoreError::Closed)?.pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open(&self.readers.path, OpenFlags::empty())?,
        };
        let reader = Reader { conn: Some(conn), readers: self.readers.clone(), _permit: permit };
        run(reader.conn()?, "BEGIN")?;
        Ok(SqliteTx { conn: Held::Reader(reader), open: true })
    }

    /// A consistent copy in the new file `path`: `VACUUM INTO` reads one
    /// snapshot on a connection of its own (it cannot run inside a
    /// transaction), so writers go on meanwhile.
    pub fn copy_to(&self, path: &Path) -> Result<()> {
        let conn = open(&self.readers.path, OpenFlags::empty())?;
        conn.execute("VACUUM INTO ?1", [path.to_string_lossy()])?;
        Ok(())
    }

    /// The writer and the readers: (busy, open and idle, at most).
    pub fn connections(&self) -> (usize, usize, usize) {
        let reading = self.readers.max.saturating_sub(self.readers.permits.available_permits());
        let writing = usize::from(self.writer.try_lock().is_err());
        let idle = self.readers.idle.lock().map(|idle| idle.len()).unwrap_or(0) + (1 - writing);
        (reading + writing, idle, self.readers.max + 1)
    }

    /// Closes the readers; new reads wait forever, so call it last.
    pub fn close(&self) {
        self.readers.permits.close();
        if let Ok(mut idle) = self.readers.idle.lock() {
            idle.clear();
        }
    }
}

/// Runs a passive checkpoint each time the writer asks, beside the writer
/// and the readers (it copies only what no reader still needs), until the
/// database is dropped.
fn checkpoints(conn: &Connection, asked: &Receiver<()>) {
    while asked.recv().is_ok() {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "checkpoint failed; SQLite's own in a commit is the backstop");
        }
    }
}

/// Begins or ends a transaction through the statement cache: every request
/// does so at least twice, and `execute_batch` parses its text each time.
fn run(conn: &Connection, statement: &str) -> Result<()> {
    conn.prepare_cached(statement)?.execute([])?;
    Ok(())
}

fn open(path: &Path, extra: OpenFlags) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI | extra;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// A pooled reader, back in the pool when dropped.
struct Reader {
    conn: Option<Connection>,
    readers: Arc<Readers>,
    _permit: OwnedSemaphorePermit,
}

impl Reader {
    fn conn(&self) -> Result<&Connection> {
        self.conn.as_ref().ok_or(StoreError::Closed)
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        if let (Some(conn), Ok(mut idle)) = (self.conn.take(), self.readers.idle.lock())
            && !self.readers.permits.is_closed()
        {
            idle.push(conn);
        }
    }
}

enum Held {
    Writer(OwnedMutexGuard<Writer>),
    Reader(Reader),
}

/// A transaction on SQLite, rolled back when dropped uncommitted.
pub struct SqliteTx {
    conn: Held,
    open: bool,
}

impl SqliteTx {
    fn conn(&self) -> Result<&Connection> {
        match &self.conn {
            Held::Writer(writer) => Ok(&writer.conn),
            Held::Reader(reader) => reader.conn(),
        }
    }

    /// Runs one statement; the rows it changed.
    pub fn exec(&mut self, sql: &str, args: &[&dyn ToSql]) -> Result<u64> {
        let conn = self.conn()?;
        let mut statement = conn.prepare_cached(sql)?;
        bind(&mut statement, args)?;
        Ok(statement.raw_execute()? as u64)
    }

    /// Runs one query and decodes every row.
    pub fn all<T: FromRow>(&mut self, sql: &str, args: &[&dyn ToSql]) -> Result<Vec<T>> {
        let conn = self.conn()?;
        let mut statement = conn.prepare_cached(sql)?;
        bind(&mut statement, args)?;
        let at = columns::<T>(&statement)?;
        let mut rows = statement.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(T::from_row(row, &at)?);
        }
        Ok(out)
    }

    /// Runs one query and decodes its first row, if any.
    pub fn optional<T: FromRow>(&mut self, sql: &str, args: &[&dyn ToSql]) -> Result<Option<T>> {
        let conn = self.conn()?;
        let mut statement = conn.prepare_cached(sql)?;
        bind(&mut statement, args)?;
        let at = columns::<T>(&statement)?;
        let mut rows = statement.raw_query();
        match rows.next()? {
            Some(row) => Ok(Some(T::from_row(row, &at)?)),
            None => Ok(None),
        }
    }

    /// Runs one query that must answer a row.
    pub fn one<T: FromRow>(&mut self, sql: &str, args: &[&dyn ToSql]) -> Result<T> {
        self.optional(sql, args)?.ok_or(StoreError::NoRow)
    }

    /// Commits; a write returns once the commit that holds it is done.
    pub async fn commit(mut self) -> Result<()> {
        let writer = match &mut self.conn {
            Held::Reader(reader) => {
                run(reader.conn()?, "COMMIT")?;
                self.open = false;
                return Ok(());
            }
            Held::Writer(writer) => writer,
        };
        run(&writer.conn, "RELEASE write")?;
        self.open = false;
        let (told, mut outcome) = oneshot::channel();
        writer.batch.push(told);
        if writer.commit_due() {
            return writer.commit_batch().map_err(StoreError::Batch);
        }
        // Others wait to write: this one lets them in, and the last of them
        // commits for all. Should they all give up waiting, this one gets
        // the writer back and commits itself. It waits in a task of its own:
        // were it dropped with its caller (a client that hung up), the
        // transaction could be left open, holding what it had released.
        let mutex = OwnedMutexGuard::mutex(writer).clone();
        drop(self);
        let waiting = tokio::spawn(async move {
            tokio::select! {
                biased;
                told = &mut outcome => told.map_err(|_| StoreError::Closed)?.map_err(StoreError::Batch),
                mut writer = mutex.lock_owned() => match outcome.try_recv() {
                    Ok(told) => told.map_err(StoreError::Batch),
                    Err(oneshot::error::TryRecvError::Empty) => writer.commit_batch().map_err(StoreError::Batch),
                    Err(oneshot::error::TryRecvError::Closed) => Err(StoreError::Closed),
                },
            }
        });
        waiting.await.map_err(|_| StoreError::Closed)?
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        match &mut self.conn {
            Held::Writer(writer) => writer.abandon(),
            // Nothing to tell if it fails: the connection then has no
            // transaction left to end.
            Held::Reader(reader) => {
                if let Ok(conn) = reader.conn() {
                    let _ = run(conn, "ROLLBACK");
                }
            }
        }
    }
}

/// Binds `$n` to `args[n - 1]`, as sqlx does: the store's SQL texts number
/// their parameters for PostgreSQL, and SQLite reads `$1` as a name.
fn bind(statement: &mut rusqlite::CachedStatement<'_>, args: &[&dyn ToSql]) -> Result<()> {
    for index in 1..=statement.parameter_count() {
        let n = statement
            .parameter_name(index)
            .and_then(|name| name.strip_prefix(['$', '?']))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(index);
        let arg = args.get(n.wrapping_sub(1)).ok_or(StoreError::Bind(n))?;
        statement.raw_bind_parameter(index, arg)?;
    }
    Ok(())
}

/// A row decoded from SQLite: tuples by position, the store's row structs
/// by column name (see `row!`). A struct's names are looked up once per
/// query, not once per row: rusqlite's lookup by name compares the name
/// with each column's in turn, and for a struct of 16 fields that was a
/// third of decoding a period's analytics.
pub trait FromRow: Sized {
    /// The columns a row struct reads, in its fields' order; `None` for a
    /// tuple, which reads the columns in order.
    const COLUMNS: Option<&'static [&'static str]>;

    /// Decodes a row; `at` holds where each of `COLUMNS` is.
    fn from_row(row: &rusqlite::Row<'_>, at: &[usize]) -> rusqlite::Result<Self>;
}

/// Where each of `T`'s columns is in the statement's result.
fn columns<T: FromRow>(statement: &rusqlite::Statement<'_>) -> rusqlite::Result<Vec<usize>> {
    let Some(names) = T::COLUMNS else { return Ok(Vec::new()) };
    let found = statement.column_names();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            // Where the SELECT lists the fields in order, at once.
            if found.get(i) == Some(name) {
                return Ok(i);
            }
            found.iter().position(|f| f == name).ok_or_else(|| rusqlite::Error::InvalidColumnName((*name).to_owned()))
        })
        .collect()
}

/// The next field's column, from the positions [`columns`] found.
pub fn next_column(at: &mut impl Iterator<Item = usize>, name: &str) -> rusqlite::Result<usize> {
    at.next().ok_or_else(|| rusqlite::Error::InvalidColumnName(name.to_owned()))
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: FromSql),+> FromRow for ($($t,)+) {
            const COLUMNS: Option<&'static [&'static str]> = None;

            fn from_row(row: &rusqlite::Row<'_>, _: &[usize]) -> rusqlite::Result<Self> {
                Ok(($(row.get::<_, $t>($i)?,)+))
            }
        }
    };
}

tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);

/// A row of any shape, as SQLite holds it (for copying whole tables).
impl FromRow for Vec<rusqlite::types::Value> {
    const COLUMNS: Option<&'static [&'static str]> = None;

    fn from_row(row: &rusqlite::Row<'_>, _: &[usize]) -> rusqlite::Result<Self> {
        (0..row.as_ref().column_count()).map(|i| row.get(i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> (tempfile::TempDir, SqliteDb) {
        // Each test runs on one thread: the tasks below move only when the
        // test yields, so where each waits is known.
        let dir = tempfile::tempdir().expect("a scratch directory");
        let db = SqliteDb::open(SqliteConnectOptions::new().filename(dir.path().join("t.db")), 2).expect("open");
        let mut tx = db.write().await.expect("write");
        tx.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)", &[]).expect("create");
        tx.commit().await.expect("commit");
        (dir, db)
    }

    async fn ids(db: &SqliteDb) -> Vec<i64> {
        let mut tx = db.read().await.expect("read");
        tx.all::<(i64,)>("SELECT id FROM t ORDER BY id", &[]).expect("select").into_iter().map(|(id,)| id).collect()
    }

    fn insert(tx: &mut SqliteTx, id: i64) {
        tx.exec("INSERT INTO t (id) VALUES ($1)", &[&id]).expect("insert");
    }

    /// Polls `f` once, without letting any other task run.
    fn polled_once<F: Future + Unpin>(f: &mut F) -> std::task::Poll<F::Output> {
        std::pin::Pin::new(f).poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
    }

    /// `first`'s commit, polled once: it waits, since others are queued.
    fn parked(first: SqliteTx) -> std::pin::Pin<Box<impl Future<Output = Result<()>>>> {
        let mut committing = Box::pin(first.commit());
        assert!(polled_once(&mut committing).is_pending(), "a commit waits while others are queued");
        committing
    }

    /// A first write holding row 1, and a second queued behind it that will
    /// give up as soon as it has the writer.
    async fn first_and_follower(db: &SqliteDb) -> (SqliteTx, tokio::task::JoinHandle<Result<()>>) {
        let mut first = db.write().await.expect("write");
        insert(&mut first, 1);
        let follower = tokio::spawn({
            let db = db.clone();
            async move { db.write().await.map(drop) }
        });
        until_queued(db, 1).await;
        (first, follower)
    }

    /// Cancels a task still waiting for the writer.
    async fn cancel(task: tokio::task::JoinHandle<Result<()>>) {
        task.abort();
        assert!(task.await.is_err_and(|e| e.is_cancelled()));
    }

    /// Lets spawned tasks run until `n` writes wait for the writer.
    async fn until_queued(db: &SqliteDb, n: usize) {
        while db.queued.load(Ordering::Acquire) != n {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn writes_waiting_for_the_writer_commit_together_each_still_atomic() {
        let (_dir, db) = db().await;
        let mut first = db.write().await.expect("write");
        insert(&mut first, 1);
        let mut waiting = Vec::new();
        for id in 2..=5 {
            let db = db.clone();
            waiting.push(tokio::spawn(async move {
                let mut tx = db.write().await?;
                insert(&mut tx, id);
                // The fourth gives up: its row alone is undone.
                if id == 4 {
                    return Ok(false);
                }
                tx.commit().await.map(|()| true)
            }));
        }
        until_queued(&db, 4).await;
        // Others wait, so the first commit waits for theirs.
        let committing = parked(first);
        // Read on a connection of its own, without yielding to the writers.
        let outside = open(&db.readers.path, OpenFlags::empty()).expect("open");
        let seen: i64 = outside.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("count");
        assert_eq!(seen, 0, "nothing is seen before the commit");
        committing.await.expect("the batch commits");
        for task in waiting {
            task.await.expect("task").expect("write");
        }
        assert_eq!(ids(&db).await, vec![1, 2, 3, 5]);
        let writer = db.writer.lock().await;
        assert!(writer.conn.is_autocommit() && writer.batch.is_empty(), "no transaction is left open");
    }

    #[tokio::test]
    async fn a_write_whose_followers_gave_up_commits_itself() {
        let (_dir, db) = db().await;
        let (first, follower) = first_and_follower(&db).await;
        let committing = parked(first);
        cancel(follower).await;
        committing.await.expect("it commits on its own");
        assert_eq!(ids(&db).await, vec![1]);
    }

    #[tokio::test]
    async fn a_parked_write_whose_caller_went_away_is_still_committed() {
        let (_dir, db) = db().await;
        let (first, follower) = first_and_follower(&db).await;
        let committing = parked(first);
        // The caller hangs up, and so does the one it waited for.
        drop(committing);
        cancel(follower).await;
        for _ in 0..1000 {
            if db.writer.try_lock().is_ok_and(|w| w.conn.is_autocommit() && w.batch.is_empty()) {
                break;
            }
            tokio::task::yield_now().await;
        }
        let writer = db.writer.try_lock().expect("the writer is free");
        assert!(writer.conn.is_autocommit(), "no transaction is left open");
        drop(writer);
        assert_eq!(ids(&db).await, vec![1], "what it released is committed");
    }

    #[tokio::test]
    async fn a_write_given_up_while_others_queue_leaves_no_transaction_open() {
        let (_dir, db) = db().await;
        let (first, follower) = first_and_follower(&db).await;
        drop(first);
        cancel(follower).await;
        let writer = db.writer.try_lock().expect("the writer is free");
        assert!(writer.conn.is_autocommit(), "no transaction is left open");
        drop(writer);
        assert_eq!(ids(&db).await, Vec::<i64>::new());
    }
}
