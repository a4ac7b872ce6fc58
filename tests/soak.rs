//! Soak: clients send to each other through a loopback proxy that cuts their gateway connections
//! at random, while the (file-backed) devserver restarts in the middle. Every message must end
//! up exactly once, in seq order, on every device of its recipient, and be reported to the
//! listener at most once.
//!
//! The test command runs the short mode (5 devices, 4 users × 150 messages, well under two
//! minutes). `OPENIM_SOAK=full cargo test --release --test soak -- --nocapture` runs the long
//! one: 10 clients × 10 000 messages.

mod common;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::events::{Ev, EventRecorder};
use common::{TestServer, client_for, config_for};
use openim_devserver::DevServerConfig;
use openim_sdk::{Message, MessageContent, OpenIMClient};
use openim_wire::constant::platform;
use openim_wire::conversation_id;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// A TCP proxy to one upstream address whose connections can be cut (both sockets dropped, no
/// WebSocket close): what a flaky mobile network does.
struct Proxy {
    addr: SocketAddr,
    live: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let live: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let l = live.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = client.set_nodelay(true);
                        let _ = server.set_nodelay(true);
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                let mut live = l.lock().unwrap();
                live.retain(|h| !h.is_finished());
                live.push(task.abort_handle());
            }
        });
        Self { addr, live }
    }

    /// Cuts every connection open now; returns how many.
    fn cut_all(&self) -> usize {
        let mut live = self.live.lock().unwrap();
        let n = live.iter().filter(|h| !h.is_finished()).count();
        for h in live.drain(..) {
            h.abort();
        }
        n
    }
}

struct Device {
    user: String,
    client: Arc<OpenIMClient>,
    events: Arc<EventRecorder>,
    _dir: tempfile::TempDir,
}

fn text(m: &Message) -> String {
    match &m.content {
        MessageContent::Text { text } => text.clone(),
        other => format!("{other:?}"),
    }
}

/// Sends `text` until the server has it: a send cut off by the network is sent again (the
/// same message: only a failed message can be); "not a failed message" means an earlier
/// attempt got through after all.
async fn send_surely(client: &OpenIMClient, to: &str, text: String) -> String {
    let message = client.create_text_message(text).unwrap();
    let id = message.client_msg_id.clone();
    let started = Instant::now();
    let attempt = message;
    loop {
        match client.send_message(attempt.clone(), Some(to.into()), None, None, false, None).await {
            Ok(_) => return id,
            Err(e) if e.code() == openim_wire::errcode::SDK_MSG_REPEAT => return id,
            Err(e) => {
                assert!(started.elapsed() < Duration::from_secs(60), "{id} still not sent after a minute: {e}");
                tokio::task::yield_now().await;
            }
        }
    }
}

/// Every message of a conversation, oldest first, read back page by page.
async fn whole_history(client: &OpenIMClient, conversation: &str) -> Vec<Message> {
    let mut all: Vec<Message> = Vec::new();
    let mut start = None;
    loop {
        let page = client.get_advanced_history_message_list(conversation.into(), start.clone(), 100).await.unwrap();
        all.splice(0..0, page.messages.iter().cloned());
        if page.is_end || page.messages.is_empty() {
            return all;
        }
        start = page.messages.first().map(|m| m.client_msg_id.clone());
    }
}

async fn soak(users: usize, per_user: usize, bound: Duration) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server.db");
    let srv = TestServer::start_with(DevServerConfig { data: Some(data.clone()), ..Default::default() }).await;
    let (api_addr, ws_addr) = (srv.server.api_addr(), srv.server.ws_addr());
    let proxy = Arc::new(Proxy::start(ws_addr).await);
    let names: Vec<String> = (0..users).map(|i| format!("soak{i}")).collect();
    let mut devices = Vec::new();
    for (i, name) in names.iter().enumerate() {
        srv.admin.register_user(name, name).await.unwrap();
        // The first user has a second device: every device must end up with everything.
        let platforms: &[i32] = if i == 0 { &[platform::ANDROID, platform::IOS] } else { &[platform::ANDROID] };
        for &p in platforms {
            let d = tempfile::tempdir().unwrap();
            let config = config_for(&srv.server.api_url(), &format!("ws://{}", proxy.addr), d.path(), p);
            let (client, conn) = client_for(config);
            let events = Arc::new(EventRecorder::default());
            client.set_advanced_msg_listener(events.clone());
            client.login(name.clone(), srv.admin.user_token(name, p).await.unwrap()).await.unwrap();
            conn.wait_count(common::Conn::Success, 1).await;
            devices.push(Device { user: name.clone(), client, events, _dir: d });
        }
    }
    let devices = Arc::new(devices);

    // Cuts at random while the messages flow.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cutter = {
        let done = done.clone();
        let proxy = proxy.clone();
        tokio::spawn(async move {
            let mut cuts = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(fastrand::u64(150..600))).await; // the fault's timing, not a synchronisation
                cuts += proxy.cut_all();
            }
            cuts
        })
    };

    // Each user sends to the next one, all at once, one message after another.
    let sent: Arc<Mutex<HashMap<String, Vec<String>>>> = Arc::default();
    let senders: Vec<_> = (0..users)
        .map(|i| {
            let devices = devices.clone();
            let names = names.clone();
            let sent = sent.clone();
            tokio::spawn(async move {
                let me = devices.iter().find(|d| d.user == names[i]).unwrap();
                let to = &names[(i + 1) % names.len()];
                for k in 0..per_user {
                    let id = send_surely(&me.client, to, format!("{} #{k}", names[i])).await;
                    sent.lock().unwrap().entry(to.clone()).or_default().push(id);
                }
            })
        })
        .collect();
    // Halfway, the server goes down and comes back on the same addresses with its data.
    let halfway = Instant::now();
    loop {
        let n: usize = sent.lock().unwrap().values().map(Vec::len).sum();
        if n >= users * per_user / 2 {
            break;
        }
        assert!(halfway.elapsed() < bound, "only {n} messages sent before the restart");
        tokio::time::sleep(Duration::from_millis(20)).await; // polling a counter, bounded above
    }
    srv.server.shutdown().await;
    proxy.cut_all();
    let _restarted = TestServer::start_with(DevServerConfig { data: Some(data.clone()), api_addr, ws_addr, ..Default::default() }).await;
    for s in senders {
        s.await.unwrap();
    }
    finish(&devices, &names, &sent, per_user, &done, bound).await;
    let cuts = cutter.await.unwrap();
    println!("soak: {users} users × {per_user} messages, {cuts} connections cut, one restart");
}

/// Waits (bounded) until every device holds its messages, then checks them.
async fn finish(
    devices: &[Device],
    names: &[String],
    sent: &Mutex<HashMap<String, Vec<String>>>,
    per_user: usize,
    done: &std::sync::atomic::AtomicBool,
    bound: Duration,
) {
    let sent = sent.lock().unwrap().clone();
    let started = Instant::now();
    for d in devices {
        let i = names.iter().position(|n| *n == d.user).unwrap();
        let from = &names[(i + names.len() - 1) % names.len()];
        let conversation = conversation_id::single(&d.user, from);
        let want: HashSet<&String> = sent[&d.user].iter().collect();
        assert_eq!(want.len(), per_user);
        let history = loop {
            let h = whole_history(&d.client, &conversation).await;
            let have: HashSet<&String> = h.iter().filter(|m| m.send_id == *from).map(|m| &m.client_msg_id).collect();
            if want.is_subset(&have) {
                break h;
            }
            assert!(
                started.elapsed() < bound,
                "{} ({:?}) has {} of {per_user} messages from {from}",
                d.user,
                d.client.login_status(),
                have.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await; // re-reading history, bounded above
        };
        let from_peer: Vec<&Message> = history.iter().filter(|m| m.send_id == *from).collect();
        // Exactly once, in seq order, in the order they were sent.
        let ids: Vec<&String> = from_peer.iter().map(|m| &m.client_msg_id).collect();
        assert_eq!(ids.len(), per_user, "{}: duplicates in history", d.user);
        assert!(from_peer.windows(2).all(|w| w[0].seq < w[1].seq), "{}: history out of seq order", d.user);
        let texts: Vec<String> = from_peer.iter().map(|m| text(m)).collect();
        let expected: Vec<String> = (0..per_user).map(|k| format!("{from} #{k}")).collect();
        assert_eq!(texts, expected, "{}: messages out of order", d.user);
        // The listener heard each at most once.
        let mut heard: Vec<String> = d.events.events().into_iter().filter_map(|e| if let Ev::NewMsg(m) = e { Some(m.client_msg_id) } else { None }).collect();
        let n = heard.len();
        heard.sort();
        heard.dedup();
        assert_eq!(heard.len(), n, "{}: a message was reported twice", d.user);
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_survive_random_cuts_and_a_server_restart() {
    let full = std::env::var("OPENIM_SOAK").is_ok_and(|v| v == "full");
    let started = Instant::now();
    if full {
        soak(10, 10_000, Duration::from_secs(1200)).await;
    } else {
        soak(4, 150, Duration::from_secs(90)).await;
        assert!(started.elapsed() < Duration::from_secs(120), "the short soak took {:?}", started.elapsed());
    }
}
