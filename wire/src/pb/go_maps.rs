//! Protobuf maps as Go writes them. A map entry is a message `{key = 1, value = 2}`; Go always
//! writes both fields, even a default value (an empty message is `12 00`, `false` is `10 00`),
//! where prost leaves a default value out. The official JS SDK's decoder drops an entry without
//! its value field, so every message with a map that this crate writes goes through
//! [`GoEncode::encode_go`], which re-writes its map entries (at any depth) with both fields.

use prost::Message;

use super::{jssdk, msg, sdkws};

/// What a map's values are.
#[derive(Clone, Copy)]
pub enum ValueKind {
    /// A varint (integers, bools).
    Varint,
    /// A message, itself fixed with its schema.
    Message(&'static Schema),
}

/// Where the maps of a message are, and which message fields to look into.
pub struct Schema {
    pub maps: &'static [(u32, ValueKind)],
    pub nested: &'static [(u32, &'static Schema)],
}

pub static MSG_DATA: Schema = Schema { maps: &[(19, ValueKind::Varint)], nested: &[] };
pub static PULL_MSGS: Schema = Schema { maps: &[], nested: &[(1, &MSG_DATA)] };
/// `PullMessageBySeqsResp`, `PushMessages` and `GetSeqMessageResp`: two maps of `PullMsgs`.
pub static PULLED: Schema =
    Schema { maps: &[(1, ValueKind::Message(&PULL_MSGS)), (2, ValueKind::Message(&PULL_MSGS))], nested: &[] };
pub static MAX_SEQS: Schema = Schema { maps: &[(1, ValueKind::Varint), (2, ValueKind::Varint)], nested: &[] };
static SEQS: Schema = Schema { maps: &[], nested: &[] };
pub static HAS_READ_AND_MAX: Schema = Schema { maps: &[(1, ValueKind::Message(&SEQS))], nested: &[] };
pub static LAST_MESSAGES: Schema = Schema { maps: &[(1, ValueKind::Message(&MSG_DATA))], nested: &[] };
pub static SEND_RESP: Schema = Schema { maps: &[], nested: &[(4, &MSG_DATA)] };
static CONVERSATION_MSG: Schema = Schema { maps: &[], nested: &[(2, &MSG_DATA)] };
pub static JSSDK_CONVERSATIONS: Schema = Schema { maps: &[], nested: &[(2, &CONVERSATION_MSG)] };

fn read_varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_len_field(out: &mut Vec<u8>, field: u32, body: &[u8]) {
    put_varint(out, (u64::from(field) << 3) | 2);
    put_varint(out, body.len() as u64);
    out.extend_from_slice(body);
}

/// One field as read: number, wire type, and its raw bytes (tag included) or payload.
struct Field<'a> {
    number: u32,
    wire_type: u8,
    raw: &'a [u8],
    payload: &'a [u8],
}

fn fields(buf: &[u8]) -> Option<Vec<Field<'_>>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let start = pos;
        let tag = read_varint(buf, &mut pos)?;
        let (number, wire_type) = (u32::try_from(tag >> 3).ok()?, (tag & 7) as u8);
        let payload_start;
        match wire_type {
            0 => {
                payload_start = pos;
                read_varint(buf, &mut pos)?;
            }
            1 => {
                payload_start = pos;
                pos = pos.checked_add(8)?;
            }
            2 => {
                let len = usize::try_from(read_varint(buf, &mut pos)?).ok()?;
                payload_start = pos;
                pos = pos.checked_add(len)?;
            }
            5 => {
                payload_start = pos;
                pos = pos.checked_add(4)?;
            }
            _ => return None,
        }
        if pos > buf.len() {
            return None;
        }
        out.push(Field { number, wire_type, raw: &buf[start..pos], payload: &buf[payload_start..pos] });
    }
    Some(out)
}

/// Re-writes `buf` (a message of `schema`) with every map entry carrying key and value. Bytes
/// that do not parse are returned unchanged (they came from prost, so this does not happen).
pub fn fix(buf: &[u8], schema: &Schema) -> Vec<u8> {
    fix_inner(buf, schema).unwrap_or_else(|| buf.to_vec())
}

fn fix_inner(buf: &[u8], schema: &Schema) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(buf.len() + 16);
    for f in fields(buf)? {
        if let Some((_, kind)) = schema.maps.iter().find(|(n, _)| *n == f.number)
            && f.wire_type == 2
        {
            let (mut key, mut value): (&[u8], Option<&[u8]>) = (&[], None);
            for e in fields(f.payload)? {
                match (e.number, e.wire_type) {
                    (1, 2) => key = e.payload,
                    (2, _) => value = Some(e.payload),
                    _ => {}
                }
            }
            let mut entry = Vec::with_capacity(f.payload.len() + 4);
            put_len_field(&mut entry, 1, key);
            match kind {
                ValueKind::Varint => {
                    put_varint(&mut entry, 2 << 3);
                    match value {
                        Some(v) => entry.extend_from_slice(v),
                        None => entry.push(0),
                    }
                }
                ValueKind::Message(inner) => put_len_field(&mut entry, 2, &fix_inner(value.unwrap_or(&[]), inner)?),
            }
            put_len_field(&mut out, f.number, &entry);
        } else if let Some((_, inner)) = schema.nested.iter().find(|(n, _)| *n == f.number)
            && f.wire_type == 2
        {
            put_len_field(&mut out, f.number, &fix_inner(f.payload, inner)?);
        } else {
            out.extend_from_slice(f.raw);
        }
    }
    Some(out)
}

/// Encoding with maps written as Go writes them.
pub trait GoEncode: Message + Sized {
    const SCHEMA: &'static Schema;

    fn encode_go(&self) -> Vec<u8> {
        fix(&self.encode_to_vec(), Self::SCHEMA)
    }
}

impl GoEncode for sdkws::MsgData {
    const SCHEMA: &'static Schema = &MSG_DATA;
}
impl GoEncode for sdkws::PullMessageBySeqsResp {
    const SCHEMA: &'static Schema = &PULLED;
}
impl GoEncode for sdkws::PushMessages {
    const SCHEMA: &'static Schema = &PULLED;
}
impl GoEncode for sdkws::GetMaxSeqResp {
    const SCHEMA: &'static Schema = &MAX_SEQS;
}
impl GoEncode for msg::GetSeqMessageResp {
    const SCHEMA: &'static Schema = &PULLED;
}
impl GoEncode for msg::GetConversationsHasReadAndMaxSeqResp {
    const SCHEMA: &'static Schema = &HAS_READ_AND_MAX;
}
impl GoEncode for msg::GetLastMessageResp {
    const SCHEMA: &'static Schema = &LAST_MESSAGES;
}
impl GoEncode for msg::SendMsgResp {
    const SCHEMA: &'static Schema = &SEND_RESP;
}
impl GoEncode for jssdk::GetConversationsResp {
    const SCHEMA: &'static Schema = &JSSDK_CONVERSATIONS;
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn an_empty_map_value_is_written_with_its_field() {
        let resp = sdkws::PullMessageBySeqsResp {
            msgs: HashMap::from([("si_a_b".to_owned(), sdkws::PullMsgs::default())]),
            notification_msgs: HashMap::new(),
        };
        let go = resp.encode_go();
        // field 1, entry {1: "si_a_b", 2: <empty>}
        assert_eq!(go, [0x0a, 0x0a, 0x0a, 0x06, b's', b'i', b'_', b'a', b'_', b'b', 0x12, 0x00]);
        assert_ne!(go, resp.encode_to_vec(), "prost alone leaves the value out");
        assert_eq!(sdkws::PullMessageBySeqsResp::decode(go.as_slice()).unwrap(), resp);
    }

    #[test]
    fn false_and_zero_values_are_written_at_any_depth() {
        let msg = sdkws::MsgData {
            client_msg_id: "c".into(),
            options: HashMap::from([("history".to_owned(), false)]),
            ..Default::default()
        };
        let go = msg.encode_go();
        let entry = [0x9a, 0x01, 0x0b, 0x0a, 0x07, b'h', b'i', b's', b't', b'o', b'r', b'y', 0x10, 0x00];
        assert!(go.windows(entry.len()).any(|w| w == entry), "{go:02x?}");
        assert_eq!(sdkws::MsgData::decode(go.as_slice()).unwrap(), msg);

        let push = sdkws::PushMessages {
            msgs: HashMap::from([("si_a_b".to_owned(), sdkws::PullMsgs { msgs: vec![msg.clone()], ..Default::default() })]),
            notification_msgs: HashMap::new(),
        };
        let go = push.encode_go();
        assert!(go.windows(entry.len()).any(|w| w == entry), "nested MsgData fixed too");
        assert_eq!(sdkws::PushMessages::decode(go.as_slice()).unwrap(), push);

        let seqs = sdkws::GetMaxSeqResp { max_seqs: HashMap::from([("n".to_owned(), 0)]), min_seqs: HashMap::new() };
        assert_eq!(seqs.encode_go(), [0x0a, 0x05, 0x0a, 0x01, b'n', 0x10, 0x00]);
    }
}
