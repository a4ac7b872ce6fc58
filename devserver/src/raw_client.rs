//! A bare gateway client in the JSON envelope (`sdkType=js`, gzip): what the SDK's tests use
//! to send what the SDK itself would refuse, what devserver's tests use to pin the wire, and
//! the floor the bench tool measures the SDK against.

use anyhow::{Context as _, bail};
use futures_util::{SinkExt, StreamExt};
use openim_wire::gateway::{WsRequest, WsResponse, decode_frame, encode_frame};
use tokio_tungstenite::tungstenite::Message;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One gateway connection of one user; requests are numbered `<user>_<n>`.
pub struct RawClient {
    ws: Ws,
    user_id: String,
    n: u64,
}

/// The WebSocket setup the SDK uses (reads through 16 KiB: tungstenite zeroes its read buffer
/// before each read, and its default is 128 KiB); Nagle's algorithm is off, as in the SDK.
pub fn socket_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(16 * 1024)
}

impl RawClient {
    /// Connects `user_id` on `platform_id` with `token` to the gateway at `ws_url`.
    pub async fn connect(ws_url: &str, user_id: &str, token: &str, platform_id: i32) -> anyhow::Result<Self> {
        let url = format!(
            "{ws_url}/?sendID={user_id}&token={token}&platformID={platform_id}&operationID=raw&isBackground=false&compression=gzip&sdkType=js"
        );
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(socket_config()), true).await.context("raw client connects")?;
        Ok(Self { ws, user_id: user_id.to_owned(), n: 0 })
    }

    /// The connection's user.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// Sends request `req_identifier` with `data`; returns its `msgIncr`.
    pub async fn send(&mut self, req_identifier: i32, data: Vec<u8>) -> anyhow::Result<String> {
        self.n += 1;
        let msg_incr = format!("{}_{}", self.user_id, self.n);
        let request = WsRequest {
            req_identifier,
            send_id: self.user_id.clone(),
            operation_id: format!("raw-{}", self.n),
            msg_incr: msg_incr.clone(),
            data,
            ..Default::default()
        };
        self.ws.send(Message::Binary(encode_frame(&request, true).into())).await?;
        Ok(msg_incr)
    }

    /// The next binary frame, decoded (pings and text frames are skipped).
    pub async fn next(&mut self) -> anyhow::Result<WsResponse> {
        loop {
            match self.ws.next().await.context("connection closed")?? {
                Message::Binary(b) => return Ok(decode_frame(&b, true, 64 << 20)?),
                Message::Close(_) => bail!("connection closed"),
                _ => {}
            }
        }
    }

    /// Request `req_identifier` and its reply envelope, whatever its `errCode`; the frames that
    /// came before the reply (pushes) are returned too.
    pub async fn request<Q: prost::Message>(&mut self, req_identifier: i32, q: &Q) -> anyhow::Result<(WsResponse, Vec<WsResponse>)> {
        let msg_incr = self.send(req_identifier, q.encode_to_vec()).await?;
        let mut before = Vec::new();
        loop {
            let r = self.next().await?;
            if r.msg_incr == msg_incr {
                return Ok((r, before));
            }
            before.push(r);
        }
    }

    /// [`Self::request`] with the reply's payload decoded; `errCode != 0` is an error.
    pub async fn call<Q: prost::Message, R: prost::Message + Default>(&mut self, req_identifier: i32, q: &Q) -> anyhow::Result<(R, Vec<WsResponse>)> {
        let (r, before) = self.request(req_identifier, q).await?;
        if r.err_code != 0 {
            bail!("request {req_identifier}: {} {}", r.err_code, r.err_msg);
        }
        Ok((R::decode(r.data.as_slice())?, before))
    }

    /// Closes the connection with a close frame.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
