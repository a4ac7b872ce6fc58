//! The REST API: every route is `POST {apiAddr}{path}` with a JSON body, headers `operationID`
//! and `token`, and a reply that is always HTTP 200 with [`ApiResponse`]. JSON keys are the
//! protobuf field names exactly (`userID`, `platformID`, ...); int64 values are numbers.

pub mod auth;
pub mod conversation;
pub mod friend;
pub mod group;
pub mod object;
pub mod third;
pub mod msg;
pub mod user;

use serde::{Deserialize, Serialize};

/// Request headers.
pub mod header {
    pub const OPERATION_ID: &str = "operationID";
    pub const TOKEN: &str = "token";
}

/// Route paths.
pub mod path {
    pub const GET_ADMIN_TOKEN: &str = "/auth/get_admin_token";
    pub const GET_USER_TOKEN: &str = "/auth/get_user_token";
    pub const PARSE_TOKEN: &str = "/auth/parse_token";
    pub const FORCE_LOGOUT: &str = "/auth/force_logout";
    pub const USER_REGISTER: &str = "/user/user_register";
    pub const GET_USERS_INFO: &str = "/user/get_users_info";
    pub const ADD_NOTIFICATION_ACCOUNT: &str = "/user/add_notification_account";
    pub const UPDATE_NOTIFICATION_ACCOUNT: &str = "/user/update_notification_account";
    pub const SEARCH_NOTIFICATION_ACCOUNT: &str = "/user/search_notification_account";
    pub const UPDATE_USER_INFO: &str = "/user/update_user_info";
    pub const UPDATE_USER_INFO_EX: &str = "/user/update_user_info_ex";
    pub const GET_USERS_ONLINE_STATUS: &str = "/user/get_users_online_status";
    pub const SUBSCRIBE_USERS_STATUS: &str = "/user/subscribe_users_status";
    pub const GET_SUBSCRIBE_USERS_STATUS: &str = "/user/get_subscribe_users_status";
    pub const IMPORT_FRIEND: &str = "/friend/import_friend";
    pub const SET_GLOBAL_MSG_RECV_OPT: &str = "/user/set_global_msg_recv_opt";
    pub const ADD_FRIEND: &str = "/friend/add_friend";
    pub const ADD_FRIEND_RESPONSE: &str = "/friend/add_friend_response";
    pub const DELETE_FRIEND: &str = "/friend/delete_friend";
    pub const GET_FRIEND_APPLY_LIST: &str = "/friend/get_friend_apply_list";
    pub const GET_SELF_FRIEND_APPLY_LIST: &str = "/friend/get_self_friend_apply_list";
    pub const GET_SELF_UNHANDLED_APPLY_COUNT: &str = "/friend/get_self_unhandled_apply_count";
    pub const GET_DESIGNATED_FRIEND_APPLY: &str = "/friend/get_designated_friend_apply";
    pub const GET_FRIEND_LIST: &str = "/friend/get_friend_list";
    pub const GET_DESIGNATED_FRIENDS: &str = "/friend/get_designated_friends";
    pub const UPDATE_FRIENDS: &str = "/friend/update_friends";
    pub const GET_INCREMENTAL_FRIENDS: &str = "/friend/get_incremental_friends";
    pub const GET_FULL_FRIEND_USER_IDS: &str = "/friend/get_full_friend_user_ids";
    pub const ADD_BLACK: &str = "/friend/add_black";
    pub const REMOVE_BLACK: &str = "/friend/remove_black";
    pub const GET_BLACK_LIST: &str = "/friend/get_black_list";
    pub const GET_SPECIFIED_BLACKS: &str = "/friend/get_specified_blacks";
    pub const IS_FRIEND: &str = "/friend/is_friend";
    pub const CREATE_GROUP: &str = "/group/create_group";
    pub const SET_GROUP_INFO_EX: &str = "/group/set_group_info_ex";
    pub const JOIN_GROUP: &str = "/group/join_group";
    pub const QUIT_GROUP: &str = "/group/quit_group";
    pub const GET_GROUPS_INFO: &str = "/group/get_groups_info";
    pub const GET_GROUP_MEMBER_LIST: &str = "/group/get_group_member_list";
    pub const GET_GROUP_MEMBERS_INFO: &str = "/group/get_group_members_info";
    pub const INVITE_USER_TO_GROUP: &str = "/group/invite_user_to_group";
    pub const GET_JOINED_GROUP_LIST: &str = "/group/get_joined_group_list";
    pub const KICK_GROUP: &str = "/group/kick_group";
    pub const TRANSFER_GROUP: &str = "/group/transfer_group";
    pub const GET_RECV_GROUP_APPLICATION_LIST: &str = "/group/get_recv_group_applicationList";
    pub const GET_USER_REQ_GROUP_APPLICATION_LIST: &str = "/group/get_user_req_group_applicationList";
    pub const GET_GROUP_APPLICATION_UNHANDLED_COUNT: &str = "/group/get_group_application_unhandled_count";
    pub const GROUP_APPLICATION_RESPONSE: &str = "/group/group_application_response";
    pub const DISMISS_GROUP: &str = "/group/dismiss_group";
    pub const MUTE_GROUP_MEMBER: &str = "/group/mute_group_member";
    pub const CANCEL_MUTE_GROUP_MEMBER: &str = "/group/cancel_mute_group_member";
    pub const MUTE_GROUP: &str = "/group/mute_group";
    pub const CANCEL_MUTE_GROUP: &str = "/group/cancel_mute_group";
    pub const SET_GROUP_MEMBER_INFO: &str = "/group/set_group_member_info";
    pub const GET_INCREMENTAL_JOIN_GROUPS: &str = "/group/get_incremental_join_groups";
    pub const GET_INCREMENTAL_GROUP_MEMBERS_BATCH: &str = "/group/get_incremental_group_members_batch";
    pub const GET_FULL_JOIN_GROUP_IDS: &str = "/group/get_full_join_group_ids";
    pub const GET_FULL_GROUP_MEMBER_USER_IDS: &str = "/group/get_full_group_member_user_ids";
    pub const GET_SPECIFIED_USER_GROUP_REQUEST_INFO: &str = "/group/get_specified_user_group_request_info";
    pub const MARK_CONVERSATION_AS_READ: &str = "/msg/mark_conversation_as_read";
    pub const GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ: &str = "/msg/get_conversations_has_read_and_max_seq";
    /// The same, where the official TS SDK's URL table puts it.
    pub const GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ_TS: &str = "/conversation/get_conversations_has_read_and_max_seq";
    pub const JSSDK_GET_ACTIVE_CONVERSATIONS: &str = "/jssdk/get_active_conversations";
    pub const JSSDK_GET_CONVERSATIONS: &str = "/jssdk/get_conversations";
    pub const OBJECT_PART_SIZE: &str = "/object/part_size";
    pub const OBJECT_INITIATE_MULTIPART_UPLOAD: &str = "/object/initiate_multipart_upload";
    pub const OBJECT_COMPLETE_MULTIPART_UPLOAD: &str = "/object/complete_multipart_upload";
    pub const OBJECT_PART_LIMIT: &str = "/object/part_limit";
    pub const OBJECT_AUTH_SIGN: &str = "/object/auth_sign";
    pub const OBJECT_ACCESS_URL: &str = "/object/access_url";
    pub const FCM_UPDATE_TOKEN: &str = "/third/fcm_update_token";
    pub const SET_APP_BADGE: &str = "/third/set_app_badge";
    pub const UPLOAD_LOGS: &str = "/third/logs/upload";
    pub const SEARCH_LOGS: &str = "/third/logs/search";
    pub const DELETE_LOGS: &str = "/third/logs/delete";
    pub const GET_USER_CLIENT_CONFIG: &str = "/user/get_user_client_config";
    pub const SET_USER_CLIENT_CONFIG: &str = "/user/set_user_client_config";
    pub const DEL_USER_CLIENT_CONFIG: &str = "/user/del_user_client_config";
    pub const PAGE_USER_CLIENT_CONFIG: &str = "/user/page_user_client_config";
    pub const SEND_MSG: &str = "/msg/send_msg";
    pub const SEND_BUSINESS_NOTIFICATION: &str = "/msg/send_business_notification";
    pub const GET_SERVER_TIME: &str = "/msg/get_server_time";
    pub const SET_CONVERSATION_HAS_READ_SEQ: &str = "/msg/set_conversation_has_read_seq";
    pub const MARK_MSGS_AS_READ: &str = "/msg/mark_msgs_as_read";
    pub const REVOKE_MSG: &str = "/msg/revoke_msg";
    pub const DELETE_MSGS: &str = "/msg/delete_msgs";
    pub const CLEAR_CONVERSATION_MSG: &str = "/msg/clear_conversation_msg";
    pub const USER_CLEAR_ALL_MSG: &str = "/msg/user_clear_all_msg";
    pub const GET_CONVERSATIONS: &str = "/conversation/get_conversations";
    pub const GET_ALL_CONVERSATIONS: &str = "/conversation/get_all_conversations";
    pub const SET_CONVERSATIONS: &str = "/conversation/set_conversations";
    pub const GET_INCREMENTAL_CONVERSATIONS: &str = "/conversation/get_incremental_conversations";
    pub const GET_FULL_CONVERSATION_IDS: &str = "/conversation/get_full_conversation_ids";
    pub const GET_OWNER_CONVERSATION: &str = "/conversation/get_owner_conversation";
    pub const GET_NOT_NOTIFY_CONVERSATION_IDS: &str = "/conversation/get_not_notify_conversation_ids";
    pub const DELETE_CONVERSATIONS: &str = "/conversation/delete_conversations";
}

/// The reply envelope `{errCode, errMsg, errDlt, data}`; `data` is omitted when empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiResponse<T> {
    #[serde(rename = "errCode", default)]
    pub err_code: i32,
    #[serde(rename = "errMsg", default)]
    pub err_msg: String,
    #[serde(rename = "errDlt", default)]
    pub err_dlt: String,
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

impl<T> ApiResponse<T> {
    pub fn success(data: Option<T>) -> Self {
        Self { err_code: 0, err_msg: String::new(), err_dlt: String::new(), data }
    }
}

impl ApiResponse<()> {
    pub fn error(code: i32, msg: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { err_code: code, err_msg: msg.into(), err_dlt: detail.into(), data: None }
    }
}

/// A reply with no fields (`{}` in protobuf), which the server sends without `data`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_matches_go_rendering() {
        let ok = ApiResponse::success(Some(auth::TokenResp { token: "t".into(), expire_time_seconds: 7776000 }));
        assert_eq!(
            serde_json::to_value(&ok).unwrap(),
            serde_json::json!({"errCode":0,"errMsg":"","errDlt":"","data":{"token":"t","expireTimeSeconds":7776000}})
        );
        let err = ApiResponse::error(1501, "TokenExpiredError", "");
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            r#"{"errCode":1501,"errMsg":"TokenExpiredError","errDlt":""}"#
        );
    }

    #[test]
    fn go_nulls_decode_as_empty() {
        let r: ApiResponse<user::GetUsersInfoResp> =
            serde_json::from_str(r#"{"errCode":0,"errMsg":"","errDlt":"","data":{"usersInfo":null}}"#).unwrap();
        assert!(r.data.unwrap().users_info.is_empty());
        let r: ApiResponse<Empty> = serde_json::from_str(r#"{"errCode":0,"errMsg":"","errDlt":""}"#).unwrap();
        assert!(r.data.is_none());
    }
}
