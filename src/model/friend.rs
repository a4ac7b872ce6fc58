//! Friends, friend applications, the blacklist and presence, as apps see them.

/// One friend of the logged-in user (OpenIM `LocalFriend`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FriendInfo {
    pub owner_user_id: String,
    pub friend_user_id: String,
    /// What the owner calls the friend ("" when unset).
    pub remark: String,
    /// When they became friends, seconds since the epoch (as OpenIM gives it).
    pub create_time: i64,
    pub add_source: i32,
    pub operator_user_id: String,
    pub nickname: String,
    pub face_url: String,
    /// The owner's extra data about this friend.
    pub ex: String,
    pub attached_info: String,
    pub is_pinned: bool,
}

/// A user the logged-in user blocked (OpenIM `LocalBlack`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BlackInfo {
    pub owner_user_id: String,
    pub block_user_id: String,
    pub nickname: String,
    pub face_url: String,
    /// Seconds since the epoch.
    pub create_time: i64,
    pub add_source: i32,
    pub operator_user_id: String,
    pub ex: String,
    pub attached_info: String,
}

/// Where a friend application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ApplicationState {
    /// Not handled yet (OpenIM 0).
    Pending,
    /// Accepted (1).
    Accepted,
    /// Refused (-1).
    Refused,
}

impl ApplicationState {
    pub fn code(self) -> i32 {
        match self {
            Self::Pending => 0,
            Self::Accepted => 1,
            Self::Refused => -1,
        }
    }

    pub fn from_code(code: i32) -> Self {
        match code {
            1 => Self::Accepted,
            -1 => Self::Refused,
            _ => Self::Pending,
        }
    }
}

/// A friend application (OpenIM `LocalFriendRequest`). Times are milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FriendApplication {
    pub from_user_id: String,
    pub from_nickname: String,
    pub from_face_url: String,
    pub to_user_id: String,
    pub to_nickname: String,
    pub to_face_url: String,
    pub state: ApplicationState,
    pub req_msg: String,
    pub create_time: i64,
    pub handler_user_id: String,
    pub handle_msg: String,
    pub handle_time: i64,
    pub ex: String,
}

/// How two users stand to each other (`check_friend`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FriendshipCheck {
    pub user_id: String,
    /// The user is in my friend list and not in my blacklist (OpenIM's result 1).
    pub is_friend: bool,
    /// The user is in my friend list.
    pub in_my_friends: bool,
    /// I am in the user's friend list.
    pub in_their_friends: bool,
}

/// What `search_friends` looks for: any keyword, in the chosen fields.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchFriendsParams {
    pub keywords: Vec<String>,
    #[uniffi(default = true)]
    pub search_user_id: bool,
    #[uniffi(default = true)]
    pub search_nickname: bool,
    #[uniffi(default = true)]
    pub search_remark: bool,
}

/// A friend found by `search_friends`; `relationship` is 1 for a friend, 0 for a friend I
/// blocked (OpenIM's values).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchFriendItem {
    pub friend: FriendInfo,
    pub relationship: i32,
}

/// What `set_self_info` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct UserInfoUpdate {
    #[uniffi(default)]
    pub nickname: Option<String>,
    #[uniffi(default)]
    pub face_url: Option<String>,
    #[uniffi(default)]
    pub ex: Option<String>,
    /// 0 receive all, 1 receive none, 2 receive without notification.
    #[uniffi(default)]
    pub global_recv_msg_opt: Option<i32>,
}

/// A user's presence (OpenIM `OnlineStatus`): status 1 online, 0 offline, and the platforms
/// the user is online on.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OnlineStatus {
    pub user_id: String,
    pub status: i32,
    pub platform_ids: Vec<i32>,
}
