//! Gateway requests by `reqIdentifier`.

use openim_wire::constant::req;
use openim_wire::pb::{Message as _, push, sdkws};

use super::registry::ConnHandle;
use crate::error::{CodeError, CodeResult};
use crate::state::SharedState;

fn decode<M: prost::Message + Default>(data: &[u8]) -> CodeResult<M> {
    M::decode(data).map_err(|e| CodeError::internal(format!("error unmarshaling request: {e}")))
}

/// Handles one request; `None` for an identifier the gateway does not serve (the connection is
/// then closed, as OpenIM does).
pub async fn handle(state: &SharedState, conn: &ConnHandle, request: &openim_wire::gateway::WsRequest) -> Option<CodeResult<Vec<u8>>> {
    let data = &request.data;
    Some(match request.req_identifier {
        req::GET_NEWEST_SEQ => get_newest_seq(data),
        req::LOGOUT_MSG => decode::<push::DelUserPushTokenReq>(data).map(|_| push::DelUserPushTokenResp {}.encode_to_vec()),
        req::SET_BACKGROUND_STATUS => decode::<sdkws::SetAppBackgroundStatusReq>(data).map(|r| {
            conn.background.store(r.is_background, std::sync::atomic::Ordering::Relaxed);
            Vec::new()
        }),
        req::SUB_USER_ONLINE_STATUS => decode::<sdkws::SubUserOnlineStatus>(data).map(|r| {
            let subscribers = r
                .subscribe_user_id
                .into_iter()
                .map(|user_id| {
                    let mut online_platform_ids: Vec<i32> =
                        state.registry.conns_of(&user_id).iter().map(|c| c.platform_id).collect();
                    online_platform_ids.sort_unstable();
                    online_platform_ids.dedup();
                    sdkws::SubUserOnlineStatusElem { user_id, online_platform_ids }
                })
                .collect();
            sdkws::SubUserOnlineStatusTips { subscribers }.encode_to_vec()
        }),
        _ => return None,
    })
}

fn get_newest_seq(data: &[u8]) -> CodeResult<Vec<u8>> {
    let _req: sdkws::GetMaxSeqReq = decode(data)?;
    Ok(sdkws::GetMaxSeqResp::default().encode_to_vec())
}
