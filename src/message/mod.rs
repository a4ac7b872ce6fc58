//! Messages: creating, sending, receiving (pushes and pulls), history, revokes, read marks,
//! deletion and search. Everything that changes local data does it inside the session's one
//! write ([`crate::context::Write`]) and reports it after the commit.

mod create;
mod history;
mod local;
mod media;
pub mod ingest;
pub mod notification;
mod operations;
mod search;
mod send;
mod typing;
mod upload;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

pub use create::CardInfo;
pub use history::HistoryPage;
pub use search::{ConversationArgs, SearchParams, SearchResult, SearchResultItem};
pub use send::OfflinePushInfo;
pub use upload::{CancellationToken, UploadProgressListener};

use crate::context::SessionContext;
use crate::conversation::Conversations;
use crate::model::{Message, MessageContent, MessageStatus};
use crate::store::rows::ChatLogRow;

/// How many created, not yet sent client IDs [`Messages`] remembers (the oldest are forgotten:
/// their send only takes the longer way), and how many sent but unstored ones.
const FRESH_KEPT: usize = 256;

/// Client IDs this session knows more of than its store does.
#[derive(Default)]
struct SendMarks {
    /// Created in this session and not yet handed to `send`, oldest first: no stored message can
    /// carry one, so their first send goes out before its local write.
    fresh: VecDeque<String>,
    /// Sent that way while their local write has not committed, or failed after the server kept
    /// them: no stored row claims them, so a second send must be refused here.
    unstored: VecDeque<String>,
}

/// A sent-but-unstored mark ([`SendMarks::unstored`]), cleared when dropped (the message was
/// stored, the server did not keep it, or the send was abandoned) unless kept.
struct UnstoredMark {
    marks: Arc<Mutex<SendMarks>>,
    client_msg_id: Option<String>,
}

impl UnstoredMark {
    /// Keeps the mark: the server kept the message, which is not stored here.
    fn keep(mut self) {
        self.client_msg_id = None;
    }
}

impl Drop for UnstoredMark {
    fn drop(&mut self) {
        if let Some(id) = self.client_msg_id.take() {
            remove_id(&mut self.marks.lock().unwrap_or_else(|e| e.into_inner()).unstored, &id);
        }
    }
}

fn push_bounded(ids: &mut VecDeque<String>, client_msg_id: &str) {
    if ids.len() == FRESH_KEPT {
        ids.pop_front();
    }
    ids.push_back(client_msg_id.to_owned());
}

/// Removes `client_msg_id` from `ids` (searched newest first); whether it was there.
fn remove_id(ids: &mut VecDeque<String>, client_msg_id: &str) -> bool {
    match ids.iter().rposition(|id| id == client_msg_id) {
        Some(i) => ids.remove(i).is_some(),
        None => false,
    }
}

#[derive(Clone)]
pub struct Messages {
    ctx: Arc<SessionContext>,
    conversations: Conversations,
    /// Fresh and sent-but-unstored client IDs (see [`SendMarks`]).
    marks: Arc<Mutex<SendMarks>>,
    input_states: Arc<Mutex<typing::InputStates>>,
    /// Orders typing state changes with their events (see `typing`).
    typing_events: Arc<tokio::sync::Mutex<()>>,
    /// Uploads running, by content hash (one at a time per content).
    uploading: upload::Uploading,
    /// Messages being sent whose uploads `cancel_sending` can stop.
    sending_uploads: upload::SendingUploads,
    /// Held while `upload_logs` runs (one at a time, as in OpenIM's core).
    uploading_logs: Arc<tokio::sync::Mutex<()>>,
}

impl Messages {
    pub fn new(ctx: Arc<SessionContext>, conversations: Conversations) -> Self {
        Self {
            ctx,
            conversations,
            marks: Arc::default(),
            input_states: Arc::default(),
            typing_events: Arc::default(),
            uploading: Arc::default(),
            sending_uploads: Arc::default(),
            uploading_logs: Arc::default(),
        }
    }

    fn marks(&self) -> std::sync::MutexGuard<'_, SendMarks> {
        self.marks.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn note_fresh(&self, client_msg_id: &str) {
        push_bounded(&mut self.marks().fresh, client_msg_id);
    }

    /// Whether `client_msg_id` was created here and never sent; it no longer is after this.
    fn forget_fresh(&self, client_msg_id: &str) -> bool {
        remove_id(&mut self.marks().fresh, client_msg_id)
    }

    /// [`Self::forget_fresh`], and when it was fresh, marks it sent but not stored while the
    /// returned mark lives (or for good once kept).
    fn take_fresh(&self, client_msg_id: &str) -> Option<UnstoredMark> {
        let mut marks = self.marks();
        if !remove_id(&mut marks.fresh, client_msg_id) {
            return None;
        }
        push_bounded(&mut marks.unstored, client_msg_id);
        Some(UnstoredMark { marks: self.marks.clone(), client_msg_id: Some(client_msg_id.to_owned()) })
    }

    /// Refuses to send `client_msg_id` again while it went out without a stored row claiming it.
    fn refuse_unstored(&self, client_msg_id: &str) -> crate::error::Result<()> {
        if self.marks().unstored.iter().any(|id| id == client_msg_id) {
            return Err(send::repeated());
        }
        Ok(())
    }
}

/// The record apps see.
pub fn from_row(r: ChatLogRow) -> Message {
    Message {
        content: MessageContent::from_wire(r.content_type, &r.content),
        client_msg_id: r.client_msg_id,
        conversation_id: r.conversation_id,
        server_msg_id: r.server_msg_id,
        create_time: r.create_time,
        send_time: r.send_time,
        session_type: r.session_type,
        send_id: r.send_id,
        recv_id: r.recv_id,
        group_id: r.group_id,
        msg_from: r.msg_from,
        content_type: r.content_type,
        sender_platform_id: r.sender_platform_id,
        sender_nickname: r.sender_nickname,
        sender_face_url: r.sender_face_url,
        seq: r.seq,
        is_read: r.is_read,
        status: MessageStatus::from_code(r.status),
        attached_info: r.attached_info,
        ex: r.ex,
        local_ex: r.local_ex,
    }
}

/// The row of `m` in `conversation_id`.
pub fn to_row(conversation_id: &str, m: &Message) -> ChatLogRow {
    ChatLogRow {
        conversation_id: conversation_id.to_owned(),
        client_msg_id: m.client_msg_id.clone(),
        server_msg_id: m.server_msg_id.clone(),
        send_id: m.send_id.clone(),
        recv_id: m.recv_id.clone(),
        group_id: m.group_id.clone(),
        sender_platform_id: m.sender_platform_id,
        sender_nickname: m.sender_nickname.clone(),
        sender_face_url: m.sender_face_url.clone(),
        session_type: m.session_type,
        msg_from: m.msg_from,
        content_type: m.content_type,
        content: m.content.to_wire(),
        is_read: m.is_read,
        status: m.status.code(),
        seq: m.seq,
        send_time: m.send_time,
        create_time: m.create_time,
        attached_info: m.attached_info.clone(),
        ex: m.ex.clone(),
        local_ex: m.local_ex.clone(),
    }
}

/// A seq the server has no message for (deleted, or outside the user's history), or a second
/// seq of a client ID already stored: kept as a deleted row so the seq counts as known and is
/// never asked for again.
pub fn placeholder(conversation_id: &str, seq: i64) -> ChatLogRow {
    ChatLogRow {
        conversation_id: conversation_id.to_owned(),
        client_msg_id: format!("{conversation_id}:{seq}"),
        is_read: true,
        status: MessageStatus::Deleted.code(),
        seq,
        ..Default::default()
    }
}
