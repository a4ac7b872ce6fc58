//! gzip framing of gateway frames (`compression=gzip`), with a bound on the inflated size so a
//! small malicious frame cannot expand into gigabytes.

use std::cell::RefCell;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

#[derive(Debug, thiserror::Error)]
pub enum GzipError {
    #[error("gzip: {0}")]
    Io(#[from] std::io::Error),
    #[error("gzip: inflated frame exceeds {limit} bytes")]
    TooLarge { limit: usize },
}

// One deflate and one inflate state per thread, reset between frames: setting one up
// allocates and clears a few hundred KB, which would cost more than compressing a message.
thread_local! {
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new_gzip(Compression::default(), 15));
    static INFLATE: RefCell<Decompress> = RefCell::new(Decompress::new_gzip(15));
}

/// Compresses `data` with gzip (default level, as OpenIM's gateway does).
pub fn compress(data: &[u8]) -> Vec<u8> {
    DEFLATE.with_borrow_mut(|deflate| {
        deflate.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        let mut consumed = 0;
        loop {
            let before = deflate.total_in();
            // Deflating from memory into memory cannot fail.
            let status = deflate.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish).expect("deflate into a Vec");
            consumed += (deflate.total_in() - before) as usize;
            if status == Status::StreamEnd {
                return out;
            }
            out.reserve(out.capacity().max(64));
        }
    })
}

/// Inflates a gzip frame, refusing output larger than `limit` bytes.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, GzipError> {
    let invalid = |msg: String| GzipError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, msg));
    INFLATE.with_borrow_mut(|inflate| {
        inflate.reset(true);
        let mut out = Vec::with_capacity(data.len().saturating_mul(4).max(64).min(limit.saturating_add(1)));
        let mut consumed = 0;
        loop {
            if out.len() == out.capacity() {
                if out.len() > limit {
                    return Err(GzipError::TooLarge { limit });
                }
                let room = out.capacity().max(64).min(limit + 1 - out.len());
                out.reserve_exact(room);
            }
            let (before_in, before_out) = (inflate.total_in(), out.len());
            let status = inflate.decompress_vec(&data[consumed..], &mut out, FlushDecompress::Finish).map_err(|e| invalid(e.to_string()))?;
            consumed += (inflate.total_in() - before_in) as usize;
            if out.len() > limit {
                return Err(GzipError::TooLarge { limit });
            }
            match status {
                Status::StreamEnd => return Ok(out),
                // No progress with room to write: the input ends before the stream does.
                _ if inflate.total_in() == before_in && out.len() == before_out && out.len() < out.capacity() => {
                    return Err(invalid("gzip stream ends early".into()));
                }
                _ => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let data = b"{\"reqIdentifier\":1001}".repeat(50);
        let packed = compress(&data);
        assert!(packed.len() < data.len());
        assert_eq!(decompress(&packed, 1 << 20).unwrap(), data);
    }

    #[test]
    fn refuses_bombs_and_garbage() {
        let packed = compress(&vec![0u8; 10_000]);
        assert!(matches!(decompress(&packed, 1_000), Err(GzipError::TooLarge { limit: 1_000 })));
        assert!(matches!(decompress(b"not gzip at all", 1_000), Err(GzipError::Io(_))));
    }

    /// A frame from another implementation (Python's gzip module), including its header flags.
    #[test]
    fn reads_other_encoders() {
        const PYTHON: &[u8] = &[
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0x2a, 0x4a, 0x2d, 0xf4, 0x4c, 0x49, 0xcd,
            0x2b, 0xc9, 0x4c, 0xcb, 0x4c, 0x2d, 0x52, 0xb2, 0x32, 0x34, 0x30, 0x30, 0xd4, 0x51, 0x2a, 0x4e, 0xcd, 0x4b, 0xf1,
            0x74, 0x51, 0xb2, 0x52, 0x4a, 0xcc, 0xc9, 0x4c, 0x4e, 0x55, 0xaa, 0x05, 0x00, 0x39, 0xd5, 0xc7, 0xd0, 0x27, 0x00,
            0x00, 0x00,
        ];
        assert_eq!(decompress(PYTHON, 1 << 10).unwrap(), br#"{"reqIdentifier":1001,"sendID":"alice"}"#);
        assert_eq!(decompress(PYTHON, 39).unwrap().len(), 39, "exactly at the limit");
        assert!(matches!(decompress(PYTHON, 38), Err(GzipError::TooLarge { .. })));
    }

    /// The reused states recover from a bad frame, and frames of every size round-trip.
    #[test]
    fn truncated_frames_fail_and_the_next_frame_still_works() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let packed = compress(&data);
        for cut in [1, 10, packed.len() / 2, packed.len() - 1] {
            assert!(matches!(decompress(&packed[..cut], 1 << 20), Err(GzipError::Io(_))), "cut at {cut}");
            assert_eq!(decompress(&packed, 1 << 20).unwrap(), data);
        }
        for size in [0, 1, 100, 65_536, 1 << 20] {
            let d = vec![b'x'; size];
            assert_eq!(decompress(&compress(&d), 1 << 21).unwrap(), d, "size {size}");
        }
    }
}
