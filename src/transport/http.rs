//! The REST client: `POST {apiAddr}{path}` with headers `operationID` and `token`, the reply
//! envelope `{errCode, errMsg, errDlt, data}`, gzip, rustls, a 10 s timeout.

use std::sync::Arc;
use std::time::Duration;

use openim_wire::api::{ApiResponse, header};
use openim_wire::errcode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{OpenIMError, Result};
use crate::util::{Token, operation_id};

/// The SDK's HTTP timeout (OpenIM uses 10 s).
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest reply body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Called with every error a call returns, so the session can react to token errors.
pub type ErrorHook = Arc<dyn Fn(&OpenIMError) + Send + Sync>;

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Arc<str>,
    token: Option<Token>,
    on_error: Option<ErrorHook>,
}

impl ApiClient {
    pub fn new(base: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(HTTP_TIMEOUT)
            .gzip(true)
            .use_rustls_tls()
            .build()
            .map_err(|e| OpenIMError::internal(format!("HTTP client: {e}")))?;
        Ok(Self { http, base: base.trim_end_matches('/').into(), token: None, on_error: None })
    }

    /// A client that sends `token` and reports errors to `on_error`.
    pub fn authorized(&self, token: Token, on_error: ErrorHook) -> Self {
        Self { token: Some(token), on_error: Some(on_error), ..self.clone() }
    }

    /// Calls `path` with `body`; `errCode != 0` becomes the matching [`OpenIMError`].
    pub async fn post<Req, Resp>(&self, path: &str, body: &Req) -> Result<Resp>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned + Default,
    {
        let result = self.post_inner(path, body).await;
        if let (Err(e), Some(hook)) = (&result, &self.on_error) {
            hook(e);
        }
        result
    }

    async fn post_inner<Req, Resp>(&self, path: &str, body: &Req) -> Result<Resp>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned + Default,
    {
        let op_id = operation_id();
        let mut request = self
            .http
            .post(format!("{}{}", self.base, path))
            .header(header::OPERATION_ID, &op_id)
            .json(body);
        if let Some(token) = &self.token {
            request = request.header(header::TOKEN, token.expose());
        }
        tracing::debug!(path, op_id = %op_id, "REST call");
        let response = request.send().await.map_err(|e| transport_error(path, e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(OpenIMError::network(format!("{path}: HTTP {status}")));
        }
        if response.content_length().is_some_and(|n| n as usize > MAX_BODY) {
            return Err(OpenIMError::protocol(format!("{path}: reply larger than {MAX_BODY} bytes")));
        }
        // Read a chunk at a time: a gzip reply has no length to check first, and one that
        // inflates past the limit stops there, not once it is all in memory.
        let mut response = response;
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(path, e))? {
            if bytes.len() + chunk.len() > MAX_BODY {
                return Err(OpenIMError::protocol(format!("{path}: reply larger than {MAX_BODY} bytes")));
            }
            bytes.extend_from_slice(&chunk);
        }
        let envelope: ApiResponse<Resp> = serde_json::from_slice(&bytes)
            .map_err(|e| OpenIMError::protocol(format!("{path}: reply is not an OpenIM envelope: {e}")))?;
        if envelope.err_code != 0 {
            let mut message = envelope.err_msg;
            if !envelope.err_dlt.is_empty() {
                message = format!("{message}: {}", envelope.err_dlt);
            }
            return Err(OpenIMError::from_server(envelope.err_code, message));
        }
        Ok(envelope.data.unwrap_or_default())
    }
}

/// How long one uploaded part may take (a part is 5 MB or more; the API timeout is for replies).
const PART_TIMEOUT: Duration = Duration::from_secs(120);

impl ApiClient {
    /// `PUT`s one part of an upload to the URL the server signed for it, with the headers it
    /// signed (never the session's token: the URL may be object storage's own). Errors leave the
    /// URL out: a signed URL is a credential.
    pub async fn put_part(&self, url: url::Url, headers: &[(String, String)], body: Vec<u8>) -> Result<()> {
        let mut request = self.http.put(url).timeout(PART_TIMEOUT).body(body);
        for (k, v) in headers {
            request = request.header(k.as_str(), v.as_str());
        }
        let what = "upload of a part";
        let response = request.send().await.map_err(|e| transport_error(what, e.without_url()))?;
        let status = response.status();
        if matches!(status.as_u16(), 403 | 404 | 410) {
            // The signed URL is refused (the upload gone, the signature expired): OpenIM's 1701.
            return Err(OpenIMError::from_server(errcode::FILE_UPLOADED_EXPIRED, format!("{what}: HTTP {status}")));
        }
        if !status.is_success() {
            return Err(OpenIMError::network(format!("{what}: HTTP {status}")));
        }
        Ok(())
    }
}

fn transport_error(path: &str, e: reqwest::Error) -> OpenIMError {
    // reqwest's Display may include the URL; our URLs carry no secrets (the token is a header).
    if e.is_timeout() {
        OpenIMError::timeout(format!("{path}: {e}"))
    } else if e.is_decode() {
        OpenIMError::protocol(format!("{path}: {e}"))
    } else {
        OpenIMError::network(format!("{path}: {e}"))
    }
}
