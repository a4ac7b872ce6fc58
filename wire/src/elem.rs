//! Message content as OpenIM clients put it on the wire: `MsgData.content` holds the JSON of one
//! elem (`{"content":"hi"}` for text), and the SDK-level `MsgStruct` JSON (what quote and merger
//! messages embed, and what the Go SDK stores as a conversation's latest message).
//!
//! Keys and `omitempty` rules follow openim-sdk-core `sdk_struct`: a field Go omits when empty is
//! skipped when empty here, so other OpenIM clients read our JSON and we read theirs.

use serde::{Deserialize, Serialize};

/// `MessageEntity`: a styled range of an advanced text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageEntity {
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    pub kind: String,
    pub offset: i32,
    pub length: i32,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ex: String,
}

/// 101 `TextElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextElem {
    pub content: String,
}

/// 117 `AdvancedTextElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdvancedTextElem {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(rename = "messageEntityList", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::json::nullable")]
    pub message_entity_list: Vec<MessageEntity>,
}

/// 118 `MarkdownTextElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkdownTextElem {
    pub content: String,
}

/// One mentioned user of an @ message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AtInfo {
    #[serde(rename = "atUserID", skip_serializing_if = "String::is_empty")]
    pub at_user_id: String,
    #[serde(rename = "groupNickname", skip_serializing_if = "String::is_empty")]
    pub group_nickname: String,
}

/// 106 `AtTextElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AtTextElem {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(rename = "atUserList", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::json::nullable")]
    pub at_user_list: Vec<String>,
    #[serde(rename = "atUsersInfo", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::json::nullable")]
    pub at_users_info: Vec<AtInfo>,
    #[serde(rename = "quoteMessage", skip_serializing_if = "Option::is_none")]
    pub quote_message: Option<Box<MsgStruct>>,
    #[serde(rename = "isAtSelf")]
    pub is_at_self: bool,
}

/// 114 `QuoteElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuoteElem {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(rename = "quoteMessage", skip_serializing_if = "Option::is_none")]
    pub quote_message: Option<Box<MsgStruct>>,
    #[serde(rename = "messageEntityList", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::json::nullable")]
    pub message_entity_list: Vec<MessageEntity>,
}

/// 110 `CustomElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomElem {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub data: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub extension: String,
}

/// 109 `LocationElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocationElem {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub longitude: f64,
    pub latitude: f64,
}

/// 108 `CardElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CardElem {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nickname: String,
    #[serde(rename = "faceURL")]
    pub face_url: String,
    pub ex: String,
}

/// 115 `FaceElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaceElem {
    pub index: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub data: String,
}

/// `PictureBaseInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PictureBaseInfo {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    pub kind: String,
    pub size: i64,
    pub width: i32,
    pub height: i32,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
}

/// 102 `PictureElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PictureElem {
    #[serde(rename = "sourcePath", skip_serializing_if = "String::is_empty")]
    pub source_path: String,
    #[serde(rename = "sourcePicture", skip_serializing_if = "Option::is_none")]
    pub source_picture: Option<PictureBaseInfo>,
    #[serde(rename = "bigPicture", skip_serializing_if = "Option::is_none")]
    pub big_picture: Option<PictureBaseInfo>,
    #[serde(rename = "snapshotPicture", skip_serializing_if = "Option::is_none")]
    pub snapshot_picture: Option<PictureBaseInfo>,
}

/// 103 `SoundElem` (also `SoundBaseInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SoundElem {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    #[serde(rename = "soundPath", skip_serializing_if = "String::is_empty")]
    pub sound_path: String,
    #[serde(rename = "sourceUrl", skip_serializing_if = "String::is_empty")]
    pub source_url: String,
    #[serde(rename = "dataSize")]
    pub data_size: i64,
    pub duration: i64,
    #[serde(rename = "soundType", skip_serializing_if = "String::is_empty")]
    pub sound_type: String,
}

/// 104 `VideoElem` (also `VideoBaseInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VideoElem {
    #[serde(rename = "videoPath", skip_serializing_if = "String::is_empty")]
    pub video_path: String,
    #[serde(rename = "videoUUID", skip_serializing_if = "String::is_empty")]
    pub video_uuid: String,
    #[serde(rename = "videoUrl", skip_serializing_if = "String::is_empty")]
    pub video_url: String,
    #[serde(rename = "videoType", skip_serializing_if = "String::is_empty")]
    pub video_type: String,
    #[serde(rename = "videoSize")]
    pub video_size: i64,
    pub duration: i64,
    #[serde(rename = "snapshotPath", skip_serializing_if = "String::is_empty")]
    pub snapshot_path: String,
    #[serde(rename = "snapshotUUID", skip_serializing_if = "String::is_empty")]
    pub snapshot_uuid: String,
    #[serde(rename = "snapshotSize")]
    pub snapshot_size: i64,
    #[serde(rename = "snapshotUrl", skip_serializing_if = "String::is_empty")]
    pub snapshot_url: String,
    #[serde(rename = "snapshotWidth")]
    pub snapshot_width: i32,
    #[serde(rename = "snapshotHeight")]
    pub snapshot_height: i32,
    #[serde(rename = "snapshotType", skip_serializing_if = "String::is_empty")]
    pub snapshot_type: String,
}

/// 105 `FileElem` (also `FileBaseInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileElem {
    #[serde(rename = "filePath", skip_serializing_if = "String::is_empty")]
    pub file_path: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    #[serde(rename = "sourceUrl", skip_serializing_if = "String::is_empty")]
    pub source_url: String,
    #[serde(rename = "fileName", skip_serializing_if = "String::is_empty")]
    pub file_name: String,
    #[serde(rename = "fileSize")]
    pub file_size: i64,
    #[serde(rename = "fileType", skip_serializing_if = "String::is_empty")]
    pub file_type: String,
}

/// 107 `MergeElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MergeElem {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(rename = "abstractList", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::json::nullable")]
    pub abstract_list: Vec<String>,
    #[serde(rename = "multiMessage", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::json::nullable")]
    pub multi_message: Vec<MsgStruct>,
    #[serde(rename = "messageEntityList", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::json::nullable")]
    pub message_entity_list: Vec<MessageEntity>,
}

/// 113 `TypingElem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TypingElem {
    #[serde(rename = "msgTips", skip_serializing_if = "String::is_empty")]
    pub msg_tips: String,
}

/// `NotificationElem`: the content of every notification (contentType ≥ 1000); `detail` holds
/// the JSON of a tips message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationElem {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// The `detail` of an OA notification (1400): OpenIM's API takes it as the message's `content`
/// and keeps it as it came (`OANotificationElem`). `mixType` says which media it carries:
/// 0 none, 1 picture, 2 video, 3 file (OpenIM allows 0–5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OaNotificationElem {
    #[serde(rename = "notificationName")]
    pub notification_name: String,
    #[serde(rename = "notificationFaceURL")]
    pub notification_face_url: String,
    #[serde(rename = "notificationType")]
    pub notification_type: i32,
    pub text: String,
    pub url: String,
    #[serde(rename = "mixType")]
    pub mix_type: i32,
    #[serde(rename = "pictureElem", skip_serializing_if = "Option::is_none")]
    pub picture_elem: Option<PictureElem>,
    #[serde(rename = "soundElem", skip_serializing_if = "Option::is_none")]
    pub sound_elem: Option<SoundElem>,
    #[serde(rename = "videoElem", skip_serializing_if = "Option::is_none")]
    pub video_elem: Option<VideoElem>,
    #[serde(rename = "fileElem", skip_serializing_if = "Option::is_none")]
    pub file_elem: Option<FileElem>,
    pub ex: String,
}

/// `OfflinePushInfo` in JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfflinePushInfo {
    pub title: String,
    pub desc: String,
    pub ex: String,
    #[serde(rename = "iOSPushSound")]
    pub ios_push_sound: String,
    #[serde(rename = "iOSBadgeCount")]
    pub ios_badge_count: bool,
    #[serde(rename = "signalInfo")]
    pub signal_info: String,
}

/// `GroupHasReadInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupHasReadInfo {
    #[serde(rename = "hasReadUserIDList", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::json::nullable")]
    pub has_read_user_id_list: Vec<String>,
    #[serde(rename = "hasReadCount")]
    pub has_read_count: i32,
    #[serde(rename = "groupMemberCount")]
    pub group_member_count: i32,
}

/// `AttachedInfoElem` (`MsgData.attachedInfo` holds its JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachedInfoElem {
    #[serde(rename = "groupHasReadInfo")]
    pub group_has_read_info: GroupHasReadInfo,
    #[serde(rename = "isPrivateChat")]
    pub is_private_chat: bool,
    #[serde(rename = "burnDuration")]
    pub burn_duration: i32,
    #[serde(rename = "hasReadTime")]
    pub has_read_time: i64,
    #[serde(rename = "messageEntityList", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::json::nullable")]
    pub message_entity_list: Vec<MessageEntity>,
    #[serde(rename = "isEncryption")]
    pub is_encryption: bool,
    #[serde(rename = "inEncryptStatus")]
    pub in_encrypt_status: bool,
}

/// The SDK-level message (`sdk_struct.MsgStruct`) in JSON: protocol fields plus exactly one elem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MsgStruct {
    #[serde(rename = "clientMsgID", skip_serializing_if = "String::is_empty")]
    pub client_msg_id: String,
    #[serde(rename = "serverMsgID", skip_serializing_if = "String::is_empty")]
    pub server_msg_id: String,
    #[serde(rename = "createTime")]
    pub create_time: i64,
    #[serde(rename = "sendTime")]
    pub send_time: i64,
    #[serde(rename = "sessionType")]
    pub session_type: i32,
    #[serde(rename = "sendID", skip_serializing_if = "String::is_empty")]
    pub send_id: String,
    #[serde(rename = "recvID", skip_serializing_if = "String::is_empty")]
    pub recv_id: String,
    #[serde(rename = "msgFrom")]
    pub msg_from: i32,
    #[serde(rename = "contentType")]
    pub content_type: i32,
    #[serde(rename = "senderPlatformID")]
    pub sender_platform_id: i32,
    #[serde(rename = "senderNickname", skip_serializing_if = "String::is_empty")]
    pub sender_nickname: String,
    #[serde(rename = "senderFaceUrl", skip_serializing_if = "String::is_empty")]
    pub sender_face_url: String,
    #[serde(rename = "groupID", skip_serializing_if = "String::is_empty")]
    pub group_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub content: String,
    pub seq: i64,
    #[serde(rename = "isRead")]
    pub is_read: bool,
    pub status: i32,
    #[serde(rename = "offlinePush", skip_serializing_if = "Option::is_none")]
    pub offline_push: Option<OfflinePushInfo>,
    #[serde(rename = "attachedInfo", skip_serializing_if = "String::is_empty")]
    pub attached_info: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ex: String,
    #[serde(rename = "localEx", skip_serializing_if = "String::is_empty")]
    pub local_ex: String,
    #[serde(rename = "textElem", skip_serializing_if = "Option::is_none")]
    pub text_elem: Option<TextElem>,
    #[serde(rename = "cardElem", skip_serializing_if = "Option::is_none")]
    pub card_elem: Option<CardElem>,
    #[serde(rename = "pictureElem", skip_serializing_if = "Option::is_none")]
    pub picture_elem: Option<PictureElem>,
    #[serde(rename = "soundElem", skip_serializing_if = "Option::is_none")]
    pub sound_elem: Option<SoundElem>,
    #[serde(rename = "videoElem", skip_serializing_if = "Option::is_none")]
    pub video_elem: Option<VideoElem>,
    #[serde(rename = "fileElem", skip_serializing_if = "Option::is_none")]
    pub file_elem: Option<FileElem>,
    #[serde(rename = "mergeElem", skip_serializing_if = "Option::is_none")]
    pub merge_elem: Option<MergeElem>,
    #[serde(rename = "atTextElem", skip_serializing_if = "Option::is_none")]
    pub at_text_elem: Option<AtTextElem>,
    #[serde(rename = "faceElem", skip_serializing_if = "Option::is_none")]
    pub face_elem: Option<FaceElem>,
    #[serde(rename = "locationElem", skip_serializing_if = "Option::is_none")]
    pub location_elem: Option<LocationElem>,
    #[serde(rename = "customElem", skip_serializing_if = "Option::is_none")]
    pub custom_elem: Option<CustomElem>,
    #[serde(rename = "quoteElem", skip_serializing_if = "Option::is_none")]
    pub quote_elem: Option<QuoteElem>,
    #[serde(rename = "notificationElem", skip_serializing_if = "Option::is_none")]
    pub notification_elem: Option<NotificationElem>,
    #[serde(rename = "advancedTextElem", skip_serializing_if = "Option::is_none")]
    pub advanced_text_elem: Option<AdvancedTextElem>,
    #[serde(rename = "typingElem", skip_serializing_if = "Option::is_none")]
    pub typing_elem: Option<TypingElem>,
    #[serde(rename = "attachedInfoElem", skip_serializing_if = "Option::is_none")]
    pub attached_info_elem: Option<AttachedInfoElem>,
    #[serde(rename = "markdownTextElem", skip_serializing_if = "Option::is_none")]
    pub markdown_text_elem: Option<MarkdownTextElem>,
}

// ---- notification tips (the `detail` of a NotificationElem; protobuf JSON, no omitempty) ----

/// 2200 `MarkAsReadTips`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkAsReadTips {
    #[serde(rename = "markAsReadUserID")]
    pub mark_as_read_user_id: String,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub seqs: Vec<i64>,
    #[serde(rename = "hasReadSeq")]
    pub has_read_seq: i64,
}

/// 2101 `RevokeMsgTips` (the `sesstionType` spelling is OpenIM's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RevokeMsgTips {
    #[serde(rename = "revokerUserID")]
    pub revoker_user_id: String,
    #[serde(rename = "clientMsgID")]
    pub client_msg_id: String,
    #[serde(rename = "revokeTime")]
    pub revoke_time: i64,
    #[serde(rename = "sesstionType")]
    pub session_type: i32,
    pub seq: i64,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "isAdminRevoke")]
    pub is_admin_revoke: bool,
}

/// The `detail` of a revoked message's content (`MessageRevoked` / `MessageRevokedContent`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageRevoked {
    #[serde(rename = "revokerID")]
    pub revoker_id: String,
    #[serde(rename = "revokerRole")]
    pub revoker_role: i32,
    #[serde(rename = "clientMsgID")]
    pub client_msg_id: String,
    #[serde(rename = "revokerNickname")]
    pub revoker_nickname: String,
    #[serde(rename = "revokeTime")]
    pub revoke_time: i64,
    #[serde(rename = "sourceMessageSendTime")]
    pub source_message_send_time: i64,
    #[serde(rename = "sourceMessageSendID")]
    pub source_message_send_id: String,
    #[serde(rename = "sourceMessageSenderNickname")]
    pub source_message_sender_nickname: String,
    #[serde(rename = "sessionType")]
    pub session_type: i32,
    pub seq: i64,
    pub ex: String,
    #[serde(rename = "isAdminRevoke")]
    pub is_admin_revoke: bool,
}

/// 2001: the `detail` of a custom business notification (`/msg/send_business_notification`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BusinessTips {
    pub key: String,
    pub data: String,
}

/// 2102 `DeleteMsgsTips`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteMsgsTips {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(deserialize_with = "crate::json::nullable")]
    pub seqs: Vec<i64>,
}

/// 1703 `ClearConversationTips`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClearConversationTips {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "conversationIDs", deserialize_with = "crate::json::nullable")]
    pub conversation_ids: Vec<String>,
}

/// 1300 `ConversationUpdateTips`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationUpdateTips {
    #[serde(rename = "userID")]
    pub user_id: String,
    #[serde(rename = "conversationIDList", deserialize_with = "crate::json::nullable")]
    pub conversation_id_list: Vec<String>,
}

/// 1701 `ConversationSetPrivateTips`: a single chat's private (burn-after-reading) mode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationSetPrivateTips {
    #[serde(rename = "recvID")]
    pub recv_id: String,
    #[serde(rename = "sendID")]
    pub send_id: String,
    #[serde(rename = "isPrivate")]
    pub is_private: bool,
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
}

/// 1303 `UserInfoUpdatedTips`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserInfoUpdatedTips {
    #[serde(rename = "userID")]
    pub user_id: String,
}

/// `FromToUserID` of the friend tips.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FromToUserID {
    #[serde(rename = "fromUserID")]
    pub from_user_id: String,
    #[serde(rename = "toUserID")]
    pub to_user_id: String,
}

/// 1203 `FriendApplicationTips`, 1202 `FriendApplicationRejectedTips` and 1201
/// `FriendApplicationApprovedTips` (the last two add `handleMsg`, the last the friend version).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendApplicationTips {
    #[serde(rename = "fromToUserID")]
    pub from_to_user_id: FromToUserID,
    #[serde(rename = "handleMsg", skip_serializing_if = "String::is_empty")]
    pub handle_msg: String,
    pub request: Option<crate::api::friend::FriendRequest>,
}

/// 1205 `FriendDeletedTips`, 1206 `FriendInfoChangedTips`, 1207 `BlackAddedTips`, 1208
/// `BlackDeletedTips`: who did it (`fromUserID`) to whom.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FromToTips {
    #[serde(rename = "fromToUserID")]
    pub from_to_user_id: FromToUserID,
}

/// 1210 `FriendsInfoUpdateTips`: the owner (`toUserID`) changed these friends' settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendsInfoUpdateTips {
    #[serde(rename = "fromToUserID")]
    pub from_to_user_id: FromToUserID,
    #[serde(rename = "friendIDs", deserialize_with = "crate::json::nullable")]
    pub friend_ids: Vec<String>,
}

/// The tips of the group notifications 1501–1520, one struct for all: each notification sets
/// the fields its proto message has (`GroupCreatedTips`, `MemberQuitTips`, …); empty ones are
/// left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupTips {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<crate::api::group::GroupInfo>,
    #[serde(rename = "opUser", skip_serializing_if = "Option::is_none")]
    pub op_user: Option<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "memberList", deserialize_with = "crate::json::nullable", skip_serializing_if = "Vec::is_empty")]
    pub member_list: Vec<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "groupOwnerUser", skip_serializing_if = "Option::is_none")]
    pub group_owner_user: Option<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "invitedUserList", deserialize_with = "crate::json::nullable", skip_serializing_if = "Vec::is_empty")]
    pub invited_user_list: Vec<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "kickedUserList", deserialize_with = "crate::json::nullable", skip_serializing_if = "Vec::is_empty")]
    pub kicked_user_list: Vec<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "quitUser", skip_serializing_if = "Option::is_none")]
    pub quit_user: Option<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "entrantUser", skip_serializing_if = "Option::is_none")]
    pub entrant_user: Option<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "mutedUser", skip_serializing_if = "Option::is_none")]
    pub muted_user: Option<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "changedUser", skip_serializing_if = "Option::is_none")]
    pub changed_user: Option<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "newGroupOwner", skip_serializing_if = "Option::is_none")]
    pub new_group_owner: Option<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "oldGroupOwnerInfo", skip_serializing_if = "Option::is_none")]
    pub old_group_owner_info: Option<crate::api::group::GroupMemberFullInfo>,
    #[serde(rename = "inviterUser", skip_serializing_if = "Option::is_none")]
    pub inviter_user: Option<crate::api::group::GroupMemberFullInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant: Option<crate::api::user::PublicUserInfo>,
    #[serde(rename = "reqMsg", skip_serializing_if = "String::is_empty")]
    pub req_msg: String,
    #[serde(rename = "handleMsg", skip_serializing_if = "String::is_empty")]
    pub handle_msg: String,
    #[serde(rename = "receiverAs", skip_serializing_if = "is_zero")]
    pub receiver_as: i32,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<crate::api::group::GroupRequest>,
    #[serde(rename = "operationTime", skip_serializing_if = "is_zero_i64")]
    pub operation_time: i64,
    #[serde(rename = "mutedSeconds", skip_serializing_if = "is_zero_u32")]
    pub muted_seconds: u32,
    #[serde(rename = "groupMemberVersion", skip_serializing_if = "is_zero_u64")]
    pub group_member_version: u64,
    #[serde(rename = "groupMemberVersionID", skip_serializing_if = "String::is_empty")]
    pub group_member_version_id: String,
    #[serde(rename = "groupSortVersion", skip_serializing_if = "is_zero_u64")]
    pub group_sort_version: u64,
}

impl GroupTips {
    /// The group the notification is about.
    pub fn group_id(&self) -> &str {
        self.group.as_ref().map(|g| g.group_id.as_str()).unwrap_or("")
    }
}

fn is_zero(v: &i32) -> bool {
    *v == 0
}

fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

fn is_zero_u32(v: &u32) -> bool {
    *v == 0
}

fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}

/// Wraps a tips message the way the server does: `{"detail":"<tips JSON>"}`.
pub fn notification_content<T: Serialize>(tips: &T) -> Vec<u8> {
    let detail = serde_json::to_string(tips).expect("tips serialise");
    serde_json::to_vec(&NotificationElem { detail }).expect("elem serialises")
}

/// Reads the tips out of a notification's content.
pub fn parse_notification<T: for<'de> Deserialize<'de>>(content: &[u8]) -> Result<T, serde_json::Error> {
    let elem: NotificationElem = serde_json::from_slice(content)?;
    serde_json::from_str(&elem.detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elems_use_go_keys_and_omitempty() {
        assert_eq!(serde_json::to_string(&TextElem { content: "hi".into() }).unwrap(), r#"{"content":"hi"}"#);
        assert_eq!(serde_json::to_string(&CustomElem::default()).unwrap(), "{}");
        assert_eq!(
            serde_json::to_string(&LocationElem { description: "".into(), longitude: 1.5, latitude: -2.0 }).unwrap(),
            r#"{"longitude":1.5,"latitude":-2.0}"#
        );
        let quote = QuoteElem {
            text: "re".into(),
            quote_message: Some(Box::new(MsgStruct {
                client_msg_id: "c1".into(),
                content_type: 101,
                seq: 3,
                text_elem: Some(TextElem { content: "orig".into() }),
                ..Default::default()
            })),
            ..Default::default()
        };
        let json: serde_json::Value = serde_json::to_value(&quote).unwrap();
        assert_eq!(json["quoteMessage"]["clientMsgID"], "c1");
        assert_eq!(json["quoteMessage"]["textElem"]["content"], "orig");
        assert!(json["quoteMessage"].get("serverMsgID").is_none());
        assert_eq!(json["quoteMessage"]["isRead"], false);
    }

    #[test]
    fn reads_go_nulls_and_notifications() {
        let m: MergeElem = serde_json::from_str(r#"{"title":"t","abstractList":null,"multiMessage":null}"#).unwrap();
        assert!(m.multi_message.is_empty());
        let tips = MarkAsReadTips { mark_as_read_user_id: "u".into(), conversation_id: "si_a_b".into(), seqs: vec![1, 2], has_read_seq: 2 };
        let content = notification_content(&tips);
        let text = String::from_utf8(content.clone()).unwrap();
        assert!(text.starts_with(r#"{"detail":"{\"markAsReadUserID\":\"u\""#), "{text}");
        assert_eq!(parse_notification::<MarkAsReadTips>(&content).unwrap(), tips);
    }
}
