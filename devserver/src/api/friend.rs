//! `/friend/*`: applications, friend lists (versioned), blacklists, as OpenIM's relation
//! service answers them, with its notifications (all pushed only, to both sides).


use axum::Extension;
use axum::extract::State;
use openim_wire::api::friend::*;
use openim_wire::constant::{content_type, session_type};
use openim_wire::elem::{FriendApplicationTips, FriendsInfoUpdateTips, FromToTips, FromToUserID};
use openim_wire::errcode;

use super::envelope::{ApiResult, Body, ok, ok_empty};
use super::{Caller, check_access, check_ids, check_page, check_users};
use crate::error::CodeError;
use crate::messaging::notify::{notify, notify_with_chat_copy};
use crate::state::SharedState;
use crate::store::friends::{FriendUpdate, SORT_ID};
use crate::store::now_ms;
use crate::store::versions::kind;

fn from_to(from: &str, to: &str) -> FromToUserID {
    FromToUserID { from_user_id: from.to_owned(), to_user_id: to.to_owned() }
}

pub async fn add_friend(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<ApplyToAddFriendReq>) -> ApiResult {
    if req.from_user_id.is_empty() || req.to_user_id.is_empty() {
        return Err(CodeError::args("fromUserID and toUserID are required"));
    }
    check_access(&state, &caller, &req.from_user_id)?;
    if req.from_user_id == req.to_user_id {
        return Err(CodeError::new(errcode::CAN_NOT_ADD_YOURSELF, "can not add yourself"));
    }
    check_users(&state, &[&req.from_user_id, &req.to_user_id]).await?;
    if state.store.is_friend(&req.from_user_id, &req.to_user_id).await? && state.store.is_friend(&req.to_user_id, &req.from_user_id).await? {
        return Err(CodeError::new(errcode::RELATIONSHIP_ALREADY, "already friends"));
    }
    state.store.put_friend_request(&req.from_user_id, &req.to_user_id, &req.req_msg, &req.ex, now_ms()).await?;
    let request = state.store.friend_request(&req.from_user_id, &req.to_user_id).await?;
    let tips = FriendApplicationTips { from_to_user_id: from_to(&req.from_user_id, &req.to_user_id), handle_msg: String::new(), request };
    notify(&state, &req.from_user_id, &req.to_user_id, content_type::FRIEND_APPLICATION, session_type::SINGLE_CHAT, &tips).await?;
    Ok(ok_empty())
}

pub async fn add_friend_response(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<RespondFriendApplyReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.to_user_id)?;
    let (applicant, handler) = (req.from_user_id.as_str(), req.to_user_id.as_str());
    let Some(request) = state.store.friend_request(applicant, handler).await? else {
        return Err(CodeError::new(errcode::RECORD_NOT_FOUND, "friend request not found"));
    };
    let now = now_ms();
    match req.handle_result {
        1 => {
            if request.handle_result != 0 {
                return Err(CodeError::args("the friend request has been processed"));
            }
            state.store.handle_friend_request(applicant, handler, 1, handler, &req.handle_msg, now).await?;
            // A pending request the other way is agreed with it.
            if state.store.friend_request(handler, applicant).await?.is_some_and(|r| r.handle_result == 0) {
                state.store.handle_friend_request(handler, applicant, 1, handler, &req.handle_msg, now).await?;
            }
            state.store.add_friend_row(applicant, handler, 2, applicant, now).await?;
            state.store.add_friend_row(handler, applicant, 2, applicant, now).await?;
            let tips = FriendApplicationTips {
                from_to_user_id: from_to(applicant, handler),
                handle_msg: req.handle_msg.clone(),
                request: state.store.friend_request(applicant, handler).await?,
            };
            notify_with_chat_copy(&state, handler, applicant, content_type::FRIEND_APPLICATION_APPROVED, session_type::SINGLE_CHAT, &tips)
                .await?;
        }
        -1 => {
            if request.handle_result != 0 {
                return Err(CodeError::new(errcode::FRIEND_REQUEST_HANDLED, "the friend request has been processed"));
            }
            state.store.handle_friend_request(applicant, handler, -1, handler, &req.handle_msg, now).await?;
            let tips = FriendApplicationTips {
                from_to_user_id: from_to(applicant, handler),
                handle_msg: req.handle_msg.clone(),
                request: state.store.friend_request(applicant, handler).await?,
            };
            notify(&state, handler, applicant, content_type::FRIEND_APPLICATION_REJECTED, session_type::SINGLE_CHAT, &tips).await?;
        }
        other => return Err(CodeError::args(format!("handleResult {other} is invalid"))),
    }
    Ok(ok_empty())
}

pub async fn delete_friend(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<DeleteFriendReq>) -> ApiResult {
    check_access(&state, &caller, &req.owner_user_id)?;
    state.store.delete_friend_row(&req.owner_user_id, &req.friend_user_id).await?;
    let tips = FromToTips { from_to_user_id: from_to(&req.owner_user_id, &req.friend_user_id) };
    notify(&state, &req.owner_user_id, &req.friend_user_id, content_type::FRIEND_DELETED, session_type::SINGLE_CHAT, &tips).await?;
    Ok(ok_empty())
}

pub async fn get_friend_apply_list(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetPaginationFriendsApplyReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    check_page(&req.pagination)?;
    let (friend_requests, total) =
        state.store.friend_requests_page(&req.user_id, true, &req.handle_results, req.pagination.page_number, req.pagination.show_number).await?;
    Ok(ok(GetPaginationFriendsApplyToResp { friend_requests, total }))
}

pub async fn get_self_friend_apply_list(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetPaginationFriendsApplyReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    check_page(&req.pagination)?;
    let (friend_requests, total) =
        state.store.friend_requests_page(&req.user_id, false, &req.handle_results, req.pagination.page_number, req.pagination.show_number).await?;
    Ok(ok(GetPaginationFriendsApplyFromResp { friend_requests, total }))
}

pub async fn get_self_unhandled_apply_count(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetSelfUnhandledApplyCountReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let count = state.store.unhandled_friend_requests(&req.user_id, req.time).await?;
    Ok(ok(GetSelfUnhandledApplyCountResp { count }))
}

pub async fn get_designated_friend_apply(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetDesignatedFriendsApplyReq>,
) -> ApiResult {
    if caller.user_id != req.from_user_id && caller.user_id != req.to_user_id {
        check_access(&state, &caller, &req.from_user_id)?;
    }
    let mut friend_requests = Vec::new();
    friend_requests.extend(state.store.friend_request(&req.from_user_id, &req.to_user_id).await?);
    friend_requests.extend(state.store.friend_request(&req.to_user_id, &req.from_user_id).await?);
    Ok(ok(GetDesignatedFriendsApplyResp { friend_requests }))
}

pub async fn get_friend_list(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetPaginationFriendsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    check_page(&req.pagination)?;
    let ids = state.store.friend_ids(&req.user_id).await?;
    let (page, show) = (req.pagination.page_number as usize, req.pagination.show_number as usize);
    let wanted: Vec<String> = ids.iter().skip((page - 1).saturating_mul(show)).take(show).cloned().collect();
    let friends_info = state.store.friends(&req.user_id, &wanted).await?;
    Ok(ok(GetPaginationFriendsResp { friends_info, total: ids.len() as i32 }))
}

pub async fn get_designated_friends(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetDesignatedFriendsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.owner_user_id)?;
    check_ids(&req.friend_user_ids, "friendUserIDs")?;
    let friends_info = state.store.friends(&req.owner_user_id, &req.friend_user_ids).await?;
    Ok(ok(GetDesignatedFriendsResp { friends_info }))
}

pub async fn update_friends(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<UpdateFriendsReq>) -> ApiResult {
    check_ids(&req.friend_user_ids, "friendUserIDs")?;
    check_access(&state, &caller, &req.owner_user_id)?;
    // As OpenIM: an ID that is no friend changes nothing, and is not refused.
    let update = FriendUpdate { is_pinned: req.is_pinned, remark: req.remark.clone(), ex: req.ex.clone() };
    state.store.update_friends(&req.owner_user_id, &req.friend_user_ids, &update).await?;
    let tips = FriendsInfoUpdateTips { from_to_user_id: from_to("", &req.owner_user_id), friend_ids: req.friend_user_ids.clone() };
    notify(&state, &req.owner_user_id, &req.owner_user_id, content_type::FRIENDS_INFO_UPDATE, session_type::SINGLE_CHAT, &tips).await?;
    Ok(ok_empty())
}

pub async fn get_incremental_friends(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetIncrementalFriendsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let mut delta = state.store.delta(kind::FRIEND, &req.user_id, &req.version_id, req.version).await?;
    // The order marker is no friend: its presence says the order changed.
    let sorted = delta.update.iter().chain(&delta.insert).any(|id| id == SORT_ID);
    delta.update.retain(|id| id != SORT_ID);
    delta.insert.retain(|id| id != SORT_ID);
    let insert = state.store.friends(&req.user_id, &delta.insert).await?;
    let update = state.store.friends(&req.user_id, &delta.update).await?;
    Ok(ok(GetIncrementalFriendsResp {
        version: delta.version,
        version_id: delta.version_id,
        full: delta.full,
        delete: delta.delete,
        insert,
        update,
        sort_version: if sorted { delta.version } else { 0 },
    }))
}

pub async fn get_full_friend_user_ids(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetFullFriendUserIDsReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    let doc = state.store.version_doc(kind::FRIEND, &req.user_id).await?;
    let ids = state.store.friend_ids(&req.user_id).await?;
    let equal = req.id_hash == openim_wire::json::id_hash(&ids);
    Ok(ok(GetFullFriendUserIDsResp { version: doc.version, version_id: doc.version_id, equal, user_ids: if equal { Vec::new() } else { ids } }))
}

pub async fn add_black(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<AddBlackReq>) -> ApiResult {
    if req.owner_user_id.is_empty() || req.black_user_id.is_empty() {
        return Err(CodeError::args("ownerUserID and blackUserID are required"));
    }
    check_access(&state, &caller, &req.owner_user_id)?;
    check_users(&state, &[&req.owner_user_id, &req.black_user_id]).await?;
    if !state.store.add_black(&req.owner_user_id, &req.black_user_id, &caller.user_id, &req.ex, now_ms()).await? {
        return Err(CodeError::new(errcode::DUPLICATE_KEY, "already in the blacklist"));
    }
    let tips = FromToTips { from_to_user_id: from_to(&req.owner_user_id, &req.black_user_id) };
    notify(&state, &req.owner_user_id, &req.black_user_id, content_type::BLACK_ADDED, session_type::SINGLE_CHAT, &tips).await?;
    Ok(ok_empty())
}

pub async fn remove_black(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<RemoveBlackReq>) -> ApiResult {
    check_access(&state, &caller, &req.owner_user_id)?;
    state.store.remove_black(&req.owner_user_id, &req.black_user_id).await?;
    let tips = FromToTips { from_to_user_id: from_to(&req.owner_user_id, &req.black_user_id) };
    notify(&state, &req.owner_user_id, &req.black_user_id, content_type::BLACK_DELETED, session_type::SINGLE_CHAT, &tips).await?;
    Ok(ok_empty())
}

pub async fn get_black_list(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetPaginationBlacksReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.user_id)?;
    check_page(&req.pagination)?;
    let (blacks, total) = state.store.blacks_page(&req.user_id, req.pagination.page_number, req.pagination.show_number).await?;
    Ok(ok(BlacksResp { blacks, total }))
}

pub async fn get_specified_blacks(
    State(state): State<SharedState>,
    Extension(caller): Extension<Caller>,
    Body(req): Body<GetSpecifiedBlacksReq>,
) -> ApiResult {
    check_access(&state, &caller, &req.owner_user_id)?;
    check_ids(&req.user_id_list, "userIDList")?;
    let blacks = state.store.specified_blacks(&req.owner_user_id, &req.user_id_list).await?;
    let total = blacks.len() as i32;
    Ok(ok(BlacksResp { blacks, total }))
}

pub async fn is_friend(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<IsFriendReq>) -> ApiResult {
    if caller.user_id != req.user_id1 && caller.user_id != req.user_id2 {
        check_access(&state, &caller, &req.user_id1)?;
    }
    Ok(ok(IsFriendResp {
        in_user1_friends: state.store.is_friend(&req.user_id1, &req.user_id2).await?,
        in_user2_friends: state.store.is_friend(&req.user_id2, &req.user_id1).await?,
    }))
}

/// `import_friend` (admin): friends both ways at once, 1201 to the owner for each.
pub async fn import_friend(State(state): State<SharedState>, Extension(caller): Extension<Caller>, Body(req): Body<ImportFriendReq>) -> ApiResult {
    super::check_admin(&state, &caller)?;
    let mut all: Vec<&str> = vec![req.owner_user_id.as_str()];
    all.extend(req.friend_user_ids.iter().map(String::as_str));
    check_users(&state, &all).await?;
    if req.friend_user_ids.contains(&req.owner_user_id) {
        return Err(CodeError::new(errcode::CAN_NOT_ADD_YOURSELF, "can not add yourself"));
    }
    check_ids(&req.friend_user_ids, "friendUserIDs")?;
    let now = now_ms();
    for friend in &req.friend_user_ids {
        // OpenIM's BecomeFriendByImport.
        state.store.add_friend_row(&req.owner_user_id, friend, 1, &caller.user_id, now).await?;
        state.store.add_friend_row(friend, &req.owner_user_id, 1, &caller.user_id, now).await?;
        // As OpenIM words it: the owner's application, approved by the friend, who sends it to
        // the owner, with a visible copy in their chat.
        let tips = FriendApplicationTips { from_to_user_id: from_to(&req.owner_user_id, friend), handle_msg: String::new(), request: None };
        notify_with_chat_copy(&state, friend, &req.owner_user_id, content_type::FRIEND_APPLICATION_APPROVED, session_type::SINGLE_CHAT, &tips)
            .await?;
    }
    Ok(ok_empty())
}
