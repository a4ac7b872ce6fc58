//! Messages that live on this device only (OpenIM's `InsertSingleMessageToLocalStorage` and
//! `InsertGroupMessageToLocalStorage`): local tips such as "you blocked this user", stored as
//! sent, never sent, shown in their conversation like any other message. They take a fresh
//! client ID, the time of the insert and no seq; unread counts do not move and no new-message
//! event fires (the conversation's change does).

use openim_wire::constant::session_type;
use openim_wire::conversation_id;

use super::{Messages, create::new_client_msg_id, to_row};
use crate::conversation::{or_new, save_over, set_latest};
use crate::error::{OpenIMError, Result};
use crate::model::*;
use crate::store::{chat_logs, friends, groups, users};
use crate::util::now_ms;

impl Messages {
    /// Stores `message` in the single chat between `send_id` and `recv_id`, one of whom is the
    /// logged-in user, as sent by `send_id`.
    pub async fn insert_single_local(&self, message: Message, recv_id: String, send_id: String) -> Result<Message> {
        let me = &self.ctx.user_id;
        if recv_id.is_empty() || send_id.is_empty() {
            return Err(OpenIMError::invalid_argument("recv_id and send_id are both needed"));
        }
        let peer = if &send_id == me {
            recv_id.clone()
        } else if &recv_id == me {
            send_id.clone()
        } else {
            return Err(OpenIMError::invalid_argument("the logged-in user must be the sender or the recipient"));
        };
        let id = conversation_id::single(me, &peer);
        self.insert_local(message, id, session_type::SINGLE_CHAT, peer, send_id, recv_id, String::new()).await
    }

    /// Stores `message` in the group `group_id` (one this user belongs to) as sent by `send_id`.
    pub async fn insert_group_local(&self, message: Message, group_id: String, send_id: String) -> Result<Message> {
        if group_id.is_empty() || send_id.is_empty() {
            return Err(OpenIMError::invalid_argument("group_id and send_id are both needed"));
        }
        if groups::group(&mut *self.ctx.store.read().await?, &group_id).await?.is_none() {
            return Err(OpenIMError::invalid_argument(format!("no group {group_id} on this device")));
        }
        let id = conversation_id::group(&group_id);
        self.insert_local(message, id, session_type::READ_GROUP_CHAT, group_id.clone(), send_id, String::new(), group_id).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_local(
        &self,
        mut message: Message,
        id: String,
        session: i32,
        peer: String,
        send_id: String,
        recv_id: String,
        group_id: String,
    ) -> Result<Message> {
        if message.content.content_type().is_none() {
            return Err(OpenIMError::invalid_argument("notifications and unknown content cannot be stored as messages"));
        }
        // Another sender's name and face as this user knows them: the friend's remark or
        // nickname, else their profile on this device.
        if send_id != self.ctx.user_id {
            let mut c = self.ctx.store.read().await?;
            let (name, face) = match friends::friends(&mut c, Some(std::slice::from_ref(&send_id))).await?.pop() {
                Some(f) => (if f.remark.is_empty() { f.nickname } else { f.remark }, f.face_url),
                None => users::get(&mut c, &send_id).await?.map(|u| (u.nickname, u.face_url)).unwrap_or_default(),
            };
            message.sender_nickname = name;
            message.sender_face_url = face;
        }
        message.client_msg_id = new_client_msg_id(&send_id);
        message.conversation_id = id.clone();
        message.session_type = session;
        message.send_id = send_id;
        message.recv_id = recv_id;
        message.group_id = group_id;
        message.server_msg_id.clear();
        message.seq = 0;
        message.send_time = now_ms();
        message.status = MessageStatus::SendSuccess;

        let mut w = self.ctx.write().await?;
        if !chat_logs::insert(&mut w.tx, &to_row(&id, &message)).await? {
            return Err(OpenIMError::internal("a fresh client ID is already stored"));
        }
        let before = w.tx.conversation(&id).await?;
        let mut c = or_new(&mut w.tx, before.as_ref(), &id, session, &peer).await?;
        if message.send_time >= c.latest_msg_send_time {
            set_latest(&mut c, Some(&message));
        }
        self.conversations.name_later(&mut w, &c);
        save_over(&mut w, before, c).await?;
        self.ctx.commit(w).await?;
        Ok(message)
    }
}
