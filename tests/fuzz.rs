//! Property-based fuzzing (proptest, in the test command) of every
//! decoder that reads bytes from the network: the gateway frame decoders (JSON envelope and
//! gob, with and without gzip), the REST envelope decoder, protobuf payloads, and the message
//! content decoder. Inputs are random bytes and valid frames with random mutations; the
//! property is "a typed result, never a panic", plus round trips for valid content.
//!
//! The test command runs 512 cases per target. A long run, for as long as asked:
//!
//!     OPENIM_FUZZ_SECONDS=600 cargo test --release --test fuzz -- --nocapture --test-threads=1
//!
//! (each target gets that many seconds; the count of inputs per target is printed).
//!
//! The same decoders are also libFuzzer targets (`fuzz/`, coverage-guided, run by
//! `scripts/fuzz.sh`), seeded with the valid inputs [`libfuzzer_seeds_decode`] checks here.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use openim_sdk::{Message, MessageContent};
use openim_wire::api::ApiResponse;
use openim_wire::gateway::{WsRequest, WsResponse, decode_frame, decode_gob_frame, encode_frame};
use openim_wire::pb::Message as _;
use openim_wire::pb::sdkws::{MsgData, PullMessageBySeqsResp, PushMessages};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

/// Runs `check` on values of `strategy`: 512 cases, or for `OPENIM_FUZZ_SECONDS` seconds.
/// A panic is reported with the input that caused it.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(&S::Value))
where
    S::Value: std::fmt::Debug,
{
    let seconds: Option<u64> = std::env::var("OPENIM_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok());
    let mut runner = TestRunner::new(Config { cases: 512, ..Config::default() });
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let mut n: u64 = 0;
    loop {
        match deadline {
            Some(d) if Instant::now() >= d => break,
            None if n >= 512 => break,
            _ => {}
        }
        let value = strategy.new_tree(&mut runner).expect("strategy").current();
        if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(|| check(&value))) {
            eprintln!("{name}: panicked on input {value:?}");
            std::panic::resume_unwind(panic);
        }
        n += 1;
    }
    if seconds.is_some() {
        println!("fuzz {name}: {n} inputs, no panic");
    }
}

/// Valid bytes with random edits: overwrite, insert, delete, truncate.
fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = seed.len().max(1);
    prop::collection::vec((0..4u8, 0..len, any::<u8>()), 0..8).prop_map(move |edits| {
        let mut b = seed.clone();
        for (kind, at, byte) in edits {
            let at = at.min(b.len());
            match kind {
                0 if at < b.len() => b[at] = byte,
                1 => b.insert(at, byte),
                2 if at < b.len() => {
                    b.remove(at);
                }
                3 => b.truncate(at),
                _ => {}
            }
        }
        b
    })
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2048)
}

fn sample_msg() -> MsgData {
    MsgData {
        send_id: "alice".into(),
        recv_id: "bob".into(),
        client_msg_id: "0123456789abcdef0123456789abcdef".into(),
        server_msg_id: "fedcba9876543210fedcba9876543210".into(),
        session_type: 1,
        content_type: 101,
        content: br#"{"content":"hello"}"#.to_vec(),
        seq: 7,
        send_time: 1_700_000_000_000,
        options: [("history".to_owned(), true)].into_iter().collect(),
        ..Default::default()
    }
}

fn sample_response() -> WsResponse {
    let push = PushMessages {
        msgs: [("si_alice_bob".to_owned(), openim_wire::pb::sdkws::PullMsgs { msgs: vec![sample_msg()], is_end: false, end_seq: 0 })].into_iter().collect(),
        notification_msgs: Default::default(),
    };
    WsResponse { req_identifier: 2001, msg_incr: String::new(), operation_id: "op".into(), err_code: 0, err_msg: String::new(), data: push.encode_to_vec() }
}

/// What the SDK does with a gateway frame: envelope, then its protobuf payload.
fn read_frame(frame: &[u8], gzip: bool) {
    if let Ok(r) = decode_frame::<WsResponse>(frame, gzip, 51_200 * 20) {
        let _ = PushMessages::decode(r.data.as_slice());
        let _ = PullMessageBySeqsResp::decode(r.data.as_slice());
    }
    let _ = decode_frame::<WsRequest>(frame, gzip, 51_200);
}

#[test]
fn gateway_json_frames_never_panic() {
    fuzz("json frame, random bytes", bytes(), |b| read_frame(b, false));
    fuzz("json frame, random bytes as gzip", bytes(), |b| read_frame(b, true));
    let plain = encode_frame(&sample_response(), false);
    fuzz("json frame, mutated", mutated(plain), |b| read_frame(b, false));
    let packed = encode_frame(&sample_response(), true);
    fuzz("json frame, mutated gzip", mutated(packed), |b| read_frame(b, true));
}

const GOLDEN_GOB: &str = "657f0301010c47656e6572616c577352657101ff80000106010d5265714964656e7469666965720104000105546f6b656e010c00010653656e644944010c00010b4f7065726174696f6e4944010c0001074d7367496e6372010c00010444617461010a00000067ff8001fe07d2020a7761736d5f616c696365012462336535633734382d643631352d343431612d393030302d623834633064303366303533011e7761736d5f616c6963655f31373936313031363132353931323933373139010c0a0a7761736d5f616c69636500";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn gateway_gob_frames_never_panic() {
    // The Go core's first request as the official 3.8.5 build sent it (reference §10).
    let gob = hex(GOLDEN_GOB);
    assert_eq!(decode_gob_frame(&gob, false, 1 << 20).unwrap().req_identifier, 1001);
    fuzz("gob frame, random bytes", bytes(), |b| {
        let _ = decode_gob_frame(b, false, 1 << 20);
        let _ = decode_gob_frame(b, true, 1 << 20);
    });
    fuzz("gob frame, mutated", mutated(gob.clone()), |b| {
        let _ = decode_gob_frame(b, false, 1 << 20);
    });
    let packed = openim_wire::gzip::compress(&gob);
    fuzz("gob frame, mutated gzip", mutated(packed), |b| {
        let _ = decode_gob_frame(b, true, 1 << 20);
    });
}

#[test]
fn rest_envelopes_never_panic() {
    use openim_wire::api::conversation::GetIncrementalConversationResp;
    use openim_wire::api::user::GetUsersInfoResp;
    let good = br#"{"errCode":0,"errMsg":"","errDlt":"","data":{"usersInfo":[{"userID":"a","nickname":"A","faceURL":"","ex":"","createTime":1,"appMangerLevel":0,"globalRecvMsgOpt":0}]}}"#.to_vec();
    assert!(serde_json::from_slice::<ApiResponse<GetUsersInfoResp>>(&good).is_ok());
    let read = |b: &Vec<u8>| {
        let _ = serde_json::from_slice::<ApiResponse<GetUsersInfoResp>>(b);
        let _ = serde_json::from_slice::<ApiResponse<GetIncrementalConversationResp>>(b);
        let _ = serde_json::from_slice::<ApiResponse<serde_json::Value>>(b);
    };
    fuzz("rest envelope, random bytes", bytes(), read);
    fuzz("rest envelope, mutated", mutated(good), read);
    // Valid JSON of the wrong shapes.
    let json = prop_oneof![
        Just("null".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-z\"{}\\[\\]:,0-9 ]{0,200}",
        (any::<i32>(), "[ -~]{0,40}").prop_map(|(c, m)| format!(r#"{{"errCode":{c},"errMsg":{m:?},"data":{{"usersInfo":{c}}}}}"#)),
    ];
    fuzz("rest envelope, odd JSON", json, |s| read(&s.as_bytes().to_vec()));
}

#[test]
fn message_content_never_panics_and_round_trips() {
    let content_types = prop_oneof![
        Just(101), Just(102), Just(103), Just(104), Just(105), Just(106), Just(107), Just(108), Just(109), Just(110), Just(111),
        Just(114), Just(115), Just(117), Just(1201), Just(1501), Just(1504), Just(2101), Just(2200), any::<i32>(),
    ];
    let raw = prop_oneof![
        "[ -~]{0,300}",
        Just(r#"{"content":"hi"}"#.to_owned()),
        Just(r#"{"text":"@a hi","atUserList":["a"],"atUsersInfo":null}"#.to_owned()),
        Just(r#"{"sourcePicture":{"url":1},"bigPicture":[],"snapshotPicture":null}"#.to_owned()),
        Just(r#"{"detail":"{\"x\":1}"}"#.to_owned()),
        bytes().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    fuzz("content decoder", (content_types.clone(), raw.clone()), |(ct, raw)| {
        let content = MessageContent::from_wire(*ct, raw);
        // What decodes writes back to something that decodes to the same content.
        if !matches!(content, MessageContent::Unknown { .. }) {
            assert_eq!(MessageContent::from_wire(*ct, &content.to_wire()), content);
        }
    });
    // Whole messages from the wire, with any bytes as content.
    fuzz("message from the wire", (content_types, bytes(), any::<i32>(), any::<i64>()), |(ct, content, session, seq)| {
        let data = MsgData { content_type: *ct, content: content.clone(), session_type: *session, seq: *seq, ..sample_msg() };
        let m = Message::from_msg_data(&data);
        let _ = m.summary();
        let _ = m.to_msg_data();
        let _ = Message::from_msg_struct(&m.to_msg_struct());
    });
}

/// The seed inputs of the libFuzzer targets in `fuzz/` (one folder per target, the same
/// valid frames the properties above mutate): each must decode here. With
/// `OPENIM_FUZZ_SEEDS=<folder>` they are also written there (scripts/fuzz.sh does).
#[test]
fn libfuzzer_seeds_decode() {
    let plain = encode_frame(&sample_response(), false);
    let packed = encode_frame(&sample_response(), true);
    let gob = hex(GOLDEN_GOB);
    let rest = br#"{"errCode":0,"errMsg":"","errDlt":"","data":{"usersInfo":[{"userID":"a","nickname":"A","faceURL":"","ex":"","createTime":1,"appMangerLevel":0,"globalRecvMsgOpt":0}]}}"#.to_vec();
    let with_mode = |mode: u8, frame: &[u8]| [&[mode][..], frame].concat();
    let content = |ct: i32, raw: &str| [&ct.to_le_bytes()[..], raw.as_bytes()].concat();
    let seeds: Vec<(&str, &str, Vec<u8>)> = vec![
        ("gateway_json_frame", "push", with_mode(0, &plain)),
        ("gateway_json_frame", "push-gzip", with_mode(1, &packed)),
        ("gateway_gob_frame", "go-core-login", with_mode(0, &gob)),
        ("gateway_gob_frame", "go-core-login-gzip", with_mode(1, &openim_wire::gzip::compress(&gob))),
        ("rest_envelope", "users-info", rest),
        ("message_content", "text", content(101, r#"{"content":"hello"}"#)),
        ("message_content", "at-text", content(106, r#"{"text":"@a hi","atUserList":["a"]}"#)),
        ("message_content", "picture", content(102, r#"{"sourcePath":"","sourcePicture":{"uuid":"u","type":"png","size":3,"width":1,"height":1,"url":"http://x/a.png"},"bigPicture":{"url":"http://x/b.png"},"snapshotPicture":{"url":"http://x/s.png"}}"#)),
        ("message_content", "custom", content(110, r#"{"data":"{\"x\":1}","description":"d","extension":"e"}"#)),
        ("msg_data", "text", sample_msg().encode_to_vec()),
    ];
    for (target, _, input) in &seeds {
        match *target {
            "gateway_json_frame" => {
                let r = decode_frame::<WsResponse>(&input[1..], input[0] == 1, 51_200 * 20).expect("json seed");
                assert_eq!(PushMessages::decode(r.data.as_slice()).expect("push").msgs.len(), 1);
            }
            "gateway_gob_frame" => assert_eq!(decode_gob_frame(&input[1..], input[0] == 1, 1 << 20).expect("gob seed").req_identifier, 1001),
            "rest_envelope" => assert_eq!(serde_json::from_slice::<ApiResponse<openim_wire::api::user::GetUsersInfoResp>>(input).expect("rest seed").err_code, 0),
            "message_content" => {
                let ct = i32::from_le_bytes(input[..4].try_into().unwrap());
                let c = MessageContent::from_wire(ct, std::str::from_utf8(&input[4..]).unwrap());
                assert!(!matches!(c, MessageContent::Unknown { .. }), "content seed {ct} decodes to Unknown");
            }
            "msg_data" => assert_eq!(MsgData::decode(input.as_slice()).expect("msg seed").seq, 7),
            other => panic!("no check for {other}"),
        }
    }
    if let Ok(dir) = std::env::var("OPENIM_FUZZ_SEEDS") {
        for (target, name, input) in &seeds {
            let d = std::path::Path::new(&dir).join(target);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(name), input).unwrap();
        }
    }
}
