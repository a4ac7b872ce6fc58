//! Searching local messages by keywords, senders, content types and time, with paging
//! (OpenIM's `SearchLocalMessages`).

use std::collections::BTreeMap;

use super::{Messages, from_row};
use crate::error::{OpenIMError, Result};
use crate::model::Message;
use crate::store::rows::ConversationRow;
use crate::store::{MessageFilter, chat_logs, conversations};

/// What to look for. At least one of `keywords`, `sender_ids` or `content_types` is needed.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct SearchParams {
    /// Limits the search to one conversation.
    #[uniffi(default)]
    pub conversation_id: Option<String>,
    pub keywords: Vec<String>,
    /// Every keyword must occur (instead of any).
    #[uniffi(default)]
    pub match_all_keywords: bool,
    pub sender_ids: Vec<String>,
    pub content_types: Vec<i32>,
    /// End of the time window, Unix seconds (0: now).
    #[uniffi(default)]
    pub search_time_position: i64,
    /// Length of the time window in seconds before its end (0: unlimited).
    #[uniffi(default)]
    pub search_time_period: i64,
    /// 1-based page number.
    pub page_index: i32,
    pub count: i32,
}

/// Matches grouped by conversation; `total_count` counts all matching messages.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SearchResult {
    pub total_count: i32,
    pub items: Vec<SearchResultItem>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SearchResultItem {
    pub conversation_id: String,
    pub conversation_type: i32,
    pub show_name: String,
    pub face_url: String,
    pub message_count: i32,
    pub messages: Vec<Message>,
}

/// The messages to look up in one conversation (OpenIM's `ConversationArgs`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConversationArgs {
    pub conversation_id: String,
    pub client_msg_ids: Vec<String>,
}

impl Messages {
    /// OpenIM's `FindMessageList`: the stored messages among each conversation's IDs, one item
    /// per conversation stored here in the order asked (a conversation named twice is looked up
    /// once, its IDs together), each item's messages newest first; IDs not stored here (or
    /// deleted) are left out, and a conversation not stored here gives no item.
    pub async fn find_in_conversations(&self, args: Vec<ConversationArgs>) -> Result<SearchResult> {
        let mut asked: Vec<(String, Vec<String>)> = Vec::new();
        for a in args {
            if a.conversation_id.is_empty() {
                return Err(OpenIMError::invalid_argument("a conversation ID is empty"));
            }
            match asked.iter_mut().find(|(c, _)| *c == a.conversation_id) {
                Some((_, ids)) => ids.extend(a.client_msg_ids),
                None => asked.push((a.conversation_id, a.client_msg_ids)),
            }
        }
        let mut db = self.ctx.store.read().await?;
        let mut items = Vec::with_capacity(asked.len());
        let mut total = 0;
        for (conversation_id, mut ids) in asked {
            let Some(c) = conversations::get(&mut db, &conversation_id).await? else { continue };
            ids.sort_unstable();
            ids.dedup();
            let mut messages = super::operations::find_stored(&mut db, &conversation_id, &ids).await?;
            messages.reverse();
            total += messages.len() as i32;
            items.push(item(conversation_id, Some(c), messages));
        }
        Ok(SearchResult { total_count: total, items })
    }

    pub async fn search(&self, params: SearchParams) -> Result<SearchResult> {
        let keywords = crate::util::search_keywords(params.keywords)?;
        if keywords.is_empty() && params.sender_ids.is_empty() && params.content_types.is_empty() {
            return Err(OpenIMError::invalid_argument("give keywords, sender_ids or content_types"));
        }
        if params.sender_ids.len() > 1000 || params.content_types.len() > 1000 {
            return Err(OpenIMError::invalid_argument("at most 1000 sender_ids and 1000 content_types per search"));
        }
        if params.page_index < 1 || !(1..=1000).contains(&params.count) {
            return Err(OpenIMError::invalid_argument("page_index starts at 1 and count must be within 1..=1000"));
        }
        if params.search_time_position < 0 || params.search_time_period < 0 {
            return Err(OpenIMError::invalid_argument("the time window cannot be negative"));
        }
        // Seconds, as OpenIM takes them; beyond what milliseconds hold is no time at all.
        let ms = |seconds: i64| seconds.checked_mul(1000).ok_or_else(|| OpenIMError::invalid_argument("the time window is out of range"));
        let to_time = if params.search_time_position > 0 { Some(ms(params.search_time_position)?) } else { None };
        let from_time = if params.search_time_period > 0 {
            Some(to_time.unwrap_or_else(crate::util::now_ms).saturating_sub(ms(params.search_time_period)?))
        } else {
            None
        };
        let filter = MessageFilter {
            conversation_id: params.conversation_id.filter(|c| !c.is_empty()),
            keywords,
            match_all: params.match_all_keywords,
            sender_ids: params.sender_ids,
            content_types: params.content_types,
            from_time,
            to_time,
        };
        let offset = i64::from(params.page_index - 1) * i64::from(params.count);
        let mut db = self.ctx.store.read().await?;
        let (total, found) = chat_logs::search(&mut db, &filter, offset, params.count.into()).await?;
        let mut grouped: BTreeMap<String, Vec<Message>> = BTreeMap::new();
        for row in found {
            grouped.entry(row.conversation_id.clone()).or_default().push(from_row(row));
        }
        let mut items = Vec::with_capacity(grouped.len());
        for (conversation_id, messages) in grouped {
            let c = conversations::get(&mut db, &conversation_id).await?;
            items.push(item(conversation_id, c, messages));
        }
        Ok(SearchResult { total_count: total as i32, items })
    }
}

/// A conversation's found messages with its name and face (none when it is not stored).
fn item(conversation_id: String, c: Option<ConversationRow>, messages: Vec<Message>) -> SearchResultItem {
    let (conversation_type, show_name, face_url) = c.map(|c| (c.conversation_type, c.show_name, c.face_url)).unwrap_or_default();
    SearchResultItem { conversation_id, conversation_type, show_name, face_url, message_count: messages.len() as i32, messages }
}
