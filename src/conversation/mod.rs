//! Conversations: the list the user sees, derived from messages and reconciled with the
//! server (settings, read state).

mod model;

use std::sync::Arc;

use openim_wire::api::conversation::{ConversationReq, ConversationsResp, GetConversationsReq, SetConversationsReq};
use openim_wire::api::{Empty, path};
use openim_wire::constant::session_type;
use openim_wire::conversation_id;

pub use model::{Conversation, ConversationUpdate, InputStatusChange};

use crate::context::SessionContext;
use crate::error::{OpenIMError, Result};
use crate::events::{ConversationEvent, Event};
use crate::user::Users;
use crate::util::now_ms;

#[derive(Clone)]
pub struct Conversations {
    ctx: Arc<SessionContext>,
    users: Users,
}

/// The conversations an operation created and changed, to report in one go.
#[derive(Default)]
pub struct Changes {
    pub new: Vec<Conversation>,
    pub changed: Vec<Conversation>,
}

impl Changes {
    pub fn record(&mut self, c: Conversation, is_new: bool) {
        let list = if is_new { &mut self.new } else { &mut self.changed };
        list.retain(|x| x.conversation_id != c.conversation_id);
        list.push(c);
    }
}

impl Conversations {
    pub fn new(ctx: Arc<SessionContext>, users: Users) -> Self {
        Self { ctx, users }
    }

    /// Visible conversations in list order (pinned first, then newest).
    pub async fn list(&self, offset: i32, count: i32) -> Result<Vec<Conversation>> {
        if offset < 0 || count <= 0 {
            return Err(OpenIMError::invalid_argument("offset must be ≥ 0 and count > 0"));
        }
        self.ctx.store.conversation_page(offset.into(), count.into()).await
    }

    pub async fn all(&self) -> Result<Vec<Conversation>> {
        self.ctx.store.conversation_page(0, i64::MAX).await
    }

    pub async fn get_multiple(&self, ids: Vec<String>) -> Result<Vec<Conversation>> {
        self.ctx.store.conversations_by_id(&ids).await
    }

    pub async fn total_unread(&self) -> Result<i32> {
        self.ctx.store.total_unread().await
    }

    /// The conversation with a user (session type 1) or group (3); created locally if missing.
    pub async fn get_one(&self, session: i32, source_id: &str) -> Result<Conversation> {
        if source_id.is_empty() {
            return Err(OpenIMError::invalid_argument("source_id is empty"));
        }
        let id = match session {
            session_type::SINGLE_CHAT => conversation_id::single(&self.ctx.user_id, source_id),
            session_type::READ_GROUP_CHAT => conversation_id::group(source_id),
            other => return Err(OpenIMError::invalid_argument(format!("session type {other} has no conversations"))),
        };
        let (c, is_new) = self.load_or_new(&id, session, source_id).await?;
        if is_new {
            self.ctx.store.save_conversation(&c).await?;
        }
        Ok(c)
    }

    /// The stored conversation, or a fresh one (not saved) with the peer's name and face.
    pub async fn load_or_new(&self, id: &str, session: i32, peer_or_group: &str) -> Result<(Conversation, bool)> {
        if let Some(c) = self.ctx.store.conversation(id).await? {
            return Ok((c, false));
        }
        let mut c = Conversation {
            conversation_id: id.to_owned(),
            conversation_type: session,
            user_id: String::new(),
            group_id: String::new(),
            show_name: peer_or_group.to_owned(),
            face_url: String::new(),
            recv_msg_opt: 0,
            unread_count: 0,
            group_at_type: 0,
            latest_msg: None,
            latest_msg_send_time: 0,
            draft_text: String::new(),
            draft_text_time: 0,
            is_pinned: false,
            is_private_chat: false,
            burn_duration: 30,
            attached_info: String::new(),
            ex: String::new(),
            max_seq: 0,
            min_seq: 0,
        };
        if session == session_type::SINGLE_CHAT {
            c.user_id = peer_or_group.to_owned();
            match self.users.cached(peer_or_group).await {
                Ok(Some(user)) => {
                    if !user.nickname.is_empty() {
                        c.show_name = user.nickname;
                    }
                    c.face_url = user.face_url;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "peer profile unavailable; conversation named by ID"),
            }
        } else {
            c.group_id = peer_or_group.to_owned();
        }
        Ok((c, true))
    }

    /// Reports created and changed conversations, and the total unread count when it moved.
    pub async fn report(&self, changes: Changes, unread_before: i32) -> Result<()> {
        if !changes.new.is_empty() {
            self.ctx.emit(Event::Conversation(ConversationEvent::NewConversation(changes.new)));
        }
        if !changes.changed.is_empty() {
            self.ctx.emit(Event::Conversation(ConversationEvent::ConversationChanged(changes.changed)));
        }
        let unread_after = self.total_unread().await?;
        if unread_after != unread_before {
            self.ctx.emit(Event::Conversation(ConversationEvent::TotalUnreadMessageCountChanged(unread_after)));
        }
        Ok(())
    }

    async fn existing(&self, id: &str) -> Result<Conversation> {
        self.ctx
            .store
            .conversation(id)
            .await?
            .ok_or_else(|| OpenIMError::invalid_argument(format!("no conversation {id}")))
    }

    /// Pins, mutes, marks private or sets `ex` (saved on the server for every device).
    pub async fn set(&self, id: &str, update: ConversationUpdate) -> Result<Conversation> {
        if let Some(opt) = update.recv_msg_opt
            && !(0..=2).contains(&opt)
        {
            return Err(OpenIMError::invalid_argument("recv_msg_opt must be 0, 1 or 2"));
        }
        let _guard = self.ctx.ingest_lock.lock().await;
        let mut c = self.existing(id).await?;
        let req = SetConversationsReq {
            user_ids: vec![self.ctx.user_id.clone()],
            conversation: ConversationReq {
                conversation_id: id.to_owned(),
                conversation_type: c.conversation_type,
                user_id: c.user_id.clone(),
                group_id: c.group_id.clone(),
                recv_msg_opt: update.recv_msg_opt,
                is_pinned: update.is_pinned,
                is_private_chat: update.is_private_chat,
                ex: update.ex.clone(),
                burn_duration: update.burn_duration,
                ..Default::default()
            },
        };
        self.ctx.api.post::<_, Empty>(path::SET_CONVERSATIONS, &req).await?;
        let unread_before = self.total_unread().await?;
        apply_update(&mut c, &update);
        self.ctx.store.save_conversation(&c).await?;
        let mut changes = Changes::default();
        changes.record(c.clone(), false);
        self.report(changes, unread_before).await?;
        Ok(c)
    }

    /// Fetches the server's records of `ids` and applies their settings locally.
    pub async fn sync_settings(&self, ids: Option<Vec<String>>) -> Result<()> {
        let owner = self.ctx.user_id.clone();
        let resp: ConversationsResp = match ids {
            Some(ids) => {
                self.ctx.api.post(path::GET_CONVERSATIONS, &GetConversationsReq { owner_user_id: owner, conversation_ids: ids }).await?
            }
            None => {
                let req = openim_wire::api::conversation::GetAllConversationsReq { owner_user_id: owner };
                self.ctx.api.post(path::GET_ALL_CONVERSATIONS, &req).await?
            }
        };
        let _guard = self.ctx.ingest_lock.lock().await;
        let unread_before = self.total_unread().await?;
        let mut changes = Changes::default();
        for record in resp.conversations {
            let Some(mut c) = self.ctx.store.conversation(&record.conversation_id).await? else { continue };
            let before = c.clone();
            c.recv_msg_opt = record.recv_msg_opt;
            c.is_pinned = record.is_pinned;
            c.is_private_chat = record.is_private_chat;
            c.burn_duration = if record.burn_duration == 0 { c.burn_duration } else { record.burn_duration };
            c.ex = record.ex;
            c.attached_info = record.attached_info;
            if c != before {
                self.ctx.store.save_conversation(&c).await?;
                changes.record(c, false);
            }
        }
        self.report(changes, unread_before).await
    }

    /// Saves a draft (an empty text clears it).
    pub async fn set_draft(&self, id: &str, draft: String) -> Result<()> {
        let _guard = self.ctx.ingest_lock.lock().await;
        let mut c = self.existing(id).await?;
        c.draft_text_time = if draft.is_empty() { 0 } else { now_ms() };
        c.draft_text = draft;
        self.ctx.store.save_conversation(&c).await?;
        let mut changes = Changes::default();
        changes.record(c, false);
        let unread = self.total_unread().await?;
        self.report(changes, unread).await
    }

    /// Takes the conversation off the list until its next message (OpenIM clears its latest
    /// message time).
    pub async fn hide(&self, id: &str) -> Result<()> {
        let _guard = self.ctx.ingest_lock.lock().await;
        let mut c = self.existing(id).await?;
        let unread_before = self.total_unread().await?;
        c.latest_msg_send_time = 0;
        c.draft_text_time = 0;
        self.ctx.store.save_conversation(&c).await?;
        self.report(Changes::default(), unread_before).await
    }
}

fn apply_update(c: &mut Conversation, u: &ConversationUpdate) {
    if let Some(v) = u.recv_msg_opt {
        c.recv_msg_opt = v;
    }
    if let Some(v) = u.is_pinned {
        c.is_pinned = v;
    }
    if let Some(v) = u.is_private_chat {
        c.is_private_chat = v;
    }
    if let Some(v) = u.burn_duration {
        c.burn_duration = v;
    }
    if let Some(v) = &u.ex {
        c.ex = v.clone();
    }
}
