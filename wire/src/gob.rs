//! The gateway's gob envelope (Go's `encoding/gob`), spoken by clients that connect without
//! `sdkType=js` (OpenIM's Go core). Every frame is one fresh gob stream: the type definition of
//! the envelope struct, then its value (reference §3.2, §10).
//!
//! Only what the envelope needs is implemented: struct values whose fields are `bool`, `int`,
//! `uint`, `string` or `[]byte`, and the struct type definitions that describe them. Fields are
//! matched by name, as gob does, so the peer's field order and type IDs never matter: the type
//! definition in each frame is read, never assumed. No Rust crate for gob is available to this
//! project, hence this small codec.

use std::collections::HashMap;

use crate::gateway::{WsRequest, WsResponse};

/// gob's predefined type IDs.
mod id {
    pub const BOOL: i64 = 1;
    pub const INT: i64 = 2;
    pub const UINT: i64 = 3;
    pub const FLOAT: i64 = 4;
    pub const BYTES: i64 = 5;
    pub const STRING: i64 = 6;
}

/// The ID this codec gives the one struct type it defines (the first user type of the official
/// Go core's gob streams).
const FIRST_USER_TYPE: i64 = 64;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GobError {
    #[error("gob stream ends early")]
    Truncated,
    #[error("gob number is malformed")]
    BadNumber,
    #[error("gob type {0} is not supported")]
    Unsupported(i64),
    #[error("gob value of undefined type {0}")]
    UndefinedType(i64),
    #[error("gob type definition is malformed: {0}")]
    BadTypeDefinition(&'static str),
    #[error("gob struct field {0} is not defined")]
    UnknownField(usize),
    #[error("gob string is not UTF-8")]
    NotUtf8,
    #[error("gob field {0} has the wrong type")]
    WrongType(&'static str),
}

/// One decoded field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Bytes(Vec<u8>),
    Str(String),
}

/// A struct type as its definition describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct StructType {
    pub name: String,
    /// Field names and type IDs, in field-number order.
    pub fields: Vec<(String, i64)>,
}

// --- primitive encoding ---

fn put_uint(out: &mut Vec<u8>, v: u64) {
    if v < 128 {
        out.push(v as u8);
        return;
    }
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let n = bytes.len() - skip;
    out.push((256 - n) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

fn put_int(out: &mut Vec<u8>, v: i64) {
    let u = if v >= 0 { (v as u64) << 1 } else { ((!v as u64) << 1) | 1 };
    put_uint(out, u);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_uint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// A cursor over gob bytes; every read is bounds-checked.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn byte(&mut self) -> Result<u8, GobError> {
        let b = *self.buf.get(self.pos).ok_or(GobError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], GobError> {
        let end = self.pos.checked_add(n).ok_or(GobError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(GobError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    fn uint(&mut self) -> Result<u64, GobError> {
        let b = self.byte()?;
        if b < 128 {
            return Ok(u64::from(b));
        }
        let n = 256 - usize::from(b);
        if n > 8 {
            return Err(GobError::BadNumber);
        }
        Ok(self.take(n)?.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn int(&mut self) -> Result<i64, GobError> {
        let u = self.uint()?;
        Ok(if u & 1 == 1 { !((u >> 1) as i64) } else { (u >> 1) as i64 })
    }

    fn len(&mut self) -> Result<usize, GobError> {
        let n = usize::try_from(self.uint()?).map_err(|_| GobError::BadNumber)?;
        if n > self.buf.len() - self.pos {
            return Err(GobError::Truncated);
        }
        Ok(n)
    }

    fn bytes(&mut self) -> Result<&'a [u8], GobError> {
        let n = self.len()?;
        self.take(n)
    }

    fn string(&mut self) -> Result<String, GobError> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| GobError::NotUtf8)
    }

    /// Walks a struct's fields: `visit(field number, reader)` reads each value.
    fn fields(&mut self, mut visit: impl FnMut(usize, &mut Self) -> Result<(), GobError>) -> Result<(), GobError> {
        let mut field: i64 = -1;
        loop {
            let delta = self.uint()?;
            if delta == 0 {
                return Ok(());
            }
            field = field.checked_add(i64::try_from(delta).map_err(|_| GobError::BadNumber)?).ok_or(GobError::BadNumber)?;
            visit(usize::try_from(field).map_err(|_| GobError::BadNumber)?, self)?;
        }
    }
}

// --- type definitions ---

/// Reads a `wireType` holding a struct type.
fn read_type_definition(r: &mut Reader) -> Result<StructType, GobError> {
    let mut found = None;
    r.fields(|n, r| match n {
        // wireType.StructT
        2 => {
            found = Some(read_struct_type(r)?);
            Ok(())
        }
        _ => Err(GobError::BadTypeDefinition("only struct types are supported")),
    })?;
    found.ok_or(GobError::BadTypeDefinition("no struct type"))
}

fn read_struct_type(r: &mut Reader) -> Result<StructType, GobError> {
    let mut t = StructType { name: String::new(), fields: Vec::new() };
    r.fields(|n, r| match n {
        // CommonType{Name, Id}
        0 => r.fields(|n, r| match n {
            0 => {
                t.name = r.string()?;
                Ok(())
            }
            1 => r.int().map(drop),
            _ => Err(GobError::BadTypeDefinition("CommonType")),
        }),
        // Field []fieldType
        1 => {
            let count = r.len()?;
            for _ in 0..count {
                let (mut name, mut type_id) = (String::new(), 0);
                r.fields(|n, r| match n {
                    0 => {
                        name = r.string()?;
                        Ok(())
                    }
                    1 => {
                        type_id = r.int()?;
                        Ok(())
                    }
                    _ => Err(GobError::BadTypeDefinition("fieldType")),
                })?;
                t.fields.push((name, type_id));
            }
            Ok(())
        }
        _ => Err(GobError::BadTypeDefinition("structType")),
    })?;
    Ok(t)
}

fn write_type_definition(out: &mut Vec<u8>, type_id: i64, t: &StructType) {
    let mut def = Vec::new();
    put_uint(&mut def, 3); // wireType.StructT
    put_uint(&mut def, 1); // structType.CommonType
    put_uint(&mut def, 1); // CommonType.Name
    put_bytes(&mut def, t.name.as_bytes());
    put_uint(&mut def, 1); // CommonType.Id
    put_int(&mut def, type_id);
    def.push(0);
    put_uint(&mut def, 1); // structType.Field
    put_uint(&mut def, t.fields.len() as u64);
    for (name, field_type) in &t.fields {
        put_uint(&mut def, 1);
        put_bytes(&mut def, name.as_bytes());
        put_uint(&mut def, 1);
        put_int(&mut def, *field_type);
        def.push(0);
    }
    def.push(0); // end structType
    def.push(0); // end wireType
    write_message(out, -type_id, &def);
}

fn write_message(out: &mut Vec<u8>, type_id: i64, payload: &[u8]) {
    let mut head = Vec::new();
    put_int(&mut head, type_id);
    put_uint(out, (head.len() + payload.len()) as u64);
    out.extend_from_slice(&head);
    out.extend_from_slice(payload);
}

// --- values ---

fn read_value(r: &mut Reader, type_id: i64) -> Result<Value, GobError> {
    Ok(match type_id {
        id::BOOL => Value::Bool(r.uint()? != 0),
        id::INT => Value::Int(r.int()?),
        id::UINT => Value::Uint(r.uint()?),
        id::BYTES => Value::Bytes(r.bytes()?.to_vec()),
        id::STRING => Value::Str(r.string()?),
        id::FLOAT => Value::Uint(r.uint()?),
        other => return Err(GobError::Unsupported(other)),
    })
}

/// Decodes one gob stream holding a struct value: its type, and its non-zero fields by name.
pub fn decode_struct(bytes: &[u8]) -> Result<(StructType, HashMap<String, Value>), GobError> {
    let mut r = Reader::new(bytes);
    let mut types: HashMap<i64, StructType> = HashMap::new();
    while !r.done() {
        let len = r.len()?;
        let mut m = Reader::new(r.take(len)?);
        let type_id = m.int()?;
        if type_id < 0 {
            // i64::MIN has no positive twin: no type can be defined with it.
            let id = type_id.checked_neg().ok_or(GobError::UndefinedType(type_id))?;
            types.insert(id, read_type_definition(&mut m)?);
            continue;
        }
        let t = types.get(&type_id).ok_or(GobError::UndefinedType(type_id))?.clone();
        let mut values = HashMap::new();
        m.fields(|n, m| {
            let (name, field_type) = t.fields.get(n).ok_or(GobError::UnknownField(n))?;
            values.insert(name.clone(), read_value(m, *field_type)?);
            Ok(())
        })?;
        return Ok((t, values));
    }
    Err(GobError::Truncated)
}

/// Encodes one gob stream: the definition of `t` (as type 64), then a value with `values` (by
/// field name; missing or zero ones are left out, as gob does).
pub fn encode_struct(t: &StructType, values: &HashMap<&str, Value>) -> Vec<u8> {
    let mut out = Vec::new();
    write_type_definition(&mut out, FIRST_USER_TYPE, t);
    let mut payload = Vec::new();
    let mut last: i64 = -1;
    for (n, (name, _)) in t.fields.iter().enumerate() {
        let Some(v) = values.get(name.as_str()) else { continue };
        let zero = match v {
            Value::Bool(b) => !b,
            Value::Int(i) => *i == 0,
            Value::Uint(u) => *u == 0,
            Value::Bytes(b) => b.is_empty(),
            Value::Str(s) => s.is_empty(),
        };
        if zero {
            continue;
        }
        put_uint(&mut payload, (n as i64 - last) as u64);
        last = n as i64;
        match v {
            Value::Bool(b) => put_uint(&mut payload, u64::from(*b)),
            Value::Int(i) => put_int(&mut payload, *i),
            Value::Uint(u) => put_uint(&mut payload, *u),
            Value::Bytes(b) => put_bytes(&mut payload, b),
            Value::Str(s) => put_bytes(&mut payload, s.as_bytes()),
        }
    }
    payload.push(0);
    write_message(&mut out, FIRST_USER_TYPE, &payload);
    out
}

// --- the envelope ---

fn take_int(values: &mut HashMap<String, Value>, name: &'static str) -> Result<i64, GobError> {
    match values.remove(name) {
        None => Ok(0),
        Some(Value::Int(i)) => Ok(i),
        Some(Value::Uint(u)) => i64::try_from(u).map_err(|_| GobError::WrongType(name)),
        Some(_) => Err(GobError::WrongType(name)),
    }
}

fn take_string(values: &mut HashMap<String, Value>, name: &'static str) -> Result<String, GobError> {
    match values.remove(name) {
        None => Ok(String::new()),
        Some(Value::Str(s)) => Ok(s),
        Some(_) => Err(GobError::WrongType(name)),
    }
}

fn take_bytes(values: &mut HashMap<String, Value>, name: &'static str) -> Result<Vec<u8>, GobError> {
    match values.remove(name) {
        None => Ok(Vec::new()),
        Some(Value::Bytes(b)) => Ok(b),
        Some(_) => Err(GobError::WrongType(name)),
    }
}

/// A client request (OpenIM's `GeneralWsReq`, fields matched by name).
pub fn decode_request(bytes: &[u8]) -> Result<WsRequest, GobError> {
    let (_, mut v) = decode_struct(bytes)?;
    Ok(WsRequest {
        req_identifier: i32::try_from(take_int(&mut v, "ReqIdentifier")?).map_err(|_| GobError::WrongType("ReqIdentifier"))?,
        token: take_string(&mut v, "Token")?,
        send_id: take_string(&mut v, "SendID")?,
        operation_id: take_string(&mut v, "OperationID")?,
        msg_incr: take_string(&mut v, "MsgIncr")?,
        data: take_bytes(&mut v, "Data")?,
    })
}

/// A server frame as OpenIM's gateway writes it (its `Resp` struct).
pub fn encode_response(resp: &WsResponse) -> Vec<u8> {
    let t = StructType {
        name: "Resp".into(),
        fields: vec![
            ("ReqIdentifier".into(), id::INT),
            ("MsgIncr".into(), id::STRING),
            ("OperationID".into(), id::STRING),
            ("ErrCode".into(), id::INT),
            ("ErrMsg".into(), id::STRING),
            ("Data".into(), id::BYTES),
        ],
    };
    let values = HashMap::from([
        ("ReqIdentifier", Value::Int(resp.req_identifier.into())),
        ("MsgIncr", Value::Str(resp.msg_incr.clone())),
        ("OperationID", Value::Str(resp.operation_id.clone())),
        ("ErrCode", Value::Int(resp.err_code.into())),
        ("ErrMsg", Value::Str(resp.err_msg.clone())),
        ("Data", Value::Bytes(resp.data.clone())),
    ]);
    encode_struct(&t, &values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// The official Go core's (3.8.5) first request after login, gunzipped (reference §10).
    const GOLDEN: &str = "657f0301010c47656e6572616c577352657101ff80000106010d5265714964656e7469666965720104000105546f6b656e010c00010653656e644944010c00010b4f7065726174696f6e4944010c0001074d7367496e6372010c00010444617461010a00000067ff8001fe07d2020a7761736d5f616c696365012462336535633734382d643631352d343431612d393030302d623834633064303366303533011e7761736d5f616c6963655f31373936313031363132353931323933373139010c0a0a7761736d5f616c69636500";

    #[test]
    fn the_go_cores_first_request_decodes() {
        let (t, _) = decode_struct(&hex(GOLDEN)).unwrap();
        assert_eq!(t.name, "GeneralWsReq");
        let names: Vec<&str> = t.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["ReqIdentifier", "Token", "SendID", "OperationID", "MsgIncr", "Data"]);
        let req = decode_request(&hex(GOLDEN)).unwrap();
        assert_eq!(req.req_identifier, 1001);
        assert_eq!(req.token, "");
        assert_eq!(req.send_id, "wasm_alice");
        assert_eq!(req.operation_id, "b3e5c748-d615-441a-9000-b84c0d03f053");
        assert_eq!(req.msg_incr, "wasm_alice_1796101612591293719");
        assert_eq!(req.data, hex("0a0a7761736d5f616c696365"));
    }

    #[test]
    fn a_definition_written_here_is_the_one_the_go_core_writes() {
        // The request struct as this codec would define it reproduces the golden definition.
        let t = StructType {
            name: "GeneralWsReq".into(),
            fields: ["ReqIdentifier", "Token", "SendID", "OperationID", "MsgIncr", "Data"]
                .iter()
                .zip([id::INT, id::STRING, id::STRING, id::STRING, id::STRING, id::BYTES])
                .map(|(n, t)| ((*n).to_owned(), t))
                .collect(),
        };
        let mut out = Vec::new();
        write_type_definition(&mut out, FIRST_USER_TYPE, &t);
        assert_eq!(out, hex(&GOLDEN[..(0x65 + 1) * 2]));
    }

    #[test]
    fn numbers_follow_the_spec() {
        let mut out = Vec::new();
        put_uint(&mut out, 7);
        put_uint(&mut out, 256);
        put_int(&mut out, -129);
        put_int(&mut out, 1001);
        assert_eq!(out, [0x07, 0xfe, 0x01, 0x00, 0xfe, 0x01, 0x01, 0xfe, 0x07, 0xd2]);
        let mut r = Reader::new(&out);
        assert_eq!((r.uint(), r.uint(), r.int(), r.int()), (Ok(7), Ok(256), Ok(-129), Ok(1001)));
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        let golden = hex(GOLDEN);
        for cut in 0..golden.len() {
            let _ = decode_request(&golden[..cut]);
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let mut frame = golden.clone();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = (seed % frame.len() as u64) as usize;
                frame[i] = (seed >> 32) as u8;
            }
            let _ = decode_request(&frame);
        }
        assert!(decode_request(&[]).is_err());
        assert!(decode_request(&[0xff, 0xff, 0xff]).is_err());
        // A type ID of i64::MIN (uint u64::MAX: 0xf8 and eight 0xff bytes) defines nothing.
        let mut min_id = vec![0x09, 0xf8];
        min_id.extend([0xff; 8]);
        assert_eq!(decode_request(&min_id).unwrap_err(), GobError::UndefinedType(i64::MIN));
    }
}
