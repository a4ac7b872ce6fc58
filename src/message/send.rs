//! Sending: the message is checked against the gateway's frame limit, stored locally (status
//! sending) in a write that is still finishing while request 1003 travels (a message created in
//! this session and never sent goes out before that write starts: should the write fail, the
//! send fails although the server may have the message, whose copy then comes in as if sent
//! from another device), and done when the
//! sender-sync copy (which brings the seq) or, failing that, the reply arrives. A failure marks
//! it failed only while nothing confirmed it: a confirmed message is never turned back into a
//! failed one, and a failed message the server did store is confirmed when its copy arrives.
//! Messages still "sending" at the next login become failed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use openim_wire::constant::{content_type, options, req, session_type};
use openim_wire::conversation_id;
use openim_wire::pb::msg::SendMsgResp;

use super::{Messages, UploadProgressListener, from_row, to_row, upload};
use crate::conversation::{or_new, save, save_over, set_latest};
use crate::error::{OpenIMError, Result};
use crate::model::*;
use crate::store::chat_logs;

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
    /// as stored after the server's answer; copies of its files kept for the send go once it is
    /// sent.
    pub async fn send(
        &self,
        message: Message,
        recv_id: Option<String>,
        group_id: Option<String>,
        offline_push: Option<OfflinePushInfo>,
        is_online_only: bool,
        progress: Option<Arc<dyn UploadProgressListener>>,
    ) -> Result<Message> {
        let sent = self.send_now(message, recv_id, group_id, offline_push, is_online_only, progress).await?;
        if sent.status == MessageStatus::SendSuccess {
            self.forget_copies(&sent).await;
        }
        Ok(sent)
    }

    async fn send_now(
        &self,
        mut message: Message,
        recv_id: Option<String>,
        group_id: Option<String>,
        offline_push: Option<OfflinePushInfo>,
        is_online_only: bool,
        progress: Option<Arc<dyn UploadProgressListener>>,
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
        message.conversation_id = target.conversation_id.clone();
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

        // A message naming local files is stored (sending) before they upload, as in OpenIM's
        // core, so the chat shows it while they go; the request follows the upload. Sent again
        // after its upload succeeded, it keeps the stored URLs instead of uploading again.
        let mut uploads = super::media::needs_upload(&message.content);
        if uploads && !is_online_only && let Some(stored) = self.uploaded_before(&target, &message).await? {
            message.content = stored;
            uploads = false;
        }
        let stored_first = if !uploads {
            false
        } else {
            // Refused before any upload: the URLs add a few hundred bytes at most.
            self.ctx.conn.check_request_size(req::SEND_MSG, &wire_data(&message, is_online_only, &offline_push))?;
            // `cancel_sending` stops the upload from here until it is done.
            let mut cancel = self.sending_upload(&message.client_msg_id);
            if is_online_only {
                cancel.upload(self.upload_media(&mut message, progress.as_ref())).await?;
                false
            } else {
                self.store_and_upload(&target, &mut message, progress.as_ref(), &mut cancel).await?;
                true
            }
        };

        // Refused before anything is stored (but after an upload): the gateway would drop the
        // connection over it.
        let data = wire_data(&message, is_online_only, &offline_push);
        if let Err(e) = self.ctx.conn.check_request_size(req::SEND_MSG, &data) {
            if stored_first {
                return Err(self.fail_stored(&target.conversation_id, &message.client_msg_id, e).await);
            }
            return Err(e);
        }

        if is_online_only {
            let resp: SendMsgResp = self.ctx.conn.request_encoded(req::SEND_MSG, data).await?;
            message.server_msg_id = resp.server_msg_id;
            message.send_time = resp.send_time;
            message.status = MessageStatus::SendSuccess;
            return Ok(message);
        }

        let conversation_id = target.conversation_id.clone();
        let client_msg_id = message.client_msg_id.clone();
        // The writer's turn comes first: the server's copy of the message (pushed before the
        // reply, it brings the seq) cannot be applied before the write that stores the message
        // commits, so the copy always finds it. Only when the copy does not come does the
        // reply mark the message sent. The sender waits for the copy only once the client ID is
        // its own: a second send of the same message (refused) must not take the first one's
        // confirmation.
        let request = self.ctx.conn.request_encoded::<SendMsgResp>(req::SEND_MSG, data);
        let mut unstored = None;
        let (mut waiter, stored, reply) = if stored_first {
            // Stored before its upload: the copy finds it.
            let waiter = self.ctx.wait_for_seq(&conversation_id, &client_msg_id);
            (waiter, Ok(()), request.await)
        } else {
            // Whether the message is fresh is asked in the writer's turn: a second send of it
            // that claimed its ID first has committed by then and took the fresh mark with it,
            // so this one claims (and is refused) before anything goes out.
            let turn = self.ctx.writer_turn().await;
            unstored = self.take_fresh(&client_msg_id);
            if unstored.is_some() {
                // Created here and never sent: nothing stored can carry its ID, so the request
                // goes out at once (polled first) and travels while the message is stored.
                let waiter = self.ctx.wait_for_seq(&conversation_id, &client_msg_id);
                let store = async {
                    let w = self.claim_outgoing(turn, &target, &message).await?;
                    self.finish_outgoing(w, &target, &message).await
                };
                let (reply, stored) = tokio::join!(request, store);
                (waiter, stored, reply)
            } else {
                // A retry, or a message the app built: its ID is claimed before anything goes
                // out, and the request travels while the claiming write finishes.
                self.refuse_unstored(&client_msg_id)?;
                let w = self.claim_outgoing(turn, &target, &message).await?;
                let waiter = self.ctx.wait_for_seq(&conversation_id, &client_msg_id);
                let (stored, reply) = tokio::join!(self.finish_outgoing(w, &target, &message), request);
                (waiter, stored, reply)
            }
        };
        // Not stored, whatever the server did: a copy that comes comes in as new (as if sent from
        // another device). A fresh message the server kept stays marked sent, so sending it again
        // before that copy is stored is refused instead of sending it twice.
        if let Some(mark) = unstored
            && stored.is_err()
            && reply.is_ok()
        {
            mark.keep();
        }
        stored?;
        match reply {
            Ok(resp) => {
                if let Ok(Ok(confirmed)) = tokio::time::timeout(SEQ_WAIT, &mut waiter.rx).await {
                    return Ok(confirmed_message(message, confirmed));
                }
                tracing::debug!("the sender-sync copy has not arrived; the reply marks the message sent");
                let mut w = self.ctx.write().await?;
                chat_logs::mark_sent(&mut w.tx, &conversation_id, &client_msg_id, &resp.server_msg_id, resp.send_time).await?;
                self.latest_changed_to_stored(&mut w, &conversation_id, &client_msg_id).await?;
                self.ctx.commit(w).await?;
            }
            Err(e) => {
                if self.mark_stored_failed(&conversation_id, &client_msg_id).await? {
                    return Err(e);
                }
                // Its copy confirmed it before the failure arrived: it was sent.
                tracing::info!(error = %e, "a send failed after the server had stored the message; it counts as sent");
            }
        }
        drop(waiter);
        let stored = chat_logs::get(&mut *self.ctx.store.read().await?, &conversation_id, &client_msg_id).await?;
        stored.map(from_row).ok_or_else(|| OpenIMError::internal("the sent message vanished from the local store"))
    }

    /// Stores `message` (sending, shown as its conversation's latest), uploads its local files
    /// and stores their URLs; a failed upload leaves it failed.
    async fn store_and_upload(
        &self,
        target: &Target,
        message: &mut Message,
        progress: Option<&Arc<dyn UploadProgressListener>>,
        cancel: &mut upload::SendingUpload,
    ) -> Result<()> {
        self.forget_fresh(&message.client_msg_id);
        let turn = self.ctx.writer_turn().await;
        self.refuse_unstored(&message.client_msg_id)?;
        let w = self.claim_outgoing(turn, target, message).await?;
        self.finish_outgoing(w, target, message).await?;
        let id = &target.conversation_id;
        let uploaded = async {
            cancel.upload(self.upload_media(message, progress)).await?;
            let mut w = self.ctx.write().await?;
            if !chat_logs::set_sending_content(&mut w.tx, id, &message.client_msg_id, &message.content.to_wire()).await? {
                return Err(OpenIMError::invalid_argument("the message was deleted while its files uploaded; it was not sent"));
            }
            self.latest_changed_to_stored(&mut w, id, &message.client_msg_id).await?;
            self.ctx.commit(w).await
        };
        match uploaded.await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail_stored(id, &message.client_msg_id, e).await),
        }
    }

    /// The content a failed message got from an upload before its send failed, when it is being
    /// sent again without it: its files need not go again.
    async fn uploaded_before(&self, target: &Target, message: &Message) -> Result<Option<MessageContent>> {
        let stored = chat_logs::get(&mut *self.ctx.store.read().await?, &target.conversation_id, &message.client_msg_id).await?;
        Ok(stored
            .filter(|r| r.status == MessageStatus::SendFailed.code() && r.seq == 0)
            .map(|r| from_row(r).content)
            .filter(|c| c.content_type() == message.content.content_type() && !super::media::needs_upload(c)))
    }

    /// Marks a stored outgoing message failed while nothing confirmed it (its conversation shows
    /// it so); false when its copy had confirmed it meanwhile.
    async fn mark_stored_failed(&self, conversation_id: &str, client_msg_id: &str) -> Result<bool> {
        let mut w = self.ctx.write().await?;
        let failed = chat_logs::mark_failed(&mut w.tx, conversation_id, client_msg_id).await?;
        if failed {
            self.latest_changed_to_stored(&mut w, conversation_id, client_msg_id).await?;
        }
        self.ctx.commit(w).await?;
        Ok(failed)
    }

    /// [`Self::mark_stored_failed`] after `e`, which it returns (a store error beside it is
    /// logged).
    async fn fail_stored(&self, conversation_id: &str, client_msg_id: &str, e: OpenIMError) -> OpenIMError {
        if let Err(store) = self.mark_stored_failed(conversation_id, client_msg_id).await {
            tracing::warn!(error = %store, "a message that could not be sent could not be marked failed either");
        }
        e
    }

    /// Opens the write that stores an outgoing message (in `turn`) and claims its client ID: a
    /// new message is inserted (status sending), a failed one that never got a seq is re-armed;
    /// any other message with that ID is refused.
    async fn claim_outgoing(&self, turn: crate::store::WriterTurn, target: &Target, message: &Message) -> Result<crate::context::Write> {
        let id = &target.conversation_id;
        let mut w = self.ctx.write_in(turn).await?;
        if !chat_logs::insert(&mut w.tx, &to_row(id, message)).await? {
            match chat_logs::get(&mut w.tx, id, &message.client_msg_id).await? {
                Some(existing) if existing.status == MessageStatus::SendFailed.code() && existing.seq == 0 => {
                    chat_logs::set_status(&mut w.tx, id, &message.client_msg_id, MessageStatus::Sending.code()).await?;
                }
                _ => return Err(repeated()),
            }
        }
        Ok(w)
    }

    /// Finishes the write of [`Self::claim_outgoing`]: the message is shown as the
    /// conversation's latest message.
    async fn finish_outgoing(&self, mut w: crate::context::Write, target: &Target, message: &Message) -> Result<()> {
        let id = &target.conversation_id;
        let before = w.tx.conversation(id).await?;
        let mut c = or_new(&mut w.tx, before.as_ref(), id, target.session_type, &target.peer).await?;
        set_latest(&mut c, Some(message));
        self.conversations.name_later(&mut w, &c);
        save_over(&mut w, before, c).await?;
        self.ctx.commit(w).await
    }

    /// When `client_msg_id` is the conversation's latest message, shows its stored state.
    pub(crate) async fn latest_changed_to_stored(&self, w: &mut crate::context::Write, conversation_id: &str, client_msg_id: &str) -> Result<()> {
        let Some(mut c) = w.tx.conversation(conversation_id).await? else { return Ok(()) };
        if crate::conversation::latest_client_msg_id(&c).as_deref() != Some(client_msg_id) {
            return Ok(());
        }
        if let Some(m) = chat_logs::get(&mut w.tx, conversation_id, client_msg_id).await? {
            let m = from_row(m);
            if m.status == MessageStatus::Deleted {
                return self.latest_changed(w, conversation_id, client_msg_id).await;
            }
            set_latest(&mut c, Some(&m));
            save(w, c).await?;
        }
        Ok(())
    }
}

/// The request 1003 carries for `message`: maps (the options) written as Go writes them, so
/// every server reads every option.
fn wire_data(message: &Message, is_online_only: bool, offline_push: &Option<OfflinePushInfo>) -> Vec<u8> {
    let mut data = message.to_msg_data();
    if is_online_only {
        let off = [
            options::HISTORY,
            options::PERSISTENT,
            options::SENDER_SYNC,
            options::CONVERSATION_UPDATE,
            options::SENDER_CONVERSATION_UPDATE,
            options::UNREAD_COUNT,
            options::OFFLINE_PUSH,
        ];
        data.options = off.iter().map(|k| ((*k).to_owned(), false)).collect::<HashMap<_, _>>();
    }
    data.offline_push_info = offline_push.clone().map(|p| openim_wire::pb::sdkws::OfflinePushInfo {
        title: p.title,
        desc: p.desc,
        ex: p.ex,
        ios_push_sound: p.ios_push_sound,
        ios_badge_count: p.ios_badge_count,
        signal_info: String::new(),
    });
    openim_wire::pb::GoEncode::encode_go(&data)
}

/// The sent message as its confirmation left it in the store (no need to read it back).
fn confirmed_message(mut message: Message, confirmed: crate::context::Confirmed) -> Message {
    message.seq = confirmed.seq;
    message.server_msg_id = confirmed.server_msg_id;
    message.send_time = confirmed.send_time;
    message.status = MessageStatus::from_code(confirmed.status);
    message
}

/// A send of a message that is not a failed one (10204).
pub(super) fn repeated() -> OpenIMError {
    OpenIMError::InvalidArgument { code: openim_wire::errcode::SDK_MSG_REPEAT, msg: "only a failed message can be sent again".into() }
}
