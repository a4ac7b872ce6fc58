//! Sending what the SDK would refuse (unknown content types, malformed content) through
//! devserver's bare gateway client.

use openim_devserver::RawClient;
use openim_wire::constant::req;
use openim_wire::pb::msg::SendMsgResp;
use openim_wire::pb::sdkws::MsgData;

/// Connects as `user_id` on `platform_id` and sends `msg` (request 1003); returns the reply.
pub async fn send_raw(ws_url: &str, user_id: &str, token: &str, platform_id: i32, msg: MsgData) -> SendMsgResp {
    let mut client = RawClient::connect(ws_url, user_id, token, platform_id).await.expect("raw client connects");
    let (reply, _) = client.call(req::SEND_MSG, &msg).await.expect("raw send accepted");
    client.close().await;
    reply
}
