//! Groups, their members and join applications, as apps see them.

/// A member's role (OpenIM `roleLevel`: 100 owner, 60 admin, 20 member).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GroupRole {
    Owner,
    Admin,
    Member,
}

impl GroupRole {
    pub fn code(self) -> i32 {
        match self {
            Self::Owner => 100,
            Self::Admin => 60,
            Self::Member => 20,
        }
    }

    pub fn from_code(code: i32) -> Self {
        match code {
            100 => Self::Owner,
            60 => Self::Admin,
            _ => Self::Member,
        }
    }
}

/// How users get into a group (OpenIM `needVerification`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GroupVerification {
    /// Joining needs approval; members' invitations go through directly (0).
    ApplyNeedsApproval,
    /// Joining and invitations by ordinary members need approval (1).
    AllNeedApproval,
    /// Anyone joins directly (2).
    Direct,
}

impl GroupVerification {
    pub fn code(self) -> i32 {
        match self {
            Self::ApplyNeedsApproval => 0,
            Self::AllNeedApproval => 1,
            Self::Direct => 2,
        }
    }

    pub fn from_code(code: i32) -> Self {
        match code {
            1 => Self::AllNeedApproval,
            2 => Self::Direct,
            _ => Self::ApplyNeedsApproval,
        }
    }
}

/// Which members `get_group_member_list` returns (OpenIM's filter 0–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GroupMemberFilter {
    All,
    Owner,
    Admins,
    Members,
    AdminsAndMembers,
    OwnerAndAdmins,
}

impl GroupMemberFilter {
    /// The role levels it lists (owner 100, admin 60, member 20), or `None` for all.
    pub fn roles(self) -> Option<&'static [i32]> {
        match self {
            Self::All => None,
            Self::Owner => Some(&[100]),
            Self::Admins => Some(&[60]),
            Self::Members => Some(&[20]),
            Self::AdminsAndMembers => Some(&[60, 20]),
            Self::OwnerAndAdmins => Some(&[100, 60]),
        }
    }
}

/// A group the user is in (OpenIM `LocalGroup`). Times are milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GroupInfo {
    pub group_id: String,
    pub group_name: String,
    pub notification: String,
    pub introduction: String,
    pub face_url: String,
    pub create_time: i64,
    /// 0 ok, 1 chat banned, 2 dismissed, 3 muted.
    pub status: i32,
    pub creator_user_id: String,
    pub group_type: i32,
    pub owner_user_id: String,
    pub member_count: i32,
    pub ex: String,
    pub need_verification: GroupVerification,
    pub look_member_info: i32,
    pub apply_member_friend: i32,
    pub notification_update_time: i64,
    pub notification_user_id: String,
}

/// A member of a group (OpenIM `LocalGroupMember`). Times are milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GroupMember {
    pub group_id: String,
    pub user_id: String,
    /// The member's name in the group (their nickname unless set).
    pub nickname: String,
    pub face_url: String,
    pub role: GroupRole,
    pub join_time: i64,
    /// 1 admin, 2 invitation, 3 search, 4 QR code.
    pub join_source: i32,
    pub inviter_user_id: String,
    /// Muted until then (0: not muted).
    pub mute_end_time: i64,
    pub operator_user_id: String,
    pub ex: String,
}

/// An application to join a group (OpenIM `LocalGroupRequest`). Times are milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GroupApplication {
    pub group_id: String,
    pub group_name: String,
    pub group_face_url: String,
    pub owner_user_id: String,
    pub member_count: i32,
    pub user_id: String,
    pub nickname: String,
    pub user_face_url: String,
    pub state: super::ApplicationState,
    pub req_msg: String,
    pub handle_msg: String,
    pub req_time: i64,
    pub handle_user_id: String,
    pub handle_time: i64,
    pub ex: String,
    pub join_source: i32,
    pub inviter_user_id: String,
}

/// A new group (`create_group`).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct CreateGroupParams {
    pub group_name: String,
    #[uniffi(default)]
    pub face_url: String,
    #[uniffi(default)]
    pub notification: String,
    #[uniffi(default)]
    pub introduction: String,
    #[uniffi(default)]
    pub ex: String,
    /// Members besides the creator (who becomes the owner).
    #[uniffi(default)]
    pub member_user_ids: Vec<String>,
    /// Members made admins (listed in `member_user_ids` or not).
    #[uniffi(default)]
    pub admin_user_ids: Vec<String>,
    #[uniffi(default = None)]
    pub need_verification: Option<GroupVerification>,
}

/// What `set_group_info` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct GroupInfoUpdate {
    #[uniffi(default)]
    pub group_name: Option<String>,
    #[uniffi(default)]
    pub notification: Option<String>,
    #[uniffi(default)]
    pub introduction: Option<String>,
    #[uniffi(default)]
    pub face_url: Option<String>,
    #[uniffi(default)]
    pub ex: Option<String>,
    #[uniffi(default)]
    pub need_verification: Option<GroupVerification>,
    #[uniffi(default)]
    pub look_member_info: Option<i32>,
    #[uniffi(default)]
    pub apply_member_friend: Option<i32>,
}

/// What `set_group_member_info` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct GroupMemberUpdate {
    #[uniffi(default)]
    pub nickname: Option<String>,
    #[uniffi(default)]
    pub face_url: Option<String>,
    #[uniffi(default)]
    pub role: Option<GroupRole>,
    #[uniffi(default)]
    pub ex: Option<String>,
}

/// What `search_groups` looks for.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchGroupsParams {
    pub keywords: Vec<String>,
    #[uniffi(default = true)]
    pub search_group_id: bool,
    #[uniffi(default = true)]
    pub search_group_name: bool,
}

/// What `search_group_members` looks for.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchGroupMembersParams {
    pub group_id: String,
    pub keywords: Vec<String>,
    #[uniffi(default = true)]
    pub search_user_id: bool,
    #[uniffi(default = true)]
    pub search_nickname: bool,
    #[uniffi(default = 0)]
    pub offset: i32,
    #[uniffi(default = 100)]
    pub count: i32,
}
