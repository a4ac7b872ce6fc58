//! Creating messages (OpenIM's `Create*Message`): a fresh client ID, the sender fields of the
//! logged-in user, status "sending". Nothing is stored or sent until `send_message`.

use md5::{Digest, Md5};
use openim_wire::constant::msg_from;

use super::Messages;
use crate::model::*;
use crate::error::{OpenIMError, Result};
use crate::util::now_ms;

/// A contact card (`CardElem`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CardInfo {
    pub user_id: String,
    pub nickname: String,
    pub face_url: String,
    pub ex: String,
}

/// OpenIM's `GetMsgID`: md5 of a nanosecond clock, the sender and randomness.
pub(super) fn new_client_msg_id(send_id: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let seed = format!("{nanos}{send_id}{}", fastrand::u64(..));
    format!("{:x}", Md5::digest(seed.as_bytes()))
}

fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(OpenIMError::invalid_argument(format!("{field} is empty")));
    }
    Ok(())
}

impl Messages {
    /// A new message from the logged-in user with `content`.
    pub fn create(&self, content: MessageContent) -> Result<Message> {
        let m = self.create_unnoted(content)?;
        self.note_fresh(&m.client_msg_id);
        Ok(m)
    }

    /// [`Self::create`] for a message sent online only (kept out of the fresh IDs, which only
    /// stored sends use).
    pub(super) fn create_unnoted(&self, content: MessageContent) -> Result<Message> {
        let content_type = content
            .content_type()
            .ok_or_else(|| OpenIMError::invalid_argument("this content cannot be sent by a client"))?;
        let me = self.ctx.self_info();
        let now = now_ms();
        let client_msg_id = new_client_msg_id(&self.ctx.user_id);
        Ok(Message {
            client_msg_id,
            conversation_id: String::new(),
            server_msg_id: String::new(),
            create_time: now,
            send_time: now,
            session_type: 0,
            send_id: self.ctx.user_id.clone(),
            recv_id: String::new(),
            group_id: String::new(),
            msg_from: msg_from::USER,
            content_type,
            sender_platform_id: self.ctx.platform_id,
            sender_nickname: me.as_ref().map(|u| u.nickname.clone()).unwrap_or_default(),
            sender_face_url: me.map(|u| u.face_url).unwrap_or_default(),
            seq: 0,
            is_read: false,
            status: MessageStatus::Sending,
            attached_info: String::new(),
            ex: String::new(),
            local_ex: String::new(),
            content,
        })
    }

    pub fn create_text(&self, text: String) -> Result<Message> {
        non_empty("text", &text)?;
        self.create(MessageContent::Text { text })
    }

    pub fn create_advanced_text(&self, text: String, entities: Vec<MessageEntity>) -> Result<Message> {
        non_empty("text", &text)?;
        self.create(MessageContent::AdvancedText { text, entities })
    }

    pub fn create_text_at(
        &self,
        text: String,
        at_user_ids: Vec<String>,
        at_users_info: Vec<AtInfo>,
        quote: Option<Message>,
    ) -> Result<Message> {
        non_empty("text", &text)?;
        if at_user_ids.is_empty() {
            return Err(OpenIMError::invalid_argument("at_user_ids is empty"));
        }
        self.create(MessageContent::AtText { text, at_user_ids, at_users_info, quote: quote.map(Box::new), is_at_self: false })
    }

    pub fn create_quote(&self, text: String, quoted: Message, entities: Vec<MessageEntity>) -> Result<Message> {
        non_empty("text", &text)?;
        non_empty("quoted message's client_msg_id", &quoted.client_msg_id)?;
        self.create(MessageContent::Quote { text, quoted: Some(Box::new(quoted)), entities })
    }

    pub fn create_custom(&self, data: String, extension: String, description: String) -> Result<Message> {
        self.create(MessageContent::Custom { data, description, extension })
    }

    pub fn create_location(&self, description: String, longitude: f64, latitude: f64) -> Result<Message> {
        if !(-180.0..=180.0).contains(&longitude) || !(-90.0..=90.0).contains(&latitude) {
            return Err(OpenIMError::invalid_argument("longitude must be within ±180 and latitude within ±90"));
        }
        self.create(MessageContent::Location { description, longitude, latitude })
    }

    pub fn create_card(&self, card: CardInfo) -> Result<Message> {
        non_empty("card user_id", &card.user_id)?;
        self.create(MessageContent::Card { user_id: card.user_id, nickname: card.nickname, face_url: card.face_url, ex: card.ex })
    }

    pub fn create_face(&self, index: i64, data: String) -> Result<Message> {
        self.create(MessageContent::Face { index, data })
    }

    pub fn create_image_by_url(
        &self,
        source_path: String,
        source: PictureInfo,
        big: PictureInfo,
        snapshot: PictureInfo,
    ) -> Result<Message> {
        non_empty("source picture url", &source.url)?;
        self.create(MessageContent::Image { source_path, source: Some(source), big: Some(big), snapshot: Some(snapshot) })
    }

    pub fn create_sound_by_url(&self, source_url: String, sound_path: String, uuid: String, data_size: i64, duration: i64) -> Result<Message> {
        non_empty("source_url", &source_url)?;
        self.create(MessageContent::Sound { uuid, sound_path, source_url, data_size, duration, sound_type: String::new() })
    }

    #[allow(clippy::too_many_arguments)]
    pub fn create_video_by_url(
        &self,
        video_url: String,
        video_type: String,
        video_size: i64,
        duration: i64,
        snapshot_url: String,
        snapshot_width: i32,
        snapshot_height: i32,
    ) -> Result<Message> {
        non_empty("video_url", &video_url)?;
        self.create(MessageContent::Video {
            video_path: String::new(),
            video_uuid: String::new(),
            video_url,
            video_type,
            video_size,
            duration,
            snapshot_path: String::new(),
            snapshot_uuid: String::new(),
            snapshot_size: 0,
            snapshot_url,
            snapshot_width,
            snapshot_height,
            snapshot_type: String::new(),
        })
    }

    pub fn create_file_by_url(&self, source_url: String, file_name: String, file_size: i64, file_type: String) -> Result<Message> {
        non_empty("source_url", &source_url)?;
        non_empty("file_name", &file_name)?;
        self.create(MessageContent::File { file_path: String::new(), uuid: String::new(), source_url, file_name, file_size, file_type })
    }

    pub fn create_merger(&self, messages: Vec<Message>, title: String, summary_list: Vec<String>) -> Result<Message> {
        if messages.is_empty() {
            return Err(OpenIMError::invalid_argument("messages is empty"));
        }
        self.create(MessageContent::Merger { title, abstract_list: summary_list, messages, entities: Vec::new() })
    }

    /// A copy of `message`'s content to send again, as a new message from this user.
    pub fn create_forward(&self, message: Message) -> Result<Message> {
        let mut forwarded = self.create(message.content)?;
        forwarded.content_type = message.content_type;
        forwarded.ex = message.ex;
        Ok(forwarded)
    }
}
