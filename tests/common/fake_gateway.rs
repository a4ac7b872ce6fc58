//! Servers that lie: a WebSocket gateway whose behaviour each test scripts, and an HTTP server
//! that answers every request with a fixed response.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::{SinkExt, StreamExt};
use openim_wire::gateway::{WsRequest, WsResponse, decode_frame, encode_frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

pub type ServerWs = WebSocketStream<TcpStream>;

pub struct FakeGateway {
    pub url: String,
    pub connections: Arc<AtomicUsize>,
}

impl FakeGateway {
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Accepts WebSocket connections and hands each (numbered from 1) to `script`.
pub async fn start<F, Fut>(script: F) -> FakeGateway
where
    F: Fn(ServerWs, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    let script = Arc::new(script);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            let script = script.clone();
            tokio::spawn(async move {
                if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                    script(ws, n).await;
                }
            });
        }
    });
    FakeGateway { url, connections }
}

/// Sends the `isMsgResp` verdict "accepted".
pub async fn accept(ws: &mut ServerWs) {
    ws.send(Message::text(r#"{"errCode":0,"errMsg":"","errDlt":""}"#)).await.unwrap();
}

/// Sends one envelope, gzip-compressed as the real gateway does.
pub async fn send(ws: &mut ServerWs, resp: &WsResponse) {
    ws.send(Message::Binary(encode_frame(resp, true).into())).await.unwrap();
}

/// Reads frames until a request arrives (answering nothing else); `None` when the client left.
pub async fn next_request(ws: &mut ServerWs) -> Option<WsRequest> {
    while let Some(Ok(msg)) = ws.next().await {
        if let Message::Binary(frame) = msg {
            return Some(decode_frame(&frame, true, 1 << 20).expect("client frames decode"));
        }
    }
    None
}

/// Replies to `req` with empty data.
pub async fn reply(ws: &mut ServerWs, req: &WsRequest) {
    send(
        ws,
        &WsResponse {
            req_identifier: req.req_identifier,
            msg_incr: req.msg_incr.clone(),
            operation_id: req.operation_id.clone(),
            ..Default::default()
        },
    )
    .await;
}

/// Answers every request with an empty success until the client goes away.
pub async fn serve_empty_replies(ws: &mut ServerWs) {
    while let Some(request) = next_request(ws).await {
        reply(ws, &request).await;
    }
}

/// Keeps reading until the client goes away.
pub async fn drain(ws: &mut ServerWs) {
    while let Some(Ok(_)) = ws.next().await {}
}

/// Reads an HTTP request's head (and whatever body came with it); false when the client left
/// first.
async fn read_request_head(tcp: &mut TcpStream) -> bool {
    let mut buf = vec![0u8; 65536];
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match tcp.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// An HTTP server answering every request with `status` and `body`; returns its base URL.
pub async fn fixed_http(status: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                if !read_request_head(&mut tcp).await {
                    return;
                }
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tcp.write_all(response.as_bytes()).await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    url
}

/// An HTTP server answering every request with 200, `headers` (each ending in CRLF) and `body`
/// without a length, then holding the connection open until the client closes it: a reply
/// whose end never comes.
pub async fn endless_http(headers: &'static str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let body = Arc::new(body);
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                if !read_request_head(&mut tcp).await {
                    return;
                }
                let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{headers}connection: close\r\n\r\n");
                if tcp.write_all(head.as_bytes()).await.is_err() || tcp.write_all(&body).await.is_err() {
                    return;
                }
                // Until the client gives up.
                let mut buf = [0u8; 1024];
                while matches!(tcp.read(&mut buf).await, Ok(n) if n > 0) {}
            });
        }
    });
    url
}
