//! OpenIM v3 wire types, defined once and used by both the SDK and the devserver.
//!
//! * [`constant`]: request identifiers, content and session types, platform IDs, option keys.
//! * [`errcode`]: server and SDK error codes.
//! * [`gateway`]: the JSON envelope (`sdkType=js`) of the WebSocket gateway and its gzip framing.
//! * [`pb`]: protobuf messages carried in the envelope's `data`, with OpenIM's field numbers.
//! * [`api`]: the REST envelope `{errCode, errMsg, errDlt, data}` and request/response bodies.
//! * [`elem`]: message content JSON (elems, `MsgStruct`, notification tips).
//! * [`conversation_id`]: how OpenIM derives conversation IDs.

pub mod api;
pub mod constant;
pub mod conversation_id;
pub mod elem;
pub mod errcode;
pub mod gateway;
pub mod gob;
pub mod gzip;
pub mod json;
pub mod pb;
pub mod time;
