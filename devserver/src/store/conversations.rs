//! Each user's conversation records.

use openim_wire::api::conversation::{Conversation, ConversationReq};

use super::Store;
use super::versions::{Change, kind};
use crate::error::CodeResult;

#[derive(Clone, sqlx::FromRow)]
struct Row {
    owner_user_id: String,
    conversation_id: String,
    conversation_type: i32,
    user_id: String,
    group_id: String,
    recv_msg_opt: i32,
    is_pinned: bool,
    attached_info: String,
    is_private_chat: bool,
    group_at_type: i32,
    ex: String,
    burn_duration: i32,
    min_seq: i64,
    max_seq: i64,
    msg_destruct_time: i64,
    latest_msg_destruct_time: i64,
    is_msg_destruct: bool,
}

impl From<Row> for Conversation {
    fn from(r: Row) -> Self {
        Conversation {
            owner_user_id: r.owner_user_id,
            conversation_id: r.conversation_id,
            recv_msg_opt: r.recv_msg_opt,
            conversation_type: r.conversation_type,
            user_id: r.user_id,
            group_id: r.group_id,
            is_pinned: r.is_pinned,
            attached_info: r.attached_info,
            is_private_chat: r.is_private_chat,
            group_at_type: r.group_at_type,
            ex: r.ex,
            burn_duration: r.burn_duration,
            min_seq: r.min_seq,
            max_seq: r.max_seq,
            msg_destruct_time: r.msg_destruct_time,
            latest_msg_destruct_time: r.latest_msg_destruct_time,
            is_msg_destruct: r.is_msg_destruct,
        }
    }
}

impl Store {
    /// Creates `owner`'s record of a conversation unless it exists; returns whether it was created.
    pub async fn ensure_conversation(
        &self,
        owner: &str,
        conversation_id: &str,
        conversation_type: i32,
        user_id: &str,
        group_id: &str,
        now: i64,
    ) -> CodeResult<bool> {
        let done = sqlx::query(
            "INSERT OR IGNORE INTO conversations (owner_user_id, conversation_id, conversation_type, user_id, group_id, create_time)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(owner)
        .bind(conversation_id)
        .bind(conversation_type)
        .bind(user_id)
        .bind(group_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let created = done.rows_affected() == 1;
        if created {
            self.bump_version(kind::CONVERSATION, owner, &[conversation_id.to_owned()], Change::Insert).await?;
        }
        Ok(created)
    }

    /// Deletes `owner`'s records of `conversation_ids`; each ID logs a deletion in the owner's
    /// version log (one version each, as OpenIM's `DeleteUsersConversations`), listed or not.
    pub async fn delete_conversations(&self, owner: &str, conversation_ids: &[String]) -> CodeResult<()> {
        for id in conversation_ids {
            sqlx::query("DELETE FROM conversations WHERE owner_user_id = ? AND conversation_id = ?").bind(owner).bind(id).execute(&self.pool).await?;
            self.bump_version(kind::CONVERSATION, owner, std::slice::from_ref(id), Change::Delete).await?;
        }
        Ok(())
    }

    pub async fn conversation_ids(&self, owner: &str) -> CodeResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT conversation_id FROM conversations WHERE owner_user_id = ? ORDER BY create_time, conversation_id")
            .bind(owner)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn conversation(&self, owner: &str, conversation_id: &str) -> CodeResult<Option<Conversation>> {
        let row: Option<Row> =
            sqlx::query_as("SELECT * FROM conversations WHERE owner_user_id = ? AND conversation_id = ?")
                .bind(owner)
                .bind(conversation_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(Into::into))
    }

    pub async fn conversations(&self, owner: &str, ids: Option<&[String]>) -> CodeResult<Vec<Conversation>> {
        match ids {
            None => {
                let rows: Vec<Row> =
                    sqlx::query_as("SELECT * FROM conversations WHERE owner_user_id = ? ORDER BY create_time, conversation_id")
                .bind(owner)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
            // In the order asked for.
            Some(ids) => {
                let rows: Vec<Row> =
                    self.fetch_in("SELECT * FROM conversations WHERE owner_user_id = ? AND conversation_id IN ({ids})", Some(owner), ids).await?;
                let found: std::collections::HashMap<String, Row> = rows.into_iter().map(|r| (r.conversation_id.clone(), r)).collect();
                // One record per ID asked for, repeats included, as one query per ID gave.
                Ok(ids.iter().filter_map(|id| found.get(id).cloned()).map(Into::into).collect())
            }
        }
    }

    /// Applies the set fields of `req` to `owner`'s record, creating it when missing.
    pub async fn update_conversation(&self, owner: &str, req: &ConversationReq, now: i64) -> CodeResult<()> {
        self.ensure_conversation(owner, &req.conversation_id, req.conversation_type, &req.user_id, &req.group_id, now)
            .await?;
        let id = &req.conversation_id;
        macro_rules! set {
            ($field:expr, $column:literal) => {
                if let Some(value) = &$field {
                    sqlx::query(concat!("UPDATE conversations SET ", $column, " = ? WHERE owner_user_id = ? AND conversation_id = ?"))
                        .bind(value)
                        .bind(owner)
                        .bind(id)
                        .execute(&self.pool)
                        .await?;
                }
            };
        }
        set!(req.recv_msg_opt, "recv_msg_opt");
        set!(req.is_pinned, "is_pinned");
        set!(req.attached_info, "attached_info");
        set!(req.is_private_chat, "is_private_chat");
        set!(req.ex, "ex");
        set!(req.burn_duration, "burn_duration");
        set!(req.min_seq, "min_seq");
        set!(req.max_seq, "max_seq");
        set!(req.group_at_type, "group_at_type");
        set!(req.msg_destruct_time, "msg_destruct_time");
        set!(req.is_msg_destruct, "is_msg_destruct");
        self.bump_version(kind::CONVERSATION, owner, std::slice::from_ref(id), Change::Update).await?;
        Ok(())
    }

    /// Conversations whose messages are due to self-destruct at `now` (OpenIM's
    /// `FindRandConversation`): destruct on, a time set, and the last run longer ago than that
    /// time. `(owner, conversation ID, seconds)`.
    pub async fn destructs_due(&self, now: i64) -> CodeResult<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT owner_user_id, conversation_id, msg_destruct_time FROM conversations
             WHERE is_msg_destruct = 1 AND msg_destruct_time > 0 AND latest_msg_destruct_time + msg_destruct_time * 1000 < ?",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    /// When `owner`'s messages in `conversation_id` were last destructed (not a change the
    /// owner's devices sync: no version).
    pub async fn set_latest_msg_destruct_time(&self, owner: &str, conversation_id: &str, time: i64) -> CodeResult<()> {
        sqlx::query("UPDATE conversations SET latest_msg_destruct_time = ? WHERE owner_user_id = ? AND conversation_id = ?")
            .bind(time)
            .bind(owner)
            .bind(conversation_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_conversation_min_seq(&self, owner: &str, conversation_id: &str, min_seq: i64) -> CodeResult<()> {
        sqlx::query("UPDATE conversations SET min_seq = ? WHERE owner_user_id = ? AND conversation_id = ?")
            .bind(min_seq)
            .bind(owner)
            .bind(conversation_id)
            .execute(&self.pool)
            .await?;
        self.bump_version(kind::CONVERSATION, owner, &[conversation_id.to_owned()], Change::Update).await?;
        Ok(())
    }
}
