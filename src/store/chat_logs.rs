//! `local_chat_logs`: every message of every conversation, including messages handed to the
//! gateway but not confirmed yet (status sending, no seq).

use std::collections::{HashMap, HashSet};

use openim_wire::constant::msg_status;
use sqlx::SqliteConnection;

use super::placeholders;
use super::rows::ChatLogRow;
use crate::error::Result;

/// Filters of [`search`].
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub conversation_id: Option<String>,
    pub keywords: Vec<String>,
    /// All keywords must match instead of any.
    pub match_all: bool,
    pub sender_ids: Vec<String>,
    pub content_types: Vec<i32>,
    /// Inclusive bounds on `send_time`, milliseconds.
    pub from_time: Option<i64>,
    pub to_time: Option<i64>,
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub(crate) fn like_pattern(keyword: &str) -> String {
    let mut p = String::with_capacity(keyword.len() + 2);
    p.push('%');
    for c in keyword.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Inserts `m` unless a message with its client ID exists; returns whether it was inserted.
pub async fn insert(c: &mut SqliteConnection, m: &ChatLogRow) -> Result<bool> {
    Ok(!insert_many(c, std::slice::from_ref(m)).await?.is_empty())
}

/// [`insert`] for many messages, a few hundred per statement; returns the client IDs that were
/// inserted, per conversation (a row whose client ID exists, or repeats one before it, is not).
pub async fn insert_many(c: &mut SqliteConnection, rows: &[ChatLogRow]) -> Result<HashMap<String, HashSet<String>>> {
    let mut inserted: HashMap<String, HashSet<String>> = HashMap::new();
    for chunk in rows.chunks(super::ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT OR IGNORE INTO local_chat_logs (conversation_id, client_msg_id, server_msg_id, send_id, recv_id, group_id,
               sender_platform_id, sender_nickname, sender_face_url, session_type, msg_from, content_type, content, is_read,
               status, seq, send_time, create_time, attached_info, ex, local_ex) ",
        );
        q.push_values(chunk, |mut b, m| {
            b.push_bind(&m.conversation_id)
                .push_bind(&m.client_msg_id)
                .push_bind(&m.server_msg_id)
                .push_bind(&m.send_id)
                .push_bind(&m.recv_id)
                .push_bind(&m.group_id)
                .push_bind(m.sender_platform_id)
                .push_bind(&m.sender_nickname)
                .push_bind(&m.sender_face_url)
                .push_bind(m.session_type)
                .push_bind(m.msg_from)
                .push_bind(m.content_type)
                .push_bind(&m.content)
                .push_bind(m.is_read)
                .push_bind(m.status)
                .push_bind(m.seq)
                .push_bind(m.send_time)
                .push_bind(m.create_time)
                .push_bind(&m.attached_info)
                .push_bind(&m.ex)
                .push_bind(&m.local_ex);
        });
        // RETURNING names only the rows that went in (not those OR IGNORE skipped).
        q.push(" RETURNING conversation_id, client_msg_id");
        // Prepared for one row only (see ROWS_PER_STATEMENT).
        let done: Vec<(String, String)> = q.build_query_as().persistent(chunk.len() == 1).fetch_all(&mut *c).await?;
        for (conversation_id, client_msg_id) in done {
            inserted.entry(conversation_id).or_default().insert(client_msg_id);
        }
    }
    Ok(inserted)
}

pub async fn get(c: &mut SqliteConnection, conversation_id: &str, client_msg_id: &str) -> Result<Option<ChatLogRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_chat_logs WHERE conversation_id = ? AND client_msg_id = ?")
        .bind(conversation_id)
        .bind(client_msg_id)
        .fetch_optional(c)
        .await?)
}

pub async fn by_seq(c: &mut SqliteConnection, conversation_id: &str, seq: i64) -> Result<Option<ChatLogRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_chat_logs WHERE conversation_id = ? AND seq = ? ORDER BY status LIMIT 1")
        .bind(conversation_id)
        .bind(seq)
        .fetch_optional(c)
        .await?)
}

/// The server accepted an own message: its server ID and send time, and "sent" unless the seq
/// confirmation or a deletion got there first (a confirmed message is never changed back).
pub async fn mark_sent(c: &mut SqliteConnection, conversation_id: &str, client_msg_id: &str, server_msg_id: &str, send_time: i64) -> Result<()> {
    sqlx::query(
        "UPDATE local_chat_logs SET
           server_msg_id = CASE WHEN server_msg_id = '' THEN ? ELSE server_msg_id END,
           send_time = CASE WHEN seq = 0 AND ? > 0 THEN ? ELSE send_time END,
           status = CASE WHEN status IN (?, ?) THEN ? ELSE status END
         WHERE conversation_id = ? AND client_msg_id = ?",
    )
    .bind(server_msg_id)
    .bind(send_time)
    .bind(send_time)
    .bind(msg_status::SENDING)
    .bind(msg_status::SEND_FAILED)
    .bind(msg_status::SEND_SUCCESS)
    .bind(conversation_id)
    .bind(client_msg_id)
    .execute(c)
    .await?;
    Ok(())
}

/// A send failed: "failed", but only while the message is still sending and unconfirmed.
/// Returns whether it was changed.
pub async fn mark_failed(c: &mut SqliteConnection, conversation_id: &str, client_msg_id: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE local_chat_logs SET status = ? WHERE conversation_id = ? AND client_msg_id = ? AND status = ? AND seq = 0",
    )
    .bind(msg_status::SEND_FAILED)
    .bind(conversation_id)
    .bind(client_msg_id)
    .bind(msg_status::SENDING)
    .execute(c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Confirms an own message with the server's copy (seq, server ID, send time, `status` unless
/// deleted meanwhile) while it has no seq yet; returns the row as confirmed, or `None` when no
/// unconfirmed message has that client ID.
pub async fn confirm(c: &mut SqliteConnection, server_copy: &ChatLogRow, status: i32) -> Result<Option<ChatLogRow>> {
    Ok(sqlx::query_as(
        "UPDATE local_chat_logs SET seq = ?, server_msg_id = ?, send_time = ?,
           status = CASE WHEN status = ? THEN status ELSE ? END
         WHERE conversation_id = ? AND client_msg_id = ? AND seq = 0
         RETURNING *",
    )
    .bind(server_copy.seq)
    .bind(&server_copy.server_msg_id)
    .bind(server_copy.send_time)
    .bind(msg_status::HAS_DELETED)
    .bind(status)
    .bind(&server_copy.conversation_id)
    .bind(&server_copy.client_msg_id)
    .fetch_optional(c)
    .await?)
}

pub async fn set_status(c: &mut SqliteConnection, conversation_id: &str, client_msg_id: &str, status: i32) -> Result<()> {
    sqlx::query("UPDATE local_chat_logs SET status = ? WHERE conversation_id = ? AND client_msg_id = ?")
        .bind(status)
        .bind(conversation_id)
        .bind(client_msg_id)
        .execute(c)
        .await?;
    Ok(())
}

/// The client IDs of messages stored unsent (sending, or failed without a seq).
pub async fn unsent_client_msg_ids(c: &mut SqliteConnection) -> Result<std::collections::HashSet<String>> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT client_msg_id FROM local_chat_logs WHERE seq = 0 AND status IN (?, ?)")
        .bind(msg_status::SENDING)
        .bind(msg_status::SEND_FAILED)
        .fetch_all(c)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Replaces the content of an own message still being sent (its uploaded files' URLs); false
/// when it is not (deleted or cleared meanwhile).
pub async fn set_sending_content(c: &mut SqliteConnection, conversation_id: &str, client_msg_id: &str, content: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE local_chat_logs SET content = ? WHERE conversation_id = ? AND client_msg_id = ? AND status = ? AND seq = 0")
        .bind(content)
        .bind(conversation_id)
        .bind(client_msg_id)
        .bind(msg_status::SENDING)
        .execute(c)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a message's content (revokes).
pub async fn set_content(c: &mut SqliteConnection, conversation_id: &str, client_msg_id: &str, content_type: i32, content: &str) -> Result<()> {
    sqlx::query("UPDATE local_chat_logs SET content_type = ?, content = ? WHERE conversation_id = ? AND client_msg_id = ?")
        .bind(content_type)
        .bind(content)
        .bind(conversation_id)
        .bind(client_msg_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn set_local_ex(c: &mut SqliteConnection, conversation_id: &str, client_msg_id: &str, local_ex: &str) -> Result<()> {
    sqlx::query("UPDATE local_chat_logs SET local_ex = ? WHERE conversation_id = ? AND client_msg_id = ?")
        .bind(local_ex)
        .bind(conversation_id)
        .bind(client_msg_id)
        .execute(c)
        .await?;
    Ok(())
}

/// The visible messages of a conversation among `client_msg_ids`, oldest first.
pub async fn get_many(c: &mut SqliteConnection, conversation_id: &str, client_msg_ids: &[String]) -> Result<Vec<ChatLogRow>> {
    // Assembled from fixed fragments only; every value is bound. Sorted below, for one statement
    // as for several.
    let head = format!("SELECT * FROM local_chat_logs WHERE conversation_id = ? AND status < {} AND client_msg_id", msg_status::HAS_DELETED);
    let mut rows: Vec<ChatLogRow> = super::select_in(c, &head, &[conversation_id], client_msg_ids, "", |_| ()).await?;
    rows.sort_by_key(|m| (m.send_time, m.seq));
    Ok(rows)
}

/// Gives the messages `send_id` sent in a conversation the sender name and face `nickname`,
/// `face_url` (a friend's or a group member's new profile); the number of messages changed.
pub async fn rename_sender(c: &mut SqliteConnection, conversation_id: &str, send_id: &str, nickname: &str, face_url: &str) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE local_chat_logs SET sender_nickname = ?1, sender_face_url = ?2
         WHERE conversation_id = ?3 AND send_id = ?4 AND (sender_nickname != ?1 OR sender_face_url != ?2)",
    )
    .bind(nickname)
    .bind(face_url)
    .bind(conversation_id)
    .bind(send_id)
    .execute(c)
    .await?;
    Ok(done.rows_affected())
}

/// [`rename_sender`] for the user's own messages in every single chat (their profile changed);
/// group chats keep the member name the messages were sent with.
pub async fn rename_own_in_single_chats(c: &mut SqliteConnection, me: &str, nickname: &str, face_url: &str) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE local_chat_logs SET sender_nickname = ?1, sender_face_url = ?2
         WHERE send_id = ?3 AND session_type = ?4 AND (sender_nickname != ?1 OR sender_face_url != ?2)",
    )
    .bind(nickname)
    .bind(face_url)
    .bind(me)
    .bind(openim_wire::constant::session_type::SINGLE_CHAT)
    .execute(c)
    .await?;
    Ok(done.rows_affected())
}

/// Messages of type `content_type` in a conversation whose content mentions `client_msg_id`.
pub async fn mentioning(c: &mut SqliteConnection, conversation_id: &str, content_type: i32, client_msg_id: &str) -> Result<Vec<ChatLogRow>> {
    Ok(sqlx::query_as(
        "SELECT * FROM local_chat_logs WHERE conversation_id = ? AND content_type = ? AND content LIKE ? ESCAPE '\\'",
    )
    .bind(conversation_id)
    .bind(content_type)
    .bind(like_pattern(client_msg_id))
    .fetch_all(c)
    .await?)
}

/// The seqs of `[lo, hi]` this device has (deleted ones included), ascending.
pub async fn known_seqs(c: &mut SqliteConnection, conversation_id: &str, lo: i64, hi: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT DISTINCT seq FROM local_chat_logs WHERE conversation_id = ? AND seq BETWEEN ? AND ? ORDER BY seq")
        .bind(conversation_id)
        .bind(lo)
        .bind(hi)
        .fetch_all(c)
        .await?)
}

/// Up to `limit` visible messages before (or with `newer`, after) the cursor
/// `(send_time, seq, client_msg_id)`, newest first (oldest first with `newer`).
pub async fn page(
    c: &mut SqliteConnection,
    conversation_id: &str,
    cursor: Option<(i64, i64, &str)>,
    limit: i64,
    newer: bool,
) -> Result<Vec<ChatLogRow>> {
    let (cmp, dir) = if newer { (">", "ASC") } else { ("<", "DESC") };
    let bound = if cursor.is_some() { format!("AND (send_time, seq, client_msg_id) {cmp} (?, ?, ?)") } else { String::new() };
    let sql = format!(
        "SELECT * FROM local_chat_logs WHERE conversation_id = ? AND status < {} {bound}
         ORDER BY send_time {dir}, seq {dir}, client_msg_id {dir} {}",
        msg_status::HAS_DELETED,
        super::limit_offset(limit, 0)
    );
    // Assembled from fixed fragments and the page size (an integer); every other value is bound.
    let mut q = sqlx::query_as::<_, ChatLogRow>(sqlx::AssertSqlSafe(sql)).bind(conversation_id);
    if let Some((t, s, id)) = cursor {
        q = q.bind(t).bind(s).bind(id);
    }
    Ok(q.fetch_all(c).await?)
}

/// The newest visible message of a conversation.
pub async fn latest_visible(c: &mut SqliteConnection, conversation_id: &str) -> Result<Option<ChatLogRow>> {
    Ok(page(c, conversation_id, None, 1, false).await?.pop())
}

/// Unread messages from others: `(client_msg_id, seq)`.
pub async fn unread_from_others(c: &mut SqliteConnection, conversation_id: &str, me: &str) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT client_msg_id, seq FROM local_chat_logs
         WHERE conversation_id = ? AND is_read = 0 AND send_id != ? AND seq > 0 AND status < ? ORDER BY seq",
    )
    .bind(conversation_id)
    .bind(me)
    .bind(msg_status::HAS_DELETED)
    .fetch_all(c)
    .await?)
}

/// Marks messages from others up to `seq` read; how many were unread.
pub async fn mark_read_up_to(c: &mut SqliteConnection, conversation_id: &str, me: &str, seq: i64) -> Result<i64> {
    let done = sqlx::query("UPDATE local_chat_logs SET is_read = 1 WHERE conversation_id = ? AND send_id != ? AND seq > 0 AND seq <= ? AND is_read = 0")
        .bind(conversation_id)
        .bind(me)
        .bind(seq)
        .execute(c)
        .await?;
    Ok(i64::try_from(done.rows_affected()).unwrap_or(i64::MAX))
}

/// [`mark_read_up_to`] for many conversations (`(conversation_id, seq)`), a few hundred per
/// statement.
pub async fn mark_read_up_to_many(c: &mut SqliteConnection, me: &str, marks: &[(String, i64)]) -> Result<()> {
    for chunk in marks.chunks(super::ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("WITH marks(conversation_id, seq) AS (");
        q.push_values(chunk, |mut row, (conversation_id, seq)| {
            row.push_bind(conversation_id).push_bind(*seq);
        });
        q.push(
            ") UPDATE local_chat_logs SET is_read = 1 FROM marks
             WHERE local_chat_logs.conversation_id = marks.conversation_id AND local_chat_logs.is_read = 0
               AND local_chat_logs.seq > 0 AND local_chat_logs.seq <= marks.seq AND local_chat_logs.send_id != ",
        );
        q.push_bind(me);
        q.build().persistent(chunk.len() == 1).execute(&mut *c).await?;
    }
    Ok(())
}

/// How many stored messages from others have a seq in `(after, up_to]`.
pub async fn count_from_others(c: &mut SqliteConnection, conversation_id: &str, me: &str, after: i64, up_to: i64) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM local_chat_logs WHERE conversation_id = ? AND send_id != ? AND seq > ? AND seq <= ? AND status != ?")
        .bind(conversation_id)
        .bind(me)
        .bind(after)
        .bind(up_to)
        .bind(openim_wire::constant::msg_status::HAS_DELETED)
        .fetch_one(c)
        .await?)
}

/// The peer read `seqs`: marks my messages among them read; returns their client IDs. In chunks
/// (the peer names the seqs; SQLite takes at most 32 766 values per statement).
pub async fn mark_read_by_peer(c: &mut SqliteConnection, conversation_id: &str, me: &str, seqs: &[i64]) -> Result<Vec<String>> {
    let mut read = Vec::new();
    for chunk in seqs.chunks(400) {
        let sql = format!(
            "UPDATE local_chat_logs SET is_read = 1 WHERE conversation_id = ? AND send_id = ? AND is_read = 0 AND seq IN ({})
             RETURNING client_msg_id",
            placeholders(chunk.len())
        );
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(conversation_id).bind(me);
        for seq in chunk {
            q = q.bind(seq);
        }
        read.extend(q.fetch_all(&mut *c).await?);
    }
    Ok(read)
}

/// Marks the messages with `seqs` deleted (they stay as rows so their seqs remain known);
/// returns them as they were.
pub async fn delete_by_seqs(c: &mut SqliteConnection, conversation_id: &str, seqs: &[i64]) -> Result<Vec<ChatLogRow>> {
    let mut deleted = Vec::new();
    for seq in seqs {
        if let Some(m) = by_seq(c, conversation_id, *seq).await?
            && m.status != msg_status::HAS_DELETED
        {
            set_status(c, conversation_id, &m.client_msg_id, msg_status::HAS_DELETED).await?;
            deleted.push(m);
        }
    }
    Ok(deleted)
}

/// Marks every message of a conversation deleted (kept, so that sync does not bring them back).
pub async fn mark_conversation_deleted(c: &mut SqliteConnection, conversation_id: &str) -> Result<()> {
    sqlx::query("UPDATE local_chat_logs SET status = ? WHERE conversation_id = ? AND status != ?")
        .bind(msg_status::HAS_DELETED)
        .bind(conversation_id)
        .bind(msg_status::HAS_DELETED)
        .execute(c)
        .await?;
    Ok(())
}

/// Removes the messages of a conversation with a seq below `min_seq` (those not sent yet have
/// none and stay); returns the rows that went.
pub async fn delete_below(c: &mut SqliteConnection, conversation_id: &str, min_seq: i64) -> Result<Vec<ChatLogRow>> {
    Ok(sqlx::query_as("DELETE FROM local_chat_logs WHERE conversation_id = ? AND seq > 0 AND seq < ? RETURNING *")
        .bind(conversation_id)
        .bind(min_seq)
        .fetch_all(c)
        .await?)
}

/// Removes every message of a conversation.
pub async fn delete_conversation(c: &mut SqliteConnection, conversation_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM local_chat_logs WHERE conversation_id = ?").bind(conversation_id).execute(c).await?;
    Ok(())
}

/// Visible messages matching `filter`, newest first, with the total count.
pub async fn search(c: &mut SqliteConnection, filter: &MessageFilter, offset: i64, limit: i64) -> Result<(i64, Vec<ChatLogRow>)> {
    let mut where_sql = format!("status < {}", msg_status::HAS_DELETED);
    let mut texts: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = Vec::new();
    if let Some(id) = &filter.conversation_id {
        where_sql.push_str(" AND conversation_id = ?");
        texts.push(id.clone());
    }
    if !filter.keywords.is_empty() {
        let joiner = if filter.match_all { " AND " } else { " OR " };
        let parts: Vec<&str> = filter.keywords.iter().map(|_| "content LIKE ? ESCAPE '\\'").collect();
        where_sql.push_str(&format!(" AND ({})", parts.join(joiner)));
        texts.extend(filter.keywords.iter().map(|k| like_pattern(k)));
    }
    if !filter.sender_ids.is_empty() {
        where_sql.push_str(&format!(" AND send_id IN ({})", placeholders(filter.sender_ids.len())));
        texts.extend(filter.sender_ids.iter().cloned());
    }
    if !filter.content_types.is_empty() {
        where_sql.push_str(&format!(" AND content_type IN ({})", placeholders(filter.content_types.len())));
        ints.extend(filter.content_types.iter().map(|t| i64::from(*t)));
    }
    if let Some(from) = filter.from_time {
        where_sql.push_str(" AND send_time >= ?");
        ints.push(from);
    }
    if let Some(to) = filter.to_time {
        where_sql.push_str(" AND send_time <= ?");
        ints.push(to);
    }
    let count_sql = format!("SELECT COUNT(*) FROM local_chat_logs WHERE {where_sql}");
    let page_sql = format!("SELECT * FROM local_chat_logs WHERE {where_sql} ORDER BY send_time DESC, seq DESC {}", super::limit_offset(limit, offset));
    // Assembled from fixed fragments and the page bounds (integers); every other value is bound.
    let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
    let mut rows = sqlx::query_as::<_, ChatLogRow>(sqlx::AssertSqlSafe(page_sql)).persistent(super::persistent_page(offset));
    for t in &texts {
        count = count.bind(t.clone());
        rows = rows.bind(t.clone());
    }
    for i in &ints {
        count = count.bind(*i);
        rows = rows.bind(*i);
    }
    let total = count.fetch_one(&mut *c).await?;
    let found = rows.fetch_all(c).await?;
    Ok((total, found))
}

// --- messages in flight ---

/// Messages left "sending" by an earlier session (status sending, no seq; the partial index
/// `local_chat_logs_sending` finds them) become failed; returns how many.
pub async fn fail_pending_sends(c: &mut SqliteConnection) -> Result<usize> {
    // Literals, not parameters: SQLite uses a partial index only when the query's terms are
    // the index's own (1 = sending, 3 = failed).
    const _: () = assert!(msg_status::SENDING == 1 && msg_status::SEND_FAILED == 3);
    let done = sqlx::query("UPDATE local_chat_logs SET status = 3 WHERE status = 1 AND seq = 0").execute(c).await?;
    Ok(usize::try_from(done.rows_affected()).unwrap_or(usize::MAX))
}
