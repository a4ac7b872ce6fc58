//! A REST reply body: OpenIM's `{errCode, errMsg, errDlt, data}` envelope around the shapes
//! the SDK reads most (user profiles, the incremental conversation sync) and any JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openim_wire::api::ApiResponse;
use openim_wire::api::conversation::GetIncrementalConversationResp;
use openim_wire::api::user::GetUsersInfoResp;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<ApiResponse<GetUsersInfoResp>>(data);
    let _ = serde_json::from_slice::<ApiResponse<GetIncrementalConversationResp>>(data);
    let _ = serde_json::from_slice::<ApiResponse<serde_json::Value>>(data);
});
