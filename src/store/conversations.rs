//! `local_conversations`.

use sqlx::SqliteConnection;

use super::rows::ConversationRow;
use crate::error::Result;

/// Pinned first, then by the later of the latest message and the draft. The index
/// `local_conversations_list` (migration 0008) holds this order: change both together
/// (`the_conversation_list_is_read_from_its_index`).
const LIST_ORDER: &str = "ORDER BY is_pinned DESC, MAX(latest_msg_send_time, draft_text_time) DESC, conversation_id";

pub async fn get(c: &mut SqliteConnection, conversation_id: &str) -> Result<Option<ConversationRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_conversations WHERE conversation_id = ?")
        .bind(conversation_id)
        .fetch_optional(c)
        .await?)
}

/// The stored conversations among `ids`, in the order of `ids`.
pub async fn get_many(c: &mut SqliteConnection, ids: &[String]) -> Result<Vec<ConversationRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The order of `ids` is set below, for one statement as for several.
    let mut rows: Vec<ConversationRow> =
        super::select_in(c, "SELECT * FROM local_conversations WHERE conversation_id", &[], ids, "", |_| ()).await?;
    let mut position = std::collections::HashMap::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        position.entry(id.as_str()).or_insert(i);
    }
    rows.sort_by_key(|r| position.get(r.conversation_id.as_str()).copied());
    Ok(rows)
}

/// Every stored conversation, visible or not.
pub async fn all(c: &mut SqliteConnection) -> Result<Vec<ConversationRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_conversations ORDER BY conversation_id").fetch_all(c).await?)
}

/// Conversations whose shown name contains `keyword` (ASCII letters in either case, as OpenIM's
/// `LIKE`), newest activity first.
pub async fn search(c: &mut SqliteConnection, keyword: &str) -> Result<Vec<ConversationRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_conversations WHERE show_name LIKE ? ESCAPE '\\' ORDER BY latest_msg_send_time DESC, conversation_id")
        .bind(super::chat_logs::like_pattern(keyword))
        .fetch_all(c)
        .await?)
}

/// The IDs of conversations with unread messages.
pub async fn with_unread(c: &mut SqliteConnection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT conversation_id FROM local_conversations WHERE unread_count > 0 ORDER BY conversation_id").fetch_all(c).await?)
}

/// Visible conversations (those with a latest message), in list order.
pub async fn page(c: &mut SqliteConnection, offset: i64, limit: i64) -> Result<Vec<ConversationRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(page_sql(offset, limit))).persistent(super::persistent_page(offset)).fetch_all(c).await?)
}

/// The statement of [`page`].
pub(crate) fn page_sql(offset: i64, limit: i64) -> String {
    format!("SELECT * FROM local_conversations WHERE latest_msg_send_time > 0 {LIST_ORDER} {}", super::limit_offset(limit, offset))
}

/// Inserts or replaces whole rows, a few hundred per statement. Only [`super::Tx`] writes
/// conversations (it keeps the cache of committed rows).
pub(super) async fn put_many(c: &mut SqliteConnection, rows: &[&ConversationRow]) -> Result<()> {
    super::execute_rows(c, PUT_HEAD, "", rows, bind_row).await
}

/// [`put_many`], then [`super::seqs::raise_many`] of `raises`: in one round trip to SQLite's
/// connection thread when each fits one statement (a push's write is a few such round trips, each
/// ~50–90 µs while other threads share the cores). Two statements in one query: sqlx-sqlite runs
/// them in order and binds the `?`s in order (sqlx calls this deprecated, to be replaced by
/// `raw_sql` which binds nothing; `conversations_and_seq_raises_are_written_together` fails
/// should an upgrade drop it).
pub(super) async fn put_many_raising(c: &mut SqliteConnection, rows: &[&ConversationRow], raises: &[(String, i64)]) -> Result<()> {
    use super::{ROWS_PER_STATEMENT, seqs};
    if rows.is_empty() || raises.is_empty() || rows.len() > ROWS_PER_STATEMENT || raises.len() > ROWS_PER_STATEMENT {
        put_many(c, rows).await?;
        return seqs::raise_many(c, raises).await;
    }
    let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(PUT_HEAD);
    q.push_values(rows, bind_row);
    q.push(";\n");
    q.push(seqs::RAISE_HEAD);
    q.push_values(raises, seqs::bind_raise);
    q.push(seqs::RAISE_TAIL);
    q.build().persistent(rows.len() == 1 && raises.len() == 1).execute(c).await?;
    Ok(())
}

/// [`put_many`]'s statement, before its rows.
const PUT_HEAD: &str = "INSERT OR REPLACE INTO local_conversations (conversation_id, conversation_type, user_id, group_id, show_name, face_url,
       recv_msg_opt, unread_count, group_at_type, latest_msg, latest_msg_send_time, draft_text, draft_text_time, is_pinned,
       is_private_chat, burn_duration, attached_info, ex, max_seq, min_seq, has_read_seq, msg_destruct_time, is_msg_destruct,
       server_group_at_type) ";

/// One row of [`put_many`]'s statement.
fn bind_row(mut b: sqlx::query_builder::Separated<'_, sqlx::Sqlite, &'static str>, r: &&ConversationRow) {
    b.push_bind(&r.conversation_id)
        .push_bind(r.conversation_type)
        .push_bind(&r.user_id)
        .push_bind(&r.group_id)
        .push_bind(&r.show_name)
        .push_bind(&r.face_url)
        .push_bind(r.recv_msg_opt)
        .push_bind(r.unread_count)
        .push_bind(r.group_at_type)
        .push_bind(&r.latest_msg)
        .push_bind(r.latest_msg_send_time)
        .push_bind(&r.draft_text)
        .push_bind(r.draft_text_time)
        .push_bind(r.is_pinned)
        .push_bind(r.is_private_chat)
        .push_bind(r.burn_duration)
        .push_bind(&r.attached_info)
        .push_bind(&r.ex)
        .push_bind(r.max_seq)
        .push_bind(r.min_seq)
        .push_bind(r.has_read_seq)
        .push_bind(r.msg_destruct_time)
        .push_bind(r.is_msg_destruct)
        .push_bind(r.server_group_at_type);
}

/// Sum of unread counts over conversations that notify (`recv_msg_opt < 2`) and are listed.
pub async fn total_unread(c: &mut SqliteConnection) -> Result<i64> {
    let total: Option<i64> =
        sqlx::query_scalar("SELECT SUM(unread_count) FROM local_conversations WHERE recv_msg_opt < 2 AND latest_msg_send_time > 0")
            .fetch_one(c)
            .await?;
    Ok(total.unwrap_or(0))
}
