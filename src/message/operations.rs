//! Revoke, read marks, deletion, clearing and typing notices. The server is asked first, with no
//! write open; the local change then happens in one write that re-reads what it changes.

use openim_wire::api::msg::{
    ClearConversationsMsgReq, DeleteMsgsReq, DeleteSyncOpt, MarkConversationAsReadReq, MarkMsgsAsReadReq, RevokeMsgReq, SetConversationHasReadSeqReq,
    UserClearAllMsgReq,
};
use openim_wire::api::{Empty, path};
use openim_wire::constant::{req, session_type};
use openim_wire::errcode;
use openim_wire::pb::sdkws::SetAppBackgroundStatusReq;

use super::{Messages, from_row};
use crate::conversation::{clear_local, clear_local_only, save};
use crate::error::{OpenIMError, Result};
use crate::events::{Event, MsgEvent};
use crate::model::*;
use crate::store::{chat_logs, conversations};

/// Other devices of the user follow deletions and clears.
const SYNC_SELF: DeleteSyncOpt = DeleteSyncOpt { is_sync_self: true, is_sync_other: false };

impl Messages {
    async fn find(&self, conversation_id: &str, client_msg_id: &str) -> Result<Message> {
        chat_logs::get(&mut *self.ctx.store.read().await?, conversation_id, client_msg_id)
            .await?
            .map(from_row)
            .filter(|m| m.status != MessageStatus::Deleted)
            .ok_or_else(|| OpenIMError::invalid_argument(format!("no message {client_msg_id} in {conversation_id}")))
    }

    async fn conversation(&self, conversation_id: &str) -> Result<crate::store::rows::ConversationRow> {
        conversations::get(&mut *self.ctx.store.read().await?, conversation_id)
            .await?
            .ok_or_else(|| OpenIMError::invalid_argument(format!("no conversation {conversation_id}")))
    }

    /// Revokes a sent message for everyone (the server notifies both sides with 2101; every
    /// device then reports `on_new_recv_message_revoked`).
    pub async fn revoke(&self, conversation_id: &str, client_msg_id: &str) -> Result<()> {
        let m = self.find(conversation_id, client_msg_id).await?;
        if m.status != MessageStatus::SendSuccess || m.seq == 0 {
            return Err(OpenIMError::InvalidArgument {
                code: errcode::SDK_MSG_HAS_NO_SEQ,
                msg: "only a message the server has stored (with a seq) can be revoked".into(),
            });
        }
        if matches!(m.content, MessageContent::Revoked { .. }) {
            return Err(OpenIMError::Server { code: errcode::MSG_ALREADY_REVOKE, msg: "message already revoked".into() });
        }
        let req = RevokeMsgReq { conversation_id: conversation_id.to_owned(), seq: m.seq, user_id: self.ctx.user_id.clone() };
        self.ctx.api.post::<_, Empty>(path::REVOKE_MSG, &req).await?;
        Ok(())
    }

    /// Marks everything in a conversation read (single chats send a receipt to the peer).
    pub async fn mark_conversation_read(&self, conversation_id: &str) -> Result<()> {
        let c = self.conversation(conversation_id).await?;
        let unread = chat_logs::unread_from_others(&mut *self.ctx.store.read().await?, conversation_id, &self.ctx.user_id).await?;
        let has_read_seq = self.ctx.synced_seq(conversation_id).max(c.max_seq);
        if unread.is_empty() && c.unread_count == 0 && c.has_read_seq >= has_read_seq {
            return Ok(());
        }
        let seqs = if c.conversation_type == session_type::SINGLE_CHAT { unread.iter().map(|(_, s)| *s).collect() } else { Vec::new() };
        let req = MarkConversationAsReadReq {
            conversation_id: conversation_id.to_owned(),
            user_id: self.ctx.user_id.clone(),
            has_read_seq,
            seqs,
        };
        self.ctx.api.post::<_, Empty>(path::MARK_CONVERSATION_AS_READ, &req).await?;

        let mut w = self.ctx.write().await?;
        chat_logs::mark_read_up_to(&mut w.tx, conversation_id, &self.ctx.user_id, has_read_seq).await?;
        if let Some(mut c) = conversations::get(&mut w.tx, conversation_id).await? {
            c.has_read_seq = c.has_read_seq.max(has_read_seq);
            c.max_seq = c.max_seq.max(has_read_seq);
            c.unread_count = crate::util::count_i32(crate::util::unread_between(c.max_seq, c.has_read_seq));
            c.group_at_type = 0;
            save(&mut w, c).await?;
        }
        self.ctx.commit(w).await
    }

    /// Marks some received messages read (OpenIM's `MarkMessagesAsReadByMsgID`): their seqs go
    /// to `/msg/mark_msgs_as_read`, which raises the user's read mark to the last of them (as
    /// OpenIM's server does; the user's other devices follow it) and, in a single chat, sends
    /// the peer a read receipt naming them. The same happens here: messages up to that mark are
    /// read and leave the unread count (which never exceeds what lies above the mark). Messages
    /// of this user, already read, or not stored are skipped; nothing left, nothing is sent.
    pub async fn mark_messages_read(&self, conversation_id: &str, client_msg_ids: &[String]) -> Result<()> {
        if client_msg_ids.is_empty() || client_msg_ids.iter().any(|id| id.is_empty()) {
            return Err(OpenIMError::invalid_argument("client_msg_ids is empty or has an empty ID"));
        }
        self.conversation(conversation_id).await?;
        let rows = chat_logs::get_many(&mut *self.ctx.store.read().await?, conversation_id, client_msg_ids).await?;
        let mut seqs: Vec<i64> = rows.iter().filter(|m| m.send_id != self.ctx.user_id && !m.is_read && m.seq > 0).map(|m| m.seq).collect();
        seqs.sort_unstable();
        seqs.dedup();
        let Some(&last) = seqs.last() else { return Ok(()) };
        let req = MarkMsgsAsReadReq { conversation_id: conversation_id.to_owned(), seqs, user_id: self.ctx.user_id.clone() };
        self.ctx.api.post::<_, Empty>(path::MARK_MSGS_AS_READ, &req).await?;

        let mut w = self.ctx.write().await?;
        let newly_read = chat_logs::mark_read_up_to(&mut w.tx, conversation_id, &self.ctx.user_id, last).await?;
        if let Some(mut c) = conversations::get(&mut w.tx, conversation_id).await? {
            c.has_read_seq = c.has_read_seq.max(last);
            c.max_seq = c.max_seq.max(self.ctx.synced_seq(conversation_id)).max(last);
            // Less the messages just read (as OpenIM's core counts it), and never more than
            // lies above the read mark.
            let above_mark = (c.max_seq - c.has_read_seq).max(0);
            c.unread_count = (i64::from(c.unread_count) - newly_read).clamp(0, above_mark) as i32;
            if c.unread_count == 0 {
                // Nothing unread: no mention waits either.
                c.group_at_type = 0;
            }
            save(&mut w, c).await?;
        }
        self.ctx.commit(w).await
    }

    /// The stored messages of a conversation among `client_msg_ids`, oldest first; IDs not
    /// stored (or deleted) are left out (OpenIM's `FindMessageList`, one conversation).
    pub async fn find_many(&self, conversation_id: &str, client_msg_ids: &[String]) -> Result<Vec<Message>> {
        if client_msg_ids.is_empty() {
            return Ok(Vec::new());
        }
        find_stored(&mut *self.ctx.store.read().await?, conversation_id, client_msg_ids).await
    }

    /// Deletes a message on this device only.
    pub async fn delete_local(&self, conversation_id: &str, client_msg_id: &str) -> Result<()> {
        self.find(conversation_id, client_msg_id).await?;
        self.mark_deleted(conversation_id, client_msg_id).await
    }

    /// Marks a message deleted and reports it, unless a deletion notification got there first.
    async fn mark_deleted(&self, conversation_id: &str, client_msg_id: &str) -> Result<()> {
        let mut w = self.ctx.write().await?;
        let Some(m) = chat_logs::get(&mut w.tx, conversation_id, client_msg_id).await? else { return Ok(()) };
        if m.status == MessageStatus::Deleted.code() {
            return Ok(());
        }
        chat_logs::set_status(&mut w.tx, conversation_id, client_msg_id, MessageStatus::Deleted.code()).await?;
        self.unread_deleted(&mut w, conversation_id, std::slice::from_ref(&m)).await?;
        let mut m = from_row(m);
        m.status = MessageStatus::Deleted;
        w.push(Event::Msg(MsgEvent::MsgDeleted(m.clone())));
        self.latest_changed(&mut w, conversation_id, client_msg_id).await?;
        self.ctx.commit(w).await?;
        // A failed message deleted: the copies of its files kept to send it again go too.
        self.forget_copies(&m).await;
        Ok(())
    }

    /// Deletes a message here and on the server (for this user; other devices follow).
    pub async fn delete(&self, conversation_id: &str, client_msg_id: &str) -> Result<()> {
        let m = self.find(conversation_id, client_msg_id).await?;
        if m.seq > 0 {
            let req = DeleteMsgsReq {
                conversation_id: conversation_id.to_owned(),
                seqs: vec![m.seq],
                user_id: self.ctx.user_id.clone(),
                delete_sync_opt: Some(SYNC_SELF),
            };
            self.ctx.api.post::<_, Empty>(path::DELETE_MSGS, &req).await?;
        }
        self.mark_deleted(conversation_id, client_msg_id).await
    }

    /// Clears a conversation's messages here and on the server; the conversation stays.
    pub async fn clear_conversation(&self, conversation_id: &str) -> Result<()> {
        self.clear(conversation_id, false).await
    }

    /// [`Self::clear_conversation`], and the conversation leaves the list (its draft too) until
    /// its next message (OpenIM's `DeleteConversationAndDeleteAllMsg`).
    pub async fn delete_conversation(&self, conversation_id: &str) -> Result<()> {
        self.clear(conversation_id, true).await
    }

    async fn clear(&self, conversation_id: &str, unlist: bool) -> Result<()> {
        self.conversation(conversation_id).await?;
        let req = ClearConversationsMsgReq {
            conversation_ids: vec![conversation_id.to_owned()],
            user_id: self.ctx.user_id.clone(),
            delete_sync_opt: Some(SYNC_SELF),
        };
        self.ctx.api.post::<_, Empty>(path::CLEAR_CONVERSATION_MSG, &req).await?;
        let mut w = self.ctx.write().await?;
        clear_local(&mut w, conversation_id, self.ctx.synced_seq(conversation_id)).await?;
        if unlist && let Some(mut c) = w.tx.conversation(conversation_id).await? {
            c.latest_msg_send_time = 0;
            c.draft_text.clear();
            c.draft_text_time = 0;
            save(&mut w, c).await?;
        }
        self.ctx.commit(w).await
    }

    /// Deletes every message: here and on the server (the user's other devices follow), or with
    /// `on_server` false on this device only, where the messages stay on the server but marked
    /// read, so their unread counts do not come back (OpenIM's `DeleteAllMsgFromLocalAndSvr` /
    /// `DeleteAllMsgFromLocal`). Conversations stay listed, empty and read.
    pub async fn delete_all(&self, on_server: bool) -> Result<()> {
        if on_server {
            let req = UserClearAllMsgReq { user_id: self.ctx.user_id.clone(), delete_sync_opt: Some(SYNC_SELF) };
            self.ctx.api.post::<_, Empty>(path::USER_CLEAR_ALL_MSG, &req).await?;
        }
        let mut w = self.ctx.write().await?;
        let mut read_marks = Vec::new();
        for c in conversations::all(&mut w.tx).await? {
            let (id, synced) = (&c.conversation_id, self.ctx.synced_seq(&c.conversation_id));
            if on_server {
                clear_local(&mut w, id, synced).await?;
            } else {
                if c.unread_count > 0 {
                    read_marks.push((id.clone(), c.max_seq.max(synced)));
                }
                clear_local_only(&mut w, id, synced).await?;
            }
        }
        self.ctx.commit(w).await?;
        // The server, which keeps the messages, learns they are read up to what was cleared
        // here. Should that fail, the next connect counts them unread again (from the server's
        // read marks), and clearing again tells it again.
        for (conversation_id, has_read_seq) in read_marks {
            let req = SetConversationHasReadSeqReq { conversation_id, user_id: self.ctx.user_id.clone(), has_read_seq, ..Default::default() };
            self.ctx.api.post::<_, Empty>(path::SET_CONVERSATION_HAS_READ_SEQ, &req).await?;
        }
        Ok(())
    }

    /// Marks every conversation with unread messages read, one after the other (OpenIM's
    /// `MarkAllConversationMessageAsRead`); single chats send their receipts.
    pub async fn mark_all_read(&self) -> Result<()> {
        let unread = conversations::with_unread(&mut *self.ctx.store.read().await?).await?;
        for conversation_id in unread {
            self.mark_conversation_read(&conversation_id).await?;
        }
        Ok(())
    }

    /// Tells the peer this user is typing (contentType 113, online only, nothing stored).
    pub async fn typing_status_update(&self, recv_id: String, msg_tips: String) -> Result<()> {
        let message = self.create(MessageContent::Typing { msg_tips })?;
        self.send(message, Some(recv_id), None, None, true, None).await.map(|_| ())
    }

    /// Tells the server whether the app is in background (request 2004); new messages are then
    /// reported with `on_recv_offline_new_message`.
    pub async fn set_background(&self, is_background: bool) -> Result<()> {
        self.ctx.set_background(is_background);
        if self.ctx.conn.is_connected() {
            let req = SetAppBackgroundStatusReq { user_id: self.ctx.user_id.clone(), is_background };
            self.ctx.conn.request_raw(req::SET_BACKGROUND_STATUS, prost::Message::encode_to_vec(&req), crate::transport::ws::REQUEST_TIMEOUT).await?;
        }
        Ok(())
    }

    /// Sets a message's `local_ex` (kept on this device only).
    pub async fn set_local_ex(&self, conversation_id: &str, client_msg_id: &str, local_ex: String) -> Result<()> {
        self.find(conversation_id, client_msg_id).await?;
        let mut w = self.ctx.write().await?;
        chat_logs::set_local_ex(&mut w.tx, conversation_id, client_msg_id, &local_ex).await?;
        self.ctx.commit(w).await
    }
}

/// The stored messages of `conversation_id` among `client_msg_ids` (deleted ones left out),
/// oldest first.
pub(super) async fn find_stored(db: &mut sqlx::SqliteConnection, conversation_id: &str, client_msg_ids: &[String]) -> Result<Vec<Message>> {
    Ok(chat_logs::get_many(db, conversation_id, client_msg_ids).await?.into_iter().map(from_row).collect())
}
