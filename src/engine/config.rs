//! Validated client configuration.

use std::path::PathBuf;

use openim_wire::constant::platform;

use crate::error::{OpenIMError, Result};

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub platform_id: i32,
    /// REST base URL without a trailing slash.
    pub api_addr: String,
    pub ws_addr: url::Url,
    pub data_dir: PathBuf,
}

impl EngineConfig {
    pub fn new(platform_id: i32, api_addr: &str, ws_addr: &str, data_dir: &str) -> Result<Self> {
        if !platform::is_valid(platform_id) || platform_id == platform::ADMIN {
            return Err(OpenIMError::invalid_argument(format!(
                "platform {platform_id} is not an OpenIM client platform (1–9 or 11)"
            )));
        }
        let api = parse_url("api_addr", api_addr, &["http", "https"])?;
        let ws = parse_url("ws_addr", ws_addr, &["ws", "wss"])?;
        if data_dir.trim().is_empty() {
            return Err(OpenIMError::invalid_argument("data_dir is empty"));
        }
        Ok(Self {
            platform_id,
            api_addr: api.as_str().trim_end_matches('/').to_owned(),
            ws_addr: ws,
            data_dir: PathBuf::from(data_dir),
        })
    }
}

fn parse_url(field: &str, value: &str, schemes: &[&str]) -> Result<url::Url> {
    let url = url::Url::parse(value.trim())
        .map_err(|e| OpenIMError::invalid_argument(format!("{field} {value:?} is not a URL: {e}")))?;
    if !schemes.contains(&url.scheme()) {
        return Err(OpenIMError::invalid_argument(format!(
            "{field} {value:?} must use {}",
            schemes.join(" or ")
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(OpenIMError::invalid_argument(format!("{field} {value:?} has no host")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates() {
        let ok = EngineConfig::new(2, "http://127.0.0.1:10002/", "ws://127.0.0.1:10001", "/tmp/x").unwrap();
        assert_eq!(ok.api_addr, "http://127.0.0.1:10002");
        for (p, api, ws, dir) in [
            (0, "http://h", "ws://h", "/d"),
            (10, "http://h", "ws://h", "/d"),
            (12, "http://h", "ws://h", "/d"),
            (2, "ftp://h", "ws://h", "/d"),
            (2, "not a url", "ws://h", "/d"),
            (2, "http://h", "http://h", "/d"),
            (2, "http://h", "ws://h", "  "),
        ] {
            let err = EngineConfig::new(p, api, ws, dir).unwrap_err();
            assert_eq!(err.code(), 10002, "{p} {api} {ws} {dir:?}: {err}");
        }
    }
}
