//! Parsing the connect query the way open-im-server's `UserConnContext` does.

use std::collections::HashMap;

use axum::http::HeaderMap;
use base64::Engine as _;
use openim_wire::constant::platform;
use openim_wire::errcode;
use openim_wire::gateway::query;
use serde::Deserialize;

use crate::error::CodeError;

/// The arguments of one connection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnArgs {
    pub token: String,
    pub user_id: String,
    pub platform_id: i32,
    pub operation_id: String,
    pub gzip: bool,
    pub sdk_type: String,
    pub send_response: bool,
    pub background: bool,
    pub sdk_version: String,
}

/// The JSON behind `?v=<base64url>`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ConnInfoJson {
    token: String,
    #[serde(rename = "userID")]
    user_id: String,
    #[serde(rename = "platformID")]
    platform_id: i32,
    #[serde(rename = "operationID")]
    operation_id: String,
    compression: String,
    #[serde(rename = "sdkType")]
    sdk_type: String,
    #[serde(rename = "sendResponse")]
    send_response: bool,
    background: bool,
    #[serde(rename = "sdkVersion")]
    sdk_version: String,
}

fn conn_args_err(detail: &str) -> CodeError {
    CodeError::new(errcode::CONN_ARGS_ERR, detail)
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

pub fn parse(raw_query: &str, headers: &HeaderMap) -> Result<ConnArgs, CodeError> {
    let q: HashMap<String, String> = url_decode_pairs(raw_query);
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if let Some(v) = q.get(query::V).filter(|v| !v.is_empty()) {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(v.as_bytes())
            .map_err(|_| conn_args_err("data is not base64"))?;
        let info: ConnInfoJson =
            serde_json::from_slice(&raw).map_err(|e| conn_args_err(&format!("data is not json, info {e}")))?;
        return check(ConnArgs {
            token: info.token,
            user_id: info.user_id,
            platform_id: info.platform_id,
            operation_id: info.operation_id,
            gzip: info.compression == query::GZIP,
            sdk_type: info.sdk_type,
            send_response: info.send_response,
            background: info.background,
            sdk_version: info.sdk_version,
        });
    }
    let platform_id: i32 = get(query::PLATFORM_ID).parse().map_err(|_| conn_args_err("platformID is not int"))?;
    let send_response = match q.get(query::IS_MSG_RESP).filter(|v| !v.is_empty()) {
        None => false,
        Some(v) => parse_go_bool(v).ok_or_else(|| conn_args_err("isMsgResp is not bool"))?,
    };
    let mut compression = get(query::COMPRESSION);
    if compression.is_empty() {
        compression = headers.get(query::COMPRESSION).and_then(|h| h.to_str().ok()).unwrap_or("").to_owned();
    }
    let background_raw = get(query::IS_BACKGROUND);
    // OpenIM returns ParseBool's own error here, which its envelope reports as code 500.
    let background = parse_go_bool(&background_raw).ok_or_else(|| {
        CodeError::internal(format!("strconv.ParseBool: parsing {background_raw:?}: invalid syntax"))
    })?;
    check(ConnArgs {
        token: get(query::TOKEN),
        user_id: get(query::SEND_ID),
        platform_id,
        operation_id: get(query::OPERATION_ID),
        gzip: compression == query::GZIP,
        sdk_type: get(query::SDK_TYPE),
        send_response,
        background,
        sdk_version: get(query::SDK_VERSION),
    })
}

fn check(mut args: ConnArgs) -> Result<ConnArgs, CodeError> {
    if args.operation_id.is_empty() {
        return Err(conn_args_err("operationID is empty"));
    }
    if args.token.is_empty() {
        return Err(conn_args_err("token is empty"));
    }
    if args.user_id.is_empty() {
        return Err(conn_args_err("sendID is empty"));
    }
    if !platform::is_valid(args.platform_id) {
        return Err(conn_args_err("platformID is invalid"));
    }
    match args.sdk_type.as_str() {
        "" => args.sdk_type = query::SDK_TYPE_GO.to_owned(),
        query::SDK_TYPE_GO | query::SDK_TYPE_JS => {}
        _ => return Err(conn_args_err("sdkType is invalid")),
    }
    Ok(args)
}

/// Decodes the query; the first occurrence of a key wins, as with Go's `url.Values.Get`.
fn url_decode_pairs(raw: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_q(q: &str) -> Result<ConnArgs, CodeError> {
        parse(q, &HeaderMap::new())
    }

    #[test]
    fn full_query() {
        let a = parse_q("sendID=u1&token=t&platformID=2&operationID=op&isBackground=false&compression=gzip&sdkType=js&isMsgResp=true&sdkVersion=3.8.0").unwrap();
        assert_eq!((a.user_id.as_str(), a.platform_id, a.gzip, a.send_response, a.sdk_type.as_str()), ("u1", 2, true, true, "js"));
    }

    #[test]
    fn errors_match_openim() {
        assert_eq!(parse_q("sendID=u1&token=t&operationID=op&isBackground=false").unwrap_err().detail, "platformID is not int");
        assert_eq!(parse_q("sendID=u1&token=t&platformID=2&operationID=op").unwrap_err().code, 500);
        let e = parse_q("sendID=u1&token=t&platformID=2&isBackground=false").unwrap_err();
        assert_eq!((e.code, e.detail.as_str()), (1602, "operationID is empty"));
        assert_eq!(parse_q("sendID=u1&token=t&platformID=0&operationID=o&isBackground=0").unwrap_err().detail, "platformID is invalid");
        assert_eq!(parse_q("sendID=u1&token=t&platformID=2&operationID=o&isBackground=0&sdkType=x").unwrap_err().detail, "sdkType is invalid");
        assert_eq!(parse_q("sendID=u1&token=t&platformID=2&operationID=o&isBackground=0").unwrap().sdk_type, "go");
    }

    #[test]
    fn v_form() {
        let json = r#"{"token":"t","userID":"u1","platformID":1,"operationID":"o","compression":"gzip","sdkType":"js","sendResponse":true}"#;
        let v = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        let a = parse_q(&format!("v={v}")).unwrap();
        assert_eq!((a.user_id.as_str(), a.platform_id, a.gzip, a.send_response), ("u1", 1, true, true));
        assert_eq!(parse_q("v=***").unwrap_err().detail, "data is not base64");
    }
}
