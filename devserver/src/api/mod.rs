//! The REST API: `POST` routes with OpenIM's headers (`operationID` always, `token` except on the
//! whitelist) and the `{errCode, errMsg, errDlt, data}` envelope, gzip-compressed on request.

mod auth;
mod conversation;
pub mod envelope;
mod friend;
mod group;
mod jssdk;
pub(crate) mod object;
mod msg;
mod third;
mod user;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use openim_wire::api::{header as im_header, path};
use tower_http::compression::CompressionLayer;

use crate::error::CodeError;
use openim_wire::errcode;
use std::collections::HashSet;
use crate::state::SharedState;
use envelope::error_response;

/// Who made an authenticated call (from the `token` header).
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
}

/// Routes that need no token (open-im-server `Whitelist`).
const WHITELIST: &[&str] = &[path::GET_ADMIN_TOKEN, path::PARSE_TOKEN];

pub fn router(state: SharedState) -> Router {
    Router::new()
        .route(path::GET_ADMIN_TOKEN, post(auth::get_admin_token))
        .route(path::GET_USER_TOKEN, post(auth::get_user_token))
        .route(path::PARSE_TOKEN, post(auth::parse_token))
        .route(path::FORCE_LOGOUT, post(auth::force_logout))
        .route(path::USER_REGISTER, post(user::user_register))
        .route(path::GET_USERS_INFO, post(user::get_users_info))
        .route(path::ADD_NOTIFICATION_ACCOUNT, post(user::add_notification_account))
        .route(path::UPDATE_NOTIFICATION_ACCOUNT, post(user::update_notification_account))
        .route(path::SEARCH_NOTIFICATION_ACCOUNT, post(user::search_notification_account))
        .route(path::UPDATE_USER_INFO, post(user::update_user_info))
        .route(path::UPDATE_USER_INFO_EX, post(user::update_user_info_ex))
        .route(path::GET_USERS_ONLINE_STATUS, post(user::get_users_online_status))
        .route(path::SUBSCRIBE_USERS_STATUS, post(user::subscribe_users_status))
        .route(path::GET_SUBSCRIBE_USERS_STATUS, post(user::subscribe_users_status))
        .route(path::IMPORT_FRIEND, post(friend::import_friend))
        .route(path::SET_GLOBAL_MSG_RECV_OPT, post(user::set_global_msg_recv_opt))
        .route(path::ADD_FRIEND, post(friend::add_friend))
        .route(path::ADD_FRIEND_RESPONSE, post(friend::add_friend_response))
        .route(path::DELETE_FRIEND, post(friend::delete_friend))
        .route(path::GET_FRIEND_APPLY_LIST, post(friend::get_friend_apply_list))
        .route(path::GET_SELF_FRIEND_APPLY_LIST, post(friend::get_self_friend_apply_list))
        .route(path::GET_SELF_UNHANDLED_APPLY_COUNT, post(friend::get_self_unhandled_apply_count))
        .route(path::GET_DESIGNATED_FRIEND_APPLY, post(friend::get_designated_friend_apply))
        .route(path::GET_FRIEND_LIST, post(friend::get_friend_list))
        .route(path::GET_DESIGNATED_FRIENDS, post(friend::get_designated_friends))
        .route(path::UPDATE_FRIENDS, post(friend::update_friends))
        .route(path::GET_INCREMENTAL_FRIENDS, post(friend::get_incremental_friends))
        .route(path::GET_FULL_FRIEND_USER_IDS, post(friend::get_full_friend_user_ids))
        .route(path::ADD_BLACK, post(friend::add_black))
        .route(path::REMOVE_BLACK, post(friend::remove_black))
        .route(path::GET_BLACK_LIST, post(friend::get_black_list))
        .route(path::GET_SPECIFIED_BLACKS, post(friend::get_specified_blacks))
        .route(path::IS_FRIEND, post(friend::is_friend))
        .route(path::CREATE_GROUP, post(group::create_group))
        .route(path::SET_GROUP_INFO_EX, post(group::set_group_info_ex))
        .route(path::JOIN_GROUP, post(group::join_group))
        .route(path::QUIT_GROUP, post(group::quit_group))
        .route(path::GET_GROUPS_INFO, post(group::get_groups_info))
        .route(path::GET_GROUP_MEMBER_LIST, post(group::get_group_member_list))
        .route(path::GET_GROUP_MEMBERS_INFO, post(group::get_group_members_info))
        .route(path::INVITE_USER_TO_GROUP, post(group::invite_user_to_group))
        .route(path::GET_JOINED_GROUP_LIST, post(group::get_joined_group_list))
        .route(path::KICK_GROUP, post(group::kick_group))
        .route(path::TRANSFER_GROUP, post(group::transfer_group))
        .route(path::GET_RECV_GROUP_APPLICATION_LIST, post(group::get_recv_group_application_list))
        .route(path::GET_USER_REQ_GROUP_APPLICATION_LIST, post(group::get_user_req_group_application_list))
        .route(path::GET_GROUP_APPLICATION_UNHANDLED_COUNT, post(group::get_group_application_unhandled_count))
        .route(path::GROUP_APPLICATION_RESPONSE, post(group::group_application_response))
        .route(path::DISMISS_GROUP, post(group::dismiss_group))
        .route(path::MUTE_GROUP_MEMBER, post(group::mute_group_member))
        .route(path::CANCEL_MUTE_GROUP_MEMBER, post(group::cancel_mute_group_member))
        .route(path::MUTE_GROUP, post(group::mute_group))
        .route(path::CANCEL_MUTE_GROUP, post(group::cancel_mute_group))
        .route(path::SET_GROUP_MEMBER_INFO, post(group::set_group_member_info))
        .route(path::GET_INCREMENTAL_JOIN_GROUPS, post(group::get_incremental_join_groups))
        .route(path::GET_INCREMENTAL_GROUP_MEMBERS_BATCH, post(group::get_incremental_group_members_batch))
        .route(path::GET_FULL_JOIN_GROUP_IDS, post(group::get_full_join_group_ids))
        .route(path::GET_FULL_GROUP_MEMBER_USER_IDS, post(group::get_full_group_member_user_ids))
        .route(path::GET_SPECIFIED_USER_GROUP_REQUEST_INFO, post(group::get_specified_user_group_request_info))
        .route(path::MARK_CONVERSATION_AS_READ, post(msg::mark_conversation_as_read))
        .route(path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ, post(msg::get_conversations_has_read_and_max_seq))
        .route(path::OBJECT_PART_SIZE, post(object::part_size_route))
        .route(path::OBJECT_INITIATE_MULTIPART_UPLOAD, post(object::initiate_multipart_upload))
        .route(path::OBJECT_COMPLETE_MULTIPART_UPLOAD, post(object::complete_multipart_upload))
        .route("/object-upload/{upload_id}/{part}", axum::routing::put(object::put_part).layer(object::part_body_limit()))
        .route("/object/{*name}", axum::routing::get(object::get_object))
        .route(path::OBJECT_PART_LIMIT, post(object::part_limit))
        .route(path::OBJECT_AUTH_SIGN, post(object::auth_sign))
        .route(path::OBJECT_ACCESS_URL, post(object::access_url))
        .route(path::FCM_UPDATE_TOKEN, post(third::fcm_update_token))
        .route(path::SET_APP_BADGE, post(third::set_app_badge))
        .route(path::UPLOAD_LOGS, post(third::upload_logs))
        .route(path::SEARCH_LOGS, post(third::search_logs))
        .route(path::DELETE_LOGS, post(third::delete_logs))
        .route(path::GET_USER_CLIENT_CONFIG, post(user::get_user_client_config))
        .route(path::SET_USER_CLIENT_CONFIG, post(user::set_user_client_config))
        .route(path::DEL_USER_CLIENT_CONFIG, post(user::del_user_client_config))
        .route(path::PAGE_USER_CLIENT_CONFIG, post(user::page_user_client_config))
        .route(path::SEND_MSG, post(msg::send_msg))
        .route(path::SEND_BUSINESS_NOTIFICATION, post(msg::send_business_notification))
        .route(path::GET_SERVER_TIME, post(msg::get_server_time))
        .route(path::SET_CONVERSATION_HAS_READ_SEQ, post(msg::set_conversation_has_read_seq))
        .route(path::JSSDK_GET_ACTIVE_CONVERSATIONS, post(jssdk::get_active_conversations))
        .route(path::JSSDK_GET_CONVERSATIONS, post(jssdk::get_conversations))
        .route(path::GET_CONVERSATIONS_HAS_READ_AND_MAX_SEQ_TS, post(msg::get_conversations_has_read_and_max_seq))
        .route(path::MARK_MSGS_AS_READ, post(msg::mark_msgs_as_read))
        .route(path::REVOKE_MSG, post(msg::revoke_msg))
        .route(path::DELETE_MSGS, post(msg::delete_msgs))
        .route(path::CLEAR_CONVERSATION_MSG, post(msg::clear_conversation_msg))
        .route(path::USER_CLEAR_ALL_MSG, post(msg::user_clear_all_msg))
        .route(path::GET_CONVERSATIONS, post(conversation::get_conversations))
        .route(path::GET_ALL_CONVERSATIONS, post(conversation::get_all_conversations))
        .route(path::SET_CONVERSATIONS, post(conversation::set_conversations))
        .route(path::GET_INCREMENTAL_CONVERSATIONS, post(conversation::get_incremental_conversations))
        .route(path::GET_FULL_CONVERSATION_IDS, post(conversation::get_full_conversation_ids))
        .route(path::GET_OWNER_CONVERSATION, post(conversation::get_owner_conversation))
        .route(path::GET_NOT_NOTIFY_CONVERSATION_IDS, post(conversation::get_not_notify_conversation_ids))
        .route(path::DELETE_CONVERSATIONS, post(conversation::delete_conversations))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), check_headers))
        .layer(middleware::from_fn(cors))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// What gin answers for a path it does not serve (after the global middleware has run).
async fn not_found() -> Response {
    let mut resp = Response::new(axum::body::Body::from("404 page not found"));
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    resp
}

/// OpenIM's `CorsHandler`: every reply carries the CORS headers; a preflight (`OPTIONS`, any
/// path) is answered `200 "Options Request!"` at once.
async fn cors(request: Request, next: Next) -> Response {
    let mut resp = if request.method() == Method::OPTIONS {
        let mut r = Response::new(axum::body::Body::from("\"Options Request!\""));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    } else {
        next.run(request).await
    };
    let h = resp.headers_mut();
    for (name, value) in [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "*"),
        ("access-control-allow-headers", "*"),
        (
            "access-control-expose-headers",
            "Content-Length, Access-Control-Allow-Origin, Access-Control-Allow-Headers,Cache-Control,Content-Language,Content-Type,Expires,Last-Modified,Pragma,FooBar",
        ),
        ("access-control-max-age", "172800"),
        ("access-control-allow-credentials", "false"),
    ] {
        h.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
    }
    resp
}

/// `GinParseOperationID` then `GinParseToken`.
async fn check_headers(State(state): State<SharedState>, mut request: Request, next: Next) -> Response {
    state.faults.count_rest_call(request.uri().path());
    state.faults.rest_gate().await;
    if let Some(status) = state.faults.take_rest_failure(request.uri().path()) {
        let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::SERVICE_UNAVAILABLE);
        return axum::response::IntoResponse::into_response((status, "fault injected"));
    }
    // Both checks are for POST requests only, as in OpenIM.
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let header_str =
        |request: &Request, name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if header_str(&request, im_header::OPERATION_ID).is_empty() {
        return error_response(&CodeError::args("header must have operationID"));
    }
    let whitelisted = WHITELIST.iter().any(|w| request.uri().path().starts_with(w));
    if !whitelisted {
        let token = header_str(&request, im_header::TOKEN);
        if token.is_empty() {
            return error_response(&CodeError::args("header must have token"));
        }
        match state.auth.parse_token(&token).await {
            Ok(claims) => {
                request.extensions_mut().insert(Caller { user_id: claims.user_id });
            }
            Err(e) => return error_response(&e),
        }
    }
    next.run(request).await
}

/// `authverify.CheckAccess`: the caller acts for `user_id` itself, or is an app manager.
pub fn check_access(state: &SharedState, caller: &Caller, user_id: &str) -> Result<(), CodeError> {
    if caller.user_id == user_id || state.auth.is_admin(&caller.user_id) {
        Ok(())
    } else {
        Err(CodeError::no_permission(format!("user {} may not act for {user_id}", caller.user_id)))
    }
}

/// `authverify.CheckAdmin`: the caller must be an app manager.
pub fn check_admin(state: &SharedState, caller: &Caller) -> Result<(), CodeError> {
    if state.auth.is_admin(&caller.user_id) {
        Ok(())
    } else {
        Err(CodeError::no_permission(format!("user {} is not app manager", caller.user_id)))
    }
}

/// Most IDs one call may name.
const MAX_IDS: usize = 1000;

fn check_ids(ids: &[String], what: &str) -> Result<(), CodeError> {
    if ids.is_empty() {
        return Err(CodeError::args(format!("{what} is empty")));
    }
    if ids.len() > MAX_IDS {
        return Err(CodeError::args(format!("{what} has more than {MAX_IDS} IDs")));
    }
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err(CodeError::args(format!("{what} repeated")));
    }
    Ok(())
}

/// The offset and size of a page (page numbers from 1; a size of 0 or less: an empty page).
pub(super) fn window(pagination: &openim_wire::api::conversation::RequestPagination) -> (i64, i64) {
    let size = i64::from(pagination.show_number.max(0));
    ((i64::from(pagination.page_number.max(1)) - 1) * size, size)
}

fn check_page(pagination: &openim_wire::api::conversation::RequestPagination) -> Result<(), CodeError> {
    if pagination.page_number < 1 || pagination.show_number < 1 {
        return Err(CodeError::args("pagination is invalid"));
    }
    Ok(())
}

/// The users must exist (OpenIM's `CheckUser` answers RecordNotFound).
pub(super) async fn check_users(state: &SharedState, ids: &[&str]) -> Result<(), CodeError> {
    for id in ids {
        if state.store.find_user(id).await?.is_none() {
            return Err(CodeError::new(errcode::RECORD_NOT_FOUND, format!("user {id} not found")));
        }
    }
    Ok(())
}
