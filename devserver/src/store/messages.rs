//! Stored messages, their seqs, and the per-user view of them (deleted, revoked, read).

use std::collections::HashMap;

use openim_wire::constant::{content_type, msg_status};
use openim_wire::elem::{MessageRevoked, NotificationElem};
use openim_wire::pb::Message as _;
use openim_wire::pb::sdkws::MsgData;

use super::Store;
use crate::error::{CodeError, CodeResult};

/// The statements of one message in [`Store::insert_messages`]' batch, with positional
/// parameters (sqlx binds `?` in order across the statements of a batch; numbered ones would
/// be bound by number, and the unnamed gaps below them would use up positional values):
/// conversation, send time; client message ID, sender, send time, the message's bytes,
/// conversation; reader, conversation, reader (the reader whose read mark follows, NULL for
/// none). The first statement's row is the new seq.
const INSERT_ONE: &str = "INSERT INTO seq_conversation (conversation_id, max_seq, max_seq_time) VALUES (?, 1, ?)
  ON CONFLICT (conversation_id) DO UPDATE SET max_seq = max_seq + 1, max_seq_time = excluded.max_seq_time
  RETURNING max_seq;
INSERT INTO messages (conversation_id, seq, client_msg_id, send_id, send_time, msg)
  SELECT conversation_id, max_seq, ?, ?, ?, ? FROM seq_conversation WHERE conversation_id = ?;
INSERT INTO seq_user (conversation_id, user_id, read_seq)
  SELECT conversation_id, ?, max_seq FROM seq_conversation WHERE conversation_id = ? AND ? IS NOT NULL
  ON CONFLICT (conversation_id, user_id) DO UPDATE SET read_seq = MAX(read_seq, excluded.read_seq);
";

/// Messages per transaction in [`Store::insert_messages`].
pub const MAX_BATCH: usize = 32;

/// A message to store ([`Store::insert_messages`]).
pub struct NewMessage<'a> {
    pub conversation_id: &'a str,
    pub msg: &'a mut MsgData,
    /// Whose read mark follows the new seq (the sender of a chat message).
    pub reader: Option<&'a str>,
}

fn largest_power_of_two_at_most(n: usize) -> usize {
    1 << (usize::BITS - 1 - n.leading_zeros())
}

/// `BEGIN IMMEDIATE`, [`INSERT_ONE`] for each of `n` messages, `COMMIT`.
fn insert_batch_sql(n: usize) -> String {
    let mut sql = String::with_capacity(32 + n * INSERT_ONE.len());
    sql.push_str("BEGIN IMMEDIATE;\n");
    for _ in 0..n {
        sql.push_str(INSERT_ONE);
    }
    sql.push_str("COMMIT;");
    sql
}

/// Conversations per query in [`Store::messages_for_user_many`] (four parameters each).
const RANGES_PER_QUERY: usize = 200;

/// Who revoked a message, and when.
#[derive(Debug, Clone, Default)]
pub struct Revoke {
    pub user_id: String,
    pub role: i32,
    pub nickname: String,
    pub time: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    seq: i64,
    msg: Vec<u8>,
    is_read: bool,
    revoke_user_id: Option<String>,
    revoke_role: i32,
    revoke_nickname: String,
    revoke_time: i64,
}

/// A [`Row`] of [`Store::messages_for_user_many`], with the index of the entry that asked for it
/// and whether the user deleted it.
#[derive(sqlx::FromRow)]
struct SpanRow {
    i: i64,
    #[sqlx(flatten)]
    row: Row,
    deleted: bool,
}

impl Row {
    fn decode(self) -> CodeResult<(MsgData, Option<Revoke>)> {
        let mut msg = MsgData::decode(self.msg.as_slice()).map_err(|e| CodeError::internal(format!("stored message: {e}")))?;
        msg.seq = self.seq;
        msg.is_read = msg.is_read || self.is_read;
        let revoke = self.revoke_user_id.map(|user_id| Revoke {
            user_id,
            role: self.revoke_role,
            nickname: self.revoke_nickname,
            time: self.revoke_time,
        });
        Ok((msg, revoke))
    }
}

/// The seq bounds a user may read in a conversation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bounds {
    pub min: i64,
    pub max: i64,
}

impl Store {
    /// Gives `msg` the conversation's next seq and stores it, with `reader`'s read mark raised to
    /// it, in one transaction ([`Self::insert_messages`] of one message).
    #[cfg(test)]
    pub async fn insert_message(&self, conversation_id: &str, msg: &mut MsgData, reader: Option<&str>) -> CodeResult<i64> {
        let mut one = [NewMessage { conversation_id, msg, reader }];
        self.insert_messages(&mut one).await.pop().unwrap_or_else(|| Err(CodeError::internal("no result for the message")))
    }

    /// Gives each message its conversation's next seq, in order (messages of one conversation
    /// take consecutive seqs), and stores it with its reader's read mark raised to it; the
    /// result of each, in order (a message not stored keeps seq 0). Callers serialise sends.
    ///
    /// Messages go [`MAX_BATCH`] or fewer per transaction, each transaction one batch of
    /// statements (one round trip to SQLite's connection thread: a send is the devserver's
    /// hottest write, and the in-memory database has a single connection that every request
    /// shares), in groups of a power of two so that few batch texts are kept prepared. When a
    /// group fails, its messages are tried again one per transaction, so only a message that
    /// fails alone fails. A batch runs in its own task, so a dropped caller never leaves the
    /// connection inside it; a failed batch is rolled back on its connection, or the connection
    /// is closed (which discards the transaction).
    pub async fn insert_messages(&self, messages: &mut [NewMessage<'_>]) -> Vec<CodeResult<i64>> {
        // The seq lives in the row's `seq` column, not in the stored bytes (see `Row::decode`);
        // a message left unstored keeps none.
        for m in messages.iter_mut() {
            m.msg.seq = 0;
        }
        let mut results = Vec::with_capacity(messages.len());
        let mut rest = &mut messages[..];
        while !rest.is_empty() {
            let n = largest_power_of_two_at_most(rest.len().min(MAX_BATCH));
            let (group, tail) = rest.split_at_mut(n);
            match self.insert_group(group).await {
                Ok(seqs) => results.extend(seqs.into_iter().map(Ok)),
                Err(e) if n == 1 => results.push(Err(e)),
                Err(_) => {
                    for one in group.chunks(1) {
                        results.push(self.insert_group(one).await.map(|seqs| seqs[0]));
                    }
                }
            }
            rest = tail;
        }
        for (m, result) in messages.iter_mut().zip(&results) {
            if let Ok(seq) = result {
                m.msg.seq = *seq;
            }
        }
        results
    }

    async fn insert_group(&self, group: &[NewMessage<'_>]) -> CodeResult<Vec<i64>> {
        let mut args = Vec::with_capacity(group.len());
        for m in group.iter() {
            args.push((m.conversation_id.to_owned(), m.msg.send_time, m.msg.client_msg_id.clone(), m.msg.send_id.clone(), m.msg.encode_to_vec(), m.reader.map(str::to_owned)));
        }
        let n = group.len();
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let sql = insert_batch_sql(n);
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (conversation_id, send_time, client_msg_id, send_id, bytes, reader) in args {
                // In the order of INSERT_ONE's parameters.
                q = q.bind(conversation_id.clone()).bind(send_time);
                q = q.bind(client_msg_id).bind(send_id).bind(send_time).bind(bytes).bind(conversation_id.clone());
                q = q.bind(reader.clone()).bind(conversation_id).bind(reader);
            }
            let mut conn = pool.acquire().await?;
            match q.fetch_all(&mut *conn).await {
                Ok(rows) if rows.len() == n => rows.iter().map(|row| Ok(sqlx::Row::try_get::<i64, _>(row, 0)?)).collect(),
                Ok(rows) => Err(CodeError::internal(format!("the seq upserts returned {} rows for {n} messages", rows.len()))),
                Err(e) => {
                    // When BEGIN itself failed, or SQLite already rolled back (I/O error, full
                    // disk), there is nothing to roll back; any other failure closes the
                    // connection, which discards whatever is open on it.
                    if let Err(rollback) = sqlx::query("ROLLBACK").execute(&mut *conn).await
                        && !rollback.to_string().contains("no transaction is active")
                    {
                        conn.close_on_drop();
                    }
                    Err(CodeError::from(e))
                }
            }
        })
        .await
        .map_err(|e| CodeError::internal(format!("message insert task: {e}")))?
    }

    /// `(max_seq, max_seq_time)` of each conversation that has messages.
    pub async fn max_seqs(&self, conversation_ids: &[String]) -> CodeResult<HashMap<String, (i64, i64)>> {
        let rows: Vec<(String, i64, i64)> = self
            .fetch_in("SELECT conversation_id, max_seq, max_seq_time FROM seq_conversation WHERE conversation_id IN ({ids})", None, conversation_ids)
            .await?;
        Ok(rows.into_iter().map(|(id, max, time)| (id, (max, time))).collect())
    }

    /// The seqs `user_id` may read in `conversation_id`: from the later of the conversation's and
    /// the user's min seq, up to the conversation's max seq.
    pub async fn bounds(&self, conversation_id: &str, user_id: &str) -> CodeResult<Bounds> {
        let mut all = self.bounds_many(&[conversation_id.to_owned()], user_id).await?;
        Ok(all.remove(conversation_id).unwrap_or_default())
    }

    /// [`Self::bounds`] of every conversation in `conversation_ids`, two queries per 500.
    pub async fn bounds_many(&self, conversation_ids: &[String], user_id: &str) -> CodeResult<HashMap<String, Bounds>> {
        let conv: Vec<(String, i64, i64)> = self
            .fetch_in("SELECT conversation_id, min_seq, max_seq FROM seq_conversation WHERE conversation_id IN ({ids})", None, conversation_ids)
            .await?;
        let user: Vec<(String, i64, i64)> = self
            .fetch_in("SELECT conversation_id, min_seq, max_seq FROM seq_user WHERE user_id = ? AND conversation_id IN ({ids})", Some(user_id), conversation_ids)
            .await?;
        let conv: HashMap<String, (i64, i64)> = conv.into_iter().map(|(id, min, max)| (id, (min, max))).collect();
        let user: HashMap<String, (i64, i64)> = user.into_iter().map(|(id, min, max)| (id, (min, max))).collect();
        let mut out = HashMap::with_capacity(conversation_ids.len());
        for id in conversation_ids {
            let (conv_min, max) = conv.get(id).copied().unwrap_or((0, 0));
            let (user_min, user_max) = user.get(id).copied().unwrap_or((0, 0));
            // A user max seq (set when a member leaves a group) caps what it may read.
            let max = if user_max > 0 { max.min(user_max) } else { max };
            out.insert(id.clone(), Bounds { min: conv_min.max(user_min).max(1), max });
        }
        Ok(out)
    }

    /// One stored message as it is, with its revoke record.
    pub async fn message_raw(&self, conversation_id: &str, seq: i64) -> CodeResult<Option<(MsgData, Option<Revoke>)>> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT seq, msg, is_read, revoke_user_id, revoke_role, revoke_nickname, revoke_time
             FROM messages WHERE conversation_id = ? AND seq = ?",
        )
        .bind(conversation_id)
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Row::decode).transpose()
    }

    /// Messages as `user_id` sees them, one per asked seq and in that order: deleted-for-me
    /// messages have empty content and status 4, revoked ones become contentType 2101 with a
    /// `MessageRevoked` detail, and seqs without a message come back as `{seq, status 4}`.
    pub async fn messages_for_user(&self, conversation_id: &str, user_id: &str, seqs: &[i64]) -> CodeResult<Vec<MsgData>> {
        let wanted = [(conversation_id.to_owned(), seqs.to_vec())];
        Ok(self.messages_for_user_many(user_id, &wanted).await?.pop().unwrap_or_default())
    }

    /// [`Self::messages_for_user`] for many conversations at once (one result per entry of
    /// `wanted`, in its order): one query per [`RANGES_PER_QUERY`] conversations instead of two
    /// per conversation (a pull asks for a hundred at a time).
    pub async fn messages_for_user_many(&self, user_id: &str, wanted: &[(String, Vec<i64>)]) -> CodeResult<Vec<Vec<MsgData>>> {
        let mut by_entry: Vec<HashMap<i64, MsgData>> = wanted.iter().map(|_| HashMap::new()).collect();
        // Entries with seqs, with their index and seq span.
        let spans: Vec<(usize, &str, i64, i64)> = wanted
            .iter()
            .enumerate()
            .filter_map(|(i, (id, seqs))| Some((i, id.as_str(), *seqs.iter().min()?, *seqs.iter().max()?)))
            .collect();
        for chunk in spans.chunks(RANGES_PER_QUERY) {
            let mut values = "(?, ?, ?, ?), ".repeat(chunk.len());
            values.truncate(values.len() - 2);
            let sql = format!(
                "WITH r(i, cid, lo, hi) AS (VALUES {values})
                 SELECT r.i, m.seq, m.msg, m.is_read, m.revoke_user_id, m.revoke_role, m.revoke_nickname, m.revoke_time,
                        EXISTS (SELECT 1 FROM message_deletions d
                                WHERE d.conversation_id = m.conversation_id AND d.seq = m.seq AND d.user_id = ?) AS deleted
                 FROM r JOIN messages m ON m.conversation_id = r.cid AND m.seq BETWEEN r.lo AND r.hi"
            );
            let mut q = sqlx::query_as::<_, SpanRow>(sqlx::AssertSqlSafe(sql));
            for (i, id, lo, hi) in chunk {
                q = q.bind(*i as i64).bind(*id).bind(*lo).bind(*hi);
            }
            for row in q.bind(user_id).fetch_all(&self.pool).await? {
                let (i, seq, deleted) = (row.i as usize, row.row.seq, row.deleted);
                let (mut msg, revoke) = row.row.decode()?;
                if deleted {
                    msg.content.clear();
                    msg.status = msg_status::HAS_DELETED;
                }
                if let Some(revoke) = revoke {
                    apply_revoke(&mut msg, &revoke);
                }
                if let Some(found) = by_entry.get_mut(i) {
                    found.insert(seq, msg);
                }
            }
        }
        Ok(wanted
            .iter()
            .zip(by_entry)
            .map(|((_, seqs), mut found)| {
                seqs.iter()
                    .map(|seq| found.remove(seq).unwrap_or(MsgData { seq: *seq, status: msg_status::HAS_DELETED, ..Default::default() }))
                    .collect()
            })
            .collect())
    }

    /// The newest message `user_id` has not deleted, at or above `min_seq`.
    pub async fn last_message_for_user(&self, conversation_id: &str, user_id: &str, min_seq: i64) -> CodeResult<Option<MsgData>> {
        let seq: Option<i64> = sqlx::query_scalar(
            "SELECT m.seq FROM messages m WHERE m.conversation_id = ? AND m.seq >= ?
               AND NOT EXISTS (SELECT 1 FROM message_deletions d
                               WHERE d.conversation_id = m.conversation_id AND d.seq = m.seq AND d.user_id = ?)
             ORDER BY m.seq DESC LIMIT 1",
        )
        .bind(conversation_id)
        .bind(min_seq)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        match seq {
            Some(seq) => Ok(self.messages_for_user(conversation_id, user_id, &[seq]).await?.pop()),
            None => Ok(None),
        }
    }

    pub async fn revoke_message(&self, conversation_id: &str, seq: i64, revoke: &Revoke) -> CodeResult<()> {
        sqlx::query(
            "UPDATE messages SET revoke_user_id = ?, revoke_role = ?, revoke_nickname = ?, revoke_time = ?
             WHERE conversation_id = ? AND seq = ?",
        )
        .bind(&revoke.user_id)
        .bind(revoke.role)
        .bind(&revoke.nickname)
        .bind(revoke.time)
        .bind(conversation_id)
        .bind(seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_messages_read(&self, conversation_id: &str, seqs: &[i64]) -> CodeResult<()> {
        for seq in seqs {
            sqlx::query("UPDATE messages SET is_read = 1 WHERE conversation_id = ? AND seq = ?")
                .bind(conversation_id)
                .bind(seq)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    pub async fn delete_messages_for_user(&self, conversation_id: &str, user_id: &str, seqs: &[i64]) -> CodeResult<()> {
        for seq in seqs {
            sqlx::query("INSERT OR IGNORE INTO message_deletions (conversation_id, seq, user_id) VALUES (?, ?, ?)")
                .bind(conversation_id)
                .bind(seq)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// The user's has-read seq per conversation (0 when never set).
    pub async fn has_read_seqs(&self, user_id: &str, conversation_ids: &[String]) -> CodeResult<HashMap<String, i64>> {
        let mut out: HashMap<String, i64> = conversation_ids.iter().map(|id| (id.clone(), 0)).collect();
        let read: Vec<(String, i64)> = self
            .fetch_in("SELECT conversation_id, read_seq FROM seq_user WHERE user_id = ? AND conversation_id IN ({ids})", Some(user_id), conversation_ids)
            .await?;
        out.extend(read);
        Ok(out)
    }

    /// Raises the user's has-read seq (never lowers it); returns the resulting value.
    pub async fn raise_has_read_seq(&self, user_id: &str, conversation_id: &str, seq: i64) -> CodeResult<i64> {
        raise_read_seq(&mut *self.pool.acquire().await?, user_id, conversation_id, seq).await?;
        Ok(self.has_read_seqs(user_id, &[conversation_id.to_owned()]).await?.remove(conversation_id).unwrap_or(seq))
    }

    /// Caps what `user_id` may read of `conversation_id` at `max_seq` (a member leaving a group);
    /// 0 lifts the cap.
    pub async fn set_user_max_seq(&self, user_id: &str, conversation_id: &str, max_seq: i64) -> CodeResult<()> {
        sqlx::query(
            "INSERT INTO seq_user (conversation_id, user_id, max_seq) VALUES (?, ?, ?)
             ON CONFLICT (conversation_id, user_id) DO UPDATE SET max_seq = excluded.max_seq",
        )
        .bind(conversation_id)
        .bind(user_id)
        .bind(max_seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The user's read caps (conversation → max seq), for conversations that have one.
    pub async fn user_max_seqs(&self, user_id: &str) -> CodeResult<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT conversation_id, max_seq FROM seq_user WHERE user_id = ? AND max_seq > 0")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The last seq of `conversation_id` sent at or before `time` (ms).
    pub async fn last_seq_sent_by(&self, conversation_id: &str, time: i64) -> CodeResult<Option<i64>> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM messages WHERE conversation_id = ? AND send_time <= ?")
            .bind(conversation_id)
            .bind(time)
            .fetch_one(&self.pool)
            .await?;
        Ok(seq)
    }

    /// Hides everything up to now from `user_id` (after a clear): min seq = max seq + 1.
    pub async fn set_user_min_seq(&self, user_id: &str, conversation_id: &str, min_seq: i64) -> CodeResult<()> {
        sqlx::query(
            "INSERT INTO seq_user (conversation_id, user_id, min_seq) VALUES (?, ?, ?)
             ON CONFLICT (conversation_id, user_id) DO UPDATE SET min_seq = excluded.min_seq",
        )
        .bind(conversation_id)
        .bind(user_id)
        .bind(min_seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// What a revoked message looks like to readers (OpenIM's `handlerDeleteAndRevoked`).
pub fn apply_revoke(msg: &mut MsgData, revoke: &Revoke) {
    let detail = MessageRevoked {
        revoker_id: revoke.user_id.clone(),
        revoker_role: revoke.role,
        client_msg_id: msg.client_msg_id.clone(),
        revoker_nickname: revoke.nickname.clone(),
        revoke_time: revoke.time,
        source_message_send_time: msg.send_time,
        source_message_send_id: msg.send_id.clone(),
        source_message_sender_nickname: msg.sender_nickname.clone(),
        session_type: msg.session_type,
        seq: msg.seq,
        ex: msg.ex.clone(),
        is_admin_revoke: false,
    };
    msg.content_type = content_type::MSG_REVOKE;
    msg.content = serde_json::to_vec(&NotificationElem { detail: serde_json::to_string(&detail).unwrap_or_default() })
        .unwrap_or_default();
}

/// Raises `user_id`'s read seq of `conversation_id` to `seq` (never lowers it).
async fn raise_read_seq(c: &mut sqlx::SqliteConnection, user_id: &str, conversation_id: &str, seq: i64) -> CodeResult<()> {
    sqlx::query(
        "INSERT INTO seq_user (conversation_id, user_id, read_seq) VALUES (?, ?, ?)
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET read_seq = MAX(read_seq, excluded.read_seq)",
    )
    .bind(conversation_id)
    .bind(user_id)
    .bind(seq)
    .execute(c)
    .await?;
    Ok(())
}
