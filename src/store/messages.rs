//! `local_chat_logs`: every message of every conversation.

use openim_wire::constant::msg_status;

use super::Store;
use crate::error::Result;
use crate::message::{Message, MessageContent, MessageStatus};

#[derive(sqlx::FromRow)]
struct ChatLog {
    client_msg_id: String,
    server_msg_id: String,
    send_id: String,
    recv_id: String,
    group_id: String,
    sender_platform_id: i32,
    sender_nickname: String,
    sender_face_url: String,
    session_type: i32,
    msg_from: i32,
    content_type: i32,
    content: String,
    is_read: bool,
    status: i32,
    seq: i64,
    send_time: i64,
    create_time: i64,
    attached_info: String,
    ex: String,
    local_ex: String,
}

impl From<ChatLog> for Message {
    fn from(r: ChatLog) -> Self {
        Message {
            content: MessageContent::from_wire(r.content_type, &r.content),
            client_msg_id: r.client_msg_id,
            server_msg_id: r.server_msg_id,
            create_time: r.create_time,
            send_time: r.send_time,
            session_type: r.session_type,
            send_id: r.send_id,
            recv_id: r.recv_id,
            group_id: r.group_id,
            msg_from: r.msg_from,
            content_type: r.content_type,
            sender_platform_id: r.sender_platform_id,
            sender_nickname: r.sender_nickname,
            sender_face_url: r.sender_face_url,
            seq: r.seq,
            is_read: r.is_read,
            status: MessageStatus::from_code(r.status),
            attached_info: r.attached_info,
            ex: r.ex,
            local_ex: r.local_ex,
        }
    }
}

/// Filters of [`Store::search_messages`].
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
fn like_pattern(keyword: &str) -> String {
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

impl Store {
    /// Inserts `m` unless a message with its client ID exists; returns whether it was inserted.
    pub async fn insert_message(&self, conversation_id: &str, m: &Message) -> Result<bool> {
        let mut conn = self.pool().acquire().await?;
        insert(&mut conn, conversation_id, m).await
    }

    /// Inserts many messages in one transaction (existing client IDs are skipped).
    pub async fn insert_messages(&self, conversation_id: &str, messages: &[Message]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for m in messages {
            insert(&mut tx, conversation_id, m).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn message(&self, conversation_id: &str, client_msg_id: &str) -> Result<Option<Message>> {
        let row: Option<ChatLog> = sqlx::query_as("SELECT * FROM local_chat_logs WHERE conversation_id = ? AND client_msg_id = ?")
            .bind(conversation_id)
            .bind(client_msg_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(Into::into))
    }

    pub async fn message_by_seq(&self, conversation_id: &str, seq: i64) -> Result<Option<Message>> {
        let row: Option<ChatLog> = sqlx::query_as("SELECT * FROM local_chat_logs WHERE conversation_id = ? AND seq = ? LIMIT 1")
            .bind(conversation_id)
            .bind(seq)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(Into::into))
    }

    /// Records the server's answer to a send.
    pub async fn update_send_result(
        &self,
        conversation_id: &str,
        client_msg_id: &str,
        server_msg_id: &str,
        send_time: i64,
        status: MessageStatus,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE local_chat_logs SET server_msg_id = CASE WHEN ? = '' THEN server_msg_id ELSE ? END,
               send_time = CASE WHEN ? = 0 THEN send_time ELSE ? END, status = ?
             WHERE conversation_id = ? AND client_msg_id = ? AND status != ?",
        )
        .bind(server_msg_id)
        .bind(server_msg_id)
        .bind(send_time)
        .bind(send_time)
        .bind(status.code())
        .bind(conversation_id)
        .bind(client_msg_id)
        .bind(msg_status::HAS_DELETED)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Gives an own message the seq, server ID and time of its server copy.
    pub async fn confirm_own_message(&self, conversation_id: &str, server_copy: &Message, status: MessageStatus) -> Result<()> {
        sqlx::query(
            "UPDATE local_chat_logs SET seq = ?, server_msg_id = ?, send_time = ?, status = ?
             WHERE conversation_id = ? AND client_msg_id = ? AND status != ?",
        )
        .bind(server_copy.seq)
        .bind(&server_copy.server_msg_id)
        .bind(server_copy.send_time)
        .bind(status.code())
        .bind(conversation_id)
        .bind(&server_copy.client_msg_id)
        .bind(msg_status::HAS_DELETED)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn set_message_status(&self, conversation_id: &str, client_msg_id: &str, status: MessageStatus) -> Result<()> {
        sqlx::query("UPDATE local_chat_logs SET status = ? WHERE conversation_id = ? AND client_msg_id = ?")
            .bind(status.code())
            .bind(conversation_id)
            .bind(client_msg_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Replaces a message's content (revokes).
    pub async fn set_message_content(&self, conversation_id: &str, client_msg_id: &str, content: &MessageContent) -> Result<()> {
        let Some(content_type) = content.content_type() else { return Ok(()) };
        sqlx::query("UPDATE local_chat_logs SET content_type = ?, content = ? WHERE conversation_id = ? AND client_msg_id = ?")
            .bind(content_type)
            .bind(content.to_wire())
            .bind(conversation_id)
            .bind(client_msg_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Quote messages of a conversation whose content mentions `client_msg_id`.
    pub async fn quotes_of(&self, conversation_id: &str, client_msg_id: &str) -> Result<Vec<Message>> {
        let rows: Vec<ChatLog> = sqlx::query_as(
            "SELECT * FROM local_chat_logs WHERE conversation_id = ? AND content_type = ? AND content LIKE ? ESCAPE '\\'",
        )
        .bind(conversation_id)
        .bind(openim_wire::constant::content_type::QUOTE)
        .bind(like_pattern(client_msg_id))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The seqs of `[lo, hi]` this device has (deleted ones included).
    pub async fn known_seqs(&self, conversation_id: &str, lo: i64, hi: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar("SELECT seq FROM local_chat_logs WHERE conversation_id = ? AND seq BETWEEN ? AND ? ORDER BY seq")
            .bind(conversation_id)
            .bind(lo)
            .bind(hi)
            .fetch_all(self.pool())
            .await?)
    }

    /// Up to `limit` visible messages before (or with `newer`, after) the cursor
    /// `(send_time, seq, client_msg_id)`, newest first (oldest first with `newer`).
    pub async fn message_page(
        &self,
        conversation_id: &str,
        cursor: Option<(i64, i64, &str)>,
        limit: i64,
        newer: bool,
    ) -> Result<Vec<Message>> {
        let rows: Vec<ChatLog> = match (cursor, newer) {
            (None, false) => {
                sqlx::query_as(
                    "SELECT * FROM local_chat_logs WHERE conversation_id = ? AND status < 4
                     ORDER BY send_time DESC, seq DESC, client_msg_id DESC LIMIT ?",
                )
                .bind(conversation_id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            (None, true) => {
                sqlx::query_as(
                    "SELECT * FROM local_chat_logs WHERE conversation_id = ? AND status < 4
                     ORDER BY send_time ASC, seq ASC, client_msg_id ASC LIMIT ?",
                )
                .bind(conversation_id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            (Some((t, s, id)), false) => {
                sqlx::query_as(
                    "SELECT * FROM local_chat_logs WHERE conversation_id = ? AND status < 4
                       AND (send_time, seq, client_msg_id) < (?, ?, ?)
                     ORDER BY send_time DESC, seq DESC, client_msg_id DESC LIMIT ?",
                )
                .bind(conversation_id)
                .bind(t)
                .bind(s)
                .bind(id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            (Some((t, s, id)), true) => {
                sqlx::query_as(
                    "SELECT * FROM local_chat_logs WHERE conversation_id = ? AND status < 4
                       AND (send_time, seq, client_msg_id) > (?, ?, ?)
                     ORDER BY send_time ASC, seq ASC, client_msg_id ASC LIMIT ?",
                )
                .bind(conversation_id)
                .bind(t)
                .bind(s)
                .bind(id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
        };
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The newest visible message of a conversation.
    pub async fn latest_visible_message(&self, conversation_id: &str) -> Result<Option<Message>> {
        Ok(self.message_page(conversation_id, None, 1, false).await?.pop())
    }

    /// Unread messages from others: `(client_msg_id, seq)`.
    pub async fn unread_from_others(&self, conversation_id: &str, me: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT client_msg_id, seq FROM local_chat_logs
             WHERE conversation_id = ? AND is_read = 0 AND send_id != ? AND seq > 0 AND status < 4 ORDER BY seq",
        )
        .bind(conversation_id)
        .bind(me)
        .fetch_all(self.pool())
        .await?)
    }

    /// Marks messages from others up to `seq` read.
    pub async fn mark_read_up_to(&self, conversation_id: &str, me: &str, seq: i64) -> Result<()> {
        sqlx::query("UPDATE local_chat_logs SET is_read = 1 WHERE conversation_id = ? AND send_id != ? AND seq > 0 AND seq <= ?")
            .bind(conversation_id)
            .bind(me)
            .bind(seq)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The peer read `seqs`: marks my messages among them read; returns their client IDs.
    pub async fn mark_read_by_peer(&self, conversation_id: &str, me: &str, seqs: &[i64]) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for seq in seqs {
            let id: Option<String> = sqlx::query_scalar(
                "UPDATE local_chat_logs SET is_read = 1 WHERE conversation_id = ? AND send_id = ? AND seq = ? AND is_read = 0
                 RETURNING client_msg_id",
            )
            .bind(conversation_id)
            .bind(me)
            .bind(seq)
            .fetch_optional(self.pool())
            .await?;
            ids.extend(id);
        }
        Ok(ids)
    }

    /// Marks messages deleted (they stay as rows so their seqs remain known).
    pub async fn mark_messages_deleted_by_seq(&self, conversation_id: &str, seqs: &[i64]) -> Result<Vec<Message>> {
        let mut deleted = Vec::new();
        for seq in seqs {
            if let Some(m) = self.message_by_seq(conversation_id, *seq).await?
                && m.status != MessageStatus::Deleted
            {
                self.set_message_status(conversation_id, &m.client_msg_id, MessageStatus::Deleted).await?;
                deleted.push(m);
            }
        }
        Ok(deleted)
    }

    /// Removes every message of a conversation.
    pub async fn delete_conversation_messages(&self, conversation_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM local_chat_logs WHERE conversation_id = ?")
            .bind(conversation_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Visible messages matching `filter`, newest first, with the total count.
    pub async fn search_messages(&self, filter: &MessageFilter, offset: i64, limit: i64) -> Result<(i64, Vec<(String, Message)>)> {
        let mut where_sql = String::from("status < 4");
        let mut binds: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        if let Some(id) = &filter.conversation_id {
            where_sql.push_str(" AND conversation_id = ?");
            binds.push(id.clone());
        }
        if !filter.keywords.is_empty() {
            let joiner = if filter.match_all { " AND " } else { " OR " };
            let parts: Vec<&str> = filter.keywords.iter().map(|_| "content LIKE ? ESCAPE '\\'").collect();
            where_sql.push_str(&format!(" AND ({})", parts.join(joiner)));
            binds.extend(filter.keywords.iter().map(|k| like_pattern(k)));
        }
        if !filter.sender_ids.is_empty() {
            where_sql.push_str(&format!(" AND send_id IN ({})", vec!["?"; filter.sender_ids.len()].join(",")));
            binds.extend(filter.sender_ids.iter().cloned());
        }
        if !filter.content_types.is_empty() {
            where_sql.push_str(&format!(" AND content_type IN ({})", vec!["?"; filter.content_types.len()].join(",")));
        }
        if filter.from_time.is_some() {
            where_sql.push_str(" AND send_time >= ?");
        }
        if filter.to_time.is_some() {
            where_sql.push_str(" AND send_time <= ?");
        }
        ints.extend(filter.content_types.iter().map(|t| i64::from(*t)));
        ints.extend(filter.from_time);
        ints.extend(filter.to_time);

        let count_sql = format!("SELECT COUNT(*) FROM local_chat_logs WHERE {where_sql}");
        let page_sql = format!(
            "SELECT * FROM local_chat_logs WHERE {where_sql} ORDER BY send_time DESC, seq DESC LIMIT ? OFFSET ?"
        );
        // The SQL is assembled from fixed fragments only; every value is bound.
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
        let mut page = sqlx::query_as::<_, ChatLogIn>(sqlx::AssertSqlSafe(page_sql));
        for b in &binds {
            count = count.bind(b.clone());
            page = page.bind(b.clone());
        }
        for i in &ints {
            count = count.bind(*i);
            page = page.bind(*i);
        }
        let total = count.fetch_one(self.pool()).await?;
        let rows = page.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        Ok((total, rows.into_iter().map(|r| (r.conversation_id, r.log.into())).collect()))
    }

    // --- messages in flight ---

    pub async fn add_sending(&self, conversation_id: &str, client_msg_id: &str) -> Result<()> {
        sqlx::query("INSERT OR IGNORE INTO local_sending_messages (conversation_id, client_msg_id) VALUES (?, ?)")
            .bind(conversation_id)
            .bind(client_msg_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn remove_sending(&self, conversation_id: &str, client_msg_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM local_sending_messages WHERE conversation_id = ? AND client_msg_id = ?")
            .bind(conversation_id)
            .bind(client_msg_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Messages left "sending" by an earlier session become failed; returns them.
    pub async fn fail_pending_sends(&self) -> Result<Vec<(String, String)>> {
        let pending: Vec<(String, String)> = sqlx::query_as("SELECT conversation_id, client_msg_id FROM local_sending_messages")
            .fetch_all(self.pool())
            .await?;
        for (conversation_id, client_msg_id) in &pending {
            sqlx::query("UPDATE local_chat_logs SET status = ? WHERE conversation_id = ? AND client_msg_id = ? AND status = ?")
                .bind(msg_status::SEND_FAILED)
                .bind(conversation_id)
                .bind(client_msg_id)
                .bind(msg_status::SENDING)
                .execute(self.pool())
                .await?;
        }
        sqlx::query("DELETE FROM local_sending_messages").execute(self.pool()).await?;
        Ok(pending)
    }
}

async fn insert(conn: &mut sqlx::SqliteConnection, conversation_id: &str, m: &Message) -> Result<bool> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO local_chat_logs (conversation_id, client_msg_id, server_msg_id, send_id, recv_id, group_id,
           sender_platform_id, sender_nickname, sender_face_url, session_type, msg_from, content_type, content, is_read,
           status, seq, send_time, create_time, attached_info, ex, local_ex)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(conversation_id)
    .bind(&m.client_msg_id)
    .bind(&m.server_msg_id)
    .bind(&m.send_id)
    .bind(&m.recv_id)
    .bind(&m.group_id)
    .bind(m.sender_platform_id)
    .bind(&m.sender_nickname)
    .bind(&m.sender_face_url)
    .bind(m.session_type)
    .bind(m.msg_from)
    .bind(m.content_type)
    .bind(m.content.to_wire())
    .bind(m.is_read)
    .bind(m.status.code())
    .bind(m.seq)
    .bind(m.send_time)
    .bind(m.create_time)
    .bind(&m.attached_info)
    .bind(&m.ex)
    .bind(&m.local_ex)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct ChatLogIn {
    conversation_id: String,
    #[sqlx(flatten)]
    log: ChatLog,
}

impl Store {
    pub async fn set_local_ex(&self, conversation_id: &str, client_msg_id: &str, local_ex: &str) -> Result<()> {
        sqlx::query("UPDATE local_chat_logs SET local_ex = ? WHERE conversation_id = ? AND client_msg_id = ?")
            .bind(local_ex)
            .bind(conversation_id)
            .bind(client_msg_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
