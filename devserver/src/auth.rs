//! Tokens as OpenIM issues them: HS256 JWTs with claims `{UserID, PlatformID, exp, iat}`, plus a
//! server-side state per token (normal or kicked) that decides whether a signed token is still
//! accepted.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use openim_wire::constant::{multi_login, platform, token_state};
use openim_wire::errcode;
use serde::{Deserialize, Serialize};

use crate::error::{CodeError, CodeResult};
use crate::store::{Store, TokenRow, now_ms};

/// The JWT claims of an OpenIM token (openimsdk/tools `tokenverify.Claims`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "UserID")]
    pub user_id: String,
    #[serde(rename = "PlatformID")]
    pub platform_id: i32,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Issue time, Unix seconds.
    pub iat: i64,
    /// A random token ID (`RegisteredClaims.ID`), so that two tokens issued in the same second
    /// differ and one can be kicked without the other.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub jti: String,
}

pub struct Auth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    expire_seconds: i64,
    admin_user_ids: Vec<String>,
    multi_login_policy: i32,
    store: Store,
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

impl Auth {
    pub fn new(secret: &str, expire_seconds: i64, admin_user_ids: Vec<String>, multi_login_policy: i32, store: Store) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // golang-jwt v4 allows no leeway.
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.set_required_spec_claims(&["exp"]);
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            expire_seconds,
            admin_user_ids,
            multi_login_policy,
            store,
        }
    }

    pub fn is_admin(&self, user_id: &str) -> bool {
        self.admin_user_ids.iter().any(|a| a == user_id)
    }

    /// Token lifetime in seconds, as `expireTimeSeconds` reports it.
    pub fn expire_seconds(&self) -> i64 {
        self.expire_seconds
    }

    /// Signs a new token for `user_id` on `platform_id` and applies the multi-login policy to the
    /// user's older tokens: with "same platform kicks", every older token of that platform is
    /// marked kicked, and on other platforms only the newest token stays valid.
    pub async fn create_token(&self, user_id: &str, platform_id: i32) -> CodeResult<String> {
        self.create_token_with_ttl(user_id, platform_id, self.expire_seconds()).await
    }

    /// [`Auth::create_token`] with a lifetime of `ttl_seconds` (negative for an expired token).
    pub async fn create_token_with_ttl(&self, user_id: &str, platform_id: i32, ttl_seconds: i64) -> CodeResult<String> {
        let existing = self.store.tokens_of_user(user_id).await?;
        let mut newest_per_platform: std::collections::HashMap<i32, Vec<&TokenRow>> = Default::default();
        for row in &existing {
            if self.claims(&row.token).is_err() || row.state != token_state::NORMAL {
                self.store.delete_token(&row.token).await?;
            } else if row.platform_id != platform::ADMIN {
                newest_per_platform.entry(row.platform_id).or_default().push(row);
            }
        }
        if self.multi_login_policy == multi_login::ALL_LOGIN_BUT_SAME_TERM_KICK {
            for (plt, rows) in &newest_per_platform {
                let keep = if *plt == platform_id { rows.len() } else { rows.len() - 1 };
                for row in &rows[..keep] {
                    self.store.set_token_state(&row.token, token_state::KICKED).await?;
                }
            }
        }

        let now = now_secs();
        let claims = Claims {
            user_id: user_id.to_owned(),
            platform_id,
            exp: now + ttl_seconds,
            iat: now - 5,
            jti: format!("{:016x}", fastrand::u64(..)),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| CodeError::internal(format!("sign token: {e}")))?;
        self.store
            .insert_token(&TokenRow {
                token: token.clone(),
                user_id: user_id.to_owned(),
                platform_id,
                state: token_state::NORMAL,
                create_time: now_ms(),
            })
            .await?;
        Ok(token)
    }

    /// Verifies the signature and expiry only.
    pub fn claims(&self, token: &str) -> CodeResult<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                let code = match e.kind() {
                    ErrorKind::ExpiredSignature => errcode::TOKEN_EXPIRED,
                    ErrorKind::ImmatureSignature => errcode::TOKEN_NOT_VALID_YET,
                    ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
                        errcode::TOKEN_MALFORMED
                    }
                    _ => errcode::TOKEN_UNKNOWN,
                };
                CodeError::new(code, format!("jwt parse error: {e}"))
            })
    }

    /// Verifies a token fully: signature, expiry and server-side state.
    pub async fn parse_token(&self, token: &str) -> CodeResult<Claims> {
        let claims = self.claims(token)?;
        match self.store.token_state(token).await? {
            Some(token_state::NORMAL) => Ok(claims),
            Some(token_state::KICKED) => Err(CodeError::new(errcode::TOKEN_KICKED, "")),
            Some(_) => Err(CodeError::new(errcode::TOKEN_UNKNOWN, "")),
            None => Err(CodeError::new(errcode::TOKEN_NOT_EXIST, "")),
        }
    }

    /// Marks every token of `user_id` on `platform_id` but `keep` as kicked.
    pub async fn kick_tokens(&self, user_id: &str, platform_id: i32, keep: Option<&str>) -> CodeResult<()> {
        self.store.set_platform_tokens_state(user_id, platform_id, keep, token_state::KICKED).await
    }
}
