//! Notifications of the `n_` conversations that concern messages and conversations: revoke
//! (2101), read receipts (2200), deletions (2102), clears (1703) and conversation changes
//! (1300). Others (friends, groups, users) are logged and skipped until those modules exist.

use openim_wire::constant::{content_type, session_type};
use openim_wire::elem::{self, ClearConversationTips, ConversationUpdateTips, DeleteMsgsTips, MarkAsReadTips, RevokeMsgTips};
use openim_wire::pb::sdkws::MsgData;

use super::Messages;
use super::model::*;
use crate::conversation::Changes;
use crate::error::Result;
use crate::events::{Event, MsgEvent};

impl Messages {
    pub(super) async fn apply_notification(&self, data: &MsgData, changes: &mut Changes, reports: &mut Vec<Event>) -> Result<()> {
        if super::ingest::is_placeholder(data) {
            return Ok(());
        }
        let outcome = match data.content_type {
            content_type::MSG_REVOKE => match elem::parse_notification::<RevokeMsgTips>(&data.content) {
                Ok(tips) => self.on_revoked(&tips, changes, reports).await,
                Err(e) => Err(e.into()),
            },
            content_type::HAS_READ_RECEIPT => match elem::parse_notification::<MarkAsReadTips>(&data.content) {
                Ok(tips) => self.on_read(data, &tips, changes, reports).await,
                Err(e) => Err(e.into()),
            },
            content_type::DELETE_MSGS => match elem::parse_notification::<DeleteMsgsTips>(&data.content) {
                Ok(tips) => self.on_deleted(&tips, changes, reports).await,
                Err(e) => Err(e.into()),
            },
            content_type::CLEAR_CONVERSATION => match elem::parse_notification::<ClearConversationTips>(&data.content) {
                Ok(tips) => self.on_cleared(&tips, changes).await,
                Err(e) => Err(e.into()),
            },
            content_type::CONVERSATION_CHANGE => match elem::parse_notification::<ConversationUpdateTips>(&data.content) {
                Ok(tips) if tips.user_id == self.ctx.user_id => {
                    // Settings changed on another device; fetch them after this batch.
                    let conversations = self.conversations.clone();
                    let ids = tips.conversation_id_list;
                    tokio::spawn(async move {
                        if let Err(e) = conversations.sync_settings(Some(ids)).await {
                            tracing::warn!(error = %e, "fetching changed conversation settings failed");
                        }
                    });
                    Ok(())
                }
                Ok(_) => Ok(()),
                Err(e) => Err(e.into()),
            },
            other => {
                tracing::debug!(content_type = other, "notification not handled yet");
                Ok(())
            }
        };
        if let Err(e) = outcome {
            // A notification that does not parse must not stop the others.
            tracing::error!(content_type = data.content_type, error = %e, "notification skipped");
        }
        Ok(())
    }

    /// Turns the local copy into a revoked message and reports it.
    async fn on_revoked(&self, tips: &RevokeMsgTips, changes: &mut Changes, reports: &mut Vec<Event>) -> Result<()> {
        let local = self.ctx.store.message_by_seq(&tips.conversation_id, tips.seq).await?;
        let revoker_nickname = if tips.revoker_user_id == self.ctx.user_id {
            self.ctx.self_info().map(|u| u.nickname).unwrap_or_default()
        } else {
            match self.users.cached(&tips.revoker_user_id).await {
                Ok(Some(u)) => u.nickname,
                _ => String::new(),
            }
        };
        let info = RevokedInfo {
            revoker_id: tips.revoker_user_id.clone(),
            revoker_role: 0,
            client_msg_id: local.as_ref().map(|m| m.client_msg_id.clone()).unwrap_or_else(|| tips.client_msg_id.clone()),
            revoker_nickname,
            revoke_time: tips.revoke_time,
            source_message_send_time: local.as_ref().map(|m| m.send_time).unwrap_or_default(),
            source_message_send_id: local.as_ref().map(|m| m.send_id.clone()).unwrap_or_default(),
            source_message_sender_nickname: local.as_ref().map(|m| m.sender_nickname.clone()).unwrap_or_default(),
            session_type: tips.session_type,
            seq: tips.seq,
            ex: local.as_ref().map(|m| m.ex.clone()).unwrap_or_default(),
            is_admin_revoke: tips.is_admin_revoke,
        };
        if let Some(m) = &local {
            let revoked = MessageContent::Revoked { info: info.clone() };
            self.ctx.store.set_message_content(&tips.conversation_id, &m.client_msg_id, &revoked).await?;
            self.latest_changed(&tips.conversation_id, &m.client_msg_id, changes).await?;
            // Replies quoting it now quote a revoked message (OpenIM's quoteMsgRevokeHandle).
            for mut quote in self.ctx.store.quotes_of(&tips.conversation_id, &m.client_msg_id).await? {
                if let MessageContent::Quote { quoted: Some(quoted), .. } = &mut quote.content
                    && quoted.client_msg_id == m.client_msg_id
                {
                    quoted.content_type = openim_wire::constant::content_type::MSG_REVOKE;
                    quoted.content = revoked.clone();
                    self.ctx.store.set_message_content(&tips.conversation_id, &quote.client_msg_id, &quote.content).await?;
                }
            }
        }
        reports.push(Event::Msg(MsgEvent::NewRecvMessageRevoked(info)));
        Ok(())
    }

    /// A read mark: from another of my devices (my unread count follows), or from the peer
    /// (my messages become read and a receipt is reported).
    async fn on_read(&self, data: &MsgData, tips: &MarkAsReadTips, changes: &mut Changes, reports: &mut Vec<Event>) -> Result<()> {
        let me = self.ctx.user_id.clone();
        let Some(mut c) = self.ctx.store.conversation(&tips.conversation_id).await? else { return Ok(()) };
        if tips.mark_as_read_user_id == me {
            self.ctx.store.mark_read_up_to(&tips.conversation_id, &me, tips.has_read_seq).await?;
            let max_seq = c.max_seq.max(self.ctx.synced_seq(&tips.conversation_id));
            let unread = (max_seq - tips.has_read_seq).max(0) as i32;
            self.ctx.store.set_conversation_read_state(&tips.conversation_id, tips.has_read_seq, max_seq, unread).await?;
            if unread != c.unread_count {
                c.unread_count = unread;
                changes.record(c, false);
            }
            return Ok(());
        }
        if c.conversation_type != session_type::SINGLE_CHAT {
            return Ok(());
        }
        let ids = self.ctx.store.mark_read_by_peer(&tips.conversation_id, &me, &tips.seqs).await?;
        if ids.is_empty() {
            return Ok(());
        }
        if let Some(latest) = &c.latest_msg
            && ids.contains(&latest.client_msg_id)
        {
            self.latest_changed(&tips.conversation_id, &latest.client_msg_id.clone(), changes).await?;
        }
        reports.push(Event::Msg(MsgEvent::RecvC2CReadReceipt(vec![MessageReceipt {
            group_id: String::new(),
            user_id: tips.mark_as_read_user_id.clone(),
            msg_id_list: ids,
            read_time: data.send_time,
            msg_from: data.msg_from,
            content_type: data.content_type,
            session_type: session_type::SINGLE_CHAT,
        }])));
        Ok(())
    }

    /// Messages I deleted on another device.
    async fn on_deleted(&self, tips: &DeleteMsgsTips, changes: &mut Changes, reports: &mut Vec<Event>) -> Result<()> {
        if tips.user_id != self.ctx.user_id {
            return Ok(());
        }
        for m in self.ctx.store.mark_messages_deleted_by_seq(&tips.conversation_id, &tips.seqs).await? {
            self.latest_changed(&tips.conversation_id, &m.client_msg_id, changes).await?;
            let mut deleted = m;
            deleted.status = MessageStatus::Deleted;
            reports.push(Event::Msg(MsgEvent::MsgDeleted(deleted)));
        }
        Ok(())
    }

    /// Conversations I cleared on another device.
    async fn on_cleared(&self, tips: &ClearConversationTips, changes: &mut Changes) -> Result<()> {
        if tips.user_id != self.ctx.user_id {
            return Ok(());
        }
        for id in &tips.conversation_ids {
            if let Some(c) = self.clear_local(id).await? {
                changes.record(c, false);
            }
        }
        Ok(())
    }

    /// Removes a conversation's messages locally; returns the updated conversation.
    pub(crate) async fn clear_local(&self, conversation_id: &str) -> Result<Option<crate::conversation::Conversation>> {
        self.ctx.store.delete_conversation_messages(conversation_id).await?;
        let Some(mut c) = self.ctx.store.conversation(conversation_id).await? else { return Ok(None) };
        c.latest_msg = None;
        c.unread_count = 0;
        c.group_at_type = 0;
        self.ctx.store.save_conversation(&c).await?;
        let max_seq = c.max_seq.max(self.ctx.synced_seq(conversation_id));
        self.ctx.store.set_conversation_read_state(conversation_id, max_seq, max_seq, 0).await?;
        Ok(Some(c))
    }
}
