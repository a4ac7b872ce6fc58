//! A protobuf `MsgData` as it arrives in pushes and pulls, turned into the SDK's message and
//! back: summary, the wire form, and the JSON form apps exchange.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openim_sdk::Message;
use openim_wire::pb::Message as _;
use openim_wire::pb::sdkws::MsgData;

fuzz_target!(|data: &[u8]| {
    let Ok(msg) = MsgData::decode(data) else { return };
    let m = Message::from_msg_data(&msg);
    let _ = m.summary();
    let _ = m.to_msg_data().encode_to_vec();
    let _ = Message::from_msg_struct(&m.to_msg_struct());
});
