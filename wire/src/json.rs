//! serde helpers for Go's `encoding/json` output.

use serde::{Deserialize, Deserializer};

/// Go renders nil slices and maps as `null`; read `null` (or a missing key, with
/// `#[serde(default)]`) as the empty value.
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Renders an empty list as `null`, as Go renders a nil slice.
pub fn null_if_empty<S, T>(list: &[T], s: S) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    T: serde::Serialize,
{
    if list.is_empty() { s.serialize_none() } else { s.collect_seq(list) }
}

/// A Go map as `encoding/json` writes it: `null` when nil (empty), else an object.
pub fn null_if_empty_map<S, V>(map: &std::collections::HashMap<String, V>, s: S) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    V: serde::Serialize,
{
    if map.is_empty() { s.serialize_none() } else { s.collect_map(map) }
}

/// A string list as Go's `encoding/json` writes it (HTML-escaping `<`, `>` and `&`).
pub fn go_string_array(items: &[String]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in item.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

/// OpenIM's `hashutil.IdHash`: 0 for no IDs, else the first 8 bytes (big-endian) of the MD5 of
/// the IDs' Go JSON.
pub fn id_hash(ids: &[String]) -> u64 {
    use md5::Digest as _;
    if ids.is_empty() {
        return 0;
    }
    let digest = md5::Md5::digest(go_string_array(ids).as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("an MD5 digest has 16 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_json_of_string_lists() {
        assert_eq!(go_string_array(&[]), "[]");
        assert_eq!(go_string_array(&["a".into(), "b\"<&>".into()]), r#"["a","b\"\u003c\u0026\u003e"]"#);
        assert_eq!(id_hash(&[]), 0);
        // Values computed outside this code (Python hashlib over the same JSON).
        assert_eq!(id_hash(&["si_a_b".into()]), 3659999509771650730);
        assert_eq!(id_hash(&["si_alice_bob".into(), "si_alice_carol".into()]), 15014158041843984817);
    }
}
