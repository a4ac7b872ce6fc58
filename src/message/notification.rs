//! The notifications that concern messages (OpenIM 2100s and 2200): revoke (2101), deletion on
//! another device (2102) and read receipts (2200). The engine's router hands them here inside
//! the write of their batch. Tips that do not parse are logged and skipped; a failing write
//! fails the batch (it is retried).

use openim_wire::constant::{content_type, session_type};
use openim_wire::elem::{DeleteMsgsTips, MarkAsReadTips, RevokeMsgTips};
use openim_wire::pb::sdkws::MsgData;

use super::{Messages, from_row};
use crate::context::Write;
use crate::conversation::save;
use crate::error::Result;
use crate::events::{Event, MsgEvent};
use crate::model::*;
use crate::store::rows::ChatLogRow;
use crate::store::{chat_logs, conversations, groups, users};
use crate::util::tips;

impl Messages {
    /// 2101: the local copy becomes a revoked message, quotes of it follow, and it is reported.
    pub async fn on_revoked(&self, w: &mut Write, data: &MsgData) -> Result<()> {
        let Some(tips) = tips::<RevokeMsgTips>(data) else { return Ok(()) };
        let local = chat_logs::by_seq(&mut w.tx, &tips.conversation_id, tips.seq).await?.map(from_row);
        // Names from what this device knows; never a network call inside the write. In a group
        // (unless an app manager revoked it) the revoker is named and ranked as a member, as
        // OpenIM's clients do.
        let member = match conversations::get(&mut w.tx, &tips.conversation_id).await? {
            Some(c) if !tips.is_admin_revoke && c.conversation_type != session_type::SINGLE_CHAT && !c.group_id.is_empty() => {
                groups::member(&mut w.tx, &c.group_id, &tips.revoker_user_id).await?
            }
            _ => None,
        };
        let revoker_role = member.as_ref().map_or(0, |m| m.role_level);
        let revoker_nickname = match member.filter(|m| !m.nickname.is_empty()) {
            Some(m) => m.nickname,
            None if tips.revoker_user_id == self.ctx.user_id => self.ctx.self_info().map(|u| u.nickname).unwrap_or_default(),
            None => match users::get(&mut w.tx, &tips.revoker_user_id).await? {
                Some(u) => u.nickname,
                // A sender revoking their own message: the name it was sent with.
                None => local.as_ref().filter(|m| m.send_id == tips.revoker_user_id).map(|m| m.sender_nickname.clone()).unwrap_or_default(),
            },
        };
        let info = RevokedInfo {
            revoker_id: tips.revoker_user_id.clone(),
            revoker_role,
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
            chat_logs::set_content(&mut w.tx, &tips.conversation_id, &m.client_msg_id, content_type::MSG_REVOKE, &revoked.to_wire())
                .await?;
            self.latest_changed(w, &tips.conversation_id, &m.client_msg_id).await?;
            // Replies quoting it now quote a revoked message (OpenIM's quoteMsgRevokeHandle).
            for row in chat_logs::mentioning(&mut w.tx, &tips.conversation_id, content_type::QUOTE, &m.client_msg_id).await? {
                let mut quote = from_row(row);
                if let MessageContent::Quote { quoted: Some(quoted), .. } = &mut quote.content
                    && quoted.client_msg_id == m.client_msg_id
                {
                    quoted.content_type = content_type::MSG_REVOKE;
                    quoted.content = revoked.clone();
                    chat_logs::set_content(&mut w.tx, &tips.conversation_id, &quote.client_msg_id, content_type::QUOTE, &quote.content.to_wire())
                        .await?;
                }
            }
        }
        w.push(Event::Msg(MsgEvent::NewRecvMessageRevoked(info)));
        Ok(())
    }

    /// 2200: a read mark from another of my devices (my unread count follows), or from the peer
    /// (my messages become read and a receipt is reported).
    pub async fn on_read(&self, w: &mut Write, data: &MsgData) -> Result<()> {
        let Some(tips) = tips::<MarkAsReadTips>(data) else { return Ok(()) };
        let me = self.ctx.user_id.clone();
        let Some(mut c) = conversations::get(&mut w.tx, &tips.conversation_id).await? else { return Ok(()) };
        if tips.mark_as_read_user_id == me {
            chat_logs::mark_read_up_to(&mut w.tx, &tips.conversation_id, &me, tips.has_read_seq).await?;
            let max_seq = c.max_seq.max(self.ctx.synced_seq(&tips.conversation_id));
            c.has_read_seq = c.has_read_seq.max(tips.has_read_seq);
            c.max_seq = max_seq;
            c.unread_count = crate::util::count_i32(crate::util::unread_between(max_seq, c.has_read_seq));
            if c.unread_count == 0 {
                // Read on another device: no mention waits here either.
                c.group_at_type = 0;
            }
            return save(w, c).await;
        }
        if c.conversation_type != session_type::SINGLE_CHAT {
            return Ok(());
        }
        let ids = chat_logs::mark_read_by_peer(&mut w.tx, &tips.conversation_id, &me, &tips.seqs).await?;
        if ids.is_empty() {
            return Ok(());
        }
        if let Some(latest) = crate::conversation::latest_client_msg_id(&c)
            && ids.contains(&latest)
        {
            // Refreshes the stored copy of the latest message (now read).
            if let Some(m) = chat_logs::get(&mut w.tx, &tips.conversation_id, &latest).await? {
                crate::conversation::set_latest(&mut c, Some(&from_row(m)));
                save(w, c).await?;
            }
        }
        w.push(Event::Msg(MsgEvent::RecvC2CReadReceipt(vec![MessageReceipt {
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

    /// 2102: messages I deleted on another device.
    pub async fn on_deleted(&self, w: &mut Write, data: &MsgData) -> Result<()> {
        let Some(tips) = tips::<DeleteMsgsTips>(data) else { return Ok(()) };
        if tips.user_id != self.ctx.user_id {
            return Ok(());
        }
        let rows = chat_logs::delete_by_seqs(&mut w.tx, &tips.conversation_id, &tips.seqs).await?;
        self.unread_deleted(w, &tips.conversation_id, &rows).await?;
        for row in rows {
            self.latest_changed(w, &tips.conversation_id, &row.client_msg_id).await?;
            let mut deleted = from_row(row);
            deleted.status = MessageStatus::Deleted;
            w.push(Event::Msg(MsgEvent::MsgDeleted(deleted)));
        }
        Ok(())
    }

    /// Deleted messages that were unread (from others, after the read mark) leave the
    /// conversation's unread count, as in OpenIM's clients (the next connect counts from the
    /// server's read mark again, which does not know of deletions).
    pub(crate) async fn unread_deleted(&self, w: &mut Write, conversation_id: &str, deleted: &[ChatLogRow]) -> Result<()> {
        let Some(mut c) = w.tx.conversation(conversation_id).await? else { return Ok(()) };
        let me = &self.ctx.user_id;
        let unread = deleted
            .iter()
            .filter(|m| !m.is_read && m.send_id != *me && m.seq > c.has_read_seq)
            .count();
        if unread == 0 || c.unread_count == 0 {
            return Ok(());
        }
        c.unread_count = crate::util::count_i32(i64::from(c.unread_count) - unread as i64);
        save(w, c).await
    }
}
