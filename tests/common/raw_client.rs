//! A bare gateway client speaking the JSON envelope, for sending what the SDK would refuse to
//! (unknown content types, malformed content).

use futures_util::{SinkExt, StreamExt};
use openim_wire::constant::req;
use openim_wire::gateway::{WsRequest, WsResponse, decode_frame, encode_frame};
use openim_wire::pb::Message as _;
use openim_wire::pb::msg::SendMsgResp;
use openim_wire::pb::sdkws::MsgData;
use tokio_tungstenite::tungstenite::Message;

/// Connects as `user_id` on `platform_id` and sends `msg` (request 1003); returns the reply.
pub async fn send_raw(ws_url: &str, user_id: &str, token: &str, platform_id: i32, msg: MsgData) -> SendMsgResp {
    let url = format!(
        "{ws_url}/?sendID={user_id}&token={token}&platformID={platform_id}&operationID=raw&isBackground=false&compression=gzip&sdkType=js"
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("raw client connects");
    let request = WsRequest {
        req_identifier: req::SEND_MSG,
        send_id: user_id.to_owned(),
        operation_id: "raw-op".into(),
        msg_incr: "raw_1".into(),
        data: msg.encode_to_vec(),
        ..Default::default()
    };
    ws.send(Message::Binary(encode_frame(&request, true).into())).await.unwrap();
    while let Some(Ok(frame)) = ws.next().await {
        if let Message::Binary(b) = frame {
            let resp: WsResponse = decode_frame(&b, true, 1 << 20).unwrap();
            if resp.msg_incr == "raw_1" {
                assert_eq!(resp.err_code, 0, "raw send refused: {}", resp.err_msg);
                let _ = ws.close(None).await;
                return SendMsgResp::decode(resp.data.as_slice()).unwrap();
            }
        }
    }
    panic!("raw client got no reply");
}
