//! The devserver's storage: one SQLite database, in memory by default or in the `--data` file.

mod client_config;
mod conversations;
pub mod friends;
pub mod groups;
mod logs;
mod messages;
mod tokens;
mod users;
pub use users::AccountsBy;
pub mod versions;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection as _;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tokio::sync::Mutex;

use crate::error::CodeResult;

pub use logs::LogUpload;
pub use messages::{MAX_BATCH, NewMessage, Revoke};
pub use tokens::TokenRow;

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// For the in-memory database: a connection that is never used but keeps the database alive
    /// when the pool closes its connection (sqlx closes one whose query future was dropped).
    anchor: Option<std::sync::Arc<Mutex<Option<SqliteConnection>>>>,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// Opens (and migrates) the database: the file at `data`, or a private in-memory one.
    pub async fn open(data: Option<&Path>) -> anyhow::Result<Self> {
        let (options, max_connections) = match data {
            Some(path) => (
                SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal),
                4,
            ),
            // A named, shared-cache in-memory database. Writers would lock each other's tables,
            // so the pool keeps a single connection.
            None => (SqliteConnectOptions::from_str("sqlite::memory:")?, 1),
        };
        let options = options.busy_timeout(Duration::from_secs(5)).foreign_keys(true);
        let anchor = match data {
            Some(_) => None,
            None => Some(std::sync::Arc::new(Mutex::new(Some(SqliteConnection::connect_with(&options).await?)))),
        };
        if data.is_some() {
            // One connection creates the file, switches it to WAL (a setting the file keeps) and
            // migrates it before the pool's connections open it: connections switching a new
            // file to WAL at the same time can fail with SQLITE_BUSY without waiting (seen as
            // "database is locked" at a start under load).
            let first = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
            MIGRATOR.run(&first).await?;
            first.close().await;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        if data.is_none() {
            MIGRATOR.run(&pool).await?;
        }
        Ok(Self { pool, anchor })
    }

    /// The pool, for tests that plant faults in the database.
    #[cfg(test)]
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(anchor) = &self.anchor
            && let Some(conn) = anchor.lock().await.take()
        {
            let _ = conn.close().await;
        }
    }
}

pub use openim_wire::time::now_ms;

/// Values per `IN (…)` list: lookups of many conversations go in chunks of this many, one query
/// each, instead of one query per conversation.
const IN_CHUNK: usize = 500;

impl Store {
    /// The rows `sql` selects for all of `ids`, [`IN_CHUNK`] IDs per query: `sql` has `{ids}`
    /// where the `IN (…)` list goes, and `key` (an owner or user ID), when given, is bound
    /// before the IDs.
    async fn fetch_in<R>(&self, sql: &str, key: Option<&str>, ids: &[String]) -> CodeResult<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IN_CHUNK) {
            let mut list = "?, ".repeat(chunk.len());
            list.truncate(list.len().saturating_sub(2));
            let mut q = sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(sql.replace("{ids}", &list)));
            if let Some(key) = key {
                q = q.bind(key);
            }
            for id in chunk {
                q = q.bind(id);
            }
            out.extend(q.fetch_all(&self.pool).await?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_memory_data_survives_a_closed_pool_connection() {
        let store = Store::open(None).await.unwrap();
        store.ensure_user("u1", now_ms()).await.unwrap();
        // What sqlx does with a connection whose query future was dropped.
        store.pool.acquire().await.unwrap().close().await.unwrap();
        assert!(store.find_user("u1").await.unwrap().is_some());
        store.close().await;
    }

    #[tokio::test]
    async fn a_failed_message_insert_is_rolled_back_and_the_next_one_succeeds() {
        use openim_wire::pb::sdkws::MsgData;
        let store = Store::open(None).await.unwrap();
        let conv = "si_a_b".to_owned();
        let msg = |id: &str| MsgData { client_msg_id: id.into(), send_id: "a".into(), send_time: 5, ..Default::default() };
        let mut first = msg("m1");
        assert_eq!(store.insert_message(&conv, &mut first, Some("a")).await.unwrap(), 1);
        // The messages insert fails after the seq upsert ran in the same batch.
        sqlx::query("CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.client_msg_id = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END")
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(store.insert_message(&conv, &mut msg("boom"), Some("a")).await.is_err());
        // Nothing of it stayed: the seq was not taken, and the connection is usable again.
        assert_eq!(store.max_seqs(std::slice::from_ref(&conv)).await.unwrap()[&conv].0, 1);
        let mut next = msg("m2");
        assert_eq!(store.insert_message(&conv, &mut next, Some("a")).await.unwrap(), 2);
        assert_eq!(next.seq, 2);
        let stored = store.messages_for_user(&conv, "a", &[1, 2]).await.unwrap();
        assert_eq!(stored.iter().map(|m| (m.seq, m.client_msg_id.as_str())).collect::<Vec<_>>(), [(1, "m1"), (2, "m2")]);
        assert_eq!(store.has_read_seqs("a", std::slice::from_ref(&conv)).await.unwrap()[&conv], 2);
        store.close().await;
    }

    /// A group commit: messages of several conversations in one call take consecutive seqs per
    /// conversation in call order, with their readers' marks and the conversation's time,
    /// across transactions of 32, 8, 4 and 1 messages. When a transaction fails, its messages are
    /// stored one by one: only the one that fails alone is left without a seq.
    #[tokio::test]
    async fn messages_stored_together_take_their_seqs_in_order() {
        use openim_wire::pb::sdkws::MsgData;
        let store = Store::open(None).await.unwrap();
        let convs = ["si_a_b", "si_a_c", "sg_g1"];
        let mut msgs: Vec<MsgData> = (0..45)
            .map(|i| MsgData { client_msg_id: format!("m{i}"), send_id: "a".into(), send_time: 100 + i, ..Default::default() })
            .collect();
        let mut batch: Vec<NewMessage> = msgs
            .iter_mut()
            .enumerate()
            .map(|(i, msg)| NewMessage { conversation_id: convs[i % 3], msg, reader: (i % 3 != 2).then_some("a") })
            .collect();
        let seqs: Vec<i64> = store.insert_messages(&mut batch).await.into_iter().map(Result::unwrap).collect();
        drop(batch);
        let want: Vec<i64> = (0..45).map(|i| i / 3 + 1).collect();
        assert_eq!(seqs, want);
        assert_eq!(msgs.iter().map(|m| m.seq).collect::<Vec<_>>(), want);
        for (k, conv) in convs.iter().enumerate() {
            let conv = conv.to_string();
            // The conversation's time is its last message's (42 + k).
            assert_eq!(store.max_seqs(std::slice::from_ref(&conv)).await.unwrap()[&conv], (15, 142 + k as i64));
            let stored = store.messages_for_user(&conv, "a", &(1..=15).collect::<Vec<_>>()).await.unwrap();
            let ids: Vec<String> = stored.iter().map(|m| m.client_msg_id.clone()).collect();
            assert_eq!(ids, (0..15).map(|j| format!("m{}", j * 3 + k)).collect::<Vec<_>>(), "{conv}");
            let read = store.has_read_seqs("a", std::slice::from_ref(&conv)).await.unwrap()[&conv];
            assert_eq!(read, if k == 2 { 0 } else { 15 }, "{conv}");
        }

        // 37 more to si_a_b (a stale seq on each is not kept): the transaction of 32 goes in;
        // the one of 4 holding "boom" fails and its messages go one by one; the last one goes in.
        sqlx::query("CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.client_msg_id = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END")
            .execute(&store.pool)
            .await
            .unwrap();
        let mut more: Vec<MsgData> = (0..37)
            .map(|i| MsgData {
                client_msg_id: if i == 34 { "boom".into() } else { format!("n{i}") },
                send_id: "a".into(),
                send_time: 1000 + i,
                seq: 99,
                ..Default::default()
            })
            .collect();
        let mut batch: Vec<NewMessage> = more.iter_mut().map(|msg| NewMessage { conversation_id: "si_a_b", msg, reader: Some("a") }).collect();
        let results = store.insert_messages(&mut batch).await;
        drop(batch);
        assert!(results[34].is_err());
        let seqs: Vec<i64> = more.iter().map(|m| m.seq).collect();
        let want: Vec<i64> = (16..50).chain([0, 50, 51]).collect();
        assert_eq!(seqs, want);
        assert_eq!(results.iter().map(|r| *r.as_ref().unwrap_or(&0)).collect::<Vec<_>>(), want);
        let conv = "si_a_b".to_owned();
        assert_eq!(store.max_seqs(std::slice::from_ref(&conv)).await.unwrap()[&conv], (51, 1036));
        let mut next = MsgData { client_msg_id: "after".into(), send_id: "a".into(), ..Default::default() };
        assert_eq!(store.insert_message(&conv, &mut next, Some("a")).await.unwrap(), 52);
        assert_eq!(store.has_read_seqs("a", std::slice::from_ref(&conv)).await.unwrap()[&conv], 52);
        let stored = store.messages_for_user(&conv, "a", &[49, 50, 51, 52]).await.unwrap();
        assert_eq!(stored.iter().map(|m| m.client_msg_id.as_str()).collect::<Vec<_>>(), ["n33", "n35", "n36", "after"]);
        store.close().await;
    }

    #[tokio::test]
    async fn lookups_of_many_conversations_cross_chunks() {
        use openim_wire::pb::sdkws::MsgData;
        let store = Store::open(None).await.unwrap();
        let n = IN_CHUNK * 2 + 7;
        let ids: Vec<String> = (0..n).map(|i| format!("si_a_u{i:04}")).collect();
        for (i, id) in ids.iter().enumerate() {
            // Conversation i holds i % 3 + 1 messages; "a" read them all.
            for _ in 0..=i % 3 {
                let mut m = MsgData { client_msg_id: format!("{id}-{}", fastrand::u64(..)), send_id: "a".into(), send_time: 1, ..Default::default() };
                store.insert_message(id, &mut m, Some("a")).await.unwrap();
            }
        }
        let mut asked = ids.clone();
        asked.push("si_a_nobody".into());
        let max = store.max_seqs(&asked).await.unwrap();
        let read = store.has_read_seqs("a", &asked).await.unwrap();
        let bounds = store.bounds_many(&asked, "a").await.unwrap();
        assert_eq!((max.len(), read.len(), bounds.len()), (n, n + 1, n + 1));
        for (i, id) in ids.iter().enumerate() {
            let want = (i % 3 + 1) as i64;
            assert_eq!((max[id].0, read[id], bounds[id].min, bounds[id].max), (want, want, 1, want), "{id}");
        }
        assert_eq!((read["si_a_nobody"], bounds["si_a_nobody"].max), (0, 0));
        assert_eq!(store.bounds(&ids[5], "a").await.unwrap().max, 3);

        // Messages of every conversation in one call (several queries of ranges), as each
        // reader sees them: "a" deleted seq 1 of conversation 2, seq 2 of it is revoked.
        store.delete_messages_for_user(&ids[2], "a", &[1]).await.unwrap();
        let revoke = messages::Revoke { user_id: "a".into(), role: 0, nickname: "A".into(), time: 9 };
        store.revoke_message(&ids[2], 2, &revoke).await.unwrap();
        let mut wanted: Vec<(String, Vec<i64>)> = ids.iter().map(|id| (id.clone(), vec![1, 2, 3])).collect();
        wanted.push((ids[2].clone(), vec![3, 1])); // the same conversation again, other order
        wanted.push((ids[4].clone(), Vec::new()));
        wanted.push(("si_a_nobody".into(), vec![1]));
        let got = store.messages_for_user_many("a", &wanted).await.unwrap();
        assert_eq!(got.len(), wanted.len());
        let deleted = openim_wire::constant::msg_status::HAS_DELETED;
        for (i, msgs) in got.iter().take(n).enumerate() {
            let have = i % 3 + 1;
            assert_eq!(msgs.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3], "{}", ids[i]);
            for m in &msgs[have..] {
                assert_eq!((m.status, m.client_msg_id.as_str()), (deleted, ""), "a seq past the end comes back empty");
            }
            if i != 2 {
                assert!(msgs[..have].iter().all(|m| m.client_msg_id.starts_with(&ids[i]) && m.status != deleted), "{}", ids[i]);
            }
        }
        let c2 = &got[2];
        assert_eq!((c2[0].status, c2[0].content.is_empty()), (deleted, true), "deleted for a");
        assert_eq!(c2[1].content_type, openim_wire::constant::content_type::MSG_REVOKE);
        assert!(c2[2].client_msg_id.starts_with(&ids[2]));
        assert_eq!(got[n].iter().map(|m| (m.seq, m.status)).collect::<Vec<_>>(), [(3, c2[2].status), (1, deleted)]);
        assert!(got[n + 1].is_empty());
        assert_eq!(got[n + 2].iter().map(|m| (m.seq, m.status)).collect::<Vec<_>>(), [(1, deleted)]);
        // Another reader sees the message "a" deleted.
        let b = store.messages_for_user(&ids[2], "u0002", &[1]).await.unwrap();
        assert_ne!(b[0].status, deleted);
        store.close().await;
    }
}
