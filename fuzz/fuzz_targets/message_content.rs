//! A message's content string for a content type: the first four input bytes are the content
//! type (little-endian), the rest the content. What decodes must write back to content that
//! decodes the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openim_sdk::MessageContent;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let content_type = i32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    let raw = String::from_utf8_lossy(&data[4..]);
    let content = MessageContent::from_wire(content_type, &raw);
    if !matches!(content, MessageContent::Unknown { .. }) {
        assert_eq!(MessageContent::from_wire(content_type, &content.to_wire()), content);
    }
});
