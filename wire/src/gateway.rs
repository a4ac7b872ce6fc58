//! The gateway's JSON envelope (`sdkType=js`): every binary frame is the JSON of a
//! [`WsRequest`] (client → server) or a [`WsResponse`] (server → client), gzip-compressed when
//! the connection asked for `compression=gzip`. `data` holds a protobuf message, base64 in JSON.
//! Text frames carry only [`TextMessage`] heartbeats and the handshake reply of `isMsgResp`.

use serde::{Deserialize, Serialize};

use crate::gzip::{self, GzipError};

/// Connect-query keys (open-im-server `msggateway/constant.go`).
pub mod query {
    pub const SEND_ID: &str = "sendID";
    pub const TOKEN: &str = "token";
    pub const PLATFORM_ID: &str = "platformID";
    pub const OPERATION_ID: &str = "operationID";
    pub const COMPRESSION: &str = "compression";
    pub const IS_BACKGROUND: &str = "isBackground";
    pub const IS_MSG_RESP: &str = "isMsgResp";
    pub const SDK_TYPE: &str = "sdkType";
    pub const SDK_VERSION: &str = "sdkVersion";
    /// Alternative form: base64url JSON of all of the above.
    pub const V: &str = "v";

    pub const GZIP: &str = "gzip";
    pub const SDK_TYPE_GO: &str = "go";
    pub const SDK_TYPE_JS: &str = "js";
}

/// A client request frame.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WsRequest {
    #[serde(rename = "reqIdentifier", default)]
    pub req_identifier: i32,
    #[serde(default)]
    pub token: String,
    #[serde(rename = "sendID", default)]
    pub send_id: String,
    #[serde(rename = "operationID", default)]
    pub operation_id: String,
    #[serde(rename = "msgIncr", default)]
    pub msg_incr: String,
    #[serde(with = "go_bytes", default)]
    pub data: Vec<u8>,
}

/// A server frame: a reply (echoing `msgIncr`) or a push (`msgIncr` empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WsResponse {
    #[serde(rename = "reqIdentifier", default)]
    pub req_identifier: i32,
    #[serde(rename = "msgIncr", default)]
    pub msg_incr: String,
    #[serde(rename = "operationID", default)]
    pub operation_id: String,
    #[serde(rename = "errCode", default)]
    pub err_code: i32,
    #[serde(rename = "errMsg", default)]
    pub err_msg: String,
    #[serde(with = "go_bytes", default)]
    pub data: Vec<u8>,
}

/// Application heartbeat carried in a text frame: `{"type":"ping"|"pong","body":...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextMessage {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

impl TextMessage {
    pub const PING: &'static str = "ping";
    pub const PONG: &'static str = "pong";
}

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error(transparent)]
    Gzip(#[from] GzipError),
    #[error("frame is not a valid envelope: {0}")]
    Json(#[from] serde_json::Error),
    #[error("frame of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("frame is not a valid gob envelope: {0}")]
    Gob(#[from] crate::gob::GobError),
}

/// Encodes an envelope into the bytes of one binary frame.
pub fn encode_frame<T: Serialize>(envelope: &T, gzip_on: bool) -> Vec<u8> {
    // Serialising these plain structs cannot fail.
    let json = serde_json::to_vec(envelope).expect("envelope serialises");
    if gzip_on { gzip::compress(&json) } else { json }
}

/// Decodes one binary frame; `limit` bounds both the frame and its inflated size.
pub fn decode_frame<T: for<'de> Deserialize<'de>>(
    frame: &[u8],
    gzip_on: bool,
    limit: usize,
) -> Result<T, FrameError> {
    if frame.len() > limit {
        return Err(FrameError::TooLarge { size: frame.len(), limit });
    }
    if gzip_on {
        let json = gzip::decompress(frame, limit)?;
        Ok(serde_json::from_slice(&json)?)
    } else {
        Ok(serde_json::from_slice(frame)?)
    }
}

/// Encodes a server frame in the gob envelope (clients without `sdkType=js`).
pub fn encode_gob_frame(resp: &WsResponse, gzip_on: bool) -> Vec<u8> {
    let gob = crate::gob::encode_response(resp);
    if gzip_on { gzip::compress(&gob) } else { gob }
}

/// Decodes one binary frame of the gob envelope; `limit` bounds the frame and its inflated size.
pub fn decode_gob_frame(frame: &[u8], gzip_on: bool, limit: usize) -> Result<WsRequest, FrameError> {
    if frame.len() > limit {
        return Err(FrameError::TooLarge { size: frame.len(), limit });
    }
    if gzip_on {
        Ok(crate::gob::decode_request(&gzip::decompress(frame, limit)?)?)
    } else {
        Ok(crate::gob::decode_request(frame)?)
    }
}

/// Go's `encoding/json` rendering of `[]byte`: standard base64 with padding, `null` when nil.
mod go_bytes {
    use base64::{Engine as _, engine::general_purpose::STANDARD};
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if bytes.is_empty() { s.serialize_none() } else { s.serialize_str(&STANDARD.encode(bytes)) }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(Vec::new()),
            Some(s) => STANDARD.decode(s.as_bytes()).map_err(D::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_uses_go_json_keys() {
        let req = WsRequest {
            req_identifier: 1001,
            send_id: "u1".into(),
            operation_id: "op".into(),
            msg_incr: "u1_1".into(),
            data: vec![0x0a, 0x02, b'u', b'1'],
            ..Default::default()
        };
        let json: serde_json::Value = serde_json::to_value(&req).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"reqIdentifier":1001,"token":"","sendID":"u1","operationID":"op","msgIncr":"u1_1","data":"CgJ1MQ=="})
        );
    }

    #[test]
    fn response_round_trips_through_gzip() {
        let resp = WsResponse { req_identifier: 2002, ..Default::default() };
        let frame = encode_frame(&resp, true);
        let back: WsResponse = decode_frame(&frame, true, 1 << 20).unwrap();
        assert_eq!(back, resp);
        let text = String::from_utf8(encode_frame(&resp, false)).unwrap();
        assert!(text.contains("\"data\":null"), "{text}");
    }

    #[test]
    fn bad_frames_are_errors() {
        assert!(matches!(decode_frame::<WsResponse>(b"\x1f\x8b garbage", true, 1024), Err(FrameError::Gzip(_))));
        assert!(matches!(decode_frame::<WsResponse>(b"{not json", false, 1024), Err(FrameError::Json(_))));
        assert!(matches!(
            decode_frame::<WsResponse>(br#"{"data":"***"}"#, false, 1024),
            Err(FrameError::Json(_))
        ));
        assert!(matches!(decode_frame::<WsResponse>(&[b' '; 2048], false, 1024), Err(FrameError::TooLarge { .. })));
    }
}
