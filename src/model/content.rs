//! Between the typed model and the wire: `MessageContent` ↔ (contentType, elem JSON),
//! `Message` ↔ `MsgStruct` JSON (quotes, merges, a conversation's latest message) and
//! `Message` ↔ protobuf `MsgData`.

use openim_wire::constant::content_type as ct;
use openim_wire::elem::{self, MsgStruct};
use openim_wire::pb::sdkws::MsgData;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::message::*;

fn entities_from(list: Vec<elem::MessageEntity>) -> Vec<MessageEntity> {
    list.into_iter()
        .map(|e| MessageEntity { kind: e.kind, offset: e.offset, length: e.length, url: e.url, ex: e.ex })
        .collect()
}

fn entities_to(list: &[MessageEntity]) -> Vec<elem::MessageEntity> {
    list.iter()
        .map(|e| elem::MessageEntity {
            kind: e.kind.clone(),
            offset: e.offset,
            length: e.length,
            url: e.url.clone(),
            ex: e.ex.clone(),
        })
        .collect()
}

fn picture_from(p: Option<elem::PictureBaseInfo>) -> Option<PictureInfo> {
    p.map(|p| PictureInfo { uuid: p.uuid, kind: p.kind, size: p.size, width: p.width, height: p.height, url: p.url })
}

fn picture_to(p: &Option<PictureInfo>) -> Option<elem::PictureBaseInfo> {
    p.as_ref().map(|p| elem::PictureBaseInfo {
        uuid: p.uuid.clone(),
        kind: p.kind.clone(),
        size: p.size,
        width: p.width,
        height: p.height,
        url: p.url.clone(),
    })
}

fn quoted_from(m: Option<Box<MsgStruct>>) -> Option<Box<Message>> {
    m.map(|m| Box::new(Message::from_msg_struct(&m)))
}

fn quoted_to(m: &Option<Box<Message>>) -> Option<Box<MsgStruct>> {
    m.as_ref().map(|m| Box::new(m.to_shared_msg_struct()))
}

fn revoked_from(r: elem::MessageRevoked) -> RevokedInfo {
    RevokedInfo {
        revoker_id: r.revoker_id,
        revoker_role: r.revoker_role,
        client_msg_id: r.client_msg_id,
        revoker_nickname: r.revoker_nickname,
        revoke_time: r.revoke_time,
        source_message_send_time: r.source_message_send_time,
        source_message_send_id: r.source_message_send_id,
        source_message_sender_nickname: r.source_message_sender_nickname,
        session_type: r.session_type,
        seq: r.seq,
        ex: r.ex,
        is_admin_revoke: r.is_admin_revoke,
    }
}

impl OaNotification {
    fn from_elem(e: elem::OaNotificationElem) -> Self {
        let media = match (e.picture_elem, e.video_elem, e.file_elem, e.sound_elem) {
            (Some(p), ..) => Some(MessageContent::from_picture(p)),
            (_, Some(v), ..) => Some(MessageContent::from_video(v)),
            (_, _, Some(f), _) => Some(MessageContent::from_file(f)),
            (.., Some(s)) => Some(MessageContent::from_sound(s)),
            _ => None,
        };
        Self {
            notification_name: e.notification_name,
            notification_face_url: e.notification_face_url,
            notification_type: e.notification_type,
            text: e.text,
            url: e.url,
            mix_type: e.mix_type,
            media: media.map(Box::new),
            ex: e.ex,
        }
    }

    fn to_elem(&self) -> elem::OaNotificationElem {
        let mut media = MsgStruct::default();
        if let Some(m) = &self.media {
            m.fill_elem(&mut media);
        }
        elem::OaNotificationElem {
            notification_name: self.notification_name.clone(),
            notification_face_url: self.notification_face_url.clone(),
            notification_type: self.notification_type,
            text: self.text.clone(),
            url: self.url.clone(),
            mix_type: self.mix_type,
            picture_elem: media.picture_elem,
            sound_elem: media.sound_elem,
            video_elem: media.video_elem,
            file_elem: media.file_elem,
            ex: self.ex.clone(),
        }
    }
}

impl RevokedInfo {
    pub fn to_wire(&self) -> elem::MessageRevoked {
        elem::MessageRevoked {
            revoker_id: self.revoker_id.clone(),
            revoker_role: self.revoker_role,
            client_msg_id: self.client_msg_id.clone(),
            revoker_nickname: self.revoker_nickname.clone(),
            revoke_time: self.revoke_time,
            source_message_send_time: self.source_message_send_time,
            source_message_send_id: self.source_message_send_id.clone(),
            source_message_sender_nickname: self.source_message_sender_nickname.clone(),
            session_type: self.session_type,
            seq: self.seq,
            ex: self.ex.clone(),
            is_admin_revoke: self.is_admin_revoke,
        }
    }
}

fn json<T: Serialize>(v: &T) -> String {
    // Serialising these plain structs cannot fail.
    serde_json::to_string(v).expect("elem serialises")
}

/// How deep messages may nest in one another (a quote of a quote …, merged messages in merged
/// messages). Other users write them, and a message's content may carry another's as a string
/// parsed again at each level (each parse with serde_json's own depth limit): unbounded, that
/// could exhaust a thread's stack (listener threads have 512 KiB).
pub const MAX_NESTING: u32 = 16;

thread_local! {
    static NESTING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// One level of nesting on this thread while held.
struct Nesting;

impl Nesting {
    fn enter() -> Option<Self> {
        let depth = NESTING.get();
        (depth < MAX_NESTING).then(|| {
            NESTING.set(depth + 1);
            Nesting
        })
    }
}

impl Drop for Nesting {
    fn drop(&mut self) {
        NESTING.set(NESTING.get().saturating_sub(1));
    }
}

/// The deepest JSON message content may nest (a quote of a quote … takes two levels per
/// message): deeper content does not decode. serde_json stops at 128 levels, but each level of
/// a message's struct takes a large stack frame.
const MAX_JSON_DEPTH: usize = 40;

fn parse<T: DeserializeOwned>(raw: &str) -> Result<T, serde_json::Error> {
    if nests_deeper_than(raw, MAX_JSON_DEPTH) {
        return Err(serde::de::Error::custom(format!("nested deeper than {MAX_JSON_DEPTH} levels")));
    }
    serde_json::from_str(raw)
}

/// Whether the JSON text `raw` opens more than `max` objects or arrays inside one another
/// (brackets within strings do not count).
fn nests_deeper_than(raw: &str, max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in raw.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

impl MessageContent {
    /// Reads the content of a message of `content_type`. Never fails: an unknown type, or
    /// content that does not decode, becomes `Unknown` with the raw text (and an error log).
    pub fn from_wire(content_type: i32, raw: &str) -> Self {
        match Self::try_from_wire(content_type, raw) {
            Ok(Some(content)) => content,
            Ok(None) => {
                tracing::debug!(content_type, "unknown content type kept as raw content");
                Self::Unknown { raw: raw.to_owned() }
            }
            Err(e) => {
                tracing::error!(content_type, error = %e, "message content does not decode; kept as raw content");
                Self::Unknown { raw: raw.to_owned() }
            }
        }
    }

    fn try_from_wire(content_type: i32, raw: &str) -> Result<Option<Self>, serde_json::Error> {
        Ok(Some(match content_type {
            ct::TEXT => parse::<elem::TextElem>(raw)?.into(),
            ct::ADVANCED_TEXT => parse::<elem::AdvancedTextElem>(raw)?.into(),
            ct::MARKDOWN_TEXT => parse::<elem::MarkdownTextElem>(raw)?.into(),
            ct::AT_TEXT => parse::<elem::AtTextElem>(raw)?.into(),
            ct::QUOTE => parse::<elem::QuoteElem>(raw)?.into(),
            ct::CUSTOM | ct::CUSTOM_NOT_TRIGGER_CONVERSATION | ct::CUSTOM_ONLINE_ONLY => parse::<elem::CustomElem>(raw)?.into(),
            ct::LOCATION => parse::<elem::LocationElem>(raw)?.into(),
            ct::CARD => parse::<elem::CardElem>(raw)?.into(),
            ct::FACE => parse::<elem::FaceElem>(raw)?.into(),
            ct::PICTURE => Self::from_picture(parse(raw)?),
            ct::SOUND => Self::from_sound(parse(raw)?),
            ct::VIDEO => Self::from_video(parse(raw)?),
            ct::FILE => Self::from_file(parse(raw)?),
            ct::MERGER => Self::from_merge(parse(raw)?),
            ct::TYPING => parse::<elem::TypingElem>(raw)?.into(),
            ct::MSG_REVOKE => {
                let n: elem::NotificationElem = parse(raw)?;
                Self::Revoked { info: revoked_from(parse(&n.detail)?) }
            }
            t if ct::is_notification(t) => Self::from_notification(t, parse::<elem::NotificationElem>(raw)?.detail),
            _ => return Ok(None),
        }))
    }

    /// A notification's content by its type: an OA notification whose detail decodes is typed,
    /// any other keeps its detail.
    fn from_notification(content_type: i32, detail: String) -> Self {
        if content_type == ct::OA_NOTIFICATION {
            match parse::<elem::OaNotificationElem>(&detail) {
                Ok(e) => return Self::OaNotification { notification: OaNotification::from_elem(e) },
                Err(e) => tracing::warn!(error = %e, "an OA notification's detail does not decode; kept as its detail"),
            }
        }
        Self::Notification { detail }
    }

    fn from_picture(e: elem::PictureElem) -> Self {
        Self::Image {
            source_path: e.source_path,
            source: picture_from(e.source_picture),
            big: picture_from(e.big_picture),
            snapshot: picture_from(e.snapshot_picture),
        }
    }

    fn from_sound(e: elem::SoundElem) -> Self {
        Self::Sound {
            uuid: e.uuid,
            sound_path: e.sound_path,
            source_url: e.source_url,
            data_size: e.data_size,
            duration: e.duration,
            sound_type: e.sound_type,
        }
    }

    fn from_video(e: elem::VideoElem) -> Self {
        Self::Video {
            video_path: e.video_path,
            video_uuid: e.video_uuid,
            video_url: e.video_url,
            video_type: e.video_type,
            video_size: e.video_size,
            duration: e.duration,
            snapshot_path: e.snapshot_path,
            snapshot_uuid: e.snapshot_uuid,
            snapshot_size: e.snapshot_size,
            snapshot_url: e.snapshot_url,
            snapshot_width: e.snapshot_width,
            snapshot_height: e.snapshot_height,
            snapshot_type: e.snapshot_type,
        }
    }

    fn from_file(e: elem::FileElem) -> Self {
        Self::File {
            file_path: e.file_path,
            uuid: e.uuid,
            source_url: e.source_url,
            file_name: e.file_name,
            file_size: e.file_size,
            file_type: e.file_type,
        }
    }

    fn from_merge(e: elem::MergeElem) -> Self {
        Self::Merger {
            title: e.title,
            abstract_list: e.abstract_list,
            messages: e.multi_message.iter().map(Message::from_msg_struct).collect(),
            entities: entities_from(e.message_entity_list),
        }
    }

    /// The content type this content is sent as.
    pub fn content_type(&self) -> Option<i32> {
        Some(match self {
            Self::Text { .. } => ct::TEXT,
            Self::AdvancedText { .. } => ct::ADVANCED_TEXT,
            Self::Markdown { .. } => ct::MARKDOWN_TEXT,
            Self::AtText { .. } => ct::AT_TEXT,
            Self::Quote { .. } => ct::QUOTE,
            Self::Custom { .. } => ct::CUSTOM,
            Self::Location { .. } => ct::LOCATION,
            Self::Card { .. } => ct::CARD,
            Self::Face { .. } => ct::FACE,
            Self::Image { .. } => ct::PICTURE,
            Self::Sound { .. } => ct::SOUND,
            Self::Video { .. } => ct::VIDEO,
            Self::File { .. } => ct::FILE,
            Self::Merger { .. } => ct::MERGER,
            Self::Typing { .. } => ct::TYPING,
            Self::Revoked { .. } => ct::MSG_REVOKE,
            Self::OaNotification { .. } => ct::OA_NOTIFICATION,
            Self::Notification { .. } | Self::Unknown { .. } => return None,
        })
    }

    /// This content without the paths of local files (they mean nothing off this device), or
    /// `None` when it names none.
    pub fn without_local_paths(&self) -> Option<Self> {
        let mut c = self.clone();
        let cleared = match &mut c {
            Self::Image { source_path, .. } => std::mem::take(source_path),
            Self::Sound { sound_path, .. } => std::mem::take(sound_path),
            Self::Video { video_path, snapshot_path, .. } => std::mem::take(video_path) + &std::mem::take(snapshot_path),
            Self::File { file_path, .. } => std::mem::take(file_path),
            _ => String::new(),
        };
        (!cleared.is_empty()).then_some(c)
    }

    /// The elem JSON that goes into `MsgData.content` (`Unknown` keeps its raw text).
    pub fn to_wire(&self) -> String {
        let mut s = MsgStruct::default();
        self.fill_elem(&mut s);
        match self {
            Self::Text { .. } => json(&s.text_elem),
            Self::AdvancedText { .. } => json(&s.advanced_text_elem),
            Self::Markdown { .. } => json(&s.markdown_text_elem),
            Self::AtText { .. } => json(&s.at_text_elem),
            Self::Quote { .. } => json(&s.quote_elem),
            Self::Custom { .. } => json(&s.custom_elem),
            Self::Location { .. } => json(&s.location_elem),
            Self::Card { .. } => json(&s.card_elem),
            Self::Face { .. } => json(&s.face_elem),
            Self::Image { .. } => json(&s.picture_elem),
            Self::Sound { .. } => json(&s.sound_elem),
            Self::Video { .. } => json(&s.video_elem),
            Self::File { .. } => json(&s.file_elem),
            Self::Merger { .. } => json(&s.merge_elem),
            Self::Typing { .. } => json(&s.typing_elem),
            Self::Revoked { .. } | Self::OaNotification { .. } | Self::Notification { .. } => json(&s.notification_elem),
            Self::Unknown { raw } => raw.clone(),
        }
    }

    /// Sets the one elem field of `s` that carries this content.
    fn fill_elem(&self, s: &mut MsgStruct) {
        match self.clone() {
            Self::Text { text } => s.text_elem = Some(elem::TextElem { content: text }),
            Self::AdvancedText { text, entities } => {
                s.advanced_text_elem = Some(elem::AdvancedTextElem { text, message_entity_list: entities_to(&entities) })
            }
            Self::Markdown { text } => s.markdown_text_elem = Some(elem::MarkdownTextElem { content: text }),
            Self::AtText { text, at_user_ids, at_users_info, quote, is_at_self } => {
                s.at_text_elem = Some(elem::AtTextElem {
                    text,
                    at_user_list: at_user_ids,
                    at_users_info: at_users_info
                        .into_iter()
                        .map(|a| elem::AtInfo { at_user_id: a.at_user_id, group_nickname: a.group_nickname })
                        .collect(),
                    quote_message: quoted_to(&quote),
                    is_at_self,
                })
            }
            Self::Quote { text, quoted, entities } => {
                s.quote_elem =
                    Some(elem::QuoteElem { text, quote_message: quoted_to(&quoted), message_entity_list: entities_to(&entities) })
            }
            Self::Custom { data, description, extension } => s.custom_elem = Some(elem::CustomElem { data, description, extension }),
            Self::Location { description, longitude, latitude } => {
                s.location_elem = Some(elem::LocationElem { description, longitude, latitude })
            }
            Self::Card { user_id, nickname, face_url, ex } => s.card_elem = Some(elem::CardElem { user_id, nickname, face_url, ex }),
            Self::Face { index, data } => s.face_elem = Some(elem::FaceElem { index, data }),
            Self::Image { source_path, source, big, snapshot } => {
                s.picture_elem = Some(elem::PictureElem {
                    source_path,
                    source_picture: picture_to(&source),
                    big_picture: picture_to(&big),
                    snapshot_picture: picture_to(&snapshot),
                })
            }
            Self::Sound { uuid, sound_path, source_url, data_size, duration, sound_type } => {
                s.sound_elem = Some(elem::SoundElem { uuid, sound_path, source_url, data_size, duration, sound_type })
            }
            Self::Video {
                video_path,
                video_uuid,
                video_url,
                video_type,
                video_size,
                duration,
                snapshot_path,
                snapshot_uuid,
                snapshot_size,
                snapshot_url,
                snapshot_width,
                snapshot_height,
                snapshot_type,
            } => {
                s.video_elem = Some(elem::VideoElem {
                    video_path,
                    video_uuid,
                    video_url,
                    video_type,
                    video_size,
                    duration,
                    snapshot_path,
                    snapshot_uuid,
                    snapshot_size,
                    snapshot_url,
                    snapshot_width,
                    snapshot_height,
                    snapshot_type,
                })
            }
            Self::File { file_path, uuid, source_url, file_name, file_size, file_type } => {
                s.file_elem = Some(elem::FileElem { file_path, uuid, source_url, file_name, file_size, file_type })
            }
            Self::Merger { title, abstract_list, messages, entities } => {
                s.merge_elem = Some(elem::MergeElem {
                    title,
                    abstract_list,
                    multi_message: messages.iter().map(Message::to_shared_msg_struct).collect(),
                    message_entity_list: entities_to(&entities),
                })
            }
            Self::Typing { msg_tips } => s.typing_elem = Some(elem::TypingElem { msg_tips }),
            Self::Revoked { info } => s.notification_elem = Some(elem::NotificationElem { detail: json(&info.to_wire()) }),
            Self::OaNotification { notification } => {
                s.notification_elem = Some(elem::NotificationElem { detail: json(&notification.to_elem()) })
            }
            Self::Notification { detail } => s.notification_elem = Some(elem::NotificationElem { detail }),
            Self::Unknown { raw } => s.content = raw,
        }
    }

    /// The content carried by a `MsgStruct` (its elem field, or its raw `content`); a message
    /// nested deeper than [`MAX_NESTING`] in others keeps its raw content.
    fn from_msg_struct(s: &MsgStruct) -> Self {
        let Some(_level) = Nesting::enter() else {
            tracing::warn!(content_type = s.content_type, "messages nested too deep; the innermost kept as raw content");
            return Self::Unknown { raw: s.content.clone() };
        };
        let e = s.clone();
        let by_elem = match s.content_type {
            ct::TEXT => e.text_elem.map(Into::into),
            ct::ADVANCED_TEXT => e.advanced_text_elem.map(Into::into),
            ct::MARKDOWN_TEXT => e.markdown_text_elem.map(Into::into),
            ct::AT_TEXT => e.at_text_elem.map(Into::into),
            ct::QUOTE => e.quote_elem.map(Into::into),
            ct::CUSTOM | ct::CUSTOM_NOT_TRIGGER_CONVERSATION | ct::CUSTOM_ONLINE_ONLY => e.custom_elem.map(Into::into),
            ct::LOCATION => e.location_elem.map(Into::into),
            ct::CARD => e.card_elem.map(Into::into),
            ct::FACE => e.face_elem.map(Into::into),
            ct::PICTURE => e.picture_elem.map(Self::from_picture),
            ct::SOUND => e.sound_elem.map(Self::from_sound),
            ct::VIDEO => e.video_elem.map(Self::from_video),
            ct::FILE => e.file_elem.map(Self::from_file),
            ct::MERGER => e.merge_elem.map(Self::from_merge),
            ct::TYPING => e.typing_elem.map(Into::into),
            t if ct::is_notification(t) => e.notification_elem.map(|n| {
                if t == ct::MSG_REVOKE
                    && let Ok(r) = serde_json::from_str::<elem::MessageRevoked>(&n.detail)
                {
                    return Self::Revoked { info: revoked_from(r) };
                }
                Self::from_notification(t, n.detail)
            }),
            _ => None,
        };
        by_elem.unwrap_or_else(|| Self::from_wire(s.content_type, &s.content))
    }
}

impl From<elem::TextElem> for MessageContent {
    fn from(e: elem::TextElem) -> Self {
        Self::Text { text: e.content }
    }
}

impl From<elem::AdvancedTextElem> for MessageContent {
    fn from(e: elem::AdvancedTextElem) -> Self {
        Self::AdvancedText { text: e.text, entities: entities_from(e.message_entity_list) }
    }
}

impl From<elem::MarkdownTextElem> for MessageContent {
    fn from(e: elem::MarkdownTextElem) -> Self {
        Self::Markdown { text: e.content }
    }
}

impl From<elem::AtTextElem> for MessageContent {
    fn from(e: elem::AtTextElem) -> Self {
        Self::AtText {
            text: e.text,
            at_user_ids: e.at_user_list,
            at_users_info: e
                .at_users_info
                .into_iter()
                .map(|a| AtInfo { at_user_id: a.at_user_id, group_nickname: a.group_nickname })
                .collect(),
            quote: quoted_from(e.quote_message),
            is_at_self: e.is_at_self,
        }
    }
}

impl From<elem::QuoteElem> for MessageContent {
    fn from(e: elem::QuoteElem) -> Self {
        Self::Quote { text: e.text, quoted: quoted_from(e.quote_message), entities: entities_from(e.message_entity_list) }
    }
}

impl From<elem::CustomElem> for MessageContent {
    fn from(e: elem::CustomElem) -> Self {
        Self::Custom { data: e.data, description: e.description, extension: e.extension }
    }
}

impl From<elem::LocationElem> for MessageContent {
    fn from(e: elem::LocationElem) -> Self {
        Self::Location { description: e.description, longitude: e.longitude, latitude: e.latitude }
    }
}

impl From<elem::CardElem> for MessageContent {
    fn from(e: elem::CardElem) -> Self {
        Self::Card { user_id: e.user_id, nickname: e.nickname, face_url: e.face_url, ex: e.ex }
    }
}

impl From<elem::FaceElem> for MessageContent {
    fn from(e: elem::FaceElem) -> Self {
        Self::Face { index: e.index, data: e.data }
    }
}

impl From<elem::TypingElem> for MessageContent {
    fn from(e: elem::TypingElem) -> Self {
        Self::Typing { msg_tips: e.msg_tips }
    }
}

/// The conversation of a message, derived from its session type and parties.
pub fn conversation_of(session_type: i32, send_id: &str, recv_id: &str, group_id: &str) -> String {
    openim_wire::conversation_id::for_message(session_type, send_id, recv_id, group_id).unwrap_or_default()
}

impl Message {
    /// From the `MsgStruct` JSON other OpenIM clients embed (quotes, merges).
    pub fn from_msg_struct(s: &MsgStruct) -> Self {
        Message {
            client_msg_id: s.client_msg_id.clone(),
            conversation_id: conversation_of(s.session_type, &s.send_id, &s.recv_id, &s.group_id),
            server_msg_id: s.server_msg_id.clone(),
            create_time: s.create_time,
            send_time: s.send_time,
            session_type: s.session_type,
            send_id: s.send_id.clone(),
            recv_id: s.recv_id.clone(),
            group_id: s.group_id.clone(),
            msg_from: s.msg_from,
            content_type: s.content_type,
            sender_platform_id: s.sender_platform_id,
            sender_nickname: s.sender_nickname.clone(),
            sender_face_url: s.sender_face_url.clone(),
            seq: s.seq,
            is_read: s.is_read,
            status: MessageStatus::from_code(s.status),
            attached_info: s.attached_info.clone(),
            ex: s.ex.clone(),
            local_ex: s.local_ex.clone(),
            content: MessageContent::from_msg_struct(s),
        }
    }

    /// [`Self::to_msg_struct`] for a message embedded in another (quoted, merged): what is this
    /// device's own (`local_ex`, local file paths) stays here.
    pub fn to_shared_msg_struct(&self) -> MsgStruct {
        let mut s = MsgStruct { local_ex: String::new(), ..self.to_msg_struct() };
        if let Some(content) = self.content.without_local_paths() {
            content.fill_elem(&mut s);
        }
        s
    }

    /// To `MsgStruct` JSON shape, as the Go SDK renders a message.
    pub fn to_msg_struct(&self) -> MsgStruct {
        let mut s = MsgStruct {
            client_msg_id: self.client_msg_id.clone(),
            server_msg_id: self.server_msg_id.clone(),
            create_time: self.create_time,
            send_time: self.send_time,
            session_type: self.session_type,
            send_id: self.send_id.clone(),
            recv_id: self.recv_id.clone(),
            msg_from: self.msg_from,
            content_type: self.content_type,
            sender_platform_id: self.sender_platform_id,
            sender_nickname: self.sender_nickname.clone(),
            sender_face_url: self.sender_face_url.clone(),
            group_id: self.group_id.clone(),
            seq: self.seq,
            is_read: self.is_read,
            status: self.status.code(),
            attached_info: self.attached_info.clone(),
            ex: self.ex.clone(),
            local_ex: self.local_ex.clone(),
            ..Default::default()
        };
        self.content.fill_elem(&mut s);
        s
    }

    /// From a message as the server sends it.
    pub fn from_msg_data(m: &MsgData) -> Self {
        let raw = String::from_utf8_lossy(&m.content);
        Message {
            client_msg_id: m.client_msg_id.clone(),
            conversation_id: conversation_of(m.session_type, &m.send_id, &m.recv_id, &m.group_id),
            server_msg_id: m.server_msg_id.clone(),
            create_time: m.create_time,
            send_time: m.send_time,
            session_type: m.session_type,
            send_id: m.send_id.clone(),
            recv_id: m.recv_id.clone(),
            group_id: m.group_id.clone(),
            msg_from: m.msg_from,
            content_type: m.content_type,
            sender_platform_id: m.sender_platform_id,
            sender_nickname: m.sender_nickname.clone(),
            sender_face_url: m.sender_face_url.clone(),
            seq: m.seq,
            is_read: m.is_read,
            status: MessageStatus::from_code(m.status),
            attached_info: m.attached_info.clone(),
            ex: m.ex.clone(),
            local_ex: String::new(),
            content: MessageContent::from_wire(m.content_type, &raw),
        }
    }

    /// The protobuf to send (request 1003); `sendTime` is left to the server.
    pub fn to_msg_data(&self) -> MsgData {
        MsgData {
            send_id: self.send_id.clone(),
            recv_id: self.recv_id.clone(),
            group_id: self.group_id.clone(),
            client_msg_id: self.client_msg_id.clone(),
            server_msg_id: String::new(),
            sender_platform_id: self.sender_platform_id,
            sender_nickname: self.sender_nickname.clone(),
            sender_face_url: self.sender_face_url.clone(),
            session_type: self.session_type,
            msg_from: self.msg_from,
            content_type: self.content_type,
            // Paths of local files stay on this device.
            content: self.content.without_local_paths().as_ref().unwrap_or(&self.content).to_wire().into_bytes(),
            seq: 0,
            send_time: 0,
            create_time: self.create_time,
            status: self.status.code(),
            is_read: false,
            at_user_id_list: match &self.content {
                MessageContent::AtText { at_user_ids, .. } => at_user_ids.clone(),
                _ => Vec::new(),
            },
            attached_info: self.attached_info.clone(),
            ex: self.ex.clone(),
            ..Default::default()
        }
    }

    /// A short text for conversation lists and search.
    pub fn summary(&self) -> String {
        match &self.content {
            MessageContent::Text { text }
            | MessageContent::AdvancedText { text, .. }
            | MessageContent::Markdown { text }
            | MessageContent::AtText { text, .. }
            | MessageContent::Quote { text, .. } => text.clone(),
            MessageContent::Custom { description, .. } => description.clone(),
            MessageContent::Location { description, .. } => description.clone(),
            MessageContent::Card { nickname, .. } => nickname.clone(),
            MessageContent::File { file_name, .. } => file_name.clone(),
            MessageContent::Merger { title, .. } => title.clone(),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    /// How many quotes deep `c` goes.
    fn quote_depth(c: &MessageContent) -> u32 {
        match c {
            MessageContent::Quote { quoted: Some(m), .. } => 1 + quote_depth(&m.content),
            _ => 0,
        }
    }

    /// Quotes nested as structs (19 deep, within one parse) and as strings (each level's quote
    /// in its message's raw content, parsed again) stop at [`MAX_NESTING`]; content nested
    /// deeper than [`MAX_JSON_DEPTH`] in one parse is kept raw. On stacks as small as a tokio
    /// worker's (parsing, even in a debug build) and a listener thread's (cloning, dropping).
    #[test]
    fn json_nesting_is_counted_outside_strings() {
        assert!(!nests_deeper_than(r#"{"a":[{"b":"[[[[{{{{"}]}"#, 3));
        assert!(nests_deeper_than(r#"{"a":[{"b":[1]}]}"#, 3));
        assert!(!nests_deeper_than(r#"{"a":"\"[[[[","b":{}}"#, 2));
        assert!(nests_deeper_than(r#"{"a":"\\","b":[[1]]}"#, 2), "an escaped backslash does not escape the quote after it");
        assert!(!nests_deeper_than(r#"{}{}{}{}"#, 1));
        assert!(!nests_deeper_than("not json ]]]]", 0));
    }

    #[test]
    fn deeply_nested_quotes_stop_at_the_nesting_limit() {
        use openim_wire::elem::{MsgStruct, QuoteElem};
        let mut by_struct = QuoteElem { text: "bottom".into(), ..Default::default() };
        for i in 0..19 {
            let inner = MsgStruct { content_type: ct::QUOTE, quote_elem: Some(by_struct), ..Default::default() };
            by_struct = QuoteElem { text: format!("level {i}"), quote_message: Some(Box::new(inner)), ..Default::default() };
        }
        let mut by_string = QuoteElem { text: "bottom".into(), ..Default::default() };
        for i in 0..18 {
            let inner = MsgStruct { content_type: ct::QUOTE, content: serde_json::to_string(&by_string).unwrap(), ..Default::default() };
            by_string = QuoteElem { text: format!("level {i}"), quote_message: Some(Box::new(inner)), ..Default::default() };
        }
        let mut too_deep = by_struct.clone();
        for _ in 0..40 {
            let inner = MsgStruct { content_type: ct::QUOTE, quote_elem: Some(too_deep), ..Default::default() };
            too_deep = QuoteElem { quote_message: Some(Box::new(inner)), ..Default::default() };
        }
        let too_deep = serde_json::to_string(&too_deep).unwrap();
        let raws = [serde_json::to_string(&by_struct).unwrap(), serde_json::to_string(&by_string).unwrap(), too_deep.clone()];
        // Parsed on a stack as large as a tokio worker's (where pushes are read), then cloned
        // and dropped on one as small as a listener thread's (which lowers events to the app).
        let contents = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || raws.iter().map(|raw| MessageContent::from_wire(ct::QUOTE, raw)).collect::<Vec<_>>())
            .unwrap()
            .join()
            .unwrap();
        let depths = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn({
                let contents = contents.clone();
                move || contents.clone().iter().map(quote_depth).collect::<Vec<_>>()
            })
            .unwrap()
            .join()
            .unwrap();
        // The top quote and MAX_NESTING quoted messages under it; the deepest not read at all.
        assert_eq!(depths, vec![MAX_NESTING + 1, MAX_NESTING + 1, 0]);
        assert_eq!(contents[2], MessageContent::Unknown { raw: too_deep });
        // The nesting count is back to 0: the next message nests as deep again.
        let raw = serde_json::to_string(&QuoteElem { text: "x".into(), ..Default::default() }).unwrap();
        assert_eq!(quote_depth(&MessageContent::from_wire(ct::QUOTE, &raw)), 0);
        assert_eq!(NESTING.get(), 0);
    }

    use super::*;

    fn message(content: MessageContent) -> Message {
        Message {
            client_msg_id: "c1".into(),
            conversation_id: "si_a_b".into(),
            server_msg_id: String::new(),
            create_time: 1,
            send_time: 2,
            session_type: 1,
            send_id: "a".into(),
            recv_id: "b".into(),
            group_id: String::new(),
            msg_from: 100,
            content_type: content.content_type().unwrap_or(0),
            sender_platform_id: 2,
            sender_nickname: "A".into(),
            sender_face_url: String::new(),
            seq: 7,
            is_read: false,
            status: MessageStatus::SendSuccess,
            attached_info: String::new(),
            ex: String::new(),
            local_ex: String::new(),
            content,
        }
    }

    #[test]
    fn wire_json_is_openims() {
        assert_eq!(MessageContent::Text { text: "hi".into() }.to_wire(), r#"{"content":"hi"}"#);
        let custom = MessageContent::Custom { data: "d".into(), description: String::new(), extension: String::new() };
        assert_eq!(custom.to_wire(), r#"{"data":"d"}"#);
        let quote = MessageContent::Quote {
            text: "re".into(),
            quoted: Some(Box::new(message(MessageContent::Text { text: "orig".into() }))),
            entities: vec![],
        };
        let v: serde_json::Value = serde_json::from_str(&quote.to_wire()).unwrap();
        assert_eq!(v["quoteMessage"]["textElem"]["content"], "orig");
        assert_eq!(v["quoteMessage"]["seq"], 7);
    }

    #[test]
    fn round_trips_every_kind() {
        let samples = vec![
            MessageContent::Text { text: "hi".into() },
            MessageContent::AdvancedText {
                text: "x".into(),
                entities: vec![MessageEntity { kind: "bold".into(), offset: 0, length: 1, url: String::new(), ex: String::new() }],
            },
            MessageContent::AtText {
                text: "@b hi".into(),
                at_user_ids: vec!["b".into()],
                at_users_info: vec![AtInfo { at_user_id: "b".into(), group_nickname: "B".into() }],
                quote: None,
                is_at_self: false,
            },
            MessageContent::Location { description: "here".into(), longitude: 1.25, latitude: 2.5 },
            MessageContent::Card { user_id: "u".into(), nickname: "n".into(), face_url: "f".into(), ex: "e".into() },
            MessageContent::Face { index: 3, data: "d".into() },
            MessageContent::Merger {
                title: "t".into(),
                abstract_list: vec!["a: hi".into()],
                messages: vec![message(MessageContent::Text { text: "hi".into() })],
                entities: vec![],
            },
        ];
        for content in samples {
            let t = content.content_type().unwrap();
            assert_eq!(MessageContent::from_wire(t, &content.to_wire()), content);
            let m = message(content.clone());
            assert_eq!(Message::from_msg_struct(&m.to_msg_struct()), m);
        }
    }

    /// An OA notification as OpenIM's `/msg/send_msg` stores it: the request's `content` map,
    /// marshalled by Go (keys sorted, `&` escaped), as the detail of a `NotificationElem`.
    #[test]
    fn oa_notifications_are_typed() {
        let raw = r#"{"detail":"{\"ex\":\"e\",\"mixType\":1,\"notificationFaceURL\":\"http://f\",\"notificationName\":\"Ops\",\"notificationType\":7,\"pictureElem\":{\"sourcePicture\":{\"url\":\"http://p?a=1\u0026b=2\",\"width\":3}},\"text\":\"Maintenance tonight\",\"url\":\"http://u\"}"}"#;
        let MessageContent::OaNotification { notification } = MessageContent::from_wire(1400, raw) else { panic!("not typed") };
        assert_eq!(notification.notification_name, "Ops");
        assert_eq!(notification.notification_face_url, "http://f");
        assert_eq!((notification.notification_type, notification.mix_type), (7, 1));
        assert_eq!((notification.text.as_str(), notification.url.as_str(), notification.ex.as_str()), ("Maintenance tonight", "http://u", "e"));
        let Some(MessageContent::Image { source: Some(source), .. }) = notification.media.as_deref() else { panic!("no picture") };
        assert_eq!((source.url.as_str(), source.width), ("http://p?a=1&b=2", 3));
        // Stored and read back (the store keeps `to_wire`), and inside a forwarded message.
        let content = MessageContent::OaNotification { notification };
        assert_eq!(MessageContent::from_wire(1400, &content.to_wire()), content);
        let m = message(content);
        assert_eq!(Message::from_msg_struct(&m.to_msg_struct()), m);
        // A detail that is not an OA notification stays a notification with its detail.
        assert_eq!(MessageContent::from_wire(1400, r#"{"detail":"[1]"}"#), MessageContent::Notification { detail: "[1]".into() });
    }

    #[test]
    fn unknown_and_malformed_content_is_kept_raw() {
        assert_eq!(MessageContent::from_wire(999, r#"{"x":1}"#), MessageContent::Unknown { raw: r#"{"x":1}"#.into() });
        assert_eq!(MessageContent::from_wire(101, "not json"), MessageContent::Unknown { raw: "not json".into() });
        assert_eq!(MessageContent::Unknown { raw: "abc".into() }.to_wire(), "abc");
    }
}
