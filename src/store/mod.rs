//! The per-user local database: `OpenIM_v3_<userID>.db` under the configured data directory,
//! SQLite through sqlx, WAL mode, versioned `.sql` migrations. Opened at login, closed at logout.
//!
//! **One writer.** Every write goes through [`Store::begin`], which hands out the single write
//! transaction ([`Tx`]) one holder at a time: a pulled batch, its conversation updates and its
//! seq advance commit together or not at all. Reads use the pool ([`Store::read`]) and see only
//! committed data. The store speaks in its own row types ([`rows`]); the domain modules convert
//! them to the records apps see.
//!
//! Queries are free functions over `&mut SqliteConnection`, so the same query serves a read
//! connection and the write transaction (both deref to one). Conversations are the exception on
//! the write side: they are written only through [`Tx::put_conversations`], and the writer reads
//! them through [`Tx::conversation`], which serves the rows earlier writes committed from a
//! cache.

pub mod chat_logs;
pub mod conversations;
pub mod friends;
pub mod groups;
pub mod rows;
pub mod seqs;
pub mod sync_versions;
pub mod uploads;
pub mod users;

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection};

use crate::error::{OpenIMError, Result};
use rows::ConversationRow;

pub use chat_logs::MessageFilter;

/// Bytes a user ID may keep in a file name; everything else is percent-encoded.
const FILE_SAFE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'-');
/// Longest encoded ID used verbatim; longer ones are replaced by their hash.
const MAX_ENCODED_ID: usize = 128;

/// The migrations, in order; `0001`… files under `src/store/migrations`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("src/store/migrations");

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// The one writer, held by a [`WriterTurn`] and then by the [`Tx`] begun in it; what it
    /// guards is the conversation rows as last committed, which only the writer reads and fills
    /// ([`Tx::conversation`]).
    writer: Arc<tokio::sync::Mutex<ConversationCache>>,
    path: PathBuf,
}

/// Conversation rows as committed by the last writes that wrote them, so the next write of a
/// busy chat (a send, its confirmation, each message received) reads its row without a round
/// trip to SQLite's thread. Every conversation write goes through [`Tx::put_conversations`],
/// and a transaction's rows enter the cache only once it commits, under the writer.
#[derive(Default)]
struct ConversationCache(std::collections::HashMap<String, ConversationRow>);

impl ConversationCache {
    /// Rows kept; past it the cache starts again empty (the busy chats come back at once).
    const KEPT: usize = 512;
    /// Rows a write keeps for the cache when it writes no more than this many.
    const KEPT_PER_WRITE: usize = 16;

    fn evict<'a>(&mut self, ids: impl Iterator<Item = &'a String>) {
        for id in ids {
            self.0.remove(id);
        }
    }

    /// A committed transaction's rows (its chats were evicted before the commit).
    fn put(&mut self, rows: impl IntoIterator<Item = ConversationRow>) {
        for row in rows {
            if self.0.len() >= Self::KEPT && !self.0.contains_key(&row.conversation_id) {
                self.0.clear();
            }
            self.0.insert(row.conversation_id.clone(), row);
        }
    }
}

/// The writer of a database file, with its conversation cache, shared by every [`Store`] open
/// on it in this process (a session being abandoned while the next one logs in may briefly
/// have two): one writer per file, and no cache that another store's write made stale.
fn writer_of_file(path: &Path) -> Arc<tokio::sync::Mutex<ConversationCache>> {
    type Writer = std::sync::Weak<tokio::sync::Mutex<ConversationCache>>;
    static FILES: std::sync::Mutex<Vec<(PathBuf, Writer)>> = std::sync::Mutex::new(Vec::new());
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let mut files = FILES.lock().expect("store files");
    files.retain(|(_, writer)| writer.strong_count() > 0);
    if let Some(writer) = files.iter().find(|(k, _)| *k == key).and_then(|(_, w)| w.upgrade()) {
        return writer;
    }
    let writer = Arc::new(tokio::sync::Mutex::new(ConversationCache::default()));
    files.retain(|(k, _)| *k != key);
    files.push((key, Arc::downgrade(&writer)));
    writer
}

/// The turn of the one writer ([`Store::turn`]).
pub struct WriterTurn(tokio::sync::OwnedMutexGuard<ConversationCache>);

/// The write transaction. Dropping it without [`Tx::commit`] rolls everything back.
pub struct Tx {
    inner: sqlx::Transaction<'static, Sqlite>,
    /// The writer's turn, and with it the conversation cache.
    writer: WriterTurn,
    /// Conversations written in this transaction, for the cache once it commits: the row, or
    /// `None` when a large batch or a failed statement wrote it (its cached row is only dropped).
    written: std::collections::HashMap<String, Option<ConversationRow>>,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.commit_holding_writer().await?;
        Ok(())
    }

    /// Commits but keeps the writer's turn until the returned turn is dropped, so state mirrored
    /// from this commit is in place before the next writer starts.
    pub async fn commit_holding_writer(self) -> Result<WriterTurn> {
        let Tx { inner, mut writer, written } = self;
        // Dropped before the commit: should it land in SQLite without Rust hearing of it (an
        // error after the fact, a cancelled future), the next write reads those chats from
        // SQLite instead of a cached row older than what is stored.
        writer.0.evict(written.keys());
        inner.commit().await?;
        writer.0.put(written.into_values().flatten());
        Ok(writer)
    }

    /// The stored conversation `conversation_id` as this transaction sees it: written in it,
    /// committed by an earlier write (cached), or read.
    pub async fn conversation(&mut self, conversation_id: &str) -> Result<Option<ConversationRow>> {
        let known = match self.written.get(conversation_id) {
            Some(written) => written.clone(),
            None => self.writer.0.0.get(conversation_id).cloned(),
        };
        match known {
            Some(row) => {
                // Every test run checks the cache against the database.
                #[cfg(debug_assertions)]
                {
                    let stored = conversations::get(&mut self.inner, conversation_id).await?;
                    debug_assert_eq!(stored.as_ref(), Some(&row), "the conversation cache drifted from the store");
                }
                Ok(Some(row))
            }
            None => conversations::get(&mut self.inner, conversation_id).await,
        }
    }

    /// Writes conversation rows, with seq raises in the same round trip when both fit one
    /// statement ([`conversations::put_many_raising`]). Conversations are written only through here,
    /// which keeps the cache behind [`Self::conversation`] true.
    pub async fn put_conversations(&mut self, rows: &[&ConversationRow], raises: &[(String, i64)]) -> Result<()> {
        // Noted before the statement, so a partial failure still keeps these chats out of the
        // cache; a sync's batch of hundreds is not kept (those chats are not the busy ones).
        for row in rows {
            self.written.insert(row.conversation_id.clone(), None);
        }
        conversations::put_many_raising(&mut self.inner, rows, raises).await?;
        if self.written.len() <= ConversationCache::KEPT_PER_WRITE {
            for row in rows {
                self.written.insert(row.conversation_id.clone(), Some((*row).clone()));
            }
        }
        Ok(())
    }
}

impl Deref for Tx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.inner
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.inner
    }
}

/// The database file name for `user_id`. IDs are percent-encoded (letters, digits, `_` and `-`
/// stay), so no ID can escape the data directory or collide with another; very long IDs are
/// replaced by `%H` and their MD5 (`%H` cannot come out of the encoding).
pub fn db_file_name(user_id: &str) -> String {
    let encoded = utf8_percent_encode(user_id, FILE_SAFE).to_string();
    let stem = if encoded.len() <= MAX_ENCODED_ID {
        encoded
    } else {
        use md5::Digest as _;
        // Collisions would need an MD5 preimage of a valid ID pair; fine for a file name.
        format!("%H{:x}", md5::Md5::digest(user_id.as_bytes()))
    };
    format!("OpenIM_v3_{stem}.db")
}

impl Store {
    /// The folder beside the database where copies of files waiting to be sent are kept
    /// (`OpenIM_v3_<user>_files`).
    pub fn files_dir(&self) -> PathBuf {
        let stem = self.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        self.path.with_file_name(format!("{stem}_files"))
    }

    /// Opens (creating and migrating when needed) `user_id`'s database under `data_dir`.
    pub async fn open(data_dir: &Path, user_id: &str) -> Result<Self> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| OpenIMError::database(format!("cannot create data_dir {}: {e}", data_dir.display())))?;
        Self::open_file(&data_dir.join(db_file_name(user_id))).await
    }

    /// Opens (creating and migrating when needed) the database at `path`.
    pub async fn open_file(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            // SQLite's automatic checkpoint runs inside the commit that crosses its threshold
            // (copying the log into the database and syncing it: milliseconds, the p99 of a
            // send). The session checkpoints from a task of its own instead (`checkpoint`).
            .pragma("wal_autocheckpoint", "0")
            .foreign_keys(true);
        let cannot_open = |e: sqlx::Error| OpenIMError::database(format!("cannot open {}: {e}", path.display()));
        // One connection creates the file, switches it to WAL (a setting the file keeps) and
        // migrates it before the pool's connections open it: connections switching a new file
        // to WAL at the same time can fail with SQLITE_BUSY without waiting ("database is
        // locked" at a first login under load).
        let first = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await.map_err(cannot_open)?;
        MIGRATOR.run(&first).await?;
        first.close().await;
        // A local file cannot drop a connection the way a network server can: no ping on
        // every acquire (each would be a round trip to the connection's thread).
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(cannot_open)?;
        tracing::debug!(path = %path.display(), "local database open");
        Ok(Self { pool, writer: writer_of_file(path), path: path.to_owned() })
    }

    /// Copies what the write-ahead log holds into the database file, without waiting for
    /// readers or the writer (SQLite's PASSIVE checkpoint), on a connection other than the
    /// writer's. Closing the store checkpoints what is left.
    pub async fn checkpoint(&self) -> Result<()> {
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&self.pool).await?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The write transaction; waits while another holder has it.
    pub async fn begin(&self) -> Result<Tx> {
        self.begin_in(self.turn().await).await
    }

    /// The writer's turn without its transaction: whoever holds it is the next writer, and
    /// no other write starts until the transaction begun in it ([`Self::begin_in`]) ends.
    pub async fn turn(&self) -> WriterTurn {
        WriterTurn(self.writer.clone().lock_owned().await)
    }

    /// The write transaction, in a turn taken before.
    pub async fn begin_in(&self, turn: WriterTurn) -> Result<Tx> {
        let inner = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Tx { inner, writer: turn, written: Default::default() })
    }

    /// A read connection (committed data only).
    pub async fn read(&self) -> Result<PoolConnection<Sqlite>> {
        Ok(self.pool.acquire().await?)
    }

    /// Waits for running queries, then closes every connection (SQLite checkpoints the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `LIMIT n` (and `OFFSET m` past the first page) written into the SQL. SQLite's planner reads a
/// bound LIMIT's value when it plans the statement, and from then on plans it again at every run
/// that binds it (every run): for a page of chat rows that was 0.2 ms of a 0.35 ms query. With
/// the numbers written in, each page size is a statement of its own, planned once; callers
/// keep it prepared ([`persistent_page`]) only for first pages, as later offsets rarely repeat.
pub(crate) fn limit_offset(limit: i64, offset: i64) -> String {
    if offset > 0 { format!("LIMIT {limit} OFFSET {offset}") } else { format!("LIMIT {limit}") }
}

/// Whether a page's statement ([`limit_offset`]) is kept prepared: first pages only.
pub(crate) fn persistent_page(offset: i64) -> bool {
    offset <= 0
}

/// Rows per multi-row statement (`INSERT … VALUES (…), (…)`): at most 23 parameters a row keeps
/// it far below SQLite's limit of 32 766. Such statements are kept prepared only for one row:
/// one of hundreds of rows is large, and its row count rarely repeats.
pub(crate) const ROWS_PER_STATEMENT: usize = 400;

/// Runs `head VALUES (…), (…) tail` for `rows`, [`ROWS_PER_STATEMENT`] at a time, `bind`
/// binding one row's values.
pub(crate) async fn execute_rows<T: Sync>(
    c: &mut SqliteConnection,
    head: &str,
    tail: &str,
    rows: &[T],
    mut bind: impl FnMut(sqlx::query_builder::Separated<'_, Sqlite, &'static str>, &T) + Send,
) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<Sqlite>::new(head);
        q.push_values(chunk, &mut bind);
        q.push(tail);
        q.build().persistent(chunk.len() == 1).execute(&mut *c).await?;
    }
    Ok(())
}

/// The most IDs one `IN (…)` list binds: SQLite takes at most 32 766 values a statement, and a
/// list of IDs may come from an app or a server in any length.
pub(crate) const IN_CHUNK: usize = 10_000;

/// The rows of `{head} IN (…) {tail}` for `ids`, bound after `leading` (binds for `?`s in
/// `head`), each ID looked up once (a repeated ID matches its row once as one `IN (…)` list, so
/// it must not be looked up in two chunks), [`IN_CHUNK`] IDs per statement. `tail`'s `ORDER BY`
/// holds within one statement; when the IDs took several, `merge` puts the rows of all of them
/// in that order (it is not called for one).
pub(crate) async fn select_in<R>(
    c: &mut SqliteConnection,
    head: &str,
    leading: &[&str],
    ids: &[String],
    tail: &str,
    merge: impl FnOnce(&mut Vec<R>),
) -> Result<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    let unique: Vec<&String> = ids.iter().filter(|id| seen.insert(id.as_str())).collect();
    let mut rows = Vec::new();
    for chunk in unique.chunks(IN_CHUNK) {
        let sql = format!("{head} IN ({}) {tail}", placeholders(chunk.len()));
        let mut q = sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(sql));
        for value in leading {
            q = q.bind(*value);
        }
        for id in chunk {
            q = q.bind(*id);
        }
        rows.extend(q.fetch_all(&mut *c).await?);
    }
    if unique.len() > IN_CHUNK {
        merge(&mut rows);
    }
    Ok(rows)
}

/// `?, ?, …` with `n` placeholders.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(db_file_name("alice_01-x"), "OpenIM_v3_alice_01-x.db");
        assert_eq!(db_file_name("../etc/passwd"), "OpenIM_v3_%2E%2E%2Fetc%2Fpasswd.db");
        assert_eq!(db_file_name("a b"), "OpenIM_v3_a%20b.db");
        assert_ne!(db_file_name("a/b"), db_file_name("a%2Fb"));
        assert!(!db_file_name("用户").contains('/'));
        let long = db_file_name(&"x".repeat(500));
        assert!(long.starts_with("OpenIM_v3_%H") && long.len() < 64, "{long}");
    }

    #[tokio::test]
    async fn one_writer_at_a_time_and_rollback_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "u").await.unwrap();
        let mut tx = store.begin().await.unwrap();
        seqs::raise_many(&mut tx, &[("c".into(), 5)]).await.unwrap();
        // The writer is taken; readers see only committed data.
        assert!(store.writer.try_lock().is_err(), "a second writer must wait for the first");
        assert!(seqs::all(&mut store.read().await.unwrap()).await.unwrap().is_empty());
        // Dropped without commit: nothing of it stays, and the next writer gets in.
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        assert!(seqs::all(&mut tx).await.unwrap().is_empty());
        seqs::raise_many(&mut tx, &[("c".into(), 7)]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(seqs::all(&mut store.read().await.unwrap()).await.unwrap().get("c"), Some(&7));
    }

    /// Conversations and seq raises written together: one round trip when each fits one
    /// statement (a multi-statement query, kept prepared for one row and one raise, so run
    /// twice), separate statements when they do not; either way every row and raise lands, and
    /// a raise never lowers a seq.
    #[tokio::test]
    async fn conversations_and_seq_raises_are_written_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "u").await.unwrap();
        let row = |id: &str, max_seq: i64| rows::ConversationRow { conversation_id: id.into(), max_seq, ..Default::default() };
        let mut tx = store.begin().await.unwrap();
        seqs::raise_many(&mut tx, &[("a".into(), 9)]).await.unwrap();
        conversations::put_many_raising(&mut tx, &[&row("a", 1)], &[("a".into(), 3), ("b".into(), 4)]).await.unwrap();
        let synced = seqs::all(&mut tx).await.unwrap();
        assert_eq!((synced["a"], synced["b"]), (9, 4));
        for seq in [5, 6] {
            conversations::put_many_raising(&mut tx, &[&row("c", seq)], &[("c".into(), seq)]).await.unwrap();
            assert_eq!(seqs::all(&mut tx).await.unwrap()["c"], seq);
            assert_eq!(conversations::get(&mut tx, "c").await.unwrap().map(|r| r.max_seq), Some(seq));
        }
        let many: Vec<rows::ConversationRow> = (0..=ROWS_PER_STATEMENT).map(|i| row(&format!("m{i}"), i as i64)).collect();
        let raises: Vec<(String, i64)> = (0..=ROWS_PER_STATEMENT).map(|i| (format!("m{i}"), 10 + i as i64)).collect();
        conversations::put_many_raising(&mut tx, &many.iter().collect::<Vec<_>>(), &raises).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.read().await.unwrap();
        let synced = seqs::all(&mut c).await.unwrap();
        assert_eq!(synced.len(), ROWS_PER_STATEMENT + 4);
        assert_eq!((synced["m0"], synced[&format!("m{ROWS_PER_STATEMENT}")]), (10, 10 + ROWS_PER_STATEMENT as i64));
        let stored = conversations::all(&mut c).await.unwrap();
        assert_eq!(stored.len(), ROWS_PER_STATEMENT + 3);
        assert_eq!(stored.iter().find(|r| r.conversation_id == "m7").map(|r| r.max_seq), Some(7));
    }

    /// Read marks for many conversations in one statement: in each conversation, others'
    /// messages up to its mark turn read; later ones, own ones, unconfirmed ones (seq 0) and
    /// other conversations stay as they were.
    #[tokio::test]
    async fn read_marks_of_many_conversations_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "me").await.unwrap();
        let message = |conversation: &str, id: &str, from: &str, seq: i64| rows::ChatLogRow {
            conversation_id: conversation.into(),
            client_msg_id: id.into(),
            send_id: from.into(),
            session_type: 1,
            content_type: 101,
            status: 2,
            seq,
            ..Default::default()
        };
        let stored = [
            message("a", "a1", "x", 1),
            message("a", "a2", "me", 2),
            message("a", "a3", "x", 3),
            message("a", "a4", "x", 4),
            message("a", "a0", "x", 0),
            message("b", "b1", "y", 1),
            message("b", "b2", "y", 2),
            message("c", "c1", "z", 1),
        ];
        let mut tx = store.begin().await.unwrap();
        for m in &stored {
            chat_logs::insert(&mut tx, m).await.unwrap();
        }
        chat_logs::mark_read_up_to_many(&mut tx, "me", &[("a".into(), 3), ("b".into(), 9), ("missing".into(), 5)]).await.unwrap();
        tx.commit().await.unwrap();
        let read: Vec<(String, bool)> = sqlx::query_as("SELECT client_msg_id, is_read FROM local_chat_logs ORDER BY client_msg_id")
            .fetch_all(&mut *store.read().await.unwrap())
            .await
            .unwrap();
        let want = [("a0", false), ("a1", true), ("a2", false), ("a3", true), ("a4", false), ("b1", true), ("b2", true), ("c1", false)];
        assert_eq!(read, want.map(|(id, r)| (id.to_owned(), r)));
    }

    /// The conversation list is read in list order from its index (pinned first, then by the
    /// later of the latest message and the draft), not sorted whole for each page: with 10 000
    /// chats a page took ~40 ms. Asks the bundled SQLite for its plan.
    #[tokio::test]
    async fn the_conversation_list_is_read_from_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "u").await.unwrap();
        let steps = query_plan(&store, &conversations::page_sql(0, 20), None).await;
        assert_eq!(steps, ["SCAN local_conversations USING INDEX local_conversations_list"]);
    }

    /// SQLite's plan of `sql`, a line a step (`bind`: its one parameter, if it has one).
    async fn query_plan(store: &Store, sql: &str, bind: Option<&str>) -> Vec<String> {
        let q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")));
        let q = match bind {
            Some(value) => q.bind(value.to_owned()),
            None => q,
        };
        let plan = q.fetch_all(&mut *store.read().await.unwrap()).await.unwrap();
        plan.into_iter().map(|(_, _, _, step)| step).collect()
    }

    /// A page of a group's members is read in list order from its index: all members, and one
    /// role (the filters of more roles read their few rows and sort them).
    #[tokio::test]
    async fn group_member_pages_are_read_from_their_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "u").await.unwrap();
        for roles in [None, Some(&[20][..])] {
            let steps = query_plan(&store, &groups::members_page_sql(roles, 0, 20), Some("g")).await;
            assert_eq!(steps.len(), 1, "{steps:?}");
            assert!(steps[0].starts_with("SEARCH local_group_members USING INDEX local_group_members_list"), "{steps:?}");
        }
    }

    /// Page queries are planned once per page size: a bound LIMIT made SQLite plan the
    /// statement again at every run (its planner reads the LIMIT's value), which was most of a
    /// history page's time. Reads SQLite's own counters of the read connection's statements.
    #[tokio::test]
    async fn page_queries_are_planned_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "u").await.unwrap();
        let message = |seq: i64| rows::ChatLogRow {
            conversation_id: "c".into(),
            client_msg_id: format!("m{seq}"),
            session_type: 1,
            content_type: 101,
            status: 2,
            seq,
            send_time: seq,
            ..Default::default()
        };
        let mut tx = store.begin().await.unwrap();
        for seq in 1..=30 {
            chat_logs::insert(&mut tx, &message(seq)).await.unwrap();
        }
        let chats: Vec<ConversationRow> =
            (0..5).map(|i| ConversationRow { conversation_id: format!("c{i}"), latest_msg_send_time: 10 - i, ..Default::default() }).collect();
        tx.put_conversations(&chats.iter().collect::<Vec<_>>(), &[]).await.unwrap();
        tx.commit().await.unwrap();

        let mut c = store.read().await.unwrap();
        for run in 0..4 {
            let page = chat_logs::page(&mut c, "c", None, 21, false).await.unwrap();
            assert_eq!((page.len(), page[0].seq, page[20].seq), (21, 30, 10));
            let older = chat_logs::page(&mut c, "c", Some((10, 10, "m10")), 21, false).await.unwrap();
            assert_eq!(older.iter().map(|m| m.seq).collect::<Vec<_>>(), (1..10).rev().collect::<Vec<_>>());
            let first = conversations::page(&mut c, 0, 2).await.unwrap();
            assert_eq!(first.iter().map(|r| r.conversation_id.as_str()).collect::<Vec<_>>(), ["c0", "c1"]);
            let second = conversations::page(&mut c, 2 + run % 2, 2).await.unwrap();
            assert_eq!(second[0].conversation_id, format!("c{}", 2 + run % 2));
            assert_eq!(conversations::page(&mut c, -1, 1).await.unwrap()[0].conversation_id, "c0", "a negative offset is the first page");
        }

        let mut handle = c.lock_handle().await.unwrap();
        let db = handle.as_raw_handle().as_ptr();
        let (mut pages, mut one_offs) = (0, 0);
        // SAFETY: the connection is locked for this handle; statements are only read.
        unsafe {
            let mut stmt = libsqlite3_sys::sqlite3_next_stmt(db, std::ptr::null_mut());
            while !stmt.is_null() {
                let sql = std::ffi::CStr::from_ptr(libsqlite3_sys::sqlite3_sql(stmt)).to_string_lossy().into_owned();
                let replanned = libsqlite3_sys::sqlite3_stmt_status(stmt, libsqlite3_sys::SQLITE_STMTSTATUS_REPREPARE, 0);
                let runs = libsqlite3_sys::sqlite3_stmt_status(stmt, libsqlite3_sys::SQLITE_STMTSTATUS_RUN, 0);
                if sql.contains("OFFSET") {
                    one_offs += 1;
                } else if sql.contains("FROM local_") && sql.contains("LIMIT") {
                    pages += 1;
                    assert_eq!((replanned, runs), (0, 4), "planned again at a run: {sql}");
                }
                stmt = libsqlite3_sys::sqlite3_next_stmt(db, stmt);
            }
        }
        assert_eq!(pages, 4, "kept prepared: the two chat-log pages and two first pages of the list");
        // sqlx keeps the last statement it did not cache until the next one replaces it.
        assert!(one_offs <= 1, "later pages (offsets) are not kept prepared");
    }

    /// The writer's conversation reads: its own writes first, then rows committed by earlier
    /// writes (cached), then the database; a rolled-back write leaves nothing in the cache, a
    /// large batch drops the rows it wrote from it, and a second store on the same file shares
    /// the cache (and the writer).
    #[tokio::test]
    async fn the_writer_reads_conversations_as_committed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), "u").await.unwrap();
        let row = |id: &str, name: &str| rows::ConversationRow { conversation_id: id.into(), show_name: name.into(), ..Default::default() };
        let name = |r: Option<rows::ConversationRow>| r.map(|r| r.show_name);
        // Read with no transaction open: the cache is the writer's.
        let cached = |store: &Store, id: &str| store.writer.try_lock().unwrap().0.get(id).map(|r| r.show_name.clone());

        let mut tx = store.begin().await.unwrap();
        assert_eq!(name(tx.conversation("a").await.unwrap()), None);
        tx.put_conversations(&[&row("a", "v1")], &[]).await.unwrap();
        assert_eq!(name(tx.conversation("a").await.unwrap()), Some("v1".into()));
        assert_eq!(tx.writer.0.0.get("a"), None, "not cached before the commit");
        tx.commit().await.unwrap();
        assert_eq!(cached(&store, "a"), Some("v1".into()));

        let mut tx = store.begin().await.unwrap();
        assert_eq!(name(tx.conversation("a").await.unwrap()), Some("v1".into()));
        tx.put_conversations(&[&row("a", "v2")], &[]).await.unwrap();
        assert_eq!(name(tx.conversation("a").await.unwrap()), Some("v2".into()));
        drop(tx);
        assert_eq!(cached(&store, "a"), Some("v1".into()), "a rolled-back write is not cached");
        let mut tx = store.begin().await.unwrap();
        assert_eq!(name(tx.conversation("a").await.unwrap()), Some("v1".into()));

        // A batch larger than a write keeps drops its rows from the cache; the write itself
        // reads them from the database.
        let id = |i: usize| if i == 0 { "a".to_owned() } else { format!("b{i}") };
        let batch: Vec<rows::ConversationRow> = (0..=ConversationCache::KEPT_PER_WRITE).map(|i| row(&id(i), &format!("batch{i}"))).collect();
        tx.put_conversations(&batch.iter().collect::<Vec<_>>(), &[]).await.unwrap();
        assert_eq!(name(tx.conversation("a").await.unwrap()), Some("batch0".into()));
        tx.commit().await.unwrap();
        assert_eq!((cached(&store, "a"), cached(&store, "b3")), (None, None));

        // Another store on the same file (an abandoned session's and the next one's) shares the
        // writer and the cache: its write replaces what the first one cached.
        let other = Store::open(dir.path(), "u").await.unwrap();
        assert!(Arc::ptr_eq(&store.writer, &other.writer));
        let mut tx = other.begin().await.unwrap();
        tx.put_conversations(&[&row("a", "other")], &[]).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        assert_eq!(name(tx.conversation("a").await.unwrap()), Some("other".into()));
    }
}
