//! Dialling the gateway: the connect URL of OpenIM's §3.1 and both forms of handshake verdict
//! (an HTTP 200 JSON body instead of an upgrade, or with `isMsgResp=true` a first text frame).

use std::time::Duration;

use futures_util::StreamExt;
use openim_wire::api::ApiResponse;
use openim_wire::constant::defaults;
use openim_wire::errcode;
use openim_wire::gateway::query;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message, protocol::WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{MAX_FRAME, WsConfig};
use crate::util::operation_id;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Time allowed for TCP + TLS + upgrade, and again for the handshake verdict.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub enum ConnectError {
    /// The server answered with an error code.
    Rejected { code: i32, message: String },
    /// The server could not be reached or answered nonsense.
    Failed { code: i32, message: String },
}

impl ConnectError {
    pub fn code_and_message(self) -> (i32, String) {
        match self {
            Self::Rejected { code, message } | Self::Failed { code, message } => (code, message),
        }
    }

    fn network(message: impl Into<String>) -> Self {
        Self::Failed { code: errcode::SDK_NETWORK, message: message.into() }
    }
}

/// The connect URL. It carries the token, so it is never logged.
pub fn connect_url(config: &WsConfig) -> url::Url {
    let mut url = config.ws_addr.clone();
    url.query_pairs_mut()
        .append_pair(query::SEND_ID, &config.user_id)
        .append_pair(query::TOKEN, config.token.expose())
        .append_pair(query::PLATFORM_ID, &config.platform_id.to_string())
        .append_pair(query::OPERATION_ID, &operation_id())
        .append_pair(
            query::IS_BACKGROUND,
            if config.background.load(std::sync::atomic::Ordering::Relaxed) { "true" } else { "false" },
        )
        .append_pair(query::SDK_VERSION, defaults::SDK_VERSION)
        .append_pair(query::COMPRESSION, query::GZIP)
        .append_pair(query::SDK_TYPE, query::SDK_TYPE_JS)
        .append_pair(query::IS_MSG_RESP, "true");
    url
}

/// Bytes read from the socket at a time.
const READ_BUFFER: usize = 16 * 1024;

/// Connects and waits for the handshake verdict. On success returns the socket and, when the
/// server sent a data frame before any verdict, that frame.
pub async fn connect(config: &WsConfig) -> Result<(Socket, Option<Message>), ConnectError> {
    let url = connect_url(config);
    // tungstenite zeroes the free part of its read buffer before every read: its 128 KiB
    // default cost microseconds per received frame (a large frame just takes more reads).
    let ws_config =
        WebSocketConfig::default().max_message_size(Some(MAX_FRAME)).max_frame_size(Some(MAX_FRAME)).read_buffer_size(READ_BUFFER);
    let dialled =
        tokio::time::timeout(HANDSHAKE_TIMEOUT, tokio_tungstenite::connect_async_with_config(url.as_str(), Some(ws_config), true))
            .await;
    let mut ws = match dialled {
        Err(_) => {
            return Err(ConnectError::Failed {
                code: errcode::SDK_NETWORK_TIMEOUT,
                message: format!("no WebSocket upgrade within {HANDSHAKE_TIMEOUT:?}"),
            });
        }
        Ok(Err(tungstenite::Error::Http(response))) => return Err(from_http_body(response.status(), response.body().as_deref())),
        Ok(Err(e)) => return Err(ConnectError::network(e.to_string())),
        Ok(Ok((ws, _))) => ws,
    };
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, ws.next()).await {
        Err(_) => Err(ConnectError::Failed {
            code: errcode::SDK_NETWORK_TIMEOUT,
            message: format!("no handshake reply within {HANDSHAKE_TIMEOUT:?}"),
        }),
        Ok(None) => Err(ConnectError::network("gateway closed the connection during the handshake")),
        Ok(Some(Err(e))) => Err(ConnectError::network(format!("handshake: {e}"))),
        Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str::<ApiResponse<serde_json::Value>>(text.as_str()) {
            Ok(verdict) if verdict.err_code == 0 => Ok((ws, None)),
            Ok(verdict) => Err(rejected(verdict)),
            // Not a verdict (e.g. an application heartbeat): the server skipped `isMsgResp`.
            Err(_) => Ok((ws, Some(Message::Text(text)))),
        },
        Ok(Some(Ok(Message::Close(frame)))) => {
            Err(ConnectError::network(format!("gateway closed the connection during the handshake: {frame:?}")))
        }
        Ok(Some(Ok(other))) => Ok((ws, Some(other))),
    }
}

fn rejected(verdict: ApiResponse<serde_json::Value>) -> ConnectError {
    let mut message = verdict.err_msg;
    if !verdict.err_dlt.is_empty() {
        message = format!("{message}: {}", verdict.err_dlt);
    }
    ConnectError::Rejected { code: verdict.err_code, message }
}

/// A refused upgrade: OpenIM puts `{errCode, errMsg, errDlt}` in the body.
fn from_http_body(status: tungstenite::http::StatusCode, body: Option<&[u8]>) -> ConnectError {
    match body.map(serde_json::from_slice::<ApiResponse<serde_json::Value>>) {
        Some(Ok(verdict)) if verdict.err_code != 0 => rejected(verdict),
        _ => ConnectError::network(format!("gateway answered HTTP {status} instead of upgrading")),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::util::Token;

    #[test]
    fn url_has_openim_query() {
        let config = WsConfig {
            ws_addr: url::Url::parse("ws://127.0.0.1:10001").unwrap(),
            user_id: "u 1".into(),
            token: Token::new("t.k"),
            platform_id: 2,
            background: Arc::new(AtomicBool::new(false)),
        };
        let url = connect_url(&config);
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["sendID"], "u 1");
        assert_eq!(pairs["token"], "t.k");
        assert_eq!(pairs["platformID"], "2");
        assert_eq!(pairs["isBackground"], "false");
        assert_eq!(pairs["compression"], "gzip");
        assert_eq!(pairs["sdkType"], "js");
        assert_eq!(pairs["isMsgResp"], "true");
        assert_eq!(pairs["sdkVersion"], "3.8.0");
        assert!(!pairs["operationID"].is_empty());
    }

    #[test]
    fn http_body_verdicts() {
        let body = br#"{"errCode":1501,"errMsg":"TokenExpiredError","errDlt":""}"#;
        assert!(matches!(
            from_http_body(tungstenite::http::StatusCode::OK, Some(body)),
            ConnectError::Rejected { code: 1501, .. }
        ));
        assert!(matches!(
            from_http_body(tungstenite::http::StatusCode::BAD_GATEWAY, Some(b"<html>")),
            ConnectError::Failed { code: 10000, .. }
        ));
    }
}
