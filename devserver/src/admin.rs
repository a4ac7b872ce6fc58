//! A small client for the admin side of the REST API: what tests, demos and scripts need to
//! bootstrap users against a devserver (or a real OpenIM server).

use openim_wire::api::auth::{ForceLogoutReq, GetAdminTokenReq, GetUserTokenReq, TokenResp};
use openim_wire::api::user::{UserInfo, UserRegisterReq};
use openim_wire::api::{ApiResponse, Empty, header, path};
use openim_wire::constant::defaults;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A non-zero `errCode` from the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: [{code}] {msg} {detail}")]
pub struct ApiCallError {
    pub path: String,
    pub code: i32,
    pub msg: String,
    pub detail: String,
}

pub struct AdminClient {
    http: reqwest::Client,
    api_url: String,
    token: String,
}

impl AdminClient {
    /// Fetches an admin token for OpenIM's default admin user with `secret`.
    pub async fn connect(api_url: &str, secret: &str) -> anyhow::Result<Self> {
        let mut client = Self { http: reqwest::Client::new(), api_url: api_url.trim_end_matches('/').to_owned(), token: String::new() };
        let resp: TokenResp = client
            .post(path::GET_ADMIN_TOKEN, &GetAdminTokenReq { secret: secret.to_owned(), user_id: defaults::ADMIN_USER_ID.to_owned() })
            .await?;
        client.token = resp.token;
        Ok(client)
    }

    /// The admin token, for calls this client has no method for.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Registers one user.
    pub async fn register_user(&self, user_id: &str, nickname: &str) -> anyhow::Result<()> {
        let user = UserInfo { user_id: user_id.to_owned(), nickname: nickname.to_owned(), ..Default::default() };
        self.post::<_, Empty>(path::USER_REGISTER, &UserRegisterReq { users: vec![user] }).await?;
        Ok(())
    }

    /// Issues a token for `user_id` on `platform_id`.
    pub async fn user_token(&self, user_id: &str, platform_id: i32) -> anyhow::Result<String> {
        let resp: TokenResp =
            self.post(path::GET_USER_TOKEN, &GetUserTokenReq { platform_id, user_id: user_id.to_owned() }).await?;
        Ok(resp.token)
    }

    /// Kicks `user_id` off `platform_id` and invalidates its tokens there.
    pub async fn force_logout(&self, user_id: &str, platform_id: i32) -> anyhow::Result<()> {
        self.post::<_, Empty>(path::FORCE_LOGOUT, &ForceLogoutReq { platform_id, user_id: user_id.to_owned() }).await?;
        Ok(())
    }

    /// Calls any route with the admin token; `errCode != 0` becomes an [`ApiCallError`].
    pub async fn post<Req: Serialize, Resp: DeserializeOwned + Default>(&self, route: &str, body: &Req) -> anyhow::Result<Resp> {
        let mut request = self
            .http
            .post(format!("{}{}", self.api_url, route))
            .header(header::OPERATION_ID, format!("admin-{}", fastrand::u64(..)))
            .json(body);
        if !self.token.is_empty() {
            request = request.header(header::TOKEN, &self.token);
        }
        let envelope: ApiResponse<Resp> = request.send().await?.json().await?;
        if envelope.err_code != 0 {
            return Err(ApiCallError {
                path: route.to_owned(),
                code: envelope.err_code,
                msg: envelope.err_msg,
                detail: envelope.err_dlt,
            }
            .into());
        }
        Ok(envelope.data.unwrap_or_default())
    }
}
