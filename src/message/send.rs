//! Sending: the message is stored locally first (status sending), sent with request 1003, then
//! marked sent (server ID, send time, and the seq its sender-sync copy brings) or failed. A
//! failed message can be sent again; messages still "sending" at the next login become failed.

use std::collections::HashMap;
use std::time::Duration;

use openim_wire::constant::{content_type, options, req, session_type};
use openim_wire::conversation_id;
use openim_wire::pb::msg::SendMsgResp;

use super::Messages;
use super::model::*;
use crate::conversation::Changes;
use crate::error::{OpenIMError, Result};

/// How long a sender waits for its message's seq after the server accepted it.
const SEQ_WAIT: Duration = Duration::from_secs(3);

/// Offline push settings of a message (`OfflinePushInfo`).
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct OfflinePushInfo {
    pub title: String,
    pub desc: String,
    pub ex: String,
    pub ios_push_sound: String,
    pub ios_badge_count: bool,
}

/// Where a message goes.
pub(crate) struct Target {
    pub session_type: i32,
    pub conversation_id: String,
    /// The peer (single chat) or the group.
    pub peer: String,
}

impl Messages {
    /// Resolves `recv_id` / `group_id` (exactly one must be set) to a conversation.
    pub(crate) fn target(&self, recv_id: Option<String>, group_id: Option<String>) -> Result<Target> {
        let recv_id = recv_id.filter(|s| !s.is_empty());
        let group_id = group_id.filter(|s| !s.is_empty());
        match (recv_id, group_id) {
            (Some(_), Some(_)) => Err(OpenIMError::invalid_argument("set either recv_id or group_id, not both")),
            (None, None) => Err(OpenIMError::invalid_argument("set recv_id (single chat) or group_id (group chat)")),
            (Some(recv), None) => Ok(Target {
                session_type: session_type::SINGLE_CHAT,
                conversation_id: conversation_id::single(&self.ctx.user_id, &recv),
                peer: recv,
            }),
            (None, Some(group)) => Ok(Target {
                session_type: session_type::READ_GROUP_CHAT,
                conversation_id: conversation_id::group(&group),
                peer: group,
            }),
        }
    }

    /// Sends `message` (from a `create_*` function, or a failed message to retry) and returns it
    /// as stored after the server's answer.
    pub async fn send(
        &self,
        mut message: Message,
        recv_id: Option<String>,
        group_id: Option<String>,
        offline_push: Option<OfflinePushInfo>,
        is_online_only: bool,
    ) -> Result<Message> {
        let target = self.target(recv_id, group_id)?;
        if message.client_msg_id.is_empty() {
            return Err(OpenIMError::invalid_argument("the message has no client_msg_id; create it with a create_* function"));
        }
        if message.content.content_type().is_none() || content_type::is_notification(message.content_type) {
            return Err(OpenIMError::invalid_argument("notifications and unknown content cannot be sent"));
        }
        message.send_id = self.ctx.user_id.clone();
        message.session_type = target.session_type;
        match target.session_type {
            session_type::SINGLE_CHAT => {
                message.recv_id = target.peer.clone();
                message.group_id.clear();
            }
            _ => {
                message.group_id = target.peer.clone();
                message.recv_id.clear();
            }
        }
        message.status = MessageStatus::Sending;
        let conversation_id = target.conversation_id.clone();

        if !is_online_only {
            self.store_outgoing(&target, &message).await?;
        }

        let mut opts: HashMap<String, bool> = HashMap::new();
        if is_online_only {
            for key in [
                options::HISTORY,
                options::PERSISTENT,
                options::SENDER_SYNC,
                options::CONVERSATION_UPDATE,
                options::SENDER_CONVERSATION_UPDATE,
                options::UNREAD_COUNT,
                options::OFFLINE_PUSH,
            ] {
                opts.insert(key.to_owned(), false);
            }
        }
        let mut data = message.to_msg_data();
        data.options = opts;
        data.offline_push_info = offline_push.map(|p| openim_wire::pb::sdkws::OfflinePushInfo {
            title: p.title,
            desc: p.desc,
            ex: p.ex,
            ios_push_sound: p.ios_push_sound,
            ios_badge_count: p.ios_badge_count,
            signal_info: String::new(),
        });

        let seq_rx = (!is_online_only).then(|| self.ctx.wait_for_seq(&message.client_msg_id));
        let sent = self.ctx.conn.request::<_, SendMsgResp>(req::SEND_MSG, &data).await;
        match sent {
            Err(e) => {
                self.ctx.forget_seq_waiter(&message.client_msg_id);
                if !is_online_only {
                    self.finish_outgoing(&conversation_id, &message.client_msg_id, "", 0, MessageStatus::SendFailed).await?;
                }
                Err(e)
            }
            Ok(resp) => {
                if is_online_only {
                    message.server_msg_id = resp.server_msg_id;
                    message.send_time = resp.send_time;
                    message.status = MessageStatus::SendSuccess;
                    return Ok(message);
                }
                self.finish_outgoing(&conversation_id, &message.client_msg_id, &resp.server_msg_id, resp.send_time, MessageStatus::SendSuccess)
                    .await?;
                if let Some(rx) = seq_rx
                    && tokio::time::timeout(SEQ_WAIT, rx).await.is_err()
                {
                    self.ctx.forget_seq_waiter(&message.client_msg_id);
                    tracing::debug!("the sender-sync copy has not arrived yet; seq follows later");
                }
                self.ctx
                    .store
                    .message(&conversation_id, &message.client_msg_id)
                    .await?
                    .ok_or_else(|| OpenIMError::internal("the sent message vanished from the local store"))
            }
        }
    }

    /// Stores a new outgoing message (or re-arms a failed one) and shows it as the
    /// conversation's latest message.
    async fn store_outgoing(&self, target: &Target, message: &Message) -> Result<()> {
        let _guard = self.ctx.ingest_lock.lock().await;
        let id = &target.conversation_id;
        match self.ctx.store.message(id, &message.client_msg_id).await? {
            None => {
                self.ctx.store.insert_message(id, message).await?;
            }
            Some(existing) if existing.status == MessageStatus::SendFailed => {
                self.ctx.store.set_message_status(id, &message.client_msg_id, MessageStatus::Sending).await?;
            }
            Some(_) => {
                return Err(OpenIMError::InvalidArgument {
                    code: openim_wire::errcode::SDK_MSG_REPEAT,
                    msg: "only a failed message can be sent again".into(),
                });
            }
        }
        self.ctx.store.add_sending(id, &message.client_msg_id).await?;
        let unread_before = self.conversations.total_unread().await?;
        let (mut c, is_new) = self.conversations.load_or_new(id, target.session_type, &target.peer).await?;
        c.latest_msg = Some(message.clone());
        c.latest_msg_send_time = message.send_time;
        self.ctx.store.save_conversation(&c).await?;
        let mut changes = Changes::default();
        changes.record(c, is_new);
        self.conversations.report(changes, unread_before).await
    }

    /// Records the outcome of a send and refreshes the conversation's latest message.
    async fn finish_outgoing(
        &self,
        conversation_id: &str,
        client_msg_id: &str,
        server_msg_id: &str,
        send_time: i64,
        status: MessageStatus,
    ) -> Result<()> {
        let _guard = self.ctx.ingest_lock.lock().await;
        self.ctx.store.update_send_result(conversation_id, client_msg_id, server_msg_id, send_time, status).await?;
        self.ctx.store.remove_sending(conversation_id, client_msg_id).await?;
        self.refresh_latest(conversation_id, client_msg_id).await
    }

    /// When `client_msg_id` is a conversation's latest message, re-reads the latest visible one
    /// and reports the change. Callers hold the ingest lock.
    pub(crate) async fn refresh_latest(&self, conversation_id: &str, client_msg_id: &str) -> Result<()> {
        let unread_before = self.conversations.total_unread().await?;
        let mut changes = Changes::default();
        self.latest_changed(conversation_id, client_msg_id, &mut changes).await?;
        self.conversations.report(changes, unread_before).await
    }

    /// [`Messages::refresh_latest`] that records the change instead of reporting it.
    pub(crate) async fn latest_changed(&self, conversation_id: &str, client_msg_id: &str, changes: &mut Changes) -> Result<()> {
        let Some(mut c) = self.ctx.store.conversation(conversation_id).await? else { return Ok(()) };
        if c.latest_msg.as_ref().is_none_or(|m| m.client_msg_id != client_msg_id) {
            return Ok(());
        }
        let latest = self.ctx.store.latest_visible_message(conversation_id).await?;
        c.latest_msg_send_time = latest.as_ref().map(|m| m.send_time).unwrap_or(c.latest_msg_send_time);
        c.latest_msg = latest;
        self.ctx.store.save_conversation(&c).await?;
        changes.record(c, false);
        Ok(())
    }
}
