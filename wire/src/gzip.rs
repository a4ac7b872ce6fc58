//! gzip framing of gateway frames (`compression=gzip`), with a bound on the inflated size so a
//! small malicious frame cannot expand into gigabytes.

use std::io::{Read, Write};

use flate2::{Compression, read::GzDecoder, write::GzEncoder};

#[derive(Debug, thiserror::Error)]
pub enum GzipError {
    #[error("gzip: {0}")]
    Io(#[from] std::io::Error),
    #[error("gzip: inflated frame exceeds {limit} bytes")]
    TooLarge { limit: usize },
}

/// Compresses `data` with gzip (default level, as OpenIM's gateway does).
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 2 + 32), Compression::default());
    // Writing into a Vec cannot fail.
    encoder.write_all(data).expect("write into Vec");
    encoder.finish().expect("finish into Vec")
}

/// Inflates a gzip frame, refusing output larger than `limit` bytes.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, GzipError> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).min(limit));
    let read = GzDecoder::new(data).take(limit as u64 + 1).read_to_end(&mut out)?;
    if read > limit {
        return Err(GzipError::TooLarge { limit });
    }
    Ok(out)
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
}
