//! Servers that lie: malformed, oversized and unexpected frames, refused upgrades and bad REST
//! replies give errors and reconnects, never panics or a dead engine.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::fake_gateway::{self, ServerWs};
use common::*;
use futures_util::SinkExt;
use openim_sdk::{LoginStatus, OpenIMError};
use openim_wire::constant::{platform, req};
use openim_wire::gateway::WsResponse;
use tokio_tungstenite::tungstenite::Message;

fn gzip(data: &[u8]) -> Vec<u8> {
    openim_wire::gzip::compress(data)
}

async fn send_garbage(ws: &mut ServerWs) {
    let frames: Vec<Message> = vec![
        Message::Binary(b"\x00\xffnot an envelope".to_vec().into()),
        Message::Binary(gzip(b"{\"reqIdentifier\": oops").into()),
        Message::Binary(gzip(br#"{"reqIdentifier":2001,"data":"%%% not base64"}"#).into()),
        // A decompression bomb: 32 MiB of zeros in a few kilobytes.
        Message::Binary(gzip(&vec![0u8; 32 << 20]).into()),
        Message::Text("hello, not a heartbeat".into()),
        Message::Text(r#"{"type":"ping","body":"x"}"#.into()),
    ];
    for frame in frames {
        ws.send(frame).await.unwrap();
    }
    for resp in [
        WsResponse { req_identifier: 9999, ..Default::default() },
        WsResponse { req_identifier: req::PUSH_MSG, data: b"\xff\xff\xff not protobuf".to_vec(), ..Default::default() },
        WsResponse { req_identifier: req::GET_NEWEST_SEQ, msg_incr: "nobody_waits".into(), ..Default::default() },
    ] {
        fake_gateway::send(ws, &resp).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_are_skipped_and_the_connection_survives() {
    let got_logout = Arc::new(AtomicBool::new(false));
    let flag = got_logout.clone();
    let gw = fake_gateway::start(move |mut ws, _n| {
        let flag = flag.clone();
        async move {
            fake_gateway::accept(&mut ws).await;
            send_garbage(&mut ws).await;
            while let Some(request) = fake_gateway::next_request(&mut ws).await {
                if request.req_identifier == req::LOGOUT_MSG {
                    flag.store(true, Ordering::SeqCst);
                    fake_gateway::reply(&mut ws, &request).await;
                }
            }
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &gw.url, dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;

    let started = Instant::now();
    client.logout().await.unwrap();
    assert!(got_logout.load(Ordering::SeqCst), "the logout request went out on the same connection");
    assert!(started.elapsed() < Duration::from_secs(4), "the logout reply was read after the garbage");
    assert_eq!(gw.connections(), 1, "garbage did not cost the connection");
    assert_eq!(conn.events(), vec![Conn::Connecting, Conn::Success]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_frame_drops_the_connection_and_it_reconnects() {
    let gw = fake_gateway::start(|mut ws, n| async move {
        fake_gateway::accept(&mut ws).await;
        if n == 1 {
            let huge: Vec<u8> = (0..5 << 20).map(|_| fastrand::u8(..)).collect();
            let _ = ws.send(Message::Binary(huge.into())).await;
        }
        fake_gateway::drain(&mut ws).await;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &gw.url, dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    let events = conn.wait_count(Conn::Success, 2).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Success, Conn::Connecting, Conn::Success]);
    assert_eq!(gw.connections(), 2);
    assert_eq!(client.login_status(), LoginStatus::Logged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_upgrade_with_an_openim_body_is_a_token_error() {
    let ws = fake_gateway::fixed_http("200 OK", r#"{"errCode":1501,"errMsg":"TokenExpiredError","errDlt":""}"#).await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &ws.replace("http", "ws"), dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    let events = conn.wait_count(Conn::TokenExpired, 1).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Failed(1501), Conn::TokenExpired]);
    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handshake_verdict_frame_with_a_token_error_stops_the_session() {
    let gw = fake_gateway::start(|mut ws, _| async move {
        let _ = ws.send(Message::text(r#"{"errCode":1507,"errMsg":"TokenNotExistError","errDlt":""}"#)).await;
        let _ = ws.close(None).await;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &gw.url, dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    let events = conn.wait_count(Conn::TokenInvalid, 1).await;
    assert_eq!(events, vec![Conn::Connecting, Conn::Failed(1507), Conn::TokenInvalid]);
    assert_eq!(client.login_status(), LoginStatus::LoggedOut);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_openim_answer_is_a_network_failure_and_is_retried() {
    let ws = fake_gateway::fixed_http("502 Bad Gateway", "<html>proxy error</html>").await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for("http://127.0.0.1:9", &ws.replace("http", "ws"), dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    let events = conn.wait_count(Conn::Connecting, 2).await;
    assert_eq!(&events[..3], [Conn::Connecting, Conn::Failed(10000), Conn::Connecting]);
    assert_eq!(client.login_status(), LoginStatus::Logged, "network failures keep the session");
    client.logout().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rest_replies_are_typed_errors() {
    let gw = fake_gateway::start(|mut ws, _| async move {
        fake_gateway::accept(&mut ws).await;
        fake_gateway::serve_empty_replies(&mut ws).await;
    })
    .await;
    for (status, body, code) in [
        ("200 OK", "this is not json", 10202),
        ("200 OK", r#"{"errCode":"zero","data":{}}"#, 10202),
        ("200 OK", r#"{"errCode":0,"errMsg":"","errDlt":"","data":{"usersInfo":"nope"}}"#, 10202),
        ("200 OK", r#"{"errCode":1004,"errMsg":"RecordNotFoundError","errDlt":"x"}"#, 1004),
        ("500 Internal Server Error", "{}", 10000),
    ] {
        let api = fake_gateway::fixed_http(status, body).await;
        let dir = tempfile::tempdir().unwrap();
        let (client, conn) = client_for(config_for(&api, &gw.url, dir.path(), platform::ANDROID));
        client.login("alice".into(), "token".into()).await.unwrap();
        conn.wait_count(Conn::Success, 1).await;
        let err = client.get_users_info(vec!["bob".into()]).await.unwrap_err();
        assert_eq!(err.code(), code, "{body}: {err:?}");
        if code == 10202 {
            assert!(matches!(err, OpenIMError::Protocol { .. }), "{err:?}");
        }
        assert_eq!(client.login_status(), LoginStatus::Logged);
        client.logout().await.unwrap();
    }
}

/// A push (gzip-compressed envelope) of one text message from bob in each of `tops`'
/// conversations, with the seq given.
fn push_of(tops: &[(&str, i64, &str)]) -> WsResponse {
    use openim_wire::pb::sdkws::{MsgData, PullMsgs, PushMessages};
    let msgs = tops
        .iter()
        .map(|(conversation_id, seq, text)| {
            let data = MsgData {
                send_id: "bob".into(),
                recv_id: "alice".into(),
                client_msg_id: format!("c{seq}"),
                server_msg_id: format!("s{seq}"),
                session_type: 1,
                msg_from: 100,
                content_type: 101,
                content: format!(r#"{{"content":"{text}"}}"#).into_bytes(),
                seq: *seq,
                send_time: 1_700_000_000_000,
                create_time: 1_700_000_000_000,
                ..Default::default()
            };
            ((*conversation_id).to_owned(), PullMsgs { msgs: vec![data], is_end: false, end_seq: 0 })
        })
        .collect();
    let push = PushMessages { msgs, notification_msgs: Default::default() };
    WsResponse { req_identifier: req::PUSH_MSG, operation_id: "push".into(), data: openim_wire::pb::Message::encode_to_vec(&push), ..Default::default() }
}

/// A server claiming seqs far past the synced ones (5 000 000, and `i64::MAX`) gets at most
/// 10 000 of each pulled (100 requests each), its newest, not a list of millions of ranges (or an
/// overflow); the session then goes on from there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_claiming_huge_seqs_gets_bounded_pulls() {
    use openim_wire::pb::sdkws::{PullMessageBySeqsReq, SeqRange};
    use std::sync::Mutex;
    let srv = TestServer::start().await;
    let token = srv.user("alice").await;
    let ranges = Arc::new(Mutex::new(Vec::<SeqRange>::new()));
    let seen = ranges.clone();
    let gw = fake_gateway::start(move |mut ws, _| {
        let ranges = seen.clone();
        async move {
            fake_gateway::accept(&mut ws).await;
            let mut pulls = 0;
            while let Some(request) = fake_gateway::next_request(&mut ws).await {
                fake_gateway::reply(&mut ws, &request).await;
                match request.req_identifier {
                    // The connect sync's last request: the session is synced (with nothing).
                    req::GET_CONV_MAX_READ_SEQ => {
                        fake_gateway::send(&mut ws, &push_of(&[("si_alice_bob", 5_000_000, "lost"), ("si_alice_carol", i64::MAX, "lost")])).await
                    }
                    req::PULL_MSG_BY_RANGE => {
                        let pulled = <PullMessageBySeqsReq as openim_wire::pb::Message>::decode(request.data.as_slice()).unwrap();
                        ranges.lock().unwrap().extend(pulled.seq_ranges);
                        pulls += 1;
                        if pulls == 200 {
                            fake_gateway::send(&mut ws, &push_of(&[("si_alice_bob", 5_000_001, "still here")])).await;
                        }
                    }
                    _ => {}
                }
            }
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for(&srv.server.api_url(), &gw.url, dir.path(), platform::ANDROID));
    let events = Arc::new(common::events::EventRecorder::default());
    client.set_advanced_msg_listener(events.clone());
    client.login("alice".into(), token).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;

    // The message after the claimed seq comes through once the gaps are pulled.
    let got = events.wait_new_messages(1).await;
    assert_eq!((got[0].seq, got[0].conversation_id.as_str()), (5_000_001, "si_alice_bob"));
    client.logout().await.unwrap();

    let ranges = ranges.lock().unwrap().clone();
    for (conversation_id, top) in [("si_alice_bob", 5_000_000i64), ("si_alice_carol", i64::MAX)] {
        let mut mine: Vec<(i64, i64)> = ranges.iter().filter(|r| r.conversation_id == conversation_id).map(|r| (r.begin, r.end)).collect();
        mine.sort();
        assert_eq!(mine.len(), 100, "{conversation_id}: {} ranges", mine.len());
        assert_eq!((mine[0].0, mine[99].1), (top - 9_999, top), "{conversation_id}: the newest 10 000 seqs");
        assert!(mine.windows(2).all(|w| w[1].0 == w[0].1 + 1 && w[0].1 - w[0].0 == 99), "{conversation_id}: consecutive ranges of 100");
    }
    assert_eq!(ranges.len(), 200, "nothing else pulled");
}

/// A REST reply that inflates (gzip) past the 16 MiB limit fails as soon as it has, while the
/// server is still sending: the body is never read whole into memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rest_reply_inflating_past_the_limit_fails_before_it_ends() {
    let gw = fake_gateway::start(|mut ws, _| async move {
        fake_gateway::accept(&mut ws).await;
        fake_gateway::serve_empty_replies(&mut ws).await;
    })
    .await;
    // 32 MiB of spaces (valid JSON whitespace) compressed to a few kilobytes; the reply never
    // ends (no length, the connection held open).
    let body = gzip(&vec![b' '; 32 << 20]);
    let api = fake_gateway::endless_http("content-encoding: gzip\r\n", body).await;
    let dir = tempfile::tempdir().unwrap();
    let (client, conn) = client_for(config_for(&api, &gw.url, dir.path(), platform::ANDROID));
    client.login("alice".into(), "token".into()).await.unwrap();
    conn.wait_count(Conn::Success, 1).await;
    let started = Instant::now();
    let err = client.get_users_info(vec!["bob".into()]).await.unwrap_err();
    assert!(matches!(err, OpenIMError::Protocol { code: 10202, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(8), "refused before the request timed out: {:?}", started.elapsed());
    client.logout().await.unwrap();
}

/// A peer's read receipt may name any number of seqs (notification 2200): more than SQLite
/// takes in one statement (32 766) still marks the messages read, instead of failing the write
/// that applies it (and the sync retrying it forever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_receipt_naming_forty_thousand_seqs_is_applied() {
    use openim_sdk::store::chat_logs;
    use openim_sdk::MessageStatus;
    let dir = tempfile::tempdir().unwrap();
    let conv = openim_wire::conversation_id::single("alice", "bob");
    let store = openim_sdk::store::Store::open(dir.path(), "alice").await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for seq in [10, 20_000, 39_999] {
        let m = common::alice_to_bob(&format!("mine-{seq}"), seq, seq, MessageStatus::SendSuccess, &format!("{seq}"));
        chat_logs::insert(&mut tx, &openim_sdk::message::to_row(&conv, &m)).await.unwrap();
    }
    let seqs: Vec<i64> = (1..=40_000).collect();
    let mut read = chat_logs::mark_read_by_peer(&mut tx, &conv, "alice", &seqs).await.expect("applied in chunks");
    tx.commit().await.unwrap();
    read.sort();
    assert_eq!(read, ["mine-10", "mine-20000", "mine-39999"]);
    store.close().await;
}

/// Searches take at most 100 keywords of at most 10 000 bytes each (and, for messages, 1 000
/// senders and content types): beyond that a search is refused with 10002, where before
/// SQLite's limits on a `LIKE` pattern (50 000 bytes) or on bound values failed it as a
/// database error. A keyword at the limit, all wildcards, still searches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_too_large_for_sqlite_are_refused_as_wrong_arguments() {
    use openim_sdk::{SearchFriendsParams, SearchGroupMembersParams, SearchGroupsParams, SearchParams};
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    let client = &alice.client;
    let group = client.create_group(openim_sdk::CreateGroupParams { group_name: "G".into(), ..Default::default() }).await.unwrap();
    let at_limit = "%".repeat(10_000);
    let too_long = "a".repeat(10_001);
    let too_many: Vec<String> = (0..101).map(|i| format!("k{i}")).collect();
    let messages = |keywords: Vec<String>, senders: usize| SearchParams {
        conversation_id: None,
        keywords,
        match_all_keywords: false,
        sender_ids: (0..senders).map(|i| format!("u{i}")).collect(),
        content_types: vec![],
        search_time_position: 0,
        search_time_period: 0,
        page_index: 1,
        count: 20,
    };
    let friends = |keywords: Vec<String>| SearchFriendsParams { keywords, search_user_id: true, search_nickname: true, search_remark: true };
    let groups = |keywords: Vec<String>| SearchGroupsParams { keywords, search_group_id: true, search_group_name: true };
    let members = |keywords: Vec<String>| SearchGroupMembersParams {
        group_id: group.group_id.clone(),
        keywords,
        search_user_id: true,
        search_nickname: true,
        offset: 0,
        count: 100,
    };
    let refused = |r: Result<(), OpenIMError>, what: &str| assert_eq!(r.map_err(|e| e.code()), Err(10002), "{what}");
    for (what, keywords) in [("a keyword too long", vec![too_long.clone()]), ("too many keywords", too_many.clone())] {
        refused(client.search_local_messages(messages(keywords.clone(), 0)).await.map(drop), what);
        refused(client.search_friends(friends(keywords.clone())).await.map(drop), what);
        refused(client.search_groups(groups(keywords.clone())).await.map(drop), what);
        refused(client.search_group_members(members(keywords)).await.map(drop), what);
    }
    refused(client.search_conversation(too_long).await.map(drop), "a conversation keyword too long");
    refused(client.search_local_messages(messages(vec![], 1001)).await.map(drop), "too many senders");
    assert_eq!(client.search_local_messages(messages(vec![at_limit.clone()], 1000)).await.unwrap().total_count, 0);
    assert!(client.search_friends(friends(vec![at_limit.clone()])).await.unwrap().is_empty());
    assert!(client.search_groups(groups(vec![at_limit.clone()])).await.unwrap().is_empty());
    assert!(client.search_group_members(members(vec![at_limit.clone()])).await.unwrap().is_empty());
    assert!(client.search_conversation(at_limit).await.unwrap().is_empty());
}

/// Lookups by ID lists longer than SQLite binds in one statement (32 766 values; an app's call
/// or a server's list may be that long) are read in chunks: each row once, in the list's order
/// (friends, groups and members as their lists are ordered; conversations as asked).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_by_tens_of_thousands_of_ids_are_read_in_chunks() {
    use openim_sdk::store::rows::{FriendRow, GroupMemberRow, GroupRow};
    use openim_sdk::store::{friends, groups};
    let dir = tempfile::tempdir().unwrap();
    let store = openim_sdk::store::Store::open(dir.path(), "alice").await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for (id, pinned, time) in [("f1", false, 1), ("f2", true, 3), ("f3", false, 2)] {
        let f = FriendRow { owner_user_id: "alice".into(), friend_user_id: id.into(), create_time: time, is_pinned: pinned, ..Default::default() };
        friends::put_friend(&mut tx, &f).await.unwrap();
    }
    for (id, time) in [("g1", 2), ("g2", 1)] {
        groups::put_group(&mut tx, &GroupRow { group_id: id.into(), create_time: time, ..Default::default() }).await.unwrap();
    }
    for (id, role, joined) in [("m1", 20, 1), ("m2", 100, 5), ("m3", 20, 0)] {
        let m = GroupMemberRow { group_id: "g1".into(), user_id: id.into(), role_level: role, join_time: joined, ..Default::default() };
        groups::put_member(&mut tx, &m).await.unwrap();
    }
    tx.commit().await.unwrap();
    // 40 000 IDs that match nothing, with the real ones in different chunks, some twice.
    let spread = |real: &[&str]| {
        let mut ids: Vec<String> = (0..40_000).map(|i| format!("nobody-{i}")).collect();
        for (n, id) in real.iter().enumerate() {
            ids[n * 15_000 + 7] = (*id).to_owned();
            ids[n * 15_000 + 9_999] = (*id).to_owned();
        }
        ids
    };
    let mut db = store.read().await.unwrap();
    let found = friends::friends(&mut db, Some(&spread(&["f1", "f3", "f2"]))).await.expect("read in chunks");
    assert_eq!(found.iter().map(|f| f.friend_user_id.as_str()).collect::<Vec<_>>(), ["f2", "f1", "f3"], "pinned first, then by time");
    let found = groups::groups(&mut db, Some(&spread(&["g1", "g2"]))).await.unwrap();
    assert_eq!(found.iter().map(|g| g.group_id.as_str()).collect::<Vec<_>>(), ["g2", "g1"]);
    let found = groups::members(&mut db, "g1", Some(&spread(&["m1", "m3", "m2"]))).await.unwrap();
    assert_eq!(found.iter().map(|m| m.user_id.as_str()).collect::<Vec<_>>(), ["m2", "m3", "m1"], "owner first, then by join time");
    drop(db);
    store.close().await;

    // Conversations through the client, in the order asked.
    let srv = TestServer::start().await;
    let alice = srv.online("alice").await;
    for peer in ["bob", "carol"] {
        let _ = srv.online(peer).await;
        let m = alice.client.create_text_message("hi".into()).unwrap();
        alice.client.send_message(m, Some(peer.into()), None, None, false, None).await.unwrap();
    }
    let (bob, carol) = (openim_wire::conversation_id::single("alice", "bob"), openim_wire::conversation_id::single("alice", "carol"));
    let found = alice.client.get_multiple_conversation(spread(&[&carol, &bob])).await.expect("read in chunks");
    assert_eq!(found.iter().map(|c| c.conversation_id.as_str()).collect::<Vec<_>>(), [carol.as_str(), bob.as_str()]);
    // Messages by client ID: each once, oldest first, whichever chunks name them.
    let second = alice.client.create_text_message("again".into()).unwrap();
    let second_id = second.client_msg_id.clone();
    alice.client.send_message(second, Some("bob".into()), None, None, false, None).await.unwrap();
    let history = alice.client.get_advanced_history_message_list(bob.clone(), None, 10).await.unwrap();
    let first_id = history.messages.iter().find(|m| m.client_msg_id != second_id).expect("the first message").client_msg_id.clone();
    let found = alice.client.find_message_list(bob.clone(), spread(&[&second_id, &first_id])).await.expect("read in chunks");
    assert_eq!(found.iter().map(|m| m.client_msg_id.as_str()).collect::<Vec<_>>(), [first_id.as_str(), second_id.as_str()]);
}
