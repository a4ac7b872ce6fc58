//! A gateway frame in the JSON envelope (`sdkType=js`), as the SDK reads it: the first input
//! byte says whether the connection is gzip-compressed, the rest is the frame. A decoded reply
//! or push goes on to its protobuf payload and every message in it, as the engine does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openim_sdk::Message;
use openim_wire::gateway::{WsRequest, WsResponse, decode_frame};
use openim_wire::pb::Message as _;
use openim_wire::pb::sdkws::{PullMessageBySeqsResp, PushMessages};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, frame)) = data.split_first() else { return };
    let gzip = mode & 1 == 1;
    if let Ok(r) = decode_frame::<WsResponse>(frame, gzip, 51_200 * 20) {
        if let Ok(push) = PushMessages::decode(r.data.as_slice()) {
            for pulled in push.msgs.values().chain(push.notification_msgs.values()) {
                for m in &pulled.msgs {
                    let _ = Message::from_msg_data(m).summary();
                }
            }
        }
        if let Ok(pulled) = PullMessageBySeqsResp::decode(r.data.as_slice()) {
            for m in pulled.msgs.values().flat_map(|p| &p.msgs) {
                let _ = Message::from_msg_data(m);
            }
        }
    }
    // devserver's side of the same connection.
    let _ = decode_frame::<WsRequest>(frame, gzip, 51_200);
});
