//! Gateway requests by `reqIdentifier`.

use openim_wire::constant::req;
use openim_wire::pb::{GoEncode as _, Message as _, msg, push, sdkws};

use super::registry::ConnHandle;
use crate::error::{CodeError, CodeResult};
use crate::messaging::{pull, send};
use crate::state::SharedState;

fn decode<M: prost::Message + Default>(data: &[u8]) -> CodeResult<M> {
    M::decode(data).map_err(|e| CodeError::internal(format!("error unmarshaling request: {e}")))
}

/// Handles one request; `None` for an identifier the gateway does not serve (the connection is
/// then closed, as OpenIM does).
pub async fn handle(state: &SharedState, conn: &ConnHandle, request: &openim_wire::gateway::WsRequest) -> Option<CodeResult<Vec<u8>>> {
    let data = &request.data;
    let user = conn.user_id.as_str();
    Some(match request.req_identifier {
        req::GET_NEWEST_SEQ => async {
            let _req: sdkws::GetMaxSeqReq = decode(data)?;
            Ok(pull::max_seqs(state, user).await?.encode_go())
        }
        .await,
        req::PULL_MSG_BY_RANGE => async {
            let req: sdkws::PullMessageBySeqsReq = decode(data)?;
            Ok(pull::pull_by_range(state, user, &req).await?.encode_go())
        }
        .await,
        req::SEND_MSG => async {
            let msg: sdkws::MsgData = decode(data)?;
            Ok(send::send_from_client(state, user, conn.platform_id, &request.operation_id, msg).await?.encode_go())
        }
        .await,
        req::PULL_MSG_BY_SEQ_LIST => async {
            let req: msg::GetSeqMessageReq = decode(data)?;
            Ok(pull::pull_by_seqs(state, user, &req).await?.encode_go())
        }
        .await,
        req::GET_CONV_MAX_READ_SEQ => async {
            let req: msg::GetConversationsHasReadAndMaxSeqReq = decode(data)?;
            Ok(pull::has_read_and_max_seqs(state, user, &req).await?.encode_go())
        }
        .await,
        req::PULL_CONV_LAST_MESSAGE => async {
            let req: msg::GetLastMessageReq = decode(data)?;
            Ok(pull::last_messages(state, user, &req).await?.encode_go())
        }
        .await,
        req::LOGOUT_MSG => decode::<push::DelUserPushTokenReq>(data).map(|_| push::DelUserPushTokenResp {}.encode_to_vec()),
        req::SET_BACKGROUND_STATUS => decode::<sdkws::SetAppBackgroundStatusReq>(data).map(|r| {
            conn.background.store(r.is_background, std::sync::atomic::Ordering::Relaxed);
            Vec::new()
        }),
        req::SUB_USER_ONLINE_STATUS => decode::<sdkws::SubUserOnlineStatus>(data).map(|r| {
            {
                let mut followed = conn.subscriptions.lock().expect("subscription lock");
                for id in &r.unsubscribe_user_id {
                    followed.remove(id);
                }
                followed.extend(r.subscribe_user_id.iter().cloned());
            }
            let subscribers = r
                .subscribe_user_id
                .into_iter()
                .map(|user_id| sdkws::SubUserOnlineStatusElem { online_platform_ids: state.registry.online_platforms(&user_id), user_id })
                .collect();
            sdkws::SubUserOnlineStatusTips { subscribers }.encode_to_vec()
        }),
        _ => return None,
    })
}
