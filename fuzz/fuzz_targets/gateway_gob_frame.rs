//! A gateway frame in gob, as devserver reads it from OpenIM's Go core: the first input byte
//! says whether the connection is gzip-compressed, the rest is the frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openim_wire::gateway::decode_gob_frame;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, frame)) = data.split_first() else { return };
    let _ = decode_gob_frame(frame, mode & 1 == 1, 1 << 20);
});
