//! `local_conversations`.

use openim_wire::elem::MsgStruct;

use super::Store;
use crate::conversation::Conversation;
use crate::error::Result;
use crate::message::Message;

#[derive(sqlx::FromRow)]
struct Row {
    conversation_id: String,
    conversation_type: i32,
    user_id: String,
    group_id: String,
    show_name: String,
    face_url: String,
    recv_msg_opt: i32,
    unread_count: i32,
    group_at_type: i32,
    latest_msg: String,
    latest_msg_send_time: i64,
    draft_text: String,
    draft_text_time: i64,
    is_pinned: bool,
    is_private_chat: bool,
    burn_duration: i32,
    attached_info: String,
    ex: String,
    max_seq: i64,
    min_seq: i64,
}

impl From<Row> for Conversation {
    fn from(r: Row) -> Self {
        let latest_msg = if r.latest_msg.is_empty() {
            None
        } else {
            match serde_json::from_str::<MsgStruct>(&r.latest_msg) {
                Ok(s) => Some(Message::from_msg_struct(&s)),
                Err(e) => {
                    tracing::error!(conversation = %r.conversation_id, error = %e, "stored latest message does not decode");
                    None
                }
            }
        };
        Conversation {
            conversation_id: r.conversation_id,
            conversation_type: r.conversation_type,
            user_id: r.user_id,
            group_id: r.group_id,
            show_name: r.show_name,
            face_url: r.face_url,
            recv_msg_opt: r.recv_msg_opt,
            unread_count: r.unread_count,
            group_at_type: r.group_at_type,
            latest_msg,
            latest_msg_send_time: r.latest_msg_send_time,
            draft_text: r.draft_text,
            draft_text_time: r.draft_text_time,
            is_pinned: r.is_pinned,
            is_private_chat: r.is_private_chat,
            burn_duration: r.burn_duration,
            attached_info: r.attached_info,
            ex: r.ex,
            max_seq: r.max_seq,
            min_seq: r.min_seq,
        }
    }
}

/// Pinned first, then by the later of the latest message and the draft.
const LIST_ORDER: &str = "ORDER BY is_pinned DESC, MAX(latest_msg_send_time, draft_text_time) DESC, conversation_id";

impl Store {
    pub async fn conversation(&self, conversation_id: &str) -> Result<Option<Conversation>> {
        let row: Option<Row> = sqlx::query_as("SELECT * FROM local_conversations WHERE conversation_id = ?")
            .bind(conversation_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(Into::into))
    }

    pub async fn conversations_by_id(&self, ids: &[String]) -> Result<Vec<Conversation>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.conversation(id).await?);
        }
        Ok(out)
    }

    /// Visible conversations (those with a latest message), in list order.
    pub async fn conversation_page(&self, offset: i64, limit: i64) -> Result<Vec<Conversation>> {
        let sql = format!("SELECT * FROM local_conversations WHERE latest_msg_send_time > 0 {LIST_ORDER} LIMIT ? OFFSET ?");
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(limit).bind(offset).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Inserts or replaces the whole record.
    pub async fn save_conversation(&self, c: &Conversation) -> Result<()> {
        let latest = c.latest_msg.as_ref().map(|m| serde_json::to_string(&m.to_msg_struct()).unwrap_or_default()).unwrap_or_default();
        sqlx::query(
            "INSERT OR REPLACE INTO local_conversations (conversation_id, conversation_type, user_id, group_id, show_name, face_url,
               recv_msg_opt, unread_count, group_at_type, latest_msg, latest_msg_send_time, draft_text, draft_text_time, is_pinned,
               is_private_chat, burn_duration, attached_info, ex, max_seq, min_seq, has_read_seq)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
               COALESCE((SELECT has_read_seq FROM local_conversations WHERE conversation_id = ?), 0))",
        )
        .bind(&c.conversation_id)
        .bind(c.conversation_type)
        .bind(&c.user_id)
        .bind(&c.group_id)
        .bind(&c.show_name)
        .bind(&c.face_url)
        .bind(c.recv_msg_opt)
        .bind(c.unread_count)
        .bind(c.group_at_type)
        .bind(latest)
        .bind(c.latest_msg_send_time)
        .bind(&c.draft_text)
        .bind(c.draft_text_time)
        .bind(c.is_pinned)
        .bind(c.is_private_chat)
        .bind(c.burn_duration)
        .bind(&c.attached_info)
        .bind(&c.ex)
        .bind(c.max_seq)
        .bind(c.min_seq)
        .bind(&c.conversation_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Sum of unread counts over conversations that notify (`recv_msg_opt < 2`) and are listed.
    pub async fn total_unread(&self) -> Result<i32> {
        let total: Option<i64> = sqlx::query_scalar(
            "SELECT SUM(unread_count) FROM local_conversations WHERE recv_msg_opt < 2 AND latest_msg_send_time > 0",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(total.unwrap_or(0) as i32)
    }
}

impl Store {
    pub async fn conversation_has_read_seq(&self, conversation_id: &str) -> Result<i64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT has_read_seq FROM local_conversations WHERE conversation_id = ?")
            .bind(conversation_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(seq.unwrap_or(0))
    }

    /// Records the server's view of a conversation's read state.
    pub async fn set_conversation_read_state(&self, conversation_id: &str, has_read_seq: i64, max_seq: i64, unread: i32) -> Result<()> {
        sqlx::query("UPDATE local_conversations SET has_read_seq = ?, max_seq = MAX(max_seq, ?), unread_count = ? WHERE conversation_id = ?")
            .bind(has_read_seq)
            .bind(max_seq)
            .bind(unread)
            .bind(conversation_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
