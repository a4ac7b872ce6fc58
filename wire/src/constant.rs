//! Numeric constants of the OpenIM v3 protocol (values from openimsdk/protocol `constant`).

/// Gateway request identifiers (`reqIdentifier` of the envelope).
pub mod req {
    /// `GetMaxSeqReq` → `GetMaxSeqResp`.
    pub const GET_NEWEST_SEQ: i32 = 1001;
    /// `PullMessageBySeqsReq` → `PullMessageBySeqsResp` (the server calls it WSPullMsgBySeqList).
    pub const PULL_MSG_BY_RANGE: i32 = 1002;
    /// `MsgData` → `SendMsgResp`.
    pub const SEND_MSG: i32 = 1003;
    /// Unused signalling request.
    pub const SEND_SIGNAL_MSG: i32 = 1004;
    /// `GetSeqMessageReq` → `GetSeqMessageResp` (the server calls it WSPullMsg).
    pub const PULL_MSG_BY_SEQ_LIST: i32 = 1005;
    /// `GetConversationsHasReadAndMaxSeqReq` → `GetConversationsHasReadAndMaxSeqResp`.
    pub const GET_CONV_MAX_READ_SEQ: i32 = 1006;
    /// `GetLastMessageReq` → `GetLastMessageResp`.
    pub const PULL_CONV_LAST_MESSAGE: i32 = 1007;
    /// Server push: `PushMessages`.
    pub const PUSH_MSG: i32 = 2001;
    /// Server push: the connection was kicked by a newer login; the server closes it.
    pub const KICK_ONLINE_MSG: i32 = 2002;
    /// `DelUserPushTokenReq`; the server replies and closes.
    pub const LOGOUT_MSG: i32 = 2003;
    /// `SetAppBackgroundStatusReq`.
    pub const SET_BACKGROUND_STATUS: i32 = 2004;
    /// `SubUserOnlineStatus` → `SubUserOnlineStatusTips`; also pushed on changes.
    pub const SUB_USER_ONLINE_STATUS: i32 = 2005;
    /// Server-side data error.
    pub const DATA_ERROR: i32 = 3001;
}

/// Platform IDs (`PlatformID2Name`).
pub mod platform {
    pub const IOS: i32 = 1;
    pub const ANDROID: i32 = 2;
    pub const WINDOWS: i32 = 3;
    pub const OSX: i32 = 4;
    pub const WEB: i32 = 5;
    pub const MINI_WEB: i32 = 6;
    pub const LINUX: i32 = 7;
    pub const ANDROID_PAD: i32 = 8;
    pub const IPAD: i32 = 9;
    pub const ADMIN: i32 = 10;
    pub const HARMONY_OS: i32 = 11;

    /// The platform's name as OpenIM spells it, or `None` for an unknown ID.
    pub fn name(id: i32) -> Option<&'static str> {
        Some(match id {
            IOS => "IOS",
            ANDROID => "Android",
            WINDOWS => "Windows",
            OSX => "OSX",
            WEB => "Web",
            MINI_WEB => "MiniWeb",
            LINUX => "Linux",
            ANDROID_PAD => "APad",
            IPAD => "IPad",
            ADMIN => "Admin",
            HARMONY_OS => "HarmonyOS",
            _ => return None,
        })
    }

    /// Whether `id` is a platform the server accepts.
    pub fn is_valid(id: i32) -> bool {
        name(id).is_some()
    }
}

/// Session types of a message or conversation.
pub mod session_type {
    pub const SINGLE_CHAT: i32 = 1;
    /// Legacy write-diffusion group; not enabled in v3.
    pub const WRITE_GROUP_CHAT: i32 = 2;
    /// Every v3 group.
    pub const READ_GROUP_CHAT: i32 = 3;
    /// A notification account's chat with a user (`sn_`): OA notifications (1400) sent through
    /// the API; the user only receives.
    pub const NOTIFICATION_CHAT: i32 = 4;

    /// Whether a conversation of session type `t` is with one user (its `userID`): single and
    /// notification chats; group chats name a `groupID` instead.
    pub fn with_user(t: i32) -> bool {
        matches!(t, SINGLE_CHAT | NOTIFICATION_CHAT)
    }
}

/// Message content types.
pub mod content_type {
    pub const TEXT: i32 = 101;
    pub const PICTURE: i32 = 102;
    pub const SOUND: i32 = 103;
    pub const VIDEO: i32 = 104;
    pub const FILE: i32 = 105;
    pub const AT_TEXT: i32 = 106;
    pub const MERGER: i32 = 107;
    pub const CARD: i32 = 108;
    pub const LOCATION: i32 = 109;
    pub const CUSTOM: i32 = 110;
    pub const TYPING: i32 = 113;
    pub const QUOTE: i32 = 114;
    pub const FACE: i32 = 115;
    pub const ADVANCED_TEXT: i32 = 117;
    pub const MARKDOWN_TEXT: i32 = 118;
    pub const CUSTOM_NOT_TRIGGER_CONVERSATION: i32 = 119;
    pub const CUSTOM_ONLINE_ONLY: i32 = 120;

    pub const NOTIFICATION_BEGIN: i32 = 1000;
    pub const FRIEND_APPLICATION_APPROVED: i32 = 1201;
    pub const FRIEND_APPLICATION_REJECTED: i32 = 1202;
    pub const FRIEND_APPLICATION: i32 = 1203;
    pub const FRIEND_ADDED: i32 = 1204;
    pub const FRIEND_DELETED: i32 = 1205;
    pub const FRIEND_REMARK_SET: i32 = 1206;
    pub const BLACK_ADDED: i32 = 1207;
    pub const BLACK_DELETED: i32 = 1208;
    pub const FRIEND_INFO_UPDATED: i32 = 1209;
    pub const FRIENDS_INFO_UPDATE: i32 = 1210;
    pub const CONVERSATION_CHANGE: i32 = 1300;
    pub const USER_INFO_UPDATED: i32 = 1303;
    /// An OA notification from a notification account (session type 4): a visible message.
    pub const OA_NOTIFICATION: i32 = 1400;
    pub const USER_STATUS_CHANGE: i32 = 1304;
    pub const GROUP_CREATED: i32 = 1501;
    pub const GROUP_INFO_SET: i32 = 1502;
    pub const JOIN_GROUP_APPLICATION: i32 = 1503;
    pub const MEMBER_QUIT: i32 = 1504;
    pub const GROUP_APPLICATION_ACCEPTED: i32 = 1505;
    pub const GROUP_APPLICATION_REJECTED: i32 = 1506;
    pub const GROUP_OWNER_TRANSFERRED: i32 = 1507;
    pub const MEMBER_KICKED: i32 = 1508;
    pub const MEMBER_INVITED: i32 = 1509;
    pub const MEMBER_ENTER: i32 = 1510;
    pub const GROUP_DISMISSED: i32 = 1511;
    pub const GROUP_MEMBER_MUTED: i32 = 1512;
    pub const GROUP_MEMBER_CANCEL_MUTED: i32 = 1513;
    pub const GROUP_MUTED: i32 = 1514;
    pub const GROUP_CANCEL_MUTED: i32 = 1515;
    pub const GROUP_MEMBER_INFO_SET: i32 = 1516;
    pub const GROUP_MEMBER_SET_TO_ADMIN: i32 = 1517;
    pub const GROUP_MEMBER_SET_TO_ORDINARY: i32 = 1518;
    pub const GROUP_INFO_SET_ANNOUNCEMENT: i32 = 1519;
    pub const GROUP_INFO_SET_NAME: i32 = 1520;
    pub const CONVERSATION_PRIVATE_CHAT: i32 = 1701;
    pub const CONVERSATION_UNREAD: i32 = 1702;
    pub const CLEAR_CONVERSATION: i32 = 1703;
    pub const CONVERSATION_DELETE: i32 = 1704;
    pub const BUSINESS: i32 = 2001;
    pub const MSG_REVOKE: i32 = 2101;
    pub const DELETE_MSGS: i32 = 2102;
    pub const HAS_READ_RECEIPT: i32 = 2200;
    pub const NOTIFICATION_END: i32 = 5000;

    /// Whether `t` lies in OpenIM's notification range.
    pub fn is_notification(t: i32) -> bool {
        (NOTIFICATION_BEGIN..=NOTIFICATION_END).contains(&t)
    }
}

/// A user's `appMangerLevel`.
pub mod app_level {
    pub const ORDINARY: i32 = 1;
    /// An app manager's level as OpenIM's group notices name one.
    pub const ADMIN: i32 = 2;
    /// The lowest level of a notification account (OpenIM's `AppNotificationAdmin`).
    pub const NOTIFICATION_ACCOUNT: i32 = 3;
    pub const ROBOT: i32 = 4;
}

/// Message status values.
pub mod msg_status {
    pub const SENDING: i32 = 1;
    pub const SEND_SUCCESS: i32 = 2;
    pub const SEND_FAILED: i32 = 3;
    pub const HAS_DELETED: i32 = 4;
    pub const FILTERED: i32 = 5;
}

/// Who produced a message.
pub mod msg_from {
    pub const USER: i32 = 100;
    pub const SYSTEM: i32 = 200;
}

/// Keys of `MsgData.options`. A missing key means `true`.
pub mod options {
    pub const HISTORY: &str = "history";
    pub const PERSISTENT: &str = "persistent";
    pub const OFFLINE_PUSH: &str = "offlinePush";
    pub const UNREAD_COUNT: &str = "unreadCount";
    pub const CONVERSATION_UPDATE: &str = "conversationUpdate";
    pub const SENDER_SYNC: &str = "senderSync";
    pub const NOT_PRIVATE: &str = "notPrivate";
    pub const SENDER_CONVERSATION_UPDATE: &str = "senderConversationUpdate";
    pub const SENDER_NOTIFICATION_PUSH: &str = "senderNotificationPush";
    pub const REACTION_FROM_CACHE: &str = "reactionFromCache";
    pub const IS_NOT_NOTIFICATION: &str = "isNotNotification";
    pub const IS_SEND_MSG: &str = "isSendMsg";

    /// OpenIM's `Options.Is`: a key that is absent counts as `true`.
    pub fn is_set(options: &std::collections::HashMap<String, bool>, key: &str) -> bool {
        options.get(key).copied().unwrap_or(true)
    }
}

/// Token states kept by the server.
/// A conversation's `recvMsgOpt`.
pub mod recv_msg_opt {
    pub const RECEIVE: i32 = 0;
    pub const NOT_RECEIVE: i32 = 1;
    pub const NOT_NOTIFY: i32 = 2;
}

/// Group member roles (`roleLevel`) and group statuses.
pub mod group {
    pub const OWNER: i32 = 100;
    pub const ADMIN: i32 = 60;
    pub const MEMBER: i32 = 20;
    pub const STATUS_OK: i32 = 0;
    pub const STATUS_DISMISSED: i32 = 2;
    pub const STATUS_MUTED: i32 = 3;
    /// The version-log element that says "the group itself changed".
    pub const INFO_ELEMENT: &str = "";
    /// The version-log element that says "the order changed".
    pub const SORT_ELEMENT: &str = "____S_O_R_T_I_D____";
}

pub mod token_state {
    pub const NORMAL: i32 = 0;
    pub const INVALID: i32 = 1;
    pub const KICKED: i32 = 2;
    pub const EXPIRED: i32 = 3;
}

/// Multi-login policies (`share.yml multiLogin.policy`).
pub mod multi_login {
    pub const DEFAULT_NOT_KICK: i32 = 0;
    pub const ALL_LOGIN_BUT_SAME_TERM_KICK: i32 = 1;
    pub const ALL_LOGIN_BUT_SAME_CLASS_KICK: i32 = 4;
    pub const PC_AND_OTHER: i32 = 5;
}

/// Defaults of a stock OpenIM deployment.
pub mod defaults {
    /// `share.yml secret`.
    pub const SECRET: &str = "openIM123";
    /// `share.yml imAdminUser.userIDs`.
    pub const ADMIN_USER_ID: &str = "imAdmin";
    /// `openim-rpc-auth.yml tokenPolicy.expire`, in days.
    pub const TOKEN_EXPIRE_DAYS: i64 = 90;
    /// The gateway's read limit for one client frame, in bytes.
    pub const GATEWAY_MAX_CLIENT_FRAME: usize = 51_200;
    /// The SDK version string sent in the connect query.
    pub const SDK_VERSION: &str = "3.8.0";
}
