//! The gateway as OpenIM's Go core meets it: no `sdkType`, so gob frames (gzip over a fresh gob
//! stream per frame), the `isMsgResp` text reply first, pushes carrying the send's operationID,
//! heartbeats, and server pings for Web connections.
//!
//! The gob client here is written from the gob specification on its own (it shares nothing with
//! the server's codec), and its request frame is checked against the golden frame of the
//! official Go core (reference §10) before it is used.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use openim_devserver::{AdminClient, DevServer, DevServerConfig};
use openim_wire::constant::{defaults, platform, req};
use openim_wire::pb::Message as _;
use openim_wire::pb::msg::SendMsgResp;
use openim_wire::pb::sdkws::{GetMaxSeqReq, GetMaxSeqResp, MsgData, PushMessages};
use tokio_tungstenite::tungstenite::Message;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

// --- a gob client from the specification ---

fn uint(out: &mut Vec<u8>, v: u64) {
    if v <= 0x7f {
        out.push(v as u8);
    } else {
        let be: Vec<u8> = v.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0u8.wrapping_sub(be.len() as u8));
        out.extend(be);
    }
}

fn int(out: &mut Vec<u8>, v: i64) {
    uint(out, if v < 0 { ((!v as u64) << 1) | 1 } else { (v as u64) << 1 });
}

fn text(out: &mut Vec<u8>, s: &[u8]) {
    uint(out, s.len() as u64);
    out.extend_from_slice(s);
}

fn message(out: &mut Vec<u8>, type_id: i64, body: &[u8]) {
    let mut id = Vec::new();
    int(&mut id, type_id);
    uint(out, (id.len() + body.len()) as u64);
    out.extend(id);
    out.extend_from_slice(body);
}

/// `GeneralWsReq` as the Go core defines and sends it, with type ID `type_id`.
fn gob_request(type_id: i64, req_identifier: i64, send_id: &str, operation_id: &str, msg_incr: &str, data: &[u8]) -> Vec<u8> {
    const FIELDS: [(&str, i64); 6] =
        [("ReqIdentifier", 2), ("Token", 6), ("SendID", 6), ("OperationID", 6), ("MsgIncr", 6), ("Data", 5)];
    let mut def = vec![3, 1, 1];
    text(&mut def, b"GeneralWsReq");
    def.push(1);
    int(&mut def, type_id);
    def.extend([0, 1, FIELDS.len() as u8]);
    for (name, id) in FIELDS {
        def.push(1);
        text(&mut def, name.as_bytes());
        def.push(1);
        int(&mut def, id);
        def.push(0);
    }
    def.extend([0, 0]);
    let mut value = vec![1];
    int(&mut value, req_identifier);
    // Token (field 1) is empty and left out: the next delta is 2.
    value.push(2);
    text(&mut value, send_id.as_bytes());
    value.push(1);
    text(&mut value, operation_id.as_bytes());
    value.push(1);
    text(&mut value, msg_incr.as_bytes());
    if !data.is_empty() {
        value.push(1);
        text(&mut value, data);
    }
    value.push(0);
    let mut out = Vec::new();
    message(&mut out, -type_id, &def);
    message(&mut out, type_id, &value);
    out
}

struct Cursor<'a>(&'a [u8], usize);

impl Cursor<'_> {
    fn u(&mut self) -> u64 {
        let b = self.0[self.1];
        self.1 += 1;
        if b <= 0x7f {
            return u64::from(b);
        }
        let n = 0u8.wrapping_sub(b) as usize;
        let v = self.0[self.1..self.1 + n].iter().fold(0, |a, b| (a << 8) | u64::from(*b));
        self.1 += n;
        v
    }
    fn i(&mut self) -> i64 {
        let u = self.u();
        if u & 1 == 1 { !((u >> 1) as i64) } else { (u >> 1) as i64 }
    }
    fn b(&mut self) -> Vec<u8> {
        let n = self.u() as usize;
        self.1 += n;
        self.0[self.1 - n..self.1].to_vec()
    }
}

#[derive(Debug, Default)]
struct Resp {
    type_name: String,
    ints: HashMap<String, i64>,
    strings: HashMap<String, String>,
    data: Vec<u8>,
}

/// Reads a server frame: a struct definition (names and builtin type IDs), then the value.
fn gob_response(frame: &[u8]) -> Resp {
    let mut c = Cursor(frame, 0);
    let mut fields: Vec<(String, i64)> = Vec::new();
    let mut resp = Resp::default();
    loop {
        let _len = c.u();
        let type_id = c.i();
        if type_id < 0 {
            assert_eq!((c.u(), c.u(), c.u()), (3, 1, 1), "wireType.StructT.CommonType.Name");
            resp.type_name = String::from_utf8(c.b()).unwrap();
            assert_eq!(c.u(), 1);
            assert_eq!(c.i(), -type_id);
            assert_eq!((c.u(), c.u()), (0, 1));
            for _ in 0..c.u() {
                assert_eq!(c.u(), 1);
                let name = String::from_utf8(c.b()).unwrap();
                assert_eq!(c.u(), 1);
                fields.push((name, c.i()));
                assert_eq!(c.u(), 0);
            }
            assert_eq!((c.u(), c.u()), (0, 0));
            continue;
        }
        let mut field = -1i64;
        loop {
            let delta = c.u();
            if delta == 0 {
                return resp;
            }
            field += delta as i64;
            let (name, id) = fields[field as usize].clone();
            match id {
                2 => {
                    resp.ints.insert(name, c.i());
                }
                6 => {
                    resp.strings.insert(name, String::from_utf8(c.b()).unwrap());
                }
                5 => resp.data = c.b(),
                other => panic!("unexpected field type {other}"),
            }
        }
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

const GOLDEN: &str = "657f0301010c47656e6572616c577352657101ff80000106010d5265714964656e7469666965720104000105546f6b656e010c00010653656e644944010c00010b4f7065726174696f6e4944010c0001074d7367496e6372010c00010444617461010a00000067ff8001fe07d2020a7761736d5f616c696365012462336535633734382d643631352d343431612d393030302d623834633064303366303533011e7761736d5f616c6963655f31373936313031363132353931323933373139010c0a0a7761736d5f616c69636500";

#[test]
fn this_client_writes_the_go_cores_golden_frame() {
    let data = GetMaxSeqReq { user_id: "wasm_alice".into() }.encode_to_vec();
    let frame = gob_request(64, 1001, "wasm_alice", "b3e5c748-d615-441a-9000-b84c0d03f053", "wasm_alice_1796101612591293719", &data);
    assert_eq!(frame, hex(GOLDEN));
}

// --- the gateway ---

struct GoClient {
    ws: Ws,
    user: String,
    n: u32,
}

impl GoClient {
    /// Connects as the Go core does: no `sdkType`, gzip, `isMsgResp`.
    async fn connect(server: &DevServer, admin: &AdminClient, user: &str, platform_id: i32) -> Self {
        let token = admin.user_token(user, platform_id).await.unwrap();
        let url = format!(
            "{}/?compression=gzip&isBackground=false&isMsgResp=true&operationID=1&platformID={platform_id}&sendID={user}&token={token}",
            server.ws_url()
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        match ws.next().await.unwrap().unwrap() {
            Message::Text(t) => assert_eq!(t.as_str(), r#"{"errCode":0,"errMsg":"","errDlt":""}"#),
            other => panic!("expected the isMsgResp text frame, got {other:?}"),
        }
        Self { ws, user: user.into(), n: 0 }
    }

    async fn send(&mut self, id: i64, operation_id: &str, data: &[u8]) -> String {
        self.n += 1;
        let incr = format!("{}_{}", self.user, self.n);
        let frame = gob_request(64, id, &self.user, operation_id, &incr, data);
        self.ws.send(Message::Binary(openim_wire::gzip::compress(&frame).into())).await.unwrap();
        incr
    }

    async fn next(&mut self) -> Resp {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), self.ws.next()).await.expect("a frame in time").unwrap().unwrap();
            if let Message::Binary(b) = msg {
                return gob_response(&openim_wire::gzip::decompress(&b, 1 << 20).unwrap());
            }
        }
    }
}

async fn server_with(config: DevServerConfig) -> (DevServer, AdminClient) {
    let server = DevServer::start(config).await.unwrap();
    let admin = AdminClient::connect(&server.api_url(), defaults::SECRET).await.unwrap();
    for u in ["alice", "bob"] {
        admin.register_user(u, u).await.unwrap();
    }
    (server, admin)
}

#[tokio::test]
async fn a_gob_client_logs_in_sends_and_receives_pushes() {
    let (server, admin) = server_with(DevServerConfig::default()).await;
    let mut alice = GoClient::connect(&server, &admin, "alice", platform::WEB).await;
    let mut bob = GoClient::connect(&server, &admin, "bob", platform::ANDROID).await;
    // bob is also on a phone speaking the JSON envelope: one push, each connection its form.
    let ios = admin.user_token("bob", platform::IOS).await.unwrap();
    let mut bob_js = openim_devserver::RawClient::connect(&server.ws_url(), "bob", &ios, platform::IOS).await.unwrap();

    let incr = alice.send(i64::from(req::GET_NEWEST_SEQ), "op-seq", &GetMaxSeqReq { user_id: "alice".into() }.encode_to_vec()).await;
    let r = alice.next().await;
    assert_eq!(r.type_name, "Resp");
    assert_eq!((r.ints.get("ReqIdentifier"), r.strings.get("MsgIncr")), (Some(&1001), Some(&incr)));
    assert_eq!(r.strings.get("OperationID").map(String::as_str), Some("op-seq"));
    assert_eq!(r.ints.get("ErrCode"), None, "zero fields are left out, as gob does");
    GetMaxSeqResp::decode(r.data.as_slice()).unwrap();

    let msg = MsgData {
        send_id: "alice".into(),
        recv_id: "bob".into(),
        client_msg_id: "c1".into(),
        session_type: 1,
        content_type: 101,
        content: br#"{"content":"hi from gob"}"#.to_vec(),
        create_time: 1,
        ..Default::default()
    };
    let incr = alice.send(i64::from(req::SEND_MSG), "op-send-1", &msg.encode_to_vec()).await;
    // alice: her own push (sender sync) and the reply, both naming the send's operationID.
    let mut got_reply = false;
    let mut got_push = false;
    while !(got_reply && got_push) {
        let r = alice.next().await;
        assert_eq!(r.strings.get("OperationID").map(String::as_str), Some("op-send-1"));
        if r.strings.get("MsgIncr") == Some(&incr) {
            let reply = SendMsgResp::decode(r.data.as_slice()).unwrap();
            assert_eq!(reply.client_msg_id, "c1");
            got_reply = true;
        } else {
            assert_eq!(r.ints.get("ReqIdentifier"), Some(&i64::from(req::PUSH_MSG)));
            got_push = true;
        }
    }
    let push = bob.next().await;
    assert_eq!(push.ints.get("ReqIdentifier"), Some(&i64::from(req::PUSH_MSG)));
    assert_eq!(push.strings.get("OperationID").map(String::as_str), Some("op-send-1"));
    let pushed = PushMessages::decode(push.data.as_slice()).unwrap();
    let m = &pushed.msgs["si_alice_bob"].msgs[0];
    assert_eq!((m.client_msg_id.as_str(), m.seq), ("c1", 1));
    let js = tokio::time::timeout(Duration::from_secs(10), bob_js.next()).await.unwrap().unwrap();
    assert_eq!((js.req_identifier, js.operation_id.as_str()), (req::PUSH_MSG, "op-send-1"));
    assert_eq!(PushMessages::decode(js.data.as_slice()).unwrap(), pushed);

    // The application heartbeat: a text ping gets a text pong.
    bob.ws.send(Message::text(r#"{"type":"ping"}"#)).await.unwrap();
    loop {
        if let Message::Text(t) = bob.ws.next().await.unwrap().unwrap() {
            assert_eq!(t.as_str(), r#"{"type":"pong"}"#);
            break;
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_malformed_gob_frame_closes_only_its_connection() {
    let (server, admin) = server_with(DevServerConfig::default()).await;
    let mut alice = GoClient::connect(&server, &admin, "alice", platform::ANDROID).await;
    let mut bob = GoClient::connect(&server, &admin, "bob", platform::ANDROID).await;
    let mut bad = gob_request(64, 1001, "alice", "op", "alice_1", &[]);
    bad.truncate(bad.len() - 5);
    alice.ws.send(Message::Binary(openim_wire::gzip::compress(&bad).into())).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match alice.ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                _ => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server closes a connection that sends an undecodable frame");
    bob.send(i64::from(req::GET_NEWEST_SEQ), "op", &GetMaxSeqReq { user_id: "bob".into() }.encode_to_vec()).await;
    assert_eq!(bob.next().await.ints.get("ReqIdentifier"), Some(&1001));
    server.shutdown().await;
}

/// Timers scaled down 20× (deadline 1.5 s, Web pings every 1.35 s), so the test idles for what
/// would be 80 s of OpenIM time.
#[tokio::test]
async fn web_connections_are_pinged_and_stay_open_when_idle() {
    let config = DevServerConfig {
        read_deadline: Duration::from_millis(1500),
        web_ping_period: Duration::from_millis(1350),
        ..Default::default()
    };
    let (server, admin) = server_with(config).await;
    let mut web = GoClient::connect(&server, &admin, "alice", platform::WEB).await;
    let mut phone = GoClient::connect(&server, &admin, "bob", platform::ANDROID).await;
    let start = Instant::now();
    let mut pings = 0;
    // The Web socket only reads (tungstenite answers each ping with a pong).
    while start.elapsed() < Duration::from_secs(4) {
        match tokio::time::timeout(Duration::from_millis(500), web.ws.next()).await {
            Err(_) => {}
            Ok(Some(Ok(Message::Ping(_)))) => pings += 1,
            Ok(other) => panic!("the Web connection ended after {:?}: {other:?}", start.elapsed()),
        }
    }
    assert!(pings >= 2, "{pings} server pings in 4 s");
    // A mobile client gets no pings: idle past the deadline, it is dropped.
    let dropped = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            match phone.ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Ping(_))) => panic!("a mobile connection was pinged"),
                _ => {}
            }
        }
    })
    .await;
    assert!(dropped.is_ok(), "the idle mobile connection is still open");
    server.shutdown().await;
}

/// OpenIM's own timers in real time (read deadline 30 s, Web pings every 27 s): a browser's
/// connection (JSON envelope) and a Go core on the Web platform stay open through 62 s of
/// silence, pinged by the server; a phone's idle connection is dropped at the deadline.
#[tokio::test]
async fn web_connections_idle_past_a_minute_with_openims_timers() {
    let (server, admin) = server_with(DevServerConfig::default()).await;
    admin.register_user("carol", "carol").await.unwrap();
    let token = admin.user_token("alice", platform::WEB).await.unwrap();
    let url = format!("{}/?sendID=alice&token={token}&platformID=5&operationID=o&isBackground=false&compression=gzip&sdkType=js", server.ws_url());
    let (mut browser, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut go_web = GoClient::connect(&server, &admin, "bob", platform::WEB).await;
    let mut phone = GoClient::connect(&server, &admin, "carol", platform::ANDROID).await;
    let start = Instant::now();
    let end = tokio::time::Instant::now() + Duration::from_secs(62);
    let (mut browser_pings, mut go_pings, mut phone_dropped) = (0, 0, None);
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(end) => break,
            m = browser.next() => match m {
                Some(Ok(Message::Ping(_))) => browser_pings += 1,
                other => panic!("the browser's connection ended after {:?}: {other:?}", start.elapsed()),
            },
            m = go_web.ws.next() => match m {
                Some(Ok(Message::Ping(_))) => go_pings += 1,
                other => panic!("the Go core's Web connection ended after {:?}: {other:?}", start.elapsed()),
            },
            m = phone.ws.next(), if phone_dropped.is_none() => match m {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => phone_dropped = Some(start.elapsed()),
                Some(Ok(Message::Ping(_))) => panic!("a mobile connection was pinged"),
                Some(Ok(_)) => {}
            },
        }
    }
    assert!(browser_pings >= 2 && go_pings >= 2, "pings in 62 s: browser {browser_pings}, Go core {go_pings}");
    let dropped = phone_dropped.expect("the idle phone connection was never dropped");
    assert!(dropped >= Duration::from_secs(29) && dropped < Duration::from_secs(35), "dropped after {dropped:?}");
    server.shutdown().await;
}
